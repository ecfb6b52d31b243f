/*
 * Intel Data Streaming Accelerator (DSA) emulation: PCI function,
 * registers, configuration tables and device/WQ commands.
 *
 * The data path (portals, work queues, engines) is in intel-dsa-engine.c.
 * See qemu/README.md of dsa-migrate-devenv for what is modelled.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "exec/address-spaces.h"
#include "hw/pci/msix.h"
#include "hw/pci/pcie.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "intel-dsa.h"
#include "trace.h"

#define DSA_CMDCAP_SUPPORTED \
    (BIT(DSA_CMD_ENABLE_DEVICE) | BIT(DSA_CMD_DISABLE_DEVICE) | \
     BIT(DSA_CMD_DRAIN_ALL) | BIT(DSA_CMD_ABORT_ALL) | \
     BIT(DSA_CMD_RESET_DEVICE) | BIT(DSA_CMD_ENABLE_WQ) | \
     BIT(DSA_CMD_DISABLE_WQ) | BIT(DSA_CMD_DRAIN_WQ) | \
     BIT(DSA_CMD_ABORT_WQ) | BIT(DSA_CMD_RESET_WQ))

/*
 * The parts this device can be.  Both report the counts of the properties
 * (8 WQs, 128 entries, 4 engines, 4 groups by default: Sapphire Rapids'
 * numbers) and the six operations we model; they differ in what DSA 2.0
 * added.  Features we do not model stay 0 on both (see qemu/README.md);
 * the event log is a property of its own (dsa_has_evl).
 */
static const DSAModel dsa_models[] = {
    {
        .name = "dsa1",
        .device_id = DSA_DEVICE_ID_SPR,
        .version = DSA_VERSION_1,
    },
    {
        .name = "dsa2",
        .device_id = DSA_DEVICE_ID_GNRD,
        .version = DSA_VERSION_2,
        .wq_occupancy = true,
        .wq_ats_prs = true,
        .progress_limit = true,
        .fault_info = true,
    },
};

static unsigned dsa_state(IntelDSAState *s)
{
    return FIELD_EX32(s->gensts, GENSTS, STATE);
}

static void dsa_set_state(IntelDSAState *s, unsigned state)
{
    s->gensts = FIELD_DP32(s->gensts, GENSTS, STATE, state);
}

static unsigned dsa_nvectors(IntelDSAState *s)
{
    return s->num_wqs + 1;
}

/* ---- capability registers ---- */

/*
 * The event log is a DSA 2.0 feature, yet on by default for dsa1 too:
 * Linux 6.12 idxd oopses when it removes a device without one
 * (idxd_device_drv_remove frees an event log it never allocated), which
 * accel-config disable-device does.  event-log=off gives the part's
 * GENCAP.
 */
static bool dsa_has_evl(IntelDSAState *s)
{
    return s->event_log;
}

static uint64_t dsa_gencap(IntelDSAState *s)
{
    uint64_t v = 0;

    /*
     * Block on fault, as silicon advertises it (accel-config writes a WQ's
     * block_on_fault, which idxd refuses without it).  There is no PRS to
     * resolve a fault: one with it set ends the descriptor as without it.
     */
    v = FIELD_DP64(v, GENCAP, BLOCK_ON_FAULT, 1);
    /* Overlapping Memory Move copies as memmove(), on both parts */
    v = FIELD_DP64(v, GENCAP, OVERLAP_COPY, 1);
    v = FIELD_DP64(v, GENCAP, CACHE_CTRL_MEM, 1);
    v = FIELD_DP64(v, GENCAP, CMD_CAP, 1);
    v = FIELD_DP64(v, GENCAP, EVL_SUPPORT, dsa_has_evl(s)); /* 64-byte */
    v = FIELD_DP64(v, GENCAP, MAX_XFER_SHIFT, s->max_xfer_shift);
    v = FIELD_DP64(v, GENCAP, MAX_BATCH_SHIFT, s->max_batch_shift);
    v = FIELD_DP64(v, GENCAP, CONFIG_EN, 1);
    return v;
}

static uint64_t dsa_wqcap(IntelDSAState *s)
{
    uint64_t v = 0;

    v = FIELD_DP64(v, WQCAP, TOTAL_WQ_SIZE, s->total_wq_size);
    v = FIELD_DP64(v, WQCAP, NUM_WQS, s->num_wqs);
    v = FIELD_DP64(v, WQCAP, WQCFG_SIZE, 0);
    v = FIELD_DP64(v, WQCAP, DEDICATED_MODE, 1);
    v = FIELD_DP64(v, WQCAP, PRIORITY, 1);
    /* No ATS or PRS here: their per-WQ disable bits are accepted as is */
    v = FIELD_DP64(v, WQCAP, WQ_ATS_SUPPORT, s->model->wq_ats_prs);
    v = FIELD_DP64(v, WQCAP, WQ_PRS_SUPPORT, s->model->wq_ats_prs);
    v = FIELD_DP64(v, WQCAP, OCCUPANCY, s->model->wq_occupancy);
    return v;
}

static uint64_t dsa_grpcap(IntelDSAState *s)
{
    uint64_t v = FIELD_DP64(0, GRPCAP, NUM_GROUPS, DSA_NUM_GROUPS);

    return FIELD_DP64(v, GRPCAP, PROGRESS_LIMIT, s->model->progress_limit);
}

static uint64_t dsa_opcap0(void)
{
    return BIT(DSA_OPCODE_NOOP) | BIT(DSA_OPCODE_BATCH) |
           BIT(DSA_OPCODE_DRAIN) | BIT(DSA_OPCODE_MEMMOVE) |
           BIT(DSA_OPCODE_MEMFILL) | BIT(DSA_OPCODE_COMPARE);
}

/* ---- configuration tables ---- */

static void dsa_wq_reset_config(DSAWorkQueue *wq)
{
    memset(wq->cfg, 0, sizeof(wq->cfg));
}

static uint32_t dsa_wqcfg_read(IntelDSAState *s, unsigned n, unsigned dw)
{
    DSAWorkQueue *wq = &s->wq[n];
    uint32_t v = wq->cfg[dw];

    if (dw == 6) {
        qemu_mutex_lock(&s->lock);
        v = FIELD_DP32(0, WQCFG6, OCCUPANCY, wq->count + wq->inflight);
        qemu_mutex_unlock(&s->lock);
        v = FIELD_DP32(v, WQCFG6, MODE_SUPPORT, 1);
        v = FIELD_DP32(v, WQCFG6, WQ_STATE,
                       wq->enabled ? DSA_WQ_ENABLED : DSA_WQ_DISABLED);
    } else if (dw == 7) {
        v = 0;
    }
    return v;
}

static void dsa_wqcfg_write(IntelDSAState *s, unsigned n, unsigned dw,
                            uint32_t val)
{
    static const uint32_t rw_mask[DSA_WQCFG_DWORDS] = {
        DSA_WQCFG_RW_MASK0, DSA_WQCFG_RW_MASK1, DSA_WQCFG_RW_MASK2,
        DSA_WQCFG_RW_MASK3, DSA_WQCFG_RW_MASK4, DSA_WQCFG_RW_MASK5, 0, 0,
    };
    DSAWorkQueue *wq = &s->wq[n];

    /* The configuration of an enabled WQ is read-only (idxd rewrites it) */
    if (wq->enabled || dsa_state(s) == DSA_DEV_HALT) {
        return;
    }
    wq->cfg[dw] = val & rw_mask[dw];
}

