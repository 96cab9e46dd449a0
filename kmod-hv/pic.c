// SPDX-License-Identifier: GPL-2.0
/*
 * The two cascaded 8259A interrupt controllers of a PC, master at
 * 0x20-0x21 (slave on its IR2) and slave at 0xa0-0xa1, and the edge/level
 * control registers (ELCR) at 0x4d0-0x4d1.
 *
 * The register model is complete: the ICW1-ICW4 initialisation sequence
 * (ICW1 clears the mask and the in-service register), the mask register
 * (OCW1) that reads back what was written, the EOI forms of OCW2
 * (non-specific, specific, with and without rotation, set priority), and
 * OCW3 (read IRR or ISR at the command port, poll, special mask mode).
 * Linux only trusts the legacy PIC (and with it the PIT calibration of the
 * TSC) when the master's mask reads back (probe_8259A()).
 *
 * IRR follows the lines: an edge-triggered line sets its IRR bit on a
 * rising edge, a level-triggered one (ELCR) holds it while high. Edges
 * that are too short to be seen in &tandem_domain.irq_lines (the PIT's
 * IRQ 0) arrive through tandem_pic_irq(); the levels of the other ISA
 * lines are sampled from &tandem_domain.irq_lines at each access. The
 * slave's request drives the master's IR2. A poll (OCW3 P, then a read)
 * acknowledges the highest-priority request as an INTA cycle would.
 *
 * Not emulated: delivering the PIC's output to a CPU (ExtINT through
 * LINT0 of the local APIC, INTA cycles with vectors from ICW2); the guest
 * sees requests only through IRR, ISR and poll. Special fully nested mode
 * and buffered mode are accepted and ignored, as is the LTIM bit of ICW1
 * (the ELCR decides, as on PCI-era chipsets).
 */
#include <linux/bitops.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "tandem_hv.h"

#define PIC_MASTER		0x20
#define PIC_SLAVE		0xa0
#define PIC_NPORTS		2
#define ELCR_PORT		0x4d0
#define ELCR_NPORTS		2
#define PIC_CASCADE		2

/* IRQ 0, 1, 2 (master) and 8, 13 (slave) are edge-triggered only. */
static const u8 elcr_mask[2] = { 0xf8, 0xde };

#define ICW1			0x10
#define ICW1_ICW4		0x01
#define ICW1_SINGLE		0x02
#define OCW3			0x08
#define OCW3_POLL		0x04
#define OCW3_RR			0x02
#define OCW3_RIS		0x01
#define OCW3_ESMM		0x40
#define OCW3_SMM		0x20
#define ICW4_AEOI		0x02

/**
 * struct pic_chip - one 8259A
 * @irr: interrupt request register
 * @isr: in-service register
 * @imr: interrupt mask register (OCW1)
 * @last: line levels last seen, for edge detection
 * @elcr: level-triggered lines
 * @base: vector base (ICW2)
 * @icw3: cascade (ICW3)
 * @init: the next byte at the data port is ICW2, 3 or 4; 0 when done
 * @need_icw4: ICW1 announced an ICW4
 * @single: ICW1 said no cascade (no ICW3)
 * @aeoi: automatic EOI (ICW4)
 * @rotate_aeoi: rotate on automatic EOI (OCW2)
 * @special_mask: special mask mode (OCW3)
 * @read_isr: the command port reads ISR, else IRR (OCW3)
 * @poll: the next read is a poll (OCW3)
 * @lowest: the line with the lowest priority
 */
struct pic_chip {
	u8 irr, isr, imr, last, elcr, base, icw3, init;
	bool need_icw4, single, aeoi, rotate_aeoi, special_mask, read_isr, poll;
	u8 lowest;
};

/**
 * struct tandem_pic - the pair and its ELCR
 * @lock: vCPUs and the PIT's timer access it concurrently
 * @chip: master and slave
 */
struct tandem_pic {
	spinlock_t lock; /* both chips */
	struct pic_chip chip[2];
};

static void pic_line(struct pic_chip *c, unsigned int bit, bool level)
{
	u8 m = BIT(bit);

	if (c->elcr & m) {
		if (level)
			c->irr |= m;
		else
			c->irr &= ~m;
	} else if (level && !(c->last & m)) {
		c->irr |= m;
	}
	if (level)
		c->last |= m;
	else
		c->last &= ~m;
}

