#include <unbound.h>
#include <unbound-event.h>
