// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - shared helpers for guest tests, see util.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <numaif.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ktap.h"
#include "util.h"

#define WORDS_PER_PAGE	(PAGE_SIZE_4K / sizeof(uint64_t))

/* splitmix64 finaliser: cheap, and every input bit affects every output bit */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static inline uint64_t page_key(const void *page, uint64_t seed)
{
	return mix64((uintptr_t)page ^ mix64(seed));
}

/* Word i of a page: key plus an odd multiple of i, so no two words match. */
static inline uint64_t pattern_word(uint64_t key, size_t i)
{
	return key + i * 0x9e3779b97f4a7c15ULL;
}

void pattern_fill_page(void *page, uint64_t seed)
{
	uint64_t key = page_key(page, seed);
	uint64_t *w = page;
	size_t i;

	for (i = 0; i < WORDS_PER_PAGE; i++)
		w[i] = pattern_word(key, i);
}

void pattern_fill(void *buf, size_t len, uint64_t seed)
{
	size_t off;

	for (off = 0; off < len; off += PAGE_SIZE_4K)
		pattern_fill_page((char *)buf + off, seed);
}

void pattern_mismatch_init(struct pattern_mismatch *mm)
{
	memset(mm, 0, sizeof(*mm));
}

bool pattern_check_copy(const void *copy, const void *addr, uint64_t seed,
			struct pattern_mismatch *mm)
{
	uint64_t key = page_key(addr, seed);
	const volatile uint64_t *w = copy;
	size_t i;

	for (i = 0; i < WORDS_PER_PAGE; i++) {
		uint64_t found = w[i];

		if (found == pattern_word(key, i))
			continue;
		if (mm) {
			if (!mm->bad_pages) {
				mm->page = (void *)addr;
				mm->offset = i * sizeof(uint64_t);
				mm->expected = pattern_word(key, i);
				mm->found = found;
			}
			mm->bad_pages++;
		}
		return false;
	}
	return true;
}

bool pattern_check_page(const void *page, uint64_t seed,
			struct pattern_mismatch *mm)
{
	return pattern_check_copy(page, page, seed, mm);
}

size_t pattern_verify(const void *buf, size_t len, uint64_t seed,
		      struct pattern_mismatch *mm)
{
	struct pattern_mismatch local;
	size_t off, bad = 0;

	if (!mm) {
		pattern_mismatch_init(&local);
		mm = &local;
	}
	for (off = 0; off < len; off += PAGE_SIZE_4K)
		if (!pattern_check_page((const char *)buf + off, seed, mm))
			bad++;
	return bad;
}

void pattern_report(const struct pattern_mismatch *mm)
{
	if (!mm->bad_pages) {
		ktap_diag("pattern: all pages intact");
		return;
	}
	ktap_diag("pattern: %zu bad page(s); first at %p offset %zu: expected 0x%016" PRIx64 " found 0x%016" PRIx64 " (node of page in this process: %d)",
		  mm->bad_pages, mm->page, mm->offset, mm->expected,
		  mm->found, page_node(mm->page));
}

bool pattern_verify_ok(const void *buf, size_t len, uint64_t seed,
		       const char *fmt, ...)
{
	struct pattern_mismatch mm;
	char name[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	pattern_mismatch_init(&mm);
	if (pattern_verify(buf, len, seed, &mm))
		pattern_report(&mm);
	return ktap_ok(!mm.bad_pages, "%s", name);
}

uint64_t pattern_seed(void)
{
	uint64_t s = mix64(now_ns() ^ ((uint64_t)getpid() << 32));

	return s ? s : 1;
}

/* ------------------------------------------------------------------ */

int file_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	size_t got = 0;
	int fd;

	if (!len)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0) {
			int err = -errno;

			close(fd);
			return err;
		}
		if (n == 0)
			break;
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	while (got && buf[got - 1] == '\n')
		buf[--got] = '\0';
	return 0;
}

int file_read_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	int ret;

	ret = file_read(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int file_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}

int file_write_u64(const char *path, uint64_t val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, val);
	return file_write(path, buf);
}

/* ------------------------------------------------------------------ */

int vmstat_snapshot(struct vmstat_snap *s)
{
	char line[128];
	FILE *f;

	f = fopen("/proc/vmstat", "re");
	if (!f)
		return -errno;
	s->n = 0;
	while (s->n < VMSTAT_MAX && fgets(line, sizeof(line), f)) {
		unsigned long long v;

		if (sscanf(line, "%47s %llu", s->name[s->n], &v) == 2)
			s->val[s->n++] = v;
	}
	fclose(f);
	return 0;
}

int vmstat_get(const struct vmstat_snap *s, const char *name, uint64_t *val)
{
	int i;

	for (i = 0; i < s->n; i++) {
		if (!strcmp(s->name[i], name)) {
			*val = s->val[i];
			return 0;
		}
	}
	return -ENOENT;
}

