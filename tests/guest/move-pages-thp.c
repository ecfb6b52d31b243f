// SPDX-License-Identifier: GPL-2.0
/*
 * move-pages-thp - move_pages(2) moves 2 MiB anonymous THPs between nodes
 * as THPs, without losing a byte.
 *
 * lab:test timeout=120 set=default
 *
 * 16 MiB of MADV_HUGEPAGE memory is faulted in on node 0 and must be fully
 * THP-backed (AnonHugePages in /proc/self/smaps).  It is filled with the
 * per-page pattern, moved to node 1 and back by passing the head page of
 * each THP.  After each move: every status entry names the target node,
 * every 4 KiB subpage is there, the range is still fully THP-backed (the
 * folio migrated whole, not split), every byte matches, and
 * thp_migration_success grew by the number of THPs.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "clock.h"
#include "file.h"
#include "ktap.h"
#include "mem.h"
#include "node.h"
#include "pattern.h"
#include "vmstat.h"

#define NR_THP		8
#define BUF_BYTES	(NR_THP * HPAGE_SIZE_2M)

static bool fully_thp(void *buf)
{
	uint64_t huge = 0;
	int ret;

	ret = mem_anon_huge(buf, &huge);
	if (ret) {
		ktap_diag("smaps AnonHugePages: %s", strerror(-ret));
		return false;
	}
	if (huge != BUF_BYTES)
		ktap_diag("AnonHugePages %" PRIu64 " KiB of %lu KiB",
			  huge >> 10, BUF_BYTES >> 10);
	return huge == BUF_BYTES;
}

static void move_and_check(void *buf, int node, uint64_t seed)
{
	static struct vmstat_snap snap[2];
	struct pattern_mismatch mm;
	uint64_t t0, thps, pages;
	long bad;

	if (vmstat_snapshot(&snap[0]))
		ktap_abort("cannot snapshot /proc/vmstat");
	t0 = clock_ns();
	bad = mem_move(buf, BUF_BYTES, HPAGE_SIZE_2M, node);
	ktap_diag("moved %d THPs to node%d in %" PRIu64 " ms", NR_THP, node,
		  (clock_ns() - t0) / 1000000);
	if (bad < 0)
		ktap_diag("move_pages: %s", strerror(-bad));
	ktap_ok(bad == 0, "move_to_node%d_status", node);
	ktap_ok(mem_on_node(buf, BUF_BYTES, PAGE_SIZE_4K, node),
		"every_subpage_on_node%d", node);
	ktap_ok(fully_thp(buf), "still_thp_on_node%d", node);

	pattern_mismatch_init(&mm);
	pattern_verify(buf, BUF_BYTES, seed, &mm);
	pattern_report(&mm);
	ktap_ok(mm.bad_pages == 0, "contents_intact_on_node%d", node);

	if (vmstat_snapshot(&snap[1]))
		ktap_abort("cannot snapshot /proc/vmstat");
	thps = vmstat_delta(&snap[0], &snap[1], "thp_migration_success");
	pages = vmstat_delta(&snap[0], &snap[1], "pgmigrate_success");
	ktap_diag("thp_migration_success +%" PRIu64 " pgmigrate_success +%" PRIu64
		  " thp_migration_split +%" PRIu64, thps, pages,
		  vmstat_delta(&snap[0], &snap[1], "thp_migration_split"));
	ktap_ok(thps >= NR_THP && pages >= BUF_BYTES / PAGE_SIZE_4K,
		"thp_migration_counted_node%d", node);
}

int main(void)
{
	uint64_t seed = pattern_seed();
	char mode[128];
	void *buf;
	int nodes, ret;

	ktap_plan(11);
	nodes = node_count_with_memory();
	if (nodes < 2)
		ktap_abort("needs 2 nodes with memory, found %d", nodes);
	ret = file_read("/sys/kernel/mm/transparent_hugepage/enabled", mode,
			sizeof(mode));
	if (ret)
		ktap_abort("no THP support (transparent_hugepage/enabled: %s)",
			   strerror(-ret));
	ktap_diag("THP enabled: %s", mode);
	if (strstr(mode, "[never]"))
		ktap_abort("THP is disabled ([never])");

	buf = mem_map_aligned(BUF_BYTES, HPAGE_SIZE_2M);
	if (!buf)
		ktap_abort("mmap %lu bytes failed", BUF_BYTES);
	if (madvise(buf, BUF_BYTES, MADV_HUGEPAGE))
		ktap_abort("MADV_HUGEPAGE: %s%s", strerror(errno),
			   errno == ENOSYS ?
			   " (kernel built without CONFIG_ADVISE_SYSCALLS)" : "");
	ret = mem_bind(buf, BUF_BYTES, 0);
	if (ret)
		ktap_abort("mbind node0: %s", strerror(-ret));
	pattern_fill(buf, BUF_BYTES, seed);
	ktap_diag("seed 0x%016" PRIx64 ", %d THPs", seed, NR_THP);
	ktap_ok(fully_thp(buf) &&
		mem_on_node(buf, BUF_BYTES, PAGE_SIZE_4K, 0),
		"filled_thp_on_node0");

	move_and_check(buf, 1, seed);
	move_and_check(buf, 0, seed);
	return ktap_finish();
}
