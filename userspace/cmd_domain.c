// SPDX-License-Identifier: GPL-2.0
/*
 * tandem create, destroy, list and info NAME|ID: the domain life cycle.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netlink/attr.h>
#include <tandem.h>

#include "json.h"
#include "names.h"
#include "nl.h"
#include "size.h"
#include "tandem.h"

/* A domain's fields that the tool uses; newer attributes are ignored. */
static struct nla_policy domain_policy[TANDEM_DOMAIN_A_MAX + 1] = {
	[TANDEM_DOMAIN_A_ID] = { .type = NLA_U32 },
	[TANDEM_DOMAIN_A_NAME] = { .type = NLA_STRING },
	[TANDEM_DOMAIN_A_STATE] = { .type = NLA_U32 },
	[TANDEM_DOMAIN_A_MEMORY] = { .type = NLA_U64 },
	[TANDEM_DOMAIN_A_VCPUS] = { .type = NLA_U32 },
	[TANDEM_DOMAIN_A_CREATED_NS] = { .type = NLA_U64 },
	[TANDEM_DOMAIN_A_OWNER_UID] = { .type = NLA_U32 },
	[TANDEM_DOMAIN_A_CHUNKS_2M] = { .type = NLA_U32 },
	[TANDEM_DOMAIN_A_PAGES_4K] = { .type = NLA_U32 },
};

static uint32_t attr_u32(struct nlattr **tb, int a)
{
	return tb[a] ? nla_get_u32(tb[a]) : 0;
}

static uint64_t attr_u64(struct nlattr **tb, int a)
{
	return tb[a] ? nla_get_u64(tb[a]) : 0;
}

static int domain_parse(struct nl_msg *msg, struct domain *d)
{
	struct nlattr *tb[TANDEM_DOMAIN_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TANDEM_DOMAIN_A_MAX,
			  domain_policy))
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	d->id = attr_u32(tb, TANDEM_DOMAIN_A_ID);
	if (tb[TANDEM_DOMAIN_A_NAME])
		nla_strlcpy(d->name, tb[TANDEM_DOMAIN_A_NAME], sizeof(d->name));
	d->state = attr_u32(tb, TANDEM_DOMAIN_A_STATE);
	d->memory = attr_u64(tb, TANDEM_DOMAIN_A_MEMORY);
	d->vcpus = attr_u32(tb, TANDEM_DOMAIN_A_VCPUS);
	d->created_ns = attr_u64(tb, TANDEM_DOMAIN_A_CREATED_NS);
	d->owner_uid = attr_u32(tb, TANDEM_DOMAIN_A_OWNER_UID);
	d->chunks_2m = attr_u32(tb, TANDEM_DOMAIN_A_CHUNKS_2M);
	d->pages_4k = attr_u32(tb, TANDEM_DOMAIN_A_PAGES_4K);
	return 0;
}

static int domain_one_cb(struct nl_msg *msg, void *arg)
{
	return domain_parse(msg, arg);
}

struct domain_list {
	struct domain *v;
	size_t n, cap;
};

static int domain_list_cb(struct nl_msg *msg, void *arg)
{
	struct domain_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct domain *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	if (domain_parse(msg, &l->v[l->n]))
		return -EINVAL;
	l->n++;
	return 0;
}

static const char *state_str(uint32_t state, char *buf, size_t len)
{
	const char *name = tandem_state_name(state);

	if (name)
		return name;
	snprintf(buf, len, "%u", state);
	return buf;
}

/* CLOCK_REALTIME ns as local "YYYY-MM-DD HH:MM:SS". */
static const char *time_str(uint64_t ns, char *buf, size_t len)
{
	time_t sec = ns / 1000000000ULL;
	struct tm tm;

	if (!localtime_r(&sec, &tm) ||
	    !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "-");
	return buf;
}

static void domain_json(struct json *j, const struct domain *d)
{
	char buf[16];

	json_obj_begin(j, NULL);
	json_u64(j, "id", d->id);
	json_str(j, "name", d->name);
	json_str(j, "state", state_str(d->state, buf, sizeof(buf)));
	json_u64(j, "memory", d->memory);
	json_u64(j, "vcpus", d->vcpus);
	json_u64(j, "created_ns", d->created_ns);
	json_u64(j, "owner_uid", d->owner_uid);
	json_u64(j, "chunks_2m", d->chunks_2m);
	json_u64(j, "pages_4k", d->pages_4k);
	json_obj_end(j);
}

static void domain_json_one(const struct domain *d)
{
	struct json j;

	json_init(&j, stdout);
	domain_json(&j, d);
	json_finish(&j);
}

/**
 * domain_get() - one domain, by id (all digits) or name
 * @t: an open connection
 * @sel: what the user typed
 * @d: the domain
 * @what: what to call the request if it fails
 *
 * Return: 0, or a negative errno (reported).
 */
int domain_get(struct tnl *t, const char *sel, struct domain *d,
	       const char *what)
{
	struct nl_msg *msg = tnl_msg(t, TANDEM_CMD_DOMAIN_GET, 0);

	if (msg && tnl_put_domain(msg, sel, TANDEM_DOMAIN_A_ID,
				  TANDEM_DOMAIN_A_NAME))
		msg = tnl_msg_drop(msg);
	return tnl_request(t, msg, domain_one_cb, d, what);
}

/* Memory in MiB, or in KiB when not a whole number of MiB. */
static void print_created(const struct domain *d)
{
	bool mib = !(d->memory % (1ULL << 20));

	printf("created domain %s (id %u, %llu %s, %u vCPU%s)\n", d->name,
	       d->id, (unsigned long long)(d->memory >> (mib ? 20 : 10)),
	       mib ? "MiB" : "KiB", d->vcpus, d->vcpus == 1 ? "" : "s");
}

int cmd_create(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "memory", required_argument, NULL, 'm' },
		{ "vcpus", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t memory = 0, vcpus = 0;
	bool have_memory = false;
	struct domain d = { 0 };
	struct nl_msg *msg;
	const char *name;
	struct tnl t;
	char what[64];
	int c, err;

	optind = 0;	/* glibc: start over, argv[0] is "create" */
	opterr = 0;	/* say it in our own words below */
	while ((c = getopt_long(argc, argv, ":m:c:", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			err = parse_size(optarg, &memory);
			if (err)
				return cli_bad_arg("create: --memory '%s' is %s",
						   optarg, size_strerror(err));
			/* The kernel's rules (tandem.h), said before asking. */
			if (!memory || memory > TANDEM_MEM_MAX)
				return cli_bad_arg("create: --memory %s is out of range (expected 4K to 1T)",
						   optarg);
			if (memory % 4096)
				return cli_bad_arg("create: --memory %s is not a multiple of 4K (4096 bytes)",
						   optarg);
			have_memory = true;
			break;
		case 'c':
			if (parse_uint(optarg, 10, TANDEM_MAX_VCPUS, &vcpus) ||
			    !vcpus)
				return cli_bad_arg("create: --vcpus '%s' is not a number from 1 to %d",
						   optarg, TANDEM_MAX_VCPUS);
			break;
		case ':':
			return cli_bad_arg("create: option '%s' needs a value",
					   argv[optind - 1]);
		default:
			return cli_bad_arg("create: unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return CMD_USAGE;
	if (!have_memory)
		return cli_bad_arg("create: --memory SIZE is required");
	name = argv[optind];

	err = tnl_open(&t);
	if (err)
		return err;
	snprintf(what, sizeof(what), "create %s", name);
	msg = tnl_msg(&t, TANDEM_CMD_DOMAIN_CREATE, 0);
	if (msg && (nla_put_string(msg, TANDEM_DOMAIN_A_NAME, name) ||
		    nla_put_u64(msg, TANDEM_DOMAIN_A_MEMORY, memory) ||
		    (vcpus && nla_put_u32(msg, TANDEM_DOMAIN_A_VCPUS, vcpus))))
		msg = tnl_msg_drop(msg);
	err = tnl_request(&t, msg, domain_one_cb, &d, what);
	tnl_close(&t);
	if (err)
		return err;
	if (cli->json)
		domain_json_one(&d);
	else
		print_created(&d);
	return 0;
}

int cmd_destroy(struct cli *cli, int argc, char **argv)
{
	struct nl_msg *msg;
	struct tnl t;
	char what[64];
	int err;

	if (argc != 2)
		return CMD_USAGE;
	err = tnl_open(&t);
	if (err)
		return err;
	snprintf(what, sizeof(what), "destroy %s", argv[1]);
	msg = tnl_msg(&t, TANDEM_CMD_DOMAIN_DESTROY, 0);
	if (msg && tnl_put_domain(msg, argv[1], TANDEM_DOMAIN_A_ID,
				  TANDEM_DOMAIN_A_NAME))
		msg = tnl_msg_drop(msg);
	err = tnl_request(&t, msg, NULL, NULL, what);
	tnl_close(&t);
	if (!err && !cli->json)
		printf("destroyed domain %s\n", argv[1]);
	return err;
}

static void list_print(const struct domain_list *l)
{
	char mem[SIZE_BUF], created[32], st[16];
	int w = 4;	/* strlen("NAME") */
	size_t i;

	for (i = 0; i < l->n; i++)
		if ((int)strlen(l->v[i].name) > w)
			w = strlen(l->v[i].name);
	printf("%5s  %-*s  %-8s  %8s  %5s  %s\n", "ID", w, "NAME", "STATE",
	       "MEMORY", "VCPUS", "CREATED");
	for (i = 0; i < l->n; i++) {
		const struct domain *d = &l->v[i];

		printf("%5u  %-*s  %-8s  %8s  %5u  %s\n", d->id, w, d->name,
		       state_str(d->state, st, sizeof(st)),
		       format_size(d->memory, mem, sizeof(mem)), d->vcpus,
		       time_str(d->created_ns, created, sizeof(created)));
	}
}

int cmd_list(struct cli *cli, int argc, char **argv)
{
	struct domain_list l = { 0 };
	struct nl_msg *msg;
	struct tnl t;
	size_t i;
	int err;

	(void)argv;
	if (argc != 1)
		return CMD_USAGE;
	err = tnl_open(&t);
	if (err)
		return err;
	msg = tnl_msg(&t, TANDEM_CMD_DOMAIN_GET, NLM_F_DUMP);
	err = tnl_request(&t, msg, domain_list_cb, &l, "list");
	tnl_close(&t);
	if (err)
		goto out;
	if (cli->json) {
		struct json j;

		json_init(&j, stdout);
		json_arr_begin(&j, NULL);
		for (i = 0; i < l.n; i++)
			domain_json(&j, &l.v[i]);
		json_arr_end(&j);
		json_finish(&j);
	} else {
		list_print(&l);
	}
out:
	free(l.v);
	return err;
}

/**
 * domain_info() - `tandem info NAME|ID`: one domain, a "key: value" line
 * per field
 * @cli: output mode
 * @sel: the domain, by id (all digits) or name
 *
 * Return: 0, or a negative errno (reported).
 */
int domain_info(struct cli *cli, const char *sel)
{
	char mem[SIZE_BUF], created[32], st[16], what[64];
	struct domain d;
	struct tnl t;
	int err;

	err = tnl_open(&t);
	if (err)
		return err;
	snprintf(what, sizeof(what), "info %s", sel);
	err = domain_get(&t, sel, &d, what);
	tnl_close(&t);
	if (err)
		return err;
	if (cli->json) {
		domain_json_one(&d);
		return 0;
	}
	printf("%-16s %u\n", "id:", d.id);
	printf("%-16s %s\n", "name:", d.name);
	printf("%-16s %s\n", "state:", state_str(d.state, st, sizeof(st)));
	printf("%-16s %s (%llu bytes)\n", "memory:",
	       format_size(d.memory, mem, sizeof(mem)),
	       (unsigned long long)d.memory);
	printf("%-16s %u\n", "vcpus:", d.vcpus);
	printf("%-16s %s\n", "created:",
	       time_str(d.created_ns, created, sizeof(created)));
	printf("%-16s %u\n", "owner uid:", d.owner_uid);
	printf("%-16s %u\n", "2M chunks:", d.chunks_2m);
	printf("%-16s %u\n", "4K pages:", d.pages_4k);
	return 0;
}
