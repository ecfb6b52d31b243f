// SPDX-License-Identifier: GPL-2.0
/*
 * dsa-fault - injected device errors reach dmatest as failures, exactly as
 * many as injected, and nothing else breaks.
 *
 * lab:test timeout=900 set=default
 *
 * Uses the emulated DSA's debug page (BAR0 + 0x8000, see dsa.h) to change
 * fault injection at run time.  Checks: with every 4th descriptor failing
 * with a page fault, dmatest reports exactly iterations/4 failures and the
 * device counts as many injected faults; with every 2nd failing with a
 * hardware error, iterations/2; with injection off again, 0 failures.
 *
 * Then an error with no completion record to go to: a descriptor written
 * (MOVDIR64B, from here) to the portal of a WQ idxd left disabled.  With
 * the event log idxd sets up (the device's GENCFG.evl_en; both models by
 * default) it must be an event log entry that idxd consumed (Tail moved
 * by one, Head caught up, SWERR untouched) and reported through its
 * event log path ("Device error 0x42" in the kernel log); without one, a
 * SWERR that idxd reported ("err[0]:").
 *
 * Halting is tested by the qtest (halt, then FLR) and offload-halt, not
 * here: idxd 6.12.117 does not survive tearing down a halted device (reset
 * type FLR: its halt handler and the unbind both kill the WQ percpu_ref,
 * WARN then a hung unbind; type software: its failed reinit leaves WQ state
 * that oopses in idxd_wq_disable_cleanup on unbind), and every later test
 * shares this boot.  Needs DSA=1.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dsa.h"
#include "file.h"
#include "ktap.h"

#define COPIES		40
#define PAGE_FAULT	0x03
#define HW_ERROR	0x20

static void dmatest_expect(const char *chan, unsigned int failures,
			   const char *name)
{
	struct dmatest_result r;
	int ret;

	ret = dsa_dmatest(chan, 4096, COPIES, 1, 5000, true, &r);
	if (!ktap_ok(!ret && r.found == 1 && r.tests == COPIES &&
		     r.failures == failures, "%s", name))
		ktap_diag("ret %d, %d summaries, %u tests, %u failures "
			  "(want %u of %u)", ret, r.found, r.tests, r.failures,
			  failures, COPIES);
}

static void inject(struct dsa_dbg *dbg, const char *chan, uint32_t status,
		   uint32_t every, const char *name)
{
	uint64_t faults = dsa_dbg_read64(dbg, DSA_DBG_FAULTS);
	char label[64];

	dsa_dbg_write32(dbg, DSA_DBG_FAULT_STATUS, status);
	dsa_dbg_write32(dbg, DSA_DBG_FAULT_EVERY, every);
	dmatest_expect(chan, COPIES / every, name);
	faults = dsa_dbg_read64(dbg, DSA_DBG_FAULTS) - faults;
	snprintf(label, sizeof(label), "%s_counted_by_device", name);
	if (!ktap_ok(faults == COPIES / every, "%s", label))
		ktap_diag("device injected %" PRIu64 ", want %u", faults,
			  COPIES / every);
	dsa_dbg_write32(dbg, DSA_DBG_FAULT_EVERY, 0);
}

/* BAR0 registers (DSA specification; idxd's registers.h) */
#define REG_GENCFG		0x80
#define GENCFG_EVL_EN		(1u << 13)
#define REG_SWERR		0xc0
#define REG_EVLSTATUS		0xf0
#define EVL_HEAD(v)		((uint32_t)(v) & 0xffff)
#define EVL_TAIL(v)		((uint32_t)((v) >> 32) & 0xffff)
#define WQ_PORTAL_STRIDE	0x4000	/* BAR2: four 4 KiB portals per WQ */
#define SWERR_WQ_DISABLED	0x42	/* this emulator's code, qemu/README */

static inline void movdir64b(volatile void *dst, const void *src)
{
	asm volatile("movdir64b (%1), %0" : : "r"(dst), "r"(src) : "memory");
}

static void *map_bar(const char *bdf, int bar, off_t off, int *fd)
{
	char path[300];
	void *p;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource%d", bdf,
		 bar);
	*fd = open(path, O_RDWR | O_SYNC);
	if (*fd < 0)
		return NULL;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, off);
	if (p == MAP_FAILED) {
		close(*fd);
		return NULL;
	}
	return p;
}

