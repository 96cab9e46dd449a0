// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VMX backend.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": vmx: " fmt

#include <linux/kernel.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/vmx.h>

#include "tandem_hv.h"

/*
 * Capability MSRs report in their high half the controls that may be set
 * to 1 (SDM Vol. 3 A.3, A.3.2, A.3.3), and the EPT/VPID capability MSR
 * its own bit layout (SDM Vol. 3 A.10).
 */
static int vmx_probe(struct tandem_hw_info *info)
{
	u64 pin, proc, proc2 = 0, ept_vpid = 0;

	/* The kernel clears the flag when firmware left VMX disabled. */
	if (!boot_cpu_has(X86_FEATURE_VMX))
		return -ENODEV;

	info->possible = tandem_feat(VMX) | tandem_feat(EPT) |
			 tandem_feat(VPID) | tandem_feat(UNRESTRICTED_GUEST) |
			 tandem_feat(EPT_AD) | tandem_feat(EPT_1G) |
			 tandem_feat(PREEMPTION_TIMER) |
			 tandem_feat(POSTED_INTR) | tandem_feat(APICV) |
			 tandem_feat(PML) | tandem_feat(TSC_SCALING);
	info->required = tandem_feat(VMX) | tandem_feat(EPT) |
			 tandem_feat(UNRESTRICTED_GUEST);
	info->features = tandem_feat(VMX);

	if (rdmsrl_safe(MSR_IA32_VMX_PINBASED_CTLS, &pin) ||
	    rdmsrl_safe(MSR_IA32_VMX_PROCBASED_CTLS, &proc))
		return 0;
	pin >>= 32;
	proc >>= 32;
	if ((proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) &&
	    !rdmsrl_safe(MSR_IA32_VMX_PROCBASED_CTLS2, &proc2))
		proc2 >>= 32;
	else
		proc2 = 0;
	if (proc2 & (SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID))
		rdmsrl_safe(MSR_IA32_VMX_EPT_VPID_CAP, &ept_vpid);

	/* Tandem's EPT uses a 4-level walk with write-back structures. */
	if ((proc2 & SECONDARY_EXEC_ENABLE_EPT) &&
	    (ept_vpid & VMX_EPT_PAGE_WALK_4_BIT) &&
	    (ept_vpid & VMX_EPTP_WB_BIT)) {
		info->features |= tandem_feat(EPT);
		if (ept_vpid & VMX_EPT_AD_BIT)
			info->features |= tandem_feat(EPT_AD);
		if (ept_vpid & VMX_EPT_1GB_PAGE_BIT)
			info->features |= tandem_feat(EPT_1G);
	}
	if (proc2 & SECONDARY_EXEC_ENABLE_VPID) {
		info->features |= tandem_feat(VPID);
		/* VPIDs are 16 bits wide; 0 belongs to the host. */
		info->nr_asids = 0xffff;
	}
	if (proc2 & SECONDARY_EXEC_UNRESTRICTED_GUEST)
		info->features |= tandem_feat(UNRESTRICTED_GUEST);
	if ((proc2 & SECONDARY_EXEC_APIC_REGISTER_VIRT) &&
	    (proc2 & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY))
		info->features |= tandem_feat(APICV);
	if (proc2 & SECONDARY_EXEC_ENABLE_PML)
		info->features |= tandem_feat(PML);
	if (proc2 & SECONDARY_EXEC_TSC_SCALING)
		info->features |= tandem_feat(TSC_SCALING);
	if (pin & PIN_BASED_VMX_PREEMPTION_TIMER)
		info->features |= tandem_feat(PREEMPTION_TIMER);
	if (pin & PIN_BASED_POSTED_INTR)
		info->features |= tandem_feat(POSTED_INTR);
	return 0;
}

const struct tandem_arch_ops tandem_vmx_ops = {
	.name = "vmx",
	.vendor = TANDEM_VENDOR_INTEL,
	.probe = vmx_probe,
};
