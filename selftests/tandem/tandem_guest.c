// SPDX-License-Identifier: GPL-2.0
/*
 * A small library for selftests that run guest code under Tandem.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tandem_guest.h"

#define TG_CHUNK	8192	/* MEM_WRITE chunk: fits any tmsg buffer */

int tg_mode_parse(const char *s, enum tg_mode *mode)
{
	enum builder_mode m;
	int err = builder_mode_parse(s, &m);

	if (!err)
		*mode = (enum tg_mode)m;
	return err;
}

/* TANDEM_VENDOR_* from GET_INFO, or a negative errno. */
int tg_vendor(void)
{
	static struct treply r;
	struct tnl_sock s;
	struct tmsg m;
	int err = tnl_open(&s);

	if (err)
		return err;
	tmsg_init(&m, s.family, 0, TANDEM_CMD_GET_INFO);
	err = tnl_transact(&s, &m, &r);
	tnl_close(&s);
	if (err || r.err)
		return err ? err : r.err;
	return r.tb[TANDEM_INFO_A_VENDOR] ? (int)tnla_u32(r.tb[TANDEM_INFO_A_VENDOR]) :
					    -EPROTO;
}

static int tg_transact(struct tg_domain *d, struct tmsg *m, struct treply *r)
{
	int err = tnl_transact(&d->s, m, r);

	if (err)
		return err;
	snprintf(d->msg, sizeof(d->msg), "%s", r->ext_msg);
	return r->err;
}

/* @d, cleared, named @name, with a socket of its own. */
static int tg_init(struct tg_domain *d, const char *name)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	return tnl_open(&d->s);
}

int tg_create(struct tg_domain *d, const char *name, uint64_t memory,
	      uint32_t vcpus)
{
	return tg_create_wish(d, name, memory, vcpus, -1, -1, -1);
}

/*
 * tg_create() with the domain's wishes for a power-off, a reboot and a
 * crash (&enum tandem_crash_action, or -1 for none).
 */
int tg_create_wish(struct tg_domain *d, const char *name, uint64_t memory,
		   uint32_t vcpus, int64_t on_poweroff, int64_t on_reboot,
		   int64_t on_crash)
{
	static struct treply r;
	struct tmsg m;
	int err;

	err = tg_init(d, name);
	if (err)
		return err;
	tmsg_init(&m, d->s.family, 0, TANDEM_CMD_DOMAIN_CREATE);
	tmsg_put(&m, TANDEM_DOMAIN_A_NAME, name, strlen(name) + 1);
	tmsg_put(&m, TANDEM_DOMAIN_A_MEMORY, &memory, sizeof(memory));
	tmsg_put(&m, TANDEM_DOMAIN_A_VCPUS, &vcpus, sizeof(vcpus));
	if (on_poweroff >= 0)
		tmsg_put_u32(&m, TANDEM_DOMAIN_A_ON_POWEROFF, on_poweroff);
	if (on_reboot >= 0)
		tmsg_put_u32(&m, TANDEM_DOMAIN_A_ON_REBOOT, on_reboot);
	if (on_crash >= 0)
		tmsg_put_u32(&m, TANDEM_DOMAIN_A_ON_CRASH, on_crash);
	err = tg_transact(d, &m, &r);
	if (err)
		return err;
	if (!r.tb[TANDEM_DOMAIN_A_ID])
		return -EPROTO;
	d->id = tnla_u32(r.tb[TANDEM_DOMAIN_A_ID]);
	d->memory = r.tb[TANDEM_DOMAIN_A_MEMORY] ?
		    tnla_u64(r.tb[TANDEM_DOMAIN_A_MEMORY]) : memory;
	return 0;
}

/*
 * Make @d follow the existing domain @name (created by someone else, e.g.
 * the CLI): its id, and a socket of its own.
 */
int tg_attach(struct tg_domain *d, const char *name)
{
	static struct treply r;
	struct tmsg m;
	int err;

	err = tg_init(d, name);
	if (err)
		return err;
	tmsg_domain(&d->s, &m, TANDEM_CMD_DOMAIN_GET, 0, name);
	err = tg_transact(d, &m, &r);
	if (err)
		return err;
	d->id = treply_u32(&r, TANDEM_DOMAIN_A_ID, 0);
	return d->id ? 0 : -EPROTO;
}