int vmstat_read(const char *name, uint64_t *val)
{
	/*
	 * One per thread: a scenario's sampler thread reads counters while
	 * its main thread waits on others, and a shared snapshot refilled
	 * under a reader made the reader miss its counter.
	 */
	static __thread struct vmstat_snap s;
	int ret;

	ret = vmstat_snapshot(&s);
	if (ret)
		return ret;
	return vmstat_get(&s, name, val);
}

uint64_t vmstat_delta(const struct vmstat_snap *before,
		      const struct vmstat_snap *after, const char *name)
{
	uint64_t a, b;

	if (vmstat_get(before, name, &b) || vmstat_get(after, name, &a))
		return 0;
	return a - b;
}

void vmstat_report_delta(const struct vmstat_snap *before,
			 const struct vmstat_snap *after, const char *prefix)
{
	size_t plen = strlen(prefix);
	uint64_t b;
	int i;

	for (i = 0; i < after->n; i++) {
		if (strncmp(after->name[i], prefix, plen))
			continue;
		if (vmstat_get(before, after->name[i], &b))
			b = 0;
		if (after->val[i] != b)
			ktap_diag("vmstat %s +%" PRIu64, after->name[i],
				  after->val[i] - b);
	}
}

/* ------------------------------------------------------------------ */

int numa_nodes_with_memory(void)
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

int page_node(const void *addr)
{
	void *pages[1] = { (void *)((uintptr_t)addr & ~(PAGE_SIZE_4K - 1)) };
	int status[1] = { -1 };

	if (move_pages(0, 1, pages, NULL, status, 0))
		return -errno;
	return status[0];
}

long pages_per_node(const void *buf, size_t len, size_t stride,
		    long counts[LAB_MAX_NODES], long *other)
{
	enum { CHUNK = 512 };
	void *pages[CHUNK];
	int status[CHUNK];
	size_t off = 0;
	long total = 0;
	int i, n;

	memset(counts, 0, sizeof(long) * LAB_MAX_NODES);
	*other = 0;
	while (off < len) {
		for (n = 0; n < CHUNK && off < len; n++, off += stride)
			pages[n] = (char *)buf + off;
		if (move_pages(0, n, pages, NULL, status, 0))
			return -errno;
		for (i = 0; i < n; i++) {
			if (status[i] >= 0 && status[i] < LAB_MAX_NODES)
				counts[status[i]]++;
			else
				(*other)++;
		}
		total += n;
	}
	return total;
}

bool range_on_node(const void *buf, size_t len, size_t stride, int node)
{
	long counts[LAB_MAX_NODES], other, n;

	n = pages_per_node(buf, len, stride, counts, &other);
	if (n < 0) {
		ktap_diag("status query: %s", strerror(-n));
		return false;
	}
	if (counts[node] != n)
		ktap_diag("%ld of %ld pages on node%d (%ld not present/unknown)",
			  counts[node], n, node, other);
	return counts[node] == n;
}

long move_range_flags(void *buf, size_t len, size_t stride, int node,
		      int flags)
{
	enum { CHUNK = 512 };
	void *pages[CHUNK];
	int nodes[CHUNK], status[CHUNK];
	size_t off = 0;
	long bad = 0, ret;
	int i, n;

	while (off < len) {
		for (n = 0; n < CHUNK && off < len; n++, off += stride) {
			pages[n] = (char *)buf + off;
			nodes[n] = node;
			status[n] = INT_MIN;
		}
		ret = move_pages(0, n, pages, nodes, status, flags);
		if (ret < 0)
			return -errno;
		/*
		 * A positive return counts the pages that were queued but not
		 * migrated, plus those not tried: the call stops there, and
		 * a queued page's status reads @node even when it stayed.
		 */
		if (ret > 0) {
			ktap_diag("move_pages to node%d: %ld page(s) not migrated",
				  node, ret);
			return bad + ret + (len - off) / stride;
		}
		for (i = 0; i < n; i++) {
			if (status[i] == node)
				continue;
			if (!bad)
				ktap_diag("move_pages %p to node%d: status %d (%s)",
					  pages[i], node, status[i],
					  status[i] < 0 ? strerror(-status[i]) : "wrong node");
			bad++;
		}
	}
	return bad;
}

long move_range(void *buf, size_t len, size_t stride, int node)
{
	return move_range_flags(buf, len, stride, node, MPOL_MF_MOVE);
}

int bind_to_node(void *buf, size_t len, int node)
{
	unsigned long mask = 1UL << node;

	if (mbind(buf, len, MPOL_BIND, &mask, sizeof(mask) * 8, MPOL_MF_STRICT))
		return -errno;
	return 0;
}

int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	return 0;
}

/* ------------------------------------------------------------------ */

