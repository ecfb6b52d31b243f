// SPDX-License-Identifier: GPL-2.0
/*
 * dsa-fault - injected device errors reach dmatest as failures, exactly as
 * many as injected, and nothing else breaks.
 *
 * lab:test timeout=900 set=default
 *
 * Uses the emulated DSA's debug page (BAR0 + 0x8000, see dsam.h) to change
 * fault injection at run time.  Checks: with every 4th descriptor failing
 * with a page fault, dmatest reports exactly iterations/4 failures and the
 * device counts as many injected faults; with every 2nd failing with a
 * hardware error, iterations/2; with injection off again, 0 failures.
 *
 * Halting is tested by the qtest (halt, then FLR) and offload-halt, not
 * here: idxd 6.12.117 does not survive tearing down a halted device (reset
 * type FLR: its halt handler and the unbind both kill the WQ percpu_ref,
 * WARN then a hung unbind; type software: its failed reinit leaves WQ state
 * that oopses in idxd_wq_disable_cleanup on unbind), and every later test
 * shares this boot.  Needs DSA=1.
 */
#include <inttypes.h>
#include <stdio.h>

#include "dsam.h"
#include "dsatest.h"
#include "ktap.h"

#define COPIES		40
#define PAGE_FAULT	0x03
#define HW_ERROR	0x20

static void dmatest_expect(const char *chan, unsigned int failures,
			   const char *name)
{
	struct dmatest_result r;
	int ret;

	ret = dsat_dmatest(chan, 4096, COPIES, 1, 5000, true, &r);
	if (!ktap_ok(!ret && r.found == 1 && r.tests == COPIES &&
		     r.failures == failures, "%s", name))
		ktap_diag("ret %d, %d summaries, %u tests, %u failures "
			  "(want %u of %u)", ret, r.found, r.tests, r.failures,
			  failures, COPIES);
}

static void inject(struct dsa_dbg *dbg, const char *chan, uint32_t status,
		   uint32_t every, const char *name)
{
	uint64_t faults = dsa_dbg_read64(dbg, DSA_DBG_FAULTS);
	char label[64];

	dsa_dbg_write32(dbg, DSA_DBG_FAULT_STATUS, status);
	dsa_dbg_write32(dbg, DSA_DBG_FAULT_EVERY, every);
	dmatest_expect(chan, COPIES / every, name);
	faults = dsa_dbg_read64(dbg, DSA_DBG_FAULTS) - faults;
	snprintf(label, sizeof(label), "%s_counted_by_device", name);
	if (!ktap_ok(faults == COPIES / every, "%s", label))
		ktap_diag("device injected %" PRIu64 ", want %u", faults,
			  COPIES / every);
	dsa_dbg_write32(dbg, DSA_DBG_FAULT_EVERY, 0);
}

int main(void)
{
	struct dsa_dbg dbg;
	char chan[64];

	ktap_plan(5);
	dsat_setup_or_abort(chan, sizeof(chan), NULL);
	dsa_dbg_open_or_abort(&dbg);

	inject(&dbg, chan, PAGE_FAULT, 4, "page_faults_reported");
	inject(&dbg, chan, HW_ERROR, 2, "hw_errors_reported");
	dmatest_expect(chan, 0, "clean_after_injection_off");
	dsa_dbg_close(&dbg);
	/* Release the channel: later tests of the same boot want it. */
	dsat_dmatest_unload();
	return ktap_finish();
}
