// SPDX-License-Identifier: GPL-2.0
/*
 * dsa_migrate: registration with the migration copy-offload API, the module
 * parameters and their validation, enable and disable.
 *
 * Every parameter write is checked; a value that does not parse or is out
 * of range is refused with -EINVAL and a message naming the parameter and
 * the accepted values.  Nothing is ever clamped or defaulted silently.
 *
 * Enabling requests the channels, then registers the provider.  Disabling
 * unregisters it, which waits for the batches inside copy_batch() (each of
 * which returns within timeout_ms), and only then gives the channels back;
 * a channel still held by a quarantined batch is released when its late
 * completions arrive.  While registered, the kernel holds a reference on
 * this module, and so does every quarantined batch: rmmod fails ("in use")
 * until enable is 0 and nothing is quarantined.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/migrate_copy.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "dsa_migrate.h"

#define DSAM_FILTER_MAX		128
#define DSAM_MIN_BATCH_LIMIT	(MIGRATE_COPY_MAX_PAIRS * 512)
#define DSAM_TIMEOUT_LIMIT_MS	600000

/* Runtime parameters used by the copy path. */
unsigned int dsam_min_batch_pages = 32;
unsigned int dsam_max_seg_bytes = SZ_2M;
unsigned long dsam_reasons = MIGRATE_COPY_DEFAULT_REASONS;
bool dsam_verify;
unsigned int dsam_timeout_ms = 5000;
unsigned int dsam_queue_depth = 16;
#ifdef DSAM_TEST_HOOKS
unsigned int dsam_test_abort_submit_every;
unsigned int dsam_test_ro_dst_every;
atomic_t dsam_test_ro_dst_pairs;
#endif

/* Parameters used at enable. */
static unsigned int dsam_nr_chans;
static char dsam_filter[DSAM_FILTER_MAX];

/* Protects the state below and serialises enable and disable. */
static DEFINE_MUTEX(dsam_lock);
static bool dsam_live;		/* module_init() has run */
static bool dsam_want_enable = true;
static bool dsam_enabled;

static struct migrate_copy_provider dsam_provider = {
	.name = "dsa_migrate",
	.owner = THIS_MODULE,
	.copy_batch = dsam_copy_batch,
};

/* Names of enum migrate_reason, as in the migrate tracepoints. */
static const char * const dsam_reason_names[MR_TYPES] = {
	[MR_COMPACTION]		= "compaction",
	[MR_MEMORY_FAILURE]	= "memory_failure",
	[MR_MEMORY_HOTPLUG]	= "memory_hotplug",
	[MR_SYSCALL]		= "syscall_or_cpuset",
	[MR_MEMPOLICY_MBIND]	= "mempolicy_mbind",
	[MR_NUMA_MISPLACED]	= "numa_misplaced",
	[MR_CONTIG_RANGE]	= "contig_range",
	[MR_LONGTERM_PIN]	= "longterm_pin",
	[MR_DEMOTION]		= "demotion",
	[MR_DAMON]		= "damon",
};

/* Length of @val without the newline a shell `echo` adds. */
static size_t dsam_len(const char *val)
{
	return strcspn(val, "\n");
}

static int dsam_enable_locked(void)
{
	int ret;

	ret = dsam_pool_fill(dsam_nr_chans, dsam_filter);
	if (ret)
		return ret;
	ret = migrate_copy_register(&dsam_provider);
	if (ret) {
		pr_err("cannot register the copy provider (%d)%s\n",
		       ret, ret == -EBUSY ?
		       ": another provider is registered" : "");
		dsam_pool_release();
		return ret;
	}
	dsam_enabled = true;
	pr_info("enabled, %u channel(s)\n", dsam_pool_size());
	return 0;
}

static void dsam_disable_locked(void)
{
	int ret;

	/* No batch is inside dsam_copy_batch() once this returns. */
	ret = migrate_copy_unregister(&dsam_provider);
	if (ret)
		pr_err("provider was not registered (%d)\n", ret);
	dsam_pool_release();
	dsam_enabled = false;
	if (dsam_quarantined())
		pr_info("disabled; %lu folio(s) stay quarantined until their DMA completes\n",
			dsam_quarantined());
	else
		pr_info("disabled\n");
}

/* Strict booleans: 0/1, n/y, N/Y, off/on; nothing else. */
static int dsam_parse_bool(const char *val, const char *name, bool *res)
{
	static const char * const on[] = { "1", "y", "Y", "on" };
	static const char * const off[] = { "0", "n", "N", "off" };
	size_t len = dsam_len(val);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(on); i++) {
		if (len == strlen(on[i]) && !strncmp(val, on[i], len)) {
			*res = true;
			return 0;
		}
		if (len == strlen(off[i]) && !strncmp(val, off[i], len)) {
			*res = false;
			return 0;
		}
	}
	pr_err("%s: '%.*s' is not a boolean (0/1, n/y, off/on)\n",
	       name, (int)min_t(size_t, len, 32), val);
	return -EINVAL;
}

