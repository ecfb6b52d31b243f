// SPDX-License-Identifier: GPL-2.0
/*
 * damon.c - a DAMON sysfs paddr context with a migrate_hot scheme, see
 * damon.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "damon.h"
#include "file.h"
#include "ktap.h"

#define KDAMOND		DAMON_ADMIN "/kdamonds/0"
#define CTX		KDAMOND "/contexts/0"
#define SCHEME		CTX "/schemes/0"

bool damon_available(void)
{
	return !access(DAMON_ADMIN "/kdamonds/nr_kdamonds", W_OK);
}

/* Write one DAMON sysfs file; report and count failures. */
static int dwrite(const char *path, const char *val, int *errors)
{
	int ret = file_write(path, val);

	if (ret) {
		ktap_diag("damon: write '%s' to %s: %s", val, path,
			  strerror(-ret));
		(*errors)++;
	}
	return ret;
}

bool damon_setup(uint64_t start, uint64_t end, int target_nid)
{
	char val[32];
	int errors = 0;

	/* Start from a clean slate: stop and drop any existing kdamond. */
	damon_teardown();

	dwrite(DAMON_ADMIN "/kdamonds/nr_kdamonds", "1", &errors);
	dwrite(KDAMOND "/contexts/nr_contexts", "1", &errors);
	dwrite(CTX "/operations", "paddr", &errors);
	dwrite(CTX "/monitoring_attrs/intervals/sample_us", "5000", &errors);
	dwrite(CTX "/monitoring_attrs/intervals/aggr_us", "100000", &errors);
	dwrite(CTX "/monitoring_attrs/intervals/update_us", "1000000", &errors);
	dwrite(CTX "/monitoring_attrs/nr_regions/min", "10", &errors);
	dwrite(CTX "/monitoring_attrs/nr_regions/max", "1000", &errors);
	dwrite(CTX "/targets/nr_targets", "1", &errors);
	dwrite(CTX "/targets/0/regions/nr_regions", "1", &errors);
	snprintf(val, sizeof(val), "%" PRIu64, start);
	dwrite(CTX "/targets/0/regions/0/start", val, &errors);
	snprintf(val, sizeof(val), "%" PRIu64, end);
	dwrite(CTX "/targets/0/regions/0/end", val, &errors);
	dwrite(CTX "/schemes/nr_schemes", "1", &errors);
	dwrite(SCHEME "/action", "migrate_hot", &errors);
	snprintf(val, sizeof(val), "%d", target_nid);
	dwrite(SCHEME "/target_nid", val, &errors);
	/*
	 * Every range defaults to [0, 0]: open them up.  Hot means seen
	 * accessed in at least one sample per aggregation interval.
	 */
	dwrite(SCHEME "/access_pattern/sz/min", "4096", &errors);
	dwrite(SCHEME "/access_pattern/sz/max", "18446744073709551615", &errors);
	dwrite(SCHEME "/access_pattern/nr_accesses/min", "1", &errors);
	dwrite(SCHEME "/access_pattern/nr_accesses/max", "4294967295", &errors);
	dwrite(SCHEME "/access_pattern/age/min", "0", &errors);
	dwrite(SCHEME "/access_pattern/age/max", "4294967295", &errors);
	dwrite(KDAMOND "/state", "on", &errors);
	return errors == 0;
}

void damon_teardown(void)
{
	file_write(KDAMOND "/state", "off");
	file_write(DAMON_ADMIN "/kdamonds/nr_kdamonds", "0");
}

uint64_t damon_scheme_stat(const char *name)
{
	char path[128];
	uint64_t v = 0;

	file_write(KDAMOND "/state", "update_schemes_stats");
	snprintf(path, sizeof(path), SCHEME "/stats/%s", name);
	file_read_u64(path, &v);
	return v;
}
