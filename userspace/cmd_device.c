// SPDX-License-Identifier: GPL-2.0
/*
 * tandem disk attach|detach and nic attach|detach: virtio devices of a
 * domain that has not started yet (DEVICE_ATTACH, DEVICE_DETACH), and the
 * device list of DOMAIN_GET replies.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>
#include <tandem.h>

#include "devarg.h"
#include "json.h"
#include "nl.h"
#include "tandem.h"

static struct nla_policy device_policy[TANDEM_DEVICE_A_MAX + 1] = {
	[TANDEM_DEVICE_A_TYPE] = { .type = NLA_U32 },
	[TANDEM_DEVICE_A_INDEX] = { .type = NLA_U32 },
	[TANDEM_DEVICE_A_PATH] = { .type = NLA_STRING },
	[TANDEM_DEVICE_A_READ_ONLY] = { .type = NLA_FLAG },
	[TANDEM_DEVICE_A_SERIAL] = { .type = NLA_STRING },
	[TANDEM_DEVICE_A_MAC] = { .type = NLA_UNSPEC },
	[TANDEM_DEVICE_A_IFNAME] = { .type = NLA_STRING },
	[TANDEM_DEVICE_A_SIZE] = { .type = NLA_U64 },
	[TANDEM_DEVICE_A_SLOT] = { .type = NLA_U32 },
	[TANDEM_DEVICE_A_MMIO_BASE] = { .type = NLA_U64 },
	[TANDEM_DEVICE_A_GSI] = { .type = NLA_U32 },
	[TANDEM_DEVICE_A_BROKEN] = { .type = NLA_STRING },
	[TANDEM_DEVICE_A_DEVICE] = { .type = NLA_NESTED },
};

/* One device's attributes, parsed with device_policy. */
static int device_from_attrs(struct nlattr **tb, struct dev_info *d)
{
	memset(d, 0, sizeof(*d));
	if (!tb[TANDEM_DEVICE_A_TYPE] || !tb[TANDEM_DEVICE_A_SLOT])
		return -EINVAL;
	d->type = nla_get_u32(tb[TANDEM_DEVICE_A_TYPE]);
	d->slot = nla_get_u32(tb[TANDEM_DEVICE_A_SLOT]);
	if (tb[TANDEM_DEVICE_A_INDEX])
		d->index = nla_get_u32(tb[TANDEM_DEVICE_A_INDEX]);
	/* The layout of tandem.h, should the reply not say. */
	d->mmio_base = tb[TANDEM_DEVICE_A_MMIO_BASE] ?
		       nla_get_u64(tb[TANDEM_DEVICE_A_MMIO_BASE]) :
		       TANDEM_VIRTIO_MMIO_BASE +
		       (uint64_t)d->slot * TANDEM_VIRTIO_MMIO_STRIDE;
	d->gsi = tb[TANDEM_DEVICE_A_GSI] ? nla_get_u32(tb[TANDEM_DEVICE_A_GSI]) :
		 TANDEM_VIRTIO_GSI_BASE + d->slot;
	if (tb[TANDEM_DEVICE_A_PATH])
		nla_strlcpy(d->path, tb[TANDEM_DEVICE_A_PATH], sizeof(d->path));
	d->ro = tb[TANDEM_DEVICE_A_READ_ONLY] != NULL;
	if (tb[TANDEM_DEVICE_A_SERIAL])
		nla_strlcpy(d->serial, tb[TANDEM_DEVICE_A_SERIAL],
			    sizeof(d->serial));
	if (tb[TANDEM_DEVICE_A_SIZE]) {
		d->size = nla_get_u64(tb[TANDEM_DEVICE_A_SIZE]);
		d->has_size = true;
	}
	if (tb[TANDEM_DEVICE_A_MAC] && nla_len(tb[TANDEM_DEVICE_A_MAC]) == 6) {
		memcpy(d->mac, nla_data(tb[TANDEM_DEVICE_A_MAC]), 6);
		d->has_mac = true;
	}
	if (tb[TANDEM_DEVICE_A_IFNAME])
		nla_strlcpy(d->ifname, tb[TANDEM_DEVICE_A_IFNAME],
			    sizeof(d->ifname));
	if (tb[TANDEM_DEVICE_A_BROKEN])
		nla_strlcpy(d->broken, tb[TANDEM_DEVICE_A_BROKEN],
			    sizeof(d->broken));
	return 0;
}

