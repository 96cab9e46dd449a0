// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk, device side: the request core (section numbers are those of
 * the virtio 1.2 specification: 5.2, Block Device; 5.2.6, Device
 * Operation).
 *
 * The guest writes the request header, the data buffers and the
 * discard/write-zeroes ranges: everything read from them is hostile. A
 * request is copied out of guest RAM once and checked before the backend
 * sees it; the backend only ever gets whole sectors inside the disk, as
 * (guest buffer, disk offset) pieces it reads or writes in place.
 *
 * One request queue. Requests complete in any order; each completion
 * writes the status byte, pushes the chain and signals the transport.
 *
 * Files here include no other Tandem header: see virtio_blk.h.
 */
#include <linux/errno.h>
#include <linux/spinlock.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <asm/byteorder.h>
#include <linux/virtio_byteorder.h>	/* needs asm/byteorder.h first */
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

#include "virtio_blk.h"

#define VBLK_SECTOR_SHIFT	9
#define VBLK_SECTOR_SIZE	512U

static struct tandem_vq *vblk_vq(struct tandem_vblk *blk)
{
	return &blk->vmmio.queues[0].vq;
}

/*
 * Describe bytes [@off, @off + @len) of @req's device-readable part (or of
 * its device-writable part, if @write) as guest runs in @req->pieces; the
 * caller keeps the range inside the part. Return: the number of runs.
 */
static unsigned int vblk_map(struct tandem_vblk_req *req, bool write, u32 off,
			     u32 len)
{
	unsigned int i = write ? req->chain.nr_out : 0;
	unsigned int end = write ? req->chain.nr_segs : req->chain.nr_out;
	unsigned int n = 0;

	for (; i < end && len; i++) {
		const struct tandem_vq_seg *s = &req->segs[i];
		u32 take;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		take = s->len - off;
		if (take > len)
			take = len;
		req->pieces[n].gpa = s->gpa + off;
		req->pieces[n].len = take;
		req->pieces[n].pos = 0;
		n++;
		off = 0;
		len -= take;
	}
	req->nr_pieces = n;
	return n;
}

/* Copy bytes [@off, @off + @len) of the device-readable part into @dst. */
static void vblk_gather(struct tandem_vblk_req *req, u32 off, void *dst,
			u32 len)
{
	unsigned int i, n = vblk_map(req, false, off, len);
	u8 *p = dst;

	for (i = 0; i < n; i++) {
		tandem_mem_read(req->blk->mem, req->pieces[i].gpa, p,
				req->pieces[i].len);
		p += req->pieces[i].len;
	}
}

/* Copy @len bytes of @src to the start of the device-writable part. */
static void vblk_scatter(struct tandem_vblk_req *req, const void *src,
			 u32 len)
{
	unsigned int i, n = vblk_map(req, true, 0, len);
	const u8 *p = src;

	for (i = 0; i < n; i++) {
		tandem_mem_write(req->blk->mem, req->pieces[i].gpa, p,
				 req->pieces[i].len);
		p += req->pieces[i].len;
	}
}

/* Whether @nr sectors from @sector lie inside the disk. */
static bool vblk_in_disk(struct tandem_vblk *blk, u64 sector, u64 nr)
{
	u64 sectors = blk->size >> VBLK_SECTOR_SHIFT;

	return sector <= sectors && nr <= sectors - sector;
}

/**
 * tandem_vblk_complete() - the backend finished a request
 * @req: the request, as the backend operation received it
 * @err: 0, -EOPNOTSUPP (the guest sees VIRTIO_BLK_S_UNSUPP) or another
 *	negative errno (VIRTIO_BLK_S_IOERR)
 *
 * Writes the status byte, gives the chain back with the bytes written
 * (the data, on success, and the status byte) and signals the transport,
 * which interrupts the guest if it asked to be. A request popped before a
 * device reset is dropped. If requests were waiting for a free slot, takes
 * them before returning.
 *
 * Callable from any context, once per request; takes the device's lock.
 */
