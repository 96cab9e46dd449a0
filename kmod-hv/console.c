// SPDX-License-Identifier: GPL-2.0
/*
 * The console ring of a domain: every byte the guest writes gets the next
 * sequence number; readers ask from a sequence number and learn where to
 * go on, and when the ring overwrote what they missed.
 */
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "tandem_hv.h"

/**
 * tandem_console_init() - allocate the ring of @dom
 * @dom: a new domain
 *
 * Return: 0 or -ENOMEM.
 */
int tandem_console_init(struct tandem_domain *dom)
{
	spin_lock_init(&dom->console_lock);
	dom->console = kvzalloc(TANDEM_CONSOLE_SIZE, GFP_KERNEL_ACCOUNT);
	return dom->console ? 0 : -ENOMEM;
}

/**
 * tandem_console_free() - free the ring of @dom
 * @dom: the domain
 */
void tandem_console_free(struct tandem_domain *dom)
{
	kvfree(dom->console);
	dom->console = NULL;
}

/**
 * tandem_console_write() - append guest output
 * @dom: the domain
 * @buf: bytes
 * @len: their number
 *
 * May be called from the vCPU's atomic section.
 */
void tandem_console_write(struct tandem_domain *dom, const char *buf,
			  size_t len)
{
	unsigned long flags;

	spin_lock_irqsave(&dom->console_lock, flags);
	/* Only the last TANDEM_CONSOLE_SIZE bytes can survive anyway. */
	if (len > TANDEM_CONSOLE_SIZE) {
		buf += len - TANDEM_CONSOLE_SIZE;
		dom->console_seq += len - TANDEM_CONSOLE_SIZE;
		len = TANDEM_CONSOLE_SIZE;
	}
	while (len) {
		size_t off = dom->console_seq % TANDEM_CONSOLE_SIZE;
		size_t n = min_t(size_t, len, TANDEM_CONSOLE_SIZE - off);

		memcpy(dom->console + off, buf, n);
		dom->console_seq += n;
		buf += n;
		len -= n;
	}
	spin_unlock_irqrestore(&dom->console_lock, flags);
}

/**
 * tandem_console_read() - copy console output from sequence number *@seq
 * @dom: the domain
 * @seq: in: first byte wanted; out: first byte returned (later than asked
 *	when the ring overwrote older bytes)
 * @buf: destination
 * @len: its size
 * @next: set to the sequence number after the last byte returned
 *
 * Return: bytes copied.
 */
size_t tandem_console_read(struct tandem_domain *dom, u64 *seq, char *buf,
			   size_t len, u64 *next)
{
	unsigned long flags;
	size_t copied = 0;
	u64 s = *seq, end;

	/* What the UART still batches is output already. */
	tandem_uart_flush(dom);
	spin_lock_irqsave(&dom->console_lock, flags);
	end = dom->console_seq;
	if (end > TANDEM_CONSOLE_SIZE && s < end - TANDEM_CONSOLE_SIZE)
		s = end - TANDEM_CONSOLE_SIZE;
	if (s > end)
		s = end;
	*seq = s;
	while (copied < len && s < end) {
		size_t off = s % TANDEM_CONSOLE_SIZE;
		size_t n = min3((size_t)(end - s), len - copied,
				(size_t)(TANDEM_CONSOLE_SIZE - off));

		memcpy(buf + copied, dom->console + off, n);
		copied += n;
		s += n;
	}
	spin_unlock_irqrestore(&dom->console_lock, flags);
	*next = s;
	return copied;
}
