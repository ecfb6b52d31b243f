// SPDX-License-Identifier: GPL-2.0
/*
 * bench-migrate - move_pages(2) throughput between nodes, CPU copy versus
 * the DSA offload with 1, 2, 4, 8 and 16 channels, for 4 KiB, 16 KiB,
 * 64 KiB, 256 KiB, 1 MiB (mTHP) and 2 MiB folios, measured in one run and
 * printed as a table shaped like the RFC v4 one (GB/s, mean±sd; rows:
 * baseline, then DMA with N channels).
 *
 * lab:test timeout=3000 set=extra
 *
 * Run it with `make bench-migrate` (DSA=1, DSA_COUNT=4: 16 engines, one
 * channel each), which also writes the comparison with the RFC's table and
 * the PNGs.  Each cell: NSAMPLES times (lab.bench_samples=N on the kernel
 * command line, 2..20, default 10), a fresh 32 MiB buffer of folios of
 * that size, bound to node0 and filled with the page pattern, is moved to
 * node1 by folio head and checked; GB/s = bytes moved per move_pages(2)
 * time.  mTHP sizes through hugepages-<N>kB/enabled (the others "never").
 * Baseline: dsa_migrate disabled (no provider: the kernel's folio-by-folio
 * CPU copy).  DMA rows: nr_chans=N, min_batch_pages at its default; every
 * DSA device found gets 4 WQs, one engine each (offload-wqs).  Every cell
 * is also a test result: every byte intact after the last move, and for
 * DMA rows every folio copied by DMA with no fallback.  A row that cannot
 * be measured (fewer channels, no such mTHP size) is a skip saying why.
 * Machine-readable lines "# bench-data <row> <size> <mean> <sd> <n>" feed
 * tests/host/bench/bench-migrate-report.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "clock.h"
#include "dsam.h"
#include "file.h"
#include "ktap.h"
#include "mem.h"
#include "node.h"
#include "pattern.h"

#define BUF_BYTES	(32UL << 20)
#define NSAMPLES_MAX	20
#define THP_DIR		"/sys/kernel/mm/transparent_hugepage"

struct size_cfg {
	const char *name;
	size_t folio;
};

/* The RFC v4 table's columns; mTHP sizes need hugepages-<N>kB */
static const struct size_cfg sizes[] = {
	{ "4K", 4096 },
	{ "16K", 16 << 10 },
	{ "64K", 64 << 10 },
	{ "256K", 256 << 10 },
	{ "1M", 1 << 20 },
	{ "2M", 2 << 20 },
};

static const unsigned int rows[] = { 0, 1, 2, 4, 8, 16 };	/* 0: baseline */

#define NSIZES	(sizeof(sizes) / sizeof(sizes[0]))
#define NROWS	(sizeof(rows) / sizeof(rows[0]))

struct cell {
	bool done;
	double mean, sd;
	char why[96];
};

static struct cell table[NROWS][NSIZES];
static char saved_mode[NSIZES][64], saved_global[64];
static bool have[NSIZES];	/* its hugepages-<N>kB exists (not 4K) */
static int nsamples = 10;

/* "always [madvise] never" -> "madvise" */
static void selected(const char *in, char *out, size_t len)
{
	const char *a = strchr(in, '['), *b = a ? strchr(a, ']') : NULL;

	if (a && b && (size_t)(b - a) < len) {
		memcpy(out, a + 1, b - a - 1);
		out[b - a - 1] = '\0';
	} else {
		snprintf(out, len, "%s", in);
	}
}

static void size_path(char *p, size_t len, unsigned int s, const char *leaf)
{
	snprintf(p, len, THP_DIR "/hugepages-%zukB/%s", sizes[s].folio >> 10,
		 leaf);
}

/* Folios of size @s only: its hugepages-<N>kB "always", the others "never" */
static int set_thp_modes(unsigned int s)
{
	char path[128];
	int ret = 0;

	for (unsigned int t = 1; t < NSIZES && !ret; t++) {
		if (!have[t])
			continue;
		size_path(path, sizeof(path), t, "enabled");
		ret = file_write(path, t == s ? "always" : "never");
	}
	return ret;
}

static void restore_thp_modes(void)
{
	char path[128];

	for (unsigned int t = 1; t < NSIZES; t++) {
		if (!have[t])
			continue;
		size_path(path, sizeof(path), t, "enabled");
		file_write(path, saved_mode[t]);
	}
	if (saved_global[0])
		file_write(THP_DIR "/enabled", saved_global);
}

