// SPDX-License-Identifier: GPL-2.0
/*
 * compact-concurrent - two fragmenters, kcompactd compaction, a concurrent
 * move_pages worker and a CPU hog at once.
 *
 * lab:test timeout=300 set=default boot=own
 *
 * Runs the compaction scenario (lib/scenario.c) with:
 *   --trigger=proactive --mode=baseline --fragmenters=2 --mover --busy
 * Asserts: the node is fragmented by a fragmenter child holding ~60 % of
 * its free memory (half of every 2 MiB block freed); after compaction every
 * surviving page holds its pattern, compaction itself (its tracepoint, not
 * pgmigrate_success, which counts the mover too) migrated at least 128
 * pages per 2 MiB block it cleared, huge pages (or
 * free 2 MiB blocks) were obtained, and the offload counter behaved as the
 * mode requires.
 */
#include <stddef.h>

#include "scenario.h"

int main(void)
{
	char *argv[] = {
		"compact-concurrent",
		"--trigger=proactive",
		"--mode=baseline",
		"--fragmenters=2",
		"--mover",
		"--busy", NULL
	};

	return scenario_main(sizeof(argv) / sizeof(argv[0]) - 1, argv);
}
