/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The domain builder for flat binary guests: where the image, descriptor
 * tables, page tables and stack go, and the registers vCPU 0 starts with.
 * No libnl here: the host unit tests and the selftests link this file on
 * its own; the CLI writes what it lays out (cmd_domain.c).
 *
 * Guest-physical layout (every address below is in guest RAM; the builder
 * writes only the structures of the mode asked for, and the image may not
 * overlap any of them):
 *
 *   0x0000-0x0fff  not written (a real-mode guest's IVT: IDTR 0, 0x3ff)
 *   0x1000-0x1fff  GDT: 0x08 code32, 0x10 flat data, 0x18 code64 (all modes)
 *   0x2000-0x2fff  long mode: PML4 (CR3)
 *   0x3000-0x3fff  long mode: PDPT
 *   0x4000-0x7fff  long mode: page directories for the first 4 GiB
 *   0x8000-0x8fff  boot page: byte 0x8000 says which hypercall instruction
 *                  the CPU has (1 VMCALL, 2 VMMCALL); the initial stack
 *                  grows down from 0x9000 (all modes)
 *   0xa000-...     long mode with more than 4 GiB of RAM: one more page
 *                  directory per GiB above 4 GiB
 *
 * Long mode identity-maps max(4 GiB, RAM rounded up to 1 GiB), at most
 * 512 GiB, with 2 MiB pages (present, writable, supervisor). Images go at
 * or above %BUILDER_LOAD_GPA by default.
 *
 * Registers: real mode runs with CS = load / 16 (base = the load address),
 * IP = entry - load, DS = ES = SS = 0; protected mode with flat 4 GiB
 * segments (CS 0x08, data 0x10); long mode with CS 0x18, data 0x10, CR3
 * 0x2000, CR4.PAE, EFER.LME|LMA, CR0.PG|PE. RSP = 0x9000, RFLAGS = 0x2,
 * interrupts off, no IDT (real mode: the IVT at 0).
 */
#ifndef TANDEM_BUILDER_H
#define TANDEM_BUILDER_H

#include <stddef.h>
#include <stdint.h>
#include <tandem.h>

#define BUILDER_PAGE		0x1000ULL
#define BUILDER_GDT_GPA		0x1000ULL
#define BUILDER_PML4_GPA	0x2000ULL
#define BUILDER_PDPT_GPA	0x3000ULL
#define BUILDER_PD_GPA		0x4000ULL	/* directories 0-3 */
#define BUILDER_BOOT_GPA	0x8000ULL	/* hypercall flag, stack page */
#define BUILDER_STACK_TOP	0x9000ULL
#define BUILDER_PD_HIGH_GPA	0xa000ULL	/* directories 4 and up */
#define BUILDER_LOAD_GPA	0x10000ULL	/* default load address */

#define BUILDER_GDT_ENTRIES	5
#define BUILDER_LOW_PDS		4	/* page directories below 0xa000 */
#define BUILDER_MAX_PDS		512	/* one PDPT: 512 GiB mapped */
#define BUILDER_GIB		(1ULL << 30)

/* What the flag byte at %BUILDER_BOOT_GPA says. */
#define BUILDER_HC_VMCALL	1
#define BUILDER_HC_VMMCALL	2

enum builder_mode {
	BUILDER_REAL,
	BUILDER_PROTECTED,
	BUILDER_LONG,
};

/**
 * struct builder_region - a range of guest memory the builder writes
 * @gpa: first byte
 * @len: bytes
 * @what: its name, for messages ("GDT", "page tables", ...)
 */
struct builder_region {
	uint64_t gpa;
	uint64_t len;
	const char *what;
};

#define BUILDER_MAX_REGIONS	4

/**
 * struct builder - one flat guest to lay out
 * @mode: the mode vCPU 0 starts in
 * @memory: bytes of guest RAM (what the domain was granted)
 * @load: guest-physical address of the image's first byte
 * @size: bytes of image
 * @entry: guest-physical address of the first instruction
 * @vendor: &enum tandem_vendor, for the hypercall flag byte
 * @nr_pds: (builder_layout()) page directories, long mode only
 * @region: (builder_layout()) what the builder writes, by address
 * @nr_regions: (builder_layout()) entries of @region
 * @err: (builder_layout()) why the layout is refused
 */
struct builder {
	enum builder_mode mode;
	uint64_t memory;
	uint64_t load;
	uint64_t size;
	uint64_t entry;
	unsigned int vendor;

	unsigned int nr_pds;
	struct builder_region region[BUILDER_MAX_REGIONS];
	unsigned int nr_regions;
	char err[200];
};

/**
 * struct builder_blob - bytes to write into guest memory
 * @gpa: where
 * @len: how many
 * @data: what (owned by the builder's output, see builder_blobs())
 * @what: its name, for messages
 */
struct builder_blob {
	uint64_t gpa;
	size_t len;
	const void *data;
	const char *what;
};

#define BUILDER_MAX_BLOBS	4

int builder_mode_parse(const char *s, enum builder_mode *mode);
const char *builder_mode_name(enum builder_mode mode);
unsigned int builder_nr_pds(uint64_t memory);
uint64_t builder_pd_gpa(unsigned int i);
int builder_layout(struct builder *b);
void builder_gdt(uint64_t gdt[BUILDER_GDT_ENTRIES]);
uint64_t *builder_page_tables(unsigned int nr_pds);
int builder_blobs(const struct builder *b, struct builder_blob *blob,
		  void **mem);
void builder_regs(const struct builder *b, struct tandem_vcpu_regs *regs);

#endif /* TANDEM_BUILDER_H */
