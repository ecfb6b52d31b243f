/* SPDX-License-Identifier: GPL-2.0 */
/*
 * util.h - shared helpers for guest tests: page patterns, /proc and /sys
 * access, vmstat counters, NUMA placement, hugepage reservation.
 *
 * Conventions: functions returning int return 0 (or a non-negative value)
 * on success and a negative errno on failure; they print nothing, so the
 * caller decides how to report (usually ktap_diag() + a failed result).
 * Use strerror(-ret) for the message.
 */
#ifndef LAB_UTIL_H
#define LAB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE_4K	4096UL
#define HPAGE_SIZE_2M	(2UL << 20)
#define LAB_MAX_NODES	8

/* ---------------------------------------------------------------------
 * Page patterns.  Every 8-byte word of a page holds a value derived from
 * the page's virtual address, the word index and a run seed, so a page that
 * lost its content, got another page's content or a stale copy is caught,
 * and every byte is covered.
 */

/* Fill one 4 KiB page at @page (page aligned) with its pattern. */
void pattern_fill_page(void *page, uint64_t seed);

/* Fill @len bytes (multiple of 4 KiB, page aligned) page by page. */
void pattern_fill(void *buf, size_t len, uint64_t seed);

/* Description of the first mismatch found by a verify function. */
struct pattern_mismatch {
	void *page;		/* address of the bad page */
	size_t offset;		/* byte offset of the first bad word */
	uint64_t expected;
	uint64_t found;
	size_t bad_pages;	/* number of bad pages seen in this call */
};

/*
 * Check one page.  Returns true if intact; otherwise fills @mm (if not
 * NULL; its bad_pages is incremented) unless @mm already holds an earlier
 * mismatch.  Initialise @mm with pattern_mismatch_init().
 */
bool pattern_check_page(const void *page, uint64_t seed,
			struct pattern_mismatch *mm);

/*
 * Like pattern_check_page(), for a copy at @copy of the page that lives at
 * @addr (in this or another process): the pattern is keyed on @addr and
 * a mismatch reports @addr.
 */
bool pattern_check_copy(const void *copy, const void *addr, uint64_t seed,
			struct pattern_mismatch *mm);

void pattern_mismatch_init(struct pattern_mismatch *mm);

/*
 * Check @len bytes page by page.  Returns the number of bad pages (0 =
 * intact); the first one is described in @mm (may be NULL).
 */
size_t pattern_verify(const void *buf, size_t len, uint64_t seed,
		      struct pattern_mismatch *mm);

/* ktap_diag() a one-line description of the first mismatch in @mm. */
void pattern_report(const struct pattern_mismatch *mm);

/*
 * One KTAP result named by @fmt: every byte of [@buf, @buf + @len) matches
 * the pattern of @seed; the first mismatch is reported.  Returns the result.
 */
