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

#include <linux/const.h>
#include <linux/types.h>

#define TANDEM_GENL_NAME	"tandem"
#define TANDEM_GENL_VERSION	1

/* Bumped on every incompatible change of commands or attributes. */
#define TANDEM_ABI_VERSION	1

/**
 * enum tandem_cmd - commands of the tandem family
 * @TANDEM_CMD_UNSPEC: reserved
 * @TANDEM_CMD_GET_INFO: report the virtualization hardware and versions.
 *	Request: no attributes. Reply: &enum tandem_info_attr.
 * @TANDEM_CMD_DOMAIN_CREATE: create a domain (asks the agent, kind
 *	%TANDEM_DECISION_DOMAIN_CREATE). Request: %TANDEM_DOMAIN_A_NAME,
 *	%TANDEM_DOMAIN_A_MEMORY, optional %TANDEM_DOMAIN_A_VCPUS (default 1).
 *	Reply: the new domain, as DOMAIN_GET. Needs CAP_SYS_ADMIN.
 * @TANDEM_CMD_DOMAIN_DESTROY: destroy a domain (asks the agent, kind
 *	%TANDEM_DECISION_DOMAIN_DESTROY). Request: %TANDEM_DOMAIN_A_ID or
 *	%TANDEM_DOMAIN_A_NAME. Needs CAP_SYS_ADMIN.
 * @TANDEM_CMD_DOMAIN_GET: one domain (by %TANDEM_DOMAIN_A_ID or
 *	%TANDEM_DOMAIN_A_NAME), or all of them with NLM_F_DUMP.
 *	Reply: &enum tandem_domain_attr.
 * @TANDEM_CMD_MEM_WRITE: write guest memory (asks the agent, kind
 *	%TANDEM_DECISION_MEM_WRITE, unless an earlier verdict may be reused).
 *	Request: &enum tandem_mem_attr: domain, %TANDEM_MEM_A_GPA,
 *	%TANDEM_MEM_A_DATA. Needs CAP_SYS_ADMIN.
 * @TANDEM_CMD_MEM_READ: read guest memory. Request: domain,
 *	%TANDEM_MEM_A_GPA, %TANDEM_MEM_A_LEN. Reply: %TANDEM_MEM_A_GPA and
 *	%TANDEM_MEM_A_DATA. Needs CAP_SYS_ADMIN.
 * @TANDEM_CMD_AGENT_REGISTER: make the sending socket the policy agent.
 *	Request: optional %TANDEM_AGENT_A_NAME. Fails with EBUSY while
 *	another agent is registered. Needs CAP_SYS_ADMIN.
 * @TANDEM_CMD_AGENT_UNREGISTER: the agent steps down; also happens when
 *	its socket closes. Only the agent's socket may send it.
 * @TANDEM_CMD_DECISION: sent by the mechanism to the agent (unicast),
 *	never accepted from userspace. Attributes: &enum tandem_decision_attr.
 * @TANDEM_CMD_VERDICT: the agent's answer to a DECISION. Attributes:
 *	&enum tandem_verdict_attr. Only the agent's socket may send it.
 * @TANDEM_CMD_POLICY_SET: carry administrator configuration (a
 *	%TANDEM_POLICY_A_CONFIG nest the mechanism does not interpret) to the
 *	agent (kind %TANDEM_DECISION_POLICY_SET). Needs CAP_SYS_ADMIN.
 * @TANDEM_CMD_POLICY_GET: fetch the agent's configuration (kind
 *	%TANDEM_DECISION_POLICY_GET). Reply: %TANDEM_POLICY_A_CONFIG.
 * @TANDEM_CMD_EVENT: notification on a multicast group (&enum
 *	tandem_mcgrp); attributes: &enum tandem_event_attr.
 * @TANDEM_CMD_DOMAIN_START: start the vCPUs of a created domain (asks the
 *	agent, kind %TANDEM_DECISION_DOMAIN_START, which also places them).
 *	Request: %TANDEM_DOMAIN_A_ID or %TANDEM_DOMAIN_A_NAME. Fails with
 *	EBUSY when another hypervisor owns VMX/SVM. Needs CAP_SYS_ADMIN.
 * @TANDEM_CMD_DOMAIN_PAUSE: stop a running domain's vCPUs at an
 *	instruction boundary. Needs CAP_SYS_ADMIN.
 * @TANDEM_CMD_DOMAIN_RESUME: let a paused domain run again.
 *	Needs CAP_SYS_ADMIN.
 * @TANDEM_CMD_VCPU_GET_REGS: read one vCPU's registers. Request:
 *	&enum tandem_vcpu_attr domain and %TANDEM_VCPU_A_VCPU. Reply:
 *	%TANDEM_VCPU_A_REGS. Needs CAP_SYS_ADMIN.
 * @TANDEM_CMD_VCPU_SET_REGS: write one vCPU's registers (domain created
 *	or paused). Request: domain, %TANDEM_VCPU_A_VCPU,
 *	%TANDEM_VCPU_A_REGS. Needs CAP_SYS_ADMIN.
 * @TANDEM_CMD_CONSOLE_READ: read the console ring from a sequence
 *	number. Request: &enum tandem_console_attr domain,
 *	%TANDEM_CONSOLE_A_SEQ. Reply: %TANDEM_CONSOLE_A_DATA (possibly
 *	empty), %TANDEM_CONSOLE_A_SEQ (of the first byte returned: larger
 *	than asked when older bytes were overwritten) and
 *	%TANDEM_CONSOLE_A_NEXT_SEQ.
 * @TANDEM_CMD_CONSOLE_WRITE: console input: queue bytes for the guest's
 *	UART to receive. Request: &enum tandem_console_attr domain,
 *	%TANDEM_CONSOLE_A_DATA (1 to %TANDEM_CONSOLE_WRITE_MAX bytes).
 *	Reply: %TANDEM_CONSOLE_A_ACCEPTED, the bytes queued (fewer than
 *	sent when the %TANDEM_CONSOLE_RX_SIZE-byte input queue is full: the
 *	rest is dropped, the sender retries later). Needs CAP_SYS_ADMIN.
 * @TANDEM_CMD_DEVICE_ATTACH: give a domain a virtio disk or NIC (asks
 *	the agent, kind %TANDEM_DECISION_DEVICE_ATTACH). Request: &enum
 *	tandem_device_attr domain, %TANDEM_DEVICE_A_TYPE and the type's
 *	attributes. Only in state %TANDEM_STATE_CREATED (virtio-mmio has no
 *	hotplug: the builder describes the devices before the guest starts).
 *	Reply: the device as DOMAIN_GET lists it. Needs CAP_SYS_ADMIN.
 * @TANDEM_CMD_DEVICE_DETACH: remove a device. Request: domain,
 *	%TANDEM_DEVICE_A_TYPE and %TANDEM_DEVICE_A_INDEX. Not while the
 *	domain is running or paused. Needs CAP_SYS_ADMIN.
 */
