// SPDX-License-Identifier: GPL-2.0
/*
 * offload-fault - with the emulated DSA failing every 10th descriptor,
 * dsa_migrate lets the CPU copy exactly the folios whose descriptor
 * failed: no byte is lost, folios_fallback > 0, and every fault the
 * device injected is counted as a descriptor error.
 *
 * lab:test timeout=240 set=default
 *
 * 512 x 4 KiB pages go node0 -> node1 -> node0 with fault_every=10 on the
 * device's debug page (error completion status), then node0 -> node1 once
 * more with injection off, which must be clean again.
 */
#include <inttypes.h>
#include <string.h>

#include "dsa.h"
#include "dsam.h"
#include "ktap.h"
#include "mem.h"
#include "pattern.h"

#define NPAGES		512
#define BUF_BYTES	(NPAGES * PAGE_SIZE_4K)
#define FAULT_EVERY	10

int main(void)
{
	uint64_t seed = pattern_seed(), faults0, faults;
	struct dsam_sums sum = { 0 };
	struct dsam_move m;
	struct dsa_dbg dbg;
	void *buf;

	ktap_plan(1 + 2 * 2 + 4 + 6);
	dsam_setup_or_abort(NULL);
	dsa_dbg_open_or_abort(&dbg);
	buf = dsam_buffer_or_abort(BUF_BYTES, false, 0, seed);

	faults0 = dsa_dbg_read64(&dbg, DSA_DBG_FAULTS);
	dsa_dbg_write32(&dbg, DSA_DBG_FAULT_EVERY, FAULT_EVERY);
	ktap_diag("emulated DSA at %s", dbg.bdf);
	ktap_ok(dsa_dbg_read32(&dbg, DSA_DBG_FAULT_EVERY) == FAULT_EVERY,
		"fault_every_%d_armed", FAULT_EVERY);

	dsam_roundtrip(buf, BUF_BYTES, PAGE_SIZE_4K, seed, "faulty", &sum);
	dsa_dbg_write32(&dbg, DSA_DBG_FAULT_EVERY, 0);
	faults = dsa_dbg_read64(&dbg, DSA_DBG_FAULTS) - faults0;

	ktap_diag("device injected %" PRIu64 " faults; module: descriptor_errors %"
		  PRIu64 " folios_fallback %" PRIu64 " folios_offloaded %" PRIu64
		  " batches_failed %" PRIu64, faults, sum.errors, sum.fallback,
		  sum.offloaded, sum.failed_batches);
	ktap_ok(faults > 0 && sum.errors == faults,
		"every_injected_fault_is_a_descriptor_error");
	ktap_ok(sum.fallback > 0 && sum.fallback >= sum.errors,
		"failed_folios_fell_back_to_cpu");
	ktap_ok(sum.offloaded > 0 && sum.offloaded + sum.fallback >= 2 * NPAGES &&
		sum.vm_folio == sum.offloaded, "the_others_were_offloaded");
	ktap_ok(sum.failed_batches > 0, "batches_with_fallback_counted");

	/* Injection off: clean again. */
	dsam_move_check(buf, BUF_BYTES, PAGE_SIZE_4K, 1, seed, "clean", &m);
	dsam_expect_offload(&m, NPAGES, PAGE_SIZE_4K, "after_disarm");
	dsa_dbg_close(&dbg);
	return dsam_finish();
}
