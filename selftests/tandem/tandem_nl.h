/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A raw generic netlink client for the tandem selftests.
 *
 * The tests build messages byte by byte (so that they can also build broken
 * ones) and read replies without libnl, to check the ABI as the kernel
 * sends it rather than as a library interprets it.
 */
#ifndef TANDEM_SELFTEST_NL_H
#define TANDEM_SELFTEST_NL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#define TMSG_SIZE	16384
#define TNL_MAX_ATTR	64

struct tnl_sock {
	int fd;
	uint16_t family;
	uint32_t seq;
};

struct tmsg {
	union {
		struct nlmsghdr nlh;
		char buf[TMSG_SIZE];
	};
};

/**
 * struct treply - the outcome of one request
 * @err: 0 or the negative errno in the kernel's ACK
 * @ext_msg: extended ACK message ("" if none)
 * @ext_off: extended ACK attribute offset from the request's nlmsghdr, or -1
 * @nmsgs: number of data messages received
 * @data: the first data message (genl header included)
 * @data_len: its length
 * @tb: attributes of the first data message, by type (types >= TNL_MAX_ATTR
 *	are not indexed)
 */
struct treply {
	int err;
	char ext_msg[256];
	int ext_off;
	int nmsgs;
	char data[TMSG_SIZE];
	size_t data_len;
	const struct nlattr *tb[TNL_MAX_ATTR];
};

int tnl_socket(struct tnl_sock *s);
int tnl_resolve(struct tnl_sock *s, const char *name, uint16_t *id);
int tnl_open(struct tnl_sock *s);
void tnl_close(struct tnl_sock *s);

void tmsg_init(struct tmsg *m, uint16_t type, uint16_t flags, uint8_t cmd);
struct nlattr *tmsg_put(struct tmsg *m, uint16_t type, const void *data,
			size_t len);
size_t tmsg_offset(const struct tmsg *m, const void *p);

int tnl_send_raw(struct tnl_sock *s, const void *buf, size_t len);
int tnl_recv_reply(struct tnl_sock *s, uint32_t seq, struct treply *r);
int tnl_transact(struct tnl_sock *s, struct tmsg *m, struct treply *r);

static inline const void *tnla_data(const struct nlattr *nla)
{
	return (const char *)nla + NLA_HDRLEN;
}

static inline int tnla_len(const struct nlattr *nla)
{
	return nla->nla_len - NLA_HDRLEN;
}

uint32_t tnla_u32(const struct nlattr *nla);
uint64_t tnla_u64(const struct nlattr *nla);

/* Module helpers: load from $TANDEM_MODDIR (default /lib/tandem). */
int tandem_mod_load(const char *name);
int tandem_mod_unload(const char *name);
int tandem_mod_loaded(const char *name);
int tandem_mod_refcnt(const char *name);

#endif /* TANDEM_SELFTEST_NL_H */
