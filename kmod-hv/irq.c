// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt lines of a domain's platform. This minimal version only
 * records the level each device drives on each GSI; the I/O APIC routes
 * them to the local APICs where the interrupt controllers exist.
 */
#include <linux/bitops.h>

#include "tandem_hv.h"

/**
 * tandem_irq_set() - drive a GSI of @dom high or low
 * @dom: the domain
 * @gsi: the line, below %TANDEM_NR_GSIS (ISA IRQs 0-15 are GSIs 0-15)
 * @level: true while the device asserts it
 *
 * Callable from device handlers (preemption disabled) and from process
 * context; never sleeps.
 */
void tandem_irq_set(struct tandem_domain *dom, unsigned int gsi, bool level)
{
	if (WARN_ON_ONCE(gsi >= TANDEM_NR_GSIS))
		return;
	if (level)
		set_bit(gsi, dom->irq_lines);
	else
		clear_bit(gsi, dom->irq_lines);
}