static void dsa_grpcfg_write(IntelDSAState *s, unsigned g, unsigned qw,
                             uint64_t val)
{
    uint64_t mask;

    /* GRPCFG is read-only while the device is enabled */
    if (dsa_state(s) != DSA_DEV_DISABLED) {
        return;
    }
    if (qw < DSA_GRPCFG_ENGINES) {
        mask = qw == 0 ? MAKE_64BIT_MASK(0, s->num_wqs) : 0;
    } else if (qw == DSA_GRPCFG_ENGINES) {
        mask = MAKE_64BIT_MASK(0, s->num_engines);
    } else if (qw == DSA_GRPCFG_FLAGS) {
        mask = DSA_GRPFLG_WRITABLE |
               (s->model->progress_limit ? DSA_GRPFLG_PROGRESS_LIMITS : 0);
    } else {
        mask = 0;
    }
    s->grpcfg[g][qw] = val & mask;
}

/* ---- interrupts and errors ---- */

void dsa_notify(IntelDSAState *s, unsigned vector)
{
    qemu_mutex_lock(&s->lock);
    s->irq_pending |= BIT(vector);
    qemu_mutex_unlock(&s->lock);
    qemu_bh_schedule(s->irq_bh);
}

static void dsa_raise_cause(IntelDSAState *s, uint32_t cause)
{
    s->intcause |= cause;
    msix_notify(PCI_DEVICE(s), 0);
}

/* ---- commands ---- */

/* WQ selection of Disable/Drain/Abort/Reset WQ: 16-bit mask + block index */
static uint32_t dsa_cmd_wq_mask(IntelDSAState *s, uint32_t operand,
                                bool *bad)
{
    unsigned block = operand >> 16;
    uint32_t mask = operand & 0xffff;

    *bad = block != 0 || (mask & ~MAKE_64BIT_MASK(0, s->num_wqs)) || !mask;
    return mask & MAKE_64BIT_MASK(0, s->num_wqs);
}

/*
 * Called with s->lock held: has every descriptor submitted to the WQs in
 * mask before the command was written finished?  Later ones do not count.
 */
static bool dsa_wqs_drained(IntelDSAState *s, uint32_t mask)
{
    for (unsigned i = 0; i < s->num_wqs; i++) {
        if ((mask & BIT(i)) && (dsa_wq_busy_before(s, i, s->cmd_seq[i]) ||
                                dsa_timing_busy(s, i, s->cmd_seq[i]))) {
            return false;
        }
    }
    return true;
}

/* Called with s->lock held. */
static bool dsa_wqs_idle(IntelDSAState *s, uint32_t mask, bool queued_too)
{
    for (unsigned i = 0; i < s->num_wqs; i++) {
        if (!(mask & BIT(i))) {
            continue;
        }
        if (s->wq[i].inflight || (queued_too && s->wq[i].count)) {
            return false;
        }
        /* Timed completions, for commands (a reset drops them instead) */
        if (queued_too && dsa_timing_busy(s, i, UINT64_MAX)) {
            return false;
        }
    }
    return true;
}

/*
 * Called with s->lock held: cut short the descriptors of the WQs in mask
 * that were submitted before seq[i] (all of them when seq is NULL).  The
 * engines check between pieces of work, so the wait that follows is
 * bounded however large the descriptors are.
 */
static void dsa_wqs_abort(IntelDSAState *s, uint32_t mask, const uint64_t *seq)
{
    for (unsigned i = 0; i < s->num_wqs; i++) {
        DSAWorkQueue *wq = &s->wq[i];
        uint64_t before = seq ? seq[i] : wq->seq_head + wq->count;

        if ((mask & BIT(i)) && before > wq->abort_seq) {
            qatomic_set(&wq->abort_seq, before);
        }
    }
    /* A waiting Drain descriptor may be among them */
    qemu_cond_broadcast(&s->idle_cond);
}

/*
 * Called with s->lock held.  Sequence numbers go on counting over the
 * discarded descriptors, so what is submitted next counts as later than
 * any command that was waiting for them.
 */
static void dsa_wqs_discard(IntelDSAState *s, uint32_t mask)
{
    for (unsigned i = 0; i < s->num_wqs; i++) {
        if (mask & BIT(i)) {
            s->wq[i].seq_head += s->wq[i].count;
            s->wq[i].count = 0;
            s->wq[i].head = 0;
        }
    }
}

/* Called with s->lock held. */
static void dsa_wq_disable(IntelDSAState *s, unsigned i)
{
    DSAWorkQueue *wq = &s->wq[i];

    wq->enabled = false;
    wq->seq_head += wq->count;
    wq->count = 0;
    wq->head = 0;
    wq->capacity = 0;
    g_free(wq->ring);
    wq->ring = NULL;
}

static uint32_t dsa_enable_device(IntelDSAState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint32_t wq_groups[DSA_MAX_WQS] = { 0 };
    uint32_t eng_groups[DSA_MAX_ENGINES] = { 0 };
    uint32_t total = 0;

    if (dsa_state(s) == DSA_DEV_ENABLED) {
        return DSA_CMDSTS_ERR_DEV_ENABLED;
    }
    if (!(pci_get_word(pdev->config + PCI_COMMAND) & PCI_COMMAND_MASTER)) {
        return DSA_CMDSTS_ERR_BUSMASTER_EN;
    }
    if (FIELD_EX32(s->gencfg, GENCFG, EVL_EN) &&
        FIELD_EX64(s->evlcfg[1], EVLCFG1, SIZE) < DSA_EVL_SIZE_MIN) {
        return DSA_CMDSTS_ERR_CONFIG;
    }
    for (unsigned g = 0; g < DSA_NUM_GROUPS; g++) {
        uint64_t wqs = s->grpcfg[g][DSA_GRPCFG_WQS];
        uint64_t engs = s->grpcfg[g][DSA_GRPCFG_ENGINES];

        for (unsigned i = 0; i < s->num_wqs; i++) {
            if (wqs & BIT(i)) {
                wq_groups[i]++;
            }
        }
        for (unsigned e = 0; e < s->num_engines; e++) {
            if (engs & BIT(e)) {
                eng_groups[e]++;
            }
        }
        if (wqs && !engs) {
            return DSA_CMDSTS_ERR_GRP_CONFIG2;
        }
    }
    for (unsigned i = 0; i < s->num_wqs; i++) {
        uint32_t size = FIELD_EX32(s->wq[i].cfg[0], WQCFG0, WQ_SIZE);

        total += size;
        if (size && wq_groups[i] != 1) {
            return DSA_CMDSTS_ERR_GRP_CONFIG;
        }
    }
    for (unsigned e = 0; e < s->num_engines; e++) {
        if (eng_groups[e] > 1) {
            return DSA_CMDSTS_ERR_GRP_CONFIG3;
        }
    }
    if (total > s->total_wq_size) {
        return DSA_CMDSTS_ERR_WQ_SIZE_ERANGE;
    }

    qemu_mutex_lock(&s->lock);
    for (unsigned e = 0; e < s->num_engines; e++) {
        s->engine[e].wq_mask = 0;
        for (unsigned g = 0; g < DSA_NUM_GROUPS; g++) {
            if (s->grpcfg[g][DSA_GRPCFG_ENGINES] & BIT(e)) {
                s->engine[e].wq_mask = s->grpcfg[g][DSA_GRPCFG_WQS];
            }
        }
    }
    /* The groups may have changed: their arbiters start over */
    memset(s->timing.rr, 0, sizeof(s->timing.rr));
    s->running = true;
    qemu_mutex_unlock(&s->lock);
    dsa_set_state(s, DSA_DEV_ENABLED);
    return DSA_CMDSTS_SUCCESS;
}

