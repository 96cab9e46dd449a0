// SPDX-License-Identifier: GPL-2.0
/*
 * The agent side of the policy protocol: registration, the socket hook and
 * the worker that answers decisions.
 *
 * One socket. The mechanism knows the agent by the netlink port that sent
 * AGENT_REGISTER, so registration, decisions and verdicts must all use the
 * same socket. Once tpol_agent_start() has hooked it, every message that
 * arrives on it is read by one worker and sorted by what it is, never by
 * the order it arrives in:
 *
 *   type tandem, cmd DECISION		a question: answer it with a VERDICT
 *   type tandem, cmd GET_INFO, our seq	reply to a re-registration's ABI check
 *   type nlctrl, seq 0			the controller's notifications: the
 *					tandem family went away or came back
 *   NLMSG_ERROR echoing NLM_F_ACK	result of a control request (REGISTER,
 *					GET_INFO); matched by sequence number
 *   NLMSG_ERROR without NLM_F_ACK	the mechanism refused a verdict
 *
 * Control requests always carry NLM_F_ACK and verdicts never do, and the
 * ACK echoes the request's header, so an answer to a request cannot be
 * taken for the answer to a verdict even when a verdict's sequence number
 * (its decision's cookie) equals a request's. Decisions carry cmd DECISION
 * and sequence number 0, which no request of ours uses
 * (tpol_client_next_seq()), so a decision cannot be taken for a reply
 * either. Registration goes through the worker too: a decision may arrive
 * before the ACK of AGENT_REGISTER (the mechanism may ask as soon as the
 * register doit has run), and it must be answered, not dropped by a
 * synchronous receive loop waiting for the ACK. tpol_agent_start() only
 * waits for the worker to report the ACK.
 *
 * Contexts and lifetime. The data_ready hook runs wherever the sender runs
 * (often softirq or under the mechanism's locks): it only queues the work
 * item. The worker runs in process context, reads with MSG_DONTWAIT until
 * the queue is empty and holds tpol_agent.lock while doing so. Sending a
 * verdict runs the mechanism's VERDICT doit synchronously in the worker;
 * the mechanism never waits for the agent (it unicasts decisions with
 * MSG_DONTWAIT), so this cannot deadlock. On unload the hook is removed
 * first, then the work is cancelled and waited for, then the agent
 * unregisters; the socket is released last, by the caller.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/genetlink.h>
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <tandem.h>

#include "tandem_policy.h"

/*
 * The controller's only multicast group, "notify", has the fixed id
 * GENL_ID_CTRL (net/netlink/genetlink.c assigns it so that it never moves).
 */
#define TPOL_CTRL_NOTIFY_GROUP	GENL_ID_CTRL

/*
 * Room for every decision the mechanism may have pending at once (256,
 * each in a one-page message) so that none is dropped for lack of space.
 */
#define TPOL_SOCK_RCVBUF	SZ_1M

#define TPOL_REGISTER_TIMEOUT	(5 * HZ)

/**
 * struct tpol_agent - the agent's state
 * @c: the client whose socket is the agent's
 * @work: drains the socket
 * @saved_data_ready: the socket's callback before the hook; set once
 *	before the hook is installed and never changed
 * @lock: protects the fields below and serialises use of @c (and its
 *	family id) between the worker and tpol_agent_start()
 * @registered: the mechanism accepted our AGENT_REGISTER
 * @reg_seq: sequence number of an AGENT_REGISTER awaiting its ACK, or 0
 * @info_seq: sequence number of a GET_INFO awaiting its reply, or 0
 * @reg_waiting: tpol_agent_start() waits on @reg_done
 * @reg_err: the registration's result for tpol_agent_start()
 * @reg_msg: the mechanism's extended ACK message for it
 * @reg_done: completed when @reg_err is set
 */
struct tpol_agent {
	struct tpol_client *c;
	struct work_struct work;
	void (*saved_data_ready)(struct sock *sk);

