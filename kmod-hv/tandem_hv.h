/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of tandem_hv.ko shared between its files.
 */
#ifndef TANDEM_HV_H
#define TANDEM_HV_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <tandem.h>

struct mem_cgroup;
struct page;

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

struct tandem_domain;
struct tandem_vcpu;

/* General-purpose registers in x86 encoding order, as in tandem_vcpu->regs. */
enum tandem_reg {
	TANDEM_RAX, TANDEM_RCX, TANDEM_RDX, TANDEM_RBX,
	TANDEM_RSP, TANDEM_RBP, TANDEM_RSI, TANDEM_RDI,
	TANDEM_R8, TANDEM_R9, TANDEM_R10, TANDEM_R11,
	TANDEM_R12, TANDEM_R13, TANDEM_R14, TANDEM_R15,
	TANDEM_NR_GPRS,
};

/**
 * enum tandem_exit_reason - why the guest stopped, vendor-neutral
 * @TANDEM_EXIT_NONE: nothing for common code (host interrupt or NMI
 *	taken, preemption timer, or an exit the backend handled itself)
 * @TANDEM_EXIT_HLT: HLT executed
 * @TANDEM_EXIT_IO: IN/OUT/INS/OUTS; see &tandem_exit.io
 * @TANDEM_EXIT_NPF: nested page fault on a GPA that is not RAM (device
 *	MMIO or a stray access); see &tandem_exit.npf
 * @TANDEM_EXIT_CPUID: CPUID executed
 * @TANDEM_EXIT_RDMSR: RDMSR executed (intercepted MSR)
 * @TANDEM_EXIT_WRMSR: WRMSR executed (intercepted MSR)
 * @TANDEM_EXIT_HYPERCALL: VMCALL or VMMCALL executed
 * @TANDEM_EXIT_VIRT_INSN: the guest ran a VMX or SVM instruction
 * @TANDEM_EXIT_XSETBV: XSETBV executed
 * @TANDEM_EXIT_TRIPLE_FAULT: triple fault (VMX) or shutdown (SVM)
 * @TANDEM_EXIT_EXCEPTION: an intercepted exception; see
 *	&tandem_exit.exception
 * @TANDEM_EXIT_INTR_WINDOW: the guest can take an interrupt now
 * @TANDEM_EXIT_FAIL_ENTRY: VM entry failed (invalid guest state)
 * @TANDEM_EXIT_UNHANDLED: anything else; the domain is crashed
 * @__TANDEM_EXIT_COUNT: number of reasons
 */
enum tandem_exit_reason {
	TANDEM_EXIT_NONE,
	TANDEM_EXIT_HLT,
	TANDEM_EXIT_IO,
	TANDEM_EXIT_NPF,
	TANDEM_EXIT_CPUID,
	TANDEM_EXIT_RDMSR,
	TANDEM_EXIT_WRMSR,
	TANDEM_EXIT_HYPERCALL,
	TANDEM_EXIT_VIRT_INSN,
	TANDEM_EXIT_XSETBV,
	TANDEM_EXIT_TRIPLE_FAULT,
	TANDEM_EXIT_EXCEPTION,
	TANDEM_EXIT_INTR_WINDOW,
	TANDEM_EXIT_FAIL_ENTRY,
	TANDEM_EXIT_UNHANDLED,
	__TANDEM_EXIT_COUNT,
};

/**
 * struct tandem_exit - one VM exit, decoded by the backend
 * @reason: &enum tandem_exit_reason
 * @hw_reason: the raw VMX basic exit reason or SVM exit code
 * @hw_qual: VMX exit qualification or SVM EXITINFO1
 * @hw_info2: SVM EXITINFO2 or VMX guest-linear address, for crash dumps
 * @insn_len: length of the exiting instruction when the hardware says it
 *	(VMX always; SVM with NRIP save, and for IOIO from EXITINFO2); 0 when
 *	unknown, then common code decodes the instruction to skip it
 * @io: for %TANDEM_EXIT_IO: @io.port, @io.size (1, 2, 4), @io.in,
 *	@io.string (INS/OUTS), @io.rep (REP prefix)
 * @npf: for %TANDEM_EXIT_NPF: @npf.gpa, @npf.write, @npf.fetch
 * @exception: for %TANDEM_EXIT_EXCEPTION: vector and error code
 */
