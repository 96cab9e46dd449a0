// SPDX-License-Identifier: GPL-2.0
/*
 * A 16550A UART at ports 0x3f8-0x3ff (COM1), IRQ 4: the guest's console.
 *
 * Transmission is instantaneous: a byte written to THR leaves at once, so
 * THR and the transmitter are always empty (LSR.THRE and LSR.TEMT set)
 * and the THR-empty interrupt is raised again by every write to THR, as
 * well as when IER enables it. Transmitted bytes go to the console ring in
 * batches (a line, or %UART_TX_BATCH bytes): the guest writes one byte per
 * exit, and the ring's lock is taken once per batch. Readers of the ring
 * and other writers to it flush the batch first (tandem_uart_flush()), so
 * the batching is never visible.
 *
 * Reception is fed by CONSOLE_WRITE through a queue of
 * %TANDEM_CONSOLE_RX_SIZE bytes, of which the guest sees the first 16 as
 * the RX FIFO would hold them; the sender learns how much was accepted,
 * so bytes are never lost inside the UART (no overrun error from the
 * outside). With FIFOs enabled, fewer bytes than the trigger level give
 * the character-timeout interrupt at once rather than four character
 * times later.
 *
 * Loopback (MCR bit 4) sends transmitted bytes to the receiver, the
 * modem control outputs to the modem status inputs (DTR->DSR, RTS->CTS,
 * OUT1->RI, OUT2->DCD), and a break set in LCR to the receiver as a break
 * (a zero byte with LSR.BI). Outside loopback, the modem status inputs
 * say a terminal is there (CTS, DSR, DCD).
 *
 * The interrupt output goes to GSI 4 through tandem_irq_set(), gated by
 * MCR.OUT2 as on PC boards (and so never in loopback, where OUT2 is not
 * driven out).
 */
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "tandem_hv.h"

#define UART_PORT	0x3f8
#define UART_NPORTS	8
#define UART_GSI	4
#define UART_TX_BATCH	64
#define UART_FIFO_SIZE	16

/* Register offsets */
#define UART_RBR_THR	0	/* DLAB: DLL */
#define UART_IER	1	/* DLAB: DLM */
#define UART_IIR_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define IER_ERBFI	0x01	/* received data available */
#define IER_ETBEI	0x02	/* THR empty */
#define IER_ELSI	0x04	/* receiver line status */
#define IER_EDSSI	0x08	/* modem status */

#define IIR_NONE	0x01
#define IIR_MSI		0x00
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_RLSI	0x06
#define IIR_CTI		0x0c
#define IIR_FIFO	0xc0

#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define FCR_CLEAR_TX	0x04

#define LCR_BREAK	0x40
#define LCR_DLAB	0x80

#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10

#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_BI		0x10
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define LSR_FIFOE	0x80
#define LSR_ERRORS	0x1e	/* OE, PE, FE, BI: the line status interrupt */

#define MSR_DELTAS	0x0f
#define MSR_TERI	0x04
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

/**
 * struct tandem_uart - the state of a domain's 16550A
 * @lock: vCPU threads and CONSOLE_WRITE/READ requests
 * @rx: received bytes not read yet, a ring
 * @rx_head: index of the oldest
 * @rx_count: bytes in @rx
 * @tx: transmitted bytes not yet in the console ring
 * @tx_len: bytes in @tx
 * @ier: interrupt enable (4 bits)
 * @lcr: line control
 * @mcr: modem control (5 bits)
 * @fcr: FIFO control as written (enable and trigger bits kept)
 * @lsr_err: OE/PE/FE/BI, until LSR is read
 * @msr: modem status: inputs in the high nibble, deltas in the low one
 * @scr: scratch
 * @dll: divisor latch, low byte
 * @dlm: divisor latch, high byte
 * @thri: the THR-empty interrupt is pending
 * @irq: the level last driven on GSI 4
 */
struct tandem_uart {
	spinlock_t lock; /* the whole state */
	u8 rx[TANDEM_CONSOLE_RX_SIZE];
	unsigned int rx_head;
	unsigned int rx_count;
	char tx[UART_TX_BATCH];
	unsigned int tx_len;
	u8 ier, lcr, mcr, fcr, lsr_err, msr, scr, dll, dlm;
	bool thri;
	bool irq;
};

static unsigned int uart_trigger(const struct tandem_uart *u)
{
	static const u8 levels[4] = { 1, 4, 8, 14 };

	return levels[u->fcr >> 6];
}

