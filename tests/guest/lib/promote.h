/* SPDX-License-Identifier: GPL-2.0 */
/*
 * promote.h - tiered-memory promotion scenario: a working set on node 1
 * (the slow tier) is accessed continuously while a DAMON paddr context with
 * a migrate_hot scheme (target node 0) watches node 1; the pages must reach
 * node 0 with their contents intact.
 */
#ifndef LAB_PROMOTE_H
#define LAB_PROMOTE_H

/*
 * Flags: --mode=baseline|offload --mib=N (working set, default 64)
 *        --timeout=S (default 120) --module=NAME
 * Prints a whole KTAP document; returns the exit code.
 */
int promote_main(int argc, char **argv);

#endif /* LAB_PROMOTE_H */
