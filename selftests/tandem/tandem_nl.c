// SPDX-License-Identifier: GPL-2.0
/*
 * A raw generic netlink client and module helpers for the tandem selftests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
	free(s->backlog);
	s->backlog = NULL;
	s->backlog_len = 0;
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

/**
 * tnl_reindex() - index the attributes of @r->data into @r->tb
 * @r: a reply whose data message was copied in (e.g. from another process)
 */
void tnl_reindex(struct treply *r)
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
		else if (nla->nla_type == NLMSGERR_ATTR_MISS_TYPE &&
			 tnla_len(nla) == 4)
			r->miss_type = tnla_u32(nla);
		p += NLA_ALIGN(nla->nla_len);
	}
}

#define TNL_BACKLOG_MAX	(1 << 20)

/*
 * Keep an unsolicited message (a decision, an event) for tnl_recv_cmd(),
 * or a reply that came before its turn for tnl_recv_reply().
 */
static void tnl_stash(struct tnl_sock *s, const struct nlmsghdr *nlh)
{
	size_t len = NLMSG_ALIGN(nlh->nlmsg_len);
	char *p;

	if (s->backlog_len + len > TNL_BACKLOG_MAX)
		return;
	p = realloc(s->backlog, s->backlog_len + len);
	if (!p)
		return;
	memcpy(p + s->backlog_len, nlh, nlh->nlmsg_len);
	s->backlog = p;
	s->backlog_len += len;
}

/* One message of the reply awaited into @r; 1 when the reply is complete. */
static int tnl_reply_msg(struct treply *r, const struct nlmsghdr *nlh)
{
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(nlh);

		r->err = e->error;
		tnl_ext_ack(r, nlh);
		return 1;
	}
	if (nlh->nlmsg_type == NLMSG_DONE)
		return 1;
	if (!r->nmsgs++ && nlh->nlmsg_len <= sizeof(r->data)) {
		memcpy(r->data, nlh, nlh->nlmsg_len);
		r->data_len = nlh->nlmsg_len;
		tnl_reindex(r);
	}
	return 0;
}

/*
 * Replies to requests sent with tnl_send() may come in any order (the
 * mechanism completes deferred requests on an unbound workqueue): a reply
 * to a later request that arrives first is stashed for its turn, and looked
 * for here before reading the socket.
 */
