// SPDX-License-Identifier: GPL-2.0
/*
 * folio-kinds - every kind of folio a real machine migrates, moved
 * node0 -> node1 -> node0 with the offload off and with dsa_migrate, and
 * still the same kind of folio, with the same bytes, that pages out, swaps
 * in, is discarded, faults and frees afterwards.
 *
 * lab:test timeout=600 set=default boot=own
 *
 * Kinds: anonymous 4 KiB, THP and 64 KiB mTHP; shmem 4 KiB and THP; ext4
 * page cache, clean and dirty; KSM-merged pages; mlocked pages; pages
 * charged to a non-root memory cgroup; hugetlb; pages held by a pipe
 * (vmsplice) and pages pinned FOLL_LONGTERM (io_uring fixed buffers).
 * Swap-cache folios have their own test (swapcache-migrate).
 *
 * For each kind and mode (off: no provider; cpu_batch: the series' CPU
 * batch copy, vm.migrate_batch_copy=1; dsa: dsa_migrate, every batch
 * offered to it), in this order:
 *   made        the kind's own state right after it was made, on node0
 *   on_node1, intact_node1, state_node1, and the same for node0:
 *               move_pages(2) (MOVE_ALL for KSM); every byte compared with
 *               a shadow copy; the kind's state (order and layout of the
 *               folios, KSM, mlocked, dirty, memcg numa_stat...).  Held and
 *               pinned pages must be refused and keep their frames.
 *   counters    the path that ran: with dsa every eligible folio went by
 *               DMA and none fell back; with cpu_batch the batch copy
 *               copied them; hugetlb and folios with buffers take the
 *               per-folio copy; off never touches the batch copy
 *   paged_out   MADV_PAGEOUT evicts what this kind lets go (all or none)
 *   intact_after_pageout, discard (first half punched or DONTNEED'd reads
 *               zero, second half intact), refault (new contents written
 *               and read back), freed (the kind's teardown: memcg
 *               uncharged and removed, hugetlb pool whole again)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "blockfs.h"
#include "clock.h"
#include "dsam.h"
#include "file.h"
#include "kpage.h"
#include "ktap.h"
#include "mcopy.h"
#include "mem.h"
#include "node.h"
#include "pattern.h"
#include "pin.h"
#include "swap.h"
#include "trace.h"
#include "vmstat.h"

#define THP_SYS		"/sys/kernel/mm/transparent_hugepage"
#define MTHP64_ENABLED	THP_SYS "/hugepages-64kB/enabled"
#define SHMEM_ENABLED	THP_SYS "/shmem_enabled"
#define KSM_SYS		"/sys/kernel/mm/ksm"
#define CGROUP_ROOT	"/sys/fs/cgroup"
#define CGROUP_LAB	CGROUP_ROOT "/lab-folio-kinds"
#define EXT4_DIR	"/tmp/lab-ext4"
#define SWAP_BYTES	(64ULL << 20)
#define EXT4_BYTES	(64ULL << 20)

enum mode { MODE_OFF, MODE_CPU_BATCH, MODE_DSA, NR_MODES };
static const char *const mode_names[NR_MODES] = { "off", "cpu_batch", "dsa" };

/* Where the folios go, and which copy the series uses for them. */
enum path {
	PATH_DMA,	/* eligible for the batch copy: DMA with dsa */
	PATH_CPU,	/* migrates, but the batch copy leaves it to the CPU */
	PATH_STAYS,	/* must not migrate: held or pinned */
};

/* What MADV_PAGEOUT must do to this kind. */
enum evict { EVICT_ALL, EVICT_NONE, EVICT_SOME };

struct region {
	char *buf;
	size_t len;
	unsigned char *shadow;	/* what every byte must read */
	int fd;			/* shmem, file, io_uring; -1 if none */
	int pipe[2];		/* held kind */
	uint64_t *pfns;		/* frames at creation (held, pinned) */
	unsigned long folios;	/* distinct folios moved per way */
	unsigned long pages;	/* distinct pages moved per way */
};

struct kind {
	const char *name;
	size_t len;
	size_t stride;		/* one move_pages entry per folio: its size */
	enum path path;
	enum evict evict;
	int move_flags;
	bool fd_backed;		/* discard punches the file, not DONTNEED */
	bool move_half;		/* the second half maps the first one's folios */
	int (*make)(struct region *r);
	/* the kind's own state with the pages on @node; diag and false if not */
	bool (*state)(struct region *r, int node);
	/* before MADV_PAGEOUT (write back, let go...), may be NULL */
	int (*before_pageout)(struct region *r);
	/* free everything; 0 or -errno (the "freed" result) */
	int (*teardown)(struct region *r);
};

#define CHECKS_PER_RUN	13

static uint64_t seed;

/* ------------------------------------------------------------------ */
/* contents and page state */

static void region_fill(struct region *r, uint64_t s)
{
	pattern_fill(r->buf, r->len, s);
	memcpy(r->shadow, r->buf, r->len);
}

