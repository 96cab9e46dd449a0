// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC of each vCPU, in xAPIC mode (MMIO page at 0xfee00000)
 * and x2APIC mode (MSRs 0x800-0x8ff), with its timer (one-shot, periodic,
 * TSC-deadline) and the interrupt state that injection works from (IRR,
 * ISR, TMR, TPR/PPR). SDM Vol. 3A chapter 11.
 *
 * Interrupts are accepted from any context (hrtimer callbacks, the I/O
 * APIC driven by devices, other vCPUs' IPIs): the state is under a
 * spinlock taken with interrupts off, and the vCPU is woken or kicked out
 * of the guest afterwards. The vCPU thread takes one decision per entry
 * (tandem_lapic_inject()): inject the highest deliverable vector when the
 * guest can take it, else ask the backend for an interrupt-window exit.
 * Without anything in the IRR that decision is one load, no lock.
 *
 * INIT and STARTUP IPIs start the other vCPUs (tandem_vcpu_init_signal(),
 * tandem_vcpu_startup()). Not emulated: NMI/SMI delivery modes (ignored),
 * the APIC base relocation (the MMIO page stays at 0xfee00000), x2APIC
 * logical cluster destinations, directed EOI, the thermal and performance
 * counter sources, error reporting beyond an illegal vector.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#include "tandem_hv.h"

#define LAPIC_MMIO		0xfee00000ULL
#define LAPIC_VERSION		0x14		/* integrated APIC */
#define LAPIC_NR_LVT		6		/* timer ... error */
#define LAPIC_TIMER_MODE	(3U << 17)
/* The timer counts at 1 GHz before the divider: one tick per nanosecond. */
#define LAPIC_TICK_NS		1
/* Periodic timers faster than this are slowed down to it (host harm). */
#define LAPIC_MIN_PERIOD_NS	(100 * NSEC_PER_USEC)
#define LAPIC_ESR_ILLEGAL_VEC	BIT(6)
#define LAPIC_SHORTHAND		0xc0000U	/* ICR destination shorthand */

/**
 * struct tandem_lapic - one vCPU's local APIC
 * @vcpu: its vCPU
 * @lock: everything below; taken with interrupts off
 * @base: IA32_APIC_BASE
 * @tpr: task priority
 * @ldr: logical destination (xAPIC; derived from the ID in x2APIC)
 * @dfr: destination format
 * @svr: spurious-interrupt vector register (bit 8: software enable)
 * @esr: error status
 * @icr_lo: interrupt command, low half
 * @icr_hi: interrupt command, high half (xAPIC destination in 31:24)
 * @lvt: timer, thermal, performance counter, LINT0, LINT1, error
 * @tmict: timer initial count
 * @tdcr: timer divide configuration
 * @irr: interrupts requested
 * @isr: interrupts in service
 * @tmr: level-triggered interrupts (EOI is broadcast to the I/O APIC)
 * @irr_pending: @irr is not empty; read without the lock by the hot path
 * @timer: the APIC timer
 * @armed: @timer should fire at @expire
 * @expire: when, CLOCK_MONOTONIC
 * @period: ns between periodic expiries, 0 for one-shot and TSC-deadline
 * @tsc_deadline: IA32_TSC_DEADLINE, 0 when disarmed
 */
struct tandem_lapic {
	struct tandem_vcpu *vcpu;
	spinlock_t lock; /* the registers below; any context, irqsave */
	u64 base;
	u32 tpr;
	u32 ldr;
	u32 dfr;
	u32 svr;
	u32 esr;
	u32 icr_lo;
	u32 icr_hi;
	u32 lvt[LAPIC_NR_LVT];
	u32 tmict;
	u32 tdcr;
	DECLARE_BITMAP(irr, 256);
	DECLARE_BITMAP(isr, 256);
	DECLARE_BITMAP(tmr, 256);
	bool irr_pending;
	struct hrtimer timer;
	bool armed;
	ktime_t expire;
	u64 period;
	u64 tsc_deadline;
};

static bool lapic_x2apic(const struct tandem_lapic *a)
{
	return a->base & X2APIC_ENABLE;
}

static bool lapic_hw_enabled(const struct tandem_lapic *a)
{
	return a->base & MSR_IA32_APICBASE_ENABLE;
}

static bool lapic_sw_enabled(const struct tandem_lapic *a)
{
	return lapic_hw_enabled(a) && (a->svr & APIC_SPIV_APIC_ENABLED);
}

static u32 lapic_x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | BIT(id & 0xf);
}