int tnl_recv_reply(struct tnl_sock *s, uint32_t seq, struct treply *r)
{
	static __thread char buf[65536 + 4096];
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	r->ext_off = -1;
	r->miss_type = -1;
	while (off + NLMSG_HDRLEN <= s->backlog_len) {
		struct nlmsghdr *nlh = (void *)(s->backlog + off);
		size_t len = NLMSG_ALIGN(nlh->nlmsg_len);
		int done;

		if (!nlh->nlmsg_seq || nlh->nlmsg_seq != seq) {
			off += len;
			continue;
		}
		done = tnl_reply_msg(r, nlh);
		memmove(s->backlog + off, s->backlog + off + len,
			s->backlog_len - off - len);
		s->backlog_len -= len;
		if (done)
			return 0;
	}
	for (;;) {
		ssize_t len = recv(s->fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nlh;

		if (len < 0)
			return -errno;
		for (nlh = (void *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq != seq) {
				if (!nlh->nlmsg_seq ?
				    nlh->nlmsg_type != NLMSG_ERROR :
				    (int32_t)(nlh->nlmsg_seq - seq) > 0)
					tnl_stash(s, nlh);
				continue;
			}
			if (tnl_reply_msg(r, nlh))
				return 0;
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

/* Attribute builders --------------------------------------------------------- */

/**
 * tmsg_nest_start() - open a nested attribute of @type
 * @m: the message
 * @type: attribute type (NLA_F_NESTED is added)
 *
 * Return: the nest, to close with tmsg_nest_end().
 */
struct nlattr *tmsg_nest_start(struct tmsg *m, uint16_t type)
{
	return tmsg_put(m, type | NLA_F_NESTED, NULL, 0);
}

/**
 * tmsg_nest_end() - close @nest: it covers everything put since
 * @m: the message
 * @nest: from tmsg_nest_start()
 */
void tmsg_nest_end(struct tmsg *m, struct nlattr *nest)
{
	nest->nla_len = m->buf + m->nlh.nlmsg_len - (char *)nest;
}

void tmsg_put_u32(struct tmsg *m, uint16_t type, uint32_t v)
{
	tmsg_put(m, type, &v, sizeof(v));
}

void tmsg_put_u64(struct tmsg *m, uint16_t type, uint64_t v)
{
	tmsg_put(m, type, &v, sizeof(v));
}

void tmsg_put_str(struct tmsg *m, uint16_t type, const char *str)
{
	tmsg_put(m, type, str, strlen(str) + 1);
}

/* Split requests ------------------------------------------------------------ */

/**
 * tnl_send() - send @m with the next sequence number, do not wait
 * @s: the socket
 * @m: the request; its nlmsg_seq is set, for tnl_recv_reply()
 *
 * Return: 0 or the negative errno of sendto().
 */
int tnl_send(struct tnl_sock *s, struct tmsg *m)
{
	m->nlh.nlmsg_seq = ++s->seq;
	return tnl_send_raw(s, m->buf, m->nlh.nlmsg_len);
}

/**
 * tnl_poll() - wait until @s has something to read
 * @s: the socket
 * @timeout_ms: how long at most
 *
 * Return: 1 when readable (or a stashed message waits), 0 on timeout.
 */
int tnl_poll(struct tnl_sock *s, int timeout_ms)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };

	if (s->backlog_len)
		return 1;
	return poll(&p, 1, timeout_ms) > 0;
}

/* Take the first stashed message of genl command @cmd into @r. */
static int tnl_unstash(struct tnl_sock *s, uint8_t cmd, struct treply *r)
{
	size_t off = 0;

	while (off + NLMSG_HDRLEN <= s->backlog_len) {
		struct nlmsghdr *nlh = (void *)(s->backlog + off);
		size_t len = NLMSG_ALIGN(nlh->nlmsg_len);
		const struct genlmsghdr *g = NLMSG_DATA(nlh);

		if (!nlh->nlmsg_seq &&
		    nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN && g->cmd == cmd &&
		    nlh->nlmsg_len <= sizeof(r->data)) {
			memcpy(r->data, nlh, nlh->nlmsg_len);
			r->data_len = nlh->nlmsg_len;
			r->nmsgs = 1;
			tnl_reindex(r);
			memmove(s->backlog + off, s->backlog + off + len,
				s->backlog_len - off - len);
			s->backlog_len -= len;
			return 1;
		}
		off += len;
	}
	return 0;
}

/**
 * tnl_recv_cmd() - the next unsolicited message (sequence number 0) of
 *	genl command @cmd: a DECISION for an agent, an EVENT for a listener
 * @s: the socket
 * @cmd: &enum tandem_cmd wanted; other unsolicited messages are kept
 * @r: the message, indexed
 * @timeout_ms: how long at most
 *
 * Return: 0, -ETIMEDOUT, or a negative errno of recv().
 */
int tnl_recv_cmd(struct tnl_sock *s, uint8_t cmd, struct treply *r,
		 int timeout_ms)
{
	static __thread char buf[65536 + 4096];

	memset(r, 0, sizeof(*r));
	r->ext_off = -1;
	r->miss_type = -1;
	for (;;) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		struct nlmsghdr *nlh;
		ssize_t len;

		if (tnl_unstash(s, cmd, r))
			return 0;
		if (poll(&p, 1, timeout_ms) <= 0)
			return -ETIMEDOUT;
		len = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0)
			return -errno;
		for (nlh = (void *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len))
			if (!nlh->nlmsg_seq && nlh->nlmsg_type != NLMSG_ERROR)
				tnl_stash(s, nlh);
	}
}

/* Multicast groups ---------------------------------------------------------- */

/**
 * tnl_mcast_id() - resolve a multicast group of the tandem family
 * @s: any generic netlink socket
 * @group: its name ("events", "audit")
 * @id: set to the group id, from CTRL_ATTR_MCAST_GROUPS
 *
 * Return: 0, -ENOENT when the family has no such group, or an error.
 */
