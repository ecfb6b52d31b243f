// SPDX-License-Identifier: GPL-2.0
/*
 * ktap.c - minimal KTAP v1 producer, see ktap.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "ktap.h"

static int ktap_planned = -1;
static int ktap_done;
static int ktap_failed;
static int ktap_skipped;

static void ktap_header(void)
{
	static bool printed;

	if (printed)
		return;
	printed = true;
	/* Line-buffered even when stdout is a pipe or the serial console. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("KTAP version 1\n");
}

void ktap_plan(int n)
{
	ktap_header();
	ktap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static void ktap_vline(const char *prefix, const char *fmt, va_list ap)
{
	ktap_header();
	fputs(prefix, stdout);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

void ktap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktap_vline("# ", fmt, ap);
	va_end(ap);
}

bool ktap_ok(bool pass, const char *fmt, ...)
{
	va_list ap;

	ktap_header();
	ktap_done++;
	if (!pass)
		ktap_failed++;
	printf("%s %d ", pass ? "ok" : "not ok", ktap_done);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return pass;
}

void ktap_skip(const char *name, const char *reason_fmt, ...)
{
	va_list ap;

	ktap_header();
	ktap_done++;
	ktap_skipped++;
	printf("ok %d %s # SKIP ", ktap_done, name);
	va_start(ap, reason_fmt);
	vprintf(reason_fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void ktap_abort(const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);

	ktap_header();
	printf("# ERROR: %s\n", reason);
	if (ktap_planned < 0)
		ktap_plan(1);
	if (ktap_done >= ktap_planned) {
		/* Nothing left to fail: make sure the verdict is still FAIL. */
		ktap_failed++;
	}
	while (ktap_done < ktap_planned)
		ktap_ok(false, "aborted");
	fflush(stdout);
	exit(KTAP_EXIT_FAIL);
}

void ktap_skip_all(const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);

	if (ktap_planned < 0)
		ktap_plan(0);
	printf("# SKIP %s\n", reason);
	while (ktap_done < ktap_planned)
		ktap_skip("skipped", "%s", reason);
	fflush(stdout);
	exit(ktap_failed ? KTAP_EXIT_FAIL : KTAP_EXIT_SKIP);
}

int ktap_failures(void)
{
	return ktap_failed;
}

int ktap_finish(void)
{
	if (ktap_planned < 0) {
		ktap_diag("ERROR: no plan printed");
		return KTAP_EXIT_FAIL;
	}
	if (ktap_done != ktap_planned) {
		ktap_diag("ERROR: planned %d results, printed %d",
			  ktap_planned, ktap_done);
		return KTAP_EXIT_FAIL;
	}
	ktap_diag("totals: pass:%d fail:%d skip:%d",
		  ktap_done - ktap_failed - ktap_skipped, ktap_failed,
		  ktap_skipped);
	if (ktap_failed)
		return KTAP_EXIT_FAIL;
	if (ktap_planned > 0 && ktap_skipped == ktap_done)
		return KTAP_EXIT_SKIP;
	return KTAP_EXIT_PASS;
}
