// SPDX-License-Identifier: GPL-2.0
/*
 * The 8254 programmable interval timer at ports 0x40-0x43, and the system
 * control port B at 0x61 that holds channel 2's gate and shows its output.
 *
 * The counters run at 1.193182 MHz of the host's monotonic clock
 * (ktime_get()), not of guest instructions: a count read is computed from
 * the nanoseconds since the counter was loaded. Channels 0-2 offer modes 0
 * to 5 (6 and 7 are 2 and 3), LSB, MSB and LSB-then-MSB access, the counter
 * latch command and the read-back command (count and status: OUT, null
 * count, access, mode, BCD). BCD counting is not emulated: the BCD bit is
 * kept and read back, the count stays binary.
 *
 * Gates: channels 0 and 1 have theirs tied high, as on a PC; channel 2's is
 * bit 0 of port 0x61, whose bit 5 reads channel 2's OUT. Bit 1 (speaker
 * data), bits 2-3 (check enables) are plain storage; bit 4 (refresh request)
 * flips at every read, so that loops waiting for it to change (the old
 * "wait 15 us" idiom) end. Linux calibrates the TSC with channel 2 in
 * mode 0 (gate high, count written, OUT polled through port 0x61).
 *
 * Channel 0 drives ISA IRQ 0 from an hrtimer: a rising edge (the line goes
 * high, then low) every period in modes 2 and 3, once at terminal count in
 * modes 0 and 4. Rewriting the count in modes 2 and 3 restarts the period
 * at once (a real 8254 waits for the end of the current one). A guest may
 * program a period down to one PIT tick; interrupts are never raised more
 * often than every %PIT_MIN_PERIOD_NS (the counters themselves stay exact),
 * so that a guest cannot flood its host with timer callbacks.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "tandem_hv.h"

#define PIT_PORT		0x40
#define PIT_NPORTS		4
#define PIT_CTRL		3
#define PORTB_PORT		0x61

#define PIT_HZ			1193182
/* The shortest interval between two IRQ 0 edges: 10 kHz at most. */
#define PIT_MIN_PERIOD_NS	100000

#define PIT_RW_LATCH		0
#define PIT_RW_LSB		1
#define PIT_RW_MSB		2
#define PIT_RW_WORD		3

#define PIT_ST_OUT		0x80
#define PIT_ST_NULL		0x40

#define PORTB_GATE2		0x01
#define PORTB_SPKR		0x02
#define PORTB_RW_MASK		0x0f
#define PORTB_REFRESH		0x10
#define PORTB_OUT2		0x20

/**
 * struct pit_channel - one counter
 * @mode: 0-5
 * @rw: %PIT_RW_LSB, _MSB or _WORD
 * @bcd: the BCD bit of the control word (kept, not emulated)
 * @gate: the gate input
 * @loaded: a count was written since the control word
 * @null_count: the count register holds a count not loaded yet
 * @triggered: modes 1 and 5: the gate rose since the count was written
 * @running: the counter counts now (@start is valid)
 * @reload: the count written (0 means 65536)
 * @start: ktime (ns) when counting began or resumed
 * @base: ticks counted before @start
 * @write_lsb: LSB of a word write waiting for its MSB
 * @write_high: the next write is the MSB of a word
 * @read_high: the next live read is the MSB of a word
 * @latched: bytes of @latch still to read (0, 1 or 2)
 * @latch: the count the latch command captured
 * @latch_high: with two latched bytes, the next is the MSB
 * @status_latched: @status waits to be read
 * @status: the status byte the read-back command captured
 */
struct pit_channel {
	u8 mode, rw;
	bool bcd, gate, loaded, null_count, triggered, running;
	u32 reload;
	u64 start, base;
	u8 write_lsb;
	bool write_high, read_high;
	u8 latched;
	u16 latch;
	bool latch_high, status_latched;
	u8 status;
};

