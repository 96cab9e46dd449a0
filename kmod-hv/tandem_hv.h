/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of tandem_hv.ko shared between its files.
 */
#ifndef TANDEM_HV_H
#define TANDEM_HV_H

#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kref.h>
#include <linux/wait.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <tandem.h>

struct fxregs_state;
struct mem_cgroup;
struct page;
struct task_struct;

#define TANDEM_MODULE_VERSION	"0.1.0"

#define tandem_feat(f)		(1ULL << TANDEM_FEAT_##f)

/*
 * TANDEM_REQ_ATTR() - check that a request carries attribute @attr; when it
 * does not, the extack names it both as NLMSGERR_ATTR_MISS_TYPE and in the
 * message text ("missing attribute: @name"). True when missing.
 */
#define TANDEM_REQ_ATTR(info, attr, name)				\
	({								\
		struct genl_info *__tinfo = (info);			\
		bool __missing = GENL_REQ_ATTR_CHECK(__tinfo, attr);	\
		if (__missing)						\
			NL_SET_ERR_MSG(__tinfo->extack,			\
				       "missing attribute: " name);	\
		__missing;						\
	})

/**
 * struct tandem_hw_info - what the probe found on the boot CPU
 * @vendor: &enum tandem_vendor
 * @features: mask of &enum tandem_feature present and usable
 * @possible: mask of the features this vendor's extension defines
 * @required: mask of the features a domain cannot run without
 * @nr_asids: number of VPIDs or ASIDs the hardware offers (0 if none)
 * @cr4_guest: CR4 bits a guest may set (%TANDEM_CR4_GUEST_BITS less what
 *	this CPU lacks); VCPU_SET_REGS refuses others
 * @cpu_model: the CPU's brand string
 */
struct tandem_hw_info {
	u32 vendor;
	u64 features;
	u64 possible;
	u64 required;
	u32 nr_asids;
	u64 cr4_guest;
	char cpu_model[64];
};

/*
 * CR4 bits a guest may set, in both backends: those its filtered CPUID
 * (exits.c) can announce. FSGSBASE, SMEP and SMAP only where the host
 * CPU has them. Any other bit (OSXSAVE and PKE: XSAVE state and PKRU are
 * not switched; VMXE; UMIP, PCIDE, LA57, CET...) raises #GP when the
 * guest sets it, as on a CPU without the feature.
 */
#define TANDEM_CR4_GUEST_BITS	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | \
				 X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE | \
				 X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE | \
				 X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | \
				 X86_CR4_FSGSBASE | X86_CR4_SMEP | \
				 X86_CR4_SMAP)

struct tandem_domain;
struct tandem_vcpu;
struct tandem_vdev;
struct tandem_attach;
struct tandem_uart;
struct tandem_rtc;
struct tandem_i8042;
struct tandem_pm;
struct tandem_pit;
struct tandem_pic;
struct tandem_lapic;
struct tandem_ioapic;

/* &tandem_domain.on_poweroff, on_reboot, on_crash: no wish */
#define TANDEM_NO_WISH		U32_MAX

/* Interrupt lines (GSIs) of a domain's platform: the I/O APIC's inputs. */
#define TANDEM_NR_GSIS		24

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
 * @why: for %TANDEM_EXIT_FAIL_ENTRY: what went wrong, for the crash
 *	reason; %NULL when the backend says nothing more
 */