int tnl_mcast_id(struct tnl_sock *s, const char *group, uint32_t *id)
{
	static struct treply r;
	const struct nlattr *grp, *a;
	struct tmsg m;
	int err;

	tmsg_init(&m, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY);
	((struct genlmsghdr *)(m.buf + NLMSG_HDRLEN))->version = 1;
	tmsg_put_str(&m, CTRL_ATTR_FAMILY_NAME, TANDEM_GENL_NAME);
	err = tnl_transact(s, &m, &r);
	if (err)
		return err;
	if (r.err)
		return r.err;
	if (!r.tb[CTRL_ATTR_MCAST_GROUPS])
		return -ENOENT;
	tnla_for_each_nested(grp, r.tb[CTRL_ATTR_MCAST_GROUPS]) {
		const char *name = NULL;
		int gid = -1;

		tnla_for_each_nested(a, grp) {
			if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GRP_NAME)
				name = tnla_data(a);
			else if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GRP_ID)
				gid = tnla_u32(a);
		}
		if (name && gid >= 0 && !strcmp(name, group)) {
			*id = gid;
			return 0;
		}
	}
	return -ENOENT;
}

/**
 * tnl_join() - subscribe @s to a multicast group of the tandem family
 * @s: the socket; its events are read with tnl_recv_cmd(TANDEM_CMD_EVENT)
 * @group: the group's name
 *
 * Return: 0 or a negative errno.
 */
int tnl_join(struct tnl_sock *s, const char *group)
{
	uint32_t id;
	int err = tnl_mcast_id(s, group, &id);

	if (err)
		return err;
	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &id,
		       sizeof(id)) < 0)
		return -errno;
	return 0;
}

/* Domains and memory -------------------------------------------------------- */

static int tnl_result(struct tnl_sock *s, struct tmsg *m, struct treply *r)
{
	int err = tnl_transact(s, m, r);

	return err ? err : r->err;
}

/**
 * tmsg_domain() - start a request about one domain
 * @s: the socket (for the family id)
 * @m: the message to fill
 * @cmd: DOMAIN_GET, DOMAIN_DESTROY, ...
 * @id: the domain's id, or 0 to name it by @name
 * @name: the domain's name, or %NULL
 */
void tmsg_domain(struct tnl_sock *s, struct tmsg *m, uint8_t cmd, uint32_t id,
		 const char *name)
{
	tmsg_init(m, s->family, 0, cmd);
	if (id)
		tmsg_put_u32(m, TANDEM_DOMAIN_A_ID, id);
	if (name)
		tmsg_put_str(m, TANDEM_DOMAIN_A_NAME, name);
}

/**
 * tdom_create() - DOMAIN_CREATE, waiting for the outcome
 * @s: the socket
 * @name: the domain's name
 * @memory: bytes
 * @vcpus: number of vCPUs, 0 to leave the attribute out
 * @r: the reply: the new domain's attributes on success
 *
 * Return: 0, or a negative errno (see the comment above tmsg_domain()).
 */
int tdom_create(struct tnl_sock *s, const char *name, uint64_t memory,
		uint32_t vcpus, struct treply *r)
{
	struct tmsg m;

	tmsg_domain(s, &m, TANDEM_CMD_DOMAIN_CREATE, 0, name);
	tmsg_put_u64(&m, TANDEM_DOMAIN_A_MEMORY, memory);
	if (vcpus)
		tmsg_put_u32(&m, TANDEM_DOMAIN_A_VCPUS, vcpus);
	return tnl_result(s, &m, r);
}

int tdom_destroy(struct tnl_sock *s, uint32_t id, struct treply *r)
{
	struct tmsg m;

	tmsg_domain(s, &m, TANDEM_CMD_DOMAIN_DESTROY, id, NULL);
	return tnl_result(s, &m, r);
}

int tdom_get(struct tnl_sock *s, uint32_t id, struct treply *r)
{
	struct tmsg m;

	tmsg_domain(s, &m, TANDEM_CMD_DOMAIN_GET, id, NULL);
	return tnl_result(s, &m, r);
}

/**
 * tdom_list() - the ids of all domains, by a DOMAIN_GET dump
 * @s: the socket
 * @ids: filled with up to @max ids, in the order of the dump
 * @max: room in @ids
 *
 * Return: the number of domains (may exceed @max), or a negative errno.
 */
