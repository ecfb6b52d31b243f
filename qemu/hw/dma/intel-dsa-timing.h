/*
 * Intel Data Streaming Accelerator (DSA) emulation: the timing model.
 *
 * With timing=on every descriptor gets a deadline in virtual time
 * (QEMU_CLOCK_VIRTUAL) when it is submitted, from the model below; the
 * engines still move the data whenever the host gets to it, but the
 * completion record and the interrupt wait for the deadline, delivered by
 * a timer under the BQL (which waits for the data if the host is late).
 * Under -icount the guest then sees the same timing whatever the host's
 * speed or load.
 *
 * The model: a descriptor is ready submit-ns after its portal write; the
 * WQ dispatches it to the engine of its group that is free first (ties:
 * the lowest), which serves its descriptors one after the other, each
 * costing desc-ns plus its bytes at engine-mbps (a BATCH adds batch-ns and
 * the cost of every member); the record lands completion-ns after the
 * engine is done, irq-ns later when it asks for an interrupt (the record
 * is written then too, so a poller sees it no earlier than the interrupt);
 * a descriptor that page-faults completes fault-ns later.  A DRAIN also
 * waits for the deadlines of the earlier descriptors of its WQ.  WQ
 * priorities are not modelled: dispatch is in submission order.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_DMA_INTEL_DSA_TIMING_H
#define HW_DMA_INTEL_DSA_TIMING_H

#include "qemu/queue.h"
#include "qemu/timer.h"
#include "qapi/error.h"

/* Defaults: a Sapphire Rapids DSA 1.0 (qemu/README.md gives the sources) */
#define DSA_TIMING_SUBMIT_NS        300
#define DSA_TIMING_DESC_NS          100
#define DSA_TIMING_BATCH_NS         400
#define DSA_TIMING_COMPLETION_NS    200
#define DSA_TIMING_IRQ_NS           1000
#define DSA_TIMING_FAULT_NS         2000
#define DSA_TIMING_ENGINE_MBPS      7500

#define DSA_TIMING_MAX_NS           10000000        /* 10 ms */
#define DSA_TIMING_MAX_MBPS         1000000         /* 1 TB/s */

typedef struct DSATimingParams {
    bool on;
    uint32_t submit_ns;
    uint32_t desc_ns;
    uint32_t batch_ns;
    uint32_t completion_ns;
    uint32_t irq_ns;
    uint32_t fault_ns;
    uint32_t engine_mbps;
} DSATimingParams;

typedef struct DSATimedEntry DSATimedEntry;

/* The model's state (s->lock) and the completions waiting for their time */
typedef struct DSATiming {
    QEMUTimer *timer;
    int64_t busy_until[DSA_MAX_ENGINES];  /* engine free from then on */
    int64_t wq_last[DSA_MAX_WQS];         /* last deadline of the WQ */
    QTAILQ_HEAD(, DSATimedEntry) pending; /* by deadline, then order */
    uint64_t order;                       /* submissions so far */
} DSATiming;

static inline bool dsa_timing_check(const DSATimingParams *p, Error **errp)
{
    const struct {
        const char *name;
        uint32_t val;
    } ns[] = {
        { "timing-submit-ns", p->submit_ns },
        { "timing-desc-ns", p->desc_ns },
        { "timing-batch-ns", p->batch_ns },
        { "timing-completion-ns", p->completion_ns },
        { "timing-irq-ns", p->irq_ns },
        { "timing-fault-ns", p->fault_ns },
    };

    for (unsigned i = 0; i < ARRAY_SIZE(ns); i++) {
        if (ns[i].val > DSA_TIMING_MAX_NS) {
            error_setg(errp, "intel-dsa: %s=%u: must be 0..%u "
                       "(nanoseconds of virtual time)", ns[i].name,
                       ns[i].val, DSA_TIMING_MAX_NS);
            return false;
        }
    }
    if (p->engine_mbps < 1 || p->engine_mbps > DSA_TIMING_MAX_MBPS) {
        error_setg(errp, "intel-dsa: timing-engine-mbps=%u: must be 1..%u "
                   "(MB/s per engine)", p->engine_mbps, DSA_TIMING_MAX_MBPS);
        return false;
    }
    return true;
}

/* Engine time for one descriptor moving @bytes (rounded up to 1 ns) */
static inline int64_t dsa_timing_xfer_ns(const DSATimingParams *p,
                                         uint64_t bytes)
{
    /* bytes / (MB/s) = us, so ns = bytes * 1000 / mbps */
    return p->desc_ns + (bytes * 1000 + p->engine_mbps - 1) / p->engine_mbps;
}

/*
 * Called with s->lock held: dispatch a descriptor of WQ @wq submitted at
 * @now to the engines in @engines that costs @work_ns of engine time, and
 * return its deadline.
 */
static inline int64_t dsa_timing_schedule(DSATiming *t,
                                          const DSATimingParams *p,
                                          int64_t now, uint32_t engines,
                                          int wq, int64_t work_ns,
                                          bool drain, bool irq)
{
    int64_t ready = now + p->submit_ns, start, deadline;
    int best = -1;

    for (int e = 0; e < DSA_MAX_ENGINES; e++) {
        if ((engines & BIT(e)) &&
            (best < 0 || t->busy_until[e] < t->busy_until[best])) {
            best = e;
        }
    }
    if (drain) {
        ready = MAX(ready, t->wq_last[wq]);
    }
    start = best < 0 ? ready : MAX(ready, t->busy_until[best]);
    if (best >= 0) {
        t->busy_until[best] = start + work_ns;
    }
    deadline = start + work_ns + p->completion_ns + (irq ? p->irq_ns : 0);
    t->wq_last[wq] = MAX(t->wq_last[wq], deadline);
    return deadline;
}

#endif
