// SPDX-License-Identifier: GPL-2.0
/*
 * harness-fail - fails on purpose, so the host-side harness test can prove
 * a failing guest test turns the run red.
 *
 * lab:test timeout=30 set=extra
 *
 * Prints one passing, one failing and one skipped result, a diagnostic the
 * harness test can look for, and exits 1.  Never add it to the default set.
 */
#include "ktap.h"

int main(void)
{
	ktap_plan(3);
	ktap_ok(true, "this_passes");
	ktap_diag("harness-fail: the next result fails deliberately");
	ktap_ok(false, "this_fails_on_purpose");
	ktap_skip("this_is_skipped", "deliberate skip");
	return ktap_finish();
}
