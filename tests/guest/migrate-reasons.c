// SPDX-License-Identifier: GPL-2.0
/*
 * migrate-reasons - every migration reason this guest can produce, each
 * triggered for real with dsa_migrate registered (reasons=all), reaches the
 * batch copy and the provider, and the pages it moved keep every byte.
 *
 * lab:test timeout=900 set=default boot=own karg=cma=16M@1G-1536M
 *
 * Per reason, three results: "<reason>_reached_provider" (a
 * migrate:mm_migrate_copy_batch event with that reason, copier=provider,
 * result=0 and at least one folio copied), "<reason>_moved" (the pages of
 * the test's own region that the trigger must move did move: node, frame
 * or memory block; at least 90 % for NUMA balancing and 75 % for DAMON
 * (as damon-promote), which move what they sample, not every page) and "<reason>_intact" (every byte of the region).
 *
 *   syscall_or_cpuset  move_pages(2) and migrate_pages(2)
 *   mempolicy_mbind    mbind(2) MPOL_BIND with MPOL_MF_MOVE
 *   numa_misplaced     automatic NUMA balancing: a thread on node1's CPU
 *                      keeps touching pages placed on node0
 *   damon              a DAMON paddr migrate_hot scheme to node1
 *   compaction         40 % of node1 fragmented (lib/frag.h), then
 *                      /sys/devices/system/node/node1/compact: at least a
 *                      pageblock (512) of the survivors moves
 *   memory_hotplug     a top memory block of node1, onlined movable with
 *                      the region in it, goes offline
 *   longterm_pin       a region in that ZONE_MOVABLE block registered as
 *                      io_uring fixed buffers (FOLL_LONGTERM)
 *   memory_failure     madvise(MADV_SOFT_OFFLINE)
 *   contig_range       pages in the CMA area (cma= on node1,
 *                      below the block above) taken back by
 *                      debugfs cma/<area>/alloc (alloc_contig_range)
 *
 * demotion needs a slower, CPU-less memory tier: migrate-demotion, in a boot
 * of its own with such a machine.
 */
#include <errno.h>
#include <inttypes.h>
#include <numaif.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "clock.h"
#include "cpu.h"
#include "damon.h"
#include "dsam.h"
#include "file.h"
#include "frag.h"
#include "kpage.h"
#include "ktap.h"
#include "mcopy.h"
#include "mem.h"
#include "node.h"
#include "pattern.h"
#include "pin.h"

#define MEMORY_SYS	"/sys/devices/system/memory"
#define CMA_DEBUGFS	"/sys/kernel/debug/cma"
#define NUMAB_SYSCTL	"/proc/sys/kernel/numa_balancing"
#define CHECKS_PER_REASON 3
#define NR_REASONS	9
#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE 101	/* asm-generic/mman-common.h */
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static uint64_t seed;

/* ------------------------------------------------------------------ */
/* regions and evidence */

struct region {
	char *buf;
	size_t len;
	uint64_t *pfns;
};

/*
 * 4 KiB pages of @len on @node; @contiguous: on consecutive frames, made
 * as THPs and split in place (debugfs split_huge_pages), so that a
 * physical-address monitor (DAMON paddr) can be given just their range.
 */