int tdom_list(struct tnl_sock *s, uint32_t *ids, int max)
{
	static __thread char buf[65536];
	struct tmsg m;
	int n = 0, err;

	tmsg_init(&m, s->family, NLM_F_DUMP, TANDEM_CMD_DOMAIN_GET);
	err = tnl_send(s, &m);
	if (err)
		return err;
	for (;;) {
		ssize_t len = recv(s->fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nlh;

		if (len < 0)
			return -errno;
		for (nlh = (void *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			const char *p = (const char *)NLMSG_DATA(nlh) + GENL_HDRLEN;
			const char *end = (const char *)nlh + nlh->nlmsg_len;

			if (nlh->nlmsg_seq != m.nlh.nlmsg_seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return n;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(nlh))->error ?: n;
			while (p + NLA_HDRLEN <= end) {
				const struct nlattr *a = (const void *)p;

				if (a->nla_len < NLA_HDRLEN)
					break;
				if (a->nla_type == TANDEM_DOMAIN_A_ID) {
					if (n < max)
						ids[n] = tnla_u32(a);
					n++;
				}
				p += NLA_ALIGN(a->nla_len);
			}
		}
	}
}

void tmsg_mem_write(struct tnl_sock *s, struct tmsg *m, uint32_t id,
		    uint64_t gpa, const void *data, size_t len)
{
	tmsg_init(m, s->family, 0, TANDEM_CMD_MEM_WRITE);
	tmsg_put_u32(m, TANDEM_MEM_A_DOMAIN_ID, id);
	tmsg_put_u64(m, TANDEM_MEM_A_GPA, gpa);
	tmsg_put(m, TANDEM_MEM_A_DATA, data, len);
}

/* MEM_WRITE needs a message larger than struct tmsg holds. */
struct tmsg_big {
	union {
		struct tmsg m;
		char buf[TANDEM_MEM_CHUNK_MAX * 3];
	};
};

/**
 * tmem_write() - MEM_WRITE of @len bytes (up to about 64 KiB) at @gpa
 * @s: the socket
 * @id: the domain
 * @gpa: guest-physical address
 * @data: the bytes
 * @len: how many
 * @r: the reply
 *
 * Return: 0, or a negative errno (see the comment above tmsg_domain()).
 */
int tmem_write(struct tnl_sock *s, uint32_t id, uint64_t gpa, const void *data,
	       size_t len, struct treply *r)
{
	static __thread struct tmsg_big big;
	struct tmsg *m = &big.m;
	struct nlattr *nla;

	tmsg_init(m, s->family, 0, TANDEM_CMD_MEM_WRITE);
	tmsg_put_u32(m, TANDEM_MEM_A_DOMAIN_ID, id);
	tmsg_put_u64(m, TANDEM_MEM_A_GPA, gpa);
	/* By hand: tmsg_put() stops at TMSG_SIZE, and nla_len is a u16. */
	if (len > sizeof(big) - m->nlh.nlmsg_len - NLA_HDRLEN - 4)
		return -E2BIG;
	nla = (struct nlattr *)(m->buf + m->nlh.nlmsg_len);
	nla->nla_type = TANDEM_MEM_A_DATA;
	nla->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)nla + NLA_HDRLEN, data, len);
	m->nlh.nlmsg_len += NLA_ALIGN(NLA_HDRLEN + len);
	return tnl_result(s, m, r);
}

/**
 * tmem_read() - MEM_READ of @len bytes at @gpa into @buf
 * @s: the socket
 * @id: the domain
 * @gpa: guest-physical address
 * @len: how many bytes
 * @buf: where to copy them (when the reply carries exactly @len bytes)
 * @r: the reply
 *
 * Return: 0, -EPROTO when the reply's DATA is not @len bytes, or a negative
 * errno (see the comment above tmsg_domain()).
 */
int tmem_read(struct tnl_sock *s, uint32_t id, uint64_t gpa, size_t len,
	      void *buf, struct treply *r)
{
	struct tmsg m;
	int err;

	tmsg_init(&m, s->family, 0, TANDEM_CMD_MEM_READ);
	tmsg_put_u32(&m, TANDEM_MEM_A_DOMAIN_ID, id);
	tmsg_put_u64(&m, TANDEM_MEM_A_GPA, gpa);
	tmsg_put_u32(&m, TANDEM_MEM_A_LEN, len);
	err = tnl_result(s, &m, r);
	if (err)
		return err;
	if (!r->tb[TANDEM_MEM_A_DATA] || tnla_len(r->tb[TANDEM_MEM_A_DATA]) != (int)len)
		return -EPROTO;
	memcpy(buf, tnla_data(r->tb[TANDEM_MEM_A_DATA]), len);
	return 0;
}

uint32_t treply_u32(const struct treply *r, int type, uint32_t def)
{
	return r->tb[type] ? tnla_u32(r->tb[type]) : def;
}

