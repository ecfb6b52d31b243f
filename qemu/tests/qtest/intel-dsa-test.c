/*
 * QTest for the emulated Intel DSA (intel-dsa): registers, commands,
 * interrupts, the data path through the portals, error codes, fault
 * injection, halt and FLR.  Registers are poked the way idxd does.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "intel-dsa-util.h"

static void wqcfg_write(DSA *d, int wq, uint32_t size, bool dedicated,
                        unsigned xfer_shift)
{
    uint64_t base = DSA_WQCFG_OFFSET + wq * DSA_WQCFG_SIZE;

    wr32(d, base + A_WQCFG0, size);
    wr32(d, base + A_WQCFG2, (dedicated ? R_WQCFG2_MODE_MASK : 0) |
         (10 << R_WQCFG2_PRIORITY_SHIFT));
    wr32(d, base + A_WQCFG3,
         xfer_shift | (5 << R_WQCFG3_MAX_BATCH_SHIFT_SHIFT));
}

/* Group 0 = WQ 0 + both engines; device and WQ 0 enabled */
static void dsa_setup_wq0_cfg(DSA *d, uint32_t size, unsigned batch_shift,
                              unsigned xfer_shift)
{
    g_assert_cmphex(dsa_cmd(d, DSA_CMD_RESET_DEVICE, 0), ==, 0);
    wqcfg_write(d, 0, size, true, 21);
    wr32(d, DSA_WQCFG_OFFSET + A_WQCFG3,
         xfer_shift | batch_shift << R_WQCFG3_MAX_BATCH_SHIFT_SHIFT);
    wr64(d, DSA_GRPCFG_OFFSET, 1);                       /* WQ 0 */
    wr64(d, DSA_GRPCFG_OFFSET + 32, 3);                  /* engines 0, 1 */
    wr32(d, A_GENCTRL, R_GENCTRL_SOFTERR_INT_EN_MASK |
         R_GENCTRL_HALT_INT_EN_MASK);
    g_assert_cmphex(dsa_cmd(d, DSA_CMD_ENABLE_DEVICE, 0), ==, 0);
    g_assert_cmphex(dsa_cmd(d, DSA_CMD_ENABLE_WQ, 0), ==, 0);
    g_assert_cmphex(rd32(d, DSA_WQCFG_OFFSET + A_WQCFG6) >>
                    R_WQCFG6_WQ_STATE_SHIFT, ==, DSA_WQ_ENABLED);
}

static void dsa_setup_wq0_batch(DSA *d, uint32_t size, unsigned batch_shift)
{
    dsa_setup_wq0_cfg(d, size, batch_shift, 21);
}

static void dsa_setup_wq0(DSA *d, uint32_t size)
{
    dsa_setup_wq0_batch(d, size, 5);
}

static uint8_t cr_wait_us(DSA *d, uint64_t cr, gint64 us)
{
    gint64 start = g_get_monotonic_time();

    while (g_get_monotonic_time() - start <= us) {
        uint8_t st = qtest_readb(d->qts, cr);

        if (st) {
            return st;
        }
        g_usleep(1000);
    }
    return 0;
}

/* Wait (bounded) for a completion record; 0 if it never came */
static uint8_t cr_wait(DSA *d, uint64_t cr)
{
    return cr_wait_us(d, cr, WAIT_US);
}

/* Run one descriptor on WQ 0 with a completion record; return its status */
static uint8_t run_desc(DSA *d, uint8_t opcode, uint32_t extra_flags,
                        uint64_t src, uint64_t dst, uint32_t size,
                        uint64_t *cr_out)
{
    uint64_t cr = guest_alloc(&d->alloc, DSA_CR_SIZE);
    uint8_t desc[DSA_DESC_SIZE];

    cr = (cr + 31) & ~31ULL;
    qtest_memset(d->qts, cr, 0, DSA_CR_SIZE);
    desc_fill(desc, opcode, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR |
              DSA_OP_FLAG_RCI | extra_flags, cr, src, dst, size, 1);
    submit(d, 0, desc);
    *cr_out = cr;
    return cr_wait(d, cr);
}

/*
 * The debug page is an emulator-only testing aid behind x-debug-page
 * (the qtests turn it on): by default BAR0 + 0x8000 is a hole, as on
 * silicon, and writing the fault-injection register there injects nothing.
 */
static void test_debug_page_off(void)
{
    DSA d;

    dsa_start(&d, ",x-debug-page=off");
    g_assert_cmphex(rd32(&d, DSA_DEBUG_OFFSET + DSA_DBG_MAGIC), ==, 0);
    wr32(&d, DSA_DEBUG_OFFSET + DSA_DBG_FAULT_EVERY, 1);
    g_assert_cmphex(rd32(&d, DSA_DEBUG_OFFSET + DSA_DBG_FAULT_EVERY), ==, 0);
    g_assert_cmphex(rd32(&d, A_VERSION), ==, DSA_VERSION_1);
    dsa_stop(&d);
}

static void test_reset_values(void)
{
    DSA d;
    uint64_t gencap, wqcap, offsets;

    dsa_start(&d, "");
    g_assert_cmphex(rd32(&d, A_VERSION), ==, DSA_VERSION_1);
    gencap = rd64(&d, A_GENCAP);
    g_assert_cmpint(FIELD_EX64(gencap, GENCAP, MAX_XFER_SHIFT), ==, 31);
    g_assert_cmpint(FIELD_EX64(gencap, GENCAP, MAX_BATCH_SHIFT), ==, 10);
    g_assert_cmpint(FIELD_EX64(gencap, GENCAP, CONFIG_EN), ==, 1);
    g_assert_cmpint(FIELD_EX64(gencap, GENCAP, EVL_SUPPORT), ==, 1);
    g_assert_cmpint(FIELD_EX64(gencap, GENCAP, CMD_CAP), ==, 1);
    wqcap = rd64(&d, A_WQCAP);
    g_assert_cmpint(FIELD_EX64(wqcap, WQCAP, NUM_WQS), ==, NUM_WQS);
    g_assert_cmpint(FIELD_EX64(wqcap, WQCAP, TOTAL_WQ_SIZE), ==,
                    TOTAL_WQ_SIZE);
    g_assert_cmpint(FIELD_EX64(wqcap, WQCAP, DEDICATED_MODE), ==, 1);
    g_assert_cmpint(FIELD_EX64(wqcap, WQCAP, SHARED_MODE), ==, 0);
    g_assert_cmpint(FIELD_EX64(rd64(&d, A_GRPCAP), GRPCAP, NUM_GROUPS), ==,
                    4);
    g_assert_cmpint(FIELD_EX64(rd64(&d, A_ENGCAP), ENGCAP, NUM_ENGINES), ==,
                    NUM_ENGINES);
    g_assert_cmphex(rd64(&d, A_OPCAP) & 0x3f, ==, 0x3f);
    offsets = rd64(&d, A_OFFSETS);
    g_assert_cmphex(FIELD_EX64(offsets, OFFSETS, GRPCFG) * DSA_TABLE_MULT,
                    ==, DSA_GRPCFG_OFFSET);
    g_assert_cmphex(FIELD_EX64(offsets, OFFSETS, WQCFG) * DSA_TABLE_MULT,
                    ==, DSA_WQCFG_OFFSET);
    g_assert_cmphex(rd32(&d, A_GENSTS), ==, 0);
    g_assert_cmphex(rd32(&d, A_CMDSTS), ==, 0);
    g_assert_cmphex(rd32(&d, A_INTCAUSE), ==, 0);
    g_assert_true(rd32(&d, A_CMDCAP) & BIT(DSA_CMD_RESET_WQ));
    for (int i = 0; i < NUM_WQS * DSA_WQCFG_SIZE; i += 4) {
        uint32_t v = rd32(&d, DSA_WQCFG_OFFSET + i);

        if (i % DSA_WQCFG_SIZE == A_WQCFG6) {
            v &= ~R_WQCFG6_MODE_SUPPORT_MASK;
        }
        g_assert_cmphex(v, ==, 0);
    }
    g_assert_cmphex(rd32(&d, DSA_DEBUG_OFFSET + DSA_DBG_MAGIC), ==,
                    DSA_DBG_MAGIC_VALUE);
    dsa_stop(&d);
}

/*
 * model=dsa1 (the default) is Sapphire Rapids' DSA 1.0 and model=dsa2
 * Granite Rapids-D's DSA 2.0: PCI device ID, VERSION and the capabilities
 * DSA 2.0 added agree with each other.  The event log is on unless
 * event-log=off (for idxd's sake, see dsa_has_evl); without it, its enable
 * bits and registers are reserved: writes do not stick.
 */
static void test_models(void)
{
    uint64_t gencap, wqcap;
    DSA d;

    dsa_start(&d, "");
    g_assert_cmphex(qpci_config_readw(d.dev, PCI_DEVICE_ID), ==,
                    DSA_DEVICE_ID_SPR);
    g_assert_cmphex(rd32(&d, A_VERSION), ==, DSA_VERSION_1);
    g_assert_cmpint(FIELD_EX64(rd64(&d, A_GENCAP), GENCAP, EVL_SUPPORT), ==,
                    1);
    dsa_stop(&d);

    dsa_start(&d, ",model=dsa1,event-log=off");
    g_assert_cmphex(qpci_config_readw(d.dev, PCI_DEVICE_ID), ==,
                    DSA_DEVICE_ID_SPR);
    g_assert_cmphex(rd32(&d, A_VERSION), ==, DSA_VERSION_1);
    gencap = rd64(&d, A_GENCAP);
    g_assert_cmpint(FIELD_EX64(gencap, GENCAP, EVL_SUPPORT), ==, 0);
    g_assert_cmpint(FIELD_EX64(gencap, GENCAP, MAX_XFER_SHIFT), ==, 31);
    g_assert_cmpint(FIELD_EX64(gencap, GENCAP, MAX_BATCH_SHIFT), ==, 10);
    wqcap = rd64(&d, A_WQCAP);
    g_assert_cmpint(FIELD_EX64(wqcap, WQCAP, OCCUPANCY), ==, 0);
    g_assert_cmpint(FIELD_EX64(wqcap, WQCAP, WQ_ATS_SUPPORT), ==, 0);
    g_assert_cmpint(FIELD_EX64(wqcap, WQCAP, WQ_PRS_SUPPORT), ==, 0);
    g_assert_cmpint(FIELD_EX64(rd64(&d, A_GRPCAP), GRPCAP, PROGRESS_LIMIT),
                    ==, 0);
    wr32(&d, A_GENCFG, R_GENCFG_EVL_EN_MASK);
    g_assert_cmphex(rd32(&d, A_GENCFG), ==, 0);
    wr32(&d, A_GENCTRL, R_GENCTRL_EVL_INT_EN_MASK);
    g_assert_cmphex(rd32(&d, A_GENCTRL), ==, 0);
    wr64(&d, A_EVLCFG, 0x10000);
    wr64(&d, A_EVLCFG1, DSA_EVL_SIZE_MIN);
    g_assert_cmphex(rd64(&d, A_EVLCFG), ==, 0);
    g_assert_cmphex(rd64(&d, A_EVLCFG1), ==, 0);
    dsa_stop(&d);

    dsa_start(&d, ",model=dsa2");
    g_assert_cmphex(qpci_config_readw(d.dev, PCI_DEVICE_ID), ==,
                    DSA_DEVICE_ID_GNRD);
    g_assert_cmphex(rd32(&d, A_VERSION), ==, DSA_VERSION_2);
    gencap = rd64(&d, A_GENCAP);
    g_assert_cmpint(FIELD_EX64(gencap, GENCAP, EVL_SUPPORT), ==, 1);
    g_assert_cmpint(FIELD_EX64(gencap, GENCAP, MAX_XFER_SHIFT), ==, 31);
    g_assert_cmpint(FIELD_EX64(gencap, GENCAP, MAX_BATCH_SHIFT), ==, 10);
    wqcap = rd64(&d, A_WQCAP);
    g_assert_cmpint(FIELD_EX64(wqcap, WQCAP, OCCUPANCY), ==, 1);
    g_assert_cmpint(FIELD_EX64(wqcap, WQCAP, WQ_ATS_SUPPORT), ==, 1);
    g_assert_cmpint(FIELD_EX64(wqcap, WQCAP, WQ_PRS_SUPPORT), ==, 1);
    g_assert_cmpint(FIELD_EX64(rd64(&d, A_GRPCAP), GRPCAP, PROGRESS_LIMIT),
                    ==, 1);
    wr64(&d, A_EVLCFG, 0x10000);
    wr64(&d, A_EVLCFG1, DSA_EVL_SIZE_MIN);
    g_assert_cmphex(rd64(&d, A_EVLCFG), ==, 0x10000);
    g_assert_cmphex(rd64(&d, A_EVLCFG1), ==, DSA_EVL_SIZE_MIN);
    wr32(&d, A_GENCFG, R_GENCFG_EVL_EN_MASK);
    g_assert_cmphex(rd32(&d, A_GENCFG), ==, R_GENCFG_EVL_EN_MASK);
    /* Progress limits are accepted in GRPFLGCFG (not modelled) */
    wr64(&d, DSA_GRPCFG_OFFSET + 40, DSA_GRPFLG_PROGRESS_LIMITS);
    g_assert_cmphex(rd64(&d, DSA_GRPCFG_OFFSET + 40), ==,
                    DSA_GRPFLG_PROGRESS_LIMITS);
    dsa_stop(&d);
}