/**
 * struct tandem_pit - a domain's 8254 and port 0x61
 * @lock: vCPUs access it concurrently
 * @ch: the three channels
 * @portb: the writable bits of port 0x61
 * @refresh: the refresh toggle of port 0x61
 * @timer: channel 0's interrupt
 * @period_ns: @timer's period, 0 for one shot (read by the callback)
 * @dom: the domain, for the callback
 */
struct tandem_pit {
	spinlock_t lock; /* the channels and port B */
	struct pit_channel ch[3];
	u8 portb;
	bool refresh;
	struct hrtimer timer;
	u64 period_ns;
	struct tandem_domain *dom;
};

static u64 pit_ticks(u64 ns)
{
	return mul_u64_u32_div(ns, PIT_HZ, NSEC_PER_SEC);
}

static u64 pit_ns(u64 ticks)
{
	return div_u64(ticks * NSEC_PER_SEC, PIT_HZ);
}

static u32 pit_reload(const struct pit_channel *c)
{
	return c->reload ?: 0x10000;
}

/* Ticks counted since the count was loaded (or the trigger). */
static u64 pit_elapsed(const struct pit_channel *c, u64 now)
{
	return c->base + (c->running ? pit_ticks(now - c->start) : 0);
}

static bool pit_out(const struct pit_channel *c, u64 now)
{
	u32 n = pit_reload(c);
	u64 t = pit_elapsed(c, now);

	if (!c->loaded)
		return c->mode != 0;
	switch (c->mode) {
	case 0:
		return t >= n;
	case 1:
		return !c->triggered || t >= n;
	case 2:
		return !c->running || do_div(t, n) != n - 1;
	case 3:
		return !c->running || do_div(t, n) < (n + 1) / 2;
	case 5:
		if (!c->triggered)
			return true;
		fallthrough;
	default: /* 4 */
		return t != n;
	}
}

static u16 pit_count(const struct pit_channel *c, u64 now)
{
	u32 n = pit_reload(c), phase, half;
	u64 t = pit_elapsed(c, now);

	if (!c->loaded || ((c->mode == 1 || c->mode == 5) && !c->triggered))
		return c->reload;
	switch (c->mode) {
	case 2:
		return n - do_div(t, n);
	case 3:
		phase = do_div(t, n);
		half = (n + 1) / 2;
		if (phase >= half)
			phase -= half;
		return (n - 2 * phase) & 0xfffe;
	default:
		return (n - t) & 0xffff;
	}
}

/*
 * An edge on ISA IRQ 0: the line rises, then falls. The 8259 is told
 * directly, as the pulse is too short for it to sample.
 */
static void pit_irq0_edge(struct tandem_domain *dom)
{
	tandem_irq_set(dom, 0, true);
	tandem_pic_irq(dom, 0, true);
	tandem_irq_set(dom, 0, false);
	tandem_pic_irq(dom, 0, false);
}

static enum hrtimer_restart pit_timer_fn(struct hrtimer *timer)
{
	struct tandem_pit *pit = container_of(timer, struct tandem_pit, timer);
	u64 period = READ_ONCE(pit->period_ns);

	pit_irq0_edge(pit->dom);
	if (!period)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ns_to_ktime(period));
	return HRTIMER_RESTART;
}

/* Channel 0 was reprogrammed: aim its interrupt at the new terminal count. */
static void pit_arm_irq0(struct tandem_pit *pit, u64 now)
{
	struct pit_channel *c = &pit->ch[0];
	u64 first;

	hrtimer_cancel(&pit->timer);
	if (!c->loaded || !c->running || c->mode == 1 || c->mode == 5)
		return;
	first = max_t(u64, pit_ns(pit_reload(c)), PIT_MIN_PERIOD_NS);
	WRITE_ONCE(pit->period_ns, c->mode == 2 || c->mode == 3 ? first : 0);
	hrtimer_start(&pit->timer, ns_to_ktime(now + first),
		      HRTIMER_MODE_ABS_HARD);
}

