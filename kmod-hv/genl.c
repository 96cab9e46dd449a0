// SPDX-License-Identifier: GPL-2.0
/*
 * The "tandem" generic netlink family: the only interface of tandem_hv.ko.
 *
 * Each command has its own strict attribute policy. Commands that need the
 * policy agent's decision reply later, from the tandem workqueue (see
 * agent.c): their doit returns -EINTR so that genl sends no ACK, and the
 * reply and the ACK are sent to the requester's port when the outcome is
 * known.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cache.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include <asm/tsc.h>

#include "tandem_hv.h"

/* genl_ops.internal_flags */
#define TANDEM_OP_ADMIN		BIT(0)

static const char tandem_reply_only[] = "attribute is only valid in replies";

#define TANDEM_REJECT_REPLY_ONLY { \
	.type = NLA_REJECT, .reject_message = tandem_reply_only, }

/* GET_INFO takes no attributes; reply attributes sent back are refused. */
static const struct nla_policy tandem_info_get_policy[TANDEM_INFO_A_MAX + 1] = {
	[TANDEM_INFO_A_PAD ... TANDEM_INFO_A_MAX] = TANDEM_REJECT_REPLY_ONLY,
};

#define TANDEM_DOMAIN_REPLY_ONLY					\
	[TANDEM_DOMAIN_A_PAD] = TANDEM_REJECT_REPLY_ONLY,		\
	[TANDEM_DOMAIN_A_STATE] = TANDEM_REJECT_REPLY_ONLY,		\
	[TANDEM_DOMAIN_A_CREATED_NS] = TANDEM_REJECT_REPLY_ONLY,	\
	[TANDEM_DOMAIN_A_OWNER_UID] = TANDEM_REJECT_REPLY_ONLY,		\
	[TANDEM_DOMAIN_A_CHUNKS_2M] = TANDEM_REJECT_REPLY_ONLY,		\
	[TANDEM_DOMAIN_A_PAGES_4K] = TANDEM_REJECT_REPLY_ONLY,		\
	[TANDEM_DOMAIN_A_VCPU_STATS] = TANDEM_REJECT_REPLY_ONLY,	\
	[TANDEM_DOMAIN_A_CRASH_REASON] = TANDEM_REJECT_REPLY_ONLY,	\
	[TANDEM_DOMAIN_A_RESTARTS] = TANDEM_REJECT_REPLY_ONLY,		\
	[TANDEM_DOMAIN_A_UNHANDLED_IO] = TANDEM_REJECT_REPLY_ONLY,	\
	[TANDEM_DOMAIN_A_CPUMASK] = TANDEM_REJECT_REPLY_ONLY,		\
	[TANDEM_DOMAIN_A_WEIGHT] = TANDEM_REJECT_REPLY_ONLY,		\
	[TANDEM_DOMAIN_A_CAP] = TANDEM_REJECT_REPLY_ONLY,		\
	[TANDEM_DOMAIN_A_UNHANDLED_MMIO] = TANDEM_REJECT_REPLY_ONLY,	\
	[TANDEM_DOMAIN_A_SHUTDOWN_REASON] = TANDEM_REJECT_REPLY_ONLY,	\
	[TANDEM_DOMAIN_A_DEVICES] = TANDEM_REJECT_REPLY_ONLY

static const struct nla_policy tandem_domain_create_policy[TANDEM_DOMAIN_A_MAX + 1] = {
	TANDEM_DOMAIN_REPLY_ONLY,
	[TANDEM_DOMAIN_A_ID] = {
		.type = NLA_REJECT,
		.reject_message = "domain ids are assigned by the hypervisor",
	},
	[TANDEM_DOMAIN_A_NAME] = { .type = NLA_NUL_STRING,
				   .len = TANDEM_NAME_MAX - 1 },
	[TANDEM_DOMAIN_A_MEMORY] = { .type = NLA_U64 },
	[TANDEM_DOMAIN_A_VCPUS] = NLA_POLICY_RANGE(NLA_U32, 1, TANDEM_MAX_VCPUS),
	[TANDEM_DOMAIN_A_ON_POWEROFF] = NLA_POLICY_MAX(NLA_U32,
						       TANDEM_CRASH_RESTART),
	[TANDEM_DOMAIN_A_ON_REBOOT] = NLA_POLICY_MAX(NLA_U32,
						     TANDEM_CRASH_RESTART),
	[TANDEM_DOMAIN_A_ON_CRASH] = NLA_POLICY_MAX(NLA_U32,
						    TANDEM_CRASH_RESTART),
};

/* DOMAIN_DESTROY and DOMAIN_GET select one domain by id or name. */
static const struct nla_policy tandem_domain_select_policy[TANDEM_DOMAIN_A_MAX + 1] = {
	TANDEM_DOMAIN_REPLY_ONLY,
	[TANDEM_DOMAIN_A_MEMORY] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_DOMAIN_A_VCPUS] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_DOMAIN_A_ON_POWEROFF] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_DOMAIN_A_ON_REBOOT] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_DOMAIN_A_ON_CRASH] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_DOMAIN_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[TANDEM_DOMAIN_A_NAME] = { .type = NLA_NUL_STRING,
				   .len = TANDEM_NAME_MAX - 1 },
};