struct tandem_exit {
	u32 reason;
	u32 hw_reason;
	u64 hw_qual;
	u64 hw_info2;
	const char *why;
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
 * @init: optional; called once at module load after @probe chose this
 *	backend, in process context: allocate what @hardware_enable must not
 *	allocate (VMX: the per-CPU VMXON regions). A failure fails the load.
 * @exit: optional; called once at module unload, after every domain is
 *	gone and the hardware is off: free what @init allocated
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
 * @get_code_regs: read only what fetching and decoding the instruction at
 *	RIP needs: RIP, CS, CR0, CR3, CR4 and EFER (the MMIO exit path);
 *	the other fields of @regs are left as they are
 * @set_regs: write it, after checking it can be entered (-EINVAL if not)
 * @queue_exception: inject an exception at the next entry
 * @msr_read: optional; read an MSR the backend keeps in the VMCS/VMCB
 *	(EFER, PAT, FS/GS bases, SYSCALL and SYSENTER MSRs...): 0, or
 *	-ENOENT when the backend does not own @msr (common code then decides)
 * @msr_write: optional; likewise for writes (-EINVAL: inject #GP)
 * @asids_in_use: optional; VPIDs (VMX) or ASID holders (SVM) now in use,
 *	for GET_INFO and leak checks
 * @irq_window_open: whether an external interrupt injected now would be
 *	taken at the next entry: RFLAGS.IF set (as in &tandem_vcpu.rflags),
 *	no STI/MOV SS shadow on the instruction at RIP, and no event already
 *	queued (exception, or an event re-injected after an exit that
 *	interrupted its delivery). Called on the vCPU thread in the run loop
 *	before @vcpu_run, at most once per entry; must not sleep or take
 *	locks
 * @inject_irq: deliver external interrupt @vector at the next entry
 *	(@irq_window_open said yes). If an exit interrupts its delivery, the
 *	backend delivers it again at the following entry
 * @request_irq_window: make the guest exit with %TANDEM_EXIT_INTR_WINDOW
 *	as soon as it can take an interrupt (VMX interrupt-window exiting,
 *	SVM virtual interrupt with the VINTR intercept); the backend turns
 *	the request off again at that exit
 */
struct tandem_arch_ops {
	const char *name;
	u32 vendor;
	int (*probe)(struct tandem_hw_info *info);
	int (*init)(void);
	void (*exit)(void);
	int (*hardware_enable)(void);
	void (*hardware_disable)(void);
	int (*vm_init)(struct tandem_domain *dom);
	void (*vm_destroy)(struct tandem_domain *dom);
	int (*vcpu_init)(struct tandem_vcpu *vcpu);
	void (*vcpu_destroy)(struct tandem_vcpu *vcpu);
	void (*vcpu_run)(struct tandem_vcpu *vcpu);
	void (*get_regs)(struct tandem_vcpu *vcpu, struct tandem_vcpu_regs *regs);
	void (*get_code_regs)(struct tandem_vcpu *vcpu,
			      struct tandem_vcpu_regs *regs);
	int (*set_regs)(struct tandem_vcpu *vcpu,
			const struct tandem_vcpu_regs *regs);
	void (*queue_exception)(struct tandem_vcpu *vcpu, u8 vector,
				bool has_error, u32 error);
	int (*msr_read)(struct tandem_vcpu *vcpu, u32 msr, u64 *val);
	int (*msr_write)(struct tandem_vcpu *vcpu, u32 msr, u64 val);
	u32 (*asids_in_use)(void);
	bool (*irq_window_open)(struct tandem_vcpu *vcpu);
	void (*inject_irq)(struct tandem_vcpu *vcpu, u8 vector);
	void (*request_irq_window)(struct tandem_vcpu *vcpu);
};

/* tandem_vcpu.requests: why the thread must leave the guest */
#define TANDEM_REQ_KICK		0	/* look at the domain's state again */
#define TANDEM_REQ_REGS		1	/* a register request is waiting */
#define TANDEM_REQ_SIPI		2	/* a startup IPI came (@sipi_vector) */

/* tandem_vcpu.leave: what the thread does once out of the guest */
enum tandem_leave {
	TANDEM_LEAVE_NONE,
	TANDEM_LEAVE_HALT,
	TANDEM_LEAVE_YIELD,
	TANDEM_LEAVE_SHUTDOWN,
	TANDEM_LEAVE_REBOOT,
	TANDEM_LEAVE_CRASH,
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
 * @task: the vCPU thread, %NULL before the first start
 * @wait: where the thread sleeps while halted or stopped
 * @requests: %TANDEM_REQ_* bits
 * @halted: the guest executed HLT and waits for an event
 * @wait_sipi: waits for a startup IPI (after INIT; from creation for the
 *	vCPUs other than 0 whose registers the host did not set)
 * @host_regs: VCPU_SET_REGS gave its registers: it starts from them
 * @sipi_vector: the vector of the last startup IPI
 * @fpu: the guest's x87/SSE state while the thread is outside the guest
 * @initial: registers to start (and restart) from
 * @lapic: its local APIC (lapic.c)
 * @stat_exits: exits by &enum tandem_exit_reason
 * @stat_irqs: interrupts injected
 * @stat_run_ns: time in the guest
 * @stat_halt_ns: time halted, up to the last wake-up
 * @halt_start: sched_clock() when the current halt began, 0 when not halted
 * @stat_cpus: host CPUs it ran on (the first 64)
 * @cap_period_start: start of the current cap period (ns)
 * @cap_period_used: guest time used in it (ns)
 * @in_guest: the thread is in its atomic run section
 * @leave: &enum tandem_leave, set by exit handlers
 * @crash_msg: why the vCPU crashed the domain
 * @init_done: the thread has built (or failed to build) the backend state
 * @init_err: how that went
 * @req_lock: one register request at a time
 * @req_done: the thread has served the request
 * @req_set: the request writes (else reads) @req_regs
 * @req_regs: the registers of the request
 * @req_err: its outcome
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

	struct task_struct *task;
	wait_queue_head_t wait;
	unsigned long requests;
	bool halted;
	bool wait_sipi;
	bool host_regs;
	u8 sipi_vector;
	struct fxregs_state *fpu;
	struct tandem_vcpu_regs initial;
	struct tandem_lapic *lapic;
	u64 stat_exits[__TANDEM_EXIT_COUNT];
	u64 stat_irqs;
	u64 stat_run_ns;
	u64 stat_halt_ns;
	u64 halt_start;
	u64 stat_cpus;
	u64 cap_period_start;
	u64 cap_period_used;
	bool in_guest;
	u32 leave;
	char crash_msg[TANDEM_REASON_MAX];
	struct completion init_done;
	int init_err;
	struct mutex req_lock; /* serialises register requests */
	struct completion req_done;
	bool req_set;
	struct tandem_vcpu_regs *req_regs;
	int req_err;
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
 * @loaded: one bit per page MEM_WRITE put data into
 * @image: at the first start, a copy of each @loaded page (%NULL for the
 *	others): what a restart puts back; %NULL before the first start
 * @image_pages: pages held by @image
 */
struct tandem_mem {
	u64 size;
	unsigned long nr_pages;
	struct page **pages;
	unsigned long *huge;
	unsigned int chunks_2m;
	unsigned int pages_4k;
	unsigned long *loaded;
	struct page **image;
	unsigned long image_pages;
};

int tandem_mem_alloc(struct tandem_mem *mem, u64 size, struct mem_cgroup *memcg);
void tandem_mem_free(struct tandem_mem *mem);
bool tandem_mem_range_ok(const struct tandem_mem *mem, u64 gpa, u64 len);
void tandem_mem_write(struct tandem_mem *mem, u64 gpa, const void *src,
		      size_t len);
void tandem_mem_read(struct tandem_mem *mem, u64 gpa, void *dst, size_t len);
void tandem_mem_load(struct tandem_mem *mem, u64 gpa, const void *src,
		     size_t len);
int tandem_mem_snapshot(struct tandem_mem *mem, struct mem_cgroup *memcg);
void tandem_mem_restore(struct tandem_mem *mem);
u64 tandem_image_pages(void);
u64 tandem_mem_allocated(void);
u64 *tandem_pt_page_alloc(void);
void tandem_pt_page_free(u64 *table);
u64 tandem_pt_pages(void);

/* domain.c: domains and their table */

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
 * @vcpu: the vCPUs, @vcpus of them
 * @started: the backend's state exists (hardware on, tables built)
 * @cpumask: host CPUs the vCPUs may run on (from the START verdict)
 * @weight: scheduling weight (from the START verdict)
 * @cap: percent of a CPU per vCPU and period, 0 for none
 * @crash_reason: why it crashed last
 * @restarts: restarts after crashes
 * @unhandled_io: port and MMIO accesses no device claimed
 * @unhandled_mmio: the MMIO part of @unhandled_io
 * @shutdown_reason: &enum tandem_shutdown_reason of the last shutdown
 * @irq_lines: level of each GSI as the devices drive it
 * @ioapic: the I/O APIC at 0xfec00000 (ioapic.c)
 * @uart: the 16550A at 0x3f8 (uart.c)
 * @rtc: the CMOS RTC at 0x70 (rtc.c)
 * @i8042: the keyboard controller at 0x60/0x64 (i8042.c)
 * @pm: the ACPI PM1a registers (acpi_pm.c)
 * @pit: the 8254 PIT at 0x40 and port 0x61 (pit.c)
 * @pic: the 8259 pair and ELCR (pic.c)
 * @tsc_offset: guest TSC minus host TSC, set when the domain starts
 * @reset_ctl: the reset control register at 0xcf9 (reset.c)
 * @stop_work: asks the agent what to do after a crash or a shutdown
 * @on_poweroff: &enum tandem_crash_action asked for at create, or
 *	%TANDEM_NO_WISH
 * @on_reboot: likewise for a reboot
 * @on_crash: likewise for a crash
 * @console: the console ring, %TANDEM_CONSOLE_SIZE bytes
 * @console_seq: sequence number of the next byte written
 * @console_lock: protects @console and @console_seq
 * @testdev: scratch registers of the test device
 * @ctl_lock: serialises start, pause, resume, restart and teardown
 * @crash_vcpu: the vCPU that crashed the domain
 * @crash_regs: its registers at the time
 * @vdev: the virtio device in each virtio-mmio slot, or %NULL (vdev.c);
 *	changed only while no vCPU runs, under @vdev_lock
 * @vdev_lock: protects @vdev against DOMAIN_GET while devices come and go
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
	struct tandem_vcpu *vcpu;
	bool started;
	cpumask_var_t cpumask;
	u32 weight;
	u32 cap;
	char crash_reason[TANDEM_REASON_MAX];
	u32 restarts;
	atomic64_t unhandled_io;
	atomic64_t unhandled_mmio;
	u32 shutdown_reason;
	DECLARE_BITMAP(irq_lines, TANDEM_NR_GSIS);
	struct tandem_ioapic *ioapic;
	struct tandem_uart *uart;
	struct tandem_rtc *rtc;
	struct tandem_i8042 *i8042;
	struct tandem_pm *pm;
	struct tandem_pit *pit;
	struct tandem_pic *pic;
	s64 tsc_offset;
	u8 reset_ctl;
	struct work_struct stop_work;
	u32 on_poweroff;
	u32 on_reboot;
	u32 on_crash;
	char *console;
	u64 console_seq;
	spinlock_t console_lock; /* console ring: writers are vCPU threads */
	u64 testdev[4];
	struct mutex ctl_lock; /* start, pause, resume, restart, teardown */
	u32 crash_vcpu;
	struct tandem_vcpu_regs crash_regs;
	struct tandem_vdev *vdev[TANDEM_VIRTIO_SLOTS];
	struct mutex vdev_lock; /* the slots, against readers of the list */
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

/* vcpu.c: vCPU threads and the run loop */

int tandem_vcpus_alloc(struct tandem_domain *dom);
void tandem_vcpus_free(struct tandem_domain *dom);
void tandem_vcpus_teardown(struct tandem_domain *dom);
int tandem_domain_start_vcpus(struct tandem_domain *dom);
void tandem_domain_stop_vcpus(struct tandem_domain *dom, u32 state);
int tandem_domain_pause(struct tandem_domain *dom);
void tandem_domain_run(struct tandem_domain *dom);
int tandem_domain_restart(struct tandem_domain *dom);
void tandem_domain_stop_work(struct work_struct *work);
void tandem_stopped_decide(struct tandem_domain *dom);
void tandem_domain_shutdown(struct tandem_domain *dom, u32 reason);
int tandem_domain_resume(struct tandem_domain *dom);
void tandem_domain_crash(struct tandem_domain *dom, struct tandem_vcpu *vcpu,
			 const char *fmt, ...) __printf(3, 4);
int tandem_vcpu_get_regs(struct tandem_vcpu *vcpu, struct tandem_vcpu_regs *regs);
int tandem_vcpu_set_regs(struct tandem_vcpu *vcpu,
			 const struct tandem_vcpu_regs *regs);
int tandem_vcpu_fill_stats(struct sk_buff *skb, struct tandem_domain *dom);
void tandem_vcpu_reset_regs(struct tandem_vcpu_regs *regs);
void tandem_domain_wake(struct tandem_domain *dom);
void tandem_vcpu_irq_notify(struct tandem_vcpu *vcpu);
void tandem_vcpu_init_signal(struct tandem_vcpu *vcpu);
void tandem_vcpu_startup(struct tandem_vcpu *vcpu, u8 vector);
u32 tandem_vcpu_threads(void);

/* exits.c: exits handled in common code */

/* What the run loop does after an exit was handled. */
enum tandem_exit_action {
	TANDEM_RESUME,		/* enter the guest again at once */
	TANDEM_LEAVE,		/* leave the atomic section first (may sleep) */
};

enum tandem_exit_action tandem_handle_exit(struct tandem_vcpu *vcpu);
void tandem_vcpu_skip(struct tandem_vcpu *vcpu);
u32 tandem_vcpu_crash(struct tandem_vcpu *vcpu, const char *fmt, ...)
	__printf(2, 3);

/**
 * struct tandem_device - an emulated device, plugged in by one descriptor
 * @name: for messages
 * @port: first I/O port (with @nports)
 * @nports: number of ports, 0 for none
 * @mmio_base: first guest-physical address (with @mmio_len)
 * @mmio_len: bytes of MMIO, 0 for none
 * @read: a read of @size bytes at port or address @addr
 * @write: a write of @size bytes; may set &tandem_vcpu.leave (reset,
 *	power-off) to end the slice after the instruction
 * @create: optional; allocate the device's per-domain state when the
 *	domain is created (process context, may sleep): 0 or -ENOMEM
 * @destroy: optional; free it when the domain is freed (also after a
 *	failed @create, so it must cope with state that is not there)
 *
 * Handlers run on the vCPU thread with preemption disabled: no sleeping.
 */
struct tandem_device {
	const char *name;
	u16 port;
	u16 nports;
	u64 mmio_base;
	u64 mmio_len;
	u64 (*read)(struct tandem_vcpu *vcpu, u64 addr, int size);
	void (*write)(struct tandem_vcpu *vcpu, u64 addr, int size, u64 val);
	int (*create)(struct tandem_domain *dom);
	void (*destroy)(struct tandem_domain *dom);
};

extern const struct tandem_device tandem_testdev;
extern const struct tandem_device tandem_uart_dev;
extern const struct tandem_device tandem_rtc_dev;
extern const struct tandem_device tandem_i8042_dev;
extern const struct tandem_device tandem_i8042_cmd_dev;
extern const struct tandem_device tandem_reset_dev;
extern const struct tandem_device tandem_pvpanic_dev;
extern const struct tandem_device tandem_pm_dev;
extern const struct tandem_device tandem_pit_dev;
extern const struct tandem_device tandem_portb_dev;
extern const struct tandem_device tandem_pic_master_dev;
extern const struct tandem_device tandem_pic_slave_dev;
extern const struct tandem_device tandem_elcr_dev;
extern const struct tandem_device tandem_platform_hole;
extern const struct tandem_device tandem_lapic_dev;
extern const struct tandem_device tandem_ioapic_dev;
extern const struct tandem_device tandem_testdev_irq;
extern const struct tandem_device tandem_virtio_dev;

int tandem_devices_create(struct tandem_domain *dom);
void tandem_devices_destroy(struct tandem_domain *dom);

/* uart.c: console input and batched output */

int tandem_uart_receive(struct tandem_domain *dom, const u8 *buf, size_t len);
void tandem_uart_flush(struct tandem_domain *dom);

/* irq.c: interrupt lines */

void tandem_irq_set(struct tandem_domain *dom, unsigned int gsi, bool level);

/*
 * The platform's core crystal, announced in CPUID 0x15 (and in kHz in
 * 0x40000010 EBX). Linux on Intel-vendor CPUs takes it as the local APIC
 * timer's input clock and skips calibrating that timer: the APIC timer
 * must count at this rate before its divide configuration.
 */
#define TANDEM_CRYSTAL_HZ	1000000000U

/* pic.c: the 8259 pair */

void tandem_pic_irq(struct tandem_domain *dom, unsigned int irq, bool level);

/* lapic.c: the local APIC of each vCPU */

int tandem_lapic_create(struct tandem_vcpu *vcpu);
void tandem_lapic_stop(struct tandem_vcpu *vcpu);
void tandem_lapic_destroy(struct tandem_vcpu *vcpu);
void tandem_lapic_reset(struct tandem_vcpu *vcpu);
void tandem_lapic_accept(struct tandem_vcpu *vcpu, u8 vector, bool level);
void tandem_lapic_deliver(struct tandem_domain *dom, u32 dest, bool logical,
			  bool lowest, u8 vector, bool level);
int tandem_lapic_msr_read(struct tandem_vcpu *vcpu, u32 msr, u64 *val);
int tandem_lapic_msr_write(struct tandem_vcpu *vcpu, u32 msr, u64 val);
void tandem_lapic_inject(struct tandem_vcpu *vcpu);
bool tandem_lapic_hlt_wakes(struct tandem_vcpu *vcpu);

/* ioapic.c: the I/O APIC */

void tandem_ioapic_set(struct tandem_domain *dom, unsigned int pin, bool level);
void tandem_ioapic_eoi(struct tandem_domain *dom, u8 vector);

/* console.c: the console ring */

int tandem_console_init(struct tandem_domain *dom);
void tandem_console_free(struct tandem_domain *dom);
void tandem_console_write(struct tandem_domain *dom, const char *buf,
			  size_t len);
size_t tandem_console_read(struct tandem_domain *dom, u64 *seq, char *buf,
			   size_t len, u64 *next);

/* hw.c: VMX/SVM on every online CPU while domains run */

int tandem_hw_get(void);
void tandem_hw_put(void);
u32 tandem_hw_users(void);

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
 * @cpus: START: the verdict's cpumask (bitmap), or %NULL for all CPUs
 * @cpus_len: bytes in @cpus
 * @weight: START: the verdict's weight
 * @cap: START: the verdict's cap
 * @action: CRASH: the verdict's &enum tandem_crash_action
 * @agent_portid: the agent asked (0 when there was none)
 * @agent_name: its name
 * @create: DOMAIN_CREATE: vCPUs, shutdown wishes and the creator's
 *	memory cgroup
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
	unsigned long *cpus;
	u32 cpus_len;
	u32 weight;
	u32 cap;
	u32 action;
	u32 agent_portid;
	char agent_name[TANDEM_NAME_MAX];
	union {
		struct {
			u32 vcpus;
			u32 on_poweroff;
			u32 on_reboot;
			u32 on_crash;
			struct mem_cgroup *memcg;
		} create;
		struct {
			u64 gpa;
			u32 len;
			u32 state;
			void *data;
		} mem;
		struct nlattr *config;
		struct tandem_attach *attach;
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

/* vdev.c: virtio devices in the virtio-mmio slots */

int tandem_device_attach_doit(struct sk_buff *skb, struct genl_info *info);
int tandem_device_detach_doit(struct sk_buff *skb, struct genl_info *info);
int tandem_vdevs_fill(struct sk_buff *skb, struct tandem_domain *dom);
void tandem_vdevs_destroy(struct tandem_domain *dom);
void tandem_vdevs_reset(struct tandem_domain *dom);
struct tandem_domain *tandem_domain_lookup(struct genl_info *info,
					   int id_attr, int name_attr);
int tandem_ask(struct tandem_decision *dec, struct genl_info *info);

/* events.c: the "events" and "audit" multicast groups */

void tandem_event_domain(u32 kind, struct tandem_domain *dom, u32 old_state);
void tandem_event_agent(u32 kind, u32 portid, const char *name);
void tandem_event_crashed(struct tandem_domain *dom, u32 action);
void tandem_event_verdict(const struct tandem_decision *dec, u32 portid,
			  const char *agent);

#endif /* TANDEM_HV_H */
