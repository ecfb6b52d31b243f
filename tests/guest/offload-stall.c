// SPDX-License-Identifier: GPL-2.0
/*
 * offload-stall - a DSA that stops completing work costs a migration at
 * most timeout_ms: the folios whose DMA is still in flight stay where they
 * were, intact and quarantined, until the late completions release them.
 *
 * lab:test timeout=180 set=default boot=stall
 *
 * With timeout_ms=300 and the emulated DSA's engines paused (debug page),
 * 48 base pages are moved to node1 in one batch.  queue_depth (16) of them
 * have a descriptor in flight that never completes; the rest never get a
 * descriptor.  move_pages(2) must return within timeout_ms + 2 s, with
 * every byte intact: the batch abandons the 16 (counted in
 * folios_abandoned, folios_quarantined and pgmigrate_offload_abandoned),
 * which stay on node0 (move_pages' synchronous retry cannot move them
 * either: the quarantine's reference makes them busy), and the CPU copies
 * the other 32 to node1.  The kernel may offer those 32 in more than one
 * batch (a folio it cannot lock at once is retried in a later pass, and
 * the busy channel declines that batch), so the CPU copy is proven from the
 * mm_migrate_copy_batch events of the move: nothing copied by DMA, the
 * module's fallback is exactly the folios of the batch it accepted less the
 * abandoned ones, and pgmigrate_offload_fallback exactly what the batches
 * offered and did not copy or abandon.  Meanwhile only move_pages' reason
 * is batch copied (vm.migrate_copy_reasons): NUMA balancing migrates other
 * pages of the guest at any time, and its batches would count too.  The
 * abandoned pages stay fully usable (rewritten and checked).  enable=0
 * returns at once, rmmod is refused while folios are quarantined.  When
 * the engines resume, the 16 late completions arrive, the quarantine
 * empties and rmmod works; reloaded, the module moves all 48 pages by DMA
 * (gathered on node1, then to node0).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "dsa.h"
#include "dsam.h"
#include "file.h"
#include "ktap.h"
#include "mcopy.h"
#include "mem.h"
#include "node.h"
#include "pattern.h"
#include "trace.h"

#define NPAGES		48
#define DEPTH		16		/* queue_depth, at most the WQ size */
#define BUF_BYTES	(NPAGES * PAGE_SIZE_4K)
#define TIMEOUT_MS	300
#define SLACK_MS	2000

/* Each batch of the stalled move, for the log. */
static int print_batch(const char *text, void *arg)
{
	ktap_diag("batch: %s", text);
	return 0;
}

/* Poll a counter until it reads @want or @ms pass; true if it did. */
static bool wait_stat(enum dsam_stat stat, uint64_t want, unsigned int ms)
{
	uint64_t end = clock_ns() + ms * 1000000ULL;
	struct dsam_stats s;

	do {
		if (!dsam_stats_read(&s) && s.v[stat] == want)
			return true;
		usleep(20000);
	} while (clock_ns() < end);
	return false;
}