static const struct nla_policy tandem_mem_write_policy[TANDEM_MEM_A_MAX + 1] = {
	[TANDEM_MEM_A_DOMAIN_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[TANDEM_MEM_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING,
				       .len = TANDEM_NAME_MAX - 1 },
	[TANDEM_MEM_A_GPA] = { .type = NLA_U64 },
	[TANDEM_MEM_A_DATA] = { .type = NLA_BINARY,
				.len = TANDEM_MEM_CHUNK_MAX },
	[TANDEM_MEM_A_LEN] = {
		.type = NLA_REJECT,
		.reject_message = "MEM_WRITE takes DATA, not LEN",
	},
};

/* NLA_POLICY_RANGE holds s16 bounds: a chunk length needs the full form. */
static struct netlink_range_validation tandem_mem_len_range = {
	.min = 1,
	.max = TANDEM_MEM_CHUNK_MAX,
};

static const struct nla_policy tandem_mem_read_policy[TANDEM_MEM_A_MAX + 1] = {
	[TANDEM_MEM_A_DOMAIN_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[TANDEM_MEM_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING,
				       .len = TANDEM_NAME_MAX - 1 },
	[TANDEM_MEM_A_GPA] = { .type = NLA_U64 },
	[TANDEM_MEM_A_LEN] = NLA_POLICY_FULL_RANGE(NLA_U32, &tandem_mem_len_range),
	[TANDEM_MEM_A_DATA] = TANDEM_REJECT_REPLY_ONLY,
};

static const struct nla_policy tandem_vcpu_get_policy[TANDEM_VCPU_A_MAX + 1] = {
	[TANDEM_VCPU_A_DOMAIN_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[TANDEM_VCPU_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING,
					.len = TANDEM_NAME_MAX - 1 },
	[TANDEM_VCPU_A_VCPU] = NLA_POLICY_MAX(NLA_U32, TANDEM_MAX_VCPUS - 1),
	[TANDEM_VCPU_A_REGS] = TANDEM_REJECT_REPLY_ONLY,
};

static const struct nla_policy tandem_vcpu_set_policy[TANDEM_VCPU_A_MAX + 1] = {
	[TANDEM_VCPU_A_DOMAIN_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[TANDEM_VCPU_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING,
					.len = TANDEM_NAME_MAX - 1 },
	[TANDEM_VCPU_A_VCPU] = NLA_POLICY_MAX(NLA_U32, TANDEM_MAX_VCPUS - 1),
	[TANDEM_VCPU_A_REGS] = NLA_POLICY_EXACT_LEN(sizeof(struct tandem_vcpu_regs)),
};

static const struct nla_policy tandem_console_policy[TANDEM_CONSOLE_A_MAX + 1] = {
	[TANDEM_CONSOLE_A_PAD] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_CONSOLE_A_DOMAIN_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[TANDEM_CONSOLE_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING,
					   .len = TANDEM_NAME_MAX - 1 },
	[TANDEM_CONSOLE_A_SEQ] = { .type = NLA_U64 },
	[TANDEM_CONSOLE_A_DATA] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_CONSOLE_A_NEXT_SEQ] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_CONSOLE_A_ACCEPTED] = TANDEM_REJECT_REPLY_ONLY,
};

static const struct nla_policy tandem_console_write_policy[TANDEM_CONSOLE_A_MAX + 1] = {
	[TANDEM_CONSOLE_A_PAD] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_CONSOLE_A_DOMAIN_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[TANDEM_CONSOLE_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING,
					   .len = TANDEM_NAME_MAX - 1 },
	[TANDEM_CONSOLE_A_SEQ] = {
		.type = NLA_REJECT,
		.reject_message = "CONSOLE_WRITE takes DATA, not SEQ",
	},
	[TANDEM_CONSOLE_A_DATA] = { .type = NLA_BINARY,
				    .len = TANDEM_CONSOLE_WRITE_MAX },
	[TANDEM_CONSOLE_A_NEXT_SEQ] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_CONSOLE_A_ACCEPTED] = TANDEM_REJECT_REPLY_ONLY,
};

static const struct nla_policy tandem_agent_policy[TANDEM_AGENT_A_MAX + 1] = {
	[TANDEM_AGENT_A_NAME] = { .type = NLA_NUL_STRING,
				  .len = TANDEM_NAME_MAX - 1 },
};

static struct netlink_range_validation tandem_weight_range = {
	.min = 1,
	.max = 65535,
};

static const struct nla_policy tandem_verdict_policy[TANDEM_VERDICT_A_MAX + 1] = {
	[TANDEM_VERDICT_A_COOKIE] = NLA_POLICY_MIN(NLA_U32, 1),
	[TANDEM_VERDICT_A_ALLOW] = NLA_POLICY_MAX(NLA_U8, 1),
	[TANDEM_VERDICT_A_REASON] = { .type = NLA_NUL_STRING,
				      .len = TANDEM_REASON_MAX - 1 },
	[TANDEM_VERDICT_A_MEMORY] = { .type = NLA_U64 },
	/* The agent's configuration is opaque to the mechanism. */
	[TANDEM_VERDICT_A_POLICY] = { .type = NLA_NESTED },
	[TANDEM_VERDICT_A_REUSE] = { .type = NLA_FLAG },
	[TANDEM_VERDICT_A_CPUMASK] = { .type = NLA_BINARY, .len = 1024 },
	[TANDEM_VERDICT_A_WEIGHT] = NLA_POLICY_FULL_RANGE(NLA_U32,
							  &tandem_weight_range),
	[TANDEM_VERDICT_A_CAP] = NLA_POLICY_MAX(NLA_U32, 100),
	[TANDEM_VERDICT_A_ACTION] = NLA_POLICY_MAX(NLA_U32, TANDEM_CRASH_RESTART),
};

static const struct nla_policy tandem_policy_set_policy[TANDEM_POLICY_A_MAX + 1] = {
	[TANDEM_POLICY_A_CONFIG] = { .type = NLA_NESTED },
};

static const struct nla_policy tandem_policy_get_policy[TANDEM_POLICY_A_MAX + 1] = {
	[TANDEM_POLICY_A_CONFIG] = TANDEM_REJECT_REPLY_ONLY,
};

static const struct nla_policy tandem_device_attach_policy[TANDEM_DEVICE_A_MAX + 1] = {
	[TANDEM_DEVICE_A_PAD] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_DEVICE_A_DOMAIN_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[TANDEM_DEVICE_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING,
					  .len = TANDEM_NAME_MAX - 1 },
	[TANDEM_DEVICE_A_TYPE] = NLA_POLICY_RANGE(NLA_U32, TANDEM_DEVICE_DISK,
						  TANDEM_DEVICE_NIC),
	[TANDEM_DEVICE_A_INDEX] = {
		.type = NLA_REJECT,
		.reject_message = "the mechanism chooses the index",
	},
	[TANDEM_DEVICE_A_PATH] = { .type = NLA_NUL_STRING,
				   .len = TANDEM_PATH_MAX - 1 },
	[TANDEM_DEVICE_A_READ_ONLY] = { .type = NLA_FLAG },
	[TANDEM_DEVICE_A_SERIAL] = { .type = NLA_NUL_STRING,
				     .len = TANDEM_SERIAL_MAX - 1 },
	[TANDEM_DEVICE_A_MAC] = NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[TANDEM_DEVICE_A_IFNAME] = { .type = NLA_NUL_STRING,
				     .len = TANDEM_IFNAME_MAX - 1 },
	[TANDEM_DEVICE_A_SIZE] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_DEVICE_A_SLOT] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_DEVICE_A_MMIO_BASE] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_DEVICE_A_GSI] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_DEVICE_A_BROKEN] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_DEVICE_A_DEVICE] = TANDEM_REJECT_REPLY_ONLY,
};

static const struct nla_policy tandem_device_detach_policy[TANDEM_DEVICE_A_MAX + 1] = {
	[TANDEM_DEVICE_A_PAD] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_DEVICE_A_DOMAIN_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[TANDEM_DEVICE_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING,
					  .len = TANDEM_NAME_MAX - 1 },
	[TANDEM_DEVICE_A_TYPE] = NLA_POLICY_RANGE(NLA_U32, TANDEM_DEVICE_DISK,
						  TANDEM_DEVICE_NIC),
	[TANDEM_DEVICE_A_INDEX] = NLA_POLICY_MAX(NLA_U32,
						 TANDEM_VIRTIO_SLOTS - 1),
	[TANDEM_DEVICE_A_SIZE] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_DEVICE_A_SLOT] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_DEVICE_A_MMIO_BASE] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_DEVICE_A_GSI] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_DEVICE_A_BROKEN] = TANDEM_REJECT_REPLY_ONLY,
	[TANDEM_DEVICE_A_DEVICE] = TANDEM_REJECT_REPLY_ONLY,
};

/* Deferred replies --------------------------------------------------------- */

/**
 * tandem_requester_init() - remember where to send a deferred reply
 * @rq: to fill
 * @info: the request, in the requester's context; %NULL when the
 *	mechanism asks on its own (nobody waits for a reply)
 */
void tandem_requester_init(struct tandem_requester *rq,
			   const struct genl_info *info)
{
	if (!info) {
		memset(rq, 0, sizeof(*rq));
		rq->uid = GLOBAL_ROOT_UID;
		return;
	}
	rq->portid = info->snd_portid;
	rq->seq = info->snd_seq;
	rq->hdr = *info->nlhdr;
	rq->cmd = info->genlhdr->cmd;
	rq->uid = current_uid();
	rq->pid = task_tgid_vnr(current);
}

