// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_net_test: NICs. tandem_policy.ko decides (its default nic_names
 * "tdm*", at most two NICs here).
 *
 * The guest test boots the lab's own kernel (uncompressed) with the guest
 * initramfs under `tandem create -f`, whose configuration gives it one
 * NIC; the host netdev tdm<domid>.0 gets 192.0.2.1/24 in the lab, the
 * guest's eth0 192.0.2.2/24 (its /init, tandem.run=net). Ping goes both
 * ways, 32 MiB go over TCP each way and arrive with the right checksum,
 * and the netdev goes away with the domain.
 *
 * The attach tests need no guest: names, MACs, the policy's rules.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <tandem.h>

#include "kselftest_harness.h"
#include "guest_test.h"
#include "linux_guest.h"

#define MiB	(1024ULL * 1024)

#define HOST_IP		"192.0.2.1"
#define GUEST_IP	"192.0.2.2"
#define GUEST_MAC	"02:54:00:12:34:56"
#define TO_HOST_PORT	5001
#define TO_GUEST_PORT	5002
/* MiB each way: the guest's /init test_data, linux_guest.h's data. */
#define DATA_MIB	32
#define DATA_BYTES	(DATA_MIB * MiB)
/* ms to move 32 MiB: TCP through two emulated machines' copies. */
#define XFER_TIMEOUT	300000

FIXTURE(vnet) {
	struct tnl_sock s;
	struct treply r;
	struct tpolicy_lab lab;
	char name[32], cfg[64], marker[40], rx_file[64];
	struct tg_domain d;
	int created;
	uint32_t ids[4];	/* domains made by tdom_create */
	int nids;
	pid_t listener;
};

FIXTURE_SETUP(vnet)
{
	struct tpcfg cfg = {
		.present = (1u << TANDEM_PCFG_A_CPUS) |
			   (1u << TANDEM_PCFG_A_MAX_NICS) |
			   (1u << TANDEM_PCFG_A_NIC_NAMES) |
			   (1u << TANDEM_PCFG_A_MAX_MEMORY) |
			   (1u << TANDEM_PCFG_A_MEMORY_POOL),
		/* One CPU: the guest's clock stays steady (see linux_boot_test). */
		.cpus = "0",
		.max_nics = 2,
		.nic_names = "tdm*",
		.max_memory = 256 * MiB,
		.memory_pool = 512 * MiB,
	};
	const char *why;
	int err;

	gt_reap_stale("vnet");
	snprintf(self->name, sizeof(self->name), "vnet%d", getpid());
	snprintf(self->cfg, sizeof(self->cfg), "/tmp/%s.cfg", self->name);
	snprintf(self->rx_file, sizeof(self->rx_file), "/tmp/%s.rx", self->name);
	snprintf(self->marker, sizeof(self->marker), "tandem.marker=%d%ld",
		 getpid(), gt_now_ms() % 100000);

	err = tpolicy_lab_setup(&self->lab, &self->s, &cfg, &self->r, &why);
	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, self->r.ext_msg);
}

FIXTURE_TEARDOWN(vnet)
{
	char path[96];
	int i;

	if (self->listener > 0) {
		kill(self->listener, SIGKILL);
		waitpid(self->listener, NULL, 0);
	}
	if (self->created) {
		tg_destroy(&self->d);
		tg_close(&self->d);
	}
	for (i = 0; i < self->nids; i++)
		tdom_destroy(&self->s, self->ids[i], &self->r);
	tpolicy_lab_teardown(&self->lab, &self->s, &self->r);
	unlink(self->cfg);
	snprintf(path, sizeof(path), "%s.len", self->rx_file);
	unlink(path);
	snprintf(path, sizeof(path), "%s.sum", self->rx_file);
	unlink(path);
}

/*
 * A child that takes one TCP connection on @port and writes "BYTES SHA"
 * of what arrived to @file: the lab host's end of the guest's send.
 */
static pid_t listen_child(int port, const char *file)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int one = 1, fd, c;
	pid_t pid;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1)) {
		close(fd);
		return -errno;
	}
	pid = fork();
	if (pid) {
		close(fd);
		return pid < 0 ? -errno : pid;
	}
	c = accept(fd, NULL, NULL);
	if (c >= 0) {
		char cmd[128], buf[65536];
		unsigned long long n = 0;
		FILE *sum;
		ssize_t got;

		snprintf(cmd, sizeof(cmd), "md5sum | cut -c1-32 > %s.sum", file);
		sum = popen(cmd, "w");
		while (sum && (got = read(c, buf, sizeof(buf))) > 0) {
			fwrite(buf, 1, got, sum);
			n += got;
		}
		if (sum)
			pclose(sum);
		snprintf(cmd, sizeof(cmd), "%s.len", file);
		sum = fopen(cmd, "w");
		if (sum) {
			fprintf(sum, "%llu\n", n);
			fclose(sum);
		}
	}
	_exit(c < 0);
}

