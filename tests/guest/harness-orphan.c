// SPDX-License-Identifier: GPL-2.0
/*
 * harness-orphan - outlives its timeout and leaves a child behind that
 * holds the result pipe, so the host-side harness test can prove /init
 * kills a timed-out test with all its children and goes on.
 *
 * lab:test timeout=5 set=extra
 *
 * Never add it to the default set.
 */
#include <stdio.h>
#include <unistd.h>

#include "ktap.h"

int main(void)
{
	ktap_plan(1);
	ktap_diag("harness-orphan: a child keeps stdout open, both sleep past the timeout");
	fflush(stdout);
	if (fork() == 0) {
		for (;;)
			pause();
	}
	for (;;)
		pause();
	return ktap_finish();
}