/* lab.bench_samples=N on the kernel command line, 1..NSAMPLES_MAX */
static int samples_from_cmdline(void)
{
	char cmdline[4096], *tok, *save;
	int n;

	if (file_read("/proc/cmdline", cmdline, sizeof(cmdline)))
		return 10;
	for (tok = strtok_r(cmdline, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save))
		if (sscanf(tok, "lab.bench_samples=%d", &n) == 1) {
			if (n < 2 || n > NSAMPLES_MAX)
				ktap_abort("lab.bench_samples=%d: must be 2..%d",
					   n, NSAMPLES_MAX);
			return n;
		}
	return 10;
}

static int set_row(unsigned int chans)
{
	char val[16];
	int ret;

	ret = dsam_param_set("enable", "0");
	if (ret || !chans)
		return ret;
	snprintf(val, sizeof(val), "%u", chans);
	ret = dsam_param_set("nr_chans", val);
	if (!ret)
		ret = dsam_param_set("enable", "1");
	return ret;
}

/* 32 MiB on node0 in folios of @sc's size, filled with the pattern. */
static void *fresh_buffer(const struct size_cfg *sc, uint64_t seed)
{
	void *buf = mem_map_aligned(BUF_BYTES, HPAGE_SIZE_2M);

	if (!buf)
		ktap_abort("mmap %lu bytes failed", BUF_BYTES);
	if (madvise(buf, BUF_BYTES, sc->folio > 4096 ? MADV_HUGEPAGE :
		    MADV_NOHUGEPAGE))
		ktap_abort("madvise: %s", strerror(errno));
	if (mem_bind(buf, BUF_BYTES, 0))
		ktap_abort("mbind node0 failed");
	pattern_fill(buf, BUF_BYTES, seed);
	return buf;
}

static void measure(unsigned int r, unsigned int s, uint64_t seed)
{
	const struct size_cfg *sc = &sizes[s];
	struct cell *c = &table[r][s];
	struct dsam_stats before, after;
	struct pattern_mismatch mm;
	double gbps[NSAMPLES_MAX], sum = 0, sq = 0;
	uint64_t folios, bytes, fallback, migrated = 0, alloc0 = 0, alloc1 = 0;
	bool mthp = s > 0 && sc->folio < HPAGE_SIZE_2M;
	char name[64], row[16], path[128];
	size_t bad_pages = 0;
	long bad = 0;
	void *buf;
	int i, ret;

	if (r)
		snprintf(row, sizeof(row), "dma%u", rows[r]);
	else
		snprintf(row, sizeof(row), "baseline");
	snprintf(name, sizeof(name), "bench_%s_%s", row, sc->name);
	if (s && !have[s]) {
		snprintf(c->why, sizeof(c->why), "no %zu KiB THP size in this kernel",
			 sc->folio >> 10);
		ktap_skip(name, "%s", c->why);
		return;
	}
	ret = set_row(rows[r]);
	if (ret) {
		snprintf(c->why, sizeof(c->why), "cannot enable %u channel(s): %s",
			 rows[r], strerror(-ret));
		ktap_skip(name, "%s", c->why);
		return;
	}
	if (set_thp_modes(s))
		ktap_abort("cannot set THP modes for %s", sc->name);

	/* Free memory in large blocks, so that large folios can be had. */
	file_write("/proc/sys/vm/compact_memory", "1");
	size_path(path, sizeof(path), s, "stats/anon_fault_alloc");
	if (mthp)
		file_read_u64(path, &alloc0);
	if (dsam_stats_read(&before))
		ktap_abort("cannot read %s/stats", DSAM_SYS);
	for (i = 0; i < nsamples; i++) {
		uint64_t t0, dt, moved = BUF_BYTES;
		long left;

		buf = fresh_buffer(sc, seed);
		t0 = clock_ns();
		left = mem_move(buf, BUF_BYTES, sc->folio, 1);
		dt = clock_ns() - t0;
		/* Pages left behind did not move: count only what did. */
		if (left) {
			bad++;
			moved = left > 0 ? BUF_BYTES - left * sc->folio : 0;
		}
		migrated += moved;
		gbps[i] = (double)moved / (double)dt;
		sum += gbps[i];
		pattern_mismatch_init(&mm);
		bad_pages += pattern_verify(buf, BUF_BYTES, seed, &mm);
		pattern_report(&mm);
		munmap(buf, BUF_BYTES);
	}
	if (dsam_stats_read(&after))
		ktap_abort("cannot read %s/stats", DSAM_SYS);
	if (mthp) {
		file_read_u64(path, &alloc1);
		ktap_diag("  %s: %" PRIu64 " of %lu %zu KiB mTHPs allocated",
			  name, alloc1 - alloc0, nsamples * (BUF_BYTES / sc->folio),
			  sc->folio >> 10);
	}
	c->mean = sum / nsamples;
	for (i = 0; i < nsamples; i++)
		sq += (gbps[i] - c->mean) * (gbps[i] - c->mean);
	c->sd = sqrt(sq / (nsamples - 1));
	c->done = true;

	folios = dsam_delta(&before, &after, DSAM_FOLIOS_OFFLOADED);
	bytes = dsam_delta(&before, &after, DSAM_BYTES_OFFLOADED);
	fallback = dsam_delta(&before, &after, DSAM_FOLIOS_FALLBACK);
	ktap_diag("bench-data %s %s %.3f %.3f %d", row, sc->name, c->mean, c->sd, nsamples);
	ktap_diag("  %s: %" PRIu64 " MiB migrated, %" PRIu64
		  " folios by DMA (%" PRIu64 " bytes on average), %" PRIu64
		  " fallback, %ld moves with a page not moved", name,
		  migrated >> 20, folios, folios ? bytes / folios : 0, fallback,
		  bad);
	/*
	 * Every byte intact; baseline: nothing offloaded; DMA: every migrated
	 * byte copied by DMA, nothing fell back.  For 4K and 2M every page
	 * must have moved; mTHPs may have been split by the kernel.
	 */
	if (!r)
		ktap_ok(!bad_pages && !folios && (mthp || !bad), "%s", name);
	else
		ktap_ok(!bad_pages && !fallback && bytes >= migrated &&
			(mthp || !bad), "%s", name);
}

