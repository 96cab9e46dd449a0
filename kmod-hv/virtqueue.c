// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueues, device side (virtio 1.x; section numbers below are
 * those of the virtio 1.2 specification, where split rings are 2.7).
 *
 * The guest writes the rings and descriptors, so everything read from them
 * is hostile input. This file is the boundary: a chain it returns names only
 * bytes inside guest RAM, every walk ends after at most the queue size plus
 * one indirect table of descriptors, and a guest that breaks a rule gets a
 * broken queue (the transport then sets DEVICE_NEEDS_RESET), never an access
 * outside its RAM.
 *
 * Guest RAM is reached through tandem_mem_read() and tandem_mem_write(),
 * each access checked with tandem_mem_range_ok(). A pop costs one copy for
 * avail->idx (only once the entries read before are used up), one for the
 * ring entry and one per descriptor (16 bytes at once); a push one per used
 * element and one for used->idx. A faster path would map the ring pages
 * once at setup (they stay put while the queue is ready) and use
 * READ_ONCE()/WRITE_ONCE() on them, and copy all new ring entries in one go.
 *
 * Files here include no other Tandem header: see virtqueue.h.
 */
#include <linux/errno.h>
#include <linux/types.h>
#include <asm/barrier.h>
#include <asm/byteorder.h>
#include <linux/virtio_byteorder.h>	/* needs asm/byteorder.h first */
#include <linux/virtio_ring.h>

#include "virtqueue.h"

/* avail->idx and used->idx follow a 16-bit flags field. */
#define VQ_IDX_OFFSET	sizeof(__virtio16)

/* Virtio 1.x is little-endian whatever the guest. */
static u16 vq16(__virtio16 v)
{
	return __virtio16_to_cpu(true, v);
}

static u32 vq32(__virtio32 v)
{
	return __virtio32_to_cpu(true, v);
}

static u64 vq64(__virtio64 v)
{
	return __virtio64_to_cpu(true, v);
}

/* GPA of avail->ring[@i]; avail->ring[size] is used_event. */
static u64 vq_avail_entry(const struct tandem_vq *vq, u32 i)
{
	return vq->avail + sizeof(struct vring_avail) + i * sizeof(__virtio16);
}

/* GPA of used->ring[@i]; used->ring[size] is where avail_event starts. */
static u64 vq_used_entry(const struct tandem_vq *vq, u32 i)
{
	return vq->used + sizeof(struct vring_used) +
	       i * sizeof(struct vring_used_elem);
}

static int vq_read(const struct tandem_vq *vq, u64 gpa, void *dst, size_t len)
{
	if (!tandem_mem_range_ok(vq->mem, gpa, len))
		return -EFAULT;
	tandem_mem_read(vq->mem, gpa, dst, len);
	return 0;
}

static int vq_write(const struct tandem_vq *vq, u64 gpa, const void *src,
		    size_t len)
{
	if (!tandem_mem_range_ok(vq->mem, gpa, len))
		return -EFAULT;
	tandem_mem_write(vq->mem, gpa, src, len);
	return 0;
}

static int vq_read16(const struct tandem_vq *vq, u64 gpa, u16 *val)
{
	__virtio16 v;

	if (vq_read(vq, gpa, &v, sizeof(v)))
		return -EFAULT;
	*val = vq16(v);
	return 0;
}

static int vq_write16(const struct tandem_vq *vq, u64 gpa, u16 val)
{
	__virtio16 v = __cpu_to_virtio16(true, val);

	return vq_write(vq, gpa, &v, sizeof(v));
}

/* Mark @vq broken; @reason is kept for the transport's message. */
static int vq_break(struct tandem_vq *vq, int err, const char *reason)
{
	vq->broken = true;
	vq->reason = reason;
	return err;
}

/**
 * tandem_vq_setup() - make a queue ready on the layout the driver chose
 * @vq: the queue, overwritten
 * @mem: guest RAM
 * @size: QueueNum: a power of two from 1 to %TANDEM_VQ_MAX_SIZE
 * @desc: GPA of the descriptor table, 16-byte aligned, 16 * @size bytes
 * @avail: GPA of the available ring, 2-byte aligned, 6 + 2 * @size bytes
 * @used: GPA of the used ring, 4-byte aligned, 6 + 8 * @size bytes
 * @features: the negotiated feature bits; VIRTIO_RING_F_EVENT_IDX and
 *	VIRTIO_RING_F_INDIRECT_DESC are the ones looked at
 *
 * The transport calls this when the driver writes QueueReady. The three
 * areas are checked once here (and every access is checked again anyway).
 *
 * Return: 0; or -EINVAL (bad size, misaligned ring) or -EFAULT (a ring
 * outside guest RAM) with @vq broken and never ready.
 */
