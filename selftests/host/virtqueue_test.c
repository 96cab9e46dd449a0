// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the split-virtqueue engine, kmod-hv/virtqueue.c, built
 * as it is for userspace (kshim/ supplies the few kernel headers it needs).
 * The test plays the guest driver: it writes rings and descriptors into a
 * 1 MiB "guest RAM" with guard areas on both sides, fake_ram.h, whose
 * tandem_mem_* accessors the engine calls. Like the kernel's, they copy
 * without checking; unlike them, they count every access outside RAM, and
 * each case then checks that there was none and the guards are intact.
 * Prints TAP; exits non-zero when a case fails.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_ring.h>

#include "tap.h"
#include "virtqueue.h"



/* Guest RAM ---------------------------------------------------------------- */

#define RAM_SIZE	(1u << 20)
#include "fake_ram.h"

/* The guest driver's side ---------------------------------------------------- */

#define QSZ		8
/* Rings far enough apart for a queue of 512 (an 8 KiB descriptor table). */
#define DESC		0x1000u
#define AVAIL		0x4000u
#define USED		0x5000u
#define TABLE		0x8000u		/* an indirect table */
#define BUF		0x10000u	/* buffers from here */

#define F_NEXT		VRING_DESC_F_NEXT
#define F_WRITE		VRING_DESC_F_WRITE
#define F_INDIRECT	VRING_DESC_F_INDIRECT
#define EVENT_IDX	(1ull << VIRTIO_RING_F_EVENT_IDX)
#define INDIRECT	(1ull << VIRTIO_RING_F_INDIRECT_DESC)

static struct tandem_vq vq;
static u16 guest_avail_idx;

/* Descriptor @i of the table at @table. */
static void set_desc(u64 table, unsigned int i, u64 addr, u32 len, u16 flags,
		     u16 next)
{
	struct vring_desc d = {
		.addr = htole64(addr), .len = htole32(len),
		.flags = htole16(flags), .next = htole16(next),
	};

	memcpy(mem.ram + table + 16 * i, &d, sizeof(d));
}

/* Make chain @head available (ring size @size). */
static void offer(unsigned int size, u16 head)
{
	put16(AVAIL + 4 + 2 * (guest_avail_idx % size), head);
	guest_avail_idx++;
	put16(AVAIL + 2, guest_avail_idx);
}

static u16 used_idx(void)
{
	return get16(USED + 2);
}

/* Fresh RAM and guards, and a ready queue of @size with @features. */
static void fresh(unsigned int size, u64 features)
{
	fake_ram_reset();
	guest_avail_idx = 0;
	EXPECT(!tandem_vq_setup(&vq, &mem, size, DESC, AVAIL, USED, features),
	       "setup failed: %s", vq.reason);
}

/* The usual request: 16-byte header, 512 bytes of data, 1-byte status. */
static void three_desc_chain(u16 head)
{
	set_desc(DESC, head, BUF, 16, F_NEXT, head + 1);
	set_desc(DESC, head + 1, BUF + 0x1000, 512, F_NEXT, head + 2);
	set_desc(DESC, head + 2, BUF + 0x2000, 1, F_WRITE, 0);
}

static bool reason_is(const char *want)
{
	return vq.reason && !strcmp(vq.reason, want);
}

static int pop(struct tandem_vq_chain *c, struct tandem_vq_seg *segs,
	       unsigned int max)
{
	return tandem_vq_pop(&vq, segs, max, c);
}

/*
 * Offer chain 0 (already written) and expect the pop to fail with @err and
 * @reason: queue broken, nothing written to RAM, nothing popped after.
 */
static void expect_refused(int err, const char *reason)
{
	struct tandem_vq_seg segs[QSZ];
	struct tandem_vq_chain c;
	int r;

	offer(QSZ, 0);
	r = pop(&c, segs, QSZ);
	EXPECT(r == err, "pop returned %d, want %d", r, err);
	EXPECT(vq.broken, "queue not broken");
	EXPECT(reason_is(reason), "reason \"%s\", want \"%s\"",
	       vq.reason ? vq.reason : "(none)", reason);
	EXPECT(mem.writes == 0, "%u writes to guest RAM", mem.writes);
	EXPECT(vq.last_avail_idx == 0, "last_avail_idx %u", vq.last_avail_idx);
	r = pop(&c, segs, QSZ);
	EXPECT(r == -EIO, "second pop returned %d", r);
}