bool pattern_verify_ok(const void *buf, size_t len, uint64_t seed,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A seed that differs from run to run (time ^ pid), never 0. */
uint64_t pattern_seed(void);

/* ---------------------------------------------------------------------
 * /proc and /sys files.
 */

/* Read a whole small file into @buf (NUL terminated, trailing '\n' removed). */
int file_read(const char *path, char *buf, size_t len);
/* Read a file holding one unsigned decimal number. */
int file_read_u64(const char *path, uint64_t *val);
/* Write @val (no newline needed) with one write(2). */
int file_write(const char *path, const char *val);
int file_write_u64(const char *path, uint64_t val);

/* ---------------------------------------------------------------------
 * /proc/vmstat.
 */

/* Read one counter.  -ENOENT if the counter does not exist. */
int vmstat_read(const char *name, uint64_t *val);

#define VMSTAT_MAX 320
struct vmstat_snap {
	int n;
	char name[VMSTAT_MAX][48];
	uint64_t val[VMSTAT_MAX];
};

/* Take a snapshot of all of /proc/vmstat. */
int vmstat_snapshot(struct vmstat_snap *s);
/* Value of @name in @s, or -ENOENT (as int) through @val's return. */
int vmstat_get(const struct vmstat_snap *s, const char *name, uint64_t *val);
/* @after - @before for @name (0 if missing in either). */
uint64_t vmstat_delta(const struct vmstat_snap *before,
		      const struct vmstat_snap *after, const char *name);
/* ktap_diag() every counter starting with @prefix that changed. */
void vmstat_report_delta(const struct vmstat_snap *before,
			 const struct vmstat_snap *after, const char *prefix);

/* ---------------------------------------------------------------------
 * NUMA.
 */

/* Number of online nodes with memory (reads /sys/devices/system/node). */
int numa_nodes_with_memory(void);
/* MemFree / MemTotal of a node in bytes (from nodeN/meminfo). */
int node_mem_free(int node, uint64_t *bytes);
int node_mem_total(int node, uint64_t *bytes);
/* One field of nodeN/meminfo, e.g. "AnonHugePages", in bytes. */
int node_meminfo(int node, const char *field, uint64_t *bytes);
/* First CPU of @node, or -ENOENT for a memory-only node. */
int node_first_cpu(int node);

/* Node currently holding the page at @addr (move_pages status query). */
int page_node(const void *addr);

/*
 * Count pages of [@buf, @buf + @len) per node, sampling one address every
 * @stride bytes.  @counts has LAB_MAX_NODES entries; pages that are not
 * present or fail the query go to *@other.  Returns pages queried or -errno.
 */
long pages_per_node(const void *buf, size_t len, size_t stride,
		    long counts[LAB_MAX_NODES], long *other);

/*
 * move_pages(2) every @stride-th page of [@buf, @buf + @len) to @node and
 * check each status.  Returns the number of pages whose status is not
 * @node (0 = all moved), or -errno if the call itself failed.  The first
 * bad status is reported with ktap_diag().
 */
long move_range(void *buf, size_t len, size_t stride, int node);

/*
 * move_range() with move_pages(2) @flags: MPOL_MF_MOVE_ALL also moves pages
 * other processes map (KSM pages, pages shared with a fork), as root.
 */
long move_range_flags(void *buf, size_t len, size_t stride, int node,
		      int flags);

/*
 * True if every @stride-th page of [@buf, @buf + @len) is on @node; if not,
 * ktap_diag() how many are.
 */
bool range_on_node(const void *buf, size_t len, size_t stride, int node);

/* mbind() @len bytes at @buf to @node only (MPOL_BIND, strict). */
int bind_to_node(void *buf, size_t len, int node);

/* Pin the calling thread to @cpu. */
int pin_to_cpu(int cpu);

/* ---------------------------------------------------------------------
 * THP and hugetlb.
 */

/* AnonHugePages (bytes) of the mapping containing @addr (/proc/self/smaps). */
int smaps_anon_huge(const void *addr, uint64_t *bytes);

/* Map @len bytes of anonymous memory aligned to 2 MiB; NULL on failure. */
void *mmap_aligned(size_t len, size_t align);

/* Set / read nr_hugepages of 2 MiB pages on @node. */
int hugepages_set(int node, uint64_t nr);
int hugepages_get(int node, uint64_t *nr);

/* ---------------------------------------------------------------------
 * Misc.
 */

/* CLOCK_MONOTONIC in ns. */
uint64_t now_ns(void);

/*
 * Run argv[0] (looked up in PATH) with its arguments and wait for it.  With
 * @quiet its standard output goes to /dev/null (chatter that is not KTAP).
 * Returns its exit status, 128 if a signal ended it, or -errno.
 */
int run_cmd(const char *const *argv, bool quiet);

/* Write @adj to /proc/self/oom_score_adj. */
int set_oom_score_adj(int adj);
/* Fragmentation: fraction of free memory of @node in blocks < order 9,
 * from /proc/buddyinfo, in per-mille (0 = all free memory in >= 2 MiB
 * blocks, 1000 = none).  Also returns free pages if @free_pages. */
int node_frag_permille(int node, uint64_t *free_pages);

/* Jiffies of one CPU from /proc/stat ("cpuN" line). */
struct cpu_times {
	uint64_t user, nice, sys, idle, iowait, irq, softirq, steal;
};
int cpu_times_read(int cpu, struct cpu_times *t);
/* Percentages (x10, per-mille) of user, sys (incl. irq) and idle between two reads. */
void cpu_times_share(const struct cpu_times *a, const struct cpu_times *b,
		     int *user_pm, int *sys_pm, int *idle_pm);

/*
 * Unusable free space index of @node for @order from debugfs
 * (extfrag/unusable_index), per-mille, for the node's last (largest)
 * zone.  -ENOENT if debugfs is not mounted or the node is not listed.
 */
int node_unusable_index(int node, int order);

/* Physical address range [*start, *end) spanned by @node (/proc/zoneinfo). */
int node_phys_range(int node, uint64_t *start, uint64_t *end);

/*
 * Pageblock migratetypes of @node's zones from /proc/pagetypeinfo, as
 * "zone:unmovable/movable/reclaimable/highatomic/isolate ..." into @buf.
 * Compaction's free scanner only takes movable pageblocks.
 */
int node_pageblock_types(int node, char *buf, size_t len);

/* Free blocks of order >= @order on @node, in 2^@order-page units (buddyinfo). */
int node_free_blocks(int node, int order, uint64_t *blocks);

/* ---------------------------------------------------------------------
 * Tracefs: kernel trace events as evidence of what the kernel did.
 */

#define TRACEFS "/sys/kernel/tracing"

/*
 * Enable or disable the trace event @event ("system/name") in tracefs
 * (mounted by /init).  Enabling with @clear empties the trace buffer first.
 * -ENOENT if the kernel lacks the event.
 */
int trace_event_enable(const char *event, bool on, bool clear);
/* Count the buffered lines of @event ("name") containing @needle (or all). */
long trace_count(const char *event, const char *needle);
/*
 * Call @fn for each buffered line of @event ("name"), with the text after
 * "name: ".  Stops early when @fn returns non-zero.  Returns lines seen or
 * -errno.
 */
long trace_for_each(const char *event, int (*fn)(const char *text, void *arg),
		    void *arg);

#endif /* LAB_UTIL_H */
