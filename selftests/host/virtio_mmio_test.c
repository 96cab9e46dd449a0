// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the virtio-mmio transport, kmod-hv/virtio_mmio.c,
 * built as it is for userspace together with the virtqueue engine (kshim/
 * supplies the kernel headers they need). The test plays the guest driver
 * through tandem_vmmio_read()/tandem_vmmio_write(), and a fake backend that
 * records every callback: its arguments, and whether the device lock was
 * held. Guest RAM is 64 KiB between two guard areas (fake_ram.h); every
 * access outside it is counted and must not happen. Prints TAP; exits
 * non-zero when a case fails.
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
#include <linux/virtio_ring.h>

#include "tap.h"
#include "virtio_mmio.h"



/* Guest RAM ---------------------------------------------------------------- */

#define RAM_SIZE	0x10000u
#include "fake_ram.h"

/* The fake backend ---------------------------------------------------------- */

#define NR_QUEUES	2
#define QMAX		16
#define CONFIG_LEN	12
/* Bit 5 of virtio-blk: a device-specific feature the fake device offers. */
#define F_DEV		(1ull << 5)
#define F_VERSION_1	(1ull << VIRTIO_F_VERSION_1)
#define F_EVENT_IDX	(1ull << VIRTIO_RING_F_EVENT_IDX)
#define F_INDIRECT	(1ull << VIRTIO_RING_F_INDIRECT_DESC)
#define OFFERED		(F_DEV | F_EVENT_IDX | F_INDIRECT)

#define S_ACK		VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRIVER	VIRTIO_CONFIG_S_DRIVER
#define S_FEATURES_OK	VIRTIO_CONFIG_S_FEATURES_OK
#define S_DRIVER_OK	VIRTIO_CONFIG_S_DRIVER_OK
#define S_NEEDS_RESET	VIRTIO_CONFIG_S_NEEDS_RESET

/* Queue q's rings in guest RAM. */
#define DESC(q)		(0x1000u + 0x1000u * (q))
#define AVAIL(q)	(0x4000u + 0x1000u * (q))
#define USED(q)		(0x7000u + 0x1000u * (q))

static struct {
	u8 config[CONFIG_LEN];
	unsigned int notifies[NR_QUEUES], notify_locked;
	unsigned int resets, reset_unlocked, update_unlocked;
	unsigned int irq_calls, irq_unlocked;
	bool irq;
	unsigned int config_reads, config_writes;
	u32 last_offset;
	int last_size;
	bool refuse_features;
	unsigned int features_ok_calls;
	u64 features_ok_arg;
} fake;

static struct tandem_vmmio dev;

static void fake_config_read(struct tandem_vmmio *d, u32 offset, int size,
			     u32 *val)
{
	EXPECT(d == &dev && kshim_locked(&d->lock), "config read unlocked");
	fake.config_reads++;
	fake.last_offset = offset;
	fake.last_size = size;
	*val = 0;
	memcpy(val, fake.config + offset, size);
	*val = le32toh(*val);
}

static void fake_config_write(struct tandem_vmmio *d, u32 offset, int size,
			      u32 val)
{
	EXPECT(d == &dev && kshim_locked(&d->lock), "config write unlocked");
	fake.config_writes++;
	fake.last_offset = offset;
	fake.last_size = size;
	val = htole32(val);
	memcpy(fake.config + offset, &val, size);
}

static bool fake_features_ok(struct tandem_vmmio *d, u64 features)
{
	EXPECT(d == &dev, "another device");
	fake.features_ok_calls++;
	fake.features_ok_arg = features;
	return !fake.refuse_features;
}

static void fake_queue_notify(struct tandem_vmmio *d, unsigned int q)
{
	if (kshim_locked(&d->lock))
		fake.notify_locked++;
	if (q < NR_QUEUES)
		fake.notifies[q]++;
}

static void fake_reset(struct tandem_vmmio *d)
{
	if (!kshim_locked(&d->lock))
		fake.reset_unlocked++;
	fake.resets++;
}

static void fake_set_irq(struct tandem_vmmio *d, bool level)
{
	if (!kshim_locked(&d->lock))
		fake.irq_unlocked++;
	fake.irq_calls++;
	fake.irq = level;
}

static const struct tandem_vmmio_ops fake_ops = {
	.config_read = fake_config_read,
	.config_write = fake_config_write,
	.features_ok = fake_features_ok,
	.queue_notify = fake_queue_notify,
	.reset = fake_reset,
	.set_irq = fake_set_irq,
};

static const u32 num_max[NR_QUEUES] = { QMAX, QMAX / 2 };