static void region_map(struct region *r, size_t len, int node, bool contiguous)
{
	unsigned long mask = 1UL << node;
	char split[96];

	r->len = len;
	r->buf = mem_map_aligned(len, HPAGE_SIZE_2M);
	if (!r->buf)
		ktap_abort("mmap %zu bytes: %s", len, strerror(errno));
	madvise(r->buf, len, contiguous ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	/* task policy, not the VMA's: NUMA balancing must be free to move */
	if (set_mempolicy(MPOL_BIND, &mask, sizeof(mask) * 8))
		ktap_abort("set_mempolicy node%d: %s", node, strerror(errno));
	pattern_fill(r->buf, len, seed);
	set_mempolicy(MPOL_DEFAULT, NULL, 0);
	if (contiguous) {
		snprintf(split, sizeof(split), "%d,0x%lx,0x%lx", getpid(),
			 (unsigned long)r->buf, (unsigned long)r->buf + len);
		if (file_write("/sys/kernel/debug/split_huge_pages", split))
			ktap_diag("cannot split the region's THPs in place");
		madvise(r->buf, len, MADV_NOHUGEPAGE);
	}
	r->pfns = calloc(len / PAGE_SIZE_4K, sizeof(*r->pfns));
	if (!r->pfns)
		ktap_abort("out of memory");
}

static void region_record(struct region *r)
{
	struct kpage_info pi;
	size_t i;

	for (i = 0; i < r->len / PAGE_SIZE_4K; i++)
		r->pfns[i] = kpage_info(r->buf + i * PAGE_SIZE_4K, &pi) ||
			     !pi.present ? 0 : pi.pfn;
}

/* Pages of @r whose frame is not the one region_record() saw. */
static long region_moved(const struct region *r)
{
	struct kpage_info pi;
	long moved = 0;
	size_t i;

	for (i = 0; i < r->len / PAGE_SIZE_4K; i++)
		moved += kpage_info(r->buf + i * PAGE_SIZE_4K, &pi) ||
			 !pi.present || pi.pfn != r->pfns[i];
	return moved;
}

/* Pages of @r with a frame in [@lo, @hi). */
static long region_in_pfns(const struct region *r, uint64_t lo, uint64_t hi)
{
	struct kpage_info pi;
	long n = 0;
	size_t i;

	for (i = 0; i < r->len / PAGE_SIZE_4K; i++)
		n += !kpage_info(r->buf + i * PAGE_SIZE_4K, &pi) && pi.present &&
		     pi.pfn >= lo && pi.pfn < hi;
	return n;
}

static void region_unmap(struct region *r)
{
	munmap(r->buf, r->len);
	free(r->pfns);
	memset(r, 0, sizeof(*r));
}

/* Clear the trace buffer: what follows is this reason's evidence. */
static void evidence_start(void)
{
	if (mcopy_trace_enable(true))
		ktap_abort("cannot enable migrate:mm_migrate_copy_batch");
}

static bool evidence_check(const char *reason)
{
	struct mcopy_evidence e;

	if (mcopy_trace_evidence(reason, &e))
		ktap_diag("cannot read the trace buffer");
	ktap_diag("%s: %ld batch events, %ld copied by the provider (%" PRIu64
		  " folios), %ld declined by it, %ld CPU batch copies", reason,
		  e.events, e.by_provider, e.folios, e.declined, e.cpu);
	return ktap_ok(e.by_provider > 0, "%s_reached_provider", reason);
}

static void region_check(const struct region *r, const char *reason,
			 bool moved)
{
	ktap_ok(moved, "%s_moved", reason);
	pattern_verify_ok(r->buf, r->len, seed, "%s_intact", reason);
}

/* ------------------------------------------------------------------ */
/* the reasons */

static void reason_syscall(void)
{
	struct region r;
	unsigned long from = 1UL << 0, to = 1UL << 1;
	bool moved;
	long ret;

	region_map(&r, 2 << 20, 0, false);
	evidence_start();
	/* half by move_pages(2), the rest by migrate_pages(2) */
	ret = mem_move(r.buf, r.len / 2, PAGE_SIZE_4K, 1);
	if (ret)
		ktap_diag("move_pages: %ld pages not moved", ret);
	ret = migrate_pages(0, sizeof(from) * 8, &from, &to);
	if (ret)
		ktap_diag("migrate_pages: %ld (%s)", ret, ret < 0 ? strerror(errno) : "pages not moved");
	evidence_check("syscall_or_cpuset");
	moved = mem_on_node(r.buf, r.len, PAGE_SIZE_4K, 1);
	region_check(&r, "syscall_or_cpuset", moved);
	region_unmap(&r);
}

static void reason_mbind(void)
{
	unsigned long mask = 1UL << 1;
	struct region r;

	region_map(&r, 2 << 20, 0, false);
	evidence_start();
	if (mbind(r.buf, r.len, MPOL_BIND, &mask, sizeof(mask) * 8,
		  MPOL_MF_MOVE | MPOL_MF_STRICT))
		ktap_diag("mbind MPOL_MF_MOVE: %s", strerror(errno));
	evidence_check("mempolicy_mbind");
	region_check(&r, "mempolicy_mbind",
		     mem_on_node(r.buf, r.len, PAGE_SIZE_4K, 1));
	region_unmap(&r);
}

struct toucher {
	struct region *r;
	volatile int stop;
	int cpu;
};

static void *touch_loop(void *arg)
{
	struct toucher *t = arg;
	volatile char *p = t->r->buf;
	size_t off;

	cpu_pin(t->cpu);
	while (!t->stop)
		for (off = 0; off < t->r->len; off += PAGE_SIZE_4K)
			(void)p[off];
	return NULL;
}

/* Pages of @r on node1. */
static long on_node1(const struct region *r)
{
	long counts[LAB_MAX_NODES], other;

	return mem_pages_per_node(r->buf, r->len, PAGE_SIZE_4K, counts, &other) > 0 ?
	       counts[1] : 0;
}

/*
 * Touch @r from @cpu until at least @pct % of it is on node1 or @secs pass;
 * true if it got there.  NUMA balancing and DAMON move what they see
 * accessed, in their own time and granularity, not necessarily every page.
 */
static bool touch_until_on_node1(struct region *r, int cpu, int secs, int pct)
{
	struct toucher t = { .r = r, .cpu = cpu };
	long n = r->len / PAGE_SIZE_4K, got = 0;
	uint64_t t0 = clock_ns();
	pthread_t th;

	if (cpu < 0 || pthread_create(&th, NULL, touch_loop, &t)) {
		ktap_diag("no CPU or no thread to touch the pages");
		return false;
	}
	while (got * 100 < n * pct && clock_ns() - t0 < secs * 1000000000ULL) {
		usleep(200000);
		got = on_node1(r);
	}
	t.stop = 1;
	pthread_join(th, NULL);
	ktap_diag("%ld of %ld pages on node1 after %.1f s of touching from cpu%d",
		  got, n, (clock_ns() - t0) / 1e9, cpu);
	return got * 100 >= n * pct;
}

static void reason_numa_misplaced(void)
{
	struct region r;
	bool moved;

	region_map(&r, 2 << 20, 0, false);
	evidence_start();
	if (file_write(NUMAB_SYSCTL, "1"))
		ktap_diag("cannot enable %s", NUMAB_SYSCTL);
	moved = touch_until_on_node1(&r, node_first_cpu(1), 120, 90);
	file_write(NUMAB_SYSCTL, "0");
	evidence_check("numa_misplaced");
	region_check(&r, "numa_misplaced", moved);
	region_unmap(&r);
}

static void reason_damon(void)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	struct region r;
	bool moved = false;
	size_t i;

	/* consecutive frames: DAMON watches the region and nothing else */
	region_map(&r, 2 << 20, 0, true);
	region_record(&r);
	for (i = 0; i < r.len / PAGE_SIZE_4K; i++) {
		lo = r.pfns[i] < lo ? r.pfns[i] : lo;
		hi = r.pfns[i] > hi ? r.pfns[i] : hi;
	}
	ktap_diag("damon: the region's %zu pages span %" PRIu64 " frames",
		  r.len / PAGE_SIZE_4K, hi - lo + 1);
	evidence_start();
	if (damon_available() &&
	    damon_setup(lo * PAGE_SIZE_4K, (hi + 1) * PAGE_SIZE_4K, 1)) {
		/* touched from node0's CPU: DAMON, not NUMA balancing, moves */
		moved = touch_until_on_node1(&r, 0, 120, 75);
		ktap_diag("damon: sz_applied %" PRIu64,
			  damon_scheme_stat("sz_applied"));
		damon_teardown();
	} else {
		ktap_diag("DAMON sysfs missing or refused the scheme");
	}
	evidence_check("damon");
	region_check(&r, "damon", moved);
	region_unmap(&r);
}