/**
 * tandem_reply_ack() - send the NLMSG_ERROR that ends a deferred request
 * @rq: the requester
 * @err: 0 or a negative errno
 * @msg: extended ACK message, or %NULL
 *
 * A successful request is acknowledged only if it asked for it
 * (NLM_F_ACK), as netlink_ack() would do; an error always is.
 */
void tandem_reply_ack(const struct tandem_requester *rq, int err,
		      const char *msg)
{
	size_t tlvlen = msg ? nla_total_size(strlen(msg) + 1) : 0;
	struct nlmsgerr *e;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	/* Decisions the mechanism asks on its own have no requester. */
	if (!rq->portid || (!err && !(rq->hdr.nlmsg_flags & NLM_F_ACK)))
		return;
	skb = nlmsg_new(sizeof(*e) + tlvlen, GFP_KERNEL);
	if (!skb)
		return;
	nlh = nlmsg_put(skb, rq->portid, rq->seq, NLMSG_ERROR, sizeof(*e),
			NLM_F_CAPPED | (tlvlen ? NLM_F_ACK_TLVS : 0));
	if (!nlh)
		goto err_free;
	e = nlmsg_data(nlh);
	e->error = err;
	e->msg = rq->hdr;
	if (msg && nla_put_string(skb, NLMSGERR_ATTR_MSG, msg))
		goto err_free;
	nlmsg_end(skb, nlh);
	genlmsg_unicast(&init_net, skb, rq->portid);
	return;

err_free:
	nlmsg_free(skb);
}

/**
 * tandem_reply_new() - start a deferred reply message
 * @rq: the requester
 * @size: payload size to allocate
 * @hdr: set to the genl header, for tandem_reply_send()
 *
 * Return: the message, or %NULL when out of memory.
 */
struct sk_buff *tandem_reply_new(const struct tandem_requester *rq,
				 size_t size, void **hdr)
{
	struct sk_buff *skb = genlmsg_new(size, GFP_KERNEL);

	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, rq->portid, rq->seq, &tandem_genl_family, 0,
			   rq->cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

/**
 * tandem_reply_send() - send a deferred reply, then its ACK
 * @rq: the requester
 * @skb: from tandem_reply_new(), filled
 * @hdr: its genl header
 *
 * Return: 0, or the error also reported to the requester.
 */
int tandem_reply_send(const struct tandem_requester *rq, struct sk_buff *skb,
		      void *hdr)
{
	int err;

	genlmsg_end(skb, hdr);
	err = genlmsg_unicast(&init_net, skb, rq->portid);
	tandem_reply_ack(rq, err, err ? "cannot deliver the reply" : NULL);
	return err;
}

/* Ask the agent; on an immediate answer the decision is ours to free. */
int tandem_ask(struct tandem_decision *dec, struct genl_info *info)
{
	int err = tandem_decision_ask(dec, info->extack);

	if (err != -EINTR)
		tandem_decision_free(dec);
	return err;
}

/* Find the domain a request names by id or by name; takes a reference. */
struct tandem_domain *tandem_domain_lookup(struct genl_info *info,
					   int id_attr, int name_attr)
{
	struct nlattr *id = info->attrs[id_attr];
	struct nlattr *name = info->attrs[name_attr];
	struct tandem_domain *dom;

	if (id) {
		dom = tandem_domain_get_by_id(nla_get_u32(id));
		if (!dom)
			NL_SET_ERR_MSG_ATTR(info->extack, id, "no such domain");
	} else if (name) {
		dom = tandem_domain_get_by_name(nla_data(name));
		if (!dom)
			NL_SET_ERR_MSG_ATTR(info->extack, name, "no such domain");
	} else {
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, id_attr);
		NL_SET_ERR_MSG(info->extack, "missing attribute: domain id or name");
		return ERR_PTR(-EINVAL);
	}
	if (!dom)
		return ERR_PTR(-ENOENT);
	/*
	 * A destroy took it out of the table after we found it: for the
	 * requester it is gone already, whatever the command.
	 */
	if (READ_ONCE(dom->state) == TANDEM_STATE_DYING) {
		tandem_domain_put(dom);
		NL_SET_ERR_MSG_ATTR(info->extack, id ?: name,
				    "no such domain (being destroyed)");
		return ERR_PTR(-ENOENT);
	}
	return dom;
}

/* GET_INFO ----------------------------------------------------------------- */

static int tandem_info_fill(struct sk_buff *msg)
{
	const struct tandem_hw_info *hw = &tandem_hw;
	bool usable = tandem_arch &&
		      (hw->features & hw->required) == hw->required;
	u32 nr, asids = 0;
	u64 memory;

	if (tandem_arch && tandem_arch->asids_in_use)
		asids = tandem_arch->asids_in_use();
	tandem_domain_totals(&nr, &memory);
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
	    nla_put_string(msg, TANDEM_INFO_A_CPU_MODEL, hw->cpu_model) ||
	    nla_put_u32(msg, TANDEM_INFO_A_NR_DOMAINS, nr) ||
	    nla_put_u64_64bit(msg, TANDEM_INFO_A_GUEST_MEMORY,
			      tandem_mem_allocated(), TANDEM_INFO_A_PAD) ||
	    tandem_agent_fill_name(msg, TANDEM_INFO_A_AGENT_NAME) ||
	    nla_put_u64_64bit(msg, TANDEM_INFO_A_PT_PAGES, tandem_pt_pages(),
			      TANDEM_INFO_A_PAD) ||
	    nla_put_u32(msg, TANDEM_INFO_A_ASIDS_IN_USE, asids) ||
	    nla_put_u32(msg, TANDEM_INFO_A_VCPU_THREADS,
			tandem_vcpu_threads()) ||
	    nla_put_u32(msg, TANDEM_INFO_A_HW_USERS, tandem_hw_users()) ||
	    nla_put_u64_64bit(msg, TANDEM_INFO_A_IMAGE_PAGES,
			      tandem_image_pages(), TANDEM_INFO_A_PAD) ||
	    nla_put_u32(msg, TANDEM_INFO_A_TSC_KHZ, tsc_khz))
		return -EMSGSIZE;
	return 0;
}

