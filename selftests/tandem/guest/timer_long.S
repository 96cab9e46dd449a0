/* SPDX-License-Identifier: GPL-2.0 */
/* The timekeeping routines (timer.inc) in long mode. */
#define GUEST_BITS 64
#include "guest.h"

	.code64
#include "timer.inc"
