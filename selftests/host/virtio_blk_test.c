// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the virtio-blk request core, kmod-hv/virtio_blk.c,
 * built as it is for userspace with the transport and the virtqueue engine
 * (kshim/ supplies the kernel headers they need). The test plays the guest
 * driver through the transport's registers and one request queue, against
 * a RAM disk backend that completes at once or, when asked, later and in
 * any order. Guest RAM is 1 MiB between two guard areas; every access
 * outside it is counted and must not happen. Prints TAP; exits non-zero
 * when a case fails.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "tap.h"
#include "virtio_blk.h"

/* Guest RAM ---------------------------------------------------------------- */

#define RAM_SIZE	0x100000u
#include "fake_ram.h"

/* The RAM disk ---------------------------------------------------------------- */

#define DISK_SIZE	(64u * 512)
#define SECTORS		(DISK_SIZE / 512)
#define SERIAL		"tandem-disk-serial-0123"	/* longer than 20 */

static struct {
	u8 data[DISK_SIZE];
	unsigned int reads, writes, flushes, discards, zeroes;
	u64 last_pos, last_len;
	bool last_unmap;
	bool defer;
	struct tandem_vblk_req *pending[32];
	unsigned int nr_pending;
	bool irq;
	unsigned int irq_raises;
} disk;

static struct tandem_vblk blk;

static void disk_done(struct tandem_vblk_req *req)
{
	if (disk.defer)
		disk.pending[disk.nr_pending++] = req;
	else
		tandem_vblk_complete(req, 0);
}

static void disk_read(struct tandem_vblk *b, struct tandem_vblk_req *req)
{
	EXPECT(b == &blk, "another device");
	disk.reads++;
	for (unsigned int i = 0; i < req->nr_pieces; i++) {
		const struct tandem_vblk_piece *p = &req->pieces[i];

		EXPECT(p->pos + p->len <= DISK_SIZE, "piece past the disk");
		tandem_mem_write(&mem, p->gpa, disk.data + p->pos, p->len);
	}
	disk_done(req);
}

static void disk_write(struct tandem_vblk *b, struct tandem_vblk_req *req)
{
	EXPECT(b == &blk, "another device");
	disk.writes++;
	for (unsigned int i = 0; i < req->nr_pieces; i++) {
		const struct tandem_vblk_piece *p = &req->pieces[i];

		EXPECT(p->pos + p->len <= DISK_SIZE, "piece past the disk");
		tandem_mem_read(&mem, p->gpa, disk.data + p->pos, p->len);
	}
	disk_done(req);
}

static void disk_flush(struct tandem_vblk *b, struct tandem_vblk_req *req)
{
	(void)b;
	disk.flushes++;
	disk_done(req);
}

static void disk_discard(struct tandem_vblk *b, struct tandem_vblk_req *req)
{
	(void)b;
	disk.discards++;
	disk.last_pos = req->pos;
	disk.last_len = req->len;
	disk_done(req);
}

static void disk_write_zeroes(struct tandem_vblk *b,
			      struct tandem_vblk_req *req)
{
	(void)b;
	disk.zeroes++;
	disk.last_pos = req->pos;
	disk.last_len = req->len;
	disk.last_unmap = req->unmap;
	memset(disk.data + req->pos, 0, req->len);
	disk_done(req);
}

static void disk_set_irq(struct tandem_vblk *b, bool level)
{
	(void)b;
	disk.irq_raises += level && !disk.irq;
	disk.irq = level;
}

static const struct tandem_vblk_backend_ops disk_ops = {
	.read = disk_read,
	.write = disk_write,
	.flush = disk_flush,
	.discard = disk_discard,
	.write_zeroes = disk_write_zeroes,
	.set_irq = disk_set_irq,
};

static const struct tandem_vblk_backend_ops disk_ops_minimal = {
	.read = disk_read,
	.write = disk_write,
	.set_irq = disk_set_irq,
};

/* The guest driver ------------------------------------------------------------ */

#define QSIZE		128
#define DESC		0x1000u
#define AVAIL		0x2000u
#define USED		0x3000u
#define BUF		0x10000u	/* buffers from here */

#define F(bit)		(1ull << (bit))

static u16 next_desc, avail_idx, used_seen;

#define VMMIO_DEV	(&blk.vmmio)
#include "vmmio_driver.h"