static int tandem_info_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &tandem_genl_family, 0,
				TANDEM_CMD_GET_INFO);
	if (!hdr || tandem_info_fill(msg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* DOMAIN_CREATE ------------------------------------------------------------ */

static int tandem_create_fill(struct tandem_decision *dec, struct sk_buff *skb)
{
	return nla_put_u32(skb, TANDEM_DECISION_A_VCPUS, dec->create.vcpus);
}

static void tandem_create_complete(struct tandem_decision *dec)
{
	struct tandem_domain *dom;
	struct sk_buff *skb;
	void *hdr;

	if (dec->err || !dec->allow) {
		tandem_decision_reply_denied(dec);
		return;
	}
	dom = tandem_domain_create(dec->name, dec->memory, dec->create.vcpus,
				   dec->rq.uid, dec->create.memcg);
	if (IS_ERR(dom)) {
		tandem_reply_ack(&dec->rq, PTR_ERR(dom),
				 PTR_ERR(dom) == -EEXIST ?
				 "a domain with this name exists" :
				 "cannot allocate guest memory");
		return;
	}
	/* The domain holds the memory cgroup reference now. */
	dec->create.memcg = NULL;
	dom->on_poweroff = dec->create.on_poweroff;
	dom->on_reboot = dec->create.on_reboot;
	dom->on_crash = dec->create.on_crash;

	skb = tandem_reply_new(&dec->rq, NLMSG_DEFAULT_SIZE + dom->vcpus * 256,
			       &hdr);
	if (!skb) {
		tandem_reply_ack(&dec->rq, -ENOMEM, "out of memory");
	} else if (tandem_domain_fill(skb, dom)) {
		nlmsg_free(skb);
		tandem_reply_ack(&dec->rq, -EMSGSIZE, "reply too large");
	} else {
		tandem_reply_send(&dec->rq, skb, hdr);
	}
	tandem_domain_put(dom);
}

static void tandem_create_release(struct tandem_decision *dec)
{
	mem_cgroup_put(dec->create.memcg);
}

static const struct tandem_decision_ops tandem_create_ops = {
	.fill = tandem_create_fill,
	.complete = tandem_create_complete,
	.release = tandem_create_release,
};

static int tandem_domain_create_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct tandem_decision *dec;
	struct tandem_domain *dom;
	const char *name;
	u64 memory;

	if (TANDEM_REQ_ATTR(info, TANDEM_DOMAIN_A_NAME, "name") ||
	    TANDEM_REQ_ATTR(info, TANDEM_DOMAIN_A_MEMORY, "memory"))
		return -EINVAL;

	name = nla_data(tb[TANDEM_DOMAIN_A_NAME]);
	if (!tandem_domain_name_valid(name)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[TANDEM_DOMAIN_A_NAME],
				    "invalid domain name: 1-31 of A-Z a-z 0-9 _ . - starting with a letter or digit");
		return -EINVAL;
	}
	memory = nla_get_u64(tb[TANDEM_DOMAIN_A_MEMORY]);
	if (!memory || !PAGE_ALIGNED(memory) || memory > TANDEM_MEM_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[TANDEM_DOMAIN_A_MEMORY],
				    "memory must be a non-zero multiple of 4096 bytes, at most 1 TiB");
		return -EINVAL;
	}
	dom = tandem_domain_get_by_name(name);
	if (dom) {
		tandem_domain_put(dom);
		NL_SET_ERR_MSG_ATTR(info->extack, tb[TANDEM_DOMAIN_A_NAME],
				    "a domain with this name exists");
		return -EEXIST;
	}

	dec = tandem_decision_new(TANDEM_DECISION_DOMAIN_CREATE,
				  &tandem_create_ops, info);
	if (!dec)
		return -ENOMEM;
	strscpy(dec->name, name, sizeof(dec->name));
	dec->memory = memory;
	dec->create.vcpus = tb[TANDEM_DOMAIN_A_VCPUS] ?
			    nla_get_u32(tb[TANDEM_DOMAIN_A_VCPUS]) : 1;
	dec->create.on_poweroff = tb[TANDEM_DOMAIN_A_ON_POWEROFF] ?
		nla_get_u32(tb[TANDEM_DOMAIN_A_ON_POWEROFF]) : TANDEM_NO_WISH;
	dec->create.on_reboot = tb[TANDEM_DOMAIN_A_ON_REBOOT] ?
		nla_get_u32(tb[TANDEM_DOMAIN_A_ON_REBOOT]) : TANDEM_NO_WISH;
	dec->create.on_crash = tb[TANDEM_DOMAIN_A_ON_CRASH] ?
		nla_get_u32(tb[TANDEM_DOMAIN_A_ON_CRASH]) : TANDEM_NO_WISH;
	/* Guest RAM is charged to the creator, not to the worker. */
	dec->create.memcg = get_mem_cgroup_from_mm(current->mm);
	return tandem_ask(dec, info);
}

/* DOMAIN_DESTROY ----------------------------------------------------------- */

static void tandem_destroy_complete(struct tandem_decision *dec)
{
	if (dec->err || !dec->allow) {
		tandem_decision_reply_denied(dec);
		return;
	}
	if (tandem_domain_destroy(dec->dom))
		tandem_reply_ack(&dec->rq, -ENOENT, "domain already destroyed");
	else
		tandem_reply_ack(&dec->rq, 0, NULL);
}

static const struct tandem_decision_ops tandem_destroy_ops = {
	.complete = tandem_destroy_complete,
};

static int tandem_domain_destroy_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	struct tandem_decision *dec;
	struct tandem_domain *dom;

	dom = tandem_domain_lookup(info, TANDEM_DOMAIN_A_ID, TANDEM_DOMAIN_A_NAME);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	dec = tandem_decision_new(TANDEM_DECISION_DOMAIN_DESTROY,
				  &tandem_destroy_ops, info);
	if (!dec) {
		tandem_domain_put(dom);
		return -ENOMEM;
	}
	tandem_domain_decision_init(dec, dom);
	dec->memory = dom->mem.size;
	return tandem_ask(dec, info);
}

/* DOMAIN_GET --------------------------------------------------------------- */

static int tandem_domain_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tandem_domain *dom;
	struct sk_buff *msg;
	void *hdr;
	int err = -EMSGSIZE;

	dom = tandem_domain_lookup(info, TANDEM_DOMAIN_A_ID, TANDEM_DOMAIN_A_NAME);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE + dom->vcpus * 256, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out_put;
	}
	hdr = genlmsg_put_reply(msg, info, &tandem_genl_family, 0,
				TANDEM_CMD_DOMAIN_GET);
	if (!hdr || tandem_domain_fill(msg, dom)) {
		nlmsg_free(msg);
		goto out_put;
	}
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
out_put:
	tandem_domain_put(dom);
	return err;
}

/* MEM_WRITE and MEM_READ --------------------------------------------------- */

static int tandem_mem_fill(struct tandem_decision *dec, struct sk_buff *skb)
{
	return nla_put_u64_64bit(skb, TANDEM_DECISION_A_GPA, dec->mem.gpa,
				 TANDEM_DECISION_A_PAD) ||
	       nla_put_u32(skb, TANDEM_DECISION_A_LEN, dec->mem.len);
}

static void tandem_mem_write_complete(struct tandem_decision *dec)
{
	struct tandem_domain *dom = dec->dom;

	/* Destroyed while the agent thought: the domain is gone. */
	if (READ_ONCE(dom->state) == TANDEM_STATE_DYING) {
		tandem_reply_ack(&dec->rq, -ENOENT, "domain destroyed");
		return;
	}
	if (dec->err || !dec->allow) {
		tandem_decision_reply_denied(dec);
		return;
	}
	if (dec->reuse) {
		mutex_lock(&dom->lock);
		dom->memwrite_reuse = true;
		dom->memwrite_state = dec->mem.state;
		dom->memwrite_gen = tandem_policy_generation();
		mutex_unlock(&dom->lock);
	}
	tandem_mem_load(&dom->mem, dec->mem.gpa, dec->mem.data, dec->mem.len);
	tandem_reply_ack(&dec->rq, 0, NULL);
}

static void tandem_mem_write_release(struct tandem_decision *dec)
{
	kvfree(dec->mem.data);
}

static const struct tandem_decision_ops tandem_mem_write_ops = {
	.fill = tandem_mem_fill,
	.complete = tandem_mem_write_complete,
	.release = tandem_mem_write_release,
};

/* An earlier verdict still answers: same state, same policy generation. */
static bool tandem_mem_write_reusable(struct tandem_domain *dom)
{
	bool ok;

	mutex_lock(&dom->lock);
	ok = dom->memwrite_reuse && dom->memwrite_state == dom->state &&
	     dom->memwrite_gen == tandem_policy_generation();
	mutex_unlock(&dom->lock);
	return ok;
}

