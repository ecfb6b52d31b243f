/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcopy.h - the kernel's migration copy as the series makes it: the
 * batch-copy sysctls, the pgmigrate_offload_* counters and the
 * mm_migrate_copy_batch tracepoint, whoever the provider is (dsam.h: the
 * DSA offload; provider.h: the CPU test provider).
 *
 * Functions return 0 or a negative errno, print nothing.
 */
#ifndef LAB_MCOPY_H
#define LAB_MCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MCOPY_SYSCTL_BATCH_COPY	"/proc/sys/vm/migrate_batch_copy"
#define MCOPY_SYSCTL_REASONS	"/proc/sys/vm/migrate_copy_reasons"
#define MCOPY_SYSCTL_PROVIDER	"/proc/sys/vm/migrate_copy_provider"
#define MCOPY_SYSCTL_COMPACT_BATCH	"/proc/sys/vm/compaction_migrate_batch"

/* enum migrate_reason values (include/linux/migrate_mode.h). */
#define MR_COMPACTION	0
#define MR_SYSCALL	3
#define MR_DAMON	9
#define MR_TYPES	10

/* The kernel's batch-copy vmstat counters. */
struct mcopy_vmstat {
	uint64_t batch;		/* pgmigrate_offload_batch */
	uint64_t folio;		/* pgmigrate_offload_folio */
	uint64_t fallback;	/* pgmigrate_offload_fallback */
	uint64_t abandoned;	/* pgmigrate_offload_abandoned */
	uint64_t migrated;	/* pgmigrate_success */
};

/* Name of the registered provider ("" if none) into @buf. */
int mcopy_provider_name(char *buf, size_t len);
int mcopy_vmstat_read(struct mcopy_vmstat *v);

/*
 * The migrate:mm_migrate_copy_batch tracepoint (tracefs is mounted if
 * needed): switch it on or off (clearing the buffer when switching on), and
 * count the events in the buffer whose line contains @needle (NULL: all).
 */
int mcopy_trace_enable(bool on);
long mcopy_trace_count(const char *needle);

/*
 * The CPU batch copy (vm.migrate_batch_copy) with its tracepoint, on (the
 * trace buffer cleared) or off.  0 or -errno.
 */
int mcopy_cpu_batch(bool on);

/* What the buffered mm_migrate_copy_batch events of one migrate reason say. */
struct mcopy_evidence {
	long events;		/* events with that reason */
	long by_provider;	/* copied by the provider: result 0, nr_copied > 0 */
	long declined;		/* offered to the provider, not copied */
	long cpu;		/* CPU batch copies */
	uint64_t folios;	/* folios the provider copied */
	uint64_t offered;	/* folios in the batches offered to the provider */
	uint64_t accepted;	/* folios in the batches it accepted (result 0) */
	int last_decline;	/* result of the last declined batch */
};

/* Tally the events of @reason ("compaction", "demotion"...): 0 or -errno. */
int mcopy_trace_evidence(const char *reason, struct mcopy_evidence *e);

#endif /* LAB_MCOPY_H */
