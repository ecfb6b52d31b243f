// SPDX-License-Identifier: GPL-2.0
/*
 * migrate_test_provider - a copy-offload provider for page migration that
 * copies with the CPU and counts everything, so guest tests can prove that
 * the batch-copy hook runs (and for which migrate reasons), that the folios
 * it sees are locked and unmapped, and that registration, unregistration and
 * the fallback paths behave.
 *
 * Parameters (/sys/module/migrate_test_provider/parameters/):
 *   enable          1: registered (default on load), 0: unregistered.
 *                   Writing 1 while another provider is registered fails
 *                   with EBUSY.
 *   register_second writing 1 registers a second provider while this one
 *                   is registered: must fail with EBUSY, which the write
 *                   returns; when this one is not registered it succeeds
 *                   and is unregistered again at once.
 *   decline_below   decline (-E2BIG) batches of fewer base pages than this.
 *   copy_every      copy and mark only every Nth pair of a batch (1: all);
 *                   the others must be copied by the kernel's fallback.
 *   delay_us        sleep this long in every batch (widens race windows).
 *   reasons         read: the kernel's reason mask; write: set it.
 *   stats           read-only counters, one "name value" per line.
 *   reset_stats     writing anything zeroes the counters (not in_flight).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/migrate_copy.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>

/* Indexed by enum migrate_reason. */
static atomic64_t reason_folios[MR_TYPES];

static atomic64_t stat_calls;
static atomic64_t stat_declined;
static atomic64_t stat_folios_copied;
static atomic64_t stat_folios_skipped;
static atomic64_t stat_pages_copied;
static atomic64_t stat_large_folios;
static atomic64_t stat_max_pairs;
static atomic64_t stat_contract_violations;
static atomic64_t stat_in_flight;

static unsigned int decline_below;
module_param(decline_below, uint, 0644);
MODULE_PARM_DESC(decline_below, "decline batches with fewer base pages");

static unsigned int copy_every = 1;
module_param(copy_every, uint, 0644);
MODULE_PARM_DESC(copy_every, "copy only every Nth pair (0 or 1: all)");

static unsigned int delay_us;
module_param(delay_us, uint, 0644);
MODULE_PARM_DESC(delay_us, "sleep per batch, in microseconds");

static void copy_folio_cpu(struct folio *dst, struct folio *src)
{
	long i, nr = folio_nr_pages(src);

	for (i = 0; i < nr; i++) {
		void *s = kmap_local_folio(src, i * PAGE_SIZE);
		void *d = kmap_local_folio(dst, i * PAGE_SIZE);

		memcpy(d, s, PAGE_SIZE);
		kunmap_local(d);
		kunmap_local(s);
		cond_resched();
	}
}

/* What the kernel promises about every pair; counted, never trusted. */
static bool pair_as_promised(const struct migrate_copy_pair *pair)
{
	return !pair->copied && pair->src != pair->dst &&
	       folio_test_locked(pair->src) && folio_test_locked(pair->dst) &&
	       !folio_mapped(pair->src) && !folio_mapped(pair->dst) &&
	       folio_nr_pages(pair->src) == folio_nr_pages(pair->dst);
}

static void update_max(atomic64_t *max, s64 val)
{
	s64 old = atomic64_read(max);

	while (val > old) {
		s64 seen = atomic64_cmpxchg(max, old, val);

		if (seen == old)
			break;
		old = seen;
	}
}

static int test_copy_batch(struct migrate_copy_provider *provider,
			   struct migrate_copy_batch *batch)
{
	unsigned int every = max(READ_ONCE(copy_every), 1U);
	unsigned int delay = READ_ONCE(delay_us);
	unsigned int i;

	atomic64_inc(&stat_calls);
	atomic64_inc(&stat_in_flight);
	update_max(&stat_max_pairs, batch->nr_pairs);

	if (batch->nr_pairs < 1 || batch->nr_pairs > MIGRATE_COPY_MAX_PAIRS ||
	    batch->reason >= MR_TYPES)
		atomic64_inc(&stat_contract_violations);

	if (batch->nr_pages < READ_ONCE(decline_below)) {
		atomic64_inc(&stat_declined);
		atomic64_dec(&stat_in_flight);
		return -E2BIG;
	}

	if (delay)
		usleep_range(delay, delay + delay / 4 + 1);

	for (i = 0; i < batch->nr_pairs; i++) {
		struct migrate_copy_pair *pair = &batch->pairs[i];

		if (!pair_as_promised(pair)) {
			atomic64_inc(&stat_contract_violations);
			continue;
		}
		if (batch->reason < MR_TYPES)
			atomic64_inc(&reason_folios[batch->reason]);
		if (i % every) {
			atomic64_inc(&stat_folios_skipped);
			continue;
		}
		copy_folio_cpu(pair->dst, pair->src);
		pair->copied = true;
		atomic64_inc(&stat_folios_copied);
		atomic64_add(folio_nr_pages(pair->src), &stat_pages_copied);
		if (folio_test_large(pair->src))
			atomic64_inc(&stat_large_folios);
	}

	atomic64_dec(&stat_in_flight);
	return 0;
}

static struct migrate_copy_provider test_provider = {
	.name = "cpu-test",
	.owner = THIS_MODULE,
	.copy_batch = test_copy_batch,
};

/* A second provider, only ever registered to check the one-at-a-time rule. */
static struct migrate_copy_provider second_provider = {
	.name = "cpu-test-second",
	.owner = THIS_MODULE,
	.copy_batch = test_copy_batch,
};

