// SPDX-License-Identifier: GPL-2.0
/*
 * soak - move_pages(2), compaction and DAMON promotion migrate at the same
 * time through dsa_migrate, with the DSA failing 1 % of its descriptors and
 * stalling at random, until N pages went by DMA; every byte is checked.
 *
 * lab:test timeout=1500 set=extra boot=own
 *
 * dsa_migrate runs with min_batch_pages=8, timeout_ms=500, queue_depth=16;
 * the emulated DSA fails every 100th descriptor (those folios fall back to
 * the CPU) and a pauser stops its engines for 10-250 ms (less than
 * timeout_ms) every 100-1000 ms.  The sources, all at once:
 *  - move_pages: two threads, each with 16 MiB of 4 KiB pages and 16 MiB
 *    of THPs, moved node0 <-> node1, every byte checked after every move;
 *  - compaction: a fragmenter child holds ~60 % of node 1's free memory,
 *    every other page freed; node1/compact in a loop, the survivors checked
 *    from outside after every pass, fragmented anew every 3 passes;
 *  - DAMON: paddr migrate_hot from node 1 to node 0; an accessor keeps
 *    32 MiB hot, checking every sweep, and moves it back to node 1 every
 *    10 s so that DAMON keeps promoting.
 * Until the module offloaded N pages (--pages=N or lab.soak_pages=N,
 * default 1000000; fails after --seconds, default 1200), then a final check
 * of everything.  Asserts: N pages offloaded; no corrupted page anywhere;
 * each source migrated; every injected fault counted, its folio fell back;
 * nothing stays quarantined once the pauses stop.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <numaif.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "clock.h"
#include "damon.h"
#include "dsa.h"
#include "dsam.h"
#include "file.h"
#include "frag.h"
#include "ktap.h"
#include "mem.h"
#include "node.h"
#include "pattern.h"
#include "vmstat.h"

#define FAST		0
#define SLOW		1
#define MOVERS		2
#define MOVER_BYTES	(16UL << 20)	/* of 4 KiB pages, and as much in THPs */
#define DAMON_BYTES	(32UL << 20)
#define DAMON_BACK_S	10
#define FRAG_PCT	60		/* of node 1's free memory beyond... */
#define FRAG_RESERVE	(64ULL << 20)	/* ...this, as lib/scenario.c */
#define REFRAG_PASSES	3
#define FAULT_EVERY	100
#define COMPACT		"/sys/devices/system/node/node1/compact"
#define NUMA_BALANCING	"/proc/sys/kernel/numa_balancing"
#define NS		1000000000UL

/* What the checks of one source's memory found. */
struct check {
	const char *name;
	uint64_t pages;			/* pages compared */
	struct pattern_mismatch mm;	/* .bad_pages: corrupted ones */
};

static struct mover {
	pthread_t thr;
	char *buf[2];			/* 4 KiB pages, THPs */
	long moves, on_target, errors;
	struct check chk;
} movers[MOVERS];

static struct compactor {
	pthread_t thr;
	struct frag_child frag;
	long passes, refrags, errors;
	long unreadable;		/* survivor checks that failed */
	struct check chk;
} comp = { .frag = { .pid = -1, .fd = -1 }, .chk.name = "compaction" };

static struct accessor {
	pthread_t thr;
	char *buf;
	long sweeps, returns, promoted;	/* promoted: found on node 0 */
	struct check chk;
} acc = { .chk.name = "damon" };

static pthread_t pauser;
static unsigned int pause_seed;
static long pauses;
static atomic_bool stop;
static uint64_t seed;			/* of every pattern but the survivors' */
/* For the exit handler too, which also runs on ktap_abort(). */
static struct dsa_dbg dbg = { .fd = -1 };
static bool damon_on, have_nb;
static char nb_saved[16];

/* Leave no paused or faulty device, kdamond or fragmenter behind. */
static void cleanup(void)
{
	if (dbg.page) {
		dsa_dbg_write32(&dbg, DSA_DBG_PAUSE, 0);
		dsa_dbg_write32(&dbg, DSA_DBG_FAULT_EVERY, 0);
	}
	if (damon_on)
		damon_teardown();
	damon_on = false;
	if (comp.frag.pid > 0)
		frag_child_stop(&comp.frag);
	if (have_nb)
		file_write(NUMA_BALANCING, nb_saved);
	have_nb = false;
}

