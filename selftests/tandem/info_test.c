// SPDX-License-Identifier: GPL-2.0
/*
 * info_test: GET_INFO tells the truth about the lab's CPU, rejects malformed
 * requests with a message, and the CLI shows exactly what the kernel said.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <tandem.h>

#include "kselftest_harness.h"
#include "names.h"
#include "tandem_nl.h"

#define HV	"tandem_hv"

/* The lab the runner booted ("svm", "vmx"), else what /proc/cpuinfo says. */
static const char *lab_name(void)
{
	static char flags[8192];
	const char *lab = getenv("TANDEM_LAB");
	FILE *f;

	if (lab && *lab)
		return lab;
	f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return "none";
	while (fgets(flags, sizeof(flags), f)) {
		if (strncmp(flags, "flags", 5))
			continue;
		fclose(f);
		if (strstr(flags, " vmx"))
			return "vmx";
		if (strstr(flags, " svm"))
			return "svm";
		return "none";
	}
	fclose(f);
	return "none";
}

/* Space-separated feature names of @mask, as the CLI prints them. */
static void feature_list(uint64_t mask, char *buf, size_t len, const char *sep,
			 const char *quote)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < __TANDEM_FEAT_COUNT; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		n += snprintf(buf + n, len - n, "%s%s%s%s", n ? sep : "", quote,
			      tandem_feature_names[i], quote);
	}
}

