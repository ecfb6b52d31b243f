/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktap.h - minimal KTAP v1 producer for guest tests.
 *
 * A test prints exactly one KTAP document on stdout:
 *
 *	ktap_plan(3);
 *	ktap_ok(moved == n, "move_pages_to_node1");
 *	ktap_skip("thp", "THP disabled");
 *	ktap_diag("moved %d pages", n);
 *	return ktap_finish();
 *
 * Every line is flushed immediately, so output survives a timeout kill.
 * Exit codes follow the pipeline contract: 0 pass, 1 fail, 4 skip.
 *
 * Results are numbered automatically.  ktap_finish() reports a failure if
 * fewer or more results than planned were printed.  A whole test is a skip
 * only when every result was a skip (or ktap_skip_all() was used).
 */
#ifndef LAB_KTAP_H
#define LAB_KTAP_H

#include <stdbool.h>

#define KTAP_EXIT_PASS	0
#define KTAP_EXIT_FAIL	1
#define KTAP_EXIT_SKIP	4

/* Print the header and the plan "1..n".  Call once, before any result. */
void ktap_plan(int n);

/* Print "# <message>".  Usable before the plan and after results. */
void ktap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Print "ok N <name>" if @pass, else "not ok N <name>".  Returns @pass so a
 * caller can write: if (!ktap_ok(x, "name")) goto out;
 */
bool ktap_ok(bool pass, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print "ok N <name> # SKIP <reason>". */
void ktap_skip(const char *name, const char *reason_fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Report every result not yet printed (up to the plan) as "not ok" with
 * @name_prefix and the reason, then exit 1.  For preconditions that make the
 * rest of a test meaningless (fewer than 2 nodes, module missing...): such a
 * test must fail loudly, not skip.
 */
void ktap_abort(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/*
 * Skip the whole test: prints the plan if not printed yet, "# SKIP <reason>"
 * and skips any results not yet printed, then exits 4.  Use only where a skip
 * is legitimate (a feature the test set explicitly allows to be absent).
 */
void ktap_skip_all(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* Number of "not ok" results printed so far. */
int ktap_failures(void);

/* Check the plan was honoured; return the exit code (0, 1 or 4). */
int ktap_finish(void);

#endif /* LAB_KTAP_H */