/* The driver's init sequence (3.1.1), accepting all offered but @drop. */
static void bring_up_without(u64 drop)
{
	u64 f = offered() & ~drop;
	u32 st = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, st);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (u32)f);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (u32)(f >> 32));
	st |= VIRTIO_CONFIG_S_FEATURES_OK;
	wr(VIRTIO_MMIO_STATUS, st);
	EXPECT(rd(VIRTIO_MMIO_STATUS) == st, "features refused");
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	EXPECT(rd(VIRTIO_MMIO_QUEUE_NUM_MAX) == TANDEM_VBLK_QUEUE_SIZE,
	       "queue num max %u", rd(VIRTIO_MMIO_QUEUE_NUM_MAX));
	wr(VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, DESC);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, AVAIL);
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, USED);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	EXPECT(rd(VIRTIO_MMIO_QUEUE_READY) == 1, "queue not ready");
	st |= VIRTIO_CONFIG_S_DRIVER_OK;
	wr(VIRTIO_MMIO_STATUS, st);
	EXPECT(rd(VIRTIO_MMIO_STATUS) == st, "status %#x", rd(VIRTIO_MMIO_STATUS));
}

static void bring_up(void)
{
	bring_up_without(F(VIRTIO_RING_F_EVENT_IDX));
}

static void fresh_dev(const struct tandem_vblk_backend_ops *ops, bool ro)
{
	const char *why;
	int err;

	fake_ram_reset();
	memset(&disk, 0, sizeof(disk));
	for (unsigned int i = 0; i < DISK_SIZE; i++)
		disk.data[i] = (u8)(i * 7 + i / 512);
	next_desc = avail_idx = used_seen = 0;
	err = tandem_vblk_init(&blk, ops, NULL, &mem, DISK_SIZE, ro, SERIAL,
			       &why);
	EXPECT(!err && !why, "init: %d %s", err, why);
	bring_up();
}

static void fresh(void)
{
	fresh_dev(&disk_ops, false);
}

struct buf {
	u32 gpa, len;
	bool write;
};

/* Make a chain of @n buffers available and notify: the head's index. */
static u16 submit_quiet(const struct buf *b, unsigned int n)
{
	u16 head = next_desc;

	for (unsigned int i = 0; i < n; i++) {
		struct vring_desc d = {
			.addr = htole64(b[i].gpa),
			.len = htole32(b[i].len),
			.flags = htole16((b[i].write ? VRING_DESC_F_WRITE : 0) |
					 (i + 1 < n ? VRING_DESC_F_NEXT : 0)),
			.next = htole16((next_desc + 1) % QSIZE),
		};

		memcpy(mem.ram + DESC + 16 * next_desc, &d, sizeof(d));
		next_desc = (next_desc + 1) % QSIZE;
	}
	u16 v = htole16(head);

	memcpy(mem.ram + AVAIL + 4 + 2 * (avail_idx % QSIZE), &v, 2);
	avail_idx++;
	v = htole16(avail_idx);
	memcpy(mem.ram + AVAIL + 2, &v, 2);
	return head;
}

static u16 submit(const struct buf *b, unsigned int n)
{
	u16 head = submit_quiet(b, n);

	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	return head;
}

static u16 used_idx(void)
{
	u16 v;

	memcpy(&v, mem.ram + USED + 2, 2);
	return le16toh(v);
}

/* The used element @i: its id and length. */
static void used_elem(u16 i, u32 *id, u32 *len)
{
	u32 v[2];

	memcpy(v, mem.ram + USED + 4 + 8 * (i % QSIZE), 8);
	*id = le32toh(v[0]);
	*len = le32toh(v[1]);
}

/* A request header at @gpa. */
static void put_hdr(u32 gpa, u32 type, u64 sector)
{
	struct virtio_blk_outhdr h = {
		.type = htole32(type), .sector = htole64(sector),
	};

	memcpy(mem.ram + gpa, &h, sizeof(h));
}

#define HDR	BUF
#define STATUS	(BUF + 0x100)
#define DATA	(BUF + 0x1000)
#define STATUS_UNSET	0xee

/*
 * Submit a request with a header, one data buffer of @len (device-writable
 * if @write_data; none if @len is 0) and a status byte, and notify.
 * Return: the status byte afterwards.
 */
static u8 request(u32 type, u64 sector, u32 len, bool write_data)
{
	struct buf b[3] = {
		{ HDR, 16, false }, { DATA, len, write_data }, { STATUS, 1, true },
	};

	put_hdr(HDR, type, sector);
	mem.ram[STATUS] = STATUS_UNSET;
	if (len) {
		submit(b, 3);
	} else {
		b[1] = b[2];
		submit(b, 2);
	}
	return mem.ram[STATUS];
}

