// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net, kernel glue: the ring core (virtio_net.c) behind a host
 * network device. Frames the host sends on the device (ndo_start_xmit) go
 * to the guest's receive queue; frames the guest transmits come out of
 * the device as received (netif_rx()). Addresses such as 192.0.2.1/24 on
 * the host device and 192.0.2.2/24 in the guest make a point-to-point
 * Ethernet link.
 *
 * Queue notifications arrive on vCPU threads with preemption disabled:
 * the ring work runs on a work item, never there. The carrier follows the
 * device: on once the worker sees DRIVER_OK with both queues ready, off
 * after a reset or when the device needs one.
 */
#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/etherdevice.h>
#include <linux/highmem.h>
#include <linux/if_vlan.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_net.h>
#include <linux/workqueue.h>

#include "virtio_net.h"

/**
 * struct tandem_vnet_dev - a virtio-net device and its host netdev
 * @vnet: the ring core
 * @ndev: the host network device
 * @work: runs tandem_vnet_process()
 * @dying: set by tandem_vnet_dev_destroy(): kicks queue no more work
 * @set_irq: drives the device's interrupt line
 * @ctx: for @set_irq
 * @xmit_dropped: host frames dropped before reaching the core
 */
struct tandem_vnet_dev {
	struct tandem_vnet vnet;
	struct net_device *ndev;
	struct work_struct work;
	bool dying;
	void (*set_irq)(void *ctx, bool level);
	void *ctx;
	atomic64_t xmit_dropped;
};

/* What netdev_priv() holds. */
struct vnet_dev_priv {
	struct tandem_vnet_dev *d;
};

static struct tandem_vnet_dev *vnet_dev_of(struct net_device *ndev)
{
	return ((struct vnet_dev_priv *)netdev_priv(ndev))->d;
}

static struct tandem_vnet_dev *vnet_dev(struct tandem_vnet *vnet)
{
	return container_of(vnet, struct tandem_vnet_dev, vnet);
}

/*
 * A socket buffer for a large frame: the first VNET_DEV_LINEAR bytes in
 * its head (the headers the stack pulls), the rest in page fragments, so
 * that a 64 KiB segmentation-offload frame needs no high-order allocation.
 */
#define VNET_DEV_LINEAR		256

static struct sk_buff *vnet_dev_tx_skb(struct tandem_vnet *vnet,
				       const struct tandem_vnet_txpkt *pkt)
{
	u32 linear = min_t(u32, pkt->len, VNET_DEV_LINEAR), off;
	struct sk_buff *skb;
	int i, err;

	skb = alloc_skb_with_frags(NET_IP_ALIGN + linear, pkt->len - linear,
				   0, &err, GFP_KERNEL);
	if (!skb)
		return NULL;
	skb_reserve(skb, NET_IP_ALIGN);
	tandem_vnet_tx_copy_range(vnet, pkt, 0, skb_put(skb, linear), linear);
	off = linear;
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		skb_frag_t *frag = &skb_shinfo(skb)->frags[i];
		u32 n = skb_frag_size(frag);
		void *va = kmap_local_page(skb_frag_page(frag));

		tandem_vnet_tx_copy_range(vnet, pkt, off, va, n);
		kunmap_local(va);
		off += n;
	}
	skb->data_len = pkt->len - linear;
	skb->len += skb->data_len;
	return skb;
}