enum tandem_cmd {
	TANDEM_CMD_UNSPEC,
	TANDEM_CMD_GET_INFO,
	TANDEM_CMD_DOMAIN_CREATE,
	TANDEM_CMD_DOMAIN_DESTROY,
	TANDEM_CMD_DOMAIN_GET,
	TANDEM_CMD_MEM_WRITE,
	TANDEM_CMD_MEM_READ,
	TANDEM_CMD_AGENT_REGISTER,
	TANDEM_CMD_AGENT_UNREGISTER,
	TANDEM_CMD_DECISION,
	TANDEM_CMD_VERDICT,
	TANDEM_CMD_POLICY_SET,
	TANDEM_CMD_POLICY_GET,
	TANDEM_CMD_EVENT,
	TANDEM_CMD_DOMAIN_START,
	TANDEM_CMD_DOMAIN_PAUSE,
	TANDEM_CMD_DOMAIN_RESUME,
	TANDEM_CMD_VCPU_GET_REGS,
	TANDEM_CMD_VCPU_SET_REGS,
	TANDEM_CMD_CONSOLE_READ,
	TANDEM_CMD_CONSOLE_WRITE,
	TANDEM_CMD_DEVICE_ATTACH,
	TANDEM_CMD_DEVICE_DETACH,

	__TANDEM_CMD_MAX,
};

#define TANDEM_CMD_MAX (__TANDEM_CMD_MAX - 1)

/**
 * enum tandem_mcgrp - multicast groups of the family, by index
 * @TANDEM_MCGRP_EVENTS: domain created, destroyed, state changes, agent
 *	registered or gone ("events")
 * @TANDEM_MCGRP_AUDIT: one record per decision and its verdict ("audit")
 */
enum tandem_mcgrp {
	TANDEM_MCGRP_EVENTS,
	TANDEM_MCGRP_AUDIT,
};

#define TANDEM_MCGRP_EVENTS_NAME	"events"
#define TANDEM_MCGRP_AUDIT_NAME		"audit"

/* Limits of the ABI. */
#define TANDEM_NAME_MAX		32	/* domain and agent names, with NUL */
#define TANDEM_REASON_MAX	128	/* verdict reasons, with NUL */
#define TANDEM_MEM_CHUNK_MAX	32768	/* bytes per MEM_WRITE / MEM_READ */
#define TANDEM_MEM_MAX		_BITULL(40)	/* absolute domain size cap */
#define TANDEM_MAX_VCPUS	64	/* vCPUs per domain */
#define TANDEM_CONSOLE_SIZE	65536	/* bytes kept in a console ring */
#define TANDEM_PATH_MAX		4096	/* disk paths, with NUL */
#define TANDEM_SERIAL_MAX	21	/* disk serials (GET_ID), with NUL */
#define TANDEM_IFNAME_MAX	16	/* host netdev names, with NUL */

/*
 * Virtio-mmio windows: device slot n (0 to %TANDEM_VIRTIO_SLOTS - 1) has
 * its registers at %TANDEM_VIRTIO_MMIO_BASE + n * %TANDEM_VIRTIO_MMIO_STRIDE
 * and raises GSI %TANDEM_VIRTIO_GSI_BASE + n, level-triggered, active high,
 * on the I/O APIC. The builder describes attached devices to the guest.
 */
#define TANDEM_VIRTIO_MMIO_BASE		0xfef00000ULL
#define TANDEM_VIRTIO_MMIO_STRIDE	0x1000
#define TANDEM_VIRTIO_SLOTS		8
#define TANDEM_VIRTIO_GSI_BASE		16
#define TANDEM_CONSOLE_CHUNK	4096	/* bytes per CONSOLE_READ reply */
#define TANDEM_CONSOLE_WRITE_MAX 1024	/* bytes per CONSOLE_WRITE request */
#define TANDEM_CONSOLE_RX_SIZE	4096	/* console input queued per domain */
#define TANDEM_CPULIST_MAX	128	/* a CPU list ("0-1,3"), with NUL */

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
 * @TANDEM_INFO_A_NR_DOMAINS: u32, domains that exist now
 * @TANDEM_INFO_A_GUEST_MEMORY: u64, bytes of host memory held as guest RAM
 * @TANDEM_INFO_A_AGENT_NAME: string, the registered policy agent (absent
 *	when there is none)
 * @TANDEM_INFO_A_PT_PAGES: u64, pages held as nested page tables (EPT or
 *	NPT) by all started domains
 * @TANDEM_INFO_A_ASIDS_IN_USE: u32, VMX: VPIDs allocated to vCPUs; SVM:
 *	vCPUs holding a VMCB (ASIDs themselves are recycled per host CPU)
 * @TANDEM_INFO_A_VCPU_THREADS: u32, vCPU kernel threads alive
 * @TANDEM_INFO_A_HW_USERS: u32, started domains holding VMX/SVM on; 0
 *	when tandem_hv has VMX/SVM switched off on every CPU
 * @TANDEM_INFO_A_IMAGE_PAGES: u64, pages held as copies of what the
 *	builders loaded, for restarts (started domains only)
 * @TANDEM_INFO_A_TSC_KHZ: u32, the rate of the guests' TSCs in kHz (the
 *	host's: guest TSCs are offset, never scaled); 0 when unknown
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
	TANDEM_INFO_A_NR_DOMAINS,
	TANDEM_INFO_A_GUEST_MEMORY,
	TANDEM_INFO_A_AGENT_NAME,
	TANDEM_INFO_A_PT_PAGES,
	TANDEM_INFO_A_ASIDS_IN_USE,
	TANDEM_INFO_A_VCPU_THREADS,
	TANDEM_INFO_A_HW_USERS,
	TANDEM_INFO_A_IMAGE_PAGES,
	TANDEM_INFO_A_TSC_KHZ,

	__TANDEM_INFO_A_MAX,
};

#define TANDEM_INFO_A_MAX (__TANDEM_INFO_A_MAX - 1)

/**
 * enum tandem_domain_state - life cycle of a domain
 * @TANDEM_STATE_NONE: reserved
 * @TANDEM_STATE_CREATED: memory allocated, never started
 * @TANDEM_STATE_RUNNING: vCPUs are running
 * @TANDEM_STATE_PAUSED: vCPUs are stopped, state kept
 * @TANDEM_STATE_SHUTDOWN: the guest powered off
 * @TANDEM_STATE_CRASHED: the guest crashed and is kept for inspection
 * @TANDEM_STATE_DYING: being destroyed
 */
enum tandem_domain_state {
	TANDEM_STATE_NONE,
	TANDEM_STATE_CREATED,
	TANDEM_STATE_RUNNING,
	TANDEM_STATE_PAUSED,
	TANDEM_STATE_SHUTDOWN,
	TANDEM_STATE_CRASHED,
	TANDEM_STATE_DYING,

	__TANDEM_STATE_COUNT,
};

