// SPDX-License-Identifier: GPL-2.0
/*
 * ktap-verdict: turn one guest run into a verdict.
 *
 * Reads the KTAP stream the guest's /init wrote to ttyS1 and the serial
 * console log, scans kernel messages (console lines with a printk timestamp,
 * and the "# dmesg:" dump at the end of the KTAP stream) for splats, prints
 * a per-test summary and a closing "N passed, N failed, N skipped" line,
 * writes JSON and JUnit XML, and exits with:
 *   0 all selected tests passed (or skipped) and the kernel log is clean
 *   1 a test failed, no test was selected, or the kernel splatted
 *   2 the run hit its overall timeout (QEMU was killed)
 *   3 the guest died before finishing (panic, reboot, QEMU crash)
 *
 * A splat is reported with the kernel lines that follow it (its call trace,
 * up to the end-of-report marker), symbolized by --decode CMD when given:
 * CMD reads the report on stdin and writes it back with file:line
 * (tests/run-guest.sh passes the kernel's scripts/decode_stacktrace.sh).
 *
 * With --trace-dir DIR, the trace /init dumps under a failed test ("# ftrace:"
 * lines) goes to DIR/ftrace-<test>.txt, which its failure names.
 */
#include <errno.h>
#include <fnmatch.h>
#include <regex.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum result { R_PASS, R_FAIL, R_SKIP };

struct test {
	char *name;
	enum result result;
	char *reason;		/* directive or why it failed */
	double seconds;		/* from "# lab: NAME took Xs", -1 if unknown */
	char *output;		/* the test's own (nested) KTAP lines */
	char *trace;		/* its "# ftrace:" lines, NULL if none */
	char *trace_file;	/* where they went, NULL if nowhere */
};

/* Lines of text gathered while a test runs, handed to it at its result. */
struct text {
	char *buf;
	size_t len;
};

struct run {
	struct test *tests;
	int nr_tests;
	int plan;		/* -1: no plan line seen */
	int done;		/* "# lab: done" seen */
	char *running;		/* last "# lab: start NAME" without a result */
	double running_timeout;
	char **splats;
	char **splat_test;	/* the test it was logged under, or NULL */
	char **splat_report;	/* the lines after it, "" if none */
	int nr_splats;
	int open_report;	/* the splat collecting lines, or -1 */
	int report_lines;
	regex_t *patterns;
	int nr_patterns;
	regex_t timestamp;
	struct text output, trace;	/* of the test running */
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "ktap-verdict: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		die("out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		die("out of memory");
	return d;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* The lines of a list file (@what names it in errors), without comments and blank lines. */
static char **read_list(const char *path, const char *what, int *n)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, **list = NULL;
	size_t cap = 0;

	if (!f)
		die("cannot open %s %s: %s", what, path, strerror(errno));
	*n = 0;
	while (getline(&line, &cap, f) >= 0) {
		chomp(line);
		if (!line[0] || line[0] == '#')
			continue;
		list = xrealloc(list, (*n + 1) * sizeof(*list));
		list[(*n)++] = xstrdup(line);
	}
	free(line);
	fclose(f);
	return list;
}

static void load_patterns(struct run *run, const char *path)
{
	char **list = read_list(path, "patterns", &run->nr_patterns);
	int i;

	run->patterns = xrealloc(NULL, (run->nr_patterns + 1) * sizeof(regex_t));
	for (i = 0; i < run->nr_patterns; i++)
		if (regcomp(&run->patterns[i], list[i], REG_EXTENDED | REG_NOSUB))
			die("%s: bad pattern '%s'", path, list[i]);
	for (i = 0; i < run->nr_patterns; i++)
		free(list[i]);
	free(list);
	if (!run->nr_patterns)
		die("%s holds no pattern", path);
}

/*
 * A kernel message: "[   12.345678] text"; only these are checked.  TEST:
 * the test it was captured under ("# kmsg:" lines), NULL when unknown.
 */
/* Lines of a report kept after its splat line: a call trace and then some. */
#define REPORT_MAX_LINES 48