/* Pages of @r that differ from the shadow; the first one is reported. */
static long region_bad_pages(const struct region *r)
{
	long bad = 0;
	size_t off;

	for (off = 0; off < r->len; off += PAGE_SIZE_4K) {
		if (!memcmp(r->buf + off, r->shadow + off, PAGE_SIZE_4K))
			continue;
		if (!bad) {
			size_t i = off;

			while ((unsigned char)r->buf[i] == r->shadow[i])
				i++;
			ktap_diag("page +0x%zx differs from byte +0x%zx (0x%02x, want 0x%02x)",
				  off, i - off, (unsigned char)r->buf[i],
				  r->shadow[i]);
		}
		bad++;
	}
	if (bad)
		ktap_diag("%ld of %zu pages differ", bad, r->len / PAGE_SIZE_4K);
	return bad;
}

static bool all_pages(const struct region *r, int bit, const char *what)
{
	long n = kpage_count(r->buf, r->len, bit);

	if (n != (long)(r->len / PAGE_SIZE_4K))
		ktap_diag("%ld of %zu pages %s", n, r->len / PAGE_SIZE_4K, what);
	return n == (long)(r->len / PAGE_SIZE_4K);
}

static bool no_pages(const struct region *r, int bit, const char *what)
{
	long n = kpage_count(r->buf, r->len, bit);

	if (n)
		ktap_diag("%ld of %zu pages %s", n, r->len / PAGE_SIZE_4K, what);
	return n == 0;
}

static bool folio_order(const struct region *r, unsigned int order)
{
	long bad = kpage_not_order(r->buf, r->len, order);

	if (bad)
		ktap_diag("%ld of %zu pages are not in order-%u folios", bad,
			  r->len / PAGE_SIZE_4K, order);
	return bad == 0;
}

static void record_pfns(struct region *r)
{
	size_t i, n = r->len / PAGE_SIZE_4K;
	struct kpage_info pi;

	r->pfns = calloc(n, sizeof(*r->pfns));
	for (i = 0; r->pfns && i < n; i++)
		if (!kpage_info(r->buf + i * PAGE_SIZE_4K, &pi))
			r->pfns[i] = pi.present ? pi.pfn : 0;
}

static bool same_frames(const struct region *r)
{
	size_t i, n = r->len / PAGE_SIZE_4K, moved = 0;
	struct kpage_info pi;

	for (i = 0; i < n; i++)
		if (kpage_info(r->buf + i * PAGE_SIZE_4K, &pi) || !pi.present ||
		    !r->pfns || pi.pfn != r->pfns[i])
			moved++;
	if (moved)
		ktap_diag("%zu of %zu pages changed frame", moved, n);
	return moved == 0;
}

/* Write back the choice shown in brackets in @saved ("a [b] c" -> "b"). */
static void write_choice(const char *path, char *saved)
{
	char *cur = strchr(saved, '[');

	if (!cur)
		return;
	cur++;
	cur[strcspn(cur, "]")] = 0;
	file_write(path, cur);
}

/* ------------------------------------------------------------------ */
/* making regions */

static int set_policy_node(int node)
{
	unsigned long mask = 1UL << node;

	if (node < 0)
		return set_mempolicy(MPOL_DEFAULT, NULL, 0) ? -errno : 0;
	return set_mempolicy(MPOL_BIND, &mask, sizeof(mask) * 8) ? -errno : 0;
}

/* Anonymous, 2 MiB aligned, @advice (or none if < 0), filled. */
static int map_anon(struct region *r, int advice)
{
	r->buf = mem_map_aligned(r->len, HPAGE_SIZE_2M);
	if (!r->buf)
		return -errno;
	if (advice >= 0 && madvise(r->buf, r->len, advice))
		return -errno;
	region_fill(r, seed);
	r->pages = r->len / PAGE_SIZE_4K;
	return 0;
}

/* Map @r->fd over an aligned placeholder, so shmem THPs can be PMD-mapped. */
static int map_fd(struct region *r)
{
	char *p = mem_map_aligned(r->len, HPAGE_SIZE_2M);

	if (!p)
		return -errno;
	r->buf = mmap(p, r->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		      r->fd, 0);
	if (r->buf == MAP_FAILED) {
		r->buf = NULL;
		return -errno;
	}
	return 0;
}

static int make_anon4k(struct region *r)
{
	r->folios = r->len / PAGE_SIZE_4K;
	return map_anon(r, MADV_NOHUGEPAGE);
}

static int make_anon_thp(struct region *r)
{
	r->folios = r->len / HPAGE_SIZE_2M;
	return map_anon(r, MADV_HUGEPAGE);
}

static char mthp64_saved[64];

/*
 * 64 KiB folios: hugepages-64kB is "always" for the kind's lifetime, as on
 * a machine that uses mTHP (no PMD THP: the top-level setting is madvise).
 */
