// SPDX-License-Identifier: GPL-2.0
/*
 * Talking to the tandem generic netlink family through libnl-genl-3, with
 * the kernel's extended ACK messages reported to the user.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <tandem.h>

#include "nl.h"
#include "size.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct tnl_req {
	struct tnl *t;
	tnl_reply_cb cb;
	void *arg;
	int cb_err;	/* first error of @cb */
	int done;
};

int tnl_open(struct tnl *t)
{
	int one = 1, fd;

	memset(t, 0, sizeof(*t));
	t->sk = nl_socket_alloc();
	if (!t->sk) {
		fprintf(stderr, "tandem: out of memory\n");
		return -ENOMEM;
	}
	if (genl_connect(t->sk)) {
		fprintf(stderr, "tandem: cannot open a generic netlink socket\n");
		nl_socket_free(t->sk);
		return -EIO;
	}
	fd = nl_socket_get_fd(t->sk);
	/* Ask for the kernel's error strings and a capped echo of requests. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	t->family = genl_ctrl_resolve(t->sk, TANDEM_GENL_NAME);
	if (t->family < 0) {
		fprintf(stderr,
			"tandem: the \"%s\" netlink family is not registered: load the hypervisor first (insmod tandem_hv.ko)\n",
			TANDEM_GENL_NAME);
		nl_socket_free(t->sk);
		t->sk = NULL;
		return -ENOENT;
	}
	return 0;
}

void tnl_close(struct tnl *t)
{
	if (t->sk)
		nl_socket_free(t->sk);
	t->sk = NULL;
}

/**
 * tnl_msg_size() - a request for @cmd with room for @size bytes of
 * attributes (0: libnl's default, one page)
 *
 * Return: the message, or NULL when out of memory.
 */
struct nl_msg *tnl_msg_size(struct tnl *t, uint8_t cmd, int flags,
			    size_t size)
{
	struct nl_msg *msg;

	msg = size ? nlmsg_alloc_size(NLMSG_HDRLEN + GENL_HDRLEN + size) :
		     nlmsg_alloc();
	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, t->family, 0, flags,
			 cmd, TANDEM_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct nl_msg *tnl_msg(struct tnl *t, uint8_t cmd, int flags)
{
	return tnl_msg_size(t, cmd, flags, 0);
}

/**
 * tnl_msg_drop() - free a request that could not be built
 *
 * Return: NULL, for tnl_request() to report.
 */
struct nl_msg *tnl_msg_drop(struct nl_msg *msg)
{
	nlmsg_free(msg);
	return NULL;
}

static void tnl_parse_ext_ack(struct tnl *t, const struct nlmsgerr *e)
{
	const struct nlmsghdr *nlh = (const void *)((const char *)e - NLMSG_HDRLEN);
	const struct nlattr *nla;
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const char *p;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	p = (const char *)(e + 1);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		p += e->msg.nlmsg_len - NLMSG_HDRLEN;

	while (p + NLA_HDRLEN <= end) {
		nla = (const struct nlattr *)p;
		if (nla->nla_len < NLA_HDRLEN || p + nla->nla_len > end)
			break;
		if (nla->nla_type == NLMSGERR_ATTR_MSG) {
			snprintf(t->msg, sizeof(t->msg), "%.*s",
				 (int)(nla->nla_len - NLA_HDRLEN),
				 (const char *)nla + NLA_HDRLEN);
		} else if (nla->nla_type == NLMSGERR_ATTR_OFFS &&
			   nla->nla_len == NLA_HDRLEN + 4) {
			memcpy(&t->bad_attr_off, (const char *)nla + NLA_HDRLEN, 4);
		}
		p += NLA_ALIGN(nla->nla_len);
	}
}

static int tnl_err_cb(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct tnl_req *r = arg;

	(void)who;
	r->t->err = e->error;
	tnl_parse_ext_ack(r->t, e);
	r->done = 1;
	return NL_STOP;
}

static int tnl_ack_cb(struct nl_msg *msg, void *arg)
{
	struct tnl_req *r = arg;

	(void)msg;
	r->done = 1;
	return NL_STOP;
}

static int tnl_valid_cb(struct nl_msg *msg, void *arg)
{
	struct tnl_req *r = arg;

	int err;

	/* Keep reading after a failure: the ACK must still be consumed. */
	if (r->cb && !r->cb_err) {
		err = r->cb(msg, r->arg);
		if (err < 0)
			r->cb_err = err;
	}
	return NL_OK;
}

/**
 * tnl_exec() - send @msg (consumed) and run @cb on each reply message
 *
 * @cb returns 0 or a negative errno; the first error stops the calls and
 * becomes the result unless the kernel failed the request. @cb may leave
 * its own message in @t->msg.
 *
 * Return: 0 or the negative errno the kernel answered with; the kernel's
 * message, if any, is in @t->msg.
 */
int tnl_exec(struct tnl *t, struct nl_msg *msg, tnl_reply_cb cb, void *arg)
{
	struct tnl_req r = { .t = t, .cb = cb, .arg = arg };
	struct nl_cb *nlcb;
	int ret;

	t->err = 0;
	t->msg[0] = '\0';
	t->bad_attr_off = -1;

	nlcb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!nlcb) {
		nlmsg_free(msg);
		return t->err = -ENOMEM;
	}
	nl_cb_err(nlcb, NL_CB_CUSTOM, tnl_err_cb, &r);
	nl_cb_set(nlcb, NL_CB_ACK, NL_CB_CUSTOM, tnl_ack_cb, &r);
	nl_cb_set(nlcb, NL_CB_FINISH, NL_CB_CUSTOM, tnl_ack_cb, &r);
	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, tnl_valid_cb, &r);

	ret = nl_send_auto(t->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		t->err = -EIO;
		goto out;
	}
	while (!r.done) {
		ret = nl_recvmsgs(t->sk, nlcb);
		if (ret < 0 && !t->err) {
			t->err = -EIO;
			snprintf(t->msg, sizeof(t->msg), "%s", nl_geterror(ret));
		}
		if (ret < 0)
			break;
	}
	if (!t->err && r.cb_err) {
		t->err = r.cb_err;
		if (!t->msg[0])
			snprintf(t->msg, sizeof(t->msg),
				 "unexpected reply from the kernel");
	}
out:
	nl_cb_put(nlcb);
	return t->err;
}

