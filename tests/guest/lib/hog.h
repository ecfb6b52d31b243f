/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hog.h - a CPU hog pinned to one CPU, counting its loop iterations (the
 * "busy system" of the RFC v4 compaction experiment).  The count tells how
 * much CPU time the competing user task got.
 */
#ifndef LAB_HOG_H
#define LAB_HOG_H

#include <stdint.h>
#include <sys/types.h>

struct hog {
	pid_t pid;
	struct hog_shared *sh;	/* MAP_SHARED with the child */
};

/* Fork a child pinned to @cpu that spins until hog_stop().  0 or -errno. */
int hog_start(struct hog *h, int cpu);

/* Stop and reap the child; returns its final iteration count. */
uint64_t hog_stop(struct hog *h);

#endif /* LAB_HOG_H */
