// SPDX-License-Identifier: GPL-2.0
/*
 * tandem mem write and mem read: guest memory, in TANDEM_MEM_CHUNK_MAX
 * pieces (a netlink attribute cannot hold 64 KiB).
 *
 * The domain is looked up once and then addressed by id: a name could be
 * destroyed and reused between two chunks, and the rest of the data must
 * not land in another domain.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>
#include <tandem.h>

#include "json.h"
#include "nl.h"
#include "size.h"
#include "tandem.h"

#define ADDR_ACCEPTED "a decimal number, or 0x and hex digits"

/* Room for the data and the other attributes of one request. */
#define MEM_MSG_SIZE(len)	((len) + 256)

static int parse_addr(const char *cmd, const char *s, uint64_t *gpa)
{
	if (parse_uint(s, 0, UINT64_MAX, gpa))
		return cli_bad_arg("%s: ADDR '%s' is not an address (expected " ADDR_ACCEPTED ")",
				   cmd, s);
	return 0;
}

/* One MEM_WRITE or MEM_READ request for domain @id at @gpa. */
static struct nl_msg *mem_msg(struct tnl *t, uint8_t cmd, uint32_t id,
			      uint64_t gpa, size_t len)
{
	struct nl_msg *msg = tnl_msg_size(t, cmd, 0, MEM_MSG_SIZE(len));

	if (msg && (nla_put_u32(msg, TANDEM_MEM_A_DOMAIN_ID, id) ||
		    nla_put_u64(msg, TANDEM_MEM_A_GPA, gpa)))
		msg = tnl_msg_drop(msg);
	return msg;
}

/**
 * mem_write() - write @len bytes at @gpa of domain @d, in
 * %TANDEM_MEM_CHUNK_MAX pieces
 * @t: an open connection
 * @d: the domain, addressed by id
 * @gpa: guest-physical address of the first byte
 * @buf: the bytes
 * @len: how many
 * @what: what to call the write if it fails ("at 0x..." is added)
 *
 * Return: 0, or a negative errno (reported with the kernel's message).
 */
int mem_write(struct tnl *t, const struct domain *d, uint64_t gpa,
	      const void *buf, size_t len, const char *what)
{
	struct nl_msg *msg;
	char at[160];
	size_t n;
	int err;

	while (len) {
		n = len < TANDEM_MEM_CHUNK_MAX ? len : TANDEM_MEM_CHUNK_MAX;
		/* The address says how far a failed write got. */
		snprintf(at, sizeof(at), "%s at 0x%llx", what,
			 (unsigned long long)gpa);
		msg = mem_msg(t, TANDEM_CMD_MEM_WRITE, d->id, gpa, n);
		if (msg && nla_put(msg, TANDEM_MEM_A_DATA, n, buf))
			msg = tnl_msg_drop(msg);
		err = tnl_request(t, msg, NULL, NULL, at);
		if (err)
			return err;
		gpa += n;
		buf = (const char *)buf + n;
		len -= n;
	}
	return 0;
}

static int mem_write_file(struct tnl *t, const struct domain *d,
			  uint64_t gpa, FILE *f, const char *fname,
			  uint64_t *total)
{
	char what[96];
	size_t n;
	char *buf;
	int err = 0;

	buf = malloc(TANDEM_MEM_CHUNK_MAX);
	if (!buf) {
		cli_error("mem write: out of memory");
		return -ENOMEM;
	}
	snprintf(what, sizeof(what), "mem write %s", d->name);
	while ((n = fread(buf, 1, TANDEM_MEM_CHUNK_MAX, f)) > 0) {
		err = mem_write(t, d, gpa, buf, n, what);
		if (err)
			break;
		gpa += n;
		*total += n;
	}
	if (!err && ferror(f)) {
		cli_error("mem write: cannot read '%s': %s", fname,
			  strerror(errno));
		err = -EIO;
	}
	free(buf);
	return err;
}

