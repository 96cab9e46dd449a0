// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VMX backend.
 *
 * Lifetime: VMX is on (VMXON) on every online CPU while some domain is
 * started (hw.c); each vCPU owns one VMCS, made current on the CPU its
 * thread runs on and VMCLEARed on the old CPU when the thread moves.
 * Every CPU keeps the list of the VMCSs that are active on it, so that
 * turning VMX off (CPU offline, last domain gone, emergency reboot)
 * VMCLEARs them first.
 *
 * Guest state that VMX does not switch:
 * - the SYSCALL MSRs (STAR, LSTAR, CSTAR, SFMASK) and KERNEL_GS_BASE: the
 *   guest may read and write them without exits (MSR bitmap); their guest
 *   values are loaded into the CPU the first time the vCPU thread enters
 *   the guest after being scheduled in, and the host's come back when it
 *   is scheduled out (preempt notifier) or the vCPU is destroyed. A vCPU
 *   thread never returns to user space, so the host's values are not
 *   needed in between. The host's DS/ES/FS/GS/LDT selectors, TSS limit
 *   and GDT limit (VM exit changes them) are restored at the same time.
 * - CR2 is switched around every entry; DR0-3, DR6 and DR7 are kept in
 *   software (MOV DR exits): guest hardware breakpoints do not fire.
 * - XCR0 stays the host's (XSETBV exits; CPUID hides XSAVE, and CR4 bits
 *   the guest's CPUID does not offer, such as OSXSAVE, cannot be set).
 *
 * Host state restored after every exit: the NMI that caused an exit is
 * handed to the host's handler, a host IRQ is taken as soon as interrupts
 * are enabled again (acknowledge-interrupt-on-exit is off), DEBUGCTL and
 * hardware breakpoints are restored when the host uses them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": vmx: " fmt

#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <asm/cpu_entry_area.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/hw_breakpoint.h>
#include <asm/kvm_host.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/reboot.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/traps.h>
#include <asm/tsc.h>
#include <asm/virtext.h>
#include <asm/vmx.h>

#include "tandem_hv.h"
#include "vmx_entry.h"

/* Vectors that push an error code in protected mode (SDM Vol. 3 6.13). */
#define VMX_ERRCODE_VECTORS	(BIT(X86_TRAP_DF) | BIT(X86_TRAP_TS) | \
				 BIT(X86_TRAP_NP) | BIT(X86_TRAP_SS) | \
				 BIT(X86_TRAP_GP) | BIT(X86_TRAP_PF) | \
				 BIT(X86_TRAP_AC))

/*
 * CR4 bits a guest may set: %TANDEM_CR4_GUEST_BITS, those its filtered
 * CPUID can announce. Any other bit (VMXE, OSXSAVE, PKE, PCIDE, LA57,
 * CET...) is owned by the host through the CR4 guest/host mask, and
 * setting it raises #GP as on a CPU without the feature.
 */
#define VMX_CR4_GUEST_BITS	TANDEM_CR4_GUEST_BITS

#define VMX_EFER_GUEST_BITS	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

/*
 * Longest stretch in the guest without an exit, enforced with the VMX-
 * preemption timer: the run loop then sees its slice end and caps even
 * when no host interrupt comes (nohz_full CPUs), and Bochs, which never
 * turns an external interrupt into a VM exit while the guest runs with
 * RFLAGS.IF=0 after an entry made with IF=0, gives the host its CPU back.
 */
#define VMX_GUEST_STRETCH_US	1000

/**
 * struct vmx_caps - what the capability MSRs allow, computed at probe
 * @revision: VMCS revision identifier (MSR_IA32_VMX_BASIC bits 30:0)
 * @pin: pin-based controls
 * @proc: primary processor-based controls
 * @proc2: secondary processor-based controls
 * @exit: VM-exit controls
 * @entry: VM-entry controls, without IA-32e mode guest
 * @cr0_fixed0: CR0 bits that must be 1 in VMX operation (PE/PG relaxed)
 * @cr0_fixed1: CR0 bits that may be 1
 * @cr4_fixed0: CR4 bits that must be 1 (VMXE)
 * @cr4_guest: CR4 bits the guest may set
 * @cr0_mask: CR0 guest/host mask
 * @cr4_mask: CR4 guest/host mask
 * @ept_ad: EPT accessed/dirty flags in use
 * @invept_global: INVEPT all-context supported
 * @invept_single: INVEPT single-context supported
 * @invvpid_single: INVVPID single-context supported
 * @invvpid_all: INVVPID all-context supported
 * @lma_saved: VM exits store EFER.LMA in the IA-32e mode guest control
 *	(IA32_VMX_MISC bit 5)
 * @preempt_timer: VMX-preemption timer value for %VMX_GUEST_STRETCH_US,
 *	0 when the CPU has no preemption timer
 * @ok: the CPU can run Tandem guests
 */
struct vmx_caps {
	u32 revision;
	u32 pin, proc, proc2, exit, entry;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_guest;
	u64 cr0_mask, cr4_mask;
	bool ept_ad;
	bool invept_global, invept_single;
	bool invvpid_single, invvpid_all;
	bool lma_saved;
	u32 preempt_timer;
	bool ok;
};

static struct vmx_caps vmx_caps __ro_after_init;

/**
 * struct vmx_cpu - per-CPU VMX state
 * @vmxon: the VMXON region, allocated at module load
 * @current_vmcs: the vCPU whose VMCS is current here, or %NULL
 * @loaded: vCPUs whose VMCS is active on this CPU (vmx_vcpu.loaded_link)
 * @on: VMXON done by Tandem on this CPU
 */
struct vmx_cpu {
	void *vmxon;
	struct vmx_vcpu *current_vmcs;
	struct list_head loaded;
	bool on;
};

static DEFINE_PER_CPU(struct vmx_cpu, vmx_cpu);

/**
 * struct vmx_domain - per-domain state
 * @pml4: root of the EPT tables
 * @eptp: EPT pointer written to every VMCS of the domain
 */
struct vmx_domain {
	u64 *pml4;
	u64 eptp;
};

/**
 * struct vmx_vcpu - per-vCPU state
 * @vcpu: the common vCPU
 * @vmcs: the VMCS region
 * @loaded_link: entry in &vmx_cpu.loaded of @loaded_cpu
 * @loaded_cpu: CPU where the VMCS is active, -1 when clear
 * @last_cpu: CPU of the previous load, to flush the VPID when it changes
 * @launched: VMLAUNCH done since the last VMCLEAR
 * @vpid: VPID, 0 when none was free (then none is used)
 * @host_rsp: HOST_RSP as written in the VMCS
 * @host_cr3: HOST_CR3 as written in the VMCS
 * @host_cr4: HOST_CR4 as written in the VMCS
 * @exit_rip: guest RIP read at the last exit (or written by set_regs)
 * @exit_rsp: guest RSP likewise
 * @exit_rflags: guest RFLAGS likewise
 * @cr2: guest CR2
 * @dr: guest DR0-3
 * @dr6: guest DR6
 * @dr7: guest DR7
 * @inject_info: VM-entry interruption information for the next entry
 * @inject_error: its error code
 * @inject_len: its instruction length (software exceptions)
 * @guest_loaded: the guest's SYSCALL MSRs are in the CPU
 * @guest_msr: STAR, LSTAR, CSTAR, SFMASK, KERNEL_GS_BASE of the guest
 * @host_msr: the host's, while @guest_loaded
 * @host_debugctl: host DEBUGCTL, restored after exits when not 0
 * @host_ds: host selectors, restored with the host MSRs (and @host_es,
 *	@host_fs, @host_gs, @host_ldt)
 * @host_es: ES
 * @host_fs: FS
 * @host_gs: GS
 * @host_ldt: LDTR
 * @pn: the preempt notifier that puts the host state back
 */
struct vmx_vcpu {
	struct tandem_vcpu *vcpu;
	void *vmcs;
	struct list_head loaded_link;
	int loaded_cpu;
	int last_cpu;
	bool launched;
	u16 vpid;
	unsigned long host_rsp, host_cr3, host_cr4;
	u64 exit_rip, exit_rsp, exit_rflags;
	unsigned long cr2;
	u64 dr[4], dr6, dr7;
	u32 inject_info, inject_error, inject_len;
	bool irq_window;
	bool guest_loaded;
	u64 guest_msr[5];
	u64 host_msr[5];
	u64 host_debugctl;
	u16 host_ds, host_es, host_fs, host_gs, host_ldt;
	struct preempt_notifier pn;
};

/* The MSRs switched in software, in the order of guest_msr/host_msr. */
static const u32 vmx_switched_msrs[5] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE,
};

/* One MSR bitmap for all vCPUs: read-only for the CPU. */
static unsigned long *vmx_msr_bitmap;

static DEFINE_SPINLOCK(vmx_vpid_lock);
static DECLARE_BITMAP(vmx_vpids, VMX_NR_VPIDS);

/*
 * Domains with EPT tables: the emergency callback is registered while > 0
 * and kvm_intel is not loaded (vmx_kvm_present, kept by vmx_module_nb).
 */
static DEFINE_MUTEX(vmx_vm_lock);
static unsigned int vmx_vm_count;
static bool vmx_emergency_registered;
static bool vmx_kvm_present;
static struct notifier_block vmx_module_nb;

/* VMX instructions (SDM Vol. 3C chapter 30) */

static noinline void vmx_vmwrite_error(unsigned long field, unsigned long val)
{
	unsigned long err;

	asm volatile("vmread %1, %0" : "=r" (err)
		     : "r" ((unsigned long)VM_INSTRUCTION_ERROR) : "cc");
	pr_warn_ratelimited("VMWRITE of field %#lx with %#lx failed, error %lu\n",
			    field, val, err);
}

static __always_inline void vmcs_write(unsigned long field, unsigned long val)
{
	asm goto("vmwrite %1, %0\n\t"
		 "jna %l[fail]"
		 : : "r" (field), "rm" (val) : "cc" : fail);
	return;
fail:
	vmx_vmwrite_error(field, val);
}

