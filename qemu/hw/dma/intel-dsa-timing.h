/*
 * Intel Data Streaming Accelerator (DSA) emulation: the timing model.
 *
 * With timing=on every descriptor gets a deadline in virtual time
 * (QEMU_CLOCK_VIRTUAL) from the model below; the engines still move the
 * data whenever the host gets to it, but the completion record and the
 * interrupt wait for the deadline, delivered by a timer under the BQL
 * (which waits for the data if the host is late).  Under -icount the
 * guest then sees the same timing whatever the host's speed or load.
 *
 * The model is event-driven in virtual time: a descriptor is ready
 * submit-ns after its portal write and waits in its WQ's queue.  When an
 * engine of the WQ's group is free and descriptors are ready, the group
 * arbiter gives it the head of the highest-priority WQ (WQCFG priority;
 * strict priority, FIFO within a WQ, round-robin among WQs of equal
 * priority); when several engines are free, the one free first takes
 * first (ties: the lowest).  Only then is its deadline known: the engine
 * serves it for desc-ns plus its bytes at engine-mbps (a BATCH adds
 * batch-ns and the cost of every member); the record lands completion-ns
 * after the engine is done, irq-ns later when it asks for an interrupt
 * (the record is written then too, so a poller sees it no earlier than
 * the interrupt); a descriptor that page-faults completes fault-ns later.
 * A DRAIN is not ready before the deadlines of the earlier descriptors of
 * its WQ.
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

/*
 * The model's state (s->lock): descriptors waiting for an engine, in their
 * WQ's queue, and the dispatched ones waiting for their deadline.
 */
typedef struct DSATiming {
    QEMUTimer *timer;
    int64_t busy_until[DSA_MAX_ENGINES];  /* engine free from then on */
    int64_t wq_last[DSA_MAX_WQS];         /* last deadline of the WQ */
    uint8_t rr[DSA_MAX_WQS];              /* a group's next WQ on a tie */
    uint8_t prio[DSA_MAX_WQS];            /* WQCFG priority at Enable WQ */
    QTAILQ_HEAD(, DSATimedEntry) waiting[DSA_MAX_WQS];  /* FIFO */
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
 * The group arbiter: of the WQs in @ready (a descriptor ready at their
 * head), the one of highest @prio; among equals the first at or after
 * @rr, cyclically.  -1 when @ready is empty.
 */
static inline int dsa_timing_arbitrate(uint32_t ready, const uint8_t *prio,
                                       unsigned rr)
{
    int best = -1;

    for (unsigned i = 0; i < DSA_MAX_WQS; i++) {
        unsigned n = (rr + i) % DSA_MAX_WQS;

        if ((ready & BIT(n)) && (best < 0 || prio[n] > prio[best])) {
            best = n;
        }
    }
    return best;
}

#endif
