// SPDX-License-Identifier: GPL-2.0
/*
 * bench-compaction - the four-mode compaction benchmark of the RFC v4
 * experiment (baseline / offload x idle / busy), measured in one boot.
 *
 * lab:test timeout=1500 set=extra
 *
 * Each mode fragments the target node afresh and compacts it through
 * nodeN/compact in the writer's context, with that task and, in busy modes,
 * a counting hog pinned to the same CPU.  (The RFC allocates huge pages in a
 * loop; in the small guest that path gives up after a few direct compaction
 * failures and migrates ~1000 pages, too few to time, while compacting the
 * node migrates ~50000.  --trigger=hugepages selects it anyway.)  Every
 * mode verifies every surviving page.  Two more runs (baseline-kcompactd, offload-kcompactd) trigger
 * proactive compaction instead and give the fragmentation-over-time curves.
 * Output, besides the per-mode KTAP results:
 *   # bench <mode> wall_ms migrated offloaded user% sys% idle% hog_iters huge
 *   # result ... (every run)
 *   # series <mode> <t_ms> <frag permille> <pages migrated so far>
 * tests/host/bench/bench-compaction-report.sh turns them into a table and a PNG.
 * Flags: --reps=N (default 3; table rows are the median-wall run),
 * --modes=baseline-idle,... (default: all), and any compact-run flag.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ktap.h"
#include "scenario.h"

struct bench_mode {
	const char *name;
	bool offload, busy;
	bool plot;		/* kcompactd run for the fragmentation plot */
};

static const struct bench_mode modes[] = {
	{ "baseline-idle", false, false, false },
	{ "offload-idle", true, false, false },
	{ "baseline-busy", false, true, false },
	{ "offload-busy", true, true, false },
	{ "baseline-kcompactd", false, false, true },
	{ "offload-kcompactd", true, false, true },
};

#define NR_MODES (sizeof(modes) / sizeof(modes[0]))

#define MAX_REPS 9

/* The run with the median wall time: one real row, not a mix of runs. */
static const struct scen_result *median(struct scen_result *r, int n)
{
	int i, j, below;

	for (i = 0; i < n; i++) {
		for (below = 0, j = 0; j < n; j++)
			below += r[j].wall_ms < r[i].wall_ms ||
				 (r[j].wall_ms == r[i].wall_ms && j < i);
		if (below == n / 2)
			return &r[i];
	}
	return &r[0];
}

int main(int argc, char **argv)
{
	static struct scen_result res[NR_MODES][MAX_REPS];
	struct scen_opts base, o;
	const char *only = NULL;
	int i, k, m, reps = 3, planned = 0;
	bool run[NR_MODES];
	char *end;

	/* --modes= and --reps= are ours; every other flag goes to the scenario. */
	scenario_defaults(&base);
	base.trigger = SCEN_MANUAL;
	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--modes=", 8)) {
			only = argv[i] + 8;
		} else if (!strncmp(argv[i], "--reps=", 7)) {
			reps = strtol(argv[i] + 7, &end, 10);
			if (*end || reps < 1 || reps > MAX_REPS) {
				fprintf(stderr, "error: --reps must be 1..%d\n",
					MAX_REPS);
				return 2;
			}
		} else {
			continue;
		}
		memmove(&argv[i], &argv[i + 1], (argc - i) * sizeof(*argv));
		argc--;
		i--;
	}
	if (scenario_parse(argc, argv, &base))
		return 2;

	for (i = 0; i < (int)NR_MODES; i++) {
		run[i] = !only || strstr(only, modes[i].name);
		if (run[i]) {
			o = base;
			o.busy = modes[i].busy;
			planned += scenario_nr_results(&o) *
				   (modes[i].plot ? 1 : reps);
		}
	}
	if (!planned) {
		fprintf(stderr, "error: --modes=%s selects no mode (baseline|offload)-(idle|busy|kcompactd)\n",
			only);
		return 2;
	}
	ktap_plan(planned);
	/*
	 * Repetitions interleave the modes, rotated each round, so a drift of
	 * the node's state over the boot does not favour one mode.
	 */
	for (k = 0; k < reps; k++) {
		for (m = 0; m < (int)NR_MODES; m++) {
			i = (m + k) % NR_MODES;
			if (!run[i] || modes[i].plot)
				continue;
			o = base;
			o.busy = modes[i].busy;
			o.mode = modes[i].offload ? SCEN_OFFLOAD : SCEN_BASELINE;
			o.label = modes[i].name;
			scenario_run(&o, &res[i][k]);
		}
	}
	for (i = 0; i < (int)NR_MODES; i++) {
		if (!run[i] || !modes[i].plot)
			continue;
		o = base;
		o.mode = modes[i].offload ? SCEN_OFFLOAD : SCEN_BASELINE;
		o.label = modes[i].name;
		o.trigger = SCEN_PROACTIVE;
		o.series = true;
		scenario_run(&o, &res[i][0]);
	}

	ktap_diag("bench %-14s %8s %9s %9s %6s %6s %6s %12s %5s %9s",
		  "mode", "wall_ms", "migrated", "offloaded", "user%", "sys%",
		  "idle%", "hog_iters", "huge", "verified");
	for (i = 0; i < (int)NR_MODES; i++) {
		const struct scen_result *r;

		if (!run[i] || modes[i].plot)
			continue;
		r = median(res[i], reps);
		ktap_diag("bench %-14s %8llu %9llu %9llu %4d.%d %4d.%d %4d.%d %12llu %5llu %9llu",
			  modes[i].name, (unsigned long long)r->wall_ms,
			  (unsigned long long)r->migrated,
			  (unsigned long long)r->offloaded,
			  r->user_pm / 10, r->user_pm % 10, r->sys_pm / 10,
			  r->sys_pm % 10, r->idle_pm / 10, r->idle_pm % 10,
			  (unsigned long long)r->hog_iters,
			  (unsigned long long)r->huge,
			  (unsigned long long)r->verified);
	}
	ktap_diag("bench (each row: the run with the median wall time of %d)",
		  reps);
	return ktap_finish();
}