int tg_write(struct tg_domain *d, uint64_t gpa, const void *buf, size_t len)
{
	static struct treply r;
	struct tmsg m;
	int err;

	while (len) {
		size_t n = len < TG_CHUNK ? len : TG_CHUNK;

		tmsg_init(&m, d->s.family, 0, TANDEM_CMD_MEM_WRITE);
		tmsg_put(&m, TANDEM_MEM_A_DOMAIN_ID, &d->id, sizeof(d->id));
		tmsg_put(&m, TANDEM_MEM_A_GPA, &gpa, sizeof(gpa));
		tmsg_put(&m, TANDEM_MEM_A_DATA, buf, n);
		err = tg_transact(d, &m, &r);
		if (err)
			return err;
		gpa += n;
		buf = (const char *)buf + n;
		len -= n;
	}
	return 0;
}

int tg_read(struct tg_domain *d, uint64_t gpa, void *buf, size_t len)
{
	static struct treply r;
	struct tmsg m;
	int err;

	while (len) {
		uint32_t n = len < TG_CHUNK ? len : TG_CHUNK;

		tmsg_init(&m, d->s.family, 0, TANDEM_CMD_MEM_READ);
		tmsg_put(&m, TANDEM_MEM_A_DOMAIN_ID, &d->id, sizeof(d->id));
		tmsg_put(&m, TANDEM_MEM_A_GPA, &gpa, sizeof(gpa));
		tmsg_put(&m, TANDEM_MEM_A_LEN, &n, sizeof(n));
		err = tg_transact(d, &m, &r);
		if (err)
			return err;
		if (!r.tb[TANDEM_MEM_A_DATA] ||
		    tnla_len(r.tb[TANDEM_MEM_A_DATA]) != (int)n)
			return -EPROTO;
		memcpy(buf, tnla_data(r.tb[TANDEM_MEM_A_DATA]), n);
		gpa += n;
		buf = (char *)buf + n;
		len -= n;
	}
	return 0;
}

int tg_load_file(struct tg_domain *d, uint64_t gpa, const char *path)
{
	char buf[TG_CHUNK];
	FILE *f = fopen(path, "rb");
	size_t n;
	int err = 0;

	if (!f)
		return -errno;
	d->image_gpa = gpa;
	d->image_size = 0;
	while (!err && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		err = tg_write(d, gpa, buf, n);
		gpa += n;
		d->image_size += n;
	}
	fclose(f);
	return err;
}

void tg_mode_regs(enum tg_mode mode, uint64_t entry,
		  struct tandem_vcpu_regs *r)
{
	struct builder b = {
		.mode = (enum builder_mode)mode, .load = TG_LOAD_GPA,
		.entry = entry,
	};

	builder_regs(&b, r);
}

/*
 * The builder's tables, flag byte and registers for the payload that
 * tg_load_file() loaded (the layout checks apply: an overlapping payload
 * fails with -EINVAL and the reason in d->msg).
 */
int tg_setup(struct tg_domain *d, enum tg_mode mode, uint64_t entry)
{
	struct builder_blob blob[BUILDER_MAX_BLOBS];
	struct tandem_vcpu_regs regs;
	struct builder b = {
		.mode = (enum builder_mode)mode, .memory = d->memory,
		.load = d->image_gpa, .size = d->image_size, .entry = entry,
	};
	void *mem;
	int vendor, i, n, err;

	vendor = tg_vendor();
	if (vendor < 0)
		return vendor;
	b.vendor = vendor;
	err = builder_layout(&b);
	if (err) {
		snprintf(d->msg, sizeof(d->msg), "%s", b.err);
		return err;
	}
	n = builder_blobs(&b, blob, &mem);
	if (n < 0)
		return n;
	for (i = 0, err = 0; i < n && !err; i++)
		err = tg_write(d, blob[i].gpa, blob[i].data, blob[i].len);
	free(mem);
	if (err)
		return err;
	builder_regs(&b, &regs);
	return tg_set_regs(d, 0, &regs);
}

int tg_get_regs(struct tg_domain *d, uint32_t vcpu,
		struct tandem_vcpu_regs *regs)
{
	static struct treply r;
	struct tmsg m;
	int err;

	tmsg_init(&m, d->s.family, 0, TANDEM_CMD_VCPU_GET_REGS);
	tmsg_put(&m, TANDEM_VCPU_A_DOMAIN_ID, &d->id, sizeof(d->id));
	tmsg_put(&m, TANDEM_VCPU_A_VCPU, &vcpu, sizeof(vcpu));
	err = tg_transact(d, &m, &r);
	if (err)
		return err;
	if (!r.tb[TANDEM_VCPU_A_REGS] ||
	    tnla_len(r.tb[TANDEM_VCPU_A_REGS]) != sizeof(*regs))
		return -EPROTO;
	memcpy(regs, tnla_data(r.tb[TANDEM_VCPU_A_REGS]), sizeof(*regs));
	return 0;
}