void tandem_vblk_complete(struct tandem_vblk_req *req, int err)
{
	struct tandem_vblk *blk = req->blk;
	struct tandem_vq_used used = { .id = req->chain.head, .len = 1 };
	unsigned long flags;
	bool rerun = false;
	u8 status;

	if (!err) {
		status = VIRTIO_BLK_S_OK;
		used.len += req->data_in;
	} else if (err == -EOPNOTSUPP) {
		status = VIRTIO_BLK_S_UNSUPP;
	} else {
		status = VIRTIO_BLK_S_IOERR;
	}

	spin_lock_irqsave(&blk->lock, flags);
	if (req->gen == blk->gen && blk->vmmio.queues[0].ready) {
		/* tandem_vq_push() orders the status before used->idx. */
		tandem_mem_write(blk->mem, req->status_gpa, &status, 1);
		tandem_vq_push(vblk_vq(blk), &used, 1);
		tandem_vmmio_signal_used(&blk->vmmio, 0);
	}
	req->busy = false;
	if (blk->starved) {
		blk->starved = false;
		if (blk->running)
			blk->again = true;
		else
			rerun = true;
	}
	spin_unlock_irqrestore(&blk->lock, flags);
	if (rerun)
		tandem_vblk_process(blk);
}

/*
 * The chain has no device-writable byte for the status: the driver broke
 * 5.2.6's layout and cannot be told. Break the queue, as the engine does
 * for a ring fault: the transport sets DEVICE_NEEDS_RESET.
 */
static void vblk_break(struct tandem_vblk *blk, struct tandem_vblk_req *req,
		       const char *reason)
{
	struct tandem_vq *vq = vblk_vq(blk);
	unsigned long flags;

	spin_lock_irqsave(&blk->lock, flags);
	vq->broken = true;
	vq->reason = reason;
	req->busy = false;
	spin_unlock_irqrestore(&blk->lock, flags);
	tandem_vmmio_queue_broken(&blk->vmmio, 0);
}

/* IN and OUT: @len data bytes from @sector, to or from guest buffers. */
static void vblk_rw(struct tandem_vblk *blk, struct tandem_vblk_req *req,
		    u64 sector, bool write, u32 len)
{
	unsigned int i;
	u64 pos;

	if (len % VBLK_SECTOR_SIZE ||
	    !vblk_in_disk(blk, sector, len >> VBLK_SECTOR_SHIFT)) {
		tandem_vblk_complete(req, -EINVAL);
		return;
	}
	req->pos = sector << VBLK_SECTOR_SHIFT;
	req->len = len;
	if (!len) {
		tandem_vblk_complete(req, 0);
		return;
	}
	/* Data follows the header (OUT) or precedes the status (IN). */
	vblk_map(req, !write, write ? sizeof(struct virtio_blk_outhdr) : 0,
		 len);
	pos = req->pos;
	for (i = 0; i < req->nr_pieces; i++) {
		req->pieces[i].pos = pos;
		pos += req->pieces[i].len;
	}
	if (write) {
		blk->ops->write(blk, req);
	} else {
		req->data_in = len;
		blk->ops->read(blk, req);
	}
}

