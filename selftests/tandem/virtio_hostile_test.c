// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_hostile_test: a guest that drives a virtio-blk disk against the
 * rules. The guest is guest/vscript_long.S, an "MMIO script" interpreter:
 * before starting the domain the host writes the script (register writes
 * and reads on the disk's virtio-mmio window, waits on a 16-bit word of
 * RAM) and every ring, descriptor, request header and buffer into guest
 * RAM. Each case breaks one rule that kmod-hv/virtqueue.c, virtio_mmio.c
 * or virtio_blk.c enforce (see Documentation/devices.rst) and checks the
 * documented outcome: DEVICE_NEEDS_RESET in Status, the configuration
 * change bit in InterruptStatus, the reason in DOMAIN_GET's device list,
 * a domain still running, and a host kernel log without warnings.
 *
 * tandem_policy.ko decides: disks from a directory made for the test
 * (and a read-only one), MEM_WRITE also while running (the host releases
 * a waiting script).
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

#define MiB	(1024ULL * 1024)
#define MEMORY	(16 * MiB)
#define DISK_BYTES	MiB
#define SERIAL	"HOSTILE-SERIAL-01"

/* guest/vscript_long.S: keep in step. */
#define SCRIPT_GPA	0x20000ULL
#define OP_DONE		0
#define OP_W32		1
#define OP_W16		2
#define OP_R32		3
#define OP_WAIT16	4

/* Guest RAM the host lays out before the start. */
#define GO_GPA		0x30000ULL	/* u16 the host sets to release a wait */
#define DESC_GPA	0x100000ULL
#define AVAIL_GPA	0x101000ULL
#define USED_GPA	0x102000ULL
#define DESC2_GPA	0x110000ULL	/* a second, valid queue (recovery) */
#define AVAIL2_GPA	0x111000ULL
#define USED2_GPA	0x112000ULL
#define HDR_GPA		0x103000ULL
#define ID_GPA		0x103100ULL
#define STATUS_GPA	0x103200ULL
#define HDR2_GPA	0x113000ULL
#define ID2_GPA		0x113100ULL
#define STATUS2_GPA	0x113200ULL
#define INDIRECT_GPA	0x104000ULL
#define DATA_GPA	0x105000ULL

/* virtio-mmio version 2 registers (virtio 1.2, 4.2.2). */
#define MMIO			TANDEM_VIRTIO_MMIO_BASE	/* slot 0 */
#define R_DRIVER_FEATURES	0x020
#define R_DRIVER_FEATURES_SEL	0x024
#define R_QUEUE_SEL		0x030
#define R_QUEUE_NUM		0x038
#define R_QUEUE_READY		0x044
#define R_QUEUE_NOTIFY		0x050
#define R_INTERRUPT_STATUS	0x060
#define R_STATUS		0x070
#define R_QUEUE_DESC_LOW	0x080
#define R_QUEUE_DESC_HIGH	0x084
#define R_QUEUE_AVAIL_LOW	0x090
#define R_QUEUE_AVAIL_HIGH	0x094
#define R_QUEUE_USED_LOW	0x0a0
#define R_QUEUE_USED_HIGH	0x0a4

#define S_ACK		0x01
#define S_DRIVER	0x02
#define S_DRIVER_OK	0x04
#define S_FEATURES_OK	0x08
#define S_NEEDS_RESET	0x40
#define S_LIVE		(S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)

#define INT_VRING	0x1
#define INT_CONFIG	0x2

/* Negotiated: VIRTIO_F_VERSION_1 (32) and VIRTIO_RING_F_INDIRECT_DESC (28). */
#define FEAT_LOW	(1u << 28)
#define FEAT_HIGH	1u

#define D_NEXT		1
#define D_WRITE		2
#define D_INDIRECT	4

#define BLK_T_OUT	1
#define BLK_T_GET_ID	8
#define BLK_S_OK	0
#define BLK_S_IOERR	1

/* Rounds of a wait on used->idx: the request completes during the notify. */
#define WAIT_ROUNDS	100000
#define UCALL_MS	60000

struct vop {
	uint32_t op;
	uint32_t limit;
	uint64_t addr;
	uint64_t val;
};

struct vdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct script {
	struct vop ops[128];
	int n;
};