/* Validate the range of a MEM_WRITE/MEM_READ; extack names the GPA. */
static int tandem_mem_check(struct genl_info *info, struct tandem_domain *dom,
			    u64 gpa, u64 len)
{
	if (tandem_mem_range_ok(&dom->mem, gpa, len))
		return 0;
	NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[TANDEM_MEM_A_GPA],
			    "range outside the domain's memory");
	return -ERANGE;
}

static int tandem_mem_write_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct tandem_decision *dec;
	struct tandem_domain *dom;
	u32 len;
	u64 gpa;
	int err;

	if (TANDEM_REQ_ATTR(info, TANDEM_MEM_A_GPA, "gpa") ||
	    TANDEM_REQ_ATTR(info, TANDEM_MEM_A_DATA, "data"))
		return -EINVAL;
	gpa = nla_get_u64(tb[TANDEM_MEM_A_GPA]);
	len = nla_len(tb[TANDEM_MEM_A_DATA]);
	if (!len) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[TANDEM_MEM_A_DATA],
				    "DATA is empty");
		return -EINVAL;
	}
	dom = tandem_domain_lookup(info, TANDEM_MEM_A_DOMAIN_ID,
				   TANDEM_MEM_A_DOMAIN_NAME);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	err = tandem_mem_check(info, dom, gpa, len);
	if (err)
		goto err_put;

	if (tandem_mem_write_reusable(dom)) {
		tandem_mem_load(&dom->mem, gpa, nla_data(tb[TANDEM_MEM_A_DATA]),
				len);
		tandem_domain_put(dom);
		return 0;
	}

	dec = tandem_decision_new(TANDEM_DECISION_MEM_WRITE,
				  &tandem_mem_write_ops, info);
	if (!dec) {
		err = -ENOMEM;
		goto err_put;
	}
	tandem_domain_decision_init(dec, dom);
	dec->mem.gpa = gpa;
	dec->mem.len = len;
	dec->mem.state = READ_ONCE(dom->state);
	dec->mem.data = kvmalloc(len, GFP_KERNEL);
	if (!dec->mem.data) {
		tandem_decision_free(dec);
		return -ENOMEM;
	}
	memcpy(dec->mem.data, nla_data(tb[TANDEM_MEM_A_DATA]), len);
	return tandem_ask(dec, info);

err_put:
	tandem_domain_put(dom);
	return err;
}

static int tandem_mem_read_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct tandem_domain *dom;
	struct sk_buff *msg;
	struct nlattr *data;
	void *hdr;
	u32 len;
	u64 gpa;
	int err;

	if (TANDEM_REQ_ATTR(info, TANDEM_MEM_A_GPA, "gpa") ||
	    TANDEM_REQ_ATTR(info, TANDEM_MEM_A_LEN, "len"))
		return -EINVAL;
	gpa = nla_get_u64(tb[TANDEM_MEM_A_GPA]);
	len = nla_get_u32(tb[TANDEM_MEM_A_LEN]);
	dom = tandem_domain_lookup(info, TANDEM_MEM_A_DOMAIN_ID,
				   TANDEM_MEM_A_DOMAIN_NAME);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	err = tandem_mem_check(info, dom, gpa, len);
	if (err)
		goto out_put;

	err = -ENOMEM;
	msg = genlmsg_new(nla_total_size(len) + nla_total_size_64bit(8),
			  GFP_KERNEL);
	if (!msg)
		goto out_put;
	err = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &tandem_genl_family, 0,
				TANDEM_CMD_MEM_READ);
	if (!hdr ||
	    nla_put_u64_64bit(msg, TANDEM_MEM_A_GPA, gpa, TANDEM_MEM_A_PAD))
		goto err_free;
	data = nla_reserve(msg, TANDEM_MEM_A_DATA, len);
	if (!data)
		goto err_free;
	tandem_mem_read(&dom->mem, gpa, nla_data(data), len);
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
	goto out_put;

err_free:
	nlmsg_free(msg);
out_put:
	tandem_domain_put(dom);
	return err;
}

/* The agent ---------------------------------------------------------------- */

static int tandem_agent_register_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	struct nlattr *name = info->attrs[TANDEM_AGENT_A_NAME];

	if (name && !tandem_domain_name_valid(nla_data(name))) {
		NL_SET_ERR_MSG_ATTR(info->extack, name,
				    "invalid agent name: 1-31 of A-Z a-z 0-9 _ . -");
		return -EINVAL;
	}
	return tandem_agent_register(info, name ? nla_data(name) : "agent");
}

static int tandem_agent_unregister_doit(struct sk_buff *skb,
					struct genl_info *info)
{
	return tandem_agent_unregister(info);
}

static int tandem_verdict_doit(struct sk_buff *skb, struct genl_info *info)
{
	return tandem_verdict(info);
}

/* POLICY_SET and POLICY_GET ------------------------------------------------ */

static int tandem_policy_set_fill(struct tandem_decision *dec,
				  struct sk_buff *skb)
{
	return nla_put(skb, TANDEM_DECISION_A_POLICY | NLA_F_NESTED,
		       nla_len(dec->config), nla_data(dec->config));
}

static void tandem_policy_set_complete(struct tandem_decision *dec)
{
	if (dec->err || !dec->allow) {
		tandem_decision_reply_denied(dec);
		return;
	}
	tandem_policy_generation_bump();
	tandem_reply_ack(&dec->rq, 0, NULL);
}

static void tandem_policy_set_release(struct tandem_decision *dec)
{
	kfree(dec->config);
}

static const struct tandem_decision_ops tandem_policy_set_ops = {
	.fill = tandem_policy_set_fill,
	.complete = tandem_policy_set_complete,
	.release = tandem_policy_set_release,
};

static int tandem_policy_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *config = info->attrs[TANDEM_POLICY_A_CONFIG];
	struct tandem_decision *dec;

	if (TANDEM_REQ_ATTR(info, TANDEM_POLICY_A_CONFIG, "config"))
		return -EINVAL;
	dec = tandem_decision_new(TANDEM_DECISION_POLICY_SET,
				  &tandem_policy_set_ops, info);
	if (!dec)
		return -ENOMEM;
	/* A refused configuration is a bad value, not a denied right. */
	dec->deny_errno = EINVAL;
	dec->config = kmemdup(config, nla_total_size(nla_len(config)),
			      GFP_KERNEL);
	if (!dec->config) {
		tandem_decision_free(dec);
		return -ENOMEM;
	}
	return tandem_ask(dec, info);
}

static void tandem_policy_get_complete(struct tandem_decision *dec)
{
	struct sk_buff *skb;
	void *hdr;

	if (dec->err || !dec->allow) {
		tandem_decision_reply_denied(dec);
		return;
	}
	if (!dec->policy) {
		tandem_reply_ack(&dec->rq, -EPROTO,
				 "policy agent sent no configuration");
		return;
	}
	skb = tandem_reply_new(&dec->rq, nla_total_size(nla_len(dec->policy)),
			       &hdr);
	if (!skb) {
		tandem_reply_ack(&dec->rq, -ENOMEM, "out of memory");
		return;
	}
	if (nla_put(skb, TANDEM_POLICY_A_CONFIG | NLA_F_NESTED,
		    nla_len(dec->policy), nla_data(dec->policy))) {
		nlmsg_free(skb);
		tandem_reply_ack(&dec->rq, -EMSGSIZE, "configuration too large");
		return;
	}
	tandem_reply_send(&dec->rq, skb, hdr);
}

static const struct tandem_decision_ops tandem_policy_get_ops = {
	.complete = tandem_policy_get_complete,
};

static int tandem_policy_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tandem_decision *dec;

	dec = tandem_decision_new(TANDEM_DECISION_POLICY_GET,
				  &tandem_policy_get_ops, info);
	if (!dec)
		return -ENOMEM;
	return tandem_ask(dec, info);
}

/* DOMAIN_START, PAUSE, RESUME ---------------------------------------------- */

static int tandem_start_fill(struct tandem_decision *dec, struct sk_buff *skb)
{
	return nla_put_u32(skb, TANDEM_DECISION_A_VCPUS, dec->dom->vcpus) ||
	       nla_put_u32(skb, TANDEM_DECISION_A_NR_CPUS, num_online_cpus());
}

/* Apply the agent's placement; false when it leaves no CPU to run on. */
static bool tandem_start_place(struct tandem_decision *dec)
{
	struct tandem_domain *dom = dec->dom;

	if (dec->cpus) {
		unsigned int nbits = min_t(unsigned int, nr_cpu_ids,
					   dec->cpus_len * BITS_PER_BYTE);

		cpumask_clear(dom->cpumask);
		bitmap_copy(cpumask_bits(dom->cpumask), dec->cpus, nbits);
		if (!cpumask_intersects(dom->cpumask, cpu_online_mask))
			return false;
	} else {
		cpumask_copy(dom->cpumask, cpu_possible_mask);
	}
	dom->weight = dec->weight ?: 256;
	WRITE_ONCE(dom->cap, dec->cap);
	return true;
}

/* START refused because CR4.VMXE or EFER.SVME was set by someone else. */
#define TANDEM_BUSY_MSG(ext, kvm) \
	ext " is owned by another hypervisor (" kvm "?): destroy its VMs first"

static void tandem_start_complete(struct tandem_decision *dec)
{
	struct tandem_domain *dom = dec->dom;
	const char *msg = NULL;
	int err;

	if (dec->err || !dec->allow) {
		tandem_decision_reply_denied(dec);
		return;
	}
	mutex_lock(&dom->ctl_lock);
	if (READ_ONCE(dom->state) != TANDEM_STATE_CREATED) {
		err = -EINVAL;
		msg = "domain is not in state created";
	} else if (!tandem_start_place(dec)) {
		err = -EINVAL;
		msg = "the policy agent's cpumask holds no online CPU";
	} else {
		err = tandem_domain_start_vcpus(dom);
		if (err == -EBUSY)
			msg = tandem_hw.vendor == TANDEM_VENDOR_INTEL ?
			      TANDEM_BUSY_MSG("VMX", "kvm_intel") :
			      TANDEM_BUSY_MSG("SVM", "kvm_amd");
		else if (err == -ENODEV)
			msg = "this CPU cannot run domains: see `tandem info`";
		else if (err)
			msg = "cannot start the vCPUs";
		else
			tandem_domain_run(dom);
	}
	mutex_unlock(&dom->ctl_lock);
	tandem_reply_ack(&dec->rq, err, msg);
}

static const struct tandem_decision_ops tandem_start_ops = {
	.fill = tandem_start_fill,
	.complete = tandem_start_complete,
};

static int tandem_domain_start_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tandem_decision *dec;
	struct tandem_domain *dom;

	dom = tandem_domain_lookup(info, TANDEM_DOMAIN_A_ID, TANDEM_DOMAIN_A_NAME);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	if (READ_ONCE(dom->state) != TANDEM_STATE_CREATED) {
		tandem_domain_put(dom);
		GENL_SET_ERR_MSG(info, "domain is not in state created");
		return -EINVAL;
	}
	dec = tandem_decision_new(TANDEM_DECISION_DOMAIN_START,
				  &tandem_start_ops, info);
	if (!dec) {
		tandem_domain_put(dom);
		return -ENOMEM;
	}
	tandem_domain_decision_init(dec, dom);
	dec->memory = dom->mem.size;
	return tandem_ask(dec, info);
}

static int tandem_domain_pause_resume(struct genl_info *info, bool pause)
{
	struct tandem_domain *dom;
	int err;

	dom = tandem_domain_lookup(info, TANDEM_DOMAIN_A_ID, TANDEM_DOMAIN_A_NAME);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	mutex_lock(&dom->ctl_lock);
	err = pause ? tandem_domain_pause(dom) : tandem_domain_resume(dom);
	mutex_unlock(&dom->ctl_lock);
	if (err && pause)
		GENL_SET_ERR_MSG(info, "domain is not running");
	else if (err)
		GENL_SET_ERR_MSG(info, "domain is not paused");
	tandem_domain_put(dom);
	return err;
}

static int tandem_domain_pause_doit(struct sk_buff *skb, struct genl_info *info)
{
	return tandem_domain_pause_resume(info, true);
}

static int tandem_domain_resume_doit(struct sk_buff *skb, struct genl_info *info)
{
	return tandem_domain_pause_resume(info, false);
}

/* Crash decisions: asked by the mechanism itself ---------------------------- */

static int tandem_crash_fill(struct tandem_decision *dec, struct sk_buff *skb)
{
	u32 wish = dec->dom->on_crash;

	return nla_put_string(skb, TANDEM_DECISION_A_REASON,
			      dec->dom->crash_reason) ||
	       nla_put_u32(skb, TANDEM_DECISION_A_RESTARTS, dec->dom->restarts) ||
	       (wish != TANDEM_NO_WISH &&
		nla_put_u32(skb, TANDEM_DECISION_A_WISH, wish));
}

static void tandem_crash_complete(struct tandem_decision *dec)
{
	struct tandem_domain *dom = dec->dom;
	/* No agent, no answer or a denial: keep everything for inspection. */
	u32 action = !dec->err && dec->allow ? dec->action : TANDEM_CRASH_PRESERVE;

	tandem_event_crashed(dom, action);
	if (action == TANDEM_CRASH_DESTROY)
		tandem_domain_destroy(dom);
	else if (action == TANDEM_CRASH_RESTART && tandem_domain_restart(dom))
		pr_info_ratelimited("domain %s (%u) could not be restarted\n",
				    dom->name, dom->id);
}

static const struct tandem_decision_ops tandem_crash_ops = {
	.fill = tandem_crash_fill,
	.complete = tandem_crash_complete,
};

/* Shutdown decisions: power-off and reboot, asked by the mechanism ---------- */

static u32 tandem_shutdown_wish(struct tandem_domain *dom)
{
	return READ_ONCE(dom->shutdown_reason) == TANDEM_SHUTDOWN_REBOOT ?
	       dom->on_reboot : dom->on_poweroff;
}

static int tandem_shutdown_fill(struct tandem_decision *dec,
				struct sk_buff *skb)
{
	u32 wish = tandem_shutdown_wish(dec->dom);

	return nla_put_u32(skb, TANDEM_DECISION_A_SHUTDOWN_REASON,
			   READ_ONCE(dec->dom->shutdown_reason)) ||
	       (wish != TANDEM_NO_WISH &&
		nla_put_u32(skb, TANDEM_DECISION_A_WISH, wish));
}

static void tandem_shutdown_complete(struct tandem_decision *dec)
{
	struct tandem_domain *dom = dec->dom;
	/* No agent, no answer or a denial: it stays shut down. */
	u32 action = !dec->err && dec->allow ? dec->action : TANDEM_CRASH_PRESERVE;

	/* Destroyed or restarted by hand while the agent thought. */
	if (READ_ONCE(dom->state) != TANDEM_STATE_SHUTDOWN)
		return;
	if (action == TANDEM_CRASH_DESTROY)
		tandem_domain_destroy(dom);
	else if (action == TANDEM_CRASH_RESTART && tandem_domain_restart(dom))
		pr_info_ratelimited("domain %s (%u) could not be restarted\n",
				    dom->name, dom->id);
}