/**
 * enum tandem_domain_attr - attributes of a domain
 * @TANDEM_DOMAIN_A_UNSPEC: reserved
 * @TANDEM_DOMAIN_A_PAD: padding for 64-bit attributes
 * @TANDEM_DOMAIN_A_ID: u32, domid; never reused while the module is loaded
 * @TANDEM_DOMAIN_A_NAME: string, 1 to %TANDEM_NAME_MAX - 1 characters of
 *	[A-Za-z0-9_.-], starting with a letter or digit; unique
 * @TANDEM_DOMAIN_A_STATE: u32, &enum tandem_domain_state (reply only)
 * @TANDEM_DOMAIN_A_MEMORY: u64, bytes of guest RAM, a multiple of 4 KiB
 *	(in a create request: what is asked; in replies: what was granted)
 * @TANDEM_DOMAIN_A_VCPUS: u32, number of vCPUs, 1 to 64
 * @TANDEM_DOMAIN_A_CREATED_NS: u64, creation time, CLOCK_REALTIME in ns
 *	(reply only)
 * @TANDEM_DOMAIN_A_OWNER_UID: u32, uid of the creator (reply only)
 * @TANDEM_DOMAIN_A_CHUNKS_2M: u32, RAM backed by 2 MiB host pages (count)
 * @TANDEM_DOMAIN_A_PAGES_4K: u32, RAM backed by 4 KiB host pages (count)
 * @TANDEM_DOMAIN_A_VCPU_STATS: nested, one %TANDEM_STATS_A_VCPU nest per
 *	vCPU, each of &enum tandem_stats_attr (reply only)
 * @TANDEM_DOMAIN_A_CRASH_REASON: string, why the domain crashed last
 * @TANDEM_DOMAIN_A_RESTARTS: u32, restarts after crashes so far
 * @TANDEM_DOMAIN_A_UNHANDLED_IO: u64, accesses to ports and MMIO that no
 *	device claims (reads return all-ones, writes are dropped)
 * @TANDEM_DOMAIN_A_CPUMASK: binary, host CPUs the vCPUs may run on, as
 *	granted by the agent (bitmap of u64 words)
 * @TANDEM_DOMAIN_A_WEIGHT: u32, scheduling weight granted by the agent
 * @TANDEM_DOMAIN_A_CAP: u32, CPU cap in percent of one CPU per vCPU (0: none)
 * @TANDEM_DOMAIN_A_UNHANDLED_MMIO: u64, the MMIO part of
 *	%TANDEM_DOMAIN_A_UNHANDLED_IO (accesses to the platform MMIO hole
 *	that no device claims)
 * @TANDEM_DOMAIN_A_SHUTDOWN_REASON: u32, &enum tandem_shutdown_reason
 *	(reply only, present in state %TANDEM_STATE_SHUTDOWN)
 * @TANDEM_DOMAIN_A_ON_POWEROFF: u32, &enum tandem_crash_action the domain's
 *	configuration asks for when the guest powers off (create; absent:
 *	no wish). The agent decides; it sees the wish in the SHUTDOWN decision.
 * @TANDEM_DOMAIN_A_ON_REBOOT: u32, likewise for a guest reboot
 * @TANDEM_DOMAIN_A_ON_CRASH: u32, likewise for a crash (the CRASH decision)
 * @TANDEM_DOMAIN_A_DEVICES: nested, one %TANDEM_DEVICE_A_DEVICE nest per
 *	attached device, each of &enum tandem_device_attr (reply only)
 */
enum tandem_domain_attr {
	TANDEM_DOMAIN_A_UNSPEC,
	TANDEM_DOMAIN_A_PAD,
	TANDEM_DOMAIN_A_ID,
	TANDEM_DOMAIN_A_NAME,
	TANDEM_DOMAIN_A_STATE,
	TANDEM_DOMAIN_A_MEMORY,
	TANDEM_DOMAIN_A_VCPUS,
	TANDEM_DOMAIN_A_CREATED_NS,
	TANDEM_DOMAIN_A_OWNER_UID,
	TANDEM_DOMAIN_A_CHUNKS_2M,
	TANDEM_DOMAIN_A_PAGES_4K,
	TANDEM_DOMAIN_A_VCPU_STATS,
	TANDEM_DOMAIN_A_CRASH_REASON,
	TANDEM_DOMAIN_A_RESTARTS,
	TANDEM_DOMAIN_A_UNHANDLED_IO,
	TANDEM_DOMAIN_A_CPUMASK,
	TANDEM_DOMAIN_A_WEIGHT,
	TANDEM_DOMAIN_A_CAP,
	TANDEM_DOMAIN_A_UNHANDLED_MMIO,
	TANDEM_DOMAIN_A_SHUTDOWN_REASON,
	TANDEM_DOMAIN_A_ON_POWEROFF,
	TANDEM_DOMAIN_A_ON_REBOOT,
	TANDEM_DOMAIN_A_ON_CRASH,
	TANDEM_DOMAIN_A_DEVICES,

	__TANDEM_DOMAIN_A_MAX,
};

#define TANDEM_DOMAIN_A_MAX (__TANDEM_DOMAIN_A_MAX - 1)

/**
 * enum tandem_shutdown_reason - why a domain reached %TANDEM_STATE_SHUTDOWN
 * @TANDEM_SHUTDOWN_NONE: reserved (not shut down)
 * @TANDEM_SHUTDOWN_POWEROFF: the guest powered off (ACPI S5 through
 *	PM1a_CNT, or %TANDEM_HC_SHUTDOWN)
 * @TANDEM_SHUTDOWN_REBOOT: the guest asked for a reset (i8042 command
 *	0xfe, port 0xcf9, or %TANDEM_HC_REBOOT)
 */
enum tandem_shutdown_reason {
	TANDEM_SHUTDOWN_NONE,
	TANDEM_SHUTDOWN_POWEROFF,
	TANDEM_SHUTDOWN_REBOOT,

	__TANDEM_SHUTDOWN_COUNT,
};

/**
 * enum tandem_mem_attr - attributes of MEM_WRITE and MEM_READ
 * @TANDEM_MEM_A_UNSPEC: reserved
 * @TANDEM_MEM_A_PAD: padding for 64-bit attributes
 * @TANDEM_MEM_A_DOMAIN_ID: u32, the domain (or %TANDEM_MEM_A_DOMAIN_NAME)
 * @TANDEM_MEM_A_DOMAIN_NAME: string, the domain
 * @TANDEM_MEM_A_GPA: u64, guest-physical address of the first byte
 * @TANDEM_MEM_A_DATA: binary, 1 to %TANDEM_MEM_CHUNK_MAX bytes
 * @TANDEM_MEM_A_LEN: u32, bytes to read, 1 to %TANDEM_MEM_CHUNK_MAX
 *
 * The whole range must lie inside the domain's RAM, or nothing is written
 * and the request fails with ERANGE.
 */
enum tandem_mem_attr {
	TANDEM_MEM_A_UNSPEC,
	TANDEM_MEM_A_PAD,
	TANDEM_MEM_A_DOMAIN_ID,
	TANDEM_MEM_A_DOMAIN_NAME,
	TANDEM_MEM_A_GPA,
	TANDEM_MEM_A_DATA,
	TANDEM_MEM_A_LEN,

