// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O APIC at 0xfec00000 (82093AA, version 0x11): 24 inputs, one per
 * GSI, each with a redirection entry that says where its interrupt goes.
 * Edge-triggered inputs deliver on a rising edge; level-triggered ones
 * deliver while asserted and not waiting for an EOI (Remote IRR), which a
 * local APIC broadcasts when it ends a level-triggered vector.
 *
 * Inputs change from any context (device hrtimers, vCPU threads): the
 * state is under a spinlock taken with interrupts off, and delivery to the
 * local APICs happens under it (their locks nest inside this one; a local
 * APIC never calls in here holding its own).
 *
 * Delivery modes: fixed and lowest priority, to a physical APIC ID or a
 * flat logical destination. Not emulated: NMI/SMI/INIT/ExtINT entries
 * (dropped), polarity (inputs are active high as Tandem's devices drive
 * them), the IRQ assertion register of later versions.
 */
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "tandem_hv.h"

#define IOAPIC_MMIO		0xfec00000ULL
#define IOAPIC_REGSEL		0x00
#define IOAPIC_WINDOW		0x10
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VERSION	0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_TABLE	0x10
#define IOAPIC_VERSION		0x11

/* Redirection entry bits (82093AA datasheet 3.2.4) */
#define IOAPIC_VECTOR		0xffULL
#define IOAPIC_DELMODE		(7ULL << 8)
#define IOAPIC_DM_FIXED		0ULL
#define IOAPIC_DM_LOWEST	BIT_ULL(8)
#define IOAPIC_DESTMODE		BIT_ULL(11)
#define IOAPIC_DELIVS		BIT_ULL(12)
#define IOAPIC_REMOTE_IRR	BIT_ULL(14)
#define IOAPIC_LEVEL		BIT_ULL(15)
#define IOAPIC_MASKED		BIT_ULL(16)
/* What the guest may write: all but delivery status and Remote IRR. */
#define IOAPIC_RW_BITS		(0xff00000000000000ULL | 0x1afffULL)

/**
 * struct tandem_ioapic - the I/O APIC of a domain
 * @lock: all of it; any context, irqsave
 * @regsel: IOREGSEL
 * @id: the ID register (bits 27:24)
 * @lines: level of each input
 * @redtbl: the redirection table
 */
struct tandem_ioapic {
	spinlock_t lock; /* the registers; any context, irqsave */
	u32 regsel;
	u32 id;
	DECLARE_BITMAP(lines, TANDEM_NR_GSIS);
	u64 redtbl[TANDEM_NR_GSIS];
};

/* Send entry @pin's interrupt. Lock held. */
static void ioapic_deliver(struct tandem_domain *dom, struct tandem_ioapic *io,
			   unsigned int pin)
{
	u64 e = io->redtbl[pin];
	u64 mode = e & IOAPIC_DELMODE;
	bool level = e & IOAPIC_LEVEL;

	if (mode != IOAPIC_DM_FIXED && mode != IOAPIC_DM_LOWEST)
		return;
	if (level)
		io->redtbl[pin] |= IOAPIC_REMOTE_IRR;
	tandem_lapic_deliver(dom, e >> 56, e & IOAPIC_DESTMODE,
			     mode == IOAPIC_DM_LOWEST, e & IOAPIC_VECTOR, level);
}

/* A level input asserted, unmasked and not waiting for an EOI fires. */
static void ioapic_check_level(struct tandem_domain *dom,
			       struct tandem_ioapic *io, unsigned int pin)
{
	u64 e = io->redtbl[pin];

	if ((e & IOAPIC_LEVEL) && !(e & (IOAPIC_MASKED | IOAPIC_REMOTE_IRR)) &&
	    test_bit(pin, io->lines))
		ioapic_deliver(dom, io, pin);
}

/**
 * tandem_ioapic_set() - drive input @pin of @dom's I/O APIC
 * @dom: the domain
 * @pin: the input, below %TANDEM_NR_GSIS
 * @level: asserted or not
 *
 * Callable from any context.
 */
void tandem_ioapic_set(struct tandem_domain *dom, unsigned int pin, bool level)
{
	struct tandem_ioapic *io = dom->ioapic;
	unsigned long flags;
	bool old;

	if (!io || pin >= TANDEM_NR_GSIS)
		return;
	spin_lock_irqsave(&io->lock, flags);
	old = test_bit(pin, io->lines);
	if (level)
		__set_bit(pin, io->lines);
	else
		__clear_bit(pin, io->lines);
	if (io->redtbl[pin] & IOAPIC_LEVEL)
		ioapic_check_level(dom, io, pin);
	else if (level && !old && !(io->redtbl[pin] & IOAPIC_MASKED))
		ioapic_deliver(dom, io, pin);
	spin_unlock_irqrestore(&io->lock, flags);
}