/* The guest driver's side --------------------------------------------------- */

#define VMMIO_DEV	(&dev)
#include "vmmio_driver.h"

static void fresh(void)
{
	int err;

	fake_ram_reset();
	memset(&fake, 0, sizeof(fake));
	for (unsigned int i = 0; i < CONFIG_LEN; i++)
		fake.config[i] = 0x10 + i;
	err = tandem_vmmio_init(&dev, &fake_ops, &fake, &mem, VIRTIO_ID_BLOCK,
				OFFERED, CONFIG_LEN, NR_QUEUES, num_max);
	EXPECT(!err, "init: %d", err);
}

static void write_features(u64 f)
{
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (u32)f);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (u32)(f >> 32));
}

/* ACKNOWLEDGE, DRIVER, features, FEATURES_OK: the status read back. */
static u32 negotiate(u64 f)
{
	wr(VIRTIO_MMIO_STATUS, S_ACK);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER);
	write_features(f);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	return rd(VIRTIO_MMIO_STATUS);
}

static void write_queue(unsigned int q, u32 num, u64 desc, u64 avail,
			u64 used)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (u32)desc);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (u32)(desc >> 32));
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (u32)avail);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (u32)(avail >> 32));
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (u32)used);
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, (u32)(used >> 32));
}

/* Set queue q up with size @num and make it ready: QueueReady read back. */
static u32 setup_queue(unsigned int q, u32 num)
{
	write_queue(q, num, DESC(q), AVAIL(q), USED(q));
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	return rd(VIRTIO_MMIO_QUEUE_READY);
}

/* The whole initialization (3.1.1) with features @f and both queues. */
static void bring_up(u64 f)
{
	u32 st = negotiate(f);

	EXPECT(st & S_FEATURES_OK, "status %#x", st);
	EXPECT(setup_queue(0, QMAX) == 1, "queue 0 not ready");
	EXPECT(setup_queue(1, QMAX / 2) == 1, "queue 1 not ready");
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	st = rd(VIRTIO_MMIO_STATUS);
	EXPECT(st == (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK),
	       "status %#x", st);
}

/*
 * Make one one-descriptor chain available on queue @q, and let the device
 * pop it (with descriptor @head: an index >= size breaks the queue).
 */
static int guest_offer_and_pop(unsigned int q, u16 head)
{
	struct vring_desc d = {
		.addr = htole64(0xa000), .len = htole32(64),
		.flags = htole16(VRING_DESC_F_WRITE),
	};
	struct tandem_vq_chain chain;
	struct tandem_vq_seg seg[4];

	memcpy(mem.ram + DESC(q), &d, sizeof(d));
	put16(AVAIL(q) + 4, head);
	put16(AVAIL(q) + 2, 1);
	return tandem_vq_pop(&dev.queues[q].vq, seg, 4, &chain);
}

/* Cases -------------------------------------------------------------------- */

static void test_identification_registers(void)
{
	u32 v;

	fresh();
	v = rd(VIRTIO_MMIO_MAGIC_VALUE);
	EXPECT(v == 0x74726976, "magic %#x", v);
	v = rd(VIRTIO_MMIO_VERSION);
	EXPECT(v == 2, "version %u", v);
	v = rd(VIRTIO_MMIO_DEVICE_ID);
	EXPECT(v == VIRTIO_ID_BLOCK, "device id %u", v);
	v = rd(VIRTIO_MMIO_VENDOR_ID);
	EXPECT(v == TANDEM_VMMIO_VENDOR_ID, "vendor id %#x", v);
	v = rd(VIRTIO_MMIO_STATUS);
	EXPECT(v == 0, "status %#x after init", v);
	v = rd(VIRTIO_MMIO_SHM_LEN_LOW) & rd(VIRTIO_MMIO_SHM_LEN_HIGH);
	EXPECT(v == ~0u, "shared memory length %#x, want -1 (none)", v);
}

