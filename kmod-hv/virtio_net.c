// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net, device side: the ring core (section numbers are those of
 * the virtio 1.2 specification: 5.1, Network Device; 5.1.6, Device
 * Operation).
 *
 * Two queues: the guest's receive queue (0), which the device fills with
 * frames from the host side, and its transmit queue (1), whose frames the
 * device hands to the host side. Each chain starts with a 12-byte struct
 * virtio_net_hdr_v1. Everything read from the guest is hostile: the header
 * is copied once and checked on the copy; a frame that breaks a rule is
 * dropped and counted; a chain laid out against 5.1.6 (a transmit chain
 * the device could write, a receive chain it could not, or one shorter
 * than the header) breaks the queue, as the engine does for a ring fault,
 * and the transport sets DEVICE_NEEDS_RESET.
 *
 * Frames for the guest wait in a bounded backlog until receive buffers
 * are there. All ring work happens in tandem_vnet_process(), which the
 * glue runs from a work item: one thread at a time.
 *
 * Files here include no other Tandem header: see virtio_net.h.
 */
#include <linux/errno.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <asm/byteorder.h>
#include <linux/virtio_byteorder.h>	/* needs asm/byteorder.h first */
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "virtio_net.h"

/* Frames given back to the host side per lock hold. */
#define VNET_FREE_BATCH		16

/* What tandem_vnet_process() saw of the transport, under its lock. */
struct vnet_state {
	u32 gen;
	bool live;
	bool mrg;
	bool csum;
	bool guest_csum;
	bool tso4;
	bool tso6;
	bool ecn;
};

static struct tandem_vq *vnet_vq(struct tandem_vnet *vnet, unsigned int q)
{
	return &vnet->vmmio.queues[q].vq;
}

static u32 vnet_min(u32 a, u32 b)
{
	return a < b ? a : b;
}

/*
 * Copy @len bytes between @buf and the chain bytes [@off, @off + @len)
 * of @segs; the caller keeps the range inside the segments.
 */
static void vnet_copy(struct tandem_vnet *vnet,
		      const struct tandem_vq_seg *segs, unsigned int nr,
		      u32 off, void *buf, u32 len, bool to_guest)
{
	unsigned int i;
	u8 *p = buf;

	for (i = 0; i < nr && len; i++) {
		u32 take;

		if (off >= segs[i].len) {
			off -= segs[i].len;
			continue;
		}
		take = vnet_min(segs[i].len - off, len);
		if (to_guest)
			tandem_mem_write(vnet->mem, segs[i].gpa + off, p, take);
		else
			tandem_mem_read(vnet->mem, segs[i].gpa + off, p, take);
		p += take;
		len -= take;
		off = 0;
	}
}

/* Break queue @q for a chain against 5.1.6; called with the lock held. */
static int vnet_break(struct tandem_vnet *vnet, unsigned int q,
		      const char *reason)
{
	struct tandem_vq *vq = vnet_vq(vnet, q);

	vq->broken = true;
	vq->reason = reason;
	return -EIO;
}

