// SPDX-License-Identifier: GPL-2.0
/*
 * The policy agent and the decisions it makes.
 *
 * The mechanism never decides: at every decision point it sends a DECISION
 * to the registered agent and acts on the VERDICT. The requester's reply
 * is deferred, never waited for inside a doit: a doit that slept would hold
 * genl's cb_lock for reading while the verdict, another message of the
 * family, needs it too, and a writer queued on cb_lock (any family being
 * registered anywhere in the kernel) would then block both until the
 * timeout. Instead the doit returns -EINTR (no automatic ACK) and the
 * outcome is sent from the tandem workqueue. Each pending decision sits in
 * an xarray by cookie; the verdict, the timeout and the agent's departure
 * race to remove it, and whichever removes it owns the outcome.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "tandem_hv.h"

#define TANDEM_MAX_PENDING	256

static unsigned int agent_timeout_ms = 2000;
module_param(agent_timeout_ms, uint, 0644);
MODULE_PARM_DESC(agent_timeout_ms,
		 "how long a decision waits for the policy agent (ms), then is denied");

struct workqueue_struct *tandem_wq;

/* The agent: port 0 means none. Protected by tandem_agent_lock. */
static DEFINE_MUTEX(tandem_agent_lock);
static u32 tandem_agent_portid;
static char tandem_agent_name[TANDEM_NAME_MAX];

static DEFINE_XARRAY_ALLOC1(tandem_pending);
static u32 tandem_next_cookie;
static atomic_t tandem_nr_pending = ATOMIC_INIT(0);
static atomic64_t tandem_policy_gen = ATOMIC64_INIT(1);

/**
 * tandem_policy_generation() - changes whenever the agent accepts a
 * POLICY_SET, so that verdicts marked for reuse expire
 *
 * Return: the current generation.
 */
u64 tandem_policy_generation(void)
{
	return atomic64_read(&tandem_policy_gen);
}

/**
 * tandem_policy_generation_bump() - expire every reusable verdict
 */
void tandem_policy_generation_bump(void)
{
	atomic64_inc(&tandem_policy_gen);
}

static void tandem_decision_timeout(struct work_struct *work);
static void tandem_decision_done(struct work_struct *work);

/**
 * tandem_decision_new() - a decision of @kind for the request in @info
 * @kind: &enum tandem_decision_kind
 * @ops: the kind's behaviour
 * @info: the request, whose reply will be deferred; %NULL when nobody
 *	waits for one
 *
 * Return: the decision, or %NULL when out of memory.
 */
struct tandem_decision *tandem_decision_new(u32 kind,
					    const struct tandem_decision_ops *ops,
					    const struct genl_info *info)
{
	struct tandem_decision *dec = kzalloc(sizeof(*dec), GFP_KERNEL);

	if (!dec)
		return NULL;
	dec->kind = kind;
	dec->ops = ops;
	dec->deny_errno = EACCES;
	tandem_requester_init(&dec->rq, info);
	INIT_DELAYED_WORK(&dec->timeout, tandem_decision_timeout);
	INIT_WORK(&dec->done, tandem_decision_done);
	return dec;
}

/**
 * tandem_domain_decision_init() - make @dom the subject of @dec
 * @dec: the decision
 * @dom: the domain; the decision takes over the caller's reference
 */
void tandem_domain_decision_init(struct tandem_decision *dec,
				 struct tandem_domain *dom)
{
	dec->dom = dom;
	dec->domid = dom->id;
	strscpy(dec->name, dom->name, sizeof(dec->name));
}

/**
 * tandem_decision_free() - release a decision that is not pending
 * @dec: the decision
 */
void tandem_decision_free(struct tandem_decision *dec)
{
	if (dec->ops->release)
		dec->ops->release(dec);
	tandem_domain_put(dec->dom);
	kfree(dec->policy);
	kfree(dec->cpus);
	kfree(dec);
}

/*
 * Whoever removes a decision from the pending table owns its outcome. Only
 * callers that know @dec is alive use this (its timeout handler, which
 * tandem_decision_done() waits for, and tandem_decision_ask() under the agent
 * lock); the others claim by cookie with xa_erase().
 */
