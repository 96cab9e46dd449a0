// SPDX-License-Identifier: GPL-2.0
/*
 * tandem create (with the flat-guest builder), start, pause, resume,
 * destroy, list and info NAME|ID: the domain life cycle.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netlink/attr.h>
#include <tandem.h>

#include "builder.h"
#include "json.h"
#include "pcfg.h"
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
	[TANDEM_DOMAIN_A_VCPU_STATS] = { .type = NLA_NESTED },
	[TANDEM_DOMAIN_A_CRASH_REASON] = { .type = NLA_STRING },
	[TANDEM_DOMAIN_A_UNHANDLED_IO] = { .type = NLA_U64 },
	[TANDEM_DOMAIN_A_UNHANDLED_MMIO] = { .type = NLA_U64 },
	[TANDEM_DOMAIN_A_SHUTDOWN_REASON] = { .type = NLA_U32 },
	[TANDEM_DOMAIN_A_ON_POWEROFF] = { .type = NLA_U32 },
	[TANDEM_DOMAIN_A_ON_REBOOT] = { .type = NLA_U32 },
	[TANDEM_DOMAIN_A_ON_CRASH] = { .type = NLA_U32 },
	[TANDEM_DOMAIN_A_DEVICES] = { .type = NLA_NESTED },
};

/* A wish of the domain's configuration (&enum tandem_crash_action). */
static const char *wish_str(int64_t action)
{
	const char *name = pcfg_action_name(action);

	return name ? name : "unknown";
}

static const char *shutdown_reason_str(uint32_t reason)
{
	switch (reason) {
	case TANDEM_SHUTDOWN_POWEROFF:
		return "poweroff";
	case TANDEM_SHUTDOWN_REBOOT:
		return "reboot";
	}
	return "unknown";
}

static struct nla_policy stats_policy[TANDEM_STATS_A_MAX + 1] = {
	[TANDEM_STATS_A_ID] = { .type = NLA_U32 },
	[TANDEM_STATS_A_RUN_NS] = { .type = NLA_U64 },
	[TANDEM_STATS_A_HALT_NS] = { .type = NLA_U64 },
	[TANDEM_STATS_A_EXITS] = { .type = NLA_UNSPEC },
	[TANDEM_STATS_A_CPUS] = { .type = NLA_UNSPEC },
	[TANDEM_STATS_A_LAST_CPU] = { .type = NLA_U32 },
};

static uint32_t attr_u32(struct nlattr **tb, int a)
{
	return tb[a] ? nla_get_u32(tb[a]) : 0;
}

static uint64_t attr_u64(struct nlattr **tb, int a)
{
	return tb[a] ? nla_get_u64(tb[a]) : 0;
}

/* Binary attributes may grow: take what is known, zero the rest. */
static void attr_copy(void *dst, size_t size, const struct nlattr *a)
{
	size_t n = a ? (size_t)nla_len(a) : 0;

	memset(dst, 0, size);
	if (a)
		memcpy(dst, nla_data(a), n < size ? n : size);
}

