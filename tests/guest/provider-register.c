// SPDX-License-Identifier: GPL-2.0
/*
 * provider-register - the registration rules of migration copy providers.
 *
 * One provider at a time: a second registration fails with EBUSY.  A
 * registered provider's module is pinned: rmmod fails as "in use"
 * (EWOULDBLOCK) until it unregisters.  After unregistering, another
 * provider can register, and the module can be removed.
 *
 * lab:test timeout=120 set=default
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "ktap.h"
#include "mcopy.h"
#include "provider.h"

static bool provider_is(const char *want)
{
	char name[64];
	int ret = mcopy_provider_name(name, sizeof(name));

	if (ret) {
		ktap_diag("%s: %s", MCOPY_SYSCTL_PROVIDER, strerror(-ret));
		return false;
	}
	if (strcmp(name, want)) {
		ktap_diag("registered provider \"%s\", expected \"%s\"", name,
			  want);
		return false;
	}
	return true;
}

static bool fails_with(int ret, int err, const char *what)
{
	if (ret == -err)
		return true;
	ktap_diag("%s: %s, expected %s", what, ret ? strerror(-ret) : "success",
		  strerror(err));
	return false;
}

int main(void)
{
	char val[16];
	int ret;

	ktap_plan(8);

	provider_require_idle();

	ret = provider_load("");
	if (ret)
		ktap_abort("modprobe %s: %s", PROVIDER_MODULE, strerror(-ret));
	ktap_ok(provider_is(PROVIDER_NAME) && !provider_param_read("enable", val, sizeof(val)) &&
		!strcmp(val, "1"), "registered_on_load");

	ktap_ok(fails_with(provider_param_write("register_second", "1"), EBUSY,
			   "second registration") && provider_is(PROVIDER_NAME),
		"second_registration_ebusy");

	ktap_ok(fails_with(provider_delete_module(O_NONBLOCK), EWOULDBLOCK,
			   "rmmod while registered") && provider_loaded() &&
		provider_is(PROVIDER_NAME), "rmmod_while_registered_refused");

	ret = provider_param_write("enable", "0");
	ktap_ok(!ret && provider_is(""), "unregistered_by_enable_0");

	ret = provider_param_write("register_second", "1");
	if (ret)
		ktap_diag("second registration: %s", strerror(-ret));
	ktap_ok(!ret && provider_is(""), "second_registers_when_slot_free");

	ret = provider_param_write("enable", "1");
	ktap_ok(!ret && provider_is(PROVIDER_NAME) &&
		!provider_param_write("enable", "1") && provider_is(PROVIDER_NAME),
		"reregistered_idempotent");

	ret = provider_unload();
	if (ret)
		ktap_diag("unload: %s", strerror(-ret));
	ktap_ok(!ret && !provider_loaded() && provider_is(""), "unloaded_after_unregister");

	/* Loading with enable=0 must not register. */
	ret = provider_load("enable=0");
	ktap_ok(!ret && provider_is("") && !provider_delete_module(O_NONBLOCK) &&
		!provider_loaded(), "load_disabled_then_rmmod");
	return ktap_finish();
}