struct tandem_exit {
	u32 reason;
	u32 hw_reason;
	u64 hw_qual;
	u64 hw_info2;
	u8 insn_len;
	union {
		struct {
			u16 port;
			u8 size;
			bool in;
			bool string;
			bool rep;
		} io;
		struct {
			u64 gpa;
			bool write;
			bool fetch;
		} npf;
		struct {
			u8 vector;
			bool has_error;
			u32 error;
		} exception;
	};
};

/**
 * struct tandem_arch_ops - the vendor-neutral face of VMX and SVM
 * @name: short vendor name used in messages ("vmx", "svm")
 * @vendor: &enum tandem_vendor served by this implementation
 * @probe: fill @info with what the boot CPU offers; return 0 when the
 *	extension is present at all (even if features are missing),
 *	-ENODEV when it is absent or disabled by firmware
 * @hardware_enable: turn VMX/SVM on for this CPU (called on each online
 *	CPU with preemption disabled, while at least one domain exists);
 *	-EBUSY when another hypervisor already has it on this CPU
 * @hardware_disable: turn it off again on this CPU (also used on CPU
 *	offline and at emergency reboot: must not fail, must not sleep)
 * @vm_init: build the nested page tables (EPT/NPT) for the domain's RAM
 *	(&tandem_domain.mem; 2 MiB mappings where &tandem_mem.huge says the
 *	chunk is one allocation), GPAs outside RAM left unmapped; store the
 *	backend's per-domain state in &tandem_domain.arch
 * @vm_destroy: free what @vm_init built
 * @vcpu_init: allocate and initialise the VMCS/VMCB of a vCPU, in the x86
 *	reset state (real mode, CS.base 0xffff0000, RIP 0xfff0) unless
 *	set_regs changes it; store the state in &tandem_vcpu.arch
 * @vcpu_destroy: free it (the vCPU thread has stopped; may run on any
 *	CPU: VMX must VMCLEAR on the CPU that last loaded the VMCS)
 * @vcpu_run: enter the guest once and fill &tandem_vcpu.exit. Called on
 *	the vCPU thread with preemption disabled, interrupts enabled, inside
 *	kernel_fpu_begin() with the guest's FX state loaded. The backend
 *	loads &tandem_vcpu.regs, rip and rflags when &tandem_vcpu.regs_dirty
 *	(and clears it), and stores them back after the exit; handles the
 *	change of host CPU since the last run (VMX: VMPTRLD, host state;
 *	SVM: ASID), host interrupts (external-interrupt exiting / INTR
 *	intercept, taken by the host as soon as the exit is over), and any
 *	pending exception queued by @queue_exception
 * @get_regs: read the whole architectural state (slow path)
 * @set_regs: write it, after checking it can be entered (-EINVAL if not)
 * @queue_exception: inject an exception at the next entry
 */
struct tandem_arch_ops {
	const char *name;
	u32 vendor;
	int (*probe)(struct tandem_hw_info *info);
	int (*hardware_enable)(void);
	void (*hardware_disable)(void);
	int (*vm_init)(struct tandem_domain *dom);
	void (*vm_destroy)(struct tandem_domain *dom);
	int (*vcpu_init)(struct tandem_vcpu *vcpu);
	void (*vcpu_destroy)(struct tandem_vcpu *vcpu);
	void (*vcpu_run)(struct tandem_vcpu *vcpu);
	void (*get_regs)(struct tandem_vcpu *vcpu, struct tandem_vcpu_regs *regs);
	int (*set_regs)(struct tandem_vcpu *vcpu,
			const struct tandem_vcpu_regs *regs);
	void (*queue_exception)(struct tandem_vcpu *vcpu, u8 vector,
				bool has_error, u32 error);
};

/**
 * struct tandem_vcpu - one virtual CPU, run by its own kernel thread
 * @dom: its domain
 * @id: index in the domain
 * @cpu: host CPU it last ran on, -1 before the first run
 * @regs: general-purpose registers, &enum tandem_reg order
 * @rip: instruction pointer
 * @rflags: flags
 * @regs_dirty: common code changed @regs, @rip or @rflags since the exit
 * @exit: the last exit
 * @arch: the backend's state (VMCS or VMCB and friends)
 */
struct tandem_vcpu {
	struct tandem_domain *dom;
	u32 id;
	int cpu;
	unsigned long regs[TANDEM_NR_GPRS];
	u64 rip;
	u64 rflags;
	bool regs_dirty;
	struct tandem_exit exit;
	void *arch;
};

