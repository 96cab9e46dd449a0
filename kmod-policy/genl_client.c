// SPDX-License-Identifier: GPL-2.0
/*
 * A small generic netlink client over a kernel socket.
 *
 * tandem_policy.ko reaches tandem_hv.ko only through the tandem family,
 * exactly as a userspace agent would; there is no symbol dependency between
 * the two modules, so either can be unloaded without the other.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/genetlink.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/sockptr.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "tandem_policy.h"

/* A reply that does not come within this time is treated as lost. */
#define TPOL_REPLY_TIMEOUT	(5 * HZ)

/**
 * tpol_client_next_seq() - a fresh sequence number for a request
 * @c: the client
 *
 * Never 0: the mechanism's decisions and the controller's notifications
 * carry sequence number 0, so no reply can be taken for one of them.
 *
 * Return: the sequence number.
 */
u32 tpol_client_next_seq(struct tpol_client *c)
{
	if (!++c->seq)
		++c->seq;
	return c->seq;
}

/**
 * tpol_msg_new() - start a generic netlink request
 * @type: family id (or %GENL_ID_CTRL)
 * @cmd: the family's command
 * @flags: netlink flags besides %NLM_F_REQUEST (e.g. %NLM_F_ACK)
 * @seq: sequence number
 * @payload: room for attributes, in bytes
 *
 * Return: a message to add attributes to and pass to tpol_msg_send(), or
 * %NULL when out of memory.
 */
struct sk_buff *tpol_msg_new(u16 type, u8 cmd, u16 flags, u32 seq,
			     size_t payload)
{
	struct genlmsghdr *gnlh;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	skb = nlmsg_new(GENL_HDRLEN + payload, GFP_KERNEL);
	if (!skb)
		return NULL;
	nlh = nlmsg_put(skb, 0, seq, type, GENL_HDRLEN, NLM_F_REQUEST | flags);
	if (!nlh) {
		nlmsg_free(skb);
		return NULL;
	}
	gnlh = nlmsg_data(nlh);
	gnlh->cmd = cmd;
	gnlh->version = 1;
	gnlh->reserved = 0;
	return skb;
}

/**
 * tpol_msg_send() - finish a request from tpol_msg_new() and send it
 * @c: the client whose socket sends it
 * @skb: the request; always consumed
 *
 * The destination (the kernel, port 0) is named explicitly: netlink then
 * marks the message NETLINK_SKB_DST and the receiver's netlink_capable()
 * checks the sending task's credentials instead of the socket's file,
 * which a kernel socket does not have.
 *
 * Return: 0 or a negative errno. The family's own answer, if any, comes
 * later on @c's socket.
 */
int tpol_msg_send(struct tpol_client *c, struct sk_buff *skb)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct msghdr msg = {
		.msg_name = &kernel,
		.msg_namelen = sizeof(kernel),
	};
	struct kvec iov;
	int err;

	nlmsg_end(skb, nlmsg_hdr(skb));
	iov.iov_base = skb->data;
	iov.iov_len = skb->len;
	err = kernel_sendmsg(c->sock, &msg, &iov, 1, skb->len);
	consume_skb(skb);
	return err < 0 ? err : 0;
}

static int tpol_send(struct tpol_client *c, u16 type, u8 cmd,
		     const void *attrs, int attrs_len)
{
	struct sk_buff *skb;

	skb = tpol_msg_new(type, cmd, NLM_F_ACK, tpol_client_next_seq(c),
			   attrs_len);
	if (!skb)
		return -ENOMEM;
	if (attrs_len)
		skb_put_data(skb, attrs, attrs_len);
	return tpol_msg_send(c, skb);
}

/**
 * tpol_ack_msg() - the extended ACK message of an NLMSG_ERROR
 * @nlh: an NLMSG_ERROR message at least as long as &struct nlmsgerr
 *
 * Return: the NUL-terminated message, or %NULL when there is none.
 */
const char *tpol_ack_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = nlmsg_data(nlh);
	const struct nlattr *attr;
	int off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += nlmsg_len(&e->msg);
	if (nlmsg_len(nlh) <= off)
		return NULL;
	attr = nla_find((const struct nlattr *)((const u8 *)e + off),
			nlmsg_len(nlh) - off, NLMSGERR_ATTR_MSG);
	if (!attr || !nla_len(attr) ||
	    strnlen(nla_data(attr), nla_len(attr)) == nla_len(attr))
		return NULL;
	return nla_data(attr);
}

/**
 * tpol_client_setsockopt() - set an integer SOL_NETLINK option
 * @c: the client
 * @optname: e.g. %NETLINK_EXT_ACK or %NETLINK_ADD_MEMBERSHIP
 * @val: the value
 *
 * Return: 0 or a negative errno.
 */