/* The whole count is in the count register: load it and count. */
static void pit_load(struct tandem_pit *pit, int i, u32 val, u64 now)
{
	struct pit_channel *c = &pit->ch[i];

	c->reload = val;
	c->loaded = true;
	c->null_count = false;
	c->base = 0;
	c->start = now;
	c->triggered = false;
	/* Modes 1 and 5 wait for a rising gate; the others count if it is high. */
	c->running = c->gate && c->mode != 1 && c->mode != 5;
	if (i == 0)
		pit_arm_irq0(pit, now);
}

static void pit_set_gate(struct tandem_pit *pit, int i, bool gate, u64 now)
{
	struct pit_channel *c = &pit->ch[i];
	bool rising = gate && !c->gate;

	if (gate == c->gate)
		return;
	c->gate = gate;
	if (!c->loaded)
		return;
	switch (c->mode) {
	case 0:
	case 4:
		/* The gate suspends counting. */
		if (!gate) {
			c->base = pit_elapsed(c, now);
			c->running = false;
		} else {
			c->start = now;
			c->running = true;
		}
		break;
	case 2:
	case 3:
		/* Low stops (OUT high), a rising edge reloads. */
		if (!gate) {
			c->base = pit_elapsed(c, now);
			c->running = false;
		} else {
			c->base = 0;
			c->start = now;
			c->running = true;
		}
		break;
	default:
		/* Modes 1 and 5: a rising edge (re)triggers. */
		if (rising) {
			c->base = 0;
			c->start = now;
			c->running = true;
			c->triggered = true;
		}
	}
	if (i == 0)
		pit_arm_irq0(pit, now);
}

static u8 pit_status(const struct pit_channel *c, u64 now)
{
	return (pit_out(c, now) ? PIT_ST_OUT : 0) |
	       (c->null_count ? PIT_ST_NULL : 0) | c->rw << 4 | c->mode << 1 |
	       c->bcd;
}

static void pit_latch_count(struct pit_channel *c, u64 now)
{
	if (c->latched)
		return;	/* a second latch before the read is ignored */
	c->latch = pit_count(c, now);
	c->latched = c->rw == PIT_RW_WORD ? 2 : 1;
	c->latch_high = c->rw == PIT_RW_MSB;
}