int tandem_vq_setup(struct tandem_vq *vq, struct tandem_mem *mem, u32 size,
		    u64 desc, u64 avail, u64 used, u64 features)
{
	/* Each ring: flags, idx, @size entries, then a 16-bit event index. */
	const u64 ends = 3 * sizeof(__virtio16);
	u64 n = size;

	*vq = (struct tandem_vq) {
		.mem = mem,
		.desc = desc,
		.avail = avail,
		.used = used,
		.event_idx = (features >> VIRTIO_RING_F_EVENT_IDX) & 1,
		.indirect = (features >> VIRTIO_RING_F_INDIRECT_DESC) & 1,
	};
	if (!size || size > TANDEM_VQ_MAX_SIZE || (size & (size - 1)))
		return vq_break(vq, -EINVAL, "queue size not a power of two up to 32768");
	/* Alignment: 16, 2 and 4 bytes (2.7, Split Virtqueues). */
	if ((desc & 15) || (avail & 1) || (used & 3))
		return vq_break(vq, -EINVAL, "ring address misaligned");
	if (!tandem_mem_range_ok(mem, desc, n * sizeof(struct vring_desc)) ||
	    !tandem_mem_range_ok(mem, avail, ends + n * sizeof(__virtio16)) ||
	    !tandem_mem_range_ok(mem, used,
				 ends + n * sizeof(struct vring_used_elem)))
		return vq_break(vq, -EFAULT, "ring outside guest RAM");
	vq->size = size;
	return 0;
}

/**
 * tandem_vq_reset() - forget the queue's progress and any breakage
 * @vq: a queue tandem_vq_setup() made ready (or tried to)
 *
 * Indices go back to 0 and the broken state is cleared; the layout is kept,
 * so the queue is as tandem_vq_setup() left it. A layout that setup refused
 * stays refused. The transport calls this on device reset.
 */
void tandem_vq_reset(struct tandem_vq *vq)
{
	vq->broken = !vq->size;
	if (vq->size)
		vq->reason = NULL;
	vq->last_avail_idx = 0;
	vq->avail_idx = 0;
	vq->used_idx = 0;
	vq->signalled_used = 0;
}

/*
 * Check an indirect descriptor and return its table's length in entries
 * (2.7.5.3, Indirect Descriptors: one table per chain, no NEXT beside it,
 * a whole number of descriptors).
 */
static int vq_indirect_len(struct tandem_vq *vq, bool nested, u16 flags,
			   u64 addr, u32 len, u32 *entries)
{
	if (!vq->indirect)
		return vq_break(vq, -EOPNOTSUPP, "indirect descriptor not negotiated");
	if (nested)
		return vq_break(vq, -EINVAL, "indirect descriptor inside an indirect table");
	if (flags & VRING_DESC_F_NEXT)
		return vq_break(vq, -EINVAL, "indirect descriptor with NEXT set");
	if (!len || len % sizeof(struct vring_desc))
		return vq_break(vq, -EINVAL,
				"indirect table length not a non-zero multiple of 16");
	*entries = len / sizeof(struct vring_desc);
	/* A chain is at most the queue size long (2.7.5.3.1, driver requirements). */
	if (*entries > vq->size)
		return vq_break(vq, -EMSGSIZE, "indirect table larger than the queue");
	if (!tandem_mem_range_ok(vq->mem, addr, len))
		return vq_break(vq, -EFAULT, "indirect table outside guest RAM");
	return 0;
}

/* Add one buffer descriptor to @chain, after checking it. */
static int vq_add_seg(struct tandem_vq *vq, u16 flags, u64 addr, u32 len,
		      struct tandem_vq_seg *segs, unsigned int max_segs,
		      struct tandem_vq_chain *chain)
{
	bool write = flags & VRING_DESC_F_WRITE;
	struct tandem_vq_seg *seg;

	if (addr + len < addr)
		return vq_break(vq, -EFAULT, "buffer wraps around the address space");
	if (!tandem_mem_range_ok(vq->mem, addr, len))
		return vq_break(vq, -EFAULT, "buffer outside guest RAM");
	if (chain->nr_segs >= vq->size)
		return vq_break(vq, -EMSGSIZE, "chain longer than the queue size");
	if (chain->nr_segs >= max_segs)
		return vq_break(vq, -ENOBUFS, "chain has more buffers than the device takes");
	/* Both sums stay below 2 * 256 MiB: no overflow in u32. */
	if ((u64)chain->out_bytes + chain->in_bytes + len > TANDEM_VQ_MAX_CHAIN_BYTES)
		return vq_break(vq, -E2BIG, "chain longer than 256 MiB");
	/* Device-readable buffers come first (2.7.4.2, Message Framing). */
	if (!write && chain->nr_out < chain->nr_segs)
		return vq_break(vq, -EINVAL,
				"device-readable buffer after a device-writable one");

