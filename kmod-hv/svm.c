// SPDX-License-Identifier: GPL-2.0
/*
 * AMD SVM backend (AMD64 APM Vol. 2 ch. 15).
 *
 * One VMCB per vCPU holds the whole guest state: RAX, RSP, RIP and RFLAGS
 * are copied between it and struct tandem_vcpu around each VMRUN, the
 * other GPRs are switched by svm_entry.S, and the state VMRUN does not
 * switch (FS, GS, TR, LDTR, KernelGSBase, the SYSCALL and SYSENTER MSRs)
 * by VMLOAD/VMSAVE on the same VMCB, with the host's kept in a per-CPU
 * page. Guest RAM is mapped by nested page tables built once when the
 * domain starts: RAM never moves while the domain exists.
 *
 * Guest CPU state beyond the VMCB (Documentation/design.rst, "Guest CPU
 * state"):
 * - CR4 writes are intercepted and emulated, so that the guest can set
 *   only %TANDEM_CR4_GUEST_BITS, what its filtered CPUID announces: the
 *   others (OSXSAVE, PKE, ...) raise #GP as on a CPU without them. With
 *   decode assists EXITINFO1 names the register; QEMU has none, so the
 *   MOV is decoded from guest memory (decode.c). Guests rarely write CR4.
 * - Debug registers are virtual, as on VMX: every MOV DR exits, DR0-3 and
 *   DR7 live in &struct svm_vcpu and DR6 in the VMCB. The VMCB's DR7
 *   stays 0x400, so guest breakpoints do not fire and the guest never
 *   reads or writes the physical DR0-3, which may hold the host's.
 * - x87/SSE state is switched by the run loop (vcpu.c); XCR0 and PKRU
 *   stay the host's, which the guest cannot use without OSXSAVE and PKE.
 *
 * ASIDs are handed out per host CPU in generations, as the APM suggests
 * (15.16): a vCPU takes a fresh ASID whenever it lands on a CPU, and when
 * a CPU runs out of ASIDs it starts a new generation with one flush of
 * every ASID (TLB_CONTROL_FLUSH_ALL_ASID, which every SVM CPU has). A
 * fresh ASID holds no translations, so moving between CPUs costs no flush.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": svm: " fmt

#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/page.h>
#include <asm/pgtable_types.h>
#include <asm/processor.h>
#include <asm/svm.h>
#include <asm/traps.h>

#include "tandem_hv.h"
#include "decode.h"

/* svm_entry.S */
asmlinkage void tandem_svm_vmrun(u64 vmcb_pa, unsigned long *regs,
				 u64 host_pa, bool save_host);

/* APM Vol. 2 15.10.1, 15.11: sizes of the I/O and MSR permission maps. */
#define SVM_IOPM_ORDER		2	/* 12 KiB used */
#define SVM_MSRPM_ORDER		1	/* 8 KiB */

/* EXITINFO1 of a MOV CR/DR intercept with decode assists (APM 15.33.1). */
#define SVM_EXITINFO_MOV_VALID	BIT_ULL(63)

/* DR7 bits that read as 0 (APM Vol. 2 13.1.1.5). */
#define SVM_DR7_ZERO_BITS	(BIT_ULL(11) | BIT_ULL(12) | BIT_ULL(14) | \
				 BIT_ULL(15))

/* EXITINFO1 of a nested page fault (APM Vol. 2 15.25.6). */
#define SVM_NPF_WRITE		BIT_ULL(1)
#define SVM_NPF_FETCH		BIT_ULL(4)
#define SVM_NPF_IN_WALK		BIT_ULL(33)	/* on a guest page table */

/* Architectural reset values (APM Vol. 2 14.1.3, 13.1.1.5). */
#define SVM_DR6_RESET		0xffff0ff0ULL
#define SVM_DR7_RESET		0x400ULL
#define SVM_PAT_DEFAULT		0x0007040600070406ULL

/* Nested page table entries: host page-table format (APM 15.25.5). */
#define SVM_NPT_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define SVM_NPT_LEAF	(SVM_NPT_TABLE | _PAGE_DIRTY)
#define SVM_NPT_ENTRIES	512

/**
 * struct svm_cpu - per host CPU state
 * @hsave: the host save area VMRUN writes (MSR_VM_HSAVE_PA)
 * @host_area: where VMSAVE keeps the host's FS/GS/TR/LDTR and MSRs
 * @host_area_pa: its physical address, for svm_entry.S
 * @host_task: the task whose state @host_area holds, %NULL if none
 * @host_pid: its pid (a task_struct may be reused)
 * @host_switches: its context switch count at the time
 * @asid_gen: ASID generation; bumped when the ASIDs run out
 * @next_asid: next ASID to hand out in this generation
 * @on: EFER.SVME was set by us on this CPU
 */
struct svm_cpu {
	struct page *hsave;
	struct page *host_area;
	u64 host_area_pa;
	struct task_struct *host_task;
	pid_t host_pid;
	unsigned long host_switches;
	u64 asid_gen;
	u32 next_asid;
	bool on;
};

static DEFINE_PER_CPU(struct svm_cpu, svm_cpus);

/* Largest ASID (CPUID Fn8000_000A EBX - 1; 0 is the host's). */
static u32 svm_max_asid;
static bool svm_has_nrips;
/* What set_regs and WRMSR accept; filled by svm_probe(). */
static u64 svm_efer_ok;
static u64 svm_cr4_ok;
/* svm_init() allocated the per-CPU pages: they live until svm_exit(). */
static bool svm_prealloc;
/* VMCBs of live vCPUs, for svm_asids_in_use(). */
static atomic_t svm_nr_vmcbs = ATOMIC_INIT(0);

/**
 * struct svm_vm - per domain state
 * @npt: the PML4 of the nested page tables
 * @npt5: with 5-level host paging, the PML5 above it (entry 0 only:
 *	guest-physical space ends below 256 TiB)
 * @npt_pa: physical address of the top level (nCR3)
 * @iopm: I/O permission map, all ones: every port access exits
 * @msrpm: MSR permission map
 */
struct svm_vm {
	u64 *npt;
	u64 *npt5;
	u64 npt_pa;
	struct page *iopm;
	struct page *msrpm;
};

/**
 * struct svm_vcpu - per vCPU state
 * @vmcb: the VMCB (guest state, controls, exit information)
 * @vmcb_pa: its physical address
 * @asid_gen: generation of the ASID in @vmcb, on &tandem_vcpu.cpu; 0
 *	asks for a fresh ASID (a TLB flush) at the next run
 * @dr: the guest's DR0-3 (never loaded into the CPU)
 * @dr7: the guest's DR7 (the VMCB's stays 0x400)
 */
