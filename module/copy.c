// SPDX-License-Identifier: GPL-2.0
/*
 * The batch copy.
 *
 * A batch claims as many channels as it can use, maps each folio on its own
 * (so that no IOMMU merging can make a source and a destination segment
 * disagree), splits each folio into descriptors of at most max_seg_bytes,
 * spreads the pairs over the claimed channels by size, and submits every
 * descriptor with DMA_PREP_INTERRUPT and a callback_result that records
 * failures per pair.  At most queue_depth descriptors are in flight per
 * channel, so a driver that sleeps in prepare for a free descriptor (idxd
 * does) never gets the chance to sleep without bound.
 *
 * Every descriptor is settled exactly once, by its callback or by a failed
 * prepare or submit, whichever reports first (struct dsam_desc).  The batch
 * waits until every descriptor it submitted has settled, or until
 * timeout_ms has passed.  Nothing submitted can be aborted (idxd has no
 * terminate and completes out of order), so at the deadline the batch gives
 * up on the pairs that still have descriptors in flight: they are marked
 * abandoned and are not migrated, and their folios stay referenced and
 * mapped for DMA ("quarantined") until the late completions arrive, or
 * until the channel is terminated when the pool is released.  Only pairs
 * whose descriptors all completed without error (and, in verify mode, whose
 * contents compare equal) are marked copied: the kernel copies every other
 * pair with the CPU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>

#include "dsa_migrate.h"

/* The reaps of abandoned batches; destroyed (drained) at module exit. */
static struct workqueue_struct *dsam_reap_wq;
static atomic_long_t dsam_nr_quarantined;

unsigned long dsam_quarantined(void)
{
	return atomic_long_read(&dsam_nr_quarantined);
}

/*
 * Settle @d once: the first report counts, later ones are ignored.  Runs in
 * any context, including inside dmaengine_submit() when a driver completes
 * or aborts a descriptor synchronously, so it never sleeps and the
 * submitter never holds the batch lock across driver calls.
 */
static bool dsam_settle(struct dsam_desc *d, bool failed)
{
	struct dsam_pair *dp = d->dp;
	struct dsam_batch *b = dp->batch;
	struct dsam_chan *dc = d->dc;
	unsigned long flags;
	bool reap;

	if (atomic_xchg(&d->settled, 1))
		return false;

	spin_lock_irqsave(&b->lock, flags);
	if (failed)
		WRITE_ONCE(dp->failed, true);
	dp->inflight--;
	dc->inflight--;
	__clear_bit(d - dc->slots, dc->slot_used);
	reap = !--b->pending && b->abandoned;
	if (b->abandoned)
		dsam_stat_add(DSAM_LATE_COMPLETIONS, 1);
	wake_up(&b->wait);
	spin_unlock_irqrestore(&b->lock, flags);

	if (reap)
		queue_work(dsam_reap_wq, &b->reap);
	return true;
}

static void dsam_desc_done(void *param, const struct dmaengine_result *res)
{
	struct dsam_desc *d = param;
	bool failed = res->result != DMA_TRANS_NOERROR;

	if (!dsam_settle(d, failed)) {
		/* A callback for a descriptor that was settled already. */
		dsam_stat_add(DSAM_STRAY_CALLBACKS, 1);
		return;
	}
	if (failed)
		dsam_stat_add(DSAM_DESCRIPTOR_ERRORS, 1);
}

#ifdef DSAM_TEST_HOOKS
static atomic_t dsam_test_ro_dst_seq;

/*
 * Test builds only: every Nth destination is mapped for the device to read,
 * not write.  Behind an IOMMU the device's write then faults in translation
 * (a real DMA remapping fault, not an injected one), its descriptor fails
 * and the CPU copies the folio; without an IOMMU nothing enforces the
 * direction and the copy succeeds.
 */
static enum dma_data_direction dsam_test_dst_dir(void)
{
	unsigned int every = READ_ONCE(dsam_test_ro_dst_every);

	if (!every || atomic_inc_return(&dsam_test_ro_dst_seq) % every)
		return DMA_FROM_DEVICE;
	atomic_inc(&dsam_test_ro_dst_pairs);
	return DMA_TO_DEVICE;
}
#else
static enum dma_data_direction dsam_test_dst_dir(void)
{
	return DMA_FROM_DEVICE;
}
#endif

