// SPDX-License-Identifier: GPL-2.0
/*
 * scenario.c - compaction scenario runner, see scenario.h.
 */
#include <errno.h>
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
#include "file.h"
#include "frag.h"
#include "hog.h"
#include "ktap.h"
#include "mem.h"
#include "node.h"
#include "offload.h"
#include "pattern.h"
#include "scenario.h"
#include "trace.h"
#include "vmstat.h"

#define PROACTIVENESS	"/proc/sys/vm/compaction_proactiveness"
#define MAX_FRAGMENTERS	2
#define MAX_SAMPLES	4096
#define SAMPLE_MS	100
#define MOVER_BYTES	(8UL << 20)
/* 4 KiB pages a fragmented 2 MiB block keeps: every other one */
#define PAGES_PER_BLOCK	256
/* Proactive trigger: kcompactd is done when it made no progress this long. */
#define QUIET_MS	2000
/* ... or, still progressing, after this many timeouts. */
#define PROACTIVE_CAP	3
/* Hugepages trigger: stop after this many fruitless nr_hugepages writes. */
#define HUGE_STALLS	8
/* Manual trigger: at most this many nodeN/compact writes. */
#define MANUAL_PASSES	6
/* Node memory left to the kernel and the helpers when fragmenting. */
#define FRAG_RESERVE	(64ULL << 20)

static const char *const trigger_names[] = {
	[SCEN_MANUAL] = "manual",
	[SCEN_HUGEPAGES] = "hugepages",
	[SCEN_PROACTIVE] = "proactive",
};

void scenario_defaults(struct scen_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->trigger = SCEN_MANUAL;
	o->mode = SCEN_BASELINE;
	o->node = -1;
	o->fragmenters = 1;
	o->pct = 100;
	o->timeout_s = 40;
	o->module = OFFLOAD_MODULE;
}

void scenario_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--trigger=manual|hugepages|proactive] [--mode=baseline|offload]\n"
		"          [--busy] [--mover] [--fragmenters=1|2] [--node=N] [--pct=10..100]\n"
		"          [--timeout=SECONDS] [--series] [--label=NAME] [--module=NAME]\n"
		"Fragment a node, trigger compaction, verify every surviving page; KTAP on stdout.\n",
		prog);
}

static int parse_int(const char *flag, const char *s, int lo, int hi, int *v)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(s, &end, 10);
	if (errno || end == s || *end || x < lo || x > hi) {
		fprintf(stderr, "error: %s=%s: expected an integer in %d..%d\n",
			flag, s, lo, hi);
		return -EINVAL;
	}
	*v = x;
	return 0;
}

