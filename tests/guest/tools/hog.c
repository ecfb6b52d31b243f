// SPDX-License-Identifier: GPL-2.0
/*
 * hog - spin on one CPU and report the loop iterations (a tool, not a test).
 *
 * usage: hog --cpu=N [--seconds=S]
 *
 * Runs until S seconds have passed (default: until SIGTERM/SIGINT) and
 * prints "hog: cpu N iterations I".  The same hog (lib/hog.c) is what the
 * busy mode of compact-run uses.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hog.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: hog --cpu=N [--seconds=S]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cpu", required_argument, NULL, 'c' },
		{ "seconds", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	long cpu = -1, seconds = 0;
	struct hog h;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		errno = 0;
		switch (c) {
		case 'c':
			cpu = strtol(optarg, &end, 10);
			break;
		case 's':
			seconds = strtol(optarg, &end, 10);
			break;
		default:
			usage();
		}
		if (errno || end == optarg || *end) {
			fprintf(stderr, "hog: '%s' is not a number\n", optarg);
			usage();
		}
	}
	if (optind != argc || cpu < 0 || cpu >= sysconf(_SC_NPROCESSORS_ONLN) ||
	    seconds < 0) {
		fprintf(stderr, "hog: --cpu must name an online CPU\n");
		usage();
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (hog_start(&h, cpu)) {
		perror("hog: fork");
		return 1;
	}
	if (seconds) {
		while (seconds-- && !stop)
			sleep(1);
	} else {
		while (!stop)
			pause();
	}
	printf("hog: cpu %ld iterations %" PRIu64 "\n", cpu, hog_stop(&h));
	return 0;
}
