/* SPDX-License-Identifier: GPL-2.0 */
/*
 * damon.h - one DAMON sysfs kdamond (kdamonds/0) with one physical-address
 * (paddr) context over one region and one migrate_hot scheme, for the
 * promotion scenario (promote.c) and the soak.
 *
 * DAMON sysfs is a single global object: only one test of a boot may use
 * it at a time, and damon_setup() drops whatever kdamond was there.
 */
#ifndef LAB_DAMON_H
#define LAB_DAMON_H

#include <stdbool.h>
#include <stdint.h>

#define DAMON_ADMIN	"/sys/kernel/mm/damon/admin"

/* True if DAMON sysfs exists and is writable (CONFIG_DAMON_SYSFS). */
bool damon_available(void);

/*
 * Start kdamond 0: paddr monitoring of the physical range [@start, @end)
 * with a migrate_hot scheme moving every region accessed in at least one
 * sample per aggregation interval to @target_nid.  Every failed write is
 * reported with ktap_diag(); true if all of them worked.
 */
bool damon_setup(uint64_t start, uint64_t end, int target_nid);

/* Stop kdamond 0 and drop it. */
void damon_teardown(void);

/*
 * One of the scheme's stats ("sz_applied", "sz_tried", "nr_applied"...),
 * refreshed first; 0 if it cannot be read.  The kdamond must be on.
 */
uint64_t damon_scheme_stat(const char *name);

#endif /* LAB_DAMON_H */
