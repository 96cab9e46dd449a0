// SPDX-License-Identifier: GPL-2.0
/*
 * The domain builder for flat binary guests: layout checks, the GDT, the
 * identity page tables and vCPU 0's registers (see builder.h for the
 * layout). Pure: the caller writes the result into the domain.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"

static const char *const mode_names[] = {
	[BUILDER_REAL] = "real",
	[BUILDER_PROTECTED] = "protected",
	[BUILDER_LONG] = "long",
};

/**
 * builder_mode_parse() - "real", "protected" or "long"
 * @s: what the user typed
 * @mode: the result
 *
 * Return: 0, or -EINVAL for anything else.
 */
int builder_mode_parse(const char *s, enum builder_mode *mode)
{
	unsigned int i;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (!strcmp(s, mode_names[i])) {
			*mode = i;
			return 0;
		}
	}
	return -EINVAL;
}

/**
 * builder_mode_name() - the name builder_mode_parse() accepts for @mode
 */
const char *builder_mode_name(enum builder_mode mode)
{
	return (unsigned int)mode < sizeof(mode_names) / sizeof(mode_names[0]) ?
	       mode_names[mode] : "unknown";
}

/**
 * builder_nr_pds() - page directories (1 GiB each) long mode needs to
 * identity-map @memory bytes of RAM and the 4 GiB below (MMIO lives there)
 */
unsigned int builder_nr_pds(uint64_t memory)
{
	uint64_t n = memory / BUILDER_GIB + !!(memory % BUILDER_GIB);

	if (n < BUILDER_LOW_PDS)
		n = BUILDER_LOW_PDS;
	if (n > BUILDER_MAX_PDS)
		n = BUILDER_MAX_PDS;
	return n;
}

/**
 * builder_pd_gpa() - where page directory @i (mapping GiB @i) lives
 */
uint64_t builder_pd_gpa(unsigned int i)
{
	if (i < BUILDER_LOW_PDS)
		return BUILDER_PD_GPA + i * BUILDER_PAGE;
	return BUILDER_PD_HIGH_GPA + (i - BUILDER_LOW_PDS) * BUILDER_PAGE;
}

static void add_region(struct builder *b, uint64_t gpa, uint64_t len,
		       const char *what)
{
	struct builder_region *r = &b->region[b->nr_regions++];

	r->gpa = gpa;
	r->len = len;
	r->what = what;
}

static int fail(struct builder *b, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct builder *b, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, sizeof(b->err), fmt, ap);
	va_end(ap);
	return err;
}

static int check_mode(struct builder *b)
{
	unsigned long long entry = b->entry, load = b->load;

	switch (b->mode) {
	case BUILDER_REAL:
		if (load % 16 || load > 0xffff0)
			return fail(b, -EINVAL,
				    "real mode: the load address 0x%llx must be a multiple of 16 below 1 MiB (CS = load / 16)",
				    load);
		if (entry - load > 0xffff)
			return fail(b, -EINVAL,
				    "real mode: the entry 0x%llx must lie within 64 KiB of the load address 0x%llx (IP = entry - load)",
				    entry, load);
		break;
	case BUILDER_PROTECTED:
		if (entry >= 4 * BUILDER_GIB)
			return fail(b, -EINVAL,
				    "protected mode: the entry 0x%llx is not below 4 GiB",
				    entry);
		break;
	case BUILDER_LONG:
		if (entry >= b->nr_pds * BUILDER_GIB)
			return fail(b, -EINVAL,
				    "long mode: the entry 0x%llx is beyond the identity map (the first %u GiB)",
				    entry, b->nr_pds);
		break;
	}
	return 0;
}

/**
 * builder_layout() - check that the image fits and lay out the rest
 * @b: mode, memory, load, size, entry and vendor set; the rest is filled
 *
 * Refuses (with the reason in @b->err) memory too small for the boot
 * structures, an empty image, an image beyond the end of RAM or
 * overlapping a structure the builder writes, an entry outside the image,
 * and what the mode cannot start at (see check_mode()).
 *
 * Return: 0, -EINVAL or -ERANGE (memory).
 */
