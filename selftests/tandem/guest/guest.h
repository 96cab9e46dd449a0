/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Macros for flat guest payloads (GNU as, preprocessed). The test library
 * (tandem_guest.c) lays out memory and registers; see its header.
 */
#ifndef TANDEM_GUEST_ASM_H
#define TANDEM_GUEST_ASM_H

#define HC_CONSOLE_WRITE	1
#define HC_CONSOLE_PUTC		2
#define HC_YIELD		3
#define HC_SHUTDOWN		4
#define HC_REBOOT		5
#define HC_UCALL		6

#define UCALL_SYNC		1
#define UCALL_ASSERT		2
#define UCALL_DONE		3

#define LOAD_GPA		0x10000
#define VENDOR_FLAG		0x8000
#define TESTDEV_PORT		0x700
#define TESTDEV_MMIO		0xfeb00000

/* VMCALL on Intel, VMMCALL on AMD: the host wrote which at VENDOR_FLAG. */
.macro HYPERCALL
	cmpb $1, VENDOR_FLAG
	jne .Lvmmcall\@
	vmcall
	jmp .Ldone\@
.Lvmmcall\@:
	vmmcall
.Ldone\@:
.endm

/* Report (type, value) with the source line; clobbers eax, ebx, ecx, edx, esi. */
/* @value is read first, so it may be any register, %eax and %ebx included. */
#define UCALL(type, value)		\
	mov value, %ecx;		\
	mov $HC_UCALL, %eax;		\
	mov $type, %ebx;		\
	xor %edx, %edx;			\
	mov $__LINE__, %esi;		\
	HYPERCALL

#define GUEST_SYNC(value)	UCALL(UCALL_SYNC, value)
#define GUEST_DONE()		UCALL(UCALL_DONE, $0)

/* Fail with the line if the flags say "not equal". */
#define GUEST_ASSERT_EQ_FLAGS()		\
	je 1f;				\
	UCALL(UCALL_ASSERT, $0);	\
	1:

#define GUEST_SHUTDOWN()		\
	mov $HC_SHUTDOWN, %eax;		\
	xor %ebx, %ebx;			\
	HYPERCALL

/*
 * Multi-mode test payloads (tests_real.S, tests_prot.S, tests_long.S): the
 * same routines, assembled once per mode. A wrapper defines GUEST_BITS (16,
 * 32 or 64) before including this header; what follows is only for them.
 *
 * Memory they use, besides the library's layout (all below 64 KiB, so that
 * real mode reaches it with DS = 0):
 */
#ifdef GUEST_BITS

#define TEST_SEL	0x8004	/* u32, host: which routine to run */
#define TEST_ARG	0x8008	/* u32, host: its argument */
#define TEST_ARG2	0x800c	/* u32, host: a second argument */
#define EXC_VEC		0x8010	/* u32: vector of the last exception */
#define EXC_COUNT	0x8014	/* u32: exceptions taken so far */
#define EXC_RESUME	0x8018	/* u32: where the handler resumes (IP/RIP) */
#define EXC_SP		0x801c	/* u32: stack pointer in the handler, frame popped */
#define IDTR_PTR	0x8020	/* pseudo-descriptor for LIDT */
#define IDT_GPA		0xa000	/* the payload's IDT (protected and long mode) */
#define SCRATCH		0xb000	/* 4 KiB of test data */

/*
 * Linear address of a payload symbol: real-mode payloads are linked at 0
 * and run with CS base LOAD_GPA; the others are linked where they run.
 */
#if GUEST_BITS == 16
#define LA(sym)		(LOAD_GPA + (sym))
#else
#define LA(sym)		(sym)
#endif

/* Bytes an exception pushes without an error code (64-bit: SS:RSP too). */
#if GUEST_BITS == 16
#define EXC_FRAME	6
#elif GUEST_BITS == 32
#define EXC_FRAME	12
#else
#define EXC_FRAME	40
#endif

/*
 * A ucall that names the payload source and line. Unlike UCALL(), the value
 * may be any 32-bit register (it is read first). Clobbers eax-edx, esi.
 */
.macro UCALL_AT type, value, line
	mov \value, %ecx
	mov $HC_UCALL, %eax
	mov $\type, %ebx
	mov $LA(ucall_file), %edx
	mov $\line, %esi
	HYPERCALL
.endm

/* Report a failed check and stop: the host sees "ucall: assert". */
.macro __guest_fail value, line
	UCALL_AT UCALL_ASSERT, \value, \line
	jmp guest_stop
.endm

.macro __assert_eq expected, actual, line
	cmp \expected, \actual
	je .Lassert_ok\@
	__guest_fail \actual, \line
.Lassert_ok\@:
.endm

.macro __assert_ne unexpected, actual, line
	cmp \unexpected, \actual
	jne .Lassert_ok\@
	__guest_fail \actual, \line
.Lassert_ok\@:
.endm

/* 64-bit registers (long mode only); the low half is reported. */
.macro __assert_eq64 expected, actual, line
	cmp \expected, \actual
	je .Lassert_ok\@
	mov \actual, %rdi
	__guest_fail %edi, \line
.Lassert_ok\@:
.endm

/* Checks on 32-bit registers (64-bit ones with GUEST_ASSERT_EQ64). */
#define GUEST_ASSERT_EQ(expected, actual) __assert_eq expected, actual, __LINE__
#define GUEST_ASSERT_NE(unexpected, actual) __assert_ne unexpected, actual, __LINE__
#define GUEST_ASSERT_EQ64(expected, actual) __assert_eq64 expected, actual, __LINE__
#define GUEST_FAIL(value)	__guest_fail value, __LINE__
#define GUEST_SYNC_AT(value)	UCALL_AT UCALL_SYNC, value, __LINE__
#define GUEST_DONE_AT()		UCALL_AT UCALL_DONE, $0, __LINE__

