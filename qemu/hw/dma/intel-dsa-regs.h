/*
 * Intel Data Streaming Accelerator (DSA): register, descriptor and
 * completion record layout.
 *
 * This is the one place that defines what the guest sees.  Names follow
 * the DSA architecture specification and Linux's
 * drivers/dma/idxd/registers.h and include/uapi/linux/idxd.h, so the
 * three can be read side by side.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_DMA_INTEL_DSA_REGS_H
#define HW_DMA_INTEL_DSA_REGS_H

#include "hw/registerfields.h"

#define DSA_VENDOR_ID               0x8086
#define DSA_DEVICE_ID_SPR           0x0b25    /* Sapphire Rapids, DSA 1.0 */
#define DSA_DEVICE_ID_GNRD          0x11fb    /* Granite Rapids-D, DSA 2.0 */
#define DSA_CLASS_SYSTEM_OTHER      0x0880
#define DSA_VERSION_1               0x100
#define DSA_VERSION_2               0x200

/* BAR0: registers, configuration tables, MSI-X, and our debug page */
#define DSA_BAR0_SIZE               0x10000
#define DSA_REGS_SIZE               0x2000
#define DSA_MSIX_TABLE_OFFSET       0x2000
#define DSA_MSIX_PBA_OFFSET         0x3000
/*
 * Emulator-only debug page (not in the specification, never touched by
 * idxd): fault injection knobs and counters, see DSA_DBG_* below.
 */
#define DSA_DEBUG_OFFSET            0x8000
#define DSA_DEBUG_SIZE              0x1000

/* BAR2: four 4 KiB portal pages per WQ */
#define DSA_PORTAL_PAGE             0x1000
#define DSA_PORTALS_PER_WQ          4
#define DSA_WQ_PORTAL_STRIDE        (DSA_PORTAL_PAGE * DSA_PORTALS_PER_WQ)
#define DSA_DESC_SIZE               64
#define DSA_CR_SIZE                 32

/* Table offsets are reported in units of 0x100 bytes */
#define DSA_TABLE_MULT              0x100
#define DSA_GRPCFG_OFFSET           0x400
#define DSA_GRPCFG_SIZE             64
#define DSA_WQCFG_OFFSET            0x800
#define DSA_WQCFG_SIZE              32        /* WQCAP.wqcfg_size = 0 */
#define DSA_MSIX_PERM_OFFSET        0x1000
#define DSA_MSIX_PERM_SIZE          8

REG32(VERSION, 0x00)

REG64(GENCAP, 0x10)
    FIELD(GENCAP, BLOCK_ON_FAULT, 0, 1)
    FIELD(GENCAP, OVERLAP_COPY, 1, 1)
    FIELD(GENCAP, CACHE_CTRL_MEM, 2, 1)
    FIELD(GENCAP, CACHE_CTRL_CACHE, 3, 1)
    FIELD(GENCAP, CMD_CAP, 4, 1)
    FIELD(GENCAP, DEST_READBACK, 8, 1)
    FIELD(GENCAP, DRAIN_READBACK, 9, 1)
    FIELD(GENCAP, EVL_SUPPORT, 13, 2)
    FIELD(GENCAP, BATCH_CONTINUATION, 15, 1)
    FIELD(GENCAP, MAX_XFER_SHIFT, 16, 5)
    FIELD(GENCAP, MAX_BATCH_SHIFT, 21, 4)
    FIELD(GENCAP, MAX_IMS_MULT, 25, 6)
    FIELD(GENCAP, CONFIG_EN, 31, 1)

REG64(WQCAP, 0x20)
    FIELD(WQCAP, TOTAL_WQ_SIZE, 0, 16)
    FIELD(WQCAP, NUM_WQS, 16, 8)
    FIELD(WQCAP, WQCFG_SIZE, 24, 4)
    FIELD(WQCAP, SHARED_MODE, 48, 1)
    FIELD(WQCAP, DEDICATED_MODE, 49, 1)
    FIELD(WQCAP, WQ_ATS_SUPPORT, 50, 1)
    FIELD(WQCAP, PRIORITY, 51, 1)
    FIELD(WQCAP, OCCUPANCY, 52, 1)
    FIELD(WQCAP, OCCUPANCY_INT, 53, 1)
    FIELD(WQCAP, OP_CONFIG, 54, 1)
    FIELD(WQCAP, WQ_PRS_SUPPORT, 55, 1)

