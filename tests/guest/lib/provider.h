/* SPDX-License-Identifier: GPL-2.0 */
/*
 * provider.h - drive the CPU test provider of the migration batch copy
 * (tests/test-provider, module migrate_test_provider) for the provider-*
 * tests; the kernel's own knobs and counters of the batch copy are
 * mcopy.h's.
 *
 * Functions return 0 or a negative errno, print nothing.
 */
#ifndef LAB_PROVIDER_H
#define LAB_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcopy.h"

#define PROVIDER_MODULE	"migrate_test_provider"
#define PROVIDER_NAME		"cpu-test"	/* its name in vm.migrate_copy_provider */

/* Counters of the test provider (its "stats" parameter). */
struct provider_stats {
	uint64_t calls;
	uint64_t declined;
	uint64_t folios_copied;
	uint64_t folios_skipped;
	uint64_t pages_copied;
	uint64_t large_folios;
	uint64_t max_pairs;
	uint64_t contract_violations;
	uint64_t in_flight;
	uint64_t reason_folios[MR_TYPES];
};

/*
 * ktap_abort() unless no provider is registered and the test provider is
 * not loaded: every provider-* test starts from that state and leaves it.
 */
void provider_require_idle(void);
bool provider_loaded(void);
/* modprobe the test provider with @args ("" for none). */
int provider_load(const char *args);
/* enable=0 (unregister, waits for batches in flight), then delete_module. */
int provider_unload(void);
/* delete_module(2) with @flags; -errno on failure (EWOULDBLOCK: in use). */
int provider_delete_module(unsigned int flags);
int provider_param_write(const char *param, const char *val);
int provider_param_read(const char *param, char *buf, size_t len);
int provider_stats_read(struct provider_stats *s);
int provider_stats_reset(void);
/* ktap_diag() the provider stats with a @label. */
void provider_stats_report(const struct provider_stats *s, const char *label);

/*
 * The working set of the provider tests: 16 MiB of 4 KiB pages (THP off) and
 * 4 THPs.  provider_set_alloc() aborts the test when it cannot map them;
 * provider_set_roundtrips() fills both with the pattern of @seed and moves each
 * node 0 <-> 1 four times, every byte checked: true if all went well.
 */
#define PROVIDER_SET_SMALL_BYTES	(16UL << 20)
#define PROVIDER_SET_NR_THP	4
#define PROVIDER_SET_ROUNDS	4
struct provider_set {
	char *small;
	char *thp;
};
void provider_set_alloc(struct provider_set *set);
bool provider_set_roundtrips(struct provider_set *set, uint64_t seed);

#endif /* LAB_PROVIDER_H */
