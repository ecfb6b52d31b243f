// SPDX-License-Identifier: GPL-2.0
/*
 * offload-move-4k - move_pages(2) of 512 base pages between nodes is
 * copied by the DSA through dsa_migrate, and every byte checks out.
 *
 * lab:test timeout=180 set=default
 *
 * With the emulated DSA configured and the module loaded with its
 * defaults, 512 x 4 KiB pages go node0 -> node1 -> node0.  Each way: every
 * page is on the target node, every byte matches its pattern, at least 512
 * folios were copied by DMA with no fallback and no error, the byte
 * counter matches, and the kernel's pgmigrate_offload_* counters agree
 * with the module's.  The way back runs with verify=1, which must find
 * no mismatch.
 */
#include <inttypes.h>

#include "dsam.h"
#include "ktap.h"
#include "mem.h"
#include "pattern.h"

#define NPAGES		512
#define BUF_BYTES	(NPAGES * PAGE_SIZE_4K)

int main(void)
{
	uint64_t seed = pattern_seed();
	struct dsam_move m;
	int node;
	void *buf;

	ktap_plan(2 * 6);
	dsam_setup_or_abort(NULL);
	buf = dsam_buffer_or_abort(BUF_BYTES, false, 0, seed);
	ktap_diag("seed 0x%016" PRIx64 ", %d pages", seed, NPAGES);

	for (node = 1; node >= 0; node--) {
		/* The way back with verify=1: no false mismatch. */
		if (!node && dsam_param_set("verify", "1"))
			ktap_abort("cannot set verify=1");
		dsam_move_check(buf, BUF_BYTES, PAGE_SIZE_4K, node, seed,
				"move_4k", &m);
		dsam_expect_offload(&m, NPAGES, PAGE_SIZE_4K, node ?
				    "to_node1" : "to_node0");
	}
	return dsam_finish();
}
