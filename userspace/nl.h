/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Talking to the tandem generic netlink family through libnl-genl-3.
 */
#ifndef TANDEM_NL_H
#define TANDEM_NL_H

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

/**
 * struct tnl - a connection to the tandem family
 * @sk: libnl socket
 * @family: resolved family id
 * @err: errno of the last request (negative), 0 on success
 * @msg: the kernel's extended ACK message for @err, if any
 * @bad_attr_off: offset of the attribute the kernel blamed, or -1
 */
struct tnl {
	struct nl_sock *sk;
	int family;
	int err;
	char msg[256];
	int bad_attr_off;
};

typedef int (*tnl_reply_cb)(struct nl_msg *msg, void *arg);

int tnl_open(struct tnl *t);
void tnl_close(struct tnl *t);
struct nl_msg *tnl_msg(struct tnl *t, uint8_t cmd, int flags);
struct nl_msg *tnl_msg_size(struct tnl *t, uint8_t cmd, int flags,
			    size_t size);
struct nl_msg *tnl_msg_drop(struct nl_msg *msg);
int tnl_exec(struct tnl *t, struct nl_msg *msg, tnl_reply_cb cb, void *arg);
void tnl_report(const struct tnl *t, const char *what);
int tnl_request(struct tnl *t, struct nl_msg *msg, tnl_reply_cb cb,
		void *arg, const char *what);
int tnl_put_domain(struct nl_msg *msg, const char *sel, int id_attr,
		   int name_attr);

#endif /* TANDEM_NL_H */
