/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pattern.h - page patterns.  Every 8-byte word of a page holds a value
 * derived from the page's virtual address, the word index and a run seed,
 * so a page that lost its content, got another page's content or a stale
 * copy is caught, and every byte is covered.
 */
#ifndef LAB_PATTERN_H
#define LAB_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fill one 4 KiB page at @page (page aligned) with its pattern. */
void pattern_fill_page(void *page, uint64_t seed);

/* Fill @len bytes (multiple of 4 KiB, page aligned) page by page. */
void pattern_fill(void *buf, size_t len, uint64_t seed);

/* Description of the first mismatch found by a verify function. */
struct pattern_mismatch {
	void *page;		/* address of the bad page */
	size_t offset;		/* byte offset of the first bad word */
	uint64_t expected;
	uint64_t found;
	size_t bad_pages;	/* number of bad pages seen in this call */
};

/*
 * Check one page.  Returns true if intact; otherwise fills @mm (if not
 * NULL; its bad_pages is incremented) unless @mm already holds an earlier
 * mismatch.  Initialise @mm with pattern_mismatch_init().
 */
bool pattern_check_page(const void *page, uint64_t seed,
			struct pattern_mismatch *mm);

/*
 * Like pattern_check_page(), for a copy at @copy of the page that lives at
 * @addr (in this or another process): the pattern is keyed on @addr and
 * a mismatch reports @addr.
 */
bool pattern_check_copy(const void *copy, const void *addr, uint64_t seed,
			struct pattern_mismatch *mm);

void pattern_mismatch_init(struct pattern_mismatch *mm);

/*
 * Check @len bytes page by page.  Returns the number of bad pages (0 =
 * intact); the first one is described in @mm (may be NULL).
 */
size_t pattern_verify(const void *buf, size_t len, uint64_t seed,
		      struct pattern_mismatch *mm);

/* ktap_diag() a one-line description of the first mismatch in @mm. */
void pattern_report(const struct pattern_mismatch *mm);

/*
 * One KTAP result named by @fmt: every byte of [@buf, @buf + @len) matches
 * the pattern of @seed; the first mismatch is reported.  Returns the result.
 */
bool pattern_verify_ok(const void *buf, size_t len, uint64_t seed,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A seed that differs from run to run (time ^ pid), never 0. */
uint64_t pattern_seed(void);

#endif /* LAB_PATTERN_H */
