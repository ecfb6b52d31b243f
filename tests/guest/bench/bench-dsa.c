// SPDX-License-Identifier: GPL-2.0
/*
 * bench-dsa - copy throughput of the emulated DSA, measured by dmatest.
 *
 * lab:test timeout=1200 set=extra
 *
 * dmatest without verification (the copies alone: submit, device copy,
 * completion), THREADS threads on the dsa-setup channel (ENGINES engines
 * in its group) so that the WQ never runs dry, at 4 KiB, 64 KiB and 2 MiB.
 * Each
 * size must run every copy with no failure; its throughput (all copies'
 * bytes over the run's wall time) is printed as a
 * "bench-dsa size=<bytes> copies=<n> kbps=<KiB/s> threads=<n>" diagnostic that
 * 'make bench-dsa' sets against host memcpy measured in the same run.
 * Needs DSA=1.
 */
#include <inttypes.h>
#include <stdio.h>

#include "dsa.h"
#include "ktap.h"

#define THREADS		4
/*
 * One engine: on a 2-CPU host more engine threads take CPU time from the
 * vCPU that submits the work (measured at 2 MiB: 1 engine 0.76 of memcpy,
 * 4 engines 0.21).
 */
#define ENGINES		"1"

static const struct {
	unsigned int size;
	unsigned int copies;
} runs[] = {
	{ 4096, 1000 },
	{ 65536, 500 },
	{ 2 << 20, 250 },
};

int main(void)
{
	char chan[64];
	int ret;

	ktap_plan(3);
	dsa_setup_or_abort(chan, sizeof(chan), ENGINES);
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		struct dmatest_result r;
		uint64_t kibps;

		ret = dsa_dmatest(chan, runs[i].size, runs[i].copies, THREADS,
				  20000, false, &r);
		if (!ktap_ok(!ret && r.found == THREADS &&
			     r.tests == THREADS * runs[i].copies && !r.failures,
			     "copies_%u", runs[i].size))
			ktap_diag("ret %d, %u tests, %u failures", ret, r.tests,
				  r.failures);
		/* All threads' bytes over the wall time of the whole run */
		kibps = r.ns ? (uint64_t)((double)r.tests * runs[i].size /
					  1024 / (r.ns / 1e9)) : 0;
		ktap_diag("bench-dsa size=%u copies=%u kbps=%" PRIu64
			  " threads=%u wall_ms=%" PRIu64
			  " dmatest_sum_kbps=%" PRIu64, runs[i].size, r.tests,
			  kibps, THREADS, r.ns / 1000000, r.kbps);
	}
	dsa_dmatest_unload();
	return ktap_finish();
}