static void test_read_only_and_write_only_registers(void)
{
	u32 v;

	fresh();
	wr(VIRTIO_MMIO_MAGIC_VALUE, 0);
	wr(VIRTIO_MMIO_DEVICE_ID, 7);
	wr(VIRTIO_MMIO_QUEUE_NUM_MAX, 1);
	wr(VIRTIO_MMIO_INTERRUPT_STATUS, 3);
	wr(VIRTIO_MMIO_CONFIG_GENERATION, 9);
	EXPECT(rd(VIRTIO_MMIO_MAGIC_VALUE) == 0x74726976, "magic written");
	EXPECT(rd(VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_BLOCK, "id written");
	EXPECT(rd(VIRTIO_MMIO_QUEUE_NUM_MAX) == QMAX, "num max written");
	EXPECT(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == 0, "isr written");
	EXPECT(rd(VIRTIO_MMIO_CONFIG_GENERATION) == 0, "generation written");
	EXPECT(!fake.irq_calls, "%u irq changes", fake.irq_calls);

	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	v = rd(VIRTIO_MMIO_DEVICE_FEATURES_SEL) | rd(VIRTIO_MMIO_QUEUE_NUM) |
	    rd(VIRTIO_MMIO_QUEUE_NOTIFY) | rd(VIRTIO_MMIO_INTERRUPT_ACK) |
	    rd(VIRTIO_MMIO_QUEUE_DESC_LOW) | rd(VIRTIO_MMIO_DRIVER_FEATURES);
	EXPECT(v == 0, "write-only registers read %#x", v);
}

static void test_device_features_window(void)
{
	u32 lo, hi, other;

	fresh();
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	lo = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	hi = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	other = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	EXPECT(lo == (u32)OFFERED, "window 0 %#x", lo);
	EXPECT(hi == (u32)(F_VERSION_1 >> 32), "window 1 %#x", hi);
	EXPECT(other == 0, "window 2 %#x", other);
}

static void test_init_sequence(void)
{
	struct tandem_vq *vq;
	u64 f = F_VERSION_1 | F_EVENT_IDX | F_DEV;

	fresh();
	bring_up(f);
	EXPECT(fake.features_ok_calls == 1 && fake.features_ok_arg == f,
	       "features_ok: %u calls, %#llx", fake.features_ok_calls,
	       (unsigned long long)fake.features_ok_arg);
	EXPECT(dev.driver_features == f, "driver features %#llx",
	       (unsigned long long)dev.driver_features);
	vq = &dev.queues[0].vq;
	EXPECT(vq->size == QMAX && vq->desc == DESC(0) &&
	       vq->avail == AVAIL(0) && vq->used == USED(0),
	       "queue 0 layout %u %#llx %#llx %#llx", vq->size,
	       (unsigned long long)vq->desc, (unsigned long long)vq->avail,
	       (unsigned long long)vq->used);
	EXPECT(vq->event_idx && !vq->indirect, "ring features %d %d",
	       vq->event_idx, vq->indirect);
	EXPECT(dev.queues[1].vq.size == QMAX / 2, "queue 1 size %u",
	       dev.queues[1].vq.size);
	EXPECT(!fake.irq_calls && !fake.resets, "irq %u resets %u",
	       fake.irq_calls, fake.resets);
}

static void test_queue_addresses_take_both_halves(void)
{
	fresh();
	negotiate(F_VERSION_1);
	write_queue(0, 4, 0x123456789000ull, 0xabcdef001000ull, 2);
	EXPECT(dev.queues[0].desc == 0x123456789000ull &&
	       dev.queues[0].driver == 0xabcdef001000ull &&
	       dev.queues[0].device == 2, "addresses %#llx %#llx %#llx",
	       (unsigned long long)dev.queues[0].desc,
	       (unsigned long long)dev.queues[0].driver,
	       (unsigned long long)dev.queues[0].device);
}

static void test_features_ok_refused_for_unoffered_feature(void)
{
	u32 st;

	fresh();
	st = negotiate(F_VERSION_1 | (1ull << 6));
	EXPECT(st == (S_ACK | S_DRIVER), "status %#x", st);
	EXPECT(!fake.features_ok_calls, "backend asked");
	/* Nor may it take DRIVER_OK, nor a queue. */
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_DRIVER_OK);
	st = rd(VIRTIO_MMIO_STATUS);
	EXPECT(st == (S_ACK | S_DRIVER), "status %#x after DRIVER_OK", st);
	EXPECT(setup_queue(0, QMAX) == 0, "queue ready without FEATURES_OK");
}

static void test_features_ok_refused_without_version_1(void)
{
	u32 st;

	fresh();
	st = negotiate(F_DEV);
	EXPECT(st == (S_ACK | S_DRIVER), "status %#x", st);
	/* The driver may try again with a corrected set. */
	write_features(F_DEV | F_VERSION_1);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	st = rd(VIRTIO_MMIO_STATUS);
	EXPECT(st == (S_ACK | S_DRIVER | S_FEATURES_OK), "retry: status %#x",
	       st);
}

static void test_features_ok_refused_by_backend(void)
{
	u32 st;

	fresh();
	fake.refuse_features = true;
	st = negotiate(F_VERSION_1);
	EXPECT(st == (S_ACK | S_DRIVER), "status %#x", st);
	EXPECT(fake.features_ok_calls == 1, "%u calls", fake.features_ok_calls);
}