/* One more line of the report being collected; end-of-report markers close it. */
static void add_report_line(struct run *run, const char *msg)
{
	char **r = &run->splat_report[run->open_report];
	size_t len = strlen(*r);

	*r = xrealloc(*r, len + strlen(msg) + 2);
	sprintf(*r + len, "%s\n", msg);
	if (++run->report_lines >= REPORT_MAX_LINES || strstr(msg, "---[ end ") ||
	    strstr(msg, "=================="))
		run->open_report = -1;
}

static void check_kernel_line(struct run *run, const char *line, const char *test)
{
	regmatch_t m;
	const char *msg;
	int i;

	if (regexec(&run->timestamp, line, 1, &m, 0))
		return;
	msg = line + m.rm_so;
	for (i = 0; i < run->nr_patterns; i++) {
		if (regexec(&run->patterns[i], msg, 0, NULL, 0))
			continue;
		/* The end-of-run dmesg dump repeats console lines: keep one. */
		run->open_report = -1;
		for (int j = 0; j < run->nr_splats; j++)
			if (!strcmp(run->splats[j], msg))
				return;
		run->splats = xrealloc(run->splats,
				       (run->nr_splats + 1) * sizeof(char *));
		run->splat_test = xrealloc(run->splat_test,
					   (run->nr_splats + 1) * sizeof(char *));
		run->splat_report = xrealloc(run->splat_report,
					     (run->nr_splats + 1) * sizeof(char *));
		run->splat_test[run->nr_splats] = test ? xstrdup(test) : NULL;
		run->splat_report[run->nr_splats] = xstrdup("");
		run->open_report = run->nr_splats;
		run->report_lines = 0;
		run->splats[run->nr_splats++] = xstrdup(msg);
		return;
	}
	if (run->open_report >= 0)
		add_report_line(run, msg);
}

static char *slurp(FILE *f)
{
	char buf[4096], *s = xstrdup("");
	size_t len = 0, n;

	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		s = xrealloc(s, len + n + 1);
		memcpy(s + len, buf, n);
		len += n;
		s[len] = '\0';
	}
	return s;
}

/*
 * Symbolize each splat's report with CMD (stdin: the splat line and its
 * report; stdout: the same with file:line).  A report CMD cannot decode
 * stays as it was, and the verdict says so on stderr.
 */
static void decode_reports(struct run *run, const char *cmd)
{
	char in[] = "/tmp/ktap-verdict-in.XXXXXX", out[] = "/tmp/ktap-verdict-out.XXXXXX";
	int i, fin, fout;

	for (i = 0; i < run->nr_splats; i++) {
		char *shell, *decoded, *body;
		FILE *f;

		if (!run->splat_report[i][0])
			continue;
		strcpy(in, "/tmp/ktap-verdict-in.XXXXXX");
		strcpy(out, "/tmp/ktap-verdict-out.XXXXXX");
		fin = mkstemp(in);
		fout = mkstemp(out);
		if (fin < 0 || fout < 0)
			die("cannot create temporary files: %s", strerror(errno));
		f = fdopen(fin, "w");
		fprintf(f, "%s\n%s", run->splats[i], run->splat_report[i]);
		fclose(f);
		close(fout);
		shell = xrealloc(NULL, strlen(cmd) + strlen(in) + strlen(out) + 32);
		sprintf(shell, "%s <%s >%s 2>/dev/null", cmd, in, out);
		f = system(shell) == 0 ? fopen(out, "r") : NULL;
		decoded = f ? slurp(f) : NULL;
		if (f)
			fclose(f);
		/* The decoded report without its first line, the splat itself. */
		body = decoded ? strchr(decoded, '\n') : NULL;
		if (body && body[1]) {
			size_t n = strlen(body + 1);

			free(run->splat_report[i]);
			run->splat_report[i] = xrealloc(NULL, n + 2);
			sprintf(run->splat_report[i], "%s%s", body + 1,
				body[n] == '\n' ? "" : "\n");
		} else {
			fprintf(stderr, "ktap-verdict: could not symbolize the report of: %s\n",
				run->splats[i]);
		}
		free(decoded);
		free(shell);
		unlink(in);
		unlink(out);
	}
}