	struct mutex lock;	/* see @lock above */
	bool registered;
	u32 reg_seq;
	u32 info_seq;
	bool reg_waiting;
	int reg_err;
	char reg_msg[TANDEM_REASON_MAX];
	struct completion reg_done;
};

static void tpol_agent_work(struct work_struct *work);

static struct tpol_agent tpol_agent = {
	.work = __WORK_INITIALIZER(tpol_agent.work, tpol_agent_work),
	.lock = __MUTEX_INITIALIZER(tpol_agent.lock),
	.reg_done = COMPLETION_INITIALIZER(tpol_agent.reg_done),
};

/* Softirq or process context, any locks held: only queue the worker. */
static void tpol_agent_data_ready(struct sock *sk)
{
	struct tpol_agent *agent;

	read_lock_bh(&sk->sk_callback_lock);
	agent = sk->sk_user_data;
	if (agent)
		queue_work(system_wq, &agent->work);
	read_unlock_bh(&sk->sk_callback_lock);

	/* Chain to the socket's own callback (wakes any reader). */
	tpol_agent.saved_data_ready(sk);
}

/* Send AGENT_REGISTER; its ACK comes to the worker. Caller holds the lock. */
static int tpol_agent_send_register(void)
{
	struct tpol_client *c = tpol_agent.c;
	struct sk_buff *skb;
	u32 seq = tpol_client_next_seq(c);
	int err;

	skb = tpol_msg_new(c->family_id, TANDEM_CMD_AGENT_REGISTER, NLM_F_ACK,
			   seq, nla_total_size(sizeof(TPOL_AGENT_NAME)));
	if (!skb)
		return -ENOMEM;
	if (nla_put_string(skb, TANDEM_AGENT_A_NAME, TPOL_AGENT_NAME)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	tpol_agent.reg_seq = seq;
	err = tpol_msg_send(c, skb);
	if (err)
		tpol_agent.reg_seq = 0;
	return err;
}

/* Send GET_INFO; the reply comes to the worker. Caller holds the lock. */
static int tpol_agent_send_info(void)
{
	struct tpol_client *c = tpol_agent.c;
	struct sk_buff *skb;
	u32 seq = tpol_client_next_seq(c);
	int err;

	skb = tpol_msg_new(c->family_id, TANDEM_CMD_GET_INFO, NLM_F_ACK, seq, 0);
	if (!skb)
		return -ENOMEM;
	tpol_agent.info_seq = seq;
	err = tpol_msg_send(c, skb);
	if (err)
		tpol_agent.info_seq = 0;
	return err;
}

static void tpol_agent_register_done(int err, const char *msg)
{
	tpol_agent.reg_seq = 0;
	/* EALREADY: this socket is the agent already, which is the goal. */
	if (err == -EALREADY)
		err = 0;
	tpol_agent.registered = !err;

	if (tpol_agent.reg_waiting) {
		/* tpol_agent_start() reports the outcome itself. */
		tpol_agent.reg_waiting = false;
		tpol_agent.reg_err = err;
		strscpy(tpol_agent.reg_msg, msg ?: "", sizeof(tpol_agent.reg_msg));
		complete(&tpol_agent.reg_done);
		return;
	}
	if (!err)
		pr_info("registered again as the policy agent\n");
	else if (err == -EBUSY)
		pr_err("cannot register again: another policy agent is registered; unload tandem_policy or stop the other agent, then reload tandem_policy\n");
	else
		pr_err("cannot register again: %d (%s): reload tandem_policy\n",
		       err, msg ?: "no message");
}

/* An NLMSG_ERROR: the result of a request or the refusal of a verdict. */
static void tpol_agent_ack(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = nlmsg_data(nlh);
	const char *msg;

	if (nlh->nlmsg_len < nlmsg_msg_size(sizeof(*e)))
		return;
	msg = tpol_ack_msg(nlh);

	if (e->msg.nlmsg_flags & NLM_F_ACK) {
		if (tpol_agent.reg_seq && nlh->nlmsg_seq == tpol_agent.reg_seq) {
			tpol_agent_register_done(e->error, msg);
		} else if (tpol_agent.info_seq &&
			   nlh->nlmsg_seq == tpol_agent.info_seq) {
			/* The reply was handled before this ACK; 0 is done. */
			if (e->error)
				pr_err("GET_INFO failed: %d (%s): reload tandem_policy\n",
				       e->error, msg ?: "no message");
			tpol_agent.info_seq = 0;
		}
		return;
	}
	/* Never answered, never retried: that could loop with the mechanism. */
	if (e->error)
		pr_warn_ratelimited("verdict for decision %u refused: %d (%s)\n",
				    nlh->nlmsg_seq, e->error,
				    msg ?: "no message");
}

/* A GET_INFO reply after the family came back: check the ABI, register. */
static void tpol_agent_info_reply(const struct genlmsghdr *gnlh, int len)
{
	struct tpol_info info = {};
	const struct nlattr *nla;
	int rem, err;

	nla_for_each_attr(nla, genlmsg_data(gnlh), len, rem)
		tpol_info_cb(nla, &info);
	if (tpol_info_check(tpol_agent.c, &info))
		return;
	err = tpol_agent_send_register();
	if (err)
		pr_err("cannot send AGENT_REGISTER: %d: reload tandem_policy\n",
		       err);
}

/* Answer one DECISION. */
static void tpol_agent_decision(const struct nlmsghdr *nlh)
{
	struct tpol_client *c = tpol_agent.c;
	struct sk_buff *skb;
	u32 cookie = 0;
	int err;

	/*
	 * No NLM_F_ACK: an accepted verdict needs no answer. Room for a
	 * POLICY_GET answer with disk_dirs and disk_ro_dirs at full length.
	 */
	skb = tpol_msg_new(c->family_id, TANDEM_CMD_VERDICT, 0, 0,
			   NLMSG_DEFAULT_SIZE +
			   2 * nla_total_size(TANDEM_PATH_MAX));
	if (!skb) {
		pr_warn_ratelimited("out of memory for a verdict: the decision times out (denied)\n");
		return;
	}
	err = tpol_decide(nlh, skb, &cookie);
	if (err) {
		nlmsg_free(skb);
		pr_warn_ratelimited("cannot answer a decision (cookie %u): %d\n",
				    cookie, err);
		return;
	}
	/* The cookie as sequence number lets a refusal name the decision. */
	nlmsg_hdr(skb)->nlmsg_seq = cookie;
	err = tpol_msg_send(c, skb);
	if (err)
		pr_warn_ratelimited("cannot send the verdict for decision %u: %d\n",
				    cookie, err);
}

/* A notification of the controller: track the tandem family. */
static void tpol_agent_ctrl_event(const struct genlmsghdr *gnlh, int len)
{
	struct tpol_client *c = tpol_agent.c;
	const struct nlattr *name, *id;
	int err;

	if (gnlh->cmd != CTRL_CMD_NEWFAMILY && gnlh->cmd != CTRL_CMD_DELFAMILY)
		return;
	name = nla_find(genlmsg_data(gnlh), len, CTRL_ATTR_FAMILY_NAME);
	if (!name || nla_strcmp(name, TANDEM_GENL_NAME))
		return;

	tpol_agent.registered = false;
	tpol_agent.reg_seq = 0;
	tpol_agent.info_seq = 0;
	if (gnlh->cmd == CTRL_CMD_DELFAMILY) {
		if (c->family_id)
			pr_info("tandem_hv went away: registering again when it is back\n");
		c->family_id = 0;
		return;
	}

	id = nla_find(genlmsg_data(gnlh), len, CTRL_ATTR_FAMILY_ID);
	if (!id || nla_len(id) != sizeof(u16))
		return;
	c->family_id = nla_get_u16(id);
	pr_info("tandem_hv is back (family id %u): registering again\n",
		c->family_id);
	err = tpol_agent_send_info();
	if (err)
		pr_err("cannot send GET_INFO: %d: reload tandem_policy\n", err);
}

static void tpol_agent_dispatch(const struct nlmsghdr *nlh)
{
	struct tpol_client *c = tpol_agent.c;
	const struct genlmsghdr *gnlh;
	int len;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		tpol_agent_ack(nlh);
		return;
	}
	if (nlh->nlmsg_type < NLMSG_MIN_TYPE ||
	    nlh->nlmsg_len < nlmsg_msg_size(GENL_HDRLEN))
		return;
	gnlh = nlmsg_data(nlh);
	len = genlmsg_len(gnlh);

	if (nlh->nlmsg_type == GENL_ID_CTRL) {
		if (!nlh->nlmsg_seq)
			tpol_agent_ctrl_event(gnlh, len);
		return;
	}
	if (!c->family_id || nlh->nlmsg_type != c->family_id)
		return;
	if (gnlh->cmd == TANDEM_CMD_DECISION)
		tpol_agent_decision(nlh);
	else if (gnlh->cmd == TANDEM_CMD_GET_INFO && tpol_agent.info_seq &&
		 nlh->nlmsg_seq == tpol_agent.info_seq)
		tpol_agent_info_reply(gnlh, len);
}

