/*
 * Intel Data Streaming Accelerator (DSA) emulation: work queues, engines
 * and descriptor processing.
 *
 * Portal writes queue descriptors on their WQ; one thread per engine takes
 * descriptors from the WQs of its group and runs them outside the BQL, so
 * the vCPUs keep running while data moves and descriptors complete out of
 * order across engines.  Guest memory is touched only through the device's
 * DMA address space and only where it is RAM; anything else is a page
 * fault for the descriptor.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/bswap.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/rcu.h"
#include "qemu/units.h"
#include "exec/memory.h"
#include "sysemu/dma.h"
#include "intel-dsa.h"
#include "trace.h"

typedef struct DSAResult {
    uint8_t status;
    uint8_t result;
    bool fault_write;                 /* a page fault on a write */
    uint32_t bytes_completed;
    uint64_t fault_addr;
    uint32_t invalid_flags;
    bool aborted;                     /* cut short: no completion at all */
} DSAResult;

typedef struct DSAContext {
    IntelDSAState *s;
    DSAEngine *e;
    int wq;
    uint64_t seq;                     /* of the descriptor in its WQ */
    uint64_t max_xfer;
    uint32_t max_batch;
    bool bql;                         /* timed completion, under the BQL */
    GArray *members;                  /* timed: a batch's DSATimedMember */
} DSAContext;

/* Timed mode: a completion waiting for its deadline (s->lock) */
typedef struct DSATimedMember {
    uint8_t desc[DSA_DESC_SIZE];
    DSAResult r;
} DSATimedMember;

struct DSATimedEntry {
    QTAILQ_ENTRY(DSATimedEntry) next; /* in its WQ's waiting, or pending */
    int64_t ready;                    /* submit + submit-ns */
    int64_t work_ns;                  /* engine time */
    bool drain;
    bool irq;
    int64_t deadline;
    uint64_t order;                   /* submission order, for ties */
    int wq;
    uint64_t seq;
    bool done;                        /* the engine has run it */
    bool fault_charged;               /* fault-ns added to the deadline */
    uint8_t desc[DSA_DESC_SIZE];
    DSAResult r;
    GArray *members;                  /* a batch's, in order */
};

/*
 * Operations check for an abort between pieces of at most this size, so a
 * reset or an Abort command waits for at most one piece per engine.
 */
#define DSA_ABORT_CHUNK     (64 * KiB)

/* Pages of the DMA address space (the VT-d and DSA page size) */
#define DSA_PAGE_SIZE       (4 * KiB)

/* ---- guest memory ---- */

static AddressSpace *dsa_as(IntelDSAState *s)
{
    return pci_get_address_space(PCI_DEVICE(s));
}

/* Has a reset or an Abort command cut this descriptor short? */
static bool dsa_aborted(DSAContext *c, DSAResult *r)
{
    if (c->seq < qatomic_read(&c->s->wq[c->wq].abort_seq)) {
        r->aborted = true;
    }
    return r->aborted;
}

/* The same, for code that has no result to mark */
static bool dsa_aborted_quiet(DSAContext *c)
{
    return c->seq < qatomic_read(&c->s->wq[c->wq].abort_seq);
}

/*
 * Called with s->lock held: mark the engine quiet (inside a descriptor but
 * touching no guest memory), waking dsa_vm_state_change if it waits.
 */
static void dsa_set_parked(IntelDSAState *s, DSAEngine *e, bool parked)
{
    if (parked && !e->parked) {
        qemu_cond_broadcast(&s->idle_cond);
    }
    e->parked = parked;
}

/*
 * Called with s->lock held: wait while the VM is stopped, when guest
 * memory must not change.  False if the descriptor was aborted or the
 * device is going away meanwhile.
 */
static bool dsa_park(DSAContext *c)
{
    IntelDSAState *s = c->s;
    DSAResult r = { 0 };

    while (!s->vm_running && !s->stopping && !dsa_aborted(c, &r)) {
        dsa_set_parked(s, c->e, true);
        qemu_cond_wait(&s->idle_cond, &s->lock);
    }
    dsa_set_parked(s, c->e, false);
    return !s->stopping && !r.aborted;
}

/*
 * Map the longest prefix of [addr, addr + *len) that is directly
 * accessible RAM.  Returns NULL, and *len = 0, if addr itself is not.
 * The check and the mapping use one translation in one RCU section, so a
 * region that stops being RAM in between cannot send us to a bounce
 * buffer (MMIO, which needs the BQL).  The reference taken here is
 * dropped by dsa_unmap (address_space_unmap), which also marks written
 * RAM dirty and invalidates translated code in it.
 */
void *dsa_map_direct(IntelDSAState *s, dma_addr_t addr, hwaddr *len,
                     bool is_write)
{
    MemoryRegion *mr;
    hwaddr xlat;
    void *p = NULL;

    RCU_READ_LOCK_GUARD();
    mr = address_space_translate(dsa_as(s), addr, &xlat, len, is_write,
                                 MEMTXATTRS_UNSPECIFIED);
    if (*len && memory_access_is_direct(mr, is_write)) {
        memory_region_ref(mr);
        p = (uint8_t *)memory_region_get_ram_ptr(mr) + xlat;
    } else {
        *len = 0;
    }
    return p;
}

/*
 * Behind a vIOMMU, translating may report a fault: registers of the
 * vIOMMU and an interrupt, which need the BQL.  Engines never take it (a
 * reset waits for them under it), so the bottom half maps for them;
 * the engine gives up when its descriptor is aborted.
 */
static void *dsa_map_deferred(DSAContext *c, dma_addr_t addr, hwaddr *len,
                              bool is_write)
{
    IntelDSAState *s = c->s;
    DSAMapRequest *req = &c->e->map;
    DSAResult r = { 0 };
    void *p = NULL;

    qemu_mutex_lock(&s->lock);
    if (!dsa_park(c)) {
        qemu_mutex_unlock(&s->lock);
        *len = 0;
        return NULL;
    }
    req->gen++;
    req->addr = addr;
    req->len = *len;
    req->is_write = is_write;
    req->state = DSA_MAP_PENDING;
    qemu_bh_schedule(s->map_bh);
    qemu_cond_broadcast(&s->idle_cond);     /* a timer waiting serves it */
    /* Quiet while waiting; a mapping done while the VM is stopped waits */
    while ((req->state != DSA_MAP_DONE || !s->vm_running) && !s->stopping &&
           !dsa_aborted(c, &r)) {
        dsa_set_parked(s, c->e, true);
        qemu_cond_wait(&s->idle_cond, &s->lock);
    }
    dsa_set_parked(s, c->e, false);
    if (req->state == DSA_MAP_DONE && !s->stopping && !r.aborted) {
        p = req->p;
        *len = req->len;
    } else {
        /* The bottom half drops what it maps for a request given up */
        if (req->state == DSA_MAP_DONE) {
            dsa_unmap(s, req->p, req->len, is_write, 0);
        }
        *len = 0;
    }
    req->state = DSA_MAP_IDLE;
    qemu_mutex_unlock(&s->lock);
    return p;
}