/* The last used element is @head's, @len long; the interrupt was raised. */
static void expect_used(u16 head, u32 len)
{
	u16 idx = used_idx();
	u32 id, l;

	EXPECT(idx == (u16)(used_seen + 1), "used idx %u, want %u", idx,
	       used_seen + 1);
	used_elem(idx - 1, &id, &l);
	EXPECT(id == head && l == len, "used {%u, %u}, want {%u, %u}", id, l,
	       head, len);
	EXPECT(disk.irq, "no interrupt");
	EXPECT(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_VRING,
	       "isr %#x", rd(VIRTIO_MMIO_INTERRUPT_STATUS));
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	used_seen = idx;
}

static bool disk_untouched(void)
{
	for (unsigned int i = 0; i < DISK_SIZE; i++)
		if (disk.data[i] != (u8)(i * 7 + i / 512))
			return false;
	return true;
}

static bool all(u32 gpa, u32 len, u8 byte)
{
	for (u32 i = 0; i < len; i++)
		if (mem.ram[gpa + i] != byte)
			return false;
	return true;
}

static bool needs_reset(void)
{
	return rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

/* Cases -------------------------------------------------------------------- */

static void test_config_space(void)
{
	u32 cap_lo, cap_hi, v;

	fresh();
	cap_lo = rd(0x100 + offsetof(struct virtio_blk_config, capacity));
	cap_hi = rd(0x104 + offsetof(struct virtio_blk_config, capacity));
	EXPECT(cap_lo == SECTORS && cap_hi == 0, "capacity %#x:%#x", cap_hi,
	       cap_lo);
	v = rd(0x100 + offsetof(struct virtio_blk_config, blk_size));
	EXPECT(v == 512, "blk_size %u", v);
	v = rd(0x100 + offsetof(struct virtio_blk_config, seg_max));
	EXPECT(v == TANDEM_VBLK_SEG_MAX, "seg_max %u", v);
	v = rd(0x100 + offsetof(struct virtio_blk_config, size_max));
	EXPECT(v == TANDEM_VQ_MAX_CHAIN_BYTES, "size_max %u", v);
	v = rd(0x100 + offsetof(struct virtio_blk_config, max_discard_sectors));
	EXPECT(v == TANDEM_VBLK_MAX_ZERO_SECTORS, "max_discard_sectors %u", v);
	v = rd(0x100 + offsetof(struct virtio_blk_config, max_discard_seg));
	EXPECT(v == 1, "max_discard_seg %u", v);
	v = rd(0x100 + offsetof(struct virtio_blk_config,
				max_write_zeroes_sectors));
	EXPECT(v == TANDEM_VBLK_MAX_ZERO_SECTORS, "max_wz_sectors %u", v);
	v = rd(0x100 + offsetof(struct virtio_blk_config, max_write_zeroes_seg));
	EXPECT(v == 1, "max_write_zeroes_seg %u", v);
	tandem_vmmio_read(&blk.vmmio, 0x100 + offsetof(struct virtio_blk_config,
			  write_zeroes_may_unmap), 1, &v);
	EXPECT(v == 1, "write_zeroes_may_unmap %u", v);
	v = rd(0x100 + TANDEM_VBLK_CONFIG_LEN);
	EXPECT(v == 0, "past the configuration space: %#x", v);
}

static void test_features_offered(void)
{
	const u64 base = F(VIRTIO_F_VERSION_1) | F(VIRTIO_BLK_F_SIZE_MAX) |
			 F(VIRTIO_BLK_F_SEG_MAX) | F(VIRTIO_BLK_F_BLK_SIZE) |
			 F(VIRTIO_RING_F_EVENT_IDX) |
			 F(VIRTIO_RING_F_INDIRECT_DESC);
	const u64 opt = F(VIRTIO_BLK_F_FLUSH) | F(VIRTIO_BLK_F_DISCARD) |
			F(VIRTIO_BLK_F_WRITE_ZEROES);
	u64 f;
	u32 v;

	fresh();
	f = offered();
	EXPECT(f == (base | opt), "full backend: %#llx", (unsigned long long)f);
	fresh_dev(&disk_ops, true);
	f = offered();
	EXPECT(f == (base | opt | F(VIRTIO_BLK_F_RO)), "read-only: %#llx",
	       (unsigned long long)f);
	fresh_dev(&disk_ops_minimal, false);
	f = offered();
	EXPECT(f == base, "minimal backend: %#llx", (unsigned long long)f);
	v = rd(0x100 + offsetof(struct virtio_blk_config, max_discard_sectors));
	EXPECT(v == 0, "max_discard_sectors %u without discard", v);
}

static void test_capacity_not_multiple_of_512_refused(void)
{
	const char *why = NULL;
	int err;

	err = tandem_vblk_init(&blk, &disk_ops, NULL, &mem, 1000, false, NULL,
			       &why);
	EXPECT(err == -EINVAL, "size 1000: %d", err);
	EXPECT(why && strstr(why, "512"), "reason %s", why);
	err = tandem_vblk_init(&blk, &disk_ops, NULL, &mem, DISK_SIZE + 1,
			       false, NULL, &why);
	EXPECT(err == -EINVAL, "size +1: %d", err);
	err = tandem_vblk_init(&blk, &disk_ops, NULL, &mem, 0, false, NULL,
			       &why);
	EXPECT(err == -EINVAL && why, "size 0: %d", err);
	err = tandem_vblk_init(&blk, &disk_ops, NULL, &mem, DISK_SIZE, false,
			       NULL, &why);
	EXPECT(!err && !why, "size %u: %d", DISK_SIZE, err);
}

static void test_in_one_segment(void)
{
	u8 st;

	fresh();
	memset(mem.ram + DATA, 0x11, 2048);
	st = request(VIRTIO_BLK_T_IN, 3, 1024, true);
	EXPECT(st == VIRTIO_BLK_S_OK, "status %u", st);
	EXPECT(!memcmp(mem.ram + DATA, disk.data + 3 * 512, 1024),
	       "data differ");
	EXPECT(all(DATA + 1024, 1024, 0x11), "wrote past the buffer");
	EXPECT(disk.reads == 1, "%u reads", disk.reads);
	expect_used(0, 1024 + 1);
}

static void test_in_several_segments_header_split(void)
{
	const struct buf b[6] = {
		{ HDR, 10, false }, { HDR + 0x40, 6, false },
		{ DATA, 512, true }, { DATA + 0x2000, 1024, true },
		{ DATA + 0x1000, 512, true }, { STATUS, 1, true },
	};
	struct virtio_blk_outhdr h = {
		.type = htole32(VIRTIO_BLK_T_IN), .sector = htole64(5),
	};
	u16 head;

	fresh();
	memcpy(mem.ram + HDR, &h, 10);
	memcpy(mem.ram + HDR + 0x40, (u8 *)&h + 10, 6);
	mem.ram[STATUS] = STATUS_UNSET;
	head = submit(b, 6);
	EXPECT(mem.ram[STATUS] == VIRTIO_BLK_S_OK, "status %u", mem.ram[STATUS]);
	EXPECT(!memcmp(mem.ram + DATA, disk.data + 5 * 512, 512), "seg 1");
	EXPECT(!memcmp(mem.ram + DATA + 0x2000, disk.data + 6 * 512, 1024),
	       "seg 2");
	EXPECT(!memcmp(mem.ram + DATA + 0x1000, disk.data + 8 * 512, 512),
	       "seg 3");
	expect_used(head, 2048 + 1);
}

static void test_status_is_last_byte_of_data_segment(void)
{
	const struct buf b[2] = { { HDR, 16, false }, { DATA, 513, true } };
	u16 head;

	fresh();
	put_hdr(HDR, VIRTIO_BLK_T_IN, 1);
	mem.ram[DATA + 512] = STATUS_UNSET;
	head = submit(b, 2);
	EXPECT(!memcmp(mem.ram + DATA, disk.data + 512, 512), "data differ");
	EXPECT(mem.ram[DATA + 512] == VIRTIO_BLK_S_OK, "status %u",
	       mem.ram[DATA + 512]);
	expect_used(head, 513);
}

static void test_out_writes(void)
{
	const struct buf b[4] = {
		{ HDR, 16, false }, { DATA, 512, false },
		{ DATA + 0x1000, 1024, false }, { STATUS, 1, true },
	};
	u8 before[DISK_SIZE];
	u16 head;

	fresh();
	memcpy(before, disk.data, DISK_SIZE);
	memset(mem.ram + DATA, 0x5a, 512);
	memset(mem.ram + DATA + 0x1000, 0xc3, 1024);
	put_hdr(HDR, VIRTIO_BLK_T_OUT, 10);
	mem.ram[STATUS] = STATUS_UNSET;
	head = submit(b, 4);
	EXPECT(mem.ram[STATUS] == VIRTIO_BLK_S_OK, "status %u", mem.ram[STATUS]);
	EXPECT(disk.writes == 1, "%u writes", disk.writes);
	memset(before + 10 * 512, 0x5a, 512);
	memset(before + 11 * 512, 0xc3, 1024);
	EXPECT(!memcmp(before, disk.data, DISK_SIZE), "disk differs");
	expect_used(head, 1);
}

static void test_flush_reaches_backend(void)
{
	u8 st;

	fresh();
	st = request(VIRTIO_BLK_T_FLUSH, 0, 0, false);
	EXPECT(st == VIRTIO_BLK_S_OK, "status %u", st);
	EXPECT(disk.flushes == 1, "%u flushes", disk.flushes);
	expect_used(0, 1);
	fresh_dev(&disk_ops_minimal, false);
	st = request(VIRTIO_BLK_T_FLUSH, 0, 0, false);
	EXPECT(st == VIRTIO_BLK_S_UNSUPP, "not offered: status %u", st);
}

static void test_get_id_serial(void)
{
	u8 st;

	fresh();
	memset(mem.ram + DATA, 0x11, 64);
	st = request(VIRTIO_BLK_T_GET_ID, 0, 20, true);
	EXPECT(st == VIRTIO_BLK_S_OK, "status %u", st);
	EXPECT(!memcmp(mem.ram + DATA, SERIAL, 20), "serial %.20s",
	       (char *)mem.ram + DATA);
	EXPECT(all(DATA + 20, 44, 0x11), "wrote past 20 bytes");
	expect_used(0, 21);
}

/* avail_event, which the device writes after the used ring (EVENT_IDX). */
static u16 avail_event(void)
{
	u16 v;

	memcpy(&v, mem.ram + USED + 4 + 8 * QSIZE, 2);
	return le16toh(v);
}

/*
 * With EVENT_IDX, a driver notifies only when its new avail index passes
 * avail_event: once the device has emptied the ring it must set that to
 * the next index it will pop, or the driver never notifies again (Linux
 * waited forever for its second request).
 */
static void test_event_idx_asks_for_the_next_notify(void)
{
	u8 st;

	fresh();
	wr(VIRTIO_MMIO_STATUS, 0);
	next_desc = avail_idx = used_seen = 0;
	bring_up_without(0);
	st = request(VIRTIO_BLK_T_GET_ID, 0, 20, true);
	EXPECT(st == VIRTIO_BLK_S_OK, "status %u", st);
	EXPECT(avail_event() == 1, "avail_event %u after one chain",
	       avail_event());
	st = request(VIRTIO_BLK_T_GET_ID, 0, 20, true);
	EXPECT(st == VIRTIO_BLK_S_OK, "status %u", st);
	EXPECT(avail_event() == 2, "avail_event %u after two chains",
	       avail_event());
}

static void test_get_id_short_buffer_truncates(void)
{
	u8 st;

	fresh();
	memset(mem.ram + DATA, 0x11, 64);
	st = request(VIRTIO_BLK_T_GET_ID, 0, 8, true);
	EXPECT(st == VIRTIO_BLK_S_OK, "status %u", st);
	EXPECT(!memcmp(mem.ram + DATA, SERIAL, 8), "serial");
	EXPECT(all(DATA + 8, 56, 0x11), "wrote past the buffer");
	expect_used(0, 9);
}

static void put_range(u32 gpa, u64 sector, u32 nr, u32 flags)
{
	struct virtio_blk_discard_write_zeroes r = {
		.sector = htole64(sector), .num_sectors = htole32(nr),
		.flags = htole32(flags),
	};

	memcpy(mem.ram + gpa, &r, sizeof(r));
}

static void test_read_only_refuses_writes(void)
{
	u8 st;

	fresh_dev(&disk_ops, true);
	memset(mem.ram + DATA, 0x5a, 512);
	st = request(VIRTIO_BLK_T_OUT, 0, 512, false);
	EXPECT(st == VIRTIO_BLK_S_IOERR, "OUT: status %u", st);
	put_range(DATA, 0, 4, 0);
	st = request(VIRTIO_BLK_T_DISCARD, 0, 16, false);
	EXPECT(st == VIRTIO_BLK_S_IOERR, "DISCARD: status %u", st);
	st = request(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false);
	EXPECT(st == VIRTIO_BLK_S_IOERR, "WRITE_ZEROES: status %u", st);
	EXPECT(!disk.writes && !disk.discards && !disk.zeroes,
	       "backend called: %u %u %u", disk.writes, disk.discards,
	       disk.zeroes);
	EXPECT(disk_untouched(), "disk written");
	EXPECT(used_idx() == 3, "used idx %u", used_idx());
	st = request(VIRTIO_BLK_T_IN, 0, 512, true);
	EXPECT(st == VIRTIO_BLK_S_OK, "IN: status %u", st);
}

static void test_out_of_range_sector(void)
{
	u8 st;

	fresh();
	memset(mem.ram + DATA, 0x11, 1024);
	st = request(VIRTIO_BLK_T_IN, SECTORS, 512, true);
	EXPECT(st == VIRTIO_BLK_S_IOERR, "IN at capacity: status %u", st);
	expect_used(0, 1);
	st = request(VIRTIO_BLK_T_IN, SECTORS - 1, 1024, true);
	EXPECT(st == VIRTIO_BLK_S_IOERR, "IN across the end: status %u", st);
	st = request(VIRTIO_BLK_T_OUT, SECTORS - 1, 1024, false);
	EXPECT(st == VIRTIO_BLK_S_IOERR, "OUT across the end: status %u", st);
	EXPECT(!disk.reads && !disk.writes, "backend called");
	EXPECT(all(DATA, 1024, 0x11), "guest buffer written");
	EXPECT(disk_untouched(), "disk written");
	st = request(VIRTIO_BLK_T_IN, SECTORS - 2, 1024, true);
	EXPECT(st == VIRTIO_BLK_S_OK, "IN up to the end: status %u", st);
}

static void test_sector_overflow(void)
{
	u8 st;

	fresh();
	memset(mem.ram + DATA, 0x11, 1024);
	st = request(VIRTIO_BLK_T_IN, ~0ull, 1024, true);
	EXPECT(st == VIRTIO_BLK_S_IOERR, "sector -1: status %u", st);
	st = request(VIRTIO_BLK_T_IN, 1ull << 55, 512, true);
	EXPECT(st == VIRTIO_BLK_S_IOERR, "sector 2^55: status %u", st);
	st = request(VIRTIO_BLK_T_OUT, ~0ull - 1, 1024, false);
	EXPECT(st == VIRTIO_BLK_S_IOERR, "OUT sector -2: status %u", st);
	put_range(DATA + 0x800, ~0ull, 2, 0);
	memcpy(mem.ram + DATA, mem.ram + DATA + 0x800, 16);
	st = request(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false);
	EXPECT(st == VIRTIO_BLK_S_IOERR, "WRITE_ZEROES -1: status %u", st);
	EXPECT(!disk.reads && !disk.writes && !disk.zeroes, "backend called");
	EXPECT(disk_untouched(), "disk written");
}

static void test_length_not_multiple_of_512(void)
{
	u8 st;

	fresh();
	memset(mem.ram + DATA, 0x11, 1024);
	st = request(VIRTIO_BLK_T_IN, 0, 500, true);
	EXPECT(st == VIRTIO_BLK_S_IOERR, "IN 500: status %u", st);
	expect_used(0, 1);
	st = request(VIRTIO_BLK_T_OUT, 0, 513, false);
	EXPECT(st == VIRTIO_BLK_S_IOERR, "OUT 513: status %u", st);
	EXPECT(!disk.reads && !disk.writes, "backend called");
	EXPECT(all(DATA, 500, 0x11), "guest buffer written");
	EXPECT(disk_untouched(), "disk written");
}

static void test_unknown_type_unsupp(void)
{
	u8 st;

	fresh();
	st = request(VIRTIO_BLK_T_SCSI_CMD, 0, 512, true);
	EXPECT(st == VIRTIO_BLK_S_UNSUPP, "SCSI_CMD: status %u", st);
	st = request(0x1234, 0, 0, false);
	EXPECT(st == VIRTIO_BLK_S_UNSUPP, "0x1234: status %u", st);
	EXPECT(!needs_reset(), "device needs reset");
}

static void test_discard_and_write_zeroes(void)
{
	u8 st;

	fresh();
	put_range(DATA, 4, 3, 0);
	st = request(VIRTIO_BLK_T_DISCARD, 0, 16, false);
	EXPECT(st == VIRTIO_BLK_S_OK, "discard: status %u", st);
	EXPECT(disk.discards == 1 && disk.last_pos == 4 * 512 &&
	       disk.last_len == 3 * 512, "discard %u at %llu, %llu bytes",
	       disk.discards, (unsigned long long)disk.last_pos,
	       (unsigned long long)disk.last_len);
	put_range(DATA, 4, 3, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	st = request(VIRTIO_BLK_T_DISCARD, 0, 16, false);
	EXPECT(st == VIRTIO_BLK_S_UNSUPP, "discard with unmap: status %u", st);
	st = request(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false);
	EXPECT(st == VIRTIO_BLK_S_OK, "write zeroes: status %u", st);
	EXPECT(disk.zeroes == 1 && disk.last_unmap, "write zeroes %u",
	       disk.zeroes);
	EXPECT(disk.data[4 * 512] == 0 &&
	       disk.data[7 * 512 - 1] == 0 && disk.data[7 * 512] != 0,
	       "disk not zeroed");
	put_range(DATA, SECTORS - 1, 2, 0);
	st = request(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false);
	EXPECT(st == VIRTIO_BLK_S_IOERR, "past the end: status %u", st);
	st = request(VIRTIO_BLK_T_DISCARD, 0, 32, false);
	EXPECT(st == VIRTIO_BLK_S_IOERR, "two ranges: status %u", st);
	EXPECT(disk.discards == 1 && disk.zeroes == 1, "backend called");
	fresh_dev(&disk_ops_minimal, false);
	put_range(DATA, 4, 3, 0);
	st = request(VIRTIO_BLK_T_DISCARD, 0, 16, false);
	EXPECT(st == VIRTIO_BLK_S_UNSUPP, "not offered: status %u", st);
}

static void test_header_too_short_ioerr(void)
{
	const struct buf b[3] = {
		{ HDR, 8, false }, { DATA, 512, true }, { STATUS, 1, true },
	};
	u16 head;

	fresh();
	put_hdr(HDR, VIRTIO_BLK_T_IN, 0);
	memset(mem.ram + DATA, 0x11, 512);
	mem.ram[STATUS] = STATUS_UNSET;
	head = submit(b, 3);
	EXPECT(mem.ram[STATUS] == VIRTIO_BLK_S_IOERR, "status %u",
	       mem.ram[STATUS]);
	EXPECT(!disk.reads && all(DATA, 512, 0x11), "data read");
	expect_used(head, 1);
	/* An unknown type in the 8 bytes read does not make it UNSUPP. */
	put_hdr(HDR, 0x1234, 0);
	mem.ram[STATUS] = STATUS_UNSET;
	head = submit(b, 3);
	EXPECT(mem.ram[STATUS] == VIRTIO_BLK_S_IOERR, "unknown type: status %u",
	       mem.ram[STATUS]);
	expect_used(head, 1);
	EXPECT(!needs_reset(), "device needs reset");
}

static void expect_broken(void)
{
	EXPECT(needs_reset(), "no DEVICE_NEEDS_RESET");
	EXPECT(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG,
	       "no configuration interrupt");
	EXPECT(used_idx() == 0, "used idx %u", used_idx());
	EXPECT(!disk.reads, "backend called");
	EXPECT(blk.vmmio.reason && strstr(blk.vmmio.reason, "status"),
	       "reason %s", blk.vmmio.reason);
}

static void test_missing_status_byte_breaks_queue(void)
{
	const struct buf b[1] = { { HDR, 16, false } };

	fresh();
	put_hdr(HDR, VIRTIO_BLK_T_FLUSH, 0);
	submit(b, 1);
	expect_broken();
	EXPECT(!disk.flushes, "flushed");
}

static void test_readable_status_breaks_queue(void)
{
	const struct buf b[3] = {
		{ HDR, 16, false }, { DATA, 512, false }, { STATUS, 1, false },
	};

	fresh();
	put_hdr(HDR, VIRTIO_BLK_T_IN, 0);
	mem.ram[STATUS] = STATUS_UNSET;
	submit(b, 3);
	expect_broken();
	EXPECT(mem.ram[STATUS] == STATUS_UNSET, "status written");
	/* A reset gives the device back. */
	wr(VIRTIO_MMIO_STATUS, 0);
	next_desc = avail_idx = used_seen = 0;
	memset(mem.ram + AVAIL, 0, 0x2000);
	bring_up();
	EXPECT(request(VIRTIO_BLK_T_IN, 0, 512, true) == VIRTIO_BLK_S_OK,
	       "after reset");
}

static void test_out_of_order_completions(void)
{
	const u32 st[3] = { STATUS, STATUS + 1, STATUS + 2 };
	u16 head[3];
	u32 id, len;

	fresh();
	disk.defer = true;
	for (unsigned int i = 0; i < 3; i++) {
		struct buf b[3] = {
			{ HDR + 16 * i, 16, false },
			{ DATA + 0x1000 * i, 512 * (i + 1), true },
			{ st[i], 1, true },
		};

		put_hdr(HDR + 16 * i, VIRTIO_BLK_T_IN, i);
		mem.ram[st[i]] = STATUS_UNSET;
		head[i] = submit(b, 3);
	}
	EXPECT(disk.nr_pending == 3, "%u pending", disk.nr_pending);
	EXPECT(used_idx() == 0 && !disk.irq, "completed early");

	tandem_vblk_complete(disk.pending[2], 0);
	EXPECT(used_idx() == 1 && disk.irq, "first completion");
	used_elem(0, &id, &len);
	EXPECT(id == head[2] && len == 3 * 512 + 1, "used 0 {%u, %u}", id, len);
	EXPECT(mem.ram[st[2]] == VIRTIO_BLK_S_OK &&
	       mem.ram[st[0]] == STATUS_UNSET && mem.ram[st[1]] == STATUS_UNSET,
	       "statuses");
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	EXPECT(!disk.irq, "line still high");

	tandem_vblk_complete(disk.pending[0], -EIO);
	used_elem(1, &id, &len);
	EXPECT(id == head[0] && len == 1, "used 1 {%u, %u}", id, len);
	EXPECT(mem.ram[st[0]] == VIRTIO_BLK_S_IOERR, "status %u",
	       mem.ram[st[0]]);
	EXPECT(disk.irq && disk.irq_raises == 2, "%u raises", disk.irq_raises);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);

	tandem_vblk_complete(disk.pending[1], 0);
	used_elem(2, &id, &len);
	EXPECT(id == head[1] && len == 2 * 512 + 1, "used 2 {%u, %u}", id, len);
	EXPECT(used_idx() == 3 && disk.irq_raises == 3, "idx %u, %u raises",
	       used_idx(), disk.irq_raises);
}

static void test_more_requests_than_slots(void)
{
	const unsigned int n = TANDEM_VBLK_MAX_REQS + 4;

	fresh();
	disk.defer = true;
	for (unsigned int i = 0; i < n; i++) {
		struct buf b[3] = {
			{ HDR + 16 * i, 16, false },
			{ DATA + 512 * i, 512, true }, { STATUS + i, 1, true },
		};

		put_hdr(HDR + 16 * i, VIRTIO_BLK_T_IN, i);
		submit(b, 3);
	}
	EXPECT(disk.nr_pending == TANDEM_VBLK_MAX_REQS, "%u taken",
	       disk.nr_pending);
	for (unsigned int i = 0; i < 4; i++)
		tandem_vblk_complete(disk.pending[i], 0);
	EXPECT(disk.nr_pending == n, "%u taken after 4 completions",
	       disk.nr_pending);
	for (unsigned int i = 4; i < disk.nr_pending; i++)
		tandem_vblk_complete(disk.pending[i], 0);
	EXPECT(used_idx() == n, "used idx %u", used_idx());
	EXPECT(!memcmp(mem.ram + DATA, disk.data, 512 * n), "data differ");
}

static void test_reset_drops_requests_in_flight(void)
{
	fresh();
	disk.defer = true;
	mem.ram[STATUS] = STATUS_UNSET;
	request(VIRTIO_BLK_T_IN, 0, 512, true);
	EXPECT(disk.nr_pending == 1, "%u pending", disk.nr_pending);
	wr(VIRTIO_MMIO_STATUS, 0);
	tandem_vblk_complete(disk.pending[0], 0);
	EXPECT(mem.ram[STATUS] == STATUS_UNSET, "status written after reset");
	EXPECT(used_idx() == 0 && !disk.irq, "pushed after reset");

	/* Completed once the driver set the device up again: dropped too. */
	next_desc = avail_idx = used_seen = 0;
	memset(mem.ram + AVAIL, 0, 0x2000);
	bring_up();
	request(VIRTIO_BLK_T_IN, 0, 512, true);
	EXPECT(disk.nr_pending == 2, "%u pending", disk.nr_pending);
	if (disk.nr_pending != 2)
		return;
	wr(VIRTIO_MMIO_STATUS, 0);
	next_desc = avail_idx = used_seen = 0;
	memset(mem.ram + AVAIL, 0, 0x2000);
	bring_up();
	mem.ram[STATUS] = STATUS_UNSET;
	tandem_vblk_complete(disk.pending[1], 0);
	EXPECT(mem.ram[STATUS] == STATUS_UNSET, "status written after setup");
	EXPECT(used_idx() == 0 && !disk.irq, "pushed onto the new ring");
}

static const struct tap_case cases[] = {
	T(test_config_space),
	T(test_features_offered),
	T(test_capacity_not_multiple_of_512_refused),
	T(test_in_one_segment),
	T(test_in_several_segments_header_split),
	T(test_status_is_last_byte_of_data_segment),
	T(test_out_writes),
	T(test_flush_reaches_backend),
	T(test_get_id_serial),
	T(test_event_idx_asks_for_the_next_notify),
	T(test_get_id_short_buffer_truncates),
	T(test_read_only_refuses_writes),
	T(test_out_of_range_sector),
	T(test_sector_overflow),
	T(test_length_not_multiple_of_512),
	T(test_unknown_type_unsupp),
	T(test_discard_and_write_zeroes),
	T(test_header_too_short_ioerr),
	T(test_missing_status_byte_breaks_queue),
	T(test_readable_status_breaks_queue),
	T(test_out_of_order_completions),
	T(test_more_requests_than_slots),
	T(test_reset_drops_requests_in_flight),
};

int main(void)
{
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]),
		       fake_ram_check) ? 1 : 0;
}
