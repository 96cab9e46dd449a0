/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-net (virtio 1.2, 5.1), device side: the ring core. It turns the
 * guest's transmit chains into checked frames for a backend, and copies
 * the backend's frames into the guest's receive buffers, mergeable or
 * not, with checksum offload both ways.
 *
 * This header and virtio_net.c include no Tandem header besides this one,
 * virtio_mmio.h and virtqueue.h, so that the host unit test
 * (selftests/host/virtio_net_test.c) builds the same file. The kernel
 * glue, with the host network device, is virtio_net_dev.c.
 */
#ifndef TANDEM_VIRTIO_NET_H
#define TANDEM_VIRTIO_NET_H

#include <linux/types.h>
#include <linux/spinlock.h>

#include "virtio_mmio.h"
#include "virtqueue.h"

/* The two queues: the guest's receive queue and its transmit queue. */
#define TANDEM_VNET_RXQ			0
#define TANDEM_VNET_TXQ			1
/* QueueNumMax of both. */
#define TANDEM_VNET_QUEUE_SIZE		256
/* struct virtio_net_hdr_v1: always there with VIRTIO_F_VERSION_1. */
#define TANDEM_VNET_HDR_LEN		12
/* Frames: an Ethernet header at least, 64 KiB of payload at most. */
#define TANDEM_VNET_MIN_FRAME		14
#define TANDEM_VNET_MAX_FRAME		65550
/* Frames waiting for receive buffers; more are dropped. */
#define TANDEM_VNET_BACKLOG		256
/* Segments one receive chain may have; a longer one breaks the queue. */
#define TANDEM_VNET_RX_SEGS		32
/* Receive chains held for one frame at most (mergeable buffers). */
#define TANDEM_VNET_RX_STASH		64
/* Frames each queue handles per tandem_vnet_process() call. */
#define TANDEM_VNET_BUDGET		128
/* Bytes of configuration space: mac, status, max_virtqueue_pairs. */
#define TANDEM_VNET_CONFIG_LEN		10

/* Checksum state of a frame, both ways. */
enum tandem_vnet_csum {
	TANDEM_VNET_CSUM_NONE,		/* nothing known */
	TANDEM_VNET_CSUM_PARTIAL,	/* to be completed: start, offset */
	TANDEM_VNET_CSUM_VERIFIED,	/* checked already (receive only) */
};

struct tandem_vnet;

/**
 * struct tandem_vnet_pkt - a frame for the guest, from tandem_vnet_rx()
 *	until &tandem_vnet_ops.rx_free
 * @data: the frame, Ethernet header first; read, never written
 * @len: bytes, %TANDEM_VNET_MIN_FRAME to %TANDEM_VNET_MAX_FRAME
 * @csum: &enum tandem_vnet_csum
 * @csum_start: with %TANDEM_VNET_CSUM_PARTIAL: the checksum covers
 *	@data[@csum_start] to the end...
 * @csum_offset: ...and goes at @csum_start + @csum_offset (2 bytes,
 *	inside the frame); the field holds the pseudo-header sum
 * @cookie: the caller's (the sk_buff that holds @data)
 */
struct tandem_vnet_pkt {
	const u8 *data;
	u32 len;
	u8 csum;
	u16 csum_start;
	u16 csum_offset;
	void *cookie;
};

/**
 * struct tandem_vnet_txpkt - a frame the guest sent, for &tandem_vnet_ops.tx
 * @len: bytes of the frame, %TANDEM_VNET_MIN_FRAME to %TANDEM_VNET_MAX_FRAME
 * @csum: %TANDEM_VNET_CSUM_NONE or %TANDEM_VNET_CSUM_PARTIAL
 * @csum_start: as in &struct tandem_vnet_pkt, checked to lie in the frame
 * @csum_offset: likewise
 * @gso_type: VIRTIO_NET_HDR_GSO_NONE, or a TCP segmentation offload the
 *	driver negotiated (TCPV4, TCPV6, with the ECN bit if HOST_ECN was);
 *	with %TANDEM_VNET_CSUM_PARTIAL always
 * @gso_size: with @gso_type: the segments' payload size, not zero
 * @hdr_len: the header's hdr_len, as the driver gave it (a hint)
 * @segs: the chain; copy the frame with tandem_vnet_tx_copy() or
 *	tandem_vnet_tx_copy_range()
 * @nr_segs: entries of @segs
 */
struct tandem_vnet_txpkt {
	u32 len;
	u8 csum;
	u16 csum_start;
	u16 csum_offset;
	u8 gso_type;
	u16 gso_size;
	u16 hdr_len;
	const struct tandem_vq_seg *segs;
	unsigned int nr_segs;
};

/**
 * struct tandem_vnet_stats - what the device counted since init
 * @rx_packets: frames given to the guest
 * @rx_bytes: their bytes (without the virtio-net header)
 * @rx_dropped: frames for the guest dropped: device not running, backlog
 *	full, bad checksum offsets, larger than the guest's buffers
 * @tx_packets: frames from the guest handed to the backend
 * @tx_bytes: their bytes
 * @tx_dropped: frames from the guest dropped: shorter than the header plus
 *	14 bytes, longer than %TANDEM_VNET_MAX_FRAME, a GSO type not
 *	negotiated or without a checksum request, bad checksum request, or
 *	refused by the backend
 */
struct tandem_vnet_stats {
	u64 rx_packets;
	u64 rx_bytes;
	u64 rx_dropped;
	u64 tx_packets;
	u64 tx_bytes;
	u64 tx_dropped;
};

