/*
 * A seeded random driver of the emulated Intel DSA (intel-dsa) over qtest.
 *
 * usage: intel-dsa-fuzz [OPS [SEED]]      (or FUZZ_OPS, FUZZ_SEED)
 *
 * Every operation is drawn from one pseudo-random stream, so a seed gives
 * the same sequence of operations every time (the device's timing is the
 * host's, so what each one meets may differ).  Operations: BAR0 reads and
 * writes of any size at any offset (registers, GRPCFG, WQCFG, MSI-X, the
 * debug page), commands valid and not, portal writes of random
 * descriptors (every opcode the device knows and some it does not;
 * addresses in RAM, at its end, unmapped, in the device's own BARs, in
 * the MSI range, 0, ~0; sizes from 0 past the maximum; batch lists
 * pointing anywhere; completion records anywhere), odd portal writes, PCI
 * command register and BAR moves, FLR, MSI-X table changes, fault
 * injection and halt through the debug page, clock steps.  The device is
 * set up again often, so that most descriptors reach the engines.
 *
 * Every FUZZ_CHECK_EVERY operations, and at the end, a liveness check
 * resets the function and runs a verified copy: a wedged device fails
 * the run.  A watchdog thread fails it when one operation takes longer
 * than FUZZ_WATCHDOG seconds (QEMU stuck, say in a reset waiting for an
 * engine).  When QEMU dies (a sanitizer report, an assertion) the run
 * fails too.  A failure prints the seed, the operation's index and the
 * last operations, so that the same seed and count replay it.
 *
 * Environment: FUZZ_OPS, FUZZ_SEED (decimal or 0x hex), FUZZ_WATCHDOG
 * (seconds, 60), FUZZ_CHECK_EVERY (10000), FUZZ_TRACE=1 (print every
 * operation), QTEST_QEMU_BINARY.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/bswap.h"
#include "qemu/units.h"
#include "intel-dsa-util.h"

#define FZ_NAME         "intel-dsa-fuzz"
#define BAR_SIZE        (64 * KiB)          /* BAR0, and BAR2 of 4 WQs */
#define BAR_SLOTS       16                  /* where BARs may be moved */
#define BAR_SLOT_BASE   0xe0000000ULL
#define WQ_SIZE         (TOTAL_WQ_SIZE / NUM_WQS)
#define NUM_GROUPS      4
#define BUF_SIZE        (4 * MiB)
#define NUM_CRS         64
#define NUM_LISTS       4
#define LIST_DESCS      32
#define HISTORY         48
#define LINE            200

/* VT-d registers (-device intel-iommu), as in intel-dsa-test.c */
#define VTD_BASE        0xfed90000ULL
#define VTD_GCMD        0x18
#define VTD_RTADDR      0x20
#define VTD_TE          (1U << 31)
#define VTD_SRTP        (1U << 30)

typedef struct Fuzz {
    DSA d;
    uint64_t rng;
    uint64_t seed;
    uint64_t ops;
    uint64_t bar0;                  /* where BAR0 and BAR2 are now */
    uint64_t bar2;
    uint8_t pcie_cap;
    uint8_t msix_cap;
    uint64_t buf;                   /* guest RAM for data */
    uint64_t crs;                   /* 32-byte completion record slots */
    uint64_t lists;                 /* batch lists */
    uint64_t check_src;             /* the liveness check's copy */
    uint64_t submitted;
    uint64_t status_seen[256];      /* completion statuses found */
    bool stopped;                   /* the VM, by QMP stop */
    bool iommu;                     /* behind -device intel-iommu */
    bool timed;                     /* timing=on: records on the clock */
    uint64_t vtd_root;              /* an empty VT-d root table */
    uint64_t setups;
    uint64_t checks;
} Fuzz;

static Fuzz fz;

/* The running operation and the ones before it, for a failure report */
static char history[HISTORY][LINE];
static uint64_t op_index;           /* qatomic: the operation running */
static gint64 op_start;             /* qatomic: when it started */
static bool trace;
static const char *fail_reason;

/* ---- deterministic random stream (splitmix64) ---- */

