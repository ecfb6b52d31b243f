/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmstat.h - /proc/vmstat counters: one at a time, or snapshots and their
 * deltas.
 */
#ifndef LAB_VMSTAT_H
#define LAB_VMSTAT_H

#include <stdint.h>

/* Read one counter.  -ENOENT if the counter does not exist. */
int vmstat_read(const char *name, uint64_t *val);

#define VMSTAT_MAX 320
struct vmstat_snap {
	int n;
	char name[VMSTAT_MAX][48];
	uint64_t val[VMSTAT_MAX];
};

/* Take a snapshot of all of /proc/vmstat. */
int vmstat_snapshot(struct vmstat_snap *s);
/* Value of @name in @s, or -ENOENT (as int) through @val's return. */
int vmstat_get(const struct vmstat_snap *s, const char *name, uint64_t *val);
/* @after - @before for @name (0 if missing in either). */
uint64_t vmstat_delta(const struct vmstat_snap *before,
		      const struct vmstat_snap *after, const char *name);
/* ktap_diag() every counter starting with @prefix that changed. */
void vmstat_report_delta(const struct vmstat_snap *before,
			 const struct vmstat_snap *after, const char *prefix);

#endif /* LAB_VMSTAT_H */
