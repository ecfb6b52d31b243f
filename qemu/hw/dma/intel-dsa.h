/*
 * Intel Data Streaming Accelerator (DSA) emulation: device state.
 *
 * Locking: registers are accessed under the BQL (MMIO handlers and bottom
 * halves).  The data path (WQ rings, engine assignment, counters) is
 * protected by IntelDSAState.lock; engine threads never take the BQL, they
 * hand interrupts, command completion and (behind a vIOMMU) mappings to
 * bottom halves, so the BQL holder may wait for them: reset aborts their
 * work, a VM stop parks them, both at a bounded granularity.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_DMA_INTEL_DSA_H
#define HW_DMA_INTEL_DSA_H

#include "hw/pci/pci.h"
#include "sysemu/dma.h"
#include "sysemu/runstate.h"
#include "qemu/thread.h"
#include "qom/object.h"
#include "intel-dsa-regs.h"

#define TYPE_INTEL_DSA "intel-dsa"
OBJECT_DECLARE_SIMPLE_TYPE(IntelDSAState, INTEL_DSA)

#define DSA_MAX_WQS                 16
#define DSA_MAX_ENGINES             8
#define DSA_NUM_GROUPS              4
#define DSA_MAX_VECTORS             (DSA_MAX_WQS + 1)

#include "intel-dsa-timing.h"

/*
 * One silicon part: its PCI ID, VERSION and the capabilities that differ
 * between DSA 1.0 and 2.0 (the table is dsa_models in intel-dsa.c).
 */
typedef struct DSAModel {
    const char *name;
    uint16_t device_id;
    uint32_t version;
    bool wq_occupancy;                /* WQCAP.occupancy */
    bool wq_ats_prs;                  /* WQCAP.wq_ats_support, wq_prs_support */
    bool progress_limit;              /* GRPCAP.progress_limit */
    bool fault_info;                  /* completion record byte 2 */
} DSAModel;

/*
 * An error for SWERR or, when the event log is enabled, for an entry in
 * it: what the engines and the portals report, the bottom half posts.
 */
typedef struct DSAError {
    uint64_t swerr[3];                /* SWERR 0..2, Valid set */
    uint32_t info;                    /* event log entry bytes 12-15 */
    bool has_cr;                      /* cr: the descriptor's result */
    uint8_t cr[DSA_CR_SIZE];
} DSAError;

/* Errors waiting for the bottom half; more set SWERR.overflow */
#define DSA_ERR_QUEUE               16

typedef struct DSADesc {
    uint8_t raw[DSA_DESC_SIZE];
} DSADesc;

typedef struct DSAWorkQueue {
    uint32_t cfg[DSA_WQCFG_DWORDS];   /* WQCFG as the guest wrote it (BQL) */
    bool enabled;                     /* accepts descriptors */
    /*
     * Limits from WQCFG at Enable WQ: the guest may rewrite WQCFG of a
     * disabled WQ while its queued descriptors still run.
     */
    uint64_t max_xfer;
    uint32_t max_batch;
    /* ring of submitted descriptors, capacity = WQCFG.wq_size */
    DSADesc *ring;
    uint32_t capacity;
    uint32_t head;
    uint32_t count;
    uint32_t inflight;                /* taken by an engine, not done */
    uint64_t seq_head;                /* sequence number of ring[head] */
    uint64_t abort_seq;               /* those before it are cut short */
} DSAWorkQueue;

/* A mapping an engine asks the bottom half for (behind a vIOMMU) */
enum {
    DSA_MAP_IDLE,
    DSA_MAP_PENDING,                  /* asked */
    DSA_MAP_SERVING,                  /* the bottom half is translating */
    DSA_MAP_DONE,                     /* p and len are the answer */
};

typedef struct DSAMapRequest {
    uint64_t gen;                     /* tells a request from the next */
    int state;
    dma_addr_t addr;
    hwaddr len;
    bool is_write;
    void *p;
} DSAMapRequest;

typedef struct DSAEngine {
    struct IntelDSAState *dev;
    QemuThread thread;
    uint32_t wq_mask;                 /* WQs this engine serves */
    QemuCond wake;                    /* work for this engine, or stop */
    bool idle;                        /* waiting on wake */
    bool parked;                      /* in a descriptor, off guest memory */
    uint32_t next_wq;                 /* round-robin position */
    int cur_wq;                       /* WQ of the descriptor running, or -1 */
    uint64_t cur_seq;                 /* its sequence number in that WQ */
    uint64_t descs;                   /* descriptors processed */
    DSAMapRequest map;                /* lock */
} DSAEngine;