static uint32_t dsa_enable_wq(IntelDSAState *s, uint32_t operand)
{
    DSAWorkQueue *wq;
    uint32_t size, cfg2, cfg3;
    uint32_t groups = 0, total = 0;

    if (operand >= s->num_wqs) {
        return DSA_CMDSTS_INVAL_WQIDX;
    }
    if (dsa_state(s) != DSA_DEV_ENABLED) {
        return DSA_CMDSTS_ERR_DEV_NOTEN;
    }
    wq = &s->wq[operand];
    if (wq->enabled) {
        return DSA_CMDSTS_ERR_WQ_ENABLED;
    }
    size = FIELD_EX32(wq->cfg[0], WQCFG0, WQ_SIZE);
    cfg2 = wq->cfg[2];
    cfg3 = wq->cfg[3];
    if (size == 0) {
        return DSA_CMDSTS_ERR_WQ_SIZE;
    }
    if (!FIELD_EX32(cfg2, WQCFG2, MODE)) {
        /* Shared WQs need PASID and ENQCMD(S): not modelled */
        return DSA_CMDSTS_ERR_WQ_MODE;
    }
    if (FIELD_EX32(cfg2, WQCFG2, PASID_EN)) {
        return DSA_CMDSTS_ERR_PASID_EN;
    }
    if (FIELD_EX32(cfg3, WQCFG3, MAX_BATCH_SHIFT) > s->max_batch_shift) {
        return DSA_CMDSTS_ERR_MAX_BATCH_SIZE;
    }
    if (FIELD_EX32(cfg3, WQCFG3, MAX_XFER_SHIFT) > s->max_xfer_shift) {
        return DSA_CMDSTS_ERR_MAX_XFER_SIZE;
    }
    /*
     * WQCFG of a disabled WQ can change after Enable Device checked it:
     * check again that an engine serves the WQ (GRPCFG is frozen while
     * enabled) and that the rings fit in WQCAP.total_wq_size.
     */
    for (unsigned g = 0; g < DSA_NUM_GROUPS; g++) {
        groups += !!(s->grpcfg[g][DSA_GRPCFG_WQS] & BIT(operand));
    }
    if (groups != 1) {
        return DSA_CMDSTS_ERR_GRP_CONFIG;
    }
    for (unsigned i = 0; i < s->num_wqs; i++) {
        total += s->wq[i].enabled ? s->wq[i].capacity : 0;
    }
    if (total + size > s->total_wq_size) {
        return DSA_CMDSTS_ERR_WQ_SIZE;
    }

    qemu_mutex_lock(&s->lock);
    wq->ring = g_new0(DSADesc, size);
    wq->capacity = size;
    wq->head = 0;
    wq->count = 0;
    wq->max_xfer = 1ULL << FIELD_EX32(cfg3, WQCFG3, MAX_XFER_SHIFT);
    wq->max_batch = 1U << FIELD_EX32(cfg3, WQCFG3, MAX_BATCH_SHIFT);
    s->timing.prio[operand] = FIELD_EX32(cfg2, WQCFG2, PRIORITY);
    wq->enabled = true;
    qemu_mutex_unlock(&s->lock);
    return DSA_CMDSTS_SUCCESS;
}

static void dsa_reset_config(IntelDSAState *s)
{
    s->gencfg = 0;
    s->genctrl = 0;
    s->evlcfg[0] = 0;
    s->evlcfg[1] = 0;
    s->evlstatus = 0;
    memset(s->grpcfg, 0, sizeof(s->grpcfg));
    memset(s->msix_perm, 0, sizeof(s->msix_perm));
    for (unsigned i = 0; i < DSA_MAX_WQS; i++) {
        dsa_wq_reset_config(&s->wq[i]);
    }
}

/*
 * Run the pending command.  Commands that must wait for descriptors first
 * stop the affected WQs, then return false; the bottom half calls again
 * whenever an engine finishes a descriptor.
 */
static bool dsa_cmd_step(IntelDSAState *s, uint32_t *err)
{
    unsigned code = FIELD_EX32(s->cmd, CMD, CMD);
    uint32_t operand = FIELD_EX32(s->cmd, CMD, OPERAND);
    uint32_t all = MAKE_64BIT_MASK(0, s->num_wqs);
    uint32_t mask;
    bool bad, done = true;

    *err = DSA_CMDSTS_SUCCESS;
    if (dsa_state(s) == DSA_DEV_HALT &&
        !(code == DSA_CMD_RESET_DEVICE &&
          FIELD_EX32(s->gensts, GENSTS, RESET_TYPE) == DSA_RESET_SOFTWARE)) {
        *err = DSA_CMDSTS_HW_ERR;
        return true;
    }
    if (code >= 32 || !(DSA_CMDCAP_SUPPORTED & BIT(code))) {
        *err = DSA_CMDSTS_INVAL_CMD;
        return true;
    }

    switch (code) {
    case DSA_CMD_ENABLE_DEVICE:
        *err = dsa_enable_device(s);
        return true;
    case DSA_CMD_ENABLE_WQ:
        *err = dsa_enable_wq(s, operand);
        return true;
    case DSA_CMD_RESET_DEVICE:
        qemu_mutex_lock(&s->lock);
        s->running = false;
        dsa_wqs_abort(s, all, NULL);
        dsa_wqs_discard(s, all);
        done = dsa_wqs_idle(s, all, true);
        if (done) {
            for (unsigned i = 0; i < s->num_wqs; i++) {
                dsa_wq_disable(s, i);
            }
        }
        s->cmd_waiting = !done;
        qemu_mutex_unlock(&s->lock);
        if (done) {
            dsa_reset_config(s);
            s->gensts = 0;
        }
        return done;
    case DSA_CMD_DISABLE_DEVICE:
    case DSA_CMD_DRAIN_ALL:
    case DSA_CMD_ABORT_ALL:
        mask = all;
        if (code == DSA_CMD_DISABLE_DEVICE && dsa_state(s) != DSA_DEV_ENABLED) {
            *err = DSA_CMDSTS_ERR_DIS_DEV_EN;
            return true;
        }
        break;
    default:
        mask = dsa_cmd_wq_mask(s, operand, &bad);
        if (bad) {
            *err = DSA_CMDSTS_INVAL_WQIDX;
            return true;
        }
        if (dsa_state(s) != DSA_DEV_ENABLED) {
            *err = DSA_CMDSTS_ERR_DEV_NOT_EN;
            return true;
        }
        break;
    }

    qemu_mutex_lock(&s->lock);
    switch (code) {
    case DSA_CMD_DISABLE_DEVICE:
    case DSA_CMD_DISABLE_WQ:
        /* Stop accepting, then let the engines finish what is queued */
        for (unsigned i = 0; i < s->num_wqs; i++) {
            if (mask & BIT(i)) {
                s->wq[i].enabled = false;
            }
        }
        done = dsa_wqs_idle(s, mask, true);
        break;
    case DSA_CMD_DRAIN_ALL:
    case DSA_CMD_DRAIN_WQ:
        done = dsa_wqs_drained(s, mask);
        break;
    case DSA_CMD_ABORT_ALL:
    case DSA_CMD_ABORT_WQ:
    case DSA_CMD_RESET_WQ:
        if (code == DSA_CMD_RESET_WQ) {
            for (unsigned i = 0; i < s->num_wqs; i++) {
                if (mask & BIT(i)) {
                    s->wq[i].enabled = false;
                }
            }
        }
        dsa_wqs_abort(s, mask, s->cmd_seq);
        dsa_wqs_discard(s, mask);
        done = dsa_wqs_drained(s, mask);
        break;
    }
    if (done && (code == DSA_CMD_DISABLE_DEVICE || code == DSA_CMD_DISABLE_WQ ||
                 code == DSA_CMD_RESET_WQ)) {
        for (unsigned i = 0; i < s->num_wqs; i++) {
            if (mask & BIT(i)) {
                dsa_wq_disable(s, i);
                if (code == DSA_CMD_RESET_WQ) {
                    dsa_wq_reset_config(&s->wq[i]);
                }
            }
        }
        if (code == DSA_CMD_DISABLE_DEVICE) {
            s->running = false;
        }
    }
    s->cmd_waiting = !done;
    qemu_mutex_unlock(&s->lock);
    if (done && code == DSA_CMD_DISABLE_DEVICE) {
        dsa_set_state(s, DSA_DEV_DISABLED);
    }
    return done;
}