static void vnet_snapshot(struct tandem_vnet *vnet, struct vnet_state *s)
{
	struct tandem_vmmio *dev = &vnet->vmmio;
	unsigned long flags;
	u64 f;

	spin_lock_irqsave(&dev->lock, flags);
	/* Written under both locks: stable under either. */
	s->gen = vnet->gen;
	s->live = (dev->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
		  !(dev->status & VIRTIO_CONFIG_S_NEEDS_RESET) &&
		  dev->queues[TANDEM_VNET_RXQ].ready &&
		  dev->queues[TANDEM_VNET_TXQ].ready;
	f = dev->driver_features;
	spin_unlock_irqrestore(&dev->lock, flags);
	s->mrg = f & (1ULL << VIRTIO_NET_F_MRG_RXBUF);
	s->csum = f & (1ULL << VIRTIO_NET_F_CSUM);
	s->guest_csum = f & (1ULL << VIRTIO_NET_F_GUEST_CSUM);
	s->tso4 = f & (1ULL << VIRTIO_NET_F_HOST_TSO4);
	s->tso6 = f & (1ULL << VIRTIO_NET_F_HOST_TSO6);
	s->ecn = f & (1ULL << VIRTIO_NET_F_HOST_ECN);
}

/**
 * tandem_vnet_tx_copy() - copy a transmitted frame out of guest RAM
 * @vnet: the device
 * @pkt: the frame, as &tandem_vnet_ops.tx received it
 * @dst: @pkt->len bytes
 *
 * Call only from &tandem_vnet_ops.tx. The guest may change the bytes
 * meanwhile: check what is read from @dst, not from guest RAM.
 */
void tandem_vnet_tx_copy(struct tandem_vnet *vnet,
			 const struct tandem_vnet_txpkt *pkt, void *dst)
{
	vnet_copy(vnet, pkt->segs, pkt->nr_segs, TANDEM_VNET_HDR_LEN, dst,
		  pkt->len, false);
}

/**
 * tandem_vnet_tx_copy_range() - copy part of a transmitted frame
 * @vnet: the device
 * @pkt: the frame, as &tandem_vnet_ops.tx received it
 * @off: first byte of the frame to copy
 * @dst: @len bytes
 * @len: bytes; @off + @len at most @pkt->len
 *
 * As tandem_vnet_tx_copy(), for a frame copied into pieces (the pages of
 * a socket buffer).
 */
void tandem_vnet_tx_copy_range(struct tandem_vnet *vnet,
			       const struct tandem_vnet_txpkt *pkt, u32 off,
			       void *dst, u32 len)
{
	if (off > pkt->len || len > pkt->len - off)
		return;
	vnet_copy(vnet, pkt->segs, pkt->nr_segs, TANDEM_VNET_HDR_LEN + off,
		  dst, len, false);
}

/* A segmentation offload request the driver may make (5.1.6.2). */
static bool vnet_gso_ok(const struct vnet_state *s, u8 gso_type)
{
	if ((gso_type & VIRTIO_NET_HDR_GSO_ECN) && !s->ecn)
		return false;
	switch (gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return s->tso4;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return s->tso6;
	}
	return false;
}

/*
 * Check one transmit chain (5.1.6.2) and hand its frame to the host side.
 * Return: 0 when taken, -EIO for a chain that breaks the queue, another
 * negative errno for a frame dropped.
 */
static int vnet_tx_one(struct tandem_vnet *vnet, const struct vnet_state *s,
		       const struct tandem_vq_chain *chain)
{
	struct virtio_net_hdr_v1 hdr;
	struct tandem_vnet_txpkt pkt = {
		.csum = TANDEM_VNET_CSUM_NONE,
		.segs = vnet->tx_segs,
		.nr_segs = chain->nr_segs,
	};
	u32 start, off;

	if (chain->nr_out != chain->nr_segs)
		return -EIO;
	if (chain->out_bytes < TANDEM_VNET_HDR_LEN + TANDEM_VNET_MIN_FRAME ||
	    chain->out_bytes - TANDEM_VNET_HDR_LEN > TANDEM_VNET_MAX_FRAME)
		return -EMSGSIZE;
	pkt.len = chain->out_bytes - TANDEM_VNET_HDR_LEN;
	vnet_copy(vnet, vnet->tx_segs, chain->nr_segs, 0, &hdr, sizeof(hdr),
		  false);
	/*
	 * TCP segmentation offload, as negotiated: the host side gets one
	 * large frame and its segment size. A GSO frame needs a checksum
	 * request (each segment's checksum is completed when it is cut).
	 */
	if (hdr.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		if (!vnet_gso_ok(s, hdr.gso_type) ||
		    !(hdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
		    !hdr.gso_size)
			return -EOPNOTSUPP;
		pkt.gso_type = hdr.gso_type;
		pkt.gso_size = __virtio16_to_cpu(true, hdr.gso_size);
		pkt.hdr_len = __virtio16_to_cpu(true, hdr.hdr_len);
	}
	/* DATA_VALID and RSC_INFO mean nothing here (5.1.6.2.2). */
	if (hdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (!s->csum)
			return -EINVAL;
		start = __virtio16_to_cpu(true, hdr.csum_start);
		off = __virtio16_to_cpu(true, hdr.csum_offset);
		if (start + off + 2 > pkt.len)
			return -EINVAL;
		pkt.csum = TANDEM_VNET_CSUM_PARTIAL;
		pkt.csum_start = start;
		pkt.csum_offset = off;
	}
	return vnet->ops->tx(vnet, &pkt) ? -ENOBUFS : 0;
}

/*
 * Take transmit chains, at most %TANDEM_VNET_BUDGET, and push them back
 * in one go. Return: true when chains were left for the next call.
 */
static bool vnet_tx(struct tandem_vnet *vnet, const struct vnet_state *s)
{
	struct tandem_vq *vq = vnet_vq(vnet, TANDEM_VNET_TXQ);
	struct tandem_vq_chain chain;
	bool broken = false, more = false, pushed = false;
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&vnet->lock, flags);
	if (vnet->gen != s->gen)
		goto out;
	tandem_vq_disable_notify(vq);
	for (;;) {
		if (vnet->nr_tx_used == TANDEM_VNET_BUDGET) {
			more = true;
			break;
		}
		ret = tandem_vq_pop(vq, vnet->tx_segs, TANDEM_VNET_QUEUE_SIZE,
				    &chain);
		if (!ret && tandem_vq_enable_notify(vq)) {
			tandem_vq_disable_notify(vq);
			continue;
		}
		if (ret <= 0) {
			broken = ret < 0;
			break;
		}
		spin_unlock_irqrestore(&vnet->lock, flags);
		ret = vnet_tx_one(vnet, s, &chain);
		spin_lock_irqsave(&vnet->lock, flags);
		if (vnet->gen != s->gen)
			goto out;
		if (ret == -EIO) {
			broken = true;
			vnet_break(vnet, TANDEM_VNET_TXQ,
				   "virtio-net transmit chain with a device-writable buffer");
			break;
		}
		if (ret) {
			vnet->stats.tx_dropped++;
		} else {
			vnet->stats.tx_packets++;
			vnet->stats.tx_bytes += chain.out_bytes -
						TANDEM_VNET_HDR_LEN;
		}
		vnet->tx_used[vnet->nr_tx_used].id = chain.head;
		vnet->tx_used[vnet->nr_tx_used].len = 0;
		vnet->nr_tx_used++;
	}
	if (!broken && vnet->nr_tx_used) {
		broken = tandem_vq_push(vq, vnet->tx_used,
					vnet->nr_tx_used) < 0;
		pushed = !broken;
	}
	vnet->nr_tx_used = 0;
out:
	spin_unlock_irqrestore(&vnet->lock, flags);
	if (broken)
		tandem_vmmio_queue_broken(&vnet->vmmio, TANDEM_VNET_TXQ);
	else if (pushed)
		tandem_vmmio_signal_used(&vnet->vmmio, TANDEM_VNET_TXQ);
	return more;
}

/*
 * The Internet checksum of @len bytes at @p, ready to store big-endian: a
 * partial checksum completed in software. Zero is sent as 0xffff, which
 * means the same and keeps UDP from reading "no checksum".
 */
static u16 vnet_csum(const u8 *p, u32 len)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (u32)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (u32)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	return sum ? sum : 0xffff;
}

