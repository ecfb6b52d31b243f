// SPDX-License-Identifier: GPL-2.0
/*
 * migrate-demotion - memory tiering: reclaim on a DRAM node demotes cold
 * pages to a slower, CPU-less node (MR_DEMOTION) through the batch copy and
 * dsa_migrate, and they keep every byte.
 *
 * lab:test timeout=600 set=default boot=own karg=lab.machine=tiered
 *
 * The boot's machine (tests/run-guest.sh, lab.machine=tiered) has a third,
 * CPU-less node whose ACPI HMAT latency and bandwidth are worse than the
 * DRAM nodes', so Linux puts it in a lower memory tier.  With
 * /sys/kernel/mm/numa/demotion_enabled, a cold 16 MiB region is made on
 * node0, then node0 is filled (MPOL_BIND) until reclaim has demoted most
 * of the region.  Results: the tiers (node2 below node0), a
 * mm_migrate_copy_batch event with reason=demotion copied by the provider,
 * at least half of the region on node2, every byte of the region and of
 * the filler intact.
 */
#include <errno.h>
#include <inttypes.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "clock.h"
#include "dsam.h"
#include "file.h"
#include "ktap.h"
#include "mcopy.h"
#include "mem.h"
#include "node.h"
#include "pattern.h"
#include "proc.h"

#define TIERS_SYS	"/sys/devices/virtual/memory_tiering"
#define DEMOTION_KNOB	"/sys/kernel/mm/numa/demotion_enabled"
#define COLD_BYTES	(16UL << 20)
#define STEP_BYTES	(16UL << 20)
#define SLOW_NODE	2

/* The memory tier holding @node (its memory_tierN), or -1. */
static int node_tier(int node)
{
	char path[128], list[64];
	int tier;

	for (tier = 0; tier < 64; tier++) {
		int lo, hi;
		char *p;

		snprintf(path, sizeof(path), TIERS_SYS "/memory_tier%d/nodelist",
			 tier);
		if (file_read(path, list, sizeof(list)))
			continue;
		ktap_diag("memory_tier%d: nodes %s", tier, list);
		for (p = strtok(list, ","); p; p = strtok(NULL, ",")) {
			if (sscanf(p, "%d-%d", &lo, &hi) == 2 ? node >= lo && node <= hi :
			    atoi(p) == node)
				return tier;
		}
	}
	return -1;
}

static long on_node(const void *buf, size_t len, int node)
{
	long counts[LAB_MAX_NODES], other;

	return mem_pages_per_node(buf, len, PAGE_SIZE_4K, counts, &other) > 0 ?
	       counts[node] : -1;
}

int main(void)
{
	const char *args[] = { "min_batch_pages=1", NULL };
	uint64_t seed = pattern_seed(), total = 0, t0;
	struct mcopy_evidence e;
	size_t filled = 0, max;
	int tier0, tier2;
	char *cold, *fill;
	long demoted = 0;

	ktap_plan(5);
	if (node_count_with_memory() < 3 || node_first_cpu(SLOW_NODE) >= 0)
		ktap_abort("needs a CPU-less node%d (boot with lab.machine=tiered)",
			   SLOW_NODE);
	tier0 = node_tier(0);
	tier2 = node_tier(SLOW_NODE);
	ktap_ok(tier0 >= 0 && tier2 > tier0, "node%d_in_a_lower_tier", SLOW_NODE);
	if (file_write(DEMOTION_KNOB, "1"))
		ktap_abort("cannot write %s", DEMOTION_KNOB);
	dsam_setup_or_abort(args);
	if (mcopy_trace_enable(true))
		ktap_abort("cannot trace the batch copy");

	cold = mem_map_aligned(COLD_BYTES, HPAGE_SIZE_2M);
	node_mem_total(0, &total);
	max = total & ~(STEP_BYTES - 1);
	fill = mmap(NULL, max, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!cold || fill == MAP_FAILED)
		ktap_abort("mmap: %s", strerror(errno));
	madvise(cold, COLD_BYTES, MADV_NOHUGEPAGE);
	madvise(fill, max, MADV_NOHUGEPAGE);
	if (mem_bind(cold, COLD_BYTES, 0) || mem_bind(fill, max, 0))
		ktap_abort("mbind node0: %s", strerror(errno));
	pattern_fill(cold, COLD_BYTES, seed);

	/* node0 fills up; its reclaim demotes the oldest pages first */
	proc_oom_score_adj(-1000);
	for (t0 = clock_ns(); filled + STEP_BYTES <= max; filled += STEP_BYTES) {
		pattern_fill(fill + filled, STEP_BYTES, seed);
		demoted = on_node(cold, COLD_BYTES, SLOW_NODE);
		if (demoted * 10 >= (long)(COLD_BYTES / PAGE_SIZE_4K) * 9)
			break;
	}
	filled += STEP_BYTES;
	ktap_diag("%zu MiB of node0 filled in %.1f s: %ld of %lu cold pages on node%d, %ld filler pages there",
		  filled >> 20, (clock_ns() - t0) / 1e9, demoted,
		  COLD_BYTES / PAGE_SIZE_4K, SLOW_NODE,
		  on_node(fill, filled > max ? max : filled, SLOW_NODE));

	if (mcopy_trace_evidence("demotion", &e))
		ktap_diag("cannot read the trace buffer");
	ktap_diag("demotion: %ld batch events, %ld copied by the provider (%" PRIu64
		  " folios), %ld declined by it (last result %d), %ld CPU batch copies",
		  e.events, e.by_provider, e.folios, e.declined, e.last_decline,
		  e.cpu);
	ktap_ok(e.by_provider > 0, "demotion_reached_provider");
	ktap_ok(demoted * 2 >= (long)(COLD_BYTES / PAGE_SIZE_4K), "demotion_moved");
	pattern_verify_ok(cold, COLD_BYTES, seed, "demotion_intact");
	pattern_verify_ok(fill, filled > max ? max : filled, seed,
			  "filler_intact");

	munmap(fill, max);
	munmap(cold, COLD_BYTES);
	mcopy_trace_enable(false);
	file_write(DEMOTION_KNOB, "0");
	return dsam_finish();
}