static void tpol_agent_work(struct work_struct *work)
{
	struct tpol_agent *agent = container_of(work, struct tpol_agent, work);
	struct tpol_client *c = agent->c;

	mutex_lock(&agent->lock);
	for (;;) {
		struct sockaddr_nl src = {};
		struct msghdr msg = {
			.msg_name = &src,
			.msg_namelen = sizeof(src),
		};
		struct kvec iov = {
			.iov_base = c->buf,
			.iov_len = TPOL_RCVBUF,
		};
		struct nlmsghdr *nlh;
		int len;

		len = kernel_recvmsg(c->sock, &msg, &iov, 1, TPOL_RCVBUF,
				     MSG_DONTWAIT);
		if (len == -EAGAIN)
			break;
		if (len == -ENOBUFS) {
			/* Reported once per overrun; the queue still holds more. */
			pr_warn_ratelimited("receive queue overrun: messages were lost (their decisions time out, denied)\n");
			continue;
		}
		if (len < 0) {
			pr_err_ratelimited("receive failed: %d\n", len);
			break;
		}
		if (msg.msg_flags & MSG_TRUNC) {
			pr_warn_ratelimited("dropped a message larger than %u bytes\n",
					    TPOL_RCVBUF);
			continue;
		}
		/* Only the kernel may speak to the agent. */
		if (src.nl_pid) {
			pr_warn_ratelimited("ignored a message from port %u\n",
					    src.nl_pid);
			continue;
		}
		for (nlh = c->buf; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len))
			tpol_agent_dispatch(nlh);
		cond_resched();
	}
	mutex_unlock(&agent->lock);
}