static int make_anon_mthp64k(struct region *r)
{
	r->folios = r->len / (64 << 10);
	if (file_read(MTHP64_ENABLED, mthp64_saved, sizeof(mthp64_saved)))
		return -ENOENT;
	if (file_write(MTHP64_ENABLED, "always"))
		return -EIO;
	return map_anon(r, -1);
}

static int make_shmem(struct region *r, const char *shmem_enabled)
{
	char saved[64];
	int ret;

	r->fd = memfd_create("lab-folio-kinds", 0);
	if (r->fd < 0)
		return -errno;
	if (ftruncate(r->fd, r->len))
		return -errno;
	if (file_read(SHMEM_ENABLED, saved, sizeof(saved)))
		return -ENOENT;
	ret = file_write(SHMEM_ENABLED, shmem_enabled);
	if (!ret)
		ret = map_fd(r);
	if (!ret) {
		region_fill(r, seed);
		r->pages = r->len / PAGE_SIZE_4K;
	}
	write_choice(SHMEM_ENABLED, saved);
	return ret;
}

static int make_shmem4k(struct region *r)
{
	r->folios = r->len / PAGE_SIZE_4K;
	return make_shmem(r, "never");
}

static int make_shmem_thp(struct region *r)
{
	r->folios = r->len / HPAGE_SIZE_2M;
	return make_shmem(r, "always");
}

static int open_ext4_file(struct region *r, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), EXT4_DIR "/%s", name);
	r->fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (r->fd < 0)
		return -errno;
	return ftruncate(r->fd, r->len) ? -errno : 0;
}

/*
 * Written through a mapping, synced, unmapped and dropped from the page
 * cache, then mapped again at the same address and read back by faults:
 * clean folios read from disk.
 */
static int make_file_clean(struct region *r)
{
	size_t off;
	int ret;

	r->folios = r->pages = r->len / PAGE_SIZE_4K;
	ret = open_ext4_file(r, "clean");
	if (!ret)
		ret = map_fd(r);
	if (ret)
		return ret;
	region_fill(r, seed);
	if (fsync(r->fd) || munmap(r->buf, r->len))
		return -errno;
	ret = posix_fadvise(r->fd, 0, r->len, POSIX_FADV_DONTNEED);
	if (ret)
		return -ret;
	if (mmap(r->buf, r->len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, r->fd, 0) != r->buf) {
		r->buf = NULL;
		return -EADDRINUSE;
	}
	for (off = 0; off < r->len; off += PAGE_SIZE_4K)
		(void)*(volatile char *)(r->buf + off);
	return 0;
}

/* Written through the mapping and never synced: dirty, with buffers. */
static int make_file_dirty(struct region *r)
{
	int ret;

	r->folios = r->pages = r->len / PAGE_SIZE_4K;
	ret = open_ext4_file(r, "dirty");
	if (!ret)
		ret = map_fd(r);
	if (!ret)
		region_fill(r, seed);
	return ret;
}

static int ksm_write(const char *knob, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), KSM_SYS "/%s", knob);
	return file_write(path, val);
}

static uint64_t ksm_read(const char *knob)
{
	char path[128];
	uint64_t v = 0;

	snprintf(path, sizeof(path), KSM_SYS "/%s", knob);
	file_read_u64(path, &v);
	return v;
}

/*
 * Pages of the first half of @r whose frame is not also mapped at the same
 * offset of the second half: not merged.  (kpageflags cannot tell: 6.12
 * tests "mapping & PAGE_MAPPING_KSM", which every anonymous page passes.)
 */
static long ksm_unshared(const struct region *r)
{
	size_t half = r->len / 2, off;
	struct kpage_info a, b;
	long n = 0;

	for (off = 0; off < half; off += PAGE_SIZE_4K)
		n += kpage_info(r->buf + off, &a) ||
		     kpage_info(r->buf + half + off, &b) || !a.present ||
		     !b.present || a.pfn != b.pfn;
	return n;
}

/*
 * Two halves with the same contents, merged by ksmd into one KSM page per
 * pair; then ksmd stops (run=0 keeps what it merged), so its scans do
 * not hold the pages while they migrate.
 */
static int make_ksm(struct region *r)
{
	size_t half = r->len / 2;
	long unshared = -1;
	uint64_t t0;
	int ret;

	ret = map_anon(r, MADV_NOHUGEPAGE);
	if (ret)
		return ret;
	r->folios = r->pages = half / PAGE_SIZE_4K;
	memcpy(r->buf + half, r->buf, half);
	memcpy(r->shadow, r->buf, r->len);
	if (madvise(r->buf, r->len, MADV_MERGEABLE))
		return -errno;
	if (ksm_write("pages_to_scan", "5000") ||
	    ksm_write("sleep_millisecs", "0") || ksm_write("run", "1"))
		return -EIO;
	for (t0 = clock_ns(); clock_ns() - t0 < 60000000000ULL; usleep(100000)) {
		unshared = ksm_unshared(r);
		if (!unshared)
			break;
	}
	ksm_write("run", "0");
	ktap_diag("ksm: %ld of %zu pairs not merged after %.1f s; pages_shared %"
		  PRIu64 ", pages_sharing %" PRIu64, unshared, half / PAGE_SIZE_4K,
		  (clock_ns() - t0) / 1e9, ksm_read("pages_shared"),
		  ksm_read("pages_sharing"));
	return 0;
}

