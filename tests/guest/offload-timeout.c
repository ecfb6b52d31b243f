// SPDX-License-Identifier: GPL-2.0
/*
 * offload-timeout - a batch whose DMA takes longer than timeout_ms only
 * warns: it keeps waiting with its memory mapped, and completes correctly
 * once the device moves again.
 *
 * lab:test timeout=180 set=default
 *
 * The emulated DSA's engines are paused (debug page), timeout_ms is set to
 * 200, and a child process moves 12 base pages to node1 (min_batch_pages=8
 * lets the batch through).  After 3 s the move must still be running and
 * stats/timeouts must have risen; then the engines are resumed, the move
 * must finish with every page on node1 and every byte intact, and all 12
 * folios must count as copied by DMA.
 *
 * The batch is smaller than the work queue (16 descriptors, dsa-setup.sh)
 * on purpose: with the queue full, idxd's prepare call itself sleeps until
 * a descriptor completes, so a larger batch never reaches the module's
 * timed wait (module/README.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dsam.h"
#include "ktap.h"
#include "util.h"

#define NPAGES		12
#define BUF_BYTES	(NPAGES * PAGE_SIZE_4K)

/* The child: its own buffer (a COW-shared one would not move). */
static int mover(uint64_t seed, int ready)
{
	struct pattern_mismatch mm;
	void *buf;
	long bad;

	buf = dsam_buffer_or_abort(BUF_BYTES, false, 0, seed);
	if (write(ready, "x", 1) != 1)
		return 2;
	bad = move_range(buf, BUF_BYTES, PAGE_SIZE_4K, 1);
	pattern_mismatch_init(&mm);
	if (pattern_verify(buf, BUF_BYTES, seed, &mm)) {
		pattern_report(&mm);
		return 1;
	}
	return bad || !range_on_node(buf, BUF_BYTES, PAGE_SIZE_4K, 1);
}

int main(void)
{
	uint64_t seed = pattern_seed();
	struct dsam_stats s0, s1, s2;
	struct dsa_dbg dbg;
	int status, pfd[2];
	bool running;
	char c;
	pid_t pid;

	ktap_plan(3);
	dsam_setup_or_abort(NULL);
	dsa_dbg_open_or_abort(&dbg);
	if (dsam_param_set("timeout_ms", "200") ||
	    dsam_param_set("min_batch_pages", "8") || pipe(pfd))
		ktap_abort("cannot set timeout_ms=200, min_batch_pages=8 or make a pipe");

	dsam_stats_read(&s0);
	dsa_dbg_write32(&dbg, DSA_DBG_PAUSE, 1);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		ktap_abort("fork: %s", strerror(errno));
	if (!pid) {
		close(pfd[0]);
		_exit(mover(seed, pfd[1]));
	}
	close(pfd[1]);
	if (read(pfd[0], &c, 1) != 1)
		ktap_abort("the mover did not get ready");
	sleep(3);
	dsam_stats_read(&s1);
	running = waitpid(pid, &status, WNOHANG) == 0;
	dsam_stats_report(&s0, &s1);
	ktap_ok(running && dsam_delta(&s0, &s1, DSAM_TIMEOUTS) > 0 &&
		dsam_delta(&s0, &s1, DSAM_FOLIOS_OFFLOADED) == 0,
		"paused_dma_warns_and_keeps_waiting");

	dsa_dbg_write32(&dbg, DSA_DBG_PAUSE, 0);
	if (running && waitpid(pid, &status, 0) < 0)
		ktap_abort("waitpid: %s", strerror(errno));
	dsam_stats_read(&s2);
	dsam_stats_report(&s1, &s2);
	ktap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"move_completes_intact_after_resume");
	ktap_ok(dsam_delta(&s0, &s2, DSAM_FOLIOS_OFFLOADED) >= NPAGES &&
		dsam_delta(&s0, &s2, DSAM_FOLIOS_FALLBACK) == 0,
		"all_folios_copied_by_dma");

	dsam_param_set("timeout_ms", "5000");
	dsa_dbg_close(&dbg);
	return dsam_finish();
}
