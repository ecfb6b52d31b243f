// SPDX-License-Identifier: GPL-2.0
/*
 * bench-compaction-rfc - the four-mode table of a bench-compaction run next
 * to the one published with RFC v4 ("Accelerate page migration with batch
 * copying and hardware offload", reply of 2026-03-18: AMD Zen 3, PTDMA,
 * 16384 order-9 allocations on a fragmented 250 GB node, ~4.6 million
 * pages migrated), as markdown.
 *
 * usage: bench-compaction-rfc RESULTS_KTAP [LABEL]
 *
 * Reads the "# bench <mode> wall_ms migrated offloaded user% sys% idle%
 * hog_iters huge verified" lines of the four manual modes.  Prints (1) each
 * measured value next to the RFC's and their ratio; (2) what the offload
 * changes against the same run's baseline (wall time and hog iterations as
 * offload/baseline, sys% and idle% as offload minus baseline) next to the
 * RFC's change, the comparison that survives a guest ~100 times smaller
 * and ten times slower.  Exit 0 with all four modes, 1 without, 2 on bad
 * usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { B_IDLE, O_IDLE, B_BUSY, O_BUSY, NMODES };

struct row {
	int done;
	double wall, migrated, offloaded, user, sys, idle, hog;
};

static const char *const names[NMODES] = {
	"baseline-idle", "offload-idle", "baseline-busy", "offload-busy"
};

/* The RFC's table; offloaded and hog iterations 0 where it has "-" */
static const struct row rfc[NMODES] = {
	{ 1, 16708, 4563506, 0, 0.00, 99.40, 0.29, 0 },
	{ 1, 18887, 4622952, 4623181, 0.00, 76.65, 22.55, 0 },
	{ 1, 33256, 4599846, 0, 49.90, 49.75, 0.06, 62300165085.0 },
	{ 1, 32475, 4602750, 4604672, 56.32, 42.97, 0.06, 66022189744.0 },
};

static struct row m[NMODES];

static int parse(const char *path)
{
	char line[512], mode[64];
	FILE *f = fopen(path, "r");
	int found = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		const char *p = line + strspn(line, " \t");
		struct row r = { .done = 1 };

		if (sscanf(p, "# bench %63s %lf %lf %lf %lf %lf %lf %lf", mode,
			   &r.wall, &r.migrated, &r.offloaded, &r.user, &r.sys,
			   &r.idle, &r.hog) != 8)
			continue;
		for (int i = 0; i < NMODES; i++)
			if (!strcmp(mode, names[i]) && !m[i].done) {
				m[i] = r;
				found++;
			}
	}
	fclose(f);
	return found;
}

/* "measured | RFC | ratio" for one quantity; "—" for a 0 in the RFC */
static void cell3(double got, double want, const char *fmt)
{
	printf(" ");
	printf(fmt, got);
	printf(" | ");
	if (want == 0) {
		printf("— | — |");
		return;
	}
	printf(fmt, want);
	printf(" | %.3g |", got / want);
}

int main(int argc, char **argv)
{
	const char *label = argc > 2 ? argv[2] : "";

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s RESULTS_KTAP [LABEL]\n", argv[0]);
		return 2;
	}
	if (parse(argv[1]) < 0)
		return 1;
	for (int i = 0; i < NMODES; i++)
		if (!m[i].done) {
			fprintf(stderr, "bench-compaction-rfc: no '# bench %s' line in %s\n",
				names[i], argv[1]);
			return 1;
		}

	printf("### Compaction, four modes%s%s: measured | RFC v4 | measured/RFC\n\n",
	       label[0] ? ", " : "", label);
	printf("| mode | wall ms | RFC | ratio | migrated | RFC | ratio | offloaded | RFC | ratio "
	       "| sys %% | RFC | ratio | idle %% | RFC | ratio | hog iters | RFC | ratio |\n");
	printf("|--|");
	for (int c = 0; c < 18; c++)
		printf("--:|");
	printf("\n");
	for (int i = 0; i < NMODES; i++) {
		printf("| %s |", names[i]);
		cell3(m[i].wall, rfc[i].wall, "%.0f");
		cell3(m[i].migrated, rfc[i].migrated, "%.0f");
		cell3(m[i].offloaded, rfc[i].offloaded, "%.0f");
		cell3(m[i].sys, rfc[i].sys, "%.1f");
		cell3(m[i].idle, rfc[i].idle, "%.2f");
		cell3(m[i].hog, rfc[i].hog, "%.4g");
		printf("\n");
	}

	printf("\n### What the offload changes against the same run's baseline: measured | RFC v4\n\n");
	printf("| | idle system: measured | RFC | busy system: measured | RFC |\n");
	printf("|--|--:|--:|--:|--:|\n");
	printf("| wall time offload/baseline | %.3f | %.3f | %.3f | %.3f |\n",
	       m[O_IDLE].wall / m[B_IDLE].wall, rfc[O_IDLE].wall / rfc[B_IDLE].wall,
	       m[O_BUSY].wall / m[B_BUSY].wall, rfc[O_BUSY].wall / rfc[B_BUSY].wall);
	printf("| sys %% offload − baseline | %+.1f | %+.1f | %+.1f | %+.1f |\n",
	       m[O_IDLE].sys - m[B_IDLE].sys, rfc[O_IDLE].sys - rfc[B_IDLE].sys,
	       m[O_BUSY].sys - m[B_BUSY].sys, rfc[O_BUSY].sys - rfc[B_BUSY].sys);
	printf("| idle %% offload − baseline | %+.1f | %+.1f | %+.1f | %+.1f |\n",
	       m[O_IDLE].idle - m[B_IDLE].idle, rfc[O_IDLE].idle - rfc[B_IDLE].idle,
	       m[O_BUSY].idle - m[B_BUSY].idle, rfc[O_BUSY].idle - rfc[B_BUSY].idle);
	printf("| hog iterations offload/baseline | — | — | %.3f | %.3f |\n",
	       m[O_BUSY].hog / m[B_BUSY].hog, rfc[O_BUSY].hog / rfc[B_BUSY].hog);
	printf("| pages offloaded / migrated | %.3f | %.3f | %.3f | %.3f |\n",
	       m[O_IDLE].offloaded / m[O_IDLE].migrated,
	       rfc[O_IDLE].offloaded / rfc[O_IDLE].migrated,
	       m[O_BUSY].offloaded / m[O_BUSY].migrated,
	       rfc[O_BUSY].offloaded / rfc[O_BUSY].migrated);
	printf("\nNothing here was calibrated: the RFC's node is ~250 GB and its trigger 16384\n"
	       "order-9 allocations; this guest compacts a 1 GiB node through nodeN/compact.\n");
	return 0;
}
