// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt lines of a domain's platform: what devices drive, routed to
 * the I/O APIC's inputs as on a PC with the builder's MADT:
 *
 * - ISA IRQ 0 (the PIT) goes to I/O APIC input 2 (the MADT carries an
 *   interrupt source override 0 -> 2, as PC firmware does);
 * - ISA IRQ 2 is the 8259 cascade: not routed;
 * - every other line n (ISA IRQs 1, 3-15, and GSIs 16-23) to input n.
 */
#include <linux/bitops.h>

#include "tandem_hv.h"

/**
 * tandem_irq_set() - drive interrupt line @gsi of @dom high or low
 * @dom: the domain
 * @gsi: the line, below %TANDEM_NR_GSIS (ISA IRQs 0-15 are lines 0-15)
 * @level: true while the device asserts it
 *
 * An edge-triggered input interrupts on a low-to-high change; a
 * level-triggered one while high. Callable from any context, hardirq
 * included (device hrtimers); never sleeps.
 */
void tandem_irq_set(struct tandem_domain *dom, unsigned int gsi, bool level)
{
	if (WARN_ON_ONCE(gsi >= TANDEM_NR_GSIS))
		return;
	if (level)
		set_bit(gsi, dom->irq_lines);
	else
		clear_bit(gsi, dom->irq_lines);
	if (gsi == 2)
		return;
	tandem_ioapic_set(dom, gsi ? gsi : 2, level);
}