static void *dsa_map(DSAContext *c, dma_addr_t addr, dma_addr_t *len,
                     bool is_write)
{
    IntelDSAState *s = c->s;
    hwaddr l = *len;
    void *p = NULL;

    if (c->bql) {
        /* A timed completion, from the timer: the BQL is ours */
        p = dsa_map_direct(s, addr, &l, is_write);
    } else if (s->iommu) {
        p = dsa_map_deferred(c, addr, &l, is_write);
    } else {
        /* Stopping the VM waits for this engine to park or go idle */
        if (!qatomic_read(&s->vm_running)) {
            bool ok;

            qemu_mutex_lock(&s->lock);
            ok = dsa_park(c);
            qemu_mutex_unlock(&s->lock);
            if (!ok) {
                *len = 0;
                return NULL;
            }
        }
        p = dsa_map_direct(s, addr, &l, is_write);
    }
    *len = l;
    return p;
}

void dsa_unmap(IntelDSAState *s, void *p, dma_addr_t len, bool is_write,
               dma_addr_t done)
{
    dma_memory_unmap(dsa_as(s), p, len,
                     is_write ? DMA_DIRECTION_FROM_DEVICE
                              : DMA_DIRECTION_TO_DEVICE, done);
}

/*
 * Bottom half (BQL): serve the engines' mapping requests (vIOMMU only).
 * The translation runs without s->lock; a request given up meanwhile, or
 * replaced by a newer one, gets its mapping dropped here.
 */
void dsa_map_bh(void *opaque)
{
    IntelDSAState *s = opaque;

    for (unsigned i = 0; i < s->num_engines; i++) {
        DSAMapRequest *req = &s->engine[i].map;
        dma_addr_t addr;
        uint64_t gen;
        bool is_write;
        hwaddr len;
        void *p;

        qemu_mutex_lock(&s->lock);
        if (req->state != DSA_MAP_PENDING) {
            qemu_mutex_unlock(&s->lock);
            continue;
        }
        req->state = DSA_MAP_SERVING;
        gen = req->gen;
        addr = req->addr;
        len = req->len;
        is_write = req->is_write;
        qemu_mutex_unlock(&s->lock);

        p = dsa_map_direct(s, addr, &len, is_write);

        qemu_mutex_lock(&s->lock);
        if (req->gen == gen && req->state == DSA_MAP_SERVING) {
            req->p = p;
            req->len = len;
            req->state = DSA_MAP_DONE;
            qemu_cond_broadcast(&s->idle_cond);
            p = NULL;
        }
        qemu_mutex_unlock(&s->lock);
        if (p) {
            dsa_unmap(s, p, len, is_write, 0);
        }
    }
}

/*
 * A fault ends the descriptor whether or not it asked to block on faults
 * (descriptor or WQCFG): there is no PRS here to resolve one.
 */
static void dsa_fault(DSAResult *r, uint64_t addr, bool is_write,
                      uint32_t done)
{
    r->status = DSA_COMP_PAGE_FAULT_NOBOF;
    r->fault_addr = addr;
    r->fault_write = is_write;
    r->bytes_completed = done;
}

/* Copy guest memory to a host buffer; false (with a fault) on failure */
static bool dsa_read(DSAContext *c, uint64_t addr, void *buf,
                     uint32_t len, DSAResult *r)
{
    uint32_t off = 0;

    while (off < len) {
        dma_addr_t l = len - off;
        void *p = dsa_map(c, addr + off, &l, false);

        if (!p) {
            dsa_fault(r, addr + off, false, 0);
            return false;
        }
        memcpy((uint8_t *)buf + off, p, l);
        dsa_unmap(c->s, p, l, false, l);
        off += l;
    }
    return true;
}

/* ---- operations ---- */

/*
 * One chunk of a two-buffer operation: map [a, a + *la) and then as much
 * of [b, ...) as that (*lb <= *la), each read or written as its flag says.
 * On a fault it is recorded in @r at @off, nothing stays mapped, and the
 * result is false.  The caller unmaps a with *la and b with *lb.
 */
static bool dsa_map_pair(DSAContext *c, uint64_t a, bool a_write, void **pa,
                         dma_addr_t *la, uint64_t b, bool b_write, void **pb,
                         dma_addr_t *lb, uint32_t off, DSAResult *r)
{
    *pa = dsa_map(c, a, la, a_write);
    if (!*pa) {
        dsa_fault(r, a, a_write, off);
        return false;
    }
    *lb = *la;
    *pb = dsa_map(c, b, lb, b_write);
    if (!*pb) {
        dsa_unmap(c->s, *pa, *la, a_write, 0);
        dsa_fault(r, b, b_write, off);
        return false;
    }
    return true;
}

/*
 * Map the top of [addr + lo, addr + hi): the longest piece ending at
 * addr + hi that is RAM in one mapping, its offset in *start.  NULL if
 * the page holding addr + hi - 1 is not RAM.  RAM ends at a page boundary
 * at the latest, so this steps through a hole a 4 KiB page at a time.
 */
static void *dsa_map_top(DSAContext *c, uint64_t addr, uint32_t lo,
                         uint32_t hi, bool is_write, uint32_t *start)
{
    uint32_t off = lo;

    while (off < hi && !dsa_aborted_quiet(c)) {
        dma_addr_t l = hi - off;
        void *p = dsa_map(c, addr + off, &l, is_write);

        if (p && off + l == hi) {
            *start = off;
            return p;
        }
        if (p) {
            dsa_unmap(c->s, p, l, is_write, 0);
            off += l;
        } else {
            off = MIN((uint64_t)hi,
                      ROUND_UP(addr + off + 1, DSA_PAGE_SIZE) - addr);
        }
    }
    return NULL;
}

/*
 * GENCAP.overlap_copy is 1, as on both parts: overlapping buffers are
 * copied as memmove() does.  When the destination starts inside the
 * source the copy runs from the end down, in pieces, so every source
 * byte is read before it is overwritten.  A page fault then leaves the
 * last Bytes Completed bytes copied, and Result says so: 1, copied from
 * the end (0, from the start, otherwise).  The fault address is the
 * highest byte not copied.
 */
static void dsa_op_memmove_down(DSAContext *c, uint64_t src, uint64_t dst,
                                uint32_t size, DSAResult *r)
{
    uint32_t hi = size;

    while (hi > 0 && !dsa_aborted(c, r)) {
        uint32_t lo = hi > DSA_ABORT_CHUNK ? hi - DSA_ABORT_CHUNK : 0;
        uint32_t s_lo, d_lo;
        uint8_t *sp, *dp;

        sp = dsa_map_top(c, src, lo, hi, false, &s_lo);
        if (!sp) {
            dsa_fault(r, src + hi - 1, false, size - hi);
            r->result = 1;
            return;
        }
        dp = dsa_map_top(c, dst, lo, hi, true, &d_lo);
        if (!dp) {
            dsa_unmap(c->s, sp, hi - s_lo, false, 0);
            dsa_fault(r, dst + hi - 1, true, size - hi);
            r->result = 1;
            return;
        }
        lo = MAX(s_lo, d_lo);
        memmove(dp + (lo - d_lo), sp + (lo - s_lo), hi - lo);
        dsa_unmap(c->s, dp, hi - d_lo, true, hi - d_lo);
        dsa_unmap(c->s, sp, hi - s_lo, false, hi - s_lo);
        hi = lo;
    }
    r->status = DSA_COMP_SUCCESS;
}