uint64_t treply_u64(const struct treply *r, int type, uint64_t def)
{
	return r->tb[type] ? tnla_u64(r->tb[type]) : def;
}

/* A string attribute of @r, or "" when absent. */
const char *treply_str(const struct treply *r, int type)
{
	return r->tb[type] ? tnla_data(r->tb[type]) : "";
}

/* Policy configuration ------------------------------------------------------ */

/**
 * tpcfg_put() - put the keys of @c present into a nest of @type
 * @m: the message
 * @type: POLICY_A_CONFIG or VERDICT_A_POLICY
 * @c: the configuration
 */
void tpcfg_put(struct tmsg *m, uint16_t type, const struct tpcfg *c)
{
	struct nlattr *nest = tmsg_nest_start(m, type);

	if (TPCFG_HAS(c, TANDEM_PCFG_A_MAX_DOMAINS))
		tmsg_put_u32(m, TANDEM_PCFG_A_MAX_DOMAINS, c->max_domains);
	if (TPCFG_HAS(c, TANDEM_PCFG_A_MAX_MEMORY))
		tmsg_put_u64(m, TANDEM_PCFG_A_MAX_MEMORY, c->max_memory);
	if (TPCFG_HAS(c, TANDEM_PCFG_A_MAX_VCPUS))
		tmsg_put_u32(m, TANDEM_PCFG_A_MAX_VCPUS, c->max_vcpus);
	if (TPCFG_HAS(c, TANDEM_PCFG_A_MEMORY_POOL))
		tmsg_put_u64(m, TANDEM_PCFG_A_MEMORY_POOL, c->memory_pool);
	if (TPCFG_HAS(c, TANDEM_PCFG_A_NAME_PATTERN))
		tmsg_put_str(m, TANDEM_PCFG_A_NAME_PATTERN, c->name_pattern);
	if (TPCFG_HAS(c, TANDEM_PCFG_A_MEM_WRITE_STATES))
		tmsg_put_u32(m, TANDEM_PCFG_A_MEM_WRITE_STATES,
			     c->mem_write_states);
	if (TPCFG_HAS(c, TANDEM_PCFG_A_CPUS))
		tmsg_put_str(m, TANDEM_PCFG_A_CPUS, c->cpus);
	if (TPCFG_HAS(c, TANDEM_PCFG_A_WEIGHT))
		tmsg_put_u32(m, TANDEM_PCFG_A_WEIGHT, c->weight);
	if (TPCFG_HAS(c, TANDEM_PCFG_A_CAP))
		tmsg_put_u32(m, TANDEM_PCFG_A_CAP, c->cap);
	if (TPCFG_HAS(c, TANDEM_PCFG_A_ON_CRASH))
		tmsg_put_u32(m, TANDEM_PCFG_A_ON_CRASH, c->on_crash);
	if (TPCFG_HAS(c, TANDEM_PCFG_A_MAX_RESTARTS))
		tmsg_put_u32(m, TANDEM_PCFG_A_MAX_RESTARTS, c->max_restarts);
	if (TPCFG_HAS(c, TANDEM_PCFG_A_ON_POWEROFF))
		tmsg_put_u32(m, TANDEM_PCFG_A_ON_POWEROFF, c->on_poweroff);
	if (TPCFG_HAS(c, TANDEM_PCFG_A_ON_REBOOT))
		tmsg_put_u32(m, TANDEM_PCFG_A_ON_REBOOT, c->on_reboot);
	if (TPCFG_HAS(c, TANDEM_PCFG_A_DISK_DIRS))
		tmsg_put_str(m, TANDEM_PCFG_A_DISK_DIRS, c->disk_dirs);
	if (TPCFG_HAS(c, TANDEM_PCFG_A_DISK_RO_DIRS))
		tmsg_put_str(m, TANDEM_PCFG_A_DISK_RO_DIRS, c->disk_ro_dirs);
	if (TPCFG_HAS(c, TANDEM_PCFG_A_MAX_DISKS))
		tmsg_put_u32(m, TANDEM_PCFG_A_MAX_DISKS, c->max_disks);
	if (TPCFG_HAS(c, TANDEM_PCFG_A_MAX_NICS))
		tmsg_put_u32(m, TANDEM_PCFG_A_MAX_NICS, c->max_nics);
	if (TPCFG_HAS(c, TANDEM_PCFG_A_NIC_NAMES))
		tmsg_put_str(m, TANDEM_PCFG_A_NIC_NAMES, c->nic_names);
	tmsg_nest_end(m, nest);
}

