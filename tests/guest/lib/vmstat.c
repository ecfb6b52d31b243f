// SPDX-License-Identifier: GPL-2.0
/*
 * vmstat.c - /proc/vmstat counters, see vmstat.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ktap.h"
#include "vmstat.h"

int vmstat_snapshot(struct vmstat_snap *s)
{
	char line[128];
	FILE *f;

	f = fopen("/proc/vmstat", "re");
	if (!f)
		return -errno;
	s->n = 0;
	while (s->n < VMSTAT_MAX && fgets(line, sizeof(line), f)) {
		unsigned long long v;

		if (sscanf(line, "%47s %llu", s->name[s->n], &v) == 2)
			s->val[s->n++] = v;
	}
	fclose(f);
	return 0;
}

int vmstat_get(const struct vmstat_snap *s, const char *name, uint64_t *val)
{
	int i;

	for (i = 0; i < s->n; i++) {
		if (!strcmp(s->name[i], name)) {
			*val = s->val[i];
			return 0;
		}
	}
	return -ENOENT;
}

int vmstat_read(const char *name, uint64_t *val)
{
	/*
	 * One per thread: a scenario's sampler thread reads counters while
	 * its main thread waits on others, and a shared snapshot refilled
	 * under a reader made the reader miss its counter.
	 */
	static __thread struct vmstat_snap s;
	int ret;

	ret = vmstat_snapshot(&s);
	if (ret)
		return ret;
	return vmstat_get(&s, name, val);
}

uint64_t vmstat_delta(const struct vmstat_snap *before,
		      const struct vmstat_snap *after, const char *name)
{
	uint64_t a, b;

	if (vmstat_get(before, name, &b) || vmstat_get(after, name, &a))
		return 0;
	return a - b;
}

void vmstat_report_delta(const struct vmstat_snap *before,
			 const struct vmstat_snap *after, const char *prefix)
{
	size_t plen = strlen(prefix);
	uint64_t b;
	int i;

	for (i = 0; i < after->n; i++) {
		if (strncmp(after->name[i], prefix, plen))
			continue;
		if (vmstat_get(before, after->name[i], &b))
			b = 0;
		if (after->val[i] != b)
			ktap_diag("vmstat %s +%" PRIu64, after->name[i],
				  after->val[i] - b);
	}
}
