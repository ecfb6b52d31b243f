// SPDX-License-Identifier: GPL-2.0
/*
 * dsam.c - the dsa_migrate module, see dsam.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "dsa.h"
#include "dsam.h"
#include "file.h"
#include "ktap.h"
#include "mem.h"
#include "node.h"
#include "pattern.h"
#include "proc.h"
#include "vmstat.h"

#define DSA_WQS		"/tests/bin/offload-wqs"

const char *const dsam_stat_names[DSAM_NR_STATS] = {
	[DSAM_BATCHES_OFFLOADED]	= "batches_offloaded",
	[DSAM_BATCHES_FAILED]		= "batches_failed",
	[DSAM_BATCHES_DECLINED_SMALL]	= "batches_declined_small",
	[DSAM_BATCHES_DECLINED_BUSY]	= "batches_declined_busy",
	[DSAM_BATCHES_DECLINED_REASON]	= "batches_declined_reason",
	[DSAM_FOLIOS_OFFLOADED]		= "folios_offloaded",
	[DSAM_FOLIOS_FALLBACK]		= "folios_fallback",
	[DSAM_BYTES_OFFLOADED]		= "bytes_offloaded",
	[DSAM_DESCRIPTORS]		= "descriptors",
	[DSAM_DESCRIPTOR_ERRORS]	= "descriptor_errors",
	[DSAM_SUBMIT_ERRORS]		= "submit_errors",
	[DSAM_MAP_ERRORS]		= "map_errors",
	[DSAM_VERIFY_MISMATCHES]	= "verify_mismatches",
	[DSAM_TIMEOUTS]			= "timeouts",
	[DSAM_COPY_NS_TOTAL]		= "copy_ns_total",
	[DSAM_COPY_NS_MAX]		= "copy_ns_max",
	[DSAM_FOLIOS_ABANDONED]		= "folios_abandoned",
	[DSAM_LATE_COMPLETIONS]		= "late_completions",
	[DSAM_STRAY_CALLBACKS]		= "stray_callbacks",
	[DSAM_FOLIOS_QUARANTINED]	= "folios_quarantined",
};

int dsam_stats_read(struct dsam_stats *s)
{
	char path[128];
	int i, ret;

	for (i = 0; i < DSAM_NR_STATS; i++) {
		snprintf(path, sizeof(path), DSAM_SYS "/stats/%s",
			 dsam_stat_names[i]);
		ret = file_read_u64(path, &s->v[i]);
		if (ret)
			return ret;
	}
	return 0;
}

uint64_t dsam_delta(const struct dsam_stats *before,
		    const struct dsam_stats *after, enum dsam_stat stat)
{
	if (stat == DSAM_COPY_NS_MAX || stat == DSAM_FOLIOS_QUARANTINED)
		return after->v[stat];
	return after->v[stat] >= before->v[stat] ?
	       after->v[stat] - before->v[stat] : 0;
}

void dsam_stats_report(const struct dsam_stats *before,
		       const struct dsam_stats *after)
{
	int i;

	for (i = 0; i < DSAM_NR_STATS; i++)
		if (after->v[i] != before->v[i])
			ktap_diag("%s.%s +%" PRIu64, DSAM_MODULE,
				  dsam_stat_names[i],
				  dsam_delta(before, after, i));
}

int dsam_stats_reset(void)
{
	return file_write(DSAM_SYS "/stats/reset", "1");
}

int dsam_param_set(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), DSAM_SYS "/parameters/%s", name);
	return file_write(path, val);
}

int dsam_param_get(const char *name, char *buf, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), DSAM_SYS "/parameters/%s", name);
	return file_read(path, buf, len);
}

bool dsam_loaded(void)
{
	struct stat st;

	return !stat(DSAM_SYS "/parameters", &st);
}

int dsam_modprobe(const char *const *args)
{
	const char *argv[16] = { "modprobe", DSAM_MODULE };
	int n = 2;

	while (args && *args && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	return proc_run(argv, false);
}

int dsam_rmmod(void)
{
	if (syscall(SYS_delete_module, DSAM_MODULE, O_NONBLOCK))
		return -errno;
	return 0;
}

int dsam_rmmod_within(unsigned int ms)
{
	uint64_t end = clock_ns() + ms * 1000000ULL;
	int ret;

	while ((ret = dsam_rmmod()) == -EAGAIN || ret == -EWOULDBLOCK) {
		if (clock_ns() >= end)
			break;
		usleep(10000);
	}
	return ret;
}

int dsam_unload(void)
{
	if (!dsam_loaded())
		return 0;
	dsam_param_set("enable", "0");
	return dsam_rmmod();
}

int dsam_finish(void)
{
	int ret = dsam_unload();
	int code = ktap_finish();

	if (ret) {
		ktap_diag("ERROR: cannot unload %s: %s", DSAM_MODULE,
			  strerror(-ret));
		return KTAP_EXIT_FAIL;
	}
	return code;
}

void dsam_setup_or_abort(const char *const *args)
{
	const char *setup[] = { DSA_WQS, "1", NULL };
	char state[32];
	char chans[512];
	int ret;

	ret = node_count_with_memory();
	if (ret < 2)
		ktap_abort("needs 2 nodes with memory, found %d", ret);
	if (dsa_dma_channels() && !dsa_state(state, sizeof(state)) &&
	    strcmp(state, "enabled"))
		ktap_abort("dsa0 is %s but its channel is still there: halted earlier in this boot? idxd (6.12) cannot bring a halted DSA back (unbinding its WQ hangs)",
			   state);
	if (!dsa_dma_channels()) {
		ret = proc_run(setup, false);
		if (ret)
			ktap_abort("%s failed (exit %d): no DMA_MEMCPY channel (boot with DSA=1)",
				   DSA_WQS, ret);
	}
	if (!dsa_dma_channels())
		ktap_abort("no dmaengine channel after %s (boot with DSA=1)",
			   DSA_WQS);
	ret = dsam_unload();
	if (ret)
		ktap_abort("cannot unload %s: %s", DSAM_MODULE, strerror(-ret));
	ret = dsam_modprobe(args);
	if (ret)
		ktap_abort("modprobe %s failed (exit %d), see dmesg",
			   DSAM_MODULE, ret);
	if (dsam_stats_reset())
		ktap_abort("cannot reset %s/stats", DSAM_SYS);
	if (!file_read(DSAM_SYS "/channels", chans, sizeof(chans)))
		ktap_diag("channels: %s", chans);
}

/* ---- one checked move ---- */