int builder_layout(struct builder *b)
{
	unsigned long long load = b->load, end, need;
	unsigned int i;

	b->nr_regions = 0;
	b->nr_pds = 0;
	b->err[0] = '\0';
	if ((unsigned int)b->mode > BUILDER_LONG)
		return fail(b, -EINVAL, "unknown mode %u", b->mode);

	add_region(b, BUILDER_GDT_GPA, BUILDER_PAGE, "GDT");
	if (b->mode == BUILDER_LONG) {
		b->nr_pds = builder_nr_pds(b->memory);
		add_region(b, BUILDER_PML4_GPA,
			   BUILDER_BOOT_GPA - BUILDER_PML4_GPA, "page tables");
	}
	add_region(b, BUILDER_BOOT_GPA, BUILDER_STACK_TOP - BUILDER_BOOT_GPA,
		   "boot page and stack");
	if (b->nr_pds > BUILDER_LOW_PDS)
		add_region(b, BUILDER_PD_HIGH_GPA,
			   (b->nr_pds - BUILDER_LOW_PDS) * BUILDER_PAGE,
			   "page directories above 4 GiB");
	need = b->region[b->nr_regions - 1].gpa +
	       b->region[b->nr_regions - 1].len;

	if (b->memory < need)
		return fail(b, -ERANGE,
			    "%llu KiB of memory cannot hold the boot structures: %s mode with this much memory needs at least %llu KiB",
			    (unsigned long long)b->memory >> 10,
			    builder_mode_name(b->mode), need >> 10);
	if (!b->size)
		return fail(b, -EINVAL, "the image is empty");
	end = load + b->size;
	if (end < load || end > b->memory)
		return fail(b, -ERANGE,
			    "the image (%llu bytes at 0x%llx) does not fit in the domain's memory (%llu KiB, up to 0x%llx)",
			    (unsigned long long)b->size, load,
			    (unsigned long long)b->memory >> 10,
			    (unsigned long long)b->memory - 1);
	for (i = 0; i < b->nr_regions; i++) {
		const struct builder_region *r = &b->region[i];

		if (load < r->gpa + r->len && r->gpa < end)
			return fail(b, -EINVAL,
				    "the image at 0x%llx-0x%llx overlaps the %s at 0x%llx-0x%llx: load it at 0x%llx or above",
				    load, end - 1, r->what,
				    (unsigned long long)r->gpa,
				    (unsigned long long)(r->gpa + r->len - 1),
				    need);
	}
	if (b->entry < load || b->entry >= end)
		return fail(b, -EINVAL,
			    "the entry 0x%llx is outside the image (0x%llx-0x%llx)",
			    (unsigned long long)b->entry, load, end - 1);
	return check_mode(b);
}

/**
 * builder_gdt() - the GDT at %BUILDER_GDT_GPA
 * @gdt: null, 0x08 flat code32, 0x10 flat data, 0x18 code64, null
 */
void builder_gdt(uint64_t gdt[BUILDER_GDT_ENTRIES])
{
	gdt[0] = 0;
	gdt[1] = 0x00cf9a000000ffffULL;	/* G, D, P, DPL 0, code r/x */
	gdt[2] = 0x00cf92000000ffffULL;	/* G, B, P, DPL 0, data r/w */
	gdt[3] = 0x00af9a000000ffffULL;	/* G, L, P, DPL 0, code r/x */
	gdt[4] = 0;
}

/**
 * builder_page_tables() - the long-mode identity map
 * @nr_pds: page directories, from builder_nr_pds()
 *
 * Return: (2 + @nr_pds) pages, malloc'd, or NULL: the PML4 (written at
 * %BUILDER_PML4_GPA), the PDPT (at %BUILDER_PDPT_GPA) and page directory
 * i (at builder_pd_gpa(i)) mapping GiB i with 2 MiB pages.
 */
