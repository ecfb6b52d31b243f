// SPDX-License-Identifier: GPL-2.0
/*
 * bench-breakeven - the batch size above which the DSA offload beats the
 * CPU copy: move_pages(2) of one batch of N folios node0->node1, timed
 * with dsa_migrate disabled (the kernel's CPU copy) and enabled
 * (one channel, min_batch_pages=1, so every batch is offloaded; four WQs
 * are configured, each with an engine of its own, so the channel has one
 * engine: CAL'25's one WQ and one PE, the RFC's one channel), for
 * N = 1..512 base pages (4 KiB) and N = 1..8 THPs (2 MiB).
 *
 * lab:test timeout=1500 set=extra
 *
 * Meant for timed mode, `make bench-breakeven TIMING=1`: the guest's clock
 * is its instruction count and the device completes at its model's
 * deadlines, so the numbers are the model's, the same on every run.
 * (Untimed, they measure TCG against host memcpy.)  Each point: NREP
 * moves of a fresh, filled buffer from CPU 0; the time is the fastest
 * move_pages(2) call (the others include other vCPUs' work: the guest's
 * vCPUs share one virtual clock under -icount).  Machine-readable lines "# bench-data breakeven <kind> <n>
 * <cpu_ns> <dma_ns>" and "# breakeven <kind> <n|none>" feed
 * tests/host/bench/bench-breakeven-report.c.  Every point is also checked:
 * every byte intact, every page moved, the DMA moves all by DMA and the
 * CPU ones none.  The crossover is the smallest N from which on the
 * offload is faster at every larger N measured.  With lab.breakeven_quick=1
 * (make check-timing-determinism) only N = 1, 32, 512 base pages and no
 * THP: a short run whose numbers must repeat exactly.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "clock.h"
#include "cpu.h"
#include "dsam.h"
#include "file.h"
#include "ktap.h"
#include "mem.h"
#include "node.h"
#include "pattern.h"

#define NREP		7
#define THP_DIR		"/sys/kernel/mm/transparent_hugepage"

struct kind {
	const char *name;
	size_t folio;
	const unsigned int *n;
	unsigned int count;
};

static const unsigned int n4k[] = {
	1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256, 512
};
static const unsigned int nthp[] = { 1, 2, 4, 8 };
static const unsigned int nquick[] = { 1, 32, 512 };

static struct kind kinds[] = {
	{ "4K", 4096, n4k, sizeof(n4k) / sizeof(n4k[0]) },
	{ "THP", HPAGE_SIZE_2M, nthp, sizeof(nthp) / sizeof(nthp[0]) },
};

#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))
#define MAXN	(sizeof(n4k) / sizeof(n4k[0]))

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int set_offload(bool on)
{
	int ret = dsam_param_set("enable", "0");

	if (!ret && on) {
		ret = dsam_param_set("nr_chans", "1");
		if (!ret)
			ret = dsam_param_set("min_batch_pages", "1");
		if (!ret)
			ret = dsam_param_set("enable", "1");
	}
	return ret;
}

/*
 * Fastest of NREP moves of @n folios of @k; false when a byte, a page
 * or the offload accounting was wrong (said in a diagnostic).
 */