static void s_op(struct script *sc, uint32_t op, uint32_t limit,
		 uint64_t addr, uint64_t val)
{
	if (sc->n < (int)ARRAY_SIZE(sc->ops) - 1)
		sc->ops[sc->n++] = (struct vop){ op, limit, addr, val };
}

static void s_w32(struct script *sc, uint32_t reg, uint32_t val)
{
	s_op(sc, OP_W32, 0, MMIO + reg, val);
}

static void s_r32(struct script *sc, uint32_t reg)
{
	s_op(sc, OP_R32, 0, MMIO + reg, 0);
}

static void s_wait16(struct script *sc, uint64_t gpa, uint16_t val,
		     uint32_t rounds)
{
	s_op(sc, OP_WAIT16, rounds, gpa, val);
}

/* Reset, ACKNOWLEDGE, DRIVER, negotiate, FEATURES_OK; queue 0's layout, ready. */
static void s_queue(struct script *sc, uint32_t num, uint64_t desc,
		    uint64_t avail, uint64_t used)
{
	s_w32(sc, R_STATUS, 0);
	s_w32(sc, R_STATUS, S_ACK);
	s_w32(sc, R_STATUS, S_ACK | S_DRIVER);
	s_w32(sc, R_DRIVER_FEATURES_SEL, 1);
	s_w32(sc, R_DRIVER_FEATURES, FEAT_HIGH);
	s_w32(sc, R_DRIVER_FEATURES_SEL, 0);
	s_w32(sc, R_DRIVER_FEATURES, FEAT_LOW);
	s_w32(sc, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	s_w32(sc, R_QUEUE_SEL, 0);
	s_w32(sc, R_QUEUE_NUM, num);
	s_w32(sc, R_QUEUE_DESC_LOW, (uint32_t)desc);
	s_w32(sc, R_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	s_w32(sc, R_QUEUE_AVAIL_LOW, (uint32_t)avail);
	s_w32(sc, R_QUEUE_AVAIL_HIGH, (uint32_t)(avail >> 32));
	s_w32(sc, R_QUEUE_USED_LOW, (uint32_t)used);
	s_w32(sc, R_QUEUE_USED_HIGH, (uint32_t)(used >> 32));
	s_w32(sc, R_QUEUE_READY, 1);
}

/* s_queue(), DRIVER_OK, notify queue 0, then read Status and InterruptStatus. */
static void s_kick(struct script *sc, uint32_t num, uint64_t desc,
		   uint64_t avail, uint64_t used)
{
	s_queue(sc, num, desc, avail, used);
	s_w32(sc, R_STATUS, S_LIVE);
	s_w32(sc, R_QUEUE_NOTIFY, 0);
	s_r32(sc, R_STATUS);
	s_r32(sc, R_INTERRUPT_STATUS);
}

static void s_done(struct script *sc)
{
	s_op(sc, OP_DONE, 0, 0, 0);
}

FIXTURE(vhostile) {
	struct tnl_sock s;
	struct treply r;
	struct tpolicy_lab lab;
	int kmsg;
	char dir[64], ro_dir[64], img[128], ro_img[128];
	struct tg_domain d, d2;
	int created, created2;
	const char *skip;
	size_t pos;
	char line[256];
};

/* A file of @len bytes of @c. */
static int make_file(const char *path, size_t len, int c)
{
	char buf[4096];
	size_t done;
	int fd, err = 0;

	memset(buf, c, sizeof(buf));
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	if (fd < 0)
		return -errno;
	for (done = 0; done < len && !err; done += sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

FIXTURE_SETUP(vhostile)
{
	struct tpcfg cfg = {
		.present = (1u << TANDEM_PCFG_A_DISK_DIRS) |
			   (1u << TANDEM_PCFG_A_DISK_RO_DIRS) |
			   (1u << TANDEM_PCFG_A_MAX_DISKS) |
			   (1u << TANDEM_PCFG_A_MAX_MEMORY) |
			   (1u << TANDEM_PCFG_A_MEMORY_POOL) |
			   (1u << TANDEM_PCFG_A_MEM_WRITE_STATES),
		.max_disks = 2,
		.max_memory = 64 * MiB,
		.memory_pool = 256 * MiB,
		.mem_write_states = 1u << TANDEM_STATE_CREATED |
				    1u << TANDEM_STATE_RUNNING |
				    1u << TANDEM_STATE_PAUSED,
	};
	const char *why;
	int err;

	self->kmsg = gt_kmsg_open();
	snprintf(self->dir, sizeof(self->dir), "/tmp/vhostile%d-disks", getpid());
	snprintf(self->ro_dir, sizeof(self->ro_dir), "/tmp/vhostile%d-ro", getpid());
	snprintf(self->img, sizeof(self->img), "%s/a.img", self->dir);
	snprintf(self->ro_img, sizeof(self->ro_img), "%s/r.img", self->ro_dir);
	ASSERT_EQ(0, mkdir(self->dir, 0700));
	ASSERT_EQ(0, mkdir(self->ro_dir, 0700));
	ASSERT_EQ(0, make_file(self->img, DISK_BYTES, 0));
	ASSERT_EQ(0, make_file(self->ro_img, DISK_BYTES, 0x5a));

	snprintf(cfg.disk_dirs, sizeof(cfg.disk_dirs), "%s", self->dir);
	snprintf(cfg.disk_ro_dirs, sizeof(cfg.disk_ro_dirs), "%s", self->ro_dir);
	err = tpolicy_lab_setup(&self->lab, &self->s, &cfg, &self->r, &why);
	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, self->r.ext_msg);
	gt_reap_stale("vhostile");
	self->skip = gt_unusable(TG_LONG);
}

FIXTURE_TEARDOWN(vhostile)
{
	char cmd[256];

	if (self->created) {
		tg_destroy(&self->d);
		tg_close(&self->d);
	}
	if (self->created2) {
		tg_destroy(&self->d2);
		tg_close(&self->d2);
	}
	tpolicy_lab_teardown(&self->lab, &self->s, &self->r);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", self->dir, self->ro_dir);
	if (system(cmd))
		TH_LOG("%s failed", cmd);
	/* Whatever the guest did, the host kernel did not complain. */
	GT_KMSG_CHECK_CLOSE(self->kmsg);
}

/* The script domain, in state created (each test starts with this). */
#define CREATE() do {							\
	const char *__why = "";						\
	int __err;							\
									\
	if (self->skip)							\
		SKIP(return, "%s", self->skip);				\
	__err = gt_create_payload(&self->d, "vhostile", MEMORY, TG_LONG, \
				  "vscript", 0, 0, 0, &__why);		\
	self->created = self->d.id != 0;				\
	ASSERT_EQ(0, __err) TH_LOG("%s: %s (%s)", __why,		\
				   strerror(-__err), self->d.msg);	\
} while (0)

/* Attach the test's disk (read-only: the one in the read-only directory). */
#define ATTACH(ro) do {							\
	ASSERT_EQ(0, tdev_attach_disk(&self->s, self->d.id,		\
				      (ro) ? self->ro_img : self->img,	\
				      ro, SERIAL, &self->r))		\
		TH_LOG("attach: %s", self->r.ext_msg);			\
} while (0)

/* Write @len bytes at @gpa of the domain. */
#define PUT(gpa, buf, len) do {						\
	ASSERT_EQ(0, tg_write(&self->d, gpa, buf, len))			\
		TH_LOG("MEM_WRITE %#llx: %s", (unsigned long long)(gpa),	\
		       self->d.msg);					\
} while (0)