/*
 * GENCAP advertises block on fault, as Sapphire Rapids' DSA does: a WQ
 * with WQCFG.bof enables, and a descriptor with the BOF flag is accepted.
 * Without PRS a fault still ends the descriptor with status 0x03.
 */
static void test_block_on_fault(void)
{
    uint64_t base = DSA_WQCFG_OFFSET, buf, cr;
    DSA d;

    dsa_start(&d, "");
    g_assert_cmpint(FIELD_EX64(rd64(&d, A_GENCAP), GENCAP, BLOCK_ON_FAULT),
                    ==, 1);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_RESET_DEVICE, 0), ==, 0);
    wqcfg_write(&d, 0, 8, true, 21);
    wr32(&d, base + A_WQCFG2, rd32(&d, base + A_WQCFG2) | R_WQCFG2_BOF_MASK);
    wr64(&d, DSA_GRPCFG_OFFSET, 1);
    wr64(&d, DSA_GRPCFG_OFFSET + 32, 3);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ENABLE_DEVICE, 0), ==, 0);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ENABLE_WQ, 0), ==, 0);
    g_assert_true(rd32(&d, base + A_WQCFG2) & R_WQCFG2_BOF_MASK);

    buf = guest_alloc(&d.alloc, 8192);
    qtest_memset(d.qts, buf, 0x42, 4096);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, DSA_OP_FLAG_BOF, buf,
                             buf + 4096, 4096, &cr), ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(qtest_readb(d.qts, buf + 8191), ==, 0x42);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, DSA_OP_FLAG_BOF,
                             0x100000000000ULL, buf, 64, &cr), ==,
                    DSA_COMP_PAGE_FAULT_NOBOF);
    g_assert_cmphex(qtest_readq(d.qts, cr + DSA_CR_FAULT_ADDR), ==,
                    0x100000000000ULL);
    dsa_stop(&d);
}

static void test_commands(void)
{
    DSA d;

    /* A device limit below 2^31, so that a WQ can ask for more */
    dsa_start(&d, ",max-xfer-shift=21");
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_RESET_DEVICE, 0), ==, 0);
    g_assert_cmphex(dsa_cmd(&d, 0x1f, 0), ==, DSA_CMDSTS_INVAL_CMD);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ENABLE_WQ, 0), ==,
                    DSA_CMDSTS_ERR_DEV_NOTEN);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_DISABLE_DEVICE, 0), ==,
                    DSA_CMDSTS_ERR_DIS_DEV_EN);

    /* Bad group configurations are refused at Enable Device */
    wqcfg_write(&d, 0, 8, true, 21);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ENABLE_DEVICE, 0), ==,
                    DSA_CMDSTS_ERR_GRP_CONFIG);
    wr64(&d, DSA_GRPCFG_OFFSET, 1);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ENABLE_DEVICE, 0), ==,
                    DSA_CMDSTS_ERR_GRP_CONFIG2);
    wr64(&d, DSA_GRPCFG_OFFSET + 32, 1);
    wqcfg_write(&d, 1, TOTAL_WQ_SIZE, true, 21);
    wr64(&d, DSA_GRPCFG_OFFSET, 3);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ENABLE_DEVICE, 0), ==,
                    DSA_CMDSTS_ERR_WQ_SIZE_ERANGE);
    wqcfg_write(&d, 1, 0, false, 21);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ENABLE_DEVICE, 0), ==, 0);
    g_assert_cmphex(rd32(&d, A_GENSTS) & R_GENSTS_STATE_MASK, ==,
                    DSA_DEV_ENABLED);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ENABLE_DEVICE, 0), ==,
                    DSA_CMDSTS_ERR_DEV_ENABLED);
    /* GRPCFG is read-only while enabled */
    wr64(&d, DSA_GRPCFG_OFFSET, 0);
    g_assert_cmphex(rd64(&d, DSA_GRPCFG_OFFSET), ==, 3);

    /* Enable WQ checks */
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ENABLE_WQ, NUM_WQS), ==,
                    DSA_CMDSTS_INVAL_WQIDX);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ENABLE_WQ, 1), ==,
                    DSA_CMDSTS_ERR_WQ_SIZE);
    wqcfg_write(&d, 1, 4, false, 21);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ENABLE_WQ, 1), ==,
                    DSA_CMDSTS_ERR_WQ_MODE);
    wqcfg_write(&d, 1, 4, true, 22);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ENABLE_WQ, 1), ==,
                    DSA_CMDSTS_ERR_MAX_XFER_SIZE);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ENABLE_WQ, 0), ==, 0);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ENABLE_WQ, 0), ==,
                    DSA_CMDSTS_ERR_WQ_ENABLED);
    /* The config of an enabled WQ ignores writes */
    wr32(&d, DSA_WQCFG_OFFSET + A_WQCFG0, 2);
    g_assert_cmphex(rd32(&d, DSA_WQCFG_OFFSET + A_WQCFG0), ==, 8);

    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_DRAIN_WQ, 1), ==, 0);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ABORT_WQ, 1), ==, 0);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_DISABLE_WQ, 1 << NUM_WQS), ==,
                    DSA_CMDSTS_INVAL_WQIDX);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_DISABLE_WQ, 1), ==, 0);
    g_assert_cmphex(rd32(&d, DSA_WQCFG_OFFSET + A_WQCFG6) >>
                    R_WQCFG6_WQ_STATE_SHIFT, ==, DSA_WQ_DISABLED);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ENABLE_WQ, 0), ==, 0);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_RESET_WQ, 1), ==, 0);
    g_assert_cmphex(rd32(&d, DSA_WQCFG_OFFSET + A_WQCFG0), ==, 0);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_DRAIN_ALL, 0), ==, 0);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ABORT_ALL, 0), ==, 0);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_DISABLE_DEVICE, 0), ==, 0);
    g_assert_cmphex(rd32(&d, A_GENSTS) & R_GENSTS_STATE_MASK, ==,
                    DSA_DEV_DISABLED);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_DISABLE_WQ, 1), ==,
                    DSA_CMDSTS_ERR_DEV_NOT_EN);

    /* Without int_req: status, but no interrupt and no INTCAUSE */
    wr32(&d, A_CMD, DSA_CMD_RESET_DEVICE << R_CMD_CMD_SHIFT);
    g_assert_cmphex(rd32(&d, A_CMDSTS), ==, 0);
    g_assert_false(msi_fired(&d, 0));
    g_assert_cmphex(rd32(&d, A_INTCAUSE), ==, 0);
    dsa_stop(&d);
}

static void test_memmove(void)
{
    const uint32_t size = 2 * 1024 * 1024;
    g_autofree uint8_t *pat = g_malloc(size);
    g_autofree uint8_t *out = g_malloc(size);
    uint64_t src, dst, cr;
    DSA d;

    dsa_start(&d, "");
    dsa_setup_wq0(&d, 8);
    for (uint32_t i = 0; i < size; i++) {
        pat[i] = i * 7 + (i >> 12);
    }
    src = guest_alloc(&d.alloc, size);
    dst = guest_alloc(&d.alloc, size);
    qtest_memwrite(d.qts, src, pat, size);
    qtest_memset(d.qts, dst, 0, size);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, src, dst, size, &cr),
                    ==, DSA_COMP_SUCCESS);
    g_assert_true(msi_wait(&d, 1));
    qtest_memread(d.qts, dst, out, size);
    g_assert_cmpint(memcmp(pat, out, size), ==, 0);

    /* Fill, then compare equal and different */
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMFILL, 0, 0x0123456789abcdefULL,
                             dst, 4096, &cr), ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(qtest_readq(d.qts, dst + 4088), ==, 0x0123456789abcdefULL);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_COMPARE, 0, dst, dst + 1, 4000,
                             &cr), ==, DSA_COMP_SUCCESS);
    g_assert_cmpint(qtest_readb(d.qts, cr + DSA_CR_RESULT), ==, 1);
    g_assert_cmpint(qtest_readl(d.qts, cr + DSA_CR_BYTES_COMPLETED), ==, 0);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_COMPARE, 0, dst, dst + 4096 * 2,
                             0, &cr), ==, DSA_COMP_XFER_ERANGE);
    qtest_memwrite(d.qts, dst + 8192, pat, 64);
    qtest_memwrite(d.qts, dst + 16384, pat, 64);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_COMPARE, 0, dst + 8192,
                             dst + 16384, 64, &cr), ==, DSA_COMP_SUCCESS);
    g_assert_cmpint(qtest_readb(d.qts, cr + DSA_CR_RESULT), ==, 0);

    /* NOOP and DRAIN */
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_NOOP, 0, 0, 0, 0, &cr), ==,
                    DSA_COMP_SUCCESS);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_DRAIN, 0, 0, 0, 0, &cr), ==,
                    DSA_COMP_SUCCESS);
    g_assert_cmpint(rd64(&d, DSA_DEBUG_OFFSET + DSA_DBG_DESCS), ==, 7);
    dsa_stop(&d);
}

static void test_batch(void)
{
    uint8_t list[3][DSA_DESC_SIZE];
    uint64_t src, dst, lst, cr, subcr;
    DSA d;

    dsa_start(&d, "");
    dsa_setup_wq0(&d, 8);
    src = guest_alloc(&d.alloc, 3 * 4096);
    dst = guest_alloc(&d.alloc, 3 * 4096);
    lst = guest_alloc(&d.alloc, 4 * DSA_DESC_SIZE);
    lst = (lst + 63) & ~63ULL;
    subcr = guest_alloc(&d.alloc, 64);
    subcr = (subcr + 31) & ~31ULL;
    qtest_memset(d.qts, src, 0x5a, 3 * 4096);
    for (int i = 0; i < 3; i++) {
        desc_fill(list[i], DSA_OPCODE_MEMMOVE, 0, 0, src + i * 4096,
                  dst + i * 4096, 4096, 0);
    }
    qtest_memwrite(d.qts, lst, list, sizeof(list));
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_BATCH, 0, lst, 0, 3, &cr), ==,
                    DSA_COMP_SUCCESS);
    g_assert_cmpint(qtest_readl(d.qts, cr + DSA_CR_BYTES_COMPLETED), ==, 3);
    g_assert_cmphex(qtest_readb(d.qts, dst + 3 * 4096 - 1), ==, 0x5a);

    /* One bad member (with its own record): Batch Fail */
    desc_fill(list[1], 0x30, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR, subcr, 0, 0,
              0, 0);
    qtest_memwrite(d.qts, lst, list, sizeof(list));
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_BATCH, 0, lst, 0, 3, &cr), ==,
                    DSA_COMP_BATCH_FAIL);
    g_assert_cmpint(qtest_readl(d.qts, cr + DSA_CR_BYTES_COMPLETED), ==, 3);
    g_assert_cmphex(qtest_readb(d.qts, subcr), ==, DSA_COMP_BAD_OPCODE);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_BATCH, 0, lst, 0, 1, &cr), ==,
                    DSA_COMP_DESC_CNT_ERANGE);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_BATCH, 0, lst + 8, 0, 2, &cr), ==,
                    DSA_COMP_DESCLIST_ALIGN);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_BATCH, 0, RAM_END, 0, 2, &cr), ==,
                    DSA_COMP_BATCH_PAGE_FAULT);
    dsa_stop(&d);
}


/*
 * Fence in a batch: once a member completed with a status other than
 * Success, a later member with the Fence flag and every member after it
 * are abandoned: not run, no completion record.  The batch's record
 * counts the members processed (the failed one included) and says Batch
 * Fail.  A false predicate (Compare with Check Result that does not hold)
 * abandons fenced members too, but fails nothing.  Without Fence, members
 * after a failure still run.
 */