static void reason_compaction(void)
{
	struct pattern_mismatch mm;
	struct frag_region fr;
	uint64_t free_bytes = 0, *pfns;
	size_t i, n, survivors = 0;
	long moved = 0;
	int ret;

	/* 40 % of node1's free memory, half of every 2 MiB freed */
	node_mem_free(1, &free_bytes);
	ret = frag_create(&fr, 1, free_bytes * 4 / 10 & ~(HPAGE_SIZE_2M - 1), seed);
	if (ret)
		ktap_abort("fragmenting node1: %s", strerror(-ret));
	n = fr.len / PAGE_SIZE_4K;
	pfns = calloc(n, sizeof(*pfns));
	if (!pfns)
		ktap_abort("out of memory");
	for (i = 0; i < n; i++) {
		struct kpage_info pi;

		if (frag_survives(i) &&
		    !kpage_info((void *)(uintptr_t)(fr.base + i * PAGE_SIZE_4K), &pi))
			pfns[i] = pi.pfn;
	}
	evidence_start();
	if (file_write("/sys/devices/system/node/node1/compact", "1"))
		ktap_diag("cannot write node1/compact");
	evidence_check("compaction");
	for (i = 0; i < n; i++) {
		struct kpage_info pi;

		if (!frag_survives(i))
			continue;
		survivors++;
		moved += !kpage_info((void *)(uintptr_t)(fr.base + i * PAGE_SIZE_4K), &pi) &&
			 pi.pfn != pfns[i];
	}
	ktap_diag("compaction moved %ld of %zu surviving pages of %" PRIu64 " MiB",
		  moved, survivors, fr.len >> 20);
	/*
	 * The scanners meet somewhere in the zone, so how much of the region
	 * moves depends on where it lies: at least a pageblock of it must.
	 */
	ktap_ok(moved >= 512, "compaction_moved");
	pattern_mismatch_init(&mm);
	if (!ktap_ok(frag_verify(&fr, &mm) == 0, "compaction_intact"))
		pattern_report(&mm);
	frag_destroy(&fr);
	free(pfns);
}