/* Well-formed chains ------------------------------------------------------- */

static void test_three_descriptor_chain_pops(void)
{
	struct tandem_vq_seg segs[QSZ];
	struct tandem_vq_chain c;
	int r;

	fresh(QSZ, 0);
	three_desc_chain(2);
	offer(QSZ, 2);
	r = pop(&c, segs, QSZ);
	EXPECT(r == 1, "pop returned %d (%s)", r, vq.reason);
	EXPECT(c.head == 2 && c.nr_segs == 3 && c.nr_out == 2,
	       "head %u, %u segments, %u readable", c.head, c.nr_segs, c.nr_out);
	EXPECT(c.out_bytes == 528 && c.in_bytes == 1, "out %u, in %u",
	       c.out_bytes, c.in_bytes);
	EXPECT(segs[0].gpa == BUF && segs[0].len == 16 && !segs[0].write, "seg 0");
	EXPECT(segs[1].gpa == BUF + 0x1000 && segs[1].len == 512 &&
	       !segs[1].write, "seg 1");
	EXPECT(segs[2].gpa == BUF + 0x2000 && segs[2].len == 1 && segs[2].write,
	       "seg 2");
	/* avail->idx, one ring entry, one read per descriptor. */
	EXPECT(mem.reads == 5, "%u reads of guest RAM", mem.reads);
	EXPECT(mem.writes == 0, "%u writes", mem.writes);
	r = pop(&c, segs, QSZ);
	EXPECT(r == 0, "second pop returned %d", r);
	EXPECT(!vq.broken, "broken: %s", vq.reason);
}

static void test_push_publishes_used_element(void)
{
	struct tandem_vq_seg segs[QSZ];
	struct tandem_vq_chain c;
	struct tandem_vq_used u;
	int r;

	fresh(QSZ, 0);
	three_desc_chain(5);
	offer(QSZ, 5);
	EXPECT(pop(&c, segs, QSZ) == 1, "pop");
	u = (struct tandem_vq_used){ .id = c.head, .len = 1 };
	r = tandem_vq_push(&vq, &u, 1);
	EXPECT(r == 0, "push returned %d", r);
	EXPECT(used_idx() == 1, "used->idx %u", used_idx());
	EXPECT(get32(USED + 4) == 5 && get32(USED + 8) == 1,
	       "used element {%u, %u}", get32(USED + 4), get32(USED + 8));
	/* Nothing more popped: a second push is the device's bug. */
	r = tandem_vq_push(&vq, &u, 1);
	EXPECT(r == -EINVAL, "extra push returned %d", r);
	EXPECT(used_idx() == 1 && !vq.broken, "used->idx %u", used_idx());
}

static void test_push_rejects_bad_id(void)
{
	struct tandem_vq_seg segs[QSZ];
	struct tandem_vq_chain c;
	struct tandem_vq_used u = { .id = QSZ, .len = 0 };

	fresh(QSZ, 0);
	three_desc_chain(0);
	offer(QSZ, 0);
	EXPECT(pop(&c, segs, QSZ) == 1, "pop");
	EXPECT(tandem_vq_push(&vq, &u, 1) == -EINVAL, "id %u accepted", u.id);
	EXPECT(used_idx() == 0 && mem.writes == 0, "used->idx %u", used_idx());
}