static void dsa_cmd_finish(IntelDSAState *s, uint32_t err)
{
    trace_intel_dsa_cmd_done(FIELD_EX32(s->cmd, CMD, CMD), err);
    qemu_mutex_lock(&s->lock);
    s->cmd_waiting = false;
    qemu_mutex_unlock(&s->lock);
    /* Status first, then the interrupt: idxd reads CMDSTS in its handler */
    s->cmdsts = err;
    if (FIELD_EX32(s->cmd, CMD, INT_REQ)) {
        dsa_raise_cause(s, DSA_INTC_CMD);
    }
}

static void dsa_cmd_write(IntelDSAState *s, uint32_t val)
{
    uint32_t err;

    if (FIELD_EX32(s->cmdsts, CMDSTS, ACTIVE)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "intel-dsa: CMD written while a command is active\n");
        return;
    }
    trace_intel_dsa_cmd(FIELD_EX32(val, CMD, CMD),
                        FIELD_EX32(val, CMD, OPERAND));
    s->cmd = val;
    s->cmdsts = R_CMDSTS_ACTIVE_MASK;
    qemu_mutex_lock(&s->lock);
    for (unsigned i = 0; i < s->num_wqs; i++) {
        s->cmd_seq[i] = s->wq[i].seq_head + s->wq[i].count;
    }
    qemu_mutex_unlock(&s->lock);
    if (dsa_cmd_step(s, &err)) {
        dsa_cmd_finish(s, err);
    }
}

/* ---- halt ---- */

void dsa_halt(IntelDSAState *s)
{
    uint32_t all = MAKE_64BIT_MASK(0, s->num_wqs);
    bool waiting;

    qemu_mutex_lock(&s->lock);
    s->running = false;
    s->halt_pending = false;
    dsa_wqs_discard(s, all);
    for (unsigned i = 0; i < s->num_wqs; i++) {
        s->wq[i].enabled = false;
    }
    waiting = s->cmd_waiting;
    qemu_mutex_unlock(&s->lock);

    dsa_set_state(s, DSA_DEV_HALT);
    s->gensts = FIELD_DP32(s->gensts, GENSTS, RESET_TYPE, s->halt_reset_type);
    trace_intel_dsa_halt(s->halt_reset_type);
    if (waiting) {
        dsa_cmd_finish(s, DSA_CMDSTS_HW_ERR);
    }
    if (FIELD_EX32(s->genctrl, GENCTRL, HALT_INT_EN)) {
        dsa_raise_cause(s, DSA_INTC_HALT_STATE);
    }
}

static void dsa_post_swerr(IntelDSAState *s, const DSAError *e,
                           bool overflow);
static bool dsa_evl_append(IntelDSAState *s, const DSAError *e);

/*
 * Post the errors the engines and the portals reported: each to the
 * event log when it is enabled and has room, else to SWERR; then one
 * interrupt for each of the two.
 */
static void dsa_post_errors(IntelDSAState *s)
{
    DSAError errs[DSA_ERR_QUEUE];
    bool overflow, to_swerr = false, to_evl = false;
    uint32_t n;

    qemu_mutex_lock(&s->lock);
    n = s->err_count;
    overflow = s->err_overflow;
    memcpy(errs, s->err_queue, n * sizeof(errs[0]));
    s->err_count = 0;
    s->err_overflow = false;
    qemu_mutex_unlock(&s->lock);

    for (uint32_t i = 0; i < n; i++) {
        trace_intel_dsa_swerr(FIELD_EX64(errs[i].swerr[0], SWERR, ERROR));
        if (dsa_evl_append(s, &errs[i])) {
            to_evl = true;
        } else {
            dsa_post_swerr(s, &errs[i], false);
            to_swerr = true;
        }
    }
    if (overflow) {
        dsa_post_swerr(s, NULL, true);
        to_swerr = true;
    }
    if (to_swerr) {
        if (FIELD_EX32(s->genctrl, GENCTRL, SOFTERR_INT_EN)) {
            dsa_raise_cause(s, DSA_INTC_ERR);
        } else {
            s->intcause |= DSA_INTC_ERR;
        }
    }
    /* Interrupt Pending set by this device: one interrupt until cleared */
    if (to_evl && !FIELD_EX64(s->evlstatus, EVLSTATUS, INT_PENDING)) {
        s->evlstatus |= R_EVLSTATUS_INT_PENDING_MASK;
        if (FIELD_EX32(s->genctrl, GENCTRL, EVL_INT_EN)) {
            dsa_raise_cause(s, DSA_INTC_EVL);
        } else {
            s->intcause |= DSA_INTC_EVL;
        }
    }
}

/* Deferred work from the engines: interrupts, errors, halt, commands */
static void dsa_bh(void *opaque)
{
    IntelDSAState *s = opaque;
    uint32_t vectors, err;
    bool halt, waiting;

    qemu_mutex_lock(&s->lock);
    vectors = s->irq_pending;
    s->irq_pending = 0;
    halt = s->halt_pending;
    waiting = s->cmd_waiting;
    qemu_mutex_unlock(&s->lock);

    dsa_post_errors(s);

    for (unsigned v = 0; v < dsa_nvectors(s); v++) {
        if (vectors & BIT(v)) {
            msix_notify(PCI_DEVICE(s), v);
        }
    }
    if (halt && dsa_state(s) != DSA_DEV_HALT) {
        dsa_halt(s);
    } else if (waiting && dsa_cmd_step(s, &err)) {
        dsa_cmd_finish(s, err);
    }
}

/* The bottom half's work, now: the timer of the timed mode calls it */
void dsa_deliver(IntelDSAState *s)
{
    dsa_bh(s);
}