/* Descriptors at @desc, avail ring at @avail: idx @idx, ring[0] = 0. */
#define PUT_RING(desc, avail, descs, nr, idx) do {			\
	uint16_t __av[4] = { 0, idx, 0, 0 };				\
									\
	PUT(desc, descs, (nr) * sizeof(struct vdesc));			\
	PUT(avail, __av, sizeof(__av));					\
} while (0)

/* A GET_ID request: header, 20-byte buffer, status byte (0xff until done). */
#define PUT_GET_ID(desc, avail, hdr, id, status) do {			\
	struct blk_hdr __h = { .type = BLK_T_GET_ID };			\
	struct vdesc __d[3] = {						\
		{ hdr, sizeof(__h), D_NEXT, 1 },			\
		{ id, 20, D_WRITE | D_NEXT, 2 },			\
		{ status, 1, D_WRITE, 0 },				\
	};								\
	uint8_t __st = 0xff;						\
									\
	PUT(hdr, &__h, sizeof(__h));					\
	PUT(status, &__st, 1);						\
	PUT_RING(desc, avail, __d, 3, 1);				\
} while (0)

/* Write the script and start the domain. */
#define RUN(sc) do {							\
	PUT(SCRIPT_GPA, (sc)->ops, ((sc)->n + 1) * sizeof(struct vop));	\
	ASSERT_EQ(0, tg_start(&self->d)) TH_LOG("start: %s", self->d.msg); \
} while (0)

