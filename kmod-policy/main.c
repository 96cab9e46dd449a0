// SPDX-License-Identifier: GPL-2.0
/*
 * tandem_policy.ko: the default policy agent of the Tandem hypervisor.
 *
 * It speaks to tandem_hv.ko only through the "tandem" generic netlink
 * family, from a kernel socket, exactly as a userspace agent would: at load
 * it resolves the family, checks the ABI with GET_INFO and registers as the
 * agent (agent.c); from then on it answers every DECISION the mechanism
 * sends with a VERDICT (decide.c). See kmod-policy/README.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/string.h>
#include <tandem.h>

#include "tandem_policy.h"

static struct tpol_client tpol_hv;

/**
 * tpol_info_cb() - collect one attribute of a GET_INFO reply
 * @nla: the attribute
 * @arg: the &struct tpol_info to fill
 *
 * Attributes of an unexpected size are ignored (and the ABI check that
 * follows fails if it was the ABI version).
 *
 * Return: 0.
 */
int tpol_info_cb(const struct nlattr *nla, void *arg)
{
	struct tpol_info *info = arg;

	switch (nla_type(nla)) {
	case TANDEM_INFO_A_VENDOR:
		if (nla_len(nla) == sizeof(u32))
			info->vendor = nla_get_u32(nla);
		break;
	case TANDEM_INFO_A_ABI_VERSION:
		if (nla_len(nla) == sizeof(u32))
			info->abi = nla_get_u32(nla);
		break;
	case TANDEM_INFO_A_FEATURES:
		if (nla_len(nla) == sizeof(u64))
			info->features = nla_get_u64(nla);
		break;
	case TANDEM_INFO_A_USABLE:
		if (nla_len(nla) == sizeof(u8))
			info->usable = nla_get_u8(nla);
		break;
	case TANDEM_INFO_A_MODULE_VERSION:
		nla_strscpy(info->version, nla, sizeof(info->version));
		break;
	}
	return 0;
}

static const char *const tpol_vendor_names[] = {
	[TANDEM_VENDOR_NONE] = "none",
	[TANDEM_VENDOR_INTEL] = "intel-vmx",
	[TANDEM_VENDOR_AMD] = "amd-svm",
};

/**
 * tpol_info_check() - log what GET_INFO reported and check the ABI
 * @c: the client (for its family id)
 * @info: the collected reply
 *
 * Return: 0, or -EPROTO when tandem_hv speaks another ABI.
 */
int tpol_info_check(const struct tpol_client *c, const struct tpol_info *info)
{
	if (info->abi != TANDEM_ABI_VERSION) {
		pr_err("tandem_hv speaks ABI %u, this agent ABI %u: load matching modules\n",
		       info->abi, TANDEM_ABI_VERSION);
		return -EPROTO;
	}
	pr_info("family id %u: tandem_hv %s, ABI %u, vendor %s, features %#llx, %s\n",
		c->family_id, info->version, info->abi,
		info->vendor < ARRAY_SIZE(tpol_vendor_names) ?
		tpol_vendor_names[info->vendor] : "unknown",
		info->features, info->usable ? "usable" : "not usable");
	return 0;
}

static int __init tandem_policy_init(void)
{
	struct tpol_info info = {};
	int err;

	err = tpol_client_open(&tpol_hv, TANDEM_GENL_NAME);
	if (err == -ENOENT) {
		pr_err("the \"%s\" netlink family is not registered: load tandem_hv.ko first\n",
		       TANDEM_GENL_NAME);
		return -ENODEV;
	}
	if (err) {
		pr_err("cannot open a netlink socket to tandem_hv: %d\n", err);
		return err;
	}

	err = tpol_client_call(&tpol_hv, TANDEM_CMD_GET_INFO, NULL, 0,
			       tpol_info_cb, &info);
	if (err) {
		pr_err("GET_INFO failed: %d\n", err);
		goto err_close;
	}
	err = tpol_info_check(&tpol_hv, &info);
	if (err)
		goto err_close;

	err = tpol_agent_start(&tpol_hv);
	if (err)
		goto err_close;
	tpol_config_log("configuration (defaults)");
	return 0;

err_close:
	tpol_client_close(&tpol_hv);
	return err;
}

static void __exit tandem_policy_exit(void)
{
	tpol_agent_stop();
	tpol_client_close(&tpol_hv);
	pr_info("unloaded: domains are kept; decisions are denied until an agent registers\n");
}

module_init(tandem_policy_init);
module_exit(tandem_policy_exit);

MODULE_DESCRIPTION("Tandem hypervisor: default policy agent (defaults: max_domains 8, max_memory 256M, max_vcpus 4, memory_pool 512M, name_pattern *, mem_write_states created,paused)");
MODULE_AUTHOR("Tandem developers");
MODULE_LICENSE("GPL");