static __always_inline unsigned long vmcs_read(unsigned long field)
{
	unsigned long val;

	asm volatile("vmread %1, %0" : "=r" (val) : "r" (field) : "cc");
	return val;
}

static int vmx_vmxon(u64 pa)
{
	u64 feat;

	/* SDM Vol. 3C 23.7: VMXON faults unless firmware enabled VMX. */
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat) ||
	    !(feat & FEAT_CTL_LOCKED) ||
	    !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX))
		return -EIO;
	asm goto("vmxon %0\n\t"
		 "jna %l[fail]"
		 : : "m" (pa) : "cc", "memory" : fail);
	return 0;
fail:
	return -EBUSY;
}

static void vmx_vmclear(void *vmcs)
{
	u64 pa = __pa(vmcs);

	asm volatile("vmclear %0" : : "m" (pa) : "cc", "memory");
}

static void vmx_vmptrld(void *vmcs)
{
	u64 pa = __pa(vmcs);

	asm volatile("vmptrld %0" : : "m" (pa) : "cc", "memory");
}

static void vmx_invept(unsigned long type, u64 eptp)
{
	struct {
		u64 eptp, zero;
	} desc = { eptp, 0 };

	asm volatile("invept %0, %1" : : "m" (desc), "r" (type) : "cc", "memory");
}

static void vmx_invvpid(unsigned long type, u16 vpid)
{
	struct {
		u64 vpid, gva;
	} desc = { vpid, 0 };

	asm volatile("invvpid %0, %1" : : "m" (desc), "r" (type) : "cc", "memory");
}

static void vmx_flush_vpid(u16 vpid)
{
	if (!vpid)
		return;
	if (vmx_caps.invvpid_single)
		vmx_invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, vpid);
	else if (vmx_caps.invvpid_all)
		vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0);
}

/* Capabilities and control values (SDM Vol. 3D Appendix A) */

/*
 * A control word: the bits in @want the CPU allows, plus the bits it
 * forces to 1. -EOPNOTSUPP when a bit of @need cannot be set.
 */
static int vmx_adjust_controls(u32 msr, u32 want, u32 need, u32 *out)
{
	u64 cap;
	u32 ctl;

	if (rdmsrl_safe(msr, &cap))
		return -EOPNOTSUPP;
	ctl = (want & (u32)(cap >> 32)) | (u32)cap;
	if ((ctl & need) != need) {
		pr_info("control MSR %#x lacks %#x\n", msr, need & ~ctl);
		return -EOPNOTSUPP;
	}
	*out = ctl;
	return 0;
}

static int vmx_setup_caps(void)
{
	struct vmx_caps *c = &vmx_caps;
	u64 basic, misc, ept_vpid = 0, f0, f1;
	bool true_ctls;
	u32 want;
	int err;

	if (rdmsrl_safe(MSR_IA32_VMX_BASIC, &basic) ||
	    rdmsrl_safe(MSR_IA32_VMX_MISC, &misc))
		return -EOPNOTSUPP;
	/* 4 KiB is enough for any VMCS; write-back VMCS memory is assumed. */
	if (((basic >> VMX_BASIC_VMCS_SIZE_SHIFT) & 0x1fff) > PAGE_SIZE ||
	    (basic & VMX_BASIC_64) ||
	    ((basic & VMX_BASIC_MEM_TYPE_MASK) >> VMX_BASIC_MEM_TYPE_SHIFT) !=
	    VMX_BASIC_MEM_TYPE_WB)
		return -EOPNOTSUPP;
	c->revision = basic & 0x7fffffff;
	true_ctls = basic & VMX_BASIC_TRUE_CTLS;
	c->lma_saved = misc & VMX_MISC_SAVE_EFER_LMA;

	err = vmx_adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
				  MSR_IA32_VMX_PINBASED_CTLS,
				  PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING |
				  PIN_BASED_VMX_PREEMPTION_TIMER,
				  PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING,
				  &c->pin);
	if (err)
		return err;
	/* SDM Vol. 3C 26.5.1: the timer counts down at TSC >> MISC[4:0]. */
	if ((c->pin & PIN_BASED_VMX_PREEMPTION_TIMER) && tsc_khz)
		c->preempt_timer =
			max_t(u64, 1, ((u64)tsc_khz * VMX_GUEST_STRETCH_US / 1000) >>
				      (misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK));
	else
		c->pin &= ~PIN_BASED_VMX_PREEMPTION_TIMER;

	want = CPU_BASED_HLT_EXITING | CPU_BASED_UNCOND_IO_EXITING |
	       CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS |
	       CPU_BASED_MOV_DR_EXITING | CPU_BASED_MWAIT_EXITING |
	       CPU_BASED_MONITOR_EXITING | CPU_BASED_RDPMC_EXITING |
	       CPU_BASED_USE_TSC_OFFSETTING;
	err = vmx_adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				  MSR_IA32_VMX_PROCBASED_CTLS, want,
				  CPU_BASED_USE_TSC_OFFSETTING |
				  CPU_BASED_HLT_EXITING |
				  CPU_BASED_UNCOND_IO_EXITING |
				  CPU_BASED_USE_MSR_BITMAPS |
				  CPU_BASED_ACTIVATE_SECONDARY_CONTROLS |
				  CPU_BASED_MOV_DR_EXITING, &c->proc);
	if (err)
		return err;
	/* With unconditional I/O exiting the I/O bitmaps are not needed. */
	if (c->proc & CPU_BASED_USE_IO_BITMAPS)
		return -EOPNOTSUPP;

	want = SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_UNRESTRICTED_GUEST |
	       SECONDARY_EXEC_ENABLE_VPID | SECONDARY_EXEC_ENABLE_RDTSCP |
	       SECONDARY_EXEC_ENABLE_INVPCID | SECONDARY_EXEC_XSAVES;
	err = vmx_adjust_controls(MSR_IA32_VMX_PROCBASED_CTLS2, want,
				  SECONDARY_EXEC_ENABLE_EPT |
				  SECONDARY_EXEC_UNRESTRICTED_GUEST, &c->proc2);
	if (err)
		return err;

	err = vmx_adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
				  MSR_IA32_VMX_EXIT_CTLS,
				  VM_EXIT_HOST_ADDR_SPACE_SIZE |
				  VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER |
				  VM_EXIT_LOAD_IA32_PAT | VM_EXIT_SAVE_DEBUG_CONTROLS,
				  VM_EXIT_HOST_ADDR_SPACE_SIZE |
				  VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER |
				  VM_EXIT_LOAD_IA32_PAT, &c->exit);
	if (err)
		return err;
	if (c->exit & VM_EXIT_ACK_INTR_ON_EXIT)
		return -EOPNOTSUPP;

	err = vmx_adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
				  MSR_IA32_VMX_ENTRY_CTLS,
				  VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT |
				  VM_ENTRY_LOAD_DEBUG_CONTROLS,
				  VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT,
				  &c->entry);
	if (err)
		return err;
	c->entry &= ~VM_ENTRY_IA32E_MODE;

	rdmsrl_safe(MSR_IA32_VMX_EPT_VPID_CAP, &ept_vpid);
	if (!(ept_vpid & VMX_EPT_PAGE_WALK_4_BIT) ||
	    !(ept_vpid & VMX_EPTP_WB_BIT) || !(ept_vpid & VMX_EPT_2MB_PAGE_BIT))
		return -EOPNOTSUPP;
	c->ept_ad = ept_vpid & VMX_EPT_AD_BIT;
	c->invept_global = (ept_vpid & VMX_EPT_INVEPT_BIT) &&
			   (ept_vpid & VMX_EPT_EXTENT_GLOBAL_BIT);
	c->invept_single = (ept_vpid & VMX_EPT_INVEPT_BIT) &&
			   (ept_vpid & VMX_EPT_EXTENT_CONTEXT_BIT);
	c->invvpid_single = ((ept_vpid >> 32) & VMX_VPID_INVVPID_BIT) &&
			    ((ept_vpid >> 32) & VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT);
	c->invvpid_all = ((ept_vpid >> 32) & VMX_VPID_INVVPID_BIT) &&
			 ((ept_vpid >> 32) & VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT);
	/* A VPID the TLB could keep stale entries for is worse than none. */
	if (!c->invvpid_single && !c->invvpid_all)
		c->proc2 &= ~SECONDARY_EXEC_ENABLE_VPID;

	/*
	 * SDM Vol. 3D A.7, A.8: with unrestricted guest, CR0.PE and CR0.PG
	 * may be 0 whatever CR0_FIXED0 says. The bits the guest may not
	 * choose (NE, VMXE, unsupported ones) are host-owned in the masks and
	 * the read shadows show the guest what it wrote.
	 */
	if (rdmsrl_safe(MSR_IA32_VMX_CR0_FIXED0, &f0) ||
	    rdmsrl_safe(MSR_IA32_VMX_CR0_FIXED1, &f1))
		return -EOPNOTSUPP;
	c->cr0_fixed0 = f0 & ~(u64)(X86_CR0_PE | X86_CR0_PG);
	c->cr0_fixed1 = f1;
	c->cr0_mask = c->cr0_fixed0 | ~f1;
	if (rdmsrl_safe(MSR_IA32_VMX_CR4_FIXED0, &f0) ||
	    rdmsrl_safe(MSR_IA32_VMX_CR4_FIXED1, &f1))
		return -EOPNOTSUPP;
	c->cr4_fixed0 = f0;
	c->cr4_guest = VMX_CR4_GUEST_BITS & f1 & ~f0;
	if (!boot_cpu_has(X86_FEATURE_FSGSBASE))
		c->cr4_guest &= ~X86_CR4_FSGSBASE;
	if (!boot_cpu_has(X86_FEATURE_SMEP))
		c->cr4_guest &= ~X86_CR4_SMEP;
	if (!boot_cpu_has(X86_FEATURE_SMAP))
		c->cr4_guest &= ~X86_CR4_SMAP;
	c->cr4_mask = ~c->cr4_guest;
	c->ok = true;
	return 0;
}

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

	if (vmx_setup_caps())
		pr_warn("the VMX controls Tandem needs are missing; domains cannot run\n");
	info->cr4_guest = vmx_caps.cr4_guest;
	return 0;
}

