// SPDX-License-Identifier: GPL-2.0
/*
 * offload-params - every bad dsa_migrate parameter is refused with EINVAL
 * (and leaves the old value), good ones read back, and the enable state
 * machine holds: no channel -> ENODEV, enabled -> nr_chans/chan_filter
 * EBUSY and rmmod "in use", disabled -> rmmod works.
 *
 * lab:test timeout=120 set=default
 *
 * Runs with or without a DMA_MEMCPY channel: without one, enabling must
 * fail with ENODEV (and the enabled-state checks are skipped, saying so);
 * with one (DSA=1, set up with offload-wqs), they run.  In the default set:
 * it needs only the module.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsa.h"
#include "dsam.h"
#include "file.h"
#include "ktap.h"

struct bad_write {
	const char *param;
	const char *val;
};

static const struct bad_write bad[] = {
	{ "enable", "2" },
	{ "enable", "maybe" },
	{ "enable", "1x" },
	{ "nr_chans", "17" },
	{ "nr_chans", "-1" },
	{ "nr_chans", "two" },
	{ "chan_filter", "dma0chan0,,idxd" },
	{ "chan_filter", "bad name" },
	{ "chan_filter", "a;b" },
	{ "chan_filter", "a_name_that_is_far_longer_than_31_chars" },
	{ "min_batch_pages", "0" },
	{ "min_batch_pages", "65537" },
	{ "min_batch_pages", "32k" },
	{ "max_seg_bytes", "0" },
	{ "max_seg_bytes", "4095" },
	{ "max_seg_bytes", "6000" },
	{ "max_seg_bytes", "2147483648" },
	{ "max_seg_bytes", "2M" },
	{ "reasons", "compaction,bogus" },
	{ "reasons", "," },
	{ "reasons", "COMPACTION" },
	{ "verify", "2" },
	{ "verify", "true" },
	{ "timeout_ms", "0" },
	{ "timeout_ms", "600001" },
	{ "timeout_ms", "10s" },
	{ "queue_depth", "0" },
	{ "queue_depth", "129" },
	{ "queue_depth", "16x" },
	{ "test_abort_submit_every", "-1" },
	{ "test_abort_submit_every", "often" },
};

struct good_write {
	const char *param;
	const char *val;
	const char *readback;
};

static const struct good_write good[] = {
	{ "min_batch_pages", "64", "64" },
	{ "max_seg_bytes", "65536", "65536" },
	{ "reasons", "damon,compaction", "compaction,damon" },
	{ "reasons", "none", "none" },
	{ "reasons", "all",
	  "compaction,memory_failure,memory_hotplug,syscall_or_cpuset,mempolicy_mbind,numa_misplaced,contig_range,longterm_pin,demotion,damon" },
	{ "verify", "on", "Y" },
	{ "verify", "0", "N" },
	{ "timeout_ms", "250", "250" },
	{ "queue_depth", "32", "32" },
	{ "queue_depth", "16", "16" },
	{ "test_abort_submit_every", "0", "0" },
	{ "reasons", "default",
	  "compaction,memory_hotplug,syscall_or_cpuset,mempolicy_mbind,numa_misplaced,contig_range,longterm_pin,demotion,damon" },
	{ "chan_filter", "nosuchchan", "nosuchchan" },
};

#define NBAD	(sizeof(bad) / sizeof(bad[0]))
#define NGOOD	(sizeof(good) / sizeof(good[0]))

static void check_bad(const struct bad_write *b)
{
	char before[256] = "", after[256] = "";
	int ret;

	dsam_param_get(b->param, before, sizeof(before));
	ret = dsam_param_set(b->param, b->val);
	dsam_param_get(b->param, after, sizeof(after));
	if (ret != -EINVAL)
		ktap_diag("%s='%s': %s", b->param, b->val,
			  ret ? strerror(-ret) : "accepted");
	ktap_ok(ret == -EINVAL && !strcmp(before, after),
		"rejects_%s=%s", b->param, b->val);
}

static void check_good(const struct good_write *g)
{
	char val[256] = "";
	int ret;

	ret = dsam_param_set(g->param, g->val);
	dsam_param_get(g->param, val, sizeof(val));
	if (ret || strcmp(val, g->readback))
		ktap_diag("%s='%s': %s, reads '%s'", g->param, g->val,
			  ret ? strerror(-ret) : "ok", val);
	ktap_ok(!ret && !strcmp(val, g->readback), "accepts_%s=%s", g->param,
		g->val);
}

int main(void)
{
	static const char *const bad_load[] = { "enable=0",
						"min_batch_pages=0", NULL };
	static const char *const off[] = { "enable=0", NULL };
	char val[64];
	unsigned int i;
	int ret, chans;

	ktap_plan(NBAD + NGOOD + 11);
	if (dsam_loaded()) {
		dsam_param_set("enable", "0");
		if (dsam_rmmod())
			ktap_abort("cannot unload %s to start clean", DSAM_MODULE);
	}

	ret = dsam_modprobe(bad_load);
	ktap_ok(ret != 0 && !dsam_loaded(), "load_with_bad_param_fails");
	if (dsam_loaded())
		dsam_rmmod();

	ret = dsam_modprobe(off);
	if (!ktap_ok(ret == 0 && dsam_loaded(), "load_disabled"))
		ktap_abort("modprobe %s enable=0: exit %d", DSAM_MODULE, ret);

	for (i = 0; i < NBAD; i++)
		check_bad(&bad[i]);
	ret = dsam_stats_reset();
	ktap_ok(!ret, "stats_reset_accepts_1");
	ret = file_write(DSAM_SYS "/stats/reset", "2");
	ktap_ok(ret == -EINVAL, "stats_reset_rejects_2");
	for (i = 0; i < NGOOD; i++)
		check_good(&good[i]);

	/* A filter nothing matches: enabling fails, and says why. */
	ret = dsam_param_set("enable", "1");
	dsam_param_get("enable", val, sizeof(val));
	ktap_ok(ret == -ENODEV && !strcmp(val, "0"),
		"enable_without_matching_channel_enodev");
	dsam_param_set("chan_filter", "\n");

	/* With a DSA (DSA=1), give it a channel; without one, no channel. */
	if (!dsa_dma_channels() && system("/tests/bin/offload-wqs 1 2>/dev/null"))
		ktap_diag("offload-wqs 1 failed: no DSA in this guest?");
	chans = dsa_dma_channels();
	ktap_diag("%d dmaengine channel(s) in /sys/class/dma", chans);
	ret = dsam_param_set("enable", "1");
	if (!chans) {
		ktap_ok(ret == -ENODEV, "enable_without_channels_enodev");
		ktap_skip("enabled_nr_chans_ebusy", "no DMA channel (DSA=0)");
		ktap_skip("enabled_chan_filter_ebusy", "no DMA channel (DSA=0)");
		ktap_skip("enabled_rmmod_in_use", "no DMA channel (DSA=0)");
		ktap_skip("nr_chans_beyond_available_enodev",
			  "no DMA channel (DSA=0)");
	} else {
		if (ret)
			ktap_diag("enable=1: %s", strerror(-ret));
		ktap_ok(!ret, "enable_with_channels");
		ktap_ok(dsam_param_set("nr_chans", "1") == -EBUSY,
			"enabled_nr_chans_ebusy");
		ktap_ok(dsam_param_set("chan_filter", "dma0") == -EBUSY,
			"enabled_chan_filter_ebusy");
		ret = dsam_rmmod();
		ktap_ok(ret == -EWOULDBLOCK && dsam_loaded(), "enabled_rmmod_in_use");
		dsam_param_set("enable", "0");

		/* Asking for more channels than there are fails as a whole. */
		snprintf(val, sizeof(val), "%d", chans + 1);
		ret = dsam_param_set("nr_chans", val);
		if (!ret)
			ret = dsam_param_set("enable", "1");
		dsam_param_get("enable", val, sizeof(val));
		ktap_ok(ret == -ENODEV && !strcmp(val, "0"),
			"nr_chans_beyond_available_enodev");
		dsam_param_set("nr_chans", "0");
	}
	ret = dsam_rmmod();
	ktap_ok(!ret && !dsam_loaded(), "disabled_rmmod_works");
	return ktap_finish();
}
