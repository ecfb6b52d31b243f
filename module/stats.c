// SPDX-License-Identifier: GPL-2.0
/*
 * Counters of the copy offload, one read-only file each in
 * /sys/module/dsa_migrate/stats/, zeroed together by writing 1 to
 * stats/reset; the channel pool in /sys/module/dsa_migrate/channels.
 * See ABI/sysfs-module-dsa_migrate for what each counter means.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/sysfs.h>

#include "dsa_migrate.h"

static atomic64_t dsam_stats[DSAM_NR_STATS];
static struct kobject *dsam_stats_kobj;

void dsam_stat_add(enum dsam_stat stat, u64 val)
{
	atomic64_add(val, &dsam_stats[stat]);
}

/* Raise @stat to @val if it is lower. */
void dsam_stat_max(enum dsam_stat stat, u64 val)
{
	s64 old = atomic64_read(&dsam_stats[stat]);

	while ((u64)old < val &&
	       !atomic64_try_cmpxchg(&dsam_stats[stat], &old, val))
		;
}

struct dsam_stat_attr {
	struct kobj_attribute attr;
	enum dsam_stat stat;
};

static ssize_t dsam_stat_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	struct dsam_stat_attr *sa = container_of(attr, struct dsam_stat_attr,
						 attr);

	return sysfs_emit(buf, "%llu\n",
			  (u64)atomic64_read(&dsam_stats[sa->stat]));
}

#define DSAM_STAT_ATTR(_name, _stat)					\
	static struct dsam_stat_attr dsam_attr_##_name = {		\
		.attr = __ATTR(_name, 0444, dsam_stat_show, NULL),	\
		.stat = _stat,						\
	}

DSAM_STAT_ATTR(batches_offloaded, DSAM_BATCHES_OFFLOADED);
DSAM_STAT_ATTR(batches_failed, DSAM_BATCHES_FAILED);
DSAM_STAT_ATTR(batches_declined_small, DSAM_BATCHES_DECLINED_SMALL);
DSAM_STAT_ATTR(batches_declined_busy, DSAM_BATCHES_DECLINED_BUSY);
DSAM_STAT_ATTR(batches_declined_reason, DSAM_BATCHES_DECLINED_REASON);
DSAM_STAT_ATTR(folios_offloaded, DSAM_FOLIOS_OFFLOADED);
DSAM_STAT_ATTR(folios_fallback, DSAM_FOLIOS_FALLBACK);
DSAM_STAT_ATTR(bytes_offloaded, DSAM_BYTES_OFFLOADED);
DSAM_STAT_ATTR(descriptors, DSAM_DESCRIPTORS);
DSAM_STAT_ATTR(descriptor_errors, DSAM_DESCRIPTOR_ERRORS);
DSAM_STAT_ATTR(submit_errors, DSAM_SUBMIT_ERRORS);
DSAM_STAT_ATTR(map_errors, DSAM_MAP_ERRORS);
DSAM_STAT_ATTR(verify_mismatches, DSAM_VERIFY_MISMATCHES);
DSAM_STAT_ATTR(timeouts, DSAM_TIMEOUTS);
DSAM_STAT_ATTR(copy_ns_total, DSAM_COPY_NS_TOTAL);
DSAM_STAT_ATTR(copy_ns_max, DSAM_COPY_NS_MAX);
DSAM_STAT_ATTR(folios_abandoned, DSAM_FOLIOS_ABANDONED);
DSAM_STAT_ATTR(late_completions, DSAM_LATE_COMPLETIONS);
DSAM_STAT_ATTR(stray_callbacks, DSAM_STRAY_CALLBACKS);

/* A level, not a count: not zeroed by reset. */
static ssize_t folios_quarantined_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", dsam_quarantined());
}

static struct kobj_attribute dsam_attr_folios_quarantined =
	__ATTR_RO(folios_quarantined);

static ssize_t reset_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	unsigned int val, i;

	if (kstrtouint(buf, 0, &val) || val != 1) {
		pr_err("stats/reset: write 1 to zero the counters, not '%.*s'\n",
		       (int)min_t(size_t, count, 32), buf);
		return -EINVAL;
	}
	for (i = 0; i < DSAM_NR_STATS; i++)
		atomic64_set(&dsam_stats[i], 0);
	return count;
}

static struct kobj_attribute dsam_attr_reset = __ATTR_WO(reset);

static struct attribute *dsam_stats_attrs[] = {
	&dsam_attr_batches_offloaded.attr.attr,
	&dsam_attr_batches_failed.attr.attr,
	&dsam_attr_batches_declined_small.attr.attr,
	&dsam_attr_batches_declined_busy.attr.attr,
	&dsam_attr_batches_declined_reason.attr.attr,
	&dsam_attr_folios_offloaded.attr.attr,
	&dsam_attr_folios_fallback.attr.attr,
	&dsam_attr_bytes_offloaded.attr.attr,
	&dsam_attr_descriptors.attr.attr,
	&dsam_attr_descriptor_errors.attr.attr,
	&dsam_attr_submit_errors.attr.attr,
	&dsam_attr_map_errors.attr.attr,
	&dsam_attr_verify_mismatches.attr.attr,
	&dsam_attr_timeouts.attr.attr,
	&dsam_attr_copy_ns_total.attr.attr,
	&dsam_attr_copy_ns_max.attr.attr,
	&dsam_attr_folios_abandoned.attr.attr,
	&dsam_attr_late_completions.attr.attr,
	&dsam_attr_stray_callbacks.attr.attr,
	&dsam_attr_folios_quarantined.attr,
	&dsam_attr_reset.attr,
	NULL
};

static const struct attribute_group dsam_stats_group = {
	.attrs = dsam_stats_attrs,
};

static ssize_t channels_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return dsam_pool_show(buf);
}

static struct kobj_attribute dsam_attr_channels = __ATTR_RO(channels);

int dsam_stats_init(struct kobject *parent)
{
	int ret;

	dsam_stats_kobj = kobject_create_and_add("stats", parent);
	if (!dsam_stats_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(dsam_stats_kobj, &dsam_stats_group);
	if (ret)
		goto put;
	ret = sysfs_create_file(parent, &dsam_attr_channels.attr);
	if (ret)
		goto put;
	return 0;
put:
	kobject_put(dsam_stats_kobj);
	dsam_stats_kobj = NULL;
	return ret;
}

void dsam_stats_exit(void)
{
	if (!dsam_stats_kobj)
		return;
	sysfs_remove_file(dsam_stats_kobj->parent, &dsam_attr_channels.attr);
	kobject_put(dsam_stats_kobj);
	dsam_stats_kobj = NULL;
}