static void test_push_batch_publishes_once(void)
{
	struct tandem_vq_used u[3];
	struct tandem_vq_seg segs[QSZ];
	struct tandem_vq_chain c;
	unsigned int i;

	fresh(QSZ, 0);
	for (i = 0; i < 3; i++) {
		set_desc(DESC, i, BUF + 64 * i, 64, F_WRITE, 0);
		offer(QSZ, i);
	}
	for (i = 0; i < 3; i++) {
		EXPECT(pop(&c, segs, QSZ) == 1 && c.head == i, "pop %u", i);
		u[i] = (struct tandem_vq_used){ .id = c.head, .len = 10 + i };
	}
	mem.watch = USED + 2;
	EXPECT(!tandem_vq_push(&vq, u, 3), "push");
	EXPECT(mem.watch_writes == 1, "used->idx written %u times",
	       mem.watch_writes);
	EXPECT(used_idx() == 3, "used->idx %u", used_idx());
	for (i = 0; i < 3; i++)
		EXPECT(get32(USED + 4 + 8 * i) == i &&
		       get32(USED + 8 + 8 * i) == 10 + i, "element %u", i);
}

static void test_indirect_chain_pops_when_negotiated(void)
{
	struct tandem_vq_seg segs[QSZ];
	struct tandem_vq_chain c;
	int r;

	fresh(QSZ, INDIRECT);
	three_desc_chain(0);
	memcpy(mem.ram + TABLE, mem.ram + DESC, 48);
	/* WRITE on the indirect descriptor itself means nothing. */
	set_desc(DESC, 0, TABLE, 48, F_INDIRECT | F_WRITE, 0);
	offer(QSZ, 0);
	r = pop(&c, segs, QSZ);
	EXPECT(r == 1, "pop returned %d (%s)", r, vq.reason);
	EXPECT(c.head == 0 && c.nr_segs == 3 && c.nr_out == 2 &&
	       c.out_bytes == 528 && c.in_bytes == 1,
	       "head %u, %u segments", c.head, c.nr_segs);
	EXPECT(segs[1].gpa == BUF + 0x1000 && segs[2].write, "segments");
}

static void test_direct_then_indirect_pops(void)
{
	struct tandem_vq_seg segs[QSZ];
	struct tandem_vq_chain c;
	int r;

	fresh(QSZ, INDIRECT);
	set_desc(DESC, 0, BUF, 16, F_NEXT, 1);
	set_desc(DESC, 1, TABLE, 32, F_INDIRECT, 0);
	set_desc(TABLE, 0, BUF + 0x1000, 100, F_NEXT, 1);
	set_desc(TABLE, 1, BUF + 0x2000, 200, F_WRITE, 0);
	offer(QSZ, 0);
	r = pop(&c, segs, QSZ);
	EXPECT(r == 1 && c.nr_segs == 3 && c.out_bytes == 116 &&
	       c.in_bytes == 200, "pop returned %d (%s)", r, vq.reason);
}

static void test_indirect_refused_without_feature(void)
{
	fresh(QSZ, 0);
	set_desc(DESC, 0, TABLE, 16, F_INDIRECT, 0);
	set_desc(TABLE, 0, BUF, 16, 0, 0);
	expect_refused(-EOPNOTSUPP, "indirect descriptor not negotiated");
}

/* 65540 chains in groups of 5: the 16-bit indices wrap inside a group. */
static void test_index_wraparound(void)
{
	struct tandem_vq_seg segs[QSZ];
	struct tandem_vq_chain c;
	struct tandem_vq_used u[5];
	unsigned int n, i, bad = 0;

	fresh(QSZ, 0);
	for (i = 0; i < QSZ; i++)
		set_desc(DESC, i, BUF + 64 * i, 64, F_WRITE, 0);
	for (n = 0; n < 65540; n += 5) {
		for (i = 0; i < 5; i++)
			offer(QSZ, (n + i) % QSZ);
		for (i = 0; i < 5; i++) {
			if (pop(&c, segs, QSZ) != 1 || c.head != (n + i) % QSZ)
				bad++;
			u[i] = (struct tandem_vq_used){ .id = c.head, .len = i };
		}
		if (pop(&c, segs, QSZ) != 0 || tandem_vq_push(&vq, u, 5) ||
		    used_idx() != (u16)(n + 5))
			bad++;
	}
	EXPECT(!bad && !vq.broken, "%u failures, last_avail_idx %u (%s)", bad,
	       vq.last_avail_idx, vq.reason);
	EXPECT(vq.last_avail_idx == (u16)65540 && used_idx() == (u16)65540,
	       "last_avail_idx %u, used->idx %u", vq.last_avail_idx, used_idx());
	/* The last element went to slot 65539 % 8 = 3. */
	EXPECT(get32(USED + 4 + 8 * 3) == 65539 % QSZ && get32(USED + 8 + 8 * 3) == 4,
	       "last element {%u, %u}", get32(USED + 4 + 24), get32(USED + 8 + 24));
}