REG64(GRPCAP, 0x30)
    FIELD(GRPCAP, NUM_GROUPS, 0, 8)
    FIELD(GRPCAP, TOTAL_RDBUFS, 8, 8)
    FIELD(GRPCAP, RDBUF_CTRL, 16, 1)
    FIELD(GRPCAP, RDBUF_LIMIT, 17, 1)
    FIELD(GRPCAP, PROGRESS_LIMIT, 18, 1)

REG64(ENGCAP, 0x38)
    FIELD(ENGCAP, NUM_ENGINES, 0, 8)

REG64(OPCAP, 0x40)                        /* four qwords, 0x40..0x5f */
#define DSA_OPCAP_SIZE              32

REG64(OFFSETS, 0x60)                      /* two qwords */
    FIELD(OFFSETS, GRPCFG, 0, 16)
    FIELD(OFFSETS, WQCFG, 16, 16)
    FIELD(OFFSETS, MSIX_PERM, 32, 16)
    FIELD(OFFSETS, IMS, 48, 16)
REG64(OFFSETS1, 0x68)
    FIELD(OFFSETS1, PERFMON, 0, 16)

REG32(GENCFG, 0x80)
    FIELD(GENCFG, RDBUF_LIMIT, 0, 8)
    FIELD(GENCFG, USER_INT_EN, 12, 1)
    FIELD(GENCFG, EVL_EN, 13, 1)
#define DSA_GENCFG_WRITABLE \
    (R_GENCFG_RDBUF_LIMIT_MASK | R_GENCFG_USER_INT_EN_MASK | \
     R_GENCFG_EVL_EN_MASK)

REG32(GENCTRL, 0x88)
    FIELD(GENCTRL, SOFTERR_INT_EN, 0, 1)
    FIELD(GENCTRL, HALT_INT_EN, 1, 1)
    FIELD(GENCTRL, EVL_INT_EN, 2, 1)
#define DSA_GENCTRL_WRITABLE        0x7

REG32(GENSTS, 0x90)
    FIELD(GENSTS, STATE, 0, 2)
    FIELD(GENSTS, RESET_TYPE, 2, 2)

enum dsa_device_state {
    DSA_DEV_DISABLED = 0,
    DSA_DEV_ENABLED = 1,
    DSA_DEV_DRAIN = 2,
    DSA_DEV_HALT = 3,
};

enum dsa_reset_type {
    DSA_RESET_SOFTWARE = 0,
    DSA_RESET_FLR = 1,
    DSA_RESET_WARM = 2,
    DSA_RESET_COLD = 3,
};

REG32(INTCAUSE, 0x98)
#define DSA_INTC_ERR                0x01
#define DSA_INTC_CMD                0x02
#define DSA_INTC_OCCUPY             0x04
#define DSA_INTC_PERFMON_OVFL       0x08
#define DSA_INTC_HALT_STATE         0x10
#define DSA_INTC_EVL                0x20
#define DSA_INTC_INT_HANDLE_REVOKED 0x80000000u

REG32(CMD, 0xa0)
    FIELD(CMD, OPERAND, 0, 20)
    FIELD(CMD, CMD, 20, 5)
    FIELD(CMD, INT_REQ, 31, 1)

enum dsa_cmd {
    DSA_CMD_ENABLE_DEVICE = 1,
    DSA_CMD_DISABLE_DEVICE,
    DSA_CMD_DRAIN_ALL,
    DSA_CMD_ABORT_ALL,
    DSA_CMD_RESET_DEVICE,
    DSA_CMD_ENABLE_WQ,
    DSA_CMD_DISABLE_WQ,
    DSA_CMD_DRAIN_WQ,
    DSA_CMD_ABORT_WQ,
    DSA_CMD_RESET_WQ,
    DSA_CMD_DRAIN_PASID,
    DSA_CMD_ABORT_PASID,
    DSA_CMD_REQUEST_INT_HANDLE,
    DSA_CMD_RELEASE_INT_HANDLE,
};

REG32(CMDSTS, 0xa8)
    FIELD(CMDSTS, ERR, 0, 8)
    FIELD(CMDSTS, RESULT, 8, 16)
    FIELD(CMDSTS, ACTIVE, 31, 1)