static void test_driver_features_fixed_after_features_ok(void)
{
	fresh();
	negotiate(F_VERSION_1);
	write_features(F_VERSION_1 | F_DEV);
	EXPECT(dev.driver_features == F_VERSION_1, "features %#llx",
	       (unsigned long long)dev.driver_features);
	/* Windows other than 0 and 1 never take bits. */
	fresh();
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, ~0u);
	EXPECT(dev.driver_features == 0, "features %#llx",
	       (unsigned long long)dev.driver_features);
}

static void test_status_bits_only_cleared_by_reset(void)
{
	u32 st;

	fresh();
	negotiate(F_VERSION_1);
	wr(VIRTIO_MMIO_STATUS, S_ACK);
	st = rd(VIRTIO_MMIO_STATUS);
	EXPECT(st == (S_ACK | S_DRIVER | S_FEATURES_OK), "status %#x", st);
	/* The driver cannot set DEVICE_NEEDS_RESET. */
	wr(VIRTIO_MMIO_STATUS, st | S_NEEDS_RESET);
	st = rd(VIRTIO_MMIO_STATUS);
	EXPECT(!(st & S_NEEDS_RESET), "status %#x", st);
	EXPECT(!fake.resets, "reset called");
}

static void test_features_ok_needs_driver(void)
{
	u32 st;

	fresh();
	write_features(F_VERSION_1);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_FEATURES_OK);
	st = rd(VIRTIO_MMIO_STATUS);
	EXPECT(st == S_ACK, "FEATURES_OK without DRIVER: status %#x", st);
	/* DRIVER and FEATURES_OK in one write: both taken. */
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	st = rd(VIRTIO_MMIO_STATUS);
	EXPECT(st == (S_ACK | S_DRIVER | S_FEATURES_OK), "status %#x", st);
}

static void test_queue_registers_ignored_once_ready(void)
{
	struct tandem_vmmio_queue *q = &dev.queues[0];

	fresh();
	negotiate(F_VERSION_1);
	EXPECT(setup_queue(0, QMAX) == 1, "not ready");
	write_queue(0, 4, 0x8000, 0x9000, 0xa000);
	EXPECT(q->num == QMAX && q->desc == DESC(0) && q->driver == AVAIL(0) &&
	       q->device == USED(0), "registers changed: %u %#llx", q->num,
	       (unsigned long long)q->desc);
	EXPECT(q->vq.size == QMAX && q->vq.desc == DESC(0), "ring changed");
	/* Queue 1, not ready, is fixed as well once DRIVER_OK is set. */
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	write_queue(1, 4, 0x8000, 0x9000, 0xa000);
	EXPECT(!dev.queues[1].num && !dev.queues[1].desc,
	       "queue 1 written after DRIVER_OK");
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	EXPECT(!rd(VIRTIO_MMIO_QUEUE_READY), "queue 1 ready after DRIVER_OK");
	/* Nor does QueueReady = 0 take queue 0 away after DRIVER_OK. */
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	EXPECT(rd(VIRTIO_MMIO_QUEUE_READY) == 1, "queue 0 unready");
}

static void test_queue_ready_zero_before_driver_ok(void)
{
	fresh();
	negotiate(F_VERSION_1);
	EXPECT(setup_queue(0, QMAX) == 1, "not ready");
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	EXPECT(rd(VIRTIO_MMIO_QUEUE_READY) == 0, "still ready");
	write_queue(0, 4, DESC(1), AVAIL(1), USED(1));
	EXPECT(dev.queues[0].num == 4 && dev.queues[0].desc == DESC(1),
	       "registers not writable again");
}

static void test_nonexistent_queue(void)
{
	u32 v;

	fresh();
	negotiate(F_VERSION_1);
	wr(VIRTIO_MMIO_QUEUE_SEL, NR_QUEUES);
	v = rd(VIRTIO_MMIO_QUEUE_NUM_MAX);
	EXPECT(v == 0, "num max %u", v);
	EXPECT(setup_queue(NR_QUEUES, 4) == 0, "nonexistent queue ready");
	wr(VIRTIO_MMIO_QUEUE_SEL, 1000);
	EXPECT(rd(VIRTIO_MMIO_QUEUE_NUM_MAX) == 0, "num max of queue 1000");
	EXPECT(setup_queue(1000, 4) == 0, "queue 1000 ready");
	v = rd(VIRTIO_MMIO_STATUS);
	EXPECT(v == (S_ACK | S_DRIVER | S_FEATURES_OK), "status %#x", v);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	v = rd(VIRTIO_MMIO_QUEUE_NUM_MAX);
	EXPECT(v == QMAX / 2, "queue 1 num max %u", v);
}