/* Account a check; the first corrupted page of a source is told at once. */
static void checked(struct check *c, size_t pages, size_t bad_before)
{
	c->pages += pages;
	if (!bad_before && c->mm.bad_pages) {
		ktap_diag("%s: corrupted page", c->name);
		pattern_report(&c->mm);
	}
}

static void check_pages(struct check *c, const void *buf, size_t len)
{
	size_t bad_before = c->mm.bad_pages;

	pattern_verify(buf, len, seed, &c->mm);
	checked(c, len / PAGE_SIZE_4K, bad_before);
}

static void check_survivors(struct compactor *k)
{
	size_t bad_before = k->chk.mm.bad_pages, pages = 0;
	long ret;

	if (k->frag.pid <= 0)
		return;
	ret = frag_verify_remote(k->frag.pid, &k->frag.region, &k->chk.mm,
				 &pages);
	if (ret < 0 && !k->unreadable++)
		ktap_diag("survivors of pid %d: %s", (int)k->frag.pid,
			  strerror((int)-ret));
	checked(&k->chk, pages, bad_before);
}

/*
 * move_pages(2) every page of [@buf, @buf + @len) to @node.  Not
 * mem_move(): here a page is busy when compaction or DAMON has it
 * isolated, a THP's tail addresses say -EBUSY once its head is queued, and
 * a partial failure returns a positive count: all expected, none worth a
 * line each time.  Returns the pages reported on @node, or -errno.
 */
static long move_quiet(char *buf, size_t len, int node)
{
	enum { CHUNK = 512 };
	int nodes[CHUNK], status[CHUNK], i, n;
	void *pages[CHUNK];
	long on_node = 0;
	size_t off = 0;

	while (off < len) {
		for (n = 0; n < CHUNK && off < len; n++, off += PAGE_SIZE_4K) {
			pages[n] = buf + off;
			nodes[n] = node;
			status[n] = -1;
		}
		if (move_pages(0, n, pages, nodes, status, MPOL_MF_MOVE) < 0)
			return -errno;
		for (i = 0; i < n; i++)
			on_node += status[i] == node;
	}
	return on_node;
}

static void *mover_main(void *arg)
{
	struct mover *m = arg;
	int node = SLOW, i;
	long ret;

	while (!atomic_load(&stop)) {
		for (i = 0; i < 2; i++) {
			ret = move_quiet(m->buf[i], MOVER_BYTES, node);
			if (ret < 0 && !m->errors++)
				ktap_diag("move_pages: %s", strerror((int)-ret));
			m->on_target += ret > 0 ? ret : 0;
			check_pages(&m->chk, m->buf[i], MOVER_BYTES);
		}
		m->moves++;
		node = node == SLOW ? FAST : SLOW;
	}
	return NULL;
}

/* Fill ~60 % of node 1's free memory and free every other page of it. */
static int fragment(struct frag_child *c)
{
	uint64_t free_bytes = 0, len;
	int ret;

	ret = node_mem_free(SLOW, &free_bytes);
	if (ret)
		return ret;
	len = free_bytes > FRAG_RESERVE ? free_bytes - FRAG_RESERVE : 0;
	ret = frag_child_start(c, SLOW, len / 100 * FRAG_PCT, pattern_seed());
	return ret ? ret : frag_child_fragment(c);
}

static void *compactor_main(void *arg)
{
	struct compactor *k = arg;
	int ret;

	while (!atomic_load(&stop)) {
		ret = file_write(COMPACT, "1");
		if (ret && !k->errors++)
			ktap_diag("%s: %s", COMPACT, strerror(-ret));
		if (ret)
			sleep(1);
		k->passes++;
		check_survivors(k);
		if (k->passes % REFRAG_PASSES || atomic_load(&stop))
			continue;
		/* Compaction gathered the survivors: scatter new ones. */
		frag_child_stop(&k->frag);
		ret = fragment(&k->frag);
		if (ret && !k->errors++)
			ktap_diag("fragmenting node%d again: %s", SLOW,
				  strerror(-ret));
		k->refrags += !ret;
	}
	return NULL;
}