static bool tandem_decision_claim(struct tandem_decision *dec)
{
	return xa_cmpxchg(&tandem_pending, dec->cookie, dec, NULL, 0) == dec;
}

/* Record why there is no verdict, audit it and finish in process context. */
static void tandem_decision_fail(struct tandem_decision *dec, int err,
				 const char *why)
{
	dec->err = err;
	dec->allow = false;
	strscpy(dec->reason, why, sizeof(dec->reason));
	tandem_event_verdict(dec, dec->agent_portid,
			     dec->agent_portid ? dec->agent_name : NULL);
	queue_work(tandem_wq, &dec->done);
}

static void tandem_decision_timeout(struct work_struct *work)
{
	struct tandem_decision *dec =
		container_of(to_delayed_work(work), struct tandem_decision, timeout);

	if (tandem_decision_claim(dec))
		tandem_decision_fail(dec, -ETIMEDOUT,
				     "policy agent did not answer in time");
}

static void tandem_decision_done(struct work_struct *work)
{
	struct tandem_decision *dec =
		container_of(work, struct tandem_decision, done);

	/*
	 * tandem_decision_ask() may still be using @dec (it holds the agent
	 * lock until the question is sent and the timeout armed); then the
	 * timeout handler may still be running after losing the race.
	 */
	mutex_lock(&tandem_agent_lock);
	mutex_unlock(&tandem_agent_lock);
	cancel_delayed_work_sync(&dec->timeout);
	atomic_dec(&tandem_nr_pending);
	dec->ops->complete(dec);
	tandem_decision_free(dec);
}

/**
 * tandem_decision_reply_denied() - tell the requester why not
 * @dec: a decision that was denied or never answered
 */
void tandem_decision_reply_denied(struct tandem_decision *dec)
{
	char msg[TANDEM_REASON_MAX + 32];

	if (dec->err) {
		tandem_reply_ack(&dec->rq, dec->err, dec->reason);
		return;
	}
	if (dec->deny_errno == EACCES)
		snprintf(msg, sizeof(msg), "denied by policy: %s",
			 dec->reason[0] ? dec->reason : "no reason given");
	else
		strscpy(msg, dec->reason[0] ? dec->reason : "refused by policy",
			sizeof(msg));
	tandem_reply_ack(&dec->rq, -dec->deny_errno, msg);
}

static struct sk_buff *tandem_decision_msg(struct tandem_decision *dec)
{
	struct sk_buff *skb;
	size_t size;
	u64 total_memory;
	u32 nr_domains;
	void *hdr;

	/* Room for the large attributes: a configuration, a disk's path. */
	size = NLMSG_GOODSIZE;
	if (dec->kind == TANDEM_DECISION_POLICY_SET)
		size += nla_total_size(nla_len(dec->config));
	else if (dec->kind == TANDEM_DECISION_DEVICE_ATTACH)
		size += nla_total_size(TANDEM_PATH_MAX);
	skb = genlmsg_new(size, GFP_KERNEL);
	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, 0, 0, &tandem_genl_family, 0,
			  TANDEM_CMD_DECISION);
	if (!hdr)
		goto err_free;

	tandem_domain_totals(&nr_domains, &total_memory);
	if (nla_put_u32(skb, TANDEM_DECISION_A_COOKIE, dec->cookie) ||
	    nla_put_u32(skb, TANDEM_DECISION_A_KIND, dec->kind) ||
	    nla_put_u32(skb, TANDEM_DECISION_A_UID,
			from_kuid_munged(&init_user_ns, dec->rq.uid)) ||
	    nla_put_u32(skb, TANDEM_DECISION_A_PID, dec->rq.pid) ||
	    nla_put_u32(skb, TANDEM_DECISION_A_NR_DOMAINS, nr_domains) ||
	    nla_put_u64_64bit(skb, TANDEM_DECISION_A_TOTAL_MEMORY, total_memory,
			      TANDEM_DECISION_A_PAD) ||
	    nla_put_u32(skb, TANDEM_DECISION_A_TIMEOUT_MS,
			READ_ONCE(agent_timeout_ms)))
		goto err_free;
	if (dec->domid &&
	    nla_put_u32(skb, TANDEM_DECISION_A_DOMAIN_ID, dec->domid))
		goto err_free;
	if (dec->name[0] &&
	    nla_put_string(skb, TANDEM_DECISION_A_DOMAIN_NAME, dec->name))
		goto err_free;
	if (dec->dom &&
	    nla_put_u32(skb, TANDEM_DECISION_A_DOMAIN_STATE,
			READ_ONCE(dec->dom->state)))
		goto err_free;
	if (dec->memory &&
	    nla_put_u64_64bit(skb, TANDEM_DECISION_A_MEMORY, dec->memory,
			      TANDEM_DECISION_A_PAD))
		goto err_free;
	if (dec->ops->fill && dec->ops->fill(dec, skb))
		goto err_free;
	genlmsg_end(skb, hdr);
	return skb;

