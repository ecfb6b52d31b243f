/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace.h - kernel trace events in tracefs, as evidence of what the kernel
 * did.
 */
#ifndef LAB_TRACE_H
#define LAB_TRACE_H

#include <stdbool.h>

#define TRACEFS "/sys/kernel/tracing"

/*
 * Enable or disable the trace event @event ("system/name") in tracefs
 * (mounted by /init).  Enabling with @clear empties the trace buffer first.
 * -ENOENT if the kernel lacks the event.
 */
int trace_event_enable(const char *event, bool on, bool clear);
/* Count the buffered lines of @event ("name") containing @needle (or all). */
long trace_count(const char *event, const char *needle);
/*
 * Call @fn for each buffered line of @event ("name"), with the text after
 * "name: ".  Stops early when @fn returns non-zero.  Returns lines seen or
 * -errno.
 */
long trace_for_each(const char *event, int (*fn)(const char *text, void *arg),
		    void *arg);

#endif /* LAB_TRACE_H */
