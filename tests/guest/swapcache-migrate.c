// SPDX-License-Identifier: GPL-2.0
/*
 * swapcache-migrate - swap-cache folios keep their swap entry across a
 * batch-copied migration, including the low slots of the first swap device.
 *
 * lab:test timeout=300 set=default boot=swap
 *
 * 64 pages are paged out to a fresh zram swap (type 0, slots from 1 up,
 * slot 4 among them), a child keeps a second reference on every entry and
 * the pages are read back, so each is a swap-cache folio (zram skips the
 * swap cache for entries with one reference).  The pages then go
 * node0 -> node1 -> node0 by move_pages(2) in three modes: stock migration,
 * the CPU batch copy (vm.migrate_batch_copy=1) and the dsa_migrate
 * offload.  After each way: every page on its node, still in the swap
 * cache, every byte intact.  Then the pages are paged out again, read
 * back, the child goes, swap is turned off, and every byte is checked
 * after each step.  A migration that loses a folio's swap entry (the
 * "already copied" mark once aliased swap entry 4) corrupts the swap cache
 * here and the next page-out hangs or the bytes come back wrong.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>

#include "dsam.h"
#include "kpage.h"
#include "ktap.h"
#include "mcopy.h"
#include "mem.h"
#include "node.h"
#include "pattern.h"
#include "swap.h"

#define NPAGES		64
#define BUF_BYTES	(NPAGES * PAGE_SIZE_4K)
/*
 * One swap cluster (512 slots): the allocator fills free clusters first and
 * the first cluster, which holds the header in slot 0, only when none is
 * left, so a larger device would not hand out the low slots at all.
 */
#define SWAP_BYTES	(2ULL << 20)
#define LOW_SLOT	4	/* swap entry value 4 = type 0, offset 4 */

enum mode { MODE_STOCK, MODE_CPU_BATCH, MODE_DSA, NR_MODES };
static const char *const mode_names[NR_MODES] = {
	"stock", "cpu_batch", "dsa",
};

#define CHECKS_PER_MODE	14

static uint64_t seed;

/* Pages of @buf in the swap cache. */
static long in_swap_cache(void *buf)
{
	return kpage_count(buf, BUF_BYTES, KPF_SWAPCACHE);
}

/* After page-out: did the entries land on type 0 and include LOW_SLOT? */
static bool low_slot_used(void *buf)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	struct kpage_info pi;
	bool low = false;
	size_t off;

	for (off = 0; off < BUF_BYTES; off += PAGE_SIZE_4K) {
		if (kpage_info((char *)buf + off, &pi) || !pi.swapped ||
		    pi.swap_type != 0)
			continue;
		low |= pi.swap_offset == LOW_SLOT;
		lo = pi.swap_offset < lo ? pi.swap_offset : lo;
		hi = pi.swap_offset > hi ? pi.swap_offset : hi;
	}
	ktap_diag("swap slots %" PRIu64 "..%" PRIu64 " of type 0", lo, hi);
	return low;
}

static void mode_enter(enum mode mode)
{
	switch (mode) {
	case MODE_STOCK:
		break;
	case MODE_CPU_BATCH:
		if (mcopy_cpu_batch(true))
			ktap_abort("cannot set %s or trace the batch copy",
				   MCOPY_SYSCTL_BATCH_COPY);
		break;
	case MODE_DSA: {
		const char *args[] = { "min_batch_pages=8", NULL };

		dsam_setup_or_abort(args);
		break;
	}
	default:
		break;
	}
}

static void mode_leave(enum mode mode)
{
	if (mode == MODE_CPU_BATCH)
		mcopy_cpu_batch(false);
	if (mode == MODE_DSA && dsam_unload())
		ktap_diag("cannot unload %s", DSAM_MODULE);
}

