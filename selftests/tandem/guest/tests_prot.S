/* SPDX-License-Identifier: GPL-2.0 */
/* The exit and isolation test routines (tests.inc) in protected mode. */
#define GUEST_BITS 32
#include "guest.h"

	.code32
#include "tests.inc"