uint64_t *builder_page_tables(unsigned int nr_pds)
{
	uint64_t *pml4, *pdpt, *pd;
	unsigned int i;

	pml4 = calloc((2 + nr_pds) * 512, sizeof(*pml4));
	if (!pml4)
		return NULL;
	pdpt = pml4 + 512;
	pd = pdpt + 512;
	pml4[0] = BUILDER_PDPT_GPA | 0x3;		/* P, RW */
	for (i = 0; i < nr_pds; i++)
		pdpt[i] = builder_pd_gpa(i) | 0x3;
	for (i = 0; i < nr_pds * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;	/* P, RW, PS */
	return pml4;
}

/**
 * builder_blobs() - what to write into guest memory, besides the image
 * @b: laid out by builder_layout()
 * @blob: room for %BUILDER_MAX_BLOBS entries
 * @mem: set to the memory the blobs point into; free() it after writing
 *
 * Return: the number of blobs, or -ENOMEM.
 */
int builder_blobs(const struct builder *b, struct builder_blob *blob,
		  void **mem)
{
	size_t tables = 0, pages;
	uint64_t *pt = NULL;
	uint8_t *flag;
	uint64_t *gdt;
	int n = 0;

	if (b->mode == BUILDER_LONG)
		tables = (2 + b->nr_pds) * BUILDER_PAGE;
	*mem = malloc(tables + BUILDER_GDT_ENTRIES * 8 + 8);
	if (!*mem)
		return -ENOMEM;
	if (tables) {
		pt = builder_page_tables(b->nr_pds);
		if (!pt) {
			free(*mem);
			*mem = NULL;
			return -ENOMEM;
		}
		memcpy(*mem, pt, tables);
		free(pt);
	}
	gdt = (uint64_t *)((char *)*mem + tables);
	flag = (uint8_t *)(gdt + BUILDER_GDT_ENTRIES);
	builder_gdt(gdt);
	*flag = b->vendor == TANDEM_VENDOR_INTEL ? BUILDER_HC_VMCALL :
						   BUILDER_HC_VMMCALL;

	blob[n++] = (struct builder_blob){ BUILDER_GDT_GPA,
		BUILDER_GDT_ENTRIES * 8, gdt, "GDT" };
	if (tables) {
		pages = 2 + (b->nr_pds < BUILDER_LOW_PDS ? b->nr_pds :
							  BUILDER_LOW_PDS);
		blob[n++] = (struct builder_blob){ BUILDER_PML4_GPA,
			pages * BUILDER_PAGE, *mem, "page tables" };
		if (b->nr_pds > BUILDER_LOW_PDS)
			blob[n++] = (struct builder_blob){ BUILDER_PD_HIGH_GPA,
				(b->nr_pds - BUILDER_LOW_PDS) * BUILDER_PAGE,
				(char *)*mem + pages * BUILDER_PAGE,
				"page directories above 4 GiB" };
	}
	blob[n++] = (struct builder_blob){ BUILDER_BOOT_GPA, 1, flag,
		"boot page" };
	return n;
}

static struct tandem_segment seg(uint16_t sel, uint64_t base, uint32_t limit,
				 uint16_t attrib)
{
	struct tandem_segment s = {
		.base = base, .limit = limit, .selector = sel, .attrib = attrib,
	};

	return s;
}

/**
 * builder_regs() - vCPU 0's registers for the laid-out guest
 * @b: laid out by builder_layout()
 * @r: the registers (every field written)
 */
void builder_regs(const struct builder *b, struct tandem_vcpu_regs *r)
{
	struct tandem_segment data;

	memset(r, 0, sizeof(*r));
	r->rflags = 0x2;			/* reserved bit 1, IF clear */
	r->gprs[4] = BUILDER_STACK_TOP;		/* RSP */
	r->tr = seg(0, 0, 0x67, 0x8b);		/* busy 32-bit TSS */
	r->ldtr = seg(0, 0, 0xffff, 0x82);
	r->gdt.base = BUILDER_GDT_GPA;
	r->gdt.limit = BUILDER_GDT_ENTRIES * 8 - 1;
	r->cr0 = 0x10;				/* ET */

	switch (b->mode) {
	case BUILDER_REAL:
		r->cs = seg(b->load >> 4, b->load, 0xffff, 0x9b);
		data = seg(0, 0, 0xffff, 0x93);
		r->rip = b->entry - b->load;
		r->idt.limit = 0x3ff;		/* the IVT at 0 */
		break;
	case BUILDER_PROTECTED:
		r->cs = seg(0x08, 0, 0xffffffff, 0xc9b);
		data = seg(0x10, 0, 0xffffffff, 0xc93);
		r->rip = b->entry;
		r->cr0 |= 0x1;			/* PE */
		break;
	default:
		r->cs = seg(0x18, 0, 0xffffffff, 0xa9b);
		data = seg(0x10, 0, 0xffffffff, 0xc93);
		r->rip = b->entry;
		r->cr0 |= 0x80000001;		/* PG, PE */
		r->cr4 = 0x20;			/* PAE */
		r->cr3 = BUILDER_PML4_GPA;
		r->efer = 0x500;		/* LME, LMA */
		break;
	}
	r->ds = data;
	r->es = data;
	r->fs = data;
	r->gs = data;
	r->ss = data;
}
