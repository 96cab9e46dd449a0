/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM entry and exit for the VMX backend: the guest's general-purpose
 * registers (except RSP, which lives in the VMCS) are loaded from
 * tandem_vcpu->regs right before VMLAUNCH/VMRESUME and stored back right
 * after the exit, before any C code runs.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>
#include <asm/unwind_hints.h>

/* VMCS encoding of HOST_RSP (SDM Vol. 3 Appendix B.4.4). */
#define TANDEM_VMCS_HOST_RSP	0x6c14

/* Offsets in tandem_vcpu->regs (enum tandem_reg, x86 encoding order). */
#define G_RAX	(0 * 8)
#define G_RCX	(1 * 8)
#define G_RDX	(2 * 8)
#define G_RBX	(3 * 8)
#define G_RBP	(5 * 8)
#define G_RSI	(6 * 8)
#define G_RDI	(7 * 8)
#define G_R8	(8 * 8)
#define G_R9	(9 * 8)
#define G_R10	(10 * 8)
#define G_R11	(11 * 8)
#define G_R12	(12 * 8)
#define G_R13	(13 * 8)
#define G_R14	(14 * 8)
#define G_R15	(15 * 8)

.section .text, "ax"

/*
 * int tandem_vmx_enter(unsigned long *regs, unsigned long *host_rsp,
 *			unsigned int launched)
 *
 * Enters the guest of the current VMCS with VMRESUME when @launched, else
 * VMLAUNCH. *@host_rsp caches the VMCS HOST_RSP so that it is rewritten
 * only when the stack pointer at entry differs. Interrupts are disabled
 * by the caller.
 *
 * Returns 0 after a VM exit (the exit may still be a failed entry, bit 31
 * of the exit reason), 1 when the instruction failed (VMfail: RFLAGS.CF or
 * ZF, VM-instruction error in the VMCS) or faulted.
 */
SYM_FUNC_START(tandem_vmx_enter)
	push %rbp
	mov %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	/* @regs, found again at (%rsp) by the exit path */
	push %rdi

	cmp %rsp, (%rsi)
	je .Lrsp_ok
	mov %rsp, (%rsi)
	mov $TANDEM_VMCS_HOST_RSP, %eax
	vmwrite %rsp, %rax
.Lrsp_ok:
	/* CF = @launched; the MOVs below leave the flags alone. */
	bt $0, %edx

	mov %rdi, %rax
	mov G_RCX(%rax), %rcx
	mov G_RDX(%rax), %rdx
	mov G_RBX(%rax), %rbx
	mov G_RBP(%rax), %rbp
	mov G_RSI(%rax), %rsi
	mov G_RDI(%rax), %rdi
	mov G_R8(%rax), %r8
	mov G_R9(%rax), %r9
	mov G_R10(%rax), %r10
	mov G_R11(%rax), %r11
	mov G_R12(%rax), %r12
	mov G_R13(%rax), %r13
	mov G_R14(%rax), %r14
	mov G_R15(%rax), %r15
	mov G_RAX(%rax), %rax

	/* MDS/MMIO stale data: clear CPU buffers (VERW changes only ZF). */
	VM_CLEAR_CPU_BUFFERS

	jnc .Llaunch

	/* A successful entry comes back at tandem_vmx_exit (HOST_RIP). */
	UNWIND_HINT_SAVE
.Lresume:
	vmresume
	jmp .Lfail
.Llaunch:
	vmlaunch
	jmp .Lfail

	_ASM_EXTABLE(.Lresume, .Lfail)
	_ASM_EXTABLE(.Llaunch, .Lfail)

SYM_INNER_LABEL(tandem_vmx_exit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR

	push %rax
	mov 8(%rsp), %rax
	mov %rcx, G_RCX(%rax)
	mov %rdx, G_RDX(%rax)
	mov %rbx, G_RBX(%rax)
	mov %rbp, G_RBP(%rax)
	mov %rsi, G_RSI(%rax)
	mov %rdi, G_RDI(%rax)
	mov %r8, G_R8(%rax)
	mov %r9, G_R9(%rax)
	mov %r10, G_R10(%rax)
	mov %r11, G_R11(%rax)
	mov %r12, G_R12(%rax)
	mov %r13, G_R13(%rax)
	mov %r14, G_R14(%rax)
	mov %r15, G_R15(%rax)
	popq G_RAX(%rax)
	xor %ebx, %ebx

.Lclear_regs:
	/* Leave no guest value in a register for speculation to play with. */
	xor %eax, %eax
	xor %ecx, %ecx
	xor %edx, %edx
	xor %ebp, %ebp
	xor %esi, %esi
	xor %edi, %edi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	xor %r15d, %r15d

	/*
	 * The guest may have filled the RSB with its own targets: overwrite
	 * it before the first RET that is not balanced by a CALL here.
	 */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT,\
			   X86_FEATURE_RSB_VMEXIT_LITE
	CLEAR_BRANCH_HISTORY_VMEXIT

	mov %rbx, %rax
	/* drop @regs */
	add $8, %rsp
	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	pop %rbp
	RET

.Lfail:
	mov $1, %ebx
	jmp .Lclear_regs
SYM_FUNC_END(tandem_vmx_enter)

/*
 * void tandem_vmx_do_nmi(void)
 *
 * An NMI that arrived in the guest caused the exit and is not delivered to
 * the host by the CPU: run the host's NMI handler on an interrupt frame
 * built here, whose IRET also ends the NMI blocking the exit left.
 */
SYM_FUNC_START(tandem_vmx_do_nmi)
	push %rbp
	mov %rsp, %rbp
	/* The CPU aligns the stack to 16 bytes for an interrupt frame. */
	and $-16, %rsp
	push $__KERNEL_DS
	push %rbp
	pushf
	push $__KERNEL_CS
	call asm_exc_nmi_noist
	/* IRET restored RSP already; say it again for objtool. */
	mov %rbp, %rsp
	pop %rbp
	RET
SYM_FUNC_END(tandem_vmx_do_nmi)