err_free:
	nlmsg_free(skb);
	return NULL;
}

/**
 * tandem_decision_ask() - send @dec to the agent; the reply is deferred
 * @dec: a new decision; on any return but -EINTR it is still the caller's
 * @extack: for an immediate refusal
 *
 * Return: -EINTR when the question is on its way (the doit returns it so
 * that genl sends no ACK; the outcome reaches the requester later), or a
 * negative errno to return at once: EACCES without an agent, EBUSY with too
 * many decisions pending, ECONNABORTED when the agent cannot be reached.
 */
int tandem_decision_ask(struct tandem_decision *dec,
			struct netlink_ext_ack *extack)
{
	const char *why;
	struct sk_buff *skb;
	int err;

	mutex_lock(&tandem_agent_lock);
	if (!tandem_agent_portid) {
		err = -EACCES;
		why = "no policy agent registered";
		goto err_unlock;
	}
	dec->agent_portid = tandem_agent_portid;
	strscpy(dec->agent_name, tandem_agent_name, sizeof(dec->agent_name));

	if (atomic_inc_return(&tandem_nr_pending) > TANDEM_MAX_PENDING) {
		atomic_dec(&tandem_nr_pending);
		err = -EBUSY;
		why = "too many decisions pending";
		goto err_unlock;
	}
	err = xa_alloc_cyclic(&tandem_pending, &dec->cookie, dec, xa_limit_32b,
			      &tandem_next_cookie, GFP_KERNEL);
	if (err < 0) {
		why = "out of memory";
		goto err_dec;
	}
	skb = tandem_decision_msg(dec);
	if (!skb) {
		err = -ENOMEM;
		why = "out of memory";
		goto err_erase;
	}

	queue_delayed_work(tandem_wq, &dec->timeout,
			   msecs_to_jiffies(READ_ONCE(agent_timeout_ms)));
	err = genlmsg_unicast(&init_net, skb, tandem_agent_portid);
	if (err && tandem_decision_claim(dec)) {
		cancel_delayed_work_sync(&dec->timeout);
		err = -ECONNABORTED;
		why = "cannot reach the policy agent";
		goto err_dec;
	}
	/* Delivered, or already failed by another path that now replies. */
	mutex_unlock(&tandem_agent_lock);
	return -EINTR;

err_erase:
	xa_erase(&tandem_pending, dec->cookie);
err_dec:
	atomic_dec(&tandem_nr_pending);
err_unlock:
	mutex_unlock(&tandem_agent_lock);
	dec->err = err;
	strscpy(dec->reason, why, sizeof(dec->reason));
	tandem_event_verdict(dec, dec->agent_portid,
			     dec->agent_portid ? dec->agent_name : NULL);
	/* @why always points to a string literal. */
	if (extack)
		extack->_msg = why;
	return err;
}

/* The agent is gone: fail everything it was asked. Caller holds the lock. */
static void tandem_agent_gone_locked(void)
{
	struct tandem_decision *dec;
	char name[TANDEM_NAME_MAX];
	unsigned long cookie;
	u32 portid = tandem_agent_portid;

	strscpy(name, tandem_agent_name, sizeof(name));
	tandem_agent_portid = 0;
	tandem_agent_name[0] = '\0';

	/* Claim by index: another path may free a decision it claimed. */
	xa_for_each(&tandem_pending, cookie, dec) {
		dec = xa_erase(&tandem_pending, cookie);
		if (dec)
			tandem_decision_fail(dec, -ECONNABORTED,
					     "policy agent went away");
	}
	if (!portid)
		return;
	tandem_event_agent(TANDEM_EVENT_AGENT_GONE, portid, name);
	pr_info("policy agent %s (port %u) is gone\n", name, portid);
}

