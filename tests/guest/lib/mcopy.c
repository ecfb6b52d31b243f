// SPDX-License-Identifier: GPL-2.0
/*
 * mcopy.c - the kernel's migration copy: sysctls, counters, tracepoint, see
 * mcopy.h.
 */
#include <stdio.h>
#include <string.h>

#include "file.h"
#include "mcopy.h"
#include "trace.h"
#include "vmstat.h"

#define MCOPY_EVENT "mm_migrate_copy_batch"

int mcopy_provider_name(char *buf, size_t len)
{
	return file_read(MCOPY_SYSCTL_PROVIDER, buf, len);
}

int mcopy_vmstat_read(struct mcopy_vmstat *v)
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

int mcopy_trace_enable(bool on)
{
	return trace_event_enable("migrate/" MCOPY_EVENT, on, on);
}

long mcopy_trace_count(const char *needle)
{
	return trace_count(MCOPY_EVENT, needle);
}

int mcopy_cpu_batch(bool on)
{
	int ret = file_write(MCOPY_SYSCTL_BATCH_COPY, on ? "1" : "0");
	int trace = mcopy_trace_enable(on);

	return ret ? ret : trace;
}

struct evidence_arg {
	char want[48];
	struct mcopy_evidence *e;
};

static int evidence_line(const char *text, void *arg)
{
	struct evidence_arg *a = arg;
	struct mcopy_evidence *e = a->e;
	unsigned int copied = 0, folios = 0;
	const char *p;
	int result = -1;

	if (strncmp(text, a->want, strlen(a->want)))
		return 0;
	e->events++;
	p = strstr(text, "nr_folios=");
	if (p)
		sscanf(p, "nr_folios=%u", &folios);
	p = strstr(text, "nr_copied=");
	if (p)
		sscanf(p, "nr_copied=%u result=%d", &copied, &result);
	if (!strstr(text, "copier=provider")) {
		e->cpu++;
		return 0;
	}
	e->offered += folios;
	if (result == 0)
		e->accepted += folios;
	if (result == 0 && copied) {
		e->by_provider++;
		e->folios += copied;
	} else {
		e->declined++;
		e->last_decline = result;
	}
	return 0;
}
int mcopy_trace_evidence(const char *reason, struct mcopy_evidence *e)
{
	struct evidence_arg a = { .e = e };
	long ret;

	memset(e, 0, sizeof(*e));
	snprintf(a.want, sizeof(a.want), "reason=%s ", reason);
	ret = trace_for_each(MCOPY_EVENT, evidence_line, &a);
	return ret < 0 ? (int)ret : 0;
}
