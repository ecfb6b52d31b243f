// SPDX-License-Identifier: GPL-2.0
/*
 * bench-dsa-report - set the emulated DSA's dmatest throughput (from a
 * guest run of bench-dsa) against host memcpy bandwidth measured now, for
 * the same copy sizes, and print the ratio.
 *
 * usage: bench-dsa-report RESULTS_KTAP
 *
 * Reads "bench-dsa size=<bytes> copies=<n> kbps=<KiB/s> threads=<t>"
 * diagnostics.  Host memcpy copies between buffers of that size with the
 * same working set as dmatest (t source/destination pairs, used in turn),
 * for at least 0.5 s per size.  Exit 0 when there were results, else 1.
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

int main(int argc, char **argv)
{
	unsigned int sizes[MAX_SIZES], copies[MAX_SIZES], threads[MAX_SIZES];
	unsigned long long kbps[MAX_SIZES];
	char line[1024];
	int n = 0, goal_seen = 0;
	double goal_ratio = 0;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: %s RESULTS_KTAP\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), f) && n < MAX_SIZES) {
		char *p = strstr(line, "bench-dsa size=");

		if (p && sscanf(p, "bench-dsa size=%u copies=%u kbps=%llu "
				"threads=%u", &sizes[n], &copies[n], &kbps[n],
				&threads[n]) == 4 && copies[n] > 0 &&
		    threads[n] >= 1 && threads[n] <= MAX_PAIRS)
			n++;
	}
	fclose(f);
	if (!n) {
		fprintf(stderr, "bench-dsa-report: no bench-dsa results in %s "
			"(did the guest test run with DSA=1?)\n", argv[1]);
		return 1;
	}

	printf("emulated DSA (dmatest, no verify) vs host memcpy, same run\n");
	printf("%10s %8s %16s %16s %7s\n", "size", "copies", "dsa KiB/s",
	       "memcpy KiB/s", "ratio");
	for (int i = 0; i < n; i++) {
		double host = memcpy_kibps(sizes[i], threads[i]);
		double ratio = kbps[i] / host;

		printf("%10u %8u %16llu %16.0f %7.3f\n", sizes[i], copies[i],
		       kbps[i], host, ratio);
		if (sizes[i] == GOAL_SIZE) {
			goal_seen = 1;
			goal_ratio = ratio;
		}
	}
	if (goal_seen)
		printf("ratio at 2 MiB: %.3f (goal >= %.1f: %s)\n", goal_ratio,
		       GOAL_RATIO, goal_ratio >= GOAL_RATIO ? "met" : "NOT met");
	return 0;
}