/**
 * tandem_agent_register() - make the sender of @info the policy agent
 * @info: the AGENT_REGISTER request
 * @name: the agent's name
 *
 * Return: 0, -EALREADY when the sender is the agent already, -EBUSY when
 * another agent is registered.
 */
int tandem_agent_register(const struct genl_info *info, const char *name)
{
	u32 portid = info->snd_portid;

	mutex_lock(&tandem_agent_lock);
	if (tandem_agent_portid == portid) {
		mutex_unlock(&tandem_agent_lock);
		GENL_SET_ERR_MSG(info, "this socket is the policy agent already");
		return -EALREADY;
	}
	if (tandem_agent_portid) {
		mutex_unlock(&tandem_agent_lock);
		GENL_SET_ERR_MSG(info, "another policy agent is registered");
		return -EBUSY;
	}
	tandem_agent_portid = portid;
	strscpy(tandem_agent_name, name, sizeof(tandem_agent_name));
	mutex_unlock(&tandem_agent_lock);

	tandem_event_agent(TANDEM_EVENT_AGENT_REGISTERED, portid, name);
	pr_info("policy agent %s registered (port %u)\n", name, portid);
	return 0;
}

/**
 * tandem_agent_unregister() - the agent steps down
 * @info: the AGENT_UNREGISTER request
 *
 * Return: 0, or -EPERM when the sender is not the agent.
 */
int tandem_agent_unregister(const struct genl_info *info)
{
	mutex_lock(&tandem_agent_lock);
	if (!tandem_agent_portid || tandem_agent_portid != info->snd_portid) {
		mutex_unlock(&tandem_agent_lock);
		GENL_SET_ERR_MSG(info, "not the registered agent");
		return -EPERM;
	}
	tandem_agent_gone_locked();
	mutex_unlock(&tandem_agent_lock);
	return 0;
}

/**
 * tandem_agent_fill_name() - put the agent's name into @skb, if any
 * @skb: the message
 * @attr: attribute type to use
 *
 * Return: 0 or -EMSGSIZE.
 */
int tandem_agent_fill_name(struct sk_buff *skb, int attr)
{
	int err = 0;

	mutex_lock(&tandem_agent_lock);
	if (tandem_agent_portid)
		err = nla_put_string(skb, attr, tandem_agent_name);
	mutex_unlock(&tandem_agent_lock);
	return err;
}

/**
 * tandem_verdict() - the agent answers a decision
 * @info: the VERDICT message, validated against the verdict policy
 *
 * Return: 0 when the verdict was taken, or a negative errno with an
 * extended ACK message (the decision is then denied if it was claimed).
 */