/* Copy a string attribute into @buf, cut to fit. */
static void tnla_str(const struct nlattr *a, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", tnla_len(a), (const char *)tnla_data(a));
}

/**
 * tpcfg_parse() - read the keys of a configuration nest into @c
 * @nest: POLICY_A_CONFIG, DECISION_A_POLICY or VERDICT_A_POLICY
 * @c: filled; @c->present tells which keys were there
 */
void tpcfg_parse(const struct nlattr *nest, struct tpcfg *c)
{
	const struct nlattr *a;

	memset(c, 0, sizeof(*c));
	tnla_for_each_nested(a, nest) {
		int type = a->nla_type & NLA_TYPE_MASK;

		switch (type) {
		case TANDEM_PCFG_A_MAX_DOMAINS:
			c->max_domains = tnla_u32(a);
			break;
		case TANDEM_PCFG_A_MAX_MEMORY:
			c->max_memory = tnla_u64(a);
			break;
		case TANDEM_PCFG_A_MAX_VCPUS:
			c->max_vcpus = tnla_u32(a);
			break;
		case TANDEM_PCFG_A_MEMORY_POOL:
			c->memory_pool = tnla_u64(a);
			break;
		case TANDEM_PCFG_A_NAME_PATTERN:
			tnla_str(a, c->name_pattern, sizeof(c->name_pattern));
			break;
		case TANDEM_PCFG_A_MEM_WRITE_STATES:
			c->mem_write_states = tnla_u32(a);
			break;
		case TANDEM_PCFG_A_CPUS:
			tnla_str(a, c->cpus, sizeof(c->cpus));
			break;
		case TANDEM_PCFG_A_WEIGHT:
			c->weight = tnla_u32(a);
			break;
		case TANDEM_PCFG_A_CAP:
			c->cap = tnla_u32(a);
			break;
		case TANDEM_PCFG_A_ON_CRASH:
			c->on_crash = tnla_u32(a);
			break;
		case TANDEM_PCFG_A_MAX_RESTARTS:
			c->max_restarts = tnla_u32(a);
			break;
		case TANDEM_PCFG_A_ON_POWEROFF:
			c->on_poweroff = tnla_u32(a);
			break;
		case TANDEM_PCFG_A_ON_REBOOT:
			c->on_reboot = tnla_u32(a);
			break;
		case TANDEM_PCFG_A_DISK_DIRS:
			tnla_str(a, c->disk_dirs, sizeof(c->disk_dirs));
			break;
		case TANDEM_PCFG_A_DISK_RO_DIRS:
			tnla_str(a, c->disk_ro_dirs, sizeof(c->disk_ro_dirs));
			break;
		case TANDEM_PCFG_A_MAX_DISKS:
			c->max_disks = tnla_u32(a);
			break;
		case TANDEM_PCFG_A_MAX_NICS:
			c->max_nics = tnla_u32(a);
			break;
		case TANDEM_PCFG_A_NIC_NAMES:
			tnla_str(a, c->nic_names, sizeof(c->nic_names));
			break;
		default:
			continue;
		}
		c->present |= 1u << type;
	}
}

int tpolicy_set(struct tnl_sock *s, const struct tpcfg *c, struct treply *r)
{
	struct tmsg m;

	tmsg_init(&m, s->family, 0, TANDEM_CMD_POLICY_SET);
	tpcfg_put(&m, TANDEM_POLICY_A_CONFIG, c);
	return tnl_result(s, &m, r);
}

/**
 * tpolicy_get() - POLICY_GET
 * @s: the socket
 * @c: the configuration the agent reported
 * @r: the reply
 *
 * Return: 0, -EPROTO when the reply has no POLICY_A_CONFIG, or a negative
 * errno (see the comment above tmsg_domain()).
 */
int tpolicy_get(struct tnl_sock *s, struct tpcfg *c, struct treply *r)
{
	struct tmsg m;
	int err;

	tmsg_init(&m, s->family, 0, TANDEM_CMD_POLICY_GET);
	err = tnl_result(s, &m, r);
	if (err)
		return err;
	if (!r->tb[TANDEM_POLICY_A_CONFIG])
		return -EPROTO;
	tpcfg_parse(r->tb[TANDEM_POLICY_A_CONFIG], c);
	return 0;
}