/* Module load and unload: memory that enabling VMX must not allocate */

static int vmx_init(void)
{
	unsigned int cpu;
	int i;

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *pc = per_cpu_ptr(&vmx_cpu, cpu);

		INIT_LIST_HEAD(&pc->loaded);
		pc->vmxon = (void *)get_zeroed_page(GFP_KERNEL);
		if (!pc->vmxon)
			goto err;
		*(u32 *)pc->vmxon = vmx_caps.revision;
	}

	/*
	 * Every RDMSR/WRMSR exits except these, whose guest values live in
	 * the VMCS guest-state area or are switched in software: FS_BASE,
	 * GS_BASE, KERNEL_GS_BASE, STAR, LSTAR, CSTAR, SYSCALL_MASK,
	 * SYSENTER_CS/ESP/EIP (read and write), PAT (read only).
	 */
	vmx_msr_bitmap = (unsigned long *)__get_free_page(GFP_KERNEL);
	if (!vmx_msr_bitmap)
		goto err;
	memset(vmx_msr_bitmap, 0xff, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(vmx_switched_msrs); i++) {
		u32 msr = vmx_switched_msrs[i] & 0x1fff;

		/* high MSRs: read bitmap at 1024, write bitmap at 3072 */
		__clear_bit(1024 * 8 + msr, vmx_msr_bitmap);
		__clear_bit(3072 * 8 + msr, vmx_msr_bitmap);
	}
	__clear_bit(1024 * 8 + (MSR_FS_BASE & 0x1fff), vmx_msr_bitmap);
	__clear_bit(3072 * 8 + (MSR_FS_BASE & 0x1fff), vmx_msr_bitmap);
	__clear_bit(1024 * 8 + (MSR_GS_BASE & 0x1fff), vmx_msr_bitmap);
	__clear_bit(3072 * 8 + (MSR_GS_BASE & 0x1fff), vmx_msr_bitmap);
	/* low MSRs: read bitmap at 0, write bitmap at 2048 */
	__clear_bit(MSR_IA32_SYSENTER_CS, vmx_msr_bitmap);
	__clear_bit(MSR_IA32_SYSENTER_ESP, vmx_msr_bitmap);
	__clear_bit(MSR_IA32_SYSENTER_EIP, vmx_msr_bitmap);
	__clear_bit(2048 * 8 + MSR_IA32_SYSENTER_CS, vmx_msr_bitmap);
	__clear_bit(2048 * 8 + MSR_IA32_SYSENTER_ESP, vmx_msr_bitmap);
	__clear_bit(2048 * 8 + MSR_IA32_SYSENTER_EIP, vmx_msr_bitmap);
	/* reads only: the guest PAT is loaded at entry (writes are checked) */
	__clear_bit(MSR_IA32_CR_PAT, vmx_msr_bitmap);

	if (register_module_notifier(&vmx_module_nb))
		goto err;
	return 0;

err:
	for_each_possible_cpu(cpu) {
		struct vmx_cpu *pc = per_cpu_ptr(&vmx_cpu, cpu);

		free_page((unsigned long)pc->vmxon);
		pc->vmxon = NULL;
	}
	free_page((unsigned long)vmx_msr_bitmap);
	vmx_msr_bitmap = NULL;
	return -ENOMEM;
}

static void vmx_exit(void)
{
	unsigned int cpu;

	unregister_module_notifier(&vmx_module_nb);
	for_each_possible_cpu(cpu) {
		struct vmx_cpu *pc = per_cpu_ptr(&vmx_cpu, cpu);

		free_page((unsigned long)pc->vmxon);
		pc->vmxon = NULL;
	}
	free_page((unsigned long)vmx_msr_bitmap);
	vmx_msr_bitmap = NULL;
}

/* VMX on and off, per CPU */

/* Make the VMCS of @vmx clear and inactive; on its CPU, IRQs off. */
static void vmx_vmcs_clear_local(struct vmx_vcpu *vmx)
{
	struct vmx_cpu *pc = this_cpu_ptr(&vmx_cpu);

	vmx_vmclear(vmx->vmcs);
	if (pc->current_vmcs == vmx)
		pc->current_vmcs = NULL;
	list_del(&vmx->loaded_link);
	vmx->launched = false;
	/* The list update is seen before the VMCS can be loaded elsewhere. */
	smp_wmb();
	WRITE_ONCE(vmx->loaded_cpu, -1);
}

static void vmx_vmcs_clear_remote(void *arg)
{
	struct vmx_vcpu *vmx = arg;

	/* CPU offline or VMX off may have cleared it already. */
	if (READ_ONCE(vmx->loaded_cpu) == smp_processor_id())
		vmx_vmcs_clear_local(vmx);
}

/* Make sure the VMCS is not active anywhere (IRQs on, may be preemptible). */
static void vmx_vmcs_clear(struct vmx_vcpu *vmx)
{
	int cpu = READ_ONCE(vmx->loaded_cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_vmcs_clear_remote, vmx, 1);
}

static int vmx_hardware_enable(void)
{
	struct vmx_cpu *pc = this_cpu_ptr(&vmx_cpu);
	unsigned long flags;
	int err;

	if (!vmx_caps.ok || !pc->vmxon)
		return -ENODEV;
	if (pc->on)
		return 0;

	/* IRQs off: an IPI enabling KVM here must not slip in between. */
	local_irq_save(flags);
	if (cr4_read_shadow() & X86_CR4_VMXE) {
		local_irq_restore(flags);
		pr_warn_ratelimited("CPU %d: VMX is already in use by another hypervisor (kvm_intel?); unload it or destroy its VMs first\n",
				    smp_processor_id());
		return -EBUSY;
	}
	cr4_set_bits(X86_CR4_VMXE);
	err = vmx_vmxon(__pa(pc->vmxon));
	if (err) {
		cr4_clear_bits(X86_CR4_VMXE);
		local_irq_restore(flags);
		pr_warn_ratelimited("CPU %d: VMXON failed (%d); is VMX enabled in the firmware?\n",
				    smp_processor_id(), err);
		return err;
	}
	pc->on = true;
	local_irq_restore(flags);

	/* Mappings left by an earlier user of VMX on this CPU are not ours. */
	if (vmx_caps.invept_global)
		vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	if (vmx_caps.invvpid_all)
		vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0);
	return 0;
}

static void vmx_hardware_disable(void)
{
	struct vmx_cpu *pc = this_cpu_ptr(&vmx_cpu);
	struct vmx_vcpu *vmx, *tmp;
	unsigned long flags;

	local_irq_save(flags);
	if (pc->on) {
		list_for_each_entry_safe(vmx, tmp, &pc->loaded, loaded_link)
			vmx_vmcs_clear_local(vmx);
		cpu_vmxoff();
		pc->on = false;
	}
	local_irq_restore(flags);
}

/*
 * Crash or emergency reboot, maybe in NMI context: VMX blocks INIT, so
 * the CPU must leave VMX operation; the VMCSs are flushed to memory first
 * for a crash dump to find them.
 */
static void vmx_emergency_disable(void)
{
	struct vmx_cpu *pc = this_cpu_ptr(&vmx_cpu);
	struct vmx_vcpu *vmx;

	if (pc->on) {
		list_for_each_entry(vmx, &pc->loaded, loaded_link)
			vmx_vmclear(vmx->vmcs);
	}
	__cpu_emergency_vmxoff();
}

/*
 * Only one emergency callback can be registered, and a second registration
 * is a WARN: kvm_intel registers its own at load, unconditionally, and it
 * turns VMX off too, whoever turned it on (our VMCSs are then not flushed
 * for a crash dump, nothing worse). Ours is registered only while Tandem
 * domains exist and kvm_intel is absent; a module notifier takes it away
 * before kvm_intel's init runs, and puts it back once kvm_intel is gone.
 */
static bool vmx_kvm_loaded(void)
{
	struct kvm_x86_ops *ops = symbol_get(kvm_x86_ops);
	bool loaded;

	if (!ops)
		return false;
	loaded = ops->hardware_enable;
	symbol_put(kvm_x86_ops);
	return loaded;
}

static void vmx_emergency_get(void)
{
	mutex_lock(&vmx_vm_lock);
	if (!vmx_vm_count++ && !vmx_kvm_present && !vmx_kvm_loaded()) {
		cpu_emergency_register_virt_callback(vmx_emergency_disable);
		vmx_emergency_registered = true;
	}
	mutex_unlock(&vmx_vm_lock);
}

/*
 * kvm_intel comes and goes: COMING is sent before its init registers its
 * callback, GOING after its exit (or failed init) unregistered it.
 */
static int vmx_module_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, "kvm_intel"))
		return NOTIFY_DONE;
	mutex_lock(&vmx_vm_lock);
	if (action == MODULE_STATE_COMING) {
		vmx_kvm_present = true;
		if (vmx_emergency_registered) {
			cpu_emergency_unregister_virt_callback(vmx_emergency_disable);
			vmx_emergency_registered = false;
		}
	} else if (action == MODULE_STATE_GOING) {
		vmx_kvm_present = false;
		if (vmx_vm_count && !vmx_emergency_registered) {
			cpu_emergency_register_virt_callback(vmx_emergency_disable);
			vmx_emergency_registered = true;
		}
	}
	mutex_unlock(&vmx_vm_lock);
	return NOTIFY_OK;
}

static struct notifier_block vmx_module_nb = {
	.notifier_call = vmx_module_notify,
};