/* Guest to host: a frame the guest sent, received on the host device. */
static int vnet_dev_tx(struct tandem_vnet *vnet,
		       const struct tandem_vnet_txpkt *pkt)
{
	struct net_device *ndev = vnet_dev(vnet)->ndev;
	struct virtio_net_hdr hdr = {
		.gso_type = pkt->gso_type,
		.gso_size = __cpu_to_virtio16(true, pkt->gso_size),
		.hdr_len = __cpu_to_virtio16(true, pkt->hdr_len),
	};
	struct sk_buff *skb;

	if (pkt->len > VNET_DEV_LINEAR + PAGE_SIZE) {
		skb = vnet_dev_tx_skb(vnet, pkt);
	} else {
		skb = __netdev_alloc_skb_ip_align(ndev, pkt->len, GFP_KERNEL);
		if (skb)
			tandem_vnet_tx_copy(vnet, pkt, skb_put(skb, pkt->len));
	}
	if (!skb)
		return -ENOMEM;
	skb->dev = ndev;
	if (pkt->csum == TANDEM_VNET_CSUM_PARTIAL) {
		hdr.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		hdr.csum_start = __cpu_to_virtio16(true, pkt->csum_start);
		hdr.csum_offset = __cpu_to_virtio16(true, pkt->csum_offset);
	}
	/*
	 * The kernel's own reading of a virtio-net header, as tun's: checks
	 * the offsets against the frame and marks a GSO frame untrusted
	 * (SKB_GSO_DODGY), so that its headers are checked again before it
	 * is cut into segments.
	 */
	if (virtio_net_hdr_to_skb(skb, &hdr, true)) {
		kfree_skb(skb);
		return -EINVAL;
	}
	skb->protocol = eth_type_trans(skb, ndev);
	/*
	 * In the device's work item: straight into the stack, as tun does,
	 * rather than through the backlog and a softirq later.
	 */
	local_bh_disable();
	netif_receive_skb(skb);
	local_bh_enable();
	return 0;
}

static void vnet_dev_rx_free(struct tandem_vnet *vnet,
			     struct tandem_vnet_pkt *pkt, bool delivered)
{
	struct sk_buff *skb = pkt->cookie;

	if (delivered)
		consume_skb(skb);
	else
		kfree_skb(skb);
}

/* Any context, the transport's lock possibly held. */
static void vnet_dev_kick(struct tandem_vnet *vnet)
{
	struct tandem_vnet_dev *d = vnet_dev(vnet);

	if (!READ_ONCE(d->dying))
		queue_work(system_wq, &d->work);
}

static void vnet_dev_carrier(struct tandem_vnet *vnet, bool on)
{
	struct net_device *ndev = vnet_dev(vnet)->ndev;

	if (on)
		netif_carrier_on(ndev);
	else
		netif_carrier_off(ndev);
}

static void vnet_dev_set_irq(struct tandem_vnet *vnet, bool level)
{
	struct tandem_vnet_dev *d = vnet_dev(vnet);

	d->set_irq(d->ctx, level);
}

static const struct tandem_vnet_ops vnet_dev_ops = {
	.tx = vnet_dev_tx,
	.rx_free = vnet_dev_rx_free,
	.kick = vnet_dev_kick,
	.carrier = vnet_dev_carrier,
	.set_irq = vnet_dev_set_irq,
};

static void vnet_dev_work(struct work_struct *work)
{
	struct tandem_vnet_dev *d = container_of(work, struct tandem_vnet_dev,
						 work);

	/* Teardown has begun: no more frames into the host stack. */
	if (READ_ONCE(d->dying))
		return;
	tandem_vnet_process(&d->vnet);
}

/* Host to guest: the core keeps the skb until the guest has it. */
static netdev_tx_t vnet_dev_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	struct tandem_vnet_dev *d = vnet_dev_of(ndev);
	struct tandem_vnet_pkt pkt = { .csum = TANDEM_VNET_CSUM_NONE };
	int start;

	if (skb_linearize(skb))
		goto drop;
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		start = skb_checksum_start_offset(skb);
		if (start < 0 || start > U16_MAX) {
			if (skb_checksum_help(skb))
				goto drop;
		} else {
			pkt.csum = TANDEM_VNET_CSUM_PARTIAL;
			pkt.csum_start = start;
			pkt.csum_offset = skb->csum_offset;
		}
	} else if (skb->ip_summed == CHECKSUM_UNNECESSARY) {
		pkt.csum = TANDEM_VNET_CSUM_VERIFIED;
	}
	skb_tx_timestamp(skb);
	/* Held until the guest adds buffers: no socket memory kept. */
	skb_orphan(skb);
	nf_reset_ct(skb);
	pkt.data = skb->data;
	pkt.len = skb->len;
	pkt.cookie = skb;
	if (tandem_vnet_rx(&d->vnet, &pkt))
		kfree_skb(skb);	/* counted by the core */
	return NETDEV_TX_OK;

drop:
	atomic64_inc(&d->xmit_dropped);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static int vnet_dev_open(struct net_device *ndev)
{
	netif_start_queue(ndev);
	return 0;
}

static int vnet_dev_stop(struct net_device *ndev)
{
	netif_stop_queue(ndev);
	return 0;
}

/* The host device's receive side is the guest's transmit side. */
static void vnet_dev_get_stats64(struct net_device *ndev,
				 struct rtnl_link_stats64 *s)
{
	struct tandem_vnet_dev *d = vnet_dev_of(ndev);
	struct tandem_vnet_stats st;

	tandem_vnet_get_stats(&d->vnet, &st);
	s->rx_packets = st.tx_packets;
	s->rx_bytes = st.tx_bytes;
	s->rx_dropped = st.tx_dropped;
	s->tx_packets = st.rx_packets;
	s->tx_bytes = st.rx_bytes;
	s->tx_dropped = st.rx_dropped + atomic64_read(&d->xmit_dropped);
}

static const struct net_device_ops vnet_dev_netdev_ops = {
	.ndo_open = vnet_dev_open,
	.ndo_stop = vnet_dev_stop,
	.ndo_start_xmit = vnet_dev_xmit,
	.ndo_get_stats64 = vnet_dev_get_stats64,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
};

static void vnet_dev_setup(struct net_device *ndev)
{
	ether_setup(ndev);
	ndev->netdev_ops = &vnet_dev_netdev_ops;
	ndev->hw_features = NETIF_F_HW_CSUM | NETIF_F_SG | NETIF_F_HIGHDMA;
	ndev->features = ndev->hw_features;
	ndev->min_mtu = ETH_MIN_MTU;
	ndev->max_mtu = TANDEM_VNET_MAX_FRAME - ETH_HLEN - VLAN_HLEN;
	eth_hw_addr_random(ndev);
}

/**
 * tandem_vnet_dev_create() - a virtio-net device and its host netdev
 * @mem: guest RAM
 * @mac: the guest's MAC address (the device's configuration space); the
 *	host netdev gets a random one of its own
 * @ifname: name of the host netdev, e.g. "tdm3.0"
 * @set_irq: drives the device's interrupt line, level-triggered; called
 *	from any context (vCPU thread, the work item), never sleeping
 * @ctx: for @set_irq
 * @reason: set to a static string saying why on failure
 *
 * Registers the netdev, carrier off. The virtio-mmio registers are
 * reached through tandem_vnet_dev_vmmio().
 *
 * Context: process context, may sleep (takes the RTNL).
 * Return: the device, or an ERR_PTR(): -EINVAL for an invalid name,
 * -EEXIST for a name taken, -ENOMEM, or what register_netdev() said.
 */
