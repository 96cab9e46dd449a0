// SPDX-License-Identifier: GPL-2.0
/*
 * Disks: virtio-blk (virtio_blk.c) on a host file or block device.
 *
 * The request core pops and checks the guest's chains on the vCPU thread
 * that notified; every request that needs the backing file goes to a work
 * item of its own on the unbound system workqueue, so up to
 * %TANDEM_VBLK_MAX_REQS requests of one disk run at once, off the vCPU
 * threads. Data moves between the file and the guest's own pages, named
 * in a bio_vec array: no bounce buffer. FLUSH is vfs_fsync(); DISCARD and
 * WRITE_ZEROES are fallocate() where the file system has it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/bvec.h>
#include <linux/falloc.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/virtio_mmio.h>
#include <linux/workqueue.h>
#include <net/netlink.h>

#include "tandem_hv.h"
#include "vdev.h"
#include "virtio_blk.h"

/* Pages handed to the file in one call; a request may need several. */
#define DISK_BVECS	64

enum disk_op { DISK_READ, DISK_WRITE, DISK_FLUSH, DISK_DISCARD, DISK_ZEROES };

struct tandem_disk;

/**
 * struct disk_io - the work of one request slot
 * @work: runs disk_io_work()
 * @disk: the disk
 * @req: the request core's slot this work serves
 * @op: &enum disk_op
 * @bv: the guest pages of one call to the file
 */
struct disk_io {
	struct work_struct work;
	struct tandem_disk *disk;
	struct tandem_vblk_req *req;
	enum disk_op op;
	struct bio_vec bv[DISK_BVECS];
};

/**
 * struct tandem_disk - a disk
 * @vdev: the slot's device
 * @blk: the virtio-blk request core
 * @file: the backing file or block device
 * @path: its path, as resolved at attach
 * @lock: protects @dead against submissions
 * @dead: being destroyed: requests fail at once instead of queueing
 * @io: one work item per request slot of @blk
 */
struct tandem_disk {
	struct tandem_vdev vdev;
	struct tandem_vblk blk;
	struct file *file;
	struct file *direct;	/* a block device's O_DIRECT twin, or NULL */
	char *path;
	spinlock_t lock; /* @dead against submitters */
	bool dead;
	struct disk_io io[TANDEM_VBLK_MAX_REQS];
};

/* One call to the file with the pages gathered so far. */
/* Direct I/O wants sectors: every piece and the position 512-aligned. */
static bool disk_direct_ok(const struct bio_vec *bv, unsigned int n,
			   loff_t pos)
{
	unsigned int i, bits = pos;

	for (i = 0; i < n; i++)
		bits |= bv[i].bv_offset | bv[i].bv_len;
	return !(bits & (SECTOR_SIZE - 1));
}

static ssize_t disk_iter_file(struct file *file, struct iov_iter *iter,
			      loff_t *pos, bool write)
{
	ssize_t ret;

	if (!write)
		return vfs_iter_read(file, iter, pos, 0);
	file_start_write(file);
	ret = vfs_iter_write(file, iter, pos, 0);
	file_end_write(file);
	return ret;
}

/*
 * A block device is read and written with O_DIRECT where the request
 * allows it: the data goes between the device and the guest's pages with
 * no copy in the host's page cache (which would only double the guest's
 * own). Anything the device refuses (-EINVAL: alignment) goes buffered.
 */
static int disk_iter(struct tandem_disk *disk, struct bio_vec *bv,
		     unsigned int n, size_t bytes, loff_t *pos, bool write)
{
	struct iov_iter iter;
	ssize_t ret = -EINVAL;

	if (disk->direct && disk_direct_ok(bv, n, *pos)) {
		iov_iter_bvec(&iter, write ? ITER_SOURCE : ITER_DEST, bv, n,
			      bytes);
		ret = disk_iter_file(disk->direct, &iter, pos, write);
	}
	if (ret == -EINVAL) {
		iov_iter_bvec(&iter, write ? ITER_SOURCE : ITER_DEST, bv, n,
			      bytes);
		ret = disk_iter_file(disk->file, &iter, pos, write);
	}
	if (ret < 0)
		return ret;
	/* Short: the file shrank under the disk. */
	return ret == bytes ? 0 : -EIO;
}