int scenario_parse(int argc, char **argv, struct scen_opts *o)
{
	static const struct option longopts[] = {
		{ "trigger", required_argument, NULL, 't' },
		{ "mode", required_argument, NULL, 'm' },
		{ "busy", no_argument, NULL, 'b' },
		{ "mover", no_argument, NULL, 'v' },
		{ "fragmenters", required_argument, NULL, 'f' },
		{ "node", required_argument, NULL, 'n' },
		{ "pct", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "series", no_argument, NULL, 's' },
		{ "label", required_argument, NULL, 'l' },
		{ "module", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			for (i = 0; i < 3; i++)
				if (!strcmp(optarg, trigger_names[i]))
					break;
			if (i == 3) {
				fprintf(stderr, "error: --trigger=%s: expected manual, hugepages or proactive\n",
					optarg);
				return -EINVAL;
			}
			o->trigger = i;
			break;
		case 'm':
			if (!strcmp(optarg, "baseline")) {
				o->mode = SCEN_BASELINE;
			} else if (!strcmp(optarg, "offload")) {
				o->mode = SCEN_OFFLOAD;
			} else {
				fprintf(stderr, "error: --mode=%s: expected baseline or offload\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'b':
			o->busy = true;
			break;
		case 'v':
			o->mover = true;
			break;
		case 'f':
			if (parse_int("--fragmenters", optarg, 1,
				      MAX_FRAGMENTERS, &o->fragmenters))
				return -EINVAL;
			break;
		case 'n':
			if (parse_int("--node", optarg, 0, LAB_MAX_NODES - 1,
				      &o->node))
				return -EINVAL;
			break;
		case 'p':
			if (parse_int("--pct", optarg, 10, 100, &o->pct))
				return -EINVAL;
			break;
		case 'T':
			if (parse_int("--timeout", optarg, 1, 3600,
				      &o->timeout_s))
				return -EINVAL;
			break;
		case 's':
			o->series = true;
			break;
		case 'l':
			o->label = optarg;
			break;
		case 'M':
			o->module = optarg;
			break;
		case 'h':
		default:
			scenario_usage(argv[0]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "error: unexpected argument '%s'\n", argv[optind]);
		scenario_usage(argv[0]);
		return -EINVAL;
	}
	return 0;
}

int scenario_nr_results(const struct scen_opts *o)
{
	/* setup, survivors, migrated, huge, offload [, mover] [, hog] */
	return 5 + o->mover + o->busy;
}

/* ------------------------------------------------------------------ */

struct sample {
	uint32_t t_ms;
	uint16_t frag_pm;
	uint64_t migrated;
};

struct run {
	const struct scen_opts *o;
	const char *label;
	int node, cpu, other_cpu;
	int printed;			/* KTAP results printed so far */
	volatile int stop;

	struct frag_child frag[MAX_FRAGMENTERS];
	int nr_frag;

	pthread_t sampler;
	bool sampler_on;
	uint64_t t0;
	int nr_samples;
	struct sample samples[MAX_SAMPLES];

	pthread_t mover;
	bool mover_on;
	volatile int mover_ready;
	long mover_rounds, mover_bad;
	char mover_err[160];
};

static struct vmstat_snap snap_before, snap_after;

static void result(struct run *r, bool pass, const char *name)
{
	ktap_ok(pass, "%s_%s", r->label, name);
	r->printed++;
}

/* Fail every result not printed yet: a precondition is missing. */
static void fail_rest(struct run *r, const char *why)
{
	ktap_diag("%s: %s", r->label, why);
	while (r->printed < scenario_nr_results(r->o))
		result(r, false, "not_run");
}

static void *sampler_main(void *arg)
{
	struct run *r = arg;

	cpu_pin(r->other_cpu);
	while (!r->stop && r->nr_samples < MAX_SAMPLES) {
		struct sample *s = &r->samples[r->nr_samples];
		int pm = node_frag_permille(r->node, NULL);

		s->t_ms = (clock_ns() - r->t0) / 1000000;
		s->frag_pm = pm < 0 ? 0 : pm;
		if (vmstat_read("pgmigrate_success", &s->migrated))
			s->migrated = 0;
		r->nr_samples++;
		usleep(SAMPLE_MS * 1000);
	}
	return NULL;
}

/*
 * Concurrent move_pages worker: bounce a private buffer between node 0 and
 * node 1 and check every page after every move.
 */
static void *mover_main(void *arg)
{
	struct run *r = arg;
	uint64_t seed = pattern_seed();
	struct pattern_mismatch mm;
	char *buf;
	long bad;
	int to = 1;

	cpu_pin(r->other_cpu);
	buf = mem_map_aligned(MOVER_BYTES, HPAGE_SIZE_2M);
	if (!buf) {
		snprintf(r->mover_err, sizeof(r->mover_err), "mmap failed");
		r->mover_bad++;
		return NULL;
	}
	madvise(buf, MOVER_BYTES, MADV_NOHUGEPAGE);
	pattern_fill(buf, MOVER_BYTES, seed);
	r->mover_ready = 1;
	do {
		bad = mem_move(buf, MOVER_BYTES, PAGE_SIZE_4K, to);
		pattern_mismatch_init(&mm);
		if (bad || pattern_verify(buf, MOVER_BYTES, seed, &mm)) {
			if (!r->mover_bad)
				snprintf(r->mover_err, sizeof(r->mover_err),
					 "round %ld to node%d: %ld bad status, %zu bad pages (first %p off %zu)",
					 r->mover_rounds, to, bad, mm.bad_pages,
					 mm.page, mm.offset);
			r->mover_bad++;
		}
		r->mover_rounds++;
		to = !to;
	} while (!r->stop);
	munmap(buf, MOVER_BYTES);
	return NULL;
}

static int pick_node(const struct scen_opts *o)
{
	if (o->node >= 0)
		return o->node;
	return node_first_cpu(1) >= 0 ? 1 : 0;
}

static int pick_other_cpu(int cpu)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	int c;

	for (c = 0; c < n; c++)
		if (c != cpu)
			return c;
	return cpu;
}

/*
 * Why compaction stopped: compact_zone() reports each run through the
 * mm_compaction_end event (scanner positions and status) and each batch
 * through mm_compaction_migratepages.  Reported after the trigger so a run
 * that gains nothing says whether the scanners met or something ended it.
 */
#define COMPACT_TRACE_LINES	12

struct compact_trace {
	const char *label;
	unsigned long migrated, failed;
	long shown;
};

static int compact_trace_end(const char *text, void *arg)
{
	struct compact_trace *t = arg;

	if (t->shown++ < COMPACT_TRACE_LINES)
		ktap_diag("%s: compact_zone end: %s", t->label, text);
	return 0;
}

static int compact_trace_batch(const char *text, void *arg)
{
	struct compact_trace *t = arg;
	unsigned long ok, bad;

	if (sscanf(text, "nr_migrated=%lu nr_failed=%lu", &ok, &bad) == 2) {
		t->migrated += ok;
		t->failed += bad;
	}
	return 0;
}

/* Start tracing compaction, or stop and return what it migrated (-1: no trace). */
static long compact_trace(struct run *r, bool on)
{
	static const char *const events[] = {
		"compaction/mm_compaction_end",
		"compaction/mm_compaction_migratepages",
	};
	struct compact_trace t = { .label = r->label };
	long ends, batches;
	unsigned int i;

	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (trace_event_enable(events[i], on, on && !i) && on) {
			ktap_diag("%s: no %s trace event", r->label, events[i]);
			return -1;
		}
	if (on)
		return 0;
	ends = trace_for_each("mm_compaction_end", compact_trace_end, &t);
	batches = trace_for_each("mm_compaction_migratepages",
				 compact_trace_batch, &t);
	if (ends < 0 || batches < 0)
		return -1;
	ktap_diag("%s: traced %ld compact_zone runs, %ld batches: %lu migrated, %lu failed%s",
		  r->label, ends, batches, t.migrated, t.failed,
		  ends > COMPACT_TRACE_LINES ? " (first runs shown)" : "");
	return t.migrated;
}

static void diag_frag(struct run *r, const char *when)
{
	uint64_t free = 0, blocks = 0;
	int pm = node_frag_permille(r->node, &free);
	int ui = node_unusable_index(r->node, 9);
	char types[256];

	node_free_blocks(r->node, 9, &blocks);
	ktap_diag("%s: %s node%d free %" PRIu64 " MiB, %" PRIu64 " free 2 MiB blocks, %d.%d %% of free memory in smaller blocks, unusable_index(9) %s%d.%03d",
		  r->label, when, r->node, free >> 8, blocks, pm / 10, pm % 10,
		  ui < 0 ? "n/a " : "", ui < 0 ? 0 : ui / 1000,
		  ui < 0 ? 0 : ui % 1000);
	if (!node_pageblock_types(r->node, types, sizeof(types)))
		ktap_diag("%s: %s pageblocks by migratetype (pagetypeinfo order) %s",
			  r->label, when, types);
}

/*
 * Manual trigger: write nodeN/compact again until two passes in a row gain
 * no free 2 MiB block (at most MANUAL_PASSES).  One pass stops where the
 * scanners meet, mid-zone with a half-free node; the next pass starts
 * over and empties more blocks (typically four passes).
 */
static uint64_t compact_passes(struct run *r)
{
	uint64_t before = 0, after = 0;
	int pass, ret, idle = 0;
	char path[80];

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/compact",
		 r->node);
	node_free_blocks(r->node, 9, &before);
	for (pass = 1; pass <= MANUAL_PASSES; pass++) {
		ret = file_write(path, "1");
		if (ret) {
			ktap_diag("%s: %s: %s", r->label, path, strerror(-ret));
			break;
		}
		node_free_blocks(r->node, 9, &after);
		idle = after > before ? 0 : idle + 1;
		if (idle == 2)
			break;
		before = after > before ? after : before;
	}
	ktap_diag("%s: %d compaction pass(es)", r->label,
		  pass > MANUAL_PASSES ? MANUAL_PASSES : pass);
	return clock_ns();
}

/*
 * The allocation loop: raise nr_hugepages to @target again and again, as the
 * RFC's module calls alloc_pages_node() in a loop, until HUGE_STALLS writes
 * in a row gained nothing (compaction deferral makes single attempts give up
 * early) or the timeout.  Returns the time of the last gain.
 */
static uint64_t grow_hugepages(struct run *r, uint64_t target, uint64_t start,
			       uint64_t *got)
{
	uint64_t deadline, last = start, prev = 0, now;
	int stalls = 0, ret;

	deadline = start + (uint64_t)r->o->timeout_s * 1000000000ULL;
	node_hugepages_get(r->node, &prev);
	while (stalls < HUGE_STALLS && clock_ns() < deadline) {
		ret = node_hugepages_set(r->node, target);
		if (ret && ret != -ENOMEM) {
			ktap_diag("%s: nr_hugepages: %s", r->label,
				  strerror(-ret));
			break;
		}
		if (node_hugepages_get(r->node, &now))
			break;
		if (now > prev) {
			prev = now;
			last = clock_ns();
			stalls = 0;
		} else {
			stalls++;
		}
		if (now >= target)
			break;
	}
	*got = prev;
	return last;
}

/*
 * Wait until kcompactd stops making progress.  Progress is
 * compact_isolated, which compaction counts pageblock by pageblock as it
 * isolates pages to move: the scanned counters (compact_migrate_scanned,
 * kcompactd's compact_daemon_migrate_scanned) move only when a whole
 * compact_zone run ends, and on a slow kernel (KASAN, DMA API debugging,
 * a loaded host) one run outlasts any fixed wait.  Gives up
 * when compaction has not started within the timeout, or at PROACTIVE_CAP
 * timeouts while it still progresses (then says so).
 */
static uint64_t wait_kcompactd(struct run *r, uint64_t start)
{
	uint64_t last_change = start, start_by, cap, prev = 0, cur, now;
	bool seen = false;

	start_by = start + (uint64_t)r->o->timeout_s * 1000000000ULL;
	cap = start + (uint64_t)r->o->timeout_s * PROACTIVE_CAP * 1000000000ULL;
	vmstat_read("compact_isolated", &prev);
	for (;;) {
		usleep(200 * 1000);
		now = clock_ns();
		if (vmstat_read("compact_isolated", &cur)) {
			ktap_diag("%s: cannot read compact_isolated",
				  r->label);
			break;
		}
		if (cur != prev) {
			prev = cur;
			last_change = now;
			seen = true;
		} else if (seen && now - last_change > QUIET_MS * 1000000ULL) {
			break;
		}
		if (!seen && now >= start_by) {
			ktap_diag("%s: compaction did not start within %d s",
				  r->label, r->o->timeout_s);
			break;
		}
		if (now >= cap) {
			ktap_diag("%s: compaction still progressing after %d s: stopped there",
				  r->label, r->o->timeout_s * PROACTIVE_CAP);
			break;
		}
	}
	return last_change;
}

/*
 * After proactiveness went back to 0, wait for the run in progress to see it
 * (at its next batch) so that what is measured next is what compaction did.
 */
static void wait_compaction_stopped(void)
{
	uint64_t prev = 0, cur, quiet_since = clock_ns();
	uint64_t give_up = quiet_since + 10000000000ULL;

	vmstat_read("compact_isolated", &prev);
	while (clock_ns() < give_up &&
	       clock_ns() - quiet_since < QUIET_MS * 1000000ULL / 2) {
		usleep(100 * 1000);
		if (vmstat_read("compact_isolated", &cur))
			return;
		if (cur != prev) {
			prev = cur;
			quiet_since = clock_ns();
		}
	}
}

void scenario_run(const struct scen_opts *o, struct scen_result *res)
{
	static struct run run;
	struct run *r = &run;
	struct scen_result out = { 0 };
	struct pattern_mismatch mm;
	struct cpu_times ct0, ct1;
	struct offload_state ofl;
	struct hog hog = { .pid = -1 };
	uint64_t free_bytes, hp_orig = 0, hp_now = 0, blocks0 = 0, blocks1 = 0, cleared;
	uint64_t t_start, t_end, per_frag, old_proact = 20;
	char label[64];
	bool intact, have_proact;
	int i, ret;

	memset(r, 0, sizeof(*r));
	r->o = o;
	if (o->label)
		snprintf(label, sizeof(label), "%s", o->label);
	else
		snprintf(label, sizeof(label), "%s-%s",
			 trigger_names[o->trigger],
			 o->mode == SCEN_OFFLOAD ? "offload" : "baseline");
	r->label = label;
	r->node = pick_node(o);
	ret = node_first_cpu(r->node);
	r->cpu = ret >= 0 ? ret : 0;
	r->other_cpu = pick_other_cpu(r->cpu);
	ktap_diag("%s: trigger=%s mode=%s busy=%d mover=%d fragmenters=%d node=%d cpu=%d pct=%d",
		  label, trigger_names[o->trigger],
		  o->mode == SCEN_OFFLOAD ? "offload" : "baseline", o->busy,
		  o->mover, o->fragmenters, r->node, r->cpu, o->pct);

	/* --- preconditions ------------------------------------------ */
	if (node_mem_free(r->node, &free_bytes)) {
		fail_rest(r, "target node has no meminfo (node missing?)");
		goto out;
	}
	if (o->mover && node_count_with_memory() < 2) {
		fail_rest(r, "--mover needs 2 nodes with memory");
		goto out;
	}
	if (o->trigger == SCEN_HUGEPAGES && node_hugepages_get(r->node, &hp_orig)) {
		fail_rest(r, "no 2 MiB hugetlb pool for the node (CONFIG_HUGETLBFS?)");
		goto out;
	}
	have_proact = !file_read_u64(PROACTIVENESS, &old_proact);
	if (o->trigger == SCEN_PROACTIVE && !have_proact) {
		fail_rest(r, "no " PROACTIVENESS);
		goto out;
	}
	ret = offload_prepare(&ofl, o->mode == SCEN_OFFLOAD, o->module);
	if (ret) {
		fail_rest(r, ofl.error);
		goto out;
	}
	if (cpu_pin(r->cpu)) {
		fail_rest(r, "cannot pin to the node's CPU");
		goto out_offload;
	}

	/* --- fragment: background compaction off, as in the RFC -------- */
	if (have_proact)
		file_write(PROACTIVENESS, "0");
	/*
	 * Like the RFC (248 of 250 GB), take (nearly) all of the node: with
	 * free memory left at the bottom of the zone, compaction's migrate
	 * scanner finds nothing to move before meeting the free scanner.
	 */
	per_frag = free_bytes > FRAG_RESERVE ? free_bytes - FRAG_RESERVE : 0;
	per_frag = per_frag / 100 * o->pct / o->fragmenters;
	for (i = 0; i < o->fragmenters; i++) {
		ret = frag_child_start(&r->frag[i], r->node, per_frag,
				       pattern_seed() + i);
		if (ret) {
			ktap_diag("%s: fragmenter %d: %s", label, i,
				  strerror(-ret));
			break;
		}
		r->nr_frag++;
	}
	/* All fill first, then all free: see frag.h. */
	for (i = 0; i < r->nr_frag; i++) {
		ret = frag_child_fragment(&r->frag[i]);
		if (ret) {
			ktap_diag("%s: fragmenter %d: %s", label, i,
				  strerror(-ret));
			break;
		}
	}
	if (!ktap_ok(i == r->nr_frag && r->nr_frag == o->fragmenters,
		     "%s_fragment_node%d",
		     label, r->node)) {
		r->printed++;
		fail_rest(r, "fragmentation failed");
		goto out_frag;
	}
	r->printed++;
	for (i = 0; i < r->nr_frag; i++)
		ktap_diag("%s: fragmenter pid %d holds %" PRIu64 " MiB, %zu surviving pages",
			  label, r->frag[i].pid, r->frag[i].region.len >> 20,
			  frag_survivors(&r->frag[i].region));
	diag_frag(r, "before");
	out.frag_before_pm = node_frag_permille(r->node, &free_bytes);
	free_bytes <<= 12;
	node_free_blocks(r->node, 9, &blocks0);

	/* --- helpers ------------------------------------------------ */
	r->t0 = clock_ns();
	/* Fork the hog first: a child forked later would share (and so pin
	 * against move_pages) the mover's pages. */
	if (o->busy && hog_start(&hog, r->cpu))
		ktap_diag("%s: cannot start the hog", label);
	if (!pthread_create(&r->sampler, NULL, sampler_main, r))
		r->sampler_on = true;
	if (o->mover && !pthread_create(&r->mover, NULL, mover_main, r))
		r->mover_on = true;
	/* The mover must be moving when compaction starts. */
	while (r->mover_on && !r->mover_ready && !r->mover_bad)
		usleep(1000);

	/* --- trigger ------------------------------------------------ */
	vmstat_snapshot(&snap_before);
	offload_snapshot(&ofl);
	cpu_times_read(r->cpu, &ct0);
	compact_trace(r, true);
	t_start = clock_ns();
	switch (o->trigger) {
	case SCEN_MANUAL:
		t_end = compact_passes(r);
		break;
	case SCEN_HUGEPAGES:
		/*
		 * Ask for all free memory as huge pages: more than the free
		 * 2 MiB blocks, so the allocations must compact.
		 */
		t_end = grow_hugepages(r, hp_orig + free_bytes / HPAGE_SIZE_2M,
				       t_start, &hp_now);
		out.huge = hp_now > hp_orig ? hp_now - hp_orig : 0;
		break;
	case SCEN_PROACTIVE:
	default:
		file_write(PROACTIVENESS, "100");
		t_end = wait_kcompactd(r, t_start);
		file_write(PROACTIVENESS, "0");
		wait_compaction_stopped();
		break;
	}
	cpu_times_read(r->cpu, &ct1);
	vmstat_snapshot(&snap_after);
	out.compact_migrated = compact_trace(r, false);
	offload_snapshot(&ofl);

	r->stop = 1;
	if (hog.pid > 0)
		out.hog_iters = hog_stop(&hog);
	if (r->mover_on)
		pthread_join(r->mover, NULL);
	if (r->sampler_on)
		pthread_join(r->sampler, NULL);

	out.wall_ms = (t_end - t_start) / 1000000;
	out.migrated = vmstat_delta(&snap_before, &snap_after,
				    "pgmigrate_success");
	out.offloaded = offload_delta(&ofl);
	cpu_times_share(&ct0, &ct1, &out.user_pm, &out.sys_pm, &out.idle_pm);
	out.frag_after_pm = node_frag_permille(r->node, NULL);
	node_free_blocks(r->node, 9, &blocks1);
	if (o->trigger != SCEN_HUGEPAGES)
		out.huge = blocks1 > blocks0 ? blocks1 - blocks0 : 0;
	diag_frag(r, "after");
	vmstat_report_delta(&snap_before, &snap_after, "compact_");
	vmstat_report_delta(&snap_before, &snap_after, "pgmigrate_");
	vmstat_report_delta(&snap_before, &snap_after, "thp_migration");
	offload_report(&ofl, label);

	/* --- verify every surviving page ------------------------------ */
	intact = true;
	pattern_mismatch_init(&mm);
	for (i = 0; i < r->nr_frag; i++) {
		size_t checked = 0;
		long bad = frag_verify_remote(r->frag[i].pid,
					      &r->frag[i].region, &mm,
					      &checked);

		if (bad < 0)
			ktap_diag("%s: cannot read fragmenter %d: %s", label,
				  r->frag[i].pid, strerror(-bad));
		if (bad || checked != frag_survivors(&r->frag[i].region))
			intact = false;
		out.verified += checked;
	}
	ktap_diag("%s: verified %" PRIu64 " surviving pages", label,
		  out.verified);
	pattern_report(&mm);
	result(r, intact && out.verified > 0, "survivors_intact");
	/*
	 * Huge pages must come out of compaction: more than the free 2 MiB
	 * blocks there were before (hugepages), or more free blocks after.
	 */
	if (o->trigger == SCEN_HUGEPAGES)
		ktap_diag("%s: huge pages obtained %" PRIu64 " (free 2 MiB blocks before: %" PRIu64 ")",
			  label, out.huge, blocks0);
	else
		ktap_diag("%s: free 2 MiB blocks gained %" PRIu64, label,
			  out.huge);
	/*
	 * Compaction's own migrations (its tracepoint; pgmigrate_success
	 * counts the mover's too), and enough of them for the blocks it
	 * cleared: each fragmented block holds 256 survivors; 128 leaves room
	 * for blocks that held fewer (measured: 290..910 per block).
	 */
	cleared = o->trigger == SCEN_HUGEPAGES ?
		(out.huge > blocks0 ? out.huge - blocks0 : 0) : out.huge;
	ktap_diag("%s: compaction migrated %" PRId64 " pages for %" PRIu64 " cleared blocks",
		  label, out.compact_migrated, cleared);
	result(r, out.compact_migrated > 0 &&
	       (uint64_t)out.compact_migrated >= cleared * (PAGES_PER_BLOCK / 2),
	       "compaction_migrated_pages_for_the_blocks");
	result(r, o->trigger == SCEN_HUGEPAGES ? out.huge > blocks0 :
	       out.huge > 0, "huge_pages_obtained");
	result(r, offload_verdict(&ofl), o->mode == SCEN_OFFLOAD ?
	       "offload_counters_rose" : "offload_stayed_idle");
	if (o->mover) {
		ktap_diag("%s: mover: %ld rounds of %lu pages, %ld bad%s%s",
			  label, r->mover_rounds, MOVER_BYTES / PAGE_SIZE_4K,
			  r->mover_bad, r->mover_bad ? ": " : "",
			  r->mover_err);
		result(r, r->mover_rounds > 0 && !r->mover_bad,
		       "concurrent_move_pages_intact");
	}
	if (o->busy) {
		ktap_diag("%s: hog iterations %" PRIu64, label, out.hog_iters);
		result(r, out.hog_iters > 0, "hog_ran");
	}

	ktap_diag("result %s trigger=%s mode=%s busy=%d wall_ms=%" PRIu64
		  " migrated=%" PRIu64 " offloaded=%" PRIu64
		  " user=%d.%d sys=%d.%d idle=%d.%d hog_iters=%" PRIu64
		  " huge=%" PRIu64 " frag_before=%d.%d frag_after=%d.%d verified=%" PRIu64,
		  label, trigger_names[o->trigger],
		  o->mode == SCEN_OFFLOAD ? "offload" : "baseline", o->busy,
		  out.wall_ms, out.migrated, out.offloaded,
		  out.user_pm / 10, out.user_pm % 10, out.sys_pm / 10,
		  out.sys_pm % 10, out.idle_pm / 10, out.idle_pm % 10,
		  out.hog_iters, out.huge, out.frag_before_pm / 10,
		  out.frag_before_pm % 10, out.frag_after_pm / 10,
		  out.frag_after_pm % 10, out.verified);
	if (o->series)
		for (i = 0; i < r->nr_samples; i++)
			ktap_diag("series %s %u %u %" PRIu64, label,
				  r->samples[i].t_ms, r->samples[i].frag_pm,
				  r->samples[i].migrated -
				  r->samples[0].migrated);

	if (o->trigger == SCEN_HUGEPAGES)
		node_hugepages_set(r->node, hp_orig);
out_frag:
	for (i = 0; i < r->nr_frag; i++)
		frag_child_stop(&r->frag[i]);
	if (have_proact)
		file_write_u64(PROACTIVENESS, old_proact);
out_offload:
	offload_restore(&ofl);
out:
	out.pass = ktap_failures() == 0;
	if (res)
		*res = out;
}

int scenario_main(int argc, char **argv)
{
	struct scen_opts o;

	scenario_defaults(&o);
	if (scenario_parse(argc, argv, &o))
		return 2;
	ktap_plan(scenario_nr_results(&o));
	scenario_run(&o, NULL);
	return ktap_finish();
}