/* Hostile chains ----------------------------------------------------------- */

static void test_descriptor_loop(void)
{
	fresh(QSZ, 0);
	set_desc(DESC, 0, BUF, 16, F_NEXT, 1);
	set_desc(DESC, 1, BUF, 16, F_NEXT, 0);
	expect_refused(-ELOOP, "descriptor chain loops");
}

static void test_descriptor_loop_in_indirect_table(void)
{
	fresh(QSZ, INDIRECT);
	set_desc(DESC, 0, TABLE, 32, F_INDIRECT, 0);
	set_desc(TABLE, 0, BUF, 16, F_NEXT, 1);
	set_desc(TABLE, 1, BUF, 16, F_NEXT, 1);
	expect_refused(-ELOOP, "descriptor chain loops");
}

static void test_chain_longer_than_queue(void)
{
	unsigned int i;

	/* Three direct buffers and six indirect ones: nine, in a queue of 8. */
	fresh(QSZ, INDIRECT);
	for (i = 0; i < 3; i++)
		set_desc(DESC, i, BUF, 16, F_NEXT, i + 1);
	set_desc(DESC, 3, TABLE, 6 * 16, F_INDIRECT, 0);
	for (i = 0; i < 6; i++)
		set_desc(TABLE, i, BUF, 16, i < 5 ? F_NEXT : 0, i + 1);
	expect_refused(-EMSGSIZE, "chain longer than the queue size");
}

static void test_head_index_out_of_range(void)
{
	struct tandem_vq_seg segs[QSZ];
	struct tandem_vq_chain c;

	fresh(QSZ, 0);
	offer(QSZ, QSZ);
	EXPECT(pop(&c, segs, QSZ) == -ERANGE, "head %u accepted", QSZ);
	EXPECT(vq.broken && reason_is("head index out of range"), "reason %s",
	       vq.reason);
	EXPECT(pop(&c, segs, QSZ) == -EIO && mem.writes == 0, "not broken");
}

static void test_next_index_out_of_range(void)
{
	fresh(QSZ, 0);
	set_desc(DESC, 0, BUF, 16, F_NEXT, QSZ);
	expect_refused(-ERANGE, "next index out of range");
}

static void test_next_index_out_of_indirect_table(void)
{
	fresh(QSZ, INDIRECT);
	set_desc(DESC, 0, TABLE, 32, F_INDIRECT, 0);
	set_desc(TABLE, 0, BUF, 16, F_NEXT, 1);
	set_desc(TABLE, 1, BUF, 16, F_NEXT, 2);	/* the table has 2 */
	expect_refused(-ERANGE, "next index out of range");
}

static void test_buffer_outside_ram(void)
{
	fresh(QSZ, 0);
	set_desc(DESC, 0, RAM_SIZE + 0x1000, 16, 0, 0);
	expect_refused(-EFAULT, "buffer outside guest RAM");
}

static void test_buffer_wrapping_past_2_64(void)
{
	fresh(QSZ, 0);
	set_desc(DESC, 0, ~0ull - 15, 32, 0, 0);
	expect_refused(-EFAULT, "buffer wraps around the address space");
}

static void test_buffer_one_byte_past_ram_end(void)
{
	struct tandem_vq_seg segs[QSZ];
	struct tandem_vq_chain c;

	/* Up to the last byte is fine... */
	fresh(QSZ, 0);
	set_desc(DESC, 0, RAM_SIZE - 16, 16, F_WRITE, 0);
	offer(QSZ, 0);
	EXPECT(pop(&c, segs, QSZ) == 1, "last 16 bytes refused: %s", vq.reason);
	/* ...one more is not. */
	fresh(QSZ, 0);
	set_desc(DESC, 0, RAM_SIZE - 16, 17, F_WRITE, 0);
	expect_refused(-EFAULT, "buffer outside guest RAM");
}

