/* SPDX-License-Identifier: GPL-2.0 */
/* Long mode: greet on the console, report done, power off. */
#include "guest.h"

	.code64
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
	.ascii "Hello from a long-mode guest\n"
msg_end:
