// SPDX-License-Identifier: GPL-2.0
/*
 * move-pages-4k - move_pages(2) moves 4 KiB anonymous pages between nodes
 * without losing a byte.
 *
 * lab:test timeout=120 set=default
 *
 * 16 MiB of base pages (THP disabled on the range) are placed on node 0 and
 * filled with the per-page pattern, moved to node 1 and back.  After each
 * move: every status entry names the target node, a status query puts
 * every page there, every byte matches, and pgmigrate_success grew by at
 * least the number of pages.  A move to a node without memory must fail
 * with ENODEV.
 */
#include <errno.h>
#include <inttypes.h>
#include <numaif.h>
#include <string.h>
#include <sys/mman.h>

#include "clock.h"
#include "ktap.h"
#include "mem.h"
#include "node.h"
#include "pattern.h"
#include "vmstat.h"

#define BUF_BYTES	(16UL << 20)
#define NPAGES		(BUF_BYTES / PAGE_SIZE_4K)

static void move_and_check(void *buf, int node, uint64_t seed)
{
	static struct vmstat_snap snap[2];
	struct vmstat_snap *before = &snap[0], *after = &snap[1];
	struct pattern_mismatch mm;
	uint64_t t0, migrated;
	long bad;

	if (vmstat_snapshot(before))
		ktap_abort("cannot snapshot /proc/vmstat");
	t0 = clock_ns();
	bad = mem_move(buf, BUF_BYTES, PAGE_SIZE_4K, node);
	ktap_diag("moved %lu pages to node%d in %" PRIu64 " ms", NPAGES, node,
		  (clock_ns() - t0) / 1000000);
	if (bad < 0)
		ktap_diag("move_pages: %s", strerror(-bad));
	ktap_ok(bad == 0, "move_to_node%d_status", node);
	ktap_ok(mem_on_node(buf, BUF_BYTES, PAGE_SIZE_4K, node),
		"query_all_on_node%d", node);

	pattern_mismatch_init(&mm);
	pattern_verify(buf, BUF_BYTES, seed, &mm);
	pattern_report(&mm);
	ktap_ok(mm.bad_pages == 0, "contents_intact_on_node%d", node);

	if (vmstat_snapshot(after))
		ktap_abort("cannot snapshot /proc/vmstat");
	migrated = vmstat_delta(before, after, "pgmigrate_success");
	ktap_diag("pgmigrate_success +%" PRIu64, migrated);
	ktap_ok(migrated >= NPAGES, "pgmigrate_success_counts_node%d", node);
}

int main(void)
{
	int nodes, bogus[1], status[1] = { 0 };
	uint64_t seed = pattern_seed();
	void *buf, *one[1];
	long ret;

	ktap_plan(10);
	nodes = node_count_with_memory();
	if (nodes < 2)
		ktap_abort("needs 2 nodes with memory, found %d", nodes);

	buf = mem_map_aligned(BUF_BYTES, HPAGE_SIZE_2M);
	if (!buf)
		ktap_abort("mmap %lu bytes failed", BUF_BYTES);
	if (madvise(buf, BUF_BYTES, MADV_NOHUGEPAGE))
		ktap_abort("MADV_NOHUGEPAGE: %s", strerror(errno));
	ret = mem_bind(buf, BUF_BYTES, 0);
	if (ret)
		ktap_abort("mbind node0: %s", strerror(-ret));
	pattern_fill(buf, BUF_BYTES, seed);
	ktap_diag("seed 0x%016" PRIx64 ", %lu pages", seed, NPAGES);
	ktap_ok(mem_on_node(buf, BUF_BYTES, PAGE_SIZE_4K, 0),
		"filled_on_node0");

	move_and_check(buf, 1, seed);
	move_and_check(buf, 0, seed);

	/* A node without memory (or not online) is refused as a whole. */
	one[0] = buf;
	bogus[0] = nodes;
	ret = move_pages(0, 1, one, bogus, status, MPOL_MF_MOVE);
	ktap_diag("move_pages to node%d: ret %ld errno %s", nodes, ret,
		  ret ? strerror(errno) : "none");
	ktap_ok(ret == -1 && errno == ENODEV, "rejects_node_without_memory");

	return ktap_finish();
}
