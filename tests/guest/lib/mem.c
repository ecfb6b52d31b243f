// SPDX-License-Identifier: GPL-2.0
/*
 * mem.c - the calling process's memory and where it lives, see mem.h.
 */
#include <errno.h>
#include <limits.h>
#include <numaif.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "ktap.h"
#include "mem.h"
#include "node.h"
#include "pattern.h"

void *mem_map_aligned(size_t len, size_t align)
{
	size_t total = len + align;
	uintptr_t start, aligned;
	char *p;

	p = mmap(NULL, total, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	start = (uintptr_t)p;
	aligned = (start + align - 1) & ~(uintptr_t)(align - 1);
	if (aligned > start)
		munmap(p, aligned - start);
	if (aligned + len < start + total)
		munmap((void *)(aligned + len), start + total - aligned - len);
	return (void *)aligned;
}

int mem_bind(void *buf, size_t len, int node)
{
	unsigned long mask = 1UL << node;

	if (mbind(buf, len, MPOL_BIND, &mask, sizeof(mask) * 8, MPOL_MF_STRICT))
		return -errno;
	return 0;
}

int mem_anon_huge(const void *addr, uint64_t *bytes)
{
	uintptr_t a = (uintptr_t)addr;
	char line[256];
	bool in = false;
	int ret = -ENOENT;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end, kb;

		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = a >= start && a < end;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %lu kB", &kb) == 1) {
			*bytes = (uint64_t)kb << 10;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

int mem_node(const void *addr)
{
	void *pages[1] = { (void *)((uintptr_t)addr & ~(PAGE_SIZE_4K - 1)) };
	int status[1] = { -1 };

	if (move_pages(0, 1, pages, NULL, status, 0))
		return -errno;
	return status[0];
}

long mem_pages_per_node(const void *buf, size_t len, size_t stride,
			long counts[LAB_MAX_NODES], long *other)
{
	enum { CHUNK = 512 };
	void *pages[CHUNK];
	int status[CHUNK];
	size_t off = 0;
	long total = 0;
	int i, n;

	memset(counts, 0, sizeof(long) * LAB_MAX_NODES);
	*other = 0;
	while (off < len) {
		for (n = 0; n < CHUNK && off < len; n++, off += stride)
			pages[n] = (char *)buf + off;
		if (move_pages(0, n, pages, NULL, status, 0))
			return -errno;
		for (i = 0; i < n; i++) {
			if (status[i] >= 0 && status[i] < LAB_MAX_NODES)
				counts[status[i]]++;
			else
				(*other)++;
		}
		total += n;
	}
	return total;
}

bool mem_on_node(const void *buf, size_t len, size_t stride, int node)
{
	long counts[LAB_MAX_NODES], other, n;

	n = mem_pages_per_node(buf, len, stride, counts, &other);
	if (n < 0) {
		ktap_diag("status query: %s", strerror(-n));
		return false;
	}
	if (counts[node] != n)
		ktap_diag("%ld of %ld pages on node%d (%ld not present/unknown)",
			  counts[node], n, node, other);
	return counts[node] == n;
}

long mem_move_flags(void *buf, size_t len, size_t stride, int node,
		    int flags)
{
	enum { CHUNK = 512 };
	void *pages[CHUNK];
	int nodes[CHUNK], status[CHUNK];
	size_t off = 0;
	long bad = 0, ret;
	int i, n;

	while (off < len) {
		for (n = 0; n < CHUNK && off < len; n++, off += stride) {
			pages[n] = (char *)buf + off;
			nodes[n] = node;
			status[n] = INT_MIN;
		}
		ret = move_pages(0, n, pages, nodes, status, flags);
		if (ret < 0)
			return -errno;
		/*
		 * A positive return counts the pages that were queued but not
		 * migrated, plus those not tried: the call stops there, and
		 * a queued page's status reads @node even when it stayed.
		 */
		if (ret > 0) {
			ktap_diag("move_pages to node%d: %ld page(s) not migrated",
				  node, ret);
			return bad + ret + (len - off) / stride;
		}
		for (i = 0; i < n; i++) {
			if (status[i] == node)
				continue;
			if (!bad)
				ktap_diag("move_pages %p to node%d: status %d (%s)",
					  pages[i], node, status[i],
					  status[i] < 0 ? strerror(-status[i]) : "wrong node");
			bad++;
		}
	}
	return bad;
}

long mem_move(void *buf, size_t len, size_t stride, int node)
{
	return mem_move_flags(buf, len, stride, node, MPOL_MF_MOVE);
}

int mem_roundtrip(void *buf, size_t len, size_t stride, int from, int to,
		  int rounds, uint64_t seed)
{
	struct pattern_mismatch mm;
	int i;

	for (i = 0; i < rounds; i++) {
		int node = i % 2 ? from : to;
		long bad = mem_move(buf, len, stride, node);

		if (bad < 0) {
			ktap_diag("move_pages to node %d: %s", node,
				  strerror((int)-bad));
			return (int)bad;
		}
		if (bad > 0) {
			ktap_diag("round %d: %ld pages not on node %d", i, bad,
				  node);
			return -EAGAIN;
		}
		pattern_mismatch_init(&mm);
		if (pattern_verify(buf, len, seed, &mm)) {
			ktap_diag("round %d (to node %d): data differs", i,
				  node);
			pattern_report(&mm);
			return -EIO;
		}
	}
	return 0;
}