/* The highest-priority line to serve next, or -1. */
static int pic_pending(const struct pic_chip *c)
{
	u8 req = c->irr & ~c->imr;
	u8 isr = c->special_mask ? c->isr & ~c->imr : c->isr;
	unsigned int i, irq;

	for (i = 1; i <= 8; i++) {
		irq = (c->lowest + i) & 7;
		if (isr & BIT(irq))
			return -1;	/* a higher priority is in service */
		if (req & BIT(irq))
			return irq;
	}
	return -1;
}

/* The highest-priority line in service, or -1. */
static int pic_top_isr(const struct pic_chip *c)
{
	unsigned int i, irq;

	for (i = 1; i <= 8; i++) {
		irq = (c->lowest + i) & 7;
		if (c->isr & BIT(irq))
			return irq;
	}
	return -1;
}

/* The slave's INT output is the master's IR2. */
static void pic_cascade(struct tandem_pic *pic)
{
	pic_line(&pic->chip[0], PIC_CASCADE, pic_pending(&pic->chip[1]) >= 0);
}

/* Take the levels devices drive on the ISA lines (edges come separately). */
static void pic_sync(struct tandem_domain *dom)
{
	struct tandem_pic *pic = dom->pic;
	unsigned int irq;

	for (irq = 1; irq < 16; irq++) {
		if (irq == PIC_CASCADE)
			continue;
		pic_line(&pic->chip[irq / 8], irq % 8,
			 test_bit(irq, dom->irq_lines));
	}
	pic_cascade(pic);
}

/**
 * tandem_pic_irq() - drive an ISA line of the PIC pair
 * @dom: the domain
 * @irq: 0-15
 * @level: the line's new level
 *
 * For edges too short to be sampled from &tandem_domain.irq_lines (the
 * PIT raises IRQ 0 and lowers it at once). Callable from hardirq context.
 */
void tandem_pic_irq(struct tandem_domain *dom, unsigned int irq, bool level)
{
	struct tandem_pic *pic = dom->pic;
	unsigned long flags;

	if (WARN_ON_ONCE(irq >= 16 || irq == PIC_CASCADE) || !pic)
		return;
	spin_lock_irqsave(&pic->lock, flags);
	pic_line(&pic->chip[irq / 8], irq % 8, level);
	pic_cascade(pic);
	spin_unlock_irqrestore(&pic->lock, flags);
}

/* An INTA cycle in poll mode: 0x80 | the line, or 0 with no request. */
static u8 pic_poll(struct tandem_pic *pic, struct pic_chip *c)
{
	int irq = pic_pending(c);

	if (irq < 0)
		return 0;
	if (!(c->elcr & BIT(irq)))
		c->irr &= ~BIT(irq);
	if (!c->aeoi)
		c->isr |= BIT(irq);
	else if (c->rotate_aeoi)
		c->lowest = irq;
	return 0x80 | irq;
}

static void pic_eoi(struct pic_chip *c, u8 val)
{
	int irq;

	switch (val >> 5) {
	case 1:	/* non-specific EOI */
	case 5:	/* ... and rotate */
		irq = pic_top_isr(c);
		if (irq < 0)
			break;
		c->isr &= ~BIT(irq);
		if (val >> 5 == 5)
			c->lowest = irq;
		break;
	case 3:	/* specific EOI */
		c->isr &= ~BIT(val & 7);
		break;
	case 7:	/* specific EOI and rotate */
		c->isr &= ~BIT(val & 7);
		c->lowest = val & 7;
		break;
	case 6:	/* set priority */
		c->lowest = val & 7;
		break;
	case 4:	/* rotate in automatic EOI mode: set */
	case 0:	/* ... clear */
		c->rotate_aeoi = val >> 5 == 4;
		break;
	}
}

static void pic_command(struct pic_chip *c, u8 val)
{
	if (val & ICW1) {
		c->init = 2;
		c->need_icw4 = val & ICW1_ICW4;
		c->single = val & ICW1_SINGLE;
		c->imr = 0;
		c->isr = 0;
		c->irr &= c->elcr;	/* edges must come again */
		c->lowest = 7;
		c->aeoi = false;
		c->rotate_aeoi = false;
		c->special_mask = false;
		c->read_isr = false;
		c->poll = false;
		return;
	}
	if (val & OCW3) {
		c->poll = val & OCW3_POLL;
		if (val & OCW3_RR)
			c->read_isr = val & OCW3_RIS;
		if (val & OCW3_ESMM)
			c->special_mask = val & OCW3_SMM;
		return;
	}
	pic_eoi(c, val);
}

