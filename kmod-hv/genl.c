// SPDX-License-Identifier: GPL-2.0
/*
 * The "tandem" generic netlink family: the only interface of tandem_hv.ko.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cache.h>
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "tandem_hv.h"

static const char tandem_reply_only[] = "attribute is only valid in replies";

/* GET_INFO takes no attributes; reply attributes sent back are refused. */
static const struct nla_policy tandem_info_get_policy[TANDEM_INFO_A_MAX + 1] = {
	[TANDEM_INFO_A_PAD ... TANDEM_INFO_A_MAX] = {
		.type = NLA_REJECT,
		.reject_message = tandem_reply_only,
	},
};

static int tandem_info_fill(struct sk_buff *msg)
{
	const struct tandem_hw_info *hw = &tandem_hw;
	bool usable = tandem_arch &&
		      (hw->features & hw->required) == hw->required;

	if (nla_put_u32(msg, TANDEM_INFO_A_VENDOR, hw->vendor) ||
	    nla_put_u64_64bit(msg, TANDEM_INFO_A_FEATURES, hw->features,
			      TANDEM_INFO_A_PAD) ||
	    nla_put_u64_64bit(msg, TANDEM_INFO_A_MISSING,
			      hw->possible & ~hw->features,
			      TANDEM_INFO_A_PAD) ||
	    nla_put_u64_64bit(msg, TANDEM_INFO_A_REQUIRED, hw->required,
			      TANDEM_INFO_A_PAD) ||
	    nla_put_u8(msg, TANDEM_INFO_A_USABLE, usable) ||
	    nla_put_string(msg, TANDEM_INFO_A_MODULE_VERSION,
			   TANDEM_MODULE_VERSION) ||
	    nla_put_u32(msg, TANDEM_INFO_A_ABI_VERSION, TANDEM_ABI_VERSION) ||
	    nla_put_u32(msg, TANDEM_INFO_A_NR_ASIDS, hw->nr_asids) ||
	    nla_put_string(msg, TANDEM_INFO_A_CPU_MODEL, hw->cpu_model))
		return -EMSGSIZE;
	return 0;
}

static int tandem_info_get_doit(struct sk_buff *skb, struct genl_info *info);

static const struct genl_ops tandem_genl_ops[] = {
	{
		.cmd = TANDEM_CMD_GET_INFO,
		.doit = tandem_info_get_doit,
		.policy = tandem_info_get_policy,
		.maxattr = TANDEM_INFO_A_MAX,
	},
};

static struct genl_family tandem_genl_family __ro_after_init = {
	.name = TANDEM_GENL_NAME,
	.version = TANDEM_GENL_VERSION,
	.module = THIS_MODULE,
	/*
	 * Later commands sleep waiting for the policy agent's verdict, which
	 * arrives as another message of this family: the core must not
	 * serialise them behind genl_mutex.
	 */
	.parallel_ops = true,
	.ops = tandem_genl_ops,
	.n_ops = ARRAY_SIZE(tandem_genl_ops),
};

static int tandem_info_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &tandem_genl_family, 0,
				TANDEM_CMD_GET_INFO);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}
	err = tandem_info_fill(msg);
	if (err)
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

/**
 * tandem_genl_init() - register the tandem family
 *
 * Return: 0 or a negative errno from genl_register_family().
 */
int tandem_genl_init(void)
{
	return genl_register_family(&tandem_genl_family);
}

/**
 * tandem_genl_exit() - unregister the tandem family
 */
void tandem_genl_exit(void)
{
	genl_unregister_family(&tandem_genl_family);
}