/* ---- memory hotplug: node1's last block, onlined movable ---- */

static uint64_t block_bytes;
static int movable_block = -1;

static int block_state(int block, const char *state)
{
	char path[96];

	snprintf(path, sizeof(path), MEMORY_SYS "/memory%d/state", block);
	return file_write(path, state);
}

/*
 * A block of node1 offlined and onlined movable, from the top down: the
 * topmost ones may hold firmware tables (holes), which cannot go offline.
 */
static int make_movable_block(void)
{
	char path[96], hex[32];
	uint64_t start, end;
	int block, ret = -ENOENT;

	if (file_read(MEMORY_SYS "/block_size_bytes", hex, sizeof(hex)))
		return -ENOENT;
	block_bytes = strtoull(hex, NULL, 16);
	if (!block_bytes || node_phys_range(1, &start, &end))
		return -ENOENT;
	for (block = (end - 1) / block_bytes;
	     block >= 0 && (uint64_t)block * block_bytes >= start &&
	     block > (int)((end - 1) / block_bytes) - 4; block--) {
		snprintf(path, sizeof(path), MEMORY_SYS "/memory%d", block);
		if (access(path, F_OK))
			continue;
		ret = block_state(block, "offline");
		if (!ret)
			ret = block_state(block, "online_movable");
		ktap_diag("memory%d of node1: offline, online_movable: %s", block,
			  ret ? strerror(-ret) : "done");
		if (!ret) {
			movable_block = block;
			break;
		}
	}
	return ret;
}

