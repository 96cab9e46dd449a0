/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark guest: flat 64-bit code loaded at 0x10000, run in long
 * mode with the first 4 GiB identity-mapped (the layout of
 * selftests/tandem/tandem_guest.h). The same bytes run under Tandem and
 * under KVM; the host says through BENCH_* which instructions to use.
 *
 * For each loop it reads the TSC before and after N iterations and
 * stores the difference in BENCH_RESULTS: the host computes the cost of
 * one exit as (loop - baseline) / N. Each loop body has the baseline's
 * instructions plus the one that exits.
 *
 * When done it writes BENCH_MAGIC_DONE, then OUT to BENCH_DONE_PORT (an
 * exit to userspace under KVM; an unclaimed port under Tandem, dropped)
 * and the shutdown hypercall (Tandem; KVM never gets there).
 */

#define VENDOR_FLAG		0x8000	/* u8: 1 VMCALL, 2 VMMCALL */
#define BENCH_SEL		0x8100	/* u32: 0 measure, 1 stop at once */
#define BENCH_N			0x8104	/* u32: iterations per loop */
#define BENCH_PORT		0x8108	/* u32: port for the PIO loop (IN) */
#define BENCH_HC		0x810c	/* u32: RAX of the hypercall loop */
#define BENCH_MMIO		0x8110	/* u64: address for the MMIO loop (read) */
#define BENCH_RESULTS		0x8200	/* u64[5]: TSC ticks per loop */
#define BENCH_STATUS		0x8240	/* u32: BENCH_MAGIC_DONE at the end */

#define BENCH_MAGIC_DONE	0x454e4f44	/* "DONE" */
#define BENCH_DONE_PORT		0x5f0
#define HC_SHUTDOWN		4

/* The TSC into %r12; then the ticks since into BENCH_RESULTS[\slot]. */
.macro TSC_START
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, %r12
.endm

.macro TSC_STOP slot
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	sub %r12, %rax
	mov %rax, BENCH_RESULTS + \slot * 8
.endm

	.code64
	.text
	.globl _start
_start:
	cmpl $1, BENCH_SEL
	je done

	mov BENCH_N, %r13d
	mov BENCH_PORT, %r14d
	mov BENCH_MMIO, %r15
	mov BENCH_HC, %ebp

	/* 0: baseline, the common part of every loop body. */
	mov %r13d, %r8d
	TSC_START
1:	mov %ebp, %eax
	xor %ecx, %ecx
	mov %r14d, %edx
	dec %r8d
	jnz 1b
	TSC_STOP 0

	/* 1: CPUID leaf 0 (CPUID exits unconditionally under VMX and SVM). */
	mov %r13d, %r8d
	TSC_START
1:	xor %eax, %eax
	xor %ecx, %ecx
	mov %r14d, %edx
	cpuid
	dec %r8d
	jnz 1b
	TSC_STOP 1

	/* 2: a hypercall with the function number in BENCH_HC. */
	mov %r13d, %r8d
	cmpb $1, VENDOR_FLAG
	jne .Lvmmcall
	TSC_START
1:	mov %ebp, %eax
	xor %ecx, %ecx
	mov %r14d, %edx
	vmcall
	dec %r8d
	jnz 1b
	TSC_STOP 2
	jmp .Lpio
.Lvmmcall:
	TSC_START
1:	mov %ebp, %eax
	xor %ecx, %ecx
	mov %r14d, %edx
	vmmcall
	dec %r8d
	jnz 1b
	TSC_STOP 2

	/* 3: a one-byte IN from BENCH_PORT. */
.Lpio:
	mov %r13d, %r8d
	TSC_START
1:	mov %ebp, %eax
	xor %ecx, %ecx
	mov %r14d, %edx
	inb (%dx), %al
	dec %r8d
	jnz 1b
	TSC_STOP 3

	/* 4: a 32-bit MOV from BENCH_MMIO. */
	mov %r13d, %r8d
	TSC_START
1:	mov %ebp, %eax
	xor %ecx, %ecx
	mov %r14d, %edx
	mov (%r15), %eax
	dec %r8d
	jnz 1b
	TSC_STOP 4

done:
	movl $BENCH_MAGIC_DONE, BENCH_STATUS
	mov $BENCH_DONE_PORT, %edx
	outb %al, (%dx)
	mov $HC_SHUTDOWN, %eax
	xor %ebx, %ebx
	cmpb $1, VENDOR_FLAG
	jne 2f
	vmcall
	jmp 3f
2:	vmmcall
3:	cli
	hlt
	jmp 3b
