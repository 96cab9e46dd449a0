// SPDX-License-Identifier: GPL-2.0
/*
 * AMD SVM backend.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": svm: " fmt

#include <linux/kernel.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/svm.h>

#include "tandem_hv.h"

static int svm_probe(struct tandem_hw_info *info)
{
	u64 vm_cr;

	if (!boot_cpu_has(X86_FEATURE_SVM))
		return -ENODEV;

	/* APM Vol. 2 15.4: firmware may lock SVM off through VM_CR.SVMDIS. */
	if (rdmsrl_safe(MSR_VM_CR, &vm_cr) || (vm_cr & SVM_VM_CR_SVM_DIS_MASK)) {
		pr_info("SVM is disabled by firmware (VM_CR.SVMDIS)\n");
		return -ENODEV;
	}

	info->possible = tandem_feat(SVM) | tandem_feat(NPT) |
			 tandem_feat(NRIP_SAVE) | tandem_feat(DECODE_ASSISTS) |
			 tandem_feat(FLUSH_BY_ASID) | tandem_feat(VGIF) |
			 tandem_feat(AVIC) | tandem_feat(VMCB_CLEAN);
	info->required = tandem_feat(SVM) | tandem_feat(NPT);
	info->features = tandem_feat(SVM);

	if (boot_cpu_has(X86_FEATURE_NPT))
		info->features |= tandem_feat(NPT);
	if (boot_cpu_has(X86_FEATURE_NRIPS))
		info->features |= tandem_feat(NRIP_SAVE);
	if (boot_cpu_has(X86_FEATURE_DECODEASSISTS))
		info->features |= tandem_feat(DECODE_ASSISTS);
	if (boot_cpu_has(X86_FEATURE_FLUSHBYASID))
		info->features |= tandem_feat(FLUSH_BY_ASID);
	if (boot_cpu_has(X86_FEATURE_VGIF))
		info->features |= tandem_feat(VGIF);
	if (boot_cpu_has(X86_FEATURE_AVIC))
		info->features |= tandem_feat(AVIC);
	if (boot_cpu_has(X86_FEATURE_VMCBCLEAN))
		info->features |= tandem_feat(VMCB_CLEAN);

	/* APM Vol. 3 E.4.9: CPUID Fn8000_000A EBX is the number of ASIDs. */
	if (boot_cpu_data.extended_cpuid_level >= SVM_CPUID_FUNC)
		info->nr_asids = cpuid_ebx(SVM_CPUID_FUNC);
	return 0;
}

const struct tandem_arch_ops tandem_svm_ops = {
	.name = "svm",
	.vendor = TANDEM_VENDOR_AMD,
	.probe = svm_probe,
};