	__TANDEM_MEM_A_MAX,
};

#define TANDEM_MEM_A_MAX (__TANDEM_MEM_A_MAX - 1)

/**
 * enum tandem_agent_attr - attributes of AGENT_REGISTER / UNREGISTER
 * @TANDEM_AGENT_A_UNSPEC: reserved
 * @TANDEM_AGENT_A_NAME: string, the agent's name for audit records
 */
enum tandem_agent_attr {
	TANDEM_AGENT_A_UNSPEC,
	TANDEM_AGENT_A_NAME,

	__TANDEM_AGENT_A_MAX,
};

#define TANDEM_AGENT_A_MAX (__TANDEM_AGENT_A_MAX - 1)

/**
 * enum tandem_decision_kind - the questions the mechanism asks
 * @TANDEM_DECISION_NONE: reserved
 * @TANDEM_DECISION_DOMAIN_CREATE: may this domain be created, with how
 *	much memory (the verdict may grant less, never more)
 * @TANDEM_DECISION_DOMAIN_DESTROY: may this domain be destroyed
 * @TANDEM_DECISION_MEM_WRITE: may memory of this domain be written now
 * @TANDEM_DECISION_POLICY_SET: apply this configuration (the verdict's
 *	reason explains a refusal)
 * @TANDEM_DECISION_POLICY_GET: report the configuration (in the verdict's
 *	%TANDEM_VERDICT_A_POLICY)
 * @TANDEM_DECISION_DOMAIN_START: may this domain start, and where: the
 *	verdict's %TANDEM_VERDICT_A_CPUMASK, _WEIGHT and _CAP place it
 * @TANDEM_DECISION_CRASH: the domain crashed (%TANDEM_DECISION_A_REASON):
 *	what now (%TANDEM_VERDICT_A_ACTION). No requester waits on it; with
 *	no agent or no answer the domain is preserved.
 * @TANDEM_DECISION_SHUTDOWN: the guest powered off or asked for a reboot
 *	(%TANDEM_DECISION_A_SHUTDOWN_REASON, with the domain's wish in
 *	%TANDEM_DECISION_A_WISH when it has one): what now
 *	(%TANDEM_VERDICT_A_ACTION). No requester waits on it; with no agent,
 *	no answer or a denial the domain stays shut down.
 * @TANDEM_DECISION_DEVICE_ATTACH: may this device be attached: a disk
 *	(%TANDEM_DECISION_A_DEVICE_TYPE, the path the mechanism opened,
 *	resolved, in %TANDEM_DECISION_A_PATH, %TANDEM_DECISION_A_READ_ONLY)
 *	or a NIC (%TANDEM_DECISION_A_IFNAME), with the domain's device
 *	counts in %TANDEM_DECISION_A_NR_DISKS and %TANDEM_DECISION_A_NR_NICS
 */
enum tandem_decision_kind {
	TANDEM_DECISION_NONE,
	TANDEM_DECISION_DOMAIN_CREATE,
	TANDEM_DECISION_DOMAIN_DESTROY,
	TANDEM_DECISION_MEM_WRITE,
	TANDEM_DECISION_POLICY_SET,
	TANDEM_DECISION_POLICY_GET,
	TANDEM_DECISION_DOMAIN_START,
	TANDEM_DECISION_CRASH,
	TANDEM_DECISION_SHUTDOWN,
	TANDEM_DECISION_DEVICE_ATTACH,

	__TANDEM_DECISION_COUNT,
};

/**
 * enum tandem_decision_attr - attributes of a DECISION (mechanism to agent)
 * @TANDEM_DECISION_A_UNSPEC: reserved
 * @TANDEM_DECISION_A_PAD: padding for 64-bit attributes
 * @TANDEM_DECISION_A_COOKIE: u32, to be echoed in the verdict
 * @TANDEM_DECISION_A_KIND: u32, &enum tandem_decision_kind
 * @TANDEM_DECISION_A_DOMAIN_ID: u32, the domain concerned (0 for create)
 * @TANDEM_DECISION_A_DOMAIN_NAME: string
 * @TANDEM_DECISION_A_DOMAIN_STATE: u32, &enum tandem_domain_state
 * @TANDEM_DECISION_A_MEMORY: u64, memory asked for (create) or owned
 * @TANDEM_DECISION_A_VCPUS: u32
 * @TANDEM_DECISION_A_GPA: u64, first byte of a memory write
 * @TANDEM_DECISION_A_LEN: u32, length of a memory write
 * @TANDEM_DECISION_A_UID: u32, uid of the requester
 * @TANDEM_DECISION_A_PID: u32, tgid of the requester (0 if unknown)
 * @TANDEM_DECISION_A_NR_DOMAINS: u32, domains that exist now
 * @TANDEM_DECISION_A_TOTAL_MEMORY: u64, memory all domains own now
 * @TANDEM_DECISION_A_POLICY: nested, the configuration (POLICY_SET)
 * @TANDEM_DECISION_A_TIMEOUT_MS: u32, how long the mechanism waits
 * @TANDEM_DECISION_A_REASON: string, why the domain crashed (CRASH)
 * @TANDEM_DECISION_A_RESTARTS: u32, restarts after crashes so far (CRASH)
 * @TANDEM_DECISION_A_NR_CPUS: u32, host CPUs online (START)
 * @TANDEM_DECISION_A_SHUTDOWN_REASON: u32, &enum tandem_shutdown_reason
 *	(SHUTDOWN)
 * @TANDEM_DECISION_A_WISH: u32, &enum tandem_crash_action the domain's
 *	configuration asks for (SHUTDOWN, CRASH; absent when it asks for
 *	nothing)
 * @TANDEM_DECISION_A_DEVICE_TYPE: u32, &enum tandem_device_type
 *	(DEVICE_ATTACH)
 * @TANDEM_DECISION_A_PATH: string, a disk's backing file or block device,
 *	as the kernel resolved it after opening (no symlinks, no "..")
 * @TANDEM_DECISION_A_READ_ONLY: u8, 1 for a read-only disk
 * @TANDEM_DECISION_A_IFNAME: string, the host netdev name of a NIC
 * @TANDEM_DECISION_A_NR_DISKS: u32, disks the domain has now
 * @TANDEM_DECISION_A_NR_NICS: u32, NICs the domain has now
 */