/* DISCARD and WRITE_ZEROES: one range, the readable data after the header. */
static void vblk_zero(struct tandem_vblk *blk, struct tandem_vblk_req *req,
		      u32 data_out, u32 data_in)
{
	bool discard = req->type == VIRTIO_BLK_T_DISCARD;
	void (*op)(struct tandem_vblk *blk, struct tandem_vblk_req *req);
	struct virtio_blk_discard_write_zeroes range;
	u32 flags, nr;
	u64 sector;

	op = discard ? blk->ops->discard : blk->ops->write_zeroes;
	if (!op) {
		tandem_vblk_complete(req, -EOPNOTSUPP);
		return;
	}
	/* max_discard_seg and max_write_zeroes_seg are 1. */
	if (data_in || data_out != sizeof(range) || blk->read_only) {
		tandem_vblk_complete(req, -EINVAL);
		return;
	}
	vblk_gather(req, sizeof(struct virtio_blk_outhdr), &range,
		    sizeof(range));
	sector = __le64_to_cpu(range.sector);
	nr = __le32_to_cpu(range.num_sectors);
	flags = __le32_to_cpu(range.flags);
	/* 5.2.6.2: UNSUPP for a discard with the unmap flag; others reserved. */
	if (flags & ~(discard ? 0 : VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP)) {
		tandem_vblk_complete(req, -EOPNOTSUPP);
		return;
	}
	if (nr > TANDEM_VBLK_MAX_ZERO_SECTORS || !vblk_in_disk(blk, sector, nr)) {
		tandem_vblk_complete(req, -EINVAL);
		return;
	}
	req->pos = sector << VBLK_SECTOR_SHIFT;
	req->len = (u64)nr << VBLK_SECTOR_SHIFT;
	req->unmap = flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;
	if (!nr)
		tandem_vblk_complete(req, 0);
	else
		op(blk, req);
}

/* Check a popped chain (5.2.6) and hand it to the backend, or complete it. */
static void vblk_start(struct tandem_vblk *blk, struct tandem_vblk_req *req)
{
	u32 out = req->chain.out_bytes, in = req->chain.in_bytes;
	struct virtio_blk_outhdr hdr;
	u32 data_out, data_in;
	u64 sector;

	req->data_in = 0;
	req->nr_pieces = 0;
	req->unmap = false;
	if (!in) {
		vblk_break(blk, req, "virtio-blk request without a status byte");
		return;
	}
	vblk_map(req, true, in - 1, 1);
	req->status_gpa = req->pieces[0].gpa;
	if (out < sizeof(hdr)) {
		req->type = ~0U;
		tandem_vblk_complete(req, -EINVAL);
		return;
	}
	vblk_gather(req, 0, &hdr, sizeof(hdr));
	req->type = __virtio32_to_cpu(true, hdr.type);
	sector = __virtio64_to_cpu(true, hdr.sector);
	data_out = out - sizeof(hdr);
	data_in = in - 1;

	switch (req->type) {
	case VIRTIO_BLK_T_IN:
		if (data_out)
			tandem_vblk_complete(req, -EINVAL);
		else
			vblk_rw(blk, req, sector, false, data_in);
		break;
	case VIRTIO_BLK_T_OUT:
		/* 5.2.6.2: IOERR, and no data written, on a read-only disk. */
		if (data_in || blk->read_only)
			tandem_vblk_complete(req, -EROFS);
		else
			vblk_rw(blk, req, sector, true, data_out);
		break;
	case VIRTIO_BLK_T_FLUSH:
		if (!blk->ops->flush)
			tandem_vblk_complete(req, -EOPNOTSUPP);
		else if (data_out || data_in)
			tandem_vblk_complete(req, -EINVAL);
		else
			blk->ops->flush(blk, req);
		break;
	case VIRTIO_BLK_T_GET_ID:
		if (data_out) {
			tandem_vblk_complete(req, -EINVAL);
			break;
		}
		req->data_in = data_in < TANDEM_VBLK_ID_BYTES ?
			       data_in : TANDEM_VBLK_ID_BYTES;
		vblk_scatter(req, blk->serial, req->data_in);
		tandem_vblk_complete(req, 0);
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		vblk_zero(blk, req, data_out, data_in);
		break;
	default:
		tandem_vblk_complete(req, -EOPNOTSUPP);
		break;
	}
}

/**
 * tandem_vblk_process() - take the request queue's chains
 * @blk: the device
 *
 * Pops chains while a request slot is free, checks each and hands it to
 * the backend (or completes it at once). Called on the driver's
 * notification; a completion that frees a slot calls it again when chains
 * were left waiting. A call while another runs makes that one loop once
 * more. Breaks the queue (DEVICE_NEEDS_RESET) when the engine refuses a
 * chain or a chain has no status byte.
 *
 * Callable from any context; takes the device's lock.
 */
