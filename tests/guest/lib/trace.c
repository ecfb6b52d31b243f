// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - kernel trace events in tracefs, see trace.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "trace.h"

int trace_event_enable(const char *event, bool on, bool clear)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), TRACEFS "/events/%s/enable", event);
	/* /init mounts tracefs; no file: the kernel lacks the event. */
	if (stat(path, &st))
		return -ENOENT;
	if (on && clear) {
		/* Opening "trace" with O_TRUNC empties the buffer. */
		int fd = open(TRACEFS "/trace", O_WRONLY | O_TRUNC | O_CLOEXEC);

		if (fd < 0)
			return -errno;
		close(fd);
	}
	return file_write(path, on ? "1" : "0");
}

long trace_for_each(const char *event, int (*fn)(const char *text, void *arg),
		    void *arg)
{
	char line[1024], tag[128];
	long n = 0;
	FILE *f;

	snprintf(tag, sizeof(tag), " %s: ", event);
	f = fopen(TRACEFS "/trace", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *text = strstr(line, tag);

		if (!text)
			continue;
		n++;
		text += strlen(tag);
		text[strcspn(text, "\n")] = '\0';
		if (fn && fn(text, arg))
			break;
	}
	fclose(f);
	return n;
}

struct trace_count_arg {
	const char *needle;
	long n;
};

static int trace_count_one(const char *text, void *arg)
{
	struct trace_count_arg *a = arg;

	if (!a->needle || strstr(text, a->needle))
		a->n++;
	return 0;
}

long trace_count(const char *event, const char *needle)
{
	struct trace_count_arg a = { .needle = needle };
	long ret = trace_for_each(event, trace_count_one, &a);

	return ret < 0 ? ret : a.n;
}