enum tandem_decision_attr {
	TANDEM_DECISION_A_UNSPEC,
	TANDEM_DECISION_A_PAD,
	TANDEM_DECISION_A_COOKIE,
	TANDEM_DECISION_A_KIND,
	TANDEM_DECISION_A_DOMAIN_ID,
	TANDEM_DECISION_A_DOMAIN_NAME,
	TANDEM_DECISION_A_DOMAIN_STATE,
	TANDEM_DECISION_A_MEMORY,
	TANDEM_DECISION_A_VCPUS,
	TANDEM_DECISION_A_GPA,
	TANDEM_DECISION_A_LEN,
	TANDEM_DECISION_A_UID,
	TANDEM_DECISION_A_PID,
	TANDEM_DECISION_A_NR_DOMAINS,
	TANDEM_DECISION_A_TOTAL_MEMORY,
	TANDEM_DECISION_A_POLICY,
	TANDEM_DECISION_A_TIMEOUT_MS,
	TANDEM_DECISION_A_REASON,
	TANDEM_DECISION_A_RESTARTS,
	TANDEM_DECISION_A_NR_CPUS,
	TANDEM_DECISION_A_SHUTDOWN_REASON,
	TANDEM_DECISION_A_WISH,
	TANDEM_DECISION_A_DEVICE_TYPE,
	TANDEM_DECISION_A_PATH,
	TANDEM_DECISION_A_READ_ONLY,
	TANDEM_DECISION_A_IFNAME,
	TANDEM_DECISION_A_NR_DISKS,
	TANDEM_DECISION_A_NR_NICS,

	__TANDEM_DECISION_A_MAX,
};

#define TANDEM_DECISION_A_MAX (__TANDEM_DECISION_A_MAX - 1)

/**
 * enum tandem_verdict_attr - attributes of a VERDICT (agent to mechanism)
 * @TANDEM_VERDICT_A_UNSPEC: reserved
 * @TANDEM_VERDICT_A_PAD: padding for 64-bit attributes
 * @TANDEM_VERDICT_A_COOKIE: u32, the decision's cookie
 * @TANDEM_VERDICT_A_ALLOW: u8, 1 allow, 0 deny
 * @TANDEM_VERDICT_A_REASON: string, why (shown to the requester on deny)
 * @TANDEM_VERDICT_A_MEMORY: u64, memory granted on create (at most what
 *	was asked; absent means all of it)
 * @TANDEM_VERDICT_A_POLICY: nested, the configuration (POLICY_GET)
 * @TANDEM_VERDICT_A_REUSE: flag; on MEM_WRITE, the same answer holds for
 *	this domain until its state changes or a POLICY_SET is accepted
 * @TANDEM_VERDICT_A_CPUMASK: binary, START: host CPUs the vCPUs may use
 *	(bitmap of u64 words; absent: all)
 * @TANDEM_VERDICT_A_WEIGHT: u32, START: 1 to 65535, default 256
 * @TANDEM_VERDICT_A_CAP: u32, START: percent of one CPU each vCPU may use
 *	per period, 1 to 100; 0 or absent: no cap
 * @TANDEM_VERDICT_A_ACTION: u32, CRASH and SHUTDOWN: &enum
 *	tandem_crash_action (absent: preserve)
 */
enum tandem_verdict_attr {
	TANDEM_VERDICT_A_UNSPEC,
	TANDEM_VERDICT_A_PAD,
	TANDEM_VERDICT_A_COOKIE,
	TANDEM_VERDICT_A_ALLOW,
	TANDEM_VERDICT_A_REASON,
	TANDEM_VERDICT_A_MEMORY,
	TANDEM_VERDICT_A_POLICY,
	TANDEM_VERDICT_A_REUSE,
	TANDEM_VERDICT_A_CPUMASK,
	TANDEM_VERDICT_A_WEIGHT,
	TANDEM_VERDICT_A_CAP,
	TANDEM_VERDICT_A_ACTION,

	__TANDEM_VERDICT_A_MAX,
};

#define TANDEM_VERDICT_A_MAX (__TANDEM_VERDICT_A_MAX - 1)

/**
 * enum tandem_crash_action - what happens to a domain that crashed, powered
 *	off or asked for a reboot
 * @TANDEM_CRASH_PRESERVE: keep it, stopped, with its memory, for inspection
 * @TANDEM_CRASH_DESTROY: destroy it
 * @TANDEM_CRASH_RESTART: start it again as it was first started: the
 *	initial vCPU state, and RAM as the builder left it before the first
 *	start (zero except what MEM_WRITE put there)
 */
enum tandem_crash_action {
	TANDEM_CRASH_PRESERVE,
	TANDEM_CRASH_DESTROY,
	TANDEM_CRASH_RESTART,
};

/**
 * enum tandem_vcpu_attr - VCPU_GET_REGS and VCPU_SET_REGS
 * @TANDEM_VCPU_A_UNSPEC: reserved
 * @TANDEM_VCPU_A_DOMAIN_ID: u32, the domain (or %TANDEM_VCPU_A_DOMAIN_NAME)
 * @TANDEM_VCPU_A_DOMAIN_NAME: string, the domain
 * @TANDEM_VCPU_A_VCPU: u32, vCPU index (default 0)
 * @TANDEM_VCPU_A_REGS: binary, exactly a &struct tandem_vcpu_regs
 */
enum tandem_vcpu_attr {
	TANDEM_VCPU_A_UNSPEC,
	TANDEM_VCPU_A_DOMAIN_ID,
	TANDEM_VCPU_A_DOMAIN_NAME,
	TANDEM_VCPU_A_VCPU,
	TANDEM_VCPU_A_REGS,

	__TANDEM_VCPU_A_MAX,
};

#define TANDEM_VCPU_A_MAX (__TANDEM_VCPU_A_MAX - 1)

/**
 * enum tandem_console_attr - CONSOLE_READ and CONSOLE_WRITE
 * @TANDEM_CONSOLE_A_UNSPEC: reserved
 * @TANDEM_CONSOLE_A_PAD: padding for 64-bit attributes
 * @TANDEM_CONSOLE_A_DOMAIN_ID: u32, the domain (or
 *	%TANDEM_CONSOLE_A_DOMAIN_NAME)
 * @TANDEM_CONSOLE_A_DOMAIN_NAME: string, the domain
 * @TANDEM_CONSOLE_A_SEQ: u64, sequence number of the first byte wanted
 *	(request) or returned (reply); byte N of the console has sequence N
 * @TANDEM_CONSOLE_A_DATA: binary, up to %TANDEM_CONSOLE_CHUNK bytes of
 *	output (CONSOLE_READ reply), or 1 to %TANDEM_CONSOLE_WRITE_MAX bytes
 *	of input (CONSOLE_WRITE request)
 * @TANDEM_CONSOLE_A_NEXT_SEQ: u64, sequence number after the last byte
 *	returned: ask from there next time
 * @TANDEM_CONSOLE_A_ACCEPTED: u32, CONSOLE_WRITE reply: bytes of
 *	%TANDEM_CONSOLE_A_DATA queued, from its start
 */
enum tandem_console_attr {
	TANDEM_CONSOLE_A_UNSPEC,
	TANDEM_CONSOLE_A_PAD,
	TANDEM_CONSOLE_A_DOMAIN_ID,
	TANDEM_CONSOLE_A_DOMAIN_NAME,
	TANDEM_CONSOLE_A_SEQ,
	TANDEM_CONSOLE_A_DATA,
	TANDEM_CONSOLE_A_NEXT_SEQ,
	TANDEM_CONSOLE_A_ACCEPTED,

	__TANDEM_CONSOLE_A_MAX,
};

#define TANDEM_CONSOLE_A_MAX (__TANDEM_CONSOLE_A_MAX - 1)

