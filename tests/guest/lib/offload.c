// SPDX-License-Identifier: GPL-2.0
/*
 * offload.c - offload mode set-up and verdict, see offload.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file.h"
#include "ktap.h"
#include "offload.h"
#include "proc.h"
#include "vmstat.h"

static bool module_loaded(const char *module)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", module);
	return !stat(path, &st);
}

/* Run a helper quietly (dsa-setup prints the channel, which is not KTAP). */
static int run(const char *prog, const char *arg)
{
	const char *argv[] = { prog, arg, NULL };

	return proc_run(argv, true) ? -EIO : 0;
}

int offload_prepare(struct offload_state *st, bool want, const char *module)
{
	uint64_t v;
	int ret;

	memset(st, 0, sizeof(*st));
	st->want = want;
	snprintf(st->module, sizeof(st->module), "%s",
		 module ? module : OFFLOAD_MODULE);
	st->have_counter = !vmstat_read(OFFLOAD_VMSTAT, &v);

	if (!file_read(OFFLOAD_REASONS, st->saved_reasons,
		       sizeof(st->saved_reasons)))
		st->reasons_saved = true;

	if (!want) {
		/* Baseline: nothing may be offered to a provider. */
		if (st->reasons_saved) {
			ret = file_write(OFFLOAD_REASONS, "0");
			if (ret) {
				snprintf(st->error, sizeof(st->error),
					 "cannot disable offload (%s: %s)",
					 OFFLOAD_REASONS, strerror(-ret));
				return ret;
			}
		}
		return 0;
	}

	if (!st->have_counter) {
		snprintf(st->error, sizeof(st->error),
			 "offload mode: no vmstat counter %s (kernel without the copy offload series?)",
			 OFFLOAD_VMSTAT);
		return -ENOENT;
	}
	if (!module_loaded(st->module) && !strcmp(st->module, OFFLOAD_MODULE)) {
		/* The emulated DSA needs its work queue set up first. */
		if (run(OFFLOAD_SETUP, NULL)) {
			snprintf(st->error, sizeof(st->error),
				 "offload mode: %s failed (no DSA device? boot with DSA=1)",
				 OFFLOAD_SETUP);
			return -ENODEV;
		}
	}
	if (!module_loaded(st->module) && run("modprobe", st->module)) {
		snprintf(st->error, sizeof(st->error),
			 "offload mode: module %s not loaded and modprobe failed",
			 st->module);
		return -ENOENT;
	}
	if (!module_loaded(st->module)) {
		snprintf(st->error, sizeof(st->error),
			 "offload mode: module %s not in /sys/module after modprobe",
			 st->module);
		return -ENOENT;
	}
	if (st->reasons_saved && !strcmp(st->saved_reasons, "0")) {
		ret = file_write(OFFLOAD_REASONS, OFFLOAD_ALL_REASONS);
		if (ret) {
			snprintf(st->error, sizeof(st->error),
				 "offload mode: cannot enable reasons (%s: %s)",
				 OFFLOAD_REASONS, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int module_stat(const struct offload_state *st, uint64_t *v)
{
	char path[160];

	snprintf(path, sizeof(path), "/sys/module/%s/stats/%s", st->module,
		 OFFLOAD_MODULE_STAT);
	return file_read_u64(path, v);
}

void offload_snapshot(struct offload_state *st)
{
	uint64_t v = 0, m = 0;

	if (st->have_counter)
		vmstat_read(OFFLOAD_VMSTAT, &v);
	if (st->snaps++ == 0) {
		st->before = v;
		st->have_mstat = !module_stat(st, &m);
		st->mbefore = m;
	} else {
		st->after = v;
		if (st->have_mstat && !module_stat(st, &m))
			st->mafter = m;
	}
}

static uint64_t module_delta(const struct offload_state *st)
{
	return st->mafter >= st->mbefore ? st->mafter - st->mbefore : 0;
}

uint64_t offload_delta(const struct offload_state *st)
{
	return st->after >= st->before ? st->after - st->before : 0;
}

bool offload_verdict(const struct offload_state *st)
{
	if (st->want)
		return st->have_counter && offload_delta(st) > 0 &&
		       (!st->have_mstat || module_delta(st) > 0);
	return offload_delta(st) == 0 && module_delta(st) == 0;
}

void offload_report(const struct offload_state *st, const char *label)
{
	char dir[128], path[400], val[64];
	struct dirent *de;
	DIR *d;

	if (!st->have_counter) {
		ktap_diag("%s: no %s counter in this kernel", label,
			  OFFLOAD_VMSTAT);
		return;
	}
	ktap_diag("%s: %s +%" PRIu64 " (%s)", label, OFFLOAD_VMSTAT,
		  offload_delta(st),
		  st->want ? "offload mode" : "baseline, offload disabled");
	if (st->have_mstat)
		ktap_diag("%s: %s %s +%" PRIu64, label, st->module,
			  OFFLOAD_MODULE_STAT, module_delta(st));
	/* The provider's counters (totals since load or reset). */
	snprintf(dir, sizeof(dir), "/sys/module/%s/stats", st->module);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!file_read(path, val, sizeof(val)) && strcmp(val, "0"))
			ktap_diag("%s: %s.%s = %s", label, st->module,
				  de->d_name, val);
	}
	closedir(d);
}

void offload_restore(struct offload_state *st)
{
	if (st->reasons_saved)
		file_write(OFFLOAD_REASONS, st->saved_reasons);
	st->reasons_saved = false;
}