/* The value after "key:" on its line in the CLI's text output. */
static int text_field(const char *out, const char *key, char *val, size_t len)
{
	const char *p = out;
	size_t klen = strlen(key);

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			const char *v = p + klen + 1;
			const char *eol = strchrnul(v, '\n');

			while (*v == ' ')
				v++;
			snprintf(val, len, "%.*s", (int)(eol - v), v);
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* The raw text of the JSON member @key of a flat object. */
static int json_field(const char *out, const char *key, char *val, size_t len)
{
	char pat[64];
	const char *v, *end;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	v = strstr(out, pat);
	if (!v)
		return -1;
	v += strlen(pat);
	if (*v == '[')
		end = strchr(v, ']') + 1;
	else if (*v == '"')
		end = strchr(v + 1, '"') + 1;
	else
		end = v + strcspn(v, ",}");
	snprintf(val, len, "%.*s", (int)(end - v), v);
	return 0;
}

FIXTURE(info) {
	struct tnl_sock s;
	struct treply r;
	int loaded_here;
};

FIXTURE_SETUP(info)
{
	struct tmsg m;
	int err = tandem_mod_load(HV);

	ASSERT_TRUE(err == 0 || err == -EEXIST) TH_LOG("load: %s", strerror(-err));
	self->loaded_here = !err;
	ASSERT_EQ(0, tnl_open(&self->s));

	tmsg_init(&m, self->s.family, 0, TANDEM_CMD_GET_INFO);
	ASSERT_EQ(0, tnl_transact(&self->s, &m, &self->r));
	ASSERT_EQ(0, self->r.err) TH_LOG("GET_INFO: %s", self->r.ext_msg);
	ASSERT_EQ(1, self->r.nmsgs);
}

FIXTURE_TEARDOWN(info)
{
	tnl_close(&self->s);
	if (self->loaded_here)
		tandem_mod_unload(HV);
}

TEST_F(info, reports_the_lab_hardware)
{
	const struct nlattr **tb = self->r.tb;
	const char *lab = lab_name();
	uint64_t feat, missing, required;

	ASSERT_NE(NULL, tb[TANDEM_INFO_A_VENDOR]);
	ASSERT_NE(NULL, tb[TANDEM_INFO_A_FEATURES]);
	ASSERT_NE(NULL, tb[TANDEM_INFO_A_MISSING]);
	ASSERT_NE(NULL, tb[TANDEM_INFO_A_REQUIRED]);
	ASSERT_NE(NULL, tb[TANDEM_INFO_A_USABLE]);
	feat = tnla_u64(tb[TANDEM_INFO_A_FEATURES]);
	missing = tnla_u64(tb[TANDEM_INFO_A_MISSING]);
	required = tnla_u64(tb[TANDEM_INFO_A_REQUIRED]);

	if (!strcmp(lab, "svm")) {
		EXPECT_EQ(TANDEM_VENDOR_AMD, tnla_u32(tb[TANDEM_INFO_A_VENDOR]));
		EXPECT_TRUE(feat & (1ULL << TANDEM_FEAT_SVM));
		EXPECT_TRUE(feat & (1ULL << TANDEM_FEAT_NPT));
		/* QEMU's TCG SVM has neither (DESIGN.md, "Labs"). */
		EXPECT_TRUE(missing & (1ULL << TANDEM_FEAT_NRIP_SAVE));
		EXPECT_TRUE(missing & (1ULL << TANDEM_FEAT_DECODE_ASSISTS));
		EXPECT_NE(0, tnla_u32(tb[TANDEM_INFO_A_NR_ASIDS]));
	} else if (!strcmp(lab, "vmx")) {
		EXPECT_EQ(TANDEM_VENDOR_INTEL, tnla_u32(tb[TANDEM_INFO_A_VENDOR]));
		EXPECT_TRUE(feat & (1ULL << TANDEM_FEAT_VMX));
		EXPECT_TRUE(feat & (1ULL << TANDEM_FEAT_EPT));
		EXPECT_TRUE(feat & (1ULL << TANDEM_FEAT_VPID));
		EXPECT_TRUE(feat & (1ULL << TANDEM_FEAT_UNRESTRICTED_GUEST));
		EXPECT_TRUE(feat & (1ULL << TANDEM_FEAT_EPT_AD));
	} else {
		SKIP(return, "neither VMX nor SVM on this machine");
	}
	EXPECT_EQ(0, feat & missing);
	EXPECT_EQ(required, feat & required) TH_LOG("the lab must be usable");
	EXPECT_EQ(1, *(const uint8_t *)tnla_data(tb[TANDEM_INFO_A_USABLE]));
}

TEST_F(info, reports_versions)
{
	const struct nlattr **tb = self->r.tb;

	ASSERT_NE(NULL, tb[TANDEM_INFO_A_ABI_VERSION]);
	EXPECT_EQ(TANDEM_ABI_VERSION, tnla_u32(tb[TANDEM_INFO_A_ABI_VERSION]));
	ASSERT_NE(NULL, tb[TANDEM_INFO_A_MODULE_VERSION]);
	EXPECT_LT(1, tnla_len(tb[TANDEM_INFO_A_MODULE_VERSION]));
	ASSERT_NE(NULL, tb[TANDEM_INFO_A_CPU_MODEL]);
}

TEST_F(info, unknown_attribute_is_einval_with_message)
{
	struct treply r;
	struct nlattr *a;
	uint32_t v = 1;
	struct tmsg m;

	tmsg_init(&m, self->s.family, 0, TANDEM_CMD_GET_INFO);
	a = tmsg_put(&m, TANDEM_INFO_A_MAX + 7, &v, sizeof(v));
	ASSERT_EQ(0, tnl_transact(&self->s, &m, &r));
	EXPECT_EQ(-EINVAL, r.err);
	EXPECT_STREQ("Unknown attribute type", r.ext_msg);
	EXPECT_EQ((int)tmsg_offset(&m, a), r.ext_off);
}

TEST_F(info, reply_only_attribute_is_einval_with_message)
{
	struct treply r;
	struct nlattr *a;
	uint32_t v = TANDEM_VENDOR_AMD;
	struct tmsg m;

	tmsg_init(&m, self->s.family, 0, TANDEM_CMD_GET_INFO);
	a = tmsg_put(&m, TANDEM_INFO_A_VENDOR, &v, sizeof(v));
	ASSERT_EQ(0, tnl_transact(&self->s, &m, &r));
	EXPECT_EQ(-EINVAL, r.err);
	EXPECT_STREQ("attribute is only valid in replies", r.ext_msg);
	EXPECT_EQ((int)tmsg_offset(&m, a), r.ext_off);
}

TEST_F(info, truncated_attribute_is_einval_with_message)
{
	struct treply r;
	struct nlattr *a;
	uint64_t v = 0;
	struct tmsg m;

	tmsg_init(&m, self->s.family, 0, TANDEM_CMD_GET_INFO);
	a = tmsg_put(&m, TANDEM_INFO_A_FEATURES, &v, sizeof(v));
	/* The attribute claims more bytes than the message holds. */
	a->nla_len = 64;
	ASSERT_EQ(0, tnl_transact(&self->s, &m, &r));
	EXPECT_EQ(-EINVAL, r.err);
	EXPECT_NE(0, strlen(r.ext_msg)) TH_LOG("no extack message");
}

TEST_F(info, reserved_header_field_is_einval)
{
	struct treply r;
	struct tmsg m;

	tmsg_init(&m, self->s.family, 0, TANDEM_CMD_GET_INFO);
	((struct genlmsghdr *)(m.buf + NLMSG_HDRLEN))->reserved = 0x5a5a;
	ASSERT_EQ(0, tnl_transact(&self->s, &m, &r));
	EXPECT_EQ(-EINVAL, r.err);
	EXPECT_NE(0, strlen(r.ext_msg)) TH_LOG("no extack message");
}

TEST_F(info, unknown_command_is_rejected)
{
	struct treply r;
	struct tmsg m;

	tmsg_init(&m, self->s.family, 0, TANDEM_CMD_MAX + 40);
	ASSERT_EQ(0, tnl_transact(&self->s, &m, &r));
	EXPECT_EQ(-EOPNOTSUPP, r.err);
}

TEST_F(info, cli_text_matches_netlink)
{
	const struct nlattr **tb = self->r.tb;
	char out[4096], val[512], want[512];

	ASSERT_EQ(0, tcli_run("info", out, sizeof(out))) TH_LOG("%s", out);

	ASSERT_EQ(0, text_field(out, "vendor", val, sizeof(val)));
	EXPECT_STREQ(tandem_vendor_name(tnla_u32(tb[TANDEM_INFO_A_VENDOR])), val);
	ASSERT_EQ(0, text_field(out, "features", val, sizeof(val)));
	feature_list(tnla_u64(tb[TANDEM_INFO_A_FEATURES]), want, sizeof(want), " ", "");
	EXPECT_STREQ(want[0] ? want : "-", val);
	ASSERT_EQ(0, text_field(out, "missing", val, sizeof(val)));
	feature_list(tnla_u64(tb[TANDEM_INFO_A_MISSING]), want, sizeof(want), " ", "");
	EXPECT_STREQ(want[0] ? want : "-", val);
	ASSERT_EQ(0, text_field(out, "required", val, sizeof(val)));
	feature_list(tnla_u64(tb[TANDEM_INFO_A_REQUIRED]), want, sizeof(want), " ", "");
	EXPECT_STREQ(want, val);
	ASSERT_EQ(0, text_field(out, "module version", val, sizeof(val)));
	EXPECT_STREQ((const char *)tnla_data(tb[TANDEM_INFO_A_MODULE_VERSION]), val);
	ASSERT_EQ(0, text_field(out, "abi version", val, sizeof(val)));
	EXPECT_EQ(tnla_u32(tb[TANDEM_INFO_A_ABI_VERSION]), strtoul(val, NULL, 10));
	ASSERT_EQ(0, text_field(out, "asids", val, sizeof(val)));
	EXPECT_EQ(tnla_u32(tb[TANDEM_INFO_A_NR_ASIDS]), strtoul(val, NULL, 10));
	ASSERT_EQ(0, text_field(out, "usable", val, sizeof(val)));
	EXPECT_STREQ(*(const uint8_t *)tnla_data(tb[TANDEM_INFO_A_USABLE]) ?
		     "yes" : "no (a required feature is missing)", val);
}

TEST_F(info, cli_json_matches_netlink)
{
	const struct nlattr **tb = self->r.tb;
	char out[4096], val[512], want[512], list[480];

	ASSERT_EQ(0, tcli_run("-j info", out, sizeof(out))) TH_LOG("%s", out);
	ASSERT_EQ('{', out[0]);

	ASSERT_EQ(0, json_field(out, "vendor", val, sizeof(val)));
	snprintf(want, sizeof(want), "\"%s\"",
		 tandem_vendor_name(tnla_u32(tb[TANDEM_INFO_A_VENDOR])));
	EXPECT_STREQ(want, val);
	ASSERT_EQ(0, json_field(out, "features", val, sizeof(val)));
	feature_list(tnla_u64(tb[TANDEM_INFO_A_FEATURES]), list, sizeof(list), ",", "\"");
	snprintf(want, sizeof(want), "[%s]", list);
	EXPECT_STREQ(want, val);
	ASSERT_EQ(0, json_field(out, "missing", val, sizeof(val)));
	feature_list(tnla_u64(tb[TANDEM_INFO_A_MISSING]), list, sizeof(list), ",", "\"");
	snprintf(want, sizeof(want), "[%s]", list);
	EXPECT_STREQ(want, val);
	ASSERT_EQ(0, json_field(out, "module_version", val, sizeof(val)));
	snprintf(want, sizeof(want), "\"%s\"",
		 (const char *)tnla_data(tb[TANDEM_INFO_A_MODULE_VERSION]));
	EXPECT_STREQ(want, val);
	ASSERT_EQ(0, json_field(out, "abi_version", val, sizeof(val)));
	EXPECT_EQ(tnla_u32(tb[TANDEM_INFO_A_ABI_VERSION]), strtoul(val, NULL, 10));
	ASSERT_EQ(0, json_field(out, "nr_asids", val, sizeof(val)));
	EXPECT_EQ(tnla_u32(tb[TANDEM_INFO_A_NR_ASIDS]), strtoul(val, NULL, 10));
	ASSERT_EQ(0, json_field(out, "usable", val, sizeof(val)));
	EXPECT_STREQ(*(const uint8_t *)tnla_data(tb[TANDEM_INFO_A_USABLE]) ?
		     "true" : "false", val);
}

TEST(cli_without_module_says_what_to_do)
{
	int was_loaded = tandem_mod_loaded(HV);
	char out[1024];

	tandem_mod_unload("tandem_policy");
	if (was_loaded)
		ASSERT_EQ(0, tandem_mod_unload(HV));
	EXPECT_EQ(1, tcli_run("info", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "insmod tandem_hv.ko")) TH_LOG("%s", out);
	if (was_loaded)
		ASSERT_EQ(0, tandem_mod_load(HV));
}

TEST_HARNESS_MAIN