/**
 * tnl_report() - print one line saying why the last request failed
 */
void tnl_report(const struct tnl *t, const char *what)
{
	if (t->msg[0])
		fprintf(stderr, "tandem: %s: %s (%s)\n", what, t->msg,
			strerror(-t->err));
	else
		fprintf(stderr, "tandem: %s: %s\n", what, strerror(-t->err));
}

/**
 * tnl_request() - tnl_exec(), and on failure tnl_report() under @what
 * @msg: the request, or NULL when it could not be built (reported as
 *	out of memory: every attribute fits in a message sized for it)
 *
 * Return: 0 or a negative errno, already reported.
 */
int tnl_request(struct tnl *t, struct nl_msg *msg, tnl_reply_cb cb,
		void *arg, const char *what)
{
	int err;

	if (!msg) {
		t->err = -ENOMEM;
		t->msg[0] = '\0';
		tnl_report(t, what);
		return -ENOMEM;
	}
	err = tnl_exec(t, msg, cb, arg);
	if (err)
		tnl_report(t, what);
	return err;
}

/**
 * tnl_put_domain() - select a domain by id (all digits) or by name
 * @msg: the request
 * @sel: what the user typed
 * @id_attr: the request's u32 domain id attribute
 * @name_attr: its domain name attribute
 *
 * As with xl, a selector of digits only is an id: a domain whose name is
 * all digits is reached by its id. Digits too large for a u32 go as a
 * name, which the kernel refuses as no such domain.
 *
 * Return: 0, or a negative libnl error when @msg is full.
 */
int tnl_put_domain(struct nl_msg *msg, const char *sel, int id_attr,
		   int name_attr)
{
	uint64_t id;

	if (parse_uint(sel, 10, UINT32_MAX, &id) == 0)
		return nla_put_u32(msg, id_attr, id);
	return nla_put_string(msg, name_attr, sel);
}