void dsa_report_error(IntelDSAState *s, const DSAError *e)
{
    /* Engines must not take the BQL: queue it, the bottom half posts it */
    qemu_mutex_lock(&s->lock);
    if (s->err_count < DSA_ERR_QUEUE) {
        s->err_queue[s->err_count++] = *e;
    } else {
        s->err_overflow = true;
    }
    qemu_mutex_unlock(&s->lock);
    qemu_bh_schedule(s->irq_bh);
}

/* SWERR holds one error; another one while it is valid sets Overflow */
static void dsa_post_swerr(IntelDSAState *s, const DSAError *e,
                           bool overflow)
{
    if (FIELD_EX64(s->swerr[0], SWERR, VALID)) {
        overflow = true;
    } else if (e) {
        s->swerr[0] = e->swerr[0] | R_SWERR_VALID_MASK;
        s->swerr[1] = e->swerr[1];
        s->swerr[2] = e->swerr[2];
        s->swerr[3] = 0;
    }
    if (overflow) {
        s->swerr[0] |= R_SWERR_OVERFLOW_MASK;
    }
}

/*
 * The event log (EVLCFG, EVLSTATUS; DSA 2.0, and dsa1 here unless
 * event-log=off): with GENCFG.evl_en, an error that has no completion
 * record to go to is written as an entry at Tail, which then advances;
 * software consumes entries up to Tail and moves Head.  Full (Tail just
 * behind Head), or an entry that cannot be written (the log is not in
 * RAM): the error goes to SWERR instead, this model's choice.
 */
static bool dsa_evl_append(IntelDSAState *s, const DSAError *e)
{
    uint32_t size = FIELD_EX64(s->evlcfg[1], EVLCFG1, SIZE);
    uint32_t head = FIELD_EX64(s->evlstatus, EVLSTATUS, HEAD);
    uint32_t tail = FIELD_EX64(s->evlstatus, EVLSTATUS, TAIL);
    uint64_t base = s->evlcfg[0] & R_EVLCFG_BASE_ADDR_MASK;
    uint8_t ent[DSA_EVL_ENTRY_SIZE] = { 0 };
    uint64_t q0;

    if (!dsa_has_evl(s) || !FIELD_EX32(s->gencfg, GENCFG, EVL_EN) ||
        size < DSA_EVL_SIZE_MIN || head >= size || tail >= size ||
        (tail + 1) % size == head) {
        return false;
    }
    q0 = e->swerr[0] & ~(R_SWERR_VALID_MASK | R_SWERR_OVERFLOW_MASK);
    if (e->info) {
        q0 |= DSA_EVL_ERR_INFO_VALID;
    }
    stq_le_p(ent, q0);
    stw_le_p(ent + DSA_EVL_BATCH_IDX,
             FIELD_EX64(e->swerr[1], SWERR1, BATCH_IDX));
    stl_le_p(ent + DSA_EVL_INFO, e->info);
    stq_le_p(ent + DSA_EVL_FAULT_ADDR, e->swerr[2]);
    if (e->has_cr) {
        memcpy(ent + DSA_EVL_CR, e->cr, DSA_CR_SIZE);
    }
    if (pci_dma_write(PCI_DEVICE(s), base + (uint64_t)tail *
                      DSA_EVL_ENTRY_SIZE, ent, sizeof(ent)) != MEMTX_OK) {
        qemu_log_mask(LOG_GUEST_ERROR, "intel-dsa: event log entry at 0x%"
                      PRIx64 " not written: error to SWERR\n",
                      base + (uint64_t)tail * DSA_EVL_ENTRY_SIZE);
        return false;
    }
    s->evlstatus = FIELD_DP64(s->evlstatus, EVLSTATUS, TAIL,
                              (tail + 1) % size);
    return true;
}

/* ---- BAR0 registers ---- */

static uint64_t dsa_read64(IntelDSAState *s, hwaddr a)
{
    if (a >= DSA_GRPCFG_OFFSET &&
        a < DSA_GRPCFG_OFFSET + DSA_NUM_GROUPS * DSA_GRPCFG_SIZE) {
        unsigned off = a - DSA_GRPCFG_OFFSET;

        return s->grpcfg[off / DSA_GRPCFG_SIZE][(off % DSA_GRPCFG_SIZE) / 8];
    }
    if (a >= DSA_WQCFG_OFFSET &&
        a < DSA_WQCFG_OFFSET + s->num_wqs * DSA_WQCFG_SIZE) {
        unsigned off = a - DSA_WQCFG_OFFSET;
        unsigned n = off / DSA_WQCFG_SIZE, dw = (off % DSA_WQCFG_SIZE) / 4;

        return dsa_wqcfg_read(s, n, dw) |
               (uint64_t)dsa_wqcfg_read(s, n, dw + 1) << 32;
    }
    if (a >= DSA_MSIX_PERM_OFFSET &&
        a < DSA_MSIX_PERM_OFFSET + dsa_nvectors(s) * DSA_MSIX_PERM_SIZE) {
        return s->msix_perm[(a - DSA_MSIX_PERM_OFFSET) / DSA_MSIX_PERM_SIZE];
    }

    switch (a) {
    case A_VERSION:
        return s->model->version;
    case A_GENCAP:
        return dsa_gencap(s);
    case A_WQCAP:
        return dsa_wqcap(s);
    case A_GRPCAP:
        return dsa_grpcap(s);
    case A_ENGCAP:
        return FIELD_DP64(0, ENGCAP, NUM_ENGINES, s->num_engines);
    case A_OPCAP:
        return dsa_opcap0();
    case A_OFFSETS:
        return FIELD_DP64(FIELD_DP64(FIELD_DP64(0,
                   OFFSETS, GRPCFG, DSA_GRPCFG_OFFSET / DSA_TABLE_MULT),
                   OFFSETS, WQCFG, DSA_WQCFG_OFFSET / DSA_TABLE_MULT),
                   OFFSETS, MSIX_PERM, DSA_MSIX_PERM_OFFSET / DSA_TABLE_MULT);
    case A_GENCFG:
        return s->gencfg;
    case A_GENCTRL:
        return s->genctrl;
    case A_GENSTS:
        return s->gensts;
    case A_INTCAUSE:
        return s->intcause;
    case A_CMD:
        return s->cmd & ~R_CMD_INT_REQ_MASK;
    case A_CMDSTS:
        return s->cmdsts;
    case A_CMDCAP:
        return DSA_CMDCAP_SUPPORTED;
    case A_SWERR:
    case A_SWERR1:
    case A_SWERR2:
    case A_SWERR + 24:
        return s->swerr[(a - A_SWERR) / 8];
    case A_EVLCFG:
    case A_EVLCFG1:
        return dsa_has_evl(s) ? s->evlcfg[(a - A_EVLCFG) / 8] : 0;
    case A_EVLSTATUS:
        return dsa_has_evl(s) ? s->evlstatus : 0;
    default:
        return 0;
    }
}

