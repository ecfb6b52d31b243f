// SPDX-License-Identifier: GPL-2.0
/*
 * compact-memory - the manual compaction interfaces work and migrate pages
 * without corrupting them.
 *
 * lab:test timeout=180 set=default
 *
 * A small fragmented region (half of each 2 MiB block freed) is created on
 * every node so compaction has something to move.  Then:
 * /proc/sys/vm/compact_memory refuses values other than 1; writing 1
 * succeeds, scans (compact_migrate_scanned grows) and migrates
 * (pgmigrate_success grows); /sys/devices/system/node/nodeN/compact works
 * for every node; every surviving page still holds its pattern.
 * The host fails the run on any splat in the serial log.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "file.h"
#include "frag.h"
#include "ktap.h"
#include "node.h"
#include "pattern.h"
#include "vmstat.h"

#define FRAG_BYTES	(64UL << 20)
#define COMPACT_MEMORY	"/proc/sys/vm/compact_memory"

static struct vmstat_snap snap[2];

static void frag_report(int nodes, const char *when)
{
	int node;

	for (node = 0; node < nodes; node++) {
		uint64_t free = 0;
		int pm = node_frag_permille(node, &free);

		ktap_diag("%s: node%d free %" PRIu64 " MiB, %d.%d %% of it in blocks < 2 MiB",
			  when, node, free >> 8, pm / 10, pm % 10);
	}
}

static bool compact_write(const char *path)
{
	uint64_t t0 = clock_ns();
	int ret;

	if (vmstat_snapshot(&snap[0]))
		ktap_abort("cannot read /proc/vmstat");
	ret = file_write(path, "1");
	if (vmstat_snapshot(&snap[1]))
		ktap_abort("cannot read /proc/vmstat");
	ktap_diag("%s: %s in %" PRIu64 " ms", path, ret ? strerror(-ret) : "ok",
		  (clock_ns() - t0) / 1000000);
	vmstat_report_delta(&snap[0], &snap[1], "compact_");
	vmstat_report_delta(&snap[0], &snap[1], "pgmigrate_");
	return ret == 0;
}

int main(void)
{
	struct frag_region region[LAB_MAX_NODES];
	struct pattern_mismatch mm;
	uint64_t seed = pattern_seed();
	int nodes, node, ret;
	bool ok;
	size_t bad = 0, checked = 0;

	ktap_plan(6);
	nodes = node_count_with_memory();
	if (nodes < 1)
		ktap_abort("no node with memory: %s", strerror(-nodes));

	ret = file_write(COMPACT_MEMORY, "2");
	ktap_diag("writing 2 to %s: %s", COMPACT_MEMORY,
		  ret ? strerror(-ret) : "accepted");
	ktap_ok(ret == -EINVAL, "compact_memory_rejects_2");

	ok = true;
	for (node = 0; node < nodes; node++) {
		ret = frag_create(&region[node], node, FRAG_BYTES, seed + node);
		if (ret) {
			ktap_diag("fragment node%d: %s", node, strerror(-ret));
			ok = false;
			nodes = node;
			break;
		}
	}
	ktap_ok(ok, "fragment_every_node");
	frag_report(nodes, "before");

	ktap_ok(compact_write(COMPACT_MEMORY), "compact_memory_write");
	ktap_ok(vmstat_delta(&snap[0], &snap[1], "compact_migrate_scanned") > 0 &&
		vmstat_delta(&snap[0], &snap[1], "pgmigrate_success") > 0,
		"compact_memory_scans_and_migrates");
	frag_report(nodes, "after compact_memory");

	ok = true;
	for (node = 0; node < nodes; node++) {
		char path[80];

		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/compact", node);
		ok &= compact_write(path);
		ok &= vmstat_delta(&snap[0], &snap[1],
				   "compact_migrate_scanned") > 0;
	}
	ktap_ok(ok, "per_node_compact_scans");

	pattern_mismatch_init(&mm);
	for (node = 0; node < nodes; node++) {
		bad += frag_verify(&region[node], &mm);
		checked += frag_survivors(&region[node]);
	}
	ktap_diag("verified %zu surviving pages", checked);
	pattern_report(&mm);
	ktap_ok(nodes > 0 && bad == 0, "survivors_intact");

	return ktap_finish();
}
