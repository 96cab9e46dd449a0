// SPDX-License-Identifier: GPL-2.0
/*
 * Human names for the values of the tandem ABI. The feature names follow
 * the "flags"/"vmx flags" spelling of /proc/cpuinfo where one exists.
 */
#include <stddef.h>
#include <string.h>

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

/* Lowercase, as the default agent spells them in its denial reasons. */
static const char *const state_names[__TANDEM_STATE_COUNT] = {
	[TANDEM_STATE_NONE] = "none",
	[TANDEM_STATE_CREATED] = "created",
	[TANDEM_STATE_RUNNING] = "running",
	[TANDEM_STATE_PAUSED] = "paused",
	[TANDEM_STATE_SHUTDOWN] = "shutdown",
	[TANDEM_STATE_CRASHED] = "crashed",
	[TANDEM_STATE_DYING] = "dying",
};

static const char *const event_names[__TANDEM_EVENT_COUNT] = {
	[TANDEM_EVENT_DOMAIN_CREATED] = "domain_created",
	[TANDEM_EVENT_DOMAIN_DESTROYED] = "domain_destroyed",
	[TANDEM_EVENT_DOMAIN_STATE] = "domain_state",
	[TANDEM_EVENT_AGENT_REGISTERED] = "agent_registered",
	[TANDEM_EVENT_AGENT_GONE] = "agent_gone",
	[TANDEM_EVENT_VERDICT] = "verdict",
	[TANDEM_EVENT_DOMAIN_CRASHED] = "domain_crashed",
};

static const char *const decision_names[__TANDEM_DECISION_COUNT] = {
	[TANDEM_DECISION_DOMAIN_CREATE] = "domain_create",
	[TANDEM_DECISION_DOMAIN_DESTROY] = "domain_destroy",
	[TANDEM_DECISION_MEM_WRITE] = "mem_write",
	[TANDEM_DECISION_POLICY_SET] = "policy_set",
	[TANDEM_DECISION_POLICY_GET] = "policy_get",
	[TANDEM_DECISION_DOMAIN_START] = "domain_start",
	[TANDEM_DECISION_CRASH] = "crash",
	[TANDEM_DECISION_SHUTDOWN] = "shutdown",
};

static const char *const crash_action_names[] = {
	[TANDEM_CRASH_PRESERVE] = "preserve",
	[TANDEM_CRASH_DESTROY] = "destroy",
	[TANDEM_CRASH_RESTART] = "restart",
};

/* Indices of TANDEM_STATS_A_EXITS. */
static const char *const exit_names[__TANDEM_STAT_EXIT_COUNT] = {
	[TANDEM_STAT_EXIT_OTHER] = "other",
	[TANDEM_STAT_EXIT_HLT] = "hlt",
	[TANDEM_STAT_EXIT_IO] = "io",
	[TANDEM_STAT_EXIT_NPF] = "npf",
	[TANDEM_STAT_EXIT_CPUID] = "cpuid",
	[TANDEM_STAT_EXIT_RDMSR] = "rdmsr",
	[TANDEM_STAT_EXIT_WRMSR] = "wrmsr",
	[TANDEM_STAT_EXIT_HYPERCALL] = "hypercall",
	[TANDEM_STAT_EXIT_VIRT_INSN] = "virt_insn",
	[TANDEM_STAT_EXIT_XSETBV] = "xsetbv",
	[TANDEM_STAT_EXIT_TRIPLE_FAULT] = "triple_fault",
	[TANDEM_STAT_EXIT_EXCEPTION] = "exception",
	[TANDEM_STAT_EXIT_INTR_WINDOW] = "intr_window",
	[TANDEM_STAT_EXIT_FAIL_ENTRY] = "fail_entry",
	[TANDEM_STAT_EXIT_UNHANDLED] = "unhandled",
};

#define NAME_OF(table, v) \
	((v) < sizeof(table) / sizeof(table[0]) ? table[v] : NULL)

const char *tandem_state_name(unsigned int state)
{
	return NAME_OF(state_names, state);
}

const char *tandem_event_name(unsigned int kind)
{
	return NAME_OF(event_names, kind);
}

const char *tandem_decision_name(unsigned int kind)
{
	return NAME_OF(decision_names, kind);
}

const char *tandem_crash_action_name(unsigned int action)
{
	return NAME_OF(crash_action_names, action);
}

const char *tandem_exit_name(unsigned int reason)
{
	return NAME_OF(exit_names, reason);
}

/**
 * tandem_state_by_name() - the state called @name
 *
 * Return: &enum tandem_domain_state, or -1 when no state has that name.
 */
int tandem_state_by_name(const char *name)
{
	int s;

	for (s = 0; s < __TANDEM_STATE_COUNT; s++)
		if (!strcmp(state_names[s], name))
			return s;
	return -1;
}
