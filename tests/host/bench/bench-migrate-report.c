// SPDX-License-Identifier: GPL-2.0
/*
 * bench-migrate-report - a guest run of bench-migrate next to the RFC v4
 * move_pages table ("Accelerate page migration with batch copying and
 * hardware offload", v4 reply of 2026-03-18: AMD Zen 3, PTDMA channels),
 * as markdown, gnuplot data files and a gnuplot script.
 *
 * usage: bench-migrate-report RESULTS_KTAP OUTDIR [LABEL]
 *
 * Reads "bench-data <row> <size> <mean> <sd> <n>" diagnostics (row:
 * baseline or dmaN).  Writes OUTDIR/bench-migrate.md: (1) GB/s, each cell
 * "measured (RFC value, measured/RFC)"; (2) the offload's speedup over the
 * same run's baseline, DMA/baseline, next to the RFC's own DMA/baseline,
 * and their ratio (1.00: the model predicts the RFC's gain).  The guest's
 * CPU is far slower than the RFC's, so (1)'s ratios say how slow the lab
 * is; (2) is the comparison that means something.  Only the 1-channel
 * 2 MiB speedup was calibrated (TIMING=spr-dilated); every other cell is
 * a prediction.  Also OUTDIR/bench-migrate.dat (GB/s, one line per
 * size), OUTDIR/bench-migrate-rfc.dat (speedups, measured and RFC) and
 * OUTDIR/bench-migrate.gp, which gnuplot turns into bench-migrate.png
 * (GB/s) and bench-migrate-rfc.png (speedups).  Prints the markdown.
 * Exit 0 when there were results, 1 when not, 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSIZES	6
#define NROWS	6	/* baseline, then 1, 2, 4, 8, 16 channels */

static const char *const sizes[NSIZES] = {
	"4K", "16K", "64K", "256K", "1M", "2M"
};
static const unsigned int chans[NROWS] = { 0, 1, 2, 4, 8, 16 };
static const char *const row_titles[NROWS] = {
	"baseline (CPU)", "DMA 1ch", "DMA 2ch", "DMA 4ch", "DMA 8ch", "DMA 16ch"
};

/* RFC v4, GB/s (mean; its 12-channel row is not measured here) */
static const double rfc[NROWS][NSIZES] = {
	{ 3.55, 5.66, 6.16, 7.12, 6.93, 10.88 },	/* baseline */
	{ 2.63, 2.92, 3.16, 4.75, 7.38, 12.64 },
	{ 3.20, 4.68, 5.16, 7.42, 8.05, 14.40 },
	{ 3.78, 6.45, 7.36, 9.70, 11.68, 27.16 },
	{ 4.32, 8.20, 9.45, 12.99, 13.18, 46.17 },
	{ 4.40, 9.25, 11.02, 13.56, 18.04, 66.86 },
};

struct cell {
	int done;
	double mean, sd;
	int n;
};

static struct cell m[NROWS][NSIZES];

static int row_index(const char *row)
{
	unsigned int c;

	if (!strcmp(row, "baseline"))
		return 0;
	if (sscanf(row, "dma%u", &c) != 1)
		return -1;
	for (int r = 1; r < NROWS; r++)
		if (chans[r] == c)
			return r;
	return -1;
}

static int size_index(const char *size)
{
	for (int s = 0; s < NSIZES; s++)
		if (!strcmp(sizes[s], size))
			return s;
	return -1;
}

static int parse(const char *path)
{
	char line[512], row[32], size[32];
	FILE *f = fopen(path, "r");
	int found = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		const char *p = line + strspn(line, " \t");
		struct cell c;
		int r, s;

		if (sscanf(p, "# bench-data %31s %31s %lf %lf %d", row, size,
			   &c.mean, &c.sd, &c.n) != 5)
			continue;
		r = row_index(row);
		s = size_index(size);
		if (r < 0 || s < 0)
			continue;
		c.done = 1;
		m[r][s] = c;
		found++;
	}
	fclose(f);
	return found;
}