static void scan_log(struct run *run, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;

	if (!f) {
		if (errno == ENOENT)
			return;
		die("cannot open log %s: %s", path, strerror(errno));
	}
	run->open_report = -1;
	while (getline(&line, &cap, f) >= 0) {
		chomp(line);
		check_kernel_line(run, line, NULL);
	}
	free(line);
	fclose(f);
}

static void text_add(struct text *t, const char *line)
{
	size_t n = strlen(line);

	t->buf = xrealloc(t->buf, t->len + n + 2);
	memcpy(t->buf + t->len, line, n);
	t->len += n;
	t->buf[t->len++] = '\n';
	t->buf[t->len] = '\0';
}

/* The text gathered so far (NULL if none), T emptied for the next test. */
static char *text_take(struct text *t)
{
	char *buf = t->buf;

	t->buf = NULL;
	t->len = 0;
	return buf;
}

/* A skip's reason: the test's own "# SKIP reason", else the directive. */
static char *skip_reason(const char *output, const char *directive)
{
	const char *p = output ? strstr(output, "SKIP") : NULL;

	if (p) {
		size_t n;

		p += 4;
		while (*p == ' ' || *p == ':')
			p++;
		n = strcspn(p, "\n");
		if (n)
			return strndup(p, n);
	}
	return xstrdup(directive);
}

static void add_result(struct run *run, const char *line)
{
	int ok = !strncmp(line, "ok ", 3);
	const char *p = line + (ok ? 3 : 7);
	const char *name, *hash;
	struct test *t;

	while (*p >= '0' && *p <= '9')
		p++;
	while (*p == ' ')
		p++;
	name = p;
	hash = strstr(name, " # ");
	run->tests = xrealloc(run->tests, (run->nr_tests + 1) * sizeof(*t));
	t = &run->tests[run->nr_tests++];
	memset(t, 0, sizeof(*t));
	t->name = strndup(name, hash ? (size_t)(hash - name) : strlen(name));
	t->seconds = -1;
	t->output = text_take(&run->output);
	if (!t->output)
		t->output = xstrdup("");
	t->trace = text_take(&run->trace);
	if (!ok) {
		t->result = R_FAIL;
		t->reason = xstrdup(hash ? hash + 3 : "failed");
	} else if (hash && !strncmp(hash + 3, "SKIP", 4)) {
		t->result = R_SKIP;
		t->reason = skip_reason(t->output, hash + 3);
	} else {
		t->result = R_PASS;
	}
	free(run->running);
	run->running = NULL;
}

static void parse_ktap(struct run *run, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	double last_seconds = -1;
	char last_name[256] = "";

	if (!f) {
		if (errno == ENOENT)
			return;
		die("cannot open KTAP %s: %s", path, strerror(errno));
	}
	while (getline(&line, &cap, f) >= 0) {
		char name[256];
		double secs;

		chomp(line);
		if (!strncmp(line, "# dmesg: ", 9)) {
			check_kernel_line(run, line + 9, NULL);
		} else if (!strcmp(line, "# lab: done")) {
			run->done = 1;
		} else if (sscanf(line, "# lab: start %255s", name) == 1) {
			free(run->running);
			run->running = xstrdup(name);
		} else if (sscanf(line, "# lab: %255s took %lfs", name, &secs) == 2) {
			strcpy(last_name, name);
			last_seconds = secs;
		} else if (!strncmp(line, "1..", 3) && run->plan < 0) {
			run->plan = atoi(line + 3);
		} else if (!strncmp(line, "ok ", 3) || !strncmp(line, "not ok ", 7)) {
			add_result(run, line);
			if (!strcmp(last_name, run->tests[run->nr_tests - 1].name))
				run->tests[run->nr_tests - 1].seconds = last_seconds;
		} else if (!strncmp(line, "    # ftrace: ", 14)) {
			text_add(&run->trace, line + 14);
		} else if (line[0] == ' ') {
			if (!strncmp(line, "    # kmsg: ", 12))
				check_kernel_line(run, line + 12, run->running);
			text_add(&run->output, line + (strncmp(line, "    ", 4) ? 1 : 4));
		}
	}
	free(line);
	fclose(f);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void xml_str(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if (c < 0x20 && c != '\n' && c != '\t')
				fputc('?', f);
			else
				fputc(c, f);
		}
	}
}

