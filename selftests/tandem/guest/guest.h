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
#define UCALL(type, value)		\
	mov $HC_UCALL, %eax;		\
	mov $type, %ebx;		\
	mov value, %ecx;		\
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

#endif /* TANDEM_GUEST_ASM_H */
