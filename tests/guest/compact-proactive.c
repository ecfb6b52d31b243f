// SPDX-License-Identifier: GPL-2.0
/*
 * compact-proactive - proactive compaction by kcompactd
 * (vm.compaction_proactiveness=100), offload disabled.
 *
 * lab:test timeout=240 set=default boot=own
 *
 * Runs the compaction scenario (lib/scenario.c) with:
 *   --trigger=proactive --mode=baseline
 * Asserts: the node is fragmented by a fragmenter child holding ~60 % of
 * its free memory (half of every 2 MiB block freed); after compaction every
 * surviving page holds its pattern, pgmigrate_success rose, huge pages (or
 * free 2 MiB blocks) were obtained, and the offload counter behaved as the
 * mode requires.
 */
#include <stddef.h>

#include "scenario.h"

int main(void)
{
	char *argv[] = {
		"compact-proactive",
		"--trigger=proactive",
		"--mode=baseline", NULL
	};

	return scenario_main(sizeof(argv) / sizeof(argv[0]) - 1, argv);
}
