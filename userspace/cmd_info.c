// SPDX-License-Identifier: GPL-2.0
/*
 * tandem info: what the hypervisor found on this machine (with NAME|ID,
 * one domain: see domain_info()).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netlink/attr.h>
#include <tandem.h>

#include "json.h"
#include "names.h"
#include "nl.h"
#include "tandem.h"

struct info {
	uint32_t vendor;
	uint64_t features, missing, required;
	int usable;
	uint32_t abi, nr_asids;
	char version[64];
	char cpu_model[80];
};

static int info_parse(struct nl_msg *msg, void *arg)
{
	static struct nla_policy pol[TANDEM_INFO_A_MAX + 1] = {
		[TANDEM_INFO_A_VENDOR] = { .type = NLA_U32 },
		[TANDEM_INFO_A_FEATURES] = { .type = NLA_U64 },
		[TANDEM_INFO_A_MISSING] = { .type = NLA_U64 },
		[TANDEM_INFO_A_REQUIRED] = { .type = NLA_U64 },
		[TANDEM_INFO_A_USABLE] = { .type = NLA_U8 },
		[TANDEM_INFO_A_MODULE_VERSION] = { .type = NLA_STRING },
		[TANDEM_INFO_A_ABI_VERSION] = { .type = NLA_U32 },
		[TANDEM_INFO_A_NR_ASIDS] = { .type = NLA_U32 },
		[TANDEM_INFO_A_CPU_MODEL] = { .type = NLA_STRING },
	};
	struct nlattr *tb[TANDEM_INFO_A_MAX + 1];
	struct info *in = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TANDEM_INFO_A_MAX, pol))
		return -EINVAL;
	if (tb[TANDEM_INFO_A_VENDOR])
		in->vendor = nla_get_u32(tb[TANDEM_INFO_A_VENDOR]);
	if (tb[TANDEM_INFO_A_FEATURES])
		in->features = nla_get_u64(tb[TANDEM_INFO_A_FEATURES]);
	if (tb[TANDEM_INFO_A_MISSING])
		in->missing = nla_get_u64(tb[TANDEM_INFO_A_MISSING]);
	if (tb[TANDEM_INFO_A_REQUIRED])
		in->required = nla_get_u64(tb[TANDEM_INFO_A_REQUIRED]);
	if (tb[TANDEM_INFO_A_USABLE])
		in->usable = nla_get_u8(tb[TANDEM_INFO_A_USABLE]);
	if (tb[TANDEM_INFO_A_ABI_VERSION])
		in->abi = nla_get_u32(tb[TANDEM_INFO_A_ABI_VERSION]);
	if (tb[TANDEM_INFO_A_NR_ASIDS])
		in->nr_asids = nla_get_u32(tb[TANDEM_INFO_A_NR_ASIDS]);
	if (tb[TANDEM_INFO_A_MODULE_VERSION])
		nla_strlcpy(in->version, tb[TANDEM_INFO_A_MODULE_VERSION],
			    sizeof(in->version));
	if (tb[TANDEM_INFO_A_CPU_MODEL])
		nla_strlcpy(in->cpu_model, tb[TANDEM_INFO_A_CPU_MODEL],
			    sizeof(in->cpu_model));
	return 0;
}

static void print_features(const char *label, uint64_t mask)
{
	int i, n = 0;

	printf("%-16s", label);
	for (i = 0; i < __TANDEM_FEAT_COUNT; i++) {
		if (mask & (1ULL << i)) {
			printf(" %s", tandem_feature_names[i]);
			n++;
		}
	}
	printf("%s\n", n ? "" : " -");
}

static void json_features(struct json *j, const char *key, uint64_t mask)
{
	int i;

	json_arr_begin(j, key);
	for (i = 0; i < __TANDEM_FEAT_COUNT; i++)
		if (mask & (1ULL << i))
			json_str(j, NULL, tandem_feature_names[i]);
	json_arr_end(j);
}

int cmd_info(struct cli *cli, int argc, char **argv)
{
	struct info in = { 0 };
	struct nl_msg *msg;
	struct tnl t;
	int err;

	/* With an argument it is about one domain (cmd_domain.c). */
	if (argc == 2)
		return domain_info(cli, argv[1]);
	if (argc > 2)
		return CMD_USAGE;

	err = tnl_open(&t);
	if (err)
		return err;
	msg = tnl_msg(&t, TANDEM_CMD_GET_INFO, 0);
	err = tnl_request(&t, msg, info_parse, &in, "info");
	tnl_close(&t);
	if (err)
		return err;

	if (cli->json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_str(&j, "vendor", tandem_vendor_name(in.vendor));
		json_str(&j, "cpu_model", in.cpu_model);
		json_bool(&j, "usable", in.usable);
		json_features(&j, "features", in.features);
		json_features(&j, "missing", in.missing);
		json_features(&j, "required", in.required);
		json_u64(&j, "nr_asids", in.nr_asids);
		json_str(&j, "module_version", in.version);
		json_u64(&j, "abi_version", in.abi);
		json_obj_end(&j);
		json_finish(&j);
	} else {
		printf("%-16s %s\n", "vendor:", tandem_vendor_name(in.vendor));
		printf("%-16s %s\n", "cpu model:", in.cpu_model);
		printf("%-16s %s\n", "usable:", in.usable ? "yes" :
		       "no (a required feature is missing)");
		print_features("features:", in.features);
		print_features("missing:", in.missing);
		print_features("required:", in.required);
		printf("%-16s %u\n", "asids:", in.nr_asids);
		printf("%-16s %s\n", "module version:", in.version);
		printf("%-16s %u\n", "abi version:", in.abi);
	}
	if (in.abi != TANDEM_ABI_VERSION)
		fprintf(stderr,
			"tandem: warning: the module speaks ABI %u, this tool ABI %u: rebuild the tool against the module's tandem.h\n",
			in.abi, TANDEM_ABI_VERSION);
	return 0;
}