/**
 * devices_parse() - the devices of a DOMAIN_GET reply
 * @all: %TANDEM_DOMAIN_A_DEVICES
 * @dev: room for @max devices
 * @max: how many fit; more are left out
 *
 * Return: how many were parsed, or -EINVAL.
 */
int devices_parse(struct nlattr *all, struct dev_info *dev, unsigned int max)
{
	struct nlattr *tb[TANDEM_DEVICE_A_MAX + 1];
	struct nlattr *one;
	unsigned int n = 0;
	int rem;

	nla_for_each_nested(one, all, rem) {
		if (nla_type(one) != TANDEM_DEVICE_A_DEVICE)
			continue;
		if (n == max)
			break;
		if (nla_parse_nested(tb, TANDEM_DEVICE_A_MAX, one,
				     device_policy) ||
		    device_from_attrs(tb, &dev[n]))
			return -EINVAL;
		n++;
	}
	return n;
}

/* The device at top level; one in a %TANDEM_DEVICE_A_DEVICE nest will do. */
static int attach_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TANDEM_DEVICE_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TANDEM_DEVICE_A_MAX,
			  device_policy))
		return -EINVAL;
	if (!tb[TANDEM_DEVICE_A_SLOT] && tb[TANDEM_DEVICE_A_DEVICE] &&
	    nla_parse_nested(tb, TANDEM_DEVICE_A_MAX,
			     tb[TANDEM_DEVICE_A_DEVICE], device_policy))
		return -EINVAL;
	return device_from_attrs(tb, arg);
}

/**
 * device_attach() - DEVICE_ATTACH
 * @t: an open connection
 * @sel: the domain, by id (all digits) or name
 * @req: the device
 * @d: what the hypervisor made
 * @what: what to call the request if it fails
 *
 * Return: 0, or a negative errno (reported, with the kernel's message).
 */
int device_attach(struct tnl *t, const char *sel, const struct dev_req *req,
		  struct dev_info *d, const char *what)
{
	struct nl_msg *msg = tnl_msg(t, TANDEM_CMD_DEVICE_ATTACH, 0);

	if (msg && (tnl_put_domain(msg, sel, TANDEM_DEVICE_A_DOMAIN_ID,
				   TANDEM_DEVICE_A_DOMAIN_NAME) ||
		    nla_put_u32(msg, TANDEM_DEVICE_A_TYPE, req->type) ||
		    (req->path &&
		     nla_put_string(msg, TANDEM_DEVICE_A_PATH, req->path)) ||
		    (req->ro && nla_put_flag(msg, TANDEM_DEVICE_A_READ_ONLY)) ||
		    (req->serial &&
		     nla_put_string(msg, TANDEM_DEVICE_A_SERIAL, req->serial)) ||
		    (req->has_mac &&
		     nla_put(msg, TANDEM_DEVICE_A_MAC, 6, req->mac)) ||
		    (req->ifname &&
		     nla_put_string(msg, TANDEM_DEVICE_A_IFNAME, req->ifname))))
		msg = tnl_msg_drop(msg);
	return tnl_request(t, msg, attach_cb, d, what);
}

/**
 * device_json() - one device as a JSON object
 * @j: the document
 * @d: the device
 */
void device_json(struct json *j, const struct dev_info *d)
{
	char mac[24];

	json_obj_begin(j, NULL);
	json_str(j, "type", dev_type_name(d->type));
	json_u64(j, "index", d->index);
	if (d->type == TANDEM_DEVICE_DISK) {
		json_str(j, "path", d->path);
		json_bool(j, "read_only", d->ro);
		json_str(j, "serial", d->serial);
		if (d->has_size)
			json_u64(j, "size", d->size);
	} else if (d->type == TANDEM_DEVICE_NIC) {
		if (d->has_mac)
			json_str(j, "mac", dev_mac_str(d->mac, mac, sizeof(mac)));
		json_str(j, "ifname", d->ifname);
	}
	json_u64(j, "slot", d->slot);
	json_u64(j, "mmio_base", d->mmio_base);
	json_u64(j, "gsi", d->gsi);
	if (d->broken[0])
		json_str(j, "broken", d->broken);
	json_obj_end(j);
}

/* "disk 0 of web: /srv/a.img, 64 MiB, ..." or the JSON object. */
static void attach_print(const struct cli *cli, const char *sel,
			 const struct dev_info *d)
{
	static char desc[DEV_DESC_MAX];

	if (cli->json) {
		struct json j;

		json_init(&j, stdout);
		device_json(&j, d);
		json_finish(&j);
		return;
	}
	printf("%s %u of %s: %s\n", dev_type_name(d->type), d->index, sel,
	       dev_describe(d, desc, sizeof(desc)));
}

static int attach(struct cli *cli, const char *sel, const struct dev_req *req,
		  const char *cmd)
{
	struct dev_info *d;
	struct tnl t;
	char what[96];
	int err;

	d = calloc(1, sizeof(*d));
	if (!d) {
		cli_error("%s: out of memory", cmd);
		return -ENOMEM;
	}
	err = tnl_open(&t);
	if (err)
		goto out;
	snprintf(what, sizeof(what), "%s %s", cmd, sel);
	err = device_attach(&t, sel, req, d, what);
	tnl_close(&t);
	if (!err)
		attach_print(cli, sel, d);
out:
	free(d);
	return err;
}

int cmd_disk_attach(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ro", no_argument, NULL, 'r' },
		{ "serial", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct dev_req req = { .type = TANDEM_DEVICE_DISK };
	char path[PATH_MAX];
	const char *why;
	int c, err;

	optind = 0;	/* glibc: start over, argv[0] is "attach" */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":rs:", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			req.ro = true;
			break;
		case 's':
			why = dev_serial_check(optarg);
			if (why)
				return cli_bad_arg("disk attach: --serial: %s",
						   why);
			req.serial = optarg;
			break;
		case ':':
			return cli_bad_arg("disk attach: option '%s' needs a value",
					   argv[optind - 1]);
		default:
			return cli_bad_arg("disk attach: unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind != argc - 2)
		return CMD_USAGE;
	/* The hypervisor opens it from elsewhere: an absolute path. */
	if (!realpath(argv[optind + 1], path)) {
		err = -errno;
		cli_error("disk attach: '%s': %s", argv[optind + 1],
			  strerror(errno));
		return err;
	}
	req.path = path;
	return attach(cli, argv[optind], &req, "disk attach");
}

int cmd_nic_attach(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mac", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct dev_req req = { .type = TANDEM_DEVICE_NIC };
	const char *why;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:n:", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			why = dev_mac_parse(optarg, req.mac);
			if (why)
				return cli_bad_arg("nic attach: --mac: '%s' is %s",
						   optarg, why);
			req.has_mac = true;
			break;
		case 'n':
			why = dev_ifname_check(optarg);
			if (why)
				return cli_bad_arg("nic attach: --name: '%s' is %s",
						   optarg, why);
			req.ifname = optarg;
			break;
		case ':':
			return cli_bad_arg("nic attach: option '%s' needs a value",
					   argv[optind - 1]);
		default:
			return cli_bad_arg("nic attach: unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return CMD_USAGE;
	return attach(cli, argv[optind], &req, "nic attach");
}

static int detach(struct cli *cli, int argc, char **argv, uint32_t type)
{
	const char *name = dev_type_name(type), *why;
	struct nl_msg *msg;
	uint32_t index;
	struct tnl t;
	char what[96];
	int err;

	if (argc != 3)
		return CMD_USAGE;
	why = dev_index_parse(argv[2], &index);
	if (why)
		return cli_bad_arg("%s detach: '%s' is %s", name, argv[2], why);
	err = tnl_open(&t);
	if (err)
		return err;
	snprintf(what, sizeof(what), "%s detach %s %u", name, argv[1], index);
	msg = tnl_msg(&t, TANDEM_CMD_DEVICE_DETACH, 0);
	if (msg && (tnl_put_domain(msg, argv[1], TANDEM_DEVICE_A_DOMAIN_ID,
				   TANDEM_DEVICE_A_DOMAIN_NAME) ||
		    nla_put_u32(msg, TANDEM_DEVICE_A_TYPE, type) ||
		    nla_put_u32(msg, TANDEM_DEVICE_A_INDEX, index)))
		msg = tnl_msg_drop(msg);
	err = tnl_request(&t, msg, NULL, NULL, what);
	tnl_close(&t);
	if (!err && !cli->json)
		printf("detached %s %u of %s\n", name, index, argv[1]);
	return err;
}

int cmd_disk_detach(struct cli *cli, int argc, char **argv)
{
	return detach(cli, argc, argv, TANDEM_DEVICE_DISK);
}

int cmd_nic_detach(struct cli *cli, int argc, char **argv)
{
	return detach(cli, argc, argv, TANDEM_DEVICE_NIC);
}
