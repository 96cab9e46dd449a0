/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of tandem_policy.ko shared between its files.
 */
#ifndef TANDEM_POLICY_H
#define TANDEM_POLICY_H

#include <linux/netlink.h>
#include <linux/types.h>
#include <net/netlink.h>

struct socket;

/**
 * struct tpol_client - a kernel generic netlink socket bound to one family
 * @sock: kernel netlink socket, private to the client
 * @family_id: the family's id as resolved through the genl controller
 * @seq: sequence number of the last request sent
 * @buf: receive buffer of %TPOL_RCVBUF bytes
 */
struct tpol_client {
	struct socket *sock;
	u16 family_id;
	u32 seq;
	void *buf;
};

#define TPOL_RCVBUF	(32 * 1024)

/**
 * typedef tpol_reply_cb - called for each attribute of a reply
 * @nla: the attribute
 * @arg: caller's context
 *
 * Return: 0 to go on, a negative errno to stop.
 */
typedef int (*tpol_reply_cb)(const struct nlattr *nla, void *arg);

int tpol_client_open(struct tpol_client *c, const char *family);
void tpol_client_close(struct tpol_client *c);
int tpol_client_call(struct tpol_client *c, u8 cmd, const void *attrs,
		     int attrs_len, tpol_reply_cb cb, void *arg);

#endif /* TANDEM_POLICY_H */
