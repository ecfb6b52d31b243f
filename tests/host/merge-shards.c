// SPDX-License-Identifier: GPL-2.0
/*
 * merge-shards: put the shards of one guest run (SHARD=i/N, tests/shard.sh)
 * back together.
 *
 * Reads each shard run directory's results.json and junit.xml (as
 * tests/run-guest.sh writes them for a shard: the shard's place "i/N", the
 * selection's key and one entry per boot), refuses a set that is not exactly
 * shards 1..N of one selection, and writes one results.json and junit.xml
 * holding every boot, prints the verdict and the closing
 * "N passed, N failed[, N skipped][, N boot(s) retried ...]" line, and
 * exits with the worst shard's code, as tests/run-guest.sh sums its boots:
 *   0 pass, 1 fail, 2 timeout, 3 crash, 125 untestable.
 * A set it cannot merge (a shard missing or given twice, shards of another
 * N or selection, an unreadable file) is also 125: nothing can be said.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNTESTABLE 125

struct boot {
	char *name;
	const char *json;	/* the boot's verdict object, verbatim */
	size_t len;
};

struct shard {
	const char *dir;
	char *text;		/* results.json */
	char *junit;		/* junit.xml */
	int index, count;
	char *key;
	long code, passed, failed, skipped, retried;
	struct boot *boots;
	int nr_boots;
	const char *suites;	/* junit.xml between <testsuites> and </testsuites> */
	size_t suites_len;
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "merge-shards: error: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(UNTESTABLE);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		die("out of memory");
	return p;
}