static void dsa_op_memmove(DSAContext *c, uint64_t src, uint64_t dst,
                           uint32_t size, DSAResult *r)
{
    uint32_t off = 0;

    if (dst > src && dst < src + size) {
        dsa_op_memmove_down(c, src, dst, size, r);
        return;
    }
    /* Upwards; the pieces may overlap when dst < src */
    while (off < size && !dsa_aborted(c, r)) {
        dma_addr_t sl = MIN(size - off, DSA_ABORT_CHUNK), dl;
        void *sp, *dp;

        if (!dsa_map_pair(c, src + off, false, &sp, &sl,
                          dst + off, true, &dp, &dl, off, r)) {
            return;
        }
        memmove(dp, sp, dl);
        dsa_unmap(c->s, dp, dl, true, dl);
        dsa_unmap(c->s, sp, sl, false, dl);
        off += dl;
    }
    r->status = DSA_COMP_SUCCESS;
    r->bytes_completed = 0;
}

static void dsa_op_fill(DSAContext *c, uint64_t pattern, uint64_t dst,
                        uint32_t size, DSAResult *r)
{
    uint32_t off = 0;

    while (off < size && !dsa_aborted(c, r)) {
        dma_addr_t l = MIN(size - off, DSA_ABORT_CHUNK);
        uint8_t *p = dsa_map(c, dst + off, &l, true);

        if (!p) {
            dsa_fault(r, dst + off, true, off);
            return;
        }
        for (dma_addr_t i = 0; i < l; i++) {
            p[i] = pattern >> (((off + i) % 8) * 8);
        }
        dsa_unmap(c->s, p, l, true, l);
        off += l;
    }
    r->status = DSA_COMP_SUCCESS;
}

static void dsa_op_compare(DSAContext *c, const uint8_t *d, uint64_t src1,
                           uint64_t src2, uint32_t size, DSAResult *r)
{
    uint32_t flags = ldl_le_p(d + DSA_DESC_FLAGS_OFFSET) & 0xffffff;
    uint32_t off = 0;

    r->status = DSA_COMP_SUCCESS;
    r->result = 0;
    while (off < size && !dsa_aborted(c, r)) {
        dma_addr_t l1 = MIN(size - off, DSA_ABORT_CHUNK), l2;
        void *v1, *v2;
        uint8_t *p1, *p2;

        if (!dsa_map_pair(c, src1 + off, false, &v1, &l1,
                          src2 + off, false, &v2, &l2, off, r)) {
            return;
        }
        p1 = v1;
        p2 = v2;
        for (dma_addr_t i = 0; i < l2; i++) {
            if (p1[i] != p2[i]) {
                r->result = 1;
                r->bytes_completed = off + i;
                break;
            }
        }
        dsa_unmap(c->s, p2, l2, false, l2);
        dsa_unmap(c->s, p1, l1, false, l2);
        if (r->result) {
            break;
        }
        off += l2;
    }
    if ((flags & DSA_OP_FLAG_CR) &&
        r->result != (d[DSA_DESC_OP_SPECIFIC] & 1)) {
        r->status = DSA_COMP_SUCCESS_PRED;
    }
}

static void dsa_complete(DSAContext *c, const uint8_t *d, DSAResult *r,
                         bool in_batch, uint16_t batch_idx);

static void dsa_execute(DSAContext *c, const uint8_t *d, DSAResult *r,
                        bool in_batch);

/*
 * Members run in order on this engine, so a fenced member always starts
 * after the ones before it have completed.  As the specification says of
 * the Fence flag: if a member before a fenced one completed with a status
 * other than Success (an error, or Success with false predicate from a
 * Check Result), the fenced member and every member after it are
 * abandoned: not executed, no completion record, no interrupt.  The
 * batch's record counts the members processed (failed ones included,
 * abandoned ones not) and says Batch Fail (0x05) if one of them failed;
 * a false predicate alone leaves the batch successful, with fewer members
 * completed than submitted.
 */
static void dsa_op_batch(DSAContext *c, const uint8_t *d, DSAResult *r)
{
    uint64_t list = ldq_le_p(d + DSA_DESC_SRC);
    uint32_t count = ldl_le_p(d + DSA_DESC_SIZE_FIELD);
    uint32_t done = 0;
    bool failed = false, unsuccessful = false;

    if (count < 2 || count > c->max_batch) {
        r->status = DSA_COMP_DESC_CNT_ERANGE;
        return;
    }
    if (list % DSA_DESC_SIZE) {
        r->status = DSA_COMP_DESCLIST_ALIGN;
        return;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint8_t sub[DSA_DESC_SIZE];
        DSAResult sr = { 0 };

        if (!dsa_read(c, list + i * DSA_DESC_SIZE, sub, sizeof(sub), &sr)) {
            r->status = DSA_COMP_BATCH_PAGE_FAULT;
            r->fault_addr = sr.fault_addr;
            r->bytes_completed = done;
            return;
        }
        if ((ldl_le_p(sub + DSA_DESC_FLAGS_OFFSET) & DSA_OP_FLAG_FENCE) &&
            unsuccessful) {
            break;                        /* this one and the rest abandoned */
        }
        dsa_execute(c, sub, &sr, true);
        if (sr.aborted) {
            r->aborted = true;
            return;
        }
        if (c->members) {
            /* Timed: completed at the batch's deadline */
            DSATimedMember m = { .r = sr };

            memcpy(m.desc, sub, sizeof(sub));
            g_array_append_val(c->members, m);
        } else {
            dsa_complete(c, sub, &sr, true, i);
        }
        done++;
        if (sr.status != DSA_COMP_SUCCESS) {
            unsuccessful = true;
            failed |= sr.status != DSA_COMP_SUCCESS_PRED;
        }
    }
    r->status = failed ? DSA_COMP_BATCH_FAIL : DSA_COMP_SUCCESS;
    r->bytes_completed = done;            /* descriptors processed */
}

/*
 * Wait until every descriptor submitted to this WQ before the Drain has
 * finished.  Later ones are never waited for (another Drain among them
 * waits for this one: two engines would wait for each other), and other
 * engines keep taking work from the WQ meanwhile.
 */
static void dsa_op_drain(DSAContext *c, DSAResult *r)
{
    IntelDSAState *s = c->s;

    qemu_mutex_lock(&s->lock);
    while (dsa_wq_busy_before(s, c->wq, c->seq) && !s->stopping &&
           !dsa_aborted(c, r)) {
        dsa_set_parked(s, c->e, true);
        qemu_cond_wait(&s->idle_cond, &s->lock);
    }
    dsa_set_parked(s, c->e, false);
    qemu_mutex_unlock(&s->lock);
    r->status = DSA_COMP_SUCCESS;
}

/*
 * Does the descriptor set a byte its format reserves?  [from, to) byte
 * ranges per opcode, from the descriptor formats of the specification.
 * Bytes 0-3 (PASID, privilege) are not checked: a dedicated WQ ignores
 * them.  Drain's readback addresses (16-31) are not either: without
 * GENCAP.drain_readback the flag that would use them is refused already.
 */