/**
 * tandem_ioapic_eoi() - a local APIC ended level-triggered @vector
 * @dom: the domain
 * @vector: the vector
 *
 * Clears Remote IRR of the entries with that vector; an input still
 * asserted interrupts again. Called with no local APIC lock held.
 */
void tandem_ioapic_eoi(struct tandem_domain *dom, u8 vector)
{
	struct tandem_ioapic *io = dom->ioapic;
	unsigned long flags;
	unsigned int pin;

	if (!io)
		return;
	spin_lock_irqsave(&io->lock, flags);
	for (pin = 0; pin < TANDEM_NR_GSIS; pin++) {
		u64 e = io->redtbl[pin];

		if ((e & IOAPIC_VECTOR) != vector || !(e & IOAPIC_REMOTE_IRR))
			continue;
		io->redtbl[pin] &= ~IOAPIC_REMOTE_IRR;
		ioapic_check_level(dom, io, pin);
	}
	spin_unlock_irqrestore(&io->lock, flags);
}

static u32 ioapic_read_reg(struct tandem_ioapic *io)
{
	u32 reg = io->regsel & 0xff, pin;

	switch (reg) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		return io->id;
	case IOAPIC_REG_VERSION:
		return IOAPIC_VERSION | ((TANDEM_NR_GSIS - 1) << 16);
	}
	pin = (reg - IOAPIC_REG_TABLE) / 2;
	if (reg < IOAPIC_REG_TABLE || pin >= TANDEM_NR_GSIS)
		return ~0U;
	return reg & 1 ? io->redtbl[pin] >> 32 : (u32)io->redtbl[pin];
}

static void ioapic_write_reg(struct tandem_domain *dom,
			     struct tandem_ioapic *io, u32 val)
{
	u32 reg = io->regsel & 0xff, pin;
	u64 e;

	if (reg == IOAPIC_REG_ID) {
		io->id = val & 0x0f000000;
		return;
	}
	pin = (reg - IOAPIC_REG_TABLE) / 2;
	if (reg < IOAPIC_REG_TABLE || pin >= TANDEM_NR_GSIS)
		return;
	e = io->redtbl[pin];
	if (reg & 1)
		e = (e & 0xffffffffULL) | ((u64)val << 32);
	else
		e = (e & ~0xffffffffULL) | val;
	e = (e & IOAPIC_RW_BITS) | (io->redtbl[pin] & IOAPIC_REMOTE_IRR);
	/* An edge entry has no Remote IRR. */
	if (!(e & IOAPIC_LEVEL))
		e &= ~IOAPIC_REMOTE_IRR;
	io->redtbl[pin] = e;
	/* Unmasking an asserted level input delivers it. */
	ioapic_check_level(dom, io, pin);
}

static u64 ioapic_mmio_read(struct tandem_vcpu *vcpu, u64 addr, int size)
{
	struct tandem_ioapic *io = vcpu->dom->ioapic;
	u32 off = addr - IOAPIC_MMIO, val = ~0U;
	unsigned long flags;

	spin_lock_irqsave(&io->lock, flags);
	if ((off & ~3) == IOAPIC_REGSEL)
		val = io->regsel;
	else if ((off & ~3) == IOAPIC_WINDOW)
		val = ioapic_read_reg(io);
	spin_unlock_irqrestore(&io->lock, flags);
	return val >> ((off & 3) * 8);
}

static void ioapic_mmio_write(struct tandem_vcpu *vcpu, u64 addr, int size,
			      u64 val)
{
	struct tandem_ioapic *io = vcpu->dom->ioapic;
	u32 off = addr - IOAPIC_MMIO;
	unsigned long flags;

	spin_lock_irqsave(&io->lock, flags);
	if (off == IOAPIC_REGSEL)
		io->regsel = val & 0xff;
	else if (off == IOAPIC_WINDOW && size == 4)
		ioapic_write_reg(vcpu->dom, io, val);
	spin_unlock_irqrestore(&io->lock, flags);
}

static int ioapic_create(struct tandem_domain *dom)
{
	struct tandem_ioapic *io = kzalloc(sizeof(*io), GFP_KERNEL_ACCOUNT);
	unsigned int i;

	if (!io)
		return -ENOMEM;
	spin_lock_init(&io->lock);
	/* The ID the builder's MADT gives it: the one after the vCPUs'. */
	io->id = (dom->vcpus & 0xf) << 24;
	for (i = 0; i < TANDEM_NR_GSIS; i++)
		io->redtbl[i] = IOAPIC_MASKED;
	dom->ioapic = io;
	return 0;
}

static void ioapic_destroy(struct tandem_domain *dom)
{
	kfree(dom->ioapic);
	dom->ioapic = NULL;
}

const struct tandem_device tandem_ioapic_dev = {
	.name = "I/O APIC",
	.mmio_base = IOAPIC_MMIO,
	.mmio_len = PAGE_SIZE,
	.read = ioapic_mmio_read,
	.write = ioapic_mmio_write,
	.create = ioapic_create,
	.destroy = ioapic_destroy,
};