extern const struct tandem_arch_ops tandem_vmx_ops;
extern const struct tandem_arch_ops tandem_svm_ops;

/* The ops and hardware description chosen at load; read-only after init. */
extern const struct tandem_arch_ops *tandem_arch;
extern struct tandem_hw_info tandem_hw;

int tandem_arch_init(void);

/* genl.c: the family and the deferred replies of decided requests */
extern struct genl_family tandem_genl_family;

int tandem_genl_init(void);
void tandem_genl_exit(void);

/**
 * struct tandem_requester - where a deferred reply goes
 * @portid: netlink port of the requester
 * @seq: sequence number of its request
 * @hdr: the request's netlink header, echoed in the ACK
 * @cmd: the request's command, used in the reply's genl header
 * @uid: the requester's uid
 * @pid: the requester's tgid, 0 if unknown
 */
struct tandem_requester {
	u32 portid;
	u32 seq;
	struct nlmsghdr hdr;
	u8 cmd;
	kuid_t uid;
	pid_t pid;
};

void tandem_requester_init(struct tandem_requester *rq,
			   const struct genl_info *info);
void tandem_reply_ack(const struct tandem_requester *rq, int err,
		      const char *msg);
struct sk_buff *tandem_reply_new(const struct tandem_requester *rq,
				 size_t size, void **hdr);
int tandem_reply_send(const struct tandem_requester *rq, struct sk_buff *skb,
		      void *hdr);

/* memory.c: guest RAM */

/**
 * struct tandem_mem - guest RAM, GPA 0 to @size
 * @size: bytes, a multiple of %PAGE_SIZE
 * @nr_pages: @size in pages
 * @pages: the host page backing each guest page frame
 * @huge: one bit per 2 MiB chunk backed by a single order-9 allocation
 * @chunks_2m: number of bits set in @huge
 * @pages_4k: pages allocated one by one
 */
struct tandem_mem {
	u64 size;
	unsigned long nr_pages;
	struct page **pages;
	unsigned long *huge;
	unsigned int chunks_2m;
	unsigned int pages_4k;
};

int tandem_mem_alloc(struct tandem_mem *mem, u64 size, struct mem_cgroup *memcg);
void tandem_mem_free(struct tandem_mem *mem);
bool tandem_mem_range_ok(const struct tandem_mem *mem, u64 gpa, u64 len);
void tandem_mem_write(struct tandem_mem *mem, u64 gpa, const void *src,
		      size_t len);
void tandem_mem_read(struct tandem_mem *mem, u64 gpa, void *dst, size_t len);
u64 tandem_mem_allocated(void);

/* domain.c: domains and their table */

#define TANDEM_MAX_VCPUS	64

/**
 * struct tandem_domain - one guest
 * @ref: references: the table holds one while the domain is listed
 * @id: domid, never reused while the module is loaded
 * @name: unique name
 * @state: &enum tandem_domain_state, written under @lock
 * @vcpus: number of vCPUs
 * @created_ns: creation time, CLOCK_REALTIME
 * @owner: uid of the creator
 * @memcg: the creator's memory cgroup, charged for guest RAM
 * @mem: guest RAM
 * @lock: serialises state changes
 * @memwrite_reuse: the agent allowed MEM_WRITE until @state or the policy
 *	generation changes
 * @memwrite_state: state in which that verdict was given
 * @memwrite_gen: policy generation at which it was given
 * @arch: the backend's per-domain state (nested page tables)
 * @rcu: frees the structure after lookups under RCU are done with it
 */
struct tandem_domain {
	struct kref ref;
	u32 id;
	char name[TANDEM_NAME_MAX];
	u32 state;
	u32 vcpus;
	u64 created_ns;
	kuid_t owner;
	struct mem_cgroup *memcg;
	struct tandem_mem mem;
	struct mutex lock; /* serialises state changes and the MEM_WRITE verdict cache */
	bool memwrite_reuse;
	u32 memwrite_state;
	u64 memwrite_gen;
	void *arch;
	struct rcu_head rcu;
};

bool tandem_domain_name_valid(const char *name);
struct tandem_domain *tandem_domain_get_by_id(u32 id);
struct tandem_domain *tandem_domain_get_by_name(const char *name);
void tandem_domain_put(struct tandem_domain *dom);
struct tandem_domain *tandem_domain_create(const char *name, u64 memory,
					   u32 vcpus, kuid_t owner,
					   struct mem_cgroup *memcg);
int tandem_domain_destroy(struct tandem_domain *dom);
void tandem_domain_set_state(struct tandem_domain *dom, u32 state);
int tandem_domain_fill(struct sk_buff *skb, struct tandem_domain *dom);
int tandem_domain_dump(struct sk_buff *skb, struct netlink_callback *cb);
void tandem_domain_totals(u32 *nr, u64 *memory);
void tandem_domains_destroy_all(void);

/* agent.c: the policy agent and the decisions it makes */

struct tandem_decision;

/**
 * struct tandem_decision_ops - what differs between decision kinds
 * @fill: add the kind's context attributes to the DECISION message
 * @complete: act on the outcome (allowed or not) and reply to the
 *	requester; runs in process context on the tandem workqueue
 * @release: free the kind's private data (may be %NULL)
 */
struct tandem_decision_ops {
	int (*fill)(struct tandem_decision *dec, struct sk_buff *skb);
	void (*complete)(struct tandem_decision *dec);
	void (*release)(struct tandem_decision *dec);
};

/**
 * struct tandem_decision - one question to the agent, pending or answered
 * @cookie: identifies it in DECISION and VERDICT
 * @kind: &enum tandem_decision_kind
 * @ops: kind-specific behaviour
 * @rq: who asked, for the deferred reply
 * @dom: the domain concerned (a reference), or %NULL
 * @domid: its id (0 when it does not exist yet)
 * @name: its name
 * @deny_errno: what the requester gets when the agent denies (EACCES,
 *	or EINVAL for a refused configuration)
 * @memory: memory asked for (create) or granted by the verdict
 * @allow: the outcome
 * @err: 0 when the agent answered, else why there is no answer
 * @reuse: the verdict's %TANDEM_VERDICT_A_REUSE
 * @reason: the verdict's reason, or why there is no verdict
 * @policy: copy of the verdict's policy nest (POLICY_GET), or %NULL
 * @agent_portid: the agent asked (0 when there was none)
 * @agent_name: its name
 * @create: DOMAIN_CREATE: vCPUs and the creator's memory cgroup
 * @mem: MEM_WRITE: destination, length, state asked about, a copy of data
 * @config: POLICY_SET: a copy of the configuration nest
 * @timeout: fires when the agent is too slow
 * @done: runs @ops->complete
 */
struct tandem_decision {
	u32 cookie;
	u32 kind;
	const struct tandem_decision_ops *ops;
	struct tandem_requester rq;
	struct tandem_domain *dom;
	u32 domid;
	char name[TANDEM_NAME_MAX];
	int deny_errno;
	u64 memory;
	bool allow;
	int err;
	bool reuse;
	char reason[TANDEM_REASON_MAX];
	struct nlattr *policy;
	u32 agent_portid;
	char agent_name[TANDEM_NAME_MAX];
	union {
		struct {
			u32 vcpus;
			struct mem_cgroup *memcg;
		} create;
		struct {
			u64 gpa;
			u32 len;
			u32 state;
			void *data;
		} mem;
		struct nlattr *config;
	};
	struct delayed_work timeout;
	struct work_struct done;
};

extern struct workqueue_struct *tandem_wq;

struct tandem_decision *tandem_decision_new(u32 kind,
					    const struct tandem_decision_ops *ops,
					    const struct genl_info *info);
void tandem_decision_free(struct tandem_decision *dec);
int tandem_decision_ask(struct tandem_decision *dec,
			struct netlink_ext_ack *extack);
void tandem_decision_reply_denied(struct tandem_decision *dec);
u64 tandem_policy_generation(void);
void tandem_policy_generation_bump(void);
int tandem_agent_register(const struct genl_info *info, const char *name);
int tandem_agent_unregister(const struct genl_info *info);
int tandem_verdict(struct genl_info *info);
void tandem_domain_decision_init(struct tandem_decision *dec,
				 struct tandem_domain *dom);
int tandem_agent_fill_name(struct sk_buff *skb, int attr);
int tandem_agent_init(void);
void tandem_agent_exit(void);

/* events.c: the "events" and "audit" multicast groups */

void tandem_event_domain(u32 kind, struct tandem_domain *dom, u32 old_state);
void tandem_event_agent(u32 kind, u32 portid, const char *name);
void tandem_event_verdict(const struct tandem_decision *dec, u32 portid,
			  const char *agent);

#endif /* TANDEM_HV_H */