static void test_nested_indirect(void)
{
	fresh(QSZ, INDIRECT);
	set_desc(DESC, 0, TABLE, 32, F_INDIRECT, 0);
	set_desc(TABLE, 0, BUF, 16, F_NEXT, 1);
	set_desc(TABLE, 1, TABLE + 0x100, 16, F_INDIRECT, 0);
	set_desc(TABLE + 0x100, 0, BUF, 16, 0, 0);
	expect_refused(-EINVAL, "indirect descriptor inside an indirect table");
}

static void test_indirect_with_next(void)
{
	fresh(QSZ, INDIRECT);
	set_desc(DESC, 0, TABLE, 16, F_INDIRECT | F_NEXT, 1);
	set_desc(DESC, 1, BUF, 16, 0, 0);
	set_desc(TABLE, 0, BUF, 16, 0, 0);
	expect_refused(-EINVAL, "indirect descriptor with NEXT set");
}

static void test_indirect_length_not_multiple_of_16(void)
{
	fresh(QSZ, INDIRECT);
	set_desc(DESC, 0, TABLE, 40, F_INDIRECT, 0);
	expect_refused(-EINVAL,
		       "indirect table length not a non-zero multiple of 16");
}

static void test_indirect_length_zero(void)
{
	fresh(QSZ, INDIRECT);
	set_desc(DESC, 0, TABLE, 0, F_INDIRECT, 0);
	expect_refused(-EINVAL,
		       "indirect table length not a non-zero multiple of 16");
}

static void test_indirect_table_outside_ram(void)
{
	/* Starting in RAM, ending 16 bytes past it. */
	fresh(QSZ, INDIRECT);
	set_desc(DESC, 0, RAM_SIZE - 16, 32, F_INDIRECT, 0);
	expect_refused(-EFAULT, "indirect table outside guest RAM");
	/* Wrapping around 2^64. */
	fresh(QSZ, INDIRECT);
	set_desc(DESC, 0, ~0ull - 15, 32, F_INDIRECT, 0);
	expect_refused(-EFAULT, "indirect table outside guest RAM");
}

static void test_indirect_table_larger_than_queue(void)
{
	fresh(QSZ, INDIRECT);
	set_desc(DESC, 0, TABLE, 16 * (QSZ + 1), F_INDIRECT, 0);
	expect_refused(-EMSGSIZE, "indirect table larger than the queue");
}

/*
 * 256 buffers of 1 MiB (all of RAM, overlapping is allowed) make exactly
 * 256 MiB; 257 are too many. A queue of 512 holds such chains.
 */
static void test_absurd_total_length(void)
{
	static struct tandem_vq_seg segs[512];
	struct tandem_vq_chain c;
	unsigned int i;
	int r;

	fresh(512, 0);
	for (i = 0; i < 256; i++)
		set_desc(DESC, i, 0, RAM_SIZE, i < 255 ? F_NEXT : 0, i + 1);
	put16(AVAIL + 4, 0);
	put16(AVAIL + 2, 1);
	r = pop(&c, segs, 512);
	EXPECT(r == 1 && c.out_bytes == 256u << 20, "256 MiB: %d (%s)", r,
	       vq.reason);

	fresh(512, 0);
	for (i = 0; i < 257; i++)
		set_desc(DESC, i, 0, RAM_SIZE, i < 256 ? F_NEXT : 0, i + 1);
	put16(AVAIL + 4, 0);
	put16(AVAIL + 2, 1);
	r = pop(&c, segs, 512);
	EXPECT(r == -E2BIG, "257 MiB: %d", r);
	EXPECT(vq.broken && reason_is("chain longer than 256 MiB"),
	       "reason %s", vq.reason);
}

