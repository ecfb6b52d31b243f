// SPDX-License-Identifier: GPL-2.0
/*
 * dsa-rebind - dsa0 and its WQ unbind and rebind cleanly, at every level.
 *
 * lab:test timeout=900 set=default
 *
 * Checks, each followed by dsa-setup and a working channel (dmatest,
 * 0 failures): the WQ unbound from the dmaengine driver (idxd then clears
 * its configuration, so it is set up again); dsa0 unbound from the idxd
 * device driver; the PCI function unbound from idxd, reset (FLR) and bound
 * again; idxd unloaded and loaded again.  States are read back from sysfs
 * at each step; the host fails the run on any kernel splat.
 *
 * The WQ and dsa0 are always unbound from the dsa bus before the PCI
 * function goes (as accel-config does): idxd 6.12.117 frees the WQs before
 * it disables a still-enabled dsa0 in idxd_remove() and then oopses in
 * idxd_wq_disable_cleanup().  Needs DSA=1.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dsa.h"
#include "file.h"
#include "ktap.h"
#include "proc.h"

#define DSA_BUS		"/sys/bus/dsa"

static char chan[64];

static void dmatest_clean(const char *name)
{
	struct dmatest_result r;
	int ret;

	ret = dsa_dmatest(chan, 65536, 20, 1, 5000, true, &r);
	if (!ktap_ok(!ret && r.found == 1 && r.tests == 20 && !r.failures,
		     "%s", name))
		ktap_diag("ret %d, %u tests, %u failures", ret, r.tests,
			  r.failures);
	/* Let go of the channel so that it can be unbound */
	dsa_dmatest_unload();
}

static bool state_is(const char *path, const char *want)
{
	char buf[32] = "";

	file_read(path, buf, sizeof(buf));
	if (strcmp(buf, want))
		ktap_diag("%s is '%s', want '%s'", path, buf, want);
	return !strcmp(buf, want);
}

static void setup_or_abort(const char *what)
{
	int ret = dsa_setup(chan, sizeof(chan), NULL);

	if (ret)
		ktap_abort("dsa-setup.sh failed after %s (%d)", what, ret);
}

/* Unbind wq0.0 and dsa0 from the dsa bus drivers, as accel-config does */
static bool teardown(void)
{
	char st[32] = "";
	int ret = 0;

	file_read(DSA_BUS "/devices/wq0.0/state", st, sizeof(st));
	if (!strcmp(st, "enabled"))
		ret = file_write(DSA_BUS "/drivers/dmaengine/unbind", "wq0.0");
	file_read(DSA_BUS "/devices/dsa0/state", st, sizeof(st));
	if (!ret && !strcmp(st, "enabled"))
		ret = file_write(DSA_BUS "/drivers/idxd/unbind", "dsa0");
	if (ret)
		ktap_diag("teardown: %d", ret);
	return !ret && state_is(DSA_BUS "/devices/wq0.0/state", "disabled") &&
	       state_is(DSA_BUS "/devices/dsa0/state", "disabled");
}

int main(void)
{
	const char *rmmod[] = { "rmmod", "idxd", NULL };
	const char *modprobe[] = { "modprobe", "idxd", NULL };
	char bdf[64], path[300];
	int ret;

	ktap_plan(13);
	setup_or_abort("boot");
	if (dsa_pci_bdf(bdf, sizeof(bdf)))
		ktap_abort("no intel-dsa PCI function");
	dmatest_clean("dmatest_before");

	/* WQ alone */
	ret = file_write(DSA_BUS "/drivers/dmaengine/unbind", "wq0.0");
	ktap_ok(!ret && state_is(DSA_BUS "/devices/wq0.0/state", "disabled") &&
		state_is(DSA_BUS "/devices/dsa0/state", "enabled"), "wq_unbind");
	setup_or_abort("WQ unbind");
	dmatest_clean("dmatest_after_wq_rebind");

	/* dsa0 (idxd's dsa bus driver) */
	ktap_ok(teardown(), "dsa0_unbind");
	setup_or_abort("dsa0 unbind");
	dmatest_clean("dmatest_after_dsa0_rebind");

	/* PCI function, with an FLR while unbound */
	ret = !teardown();
	ret = ret ?: file_write("/sys/bus/pci/drivers/idxd/unbind", bdf);
	ktap_ok(!ret && access(DSA_BUS "/devices/dsa0", F_OK),
		"pci_unbind_removes_dsa0");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset", bdf);
	ktap_ok(!file_write(path, "1"), "pci_flr");
	ret = file_write("/sys/bus/pci/drivers/idxd/bind", bdf);
	ktap_ok(!ret && !access(DSA_BUS "/devices/dsa0", F_OK),
		"pci_rebind_adds_dsa0");
	setup_or_abort("PCI rebind");
	dmatest_clean("dmatest_after_pci_rebind");

	/* Module */
	ret = !teardown();
	ret = ret ?: proc_run(rmmod, false);
	ktap_ok(!ret && access(DSA_BUS "/devices/dsa0", F_OK), "rmmod_idxd");
	ret = proc_run(modprobe, false);
	ktap_ok(!ret, "modprobe_idxd");
	setup_or_abort("modprobe");
	dmatest_clean("dmatest_after_module_reload");
	ktap_ok(state_is(DSA_BUS "/devices/wq0.0/state", "enabled"),
		"left_set_up");
	return ktap_finish();
}
