/* SPDX-License-Identifier: GPL-2.0 */
/* Protected mode: greet on the console, report done, power off. */
#include "guest.h"

	.code32
	.text
	.globl _start
_start:
	mov $HC_CONSOLE_WRITE, %eax
	mov $msg, %ebx
	mov $(msg_end - msg), %ecx
	HYPERCALL
	GUEST_DONE()
	GUEST_SHUTDOWN()
	hlt
msg:
	.ascii "Hello from a protected-mode guest\n"
msg_end:
