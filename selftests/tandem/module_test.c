// SPDX-License-Identifier: GPL-2.0
/*
 * module_test: tandem_hv.ko and tandem_policy.ko load, register and go away
 * cleanly, again and again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <tandem.h>

#include "kselftest_harness.h"
#include "tandem_nl.h"

#define HV	"tandem_hv"
#define POLICY	"tandem_policy"

static void unload_all(void)
{
	tandem_mod_unload(POLICY);
	tandem_mod_unload(HV);
}

/* 0 when the family is registered, -ENOENT when not. */
static int family_lookup(uint16_t *id)
{
	struct tnl_sock s;
	int err = tnl_socket(&s);

	if (err)
		return err;
	err = tnl_resolve(&s, TANDEM_GENL_NAME, id);
	tnl_close(&s);
	return err;
}

static int dir_entries(const char *path)
{
	struct dirent *de;
	DIR *d = opendir(path);
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

FIXTURE(modules) {
	int dummy;
};

FIXTURE_SETUP(modules)
{
	unload_all();
	ASSERT_FALSE(tandem_mod_loaded(HV)) TH_LOG("cannot unload " HV);
	ASSERT_FALSE(tandem_mod_loaded(POLICY));
}

FIXTURE_TEARDOWN(modules)
{
	unload_all();
}

TEST_F(modules, hv_registers_family_with_get_info)
{
	static struct treply r;
	const struct nlattr *ops;
	struct tnl_sock s;
	uint16_t id;
	int found = 0;
	struct tmsg m;

	ASSERT_EQ(-ENOENT, family_lookup(&id));
	ASSERT_EQ(0, tandem_mod_load(HV));

	ASSERT_EQ(0, tnl_socket(&s));
	tmsg_init(&m, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY);
	tmsg_put(&m, CTRL_ATTR_FAMILY_NAME, TANDEM_GENL_NAME,
		 sizeof(TANDEM_GENL_NAME));
	ASSERT_EQ(0, tnl_transact(&s, &m, &r));
	ASSERT_EQ(0, r.err);
	ASSERT_NE(NULL, r.tb[CTRL_ATTR_VERSION]);
	EXPECT_EQ(TANDEM_GENL_VERSION, tnla_u32(r.tb[CTRL_ATTR_VERSION]));
	ops = r.tb[CTRL_ATTR_OPS];
	ASSERT_NE(NULL, ops);

	/* CTRL_ATTR_OPS nests one attribute per op, each with its id. */
	for (int off = 0; off + NLA_HDRLEN <= tnla_len(ops);) {
		const struct nlattr *op = (const void *)((const char *)tnla_data(ops) + off);
		const struct nlattr *a = tnla_data(op);

		if (a->nla_type == CTRL_ATTR_OP_ID &&
		    tnla_u32(a) == TANDEM_CMD_GET_INFO)
			found = 1;
		off += NLA_ALIGN(op->nla_len);
	}
	EXPECT_TRUE(found) TH_LOG("GET_INFO is not among the family's ops");
	tnl_close(&s);

	ASSERT_EQ(0, tandem_mod_unload(HV));
	EXPECT_EQ(-ENOENT, family_lookup(&id)) TH_LOG("family left behind");
}

TEST_F(modules, load_unload_50_cycles)
{
	uint16_t id;
	int i;

	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, tandem_mod_load(HV)) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, family_lookup(&id)) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, tandem_mod_load(POLICY)) TH_LOG("cycle %d", i);
		/* The agent talks netlink: it holds no reference on the hv. */
		ASSERT_EQ(0, tandem_mod_refcnt(HV)) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, tandem_mod_refcnt(POLICY)) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, tandem_mod_unload(POLICY)) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, tandem_mod_unload(HV)) TH_LOG("cycle %d", i);
		ASSERT_EQ(-ENOENT, family_lookup(&id)) TH_LOG("cycle %d", i);
	}
}

TEST_F(modules, hv_has_no_holders_and_unloads_under_policy)
{
	uint16_t id;

	ASSERT_EQ(0, tandem_mod_load(HV));
	ASSERT_EQ(0, tandem_mod_load(POLICY));
	EXPECT_EQ(0, dir_entries("/sys/module/" HV "/holders"));
	EXPECT_EQ(0, tandem_mod_refcnt(HV));
	/* No symbol dependency: either module may go first. */
	ASSERT_EQ(0, tandem_mod_unload(HV));
	EXPECT_EQ(-ENOENT, family_lookup(&id));
	EXPECT_EQ(0, tandem_mod_unload(POLICY));
}

TEST_F(modules, policy_refuses_to_load_without_hv)
{
	EXPECT_EQ(-ENODEV, tandem_mod_load(POLICY));
	EXPECT_FALSE(tandem_mod_loaded(POLICY));
}

TEST_F(modules, second_load_is_eexist)
{
	ASSERT_EQ(0, tandem_mod_load(HV));
	EXPECT_EQ(-EEXIST, tandem_mod_load(HV));
	EXPECT_EQ(0, tandem_mod_refcnt(HV));
}

TEST_F(modules, policy_logs_what_get_info_reported)
{
	char buf[1024];
	int fd, found = 0;
	ssize_t n;

	ASSERT_EQ(0, tandem_mod_load(HV));
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, lseek(fd, 0, SEEK_END));
	ASSERT_EQ(0, tandem_mod_load(POLICY));

	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (strstr(buf, "tandem_policy: family id") &&
		    strstr(buf, "ABI 1") && strstr(buf, "vendor "))
			found = 1;
	}
	close(fd);
	EXPECT_TRUE(found) TH_LOG("no GET_INFO summary from tandem_policy in the log");
}

TEST_HARNESS_MAIN
