// SPDX-License-Identifier: GPL-2.0
/*
 * dsa-dmatest - the kernel's dmatest passes on the emulated DSA's channel.
 *
 * lab:test timeout=900 set=default
 *
 * Configures dsa0/wq0.0 as a dedicated kernel WQ through sysfs only
 * (dsa-setup.sh), then runs dmatest with data verification at 4 KiB,
 * 64 KiB and 2 MiB (whole-buffer copies).  Each size must report every
 * test and 0 failures, and the device's own descriptor counter (debug page)
 * must have grown by at least the number of copies, proving the device -
 * not a CPU fallback - moved the data.  Needs DSA=1.
 */
#include <inttypes.h>
#include <stdio.h>

#include "dsa.h"
#include "ktap.h"

static const struct {
	unsigned int size;
	unsigned int iterations;
	const char *name;
} sizes[] = {
	{ 4096, 200, "4k" },
	{ 65536, 100, "64k" },
	{ 2 << 20, 20, "2m" },
};

int main(void)
{
	struct dsa_dbg dbg;
	char chan[64];
	int ret;

	ktap_plan(1 + 3 * 3);
	ret = dsa_setup(chan, sizeof(chan), NULL);
	if (!ktap_ok(!ret, "setup_dedicated_kernel_wq"))
		ktap_abort("dsa-setup.sh failed (%d): boot with DSA=1", ret);
	ktap_diag("channel %s", chan);
	dsa_dbg_open_or_abort(&dbg);

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t before = dsa_dbg_read64(&dbg, DSA_DBG_DESCS), done;
		struct dmatest_result r;

		ret = dsa_dmatest(chan, sizes[i].size, sizes[i].iterations,
				  1, 20000, true, &r);
		done = dsa_dbg_read64(&dbg, DSA_DBG_DESCS) - before;
		if (!ktap_ok(!ret && r.found == 1 &&
			     r.tests == sizes[i].iterations,
			     "dmatest_%s_ran_all", sizes[i].name))
			ktap_diag("ret %d, %d summaries, %u of %u tests", ret,
				  r.found, r.tests, sizes[i].iterations);
		if (!ktap_ok(r.found && !r.failures, "dmatest_%s_no_failures",
			     sizes[i].name))
			ktap_diag("%u failures", r.failures);
		if (!ktap_ok(done >= sizes[i].iterations,
			     "dmatest_%s_done_by_device", sizes[i].name))
			ktap_diag("device counted %" PRIu64 " descriptors",
				  done);
		ktap_diag("result size=%u copies=%u failures=%u dmatest_kbps=%"
			  PRIu64 " wall_ms=%" PRIu64 " device_descs=%" PRIu64,
			  sizes[i].size, r.tests, r.failures, r.kbps,
			  r.ns / 1000000, done);
	}
	dsa_dbg_close(&dbg);
	/* Release the channel: later tests of the same boot want it. */
	dsa_dmatest_unload();
	return ktap_finish();
}