static void test_readable_after_writable(void)
{
	fresh(QSZ, 0);
	set_desc(DESC, 0, BUF, 16, F_WRITE | F_NEXT, 1);
	set_desc(DESC, 1, BUF, 16, 0, 0);
	expect_refused(-EINVAL,
		       "device-readable buffer after a device-writable one");
}

static void test_more_buffers_than_device_takes(void)
{
	struct tandem_vq_seg segs[3] = { [2] = { .gpa = 0x1234 } };
	struct tandem_vq_chain c;
	int r;

	fresh(QSZ, 0);
	three_desc_chain(0);
	offer(QSZ, 0);
	r = pop(&c, segs, 2);
	EXPECT(segs[2].gpa == 0x1234, "wrote past max_segs");
	EXPECT(r == -ENOBUFS && vq.broken &&
	       reason_is("chain has more buffers than the device takes"),
	       "pop returned %d (%s)", r, vq.reason);
}

static void test_avail_idx_jumped_too_far(void)
{
	struct tandem_vq_seg segs[QSZ];
	struct tandem_vq_chain c;
	unsigned int i;

	/* A whole queue ahead is allowed... */
	fresh(QSZ, 0);
	for (i = 0; i < QSZ; i++)
		set_desc(DESC, i, BUF, 16, 0, 0);
	put16(AVAIL + 2, QSZ);
	EXPECT(pop(&c, segs, QSZ) == 1, "%u ahead refused: %s", QSZ, vq.reason);
	/* ...one more is not. */
	fresh(QSZ, 0);
	set_desc(DESC, 0, BUF, 16, 0, 0);
	put16(AVAIL + 2, QSZ + 1);
	EXPECT(pop(&c, segs, QSZ) == -EOVERFLOW, "%u ahead accepted", QSZ + 1);
	EXPECT(vq.broken &&
	       reason_is("available index more than the queue size ahead"),
	       "reason %s", vq.reason);
	EXPECT(pop(&c, segs, QSZ) == -EIO && mem.writes == 0, "not broken");
}

/* Notifications and interrupts --------------------------------------------- */

/* Offer, pop and push @n single-buffer chains. */
static void complete(unsigned int n)
{
	struct tandem_vq_seg segs[QSZ];
	struct tandem_vq_chain c;
	struct tandem_vq_used u[QSZ];
	unsigned int i;

	for (i = 0; i < n; i++) {
		set_desc(DESC, i, BUF, 16, F_WRITE, 0);
		offer(QSZ, i);
	}
	for (i = 0; i < n; i++) {
		EXPECT(pop(&c, segs, QSZ) == 1, "pop %u", i);
		u[i] = (struct tandem_vq_used){ .id = c.head, .len = 16 };
	}
	EXPECT(!tandem_vq_push(&vq, u, n), "push %u", n);
}

static void test_event_idx_need_interrupt(void)
{
	fresh(QSZ, EVENT_IDX);
	/* used_event = 2: interrupt once entry 2 is used (used->idx 3). */
	put16(AVAIL + 4 + 2 * QSZ, 2);
	complete(1);
	EXPECT(!tandem_vq_need_interrupt(&vq), "interrupt at used->idx 1");
	complete(1);
	EXPECT(!tandem_vq_need_interrupt(&vq), "interrupt at used->idx 2");
	complete(1);
	EXPECT(tandem_vq_need_interrupt(&vq), "no interrupt at used->idx 3");
	EXPECT(!tandem_vq_need_interrupt(&vq), "interrupt with nothing new");
	/* A batch that steps over used_event still interrupts. */
	put16(AVAIL + 4 + 2 * QSZ, 3);
	complete(2);
	EXPECT(tandem_vq_need_interrupt(&vq), "no interrupt at used->idx 5");
	/* NO_INTERRUPT means nothing with EVENT_IDX. */
	put16(AVAIL, VRING_AVAIL_F_NO_INTERRUPT);
	put16(AVAIL + 4 + 2 * QSZ, 5);
	complete(1);
	EXPECT(tandem_vq_need_interrupt(&vq), "no interrupt at used->idx 6");
}