int cmd_mem_write(struct cli *cli, int argc, char **argv)
{
	const char *fname;
	uint64_t gpa, total = 0;
	struct domain d;
	struct tnl t;
	FILE *f;
	int err;

	if (argc != 4)
		return CMD_USAGE;
	err = parse_addr("mem write", argv[2], &gpa);
	if (err)
		return err;
	fname = argv[3];
	f = strcmp(fname, "-") ? fopen(fname, "rb") : stdin;
	if (!f) {
		cli_error("mem write: cannot open '%s': %s", fname,
			  strerror(errno));
		return -errno;
	}
	err = tnl_open(&t);
	if (err)
		goto out_file;
	err = domain_get(&t, argv[1], &d, "mem write");
	if (!err)
		err = mem_write_file(&t, &d, gpa, f, fname, &total);
	tnl_close(&t);
	if (err)
		goto out_file;

	if (cli->json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_u64(&j, "id", d.id);
		json_str(&j, "name", d.name);
		json_u64(&j, "gpa", gpa);
		json_u64(&j, "bytes", total);
		json_obj_end(&j);
		json_finish(&j);
	} else {
		printf("wrote %llu bytes to domain %s at 0x%llx\n",
		       (unsigned long long)total, d.name,
		       (unsigned long long)gpa);
	}
out_file:
	if (f != stdin)
		fclose(f);
	return err;
}

struct mem_read_req {
	struct tnl *t;
	size_t len;	/* bytes asked for */
	bool written;
};

static int mem_read_cb(struct nl_msg *msg, void *arg)
{
	static struct nla_policy pol[TANDEM_MEM_A_MAX + 1] = {
		[TANDEM_MEM_A_GPA] = { .type = NLA_U64 },
		[TANDEM_MEM_A_DATA] = { .type = NLA_UNSPEC },
	};
	struct nlattr *tb[TANDEM_MEM_A_MAX + 1];
	struct mem_read_req *r = arg;
	struct nlattr *data;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TANDEM_MEM_A_MAX, pol))
		return -EINVAL;
	data = tb[TANDEM_MEM_A_DATA];
	/* Anything but the bytes asked for would shift the rest. */
	if (!data || (size_t)nla_len(data) != r->len) {
		snprintf(r->t->msg, sizeof(r->t->msg),
			 "the reply does not carry the %zu bytes asked for",
			 r->len);
		return -EPROTO;
	}
	if (fwrite(nla_data(data), 1, r->len, stdout) != r->len) {
		snprintf(r->t->msg, sizeof(r->t->msg),
			 "cannot write to standard output");
		return errno ? -errno : -EIO;
	}
	r->written = true;
	return 0;
}

int cmd_mem_read(struct cli *cli, int argc, char **argv)
{
	uint64_t gpa, len, done = 0;
	struct mem_read_req r;
	struct nl_msg *msg;
	char what[96];
	struct domain d;
	struct tnl t;
	int err;

	(void)cli;	/* raw bytes: -j does not apply */
	if (argc != 4)
		return CMD_USAGE;
	err = parse_addr("mem read", argv[2], &gpa);
	if (err)
		return err;
	err = parse_size(argv[3], &len);
	if (err)
		return cli_bad_arg("mem read: LEN '%s' is %s", argv[3],
				   size_strerror(err));
	if (!len)
		return cli_bad_arg("mem read: LEN must be at least 1");

	err = tnl_open(&t);
	if (err)
		return err;
	err = domain_get(&t, argv[1], &d, "mem read");
	while (!err && done < len) {
		r.t = &t;
		r.len = len - done < TANDEM_MEM_CHUNK_MAX ? len - done :
							    TANDEM_MEM_CHUNK_MAX;
		r.written = false;
		snprintf(what, sizeof(what), "mem read %s at 0x%llx", d.name,
			 (unsigned long long)(gpa + done));
		msg = mem_msg(&t, TANDEM_CMD_MEM_READ, d.id, gpa + done, 0);
		if (msg && nla_put_u32(msg, TANDEM_MEM_A_LEN, r.len))
			msg = tnl_msg_drop(msg);
		err = tnl_request(&t, msg, mem_read_cb, &r, what);
		if (!err && !r.written) {
			cli_error("%s: the reply carries no data", what);
			err = -EPROTO;
		}
		done += r.len;
	}
	tnl_close(&t);
	if (!err && fflush(stdout)) {
		cli_error("mem read: cannot write to standard output: %s",
			  strerror(errno));
		err = -EIO;
	}
	return err;
}
