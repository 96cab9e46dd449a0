// SPDX-License-Identifier: GPL-2.0
/*
 * The reset control register at port 0xcf9 (as in Intel's PIIX and ICH
 * chipsets). Bit 1 (system reset) and bit 3 (full reset) are kept and read
 * back; writing bit 2 (reset CPU) resets: the domain shuts down with the
 * reason "reboot". Linux writes 0x02 then 0x06 (0x0e for a full reset).
 * Only byte accesses at 0xcf9 reach it; 0xcf8 and 0xcfc (PCI configuration
 * mechanism 1) stay unclaimed, so guests find no PCI host bridge there.
 */
#include "tandem_hv.h"

#define RESET_PORT	0xcf9
#define RESET_SYS	0x02
#define RESET_CPU	0x04
#define RESET_FULL	0x08

static u64 reset_read(struct tandem_vcpu *vcpu, u64 addr, int size)
{
	return READ_ONCE(vcpu->dom->reset_ctl);
}

static void reset_write(struct tandem_vcpu *vcpu, u64 addr, int size, u64 val)
{
	WRITE_ONCE(vcpu->dom->reset_ctl, val & (RESET_SYS | RESET_FULL));
	if (val & RESET_CPU)
		vcpu->leave = TANDEM_LEAVE_REBOOT;
}

const struct tandem_device tandem_reset_dev = {
	.name = "reset control",
	.port = RESET_PORT,
	.nports = 1,
	.read = reset_read,
	.write = reset_write,
};