static bool measure(const struct kind *k, unsigned int n, bool dma,
		    uint64_t seed, uint64_t *best)
{
	size_t len = n * k->folio;
	struct dsam_stats before, after;
	uint64_t t[NREP], folios, fallback;
	size_t bad_pages = 0;
	long left = 0;
	bool ok = true;

	if (dsam_stats_read(&before))
		ktap_abort("cannot read %s/stats", DSAM_SYS);
	for (int i = 0; i < NREP; i++) {
		void *buf = dsam_buffer_or_abort(len, k->folio > 4096, 0, seed);
		struct pattern_mismatch mm;
		uint64_t t0;

		t0 = clock_ns();
		left += mem_move(buf, len, k->folio, 1);
		t[i] = clock_ns() - t0;
		pattern_mismatch_init(&mm);
		bad_pages += pattern_verify(buf, len, seed, &mm);
		pattern_report(&mm);
		if (!mem_on_node(buf, len, k->folio, 1)) {
			ktap_diag("  %s n=%u %s: pages not on node1", k->name,
				  n, dma ? "dma" : "cpu");
			ok = false;
		}
		munmap(buf, len);
	}
	if (dsam_stats_read(&after))
		ktap_abort("cannot read %s/stats", DSAM_SYS);
	folios = dsam_delta(&before, &after, DSAM_FOLIOS_OFFLOADED);
	fallback = dsam_delta(&before, &after, DSAM_FOLIOS_FALLBACK);
	if (bad_pages || left) {
		ktap_diag("  %s n=%u %s: %zu bad pages, %ld not moved", k->name,
			  n, dma ? "dma" : "cpu", bad_pages, left);
		ok = false;
	}
	/* THPs the batch could not take go by the kernel's CPU retry */
	if (dma ? fallback || !folios ||
		  (k->folio == 4096 && folios != (uint64_t)NREP * n) : folios) {
		ktap_diag("  %s n=%u %s: %" PRIu64 " folios by DMA, %" PRIu64
			  " fallback (want %u by DMA)", k->name, n,
			  dma ? "dma" : "cpu", folios, fallback,
			  dma ? NREP * n : 0);
		ok = false;
	}
	qsort(t, NREP, sizeof(t[0]), cmp_u64);
	*best = t[0];
	return ok;
}

static void sweep(const struct kind *k, uint64_t seed)
{
	uint64_t cpu[MAXN], dma[MAXN];
	bool ok = true;
	int cross = -1;
	char name[32];

	snprintf(name, sizeof(name), "breakeven_%s", k->name);
	for (unsigned int i = 0; i < k->count; i++) {
		if (set_offload(false))
			ktap_abort("cannot disable dsa_migrate");
		ok &= measure(k, k->n[i], false, seed, &cpu[i]);
		if (set_offload(true))
			ktap_abort("cannot enable dsa_migrate with 1 channel");
		ok &= measure(k, k->n[i], true, seed, &dma[i]);
		ktap_diag("bench-data breakeven %s %u %" PRIu64 " %" PRIu64,
			  k->name, k->n[i], cpu[i], dma[i]);
	}
	set_offload(false);
	/* The smallest N from which on DMA wins at every N measured */
	for (int i = k->count - 1; i >= 0 && dma[i] < cpu[i]; i--)
		cross = i;
	ktap_diag("%-5s %8s %12s %12s %7s", k->name, "pages", "cpu us",
		  "dma us", "cpu/dma");
	for (unsigned int i = 0; i < k->count; i++)
		ktap_diag("%-5s %8u %12.2f %12.2f %7.2f", k->name,
			  k->n[i] * (unsigned int)(k->folio / 4096),
			  cpu[i] / 1e3, dma[i] / 1e3,
			  (double)cpu[i] / (double)dma[i]);
	if (cross >= 0) {
		ktap_diag("breakeven %s %u", k->name, k->n[cross]);
	} else {
		ktap_diag("breakeven %s none", k->name);
	}
	ktap_ok(ok, "%s", name);
}

/* lab.breakeven_quick=1 on the kernel command line */
static bool quick(void)
{
	char cmdline[4096], *tok, *save;

	if (file_read("/proc/cmdline", cmdline, sizeof(cmdline)))
		return false;
	for (tok = strtok_r(cmdline, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, "lab.breakeven_quick=1"))
			return true;
	return false;
}

int main(void)
{
	static const char *const off[] = { "enable=0", NULL };
	uint64_t seed = pattern_seed();
	unsigned int nk = NKINDS;

	if (quick()) {
		kinds[0].n = nquick;
		kinds[0].count = sizeof(nquick) / sizeof(nquick[0]);
		nk = 1;
	}
	ktap_plan(nk);
	if (node_count_with_memory() < 2)
		ktap_abort("needs 2 nodes with memory");
	if (file_write(THP_DIR "/enabled", "madvise") ||
	    file_write(THP_DIR "/hugepages-2048kB/enabled", "inherit"))
		ktap_diag("cannot set THP modes: THP points may fail");
	if (cpu_pin(node_first_cpu(0)))
		ktap_diag("cannot pin to node0's first CPU");
	dsam_setup_or_abort(off);
	if (system("/tests/bin/offload-wqs 4") != 0)
		ktap_abort("offload-wqs 4 failed");
	for (unsigned int k = 0; k < nk; k++)
		sweep(&kinds[k], seed);
	return ktap_finish();
}
