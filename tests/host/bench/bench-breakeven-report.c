// SPDX-License-Identifier: GPL-2.0
/*
 * bench-breakeven-report - the break-even of a guest run of
 * bench-breakeven as a markdown table, a gnuplot data file and script.
 *
 * usage: bench-breakeven-report RESULTS_KTAP OUTDIR
 *
 * Reads "bench-data breakeven <kind> <n> <cpu_ns> <dma_ns>" and
 * "breakeven <kind> <n|none>" diagnostics; writes OUTDIR/breakeven.md (one
 * table per kind: folios, 4 KiB pages, CPU and DMA time per batch, their
 * ratio, the faster one; the crossover, and the CAL'25 reference of about
 * 32 pages), OUTDIR/breakeven-<kind>.dat and OUTDIR/breakeven.gp, which
 * gnuplot turns into OUTDIR/breakeven.png (time per batch against pages
 * per batch, log-log).  Prints the markdown.  Exit 0 when there were
 * results, 1 when not, 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KINDS	4
#define MAX_POINTS	32
#define CAL25_PAGES	32

struct point {
	unsigned int n;
	unsigned long long cpu, dma;
};

struct kind {
	char name[16];
	char cross[16];
	struct point p[MAX_POINTS];
	int np;
};

static struct kind kinds[MAX_KINDS];
static int nkinds;

static struct kind *kind_get(const char *name)
{
	for (int i = 0; i < nkinds; i++)
		if (!strcmp(kinds[i].name, name))
			return &kinds[i];
	if (nkinds == MAX_KINDS)
		return NULL;
	snprintf(kinds[nkinds].name, sizeof(kinds[0].name), "%s", name);
	snprintf(kinds[nkinds].cross, sizeof(kinds[0].cross), "?");
	return &kinds[nkinds++];
}

/* 4 KiB pages per folio of a kind */
static unsigned int pages_per(const struct kind *k)
{
	return strcmp(k->name, "THP") ? 1 : 512;
}

static FILE *out_open(const char *dir, const char *name, const char *suffix)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s%s", dir, name, suffix);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

static void markdown(FILE *f)
{
	fprintf(f, "# Break-even: move_pages(2) of one batch, CPU copy vs "
		"DSA offload (1 channel, 1 engine)\n\n");
	fprintf(f, "Fastest of 7 moves node0->node1 per point; time per "
		"batch (the whole move_pages call).  CAL'25 (Intel DSA, "
		"Sapphire Rapids): DSA wins above about %d x 4 KiB pages.\n",
		CAL25_PAGES);
	for (int i = 0; i < nkinds; i++) {
		struct kind *k = &kinds[i];

		fprintf(f, "\n## %s folios\n\n", k->name);
		fprintf(f, "| folios | 4 KiB pages | CPU us | DMA us | "
			"CPU/DMA | faster |\n");
		fprintf(f, "|-------:|------------:|-------:|-------:|"
			"--------:|--------|\n");
		for (int j = 0; j < k->np; j++) {
			struct point *p = &k->p[j];

			fprintf(f, "| %u | %u | %.2f | %.2f | %.2f | %s |\n",
				p->n, p->n * pages_per(k), p->cpu / 1e3,
				p->dma / 1e3, (double)p->cpu / (double)p->dma,
				p->dma < p->cpu ? "DMA" : "CPU");
		}
		fprintf(f, "\nCrossover (%s): %s%s\n", k->name, k->cross,
			strcmp(k->cross, "none") && strcmp(k->cross, "?") ?
			" folios and more" : "");
		if (!strcmp(k->name, "4K") && strcmp(k->cross, "none") &&
		    strcmp(k->cross, "?"))
			fprintf(f, "Against CAL'25 (~%d pages): %.2fx\n",
				CAL25_PAGES, atof(k->cross) / CAL25_PAGES);
	}
}

int main(int argc, char **argv)
{
	char line[1024], name[16], cross[16];
	unsigned long long cpu, dma;
	unsigned int n;
	FILE *f;
	int points = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s RESULTS_KTAP OUTDIR\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "# bench-data breakeven ");
		struct kind *k;

		if (p && sscanf(p, "# bench-data breakeven %15s %u %llu %llu",
				name, &n, &cpu, &dma) == 4 && cpu && dma) {
			k = kind_get(name);
			if (k && k->np < MAX_POINTS) {
				k->p[k->np++] = (struct point){ n, cpu, dma };
				points++;
			}
			continue;
		}
		p = strstr(line, "# breakeven ");
		if (p && sscanf(p, "# breakeven %15s %15s", name, cross) == 2) {
			k = kind_get(name);
			if (k)
				snprintf(k->cross, sizeof(k->cross), "%s", cross);
		}
	}
	fclose(f);
	if (!points) {
		fprintf(stderr, "bench-breakeven-report: no bench-data lines in "
			"%s (did bench-breakeven run?)\n", argv[1]);
		return 1;
	}

	f = out_open(argv[2], "breakeven", ".md");
	markdown(f);
	fclose(f);
	markdown(stdout);

	for (int i = 0; i < nkinds; i++) {
		char dat[64];

		snprintf(dat, sizeof(dat), "breakeven-%.15s", kinds[i].name);
		f = out_open(argv[2], dat, ".dat");
		fprintf(f, "# pages cpu_us dma_us\n");
		for (int j = 0; j < kinds[i].np; j++)
			fprintf(f, "%u %.3f %.3f\n",
				kinds[i].p[j].n * pages_per(&kinds[i]),
				kinds[i].p[j].cpu / 1e3,
				kinds[i].p[j].dma / 1e3);
		fclose(f);
	}
	f = out_open(argv[2], "breakeven", ".gp");
	fprintf(f, "set terminal pngcairo size 960,540 font \"sans,11\"\n"
		"set termoption noenhanced\n"
		"set output \"%s/breakeven.png\"\n"
		"set title \"move_pages(2), one batch: CPU copy vs DSA offload "
		"(timed emulated DSA)\"\n"
		"set xlabel \"4 KiB pages per batch\"\n"
		"set ylabel \"time per batch (us)\"\n"
		"set logscale xy\nset grid\nset key top left noenhanced\n"
		"set arrow from %d, graph 0 to %d, graph 1 nohead dt 2\n"
		"set label \"CAL'25 ~%d\" at %d, graph 0.95 offset 0.5,0\n"
		"plot ", argv[2], CAL25_PAGES, CAL25_PAGES, CAL25_PAGES,
		CAL25_PAGES);
	for (int i = 0; i < nkinds; i++)
		fprintf(f, "%s\"%s/breakeven-%s.dat\" using 1:2 with linespoints "
			"title \"CPU %s\", \"%s/breakeven-%s.dat\" using 1:3 with "
			"linespoints title \"DMA %s\"", i ? ", \\\n     " : "",
			argv[2], kinds[i].name, kinds[i].name, argv[2],
			kinds[i].name, kinds[i].name);
	fprintf(f, "\n");
	fclose(f);
	return 0;
}