/* A refused layout: not ready, NEEDS_RESET, interrupt only at DRIVER_OK. */
static void expect_queue_refused(u32 num, u64 desc, const char *why)
{
	u32 st;

	fresh();
	negotiate(F_VERSION_1);
	write_queue(0, num, desc, AVAIL(0), USED(0));
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	EXPECT(rd(VIRTIO_MMIO_QUEUE_READY) == 0, "%s: queue ready", why);
	st = rd(VIRTIO_MMIO_STATUS);
	EXPECT(st == (S_ACK | S_DRIVER | S_FEATURES_OK | S_NEEDS_RESET),
	       "%s: status %#x", why, st);
	EXPECT(dev.reason, "%s: no reason", why);
	EXPECT(!fake.irq && !rd(VIRTIO_MMIO_INTERRUPT_STATUS),
	       "%s: interrupt before DRIVER_OK", why);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	st = rd(VIRTIO_MMIO_STATUS);
	EXPECT(st & S_NEEDS_RESET, "%s: status %#x", why, st);
	EXPECT(fake.irq && rd(VIRTIO_MMIO_INTERRUPT_STATUS) ==
	       VIRTIO_MMIO_INT_CONFIG, "%s: no config interrupt", why);
}

static void test_queue_setup_refused(void)
{
	expect_queue_refused(3, DESC(0), "size 3");
	expect_queue_refused(0, DESC(0), "size 0");
	expect_queue_refused(QMAX * 2, DESC(0), "size above QueueNumMax");
	EXPECT(dev.reason && !strcmp(dev.reason, "queue size above QueueNumMax"),
	       "reason %s", dev.reason);
	expect_queue_refused(QMAX, DESC(0) + 8, "misaligned ring");
	expect_queue_refused(QMAX, RAM_SIZE, "ring outside RAM");
}

static void test_notify_before_driver_ok_ignored(void)
{
	fresh();
	negotiate(F_VERSION_1);
	setup_queue(0, QMAX);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	EXPECT(!fake.notifies[0], "%u notifies", fake.notifies[0]);
}

static void test_notify_reaches_device(void)
{
	fresh();
	bring_up(F_VERSION_1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	EXPECT(fake.notifies[0] == 1 && fake.notifies[1] == 2,
	       "notifies %u %u", fake.notifies[0], fake.notifies[1]);
	EXPECT(!fake.notify_locked, "notify called under the device lock");
	/* Nonexistent queue, and a 16-bit write: dropped. */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, NR_QUEUES);
	tandem_vmmio_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 2, 0);
	EXPECT(fake.notifies[0] == 1 && fake.notifies[1] == 2,
	       "notifies %u %u", fake.notifies[0], fake.notifies[1]);
}

static void test_notify_for_queue_not_ready_ignored(void)
{
	fresh();
	negotiate(F_VERSION_1);
	setup_queue(0, QMAX);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	EXPECT(!fake.notifies[1], "%u notifies", fake.notifies[1]);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	EXPECT(fake.notifies[0] == 1, "%u notifies", fake.notifies[0]);
}

static void test_used_interrupt_raise_and_ack(void)
{
	struct tandem_vq_used u = { .id = 0, .len = 64 };
	u32 isr;

	fresh();
	bring_up(F_VERSION_1);
	EXPECT(guest_offer_and_pop(0, 0) == 1, "pop");
	EXPECT(!tandem_vq_push(&dev.queues[0].vq, &u, 1), "push");
	tandem_vmmio_signal_used(&dev, 0);
	isr = rd(VIRTIO_MMIO_INTERRUPT_STATUS);
	EXPECT(isr == VIRTIO_MMIO_INT_VRING, "isr %#x", isr);
	EXPECT(fake.irq && fake.irq_calls == 1, "line %d after %u changes",
	       fake.irq, fake.irq_calls);
	/* Acking another bit leaves it, acking it lowers the line. */
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	EXPECT(fake.irq && rd(VIRTIO_MMIO_INTERRUPT_STATUS) == isr,
	       "wrong bit acked");
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	EXPECT(!fake.irq && fake.irq_calls == 2, "line %d after %u changes",
	       fake.irq, fake.irq_calls);
	EXPECT(!rd(VIRTIO_MMIO_INTERRUPT_STATUS), "isr not cleared");
	EXPECT(!fake.irq_unlocked, "set_irq called without the lock");
	/* Nothing new pushed: no interrupt. */
	tandem_vmmio_signal_used(&dev, 0);
	EXPECT(!fake.irq, "interrupt with nothing pushed");
}

