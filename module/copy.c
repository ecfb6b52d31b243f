// SPDX-License-Identifier: GPL-2.0
/*
 * The batch copy.
 *
 * A batch claims channels, maps each folio on its own (so that no IOMMU
 * merging can make a source and a destination segment disagree), splits
 * each folio into descriptors of at most max_seg_bytes, spreads the pairs
 * over the claimed channels by size, and submits every descriptor with
 * DMA_PREP_INTERRUPT and a callback_result that records failures per pair.
 *
 * Nothing submitted can be aborted (idxd has no terminate and completes
 * out of order), so the batch always waits for every callback before it
 * unmaps anything; a timeout only warns.  Only pairs whose descriptors all
 * completed without error (and, in verify mode, whose contents compare
 * equal) are marked copied: the kernel copies every other pair with the CPU.
 */
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched.h>

#include "dsa_migrate.h"

static void dsam_desc_done(void *param, const struct dmaengine_result *res)
{
	struct dsam_pair *dp = param;
	struct dsam_batch *b = dp->batch;

	if (res->result != DMA_TRANS_NOERROR) {
		WRITE_ONCE(dp->failed, true);
		dsam_stat_add(DSAM_DESCRIPTOR_ERRORS, 1);
	}
	if (atomic_dec_and_test(&b->pending))
		complete(&b->done);
}

static bool dsam_map_pair(struct dsam_pair *dp, struct migrate_copy_pair *pair)
{
	dp->src = dma_map_page_attrs(dp->dev, folio_page(pair->src, 0), 0,
				     dp->len, DMA_TO_DEVICE, 0);
	if (dma_mapping_error(dp->dev, dp->src))
		goto err;
	dp->src_mapped = true;

	dp->dst = dma_map_page_attrs(dp->dev, folio_page(pair->dst, 0), 0,
				     dp->len, DMA_FROM_DEVICE, 0);
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
				     DMA_FROM_DEVICE, 0);
	if (dp->src_mapped)
		dma_unmap_page_attrs(dp->dev, dp->src, dp->len,
				     DMA_TO_DEVICE, 0);
}

/*
 * Map one pair and submit its descriptors on @dc.  A pair that cannot be
 * mapped is left to the CPU.  Returns -EIO when the channel refused a
 * descriptor: the caller then stops using the channel for this batch.
 */
static int dsam_submit_pair(struct dsam_chan *dc, struct dsam_pair *dp,
			    struct migrate_copy_pair *pair, size_t seg)
{
	struct dma_chan *chan = dc->chan;
	struct dma_async_tx_descriptor *tx;
	unsigned int ndesc = 0;
	dma_cookie_t cookie;
	size_t off, len = 0;

	dp->dev = dc->dev;
	dp->len = folio_size(pair->src);
	if (!dsam_map_pair(dp, pair)) {
		dp->failed = true;
		return 0;
	}
	if (!is_dma_copy_aligned(chan->device, dp->src, dp->dst, dp->len))
		goto err;

	for (off = 0; off < dp->len; off += len) {
		len = min_t(size_t, seg, dp->len - off);
		tx = dmaengine_prep_dma_memcpy(chan, dp->dst + off,
					       dp->src + off, len,
					       DMA_PREP_INTERRUPT |
					       DMA_CTRL_ACK);
		if (!tx)
			goto err;
		tx->callback = NULL;
		tx->callback_result = dsam_desc_done;
		tx->callback_param = dp;
		atomic_inc(&dp->batch->pending);
		cookie = dmaengine_submit(tx);
		if (dma_submit_error(cookie)) {
			atomic_dec(&dp->batch->pending);
			goto err;
		}
		ndesc++;
	}
	dsam_stat_add(DSAM_DESCRIPTORS, ndesc);
	return 0;
err:
	dsam_stat_add(DSAM_DESCRIPTORS, ndesc);
	dsam_stat_add(DSAM_SUBMIT_ERRORS, 1);
	WRITE_ONCE(dp->failed, true);
	pr_warn_ratelimited("dsa_migrate: %s refused a %zu-byte copy; the CPU copies the rest of its share of the batch\n",
			    dma_chan_name(chan), len);
	return -EIO;
}