static char *read_file(const char *dir, const char *name)
{
	char path[4096];
	char *buf = NULL;
	size_t len = 0, n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		die("cannot read %s: %s (not a shard's run directory?)", path, strerror(errno));
	do {
		buf = xrealloc(buf, len + 65536 + 1);
		n = fread(buf + len, 1, 65536, f);
		len += n;
	} while (n);
	if (ferror(f))
		die("cannot read %s: %s", path, strerror(errno));
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* --- just enough JSON: the shape run-guest.sh writes, checked as it is read --- */

struct json {
	const char *path;
	const char *start;
};

static void bad_json(struct json *j, const char *p, const char *what)
{
	die("%s: not valid JSON at offset %ld: %s", j->path, (long)(p - j->start), what);
}

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

/* A string at P; its text (escapes kept as they are) in *OUT if OUT. */
static const char *string(struct json *j, const char *p, char **out)
{
	const char *s;

	if (*p != '"')
		bad_json(j, p, "a string expected");
	s = ++p;
	while (*p != '"') {
		if (!*p || *p == '\n')
			bad_json(j, p, "unterminated string");
		p += *p == '\\' && p[1] ? 2 : 1;
	}
	if (out)
		*out = strndup(s, p - s);
	return p + 1;
}

static const char *value(struct json *j, const char *p);

/* An object or array at P; calls MEMBER (if any) on each member of an object. */
static const char *compound(struct json *j, const char *p,
			    void (*member)(void *arg, char *key, const char *v, const char *end),
			    void *arg)
{
	char close = *p == '{' ? '}' : ']';
	int first = 1;

	p = ws(p + 1);
	while (*p != close) {
		char *key = NULL;
		const char *v;

		if (!first) {
			if (*p != ',')
				bad_json(j, p, "',' expected");
			p = ws(p + 1);
		}
		first = 0;
		if (close == '}') {
			p = ws(string(j, p, &key));
			if (*p != ':')
				bad_json(j, p, "':' expected");
			p = ws(p + 1);
		}
		v = p;
		p = value(j, p);
		if (member)
			member(arg, key, v, p);
		free(key);
		p = ws(p);
	}
	return p + 1;
}

static const char *value(struct json *j, const char *p)
{
	p = ws(p);
	if (*p == '{' || *p == '[')
		return compound(j, p, NULL, NULL);
	if (*p == '"')
		return string(j, p, NULL);
	if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (*p == '-' || (*p >= '0' && *p <= '9')) {
		char *end;

		strtod(p, &end);
		return end;
	}
	bad_json(j, p, "a value expected");
	return NULL;
}

struct reader {
	struct json j;
	struct shard *s;
	unsigned seen;
};

enum { K_CODE = 1, K_PASSED = 2, K_FAILED = 4, K_SKIPPED = 8, K_RETRIED = 16,
       K_SHARD = 32, K_KEY = 64, K_BOOTS = 128, K_ALL = 255 };

static long number(struct reader *r, const char *key, const char *v, const char *end)
{
	char *e;
	long n = strtol(v, &e, 10);

	if (e != end || n < 0)
		die("%s: \"%s\" is not a count: %.*s", r->j.path, key, (int)(end - v), v);
	return n;
}

static void boot_member(void *arg, char *key, const char *v, const char *end)
{
	struct shard *s = arg;
	struct boot *b;

	s->boots = xrealloc(s->boots, (s->nr_boots + 1) * sizeof(*b));
	b = &s->boots[s->nr_boots++];
	b->name = strdup(key);
	b->json = v;
	b->len = end - v;
}

static void top_member(void *arg, char *key, const char *v, const char *end)
{
	struct reader *r = arg;
	struct shard *s = r->s;

	if (!strcmp(key, "exit_code")) {
		s->code = number(r, key, v, end);
		r->seen |= K_CODE;
	} else if (!strcmp(key, "passed")) {
		s->passed = number(r, key, v, end);
		r->seen |= K_PASSED;
	} else if (!strcmp(key, "failed")) {
		s->failed = number(r, key, v, end);
		r->seen |= K_FAILED;
	} else if (!strcmp(key, "skipped")) {
		s->skipped = number(r, key, v, end);
		r->seen |= K_SKIPPED;
	} else if (!strcmp(key, "retried_boots")) {
		s->retried = number(r, key, v, end);
		r->seen |= K_RETRIED;
	} else if (!strcmp(key, "shard")) {
		char *place = NULL, tail;

		string(&r->j, v, &place);
		if (sscanf(place, "%d/%d%c", &s->index, &s->count, &tail) != 2 ||
		    s->index < 1 || s->index > s->count)
			die("%s: \"shard\": \"%s\" is not i/N", r->j.path, place);
		free(place);
		r->seen |= K_SHARD;
	} else if (!strcmp(key, "selection")) {
		string(&r->j, v, &s->key);
		r->seen |= K_KEY;
	} else if (!strcmp(key, "boots")) {
		if (*v != '{')
			bad_json(&r->j, v, "\"boots\" is not an object");
		compound(&r->j, v, boot_member, s);
		r->seen |= K_BOOTS;
	}
}

static void read_results(struct shard *s)
{
	char path[4096];
	struct reader r = { .s = s };
	const char *p;

	snprintf(path, sizeof(path), "%s/results.json", s->dir);
	r.j.path = path;
	r.j.start = s->text = read_file(s->dir, "results.json");
	p = ws(s->text);
	if (*p != '{')
		bad_json(&r.j, p, "an object expected");
	p = ws(compound(&r.j, p, top_member, &r));
	if (*p)
		bad_json(&r.j, p, "text after the object");
	if (!(r.seen & K_SHARD))
		die("%s is not a shard's: no \"shard\" (run with SHARD=i/N)", path);
	if (r.seen != K_ALL)
		die("%s lacks one of exit_code, passed, failed, skipped, retried_boots, selection, boots",
		    path);
	if (s->code != 0 && s->code != 1 && s->code != 2 && s->code != 3 && s->code != UNTESTABLE)
		die("%s: exit_code %ld is not a verdict (0, 1, 2, 3, 125)", path, s->code);
}

static void read_junit(struct shard *s)
{
	const char *open, *close, *p;
	int n = 0;

	s->junit = read_file(s->dir, "junit.xml");
	open = strstr(s->junit, "<testsuites>");
	close = open ? strstr(open, "</testsuites>") : NULL;
	if (!close)
		die("%s/junit.xml is not a shard's: no <testsuites>...</testsuites>", s->dir);
	s->suites = open + strlen("<testsuites>");
	s->suites += *s->suites == '\n';
	s->suites_len = close - s->suites;
	for (p = s->suites; (p = strstr(p, "<testsuite ")) && p < close; p++)
		n++;
	if (n != s->nr_boots)
		die("%s: junit.xml holds %d boot(s), results.json %d: not the same run",
		    s->dir, n, s->nr_boots);
}

static void usage(void)
{
	fprintf(stderr, "usage: merge-shards --json OUT --junit OUT SHARD_RUN_DIR...\n"
		"  each SHARD_RUN_DIR a run of SHARD=i/N (build/runs/<run>), all N of one selection\n");
	exit(UNTESTABLE);
}

int main(int argc, char **argv)
{
	const char *json = NULL, *junit = NULL;
	struct shard *shards = NULL, **by_index;
	long code = 0, passed = 0, failed = 0, skipped = 0, retried = 0;
	int nr = 0, n, i, k;
	FILE *f;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			json = argv[++i];
		} else if (!strcmp(argv[i], "--junit") && i + 1 < argc) {
			junit = argv[++i];
		} else if (argv[i][0] == '-') {
			usage();
		} else {
			shards = xrealloc(shards, (nr + 1) * sizeof(*shards));
			memset(&shards[nr], 0, sizeof(*shards));
			shards[nr++].dir = argv[i];
		}
	}
	if (!json || !junit || !nr)
		usage();

	for (i = 0; i < nr; i++) {
		read_results(&shards[i]);
		read_junit(&shards[i]);
	}
	/* Exactly shards 1..N of one selection, each once. */
	n = shards[0].count;
	by_index = calloc(n + 1, sizeof(*by_index));
	if (!by_index)
		die("out of memory");
	for (i = 0; i < nr; i++) {
		struct shard *s = &shards[i];

		if (s->count != n)
			die("%s is shard %d/%d, %s shard %d/%d: shards of different N",
			    shards[0].dir, shards[0].index, n, s->dir, s->index, s->count);
		if (strcmp(s->key, shards[0].key))
			die("%s and %s ran different selections (keys %s, %s): the shards of one run need the same commit and T=",
			    shards[0].dir, s->dir, shards[0].key, s->key);
		if (by_index[s->index])
			die("%s and %s are both shard %d/%d", by_index[s->index]->dir, s->dir,
			    s->index, n);
		by_index[s->index] = s;
	}
	for (k = 1; k <= n; k++) {
		if (by_index[k])
			continue;
		fprintf(stderr, "merge-shards: error: shard(s)");
		for (; k <= n; k++)
			if (!by_index[k])
				fprintf(stderr, " %d/%d", k, n);
		fprintf(stderr, " missing: give the run directories of all %d shards\n", n);
		exit(UNTESTABLE);
	}
	/* A boot group runs in one shard only. */
	for (k = 1; k <= n; k++)
		for (i = 0; i < by_index[k]->nr_boots; i++)
			for (int l = k; l <= n; l++)
				for (int m = l == k ? i + 1 : 0; m < by_index[l]->nr_boots; m++)
					if (!strcmp(by_index[k]->boots[i].name,
						    by_index[l]->boots[m].name))
						die("boot group %s is in %s and in %s: overlapping shards",
						    by_index[k]->boots[i].name, by_index[k]->dir,
						    by_index[l]->dir);

	/* The worst code wins: 125 untestable > 3 crash > 2 timeout > 1 fail > 0. */
	for (k = 1; k <= n; k++) {
		struct shard *s = by_index[k];

		if (s->code > code)
			code = s->code;
		passed += s->passed;
		failed += s->failed;
		skipped += s->skipped;
		retried += s->retried;
		printf("shard %d/%d (%s): %ld passed, %ld failed, %ld skipped, %d boot(s), exit %ld\n",
		       k, n, s->dir, s->passed, s->failed, s->skipped, s->nr_boots, s->code);
	}

	f = fopen(json, "w");
	if (!f)
		die("cannot write %s: %s", json, strerror(errno));
	fprintf(f, "{\"exit_code\": %ld, \"passed\": %ld, \"failed\": %ld, \"skipped\": %ld, "
		"\"retried_boots\": %ld, \"shards\": %d, \"selection\": \"%s\", \"boots\": {\n",
		code, passed, failed, skipped, retried, n, shards[0].key);
	for (k = 1, i = 0; k <= n; k++)
		for (int b = 0; b < by_index[k]->nr_boots; b++, i++)
			fprintf(f, "%s\"%s\": %.*s", i ? ", " : "", by_index[k]->boots[b].name,
				(int)by_index[k]->boots[b].len, by_index[k]->boots[b].json);
	fprintf(f, "}}\n");
	if (fclose(f))
		die("cannot write %s: %s", json, strerror(errno));

	f = fopen(junit, "w");
	if (!f)
		die("cannot write %s: %s", junit, strerror(errno));
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
	for (k = 1; k <= n; k++)
		fwrite(by_index[k]->suites, 1, by_index[k]->suites_len, f);
	fprintf(f, "</testsuites>\n");
	if (fclose(f))
		die("cannot write %s: %s", junit, strerror(errno));

	switch (code) {
	case 1: printf("verdict: FAIL\n"); break;
	case 2: printf("verdict: TIMEOUT\n"); break;
	case 3: printf("verdict: CRASH\n"); break;
	case UNTESTABLE: printf("verdict: UNTESTABLE\n"); break;
	}
	printf("%ld passed, %ld failed", passed, failed);
	if (skipped)
		printf(", %ld skipped", skipped);
	if (retried)
		printf(", %ld boot(s) retried after a known flake", retried);
	printf("\n");
	return code;
}
