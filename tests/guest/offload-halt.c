// SPDX-License-Identifier: GPL-2.0
/*
 * offload-halt - when the DSA halts in the middle of a run, every later
 * batch falls back to the CPU copy and no byte is lost.
 *
 * lab:test timeout=300 set=default boot=own
 *
 * 1024 x 4 KiB pages on node0 are moved to node1 in 8 move_pages(2) calls
 * of 128 pages (one batch, 128 descriptors each).  The device is armed to
 * halt (reset type FLR, which idxd does not recover by itself) after 256
 * descriptors: the halt comes right after the second call's last
 * descriptor, so no descriptor is in flight when it happens (descriptors
 * queued on a halting DSA are never completed by idxd, and memory that a
 * DMA may still write can never be released).  Calls 3..8 must then be
 * copied by the CPU: no descriptor is submitted, submit_errors counts the
 * refusals, every byte matches, also moving everything back; the module
 * still disables cleanly.
 *
 * The device stays down for the rest of the boot: idxd (6.12) cannot bring
 * back a DSA halted this way (unbinding the WQ quiesces it a second time,
 * WARNs in percpu_ref_kill_and_confirm and hangs), so this test has a boot
 * of its own rather than a name that sorts after the other DSA tests.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dsa.h"
#include "dsam.h"
#include "ktap.h"
#include "mem.h"
#include "pattern.h"

#define CHUNK_PAGES	128
#define NCHUNKS		8
#define HALT_CHUNKS	2
#define CHUNK_BYTES	(CHUNK_PAGES * PAGE_SIZE_4K)
#define BUF_BYTES	(NCHUNKS * CHUNK_BYTES)
#define DSA_RESET_FLR	1

static bool wait_state(const char *want, bool equal, int seconds)
{
	char state[64] = "";
	int i;

	for (i = 0; i < seconds * 10; i++) {
		if (!dsa_state(state, sizeof(state)) &&
		    !strcmp(state, want) == equal)
			return true;
		usleep(100000);
	}
	ktap_diag("dsa0 state '%s' after %d s", state, seconds);
	return false;
}

int main(void)
{
	uint64_t seed = pattern_seed();
	struct dsam_stats s0, s1, s2;
	struct pattern_mismatch mm;
	char *buf;
	struct dsa_dbg dbg;
	long bad = 0;
	int i;

	ktap_plan(7);
	dsam_setup_or_abort(NULL);
	dsa_dbg_open_or_abort(&dbg);
	buf = dsam_buffer_or_abort(BUF_BYTES, false, 0, seed);

	dsa_dbg_write32(&dbg, DSA_DBG_HALT_RESET_TYPE, DSA_RESET_FLR);
	dsa_dbg_write32(&dbg, DSA_DBG_HALT_AFTER, HALT_CHUNKS * CHUNK_PAGES);
	dsam_stats_read(&s0);
	for (i = 0; i < HALT_CHUNKS; i++)
		bad += mem_move(buf + i * CHUNK_BYTES, CHUNK_BYTES,
				PAGE_SIZE_4K, 1);
	dsam_stats_read(&s1);
	dsam_stats_report(&s0, &s1);
	ktap_ok(!bad && dsam_delta(&s0, &s1, DSAM_FOLIOS_OFFLOADED) ==
		HALT_CHUNKS * CHUNK_PAGES, "before_halt_offloaded");
	ktap_ok(wait_state("enabled", false, 20), "device_halted");
	dsa_dbg_write32(&dbg, DSA_DBG_HALT_AFTER, 0);

	for (; i < NCHUNKS; i++)
		bad += mem_move(buf + i * CHUNK_BYTES, CHUNK_BYTES,
				PAGE_SIZE_4K, 1);
	dsam_stats_read(&s2);
	dsam_stats_report(&s1, &s2);
	ktap_ok(!bad && mem_on_node(buf, BUF_BYTES, PAGE_SIZE_4K, 1),
		"all_pages_on_node1");
	pattern_mismatch_init(&mm);
	pattern_verify(buf, BUF_BYTES, seed, &mm);
	pattern_report(&mm);
	ktap_ok(mm.bad_pages == 0, "contents_intact");
	ktap_ok(dsam_delta(&s1, &s2, DSAM_DESCRIPTORS) == 0 &&
		dsam_delta(&s1, &s2, DSAM_FOLIOS_OFFLOADED) == 0 &&
		dsam_delta(&s1, &s2, DSAM_FOLIOS_FALLBACK) ==
		(NCHUNKS - HALT_CHUNKS) * CHUNK_PAGES &&
		dsam_delta(&s1, &s2, DSAM_SUBMIT_ERRORS) > 0 &&
		dsam_delta(&s1, &s2, DSAM_TIMEOUTS) == 0,
		"after_halt_every_batch_fell_back");

	/* Back to node0, still with the halted device. */
	bad = mem_move(buf, BUF_BYTES, PAGE_SIZE_4K, 0);
	pattern_mismatch_init(&mm);
	pattern_verify(buf, BUF_BYTES, seed, &mm);
	pattern_report(&mm);
	ktap_ok(!bad && mm.bad_pages == 0, "back_to_node0_intact");

	ktap_ok(!dsam_param_set("enable", "0"), "disable_on_halted_device");
	dsa_dbg_close(&dbg);
	return ktap_finish();
}