struct tandem_vnet_dev *tandem_vnet_dev_create(struct tandem_mem *mem,
					       const u8 mac[6],
					       const char *ifname,
					       void (*set_irq)(void *ctx,
							       bool level),
					       void *ctx, const char **reason)
{
	struct tandem_vnet_dev *d;
	struct net_device *ndev;
	int err;

	*reason = NULL;
	if (!ifname || !dev_valid_name(ifname) || strchr(ifname, '%')) {
		*reason = "invalid network interface name";
		return ERR_PTR(-EINVAL);
	}
	if (!set_irq) {
		*reason = "no interrupt line";
		return ERR_PTR(-EINVAL);
	}
	d = kvzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d) {
		*reason = "out of memory";
		return ERR_PTR(-ENOMEM);
	}
	d->set_irq = set_irq;
	d->ctx = ctx;
	atomic64_set(&d->xmit_dropped, 0);
	INIT_WORK(&d->work, vnet_dev_work);
	err = tandem_vnet_init(&d->vnet, &vnet_dev_ops, d, mem, mac, reason);
	if (err)
		goto free;

	ndev = alloc_netdev(sizeof(struct vnet_dev_priv), ifname,
			    NET_NAME_USER, vnet_dev_setup);
	if (!ndev) {
		*reason = "out of memory";
		err = -ENOMEM;
		goto free;
	}
	((struct vnet_dev_priv *)netdev_priv(ndev))->d = d;
	d->ndev = ndev;
	netif_carrier_off(ndev);
	err = register_netdev(ndev);
	if (err) {
		if (err == -EEXIST)
			*reason = "network interface name taken";
		else if (err == -EINVAL)
			*reason = "invalid network interface name";
		else
			*reason = "could not register the network interface";
		free_netdev(ndev);
		goto free;
	}
	return d;

free:
	kvfree(d);
	return ERR_PTR(err);
}

/**
 * tandem_vnet_dev_vmmio() - the device's virtio-mmio transport
 * @d: the device
 *
 * For the domain's MMIO dispatcher: tandem_vmmio_read() and
 * tandem_vmmio_write() on it, from the vCPU thread.
 *
 * Context: any.
 * Return: the transport, valid until tandem_vnet_dev_destroy().
 */
struct tandem_vmmio *tandem_vnet_dev_vmmio(struct tandem_vnet_dev *d)
{
	return &d->vnet.vmmio;
}

/**
 * tandem_vnet_dev_stats() - the device's counters
 * @d: the device
 * @stats: filled in, from the guest's side: rx is what the guest
 *	received (the host netdev's tx), tx what it sent
 *
 * Context: any but under the transport's lock.
 */
void tandem_vnet_dev_stats(struct tandem_vnet_dev *d,
			   struct tandem_vnet_stats *stats)
{
	tandem_vnet_get_stats(&d->vnet, stats);
	stats->rx_dropped += atomic64_read(&d->xmit_dropped);
}

/**
 * tandem_vnet_dev_reset() - reset the device as the guest's Status = 0 does
 * @d: the device
 *
 * Then waits for the worker: after this, nothing writes guest memory until
 * the guest sets the queues up again (the core refuses frames before
 * DRIVER_OK). For a domain that restarts, before its memory is put back.
 *
 * Context: process context, may sleep; no vCPU in the guest.
 */
void tandem_vnet_dev_reset(struct tandem_vnet_dev *d)
{
	tandem_vmmio_write(tandem_vnet_dev_vmmio(d), VIRTIO_MMIO_STATUS, 4, 0);
	flush_work(&d->work);
}

/**
 * tandem_vnet_dev_destroy() - unregister the netdev and free the device
 * @d: the device, or an ERR_PTR() or %NULL (nothing done)
 *
 * Stops the work item and waits for it, unregisters the host netdev (no
 * more frames come in), drops the frames still waiting for the guest,
 * and frees everything.
 *
 * Context: process context, may sleep (takes the RTNL). Only once no
 * vCPU can reach the device's registers any more (the guest is stopped).
 */
void tandem_vnet_dev_destroy(struct tandem_vnet_dev *d)
{
	if (IS_ERR_OR_NULL(d))
		return;
	/*
	 * Stop the worker before the netdev goes: it hands frames to the
	 * host stack. A run that starts after this sees @dying and returns.
	 */
	WRITE_ONCE(d->dying, true);
	cancel_work_sync(&d->work);
	/* No more ndo_start_xmit() after this... */
	unregister_netdev(d->ndev);
	/* ...so nothing can queue the work again: cancel what raced in. */
	cancel_work_sync(&d->work);
	tandem_vnet_purge(&d->vnet);
	free_netdev(d->ndev);
	kvfree(d);
}
