/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Long mode: an "MMIO script" interpreter for virtio_hostile_test. The host
 * writes an array of 24-byte operations at SCRIPT before starting the
 * domain:
 *
 *	u32 op; u32 limit; u64 addr; u64 val;
 *
 * OP_W32 and OP_W16 store the low 32 or 16 bits of val at addr; OP_R32
 * reads 32 bits at addr and reports them (ucall sync); OP_WAIT16 spins
 * until the u16 at addr equals val, at most limit rounds (0: 2^32), and
 * reports the u16 it read last; OP_DONE reports done and halts for good.
 * Anything else is reported as an assert with the op. Long mode maps the
 * first 4 GiB one to one, so addr reaches the virtio-mmio windows.
 */
#include "guest.h"

#define SCRIPT		0x20000
#define OP_DONE		0
#define OP_W32		1
#define OP_W16		2
#define OP_R32		3
#define OP_WAIT16	4

	.code64
	.text
	.globl _start
_start:
	mov $SCRIPT, %ebp
next:
	mov (%rbp), %eax		/* op */
	mov 4(%rbp), %r9d		/* limit */
	mov 8(%rbp), %rdi		/* addr */
	mov 16(%rbp), %r8		/* val */
	add $24, %rbp
	cmp $OP_W32, %eax
	je w32
	cmp $OP_W16, %eax
	je w16
	cmp $OP_R32, %eax
	je r32
	cmp $OP_WAIT16, %eax
	je wait16
	cmp $OP_DONE, %eax
	je done
	UCALL(UCALL_ASSERT, %eax)
	jmp stop

w32:
	mov %r8d, %eax
	mov %eax, (%rdi)
	jmp next
w16:
	mov %r8d, %eax
	mov %ax, (%rdi)
	jmp next
r32:
	mov (%rdi), %eax
	GUEST_SYNC(%eax)
	jmp next
wait16:
	movzwl %r8w, %r8d
1:	movzwl (%rdi), %eax
	cmp %r8d, %eax
	je 2f
	pause
	dec %r9d
	jnz 1b
2:	GUEST_SYNC(%eax)
	jmp next
done:
	GUEST_DONE()
stop:
	cli
	hlt
	jmp stop
