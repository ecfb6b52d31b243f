// SPDX-License-Identifier: GPL-2.0
/*
 * bench-migrate - move_pages(2) throughput between nodes, CPU copy versus
 * the DSA offload with 1, 2 and 4 channels, for 4 KiB, 64 KiB (mTHP) and
 * 2 MiB folios, measured in one run and printed as a table shaped like the
 * RFC v4 one (GB/s, mean±sd; rows: baseline, then DMA with N channels).
 *
 * lab:test timeout=1500 set=extra
 *
 * Run it with `make bench-migrate` (DSA=1), which also draws the PNG.
 * Each cell: NSAMPLES times, a fresh 32 MiB buffer of folios of that size,
 * bound to node0 and filled with the page pattern, is moved to node1 by
 * folio head and checked; GB/s = bytes moved per move_pages(2) time.  Baseline: dsa_migrate disabled
 * (no provider: the kernel's folio-by-folio CPU copy).  DMA rows:
 * nr_chans=N, min_batch_pages at its default.  Every cell is also a test
 * result: every byte intact after the last move, and for DMA rows every
 * folio copied by DMA with no fallback, at the expected folio size.  A row
 * that cannot be measured (fewer channels, no mTHP) is a skip saying why.
 * Machine-readable lines "# bench-data <row> <size> <mean> <sd> <n>" feed
 * tests/host/bench-migrate-plot.sh.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "dsam.h"
#include "ktap.h"
#include "util.h"

#define BUF_BYTES	(32UL << 20)
#define NSAMPLES	10
#define THP_DIR		"/sys/kernel/mm/transparent_hugepage"
#define MTHP_ALLOC	THP_DIR "/hugepages-64kB/stats/anon_fault_alloc"

struct size_cfg {
	const char *name;
	size_t folio;
	const char *pmd_mode;	/* hugepages-2048kB/enabled */
	const char *mthp_mode;	/* hugepages-64kB/enabled */
};

static const struct size_cfg sizes[] = {
	{ "4K", 4096, "never", "never" },
	{ "64K", 64 << 10, "never", "always" },
	{ "2M", 2 << 20, "always", "never" },
};

static const unsigned int rows[] = { 0, 1, 2, 4 };	/* 0: baseline */

#define NSIZES	(sizeof(sizes) / sizeof(sizes[0]))
#define NROWS	(sizeof(rows) / sizeof(rows[0]))

struct cell {
	bool done;
	double mean, sd;
	char why[96];
};

static struct cell table[NROWS][NSIZES];
static char saved_pmd[64], saved_mthp[64], saved_global[64];
static bool have_mthp;

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

