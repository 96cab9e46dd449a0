/* SPDX-License-Identifier: GPL-2.0 */
/* The interrupt controller routines (apic.inc) in long mode. */
#define GUEST_BITS 64
#include "guest.h"

	.code64
#include "apic.inc"