static void test_no_interrupt_flag_without_event_idx(void)
{
	fresh(QSZ, 0);
	put16(AVAIL + 4 + 2 * QSZ, 100);	/* used_event: ignored */
	put16(AVAIL, VRING_AVAIL_F_NO_INTERRUPT);
	complete(1);
	EXPECT(!tandem_vq_need_interrupt(&vq), "interrupt despite NO_INTERRUPT");
	put16(AVAIL, 0);
	complete(1);
	EXPECT(tandem_vq_need_interrupt(&vq), "no interrupt");
	EXPECT(!tandem_vq_need_interrupt(&vq), "interrupt with nothing new");
}

static void test_event_idx_notify_writes_avail_event(void)
{
	fresh(QSZ, EVENT_IDX);
	complete(2);
	mem.writes = 0;
	tandem_vq_disable_notify(&vq);
	EXPECT(mem.writes == 0, "disable wrote %u times", mem.writes);
	EXPECT(!tandem_vq_enable_notify(&vq), "work reported on an empty ring");
	EXPECT(get16(USED + 4 + 8 * QSZ) == 2, "avail_event %u",
	       get16(USED + 4 + 8 * QSZ));
	offer(QSZ, 0);
	EXPECT(tandem_vq_enable_notify(&vq), "available chain not reported");
}

static void test_no_notify_flag_without_event_idx(void)
{
	fresh(QSZ, 0);
	tandem_vq_disable_notify(&vq);
	EXPECT(get16(USED) == VRING_USED_F_NO_NOTIFY, "used->flags %#x",
	       get16(USED));
	EXPECT(!tandem_vq_enable_notify(&vq), "work reported on an empty ring");
	EXPECT(get16(USED) == 0, "used->flags %#x", get16(USED));
	EXPECT(get16(USED + 4 + 8 * QSZ) == 0, "avail_event written");
}

/* Broken queues and setup -------------------------------------------------- */

static void test_broken_queue_pops_nothing_until_reset(void)
{
	struct tandem_vq_seg segs[QSZ];
	struct tandem_vq_chain c;
	struct tandem_vq_used u = { 0, 0 };
	int r;

	fresh(QSZ, 0);
	three_desc_chain(0);
	offer(QSZ, QSZ + 3);
	EXPECT(pop(&c, segs, QSZ) == -ERANGE, "bad head accepted");
	/* The driver fixes its ring: the queue stays broken. */
	put16(AVAIL + 4, 0);
	EXPECT(pop(&c, segs, QSZ) == -EIO, "popped from a broken queue");
	EXPECT(tandem_vq_push(&vq, &u, 1) == -EIO, "pushed to a broken queue");
	EXPECT(!tandem_vq_need_interrupt(&vq) && !tandem_vq_enable_notify(&vq),
	       "broken queue wants attention");
	EXPECT(mem.writes == 0, "%u writes", mem.writes);
	tandem_vq_reset(&vq);
	EXPECT(!vq.broken && !vq.reason, "still broken after reset");
	r = pop(&c, segs, QSZ);
	EXPECT(r == 1 && c.head == 0 && c.nr_segs == 3, "pop after reset: %d",
	       r);
}

