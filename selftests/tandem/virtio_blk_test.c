// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_blk_test: disks. tandem_policy.ko decides, with the lab's
 * configuration: disks from a directory made for the test (read-write)
 * and from another (read-only only), two at most per domain.
 *
 * The guest tests boot the lab's own kernel (uncompressed) with the guest
 * initramfs under `tandem create -f`, whose configuration file names the
 * disks. The guest's /init (tandem.run=blk) loads virtio_mmio, virtio_blk
 * and ext4, makes an ext4 file system on its first disk, writes 32 MiB of
 * known data, syncs, tries to write its read-only disk and powers off; the
 * lab host then checks the file system and the data in the backing file
 * with e2fsck and debugfs.
 *
 * The attach tests need no guest: they ask DEVICE_ATTACH directly and
 * check what the mechanism and the agent refuse, with which message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <tandem.h>

#include "kselftest_harness.h"
#include "guest_test.h"
#include "linux_guest.h"

#define MiB	(1024ULL * 1024)

/* The read-write disk: 64 MiB, sparse. */
#define DISK_BYTES	(64 * MiB)
/* The read-only disk: 1 MiB of this, repeated. */
#define RO_BYTES	MiB
#define RO_PATTERN	"tandem-ro-disk!!"
/* MiB the guest's /init writes to /data (linux_guest.h's data). */
#define DATA_MIB	32
/* ... when the domain is destroyed under later writes. */
#define DESTROY_MIB	4
/* ... on a block device. */
#define BDEV_MIB	8

FIXTURE(vblk) {
	struct tnl_sock s;
	struct treply r;
	struct tpolicy_lab lab;
	char dir[64], ro_dir[64];
	char img[128], ro_img[128], cfg[128];
	char name[32], marker[40];
	struct tg_domain d;
	int created;
	uint32_t id;	/* a domain made by tdom_create, or 0 */
};

/* A file of @len bytes: sparse, or @pattern repeated. */
static int make_file(const char *path, off_t len, const char *pattern)
{
	size_t plen = pattern ? strlen(pattern) : 0;
	char buf[4096];
	off_t done;
	int fd, err = 0;

	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	if (fd < 0)
		return -errno;
	if (!pattern) {
		if (ftruncate(fd, len))
			err = -errno;
	} else {
		for (done = 0; done < (off_t)sizeof(buf); done++)
			buf[done] = pattern[done % plen];
		for (done = 0; done < len && !err; done += sizeof(buf)) {
			size_t n = len - done < (off_t)sizeof(buf) ?
				   len - done : sizeof(buf);

			if (write(fd, buf, n) != (ssize_t)n)
				err = -EIO;
		}
	}
	if (close(fd) && !err)
		err = -errno;
	return err;
}

FIXTURE_SETUP(vblk)
{
	struct tpcfg cfg = {
		.present = (1u << TANDEM_PCFG_A_CPUS) |
			   (1u << TANDEM_PCFG_A_DISK_DIRS) |
			   (1u << TANDEM_PCFG_A_DISK_RO_DIRS) |
			   (1u << TANDEM_PCFG_A_MAX_DISKS) |
			   (1u << TANDEM_PCFG_A_MAX_MEMORY) |
			   (1u << TANDEM_PCFG_A_MEMORY_POOL),
		/* One CPU: the guest's clock stays steady (see linux_boot_test). */
		.cpus = "0",
		.max_disks = 2,
		.max_memory = 256 * MiB,
		.memory_pool = 512 * MiB,
	};
	const char *why;
	int err;

	gt_reap_stale("vblk");
	snprintf(self->name, sizeof(self->name), "vblk%d", getpid());
	snprintf(self->marker, sizeof(self->marker), "tandem.marker=%d%ld",
		 getpid(), gt_now_ms() % 100000);
	snprintf(self->dir, sizeof(self->dir), "/tmp/%s-disks", self->name);
	snprintf(self->ro_dir, sizeof(self->ro_dir), "/tmp/%s-ro", self->name);
	snprintf(self->img, sizeof(self->img), "%s/a.img", self->dir);
	snprintf(self->ro_img, sizeof(self->ro_img), "%s/r.img", self->ro_dir);
	snprintf(self->cfg, sizeof(self->cfg), "/tmp/%s.cfg", self->name);
	ASSERT_EQ(0, mkdir(self->dir, 0700));
	ASSERT_EQ(0, mkdir(self->ro_dir, 0700));
	ASSERT_EQ(0, make_file(self->img, DISK_BYTES, NULL));
	ASSERT_EQ(0, make_file(self->ro_img, RO_BYTES, RO_PATTERN));

	snprintf(cfg.disk_dirs, sizeof(cfg.disk_dirs), "%s", self->dir);
	snprintf(cfg.disk_ro_dirs, sizeof(cfg.disk_ro_dirs), "%s", self->ro_dir);
	err = tpolicy_lab_setup(&self->lab, &self->s, &cfg, &self->r, &why);
	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, self->r.ext_msg);
}