/*
 * WHEN KEY: does a line of the skip allow-list cover KEY in this run? A
 * line's KEY is a pattern (fnmatch).
 */
static int skip_listed(char **list, int n, const char *when, const char *key)
{
	int i;

	for (i = 0; i < n; i++) {
		char cond[64], k[256];

		if (sscanf(list[i], "%63s %255s", cond, k) != 2 || fnmatch(k, key, 0))
			continue;
		if (!strcmp(cond, "*"))
			return 1;
		/* WHEN is a space-separated list of the run's conditions */
		for (const char *w = when; w && *w; w += strcspn(w, " "), w += *w == ' ') {
			size_t len = strcspn(w, " ");

			if (len == strlen(cond) && !strncmp(w, cond, len))
				return 1;
		}
	}
	return 0;
}

/*
 * A skip, of a test or of one of its own subtests, not on the allow-list
 * fails the test: a skip is a claim that something was not tested.
 */
static void check_skips(struct run *run, const char *path, const char *when)
{
	int n, i;
	char **list = read_list(path, "skip allow-list", &n);

	for (i = 0; i < run->nr_tests; i++) {
		struct test *t = &run->tests[i];
		char key[600], why[700];
		const char *p;

		if (t->result == R_SKIP && !skip_listed(list, n, when, t->name)) {
			snprintf(why, sizeof(why), "skipped, and not on the allow-list %s: %s",
				 path, t->reason);
			t->result = R_FAIL;
			free(t->reason);
			t->reason = xstrdup(why);
			continue;
		}
		if (t->result != R_PASS || !t->output)
			continue;
		/* first-level subtests: unindented result lines of the output */
		for (p = t->output; *p; p += strcspn(p, "\n"), p += *p == '\n') {
			const char *name, *hash;
			size_t len;

			if (strncmp(p, "ok ", 3))
				continue;
			name = p + 3 + strspn(p + 3, "0123456789 ");
			len = strcspn(name, "\n");
			hash = strstr(name, " # ");
			if (!hash || hash > name + len || strncasecmp(hash + 3, "SKIP", 4))
				continue;
			snprintf(key, sizeof(key), "%s:%.*s", t->name, (int)(hash - name), name);
			if (skip_listed(list, n, when, key))
				continue;
			snprintf(why, sizeof(why), "subtest %.*s skipped, and not on the allow-list %s",
				 (int)(hash - name), name, path);
			t->result = R_FAIL;
			t->reason = xstrdup(why);
			break;
		}
	}
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/* A splat logged while a test ran fails that test too, naming it. */
static void blame_splats(struct run *run)
{
	int i, j;

	for (i = 0; i < run->nr_splats; i++) {
		if (!run->splat_test[i])
			continue;
		for (j = run->nr_tests - 1; j >= 0; j--) {
			struct test *t = &run->tests[j];
			char why[600];

			if (strcmp(t->name, run->splat_test[i]))
				continue;
			if (t->result == R_FAIL && t->reason &&
			    !strncmp(t->reason, "kernel splat", 12))
				break;
			snprintf(why, sizeof(why), "kernel splat while it ran: %s%s%s",
				 run->splats[i], t->result == R_FAIL ? "; and " : "",
				 t->result == R_FAIL && t->reason ? t->reason : "");
			t->result = R_FAIL;
			free(t->reason);
			t->reason = xstrdup(why);
			break;
		}
	}
}

/*
 * A failed test's trace goes to DIR/ftrace-<test>.txt, and its failure
 * names the file; a test that passed or skipped writes none.
 */
static void write_traces(struct run *run, const char *dir)
{
	int i;

	for (i = 0; i < run->nr_tests; i++) {
		struct test *t = &run->tests[i];
		char path[4096], why[1200], *c;
		FILE *f;

		if (t->result != R_FAIL || !t->trace)
			continue;
		snprintf(path, sizeof(path), "%s/ftrace-%s.txt", dir, t->name);
		for (c = path + strlen(dir) + 1; *c; c++)	/* a test name is no path */
			if (*c == '/')
				*c = '_';
		f = fopen(path, "w");
		if (!f || fputs(t->trace, f) < 0 || fclose(f))
			die("cannot write %s: %s", path, strerror(errno));
		t->trace_file = xstrdup(path);
		snprintf(why, sizeof(why), "%s; ftrace: %s", t->reason, strrchr(path, '/') + 1);
		free(t->reason);
		t->reason = xstrdup(why);
	}
}

/*
 * Why a test failed, in the verdict itself: each of its failed subtests
 * with the diagnostics just before it (or, when none failed, as in a
 * timeout, its last diagnostics), so that a CI log that keeps only the
 * verdict still says which assertion failed and what it measured.
 */
#define FAIL_CONTEXT	6
#define FAIL_LINES	48

static void print_failed_subtests(const struct test *t)
{
	const char *ctx[FAIL_CONTEXT];
	int ctx_len[FAIL_CONTEXT];
	const char *p, *end, *q;
	int nctx = 0, printed = 0, i;

	for (p = t->output; *p && printed < FAIL_LINES; p = *end ? end + 1 : end) {
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		for (q = p; q < end && (*q == ' ' || *q == '\t'); q++)
			;
		if (*q == '#' && strncmp(q, "# kmsg:", 7)) {
			if (nctx == FAIL_CONTEXT) {
				memmove(ctx, ctx + 1, sizeof(ctx[0]) * (FAIL_CONTEXT - 1));
				memmove(ctx_len, ctx_len + 1, sizeof(ctx_len[0]) * (FAIL_CONTEXT - 1));
				nctx--;
			}
			ctx[nctx] = q;
			ctx_len[nctx++] = (int)(end - q);
		} else if (!strncmp(q, "not ok ", 7)) {
			for (i = 0; i < nctx && printed < FAIL_LINES; i++, printed++)
				printf("    %.*s\n", ctx_len[i], ctx[i]);
			printf("    %.*s\n", (int)(end - q), q);
			printed++;
			nctx = 0;
		}
	}
	/* No failed subtest (a timeout, a crash): what it said last. */
	if (!printed)
		for (i = 0; i < nctx; i++)
			printf("    %.*s\n", ctx_len[i], ctx[i]);
}

static const char *result_name[] = { "pass", "fail", "skip" };

static void write_json(struct run *run, const char *path, const char *status,
		       int code, int passed, int failed, int skipped,
		       const char *retried)
{
	FILE *f = fopen(path, "w");
	int i;

	if (!f)
		die("cannot write %s: %s", path, strerror(errno));
	fprintf(f, "{\n  \"status\": \"%s\",\n  \"exit_code\": %d,\n", status, code);
	fprintf(f, "  \"passed\": %d,\n  \"failed\": %d,\n  \"skipped\": %d,\n",
		passed, failed, skipped);
	if (retried) {
		fprintf(f, "  \"retried\": ");
		json_str(f, retried);
		fprintf(f, ",\n");
	}
	fprintf(f, "  \"tests\": [");
	for (i = 0; i < run->nr_tests; i++) {
		struct test *t = &run->tests[i];

		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_str(f, t->name);
		fprintf(f, ", \"result\": \"%s\"", result_name[t->result]);
		if (t->seconds >= 0)
			fprintf(f, ", \"seconds\": %.2f", t->seconds);
		if (t->reason) {
			fprintf(f, ", \"reason\": ");
			json_str(f, t->reason);
		}
		if (t->trace_file) {
			fprintf(f, ", \"ftrace\": ");
			json_str(f, strrchr(t->trace_file, '/') + 1);
		}
		fprintf(f, "}");
	}
	fprintf(f, "\n  ],\n  \"splats\": [");
	for (i = 0; i < run->nr_splats; i++) {
		fprintf(f, "%s\n    ", i ? "," : "");
		json_str(f, run->splats[i]);
	}
	/* Each splat's report (call trace), symbolized with --decode. */
	fprintf(f, "\n  ],\n  \"splat_reports\": [");
	for (i = 0; i < run->nr_splats; i++) {
		fprintf(f, "%s\n    ", i ? "," : "");
		json_str(f, run->splat_report[i]);
	}
	fprintf(f, "\n  ]\n}\n");
	fclose(f);
}

static void write_junit(struct run *run, const char *path, const char *status,
			int failed, int skipped, const char *retried)
{
	FILE *f = fopen(path, "w");
	double total = 0;
	int i;

	if (!f)
		die("cannot write %s: %s", path, strerror(errno));
	for (i = 0; i < run->nr_tests; i++)
		if (run->tests[i].seconds > 0)
			total += run->tests[i].seconds;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuite name=\"guest\" tests=\"%d\" failures=\"%d\" skipped=\"%d\" time=\"%.2f\">\n",
		run->nr_tests + 1 + !!retried, failed, skipped, total);
	/* A boot retried after a known flake: visible, not a failure. */
	if (retried) {
		fprintf(f, "  <testcase classname=\"guest\" name=\"boot-retried\">\n");
		fprintf(f, "    <system-out>first boot died of a known flake: ");
		xml_str(f, retried);
		fprintf(f, "</system-out>\n  </testcase>\n");
	}
	for (i = 0; i < run->nr_tests; i++) {
		struct test *t = &run->tests[i];

		fprintf(f, "  <testcase classname=\"guest\" name=\"");
		xml_str(f, t->name);
		fprintf(f, "\" time=\"%.2f\">\n", t->seconds > 0 ? t->seconds : 0);
		if (t->result == R_FAIL) {
			fprintf(f, "    <failure message=\"");
			xml_str(f, t->reason);
			fprintf(f, "\"/>\n");
		} else if (t->result == R_SKIP) {
			fprintf(f, "    <skipped message=\"");
			xml_str(f, t->reason);
			fprintf(f, "\"/>\n");
		}
		fprintf(f, "    <system-out>");
		xml_str(f, t->output);
		fprintf(f, "</system-out>\n  </testcase>\n");
	}
	/* The kernel log is a test of its own: clean, or not. */
	fprintf(f, "  <testcase classname=\"guest\" name=\"kernel-log\">\n");
	if (run->nr_splats || (strcmp(status, "pass") && strcmp(status, "fail"))) {
		fprintf(f, "    <failure message=\"%s: %d splat line(s)\">",
			status, run->nr_splats);
		for (i = 0; i < run->nr_splats; i++) {
			xml_str(f, run->splats[i]);
			fputc('\n', f);
			xml_str(f, run->splat_report[i]);
		}
		fprintf(f, "</failure>\n");
	}
	fprintf(f, "  </testcase>\n</testsuite>\n");
	fclose(f);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ktap-verdict --ktap FILE --log FILE --patterns FILE\n"
		"                    [--json FILE] [--junit FILE] [--qemu-rc N]\n"
		"                    [--retried FLAKE] [--skips FILE --when CONDITIONS]\n"
		"                    [--decode CMD]\n"
		"                    [--trace-dir DIR]\n"
		"       ktap-verdict --boot-flake FLAKES --log FILE --patterns FILE\n");
	exit(1);
}