int smaps_anon_huge(const void *addr, uint64_t *bytes)
{
	uintptr_t a = (uintptr_t)addr;
	char line[256];
	bool in = false;
	int ret = -ENOENT;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end, kb;

		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = a >= start && a < end;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %lu kB", &kb) == 1) {
			*bytes = (uint64_t)kb << 10;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

void *mmap_aligned(size_t len, size_t align)
{
	size_t total = len + align;
	uintptr_t start, aligned;
	char *p;

	p = mmap(NULL, total, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	start = (uintptr_t)p;
	aligned = (start + align - 1) & ~(uintptr_t)(align - 1);
	if (aligned > start)
		munmap(p, aligned - start);
	if (aligned + len < start + total)
		munmap((void *)(aligned + len), start + total - aligned - len);
	return (void *)aligned;
}

static void hugepages_path(char *path, size_t len, int node, const char *f)
{
	snprintf(path, len,
		 "/sys/devices/system/node/node%d/hugepages/hugepages-2048kB/%s",
		 node, f);
}

int hugepages_set(int node, uint64_t nr)
{
	char path[128];

	hugepages_path(path, sizeof(path), node, "nr_hugepages");
	return file_write_u64(path, nr);
}

int hugepages_get(int node, uint64_t *nr)
{
	char path[128];

	hugepages_path(path, sizeof(path), node, "nr_hugepages");
	return file_read_u64(path, nr);
}

/* ------------------------------------------------------------------ */

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int set_oom_score_adj(int adj)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", adj);
	return file_write("/proc/self/oom_score_adj", buf);
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

int cpu_times_read(int cpu, struct cpu_times *t)
{
	char line[256], want[16];
	int ret = -ENOENT;
	FILE *f;

	snprintf(want, sizeof(want), "cpu%d ", cpu);
	f = fopen("/proc/stat", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v[8] = { 0 };

		if (strncmp(line, want, strlen(want)))
			continue;
		if (sscanf(line + strlen(want),
			   "%llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			   &v[7]) < 4)
			break;
		t->user = v[0];
		t->nice = v[1];
		t->sys = v[2];
		t->idle = v[3];
		t->iowait = v[4];
		t->irq = v[5];
		t->softirq = v[6];
		t->steal = v[7];
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

void cpu_times_share(const struct cpu_times *a, const struct cpu_times *b,
		     int *user_pm, int *sys_pm, int *idle_pm)
{
	uint64_t user = (b->user + b->nice) - (a->user + a->nice);
	uint64_t sys = (b->sys + b->irq + b->softirq) -
		       (a->sys + a->irq + a->softirq);
	uint64_t idle = (b->idle + b->iowait) - (a->idle + a->iowait);
	uint64_t total = user + sys + idle + (b->steal - a->steal);

	if (!total) {
		*user_pm = *sys_pm = *idle_pm = 0;
		return;
	}
	*user_pm = user * 1000 / total;
	*sys_pm = sys * 1000 / total;
	*idle_pm = idle * 1000 / total;
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

int run_cmd(const char *const *argv, bool quiet)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		if (quiet) {
			int null = open("/dev/null", O_WRONLY);

			if (null >= 0)
				dup2(null, STDOUT_FILENO);
		}
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int trace_event_enable(const char *event, bool on, bool clear)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), TRACEFS "/events/%s/enable", event);
	/* /init mounts tracefs; no file: the kernel lacks the event. */
	if (stat(path, &st))
		return -ENOENT;
	if (on && clear) {
		/* Opening "trace" with O_TRUNC empties the buffer. */
		int fd = open(TRACEFS "/trace", O_WRONLY | O_TRUNC | O_CLOEXEC);

		if (fd < 0)
			return -errno;
		close(fd);
	}
	return file_write(path, on ? "1" : "0");
}

long trace_for_each(const char *event, int (*fn)(const char *text, void *arg),
		    void *arg)
{
	char line[1024], tag[128];
	long n = 0;
	FILE *f;

	snprintf(tag, sizeof(tag), " %s: ", event);
	f = fopen(TRACEFS "/trace", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *text = strstr(line, tag);

		if (!text)
			continue;
		n++;
		text += strlen(tag);
		text[strcspn(text, "\n")] = '\0';
		if (fn && fn(text, arg))
			break;
	}
	fclose(f);
	return n;
}

struct trace_count_arg {
	const char *needle;
	long n;
};

static int trace_count_one(const char *text, void *arg)
{
	struct trace_count_arg *a = arg;

	if (!a->needle || strstr(text, a->needle))
		a->n++;
	return 0;
}

long trace_count(const char *event, const char *needle)
{
	struct trace_count_arg a = { .needle = needle };
	long ret = trace_for_each(event, trace_count_one, &a);

	return ret < 0 ? ret : a.n;
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
