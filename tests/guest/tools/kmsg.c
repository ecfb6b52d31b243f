// SPDX-License-Identifier: GPL-2.0
/*
 * kmsg - the kernel log by sequence number, for /init's per-test capture:
 * what the kernel said while one test ran is reported under that test, so
 * the verdict can name the test a splat belongs to, and nothing is lost
 * when the whole boot's log outgrows the ring buffer.  A tool, not a test.
 *
 * Usage: kmsg next        the sequence number the next record will get
 *        kmsg since SEQ   the records from SEQ on, as "[secs.usecs] text"
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: kmsg next | kmsg since SEQ\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint64_t since = 0, next = 0;
	int print, fd;
	char rec[8192];

	if (argc == 2 && !strcmp(argv[1], "next")) {
		print = 0;
	} else if (argc == 3 && !strcmp(argv[1], "since")) {
		char *end;

		errno = 0;
		since = strtoull(argv[2], &end, 10);
		if (errno || *end || end == argv[2]) {
			fprintf(stderr, "kmsg: SEQ must be a number, got '%s'\n", argv[2]);
			return 2;
		}
		print = 1;
	} else {
		return usage();
	}

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		perror("kmsg: /dev/kmsg");
		return 1;
	}
	for (;;) {
		/* one record per read: "prio,seq,usec,flags;text\n" + dict lines */
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		unsigned long long seq, usec;
		unsigned int prio;
		char *text, *nl;

		if (n < 0 && errno == EPIPE)	/* overwritten before we read it */
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			perror("kmsg: read");
			return 1;
		}
		rec[n] = '\0';
		if (sscanf(rec, "%u,%llu,%llu,", &prio, &seq, &usec) != 3)
			continue;
		next = seq + 1;
		text = strchr(rec, ';');
		if (!print || seq < since || !text)
			continue;
		text++;
		nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		printf("[%5llu.%06llu] %s\n", usec / 1000000, usec % 1000000, text);
	}
	if (!print)
		printf("%" PRIu64 "\n", next);
	return 0;
}