static void test_batch_fence(void)
{
    uint8_t list[4][DSA_DESC_SIZE];
    uint64_t src, dst, lst, cr, subcr;
    DSA d;

    dsa_start(&d, "");
    dsa_setup_wq0(&d, 8);
    src = guest_alloc(&d.alloc, 4 * 4096);
    dst = guest_alloc(&d.alloc, 4 * 4096);
    lst = (guest_alloc(&d.alloc, 5 * DSA_DESC_SIZE) + 63) & ~63ULL;
    subcr = (guest_alloc(&d.alloc, 5 * DSA_CR_SIZE) + 31) & ~31ULL;
    qtest_memset(d.qts, src, 0x5a, 4 * 4096);

    /* 0 copies, 1 fails (bad opcode), 2 is fenced, 3 is not */
    for (int i = 0; i < 4; i++) {
        desc_fill(list[i], DSA_OPCODE_MEMMOVE, DSA_OP_FLAG_CRAV |
                  DSA_OP_FLAG_RCR, subcr + i * DSA_CR_SIZE, src + i * 4096,
                  dst + i * 4096, 4096, 0);
    }
    list[1][7] = 0x30;
    stl_le_p(list[2] + DSA_DESC_FLAGS_OFFSET,
             ldl_le_p(list[2] + DSA_DESC_FLAGS_OFFSET) | DSA_OP_FLAG_FENCE);
    qtest_memwrite(d.qts, lst, list, sizeof(list));
    qtest_memset(d.qts, subcr, 0, 4 * DSA_CR_SIZE);
    qtest_memset(d.qts, dst, 0, 4 * 4096);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_BATCH, 0, lst, 0, 4, &cr), ==,
                    DSA_COMP_BATCH_FAIL);
    g_assert_cmpint(qtest_readl(d.qts, cr + DSA_CR_BYTES_COMPLETED), ==, 2);
    g_assert_cmphex(qtest_readb(d.qts, subcr), ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(qtest_readb(d.qts, subcr + DSA_CR_SIZE), ==,
                    DSA_COMP_BAD_OPCODE);
    g_assert_cmphex(qtest_readb(d.qts, dst + 4095), ==, 0x5a);
    /* Abandoned: no record, nothing copied */
    g_assert_cmphex(qtest_readb(d.qts, subcr + 2 * DSA_CR_SIZE), ==, 0);
    g_assert_cmphex(qtest_readb(d.qts, subcr + 3 * DSA_CR_SIZE), ==, 0);
    g_assert_cmphex(qtest_readq(d.qts, dst + 2 * 4096), ==, 0);
    g_assert_cmphex(qtest_readq(d.qts, dst + 4 * 4096 - 8), ==, 0);

    /* Without the fence, member 2 and 3 run after the failure */
    stl_le_p(list[2] + DSA_DESC_FLAGS_OFFSET,
             ldl_le_p(list[2] + DSA_DESC_FLAGS_OFFSET) & ~DSA_OP_FLAG_FENCE);
    qtest_memwrite(d.qts, lst, list, sizeof(list));
    qtest_memset(d.qts, subcr, 0, 4 * DSA_CR_SIZE);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_BATCH, 0, lst, 0, 4, &cr), ==,
                    DSA_COMP_BATCH_FAIL);
    g_assert_cmpint(qtest_readl(d.qts, cr + DSA_CR_BYTES_COMPLETED), ==, 4);
    g_assert_cmphex(qtest_readb(d.qts, subcr + 3 * DSA_CR_SIZE), ==,
                    DSA_COMP_SUCCESS);
    g_assert_cmphex(qtest_readb(d.qts, dst + 4 * 4096 - 1), ==, 0x5a);

    /*
     * A false predicate: 0 compares different buffers expecting equal,
     * 1 (fenced) is abandoned; the batch itself succeeds, 1 of 2 done.
     */
    desc_fill(list[0], DSA_OPCODE_COMPARE, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR |
              DSA_OP_FLAG_CR, subcr, src, dst + 3 * 4096, 4096, 0);
    desc_fill(list[1], DSA_OPCODE_MEMFILL, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR |
              DSA_OP_FLAG_FENCE, subcr + DSA_CR_SIZE, 0x1111111111111111ULL,
              dst, 4096, 0);
    qtest_memwrite(d.qts, lst, list, 2 * DSA_DESC_SIZE);
    qtest_memset(d.qts, subcr, 0, 4 * DSA_CR_SIZE);
    qtest_memset(d.qts, dst + 3 * 4096, 0, 4096);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_BATCH, 0, lst, 0, 2, &cr), ==,
                    DSA_COMP_SUCCESS);
    g_assert_cmpint(qtest_readl(d.qts, cr + DSA_CR_BYTES_COMPLETED), ==, 1);
    g_assert_cmphex(qtest_readb(d.qts, subcr), ==, DSA_COMP_SUCCESS_PRED);
    g_assert_cmphex(qtest_readb(d.qts, subcr + DSA_CR_SIZE), ==, 0);
    g_assert_cmphex(qtest_readb(d.qts, dst), ==, 0x5a);
    dsa_stop(&d);
}

/*
 * GENCAP.overlap_copy is 1 on both models, as on the parts: a Memory Move
 * whose buffers overlap copies as memmove() does, in either direction and
 * across the device's internal pieces (64 KiB).  When the destination
 * starts inside the source the copy runs from the end, so a page fault
 * leaves the end copied: Result 1, Bytes Completed from the end, the
 * fault address the highest byte not copied.
 */
static void overlap_case(DSA *d, uint64_t buf, uint8_t *pat, uint8_t *out,
                         uint32_t len, uint32_t src_off, uint32_t dst_off,
                         uint32_t size)
{
    g_autofree uint8_t *want = g_memdup2(pat, len);
    uint64_t cr;

    memmove(want + dst_off, want + src_off, size);
    qtest_memwrite(d->qts, buf, pat, len);
    g_assert_cmphex(run_desc(d, DSA_OPCODE_MEMMOVE, 0, buf + src_off,
                             buf + dst_off, size, &cr), ==, DSA_COMP_SUCCESS);
    qtest_memread(d->qts, buf, out, len);
    g_assert_cmpint(memcmp(want, out, len), ==, 0);
}

static void test_overlap_copy(void)
{
    const uint32_t len = 256 * KiB;
    g_autofree uint8_t *pat = g_malloc(len);
    g_autofree uint8_t *out = g_malloc(len);
    const char *models[] = { "", ",model=dsa2" };
    uint64_t buf, cr;
    DSA d;

    for (uint32_t i = 0; i < len; i++) {
        pat[i] = i * 13 + (i >> 9);
    }
    for (unsigned m = 0; m < ARRAY_SIZE(models); m++) {
        dsa_start(&d, models[m]);
        g_assert_cmpint(FIELD_EX64(rd64(&d, A_GENCAP), GENCAP, OVERLAP_COPY),
                        ==, 1);
        dsa_setup_wq0(&d, 8);
        buf = guest_alloc(&d.alloc, len);
        overlap_case(&d, buf, pat, out, len, 0, 64, 128);
        overlap_case(&d, buf, pat, out, len, 64, 0, 128);
        overlap_case(&d, buf, pat, out, len, 0, 1, 8191);
        /* Several pieces: 200 KiB moved up and down by 1000 bytes */
        overlap_case(&d, buf, pat, out, len, 0, 1000, 200 * KiB);
        overlap_case(&d, buf, pat, out, len, 1000, 0, 200 * KiB);
        /* Fully the same buffer */
        overlap_case(&d, buf, pat, out, len, 4096, 4096, 4096);

        /* Copying down from the end runs off RAM at once: nothing done */
        g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, RAM_END - 8192,
                                 RAM_END - 4096, 8192, &cr), ==,
                        DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
        g_assert_cmpint(qtest_readb(d.qts, cr + DSA_CR_RESULT), ==, 1);
        g_assert_cmpint(qtest_readl(d.qts, cr + DSA_CR_BYTES_COMPLETED), ==,
                        0);
        g_assert_cmphex(qtest_readq(d.qts, cr + DSA_CR_FAULT_ADDR), ==,
                        RAM_END + 4095);
        /* Upwards off RAM: Result 0, the start copied */
        g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, RAM_END - 4096,
                                 RAM_END - 8192, 8192, &cr), ==,
                        DSA_COMP_PAGE_FAULT_NOBOF);
        g_assert_cmpint(qtest_readb(d.qts, cr + DSA_CR_RESULT), ==, 0);
        g_assert_cmpint(qtest_readl(d.qts, cr + DSA_CR_BYTES_COMPLETED), ==,
                        4096);
        g_assert_cmphex(qtest_readq(d.qts, cr + DSA_CR_FAULT_ADDR), ==,
                        RAM_END);
        dsa_stop(&d);
    }
}

/* Reset; event log of @entries at @log; WQ 0 (8 entries) in group 0 */
static void dsa_setup_evl(DSA *d, uint64_t log, uint32_t entries)
{
    g_assert_cmphex(dsa_cmd(d, DSA_CMD_RESET_DEVICE, 0), ==, 0);
    wr64(d, A_EVLCFG, log);
    wr64(d, A_EVLCFG1, entries);
    wr32(d, A_GENCFG, R_GENCFG_EVL_EN_MASK);
    wqcfg_write(d, 0, 8, true, 21);
    wr64(d, DSA_GRPCFG_OFFSET, 1);
    wr64(d, DSA_GRPCFG_OFFSET + 32, 3);
    wr32(d, A_GENCTRL, R_GENCTRL_SOFTERR_INT_EN_MASK |
         R_GENCTRL_EVL_INT_EN_MASK);
    g_assert_cmphex(dsa_cmd(d, DSA_CMD_ENABLE_DEVICE, 0), ==, 0);
    g_assert_cmphex(dsa_cmd(d, DSA_CMD_ENABLE_WQ, 0), ==, 0);
}

/* Wait (bounded) until EVLSTATUS.tail is @tail */
static void evl_wait_tail(DSA *d, uint32_t tail)
{
    gint64 start = g_get_monotonic_time();

    while (FIELD_EX64(rd64(d, A_EVLSTATUS), EVLSTATUS, TAIL) != tail) {
        g_assert_false(timed_out(start));
        g_usleep(1000);
    }
}

/*
 * With the event log enabled (GENCFG.evl_en, as idxd sets it up), an
 * error with no completion record to go to is an entry in the log, not
 * SWERR: a 32-byte header laid out as SWERR, then the record the
 * descriptor would have had.  Tail advances; Interrupt Pending and
 * INTCAUSE.EVL with vector 0, once until software clears Interrupt
 * Pending; software moves Head.  A full log sends errors to SWERR.  On
 * both models (dsa1 has the log by default, see test_models).
 */