/* A policy agent in the test ------------------------------------------------ */

/**
 * tagent_register() - make @s the policy agent
 * @s: the socket
 * @name: the agent's name, or %NULL for the default
 * @r: the reply
 *
 * Return: 0, or a negative errno (see the comment above tmsg_domain()).
 */
int tagent_register(struct tnl_sock *s, const char *name, struct treply *r)
{
	struct tmsg m;

	tmsg_init(&m, s->family, 0, TANDEM_CMD_AGENT_REGISTER);
	if (name)
		tmsg_put_str(&m, TANDEM_AGENT_A_NAME, name);
	return tnl_result(s, &m, r);
}

int tagent_unregister(struct tnl_sock *s, struct treply *r)
{
	struct tmsg m;

	tmsg_init(&m, s->family, 0, TANDEM_CMD_AGENT_UNREGISTER);
	return tnl_result(s, &m, r);
}

/**
 * tagent_next() - the next DECISION sent to the agent @s
 * @s: the agent's socket
 * @d: the decision; d->tb is indexed by &enum tandem_decision_attr
 * @timeout_ms: how long to wait for it
 *
 * Return: 0 or -ETIMEDOUT.
 */
int tagent_next(struct tnl_sock *s, struct treply *d, int timeout_ms)
{
	return tnl_recv_cmd(s, TANDEM_CMD_DECISION, d, timeout_ms);
}

/**
 * tmsg_verdict() - start a VERDICT; more attributes may follow
 * @s: the agent's socket
 * @m: the message to fill
 * @cookie: the decision's cookie
 * @allow: 1 or 0
 * @reason: a reason, or %NULL
 */
void tmsg_verdict(struct tnl_sock *s, struct tmsg *m, uint32_t cookie,
		  int allow, const char *reason)
{
	uint8_t a = allow;

	tmsg_init(m, s->family, 0, TANDEM_CMD_VERDICT);
	tmsg_put_u32(m, TANDEM_VERDICT_A_COOKIE, cookie);
	tmsg_put(m, TANDEM_VERDICT_A_ALLOW, &a, 1);
	if (reason)
		tmsg_put_str(m, TANDEM_VERDICT_A_REASON, reason);
}

/**
 * tagent_answer() - a plain VERDICT for decision @d
 * @s: the agent's socket
 * @d: from tagent_next()
 * @allow: 1 or 0
 * @reason: a reason, or %NULL
 * @r: the mechanism's ACK of the verdict
 *
 * Return: 0, or a negative errno (see the comment above tmsg_domain()).
 */
int tagent_answer(struct tnl_sock *s, const struct treply *d, int allow,
		  const char *reason, struct treply *r)
{
	struct tmsg m;

	tmsg_verdict(s, &m, treply_u32(d, TANDEM_DECISION_A_COOKIE, 0), allow,
		     reason);
	return tnl_result(s, &m, r);
}

/* Modules and misc ----------------------------------------------------------- */

/**
 * tandem_mod_ensure() - load module @name unless it is loaded already
 * @name: "tandem_hv" or "tandem_policy"
 * @loaded_here: set to 1 when this call loaded it (the caller unloads it)
 *
 * Return: 0 or the negative errno of the load.
 */
int tandem_mod_ensure(const char *name, int *loaded_here)
{
	int err = tandem_mod_load(name);

	*loaded_here = !err;
	return err == -EEXIST ? 0 : err;
}

/**
 * tpolicy_lab_setup() - the common start of a lab test's fixture
 * @lab: filled with what to undo; zeroed by the caller's fixture
 * @s: the socket, opened here
 * @cfg: the configuration the test sets
 * @r: the reply; on failure its ext_msg says why
 * @why: on failure, the step that failed ("load tandem_hv", "POLICY_SET"...)
 *
 * Loads tandem_hv and tandem_policy unless they are loaded, opens @s, saves
 * the agent's configuration when it was loaded already (an agent loaded here
 * goes with the test), then sets @cfg. On a failed load or open, ext_msg is
 * the strerror() of the error; on a failed POLICY_GET or POLICY_SET, the
 * agent's message. Undo with tpolicy_lab_teardown().
 *
 * Return: 0 or a negative errno.
 */