static void dsa_write64(IntelDSAState *s, hwaddr a, uint64_t val,
                        uint64_t mask)
{
    uint64_t old = dsa_read64(s, a);
    uint64_t v = (old & ~mask) | (val & mask);

    if (a >= DSA_GRPCFG_OFFSET &&
        a < DSA_GRPCFG_OFFSET + DSA_NUM_GROUPS * DSA_GRPCFG_SIZE) {
        unsigned off = a - DSA_GRPCFG_OFFSET;

        dsa_grpcfg_write(s, off / DSA_GRPCFG_SIZE,
                         (off % DSA_GRPCFG_SIZE) / 8, v);
        return;
    }
    if (a >= DSA_WQCFG_OFFSET &&
        a < DSA_WQCFG_OFFSET + s->num_wqs * DSA_WQCFG_SIZE) {
        unsigned off = a - DSA_WQCFG_OFFSET;
        unsigned n = off / DSA_WQCFG_SIZE, dw = (off % DSA_WQCFG_SIZE) / 4;

        if (mask & 0xffffffffULL) {
            dsa_wqcfg_write(s, n, dw, v);
        }
        if (mask >> 32) {
            dsa_wqcfg_write(s, n, dw + 1, v >> 32);
        }
        return;
    }
    if (a >= DSA_MSIX_PERM_OFFSET &&
        a < DSA_MSIX_PERM_OFFSET + dsa_nvectors(s) * DSA_MSIX_PERM_SIZE) {
        s->msix_perm[(a - DSA_MSIX_PERM_OFFSET) / DSA_MSIX_PERM_SIZE] =
            v & DSA_MSIX_PERM_WRITABLE;
        return;
    }

    switch (a) {
    case A_GENCFG:
        if (dsa_state(s) == DSA_DEV_DISABLED) {
            uint32_t was = s->gencfg;

            s->gencfg = v & DSA_GENCFG_WRITABLE &
                        ~(dsa_has_evl(s) ? 0 : R_GENCFG_EVL_EN_MASK);
            /* Enabling the event log starts it empty (Head = Tail = 0) */
            if (FIELD_EX32(s->gencfg, GENCFG, EVL_EN) &&
                !FIELD_EX32(was, GENCFG, EVL_EN)) {
                s->evlstatus = 0;
            }
        }
        break;
    case A_GENCTRL:
        s->genctrl = v & DSA_GENCTRL_WRITABLE &
                     ~(dsa_has_evl(s) ? 0 : R_GENCTRL_EVL_INT_EN_MASK);
        break;
    case A_INTCAUSE:
        s->intcause &= ~(val & mask);     /* write-1-to-clear */
        break;
    case A_CMD:
        if (mask & 0xffffffffULL) {
            dsa_cmd_write(s, val);
        }
        break;
    case A_SWERR:
        /* Valid and Overflow are write-1-to-clear */
        s->swerr[0] &= ~(val & mask &
                         (R_SWERR_VALID_MASK | R_SWERR_OVERFLOW_MASK));
        break;
    case A_EVLCFG:
    case A_EVLCFG1:
    case A_EVLSTATUS:
        if (!dsa_has_evl(s)) {
            /* Reserved without an event log (DSA 1.0) */
            qemu_log_mask(LOG_GUEST_ERROR, "intel-dsa: write to 0x%"
                          HWADDR_PRIx ": %s has no event log\n", a,
                          s->model->name);
            break;
        }
        if (a == A_EVLSTATUS) {
            /* Head is written by software, Interrupt Pending is RW1C */
            uint32_t head = FIELD_EX64(v, EVLSTATUS, HEAD);

            if (head < FIELD_EX64(s->evlcfg[1], EVLCFG1, SIZE)) {
                s->evlstatus = FIELD_DP64(s->evlstatus, EVLSTATUS, HEAD,
                                          head);
            } else if (mask & R_EVLSTATUS_HEAD_MASK) {
                qemu_log_mask(LOG_GUEST_ERROR, "intel-dsa: EVLSTATUS head "
                              "%u beyond the log (%u entries) ignored\n",
                              head, (unsigned)FIELD_EX64(s->evlcfg[1],
                                                         EVLCFG1, SIZE));
            }
            s->evlstatus &= ~(val & mask & R_EVLSTATUS_INT_PENDING_MASK);
        } else if (!FIELD_EX32(s->gencfg, GENCFG, EVL_EN) ||
                   dsa_state(s) == DSA_DEV_DISABLED) {
            s->evlcfg[(a - A_EVLCFG) / 8] = v;
        }
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "intel-dsa: write to read-only/reserved 0x%"
                      HWADDR_PRIx "\n", a);
        break;
    }
}

static uint64_t dsa_regs_read(void *opaque, hwaddr addr, unsigned size)
{
    IntelDSAState *s = opaque;
    uint64_t v = dsa_read64(s, addr & ~7ULL);

    if (size == 4) {
        v = extract64(v, (addr & 4) * 8, 32);
    }
    return v;
}

static void dsa_regs_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    IntelDSAState *s = opaque;
    unsigned shift = (addr & 4) * 8;
    uint64_t mask = size == 8 ? ~0ULL : 0xffffffffULL << shift;

    dsa_write64(s, addr & ~7ULL, val << shift, mask);
}

static const MemoryRegionOps dsa_regs_ops = {
    .read = dsa_regs_read,
    .write = dsa_regs_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 8 },
};

/* ---- debug page: fault injection and counters ---- */

static uint64_t dsa_debug_read(void *opaque, hwaddr addr, unsigned size)
{
    IntelDSAState *s = opaque;
    hwaddr q = addr & ~7ULL;
    uint64_t v = 0;

    qemu_mutex_lock(&s->lock);
    if (q == DSA_DBG_DESCS) {
        v = s->descs;
    } else if (q == DSA_DBG_FAULTS) {
        v = s->faults;
    } else if (q == DSA_DBG_DROPPED) {
        v = s->dropped;
    } else if (q >= DSA_DBG_ENGINE_DESCS &&
               q < DSA_DBG_ENGINE_DESCS + 8 * s->num_engines) {
        v = s->engine[(q - DSA_DBG_ENGINE_DESCS) / 8].descs;
    } else {
        switch (addr) {
        case DSA_DBG_MAGIC:
            v = DSA_DBG_MAGIC_VALUE;
            break;
        case DSA_DBG_FAULT_EVERY:
            v = s->fault_every;
            break;
        case DSA_DBG_FAULT_STATUS:
            v = s->fault_status;
            break;
        case DSA_DBG_HALT_AFTER:
            v = s->halt_after;
            break;
        case DSA_DBG_HALT_RESET_TYPE:
            v = s->halt_reset_type;
            break;
        case DSA_DBG_PAUSE:
            v = s->paused;
            break;
        }
        size = 8;
    }
    qemu_mutex_unlock(&s->lock);
    if (size == 4) {
        v = extract64(v, (addr & 4) * 8, 32);
    }
    return v;
}