/* The highest-priority pending interrupt, as IIR bits 3:0. */
static u8 uart_iid(const struct tandem_uart *u)
{
	if ((u->ier & IER_ELSI) && (u->lsr_err & LSR_ERRORS))
		return IIR_RLSI;
	if ((u->ier & IER_ERBFI) && u->rx_count) {
		if (!(u->fcr & FCR_ENABLE) || u->rx_count >= uart_trigger(u))
			return IIR_RDI;
		return IIR_CTI;
	}
	if ((u->ier & IER_ETBEI) && u->thri)
		return IIR_THRI;
	if ((u->ier & IER_EDSSI) && (u->msr & MSR_DELTAS))
		return IIR_MSI;
	return IIR_NONE;
}

/* Drive GSI 4 from the interrupt state; only changes reach the line. */
static void uart_update_irq(struct tandem_domain *dom, struct tandem_uart *u)
{
	bool level = uart_iid(u) != IIR_NONE &&
		     (u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;

	if (level != u->irq) {
		u->irq = level;
		tandem_irq_set(dom, UART_GSI, level);
	}
}

/* Caller holds u->lock. */
static void uart_tx_flush(struct tandem_domain *dom, struct tandem_uart *u)
{
	if (u->tx_len) {
		tandem_console_write(dom, u->tx, u->tx_len);
		u->tx_len = 0;
	}
}

/* Queue received bytes; returns how many fit. Caller holds u->lock. */
static size_t uart_rx_push(struct tandem_uart *u, const u8 *buf, size_t len)
{
	size_t n = min_t(size_t, len, TANDEM_CONSOLE_RX_SIZE - u->rx_count);
	size_t i;

	for (i = 0; i < n; i++)
		u->rx[(u->rx_head + u->rx_count + i) % TANDEM_CONSOLE_RX_SIZE] = buf[i];
	u->rx_count += n;
	return n;
}

/* The modem status inputs change to @lines (high nibble): note deltas. */
static void uart_set_msr_lines(struct tandem_uart *u, u8 lines)
{
	u8 old = u->msr & 0xf0, delta = 0;

	if ((old ^ lines) & MSR_CTS)
		delta |= 0x01;
	if ((old ^ lines) & MSR_DSR)
		delta |= 0x02;
	if ((old & MSR_RI) && !(lines & MSR_RI))
		delta |= MSR_TERI;
	if ((old ^ lines) & MSR_DCD)
		delta |= 0x08;
	u->msr = lines | (u->msr & MSR_DELTAS) | delta;
}

static u8 uart_msr_lines(u8 mcr)
{
	u8 lines = 0;

	if (!(mcr & MCR_LOOP))
		return MSR_CTS | MSR_DSR | MSR_DCD;
	if (mcr & MCR_DTR)
		lines |= MSR_DSR;
	if (mcr & MCR_RTS)
		lines |= MSR_CTS;
	if (mcr & MCR_OUT1)
		lines |= MSR_RI;
	if (mcr & MCR_OUT2)
		lines |= MSR_DCD;
	return lines;
}

static void uart_thr_write(struct tandem_domain *dom, struct tandem_uart *u,
			   u8 c)
{
	if (u->mcr & MCR_LOOP) {
		if (!uart_rx_push(u, &c, 1))
			u->lsr_err |= LSR_OE;
	} else {
		u->tx[u->tx_len++] = c;
		if (c == '\n' || u->tx_len == UART_TX_BATCH)
			uart_tx_flush(dom, u);
	}
	/* Sent at once: THR is empty again. */
	u->thri = true;
}

static u64 uart_read(struct tandem_vcpu *vcpu, u64 addr, int size)
{
	struct tandem_domain *dom = vcpu->dom;
	struct tandem_uart *u = dom->uart;
	u8 val = 0xff;

	spin_lock(&u->lock);
	switch (addr - UART_PORT) {
	case UART_RBR_THR:
		if (u->lcr & LCR_DLAB) {
			val = u->dll;
			break;
		}
		val = 0;
		if (u->rx_count) {
			val = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % TANDEM_CONSOLE_RX_SIZE;
			u->rx_count--;
		}
		break;
	case UART_IER:
		val = u->lcr & LCR_DLAB ? u->dlm : u->ier;
		break;
	case UART_IIR_FCR:
		val = uart_iid(u);
		/* Reading IIR while it reports THR empty clears that. */
		if (val == IIR_THRI)
			u->thri = false;
		if (u->fcr & FCR_ENABLE)
			val |= IIR_FIFO;
		break;
	case UART_LCR:
		val = u->lcr;
		break;
	case UART_MCR:
		val = u->mcr;
		break;
	case UART_LSR:
		val = LSR_THRE | LSR_TEMT | u->lsr_err;
		if (u->rx_count)
			val |= LSR_DR;
		if ((u->fcr & FCR_ENABLE) && (u->lsr_err & LSR_ERRORS))
			val |= LSR_FIFOE;
		u->lsr_err = 0;
		break;
	case UART_MSR:
		val = u->msr;
		u->msr &= ~MSR_DELTAS;
		break;
	case UART_SCR:
		val = u->scr;
		break;
	}
	uart_update_irq(dom, u);
	spin_unlock(&u->lock);
	return val;
}

static void uart_write(struct tandem_vcpu *vcpu, u64 addr, int size, u64 v)
{
	struct tandem_domain *dom = vcpu->dom;
	struct tandem_uart *u = dom->uart;
	u8 val = v;

	spin_lock(&u->lock);
	switch (addr - UART_PORT) {
	case UART_RBR_THR:
		if (u->lcr & LCR_DLAB)
			u->dll = val;
		else
			uart_thr_write(dom, u, val);
		break;
	case UART_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = val;
			break;
		}
		/* Enabling the THR-empty interrupt with THR empty raises it. */
		if ((val & IER_ETBEI) && !(u->ier & IER_ETBEI))
			u->thri = true;
		u->ier = val & 0x0f;
		break;
	case UART_IIR_FCR:
		/* Turning the FIFOs on or off empties them. */
		if ((val ^ u->fcr) & FCR_ENABLE)
			val |= FCR_CLEAR_RX | FCR_CLEAR_TX;
		if (val & FCR_CLEAR_RX) {
			u->rx_head = 0;
			u->rx_count = 0;
		}
		u->fcr = val & (FCR_ENABLE | 0xc0);
		break;
	case UART_LCR:
		/* A break sent in loopback is received as one. */
		if ((val & LCR_BREAK) && !(u->lcr & LCR_BREAK) &&
		    (u->mcr & MCR_LOOP)) {
			u8 zero = 0;

			uart_rx_push(u, &zero, 1);
			u->lsr_err |= LSR_BI;
		}
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & 0x1f;
		uart_set_msr_lines(u, uart_msr_lines(u->mcr));
		break;
	case UART_SCR:
		u->scr = val;
		break;
	}
	uart_update_irq(dom, u);
	spin_unlock(&u->lock);
}