struct svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u64 asid_gen;
	u64 dr[4];
	u64 dr7;
	u64 exit_rip;
};

static inline struct svm_vcpu *to_svm(struct tandem_vcpu *vcpu)
{
	return vcpu->arch;
}

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

	svm_max_asid = info->nr_asids ? info->nr_asids - 1 : 0;
	svm_has_nrips = boot_cpu_has(X86_FEATURE_NRIPS);
	svm_efer_ok = EFER_SCE | EFER_LME | EFER_LMA | EFER_NX;
	if (boot_cpu_has(X86_FEATURE_FXSR_OPT))
		svm_efer_ok |= EFER_FFXSR;
	/* What the filtered CPUID can announce, as on VMX. */
	svm_cr4_ok = TANDEM_CR4_GUEST_BITS;
	if (!boot_cpu_has(X86_FEATURE_FSGSBASE))
		svm_cr4_ok &= ~X86_CR4_FSGSBASE;
	if (!boot_cpu_has(X86_FEATURE_SMEP))
		svm_cr4_ok &= ~X86_CR4_SMEP;
	if (!boot_cpu_has(X86_FEATURE_SMAP))
		svm_cr4_ok &= ~X86_CR4_SMAP;
	info->cr4_guest = svm_cr4_ok;
	return 0;
}

/* --- Per-CPU enable and disable --- */

static void svm_cpu_free(struct svm_cpu *sc)
{
	if (sc->hsave)
		__free_page(sc->hsave);
	if (sc->host_area)
		__free_page(sc->host_area);
	sc->hsave = NULL;
	sc->host_area = NULL;
}

static void svm_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		svm_cpu_free(per_cpu_ptr(&svm_cpus, cpu));
	svm_prealloc = false;
}

/* Module load: the per-CPU pages, so that enabling never allocates. */
static int svm_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sc = per_cpu_ptr(&svm_cpus, cpu);
		int node = cpu_to_node(cpu);

		sc->hsave = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO, 0);
		sc->host_area = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO, 0);
		if (!sc->hsave || !sc->host_area) {
			svm_exit();
			return -ENOMEM;
		}
	}
	svm_prealloc = true;
	return 0;
}

/*
 * Runs on the CPU concerned, from the hotplug callback, possibly with
 * preemption disabled. The pages come from svm_init(); without it they
 * are allocated here (GFP_ATOMIC) and freed again when the CPU is disabled.
 */
static int svm_hardware_enable(void)
{
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpus);
	u64 efer;

	if (sc->on)
		return 0;
	if (!svm_max_asid)
		return -ENODEV;
	rdmsrl(MSR_EFER, efer);
	/* Someone else (KVM) runs guests on this CPU: leave it alone. */
	if (efer & EFER_SVME)
		return -EBUSY;

	if (!sc->hsave)
		sc->hsave = alloc_page(GFP_ATOMIC | __GFP_ZERO);
	if (!sc->host_area)
		sc->host_area = alloc_page(GFP_ATOMIC | __GFP_ZERO);
	if (!sc->hsave || !sc->host_area) {
		svm_cpu_free(sc);
		return -ENOMEM;
	}
	sc->host_area_pa = page_to_phys(sc->host_area);
	sc->host_task = NULL;

	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(sc->hsave));
	/*
	 * Whatever ran here before may have left translations tagged with any
	 * ASID: the first ASID handed out starts a generation with a flush.
	 */
	sc->asid_gen++;
	sc->next_asid = svm_max_asid + 1;
	sc->on = true;
	return 0;
}

/* Never fails; no vCPU runs here (run slices are not preemptible). */
static void svm_hardware_disable(void)
{
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpus);
	u64 efer;

	if (!sc->on)
		return;
	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	sc->on = false;
	if (!svm_prealloc)
		svm_cpu_free(sc);
}

/* --- Nested page tables --- */

static u64 *svm_npt_table(u64 entry)
{
	return phys_to_virt(entry & PTE_PFN_MASK);
}

/* The table below @table[idx], allocated when missing. */
static u64 *svm_npt_next(u64 *table, unsigned int idx)
{
	u64 *next;

	if (table[idx] & _PAGE_PRESENT)
		return svm_npt_table(table[idx]);
	next = tandem_pt_page_alloc();
	if (next)
		table[idx] = virt_to_phys(next) | SVM_NPT_TABLE;
	return next;
}

/* Free a table of @level (4: PML4 ... 1: PT) and everything below it. */
static void svm_npt_free(u64 *table, int level)
{
	unsigned int i;

	if (level > 1) {
		for (i = 0; i < SVM_NPT_ENTRIES; i++) {
			u64 e = table[i];

			if ((e & _PAGE_PRESENT) && !(e & _PAGE_PSE))
				svm_npt_free(svm_npt_table(e), level - 1);
		}
	}
	tandem_pt_page_free(table);
}

/*
 * Map every guest page frame to its host page: a 2 MiB entry where the
 * chunk is one order-9 allocation (naturally aligned), 4 KiB ones
 * elsewhere. The rest of the guest-physical space stays unmapped, so that
 * device and stray accesses exit with a nested page fault.
 */
static int svm_npt_build(struct svm_vm *vm, const struct tandem_mem *mem)
{
	unsigned long gfn = 0;

	while (gfn < mem->nr_pages) {
		u64 gpa = (u64)gfn << PAGE_SHIFT;
		u64 *pdpt, *pd, *pt;

		pdpt = svm_npt_next(vm->npt, (gpa >> 39) & 511);
		pd = pdpt ? svm_npt_next(pdpt, (gpa >> 30) & 511) : NULL;
		if (!pd)
			return -ENOMEM;
		if (!(gfn % SVM_NPT_ENTRIES) &&
		    test_bit(gfn / SVM_NPT_ENTRIES, mem->huge)) {
			pd[(gpa >> 21) & 511] = page_to_phys(mem->pages[gfn]) |
						SVM_NPT_LEAF | _PAGE_PSE;
			gfn += SVM_NPT_ENTRIES;
			continue;
		}
		pt = svm_npt_next(pd, (gpa >> 21) & 511);
		if (!pt)
			return -ENOMEM;
		do {
			pt[gfn % SVM_NPT_ENTRIES] = page_to_phys(mem->pages[gfn]) |
						    SVM_NPT_LEAF;
			gfn++;
		} while (gfn < mem->nr_pages && gfn % SVM_NPT_ENTRIES);
		cond_resched();
	}
	return 0;
}

