// SPDX-License-Identifier: GPL-2.0
/*
 * provider-compaction - compaction through the CPU test provider.
 *
 * 90 % of node 1's free memory is fragmented (every other 4 KiB page freed)
 * and compacted, through nodeN/compact and then by asking for huge pages on
 * the node (direct compaction), with migrate_test_provider registered:
 * the provider must see MR_COMPACTION batches, the offload counters must
 * rise and every surviving page must keep its contents.  Done once with the
 * default vm.compaction_migrate_batch (32) and once with 512, where the
 * provider must get fewer, larger batches (up to MIGRATE_COPY_MAX_PAIRS).
 *
 * lab:test timeout=400 set=default boot=own
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "file.h"
#include "frag.h"
#include "ktap.h"
#include "mcopy.h"
#include "node.h"
#include "pattern.h"
#include "provider.h"
#include "vmstat.h"

#define NODE	1
#define FILL_PCT	90	/* of the node's free memory, fragmented */
#define HUGEPAGES	64	/* asked for on the node after fragmenting */

/* Fragment, compact, verify.  Returns false (after a diag) on any problem. */
static bool fragment_and_compact(const char *label, struct provider_stats *st,
				 struct mcopy_vmstat *a, struct mcopy_vmstat *b)
{
	struct frag_region r;
	struct pattern_mismatch mm;
	static struct vmstat_snap before, after;
	size_t bad, survivors;
	uint64_t free_bytes, huge = 0;
	char path[80];
	int ret;

	ret = node_mem_free(NODE, &free_bytes);
	if (ret) {
		ktap_diag("%s: node%d MemFree: %s", label, NODE, strerror(-ret));
		return false;
	}
	ret = frag_create(&r, NODE, free_bytes / 100 * FILL_PCT, pattern_seed());
	if (ret) {
		ktap_diag("%s: fragmenting node%d: %s", label, NODE,
			  strerror(-ret));
		return false;
	}
	provider_stats_reset();
	mcopy_vmstat_read(a);
	vmstat_snapshot(&before);
	/* Manual compaction of the node, then direct compaction for huge pages. */
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/compact",
		 NODE);
	ret = file_write(path, "1");
	if (!ret) {
		ret = node_hugepages_set(NODE, HUGEPAGES);
		node_hugepages_get(NODE, &huge);
		node_hugepages_set(NODE, 0);
		if (ret)
			snprintf(path, sizeof(path), "node%d nr_hugepages", NODE);
	}
	vmstat_snapshot(&after);
	mcopy_vmstat_read(b);
	provider_stats_read(st);
	vmstat_report_delta(&before, &after, "compact_");
	ktap_diag("%s: %" PRIu64 " of %d huge pages allocated on node%d", label,
		  huge, HUGEPAGES, NODE);
	pattern_mismatch_init(&mm);
	bad = frag_verify(&r, &mm);
	survivors = frag_survivors(&r);
	frag_destroy(&r);

	provider_stats_report(st, label);
	ktap_diag("%s: pgmigrate_success +%" PRIu64 " offload batch +%" PRIu64
		  " folio +%" PRIu64 " fallback +%" PRIu64 ", %zu of %zu survivors bad",
		  label, b->migrated - a->migrated, b->batch - a->batch,
		  b->folio - a->folio, b->fallback - a->fallback, bad,
		  survivors);
	if (ret) {
		ktap_diag("%s: %s: %s", label, path, strerror(-ret));
		return false;
	}
	if (bad) {
		pattern_report(&mm);
		return false;
	}
	return true;
}

/* Mean folios per provider call. */
static double mean_batch(const struct provider_stats *st)
{
	return st->calls ? (double)st->reason_folios[MR_COMPACTION] / st->calls : 0;
}

int main(void)
{
	struct mcopy_vmstat a, b;
	struct provider_stats st;
	double mean32, mean512;
	bool ok;
	int ret;

	ktap_plan(6);

	if (node_count_with_memory() < 2)
		ktap_abort("needs node%d with memory", NODE);
	provider_require_idle();
	ret = provider_load("");
	if (ret)
		ktap_abort("modprobe %s: %s", PROVIDER_MODULE, strerror(-ret));
	if (file_write(MCOPY_SYSCTL_COMPACT_BATCH, "32"))
		ktap_abort("cannot write %s", MCOPY_SYSCTL_COMPACT_BATCH);

	ok = fragment_and_compact("batch 32", &st, &a, &b);
	mean32 = mean_batch(&st);
	ktap_ok(ok, "default_batch_survivors_intact");
	ktap_ok(st.reason_folios[MR_COMPACTION] > 0 && b.folio > a.folio &&
		b.batch > a.batch && st.contract_violations == 0,
		"compaction_offloaded");

	if (file_write(MCOPY_SYSCTL_COMPACT_BATCH, "512"))
		ktap_abort("cannot write %s", MCOPY_SYSCTL_COMPACT_BATCH);
	ok = fragment_and_compact("batch 512", &st, &a, &b);
	mean512 = mean_batch(&st);
	file_write(MCOPY_SYSCTL_COMPACT_BATCH, "32");
	ktap_ok(ok, "large_batch_survivors_intact");
	ktap_ok(st.reason_folios[MR_COMPACTION] > 0 && b.folio > a.folio &&
		st.max_pairs > 32 && st.contract_violations == 0,
		"large_batch_compaction_offloaded");

	/*
	 * Stock compaction already takes the rest of a pageblock in one go
	 * when it rescans it, so batches above 32 exist either way; what the
	 * knob changes is that the first batch of a block is no longer cut at
	 * 32 folios, so the provider gets fewer, larger batches.
	 */
	ktap_diag("mean folios per provider call: %.1f with 32, %.1f with 512",
		  mean32, mean512);
	ktap_ok(mean512 > mean32 * 1.1, "larger_batches_with_512");

	ret = provider_unload();
	if (ret)
		ktap_diag("unloading %s: %s", PROVIDER_MODULE, strerror(-ret));
	ktap_ok(!ret, "provider_unloaded");
	return ktap_finish();
}