/* The next ucall of the script: a sync, its value in @v. */
#define SYNC(v) do {							\
	uint64_t __v = 0;						\
	int __err = gt_wait_ucall(&self->d, &self->pos, "sync", &__v,	\
				  UCALL_MS, self->line,			\
				  sizeof(self->line));			\
									\
	ASSERT_EQ(0, __err) TH_LOG("waiting for a sync: %s (%s); console:\n%s", \
				   strerror(-__err), self->line,	\
				   self->d.console);			\
	(v) = (uint32_t)__v;						\
} while (0)

/* The script's end: a done ucall, and the domain still running. */
#define DONE() do {							\
	int __err = gt_wait_ucall(&self->d, &self->pos, "done", NULL,	\
				  UCALL_MS, self->line,			\
				  sizeof(self->line));			\
									\
	ASSERT_EQ(0, __err) TH_LOG("waiting for done: %s (%s); console:\n%s", \
				   strerror(-__err), self->line,	\
				   self->d.console);			\
	EXPECT_EQ(TANDEM_STATE_RUNNING, tg_state(&self->d))		\
		TH_LOG("console:\n%s", self->d.console);		\
} while (0)

/*
 * The broken reason DOMAIN_GET gives for the domain's disk, into @buf:
 * "" when it has none. Return: 0, or -1 when the disk is not listed.
 */
static int broken_reason(struct tg_domain *d, char *buf, size_t len)
{
	static struct treply r;
	const struct nlattr *list, *dev, *a;
	int found = -1;

	buf[0] = '\0';
	if (tg_get(d, &r))
		return -1;
	list = r.tb[TANDEM_DOMAIN_A_DEVICES];
	if (!list)
		return -1;
	tnla_for_each_nested(dev, list) {
		found = 0;
		tnla_for_each_nested(a, dev)
			if ((a->nla_type & NLA_TYPE_MASK) == TANDEM_DEVICE_A_BROKEN)
				snprintf(buf, len, "%s", (const char *)tnla_data(a));
		break;
	}
	return found;
}

#define EXPECT_BROKEN(want) do {					\
	char __why[128];						\
									\
	ASSERT_EQ(0, broken_reason(&self->d, __why, sizeof(__why)))	\
		TH_LOG("DOMAIN_GET lists no disk");			\
	EXPECT_STREQ(want, __why);					\
} while (0)

#define EXPECT_NOT_BROKEN() EXPECT_BROKEN("")

/* used->idx and used->ring[0] of the queue at @used. */
static int used_read(struct tg_domain *d, uint64_t used, uint16_t *idx,
		     uint32_t *id, uint32_t *len)
{
	uint8_t b[12];
	int err = tg_read(d, used, b, sizeof(b));

	if (err)
		return err;
	memcpy(idx, b + 2, 2);
	memcpy(id, b + 4, 4);
	memcpy(len, b + 8, 4);
	return 0;
}

/*
 * A hostile chain: the engine refuses it on the notify. Status then has
 * DEVICE_NEEDS_RESET, InterruptStatus the configuration-change bit,
 * DOMAIN_GET the reason, used->idx stays 0; the domain runs on.
 */
