// SPDX-License-Identifier: GPL-2.0
/*
 * tandem regs: one vCPU's architectural state (VCPU_GET_REGS).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netlink/attr.h>
#include <tandem.h>

#include "json.h"
#include "nl.h"
#include "size.h"
#include "tandem.h"

/* struct tandem_vcpu_regs.gprs[] order (x86 register encoding). */
static const char *const gpr_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

/* Printed in the order people read them in. */
static const int gpr_order[16] = {
	0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15,
};

struct regs_req {
	struct tnl *t;
	struct tandem_vcpu_regs regs;
	bool have;
};

static int regs_cb(struct nl_msg *msg, void *arg)
{
	static struct nla_policy pol[TANDEM_VCPU_A_MAX + 1] = {
		[TANDEM_VCPU_A_REGS] = { .type = NLA_UNSPEC },
	};
	struct nlattr *tb[TANDEM_VCPU_A_MAX + 1];
	struct regs_req *r = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TANDEM_VCPU_A_MAX, pol))
		return -EINVAL;
	if (!tb[TANDEM_VCPU_A_REGS] ||
	    nla_len(tb[TANDEM_VCPU_A_REGS]) != sizeof(r->regs)) {
		snprintf(r->t->msg, sizeof(r->t->msg),
			 "the reply does not carry a struct tandem_vcpu_regs of %zu bytes",
			 sizeof(r->regs));
		return -EPROTO;
	}
	memcpy(&r->regs, nla_data(tb[TANDEM_VCPU_A_REGS]), sizeof(r->regs));
	r->have = true;
	return 0;
}

static const struct {
	const char *name;
	size_t off;
} segs[] = {
	{ "cs", offsetof(struct tandem_vcpu_regs, cs) },
	{ "ds", offsetof(struct tandem_vcpu_regs, ds) },
	{ "es", offsetof(struct tandem_vcpu_regs, es) },
	{ "fs", offsetof(struct tandem_vcpu_regs, fs) },
	{ "gs", offsetof(struct tandem_vcpu_regs, gs) },
	{ "ss", offsetof(struct tandem_vcpu_regs, ss) },
	{ "tr", offsetof(struct tandem_vcpu_regs, tr) },
	{ "ldtr", offsetof(struct tandem_vcpu_regs, ldtr) },
};

#define NR_SEGS (sizeof(segs) / sizeof(segs[0]))

static const struct tandem_segment *seg_of(const struct tandem_vcpu_regs *r,
					   size_t i)
{
	return (const void *)((const char *)r + segs[i].off);
}

static void regs_print(const struct tandem_vcpu_regs *r)
{
	size_t i;

	for (i = 0; i < 16; i++)
		printf("%-4s 0x%016llx%s", gpr_names[gpr_order[i]],
		       (unsigned long long)r->gprs[gpr_order[i]],
		       i % 4 == 3 ? "\n" : "  ");
	printf("%-4s 0x%016llx  %-6s 0x%016llx\n", "rip",
	       (unsigned long long)r->rip, "rflags",
	       (unsigned long long)r->rflags);
	for (i = 0; i < NR_SEGS; i++) {
		const struct tandem_segment *s = seg_of(r, i);

		printf("%-4s sel 0x%04x  base 0x%016llx  limit 0x%08x  attr 0x%03x\n",
		       segs[i].name, s->selector, (unsigned long long)s->base,
		       s->limit, s->attrib);
	}
	printf("%-4s base 0x%016llx  limit 0x%04x\n", "gdt",
	       (unsigned long long)r->gdt.base, r->gdt.limit);
	printf("%-4s base 0x%016llx  limit 0x%04x\n", "idt",
	       (unsigned long long)r->idt.base, r->idt.limit);
	printf("%-4s 0x%016llx  %-4s 0x%016llx\n", "cr0",
	       (unsigned long long)r->cr0, "cr2", (unsigned long long)r->cr2);
	printf("%-4s 0x%016llx  %-4s 0x%016llx\n", "cr3",
	       (unsigned long long)r->cr3, "cr4", (unsigned long long)r->cr4);
	printf("%-4s 0x%016llx\n", "efer", (unsigned long long)r->efer);
}

static void regs_json(const struct domain *d, uint32_t vcpu,
		      const struct tandem_vcpu_regs *r)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_u64(&j, "id", d->id);
	json_str(&j, "name", d->name);
	json_u64(&j, "vcpu", vcpu);
	for (i = 0; i < 16; i++)
		json_u64(&j, gpr_names[i], r->gprs[i]);
	json_u64(&j, "rip", r->rip);
	json_u64(&j, "rflags", r->rflags);
	for (i = 0; i < NR_SEGS; i++) {
		const struct tandem_segment *s = seg_of(r, i);

		json_obj_begin(&j, segs[i].name);
		json_u64(&j, "selector", s->selector);
		json_u64(&j, "base", s->base);
		json_u64(&j, "limit", s->limit);
		json_u64(&j, "attrib", s->attrib);
		json_obj_end(&j);
	}
	json_obj_begin(&j, "gdt");
	json_u64(&j, "base", r->gdt.base);
	json_u64(&j, "limit", r->gdt.limit);
	json_obj_end(&j);
	json_obj_begin(&j, "idt");
	json_u64(&j, "base", r->idt.base);
	json_u64(&j, "limit", r->idt.limit);
	json_obj_end(&j);
	json_u64(&j, "cr0", r->cr0);
	json_u64(&j, "cr2", r->cr2);
	json_u64(&j, "cr3", r->cr3);
	json_u64(&j, "cr4", r->cr4);
	json_u64(&j, "efer", r->efer);
	json_obj_end(&j);
	json_finish(&j);
}

int cmd_regs(struct cli *cli, int argc, char **argv)
{
	static struct domain d;
	struct regs_req r = { 0 };
	struct nl_msg *msg;
	uint64_t vcpu = 0;
	char what[64];
	struct tnl t;
	int err;

	if (argc != 2 && argc != 3)
		return CMD_USAGE;
	if (argc == 3 && parse_uint(argv[2], 10, TANDEM_MAX_VCPUS - 1, &vcpu))
		return cli_bad_arg("regs: VCPU '%s' is not a number from 0 to %d",
				   argv[2], TANDEM_MAX_VCPUS - 1);
	snprintf(what, sizeof(what), "regs %s vcpu %llu", argv[1],
		 (unsigned long long)vcpu);

	err = tnl_open(&t);
	if (err)
		return err;
	err = domain_get(&t, argv[1], &d, what);
	if (!err) {
		r.t = &t;
		msg = tnl_msg(&t, TANDEM_CMD_VCPU_GET_REGS, 0);
		if (msg && (nla_put_u32(msg, TANDEM_VCPU_A_DOMAIN_ID, d.id) ||
			    nla_put_u32(msg, TANDEM_VCPU_A_VCPU, vcpu)))
			msg = tnl_msg_drop(msg);
		err = tnl_request(&t, msg, regs_cb, &r, what);
		if (!err && !r.have) {
			cli_error("%s: the reply carries no registers", what);
			err = -EPROTO;
		}
	}
	tnl_close(&t);
	if (err)
		return err;
	if (cli->json)
		regs_json(&d, vcpu, &r.regs);
	else
		regs_print(&r.regs);
	return 0;
}
