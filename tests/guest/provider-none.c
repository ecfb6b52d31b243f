// SPDX-License-Identifier: GPL-2.0
/*
 * provider-none - the migration batch copy without any provider.
 *
 * With no provider registered and vm.migrate_batch_copy=0 (the static key
 * off, stock 6.12 behaviour) migration must be byte-identical and the
 * offload counters must not move.  With vm.migrate_batch_copy=1 the CPU
 * copies each batch before the move step: still byte-identical, still no
 * offload counted, and the tracepoint shows CPU batch copies.  The batch-copy
 * sysctls reject bad values.
 *
 * lab:test timeout=300 set=default
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "file.h"
#include "ktap.h"
#include "mcopy.h"
#include "node.h"
#include "pattern.h"
#include "provider.h"


static bool sysctl_is(const char *path, const char *want)
{
	char buf[64];
	int ret = file_read(path, buf, sizeof(buf));

	if (ret) {
		ktap_diag("%s: %s", path, strerror(-ret));
		return false;
	}
	if (strcmp(buf, want)) {
		ktap_diag("%s is \"%s\", expected \"%s\"", path, buf, want);
		return false;
	}
	return true;
}

/* Writing @val to @path must fail with EINVAL and leave @path at @keep. */
static bool rejects(const char *path, const char *val, const char *keep)
{
	int ret = file_write(path, val);

	if (ret != -EINVAL) {
		ktap_diag("writing %s to %s: %s, expected EINVAL", val, path,
			  ret ? strerror(-ret) : "accepted");
		return false;
	}
	return sysctl_is(path, keep);
}

static bool counters_still(const struct mcopy_vmstat *a, const char *label)
{
	struct mcopy_vmstat b;
	int ret = mcopy_vmstat_read(&b);

	if (ret) {
		ktap_diag("vmstat: %s", strerror(-ret));
		return false;
	}
	ktap_diag("%s: pgmigrate_success +%" PRIu64 ", offload batch +%" PRIu64
		  " folio +%" PRIu64 " fallback +%" PRIu64, label,
		  b.migrated - a->migrated, b.batch - a->batch,
		  b.folio - a->folio, b.fallback - a->fallback);
	return b.migrated > a->migrated && b.batch == a->batch &&
	       b.folio == a->folio && b.fallback == a->fallback;
}

int main(void)
{
	struct mcopy_vmstat before;
	char name[64];
	uint64_t seed = pattern_seed();
	struct provider_set set;
	long events, cpu_events, syscall_events;
	int ret;

	ktap_plan(8);

	if (node_count_with_memory() < 2)
		ktap_abort("needs 2 NUMA nodes with memory");
	if (access(MCOPY_SYSCTL_BATCH_COPY, F_OK))
		ktap_abort("no %s: kernel without the batch copy series",
			   MCOPY_SYSCTL_BATCH_COPY);

	ret = mcopy_provider_name(name, sizeof(name));
	if (ret)
		ktap_abort("%s: %s", MCOPY_SYSCTL_PROVIDER, strerror(-ret));
	if (!ktap_ok(!name[0] && !provider_loaded(), "no_provider_registered"))
		ktap_diag("registered provider: \"%s\"", name);

	/* Every reason (1023) but MR_MEMORY_FAILURE (bit 1): 1021. */
	ktap_ok(sysctl_is(MCOPY_SYSCTL_BATCH_COPY, "0") &
		sysctl_is(MCOPY_SYSCTL_REASONS, "1021") &
		sysctl_is(MCOPY_SYSCTL_COMPACT_BATCH, "32"), "sysctl_defaults");

	ktap_ok(rejects(MCOPY_SYSCTL_BATCH_COPY, "2", "0") &
		rejects(MCOPY_SYSCTL_REASONS, "1024", "1021") &
		rejects(MCOPY_SYSCTL_COMPACT_BATCH, "31", "32") &
		rejects(MCOPY_SYSCTL_COMPACT_BATCH, "513", "32") &
		(file_write(MCOPY_SYSCTL_PROVIDER, "x") < 0),
		"sysctls_reject_bad_values");

	provider_set_alloc(&set);

	/* 1. Static key off: stock behaviour. */
	if (mcopy_vmstat_read(&before))
		ktap_abort("no pgmigrate_offload_* counters in /proc/vmstat");
	ktap_ok(provider_set_roundtrips(&set, seed), "key_off_data_intact");
	ktap_ok(counters_still(&before, "key off"), "key_off_offload_counters_still");

	/* 2. Batch copy by the CPU, traced. */
	ret = mcopy_trace_enable(true);
	if (ret)
		ktap_diag("tracepoint: %s", strerror(-ret));
	if (file_write(MCOPY_SYSCTL_BATCH_COPY, "1"))
		ktap_abort("cannot set %s", MCOPY_SYSCTL_BATCH_COPY);
	mcopy_vmstat_read(&before);
	seed ^= 0x5a5a5a5aULL;
	ktap_ok(provider_set_roundtrips(&set, seed) &&
		counters_still(&before, "cpu batch copy"),
		"cpu_batch_copy_data_intact_nothing_offloaded");
	file_write(MCOPY_SYSCTL_BATCH_COPY, "0");

	events = ret ? -1 : mcopy_trace_count(NULL);
	cpu_events = ret ? -1 : mcopy_trace_count("copier=cpu");
	syscall_events = ret ? -1 : mcopy_trace_count("reason=syscall_or_cpuset");
	mcopy_trace_enable(false);
	/* Background compaction may add batches of its own, also by the CPU. */
	ktap_diag("mm_migrate_copy_batch events: %ld, by the cpu: %ld, for move_pages: %ld",
		  events, cpu_events, syscall_events);
	ktap_ok(syscall_events > 0 && cpu_events == events,
		"cpu_batch_copy_traced");

	ktap_ok(sysctl_is(MCOPY_SYSCTL_BATCH_COPY, "0"), "batch_copy_off_again");
	return ktap_finish();
}
