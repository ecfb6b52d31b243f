// SPDX-License-Identifier: GPL-2.0
/*
 * offload-move-thp - move_pages(2) of 2 MiB THPs between nodes is copied by
 * the DSA through dsa_migrate, THPs stay huge, and every byte checks out.
 *
 * lab:test timeout=240 set=default
 *
 * 8 THPs (16 MiB) go node0 -> node1 -> node0, moved by head page.  Each
 * way: every subpage is on the target node, the range is still all
 * AnonHugePages, every byte matches, all 8 folios were copied by DMA with
 * no fallback and no error, bytes_offloaded is 8 x 2 MiB, and the kernel's
 * pgmigrate_offload_* counters agree with the module's.  Out: one 2 MiB
 * descriptor per THP; back: max_seg_bytes=65536 (32 descriptors per THP)
 * and verify=1, which must find no mismatch.
 */
#include <inttypes.h>
#include <string.h>

#include "dsam.h"
#include "file.h"
#include "ktap.h"
#include "mem.h"
#include "pattern.h"

#define NR_THP		8
#define BUF_BYTES	(NR_THP * HPAGE_SIZE_2M)

int main(void)
{
	uint64_t seed = pattern_seed(), huge = 0;
	struct dsam_move m;
	char mode[128];
	int node;
	void *buf;

	ktap_plan(2 * 8);
	if (file_read("/sys/kernel/mm/transparent_hugepage/enabled", mode,
		      sizeof(mode)) || strstr(mode, "[never]"))
		ktap_abort("THP not available");
	dsam_setup_or_abort(NULL);
	buf = dsam_buffer_or_abort(BUF_BYTES, true, 0, seed);
	ktap_diag("seed 0x%016" PRIx64 ", %d THPs", seed, NR_THP);

	for (node = 1; node >= 0; node--) {
		/* The way back in 64 KiB descriptors, with verify=1. */
		if (!node && (dsam_param_set("max_seg_bytes", "65536") ||
			      dsam_param_set("verify", "1")))
			ktap_abort("cannot set max_seg_bytes=65536 verify=1");
		dsam_move_check(buf, BUF_BYTES, HPAGE_SIZE_2M, node, seed,
				"move_thp", &m);
		ktap_ok(dsam_delta(&m.before, &m.after, DSAM_DESCRIPTORS) ==
			(uint64_t)NR_THP * (node ? 1 : HPAGE_SIZE_2M / 65536),
			"descriptors_per_thp_node%d", node);
		huge = 0;
		mem_anon_huge(buf, &huge);
		ktap_ok(huge == BUF_BYTES &&
			mem_on_node(buf, BUF_BYTES, PAGE_SIZE_4K, node),
			"still_thp_every_subpage_on_node%d", node);
		dsam_expect_offload(&m, NR_THP, HPAGE_SIZE_2M, node ?
				    "to_node1" : "to_node0");
	}
	return dsam_finish();
}