static int make_mlocked(struct region *r)
{
	int ret;

	r->folios = r->len / PAGE_SIZE_4K;
	ret = map_anon(r, MADV_NOHUGEPAGE);
	if (!ret && mlock(r->buf, r->len))
		ret = -errno;
	return ret;
}

static int cgroup_enter(const char *dir)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	return file_write_u64(path, getpid());
}

static int make_memcg(struct region *r)
{
	int ret;

	r->folios = r->len / PAGE_SIZE_4K;
	if (access(CGROUP_ROOT "/cgroup.controllers", F_OK) &&
	    mount("cgroup2", CGROUP_ROOT, "cgroup2", 0, NULL))
		return -errno;
	ret = file_write(CGROUP_ROOT "/cgroup.subtree_control", "+memory");
	if (ret)
		return ret;
	if (mkdir(CGROUP_LAB, 0755) && errno != EEXIST)
		return -errno;
	ret = cgroup_enter(CGROUP_LAB);
	if (ret)
		return ret;
	ret = map_anon(r, MADV_NOHUGEPAGE);
	/* the charge stays with the cgroup when the process leaves it */
	if (cgroup_enter(CGROUP_ROOT) && !ret)
		ret = -EIO;
	return ret;
}

static int make_hugetlb(struct region *r)
{
	int node;

	r->folios = r->len / HPAGE_SIZE_2M;
	r->pages = r->len / PAGE_SIZE_4K;
	for (node = 0; node < 2; node++)
		if (node_hugepages_set(node, r->len / HPAGE_SIZE_2M))
			return -ENOMEM;
	r->buf = mmap(NULL, r->len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (r->buf == MAP_FAILED) {
		r->buf = NULL;
		return -errno;
	}
	region_fill(r, seed);
	return 0;
}

/* vmsplice(2): the pipe holds a reference on every page until it is read. */
static int make_held(struct region *r)
{
	struct iovec iov;
	int ret;

	ret = map_anon(r, MADV_NOHUGEPAGE);
	if (ret)
		return ret;
	if (pipe(r->pipe))
		return -errno;
	if (fcntl(r->pipe[1], F_SETPIPE_SZ, (int)r->len) < (int)r->len)
		return -errno;
	iov.iov_base = r->buf;
	iov.iov_len = r->len;
	if (vmsplice(r->pipe[1], &iov, 1, 0) != (ssize_t)r->len)
		return -errno;
	record_pfns(r);
	return 0;
}

/* io_uring fixed buffers: pinned with FOLL_LONGTERM while registered. */
static int make_pinned(struct region *r)
{
	int ret;

	ret = map_anon(r, MADV_NOHUGEPAGE);
	if (ret)
		return ret;
	r->fd = pin_longterm(r->buf, r->len);
	if (r->fd < 0)
		return r->fd;
	record_pfns(r);
	return 0;
}

/* ------------------------------------------------------------------ */
/* states */

static bool state_anon4k(struct region *r, int node)
{
	return all_pages(r, KPF_ANON, "anonymous") &
	       no_pages(r, KPF_THP, "in large folios") & folio_order(r, 0);
}

static bool state_anon_thp(struct region *r, int node)
{
	return all_pages(r, KPF_ANON, "anonymous") &
	       all_pages(r, KPF_THP, "in THPs") & folio_order(r, 9);
}

static uint64_t mthp64_stat(const char *name)
{
	char path[128];
	uint64_t v = 0;

	snprintf(path, sizeof(path), THP_SYS "/hugepages-64kB/stats/%s", name);
	file_read_u64(path, &v);
	return v;
}

/*
 * 64 KiB folios, each at an aligned frame.  One exception, the stock
 * kernel's (6.12.117, with or without the series, every mode): a migration
 * leaves each destination mTHP on the deferred split queue as partially
 * mapped (split_deferred rises by two per folio and move), and the next
 * migration splits such folios before moving them (migrate_pages_batch():
 * "the rare folio on the deferred split list should be split now").  So
 * after the way back the pages may be small, if and only if the kernel
 * counted exactly one split per folio for that move.
 */
static bool state_anon_mthp64k(struct region *r, int node)
{
	static uint64_t last_split;
	uint64_t split = mthp64_stat("split");
	bool anon = all_pages(r, KPF_ANON, "anonymous");
	bool ok;

	ktap_diag("64 KiB mTHP: split %" PRIu64 ", split_deferred %" PRIu64,
		  split, mthp64_stat("split_deferred"));
	if (node == 0 && split - last_split == r->folios &&
	    kpage_not_order(r->buf, r->len, 0) == 0) {
		ktap_diag("split by the kernel's deferred-split rule on the way back");
		ok = anon;
	} else {
		ok = anon & all_pages(r, KPF_THP, "in large folios") &
		     folio_order(r, 4);
	}
	last_split = split;
	return ok;
}

static bool state_shmem4k(struct region *r, int node)
{
	return no_pages(r, KPF_ANON, "anonymous") &
	       all_pages(r, KPF_SWAPBACKED, "swap-backed") & folio_order(r, 0);
}

static bool state_shmem_thp(struct region *r, int node)
{
	return no_pages(r, KPF_ANON, "anonymous") &
	       all_pages(r, KPF_THP, "in THPs") & folio_order(r, 9);
}

static bool state_file_clean(struct region *r, int node)
{
	return no_pages(r, KPF_SWAPBACKED, "swap-backed") &
	       no_pages(r, KPF_DIRTY, "dirty") & folio_order(r, 0);
}

static bool state_file_dirty(struct region *r, int node)
{
	return no_pages(r, KPF_SWAPBACKED, "swap-backed") &
	       all_pages(r, KPF_DIRTY, "dirty") & folio_order(r, 0);
}

static bool state_ksm(struct region *r, int node)
{
	long unshared = ksm_unshared(r);

	if (unshared)
		ktap_diag("%ld of %zu KSM pairs no longer share a page", unshared,
			  r->len / 2 / PAGE_SIZE_4K);
	return !unshared & all_pages(r, KPF_ANON, "anonymous");
}

static bool state_mlocked(struct region *r, int node)
{
	return all_pages(r, KPF_MLOCKED, "mlocked") &
	       all_pages(r, KPF_UNEVICTABLE, "unevictable");
}

/* memory.numa_stat "anon N0=... N1=...": the charge follows the pages. */
static bool state_memcg(struct region *r, int node)
{
	char stat[4096], key[16], *line;
	uint64_t bytes = 0;

	if (file_read(CGROUP_LAB "/memory.numa_stat", stat, sizeof(stat))) {
		ktap_diag("cannot read %s/memory.numa_stat", CGROUP_LAB);
		return false;
	}
	line = strstr(stat, "anon ");
	snprintf(key, sizeof(key), " N%d=", node);
	if (line && (line = strstr(line, key)))
		bytes = strtoull(line + strlen(key), NULL, 10);
	if (bytes < r->len)
		ktap_diag("memcg anon on node%d: %" PRIu64 " bytes, want >= %zu",
			  node, bytes, r->len);
	return bytes >= r->len && all_pages(r, KPF_ANON, "anonymous");
}

static bool state_hugetlb(struct region *r, int node)
{
	return all_pages(r, KPF_HUGE, "hugetlb") & folio_order(r, 9);
}

static bool state_stays(struct region *r, int node)
{
	return same_frames(r);
}

/* ------------------------------------------------------------------ */
/* before page-out, teardown */

static int sync_file(struct region *r)
{
	return fsync(r->fd) ? -errno : 0;
}

/*
 * The pipe still shares the process's pages after the refused moves: it
 * reads what the process wrote after the vmsplice.  Reading it drops the
 * pipe's references, so the pages page out like any others.
 */
static int pipe_sees_writes(struct region *r)
{
	unsigned char *got = malloc(r->len);
	ssize_t n = 0, done = 0;
	int ret = 0;

	if (!got)
		return -ENOMEM;
	region_fill(r, seed ^ 0x0123456789abcdefULL);
	/* a write that copies on write leaves the pipe the old pages */
	if (!same_frames(r))
		ktap_diag("the writes moved pages to new frames (copy on write)");
	while (done < (ssize_t)r->len &&
	       (n = read(r->pipe[0], got + done, r->len - done)) > 0)
		done += n;
	if (done != (ssize_t)r->len) {
		ret = -EIO;
	} else if (memcmp(got, r->buf, r->len)) {
		ktap_diag("the pipe's pages differ from the mapping's");
		ret = -EIO;
	}
	free(got);
	return ret;
}

static int teardown_plain(struct region *r)
{
	int ret = r->buf && munmap(r->buf, r->len) ? -errno : 0;

	r->buf = NULL;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	if (r->pipe[0] >= 0) {
		close(r->pipe[0]);
		close(r->pipe[1]);
	}
	return ret;
}

static uint64_t memcg_anon(void)
{
	char stat[4096], *line;

	if (file_read(CGROUP_LAB "/memory.stat", stat, sizeof(stat)))
		return UINT64_MAX;
	line = strstr(stat, "anon ");
	return line ? strtoull(line + 5, NULL, 10) : UINT64_MAX;
}

/*
 * Freeing uncharges: the cgroup's anon bytes (memory.stat flushes the
 * per-CPU counters; memory.current keeps up to a per-CPU charge batch)
 * drop to nothing, and the cgroup goes.
 */
static int teardown_mthp64k(struct region *r)
{
	write_choice(MTHP64_ENABLED, mthp64_saved);
	return teardown_plain(r);
}

static int teardown_memcg(struct region *r)
{
	uint64_t anon = UINT64_MAX, t0 = clock_ns();
	int ret = teardown_plain(r);

	if (ret)
		return ret;
	do {
		anon = memcg_anon();
		if (!anon)
			break;
		usleep(10000);
	} while (clock_ns() - t0 < 5000000000ULL);
	if (anon) {
		ktap_diag("memcg still has %" PRIu64 " anon bytes after munmap",
			  anon);
		return -EBUSY;
	}
	return rmdir(CGROUP_LAB) ? -errno : 0;
}

static int teardown_hugetlb(struct region *r)
{
	int node, ret = teardown_plain(r);

	for (node = 0; node < 2; node++) {
		char path[128];
		uint64_t nr = 0, free = 0;

		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/hugepages/hugepages-2048kB/free_hugepages",
			 node);
		node_hugepages_get(node, &nr);
		file_read_u64(path, &free);
		if (free != nr) {
			ktap_diag("node%d: %" PRIu64 " of %" PRIu64 " huge pages free",
				  node, free, nr);
			ret = ret ? ret : -EBUSY;
		}
		node_hugepages_set(node, 0);
	}
	return ret;
}

