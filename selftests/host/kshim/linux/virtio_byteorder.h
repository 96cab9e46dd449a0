/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's virtio byte-order helpers, for a little- or big-endian host. */
#ifndef KSHIM_LINUX_VIRTIO_BYTEORDER_H
#define KSHIM_LINUX_VIRTIO_BYTEORDER_H

#include <endian.h>
#include <linux/types.h>
#include <linux/virtio_types.h>

#define KSHIM_VIRTIO_ORDER(bits)					\
static inline u##bits __virtio##bits##_to_cpu(bool le, __virtio##bits v) \
{									\
	return le ? le##bits##toh(v) : be##bits##toh(v);		\
}									\
static inline __virtio##bits __cpu_to_virtio##bits(bool le, u##bits v)	\
{									\
	return le ? htole##bits(v) : htobe##bits(v);			\
}

KSHIM_VIRTIO_ORDER(16)
KSHIM_VIRTIO_ORDER(32)
KSHIM_VIRTIO_ORDER(64)

#endif