int tpol_client_setsockopt(struct tpol_client *c, int optname, int val)
{
	return c->sock->ops->setsockopt(c->sock, SOL_NETLINK, optname,
					KERNEL_SOCKPTR(&val), sizeof(val));
}

/*
 * Receive until the ACK (or error) of request @c->seq, handing the
 * attributes of every data message of that request to @cb.
 */
static int tpol_recv(struct tpol_client *c, tpol_reply_cb cb, void *arg)
{
	for (;;) {
		struct msghdr msg = {};
		struct nlmsghdr *nlh;
		struct kvec iov;
		int len, err = 0;

		iov.iov_base = c->buf;
		iov.iov_len = TPOL_RCVBUF;
		len = kernel_recvmsg(c->sock, &msg, &iov, 1, TPOL_RCVBUF, 0);
		if (len < 0)
			return len == -EAGAIN ? -ETIMEDOUT : len;

		for (nlh = c->buf; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
			const struct genlmsghdr *gnlh;
			const struct nlattr *nla;
			int rem;

			if (nlh->nlmsg_seq != c->seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = nlmsg_data(nlh);

				if (nlh->nlmsg_len < nlmsg_msg_size(sizeof(*e)))
					return -EPROTO;
				return err ? err : e->error;
			}
			if (nlh->nlmsg_type == NLMSG_DONE)
				return err;
			if (nlh->nlmsg_len < nlmsg_msg_size(GENL_HDRLEN) ||
			    err || !cb)
				continue;
			gnlh = nlmsg_data(nlh);
			nla_for_each_attr(nla, genlmsg_data(gnlh),
					  genlmsg_len(gnlh), rem) {
				err = cb(nla, arg);
				if (err)
					break;
			}
		}
	}
}

/**
 * tpol_client_call() - send one request and collect its reply
 * @c: an open client
 * @cmd: the family's command
 * @attrs: already formatted attributes of the request, or %NULL
 * @attrs_len: length of @attrs in bytes
 * @cb: called for each attribute of the reply (may be %NULL)
 * @arg: passed to @cb
 *
 * Return: 0, the error the family answered with, or -ETIMEDOUT.
 */
int tpol_client_call(struct tpol_client *c, u8 cmd, const void *attrs,
		     int attrs_len, tpol_reply_cb cb, void *arg)
{
	int err;

	err = tpol_send(c, c->family_id, cmd, attrs, attrs_len);
	if (err)
		return err;
	return tpol_recv(c, cb, arg);
}

static int tpol_family_id_cb(const struct nlattr *nla, void *arg)
{
	if (nla_type(nla) == CTRL_ATTR_FAMILY_ID && nla_len(nla) == sizeof(u16))
		*(u16 *)arg = nla_get_u16(nla);
	return 0;
}

/**
 * tpol_client_open() - open a kernel socket and resolve @family
 * @c: client to initialise
 * @family: generic netlink family name
 *
 * Return: 0, -ENOENT when the family is not registered, or another errno.
 */
int tpol_client_open(struct tpol_client *c, const char *family)
{
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	struct {
		struct nlattr nla;
		char name[GENL_NAMSIZ];
	} req = {};
	size_t name_len = strnlen(family, GENL_NAMSIZ - 1) + 1;
	int err;

	c->buf = kmalloc(TPOL_RCVBUF, GFP_KERNEL);
	if (!c->buf)
		return -ENOMEM;

	err = sock_create_kern(&init_net, AF_NETLINK, SOCK_RAW,
			       NETLINK_GENERIC, &c->sock);
	if (err)
		goto err_free;
	err = kernel_bind(c->sock, (struct sockaddr *)&local, sizeof(local));
	if (err)
		goto err_release;
	c->sock->sk->sk_rcvtimeo = TPOL_REPLY_TIMEOUT;

	req.nla.nla_type = CTRL_ATTR_FAMILY_NAME;
	req.nla.nla_len = nla_attr_size(name_len);
	memcpy(req.name, family, name_len - 1);

	c->family_id = 0;
	err = tpol_send(c, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, &req,
			nla_total_size(name_len));
	if (!err)
		err = tpol_recv(c, tpol_family_id_cb, &c->family_id);
	if (!err && !c->family_id)
		err = -ENOENT;
	if (err)
		goto err_release;
	return 0;

err_release:
	sock_release(c->sock);
	c->sock = NULL;
err_free:
	kfree(c->buf);
	c->buf = NULL;
	return err;
}

/**
 * tpol_client_close() - release what tpol_client_open() took
 * @c: the client
 */
void tpol_client_close(struct tpol_client *c)
{
	if (c->sock)
		sock_release(c->sock);
	kfree(c->buf);
	c->sock = NULL;
	c->buf = NULL;
}