/* Let the guest reach @msr without an exit (APM Vol. 2 15.11). */
static void svm_msrpm_pass(u8 *msrpm, u32 msr)
{
	u32 bit;

	if (msr <= 0x1fff)
		bit = msr * 2;
	else if (msr - 0xc0000000 <= 0x1fff)
		bit = 0x800 * 8 + (msr - 0xc0000000) * 2;
	else if (msr - 0xc0010000 <= 0x1fff)
		bit = 0x1000 * 8 + (msr - 0xc0010000) * 2;
	else
		return;
	msrpm[bit / 8] &= ~(3 << (bit % 8));
}

/*
 * MSRs the guest may read and write freely: VMLOAD/VMSAVE switch them
 * with the guest's VMCB, so the host's values come back at the exit.
 * Everything else exits, in particular EFER (SVME is hidden), PAT (kept
 * in the VMCB's G_PAT), TSC_AUX and SPEC_CTRL (not switched: the guest
 * must not change the host's), and the debug and performance MSRs.
 */
static const u32 svm_msr_passthrough[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

static void svm_vm_free(struct svm_vm *vm)
{
	if (vm->npt)
		svm_npt_free(vm->npt, 4);
	tandem_pt_page_free(vm->npt5);
	if (vm->iopm)
		__free_pages(vm->iopm, SVM_IOPM_ORDER);
	if (vm->msrpm)
		__free_pages(vm->msrpm, SVM_MSRPM_ORDER);
	kfree(vm);
}

static int svm_vm_init(struct tandem_domain *dom)
{
	struct svm_vm *vm;
	unsigned int i;
	int err;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	vm->npt = tandem_pt_page_alloc();
	vm->iopm = alloc_pages(GFP_KERNEL_ACCOUNT, SVM_IOPM_ORDER);
	vm->msrpm = alloc_pages(GFP_KERNEL_ACCOUNT, SVM_MSRPM_ORDER);
	if (!vm->npt || !vm->iopm || !vm->msrpm) {
		err = -ENOMEM;
		goto err_free;
	}
	vm->npt_pa = virt_to_phys(vm->npt);
	/*
	 * Nested paging walks in the host's paging mode at VMRUN (APM Vol. 2
	 * 15.25.3): 5 levels when the host runs with CR4.LA57.
	 */
	if (pgtable_l5_enabled()) {
		vm->npt5 = tandem_pt_page_alloc();
		if (!vm->npt5) {
			err = -ENOMEM;
			goto err_free;
		}
		vm->npt5[0] = vm->npt_pa | SVM_NPT_TABLE;
		vm->npt_pa = virt_to_phys(vm->npt5);
	}
	memset(page_address(vm->iopm), 0xff, PAGE_SIZE << SVM_IOPM_ORDER);
	memset(page_address(vm->msrpm), 0xff, PAGE_SIZE << SVM_MSRPM_ORDER);
	for (i = 0; i < ARRAY_SIZE(svm_msr_passthrough); i++)
		svm_msrpm_pass(page_address(vm->msrpm), svm_msr_passthrough[i]);

	err = svm_npt_build(vm, &dom->mem);
	if (err)
		goto err_free;
	dom->arch = vm;
	return 0;

err_free:
	svm_vm_free(vm);
	return err;
}

static void svm_vm_destroy(struct tandem_domain *dom)
{
	if (!dom->arch)
		return;
	svm_vm_free(dom->arch);
	dom->arch = NULL;
}

/* --- Registers --- */

static void svm_seg_get(struct tandem_segment *s, const struct vmcb_seg *v)
{
	s->base = v->base;
	s->limit = v->limit;
	s->selector = v->selector;
	s->attrib = v->attrib;
}

static void svm_seg_set(struct vmcb_seg *v, const struct tandem_segment *s)
{
	v->base = s->base;
	v->limit = s->limit;
	v->selector = s->selector;
	v->attrib = s->attrib;
}

static void svm_get_regs(struct tandem_vcpu *vcpu, struct tandem_vcpu_regs *r)
{
	const struct vmcb_save_area *s = &to_svm(vcpu)->vmcb->save;

	/* After an exit, RAX/RSP/RIP/RFLAGS in @vcpu are the current ones. */
	BUILD_BUG_ON(ARRAY_SIZE(r->gprs) != TANDEM_NR_GPRS);
	memcpy(r->gprs, vcpu->regs, sizeof(r->gprs));
	r->rip = vcpu->rip;
	r->rflags = vcpu->rflags;
	svm_seg_get(&r->cs, &s->cs);
	svm_seg_get(&r->ds, &s->ds);
	svm_seg_get(&r->es, &s->es);
	svm_seg_get(&r->fs, &s->fs);
	svm_seg_get(&r->gs, &s->gs);
	svm_seg_get(&r->ss, &s->ss);
	svm_seg_get(&r->tr, &s->tr);
	svm_seg_get(&r->ldtr, &s->ldtr);
	memset(&r->gdt, 0, sizeof(r->gdt));
	memset(&r->idt, 0, sizeof(r->idt));
	r->gdt.base = s->gdtr.base;
	r->gdt.limit = s->gdtr.limit;
	r->idt.base = s->idtr.base;
	r->idt.limit = s->idtr.limit;
	r->cr0 = s->cr0;
	r->cr2 = s->cr2;
	r->cr3 = s->cr3;
	r->cr4 = s->cr4;
	r->efer = s->efer & ~EFER_SVME;
}

static void svm_get_code_regs(struct tandem_vcpu *vcpu,
			      struct tandem_vcpu_regs *r)
{
	const struct vmcb_save_area *s = &to_svm(vcpu)->vmcb->save;

	r->rip = vcpu->rip;
	svm_seg_get(&r->cs, &s->cs);
	r->cr0 = s->cr0;
	r->cr3 = s->cr3;
	r->cr4 = s->cr4;
	r->efer = s->efer & ~EFER_SVME;
}

static bool svm_seg_present(const struct tandem_segment *s)
{
	return s->attrib & SVM_SELECTOR_P_MASK;
}

static unsigned int svm_seg_type(const struct tandem_segment *s)
{
	return s->attrib & (SVM_SELECTOR_S_MASK | SVM_SELECTOR_TYPE_MASK);
}

/*
 * The checks VMRUN makes (APM Vol. 2 15.5.1, "Canonicalization and
 * Consistency Checks"), and a few states no CPU can be in that would make
 * the guest fail at once in confusing ways.
 */
static int svm_check_regs(const struct tandem_vcpu_regs *r)
{
	bool pe = r->cr0 & X86_CR0_PE, pg = r->cr0 & X86_CR0_PG;
	bool lm = (r->efer & EFER_LME) && pg;
	bool v86 = r->rflags & X86_EFLAGS_VM;
	const struct tandem_segment *segs[] = {
		&r->cs, &r->ds, &r->es, &r->fs, &r->gs, &r->ss, &r->tr, &r->ldtr,
	};
	unsigned int i;

	if (r->cr0 >> 32 || (!(r->cr0 & X86_CR0_CD) && (r->cr0 & X86_CR0_NW)))
		return -EINVAL;
	if (pg && !pe)
		return -EINVAL;
	if (r->cr3 >> boot_cpu_data.x86_phys_bits)
		return -EINVAL;
	if (r->cr4 & ~svm_cr4_ok)
		return -EINVAL;
	if (r->efer & ~svm_efer_ok)
		return -EINVAL;
	if (lm && !(r->cr4 & X86_CR4_PAE))
		return -EINVAL;
	if (lm && (r->cs.attrib & SVM_SELECTOR_L_MASK) &&
	    (r->cs.attrib & SVM_SELECTOR_DB_MASK))
		return -EINVAL;
	if ((r->cr4 & X86_CR4_PCIDE) && !lm)
		return -EINVAL;
	/* RFLAGS bits 63:22 are reserved; VM86 does not exist in long mode. */
	if (r->rflags >> 22 || (lm && v86))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(segs); i++)
		if (segs[i]->attrib & ~0xfff)
			return -EINVAL;
	if (!pe || v86)
		return 0;
	/* Protected mode: CS is a present code segment ... */
	if (!svm_seg_present(&r->cs) ||
	    !(r->cs.attrib & SVM_SELECTOR_S_MASK) ||
	    !(r->cs.attrib & SVM_SELECTOR_CODE_MASK))
		return -EINVAL;
	/* ... TR a busy TSS (32/64-bit; 16-bit only outside long mode) ... */
	if (!svm_seg_present(&r->tr) ||
	    (svm_seg_type(&r->tr) != 0xb && (lm || svm_seg_type(&r->tr) != 0x3)))
		return -EINVAL;
	/* ... and LDTR unusable or an LDT. */
	if (svm_seg_present(&r->ldtr) && svm_seg_type(&r->ldtr) != 0x2)
		return -EINVAL;
	return 0;
}