static void test_setup_refuses_bad_layout(void)
{
	static const struct {
		u32 size;
		u64 desc, avail, used;
		int err;
	} bad[] = {
		{ 0, DESC, AVAIL, USED, -EINVAL },
		{ 3, DESC, AVAIL, USED, -EINVAL },
		{ 65536, DESC, AVAIL, USED, -EINVAL },
		{ QSZ, DESC + 8, AVAIL, USED, -EINVAL },
		{ QSZ, DESC, AVAIL + 1, USED, -EINVAL },
		{ QSZ, DESC, AVAIL, USED + 2, -EINVAL },
		{ QSZ, RAM_SIZE - 16 * QSZ + 16, AVAIL, USED, -EFAULT },
		{ QSZ, DESC, RAM_SIZE - 6 - 2 * QSZ + 2, USED, -EFAULT },
		{ QSZ, DESC, AVAIL, RAM_SIZE - 8 - 8 * QSZ + 4, -EFAULT },
		{ 32768, DESC, AVAIL, ~0ull - 15, -EFAULT },
	};
	struct tandem_vq_seg segs[QSZ];
	struct tandem_vq_chain c;
	unsigned int i;
	int r;

	fresh(QSZ, 0);
	/* The largest queue, and rings ending at the last byte of RAM. */
	EXPECT(!tandem_vq_setup(&vq, &mem, 32768, 0, 0x80000, 0x90000, 0),
	       "size 32768: %s", vq.reason);
	EXPECT(!tandem_vq_setup(&vq, &mem, QSZ, RAM_SIZE - 16 * QSZ,
				RAM_SIZE - 6 - 2 * QSZ, RAM_SIZE - 8 - 8 * QSZ,
				0), "rings at the end of RAM: %s", vq.reason);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = tandem_vq_setup(&vq, &mem, bad[i].size, bad[i].desc,
				    bad[i].avail, bad[i].used, 0);
		EXPECT(r == bad[i].err && vq.broken && !vq.size,
		       "layout %u: %d (%s)", i, r, vq.reason);
		offer(QSZ, 0);
		tandem_vq_reset(&vq);
		EXPECT(pop(&c, segs, QSZ) == -EIO, "layout %u used", i);
	}
}

static const struct tap_case tests[] = {
	{ "three_descriptor_chain_pops", test_three_descriptor_chain_pops },
	{ "push_publishes_used_element", test_push_publishes_used_element },
	{ "push_rejects_bad_id", test_push_rejects_bad_id },
	{ "push_batch_publishes_once", test_push_batch_publishes_once },
	{ "indirect_chain_pops_when_negotiated",
	  test_indirect_chain_pops_when_negotiated },
	{ "direct_then_indirect_pops", test_direct_then_indirect_pops },
	{ "indirect_refused_without_feature",
	  test_indirect_refused_without_feature },
	{ "index_wraparound", test_index_wraparound },
	{ "descriptor_loop", test_descriptor_loop },
	{ "descriptor_loop_in_indirect_table",
	  test_descriptor_loop_in_indirect_table },
	{ "chain_longer_than_queue", test_chain_longer_than_queue },
	{ "head_index_out_of_range", test_head_index_out_of_range },
	{ "next_index_out_of_range", test_next_index_out_of_range },
	{ "next_index_out_of_indirect_table",
	  test_next_index_out_of_indirect_table },
	{ "buffer_outside_ram", test_buffer_outside_ram },
	{ "buffer_wrapping_past_2_64", test_buffer_wrapping_past_2_64 },
	{ "buffer_one_byte_past_ram_end", test_buffer_one_byte_past_ram_end },
	{ "nested_indirect", test_nested_indirect },
	{ "indirect_with_next", test_indirect_with_next },
	{ "indirect_length_not_multiple_of_16",
	  test_indirect_length_not_multiple_of_16 },
	{ "indirect_length_zero", test_indirect_length_zero },
	{ "indirect_table_outside_ram", test_indirect_table_outside_ram },
	{ "indirect_table_larger_than_queue",
	  test_indirect_table_larger_than_queue },
	{ "absurd_total_length", test_absurd_total_length },
	{ "readable_after_writable", test_readable_after_writable },
	{ "more_buffers_than_device_takes",
	  test_more_buffers_than_device_takes },
	{ "avail_idx_jumped_too_far", test_avail_idx_jumped_too_far },
	{ "event_idx_need_interrupt", test_event_idx_need_interrupt },
	{ "no_interrupt_flag_without_event_idx",
	  test_no_interrupt_flag_without_event_idx },
	{ "event_idx_notify_writes_avail_event",
	  test_event_idx_notify_writes_avail_event },
	{ "no_notify_flag_without_event_idx",
	  test_no_notify_flag_without_event_idx },
	{ "broken_queue_pops_nothing_until_reset",
	  test_broken_queue_pops_nothing_until_reset },
	{ "setup_refuses_bad_layout", test_setup_refuses_bad_layout },
};

int main(void)
{
	return tap_run(tests, sizeof(tests) / sizeof(tests[0]),
		       fake_ram_check) ? 1 : 0;
}