/**
 * enum tandem_exit_stat - indices of %TANDEM_STATS_A_EXITS
 * @TANDEM_STAT_EXIT_OTHER: host interrupts, NMIs, timers
 * @TANDEM_STAT_EXIT_HLT: HLT
 * @TANDEM_STAT_EXIT_IO: port I/O
 * @TANDEM_STAT_EXIT_NPF: nested page faults (MMIO)
 * @TANDEM_STAT_EXIT_CPUID: CPUID
 * @TANDEM_STAT_EXIT_RDMSR: RDMSR
 * @TANDEM_STAT_EXIT_WRMSR: WRMSR
 * @TANDEM_STAT_EXIT_HYPERCALL: VMCALL/VMMCALL
 * @TANDEM_STAT_EXIT_VIRT_INSN: VMX/SVM instructions
 * @TANDEM_STAT_EXIT_XSETBV: XSETBV
 * @TANDEM_STAT_EXIT_TRIPLE_FAULT: triple faults
 * @TANDEM_STAT_EXIT_EXCEPTION: intercepted exceptions
 * @TANDEM_STAT_EXIT_INTR_WINDOW: interrupt windows
 * @TANDEM_STAT_EXIT_FAIL_ENTRY: failed entries
 * @TANDEM_STAT_EXIT_UNHANDLED: anything else
 * @__TANDEM_STAT_EXIT_COUNT: number of counters
 */
enum tandem_exit_stat {
	TANDEM_STAT_EXIT_OTHER,
	TANDEM_STAT_EXIT_HLT,
	TANDEM_STAT_EXIT_IO,
	TANDEM_STAT_EXIT_NPF,
	TANDEM_STAT_EXIT_CPUID,
	TANDEM_STAT_EXIT_RDMSR,
	TANDEM_STAT_EXIT_WRMSR,
	TANDEM_STAT_EXIT_HYPERCALL,
	TANDEM_STAT_EXIT_VIRT_INSN,
	TANDEM_STAT_EXIT_XSETBV,
	TANDEM_STAT_EXIT_TRIPLE_FAULT,
	TANDEM_STAT_EXIT_EXCEPTION,
	TANDEM_STAT_EXIT_INTR_WINDOW,
	TANDEM_STAT_EXIT_FAIL_ENTRY,
	TANDEM_STAT_EXIT_UNHANDLED,

	__TANDEM_STAT_EXIT_COUNT,
};

/**
 * enum tandem_stats_attr - statistics of one vCPU
 * @TANDEM_STATS_A_UNSPEC: reserved
 * @TANDEM_STATS_A_PAD: padding for 64-bit attributes
 * @TANDEM_STATS_A_VCPU: nested, the container of one vCPU's statistics
 * @TANDEM_STATS_A_ID: u32, vCPU index
 * @TANDEM_STATS_A_RUN_NS: u64, time spent in the guest
 * @TANDEM_STATS_A_HALT_NS: u64, time spent halted
 * @TANDEM_STATS_A_EXITS: binary, u64 per &enum tandem_exit_stat
 * @TANDEM_STATS_A_CPUS: binary, host CPUs it ran on (bitmap of u64 words)
 * @TANDEM_STATS_A_LAST_CPU: u32, host CPU it ran on last
 * @TANDEM_STATS_A_IRQS: u64, interrupts injected into it
 */
enum tandem_stats_attr {
	TANDEM_STATS_A_UNSPEC,
	TANDEM_STATS_A_PAD,
	TANDEM_STATS_A_VCPU,
	TANDEM_STATS_A_ID,
	TANDEM_STATS_A_RUN_NS,
	TANDEM_STATS_A_HALT_NS,
	TANDEM_STATS_A_EXITS,
	TANDEM_STATS_A_CPUS,
	TANDEM_STATS_A_LAST_CPU,
	TANDEM_STATS_A_IRQS,

	__TANDEM_STATS_A_MAX,
};

#define TANDEM_STATS_A_MAX (__TANDEM_STATS_A_MAX - 1)

/**
 * enum tandem_policy_attr - POLICY_SET / POLICY_GET
 * @TANDEM_POLICY_A_UNSPEC: reserved
 * @TANDEM_POLICY_A_CONFIG: nested, &enum tandem_pcfg_attr; carried to and
 *	from the agent untouched
 */
enum tandem_policy_attr {
	TANDEM_POLICY_A_UNSPEC,
	TANDEM_POLICY_A_CONFIG,

	__TANDEM_POLICY_A_MAX,
};

#define TANDEM_POLICY_A_MAX (__TANDEM_POLICY_A_MAX - 1)

/**
 * enum tandem_pcfg_attr - configuration of tandem_policy.ko
 * @TANDEM_PCFG_A_UNSPEC: reserved
 * @TANDEM_PCFG_A_PAD: padding for 64-bit attributes
 * @TANDEM_PCFG_A_MAX_DOMAINS: u32, domains that may exist at once
 * @TANDEM_PCFG_A_MAX_MEMORY: u64, bytes of RAM one domain may have
 * @TANDEM_PCFG_A_MAX_VCPUS: u32, vCPUs one domain may have
 * @TANDEM_PCFG_A_MEMORY_POOL: u64, bytes of RAM all domains may have
 * @TANDEM_PCFG_A_NAME_PATTERN: string, shell glob domain names must match
 * @TANDEM_PCFG_A_MEM_WRITE_STATES: u32, mask of (1 << &enum
 *	tandem_domain_state) in which MEM_WRITE is allowed
 * @TANDEM_PCFG_A_CPUS: string, host CPUs domains start on: "all" or a CPU
 *	list such as "0-1,3" (at most %TANDEM_CPULIST_MAX - 1 characters)
 * @TANDEM_PCFG_A_WEIGHT: u32, scheduling weight domains start with,
 *	1 to 65535 (256: the share of a nice-0 task)
 * @TANDEM_PCFG_A_CAP: u32, percent of one host CPU each vCPU may use,
 *	0 to 100 (0: no cap)
 * @TANDEM_PCFG_A_ON_CRASH: u32, &enum tandem_crash_action for a crash
 * @TANDEM_PCFG_A_MAX_RESTARTS: u32, with on_crash restart: a crash after
 *	this many restarts destroys the domain instead
 * @TANDEM_PCFG_A_ON_POWEROFF: u32, &enum tandem_crash_action when a guest
 *	powers off and its domain states no wish (default: destroy)
 * @TANDEM_PCFG_A_ON_REBOOT: u32, likewise for a reboot (default: restart)
 * @TANDEM_PCFG_A_DISK_DIRS: string, colon-separated directories whose files
 *	and block devices may back disks, read-write or read-only
 * @TANDEM_PCFG_A_DISK_RO_DIRS: string, colon-separated directories whose
 *	files may back read-only disks only
 * @TANDEM_PCFG_A_MAX_DISKS: u32, disks one domain may have
 * @TANDEM_PCFG_A_MAX_NICS: u32, NICs one domain may have
 * @TANDEM_PCFG_A_NIC_NAMES: string, shell glob host netdev names must match
 *
 * This set belongs to the default agent; the mechanism never parses it.
 */
