/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dsatest.h - helpers for the dsa-* guest tests: configure the emulated DSA
 * (dsa-setup.sh), run the kernel's dmatest on its channel and read the
 * result back from the kernel log.
 */
#ifndef LAB_DSATEST_H
#define LAB_DSATEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Run dsa-setup.sh (dedicated kernel wq0.0 on dsa0, with @engines engines
 * in its group, NULL: all) and return the channel name in @chan; 0 or the
 * script's exit status.  A WQ that is already set up is left as it is.
 */
int dsat_setup(char *chan, size_t len, const char *engines);
/* dsat_setup(), failing the rest of the test (KTAP) if it does not work. */
void dsat_setup_or_abort(char *chan, size_t len, const char *engines);

struct dmatest_result {
	unsigned int tests;	/* summed over threads */
	unsigned int failures;
	uint64_t kbps;		/* dmatest's KiB/s, summed over threads */
	uint64_t ns;		/* wall time of the run */
	int found;		/* summary lines seen (threads) */
};

/*
 * One dmatest run on @chan: @threads threads each doing @iterations copies
 * of @size bytes (norandom, so every copy is the whole buffer), each copy
 * given @timeout_ms; with
 * @verify, dmatest fills and checks every buffer (without, it measures the
 * copies alone).  Returns 0 and the summary, or -errno when dmatest could
 * not be run.
 */
int dsat_dmatest(const char *chan, unsigned int size, unsigned int iterations,
		 unsigned int threads, unsigned int timeout_ms, bool verify,
		 struct dmatest_result *r);

/* Unload dmatest so that it lets go of its channel (0 if not loaded). */
int dsat_dmatest_unload(void);


/* Count the kernel log lines containing @needle (from /dev/kmsg). */
int dsat_kmsg_count(const char *needle);

#endif /* LAB_DSATEST_H */