static int lapic_highest(const unsigned long *bits)
{
	unsigned long v = find_last_bit(bits, 256);

	return v < 256 ? v : -1;
}

static u32 lapic_ppr(const struct tandem_lapic *a)
{
	int isrv = lapic_highest(a->isr);
	u32 isr_class = isrv < 0 ? 0 : isrv & 0xf0;

	return (a->tpr & 0xf0) >= isr_class ? a->tpr & 0xff : isr_class;
}

/* The vector to inject: highest IRR above the processor priority, or 0. */
static int lapic_deliverable(const struct tandem_lapic *a)
{
	int irrv = lapic_highest(a->irr);

	if (irrv < 0 || !lapic_sw_enabled(a))
		return 0;
	if ((irrv & 0xf0) <= (lapic_ppr(a) & 0xf0))
		return 0;
	return irrv;
}

static void lapic_update_pending(struct tandem_lapic *a)
{
	WRITE_ONCE(a->irr_pending, !bitmap_empty(a->irr, 256));
}

/* Put @vector in the IRR; false when the APIC refuses it. Lock held. */
static bool lapic_set_irr(struct tandem_lapic *a, u8 vector, bool level)
{
	if (!lapic_hw_enabled(a))
		return false;
	if (vector < 16) {
		a->esr |= LAPIC_ESR_ILLEGAL_VEC;
		return false;
	}
	__set_bit(vector, a->irr);
	if (level)
		__set_bit(vector, a->tmr);
	else
		__clear_bit(vector, a->tmr);
	WRITE_ONCE(a->irr_pending, true);
	return true;
}

/**
 * tandem_lapic_accept() - an interrupt for @vcpu's local APIC
 * @vcpu: the destination
 * @vector: its vector
 * @level: level-triggered (its EOI goes to the I/O APIC)
 *
 * Callable from any context. The vCPU is woken or made to exit.
 */
void tandem_lapic_accept(struct tandem_vcpu *vcpu, u8 vector, bool level)
{
	struct tandem_lapic *a = vcpu->lapic;
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&a->lock, flags);
	ok = lapic_set_irr(a, vector, level);
	spin_unlock_irqrestore(&a->lock, flags);
	if (ok)
		tandem_vcpu_irq_notify(vcpu);
}

static bool lapic_dest_match(struct tandem_lapic *a, u32 dest, bool logical)
{
	u32 id = a->vcpu->id;

	if (lapic_x2apic(a)) {
		if (dest == 0xffffffff)
			return true;
		if (!logical)
			return dest == id;
		/* Logical cluster: cluster in 31:16, member bitmap in 15:0. */
		return (dest >> 16) == (a->ldr >> 16) && (dest & a->ldr & 0xffff);
	}
	dest &= 0xff;
	if (dest == 0xff)
		return true;
	if (!logical)
		return dest == id;
	/* Flat model only: the destination is a bitmap of LDR bits 31:24. */
	return dest & (a->ldr >> 24);
}

/**
 * tandem_lapic_deliver() - send an interrupt to the local APICs of @dom
 *	that @dest names
 * @dom: the domain
 * @dest: APIC ID (physical) or logical destination; 0xff (xAPIC) and
 *	0xffffffff (x2APIC) are broadcasts
 * @logical: @dest is logical
 * @lowest: lowest-priority delivery: only one of the APICs named
 * @vector: the vector
 * @level: level-triggered
 *
 * Callable from any context, with no local APIC lock held.
 */
void tandem_lapic_deliver(struct tandem_domain *dom, u32 dest, bool logical,
			  bool lowest, u8 vector, bool level)
{
	u32 i;

	for (i = 0; i < dom->vcpus; i++) {
		struct tandem_vcpu *vcpu = &dom->vcpu[i];

		if (!vcpu->lapic || !lapic_dest_match(vcpu->lapic, dest, logical))
			continue;
		tandem_lapic_accept(vcpu, vector, level);
		/* Any APIC named has the lowest priority: Tandem has no TPR race. */
		if (lowest)
			break;
	}
}

