// SPDX-License-Identifier: GPL-2.0
/*
 * offload-rmmod - dsa_migrate can be disabled and unloaded while
 * migrations run, with no splat, no leak and no lost byte.
 *
 * lab:test timeout=300 set=default
 *
 * Two child processes each move 4 MiB of base pages back and forth between
 * the nodes and check every byte after every move (with one channel, one
 * of them often finds it busy and its batch is declined).  Meanwhile, five times:
 * rmmod while enabled must fail as "in use" (EWOULDBLOCK: the kernel holds
 * the module while it is the provider), disabling must succeed while
 * batches are in flight, rmmod must then succeed, and modprobe must enable
 * it again.  The offload must have run between the cycles.  In the debug flavour,
 * kmemleak is cleared before and scanned after: nothing may be reported
 * (the verdict also fails the run on a kmemleak report in the log).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dsam.h"
#include "file.h"
#include "ktap.h"
#include "mem.h"
#include "pattern.h"

#define NPAGES		1024
#define BUF_BYTES	(NPAGES * PAGE_SIZE_4K)
#define CYCLES		5
#define MOVERS		2
#define KMEMLEAK	"/sys/kernel/debug/kmemleak"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

/* The mover: returns the number of bad moves + bad pages. */
static int mover(uint64_t seed)
{
	struct pattern_mismatch mm;
	int node = 1, bad = 0;
	void *buf;

	buf = dsam_buffer_or_abort(BUF_BYTES, false, 0, seed);
	while (!stop && bad < 100) {
		if (mem_move(buf, BUF_BYTES, PAGE_SIZE_4K, node))
			bad++;
		pattern_mismatch_init(&mm);
		if (pattern_verify(buf, BUF_BYTES, seed, &mm)) {
			pattern_report(&mm);
			bad++;
		}
		node = !node;
	}
	return bad;
}

static bool kmemleak_clean(void)
{
	char report[1024] = "";
	int ret;

	/* Two scans: an object must be unreferenced twice to be reported. */
	file_write(KMEMLEAK, "scan");
	sleep(1);
	file_write(KMEMLEAK, "scan");
	ret = file_read(KMEMLEAK, report, sizeof(report));
	if (ret == -ENODATA || (!ret && !report[0]))
		return true;
	ktap_diag("kmemleak: %s", ret ? strerror(-ret) : report);
	return false;
}

int main(void)
{
	static const char *const on[] = { "enable=1", NULL };
	bool busy_ok = true, disable_ok = true, rmmod_ok = true,
	     reload_ok = true, have_kmemleak;
	uint64_t seed = pattern_seed(), offloaded = 0, busy = 0;
	struct dsam_stats s;
	struct stat st;
	int i, ret, status, failed = 0;
	pid_t pid[MOVERS];

	ktap_plan(7);
	dsam_setup_or_abort(NULL);
	have_kmemleak = !stat(KMEMLEAK, &st);
	if (have_kmemleak)
		file_write(KMEMLEAK, "clear");

	for (i = 0; i < MOVERS; i++) {
		fflush(stdout);
		pid[i] = fork();
		if (pid[i] < 0)
			ktap_abort("fork: %s", strerror(errno));
		if (!pid[i]) {
			signal(SIGTERM, on_term);
			_exit(mover(seed + i));
		}
	}

	for (i = 0; i < CYCLES; i++) {
		usleep(700000);
		if (!dsam_stats_read(&s)) {
			offloaded += s.v[DSAM_FOLIOS_OFFLOADED];
			busy += s.v[DSAM_BATCHES_DECLINED_BUSY];
		}
		ret = dsam_rmmod();
		if (ret != -EWOULDBLOCK) {
			ktap_diag("cycle %d: rmmod while enabled: %s", i,
				  ret ? strerror(-ret) : "succeeded");
			busy_ok = false;
			if (!ret)
				break;
		}
		ret = dsam_param_set("enable", "0");
		if (ret) {
			ktap_diag("cycle %d: disable: %s", i, strerror(-ret));
			disable_ok = false;
		}
		ret = dsam_rmmod();
		if (ret) {
			ktap_diag("cycle %d: rmmod: %s", i, strerror(-ret));
			rmmod_ok = false;
		}
		usleep(200000);	/* the mover runs on the CPU path */
		ret = dsam_modprobe(on);
		if (ret || !dsam_loaded()) {
			ktap_diag("cycle %d: modprobe: exit %d", i, ret);
			reload_ok = false;
			break;
		}
	}
	for (i = 0; i < MOVERS; i++) {
		kill(pid[i], SIGTERM);
		if (waitpid(pid[i], &status, 0) < 0)
			ktap_abort("waitpid: %s", strerror(errno));
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			ktap_diag("mover %d: status 0x%x (bad moves or pages)",
				  i, status);
			failed++;
		}
	}

	ktap_ok(busy_ok, "rmmod_while_enabled_in_use");
	ktap_ok(disable_ok, "disable_under_load");
	ktap_ok(rmmod_ok, "rmmod_after_disable_under_load");
	ktap_ok(reload_ok, "reload_enables_again");
	ktap_diag("across the cycles: %" PRIu64 " folios offloaded, %" PRIu64
		  " batches declined as busy", offloaded, busy);
	ktap_ok(offloaded > 0, "offload_ran_between_cycles");
	ktap_ok(!failed, "movers_every_byte_intact");

	if (dsam_loaded())
		dsam_param_set("enable", "0");
	dsam_rmmod();
	if (have_kmemleak)
		ktap_ok(kmemleak_clean(), "kmemleak_clean");
	else
		ktap_skip("kmemleak_clean", "no %s (FLAVOUR=debug has it)",
			  KMEMLEAK);
	return ktap_finish();
}