/* No virtual interrupt: neither a window request nor a queued vector. */
static void svm_irq_window_off(struct vmcb_control_area *c)
{
	c->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
	c->intercepts[INTERCEPT_VINTR / 32] &= ~BIT(INTERCEPT_VINTR % 32);
}

/* A virtual interrupt with a vector to deliver, not a window request. */
static bool svm_irq_queued(const struct vmcb_control_area *c)
{
	return (c->int_ctl & V_IRQ_MASK) &&
	       !(c->intercepts[INTERCEPT_VINTR / 32] & BIT(INTERCEPT_VINTR % 32));
}

/* Write the state into the VMCB; @r has been checked (or is the reset). */
static void svm_load_regs(struct tandem_vcpu *vcpu,
			  const struct tandem_vcpu_regs *r)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_save_area *s = &vmcb->save;
	u64 efer = r->efer & ~EFER_LMA;

	memcpy(vcpu->regs, r->gprs, sizeof(vcpu->regs));
	vcpu->rip = r->rip;
	vcpu->rflags = r->rflags | X86_EFLAGS_FIXED;
	vcpu->regs_dirty = true;

	svm_seg_set(&s->cs, &r->cs);
	svm_seg_set(&s->ds, &r->ds);
	svm_seg_set(&s->es, &r->es);
	svm_seg_set(&s->fs, &r->fs);
	svm_seg_set(&s->gs, &r->gs);
	svm_seg_set(&s->ss, &r->ss);
	svm_seg_set(&s->tr, &r->tr);
	svm_seg_set(&s->ldtr, &r->ldtr);
	s->gdtr.base = r->gdt.base;
	s->gdtr.limit = r->gdt.limit;
	s->idtr.base = r->idt.base;
	s->idtr.limit = r->idt.limit;
	s->cr0 = r->cr0;
	s->cr2 = r->cr2;
	s->cr3 = r->cr3;
	s->cr4 = r->cr4;
	/* LMA follows LME and CR0.PG; SVME must be set (APM 15.5.1). */
	if ((efer & EFER_LME) && (r->cr0 & X86_CR0_PG))
		efer |= EFER_LMA;
	s->efer = efer | EFER_SVME;
	/* The VMCB's CPL is SS.DPL in protected mode (APM 15.5.1). */
	if (!(r->cr0 & X86_CR0_PE))
		s->cpl = 0;
	else if (r->rflags & X86_EFLAGS_VM)
		s->cpl = 3;
	else
		s->cpl = (r->ss.attrib & SVM_SELECTOR_DPL_MASK) >>
			 SVM_SELECTOR_DPL_SHIFT;
	/* A new state: nothing left to deliver from the old one. */
	vmcb->control.event_inj = 0;
	vmcb->control.event_inj_err = 0;
	svm_irq_window_off(&vmcb->control);
}

static int svm_set_regs(struct tandem_vcpu *vcpu,
			const struct tandem_vcpu_regs *r)
{
	int err = svm_check_regs(r);

	if (err)
		return err;
	svm_load_regs(vcpu, r);
	return 0;
}

/* --- vCPUs --- */

static void svm_intercept(struct vmcb_control_area *c, unsigned int bit)
{
	c->intercepts[bit / 32] |= BIT(bit % 32);
}

static const u8 svm_intercepts[] = {
	/* Host events: exit, then the host takes them after STGI. */
	INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI,
	/* What common code handles. */
	INTERCEPT_HLT, INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT,
	INTERCEPT_CPUID, INTERCEPT_VMMCALL, INTERCEPT_XSETBV,
	INTERCEPT_SHUTDOWN,
	/* SVM itself is hidden from the guest (APM 15.5.1: VMRUN must be). */
	INTERCEPT_VMRUN, INTERCEPT_VMLOAD, INTERCEPT_VMSAVE, INTERCEPT_STGI,
	INTERCEPT_CLGI, INTERCEPT_SKINIT, INTERCEPT_INVLPGA,
	/* Handled here: INVD would drop the host's dirty cache lines ... */
	INTERCEPT_INVD,
	/* ... CR4 may only take the bits the guest's CPUID announces ... */
	INTERCEPT_CR4_WRITE,
	/* ... the debug registers are virtual (DR0-3 may hold the host's) ... */
	INTERCEPT_DR0_READ, INTERCEPT_DR1_READ, INTERCEPT_DR2_READ,
	INTERCEPT_DR3_READ, INTERCEPT_DR4_READ, INTERCEPT_DR5_READ,
	INTERCEPT_DR6_READ, INTERCEPT_DR7_READ,
	INTERCEPT_DR0_WRITE, INTERCEPT_DR1_WRITE, INTERCEPT_DR2_WRITE,
	INTERCEPT_DR3_WRITE, INTERCEPT_DR4_WRITE, INTERCEPT_DR5_WRITE,
	INTERCEPT_DR6_WRITE, INTERCEPT_DR7_WRITE,
	/* ... and MONITOR/MWAIT (hidden by CPUID) could park the host CPU. */
	INTERCEPT_MONITOR, INTERCEPT_MWAIT, INTERCEPT_MWAIT_COND,
};

