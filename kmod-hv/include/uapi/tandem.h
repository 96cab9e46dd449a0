/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tandem.h - ABI of the "tandem" generic netlink family
 *
 * This header is the single source of names for every consumer of the
 * family: tandem_hv.ko (which owns it), tandem_policy.ko, the tandem CLI
 * and the selftests. Documentation/netlink/tandem.yaml describes the same
 * ABI; a host test checks that the two agree.
 */
#ifndef _UAPI_LINUX_TANDEM_H
#define _UAPI_LINUX_TANDEM_H

#define TANDEM_GENL_NAME	"tandem"
#define TANDEM_GENL_VERSION	1

/* Bumped on every incompatible change of commands or attributes. */
#define TANDEM_ABI_VERSION	1

/**
 * enum tandem_cmd - commands of the tandem family
 * @TANDEM_CMD_UNSPEC: reserved
 * @TANDEM_CMD_GET_INFO: report the virtualization hardware and versions.
 *	Request: no attributes. Reply: attributes of &enum tandem_info_attr.
 */
enum tandem_cmd {
	TANDEM_CMD_UNSPEC,
	TANDEM_CMD_GET_INFO,

	__TANDEM_CMD_MAX,
};

#define TANDEM_CMD_MAX (__TANDEM_CMD_MAX - 1)

/**
 * enum tandem_vendor - hardware virtualization extension found at load
 * @TANDEM_VENDOR_NONE: neither VMX nor SVM is present
 * @TANDEM_VENDOR_INTEL: Intel VMX
 * @TANDEM_VENDOR_AMD: AMD SVM
 */
enum tandem_vendor {
	TANDEM_VENDOR_NONE,
	TANDEM_VENDOR_INTEL,
	TANDEM_VENDOR_AMD,
};

/**
 * enum tandem_feature - bit numbers of %TANDEM_INFO_A_FEATURES
 * @TANDEM_FEAT_VMX: VMX present and enabled by firmware
 * @TANDEM_FEAT_EPT: extended page tables (4-level walk, write-back)
 * @TANDEM_FEAT_VPID: virtual processor identifiers
 * @TANDEM_FEAT_UNRESTRICTED_GUEST: real mode and unpaged guests run natively
 * @TANDEM_FEAT_EPT_AD: EPT accessed and dirty flags
 * @TANDEM_FEAT_EPT_1G: EPT 1 GiB pages
 * @TANDEM_FEAT_PREEMPTION_TIMER: VMX preemption timer
 * @TANDEM_FEAT_POSTED_INTR: posted interrupts
 * @TANDEM_FEAT_APICV: APIC-register virtualization and virtual interrupt
 *	delivery
 * @TANDEM_FEAT_PML: page-modification logging
 * @TANDEM_FEAT_TSC_SCALING: TSC scaling
 * @TANDEM_FEAT_SVM: SVM present and not disabled by firmware
 * @TANDEM_FEAT_NPT: nested page tables
 * @TANDEM_FEAT_NRIP_SAVE: next-RIP saved on intercepts
 * @TANDEM_FEAT_DECODE_ASSISTS: instruction bytes and operands on intercepts
 * @TANDEM_FEAT_FLUSH_BY_ASID: TLB flush by ASID
 * @TANDEM_FEAT_VGIF: virtual global interrupt flag
 * @TANDEM_FEAT_AVIC: AMD virtual interrupt controller
 * @TANDEM_FEAT_VMCB_CLEAN: VMCB clean bits
 * @__TANDEM_FEAT_COUNT: number of defined bits
 */
enum tandem_feature {
	TANDEM_FEAT_VMX,
	TANDEM_FEAT_EPT,
	TANDEM_FEAT_VPID,
	TANDEM_FEAT_UNRESTRICTED_GUEST,
	TANDEM_FEAT_EPT_AD,
	TANDEM_FEAT_EPT_1G,
	TANDEM_FEAT_PREEMPTION_TIMER,
	TANDEM_FEAT_POSTED_INTR,
	TANDEM_FEAT_APICV,
	TANDEM_FEAT_PML,
	TANDEM_FEAT_TSC_SCALING,
	TANDEM_FEAT_SVM,
	TANDEM_FEAT_NPT,
	TANDEM_FEAT_NRIP_SAVE,
	TANDEM_FEAT_DECODE_ASSISTS,
	TANDEM_FEAT_FLUSH_BY_ASID,
	TANDEM_FEAT_VGIF,
	TANDEM_FEAT_AVIC,
	TANDEM_FEAT_VMCB_CLEAN,

	__TANDEM_FEAT_COUNT,
};

/**
 * enum tandem_info_attr - attributes of a %TANDEM_CMD_GET_INFO reply
 * @TANDEM_INFO_A_UNSPEC: reserved
 * @TANDEM_INFO_A_PAD: padding for 64-bit attributes
 * @TANDEM_INFO_A_VENDOR: u32, &enum tandem_vendor
 * @TANDEM_INFO_A_FEATURES: u64, bit mask of &enum tandem_feature present
 * @TANDEM_INFO_A_MISSING: u64, bit mask of &enum tandem_feature that this
 *	vendor could offer but the CPU lacks
 * @TANDEM_INFO_A_REQUIRED: u64, bit mask of the features domains need
 * @TANDEM_INFO_A_USABLE: u8, 1 when every required feature is present
 * @TANDEM_INFO_A_MODULE_VERSION: string, version of tandem_hv.ko
 * @TANDEM_INFO_A_ABI_VERSION: u32, %TANDEM_ABI_VERSION of the module
 * @TANDEM_INFO_A_NR_ASIDS: u32, VPIDs or ASIDs the hardware offers
 * @TANDEM_INFO_A_CPU_MODEL: string, the CPU's brand string
 */
enum tandem_info_attr {
	TANDEM_INFO_A_UNSPEC,
	TANDEM_INFO_A_PAD,
	TANDEM_INFO_A_VENDOR,
	TANDEM_INFO_A_FEATURES,
	TANDEM_INFO_A_MISSING,
	TANDEM_INFO_A_REQUIRED,
	TANDEM_INFO_A_USABLE,
	TANDEM_INFO_A_MODULE_VERSION,
	TANDEM_INFO_A_ABI_VERSION,
	TANDEM_INFO_A_NR_ASIDS,
	TANDEM_INFO_A_CPU_MODEL,

	__TANDEM_INFO_A_MAX,
};

#define TANDEM_INFO_A_MAX (__TANDEM_INFO_A_MAX - 1)

#endif /* _UAPI_LINUX_TANDEM_H */