static void test_used_interrupt_suppressed_by_driver(void)
{
	struct tandem_vq_used u = { .id = 0, .len = 64 };

	fresh();
	bring_up(F_VERSION_1);
	put16(AVAIL(0), VRING_AVAIL_F_NO_INTERRUPT);
	EXPECT(guest_offer_and_pop(0, 0) == 1, "pop");
	EXPECT(!tandem_vq_push(&dev.queues[0].vq, &u, 1), "push");
	tandem_vmmio_signal_used(&dev, 0);
	EXPECT(!fake.irq && !rd(VIRTIO_MMIO_INTERRUPT_STATUS),
	       "interrupt the driver suppressed");
}

static void test_both_interrupts_need_both_acks(void)
{
	struct tandem_vq_used u = { .id = 0, .len = 64 };

	fresh();
	bring_up(F_VERSION_1);
	guest_offer_and_pop(0, 0);
	tandem_vq_push(&dev.queues[0].vq, &u, 1);
	tandem_vmmio_signal_used(&dev, 0);
	tandem_vmmio_queue_broken(&dev, 1);
	EXPECT(rd(VIRTIO_MMIO_INTERRUPT_STATUS) ==
	       (VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG), "isr %#x",
	       rd(VIRTIO_MMIO_INTERRUPT_STATUS));
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	EXPECT(fake.irq, "line lowered with a bit left");
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	EXPECT(!fake.irq, "line still high");
}

static void test_reset_clears_everything(void)
{
	struct tandem_vq_used u = { .id = 0, .len = 64 };
	unsigned int q;

	fresh();
	bring_up(F_VERSION_1 | F_EVENT_IDX);
	guest_offer_and_pop(0, 0);
	tandem_vq_push(&dev.queues[0].vq, &u, 1);
	put16(AVAIL(0) + 4 + 2 * QMAX, 0);	/* used_event: interrupt */
	tandem_vmmio_signal_used(&dev, 0);
	EXPECT(fake.irq, "no interrupt before reset");
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_STATUS, 0);

	EXPECT(fake.resets == 1 && !fake.reset_unlocked,
	       "ops->reset: %u calls, %u without the lock", fake.resets,
	       fake.reset_unlocked);
	EXPECT(rd(VIRTIO_MMIO_STATUS) == 0, "status");
	EXPECT(!fake.irq && !rd(VIRTIO_MMIO_INTERRUPT_STATUS), "interrupt");
	EXPECT(dev.driver_features == 0, "driver features");
	EXPECT(dev.queue_sel == 0 && dev.device_features_sel == 0, "selectors");
	for (q = 0; q < NR_QUEUES; q++) {
		struct tandem_vmmio_queue *vq = &dev.queues[q];

		EXPECT(!vq->ready && !vq->num && !vq->desc && !vq->driver &&
		       !vq->device, "queue %u registers", q);
		EXPECT(!vq->vq.last_avail_idx && !vq->vq.used_idx,
		       "queue %u ring indices", q);
	}
	EXPECT(!rd(VIRTIO_MMIO_QUEUE_READY), "queue 0 reads ready");
	/* No more notifications, and the device initializes again. */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	EXPECT(fake.notifies[0] == 0, "notify after reset");
	bring_up(F_VERSION_1);
	EXPECT(!dev.queues[0].vq.event_idx, "EVENT_IDX kept across reset");
}

static void test_broken_queue_needs_reset(void)
{
	u32 st;
	int err;

	fresh();
	bring_up(F_VERSION_1);
	err = guest_offer_and_pop(1, QMAX);	/* head out of range */
	EXPECT(err < 0 && dev.queues[1].vq.broken, "pop %d", err);
	tandem_vmmio_queue_broken(&dev, 1);
	st = rd(VIRTIO_MMIO_STATUS);
	EXPECT(st & S_NEEDS_RESET, "status %#x", st);
	EXPECT(st & S_DRIVER_OK, "status %#x", st);
	EXPECT(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_CONFIG &&
	       fake.irq, "isr %#x line %d", rd(VIRTIO_MMIO_INTERRUPT_STATUS),
	       fake.irq);
	EXPECT(dev.reason && !strcmp(dev.reason, "head index out of range"),
	       "reason %s", dev.reason);
	/* The device is dead until reset: notifications stop. */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	EXPECT(!fake.notifies[0], "notify on a device needing reset");
	wr(VIRTIO_MMIO_STATUS, 0);
	EXPECT(rd(VIRTIO_MMIO_STATUS) == 0 && !dev.reason && !fake.irq,
	       "not reset");
	bring_up(F_VERSION_1);
	EXPECT(!dev.queues[1].vq.broken, "queue 1 still broken");
}