static void test_event_log(void)
{
    const char *models[] = { "", ",model=dsa2" };
    uint8_t desc[DSA_DESC_SIZE];
    uint64_t buf, log, e, cr;
    uint32_t entries = DSA_EVL_SIZE_MIN;
    DSA d;

    for (unsigned m = 0; m < ARRAY_SIZE(models); m++) {
        dsa_start(&d, models[m]);
        log = (guest_alloc(&d.alloc, 2 * entries * DSA_EVL_ENTRY_SIZE) +
               4095) & ~4095ULL;
        qtest_memset(d.qts, log, 0, entries * DSA_EVL_ENTRY_SIZE);
        dsa_setup_evl(&d, log, entries);
        buf = guest_alloc(&d.alloc, 8192);
        g_assert_cmphex(rd64(&d, A_EVLSTATUS), ==, 0);

        /* A page fault on a write, no record: entry 0 */
        desc_fill(desc, DSA_OPCODE_MEMMOVE, 0, 0, buf, RAM_END, 64, 0);
        submit(&d, 0, desc);
        g_assert_true(msi_wait(&d, 0));
        evl_wait_tail(&d, 1);
        g_assert_cmphex(rd32(&d, A_INTCAUSE), ==, DSA_INTC_EVL);
        g_assert_true(rd64(&d, A_EVLSTATUS) & R_EVLSTATUS_INT_PENDING_MASK);
        g_assert_false(FIELD_EX64(rd64(&d, A_SWERR), SWERR, VALID));
        e = qtest_readq(d.qts, log);
        g_assert_cmphex(FIELD_EX64(e, SWERR, ERROR), ==,
                        DSA_COMP_PAGE_FAULT_NOBOF);
        g_assert_true(FIELD_EX64(e, SWERR, DESC_VALID));
        g_assert_true(FIELD_EX64(e, SWERR, WQ_IDX_VALID));
        g_assert_true(FIELD_EX64(e, SWERR, FAULT_RW));
        g_assert_cmphex(FIELD_EX64(e, SWERR, WQ_IDX), ==, 0);
        g_assert_cmphex(FIELD_EX64(e, SWERR, OPERATION), ==,
                        DSA_OPCODE_MEMMOVE);
        g_assert_cmphex(qtest_readq(d.qts, log + DSA_EVL_FAULT_ADDR), ==,
                        RAM_END);
        g_assert_cmphex(qtest_readb(d.qts, log + DSA_EVL_CR), ==,
                        DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
        g_assert_cmphex(qtest_readq(d.qts, log + DSA_EVL_CR +
                                    DSA_CR_FAULT_ADDR), ==, RAM_END);

        /* Still pending: entry 1 (a disabled WQ), no second interrupt */
        wr32(&d, A_INTCAUSE, DSA_INTC_EVL);
        submit(&d, 2, desc);
        evl_wait_tail(&d, 2);
        g_usleep(20 * 1000);
        g_assert_false(msi_fired(&d, 0));
        e = qtest_readq(d.qts, log + DSA_EVL_ENTRY_SIZE);
        g_assert_cmphex(FIELD_EX64(e, SWERR, ERROR), ==,
                        DSA_SWERR_WQ_DISABLED);
        g_assert_cmphex(FIELD_EX64(e, SWERR, WQ_IDX), ==, 2);

        /* Software: clear Interrupt Pending, consume both */
        wr32(&d, A_EVLSTATUS + 4, R_EVLSTATUS_INT_PENDING_MASK >> 32);
        wr32(&d, A_EVLSTATUS, 2);
        g_assert_cmphex(rd64(&d, A_EVLSTATUS), ==,
                        2 | (uint64_t)2 << R_EVLSTATUS_TAIL_SHIFT);
        /* A Head past the log is ignored */
        wr32(&d, A_EVLSTATUS, entries);
        g_assert_cmpint(FIELD_EX64(rd64(&d, A_EVLSTATUS), EVLSTATUS, HEAD),
                        ==, 2);

        /* A misaligned record: entry 2, with handle, RCI and RCR */
        cr = (guest_alloc(&d.alloc, 64) + 31) & ~31ULL;
        desc_fill(desc, DSA_OPCODE_NOOP, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR |
                  DSA_OP_FLAG_RCI, cr + 8, 0, 0, 0, 1);
        submit(&d, 0, desc);
        g_assert_true(msi_wait(&d, 0));
        evl_wait_tail(&d, 3);
        e = qtest_readq(d.qts, log + 2 * DSA_EVL_ENTRY_SIZE);
        g_assert_cmphex(FIELD_EX64(e, SWERR, ERROR), ==, DSA_COMP_CRA_ALIGN);
        g_assert_true(e & DSA_EVL_ERR_INFO_VALID);
        g_assert_cmphex(qtest_readl(d.qts, log + 2 * DSA_EVL_ENTRY_SIZE +
                                    DSA_EVL_INFO), ==,
                        1 | DSA_EVL_INFO_RCI | DSA_EVL_INFO_RCR);
        g_assert_cmphex(qtest_readq(d.qts, log + 2 * DSA_EVL_ENTRY_SIZE +
                                    DSA_EVL_FAULT_ADDR), ==, cr + 8);
        g_assert_cmphex(qtest_readb(d.qts, log + 2 * DSA_EVL_ENTRY_SIZE +
                                    DSA_EVL_CR), ==, DSA_COMP_SUCCESS);
        g_assert_true(msi_fired(&d, 1));        /* RCI still honoured */
        wr32(&d, A_EVLSTATUS + 4, R_EVLSTATUS_INT_PENDING_MASK >> 32);
        wr32(&d, A_INTCAUSE, DSA_INTC_EVL);
        wr32(&d, A_EVLSTATUS, 3);

        /* Full (Tail just behind Head): the next error goes to SWERR */
        desc_fill(desc, DSA_OPCODE_NOOP, 0, 0, 0, 0, 0, 0);
        for (uint32_t i = 0; i < entries - 1; i++) {
            submit(&d, 2, desc);
            evl_wait_tail(&d, (3 + i + 1) % entries);
        }
        g_assert_false(FIELD_EX64(rd64(&d, A_SWERR), SWERR, VALID));
        submit(&d, 2, desc);
        g_assert_true(msi_wait(&d, 0));
        e = rd64(&d, A_SWERR);
        g_assert_true(FIELD_EX64(e, SWERR, VALID));
        g_assert_cmphex(FIELD_EX64(e, SWERR, ERROR), ==,
                        DSA_SWERR_WQ_DISABLED);
        g_assert_true(rd32(&d, A_INTCAUSE) & DSA_INTC_ERR);
        g_assert_cmpint(FIELD_EX64(rd64(&d, A_EVLSTATUS), EVLSTATUS, TAIL),
                        ==, 2);
        dsa_stop(&d);
    }
}
static void test_errors(void)
{
    uint8_t desc[DSA_DESC_SIZE];
    uint64_t buf, cr, edge, swerr;
    DSA d;

    dsa_start(&d, "");
    dsa_setup_wq0(&d, 4);
    buf = guest_alloc(&d.alloc, 16384);

    g_assert_cmphex(run_desc(&d, 0x30, 0, buf, buf + 8192, 64, &cr), ==,
                    DSA_COMP_BAD_OPCODE);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0x40, buf, buf + 8192,
                             64, &cr), ==, DSA_COMP_INVALID_FLAGS);
    g_assert_cmphex(qtest_readl(d.qts, cr + DSA_CR_INVALID_FLAGS), ==, 0x40);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, buf, buf + 8192,
                             (2 << 20) + 1, &cr), ==, DSA_COMP_XFER_ERANGE);

    /* Page faults: unmapped source, and a destination running off RAM */
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, 0x100000000000ULL,
                             buf, 64, &cr), ==, DSA_COMP_PAGE_FAULT_NOBOF);
    g_assert_cmphex(qtest_readq(d.qts, cr + DSA_CR_FAULT_ADDR), ==,
                    0x100000000000ULL);
    g_assert_cmpint(qtest_readl(d.qts, cr + DSA_CR_BYTES_COMPLETED), ==, 0);
    edge = RAM_END - 4096;
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, buf, edge, 8192, &cr),
                    ==, DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
    g_assert_cmphex(qtest_readq(d.qts, cr + DSA_CR_FAULT_ADDR), ==, RAM_END);
    g_assert_cmpint(qtest_readl(d.qts, cr + DSA_CR_BYTES_COMPLETED), ==, 4096);

    /* Interrupt handle that names no vector */
    cr = (guest_alloc(&d.alloc, 64) + 31) & ~31ULL;
    qtest_memset(d.qts, cr, 0, DSA_CR_SIZE);
    desc_fill(desc, DSA_OPCODE_NOOP, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR |
              DSA_OP_FLAG_RCI, cr, 0, 0, 0, 99);
    submit(&d, 0, desc);
    g_assert_cmphex(cr_wait(&d, cr), ==, DSA_COMP_INT_HANDLE_INVAL);

    /* Unusable completion record address: SWERR + INTCAUSE.ERR */
    g_assert_false(msi_fired(&d, 0));
    desc_fill(desc, DSA_OPCODE_NOOP, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR,
              cr + 8, 0, 0, 0, 0);
    submit(&d, 0, desc);
    g_assert_true(msi_wait(&d, 0));
    g_assert_true(rd32(&d, A_INTCAUSE) & DSA_INTC_ERR);
    swerr = rd64(&d, A_SWERR);
    g_assert_true(FIELD_EX64(swerr, SWERR, VALID));
    g_assert_cmphex(FIELD_EX64(swerr, SWERR, ERROR), ==, DSA_COMP_CRA_ALIGN);
    g_assert_cmphex(rd64(&d, A_SWERR2), ==, cr + 8);
    wr64(&d, A_SWERR, swerr & (R_SWERR_VALID_MASK | R_SWERR_OVERFLOW_MASK));
    wr32(&d, A_INTCAUSE, DSA_INTC_ERR);
    g_assert_false(FIELD_EX64(rd64(&d, A_SWERR), SWERR, VALID));
    desc_fill(desc, DSA_OPCODE_NOOP, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR,
              0x100000000000ULL, 0, 0, 0, 0);
    submit(&d, 0, desc);
    g_assert_true(msi_wait(&d, 0));
    g_assert_cmphex(FIELD_EX64(rd64(&d, A_SWERR), SWERR, ERROR), ==,
                    DSA_COMP_CRA_XLAT);
    wr64(&d, A_SWERR, R_SWERR_VALID_MASK | R_SWERR_OVERFLOW_MASK);
    wr32(&d, A_INTCAUSE, DSA_INTC_ERR);

    /* A full WQ (engines paused) drops the descriptor: SWERR */
    wr32(&d, DSA_DEBUG_OFFSET + DSA_DBG_PAUSE, 1);
    desc_fill(desc, DSA_OPCODE_NOOP, 0, 0, 0, 0, 0, 0);
    for (int i = 0; i < 5; i++) {
        submit(&d, 0, desc);
    }
    g_assert_true(msi_wait(&d, 0));
    g_assert_cmphex(FIELD_EX64(rd64(&d, A_SWERR), SWERR, ERROR), ==,
                    DSA_SWERR_WQ_FULL);
    g_assert_cmpint(FIELD_EX32(rd32(&d, DSA_WQCFG_OFFSET + A_WQCFG6),
                               WQCFG6, OCCUPANCY), ==, 4);
    g_assert_cmpint(rd64(&d, DSA_DEBUG_OFFSET + DSA_DBG_DROPPED), ==, 1);
    wr32(&d, DSA_DEBUG_OFFSET + DSA_DBG_PAUSE, 0);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_DRAIN_WQ, 1), ==, 0);
    g_assert_cmpint(FIELD_EX32(rd32(&d, DSA_WQCFG_OFFSET + A_WQCFG6),
                               WQCFG6, OCCUPANCY), ==, 0);
    wr64(&d, A_SWERR, R_SWERR_VALID_MASK | R_SWERR_OVERFLOW_MASK);
    wr32(&d, A_INTCAUSE, DSA_INTC_ERR);

    /* A disabled WQ drops it too */
    submit(&d, 2, desc);
    g_assert_true(msi_wait(&d, 0));
    g_assert_cmphex(FIELD_EX64(rd64(&d, A_SWERR), SWERR, ERROR), ==,
                    DSA_SWERR_WQ_DISABLED);
    dsa_stop(&d);
}

/*
 * A WQ's own limits (WQCFG max_xfer_shift, max_batch_shift), lower than
 * the device's (2 GiB, 1024), hold at execution: a transfer above the
 * WQ's limit completes with 0x13, also as a batch member, and a batch
 * with more descriptors than the WQ's limit with 0x14.
 */
static void test_wq_limits(void)
{
    const uint32_t count = 33;
    g_autofree uint8_t *list = g_malloc0(count * DSA_DESC_SIZE);
    uint64_t buf, lst, cr, subcr;
    DSA d;

    dsa_start(&d, "");
    dsa_setup_wq0_cfg(&d, 8, 5, 12);            /* 32 descriptors, 4 KiB */
    buf = guest_alloc(&d.alloc, 16384);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, buf, buf + 8192, 4096,
                             &cr), ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, buf, buf + 8192, 4097,
                             &cr), ==, DSA_COMP_XFER_ERANGE);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMFILL, 0, 0, buf + 8192, 4097,
                             &cr), ==, DSA_COMP_XFER_ERANGE);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_COMPARE, 0, buf, buf + 8192, 4097,
                             &cr), ==, DSA_COMP_XFER_ERANGE);

    lst = (guest_alloc(&d.alloc, (count + 1) * DSA_DESC_SIZE) + 63) & ~63ULL;
    subcr = (guest_alloc(&d.alloc, 64) + 31) & ~31ULL;
    for (uint32_t i = 0; i < count; i++) {
        desc_fill(list + i * DSA_DESC_SIZE, DSA_OPCODE_NOOP, 0, 0, 0, 0, 0,
                  0);
    }
    qtest_memwrite(d.qts, lst, list, count * DSA_DESC_SIZE);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_BATCH, 0, lst, 0, 32, &cr), ==,
                    DSA_COMP_SUCCESS);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_BATCH, 0, lst, 0, count, &cr), ==,
                    DSA_COMP_DESC_CNT_ERANGE);
    /* A member above the WQ's transfer limit fails the batch */
    qtest_memset(d.qts, subcr, 0, DSA_CR_SIZE);
    desc_fill(list, DSA_OPCODE_MEMMOVE, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR,
              subcr, buf, buf + 8192, 4097, 0);
    qtest_memwrite(d.qts, lst, list, DSA_DESC_SIZE);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_BATCH, 0, lst, 0, 2, &cr), ==,
                    DSA_COMP_BATCH_FAIL);
    g_assert_cmphex(qtest_readb(d.qts, subcr), ==, DSA_COMP_XFER_ERANGE);
    dsa_stop(&d);
}

/*
 * Completion records as DSA 1.0 and the idxd uapi define them: a page
 * fault on a write sets status bit 7 (DSA_COMP_STATUS_WRITE), one on a
 * read does not; Fault Info (byte 2) is reserved in DSA 1.0 and has the
 * write bit in DSA 2.0.  Without a record, SWERR says the same.
 */
