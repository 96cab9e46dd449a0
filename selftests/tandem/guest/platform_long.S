/* SPDX-License-Identifier: GPL-2.0 */
/* The platform device routines (platform.inc) in long mode. */
#define GUEST_BITS 64
#include "guest.h"

	.code64
#include "platform.inc"
