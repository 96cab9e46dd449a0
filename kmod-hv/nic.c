// SPDX-License-Identifier: GPL-2.0
/*
 * NICs: virtio-net (virtio_net.c, virtio_net_dev.c) in a virtio-mmio slot,
 * with a host network device of its own: tdm<domid>.<index> unless the
 * attach names it. The host netdev lives and dies with the NIC.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/etherdevice.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "tandem_hv.h"
#include "vdev.h"
#include "virtio_net.h"

/**
 * struct tandem_nic - a NIC
 * @vdev: the slot's device
 * @dev: the virtio-net device and its host netdev
 * @mac: the guest's MAC address
 * @ifname: the host netdev's name
 */
struct tandem_nic {
	struct tandem_vdev vdev;
	struct tandem_vnet_dev *dev;
	u8 mac[ETH_ALEN];
	char ifname[TANDEM_IFNAME_MAX];
};

static void nic_set_irq(void *ctx, bool level)
{
	struct tandem_nic *nic = ctx;

	tandem_irq_set(nic->vdev.dom, tandem_vdev_gsi(&nic->vdev), level);
}

static int nic_fill(struct sk_buff *skb, struct tandem_vdev *vdev)
{
	struct tandem_nic *nic = container_of(vdev, struct tandem_nic, vdev);

	return nla_put(skb, TANDEM_DEVICE_A_MAC, ETH_ALEN, nic->mac) ||
	       nla_put_string(skb, TANDEM_DEVICE_A_IFNAME, nic->ifname);
}

static void nic_reset(struct tandem_vdev *vdev)
{
	struct tandem_nic *nic = container_of(vdev, struct tandem_nic, vdev);

	tandem_vnet_dev_reset(nic->dev);
}

static void nic_destroy(struct tandem_vdev *vdev)
{
	struct tandem_nic *nic = container_of(vdev, struct tandem_nic, vdev);

	tandem_vnet_dev_destroy(nic->dev);
	kfree(nic);
}

static const struct tandem_vdev_ops nic_vdev_ops = {
	.fill = nic_fill,
	.reset = nic_reset,
	.destroy = nic_destroy,
};

/**
 * tandem_nic_create() - make the NIC an allowed DEVICE_ATTACH asked for
 * @dom: the domain, in state created, its ctl_lock held
 * @att: the attach: MAC and host netdev name
 * @slot: the free slot to use
 * @reason: a message when it fails (the name is taken, ...)
 *
 * Registers the host netdev; process context.
 *
 * Return: the device, or an ERR_PTR().
 */
struct tandem_vdev *tandem_nic_create(struct tandem_domain *dom,
				      struct tandem_attach *att, u32 slot,
				      const char **reason)
{
	struct tandem_nic *nic;

	nic = kzalloc(sizeof(*nic), GFP_KERNEL_ACCOUNT);
	if (!nic) {
		*reason = "out of memory";
		return ERR_PTR(-ENOMEM);
	}
	nic->vdev.dom = dom;
	nic->vdev.type = TANDEM_DEVICE_NIC;
	nic->vdev.index = att->index;
	nic->vdev.slot = slot;
	nic->vdev.ops = &nic_vdev_ops;
	ether_addr_copy(nic->mac, att->mac);
	strscpy(nic->ifname, att->ifname, sizeof(nic->ifname));
	nic->dev = tandem_vnet_dev_create(&dom->mem, nic->mac, nic->ifname,
					  nic_set_irq, nic, reason);
	if (IS_ERR(nic->dev)) {
		int err = PTR_ERR(nic->dev);

		kfree(nic);
		return ERR_PTR(err);
	}
	nic->vdev.vmmio = tandem_vnet_dev_vmmio(nic->dev);
	return &nic->vdev;
}