static int stats_parse(struct nlattr *all, struct domain *d)
{
	struct nlattr *tb[TANDEM_STATS_A_MAX + 1];
	struct nlattr *one;
	int rem;

	nla_for_each_nested(one, all, rem) {
		struct vcpu_stats *v;

		if (nla_type(one) != TANDEM_STATS_A_VCPU)
			continue;
		if (d->nr_stats == TANDEM_MAX_VCPUS)
			break;
		if (nla_parse_nested(tb, TANDEM_STATS_A_MAX, one, stats_policy))
			return -EINVAL;
		v = &d->stats[d->nr_stats++];
		v->id = attr_u32(tb, TANDEM_STATS_A_ID);
		v->run_ns = attr_u64(tb, TANDEM_STATS_A_RUN_NS);
		v->halt_ns = attr_u64(tb, TANDEM_STATS_A_HALT_NS);
		v->last_cpu = attr_u32(tb, TANDEM_STATS_A_LAST_CPU);
		attr_copy(v->exits, sizeof(v->exits), tb[TANDEM_STATS_A_EXITS]);
		attr_copy(v->cpus, sizeof(v->cpus), tb[TANDEM_STATS_A_CPUS]);
	}
	return 0;
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
	d->unhandled_io = attr_u64(tb, TANDEM_DOMAIN_A_UNHANDLED_IO);
	d->unhandled_mmio = attr_u64(tb, TANDEM_DOMAIN_A_UNHANDLED_MMIO);
	d->shutdown_reason = attr_u32(tb, TANDEM_DOMAIN_A_SHUTDOWN_REASON);
	d->on_poweroff = tb[TANDEM_DOMAIN_A_ON_POWEROFF] ?
			 (int64_t)nla_get_u32(tb[TANDEM_DOMAIN_A_ON_POWEROFF]) : -1;
	d->on_reboot = tb[TANDEM_DOMAIN_A_ON_REBOOT] ?
		       (int64_t)nla_get_u32(tb[TANDEM_DOMAIN_A_ON_REBOOT]) : -1;
	d->on_crash = tb[TANDEM_DOMAIN_A_ON_CRASH] ?
		      (int64_t)nla_get_u32(tb[TANDEM_DOMAIN_A_ON_CRASH]) : -1;
	if (tb[TANDEM_DOMAIN_A_CRASH_REASON])
		nla_strlcpy(d->crash_reason, tb[TANDEM_DOMAIN_A_CRASH_REASON],
			    sizeof(d->crash_reason));
	if (tb[TANDEM_DOMAIN_A_DEVICES]) {
		int n = devices_parse(tb[TANDEM_DOMAIN_A_DEVICES], d->devices,
				      TANDEM_VIRTIO_SLOTS);

		if (n < 0)
			return n;
		d->nr_devices = n;
	}
	if (tb[TANDEM_DOMAIN_A_VCPU_STATS])
		return stats_parse(tb[TANDEM_DOMAIN_A_VCPU_STATS], d);
	return 0;
}

/* Sums over the vCPUs; @reason < 0: exits of every reason. */
static uint64_t domain_run_ns(const struct domain *d)
{
	uint64_t ns = 0;
	uint32_t i;

	for (i = 0; i < d->nr_stats; i++)
		ns += d->stats[i].run_ns;
	return ns;
}

static uint64_t domain_exits(const struct domain *d, int reason)
{
	uint64_t n = 0;
	uint32_t i;
	int r;

	for (i = 0; i < d->nr_stats; i++)
		for (r = 0; r < __TANDEM_STAT_EXIT_COUNT; r++)
			if (reason < 0 || r == reason)
				n += d->stats[i].exits[r];
	return n;
}

