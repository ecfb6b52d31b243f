// SPDX-License-Identifier: GPL-2.0
/*
 * bench-dsa-report - the emulated DSA's dmatest latency and throughput by
 * transfer size (from a guest run of bench-dsa), set against what fits the
 * run: the timing model's own prediction when the device ran timed, host
 * memcpy measured now when it did not.
 *
 * usage: bench-dsa-report RESULTS_KTAP [REPRODUCE_SH DEVICE_HELP]
 *
 * Reads the guest's diagnostics
 *   "bench-dsa size=<bytes> copies=<n> kbps=<KiB/s> threads=<t>"
 *   "bench-dsa-latency size=<bytes> copies=<n> ns_per_copy=<ns>"
 * REPRODUCE_SH is the boot's QEMU command line (qemu/run-vm.sh writes it):
 * "timing=on" there means timed mode, and its timing-*= properties
 * override the defaults DEVICE_HELP lists ("-device intel-dsa,help" of the
 * QEMU that ran).  The model's prediction for one copy alone (dmatest with
 * one thread waits for each copy before the next) is
 *   submit + desc + bytes / engine + completion + irq
 * and, with the WQ kept full (several threads, one engine), the engine's
 * rate bytes / (desc + bytes / engine).  What the measured latency adds to
 * the predicted one is the guest's own time per copy (dmatest, idxd, the
 * interrupt and the wake-up), printed as such.  Untimed, host memcpy copies
 * between buffers of each size with the same working set as dmatest (t
 * source/destination pairs, used in turn) for at least 0.5 s per size.
 * Exit 0 when there were results, else 1.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SIZES	16
#define MAX_PAIRS	16
#define GOAL_SIZE	(2u << 20)
#define GOAL_RATIO	0.5

/* The timing model's parameters, as the device names them */
enum { SUBMIT, DESC, COMPLETION, IRQ, ENGINE_MBPS, NR_PARAMS };
static const char *const param_names[NR_PARAMS] = {
	"timing-submit-ns", "timing-desc-ns", "timing-completion-ns",
	"timing-irq-ns", "timing-engine-mbps",
};

struct size_result {
	unsigned int size;
	unsigned int copies, threads;	/* throughput run */
	unsigned long long kbps;
	unsigned int lat_copies;	/* latency run, one thread */
	unsigned long long lat_ns;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Host memcpy bandwidth in KiB/s: @pairs buffer pairs of @size, in turn. */
static double memcpy_kibps(size_t size, unsigned int pairs)
{
	char *src[MAX_PAIRS], *dst[MAX_PAIRS];
	uint64_t t0, t, n = 0;
	volatile char sink = 0;

	for (unsigned int p = 0; p < pairs; p++) {
		src[p] = malloc(size);
		dst[p] = malloc(size);
		if (!src[p] || !dst[p]) {
			fprintf(stderr, "bench-dsa-report: out of memory\n");
			exit(1);
		}
		memset(src[p], 0x5a, size);
		memcpy(dst[p], src[p], size);	/* fault in, warm up */
	}
	t0 = now_ns();
	do {
		for (int i = 0; i < 16; i++, n++) {
			unsigned int p = n % pairs;

			memcpy(dst[p], src[p], size);
			src[p][n % size]++;	/* keep every copy alive */
		}
		t = now_ns() - t0;
	} while (t < 500000000ull);
	for (unsigned int p = 0; p < pairs; p++) {
		sink += dst[p][size / 2];
		free(src[p]);
		free(dst[p]);
	}
	(void)sink;
	return (double)n * size / 1024.0 / ((double)t / 1e9);
}

static struct size_result *find_size(struct size_result *r, int *n,
				     unsigned int size)
{
	for (int i = 0; i < *n; i++)
		if (r[i].size == size)
			return &r[i];
	if (*n == MAX_SIZES)
		return NULL;
	memset(&r[*n], 0, sizeof(r[*n]));
	r[*n].size = size;
	return &r[(*n)++];
}

static int read_results(const char *path, struct size_result *r)
{
	char line[1024];
	int n = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned int size, copies, threads;
		unsigned long long v;
		struct size_result *s;
		char *p;

		p = strstr(line, "bench-dsa size=");
		if (p && sscanf(p, "bench-dsa size=%u copies=%u kbps=%llu threads=%u",
				&size, &copies, &v, &threads) == 4 && copies &&
		    threads >= 1 && threads <= MAX_PAIRS &&
		    (s = find_size(r, &n, size))) {
			s->copies = copies;
			s->kbps = v;
			s->threads = threads;
		}
		p = strstr(line, "bench-dsa-latency size=");
		if (p && sscanf(p, "bench-dsa-latency size=%u copies=%u ns_per_copy=%llu",
				&size, &copies, &v) == 3 && copies &&
		    (s = find_size(r, &n, size))) {
			s->lat_copies = copies;
			s->lat_ns = v;
		}
	}
	fclose(f);
	return n;
}

/*
 * The timing parameters: defaults from the device's help text
 * ("timing-irq-ns=<uint32> ... (default: 1000)"), then the values the
 * command line gave.  Returns 1 when the command line turned timing on.
 */