/* Send the test data to @ip:@port: 0, or -1 with errno. */
static int send_data(const char *ip, int port)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	char buf[65536], cmd[512];
	size_t n;
	FILE *data;
	int fd, err = 0;

	inet_pton(AF_INET, ip, &a.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	lg_data_cmd(cmd, sizeof(cmd), DATA_MIB);
	data = popen(cmd, "r");
	if (!data) {
		close(fd);
		return -1;
	}
	while (!err && (n = fread(buf, 1, sizeof(buf), data)) > 0) {
		size_t off = 0;

		while (off < n) {
			ssize_t w = write(fd, buf + off, n - off);

			if (w <= 0) {
				err = -1;
				break;
			}
			off += w;
		}
	}
	pclose(data);
	if (close(fd))
		err = -1;
	return err;
}

/* Read a one-line file into @buf, newline dropped. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int netdev_exists(const char *ifname)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/class/net/%s", ifname);
	return access(path, F_OK) == 0;
}

/*
 * The guest's eth0 (MAC from the configuration) and the lab's tdm<id>.0:
 * ping both ways; 32 MiB from the guest to a listener on the lab host and
 * 32 MiB back, both with the checksum the lab host computes; the host
 * netdev counted at least that much each way; after the guest powers off
 * and its domain is destroyed, the host netdev is gone.
 */