static void test_fault_write_bit(void)
{
    uint8_t desc[DSA_DESC_SIZE];
    uint64_t buf, cr, swerr;
    DSA d;

    dsa_start(&d, "");
    dsa_setup_wq0(&d, 8);
    buf = guest_alloc(&d.alloc, 8192);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, buf, RAM_END, 64,
                             &cr), ==,
                    DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
    g_assert_cmphex(qtest_readb(d.qts, cr + DSA_CR_FAULT_INFO), ==, 0);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMFILL, 0, 0, RAM_END, 64, &cr),
                    ==, DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, RAM_END, buf, 64,
                             &cr), ==, DSA_COMP_PAGE_FAULT_NOBOF);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_COMPARE, 0, buf, RAM_END, 64,
                             &cr), ==, DSA_COMP_PAGE_FAULT_NOBOF);

    /* No record: SWERR holds the status and the write bit */
    desc_fill(desc, DSA_OPCODE_MEMMOVE, 0, 0, buf, RAM_END, 64, 0);
    submit(&d, 0, desc);
    g_assert_true(msi_wait(&d, 0));
    swerr = rd64(&d, A_SWERR);
    g_assert_cmphex(FIELD_EX64(swerr, SWERR, ERROR), ==,
                    DSA_COMP_PAGE_FAULT_NOBOF);
    g_assert_true(FIELD_EX64(swerr, SWERR, FAULT_RW));
    g_assert_cmphex(rd64(&d, A_SWERR2), ==, RAM_END);
    dsa_stop(&d);

    dsa_start(&d, ",model=dsa2");
    dsa_setup_wq0(&d, 8);
    buf = guest_alloc(&d.alloc, 8192);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, buf, RAM_END, 64,
                             &cr), ==,
                    DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
    g_assert_cmphex(qtest_readb(d.qts, cr + DSA_CR_FAULT_INFO), ==,
                    DSA_CR_FAULT_INFO_WRITE);
    dsa_stop(&d);
}

/* Run desc (its record at cr) on WQ 0; its status */
static uint8_t run_raw(DSA *d, uint8_t *desc, uint64_t cr)
{
    stq_le_p(desc + DSA_DESC_CR_ADDR, cr);
    qtest_memset(d->qts, cr, 0, DSA_CR_SIZE);
    submit(d, 0, desc);
    return cr_wait(d, cr);
}

/*
 * A descriptor that sets a byte its format reserves completes with 0x12
 * (Non-zero reserved field), and does nothing else.
 */
static void test_reserved_fields(void)
{
    static const struct {
        uint8_t opcode;
        uint8_t byte;
    } cases[] = {
        { DSA_OPCODE_NOOP, DSA_DESC_SRC },
        { DSA_OPCODE_NOOP, DSA_DESC_SIZE_FIELD + 3 },
        { DSA_OPCODE_NOOP, DSA_DESC_INT_HANDLE + 2 },
        { DSA_OPCODE_NOOP, DSA_DESC_SIZE - 1 },
        { DSA_OPCODE_DRAIN, DSA_DESC_SIZE_FIELD },
        { DSA_OPCODE_DRAIN, DSA_DESC_OP_SPECIFIC },
        { DSA_OPCODE_BATCH, DSA_DESC_DST },
        { DSA_OPCODE_BATCH, DSA_DESC_OP_SPECIFIC + 8 },
        { DSA_OPCODE_MEMMOVE, DSA_DESC_OP_SPECIFIC },
        { DSA_OPCODE_MEMMOVE, DSA_DESC_INT_HANDLE + 3 },
        { DSA_OPCODE_MEMFILL, DSA_DESC_OP_SPECIFIC + 7 },
        { DSA_OPCODE_COMPARE, DSA_DESC_OP_SPECIFIC + 1 },
    };
    uint8_t desc[DSA_DESC_SIZE];
    uint64_t buf, lst, cr;
    DSA d;

    dsa_start(&d, "");
    dsa_setup_wq0(&d, 8);
    buf = guest_alloc(&d.alloc, 8192);
    lst = (guest_alloc(&d.alloc, 3 * DSA_DESC_SIZE) + 63) & ~63ULL;
    qtest_memset(d.qts, lst, 0, 2 * DSA_DESC_SIZE);
    cr = (guest_alloc(&d.alloc, 64) + 31) & ~31ULL;
    qtest_memset(d.qts, buf, 0x11, 4096);
    qtest_memset(d.qts, buf + 4096, 0, 4096);
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        uint8_t op = cases[i].opcode;
        bool nop = op == DSA_OPCODE_NOOP || op == DSA_OPCODE_DRAIN;

        desc_fill(desc, op, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR, 0,
                  nop ? 0 : op == DSA_OPCODE_BATCH ? lst : buf,
                  nop || op == DSA_OPCODE_BATCH ? 0 : buf + 4096,
                  nop ? 0 : op == DSA_OPCODE_BATCH ? 2 : 4096, 0);
        /* Well formed, it succeeds */
        g_assert_cmphex(run_raw(&d, desc, cr), ==, DSA_COMP_SUCCESS);
        desc[cases[i].byte] = 0x01;
        g_test_message("opcode %u, byte %u", op, cases[i].byte);
        g_assert_cmphex(run_raw(&d, desc, cr), ==, DSA_COMP_NOZERO_RESERVE);
    }
    /* Nothing was written by the refused ones */
    qtest_memset(d.qts, buf + 4096, 0, 4096);
    desc_fill(desc, DSA_OPCODE_MEMMOVE, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR, 0,
              buf, buf + 4096, 4096, 0);
    desc[DSA_DESC_SIZE - 1] = 0x80;
    g_assert_cmphex(run_raw(&d, desc, cr), ==, DSA_COMP_NOZERO_RESERVE);
    g_assert_cmphex(qtest_readb(d.qts, buf + 4096), ==, 0);
    dsa_stop(&d);
}

static void test_fault_injection(void)
{
    uint64_t src, dst, cr;
    DSA d;

    dsa_start(&d, ",x-fault-every=2,x-fault-status=0x20");
    dsa_setup_wq0(&d, 8);
    src = guest_alloc(&d.alloc, 4096);
    dst = guest_alloc(&d.alloc, 4096);
    for (int i = 1; i <= 6; i++) {
        uint8_t st = run_desc(&d, DSA_OPCODE_MEMMOVE, 0, src, dst, 4096, &cr);

        g_assert_cmphex(st, ==, i % 2 ? DSA_COMP_SUCCESS : 0x20);
    }
    g_assert_cmpint(rd64(&d, DSA_DEBUG_OFFSET + DSA_DBG_FAULTS), ==, 3);
    /* Changed at run time through the debug page */
    wr32(&d, DSA_DEBUG_OFFSET + DSA_DBG_FAULT_STATUS, 0x03);
    wr32(&d, DSA_DEBUG_OFFSET + DSA_DBG_FAULT_EVERY, 1);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, src, dst, 4096, &cr),
                    ==, DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
    g_assert_cmphex(qtest_readq(d.qts, cr + DSA_CR_FAULT_ADDR), ==, dst);
    wr32(&d, DSA_DEBUG_OFFSET + DSA_DBG_FAULT_EVERY, 0);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, src, dst, 4096, &cr),
                    ==, DSA_COMP_SUCCESS);
    dsa_stop(&d);
}

static void test_halt_flr(void)
{
    uint8_t desc[DSA_DESC_SIZE];
    uint64_t src, dst, cr;
    uint8_t exp;
    uint16_t ctl;
    DSA d;

    dsa_start(&d, ",x-halt-after=2");
    dsa_setup_wq0(&d, 8);
    src = guest_alloc(&d.alloc, 4096);
    dst = guest_alloc(&d.alloc, 4096);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, src, dst, 4096, &cr),
                    ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, src, dst, 4096, &cr),
                    ==, DSA_COMP_SUCCESS);
    g_assert_true(msi_wait(&d, 0));
    g_assert_true(rd32(&d, A_INTCAUSE) & DSA_INTC_HALT_STATE);
    g_assert_cmphex(FIELD_EX32(rd32(&d, A_GENSTS), GENSTS, STATE), ==,
                    DSA_DEV_HALT);
    g_assert_cmphex(FIELD_EX32(rd32(&d, A_GENSTS), GENSTS, RESET_TYPE), ==,
                    DSA_RESET_FLR);
    /* Halted: commands fail, descriptors are dropped */
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_RESET_DEVICE, 0), ==,
                    DSA_CMDSTS_HW_ERR);
    cr = (guest_alloc(&d.alloc, 64) + 31) & ~31ULL;
    qtest_memset(d.qts, cr, 0, DSA_CR_SIZE);
    desc_fill(desc, DSA_OPCODE_NOOP, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR, cr,
              0, 0, 0, 0);
    submit(&d, 0, desc);
    g_usleep(100 * 1000);
    g_assert_cmphex(qtest_readb(d.qts, cr), ==, 0);

    /* FLR brings everything back */
    exp = qpci_find_capability(d.dev, PCI_CAP_ID_EXP, 0);
    g_assert_cmpint(exp, !=, 0);
    g_assert_true(qpci_config_readl(d.dev, exp + PCI_EXP_DEVCAP) &
                  PCI_EXP_DEVCAP_FLR);
    ctl = qpci_config_readw(d.dev, exp + PCI_EXP_DEVCTL);
    qpci_config_writew(d.dev, exp + PCI_EXP_DEVCTL,
                       ctl | PCI_EXP_DEVCTL_BCR_FLR);
    g_assert_cmphex(rd32(&d, A_GENSTS), ==, 0);
    g_assert_cmphex(rd64(&d, DSA_GRPCFG_OFFSET), ==, 0);
    /* FLR cleared BARs, the command register and MSI-X: set them again */
    qpci_device_enable(d.dev);
    d.bar2 = qpci_iomap(d.dev, 2, NULL);
    msi_setup(&d);
    dsa_setup_wq0(&d, 8);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, src, dst, 4096, &cr),
                    ==, DSA_COMP_SUCCESS);
    dsa_stop(&d);
}

/* How long a descriptor or command that should finish at once may take */
#define SHORT_WAIT_US   (5 * 1000 * 1000)

static void cr_clear(DSA *d, uint64_t cr)
{
    qtest_memset(d->qts, cr, 0, DSA_CR_SIZE);
}

static void submit_drain(DSA *d, uint64_t cr)
{
    uint8_t desc[DSA_DESC_SIZE];

    desc_fill(desc, DSA_OPCODE_DRAIN, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR, cr,
              0, 0, 0, 0);
    submit(d, 0, desc);
}

/*
 * Two DRAIN descriptors taken by two engines at the same time must not wait
 * for each other (each waits only for what was submitted before it), and
 * Disable WQ must still complete afterwards.  Releasing both from a paused
 * WQ makes both engines take one at once on most rounds.
 */
static void test_drain_two_engines(void)
{
    uint64_t cr;
    DSA d;

    dsa_start(&d, "");
    dsa_setup_wq0(&d, 8);
    cr = (guest_alloc(&d.alloc, 3 * DSA_CR_SIZE) + 31) & ~31ULL;
    for (int i = 0; i < 40; i++) {
        cr_clear(&d, cr);
        cr_clear(&d, cr + DSA_CR_SIZE);
        wr32(&d, DSA_DEBUG_OFFSET + DSA_DBG_PAUSE, 1);
        submit_drain(&d, cr);
        submit_drain(&d, cr + DSA_CR_SIZE);
        wr32(&d, DSA_DEBUG_OFFSET + DSA_DBG_PAUSE, 0);
        g_assert_cmphex(cr_wait_us(&d, cr, SHORT_WAIT_US), ==,
                        DSA_COMP_SUCCESS);
        g_assert_cmphex(cr_wait_us(&d, cr + DSA_CR_SIZE, SHORT_WAIT_US), ==,
                        DSA_COMP_SUCCESS);
    }
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_DISABLE_WQ, 1), ==, 0);
    dsa_stop(&d);
}

/*
 * Wait up to us for the command written to CMD (with int_req) to complete;
 * false if it did not.
 */
static bool cmd_wait_us(DSA *d, gint64 us, uint32_t *sts)
{
    gint64 start = g_get_monotonic_time();

    while ((*sts = rd32(d, A_CMDSTS)) & R_CMDSTS_ACTIVE_MASK) {
        if (g_get_monotonic_time() - start > us) {
            return false;
        }
        g_usleep(1000);
    }
    g_assert_true(msi_wait(d, 0));
    wr32(d, A_INTCAUSE, DSA_INTC_CMD);
    return true;
}

/* Write CMD with int_req and wait up to us for it to complete */
static bool cmd_run_us(DSA *d, unsigned cmd, uint32_t operand, gint64 us,
                       uint32_t *sts)
{
    wr32(d, A_CMD, (cmd << R_CMD_CMD_SHIFT) | operand | R_CMD_INT_REQ_MASK);
    return cmd_wait_us(d, us, sts);
}

/*
 * A BATCH of 1024 members (max-batch-shift 10 on WQ 0): member 0 is a NOOP
 * whose completion record at *running shows that an engine took the batch,
 * the others are MEMMOVEs of size bytes that keep the engine busy for a
 * while; its own completion record goes to cr unless that is 0.
 */