/*
 * Wait for every callback of @b; warn each time another timeout_ms has
 * passed, never give up.  The wait is sliced (at most a second) so that a
 * long timeout_ms does not look like a hung task.
 */
static void dsam_wait(struct dsam_batch *b)
{
	unsigned long start = jiffies;
	unsigned int ms, elapsed, warned = 0;

	for (;;) {
		ms = READ_ONCE(dsam_timeout_ms);
		if (wait_for_completion_timeout(&b->done,
						msecs_to_jiffies(min(ms, 1000U))))
			return;
		elapsed = jiffies_to_msecs(jiffies - start);
		if (elapsed / ms <= warned)
			continue;
		warned = elapsed / ms;
		dsam_stat_add(DSAM_TIMEOUTS, 1);
		pr_warn_ratelimited("dsa_migrate: %d descriptor(s) still in flight after %u ms; waiting on, their memory stays mapped\n",
				    atomic_read(&b->pending), elapsed);
	}
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

/* The provider's copy_batch(): see the contract in <linux/migrate_copy.h>. */
int dsam_copy_batch(struct migrate_copy_provider *provider,
		    struct migrate_copy_batch *batch)
{
	struct dsam_chan *chans[DSAM_MAX_CHANS];
	bool chan_ok[DSAM_MAX_CHANS];
	unsigned int nr_chans, i, c, copied = 0;
	u64 start, ns, bytes = 0, pages_before = 0;
	struct dsam_batch *b;
	size_t seg;
	bool verify;

	if (!(READ_ONCE(dsam_reasons) & BIT(batch->reason))) {
		dsam_stat_add(DSAM_BATCHES_DECLINED_REASON, 1);
		return -EOPNOTSUPP;
	}
	if (batch->nr_pages < READ_ONCE(dsam_min_batch_pages)) {
		dsam_stat_add(DSAM_BATCHES_DECLINED_SMALL, 1);
		return -ENOSPC;
	}
	nr_chans = dsam_pool_claim(folio_nid(batch->pairs[0].dst), chans);
	if (!nr_chans) {
		dsam_stat_add(DSAM_BATCHES_DECLINED_BUSY, 1);
		return -EBUSY;
	}

	start = ktime_get_ns();
	seg = READ_ONCE(dsam_max_seg_bytes);
	verify = READ_ONCE(dsam_verify);
	b = chans[0]->batch;
	memset(b->pairs, 0, batch->nr_pairs * sizeof(b->pairs[0]));
	reinit_completion(&b->done);
	atomic_set(&b->pending, 1);
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
			dp->failed = true;
			continue;
		}
		if (dsam_submit_pair(chans[c], dp, pair, seg))
			chan_ok[c] = false;
		dma_async_issue_pending(chans[c]->chan);
	}

	if (!atomic_dec_and_test(&b->pending))
		dsam_wait(b);

	/* Every callback has run: nothing is in flight any more. */
	for (i = 0; i < batch->nr_pairs; i++) {
		struct migrate_copy_pair *pair = &batch->pairs[i];
		struct dsam_pair *dp = &b->pairs[i];

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
	dsam_pool_unclaim(chans, nr_chans);

	ns = ktime_get_ns() - start;
	dsam_stat_add(copied == batch->nr_pairs ? DSAM_BATCHES_OFFLOADED :
		      DSAM_BATCHES_FAILED, 1);
	dsam_stat_add(DSAM_FOLIOS_OFFLOADED, copied);
	dsam_stat_add(DSAM_FOLIOS_FALLBACK, batch->nr_pairs - copied);
	dsam_stat_add(DSAM_BYTES_OFFLOADED, bytes);
	dsam_stat_add(DSAM_COPY_NS_TOTAL, ns);
	dsam_stat_max(DSAM_COPY_NS_MAX, ns);
	return 0;
}
