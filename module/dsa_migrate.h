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
#include <linux/bitmap.h>
#include <linux/dma-direction.h>
#include <linux/dmaengine.h>
#include <linux/migrate_copy.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

/* Upper limit of the channel pool, and of nr_chans. */
#define DSAM_MAX_CHANS		16
/* Upper limit of queue_depth: descriptors in flight per channel. */
#define DSAM_QUEUE_DEPTH_MAX	128

struct dsam_batch;
struct dsam_chan;

/*
 * One descriptor in flight: the callback parameter.   makes its
 * completion count once, whether the driver reports it through the
 * callback, through a failed submit, or both (idxd does both when a
 * shared work queue refuses a descriptor).
 */
struct dsam_desc {
	struct dsam_pair *dp;
	struct dsam_chan *dc;
	atomic_t settled;
};

/*
 * Per-pair state of a batch in flight, under the batch's @lock once the
 * pair's first descriptor is submitted.  @inflight counts its descriptors
 * not settled yet; a pair abandoned at the deadline keeps its mappings and
 * a reference on both folios (@src_folio, @dst_folio) until its last
 * descriptor settles, because the engine may still read and write them.
 */
struct dsam_pair {
	struct dsam_batch *batch;
	struct device *dev;		/* device the pair is mapped for */
	struct folio *src_folio;
	struct folio *dst_folio;
	dma_addr_t src;
	dma_addr_t dst;
	enum dma_data_direction dst_dir;	/* DMA_FROM_DEVICE but in tests */
	size_t len;
	unsigned int inflight;
	bool src_mapped;
	bool dst_mapped;
	bool failed;
	bool abandoned;
};

/*
 * A batch in flight.  @pending counts the descriptors not settled yet, plus
 * one held by the submitter until it is done with the batch, so the context
 * is never reaped or reused under it.  When the submitter gives up at the
 * deadline it sets @abandoned, and whoever drops @pending to zero queues
 * @reap, which releases the abandoned pairs and the claimed channels.
 */
struct dsam_batch {
	spinlock_t lock;		/* pending, abandoned, the pairs, the channels' slots */
	wait_queue_head_t wait;
	unsigned int pending;
	bool abandoned;
	unsigned int nr_pairs;
	unsigned int nr_chans;
	struct dsam_chan *chans[DSAM_MAX_CHANS];
	struct work_struct reap;
	struct dsam_pair pairs[MIGRATE_COPY_MAX_PAIRS];
};

/*
 * One channel of the pool.  @busy (bit 0) is held by the batch using the
 * channel, and stays held while an abandoned batch waits for the channel's
 * late completions.  @batch is the batch context used when this channel is
 * the first one a batch claims: as a batch holds at least one channel
 * exclusively, contexts are never shared and nothing is allocated on the
 * copy path.  @slots are the descriptors in flight (at most queue_depth, so
 * a driver's prepare never has to sleep for a free descriptor), with
 * @slot_used and @inflight under the lock of the batch using the channel.
 * @orphaned: left the pool while quarantined; released by the reap.
 */
struct dsam_chan {
	struct dma_chan *chan;
	struct device *dev;		/* the device that maps memory */
	int node;
	unsigned long busy;
	bool orphaned;
	struct dsam_batch *batch;
	unsigned int inflight;
	DECLARE_BITMAP(slot_used, DSAM_QUEUE_DEPTH_MAX);
	struct dsam_desc slots[DSAM_QUEUE_DEPTH_MAX];
};

/* chan.c: the pool is changed only while the provider is unregistered. */
int dsam_pool_fill(unsigned int want, const char *filter);
void dsam_pool_release(void);
unsigned int dsam_pool_size(void);
unsigned int dsam_pool_claim(int nid, unsigned int max, struct dsam_chan **out);
void dsam_pool_unclaim(struct dsam_chan **chans, unsigned int nr);
void dsam_pool_unclaim_quarantined(struct dsam_chan **chans, unsigned int nr);
int dsam_filter_validate(const char *filter);
ssize_t dsam_pool_show(char *buf);

/* copy.c */
int dsam_copy_batch(struct migrate_copy_provider *provider,
		    struct migrate_copy_batch *batch);
void dsam_batch_init(struct dsam_batch *b);
void dsam_chan_terminated(struct dsam_chan *dc);
unsigned long dsam_quarantined(void);
int dsam_copy_init(void);
void dsam_copy_exit(void);

/* Runtime parameters, read with READ_ONCE() on the copy path (main.c). */
extern unsigned int dsam_min_batch_pages;
extern unsigned int dsam_max_seg_bytes;
extern unsigned long dsam_reasons;
extern bool dsam_verify;
extern unsigned int dsam_timeout_ms;
extern unsigned int dsam_queue_depth;
#ifdef DSAM_TEST_HOOKS
extern unsigned int dsam_test_abort_submit_every;
extern unsigned int dsam_test_ro_dst_every;
extern atomic_t dsam_test_ro_dst_pairs;
#endif

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
	DSAM_FOLIOS_ABANDONED,
	DSAM_LATE_COMPLETIONS,
	DSAM_STRAY_CALLBACKS,
	DSAM_NR_STATS
};

void dsam_stat_add(enum dsam_stat stat, u64 val);
void dsam_stat_max(enum dsam_stat stat, u64 val);
int dsam_stats_init(struct kobject *parent);
void dsam_stats_exit(void);

#endif /* DSA_MIGRATE_H */
