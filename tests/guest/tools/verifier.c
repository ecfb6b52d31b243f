// SPDX-License-Identifier: GPL-2.0
/*
 * verifier - check every surviving page of a running fragmenter from the
 * outside (/proc/PID/mem); a tool, not a test.
 *
 * usage: verifier --layout=FILE
 *        verifier --pid=P --base=ADDR --len=BYTES --seed=S
 *
 * FILE holds the line printed by `fragmenter --out=FILE`.  Prints the
 * number of pages checked and the first bad page (address, offset,
 * expected vs found).  Exit 0: intact, 1: corrupted/unreadable, 2: usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frag.h"
#include "mem.h"
#include "pattern.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: verifier --layout=FILE\n"
		"       verifier --pid=P --base=ADDR --len=BYTES --seed=S\n");
	exit(2);
}

static uint64_t number(const char *flag, const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end) {
		fprintf(stderr, "verifier: %s=%s is not a number\n", flag, s);
		usage();
	}
	return v;
}

static void read_layout(const char *path, long *pid, struct frag_region *r)
{
	unsigned long long base, len, seed;
	char line[256];
	int node;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "verifier: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	if (!fgets(line, sizeof(line), f) ||
	    sscanf(line, "pid=%ld node=%d base=%llx len=%llu seed=%llx",
		   pid, &node, &base, &len, &seed) != 5) {
		fprintf(stderr, "verifier: %s: not a fragmenter layout line\n",
			path);
		exit(2);
	}
	fclose(f);
	r->node = node;
	r->base = base;
	r->len = len;
	r->seed = seed;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "layout", required_argument, NULL, 'l' },
		{ "pid", required_argument, NULL, 'p' },
		{ "base", required_argument, NULL, 'b' },
		{ "len", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct frag_region r = { .node = -1 };
	struct pattern_mismatch mm;
	size_t checked = 0;
	long pid = 0, bad;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			read_layout(optarg, &pid, &r);
			break;
		case 'p':
			pid = number("--pid", optarg);
			break;
		case 'b':
			r.base = number("--base", optarg);
			break;
		case 'n':
			r.len = number("--len", optarg);
			break;
		case 's':
			r.seed = number("--seed", optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || pid <= 0 || !r.len ||
	    r.base % HPAGE_SIZE_2M || r.len % HPAGE_SIZE_2M) {
		fprintf(stderr, "verifier: need a pid and a 2 MiB aligned base and length\n");
		usage();
	}

	pattern_mismatch_init(&mm);
	bad = frag_verify_remote(pid, &r, &mm, &checked);
	if (bad < 0) {
		fprintf(stderr, "verifier: cannot read pid %ld: %s\n", pid,
			strerror(-bad));
		return 1;
	}
	printf("verifier: pid %ld: %zu of %zu surviving pages checked, %ld bad\n",
	       pid, checked, frag_survivors(&r), bad);
	if (bad)
		printf("verifier: first bad page %p offset %zu expected 0x%016" PRIx64 " found 0x%016" PRIx64 "\n",
		       mm.page, mm.offset, mm.expected, mm.found);
	return bad || checked != frag_survivors(&r) ? 1 : 0;
}
