// SPDX-License-Identifier: GPL-2.0
/*
 * offload-small-batch - a batch below min_batch_pages is declined by
 * dsa_migrate, copied by the CPU, and still correct; the same pages in a
 * batch above the threshold are offloaded.
 *
 * lab:test timeout=120 set=default
 *
 * 16 base pages (< the default min_batch_pages of 32) go node0 -> node1:
 * batches_declined_small rises, no folio is copied by DMA, every byte
 * matches.  With min_batch_pages=8 the same 16 pages go back and are
 * copied by DMA.
 */
#include <inttypes.h>

#include "dsam.h"
#include "ktap.h"
#include "mem.h"
#include "pattern.h"

#define NPAGES		16
#define BUF_BYTES	(NPAGES * PAGE_SIZE_4K)

int main(void)
{
	uint64_t seed = pattern_seed();
	struct dsam_move m;
	char val[32];
	void *buf;

	ktap_plan(3 + 6);
	dsam_setup_or_abort(NULL);
	if (dsam_param_get("min_batch_pages", val, sizeof(val)))
		ktap_abort("cannot read min_batch_pages");
	ktap_diag("min_batch_pages=%s, batch of %d pages", val, NPAGES);
	buf = dsam_buffer_or_abort(BUF_BYTES, false, 0, seed);

	dsam_move_check(buf, BUF_BYTES, PAGE_SIZE_4K, 1, seed, "small", &m);
	ktap_ok(dsam_delta(&m.before, &m.after, DSAM_BATCHES_DECLINED_SMALL) >= 1 &&
		dsam_delta(&m.before, &m.after, DSAM_FOLIOS_OFFLOADED) == 0 &&
		dsam_delta(&m.before, &m.after, DSAM_DESCRIPTORS) == 0 &&
		m.vm_folio == 0,
		"small_batch_declined_not_offloaded");

	if (dsam_param_set("min_batch_pages", "8"))
		ktap_abort("cannot set min_batch_pages=8");
	dsam_move_check(buf, BUF_BYTES, PAGE_SIZE_4K, 0, seed, "lowered", &m);
	dsam_expect_offload(&m, NPAGES, PAGE_SIZE_4K, "lowered_threshold");
	dsam_param_set("min_batch_pages", "32");
	return dsam_finish();
}
