// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-mmio transport, version 2 (section numbers are those of the
 * virtio 1.2 specification: 4.2, Virtio Over MMIO; 2.1, Device Status
 * Field; 2.2, Feature Bits; 3.1, Device Initialization).
 *
 * The registers are a state machine the guest drives; this file enforces
 * its rules so that a backend only ever sees a negotiated feature set, a
 * queue the engine (virtqueue.c) accepted, and notifications on a live
 * device. Registers are 32 bits wide and accessed 32 bits at a time; the
 * configuration space at 0x100 belongs to the backend and takes 8-, 16-
 * and 32-bit accesses. Anything else the guest does is dropped: reads
 * return 0, writes do nothing. A rule the guest breaks that leaves the
 * device unusable (a queue setup the engine refuses, a ring broken later)
 * sets DEVICE_NEEDS_RESET (2.1.2, Device Status Field).
 *
 * Files here include no other Tandem header: see virtio_mmio.h.
 */
#include <linux/errno.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "virtio_mmio.h"

#define VMMIO_MAGIC		0x74726976	/* "virt" */
#define VMMIO_VERSION		2

/* Status bits the driver may set; DEVICE_NEEDS_RESET is the device's. */
#define VMMIO_DRIVER_STATUS	(VIRTIO_CONFIG_S_ACKNOWLEDGE |		\
				 VIRTIO_CONFIG_S_DRIVER |		\
				 VIRTIO_CONFIG_S_FEATURES_OK |		\
				 VIRTIO_CONFIG_S_DRIVER_OK |		\
				 VIRTIO_CONFIG_S_FAILED)

/* Features the transport itself can honour; backends offer a subset. */
#define VMMIO_TRANSPORT_FEATURES ((1ULL << VIRTIO_F_VERSION_1) |	\
				  (1ULL << VIRTIO_RING_F_EVENT_IDX) |	\
				  (1ULL << VIRTIO_RING_F_INDIRECT_DESC))

/**
 * tandem_vmmio_init() - set up a device in its reset state
 * @dev: the device, overwritten
 * @ops: the backend's callbacks; @ops->set_irq is required
 * @priv: the backend's data, kept in @dev->priv
 * @mem: guest RAM
 * @device_id: DeviceID, non-zero (0 means "no device" to the driver)
 * @features: the device-specific features the backend offers (bits 0-23
 *	and 50 up) plus any of VIRTIO_RING_F_EVENT_IDX and
 *	VIRTIO_RING_F_INDIRECT_DESC; VIRTIO_F_VERSION_1 is added
 * @config_len: bytes of configuration space, at most
 *	%TANDEM_VMMIO_CONFIG_MAX
 * @nr_queues: queues, 1 to %TANDEM_VMMIO_MAX_QUEUES
 * @num_max: QueueNumMax of each queue, powers of two up to
 *	%TANDEM_VQ_MAX_SIZE
 *
 * Return: 0, or -EINVAL for a parameter out of range or a transport
 * feature (bits 24-49) the transport does not implement.
 */
int tandem_vmmio_init(struct tandem_vmmio *dev,
		      const struct tandem_vmmio_ops *ops, void *priv,
		      struct tandem_mem *mem, u32 device_id, u64 features,
		      u32 config_len, unsigned int nr_queues,
		      const u32 *num_max)
{
	/* Bits 24 to 49 are reserved for the queue and transport (2.2). */
	const u64 reserved = ((1ULL << 50) - 1) & ~((1ULL << 24) - 1);
	unsigned int q;

	if (!ops || !ops->set_irq || !device_id ||
	    config_len > TANDEM_VMMIO_CONFIG_MAX ||
	    !nr_queues || nr_queues > TANDEM_VMMIO_MAX_QUEUES)
		return -EINVAL;
	if (features & reserved & ~VMMIO_TRANSPORT_FEATURES)
		return -EINVAL;
	for (q = 0; q < nr_queues; q++)
		if (!num_max[q] || num_max[q] > TANDEM_VQ_MAX_SIZE ||
		    (num_max[q] & (num_max[q] - 1)))
			return -EINVAL;

	*dev = (struct tandem_vmmio) {
		.ops = ops,
		.priv = priv,
		.mem = mem,
		.device_id = device_id,
		.device_features = features | (1ULL << VIRTIO_F_VERSION_1),
		.config_len = config_len,
		.nr_queues = nr_queues,
	};
	spin_lock_init(&dev->lock);
	for (q = 0; q < nr_queues; q++)
		dev->queues[q].num_max = num_max[q];
	return 0;
}

