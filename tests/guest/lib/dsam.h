/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dsam.h - drive the dsa_migrate offload module (module/) from the
 * offload-* guest tests and bench-migrate: parameters and counters under
 * /sys/module/dsa_migrate (see module/ABI/sysfs-module-dsa_migrate).  The
 * DSA device itself is dsa.h's.
 *
 * Functions return 0 or a negative errno and print nothing, except the
 * *_or_abort() ones, which end the test through ktap_abort().
 */
#ifndef LAB_DSAM_H
#define LAB_DSAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DSAM_MODULE	"dsa_migrate"
#define DSAM_SYS	"/sys/module/" DSAM_MODULE

/* The counters in DSAM_SYS/stats, in this order. */
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
	DSAM_FOLIOS_QUARANTINED,	/* a level: delta is the value after */
	DSAM_NR_STATS
};

extern const char *const dsam_stat_names[DSAM_NR_STATS];

struct dsam_stats {
	uint64_t v[DSAM_NR_STATS];
};

int dsam_stats_read(struct dsam_stats *s);
/* after - before of one counter (copy_ns_max: the value after). */
uint64_t dsam_delta(const struct dsam_stats *before,
		    const struct dsam_stats *after, enum dsam_stat stat);
/* ktap_diag() every counter that changed. */
void dsam_stats_report(const struct dsam_stats *before,
		       const struct dsam_stats *after);
int dsam_stats_reset(void);

/* Write / read DSAM_SYS/parameters/<name>; write returns -errno of write(2). */
int dsam_param_set(const char *name, const char *val);
int dsam_param_get(const char *name, char *buf, size_t len);

bool dsam_loaded(void);
/* modprobe dsa_migrate [args...] (NULL-terminated); the exit status. */
int dsam_modprobe(const char *const *args);
/* delete_module(2): 0 or -errno (-EWOULDBLOCK, "in use", while enabled). */
int dsam_rmmod(void);
/*
 * dsam_rmmod(), retried for up to @ms while the module is still in use:
 * it drops the reference a quarantined folio held just after
 * folios_quarantined reaches 0, so a reader of the counter can see 0 a
 * moment before the module can go.
 */
int dsam_rmmod_within(unsigned int ms);
/* Disable (unregister) and unload the module if it is loaded: 0 or -errno. */
int dsam_unload(void);
/*
 * End of an offload test: unload the module, so the next test of the same
 * boot starts without a provider, then ktap_finish().  A module that will
 * not go away fails the test.
 */
int dsam_finish(void);

/*
 * Make sure a DMA_MEMCPY channel exists (run offload-wqs 1 when there is
 * none), then (re)load the module with @args (NULL: defaults), zero its counters.
 * Aborts the test (fails every remaining result) when anything is missing.
 */
void dsam_setup_or_abort(const char *const *args);

/* ---- one checked move ---- */
struct dsam_move {
	struct dsam_stats before, after;	/* module counters */
	uint64_t vm_batch, vm_folio, vm_fallback;	/* pgmigrate_offload_* deltas */
	uint64_t ns;
	long bad_status;	/* mem_move(): pages not on the node */
	size_t bad_pages;	/* pages whose contents do not match */
};

/*
 * move_pages(2) every @stride-th page of [@buf, @buf + @len) to @node, then
 * check every page is there and every byte of the range matches the pattern
 * of @seed.  Prints two results, "<label>_on_node<N>" and
 * "<label>_intact_on_node<N>", and the counter deltas as diagnostics.
 */
void dsam_move_check(void *buf, size_t len, size_t stride, int node,
		     uint64_t seed, const char *label, struct dsam_move *m);

/* The module's counters summed over the two moves of dsam_roundtrip(). */
struct dsam_sums {
	uint64_t errors, fallback, offloaded, failed_batches, vm_folio;
};

/*
 * dsam_move_check() to node 1, then back to node 0 (four results), adding
 * each move's descriptor errors, fallbacks, offloaded folios, failed
 * batches and pgmigrate_offload_folio to @s.
 */
void dsam_roundtrip(void *buf, size_t len, size_t stride, uint64_t seed,
		    const char *label, struct dsam_sums *s);

/*
 * Four results for a move that must have been offloaded cleanly: at least
 * @min_folios copied by DMA; no fallback and no error of any kind;
 * bytes_offloaded is folios x @folio_bytes; the kernel's vmstat agrees with
 * the module (pgmigrate_offload_folio and _batch).
 */
void dsam_expect_offload(const struct dsam_move *m, uint64_t min_folios,
			 uint64_t folio_bytes, const char *label);

/*
 * Map @len bytes (2 MiB aligned) bound to @node, THP on or off, filled with
 * the pattern of @seed; aborts the test on failure.  With @thp, every byte
 * must be backed by huge pages.
 */
void *dsam_buffer_or_abort(size_t len, bool thp, int node, uint64_t seed);

#endif /* LAB_DSAM_H */
