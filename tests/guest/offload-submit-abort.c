// SPDX-License-Identifier: GPL-2.0
/*
 * offload-submit-abort - a descriptor that the driver reports twice, once
 * through its callback and once through a failed submit (what idxd does
 * when ENQCMDS to a shared work queue fails), is counted once: the batch
 * still waits for every other descriptor, and its folio is copied by the
 * CPU.
 *
 * lab:test timeout=180 set=default
 *
 * Our emulated DSA has dedicated work queues only, so the module's test
 * hook (test_abort_submit_every, test builds) plays the driver: every 5th
 * descriptor calls back with DMA_TRANS_ABORTED from inside the submit,
 * then the submit fails.  512 base pages go node0 -> node1 in 4 batches:
 * every page moves, every byte matches, each refused descriptor counts one
 * submit error and one descriptor error, its pair falls back to the CPU,
 * and no completion arrives after its batch stopped waiting
 * (stray_callbacks stays 0; counting the refused descriptor twice let a
 * batch return with a descriptor still in flight, whose completion then
 * arrived unaccounted).  The way back, without the hook, is all by DMA.
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
	const char *args[] = { "min_batch_pages=8", "test_abort_submit_every=5",
			       NULL };
	uint64_t seed = pattern_seed(), refused;
	struct dsam_move m;
	const struct dsam_stats *a = &m.after, *b = &m.before;
	void *buf;

	ktap_plan(2 + 3 + 2 + 4 + 1);
	dsam_setup_or_abort(args);
	buf = dsam_buffer_or_abort(BUF_BYTES, false, 0, seed);

	dsam_move_check(buf, BUF_BYTES, PAGE_SIZE_4K, 1, seed, "move_4k", &m);
	refused = dsam_delta(b, a, DSAM_SUBMIT_ERRORS);
	ktap_ok(refused > 0 &&
		dsam_delta(b, a, DSAM_DESCRIPTOR_ERRORS) == refused,
		"refused_descriptors_counted_once_each");
	ktap_ok(dsam_delta(b, a, DSAM_FOLIOS_FALLBACK) >= refused &&
		dsam_delta(b, a, DSAM_FOLIOS_OFFLOADED) > 0 &&
		dsam_delta(b, a, DSAM_FOLIOS_OFFLOADED) +
		dsam_delta(b, a, DSAM_FOLIOS_FALLBACK) == NPAGES,
		"their_folios_copied_by_cpu");
	ktap_ok(a->v[DSAM_STRAY_CALLBACKS] == 0 &&
		a->v[DSAM_FOLIOS_ABANDONED] == 0,
		"no_completion_after_its_batch");

	if (dsam_param_set("test_abort_submit_every", "0"))
		ktap_abort("cannot clear test_abort_submit_every");
	dsam_move_check(buf, BUF_BYTES, PAGE_SIZE_4K, 0, seed, "move_4k", &m);
	dsam_expect_offload(&m, NPAGES, PAGE_SIZE_4K, "back_without_hook");
	ktap_ok(m.after.v[DSAM_STRAY_CALLBACKS] == 0,
		"no_stray_callback_at_all");
	return dsam_finish();
}