static uint64_t vm_counter(const char *name)
{
	uint64_t v = 0;

	vmstat_read(name, &v);
	return v;
}

void dsam_move_check(void *buf, size_t len, size_t stride, int node,
		     uint64_t seed, const char *label, struct dsam_move *m)
{
	uint64_t b0, f0, fb0, t0;
	struct pattern_mismatch mm;

	memset(m, 0, sizeof(*m));
	if (dsam_stats_read(&m->before))
		ktap_abort("cannot read %s/stats", DSAM_SYS);
	b0 = vm_counter("pgmigrate_offload_batch");
	f0 = vm_counter("pgmigrate_offload_folio");
	fb0 = vm_counter("pgmigrate_offload_fallback");

	t0 = clock_ns();
	m->bad_status = mem_move(buf, len, stride, node);
	m->ns = clock_ns() - t0;

	if (dsam_stats_read(&m->after))
		ktap_abort("cannot read %s/stats", DSAM_SYS);
	m->vm_batch = vm_counter("pgmigrate_offload_batch") - b0;
	m->vm_folio = vm_counter("pgmigrate_offload_folio") - f0;
	m->vm_fallback = vm_counter("pgmigrate_offload_fallback") - fb0;

	ktap_diag("%s: %zu bytes to node%d in %" PRIu64 " us", label, len,
		  node, m->ns / 1000);
	dsam_stats_report(&m->before, &m->after);
	ktap_diag("vmstat: pgmigrate_offload_batch +%" PRIu64
		  " _folio +%" PRIu64 " _fallback +%" PRIu64,
		  m->vm_batch, m->vm_folio, m->vm_fallback);
	if (m->bad_status < 0)
		ktap_diag("move_pages: %s", strerror((int)-m->bad_status));
	ktap_ok(m->bad_status == 0 && mem_on_node(buf, len, stride, node),
		"%s_on_node%d", label, node);

	pattern_mismatch_init(&mm);
	m->bad_pages = pattern_verify(buf, len, seed, &mm);
	pattern_report(&mm);
	ktap_ok(m->bad_pages == 0, "%s_intact_on_node%d", label, node);
}