/* The highest WQ of dsa0 that idxd has not enabled; -1 if none */
static int disabled_wq(void)
{
	char path[96], buf[32];
	int n;

	if (file_read("/sys/bus/dsa/devices/dsa0/max_work_queues", buf,
		      sizeof(buf)) < 0)
		return -1;
	for (n = atoi(buf) - 1; n >= 0; n--) {
		snprintf(path, sizeof(path), "/sys/bus/dsa/devices/wq0.%d/state",
			 n);
		if (file_read(path, buf, sizeof(buf)) >= 0 &&
		    !strncmp(buf, "disabled", 8))
			return n;
	}
	return -1;
}

static uint64_t rd64(volatile uint8_t *regs, unsigned int off)
{
	return *(volatile uint64_t *)(regs + off);
}

static void error_without_record(const char *bdf)
{
	static const char evl_msg[] = "Device error 0x42 ";
	static const char swerr_msg[] = "err[0]: ";
	uint8_t desc[64] __attribute__((aligned(64))) = { 0 };
	volatile uint8_t *regs, *portal;
	uint64_t st0, st = 0, swerr;
	int fd0, fd2, wq, logged0, logged = 0, i;
	bool evl;

	wq = disabled_wq();
	regs = map_bar(bdf, 0, 0, &fd0);
	portal = wq < 0 ? NULL : map_bar(bdf, 2, wq * WQ_PORTAL_STRIDE, &fd2);
	if (!regs || !portal) {
		ktap_ok(false, "error_without_record_logged");
		ktap_ok(false, "error_without_record_reported");
		ktap_diag("disabled WQ %d, BAR0 %p, portal %p: %s", wq,
			  (void *)regs, (void *)portal, strerror(errno));
		return;
	}
	evl = *(volatile uint32_t *)(regs + REG_GENCFG) & GENCFG_EVL_EN;
	st0 = rd64(regs, REG_EVLSTATUS);
	logged0 = dsa_kmsg_count(evl ? evl_msg : swerr_msg);
	desc[7] = 0;				/* NOOP, no flags */
	movdir64b(portal, desc);
	for (i = 0; i < 500; i++) {		/* 5 s */
		st = rd64(regs, REG_EVLSTATUS);
		logged = dsa_kmsg_count(evl ? evl_msg : swerr_msg);
		if (logged > logged0 &&
		    (!evl || (EVL_TAIL(st) != EVL_TAIL(st0) &&
			      EVL_HEAD(st) == EVL_TAIL(st))))
			break;
		usleep(10000);
	}
	swerr = rd64(regs, REG_SWERR);
	ktap_diag("WQ %d disabled; event log %s: EVLSTATUS head %u tail %u -> "
		  "head %u tail %u; SWERR %#" PRIx64, wq, evl ? "on" : "off",
		  EVL_HEAD(st0), EVL_TAIL(st0), EVL_HEAD(st), EVL_TAIL(st),
		  swerr);
	if (evl)
		ktap_ok(EVL_TAIL(st) == (EVL_TAIL(st0) + 1) % 0x10000 ||
			(EVL_TAIL(st) == 0 && EVL_TAIL(st0) > 0),
			"error_without_record_logged");
	else
		ktap_ok(EVL_TAIL(st) == EVL_TAIL(st0),
			"error_without_record_logged");
	if (!ktap_ok(logged == logged0 + 1 && (!evl ||
		     (EVL_HEAD(st) == EVL_TAIL(st) && !(swerr & 1))),
		     "error_without_record_reported"))
		ktap_diag("kernel log lines with \"%s\": %d before, %d after",
			  evl ? evl_msg : swerr_msg, logged0, logged);
	munmap((void *)portal, 4096);
	munmap((void *)regs, 4096);
	close(fd2);
	close(fd0);
}

int main(void)
{
	struct dsa_dbg dbg;
	char chan[64];

	ktap_plan(7);
	dsa_setup_or_abort(chan, sizeof(chan), NULL);
	dsa_dbg_open_or_abort(&dbg);

	inject(&dbg, chan, PAGE_FAULT, 4, "page_faults_reported");
	inject(&dbg, chan, HW_ERROR, 2, "hw_errors_reported");
	dmatest_expect(chan, 0, "clean_after_injection_off");
	error_without_record(dbg.bdf);
	dsa_dbg_close(&dbg);
	/* Release the channel: later tests of the same boot want it. */
	dsa_dmatest_unload();
	return ktap_finish();
}