enum dsa_cmdsts_err {
    DSA_CMDSTS_SUCCESS = 0,
    DSA_CMDSTS_INVAL_CMD = 0x01,
    DSA_CMDSTS_INVAL_WQIDX = 0x02,
    DSA_CMDSTS_HW_ERR = 0x03,
    /* Enable Device */
    DSA_CMDSTS_ERR_DEV_ENABLED = 0x10,
    DSA_CMDSTS_ERR_CONFIG = 0x11,
    DSA_CMDSTS_ERR_BUSMASTER_EN = 0x12,
    DSA_CMDSTS_ERR_PASID_INVAL = 0x13,
    DSA_CMDSTS_ERR_WQ_SIZE_ERANGE = 0x14,
    DSA_CMDSTS_ERR_GRP_CONFIG = 0x15,   /* WQ in no group or in several */
    DSA_CMDSTS_ERR_GRP_CONFIG2 = 0x16,  /* group with WQs but no engine */
    DSA_CMDSTS_ERR_GRP_CONFIG3 = 0x17,  /* engine in several groups */
    DSA_CMDSTS_ERR_GRP_CONFIG4 = 0x18,  /* group refers to a missing WQ */
    /* Enable WQ */
    DSA_CMDSTS_ERR_DEV_NOTEN = 0x20,
    DSA_CMDSTS_ERR_WQ_ENABLED = 0x21,
    DSA_CMDSTS_ERR_WQ_SIZE = 0x22,
    DSA_CMDSTS_ERR_WQ_PRIOR = 0x23,
    DSA_CMDSTS_ERR_WQ_MODE = 0x24,
    DSA_CMDSTS_ERR_BOF_EN = 0x25,
    DSA_CMDSTS_ERR_PASID_EN = 0x26,
    DSA_CMDSTS_ERR_MAX_BATCH_SIZE = 0x27,
    DSA_CMDSTS_ERR_MAX_XFER_SIZE = 0x28,
    /* Disable Device */
    DSA_CMDSTS_ERR_DIS_DEV_EN = 0x31,
    /* Disable, Drain, Abort, Reset WQ */
    DSA_CMDSTS_ERR_DEV_NOT_EN = 0x32,
};

REG32(CMDCAP, 0xb0)

REG64(SWERR, 0xc0)                        /* four qwords, 0xc0..0xdf */
    FIELD(SWERR, VALID, 0, 1)
    FIELD(SWERR, OVERFLOW, 1, 1)
    FIELD(SWERR, DESC_VALID, 2, 1)
    FIELD(SWERR, WQ_IDX_VALID, 3, 1)
    FIELD(SWERR, BATCH, 4, 1)
    FIELD(SWERR, FAULT_RW, 5, 1)
    FIELD(SWERR, PRIV, 6, 1)
    FIELD(SWERR, ERROR, 8, 8)
    FIELD(SWERR, WQ_IDX, 16, 8)
    FIELD(SWERR, OPERATION, 32, 8)
    FIELD(SWERR, PASID, 40, 20)
REG64(SWERR1, 0xc8)
    FIELD(SWERR1, BATCH_IDX, 0, 16)
    FIELD(SWERR1, INVALID_FLAGS, 32, 32)
REG64(SWERR2, 0xd0)                       /* fault address */
#define DSA_SWERR_SIZE              32

/*
 * Software error codes that are not completion status codes.  The
 * specification reserves codes above the completion status range for
 * errors without a descriptor result; these two values are the ones this
 * model uses (documented in qemu/README.md).
 */
#define DSA_SWERR_WQ_FULL           0x41  /* portal write to a full WQ */
#define DSA_SWERR_WQ_DISABLED       0x42  /* portal write to a disabled WQ */

REG64(EVLCFG, 0xe0)                       /* two qwords */
    FIELD(EVLCFG, PASID_EN, 0, 1)
    FIELD(EVLCFG, PRIV, 1, 1)
    FIELD(EVLCFG, BASE_ADDR, 12, 52)
REG64(EVLCFG1, 0xe8)
    FIELD(EVLCFG1, SIZE, 0, 16)
    FIELD(EVLCFG1, PASID, 16, 20)
#define DSA_EVL_SIZE_MIN            0x40

REG64(EVLSTATUS, 0xf0)
    FIELD(EVLSTATUS, HEAD, 0, 16)
    FIELD(EVLSTATUS, TAIL, 32, 16)
    FIELD(EVLSTATUS, INT_PENDING, 62, 1)

/*
 * Event log entry (DSA 2.0; GENCAP.evl_support 1: 64 bytes), as idxd's
 * struct dsa_evl_entry: a 32-byte header laid out as SWERR (qword 0
 * without Valid and Overflow, bit 7 error info valid, bits 24-31 batch
 * identifier; then the batch index, error information, fault address),
 * then the descriptor's completion record.
 */
#define DSA_EVL_ENTRY_SIZE          64
#define DSA_EVL_ERR_INFO_VALID      0x80  /* qword 0, bytes 12-15 valid */
#define DSA_EVL_BATCH_IDX           8     /* 16 bits */
#define DSA_EVL_INFO                12    /* invalid flags, or the below */
#define DSA_EVL_INFO_RCI            BIT(16)   /* after the int handle */
#define DSA_EVL_INFO_RCR            BIT(18)
#define DSA_EVL_FAULT_ADDR          16
#define DSA_EVL_CR                  32