static bool dsa_reserved_set(const uint8_t *d, uint8_t opcode)
{
    static const struct {
        uint8_t opcode;
        uint8_t from, to;
    } reserved[] = {
        { DSA_OPCODE_NOOP, DSA_DESC_SRC, DSA_DESC_INT_HANDLE },
        { DSA_OPCODE_NOOP, DSA_DESC_OP_SPECIFIC, DSA_DESC_SIZE },
        { DSA_OPCODE_BATCH, DSA_DESC_DST, DSA_DESC_SIZE_FIELD },
        { DSA_OPCODE_BATCH, DSA_DESC_OP_SPECIFIC, DSA_DESC_SIZE },
        { DSA_OPCODE_DRAIN, DSA_DESC_SIZE_FIELD, DSA_DESC_INT_HANDLE },
        { DSA_OPCODE_DRAIN, DSA_DESC_OP_SPECIFIC, DSA_DESC_SIZE },
        { DSA_OPCODE_MEMMOVE, DSA_DESC_OP_SPECIFIC, DSA_DESC_SIZE },
        /* an 8-byte pattern: the upper half is for 16-byte fills */
        { DSA_OPCODE_MEMFILL, DSA_DESC_OP_SPECIFIC, DSA_DESC_SIZE },
        /* byte 40 is the expected result */
        { DSA_OPCODE_COMPARE, DSA_DESC_OP_SPECIFIC + 1, DSA_DESC_SIZE },
    };

    /* Bytes 38-39, after the interrupt handle, in every format */
    if (lduw_le_p(d + DSA_DESC_INT_HANDLE + 2)) {
        return true;
    }
    for (unsigned i = 0; i < ARRAY_SIZE(reserved); i++) {
        if (reserved[i].opcode != opcode) {
            continue;
        }
        for (unsigned b = reserved[i].from; b < reserved[i].to; b++) {
            if (d[b]) {
                return true;
            }
        }
    }
    return false;
}

static void dsa_execute(DSAContext *c, const uint8_t *d, DSAResult *r,
                        bool in_batch)
{
    uint32_t w1 = ldl_le_p(d + DSA_DESC_FLAGS_OFFSET);
    uint32_t flags = w1 & 0xffffff;
    uint8_t opcode = w1 >> 24;
    uint64_t src = ldq_le_p(d + DSA_DESC_SRC);
    uint64_t dst = ldq_le_p(d + DSA_DESC_DST);
    uint32_t size = ldl_le_p(d + DSA_DESC_SIZE_FIELD);
    uint16_t handle = lduw_le_p(d + DSA_DESC_INT_HANDLE);

    if (dsa_aborted(c, r)) {
        return;
    }
    if (flags & ~DSA_OP_FLAGS_SUPPORTED) {
        r->status = DSA_COMP_INVALID_FLAGS;
        r->invalid_flags = flags & ~DSA_OP_FLAGS_SUPPORTED;
        return;
    }
    if ((flags & DSA_OP_FLAG_RCI) && handle >= c->s->num_wqs + 1) {
        r->status = DSA_COMP_INT_HANDLE_INVAL;
        return;
    }
    if (opcode <= DSA_OPCODE_COMPARE &&
        !(in_batch && (opcode == DSA_OPCODE_BATCH ||
                       opcode == DSA_OPCODE_DRAIN)) &&
        dsa_reserved_set(d, opcode)) {
        r->status = DSA_COMP_NOZERO_RESERVE;
        return;
    }

    switch (opcode) {
    case DSA_OPCODE_NOOP:
        r->status = DSA_COMP_SUCCESS;
        return;
    case DSA_OPCODE_DRAIN:
    case DSA_OPCODE_BATCH:
        if (in_batch) {
            break;
        }
        if (opcode == DSA_OPCODE_DRAIN) {
            dsa_op_drain(c, r);
        } else {
            dsa_op_batch(c, d, r);
        }
        return;
    case DSA_OPCODE_MEMMOVE:
    case DSA_OPCODE_MEMFILL:
    case DSA_OPCODE_COMPARE:
        if (size == 0 || size > c->max_xfer) {
            r->status = DSA_COMP_XFER_ERANGE;
            return;
        }
        if (opcode == DSA_OPCODE_MEMMOVE) {
            dsa_op_memmove(c, src, dst, size, r);
        } else if (opcode == DSA_OPCODE_MEMFILL) {
            dsa_op_fill(c, src, dst, size, r);
        } else {
            dsa_op_compare(c, d, src, dst, size, r);
        }
        return;
    }
    r->status = DSA_COMP_BAD_OPCODE;
}

/* ---- completion ---- */

/* The completion record of a result */
static void dsa_build_cr(DSAContext *c, const DSAResult *r, uint8_t *cr)
{
    memset(cr, 0, DSA_CR_SIZE);
    cr[DSA_CR_STATUS] = r->status;
    /*
     * Which access faulted: status bit 7 (DSA 1.0 and the idxd uapi), and
     * in DSA 2.0 also bit 0 of Fault Info, a reserved byte in DSA 1.0.
     */
    if (r->fault_write) {
        cr[DSA_CR_STATUS] |= DSA_COMP_STATUS_WRITE;
        if (c->s->model->fault_info) {
            cr[DSA_CR_FAULT_INFO] = DSA_CR_FAULT_INFO_WRITE;
        }
    }
    cr[DSA_CR_RESULT] = r->result;
    stl_le_p(cr + DSA_CR_BYTES_COMPLETED, r->bytes_completed);
    stq_le_p(cr + DSA_CR_FAULT_ADDR, r->fault_addr);
    stl_le_p(cr + DSA_CR_INVALID_FLAGS, r->invalid_flags);
}

static bool dsa_write_cr(DSAContext *c, uint64_t addr, const DSAResult *r)
{
    uint8_t cr[DSA_CR_SIZE];
    dma_addr_t l = DSA_CR_SIZE;
    uint8_t *p;

    dsa_build_cr(c, r, cr);
    p = dsa_map(c, addr, &l, true);
    if (!p) {
        return false;
    }
    if (l < DSA_CR_SIZE) {
        dsa_unmap(c->s, p, l, true, 0);
        return false;
    }
    /* The status byte goes last: software polls it */
    memcpy(p + 1, cr + 1, DSA_CR_SIZE - 1);
    smp_wmb();      /* the record's body is visible before its status */
    qatomic_set(p, cr[DSA_CR_STATUS]);
    dsa_unmap(c->s, p, l, true, l);
    return true;
}

