// SPDX-License-Identifier: GPL-2.0
/*
 * Human names for the values of the tandem ABI. The feature names follow
 * the "flags"/"vmx flags" spelling of /proc/cpuinfo where one exists.
 */
#include <stddef.h>

#include "names.h"

const char *const tandem_feature_names[__TANDEM_FEAT_COUNT] = {
	[TANDEM_FEAT_VMX] = "vmx",
	[TANDEM_FEAT_EPT] = "ept",
	[TANDEM_FEAT_VPID] = "vpid",
	[TANDEM_FEAT_UNRESTRICTED_GUEST] = "unrestricted_guest",
	[TANDEM_FEAT_EPT_AD] = "ept_ad",
	[TANDEM_FEAT_EPT_1G] = "ept_1gb",
	[TANDEM_FEAT_PREEMPTION_TIMER] = "preemption_timer",
	[TANDEM_FEAT_POSTED_INTR] = "posted_intr",
	[TANDEM_FEAT_APICV] = "apicv",
	[TANDEM_FEAT_PML] = "pml",
	[TANDEM_FEAT_TSC_SCALING] = "tsc_scaling",
	[TANDEM_FEAT_SVM] = "svm",
	[TANDEM_FEAT_NPT] = "npt",
	[TANDEM_FEAT_NRIP_SAVE] = "nrip_save",
	[TANDEM_FEAT_DECODE_ASSISTS] = "decodeassists",
	[TANDEM_FEAT_FLUSH_BY_ASID] = "flushbyasid",
	[TANDEM_FEAT_VGIF] = "vgif",
	[TANDEM_FEAT_AVIC] = "avic",
	[TANDEM_FEAT_VMCB_CLEAN] = "vmcb_clean",
};

const char *tandem_vendor_name(unsigned int vendor)
{
	switch (vendor) {
	case TANDEM_VENDOR_NONE:
		return "none";
	case TANDEM_VENDOR_INTEL:
		return "intel";
	case TANDEM_VENDOR_AMD:
		return "amd";
	}
	return "unknown";
}