static void dsa_debug_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    IntelDSAState *s = opaque;

    if (size != 4) {
        qemu_log_mask(LOG_GUEST_ERROR, "intel-dsa: debug page: use 32-bit "
                      "writes\n");
        return;
    }
    qemu_mutex_lock(&s->lock);
    switch (addr) {
    case DSA_DBG_FAULT_EVERY:
        s->fault_every = val;
        s->fault_seq = 0;
        break;
    case DSA_DBG_FAULT_STATUS:
        if (val > DSA_COMP_SUCCESS && val <= DSA_COMP_STATUS_MAX) {
            s->fault_status = val;
            s->fault_seq = 0;
        } else {
            qemu_log_mask(LOG_GUEST_ERROR, "intel-dsa: fault status 0x%"
                          PRIx64 " is not an error status\n", val);
        }
        break;
    case DSA_DBG_HALT_AFTER:
        s->halt_after = val;
        s->halt_seq = 0;
        break;
    case DSA_DBG_HALT_RESET_TYPE:
        s->halt_reset_type = val & 3;
        break;
    case DSA_DBG_PAUSE:
        s->paused = val & 1;
        dsa_wake_engines(s);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "intel-dsa: debug page: write to "
                      "read-only 0x%" HWADDR_PRIx "\n", addr);
        break;
    }
    qemu_mutex_unlock(&s->lock);
}

static const MemoryRegionOps dsa_debug_ops = {
    .read = dsa_debug_read,
    .write = dsa_debug_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 8 },
};

/* ---- BAR2 portals ---- */

static uint64_t dsa_portal_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void dsa_portal_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                                  unsigned size)
{
    IntelDSAState *s = opaque;
    hwaddr base = addr & ~(hwaddr)(DSA_DESC_SIZE - 1);
    unsigned q = (addr % DSA_DESC_SIZE) / 8;
    unsigned page = (addr / DSA_PORTAL_PAGE) % DSA_PORTALS_PER_WQ;

    /*
     * A descriptor arrives as eight ascending quadword stores (MOVDIR64B
     * stores them under the BQL, so they are never interleaved).
     */
    if (size != 8 || page >= 2) {
        qemu_log_mask(LOG_GUEST_ERROR, "intel-dsa: portal write of %u bytes "
                      "at 0x%" HWADDR_PRIx " ignored (64-byte MOVDIR64B "
                      "to an MSI-X portal expected)\n", size, addr);
        s->stage_mask = 0;
        return;
    }
    if (q == 0) {
        s->stage_base = base;
        s->stage_mask = 0;
    } else if (base != s->stage_base || s->stage_mask != BIT(q) - 1) {
        qemu_log_mask(LOG_GUEST_ERROR, "intel-dsa: partial descriptor at "
                      "0x%" HWADDR_PRIx " dropped\n", addr);
        s->stage_mask = 0;
        return;
    }
    stq_le_p(s->stage + q * 8, val);
    s->stage_mask |= BIT(q);
    if (s->stage_mask == 0xff) {
        s->stage_mask = 0;
        dsa_portal_write(s, addr / DSA_WQ_PORTAL_STRIDE, s->stage);
    }
}

static const MemoryRegionOps dsa_portal_ops = {
    .read = dsa_portal_read,
    .write = dsa_portal_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

/* ---- PCI function ---- */

static void dsa_write_config(PCIDevice *pdev, uint32_t addr, uint32_t val,
                             int len)
{
    pci_default_write_config(pdev, addr, val, len);
    pcie_cap_flr_write_config(pdev, addr, val, len);
}

static bool dsa_check_props(IntelDSAState *s, Error **errp)
{
    /* Unset: the first part, dsa1 */
    s->model = s->model_name ? NULL : &dsa_models[0];
    for (unsigned i = 0; i < ARRAY_SIZE(dsa_models); i++) {
        if (!g_strcmp0(s->model_name, dsa_models[i].name)) {
            s->model = &dsa_models[i];
        }
    }
    if (!s->model) {
        error_setg(errp, "intel-dsa: model=%s: must be dsa1 (Sapphire "
                   "Rapids, DSA 1.0) or dsa2 (Granite Rapids-D, DSA 2.0)",
                   s->model_name);
        return false;
    }
    if (s->num_wqs < 1 || s->num_wqs > DSA_MAX_WQS) {
        error_setg(errp, "intel-dsa: num-wqs=%u: must be 1..%d",
                   s->num_wqs, DSA_MAX_WQS);
        return false;
    }
    if (s->num_engines < 1 || s->num_engines > DSA_MAX_ENGINES) {
        error_setg(errp, "intel-dsa: num-engines=%u: must be 1..%d",
                   s->num_engines, DSA_MAX_ENGINES);
        return false;
    }
    if (s->total_wq_size < s->num_wqs || s->total_wq_size > 0xffff) {
        error_setg(errp, "intel-dsa: wq-size=%u: must be %u..65535 "
                   "(at least one entry per WQ)", s->total_wq_size,
                   s->num_wqs);
        return false;
    }
    if (s->max_xfer_shift < 21 || s->max_xfer_shift > 31) {
        error_setg(errp, "intel-dsa: max-xfer-shift=%u: must be 21..31 "
                   "(idxd programs 2 MiB transfers per WQ)",
                   s->max_xfer_shift);
        return false;
    }
    if (s->max_batch_shift < 5 || s->max_batch_shift > 10) {
        error_setg(errp, "intel-dsa: max-batch-shift=%u: must be 5..10 "
                   "(idxd programs batches of 32)", s->max_batch_shift);
        return false;
    }
    if (s->fault_status <= DSA_COMP_SUCCESS ||
        s->fault_status > DSA_COMP_STATUS_MAX) {
        error_setg(errp, "intel-dsa: x-fault-status=0x%x: must be an error "
                   "completion status, 0x02..0x7f", s->fault_status);
        return false;
    }
    if (s->halt_reset_type > DSA_RESET_COLD) {
        error_setg(errp, "intel-dsa: x-halt-reset-type=%u: must be 0..3 "
                   "(software, FLR, warm, cold)", s->halt_reset_type);
        return false;
    }
    return true;
}

static void dsa_realize(PCIDevice *pdev, Error **errp)
{
    IntelDSAState *s = INTEL_DSA(pdev);
    uint64_t bar2_size;

    if (!dsa_check_props(s, errp) || !dsa_timing_check(&s->tp, errp)) {
        return;
    }

    pci_config_set_device_id(pdev->config, s->model->device_id);
    pci_config_set_class(pdev->config, DSA_CLASS_SYSTEM_OTHER);
    if (pcie_endpoint_cap_init(pdev, 0x80) < 0) {
        error_setg(errp, "intel-dsa: cannot add the PCIe capability");
        return;
    }
    pcie_cap_flr_init(pdev);

    memory_region_init(&s->bar0, OBJECT(s), "intel-dsa-bar0", DSA_BAR0_SIZE);
    memory_region_init_io(&s->regs, OBJECT(s), &dsa_regs_ops, s,
                          "intel-dsa-regs", DSA_REGS_SIZE);
    memory_region_add_subregion(&s->bar0, 0, &s->regs);
    memory_region_init_io(&s->debug, OBJECT(s), &dsa_debug_ops, s,
                          "intel-dsa-debug", DSA_DEBUG_SIZE);
    if (s->debug_page) {
        memory_region_add_subregion(&s->bar0, DSA_DEBUG_OFFSET, &s->debug);
    }
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->bar0);

    bar2_size = pow2ceil(s->num_wqs * DSA_WQ_PORTAL_STRIDE);
    memory_region_init_io(&s->portals, OBJECT(s), &dsa_portal_ops, s,
                          "intel-dsa-portals", bar2_size);
    pci_register_bar(pdev, 2, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->portals);

    if (msix_init(pdev, dsa_nvectors(s), &s->bar0, 0, DSA_MSIX_TABLE_OFFSET,
                  &s->bar0, 0, DSA_MSIX_PBA_OFFSET, 0, errp) < 0) {
        return;
    }
    for (unsigned v = 0; v < dsa_nvectors(s); v++) {
        msix_vector_use(pdev, v);
    }

    qemu_mutex_init(&s->lock);
    qemu_cond_init(&s->idle_cond);
    /* Bottom halves may not reenter the device's MMIO (MSI-X aimed at it) */
    s->irq_bh = qemu_bh_new_guarded(dsa_bh, s,
                                    &DEVICE(s)->mem_reentrancy_guard);
    /* Known once the function is on its bus; fixed for its lifetime */
    s->iommu = pci_device_iommu_address_space(pdev) != &address_space_memory;
    s->map_bh = qemu_bh_new_guarded(dsa_map_bh, s,
                                    &DEVICE(s)->mem_reentrancy_guard);
    s->vm_running = runstate_is_running();
    s->vm_state = qemu_add_vm_change_state_handler(dsa_vm_state_change, s);
    QTAILQ_INIT(&s->timing.pending);
    for (unsigned i = 0; i < DSA_MAX_WQS; i++) {
        QTAILQ_INIT(&s->timing.waiting[i]);
    }
    if (s->tp.on) {
        s->timing.timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, dsa_timing_fire, s);
    }
    dsa_engines_start(s);
}