/* Write @len bytes at byte @off of the first @k stashed chains. */
static void vnet_rx_write(struct tandem_vnet *vnet, unsigned int k, u32 off,
			  const void *src, u32 len)
{
	const u8 *p = src;
	unsigned int i;

	for (i = 0; i < k && len; i++) {
		const struct tandem_vnet_rxchain *c = &vnet->stash[i];
		u32 take;

		if (off >= c->chain.in_bytes) {
			off -= c->chain.in_bytes;
			continue;
		}
		take = vnet_min(c->chain.in_bytes - off, len);
		vnet_copy(vnet, c->segs, c->chain.nr_segs, off, (void *)p, take,
			  true);
		p += take;
		len -= take;
		off = 0;
	}
}

/*
 * Pop receive chains until the stash holds room for @need bytes (one
 * chain without mergeable buffers). Return: 0, -EAGAIN when the ring ran
 * dry, -EMSGSIZE when the stash is full, -EIO when the queue broke.
 */
static int vnet_rx_fill(struct tandem_vnet *vnet, const struct vnet_state *s,
			u32 need)
{
	struct tandem_vq *vq = vnet_vq(vnet, TANDEM_VNET_RXQ);
	struct tandem_vnet_rxchain *c;
	int ret;

	while (s->mrg ? vnet->stash_bytes < need : !vnet->nr_stash) {
		/* All the guest's buffers would not do: do not wait. */
		if (vnet->nr_stash == TANDEM_VNET_RX_STASH ||
		    vnet->nr_stash >= vq->size)
			return -EMSGSIZE;
		c = &vnet->stash[vnet->nr_stash];
		ret = tandem_vq_pop(vq, c->segs, TANDEM_VNET_RX_SEGS, &c->chain);
		if (ret < 0)
			return -EIO;
		if (!ret)
			return -EAGAIN;
		if (c->chain.nr_out)
			return vnet_break(vnet, TANDEM_VNET_RXQ,
					  "virtio-net receive chain with a device-readable buffer");
		/* 5.1.6.3.1: each buffer holds at least the header. */
		if (c->chain.in_bytes < TANDEM_VNET_HDR_LEN)
			return vnet_break(vnet, TANDEM_VNET_RXQ,
					  "virtio-net receive buffer smaller than the header");
		vnet->nr_stash++;
		vnet->stash_bytes += c->chain.in_bytes;
	}
	return 0;
}

