/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proc.h - the calling process and the commands it runs.
 */
#ifndef LAB_PROC_H
#define LAB_PROC_H

#include <stdbool.h>

/*
 * Run argv[0] (looked up in PATH) with its arguments and wait for it.  With
 * @quiet its standard output goes to /dev/null (chatter that is not KTAP).
 * Returns its exit status, 128 if a signal ended it, or -errno.
 */
int proc_run(const char *const *argv, bool quiet);

/* Write @adj to /proc/self/oom_score_adj. */
int proc_oom_score_adj(int adj);

#endif /* LAB_PROC_H */