static FILE *out_open(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

static void row_name(char *buf, size_t len, int r)
{
	if (r)
		snprintf(buf, len, "%u ch", chans[r]);
	else
		snprintf(buf, len, "baseline");
}

/* A table's header: one column per folio size. */
static void table_head(FILE *f)
{
	fprintf(f, "| |");
	for (int s = 0; s < NSIZES; s++)
		fprintf(f, " %s |", sizes[s]);
	fprintf(f, "\n|--|");
	for (int s = 0; s < NSIZES; s++)
		fprintf(f, "--:|");
	fprintf(f, "\n");
}

static void markdown(FILE *f, const char *label)
{
	char name[16];

	fprintf(f, "### move_pages(2) node0->node1, GB/s%s%s: measured (RFC v4, measured/RFC)\n\n",
		label[0] ? ", " : "", label);
	table_head(f);
	for (int r = 0; r < NROWS; r++) {
		row_name(name, sizeof(name), r);
		fprintf(f, "| %s |", name);
		for (int s = 0; s < NSIZES; s++) {
			if (m[r][s].done)
				fprintf(f, " %.2f±%.2f (%.2f, %.2f) |", m[r][s].mean,
					m[r][s].sd, rfc[r][s],
					m[r][s].mean / rfc[r][s]);
			else
				fprintf(f, " n/a (%.2f) |", rfc[r][s]);
		}
		fprintf(f, "\n");
	}

	fprintf(f, "\n### Offload speedup DMA/baseline: measured; RFC v4; measured/RFC\n\n");
	table_head(f);
	for (int r = 1; r < NROWS; r++) {
		row_name(name, sizeof(name), r);
		fprintf(f, "| %s |", name);
		for (int s = 0; s < NSIZES; s++) {
			double want = rfc[r][s] / rfc[0][s], got;

			if (!m[r][s].done || !m[0][s].done || m[0][s].mean <= 0) {
				fprintf(f, " n/a; %.2f; — |", want);
				continue;
			}
			got = m[r][s].mean / m[0][s].mean;
			fprintf(f, " %.2f; %.2f; %.2f%s |", got, want, got / want,
				r == 1 && s == NSIZES - 1 ? " (calibrated)" : "");
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\nOnly the 1-channel 2M speedup was calibrated (TIMING=spr-dilated); every other\n"
		   "cell is a prediction of the model.  RFC: AMD Zen 3, PTDMA channels, v7.0-rc2.\n");
}

static void data_files(const char *dir)
{
	FILE *f = out_open(dir, "bench-migrate.dat");

	fprintf(f, "size");
	for (int r = 0; r < NROWS; r++)
		fprintf(f, r ? " dma%u sd" : " baseline sd", chans[r]);
	fprintf(f, "\n");
	for (int s = 0; s < NSIZES; s++) {
		fprintf(f, "%s", sizes[s]);
		for (int r = 0; r < NROWS; r++) {
			if (m[r][s].done)
				fprintf(f, " %.3f %.3f", m[r][s].mean, m[r][s].sd);
			else
				fprintf(f, " - -");
		}
		fprintf(f, "\n");
	}
	fclose(f);

	f = out_open(dir, "bench-migrate-rfc.dat");
	fprintf(f, "# index size, then DMA/baseline measured for 1 2 4 8 16 channels, then the RFC's\n");
	for (int s = 0; s < NSIZES; s++) {
		fprintf(f, "%d %s", s, sizes[s]);
		for (int r = 1; r < NROWS; r++) {
			if (m[r][s].done && m[0][s].done && m[0][s].mean > 0)
				fprintf(f, " %.3f", m[r][s].mean / m[0][s].mean);
			else
				fprintf(f, " -");
		}
		for (int r = 1; r < NROWS; r++)
			fprintf(f, " %.3f", rfc[r][s] / rfc[0][s]);
		fprintf(f, "\n");
	}
	fclose(f);
}

static void gnuplot_script(const char *dir, const char *label)
{
	FILE *f = out_open(dir, "bench-migrate.gp");

	fprintf(f, "set terminal pngcairo size 1100,560 font \"sans,11\"\n"
		   "set termoption noenhanced\n"
		   "set datafile missing \"-\"\n"
		   "set grid ytics\n"
		   "set yrange [0:*]\n");
	fprintf(f, "set output \"%s/bench-migrate.png\"\n", dir);
	fprintf(f, "set title \"move_pages(2) node0->node1, 32 MiB: CPU copy vs DSA offload (emulated DSA%s%s)\"\n",
		label[0] ? ", " : "", label);
	fprintf(f, "set ylabel \"GB/s (mean ± sd)\"\n"
		   "set xlabel \"folio size\"\n"
		   "set style data histograms\n"
		   "set style histogram errorbars gap 2 lw 1\n"
		   "set style fill solid 0.8 border -1\n"
		   "set key top left\n");
	fprintf(f, "plot");
	for (int r = 0, first = 1; r < NROWS; r++) {
		int any = 0;

		for (int s = 0; s < NSIZES; s++)
			any |= m[r][s].done;
		if (!any)	/* gnuplot refuses a column with no point */
			continue;
		fprintf(f, "%s \"%s/bench-migrate.dat\" using %d:%d:xtic(1) title \"%s\"",
			first ? "" : ", \\\n    ", dir, 2 + 2 * r, 3 + 2 * r,
			row_titles[r]);
		first = 0;
	}
	fprintf(f, "\n");
	fprintf(f, "set output \"%s/bench-migrate-rfc.png\"\n", dir);
	fprintf(f, "set title \"Offload speedup DMA/baseline by folio size: this lab (solid%s%s) vs RFC v4 (dashed)\"\n",
		label[0] ? ", " : "", label);
	fprintf(f, "set ylabel \"DMA / baseline GB/s\"\n"
		   "set style data linespoints\n"
		   "set key top left\n"
		   "set xrange [-0.3:%d.3]\n", NSIZES - 1);
	fprintf(f, "plot for [i=0:%d] \"%s/bench-migrate-rfc.dat\" using 1:(column(3+i)):xtic(2) lw 2 pt 7 lc i+1 \\\n"
		   "\ttitle word(\"1ch 2ch 4ch 8ch 16ch\", i+1), \\\n"
		   "     for [i=0:%d] \"%s/bench-migrate-rfc.dat\" using 1:(column(8+i)) lw 1 dt 2 pt 6 lc i+1 \\\n"
		   "\ttitle word(\"RFC-1ch RFC-2ch RFC-4ch RFC-8ch RFC-16ch\", i+1), \\\n"
		   "     1 lc rgb \"gray\" dt 3 notitle\n",
		NROWS - 2, dir, NROWS - 2, dir);
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *label = argc > 3 ? argv[3] : "";
	FILE *f;
	int n;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s RESULTS_KTAP OUTDIR [LABEL]\n", argv[0]);
		return 2;
	}
	n = parse(argv[1]);
	if (n <= 0) {
		fprintf(stderr, "bench-migrate-report: no bench-data lines in %s (did the test run?)\n",
			argv[1]);
		return 1;
	}
	f = out_open(argv[2], "bench-migrate.md");
	markdown(f, label);
	fclose(f);
	markdown(stdout, label);
	data_files(argv[2]);
	gnuplot_script(argv[2], label);
	return 0;
}