/* The timer */

static u32 lapic_divisor(const struct tandem_lapic *a)
{
	u32 v = (a->tdcr & 3) | ((a->tdcr & 8) >> 1);

	return 1U << ((v + 1) & 7);
}

static void lapic_timer_stop(struct tandem_lapic *a)
{
	a->armed = false;
	/* A callback running now sees !armed and does nothing. */
	hrtimer_try_to_cancel(&a->timer);
}

static void lapic_timer_start_ns(struct tandem_lapic *a, u64 ns, bool periodic)
{
	if (periodic)
		ns = max_t(u64, ns, LAPIC_MIN_PERIOD_NS);
	a->period = periodic ? ns : 0;
	a->expire = ktime_add_ns(ktime_get(), ns);
	a->armed = true;
	hrtimer_start(&a->timer, a->expire, HRTIMER_MODE_ABS);
}

/* TMICT written, or the timer mode changed: (re)start the count. Lock held. */
static void lapic_timer_restart(struct tandem_lapic *a)
{
	u32 mode = a->lvt[0] & LAPIC_TIMER_MODE;

	lapic_timer_stop(a);
	if (mode == APIC_LVT_TIMER_TSCDEADLINE || !a->tmict)
		return;
	lapic_timer_start_ns(a, (u64)a->tmict * lapic_divisor(a) * LAPIC_TICK_NS,
			     mode == APIC_LVT_TIMER_PERIODIC);
}

static u32 lapic_timer_current(const struct tandem_lapic *a)
{
	s64 left;

	if (!a->armed || (a->lvt[0] & LAPIC_TIMER_MODE) == APIC_LVT_TIMER_TSCDEADLINE)
		return 0;
	left = ktime_to_ns(ktime_sub(a->expire, ktime_get()));
	if (left <= 0)
		return 0;
	return div_u64(left, lapic_divisor(a) * LAPIC_TICK_NS);
}

