/* SPDX-License-Identifier: GPL-2.0 */
/*
 * frag.h - fragment a node's memory the way the RFC v4 compaction
 * experiment does, and verify what survives.
 *
 * A region of anonymous 4 KiB pages (THP off) is bound to one node and
 * every page is filled with the per-page pattern (pattern.h).  Then, in every
 * 2 MiB-aligned block, every other page is freed with MADV_DONTNEED (the
 * phase flips every 32 pages, see frag_survives()): 256 of 512 pages at
 * evenly spaced offsets.  The freed pages go back to the
 * buddy allocator but merge to order 1 at most, so the node is ~100 %
 * fragmented at 50 % free.  Half of the pages survive.
 *
 * The region can be verified in-process (frag_verify) or from another
 * process (frag_verify_remote, through /proc/PID/mem), which is how the
 * runner checks a fragmenter child that holds the memory.
 */
#ifndef LAB_FRAG_H
#define LAB_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pattern.h"

struct frag_region {
	uint64_t base;		/* 2 MiB aligned start, in the owner's mm */
	uint64_t len;		/* multiple of 2 MiB */
	uint64_t seed;		/* pattern seed */
	int node;		/* node the memory was bound to */
};

/* Every other page survives, the phase flipping every this many pages. */
#define FRAG_PHASE_PAGES	32

/*
 * Page index @i of the region survives fragmentation.  The phase flip
 * matters: after a few pageblocks without free pages, compaction's free
 * scanner (isolate_freepages()) samples only every 32nd page of a block.
 * With a plain odd/even pattern and the region physically contiguous, all
 * free pfns can be odd, every sample hits a used page, the scanner skips
 * the whole fragmented zone and a full compaction pass ends at once
 * (seen as about half of all compact_node() runs gaining nothing).
 */
static inline bool frag_survives(size_t i)
{
	return !((i ^ (i / FRAG_PHASE_PAGES)) & 1);
}

/* Number of surviving pages of @r. */
size_t frag_survivors(const struct frag_region *r);

/*
 * Map @len bytes (rounded down to 2 MiB, at least 2 MiB) bound to @node,
 * fill every page, then free half of each 2 MiB block.  0 or -errno.
 * frag_create() = frag_fill() + frag_discard(), which can be split so that
 * several fragmenters all fill before any of them frees.
 */
int frag_create(struct frag_region *r, int node, size_t len, uint64_t seed);
int frag_fill(struct frag_region *r, int node, size_t len, uint64_t seed);
int frag_discard(struct frag_region *r);

/* Unmap the region (in-process owner only). */
void frag_destroy(struct frag_region *r);

/* Verify every survivor in-process.  Returns the number of bad pages. */
size_t frag_verify(const struct frag_region *r, struct pattern_mismatch *mm);

/*
 * Verify every survivor of @r in process @pid (read through /proc/PID/mem).
 * Returns the number of bad pages (mismatch or unreadable), or -errno if
 * the process cannot be read at all.  *@checked (if not NULL) gets the number of pages compared.
 */
long frag_verify_remote(pid_t pid, const struct frag_region *r,
			struct pattern_mismatch *mm, size_t *checked);

/*
 * Fragmenter child: a process with oom_score_adj=-1000 that fills its region
 * (frag_child_start), frees half of each 2 MiB block when told
 * (frag_child_fragment), and holds the survivors until frag_child_stop()
 * kills it.  Start every child before fragmenting any, so that one child's
 * freed pages are not reused by the next one's allocations.
 */
struct frag_child {
	pid_t pid;
	int fd;			/* the child's reports */
	struct frag_region region;
};

/* Fork and wait until the child has filled its region.  0 or -errno. */
int frag_child_start(struct frag_child *c, int node, size_t len,
		     uint64_t seed);
/* Let it free half of each 2 MiB block and wait for that.  0 or -errno. */
int frag_child_fragment(struct frag_child *c);
/* Kill and reap the child: 0 if it was still holding, else its status. */
int frag_child_stop(struct frag_child *c);

#endif /* LAB_FRAG_H */