static void dsa_complete(DSAContext *c, const uint8_t *d, DSAResult *r,
                         bool in_batch, uint16_t batch_idx)
{
    IntelDSAState *s = c->s;
    uint32_t w1 = ldl_le_p(d + DSA_DESC_FLAGS_OFFSET);
    uint32_t flags = w1 & 0xffffff;
    uint8_t opcode = w1 >> 24;
    uint64_t cr_addr = ldq_le_p(d + DSA_DESC_CR_ADDR);
    uint16_t handle = lduw_le_p(d + DSA_DESC_INT_HANDLE);
    bool ok = r->status == DSA_COMP_SUCCESS ||
              r->status == DSA_COMP_SUCCESS_PRED;
    uint8_t err = 0;

    if (r->aborted || dsa_aborted(c, r)) {
        /* Like the queued descriptors that were discarded */
        trace_intel_dsa_desc(c->wq, opcode, 0);
        return;
    }
    trace_intel_dsa_desc(c->wq, opcode, r->status);
    if ((flags & DSA_OP_FLAG_CRAV) && ((flags & DSA_OP_FLAG_RCR) || !ok)) {
        if (cr_addr % DSA_CR_SIZE) {
            err = DSA_COMP_CRA_ALIGN;
        } else if (!dsa_write_cr(c, cr_addr, r)) {
            if (dsa_aborted(c, r)) {
                return;         /* the mapping was given up, not refused */
            }
            err = DSA_COMP_CRA_XLAT;
        }
    } else if (!ok) {
        /* An error with nowhere to put it */
        err = r->status;
        cr_addr = r->fault_addr;
    }
    if (err) {
        DSAError e = { .has_cr = true };
        uint64_t e0 = 0, e1 = 0;

        e0 = FIELD_DP64(e0, SWERR, DESC_VALID, 1);
        e0 = FIELD_DP64(e0, SWERR, WQ_IDX_VALID, 1);
        e0 = FIELD_DP64(e0, SWERR, BATCH, in_batch);
        /* A record that cannot be written faulted on a write */
        e0 = FIELD_DP64(e0, SWERR, FAULT_RW, err == DSA_COMP_CRA_XLAT ||
                        (err == r->status && r->fault_write));
        e0 = FIELD_DP64(e0, SWERR, ERROR, err);
        e0 = FIELD_DP64(e0, SWERR, WQ_IDX, c->wq);
        e0 = FIELD_DP64(e0, SWERR, OPERATION, opcode);
        e1 = FIELD_DP64(e1, SWERR1, BATCH_IDX, batch_idx);
        e1 = FIELD_DP64(e1, SWERR1, INVALID_FLAGS, r->invalid_flags);
        e.swerr[0] = e0;
        e.swerr[1] = e1;
        e.swerr[2] = cr_addr;
        /*
         * For the event log: the invalid flags, or the interrupt handle
         * and whether the descriptor asked for an interrupt and a record;
         * and the record it would have had (software copies it where it
         * belongs when the address faulted, 0x1a).
         */
        if (err == DSA_COMP_INVALID_FLAGS) {
            e.info = r->invalid_flags;
        } else {
            e.info = handle |
                     (flags & DSA_OP_FLAG_RCI ? DSA_EVL_INFO_RCI : 0) |
                     (flags & DSA_OP_FLAG_RCR ? DSA_EVL_INFO_RCR : 0);
        }
        dsa_build_cr(c, r, e.cr);
        dsa_report_error(s, &e);
    }
    if ((flags & DSA_OP_FLAG_RCI) && handle < s->num_wqs + 1) {
        dsa_notify(s, handle);
    }
}

/* ---- timed mode (the model is in intel-dsa-timing.h) ---- */

/* A stalled completion looks again this much later (virtual ns) */
#define DSA_TIMING_RETRY_NS     1000

/*
 * Engine time of a descriptor, at its portal write (BQL).  A BATCH costs
 * its members, read here from the list; a list that is not RAM costs
 * batch-ns only (the engine reports the fault).
 */
int64_t dsa_timing_work(IntelDSAState *s, const uint8_t *desc)
{
    const DSATimingParams *p = &s->tp;
    uint8_t opcode = ldl_le_p(desc + DSA_DESC_FLAGS_OFFSET) >> 24;
    uint32_t size = ldl_le_p(desc + DSA_DESC_SIZE_FIELD);
    hwaddr len = (hwaddr)size * DSA_DESC_SIZE;
    int64_t ns = p->desc_ns + p->batch_ns;
    uint8_t *list;

    switch (opcode) {
    case DSA_OPCODE_MEMMOVE:
    case DSA_OPCODE_MEMFILL:
    case DSA_OPCODE_COMPARE:
        return dsa_timing_xfer_ns(p, size);
    case DSA_OPCODE_BATCH:
        break;
    default:
        return p->desc_ns;
    }
    if (size < 2 || size > BIT(s->max_batch_shift)) {
        return ns;
    }
    list = dsa_map_direct(s, ldq_le_p(desc + DSA_DESC_SRC), &len, false);
    if (!list) {
        return ns;
    }
    for (hwaddr off = 0; off + DSA_DESC_SIZE <= len; off += DSA_DESC_SIZE) {
        uint8_t op = ldl_le_p(list + off + DSA_DESC_FLAGS_OFFSET) >> 24;

        if (op == DSA_OPCODE_MEMMOVE || op == DSA_OPCODE_MEMFILL ||
            op == DSA_OPCODE_COMPARE) {
            ns += dsa_timing_xfer_ns(p, ldl_le_p(list + off +
                                                 DSA_DESC_SIZE_FIELD));
        } else {
            ns += p->desc_ns;
        }
    }
    dsa_unmap(s, list, len, false, 0);
    return ns;
}

/* Called with s->lock held: queue by deadline, ties in submission order */
static void dsa_timing_insert(IntelDSAState *s, DSATimedEntry *t)
{
    DSATiming *tm = &s->timing;
    DSATimedEntry *pos;

    QTAILQ_FOREACH(pos, &tm->pending, next) {
        if (pos->deadline > t->deadline ||
            (pos->deadline == t->deadline && pos->order > t->order)) {
            QTAILQ_INSERT_BEFORE(pos, t, next);
            break;
        }
    }
    if (!pos) {
        QTAILQ_INSERT_TAIL(&tm->pending, t, next);
    }
}

/* Called with s->lock held: when the head of WQ n is ready (or never) */
static int64_t dsa_timing_head_ready(IntelDSAState *s, unsigned n)
{
    DSATiming *tm = &s->timing;
    DSATimedEntry *t = QTAILQ_FIRST(&tm->waiting[n]);

    if (!t) {
        return INT64_MAX;
    }
    /* A Drain waits for the deadlines of the WQ's earlier descriptors */
    return t->drain ? MAX(t->ready, tm->wq_last[n]) : t->ready;
}

/* Called with s->lock held: the WQs an engine serves */
static uint32_t dsa_timing_served(IntelDSAState *s)
{
    uint32_t served = 0;

    for (unsigned e = 0; e < s->num_engines; e++) {
        served |= s->engine[e].wq_mask;
    }
    return served;
}

/*
 * Called with s->lock held: the earliest virtual time at which an engine
 * can take a waiting descriptor, or a descriptor of a WQ no engine serves
 * is ready (it costs no engine); INT64_MAX if none.
 */
static int64_t dsa_timing_next_dispatch(IntelDSAState *s)
{
    DSATiming *tm = &s->timing;
    int64_t ready[DSA_MAX_WQS], next = INT64_MAX;
    uint32_t served = dsa_timing_served(s);

    for (unsigned n = 0; n < DSA_MAX_WQS; n++) {
        ready[n] = dsa_timing_head_ready(s, n);
        if (!(served & BIT(n))) {
            next = MIN(next, ready[n]);
        }
    }
    for (unsigned e = 0; e < s->num_engines; e++) {
        int64_t r = INT64_MAX;

        for (unsigned n = 0; n < DSA_MAX_WQS; n++) {
            if (s->engine[e].wq_mask & BIT(n)) {
                r = MIN(r, ready[n]);
            }
        }
        if (r != INT64_MAX) {
            next = MIN(next, MAX(r, tm->busy_until[e]));
        }
    }
    return next;
}