static int set_thp_modes(const struct size_cfg *sc)
{
	int ret;

	ret = file_write(THP_DIR "/hugepages-2048kB/enabled", sc->pmd_mode);
	if (!ret && have_mthp)
		ret = file_write(THP_DIR "/hugepages-64kB/enabled",
				 sc->mthp_mode);
	return ret;
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
	void *buf = mmap_aligned(BUF_BYTES, HPAGE_SIZE_2M);

	if (!buf)
		ktap_abort("mmap %lu bytes failed", BUF_BYTES);
	if (madvise(buf, BUF_BYTES, sc->folio > 4096 ? MADV_HUGEPAGE :
		    MADV_NOHUGEPAGE))
		ktap_abort("madvise: %s", strerror(errno));
	if (bind_to_node(buf, BUF_BYTES, 0))
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
	double gbps[NSAMPLES], sum = 0, sq = 0;
	uint64_t folios, bytes, fallback, migrated = 0, mthp0 = 0, mthp1 = 0;
	char name[64], row[16];
	size_t bad_pages = 0;
	long bad = 0;
	void *buf;
	int i, ret;

	if (r)
		snprintf(row, sizeof(row), "dma%u", rows[r]);
	else
		snprintf(row, sizeof(row), "baseline");
	snprintf(name, sizeof(name), "bench_%s_%s", row, sc->name);
	if (sc->folio == (64 << 10) && !have_mthp) {
		snprintf(c->why, sizeof(c->why), "no 64 KiB mTHP in this kernel");
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
	if (set_thp_modes(sc))
		ktap_abort("cannot set THP modes for %s", sc->name);

	/* Free memory in large blocks, so that large folios can be had. */
	file_write("/proc/sys/vm/compact_memory", "1");
	file_read_u64(MTHP_ALLOC, &mthp0);
	if (dsam_stats_read(&before))
		ktap_abort("cannot read %s/stats", DSAM_SYS);
	for (i = 0; i < NSAMPLES; i++) {
		uint64_t t0, dt, moved = BUF_BYTES;
		long left;

		buf = fresh_buffer(sc, seed);
		t0 = now_ns();
		left = move_range(buf, BUF_BYTES, sc->folio, 1);
		dt = now_ns() - t0;
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
	file_read_u64(MTHP_ALLOC, &mthp1);
	if (sc->folio == (64 << 10))
		ktap_diag("  %s: %" PRIu64 " of %lu 64 KiB mTHPs allocated",
			  name, mthp1 - mthp0, NSAMPLES * (BUF_BYTES >> 16));
	c->mean = sum / NSAMPLES;
	for (i = 0; i < NSAMPLES; i++)
		sq += (gbps[i] - c->mean) * (gbps[i] - c->mean);
	c->sd = sqrt(sq / (NSAMPLES - 1));
	c->done = true;

	folios = dsam_delta(&before, &after, DSAM_FOLIOS_OFFLOADED);
	bytes = dsam_delta(&before, &after, DSAM_BYTES_OFFLOADED);
	fallback = dsam_delta(&before, &after, DSAM_FOLIOS_FALLBACK);
	ktap_diag("bench-data %s %s %.3f %.3f %d", row, sc->name, c->mean, c->sd, NSAMPLES);
	ktap_diag("  %s: %" PRIu64 " MiB migrated, %" PRIu64
		  " folios by DMA (%" PRIu64 " bytes on average), %" PRIu64
		  " fallback, %ld moves with a page not moved", name,
		  migrated >> 20, folios, folios ? bytes / folios : 0, fallback,
		  bad);
	/*
	 * Every byte intact; baseline: nothing offloaded; DMA: every migrated
	 * byte copied by DMA, nothing fell back.  For 4K and 2M every page
	 * must have moved; 64K folios may have been split by the kernel.
	 */
	if (!r)
		ktap_ok(!bad_pages && !folios &&
			(sc->folio == (64 << 10) || !bad), "%s", name);
	else
		ktap_ok(!bad_pages && !fallback && bytes >= migrated &&
			(sc->folio == (64 << 10) || !bad), "%s", name);
}

static void print_table(void)
{
	unsigned int r, s;
	char line[256];
	int n;

	ktap_diag("move_pages(2) throughput node0->node1, GB/s, mean±sd of %d moves of %lu MiB",
		  NSAMPLES, BUF_BYTES >> 20);
	ktap_diag("=====================================================");
	n = snprintf(line, sizeof(line), "Channel Cnt |");
	for (s = 0; s < NSIZES; s++)
		n += snprintf(line + n, sizeof(line) - n, " %12s |",
			      sizes[s].name);
	ktap_diag("%s", line);
	ktap_diag("=====================================================");
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
			n += snprintf(line + n, sizeof(line) - n, " %12s |", v);
		}
		ktap_diag("%s", line);
	}
}

int main(void)
{
	static const char *const off[] = { "enable=0", NULL };
	uint64_t seed = pattern_seed();
	char mode[128];
	unsigned int r, s;
	struct stat st;

	ktap_plan(NROWS * NSIZES);
	if (numa_nodes_with_memory() < 2)
		ktap_abort("needs 2 nodes with memory");
	if (file_read(THP_DIR "/hugepages-2048kB/enabled", mode, sizeof(mode)))
		ktap_abort("no THP sysfs (%s)", THP_DIR);
	selected(mode, saved_pmd, sizeof(saved_pmd));
	have_mthp = !stat(THP_DIR "/hugepages-64kB/enabled", &st);
	if (have_mthp) {
		file_read(THP_DIR "/hugepages-64kB/enabled", mode, sizeof(mode));
		selected(mode, saved_mthp, sizeof(saved_mthp));
	}
	/* Per-size "always" needs the global mode to allow THPs. */
	if (!file_read(THP_DIR "/enabled", mode, sizeof(mode)))
		selected(mode, saved_global, sizeof(saved_global));
	file_write(THP_DIR "/enabled", "always");
	dsam_setup_or_abort(off);
	/* One work queue (channel) per engine, for the 1/2/4-channel rows. */
	if (system("/tests/bin/offload-wqs 4") != 0)
		ktap_diag("offload-wqs 4 failed: rows with more channels than configured will be skipped");

	for (s = 0; s < NSIZES; s++)
		for (r = 0; r < NROWS; r++)
			measure(r, s, seed);

	dsam_param_set("enable", "0");
	file_write(THP_DIR "/hugepages-2048kB/enabled", saved_pmd);
	if (have_mthp)
		file_write(THP_DIR "/hugepages-64kB/enabled", saved_mthp);
	if (saved_global[0])
		file_write(THP_DIR "/enabled", saved_global);
	print_table();
	return ktap_finish();
}