void tandem_vblk_process(struct tandem_vblk *blk)
{
	struct tandem_vblk_req *req;
	unsigned long flags;
	unsigned int i;
	int ret = 0;

	spin_lock_irqsave(&blk->lock, flags);
	if (blk->running) {
		blk->again = true;
		spin_unlock_irqrestore(&blk->lock, flags);
		return;
	}
	blk->running = true;
	while (blk->vmmio.queues[0].ready) {
		req = NULL;
		for (i = 0; i < TANDEM_VBLK_MAX_REQS && !req; i++)
			if (!blk->reqs[i].busy)
				req = &blk->reqs[i];
		ret = 0;
		if (req)
			ret = tandem_vq_pop(vblk_vq(blk), req->segs,
					    TANDEM_VBLK_CHAIN_SEGS, &req->chain);
		else
			blk->starved = true;
		if (ret < 0)
			break;
		/*
		 * Ring empty: ask for a notification of the next chain
		 * (avail_event with EVENT_IDX, which the driver reads before
		 * deciding to notify), unless chains came in meanwhile.
		 */
		if (!ret && req && tandem_vq_enable_notify(vblk_vq(blk)))
			continue;
		if (!ret) {
			if (!blk->again)
				break;
			blk->again = false;
			continue;
		}
		req->busy = true;
		req->gen = blk->gen;
		spin_unlock_irqrestore(&blk->lock, flags);
		vblk_start(blk, req);
		spin_lock_irqsave(&blk->lock, flags);
	}
	blk->running = false;
	blk->again = false;
	spin_unlock_irqrestore(&blk->lock, flags);
	if (ret < 0)
		tandem_vmmio_queue_broken(&blk->vmmio, 0);
}

static void vblk_config_read(struct tandem_vmmio *dev, u32 offset, int size,
			     u32 *val)
{
	struct tandem_vblk *blk = dev->priv;
	u32 v = 0;
	int i;

	for (i = size - 1; i >= 0; i--)
		v = v << 8 | blk->config[offset + i];
	*val = v;
}

static void vblk_queue_notify(struct tandem_vmmio *dev, unsigned int q)
{
	if (q == 0)
		tandem_vblk_process(dev->priv);
}

/*
 * Under the transport's lock, so the device lock cannot be taken (the
 * completion path takes them in the other order): requests in flight are
 * dropped when they complete, by their generation.
 */
static void vblk_reset(struct tandem_vmmio *dev)
{
	struct tandem_vblk *blk = dev->priv;

	blk->gen++;
}

static void vblk_set_irq(struct tandem_vmmio *dev, bool level)
{
	struct tandem_vblk *blk = dev->priv;

	blk->ops->set_irq(blk, level);
}

static const struct tandem_vmmio_ops vblk_vmmio_ops = {
	.config_read = vblk_config_read,
	.queue_notify = vblk_queue_notify,
	.reset = vblk_reset,
	.set_irq = vblk_set_irq,
};

/* Store @v as @bytes little-endian bytes at @off of the configuration. */
static void vblk_config_put(struct tandem_vblk *blk, size_t off, u64 v,
			    unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		blk->config[off + i] = (u8)(v >> (8 * i));
}

#define VBLK_CFG(field)		offsetof(struct virtio_blk_config, field)

/**
 * tandem_vblk_init() - set up a virtio-blk device in its reset state
 * @blk: the device, overwritten
 * @ops: the backend: @ops->read, @ops->write and @ops->set_irq required;
 *	the optional operations it has decide the features offered
 * @priv: the backend's data, kept in @blk->priv
 * @mem: guest RAM
 * @size: bytes of the disk: a non-zero multiple of 512
 * @read_only: offer VIRTIO_BLK_F_RO and refuse writes
 * @serial: what GET_ID returns (the first 20 bytes), or %NULL for none
 * @reason: set to a static string saying why on failure, to %NULL on
 *	success
 *
 * Return: 0, or -EINVAL for a size that is zero or not a multiple of
 * 512 bytes, or a backend without a required operation.
 */