/* ------------------------------------------------------------------ */

static const struct kind kinds[] = {
	{ "anon4k", 1 << 20, 4 << 10, PATH_DMA, EVICT_ALL, MPOL_MF_MOVE, false, false,
	  make_anon4k, state_anon4k, NULL, teardown_plain },
	{ "anon_thp", 4 << 20, 2 << 20, PATH_DMA, EVICT_ALL, MPOL_MF_MOVE, false, false,
	  make_anon_thp, state_anon_thp, NULL, teardown_plain },
	{ "anon_mthp64k", 1 << 20, 64 << 10, PATH_DMA, EVICT_ALL, MPOL_MF_MOVE, false,
	  false,
	  make_anon_mthp64k, state_anon_mthp64k, NULL, teardown_mthp64k },
	{ "shmem4k", 1 << 20, 4 << 10, PATH_DMA, EVICT_ALL, MPOL_MF_MOVE, true, false,
	  make_shmem4k, state_shmem4k, NULL, teardown_plain },
	{ "shmem_thp", 4 << 20, 2 << 20, PATH_DMA, EVICT_ALL, MPOL_MF_MOVE, true, false,
	  make_shmem_thp, state_shmem_thp, NULL, teardown_plain },
	{ "file_clean", 1 << 20, 4 << 10, PATH_DMA, EVICT_ALL, MPOL_MF_MOVE, true, false,
	  make_file_clean, state_file_clean, NULL, teardown_plain },
	/* ext4's page_mkwrite attaches buffers: buffer_migrate_folio copies */
	{ "file_dirty", 1 << 20, 4 << 10, PATH_CPU, EVICT_ALL, MPOL_MF_MOVE, true, false,
	  make_file_dirty, state_file_dirty, sync_file, teardown_plain },
	/* MADV_PAGEOUT skips folios mapped more than once */
	{ "ksm", 512 << 10, 4 << 10, PATH_DMA, EVICT_SOME, MPOL_MF_MOVE_ALL, false, true,
	  make_ksm, state_ksm, NULL, teardown_plain },
	{ "mlocked", 1 << 20, 4 << 10, PATH_DMA, EVICT_NONE, MPOL_MF_MOVE, false, false,
	  make_mlocked, state_mlocked, NULL, teardown_plain },
	{ "memcg", 1 << 20, 4 << 10, PATH_DMA, EVICT_ALL, MPOL_MF_MOVE, false, false,
	  make_memcg, state_memcg, NULL, teardown_memcg },
	{ "hugetlb", 4 << 20, 2 << 20, PATH_CPU, EVICT_NONE, MPOL_MF_MOVE, false, false,
	  make_hugetlb, state_hugetlb, NULL, teardown_hugetlb },
	{ "held_by_pipe", 64 << 10, 4 << 10, PATH_STAYS, EVICT_ALL, MPOL_MF_MOVE, false,
	  false,
	  make_held, state_stays, pipe_sees_writes, teardown_plain },
	{ "pinned_longterm", 64 << 10, 4 << 10, PATH_STAYS, EVICT_NONE,
	  MPOL_MF_MOVE, false, false, make_pinned, state_stays, NULL, teardown_plain },
};