static void print_table(void)
{
	unsigned int r, s;
	char line[256];
	int n;

	ktap_diag("move_pages(2) throughput node0->node1, GB/s, mean±sd of %d moves of %lu MiB",
		  nsamples, BUF_BYTES >> 20);
	ktap_diag("=====================================================================================");
	n = snprintf(line, sizeof(line), "Channel Cnt |");
	for (s = 0; s < NSIZES; s++)
		n += snprintf(line + n, sizeof(line) - n, " %11s |",
			      sizes[s].name);
	ktap_diag("%s", line);
	ktap_diag("=====================================================================================");
	for (r = 0; r < NROWS; r++) {
		n = r ? snprintf(line, sizeof(line), "%-11u |", rows[r]) :
			snprintf(line, sizeof(line), "%-11s |", "baseline");
		for (s = 0; s < NSIZES; s++) {
			char v[32];

			if (table[r][s].done)
				snprintf(v, sizeof(v), "%.2f±%.2f",
					 table[r][s].mean, table[r][s].sd);
			else
				snprintf(v, sizeof(v), "n/a");
			n += snprintf(line + n, sizeof(line) - n, " %11s |", v);
		}
		ktap_diag("%s", line);
	}
}

/* Four WQs, one engine each, on every DSA device: up to 16 channels */
static void setup_channels(void)
{
	char cmd[128], path[64];
	struct stat st;
	int devs = 0;

	/* By number, so that the channels are always numbered alike */
	for (unsigned int m = 0; m < 64; m++) {
		snprintf(path, sizeof(path), "/sys/bus/dsa/devices/dsa%u", m);
		if (stat(path, &st))
			continue;
		snprintf(cmd, sizeof(cmd), "/tests/bin/offload-wqs 4 dsa%u", m);
		if (system(cmd) != 0)
			ktap_diag("%s failed: rows with more channels than configured will be skipped",
				  cmd);
		devs++;
	}
	if (!devs)
		ktap_abort("no DSA device in /sys/bus/dsa/devices");
	ktap_diag("%d DSA device(s), 4 channels each (DSA_COUNT=4 gives the 8- and 16-channel rows)",
		  devs);
}

int main(void)
{
	static const char *const off[] = { "enable=0", NULL };
	uint64_t seed = pattern_seed();
	char mode[128], path[128];
	unsigned int r, s;
	struct stat st;

	ktap_plan(NROWS * NSIZES);
	if (node_count_with_memory() < 2)
		ktap_abort("needs 2 nodes with memory");
	nsamples = samples_from_cmdline();
	for (s = 1; s < NSIZES; s++) {
		size_path(path, sizeof(path), s, "enabled");
		have[s] = !stat(path, &st) && !file_read(path, mode, sizeof(mode));
		if (have[s])
			selected(mode, saved_mode[s], sizeof(saved_mode[s]));
	}
	if (!have[NSIZES - 1])
		ktap_abort("no THP sysfs (%s)", THP_DIR);
	/* Per-size "always" needs the global mode to allow THPs. */
	if (!file_read(THP_DIR "/enabled", mode, sizeof(mode)))
		selected(mode, saved_global, sizeof(saved_global));
	file_write(THP_DIR "/enabled", "always");
	dsam_setup_or_abort(off);
	setup_channels();

	for (s = 0; s < NSIZES; s++)
		for (r = 0; r < NROWS; r++)
			measure(r, s, seed);

	dsam_param_set("enable", "0");
	restore_thp_modes();
	print_table();
	return ktap_finish();
}