static bool dsam_map_pair(struct dsam_pair *dp, struct migrate_copy_pair *pair)
{
	dp->src = dma_map_page_attrs(dp->dev, folio_page(pair->src, 0), 0,
				     dp->len, DMA_TO_DEVICE, 0);
	if (dma_mapping_error(dp->dev, dp->src))
		goto err;
	dp->src_mapped = true;

	dp->dst_dir = dsam_test_dst_dir();
	dp->dst = dma_map_page_attrs(dp->dev, folio_page(pair->dst, 0), 0,
				     dp->len, dp->dst_dir, 0);
	if (dma_mapping_error(dp->dev, dp->dst))
		goto err;
	dp->dst_mapped = true;
	return true;
err:
	dsam_stat_add(DSAM_MAP_ERRORS, 1);
	return false;
}

static void dsam_unmap_pair(struct dsam_pair *dp)
{
	if (dp->dst_mapped)
		dma_unmap_page_attrs(dp->dev, dp->dst, dp->len,
				     dp->dst_dir, 0);
	if (dp->src_mapped)
		dma_unmap_page_attrs(dp->dev, dp->src, dp->len,
				     DMA_TO_DEVICE, 0);
	dp->dst_mapped = false;
	dp->src_mapped = false;
}

/* Remaining time to @deadline (ktime ns) in jiffies; 0 when passed. */
static long dsam_left(u64 deadline)
{
	u64 now = ktime_get_ns();

	return now >= deadline ? 0 :
		max_t(long, 1, nsecs_to_jiffies(deadline - now));
}

/* Take a free slot of @dc under the batch lock, or NULL when none is free. */
static struct dsam_desc *dsam_slot_take(struct dsam_batch *b,
					struct dsam_chan *dc,
					struct dsam_pair *dp, unsigned int depth)
{
	struct dsam_desc *d = NULL;
	unsigned long flags, i;

	spin_lock_irqsave(&b->lock, flags);
	if (dc->inflight < depth) {
		i = find_first_zero_bit(dc->slot_used, depth);
		if (!WARN_ON_ONCE(i >= depth)) {
			__set_bit(i, dc->slot_used);
			d = &dc->slots[i];
			d->dp = dp;
			d->dc = dc;
			atomic_set(&d->settled, 0);
			dc->inflight++;
			dp->inflight++;
			b->pending++;
		}
	}
	spin_unlock_irqrestore(&b->lock, flags);
	return d;
}

/*
 * A slot for the next descriptor of @dp on @dc: wait for one of the
 * channel's descriptors to settle when queue_depth are in flight, at most
 * until @deadline (NULL then).
 */
static struct dsam_desc *dsam_slot_get(struct dsam_batch *b,
				       struct dsam_chan *dc,
				       struct dsam_pair *dp, u64 deadline)
{
	unsigned int depth = READ_ONCE(dsam_queue_depth);
	struct dsam_desc *d;
	long left;

	for (;;) {
		d = dsam_slot_take(b, dc, dp, depth);
		if (d)
			return d;
		/* Let the engine start on what is queued before sleeping. */
		dma_async_issue_pending(dc->chan);
		left = dsam_left(deadline);
		if (!left ||
		    !wait_event_timeout(b->wait,
					READ_ONCE(dc->inflight) < depth, left))
			return NULL;
	}
}

#ifdef DSAM_TEST_HOOKS
static atomic_t dsam_test_seq;

/*
 * Test builds only: every Nth descriptor is refused the way idxd refuses a
 * descriptor on a shared work queue whose ENQCMDS fails: the callback runs
 * with DMA_TRANS_ABORTED from inside the submit, then the submit fails.
 * Nothing is prepared for it, so the driver leaks no descriptor.
 */
static bool dsam_test_abort_submit(struct dsam_desc *d)
{
	unsigned int every = READ_ONCE(dsam_test_abort_submit_every);
	struct dmaengine_result res = { .result = DMA_TRANS_ABORTED };

	if (!every || atomic_inc_return(&dsam_test_seq) % every)
		return false;
	dsam_desc_done(d, &res);
	return true;
}
#else
static bool dsam_test_abort_submit(struct dsam_desc *d)
{
	return false;
}
#endif