/*
 * #DB and #AC are intercepted and reflected back: a guest can otherwise
 * make their delivery loop forever inside the CPU, where no interrupt
 * gets the host its CPU back (CVE-2015-8104, CVE-2015-5307).
 */
#define SVM_EXCEPTION_INTERCEPTS	(BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC))

static int svm_vcpu_init(struct tandem_vcpu *vcpu)
{
	struct svm_vm *vm = vcpu->dom->arch;
	struct tandem_vcpu_regs reset;
	struct vmcb_control_area *c;
	struct svm_vcpu *sv;
	struct page *page;
	unsigned int i;

	sv = kzalloc(sizeof(*sv), GFP_KERNEL_ACCOUNT);
	if (!sv)
		return -ENOMEM;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page) {
		kfree(sv);
		return -ENOMEM;
	}
	sv->vmcb = page_address(page);
	sv->vmcb_pa = page_to_phys(page);
	vcpu->arch = sv;

	c = &sv->vmcb->control;
	for (i = 0; i < ARRAY_SIZE(svm_intercepts); i++)
		svm_intercept(c, svm_intercepts[i]);
	c->intercepts[INTERCEPT_EXCEPTION] = SVM_EXCEPTION_INTERCEPTS;
	c->iopm_base_pa = page_to_phys(vm->iopm);
	c->msrpm_base_pa = page_to_phys(vm->msrpm);
	/* Physical interrupts follow the host's RFLAGS.IF, not the guest's. */
	c->int_ctl = V_INTR_MASKING_MASK;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = vm->npt_pa;
	c->tlb_ctl = TLB_CONTROL_DO_NOTHING;
	/* The guest's TSC starts near 0 when the domain starts (vcpu.c). */
	c->tsc_offset = vcpu->dom->tsc_offset;
	/* The ASID is chosen at the first run, on the CPU it runs on. */

	sv->vmcb->save.g_pat = SVM_PAT_DEFAULT;
	sv->vmcb->save.dr6 = SVM_DR6_RESET;
	sv->vmcb->save.dr7 = SVM_DR7_RESET;
	sv->dr7 = SVM_DR7_RESET;
	tandem_vcpu_reset_regs(&reset);
	svm_load_regs(vcpu, &reset);
	atomic_inc(&svm_nr_vmcbs);
	return 0;
}

static void svm_vcpu_destroy(struct tandem_vcpu *vcpu)
{
	struct svm_vcpu *sv = to_svm(vcpu);

	if (!sv)
		return;
	free_page((unsigned long)sv->vmcb);
	kfree(sv);
	vcpu->arch = NULL;
	atomic_dec(&svm_nr_vmcbs);
}

/*
 * ASIDs are not allocated: each CPU hands them out by generation at VMRUN
 * time. What can leak is a VMCB, which carries the ASID it was given.
 */
static u32 svm_asids_in_use(void)
{
	return atomic_read(&svm_nr_vmcbs);
}

static void svm_queue_exception(struct tandem_vcpu *vcpu, u8 vector,
				bool has_error, u32 error)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	u32 inj = SVM_EVTINJ_VALID | vector;

	/* Vector 2 as an "exception" is an illegal injection (APM 15.20). */
	inj |= vector == X86_TRAP_NMI ? SVM_EVTINJ_TYPE_NMI :
					SVM_EVTINJ_TYPE_EXEPT;
	/* Real mode pushes no error code. */
	if (has_error && (vmcb->save.cr0 & X86_CR0_PE)) {
		inj |= SVM_EVTINJ_VALID_ERR;
		vmcb->control.event_inj_err = error;
	}
	vmcb->control.event_inj = inj;
}

/* External interrupts (APM Vol. 2 15.20 and 15.21) */

static bool svm_irq_window_open(struct tandem_vcpu *vcpu)
{
	struct svm_vcpu *sv = to_svm(vcpu);
	struct vmcb_control_area *c = &sv->vmcb->control;

	if ((c->event_inj & SVM_EVTINJ_VALID) || svm_irq_queued(c) ||
	    !(vcpu->rflags & X86_EFLAGS_IF))
		return false;
	/* Common code moved RIP: the shadow went with the instruction. */
	return vcpu->rip != sv->exit_rip ||
	       !(c->int_state & SVM_INTERRUPT_SHADOW_MASK);
}

/*
 * External interrupts go in as virtual interrupts (V_IRQ with the vector,
 * priority above any V_TPR), not through EVENTINJ: the guest takes the
 * vector through its IDT at the first boundary where RFLAGS.IF and the
 * shadow allow, which the window check has already seen. The emulated
 * CPU of the SVM lab delivers an EVENTINJ interrupt inside VMRUN and
 * keeps the vector as its pending exception, so that the next request to
 * leave its execution loop delivers it to the guest a second time, at
 * whatever point the guest has reached (Documentation/devices.rst).
 */
static void svm_queue_irq(struct vmcb_control_area *c, u8 vector)
{
	svm_irq_window_off(c);
	c->int_ctl |= V_IRQ_MASK | V_INTR_PRIO_MASK | V_IGN_TPR_MASK;
	c->int_vector = vector;
}

static void svm_inject_irq(struct tandem_vcpu *vcpu, u8 vector)
{
	svm_queue_irq(&to_svm(vcpu)->vmcb->control, vector);
}

/*
 * A virtual interrupt the guest takes when its IF allows, intercepted:
 * the VINTR exit says the window is open. Its vector is never delivered.
 * A vector still queued comes first; the exit after it injects the next.
 */
static void svm_request_irq_window(struct tandem_vcpu *vcpu)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;

	if (svm_irq_queued(c))
		return;
	c->int_ctl |= V_IRQ_MASK | V_INTR_PRIO_MASK | V_IGN_TPR_MASK;
	c->int_vector = 0;
	svm_intercept(c, INTERCEPT_VINTR);
}

