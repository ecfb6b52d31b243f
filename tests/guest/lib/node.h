/* SPDX-License-Identifier: GPL-2.0 */
/*
 * node.h - what the kernel says about one NUMA node: its memory and CPUs
 * (/sys/devices/system/node), its physical range (/proc/zoneinfo), its
 * hugetlb pool, and how fragmented its free memory is (/proc/buddyinfo,
 * /proc/pagetypeinfo, debugfs extfrag).  Where a process's pages are, and
 * moving them, is mem.h's.
 */
#ifndef LAB_NODE_H
#define LAB_NODE_H

#include <stddef.h>
#include <stdint.h>

#define LAB_MAX_NODES	8

/* Number of online nodes with memory (reads /sys/devices/system/node). */
int node_count_with_memory(void);
/* MemFree / MemTotal of a node in bytes (from nodeN/meminfo). */
int node_mem_free(int node, uint64_t *bytes);
int node_mem_total(int node, uint64_t *bytes);
/* One field of nodeN/meminfo, e.g. "AnonHugePages", in bytes. */
int node_meminfo(int node, const char *field, uint64_t *bytes);
/* First CPU of @node, or -ENOENT for a memory-only node. */
int node_first_cpu(int node);

/* Physical address range [*start, *end) spanned by @node (/proc/zoneinfo). */
int node_phys_range(int node, uint64_t *start, uint64_t *end);

/* Set / read nr_hugepages of 2 MiB pages on @node. */
int node_hugepages_set(int node, uint64_t nr);
int node_hugepages_get(int node, uint64_t *nr);

/* Fragmentation: fraction of free memory of @node in blocks < order 9,
 * from /proc/buddyinfo, in per-mille (0 = all free memory in >= 2 MiB
 * blocks, 1000 = none).  Also returns free pages if @free_pages. */
int node_frag_permille(int node, uint64_t *free_pages);

/* Free blocks of order >= @order on @node, in 2^@order-page units (buddyinfo). */
int node_free_blocks(int node, int order, uint64_t *blocks);

/*
 * Unusable free space index of @node for @order from debugfs
 * (extfrag/unusable_index), per-mille, for the node's last (largest)
 * zone.  -ENOENT if debugfs is not mounted or the node is not listed.
 */
int node_unusable_index(int node, int order);

/*
 * Pageblock migratetypes of @node's zones from /proc/pagetypeinfo, as
 * "zone:unmovable/movable/reclaimable/highatomic/isolate ..." into @buf.
 * Compaction's free scanner only takes movable pageblocks.
 */
int node_pageblock_types(int node, char *buf, size_t len);

#endif /* LAB_NODE_H */