/* Called with s->lock held: engine e (or none, -1) starts t at @start */
static void dsa_timing_start(IntelDSAState *s, DSATimedEntry *t, int e,
                             int64_t start)
{
    DSATiming *tm = &s->timing;
    const DSATimingParams *p = &s->tp;

    QTAILQ_REMOVE(&tm->waiting[t->wq], t, next);
    if (e >= 0) {
        tm->busy_until[e] = start + t->work_ns;
    }
    t->deadline = start + t->work_ns + p->completion_ns +
                  (t->irq ? p->irq_ns : 0);
    tm->wq_last[t->wq] = MAX(tm->wq_last[t->wq], t->deadline);
    dsa_timing_insert(s, t);
}

/*
 * Called with s->lock held: run the group arbiters up to @now, event by
 * event.  At each event time the engines that are free take work, the one
 * free first first (ties: the lowest); each takes the head of the WQ its
 * group's arbiter picks among those with a descriptor ready.
 */
static void dsa_timing_dispatch(IntelDSAState *s, int64_t now)
{
    DSATiming *tm = &s->timing;
    uint32_t served = dsa_timing_served(s);
    int64_t at;

    while ((at = dsa_timing_next_dispatch(s)) <= now) {
        for (;;) {
            uint32_t ready = 0;
            int best = -1;
            unsigned g;
            int n;

            for (unsigned e = 0; e < s->num_engines; e++) {
                uint32_t r = 0;

                if (tm->busy_until[e] > at || (best >= 0 &&
                    tm->busy_until[e] >= tm->busy_until[best])) {
                    continue;
                }
                for (n = 0; n < DSA_MAX_WQS; n++) {
                    if ((s->engine[e].wq_mask & BIT(n)) &&
                        dsa_timing_head_ready(s, n) <= at) {
                        r |= BIT(n);
                    }
                }
                if (r) {
                    best = e;
                    ready = r;
                }
            }
            if (best < 0) {
                break;
            }
            /* A group's WQs are its engines' wq_mask: key it by the first */
            g = ctz32(s->engine[best].wq_mask);
            n = dsa_timing_arbitrate(ready, tm->prio, tm->rr[g]);
            tm->rr[g] = (n + 1) % DSA_MAX_WQS;
            dsa_timing_start(s, QTAILQ_FIRST(&tm->waiting[n]), best, at);
        }
        for (unsigned n = 0; n < DSA_MAX_WQS; n++) {
            while (!(served & BIT(n)) && dsa_timing_head_ready(s, n) <= at) {
                dsa_timing_start(s, QTAILQ_FIRST(&tm->waiting[n]), -1, at);
            }
        }
    }
}

/*
 * Called with s->lock held: if the engines serving WQ n serve no other WQ
 * (or none serves it), nothing submitted later can overtake its waiting
 * descriptors, so they are dispatched now, each to the engine free first
 * (ties: the lowest), as the arbiter would.  This keeps the timer's
 * events what they were before priorities existed: one per completion.
 * Under -icount every timer event cuts the vCPUs' time slices, so extra
 * ones, though they change no deadline, move what the guest measures.
 */
static void dsa_timing_dispatch_alone(IntelDSAState *s, unsigned n)
{
    DSATiming *tm = &s->timing;
    DSATimedEntry *t;
    uint32_t engines = 0;

    for (unsigned e = 0; e < s->num_engines; e++) {
        if (s->engine[e].wq_mask & BIT(n)) {
            if (s->engine[e].wq_mask != BIT(n)) {
                return;
            }
            engines |= BIT(e);
        }
    }
    while ((t = QTAILQ_FIRST(&tm->waiting[n]))) {
        int64_t ready = dsa_timing_head_ready(s, n);
        int best = -1;

        for (unsigned e = 0; e < s->num_engines; e++) {
            if ((engines & BIT(e)) &&
                (best < 0 || tm->busy_until[e] < tm->busy_until[best])) {
                best = e;
            }
        }
        dsa_timing_start(s, t, best,
                         best < 0 ? ready : MAX(ready, tm->busy_until[best]));
    }
}

/* Called with s->lock held: the timer at the next event, if any */
static void dsa_timing_arm(IntelDSAState *s)
{
    DSATiming *tm = &s->timing;
    DSATimedEntry *t = QTAILQ_FIRST(&tm->pending);
    int64_t next = dsa_timing_next_dispatch(s);

    if (t) {
        next = MIN(next, t->deadline);
    }
    if (next == INT64_MAX) {
        timer_del(tm->timer);
    } else {
        timer_mod(tm->timer, next);
    }
}

/*
 * Called with s->lock held, under the BQL, for a descriptor of WQ n that
 * the portal is queueing now (it gets the WQ's next sequence number): it
 * waits in the WQ's queue for an engine.
 */
void dsa_timing_submit(IntelDSAState *s, int n, const uint8_t *desc,
                       int64_t work_ns)
{
    DSAWorkQueue *wq = &s->wq[n];
    uint32_t w1 = ldl_le_p(desc + DSA_DESC_FLAGS_OFFSET);
    DSATimedEntry *t = g_new0(DSATimedEntry, 1);
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    dsa_timing_dispatch(s, now);
    t->wq = n;
    t->seq = wq->seq_head + wq->count;
    t->order = s->timing.order++;
    memcpy(t->desc, desc, DSA_DESC_SIZE);
    t->ready = now + s->tp.submit_ns;
    t->work_ns = work_ns;
    t->drain = (w1 >> 24) == DSA_OPCODE_DRAIN;
    t->irq = w1 & DSA_OP_FLAG_RCI;
    QTAILQ_INSERT_TAIL(&s->timing.waiting[n], t, next);
    dsa_timing_dispatch_alone(s, n);
    dsa_timing_arm(s);
}

/* Called with s->lock held: the entry of descriptor @seq of WQ n */
static DSATimedEntry *dsa_timing_find(IntelDSAState *s, int n, uint64_t seq)
{
    DSATimedEntry *t;

    QTAILQ_FOREACH(t, &s->timing.waiting[n], next) {
        if (t->seq == seq) {
            return t;
        }
    }
    QTAILQ_FOREACH(t, &s->timing.pending, next) {
        if (t->wq == n && t->seq == seq) {
            return t;
        }
    }
    return NULL;
}

/*
 * Called with s->lock held: an engine ran the descriptor of @c (the host
 * may be ahead of the model: it need not be dispatched yet)
 */
static void dsa_timing_done(IntelDSAState *s, DSAContext *c, DSAResult *r)
{
    DSATimedEntry *t = dsa_timing_find(s, c->wq, c->seq);

    if (t) {
        t->r = *r;
        t->members = c->members;
        c->members = NULL;
        t->done = true;
    }
    if (c->members) {
        g_array_free(c->members, true);     /* a reset dropped it */
        c->members = NULL;
    }
}

/*
 * Called with s->lock held: does a completion of WQ n from before @seq
 * wait for its deadline?  Commands wait for these; Drain descriptors do
 * not (a fault pushes a deadline past theirs, and the timer would wait
 * for the Drain while it waits for the timer).
 */