static void vmx_emergency_put(void)
{
	mutex_lock(&vmx_vm_lock);
	if (!--vmx_vm_count && vmx_emergency_registered) {
		cpu_emergency_unregister_virt_callback(vmx_emergency_disable);
		vmx_emergency_registered = false;
	}
	mutex_unlock(&vmx_vm_lock);
}

/* EPT (SDM Vol. 3C 29.3): 4 levels, write-back, RWX for all of RAM */

#define EPT_ENTRIES		512
#define EPT_TABLE_RWX		VMX_EPT_RWX_MASK
#define EPT_LEAF_RWX_WB		(VMX_EPT_RWX_MASK | \
				 (MTRR_TYPE_WRBACK << VMX_EPT_MT_EPTE_SHIFT))
#define EPT_LARGE		BIT_ULL(7)
#define EPT_ADDR_MASK		GENMASK_ULL(51, 12)

static u64 *ept_next(u64 *table, unsigned int idx, bool alloc)
{
	u64 *next;

	if (table[idx] & VMX_EPT_RWX_MASK)
		return __va(table[idx] & EPT_ADDR_MASK);
	if (!alloc)
		return NULL;
	next = tandem_pt_page_alloc();
	if (!next)
		return NULL;
	table[idx] = __pa(next) | EPT_TABLE_RWX;
	return next;
}

/* Map one 4 KiB page (@large false) or 2 MiB chunk at @gpa to @hpa. */
static int ept_map(u64 *pml4, u64 gpa, u64 hpa, bool large)
{
	u64 *pdpt, *pd, *pt;

	pdpt = ept_next(pml4, (gpa >> 39) & 511, true);
	if (!pdpt)
		return -ENOMEM;
	pd = ept_next(pdpt, (gpa >> 30) & 511, true);
	if (!pd)
		return -ENOMEM;
	if (large) {
		pd[(gpa >> 21) & 511] = hpa | EPT_LEAF_RWX_WB | EPT_LARGE;
		return 0;
	}
	pt = ept_next(pd, (gpa >> 21) & 511, true);
	if (!pt)
		return -ENOMEM;
	pt[(gpa >> 12) & 511] = hpa | EPT_LEAF_RWX_WB;
	return 0;
}

static void ept_free(u64 *pml4)
{
	unsigned int i, j, k;

	for (i = 0; i < EPT_ENTRIES; i++) {
		u64 *pdpt = ept_next(pml4, i, false);

		if (!pdpt)
			continue;
		for (j = 0; j < EPT_ENTRIES; j++) {
			u64 *pd = ept_next(pdpt, j, false);

			if (!pd)
				continue;
			for (k = 0; k < EPT_ENTRIES; k++) {
				if (!(pd[k] & EPT_LARGE) && (pd[k] & VMX_EPT_RWX_MASK))
					tandem_pt_page_free(__va(pd[k] & EPT_ADDR_MASK));
			}
			tandem_pt_page_free(pd);
		}
		tandem_pt_page_free(pdpt);
	}
	tandem_pt_page_free(pml4);
}

static void vmx_invept_single_cpu(void *arg)
{
	if (!vmx_caps.invept_single && !vmx_caps.invept_global)
		return;
	if (this_cpu_read(vmx_cpu.on))
		vmx_invept(vmx_caps.invept_single ? VMX_EPT_EXTENT_CONTEXT :
			   VMX_EPT_EXTENT_GLOBAL, *(u64 *)arg);
}

static int vmx_vm_init(struct tandem_domain *dom)
{
	const struct tandem_mem *mem = &dom->mem;
	struct vmx_domain *vd;
	unsigned long gfn;
	int err;

	if (mem->size > BIT_ULL(boot_cpu_data.x86_phys_bits))
		return -EINVAL;
	vd = kzalloc(sizeof(*vd), GFP_KERNEL_ACCOUNT);
	if (!vd)
		return -ENOMEM;
	vd->pml4 = tandem_pt_page_alloc();
	if (!vd->pml4) {
		err = -ENOMEM;
		goto err_free;
	}

	for (gfn = 0; gfn < mem->nr_pages; ) {
		u64 gpa = (u64)gfn << PAGE_SHIFT;
		bool large = IS_ALIGNED(gfn, PTRS_PER_PMD) &&
			     gfn + PTRS_PER_PMD <= mem->nr_pages &&
			     test_bit(gfn / PTRS_PER_PMD, mem->huge);

		err = ept_map(vd->pml4, gpa, page_to_phys(mem->pages[gfn]), large);
		if (err)
			goto err_tables;
		gfn += large ? PTRS_PER_PMD : 1;
		cond_resched();
	}

	vd->eptp = __pa(vd->pml4) | VMX_EPTP_PWL_4 | VMX_EPTP_MT_WB;
	if (vmx_caps.ept_ad)
		vd->eptp |= VMX_EPTP_AD_ENABLE_BIT;
	/* The root page may have served another domain: no stale entries. */
	on_each_cpu(vmx_invept_single_cpu, &vd->eptp, 1);
	dom->arch = vd;
	vmx_emergency_get();
	return 0;

err_tables:
	ept_free(vd->pml4);
err_free:
	kfree(vd);
	return err;
}

static void vmx_vm_destroy(struct tandem_domain *dom)
{
	struct vmx_domain *vd = dom->arch;

	if (!vd)
		return;
	on_each_cpu(vmx_invept_single_cpu, &vd->eptp, 1);
	ept_free(vd->pml4);
	kfree(vd);
	dom->arch = NULL;
	vmx_emergency_put();
}

/* VPIDs: 0 is the host's */

static u16 vmx_vpid_alloc(void)
{
	unsigned long vpid;

	if (!(vmx_caps.proc2 & SECONDARY_EXEC_ENABLE_VPID))
		return 0;
	spin_lock(&vmx_vpid_lock);
	vpid = find_next_zero_bit(vmx_vpids, VMX_NR_VPIDS, 1);
	if (vpid < VMX_NR_VPIDS)
		__set_bit(vpid, vmx_vpids);
	else
		vpid = 0;
	spin_unlock(&vmx_vpid_lock);
	return vpid;
}

static void vmx_vpid_free(u16 vpid)
{
	if (!vpid)
		return;
	spin_lock(&vmx_vpid_lock);
	__clear_bit(vpid, vmx_vpids);
	spin_unlock(&vmx_vpid_lock);
}

static u32 vmx_vpids_in_use(void)
{
	u32 n;

	spin_lock(&vmx_vpid_lock);
	n = bitmap_weight(vmx_vpids, VMX_NR_VPIDS);
	spin_unlock(&vmx_vpid_lock);
	return n;
}

/* Making the VMCS current on this CPU */

