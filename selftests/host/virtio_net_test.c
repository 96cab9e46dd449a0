// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the virtio-net ring core, kmod-hv/virtio_net.c, built
 * as it is for userspace with the transport and the virtqueue engine
 * (kshim/ supplies the kernel headers they need). The test plays the guest
 * driver through the transport's registers, a receive and a transmit
 * queue, and plays the host side through the core's operations: frames
 * the guest sends are recorded, frames for the guest come from buffers
 * here. The glue's work item is a flag: the test runs
 * tandem_vnet_process() when the core asked for it. Guest RAM is 1 MiB
 * between two guard areas; every access outside it is counted and must
 * not happen. Prints TAP; exits non-zero when a case fails.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "tap.h"
#include "virtio_net.h"

/* Guest RAM ---------------------------------------------------------------- */

#define RAM_SIZE	0x100000u
#include "fake_ram.h"

/* The host side -------------------------------------------------------------- */

#define FRAME_MAX	(TANDEM_VNET_MAX_FRAME + 16)

static struct tandem_vnet vnet;

#define VMMIO_DEV	(&vnet.vmmio)
#include "vmmio_driver.h"

static struct {
	/* Frames the guest sent. */
	unsigned int tx_calls;
	u8 last[FRAME_MAX];
	u32 last_len;
	u8 last_csum;
	u16 last_start, last_offset;
	u8 last_gso_type;
	u16 last_gso_size, last_hdr_len;
	int tx_ret;
	bool reset_in_tx;
	/* Frames for the guest given back. */
	unsigned int freed, freed_delivered;
	bool kicked;
	int carrier;		/* -1: never told */
	unsigned int carrier_calls;
	bool irq;
	unsigned int irq_raises;
} host;

static int host_tx(struct tandem_vnet *v, const struct tandem_vnet_txpkt *p)
{
	EXPECT(v == &vnet, "another device");
	EXPECT(!kshim_locked(&v->lock) && !kshim_locked(&v->vmmio.lock),
	       "tx under a lock");
	host.tx_calls++;
	host.last_len = p->len;
	host.last_csum = p->csum;
	host.last_start = p->csum_start;
	host.last_offset = p->csum_offset;
	host.last_gso_type = p->gso_type;
	host.last_gso_size = p->gso_size;
	host.last_hdr_len = p->hdr_len;
	if (p->len <= FRAME_MAX) {
		/* In two pieces, as the glue copies into a head and pages. */
		u32 cut = p->len / 3;

		tandem_vnet_tx_copy_range(v, p, 0, host.last, cut);
		tandem_vnet_tx_copy_range(v, p, cut, host.last + cut,
					  p->len - cut);
		/* Out of range: nothing copied. */
		tandem_vnet_tx_copy_range(v, p, p->len, host.last, 1);
	}
	if (host.reset_in_tx) {
		host.reset_in_tx = false;
		wr(VIRTIO_MMIO_STATUS, 0);
	}
	return host.tx_ret;
}

static void host_rx_free(struct tandem_vnet *v, struct tandem_vnet_pkt *p,
			 bool delivered)
{
	(void)p;
	EXPECT(!kshim_locked(&v->lock) && !kshim_locked(&v->vmmio.lock),
	       "rx_free under a lock");
	host.freed++;
	host.freed_delivered += delivered;
}

static void host_kick(struct tandem_vnet *v)
{
	(void)v;
	host.kicked = true;
}

static void host_carrier(struct tandem_vnet *v, bool on)
{
	(void)v;
	host.carrier = on;
	host.carrier_calls++;
}

static void host_set_irq(struct tandem_vnet *v, bool level)
{
	(void)v;
	host.irq_raises += level && !host.irq;
	host.irq = level;
}

static const struct tandem_vnet_ops host_ops = {
	.tx = host_tx,
	.rx_free = host_rx_free,
	.kick = host_kick,
	.carrier = host_carrier,
	.set_irq = host_set_irq,
};

/* The work item: run the core while it asks to be run. */
static void run(void)
{
	unsigned int n = 0;

	do {
		host.kicked = false;
		tandem_vnet_process(&vnet);
	} while (host.kicked && ++n < 64);
	EXPECT(n < 64, "the core keeps asking to run");
}

/* The guest driver ------------------------------------------------------------ */

/* The driver's queue size; 256 (QueueNumMax) but where a case says. */
static u32 qsize = 256;
#define QSIZE		qsize
#define RXQ		0
#define TXQ		1
#define DESC(q)		(0x1000u + 0x3000u * (q))
#define AVAIL(q)	(DESC(q) + 0x1000u)
#define USED(q)		(DESC(q) + 0x2000u)
#define BUF		0x10000u	/* small buffers from here */
#define BIG		0x80000u	/* one 64 KiB + buffer */

#define F(bit)		(1ull << (bit))
#define ALL_FEATURES	(~0ull)

static const u8 mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static struct {
	u16 next_desc, avail_idx, used_seen;
} gq[2];