static long region_in_block(const struct region *r, int block)
{
	uint64_t per = block_bytes / PAGE_SIZE_4K;

	return region_in_pfns(r, (uint64_t)block * per,
			      (uint64_t)(block + 1) * per);
}

static void reason_memory_hotplug(void)
{
	struct region r;
	long in = 0;
	int ret = -ENODEV;

	region_map(&r, 8 << 20, 1, false);
	if (movable_block >= 0) {
		in = region_in_block(&r, movable_block);
		ktap_diag("%ld of %zu pages in memory%d (ZONE_MOVABLE)", in,
			  r.len / PAGE_SIZE_4K, movable_block);
		evidence_start();
		ret = block_state(movable_block, "offline");
		if (ret)
			ktap_diag("offline memory%d: %s", movable_block,
				  strerror(-ret));
	} else {
		evidence_start();
	}
	evidence_check("memory_hotplug");
	region_check(&r, "memory_hotplug", !ret && in > 0 &&
		     region_in_block(&r, movable_block) == 0);
	if (!ret && block_state(movable_block, "online_movable")) {
		ktap_diag("memory%d does not come back movable", movable_block);
		movable_block = -1;
	}
	region_unmap(&r);
}

static void reason_longterm_pin(void)
{
	struct region r;
	long in = 0;
	int fd = -ENODEV;

	region_map(&r, 8 << 20, 1, false);
	evidence_start();
	if (movable_block >= 0) {
		in = region_in_block(&r, movable_block);
		ktap_diag("%ld of %zu pages in memory%d (ZONE_MOVABLE)", in,
			  r.len / PAGE_SIZE_4K, movable_block);
		fd = pin_longterm(r.buf, r.len);
		if (fd < 0)
			ktap_diag("io_uring fixed buffers: %s", strerror(-fd));
	}
	evidence_check("longterm_pin");
	region_check(&r, "longterm_pin", fd >= 0 && in > 0 &&
		     region_in_block(&r, movable_block) == 0);
	if (fd >= 0)
		close(fd);
	region_unmap(&r);
}

static void reason_memory_failure(void)
{
	struct region r;
	long moved;

	region_map(&r, 64 * PAGE_SIZE_4K, 0, false);
	region_record(&r);
	evidence_start();
	if (madvise(r.buf, r.len, MADV_SOFT_OFFLINE))
		ktap_diag("MADV_SOFT_OFFLINE: %s", strerror(errno));
	evidence_check("memory_failure");
	moved = region_moved(&r);
	ktap_diag("%ld of %zu pages on a new frame", moved, r.len / PAGE_SIZE_4K);
	region_check(&r, "memory_failure", moved == (long)(r.len / PAGE_SIZE_4K));
	region_unmap(&r);
}

/* Pages of [@buf, @buf + @len) that do not read zero. */
static long nonzero_pages(const char *buf, size_t len)
{
	static const char zero[PAGE_SIZE_4K];
	long bad = 0;
	size_t off;

	for (off = 0; off < len; off += PAGE_SIZE_4K)
		bad += memcmp(buf + off, zero, PAGE_SIZE_4K) != 0;
	return bad;
}

/*
 * Pages land in a CMA area only when a zone is short of other free memory
 * (free CMA above half the zone's free pages).  Node1 is populated by the
 * kernel (MADV_POPULATE_WRITE: zero pages, fast) down to 64 MiB free, then
 * filled with the pattern 1 MiB at a time until some of those pages are in
 * the area; then the whole area is taken.
 */