/* Host state that differs between CPUs (SDM Vol. 3C 24.5). */
static void vmx_write_host_percpu(int cpu)
{
	unsigned long sysenter_esp, fs_base;

	vmcs_write(HOST_TR_BASE,
		   (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_write(HOST_GDTR_BASE, (unsigned long)get_cpu_gdt_ro(cpu));
	vmcs_write(HOST_GS_BASE, cpu_kernelmode_gs_base(cpu));
	rdmsrl(MSR_FS_BASE, fs_base);
	vmcs_write(HOST_FS_BASE, fs_base);
	rdmsrl(MSR_IA32_SYSENTER_ESP, sysenter_esp);
	vmcs_write(HOST_IA32_SYSENTER_ESP, sysenter_esp);
}

/* Preemption disabled, IRQs enabled (the old CPU may have to VMCLEAR). */
static void vmx_vcpu_load(struct vmx_vcpu *vmx)
{
	struct vmx_cpu *pc = this_cpu_ptr(&vmx_cpu);
	int cpu = smp_processor_id();

	if (likely(pc->current_vmcs == vmx))
		return;

	if (READ_ONCE(vmx->loaded_cpu) != cpu) {
		vmx_vmcs_clear(vmx);
		/* Pairs with smp_wmb() in vmx_vmcs_clear_local(). */
		smp_rmb();
		local_irq_disable();
		list_add(&vmx->loaded_link, &pc->loaded);
		vmx->loaded_cpu = cpu;
		local_irq_enable();
		vmx_vmptrld(vmx->vmcs);
		pc->current_vmcs = vmx;
		vmx_write_host_percpu(cpu);
		/* Its TLB entries here may predate guest changes made elsewhere. */
		if (vmx->last_cpu != cpu)
			vmx_flush_vpid(vmx->vpid);
		vmx->last_cpu = cpu;
		vmx->vcpu->cpu = cpu;
		return;
	}
	vmx_vmptrld(vmx->vmcs);
	pc->current_vmcs = vmx;
}

/* Guest MSRs and host selectors, switched lazily (see the top comment) */

static void vmx_guest_state_load(struct vmx_vcpu *vmx)
{
	int i;

	if (likely(vmx->guest_loaded))
		return;
	savesegment(ds, vmx->host_ds);
	savesegment(es, vmx->host_es);
	savesegment(fs, vmx->host_fs);
	savesegment(gs, vmx->host_gs);
	asm volatile("sldt %0" : "=r" (vmx->host_ldt));
	vmx->host_debugctl = get_debugctlmsr();
	for (i = 0; i < ARRAY_SIZE(vmx_switched_msrs); i++) {
		rdmsrl(vmx_switched_msrs[i], vmx->host_msr[i]);
		wrmsrl(vmx_switched_msrs[i], vmx->guest_msr[i]);
	}
	vmx->guest_loaded = true;
}

/* Preemption or IRQs disabled, on the vCPU thread. */
static void vmx_guest_state_put(struct vmx_vcpu *vmx)
{
	int i;

	if (!vmx->guest_loaded)
		return;
	for (i = 0; i < ARRAY_SIZE(vmx_switched_msrs); i++)
		rdmsrl(vmx_switched_msrs[i], vmx->guest_msr[i]);
	/* Loading GS clobbers KERNEL_GS_BASE: selectors before the MSRs. */
	if (vmx->host_ldt)
		asm volatile("lldt %0" : : "rm" (vmx->host_ldt));
	if (vmx->host_gs)
		load_gs_index(vmx->host_gs);
	if (vmx->host_fs)
		loadsegment(fs, vmx->host_fs);
	if (vmx->host_ds | vmx->host_es) {
		loadsegment(ds, vmx->host_ds);
		loadsegment(es, vmx->host_es);
	}
	for (i = 0; i < ARRAY_SIZE(vmx_switched_msrs); i++)
		wrmsrl(vmx_switched_msrs[i], vmx->host_msr[i]);
	/* VM exits set the TR limit to 0x67 and the GDT limit to 0xffff. */
	invalidate_tss_limit();
	load_fixmap_gdt(smp_processor_id());
	vmx->guest_loaded = false;
}

static void vmx_sched_in(struct preempt_notifier *pn, int cpu)
{
}

static void vmx_sched_out(struct preempt_notifier *pn,
			  struct task_struct *next)
{
	vmx_guest_state_put(container_of(pn, struct vmx_vcpu, pn));
}

static struct preempt_ops vmx_preempt_ops = {
	.sched_in = vmx_sched_in,
	.sched_out = vmx_sched_out,
};

/* Segment attributes: packed 12-bit format <-> VMX access rights */

static u32 vmx_ar_from_attrib(u16 attrib)
{
	if (!attrib)
		return VMX_AR_UNUSABLE_MASK;
	return (attrib & 0xff) | ((attrib & 0xf00) << 4);
}

static u16 vmx_attrib_from_ar(u32 ar)
{
	if (ar & VMX_AR_UNUSABLE_MASK)
		return 0;
	return (ar & 0xff) | ((ar >> 4) & 0xf00);
}

/* VMCS fields of ES, CS, SS, DS, FS, GS, LDTR, TR (encoding order). */
enum {
	VMX_ES, VMX_CS, VMX_SS, VMX_DS, VMX_FS, VMX_GS, VMX_LDTR, VMX_TR,
	VMX_NR_SEGS,
};

static struct tandem_segment *vmx_seg(struct tandem_vcpu_regs *r, int i)
{
	switch (i) {
	case VMX_ES: return &r->es;
	case VMX_CS: return &r->cs;
	case VMX_SS: return &r->ss;
	case VMX_DS: return &r->ds;
	case VMX_FS: return &r->fs;
	case VMX_GS: return &r->gs;
	case VMX_LDTR: return &r->ldtr;
	default: return &r->tr;
	}
}

static void vmx_write_seg(int i, const struct tandem_segment *s)
{
	vmcs_write(GUEST_ES_SELECTOR + 2 * i, s->selector);
	vmcs_write(GUEST_ES_LIMIT + 2 * i, s->limit);
	vmcs_write(GUEST_ES_AR_BYTES + 2 * i, vmx_ar_from_attrib(s->attrib));
	vmcs_write(GUEST_ES_BASE + 2 * i, s->base);
}

static void vmx_read_seg(int i, struct tandem_segment *s)
{
	s->selector = vmcs_read(GUEST_ES_SELECTOR + 2 * i);
	s->limit = vmcs_read(GUEST_ES_LIMIT + 2 * i);
	s->attrib = vmx_attrib_from_ar(vmcs_read(GUEST_ES_AR_BYTES + 2 * i));
	s->base = vmcs_read(GUEST_ES_BASE + 2 * i);
}

/* The VMCS at creation (SDM Vol. 3C 24.6-24.8, 25.2) */

static void vmx_vmcs_setup(struct vmx_vcpu *vmx)
{
	struct vmx_domain *vd = vmx->vcpu->dom->arch;
	u32 proc2 = vmx_caps.proc2;
	struct desc_ptr idt;
	u64 val;

	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_caps.pin);
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx_caps.proc);
	if (!vmx->vpid)
		proc2 &= ~SECONDARY_EXEC_ENABLE_VPID;
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, proc2);
	vmcs_write(VM_EXIT_CONTROLS, vmx_caps.exit);
	vmcs_write(VM_ENTRY_CONTROLS, vmx_caps.entry);
	if (vmx->vpid)
		vmcs_write(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	vmcs_write(EPT_POINTER, vd->eptp);
	vmcs_write(MSR_BITMAP, __pa(vmx_msr_bitmap));
	if (proc2 & SECONDARY_EXEC_XSAVES)
		vmcs_write(XSS_EXIT_BITMAP, 0);
	vmcs_write(EXCEPTION_BITMAP, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	/* The guest's TSC starts near 0 when the domain starts (vcpu.c). */
	vmcs_write(TSC_OFFSET, vmx->vcpu->dom->tsc_offset);
	vmcs_write(VMCS_LINK_POINTER, -1ULL);
	/* Reloaded at every entry: no "save preemption timer" control. */
	if (vmx_caps.pin & PIN_BASED_VMX_PREEMPTION_TIMER)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, vmx_caps.preempt_timer);
	vmcs_write(CR0_GUEST_HOST_MASK, vmx_caps.cr0_mask);
	vmcs_write(CR4_GUEST_HOST_MASK, vmx_caps.cr4_mask);

	/* Host state that is the same on every CPU */
	vmcs_write(HOST_CR0, read_cr0());
	vmx->host_cr3 = __read_cr3();
	vmcs_write(HOST_CR3, vmx->host_cr3);
	vmx->host_cr4 = cr4_read_shadow();
	vmcs_write(HOST_CR4, vmx->host_cr4);
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	store_idt(&idt);
	vmcs_write(HOST_IDTR_BASE, idt.address);
	vmcs_write(HOST_RIP, (unsigned long)tandem_vmx_exit);
	rdmsrl(MSR_IA32_SYSENTER_CS, val);
	vmcs_write(HOST_IA32_SYSENTER_CS, val);
	rdmsrl(MSR_IA32_SYSENTER_EIP, val);
	vmcs_write(HOST_IA32_SYSENTER_EIP, val);
	rdmsrl(MSR_EFER, val);
	vmcs_write(HOST_IA32_EFER, val);
	rdmsrl(MSR_IA32_CR_PAT, val);
	vmcs_write(HOST_IA32_PAT, val);
	vmx->host_rsp = 0;
	vmx_write_host_percpu(smp_processor_id());

	/* Guest state that struct tandem_vcpu_regs does not carry */
	vmcs_write(GUEST_IA32_PAT, 0x0007040600070406ULL);	/* reset value */
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_DR7, DR7_FIXED_1);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmx->dr6 = DR6_RESERVED;
	vmx->dr7 = DR7_FIXED_1;
}

/* Registers */

static bool vmx_canonical(u64 addr)
{
	return (u64)((s64)(addr << 16) >> 16) == addr;
}

/* The guest's view of CR0/CR4: host-owned bits come from the shadow. */
static u64 vmx_guest_cr0(void)
{
	u64 mask = vmx_caps.cr0_mask;

	return (vmcs_read(GUEST_CR0) & ~mask) | (vmcs_read(CR0_READ_SHADOW) & mask);
}

static u64 vmx_guest_cr4(void)
{
	u64 mask = vmx_caps.cr4_mask;

	return (vmcs_read(GUEST_CR4) & ~mask) | (vmcs_read(CR4_READ_SHADOW) & mask);
}

/* IA-32e mode guest follows EFER.LMA (SDM Vol. 3C 26.2.4, 26.3.1.1). */
static void vmx_write_efer(u64 efer)
{
	u32 entry = vmcs_read(VM_ENTRY_CONTROLS);

	vmcs_write(GUEST_IA32_EFER, efer);
	if (efer & EFER_LMA)
		entry |= VM_ENTRY_IA32E_MODE;
	else
		entry &= ~VM_ENTRY_IA32E_MODE;
	vmcs_write(VM_ENTRY_CONTROLS, entry);
}

/* PAE paging without EPT walking the PDPTEs: VM entry loads them. */
static int vmx_load_pdptrs(struct tandem_vcpu *vcpu, u64 cr3)
{
	u64 pdpte[4], gpa = cr3 & GENMASK_ULL(31, 5);
	int i;

	if (!tandem_mem_range_ok(&vcpu->dom->mem, gpa, sizeof(pdpte)))
		return -EINVAL;
	tandem_mem_read(&vcpu->dom->mem, gpa, pdpte, sizeof(pdpte));
	for (i = 0; i < 4; i++) {
		/* SDM Vol. 3A 4.4.1: reserved bits 2:1, 8:5, 63:MAXPHYADDR */
		if ((pdpte[i] & _PAGE_PRESENT) &&
		    ((pdpte[i] & (0x1e6ULL |
				 ~GENMASK_ULL(boot_cpu_data.x86_phys_bits - 1, 0)))))
			return -EINVAL;
		vmcs_write(GUEST_PDPTR0 + 2 * i, pdpte[i]);
	}
	return 0;
}

/* Checks of SDM Vol. 3C 26.3.1.2 on one segment, the common cases. */
static int vmx_check_seg(int i, const struct tandem_segment *s, bool lma)
{
	u16 a = s->attrib;
	u8 type = a & 0xf;

	if (!a)
		return i == VMX_CS || i == VMX_TR ? -EINVAL : 0;
	if (!(a & BIT(7)))				/* P */
		return -EINVAL;
	/* G must match the limit: bytes below 1 MiB, pages above. */
	if ((s->limit & 0xfff) != 0xfff && (a & BIT(11)))
		return -EINVAL;
	if ((s->limit >> 20) && !(a & BIT(11)))
		return -EINVAL;
	if (i == VMX_FS || i == VMX_GS || i == VMX_LDTR || i == VMX_TR) {
		if (!vmx_canonical(s->base))
			return -EINVAL;
	} else if (s->base >> 32) {
		return -EINVAL;
	}

	switch (i) {
	case VMX_CS:
		/* code, accessed; or read/write accessed data (real mode) */
		if (!(a & BIT(4)) || !(type & 1) || (!(type & 8) && type != 3))
			return -EINVAL;
		if ((a & BIT(9)) && (a & BIT(10)) && lma)	/* L and D */
			return -EINVAL;
		if ((a & BIT(9)) && !lma)
			return -EINVAL;
		break;
	case VMX_SS:
		if (!(a & BIT(4)) || (type != 3 && type != 7))
			return -EINVAL;
		break;
	case VMX_LDTR:
		if ((a & BIT(4)) || type != 2)
			return -EINVAL;
		break;
	case VMX_TR:
		if ((a & BIT(4)) || (type != 11 && (type != 3 || lma)))
			return -EINVAL;
		break;
	default:
		/* data, or readable code; accessed */
		if (!(a & BIT(4)) || !(type & 1) || ((type & 8) && !(type & 2)))
			return -EINVAL;
	}
	return 0;
}

