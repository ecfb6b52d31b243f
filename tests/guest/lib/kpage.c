// SPDX-License-Identifier: GPL-2.0
/*
 * kpage.c - pagemap and kpageflags of a mapping, see kpage.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "kpage.h"
#include "mem.h"

/*
 * The files stay open: a range is read page by page, and opening them for
 * every page costs more than the read (much more on a debug kernel).  The
 * pagemap fd is the opening process's, so it is reopened after a fork.
 */
static int pread_u64(const char *path, int *fd, pid_t *owner, uint64_t index,
		     uint64_t *val)
{
	if (*fd < 0 || *owner != getpid()) {
		if (*fd >= 0)
			close(*fd);
		*fd = open(path, O_RDONLY | O_CLOEXEC);
		if (*fd < 0)
			return -errno;
		*owner = getpid();
	}
	if (pread(*fd, val, sizeof(*val), index * sizeof(*val)) != sizeof(*val))
		return -EIO;
	return 0;
}

int kpage_info(const void *addr, struct kpage_info *pi)
{
	static int pagemap = -1, kpageflags = -1;
	static pid_t pagemap_pid, kpageflags_pid;
	uint64_t ent;
	int ret;

	memset(pi, 0, sizeof(*pi));
	ret = pread_u64("/proc/self/pagemap", &pagemap, &pagemap_pid,
			(uintptr_t)addr / PAGE_SIZE_4K, &ent);
	if (ret)
		return ret;
	pi->present = ent >> 63 & 1;
	pi->swapped = ent >> 62 & 1;
	if (pi->swapped) {
		pi->swap_type = ent & 0x1f;
		pi->swap_offset = ent >> 5 & ((1ULL << 50) - 1);
	}
	if (!pi->present)
		return 0;
	pi->pfn = ent & ((1ULL << 55) - 1);
	return pread_u64("/proc/kpageflags", &kpageflags, &kpageflags_pid,
			 pi->pfn, &pi->kflags);
}

/* Pages with flag @bit, or present pages if @bit < 0. */
static long kpage_scan(const void *buf, size_t len, int bit)
{
	struct kpage_info pi;
	long n = 0;
	size_t off;
	int ret;

	for (off = 0; off < len; off += PAGE_SIZE_4K) {
		ret = kpage_info((const char *)buf + off, &pi);
		if (ret)
			return ret;
		n += bit < 0 ? pi.present : kpage_flag(&pi, bit);
	}
	return n;
}

long kpage_count(const void *buf, size_t len, int bit)
{
	return kpage_scan(buf, len, bit);
}

long kpage_not_order(const void *buf, size_t len, unsigned int order)
{
	const uint64_t nr = 1ULL << order;
	struct kpage_info pi;
	uint64_t head = 0, i = 0;
	long bad = 0;
	size_t off;
	int ret;

	for (off = 0; off < len; off += PAGE_SIZE_4K, i++) {
		bool ok;

		ret = kpage_info((const char *)buf + off, &pi);
		if (ret)
			return ret;
		if (i % nr == 0) {
			head = pi.pfn;
			ok = pi.present && head % nr == 0 &&
			     (order ? kpage_flag(&pi, KPF_COMPOUND_HEAD) :
			      !kpage_flag(&pi, KPF_COMPOUND_HEAD) &&
			      !kpage_flag(&pi, KPF_COMPOUND_TAIL));
		} else {
			ok = pi.present && pi.pfn == head + i % nr &&
			     kpage_flag(&pi, KPF_COMPOUND_TAIL);
		}
		bad += !ok;
	}
	return bad;
}

long kpage_present(const void *buf, size_t len)
{
	return kpage_scan(buf, len, -1);
}