enum tandem_pcfg_attr {
	TANDEM_PCFG_A_UNSPEC,
	TANDEM_PCFG_A_PAD,
	TANDEM_PCFG_A_MAX_DOMAINS,
	TANDEM_PCFG_A_MAX_MEMORY,
	TANDEM_PCFG_A_MAX_VCPUS,
	TANDEM_PCFG_A_MEMORY_POOL,
	TANDEM_PCFG_A_NAME_PATTERN,
	TANDEM_PCFG_A_MEM_WRITE_STATES,
	TANDEM_PCFG_A_CPUS,
	TANDEM_PCFG_A_WEIGHT,
	TANDEM_PCFG_A_CAP,
	TANDEM_PCFG_A_ON_CRASH,
	TANDEM_PCFG_A_MAX_RESTARTS,
	TANDEM_PCFG_A_ON_POWEROFF,
	TANDEM_PCFG_A_ON_REBOOT,
	TANDEM_PCFG_A_DISK_DIRS,
	TANDEM_PCFG_A_DISK_RO_DIRS,
	TANDEM_PCFG_A_MAX_DISKS,
	TANDEM_PCFG_A_MAX_NICS,
	TANDEM_PCFG_A_NIC_NAMES,

	__TANDEM_PCFG_A_MAX,
};

#define TANDEM_PCFG_A_MAX (__TANDEM_PCFG_A_MAX - 1)

/**
 * enum tandem_event_kind - what a %TANDEM_CMD_EVENT reports
 * @TANDEM_EVENT_NONE: reserved
 * @TANDEM_EVENT_DOMAIN_CREATED: a domain now exists (events group)
 * @TANDEM_EVENT_DOMAIN_DESTROYED: a domain is gone (events group)
 * @TANDEM_EVENT_DOMAIN_STATE: a domain changed state (events group)
 * @TANDEM_EVENT_AGENT_REGISTERED: an agent took office (events group)
 * @TANDEM_EVENT_AGENT_GONE: the agent unregistered or its socket closed
 * @TANDEM_EVENT_VERDICT: a decision was made (audit group)
 * @TANDEM_EVENT_DOMAIN_CRASHED: a domain crashed (events group), with
 *	%TANDEM_EVENT_A_REASON and %TANDEM_EVENT_A_REGS of the vCPU at fault,
 *	the action applied and the restarts before this crash
 */
enum tandem_event_kind {
	TANDEM_EVENT_NONE,
	TANDEM_EVENT_DOMAIN_CREATED,
	TANDEM_EVENT_DOMAIN_DESTROYED,
	TANDEM_EVENT_DOMAIN_STATE,
	TANDEM_EVENT_AGENT_REGISTERED,
	TANDEM_EVENT_AGENT_GONE,
	TANDEM_EVENT_VERDICT,
	TANDEM_EVENT_DOMAIN_CRASHED,

	__TANDEM_EVENT_COUNT,
};

/**
 * enum tandem_event_attr - attributes of a %TANDEM_CMD_EVENT
 * @TANDEM_EVENT_A_UNSPEC: reserved
 * @TANDEM_EVENT_A_PAD: padding for 64-bit attributes
 * @TANDEM_EVENT_A_KIND: u32, &enum tandem_event_kind
 * @TANDEM_EVENT_A_TIME_NS: u64, CLOCK_REALTIME in ns
 * @TANDEM_EVENT_A_DOMAIN_ID: u32
 * @TANDEM_EVENT_A_DOMAIN_NAME: string
 * @TANDEM_EVENT_A_STATE: u32, the new &enum tandem_domain_state
 * @TANDEM_EVENT_A_OLD_STATE: u32, the previous state
 * @TANDEM_EVENT_A_DECISION: u32, &enum tandem_decision_kind (audit)
 * @TANDEM_EVENT_A_COOKIE: u32, the decision's cookie (audit)
 * @TANDEM_EVENT_A_ALLOW: u8, the verdict (audit)
 * @TANDEM_EVENT_A_REASON: string, the verdict's reason (audit)
 * @TANDEM_EVENT_A_ERRNO: u32, positive errno the requester got (0: none)
 * @TANDEM_EVENT_A_AGENT_NAME: string, the agent that decided
 * @TANDEM_EVENT_A_AGENT_PORTID: u32, its netlink port
 * @TANDEM_EVENT_A_MEMORY: u64, memory asked for or granted
 * @TANDEM_EVENT_A_VCPU: u32, the vCPU concerned (CRASHED)
 * @TANDEM_EVENT_A_REGS: binary, its &struct tandem_vcpu_regs (CRASHED)
 * @TANDEM_EVENT_A_ACTION: u32, &enum tandem_crash_action applied (CRASHED)
 * @TANDEM_EVENT_A_SHUTDOWN_REASON: u32, &enum tandem_shutdown_reason
 *	(STATE, when the new state is %TANDEM_STATE_SHUTDOWN)
 * @TANDEM_EVENT_A_RESTARTS: u32, restarts of the domain before this crash
 *	(CRASHED)
 */
enum tandem_event_attr {
	TANDEM_EVENT_A_UNSPEC,
	TANDEM_EVENT_A_PAD,
	TANDEM_EVENT_A_KIND,
	TANDEM_EVENT_A_TIME_NS,
	TANDEM_EVENT_A_DOMAIN_ID,
	TANDEM_EVENT_A_DOMAIN_NAME,
	TANDEM_EVENT_A_STATE,
	TANDEM_EVENT_A_OLD_STATE,
	TANDEM_EVENT_A_DECISION,
	TANDEM_EVENT_A_COOKIE,
	TANDEM_EVENT_A_ALLOW,
	TANDEM_EVENT_A_REASON,
	TANDEM_EVENT_A_ERRNO,
	TANDEM_EVENT_A_AGENT_NAME,
	TANDEM_EVENT_A_AGENT_PORTID,
	TANDEM_EVENT_A_MEMORY,
	TANDEM_EVENT_A_VCPU,
	TANDEM_EVENT_A_REGS,
	TANDEM_EVENT_A_ACTION,
	TANDEM_EVENT_A_SHUTDOWN_REASON,
	TANDEM_EVENT_A_RESTARTS,

	__TANDEM_EVENT_A_MAX,
};

#define TANDEM_EVENT_A_MAX (__TANDEM_EVENT_A_MAX - 1)

/**
 * enum tandem_hypercall - functions of VMCALL/VMMCALL, number in RAX
 * @TANDEM_HC_CONSOLE_WRITE: RBX = guest-physical address, RCX = length
 *	(at most 4096): append to the console; RAX = bytes written
 * @TANDEM_HC_CONSOLE_PUTC: RBX = one character for the console
 * @TANDEM_HC_YIELD: give the host CPU away once
 * @TANDEM_HC_SHUTDOWN: power off; RBX = exit status
 * @TANDEM_HC_REBOOT: reboot
 * @TANDEM_HC_UCALL: test channel: RBX = &enum tandem_ucall, RCX = a value,
 *	RDX = guest-physical address of a NUL-terminated file name or 0,
 *	RSI = line; written to the console as one line
 *	"ucall: <type> <value> <file>:<line>"
 *
 * RAX returns 0 (or the count) on success, a negative errno otherwise
 * (%TANDEM_HC_ERR_NOFUNC, the value of -ENOSYS, for an unknown function).
 * Other registers are preserved.
 */