static int vmx_check_regs(const struct tandem_vcpu_regs *r)
{
	bool lma = r->efer & EFER_LMA;
	struct tandem_vcpu_regs *rw = (struct tandem_vcpu_regs *)r;
	u64 cr0 = r->cr0;
	int i;

	/* CR0: SDM Vol. 3A 2.5; PE/PG may be 0 with unrestricted guest. */
	if ((cr0 >> 32) || ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE)) ||
	    ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD)) ||
	    (cr0 & ~vmx_caps.cr0_fixed1 & ~vmx_caps.cr0_mask))
		return -EINVAL;
	if (r->cr4 & ~vmx_caps.cr4_guest)
		return -EINVAL;
	if (r->cr3 >> boot_cpu_data.x86_phys_bits)
		return -EINVAL;
	if (r->efer & ~VMX_EFER_GUEST_BITS ||
	    ((r->efer & EFER_NX) && !boot_cpu_has(X86_FEATURE_NX)))
		return -EINVAL;
	/* EFER.LMA = LME && PG; long mode needs PAE (SDM Vol. 3A 9.8.5). */
	if (lma != ((r->efer & EFER_LME) && (cr0 & X86_CR0_PG)))
		return -EINVAL;
	if (lma && !(r->cr4 & X86_CR4_PAE))
		return -EINVAL;
	/* RFLAGS: bit 1 set, reserved bits clear, no VM86 in long mode. */
	if (!(r->rflags & X86_EFLAGS_FIXED) ||
	    (r->rflags & (GENMASK_ULL(63, 22) | BIT(15) | BIT(5) | BIT(3))) ||
	    ((r->rflags & X86_EFLAGS_VM) && (lma || !(cr0 & X86_CR0_PE))))
		return -EINVAL;
	if (!(lma && (r->cs.attrib & BIT(9))) && (r->rip >> 32))
		return -EINVAL;
	if (!vmx_canonical(r->rip) || !vmx_canonical(r->gdt.base) ||
	    !vmx_canonical(r->idt.base))
		return -EINVAL;
	for (i = 0; i < VMX_NR_SEGS; i++)
		if (vmx_check_seg(i, vmx_seg(rw, i), lma))
			return -EINVAL;
	return 0;
}

static void vmx_get_regs(struct tandem_vcpu *vcpu, struct tandem_vcpu_regs *r)
{
	struct vmx_vcpu *vmx = vcpu->arch;
	int i;

	vmx_vcpu_load(vmx);
	memcpy(r->gprs, vcpu->regs, sizeof(r->gprs));
	r->rip = vcpu->rip;
	r->rflags = vcpu->rflags;
	for (i = 0; i < VMX_NR_SEGS; i++)
		vmx_read_seg(i, vmx_seg(r, i));
	r->gdt = (struct tandem_dtable){
		.base = vmcs_read(GUEST_GDTR_BASE),
		.limit = vmcs_read(GUEST_GDTR_LIMIT),
	};
	r->idt = (struct tandem_dtable){
		.base = vmcs_read(GUEST_IDTR_BASE),
		.limit = vmcs_read(GUEST_IDTR_LIMIT),
	};
	r->cr0 = vmx_guest_cr0();
	r->cr2 = vmx->cr2;
	r->cr3 = vmcs_read(GUEST_CR3);
	r->cr4 = vmx_guest_cr4();
	r->efer = vmcs_read(GUEST_IA32_EFER);
}

/* Six VMREADs instead of get_regs' forty: the MMIO path needs no more. */
static void vmx_get_code_regs(struct tandem_vcpu *vcpu,
			      struct tandem_vcpu_regs *r)
{
	struct vmx_vcpu *vmx = vcpu->arch;

	vmx_vcpu_load(vmx);
	r->rip = vcpu->rip;
	vmx_read_seg(VMX_CS, &r->cs);
	r->cr0 = vmx_guest_cr0();
	r->cr3 = vmcs_read(GUEST_CR3);
	r->cr4 = vmx_guest_cr4();
	r->efer = vmcs_read(GUEST_IA32_EFER);
}

