#ifndef DSYNC_EVENT_BASE_H
#define DSYNC_EVENT_BASE_H
/* The few libevent calls the resolver loops make (the agent's, and the hook's one lookup),
 * behind opaque pointers: libevent's own headers pull in <sys/select.h>, whose fd_set then
 * clashes with other C modules' copies when Swift imports them side by side. libunbound's
 * event mode (ub_ctx_create_event) runs on the event_base made here. */
#include <stdint.h>

struct event_base;
struct event;

struct event_base *dsync_event_base_new(void);
void dsync_event_base_free(struct event_base *base);
/* Runs one round of ready events, waiting for at least one; 0, or -1 on error. */
int dsync_event_base_loop_once(struct event_base *base);
/* A persistent read event on fd calling on_read(argument), already added; NULL on failure. */
struct event *dsync_event_reader(struct event_base *base, int fd, void (*on_read)(void *), void *argument);
/* A timer that only ends the wait of dsync_event_base_loop_once; NULL on failure. */
struct event *dsync_event_timer(struct event_base *base);
/* (Re)arms the timer to fire after `microseconds`; a negative value disarms it. */
int dsync_event_timer_set(struct event *timer, int64_t microseconds);
void dsync_event_free(struct event *event);
#endif