/* A vCPU that lands on this CPU, or whose generation is over, gets an ASID. */
static void svm_new_asid(struct svm_vcpu *sv, struct svm_cpu *sc)
{
	struct vmcb_control_area *c = &sv->vmcb->control;

	if (sc->next_asid > svm_max_asid) {
		sc->asid_gen++;
		sc->next_asid = 1;
		c->tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	}
	sv->asid_gen = sc->asid_gen;
	c->asid = sc->next_asid++;
}

/*
 * An event the exit interrupted on its way into the guest (APM 15.7.2)
 * is delivered again at the next entry. INTn, INT3 and INTO are not:
 * without NRIP save RIP still points at the instruction, which runs again.
 */
static void svm_reinject(struct vmcb_control_area *c)
{
	u32 info = c->exit_int_info;
	u32 type = info & SVM_EXITINTINFO_TYPE_MASK;
	u32 vec = info & SVM_EXITINTINFO_VEC_MASK;

	if (type == SVM_EXITINTINFO_TYPE_SOFT ||
	    (type == SVM_EXITINTINFO_TYPE_EXEPT &&
	     (vec == X86_TRAP_BP || vec == X86_TRAP_OF)))
		return;
	/* An interrupt goes back the way it came: as a virtual interrupt. */
	if (type == SVM_EXITINTINFO_TYPE_INTR) {
		svm_queue_irq(c, vec);
		return;
	}
	c->event_inj = info;
	c->event_inj_err = c->exit_int_info_err;
}

/* Instruction length from NRIP save, for the instruction exits. */
static u8 svm_insn_len(const struct vmcb *vmcb)
{
	u64 len = vmcb->control.next_rip - vmcb->save.rip;

	return svm_has_nrips && len && len <= 15 ? len : 0;
}

/* In 64-bit mode (long mode and CS.L), MOV CR/DR moves 64 bits. */
static bool svm_64bit_code(const struct vmcb_save_area *s)
{
	return (s->efer & EFER_LMA) && (s->cs.attrib & SVM_SELECTOR_L_MASK);
}

/**
 * svm_mov_operand() - the operands of the MOV CR/DR behind an intercept
 * @vcpu: the vCPU, just out of the guest
 * @vmcb: its VMCB
 * @kind: the &enum tandem_insn_kind the intercept implies
 * @ctl: set to the control or debug register the instruction names
 * @gpr: set to its general register, &enum tandem_reg
 *
 * Decode assists name the register in EXITINFO1 and NRIP save gives the
 * length; without them (QEMU) the instruction is read through the guest's
 * page tables and decoded. Sets &tandem_exit.insn_len.
 *
 * Return: 0, or -EINVAL when the instruction at RIP is not that MOV
 * (another vCPU rewrote it, say); the caller then stops the domain.
 */
static int svm_mov_operand(struct tandem_vcpu *vcpu, struct vmcb *vmcb,
			   u8 kind, int *ctl, int *gpr)
{
	u64 info1 = vmcb->control.exit_info_1;
	u8 len = svm_insn_len(vmcb);
	struct tandem_vcpu_regs regs;
	u8 insn[TANDEM_INSN_MAX];
	struct tandem_insn d;
	int n;

	if ((info1 & SVM_EXITINFO_MOV_VALID) && len) {
		*gpr = info1 & SVM_EXITINFO_REG_MASK;
		*ctl = -1;
		vcpu->exit.insn_len = len;
		return 0;
	}
	svm_get_regs(vcpu, &regs);
	n = tandem_fetch_insn(vcpu->dom, &regs, insn);
	if (n < 0 || tandem_decode(insn, n, &regs, &d) || d.kind != kind)
		return -EINVAL;
	*gpr = d.reg;
	*ctl = d.ctl;
	vcpu->exit.insn_len = d.len;
	return 0;
}

/*
 * MOV to CR4 (SDM Vol. 3A 2.5, APM Vol. 2 3.1.3): #GP for a bit the guest
 * may not set and for clearing PAE in long mode; a change of the paging
 * bits flushes the guest's TLB, by moving it to a fresh ASID.
 */
static u32 svm_write_cr4(struct tandem_vcpu *vcpu, struct vmcb *vmcb)
{
	struct vmcb_save_area *s = &vmcb->save;
	int ctl, gpr;
	u64 val;

	if (svm_mov_operand(vcpu, vmcb, TANDEM_INSN_MOV_TO_CR, &ctl, &gpr) ||
	    (ctl >= 0 && ctl != 4))
		return TANDEM_EXIT_UNHANDLED;
	val = vcpu->regs[gpr];
	if (!svm_64bit_code(s))
		val = (u32)val;
	if ((val & ~svm_cr4_ok) ||
	    ((s->efer & EFER_LMA) && !(val & X86_CR4_PAE))) {
		svm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return TANDEM_EXIT_NONE;
	}
	if ((val ^ s->cr4) & (X86_CR4_PGE | X86_CR4_PAE | X86_CR4_PSE |
			      X86_CR4_SMEP | X86_CR4_SMAP))
		to_svm(vcpu)->asid_gen = 0;
	s->cr4 = val;
	tandem_vcpu_skip(vcpu);
	return TANDEM_EXIT_NONE;
}

/*
 * MOV from/to DRn (SDM Vol. 3B 17.2, APM Vol. 2 13.1.1): the guest's
 * values, never the CPU's. The CPU itself raises #GP at CPL > 0 and #UD
 * for DR4/DR5 with CR4.DE before the intercept; both are checked again
 * here for an instruction that had to be decoded.
 */
static u32 svm_mov_dr(struct tandem_vcpu *vcpu, struct vmcb *vmcb, bool write,
		      int dr)
{
	struct svm_vcpu *sv = to_svm(vcpu);
	struct vmcb_save_area *s = &vmcb->save;
	bool wide = svm_64bit_code(s);
	int ctl, gpr;
	u64 val;

	if (svm_mov_operand(vcpu, vmcb, write ? TANDEM_INSN_MOV_TO_DR :
				       TANDEM_INSN_MOV_FROM_DR, &ctl, &gpr) ||
	    (ctl >= 0 && ctl != dr))
		return TANDEM_EXIT_UNHANDLED;
	if (s->cpl) {
		svm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return TANDEM_EXIT_NONE;
	}
	if (dr == 4 || dr == 5) {
		if (s->cr4 & X86_CR4_DE) {
			svm_queue_exception(vcpu, X86_TRAP_UD, false, 0);
			return TANDEM_EXIT_NONE;
		}
		dr += 2;
	}
	if (!write) {
		val = dr < 4 ? sv->dr[dr] : dr == 6 ? s->dr6 : sv->dr7;
		vcpu->regs[gpr] = wide ? val : (u32)val;
		tandem_vcpu_skip(vcpu);
		return TANDEM_EXIT_NONE;
	}
	val = vcpu->regs[gpr];
	if (!wide)
		val = (u32)val;
	/* DR6 and DR7 bits 63:32 must be zero. */
	if (dr >= 6 && val >> 32) {
		svm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return TANDEM_EXIT_NONE;
	}
	if (dr < 4)
		sv->dr[dr] = val;
	else if (dr == 6)
		s->dr6 = val | SVM_DR6_RESET;
	else
		sv->dr7 = (val & ~SVM_DR7_ZERO_BITS) | SVM_DR7_RESET;
	tandem_vcpu_skip(vcpu);
	return TANDEM_EXIT_NONE;
}

