/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SVM world switch: host state out, guest in, VMRUN, and back.
 *
 * This is assembly because between VMLOAD of the guest's state and VMLOAD
 * of the host's, GS.base is the guest's: no C code may run there (per-CPU
 * data and the stack protector's canary are reached through %gs).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

/* Offsets in tandem_vcpu->regs[] (enum tandem_reg, x86 encoding order). */
#define GPR_RCX		(1 * 8)
#define GPR_RDX		(2 * 8)
#define GPR_RBX		(3 * 8)
#define GPR_RBP		(5 * 8)
#define GPR_RSI		(6 * 8)
#define GPR_RDI		(7 * 8)
#define GPR_R8		(8 * 8)
#define GPR_R9		(9 * 8)
#define GPR_R10		(10 * 8)
#define GPR_R11		(11 * 8)
#define GPR_R12		(12 * 8)
#define GPR_R13		(13 * 8)
#define GPR_R14		(14 * 8)
#define GPR_R15		(15 * 8)

	.section .noinstr.text, "ax"

/*
 * void tandem_svm_vmrun(u64 vmcb_pa, unsigned long *regs, u64 host_pa,
 *			 bool save_host)
 *
 * Called with GIF clear. @vmcb_pa: the guest's VMCB; @regs: the guest's
 * GPRs (RAX and RSP are not used: VMRUN takes them from the VMCB);
 * @host_pa: this CPU's area for the host's VMSAVE/VMLOAD state (FS, GS,
 * TR, LDTR with their hidden parts, KernelGSBase, STAR/LSTAR/CSTAR/SFMASK,
 * SYSENTER_*), which VMRUN and #VMEXIT do not switch (APM Vol. 2 15.5.2).
 * @save_host: false when @host_pa already holds the host's current state.
 */
SYM_FUNC_START(tandem_svm_vmrun)
	push %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	push %rdx			/* host area, for the VMLOAD after exit */
	push %rdi			/* guest VMCB, for the VMSAVE after exit */
	push %rsi			/* guest GPRs */

	test %ecx, %ecx
	jz 1f
	mov %rdx, %rax
	vmsave %rax
1:	mov %rdi, %rax
	vmload %rax

	mov GPR_RCX(%rsi), %rcx
	mov GPR_RDX(%rsi), %rdx
	mov GPR_RBX(%rsi), %rbx
	mov GPR_RBP(%rsi), %rbp
	mov GPR_RDI(%rsi), %rdi
	mov GPR_R8(%rsi), %r8
	mov GPR_R9(%rsi), %r9
	mov GPR_R10(%rsi), %r10
	mov GPR_R11(%rsi), %r11
	mov GPR_R12(%rsi), %r12
	mov GPR_R13(%rsi), %r13
	mov GPR_R14(%rsi), %r14
	mov GPR_R15(%rsi), %r15
	mov GPR_RSI(%rsi), %rsi

	/* Clobbers ZF only. */
	VM_CLEAR_CPU_BUFFERS

	vmrun %rax

	/* #VMEXIT restored RAX (the VMCB address) and RSP: the rest is the guest's. */
	mov (%rsp), %rax
	mov %rcx, GPR_RCX(%rax)
	mov %rdx, GPR_RDX(%rax)
	mov %rbx, GPR_RBX(%rax)
	mov %rbp, GPR_RBP(%rax)
	mov %rsi, GPR_RSI(%rax)
	mov %rdi, GPR_RDI(%rax)
	mov %r8, GPR_R8(%rax)
	mov %r9, GPR_R9(%rax)
	mov %r10, GPR_R10(%rax)
	mov %r11, GPR_R11(%rax)
	mov %r12, GPR_R12(%rax)
	mov %r13, GPR_R13(%rax)
	mov %r14, GPR_R14(%rax)
	mov %r15, GPR_R15(%rax)

	pop %rax			/* GPRs: done with */
	pop %rax
	vmsave %rax			/* the guest's FS, GS, TR, LDTR, MSRs */
	pop %rax
	vmload %rax			/* the host's: GS.base is per-CPU data again */

	/* Before any RET: the guest may have poisoned the return stack. */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RETPOLINE
	UNTRAIN_RET
	ALTERNATIVE "", "call entry_ibpb", X86_FEATURE_IBPB_ON_VMEXIT

	/* No guest value lingers for speculation to find. */
	xor %ecx, %ecx
	xor %edx, %edx
	xor %esi, %esi
	xor %edi, %edi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d

	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	pop %rbp
	RET
SYM_FUNC_END(tandem_svm_vmrun)
