/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Split virtqueues (virtio 1.x, 1.2's section 2.7), device side: the engine the
 * virtio-mmio backends use to take buffers from a guest and give them back.
 *
 * This header and virtqueue.c include no other Tandem header, so that the
 * host unit test (selftests/host/virtqueue_test.c) builds the same file
 * against its own guest RAM.
 */
#ifndef TANDEM_VIRTQUEUE_H
#define TANDEM_VIRTQUEUE_H

#include <linux/types.h>

/*
 * Guest RAM, implemented in memory.c and declared in tandem_hv.h as well.
 * They are repeated here, rather than reached through a table of function
 * pointers, so that each access is a direct call; memory.c includes this
 * header, so the compiler checks that both declarations agree.
 */
struct tandem_mem;
bool tandem_mem_range_ok(const struct tandem_mem *mem, u64 gpa, u64 len);
void tandem_mem_read(struct tandem_mem *mem, u64 gpa, void *dst, size_t len);
void tandem_mem_write(struct tandem_mem *mem, u64 gpa, const void *src,
		      size_t len);

/* The largest queue size the split ring allows (virtio 1.x, 2.7). */
#define TANDEM_VQ_MAX_SIZE		32768

/*
 * The most bytes one chain may describe. The spec's limit is 4 GiB; the
 * backends never need a tenth of this for one request, and a smaller cap
 * keeps byte counts in a u32 with room to spare.
 */
#define TANDEM_VQ_MAX_CHAIN_BYTES	(256U << 20)

/**
 * struct tandem_vq_seg - one guest buffer of a descriptor chain
 * @gpa: guest-physical address; [@gpa, @gpa + @len) lies in guest RAM
 * @len: bytes
 * @write: the device may write it (VRING_DESC_F_WRITE); otherwise the
 *	device may only read it
 */
struct tandem_vq_seg {
	u64 gpa;
	u32 len;
	bool write;
};

/**
 * struct tandem_vq_chain - what tandem_vq_pop() took from the ring
 * @head: descriptor index of the chain's head: the id to give back with
 *	tandem_vq_push()
 * @nr_segs: segments filled in, device-readable ones first
 * @nr_out: how many of them are device-readable
 * @out_bytes: bytes in the device-readable segments
 * @in_bytes: bytes in the device-writable segments
 */
struct tandem_vq_chain {
	u16 head;
	u16 nr_segs;
	u16 nr_out;
	u32 out_bytes;
	u32 in_bytes;
};

/**
 * struct tandem_vq_used - one used-ring element for tandem_vq_push()
 * @id: the chain's head, as tandem_vq_pop() returned it
 * @len: bytes the device wrote into the chain's writable segments
 */
struct tandem_vq_used {
	u16 id;
	u32 len;
};

/**
 * struct tandem_vq - one split virtqueue, device side
 * @mem: guest RAM holding the rings and buffers
 * @size: number of descriptors, a power of two, at most %TANDEM_VQ_MAX_SIZE
 * @desc: GPA of the descriptor table (16-byte aligned)
 * @avail: GPA of the available ring (2-byte aligned)
 * @used: GPA of the used ring (4-byte aligned)
 * @event_idx: VIRTIO_RING_F_EVENT_IDX was negotiated
 * @indirect: VIRTIO_RING_F_INDIRECT_DESC was negotiated
 * @broken: the guest broke the ring's rules; nothing more is popped or
 *	pushed until tandem_vq_reset()
 * @reason: why the queue broke (a static string), or %NULL
 * @last_avail_idx: free-running index of the next available entry to pop
 * @avail_idx: the guest's avail->idx as last read
 * @used_idx: free-running used index, published to the guest by
 *	tandem_vq_push()
 * @signalled_used: @used_idx at the last tandem_vq_need_interrupt()
 *
 * One device thread owns a queue: the functions below take no lock.
 */
struct tandem_vq {
	struct tandem_mem *mem;
	u32 size;
	u64 desc;
	u64 avail;
	u64 used;
	bool event_idx;
	bool indirect;
	bool broken;
	const char *reason;
	u16 last_avail_idx;
	u16 avail_idx;
	u16 used_idx;
	u16 signalled_used;
};

int tandem_vq_setup(struct tandem_vq *vq, struct tandem_mem *mem, u32 size,
		    u64 desc, u64 avail, u64 used, u64 features);
void tandem_vq_reset(struct tandem_vq *vq);
int tandem_vq_pop(struct tandem_vq *vq, struct tandem_vq_seg *segs,
		  unsigned int max_segs, struct tandem_vq_chain *chain);
int tandem_vq_push(struct tandem_vq *vq, const struct tandem_vq_used *elems,
		   unsigned int n);
bool tandem_vq_need_interrupt(struct tandem_vq *vq);
void tandem_vq_disable_notify(struct tandem_vq *vq);
bool tandem_vq_enable_notify(struct tandem_vq *vq);

#endif /* TANDEM_VIRTQUEUE_H */
