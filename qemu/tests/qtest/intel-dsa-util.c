/*
 * Helpers shared by the intel-dsa qtest and fuzzer (intel-dsa-util.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "intel-dsa-util.h"


/* pre: options before the device (an IOMMU must come first); extra: props */
void dsa_start_with(DSA *d, const char *pre, const char *extra)
{
    uint16_t msix_vec;

    d->qts = qtest_initf("-M q35 -m 128 -nic none %s -device intel-dsa,"
                         "addr=04.0,x-debug-page=on,"
                         "num-wqs=%d,num-engines=%d,wq-size=%d%s",
                         pre, NUM_WQS, NUM_ENGINES, TOTAL_WQ_SIZE, extra);
    pc_alloc_init(&d->alloc, d->qts, ALLOC_NO_FLAGS);
    d->bus = qpci_new_pc(d->qts, &d->alloc);
    d->dev = qpci_device_find(d->bus, DSA_DEVFN);
    g_assert_nonnull(d->dev);
    g_assert_cmphex(qpci_config_readw(d->dev, PCI_VENDOR_ID), ==, 0x8086);
    qpci_device_enable(d->dev);
    d->bar2 = qpci_iomap(d->dev, 2, NULL);

    d->msi_mem = guest_alloc(&d->alloc, 4 * (NUM_WQS + 1));
    msi_setup(d);
    msix_vec = qpci_config_readw(d->dev, PCI_MSIX_FLAGS +
                                 qpci_find_capability(d->dev, PCI_CAP_ID_MSIX,
                                                      0));
    g_assert_cmpint((msix_vec & PCI_MSIX_FLAGS_QSIZE) + 1, ==, NUM_WQS + 1);
}

void dsa_start(DSA *d, const char *extra)
{
    dsa_start_with(d, "", extra);
}

/* Point every MSI-X vector at guest RAM so delivery is observable */
void msi_setup(DSA *d)
{
    /* This maps BAR0, where the MSI-X table lives */
    qpci_msix_enable(d->dev);
    d->bar0 = d->dev->msix_table_bar;
    for (int v = 0; v <= NUM_WQS; v++) {
        uint64_t e = DSA_MSIX_TABLE_OFFSET + v * 16;

        qpci_io_writel(d->dev, d->bar0, e, d->msi_mem + 4 * v);
        qpci_io_writel(d->dev, d->bar0, e + 4, 0);
        qpci_io_writel(d->dev, d->bar0, e + 8, MSI_DATA + v);
        qpci_io_writel(d->dev, d->bar0, e + 12, 0);
        qtest_writel(d->qts, d->msi_mem + 4 * v, 0);
    }
}

void dsa_stop(DSA *d)
{
    g_free(d->dev);
    qpci_free_pc(d->bus);
    alloc_destroy(&d->alloc);
    qtest_quit(d->qts);
}

uint32_t rd32(DSA *d, uint64_t off)
{
    return qpci_io_readl(d->dev, d->bar0, off);
}

uint64_t rd64(DSA *d, uint64_t off)
{
    return qpci_io_readq(d->dev, d->bar0, off);
}

void wr32(DSA *d, uint64_t off, uint32_t v)
{
    qpci_io_writel(d->dev, d->bar0, off, v);
}

void wr64(DSA *d, uint64_t off, uint64_t v)
{
    qpci_io_writeq(d->dev, d->bar0, off, v);
}

/* Did vector v fire since the last call?  (consumes the message) */
bool msi_fired(DSA *d, int v)
{
    uint32_t data = qtest_readl(d->qts, d->msi_mem + 4 * v);

    if (data) {
        qtest_writel(d->qts, d->msi_mem + 4 * v, 0);
        g_assert_cmphex(data, ==, MSI_DATA + v);
    }
    return data != 0;
}

bool timed_out(gint64 start)
{
    return g_get_monotonic_time() - start > WAIT_US;
}

/* Wait (bounded) for an MSI-X message on vector v */
bool msi_wait(DSA *d, int v)
{
    gint64 start = g_get_monotonic_time();

    while (!timed_out(start)) {
        if (msi_fired(d, v)) {
            return true;
        }
        g_usleep(1000);
    }
    return false;
}

/* Issue a command with int_req and return CMDSTS (checks the interrupt) */
uint32_t dsa_cmd(DSA *d, unsigned cmd, uint32_t operand)
{
    gint64 start = g_get_monotonic_time();
    uint32_t sts;

    wr32(d, A_CMD, (cmd << R_CMD_CMD_SHIFT) | operand | R_CMD_INT_REQ_MASK);
    while ((sts = rd32(d, A_CMDSTS)) & R_CMDSTS_ACTIVE_MASK) {
        g_assert_false(timed_out(start));
        g_usleep(1000);
    }
    g_assert_true(msi_wait(d, 0));
    g_assert_true(rd32(d, A_INTCAUSE) & DSA_INTC_CMD);
    wr32(d, A_INTCAUSE, DSA_INTC_CMD);
    g_assert_false(rd32(d, A_INTCAUSE) & DSA_INTC_CMD);
    return sts;
}

void desc_fill(uint8_t *desc, uint8_t opcode, uint32_t flags,
               uint64_t cr, uint64_t src, uint64_t dst, uint32_t size,
               uint16_t handle)
{
    memset(desc, 0, DSA_DESC_SIZE);
    stl_le_p(desc + DSA_DESC_FLAGS_OFFSET, flags | (uint32_t)opcode << 24);
    stq_le_p(desc + DSA_DESC_CR_ADDR, cr);
    stq_le_p(desc + DSA_DESC_SRC, src);
    stq_le_p(desc + DSA_DESC_DST, dst);
    stl_le_p(desc + DSA_DESC_SIZE_FIELD, size);
    stw_le_p(desc + DSA_DESC_INT_HANDLE, handle);
}

void submit(DSA *d, int wq, const uint8_t *desc)
{
    /* Arrives as eight ascending quadword writes, like MOVDIR64B */
    qpci_memwrite(d->dev, d->bar2, wq * DSA_WQ_PORTAL_STRIDE + 0x1000,
                  desc, DSA_DESC_SIZE);
}

void flr(DSA *d)
{
    uint8_t exp = qpci_find_capability(d->dev, PCI_CAP_ID_EXP, 0);
    uint16_t ctl = qpci_config_readw(d->dev, exp + PCI_EXP_DEVCTL);

    qpci_config_writew(d->dev, exp + PCI_EXP_DEVCTL,
                       ctl | PCI_EXP_DEVCTL_BCR_FLR);
}

/* After an FLR: BARs, the command register and MSI-X are set again */
void flr_recover(DSA *d)
{
    qpci_device_enable(d->dev);
    d->bar2 = qpci_iomap(d->dev, 2, NULL);
    msi_setup(d);
}
