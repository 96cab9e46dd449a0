/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio-mmio transport, version 2 (virtio 1.x, 1.2's section 4.2):
 * the register model of one device, which the block and network backends
 * plug into through &struct tandem_vmmio_ops.
 *
 * This header and virtio_mmio.c include no Tandem header besides this one
 * and virtqueue.h, so that the host unit test
 * (selftests/host/virtio_mmio_test.c) builds the same file.
 */
#ifndef TANDEM_VIRTIO_MMIO_H
#define TANDEM_VIRTIO_MMIO_H

#include <linux/types.h>
#include <linux/spinlock.h>

#include "virtqueue.h"

/* Bytes of MMIO one device takes: registers, then config space at 0x100. */
#define TANDEM_VMMIO_SIZE		0x200
/* Bytes of device-specific configuration space at most. */
#define TANDEM_VMMIO_CONFIG_MAX		(TANDEM_VMMIO_SIZE - 0x100)
/* Queues one device may have. */
#define TANDEM_VMMIO_MAX_QUEUES		8
/* VendorID: "TNDM" read as a little-endian 32-bit value. */
#define TANDEM_VMMIO_VENDOR_ID		0x4d444e54

struct tandem_vmmio;

/**
 * struct tandem_vmmio_ops - what a backend provides to the transport
 * @config_read: read @size (1, 2 or 4) bytes at @offset of the
 *	device-specific configuration space into @val (little-endian value);
 *	@offset + @size <= &tandem_vmmio.config_len. Optional: reads 0.
 * @config_write: write them. Optional: writes are dropped.
 * @features_ok: optional; whether the device accepts @features (already a
 *	subset of what it offered, with VIRTIO_F_VERSION_1). Returning false
 *	leaves FEATURES_OK clear.
 * @queue_notify: the driver notified queue @q, which is ready, while
 *	DRIVER_OK is set. Called without the device lock (the hot path):
 *	typically queues the backend's work.
 * @reset: the driver reset the device (Status = 0). Called with the device
 *	lock held, before the queues are reset: when it returns the backend
 *	must no longer touch the queues.
 * @set_irq: drive the device's interrupt line (level-triggered) high or
 *	low. Called with the device lock held, only on a change.
 *
 * All are called from the vCPU thread with preemption disabled, except
 * @set_irq, which is also called from the backend calling
 * tandem_vmmio_signal_used() or tandem_vmmio_queue_broken(): none may
 * sleep, and those called under the lock may not call back into the
 * transport.
 */
struct tandem_vmmio_ops {
	void (*config_read)(struct tandem_vmmio *dev, u32 offset, int size,
			    u32 *val);
	void (*config_write)(struct tandem_vmmio *dev, u32 offset, int size,
			     u32 val);
	bool (*features_ok)(struct tandem_vmmio *dev, u64 features);
	void (*queue_notify)(struct tandem_vmmio *dev, unsigned int q);
	void (*reset)(struct tandem_vmmio *dev);
	void (*set_irq)(struct tandem_vmmio *dev, bool level);
};

/**
 * struct tandem_vmmio_queue - one queue's transport registers and ring
 * @vq: the ring, set up when the driver writes QueueReady = 1
 * @num_max: QueueNumMax: the largest size the device takes; 0 for a queue
 *	that does not exist
 * @num: QueueNum as written
 * @ready: QueueReady: @vq is set up and the driver may use it
 * @desc: QueueDescLow/High
 * @driver: QueueDriverLow/High (the available ring)
 * @device: QueueDeviceLow/High (the used ring)
 */
struct tandem_vmmio_queue {
	struct tandem_vq vq;
	u32 num_max;
	u32 num;
	bool ready;
	u64 desc;
	u64 driver;
	u64 device;
};

/**
 * struct tandem_vmmio - one virtio-mmio device
 * @lock: protects every field below but @ops, @priv, @mem, @device_id,
 *	@device_features, @config_len and @nr_queues (fixed by
 *	tandem_vmmio_init())
 * @ops: the backend
 * @priv: the backend's data
 * @mem: guest RAM, for the rings
 * @device_id: DeviceID (VIRTIO_ID_*)
 * @device_features: the features the device offers, VIRTIO_F_VERSION_1
 *	included
 * @config_len: bytes of device-specific configuration space
 * @nr_queues: queues 0 to @nr_queues - 1 exist
 * @driver_features: what the driver wrote to DriverFeatures
 * @device_features_sel: DeviceFeaturesSel
 * @driver_features_sel: DriverFeaturesSel
 * @queue_sel: QueueSel
 * @status: Status (VIRTIO_CONFIG_S_*)
 * @isr: InterruptStatus (VIRTIO_MMIO_INT_*)
 * @irq_level: the line as last driven through &tandem_vmmio_ops.set_irq
 * @config_generation: ConfigGeneration
 * @reason: why DEVICE_NEEDS_RESET was set (a static string), or %NULL
 * @queues: the queues' registers and rings
 */
struct tandem_vmmio {
	spinlock_t lock; /* registers: vCPU threads and backends */
	const struct tandem_vmmio_ops *ops;
	void *priv;
	struct tandem_mem *mem;
	u32 device_id;
	u64 device_features;
	u32 config_len;
	unsigned int nr_queues;
	u64 driver_features;
	u32 device_features_sel;
	u32 driver_features_sel;
	u32 queue_sel;
	u8 status;
	u32 isr;
	bool irq_level;
	u32 config_generation;
	const char *reason;
	struct tandem_vmmio_queue queues[TANDEM_VMMIO_MAX_QUEUES];
};

int tandem_vmmio_init(struct tandem_vmmio *dev,
		      const struct tandem_vmmio_ops *ops, void *priv,
		      struct tandem_mem *mem, u32 device_id, u64 features,
		      u32 config_len, unsigned int nr_queues,
		      const u32 *num_max);
void tandem_vmmio_read(struct tandem_vmmio *dev, u32 offset, int size,
		       u32 *val);
void tandem_vmmio_write(struct tandem_vmmio *dev, u32 offset, int size,
			u32 val);
void tandem_vmmio_signal_used(struct tandem_vmmio *dev, unsigned int q);
void tandem_vmmio_queue_broken(struct tandem_vmmio *dev, unsigned int q);
void tandem_vmmio_config_update(struct tandem_vmmio *dev,
				void (*update)(struct tandem_vmmio *dev,
					       void *arg),
				void *arg);

#endif /* TANDEM_VIRTIO_MMIO_H */
