// SPDX-License-Identifier: GPL-2.0
/*
 * damon-promote-offload - DAMON migrate_hot promotes a hot working set from
 * node 1 to node 0 with the copies offloaded to the DMA provider.
 *
 * lab:test timeout=240 set=default boot=own
 *
 * A 64 MiB working set is placed on node 1 and read continuously (each
 * sweep checks every page's pattern) while a DAMON paddr context watches
 * node 1's physical range with a migrate_hot scheme targeting node 0.
 * Asserts: DAMON accepted the configuration; at least 75 % of the pages
 * reach node 0 within the timeout; no sweep saw a bad page;
 * pgmigrate_success and the scheme's sz_applied rose; the offload counter
 * rose (offload).
 */
#include <stddef.h>

#include "promote.h"

int main(void)
{
	char *argv[] = { "damon-promote-offload", "--mode=offload", NULL };

	return promote_main(2, argv);
}