/*
 * Map one pair and submit its descriptors on @dc.  A pair that cannot be
 * mapped is left to the CPU.  Returns -EIO when the channel refused a
 * descriptor (the caller then stops using the channel for this batch), and
 * -ETIMEDOUT when the deadline passed waiting for a free slot.
 */
static int dsam_submit_pair(struct dsam_batch *b, struct dsam_chan *dc,
			    struct dsam_pair *dp,
			    struct migrate_copy_pair *pair, size_t seg,
			    u64 deadline)
{
	struct dma_chan *chan = dc->chan;
	struct dma_async_tx_descriptor *tx;
	unsigned int ndesc = 0;
	struct dsam_desc *d;
	dma_cookie_t cookie;
	size_t off, len = 0;
	int ret = -EIO;

	dp->dev = dc->dev;
	dp->len = folio_size(pair->src);
	dp->src_folio = pair->src;
	dp->dst_folio = pair->dst;
	if (!dsam_map_pair(dp, pair)) {
		WRITE_ONCE(dp->failed, true);
		return 0;
	}
	if (!is_dma_copy_aligned(chan->device, dp->src, dp->dst, dp->len)) {
		WRITE_ONCE(dp->failed, true);
		goto refused;
	}

	for (off = 0; off < dp->len; off += len) {
		len = min_t(size_t, seg, dp->len - off);
		d = dsam_slot_get(b, dc, dp, deadline);
		if (!d) {
			/* Descriptors of this pair may still be in flight. */
			WRITE_ONCE(dp->failed, true);
			dsam_stat_add(DSAM_DESCRIPTORS, ndesc);
			return -ETIMEDOUT;
		}
		if (dsam_test_abort_submit(d)) {
			/* As below: the callback settled it already. */
			dsam_settle(d, true);
			goto refused;
		}
		tx = dmaengine_prep_dma_memcpy(chan, dp->dst + off,
					       dp->src + off, len,
					       DMA_PREP_INTERRUPT |
					       DMA_CTRL_ACK);
		if (!tx) {
			dsam_settle(d, true);
			goto refused;
		}
		tx->callback = NULL;
		tx->callback_result = dsam_desc_done;
		tx->callback_param = d;
		cookie = dmaengine_submit(tx);
		if (dma_submit_error(cookie)) {
			/* No-op when the driver already called back. */
			dsam_settle(d, true);
			goto refused;
		}
		ndesc++;
	}
	dsam_stat_add(DSAM_DESCRIPTORS, ndesc);
	return 0;
refused:
	dsam_stat_add(DSAM_DESCRIPTORS, ndesc);
	dsam_stat_add(DSAM_SUBMIT_ERRORS, 1);
	pr_warn_ratelimited("%s refused a %zu-byte copy; the CPU copies the rest of its share of the batch\n",
			    dma_chan_name(chan), len);
	return ret;
}

/*
 * Wait until every descriptor of @b settled or @deadline passed.  At the
 * deadline, mark the pairs with descriptors still in flight abandoned and
 * take a reference on their folios.  Returns the number of abandoned pairs.
 */
static unsigned int dsam_wait(struct dsam_batch *b, u64 deadline)
{
	unsigned int i, n = 0, inflight = 0;
	unsigned long flags;

	for (;;) {
		long left = dsam_left(deadline);

		if (READ_ONCE(b->pending) == 1)
			return 0;
		if (!left)
			break;
		/* Sliced, so that a long timeout_ms is no hung task. */
		wait_event_timeout(b->wait, READ_ONCE(b->pending) == 1,
				   min_t(long, left, HZ));
	}

	spin_lock_irqsave(&b->lock, flags);
	if (b->pending > 1) {
		inflight = b->pending - 1;
		b->abandoned = true;
		for (i = 0; i < b->nr_pairs; i++) {
			struct dsam_pair *dp = &b->pairs[i];

			if (!dp->inflight)
				continue;
			dp->abandoned = true;
			folio_get(dp->src_folio);
			folio_get(dp->dst_folio);
			n++;
		}
	}
	spin_unlock_irqrestore(&b->lock, flags);
	if (!n)
		return 0;

	/* Held until the reap: the reap work and the callbacks are ours. */
	__module_get(THIS_MODULE);
	atomic_long_add(n, &dsam_nr_quarantined);
	dsam_stat_add(DSAM_TIMEOUTS, 1);
	dsam_stat_add(DSAM_FOLIOS_ABANDONED, n);
	pr_warn_ratelimited("%u descriptor(s) not completed after %u ms: %u folio(s) stay where they were, quarantined until the engine completes them\n",
			    inflight, READ_ONCE(dsam_timeout_ms), n);
	return n;
}