static int vmx_set_regs(struct tandem_vcpu *vcpu,
			const struct tandem_vcpu_regs *r)
{
	struct vmx_vcpu *vmx = vcpu->arch;
	int i, err;

	err = vmx_check_regs(r);
	if (err)
		return err;
	vmx_vcpu_load(vmx);
	if ((r->cr0 & X86_CR0_PG) && (r->cr4 & X86_CR4_PAE) &&
	    !(r->efer & EFER_LMA)) {
		err = vmx_load_pdptrs(vcpu, r->cr3);
		if (err)
			return err;
	}

	memcpy(vcpu->regs, r->gprs, sizeof(vcpu->regs));
	vcpu->rip = r->rip;
	vcpu->rflags = r->rflags;
	vmcs_write(GUEST_RIP, r->rip);
	vmcs_write(GUEST_RSP, r->gprs[TANDEM_RSP]);
	vmcs_write(GUEST_RFLAGS, r->rflags);
	vmx->exit_rip = r->rip;
	vmx->exit_rsp = r->gprs[TANDEM_RSP];
	vmx->exit_rflags = r->rflags;
	vcpu->regs_dirty = false;

	for (i = 0; i < VMX_NR_SEGS; i++)
		vmx_write_seg(i, vmx_seg((struct tandem_vcpu_regs *)r, i));
	vmcs_write(GUEST_GDTR_BASE, r->gdt.base);
	vmcs_write(GUEST_GDTR_LIMIT, r->gdt.limit);
	vmcs_write(GUEST_IDTR_BASE, r->idt.base);
	vmcs_write(GUEST_IDTR_LIMIT, r->idt.limit);

	vmcs_write(GUEST_CR0, (r->cr0 | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1);
	vmcs_write(CR0_READ_SHADOW, r->cr0);
	vmcs_write(GUEST_CR4, r->cr4 | vmx_caps.cr4_fixed0);
	vmcs_write(CR4_READ_SHADOW, r->cr4);
	vmcs_write(GUEST_CR3, r->cr3);
	vmx->cr2 = r->cr2;
	vmx_write_efer(r->efer);

	/* A new state: nothing pending from the old one. */
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmx->inject_info = 0;
	return 0;
}

/* MSRs kept in the VMCS: EFER and PAT writes exit, the rest pass through. */
static int vmx_msr_read(struct tandem_vcpu *vcpu, u32 msr, u64 *val)
{
	vmx_vcpu_load(vcpu->arch);
	switch (msr) {
	case MSR_EFER:
		*val = vmcs_read(GUEST_IA32_EFER);
		return 0;
	case MSR_IA32_CR_PAT:
		*val = vmcs_read(GUEST_IA32_PAT);
		return 0;
	}
	return -ENOENT;
}

static bool vmx_pat_valid(u64 pat)
{
	int i;

	/* SDM Vol. 3A 11.12.2: UC, WC, WT, WP, WB, UC- */
	for (i = 0; i < 8; i++, pat >>= 8)
		if ((pat & 0xf8) || (pat & 7) == 2 || (pat & 7) == 3)
			return false;
	return true;
}

static int vmx_msr_write(struct tandem_vcpu *vcpu, u32 msr, u64 val)
{
	u64 efer;

	vmx_vcpu_load(vcpu->arch);
	switch (msr) {
	case MSR_EFER:
		efer = vmcs_read(GUEST_IA32_EFER);
		if ((val & ~VMX_EFER_GUEST_BITS) ||
		    ((val & EFER_NX) && !boot_cpu_has(X86_FEATURE_NX)))
			return -EINVAL;
		/* LME cannot change while paging is on; LMA is read-only. */
		if ((vmcs_read(GUEST_CR0) & X86_CR0_PG) &&
		    ((val ^ efer) & EFER_LME))
			return -EINVAL;
		vmx_write_efer((val & ~EFER_LMA) | (efer & EFER_LMA));
		return 0;
	case MSR_IA32_CR_PAT:
		if (!vmx_pat_valid(val))
			return -EINVAL;
		vmcs_write(GUEST_IA32_PAT, val);
		return 0;
	}
	return -ENOENT;
}

/* Exits the backend handles itself */

static void vmx_queue_exception(struct tandem_vcpu *vcpu, u8 vector,
				bool has_error, u32 error);

static void vmx_skip(struct tandem_vcpu *vcpu)
{
	vcpu->rip += vcpu->exit.insn_len;
	vcpu->regs_dirty = true;
}

/* Operand size of MOV CR/DR: 64 bits only in 64-bit mode. */
static unsigned long vmx_gpr(struct tandem_vcpu *vcpu, int reg)
{
	unsigned long val = vcpu->regs[reg];

	if (!(vmcs_read(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK))
		val = (u32)val;
	return val;
}

static void vmx_set_gpr(struct tandem_vcpu *vcpu, int reg, unsigned long val)
{
	if (!(vmcs_read(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK))
		val = (u32)val;
	vcpu->regs[reg] = val;
	vcpu->regs_dirty = true;
}

/*
 * MOV to CR0 that changes a host-owned bit (NE, or one the CPU does not
 * allow): SDM Vol. 3A 2.5 and 9.8.5 for the paging-mode transitions.
 */
static int vmx_guest_set_cr0(struct tandem_vcpu *vcpu, u64 val)
{
	u64 old = vmx_guest_cr0(), cr4 = vmx_guest_cr4();
	u64 efer = vmcs_read(GUEST_IA32_EFER);
	bool l = vmcs_read(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK;

	if ((val >> 32) || ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) ||
	    ((val & X86_CR0_NW) && !(val & X86_CR0_CD)))
		return -EINVAL;
	if (!(old & X86_CR0_PG) && (val & X86_CR0_PG) && (efer & EFER_LME)) {
		if (!(cr4 & X86_CR4_PAE) || l)
			return -EINVAL;
		efer |= EFER_LMA;
	}
	if ((old & X86_CR0_PG) && !(val & X86_CR0_PG) && (efer & EFER_LMA)) {
		if (l)
			return -EINVAL;
		efer &= ~EFER_LMA;
	}
	if ((val & X86_CR0_PG) && !(old & X86_CR0_PG) &&
	    (cr4 & X86_CR4_PAE) && !(efer & EFER_LMA) &&
	    vmx_load_pdptrs(vcpu, vmcs_read(GUEST_CR3)))
		return -EINVAL;
	vmcs_write(GUEST_CR0, (val | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1);
	vmcs_write(CR0_READ_SHADOW, val);
	if (efer != vmcs_read(GUEST_IA32_EFER))
		vmx_write_efer(efer);
	return 0;
}

/* SDM Vol. 3C Table 28-3: exit qualification of control-register accesses */
static u32 vmx_handle_cr(struct tandem_vcpu *vcpu, u64 qual)
{
	int cr = qual & 15, type = (qual >> 4) & 3, reg = (qual >> 8) & 15;
	u64 val, cr0;

	switch (type) {
	case 0:	/* MOV to CR */
		val = vmx_gpr(vcpu, reg);
		if (cr == 0) {
			if (vmx_guest_set_cr0(vcpu, val))
				goto gp;
		} else if (cr == 4) {
			/* Only bits the guest may not set are intercepted. */
			goto gp;
		} else if (cr == 3) {
			vmcs_write(GUEST_CR3, val & ~BIT_ULL(63));
		} else if (cr != 8) {
			return TANDEM_EXIT_UNHANDLED;
		}
		break;
	case 1:	/* MOV from CR */
		if (cr == 3)
			vmx_set_gpr(vcpu, reg, vmcs_read(GUEST_CR3));
		else if (cr == 8)
			vmx_set_gpr(vcpu, reg, 0);
		else
			return TANDEM_EXIT_UNHANDLED;
		break;
	case 2:	/* CLTS */
		if (vmx_guest_set_cr0(vcpu, vmx_guest_cr0() & ~X86_CR0_TS))
			goto gp;
		break;
	default: /* LMSW: bits 3:0, and PE cannot be cleared */
		cr0 = vmx_guest_cr0();
		val = (cr0 & ~0xeULL) | ((qual >> 16) & 0xf);
		if (vmx_guest_set_cr0(vcpu, val))
			goto gp;
	}
	vmx_skip(vcpu);
	return TANDEM_EXIT_NONE;
gp:
	vmx_queue_exception(vcpu, X86_TRAP_GP, true, 0);
	return TANDEM_EXIT_NONE;
}

/*
 * MOV DR (SDM Vol. 3C Table 28-4): debug registers live in software, the
 * VMCS's DR7 stays 0x400 and the guest never reaches the CPU's DR0-3. The
 * CPU raised #GP (CPL > 0) and #UD (DR4/DR5 with CR4.DE) before the exit.
 */
static u32 vmx_handle_dr(struct tandem_vcpu *vcpu, u64 qual)
{
	struct vmx_vcpu *vmx = vcpu->arch;
	int dr = qual & 7, reg = (qual >> 8) & 15;
	u64 *slot, val;

	if (dr == 4 || dr == 5)
		dr += 2;
	slot = dr < 4 ? &vmx->dr[dr] : dr == 6 ? &vmx->dr6 : &vmx->dr7;
	if (qual & BIT(4)) {
		vmx_set_gpr(vcpu, reg, *slot);
		vmx_skip(vcpu);
		return TANDEM_EXIT_NONE;
	}
	val = vmx_gpr(vcpu, reg);
	/* DR6 and DR7 bits 63:32 must be zero (SDM Vol. 3B 17.2.6). */
	if (dr >= 6 && val >> 32) {
		vmx_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return TANDEM_EXIT_NONE;
	}
	/* What reads back: fixed ones set, DR7 bits 11, 12, 14, 15 clear. */
	if (dr == 6)
		val |= DR6_RESERVED;
	else if (dr == 7)
		val = (val & ~0xd800ULL) | DR7_FIXED_1;
	*slot = val;
	vmx_skip(vcpu);
	return TANDEM_EXIT_NONE;
}

static void vmx_queue_exception(struct tandem_vcpu *vcpu, u8 vector,
				bool has_error, u32 error)
{
	struct vmx_vcpu *vmx = vcpu->arch;
	u32 info = vector | INTR_INFO_VALID_MASK;

	if (vector == X86_TRAP_BP || vector == X86_TRAP_OF) {
		info |= INTR_TYPE_SOFT_EXCEPTION;
		vmx->inject_len = vcpu->exit.insn_len;
	} else {
		info |= INTR_TYPE_HARD_EXCEPTION;
	}
	/* Whether the error code is delivered is decided at entry. */
	if (has_error && (VMX_ERRCODE_VECTORS & BIT(vector)))
		info |= INTR_INFO_DELIVER_CODE_MASK;
	vmx->inject_info = info;
	vmx->inject_error = error;
}

/* External interrupts (SDM Vol. 3C 26.3.1.4 and 26.6.5) */

static bool vmx_irq_window_open(struct tandem_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = vcpu->arch;

	if (vmx->inject_info || !(vcpu->rflags & X86_EFLAGS_IF))
		return false;
	/* Common code moved RIP: the shadow went with the instruction. */
	if (vcpu->rip != vmx->exit_rip)
		return true;
	vmx_vcpu_load(vmx);
	return !(vmcs_read(GUEST_INTERRUPTIBILITY_INFO) &
		 (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

static void vmx_inject_irq(struct tandem_vcpu *vcpu, u8 vector)
{
	struct vmx_vcpu *vmx = vcpu->arch;

	vmx->inject_info = vector | INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK;
}

static void vmx_set_irq_window(struct vmx_vcpu *vmx, bool on)
{
	vmx_vcpu_load(vmx);
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL,
		   vmx_caps.proc | (on ? CPU_BASED_INTR_WINDOW_EXITING : 0));
	vmx->irq_window = on;
}

static void vmx_request_irq_window(struct tandem_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = vcpu->arch;

	if (!vmx->irq_window)
		vmx_set_irq_window(vmx, true);
}

/* Entry */

static void vmx_inject(struct vmx_vcpu *vmx)
{
	u32 info = vmx->inject_info;

	/* Real mode delivers no error code (SDM Vol. 3C 26.2.1.3). */
	if ((info & INTR_INFO_DELIVER_CODE_MASK) &&
	    !(vmcs_read(GUEST_CR0) & X86_CR0_PE))
		info &= ~INTR_INFO_DELIVER_CODE_MASK;
	if (info & INTR_INFO_DELIVER_CODE_MASK)
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, vmx->inject_error);
	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_SOFT_EXCEPTION ||
	    (info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_SOFT_INTR ||
	    (info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_PRIV_SW_EXCEPTION)
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN, vmx->inject_len);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info);
	vmx->inject_info = 0;
}

/* Common code moved RIP/RSP/RFLAGS or queued an event: tell the VMCS. */
static void vmx_sync_regs(struct tandem_vcpu *vcpu, struct vmx_vcpu *vmx)
{
	if (vcpu->rip != vmx->exit_rip) {
		u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);

		vmcs_write(GUEST_RIP, vcpu->rip);
		/* The instruction completed: no STI/MOV SS shadow after it. */
		if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
			vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
				   intr & ~(GUEST_INTR_STATE_STI |
					    GUEST_INTR_STATE_MOV_SS));
	}
	if (vcpu->regs[TANDEM_RSP] != vmx->exit_rsp)
		vmcs_write(GUEST_RSP, vcpu->regs[TANDEM_RSP]);
	if (vcpu->rflags != vmx->exit_rflags)
		vmcs_write(GUEST_RFLAGS, vcpu->rflags);
	vcpu->regs_dirty = false;
}

/* Exit reasons that only need the instruction skipped by common code. */
static u32 vmx_exit_reason(struct tandem_vcpu *vcpu, u32 basic, u64 qual)
{
	struct tandem_exit *e = &vcpu->exit;
	u32 info;

	switch (basic) {
	case EXIT_REASON_EXCEPTION_NMI:
		info = vmcs_read(VM_EXIT_INTR_INFO);
		if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
			return TANDEM_EXIT_NONE;	/* handled at the exit */
		e->exception.vector = info & INTR_INFO_VECTOR_MASK;
		e->exception.has_error = info & INTR_INFO_DELIVER_CODE_MASK;
		e->exception.error = e->exception.has_error ?
				     vmcs_read(VM_EXIT_INTR_ERROR_CODE) : 0;
		return TANDEM_EXIT_EXCEPTION;
	case EXIT_REASON_EXTERNAL_INTERRUPT:
	case EXIT_REASON_PREEMPTION_TIMER:
		return TANDEM_EXIT_NONE;
	case EXIT_REASON_INTERRUPT_WINDOW:
		vmx_set_irq_window(vcpu->arch, false);
		return TANDEM_EXIT_INTR_WINDOW;
	case EXIT_REASON_TRIPLE_FAULT:
		return TANDEM_EXIT_TRIPLE_FAULT;
	case EXIT_REASON_HLT:
		e->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
		return TANDEM_EXIT_HLT;
	case EXIT_REASON_CPUID:
		e->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
		return TANDEM_EXIT_CPUID;
	case EXIT_REASON_MSR_READ:
		e->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
		return TANDEM_EXIT_RDMSR;
	case EXIT_REASON_MSR_WRITE:
		e->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
		return TANDEM_EXIT_WRMSR;
	case EXIT_REASON_VMCALL:
		e->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
		return TANDEM_EXIT_HYPERCALL;
	case EXIT_REASON_XSETBV:
		e->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
		return TANDEM_EXIT_XSETBV;
	case EXIT_REASON_IO_INSTRUCTION:
		/* SDM Vol. 3C Table 28-5 */
		e->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
		e->io.port = qual >> 16;
		e->io.size = (qual & 7) + 1;
		e->io.in = qual & BIT(3);
		e->io.string = qual & BIT(4);
		e->io.rep = qual & BIT(5);
		return TANDEM_EXIT_IO;
	case EXIT_REASON_EPT_VIOLATION:
		/* SDM Vol. 3C Table 28-7 */
		e->npf.gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
		e->npf.write = qual & EPT_VIOLATION_ACC_WRITE;
		e->npf.fetch = qual & EPT_VIOLATION_ACC_INSTR;
		e->hw_info2 = vmcs_read(GUEST_LINEAR_ADDRESS);
		return TANDEM_EXIT_NPF;
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMOFF:
	case EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC:
		e->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
		return TANDEM_EXIT_VIRT_INSN;
	case EXIT_REASON_CR_ACCESS:
		e->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
		return vmx_handle_cr(vcpu, qual);
	case EXIT_REASON_DR_ACCESS:
		e->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
		return vmx_handle_dr(vcpu, qual);
	case EXIT_REASON_MWAIT_INSTRUCTION:
	case EXIT_REASON_MONITOR_INSTRUCTION:
		/* The guest's CPUID has no MONITOR: as on such a CPU. */
		vmx_queue_exception(vcpu, X86_TRAP_UD, false, 0);
		return TANDEM_EXIT_NONE;
	case EXIT_REASON_RDPMC:
		/* No PMU is offered. */
		vmx_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return TANDEM_EXIT_NONE;
	}
	e->hw_info2 = vmcs_read(GUEST_LINEAR_ADDRESS);
	return TANDEM_EXIT_UNHANDLED;
}

/*
 * An exit in the middle of delivering an event through the guest's IDT
 * (SDM Vol. 3C 28.2.4): deliver it again at the next entry.
 */
static void vmx_reinject(struct vmx_vcpu *vmx, u32 idt)
{
	u32 type = idt & INTR_INFO_INTR_TYPE_MASK;

	/* NMIs are never injected by Tandem, so none can be in flight. */
	if (type == INTR_TYPE_NMI_INTR)
		return;
	vmx->inject_info = idt & (INTR_INFO_VECTOR_MASK |
				  INTR_INFO_INTR_TYPE_MASK |
				  INTR_INFO_DELIVER_CODE_MASK |
				  INTR_INFO_VALID_MASK);
	if (idt & INTR_INFO_DELIVER_CODE_MASK)
		vmx->inject_error = vmcs_read(IDT_VECTORING_ERROR_CODE);
	if (type == INTR_TYPE_SOFT_EXCEPTION || type == INTR_TYPE_SOFT_INTR ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		vmx->inject_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
}

static void vmx_vcpu_run(struct tandem_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = vcpu->arch;
	struct tandem_exit *e = &vcpu->exit;
	unsigned long cr3, cr4;
	u32 reason, idt;
	u64 qual;
	int fail;

	vmx_vcpu_load(vmx);
	vmx_guest_state_load(vmx);
	if (vcpu->regs_dirty)
		vmx_sync_regs(vcpu, vmx);
	if (vmx->inject_info)
		vmx_inject(vmx);

	/* The thread runs on whatever mm it borrowed; PCID and CR4 vary. */
	cr3 = __read_cr3();
	if (unlikely(cr3 != vmx->host_cr3)) {
		vmcs_write(HOST_CR3, cr3);
		vmx->host_cr3 = cr3;
	}
	cr4 = cr4_read_shadow();
	if (unlikely(cr4 != vmx->host_cr4)) {
		vmcs_write(HOST_CR4, cr4);
		vmx->host_cr4 = cr4;
	}

	local_irq_disable();
	if (vmx->cr2 != native_read_cr2())
		native_write_cr2(vmx->cr2);
	fail = tandem_vmx_enter(vcpu->regs, &vmx->host_rsp, vmx->launched);
	vmx->cr2 = native_read_cr2();

	/* VM exits clear DEBUGCTL and set DR7 to 0x400. */
	if (vmx->host_debugctl)
		update_debugctlmsr(vmx->host_debugctl);
	if (hw_breakpoint_active())
		hw_breakpoint_restore();

	memset(e, 0, sizeof(*e));
	if (unlikely(fail)) {
		local_irq_enable();
		e->reason = TANDEM_EXIT_FAIL_ENTRY;
		e->hw_reason = 0xffff;
		e->hw_qual = vmcs_read(VM_INSTRUCTION_ERROR);
		pr_warn_ratelimited("domain %u vCPU %u: %s failed, VM-instruction error %llu\n",
				    vcpu->dom->id, vcpu->id,
				    vmx->launched ? "VMRESUME" : "VMLAUNCH",
				    e->hw_qual);
		return;
	}

	reason = vmcs_read(VM_EXIT_REASON);
	if ((u16)reason == EXIT_REASON_EXCEPTION_NMI &&
	    (vmcs_read(VM_EXIT_INTR_INFO) & INTR_INFO_INTR_TYPE_MASK) ==
	    INTR_TYPE_NMI_INTR)
		tandem_vmx_do_nmi();
	/* A host interrupt that caused the exit is taken here. */
	local_irq_enable();

	e->hw_reason = (u16)reason;
	qual = vmcs_read(EXIT_QUALIFICATION);
	e->hw_qual = qual;
	vmx->exit_rip = vmcs_read(GUEST_RIP);
	vmx->exit_rsp = vmcs_read(GUEST_RSP);
	vmx->exit_rflags = vmcs_read(GUEST_RFLAGS);
	vcpu->rip = vmx->exit_rip;
	vcpu->regs[TANDEM_RSP] = vmx->exit_rsp;
	vcpu->rflags = vmx->exit_rflags;

	if (unlikely(reason & VMX_EXIT_REASONS_FAILED_VMENTRY)) {
		e->reason = TANDEM_EXIT_FAIL_ENTRY;
		return;
	}
	vmx->launched = true;

	if (!vmx_caps.lma_saved)
		vmx_write_efer(vmcs_read(GUEST_IA32_EFER));
	idt = vmcs_read(IDT_VECTORING_INFO_FIELD);
	if (unlikely(idt & VECTORING_INFO_VALID_MASK))
		vmx_reinject(vmx, idt);
	e->reason = vmx_exit_reason(vcpu, (u16)reason, qual);
}

/* vCPU lifetime */

static int vmx_vcpu_init(struct tandem_vcpu *vcpu)
{
	struct tandem_vcpu_regs regs;
	struct vmx_vcpu *vmx;
	int err;

	vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);
	if (!vmx)
		return -ENOMEM;
	vmx->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmx->vmcs) {
		kfree(vmx);
		return -ENOMEM;
	}
	*(u32 *)vmx->vmcs = vmx_caps.revision;
	vmx->vcpu = vcpu;
	vmx->loaded_cpu = -1;
	vmx->last_cpu = -1;
	INIT_LIST_HEAD(&vmx->loaded_link);
	vmx->vpid = vmx_vpid_alloc();
	vcpu->arch = vmx;

	/* The notifier belongs to the thread that runs the vCPU: this one. */
	preempt_notifier_inc();
	preempt_notifier_init(&vmx->pn, &vmx_preempt_ops);
	preempt_disable();
	preempt_notifier_register(&vmx->pn);
	/* A new VMCS region is made clear before its first VMPTRLD. */
	vmx_vmclear(vmx->vmcs);
	vmx_vcpu_load(vmx);
	vmx_vmcs_setup(vmx);
	tandem_vcpu_reset_regs(&regs);
	err = vmx_set_regs(vcpu, &regs);
	preempt_enable();
	WARN_ON_ONCE(err);
	return 0;
}

static void vmx_vcpu_destroy(struct tandem_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = vcpu->arch;

	if (!vmx)
		return;
	preempt_disable();
	vmx_guest_state_put(vmx);
	preempt_notifier_unregister(&vmx->pn);
	preempt_enable();
	preempt_notifier_dec();
	vmx_vmcs_clear(vmx);
	free_page((unsigned long)vmx->vmcs);
	vmx_vpid_free(vmx->vpid);
	kfree(vmx);
	vcpu->arch = NULL;
}

const struct tandem_arch_ops tandem_vmx_ops = {
	.name = "vmx",
	.vendor = TANDEM_VENDOR_INTEL,
	.probe = vmx_probe,
	.init = vmx_init,
	.exit = vmx_exit,
	.hardware_enable = vmx_hardware_enable,
	.hardware_disable = vmx_hardware_disable,
	.vm_init = vmx_vm_init,
	.vm_destroy = vmx_vm_destroy,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_destroy = vmx_vcpu_destroy,
	.vcpu_run = vmx_vcpu_run,
	.get_regs = vmx_get_regs,
	.get_code_regs = vmx_get_code_regs,
	.set_regs = vmx_set_regs,
	.queue_exception = vmx_queue_exception,
	.msr_read = vmx_msr_read,
	.msr_write = vmx_msr_write,
	.asids_in_use = vmx_vpids_in_use,
	.irq_window_open = vmx_irq_window_open,
	.inject_irq = vmx_inject_irq,
	.request_irq_window = vmx_request_irq_window,
};
