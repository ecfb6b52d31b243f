// SPDX-License-Identifier: GPL-2.0
/*
 * provider-damon - DAMON migrate_hot promotion through the CPU test provider.
 *
 * The reason mask is narrowed to MR_DAMON only, so the offload counter
 * rising during the promotion scenario (lib/promote.c, offload mode, with
 * migrate_test_provider as the provider) proves that the batch-copy hook
 * ran for DAMON's migrations; the scenario also checks every page while
 * and after it is promoted.
 *
 * lab:test timeout=300 set=default
 */
#include <stdio.h>
#include <string.h>

#include "file.h"
#include "ktap.h"
#include "mcopy.h"
#include "promote.h"
#include "provider.h"

#define DAMON_ONLY "512"	/* BIT(MR_DAMON) */

int main(void)
{
	char *argv[] = { "provider-damon", "--mode=offload",
			 "--module=" PROVIDER_MODULE, "--mib=32", "--timeout=150",
			 NULL };
	char saved[32];
	int ret, unload;

	provider_require_idle();
	if (file_read(MCOPY_SYSCTL_REASONS, saved, sizeof(saved)) ||
	    file_write(MCOPY_SYSCTL_REASONS, DAMON_ONLY))
		ktap_abort("cannot set %s", MCOPY_SYSCTL_REASONS);
	ktap_diag("%s = %s: only DAMON migrations are offered to the provider",
		  MCOPY_SYSCTL_REASONS, DAMON_ONLY);

	ret = promote_main(5, argv);

	file_write(MCOPY_SYSCTL_REASONS, saved);
	unload = provider_unload();
	if (unload) {
		ktap_diag("unloading %s: %s", PROVIDER_MODULE, strerror(-unload));
		return KTAP_EXIT_FAIL;
	}
	return ret;
}