/*
 * --boot-flake: is the first splat of a boot's log a known boot flake (a
 * pattern of FLAKES)?  Prints it without its timestamp and returns 0 if
 * so, 1 if not (no splat, or another one first).
 */
static int boot_flake(struct run *run, const char *flakes, const char *log)
{
	struct run known = { .plan = -1 };
	const char *msg;
	int i;

	load_patterns(&known, flakes);
	scan_log(run, log);
	if (!run->nr_splats)
		return 1;
	msg = strstr(run->splats[0], "] ") + 2;
	for (i = 0; i < known.nr_patterns; i++) {
		if (regexec(&known.patterns[i], msg, 0, NULL, 0))
			continue;
		printf("%.160s\n", msg);
		return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	const char *ktap = NULL, *log = NULL, *patterns = NULL;
	const char *json = NULL, *junit = NULL, *retried = NULL, *status;
	const char *skips = NULL, *when = "", *flakes = NULL, *decode = NULL;
	const char *trace_dir = NULL;
	int qemu_rc = 0, passed = 0, failed = 0, skipped = 0, code, i;
	struct run run = { .plan = -1, .open_report = -1 };

	for (i = 1; i < argc; i++) {
		const char *opt = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		if (!val)
			usage();
		if (!strcmp(opt, "--ktap"))
			ktap = val;
		else if (!strcmp(opt, "--log"))
			log = val;
		else if (!strcmp(opt, "--patterns"))
			patterns = val;
		else if (!strcmp(opt, "--json"))
			json = val;
		else if (!strcmp(opt, "--junit"))
			junit = val;
		else if (!strcmp(opt, "--retried"))
			retried = val;
		else if (!strcmp(opt, "--skips"))
			skips = val;
		else if (!strcmp(opt, "--when"))
			when = val;
		else if (!strcmp(opt, "--boot-flake"))
			flakes = val;
		else if (!strcmp(opt, "--decode"))
			decode = val;
		else if (!strcmp(opt, "--trace-dir"))
			trace_dir = val;
		else if (!strcmp(opt, "--qemu-rc")) {
			qemu_rc = strtol(val, &end, 10);
			if (*end || !*val)
				die("--qemu-rc wants a number, got '%s'", val);
		} else
			usage();
		i++;
	}
	if ((!ktap && !flakes) || !log || !patterns)
		usage();

	if (regcomp(&run.timestamp, "\\[ *[0-9]+\\.[0-9]+\\] ", REG_EXTENDED))
		die("internal: timestamp regex");
	load_patterns(&run, patterns);
	if (flakes)
		return boot_flake(&run, flakes, log);
	parse_ktap(&run, ktap);
	scan_log(&run, log);

	/* The test running when the guest stopped is a failure: killed. */
	if (run.running) {
		char line[300];

		snprintf(line, sizeof(line), "not ok 0 %s # killed: guest stopped during the test",
			 run.running);
		add_result(&run, line);
	}
	if (skips)
		check_skips(&run, skips, when);
	blame_splats(&run);
	if (decode)
		decode_reports(&run, decode);
	if (trace_dir)
		write_traces(&run, trace_dir);
	for (i = 0; i < run.nr_tests; i++) {
		struct test *t = &run.tests[i];

		switch (t->result) {
		case R_PASS:
			passed++;
			if (t->seconds >= 0)
				printf("PASS %s (%.1fs)\n", t->name, t->seconds);
			else
				printf("PASS %s\n", t->name);
			break;
		case R_SKIP:
			skipped++;
			printf("SKIP %s: %s\n", t->name, t->reason);
			break;
		case R_FAIL:
			failed++;
			printf("FAIL %s: %s\n", t->name, t->reason);
			print_failed_subtests(t);
			break;
		}
	}
	if (run.plan >= 0 && run.done && run.nr_tests < run.plan) {
		printf("FAIL: plan said %d tests, %d reported\n", run.plan, run.nr_tests);
		failed += run.plan - run.nr_tests;
	}
	for (i = 0; i < run.nr_splats; i++) {
		const char *p;

		printf("SPLAT %s%s%s%s\n", run.splat_test[i] ? "(during " : "",
		       run.splat_test[i] ? run.splat_test[i] : "",
		       run.splat_test[i] ? ") " : "", run.splats[i]);
		for (p = run.splat_report[i]; *p; p = strchr(p, '\n') + 1)
			printf("    %.*s\n", (int)(strchr(p, '\n') - p), p);
	}
	if (retried)
		printf("RETRIED the first boot died of a known flake: %s\n", retried);

	if (qemu_rc == 124) {
		status = "timeout";
		code = 2;
		printf("verdict: TIMEOUT: the guest did not finish in time\n");
	} else if (!run.done) {
		status = "crash";
		code = 3;
		printf("verdict: CRASH: the guest stopped before the end of the run%s\n",
		       run.plan < 0 ? " (no test started)" : "");
	} else if (run.plan == 0) {
		status = "fail";
		code = 1;
		printf("verdict: FAIL: no test matched the selection\n");
	} else if (failed || run.nr_splats) {
		status = "fail";
		code = 1;
		printf("verdict: FAIL: %d test(s) failed, %d splat line(s) in the kernel log\n",
		       failed, run.nr_splats);
	} else {
		status = "pass";
		code = 0;
	}
	if (json)
		write_json(&run, json, status, code, passed, failed, skipped, retried);
	if (junit)
		write_junit(&run, junit, status, failed, skipped, retried);
	printf("%d passed, %d failed", passed, failed);
	if (skipped)
		printf(", %d skipped", skipped);
	if (retried)
		printf(", 1 boot retried");
	printf("\n");
	return code;
}