static void tpol_agent_hook(struct sock *sk)
{
	write_lock_bh(&sk->sk_callback_lock);
	tpol_agent.saved_data_ready = sk->sk_data_ready;
	sk->sk_user_data = &tpol_agent;
	sk->sk_data_ready = tpol_agent_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
}

/* After this returns the hook queues nothing more. */
static void tpol_agent_unhook(struct sock *sk)
{
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_data_ready = tpol_agent.saved_data_ready;
	sk->sk_user_data = NULL;
	write_unlock_bh(&sk->sk_callback_lock);
}

/* Stop the worker and step down (best effort); the socket stays open. */
static void tpol_agent_shutdown(void)
{
	struct tpol_client *c = tpol_agent.c;
	int err;

	tpol_agent_unhook(c->sock->sk);
	cancel_work_sync(&tpol_agent.work);

	/*
	 * The worker is gone: the synchronous client may use the socket. Any
	 * decision still queued is failed by the mechanism when we step down,
	 * or when the socket is released (NETLINK_URELEASE) if this fails.
	 */
	mutex_lock(&tpol_agent.lock);
	if (tpol_agent.registered && c->family_id) {
		err = tpol_client_call(c, TANDEM_CMD_AGENT_UNREGISTER, NULL, 0,
				       NULL, NULL);
		if (err)
			pr_warn("AGENT_UNREGISTER failed: %d (the socket's release unregisters)\n",
				err);
		else
			pr_info("unregistered as the policy agent\n");
	}
	tpol_agent.registered = false;
	tpol_agent.reg_seq = 0;
	tpol_agent.info_seq = 0;
	mutex_unlock(&tpol_agent.lock);
}