static void hostile_chain(struct __test_metadata *_metadata,
			  FIXTURE_DATA(vhostile) *self, uint32_t num,
			  const struct vdesc *descs, unsigned int nr,
			  uint16_t avail_idx, const char *reason)
{
	static struct script sc;
	uint32_t status, isr, id, len;
	uint16_t idx;

	memset(&sc, 0, sizeof(sc));
	ATTACH(0);
	PUT_RING(DESC_GPA, AVAIL_GPA, descs, nr, avail_idx);
	s_kick(&sc, num, DESC_GPA, AVAIL_GPA, USED_GPA);
	s_done(&sc);
	RUN(&sc);
	SYNC(status);
	SYNC(isr);
	DONE();
	EXPECT_EQ(S_LIVE | S_NEEDS_RESET, status) TH_LOG("Status %#x", status);
	EXPECT_EQ(INT_CONFIG, isr & INT_CONFIG) TH_LOG("InterruptStatus %#x", isr);
	EXPECT_EQ(0, isr & INT_VRING) TH_LOG("InterruptStatus %#x", isr);
	EXPECT_BROKEN(reason);
	ASSERT_EQ(0, used_read(&self->d, USED_GPA, &idx, &id, &len));
	EXPECT_EQ(0, idx);
}

/*
 * A valid GET_ID: used->idx becomes 1, the element names head 0 with 21
 * bytes written, the status byte is VIRTIO_BLK_S_OK, the buffer holds the
 * serial given at attach; InterruptStatus has the used-buffer bit; the
 * device is not broken.
 */
TEST_F(vhostile, valid_get_id_returns_the_serial)
{
	static struct script sc;
	uint32_t status, isr, used, id, len;
	char serial[20] = SERIAL, got[20];
	uint8_t st;
	uint16_t idx;

	CREATE();
	ATTACH(0);
	PUT_GET_ID(DESC_GPA, AVAIL_GPA, HDR_GPA, ID_GPA, STATUS_GPA);
	s_queue(&sc, 8, DESC_GPA, AVAIL_GPA, USED_GPA);
	s_w32(&sc, R_STATUS, S_LIVE);
	s_w32(&sc, R_QUEUE_NOTIFY, 0);
	s_wait16(&sc, USED_GPA + 2, 1, WAIT_ROUNDS);
	s_r32(&sc, R_STATUS);
	s_r32(&sc, R_INTERRUPT_STATUS);
	s_done(&sc);
	RUN(&sc);
	SYNC(used);
	SYNC(status);
	SYNC(isr);
	DONE();
	EXPECT_EQ(1, used) TH_LOG("used->idx %u", used);
	EXPECT_EQ(S_LIVE, status) TH_LOG("Status %#x", status);
	EXPECT_EQ(INT_VRING, isr) TH_LOG("InterruptStatus %#x", isr);
	EXPECT_NOT_BROKEN();
	ASSERT_EQ(0, used_read(&self->d, USED_GPA, &idx, &id, &len));
	EXPECT_EQ(1, idx);
	EXPECT_EQ(0, id);
	EXPECT_EQ(21, len);
	ASSERT_EQ(0, tg_read(&self->d, STATUS_GPA, &st, 1));
	EXPECT_EQ(BLK_S_OK, st);
	ASSERT_EQ(0, tg_read(&self->d, ID_GPA, got, sizeof(got)));
	EXPECT_EQ(0, memcmp(serial, got, sizeof(got)))
		TH_LOG("id buffer \"%.20s\"", got);
}

/*
 * A descriptor that is its own next: the walk ends ("descriptor chain
 * loops"), the device needs a reset. While broken, DOMAIN_GET says why.
 * After the driver's reset Status reads 0, the reason is gone, and a
 * valid GET_ID on a new queue layout completes: the device recovers.
 */