#define NR_KINDS (sizeof(kinds) / sizeof(kinds[0]))

static void mode_enter(enum mode mode)
{
	const char *args[] = { "min_batch_pages=1", NULL };

	if (mode == MODE_CPU_BATCH && mcopy_cpu_batch(true))
		ktap_abort("cannot switch the CPU batch copy on");
	if (mode == MODE_DSA)
		dsam_setup_or_abort(args);
}

static void mode_leave(enum mode mode)
{
	if (mode == MODE_CPU_BATCH)
		mcopy_cpu_batch(false);
	if (mode == MODE_DSA && dsam_unload())
		ktap_diag("cannot unload %s", DSAM_MODULE);
	if (mode == MODE_DSA)
		mcopy_trace_enable(false);
}

/* Folios copied by the mm_migrate_copy_batch events that contain @needle. */
struct copied {
	const char *needle;
	uint64_t folios;
};

static int sum_copied(const char *text, void *arg)
{
	struct copied *c = arg;
	const char *p = strstr(text, "nr_copied=");

	if (p && strstr(text, c->needle))
		c->folios += strtoull(p + 10, NULL, 10);
	return 0;
}

static uint64_t trace_copied(const char *needle)
{
	struct copied c = { .needle = needle };

	trace_for_each("mm_migrate_copy_batch", sum_copied, &c);
	return c.folios;
}

