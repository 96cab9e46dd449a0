/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of tandem_policy.ko shared between its files.
 *
 * genl_client.c	a generic netlink client over a kernel socket
 * agent.c		the agent: registration, socket hook, decision worker
 * decide.c		the configuration and the decisions themselves
 * main.c		module load and unload, the GET_INFO / ABI check
 */
#ifndef TANDEM_POLICY_H
#define TANDEM_POLICY_H

#include <linux/netlink.h>
#include <linux/types.h>
#include <net/netlink.h>

struct sk_buff;
struct socket;

/* The name the agent registers under (audit records show it). */
#define TPOL_AGENT_NAME	"tandem_policy"

/**
 * struct tpol_client - a kernel generic netlink socket bound to one family
 * @sock: kernel netlink socket, private to the client
 * @family_id: the family's id as resolved through the genl controller;
 *	0 while the family is not registered
 * @seq: sequence number of the last request sent
 * @buf: receive buffer of %TPOL_RCVBUF bytes; used by tpol_client_call()
 *	and, while the agent's socket hook is installed, by the agent's
 *	worker only (the two never run at the same time)
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

/* genl_client.c */
int tpol_client_open(struct tpol_client *c, const char *family);
void tpol_client_close(struct tpol_client *c);
int tpol_client_call(struct tpol_client *c, u8 cmd, const void *attrs,
		     int attrs_len, tpol_reply_cb cb, void *arg);
u32 tpol_client_next_seq(struct tpol_client *c);
int tpol_client_setsockopt(struct tpol_client *c, int optname, int val);
struct sk_buff *tpol_msg_new(u16 type, u8 cmd, u16 flags, u32 seq,
			     size_t payload);
int tpol_msg_send(struct tpol_client *c, struct sk_buff *skb);
const char *tpol_ack_msg(const struct nlmsghdr *nlh);

/**
 * struct tpol_info - what GET_INFO reported
 * @vendor: &enum tandem_vendor
 * @abi: %TANDEM_ABI_VERSION of tandem_hv.ko
 * @features: mask of &enum tandem_feature
 * @usable: 1 when domains can run
 * @version: tandem_hv.ko's version string
 */
struct tpol_info {
	u32 vendor;
	u32 abi;
	u64 features;
	u8 usable;
	char version[32];
};

/* main.c */
int tpol_info_cb(const struct nlattr *nla, void *arg);
int tpol_info_check(const struct tpol_client *c, const struct tpol_info *info);

/* agent.c */
int tpol_agent_start(struct tpol_client *c);
void tpol_agent_stop(void);

/* decide.c */
int tpol_decide(const struct nlmsghdr *nlh, struct sk_buff *verdict,
		u32 *cookie);
void tpol_config_log(const char *what);

#endif /* TANDEM_POLICY_H */