/*
 * Copy @pkt into stashed receive chains and queue them for the used ring
 * (5.1.6.4). Called with the lock held. Return: 0 when delivered,
 * -EAGAIN to wait for buffers, -EIO when the queue broke, another
 * negative errno when @pkt is dropped (larger than the buffers).
 */
static int vnet_rx_one(struct tandem_vnet *vnet, const struct vnet_state *s,
		       const struct tandem_vnet_pkt *pkt)
{
	struct virtio_net_hdr_v1 hdr = {
		.gso_type = VIRTIO_NET_HDR_GSO_NONE,
	};
	u32 need = TANDEM_VNET_HDR_LEN + pkt->len, got = 0, len;
	bool fix = false;
	unsigned int i, k = 0;
	u8 sum[2];
	int ret;

	ret = vnet_rx_fill(vnet, s, need);
	if (ret)
		return ret;
	/* Without mergeable buffers, a chain too small waits for a smaller frame. */
	if (!s->mrg && vnet->stash[0].chain.in_bytes < need)
		return -EMSGSIZE;
	while (got < need)
		got += vnet->stash[k++].chain.in_bytes;

	hdr.num_buffers = __cpu_to_virtio16(true, k);
	if (pkt->csum == TANDEM_VNET_CSUM_PARTIAL && s->guest_csum) {
		hdr.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		hdr.csum_start = __cpu_to_virtio16(true, pkt->csum_start);
		hdr.csum_offset = __cpu_to_virtio16(true, pkt->csum_offset);
	} else if (pkt->csum == TANDEM_VNET_CSUM_PARTIAL) {
		u16 c = vnet_csum(pkt->data + pkt->csum_start,
				  pkt->len - pkt->csum_start);

		sum[0] = c >> 8;
		sum[1] = c & 0xff;
		fix = true;
	} else if (pkt->csum == TANDEM_VNET_CSUM_VERIFIED && s->guest_csum) {
		hdr.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	}
	vnet_rx_write(vnet, k, 0, &hdr, sizeof(hdr));
	vnet_rx_write(vnet, k, TANDEM_VNET_HDR_LEN, pkt->data, pkt->len);
	if (fix)
		vnet_rx_write(vnet, k, TANDEM_VNET_HDR_LEN + pkt->csum_start +
			      pkt->csum_offset, sum, 2);

	/* In flight: at most the queue size, the room in @rx_used. */
	got = 0;
	for (i = 0; i < k; i++) {
		len = vnet_min(vnet->stash[i].chain.in_bytes, need - got);
		got += len;
		vnet->rx_used[vnet->nr_rx_used].id = vnet->stash[i].chain.head;
		vnet->rx_used[vnet->nr_rx_used].len = len;
		vnet->nr_rx_used++;
		vnet->stash_bytes -= vnet->stash[i].chain.in_bytes;
	}
	for (i = k; i < vnet->nr_stash; i++)
		vnet->stash[i - k] = vnet->stash[i];
	vnet->nr_stash -= k;
	return 0;
}

/*
 * Give backlogged frames to the guest, at most %TANDEM_VNET_BUDGET, in
 * batches: each batch's chains are pushed in one go, so that a frame's
 * mergeable buffers appear together. Return: true when frames were left
 * with buffers possibly there, for the next call.
 */