/*
 * Release an abandoned batch once its last descriptor settled: unmap and
 * unreference the quarantined folios, give the channels back.
 */
static void dsam_reap(struct work_struct *work)
{
	struct dsam_batch *b = container_of(work, struct dsam_batch, reap);
	struct dsam_chan *chans[DSAM_MAX_CHANS];
	unsigned int i, n = 0, nr_chans = b->nr_chans;

	for (i = 0; i < b->nr_pairs; i++) {
		struct dsam_pair *dp = &b->pairs[i];

		if (!dp->abandoned)
			continue;
		dsam_unmap_pair(dp);
		folio_put(dp->src_folio);
		folio_put(dp->dst_folio);
		n++;
	}
	atomic_long_sub(n, &dsam_nr_quarantined);
	memcpy(chans, b->chans, nr_chans * sizeof(chans[0]));
	/* May free @b (it belongs to chans[0]): nothing touches it after. */
	dsam_pool_unclaim_quarantined(chans, nr_chans);
	module_put(THIS_MODULE);
}

/*
 * The pool is being released and @dc was terminated: no descriptor of it
 * will complete or call back any more, so settle what is still in flight.
 */
void dsam_chan_terminated(struct dsam_chan *dc)
{
	unsigned int i;

	for (i = 0; i < DSAM_QUEUE_DEPTH_MAX; i++)
		if (test_bit(i, dc->slot_used))
			dsam_settle(&dc->slots[i], true);
}

void dsam_batch_init(struct dsam_batch *b)
{
	spin_lock_init(&b->lock);
	init_waitqueue_head(&b->wait);
	INIT_WORK(&b->reap, dsam_reap);
}

/* Compare the contents of two folios of the same size. */
static bool dsam_same(struct folio *a, struct folio *b)
{
	long i, n = folio_nr_pages(a);
	bool same = true;

	for (i = 0; i < n && same; i++) {
		const void *x = kmap_local_folio(a, i * PAGE_SIZE);
		const void *y = kmap_local_folio(b, i * PAGE_SIZE);

		same = !memcmp(x, y, PAGE_SIZE);
		kunmap_local(y);
		kunmap_local(x);
		if ((i & 63) == 63)
			cond_resched();
	}
	return same;
}

/*
 * Channels worth using for @nr_pages: each one should get at least
 * min_batch_pages, the size below which a DMA copy does not pay off, and
 * no more channels than pairs.
 */
static unsigned int dsam_chans_wanted(struct migrate_copy_batch *batch)
{
	unsigned int per_chan = max(READ_ONCE(dsam_min_batch_pages), 1U);

	return clamp(batch->nr_pages / per_chan, 1U,
		     min_t(unsigned int, batch->nr_pairs, DSAM_MAX_CHANS));
}

/* The provider's copy_batch(): see the contract in <linux/migrate_copy.h>. */
int dsam_copy_batch(struct migrate_copy_provider *provider,
		    struct migrate_copy_batch *batch)
{
	struct dsam_chan *chans[DSAM_MAX_CHANS];
	bool chan_ok[DSAM_MAX_CHANS];
	unsigned int nr_chans, i, c, copied = 0, abandoned;
	u64 start, ns, deadline, bytes = 0, pages_before = 0;
	struct dsam_batch *b;
	unsigned long flags;
	bool verify, reap;
	size_t seg;

