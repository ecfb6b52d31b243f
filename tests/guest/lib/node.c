// SPDX-License-Identifier: GPL-2.0
/*
 * node.c - what the kernel says about one NUMA node, see node.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "mem.h"
#include "node.h"

int node_count_with_memory(void)
{
	char buf[256], *p;
	int n = 0, ret;

	ret = file_read("/sys/devices/system/node/has_memory", buf, sizeof(buf));
	if (ret)
		return ret;
	/* A list like "0-1" or "0,2-3". */
	for (p = buf; *p; ) {
		long a, b;
		char *end;

		a = strtol(p, &end, 10);
		if (end == p)
			return -EINVAL;
		b = a;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		n += b - a + 1;
		p = end;
		if (*p == ',')
			p++;
	}
	return n;
}

int node_meminfo(int node, const char *field, uint64_t *bytes)
{
	char path[96], line[160], key[64];
	size_t flen = strlen(field);
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo",
		 node);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* "Node 0 MemFree:         123456 kB" */
	while (fgets(line, sizeof(line), f)) {
		unsigned long long kb;
		int nd;

		if (sscanf(line, "Node %d %63s %llu", &nd, key, &kb) != 3)
			continue;
		if (strncmp(key, field, flen) || key[flen] != ':')
			continue;
		*bytes = (uint64_t)kb << 10;
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

int node_mem_free(int node, uint64_t *bytes)
{
	return node_meminfo(node, "MemFree", bytes);
}

int node_mem_total(int node, uint64_t *bytes)
{
	return node_meminfo(node, "MemTotal", bytes);
}

int node_first_cpu(int node)
{
	char path[96], buf[256];
	int ret;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist",
		 node);
	ret = file_read(path, buf, sizeof(buf));
	if (ret)
		return ret;
	if (buf[0] < '0' || buf[0] > '9')
		return -ENOENT;
	return atoi(buf);
}

int node_phys_range(int node, uint64_t *start, uint64_t *end)
{
	uint64_t lo = UINT64_MAX, hi = 0, zstart = 0;
	bool in_node = false, have_start = false;
	char line[256];
	FILE *f;

	f = fopen("/proc/zoneinfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;
		int nd;
		char zone[32];

		if (sscanf(line, "Node %d, zone %31s", &nd, zone) == 2) {
			in_node = nd == node;
			have_start = false;
			continue;
		}
		if (!in_node)
			continue;
		if (sscanf(line, " spanned %llu", &v) == 1) {
			zstart = v;	/* remember until start_pfn is seen */
			continue;
		}
		if (sscanf(line, " start_pfn: %llu", &v) == 1 && !have_start &&
		    zstart) {
			have_start = true;
			if (v < lo)
				lo = v;
			if (v + zstart > hi)
				hi = v + zstart;
		}
	}
	fclose(f);
	if (lo >= hi)
		return -ENOENT;
	*start = lo * PAGE_SIZE_4K;
	*end = hi * PAGE_SIZE_4K;
	return 0;
}

static void hugepages_path(char *path, size_t len, int node, const char *f)
{
	snprintf(path, len,
		 "/sys/devices/system/node/node%d/hugepages/hugepages-2048kB/%s",
		 node, f);
}

int node_hugepages_set(int node, uint64_t nr)
{
	char path[128];

	hugepages_path(path, sizeof(path), node, "nr_hugepages");
	return file_write_u64(path, nr);
}

int node_hugepages_get(int node, uint64_t *nr)
{
	char path[128];

	hugepages_path(path, sizeof(path), node, "nr_hugepages");
	return file_read_u64(path, nr);
}

int node_frag_permille(int node, uint64_t *free_pages)
{
	uint64_t total = 0, small = 0;
	char line[512];
	bool found = false;
	FILE *f;

	f = fopen("/proc/buddyinfo", "re");
	if (!f)
		return -errno;
	/* "Node 0, zone   Normal   1   2   3 ..." orders 0..10 */
	while (fgets(line, sizeof(line), f)) {
		char zone[32];
		int nd, pos, order = 0;
		char *p;

		if (sscanf(line, "Node %d, zone %31s%n", &nd, zone, &pos) != 2 ||
		    nd != node)
			continue;
		found = true;
		p = line + pos;
		for (;;) {
			unsigned long long cnt;
			int used;

			if (sscanf(p, "%llu%n", &cnt, &used) != 1)
				break;
			p += used;
			total += cnt << order;
			if (order < 9)
				small += cnt << order;
			order++;
		}
	}
	fclose(f);
	if (!found)
		return -ENOENT;
	if (free_pages)
		*free_pages = total;
	return total ? (int)(small * 1000 / total) : 1000;
}

int node_free_blocks(int node, int order, uint64_t *blocks)
{
	char line[512];
	bool found = false;
	uint64_t n = 0;
	FILE *f;

	f = fopen("/proc/buddyinfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char zone[32], *p;
		int nd, pos, o = 0, used;
		unsigned long long cnt;

		if (sscanf(line, "Node %d, zone %31s%n", &nd, zone, &pos) != 2 ||
		    nd != node)
			continue;
		found = true;
		for (p = line + pos; sscanf(p, "%llu%n", &cnt, &used) == 1;
		     p += used, o++)
			if (o >= order)
				n += cnt << (o - order);
	}
	fclose(f);
	if (!found)
		return -ENOENT;
	*blocks = n;
	return 0;
}

int node_unusable_index(int node, int order)
{
	char line[512];
	int ret = -ENOENT;
	FILE *f;

	f = fopen("/sys/kernel/debug/extfrag/unusable_index", "re");
	if (!f)
		return -errno;
	/* "Node 1, zone    DMA32 0.000 0.001 ... " one value per order */
	while (fgets(line, sizeof(line), f)) {
		char zone[32], *p;
		int nd, pos, o;

		if (sscanf(line, "Node %d, zone %31s%n", &nd, zone, &pos) != 2 ||
		    nd != node)
			continue;
		p = line + pos;
		for (o = 0; o <= order; o++) {
			unsigned int ip, fp;
			int used;

			if (sscanf(p, " %u.%u%n", &ip, &fp, &used) != 2)
				break;
			p += used;
			if (o == order)
				ret = ip * 1000 + fp;	/* three decimals */
		}
	}
	fclose(f);
	return ret;
}

int node_pageblock_types(int node, char *buf, size_t len)
{
	char line[512], zone[32];
	bool in_blocks = false;
	size_t used = 0;
	FILE *f;

	f = fopen("/proc/pagetypeinfo", "r");
	if (!f)
		return -errno;
	buf[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		unsigned long n;
		int nd, pos, k;
		char *p;

		if (!strncmp(line, "Number of blocks type", 21)) {
			in_blocks = true;
			continue;
		}
		if (!in_blocks ||
		    sscanf(line, "Node %d, zone %31s%n", &nd, zone, &pos) != 2 ||
		    nd != node || strchr(zone, ','))
			continue;
		/* The columns depend on the config (CMA, isolation). */
		used += snprintf(buf + used, used < len ? len - used : 0,
				 "%s%s:", used ? " " : "", zone);
		for (p = line + pos, k = 0; sscanf(p, "%lu%n", &n, &pos) == 1;
		     p += pos, k++)
			used += snprintf(buf + used, used < len ? len - used : 0,
					 "%s%lu", k ? "/" : "", n);
	}
	fclose(f);
	return buf[0] ? 0 : -ENOENT;
}