static DEFINE_MUTEX(enable_lock);
static bool registered;
/* "enable=" given at load time is applied by the init function. */
static bool initialised;
static bool enable_on_load = true;

static int set_enable(const char *val, const struct kernel_param *kp)
{
	bool want;
	int ret;

	ret = kstrtobool(val, &want);
	if (ret)
		return ret;

	mutex_lock(&enable_lock);
	if (!initialised) {
		enable_on_load = want;
		mutex_unlock(&enable_lock);
		return 0;
	}
	if (want && !registered) {
		ret = migrate_copy_register(&test_provider);
		registered = !ret;
	} else if (!want && registered) {
		ret = migrate_copy_unregister(&test_provider);
		registered = !!ret;
	}
	mutex_unlock(&enable_lock);
	return ret;
}

static int get_enable(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(registered));
}

static const struct kernel_param_ops enable_ops = {
	.set = set_enable,
	.get = get_enable,
};
module_param_cb(enable, &enable_ops, NULL, 0644);
MODULE_PARM_DESC(enable, "1: registered as the migration copy provider");

static int set_register_second(const char *val, const struct kernel_param *kp)
{
	int ret;

	ret = migrate_copy_register(&second_provider);
	if (ret)
		return ret;
	/* Nothing else was registered: undo at once. */
	return migrate_copy_unregister(&second_provider);
}

static const struct kernel_param_ops register_second_ops = {
	.set = set_register_second,
};
module_param_cb(register_second, &register_second_ops, NULL, 0200);
MODULE_PARM_DESC(register_second, "write: try to register a second provider");

static int set_reasons(const char *val, const struct kernel_param *kp)
{
	unsigned long mask;
	int ret;

	ret = kstrtoul(val, 0, &mask);
	if (ret)
		return ret;
	if (mask & ~MIGRATE_COPY_ALL_REASONS)
		return -EINVAL;
	migrate_copy_set_reasons(mask);
	return 0;
}

static int get_reasons(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lu\n", migrate_copy_get_reasons());
}

static const struct kernel_param_ops reasons_ops = {
	.set = set_reasons,
	.get = get_reasons,
};
module_param_cb(reasons, &reasons_ops, NULL, 0644);
MODULE_PARM_DESC(reasons, "the kernel's migrate reason mask for batch copy");

static int get_stats(char *buf, const struct kernel_param *kp)
{
	int i, len;

	len = sysfs_emit_at(buf, 0,
			    "calls %lld\ndeclined %lld\nfolios_copied %lld\n"
			    "folios_skipped %lld\npages_copied %lld\n"
			    "large_folios %lld\nmax_pairs %lld\n"
			    "contract_violations %lld\nin_flight %lld\n",
			    atomic64_read(&stat_calls),
			    atomic64_read(&stat_declined),
			    atomic64_read(&stat_folios_copied),
			    atomic64_read(&stat_folios_skipped),
			    atomic64_read(&stat_pages_copied),
			    atomic64_read(&stat_large_folios),
			    atomic64_read(&stat_max_pairs),
			    atomic64_read(&stat_contract_violations),
			    atomic64_read(&stat_in_flight));
	for (i = 0; i < MR_TYPES; i++)
		len += sysfs_emit_at(buf, len, "reason%d_folios %lld\n", i,
				     atomic64_read(&reason_folios[i]));
	return len;
}

static int set_reset_stats(const char *val, const struct kernel_param *kp)
{
	int i;

	atomic64_set(&stat_calls, 0);
	atomic64_set(&stat_declined, 0);
	atomic64_set(&stat_folios_copied, 0);
	atomic64_set(&stat_folios_skipped, 0);
	atomic64_set(&stat_pages_copied, 0);
	atomic64_set(&stat_large_folios, 0);
	atomic64_set(&stat_max_pairs, 0);
	atomic64_set(&stat_contract_violations, 0);
	for (i = 0; i < MR_TYPES; i++)
		atomic64_set(&reason_folios[i], 0);
	return 0;
}

static const struct kernel_param_ops reset_stats_ops = {
	.set = set_reset_stats,
};
module_param_cb(reset_stats, &reset_stats_ops, NULL, 0200);
MODULE_PARM_DESC(reset_stats, "write: zero the counters (not in_flight)");

static const struct kernel_param_ops stats_ops = {
	.get = get_stats,
};
module_param_cb(stats, &stats_ops, NULL, 0444);
MODULE_PARM_DESC(stats, "counters, one \"name value\" per line");

static int __init test_provider_init(void)
{
	int ret = 0;

	mutex_lock(&enable_lock);
	if (enable_on_load) {
		ret = migrate_copy_register(&test_provider);
		registered = !ret;
	}
	initialised = !ret;
	mutex_unlock(&enable_lock);
	if (ret)
		pr_err("cannot register: %d\n", ret);
	return ret;
}

/*
 * While registered, the module is pinned by the kernel, so this runs only
 * after "enable=0" (or on a forced unload).
 */
static void __exit test_provider_exit(void)
{
	mutex_lock(&enable_lock);
	if (registered)
		migrate_copy_unregister(&test_provider);
	registered = false;
	mutex_unlock(&enable_lock);
}

module_init(test_provider_init);
module_exit(test_provider_exit);
MODULE_DESCRIPTION("CPU copy provider for migration batch copy, for tests");
MODULE_LICENSE("GPL");
