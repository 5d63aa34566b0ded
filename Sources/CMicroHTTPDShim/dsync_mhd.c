#include "dsync_mhd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct dsync_mhd {
    struct MHD_Daemon *daemon;
    dsync_mhd_render render;
    void *context;
    char last_error[160]; /* libmicrohttpd's last message, for a start-up failure */
};

/* libmicrohttpd's own messages: kept (not printed) so a failure to start can say why. */
static void log_error(void *cls, const char *format, va_list arguments) {
    dsync_mhd *server = cls;
    vsnprintf(server->last_error, sizeof server->last_error, format, arguments);
    size_t length = strlen(server->last_error);
    while (length > 0 && (server->last_error[length - 1] == '\n' || server->last_error[length - 1] == '.'))
        server->last_error[--length] = 0;
}

static enum MHD_Result respond(struct MHD_Connection *connection, unsigned int status, char *body, size_t length,
                               enum MHD_ResponseMemoryMode mode, const char *type) {
    struct MHD_Response *response = MHD_create_response_from_buffer(length, body, mode);
    if (response == NULL) {
        if (mode == MHD_RESPMEM_MUST_FREE) free(body);
        return MHD_NO;
    }
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result result = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return result;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size,
                              void **request_state) {
    (void)version;
    (void)upload_data;
    dsync_mhd *server = cls;
    static int first_call;
    if (*request_state == NULL) { /* headers only so far: answer on the next call */
        *request_state = &first_call;
        return MHD_YES;
    }
    if (*upload_data_size != 0) { /* a body we do not read */
        *upload_data_size = 0;
        return MHD_YES;
    }
    static char not_found[] = "not found: the metrics are at /metrics\n";
    static char not_allowed[] = "method not allowed\n";
    static char failed[] = "metrics could not be rendered\n";
    const char *text = "text/plain; charset=utf-8";
    if (strcmp(url, "/metrics") != 0)
        return respond(connection, MHD_HTTP_NOT_FOUND, not_found, sizeof not_found - 1, MHD_RESPMEM_PERSISTENT, text);
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return respond(connection, MHD_HTTP_METHOD_NOT_ALLOWED, not_allowed, sizeof not_allowed - 1,
                       MHD_RESPMEM_PERSISTENT, text);
    size_t length = 0;
    char *body = server->render(server->context, &length);
    if (body == NULL)
        return respond(connection, MHD_HTTP_INTERNAL_SERVER_ERROR, failed, sizeof failed - 1, MHD_RESPMEM_PERSISTENT,
                       text);
    /* The Prometheus text exposition format, version 0.0.4. */
    return respond(connection, MHD_HTTP_OK, body, length, MHD_RESPMEM_MUST_FREE,
                   "text/plain; version=0.0.4; charset=utf-8");
}

/* The listening socket is ours, so a taken port or a bad address fails here with errno, before
 * libmicrohttpd is involved. */
static int listen_on(const char *address, uint16_t port, char *error, size_t error_length) {
    struct sockaddr_storage storage;
    memset(&storage, 0, sizeof storage);
    socklen_t size;
    int family;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&storage;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&storage;
    if (inet_pton(AF_INET, address, &v4->sin_addr) == 1) {
        family = AF_INET;
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        size = sizeof *v4;
    } else if (inet_pton(AF_INET6, address, &v6->sin6_addr) == 1) {
        family = AF_INET6;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        size = sizeof *v6;
    } else {
        snprintf(error, error_length, "\"%s\" is not an IPv4 or IPv6 address", address);
        return -1;
    }
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(error, error_length, "socket: %s", strerror(errno));
        return -1;
    }
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    if (bind(fd, (struct sockaddr *)&storage, size) != 0 || listen(fd, 64) != 0) {
        snprintf(error, error_length, "cannot listen on port %u: %s", (unsigned)port, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

dsync_mhd *dsync_mhd_start(const char *address, uint16_t port, dsync_mhd_render render, void *context,
                           char *error, size_t error_length) {
    int fd = listen_on(address, port, error, error_length);
    if (fd < 0) return NULL;
    dsync_mhd *server = calloc(1, sizeof *server);
    if (server == NULL) {
        snprintf(error, error_length, "out of memory");
        close(fd);
        return NULL;
    }
    server->render = render;
    server->context = context;
    /* From here the listening socket is libmicrohttpd's: it closes it on its own failure paths
     * and in MHD_stop_daemon, so it is never closed here again. */
    server->daemon = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, handle, server,
                                      MHD_OPTION_EXTERNAL_LOGGER, log_error, server, MHD_OPTION_LISTEN_SOCKET, fd,
                                      MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64,
                                      MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)16,
                                      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10, MHD_OPTION_END);
    if (server->daemon == NULL) {
        snprintf(error, error_length, "libmicrohttpd could not start on port %u%s%s", (unsigned)port,
                 server->last_error[0] ? ": " : "", server->last_error);
        free(server);
        return NULL;
    }
    return server;
}

void dsync_mhd_stop(dsync_mhd *server) {
    if (server == NULL) return;
    MHD_stop_daemon(server->daemon);
    free(server);
}