static void test_signal_used_on_broken_queue_needs_reset(void)
{
	fresh();
	bring_up(F_VERSION_1);
	guest_offer_and_pop(0, QMAX + 3);
	tandem_vmmio_signal_used(&dev, 0);
	EXPECT(rd(VIRTIO_MMIO_STATUS) & S_NEEDS_RESET, "status %#x",
	       rd(VIRTIO_MMIO_STATUS));
	EXPECT(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_CONFIG,
	       "isr %#x", rd(VIRTIO_MMIO_INTERRUPT_STATUS));
}

static void test_narrow_register_access_dropped(void)
{
	u32 v;

	fresh();
	v = 0x5555;
	tandem_vmmio_read(&dev, VIRTIO_MMIO_MAGIC_VALUE, 1, &v);
	EXPECT(v == 0, "8-bit read %#x", v);
	v = 0x5555;
	tandem_vmmio_read(&dev, VIRTIO_MMIO_MAGIC_VALUE, 2, &v);
	EXPECT(v == 0, "16-bit read %#x", v);
	v = 0x5555;
	tandem_vmmio_read(&dev, VIRTIO_MMIO_MAGIC_VALUE, 8, &v);
	EXPECT(v == 0, "64-bit read %#x", v);
	v = 0x5555;
	tandem_vmmio_read(&dev, VIRTIO_MMIO_MAGIC_VALUE + 1, 4, &v);
	EXPECT(v == 0, "misaligned read %#x", v);
	tandem_vmmio_write(&dev, VIRTIO_MMIO_STATUS, 1, S_ACK);
	tandem_vmmio_write(&dev, VIRTIO_MMIO_STATUS, 2, S_ACK);
	tandem_vmmio_write(&dev, VIRTIO_MMIO_STATUS + 2, 4, S_ACK);
	EXPECT(rd(VIRTIO_MMIO_STATUS) == 0, "status %#x",
	       rd(VIRTIO_MMIO_STATUS));
	EXPECT(!fake.config_reads && !fake.config_writes, "config touched");
}

static void test_config_access_goes_to_device(void)
{
	u32 v;

	fresh();
	tandem_vmmio_read(&dev, VIRTIO_MMIO_CONFIG + 1, 1, &v);
	EXPECT(v == 0x11 && fake.last_offset == 1 && fake.last_size == 1,
	       "8-bit: %#x at %u size %d", v, fake.last_offset, fake.last_size);
	tandem_vmmio_read(&dev, VIRTIO_MMIO_CONFIG + 2, 2, &v);
	EXPECT(v == 0x1312 && fake.last_offset == 2 && fake.last_size == 2,
	       "16-bit: %#x at %u size %d", v, fake.last_offset,
	       fake.last_size);
	tandem_vmmio_read(&dev, VIRTIO_MMIO_CONFIG + 8, 4, &v);
	EXPECT(v == 0x1b1a1918 && fake.last_offset == 8 && fake.last_size == 4,
	       "32-bit: %#x at %u size %d", v, fake.last_offset,
	       fake.last_size);
	tandem_vmmio_write(&dev, VIRTIO_MMIO_CONFIG + 4, 2, 0xbeef);
	EXPECT(fake.config_writes == 1 && fake.config[4] == 0xef &&
	       fake.config[5] == 0xbe, "write: %u", fake.config_writes);
	EXPECT(fake.config_reads == 3, "%u reads", fake.config_reads);

	/* Beyond the space, or a size the space does not take: dropped. */
	v = 0x5555;
	tandem_vmmio_read(&dev, VIRTIO_MMIO_CONFIG + CONFIG_LEN - 2, 4, &v);
	EXPECT(v == 0, "read across the end: %#x", v);
	tandem_vmmio_read(&dev, VIRTIO_MMIO_CONFIG + 0xfc, 4, &v);
	tandem_vmmio_read(&dev, VIRTIO_MMIO_CONFIG, 8, &v);
	tandem_vmmio_read(&dev, VIRTIO_MMIO_CONFIG, 3, &v);
	tandem_vmmio_write(&dev, VIRTIO_MMIO_CONFIG + CONFIG_LEN, 1, 0);
	EXPECT(fake.config_reads == 3 && fake.config_writes == 1,
	       "%u reads %u writes", fake.config_reads, fake.config_writes);
}

static void change_config(struct tandem_vmmio *d, void *arg)
{
	if (!kshim_locked(&d->lock))
		fake.update_unlocked++;
	fake.config[0] = *(u8 *)arg;
}