static uint64_t rnd64(void)
{
    uint64_t z = (fz.rng += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rnd(uint64_t n)
{
    return n ? rnd64() % n : 0;
}

static bool chance(unsigned percent)
{
    return rnd(100) < percent;
}

/* ---- history, failure report, watchdog ---- */

static void G_GNUC_PRINTF(1, 2) note(const char *fmt, ...)
{
    char *line = history[op_index % HISTORY];
    int n = snprintf(line, LINE, "#%" PRIu64 " ", op_index);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line + n, LINE - n, fmt, ap);
    va_end(ap);
    if (trace) {
        fprintf(stderr, "%s\n", line);
    }
}

static void report_failure(void *opaque)
{
    uint64_t i = qatomic_read(&op_index);
    uint64_t first = i >= HISTORY - 1 ? i - (HISTORY - 1) : 0;

    fprintf(stderr, FZ_NAME ": FAIL seed=%" PRIu64 " op=%" PRIu64 " of %"
            PRIu64 ": %s\n", fz.seed, i, fz.ops,
            fail_reason ? fail_reason :
            "aborted: QEMU died (sanitizer report, assertion) or a qtest "
            "check failed, see above");
    fprintf(stderr, FZ_NAME ": last operations (the last one failed):\n");
    for (uint64_t j = first; j <= i; j++) {
        fprintf(stderr, "  %s\n", history[j % HISTORY]);
    }
    fprintf(stderr, FZ_NAME ": replay: FUZZ_SEED=%" PRIu64 " FUZZ_OPS=%"
            PRIu64 " (make fuzz-dsa FUZZ_SEED=%" PRIu64 " FUZZ_OPS=%" PRIu64
            "; FUZZ_TRACE=1 prints every operation)\n",
            fz.seed, i + 1, fz.seed, i + 1);
}

static void G_GNUC_NORETURN fail(const char *reason)
{
    fail_reason = reason;
    abort();
}

static gpointer watchdog(gpointer opaque)
{
    gint64 limit = *(gint64 *)opaque * G_USEC_PER_SEC;
    static char msg[128];

    for (;;) {
        uint64_t i = qatomic_read(&op_index);
        gint64 start = qatomic_read(&op_start);

        g_usleep(G_USEC_PER_SEC);
        if (qatomic_read(&op_index) == i &&
            g_get_monotonic_time() - start > limit) {
            snprintf(msg, sizeof(msg), "hang: operation %" PRIu64 " did not "
                     "finish in %" PRId64 " s (watchdog)", i,
                     limit / G_USEC_PER_SEC);
            fail(msg);
        }
    }
    return NULL;
}

/* ---- device access that does not assert: any state is legal here ---- */

static QTestState *qts(void)
{
    return fz.d.qts;
}

static void cfg_writew(uint8_t off, uint16_t v)
{
    qpci_config_writew(fz.d.dev, off, v);
}

/* BAR0 and BAR2 at the given addresses (64-bit BARs), memory decoding on */
static void bars_place(uint64_t bar0, uint64_t bar2, uint16_t command)
{
    qpci_config_writel(fz.d.dev, PCI_BASE_ADDRESS_0, bar0);
    qpci_config_writel(fz.d.dev, PCI_BASE_ADDRESS_1, bar0 >> 32);
    qpci_config_writel(fz.d.dev, PCI_BASE_ADDRESS_2, bar2);
    qpci_config_writel(fz.d.dev, PCI_BASE_ADDRESS_3, bar2 >> 32);
    cfg_writew(PCI_COMMAND, command);
    fz.bar0 = bar0;
    fz.bar2 = bar2;
    fz.d.bar0.addr = bar0;
    fz.d.bar2.addr = bar2;
}

/* MSI-X on, every vector aimed at its word of msi_mem */
static void msix_program(void)
{
    cfg_writew(fz.msix_cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE);
    for (int v = 0; v <= NUM_WQS; v++) {
        uint64_t e = fz.bar0 + DSA_MSIX_TABLE_OFFSET + v * 16;

        qtest_writel(qts(), e, fz.d.msi_mem + 4 * v);
        qtest_writel(qts(), e + 4, 0);
        qtest_writel(qts(), e + 8, MSI_DATA + v);
        qtest_writel(qts(), e + 12, 0);
    }
}

/*
 * Write CMD and wait a bounded time for it, unless one is still running
 * (the write is then ignored: no use waiting).  Only the time spent
 * depends on what is read, never what is drawn from the stream.
 */
static void cmd_run(unsigned cmd, uint32_t operand, gint64 wait_us)
{
    gint64 start = g_get_monotonic_time();
    bool busy = qtest_readl(qts(), fz.bar0 + A_CMDSTS) &
                R_CMDSTS_ACTIVE_MASK;

    qtest_writel(qts(), fz.bar0 + A_CMD, cmd << R_CMD_CMD_SHIFT | operand);
    while (!busy && qtest_readl(qts(), fz.bar0 + A_CMDSTS) &
           R_CMDSTS_ACTIVE_MASK) {
        if (g_get_monotonic_time() - start > wait_us) {
            break;
        }
        g_usleep(50);
    }
}

/* Stop or continue the VM: stopping parks the engines, under the BQL */
static void vm_run(bool run)
{
    qtest_qmp_assert_success(qts(), run ? "{'execute': 'cont'}"
                                        : "{'execute': 'stop'}");
    /* Drop the STOP/RESUME events libqtest keeps (none is named "") */
    g_assert_null(qtest_qmp_event_ref(qts(), ""));
    fz.stopped = !run;
}

/*
 * An FLR brings every register back to its reset value at once, whatever
 * ran before it (engines and bottom halves included): nothing may show up
 * after it.
 */
static void check_reset_values(void)
{
    static const struct {
        uint64_t off;
        const char *name;
        uint32_t constant;          /* bits that are not state */
    } regs[] = {
        { A_GENCFG, "GENCFG" }, { A_GENCTRL, "GENCTRL" },
        { A_GENSTS, "GENSTS" }, { A_INTCAUSE, "INTCAUSE" },
        { A_CMDSTS, "CMDSTS" }, { A_SWERR, "SWERR" },
        { A_SWERR2, "SWERR2" }, { DSA_GRPCFG_OFFSET, "GRPCFG0" },
        { DSA_WQCFG_OFFSET + A_WQCFG0, "WQCFG0 of WQ 0" },
        { DSA_WQCFG_OFFSET + A_WQCFG6, "WQCFG6 of WQ 0",
          R_WQCFG6_MODE_SUPPORT_MASK },
        { DSA_WQCFG_OFFSET + 3 * DSA_WQCFG_SIZE + A_WQCFG6,
          "WQCFG6 of WQ 3", R_WQCFG6_MODE_SUPPORT_MASK },
    };
    static char msg[128];

    for (unsigned i = 0; i < ARRAY_SIZE(regs); i++) {
        uint32_t v = qtest_readl(qts(), fz.bar0 + regs[i].off) &
                     ~regs[i].constant;

        if (v) {
            snprintf(msg, sizeof(msg), "FLR left %s = 0x%x", regs[i].name, v);
            fail(msg);
        }
    }
}

/*
 * The configuration most operations run against: FLR (bounded, aborts
 * whatever runs), BARs back in their first places, MSI-X, 4 dedicated
 * WQs of 8 in two groups (or one), everything enabled.  Draws from the
 * stream like any other operation; reads nothing it decides on, so the
 * stream stays the same.
 */
static void setup(void)
{
    bool one_group = chance(25);
    unsigned xfer = chance(10) ? 31 : 21;

    fz.setups++;
    if (fz.stopped) {
        vm_run(true);
    }
    if (fz.iommu) {
        qtest_writel(qts(), VTD_BASE + VTD_GCMD, 0);     /* translation off */
    }
    flr(&fz.d);
    bars_place(BAR_SLOT_BASE, BAR_SLOT_BASE + BAR_SIZE,
               PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    check_reset_values();
    msix_program();
    for (int wq = 0; wq < NUM_WQS; wq++) {
        uint64_t base = fz.bar0 + DSA_WQCFG_OFFSET + wq * DSA_WQCFG_SIZE;
        unsigned batch = chance(10) ? rnd(11) : 5;

        qtest_writel(qts(), base + A_WQCFG0, WQ_SIZE);
        qtest_writel(qts(), base + A_WQCFG2, R_WQCFG2_MODE_MASK |
                     (rnd(16) << R_WQCFG2_PRIORITY_SHIFT) |
                     (chance(10) ? R_WQCFG2_BOF_MASK : 0));
        qtest_writel(qts(), base + A_WQCFG3,
                     xfer | batch << R_WQCFG3_MAX_BATCH_SHIFT_SHIFT);
    }
    if (one_group) {
        qtest_writeq(qts(), fz.bar0 + DSA_GRPCFG_OFFSET, 0xf);
        qtest_writeq(qts(), fz.bar0 + DSA_GRPCFG_OFFSET + 32, 0x3);
    } else {
        qtest_writeq(qts(), fz.bar0 + DSA_GRPCFG_OFFSET, 0x3);
        qtest_writeq(qts(), fz.bar0 + DSA_GRPCFG_OFFSET + 32, 0x1);
        qtest_writeq(qts(), fz.bar0 + DSA_GRPCFG_OFFSET + DSA_GRPCFG_SIZE,
                     0xc);
        qtest_writeq(qts(), fz.bar0 + DSA_GRPCFG_OFFSET + DSA_GRPCFG_SIZE +
                     32, 0x2);
    }
    qtest_writel(qts(), fz.bar0 + A_GENCTRL, R_GENCTRL_SOFTERR_INT_EN_MASK |
                 R_GENCTRL_HALT_INT_EN_MASK);
    cmd_run(DSA_CMD_ENABLE_DEVICE, 0, G_USEC_PER_SEC);
    for (int wq = 0; wq < NUM_WQS; wq++) {
        cmd_run(DSA_CMD_ENABLE_WQ, wq, G_USEC_PER_SEC);
    }
}

/* ---- what descriptors are made of ---- */

static uint64_t pick_addr(void)
{
    unsigned k = rnd(100);

    if (k < 55) {
        return fz.buf + (chance(50) ? rnd(BUF_SIZE) & ~63ULL : rnd(BUF_SIZE));
    } else if (k < 62) {
        return RAM_END - 1 - rnd(8192);               /* runs off RAM */
    } else if (k < 67) {
        return chance(50) ? 0xc0000000ULL + rnd(MiB)  /* PCI hole, nothing */
                          : 0x200000000ULL + rnd(GiB);
    } else if (k < 73) {
        return fz.bar0 + rnd(BAR_SIZE);               /* its own registers */
    } else if (k < 79) {
        return fz.bar2 + rnd(BAR_SIZE);               /* its own portals */
    } else if (k < 83) {
        return 0xfee00000ULL + rnd(4 * KiB);          /* MSI */
    } else if (k < 87) {
        return 0;
    } else if (k < 91) {
        return ~0ULL - rnd(128);
    } else if (k < 95) {
        return rnd64();
    }
    return fz.lists + rnd(NUM_LISTS * LIST_DESCS * DSA_DESC_SIZE);
}

static uint32_t pick_size(void)
{
    unsigned k = rnd(1000);

    if (k < 600) {
        return 1 + rnd(4 * KiB);
    } else if (k < 750) {
        return 1 + rnd(64 * KiB);
    } else if (k < 800) {
        return 1 + rnd(MiB);
    } else if (k < 840) {
        return 0;
    } else if (k < 850) {
        return 2 * MiB;                               /* WQ maximum */
    } else if (k < 880) {
        return 2 * MiB + 1 + rnd(64);
    } else if (k < 883) {
        return 1U << 31;                              /* device maximum */
    }
    return rnd64();
}

static uint8_t pick_opcode(bool in_batch)
{
    static const struct {
        uint8_t opcode;
        unsigned weight;
    } ops[] = {
        { DSA_OPCODE_MEMMOVE, 30 }, { DSA_OPCODE_MEMFILL, 15 },
        { DSA_OPCODE_COMPARE, 15 }, { DSA_OPCODE_NOOP, 6 },
        { DSA_OPCODE_DRAIN, 5 }, { DSA_OPCODE_BATCH, 12 },
        { 0x06, 3 },        /* compare pattern */
        { 0x07, 2 },        /* create delta */
        { 0x08, 1 },        /* apply delta */
        { 0x09, 3 },        /* dualcast */
        { 0x10, 2 },        /* CRC generation */
        { 0x11, 1 },        /* copy with CRC */
        { 0x20, 1 },        /* cache flush */
    };
    unsigned total = 0, k;

    if (chance(3)) {
        return rnd(256);
    }
    for (unsigned i = 0; i < ARRAY_SIZE(ops); i++) {
        total += ops[i].weight;
    }
    k = rnd(total);
    for (unsigned i = 0; i < ARRAY_SIZE(ops); i++) {
        if (k < ops[i].weight) {
            /* Batches in batches are refused (0x10): not too many */
            if (in_batch && ops[i].opcode == DSA_OPCODE_BATCH && chance(70)) {
                return DSA_OPCODE_MEMMOVE;
            }
            return ops[i].opcode;
        }
        k -= ops[i].weight;
    }
    return DSA_OPCODE_NOOP;
}

static uint32_t pick_flags(uint8_t opcode)
{
    unsigned k = rnd(100);
    uint32_t f;

    if (k < 80) {
        f = DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR;
        f |= chance(60) ? DSA_OP_FLAG_RCI : 0;
        f |= chance(10) ? DSA_OP_FLAG_FENCE : 0;
        f |= chance(5) ? DSA_OP_FLAG_BOF : 0;
        f |= chance(5) ? DSA_OP_FLAG_CC : 0;
        f |= opcode == DSA_OPCODE_COMPARE && chance(30) ? DSA_OP_FLAG_CR : 0;
    } else if (k < 90) {
        f = rnd64() & DSA_OP_FLAGS_SUPPORTED;
    } else {
        f = rnd64() & 0xffffff;
    }
    return f;
}

static uint64_t pick_cr(void)
{
    if (chance(85)) {
        return fz.crs + rnd(NUM_CRS) * DSA_CR_SIZE;
    }
    return pick_addr();
}

static void make_desc(uint8_t *desc, bool in_batch, unsigned depth);

/* A batch list of count members in one of the list areas; its address */
static uint64_t make_list(uint32_t count, unsigned depth)
{
    uint64_t list = fz.lists + rnd(NUM_LISTS) * LIST_DESCS * DSA_DESC_SIZE;
    uint32_t n = MIN(count, LIST_DESCS);
    uint8_t descs[LIST_DESCS * DSA_DESC_SIZE];

    for (uint32_t i = 0; i < n; i++) {
        make_desc(descs + i * DSA_DESC_SIZE, true, depth + 1);
    }
    if (n) {
        qtest_memwrite(qts(), list, descs, n * DSA_DESC_SIZE);
    }
    return list;
}

static void make_desc(uint8_t *desc, bool in_batch, unsigned depth)
{
    uint8_t opcode = pick_opcode(in_batch);
    uint32_t flags = pick_flags(opcode);
    uint16_t handle = chance(85) ? rnd(NUM_WQS + 1) : rnd(0x10000);
    uint64_t src = 0, dst = 0;
    uint32_t size = 0;

    if (chance(2)) {
        for (int i = 0; i < DSA_DESC_SIZE; i += 8) {
            stq_le_p(desc + i, rnd64());
        }
        return;
    }
    switch (opcode) {
    case DSA_OPCODE_NOOP:
    case DSA_OPCODE_DRAIN:
        break;
    case DSA_OPCODE_BATCH:
        size = chance(85) ? 2 + rnd(LIST_DESCS - 1) : pick_size();
        if (chance(80) && depth == 0) {
            src = make_list(size, depth);
        } else {
            src = pick_addr();
        }
        break;
    case DSA_OPCODE_MEMFILL:
        src = rnd64();
        dst = pick_addr();
        size = pick_size();
        break;
    default:
        src = pick_addr();
        dst = pick_addr();
        size = pick_size();
        /* Mostly apart; overlapping ones run downwards (memmove) */
        if (src >= fz.buf && src < fz.buf + BUF_SIZE / 2 && chance(70)) {
            dst = fz.buf + BUF_SIZE / 2 + rnd(BUF_SIZE / 2);
        }
        break;
    }
    desc_fill(desc, opcode, flags, pick_cr(), src, dst, size, handle);
    if (chance(30)) {
        desc[DSA_DESC_OP_SPECIFIC] = rnd(2);          /* expected result */
    }
    if (chance(5)) {
        desc[38 + rnd(DSA_DESC_SIZE - 38)] = rnd(256);    /* reserved */
    }
    if (chance(5)) {
        stl_le_p(desc, rnd64());                      /* PASID, priv */
    }
}

/* ---- operations ---- */

static uint64_t pick_bar0_offset(unsigned size)
{
    unsigned k = rnd(100);
    uint64_t off;

    if (k < 40) {
        off = rnd(0x100);                             /* registers */
    } else if (k < 55) {
        off = DSA_GRPCFG_OFFSET + rnd(DSA_WQCFG_OFFSET - DSA_GRPCFG_OFFSET);
    } else if (k < 70) {
        off = DSA_WQCFG_OFFSET + rnd(16 * DSA_WQCFG_SIZE);
    } else if (k < 75) {
        off = DSA_MSIX_PERM_OFFSET + rnd(0x100);
    } else if (k < 85) {
        off = DSA_MSIX_TABLE_OFFSET + rnd(0x1100);    /* and the PBA */
    } else if (k < 92) {
        off = DSA_DEBUG_OFFSET + rnd(0x100);
    } else {
        off = rnd(BAR_SIZE);
    }
    if (chance(90)) {
        off &= ~(uint64_t)(size - 1);
    }
    return off;
}

static unsigned pick_access_size(void)
{
    static const unsigned sizes[] = { 1, 2, 4, 4, 4, 8, 8 };

    return sizes[rnd(ARRAY_SIZE(sizes))];
}

static void mmio_access(uint64_t addr, unsigned size, bool write,
                        uint64_t v)
{
    if (write) {
        switch (size) {
        case 1:
            qtest_writeb(qts(), addr, v);
            break;
        case 2:
            qtest_writew(qts(), addr, v);
            break;
        case 4:
            qtest_writel(qts(), addr, v);
            break;
        default:
            qtest_writeq(qts(), addr, v);
            break;
        }
        return;
    }
    switch (size) {
    case 1:
        qtest_readb(qts(), addr);
        break;
    case 2:
        qtest_readw(qts(), addr);
        break;
    case 4:
        qtest_readl(qts(), addr);
        break;
    default:
        qtest_readq(qts(), addr);
        break;
    }
}

static void op_mmio(bool write)
{
    unsigned size = pick_access_size();
    uint64_t off = pick_bar0_offset(size);
    uint64_t v = rnd64();

    /* Values that mean something in a few places, now and then */
    if (chance(30)) {
        v = rnd(2) ? v & 0xff : v & 0xffff;
    }
    note("bar0 %s%u +0x%" PRIx64 " 0x%" PRIx64, write ? "write" : "read",
         size, off, write ? v : 0);
    mmio_access(fz.bar0 + off, size, write, v);
}

static void op_cmd(void)
{
    unsigned k = rnd(100), code;
    uint32_t operand;
    bool wait = chance(50);

    if (k < 85) {
        /* Destructive ones less often, so the device mostly runs */
        static const uint8_t common[] = {
            DSA_CMD_ENABLE_DEVICE, DSA_CMD_ENABLE_WQ, DSA_CMD_ENABLE_WQ,
            DSA_CMD_DRAIN_WQ, DSA_CMD_DRAIN_WQ, DSA_CMD_DRAIN_ALL,
            DSA_CMD_ABORT_WQ, DSA_CMD_ABORT_ALL, DSA_CMD_DISABLE_WQ,
            DSA_CMD_RESET_WQ, DSA_CMD_DISABLE_DEVICE, DSA_CMD_RESET_DEVICE,
            DSA_CMD_REQUEST_INT_HANDLE, DSA_CMD_RELEASE_INT_HANDLE,
            DSA_CMD_DRAIN_PASID, DSA_CMD_ABORT_PASID,
        };
        code = common[rnd(ARRAY_SIZE(common))];
    } else {
        code = rnd(32);
    }
    if (code == DSA_CMD_ENABLE_WQ) {
        operand = chance(90) ? rnd(NUM_WQS) : rnd(1 << 20);
    } else if (chance(80)) {
        operand = chance(70) ? BIT(rnd(NUM_WQS)) : rnd(1 << NUM_WQS);
    } else {
        operand = rnd(1 << 20);
    }
    if (chance(50)) {
        operand |= R_CMD_INT_REQ_MASK;
    }
    note("cmd %u operand 0x%x%s", code, operand, wait ? " wait" : "");
    if (wait) {
        cmd_run(code, operand, 20 * 1000);
    } else {
        qtest_writel(qts(), fz.bar0 + A_CMD,
                     code << R_CMD_CMD_SHIFT | operand);
    }
}

/* Structured configuration writes: plausible values in the right places */
static void op_config(void)
{
    unsigned k = rnd(100);
    unsigned wq = rnd(NUM_WQS + 1), g = rnd(NUM_GROUPS + 1);
    uint64_t off, v;

    if (k < 50) {
        static const uint32_t dw_values[] = { 0, 1, 2, 3 };

        off = DSA_WQCFG_OFFSET + wq * DSA_WQCFG_SIZE + 4 * rnd(8);
        switch ((off % DSA_WQCFG_SIZE) / 4) {
        case 0:
            v = rnd(TOTAL_WQ_SIZE + 4);
            break;
        case 2:
            v = (chance(80) ? R_WQCFG2_MODE_MASK : 0) |
                (rnd(16) << R_WQCFG2_PRIORITY_SHIFT) |
                (chance(10) ? rnd64() & 0x3fffff00 : 0);
            break;
        case 3:
            v = rnd(32) | rnd(16) << R_WQCFG3_MAX_BATCH_SHIFT_SHIFT;
            break;
        default:
            v = chance(50) ? dw_values[rnd(4)] : rnd64();
            break;
        }
        note("wqcfg wq %u +0x%" PRIx64 " 0x%" PRIx64, wq,
             off % DSA_WQCFG_SIZE, v);
        qtest_writel(qts(), fz.bar0 + off, v);
    } else if (k < 80) {
        unsigned qw = rnd(DSA_GRPCFG_QWORDS);

        v = qw == 0 ? rnd(1 << (NUM_WQS + 1)) :
            qw == DSA_GRPCFG_ENGINES ? rnd(1 << (NUM_ENGINES + 1)) : rnd64();
        off = DSA_GRPCFG_OFFSET + g * DSA_GRPCFG_SIZE + qw * 8;
        note("grpcfg %u qword %u 0x%" PRIx64, g, qw, v);
        qtest_writeq(qts(), fz.bar0 + off, v);
    } else if (k < 90) {
        v = rnd(8);
        note("genctrl 0x%" PRIx64, v);
        qtest_writel(qts(), fz.bar0 + A_GENCTRL, v);
    } else {
        static const uint64_t regs[] = {
            A_GENCFG, A_INTCAUSE, A_SWERR, A_EVLCFG, A_EVLCFG1, A_EVLSTATUS,
        };
        uint64_t reg = regs[rnd(ARRAY_SIZE(regs))];

        v = chance(50) ? ~0ULL : rnd64();
        note("register 0x%" PRIx64 " 0x%" PRIx64, reg, v);
        qtest_writeq(qts(), fz.bar0 + reg, v);
    }
}

static void op_submit(void)
{
    uint8_t desc[DSA_DESC_SIZE];
    unsigned wq = rnd(NUM_WQS);
    unsigned page = chance(95) ? rnd(2) : rnd(DSA_PORTALS_PER_WQ);
    uint64_t slot = rnd(DSA_PORTAL_PAGE / DSA_DESC_SIZE) * DSA_DESC_SIZE;
    uint64_t portal = wq * DSA_WQ_PORTAL_STRIDE + page * DSA_PORTAL_PAGE +
                      slot;
    uint32_t w1;

    make_desc(desc, false, 0);
    w1 = ldl_le_p(desc + DSA_DESC_FLAGS_OFFSET);
    note("submit wq %u page %u op 0x%02x flags 0x%06x cr 0x%" PRIx64
         " src 0x%" PRIx64 " dst 0x%" PRIx64 " size 0x%x handle %u",
         wq, page, w1 >> 24, w1 & 0xffffff, ldq_le_p(desc + DSA_DESC_CR_ADDR),
         ldq_le_p(desc + DSA_DESC_SRC), ldq_le_p(desc + DSA_DESC_DST),
         ldl_le_p(desc + DSA_DESC_SIZE_FIELD),
         lduw_le_p(desc + DSA_DESC_INT_HANDLE));
    qtest_memwrite(qts(), fz.bar2 + portal, desc, DSA_DESC_SIZE);
    fz.submitted++;
}

/* Portal writes that are not one MOVDIR64B */
static void op_portal_odd(void)
{
    unsigned size = pick_access_size();
    uint64_t off = rnd(BAR_SIZE);
    unsigned n = 1 + rnd(8);

    if (chance(80)) {
        off &= ~(uint64_t)(size - 1);
    }
    note("portal odd: %u writes of %u from +0x%" PRIx64, n, size, off);
    for (unsigned i = 0; i < n; i++) {
        mmio_access(fz.bar2 + off + i * size, size, chance(90), rnd64());
    }
}

static void op_pci(void)
{
    unsigned k = rnd(100);
    uint16_t cmd = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;

    if (k < 45) {
        cmd = chance(60) ? PCI_COMMAND_MEMORY : cmd;
        note("pci command 0x%x (bus master %s)", cmd,
             cmd & PCI_COMMAND_MASTER ? "on" : "off");
        cfg_writew(PCI_COMMAND, cmd);
    } else if (k < 55) {
        note("pci command 0 (memory decoding off)");
        cfg_writew(PCI_COMMAND, 0);
    } else if (k < 85) {
        uint64_t b0 = BAR_SLOT_BASE + rnd(BAR_SLOTS) * BAR_SIZE;
        uint64_t b2 = chance(20) ? b0 :
                      BAR_SLOT_BASE + rnd(BAR_SLOTS) * BAR_SIZE;

        note("pci bars moved: bar0 0x%" PRIx64 " bar2 0x%" PRIx64, b0, b2);
        bars_place(b0, b2, cmd);
    } else if (k < 95) {
        uint16_t flags = rnd(4) << 14;

        note("msix control 0x%x", flags);
        cfg_writew(fz.msix_cap + PCI_MSIX_FLAGS, flags);
    } else {
        uint16_t ctl = rnd(0x10000) & ~PCI_EXP_DEVCTL_BCR_FLR;

        note("pcie devctl 0x%x", ctl);
        cfg_writew(fz.pcie_cap + PCI_EXP_DEVCTL, ctl);
    }
}

/* MSI-X table entries aimed at RAM, at the device itself, anywhere */
static void op_msix(void)
{
    unsigned v = rnd(NUM_WQS + 1);
    uint64_t e = fz.bar0 + DSA_MSIX_TABLE_OFFSET + v * 16;
    uint64_t addr;
    unsigned k = rnd(100);

    if (k < 40) {
        addr = fz.d.msi_mem + 4 * v;
    } else if (k < 55) {
        addr = fz.bar0 + (chance(50) ? A_CMD : rnd(BAR_SIZE) & ~3ULL);
    } else if (k < 70) {
        addr = fz.bar2 + (rnd(BAR_SIZE) & ~7ULL);
    } else if (k < 85) {
        addr = 0xfee00000ULL + (rnd(256) << 12);
    } else {
        addr = pick_addr() & ~3ULL;
    }
    note("msix vector %u -> 0x%" PRIx64, v, addr);
    qtest_writel(qts(), e, addr);
    qtest_writel(qts(), e + 4, addr >> 32);
    qtest_writel(qts(), e + 8, chance(80) ? MSI_DATA + v : rnd64());
    qtest_writel(qts(), e + 12, chance(90) ? 0 : 1);
}

static void op_debug(void)
{
    unsigned k = rnd(100);
    uint32_t reg, v;

    if (k < 35) {
        reg = DSA_DBG_FAULT_EVERY;
        v = chance(50) ? 0 : 1 + rnd(8);
    } else if (k < 50) {
        reg = DSA_DBG_FAULT_STATUS;
        v = rnd(0x90);
    } else if (k < 65) {
        reg = DSA_DBG_HALT_AFTER;
        v = chance(50) ? 0 : 1 + rnd(20);
    } else if (k < 75) {
        reg = DSA_DBG_HALT_RESET_TYPE;
        v = rnd(4);
    } else if (k < 90) {
        reg = DSA_DBG_PAUSE;
        v = chance(60) ? 0 : 1;
    } else {
        reg = rnd(0x80) & ~3U;
        v = rnd64();
    }
    note("debug 0x%x = 0x%x", reg, v);
    qtest_writel(qts(), fz.bar0 + DSA_DEBUG_OFFSET + reg, v);
}

/* Let the engines run a little, look at what completed, ack interrupts */
static void op_wait(void)
{
    unsigned us = rnd(500);

    note("wait %u us, read SWERR, ack INTCAUSE", us);
    g_usleep(us);
    qtest_readq(qts(), fz.bar0 + A_SWERR);
    qtest_writeq(qts(), fz.bar0 + A_SWERR, 3);
    qtest_writel(qts(), fz.bar0 + A_INTCAUSE, ~0U);
}

/* Enable the device and the WQs again without a reset */
static void op_enable(void)
{
    note("enable device and WQs");
    cfg_writew(PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    qtest_writel(qts(), fz.bar0 + DSA_DEBUG_OFFSET + DSA_DBG_PAUSE, 0);
    cmd_run(DSA_CMD_ENABLE_DEVICE, 0, 50 * 1000);
    for (int wq = 0; wq < NUM_WQS; wq++) {
        cmd_run(DSA_CMD_ENABLE_WQ, wq, 50 * 1000);
    }
}

/* Tally the completion records written so far and clear them */
static void collect_records(void)
{
    uint8_t crs[NUM_CRS * DSA_CR_SIZE];

    qtest_memread(qts(), fz.crs, crs, sizeof(crs));
    for (int i = 0; i < NUM_CRS; i++) {
        fz.status_seen[crs[i * DSA_CR_SIZE]]++;
    }
    qtest_memset(qts(), fz.crs, 0, sizeof(crs));
}

/*
 * Liveness: after a reset the device must run a copy and report it.
 * Anything else means a previous operation left it wedged.
 */
static void check_alive(void)
{
    static char msg[160];
    uint8_t desc[DSA_DESC_SIZE], buf[4096], got[4096];
    uint64_t cr = fz.crs, dst = fz.buf + BUF_SIZE / 2;
    gint64 start;
    uint8_t st = 0;

    note("liveness check: reset, set up, verified 4 KiB copy");
    fz.checks++;
    collect_records();
    setup();
    /* The debug page outlives an FLR: no injected faults, halt or pause */
    qtest_writel(qts(), fz.bar0 + DSA_DEBUG_OFFSET + DSA_DBG_FAULT_EVERY, 0);
    qtest_writel(qts(), fz.bar0 + DSA_DEBUG_OFFSET + DSA_DBG_HALT_AFTER, 0);
    qtest_writel(qts(), fz.bar0 + DSA_DEBUG_OFFSET + DSA_DBG_PAUSE, 0);
    if (qtest_readl(qts(), fz.bar0 + DSA_DEBUG_OFFSET) !=
        DSA_DBG_MAGIC_VALUE) {
        fail("liveness: BAR0 does not answer after FLR and set-up");
    }
    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = rnd(256);
    }
    qtest_memwrite(qts(), fz.check_src, buf, sizeof(buf));
    qtest_memset(qts(), cr, 0, DSA_CR_SIZE);
    desc_fill(desc, DSA_OPCODE_MEMMOVE, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR,
              cr, fz.check_src, dst, sizeof(buf), 0);
    submit(&fz.d, 0, desc);
    start = g_get_monotonic_time();
    while (!(st = qtest_readb(qts(), cr)) &&
           g_get_monotonic_time() - start < 30 * G_USEC_PER_SEC) {
        if (fz.timed) {
            qtest_clock_step(qts(), 10 * 1000);
        }
        g_usleep(200);
    }
    if (st != DSA_COMP_SUCCESS) {
        snprintf(msg, sizeof(msg), "liveness: a 4 KiB copy after FLR and "
                 "set-up ended with status 0x%02x (0: none in 30 s)", st);
        fail(msg);
    }
    qtest_memread(qts(), dst, got, sizeof(got));
    if (memcmp(buf, got, sizeof(buf))) {
        fail("liveness: the copy completed but the data differ");
    }
}

static void op_flr(void)
{
    bool again = chance(80);

    note("FLR%s", again ? ", then set up" : "");
    if (again) {
        setup();
    } else {
        flr(&fz.d);
        bars_place(fz.bar0, fz.bar2, PCI_COMMAND_MEMORY);
        check_reset_values();
    }
}

static void op_clock(void)
{
    int64_t ns = chance(50) ? rnd(1000) : rnd(100 * 1000 * 1000);

    note("clock_step %" PRId64 " ns", ns);
    qtest_clock_step(qts(), ns);
}

static void op_vm(void)
{
    note("vm %s", fz.stopped ? "cont" : "stop");
    vm_run(fz.stopped);
}

/*
 * Behind the vIOMMU: translation on with an empty root table (every DMA
 * of the device faults, each fault raises the vIOMMU's interrupt), or off
 * (identity); the engines map through a bottom half either way.
 */
static void op_iommu(void)
{
    bool on = chance(50);

    if (!fz.iommu) {
        op_vm();
        return;
    }
    note("iommu translation %s", on ? "on, empty root table" : "off");
    if (on) {
        qtest_writeq(qts(), VTD_BASE + VTD_RTADDR, fz.vtd_root);
        qtest_writel(qts(), VTD_BASE + VTD_GCMD, VTD_SRTP);
        qtest_writel(qts(), VTD_BASE + VTD_GCMD, VTD_TE);
    } else {
        qtest_writel(qts(), VTD_BASE + VTD_GCMD, 0);
    }
}

static void op_setup(void)
{
    note("set up (FLR, configure, enable)");
    setup();
}

static void op_read(void)
{
    op_mmio(false);
}

static void op_write(void)
{
    op_mmio(true);
}

static const struct {
    void (*fn)(void);
    const char *name;
    unsigned weight;
} op_table[] = {
    { op_submit, "submit", 430 }, { op_portal_odd, "portal-odd", 30 },
    { op_read, "bar0-read", 110 }, { op_write, "bar0-write", 90 },
    { op_cmd, "cmd", 45 }, { op_config, "config", 60 },
    { op_wait, "wait", 60 }, { op_clock, "clock", 30 },
    { op_pci, "pci", 25 }, { op_msix, "msix", 20 },
    { op_debug, "debug", 12 }, { op_flr, "flr", 6 },
    { op_setup, "setup", 12 }, { op_enable, "enable", 25 },
    { op_vm, "vm-stop-cont", 8 },
    { op_iommu, "iommu", 4 },
};

/* Operations run and time spent, by kind (the last: liveness checks) */
static uint64_t op_count[ARRAY_SIZE(op_table) + 1];
static gint64 op_time[ARRAY_SIZE(op_table) + 1];

static unsigned run_one(void)
{
    unsigned total = 0, k;

    for (unsigned i = 0; i < ARRAY_SIZE(op_table); i++) {
        total += op_table[i].weight;
    }
    k = rnd(total);
    for (unsigned i = 0; i < ARRAY_SIZE(op_table); i++) {
        if (k < op_table[i].weight) {
            op_table[i].fn();
            return i;
        }
        k -= op_table[i].weight;
    }
    g_assert_not_reached();
}

/* ---- arguments ---- */

static uint64_t parse_u64(const char *name, const char *s, uint64_t min,
                          uint64_t max)
{
    char *end;
    guint64 v;

    errno = 0;
    v = g_ascii_strtoull(s, &end, 0);
    if (!*s || *end || errno || *s == '-' || v < min || v > max) {
        fprintf(stderr, FZ_NAME ": %s='%s': want an integer in %" PRIu64
                "..%" PRIu64 " (decimal, or 0x hex)\n", name, s, min, max);
        exit(2);
    }
    return v;
}

static const char *arg_or_env(int argc, char **argv, int i, const char *env,
                              const char *def)
{
    const char *v = i < argc ? argv[i] : getenv(env);

    return v && *v ? v : def;
}

int main(int argc, char **argv)
{
    const char *model;
    uint64_t check_every;
    gint64 wd, t0;
    double secs;

    g_test_init(&argc, &argv, NULL);
    if (argc > 3) {
        fprintf(stderr, "usage: " FZ_NAME " [OPS [SEED]]\n");
        return 2;
    }
    fz.ops = parse_u64("FUZZ_OPS", arg_or_env(argc, argv, 1, "FUZZ_OPS",
                                              "1000000"), 1, 1ULL << 40);
    fz.seed = parse_u64("FUZZ_SEED", arg_or_env(argc, argv, 2, "FUZZ_SEED",
                                                "1"), 0, UINT64_MAX);
    wd = parse_u64("FUZZ_WATCHDOG",
                   arg_or_env(0, NULL, 0, "FUZZ_WATCHDOG", "60"), 5, 3600);
    check_every = parse_u64("FUZZ_CHECK_EVERY",
                            arg_or_env(0, NULL, 0, "FUZZ_CHECK_EVERY",
                                       "10000"), 1, UINT64_MAX);
    trace = getenv("FUZZ_TRACE") && !strcmp(getenv("FUZZ_TRACE"), "1");
    fz.rng = fz.seed;

    /*
     * The seed picks the model, whether a vIOMMU sits in front, and the
     * timed mode (records and interrupts wait for the virtual clock,
     * which only clock steps move here)
     */
    fz.timed = fz.seed & 4;
    model = fz.seed & 1 ? (fz.timed ? ",model=dsa2,timing=on" : ",model=dsa2")
                        : (fz.timed ? ",model=dsa1,timing=on" : ",model=dsa1");
    fz.iommu = fz.seed & 2;
    dsa_start_with(&fz.d, fz.iommu ? "-device intel-iommu" : "", model);
    qtest_add_abrt_handler(report_failure, NULL);
    fz.pcie_cap = qpci_find_capability(fz.d.dev, PCI_CAP_ID_EXP, 0);
    fz.msix_cap = qpci_find_capability(fz.d.dev, PCI_CAP_ID_MSIX, 0);
    /*
     * The root table first, data last: descriptors that run off the end
     * of a buffer reach what lies above it, never what lies below.
     */
    fz.vtd_root = guest_alloc(&fz.d.alloc, 8 * KiB);
    fz.vtd_root = ROUND_UP(fz.vtd_root, 4 * KiB);
    qtest_memset(qts(), fz.vtd_root, 0, 4 * KiB);
    fz.crs = guest_alloc(&fz.d.alloc, NUM_CRS * DSA_CR_SIZE);
    fz.lists = guest_alloc(&fz.d.alloc, NUM_LISTS * LIST_DESCS *
                           DSA_DESC_SIZE);
    fz.check_src = guest_alloc(&fz.d.alloc, 4096);
    fz.buf = guest_alloc(&fz.d.alloc, BUF_SIZE);
    setup();

    fprintf(stderr, FZ_NAME ": seed %" PRIu64 ", %" PRIu64 " operations, "
            "%s%s, watchdog %" PRId64 " s, liveness check every %" PRIu64
            "\n",
            fz.seed, fz.ops, model + 1, fz.iommu ? ", intel-iommu" : "", wd,
            check_every);
    qatomic_set(&op_start, g_get_monotonic_time());
    g_thread_new("watchdog", watchdog, &wd);
    t0 = g_get_monotonic_time();
    for (uint64_t i = 0; i < fz.ops; i++) {
        gint64 start = g_get_monotonic_time();
        unsigned kind = ARRAY_SIZE(op_table);

        qatomic_set(&op_start, start);
        qatomic_set(&op_index, i);
        if (i && i % check_every == 0) {
            check_alive();
        } else {
            kind = run_one();
        }
        op_count[kind]++;
        op_time[kind] += g_get_monotonic_time() - start;
        if ((i + 1) % 100000 == 0) {
            secs = (g_get_monotonic_time() - t0) / 1e6;
            fprintf(stderr, FZ_NAME ": %" PRIu64 "/%" PRIu64 " operations, "
                    "%.1f s, %.0f ops/s\n", i + 1, fz.ops, secs,
                    (i + 1) / secs);
        }
    }
    qatomic_set(&op_start, g_get_monotonic_time());
    qatomic_set(&op_index, fz.ops);
    check_alive();
    collect_records();
    secs = (g_get_monotonic_time() - t0) / 1e6;

    fprintf(stderr, FZ_NAME ": completion statuses seen in the record slots "
            "(status: count):");
    for (int s = 1; s < 256; s++) {
        if (fz.status_seen[s]) {
            fprintf(stderr, " 0x%02x:%" PRIu64, s, fz.status_seen[s]);
        }
    }
    fprintf(stderr, "\n" FZ_NAME ": operations (count, share of the time):");
    for (unsigned k = 0; k <= ARRAY_SIZE(op_table); k++) {
        fprintf(stderr, " %s %" PRIu64 " %.0f%%",
                k < ARRAY_SIZE(op_table) ? op_table[k].name : "liveness",
                op_count[k], op_time[k] / (secs * 1e4));
    }
    fprintf(stderr, "\n");
    printf(FZ_NAME ": PASS seed=%" PRIu64 " ops=%" PRIu64 " seconds=%.1f "
           "ops/s=%.0f submitted=%" PRIu64 " executed=%" PRIu64 " dropped=%"
           PRIu64 " setups=%" PRIu64 " checks=%" PRIu64 "\n", fz.seed, fz.ops,
           secs, fz.ops / secs, fz.submitted,
           qtest_readq(qts(), fz.bar0 + DSA_DEBUG_OFFSET + DSA_DBG_DESCS),
           qtest_readq(qts(), fz.bar0 + DSA_DEBUG_OFFSET + DSA_DBG_DROPPED),
           fz.setups, fz.checks);
    qtest_remove_abrt_handler(NULL);
    dsa_stop(&fz.d);
    return 0;
}
