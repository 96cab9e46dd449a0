/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-blk (virtio 1.2, 5.2), device side: the request core. It turns
 * the chains of the one request queue into validated requests, hands
 * their data to a backend as (guest buffer, file offset) pieces, and
 * completes them in whatever order the backend finishes.
 *
 * This header and virtio_blk.c include no Tandem header besides this one,
 * virtio_mmio.h and virtqueue.h, so that the host unit test
 * (selftests/host/virtio_blk_test.c) builds the same file.
 */
#ifndef TANDEM_VIRTIO_BLK_H
#define TANDEM_VIRTIO_BLK_H

#include <linux/types.h>
#include <linux/spinlock.h>

#include "virtio_mmio.h"
#include "virtqueue.h"

/* Data segments one request may have (the seg_max the guest sees). */
#define TANDEM_VBLK_SEG_MAX		62
/* Segments one chain may have: data, plus header and status, split. */
#define TANDEM_VBLK_CHAIN_SEGS		(TANDEM_VBLK_SEG_MAX + 2)
/* Requests in flight at once; more chains wait in the ring. */
#define TANDEM_VBLK_MAX_REQS		16
/* The request queue's QueueNumMax. */
#define TANDEM_VBLK_QUEUE_SIZE		128
/* Sectors one DISCARD or WRITE_ZEROES range may cover (4 GiB - 512). */
#define TANDEM_VBLK_MAX_ZERO_SECTORS	0x7fffff
/* Bytes of the serial GET_ID returns (VIRTIO_BLK_ID_BYTES). */
#define TANDEM_VBLK_ID_BYTES		20
/* Bytes of configuration space served: up to write_zeroes_may_unmap. */
#define TANDEM_VBLK_CONFIG_LEN		60

struct tandem_vblk;

/**
 * struct tandem_vblk_piece - a run of guest bytes and where it goes
 * @gpa: guest-physical address, inside guest RAM (checked by the engine)
 * @len: bytes
 * @pos: byte offset in the disk
 */
struct tandem_vblk_piece {
	u64 gpa;
	u32 len;
	u64 pos;
};

/**
 * struct tandem_vblk_req - one request, from pop to completion
 * @blk: the device
 * @busy: the slot holds a request between pop and completion
 * @gen: the device's reset generation when the request was popped
 * @chain: what tandem_vq_pop() returned
 * @segs: the chain's segments
 * @type: VIRTIO_BLK_T_*
 * @status_gpa: guest address of the status byte
 * @data_in: bytes of data the device writes into the chain on success
 * @pos: disk offset of the request (DISCARD, WRITE_ZEROES: the range)
 * @len: bytes of the request (DISCARD, WRITE_ZEROES: the range)
 * @unmap: WRITE_ZEROES may deallocate (VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP)
 * @nr_pieces: entries of @pieces (READ, WRITE)
 * @pieces: the data, in disk order, @pos upward
 */
struct tandem_vblk_req {
	struct tandem_vblk *blk;
	bool busy;
	u32 gen;
	struct tandem_vq_chain chain;
	struct tandem_vq_seg segs[TANDEM_VBLK_CHAIN_SEGS];
	u32 type;
	u64 status_gpa;
	u32 data_in;
	u64 pos;
	u64 len;
	bool unmap;
	unsigned int nr_pieces;
	struct tandem_vblk_piece pieces[TANDEM_VBLK_CHAIN_SEGS];
};

/**
 * struct tandem_vblk_backend_ops - the disk behind a device
 * @read: fill @req->pieces from the disk (VIRTIO_BLK_T_IN)
 * @write: write @req->pieces to the disk (VIRTIO_BLK_T_OUT)
 * @flush: make every completed write durable (VIRTIO_BLK_T_FLUSH).
 *	Optional: without it VIRTIO_BLK_F_FLUSH is not offered.
 * @discard: the disk may forget [@req->pos, @req->pos + @req->len).
 *	Optional: without it VIRTIO_BLK_F_DISCARD is not offered.
 * @write_zeroes: make [@req->pos, @req->pos + @req->len) read zeroes,
 *	deallocating it if @req->unmap and the backend wants to. Optional:
 *	without it VIRTIO_BLK_F_WRITE_ZEROES is not offered.
 * @set_irq: drive the device's interrupt line (the transport's
 *	&tandem_vmmio_ops.set_irq: called under its lock, must not sleep)
 *
 * Each operation ends, before it returns or later from any context, with
 * exactly one tandem_vblk_complete() of @req. None may sleep: they are
 * called from the transport's queue notification (the vCPU thread); a
 * backend that blocks queues its work. Requests only ever cover whole
 * sectors inside the disk.
 */
struct tandem_vblk_backend_ops {
	void (*read)(struct tandem_vblk *blk, struct tandem_vblk_req *req);
	void (*write)(struct tandem_vblk *blk, struct tandem_vblk_req *req);
	void (*flush)(struct tandem_vblk *blk, struct tandem_vblk_req *req);
	void (*discard)(struct tandem_vblk *blk, struct tandem_vblk_req *req);
	void (*write_zeroes)(struct tandem_vblk *blk,
			     struct tandem_vblk_req *req);
	void (*set_irq)(struct tandem_vblk *blk, bool level);
};

/**
 * struct tandem_vblk - one virtio-blk device
 * @vmmio: its transport
 * @lock: protects the slots' @busy, the queue's pops and pushes,
 *	@running, @again and @starved
 * @ops: the backend
 * @priv: the backend's data
 * @mem: guest RAM
 * @size: bytes of the disk, a multiple of 512
 * @read_only: the disk takes no writes (VIRTIO_BLK_F_RO offered)
 * @serial: what GET_ID returns, zero-padded
 * @gen: advanced by each device reset; completions of older requests are
 *	dropped
 * @running: tandem_vblk_process() is taking chains
 * @again: a completion freed a slot, or a notification came, while it
 *	did: look at the ring again
 * @starved: it stopped with no free slot: the next completion reruns it
 * @config: the configuration space, little-endian
 * @reqs: the requests in flight
 */
struct tandem_vblk {
	struct tandem_vmmio vmmio;
	spinlock_t lock; /* requests and the queue: worker and completions */
	const struct tandem_vblk_backend_ops *ops;
	void *priv;
	struct tandem_mem *mem;
	u64 size;
	bool read_only;
	char serial[TANDEM_VBLK_ID_BYTES];
	u32 gen;
	bool running;
	bool again;
	bool starved;
	u8 config[TANDEM_VBLK_CONFIG_LEN];
	struct tandem_vblk_req reqs[TANDEM_VBLK_MAX_REQS];
};

int tandem_vblk_init(struct tandem_vblk *blk,
		     const struct tandem_vblk_backend_ops *ops, void *priv,
		     struct tandem_mem *mem, u64 size, bool read_only,
		     const char *serial, const char **reason);
void tandem_vblk_process(struct tandem_vblk *blk);
void tandem_vblk_complete(struct tandem_vblk_req *req, int err);

#endif /* TANDEM_VIRTIO_BLK_H */
