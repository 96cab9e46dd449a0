/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest driver's register accesses for the host tests of the virtio
 * code: 32-bit reads and writes of a virtio-mmio transport's registers and
 * the 64 feature bits the device offers. The test defines VMMIO_DEV, the
 * struct tandem_vmmio * they go to, before it includes this (once).
 */
#ifndef TANDEM_HOST_VMMIO_DRIVER_H
#define TANDEM_HOST_VMMIO_DRIVER_H

#include <linux/virtio_mmio.h>

#include "virtio_mmio.h"

#ifndef VMMIO_DEV
#error "define VMMIO_DEV, the transport, before including vmmio_driver.h"
#endif

/* The register at @offset; 0xdeadbeef where the transport gave nothing. */
static inline u32 rd(u32 offset)
{
	u32 val = 0xdeadbeef;

	tandem_vmmio_read(VMMIO_DEV, offset, 4, &val);
	return val;
}

static inline void wr(u32 offset, u32 val)
{
	tandem_vmmio_write(VMMIO_DEV, offset, 4, val);
}

/* The device's feature bits, both words. */
static inline u64 offered(void)
{
	u64 f;

	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	return f | (u64)rd(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

#endif /* TANDEM_HOST_VMMIO_DRIVER_H */