static void test_config_generation_changes_with_config(void)
{
	u8 val = 0x77;
	u32 g0, g1;

	fresh();
	g0 = rd(VIRTIO_MMIO_CONFIG_GENERATION);
	tandem_vmmio_config_update(&dev, change_config, &val);
	g1 = rd(VIRTIO_MMIO_CONFIG_GENERATION);
	EXPECT(g1 != g0, "generation %u -> %u", g0, g1);
	EXPECT(fake.config[0] == 0x77 && !fake.update_unlocked,
	       "update not run under the lock");
	EXPECT(!fake.irq, "config interrupt before DRIVER_OK");

	bring_up(F_VERSION_1);
	tandem_vmmio_config_update(&dev, change_config, &val);
	EXPECT(rd(VIRTIO_MMIO_CONFIG_GENERATION) != g1, "generation %u",
	       rd(VIRTIO_MMIO_CONFIG_GENERATION));
	EXPECT(fake.irq && rd(VIRTIO_MMIO_INTERRUPT_STATUS) ==
	       VIRTIO_MMIO_INT_CONFIG, "no config interrupt");
}

static void test_init_rejects_bad_parameters(void)
{
	static const u32 bad_max[NR_QUEUES] = { QMAX, 12 };
	struct tandem_vmmio d;
	struct tandem_vmmio_ops no_irq = fake_ops;

	no_irq.set_irq = NULL;
	EXPECT(tandem_vmmio_init(&d, &fake_ops, NULL, &mem, 2, 0, 0,
				 NR_QUEUES, bad_max) == -EINVAL, "num max 12");
	EXPECT(tandem_vmmio_init(&d, &fake_ops, NULL, &mem, 2, 0, 0x101,
				 NR_QUEUES, num_max) == -EINVAL, "config len");
	EXPECT(tandem_vmmio_init(&d, &fake_ops, NULL, &mem, 2, 0, 0,
				 TANDEM_VMMIO_MAX_QUEUES + 1, num_max) == -EINVAL,
	       "queues");
	EXPECT(tandem_vmmio_init(&d, &fake_ops, NULL, &mem, 0, 0, 0,
				 NR_QUEUES, num_max) == -EINVAL, "device id 0");
	EXPECT(tandem_vmmio_init(&d, &no_irq, NULL, &mem, 2, 0, 0,
				 NR_QUEUES, num_max) == -EINVAL, "no set_irq");
	EXPECT(tandem_vmmio_init(&d, &fake_ops, NULL, &mem, 2,
				 1ull << VIRTIO_F_RING_RESET, 0, NR_QUEUES,
				 num_max) == -EINVAL, "RING_RESET offered");
	EXPECT(tandem_vmmio_init(&d, &fake_ops, NULL, &mem, 2, 0, 0,
				 NR_QUEUES, num_max) == 0, "good parameters");
}

/* Runner ------------------------------------------------------------------- */

#define CASE(fn) { #fn + 5, fn }

static const struct tap_case cases[] = {
	CASE(test_identification_registers),
	CASE(test_read_only_and_write_only_registers),
	CASE(test_device_features_window),
	CASE(test_init_sequence),
	CASE(test_queue_addresses_take_both_halves),
	CASE(test_features_ok_refused_for_unoffered_feature),
	CASE(test_features_ok_refused_without_version_1),
	CASE(test_features_ok_refused_by_backend),
	CASE(test_driver_features_fixed_after_features_ok),
	CASE(test_status_bits_only_cleared_by_reset),
	CASE(test_features_ok_needs_driver),
	CASE(test_queue_registers_ignored_once_ready),
	CASE(test_queue_ready_zero_before_driver_ok),
	CASE(test_nonexistent_queue),
	CASE(test_queue_setup_refused),
	CASE(test_notify_before_driver_ok_ignored),
	CASE(test_notify_reaches_device),
	CASE(test_notify_for_queue_not_ready_ignored),
	CASE(test_used_interrupt_raise_and_ack),
	CASE(test_used_interrupt_suppressed_by_driver),
	CASE(test_both_interrupts_need_both_acks),
	CASE(test_reset_clears_everything),
	CASE(test_broken_queue_needs_reset),
	CASE(test_signal_used_on_broken_queue_needs_reset),
	CASE(test_narrow_register_access_dropped),
	CASE(test_config_access_goes_to_device),
	CASE(test_config_generation_changes_with_config),
	CASE(test_init_rejects_bad_parameters),
};

int main(void)
{
	fake_ram_reset();
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]),
		       fake_ram_check) ? 1 : 0;
}