static int dsam_parse_uint(const char *val, const char *name,
			   unsigned int min, unsigned int max,
			   unsigned int *res)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < min || v > max) {
		pr_err("%s: '%.*s' is not a number in [%u, %u]\n",
		       name, (int)min_t(size_t, dsam_len(val), 32), val,
		       min, max);
		return -EINVAL;
	}
	*res = v;
	return 0;
}

/* --- enable --- */

static int dsam_enable_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret = 0;

	ret = dsam_parse_bool(val, kp->name, &on);
	if (ret)
		return ret;

	mutex_lock(&dsam_lock);
	if (!dsam_live)
		dsam_want_enable = on;	/* module load: done in init */
	else if (on && !dsam_enabled)
		ret = dsam_enable_locked();
	else if (!on && dsam_enabled)
		dsam_disable_locked();
	mutex_unlock(&dsam_lock);
	return ret;
}

static int dsam_enable_get(char *buf, const struct kernel_param *kp)
{
	bool on;

	mutex_lock(&dsam_lock);
	on = dsam_live ? dsam_enabled : dsam_want_enable;
	mutex_unlock(&dsam_lock);
	return sysfs_emit(buf, "%d\n", on);
}

static const struct kernel_param_ops dsam_enable_ops = {
	.set = dsam_enable_set,
	.get = dsam_enable_get,
};
module_param_cb(enable, &dsam_enable_ops, NULL, 0644);
MODULE_PARM_DESC(enable,
		 "1: take the channels and register as the migration copy provider (default); 0: unregister and release them");

/* --- parameters that take effect at the next enable --- */

static int dsam_check_disabled(const char *name)
{
	if (dsam_enabled) {
		pr_err("%s: cannot change while enabled; write 0 to enable first\n",
		       name);
		return -EBUSY;
	}
	return 0;
}

static int dsam_nr_chans_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = dsam_parse_uint(val, kp->name, 0, DSAM_MAX_CHANS, &v);
	if (ret)
		return ret;
	mutex_lock(&dsam_lock);
	ret = dsam_check_disabled(kp->name);
	if (!ret)
		dsam_nr_chans = v;
	mutex_unlock(&dsam_lock);
	return ret;
}

static const struct kernel_param_ops dsam_nr_chans_ops = {
	.set = dsam_nr_chans_set,
	.get = param_get_uint,
};
module_param_cb(nr_chans, &dsam_nr_chans_ops, &dsam_nr_chans, 0644);
MODULE_PARM_DESC(nr_chans,
		 "DMA_MEMCPY channels to take at enable: 0 = every one available, up to 16 (default); N = exactly N or enable fails");

static int dsam_filter_set(const char *val, const struct kernel_param *kp)
{
	size_t len = dsam_len(val);
	char buf[DSAM_FILTER_MAX];
	int ret;

	if (len >= sizeof(buf)) {
		pr_err("%s: longer than %zu characters\n",
		       kp->name, sizeof(buf) - 1);
		return -EINVAL;
	}
	memcpy(buf, val, len);
	buf[len] = '\0';
	if (dsam_filter_validate(buf)) {
		pr_err("%s: '%s' is not a comma-separated list of channel, DMA device, device or driver names ([A-Za-z0-9._:-], 1-31 characters each)\n",
		       kp->name, buf);
		return -EINVAL;
	}
	mutex_lock(&dsam_lock);
	ret = dsam_check_disabled(kp->name);
	if (!ret)
		strscpy(dsam_filter, buf, sizeof(dsam_filter));
	mutex_unlock(&dsam_lock);
	return ret;
}

static int dsam_filter_get(char *buf, const struct kernel_param *kp)
{
	int ret;

	mutex_lock(&dsam_lock);
	ret = sysfs_emit(buf, "%s\n", dsam_filter);
	mutex_unlock(&dsam_lock);
	return ret;
}

static const struct kernel_param_ops dsam_filter_ops = {
	.set = dsam_filter_set,
	.get = dsam_filter_get,
};
module_param_cb(chan_filter, &dsam_filter_ops, NULL, 0644);
MODULE_PARM_DESC(chan_filter,
		 "Use only channels matching one of these comma-separated names: channel (dma0chan0), DMA device (dma0), device (0000:00:04.0) or driver (idxd); empty = any (default)");

/* --- runtime parameters, used by the next batch --- */

static int dsam_min_batch_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = dsam_parse_uint(val, kp->name, 1, DSAM_MIN_BATCH_LIMIT, &v);
	if (!ret)
		WRITE_ONCE(dsam_min_batch_pages, v);
	return ret;
}