static void check_counters(const struct kind *k, const char *label,
			   enum mode mode, const struct region *r,
			   const struct mcopy_vmstat *v0,
			   const struct mcopy_vmstat *v1,
			   const struct dsam_stats *d0,
			   const struct dsam_stats *d1, uint64_t failed)
{
	uint64_t migrated = v1->migrated - v0->migrated;
	uint64_t offloaded = v1->folio - v0->folio;
	uint64_t dma = dsam_delta(d0, d1, DSAM_FOLIOS_OFFLOADED);
	uint64_t fallback = dsam_delta(d0, d1, DSAM_FOLIOS_FALLBACK);
	uint64_t cpu_copied = 0, own_copied = 0;
	bool ok;

	if (mode == MODE_CPU_BATCH)
		cpu_copied = trace_copied("copier=cpu");
	/*
	 * move_pages(2)'s reason, by either copier: background migrations
	 * (compaction for a hugetlb pool, say) have their own.
	 */
	if (mode != MODE_OFF)
		own_copied = trace_copied("reason=syscall_or_cpuset ");

	ktap_diag("%s: pgmigrate_success +%" PRIu64 ", offload_folio +%" PRIu64
		  ", dma folios +%" PRIu64 ", fallback +%" PRIu64 ", cpu batch copied %"
		  PRIu64 ", batch-copied for move_pages %" PRIu64 ", pgmigrate_fail +%"
		  PRIu64 " (%lu folios, %lu pages a way)",
		  label, migrated, offloaded, dma, fallback, cpu_copied, own_copied,
		  failed, r->folios, r->pages);
	/* pages of our own that failed: other migrations may run meanwhile */
	if (k->path == PATH_STAYS)
		ok = failed >= 2 * r->pages;
	else if (mode == MODE_OFF)
		ok = migrated >= 2 * r->pages && offloaded == 0 && dma == 0 &&
		     cpu_copied == 0;
	/*
	 * The provider stays registered for the whole mode, so background
	 * migrations (kcompactd, compaction for the hugetlb pool) may be
	 * batch-copied meanwhile: only the batch copies of move_pages(2) are
	 * this kind's, and there must be none.
	 */
	else if (k->path == PATH_CPU)
		ok = migrated >= 2 * r->pages && own_copied == 0;
	else if (mode == MODE_CPU_BATCH)
		ok = migrated >= 2 * r->pages && cpu_copied >= 2 * r->folios &&
		     offloaded == 0;
	else
		ok = migrated >= 2 * r->pages && dma >= 2 * r->folios &&
		     offloaded >= 2 * r->folios && fallback == 0;
	ktap_ok(ok, "%s_counters", label);
}

static void check_pageout(const struct kind *k, const char *label,
			  struct region *r)
{
	long present = 0, n = r->len / PAGE_SIZE_4K;
	int ret = 0;

	if (k->before_pageout)
		ret = k->before_pageout(r);
	/* mlocked and hugetlb mappings refuse MADV_PAGEOUT (EINVAL) */
	if (!ret && madvise(r->buf, r->len, MADV_PAGEOUT) &&
	    !(k->evict == EVICT_NONE && errno == EINVAL))
		ret = -errno;
	if (!ret)
		present = kpage_present(r->buf, r->len);
	ktap_diag("%s: %ld of %ld pages still in memory after MADV_PAGEOUT",
		  label, present, n);
	if (ret)
		ktap_diag("%s: before or at page-out: %s", label, strerror(-ret));
	ktap_ok(!ret && (k->evict == EVICT_SOME ||
			 (k->evict == EVICT_ALL ? present == 0 : present == n)),
		"%s_paged_out", label);
	ktap_ok(region_bad_pages(r) == 0, "%s_intact_after_pageout", label);
}

/* First half punched (files) or DONTNEED'd (anonymous): zeros; rest intact. */
static void check_discard(const struct kind *k, const char *label,
			  struct region *r)
{
	size_t half = r->len / 2;
	int ret = 0;

