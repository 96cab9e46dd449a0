/* SPDX-License-Identifier: GPL-2.0 */
/* The exit and isolation test routines (tests.inc) in long mode. */
#define GUEST_BITS 64
#include "guest.h"

	.code64
#include "tests.inc"
