// SPDX-License-Identifier: GPL-2.0
/*
 * provider.c - test provider control and batch-copy counters, see provider.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file.h"
#include "ktap.h"
#include "mem.h"
#include "pattern.h"
#include "provider.h"
#include "trace.h"
#include "vmstat.h"

#define TP_PARAMS "/sys/module/" TP_MODULE "/parameters/"

bool tp_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/" TP_MODULE, &st);
}

int tp_load(const char *args)
{
	char cmd[256];
	int status;

	snprintf(cmd, sizeof(cmd), "modprobe %s %s", TP_MODULE, args ? args : "");
	status = system(cmd);
	if (status == -1)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return -EIO;
	return tp_loaded() ? 0 : -ENOENT;
}

int tp_delete_module(unsigned int flags)
{
	if (syscall(SYS_delete_module, TP_MODULE, flags))
		return -errno;
	return 0;
}

int tp_unload(void)
{
	int ret;

	if (!tp_loaded())
		return 0;
	ret = tp_param_write("enable", "0");
	if (ret)
		return ret;
	return tp_delete_module(0);
}

int tp_param_write(const char *param, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), TP_PARAMS "%s", param);
	return file_write(path, val);
}

int tp_param_read(const char *param, char *buf, size_t len)
{
	char path[160];

	snprintf(path, sizeof(path), TP_PARAMS "%s", param);
	return file_read(path, buf, len);
}

int tp_stats_read(struct tp_stats *s)
{
	char buf[2048], *line, *save = NULL;
	int ret, seen = 0;

	memset(s, 0, sizeof(*s));
	ret = tp_param_read("stats", buf, sizeof(buf));
	if (ret)
		return ret;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[48];
		uint64_t v;
		int r;

		if (sscanf(line, "%47s %" SCNu64, name, &v) != 2)
			return -EPROTO;
		seen++;
		if (!strcmp(name, "calls"))
			s->calls = v;
		else if (!strcmp(name, "declined"))
			s->declined = v;
		else if (!strcmp(name, "folios_copied"))
			s->folios_copied = v;
		else if (!strcmp(name, "folios_skipped"))
			s->folios_skipped = v;
		else if (!strcmp(name, "pages_copied"))
			s->pages_copied = v;
		else if (!strcmp(name, "large_folios"))
			s->large_folios = v;
		else if (!strcmp(name, "max_pairs"))
			s->max_pairs = v;
		else if (!strcmp(name, "contract_violations"))
			s->contract_violations = v;
		else if (!strcmp(name, "in_flight"))
			s->in_flight = v;
		else if (sscanf(name, "reason%d_folios", &r) == 1 &&
			 r >= 0 && r < MR_TYPES)
			s->reason_folios[r] = v;
		else
			seen--;
	}
	return seen == 9 + MR_TYPES ? 0 : -EPROTO;
}

int tp_stats_reset(void)
{
	return tp_param_write("reset_stats", "1");
}

int mc_provider_name(char *buf, size_t len)
{
	return file_read(MC_SYSCTL_PROVIDER, buf, len);
}

int mc_vmstat_read(struct mc_vmstat *v)
{
	int ret;

	ret = vmstat_read("pgmigrate_offload_batch", &v->batch);
	if (!ret)
		ret = vmstat_read("pgmigrate_offload_folio", &v->folio);
	if (!ret)
		ret = vmstat_read("pgmigrate_offload_fallback", &v->fallback);
	if (!ret)
		ret = vmstat_read("pgmigrate_offload_abandoned", &v->abandoned);
	if (!ret)
		ret = vmstat_read("pgmigrate_success", &v->migrated);
	return ret;
}

void tp_stats_report(const struct tp_stats *s, const char *label)
{
	ktap_diag("%s: calls=%" PRIu64 " declined=%" PRIu64
		  " folios_copied=%" PRIu64 " folios_skipped=%" PRIu64
		  " pages_copied=%" PRIu64 " large=%" PRIu64
		  " max_pairs=%" PRIu64 " violations=%" PRIu64
		  " compaction=%" PRIu64 " syscall=%" PRIu64 " damon=%" PRIu64,
		  label, s->calls, s->declined, s->folios_copied,
		  s->folios_skipped, s->pages_copied, s->large_folios,
		  s->max_pairs, s->contract_violations,
		  s->reason_folios[MR_COMPACTION], s->reason_folios[MR_SYSCALL],
		  s->reason_folios[MR_DAMON]);
}

int roundtrip_verify(void *buf, size_t len, size_t stride, int from, int to,
		     int rounds, uint64_t seed)
{
	struct pattern_mismatch mm;
	int i;

	for (i = 0; i < rounds; i++) {
		int node = i % 2 ? from : to;
		long bad = mem_move(buf, len, stride, node);

		if (bad < 0) {
			ktap_diag("move_pages to node %d: %s", node,
				  strerror((int)-bad));
			return (int)bad;
		}
		if (bad > 0) {
			ktap_diag("round %d: %ld pages not on node %d", i, bad,
				  node);
			return -EAGAIN;
		}
		pattern_mismatch_init(&mm);
		if (pattern_verify(buf, len, seed, &mm)) {
			ktap_diag("round %d (to node %d): data differs", i,
				  node);
			pattern_report(&mm);
			return -EIO;
		}
	}
	return 0;
}

#define MC_EVENT "mm_migrate_copy_batch"

int mc_trace_enable(bool on)
{
	return trace_event_enable("migrate/" MC_EVENT, on, on);
}

long mc_trace_count(const char *needle)
{
	return trace_count(MC_EVENT, needle);
}

void tp_require_idle(void)
{
	char name[64];
	int ret;

	ret = mc_provider_name(name, sizeof(name));
	if (ret)
		ktap_abort("%s: %s (kernel without the batch copy series?)",
			   MC_SYSCTL_PROVIDER, strerror(-ret));
	if (name[0])
		ktap_abort("provider \"%s\" is registered (left by an earlier test?)",
			   name);
	if (tp_loaded())
		ktap_abort("%s is loaded (left by an earlier test?)", TP_MODULE);
}

void rt_set_alloc(struct rt_set *set)
{
	set->small = mem_map_aligned(RT_SMALL_BYTES, HPAGE_SIZE_2M);
	set->thp = mem_map_aligned(RT_NR_THP * HPAGE_SIZE_2M, HPAGE_SIZE_2M);
	if (!set->small || !set->thp)
		ktap_abort("mmap: %s", strerror(errno));
	madvise(set->small, RT_SMALL_BYTES, MADV_NOHUGEPAGE);
	if (madvise(set->thp, RT_NR_THP * HPAGE_SIZE_2M, MADV_HUGEPAGE))
		ktap_abort("MADV_HUGEPAGE: %s", strerror(errno));
}

bool rt_set_roundtrips(struct rt_set *set, uint64_t seed)
{
	bool ok = true;

	pattern_fill(set->small, RT_SMALL_BYTES, seed);
	pattern_fill(set->thp, RT_NR_THP * HPAGE_SIZE_2M, seed);
	if (roundtrip_verify(set->small, RT_SMALL_BYTES, PAGE_SIZE_4K, 0, 1,
			     RT_ROUNDS, seed))
		ok = false;
	if (roundtrip_verify(set->thp, RT_NR_THP * HPAGE_SIZE_2M,
			     HPAGE_SIZE_2M, 0, 1, RT_ROUNDS, seed))
		ok = false;
	return ok;
}

int mc_cpu_batch(bool on)
{
	int ret = file_write(MC_SYSCTL_BATCH_COPY, on ? "1" : "0");
	int trace = mc_trace_enable(on);

	return ret ? ret : trace;
}

struct evidence_arg {
	char want[48];
	struct mc_evidence *e;
};

static int evidence_line(const char *text, void *arg)
{
	struct evidence_arg *a = arg;
	struct mc_evidence *e = a->e;
	unsigned int copied = 0;
	const char *p;
	int result = -1;

	if (strncmp(text, a->want, strlen(a->want)))
		return 0;
	e->events++;
	p = strstr(text, "nr_copied=");
	if (p)
		sscanf(p, "nr_copied=%u result=%d", &copied, &result);
	if (!strstr(text, "copier=provider")) {
		e->cpu++;
	} else if (result == 0 && copied) {
		e->by_provider++;
		e->folios += copied;
	} else {
		e->declined++;
		e->last_decline = result;
	}
	return 0;
}

int mc_trace_evidence(const char *reason, struct mc_evidence *e)
{
	struct evidence_arg a = { .e = e };
	long ret;

	memset(e, 0, sizeof(*e));
	snprintf(a.want, sizeof(a.want), "reason=%s ", reason);
	ret = trace_for_each(MC_EVENT, evidence_line, &a);
	return ret < 0 ? (int)ret : 0;
}