static void dsa_exit(PCIDevice *pdev)
{
    IntelDSAState *s = INTEL_DSA(pdev);

    qemu_del_vm_change_state_handler(s->vm_state);
    dsa_engines_stop(s);
    qemu_mutex_lock(&s->lock);
    dsa_timing_flush(s);
    qemu_mutex_unlock(&s->lock);
    timer_free(s->timing.timer);
    for (unsigned i = 0; i < DSA_MAX_WQS; i++) {
        g_free(s->wq[i].ring);
        s->wq[i].ring = NULL;
    }
    qemu_bh_delete(s->irq_bh);
    qemu_bh_delete(s->map_bh);
    qemu_cond_destroy(&s->idle_cond);
    qemu_mutex_destroy(&s->lock);
    msix_unuse_all_vectors(pdev);
    msix_uninit(pdev, &s->bar0, &s->bar0);
}

/* Power-on, system reset and FLR: everything back to its initial value */
static void dsa_reset(DeviceState *dev)
{
    IntelDSAState *s = INTEL_DSA(dev);
    uint32_t all = MAKE_64BIT_MASK(0, s->num_wqs);

    qemu_mutex_lock(&s->lock);
    s->running = false;
    dsa_wqs_abort(s, all, NULL);
    dsa_wqs_discard(s, all);
    for (unsigned i = 0; i < s->num_wqs; i++) {
        s->wq[i].enabled = false;
    }
    /*
     * Under the BQL: bounded, because the work in flight is aborted and
     * engines never wait for the BQL.
     */
    while (!dsa_wqs_idle(s, all, false)) {
        qemu_cond_wait(&s->idle_cond, &s->lock);
    }
    dsa_timing_flush(s);
    for (unsigned i = 0; i < s->num_wqs; i++) {
        dsa_wq_disable(s, i);
    }
    s->irq_pending = 0;
    s->halt_pending = false;
    s->cmd_waiting = false;
    /* Errors not posted yet are from before the reset */
    s->err_count = 0;
    s->err_overflow = false;
    qemu_mutex_unlock(&s->lock);

    dsa_reset_config(s);
    s->gensts = 0;
    s->intcause = 0;
    s->cmdsts = 0;
    s->cmd = 0;
    memset(s->swerr, 0, sizeof(s->swerr));
    s->stage_mask = 0;
    trace_intel_dsa_reset();
}

static Property dsa_properties[] = {
    DEFINE_PROP_STRING("model", IntelDSAState, model_name),
    DEFINE_PROP_BOOL("event-log", IntelDSAState, event_log, true),
    DEFINE_PROP_UINT32("num-wqs", IntelDSAState, num_wqs, 8),
    DEFINE_PROP_UINT32("num-engines", IntelDSAState, num_engines, 4),
    DEFINE_PROP_UINT32("wq-size", IntelDSAState, total_wq_size, 128),
    DEFINE_PROP_UINT8("max-xfer-shift", IntelDSAState, max_xfer_shift, 31),
    DEFINE_PROP_UINT8("max-batch-shift", IntelDSAState, max_batch_shift, 10),
    /* Emulator-only testing aids, off by default: no silicon has them */
    DEFINE_PROP_BOOL("x-debug-page", IntelDSAState, debug_page, false),
    DEFINE_PROP_UINT32("x-fault-every", IntelDSAState, fault_every, 0),
    DEFINE_PROP_UINT8("x-fault-status", IntelDSAState, fault_status,
                      DSA_COMP_PAGE_FAULT_NOBOF),
    DEFINE_PROP_UINT32("x-halt-after", IntelDSAState, halt_after, 0),
    DEFINE_PROP_UINT8("x-halt-reset-type", IntelDSAState, halt_reset_type,
                      DSA_RESET_FLR),
    DEFINE_PROP_BOOL("timing", IntelDSAState, tp.on, false),
    DEFINE_PROP_UINT32("timing-submit-ns", IntelDSAState, tp.submit_ns,
                       DSA_TIMING_SUBMIT_NS),
    DEFINE_PROP_UINT32("timing-desc-ns", IntelDSAState, tp.desc_ns,
                       DSA_TIMING_DESC_NS),
    DEFINE_PROP_UINT32("timing-batch-ns", IntelDSAState, tp.batch_ns,
                       DSA_TIMING_BATCH_NS),
    DEFINE_PROP_UINT32("timing-completion-ns", IntelDSAState,
                       tp.completion_ns, DSA_TIMING_COMPLETION_NS),
    DEFINE_PROP_UINT32("timing-irq-ns", IntelDSAState, tp.irq_ns,
                       DSA_TIMING_IRQ_NS),
    DEFINE_PROP_UINT32("timing-fault-ns", IntelDSAState, tp.fault_ns,
                       DSA_TIMING_FAULT_NS),
    DEFINE_PROP_UINT32("timing-engine-mbps", IntelDSAState, tp.engine_mbps,
                       DSA_TIMING_ENGINE_MBPS),
    DEFINE_PROP_END_OF_LIST(),
};

static const VMStateDescription dsa_vmstate = {
    .name = TYPE_INTEL_DSA,
    .unmigratable = 1,
};

static void dsa_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);

    pc->realize = dsa_realize;
    pc->exit = dsa_exit;
    pc->config_write = dsa_write_config;
    pc->vendor_id = DSA_VENDOR_ID;
    pc->device_id = DSA_DEVICE_ID_SPR;     /* realize sets the model's */
    pc->revision = 0x01;
    pc->class_id = DSA_CLASS_SYSTEM_OTHER;
    dc->desc = "Intel Data Streaming Accelerator (emulated)";
    dc->reset = dsa_reset;
    dc->vmsd = &dsa_vmstate;
    device_class_set_props(dc, dsa_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo dsa_info = {
    .name = TYPE_INTEL_DSA,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(IntelDSAState),
    .class_init = dsa_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { },
    },
};

static void dsa_register_types(void)
{
    type_register_static(&dsa_info);
}

type_init(dsa_register_types)
