/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small library for selftests that run guest code under Tandem: create a
 * domain, load a flat payload, put the vCPU in real, protected or long
 * mode, start it and read what it reports on the console.
 *
 * The guest memory layout and the registers are the CLI's domain builder's
 * (userspace/builder.h, linked in), so that the tests and `tandem create
 * --image` run payloads alike. Payloads (guest/guest.h) are loaded at
 * TG_LOAD_GPA (real mode: CS = 0x1000, IP = 0, DS = 0), the hypercall flag
 * byte is at TG_FLAG_GPA and the stack grows down from TG_STACK_GPA.
 */
#ifndef TANDEM_GUEST_H
#define TANDEM_GUEST_H

#include <stddef.h>
#include <stdint.h>
#include <tandem.h>

#include "builder.h"
#include "tandem_nl.h"

#define TG_LOAD_GPA	BUILDER_LOAD_GPA
#define TG_FLAG_GPA	BUILDER_BOOT_GPA
#define TG_STACK_GPA	BUILDER_STACK_TOP

/* The builder's modes, under the names the tests use. */
enum tg_mode {
	TG_REAL = BUILDER_REAL,
	TG_PROTECTED = BUILDER_PROTECTED,
	TG_LONG = BUILDER_LONG,
};

struct tg_domain {
	struct tnl_sock s;
	uint32_t id;
	char name[TANDEM_NAME_MAX];
	uint64_t memory;	/* bytes of RAM asked for */
	uint64_t image_gpa;	/* where tg_load_file() put the payload */
	uint64_t image_size;
	uint64_t console_seq;
	char console[TANDEM_CONSOLE_SIZE + 1];
	size_t console_len;
	char msg[256];		/* extack of the last failed request */
};

int tg_mode_parse(const char *s, enum tg_mode *mode);
int tg_vendor(void);
int tg_create(struct tg_domain *d, const char *name, uint64_t memory,
	      uint32_t vcpus);
int tg_create_wish(struct tg_domain *d, const char *name, uint64_t memory,
		   uint32_t vcpus, int64_t on_poweroff, int64_t on_reboot,
		   int64_t on_crash);
int tg_attach(struct tg_domain *d, const char *name);
int tg_write(struct tg_domain *d, uint64_t gpa, const void *buf, size_t len);
int tg_read(struct tg_domain *d, uint64_t gpa, void *buf, size_t len);
int tg_load_file(struct tg_domain *d, uint64_t gpa, const char *path);
void tg_mode_regs(enum tg_mode mode, uint64_t entry,
		  struct tandem_vcpu_regs *regs);
int tg_setup(struct tg_domain *d, enum tg_mode mode, uint64_t entry);
int tg_get_regs(struct tg_domain *d, uint32_t vcpu,
		struct tandem_vcpu_regs *regs);
int tg_set_regs(struct tg_domain *d, uint32_t vcpu,
		const struct tandem_vcpu_regs *regs);
int tg_cmd(struct tg_domain *d, uint8_t cmd);
int tg_start(struct tg_domain *d);
int tg_destroy(struct tg_domain *d);
int tg_get(struct tg_domain *d, struct treply *r);
int tg_state(struct tg_domain *d);
int tg_console_poll(struct tg_domain *d);
int tg_wait_console(struct tg_domain *d, const char *needle, int timeout_ms);
int tg_wait_state(struct tg_domain *d, int state, int timeout_ms);
void tg_close(struct tg_domain *d);
int tg_modules_load(void);

#endif /* TANDEM_GUEST_H */