	if (!(READ_ONCE(dsam_reasons) & BIT(batch->reason))) {
		dsam_stat_add(DSAM_BATCHES_DECLINED_REASON, 1);
		return -EOPNOTSUPP;
	}
	if (batch->nr_pages < READ_ONCE(dsam_min_batch_pages)) {
		dsam_stat_add(DSAM_BATCHES_DECLINED_SMALL, 1);
		return -ENOSPC;
	}
	nr_chans = dsam_pool_claim(folio_nid(batch->pairs[0].dst),
				   dsam_chans_wanted(batch), chans);
	if (!nr_chans) {
		dsam_stat_add(DSAM_BATCHES_DECLINED_BUSY, 1);
		return -EBUSY;
	}

	start = ktime_get_ns();
	deadline = start + (u64)READ_ONCE(dsam_timeout_ms) * NSEC_PER_MSEC;
	seg = READ_ONCE(dsam_max_seg_bytes);
	verify = READ_ONCE(dsam_verify);
	b = chans[0]->batch;
	memset(b->pairs, 0, batch->nr_pairs * sizeof(b->pairs[0]));
	b->pending = 1;
	b->abandoned = false;
	b->nr_pairs = batch->nr_pairs;
	b->nr_chans = nr_chans;
	memcpy(b->chans, chans, nr_chans * sizeof(chans[0]));
	for (c = 0; c < nr_chans; c++)
		chan_ok[c] = true;

	/* Contiguous runs of pairs of about equal size go to each channel. */
	for (i = 0; i < batch->nr_pairs; i++) {
		struct migrate_copy_pair *pair = &batch->pairs[i];
		struct dsam_pair *dp = &b->pairs[i];

		c = min_t(u64, pages_before * nr_chans / batch->nr_pages,
			  nr_chans - 1);
		pages_before += folio_nr_pages(pair->src);
		dp->batch = b;
		if (!chan_ok[c]) {
			WRITE_ONCE(dp->failed, true);
			continue;
		}
		if (dsam_submit_pair(b, chans[c], dp, pair, seg, deadline))
			chan_ok[c] = false;
	}
	for (c = 0; c < nr_chans; c++)
		dma_async_issue_pending(chans[c]->chan);

	abandoned = dsam_wait(b, deadline);

	/* Every pair not abandoned has no descriptor in flight any more. */
	for (i = 0; i < batch->nr_pairs; i++) {
		struct migrate_copy_pair *pair = &batch->pairs[i];
		struct dsam_pair *dp = &b->pairs[i];

		if (dp->abandoned) {
			pair->abandoned = true;
			continue;
		}
		dsam_unmap_pair(dp);
		if (READ_ONCE(dp->failed))
			continue;
		if (verify && !dsam_same(pair->src, pair->dst)) {
			dsam_stat_add(DSAM_VERIFY_MISMATCHES, 1);
			continue;
		}
		pair->copied = true;
		copied++;
		bytes += dp->len;
	}

	/* Drop the submitter's hold; an abandoned batch is reaped later. */
	spin_lock_irqsave(&b->lock, flags);
	reap = !--b->pending && b->abandoned;
	spin_unlock_irqrestore(&b->lock, flags);
	if (reap)
		queue_work(dsam_reap_wq, &b->reap);
	else if (!abandoned)
		dsam_pool_unclaim(chans, nr_chans);

	ns = ktime_get_ns() - start;
	dsam_stat_add(copied == batch->nr_pairs ? DSAM_BATCHES_OFFLOADED :
		      DSAM_BATCHES_FAILED, 1);
	dsam_stat_add(DSAM_FOLIOS_OFFLOADED, copied);
	dsam_stat_add(DSAM_FOLIOS_FALLBACK,
		      batch->nr_pairs - copied - abandoned);
	dsam_stat_add(DSAM_BYTES_OFFLOADED, bytes);
	dsam_stat_add(DSAM_COPY_NS_TOTAL, ns);
	dsam_stat_max(DSAM_COPY_NS_MAX, ns);
	return 0;
}

int dsam_copy_init(void)
{
	dsam_reap_wq = alloc_workqueue("dsa_migrate_reap", WQ_UNBOUND, 0);
	return dsam_reap_wq ? 0 : -ENOMEM;
}

void dsam_copy_exit(void)
{
	destroy_workqueue(dsam_reap_wq);
}