/**
 * tandem_uart_receive() - console input for the guest
 * @dom: the domain
 * @buf: bytes
 * @len: their number
 *
 * Queues as much of @buf as the input queue holds, raises the receive
 * interrupt as the guest enabled it, and wakes halted vCPUs.
 *
 * Return: bytes accepted, from the start of @buf.
 */
int tandem_uart_receive(struct tandem_domain *dom, const u8 *buf, size_t len)
{
	struct tandem_uart *u = dom->uart;
	size_t n;

	spin_lock(&u->lock);
	n = uart_rx_push(u, buf, len);
	uart_update_irq(dom, u);
	spin_unlock(&u->lock);
	if (n)
		tandem_domain_wake(dom);
	return n;
}

/**
 * tandem_uart_flush() - move transmitted bytes still batched in the UART
 * into the console ring
 * @dom: the domain
 *
 * Called before the ring is read, and before other output is appended to
 * it so that the order of the guest's output is kept.
 */
void tandem_uart_flush(struct tandem_domain *dom)
{
	struct tandem_uart *u = dom->uart;

	if (!u)
		return;
	spin_lock(&u->lock);
	uart_tx_flush(dom, u);
	spin_unlock(&u->lock);
}

static int uart_create(struct tandem_domain *dom)
{
	struct tandem_uart *u = kzalloc(sizeof(*u), GFP_KERNEL_ACCOUNT);

	if (!u)
		return -ENOMEM;
	spin_lock_init(&u->lock);
	/* After reset: 8N1 is the guest's business; divisor 12 (9600). */
	u->dll = 12;
	u->msr = uart_msr_lines(0);
	dom->uart = u;
	return 0;
}

static void uart_destroy(struct tandem_domain *dom)
{
	kfree(dom->uart);
	dom->uart = NULL;
}

const struct tandem_device tandem_uart_dev = {
	.name = "uart",
	.port = UART_PORT,
	.nports = UART_NPORTS,
	.read = uart_read,
	.write = uart_write,
	.create = uart_create,
	.destroy = uart_destroy,
};
