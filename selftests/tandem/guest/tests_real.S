/* SPDX-License-Identifier: GPL-2.0 */
/* The exit and isolation test routines (tests.inc) in real mode. */
#define GUEST_BITS 16
#include "guest.h"

	.code16
#include "tests.inc"