int tpolicy_lab_setup(struct tpolicy_lab *lab, struct tnl_sock *s,
		      const struct tpcfg *cfg, struct treply *r,
		      const char **why)
{
	int err;

	*why = "load tandem_hv";
	err = tandem_mod_ensure("tandem_hv", &lab->hv_here);
	if (!err) {
		*why = "load tandem_policy";
		err = tandem_mod_ensure("tandem_policy", &lab->policy_here);
	}
	if (!err) {
		*why = "open the netlink socket";
		err = tnl_open(s);
	}
	if (err) {
		snprintf(r->ext_msg, sizeof(r->ext_msg), "%s", strerror(-err));
		return err;
	}
	if (!lab->policy_here) {
		*why = "POLICY_GET";
		err = tpolicy_get(s, &lab->saved, r);
		if (err)
			return err;
		lab->restore = 1;
	}
	*why = "POLICY_SET";
	return tpolicy_set(s, cfg, r);
}

/**
 * tpolicy_lab_teardown() - undo tpolicy_lab_setup()
 * @lab: as tpolicy_lab_setup() left it
 * @s: the socket, closed here
 * @r: for the reply of the POLICY_SET that restores the configuration
 *
 * Puts the agent's configuration back, closes @s and unloads the modules
 * that tpolicy_lab_setup() loaded.
 */
void tpolicy_lab_teardown(struct tpolicy_lab *lab, struct tnl_sock *s,
			  struct treply *r)
{
	if (lab->restore)
		tpolicy_set(s, &lab->saved, r);
	tnl_close(s);
	if (lab->policy_here)
		tandem_mod_unload("tandem_policy");
	if (lab->hv_here)
		tandem_mod_unload("tandem_hv");
}

int tandem_param_write(const char *module, const char *param,
		       const char *value)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", module, param);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int tandem_param_read(const char *module, const char *param, char *buf,
		      size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", module, param);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return 0;
}

int tstr_prefix(const char *msg, const char *prefix)
{
	return !strncmp(msg, prefix, strlen(prefix));
}

/**
 * tcli_run() - run the tandem CLI ($TANDEM_CLI, else "tandem" on PATH)
 * @args: its arguments, as one shell string
 * @out: its stdout and stderr, NUL-terminated (cut at @len - 1 bytes)
 * @len: room in @out
 *
 * Return: its exit status, or -1 when it could not run or was killed.
 */
int tcli_run(const char *args, char *out, size_t len)
{
	const char *cli = getenv("TANDEM_CLI");
	char cmd[512];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", cli && *cli ? cli : "tandem",
		 args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (n + 1 < len && fgets(out + n, len - n, p))
		n += strlen(out + n);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/**
 * tdev_attach_disk() - DEVICE_ATTACH a disk to domain @id
 * @s: the socket
 * @id: the domain
 * @path: the backing file (sent as given)
 * @ro: read-only
 * @serial: GET_ID's answer, or %NULL
 * @r: the reply: the device's attributes, or the error
 *
 * Return: 0 or a negative errno.
 */
int tdev_attach_disk(struct tnl_sock *s, uint32_t id, const char *path,
		     int ro, const char *serial, struct treply *r)
{
	struct tmsg m;

	tmsg_domain(s, &m, TANDEM_CMD_DEVICE_ATTACH, id, NULL);
	tmsg_put_u32(&m, TANDEM_DEVICE_A_TYPE, TANDEM_DEVICE_DISK);
	tmsg_put_str(&m, TANDEM_DEVICE_A_PATH, path);
	if (ro)
		tmsg_put(&m, TANDEM_DEVICE_A_READ_ONLY, NULL, 0);
	if (serial)
		tmsg_put_str(&m, TANDEM_DEVICE_A_SERIAL, serial);
	return tnl_result(s, &m, r);
}

/**
 * tdev_detach() - DEVICE_DETACH device @index of @type from domain @id
 * @s: the socket
 * @id: the domain
 * @type: &enum tandem_device_type
 * @index: the device's index among those of @type
 * @r: the reply
 *
 * Return: 0 or a negative errno.
 */
int tdev_detach(struct tnl_sock *s, uint32_t id, uint32_t type, uint32_t index,
		struct treply *r)
{
	struct tmsg m;

	tmsg_domain(s, &m, TANDEM_CMD_DEVICE_DETACH, id, NULL);
	tmsg_put_u32(&m, TANDEM_DEVICE_A_TYPE, type);
	tmsg_put_u32(&m, TANDEM_DEVICE_A_INDEX, index);
	return tnl_result(s, &m, r);
}