TEST_F_TIMEOUT(vnet, guest_and_host_talk_over_the_nic, 1800)
{
	char out[4096], want[256], ifname[32], sum[40], got[80], path[96];
	unsigned long long rx = 0, tx = 0;
	long t0;
	int status, rc;
	FILE *f;

	LG_NEED_GUEST(TG_LONG);
	ASSERT_EQ(0, lg_expected_sum(DATA_MIB, sum, sizeof(sum)));
	self->listener = listen_child(TO_HOST_PORT, self->rx_file);
	ASSERT_LT(0, self->listener) TH_LOG("listen: %s", strerror(-self->listener));

	f = fopen(self->cfg, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "name = \"%s\"\nmemory = %d\nvcpus = 1\n"
		"kernel = \"%s\"\nramdisk = \"%s\"\n"
		"cmdline = \"console=ttyS0 %s tandem.run=net tandem.mib=%d\"\n"
		"on_poweroff = \"destroy\"\nvif = [ \"mac=%s\" ]\n",
		self->name, GUEST_MIB, GUEST_VMLINUX, GUEST_INITRD,
		self->marker, DATA_MIB, GUEST_MAC);
	ASSERT_EQ(0, fclose(f));
	snprintf(want, sizeof(want), "create -f %s", self->cfg);
	rc = tcli_run(want, out, sizeof(out));
	self->created = !tg_attach(&self->d, self->name);
	ASSERT_EQ(0, rc) TH_LOG("tandem create -f:\n%s", out);
	ASSERT_TRUE(self->created);

	snprintf(ifname, sizeof(ifname), "tdm%u.0", self->d.id);
	ASSERT_TRUE(netdev_exists(ifname)) TH_LOG("no host netdev %s", ifname);
	snprintf(want, sizeof(want),
		 "ip addr add %s/24 dev %s && ip link set %s up 2>&1",
		 HOST_IP, ifname, ifname);
	ASSERT_EQ(0, lg_run(want, out, sizeof(out))) TH_LOG("%s: %s", want, out);

	LG_WAIT(&self->d, "tandem-guest: net up " GUEST_MAC, BOOT_TIMEOUT);
	rc = lg_run("ping -c 3 -W 10 " GUEST_IP " 2>&1", out, sizeof(out));
	EXPECT_EQ(0, rc) TH_LOG("ping " GUEST_IP ":\n%s", out);
	LG_WAIT(&self->d, "tandem-guest: net ping ", BOOT_TIMEOUT);
	EXPECT_NE(NULL, strstr(self->d.console, "tandem-guest: net ping ok"))
		TH_LOG("the guest could not ping " HOST_IP);

	/* Guest to host. */
	t0 = gt_now_ms();
	LG_WAIT(&self->d, "tandem-guest: net sent ", XFER_TIMEOUT);
	ASSERT_EQ(self->listener, waitpid(self->listener, &status, 0));
	self->listener = 0;
	TH_LOG("guest to host: 32 MiB in %ld ms of lab time", gt_now_ms() - t0);
	EXPECT_NE(NULL, strstr(self->d.console, "tandem-guest: net sent 0"));
	snprintf(path, sizeof(path), "%s.len", self->rx_file);
	ASSERT_EQ(0, read_line(path, got, sizeof(got)));
	EXPECT_EQ(DATA_BYTES, strtoull(got, NULL, 10));
	snprintf(path, sizeof(path), "%s.sum", self->rx_file);
	ASSERT_EQ(0, read_line(path, got, sizeof(got)));
	EXPECT_STREQ(sum, got);
	unlink(path);

	/* Host to guest. */
	LG_WAIT(&self->d, "tandem-guest: net listening", BOOT_TIMEOUT);
	t0 = gt_now_ms();
	EXPECT_EQ(0, send_data(GUEST_IP, TO_GUEST_PORT))
		TH_LOG("send to " GUEST_IP ": %s", strerror(errno));
	snprintf(want, sizeof(want), "tandem-guest: net received %s", sum);
	LG_WAIT(&self->d, "tandem-guest: net received ", XFER_TIMEOUT);
	TH_LOG("host to guest: 32 MiB in %ld ms of lab time", gt_now_ms() - t0);
	EXPECT_NE(NULL, strstr(self->d.console, want))
		TH_LOG("console:\n%s", self->d.console);

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/rx_bytes",
		 ifname);
	if (!read_line(path, got, sizeof(got)))
		rx = strtoull(got, NULL, 10);
	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/tx_bytes",
		 ifname);
	if (!read_line(path, got, sizeof(got)))
		tx = strtoull(got, NULL, 10);
	EXPECT_LE(DATA_BYTES, rx) TH_LOG("%s received %llu bytes", ifname, rx);
	EXPECT_LE(DATA_BYTES, tx) TH_LOG("%s sent %llu bytes", ifname, tx);

	/* Power off: the domain and its netdev go. */
	snprintf(want, sizeof(want), "console %s --send \"$(printf '\\r')\"",
		 self->name);
	ASSERT_EQ(0, tcli_run(want, out, sizeof(out))) TH_LOG("%s", out);
	ASSERT_EQ(0, lg_wait_gone(&self->s, self->d.id, 60000))
		TH_LOG("the domain was not destroyed at power-off");
	self->created = 0;
	tg_close(&self->d);
	/* Out of the table first, then its devices go: wait a little. */
	t0 = gt_now_ms();
	while (netdev_exists(ifname) && gt_now_ms() - t0 < 30000)
		usleep(50000);
	EXPECT_FALSE(netdev_exists(ifname)) TH_LOG("%s outlived its domain", ifname);
}

/* A domain in state created for the attach tests (16 MiB, no guest). */
static uint32_t create_plain(struct __test_metadata *_metadata,
			     FIXTURE_DATA(vnet) *self, const char *suffix)
{
	char name[TANDEM_NAME_MAX];
	uint32_t id;

	snprintf(name, sizeof(name), "%s%s", self->name, suffix);
	if (tdom_create(&self->s, name, 16 * MiB, 1, &self->r)) {
		TH_LOG("create %s: %s", name, self->r.ext_msg);
		return 0;
	}
	id = treply_u32(&self->r, TANDEM_DOMAIN_A_ID, 0);
	if (id && self->nids < 4)
		self->ids[self->nids++] = id;
	return id;
}

/* DEVICE_ATTACH a NIC; @mac and @ifname may be NULL for the defaults. */
static int nic_attach(struct tnl_sock *s, uint32_t id, const uint8_t *mac,
		      const char *ifname, struct treply *r)
{
	struct tmsg m;
	int err;

	tmsg_domain(s, &m, TANDEM_CMD_DEVICE_ATTACH, id, NULL);
	tmsg_put_u32(&m, TANDEM_DEVICE_A_TYPE, TANDEM_DEVICE_NIC);
	if (mac)
		tmsg_put(&m, TANDEM_DEVICE_A_MAC, mac, 6);
	if (ifname)
		tmsg_put_str(&m, TANDEM_DEVICE_A_IFNAME, ifname);
	err = tnl_transact(s, &m, r);
	return err ? err : r->err;
}