TEST_F(vhostile, descriptor_loop_breaks_and_reset_recovers)
{
	static struct script sc;
	struct vdesc loop[1] = { { HDR_GPA, 16, D_NEXT, 0 } };
	uint32_t status, isr, go, used, st0, isr0;
	char serial[20] = SERIAL, got[20];
	uint16_t one = 1;
	uint8_t st;

	CREATE();
	ATTACH(0);
	PUT_RING(DESC_GPA, AVAIL_GPA, loop, 1, 1);
	PUT_GET_ID(DESC2_GPA, AVAIL2_GPA, HDR2_GPA, ID2_GPA, STATUS2_GPA);
	s_kick(&sc, 8, DESC_GPA, AVAIL_GPA, USED_GPA);
	s_wait16(&sc, GO_GPA, 1, 0);
	s_w32(&sc, R_STATUS, 0);
	s_r32(&sc, R_STATUS);
	s_r32(&sc, R_INTERRUPT_STATUS);
	s_queue(&sc, 8, DESC2_GPA, AVAIL2_GPA, USED2_GPA);
	s_w32(&sc, R_STATUS, S_LIVE);
	s_w32(&sc, R_QUEUE_NOTIFY, 0);
	s_wait16(&sc, USED2_GPA + 2, 1, WAIT_ROUNDS);
	s_r32(&sc, R_STATUS);
	s_done(&sc);
	RUN(&sc);

	SYNC(status);
	SYNC(isr);
	EXPECT_EQ(S_LIVE | S_NEEDS_RESET, status) TH_LOG("Status %#x", status);
	EXPECT_EQ(INT_CONFIG, isr & INT_CONFIG) TH_LOG("InterruptStatus %#x", isr);
	EXPECT_BROKEN("descriptor chain loops");
	PUT(GO_GPA, &one, sizeof(one));
	SYNC(go);
	EXPECT_EQ(1, go);

	SYNC(st0);
	SYNC(isr0);
	EXPECT_EQ(0, st0) TH_LOG("Status after reset %#x", st0);
	EXPECT_EQ(0, isr0) TH_LOG("InterruptStatus after reset %#x", isr0);
	SYNC(used);
	SYNC(status);
	DONE();
	EXPECT_EQ(1, used) TH_LOG("used->idx of the new queue %u", used);
	EXPECT_EQ(S_LIVE, status) TH_LOG("Status %#x", status);
	EXPECT_NOT_BROKEN();
	ASSERT_EQ(0, tg_read(&self->d, STATUS2_GPA, &st, 1));
	EXPECT_EQ(BLK_S_OK, st);
	ASSERT_EQ(0, tg_read(&self->d, ID2_GPA, got, sizeof(got)));
	EXPECT_EQ(0, memcmp(serial, got, sizeof(got)))
		TH_LOG("id buffer \"%.20s\"", got);
}

/*
 * Queue size 4: one direct descriptor, then an indirect table of 4 more.
 * Five buffers are more than the queue size (2.7.5.3.1).
 */
TEST_F(vhostile, chain_longer_than_the_queue_breaks)
{
	struct vdesc descs[2] = {
		{ HDR_GPA, 16, D_NEXT, 1 },
		{ INDIRECT_GPA, 4 * sizeof(struct vdesc), D_INDIRECT, 0 },
	};
	struct vdesc table[4] = {
		{ DATA_GPA, 16, D_WRITE | D_NEXT, 1 },
		{ DATA_GPA + 16, 16, D_WRITE | D_NEXT, 2 },
		{ DATA_GPA + 32, 16, D_WRITE | D_NEXT, 3 },
		{ STATUS_GPA, 1, D_WRITE, 0 },
	};

	CREATE();
	PUT(INDIRECT_GPA, table, sizeof(table));
	hostile_chain(_metadata, self, 4, descs, 2, 1,
		      "chain longer than the queue size");
}

/* Queue size 4, an indirect table of 5 entries. */
TEST_F(vhostile, indirect_table_larger_than_the_queue_breaks)
{
	struct vdesc descs[1] = {
		{ INDIRECT_GPA, 5 * sizeof(struct vdesc), D_INDIRECT, 0 },
	};
	struct vdesc table[5] = {
		{ HDR_GPA, 16, D_NEXT, 1 },
		{ DATA_GPA, 16, D_WRITE | D_NEXT, 2 },
		{ DATA_GPA + 16, 16, D_WRITE | D_NEXT, 3 },
		{ DATA_GPA + 32, 16, D_WRITE | D_NEXT, 4 },
		{ STATUS_GPA, 1, D_WRITE, 0 },
	};

	CREATE();
	PUT(INDIRECT_GPA, table, sizeof(table));
	hostile_chain(_metadata, self, 4, descs, 1, 1,
		      "indirect table larger than the queue");
}

/* A buffer just past the 16 MiB of RAM. */
TEST_F(vhostile, buffer_outside_ram_breaks)
{
	struct vdesc descs[2] = {
		{ HDR_GPA, 16, D_NEXT, 1 },
		{ MEMORY, 1, D_WRITE, 0 },
	};

	CREATE();
	hostile_chain(_metadata, self, 8, descs, 2, 1,
		      "buffer outside guest RAM");
}