static void long_batch(DSA *d, uint8_t *desc, uint64_t *running, uint64_t cr,
                       uint32_t size)
{
    const uint32_t count = 1024;
    g_autofree uint8_t *list = g_malloc(count * DSA_DESC_SIZE);
    uint64_t src, dst, lst;
    uint32_t flags;

    src = guest_alloc(&d->alloc, size);
    dst = guest_alloc(&d->alloc, size);
    lst = (guest_alloc(&d->alloc, (count + 1) * DSA_DESC_SIZE) + 63) & ~63ULL;
    *running = (guest_alloc(&d->alloc, 2 * DSA_CR_SIZE) + 31) & ~31ULL;
    cr_clear(d, *running);
    desc_fill(list, DSA_OPCODE_NOOP, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR,
              *running, 0, 0, 0, 0);
    for (uint32_t i = 1; i < count; i++) {
        desc_fill(list + i * DSA_DESC_SIZE, DSA_OPCODE_MEMMOVE, 0, 0, src,
                  dst, size, 0);
    }
    qtest_memwrite(d->qts, lst, list, count * DSA_DESC_SIZE);
    flags = cr ? DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR : 0;
    desc_fill(desc, DSA_OPCODE_BATCH, flags, cr, lst, 0, count, 0);
}

static uint32_t wq0_occupancy(DSA *d)
{
    return FIELD_EX32(rd32(d, DSA_WQCFG_OFFSET + A_WQCFG6), WQCFG6,
                      OCCUPANCY);
}

/*
 * Drain WQ waits for the descriptors submitted before the command, not for
 * those submitted while it runs: with a long batch in flight, pause the
 * engines, start Drain WQ, then queue a NOOP that cannot run while paused.
 * The command must complete when the batch does.
 */
static void test_drain_cmd_later_work(void)
{
    uint8_t batch[DSA_DESC_SIZE], noop[DSA_DESC_SIZE];
    uint64_t running;
    uint32_t sts;
    DSA d;

    dsa_start(&d, "");
    dsa_setup_wq0_batch(&d, 8, 10);
    long_batch(&d, batch, &running, 0, 2 * MiB);
    submit(&d, 0, batch);
    g_assert_cmphex(cr_wait(&d, running), ==, DSA_COMP_SUCCESS);
    wr32(&d, DSA_DEBUG_OFFSET + DSA_DBG_PAUSE, 1);
    wr32(&d, A_CMD, (DSA_CMD_DRAIN_WQ << R_CMD_CMD_SHIFT) | 1 |
         R_CMD_INT_REQ_MASK);
    desc_fill(noop, DSA_OPCODE_NOOP, 0, 0, 0, 0, 0, 0);
    submit(&d, 0, noop);
    g_assert_true(cmd_wait_us(&d, SHORT_WAIT_US, &sts));
    g_assert_cmphex(sts, ==, 0);
    g_assert_cmpint(wq0_occupancy(&d), ==, 1);
    /* The NOOP runs once the engines may take work again */
    wr32(&d, DSA_DEBUG_OFFSET + DSA_DBG_PAUSE, 0);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_DISABLE_WQ, 1), ==, 0);
    g_assert_cmpint(wq0_occupancy(&d), ==, 0);
    dsa_stop(&d);
}

/*
 * The guest changes the memory map under running copies: bus mastering and
 * memory decoding toggled many times, each a new FlatView, the old one
 * freed by RCU.  The engines translate in RCU read sections, so they must
 * be registered RCU readers: the batch completes (members that ran while
 * bus mastering was off fault), QEMU survives, and the device still works.
 */
static void test_remap_during_copy(void)
{
    uint8_t batch[DSA_DESC_SIZE];
    uint64_t running, cr, buf;
    uint16_t cmd;
    uint8_t st;
    gint64 start;
    DSA d;

    dsa_start(&d, "");
    dsa_setup_wq0_batch(&d, 8, 10);
    cr = (guest_alloc(&d.alloc, 2 * DSA_CR_SIZE) + 31) & ~31ULL;
    cr_clear(&d, cr);
    long_batch(&d, batch, &running, cr, 2 * MiB);
    submit(&d, 0, batch);
    g_assert_cmphex(cr_wait(&d, running), ==, DSA_COMP_SUCCESS);
    cmd = qpci_config_readw(d.dev, PCI_COMMAND);
    for (int i = 0; i < 200; i++) {
        qpci_config_writew(d.dev, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);
        qpci_config_writew(d.dev, PCI_COMMAND, cmd & ~PCI_COMMAND_MEMORY);
        qpci_config_writew(d.dev, PCI_COMMAND, cmd);
    }
    /* Done when the WQ is empty */
    start = g_get_monotonic_time();
    while (wq0_occupancy(&d)) {
        g_assert_false(timed_out(start));
        g_usleep(1000);
    }
    st = qtest_readb(d.qts, cr);
    if (st) {
        g_assert_true(st == DSA_COMP_SUCCESS || st == DSA_COMP_BATCH_FAIL ||
                      st == DSA_COMP_BATCH_PAGE_FAULT);
    } else {
        /* Lost, or members faulted first: SWERR holds the first error */
        g_assert_true(FIELD_EX64(rd64(&d, A_SWERR), SWERR, VALID));
    }
    buf = guest_alloc(&d.alloc, 8192);
    qtest_memset(d.qts, buf, 0x3c, 4096);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, buf, buf + 4096, 4096,
                             &cr), ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(qtest_readb(d.qts, buf + 8191), ==, 0x3c);
    dsa_stop(&d);
}

/* A bound on work that reset and abort must cut short: tens of GiB */
#define HUGE_XFER_SHIFT 25
#define HUGE_PROPS      ",max-xfer-shift=25"

/*
 * FLR during a batch of 1023 copies of 32 MiB (seconds of copying):
 * the reset runs under the BQL, so it must abort the work in flight at a
 * bounded granularity rather than wait for it to finish.
 */
static void test_flr_during_copy(void)
{
    uint8_t batch[DSA_DESC_SIZE];
    uint64_t running, cr, buf;
    gint64 start, took;
    DSA d;

    dsa_start(&d, HUGE_PROPS);
    dsa_setup_wq0_cfg(&d, 8, 10, HUGE_XFER_SHIFT);
    cr = (guest_alloc(&d.alloc, 2 * DSA_CR_SIZE) + 31) & ~31ULL;
    cr_clear(&d, cr);
    long_batch(&d, batch, &running, cr, 1U << HUGE_XFER_SHIFT);
    submit(&d, 0, batch);
    g_assert_cmphex(cr_wait(&d, running), ==, DSA_COMP_SUCCESS);
    start = g_get_monotonic_time();
    flr(&d);
    took = g_get_monotonic_time() - start;
    g_test_message("FLR took %" PRId64 " us", took);
    g_assert_cmpint(took, <, 500 * 1000);
    /* Aborted: no completion record, nothing left in the WQ */
    g_assert_cmphex(qtest_readb(d.qts, cr), ==, 0);
    g_assert_cmphex(rd32(&d, A_GENSTS), ==, 0);
    flr_recover(&d);
    dsa_setup_wq0(&d, 8);
    buf = guest_alloc(&d.alloc, 8192);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, buf, buf + 4096, 4096,
                             &cr), ==, DSA_COMP_SUCCESS);
    dsa_stop(&d);
}

/* Abort WQ and Reset Device cut a huge batch short too */
static void test_abort_during_copy(void)
{
    uint8_t batch[DSA_DESC_SIZE];
    uint64_t running, cr;
    uint32_t sts;
    DSA d;

    dsa_start(&d, HUGE_PROPS);
    dsa_setup_wq0_cfg(&d, 8, 10, HUGE_XFER_SHIFT);
    cr = (guest_alloc(&d.alloc, 2 * DSA_CR_SIZE) + 31) & ~31ULL;
    cr_clear(&d, cr);
    long_batch(&d, batch, &running, cr, 1U << HUGE_XFER_SHIFT);
    submit(&d, 0, batch);
    g_assert_cmphex(cr_wait(&d, running), ==, DSA_COMP_SUCCESS);
    g_assert_true(cmd_run_us(&d, DSA_CMD_ABORT_WQ, 1, 500 * 1000,
                             &sts));
    g_assert_cmphex(sts, ==, 0);
    g_assert_cmpint(wq0_occupancy(&d), ==, 0);
    g_assert_cmphex(qtest_readb(d.qts, cr), ==, 0);

    /* The WQ stays enabled: the next batch is taken, then Reset Device */
    cr_clear(&d, running);
    submit(&d, 0, batch);
    g_assert_cmphex(cr_wait(&d, running), ==, DSA_COMP_SUCCESS);
    g_assert_true(cmd_run_us(&d, DSA_CMD_RESET_DEVICE, 0, 500 * 1000,
                             &sts));
    g_assert_cmphex(sts, ==, 0);
    g_assert_cmphex(rd32(&d, A_GENSTS), ==, 0);
    g_assert_cmphex(qtest_readb(d.qts, cr), ==, 0);
    dsa_stop(&d);
}

/* VT-d (-device intel-iommu) registers, from the VT-d specification */
#define VTD_BASE        0xfed90000ULL
#define VTD_GCMD        0x18
#define VTD_GSTS        0x1c
#define VTD_RTADDR      0x20
#define VTD_FSTS        0x34
#define VTD_FECTL       0x38
#define VTD_FEDATA      0x3c
#define VTD_FEADDR      0x40
#define VTD_TE          (1U << 31)          /* GCMD and GSTS */
#define VTD_SRTP        (1U << 30)
#define VTD_FSTS_PPF    (1U << 1)

/*
 * A 64 KiB BIOS that only halts (cli; hlt; jmp back to the hlt at the
 * reset vector): a TCG vCPU without firmware that would reprogram the PCI
 * devices behind the test's back.
 */
static char *halt_bios(void)
{
    static const uint8_t code[] = { 0xfa, 0xf4, 0xeb, 0xfd };
    g_autofree uint8_t *img = g_malloc0(64 * KiB);
    GError *err = NULL;
    char *path;
    int fd;

    fd = g_file_open_tmp("intel-dsa-bios-XXXXXX", &path, &err);
    g_assert_no_error(err);
    memcpy(img + 64 * KiB - 16, code, sizeof(code));
    g_assert_cmpint(write(fd, img, 64 * KiB), ==, 64 * KiB);
    close(fd);
    return path;
}

/* Write GCMD and wait (bounded) until GSTS & mask == want */
static void vtd_gcmd(DSA *d, uint32_t cmd, uint32_t mask, uint32_t want)
{
    gint64 start = g_get_monotonic_time();

    qtest_writel(d->qts, VTD_BASE + VTD_GCMD, cmd);
    while ((qtest_readl(d->qts, VTD_BASE + VTD_GSTS) & mask) != want) {
        g_assert_false(timed_out(start));
        g_usleep(1000);
    }
}

/*
 * DMA through a vIOMMU that faults.  Reporting the fault raises the
 * vIOMMU's fault event interrupt, which needs the BQL: an engine thread
 * must leave the translation to the main loop.  Under TCG raising an
 * interrupt without the BQL aborts QEMU, so TCG (with a BIOS that only
 * halts) makes the mistake visible.  The descriptor faults, its record
 * cannot be written either (SWERR), the vIOMMU logged the fault; an FLR
 * works meanwhile, and with translation off the device works again.
 */
