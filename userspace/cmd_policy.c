// SPDX-License-Identifier: GPL-2.0
/*
 * tandem policy show, set and load: the policy agent's configuration.
 *
 * The mechanism carries TANDEM_POLICY_A_CONFIG to the agent untouched; the
 * keys and their rules are the default agent's (pcfg.c). `policy show`
 * prints the file format, so its output can be given to `policy load`.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netlink/attr.h>
#include <tandem.h>

#include "json.h"
#include "names.h"
#include "nl.h"
#include "pcfg.h"
#include "tandem.h"

static int pcfg_put_attr(void *arg, const struct pcfg_value *v)
{
	struct nl_msg *msg = arg;

	switch (v->type) {
	case PCFG_U32:
	case PCFG_STATES:
	case PCFG_ACTION:
		return nla_put_u32(msg, v->attr, v->num);
	case PCFG_SIZE:
		return nla_put_u64(msg, v->attr, v->num);
	case PCFG_STRING:
	case PCFG_CPUS:
	case PCFG_DIRS:
		return nla_put_string(msg, v->attr, v->str);
	}
	return -EINVAL;
}

/* POLICY_SET with every key present in @c, in one nest. */
static int policy_send(const struct pcfg *c, const char *what)
{
	struct nl_msg *msg;
	struct nlattr *nest;
	struct tnl t;
	int err;

	err = tnl_open(&t);
	if (err)
		return err;
	msg = tnl_msg(&t, TANDEM_CMD_POLICY_SET, 0);
	if (msg) {
		nest = nla_nest_start(msg, TANDEM_POLICY_A_CONFIG);
		if (!nest || pcfg_foreach(c, pcfg_put_attr, msg))
			msg = tnl_msg_drop(msg);
		else
			nla_nest_end(msg, nest);
	}
	err = tnl_request(&t, msg, NULL, NULL, what);
	tnl_close(&t);
	return err;
}

int cmd_policy_set(struct cli *cli, int argc, char **argv)
{
	char err[PCFG_ERR_MAX], what[64];
	struct pcfg c = { 0 };

	(void)cli;
	if (argc != 3)
		return CMD_USAGE;
	if (pcfg_set(&c, argv[1], argv[2], err, sizeof(err)))
		return cli_bad_arg("policy set: %s", err);
	snprintf(what, sizeof(what), "policy set %s", argv[1]);
	return policy_send(&c, what);
}

int cmd_policy_load(struct cli *cli, int argc, char **argv)
{
	const char *fname;
	char err[PCFG_ERR_MAX];
	struct pcfg c = { 0 };
	FILE *f;
	int ret;

	(void)cli;
	if (argc != 2)
		return CMD_USAGE;
	fname = argv[1];
	f = strcmp(fname, "-") ? fopen(fname, "r") : stdin;
	if (!f) {
		cli_error("policy load: cannot open '%s': %s", fname,
			  strerror(errno));
		return -errno;
	}
	ret = pcfg_parse_file(&c, f, strcmp(fname, "-") ? fname : "<stdin>",
			      err, sizeof(err));
	if (f != stdin)
		fclose(f);
	if (ret) {
		cli_error("policy load: %s", err);
		return ret;
	}
	if (!c.present) {
		cli_error("policy load: %s: no configuration keys in the file",
			  fname);
		return -EINVAL;
	}
	return policy_send(&c, "policy load");
}

/* The reply's TANDEM_POLICY_A_CONFIG, into a struct pcfg. */
static int policy_get_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TANDEM_POLICY_A_MAX + 1];
	struct nlattr *a;
	struct pcfg *c = arg;
	int rem, type;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TANDEM_POLICY_A_MAX, NULL) ||
	    !tb[TANDEM_POLICY_A_CONFIG])
		return -EINVAL;
	nla_for_each_nested(a, tb[TANDEM_POLICY_A_CONFIG], rem) {
		struct pcfg_value v = { .attr = nla_type(a) };

		/* Keys of a newer agent are skipped, not fatal. */
		type = pcfg_key_type(v.attr);
		if (type < 0)
			continue;
		v.type = type;
		if (type == PCFG_SIZE && nla_len(a) == 8)
			v.num = nla_get_u64(a);
		else if ((type == PCFG_STRING || type == PCFG_CPUS ||
			  type == PCFG_DIRS) &&
			 nla_len(a) > 0 && memchr(nla_data(a), '\0', nla_len(a)))
			v.str = nla_data(a);
		else if ((type == PCFG_U32 || type == PCFG_STATES ||
			  type == PCFG_ACTION) && nla_len(a) == 4)
			v.num = nla_get_u32(a);
		else
			return -EINVAL;
		pcfg_store(c, &v);
	}
	return 0;
}

static int pcfg_print_line(void *arg, const struct pcfg_value *v)
{
	char buf[TANDEM_PATH_MAX];

	(void)arg;
	printf("%s = %s\n", v->name, pcfg_format(v, buf, sizeof(buf)));
	return 0;
}

static int pcfg_json_member(void *arg, const struct pcfg_value *v)
{
	struct json *j = arg;
	int s;

	switch (v->type) {
	case PCFG_U32:
	case PCFG_SIZE:
		json_u64(j, v->name, v->num);
		break;
	case PCFG_STRING:
	case PCFG_CPUS:
	case PCFG_DIRS:
		json_str(j, v->name, v->str);
		break;
	case PCFG_ACTION:
		if (pcfg_action_name(v->num))
			json_str(j, v->name, pcfg_action_name(v->num));
		else
			json_u64(j, v->name, v->num);
		break;
	case PCFG_STATES:
		json_arr_begin(j, v->name);
		for (s = 0; s < 32; s++) {
			const char *name = tandem_state_name(s);

			if (!(v->num & (1U << s)))
				continue;
			if (name)
				json_str(j, NULL, name);
			else
				json_u64(j, NULL, s);
		}
		json_arr_end(j);
		break;
	}
	return 0;
}

int cmd_policy_show(struct cli *cli, int argc, char **argv)
{
	struct pcfg c = { 0 };
	struct nl_msg *msg;
	struct tnl t;
	int err;

	(void)argv;
	if (argc != 1)
		return CMD_USAGE;
	err = tnl_open(&t);
	if (err)
		return err;
	msg = tnl_msg(&t, TANDEM_CMD_POLICY_GET, 0);
	err = tnl_request(&t, msg, policy_get_cb, &c, "policy show");
	tnl_close(&t);
	if (err)
		return err;
	if (cli->json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		pcfg_foreach(&c, pcfg_json_member, &j);
		json_obj_end(&j);
		json_finish(&j);
	} else {
		pcfg_foreach(&c, pcfg_print_line, NULL);
	}
	return 0;
}