static void *accessor_main(void *arg)
{
	struct accessor *a = arg;
	long counts[LAB_MAX_NODES], other;
	uint64_t back = clock_ns();

	while (!atomic_load(&stop)) {
		check_pages(&a->chk, a->buf, DAMON_BYTES);
		a->sweeps++;
		/*
		 * DAMON sees an access on a TLB miss, and TCG's software TLB
		 * holds the whole buffer: flush it (see lib/promote.c).
		 */
		mprotect(a->buf, DAMON_BYTES, PROT_READ);
		mprotect(a->buf, DAMON_BYTES, PROT_READ | PROT_WRITE);
		if (clock_ns() - back < DAMON_BACK_S * NS)
			continue;
		if (mem_pages_per_node(a->buf, DAMON_BYTES, PAGE_SIZE_4K, counts,
				       &other) > 0)
			a->promoted += counts[FAST];
		move_quiet(a->buf, DAMON_BYTES, SLOW);
		a->returns++;
		back = clock_ns();
	}
	return NULL;
}

static void *pauser_main(void *arg)
{
	for (;;) {
		usleep((100 + rand_r(&pause_seed) % 901) * 1000);
		if (atomic_load(&stop))
			break;
		dsa_dbg_write32(&dbg, DSA_DBG_PAUSE, 1);
		usleep((10 + rand_r(&pause_seed) % 241) * 1000);
		dsa_dbg_write32(&dbg, DSA_DBG_PAUSE, 0);
		pauses++;
	}
	return NULL;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && !*end && *v > 0;
}