static enum hrtimer_restart lapic_timer_fn(struct hrtimer *t)
{
	struct tandem_lapic *a = container_of(t, struct tandem_lapic, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	bool fired = false;
	ktime_t now = ktime_get();

	spin_lock_irqsave(&a->lock, flags);
	/* Stopped, or restarted (queued again) while this callback began. */
	if (!a->armed || hrtimer_is_queued(t) || ktime_before(now, a->expire))
		goto out;
	if (!(a->lvt[0] & APIC_LVT_MASKED))
		fired = lapic_set_irr(a, a->lvt[0] & 0xff, false);
	if (a->period) {
		hrtimer_forward(t, now, ns_to_ktime(a->period));
		a->expire = hrtimer_get_expires(t);
		ret = HRTIMER_RESTART;
	} else {
		a->armed = false;
		a->tsc_deadline = 0;
	}
out:
	spin_unlock_irqrestore(&a->lock, flags);
	if (fired)
		tandem_vcpu_irq_notify(a->vcpu);
	return ret;
}

static void lapic_set_tsc_deadline(struct tandem_lapic *a, u64 deadline)
{
	u64 now;

	if ((a->lvt[0] & LAPIC_TIMER_MODE) != APIC_LVT_TIMER_TSCDEADLINE)
		return;		/* ignored outside TSC-deadline mode (SDM 11.5.4.1) */
	lapic_timer_stop(a);
	a->tsc_deadline = deadline;
	if (!deadline)
		return;
	/* The deadline is in the guest's TSC: the host's plus the offset. */
	now = rdtsc() + a->vcpu->dom->tsc_offset;
	lapic_timer_start_ns(a, deadline > now && tsc_khz ?
			     mul_u64_u32_div(deadline - now, NSEC_PER_MSEC,
					     tsc_khz) : 0, false);
}

/* State after RESET or a disable through IA32_APIC_BASE. Lock held. */
static void lapic_reset_locked(struct tandem_lapic *a)
{
	unsigned int i;

	lapic_timer_stop(a);
	a->base = LAPIC_MMIO | MSR_IA32_APICBASE_ENABLE |
		  (a->vcpu->id ? 0 : MSR_IA32_APICBASE_BSP);
	a->tpr = 0;
	a->ldr = 0;
	a->dfr = 0xffffffff;
	a->svr = 0xff;
	a->esr = 0;
	a->icr_lo = 0;
	a->icr_hi = 0;
	for (i = 0; i < LAPIC_NR_LVT; i++)
		a->lvt[i] = APIC_LVT_MASKED;
	a->tmict = 0;
	a->tdcr = 0;
	a->tsc_deadline = 0;
	bitmap_zero(a->irr, 256);
	bitmap_zero(a->isr, 256);
	bitmap_zero(a->tmr, 256);
	lapic_update_pending(a);
}

/**
 * tandem_lapic_reset() - put @vcpu's local APIC in its RESET state
 * @vcpu: the vCPU (its thread is not in the guest)
 */
void tandem_lapic_reset(struct tandem_vcpu *vcpu)
{
	struct tandem_lapic *a = vcpu->lapic;
	unsigned long flags;

	spin_lock_irqsave(&a->lock, flags);
	lapic_reset_locked(a);
	spin_unlock_irqrestore(&a->lock, flags);
	hrtimer_cancel(&a->timer);
}

/* Registers */

/* Returns the vector whose EOI goes to the I/O APIC, or -1. Lock held. */
static int lapic_eoi(struct tandem_lapic *a)
{
	int v = lapic_highest(a->isr);

	if (v < 0)
		return -1;
	__clear_bit(v, a->isr);
	return __test_and_clear_bit(v, a->tmr) ? v : -1;
}

/* The software-disabled APIC masks every LVT entry (SDM 11.4.7.2). */
static void lapic_write_svr(struct tandem_lapic *a, u32 val)
{
	unsigned int i;

	a->svr = val & 0x3ff;
	if (!(a->svr & APIC_SPIV_APIC_ENABLED))
		for (i = 0; i < LAPIC_NR_LVT; i++)
			a->lvt[i] |= APIC_LVT_MASKED;
}

/* Writable bits of each LVT entry: timer, thermal, PMC, LINT0, LINT1, error */
static const u32 lapic_lvt_bits[LAPIC_NR_LVT] = {
	0x700ff, 0x107ff, 0x107ff, 0x1a7ff, 0x1a7ff, 0x100ff,
};

static void lapic_write_lvt(struct tandem_lapic *a, unsigned int i, u32 val)
{
	u32 old = a->lvt[i];

	val &= lapic_lvt_bits[i];
	if (!(a->svr & APIC_SPIV_APIC_ENABLED))
		val |= APIC_LVT_MASKED;
	a->lvt[i] = val;
	/* A timer mode change disarms the timer (SDM 11.5.4.1). */
	if (i == 0 && ((old ^ val) & LAPIC_TIMER_MODE)) {
		lapic_timer_stop(a);
		a->tmict = 0;
		a->tsc_deadline = 0;
	}
}

static int lapic_read(struct tandem_lapic *a, u32 off, u32 *val)
{
	bool x2 = lapic_x2apic(a);

	switch (off) {
	case APIC_ID:
		*val = x2 ? a->vcpu->id : a->vcpu->id << 24;
		return 0;
	case APIC_LVR:
		*val = LAPIC_VERSION | ((LAPIC_NR_LVT - 1) << 16);
		return 0;
	case APIC_TASKPRI:
		*val = a->tpr;
		return 0;
	case APIC_PROCPRI:
		*val = lapic_ppr(a);
		return 0;
	case APIC_LDR:
		*val = a->ldr;
		return 0;
	case APIC_DFR:
		if (x2)
			return -EINVAL;
		*val = a->dfr;
		return 0;
	case APIC_SPIV:
		*val = a->svr;
		return 0;
	case APIC_ISR ... APIC_ISR + 0x70:
		*val = bitmap_get_value8(a->isr, (off - APIC_ISR) * 2) |
		       bitmap_get_value8(a->isr, (off - APIC_ISR) * 2 + 8) << 8 |
		       bitmap_get_value8(a->isr, (off - APIC_ISR) * 2 + 16) << 16 |
		       bitmap_get_value8(a->isr, (off - APIC_ISR) * 2 + 24) << 24;
		return off & 0xf ? -EINVAL : 0;
	case APIC_TMR ... APIC_TMR + 0x70:
		*val = bitmap_get_value8(a->tmr, (off - APIC_TMR) * 2) |
		       bitmap_get_value8(a->tmr, (off - APIC_TMR) * 2 + 8) << 8 |
		       bitmap_get_value8(a->tmr, (off - APIC_TMR) * 2 + 16) << 16 |
		       bitmap_get_value8(a->tmr, (off - APIC_TMR) * 2 + 24) << 24;
		return off & 0xf ? -EINVAL : 0;
	case APIC_IRR ... APIC_IRR + 0x70:
		*val = bitmap_get_value8(a->irr, (off - APIC_IRR) * 2) |
		       bitmap_get_value8(a->irr, (off - APIC_IRR) * 2 + 8) << 8 |
		       bitmap_get_value8(a->irr, (off - APIC_IRR) * 2 + 16) << 16 |
		       bitmap_get_value8(a->irr, (off - APIC_IRR) * 2 + 24) << 24;
		return off & 0xf ? -EINVAL : 0;
	case APIC_ESR:
		*val = a->esr;
		return 0;
	case APIC_ICR:
		*val = a->icr_lo;
		return 0;
	case APIC_ICR2:
		if (x2)
			return -EINVAL;
		*val = a->icr_hi;
		return 0;
	case APIC_LVTT:
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
		*val = a->lvt[(off - APIC_LVTT) >> 4];
		return 0;
	case APIC_TMICT:
		*val = a->tmict;
		return 0;
	case APIC_TMCCT:
		*val = lapic_timer_current(a);
		return 0;
	case APIC_TDCR:
		*val = a->tdcr;
		return 0;
	}
	*val = 0;
	return -EINVAL;
}

/* What a register write leaves to do once the lock is dropped. */
struct lapic_after {
	int eoi_vector;		/* to the I/O APIC, or -1 */
	bool ipi;
	u32 icr_lo;
	u32 dest;
};

static int lapic_write(struct tandem_lapic *a, u32 off, u64 val,
		       struct lapic_after *after)
{
	bool x2 = lapic_x2apic(a);