int tg_set_regs(struct tg_domain *d, uint32_t vcpu,
		const struct tandem_vcpu_regs *regs)
{
	static struct treply r;
	struct tmsg m;

	tmsg_init(&m, d->s.family, 0, TANDEM_CMD_VCPU_SET_REGS);
	tmsg_put(&m, TANDEM_VCPU_A_DOMAIN_ID, &d->id, sizeof(d->id));
	tmsg_put(&m, TANDEM_VCPU_A_VCPU, &vcpu, sizeof(vcpu));
	tmsg_put(&m, TANDEM_VCPU_A_REGS, regs, sizeof(*regs));
	return tg_transact(d, &m, &r);
}

/* A command that names only the domain: START, PAUSE, RESUME, DESTROY. */
int tg_cmd(struct tg_domain *d, uint8_t cmd)
{
	static struct treply r;
	struct tmsg m;

	tmsg_init(&m, d->s.family, 0, cmd);
	tmsg_put(&m, TANDEM_DOMAIN_A_ID, &d->id, sizeof(d->id));
	return tg_transact(d, &m, &r);
}

int tg_start(struct tg_domain *d)
{
	return tg_cmd(d, TANDEM_CMD_DOMAIN_START);
}

int tg_destroy(struct tg_domain *d)
{
	return tg_cmd(d, TANDEM_CMD_DOMAIN_DESTROY);
}

int tg_get(struct tg_domain *d, struct treply *r)
{
	struct tmsg m;

	tmsg_init(&m, d->s.family, 0, TANDEM_CMD_DOMAIN_GET);
	tmsg_put(&m, TANDEM_DOMAIN_A_ID, &d->id, sizeof(d->id));
	return tg_transact(d, &m, r);
}

int tg_state(struct tg_domain *d)
{
	static struct treply r;
	int err = tg_get(d, &r);

	if (err)
		return err;
	return r.tb[TANDEM_DOMAIN_A_STATE] ?
	       (int)tnla_u32(r.tb[TANDEM_DOMAIN_A_STATE]) : -EPROTO;
}

/* Append new console output; returns the number of new bytes. */
int tg_console_poll(struct tg_domain *d)
{
	static struct treply r;
	int total = 0;

	for (;;) {
		struct tmsg m;
		size_t n;
		int err;

		tmsg_init(&m, d->s.family, 0, TANDEM_CMD_CONSOLE_READ);
		tmsg_put(&m, TANDEM_CONSOLE_A_DOMAIN_ID, &d->id, sizeof(d->id));
		tmsg_put(&m, TANDEM_CONSOLE_A_SEQ, &d->console_seq,
			 sizeof(d->console_seq));
		err = tg_transact(d, &m, &r);
		if (err)
			return err;
		if (!r.tb[TANDEM_CONSOLE_A_DATA] || !r.tb[TANDEM_CONSOLE_A_NEXT_SEQ])
			return -EPROTO;
		n = tnla_len(r.tb[TANDEM_CONSOLE_A_DATA]);
		if (!n)
			return total;
		if (d->console_len + n > TANDEM_CONSOLE_SIZE) {
			/* Keep the newest half when the buffer fills up. */
			size_t keep = TANDEM_CONSOLE_SIZE / 2;

			memmove(d->console, d->console + d->console_len - keep, keep);
			d->console_len = keep;
		}
		memcpy(d->console + d->console_len, tnla_data(r.tb[TANDEM_CONSOLE_A_DATA]),
		       n);
		d->console_len += n;
		d->console[d->console_len] = '\0';
		d->console_seq = tnla_u64(r.tb[TANDEM_CONSOLE_A_NEXT_SEQ]);
		total += n;
	}
}

static long tg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tg_wait_console(struct tg_domain *d, const char *needle, int timeout_ms)
{
	long end = tg_now_ms() + timeout_ms;

	do {
		int err = tg_console_poll(d);

		if (err < 0)
			return err;
		if (strstr(d->console, needle))
			return 0;
		usleep(20000);
	} while (tg_now_ms() < end);
	return -ETIMEDOUT;
}

int tg_wait_state(struct tg_domain *d, int state, int timeout_ms)
{
	long end = tg_now_ms() + timeout_ms;
	int st;

	do {
		st = tg_state(d);
		if (st < 0 || st == state)
			return st < 0 ? st : 0;
		usleep(20000);
	} while (tg_now_ms() < end);
	return -ETIMEDOUT;
}

void tg_close(struct tg_domain *d)
{
	tnl_close(&d->s);
}

/* Load tandem_hv and tandem_policy unless they are loaded already. */
int tg_modules_load(void)
{
	int err = tandem_mod_load("tandem_hv");

	if (err && err != -EEXIST)
		return err;
	err = tandem_mod_load("tandem_policy");
	return err == -EEXIST ? 0 : err;
}