static void run_mode(enum mode mode)
{
	const char *name = mode_names[mode];
	struct dsam_stats before = { 0 }, after = { 0 };
	struct mcopy_vmstat v0, v1;
	long present, cached;
	int ret, node;
	pid_t child;
	void *buf;

	ret = swap_zram_on(SWAP_BYTES);
	if (ret)
		ktap_abort("zram swap: %s", strerror(-ret));
	buf = mem_map_aligned(BUF_BYTES, 2UL << 20);
	if (!buf)
		ktap_abort("mmap: %s", strerror(errno));
	madvise(buf, BUF_BYTES, MADV_NOHUGEPAGE);
	if (mem_bind(buf, BUF_BYTES, 0))
		ktap_abort("mbind node0: %s", strerror(errno));
	pattern_fill(buf, BUF_BYTES, seed);

	present = swap_out(buf, BUF_BYTES);
	ktap_ok(present == 0 && low_slot_used(buf),
		"%s_paged_out_to_low_slots", name);
	if (present)
		ktap_diag("%ld of %d pages still present after MADV_PAGEOUT",
			  present, NPAGES);
	child = swap_cache_populate(buf, BUF_BYTES);
	if (child < 0)
		ktap_abort("fork: %s", strerror(-child));
	cached = in_swap_cache(buf);
	ktap_ok(cached == NPAGES, "%s_swap_cache_folios", name);
	if (cached != NPAGES)
		ktap_diag("%ld of %d pages in the swap cache", cached, NPAGES);

	mode_enter(mode);
	if (mcopy_vmstat_read(&v0))
		ktap_abort("cannot read the pgmigrate_* counters");
	dsam_stats_read(&before);
	for (node = 1; node >= 0; node--) {
		long bad = mem_move(buf, BUF_BYTES, PAGE_SIZE_4K, node);

		ktap_ok(!bad, "%s_moved_to_node%d", name, node);
		cached = in_swap_cache(buf);
		ktap_ok(cached == NPAGES, "%s_still_in_swap_cache_on_node%d",
			name, node);
		if (cached != NPAGES)
			ktap_diag("%ld of %d pages in the swap cache", cached,
				  NPAGES);
		pattern_verify_ok(buf, BUF_BYTES, seed, "%s_intact_on_node%d",
				  name, node);
	}
	if (mcopy_vmstat_read(&v1))
		ktap_abort("cannot read the pgmigrate_* counters");
	dsam_stats_read(&after);
	/* Each way moves NPAGES folios; the counters prove the path ran. */
	if (mode == MODE_STOCK)
		ktap_ok(v1.folio == v0.folio && v1.batch == v0.batch,
			"%s_no_batch_copy", name);
	else if (mode == MODE_CPU_BATCH)
		ktap_ok(mcopy_trace_count("copier=cpu") >= 2 &&
			mcopy_trace_count("nr_copied=0 ") == 0,
			"%s_batch_copy_ran", name);
	else
		ktap_ok(dsam_delta(&before, &after, DSAM_FOLIOS_OFFLOADED) ==
			2 * NPAGES, "%s_every_folio_by_dma", name);
	ktap_diag("%s: pgmigrate_success +%" PRIu64 ", offload_folio +%" PRIu64
		  ", dsa folios +%" PRIu64, name, v1.migrated - v0.migrated,
		  v1.folio - v0.folio,
		  dsam_delta(&before, &after, DSAM_FOLIOS_OFFLOADED));
	mode_leave(mode);

	/* The swap cache must still be consistent: page out, read back. */
	present = swap_out(buf, BUF_BYTES);
	ktap_ok(present == 0, "%s_paged_out_again", name);
	pattern_verify_ok(buf, BUF_BYTES, seed, "%s_intact_after_second_swap_in",
			  name);
	ktap_ok(!swap_child_end(child), "%s_child_gone", name);
	ret = swap_zram_off();
	ktap_ok(!ret, "%s_swapoff", name);
	if (ret)
		ktap_abort("swapoff: %s", strerror(-ret));
	pattern_verify_ok(buf, BUF_BYTES, seed, "%s_intact_after_swapoff", name);
	munmap(buf, BUF_BYTES);
}

int main(void)
{
	enum mode mode;

	ktap_plan(NR_MODES * CHECKS_PER_MODE);
	if (node_count_with_memory() < 2)
		ktap_abort("needs 2 nodes with memory");
	if (swap_devices())
		ktap_abort("a swap device is already active: the low slots of type 0 must be ours");
	seed = pattern_seed();
	ktap_diag("seed 0x%016" PRIx64 ", %d pages, zram swap %llu KiB", seed,
		  NPAGES, SWAP_BYTES >> 10);
	for (mode = 0; mode < NR_MODES; mode++)
		run_mode(mode);
	return dsam_finish();
}