/* Fill vcpu->exit from the VMCB; handles the few exits that stay here. */
static void svm_decode_exit(struct tandem_vcpu *vcpu, struct vmcb *vmcb)
{
	struct vmcb_control_area *c = &vmcb->control;
	struct tandem_exit *e = &vcpu->exit;
	u32 code = c->exit_code;
	u64 info1 = c->exit_info_1;

	e->hw_reason = code;
	e->hw_qual = info1;
	e->hw_info2 = c->exit_info_2;
	e->insn_len = 0;

	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
		e->reason = TANDEM_EXIT_NONE;
		break;
	case SVM_EXIT_VINTR:
		svm_irq_window_off(c);
		e->reason = TANDEM_EXIT_INTR_WINDOW;
		break;
	case SVM_EXIT_HLT:
		e->reason = TANDEM_EXIT_HLT;
		e->insn_len = svm_insn_len(vmcb);
		break;
	case SVM_EXIT_IOIO:
		e->reason = TANDEM_EXIT_IO;
		/* EXITINFO2 is the RIP of the next instruction (APM 15.10.2). */
		e->insn_len = c->exit_info_2 - vmcb->save.rip;
		e->io.port = info1 >> 16;
		/* SZ8, SZ16, SZ32 are one-hot bits 4-6: the size in bytes. */
		e->io.size = (info1 & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;
		e->io.in = info1 & SVM_IOIO_TYPE_MASK;
		e->io.string = info1 & SVM_IOIO_STR_MASK;
		e->io.rep = info1 & SVM_IOIO_REP_MASK;
		break;
	case SVM_EXIT_NPF:
		e->reason = TANDEM_EXIT_NPF;
		e->npf.gpa = c->exit_info_2;
		e->npf.write = info1 & SVM_NPF_WRITE;
		e->npf.fetch = info1 & SVM_NPF_FETCH;
		/*
		 * A guest whose CR3 is this CPU's own ran the host's state:
		 * the save area held what VMRUN put in the host save area
		 * (Documentation/devices.rst, QEMU's nested SVM). Say so,
		 * rather than report the walk of the host's page tables.
		 */
		if (unlikely((info1 & SVM_NPF_IN_WALK) &&
			     vmcb->save.cr3 == __read_cr3())) {
			e->reason = TANDEM_EXIT_FAIL_ENTRY;
			e->why = "the CPU ran the host's own state as the guest's";
		}
		break;
	case SVM_EXIT_CPUID:
		e->reason = TANDEM_EXIT_CPUID;
		e->insn_len = svm_insn_len(vmcb);
		break;
	case SVM_EXIT_MSR:
		e->reason = info1 ? TANDEM_EXIT_WRMSR : TANDEM_EXIT_RDMSR;
		e->insn_len = svm_insn_len(vmcb);
		break;
	case SVM_EXIT_VMMCALL:
		e->reason = TANDEM_EXIT_HYPERCALL;
		e->insn_len = svm_insn_len(vmcb);
		break;
	case SVM_EXIT_XSETBV:
		e->reason = TANDEM_EXIT_XSETBV;
		e->insn_len = svm_insn_len(vmcb);
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
		e->reason = TANDEM_EXIT_VIRT_INSN;
		break;
	case SVM_EXIT_SHUTDOWN:
		e->reason = TANDEM_EXIT_TRIPLE_FAULT;
		break;
	case SVM_EXIT_WRITE_CR4:
		e->reason = svm_write_cr4(vcpu, vmcb);
		break;
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR7:
		e->reason = svm_mov_dr(vcpu, vmcb, false, code - SVM_EXIT_READ_DR0);
		break;
	case SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR7:
		e->reason = svm_mov_dr(vcpu, vmcb, true, code - SVM_EXIT_WRITE_DR0);
		break;
	case SVM_EXIT_INVD:
		/* Nothing to do: guest RAM is write-back and coherent. */
		vcpu->rip += svm_insn_len(vmcb) ?: 2;	/* 0F 08 */
		vcpu->regs_dirty = true;
		e->reason = TANDEM_EXIT_NONE;
		break;
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
		svm_queue_exception(vcpu, X86_TRAP_UD, false, 0);
		e->reason = TANDEM_EXIT_NONE;
		break;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_DB:
		/* DR6 in the VMCB already says why. */
		svm_queue_exception(vcpu, X86_TRAP_DB, false, 0);
		e->reason = TANDEM_EXIT_NONE;
		break;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_AC:
		svm_queue_exception(vcpu, X86_TRAP_AC, true, info1);
		e->reason = TANDEM_EXIT_NONE;
		break;
	case (u32)SVM_EXIT_ERR:
		/* VMEXIT_INVALID: VMRUN refused the guest state. */
		e->reason = TANDEM_EXIT_FAIL_ENTRY;
		e->why = "invalid guest state";
		break;
	default:
		e->reason = TANDEM_EXIT_UNHANDLED;
		break;
	}
}

/*
 * Does the host area need a VMSAVE? What it holds (FS/GS bases,
 * KernelGSBase, LDTR, the SYSCALL MSRs) changes only when this CPU
 * switches tasks: as long as the same thread runs without having been
 * switched out, the state saved at its first entry is still right. This
 * is what KVM gets from saving the host state at vcpu_load.
 */
static bool svm_host_save_needed(struct svm_cpu *sc)
{
	struct task_struct *t = current;
	unsigned long switches = t->nvcsw + t->nivcsw;

	if (likely(sc->host_task == t && sc->host_pid == t->pid &&
		   sc->host_switches == switches))
		return false;
	sc->host_task = t;
	sc->host_pid = t->pid;
	sc->host_switches = switches;
	return true;
}