static bool vnet_rx(struct tandem_vnet *vnet, const struct vnet_state *s)
{
	struct tandem_vq *vq = vnet_vq(vnet, TANDEM_VNET_RXQ);
	struct tandem_vnet_pkt done[VNET_FREE_BATCH];
	bool delivered[VNET_FREE_BATCH];
	unsigned int i, n, total = 0;
	bool broken, pushed, more;
	unsigned long flags;
	int ret;

	do {
		n = 0;
		broken = false;
		pushed = false;
		more = false;
		spin_lock_irqsave(&vnet->lock, flags);
		if (vnet->gen != s->gen) {
			spin_unlock_irqrestore(&vnet->lock, flags);
			return false;
		}
		if (vnet->bl_len)
			tandem_vq_disable_notify(vq);
		while (vnet->bl_len && n < VNET_FREE_BATCH) {
			/*
			 * A frame takes at most a stash of chains: keep room
			 * for it in @rx_used. A driver that re-adds heads it
			 * has not got back could otherwise have more chains
			 * popped than the queue holds.
			 */
			if (total == TANDEM_VNET_BUDGET ||
			    vnet->nr_rx_used + TANDEM_VNET_RX_STASH >
			    TANDEM_VNET_QUEUE_SIZE) {
				more = true;
				break;
			}
			ret = vnet_rx_one(vnet, s, &vnet->backlog[vnet->bl_head]);
			if (ret == -EAGAIN) {
				/* Ask for a notification when buffers come. */
				if (tandem_vq_enable_notify(vq)) {
					tandem_vq_disable_notify(vq);
					continue;
				}
				break;
			}
			if (ret == -EIO) {
				broken = true;
				break;
			}
			done[n] = vnet->backlog[vnet->bl_head];
			delivered[n] = !ret;
			if (ret) {
				vnet->stats.rx_dropped++;
			} else {
				vnet->stats.rx_packets++;
				vnet->stats.rx_bytes += done[n].len;
			}
			n++;
			total++;
			vnet->bl_head = (vnet->bl_head + 1) % TANDEM_VNET_BACKLOG;
			vnet->bl_len--;
		}
		if (!broken && vnet->nr_rx_used) {
			broken = tandem_vq_push(vq, vnet->rx_used,
						vnet->nr_rx_used) < 0;
			pushed = !broken;
		}
		vnet->nr_rx_used = 0;
		spin_unlock_irqrestore(&vnet->lock, flags);

		if (broken)
			tandem_vmmio_queue_broken(&vnet->vmmio, TANDEM_VNET_RXQ);
		else if (pushed)
			tandem_vmmio_signal_used(&vnet->vmmio, TANDEM_VNET_RXQ);
		for (i = 0; i < n; i++)
			vnet->ops->rx_free(vnet, &done[i], delivered[i]);
	} while (n == VNET_FREE_BATCH && !broken && !more);
	return more;
}

/**
 * tandem_vnet_purge() - drop every frame waiting for the guest
 * @vnet: the device
 *
 * Each goes back through &tandem_vnet_ops.rx_free, counted dropped. The
 * glue calls it on teardown, once nothing calls tandem_vnet_rx() or
 * tandem_vnet_process() any more; tandem_vnet_process() calls it while
 * the device does not run.
 *
 * Callable from process context or a work item; takes the device's lock.
 */
void tandem_vnet_purge(struct tandem_vnet *vnet)
{
	struct tandem_vnet_pkt batch[VNET_FREE_BATCH];
	unsigned long flags;
	unsigned int i, n;

	do {
		n = 0;
		spin_lock_irqsave(&vnet->lock, flags);
		while (vnet->bl_len && n < VNET_FREE_BATCH) {
			batch[n++] = vnet->backlog[vnet->bl_head];
			vnet->bl_head = (vnet->bl_head + 1) % TANDEM_VNET_BACKLOG;
			vnet->bl_len--;
			vnet->stats.rx_dropped++;
		}
		spin_unlock_irqrestore(&vnet->lock, flags);
		for (i = 0; i < n; i++)
			vnet->ops->rx_free(vnet, &batch[i], false);
	} while (n == VNET_FREE_BATCH);
}