	seg = &segs[chain->nr_segs++];
	seg->gpa = addr;
	seg->len = len;
	seg->write = write;
	if (write) {
		chain->in_bytes += len;
	} else {
		chain->out_bytes += len;
		chain->nr_out++;
	}
	return 0;
}

/*
 * Walk the chain starting at @head (already checked against the size):
 * through the descriptor table and at most one indirect table. A table of
 * N entries is left after N descriptors at most, so a loop ends the walk.
 */
static int vq_walk(struct tandem_vq *vq, u16 head, struct tandem_vq_seg *segs,
		   unsigned int max_segs, struct tandem_vq_chain *chain)
{
	u64 table = vq->desc;
	u32 entries = vq->size, seen = 0, i = head;
	bool nested = false;
	struct vring_desc d;
	u16 flags;
	int err;

	*chain = (struct tandem_vq_chain) { .head = head };
	for (;;) {
		if (i >= entries)
			return vq_break(vq, -ERANGE, "next index out of range");
		if (++seen > entries)
			return vq_break(vq, -ELOOP, "descriptor chain loops");
		if (vq_read(vq, table + (u64)i * sizeof(d), &d, sizeof(d)))
			return vq_break(vq, -EFAULT, "descriptor table outside guest RAM");
		flags = vq16(d.flags);

		if (flags & VRING_DESC_F_INDIRECT) {
			err = vq_indirect_len(vq, nested, flags, vq64(d.addr),
					      vq32(d.len), &entries);
			if (err)
				return err;
			/* Its WRITE flag means nothing (2.7.5.3.2, device requirements). */
			table = vq64(d.addr);
			nested = true;
			seen = 0;
			i = 0;
			continue;
		}

		err = vq_add_seg(vq, flags, vq64(d.addr), vq32(d.len), segs,
				 max_segs, chain);
		if (err)
			return err;
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		i = vq16(d.next);
	}
}

/**
 * tandem_vq_pop() - take the next available chain, if there is one
 * @vq: the queue
 * @segs: filled with the chain's buffers, device-readable ones first
 * @max_segs: room in @segs; a longer chain breaks the queue, so the device
 *	must tell the driver its limit (e.g. virtio-blk's seg_max)
 * @chain: filled with the head id and byte counts
 *
 * Nothing is allocated and nothing is written to guest RAM. The buffers
 * named in @segs are inside guest RAM but the guest can still change their
 * contents: copy a header before checking it.
 *
 * Return: 1 with a chain, 0 when the ring is empty, -EIO when the queue is
 * broken or not ready, or another negative errno (see
 * Documentation/devices.rst) with the queue now broken and @vq->reason set.
 */
int tandem_vq_pop(struct tandem_vq *vq, struct tandem_vq_seg *segs,
		  unsigned int max_segs, struct tandem_vq_chain *chain)
{
	u16 head;
	int err;

	if (vq->broken || !vq->size)
		return -EIO;

	if (vq->last_avail_idx == vq->avail_idx) {
		if (vq_read16(vq, vq->avail + VQ_IDX_OFFSET, &vq->avail_idx))
			return vq_break(vq, -EFAULT, "ring outside guest RAM");
		if ((u16)(vq->avail_idx - vq->last_avail_idx) > vq->size)
			return vq_break(vq, -EOVERFLOW,
					"available index more than the queue size ahead");
		if (vq->avail_idx == vq->last_avail_idx)
			return 0;
		/*
		 * Read the entries only after the index that covers them;
		 * pairs with the driver's write barrier before it updates
		 * avail->idx (2.7.13, Supplying Buffers to The Device).
		 */
		smp_rmb();
	}

	if (vq_read16(vq, vq_avail_entry(vq, vq->last_avail_idx & (vq->size - 1)),
		      &head))
		return vq_break(vq, -EFAULT, "ring outside guest RAM");
	if (head >= vq->size)
		return vq_break(vq, -ERANGE, "head index out of range");
	err = vq_walk(vq, head, segs, max_segs, chain);
	if (err)
		return err;
	vq->last_avail_idx++;
	return 1;
}