static void reply_mac(const struct treply *r, uint8_t *mac)
{
	const struct nlattr *a = r->tb[TANDEM_DEVICE_A_MAC];

	memset(mac, 0, 6);
	if (a && tnla_len(a) == 6)
		memcpy(mac, tnla_data(a), 6);
}

/*
 * Defaults: the host netdev is tdm<domid>.<index>; the MAC is unicast and
 * locally administered, the same for the same domain name and index (a
 * domain made again gets it again), another for another index. A name
 * the policy's nic_names does not match is denied, saying so; a taken
 * name or a multicast MAC is refused by the mechanism; a third NIC breaks
 * max_nics = 2. Detaching a NIC removes its netdev, destroying the domain
 * removes the others.
 */
TEST_F(vnet, nic_names_macs_and_rules)
{
	uint8_t mac0[6], mac1[6], again[6];
	static const uint8_t mcast[6] = { 0x01, 0, 0x5e, 0, 0, 1 };
	char ifname[32], ifname1[32];
	uint32_t id, id2;

	id = create_plain(_metadata, self, "a");
	ASSERT_NE(0, id);
	ASSERT_EQ(0, nic_attach(&self->s, id, NULL, NULL, &self->r))
		TH_LOG("%s", self->r.ext_msg);
	snprintf(ifname, sizeof(ifname), "tdm%u.0", id);
	EXPECT_STREQ(ifname, treply_str(&self->r, TANDEM_DEVICE_A_IFNAME));
	EXPECT_EQ(TANDEM_DEVICE_NIC, treply_u32(&self->r, TANDEM_DEVICE_A_TYPE, 0));
	reply_mac(&self->r, mac0);
	EXPECT_EQ(0x02, mac0[0] & 0x03) TH_LOG("MAC byte 0 %#x", mac0[0]);
	EXPECT_TRUE(netdev_exists(ifname));

	snprintf(ifname1, sizeof(ifname1), "tdmx%d", getpid() % 100000);
	ASSERT_EQ(0, nic_attach(&self->s, id, NULL, ifname1, &self->r))
		TH_LOG("%s", self->r.ext_msg);
	EXPECT_EQ(1, treply_u32(&self->r, TANDEM_DEVICE_A_INDEX, 99));
	reply_mac(&self->r, mac1);
	EXPECT_NE(0, memcmp(mac0, mac1, 6));
	EXPECT_TRUE(netdev_exists(ifname1));

	EXPECT_EQ(-EACCES, nic_attach(&self->s, id, NULL, NULL, &self->r));
	EXPECT_NE(NULL, strstr(self->r.ext_msg, "max_nics"))
		TH_LOG("%s", self->r.ext_msg);

	id2 = create_plain(_metadata, self, "b");
	ASSERT_NE(0, id2);
	EXPECT_EQ(-EACCES, nic_attach(&self->s, id2, NULL, "eth9", &self->r));
	EXPECT_NE(NULL, strstr(self->r.ext_msg, "nic_names"))
		TH_LOG("%s", self->r.ext_msg);
	EXPECT_NE(0, nic_attach(&self->s, id2, NULL, ifname1, &self->r));
	EXPECT_NE(0, self->r.ext_msg[0]) TH_LOG("no message for a taken name");
	EXPECT_EQ(-EINVAL, nic_attach(&self->s, id2, mcast, NULL, &self->r));
	EXPECT_STREQ("MAC must be unicast and not zero", self->r.ext_msg);

	ASSERT_EQ(0, tdev_detach(&self->s, id, TANDEM_DEVICE_NIC, 1, &self->r))
		TH_LOG("%s", self->r.ext_msg);
	EXPECT_FALSE(netdev_exists(ifname1));
	ASSERT_EQ(0, tdom_destroy(&self->s, id, &self->r));
	self->ids[0] = 0;
	EXPECT_FALSE(netdev_exists(ifname));

	/* The same name again: the same MAC for NIC 0. */
	id = create_plain(_metadata, self, "a");
	ASSERT_NE(0, id);
	ASSERT_EQ(0, nic_attach(&self->s, id, NULL, NULL, &self->r))
		TH_LOG("%s", self->r.ext_msg);
	reply_mac(&self->r, again);
	EXPECT_EQ(0, memcmp(mac0, again, 6));
}

TEST_HARNESS_MAIN
