// SPDX-License-Identifier: GPL-2.0
/*
 * A panic notification port at 0x505, the interface of QEMU's pvpanic ISA
 * device: the builder describes it in the DSDT as ACPI device QEMU0001,
 * which Linux's pvpanic-mmio driver binds (it takes an I/O port resource
 * too). A read returns the events the host handles: only
 * PVPANIC_PANICKED, so the guest never announces a crash kernel load
 * (PVPANIC_CRASH_LOADED) that would have to let it go on running. A write
 * with PVPANIC_PANICKED set crashes the domain with the reason "guest
 * panic", and the agent decides what follows (on_crash); a write without
 * it is dropped.
 */
#include <uapi/misc/pvpanic.h>

#include "tandem_hv.h"

#define PVPANIC_PORT	0x505

static u64 pvpanic_read(struct tandem_vcpu *vcpu, u64 addr, int size)
{
	return PVPANIC_PANICKED;
}

static void pvpanic_write(struct tandem_vcpu *vcpu, u64 addr, int size,
			  u64 val)
{
	if (val & PVPANIC_PANICKED)
		tandem_vcpu_crash(vcpu, "guest panic (pvpanic) at rip %#llx",
				  vcpu->rip);
}

const struct tandem_device tandem_pvpanic_dev = {
	.name = "pvpanic",
	.port = PVPANIC_PORT,
	.nports = 1,
	.read = pvpanic_read,
	.write = pvpanic_write,
};