	switch (off) {
	case APIC_ID:
	case APIC_LVR:
	case APIC_PROCPRI:
	case APIC_TMCCT:
		/* Read-only: ignored in xAPIC mode, #GP through the MSRs. */
		return x2 ? -EINVAL : 0;
	case APIC_TASKPRI:
		a->tpr = val & 0xff;
		return 0;
	case APIC_EOI:
		if (x2 && val)
			return -EINVAL;
		after->eoi_vector = lapic_eoi(a);
		return 0;
	case APIC_LDR:
		if (x2)
			return -EINVAL;
		a->ldr = val & 0xff000000;
		return 0;
	case APIC_DFR:
		if (x2)
			return -EINVAL;
		a->dfr = val | 0x0fffffff;
		return 0;
	case APIC_SPIV:
		lapic_write_svr(a, val);
		return 0;
	case APIC_ESR:
		if (x2 && val)
			return -EINVAL;
		a->esr = 0;
		return 0;
	case APIC_ICR:
		a->icr_lo = val & ~(u32)APIC_ICR_BUSY;
		if (x2)
			a->icr_hi = val >> 32;
		after->ipi = true;
		after->icr_lo = a->icr_lo;
		after->dest = x2 ? a->icr_hi : a->icr_hi >> 24;
		return 0;
	case APIC_ICR2:
		if (x2)
			return -EINVAL;
		a->icr_hi = val & 0xff000000;
		return 0;
	case APIC_LVTT:
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
		lapic_write_lvt(a, (off - APIC_LVTT) >> 4, val);
		return 0;
	case APIC_TMICT:
		if ((a->lvt[0] & LAPIC_TIMER_MODE) == APIC_LVT_TIMER_TSCDEADLINE)
			return 0;
		a->tmict = val;
		lapic_timer_restart(a);
		return 0;
	case APIC_TDCR:
		a->tdcr = val & 0xb;
		return 0;
	case APIC_SELF_IPI:
		if (!x2)
			return 0;
		after->ipi = true;
		after->icr_lo = APIC_DEST_SELF | (val & 0xff);
		after->dest = 0;
		return 0;
	}
	return x2 ? -EINVAL : 0;
}

/*
 * INIT and STARTUP to the vCPUs @icr names. An INIT level de-assert (level
 * trigger, assert bit clear) does nothing, as on every processor since the
 * Pentium 4 (SDM Vol. 3A 10.6.1); Linux still sends one.
 */
static void lapic_send_startup(struct tandem_vcpu *vcpu, u32 icr, u32 dest)
{
	bool init = (icr & APIC_MODE_MASK) == APIC_DM_INIT;
	struct tandem_domain *dom = vcpu->dom;
	u32 i;

	if (init && (icr & APIC_INT_LEVELTRIG) && !(icr & APIC_INT_ASSERT))
		return;
	for (i = 0; i < dom->vcpus; i++) {
		struct tandem_vcpu *t = &dom->vcpu[i];

		switch (icr & LAPIC_SHORTHAND) {
		case APIC_DEST_SELF:
			if (t != vcpu)
				continue;
			break;
		case APIC_DEST_ALLBUT:
			if (t == vcpu)
				continue;
			break;
		case APIC_DEST_ALLINC:
			break;
		default:
			if (!t->lapic ||
			    !lapic_dest_match(t->lapic, dest, icr & APIC_DEST_LOGICAL))
				continue;
		}
		if (init)
			tandem_vcpu_init_signal(t);
		else
			tandem_vcpu_startup(t, icr & APIC_VECTOR_MASK);
	}
}

static void lapic_send_ipi(struct tandem_vcpu *vcpu, u32 icr, u32 dest)
{
	u32 mode = icr & APIC_MODE_MASK;
	u8 vector = icr & APIC_VECTOR_MASK;
	struct tandem_domain *dom = vcpu->dom;
	u32 i;

	if (mode == APIC_DM_INIT || mode == APIC_DM_STARTUP) {
		lapic_send_startup(vcpu, icr, dest);
		return;
	}
	/* NMI, SMI: not emulated. */
	if (mode != APIC_DM_FIXED && mode != APIC_DM_LOWEST)
		return;
	switch (icr & LAPIC_SHORTHAND) {
	case APIC_DEST_SELF:
		tandem_lapic_accept(vcpu, vector, false);
		break;
	case APIC_DEST_ALLINC:
	case APIC_DEST_ALLBUT:
		for (i = 0; i < dom->vcpus; i++)
			if (i != vcpu->id ||
			    (icr & LAPIC_SHORTHAND) == APIC_DEST_ALLINC)
				tandem_lapic_accept(&dom->vcpu[i], vector, false);
		break;
	default:
		tandem_lapic_deliver(dom, dest, icr & APIC_DEST_LOGICAL,
				     mode == APIC_DM_LOWEST, vector, false);
	}
}

static void lapic_finish(struct tandem_vcpu *vcpu, const struct lapic_after *after)
{
	if (after->eoi_vector >= 0)
		tandem_ioapic_eoi(vcpu->dom, after->eoi_vector);
	if (after->ipi)
		lapic_send_ipi(vcpu, after->icr_lo, after->dest);
}

static int lapic_access(struct tandem_vcpu *vcpu, u32 off, u64 *val, bool write)
{
	struct tandem_lapic *a = vcpu->lapic;
	struct lapic_after after = { .eoi_vector = -1 };
	unsigned long flags;
	u32 v32;
	int err;

	spin_lock_irqsave(&a->lock, flags);
	if (write) {
		err = lapic_write(a, off, *val, &after);
	} else {
		err = lapic_read(a, off, &v32);
		*val = v32;
		if (off == APIC_ICR && lapic_x2apic(a))
			*val |= (u64)a->icr_hi << 32;
	}
	spin_unlock_irqrestore(&a->lock, flags);
	lapic_finish(vcpu, &after);
	return err;
}

/* xAPIC MMIO: a page per vCPU at the same address, 32-bit registers. */
static u64 lapic_mmio_read(struct tandem_vcpu *vcpu, u64 addr, int size)
{
	u32 off = addr - LAPIC_MMIO;
	u64 val;

	if (!lapic_hw_enabled(vcpu->lapic) || lapic_x2apic(vcpu->lapic))
		return ~0ULL;	/* nothing decodes the page then */
	lapic_access(vcpu, off & 0xff0, &val, false);
	return (u32)val >> ((off & 3) * 8);
}

static void lapic_mmio_write(struct tandem_vcpu *vcpu, u64 addr, int size,
			     u64 val)
{
	u32 off = addr - LAPIC_MMIO;

	if (!lapic_hw_enabled(vcpu->lapic) || lapic_x2apic(vcpu->lapic))
		return;
	/* Only aligned 32-bit writes are defined (SDM 11.4.1). */
	if (size != 4 || (off & 0xf))
		return;
	val = (u32)val;
	lapic_access(vcpu, off, &val, true);
}

const struct tandem_device tandem_lapic_dev = {
	.name = "local APIC",
	.mmio_base = LAPIC_MMIO,
	.mmio_len = PAGE_SIZE,
	.read = lapic_mmio_read,
	.write = lapic_mmio_write,
};

/* MSRs: IA32_APIC_BASE, the x2APIC range, IA32_TSC_DEADLINE */

static int lapic_write_base(struct tandem_lapic *a, u64 val)
{
	u64 ok = GENMASK_ULL(boot_cpu_data.x86_phys_bits - 1, 12) |
		 MSR_IA32_APICBASE_ENABLE | X2APIC_ENABLE | MSR_IA32_APICBASE_BSP;
	bool en = val & MSR_IA32_APICBASE_ENABLE, x2 = val & X2APIC_ENABLE;

	if (val & ~ok)
		return -EINVAL;
	/* SDM 11.12.5: EXTD without EN, and x2APIC -> xAPIC, are invalid. */
	if (x2 && !en)
		return -EINVAL;
	if (lapic_x2apic(a) && en && !x2)
		return -EINVAL;
	if (!en) {
		lapic_reset_locked(a);
		a->base &= ~MSR_IA32_APICBASE_ENABLE;
		return 0;
	}
	if (!lapic_hw_enabled(a))
		lapic_reset_locked(a);
	if (x2 && !lapic_x2apic(a))
		a->ldr = lapic_x2apic_ldr(a->vcpu->id);
	/* The BSP flag is the platform's; the page does not move. */
	a->base = (a->base & MSR_IA32_APICBASE_BSP) |
		  (val & ~MSR_IA32_APICBASE_BSP);
	return 0;
}

/**
 * tandem_lapic_msr_read() - RDMSR of an APIC MSR
 * @vcpu: the vCPU
 * @msr: the MSR
 * @val: its value
 *
 * Return: 0, -EINVAL (#GP), or -ENOENT when @msr is not the APIC's.
 */
int tandem_lapic_msr_read(struct tandem_vcpu *vcpu, u32 msr, u64 *val)
{
	struct tandem_lapic *a = vcpu->lapic;
	unsigned long flags;

	switch (msr) {
	case MSR_IA32_APICBASE:
		*val = READ_ONCE(a->base);
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		spin_lock_irqsave(&a->lock, flags);
		*val = a->tsc_deadline;
		spin_unlock_irqrestore(&a->lock, flags);
		return 0;
	case APIC_BASE_MSR ... APIC_BASE_MSR + 0xff:
		if (!lapic_x2apic(a) || msr == APIC_BASE_MSR + (APIC_EOI >> 4) ||
		    msr == APIC_BASE_MSR + (APIC_SELF_IPI >> 4))
			return -EINVAL;
		return lapic_access(vcpu, (msr - APIC_BASE_MSR) << 4, val, false);
	}
	return -ENOENT;
}

/**
 * tandem_lapic_msr_write() - WRMSR of an APIC MSR
 * @vcpu: the vCPU
 * @msr: the MSR
 * @val: the value
 *
 * Return: 0, -EINVAL (#GP), or -ENOENT when @msr is not the APIC's.
 */
int tandem_lapic_msr_write(struct tandem_vcpu *vcpu, u32 msr, u64 val)
{
	struct tandem_lapic *a = vcpu->lapic;
	unsigned long flags;
	int err = 0;

	switch (msr) {
	case MSR_IA32_APICBASE:
		spin_lock_irqsave(&a->lock, flags);
		err = lapic_write_base(a, val);
		spin_unlock_irqrestore(&a->lock, flags);
		return err;
	case MSR_IA32_TSC_DEADLINE:
		spin_lock_irqsave(&a->lock, flags);
		lapic_set_tsc_deadline(a, val);
		spin_unlock_irqrestore(&a->lock, flags);
		return 0;
	case APIC_BASE_MSR ... APIC_BASE_MSR + 0xff:
		if (!lapic_x2apic(a))
			return -EINVAL;
		/* Only the ICR is 64 bits wide. */
		if (msr != APIC_BASE_MSR + (APIC_ICR >> 4) && (val >> 32))
			return -EINVAL;
		return lapic_access(vcpu, (msr - APIC_BASE_MSR) << 4, &val, true);
	}
	return -ENOENT;
}

/* Injection */

/**
 * tandem_lapic_inject() - the interrupt decision before an entry
 * @vcpu: the vCPU, on its thread inside the run loop
 *
 * When a vector is deliverable and the backend says the guest can take an
 * interrupt now, it moves from IRR to ISR and is injected; when the guest
 * cannot take it yet, an interrupt-window exit is requested. Nothing in
 * the IRR: one load and no lock.
 */
void tandem_lapic_inject(struct tandem_vcpu *vcpu)
{
	struct tandem_lapic *a = vcpu->lapic;
	unsigned long flags;
	bool open;
	int v;

	if (likely(!READ_ONCE(a->irr_pending)))
		return;
	open = tandem_arch->irq_window_open(vcpu);
	spin_lock_irqsave(&a->lock, flags);
	v = lapic_deliverable(a);
	if (v && open) {
		__clear_bit(v, a->irr);
		__set_bit(v, a->isr);
		lapic_update_pending(a);
	}
	spin_unlock_irqrestore(&a->lock, flags);
	if (!v)
		return;
	if (open) {
		tandem_arch->inject_irq(vcpu, v);
		vcpu->stat_irqs++;
	} else {
		tandem_arch->request_irq_window(vcpu);
	}
}

/**
 * tandem_lapic_hlt_wakes() - would an interrupt end a HLT right away?
 * @vcpu: the vCPU that executed HLT, with interrupts enabled or not
 *
 * Return: true when RFLAGS.IF is set and a vector is deliverable.
 */
bool tandem_lapic_hlt_wakes(struct tandem_vcpu *vcpu)
{
	struct tandem_lapic *a = vcpu->lapic;
	unsigned long flags;
	int v;

	if (!(vcpu->rflags & X86_EFLAGS_IF) || !READ_ONCE(a->irr_pending))
		return false;
	spin_lock_irqsave(&a->lock, flags);
	v = lapic_deliverable(a);
	spin_unlock_irqrestore(&a->lock, flags);
	return v;
}

/* Lifetime */

/**
 * tandem_lapic_create() - the local APIC of a new vCPU, in RESET state
 * @vcpu: the vCPU (id and dom set)
 *
 * Return: 0 or -ENOMEM.
 */
int tandem_lapic_create(struct tandem_vcpu *vcpu)
{
	struct tandem_lapic *a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);

	if (!a)
		return -ENOMEM;
	a->vcpu = vcpu;
	spin_lock_init(&a->lock);
	hrtimer_init(&a->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	a->timer.function = lapic_timer_fn;
	lapic_reset_locked(a);
	vcpu->lapic = a;
	return 0;
}

/**
 * tandem_lapic_stop() - cancel @vcpu's APIC timer for good
 * @vcpu: the vCPU, its thread stopped
 */
void tandem_lapic_stop(struct tandem_vcpu *vcpu)
{
	struct tandem_lapic *a = vcpu->lapic;
	unsigned long flags;

	if (!a)
		return;
	spin_lock_irqsave(&a->lock, flags);
	a->armed = false;
	a->period = 0;
	spin_unlock_irqrestore(&a->lock, flags);
	hrtimer_cancel(&a->timer);
}

/**
 * tandem_lapic_destroy() - free @vcpu's local APIC
 * @vcpu: the vCPU, its thread gone
 */
void tandem_lapic_destroy(struct tandem_vcpu *vcpu)
{
	tandem_lapic_stop(vcpu);
	kfree(vcpu->lapic);
	vcpu->lapic = NULL;
}