/**
 * tandem_vq_push() - give chains back to the driver and publish them
 * @vq: the queue
 * @elems: one element per chain: head id and bytes written
 * @n: number of elements, at most the chains popped and not yet pushed
 *
 * All @n elements are written, then used->idx is advanced once, after a
 * write barrier: the driver never sees the index before the elements.
 * Call tandem_vq_need_interrupt() afterwards.
 *
 * Return: 0; -EIO when the queue is broken or not ready; -EINVAL (queue
 * left as it was) when @n or an id cannot come from tandem_vq_pop(): a
 * device bug, not the guest's.
 */
int tandem_vq_push(struct tandem_vq *vq, const struct tandem_vq_used *elems,
		   unsigned int n)
{
	u16 in_flight = vq->last_avail_idx - vq->used_idx;
	struct vring_used_elem e;
	unsigned int k;

	if (vq->broken || !vq->size)
		return -EIO;
	if (n > in_flight)
		return -EINVAL;
	if (!n)
		return 0;
	for (k = 0; k < n; k++)
		if (elems[k].id >= vq->size)
			return -EINVAL;

	for (k = 0; k < n; k++) {
		u16 slot = (u16)(vq->used_idx + k) & (vq->size - 1);

		e.id = __cpu_to_virtio32(true, elems[k].id);
		e.len = __cpu_to_virtio32(true, elems[k].len);
		if (vq_write(vq, vq_used_entry(vq, slot), &e, sizeof(e)))
			return vq_break(vq, -EFAULT, "ring outside guest RAM");
	}
	/* Elements before the index (2.7.8.2, The Virtqueue Used Ring). */
	smp_wmb();
	if (vq_write16(vq, vq->used + VQ_IDX_OFFSET, vq->used_idx + n))
		return vq_break(vq, -EFAULT, "ring outside guest RAM");
	vq->used_idx += n;
	return 0;
}

/**
 * tandem_vq_need_interrupt() - whether the driver wants an interrupt for
 * what was pushed since the last call
 * @vq: the queue
 *
 * With VIRTIO_RING_F_EVENT_IDX: when used_event lies among the used entries
 * published since the last call (vring_need_event()). Without: unless the
 * driver set VRING_AVAIL_F_NO_INTERRUPT. Never when nothing was pushed
 * since the last call, nor on a broken queue.
 *
 * Return: true when the transport should interrupt the guest.
 */
bool tandem_vq_need_interrupt(struct tandem_vq *vq)
{
	u16 old = vq->signalled_used, new = vq->used_idx, val;

	if (vq->broken || !vq->size || old == new)
		return false;
	vq->signalled_used = new;
	/*
	 * used->idx must be visible before the driver's suppression field is
	 * read: otherwise the driver could re-enable interrupts, see no new
	 * entry, and wait for an interrupt the device decided not to send.
	 */
	smp_mb();
	if (vq->event_idx) {
		if (vq_read16(vq, vq_avail_entry(vq, vq->size), &val))
			return true;
		return vring_need_event(val, new, old);
	}
	if (vq_read16(vq, vq->avail, &val))
		return true;
	return !(val & VRING_AVAIL_F_NO_INTERRUPT);
}

/**
 * tandem_vq_disable_notify() - ask the driver not to notify (kick) the
 * device, while the device is busy popping anyway
 * @vq: the queue
 *
 * Without VIRTIO_RING_F_EVENT_IDX this sets VRING_USED_F_NO_NOTIFY. With it
 * there is nothing to write: avail_event stays where it is, behind the
 * driver's index, and the driver stops notifying. Either way it is a hint.
 */
void tandem_vq_disable_notify(struct tandem_vq *vq)
{
	if (vq->broken || !vq->size || vq->event_idx)
		return;
	vq_write16(vq, vq->used, VRING_USED_F_NO_NOTIFY);
}

/**
 * tandem_vq_enable_notify() - ask the driver to notify the device of the
 * next available chain, before the device goes idle
 * @vq: the queue
 *
 * With VIRTIO_RING_F_EVENT_IDX this writes avail_event = the next index to
 * pop; without, it clears VRING_USED_F_NO_NOTIFY. Then avail->idx is read
 * again, after a full barrier, to close the race with a driver that added
 * a chain just before it could see the request.
 *
 * Return: true when chains are available already: pop them (and, to stay
 * quiet meanwhile, disable notifications again) rather than wait.
 */
bool tandem_vq_enable_notify(struct tandem_vq *vq)
{
	u16 idx;

	if (vq->broken || !vq->size)
		return false;
	if (vq->event_idx)
		vq_write16(vq, vq_used_entry(vq, vq->size), vq->last_avail_idx);
	else
		vq_write16(vq, vq->used, 0);
	/* The request above before the index read below. */
	smp_mb();
	if (vq_read16(vq, vq->avail + VQ_IDX_OFFSET, &idx))
		return true;
	return idx != vq->last_avail_idx;
}