/* The driver's init sequence (3.1.1), accepting what @want allows. */
static void bring_up(u64 want)
{
	u64 f = offered() & want;
	u32 st = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	memset(gq, 0, sizeof(gq));
	memset(mem.ram, 0, BUF);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, st);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (u32)f);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (u32)(f >> 32));
	st |= VIRTIO_CONFIG_S_FEATURES_OK;
	wr(VIRTIO_MMIO_STATUS, st);
	EXPECT(rd(VIRTIO_MMIO_STATUS) == st, "features refused");
	for (u32 q = 0; q < 2; q++) {
		wr(VIRTIO_MMIO_QUEUE_SEL, q);
		EXPECT(rd(VIRTIO_MMIO_QUEUE_NUM_MAX) == TANDEM_VNET_QUEUE_SIZE,
		       "queue num max %u", rd(VIRTIO_MMIO_QUEUE_NUM_MAX));
		wr(VIRTIO_MMIO_QUEUE_NUM, QSIZE);
		wr(VIRTIO_MMIO_QUEUE_DESC_LOW, DESC(q));
		wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, AVAIL(q));
		wr(VIRTIO_MMIO_QUEUE_USED_LOW, USED(q));
		wr(VIRTIO_MMIO_QUEUE_READY, 1);
		EXPECT(rd(VIRTIO_MMIO_QUEUE_READY) == 1, "queue %u not ready", q);
	}
	st |= VIRTIO_CONFIG_S_DRIVER_OK;
	wr(VIRTIO_MMIO_STATUS, st);
	EXPECT(rd(VIRTIO_MMIO_STATUS) == st, "status %#x", rd(VIRTIO_MMIO_STATUS));
	/* Without EVENT_IDX: an interrupt for every used buffer. */
	run();
}

static void fresh_dev(u64 want)
{
	const char *why;
	int err;

	fake_ram_reset();
	memset(&host, 0, sizeof(host));
	host.carrier = -1;
	err = tandem_vnet_init(&vnet, &host_ops, NULL, &mem, mac, &why);
	EXPECT(!err && !why, "init: %d %s", err, why);
	bring_up(want);
}

/* Mergeable buffers, checksums both ways, no EVENT_IDX. */
static void fresh(void)
{
	fresh_dev(ALL_FEATURES & ~F(VIRTIO_RING_F_EVENT_IDX));
}

struct buf {
	u32 gpa, len;
	bool write;
};

/* Make a chain of @n buffers available on @q, without notifying. */
static u16 add_quiet(unsigned int q, const struct buf *b, unsigned int n)
{
	u16 head = gq[q].next_desc;

	for (unsigned int i = 0; i < n; i++) {
		struct vring_desc d = {
			.addr = htole64(b[i].gpa),
			.len = htole32(b[i].len),
			.flags = htole16((b[i].write ? VRING_DESC_F_WRITE : 0) |
					 (i + 1 < n ? VRING_DESC_F_NEXT : 0)),
			.next = htole16((gq[q].next_desc + 1) % QSIZE),
		};

		memcpy(mem.ram + DESC(q) + 16 * gq[q].next_desc, &d, sizeof(d));
		gq[q].next_desc = (gq[q].next_desc + 1) % QSIZE;
	}
	put16(AVAIL(q) + 4 + 2 * (gq[q].avail_idx % QSIZE), head);
	gq[q].avail_idx++;
	put16(AVAIL(q) + 2, gq[q].avail_idx);
	return head;
}

static void notify(unsigned int q)
{
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, q);
	run();
}

static u16 used_idx(unsigned int q)
{
	return get16(USED(q) + 2);
}

static void used_elem(unsigned int q, u16 i, u32 *id, u32 *len)
{
	u32 v[2];

	memcpy(v, mem.ram + USED(q) + 4 + 8 * (i % QSIZE), 8);
	*id = le32toh(v[0]);
	*len = le32toh(v[1]);
}

/* Receive buffers: @n one-segment chains of @len bytes from @gpa. */
static void add_rx(u32 gpa, u32 len, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct buf b = { gpa + i * len, len, true };

		add_quiet(RXQ, &b, 1);
	}
}

static void put_hdr(u32 gpa, u8 flags, u8 gso, u16 start, u16 off)
{
	struct virtio_net_hdr_v1 h = {
		.flags = flags, .gso_type = gso,
		.csum_start = htole16(start), .csum_offset = htole16(off),
	};

	memcpy(mem.ram + gpa, &h, sizeof(h));
}

static void get_hdr(u32 gpa, struct virtio_net_hdr_v1 *h)
{
	memcpy(h, mem.ram + gpa, sizeof(*h));
}

