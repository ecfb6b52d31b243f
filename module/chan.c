// SPDX-License-Identifier: GPL-2.0
/*
 * The channel pool.
 *
 * At enable, DMA_MEMCPY channels are requested through the generic
 * dmaengine API (dma_request_channel(), which also hands out DMA_PRIVATE
 * channels such as idxd's), optionally filtered by name.  Each batch claims
 * the free channels of its destination node, or any free channels when the
 * node has none, and gives them back when its last callback has run.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dsa_migrate.h"

#define DSAM_FILTER_TOKEN_MAX	32

/* Serialises filling and releasing the pool with reading it in sysfs. */
static DEFINE_MUTEX(dsam_pool_lock);
static struct dsam_chan *dsam_pool[DSAM_MAX_CHANS];
static unsigned int dsam_pool_nr;

/*
 * A filter is a comma-separated list of names; a channel matches when one
 * of them is its channel name ("dma0chan3"), its dmaengine device name
 * ("dma0"), the name of the device doing the DMA ("0000:00:04.0") or that
 * device's driver ("idxd").  An empty filter matches every channel.
 */
int dsam_filter_validate(const char *filter)
{
	const char *p = filter;
	size_t len;

	if (!*filter)
		return 0;
	while (true) {
		len = strcspn(p, ",");
		if (!len || len >= DSAM_FILTER_TOKEN_MAX)
			return -EINVAL;
		for (; len; len--, p++)
			if (!isalnum(*p) && !strchr("._:-", *p))
				return -EINVAL;
		if (!*p)
			return 0;
		p++;		/* the comma */
	}
}

static bool dsam_token_is(const char *tok, size_t len, const char *name)
{
	return name && strlen(name) == len && !strncmp(tok, name, len);
}

static bool dsam_chan_filter(struct dma_chan *chan, void *param)
{
	const char *p = param;
	struct device *dev = chan->device->dev;
	const char *cname = dma_chan_name(chan);
	char dname[DSAM_FILTER_TOKEN_MAX];
	size_t len;

	if (!*p)
		return true;
	snprintf(dname, sizeof(dname), "dma%d", chan->device->dev_id);
	while (*p) {
		len = strcspn(p, ",");
		if (dsam_token_is(p, len, cname) ||
		    dsam_token_is(p, len, dname) ||
		    dsam_token_is(p, len, dev_name(dev)) ||
		    dsam_token_is(p, len, dev_driver_string(dev)))
			return true;
		p += len;
		if (*p)
			p++;
	}
	return false;
}

static void dsam_chan_free(struct dsam_chan *dc)
{
	/*
	 * No descriptor of ours is in flight on @dc any more; let a driver
	 * that tracks its callbacks finish returning from them before the
	 * channel (and this module) go.
	 */
	dmaengine_synchronize(dc->chan);
	dma_release_channel(dc->chan);
	kfree(dc->batch);
	kfree(dc);
}

/*
 * Take @dc out of the pool.  A channel still held by an abandoned batch
 * (descriptors in flight that the engine never completed) is terminated if
 * the driver can do that, which settles the batch; otherwise it stays
 * claimed, "orphaned", and the reap of its batch releases it once the late
 * completions arrive.
 */
static void dsam_pool_put(struct dsam_chan *dc)
{
	if (!test_bit(0, &dc->busy)) {
		dsam_chan_free(dc);
		return;
	}
	dc->orphaned = true;
	if (!dmaengine_terminate_sync(dc->chan)) {
		dsam_chan_terminated(dc);
		return;
	}
	pr_warn("%s keeps %u descriptor(s) in flight and cannot be terminated: it stays claimed, with the folios of its batch, until the engine completes them (reset or unbind the device)\n",
		dma_chan_name(dc->chan), READ_ONCE(dc->inflight));
}

static void dsam_pool_release_locked(void)
{
	while (dsam_pool_nr)
		dsam_pool_put(dsam_pool[--dsam_pool_nr]);
}

/*
 * Request channels until @want are held (0: as many as there are, up to
 * DSAM_MAX_CHANS).  A request for @want channels that cannot be met fails
 * as a whole: a smaller pool than asked for would silently skew results.
 */