/**
 * tandem_vnet_process() - do the device's ring work
 * @vnet: the device
 *
 * Looks at the transport: while the driver has set DRIVER_OK with both
 * queues ready (and the device does not need a reset), takes the
 * transmit queue's chains and gives backlogged frames to the receive
 * queue, then signals the transport; otherwise drops the backlog.
 * Reports a change to &tandem_vnet_ops.carrier. Does a bounded amount of
 * work and calls &tandem_vnet_ops.kick when some was left.
 *
 * One call at a time (the glue's work item); may not be called under
 * the transport's lock. Takes the device's lock and the transport's.
 */
void tandem_vnet_process(struct tandem_vnet *vnet)
{
	struct vnet_state s;
	unsigned long flags;
	bool more, same;

	vnet_snapshot(vnet, &s);
	spin_lock_irqsave(&vnet->lock, flags);
	same = s.gen == vnet->gen;
	if (same)
		vnet->up = s.live;
	spin_unlock_irqrestore(&vnet->lock, flags);
	/* A reset came in between: its kick runs this again. */
	if (!same)
		return;
	if (vnet->carrier != s.live) {
		vnet->carrier = s.live;
		if (vnet->ops->carrier)
			vnet->ops->carrier(vnet, s.live);
	}
	if (!s.live) {
		tandem_vnet_purge(vnet);
		return;
	}
	more = vnet_tx(vnet, &s);
	more |= vnet_rx(vnet, &s);
	if (more)
		vnet->ops->kick(vnet);
}

/**
 * tandem_vnet_rx() - a frame for the guest
 * @vnet: the device
 * @pkt: the frame; @pkt->data stays valid and unchanged until
 *	&tandem_vnet_ops.rx_free is called for it
 *
 * Queues the frame and kicks the device; tandem_vnet_process() copies it
 * into receive buffers once the guest has some.
 *
 * Return: 0 when queued (the device owns @pkt until rx_free); -ENETDOWN
 * when the device does not run, -ENOBUFS when %TANDEM_VNET_BACKLOG frames
 * wait already, -EINVAL for a length or checksum offsets out of range:
 * the frame is counted dropped and stays the caller's.
 *
 * Callable from any context but under the transport's lock; takes the
 * device's lock.
 */
int tandem_vnet_rx(struct tandem_vnet *vnet, const struct tandem_vnet_pkt *pkt)
{
	unsigned long flags;
	int err = 0;

	if (pkt->len < TANDEM_VNET_MIN_FRAME ||
	    pkt->len > TANDEM_VNET_MAX_FRAME ||
	    pkt->csum > TANDEM_VNET_CSUM_VERIFIED ||
	    (pkt->csum == TANDEM_VNET_CSUM_PARTIAL &&
	     (u32)pkt->csum_start + pkt->csum_offset + 2 > pkt->len))
		err = -EINVAL;

	spin_lock_irqsave(&vnet->lock, flags);
	if (!err && !vnet->up)
		err = -ENETDOWN;
	if (!err && vnet->bl_len == TANDEM_VNET_BACKLOG)
		err = -ENOBUFS;
	if (err) {
		vnet->stats.rx_dropped++;
	} else {
		vnet->backlog[(vnet->bl_head + vnet->bl_len) %
			      TANDEM_VNET_BACKLOG] = *pkt;
		vnet->bl_len++;
	}
	spin_unlock_irqrestore(&vnet->lock, flags);
	if (!err)
		vnet->ops->kick(vnet);
	return err;
}

/**
 * tandem_vnet_get_stats() - read the device's counters
 * @vnet: the device
 * @stats: filled in
 *
 * Callable from any context but under the transport's lock.
 */
void tandem_vnet_get_stats(struct tandem_vnet *vnet,
			   struct tandem_vnet_stats *stats)
{
	unsigned long flags;

	spin_lock_irqsave(&vnet->lock, flags);
	*stats = vnet->stats;
	spin_unlock_irqrestore(&vnet->lock, flags);
}

static void vnet_config_read(struct tandem_vmmio *dev, u32 offset, int size,
			     u32 *val)
{
	struct tandem_vnet *vnet = dev->priv;
	u32 v = 0;
	int i;

	for (i = size - 1; i >= 0; i--)
		v = v << 8 | vnet->config[offset + i];
	*val = v;
}

static void vnet_queue_notify(struct tandem_vmmio *dev, unsigned int q)
{
	struct tandem_vnet *vnet = dev->priv;

	/* New receive buffers or transmit chains: the worker looks at both. */
	if (q == TANDEM_VNET_RXQ || q == TANDEM_VNET_TXQ)
		vnet->ops->kick(vnet);
}