static bool needs_reset(void)
{
	return rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

static void ack(void)
{
	wr(VIRTIO_MMIO_INTERRUPT_ACK, rd(VIRTIO_MMIO_INTERRUPT_STATUS));
}

/* Frames for the guest ------------------------------------------------------- */

static u8 frames[TANDEM_VNET_BACKLOG + 4][2048];

static void make_frame(u8 *f, u32 len, u8 seed)
{
	for (u32 i = 0; i < len; i++)
		f[i] = (u8)(i * 13 + seed);
}

static int send_csum(unsigned int i, u32 len, u8 csum, u16 start, u16 off)
{
	struct tandem_vnet_pkt p = {
		.data = frames[i], .len = len, .csum = csum,
		.csum_start = start, .csum_offset = off,
	};

	make_frame(frames[i], len, (u8)i);
	return tandem_vnet_rx(&vnet, &p);
}

static int send(unsigned int i, u32 len)
{
	return send_csum(i, len, TANDEM_VNET_CSUM_NONE, 0, 0);
}

static struct tandem_vnet_stats stats(void)
{
	struct tandem_vnet_stats s;

	tandem_vnet_get_stats(&vnet, &s);
	return s;
}

/* Cases -------------------------------------------------------------------- */

static void test_features_and_config(void)
{
	const u64 want = F(VIRTIO_F_VERSION_1) | F(VIRTIO_NET_F_MAC) |
			 F(VIRTIO_NET_F_STATUS) | F(VIRTIO_NET_F_MRG_RXBUF) |
			 F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_GUEST_CSUM) |
			 F(VIRTIO_NET_F_HOST_TSO4) | F(VIRTIO_NET_F_HOST_TSO6) |
			 F(VIRTIO_NET_F_HOST_ECN) | F(VIRTIO_RING_F_EVENT_IDX) |
			 F(VIRTIO_RING_F_INDIRECT_DESC);
	u32 v;

	fresh();
	EXPECT(rd(VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_NET, "device id %u",
	       rd(VIRTIO_MMIO_DEVICE_ID));
	EXPECT(offered() == want, "features %#llx",
	       (unsigned long long)offered());
	for (unsigned int i = 0; i < 6; i++) {
		tandem_vmmio_read(&vnet.vmmio, 0x100 + i, 1, &v);
		EXPECT(v == mac[i], "mac[%u] %#x", i, v);
	}
	tandem_vmmio_read(&vnet.vmmio, 0x106, 2, &v);
	EXPECT(v == VIRTIO_NET_S_LINK_UP, "status %#x", v);
	EXPECT(host.carrier == 1 && host.carrier_calls == 1, "carrier %d",
	       host.carrier);
}

static void test_init_refuses_missing_ops(void)
{
	struct tandem_vnet_ops ops = host_ops;
	const char *why = NULL;

	ops.tx = NULL;
	EXPECT(tandem_vnet_init(&vnet, &ops, NULL, &mem, mac, &why) == -EINVAL &&
	       why, "no tx");
	ops = host_ops;
	ops.carrier = NULL;
	EXPECT(!tandem_vnet_init(&vnet, &ops, NULL, &mem, mac, &why) && !why,
	       "carrier is optional");
}

static void test_tx_split_frame_with_partial_csum(void)
{
	/* Header in two pieces, the frame in three. */
	const struct buf b[5] = {
		{ BUF, 5, false }, { BUF + 0x100, 7, false },
		{ BUF + 0x1000, 20, false }, { BUF + 0x2000, 1, false },
		{ BUF + 0x3000, 79, false },
	};
	u8 want[100], hdr[12];
	u32 id, len;
	u16 head;

	fresh();
	put_hdr(BUF + 0x800, VIRTIO_NET_HDR_F_NEEDS_CSUM,
		VIRTIO_NET_HDR_GSO_NONE, 34, 6);
	memcpy(hdr, mem.ram + BUF + 0x800, 12);
	memcpy(mem.ram + BUF, hdr, 5);
	memcpy(mem.ram + BUF + 0x100, hdr + 5, 7);
	make_frame(want, 100, 7);
	memcpy(mem.ram + BUF + 0x1000, want, 20);
	memcpy(mem.ram + BUF + 0x2000, want + 20, 1);
	memcpy(mem.ram + BUF + 0x3000, want + 21, 79);
	head = add_quiet(TXQ, b, 5);
	notify(TXQ);
	EXPECT(host.tx_calls == 1, "%u tx", host.tx_calls);
	EXPECT(host.last_len == 100 && !memcmp(host.last, want, 100),
	       "frame of %u bytes differs", host.last_len);
	EXPECT(host.last_csum == TANDEM_VNET_CSUM_PARTIAL &&
	       host.last_start == 34 && host.last_offset == 6,
	       "csum %u %u %u", host.last_csum, host.last_start,
	       host.last_offset);
	EXPECT(used_idx(TXQ) == 1, "used idx %u", used_idx(TXQ));
	used_elem(TXQ, 0, &id, &len);
	EXPECT(id == head && len == 0, "used {%u, %u}", id, len);
	EXPECT(host.irq, "no interrupt");
	EXPECT(stats().tx_packets == 1 && stats().tx_bytes == 100,
	       "tx stats %llu %llu", (unsigned long long)stats().tx_packets,
	       (unsigned long long)stats().tx_bytes);
}

/* Send one frame of @len bytes after a header; return tx calls made. */
static unsigned int tx_frame(u32 len, u8 flags, u8 gso, u16 start, u16 off)
{
	const struct buf b[2] = { { BUF, 12, false }, { BIG, len, false } };
	unsigned int before = host.tx_calls;

	put_hdr(BUF, flags, gso, start, off);
	add_quiet(TXQ, b, 2);
	notify(TXQ);
	return host.tx_calls - before;
}

static void test_tx_bad_frames_dropped_and_counted(void)
{
	fresh();
	EXPECT(tx_frame(13, 0, 0, 0, 0) == 0, "13 bytes taken");
	EXPECT(tx_frame(TANDEM_VNET_MAX_FRAME + 1, 0, 0, 0, 0) == 0,
	       "65551 bytes taken");
	EXPECT(tx_frame(1000, 0, VIRTIO_NET_HDR_GSO_TCPV4, 0, 0) == 0,
	       "GSO taken");
	EXPECT(tx_frame(100, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 90, 9) == 0,
	       "checksum past the end taken");
	EXPECT(stats().tx_dropped == 4, "%llu dropped",
	       (unsigned long long)stats().tx_dropped);
	EXPECT(used_idx(TXQ) == 4, "used idx %u", used_idx(TXQ));
	EXPECT(!needs_reset(), "device needs reset");
	EXPECT(tx_frame(14, 0, 0, 0, 0) == 1, "14 bytes dropped");
	EXPECT(tx_frame(TANDEM_VNET_MAX_FRAME, 0, 0, 0, 0) == 1,
	       "65550 bytes dropped");
	EXPECT(host.last_len == TANDEM_VNET_MAX_FRAME, "len %u", host.last_len);
	EXPECT(tx_frame(100, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 90, 8) == 1,
	       "checksum at the end dropped");
	/* A chain shorter than the header. */
	{
		const struct buf b = { BUF, 8, false };

		add_quiet(TXQ, &b, 1);
		notify(TXQ);
	}
	host.tx_ret = -ENOMEM;
	EXPECT(tx_frame(100, 0, 0, 0, 0) == 1, "not offered to the host");
	EXPECT(stats().tx_dropped == 6 && stats().tx_packets == 3,
	       "%llu dropped, %llu sent",
	       (unsigned long long)stats().tx_dropped,
	       (unsigned long long)stats().tx_packets);
	EXPECT(used_idx(TXQ) == 9, "used idx %u", used_idx(TXQ));
	EXPECT(!needs_reset(), "device needs reset");

	/* NEEDS_CSUM without VIRTIO_NET_F_CSUM negotiated. */
	fresh_dev(ALL_FEATURES & ~F(VIRTIO_NET_F_CSUM));
	EXPECT(tx_frame(100, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 14, 6) == 0,
	       "NEEDS_CSUM taken without CSUM");
	EXPECT(tx_frame(100, 0, 0, 0, 0) == 1, "plain frame dropped");
}

/* Like tx_frame(), with the header's gso_size and hdr_len. */
static unsigned int tso_frame(u32 len, u8 flags, u8 gso, u16 gso_size)
{
	const struct buf b[2] = { { BUF, 12, false }, { BIG, len, false } };
	unsigned int before = host.tx_calls;
	struct virtio_net_hdr_v1 h = {
		.flags = flags, .gso_type = gso,
		.hdr_len = htole16(54), .gso_size = htole16(gso_size),
		.csum_start = htole16(34), .csum_offset = htole16(16),
	};

	memcpy(mem.ram + BUF, &h, sizeof(h));
	make_frame(mem.ram + BIG, len, 3);
	add_quiet(TXQ, b, 2);
	notify(TXQ);
	return host.tx_calls - before;
}

static void test_tx_tso_as_negotiated(void)
{
	const u8 csum = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	u8 want[2000];

	fresh();
	EXPECT(offered() & F(VIRTIO_NET_F_HOST_TSO4), "TSO4 not offered");
	EXPECT(offered() & F(VIRTIO_NET_F_HOST_TSO6), "TSO6 not offered");
	EXPECT(offered() & F(VIRTIO_NET_F_HOST_ECN), "ECN not offered");
	EXPECT(!(offered() & F(VIRTIO_NET_F_HOST_UFO)), "UFO offered");
	/* A 64 KiB TCP segment, as Linux sends it. */
	EXPECT(tso_frame(TANDEM_VNET_MAX_FRAME, csum, VIRTIO_NET_HDR_GSO_TCPV4,
			 1448) == 1, "TSO4 frame dropped");
	EXPECT(host.last_len == TANDEM_VNET_MAX_FRAME &&
	       host.last_gso_type == VIRTIO_NET_HDR_GSO_TCPV4 &&
	       host.last_gso_size == 1448 && host.last_hdr_len == 54 &&
	       host.last_csum == TANDEM_VNET_CSUM_PARTIAL &&
	       host.last_start == 34 && host.last_offset == 16,
	       "len %u gso %u/%u hdr_len %u csum %u %u %u", host.last_len,
	       host.last_gso_type, host.last_gso_size, host.last_hdr_len,
	       host.last_csum, host.last_start, host.last_offset);
	make_frame(want, sizeof(want), 3);
	EXPECT(!memcmp(host.last, want, sizeof(want)), "frame differs");
	EXPECT(tso_frame(3000, csum, VIRTIO_NET_HDR_GSO_TCPV6 |
			 VIRTIO_NET_HDR_GSO_ECN, 1428) == 1,
	       "TSO6 frame with ECN dropped");
	EXPECT(host.last_gso_type == (VIRTIO_NET_HDR_GSO_TCPV6 |
				      VIRTIO_NET_HDR_GSO_ECN),
	       "gso type %#x", host.last_gso_type);
	/* Plain frames carry no GSO type. */
	EXPECT(tso_frame(100, 0, VIRTIO_NET_HDR_GSO_NONE, 0) == 1, "dropped");
	EXPECT(host.last_gso_type == VIRTIO_NET_HDR_GSO_NONE, "gso type set");

	/* What the driver may not ask: each dropped and counted. */
	EXPECT(tso_frame(3000, 0, VIRTIO_NET_HDR_GSO_TCPV4, 1448) == 0,
	       "TSO without a checksum request taken");
	EXPECT(tso_frame(3000, csum, VIRTIO_NET_HDR_GSO_TCPV4, 0) == 0,
	       "gso_size 0 taken");
	EXPECT(tso_frame(3000, csum, VIRTIO_NET_HDR_GSO_UDP, 1448) == 0,
	       "UFO taken");
	EXPECT(tso_frame(3000, csum, 5 /* UDP_L4 */, 1448) == 0,
	       "USO taken");
	EXPECT(stats().tx_dropped == 4, "%llu dropped",
	       (unsigned long long)stats().tx_dropped);

	/* Not negotiated: TSO6 and ECN off, TSO4 on. */
	fresh_dev(ALL_FEATURES & ~F(VIRTIO_RING_F_EVENT_IDX) &
		  ~F(VIRTIO_NET_F_HOST_TSO6) & ~F(VIRTIO_NET_F_HOST_ECN));
	EXPECT(tso_frame(3000, csum, VIRTIO_NET_HDR_GSO_TCPV6, 1428) == 0,
	       "TSO6 taken without HOST_TSO6");
	EXPECT(tso_frame(3000, csum, VIRTIO_NET_HDR_GSO_TCPV4 |
			 VIRTIO_NET_HDR_GSO_ECN, 1448) == 0,
	       "ECN taken without HOST_ECN");
	EXPECT(tso_frame(3000, csum, VIRTIO_NET_HDR_GSO_TCPV4, 1448) == 1,
	       "TSO4 dropped");
	EXPECT(!needs_reset(), "device needs reset");
}

static void expect_broken(const char *why)
{
	EXPECT(needs_reset(), "no DEVICE_NEEDS_RESET");
	EXPECT(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG,
	       "no configuration interrupt");
	EXPECT(vnet.vmmio.reason && strstr(vnet.vmmio.reason, why),
	       "reason %s", vnet.vmmio.reason);
}

static void test_tx_writable_buffer_breaks_queue(void)
{
	const struct buf b[2] = { { BUF, 12, false }, { BUF + 0x100, 64, true } };

	fresh();
	put_hdr(BUF, 0, 0, 0, 0);
	add_quiet(TXQ, b, 2);
	notify(TXQ);
	expect_broken("device-writable");
	EXPECT(!host.tx_calls && used_idx(TXQ) == 0, "frame taken");
	/* The device stops: carrier off, frames for the guest refused. */
	run();
	EXPECT(host.carrier == 0, "carrier %d", host.carrier);
	EXPECT(send(0, 60) == -ENETDOWN, "queued on a broken device");
}

/* The receive used element @i: its id and length. */
static void rx_used(u16 i, u32 *id, u32 *len)
{
	used_elem(RXQ, i, id, len);
}

static void test_rx_one_chain(void)
{
	struct virtio_net_hdr_v1 h;
	const struct buf b[2] = {
		{ BUF, 4, true }, { BUF + 0x1000, 2048, true },
	};
	u32 id, len;
	u16 head;

	fresh_dev(ALL_FEATURES & ~F(VIRTIO_NET_F_MRG_RXBUF) &
		  ~F(VIRTIO_RING_F_EVENT_IDX));
	head = add_quiet(RXQ, b, 2);
	notify(RXQ);
	EXPECT(send(0, 100) == 0, "not queued");
	run();
	EXPECT(used_idx(RXQ) == 1, "used idx %u", used_idx(RXQ));
	rx_used(0, &id, &len);
	EXPECT(id == head && len == 112, "used {%u, %u}", id, len);
	/* The header split 4 + 8 like the chain. */
	memcpy(&h, mem.ram + BUF, 4);
	memcpy((u8 *)&h + 4, mem.ram + BUF + 0x1000, 8);
	EXPECT(h.flags == 0 && h.gso_type == 0 && le16toh(h.num_buffers) == 1,
	       "header %u %u %u", h.flags, h.gso_type, le16toh(h.num_buffers));
	EXPECT(!memcmp(mem.ram + BUF + 0x1000 + 8, frames[0], 100),
	       "data differ");
	EXPECT(mem.ram[BUF + 0x1000 + 108] == 0, "wrote past the frame");
	EXPECT(host.irq, "no interrupt");
	EXPECT(host.freed == 1 && host.freed_delivered == 1, "freed %u/%u",
	       host.freed_delivered, host.freed);
	EXPECT(stats().rx_packets == 1 && stats().rx_bytes == 100, "stats");
}

static void test_rx_mergeable_chains(void)
{
	struct virtio_net_hdr_v1 h;
	u32 id, len, want[4] = { 256, 256, 256, 244 };
	u8 got[1000];

	fresh();
	add_rx(BUF, 256, 6);
	notify(RXQ);
	EXPECT(send(1, 1000) == 0, "not queued");
	run();
	EXPECT(used_idx(RXQ) == 4, "used idx %u", used_idx(RXQ));
	for (u16 i = 0; i < 4; i++) {
		rx_used(i, &id, &len);
		EXPECT(id == i && len == want[i], "used %u {%u, %u}", i, id, len);
	}
	get_hdr(BUF, &h);
	EXPECT(le16toh(h.num_buffers) == 4, "num_buffers %u",
	       le16toh(h.num_buffers));
	/* Buffers are adjacent here: the frame reads straight on. */
	memcpy(got, mem.ram + BUF + 12, 1000);
	EXPECT(!memcmp(got, frames[1], 1000), "data differ");

	/* The next frame starts in the fifth buffer. */
	EXPECT(send(2, 200) == 0, "not queued");
	run();
	EXPECT(used_idx(RXQ) == 5, "used idx %u", used_idx(RXQ));
	rx_used(4, &id, &len);
	EXPECT(id == 4 && len == 212, "used {%u, %u}", id, len);
	get_hdr(BUF + 4 * 256, &h);
	EXPECT(le16toh(h.num_buffers) == 1, "num_buffers %u",
	       le16toh(h.num_buffers));
	EXPECT(!memcmp(mem.ram + BUF + 4 * 256 + 12, frames[2], 200),
	       "data differ");
}

static void test_rx_backlog_then_notify(void)
{
	struct virtio_net_hdr_v1 h;
	u32 id, len;

	fresh_dev(ALL_FEATURES);
	for (unsigned int i = 0; i < 3; i++)
		EXPECT(send(i, 60 + i) == 0, "frame %u not queued", i);
	run();
	EXPECT(used_idx(RXQ) == 0 && host.freed == 0, "delivered early");
	/* The device asked to be notified of the next buffer. */
	EXPECT(get16(USED(RXQ) + 4 + 8 * QSIZE) == 0, "avail_event %u",
	       get16(USED(RXQ) + 4 + 8 * QSIZE));
	add_rx(BUF, 1536, 2);
	notify(RXQ);
	EXPECT(used_idx(RXQ) == 2 && host.freed == 2, "used %u, freed %u",
	       used_idx(RXQ), host.freed);
	EXPECT(get16(USED(RXQ) + 4 + 8 * QSIZE) == 2, "avail_event %u",
	       get16(USED(RXQ) + 4 + 8 * QSIZE));
	add_rx(BUF + 0x1000, 1536, 1);
	notify(RXQ);
	EXPECT(used_idx(RXQ) == 3 && host.freed_delivered == 3,
	       "used %u, delivered %u", used_idx(RXQ), host.freed_delivered);
	rx_used(2, &id, &len);
	EXPECT(len == 12 + 62, "len %u", len);
	get_hdr(BUF + 0x1000, &h);
	EXPECT(!memcmp(mem.ram + BUF + 0x1000 + 12, frames[2], 62),
	       "third frame differs");
	EXPECT(stats().rx_dropped == 0, "dropped");
}

static void test_rx_backlog_full_drops(void)
{
	unsigned int i;

	fresh();
	for (i = 0; i < TANDEM_VNET_BACKLOG; i++)
		if (send(i, 60))
			break;
	EXPECT(i == TANDEM_VNET_BACKLOG, "%u queued", i);
	run();
	EXPECT(send(i, 60) == -ENOBUFS, "queued past the backlog");
	EXPECT(stats().rx_dropped == 1, "%llu dropped",
	       (unsigned long long)stats().rx_dropped);
	add_rx(BUF, 1536, QSIZE);
	notify(RXQ);
	EXPECT(host.freed_delivered == QSIZE, "%u delivered",
	       host.freed_delivered);
	EXPECT(used_idx(RXQ) == QSIZE, "used idx %u", used_idx(RXQ));
	EXPECT(!memcmp(mem.ram + BUF + 255 * 1536 + 12, frames[255], 60),
	       "last frame differs");
}

static void test_rx_bad_frames_refused(void)
{
	fresh();
	EXPECT(send(0, 13) == -EINVAL, "13 bytes");
	EXPECT(send_csum(0, 100, TANDEM_VNET_CSUM_PARTIAL, 90, 9) == -EINVAL,
	       "checksum past the end");
	EXPECT(send_csum(0, 100, 7, 0, 0) == -EINVAL, "csum kind 7");
	EXPECT(stats().rx_dropped == 3, "%llu dropped",
	       (unsigned long long)stats().rx_dropped);
}

static void test_rx_frame_larger_than_buffers(void)
{
	u32 id, len;

	/* Without mergeable buffers: one chain must hold the frame. */
	fresh_dev(ALL_FEATURES & ~F(VIRTIO_NET_F_MRG_RXBUF) &
		  ~F(VIRTIO_RING_F_EVENT_IDX));
	add_rx(BUF, 512, 1);
	notify(RXQ);
	EXPECT(send(0, 1000) == 0 && send(1, 400) == 0, "not queued");
	run();
	EXPECT(host.freed == 2 && host.freed_delivered == 1, "freed %u/%u",
	       host.freed_delivered, host.freed);
	rx_used(0, &id, &len);
	EXPECT(used_idx(RXQ) == 1 && len == 412, "used %u, len %u",
	       used_idx(RXQ), len);
	EXPECT(!memcmp(mem.ram + BUF + 12, frames[1], 400), "data differ");
	EXPECT(stats().rx_dropped == 1, "dropped %llu",
	       (unsigned long long)stats().rx_dropped);

	/* Mergeable: the guest's whole ring of 16-byte buffers is too small. */
	fresh();
	add_rx(BUF, 16, QSIZE);
	notify(RXQ);
	EXPECT(send(0, 2000) == 0, "not queued");
	run();
	EXPECT(host.freed == 1 && !host.freed_delivered, "freed %u/%u",
	       host.freed_delivered, host.freed);
	EXPECT(used_idx(RXQ) == 0 && !needs_reset(), "used %u", used_idx(RXQ));
	EXPECT(send(1, 20) == 0, "not queued");
	run();
	EXPECT(used_idx(RXQ) == 2 && host.freed_delivered == 1,
	       "used %u", used_idx(RXQ));
}

static void test_rx_small_ring_too_small_for_frame(void)
{
	/* The whole ring of 16 buffers cannot hold it: no waiting forever. */
	qsize = 16;
	fresh();
	add_rx(BUF, 64, 16);
	notify(RXQ);
	EXPECT(send(0, 1500) == 0 && send(1, 100) == 0, "not queued");
	run();
	EXPECT(host.freed == 2 && host.freed_delivered == 1, "freed %u/%u",
	       host.freed_delivered, host.freed);
	EXPECT(used_idx(RXQ) == 2, "used idx %u", used_idx(RXQ));
	EXPECT(!memcmp(mem.ram + BUF + 12, frames[1], 100), "data differ");
	qsize = 256;
}

/* The ones'-complement sum of @len bytes: 0xffff when a checksum holds. */
static u16 sum16(const u8 *p, u32 len)
{
	u32 s = 0;

	for (u32 i = 0; i + 1 < len; i += 2)
		s += p[i] << 8 | p[i + 1];
	if (len & 1)
		s += p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

static void test_rx_csum_flags(void)
{
	struct virtio_net_hdr_v1 h;
	u32 s;

	fresh();
	add_rx(BUF, 2048, 4);
	notify(RXQ);
	EXPECT(send_csum(0, 300, TANDEM_VNET_CSUM_PARTIAL, 34, 16) == 0 &&
	       send_csum(1, 300, TANDEM_VNET_CSUM_VERIFIED, 0, 0) == 0 &&
	       send(2, 300) == 0, "not queued");
	run();
	get_hdr(BUF, &h);
	EXPECT(h.flags == VIRTIO_NET_HDR_F_NEEDS_CSUM &&
	       le16toh(h.csum_start) == 34 && le16toh(h.csum_offset) == 16,
	       "partial: %u %u %u", h.flags, le16toh(h.csum_start),
	       le16toh(h.csum_offset));
	EXPECT(!memcmp(mem.ram + BUF + 12, frames[0], 300), "partial: data");
	get_hdr(BUF + 2048, &h);
	EXPECT(h.flags == VIRTIO_NET_HDR_F_DATA_VALID, "verified: %u", h.flags);
	get_hdr(BUF + 4096, &h);
	EXPECT(h.flags == 0, "none: %u", h.flags);

	/* Without GUEST_CSUM: completed here, no flag. */
	fresh_dev(ALL_FEATURES & ~F(VIRTIO_NET_F_GUEST_CSUM) &
		  ~F(VIRTIO_RING_F_EVENT_IDX));
	add_rx(BUF, 128, 16);
	notify(RXQ);
	EXPECT(send_csum(0, 301, TANDEM_VNET_CSUM_PARTIAL, 34, 16) == 0 &&
	       send_csum(1, 300, TANDEM_VNET_CSUM_VERIFIED, 0, 0) == 0,
	       "not queued");
	run();
	get_hdr(BUF, &h);
	EXPECT(h.flags == 0 && le16toh(h.num_buffers) == 3, "flags %u, %u bufs",
	       h.flags, le16toh(h.num_buffers));
	/*
	 * Buffers are adjacent: the frame is at BUF + 12. The field held the
	 * pseudo-header sum, which the receiver adds back.
	 */
	s = sum16(mem.ram + BUF + 12 + 34, 301 - 34) +
	    (frames[0][50] << 8 | frames[0][51]);
	s = (s & 0xffff) + (s >> 16);
	EXPECT(s == 0xffff, "checksum does not hold: %#x", s);
	EXPECT(!memcmp(mem.ram + BUF + 12, frames[0], 50) &&
	       !memcmp(mem.ram + BUF + 12 + 52, frames[0] + 52, 301 - 52),
	       "bytes other than the checksum changed");
	EXPECT(frames[0][50] == (u8)(50 * 13), "host frame written");
	get_hdr(BUF + 3 * 128, &h);
	EXPECT(h.flags == 0, "verified without GUEST_CSUM: %u", h.flags);
}

static void test_rx_hostile_rings(void)
{
	const struct buf rd_buf = { BUF, 1536, false };
	const struct buf tiny = { BUF, 11, true };
	const struct buf out_of_ram = { RAM_SIZE - 100, 1536, true };

	fresh();
	add_quiet(RXQ, &rd_buf, 1);
	EXPECT(send(0, 60) == 0, "not queued");
	run();
	expect_broken("device-readable");
	EXPECT(used_idx(RXQ) == 0, "used");
	run();
	EXPECT(host.freed == 1 && !host.freed_delivered, "frame not dropped");

	fresh();
	add_quiet(RXQ, &tiny, 1);
	send(0, 60);
	run();
	expect_broken("smaller than the header");

	fresh();
	add_quiet(RXQ, &out_of_ram, 1);
	send(0, 60);
	run();
	expect_broken("outside guest RAM");

	/* avail->idx far ahead. */
	fresh();
	put16(AVAIL(RXQ) + 2, QSIZE + 5);
	send(0, 60);
	run();
	expect_broken("queue size ahead");

	/* A descriptor loop on the transmit queue. */
	fresh();
	{
		struct vring_desc d = {
			.addr = htole64(BUF), .len = htole32(64),
			.flags = htole16(VRING_DESC_F_NEXT), .next = 0,
		};

		memcpy(mem.ram + DESC(TXQ), &d, sizeof(d));
		put16(AVAIL(TXQ) + 4, 0);
		put16(AVAIL(TXQ) + 2, 1);
		notify(TXQ);
	}
	expect_broken("loops");
	EXPECT(!host.tx_calls, "frame taken");
}

/*
 * A driver that makes the same 64-byte buffer available again each time
 * the device reads avail->idx, without waiting for it back: every frame
 * takes a full stash of chains, and a batch of frames many more chains
 * than the queue has entries. The device must never hold more used
 * elements than the queue size: it pushes and goes on.
 */
static u16 reuse_last_used, reuse_max_push;

static void reuse_hook(u64 gpa, size_t len, const void *src)
{
	u16 v;

	if (!src && gpa == AVAIL(RXQ) + 2 && len == 2) {
		/* Entries avail_idx .. +QSIZE all name head 0. */
		put16(AVAIL(RXQ) + 2, get16(AVAIL(RXQ) + 2) + QSIZE);
	} else if (src && gpa == USED(RXQ) + 2 && len == 2) {
		memcpy(&v, src, 2);
		v = le16toh(v);
		if ((u16)(v - reuse_last_used) > reuse_max_push)
			reuse_max_push = v - reuse_last_used;
		reuse_last_used = v;
	}
}

static void test_rx_readded_heads_never_overflow(void)
{
	const struct buf b = { BUF, 64, true };
	const unsigned int frames_sent = 20;
	unsigned int i;

	fresh();
	for (i = 0; i < QSIZE; i++)
		put16(AVAIL(RXQ) + 4 + 2 * i, 0);
	add_quiet(RXQ, &b, 1);		/* descriptor 0 */
	put16(AVAIL(RXQ) + 2, 0);	/* the hook makes them available */
	for (i = 0; i < frames_sent; i++)
		EXPECT(send(i, 2000) == 0, "frame %u not queued", i);
	reuse_last_used = 0;
	reuse_max_push = 0;
	mem.hook = reuse_hook;
	run();
	mem.hook = NULL;
	/* 2012 bytes in 64-byte buffers: 32 chains a frame. */
	EXPECT(stats().rx_packets == frames_sent, "rx_packets %llu",
	       (unsigned long long)stats().rx_packets);
	EXPECT(used_idx(RXQ) == (u16)(frames_sent * 32), "used idx %u",
	       used_idx(RXQ));
	EXPECT(reuse_max_push <= QSIZE, "%u used elements pushed at once",
	       reuse_max_push);
	EXPECT(!needs_reset(), "device broke");
}

static void test_interrupts_per_event_idx(void)
{
	fresh_dev(ALL_FEATURES);
	add_rx(BUF, 1536, 8);
	notify(RXQ);
	/* used_event 1: no interrupt for the first buffer, one for the second. */
	put16(AVAIL(RXQ) + 4 + 2 * QSIZE, 1);
	send(0, 60);
	run();
	EXPECT(used_idx(RXQ) == 1 && !host.irq, "used %u, irq %d",
	       used_idx(RXQ), host.irq);
	send(1, 60);
	run();
	EXPECT(used_idx(RXQ) == 2 && host.irq && host.irq_raises == 1,
	       "used %u, %u raises", used_idx(RXQ), host.irq_raises);
	ack();
	EXPECT(!host.irq, "line high after the ack");
	/* Several frames in one run: one update, one interrupt. */
	put16(AVAIL(RXQ) + 4 + 2 * QSIZE, 2);
	send(2, 60);
	send(3, 60);
	send(4, 60);
	run();
	EXPECT(used_idx(RXQ) == 5 && host.irq_raises == 2, "used %u, %u raises",
	       used_idx(RXQ), host.irq_raises);
	ack();
	/* used_event far behind: quiet. */
	send(5, 60);
	run();
	EXPECT(used_idx(RXQ) == 6 && host.irq_raises == 2, "%u raises",
	       host.irq_raises);

	/* Without EVENT_IDX, VRING_AVAIL_F_NO_INTERRUPT silences the queue. */
	fresh();
	add_rx(BUF, 1536, 4);
	notify(RXQ);
	put16(AVAIL(RXQ), VRING_AVAIL_F_NO_INTERRUPT);
	send(0, 60);
	run();
	EXPECT(used_idx(RXQ) == 1 && !host.irq, "interrupt with NO_INTERRUPT");
	put16(AVAIL(RXQ), 0);
	send(1, 60);
	run();
	EXPECT(host.irq, "no interrupt");
}

static void test_reset_mid_traffic(void)
{
	fresh();
	/* A frame half placed: two buffers of the four it needs. */
	add_rx(BUF, 256, 2);
	notify(RXQ);
	EXPECT(send(0, 1000) == 0 && send(1, 60) == 0, "not queued");
	run();
	EXPECT(vnet.nr_stash == 2 && used_idx(RXQ) == 0, "stash %u",
	       vnet.nr_stash);
	wr(VIRTIO_MMIO_STATUS, 0);
	EXPECT(host.kicked, "no kick on reset");
	EXPECT(send(2, 60) == -ENETDOWN, "queued after reset");
	run();
	EXPECT(host.carrier == 0, "carrier %d", host.carrier);
	EXPECT(host.freed == 2 && !host.freed_delivered, "freed %u/%u",
	       host.freed_delivered, host.freed);
	EXPECT(used_idx(RXQ) == 0 && !host.irq, "pushed after reset");

	/* The device comes back. */
	bring_up(ALL_FEATURES & ~F(VIRTIO_RING_F_EVENT_IDX));
	EXPECT(host.carrier == 1, "carrier %d", host.carrier);
	add_rx(BUF, 2048, 2);
	notify(RXQ);
	EXPECT(send(3, 500) == 0, "not queued");
	run();
	EXPECT(used_idx(RXQ) == 1 && host.freed_delivered == 1, "used %u",
	       used_idx(RXQ));
	EXPECT(!memcmp(mem.ram + BUF + 12, frames[3], 500), "data differ");

	/* A reset while the host side holds a transmitted frame. */
	host.reset_in_tx = true;
	EXPECT(tx_frame(100, 0, 0, 0, 0) == 1, "not sent");
	EXPECT(used_idx(TXQ) == 0, "pushed after reset: %u", used_idx(TXQ));
	EXPECT(rd(VIRTIO_MMIO_STATUS) == 0, "status %#x",
	       rd(VIRTIO_MMIO_STATUS));
	bring_up(ALL_FEATURES);
	EXPECT(tx_frame(100, 0, 0, 0, 0) == 1, "not sent after reset");
	EXPECT(used_idx(TXQ) == 1, "used %u", used_idx(TXQ));
}

static void test_not_running_drops(void)
{
	const char *why;

	memset(&host, 0, sizeof(host));
	tandem_vnet_init(&vnet, &host_ops, NULL, &mem, mac, &why);
	EXPECT(send(0, 60) == -ENETDOWN, "queued before DRIVER_OK");
	tandem_vnet_process(&vnet);
	EXPECT(!host.carrier_calls, "carrier told");
	EXPECT(stats().rx_dropped == 1, "not counted");
}

static const struct tap_case cases[] = {
	T(test_features_and_config),
	T(test_init_refuses_missing_ops),
	T(test_tx_split_frame_with_partial_csum),
	T(test_tx_bad_frames_dropped_and_counted),
	T(test_tx_tso_as_negotiated),
	T(test_tx_writable_buffer_breaks_queue),
	T(test_rx_one_chain),
	T(test_rx_mergeable_chains),
	T(test_rx_backlog_then_notify),
	T(test_rx_backlog_full_drops),
	T(test_rx_bad_frames_refused),
	T(test_rx_frame_larger_than_buffers),
	T(test_rx_small_ring_too_small_for_frame),
	T(test_rx_csum_flags),
	T(test_rx_hostile_rings),
	T(test_rx_readded_heads_never_overflow),
	T(test_interrupts_per_event_idx),
	T(test_reset_mid_traffic),
	T(test_not_running_drops),
};

int main(void)
{
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]),
		       fake_ram_check) ? 1 : 0;
}
