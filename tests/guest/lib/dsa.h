/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dsa.h - the DSA device as the unmodified idxd driver shows it: find it on
 * PCI, configure a WQ (dsa-setup.sh), run the kernel's dmatest on its
 * channel and read the result back from the kernel log, and the emulated
 * DSA's debug page.  The dsa_migrate module that uses its channels is
 * dsam.h's.
 *
 * Functions return 0 or a negative errno and print nothing, except the
 * *_or_abort() ones, which end the test through ktap_abort().
 */
#ifndef LAB_DSA_H
#define LAB_DSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The PCI address of the first DSA: 8086:0b25 (DSA 1.0, Sapphire Rapids,
 * the emulated default) or 8086:11fb (DSA 2.0, Granite Rapids, model=dsa2).
 * 0, or -ENODEV when there is none.
 * The shell's list of the two is sh-lib's dsa_pci_devices.
 */
int dsa_pci_bdf(char *bdf, size_t len);

/* idxd's view of the device: /sys/bus/dsa/devices/dsa0/state. */
int dsa_state(char *buf, size_t len);

/* Number of dmaengine channels in /sys/class/dma. */
int dsa_dma_channels(void);

/*
 * Run dsa-setup.sh (dedicated kernel wq0.0 on dsa0, with @engines engines
 * in its group, NULL: all) and return the channel name in @chan; 0 or the
 * script's exit status.  A WQ that is already set up is left as it is.
 */
int dsa_setup(char *chan, size_t len, const char *engines);
/* dsa_setup(), failing the rest of the test (KTAP) if it does not work. */
void dsa_setup_or_abort(char *chan, size_t len, const char *engines);

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
int dsa_dmatest(const char *chan, unsigned int size, unsigned int iterations,
		unsigned int threads, unsigned int timeout_ms, bool verify,
		struct dmatest_result *r);

/* Unload dmatest so that it lets go of its channel (0 if not loaded). */
int dsa_dmatest_unload(void);

/* Count the kernel log lines containing @needle (from /dev/kmsg). */
int dsa_kmsg_count(const char *needle);

/*
 * The emulated DSA's debug page: the emulated intel-dsa has an
 * emulator-only page at BAR0 + 0x8000 with fault injection knobs and
 * counters (qemu: hw/dma/intel-dsa-regs.h, DSA_DBG_*); it is mapped through
 * the PCI resource0 file.
 */
#define DSA_DBG_MAGIC		0x00	/* RO "DSAL" */
#define DSA_DBG_MAGIC_VALUE	0x4c415344u
#define DSA_DBG_FAULT_EVERY	0x04	/* fail every Nth descriptor, 0 off */
#define DSA_DBG_FAULT_STATUS	0x08	/* completion status used for those */
#define DSA_DBG_HALT_AFTER	0x0c	/* halt after N more descriptors */
#define DSA_DBG_HALT_RESET_TYPE	0x10	/* GENSTS.reset_type on halt */
#define DSA_DBG_PAUSE		0x14	/* 1: engines take no work */
#define DSA_DBG_DESCS		0x18	/* RO 64-bit: descriptors done */
#define DSA_DBG_FAULTS		0x20	/* RO 64-bit: faults injected */

struct dsa_dbg {
	volatile uint8_t *page;
	char bdf[32];
	int fd;
};

/* Map the debug page of the first DSA (dsa_pci_bdf()); -ENODEV if none. */
int dsa_dbg_open(struct dsa_dbg *d);
/* dsa_dbg_open(), or abort the test: the debug page needs our QEMU (DSA=1). */
void dsa_dbg_open_or_abort(struct dsa_dbg *d);
void dsa_dbg_close(struct dsa_dbg *d);
uint32_t dsa_dbg_read32(const struct dsa_dbg *d, unsigned int off);
uint64_t dsa_dbg_read64(const struct dsa_dbg *d, unsigned int off);
void dsa_dbg_write32(const struct dsa_dbg *d, unsigned int off, uint32_t v);

#endif /* LAB_DSA_H */
