/*
 * Helpers shared by the intel-dsa qtest and fuzzer: start a q35 machine
 * with the device, reach its BARs, issue commands, submit descriptors
 * and reset the function.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef INTEL_DSA_UTIL_H
#define INTEL_DSA_UTIL_H

#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "libqos/malloc-pc.h"
#include "hw/pci/pci_regs.h"
#include "../../hw/dma/intel-dsa-regs.h"

#define DSA_DEVFN       QPCI_DEVFN(4, 0)
#define NUM_WQS         4
#define NUM_ENGINES     2
#define TOTAL_WQ_SIZE   32
#define RAM_END         (128 * 1024 * 1024)   /* -m 128, below the PCI hole */
#define MSI_DATA        0x4000
/* Generous: the engines are host threads and the host may be loaded */
#define WAIT_US         (30 * 1000 * 1000)

typedef struct DSA {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar0;
    QPCIBar bar2;
    QGuestAllocator alloc;
    uint64_t msi_mem;           /* MSI-X messages land here, 4 bytes each */
} DSA;

void dsa_start_with(DSA *d, const char *pre, const char *extra);
void dsa_start(DSA *d, const char *extra);
void msi_setup(DSA *d);
void dsa_stop(DSA *d);
uint32_t rd32(DSA *d, uint64_t off);
uint64_t rd64(DSA *d, uint64_t off);
void wr32(DSA *d, uint64_t off, uint32_t v);
void wr64(DSA *d, uint64_t off, uint64_t v);
bool msi_fired(DSA *d, int v);
bool timed_out(gint64 start);
bool msi_wait(DSA *d, int v);
uint32_t dsa_cmd(DSA *d, unsigned cmd, uint32_t operand);
void desc_fill(uint8_t *desc, uint8_t opcode, uint32_t flags, uint64_t cr,
               uint64_t src, uint64_t dst, uint32_t size, uint16_t handle);
void submit(DSA *d, int wq, const uint8_t *desc);
void flr(DSA *d);
void flr_recover(DSA *d);

#endif