int tandem_verdict(struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct tandem_decision *dec;
	u32 cookie;

	if (TANDEM_REQ_ATTR(info, TANDEM_VERDICT_A_COOKIE, "cookie") ||
	    TANDEM_REQ_ATTR(info, TANDEM_VERDICT_A_ALLOW, "allow"))
		return -EINVAL;
	cookie = nla_get_u32(tb[TANDEM_VERDICT_A_COOKIE]);

	mutex_lock(&tandem_agent_lock);
	if (!tandem_agent_portid || tandem_agent_portid != info->snd_portid) {
		mutex_unlock(&tandem_agent_lock);
		GENL_SET_ERR_MSG(info, "not the registered agent");
		return -EPERM;
	}
	dec = xa_erase(&tandem_pending, cookie);
	if (!dec) {
		mutex_unlock(&tandem_agent_lock);
		NL_SET_ERR_MSG_ATTR(info->extack, tb[TANDEM_VERDICT_A_COOKIE],
				    "no pending decision with this cookie");
		return -ENOENT;
	}
	mutex_unlock(&tandem_agent_lock);

	if (tb[TANDEM_VERDICT_A_MEMORY]) {
		u64 granted = nla_get_u64(tb[TANDEM_VERDICT_A_MEMORY]);

		if (dec->kind != TANDEM_DECISION_DOMAIN_CREATE ||
		    !granted || granted > dec->memory || !PAGE_ALIGNED(granted)) {
			tandem_decision_fail(dec, -EACCES,
					     "policy agent sent an invalid verdict");
			NL_SET_ERR_MSG_ATTR(info->extack, tb[TANDEM_VERDICT_A_MEMORY],
					    "granted memory must be page-aligned and at most what was asked");
			return -EINVAL;
		}
		dec->memory = granted;
	}
	if (tb[TANDEM_VERDICT_A_POLICY]) {
		dec->policy = kmemdup(tb[TANDEM_VERDICT_A_POLICY],
				      nla_total_size(nla_len(tb[TANDEM_VERDICT_A_POLICY])),
				      GFP_KERNEL);
		if (!dec->policy) {
			tandem_decision_fail(dec, -ENOMEM, "out of memory");
			return -ENOMEM;
		}
	}
	if (tb[TANDEM_VERDICT_A_CPUMASK]) {
		dec->cpus_len = nla_len(tb[TANDEM_VERDICT_A_CPUMASK]);
		dec->cpus = kcalloc(BITS_TO_LONGS(dec->cpus_len * BITS_PER_BYTE),
				    sizeof(long), GFP_KERNEL);
		if (!dec->cpus) {
			tandem_decision_fail(dec, -ENOMEM, "out of memory");
			return -ENOMEM;
		}
		memcpy(dec->cpus, nla_data(tb[TANDEM_VERDICT_A_CPUMASK]),
		       dec->cpus_len);
	}
	if (tb[TANDEM_VERDICT_A_WEIGHT])
		dec->weight = nla_get_u32(tb[TANDEM_VERDICT_A_WEIGHT]);
	if (tb[TANDEM_VERDICT_A_CAP])
		dec->cap = nla_get_u32(tb[TANDEM_VERDICT_A_CAP]);
	if (tb[TANDEM_VERDICT_A_ACTION])
		dec->action = nla_get_u32(tb[TANDEM_VERDICT_A_ACTION]);
	dec->allow = nla_get_u8(tb[TANDEM_VERDICT_A_ALLOW]);
	dec->reuse = nla_get_flag(tb[TANDEM_VERDICT_A_REUSE]);
	if (tb[TANDEM_VERDICT_A_REASON])
		nla_strscpy(dec->reason, tb[TANDEM_VERDICT_A_REASON],
			    sizeof(dec->reason));
	tandem_event_verdict(dec, dec->agent_portid, dec->agent_name);
	queue_work(tandem_wq, &dec->done);
	return 0;
}

static int tandem_netlink_notify(struct notifier_block *nb,
				 unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC ||
	    !net_eq(n->net, &init_net))
		return NOTIFY_DONE;

	mutex_lock(&tandem_agent_lock);
	if (tandem_agent_portid && n->portid == tandem_agent_portid)
		tandem_agent_gone_locked();
	mutex_unlock(&tandem_agent_lock);
	return NOTIFY_DONE;
}

static struct notifier_block tandem_netlink_nb = {
	.notifier_call = tandem_netlink_notify,
};

/**
 * tandem_agent_init() - workqueue and socket-release notifier
 *
 * Return: 0 or a negative errno.
 */
int tandem_agent_init(void)
{
	int err;

	tandem_wq = alloc_workqueue("tandem", WQ_UNBOUND, 0);
	if (!tandem_wq)
		return -ENOMEM;
	err = netlink_register_notifier(&tandem_netlink_nb);
	if (err)
		destroy_workqueue(tandem_wq);
	return err;
}

/**
 * tandem_agent_exit() - fail what is pending and wait for it to finish
 *
 * Called after the family is unregistered, when no doit can run any more.
 */
void tandem_agent_exit(void)
{
	netlink_unregister_notifier(&tandem_netlink_nb);
	mutex_lock(&tandem_agent_lock);
	tandem_agent_gone_locked();
	mutex_unlock(&tandem_agent_lock);
	destroy_workqueue(tandem_wq);
}
