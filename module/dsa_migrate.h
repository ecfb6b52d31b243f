/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dsa_migrate - copy page-migration batches with a dmaengine DMA_MEMCPY
 * channel (Intel DSA through idxd, our emulated DSA, or any other engine).
 *
 * The module is a plain dmaengine client: it knows nothing about idxd.
 *
 *   main.c   parameters, their validation, enable/disable, registration
 *   chan.c   the channel pool: acquisition, per-batch claim, release
 *   copy.c   the batch copy: map, submit, wait for callbacks, unmap, mark
 *   stats.c  counters and their sysfs files
 */
#ifndef DSA_MIGRATE_H
#define DSA_MIGRATE_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/dmaengine.h>
#include <linux/migrate_copy.h>
#include <linux/types.h>

/* Upper limit of the channel pool, and of nr_chans. */
#define DSAM_MAX_CHANS		16

struct dsam_batch;

/*
 * Per-pair state of a batch in flight.  @failed is set by the completion
 * callbacks of the pair's descriptors (any context); it is read only after
 * every callback of the batch ran.
 */
struct dsam_pair {
	struct dsam_batch *batch;
	struct device *dev;		/* device the pair is mapped for */
	dma_addr_t src;
	dma_addr_t dst;
	size_t len;
	bool src_mapped;
	bool dst_mapped;
	bool failed;
};

/*
 * A batch in flight.  @pending counts submitted descriptors whose callback
 * has not run yet, plus one held by the submitter until it is done
 * submitting, so @done cannot fire early.
 */
struct dsam_batch {
	atomic_t pending;
	struct completion done;
	struct dsam_pair pairs[MIGRATE_COPY_MAX_PAIRS];
};

/*
 * One channel of the pool.  @busy (bit 0) is held by the batch using the
 * channel.  @batch is the batch context used when this channel is the first
 * one a batch claims: as a batch holds at least one channel exclusively,
 * contexts are never shared and nothing is allocated on the copy path.
 */
struct dsam_chan {
	struct dma_chan *chan;
	struct device *dev;		/* the device that maps memory */
	int node;
	unsigned long busy;
	struct dsam_batch *batch;
};

/* chan.c: the pool is changed only while the provider is unregistered. */
int dsam_pool_fill(unsigned int want, const char *filter);
void dsam_pool_release(void);
unsigned int dsam_pool_size(void);
unsigned int dsam_pool_claim(int nid, struct dsam_chan **out);
void dsam_pool_unclaim(struct dsam_chan **chans, unsigned int nr);
int dsam_filter_validate(const char *filter);
ssize_t dsam_pool_show(char *buf);

/* copy.c */
int dsam_copy_batch(struct migrate_copy_provider *provider,
		    struct migrate_copy_batch *batch);

/* Runtime parameters, read with READ_ONCE() on the copy path (main.c). */
extern unsigned int dsam_min_batch_pages;
extern unsigned int dsam_max_seg_bytes;
extern unsigned long dsam_reasons;
extern bool dsam_verify;
extern unsigned int dsam_timeout_ms;

/* stats.c */
enum dsam_stat {
	DSAM_BATCHES_OFFLOADED,
	DSAM_BATCHES_FAILED,
	DSAM_BATCHES_DECLINED_SMALL,
	DSAM_BATCHES_DECLINED_BUSY,
	DSAM_BATCHES_DECLINED_REASON,
	DSAM_FOLIOS_OFFLOADED,
	DSAM_FOLIOS_FALLBACK,
	DSAM_BYTES_OFFLOADED,
	DSAM_DESCRIPTORS,
	DSAM_DESCRIPTOR_ERRORS,
	DSAM_SUBMIT_ERRORS,
	DSAM_MAP_ERRORS,
	DSAM_VERIFY_MISMATCHES,
	DSAM_TIMEOUTS,
	DSAM_COPY_NS_TOTAL,
	DSAM_COPY_NS_MAX,
	DSAM_NR_STATS
};

void dsam_stat_add(enum dsam_stat stat, u64 val);
void dsam_stat_max(enum dsam_stat stat, u64 val);
int dsam_stats_init(struct kobject *parent);
void dsam_stats_exit(void);

#endif /* DSA_MIGRATE_H */