void dsam_roundtrip(void *buf, size_t len, size_t stride, uint64_t seed,
		    const char *label, struct dsam_sums *s)
{
	struct dsam_move m;
	int node;

	for (node = 1; node >= 0; node--) {
		dsam_move_check(buf, len, stride, node, seed, label, &m);
		s->errors += dsam_delta(&m.before, &m.after,
					DSAM_DESCRIPTOR_ERRORS);
		s->fallback += dsam_delta(&m.before, &m.after,
					  DSAM_FOLIOS_FALLBACK);
		s->offloaded += dsam_delta(&m.before, &m.after,
					   DSAM_FOLIOS_OFFLOADED);
		s->failed_batches += dsam_delta(&m.before, &m.after,
						DSAM_BATCHES_FAILED);
		s->vm_folio += m.vm_folio;
	}
}

void dsam_expect_offload(const struct dsam_move *m, uint64_t min_folios,
			 uint64_t folio_bytes, const char *label)
{
	const struct dsam_stats *a = &m->after, *b = &m->before;
	uint64_t folios = dsam_delta(b, a, DSAM_FOLIOS_OFFLOADED);
	uint64_t batches = dsam_delta(b, a, DSAM_BATCHES_OFFLOADED) +
			   dsam_delta(b, a, DSAM_BATCHES_FAILED);
	uint64_t errors = dsam_delta(b, a, DSAM_FOLIOS_FALLBACK) +
			  dsam_delta(b, a, DSAM_DESCRIPTOR_ERRORS) +
			  dsam_delta(b, a, DSAM_SUBMIT_ERRORS) +
			  dsam_delta(b, a, DSAM_MAP_ERRORS) +
			  dsam_delta(b, a, DSAM_VERIFY_MISMATCHES) +
			  dsam_delta(b, a, DSAM_TIMEOUTS) +
			  dsam_delta(b, a, DSAM_FOLIOS_ABANDONED) +
			  dsam_delta(b, a, DSAM_STRAY_CALLBACKS);

	ktap_ok(folios >= min_folios &&
		dsam_delta(b, a, DSAM_DESCRIPTORS) >= folios,
		"%s_offloaded_%" PRIu64 "_folios", label, min_folios);
	ktap_ok(errors == 0, "%s_no_fallback_no_errors", label);
	ktap_ok(dsam_delta(b, a, DSAM_BYTES_OFFLOADED) == folios * folio_bytes,
		"%s_bytes_counted", label);
	ktap_ok(m->vm_folio == folios && m->vm_batch == batches,
		"%s_vmstat_agrees", label);
}

void *dsam_buffer_or_abort(size_t len, bool thp, int node, uint64_t seed)
{
	uint64_t huge = 0;
	void *buf;
	int ret;

	buf = mem_map_aligned(len, HPAGE_SIZE_2M);
	if (!buf)
		ktap_abort("mmap %zu bytes failed", len);
	if (madvise(buf, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		ktap_abort("madvise: %s", strerror(errno));
	ret = mem_bind(buf, len, node);
	if (ret)
		ktap_abort("mbind node%d: %s", node, strerror(-ret));
	pattern_fill(buf, len, seed);
	if (thp) {
		ret = mem_anon_huge(buf, &huge);
		if (ret || huge != len)
			ktap_abort("only %" PRIu64 " of %zu bytes in THPs (%s)",
				   huge, len, ret ? strerror(-ret) : "smaps");
	}
	if (!mem_on_node(buf, len, PAGE_SIZE_4K, node))
		ktap_abort("buffer not on node%d after mbind", node);
	return buf;
}
