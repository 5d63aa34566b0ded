#ifndef DSYNC_MHD_H
#define DSYNC_MHD_H
/* The metrics endpoint over libmicrohttpd: GET /metrics answered with the bytes a callback
 * renders, everything else 404/405. A C wrapper because MHD_start_daemon is variadic and its
 * callbacks are C function pointers. */
#include <stddef.h>
#include <stdint.h>

/* Renders the exposition: returns a malloc'd buffer of *length bytes (freed by the shim), or
 * NULL for a 500. Called on libmicrohttpd's thread. */
typedef char *(*dsync_mhd_render)(void *context, size_t *length);

typedef struct dsync_mhd dsync_mhd;

/* Binds `address` (an IPv4 or IPv6 literal) on `port`, listens and serves on an internal
 * thread. NULL on failure, with the reason (the failing call and strerror) in `error`. */
dsync_mhd *dsync_mhd_start(const char *address, uint16_t port, dsync_mhd_render render, void *context,
                           char *error, size_t error_length);
void dsync_mhd_stop(dsync_mhd *server);

#endif
