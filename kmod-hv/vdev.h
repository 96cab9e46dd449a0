/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Virtio devices attached to a domain: what the slots of the virtio-mmio
 * window hold, and the backends behind them (vdev.c, disk.c, nic.c).
 */
#ifndef TANDEM_VDEV_H
#define TANDEM_VDEV_H

#include <linux/if_ether.h>
#include <linux/types.h>

#include "tandem_hv.h"
#include "virtio_mmio.h"

struct sk_buff;
struct tandem_vdev;

/**
 * struct tandem_vdev_ops - what differs between device types
 * @fill: put the type's attributes (&enum tandem_device_attr) into a
 *	message: 0 or -EMSGSIZE
 * @reset: reset the device as a guest writing 0 to Status does, and wait
 *	for what the backend still does to guest memory; process context, no
 *	vCPU running (the domain restarts, its memory is about to be put back)
 * @destroy: stop the backend (waiting for I/O in flight), release what it
 *	holds and free the device; process context, no vCPU running
 */
struct tandem_vdev_ops {
	int (*fill)(struct sk_buff *skb, struct tandem_vdev *vdev);
	void (*reset)(struct tandem_vdev *vdev);
	void (*destroy)(struct tandem_vdev *vdev);
};

/**
 * struct tandem_vdev - a device in one virtio-mmio slot
 * @dom: its domain
 * @type: &enum tandem_device_type
 * @index: its number among the domain's devices of @type
 * @slot: the slot: registers at %TANDEM_VIRTIO_MMIO_BASE + @slot *
 *	%TANDEM_VIRTIO_MMIO_STRIDE, interrupt line %TANDEM_VIRTIO_GSI_BASE +
 *	@slot
 * @vmmio: the transport registers the guest sees
 * @ops: type-specific behaviour
 */
struct tandem_vdev {
	struct tandem_domain *dom;
	u32 type;
	u32 index;
	u32 slot;
	struct tandem_vmmio *vmmio;
	const struct tandem_vdev_ops *ops;
};

/**
 * struct tandem_attach - a DEVICE_ATTACH waiting for the agent's verdict
 * @type: &enum tandem_device_type
 * @index: the index the device will get (the lowest free when asked)
 * @file: disk: the backing file, opened with the requester's credentials
 * @path: disk: @file's path as resolved by the kernel (kmalloc'ed)
 * @size: disk: bytes
 * @read_only: disk: the guest may not write
 * @serial: disk: what GET_ID returns
 * @mac: NIC: the guest's MAC address
 * @ifname: NIC: the host netdev's name
 *
 * The backend's create function takes @file and @path over (sets them to
 * %NULL); what is left is released with the decision.
 */
struct tandem_attach {
	u32 type;
	u32 index;
	struct file *file;
	char *path;
	u64 size;
	bool read_only;
	char serial[TANDEM_SERIAL_MAX];
	u8 mac[ETH_ALEN];
	char ifname[TANDEM_IFNAME_MAX];
};

static inline u32 tandem_vdev_gsi(const struct tandem_vdev *vdev)
{
	return TANDEM_VIRTIO_GSI_BASE + vdev->slot;
}

/* disk.c: virtio-blk on a host file or block device */
struct tandem_vdev *tandem_disk_create(struct tandem_domain *dom,
				       struct tandem_attach *att, u32 slot,
				       const char **reason);
int tandem_disk_open(struct tandem_attach *att, const char *path,
		     const char **reason);

/* nic.c: virtio-net with a host netdev */
struct tandem_vdev *tandem_nic_create(struct tandem_domain *dom,
				      struct tandem_attach *att, u32 slot,
				      const char **reason);

#endif /* TANDEM_VDEV_H */
