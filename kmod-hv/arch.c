// SPDX-License-Identifier: GPL-2.0
/*
 * Choice of the virtualization backend at module load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cache.h>
#include <linux/module.h>
#include <linux/string.h>
#include <asm/processor.h>

#include "tandem_hv.h"

const struct tandem_arch_ops *tandem_arch __ro_after_init;
struct tandem_hw_info tandem_hw __ro_after_init;

static const struct tandem_arch_ops *const tandem_backends[] = {
	&tandem_vmx_ops,
	&tandem_svm_ops,
};

/**
 * tandem_arch_init() - probe the CPU and pick the VMX or SVM backend
 *
 * Loading succeeds without usable hardware so that `tandem info` can say
 * what is missing; domains then refuse to start.
 *
 * Return: 0 always; the outcome is in &tandem_hw and &tandem_arch.
 */
int tandem_arch_init(void)
{
	const char *model = boot_cpu_data.x86_model_id;
	unsigned int i;

	strscpy(tandem_hw.cpu_model, model[0] ? model : "unknown",
		sizeof(tandem_hw.cpu_model));
	tandem_hw.vendor = TANDEM_VENDOR_NONE;

	for (i = 0; i < ARRAY_SIZE(tandem_backends); i++) {
		const struct tandem_arch_ops *ops = tandem_backends[i];

		if (ops->probe(&tandem_hw))
			continue;
		tandem_arch = ops;
		tandem_hw.vendor = ops->vendor;
		break;
	}

	if (!tandem_arch) {
		pr_info("no VMX or SVM on this CPU (or disabled by firmware); domains cannot run\n");
		return 0;
	}

	if ((tandem_hw.features & tandem_hw.required) != tandem_hw.required)
		pr_warn("%s lacks required features (mask %#llx); domains cannot run, see `tandem info`\n",
			tandem_arch->name,
			tandem_hw.required & ~tandem_hw.features);
	else
		pr_info("%s backend, features %#llx\n", tandem_arch->name,
			tandem_hw.features);
	return 0;
}