static const struct kernel_param_ops dsam_min_batch_ops = {
	.set = dsam_min_batch_set,
	.get = param_get_uint,
};
module_param_cb(min_batch_pages, &dsam_min_batch_ops, &dsam_min_batch_pages,
		0644);
MODULE_PARM_DESC(min_batch_pages,
		 "Decline batches of fewer base pages than this, 1-65536 (default 32, the break-even measured on DSA)");

static int dsam_max_seg_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = dsam_parse_uint(val, kp->name, PAGE_SIZE, SZ_1G, &v);
	if (ret)
		return ret;
	if (v % PAGE_SIZE) {
		pr_err("%s: %u is not a multiple of %lu\n",
		       kp->name, v, PAGE_SIZE);
		return -EINVAL;
	}
	WRITE_ONCE(dsam_max_seg_bytes, v);
	return 0;
}

static const struct kernel_param_ops dsam_max_seg_ops = {
	.set = dsam_max_seg_set,
	.get = param_get_uint,
};
module_param_cb(max_seg_bytes, &dsam_max_seg_ops, &dsam_max_seg_bytes, 0644);
MODULE_PARM_DESC(max_seg_bytes,
		 "Largest single descriptor, a multiple of 4096 up to 1 GiB (default 2 MiB); must not exceed the engine's maximum transfer size");

static int dsam_reasons_set(const char *val, const struct kernel_param *kp)
{
	size_t len = dsam_len(val), tlen;
	unsigned long mask = 0;
	const char *p = val;
	unsigned int r;

	if (len == 3 && !strncmp(val, "all", 3)) {
		WRITE_ONCE(dsam_reasons, MIGRATE_COPY_ALL_REASONS);
		return 0;
	}
	if (len == 7 && !strncmp(val, "default", 7)) {
		WRITE_ONCE(dsam_reasons, MIGRATE_COPY_DEFAULT_REASONS);
		return 0;
	}
	if (len == 4 && !strncmp(val, "none", 4)) {
		WRITE_ONCE(dsam_reasons, 0);
		return 0;
	}
	while (p < val + len) {
		tlen = strcspn(p, ",\n");
		for (r = 0; r < MR_TYPES; r++)
			if (tlen == strlen(dsam_reason_names[r]) &&
			    !strncmp(p, dsam_reason_names[r], tlen))
				break;
		if (r == MR_TYPES) {
			pr_err("%s: unknown migrate reason '%.*s'; use default, all, none or a comma-separated list of: compaction, memory_failure, memory_hotplug, syscall_or_cpuset, mempolicy_mbind, numa_misplaced, contig_range, longterm_pin, demotion, damon\n",
			       kp->name, (int)min_t(size_t, tlen, 32), p);
			return -EINVAL;
		}
		mask |= BIT(r);
		p += tlen;
		if (*p == ',')
			p++;
	}
	if (!mask) {
		pr_err("%s: empty; write default, all, none or a list of reasons\n",
		       kp->name);
		return -EINVAL;
	}
	WRITE_ONCE(dsam_reasons, mask);
	return 0;
}

static int dsam_reasons_get(char *buf, const struct kernel_param *kp)
{
	unsigned long mask = READ_ONCE(dsam_reasons);
	int len = 0;
	unsigned int r;

	if (!mask)
		return sysfs_emit(buf, "none\n");
	for (r = 0; r < MR_TYPES; r++)
		if (mask & BIT(r))
			len += sysfs_emit_at(buf, len, "%s%s", len ? "," : "",
					     dsam_reason_names[r]);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

static const struct kernel_param_ops dsam_reasons_ops = {
	.set = dsam_reasons_set,
	.get = dsam_reasons_get,
};
module_param_cb(reasons, &dsam_reasons_ops, NULL, 0644);
MODULE_PARM_DESC(reasons,
		 "Migrate reasons to offload: default (every reason but memory_failure: a DMA read is not machine-check safe), all, none, or a comma-separated list of compaction, memory_failure, memory_hotplug, syscall_or_cpuset, mempolicy_mbind, numa_misplaced, contig_range, longterm_pin, demotion, damon");

static int dsam_verify_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret;

	ret = dsam_parse_bool(val, kp->name, &on);
	if (!ret)
		WRITE_ONCE(dsam_verify, on);
	return ret;
}

static const struct kernel_param_ops dsam_verify_ops = {
	.set = dsam_verify_set,
	.get = param_get_bool,
};
module_param_cb(verify, &dsam_verify_ops, &dsam_verify, 0644);
MODULE_PARM_DESC(verify,
		 "1: compare every folio after its DMA and let the CPU copy it again on a mismatch (for validating engines); default 0");