static const struct tandem_decision_ops tandem_shutdown_ops = {
	.fill = tandem_shutdown_fill,
	.complete = tandem_shutdown_complete,
};

/* Ask the agent about a crash or a shutdown; @ops completes it. */
static void tandem_stop_decide(struct tandem_domain *dom, u32 kind,
			       const struct tandem_decision_ops *ops)
{
	struct tandem_decision *dec;

	dec = tandem_decision_new(kind, ops, NULL);
	if (!dec) {
		if (kind == TANDEM_DECISION_CRASH)
			tandem_event_crashed(dom, TANDEM_CRASH_PRESERVE);
		return;
	}
	kref_get(&dom->ref);
	tandem_domain_decision_init(dec, dom);
	if (tandem_decision_ask(dec, NULL) != -EINTR) {
		ops->complete(dec);
		tandem_decision_free(dec);
	}
}

/**
 * tandem_stopped_decide() - ask the agent what to do with a domain that
 * crashed, powered off or asked for a reboot
 * @dom: the domain, in state crashed or shutdown (else nothing is asked)
 */
void tandem_stopped_decide(struct tandem_domain *dom)
{
	switch (READ_ONCE(dom->state)) {
	case TANDEM_STATE_CRASHED:
		tandem_stop_decide(dom, TANDEM_DECISION_CRASH, &tandem_crash_ops);
		break;
	case TANDEM_STATE_SHUTDOWN:
		tandem_stop_decide(dom, TANDEM_DECISION_SHUTDOWN,
				   &tandem_shutdown_ops);
		break;
	}
}

/* VCPU_GET_REGS, VCPU_SET_REGS ------------------------------------------- */

static struct tandem_vcpu *tandem_vcpu_lookup(struct genl_info *info,
					      struct tandem_domain **domp)
{
	struct nlattr *idx = info->attrs[TANDEM_VCPU_A_VCPU];
	struct tandem_domain *dom;
	u32 i = idx ? nla_get_u32(idx) : 0;

	dom = tandem_domain_lookup(info, TANDEM_VCPU_A_DOMAIN_ID,
				   TANDEM_VCPU_A_DOMAIN_NAME);
	if (IS_ERR(dom))
		return ERR_CAST(dom);
	if (i >= dom->vcpus) {
		tandem_domain_put(dom);
		NL_SET_ERR_MSG_ATTR(info->extack, idx, "no such vCPU");
		return ERR_PTR(-ENOENT);
	}
	*domp = dom;
	return &dom->vcpu[i];
}

static int tandem_vcpu_get_regs_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct tandem_vcpu_regs regs;
	struct tandem_domain *dom;
	struct tandem_vcpu *vcpu;
	struct sk_buff *msg;
	void *hdr;
	int err;

	vcpu = tandem_vcpu_lookup(info, &dom);
	if (IS_ERR(vcpu))
		return PTR_ERR(vcpu);
	mutex_lock(&dom->ctl_lock);
	err = tandem_vcpu_get_regs(vcpu, &regs);
	mutex_unlock(&dom->ctl_lock);
	if (err)
		goto out_put;
	err = -ENOMEM;
	msg = genlmsg_new(nla_total_size(sizeof(regs)), GFP_KERNEL);
	if (!msg)
		goto out_put;
	hdr = genlmsg_put_reply(msg, info, &tandem_genl_family, 0,
				TANDEM_CMD_VCPU_GET_REGS);
	if (!hdr || nla_put(msg, TANDEM_VCPU_A_REGS, sizeof(regs), &regs)) {
		nlmsg_free(msg);
		err = -EMSGSIZE;
		goto out_put;
	}
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
out_put:
	tandem_domain_put(dom);
	return err;
}

static int tandem_vcpu_set_regs_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	const struct tandem_vcpu_regs *regs;
	struct tandem_domain *dom;
	struct tandem_vcpu *vcpu;
	u32 state;
	int err;

	if (TANDEM_REQ_ATTR(info, TANDEM_VCPU_A_REGS, "regs"))
		return -EINVAL;
	regs = nla_data(info->attrs[TANDEM_VCPU_A_REGS]);
	/*
	 * Checked here too because a vCPU not started yet only records the
	 * state: bits such as OSXSAVE or PKE would fail START instead.
	 */
	if (regs->cr4 & ~tandem_hw.cr4_guest) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[TANDEM_VCPU_A_REGS],
				    "cr4 sets bits the guest's cpuid does not offer");
		return -EINVAL;
	}
	vcpu = tandem_vcpu_lookup(info, &dom);
	if (IS_ERR(vcpu))
		return PTR_ERR(vcpu);
	mutex_lock(&dom->ctl_lock);
	state = READ_ONCE(dom->state);
	if (state != TANDEM_STATE_CREATED && state != TANDEM_STATE_PAUSED) {
		GENL_SET_ERR_MSG(info, "domain must be created or paused");
		err = -EINVAL;
	} else {
		err = tandem_vcpu_set_regs(vcpu, regs);
		if (err)
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[TANDEM_VCPU_A_REGS],
					    "the processor cannot enter this state");
	}
	mutex_unlock(&dom->ctl_lock);
	tandem_domain_put(dom);
	return err;
}

/* CONSOLE_READ ------------------------------------------------------------- */

static int tandem_console_read_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *seq_attr = info->attrs[TANDEM_CONSOLE_A_SEQ];
	struct tandem_domain *dom;
	u64 seq = seq_attr ? nla_get_u64(seq_attr) : 0, next;
	struct sk_buff *msg;
	struct nlattr *data;
	size_t n;
	void *hdr;
	int err = -EMSGSIZE;

	dom = tandem_domain_lookup(info, TANDEM_CONSOLE_A_DOMAIN_ID,
				   TANDEM_CONSOLE_A_DOMAIN_NAME);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	msg = genlmsg_new(nla_total_size(TANDEM_CONSOLE_CHUNK) + 64, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out_put;
	}
	hdr = genlmsg_put_reply(msg, info, &tandem_genl_family, 0,
				TANDEM_CMD_CONSOLE_READ);
	if (!hdr)
		goto err_free;
	data = nla_reserve(msg, TANDEM_CONSOLE_A_DATA, TANDEM_CONSOLE_CHUNK);
	if (!data)
		goto err_free;
	n = tandem_console_read(dom, &seq, nla_data(data), TANDEM_CONSOLE_CHUNK,
				&next);
	/* Give back what the reservation did not use. */
	nlmsg_trim(msg, (char *)data + nla_total_size(n));
	data->nla_len = nla_attr_size(n);
	if (nla_put_u64_64bit(msg, TANDEM_CONSOLE_A_SEQ, seq, TANDEM_CONSOLE_A_PAD) ||
	    nla_put_u64_64bit(msg, TANDEM_CONSOLE_A_NEXT_SEQ, next,
			      TANDEM_CONSOLE_A_PAD))
		goto err_free;
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
	goto out_put;

err_free:
	nlmsg_free(msg);
out_put:
	tandem_domain_put(dom);
	return err;
}

/* CONSOLE_WRITE ------------------------------------------------------------ */