/* IN and OUT: the request's pieces are consecutive on the disk. */
static int disk_rw(struct disk_io *io, bool write)
{
	struct tandem_vblk_req *req = io->req;
	struct tandem_mem *mem = io->disk->blk.mem;
	loff_t pos = req->pos;
	unsigned int i, n = 0;
	size_t bytes = 0;
	int err;

	for (i = 0; i < req->nr_pieces; i++) {
		u64 gpa = req->pieces[i].gpa;
		u32 left = req->pieces[i].len;

		if (!tandem_mem_range_ok(mem, gpa, left))
			return -EFAULT;
		while (left) {
			u32 off = offset_in_page(gpa);
			u32 len = min_t(u32, PAGE_SIZE - off, left);

			bvec_set_page(&io->bv[n++], mem->pages[gpa >> PAGE_SHIFT],
				      len, off);
			bytes += len;
			gpa += len;
			left -= len;
			if (n < DISK_BVECS)
				continue;
			err = disk_iter(io->disk, io->bv, n, bytes, &pos, write);
			if (err)
				return err;
			n = 0;
			bytes = 0;
		}
	}
	return n ? disk_iter(io->disk, io->bv, n, bytes, &pos, write) : 0;
}

/* WRITE_ZEROES where fallocate cannot: write the zero page over the range. */
static int disk_write_zero_pages(struct disk_io *io)
{
	u64 left = io->req->len;
	loff_t pos = io->req->pos;
	unsigned int n;
	size_t bytes;
	int err;

	while (left) {
		bytes = 0;
		for (n = 0; n < DISK_BVECS && left; n++) {
			u32 len = min_t(u64, PAGE_SIZE, left);

			bvec_set_page(&io->bv[n], ZERO_PAGE(0), len, 0);
			bytes += len;
			left -= len;
		}
		err = disk_iter(io->disk, io->bv, n, bytes, &pos, true);
		if (err)
			return err;
		cond_resched();
	}
	return 0;
}

static int disk_zero(struct disk_io *io)
{
	struct tandem_vblk_req *req = io->req;
	int mode, err;

	if (io->op == DISK_DISCARD || req->unmap)
		mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	else
		mode = FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
	err = vfs_fallocate(io->disk->file, mode, req->pos, req->len);
	if (err != -EOPNOTSUPP || io->op == DISK_DISCARD)
		return err;
	/* Zeroes asked for: they must be there, with or without unmapping. */
	if (mode & FALLOC_FL_ZERO_RANGE)
		err = vfs_fallocate(io->disk->file,
				    FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				    req->pos, req->len);
	return err == -EOPNOTSUPP ? disk_write_zero_pages(io) : err;
}

static void disk_io_work(struct work_struct *work)
{
	struct disk_io *io = container_of(work, struct disk_io, work);
	int err;

	switch (io->op) {
	case DISK_READ:
	case DISK_WRITE:
		err = disk_rw(io, io->op == DISK_WRITE);
		break;
	case DISK_FLUSH:
		err = vfs_fsync(io->disk->file, 0);
		break;
	default:
		err = disk_zero(io);
		break;
	}
	if (err && err != -EOPNOTSUPP)
		err = -EIO;
	tandem_vblk_complete(io->req, err);
}

/* Hand a request to its work item; any context (the vCPU thread's too). */
static void disk_submit(struct tandem_vblk *blk, struct tandem_vblk_req *req,
			enum disk_op op)
{
	struct tandem_disk *disk = container_of(blk, struct tandem_disk, blk);
	struct disk_io *io = &disk->io[req - blk->reqs];
	unsigned long flags;
	bool dead;

	io->req = req;
	io->op = op;
	spin_lock_irqsave(&disk->lock, flags);
	dead = disk->dead;
	if (!dead)
		queue_work(system_unbound_wq, &io->work);
	spin_unlock_irqrestore(&disk->lock, flags);
	if (dead)
		tandem_vblk_complete(req, -EIO);
}

