#ifndef DSYNC_CURL_H
#define DSYNC_CURL_H
/* One HTTPS GET through libcurl, with the knobs CA discovery and policy fetching need.
 * A C wrapper because curl_easy_setopt is variadic and cannot be called from Swift. */
#include <stddef.h>

typedef struct {
    const char *url;
    const char *ca_file;          /* NULL: system bundle */
    const char *const *connect_to; /* "HOST:PORT:CONNECT-HOST:CONNECT-PORT" entries, like curl --connect-to */
    size_t connect_to_count;
    const char *const *headers;   /* "Name: value" lines */
    size_t header_count;
    long timeout_ms;
    long max_bytes;               /* body larger than this is an error */
} dsync_http_request;

typedef struct {
    long status;                  /* HTTP status, 0 if no response */
    char *body;                   /* owned, free with dsync_http_free */
    size_t body_len;
    char *etag;                   /* owned or NULL */
    char *location;               /* redirect target (owned) or NULL */
    int too_large;                /* 1 if the body exceeded max_bytes */
    char error[256];              /* curl's error text when the transfer failed */
} dsync_http_response;

/* 0: a response arrived (any status); -1: transfer failed (see error). */
int dsync_http_get(const dsync_http_request *req, dsync_http_response *resp);
void dsync_http_free(dsync_http_response *resp);
#endif
