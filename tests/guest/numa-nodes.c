// SPDX-License-Identifier: GPL-2.0
/*
 * numa-nodes - the guest has the NUMA topology the lab is built around.
 *
 * lab:test timeout=60 set=default
 *
 * Checks: at least two nodes with memory; every such node has a sane
 * MemTotal and free memory; every online CPU belongs to exactly one node
 * and node 0 has a CPU; memory bound to a node is really allocated there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "file.h"
#include "ktap.h"
#include "mem.h"
#include "node.h"

#define MIN_NODE_BYTES	(256UL << 20)
#define PROBE_BYTES	(4UL << 20)

/* Count the CPUs of a "0-1,3" style list. */
static int cpulist_count(const char *s)
{
	int n = 0;

	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b;

		if (end == s)
			return -EINVAL;
		b = a;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		n += b - a + 1;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

static bool node_memory_ok(int node)
{
	uint64_t total, free;
	int ret;

	ret = node_mem_total(node, &total);
	if (!ret)
		ret = node_mem_free(node, &free);
	if (ret) {
		ktap_diag("node%d meminfo: %s", node, strerror(-ret));
		return false;
	}
	ktap_diag("node%d MemTotal %llu MiB MemFree %llu MiB", node,
		  (unsigned long long)total >> 20,
		  (unsigned long long)free >> 20);
	return total >= MIN_NODE_BYTES && free > 0 && free <= total;
}

static bool node_alloc_lands(int node)
{
	long counts[LAB_MAX_NODES], other, n;
	void *buf;
	int ret;

	buf = mmap(NULL, PROBE_BYTES, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return false;
	ret = mem_bind(buf, PROBE_BYTES, node);
	if (ret) {
		ktap_diag("mbind node%d: %s", node, strerror(-ret));
		munmap(buf, PROBE_BYTES);
		return false;
	}
	memset(buf, 0x5a, PROBE_BYTES);
	n = mem_pages_per_node(buf, PROBE_BYTES, PAGE_SIZE_4K, counts, &other);
	munmap(buf, PROBE_BYTES);
	if (n < 0) {
		ktap_diag("move_pages query: %s", strerror(-n));
		return false;
	}
	ktap_diag("node%d: %ld of %ld pages bound there, %ld elsewhere",
		  node, counts[node], n, n - counts[node]);
	return counts[node] == n;
}

int main(void)
{
	int nodes, node, cpus_in_nodes = 0, online, ret;
	char path[96], buf[256];
	bool mem_ok = true, alloc_ok = true, node0_cpu;

	ktap_plan(5);

	nodes = node_count_with_memory();
	if (nodes < 0)
		ktap_abort("cannot read has_memory: %s", strerror(-nodes));
	ktap_diag("%d nodes with memory", nodes);
	if (!ktap_ok(nodes >= 2, "two_or_more_memory_nodes"))
		ktap_abort("the lab needs 2 NUMA nodes, found %d", nodes);

	for (node = 0; node < nodes; node++)
		mem_ok &= node_memory_ok(node);
	ktap_ok(mem_ok, "node_meminfo_sane");

	online = sysconf(_SC_NPROCESSORS_ONLN);
	for (node = 0; node < LAB_MAX_NODES; node++) {
		int n;

		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/cpulist", node);
		ret = file_read(path, buf, sizeof(buf));
		if (ret == -ENOENT)
			continue;
		n = ret ? ret : cpulist_count(buf);
		if (n < 0) {
			ktap_diag("%s: %s", path, strerror(-n));
			continue;
		}
		ktap_diag("node%d cpus: %s (%d)", node, buf[0] ? buf : "none", n);
		cpus_in_nodes += n;
	}
	ktap_diag("%d online CPUs, %d in nodes", online, cpus_in_nodes);
	ktap_ok(online > 0 && cpus_in_nodes == online, "every_cpu_in_one_node");

	node0_cpu = node_first_cpu(0) >= 0;
	ktap_ok(node0_cpu, "node0_has_cpu");

	for (node = 0; node < nodes; node++)
		alloc_ok &= node_alloc_lands(node);
	ktap_ok(alloc_ok, "bound_allocation_lands_on_node");

	return ktap_finish();
}