/**
 * struct tandem_vnet_ops - the host side of a device
 * @tx: the guest sent @pkt: take it (copy it with tandem_vnet_tx_copy()
 *	before returning). Return 0, or a negative errno to count it
 *	dropped. Called from tandem_vnet_process(), no lock held: may
 *	sleep when that runs in process context (the glue's work item).
 * @rx_free: the device is done with @pkt (given to the guest, or
 *	dropped when @delivered is false). Called from
 *	tandem_vnet_process() or tandem_vnet_purge(), no lock held.
 * @kick: tandem_vnet_process() should run soon. Called from any
 *	context, the transport's lock possibly held: must not sleep nor
 *	call into the device.
 * @carrier: optional; the device started (@on: DRIVER_OK seen with both
 *	queues ready) or stopped running. Called from
 *	tandem_vnet_process(), no lock held.
 * @set_irq: drive the interrupt line (the transport's
 *	&tandem_vmmio_ops.set_irq: called under its lock, must not sleep)
 */
struct tandem_vnet_ops {
	int (*tx)(struct tandem_vnet *vnet, const struct tandem_vnet_txpkt *pkt);
	void (*rx_free)(struct tandem_vnet *vnet, struct tandem_vnet_pkt *pkt,
			bool delivered);
	void (*kick)(struct tandem_vnet *vnet);
	void (*carrier)(struct tandem_vnet *vnet, bool on);
	void (*set_irq)(struct tandem_vnet *vnet, bool level);
};

/**
 * struct tandem_vnet_rxchain - a receive chain popped, not yet used
 * @chain: what tandem_vq_pop() returned
 * @segs: its segments, all device-writable
 */
struct tandem_vnet_rxchain {
	struct tandem_vq_chain chain;
	struct tandem_vq_seg segs[TANDEM_VNET_RX_SEGS];
};

/**
 * struct tandem_vnet - one virtio-net device
 * @vmmio: its transport
 * @lock: protects @gen, @up, @stats, the backlog and the stash, and
 *	every pop and push on either queue; taken inside the transport's
 * @ops: the host side
 * @priv: the host side's data
 * @mem: guest RAM
 * @gen: advanced by each device reset, under both locks
 * @up: the device runs: tandem_vnet_rx() queues frames
 * @carrier: what &tandem_vnet_ops.carrier was last told
 * @stats: counters
 * @config: the configuration space, little-endian
 * @backlog: frames waiting for receive buffers, a ring
 * @bl_head: index of the oldest in @backlog
 * @bl_len: frames in @backlog
 * @stash: receive chains popped for the frame at @bl_head
 * @nr_stash: entries of @stash
 * @stash_bytes: their writable bytes
 * @rx_used: used elements of the receive queue not pushed yet
 * @nr_rx_used: entries of @rx_used
 * @tx_segs: the transmit chain being handled
 * @tx_used: used elements of the transmit queue not pushed yet
 * @nr_tx_used: entries of @tx_used
 *
 * tandem_vnet_process() runs in one thread at a time (the glue's work
 * item): it alone pops and pushes, under @lock, after checking @gen.
 */
struct tandem_vnet {
	struct tandem_vmmio vmmio;
	spinlock_t lock; /* queues, backlog, stats: worker, host, reset */
	const struct tandem_vnet_ops *ops;
	void *priv;
	struct tandem_mem *mem;
	u32 gen;
	bool up;
	bool carrier;
	struct tandem_vnet_stats stats;
	u8 config[TANDEM_VNET_CONFIG_LEN];
	struct tandem_vnet_pkt backlog[TANDEM_VNET_BACKLOG];
	unsigned int bl_head;
	unsigned int bl_len;
	struct tandem_vnet_rxchain stash[TANDEM_VNET_RX_STASH];
	unsigned int nr_stash;
	u32 stash_bytes;
	struct tandem_vq_used rx_used[TANDEM_VNET_QUEUE_SIZE];
	unsigned int nr_rx_used;
	struct tandem_vq_seg tx_segs[TANDEM_VNET_QUEUE_SIZE];
	struct tandem_vq_used tx_used[TANDEM_VNET_BUDGET];
	unsigned int nr_tx_used;
};

int tandem_vnet_init(struct tandem_vnet *vnet,
		     const struct tandem_vnet_ops *ops, void *priv,
		     struct tandem_mem *mem, const u8 mac[6],
		     const char **reason);
int tandem_vnet_rx(struct tandem_vnet *vnet,
		   const struct tandem_vnet_pkt *pkt);
void tandem_vnet_process(struct tandem_vnet *vnet);
void tandem_vnet_purge(struct tandem_vnet *vnet);
void tandem_vnet_tx_copy(struct tandem_vnet *vnet,
			 const struct tandem_vnet_txpkt *pkt, void *dst);
void tandem_vnet_tx_copy_range(struct tandem_vnet *vnet,
			       const struct tandem_vnet_txpkt *pkt, u32 off,
			       void *dst, u32 len);
void tandem_vnet_get_stats(struct tandem_vnet *vnet,
			   struct tandem_vnet_stats *stats);

/*
 * The kernel glue, virtio_net_dev.c: the core behind a host network
 * device, its ring work on a work item. Not built into the host test.
 */
struct tandem_vnet_dev;

struct tandem_vnet_dev *tandem_vnet_dev_create(struct tandem_mem *mem,
					       const u8 mac[6],
					       const char *ifname,
					       void (*set_irq)(void *ctx,
							       bool level),
					       void *ctx, const char **reason);
struct tandem_vmmio *tandem_vnet_dev_vmmio(struct tandem_vnet_dev *d);
void tandem_vnet_dev_stats(struct tandem_vnet_dev *d,
			   struct tandem_vnet_stats *stats);
void tandem_vnet_dev_reset(struct tandem_vnet_dev *d);
void tandem_vnet_dev_destroy(struct tandem_vnet_dev *d);

#endif /* TANDEM_VIRTIO_NET_H */