/* GRPCFG entry: GRPWQCFG[4] at +0, GRPENGCFG at +32, GRPFLGCFG at +40 */
#define DSA_GRPCFG_WQS              0
#define DSA_GRPCFG_ENGINES          4
#define DSA_GRPCFG_FLAGS            5
#define DSA_GRPCFG_QWORDS           8
#define DSA_GRPFLG_WRITABLE         0x000000003ff0ffbfULL
#define DSA_GRPFLG_PROGRESS_LIMITS  0x0000003300000000ULL  /* DSA 2.0 */

/* WQCFG entry, eight dwords */
#define DSA_WQCFG_DWORDS            (DSA_WQCFG_SIZE / 4)
REG32(WQCFG0, 0x00)
    FIELD(WQCFG0, WQ_SIZE, 0, 16)
REG32(WQCFG1, 0x04)
    FIELD(WQCFG1, WQ_THRESH, 0, 16)
REG32(WQCFG2, 0x08)
    FIELD(WQCFG2, MODE, 0, 1)             /* 1: dedicated */
    FIELD(WQCFG2, BOF, 1, 1)
    FIELD(WQCFG2, ATS_DISABLE, 2, 1)
    FIELD(WQCFG2, PRS_DISABLE, 3, 1)
    FIELD(WQCFG2, PRIORITY, 4, 4)
    FIELD(WQCFG2, PASID, 8, 20)
    FIELD(WQCFG2, PASID_EN, 28, 1)
    FIELD(WQCFG2, PRIV, 29, 1)
REG32(WQCFG3, 0x0c)
    FIELD(WQCFG3, MAX_XFER_SHIFT, 0, 5)
    FIELD(WQCFG3, MAX_BATCH_SHIFT, 5, 4)
REG32(WQCFG4, 0x10)
REG32(WQCFG5, 0x14)
REG32(WQCFG6, 0x18)
    FIELD(WQCFG6, OCCUPANCY, 0, 16)
    FIELD(WQCFG6, OCCUPANCY_INT, 16, 1)
    FIELD(WQCFG6, MODE_SUPPORT, 29, 1)    /* 1: dedicated mode only */
    FIELD(WQCFG6, WQ_STATE, 30, 2)
#define DSA_WQCFG_RW_MASK0          0x0000ffffu
#define DSA_WQCFG_RW_MASK1          0x0000ffffu
#define DSA_WQCFG_RW_MASK2          0x3fffffffu
#define DSA_WQCFG_RW_MASK3          0x000001ffu
#define DSA_WQCFG_RW_MASK4          0x0001ffffu
#define DSA_WQCFG_RW_MASK5          0x0001ffffu

enum dsa_wq_state {
    DSA_WQ_DISABLED = 0,
    DSA_WQ_ENABLED = 1,
};

/* MSIX_PERM entry: dword 0 */
#define DSA_MSIX_PERM_WRITABLE      0xfffff00cu

/* Descriptor (64 bytes, little endian) */
#define DSA_DESC_FLAGS_OFFSET       4     /* flags:24, opcode:8 */
#define DSA_DESC_CR_ADDR            8
#define DSA_DESC_SRC                16    /* src, pattern, desc list */
#define DSA_DESC_DST                24    /* dst, src2 */
#define DSA_DESC_SIZE_FIELD         32    /* xfer size, desc count */
#define DSA_DESC_INT_HANDLE         36
#define DSA_DESC_OP_SPECIFIC        40    /* expected result, pattern hi */

enum dsa_opcode {
    DSA_OPCODE_NOOP = 0x00,
    DSA_OPCODE_BATCH = 0x01,
    DSA_OPCODE_DRAIN = 0x02,
    DSA_OPCODE_MEMMOVE = 0x03,
    DSA_OPCODE_MEMFILL = 0x04,
    DSA_OPCODE_COMPARE = 0x05,
};