	/* MADV_DONTNEED refuses locked ranges */
	if (munlock(r->buf, r->len))
		ret = -errno;
	if (!ret && k->fd_backed &&
	    fallocate(r->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, half))
		ret = -errno;
	if (!ret && !k->fd_backed && madvise(r->buf, half, MADV_DONTNEED))
		ret = -errno;
	if (ret)
		ktap_diag("%s: discard: %s", label, strerror(-ret));
	memset(r->shadow, 0, half);
	ktap_ok(!ret && region_bad_pages(r) == 0, "%s_discard", label);
}

static void run(const struct kind *k, enum mode mode)
{
	struct region r = { .len = k->len, .fd = -1, .pipe = { -1, -1 } };
	struct dsam_stats d0 = { 0 }, d1 = { 0 };
	struct mcopy_vmstat v0 = { 0 }, v1 = { 0 };
	static struct vmstat_snap s0, s1;
	char label[64];
	int node, ret;

	snprintf(label, sizeof(label), "%s_%s", k->name, mode_names[mode]);
	r.shadow = malloc(r.len);
	if (!r.shadow)
		ktap_abort("out of memory");
	ret = set_policy_node(0);
	if (!ret)
		ret = k->make(&r);
	set_policy_node(-1);
	if (ret)
		ktap_diag("%s: making the region: %s", label, strerror(-ret));
	if (!ktap_ok(!ret && k->state(&r, 0) &&
		     mem_on_node(r.buf, r.len, PAGE_SIZE_4K, 0),
		     "%s_made", label)) {
		int i;

		for (i = 1; i < CHECKS_PER_RUN; i++)
			ktap_ok(false, "%s_not_run_%d", label, i);
		k->teardown(&r);
		free(r.pfns);
		free(r.shadow);
		return;
	}

	/* this kind's batch-copy events only */
	if (mode != MODE_OFF && mcopy_trace_enable(true))
		ktap_diag("cannot clear the trace buffer");
	mcopy_vmstat_read(&v0);
	vmstat_snapshot(&s0);
	if (mode == MODE_DSA)
		dsam_stats_read(&d0);
	for (node = 1; node >= 0; node--) {
		/* held and pinned pages: two attempts to move them away */
		int to = k->path == PATH_STAYS ? 1 : node;
		long bad = mem_move_flags(r.buf, k->move_half ? r.len / 2 : r.len,
					  k->stride, to, k->move_flags);

		if (k->path == PATH_STAYS)
			ktap_ok(bad > 0 &&
				mem_on_node(r.buf, r.len, PAGE_SIZE_4K, 0),
				"%s_refused_%s", label, node ? "first" : "again");
		else
			ktap_ok(!bad &&
				mem_on_node(r.buf, r.len, PAGE_SIZE_4K, node),
				"%s_on_node%d", label, node);
		ktap_ok(region_bad_pages(&r) == 0, "%s_intact_node%d", label,
			node);
		ktap_ok(k->state(&r, k->path == PATH_STAYS ? 0 : node),
			"%s_state_node%d", label, node);
	}
	mcopy_vmstat_read(&v1);
	vmstat_snapshot(&s1);
	vmstat_report_delta(&s0, &s1, "thp_");
	if (mode == MODE_DSA)
		dsam_stats_read(&d1);
	check_counters(k, label, mode, &r, &v0, &v1, &d0, &d1,
		       vmstat_delta(&s0, &s1, "pgmigrate_fail"));

	check_pageout(k, label, &r);
	check_discard(k, label, &r);
	region_fill(&r, seed ^ 0x5a5a5a5a5a5a5a5aULL);
	ktap_ok(region_bad_pages(&r) == 0, "%s_refault", label);
	ret = k->teardown(&r);
	if (ret)
		ktap_diag("%s: teardown: %s", label, strerror(-ret));
	ktap_ok(!ret, "%s_freed", label);
	free(r.pfns);
	free(r.shadow);
}

int main(void)
{
	unsigned int i;
	enum mode mode;
	int ret;

	ktap_plan(NR_KINDS * NR_MODES * CHECKS_PER_RUN);
	if (node_count_with_memory() < 2)
		ktap_abort("needs 2 nodes with memory");
	seed = pattern_seed();
	ret = swap_zram_on(SWAP_BYTES);
	if (ret)
		ktap_abort("zram swap: %s", strerror(-ret));
	ret = blockfs_mount(EXT4_BYTES, EXT4_DIR);
	if (ret)
		ktap_abort("ext4 on zram: %s", strerror(-ret));
	ktap_diag("seed 0x%016" PRIx64 ", %zu kinds x %d modes", seed, NR_KINDS,
		  NR_MODES);
	/*
	 * A mode is set up before the regions are made: setting up runs
	 * modprobe, and a fork leaves private pages shared copy-on-write, so
	 * a held page would no longer be the one the process writes.
	 */
	for (mode = 0; mode < NR_MODES; mode++) {
		mode_enter(mode);
		for (i = 0; i < NR_KINDS; i++)
			run(&kinds[i], mode);
		mode_leave(mode);
	}
	blockfs_umount(EXT4_DIR);
	swap_zram_off();
	ksm_write("run", "2");
	return dsam_finish();
}