/* Jump to \label when the host asked for routine \n. */
#define DISPATCH(n, label)	cmpl $n, TEST_SEL; je label

/*
 * Real mode only: give DS and ES a 4 GiB limit ("unreal mode") through the
 * library's GDT (0x10, flat data), so that 32-bit addresses reach MMIO and
 * RAM above 1 MiB. Bases stay 0. No-op in the other modes. Clobbers eax, bx.
 */
.macro FLAT_SEGMENTS
#if GUEST_BITS == 16
	mov %cr0, %eax
	or $1, %al
	mov %eax, %cr0		/* PE: segment loads read the GDT */
	mov $0x10, %bx
	mov %bx, %ds
	mov %bx, %es
	and $0xfe, %al
	mov %eax, %cr0		/* back to real mode, limits kept */
	xor %bx, %bx
	mov %bx, %ds
	mov %bx, %es
#endif
.endm

/* An interrupt gate in the payload's IDT (protected and long mode). */
.macro SET_GATE vector, handler
#if GUEST_BITS == 32
	mov $\handler, %eax
	mov %ax, IDT_GPA + \vector * 8
	movw $0x08, IDT_GPA + \vector * 8 + 2		/* code32 */
	movw $0x8e00, IDT_GPA + \vector * 8 + 4		/* P, DPL 0, int gate */
	shr $16, %eax
	mov %ax, IDT_GPA + \vector * 8 + 6
#elif GUEST_BITS == 64
	mov $\handler, %eax
	mov %ax, IDT_GPA + \vector * 16
	movw $0x18, IDT_GPA + \vector * 16 + 2		/* code64 */
	movw $0x8e00, IDT_GPA + \vector * 16 + 4	/* P, DPL 0, int gate */
	shr $16, %eax
	mov %ax, IDT_GPA + \vector * 16 + 6
	movq $0, IDT_GPA + \vector * 16 + 8		/* offset 63:32, reserved */
#endif
.endm

/*
 * Install the payload's #DB (1), #UD (6) and #GP (13) handlers: IVT
 * entries in real mode, an IDT at IDT_GPA otherwise. Clears EXC_COUNT.
 * Clobbers eax.
 */
.macro SETUP_EXC_HANDLERS
#if GUEST_BITS == 16
	movw $exc_db, 1 * 4
	movw $(LOAD_GPA >> 4), 1 * 4 + 2
	movw $exc_ud, 6 * 4
	movw $(LOAD_GPA >> 4), 6 * 4 + 2
	movw $exc_gp, 13 * 4
	movw $(LOAD_GPA >> 4), 13 * 4 + 2
#else
	SET_GATE 1, exc_db
	SET_GATE 6, exc_ud
	SET_GATE 13, exc_gp
#if GUEST_BITS == 32
	movw $(14 * 8 - 1), IDTR_PTR
#else
	movw $(14 * 16 - 1), IDTR_PTR
	movl $0, IDTR_PTR + 6
#endif
	movl $IDT_GPA, IDTR_PTR + 2
	lidt IDTR_PTR
#endif
	movl $0, EXC_COUNT
	movl $0xffffffff, EXC_VEC
.endm

/* If the next instructions fault, the handler resumes at \label. */
#define EXC_RESUME_AT(label)	movl $label, EXC_RESUME

/*
 * The instruction before here raised \vector, the \count-th exception so
 * far, and the handler found the frame it expects (an error code exactly
 * for #GP in protected and long mode, none in real mode). Clobbers eax.
 */
.macro __assert_exc vector, count, line
	mov EXC_VEC, %eax
	__assert_eq $\vector, %eax, \line
	mov EXC_COUNT, %eax
	__assert_eq $\count, %eax, \line
	mov EXC_SP, %eax
	add $EXC_FRAME, %eax
	__assert_eq %esp, %eax, \line
.endm
#define GUEST_ASSERT_EXC(vector, count) __assert_exc vector, count, __LINE__

/*
 * The handlers SETUP_EXC_HANDLERS installs, the stop loop and the file name
 * ucalls carry: emitted once per payload. A handler records the vector,
 * counts, notes its stack pointer and returns to EXC_RESUME.
 */
.macro TEST_RUNTIME file
exc_db:
	movl $1, EXC_VEC
	jmp exc_common
exc_ud:
	movl $6, EXC_VEC
	jmp exc_common
exc_gp:
	movl $13, EXC_VEC
#if GUEST_BITS == 32
	add $4, %esp			/* the error code */
#elif GUEST_BITS == 64
	add $8, %rsp
#endif
exc_common:
	mov %esp, EXC_SP
	incl EXC_COUNT
#if GUEST_BITS == 16
	push %bp
	mov %sp, %bp
	push %ax
	mov EXC_RESUME, %ax
	mov %ax, 2(%bp)			/* the saved IP */
	pop %ax
	pop %bp
	iret
#elif GUEST_BITS == 32
	push %eax
	mov EXC_RESUME, %eax
	mov %eax, 4(%esp)		/* the saved EIP */
	pop %eax
	iret
#else
	push %rax
	mov EXC_RESUME, %eax
	mov %rax, 8(%rsp)		/* the saved RIP */
	pop %rax
	iretq
#endif

guest_stop:
	cli
	hlt
	jmp guest_stop

ucall_file:
	.asciz "\file"
.endm

#endif /* GUEST_BITS */

#endif /* TANDEM_GUEST_ASM_H */
