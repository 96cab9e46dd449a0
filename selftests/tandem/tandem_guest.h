/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small library for selftests that run guest code under Tandem: create a
 * domain, load a flat payload, put the vCPU in real, protected or long
 * mode, start it and read what it reports on the console.
 *
 * Guest memory layout (see guest/guest.h for the payload side):
 *   0x1000 GDT: 0x08 code32, 0x10 data, 0x18 code64
 *   0x2000 PML4, 0x3000 PDPT, 0x4000-0x7fff page directories: the first
 *          4 GiB identity-mapped with 2 MiB pages
 *   0x8000 one byte: 1 = use VMCALL (Intel), 2 = use VMMCALL (AMD)
 *   0x9000 initial stack pointer (growing down)
 *   0x10000 the payload (real mode: CS = 0x1000, IP = 0, DS = 0)
 */
#ifndef TANDEM_GUEST_H
#define TANDEM_GUEST_H

#include <stddef.h>
#include <stdint.h>
#include <tandem.h>

#include "tandem_nl.h"

#define TG_LOAD_GPA	0x10000
#define TG_FLAG_GPA	0x8000
#define TG_STACK_GPA	0x9000

enum tg_mode {
	TG_REAL,
	TG_PROTECTED,
	TG_LONG,
};

struct tg_domain {
	struct tnl_sock s;
	uint32_t id;
	char name[TANDEM_NAME_MAX];
	uint64_t console_seq;
	char console[TANDEM_CONSOLE_SIZE + 1];
	size_t console_len;
	char msg[256];		/* extack of the last failed request */
};

int tg_mode_parse(const char *s, enum tg_mode *mode);
int tg_vendor(void);
int tg_create(struct tg_domain *d, const char *name, uint64_t memory,
	      uint32_t vcpus);
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