struct IntelDSAState {
    PCIDevice parent_obj;

    MemoryRegion bar0;
    MemoryRegion regs;
    MemoryRegion debug;
    MemoryRegion portals;

    /* Properties */
    char *model_name;
    const DSAModel *model;
    bool event_log;
    uint32_t num_wqs;
    uint32_t num_engines;
    uint32_t total_wq_size;
    uint8_t max_xfer_shift;
    uint8_t max_batch_shift;
    uint32_t fault_every;
    uint8_t fault_status;
    uint32_t halt_after;
    bool debug_page;                  /* x-debug-page: BAR0 + 0x8000 */
    DSATimingParams tp;               /* timing=on and the model */

    /* Registers (BQL) */
    uint32_t gencfg;
    uint32_t genctrl;
    uint32_t gensts;
    uint32_t intcause;
    uint32_t cmdsts;
    uint32_t cmd;                     /* command waiting for a drain */
    bool cmd_waiting;
    uint64_t cmd_seq[DSA_MAX_WQS];    /* first descriptor after the CMD write */
    uint64_t swerr[DSA_SWERR_SIZE / 8];
    uint64_t evlcfg[2];
    uint64_t evlstatus;
    uint64_t grpcfg[DSA_NUM_GROUPS][DSA_GRPCFG_QWORDS];
    uint32_t msix_perm[DSA_MAX_VECTORS];
    uint8_t halt_reset_type;

    /* Portal write assembly (BQL) */
    uint8_t stage[DSA_DESC_SIZE];
    uint8_t stage_mask;
    hwaddr stage_base;

    /* Data path (lock) */
    QemuMutex lock;
    QemuCond idle_cond;               /* a descriptor finished */
    DSAWorkQueue wq[DSA_MAX_WQS];
    DSAEngine engine[DSA_MAX_ENGINES];
    bool running;                     /* engines may take descriptors */
    bool stopping;
    bool paused;                      /* debug page: engines idle */
    bool vm_running;                  /* else engines touch no guest memory */
    uint32_t irq_pending;             /* MSI-X vectors to notify */
    DSAError err_queue[DSA_ERR_QUEUE];    /* errors to post */
    uint32_t err_count;
    bool err_overflow;
    bool halt_pending;                /* halt_after reached */
    uint64_t fault_seq;
    uint64_t halt_seq;
    uint64_t descs;
    uint64_t faults;
    uint64_t dropped;

    bool iommu;                       /* DMA goes through a vIOMMU */
    QEMUBH *irq_bh;
    QEMUBH *map_bh;
    VMChangeStateEntry *vm_state;
    DSATiming timing;                 /* timed mode (lock) */
};

/* intel-dsa-engine.c */
void dsa_engines_start(IntelDSAState *s);
void dsa_engines_stop(IntelDSAState *s);
void dsa_wake_engines(IntelDSAState *s);
bool dsa_wq_busy_before(IntelDSAState *s, unsigned n, uint64_t seq);
void *dsa_map_direct(IntelDSAState *s, dma_addr_t addr, hwaddr *len,
                     bool is_write);
void dsa_unmap(IntelDSAState *s, void *p, dma_addr_t len, bool is_write,
               dma_addr_t done);
void dsa_map_bh(void *opaque);
void dsa_vm_state_change(void *opaque, bool running, RunState state);
void dsa_portal_write(IntelDSAState *s, int wq, const uint8_t *desc);
void dsa_report_error(IntelDSAState *s, const DSAError *e);
void dsa_notify(IntelDSAState *s, unsigned vector);
void dsa_timing_submit(IntelDSAState *s, int n, const uint8_t *desc,
                       int64_t work_ns);
int64_t dsa_timing_work(IntelDSAState *s, const uint8_t *desc);
void dsa_timing_fire(void *opaque);
void dsa_timing_flush(IntelDSAState *s);
bool dsa_timing_busy(IntelDSAState *s, unsigned n, uint64_t seq);

/* intel-dsa.c */
void dsa_halt(IntelDSAState *s);
void dsa_deliver(IntelDSAState *s);

#endif