static int tandem_console_write_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *data = info->attrs[TANDEM_CONSOLE_A_DATA];
	struct tandem_domain *dom;
	struct sk_buff *msg;
	int err = -EMSGSIZE, n;
	void *hdr;

	if (TANDEM_REQ_ATTR(info, TANDEM_CONSOLE_A_DATA, "data"))
		return -EINVAL;
	if (!nla_len(data)) {
		NL_SET_ERR_MSG_ATTR(info->extack, data, "DATA is empty");
		return -EINVAL;
	}
	dom = tandem_domain_lookup(info, TANDEM_CONSOLE_A_DOMAIN_ID,
				   TANDEM_CONSOLE_A_DOMAIN_NAME);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out_put;
	}
	hdr = genlmsg_put_reply(msg, info, &tandem_genl_family, 0,
				TANDEM_CMD_CONSOLE_WRITE);
	if (!hdr)
		goto err_free;
	n = tandem_uart_receive(dom, nla_data(data), nla_len(data));
	if (nla_put_u32(msg, TANDEM_CONSOLE_A_ACCEPTED, n))
		goto err_free;
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
	goto out_put;

err_free:
	nlmsg_free(msg);
out_put:
	tandem_domain_put(dom);
	return err;
}

/* The family --------------------------------------------------------------- */

static int tandem_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
			   struct genl_info *info)
{
	if ((ops->internal_flags & TANDEM_OP_ADMIN) &&
	    !netlink_capable(skb, CAP_SYS_ADMIN)) {
		GENL_SET_ERR_MSG(info, "CAP_SYS_ADMIN required");
		return -EPERM;
	}
	return 0;
}

#define TANDEM_OP(_cmd, _doit, _policy, _max, _flags) {	\
	.cmd = (_cmd),						\
	.doit = (_doit),					\
	.policy = (_policy),					\
	.maxattr = (_max),					\
	.internal_flags = (_flags),				\
}

static const struct genl_ops tandem_genl_ops[] = {
	TANDEM_OP(TANDEM_CMD_GET_INFO, tandem_info_get_doit,
		  tandem_info_get_policy, TANDEM_INFO_A_MAX, 0),
	TANDEM_OP(TANDEM_CMD_DOMAIN_CREATE, tandem_domain_create_doit,
		  tandem_domain_create_policy, TANDEM_DOMAIN_A_MAX,
		  TANDEM_OP_ADMIN),
	TANDEM_OP(TANDEM_CMD_DOMAIN_DESTROY, tandem_domain_destroy_doit,
		  tandem_domain_select_policy, TANDEM_DOMAIN_A_MAX,
		  TANDEM_OP_ADMIN),
	{
		.cmd = TANDEM_CMD_DOMAIN_GET,
		.doit = tandem_domain_get_doit,
		.dumpit = tandem_domain_dump,
		.policy = tandem_domain_select_policy,
		.maxattr = TANDEM_DOMAIN_A_MAX,
	},
	TANDEM_OP(TANDEM_CMD_MEM_WRITE, tandem_mem_write_doit,
		  tandem_mem_write_policy, TANDEM_MEM_A_MAX, TANDEM_OP_ADMIN),
	TANDEM_OP(TANDEM_CMD_MEM_READ, tandem_mem_read_doit,
		  tandem_mem_read_policy, TANDEM_MEM_A_MAX, TANDEM_OP_ADMIN),
	TANDEM_OP(TANDEM_CMD_AGENT_REGISTER, tandem_agent_register_doit,
		  tandem_agent_policy, TANDEM_AGENT_A_MAX, TANDEM_OP_ADMIN),
	TANDEM_OP(TANDEM_CMD_AGENT_UNREGISTER, tandem_agent_unregister_doit,
		  tandem_agent_policy, TANDEM_AGENT_A_MAX, TANDEM_OP_ADMIN),
	TANDEM_OP(TANDEM_CMD_VERDICT, tandem_verdict_doit,
		  tandem_verdict_policy, TANDEM_VERDICT_A_MAX, TANDEM_OP_ADMIN),
	TANDEM_OP(TANDEM_CMD_POLICY_SET, tandem_policy_set_doit,
		  tandem_policy_set_policy, TANDEM_POLICY_A_MAX,
		  TANDEM_OP_ADMIN),
	TANDEM_OP(TANDEM_CMD_POLICY_GET, tandem_policy_get_doit,
		  tandem_policy_get_policy, TANDEM_POLICY_A_MAX, 0),
	TANDEM_OP(TANDEM_CMD_DOMAIN_START, tandem_domain_start_doit,
		  tandem_domain_select_policy, TANDEM_DOMAIN_A_MAX,
		  TANDEM_OP_ADMIN),
	TANDEM_OP(TANDEM_CMD_DOMAIN_PAUSE, tandem_domain_pause_doit,
		  tandem_domain_select_policy, TANDEM_DOMAIN_A_MAX,
		  TANDEM_OP_ADMIN),
	TANDEM_OP(TANDEM_CMD_DOMAIN_RESUME, tandem_domain_resume_doit,
		  tandem_domain_select_policy, TANDEM_DOMAIN_A_MAX,
		  TANDEM_OP_ADMIN),
	TANDEM_OP(TANDEM_CMD_VCPU_GET_REGS, tandem_vcpu_get_regs_doit,
		  tandem_vcpu_get_policy, TANDEM_VCPU_A_MAX, TANDEM_OP_ADMIN),
	TANDEM_OP(TANDEM_CMD_VCPU_SET_REGS, tandem_vcpu_set_regs_doit,
		  tandem_vcpu_set_policy, TANDEM_VCPU_A_MAX, TANDEM_OP_ADMIN),
	TANDEM_OP(TANDEM_CMD_CONSOLE_READ, tandem_console_read_doit,
		  tandem_console_policy, TANDEM_CONSOLE_A_MAX, TANDEM_OP_ADMIN),
	TANDEM_OP(TANDEM_CMD_CONSOLE_WRITE, tandem_console_write_doit,
		  tandem_console_write_policy, TANDEM_CONSOLE_A_MAX,
		  TANDEM_OP_ADMIN),
	TANDEM_OP(TANDEM_CMD_DEVICE_ATTACH, tandem_device_attach_doit,
		  tandem_device_attach_policy, TANDEM_DEVICE_A_MAX,
		  TANDEM_OP_ADMIN),
	TANDEM_OP(TANDEM_CMD_DEVICE_DETACH, tandem_device_detach_doit,
		  tandem_device_detach_policy, TANDEM_DEVICE_A_MAX,
		  TANDEM_OP_ADMIN),
};

static const struct genl_multicast_group tandem_mcgrps[] = {
	[TANDEM_MCGRP_EVENTS] = { .name = TANDEM_MCGRP_EVENTS_NAME },
	[TANDEM_MCGRP_AUDIT] = { .name = TANDEM_MCGRP_AUDIT_NAME },
};

struct genl_family tandem_genl_family __ro_after_init = {
	.name = TANDEM_GENL_NAME,
	.version = TANDEM_GENL_VERSION,
	.module = THIS_MODULE,
	/*
	 * Verdicts must be processed while requests are pending, and no
	 * doit sleeps on another message: no need for genl_mutex.
	 */
	.parallel_ops = true,
	.pre_doit = tandem_pre_doit,
	.ops = tandem_genl_ops,
	.n_ops = ARRAY_SIZE(tandem_genl_ops),
	.mcgrps = tandem_mcgrps,
	.n_mcgrps = ARRAY_SIZE(tandem_mcgrps),
};

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
 *
 * When this returns no doit runs and none will.
 */
void tandem_genl_exit(void)
{
	genl_unregister_family(&tandem_genl_family);
}