static void svm_vcpu_run(struct tandem_vcpu *vcpu)
{
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpus);
	int cpu = smp_processor_id();
	struct svm_vcpu *sv = to_svm(vcpu);
	struct vmcb *vmcb = sv->vmcb;
	bool save_host;

	/* Four stores cost less than tracking which of them changed. */
	vmcb->save.rax = vcpu->regs[TANDEM_RAX];
	vmcb->save.rsp = vcpu->regs[TANDEM_RSP];
	vmcb->save.rip = vcpu->rip;
	vmcb->save.rflags = vcpu->rflags;
	vcpu->regs_dirty = false;

	if (unlikely(vcpu->cpu != cpu || sv->asid_gen != sc->asid_gen)) {
		svm_new_asid(sv, sc);
		vcpu->cpu = cpu;
	}

	save_host = svm_host_save_needed(sc);

	asm volatile("clgi" ::: "memory");
	/* No divider state of the host for the guest to find (AMD DIV0). */
	amd_clear_divider();
	tandem_svm_vmrun(sv->vmcb_pa, vcpu->regs, sc->host_area_pa, save_host);
	/*
	 * The world switch does not give the host its DR7 (nor DR6) back:
	 * rearm the host's breakpoints when it has any. The guest never
	 * touches DR0-3; its DR6 is only the CPU's when it is not the reset
	 * value (a #DB or a MOV to DR6), and the host expects that value.
	 */
	if (unlikely(hw_breakpoint_active()))
		hw_breakpoint_restore();
	else if (unlikely(vmcb->save.dr6 != SVM_DR6_RESET))
		set_debugreg(SVM_DR6_RESET, 6);
	asm volatile("stgi" ::: "memory");

	vcpu->regs[TANDEM_RAX] = vmcb->save.rax;
	vcpu->regs[TANDEM_RSP] = vmcb->save.rsp;
	vcpu->rip = vmcb->save.rip;
	vcpu->rflags = vmcb->save.rflags;
	sv->exit_rip = vcpu->rip;

	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	vmcb->control.event_inj = 0;
	if (unlikely(vmcb->control.exit_int_info & SVM_EXITINTINFO_VALID))
		svm_reinject(&vmcb->control);
	svm_decode_exit(vcpu, vmcb);
}

/* --- MSRs kept in the VMCB --- */

static bool svm_pat_valid(u64 pat)
{
	unsigned int i;

	/* Types 2 and 3 are reserved, as are bits 3-7 of each entry. */
	for (i = 0; i < 8; i++) {
		u8 t = pat >> (i * 8);

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

static int svm_msr_read(struct tandem_vcpu *vcpu, u32 msr, u64 *val)
{
	const struct vmcb_save_area *s = &to_svm(vcpu)->vmcb->save;

	switch (msr) {
	case MSR_EFER:
		*val = s->efer & ~EFER_SVME;
		return 0;
	case MSR_IA32_CR_PAT:
		*val = s->g_pat;
		return 0;
	case MSR_FS_BASE:
		*val = s->fs.base;
		return 0;
	case MSR_GS_BASE:
		*val = s->gs.base;
		return 0;
	case MSR_KERNEL_GS_BASE:
		*val = s->kernel_gs_base;
		return 0;
	case MSR_STAR:
		*val = s->star;
		return 0;
	case MSR_LSTAR:
		*val = s->lstar;
		return 0;
	case MSR_CSTAR:
		*val = s->cstar;
		return 0;
	case MSR_SYSCALL_MASK:
		*val = s->sfmask;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		*val = s->sysenter_cs;
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		*val = s->sysenter_esp;
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		*val = s->sysenter_eip;
		return 0;
	}
	return -ENOENT;
}

/* Canonical for the guest: 57-bit with its CR4.LA57, else 48-bit. */
static bool svm_canonical(const struct vmcb_save_area *s, u64 addr)
{
	int shift = s->cr4 & X86_CR4_LA57 ? 64 - 57 : 64 - 48;

	return (s64)(addr << shift) >> shift == (s64)addr;
}

static int svm_msr_write(struct tandem_vcpu *vcpu, u32 msr, u64 val)
{
	struct vmcb_save_area *s = &to_svm(vcpu)->vmcb->save;

	switch (msr) {
	case MSR_EFER:
		if (val & ~svm_efer_ok)
			return -EINVAL;
		/* LME cannot change while paging is on (APM Vol. 2 14.6.1). */
		if (((val ^ s->efer) & EFER_LME) && (s->cr0 & X86_CR0_PG))
			return -EINVAL;
		/* LMA is the CPU's to set; SVME stays on under the guest. */
		s->efer = (val & ~EFER_LMA) | (s->efer & EFER_LMA) | EFER_SVME;
		return 0;
	case MSR_IA32_CR_PAT:
		if (!svm_pat_valid(val))
			return -EINVAL;
		s->g_pat = val;
		return 0;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!svm_canonical(s, val))
			return -EINVAL;
		break;
	}

	switch (msr) {
	case MSR_FS_BASE:
		s->fs.base = val;
		return 0;
	case MSR_GS_BASE:
		s->gs.base = val;
		return 0;
	case MSR_KERNEL_GS_BASE:
		s->kernel_gs_base = val;
		return 0;
	case MSR_STAR:
		s->star = val;
		return 0;
	case MSR_LSTAR:
		s->lstar = val;
		return 0;
	case MSR_CSTAR:
		s->cstar = val;
		return 0;
	case MSR_SYSCALL_MASK:
		s->sfmask = val;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		s->sysenter_cs = val;
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		s->sysenter_esp = val;
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		s->sysenter_eip = val;
		return 0;
	}
	return -ENOENT;
}

const struct tandem_arch_ops tandem_svm_ops = {
	.name = "svm",
	.vendor = TANDEM_VENDOR_AMD,
	.probe = svm_probe,
	.init = svm_init,
	.exit = svm_exit,
	.hardware_enable = svm_hardware_enable,
	.hardware_disable = svm_hardware_disable,
	.vm_init = svm_vm_init,
	.vm_destroy = svm_vm_destroy,
	.vcpu_init = svm_vcpu_init,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_run = svm_vcpu_run,
	.get_regs = svm_get_regs,
	.get_code_regs = svm_get_code_regs,
	.set_regs = svm_set_regs,
	.queue_exception = svm_queue_exception,
	.msr_read = svm_msr_read,
	.msr_write = svm_msr_write,
	.asids_in_use = svm_asids_in_use,
	.irq_window_open = svm_irq_window_open,
	.inject_irq = svm_inject_irq,
	.request_irq_window = svm_request_irq_window,
};
