/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mem.h - the calling process's memory: map it aligned, bind it to a node,
 * see whether THPs back it, which node holds each page (move_pages(2)
 * status queries) and move it (move_pages(2) with every status checked).
 * What a node holds as a whole is node.h's.
 */
#ifndef LAB_MEM_H
#define LAB_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node.h"

#define PAGE_SIZE_4K	4096UL
#define HPAGE_SIZE_2M	(2UL << 20)

/* Map @len bytes of anonymous memory aligned to 2 MiB; NULL on failure. */
void *mem_map_aligned(size_t len, size_t align);

/* mbind() @len bytes at @buf to @node only (MPOL_BIND, strict). */
int mem_bind(void *buf, size_t len, int node);

/* AnonHugePages (bytes) of the mapping containing @addr (/proc/self/smaps). */
int mem_anon_huge(const void *addr, uint64_t *bytes);

/* Node currently holding the page at @addr (move_pages status query). */
int mem_node(const void *addr);

/*
 * Count pages of [@buf, @buf + @len) per node, sampling one address every
 * @stride bytes.  @counts has LAB_MAX_NODES entries; pages that are not
 * present or fail the query go to *@other.  Returns pages queried or -errno.
 */
long mem_pages_per_node(const void *buf, size_t len, size_t stride,
			long counts[LAB_MAX_NODES], long *other);

/*
 * move_pages(2) every @stride-th page of [@buf, @buf + @len) to @node and
 * check each status.  Returns the number of pages whose status is not
 * @node (0 = all moved), or -errno if the call itself failed.  The first
 * bad status is reported with ktap_diag().
 */
long mem_move(void *buf, size_t len, size_t stride, int node);

/*
 * mem_move() with move_pages(2) @flags: MPOL_MF_MOVE_ALL also moves pages
 * other processes map (KSM pages, pages shared with a fork), as root.
 */
long mem_move_flags(void *buf, size_t len, size_t stride, int node,
		    int flags);

/*
 * True if every @stride-th page of [@buf, @buf + @len) is on @node; if not,
 * ktap_diag() how many are.
 */
bool mem_on_node(const void *buf, size_t len, size_t stride, int node);

/*
 * Move [@buf, @buf + @len) between @from and @to @rounds times, starting
 * with @to (@from, @to, @from...), checking every status and then every
 * byte against the pattern of @seed.  Returns 0 if all went well, else a
 * negative errno (moves) or -EIO (data), after a ktap_diag().
 */
int mem_roundtrip(void *buf, size_t len, size_t stride, int from, int to,
		  int rounds, uint64_t seed);

#endif /* LAB_MEM_H */