/* lab.soak_pages=N (make soak SOAK_PAGES=N), then --pages=N, --seconds=S. */
static void parse_args(int argc, char **argv, uint64_t *pages,
		       uint64_t *seconds)
{
	static const struct option opts[] = {
		{ "pages", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	char cmdline[4096], *tok, *save;
	int c;

	if (!file_read("/proc/cmdline", cmdline, sizeof(cmdline)))
		for (tok = strtok_r(cmdline, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save))
			if (!strncmp(tok, "lab.soak_pages=", 15) &&
			    !parse_u64(tok + 15, pages))
				goto usage;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if ((c != 'p' && c != 's') ||
		    !parse_u64(optarg, c == 'p' ? pages : seconds))
			goto usage;
	if (optind == argc)
		return;
usage:
	fprintf(stderr, "usage: %s [--pages=N] [--seconds=S] (N, S > 0; also lab.soak_pages=N)\n",
		argv[0]);
	exit(2);
}

static char *soak_buffer(size_t len, bool thp, int node)
{
	char *buf = dsam_buffer_or_abort(len, thp, node, seed);

	/* A fragmenter forked later would share it: move_pages EACCES. */
	if (madvise(buf, len, MADV_DONTFORK))
		ktap_abort("madvise(MADV_DONTFORK): %s", strerror(errno));
	return buf;
}

/* Buffers, fragmenter, DAMON, fault injection, then every thread. */
static void start_sources(void)
{
	uint64_t start, end;
	int i, ret;

	ret = node_phys_range(SLOW, &start, &end);
	if (ret)
		ktap_abort("node%d physical range: %s", SLOW, strerror(-ret));
	for (i = 0; i < MOVERS; i++) {
		movers[i].chk.name = "move_pages";
		movers[i].buf[0] = soak_buffer(MOVER_BYTES, false, FAST);
		movers[i].buf[1] = soak_buffer(MOVER_BYTES, true, FAST);
	}
	/* On node 1, then without a policy, so that DAMON may move it. */
	acc.buf = soak_buffer(DAMON_BYTES, false, SLOW);
	if (mbind(acc.buf, DAMON_BYTES, MPOL_DEFAULT, NULL, 0, 0))
		ktap_abort("mbind MPOL_DEFAULT: %s", strerror(errno));
	ret = fragment(&comp.frag);
	if (ret)
		ktap_abort("fragmenting node%d: %s", SLOW, strerror(-ret));
	ktap_diag("fragmenter pid %d: %" PRIu64 " MiB, %zu survivors; DAMON watches node%d [0x%" PRIx64 ", 0x%" PRIx64 ")",
		  (int)comp.frag.pid, comp.frag.region.len >> 20,
		  frag_survivors(&comp.frag.region), SLOW, start, end);

	damon_on = damon_setup(start, end, FAST);
	if (!damon_on)
		ktap_abort("DAMON did not take the migrate_hot scheme");
	dsa_dbg_write32(&dbg, DSA_DBG_FAULT_EVERY, FAULT_EVERY);
	pause_seed = (unsigned int)seed;
	ret = pthread_create(&pauser, NULL, pauser_main, NULL) ||
	      pthread_create(&comp.thr, NULL, compactor_main, &comp) ||
	      pthread_create(&acc.thr, NULL, accessor_main, &acc);
	for (i = 0; i < MOVERS && !ret; i++)
		ret = pthread_create(&movers[i].thr, NULL, mover_main,
				     &movers[i]);
	if (ret)
		ktap_abort("cannot start the soak's threads");
}

/* Until @pages went by DMA or @seconds passed; returns the seconds. */
static uint64_t soak_until(const struct dsam_stats *s0, uint64_t pages,
			   uint64_t seconds)
{
	uint64_t t0 = clock_ns(), last = t0, offloaded;
	struct dsam_stats s;

	do {
		sleep(1);
		if (dsam_stats_read(&s))
			ktap_abort("cannot read %s/stats", DSAM_SYS);
		offloaded = dsam_delta(s0, &s, DSAM_BYTES_OFFLOADED) /
			    PAGE_SIZE_4K;
		if (clock_ns() - last < 60 * NS)
			continue;
		last = clock_ns();
		ktap_diag("soak: %" PRIu64 " s, offloaded %" PRIu64 " pages, descriptor errors %" PRIu64 ", timeouts %" PRIu64 ", quarantined %" PRIu64,
			  (last - t0) / NS, offloaded,
			  dsam_delta(s0, &s, DSAM_DESCRIPTOR_ERRORS),
			  dsam_delta(s0, &s, DSAM_TIMEOUTS),
			  s.v[DSAM_FOLIOS_QUARANTINED]);
	} while (offloaded < pages && clock_ns() - t0 < seconds * NS);
	return (clock_ns() - t0) / NS;
}

/* Stop every source, DAMON off, check all memory once more. */
static uint64_t stop_sources(void)
{
	uint64_t applied;
	int i;

	/* The stalls and faults end first, so that nothing waits on them. */
	atomic_store(&stop, true);
	pthread_join(pauser, NULL);
	dsa_dbg_write32(&dbg, DSA_DBG_PAUSE, 0);
	dsa_dbg_write32(&dbg, DSA_DBG_FAULT_EVERY, 0);
	for (i = 0; i < MOVERS; i++)
		pthread_join(movers[i].thr, NULL);
	pthread_join(acc.thr, NULL);
	pthread_join(comp.thr, NULL);
	applied = damon_scheme_stat("sz_applied");
	damon_teardown();
	damon_on = false;

	for (i = 0; i < MOVERS; i++) {
		check_pages(&movers[i].chk, movers[i].buf[0], MOVER_BYTES);
		check_pages(&movers[i].chk, movers[i].buf[1], MOVER_BYTES);
	}
	check_pages(&acc.chk, acc.buf, DAMON_BYTES);
	check_survivors(&comp);
	frag_child_stop(&comp.frag);
	return applied;
}

int main(int argc, char **argv)
{
	const char *args[] = { "min_batch_pages=8", "timeout_ms=500",
			       "queue_depth=16", NULL };
	uint64_t pages = 1000000, seconds = 1200, secs, offloaded, applied;
	uint64_t faults0, faults, errors, fallback, abandoned, quarantined;
	uint64_t checks = 0, mover_bad = 0, bad, migrated;
	static struct vmstat_snap v0, v1;
	struct dsam_stats s0, s1;
	long on_target = 0;
	int i;

	parse_args(argc, argv, &pages, &seconds);
	seed = pattern_seed();
	ktap_plan(10);
	ktap_diag("soak: %" PRIu64 " pages, at most %" PRIu64 " s, seed 0x%016" PRIx64,
		  pages, seconds, seed);
	atexit(cleanup);
	if (!damon_available())
		ktap_abort("no DAMON sysfs (%s): CONFIG_DAMON_SYSFS?",
			   DAMON_ADMIN);
	dsam_setup_or_abort(args);
	dsa_dbg_open_or_abort(&dbg);
	/* Only the three sources may migrate: no NUMA balancing. */
	have_nb = !file_read(NUMA_BALANCING, nb_saved, sizeof(nb_saved));
	if (have_nb && file_write(NUMA_BALANCING, "0"))
		ktap_abort("cannot disable %s", NUMA_BALANCING);
	if (dsam_stats_read(&s0) || vmstat_snapshot(&v0))
		ktap_abort("cannot read the module's or the kernel's counters");
	faults0 = dsa_dbg_read64(&dbg, DSA_DBG_FAULTS);

	start_sources();
	secs = soak_until(&s0, pages, seconds);
	applied = stop_sources();

	/* The late completions of the last stalls empty the quarantine. */
	for (i = 0; i < 100; i++, usleep(100000))
		if (!dsam_stats_read(&s1) && !s1.v[DSAM_FOLIOS_QUARANTINED])
			break;
	if (dsam_stats_read(&s1) || vmstat_snapshot(&v1))
		ktap_abort("cannot read the module's or the kernel's counters");
	quarantined = s1.v[DSAM_FOLIOS_QUARANTINED];
	faults = dsa_dbg_read64(&dbg, DSA_DBG_FAULTS) - faults0;
	offloaded = dsam_delta(&s0, &s1, DSAM_BYTES_OFFLOADED) / PAGE_SIZE_4K;
	errors = dsam_delta(&s0, &s1, DSAM_DESCRIPTOR_ERRORS);
	fallback = dsam_delta(&s0, &s1, DSAM_FOLIOS_FALLBACK);
	abandoned = dsam_delta(&s0, &s1, DSAM_FOLIOS_ABANDONED);
	migrated = vmstat_delta(&v0, &v1, "pgmigrate_success");

	dsam_stats_report(&s0, &s1);
	vmstat_report_delta(&v0, &v1, "pgmigrate_");
	vmstat_report_delta(&v0, &v1, "compact_");
	vmstat_report_delta(&v0, &v1, "thp_migration");
	for (i = 0; i < MOVERS; i++) {
		uint64_t huge = 0;

		/* Migration to a node without a free 2 MiB block splits THPs. */
		mem_anon_huge(movers[i].buf[1], &huge);
		ktap_diag("mover %d: %ld moves, %ld pages reported on target, %ld failed calls, %" PRIu64 " MiB still THPs",
			  i, movers[i].moves, movers[i].on_target,
			  movers[i].errors, huge >> 20);
		on_target += movers[i].on_target;
		mover_bad += movers[i].chk.mm.bad_pages;
		checks += movers[i].chk.pages;
	}
	checks += acc.chk.pages + comp.chk.pages;
	bad = mover_bad + acc.chk.mm.bad_pages + comp.chk.mm.bad_pages;
	ktap_diag("compaction: %ld passes, %ld fragmentations, %ld errors; damon: sz_applied %" PRIu64 ", %ld sweeps, %ld pages found on node%d in %ld returns; device: %" PRIu64 " faults injected",
		  comp.passes, comp.refrags + 1, comp.errors, applied,
		  acc.sweeps, acc.promoted, FAST, acc.returns, faults);
	ktap_diag("soak: pages migrated %" PRIu64 ", offloaded %" PRIu64 " pages, fallen back %" PRIu64 " folios, abandoned %" PRIu64 ", quarantined %" PRIu64 ", descriptor errors %" PRIu64 ", pauses %ld, page checks %" PRIu64 ", corrupted %" PRIu64 ", seconds %" PRIu64,
		  migrated, offloaded, fallback, abandoned,
		  quarantined, errors, pauses, checks, bad, secs);

	ktap_ok(offloaded >= pages, "offloaded_%" PRIu64 "_pages", pages);
	ktap_ok(!mover_bad, "move_pages_buffers_intact");
	ktap_ok(!comp.chk.mm.bad_pages && !comp.unreadable,
		"compaction_survivors_intact");
	ktap_ok(!acc.chk.mm.bad_pages, "damon_buffer_intact");
	ktap_ok(migrated > 0 && on_target > 0, "move_pages_migrated");
	ktap_ok(vmstat_delta(&v0, &v1, "compact_isolated") > 0,
		"compaction_isolated_pages");
	ktap_ok(applied > 0, "damon_promoted");
	/* Every fault the device injected reached the module as an error. */
	ktap_ok(errors > 0 && errors == faults, "injected_faults_counted");
	/*
	 * A folio has one descriptor (max_seg_bytes is 2 MiB): when it failed,
	 * the folio fell back, unless its batch had given up on it.
	 */
	ktap_ok(fallback + abandoned >= errors, "failed_folios_fell_back");
	ktap_ok(!quarantined && !s1.v[DSAM_STRAY_CALLBACKS],
		"nothing_quarantined_after_pauses");

	cleanup();
	dsa_dbg_close(&dbg);
	return dsam_finish();
}