int dsam_pool_fill(unsigned int want, const char *filter)
{
	unsigned int limit = want ? want : DSAM_MAX_CHANS;
	dma_cap_mask_t mask;
	struct dma_chan *chan;
	struct dsam_chan *dc;
	int ret = 0;

	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);

	mutex_lock(&dsam_pool_lock);
	while (dsam_pool_nr < limit) {
		chan = dma_request_channel(mask, dsam_chan_filter, (void *)filter);
		if (!chan)
			break;
		dc = kzalloc(sizeof(*dc), GFP_KERNEL);
		if (dc)
			dc->batch = kzalloc_node(sizeof(*dc->batch), GFP_KERNEL,
						 dev_to_node(chan->device->dev));
		if (!dc || !dc->batch) {
			dma_release_channel(chan);
			kfree(dc);
			dsam_pool_release_locked();
			ret = -ENOMEM;
			goto unlock;
		}
		dc->chan = chan;
		dc->dev = chan->device->dev;
		dc->node = dev_to_node(dc->dev);
		dsam_batch_init(dc->batch);
		dsam_pool[dsam_pool_nr++] = dc;
		pr_info("channel %s of %s (%s), node %d\n",
			dma_chan_name(chan), dev_name(dc->dev),
			dev_driver_string(dc->dev), dc->node);
	}

	if (!dsam_pool_nr) {
		pr_err("no free DMA_MEMCPY channel%s%s%s\n",
		       *filter ? " matching chan_filter=\"" : "", filter,
		       *filter ? "\"" : "");
		ret = -ENODEV;
		goto unlock;
	}
	if (want && dsam_pool_nr < want) {
		pr_err("nr_chans=%u but only %u DMA_MEMCPY channel(s) available\n",
		       want, dsam_pool_nr);
		dsam_pool_release_locked();
		ret = -ENODEV;
	}
unlock:
	mutex_unlock(&dsam_pool_lock);
	return ret;
}

/* Give every channel back.  No batch may be in flight. */
void dsam_pool_release(void)
{
	mutex_lock(&dsam_pool_lock);
	dsam_pool_release_locked();
	mutex_unlock(&dsam_pool_lock);
}

unsigned int dsam_pool_size(void)
{
	return dsam_pool_nr;
}

static unsigned int dsam_pool_claim_pass(int nid, unsigned int max,
					 struct dsam_chan **out)
{
	unsigned int i, n = 0;

	for (i = 0; i < dsam_pool_nr && n < max; i++) {
		struct dsam_chan *dc = dsam_pool[i];

		if (nid != NUMA_NO_NODE && dc->node != nid)
			continue;
		if (!test_and_set_bit_lock(0, &dc->busy))
			out[n++] = dc;
	}
	return n;
}

/*
 * Claim up to @max free channels on node @nid, or, when none of them is
 * free, up to @max free channels anywhere.  Returns how many were stored in
 * @out (DSAM_MAX_CHANS entries); 0 means every channel is busy.  Leaving
 * the channels a batch cannot use lets concurrent batches have them.
 */
unsigned int dsam_pool_claim(int nid, unsigned int max, struct dsam_chan **out)
{
	unsigned int n = 0;

	if (nid != NUMA_NO_NODE)
		n = dsam_pool_claim_pass(nid, max, out);
	if (!n)
		n = dsam_pool_claim_pass(NUMA_NO_NODE, max, out);
	return n;
}

void dsam_pool_unclaim(struct dsam_chan **chans, unsigned int nr)
{
	while (nr--)
		clear_bit_unlock(0, &chans[nr]->busy);
}

/*
 * Give back the channels of an abandoned batch, now that nothing of it is
 * in flight: release those that left the pool meanwhile.
 */
void dsam_pool_unclaim_quarantined(struct dsam_chan **chans, unsigned int nr)
{
	mutex_lock(&dsam_pool_lock);
	while (nr--) {
		if (chans[nr]->orphaned)
			dsam_chan_free(chans[nr]);
		else
			clear_bit_unlock(0, &chans[nr]->busy);
	}
	mutex_unlock(&dsam_pool_lock);
}

/* One line per channel: channel, device, driver, node, busy. */
ssize_t dsam_pool_show(char *buf)
{
	ssize_t len = 0;
	unsigned int i;

	mutex_lock(&dsam_pool_lock);
	for (i = 0; i < dsam_pool_nr; i++) {
		struct dsam_chan *dc = dsam_pool[i];

		len += sysfs_emit_at(buf, len, "%s %s %s node=%d busy=%d\n",
				     dma_chan_name(dc->chan), dev_name(dc->dev),
				     dev_driver_string(dc->dev), dc->node,
				     test_bit(0, &dc->busy));
	}
	mutex_unlock(&dsam_pool_lock);
	return len;
}
