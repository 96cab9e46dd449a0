// SPDX-License-Identifier: GPL-2.0
/*
 * A raw generic netlink client and module helpers for the tandem selftests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <tandem.h>

#include "tandem_nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int tnl_socket(struct tnl_sock *s)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 30 };
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s->fd < 0)
		return -errno;
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) < 0 ||
	    setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) < 0 ||
	    setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		int err = -errno;

		close(s->fd);
		s->fd = -1;
		return err;
	}
	return 0;
}

void tnl_close(struct tnl_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

void tmsg_init(struct tmsg *m, uint16_t type, uint16_t flags, uint8_t cmd)
{
	struct genlmsghdr *g;

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	m->nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->nlh.nlmsg_type = type;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	g->cmd = cmd;
	g->version = TANDEM_GENL_VERSION;
}

struct nlattr *tmsg_put(struct tmsg *m, uint16_t type, const void *data,
			size_t len)
{
	struct nlattr *nla = (struct nlattr *)(m->buf + NLMSG_ALIGN(m->nlh.nlmsg_len));
	size_t total = NLA_ALIGN(NLA_HDRLEN + len);

	if (NLMSG_ALIGN(m->nlh.nlmsg_len) + total > sizeof(m->buf))
		abort();
	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)nla + NLA_HDRLEN, data, len);
	memset((char *)nla + NLA_HDRLEN + len, 0, total - NLA_HDRLEN - len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + total;
	return nla;
}

size_t tmsg_offset(const struct tmsg *m, const void *p)
{
	return (const char *)p - m->buf;
}

int tnl_send_raw(struct tnl_sock *s, const void *buf, size_t len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (sendto(s->fd, buf, len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return -errno;
	return 0;
}

static void tnl_index(struct treply *r)
{
	const struct nlmsghdr *nlh = (const void *)r->data;
	const char *p = r->data + NLMSG_HDRLEN + GENL_HDRLEN;
	const char *end = r->data + nlh->nlmsg_len;

	memset(r->tb, 0, sizeof(r->tb));
	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *nla = (const void *)p;
		int type = nla->nla_type & NLA_TYPE_MASK;

		if (nla->nla_len < NLA_HDRLEN || p + nla->nla_len > end)
			break;
		if (type < TNL_MAX_ATTR)
			r->tb[type] = nla;
		p += NLA_ALIGN(nla->nla_len);
	}
}

static void tnl_ext_ack(struct treply *r, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const char *p = (const char *)(e + 1);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		p += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *nla = (const void *)p;

		if (nla->nla_len < NLA_HDRLEN || p + nla->nla_len > end)
			break;
		if (nla->nla_type == NLMSGERR_ATTR_MSG)
			snprintf(r->ext_msg, sizeof(r->ext_msg), "%.*s",
				 tnla_len(nla), (const char *)tnla_data(nla));
		else if (nla->nla_type == NLMSGERR_ATTR_OFFS && tnla_len(nla) == 4)
			r->ext_off = tnla_u32(nla);
		p += NLA_ALIGN(nla->nla_len);
	}
}

int tnl_recv_reply(struct tnl_sock *s, uint32_t seq, struct treply *r)
{
	static char buf[65536];

	memset(r, 0, sizeof(*r));
	r->ext_off = -1;
	for (;;) {
		ssize_t len = recv(s->fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nlh;

		if (len < 0)
			return -errno;
		for (nlh = (void *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);

				r->err = e->error;
				tnl_ext_ack(r, nlh);
				return 0;
			}
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (!r->nmsgs++ && nlh->nlmsg_len <= sizeof(r->data)) {
				memcpy(r->data, nlh, nlh->nlmsg_len);
				r->data_len = nlh->nlmsg_len;
				tnl_index(r);
			}
		}
	}
}

int tnl_transact(struct tnl_sock *s, struct tmsg *m, struct treply *r)
{
	int err;

	m->nlh.nlmsg_seq = ++s->seq;
	err = tnl_send_raw(s, m->buf, m->nlh.nlmsg_len);
	if (err)
		return err;
	return tnl_recv_reply(s, m->nlh.nlmsg_seq, r);
}

int tnl_resolve(struct tnl_sock *s, const char *name, uint16_t *id)
{
	static struct treply r;
	struct tmsg m;
	int err;

	tmsg_init(&m, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY);
	((struct genlmsghdr *)(m.buf + NLMSG_HDRLEN))->version = 1;
	tmsg_put(&m, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	err = tnl_transact(s, &m, &r);
	if (err)
		return err;
	if (r.err)
		return r.err;
	if (!r.tb[CTRL_ATTR_FAMILY_ID])
		return -EPROTO;
	*id = *(const uint16_t *)tnla_data(r.tb[CTRL_ATTR_FAMILY_ID]);
	return 0;
}

int tnl_open(struct tnl_sock *s)
{
	int err = tnl_socket(s);

	if (err)
		return err;
	err = tnl_resolve(s, TANDEM_GENL_NAME, &s->family);
	if (err)
		tnl_close(s);
	return err;
}

uint32_t tnla_u32(const struct nlattr *nla)
{
	uint32_t v;

	memcpy(&v, tnla_data(nla), sizeof(v));
	return v;
}

uint64_t tnla_u64(const struct nlattr *nla)
{
	uint64_t v;

	memcpy(&v, tnla_data(nla), sizeof(v));
	return v;
}

static const char *tandem_moddir(void)
{
	const char *d = getenv("TANDEM_MODDIR");

	return d && *d ? d : "/lib/tandem";
}

int tandem_mod_load(const char *name)
{
	char path[512];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s.ko", tandem_moddir(), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

int tandem_mod_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

int tandem_mod_loaded(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return stat(path, &st) == 0;
}

int tandem_mod_refcnt(const char *name)
{
	char path[256];
	FILE *f;
	int n = -1;

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fscanf(f, "%d", &n) != 1)
		n = -EIO;
	fclose(f);
	return n;
}