/*
 * Under the transport's lock, before it resets the queues: advance the
 * generation under the device's lock too, so that tandem_vnet_process()
 * touches no ring from now on (it checks the generation under that lock
 * before each pop and push), and forget the chains it held.
 */
static void vnet_reset(struct tandem_vmmio *dev)
{
	struct tandem_vnet *vnet = dev->priv;
	unsigned long flags;

	spin_lock_irqsave(&vnet->lock, flags);
	vnet->gen++;
	vnet->up = false;
	vnet->nr_stash = 0;
	vnet->stash_bytes = 0;
	vnet->nr_rx_used = 0;
	vnet->nr_tx_used = 0;
	spin_unlock_irqrestore(&vnet->lock, flags);
	vnet->ops->kick(vnet);
}

static void vnet_set_irq(struct tandem_vmmio *dev, bool level)
{
	struct tandem_vnet *vnet = dev->priv;

	vnet->ops->set_irq(vnet, level);
}

static const struct tandem_vmmio_ops vnet_vmmio_ops = {
	.config_read = vnet_config_read,
	.queue_notify = vnet_queue_notify,
	.reset = vnet_reset,
	.set_irq = vnet_set_irq,
};

/**
 * tandem_vnet_init() - set up a virtio-net device in its reset state
 * @vnet: the device, overwritten
 * @ops: the host side: all operations but @ops->carrier required
 * @priv: the host side's data, kept in @vnet->priv
 * @mem: guest RAM
 * @mac: the guest's MAC address (configuration space)
 * @reason: set to a static string saying why on failure, to %NULL on
 *	success
 *
 * Return: 0, or -EINVAL for a host side without a required operation.
 */
int tandem_vnet_init(struct tandem_vnet *vnet,
		     const struct tandem_vnet_ops *ops, void *priv,
		     struct tandem_mem *mem, const u8 mac[6],
		     const char **reason)
{
	const u32 num_max[2] = { TANDEM_VNET_QUEUE_SIZE,
				 TANDEM_VNET_QUEUE_SIZE };
	u64 features;
	unsigned int i;
	int err;

	*reason = NULL;
	if (!ops || !ops->tx || !ops->rx_free || !ops->kick || !ops->set_irq) {
		*reason = "host side without tx, rx_free, kick or set_irq";
		return -EINVAL;
	}
	spin_lock_init(&vnet->lock);
	vnet->ops = ops;
	vnet->priv = priv;
	vnet->mem = mem;
	vnet->gen = 0;
	vnet->up = false;
	vnet->carrier = false;
	vnet->stats = (struct tandem_vnet_stats) { 0 };
	vnet->bl_head = 0;
	vnet->bl_len = 0;
	vnet->nr_stash = 0;
	vnet->stash_bytes = 0;
	vnet->nr_rx_used = 0;
	vnet->nr_tx_used = 0;

	/* mac[6], status (link up), max_virtqueue_pairs (1). */
	for (i = 0; i < 6; i++)
		vnet->config[i] = mac[i];
	vnet->config[6] = VIRTIO_NET_S_LINK_UP;
	vnet->config[7] = 0;
	vnet->config[8] = 1;
	vnet->config[9] = 0;

	features = (1ULL << VIRTIO_NET_F_MAC) |
		   (1ULL << VIRTIO_NET_F_STATUS) |
		   (1ULL << VIRTIO_NET_F_MRG_RXBUF) |
		   (1ULL << VIRTIO_NET_F_CSUM) |
		   (1ULL << VIRTIO_NET_F_GUEST_CSUM) |
		   (1ULL << VIRTIO_NET_F_HOST_TSO4) |
		   (1ULL << VIRTIO_NET_F_HOST_TSO6) |
		   (1ULL << VIRTIO_NET_F_HOST_ECN) |
		   (1ULL << VIRTIO_RING_F_EVENT_IDX) |
		   (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	err = tandem_vmmio_init(&vnet->vmmio, &vnet_vmmio_ops, vnet, mem,
				VIRTIO_ID_NET, features, TANDEM_VNET_CONFIG_LEN,
				2, num_max);
	if (err)
		*reason = "the transport refused the device";
	return err;
}
