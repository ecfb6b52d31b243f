// SPDX-License-Identifier: GPL-2.0
/*
 * fragmenter - fragment a node and hold the survivors (a tool, not a test).
 *
 * usage: fragmenter --node=N [--pct=P | --mib=M] [--seed=S] [--out=FILE]
 *
 * Allocates P % of the node's free memory (default 60) or M MiB, fills every
 * page with its pattern, frees half of every 2 MiB block (lib/frag.h), sets
 * oom_score_adj=-1000, prints its layout line (also to FILE) and waits.
 * SIGUSR1 verifies the survivors in place; SIGTERM/SIGINT end it.
 * The layout line is what `verifier --layout=FILE` reads.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frag.h"
#include "node.h"
#include "pattern.h"
#include "proc.h"

static volatile sig_atomic_t got_usr1, got_term;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: fragmenter --node=N [--pct=10..90 | --mib=M] [--seed=S] [--out=FILE]\n");
	exit(2);
}

static unsigned long long number(const char *flag, const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end) {
		fprintf(stderr, "fragmenter: %s=%s is not a number\n", flag, s);
		usage();
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "node", required_argument, NULL, 'n' },
		{ "pct", required_argument, NULL, 'p' },
		{ "mib", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long long pct = 60, mib = 0;
	uint64_t seed = pattern_seed(), free_bytes, len;
	const char *out = NULL;
	struct frag_region r;
	char line[256];
	int node = -1, c, ret;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			node = number("--node", optarg);
			break;
		case 'p':
			pct = number("--pct", optarg);
			if (pct < 10 || pct > 90) {
				fprintf(stderr, "fragmenter: --pct must be 10..90\n");
				usage();
			}
			break;
		case 'm':
			mib = number("--mib", optarg);
			break;
		case 's':
			seed = number("--seed", optarg);
			break;
		case 'o':
			out = optarg;
			break;
		default:
			usage();
		}
	}
	if (node < 0 || optind != argc)
		usage();
	ret = node_mem_free(node, &free_bytes);
	if (ret) {
		fprintf(stderr, "fragmenter: node%d: %s\n", node, strerror(-ret));
		return 1;
	}
	len = mib ? mib << 20 : free_bytes / 100 * pct;

	proc_oom_score_adj(-1000);
	ret = frag_create(&r, node, len, seed);
	if (ret) {
		fprintf(stderr, "fragmenter: fragmenting %" PRIu64 " MiB on node%d: %s\n",
			len >> 20, node, strerror(-ret));
		return 1;
	}
	snprintf(line, sizeof(line),
		 "pid=%d node=%d base=0x%" PRIx64 " len=%" PRIu64 " seed=0x%" PRIx64 " survivors=%zu\n",
		 getpid(), node, r.base, r.len, r.seed, frag_survivors(&r));
	fputs(line, stdout);
	fflush(stdout);
	if (out) {
		FILE *f = fopen(out, "w");

		if (!f || fputs(line, f) < 0 || fclose(f)) {
			fprintf(stderr, "fragmenter: cannot write %s\n", out);
			return 1;
		}
	}

	signal(SIGUSR1, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!got_term) {
		pause();
		if (got_usr1) {
			struct pattern_mismatch mm;
			size_t bad;

			got_usr1 = 0;
			pattern_mismatch_init(&mm);
			bad = frag_verify(&r, &mm);
			printf("fragmenter: %zu of %zu surviving pages bad\n",
			       bad, frag_survivors(&r));
			if (bad)
				printf("fragmenter: first bad page %p offset %zu expected 0x%016" PRIx64 " found 0x%016" PRIx64 "\n",
				       mm.page, mm.offset, mm.expected, mm.found);
			fflush(stdout);
		}
	}
	return 0;
}