static void pit_control(struct tandem_pit *pit, u8 val, u64 now)
{
	unsigned int i = val >> 6, rw = (val >> 4) & 3;
	struct pit_channel *c;

	if (i == 3) {
		/* Read-back: bit 5 low latches counts, bit 4 low statuses. */
		for (i = 0; i < 3; i++) {
			c = &pit->ch[i];
			if (!(val & BIT(i + 1)))
				continue;
			if (!(val & 0x20))
				pit_latch_count(c, now);
			if (!(val & 0x10) && !c->status_latched) {
				c->status = pit_status(c, now);
				c->status_latched = true;
			}
		}
		return;
	}
	c = &pit->ch[i];
	if (rw == PIT_RW_LATCH) {
		pit_latch_count(c, now);
		return;
	}
	c->rw = rw;
	c->mode = (val >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;
	c->bcd = val & 1;
	c->loaded = false;
	c->running = false;
	c->null_count = true;
	c->write_high = false;
	c->read_high = false;
	c->latched = 0;
	c->status_latched = false;
	if (i == 0)
		pit_arm_irq0(pit, now);
}

static u64 pit_read(struct tandem_vcpu *vcpu, u64 addr, int size)
{
	struct tandem_pit *pit = vcpu->dom->pit;
	u64 now = ktime_get_ns();
	struct pit_channel *c;
	unsigned long flags;
	u16 count;
	u8 val;

	if (addr - PIT_PORT == PIT_CTRL)
		return 0xff;	/* the control word register is write-only */
	c = &pit->ch[addr - PIT_PORT];
	spin_lock_irqsave(&pit->lock, flags);
	if (c->status_latched) {
		c->status_latched = false;
		val = c->status;
	} else if (c->latched) {
		val = c->latch_high ? c->latch >> 8 : c->latch;
		c->latch_high = !c->latch_high;
		c->latched--;
	} else {
		count = pit_count(c, now);
		switch (c->rw) {
		case PIT_RW_LSB:
			val = count;
			break;
		case PIT_RW_MSB:
			val = count >> 8;
			break;
		default:
			val = c->read_high ? count >> 8 : count;
			c->read_high = !c->read_high;
		}
	}
	spin_unlock_irqrestore(&pit->lock, flags);
	return val;
}

static void pit_write(struct tandem_vcpu *vcpu, u64 addr, int size, u64 v)
{
	struct tandem_pit *pit = vcpu->dom->pit;
	u64 now = ktime_get_ns();
	unsigned int i = addr - PIT_PORT;
	struct pit_channel *c;
	unsigned long flags;
	u8 val = v;

	spin_lock_irqsave(&pit->lock, flags);
	if (i == PIT_CTRL) {
		pit_control(pit, val, now);
		goto out;
	}
	c = &pit->ch[i];
	switch (c->rw) {
	case PIT_RW_LSB:
		pit_load(pit, i, val, now);
		break;
	case PIT_RW_MSB:
		pit_load(pit, i, val << 8, now);
		break;
	case PIT_RW_WORD:
		if (!c->write_high) {
			c->write_lsb = val;
			c->write_high = true;
			c->null_count = true;
			/* Mode 0: writing the first byte stops the count. */
			if (c->mode == 0 && c->loaded) {
				c->base = pit_elapsed(c, now);
				c->running = false;
			}
		} else {
			c->write_high = false;
			pit_load(pit, i, c->write_lsb | val << 8, now);
		}
		break;
	}
out:
	spin_unlock_irqrestore(&pit->lock, flags);
}

static u64 portb_read(struct tandem_vcpu *vcpu, u64 addr, int size)
{
	struct tandem_pit *pit = vcpu->dom->pit;
	unsigned long flags;
	u8 val;

	spin_lock_irqsave(&pit->lock, flags);
	pit->refresh = !pit->refresh;
	val = pit->portb | (pit->refresh ? PORTB_REFRESH : 0);
	if (pit_out(&pit->ch[2], ktime_get_ns()))
		val |= PORTB_OUT2;
	spin_unlock_irqrestore(&pit->lock, flags);
	return val;
}

static void portb_write(struct tandem_vcpu *vcpu, u64 addr, int size, u64 val)
{
	struct tandem_pit *pit = vcpu->dom->pit;
	unsigned long flags;

	spin_lock_irqsave(&pit->lock, flags);
	pit->portb = val & PORTB_RW_MASK;
	pit_set_gate(pit, 2, val & PORTB_GATE2, ktime_get_ns());
	spin_unlock_irqrestore(&pit->lock, flags);
}

static int pit_create(struct tandem_domain *dom)
{
	struct tandem_pit *pit = kzalloc(sizeof(*pit), GFP_KERNEL_ACCOUNT);
	unsigned int i;

	if (!pit)
		return -ENOMEM;
	spin_lock_init(&pit->lock);
	hrtimer_init(&pit->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	pit->timer.function = pit_timer_fn;
	pit->dom = dom;
	for (i = 0; i < 3; i++) {
		pit->ch[i].rw = PIT_RW_WORD;
		pit->ch[i].gate = i != 2;	/* channel 2: port 0x61 bit 0 */
	}
	dom->pit = pit;
	return 0;
}

static void pit_destroy(struct tandem_domain *dom)
{
	if (dom->pit)
		hrtimer_cancel(&dom->pit->timer);
	kfree(dom->pit);
	dom->pit = NULL;
}

const struct tandem_device tandem_pit_dev = {
	.name = "pit",
	.port = PIT_PORT,
	.nports = PIT_NPORTS,
	.read = pit_read,
	.write = pit_write,
	.create = pit_create,
	.destroy = pit_destroy,
};

/* Port B has no state of its own: it lives with the PIT it reflects. */
const struct tandem_device tandem_portb_dev = {
	.name = "port b",
	.port = PORTB_PORT,
	.nports = 1,
	.read = portb_read,
	.write = portb_write,
};