static int read_params(const char *cmdline, const char *help,
		       unsigned long long *param)
{
	char line[8192];
	int timed = 0, have[NR_PARAMS] = { 0 };
	FILE *f = fopen(help, "r");

	if (!f) {
		perror(help);
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		for (int i = 0; i < NR_PARAMS; i++) {
			char *p = strstr(line, param_names[i]);
			char *d = p ? strstr(p, "(default: ") : NULL;

			if (d && p[strlen(param_names[i])] == '=' &&
			    sscanf(d, "(default: %llu)", &param[i]) == 1)
				have[i] = 1;
		}
	}
	fclose(f);
	for (int i = 0; i < NR_PARAMS; i++) {
		if (!have[i]) {
			fprintf(stderr, "bench-dsa-report: %s names no default for %s\n",
				help, param_names[i]);
			exit(1);
		}
	}
	f = fopen(cmdline, "r");
	if (!f) {
		perror(cmdline);
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "intel-dsa"))
			continue;
		if (strstr(line, "timing=on"))
			timed = 1;
		for (int i = 0; i < NR_PARAMS; i++) {
			char key[64];
			char *p;

			snprintf(key, sizeof(key), ",%s=", param_names[i]);
			p = strstr(line, key);
			if (p)
				param[i] = strtoull(p + strlen(key), NULL, 10);
		}
	}
	fclose(f);
	if (!param[ENGINE_MBPS]) {
		fprintf(stderr, "bench-dsa-report: timing-engine-mbps is 0\n");
		exit(1);
	}
	return timed;
}

/* The model's engine time for one descriptor of @bytes, as the device */
static double xfer_ns(const unsigned long long *param, unsigned int bytes)
{
	return param[DESC] + ((double)bytes * 1000 + param[ENGINE_MBPS] - 1) /
	       param[ENGINE_MBPS];
}

static void report_timed(const struct size_result *r, int n,
			 const unsigned long long *param)
{
	printf("emulated DSA in timed mode (dmatest, no verify) vs the timing model's "
	       "prediction\n");
	printf("model: submit %llu ns, desc %llu ns, completion %llu ns, irq %llu ns, "
	       "engine %llu MB/s\n\n", param[SUBMIT], param[DESC], param[COMPLETION],
	       param[IRQ], param[ENGINE_MBPS]);
	printf("| size | latency ns/copy (1 thread) | model's device ns | guest's own ns "
	       "| throughput KiB/s (threads) | model KiB/s (1 engine) | ratio |\n");
	printf("|---:|---:|---:|---:|---:|---:|---:|\n");
	for (int i = 0; i < n; i++) {
		double dev = param[SUBMIT] + xfer_ns(param, r[i].size) +
			     param[COMPLETION] + param[IRQ];
		double model_kibps = r[i].size / 1024.0 /
				     (xfer_ns(param, r[i].size) / 1e9);

		printf("| %u |", r[i].size);
		if (r[i].lat_copies)
			printf(" %llu | %.0f | %.0f |", r[i].lat_ns, dev,
			       r[i].lat_ns - dev);
		else
			printf(" - | %.0f | - |", dev);
		if (r[i].copies)
			printf(" %llu (%u) | %.0f | %.3f |\n", r[i].kbps,
			       r[i].threads, model_kibps, r[i].kbps / model_kibps);
		else
			printf(" - | %.0f | - |\n", model_kibps);
	}
}

static void report_untimed(const struct size_result *r, int n)
{
	int goal_seen = 0;
	double goal_ratio = 0;

	printf("emulated DSA (dmatest, no verify) vs host memcpy, same run\n");
	printf("%10s %8s %16s %16s %7s %14s\n", "size", "copies", "dsa KiB/s",
	       "memcpy KiB/s", "ratio", "latency ns");
	for (int i = 0; i < n; i++) {
		double host, ratio;

		if (!r[i].copies)
			continue;
		host = memcpy_kibps(r[i].size, r[i].threads);
		ratio = r[i].kbps / host;
		printf("%10u %8u %16llu %16.0f %7.3f %14llu\n", r[i].size,
		       r[i].copies, r[i].kbps, host, ratio, r[i].lat_ns);
		if (r[i].size == GOAL_SIZE) {
			goal_seen = 1;
			goal_ratio = ratio;
		}
	}
	if (goal_seen)
		printf("ratio at 2 MiB: %.3f (goal >= %.1f: %s)\n", goal_ratio,
		       GOAL_RATIO, goal_ratio >= GOAL_RATIO ? "met" : "NOT met");
}

int main(int argc, char **argv)
{
	struct size_result r[MAX_SIZES];
	unsigned long long param[NR_PARAMS];
	int n;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: %s RESULTS_KTAP [REPRODUCE_SH DEVICE_HELP]\n",
			argv[0]);
		return 2;
	}
	n = read_results(argv[1], r);
	if (!n) {
		fprintf(stderr, "bench-dsa-report: no bench-dsa results in %s "
			"(did the guest test run with DSA=1?)\n", argv[1]);
		return 1;
	}
	if (argc == 4 && read_params(argv[2], argv[3], param))
		report_timed(r, n, param);
	else
		report_untimed(r, n);
	return 0;
}