static void test_iommu_fault(void)
{
    g_autofree char *bios = halt_bios();
    g_autofree char *pre = g_strdup_printf("-accel tcg -bios %s "
                                           "-device intel-iommu", bios);
    uint8_t desc[DSA_DESC_SIZE];
    uint64_t buf, root, cr;
    gint64 start;
    DSA d;

    dsa_start_with(&d, pre, "");
    dsa_setup_wq0(&d, 8);
    buf = guest_alloc(&d.alloc, 8192);
    root = (guest_alloc(&d.alloc, 8192) + 4095) & ~4095ULL;
    qtest_memset(d.qts, root, 0, 4096);         /* no device is mapped */
    qtest_writel(d.qts, VTD_BASE + VTD_FEADDR, 0xfee00000);
    qtest_writel(d.qts, VTD_BASE + VTD_FEDATA, 0x40);
    qtest_writel(d.qts, VTD_BASE + VTD_FECTL, 0);   /* fault events on */
    qtest_writeq(d.qts, VTD_BASE + VTD_RTADDR, root);
    vtd_gcmd(&d, VTD_SRTP, VTD_SRTP, VTD_SRTP);
    vtd_gcmd(&d, VTD_TE, VTD_TE, VTD_TE);

    cr = (guest_alloc(&d.alloc, 64) + 31) & ~31ULL;
    desc_fill(desc, DSA_OPCODE_MEMMOVE, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR,
              cr, buf, buf + 4096, 4096, 0);
    submit(&d, 0, desc);
    start = g_get_monotonic_time();
    while (!FIELD_EX64(rd64(&d, A_SWERR), SWERR, VALID)) {
        g_assert_false(timed_out(start));
        g_usleep(1000);
    }
    g_assert_cmphex(FIELD_EX64(rd64(&d, A_SWERR), SWERR, ERROR), ==,
                    DSA_COMP_CRA_XLAT);
    g_assert_cmphex(rd64(&d, A_SWERR2), ==, cr);
    g_assert_true(qtest_readl(d.qts, VTD_BASE + VTD_FSTS) & VTD_FSTS_PPF);

    flr(&d);
    g_assert_cmphex(rd32(&d, A_GENSTS), ==, 0);
    vtd_gcmd(&d, 0, VTD_TE, 0);
    flr_recover(&d);
    dsa_setup_wq0(&d, 8);
    qtest_memset(d.qts, buf, 0x77, 4096);
    g_assert_cmphex(run_desc(&d, DSA_OPCODE_MEMMOVE, 0, buf, buf + 4096, 4096,
                             &cr), ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(qtest_readb(d.qts, buf + 8191), ==, 0x77);
    dsa_stop(&d);
    unlink(bios);
}

/*
 * FLR while batches of faulting members keep reporting to SWERR (each
 * copies 32 KiB, then runs off the end of RAM, with no record): errors
 * not yet posted when the reset runs must not appear after it.  The
 * window is small, so try a few times.
 */
static void test_reset_clears_swerr(void)
{
    const uint32_t count = 1024;
    g_autofree uint8_t *list = g_malloc(count * DSA_DESC_SIZE);
    uint8_t batch[DSA_DESC_SIZE];
    uint64_t lst, running, dst;
    DSA d;

    dsa_start(&d, "");
    lst = (guest_alloc(&d.alloc, (count + 1) * DSA_DESC_SIZE) + 63) & ~63ULL;
    running = (guest_alloc(&d.alloc, 2 * DSA_CR_SIZE) + 31) & ~31ULL;
    dst = guest_alloc(&d.alloc, 64 * KiB);
    desc_fill(list, DSA_OPCODE_NOOP, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR,
              running, 0, 0, 0, 0);
    for (uint32_t i = 1; i < count; i++) {
        desc_fill(list + i * DSA_DESC_SIZE, DSA_OPCODE_MEMMOVE, 0, 0,
                  RAM_END - 32 * KiB, dst, 64 * KiB, 0);
    }
    qtest_memwrite(d.qts, lst, list, count * DSA_DESC_SIZE);
    desc_fill(batch, DSA_OPCODE_BATCH, 0, 0, lst, 0, count, 0);
    for (int round = 0; round < 5; round++) {
        if (round) {
            flr_recover(&d);
        }
        dsa_setup_wq0_batch(&d, 8, 10);
        cr_clear(&d, running);
        for (int i = 0; i < 8; i++) {
            submit(&d, 0, batch);
        }
        g_assert_cmphex(cr_wait(&d, running), ==, DSA_COMP_SUCCESS);
        flr(&d);
        g_assert_cmphex(rd64(&d, A_SWERR), ==, 0);
        g_usleep(20 * 1000);                    /* bottom halves ran */
        g_assert_cmphex(rd64(&d, A_SWERR), ==, 0);
        g_assert_cmphex(rd32(&d, A_INTCAUSE), ==, 0);
    }
    dsa_stop(&d);
}

/*
 * WQCFG of a disabled WQ stays writable while the device is enabled, so
 * Enable WQ checks again what Enable Device checked: the WQ is in exactly
 * one group (else no engine serves it) and the enabled WQs fit in
 * WQCAP.total_wq_size (the host memory of the rings).
 */
static void test_enable_wq_checks(void)
{
    DSA d;

    dsa_start(&d, "");
    dsa_setup_wq0(&d, 8);
    /* WQ 1 in no group */
    wqcfg_write(&d, 1, 4, true, 21);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ENABLE_WQ, 1), ==,
                    DSA_CMDSTS_ERR_GRP_CONFIG);
    g_assert_cmphex(rd32(&d, DSA_WQCFG_OFFSET + DSA_WQCFG_SIZE + A_WQCFG6) >>
                    R_WQCFG6_WQ_STATE_SHIFT, ==, DSA_WQ_DISABLED);
    /* WQ 0 again, grown past the total while disabled */
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_DISABLE_WQ, 1), ==, 0);
    wqcfg_write(&d, 0, TOTAL_WQ_SIZE + 1, true, 21);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ENABLE_WQ, 0), ==,
                    DSA_CMDSTS_ERR_WQ_SIZE);
    wqcfg_write(&d, 0, TOTAL_WQ_SIZE, true, 21);
    g_assert_cmphex(dsa_cmd(&d, DSA_CMD_ENABLE_WQ, 0), ==, 0);
    dsa_stop(&d);
}

/*
 * A disabled WQ's WQCFG may be rewritten while Disable WQ still waits for
 * its queued descriptors: those keep the limits they were submitted under.
 */
static void test_wqcfg_while_draining(void)
{
    uint8_t desc[DSA_DESC_SIZE];
    uint64_t src, dst, cr;
    uint32_t sts;
    DSA d;

    dsa_start(&d, "");
    dsa_setup_wq0(&d, 8);
    src = guest_alloc(&d.alloc, 2 * MiB);
    dst = guest_alloc(&d.alloc, 2 * MiB);
    cr = (guest_alloc(&d.alloc, 64) + 31) & ~31ULL;
    cr_clear(&d, cr);
    wr32(&d, DSA_DEBUG_OFFSET + DSA_DBG_PAUSE, 1);
    desc_fill(desc, DSA_OPCODE_MEMMOVE, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR,
              cr, src, dst, 2 * MiB, 0);
    submit(&d, 0, desc);
    wr32(&d, A_CMD, (DSA_CMD_DISABLE_WQ << R_CMD_CMD_SHIFT) | 1 |
         R_CMD_INT_REQ_MASK);
    g_assert_true(rd32(&d, A_CMDSTS) & R_CMDSTS_ACTIVE_MASK);
    wqcfg_write(&d, 0, 8, true, 12);            /* 4 KiB transfers */
    wr32(&d, DSA_DEBUG_OFFSET + DSA_DBG_PAUSE, 0);
    g_assert_cmphex(cr_wait(&d, cr), ==, DSA_COMP_SUCCESS);
    g_assert_true(cmd_wait_us(&d, WAIT_US, &sts));
    g_assert_cmphex(sts, ==, 0);
    dsa_stop(&d);
}

/*
 * MSI-X vector 0 aimed at the device's own CMD register: a command that
 * completes from the bottom half raises vector 0, whose message would
 * write CMD again from inside the device.  The bottom half runs with the
 * device's reentrancy guard, so that write is refused and CMD keeps the
 * command that completed.
 */
static void test_bh_reentrancy(void)
{
    uint64_t bar0;
    uint8_t desc[DSA_DESC_SIZE];
    uint32_t disable_wq;
    gint64 start;
    DSA d;

    dsa_start(&d, "");
    dsa_setup_wq0(&d, 8);
    bar0 = (qpci_config_readl(d.dev, PCI_BASE_ADDRESS_0) & ~0xfULL) |
           (uint64_t)qpci_config_readl(d.dev, PCI_BASE_ADDRESS_1) << 32;
    qpci_io_writel(d.dev, d.bar0, DSA_MSIX_TABLE_OFFSET, bar0 + A_CMD);
    qpci_io_writel(d.dev, d.bar0, DSA_MSIX_TABLE_OFFSET + 4, bar0 >> 32);
    qpci_io_writel(d.dev, d.bar0, DSA_MSIX_TABLE_OFFSET + 8,
                   DSA_CMD_DRAIN_ALL << R_CMD_CMD_SHIFT);

    /* Disable WQ waits for a queued NOOP, so it completes from the BH */
    wr32(&d, DSA_DEBUG_OFFSET + DSA_DBG_PAUSE, 1);
    desc_fill(desc, DSA_OPCODE_NOOP, 0, 0, 0, 0, 0, 0);
    submit(&d, 0, desc);
    disable_wq = DSA_CMD_DISABLE_WQ << R_CMD_CMD_SHIFT | 1;
    wr32(&d, A_CMD, disable_wq | R_CMD_INT_REQ_MASK);
    g_assert_true(rd32(&d, A_CMDSTS) & R_CMDSTS_ACTIVE_MASK);
    wr32(&d, DSA_DEBUG_OFFSET + DSA_DBG_PAUSE, 0);
    start = g_get_monotonic_time();
    while (rd32(&d, A_CMDSTS) & R_CMDSTS_ACTIVE_MASK) {
        g_assert_false(timed_out(start));
        g_usleep(1000);
    }
    g_usleep(20 * 1000);
    g_assert_cmphex(rd32(&d, A_CMD), ==, disable_wq);
    dsa_stop(&d);
}

/*
 * While the VM is stopped the engines touch no guest memory: a queued
 * descriptor waits for "cont", and a batch in flight pauses (a marker
 * written over its destination survives); both finish after "cont".
 */