/* addr + len wraps around 2^64. */
TEST_F(vhostile, wrapping_buffer_breaks)
{
	struct vdesc descs[2] = {
		{ HDR_GPA, 16, D_NEXT, 1 },
		{ 0xfffffffffffff000ULL, 0x2000, D_WRITE, 0 },
	};

	CREATE();
	hostile_chain(_metadata, self, 8, descs, 2, 1,
		      "buffer wraps around the address space");
}

/*
 * 18 descriptors of 15 MiB each, all inside RAM: 270 MiB in one chain,
 * over the engine's 256 MiB.
 */
TEST_F(vhostile, chain_over_256_mib_breaks)
{
	struct vdesc descs[18];
	unsigned int i;

	CREATE();
	for (i = 0; i < ARRAY_SIZE(descs); i++)
		descs[i] = (struct vdesc){ 0, 15 * MiB, D_NEXT, i + 1 };
	descs[17].flags = D_WRITE;
	descs[17].next = 0;
	hostile_chain(_metadata, self, 32, descs, ARRAY_SIZE(descs), 1,
		      "chain longer than 256 MiB");
}

/* avail->idx 9 with queue size 8 (and nothing used yet). */
TEST_F(vhostile, avail_idx_too_far_ahead_breaks)
{
	struct vdesc descs[1] = { { STATUS_GPA, 1, D_WRITE, 0 } };

	CREATE();
	hostile_chain(_metadata, self, 8, descs, 1, 9,
		      "available index more than the queue size ahead");
}

/*
 * The descriptor table at the virtio-mmio window, outside RAM: QueueReady
 * = 1 is refused, the queue reads as not ready, DEVICE_NEEDS_RESET is set
 * at once and the configuration-change interrupt comes with DRIVER_OK.
 */
TEST_F(vhostile, ring_outside_ram_is_refused_at_queue_ready)
{
	static struct script sc;
	uint32_t ready, st_before, status, isr;

	CREATE();
	ATTACH(0);
	s_queue(&sc, 8, MMIO, AVAIL_GPA, USED_GPA);
	s_r32(&sc, R_QUEUE_READY);
	s_r32(&sc, R_STATUS);
	s_w32(&sc, R_STATUS, S_LIVE);
	s_w32(&sc, R_QUEUE_NOTIFY, 0);
	s_r32(&sc, R_STATUS);
	s_r32(&sc, R_INTERRUPT_STATUS);
	s_done(&sc);
	RUN(&sc);
	SYNC(ready);
	SYNC(st_before);
	SYNC(status);
	SYNC(isr);
	DONE();
	EXPECT_EQ(0, ready);
	EXPECT_EQ(S_ACK | S_DRIVER | S_FEATURES_OK | S_NEEDS_RESET, st_before)
		TH_LOG("Status before DRIVER_OK %#x", st_before);
	EXPECT_EQ(S_LIVE | S_NEEDS_RESET, status) TH_LOG("Status %#x", status);
	EXPECT_EQ(INT_CONFIG, isr) TH_LOG("InterruptStatus %#x", isr);
	EXPECT_BROKEN("ring outside guest RAM");
}

/* A GET_ID header alone: nowhere to write the status (5.2.6). */
TEST_F(vhostile, request_without_status_byte_breaks)
{
	struct blk_hdr h = { .type = BLK_T_GET_ID };
	struct vdesc descs[1] = { { HDR_GPA, sizeof(h), 0, 0 } };

	CREATE();
	PUT(HDR_GPA, &h, sizeof(h));
	hostile_chain(_metadata, self, 8, descs, 1, 1,
		      "virtio-blk request without a status byte");
}

/*
 * A write of sector 0 on a read-only disk: VIRTIO_BLK_S_IOERR, one status
 * byte reported written, the backing file as it was, the device not
 * broken.
 */
