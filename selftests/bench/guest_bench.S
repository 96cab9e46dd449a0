/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark guest: flat 64-bit code loaded at 0x10000, run in long
 * mode with the first 4 GiB identity-mapped (the layout of
 * selftests/tandem/tandem_guest.h). The same bytes run under Tandem and
 * under KVM; the host says through BENCH_* which instructions to use.
 *
 * For each loop it reads the TSC before and after N iterations, REPS
 * times, and stores the smallest difference in BENCH_RESULTS: the host
 * computes the cost of one exit as (loop - baseline) / N. Each loop body
 * has the baseline's instructions plus the one that exits.
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
#define BENCH_REPS		0x8118	/* u32: runs of each loop (the fastest counts) */
#define BENCH_RESULTS		0x8200	/* u64[5]: TSC ticks per loop */
#define BENCH_STATUS		0x8240	/* u32: BENCH_MAGIC_DONE at the end */

#define BENCH_MAGIC_DONE	0x454e4f44	/* "DONE" */
#define BENCH_DONE_PORT		0x5f0
#define HC_SHUTDOWN		4

/* The TSC into %r12; then the ticks since into %rax. */
.macro TSC_START
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, %r12
.endm

.macro TSC_SINCE
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	sub %r12, %rax
.endm

/*
 * The loop bodies: the baseline's three instructions (the exiting
 * instructions' inputs), then the instruction measured.
 */
.macro BODY_COMMON
	mov %ebp, %eax
	xor %ecx, %ecx
	mov %r14d, %edx
.endm
.macro BODY_BASELINE
	BODY_COMMON
.endm
.macro BODY_CPUID
	xor %eax, %eax		/* leaf 0 */
	xor %ecx, %ecx
	mov %r14d, %edx
	cpuid
.endm
.macro BODY_VMCALL
	BODY_COMMON
	vmcall
.endm
.macro BODY_VMMCALL
	BODY_COMMON
	vmmcall
.endm
.macro BODY_PIO
	BODY_COMMON
	inb (%dx), %al
.endm
.macro BODY_MMIO
	BODY_COMMON
	mov (%r15), %eax
.endm

/*
 * BENCH_REPS runs of BENCH_N iterations of \body; the fewest ticks a run
 * took go into BENCH_RESULTS[\slot]. The minimum leaves out the runs a
 * host interrupt or another task's work happened to fall into.
 */
.macro MEASURE slot, body
	mov $-1, %r11
	mov %r9d, %r10d
.Lrep\@:
	mov %r13d, %r8d
	TSC_START
.Lloop\@:
	\body
	dec %r8d
	jnz .Lloop\@
	TSC_SINCE
	cmp %r11, %rax
	cmovb %rax, %r11
	dec %r10d
	jnz .Lrep\@
	mov %r11, BENCH_RESULTS + \slot * 8
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
	mov BENCH_REPS, %r9d

	MEASURE 0, BODY_BASELINE
	/* CPUID exits unconditionally under VMX and SVM. */
	MEASURE 1, BODY_CPUID
	cmpb $1, VENDOR_FLAG
	jne 1f
	MEASURE 2, BODY_VMCALL
	jmp 2f
1:	MEASURE 2, BODY_VMMCALL
2:	MEASURE 3, BODY_PIO
	MEASURE 4, BODY_MMIO

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
