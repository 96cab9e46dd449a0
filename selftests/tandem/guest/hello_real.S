/* SPDX-License-Identifier: GPL-2.0 */
/* Real mode (CS base LOAD_GPA, DS base 0): greet, report done, power off. */
#include "guest.h"

	.code16
	.text
	.globl _start
_start:
	mov $HC_CONSOLE_WRITE, %eax
	mov $(LOAD_GPA + msg), %ebx
	mov $(msg_end - msg), %ecx
	HYPERCALL
	GUEST_DONE()
	GUEST_SHUTDOWN()
	hlt
msg:
	.ascii "Hello from a real-mode guest\n"
msg_end:
