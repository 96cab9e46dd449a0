// SPDX-License-Identifier: GPL-2.0
/*
 * tandem monitor: one line per event ("events" group) and per decision
 * ("audit" group), until killed.
 *
 * Each line is flushed as it is printed: the reader is often a pipe (a
 * test, a log collector) that must see an event before the next one comes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <tandem.h>

#include "json.h"
#include "names.h"
#include "nl.h"
#include "size.h"
#include "tandem.h"

/* Receive buffer: room for a burst (a module unload destroys every domain). */
#define MONITOR_RCVBUF	(1 << 20)

struct monitor {
	struct cli *cli;
	int family;
};

static struct nla_policy event_policy[TANDEM_EVENT_A_MAX + 1] = {
	[TANDEM_EVENT_A_KIND] = { .type = NLA_U32 },
	[TANDEM_EVENT_A_TIME_NS] = { .type = NLA_U64 },
	[TANDEM_EVENT_A_DOMAIN_ID] = { .type = NLA_U32 },
	[TANDEM_EVENT_A_DOMAIN_NAME] = { .type = NLA_STRING },
	[TANDEM_EVENT_A_STATE] = { .type = NLA_U32 },
	[TANDEM_EVENT_A_OLD_STATE] = { .type = NLA_U32 },
	[TANDEM_EVENT_A_DECISION] = { .type = NLA_U32 },
	[TANDEM_EVENT_A_COOKIE] = { .type = NLA_U32 },
	[TANDEM_EVENT_A_ALLOW] = { .type = NLA_U8 },
	[TANDEM_EVENT_A_REASON] = { .type = NLA_STRING },
	[TANDEM_EVENT_A_ERRNO] = { .type = NLA_U32 },
	[TANDEM_EVENT_A_AGENT_NAME] = { .type = NLA_STRING },
	[TANDEM_EVENT_A_AGENT_PORTID] = { .type = NLA_U32 },
	[TANDEM_EVENT_A_MEMORY] = { .type = NLA_U64 },
	[TANDEM_EVENT_A_VCPU] = { .type = NLA_U32 },
	[TANDEM_EVENT_A_ACTION] = { .type = NLA_U32 },
};

/* A name from one of the names.c tables, or the number. */
static const char *name_or_num(const char *name, uint32_t v, char *buf,
			       size_t len)
{
	if (name)
		return name;
	snprintf(buf, len, "%u", v);
	return buf;
}

/* Local time with milliseconds: "2025-01-31T12:34:56.789". */
static void event_time(uint64_t ns, char *buf, size_t len)
{
	time_t sec = ns / 1000000000ULL;
	struct tm tm;
	size_t n;

	n = localtime_r(&sec, &tm) ?
		strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm) : 0;
	snprintf(buf + n, len - n, ".%03u",
		 (unsigned int)(ns / 1000000ULL % 1000));
}

/* Blanks, quotes, '=' or non-ASCII would split or confuse a key=value line. */
static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++)
		if (*s <= ' ' || *s >= 0x7f || strchr("\"\\=", *s))
			return true;
	return false;
}

/* A string value, quoted (with \" and \\ escaped) when it must be. */
static void print_text(const char *key, const char *s, bool always_quote)
{
	if (!always_quote && !needs_quotes(s)) {
		printf(" %s=%s", key, s);
		return;
	}
	printf(" %s=\"", key);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static void event_print_text(struct nlattr **tb)
{
	char when[40], b1[16], b2[16], mem[SIZE_BUF];
	uint32_t kind = nla_get_u32(tb[TANDEM_EVENT_A_KIND]);
	uint32_t v;

	event_time(tb[TANDEM_EVENT_A_TIME_NS] ?
		   nla_get_u64(tb[TANDEM_EVENT_A_TIME_NS]) : 0,
		   when, sizeof(when));
	printf("%s %s", when,
	       name_or_num(tandem_event_name(kind), kind, b1, sizeof(b1)));
	if (tb[TANDEM_EVENT_A_DECISION]) {
		v = nla_get_u32(tb[TANDEM_EVENT_A_DECISION]);
		printf(" decision=%s", name_or_num(tandem_decision_name(v), v,
						   b1, sizeof(b1)));
	}
	if (tb[TANDEM_EVENT_A_COOKIE])
		printf(" cookie=%u", nla_get_u32(tb[TANDEM_EVENT_A_COOKIE]));
	if (tb[TANDEM_EVENT_A_DOMAIN_NAME])
		print_text("domain", nla_get_string(tb[TANDEM_EVENT_A_DOMAIN_NAME]),
			   false);
	if (tb[TANDEM_EVENT_A_DOMAIN_ID])
		printf(" id=%u", nla_get_u32(tb[TANDEM_EVENT_A_DOMAIN_ID]));
	if (tb[TANDEM_EVENT_A_STATE]) {
		v = nla_get_u32(tb[TANDEM_EVENT_A_STATE]);
		printf(" state=");
		if (tb[TANDEM_EVENT_A_OLD_STATE]) {
			uint32_t old = nla_get_u32(tb[TANDEM_EVENT_A_OLD_STATE]);

			printf("%s->", name_or_num(tandem_state_name(old), old,
						   b2, sizeof(b2)));
		}
		printf("%s", name_or_num(tandem_state_name(v), v, b1,
					 sizeof(b1)));
	}
	if (tb[TANDEM_EVENT_A_MEMORY])
		printf(" memory=%s",
		       format_size(nla_get_u64(tb[TANDEM_EVENT_A_MEMORY]), mem,
				   sizeof(mem)));
	if (tb[TANDEM_EVENT_A_ALLOW])
		printf(" verdict=%s",
		       nla_get_u8(tb[TANDEM_EVENT_A_ALLOW]) ? "allow" : "deny");
	if (tb[TANDEM_EVENT_A_ERRNO])
		printf(" errno=%u", nla_get_u32(tb[TANDEM_EVENT_A_ERRNO]));
	if (tb[TANDEM_EVENT_A_REASON] &&
	    *nla_get_string(tb[TANDEM_EVENT_A_REASON]))
		print_text("reason", nla_get_string(tb[TANDEM_EVENT_A_REASON]),
			   true);
	if (tb[TANDEM_EVENT_A_VCPU])
		printf(" vcpu=%u", nla_get_u32(tb[TANDEM_EVENT_A_VCPU]));
	if (tb[TANDEM_EVENT_A_ACTION]) {
		v = nla_get_u32(tb[TANDEM_EVENT_A_ACTION]);
		printf(" action=%s", name_or_num(tandem_crash_action_name(v),
						 v, b1, sizeof(b1)));
	}
	if (tb[TANDEM_EVENT_A_AGENT_NAME])
		print_text("agent", nla_get_string(tb[TANDEM_EVENT_A_AGENT_NAME]),
			   false);
	if (tb[TANDEM_EVENT_A_AGENT_PORTID])
		printf(" agent_port=%u",
		       nla_get_u32(tb[TANDEM_EVENT_A_AGENT_PORTID]));
	putchar('\n');
	fflush(stdout);
}

/* A u32 enum as its name, or as a number when this tool does not know it. */
static void json_enum(struct json *j, const char *key, const char *name,
		      uint32_t v)
{
	if (name)
		json_str(j, key, name);
	else
		json_u64(j, key, v);
}

static void event_print_json(struct nlattr **tb)
{
	uint32_t kind = nla_get_u32(tb[TANDEM_EVENT_A_KIND]);
	char when[40];
	struct json j;
	uint32_t v;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	if (tb[TANDEM_EVENT_A_TIME_NS]) {
		uint64_t ns = nla_get_u64(tb[TANDEM_EVENT_A_TIME_NS]);

		event_time(ns, when, sizeof(when));
		json_u64(&j, "time_ns", ns);
		json_str(&j, "time", when);
	}
	json_enum(&j, "kind", tandem_event_name(kind), kind);
	if (tb[TANDEM_EVENT_A_DECISION]) {
		v = nla_get_u32(tb[TANDEM_EVENT_A_DECISION]);
		json_enum(&j, "decision", tandem_decision_name(v), v);
	}
	if (tb[TANDEM_EVENT_A_COOKIE])
		json_u64(&j, "cookie", nla_get_u32(tb[TANDEM_EVENT_A_COOKIE]));
	if (tb[TANDEM_EVENT_A_DOMAIN_NAME])
		json_str(&j, "domain", nla_get_string(tb[TANDEM_EVENT_A_DOMAIN_NAME]));
	if (tb[TANDEM_EVENT_A_DOMAIN_ID])
		json_u64(&j, "domain_id", nla_get_u32(tb[TANDEM_EVENT_A_DOMAIN_ID]));
	if (tb[TANDEM_EVENT_A_OLD_STATE]) {
		v = nla_get_u32(tb[TANDEM_EVENT_A_OLD_STATE]);
		json_enum(&j, "old_state", tandem_state_name(v), v);
	}
	if (tb[TANDEM_EVENT_A_STATE]) {
		v = nla_get_u32(tb[TANDEM_EVENT_A_STATE]);
		json_enum(&j, "state", tandem_state_name(v), v);
	}
	if (tb[TANDEM_EVENT_A_MEMORY])
		json_u64(&j, "memory", nla_get_u64(tb[TANDEM_EVENT_A_MEMORY]));
	if (tb[TANDEM_EVENT_A_ALLOW])
		json_bool(&j, "allow", nla_get_u8(tb[TANDEM_EVENT_A_ALLOW]));
	if (tb[TANDEM_EVENT_A_ERRNO])
		json_u64(&j, "errno", nla_get_u32(tb[TANDEM_EVENT_A_ERRNO]));
	if (tb[TANDEM_EVENT_A_REASON])
		json_str(&j, "reason", nla_get_string(tb[TANDEM_EVENT_A_REASON]));
	if (tb[TANDEM_EVENT_A_VCPU])
		json_u64(&j, "vcpu", nla_get_u32(tb[TANDEM_EVENT_A_VCPU]));
	if (tb[TANDEM_EVENT_A_ACTION]) {
		v = nla_get_u32(tb[TANDEM_EVENT_A_ACTION]);
		json_enum(&j, "action", tandem_crash_action_name(v), v);
	}
	if (tb[TANDEM_EVENT_A_AGENT_NAME])
		json_str(&j, "agent", nla_get_string(tb[TANDEM_EVENT_A_AGENT_NAME]));
	if (tb[TANDEM_EVENT_A_AGENT_PORTID])
		json_u64(&j, "agent_port",
			 nla_get_u32(tb[TANDEM_EVENT_A_AGENT_PORTID]));
	json_obj_end(&j);
	json_finish(&j);	/* newline and flush */
}

static int event_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TANDEM_EVENT_A_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct monitor *m = arg;

	/* Only our family's events; a malformed one is skipped, not fatal. */
	if (nlh->nlmsg_type != m->family ||
	    genlmsg_hdr(nlh)->cmd != TANDEM_CMD_EVENT ||
	    genlmsg_parse(nlh, 0, tb, TANDEM_EVENT_A_MAX, event_policy) ||
	    !tb[TANDEM_EVENT_A_KIND])
		return NL_SKIP;
	if (m->cli->json)
		event_print_json(tb);
	else
		event_print_text(tb);
	return NL_OK;
}

static int monitor_join(struct tnl *t, const char *group)
{
	int id = genl_ctrl_resolve_grp(t->sk, TANDEM_GENL_NAME, group);

	if (id < 0) {
		cli_error("monitor: the \"%s\" multicast group is not registered: %s",
			  group, nl_geterror(id));
		return -ENOENT;
	}
	if (nl_socket_add_membership(t->sk, id) < 0) {
		cli_error("monitor: cannot join the \"%s\" multicast group",
			  group);
		return -EIO;
	}
	return 0;
}

int cmd_monitor(struct cli *cli, int argc, char **argv)
{
	struct monitor m = { .cli = cli };
	struct tnl t;
	int err;

	(void)argv;
	if (argc != 1)
		return CMD_USAGE;
	err = tnl_open(&t);
	if (err)
		return err;
	m.family = t.family;
	err = monitor_join(&t, TANDEM_MCGRP_EVENTS_NAME);
	if (!err)
		err = monitor_join(&t, TANDEM_MCGRP_AUDIT_NAME);
	if (err)
		goto out;
	/* Multicast messages carry sequence number 0: no request to match. */
	nl_socket_disable_seq_check(t.sk);
	nl_socket_set_buffer_size(t.sk, MONITOR_RCVBUF, 0);
	nl_socket_modify_cb(t.sk, NL_CB_VALID, NL_CB_CUSTOM, event_cb, &m);

	for (;;) {
		err = nl_recvmsgs_default(t.sk);
		if (err == -NLE_INTR)
			continue;
		/* ENOBUFS: the kernel dropped events; say so, keep going. */
		if (err == -NLE_NOMEM) {
			cli_error("monitor: events were lost (receive buffer overrun)");
			continue;
		}
		if (err < 0) {
			cli_error("monitor: %s", nl_geterror(err));
			err = -EIO;
			break;
		}
	}
out:
	tnl_close(&t);
	return err;
}
