#include "dsync_curl.h"
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void global_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

typedef struct {
    dsync_http_response *resp;
    size_t cap;
    long max;
} sink;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata) {
    sink *s = userdata;
    size_t n = size * nmemb;
    if ((long)(s->resp->body_len + n) > s->max) { s->resp->too_large = 1; return 0; }
    if (s->resp->body_len + n + 1 > s->cap) {
        size_t cap = (s->resp->body_len + n + 1) * 2;
        char *b = realloc(s->resp->body, cap);
        if (b == NULL) return 0;
        s->resp->body = b;
        s->cap = cap;
    }
    memcpy(s->resp->body + s->resp->body_len, ptr, n);
    s->resp->body_len += n;
    s->resp->body[s->resp->body_len] = 0;
    return n;
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *userdata) {
    dsync_http_response *resp = userdata;
    size_t n = size * nitems;
    if (n > 5 && strncasecmp(buf, "etag:", 5) == 0) {
        const char *v = buf + 5;
        size_t len = n - 5;
        while (len > 0 && (*v == ' ' || *v == '\t')) { v++; len--; }
        while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' ')) len--;
        free(resp->etag);
        resp->etag = strndup(v, len);
    }
    return n;
}

int dsync_http_get(const dsync_http_request *req, dsync_http_response *resp) {
    pthread_once(&once, global_init);
    memset(resp, 0, sizeof *resp);
    CURL *c = curl_easy_init();
    if (c == NULL) { strcpy(resp->error, "curl_easy_init failed"); return -1; }
    struct curl_slist *connect_to = NULL, *headers = NULL;
    for (size_t i = 0; i < req->connect_to_count; i++) connect_to = curl_slist_append(connect_to, req->connect_to[i]);
    for (size_t i = 0; i < req->header_count; i++) headers = curl_slist_append(headers, req->headers[i]);
    sink s = { resp, 0, req->max_bytes };
    char errbuf[CURL_ERROR_SIZE] = "";

    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, req->timeout_ms);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->max_bytes);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "danesync");
    if (req->ca_file != NULL) curl_easy_setopt(c, CURLOPT_CAINFO, req->ca_file);
    if (connect_to != NULL) curl_easy_setopt(c, CURLOPT_CONNECT_TO, connect_to);
    if (headers != NULL) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    char *location = NULL;
    if (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location != NULL)
        resp->location = strdup(location);
    if (rc == CURLE_FILESIZE_EXCEEDED) resp->too_large = 1;
    int result = 0;
    if (rc != CURLE_OK && !resp->too_large) {
        snprintf(resp->error, sizeof resp->error, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
        result = -1;
    }
    curl_slist_free_all(connect_to);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return result;
}

void dsync_http_free(dsync_http_response *resp) {
    free(resp->body);
    free(resp->etag);
    free(resp->location);
    resp->body = resp->etag = resp->location = NULL;
}