static void disk_read(struct tandem_vblk *blk, struct tandem_vblk_req *req)
{
	disk_submit(blk, req, DISK_READ);
}

static void disk_write(struct tandem_vblk *blk, struct tandem_vblk_req *req)
{
	disk_submit(blk, req, DISK_WRITE);
}

static void disk_flush(struct tandem_vblk *blk, struct tandem_vblk_req *req)
{
	disk_submit(blk, req, DISK_FLUSH);
}

static void disk_discard(struct tandem_vblk *blk, struct tandem_vblk_req *req)
{
	disk_submit(blk, req, DISK_DISCARD);
}

static void disk_write_zeroes(struct tandem_vblk *blk,
			      struct tandem_vblk_req *req)
{
	disk_submit(blk, req, DISK_ZEROES);
}

static void disk_set_irq(struct tandem_vblk *blk, bool level)
{
	struct tandem_disk *disk = container_of(blk, struct tandem_disk, blk);

	tandem_irq_set(disk->vdev.dom, tandem_vdev_gsi(&disk->vdev), level);
}

static const struct tandem_vblk_backend_ops disk_ops = {
	.read = disk_read,
	.write = disk_write,
	.flush = disk_flush,
	.discard = disk_discard,
	.write_zeroes = disk_write_zeroes,
	.set_irq = disk_set_irq,
};

/* Files without fallocate() get neither DISCARD nor WRITE_ZEROES. */
static const struct tandem_vblk_backend_ops disk_ops_plain = {
	.read = disk_read,
	.write = disk_write,
	.flush = disk_flush,
	.set_irq = disk_set_irq,
};

static int disk_fill(struct sk_buff *skb, struct tandem_vdev *vdev)
{
	struct tandem_disk *disk = container_of(vdev, struct tandem_disk, vdev);

	return nla_put_string(skb, TANDEM_DEVICE_A_PATH, disk->path) ||
	       nla_put_u64_64bit(skb, TANDEM_DEVICE_A_SIZE, disk->blk.size,
				 TANDEM_DEVICE_A_PAD) ||
	       (disk->blk.read_only &&
		nla_put_flag(skb, TANDEM_DEVICE_A_READ_ONLY)) ||
	       (disk->blk.serial[0] &&
		nla_put_string(skb, TANDEM_DEVICE_A_SERIAL, disk->blk.serial));
}

static void disk_flush_io(struct tandem_disk *disk)
{
	unsigned int i;

	for (i = 0; i < TANDEM_VBLK_MAX_REQS; i++)
		flush_work(&disk->io[i].work);
}

/*
 * The queue is not ready after the reset, so completions that rerun the
 * request loop pop nothing: once the work items are flushed, nothing more
 * touches guest memory until the guest sets the device up again.
 */
static void disk_reset(struct tandem_vdev *vdev)
{
	struct tandem_disk *disk = container_of(vdev, struct tandem_disk, vdev);

	tandem_vmmio_write(&disk->blk.vmmio, VIRTIO_MMIO_STATUS, 4, 0);
	disk_flush_io(disk);
}

static void disk_destroy(struct tandem_vdev *vdev)
{
	struct tandem_disk *disk = container_of(vdev, struct tandem_disk, vdev);

	spin_lock_irq(&disk->lock);
	disk->dead = true;
	spin_unlock_irq(&disk->lock);
	/* Nothing is queued after this: completions only fail what is left. */
	disk_flush_io(disk);
	if (disk->direct)
		fput(disk->direct);
	fput(disk->file);
	kfree(disk->path);
	kfree(disk);
}

static const struct tandem_vdev_ops disk_vdev_ops = {
	.fill = disk_fill,
	.reset = disk_reset,
	.destroy = disk_destroy,
};

/**
 * tandem_disk_open() - open a disk's backing file for DEVICE_ATTACH
 * @att: the attach; gets the file, its resolved path and its size
 * @path: absolute path of a regular file or a block device
 * @reason: a message (static) when it fails
 *
 * Runs in the requester's context, so that its credentials decide whether
 * it may open the file (read-write unless @att->read_only).
 *
 * Return: 0 or an errno.
 */