enum tandem_hypercall {
	TANDEM_HC_CONSOLE_WRITE = 1,
	TANDEM_HC_CONSOLE_PUTC,
	TANDEM_HC_YIELD,
	TANDEM_HC_SHUTDOWN,
	TANDEM_HC_REBOOT,
	TANDEM_HC_UCALL,
};

/* RAX after a hypercall of an unknown function (Linux's -ENOSYS). */
#define TANDEM_HC_ERR_NOFUNC	(-38)

/**
 * enum tandem_ucall - what a %TANDEM_HC_UCALL reports
 * @TANDEM_UCALL_SYNC: a checkpoint with a value
 * @TANDEM_UCALL_ASSERT: a failed assertion (value, file, line)
 * @TANDEM_UCALL_DONE: the test payload finished
 */
enum tandem_ucall {
	TANDEM_UCALL_SYNC = 1,
	TANDEM_UCALL_ASSERT,
	TANDEM_UCALL_DONE,
};

/**
 * struct tandem_segment - a segment register as the guest sees it
 * @base: base address
 * @limit: limit in bytes (already scaled by the granularity bit)
 * @selector: selector
 * @attrib: attributes in the packed 12-bit form: type (bits 0-3), S (4),
 *	DPL (5-6), P (7), AVL (8), L (9), D/B (10), G (11); 0 means unusable
 */
struct tandem_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u16 attrib;
};

/**
 * struct tandem_dtable - GDTR or IDTR
 * @base: base address
 * @limit: limit in bytes
 * @pad: zero
 */
struct tandem_dtable {
	__u64 base;
	__u16 limit;
	__u16 pad[3];
};

/**
 * struct tandem_vcpu_regs - the architectural state of one vCPU
 * @gprs: RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8 to R15 (x86 encoding
 *	order)
 * @rip: instruction pointer
 * @rflags: flags
 * @cs: code segment, and likewise @ds, @es, @fs, @gs, @ss, @tr, @ldtr
 * @ds: data segment
 * @es: extra segment
 * @fs: FS
 * @gs: GS
 * @ss: stack segment
 * @tr: task register
 * @ldtr: local descriptor table register
 * @gdt: global descriptor table register
 * @idt: interrupt descriptor table register
 * @cr0: control register 0, and likewise @cr2, @cr3, @cr4
 * @cr2: page-fault address
 * @cr3: page-table base
 * @cr4: control register 4
 * @efer: extended feature enable register
 */
struct tandem_vcpu_regs {
	__u64 gprs[16];
	__u64 rip;
	__u64 rflags;
	struct tandem_segment cs, ds, es, fs, gs, ss, tr, ldtr;
	struct tandem_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, efer;
};

/**
 * enum tandem_device_type - kinds of device DEVICE_ATTACH makes
 * @TANDEM_DEVICE_NONE: reserved
 * @TANDEM_DEVICE_DISK: a virtio-blk disk backed by a host file or block
 *	device
 * @TANDEM_DEVICE_NIC: a virtio-net NIC with a host netdev
 */
enum tandem_device_type {
	TANDEM_DEVICE_NONE,
	TANDEM_DEVICE_DISK,
	TANDEM_DEVICE_NIC,

	__TANDEM_DEVICE_COUNT,
};

/**
 * enum tandem_device_attr - DEVICE_ATTACH, DEVICE_DETACH, and the devices
 *	DOMAIN_GET lists
 * @TANDEM_DEVICE_A_UNSPEC: reserved
 * @TANDEM_DEVICE_A_PAD: padding for 64-bit attributes
 * @TANDEM_DEVICE_A_DOMAIN_ID: u32, the domain (or %TANDEM_DEVICE_A_DOMAIN_NAME)
 * @TANDEM_DEVICE_A_DOMAIN_NAME: string
 * @TANDEM_DEVICE_A_TYPE: u32, &enum tandem_device_type
 * @TANDEM_DEVICE_A_INDEX: u32, the device's number among the domain's
 *	devices of its type (disk 0, 1, ...; NIC 0 is host netdev tdm<domid>.0);
 *	chosen by the mechanism, the lowest free one
 * @TANDEM_DEVICE_A_PATH: string, disk: the backing file or block device,
 *	an absolute path (reply: as resolved)
 * @TANDEM_DEVICE_A_READ_ONLY: flag, disk: the guest may not write
 * @TANDEM_DEVICE_A_SERIAL: string, disk: what GET_ID returns, at most
 *	%TANDEM_SERIAL_MAX - 1 printable ASCII characters (default: empty)
 * @TANDEM_DEVICE_A_MAC: binary, NIC: 6 bytes, unicast (default: locally
 *	administered, derived from the domain name and the index)
 * @TANDEM_DEVICE_A_IFNAME: string, NIC: the host netdev's name (default
 *	tdm<domid>.<index>)
 * @TANDEM_DEVICE_A_SIZE: u64, disk: bytes (reply only)
 * @TANDEM_DEVICE_A_SLOT: u32, the virtio-mmio slot (reply only)
 * @TANDEM_DEVICE_A_MMIO_BASE: u64, the slot's register window (reply only)
 * @TANDEM_DEVICE_A_GSI: u32, the slot's interrupt line (reply only)
 * @TANDEM_DEVICE_A_BROKEN: string, why the guest's use of the device was
 *	refused until it resets the device (reply only, absent when fine)
 * @TANDEM_DEVICE_A_DEVICE: nested, one device in %TANDEM_DOMAIN_A_DEVICES
 */
enum tandem_device_attr {
	TANDEM_DEVICE_A_UNSPEC,
	TANDEM_DEVICE_A_PAD,
	TANDEM_DEVICE_A_DOMAIN_ID,
	TANDEM_DEVICE_A_DOMAIN_NAME,
	TANDEM_DEVICE_A_TYPE,
	TANDEM_DEVICE_A_INDEX,
	TANDEM_DEVICE_A_PATH,
	TANDEM_DEVICE_A_READ_ONLY,
	TANDEM_DEVICE_A_SERIAL,
	TANDEM_DEVICE_A_MAC,
	TANDEM_DEVICE_A_IFNAME,
	TANDEM_DEVICE_A_SIZE,
	TANDEM_DEVICE_A_SLOT,
	TANDEM_DEVICE_A_MMIO_BASE,
	TANDEM_DEVICE_A_GSI,
	TANDEM_DEVICE_A_BROKEN,
	TANDEM_DEVICE_A_DEVICE,

	__TANDEM_DEVICE_A_MAX,
};

#define TANDEM_DEVICE_A_MAX (__TANDEM_DEVICE_A_MAX - 1)

#endif /* _UAPI_LINUX_TANDEM_H */
