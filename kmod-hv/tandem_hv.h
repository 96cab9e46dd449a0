/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of tandem_hv.ko shared between its files.
 */
#ifndef TANDEM_HV_H
#define TANDEM_HV_H

#include <linux/types.h>
#include <tandem.h>

#define TANDEM_MODULE_VERSION	"0.1.0"

#define tandem_feat(f)		(1ULL << TANDEM_FEAT_##f)

/**
 * struct tandem_hw_info - what the probe found on the boot CPU
 * @vendor: &enum tandem_vendor
 * @features: mask of &enum tandem_feature present and usable
 * @possible: mask of the features this vendor's extension defines
 * @required: mask of the features a domain cannot run without
 * @nr_asids: number of VPIDs or ASIDs the hardware offers (0 if none)
 * @cpu_model: the CPU's brand string
 */
struct tandem_hw_info {
	u32 vendor;
	u64 features;
	u64 possible;
	u64 required;
	u32 nr_asids;
	char cpu_model[64];
};

/**
 * struct tandem_arch_ops - the vendor-neutral face of VMX and SVM
 * @name: short vendor name used in messages ("vmx", "svm")
 * @vendor: &enum tandem_vendor served by this implementation
 * @probe: fill @info with what the boot CPU offers; return 0 when the
 *	extension is present at all (even if features are missing),
 *	-ENODEV when it is absent or disabled by firmware
 *
 * One instance per vendor, chosen once at module load by tandem_arch_init().
 * Later hooks (hardware enable, vCPU create/run, nested paging) are added
 * here; common code never tests the vendor itself.
 */
struct tandem_arch_ops {
	const char *name;
	u32 vendor;
	int (*probe)(struct tandem_hw_info *info);
};

extern const struct tandem_arch_ops tandem_vmx_ops;
extern const struct tandem_arch_ops tandem_svm_ops;

/* The ops and hardware description chosen at load; read-only after init. */
extern const struct tandem_arch_ops *tandem_arch;
extern struct tandem_hw_info tandem_hw;

int tandem_arch_init(void);

int tandem_genl_init(void);
void tandem_genl_exit(void);

#endif /* TANDEM_HV_H */