int tandem_vblk_init(struct tandem_vblk *blk,
		     const struct tandem_vblk_backend_ops *ops, void *priv,
		     struct tandem_mem *mem, u64 size, bool read_only,
		     const char *serial, const char **reason)
{
	const u32 num_max = TANDEM_VBLK_QUEUE_SIZE;
	u64 features;
	unsigned int i;
	int err;

	*reason = NULL;
	if (!ops || !ops->read || !ops->write || !ops->set_irq) {
		*reason = "backend without read, write or set_irq";
		return -EINVAL;
	}
	if (!size) {
		*reason = "disk of size 0";
		return -EINVAL;
	}
	if (size % VBLK_SECTOR_SIZE) {
		*reason = "disk size not a multiple of 512 bytes";
		return -EINVAL;
	}

	spin_lock_init(&blk->lock);
	blk->ops = ops;
	blk->priv = priv;
	blk->mem = mem;
	blk->size = size;
	blk->read_only = read_only;
	blk->gen = 0;
	blk->running = false;
	blk->again = false;
	blk->starved = false;
	for (i = 0; i < TANDEM_VBLK_ID_BYTES; i++) {
		blk->serial[i] = serial ? serial[i] : 0;
		if (!blk->serial[i])
			serial = NULL;
	}
	for (i = 0; i < TANDEM_VBLK_MAX_REQS; i++) {
		blk->reqs[i].blk = blk;
		blk->reqs[i].busy = false;
	}

	features = (1ULL << VIRTIO_BLK_F_SIZE_MAX) |
		   (1ULL << VIRTIO_BLK_F_SEG_MAX) |
		   (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
		   (1ULL << VIRTIO_RING_F_EVENT_IDX) |
		   (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	if (read_only)
		features |= 1ULL << VIRTIO_BLK_F_RO;
	if (ops->flush)
		features |= 1ULL << VIRTIO_BLK_F_FLUSH;
	if (ops->discard)
		features |= 1ULL << VIRTIO_BLK_F_DISCARD;
	if (ops->write_zeroes)
		features |= 1ULL << VIRTIO_BLK_F_WRITE_ZEROES;

	for (i = 0; i < TANDEM_VBLK_CONFIG_LEN; i++)
		blk->config[i] = 0;
	vblk_config_put(blk, VBLK_CFG(capacity), size >> VBLK_SECTOR_SHIFT,
			8);
	vblk_config_put(blk, VBLK_CFG(size_max), TANDEM_VQ_MAX_CHAIN_BYTES,
			4);
	vblk_config_put(blk, VBLK_CFG(seg_max), TANDEM_VBLK_SEG_MAX, 4);
	vblk_config_put(blk, VBLK_CFG(blk_size), VBLK_SECTOR_SIZE, 4);
	if (ops->discard) {
		vblk_config_put(blk, VBLK_CFG(max_discard_sectors),
				TANDEM_VBLK_MAX_ZERO_SECTORS, 4);
		vblk_config_put(blk, VBLK_CFG(max_discard_seg), 1, 4);
		vblk_config_put(blk, VBLK_CFG(discard_sector_alignment), 1, 4);
	}
	if (ops->write_zeroes) {
		vblk_config_put(blk, VBLK_CFG(max_write_zeroes_sectors),
				TANDEM_VBLK_MAX_ZERO_SECTORS, 4);
		vblk_config_put(blk, VBLK_CFG(max_write_zeroes_seg), 1, 4);
		vblk_config_put(blk, VBLK_CFG(write_zeroes_may_unmap), 1, 1);
	}

	err = tandem_vmmio_init(&blk->vmmio, &vblk_vmmio_ops, blk, mem,
				VIRTIO_ID_BLOCK, features,
				TANDEM_VBLK_CONFIG_LEN, 1, &num_max);
	if (err)
		*reason = "the transport refused the device";
	return err;
}