static void test_vm_stop(void)
{
    uint8_t batch[DSA_DESC_SIZE];
    uint8_t desc[DSA_DESC_SIZE];
    uint64_t running, cr, buf, dst;
    DSA d;

    dsa_start(&d, "");
    dsa_setup_wq0_batch(&d, 8, 10);
    buf = guest_alloc(&d.alloc, 8192);
    qtest_memset(d.qts, buf, 0x11, 4096);
    qtest_memset(d.qts, buf + 4096, 0, 4096);

    qtest_qmp_assert_success(d.qts, "{'execute': 'stop'}");
    cr = (guest_alloc(&d.alloc, 64) + 31) & ~31ULL;
    cr_clear(&d, cr);
    desc_fill(desc, DSA_OPCODE_MEMMOVE, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR, cr,
              buf, buf + 4096, 4096, 0);
    submit(&d, 0, desc);
    g_assert_cmphex(cr_wait_us(&d, cr, 100 * 1000), ==, 0);
    g_assert_cmphex(qtest_readb(d.qts, buf + 4096), ==, 0);
    qtest_qmp_assert_success(d.qts, "{'execute': 'cont'}");
    g_assert_cmphex(cr_wait(&d, cr), ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(qtest_readb(d.qts, buf + 8191), ==, 0x11);

    /* Stopped in the middle of a batch of 2 MiB copies */
    cr_clear(&d, cr);
    long_batch(&d, batch, &running, cr, 2 * MiB);
    dst = ldq_le_p(batch + DSA_DESC_SRC);       /* the member list */
    dst = qtest_readq(d.qts, dst + DSA_DESC_SIZE + DSA_DESC_DST);
    submit(&d, 0, batch);
    g_assert_cmphex(cr_wait(&d, running), ==, DSA_COMP_SUCCESS);
    qtest_qmp_assert_success(d.qts, "{'execute': 'stop'}");
    qtest_writeq(d.qts, dst, 0x5555aaaa5555aaaaULL);
    g_usleep(50 * 1000);
    g_assert_cmphex(qtest_readq(d.qts, dst), ==, 0x5555aaaa5555aaaaULL);
    g_assert_cmphex(qtest_readb(d.qts, cr), ==, 0);
    qtest_qmp_assert_success(d.qts, "{'execute': 'cont'}");
    g_assert_cmphex(cr_wait(&d, cr), ==, DSA_COMP_SUCCESS);
    dsa_stop(&d);
}

/*
 * Submit a 4 KiB MEMMOVE with a record and an interrupt to WQ @wq, return
 * the record
 */
static uint64_t submit_4k_wq(DSA *d, int wq, uint64_t src, uint64_t dst)
{
    uint64_t cr = guest_alloc(&d->alloc, 2 * DSA_CR_SIZE);
    uint8_t desc[DSA_DESC_SIZE];

    cr = (cr + 31) & ~31ULL;
    qtest_memset(d->qts, cr, 0, DSA_CR_SIZE);
    desc_fill(desc, DSA_OPCODE_MEMMOVE, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR |
              DSA_OP_FLAG_RCI, cr, src, dst, 4096, 1);
    submit(d, wq, desc);
    return cr;
}

static uint64_t submit_4k(DSA *d, uint64_t src, uint64_t dst)
{
    return submit_4k_wq(d, 0, src, dst);
}

/* Wait (bounded, host time) until the engines have run n descriptors */
static void engines_ran(DSA *d, uint64_t n)
{
    gint64 start = g_get_monotonic_time();

    while (rd64(d, DSA_DEBUG_OFFSET + DSA_DBG_DESCS) < n) {
        g_assert_false(timed_out(start));
        g_usleep(1000);
    }
}

/*
 * timing=on: the data moves at once, but the record and the interrupt
 * wait for the model's deadline in virtual time (the qtest clock).  With
 * the defaults a 4 KiB copy with an interrupt takes submit 300 + desc 100
 * + 4096 B at 7500 MB/s (547) + completion 200 + irq 1000 = 2147 ns; two
 * engines run two copies in parallel, a third waits for the first engine
 * (free at 300 + 647 = 947): 947 + 647 + 1200 = 2794 ns.  Then a batch,
 * a page fault, and an FLR with a completion waiting.
 */
static void test_timing(void)
{
    uint8_t list[2][DSA_DESC_SIZE], desc[DSA_DESC_SIZE];
    uint64_t src, dst, lst, subcr, cr[3];
    DSA d;

    dsa_start(&d, ",timing=on");
    dsa_setup_wq0(&d, 8);
    src = guest_alloc(&d.alloc, 4096);
    dst = guest_alloc(&d.alloc, 3 * 4096);
    qtest_memset(d.qts, src, 0xa5, 4096);
    qtest_memset(d.qts, dst, 0, 3 * 4096);
    for (int i = 0; i < 3; i++) {
        cr[i] = submit_4k(&d, src, dst + i * 4096);
    }
    engines_ran(&d, 3);
    g_assert_cmphex(qtest_readb(d.qts, dst + 3 * 4096 - 1), ==, 0xa5);
    g_usleep(20 * 1000);
    g_assert_cmphex(qtest_readb(d.qts, cr[0]), ==, 0);
    g_assert_false(msi_fired(&d, 1));

    qtest_clock_step(d.qts, 2146);
    g_assert_cmphex(qtest_readb(d.qts, cr[0]), ==, 0);
    g_assert_cmphex(qtest_readb(d.qts, cr[1]), ==, 0);
    g_assert_false(msi_fired(&d, 1));
    qtest_clock_step(d.qts, 1);
    g_assert_cmphex(qtest_readb(d.qts, cr[0]), ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(qtest_readb(d.qts, cr[1]), ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(qtest_readb(d.qts, cr[2]), ==, 0);
    g_assert_true(msi_fired(&d, 1));
    qtest_clock_step(d.qts, 2794 - 2147 - 1);
    g_assert_cmphex(qtest_readb(d.qts, cr[2]), ==, 0);
    qtest_clock_step(d.qts, 1);
    g_assert_cmphex(qtest_readb(d.qts, cr[2]), ==, DSA_COMP_SUCCESS);
    g_assert_true(msi_fired(&d, 1));

    /*
     * A batch of two 4 KiB copies: 300 + (100 + 400 + 2 * 647) + 200 +
     * 1000 = 3294 ns; its member's record comes with the batch's.
     */
    lst = guest_alloc(&d.alloc, 3 * DSA_DESC_SIZE);
    lst = (lst + 63) & ~63ULL;
    subcr = guest_alloc(&d.alloc, 2 * DSA_CR_SIZE);
    subcr = (subcr + 31) & ~31ULL;
    qtest_memset(d.qts, subcr, 0, DSA_CR_SIZE);
    desc_fill(list[0], DSA_OPCODE_MEMMOVE, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR,
              subcr, src, dst, 4096, 0);
    desc_fill(list[1], DSA_OPCODE_MEMMOVE, 0, 0, src, dst + 4096, 4096, 0);
    qtest_memwrite(d.qts, lst, list, sizeof(list));
    cr[0] = guest_alloc(&d.alloc, 2 * DSA_CR_SIZE);
    cr[0] = (cr[0] + 31) & ~31ULL;
    qtest_memset(d.qts, cr[0], 0, DSA_CR_SIZE);
    desc_fill(desc, DSA_OPCODE_BATCH, DSA_OP_FLAG_CRAV | DSA_OP_FLAG_RCR |
              DSA_OP_FLAG_RCI, cr[0], lst, 0, 2, 1);
    submit(&d, 0, desc);
    engines_ran(&d, 4);
    qtest_clock_step(d.qts, 3293);
    g_assert_cmphex(qtest_readb(d.qts, subcr), ==, 0);
    g_assert_cmphex(qtest_readb(d.qts, cr[0]), ==, 0);
    qtest_clock_step(d.qts, 1);
    g_assert_cmphex(qtest_readb(d.qts, subcr), ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(qtest_readb(d.qts, cr[0]), ==, DSA_COMP_SUCCESS);
    g_assert_true(msi_fired(&d, 1));

    /* A page fault completes fault-ns (2000) later: 2147 + 2000 */
    cr[0] = submit_4k(&d, RAM_END, dst);
    engines_ran(&d, 5);
    qtest_clock_step(d.qts, 4146);
    g_assert_cmphex(qtest_readb(d.qts, cr[0]), ==, 0);
    qtest_clock_step(d.qts, 1);
    g_assert_cmphex(qtest_readb(d.qts, cr[0]), ==, DSA_COMP_PAGE_FAULT_NOBOF);

    /* An FLR drops what waits for its deadline: no record, ever */
    cr[0] = submit_4k(&d, src, dst);
    engines_ran(&d, 6);
    flr(&d);
    qtest_clock_step(d.qts, 1000000);
    g_assert_cmphex(qtest_readb(d.qts, cr[0]), ==, 0);
    dsa_stop(&d);
}

/*
 * Group 0 = WQ 0 (priority @prio0) + WQ 1 (priority @prio1) + engine 0
 * alone, timed; device and both WQs enabled
 */
static void dsa_setup_two_wqs(DSA *d, unsigned prio0, unsigned prio1)
{
    g_assert_cmphex(dsa_cmd(d, DSA_CMD_RESET_DEVICE, 0), ==, 0);
    for (int wq = 0; wq < 2; wq++) {
        uint64_t base = DSA_WQCFG_OFFSET + wq * DSA_WQCFG_SIZE;

        wr32(d, base + A_WQCFG0, 8);
        wr32(d, base + A_WQCFG2, R_WQCFG2_MODE_MASK |
             ((wq ? prio1 : prio0) << R_WQCFG2_PRIORITY_SHIFT));
        wr32(d, base + A_WQCFG3, 21 | (5 << R_WQCFG3_MAX_BATCH_SHIFT_SHIFT));
    }
    wr64(d, DSA_GRPCFG_OFFSET, 3);                       /* WQs 0, 1 */
    wr64(d, DSA_GRPCFG_OFFSET + 32, 1);                  /* engine 0 */
    g_assert_cmphex(dsa_cmd(d, DSA_CMD_ENABLE_DEVICE, 0), ==, 0);
    g_assert_cmphex(dsa_cmd(d, DSA_CMD_ENABLE_WQ, 0), ==, 0);
    g_assert_cmphex(dsa_cmd(d, DSA_CMD_ENABLE_WQ, 1), ==, 0);
}

/* Step the clock to @at ns after the start and check which records landed */
static void timing_expect(DSA *d, int64_t *clock, int64_t at,
                          const uint64_t *cr, unsigned n, uint32_t landed)
{
    uint32_t seen = 0;

    qtest_clock_step(d->qts, at - *clock);
    *clock = at;
    for (unsigned i = 0; i < n; i++) {
        uint8_t st = qtest_readb(d->qts, cr[i]);

        g_assert_true(st == 0 || st == DSA_COMP_SUCCESS);
        seen |= st ? BIT(i) : 0;
    }
    g_test_message("at %" PRId64 " ns: records 0x%x", at, seen);
    g_assert_cmphex(seen, ==, landed);
}

/*
 * The group arbiter in timed mode: one engine, two WQs.  Each 4 KiB copy
 * with an interrupt takes the engine 647 ns and lands 1200 ns after it.
 *
 * Priorities: four copies on WQ 0 (priority 1) at 0; the engine takes the
 * first at 300 (ready), free at 947.  At 400 a copy on WQ 1 (priority 15),
 * ready at 700, overtakes the three waiting ones: it runs 947-1594 and
 * lands at 2794; then WQ 0's at 3441, 4088, 4735.  (Dispatching in
 * submission order would land it last, at 4735.)
 *
 * Equal priorities: three copies on WQ 0 and two on WQ 1, all ready at
 * 300, alternate: WQ 0, 1, 0, 1, 0, landing at 2147 + k * 647.
 */
static void test_timing_priority(void)
{
    uint64_t src, dst, cr[5];
    int64_t clock = 0;
    DSA d;

    dsa_start(&d, ",timing=on");
    dsa_setup_two_wqs(&d, 1, 15);
    src = guest_alloc(&d.alloc, 4096);
    dst = guest_alloc(&d.alloc, 5 * 4096);
    qtest_memset(d.qts, src, 0x5a, 4096);
    for (int i = 0; i < 4; i++) {
        cr[i] = submit_4k_wq(&d, 0, src, dst + i * 4096);
    }
    timing_expect(&d, &clock, 400, cr, 4, 0);
    cr[4] = submit_4k_wq(&d, 1, src, dst + 4 * 4096);
    engines_ran(&d, 5);
    timing_expect(&d, &clock, 2146, cr, 5, 0);
    timing_expect(&d, &clock, 2147, cr, 5, BIT(0));
    timing_expect(&d, &clock, 2793, cr, 5, BIT(0));
    timing_expect(&d, &clock, 2794, cr, 5, BIT(0) | BIT(4));
    timing_expect(&d, &clock, 3440, cr, 5, BIT(0) | BIT(4));
    timing_expect(&d, &clock, 3441, cr, 5, BIT(0) | BIT(1) | BIT(4));
    timing_expect(&d, &clock, 4087, cr, 5, BIT(0) | BIT(1) | BIT(4));
    timing_expect(&d, &clock, 4088, cr, 5, 0x17);
    timing_expect(&d, &clock, 4734, cr, 5, 0x17);
    timing_expect(&d, &clock, 4735, cr, 5, 0x1f);
    g_assert_cmphex(qtest_readb(d.qts, dst + 5 * 4096 - 1), ==, 0x5a);

    /* Equal priorities: round-robin */
    dsa_setup_two_wqs(&d, 10, 10);
    clock = 0;
    for (int i = 0; i < 5; i++) {
        cr[i] = submit_4k_wq(&d, i < 3 ? 0 : 1, src, dst + i * 4096);
    }
    engines_ran(&d, 10);
    timing_expect(&d, &clock, 2146, cr, 5, 0);
    timing_expect(&d, &clock, 2147, cr, 5, BIT(0));
    timing_expect(&d, &clock, 2793, cr, 5, BIT(0));
    timing_expect(&d, &clock, 2794, cr, 5, BIT(0) | BIT(3));
    timing_expect(&d, &clock, 3440, cr, 5, BIT(0) | BIT(3));
    timing_expect(&d, &clock, 3441, cr, 5, BIT(0) | BIT(1) | BIT(3));
    timing_expect(&d, &clock, 4087, cr, 5, BIT(0) | BIT(1) | BIT(3));
    timing_expect(&d, &clock, 4088, cr, 5, 0x1b);
    timing_expect(&d, &clock, 4734, cr, 5, 0x1b);
    timing_expect(&d, &clock, 4735, cr, 5, 0x1f);
    dsa_stop(&d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/intel-dsa/reset-values", test_reset_values);
    qtest_add_func("/intel-dsa/debug-page-off", test_debug_page_off);
    qtest_add_func("/intel-dsa/models", test_models);
    qtest_add_func("/intel-dsa/commands", test_commands);
    qtest_add_func("/intel-dsa/block-on-fault", test_block_on_fault);
    qtest_add_func("/intel-dsa/memmove", test_memmove);
    qtest_add_func("/intel-dsa/batch", test_batch);
    qtest_add_func("/intel-dsa/batch-fence", test_batch_fence);
    qtest_add_func("/intel-dsa/overlap-copy", test_overlap_copy);
    qtest_add_func("/intel-dsa/errors", test_errors);
    qtest_add_func("/intel-dsa/event-log", test_event_log);
    qtest_add_func("/intel-dsa/wq-limits", test_wq_limits);
    qtest_add_func("/intel-dsa/fault-write-bit", test_fault_write_bit);
    qtest_add_func("/intel-dsa/reserved-fields", test_reserved_fields);
    qtest_add_func("/intel-dsa/fault-injection", test_fault_injection);
    qtest_add_func("/intel-dsa/halt-flr", test_halt_flr);
    qtest_add_func("/intel-dsa/drain-two-engines", test_drain_two_engines);
    qtest_add_func("/intel-dsa/drain-cmd-later-work",
                   test_drain_cmd_later_work);
    qtest_add_func("/intel-dsa/remap-during-copy", test_remap_during_copy);
    qtest_add_func("/intel-dsa/flr-during-copy", test_flr_during_copy);
    qtest_add_func("/intel-dsa/abort-during-copy", test_abort_during_copy);
    qtest_add_func("/intel-dsa/iommu-fault", test_iommu_fault);
    qtest_add_func("/intel-dsa/reset-clears-swerr", test_reset_clears_swerr);
    qtest_add_func("/intel-dsa/enable-wq-checks", test_enable_wq_checks);
    qtest_add_func("/intel-dsa/wqcfg-while-draining",
                   test_wqcfg_while_draining);
    qtest_add_func("/intel-dsa/bh-reentrancy", test_bh_reentrancy);
    qtest_add_func("/intel-dsa/vm-stop", test_vm_stop);
    qtest_add_func("/intel-dsa/timing", test_timing);
    qtest_add_func("/intel-dsa/timing-priority", test_timing_priority);
    return g_test_run();
}
