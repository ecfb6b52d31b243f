// SPDX-License-Identifier: GPL-2.0
/*
 * promote.c - DAMON migrate_hot promotion scenario, see promote.h.
 */
#include <errno.h>
#include <numaif.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "clock.h"
#include "cpu.h"
#include "damon.h"
#include "file.h"
#include "ktap.h"
#include "mem.h"
#include "node.h"
#include "offload.h"
#include "pattern.h"
#include "promote.h"
#include "vmstat.h"

#define SLOW_NODE	1
#define FAST_NODE	0
#define PROMOTED_PCT	75	/* share of the set that must reach node 0 */
#define NUMA_BALANCING	"/proc/sys/kernel/numa_balancing"

struct promote {
	char *buf;
	size_t len;
	uint64_t seed;
	volatile int stop;
	long sweeps;
	size_t bad;			/* bad pages seen by the accessor */
	struct pattern_mismatch mm;
};

/* The "application": keeps reading (and checking) the whole set. */
static void *accessor(void *arg)
{
	struct promote *p = arg;

	cpu_pin(node_first_cpu(FAST_NODE) >= 0 ?
		node_first_cpu(FAST_NODE) : 0);
	while (!p->stop) {
		p->bad += pattern_verify(p->buf, p->len, p->seed, &p->mm);
		p->sweeps++;
		/*
		 * DAMON sees an access when the CPU sets a PTE's accessed bit
		 * again after DAMON cleared it, which a CPU does on a TLB miss.
		 * TCG's software TLB holds the whole set, so misses stop; an
		 * mprotect() round trip flushes it, as a real TLB's size would.
		 */
		mprotect(p->buf, p->len, PROT_READ);
		mprotect(p->buf, p->len, PROT_READ | PROT_WRITE);
	}
	return NULL;
}

static long on_node(struct promote *p, int node)
{
	long counts[LAB_MAX_NODES], other;

	if (mem_pages_per_node(p->buf, p->len, PAGE_SIZE_4K, counts, &other) < 0)
		return -1;
	return counts[node];
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--mode=baseline|offload] [--mib=8..512] [--timeout=S] [--module=NAME]\n",
		prog);
}

