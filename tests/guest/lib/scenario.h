/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scenario.h - the compaction scenario runner (RFC v4 methodology, scaled
 * to a TCG guest), shared by the `compact-run` tool, the compact-* tests and
 * the compaction benchmark.
 *
 * One run: fragment the target node with one or two fragmenter children,
 * optionally start a pinned CPU hog and a concurrent move_pages worker,
 * trigger compaction (manual, hugepages or proactive), then verify every
 * surviving page and print KTAP results plus one "# result ..." line.
 */
#ifndef LAB_SCENARIO_H
#define LAB_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

enum scen_trigger {
	SCEN_MANUAL,		/* write 1 to /sys/devices/system/node/nodeN/compact */
	SCEN_HUGEPAGES,		/* raise nr_hugepages on the node: direct compaction */
	SCEN_PROACTIVE,		/* vm.compaction_proactiveness=100: kcompactd */
};

enum scen_mode {
	SCEN_BASELINE,		/* offload must stay idle */
	SCEN_OFFLOAD,		/* offload provider loaded, its counters must rise */
};

struct scen_opts {
	enum scen_trigger trigger;
	enum scen_mode mode;
	bool busy;		/* CPU hog pinned to the compaction CPU */
	bool mover;		/* concurrent move_pages worker */
	bool series;		/* print "# series" fragmentation samples */
	int node;		/* target node, -1: node 1 if it has a CPU, else 0 */
	int fragmenters;	/* 1 or 2 */
	int pct;		/* % of (node free memory - 64 MiB) to fragment */
	int timeout_s;		/* no progress for this long: give up */
	const char *label;	/* name in the result line */
	const char *module;	/* offload provider module (offload mode) */
};

/* Summary of one run, for the benchmark table. */
struct scen_result {
	uint64_t wall_ms;
	uint64_t migrated;	/* pgmigrate_success delta (the mover's too) */
	int64_t compact_migrated; /* compaction's own (trace), -1: unknown */
	uint64_t offloaded;	/* offload counter delta */
	uint64_t hog_iters;
	uint64_t huge;		/* huge pages obtained (or 2 MiB blocks gained) */
	uint64_t verified;	/* surviving pages verified */
	int user_pm, sys_pm, idle_pm;
	int frag_before_pm, frag_after_pm;
	bool pass;
};

/* Defaults: manual, baseline, idle, auto node, 1 fragmenter, 100 %. */
void scenario_defaults(struct scen_opts *o);

/*
 * Parse command-line flags into @o (getopt_long; see scenario_usage()).
 * Returns 0, or -EINVAL after printing a clear error to stderr.
 */
int scenario_parse(int argc, char **argv, struct scen_opts *o);
void scenario_usage(const char *prog);

/* Number of KTAP results scenario_run() prints for @o. */
int scenario_nr_results(const struct scen_opts *o);

/*
 * Run one scenario, printing its KTAP results (no plan: the caller plans
 * scenario_nr_results()).  Fills @res if not NULL.  A missing precondition
 * (node, THP/hugetlb, module) fails the results loudly.
 */
void scenario_run(const struct scen_opts *o, struct scen_result *res);

/* Parse flags, plan, run, finish: a whole test or tool in one call. */
int scenario_main(int argc, char **argv);

#endif /* LAB_SCENARIO_H */
