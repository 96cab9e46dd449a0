// SPDX-License-Identifier: GPL-2.0
/*
 * Notifications on the family's multicast groups: "events" for domain and
 * agent life cycles, "audit" for every decision.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "tandem_hv.h"

/* Start an event message, or return NULL when nobody listens. */
static struct sk_buff *tandem_event_new(u32 group, u32 kind, void **hdr)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&tandem_genl_family, &init_net, group))
		return NULL;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &tandem_genl_family, 0, TANDEM_CMD_EVENT);
	if (!*hdr ||
	    nla_put_u32(skb, TANDEM_EVENT_A_KIND, kind) ||
	    nla_put_u64_64bit(skb, TANDEM_EVENT_A_TIME_NS, ktime_get_real_ns(),
			      TANDEM_EVENT_A_PAD)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void tandem_event_send(u32 group, struct sk_buff *skb, void *hdr,
			      int err)
{
	if (err) {
		/* NLMSG_DEFAULT_SIZE holds every event: this is a bug. */
		WARN_ON_ONCE(1);
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&tandem_genl_family, skb, 0, group, GFP_KERNEL);
}

/**
 * tandem_event_domain() - announce a domain's creation, state or end
 * @kind: %TANDEM_EVENT_DOMAIN_CREATED, _STATE or _DESTROYED
 * @dom: the domain
 * @old_state: its previous state (for _STATE)
 */
void tandem_event_domain(u32 kind, struct tandem_domain *dom, u32 old_state)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	skb = tandem_event_new(TANDEM_MCGRP_EVENTS, kind, &hdr);
	if (!skb)
		return;
	err = nla_put_u32(skb, TANDEM_EVENT_A_DOMAIN_ID, dom->id) ||
	      nla_put_string(skb, TANDEM_EVENT_A_DOMAIN_NAME, dom->name) ||
	      nla_put_u32(skb, TANDEM_EVENT_A_STATE, READ_ONCE(dom->state)) ||
	      nla_put_u64_64bit(skb, TANDEM_EVENT_A_MEMORY, dom->mem.size,
				TANDEM_EVENT_A_PAD);
	if (!err && kind == TANDEM_EVENT_DOMAIN_STATE)
		err = nla_put_u32(skb, TANDEM_EVENT_A_OLD_STATE, old_state);
	if (!err && kind == TANDEM_EVENT_DOMAIN_STATE &&
	    READ_ONCE(dom->state) == TANDEM_STATE_SHUTDOWN)
		err = nla_put_u32(skb, TANDEM_EVENT_A_SHUTDOWN_REASON,
				  READ_ONCE(dom->shutdown_reason));
	tandem_event_send(TANDEM_MCGRP_EVENTS, skb, hdr, err);
}

/**
 * tandem_event_crashed() - announce a crash and what was done about it
 * @dom: the crashed domain
 * @action: &enum tandem_crash_action applied
 *
 * Sent before the action is carried out, so %TANDEM_EVENT_A_RESTARTS is
 * the number of restarts that came before this crash: listeners can tell
 * the crashes of one domain apart and see a restart limit being reached.
 */
void tandem_event_crashed(struct tandem_domain *dom, u32 action)
{
	struct sk_buff *skb;
	void *hdr;

	skb = tandem_event_new(TANDEM_MCGRP_EVENTS, TANDEM_EVENT_DOMAIN_CRASHED,
			       &hdr);
	if (!skb)
		return;
	tandem_event_send(TANDEM_MCGRP_EVENTS, skb, hdr,
			  nla_put_u32(skb, TANDEM_EVENT_A_DOMAIN_ID, dom->id) ||
			  nla_put_string(skb, TANDEM_EVENT_A_DOMAIN_NAME, dom->name) ||
			  nla_put_string(skb, TANDEM_EVENT_A_REASON,
					 dom->crash_reason) ||
			  nla_put_u32(skb, TANDEM_EVENT_A_VCPU, dom->crash_vcpu) ||
			  nla_put(skb, TANDEM_EVENT_A_REGS, sizeof(dom->crash_regs),
				  &dom->crash_regs) ||
			  nla_put_u32(skb, TANDEM_EVENT_A_ACTION, action) ||
			  nla_put_u32(skb, TANDEM_EVENT_A_RESTARTS,
				      READ_ONCE(dom->restarts)));
}

/**
 * tandem_event_agent() - announce that an agent took office or left
 * @kind: %TANDEM_EVENT_AGENT_REGISTERED or %TANDEM_EVENT_AGENT_GONE
 * @portid: the agent's port
 * @name: the agent's name
 */
void tandem_event_agent(u32 kind, u32 portid, const char *name)
{
	struct sk_buff *skb;
	void *hdr;

	skb = tandem_event_new(TANDEM_MCGRP_EVENTS, kind, &hdr);
	if (!skb)
		return;
	tandem_event_send(TANDEM_MCGRP_EVENTS, skb, hdr,
			  nla_put_u32(skb, TANDEM_EVENT_A_AGENT_PORTID, portid) ||
			  nla_put_string(skb, TANDEM_EVENT_A_AGENT_NAME, name));
}

/**
 * tandem_event_verdict() - the audit record of one decision
 * @dec: the decision, answered or failed
 * @portid: the agent's port (0 when there was no agent)
 * @agent: the agent's name, or %NULL when there was no agent
 */
void tandem_event_verdict(const struct tandem_decision *dec, u32 portid,
			  const char *agent)
{
	int errno_out = dec->err ? -dec->err : (dec->allow ? 0 : dec->deny_errno);
	struct sk_buff *skb;
	void *hdr;
	int err;

	skb = tandem_event_new(TANDEM_MCGRP_AUDIT, TANDEM_EVENT_VERDICT, &hdr);
	if (!skb)
		return;
	err = nla_put_u32(skb, TANDEM_EVENT_A_DECISION, dec->kind) ||
	      nla_put_u32(skb, TANDEM_EVENT_A_COOKIE, dec->cookie) ||
	      nla_put_u8(skb, TANDEM_EVENT_A_ALLOW, dec->allow) ||
	      nla_put_string(skb, TANDEM_EVENT_A_REASON, dec->reason) ||
	      nla_put_u32(skb, TANDEM_EVENT_A_ERRNO, errno_out);
	if (!err && dec->domid)
		err = nla_put_u32(skb, TANDEM_EVENT_A_DOMAIN_ID, dec->domid);
	if (!err && dec->name[0])
		err = nla_put_string(skb, TANDEM_EVENT_A_DOMAIN_NAME, dec->name);
	if (!err && dec->memory)
		err = nla_put_u64_64bit(skb, TANDEM_EVENT_A_MEMORY, dec->memory,
					TANDEM_EVENT_A_PAD);
	if (!err && agent)
		err = nla_put_u32(skb, TANDEM_EVENT_A_AGENT_PORTID, portid) ||
		      nla_put_string(skb, TANDEM_EVENT_A_AGENT_NAME, agent);
	tandem_event_send(TANDEM_MCGRP_AUDIT, skb, hdr, err);
}