int promote_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "mib", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "module", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 }
	};
	static struct vmstat_snap before, after;
	static struct promote p;
	const char *module = OFFLOAD_MODULE;
	long mib = 64, timeout = 120, npages, now0 = 0, c;
	uint64_t t0, t_half = 0, t_done = 0, start, end, applied, tried;
	struct offload_state ofl;
	pthread_t thr;
	bool offload = false, configured;
	char nb_saved[16];
	bool have_nb;
	char *endp;
	int ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!strcmp(optarg, "offload") ||
			    !strcmp(optarg, "baseline")) {
				offload = !strcmp(optarg, "offload");
				break;
			}
			fprintf(stderr, "error: --mode=%s: expected baseline or offload\n",
				optarg);
			usage(argv[0]);
			return 2;
		case 's':
		case 't':
			errno = 0;
			mib = c == 's' ? strtol(optarg, &endp, 10) : mib;
			timeout = c == 't' ? strtol(optarg, &endp, 10) : timeout;
			if (errno || endp == optarg || *endp || mib < 8 ||
			    mib > 512 || timeout < 1) {
				fprintf(stderr, "error: bad number '%s'\n", optarg);
				usage(argv[0]);
				return 2;
			}
			break;
		case 'M':
			module = optarg;
			break;
		default:
			usage(argv[0]);
			return 2;
		}
	}
	if (optind != argc) {
		usage(argv[0]);
		return 2;
	}

	ktap_plan(6);
	if (node_count_with_memory() < 2)
		ktap_abort("promotion needs 2 nodes with memory");
	if (!damon_available())
		ktap_abort("no DAMON sysfs (%s): CONFIG_DAMON_SYSFS?",
			   DAMON_ADMIN);
	ret = node_phys_range(SLOW_NODE, &start, &end);
	if (ret)
		ktap_abort("node%d physical range: %s", SLOW_NODE,
			   strerror(-ret));
	ret = offload_prepare(&ofl, offload, module);
	if (ret)
		ktap_abort("%s", ofl.error);
	/*
	 * Automatic NUMA balancing would also pull the set towards the
	 * accessor's node (or back, towards the checker's): only DAMON may
	 * move it here.  Every thread of ours runs on the fast node.
	 */
	have_nb = !file_read(NUMA_BALANCING, nb_saved, sizeof(nb_saved));
	if (have_nb && file_write(NUMA_BALANCING, "0"))
		ktap_abort("cannot disable %s", NUMA_BALANCING);
	cpu_pin(node_first_cpu(FAST_NODE) >= 0 ?
		node_first_cpu(FAST_NODE) : 0);

	/* Working set on the slow node, then no policy: DAMON may move it. */
	p.len = (size_t)mib << 20;
	npages = p.len / PAGE_SIZE_4K;
	p.seed = pattern_seed();
	pattern_mismatch_init(&p.mm);
	p.buf = mem_map_aligned(p.len, HPAGE_SIZE_2M);
	if (!p.buf)
		ktap_abort("mmap %ld MiB failed", mib);
	madvise(p.buf, p.len, MADV_NOHUGEPAGE);
	ret = mem_bind(p.buf, p.len, SLOW_NODE);
	if (ret)
		ktap_abort("mbind node%d: %s", SLOW_NODE, strerror(-ret));
	pattern_fill(p.buf, p.len, p.seed);
	if (mbind(p.buf, p.len, MPOL_DEFAULT, NULL, 0, 0))
		ktap_abort("mbind MPOL_DEFAULT: %s", strerror(errno));
	ktap_ok(on_node(&p, SLOW_NODE) == npages, "working_set_on_node%d",
		SLOW_NODE);
	ktap_diag("%ld MiB working set (%ld pages) on node%d; DAMON watches node%d [0x%" PRIx64 ", 0x%" PRIx64 ")",
		  mib, npages, SLOW_NODE, SLOW_NODE, start, end);

	vmstat_snapshot(&before);
	offload_snapshot(&ofl);
	if (pthread_create(&thr, NULL, accessor, &p))
		ktap_abort("cannot start the accessor thread");
	configured = damon_setup(start, end, FAST_NODE);
	ktap_ok(configured, "damon_migrate_hot_scheme_on");

	t0 = clock_ns();
	while (configured && clock_ns() - t0 < (uint64_t)timeout * 1000000000ULL) {
		sleep(1);
		now0 = on_node(&p, FAST_NODE);
		if (!t_half && now0 * 2 >= npages)
			t_half = clock_ns();
		if (now0 * 100 >= npages * PROMOTED_PCT) {
			t_done = clock_ns();
			break;
		}
	}
	applied = configured ? damon_scheme_stat("sz_applied") : 0;
	tried = configured ? damon_scheme_stat("sz_tried") : 0;
	damon_teardown();
	p.stop = 1;
	pthread_join(thr, NULL);
	vmstat_snapshot(&after);
	offload_snapshot(&ofl);

	/* One last full check after DAMON stopped. */
	p.bad += pattern_verify(p.buf, p.len, p.seed, &p.mm);
	now0 = on_node(&p, FAST_NODE);
	ktap_diag("promoted %ld of %ld pages to node%d; 50 %% after %" PRIu64 " ms, %d %% after %s%" PRIu64 " ms",
		  now0, npages, FAST_NODE,
		  t_half ? (t_half - t0) / 1000000 : 0, PROMOTED_PCT,
		  t_done ? "" : "(not reached) ",
		  ((t_done ? t_done : clock_ns()) - t0) / 1000000);
	ktap_diag("damos sz_tried %" PRIu64 " sz_applied %" PRIu64 " bytes; accessor %ld sweeps, %zu bad page reads",
		  tried, applied, p.sweeps, p.bad);
	vmstat_report_delta(&before, &after, "pgmigrate_");
	vmstat_report_delta(&before, &after, "numa_");
	offload_report(&ofl, "promote");
	pattern_report(&p.mm);

	ktap_ok(now0 * 100 >= npages * PROMOTED_PCT,
		"at_least_%d_pct_promoted_to_node%d", PROMOTED_PCT, FAST_NODE);
	ktap_ok(p.bad == 0 && p.sweeps > 0, "contents_intact_every_sweep");
	ktap_ok(vmstat_delta(&before, &after, "pgmigrate_success") > 0 &&
		applied > 0, "migrations_counted");
	ktap_ok(offload_verdict(&ofl), offload ? "offload_counters_rose" :
		"offload_stayed_idle");
	ktap_diag("result promote mode=%s pages=%ld promoted=%ld ms=%" PRIu64 " page_checks=%ld",
		  offload ? "offload" : "baseline", npages, now0,
		  ((t_done ? t_done : clock_ns()) - t0) / 1000000,
		  npages * (p.sweeps + 1));
	if (have_nb)
		file_write(NUMA_BALANCING, nb_saved);
	offload_restore(&ofl);
	return ktap_finish();
}
