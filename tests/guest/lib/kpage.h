/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpage.h - what the kernel says about the pages of a mapping: the swap
 * entry or frame from /proc/self/pagemap and the folio's flags from
 * /proc/kpageflags (Documentation/admin-guide/mm/pagemap.rst), so a test
 * can check a folio kept its kind (THP, mTHP order, KSM, mlocked, swap
 * cache, dirty...) across a migration.
 *
 * Functions return 0 (or a count) or a negative errno and print nothing.
 */
#ifndef LAB_KPAGE_H
#define LAB_KPAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* include/uapi/linux/kernel-page-flags.h, and the kernel-only bits above 31 */
#define KPF_LOCKED		0
#define KPF_DIRTY		4
#define KPF_LRU			5
#define KPF_ANON		12
#define KPF_SWAPCACHE		13
#define KPF_SWAPBACKED		14
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_HUGE		17
#define KPF_UNEVICTABLE		18
#define KPF_HWPOISON		19
#define KPF_KSM			21	/* 6.12: set for every anon page, see folio-kinds */
#define KPF_THP			22	/* any large anon/file folio, not only PMD */
#define KPF_MLOCKED		33

struct kpage_info {
	bool present;
	bool swapped;
	unsigned int swap_type;
	uint64_t swap_offset;
	uint64_t pfn;		/* present pages only */
	uint64_t kflags;	/* /proc/kpageflags of @pfn, present pages only */
};

int kpage_info(const void *addr, struct kpage_info *pi);

static inline bool kpage_flag(const struct kpage_info *pi, int bit)
{
	return pi->present && (pi->kflags >> bit & 1);
}

/* Pages of [@buf, @buf + @len) in memory (not swapped out or dropped). */
long kpage_present(const void *buf, size_t len);

/* Pages of [@buf, @buf + @len) that are present and have flag @bit. */
long kpage_count(const void *buf, size_t len, int bit);

/*
 * Pages of [@buf, @buf + @len) (aligned to the folio size) that are not
 * part of a folio of exactly 2^@order pages laid out as the kernel makes
 * them: a head at a frame aligned to the folio size, then 2^@order - 1 tail
 * pages at consecutive frames.  @order 0: every page is a small folio.
 */
long kpage_not_order(const void *buf, size_t len, unsigned int order);

#endif /* LAB_KPAGE_H */