int tandem_disk_open(struct tandem_attach *att, const char *path,
		     const char **reason)
{
	int flags = (att->read_only ? O_RDONLY : O_RDWR) | O_LARGEFILE;
	struct file *file;
	umode_t mode;
	loff_t size;
	char *buf, *p;

	file = filp_open(path, flags, 0);
	if (IS_ERR(file)) {
		switch (PTR_ERR(file)) {
		case -ENOENT:
			*reason = "no such file";
			break;
		case -EACCES:
		case -EPERM:
			*reason = "permission denied opening the file";
			break;
		case -EROFS:
			*reason = "the file is on a read-only file system: attach it read-only";
			break;
		case -EISDIR:
			*reason = "not a regular file or a block device";
			return -EINVAL;
		default:
			*reason = "cannot open the file";
		}
		return PTR_ERR(file);
	}
	mode = file_inode(file)->i_mode;
	if (!S_ISREG(mode) && !S_ISBLK(mode)) {
		*reason = "not a regular file or a block device";
		goto err_put;
	}
	size = vfs_llseek(file, 0, SEEK_END);
	if (size < 0) {
		*reason = "cannot find the file's size";
		goto err_put;
	}
	if (!size || size % 512) {
		*reason = size ? "size is not a multiple of 512 bytes" :
			  "the file is empty";
		goto err_put;
	}
	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!buf) {
		fput(file);
		*reason = "out of memory";
		return -ENOMEM;
	}
	p = d_path(&file->f_path, buf, PATH_MAX);
	if (IS_ERR(p)) {
		kfree(buf);
		*reason = "cannot resolve the file's path";
		goto err_put;
	}
	memmove(buf, p, strlen(p) + 1);
	att->file = file;
	att->path = buf;
	att->size = size;
	return 0;

err_put:
	fput(file);
	return -EINVAL;
}

/**
 * tandem_disk_create() - make the disk an allowed DEVICE_ATTACH asked for
 * @dom: the domain, in state created, its ctl_lock held
 * @att: the attach; its file and path are taken over on success
 * @slot: the free slot to use
 * @reason: a message when it fails
 *
 * Return: the device, or an ERR_PTR().
 */
struct tandem_vdev *tandem_disk_create(struct tandem_domain *dom,
				       struct tandem_attach *att, u32 slot,
				       const char **reason)
{
	const struct tandem_vblk_backend_ops *ops = &disk_ops;
	struct tandem_disk *disk;
	unsigned int i;
	int err;

	disk = kzalloc(sizeof(*disk), GFP_KERNEL_ACCOUNT);
	if (!disk) {
		*reason = "out of memory";
		return ERR_PTR(-ENOMEM);
	}
	if (!att->file->f_op->fallocate)
		ops = &disk_ops_plain;
	err = tandem_vblk_init(&disk->blk, ops, disk, &dom->mem, att->size,
			       att->read_only, att->serial, reason);
	if (err) {
		kfree(disk);
		return ERR_PTR(err);
	}
	spin_lock_init(&disk->lock);
	for (i = 0; i < TANDEM_VBLK_MAX_REQS; i++) {
		INIT_WORK(&disk->io[i].work, disk_io_work);
		disk->io[i].disk = disk;
	}
	disk->vdev.dom = dom;
	disk->vdev.type = TANDEM_DEVICE_DISK;
	disk->vdev.index = att->index;
	disk->vdev.slot = slot;
	disk->vdev.vmmio = &disk->blk.vmmio;
	disk->vdev.ops = &disk_vdev_ops;
	disk->file = att->file;
	disk->path = att->path;
	att->file = NULL;
	att->path = NULL;
	/* With the opener's credentials; without it, all goes buffered. */
	if (S_ISBLK(file_inode(disk->file)->i_mode)) {
		struct file *direct;

		direct = dentry_open(&disk->file->f_path,
				     (disk->file->f_flags &
				      (O_ACCMODE | O_LARGEFILE)) | O_DIRECT,
				     disk->file->f_cred);
		if (!IS_ERR(direct))
			disk->direct = direct;
	}
	return &disk->vdev;
}
