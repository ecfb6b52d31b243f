// SPDX-License-Identifier: GPL-2.0
/*
 * bench-dsa - latency and throughput of the emulated DSA by transfer size,
 * measured by dmatest.
 *
 * lab:test timeout=1200 set=extra
 *
 * dmatest without verification (the copies alone: submit, device copy,
 * completion, interrupt) on the dsa-setup channel (ENGINES engines in its
 * group), at the RFC v4 table's sizes, 4 KiB to 2 MiB, twice per size:
 * - latency: one thread, which waits for each copy before it submits the
 *   next: dmatest's own time per copy (its KiB/s over the bytes of one
 *   copy), as "bench-dsa-latency size=<bytes> copies=<n> ns_per_copy=<ns>";
 * - throughput: THREADS threads, so that the WQ never runs dry: all
 *   copies' bytes over the run's wall time, as
 *   "bench-dsa size=<bytes> copies=<n> kbps=<KiB/s> threads=<n>".
 * Each run must do every copy with no failure.  'make bench-dsa' sets the
 * numbers against the timing model's prediction in timed mode (TIMING=),
 * else against host memcpy measured in the same run.  Needs DSA=1.
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
	unsigned int copies;		/* per thread, throughput run */
	unsigned int lat_copies;	/* latency run */
} runs[] = {
	{ 4 << 10, 1000, 400 },
	{ 16 << 10, 800, 300 },
	{ 64 << 10, 500, 200 },
	{ 256 << 10, 300, 100 },
	{ 1 << 20, 250, 60 },
	{ 2 << 20, 250, 50 },
};

#define NR_RUNS		(sizeof(runs) / sizeof(runs[0]))

/* Every copy of a run of @threads x @copies done, none failed */
static int run_ok(int ret, const struct dmatest_result *r,
		  int threads, unsigned int copies, const char *what,
		  unsigned int size)
{
	if (ktap_ok(!ret && r->found == threads &&
		    r->tests == threads * copies && !r->failures,
		    "%s_%u", what, size))
		return 1;
	ktap_diag("ret %d, %u tests, %u failures", ret, r->tests, r->failures);
	return 0;
}

int main(void)
{
	char chan[64];
	int ret;

	ktap_plan(2 * NR_RUNS);
	dsa_setup_or_abort(chan, sizeof(chan), ENGINES);
	for (size_t i = 0; i < NR_RUNS; i++) {
		struct dmatest_result r;
		uint64_t kibps;

		ret = dsa_dmatest(chan, runs[i].size, runs[i].lat_copies, 1,
				  20000, false, &r);
		if (run_ok(ret, &r, 1, runs[i].lat_copies, "latency",
			   runs[i].size) && r.kbps)
			ktap_diag("bench-dsa-latency size=%u copies=%u ns_per_copy=%"
				  PRIu64, runs[i].size, r.tests,
				  (uint64_t)((double)runs[i].size * 1e9 /
					     ((double)r.kbps * 1024)));

		ret = dsa_dmatest(chan, runs[i].size, runs[i].copies, THREADS,
				  20000, false, &r);
		run_ok(ret, &r, THREADS, runs[i].copies, "copies",
		       runs[i].size);
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