static void pic_data(struct pic_chip *c, u8 val)
{
	switch (c->init) {
	case 2:
		c->base = val & 0xf8;
		c->init = c->single ? (c->need_icw4 ? 4 : 0) : 3;
		break;
	case 3:
		c->icw3 = val;
		c->init = c->need_icw4 ? 4 : 0;
		break;
	case 4:
		c->aeoi = val & ICW4_AEOI;
		c->init = 0;
		break;
	default:
		c->imr = val;
	}
}

static u64 pic_read(struct tandem_vcpu *vcpu, u64 addr, int size)
{
	struct tandem_pic *pic = vcpu->dom->pic;
	unsigned int i = addr >= PIC_SLAVE;
	struct pic_chip *c = &pic->chip[i];
	unsigned long flags;
	u8 val;

	spin_lock_irqsave(&pic->lock, flags);
	pic_sync(vcpu->dom);
	if (c->poll) {
		c->poll = false;
		val = pic_poll(pic, c);
		pic_cascade(pic);
	} else if (addr & 1) {
		val = c->imr;
	} else {
		val = c->read_isr ? c->isr : c->irr;
	}
	spin_unlock_irqrestore(&pic->lock, flags);
	return val;
}

static void pic_write(struct tandem_vcpu *vcpu, u64 addr, int size, u64 val)
{
	struct tandem_pic *pic = vcpu->dom->pic;
	struct pic_chip *c = &pic->chip[addr >= PIC_SLAVE];
	unsigned long flags;

	spin_lock_irqsave(&pic->lock, flags);
	pic_sync(vcpu->dom);
	if (addr & 1)
		pic_data(c, val);
	else
		pic_command(c, val);
	pic_cascade(pic);
	spin_unlock_irqrestore(&pic->lock, flags);
}

static u64 elcr_read(struct tandem_vcpu *vcpu, u64 addr, int size)
{
	struct tandem_pic *pic = vcpu->dom->pic;
	unsigned int off = addr - ELCR_PORT, i;
	unsigned long flags;
	u64 val = 0;

	spin_lock_irqsave(&pic->lock, flags);
	for (i = 0; i < size && off + i < ELCR_NPORTS; i++)
		val |= (u64)pic->chip[off + i].elcr << (8 * i);
	spin_unlock_irqrestore(&pic->lock, flags);
	return val;
}

static void elcr_write(struct tandem_vcpu *vcpu, u64 addr, int size, u64 val)
{
	struct tandem_pic *pic = vcpu->dom->pic;
	unsigned int off = addr - ELCR_PORT, i;
	unsigned long flags;

	spin_lock_irqsave(&pic->lock, flags);
	for (i = 0; i < size && off + i < ELCR_NPORTS; i++)
		pic->chip[off + i].elcr = (val >> (8 * i)) & elcr_mask[off + i];
	pic_sync(vcpu->dom);
	spin_unlock_irqrestore(&pic->lock, flags);
}

static int pic_create(struct tandem_domain *dom)
{
	struct tandem_pic *pic = kzalloc(sizeof(*pic), GFP_KERNEL_ACCOUNT);
	unsigned int i;

	if (!pic)
		return -ENOMEM;
	spin_lock_init(&pic->lock);
	for (i = 0; i < 2; i++)
		pic->chip[i].lowest = 7;
	dom->pic = pic;
	return 0;
}

static void pic_destroy(struct tandem_domain *dom)
{
	kfree(dom->pic);
	dom->pic = NULL;
}

const struct tandem_device tandem_pic_master_dev = {
	.name = "8259 master",
	.port = PIC_MASTER,
	.nports = PIC_NPORTS,
	.read = pic_read,
	.write = pic_write,
	.create = pic_create,
	.destroy = pic_destroy,
};

/* The slave and the ELCR share the master's state. */
const struct tandem_device tandem_pic_slave_dev = {
	.name = "8259 slave",
	.port = PIC_SLAVE,
	.nports = PIC_NPORTS,
	.read = pic_read,
	.write = pic_write,
};

const struct tandem_device tandem_elcr_dev = {
	.name = "elcr",
	.port = ELCR_PORT,
	.nports = ELCR_NPORTS,
	.read = elcr_read,
	.write = elcr_write,
};