int main(void)
{
	const char *args[] = { "timeout_ms=300", "min_batch_pages=8",
			       "queue_depth=16", NULL };
	uint64_t seed = pattern_seed(), seed2 = seed ^ 0x5a5a5a5a5a5a5a5aULL;
	long counts[LAB_MAX_NODES] = { 0 }, other = 0;
	struct dsam_stats s0, s1, s2;
	struct mcopy_vmstat v0, v1;
	struct mcopy_evidence sys;
	char reasons[32], only[16];
	uint64_t t0, ms;
	struct dsa_dbg dbg;
	void *buf;
	int ret;

	ktap_plan(14);
	dsam_setup_or_abort(args);
	dsa_dbg_open_or_abort(&dbg);
	buf = dsam_buffer_or_abort(BUF_BYTES, false, 0, seed);

	snprintf(only, sizeof(only), "%u", 1U << MR_SYSCALL);
	if (file_read(MCOPY_SYSCTL_REASONS, reasons, sizeof(reasons)) ||
	    file_write(MCOPY_SYSCTL_REASONS, only))
		ktap_abort("cannot offer only move_pages' batches (%s)",
			   MCOPY_SYSCTL_REASONS);
	if (mcopy_trace_enable(true))
		ktap_abort("cannot enable migrate:mm_migrate_copy_batch");
	dsam_stats_read(&s0);
	mcopy_vmstat_read(&v0);
	dsa_dbg_write32(&dbg, DSA_DBG_PAUSE, 1);
	t0 = clock_ns();
	mem_move(buf, BUF_BYTES, PAGE_SIZE_4K, 1);
	ms = (clock_ns() - t0) / 1000000;
	dsam_stats_read(&s1);
	mcopy_vmstat_read(&v1);
	mcopy_trace_enable(false);
	file_write(MCOPY_SYSCTL_REASONS, reasons);
	dsam_stats_report(&s0, &s1);
	trace_for_each("mm_migrate_copy_batch", print_batch, NULL);
	ktap_diag("move_pages returned after %" PRIu64 " ms", ms);
	ktap_ok(ms >= TIMEOUT_MS && ms < TIMEOUT_MS + SLACK_MS,
		"returns_within_timeout");

	mem_pages_per_node(buf, BUF_BYTES, PAGE_SIZE_4K, counts, &other);
	ktap_diag("pages on node0 %ld, node1 %ld, other %ld", counts[0],
		  counts[1], other);
	ktap_ok(counts[0] == DEPTH && counts[1] == NPAGES - DEPTH,
		"abandoned_folios_stay_on_node0");
	pattern_verify_ok(buf, BUF_BYTES, seed, "intact_after_stalled_move");
	ktap_ok(dsam_delta(&s0, &s1, DSAM_FOLIOS_ABANDONED) == DEPTH &&
		s1.v[DSAM_FOLIOS_QUARANTINED] == DEPTH &&
		dsam_delta(&s0, &s1, DSAM_TIMEOUTS) == 1 &&
		v1.abandoned - v0.abandoned == DEPTH,
		"abandoned_and_quarantined_counted");
	ret = mcopy_trace_evidence("syscall_or_cpuset", &sys);
	if (ret)
		ktap_diag("mm_migrate_copy_batch events: %s", strerror(-ret));
	ktap_ok(!ret && sys.offered == NPAGES && sys.folios == 0 &&
		sys.accepted >= DEPTH &&
		dsam_delta(&s0, &s1, DSAM_FOLIOS_FALLBACK) ==
		sys.accepted - DEPTH &&
		dsam_delta(&s0, &s1, DSAM_FOLIOS_OFFLOADED) == 0 &&
		v1.folio == v0.folio &&
		v1.fallback - v0.fallback == sys.offered - DEPTH,
		"rest_copied_by_cpu");

	/* The pages the engine may still read are the process's again. */
	pattern_fill(buf, BUF_BYTES, seed2);
	pattern_verify_ok(buf, BUF_BYTES, seed2, "intact_after_rewrite");

	t0 = clock_ns();
	ret = dsam_param_set("enable", "0");
	ms = (clock_ns() - t0) / 1000000;
	ktap_ok(!ret && ms < SLACK_MS, "disable_returns_at_once");
	ret = dsam_rmmod();
	ktap_ok(ret == -EWOULDBLOCK, "rmmod_refused_while_quarantined");
	if (ret != -EWOULDBLOCK)
		ktap_diag("rmmod: %s", ret ? strerror(-ret) : "succeeded");

	dsa_dbg_write32(&dbg, DSA_DBG_PAUSE, 0);
	ktap_ok(wait_stat(DSAM_FOLIOS_QUARANTINED, 0, 10000),
		"late_completions_release_quarantine");
	dsam_stats_read(&s2);
	dsam_stats_report(&s1, &s2);
	ktap_ok(dsam_delta(&s1, &s2, DSAM_LATE_COMPLETIONS) == DEPTH &&
		s2.v[DSAM_STRAY_CALLBACKS] == 0, "every_late_completion_seen");
	pattern_verify_ok(buf, BUF_BYTES, seed2, "intact_after_late_completions");
	ret = dsam_rmmod_within(2000);
	ktap_ok(!ret, "rmmod_after_release");
	if (ret)
		ktap_diag("rmmod: %s", strerror(-ret));

	/* The device and the channel work again. */
	dsam_setup_or_abort(args);
	mem_move(buf, BUF_BYTES, PAGE_SIZE_4K, 1);
	dsam_stats_read(&s0);
	mem_move(buf, BUF_BYTES, PAGE_SIZE_4K, 0);
	dsam_stats_read(&s1);
	ktap_ok(mem_on_node(buf, BUF_BYTES, PAGE_SIZE_4K, 0) &&
		dsam_delta(&s0, &s1, DSAM_FOLIOS_OFFLOADED) == NPAGES,
		"all_by_dma_after_recovery");
	pattern_verify_ok(buf, BUF_BYTES, seed2, "intact_after_recovery");

	dsa_dbg_close(&dbg);
	return dsam_finish();
}