static void reason_contig_range(void)
{
	char area[64] = "", path[160], n[32];
	uint64_t base = 0, count = 0, free_bytes = 0, t0;
	size_t bulk = 0, len, max = 0;
	struct region r = { 0 };
	long in = 0, bad;
	int ret = -ENOENT;
	FILE *ls;

	ls = popen("ls " CMA_DEBUGFS " 2>/dev/null", "r");
	if (ls && fgets(area, sizeof(area), ls))
		area[strcspn(area, "\n")] = 0;
	if (ls)
		pclose(ls);
	snprintf(path, sizeof(path), CMA_DEBUGFS "/%s/base_pfn", area);
	if (area[0] && !file_read_u64(path, &base)) {
		snprintf(path, sizeof(path), CMA_DEBUGFS "/%s/count", area);
		file_read_u64(path, &count);
	}
	node_mem_total(1, &max);
	r.buf = mmap(NULL, max, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!count || r.buf == MAP_FAILED || mem_bind(r.buf, max, 1)) {
		ktap_diag("no CMA area (boot with cma=) or no mapping");
		r.buf = NULL;
	}
	ktap_diag("CMA area '%s': pfn 0x%" PRIx64 " + %" PRIu64 " pages", area,
		  base, count);
	t0 = clock_ns();
	if (r.buf) {
		madvise(r.buf, max, MADV_NOHUGEPAGE);
		while (bulk + (16 << 20) <= max && !node_mem_free(1, &free_bytes) &&
		       free_bytes > (64 << 20) &&
		       !madvise(r.buf + bulk, 16 << 20, MADV_POPULATE_WRITE))
			bulk += 16 << 20;
	}
	for (len = bulk; r.buf && len + (1 << 20) <= max && in < 64;
	     len += 1 << 20) {
		pattern_fill(r.buf + len, 1 << 20, seed);
		r.len = len + (1 << 20);
		in += region_in_pfns(&(struct region){ r.buf + len, 1 << 20, NULL },
				     base, base + count);
		node_mem_free(1, &free_bytes);
		if (free_bytes < (16 << 20))
			break;
	}
	ktap_diag("%zu MiB populated, %zu MiB filled in %.1f s, %ld pages in the CMA area",
		  bulk >> 20, (r.len - bulk) >> 20, (clock_ns() - t0) / 1e9, in);
	evidence_start();
	if (in > 0) {
		snprintf(path, sizeof(path), CMA_DEBUGFS "/%s/alloc", area);
		snprintf(n, sizeof(n), "%" PRIu64, count);
		ret = file_write(path, n);
		if (ret)
			ktap_diag("cma alloc %s: %s", n, strerror(-ret));
	}
	evidence_check("contig_range");
	ktap_ok(!ret && r.buf && region_in_pfns(&r, base, base + count) == 0,
		"contig_range_moved");
	bad = r.buf ? nonzero_pages(r.buf, bulk) : -1;
	if (bad)
		ktap_diag("%ld populated pages do not read zero", bad);
	ktap_ok(r.buf && !bad && r.len > bulk &&
		pattern_verify(r.buf + bulk, r.len - bulk, seed, NULL) == 0,
		"contig_range_intact");
	if (!ret) {
		snprintf(path, sizeof(path), CMA_DEBUGFS "/%s/free", area);
		file_write(path, n);
	}
	if (r.buf)
		munmap(r.buf, max);
}

int main(void)
{
	const char *args[] = { "min_batch_pages=1", "reasons=all", NULL };
	char saved[32];

	ktap_plan(NR_REASONS * CHECKS_PER_REASON);
	seed = pattern_seed();
	dsam_setup_or_abort(args);
	if (file_read(MCOPY_SYSCTL_REASONS, saved, sizeof(saved)) ||
	    file_write(MCOPY_SYSCTL_REASONS, "1023"))
		ktap_abort("cannot offer every reason (%s)", MCOPY_SYSCTL_REASONS);
	ktap_diag("seed 0x%016" PRIx64 "; %s=1023, dsa_migrate reasons=all",
		  seed, MCOPY_SYSCTL_REASONS);

	reason_syscall();
	reason_mbind();
	reason_numa_misplaced();
	reason_damon();
	reason_compaction();
	make_movable_block();
	reason_memory_hotplug();
	reason_longterm_pin();
	reason_memory_failure();
	reason_contig_range();

	mcopy_trace_enable(false);
	file_write(MCOPY_SYSCTL_REASONS, saved);
	return dsam_finish();
}