#define DSA_OP_FLAG_FENCE           0x0001
#define DSA_OP_FLAG_BOF             0x0002
#define DSA_OP_FLAG_CRAV            0x0004
#define DSA_OP_FLAG_RCR             0x0008
#define DSA_OP_FLAG_RCI             0x0010
#define DSA_OP_FLAG_CRSTS           0x0020
#define DSA_OP_FLAG_CR              0x0080  /* check result */
#define DSA_OP_FLAG_CC              0x0100
#define DSA_OP_FLAG_ADDR1_TCS       0x0200
#define DSA_OP_FLAG_ADDR2_TCS       0x0400
#define DSA_OP_FLAG_ADDR3_TCS       0x0800
#define DSA_OP_FLAG_CR_TCS          0x1000
#define DSA_OP_FLAG_STORD           0x2000
#define DSA_OP_FLAG_DRDBK           0x4000
#define DSA_OP_FLAG_DSTS            0x8000
/* Flags this model accepts on every opcode; others: invalid flags */
#define DSA_OP_FLAGS_SUPPORTED \
    (DSA_OP_FLAG_FENCE | DSA_OP_FLAG_BOF | DSA_OP_FLAG_CRAV | \
     DSA_OP_FLAG_RCR | DSA_OP_FLAG_RCI | DSA_OP_FLAG_CR | DSA_OP_FLAG_CC | \
     DSA_OP_FLAG_ADDR1_TCS | DSA_OP_FLAG_ADDR2_TCS | \
     DSA_OP_FLAG_ADDR3_TCS | DSA_OP_FLAG_CR_TCS)

/* Completion record (32 bytes) */
#define DSA_CR_STATUS               0
#define DSA_CR_RESULT               1
#define DSA_CR_FAULT_INFO           2
#define DSA_CR_BYTES_COMPLETED      4
#define DSA_CR_FAULT_ADDR           8
#define DSA_CR_INVALID_FLAGS        16
#define DSA_CR_FAULT_INFO_WRITE     0x01  /* DSA 2.0 */
/* Status bit 7 of a page fault: the access was a write (uapi idxd.h) */
#define DSA_COMP_STATUS_WRITE       0x80

enum dsa_completion_status {
    DSA_COMP_NONE = 0x00,
    DSA_COMP_SUCCESS = 0x01,
    DSA_COMP_SUCCESS_PRED = 0x02,
    DSA_COMP_PAGE_FAULT_NOBOF = 0x03,
    DSA_COMP_PAGE_FAULT_IR = 0x04,
    DSA_COMP_BATCH_FAIL = 0x05,
    DSA_COMP_BATCH_PAGE_FAULT = 0x06,
    DSA_COMP_BAD_OPCODE = 0x10,
    DSA_COMP_INVALID_FLAGS = 0x11,
    DSA_COMP_NOZERO_RESERVE = 0x12,
    DSA_COMP_XFER_ERANGE = 0x13,
    DSA_COMP_DESC_CNT_ERANGE = 0x14,
    DSA_COMP_DR_ERANGE = 0x15,
    DSA_COMP_OVERLAP_BUFFERS = 0x16,
    DSA_COMP_DCAST_ERR = 0x17,
    DSA_COMP_DESCLIST_ALIGN = 0x18,
    DSA_COMP_INT_HANDLE_INVAL = 0x19,
    DSA_COMP_CRA_XLAT = 0x1a,
    DSA_COMP_CRA_ALIGN = 0x1b,
    DSA_COMP_ADDR_ALIGN = 0x1c,
    DSA_COMP_PRIV_BAD = 0x1d,
    DSA_COMP_TRAFFIC_CLASS_CONF = 0x1e,
    DSA_COMP_PFAULT_RDBA = 0x1f,
    DSA_COMP_HW_ERR1 = 0x20,
};
#define DSA_COMP_STATUS_MAX         0x7f

/*
 * Debug page (BAR0 + DSA_DEBUG_OFFSET), 32-bit registers unless noted.
 * Writing FAULT_EVERY, FAULT_STATUS or HALT_AFTER restarts the counting.
 */
#define DSA_DBG_MAGIC               0x00  /* RO "DSAL" */
#define DSA_DBG_MAGIC_VALUE         0x4c415344u
#define DSA_DBG_FAULT_EVERY         0x04  /* fail every Nth descriptor */
#define DSA_DBG_FAULT_STATUS        0x08  /* status used for those */
#define DSA_DBG_HALT_AFTER          0x0c  /* halt after N descriptors */
#define DSA_DBG_HALT_RESET_TYPE     0x10  /* GENSTS.reset_type on halt */
#define DSA_DBG_PAUSE               0x14  /* 1: engines take no work */
#define DSA_DBG_DESCS               0x18  /* RO 64-bit: descriptors done */
#define DSA_DBG_FAULTS              0x20  /* RO 64-bit: faults injected */
#define DSA_DBG_DROPPED             0x28  /* RO 64-bit: portal drops */
#define DSA_DBG_ENGINE_DESCS        0x40  /* RO 64-bit each, per engine */

#endif