TEST_F(vhostile, write_to_read_only_disk_fails_with_ioerr)
{
	static struct script sc;
	static uint8_t data[512], file[512], want[512];
	struct blk_hdr h = { .type = BLK_T_OUT, .sector = 0 };
	struct vdesc descs[3] = {
		{ HDR_GPA, sizeof(h), D_NEXT, 1 },
		{ DATA_GPA, sizeof(data), D_NEXT, 2 },
		{ STATUS_GPA, 1, D_WRITE, 0 },
	};
	uint32_t used, status, id, len;
	uint8_t st = 0xff;
	uint16_t idx;
	int fd;

	CREATE();
	memset(data, 0xa5, sizeof(data));
	memset(want, 0x5a, sizeof(want));
	ATTACH(1);
	PUT(HDR_GPA, &h, sizeof(h));
	PUT(DATA_GPA, data, sizeof(data));
	PUT(STATUS_GPA, &st, 1);
	PUT_RING(DESC_GPA, AVAIL_GPA, descs, 3, 1);
	s_queue(&sc, 8, DESC_GPA, AVAIL_GPA, USED_GPA);
	s_w32(&sc, R_STATUS, S_LIVE);
	s_w32(&sc, R_QUEUE_NOTIFY, 0);
	s_wait16(&sc, USED_GPA + 2, 1, WAIT_ROUNDS);
	s_r32(&sc, R_STATUS);
	s_done(&sc);
	RUN(&sc);
	SYNC(used);
	SYNC(status);
	DONE();
	EXPECT_EQ(1, used) TH_LOG("used->idx %u", used);
	EXPECT_EQ(S_LIVE, status) TH_LOG("Status %#x", status);
	EXPECT_NOT_BROKEN();
	ASSERT_EQ(0, used_read(&self->d, USED_GPA, &idx, &id, &len));
	EXPECT_EQ(0, id);
	EXPECT_EQ(1, len);
	ASSERT_EQ(0, tg_read(&self->d, STATUS_GPA, &st, 1));
	EXPECT_EQ(BLK_S_IOERR, st);

	fd = open(self->ro_img, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(file), read(fd, file, sizeof(file)));
	close(fd);
	EXPECT_EQ(0, memcmp(want, file, sizeof(file)))
		TH_LOG("the read-only file changed: first byte %#x", file[0]);
}

/* NOPs between the other domain's exits: few exits, cheap in Bochs. */
#define OTHER_NOPS	2000

/*
 * Another domain (guest/tests.inc's exit loop: port I/O and CPUID, then
 * OTHER_NOPS NOPs, again and again) keeps running while this one breaks its disk twice over: it
 * stays RUNNING and goes on taking exits.
 */
TEST_F(vhostile, other_domain_keeps_running)
{
	struct vdesc descs[2] = {
		{ HDR_GPA, 16, D_NEXT, 1 },
		{ MEMORY - 8, 16, D_WRITE, 0 },
	};
	struct gt_stats s0, s1;
	const char *why = "";
	size_t pos2 = 0;
	long end;
	int err;

	CREATE();
	err = gt_create(&self->d2, "vhostile", MEMORY, TG_LONG, GT_EXIT_LOOP,
			OTHER_NOPS, 0, &why);
	self->created2 = self->d2.id != 0;
	ASSERT_EQ(0, err) TH_LOG("%s: %s (%s)", why, strerror(-err), self->d2.msg);
	ASSERT_EQ(0, tg_start(&self->d2)) TH_LOG("start: %s", self->d2.msg);
	err = gt_wait_ucall(&self->d2, &pos2, "sync", NULL, UCALL_MS,
			    self->line, sizeof(self->line));
	ASSERT_EQ(0, err) TH_LOG("other domain: %s (%s)", strerror(-err),
				 self->line);
	ASSERT_EQ(0, gt_get(&self->d2, &s0));

	hostile_chain(_metadata, self, 8, descs, 2, 1,
		      "buffer outside guest RAM");

	end = gt_now_ms() + UCALL_MS;
	do {
		ASSERT_EQ(0, gt_get(&self->d2, &s1));
		if (s1.exits[TANDEM_STAT_EXIT_IO] > s0.exits[TANDEM_STAT_EXIT_IO])
			break;
		usleep(10000);
	} while (gt_now_ms() < end);
	EXPECT_EQ(TANDEM_STATE_RUNNING, s1.state)
		TH_LOG("other domain: %s", s1.crash_reason);
	EXPECT_LT(s0.exits[TANDEM_STAT_EXIT_IO], s1.exits[TANDEM_STAT_EXIT_IO]);
}

TEST_HARNESS_MAIN