/* A duration, e.g. "850us", "12.3ms", "4.20s". */
static const char *ns_str(uint64_t ns, char *buf, size_t len)
{
	if (ns < 1000000ULL)
		snprintf(buf, len, "%lluus", (unsigned long long)(ns / 1000));
	else if (ns < 1000000000ULL)
		snprintf(buf, len, "%.1fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

/* A CPU bitmap as a list, e.g. "0-1,3"; "-" when empty. */
static const char *cpus_str(const uint64_t *mask, char *buf, size_t len)
{
	int n = CPUMASK_WORDS * 64, i = 0, j;
	size_t used = 0;

	buf[0] = '\0';
	while (i < n) {
		if (!(mask[i / 64] & (1ULL << (i % 64)))) {
			i++;
			continue;
		}
		for (j = i; j + 1 < n && (mask[(j + 1) / 64] & (1ULL << ((j + 1) % 64))); j++)
			;
		if (used < len)
			used += snprintf(buf + used, len - used, "%s%d",
					 used ? "," : "", i);
		if (j > i && used < len)
			used += snprintf(buf + used, len - used, "-%d", j);
		i = j + 1;
	}
	if (!buf[0])
		snprintf(buf, len, "-");
	return buf;
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

/* Exit counts by reason name, summed over @n vCPUs (none: all zero). */
static void json_exits(struct json *j, const char *key,
		       const struct vcpu_stats *v, uint32_t n)
{
	uint64_t sum;
	uint32_t i;
	int r;

	json_obj_begin(j, key);
	for (r = 0; r < __TANDEM_STAT_EXIT_COUNT; r++) {
		for (i = 0, sum = 0; i < n; i++)
			sum += v[i].exits[r];
		json_u64(j, tandem_exit_name(r), sum);
	}
	json_obj_end(j);
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
	json_u64(j, "vcpu_time_ns", domain_run_ns(d));
	json_u64(j, "exits", domain_exits(d, -1));
	json_exits(j, "exits_by_reason", d->nr_stats ? d->stats : NULL,
		   d->nr_stats);
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
 * domain_lookup() - domain_get() without reporting a failure
 *
 * Return: 0, or a negative errno (the kernel's message in @t->msg).
 */
int domain_lookup(struct tnl *t, const char *sel, struct domain *d)
{
	struct nl_msg *msg = tnl_msg(t, TANDEM_CMD_DOMAIN_GET, 0);

	if (msg && tnl_put_domain(msg, sel, TANDEM_DOMAIN_A_ID,
				  TANDEM_DOMAIN_A_NAME))
		msg = tnl_msg_drop(msg);
	if (!msg)
		return -ENOMEM;
	return tnl_exec(t, msg, domain_one_cb, d);
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

/**
 * struct image - a flat binary to load, and where
 * @path: the file
 * @data: its bytes
 * @b: mode, load, entry; builder_layout() fills in the rest
 */
struct image {
	const char *path;
	uint8_t *data;
	struct builder b;
};

/* The whole file (a pipe too), at most TANDEM_MEM_MAX bytes. */
static int image_read(struct image *img)
{
	size_t cap = 0, n;
	FILE *f;
	int err = 0;

	f = fopen(img->path, "rb");
	if (!f) {
		err = -errno;
		cli_error("create: cannot open the image '%s': %s", img->path,
			  strerror(errno));
		return err;
	}
	img->b.size = 0;
	for (;;) {
		if (img->b.size == cap) {
			uint8_t *p;

			cap = cap ? 2 * cap : 65536;
			p = cap <= TANDEM_MEM_MAX ? realloc(img->data, cap) : NULL;
			if (!p) {
				cli_error("create: the image '%s' is too large",
					  img->path);
				err = -EFBIG;
				break;
			}
			img->data = p;
		}
		n = fread(img->data + img->b.size, 1, cap - img->b.size, f);
		img->b.size += n;
		if (!n) {
			if (ferror(f)) {
				err = -EIO;
				cli_error("create: cannot read the image '%s': %s",
					  img->path, strerror(errno));
			}
			break;
		}
	}
	fclose(f);
	return err;
}

static int vendor_cb(struct nl_msg *msg, void *arg)
{
	static struct nla_policy pol[TANDEM_INFO_A_MAX + 1] = {
		[TANDEM_INFO_A_VENDOR] = { .type = NLA_U32 },
	};
	struct nlattr *tb[TANDEM_INFO_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TANDEM_INFO_A_MAX, pol) ||
	    !tb[TANDEM_INFO_A_VENDOR])
		return -EINVAL;
	*(unsigned int *)arg = nla_get_u32(tb[TANDEM_INFO_A_VENDOR]);
	return 0;
}

static int vcpu_set_regs(struct tnl *t, const struct domain *d,
			 uint32_t vcpu, const struct tandem_vcpu_regs *regs,
			 const char *what)
{
	struct nl_msg *msg = tnl_msg(t, TANDEM_CMD_VCPU_SET_REGS, 0);

	if (msg && (nla_put_u32(msg, TANDEM_VCPU_A_DOMAIN_ID, d->id) ||
		    nla_put_u32(msg, TANDEM_VCPU_A_VCPU, vcpu) ||
		    nla_put(msg, TANDEM_VCPU_A_REGS, sizeof(*regs), regs)))
		msg = tnl_msg_drop(msg);
	return tnl_request(t, msg, NULL, NULL, what);
}

/*
 * Lay out the image in the memory the domain was granted (the agent may
 * grant less than asked) and write it, the boot structures and vCPU 0's
 * registers.
 */
static int domain_build(struct tnl *t, const struct domain *d,
			struct image *img, const char *what)
{
	struct builder_blob blob[BUILDER_MAX_BLOBS];
	struct tandem_vcpu_regs regs;
	char step[128];
	void *mem;
	int i, n, err;

	img->b.memory = d->memory;
	err = builder_layout(&img->b);
	if (err) {
		cli_error("%s: %s", what, img->b.err);
		return err;
	}
	snprintf(step, sizeof(step), "%s: loading the image", what);
	err = mem_write(t, d, img->b.load, img->data, img->b.size, step);
	if (err)
		return err;
	n = builder_blobs(&img->b, blob, &mem);
	if (n < 0) {
		cli_error("%s: out of memory", what);
		return n;
	}
	for (i = 0; i < n && !err; i++) {
		snprintf(step, sizeof(step), "%s: writing the %s", what,
			 blob[i].what);
		err = mem_write(t, d, blob[i].gpa, blob[i].data, blob[i].len,
				step);
	}
	free(mem);
	if (err)
		return err;
	builder_regs(&img->b, &regs);
	snprintf(step, sizeof(step), "%s: setting vCPU 0's registers", what);
	return vcpu_set_regs(t, d, 0, &regs, step);
}

/* A half-built domain goes again: nothing is left behind. */
static void destroy_after_failure(struct tnl *t, const struct domain *d,
				  const char *what)
{
	struct nl_msg *msg = tnl_msg(t, TANDEM_CMD_DOMAIN_DESTROY, 0);
	char step[96];

	snprintf(step, sizeof(step), "%s: destroying the domain again", what);
	if (msg && nla_put_u32(msg, TANDEM_DOMAIN_A_ID, d->id))
		msg = tnl_msg_drop(msg);
	if (tnl_request(t, msg, NULL, NULL, step))
		cli_error("%s: domain %u is left behind: remove it with 'tandem destroy %u'",
			  what, d->id, d->id);
	else
		cli_error("%s: the domain was destroyed again", what);
}

static int parse_gpa(const char *opt, const char *s, uint64_t *gpa)
{
	if (parse_uint(s, 0, UINT64_MAX, gpa))
		return cli_bad_arg("create: %s '%s' is not an address (expected a decimal number, or 0x and hex digits)",
				   opt, s);
	return 0;
}

int cmd_create(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "memory", required_argument, NULL, 'm' },
		{ "vcpus", required_argument, NULL, 'c' },
		{ "image", required_argument, NULL, 'i' },
		{ "load", required_argument, NULL, 'l' },
		{ "entry", required_argument, NULL, 'e' },
		{ "mode", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	struct image img = {
		.b = { .mode = BUILDER_LONG, .load = BUILDER_LOAD_GPA },
	};
	bool have_memory = false, have_entry = false, builder_opt = false;
	uint64_t memory = 0, vcpus = 0;
	struct domain d = { 0 };
	struct nl_msg *msg;
	const char *name;
	struct tnl t;
	char what[64];
	int c, err;

	optind = 0;	/* glibc: start over, argv[0] is "create" */
	opterr = 0;	/* say it in our own words below */
	while ((c = getopt_long(argc, argv, ":m:c:i:l:e:M:", opts, NULL)) != -1) {
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
		case 'i':
			img.path = optarg;
			break;
		case 'l':
			err = parse_gpa("--load", optarg, &img.b.load);
			if (err)
				return err;
			builder_opt = true;
			break;
		case 'e':
			err = parse_gpa("--entry", optarg, &img.b.entry);
			if (err)
				return err;
			have_entry = builder_opt = true;
			break;
		case 'M':
			if (builder_mode_parse(optarg, &img.b.mode))
				return cli_bad_arg("create: --mode '%s' is not a mode (expected real, protected or long)",
						   optarg);
			builder_opt = true;
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
	if (builder_opt && !img.path)
		return cli_bad_arg("create: --load, --entry and --mode need --image FILE");
	name = argv[optind];
	snprintf(what, sizeof(what), "create %s", name);

	if (img.path) {
		if (!have_entry)
			img.b.entry = img.b.load;
		err = image_read(&img);
		if (err)
			goto out_image;
		/* Refuse a bad layout before anything exists. */
		img.b.memory = memory;
		err = builder_layout(&img.b);
		if (err) {
			cli_error("%s: %s", what, img.b.err);
			goto out_image;
		}
	}

	err = tnl_open(&t);
	if (err)
		goto out_image;
	if (img.path) {
		msg = tnl_msg(&t, TANDEM_CMD_GET_INFO, 0);
		err = tnl_request(&t, msg, vendor_cb, &img.b.vendor, what);
		if (err)
			goto out_close;
	}
	msg = tnl_msg(&t, TANDEM_CMD_DOMAIN_CREATE, 0);
	if (msg && (nla_put_string(msg, TANDEM_DOMAIN_A_NAME, name) ||
		    nla_put_u64(msg, TANDEM_DOMAIN_A_MEMORY, memory) ||
		    (vcpus && nla_put_u32(msg, TANDEM_DOMAIN_A_VCPUS, vcpus))))
		msg = tnl_msg_drop(msg);
	err = tnl_request(&t, msg, domain_one_cb, &d, what);
	if (err)
		goto out_close;
	if (img.path) {
		err = domain_build(&t, &d, &img, what);
		if (err) {
			destroy_after_failure(&t, &d, what);
			goto out_close;
		}
	}
	if (cli->json) {
		domain_json_one(&d);
	} else {
		print_created(&d);
		if (img.path)
			printf("loaded %s (%llu bytes) at 0x%llx, entry 0x%llx, %s mode\n",
			       img.path, (unsigned long long)img.b.size,
			       (unsigned long long)img.b.load,
			       (unsigned long long)img.b.entry,
			       builder_mode_name(img.b.mode));
	}
out_close:
	tnl_close(&t);
out_image:
	free(img.data);
	return err;
}

/* A command that names only the domain; @done is what to print after. */
static int domain_cmd(struct cli *cli, int argc, char **argv, uint8_t cmd,
		      const char *done)
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
	snprintf(what, sizeof(what), "%s %s", argv[0], argv[1]);
	msg = tnl_msg(&t, cmd, 0);
	if (msg && tnl_put_domain(msg, argv[1], TANDEM_DOMAIN_A_ID,
				  TANDEM_DOMAIN_A_NAME))
		msg = tnl_msg_drop(msg);
	err = tnl_request(&t, msg, NULL, NULL, what);
	tnl_close(&t);
	if (!err && !cli->json)
		printf("%s domain %s\n", done, argv[1]);
	return err;
}

int cmd_destroy(struct cli *cli, int argc, char **argv)
{
	return domain_cmd(cli, argc, argv, TANDEM_CMD_DOMAIN_DESTROY,
			  "destroyed");
}

int cmd_start(struct cli *cli, int argc, char **argv)
{
	return domain_cmd(cli, argc, argv, TANDEM_CMD_DOMAIN_START, "started");
}

int cmd_pause(struct cli *cli, int argc, char **argv)
{
	return domain_cmd(cli, argc, argv, TANDEM_CMD_DOMAIN_PAUSE, "paused");
}

int cmd_resume(struct cli *cli, int argc, char **argv)
{
	return domain_cmd(cli, argc, argv, TANDEM_CMD_DOMAIN_RESUME, "resumed");
}

static void list_print(const struct domain_list *l)
{
	char mem[SIZE_BUF], created[32], st[16], ns[24];
	int w = 4;	/* strlen("NAME") */
	size_t i;

	for (i = 0; i < l->n; i++)
		if ((int)strlen(l->v[i].name) > w)
			w = strlen(l->v[i].name);
	printf("%5s  %-*s  %-8s  %8s  %5s  %9s  %8s  %s\n", "ID", w, "NAME",
	       "STATE", "MEMORY", "VCPUS", "VCPU-TIME", "EXITS", "CREATED");
	for (i = 0; i < l->n; i++) {
		const struct domain *d = &l->v[i];

		printf("%5u  %-*s  %-8s  %8s  %5u  %9s  %8llu  %s\n", d->id, w,
		       d->name, state_str(d->state, st, sizeof(st)),
		       format_size(d->memory, mem, sizeof(mem)), d->vcpus,
		       ns_str(domain_run_ns(d), ns, sizeof(ns)),
		       (unsigned long long)domain_exits(d, -1),
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

static void info_json(const struct domain *d)
{
	struct json j;
	char cpus[128];
	uint32_t i;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_u64(&j, "id", d->id);
	json_str(&j, "name", d->name);
	json_str(&j, "state", state_str(d->state, cpus, sizeof(cpus)));
	json_u64(&j, "memory", d->memory);
	json_u64(&j, "vcpus", d->vcpus);
	json_u64(&j, "created_ns", d->created_ns);
	json_u64(&j, "owner_uid", d->owner_uid);
	json_u64(&j, "chunks_2m", d->chunks_2m);
	json_u64(&j, "pages_4k", d->pages_4k);
	json_u64(&j, "unhandled_io", d->unhandled_io);
	json_u64(&j, "unhandled_mmio", d->unhandled_mmio);
	if (d->shutdown_reason)
		json_str(&j, "shutdown_reason",
			 shutdown_reason_str(d->shutdown_reason));
	if (d->crash_reason[0])
		json_str(&j, "crash_reason", d->crash_reason);
	if (d->on_poweroff >= 0)
		json_str(&j, "on_poweroff", wish_str(d->on_poweroff));
	if (d->on_reboot >= 0)
		json_str(&j, "on_reboot", wish_str(d->on_reboot));
	if (d->on_crash >= 0)
		json_str(&j, "on_crash", wish_str(d->on_crash));
	json_u64(&j, "vcpu_time_ns", domain_run_ns(d));
	json_u64(&j, "exits", domain_exits(d, -1));
	json_arr_begin(&j, "devices");
	for (i = 0; i < d->nr_devices; i++)
		device_json(&j, &d->devices[i]);
	json_arr_end(&j);
	json_arr_begin(&j, "vcpu_stats");
	for (i = 0; i < d->nr_stats; i++) {
		const struct vcpu_stats *v = &d->stats[i];

		json_obj_begin(&j, NULL);
		json_u64(&j, "vcpu", v->id);
		json_u64(&j, "run_ns", v->run_ns);
		json_u64(&j, "halt_ns", v->halt_ns);
		json_str(&j, "cpus", cpus_str(v->cpus, cpus, sizeof(cpus)));
		json_u64(&j, "last_cpu", v->last_cpu);
		json_exits(&j, "exits", v, 1);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
}

/* Per vCPU: times, CPUs and the exits of each reason that occurred. */
static void info_print_stats(const struct domain *d)
{
	char run[24], halt[24], cpus[128];
	uint32_t i;
	int r;

	for (i = 0; i < d->nr_stats; i++) {
		const struct vcpu_stats *v = &d->stats[i];
		uint64_t total = 0;

		for (r = 0; r < __TANDEM_STAT_EXIT_COUNT; r++)
			total += v->exits[r];
		printf("vcpu %u:\n", v->id);
		printf("  %-14s %s (%llu ns)\n", "run time:",
		       ns_str(v->run_ns, run, sizeof(run)),
		       (unsigned long long)v->run_ns);
		printf("  %-14s %s (%llu ns)\n", "halt time:",
		       ns_str(v->halt_ns, halt, sizeof(halt)),
		       (unsigned long long)v->halt_ns);
		printf("  %-14s %s (last %u)\n", "cpus:",
		       cpus_str(v->cpus, cpus, sizeof(cpus)), v->last_cpu);
		printf("  %-14s %llu\n", "exits:", (unsigned long long)total);
		for (r = 0; r < __TANDEM_STAT_EXIT_COUNT; r++)
			if (v->exits[r])
				printf("    %-12s %llu\n", tandem_exit_name(r),
				       (unsigned long long)v->exits[r]);
	}
}

/* "devices:", then "  disk 0: /srv/a.img, 64 MiB, ..." per device. */
static void info_print_devices(const struct domain *d)
{
	static char desc[DEV_DESC_MAX];
	uint32_t i;

	if (!d->nr_devices) {
		printf("%-16s none\n", "devices:");
		return;
	}
	printf("devices:\n");
	for (i = 0; i < d->nr_devices; i++) {
		const struct dev_info *v = &d->devices[i];

		printf("  %s %u: %s\n", dev_type_name(v->type), v->index,
		       dev_describe(v, desc, sizeof(desc)));
	}
}

/**
 * domain_info() - `tandem info NAME|ID`: one domain, a "key: value" line
 * per field, its devices, then each vCPU's statistics
 * @cli: output mode
 * @sel: the domain, by id (all digits) or name
 *
 * Return: 0, or a negative errno (reported).
 */
int domain_info(struct cli *cli, const char *sel)
{
	char mem[SIZE_BUF], created[32], st[16], what[64], ns[24];
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
		info_json(&d);
		return 0;
	}
	printf("%-16s %u\n", "id:", d.id);
	printf("%-16s %s\n", "name:", d.name);
	printf("%-16s %s\n", "state:", state_str(d.state, st, sizeof(st)));
	if (d.crash_reason[0])
		printf("%-16s %s\n", "crash reason:", d.crash_reason);
	if (d.shutdown_reason)
		printf("%-16s %s\n", "shutdown:",
		       shutdown_reason_str(d.shutdown_reason));
	printf("%-16s %s (%llu bytes)\n", "memory:",
	       format_size(d.memory, mem, sizeof(mem)),
	       (unsigned long long)d.memory);
	printf("%-16s %u\n", "vcpus:", d.vcpus);
	if (d.on_poweroff >= 0)
		printf("%-16s %s\n", "on_poweroff:", wish_str(d.on_poweroff));
	if (d.on_reboot >= 0)
		printf("%-16s %s\n", "on_reboot:", wish_str(d.on_reboot));
	if (d.on_crash >= 0)
		printf("%-16s %s\n", "on_crash:", wish_str(d.on_crash));
	printf("%-16s %s\n", "created:",
	       time_str(d.created_ns, created, sizeof(created)));
	printf("%-16s %u\n", "owner uid:", d.owner_uid);
	printf("%-16s %u\n", "2M chunks:", d.chunks_2m);
	printf("%-16s %u\n", "4K pages:", d.pages_4k);
	printf("%-16s %llu (ports %llu, mmio %llu)\n", "unhandled io:",
	       (unsigned long long)d.unhandled_io,
	       (unsigned long long)(d.unhandled_io - d.unhandled_mmio),
	       (unsigned long long)d.unhandled_mmio);
	printf("%-16s %s\n", "vcpu time:",
	       ns_str(domain_run_ns(&d), ns, sizeof(ns)));
	printf("%-16s %llu\n", "exits:",
	       (unsigned long long)domain_exits(&d, -1));
	info_print_devices(&d);
	info_print_stats(&d);
	return 0;
}
