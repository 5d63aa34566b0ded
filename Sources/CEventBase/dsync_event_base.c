#include "dsync_event_base.h"
#include <event2/event.h>
#include <stdlib.h>

struct reader {
	void (*on_read)(void *);
	void *argument;
};

struct event_base *dsync_event_base_new(void) { return event_base_new(); }

void dsync_event_base_free(struct event_base *base) { event_base_free(base); }

int dsync_event_base_loop_once(struct event_base *base) {
	return event_base_loop(base, EVLOOP_ONCE) < 0 ? -1 : 0;
}

static void read_ready(evutil_socket_t fd, short what, void *argument) {
	(void)fd;
	(void)what;
	const struct reader *reader = argument;
	reader->on_read(reader->argument);
}

struct event *dsync_event_reader(struct event_base *base, int fd, void (*on_read)(void *), void *argument) {
	struct reader *reader = malloc(sizeof *reader);
	if (reader == NULL) return NULL;
	reader->on_read = on_read;
	reader->argument = argument;
	struct event *event = event_new(base, fd, EV_READ | EV_PERSIST, read_ready, reader);
	if (event == NULL || event_add(event, NULL) != 0) {
		if (event != NULL) event_free(event);
		free(reader);
		return NULL;
	}
	return event;
}

static void timer_fired(evutil_socket_t fd, short what, void *argument) {
	(void)fd;
	(void)what;
	(void)argument;
}

struct event *dsync_event_timer(struct event_base *base) { return event_new(base, -1, 0, timer_fired, NULL); }

int dsync_event_timer_set(struct event *timer, int64_t microseconds) {
	if (microseconds < 0) return event_del(timer);
	struct timeval interval = {.tv_sec = (time_t)(microseconds / 1000000), .tv_usec = (suseconds_t)(microseconds % 1000000)};
	return event_add(timer, &interval);
}

void dsync_event_free(struct event *event) {
	if (event == NULL) return;
	if (event_get_callback(event) == read_ready) free(event_get_callback_arg(event));
	event_free(event);
}
