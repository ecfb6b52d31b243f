// SPDX-License-Identifier: GPL-2.0
/*
 * pattern.c - page patterns, see pattern.h.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "ktap.h"
#include "mem.h"
#include "pattern.h"

#define WORDS_PER_PAGE	(PAGE_SIZE_4K / sizeof(uint64_t))

/* splitmix64 finaliser: cheap, and every input bit affects every output bit */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static inline uint64_t page_key(const void *page, uint64_t seed)
{
	return mix64((uintptr_t)page ^ mix64(seed));
}

/* Word i of a page: key plus an odd multiple of i, so no two words match. */
static inline uint64_t pattern_word(uint64_t key, size_t i)
{
	return key + i * 0x9e3779b97f4a7c15ULL;
}

void pattern_fill_page(void *page, uint64_t seed)
{
	uint64_t key = page_key(page, seed);
	uint64_t *w = page;
	size_t i;

	for (i = 0; i < WORDS_PER_PAGE; i++)
		w[i] = pattern_word(key, i);
}

void pattern_fill(void *buf, size_t len, uint64_t seed)
{
	size_t off;

	for (off = 0; off < len; off += PAGE_SIZE_4K)
		pattern_fill_page((char *)buf + off, seed);
}

void pattern_mismatch_init(struct pattern_mismatch *mm)
{
	memset(mm, 0, sizeof(*mm));
}

bool pattern_check_copy(const void *copy, const void *addr, uint64_t seed,
			struct pattern_mismatch *mm)
{
	uint64_t key = page_key(addr, seed);
	const volatile uint64_t *w = copy;
	size_t i;

	for (i = 0; i < WORDS_PER_PAGE; i++) {
		uint64_t found = w[i];

		if (found == pattern_word(key, i))
			continue;
		if (mm) {
			if (!mm->bad_pages) {
				mm->page = (void *)addr;
				mm->offset = i * sizeof(uint64_t);
				mm->expected = pattern_word(key, i);
				mm->found = found;
			}
			mm->bad_pages++;
		}
		return false;
	}
	return true;
}

bool pattern_check_page(const void *page, uint64_t seed,
			struct pattern_mismatch *mm)
{
	return pattern_check_copy(page, page, seed, mm);
}

size_t pattern_verify(const void *buf, size_t len, uint64_t seed,
		      struct pattern_mismatch *mm)
{
	struct pattern_mismatch local;
	size_t off, bad = 0;

	if (!mm) {
		pattern_mismatch_init(&local);
		mm = &local;
	}
	for (off = 0; off < len; off += PAGE_SIZE_4K)
		if (!pattern_check_page((const char *)buf + off, seed, mm))
			bad++;
	return bad;
}

void pattern_report(const struct pattern_mismatch *mm)
{
	if (!mm->bad_pages) {
		ktap_diag("pattern: all pages intact");
		return;
	}
	ktap_diag("pattern: %zu bad page(s); first at %p offset %zu: expected 0x%016" PRIx64 " found 0x%016" PRIx64 " (node of page in this process: %d)",
		  mm->bad_pages, mm->page, mm->offset, mm->expected,
		  mm->found, mem_node(mm->page));
}

bool pattern_verify_ok(const void *buf, size_t len, uint64_t seed,
		       const char *fmt, ...)
{
	struct pattern_mismatch mm;
	char name[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	pattern_mismatch_init(&mm);
	if (pattern_verify(buf, len, seed, &mm))
		pattern_report(&mm);
	return ktap_ok(!mm.bad_pages, "%s", name);
}

uint64_t pattern_seed(void)
{
	uint64_t s = mix64(clock_ns() ^ ((uint64_t)getpid() << 32));

	return s ? s : 1;
}