/**
 * tpol_agent_start() - become the policy agent on @c's socket
 * @c: an open client whose family id is resolved and ABI checked
 *
 * Configures the socket (extended ACKs, room for every pending decision,
 * the controller's notifications), hooks it, registers and waits for the
 * worker to see the registration's ACK.
 *
 * Return: 0; -EBUSY when another agent is registered; -ETIMEDOUT when the
 * ACK never came; another negative errno. On failure nothing is left
 * hooked or registered.
 */
int tpol_agent_start(struct tpol_client *c)
{
	int err;

	tpol_agent.c = c;
	/* Extended ACKs name the reason; no need for our request back. */
	err = tpol_client_setsockopt(c, NETLINK_EXT_ACK, 1);
	if (!err)
		err = tpol_client_setsockopt(c, NETLINK_CAP_ACK, 1);
	if (err) {
		pr_err("cannot enable extended ACKs: %d\n", err);
		return err;
	}
	sock_set_rcvbuf(c->sock->sk, TPOL_SOCK_RCVBUF);
	/* Without notifications the agent only misses a tandem_hv reload. */
	err = tpol_client_setsockopt(c, NETLINK_ADD_MEMBERSHIP,
				     TPOL_CTRL_NOTIFY_GROUP);
	if (err)
		pr_warn("cannot follow the genl controller (%d): reload tandem_policy after reloading tandem_hv\n",
			err);

	tpol_agent_hook(c->sock->sk);
	/* Whatever came before the hook is read now. */
	queue_work(system_wq, &tpol_agent.work);

	mutex_lock(&tpol_agent.lock);
	reinit_completion(&tpol_agent.reg_done);
	tpol_agent.reg_waiting = true;
	err = tpol_agent_send_register();
	if (err)
		tpol_agent.reg_waiting = false;
	mutex_unlock(&tpol_agent.lock);
	if (err) {
		pr_err("cannot send AGENT_REGISTER: %d\n", err);
		goto err_shutdown;
	}

	if (!wait_for_completion_timeout(&tpol_agent.reg_done,
					 TPOL_REGISTER_TIMEOUT)) {
		mutex_lock(&tpol_agent.lock);
		/* The worker may have finished in between. */
		err = tpol_agent.reg_waiting ? -ETIMEDOUT : tpol_agent.reg_err;
		tpol_agent.reg_waiting = false;
		mutex_unlock(&tpol_agent.lock);
	} else {
		err = tpol_agent.reg_err;
	}

	if (err == -EBUSY) {
		pr_err("another policy agent is registered (%s): stop it or have it send AGENT_UNREGISTER, then load tandem_policy again\n",
		       tpol_agent.reg_msg[0] ? tpol_agent.reg_msg : "no message");
		goto err_shutdown;
	}
	if (err == -ETIMEDOUT) {
		pr_err("tandem_hv did not answer AGENT_REGISTER\n");
		goto err_shutdown;
	}
	if (err) {
		pr_err("AGENT_REGISTER failed: %d (%s)\n", err,
		       tpol_agent.reg_msg[0] ? tpol_agent.reg_msg : "no message");
		goto err_shutdown;
	}
	pr_info("registered as the policy agent \"%s\"\n", TPOL_AGENT_NAME);
	return 0;

err_shutdown:
	tpol_agent_shutdown();
	return err;
}

/**
 * tpol_agent_stop() - stop answering decisions and step down
 *
 * The hook is removed first and the worker waited for, so nothing of this
 * module runs on the socket's behalf afterwards; the caller then releases
 * the socket. Domains are not touched: the mechanism keeps them and
 * denies decisions until another agent registers.
 */
void tpol_agent_stop(void)
{
	tpol_agent_shutdown();
}
