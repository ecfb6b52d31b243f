/* SPDX-License-Identifier: GPL-2.0 */
/*
 * provider.h - drive the CPU test provider of the migration batch copy
 * (tests/test-provider, module migrate_test_provider) and read the
 * kernel's batch-copy knobs and counters, for the provider-* tests.
 *
 * Functions return 0 or a negative errno, print nothing.
 */
#ifndef LAB_PROVIDER_H
#define LAB_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TP_MODULE	"migrate_test_provider"
#define TP_NAME		"cpu-test"	/* its name in vm.migrate_copy_provider */

#define MC_SYSCTL_BATCH_COPY	"/proc/sys/vm/migrate_batch_copy"
#define MC_SYSCTL_REASONS	"/proc/sys/vm/migrate_copy_reasons"
#define MC_SYSCTL_PROVIDER	"/proc/sys/vm/migrate_copy_provider"
#define MC_SYSCTL_COMPACT_BATCH	"/proc/sys/vm/compaction_migrate_batch"

/* enum migrate_reason values (include/linux/migrate_mode.h). */
#define MR_COMPACTION	0
#define MR_SYSCALL	3
#define MR_DAMON	9
#define MR_TYPES	10

/* Counters of the test provider (its "stats" parameter). */
struct tp_stats {
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

/* The kernel's batch-copy vmstat counters. */
struct mc_vmstat {
	uint64_t batch;		/* pgmigrate_offload_batch */
	uint64_t folio;		/* pgmigrate_offload_folio */
	uint64_t fallback;	/* pgmigrate_offload_fallback */
	uint64_t abandoned;	/* pgmigrate_offload_abandoned */
	uint64_t migrated;	/* pgmigrate_success */
};

/*
 * ktap_abort() unless no provider is registered and the test provider is
 * not loaded: every provider-* test starts from that state and leaves it.
 */
void tp_require_idle(void);
bool tp_loaded(void);
/* modprobe the test provider with @args ("" for none). */
int tp_load(const char *args);
/* enable=0 (unregister, waits for batches in flight), then delete_module. */
int tp_unload(void);
/* delete_module(2) with @flags; -errno on failure (EWOULDBLOCK: in use). */
int tp_delete_module(unsigned int flags);
int tp_param_write(const char *param, const char *val);
int tp_param_read(const char *param, char *buf, size_t len);
int tp_stats_read(struct tp_stats *s);
int tp_stats_reset(void);
/* Name of the registered provider ("" if none) into @buf. */
int mc_provider_name(char *buf, size_t len);
int mc_vmstat_read(struct mc_vmstat *v);
/* ktap_diag() the provider stats with a @label. */
void tp_stats_report(const struct tp_stats *s, const char *label);

/*
 * The migrate:mm_migrate_copy_batch tracepoint (tracefs is mounted if
 * needed): switch it on or off (clearing the buffer when switching on), and
 * count the events in the buffer whose line contains @needle (NULL: all).
 */
int mc_trace_enable(bool on);
long mc_trace_count(const char *needle);

/*
 * The CPU batch copy (vm.migrate_batch_copy) with its tracepoint, on (the
 * trace buffer cleared) or off.  0 or -errno.
 */
int mc_cpu_batch(bool on);

/* What the buffered mm_migrate_copy_batch events of one migrate reason say. */
struct mc_evidence {
	long events;		/* events with that reason */
	long by_provider;	/* copied by the provider: result 0, nr_copied > 0 */
	long declined;		/* offered to the provider, not copied */
	long cpu;		/* CPU batch copies */
	uint64_t folios;	/* folios the provider copied */
	int last_decline;	/* result of the last declined batch */
};

/* Tally the events of @reason ("compaction", "demotion"...): 0 or -errno. */
int mc_trace_evidence(const char *reason, struct mc_evidence *e);

/*
 * Move [@buf, @buf + @len) between @from and @to @rounds times, starting
 * with @to (@from, @to, @from...), checking every status and then every
 * byte against the pattern of @seed.  Returns 0 if all went well, else a
 * negative errno (moves) or -EIO (data), after a ktap_diag().
 */
int roundtrip_verify(void *buf, size_t len, size_t stride, int from, int to,
		     int rounds, uint64_t seed);

/*
 * The working set of the provider tests: 16 MiB of 4 KiB pages (THP off) and
 * 4 THPs.  rt_set_alloc() aborts the test when it cannot map them;
 * rt_set_roundtrips() fills both with the pattern of @seed and moves each
 * node 0 <-> 1 four times, every byte checked: true if all went well.
 */
#define RT_SMALL_BYTES	(16UL << 20)
#define RT_NR_THP	4
#define RT_ROUNDS	4
struct rt_set {
	char *small;
	char *thp;
};
void rt_set_alloc(struct rt_set *set);
bool rt_set_roundtrips(struct rt_set *set, uint64_t seed);

#endif /* LAB_PROVIDER_H */
