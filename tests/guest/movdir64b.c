// SPDX-License-Identifier: GPL-2.0
/*
 * movdir64b - the CPU executes MOVDIR64B as idxd needs it (our QEMU's TCG).
 *
 * lab:test timeout=60 set=default
 *
 * Checks: CPUID.7.0:ECX[28] and the kernel's "movdir64b" flag; a 64-byte
 * store lands whole, from aligned and unaligned sources, without touching
 * the bytes around it; a destination that is not 64-byte aligned raises #GP
 * (SIGSEGV) and writes nothing; a read-only destination faults (SIGSEGV at
 * that address) and writes nothing, as does a faulting source; 10000 stores
 * of changing lines to changing places each land exactly.  Without the CPU
 * flag (Debian's QEMU) the test skips and says so.
 */
#include <cpuid.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ktap.h"

#define LINE	64

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_sig;
static void *volatile fault_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_sig = sig;
	fault_addr = si->si_addr;
	siglongjmp(fault_jmp, 1);
}

static inline void movdir64b(void *dst, const void *src)
{
	asm volatile("movdir64b (%1), %0" : : "r"(dst), "r"(src) : "memory");
}

/* Execute MOVDIR64B, catching SIGSEGV/SIGBUS; returns the signal or 0. */
static int try_movdir64b(void *dst, const void *src)
{
	fault_sig = 0;
	fault_addr = NULL;
	if (sigsetjmp(fault_jmp, 1) == 0)
		movdir64b(dst, src);
	return fault_sig;
}

static bool cpu_has_movdir64b(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return false;
	return c & (1u << 28);
}

static bool cpuinfo_has_movdir64b(void)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5) && strstr(line, " movdir64b")) {
			found = true;
			break;
		}
	fclose(f);
	return found;
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 13);
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_fault,
				.sa_flags = SA_SIGINFO };
	uint8_t src[LINE * 3] __attribute__((aligned(64)));
	long bad = 0;
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *buf, *ro;
	int sig;

	ktap_plan(7);
	if (!cpu_has_movdir64b())
		ktap_skip_all("CPU has no MOVDIR64B (CPUID.7.0:ECX[28] clear): "
			      "boot our QEMU (make qemu; DSA=1) with -cpu max");
	ktap_ok(cpuinfo_has_movdir64b(), "cpuinfo_flag");

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	buf = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		ktap_abort("mmap: %m");

	/* Aligned source; guard bytes on both sides stay untouched */
	memset(buf, 0xee, 2 * page);
	fill(src, sizeof(src), 1);
	sig = try_movdir64b(buf + LINE, src);
	ktap_ok(!sig && !memcmp(buf + LINE, src, LINE) &&
		all_bytes(buf, LINE, 0xee) &&
		all_bytes(buf + 2 * LINE, LINE, 0xee), "store_aligned_source");

	/* Unaligned source is allowed */
	sig = try_movdir64b(buf + 3 * LINE, src + 5);
	ktap_ok(!sig && !memcmp(buf + 3 * LINE, src + 5, LINE),
		"store_unaligned_source");

	/* Misaligned destination: #GP, nothing written */
	memset(buf + 4 * LINE, 0xee, 2 * LINE);
	sig = try_movdir64b(buf + 4 * LINE + 8, src);
	if (!ktap_ok(sig == SIGSEGV && all_bytes(buf + 4 * LINE, 2 * LINE, 0xee),
		     "misaligned_destination_gp"))
		ktap_diag("signal %d", sig);

	/* Read-only destination: page fault at that address, nothing written */
	ro = buf + page;
	memset(ro, 0xee, LINE);
	if (mprotect(ro, page, PROT_READ))
		ktap_abort("mprotect: %m");
	sig = try_movdir64b(ro, src);
	if (!ktap_ok(sig == SIGSEGV && fault_addr == ro &&
		     all_bytes(ro, LINE, 0xee), "readonly_destination_faults"))
		ktap_diag("signal %d at %p (want %p)", sig, fault_addr, ro);

	/* Faulting source: nothing written either */
	memset(buf + 6 * LINE, 0xee, LINE);
	if (mprotect(ro, page, PROT_NONE))
		ktap_abort("mprotect: %m");
	sig = try_movdir64b(buf + 6 * LINE, ro);
	ktap_ok(sig == SIGSEGV && all_bytes(buf + 6 * LINE, LINE, 0xee),
		"faulting_source_writes_nothing");

	/* Many stores, changing data and place, each exact */
	for (int i = 0; i < 10000; i++) {
		uint8_t *dst = buf + (8 + i % 48) * LINE;

		fill(src, LINE * 2, (uint8_t)i);
		movdir64b(dst, src + i % LINE);
		if (memcmp(dst, src + i % LINE, LINE))
			bad++;
	}
	if (!ktap_ok(!bad, "repeated_stores_exact"))
		ktap_diag("%ld of 10000 stores wrong", bad);
	return ktap_finish();
}