bool dsa_timing_busy(IntelDSAState *s, unsigned n, uint64_t seq)
{
    DSATimedEntry *t;

    QTAILQ_FOREACH(t, &s->timing.waiting[n], next) {
        if (t->seq < seq && t->seq >= s->wq[n].abort_seq) {
            return true;
        }
    }
    QTAILQ_FOREACH(t, &s->timing.pending, next) {
        if (t->wq == n && t->seq < seq && t->seq >= s->wq[n].abort_seq) {
            return true;
        }
    }
    return false;
}

static void dsa_timing_free(DSATimedEntry *t)
{
    if (t->members) {
        g_array_free(t->members, true);
    }
    g_free(t);
}

/* Called with s->lock held, under the BQL: everything dropped (reset) */
void dsa_timing_flush(IntelDSAState *s)
{
    DSATiming *tm = &s->timing;
    DSATimedEntry *t, *n;

    for (unsigned i = 0; i < DSA_MAX_WQS; i++) {
        QTAILQ_FOREACH_SAFE(t, &tm->waiting[i], next, n) {
            QTAILQ_REMOVE(&tm->waiting[i], t, next);
            dsa_timing_free(t);
        }
    }
    QTAILQ_FOREACH_SAFE(t, &tm->pending, next, n) {
        QTAILQ_REMOVE(&tm->pending, t, next);
        dsa_timing_free(t);
    }
    memset(tm->busy_until, 0, sizeof(tm->busy_until));
    memset(tm->wq_last, 0, sizeof(tm->wq_last));
    memset(tm->rr, 0, sizeof(tm->rr));
    if (tm->timer) {
        timer_del(tm->timer);
    }
}

/*
 * Called with s->lock held: will an engine still run it (queued or
 * running)?  Not when it was discarded (disable, halt, reset).
 */
static bool dsa_timing_alive(IntelDSAState *s, DSATimedEntry *t,
                             bool *queued)
{
    DSAWorkQueue *wq = &s->wq[t->wq];

    *queued = t->seq >= wq->seq_head && t->seq < wq->seq_head + wq->count;
    if (*queued) {
        return true;
    }
    for (unsigned i = 0; i < s->num_engines; i++) {
        if (s->engine[i].cur_wq == t->wq && s->engine[i].cur_seq == t->seq) {
            return true;
        }
    }
    return false;
}

static bool dsa_timing_faulted(DSATimedEntry *t)
{
    uint8_t st = t->r.status & DSA_COMP_STATUS_MAX;

    if (st == DSA_COMP_PAGE_FAULT_NOBOF || st == DSA_COMP_BATCH_PAGE_FAULT) {
        return true;
    }
    for (guint i = 0; t->members && i < t->members->len; i++) {
        DSATimedMember *m = &g_array_index(t->members, DSATimedMember, i);

        if ((m->r.status & DSA_COMP_STATUS_MAX) ==
            DSA_COMP_PAGE_FAULT_NOBOF) {
            return true;
        }
    }
    return false;
}

/* The completion records (batch members first) and interrupt, BQL */
static void dsa_timing_deliver(IntelDSAState *s, DSATimedEntry *t)
{
    DSAContext c = { .s = s, .wq = t->wq, .seq = t->seq, .bql = true };

    if (FIELD_EX32(s->gensts, GENSTS, STATE) == DSA_DEV_HALT) {
        return;                 /* like the queued ones a halt drops */
    }
    for (guint i = 0; t->members && i < t->members->len; i++) {
        DSATimedMember *m = &g_array_index(t->members, DSATimedMember, i);

        dsa_complete(&c, m->desc, &m->r, true, i);
    }
    dsa_complete(&c, t->desc, &t->r, false, 0);
}

/*
 * Timer (BQL, QEMU_CLOCK_VIRTUAL): deliver every completion whose deadline
 * has come, in deadline order.  One whose data the host has not moved yet
 * is waited for here, with the guest stopped, so what the guest sees never
 * depends on the host's speed; behind a vIOMMU the engines' mappings are
 * served meanwhile (their bottom half needs the BQL we hold).
 */
void dsa_timing_fire(void *opaque)
{
    IntelDSAState *s = opaque;
    DSATiming *tm = &s->timing;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    DSATimedEntry *t;
    bool queued;

    qemu_mutex_lock(&s->lock);
    dsa_timing_dispatch(s, now);
    while ((t = QTAILQ_FIRST(&tm->pending)) && t->deadline <= now) {
        if (!t->done && dsa_timing_alive(s, t, &queued)) {
            if (queued && (s->paused || !s->running || !s->vm_running)) {
                /* Engines take no work (debug page): look again later */
                timer_mod(tm->timer, now + DSA_TIMING_RETRY_NS);
                qemu_mutex_unlock(&s->lock);
                return;
            }
            qemu_mutex_unlock(&s->lock);
            dsa_map_bh(s);
            qemu_mutex_lock(&s->lock);
            if (!t->done) {
                qemu_cond_timedwait(&s->idle_cond, &s->lock, 10);
            }
            continue;
        }
        QTAILQ_REMOVE(&tm->pending, t, next);
        if (t->done && !t->fault_charged && s->tp.fault_ns &&
            dsa_timing_faulted(t)) {
            t->fault_charged = true;
            t->deadline += s->tp.fault_ns;
            dsa_timing_insert(s, t);
            continue;
        }
        qemu_mutex_unlock(&s->lock);
        if (t->done) {
            dsa_timing_deliver(s, t);
        }
        dsa_timing_free(t);
        qemu_mutex_lock(&s->lock);
    }
    dsa_timing_arm(s);
    qemu_cond_broadcast(&s->idle_cond);     /* Drain descriptors, commands */
    qemu_mutex_unlock(&s->lock);
    /* Interrupts, errors and waiting commands now, not from a bottom half */
    dsa_deliver(s);
}

/* ---- work queues and engines ---- */

/*
 * Called with s->lock held: is a descriptor submitted to WQ n before
 * sequence number seq still queued or running?  The ring is FIFO, so
 * queued ones are the oldest; running ones are on the engines.
 */
bool dsa_wq_busy_before(IntelDSAState *s, unsigned n, uint64_t seq)
{
    DSAWorkQueue *wq = &s->wq[n];

    if (wq->count && wq->seq_head < seq) {
        return true;
    }
    for (unsigned i = 0; i < s->num_engines; i++) {
        DSAEngine *e = &s->engine[i];

        if (e->cur_wq == n && e->cur_seq < seq) {
            return true;
        }
    }
    return false;
}

/* Called with s->lock held: wake every idle engine */
void dsa_wake_engines(IntelDSAState *s)
{
    for (unsigned i = 0; i < s->num_engines; i++) {
        DSAEngine *e = &s->engine[i];

        if (e->idle) {
            e->idle = false;
            qemu_cond_signal(&e->wake);
        }
    }
}

/*
 * Called with s->lock held: a descriptor was queued on WQ n, wake one idle
 * engine that serves it (busy ones look for more work before sleeping).
 * Waking one, not all, keeps the engine threads from fighting over the
 * lock and the host CPUs for every descriptor.
 */
static void dsa_wake_one(IntelDSAState *s, int n)
{
    for (unsigned i = 0; i < s->num_engines; i++) {
        DSAEngine *e = &s->engine[i];

        if (e->idle && (e->wq_mask & BIT(n))) {
            e->idle = false;
            qemu_cond_signal(&e->wake);
            return;
        }
    }
}