FIXTURE_TEARDOWN(vblk)
{
	char cmd[256];

	if (self->created) {
		tg_destroy(&self->d);
		tg_close(&self->d);
	}
	if (self->id)
		tdom_destroy(&self->s, self->id, &self->r);
	tpolicy_lab_teardown(&self->lab, &self->s, &self->r);
	unlink(self->cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", self->dir, self->ro_dir);
	if (system(cmd))
		TH_LOG("%s failed", cmd);
}

/*
 * `tandem create -f` a guest with tandem.run=@run_mode, tandem.mib=@mib
 * and the two disks.
 */
static int create_guest(FIXTURE_DATA(vblk) *self, const char *run_mode,
			int mib, char *out, size_t len)
{
	char args[160];
	FILE *f;
	int rc;

	f = fopen(self->cfg, "w");
	if (!f)
		return -errno;
	fprintf(f, "name = \"%s\"\nmemory = %d\nvcpus = 1\n"
		"kernel = \"%s\"\nramdisk = \"%s\"\n"
		"cmdline = \"console=ttyS0 %s tandem.run=%s tandem.mib=%d\"\n"
		"on_poweroff = \"destroy\"\non_reboot = \"restart\"\n"
		"disk = [ \"path=%s\", \"path=%s, ro\" ]\n",
		self->name, GUEST_MIB, GUEST_VMLINUX, GUEST_INITRD,
		self->marker, run_mode, mib, self->img, self->ro_img);
	if (fclose(f))
		return -errno;
	snprintf(args, sizeof(args), "create -f %s", self->cfg);
	rc = tcli_run(args, out, len);
	self->created = !tg_attach(&self->d, self->name);
	return rc;
}

/* The MD5 of /data in the ext4 image @img, read with debugfs. */
static int image_sum(const char *img, char *sum, size_t len)
{
	char cmd[256], out[128];

	snprintf(cmd, sizeof(cmd),
		 "debugfs -R 'cat /data' %s 2>/dev/null | md5sum", img);
	if (lg_run(cmd, out, sizeof(out)) || strlen(out) < 32)
		return -1;
	snprintf(sum, len, "%.32s", out);
	return 0;
}

/*
 * The guest finds both disks in the DSDT (virtio_mmio binds LNRO0005),
 * with their sizes and the read-only one marked so; makes ext4 on the
 * first, writes 32 MiB, syncs, unmounts (meanwhile neither an attach nor
 * a detach is allowed); its write to the read-only disk fails and the
 * disk's first bytes stay. It powers off and the domain is destroyed
 * (on_poweroff = destroy). On the lab host e2fsck finds the file system
 * clean, /data in the backing file has the checksum the lab host computes
 * for the data, and the read-only backing file is as it was.
 */
TEST_F_TIMEOUT(vblk, guest_makes_ext4_and_its_data_reaches_the_file, 900)
{
	char out[4096], want[256], sum[40], got[40];
	char ro_head[40] = "";
	uint32_t id;
	size_t i;
	int rc;

	LG_NEED_GUEST(TG_LONG);
	ASSERT_EQ(0, lg_expected_sum(DATA_MIB, sum, sizeof(sum)));
	for (i = 0; i < 16; i++)
		snprintf(ro_head + 2 * i, 3, "%02x", RO_PATTERN[i]);

	rc = create_guest(self, "blk", DATA_MIB, out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("tandem create -f:\n%s", out);
	ASSERT_TRUE(self->created);
	id = self->d.id;

	/* Sizes in 512-byte sectors, then the ro flag. */
	snprintf(want, sizeof(want), "tandem-guest: disks vda:%llu:0: vdb:%llu:1:",
		 DISK_BYTES / 512, RO_BYTES / 512);
	LG_WAIT(&self->d, want, BOOT_TIMEOUT);
	LG_WAIT(&self->d, "tandem-guest: blk data synced", BOOT_TIMEOUT);
	/* While it runs: no attach (no hotplug), no detach under the guest. */
	EXPECT_EQ(-EINVAL, tdev_attach_disk(&self->s, id, self->img, 0, NULL,
					    &self->r));
	EXPECT_NE(NULL, strstr(self->r.ext_msg, "not in state created"))
		TH_LOG("%s", self->r.ext_msg);
	EXPECT_EQ(-EBUSY, tdev_detach(&self->s, id, TANDEM_DEVICE_DISK, 0,
				      &self->r));
	EXPECT_NE(NULL, strstr(self->r.ext_msg, "running or paused"))
		TH_LOG("%s", self->r.ext_msg);
	LG_WAIT(&self->d, "tandem-guest: blk unmounted", BOOT_TIMEOUT);
	LG_WAIT(&self->d, "tandem-guest: blk ro write refused", BOOT_TIMEOUT);
	snprintf(want, sizeof(want), "tandem-guest: blk ro head %s", ro_head);
	LG_WAIT(&self->d, want, BOOT_TIMEOUT);
	LG_WAIT(&self->d, "tandem-guest: blk done", BOOT_TIMEOUT);
	snprintf(want, sizeof(want), "console %s --send \"$(printf '\\r')\"",
		 self->name);
	ASSERT_EQ(0, tcli_run(want, out, sizeof(out))) TH_LOG("%s", out);
	ASSERT_EQ(0, lg_wait_gone(&self->s, id, 120000))
		TH_LOG("the domain was not destroyed at power-off");
	self->created = 0;
	tg_close(&self->d);

	snprintf(want, sizeof(want), "e2fsck -fn %s 2>&1", self->img);
	rc = lg_run(want, out, sizeof(out));
	EXPECT_EQ(0, rc) TH_LOG("%s: %d\n%s", want, rc, out);
	ASSERT_EQ(0, image_sum(self->img, got, sizeof(got)));
	EXPECT_STREQ(sum, got);
	snprintf(want, sizeof(want), "head -c 16 %s | od -An -tx1 | tr -d ' \\n'",
		 self->ro_img);
	ASSERT_EQ(0, lg_run(want, out, sizeof(out)));
	EXPECT_STREQ(ro_head, out);
}

/*
 * The guest writes /data (4 MiB), syncs and reboots; the domain restarts
 * (on_reboot = restart), its disk reset with it, and the rebooted guest
 * finds /data intact on the same disk. It goes on writing other files and
 * the domain is destroyed under it. The backing file holds a file system
 * that e2fsck recovers from its journal (at most corrections, status 1)
 * and then finds clean, with /data as it was synced: what was flushed
 * survives.
 */
TEST_F_TIMEOUT(vblk, reboot_then_destroy_mid_write_keeps_what_was_flushed, 900)
{
	char out[4096], cmd[256], sum[40], got[40];
	struct gt_stats st;
	int rc;

	LG_NEED_GUEST(TG_LONG);
	ASSERT_EQ(0, lg_expected_sum(DESTROY_MIB, sum, sizeof(sum)));
	rc = create_guest(self, "blkdestroy", DESTROY_MIB, out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("tandem create -f:\n%s", out);
	ASSERT_TRUE(self->created);
	LG_WAIT(&self->d, "tandem-guest: blk rebooting", BOOT_TIMEOUT);
	snprintf(cmd, sizeof(cmd), "tandem-guest: blk after reboot %s", sum);
	rc = lg_wait_console(&self->d, "tandem-guest: blk after reboot ",
			     BOOT_TIMEOUT, 1);
	ASSERT_EQ(0, rc) TH_LOG("no reboot (%s); console:\n%s", strerror(-rc),
				self->d.console);
	EXPECT_NE(NULL, strstr(self->d.console, cmd))
		TH_LOG("console:\n%s", self->d.console);
	LG_WAIT(&self->d, "tandem-guest: blk writing", BOOT_TIMEOUT);
	ASSERT_EQ(0, gt_get(&self->d, &st));
	EXPECT_EQ(TANDEM_STATE_RUNNING, st.state);
	/* Let writes of the next files reach the disk, then pull the plug. */
	usleep(500000);
	ASSERT_EQ(0, tg_destroy(&self->d)) TH_LOG("destroy: %s", self->d.msg);
	self->created = 0;
	tg_close(&self->d);

	snprintf(cmd, sizeof(cmd), "e2fsck -fy %s 2>&1", self->img);
	rc = lg_run(cmd, out, sizeof(out));
	EXPECT_LE(rc, 1) TH_LOG("%s: %d\n%s", cmd, rc, out);
	TH_LOG("%s: %d\n%s", cmd, rc, out);
	snprintf(cmd, sizeof(cmd), "e2fsck -fn %s 2>&1", self->img);
	rc = lg_run(cmd, out, sizeof(out));
	EXPECT_EQ(0, rc) TH_LOG("%s: %d\n%s", cmd, rc, out);
	ASSERT_EQ(0, image_sum(self->img, got, sizeof(got)));
	EXPECT_STREQ(sum, got);
}

/*
 * A RAM block device of the lab (brd, DISK_BYTES like the file) as the
 * read-write disk, through a device node in the allowed directory.
 */
static int make_ramdisk(FIXTURE_DATA(vblk) *self, char *out, size_t len)
{
	char cmd[512];

	snprintf(self->img, sizeof(self->img), "%s/ram0", self->dir);
	snprintf(cmd, sizeof(cmd),
		 "{ [ -e /sys/block/ram0 ] || insmod \"$(find /lib/modules/$(uname -r) -name brd.ko | head -n 1)\" rd_nr=1 rd_size=%llu; } 2>&1 && "
		 "mknod %s b $(cut -d: -f1 /sys/block/ram0/dev) $(cut -d: -f2 /sys/block/ram0/dev) 2>&1",
		 DISK_BYTES / 1024, self->img);
	return lg_run(cmd, out, len);
}

/*
 * A block device as the disk: the guest makes ext4 and writes 8 MiB as
 * above, and e2fsck and the data's checksum on the device itself show
 * that all of it got there. Tandem reads and writes a block device with
 * O_DIRECT wherever the request's alignment allows, bypassing the lab's
 * page cache: the device, not a cache of it, must hold the data.
 */
TEST_F_TIMEOUT(vblk, block_device_disk_holds_the_guests_file_system, 900)
{
	char out[4096], cmd[384], sum[40], got[40];
	int rc;

	LG_NEED_GUEST(TG_LONG);
	ASSERT_EQ(0, lg_expected_sum(BDEV_MIB, sum, sizeof(sum)));
	rc = make_ramdisk(self, out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("no RAM disk (brd): %d\n%s", rc, out);
	rc = create_guest(self, "blk", BDEV_MIB, out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("tandem create -f:\n%s", out);
	ASSERT_TRUE(self->created);
	snprintf(cmd, sizeof(cmd), "tandem-guest: disks vda:%llu:0:",
		 DISK_BYTES / 512);
	LG_WAIT(&self->d, cmd, BOOT_TIMEOUT);
	LG_WAIT(&self->d, "tandem-guest: blk done", BOOT_TIMEOUT);
	snprintf(cmd, sizeof(cmd), "console %s --send \"$(printf '\\r')\"",
		 self->name);
	ASSERT_EQ(0, tcli_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	ASSERT_EQ(0, lg_wait_gone(&self->s, self->d.id, 120000))
		TH_LOG("the domain was not destroyed at power-off");
	self->created = 0;
	tg_close(&self->d);

	/* What the device holds, not what the lab's page cache has of it. */
	snprintf(cmd, sizeof(cmd), "blockdev --flushbufs %s 2>&1; e2fsck -fn %s 2>&1",
		 self->img, self->img);
	rc = lg_run(cmd, out, sizeof(out));
	EXPECT_EQ(0, rc) TH_LOG("%s: %d\n%s", cmd, rc, out);
	ASSERT_EQ(0, image_sum(self->img, got, sizeof(got)));
	EXPECT_STREQ(sum, got);
	/* The lab's 64 MiB back. */
	if (system("rmmod brd 2>/dev/null"))
		TH_LOG("brd stays loaded");
}

/* A domain in state created for the attach tests (16 MiB, no guest). */
static void create_plain(struct __test_metadata *_metadata,
			 FIXTURE_DATA(vblk) *self)
{
	ASSERT_EQ(0, tdom_create(&self->s, self->name, 16 * MiB, 1, &self->r))
		TH_LOG("create: %s", self->r.ext_msg);
	self->id = treply_u32(&self->r, TANDEM_DOMAIN_A_ID, 0);
	ASSERT_NE(0, self->id);
}

/* Attach must fail with @err and a message containing @msg. */
#define ATTACH_FAILS(path, ro, err, msg) do {				\
	int __rc = tdev_attach_disk(&self->s, self->id, path, ro, NULL,	\
				    &self->r);				\
	EXPECT_EQ(err, __rc) TH_LOG("%s: %s", path, self->r.ext_msg);	\
	EXPECT_NE(NULL, strstr(self->r.ext_msg, msg))			\
		TH_LOG("%s: \"%s\", not \"%s\"", path, self->r.ext_msg, msg); \
} while (0)

/*
 * The agent's rules, each saying which one refused: a file outside
 * disk_dirs (also through a symlink from inside: the kernel resolves the
 * path it opened), a read-write attach from disk_ro_dirs, a third disk
 * (max_disks = 2). The same read-only attach is allowed.
 */
TEST_F(vblk, policy_denies_disks_outside_its_rules)
{
	char outside[96], link[160];

	create_plain(_metadata, self);
	snprintf(outside, sizeof(outside), "/tmp/%s-outside.img", self->name);
	ASSERT_EQ(0, make_file(outside, MiB, NULL));
	snprintf(link, sizeof(link), "%s/link.img", self->dir);
	ASSERT_EQ(0, symlink(outside, link));

	ATTACH_FAILS(outside, 0, -EACCES, "outside disk_dirs");
	ATTACH_FAILS(link, 0, -EACCES, "outside disk_dirs");
	ATTACH_FAILS(self->ro_img, 0, -EACCES, "disk_ro_dirs");
	unlink(outside);

	ASSERT_EQ(0, tdev_attach_disk(&self->s, self->id, self->ro_img, 1,
				      NULL, &self->r))
		TH_LOG("%s read-only: %s", self->ro_img, self->r.ext_msg);
	ASSERT_EQ(0, tdev_attach_disk(&self->s, self->id, self->img, 0, NULL,
				      &self->r))
		TH_LOG("%s: %s", self->img, self->r.ext_msg);
	ATTACH_FAILS(self->img, 0, -EACCES, "max_disks");
}

/*
 * What the mechanism refuses before asking: a relative path, a missing
 * file, a directory, a size that is not a multiple of 512 bytes, an empty
 * file, a serial that is not printable, NIC attributes on a disk, no
 * path.
 */
TEST_F(vblk, mechanism_refuses_bad_disks_with_messages)
{
	char odd[160], empty[160];
	struct tmsg m;

	create_plain(_metadata, self);
	snprintf(odd, sizeof(odd), "%s/odd.img", self->dir);
	snprintf(empty, sizeof(empty), "%s/empty.img", self->dir);
	ASSERT_EQ(0, make_file(odd, 1000, "x"));
	ASSERT_EQ(0, make_file(empty, 0, NULL));

	ATTACH_FAILS("disks/a.img", 0, -EINVAL, "path must be absolute");
	ATTACH_FAILS("/nonexistent/a.img", 0, -ENOENT, "no such file");
	ATTACH_FAILS(self->dir, 0, -EINVAL, "not a regular file or a block device");
	ATTACH_FAILS(odd, 0, -EINVAL, "not a multiple of 512");
	ATTACH_FAILS(empty, 0, -EINVAL, "empty");

	EXPECT_EQ(-EINVAL, tdev_attach_disk(&self->s, self->id, self->img, 0,
					    "bad\tserial", &self->r));
	EXPECT_STREQ("serial must be printable ASCII", self->r.ext_msg);

	tmsg_domain(&self->s, &m, TANDEM_CMD_DEVICE_ATTACH, self->id, NULL);
	tmsg_put_u32(&m, TANDEM_DEVICE_A_TYPE, TANDEM_DEVICE_DISK);
	tmsg_put_str(&m, TANDEM_DEVICE_A_PATH, self->img);
	tmsg_put_str(&m, TANDEM_DEVICE_A_IFNAME, "tdmx");
	ASSERT_EQ(0, tnl_transact(&self->s, &m, &self->r));
	EXPECT_EQ(-EINVAL, self->r.err);
	EXPECT_STREQ("attribute is for NICs, not disks", self->r.ext_msg);

	tmsg_domain(&self->s, &m, TANDEM_CMD_DEVICE_ATTACH, self->id, NULL);
	tmsg_put_u32(&m, TANDEM_DEVICE_A_TYPE, TANDEM_DEVICE_DISK);
	ASSERT_EQ(0, tnl_transact(&self->s, &m, &self->r));
	EXPECT_EQ(-EINVAL, self->r.err);
	EXPECT_STREQ("missing attribute: path", self->r.ext_msg);
}

/* The devices DOMAIN_GET lists for @id: how many, and the first in @first. */
static int list_devices(FIXTURE_DATA(vblk) *self, const struct nlattr **first,
			int *nr)
{
	const struct nlattr *list, *dev;

	*nr = 0;
	*first = NULL;
	if (tdom_get(&self->s, self->id, &self->r))
		return -1;
	list = self->r.tb[TANDEM_DOMAIN_A_DEVICES];
	if (!list)
		return 0;
	tnla_for_each_nested(dev, list) {
		if (!*first)
			*first = dev;
		(*nr)++;
	}
	return 0;
}

/* One attribute of a device nest, or NULL. */
static const struct nlattr *dev_attr(const struct nlattr *dev, int type)
{
	const struct nlattr *a;

	tnla_for_each_nested(a, dev)
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
	return NULL;
}

/*
 * An allowed attach replies with the device: disk 0 in slot 0, its
 * registers at the first window, GSI 16, the resolved path, the size, the
 * serial; DOMAIN_GET lists it the same way. A second disk takes slot 1,
 * GSI 17. Detaching disk 0 frees its slot and index, which the next
 * attach takes again; a detach of a disk that is not there says so.
 */
TEST_F(vblk, attach_lists_and_detach_frees_slots)
{
	const struct nlattr *dev;
	char path[160];
	int nr;

	create_plain(_metadata, self);
	/* A path with a "." in it: the reply has the resolved one. */
	snprintf(path, sizeof(path), "%s/./a.img", self->dir);
	ASSERT_EQ(0, tdev_attach_disk(&self->s, self->id, path, 0, "SER-1",
				      &self->r))
		TH_LOG("%s", self->r.ext_msg);
	EXPECT_EQ(TANDEM_DEVICE_DISK, treply_u32(&self->r, TANDEM_DEVICE_A_TYPE, 0));
	EXPECT_EQ(0, treply_u32(&self->r, TANDEM_DEVICE_A_INDEX, 99));
	EXPECT_EQ(0, treply_u32(&self->r, TANDEM_DEVICE_A_SLOT, 99));
	EXPECT_EQ(TANDEM_VIRTIO_MMIO_BASE,
		  treply_u64(&self->r, TANDEM_DEVICE_A_MMIO_BASE, 0));
	EXPECT_EQ(TANDEM_VIRTIO_GSI_BASE,
		  treply_u32(&self->r, TANDEM_DEVICE_A_GSI, 0));
	EXPECT_EQ(DISK_BYTES, treply_u64(&self->r, TANDEM_DEVICE_A_SIZE, 0));
	EXPECT_STREQ(self->img, treply_str(&self->r, TANDEM_DEVICE_A_PATH));
	EXPECT_STREQ("SER-1", treply_str(&self->r, TANDEM_DEVICE_A_SERIAL));
	EXPECT_EQ(NULL, self->r.tb[TANDEM_DEVICE_A_READ_ONLY]);

	ASSERT_EQ(0, list_devices(self, &dev, &nr));
	ASSERT_EQ(1, nr);
	ASSERT_NE(NULL, dev_attr(dev, TANDEM_DEVICE_A_PATH));
	EXPECT_STREQ(self->img, tnla_data(dev_attr(dev, TANDEM_DEVICE_A_PATH)));

	ASSERT_EQ(0, tdev_attach_disk(&self->s, self->id, self->ro_img, 1, NULL,
				      &self->r))
		TH_LOG("%s", self->r.ext_msg);
	EXPECT_EQ(1, treply_u32(&self->r, TANDEM_DEVICE_A_INDEX, 99));
	EXPECT_EQ(1, treply_u32(&self->r, TANDEM_DEVICE_A_SLOT, 99));
	EXPECT_EQ(TANDEM_VIRTIO_GSI_BASE + 1,
		  treply_u32(&self->r, TANDEM_DEVICE_A_GSI, 0));
	EXPECT_EQ(TANDEM_VIRTIO_MMIO_BASE + TANDEM_VIRTIO_MMIO_STRIDE,
		  treply_u64(&self->r, TANDEM_DEVICE_A_MMIO_BASE, 0));
	EXPECT_NE(NULL, self->r.tb[TANDEM_DEVICE_A_READ_ONLY]);

	ASSERT_EQ(0, tdev_detach(&self->s, self->id, TANDEM_DEVICE_DISK, 0,
				 &self->r))
		TH_LOG("%s", self->r.ext_msg);
	ASSERT_EQ(0, list_devices(self, &dev, &nr));
	EXPECT_EQ(1, nr);
	EXPECT_EQ(-ENOENT, tdev_detach(&self->s, self->id, TANDEM_DEVICE_DISK, 0,
				       &self->r));
	EXPECT_STREQ("the domain has no such device", self->r.ext_msg);

	ASSERT_EQ(0, tdev_attach_disk(&self->s, self->id, self->img, 0, NULL,
				      &self->r))
		TH_LOG("%s", self->r.ext_msg);
	EXPECT_EQ(0, treply_u32(&self->r, TANDEM_DEVICE_A_INDEX, 99));
	EXPECT_EQ(0, treply_u32(&self->r, TANDEM_DEVICE_A_SLOT, 99));
}

TEST_HARNESS_MAIN
