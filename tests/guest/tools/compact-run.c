// SPDX-License-Identifier: GPL-2.0
/*
 * compact-run - drive one compaction scenario from the command line.
 *
 * A tool (no test tag): the compact-* tests and the benchmark run the same
 * code with fixed flags.  Try `compact-run --help`.
 */
#include "scenario.h"

int main(int argc, char **argv)
{
	return scenario_main(argc, argv);
}