static int dsam_timeout_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = dsam_parse_uint(val, kp->name, 1, DSAM_TIMEOUT_LIMIT_MS, &v);
	if (!ret)
		WRITE_ONCE(dsam_timeout_ms, v);
	return ret;
}

static const struct kernel_param_ops dsam_timeout_ops = {
	.set = dsam_timeout_set,
	.get = param_get_uint,
};
module_param_cb(timeout_ms, &dsam_timeout_ops, &dsam_timeout_ms, 0644);
MODULE_PARM_DESC(timeout_ms,
		 "Give up on a batch's descriptors not completed after this many ms, 1-600000 (default 5000): their folios are not migrated and stay quarantined until the engine completes them");

static int dsam_queue_depth_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = dsam_parse_uint(val, kp->name, 1, DSAM_QUEUE_DEPTH_MAX, &v);
	if (!ret)
		WRITE_ONCE(dsam_queue_depth, v);
	return ret;
}

static const struct kernel_param_ops dsam_queue_depth_ops = {
	.set = dsam_queue_depth_set,
	.get = param_get_uint,
};
module_param_cb(queue_depth, &dsam_queue_depth_ops, &dsam_queue_depth, 0644);
MODULE_PARM_DESC(queue_depth,
		 "Descriptors in flight per channel, 1-128 (default 16); at most the size of the channel's work queue, or a stalled engine can block a batch inside the driver beyond timeout_ms");

#ifdef DSAM_TEST_HOOKS
static int dsam_test_abort_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = dsam_parse_uint(val, kp->name, 0, INT_MAX, &v);
	if (!ret)
		WRITE_ONCE(dsam_test_abort_submit_every, v);
	return ret;
}

static const struct kernel_param_ops dsam_test_abort_ops = {
	.set = dsam_test_abort_set,
	.get = param_get_uint,
};
module_param_cb(test_abort_submit_every, &dsam_test_abort_ops,
		&dsam_test_abort_submit_every, 0644);
MODULE_PARM_DESC(test_abort_submit_every,
		 "Test builds only: refuse every Nth descriptor as idxd does on a shared WQ (callback with DMA_TRANS_ABORTED, then a failed submit); 0 off");

static int dsam_test_ro_dst_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = dsam_parse_uint(val, kp->name, 0, INT_MAX, &v);
	if (!ret)
		WRITE_ONCE(dsam_test_ro_dst_every, v);
	return ret;
}

static const struct kernel_param_ops dsam_test_ro_dst_ops = {
	.set = dsam_test_ro_dst_set,
	.get = param_get_uint,
};
module_param_cb(test_ro_dst_every, &dsam_test_ro_dst_ops,
		&dsam_test_ro_dst_every, 0644);
MODULE_PARM_DESC(test_ro_dst_every,
		 "Test builds only: map every Nth destination folio for the device to read only (DMA_TO_DEVICE), so that behind an IOMMU its copy faults in translation; 0 off");

static int dsam_test_ro_dst_pairs_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&dsam_test_ro_dst_pairs));
}

static const struct kernel_param_ops dsam_test_ro_dst_pairs_ops = {
	.get = dsam_test_ro_dst_pairs_get,
};
module_param_cb(test_ro_dst_pairs, &dsam_test_ro_dst_pairs_ops, NULL, 0444);
MODULE_PARM_DESC(test_ro_dst_pairs,
		 "Test builds only: folios whose destination test_ro_dst_every mapped read-only so far");
#endif

static int __init dsam_init(void)
{
	int ret;

	ret = dsam_copy_init();
	if (ret)
		return ret;
	ret = dsam_stats_init(&THIS_MODULE->mkobj.kobj);
	if (ret)
		goto copy_exit;

	mutex_lock(&dsam_lock);
	dsam_live = true;
	ret = dsam_want_enable ? dsam_enable_locked() : 0;
	if (ret)
		dsam_live = false;
	mutex_unlock(&dsam_lock);
	if (!ret)
		return 0;
	pr_err("not loaded: enabling failed (%d); load with enable=0 to configure first\n",
	       ret);
	dsam_stats_exit();
copy_exit:
	dsam_copy_exit();
	return ret;
}
module_init(dsam_init);

static void __exit dsam_exit(void)
{
	mutex_lock(&dsam_lock);
	/* Only reachable while registered through a forced unload. */
	if (dsam_enabled)
		dsam_disable_locked();
	dsam_live = false;
	mutex_unlock(&dsam_lock);
	/*
	 * Quarantined batches hold a module reference, so none is left here
	 * (short of a forced unload); drain the reaps that just dropped theirs.
	 */
	dsam_copy_exit();
	dsam_stats_exit();
}
module_exit(dsam_exit);

MODULE_DESCRIPTION("Page-migration copy offload to a dmaengine DMA_MEMCPY channel (Intel DSA or any other)");
MODULE_LICENSE("GPL");
