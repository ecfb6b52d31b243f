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
#include "mcopy.h"
#include "mem.h"
#include "pattern.h"
#include "provider.h"

#define PROVIDER_PARAMS "/sys/module/" PROVIDER_MODULE "/parameters/"

bool provider_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/" PROVIDER_MODULE, &st);
}

int provider_load(const char *args)
{
	char cmd[256];
	int status;

	snprintf(cmd, sizeof(cmd), "modprobe %s %s", PROVIDER_MODULE, args ? args : "");
	status = system(cmd);
	if (status == -1)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return -EIO;
	return provider_loaded() ? 0 : -ENOENT;
}

int provider_delete_module(unsigned int flags)
{
	if (syscall(SYS_delete_module, PROVIDER_MODULE, flags))
		return -errno;
	return 0;
}

int provider_unload(void)
{
	int ret;

	if (!provider_loaded())
		return 0;
	ret = provider_param_write("enable", "0");
	if (ret)
		return ret;
	return provider_delete_module(0);
}

int provider_param_write(const char *param, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), PROVIDER_PARAMS "%s", param);
	return file_write(path, val);
}

int provider_param_read(const char *param, char *buf, size_t len)
{
	char path[160];

	snprintf(path, sizeof(path), PROVIDER_PARAMS "%s", param);
	return file_read(path, buf, len);
}

int provider_stats_read(struct provider_stats *s)
{
	char buf[2048], *line, *save = NULL;
	int ret, seen = 0;

	memset(s, 0, sizeof(*s));
	ret = provider_param_read("stats", buf, sizeof(buf));
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

int provider_stats_reset(void)
{
	return provider_param_write("reset_stats", "1");
}

void provider_stats_report(const struct provider_stats *s, const char *label)
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

void provider_require_idle(void)
{
	char name[64];
	int ret;

	ret = mcopy_provider_name(name, sizeof(name));
	if (ret)
		ktap_abort("%s: %s (kernel without the batch copy series?)",
			   MCOPY_SYSCTL_PROVIDER, strerror(-ret));
	if (name[0])
		ktap_abort("provider \"%s\" is registered (left by an earlier test?)",
			   name);
	if (provider_loaded())
		ktap_abort("%s is loaded (left by an earlier test?)", PROVIDER_MODULE);
}

void provider_set_alloc(struct provider_set *set)
{
	set->small = mem_map_aligned(PROVIDER_SET_SMALL_BYTES, HPAGE_SIZE_2M);
	set->thp = mem_map_aligned(PROVIDER_SET_NR_THP * HPAGE_SIZE_2M, HPAGE_SIZE_2M);
	if (!set->small || !set->thp)
		ktap_abort("mmap: %s", strerror(errno));
	madvise(set->small, PROVIDER_SET_SMALL_BYTES, MADV_NOHUGEPAGE);
	if (madvise(set->thp, PROVIDER_SET_NR_THP * HPAGE_SIZE_2M, MADV_HUGEPAGE))
		ktap_abort("MADV_HUGEPAGE: %s", strerror(errno));
}

bool provider_set_roundtrips(struct provider_set *set, uint64_t seed)
{
	bool ok = true;

	pattern_fill(set->small, PROVIDER_SET_SMALL_BYTES, seed);
	pattern_fill(set->thp, PROVIDER_SET_NR_THP * HPAGE_SIZE_2M, seed);
	if (mem_roundtrip(set->small, PROVIDER_SET_SMALL_BYTES, PAGE_SIZE_4K, 0, 1,
			  PROVIDER_SET_ROUNDS, seed))
		ok = false;
	if (mem_roundtrip(set->thp, PROVIDER_SET_NR_THP * HPAGE_SIZE_2M,
			  HPAGE_SIZE_2M, 0, 1, PROVIDER_SET_ROUNDS, seed))
		ok = false;
	return ok;
}