static void vmmio_update_irq(struct tandem_vmmio *dev)
{
	bool level = dev->isr != 0;

	if (level == dev->irq_level)
		return;
	dev->irq_level = level;
	dev->ops->set_irq(dev, level);
}

static void vmmio_interrupt(struct tandem_vmmio *dev, u32 why)
{
	dev->isr |= why;
	vmmio_update_irq(dev);
}

/*
 * The device cannot go on until the driver resets it (2.1.2): set
 * DEVICE_NEEDS_RESET and, once DRIVER_OK is set, say so with a
 * configuration-change interrupt. Before DRIVER_OK the interrupt is sent
 * when the driver sets DRIVER_OK (vmmio_write_status()).
 */
static void vmmio_needs_reset(struct tandem_vmmio *dev, const char *reason)
{
	if (dev->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	dev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	dev->reason = reason;
	if (dev->status & VIRTIO_CONFIG_S_DRIVER_OK)
		vmmio_interrupt(dev, VIRTIO_MMIO_INT_CONFIG);
}

/* The queue QueueSel names, or NULL when it does not exist. */
static struct tandem_vmmio_queue *vmmio_sel_queue(struct tandem_vmmio *dev)
{
	if (dev->queue_sel >= dev->nr_queues)
		return NULL;
	return &dev->queues[dev->queue_sel];
}

/*
 * The queue's registers may be written only while it is not ready and the
 * driver has not set DRIVER_OK (4.2.3.2, Virtqueue Configuration).
 */
static struct tandem_vmmio_queue *vmmio_sel_queue_rw(struct tandem_vmmio *dev)
{
	struct tandem_vmmio_queue *vq = vmmio_sel_queue(dev);

	if (!vq || vq->ready || (dev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return NULL;
	return vq;
}

static void vmmio_reset(struct tandem_vmmio *dev)
{
	unsigned int q;

	if (dev->ops->reset)
		dev->ops->reset(dev);
	for (q = 0; q < dev->nr_queues; q++) {
		struct tandem_vmmio_queue *vq = &dev->queues[q];

		tandem_vq_reset(&vq->vq);
		vq->ready = false;
		vq->num = 0;
		vq->desc = 0;
		vq->driver = 0;
		vq->device = 0;
	}
	dev->driver_features = 0;
	dev->device_features_sel = 0;
	dev->driver_features_sel = 0;
	dev->queue_sel = 0;
	dev->status = 0;
	dev->reason = NULL;
	dev->isr = 0;
	vmmio_update_irq(dev);
}

/*
 * FEATURES_OK sticks only when the driver accepted nothing the device did
 * not offer, accepted VIRTIO_F_VERSION_1 (required by this version-2
 * transport, 4.2.2) and the backend agrees (3.1.1, Driver Requirements:
 * Device Initialization: the driver reads FEATURES_OK back to learn this).
 */
static bool vmmio_features_ok(struct tandem_vmmio *dev)
{
	u64 f = dev->driver_features;

	if (f & ~dev->device_features)
		return false;
	if (!(f & (1ULL << VIRTIO_F_VERSION_1)))
		return false;
	return !dev->ops->features_ok || dev->ops->features_ok(dev, f);
}

static void vmmio_write_status(struct tandem_vmmio *dev, u32 val)
{
	u8 old = dev->status, new;

	if (!val) {
		vmmio_reset(dev);
		return;
	}
	/* Only a reset clears bits (2.1.1); unknown bits are dropped. */
	new = old | (val & VMMIO_DRIVER_STATUS);

	if ((new & ~old) & VIRTIO_CONFIG_S_FEATURES_OK) {
		if (!(new & VIRTIO_CONFIG_S_DRIVER) || !vmmio_features_ok(dev))
			new &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	}
	/* DRIVER_OK only after a successful feature negotiation (3.1.1). */
	if (!(new & VIRTIO_CONFIG_S_FEATURES_OK))
		new &= ~VIRTIO_CONFIG_S_DRIVER_OK;
	dev->status = new;

	/* A queue refused during setup: tell the driver now (2.1.2). */
	if ((new & ~old & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    (new & VIRTIO_CONFIG_S_NEEDS_RESET))
		vmmio_interrupt(dev, VIRTIO_MMIO_INT_CONFIG);
}

/*
 * QueueReady = 1: hand the layout to the engine. A nonexistent queue, a
 * queue already ready, and a write before FEATURES_OK or after DRIVER_OK
 * are ignored. A layout the engine refuses, or a size above QueueNumMax,
 * leaves the queue not ready and sets DEVICE_NEEDS_RESET: the driver
 * (Linux's included) does not read QueueReady back, and would otherwise
 * wait forever on a queue the device never serves.
 *
 * QueueReady = 0 before DRIVER_OK takes the queue back (the driver's
 * error path does that); after DRIVER_OK only a device reset does, since
 * VIRTIO_F_RING_RESET is not offered.
 */
static void vmmio_write_queue_ready(struct tandem_vmmio *dev, u32 val)
{
	struct tandem_vmmio_queue *vq = vmmio_sel_queue(dev);

	if (!vq || (dev->status & VIRTIO_CONFIG_S_DRIVER_OK) ||
	    !(dev->status & VIRTIO_CONFIG_S_FEATURES_OK))
		return;
	if (!val) {
		if (vq->ready)
			tandem_vq_reset(&vq->vq);
		vq->ready = false;
		return;
	}
	if (vq->ready)
		return;
	if (vq->num > vq->num_max) {
		vmmio_needs_reset(dev, "queue size above QueueNumMax");
		return;
	}
	if (tandem_vq_setup(&vq->vq, dev->mem, vq->num, vq->desc, vq->driver,
			    vq->device, dev->driver_features)) {
		vmmio_needs_reset(dev, vq->vq.reason);
		return;
	}
	vq->ready = true;
}

/* Replace the low or high half of *@reg. */
static void vmmio_set_half(u64 *reg, bool high, u32 val)
{
	if (high)
		*reg = (*reg & 0xffffffffULL) | ((u64)val << 32);
	else
		*reg = (*reg & ~0xffffffffULL) | val;
}

static u32 vmmio_features_window(u64 features, u32 sel)
{
	if (sel > 1)
		return 0;
	return (u32)(features >> (32 * sel));
}

static void vmmio_config_access(struct tandem_vmmio *dev, u32 offset,
				int size, u32 *rval, u32 wval, bool write)
{
	offset -= VIRTIO_MMIO_CONFIG;
	if ((size != 1 && size != 2 && size != 4) ||
	    offset + size > dev->config_len)
		return;
	if (write) {
		if (dev->ops->config_write)
			dev->ops->config_write(dev, offset, size, wval);
	} else if (dev->ops->config_read) {
		dev->ops->config_read(dev, offset, size, rval);
	}
}

static u32 vmmio_read_reg(struct tandem_vmmio *dev, u32 offset)
{
	struct tandem_vmmio_queue *vq = vmmio_sel_queue(dev);

	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VMMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return VMMIO_VERSION;
	case VIRTIO_MMIO_DEVICE_ID:
		return dev->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return TANDEM_VMMIO_VENDOR_ID;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return vmmio_features_window(dev->device_features,
					     dev->device_features_sel);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return vq ? vq->num_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return vq ? vq->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return dev->isr;
	case VIRTIO_MMIO_STATUS:
		return dev->status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		/* No shared memory region: length -1 (4.2.2). */
		return ~0U;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return dev->config_generation;
	default:
		/* Write-only, reserved, or legacy (version 1) registers. */
		return 0;
	}
}

static void vmmio_write_reg(struct tandem_vmmio *dev, u32 offset, u32 val)
{
	struct tandem_vmmio_queue *vq;
	u32 sel;

	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		dev->device_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* Fixed once FEATURES_OK is set (3.1.1); window 0 or 1 only. */
		sel = dev->driver_features_sel;
		if (sel <= 1 && !(dev->status & VIRTIO_CONFIG_S_FEATURES_OK))
			vmmio_set_half(&dev->driver_features, sel, val);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		dev->driver_features_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		dev->queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		vq = vmmio_sel_queue_rw(dev);
		if (vq)
			vq->num = val;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		vmmio_write_queue_ready(dev, val);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		dev->isr &= ~val;
		vmmio_update_irq(dev);
		break;
	case VIRTIO_MMIO_STATUS:
		vmmio_write_status(dev, val);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		vq = vmmio_sel_queue_rw(dev);
		if (vq)
			vmmio_set_half(&vq->desc,
				       offset == VIRTIO_MMIO_QUEUE_DESC_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		vq = vmmio_sel_queue_rw(dev);
		if (vq)
			vmmio_set_half(&vq->driver,
				       offset == VIRTIO_MMIO_QUEUE_AVAIL_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		vq = vmmio_sel_queue_rw(dev);
		if (vq)
			vmmio_set_half(&vq->device,
				       offset == VIRTIO_MMIO_QUEUE_USED_HIGH, val);
		break;
	default:
		/* Read-only, reserved, or legacy (version 1) registers. */
		break;
	}
}

/**
 * tandem_vmmio_read() - a guest read of the device's MMIO range
 * @dev: the device
 * @offset: from the range's base, below %TANDEM_VMMIO_SIZE
 * @size: 1, 2, 4 or 8 bytes
 * @val: the value read; 0 for a register read with another size than 4,
 *	a misaligned one, a write-only or reserved register, or a config
 *	access beyond the device's configuration space
 *
 * Called on the vCPU thread; takes the device lock.
 */
void tandem_vmmio_read(struct tandem_vmmio *dev, u32 offset, int size,
		       u32 *val)
{
	unsigned long flags;

	*val = 0;
	spin_lock_irqsave(&dev->lock, flags);
	if (offset >= VIRTIO_MMIO_CONFIG)
		vmmio_config_access(dev, offset, size, val, 0, false);
	else if (size == 4 && !(offset & 3))
		*val = vmmio_read_reg(dev, offset);
	spin_unlock_irqrestore(&dev->lock, flags);
}

/**
 * tandem_vmmio_write() - a guest write to the device's MMIO range
 * @dev: the device
 * @offset: from the range's base, below %TANDEM_VMMIO_SIZE
 * @size: 1, 2, 4 or 8 bytes
 * @val: the value written (the low @size bytes)
 *
 * A register write with another size than 4, a misaligned one, or to a
 * read-only or reserved register is dropped, as is a config access beyond
 * the device's configuration space. A QueueNotify for a ready queue while
 * DRIVER_OK is set calls &tandem_vmmio_ops.queue_notify after the lock is
 * dropped; other notifications are dropped.
 *
 * Called on the vCPU thread; takes the device lock.
 */
void tandem_vmmio_write(struct tandem_vmmio *dev, u32 offset, int size,
			u32 val)
{
	unsigned long flags;
	bool notify = false;

	spin_lock_irqsave(&dev->lock, flags);
	if (offset >= VIRTIO_MMIO_CONFIG)
		vmmio_config_access(dev, offset, size, NULL, val, true);
	else if (size == 4 && !(offset & 3) &&
		 offset == VIRTIO_MMIO_QUEUE_NOTIFY)
		notify = val < dev->nr_queues && dev->queues[val].ready &&
			 (dev->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
			 !(dev->status & VIRTIO_CONFIG_S_NEEDS_RESET);
	else if (size == 4 && !(offset & 3))
		vmmio_write_reg(dev, offset, val);
	spin_unlock_irqrestore(&dev->lock, flags);

	if (notify && dev->ops->queue_notify)
		dev->ops->queue_notify(dev, val);
}

/**
 * tandem_vmmio_signal_used() - interrupt the driver for buffers pushed
 * @dev: the device
 * @q: the queue the backend pushed to with tandem_vq_push()
 *
 * Sets the used-buffer bit of InterruptStatus and raises the line when
 * tandem_vq_need_interrupt() says the driver wants it. On a broken queue,
 * does what tandem_vmmio_queue_broken() does instead. Nothing happens for
 * a queue that is not ready (a reset came first).
 *
 * Callable from any context; takes the device lock.
 */
void tandem_vmmio_signal_used(struct tandem_vmmio *dev, unsigned int q)
{
	struct tandem_vmmio_queue *vq;
	unsigned long flags;

	if (q >= dev->nr_queues)
		return;
	vq = &dev->queues[q];
	spin_lock_irqsave(&dev->lock, flags);
	if (vq->ready) {
		if (vq->vq.broken)
			vmmio_needs_reset(dev, vq->vq.reason);
		else if (tandem_vq_need_interrupt(&vq->vq))
			vmmio_interrupt(dev, VIRTIO_MMIO_INT_VRING);
	}
	spin_unlock_irqrestore(&dev->lock, flags);
}

/**
 * tandem_vmmio_queue_broken() - the engine broke queue @q: tell the driver
 * @dev: the device
 * @q: the queue, on which tandem_vq_pop() or tandem_vq_push() failed
 *
 * Sets DEVICE_NEEDS_RESET in Status (the queue's reason is kept in
 * @dev->reason) and, if DRIVER_OK is set, sends a configuration-change
 * interrupt (2.1.2, Device Status Field); the driver then resets the
 * device. Nothing happens for a queue that is not ready.
 *
 * Callable from any context; takes the device lock.
 */
void tandem_vmmio_queue_broken(struct tandem_vmmio *dev, unsigned int q)
{
	struct tandem_vmmio_queue *vq;
	unsigned long flags;

	if (q >= dev->nr_queues)
		return;
	vq = &dev->queues[q];
	spin_lock_irqsave(&dev->lock, flags);
	if (vq->ready)
		vmmio_needs_reset(dev, vq->vq.reason ? vq->vq.reason :
				  "queue broken by the device");
	spin_unlock_irqrestore(&dev->lock, flags);
}

/**
 * tandem_vmmio_config_update() - change the configuration space
 * @dev: the device
 * @update: changes the backend's configuration space; called with the
 *	device lock held, which &tandem_vmmio_ops.config_read also runs
 *	under, so that no access sees a half-made change
 * @arg: passed to @update
 *
 * Advances ConfigGeneration in the same critical section, so that a
 * driver reading a field across the change (with more than one access)
 * sees the generation move and reads again (4.2.2), then sends a
 * configuration-change interrupt if DRIVER_OK is set.
 *
 * Callable from any context; takes the device lock.
 */
void tandem_vmmio_config_update(struct tandem_vmmio *dev,
				void (*update)(struct tandem_vmmio *dev,
					       void *arg),
				void *arg)
{
	unsigned long flags;

	spin_lock_irqsave(&dev->lock, flags);
	update(dev, arg);
	dev->config_generation++;
	if (dev->status & VIRTIO_CONFIG_S_DRIVER_OK)
		vmmio_interrupt(dev, VIRTIO_MMIO_INT_CONFIG);
	spin_unlock_irqrestore(&dev->lock, flags);
}