void dsa_portal_write(IntelDSAState *s, int n, const uint8_t *desc)
{
    DSAWorkQueue *wq = n < s->num_wqs ? &s->wq[n] : NULL;
    int64_t work_ns = s->tp.on ? dsa_timing_work(s, desc) : 0;
    uint8_t err = 0;

    qemu_mutex_lock(&s->lock);
    if (!wq || !wq->enabled || !s->running) {
        err = DSA_SWERR_WQ_DISABLED;
    } else if (wq->count >= wq->capacity) {
        err = DSA_SWERR_WQ_FULL;
    } else {
        memcpy(wq->ring[(wq->head + wq->count) % wq->capacity].raw, desc,
               DSA_DESC_SIZE);
        if (s->tp.on) {
            dsa_timing_submit(s, n, desc, work_ns);
        }
        wq->count++;
        dsa_wake_one(s, n);
    }
    if (err) {
        s->dropped++;
    }
    qemu_mutex_unlock(&s->lock);

    if (err) {
        DSAError e = { 0 };
        uint64_t e0 = 0;

        trace_intel_dsa_drop(n, err);
        e0 = FIELD_DP64(e0, SWERR, DESC_VALID, 1);
        e0 = FIELD_DP64(e0, SWERR, WQ_IDX_VALID, wq != NULL);
        e0 = FIELD_DP64(e0, SWERR, ERROR, err);
        e0 = FIELD_DP64(e0, SWERR, WQ_IDX, n);
        e0 = FIELD_DP64(e0, SWERR, OPERATION, desc[7]);
        e.swerr[0] = e0;
        dsa_report_error(s, &e);
    }
}

/* Called with s->lock held: the next WQ with work for this engine */
static int dsa_pick_wq(IntelDSAState *s, DSAEngine *e)
{
    if (!s->running || s->paused || !s->vm_running) {
        return -1;
    }
    for (unsigned i = 0; i < s->num_wqs; i++) {
        unsigned n = (e->next_wq + i) % s->num_wqs;
        DSAWorkQueue *wq = &s->wq[n];

        if ((e->wq_mask & BIT(n)) && wq->count) {
            e->next_wq = n + 1;
            return n;
        }
    }
    return -1;
}

static void *dsa_engine_thread(void *opaque)
{
    DSAEngine *e = opaque;
    IntelDSAState *s = e->dev;

    /*
     * Guest memory is translated in RCU read sections: only a registered
     * thread makes the RCU thread wait before freeing a FlatView that the
     * guest replaced meanwhile (bus mastering toggled, a BAR moved).
     */
    rcu_register_thread();
    qemu_mutex_lock(&s->lock);
    while (!s->stopping) {
        DSAContext c = { .s = s, .e = e };
        DSAResult r = { 0 };
        uint8_t inject = 0;
        DSAWorkQueue *wq;
        uint8_t d[DSA_DESC_SIZE];
        bool halt = false;

        c.wq = dsa_pick_wq(s, e);
        if (c.wq < 0) {
            e->idle = true;
            qemu_cond_broadcast(&s->idle_cond);     /* for a VM stop */
            qemu_cond_wait(&e->wake, &s->lock);
            e->idle = false;
            continue;
        }
        wq = &s->wq[c.wq];
        memcpy(d, wq->ring[wq->head].raw, DSA_DESC_SIZE);
        wq->head = (wq->head + 1) % wq->capacity;
        wq->count--;
        wq->inflight++;
        c.seq = wq->seq_head++;
        e->cur_wq = c.wq;
        e->cur_seq = c.seq;
        c.max_xfer = wq->max_xfer;
        c.max_batch = wq->max_batch;
        if (s->fault_every && ++s->fault_seq % s->fault_every == 0) {
            inject = s->fault_status;
            s->faults++;
        }
        if (s->halt_after && ++s->halt_seq == s->halt_after) {
            halt = true;
        }
        qemu_mutex_unlock(&s->lock);

        if (s->tp.on) {
            c.members = g_array_new(false, false, sizeof(DSATimedMember));
        }
        if (inject) {
            r.status = inject;
            if ((inject & DSA_COMP_STATUS_MAX) == DSA_COMP_PAGE_FAULT_NOBOF) {
                r.fault_addr = ldq_le_p(d + DSA_DESC_DST);
                r.fault_write = true;
            }
        } else {
            dsa_execute(&c, d, &r, false);
        }
        if (!s->tp.on) {
            dsa_complete(&c, d, &r, false, 0);
        }

        qemu_mutex_lock(&s->lock);
        if (s->tp.on) {
            dsa_timing_done(s, &c, &r);
        }
        wq->inflight--;
        e->cur_wq = -1;
        e->descs++;
        s->descs++;
        if (halt) {
            s->halt_pending = true;
        }
        qemu_cond_broadcast(&s->idle_cond);
        if (halt || s->cmd_waiting) {
            qemu_bh_schedule(s->irq_bh);
        }
    }
    qemu_mutex_unlock(&s->lock);
    rcu_unregister_thread();
    return NULL;
}

/*
 * VM run state: while the VM is stopped the engines take no descriptors
 * and pause the ones they run at their next access to guest memory, so
 * that memory stays as it is (for a snapshot, a dump).  Stopping waits
 * for that, under the BQL: bounded, since engines never wait for the BQL.
 */
/* Called with s->lock held: is every engine idle or parked? */
static bool dsa_engines_quiet(IntelDSAState *s)
{
    for (unsigned i = 0; i < s->num_engines; i++) {
        if (!s->engine[i].idle && !s->engine[i].parked) {
            return false;
        }
    }
    return true;
}

void dsa_vm_state_change(void *opaque, bool running, RunState state)
{
    IntelDSAState *s = opaque;

    qemu_mutex_lock(&s->lock);
    qatomic_set(&s->vm_running, running);
    if (running) {
        dsa_wake_engines(s);
        qemu_cond_broadcast(&s->idle_cond);
    } else {
        while (!dsa_engines_quiet(s) && !s->stopping) {
            qemu_cond_wait(&s->idle_cond, &s->lock);
        }
    }
    qemu_mutex_unlock(&s->lock);
}

void dsa_engines_start(IntelDSAState *s)
{
    for (unsigned i = 0; i < s->num_engines; i++) {
        DSAEngine *e = &s->engine[i];
        char name[32];

        e->dev = s;
        e->cur_wq = -1;
        qemu_cond_init(&e->wake);
        snprintf(name, sizeof(name), "intel-dsa-eng%u", i);
        qemu_thread_create(&e->thread, name, dsa_engine_thread, e,
                           QEMU_THREAD_JOINABLE);
    }
}

void dsa_engines_stop(IntelDSAState *s)
{
    qemu_mutex_lock(&s->lock);
    s->stopping = true;
    dsa_wake_engines(s);
    qemu_cond_broadcast(&s->idle_cond);
    qemu_mutex_unlock(&s->lock);
    for (unsigned i = 0; i < s->num_engines; i++) {
        qemu_thread_join(&s->engine[i].thread);
        qemu_cond_destroy(&s->engine[i].wake);
    }
}
