// SPDX-License-Identifier: GPL-2.0
/*
 * A Linux guest by the x86 boot protocol, 64-bit entry
 * (Documentation/x86/boot.rst: "The Real-Mode Kernel Header", "Details of
 * Header Fields", "64-bit Boot Protocol").
 *
 * The builder plays the part of a boot loader: it checks the setup header,
 * copies it into a zeroed boot_params, fills in what a loader must (memory
 * map, command line, initrd, loader type, flags), loads the protected-mode
 * kernel, and starts vCPU 0 directly in 64-bit mode at startup_64 with
 * the GDT and identity page tables the protocol asks for. The real-mode
 * setup code never runs, so no BIOS is needed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "bzimage.h"
#include "le.h"

#define MiB	(1ULL << 20)
#define GiB	(1ULL << 30)
#define PAGE	4096ULL

/* Page-table entry bits (SDM Vol. 3 4.5). */
#define PTE_P	0x001ULL
#define PTE_RW	0x002ULL
#define PTE_PS	0x080ULL

/* Control registers for the 64-bit entry. */
#define CR0_PE		(1ULL << 0)
#define CR0_MP		(1ULL << 1)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

/* The boot protocol's selectors (boot.rst, 64-bit Boot Protocol). */
#define BOOT_CS		0x10
#define BOOT_DS		0x18

/* Where the 64-bit entry is, from the protected-mode kernel's start. */
#define STARTUP_64	0x200

/* Packed segment attributes (struct tandem_segment): type, S, P, L/DB, G. */
#define SEG_CODE64	0xa9b	/* exec/read, accessed, S, P, L, G */
#define SEG_DATA	0xc93	/* read/write, accessed, S, P, DB, G */
#define SEG_TSS64	0x08b	/* busy 64-bit TSS, P */
#define SEG_LDT		0x082	/* LDT, P: never loaded, valid shape */

/* The same as GDT descriptors (SDM Vol. 3 3.4.5). */
#define GDT_CODE64	0x00af9b000000ffffULL
#define GDT_DATA	0x00cf93000000ffffULL
#define GDT_ENTRIES	4

static int bz_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bz_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/* "2.15" from 0x020f */
static const char *version_str(uint16_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%02u", v >> 8, v & 0xff);
	return buf;
}

/**
 * bzimage_parse() - check a bzImage's setup header and read it
 * @img: the file's bytes
 * @len: the file's size
 * @bz: what the header says
 * @err: the reason when the image is refused
 * @errlen: size of @err
 *
 * An image is accepted when it has the boot flag and the "HdrS" magic, a
 * boot protocol of at least 2.12 announcing a 64-bit entry point
 * (XLF_KERNEL_64), loads high (a bzImage, not a zImage), and the file
 * holds the setup and protected-mode code its header counts.
 *
 * Return: 0, or -EINVAL with @err saying why.
 */
int bzimage_parse(const void *img, size_t len, struct bzimage *bz,
		  char *err, size_t errlen)
{
	const uint8_t *p = img;
	unsigned int sects;
	size_t vlen, voff;
	char v[8], w[8];

	memset(bz, 0, sizeof(*bz));
	if (len < BZ_HEADER + 4 + 2)
		return bz_fail(err, errlen,
			       "truncated: %zu bytes, shorter than a setup header (%u)",
			       len, BZ_HEADER + 6);
	if (le_get16(p, BZ_BOOT_FLAG) != BZ_BOOT_FLAG_MAGIC)
		return bz_fail(err, errlen,
			       "bad magic: no boot flag 0xAA55 at 0x1fe (found 0x%04x): not a Linux kernel image",
			       le_get16(p, BZ_BOOT_FLAG));
	if (le_get32(p, BZ_HEADER) != BZ_HEADER_MAGIC)
		return bz_fail(err, errlen,
			       "bad magic: no \"HdrS\" at 0x202: not a bzImage, or a kernel older than boot protocol 2.00");
	bz->version = le_get16(p, BZ_VERSION);
	if (bz->version < BZ_MIN_VERSION)
		return bz_fail(err, errlen,
			       "boot protocol %s is too old: the 64-bit entry needs %s or later",
			       version_str(bz->version, v, sizeof(v)),
			       version_str(BZ_MIN_VERSION, w, sizeof(w)));
	bz->header_end = 0x202 + p[BZ_JUMP + 1];
	if (bz->header_end < BZ_INIT_SIZE + 4)
		return bz_fail(err, errlen,
			       "bad setup header: it ends at 0x%zx, protocol %s needs it to reach 0x%x",
			       bz->header_end,
			       version_str(bz->version, v, sizeof(v)),
			       BZ_INIT_SIZE + 4);
	if (len < bz->header_end)
		return bz_fail(err, errlen,
			       "truncated: %zu bytes, the setup header ends at %zu",
			       len, bz->header_end);

	sects = p[BZ_SETUP_SECTS] ? p[BZ_SETUP_SECTS] : 4;
	bz->setup_size = (sects + 1) * 512;
	bz->kernel_off = bz->setup_size;
	bz->kernel_len = (size_t)le_get32(p, BZ_SYSSIZE) * 16;
	bz->loadflags = p[BZ_LOADFLAGS];
	bz->xloadflags = le_get16(p, BZ_XLOADFLAGS);
	bz->relocatable = p[BZ_RELOCATABLE];
	bz->alignment = le_get32(p, BZ_KERNEL_ALIGNMENT);
	bz->pref_address = le_get64(p, BZ_PREF_ADDRESS);
	bz->init_size = le_get32(p, BZ_INIT_SIZE);
	bz->initrd_addr_max = le_get32(p, BZ_INITRD_ADDR_MAX);
	bz->cmdline_size = le_get32(p, BZ_CMDLINE_SIZE);

	if (!(bz->xloadflags & BZ_XLF_KERNEL_64))
		return bz_fail(err, errlen,
			       "no 64-bit entry point: XLF_KERNEL_64 is clear in xloadflags (0x%04x); a 32-bit kernel cannot be booted",
			       bz->xloadflags);
	if (!(bz->loadflags & BZ_LOADED_HIGH))
		return bz_fail(err, errlen,
			       "not a bzImage: LOADED_HIGH is clear (a zImage loads at 0x10000)");
	if (len < bz->setup_size)
		return bz_fail(err, errlen,
			       "truncated: %zu bytes, the real-mode setup alone is %zu",
			       len, bz->setup_size);
	if (!bz->kernel_len)
		return bz_fail(err, errlen,
			       "bad setup header: syssize is 0, no protected-mode kernel");
	if (len - bz->kernel_off < bz->kernel_len)
		return bz_fail(err, errlen,
			       "truncated: %zu bytes, the header counts %zu (setup %zu + kernel %zu)",
			       len, bz->kernel_off + bz->kernel_len,
			       bz->setup_size, bz->kernel_len);
	if (bz->relocatable && (!bz->alignment ||
				(bz->alignment & (bz->alignment - 1))))
		return bz_fail(err, errlen,
			       "bad setup header: kernel_alignment 0x%x is not a power of two",
			       bz->alignment);
	if (!bz->relocatable && bz->pref_address < LB_KERNEL_GPA)
		return bz_fail(err, errlen,
			       "not relocatable, and its pref_address 0x%llx is below 1 MiB",
			       (unsigned long long)bz->pref_address);
	if (!bz->init_size)
		return bz_fail(err, errlen, "bad setup header: init_size is 0");

	/* kernel_version: offset - 0x200 of a string inside the setup. */
	voff = le_get16(p, BZ_KERNEL_VERSION);
	if (voff) {
		voff += 0x200;
		if (voff < bz->setup_size) {
			vlen = strnlen((const char *)p + voff,
				       bz->setup_size - voff);
			if (vlen >= sizeof(bz->kernel_version))
				vlen = sizeof(bz->kernel_version) - 1;
			memcpy(bz->kernel_version, p + voff, vlen);
		}
	}
	return 0;
}

/**
 * linux_image_parse() - read a kernel image, a bzImage or an ELF vmlinux
 * @img: the file's bytes
 * @len: the file's size
 * @bz: what it says (see bzimage_parse() and vmlinux_parse())
 * @err: the reason when the image is refused
 * @errlen: size of @err
 *
 * Return: 0, or -EINVAL with @err saying why.
 */
int linux_image_parse(const void *img, size_t len, struct bzimage *bz,
		      char *err, size_t errlen)
{
	if (vmlinux_is_elf(img, len))
		return vmlinux_parse(img, len, bz, err, errlen);
	return bzimage_parse(img, len, bz, err, errlen);
}

static void e820_add(uint8_t *bp, uint64_t addr, uint64_t size,
		     uint32_t type)
{
	size_t off = BP_E820_TABLE + 20 * bp[BP_E820_ENTRIES];

	le_put64(bp, off, addr);
	le_put64(bp, off + 8, size);
	le_put32(bp, off + 16, type);
	bp[BP_E820_ENTRIES]++;
}

/*
 * The memory map (sorted, no overlaps): RAM below 640 KiB up to the
 * EBDA, the BIOS area (ACPI tables) reserved, RAM from 1 MiB to the end,
 * and the I/O APIC and local APIC pages reserved.
 */
static void e820_build(uint8_t *bp, uint64_t memory)
{
	e820_add(bp, 0, LB_EBDA_GPA, E820_RAM);
	e820_add(bp, LB_EBDA_GPA, LB_LOW_RAM_END - LB_EBDA_GPA, E820_RESERVED);
	e820_add(bp, LB_BIOS_GPA, LB_BIOS_END - LB_BIOS_GPA, E820_RESERVED);
	e820_add(bp, LB_BIOS_END, memory - LB_BIOS_END, E820_RAM);
	e820_add(bp, LB_IOAPIC_GPA, LB_MMIO_SIZE, E820_RESERVED);
	e820_add(bp, LB_LAPIC_GPA, LB_MMIO_SIZE, E820_RESERVED);
}

/* PML4 -> one PDPT -> one page directory per GiB, 2 MiB pages. */
static uint64_t *page_tables_build(uint64_t memory, size_t *len)
{
	uint64_t pages_2m = align_up(memory, 2 * MiB) / (2 * MiB);
	uint64_t pds = align_up(memory, GiB) / GiB, i;
	uint64_t *pt;

	*len = (2 + pds) * PAGE;
	pt = calloc(1, *len);
	if (!pt)
		return NULL;
	pt[0] = (LB_PAGE_TABLES_GPA + PAGE) | PTE_P | PTE_RW;
	for (i = 0; i < pds; i++)
		pt[512 + i] = (LB_PAGE_TABLES_GPA + (2 + i) * PAGE) |
			      PTE_P | PTE_RW;
	for (i = 0; i < pages_2m; i++)
		pt[1024 + i] = (i * 2 * MiB) | PTE_P | PTE_RW | PTE_PS;
	return pt;
}

static struct tandem_segment seg(uint16_t sel, uint32_t limit,
				 uint16_t attrib)
{
	struct tandem_segment s = {
		.base = 0, .limit = limit, .selector = sel, .attrib = attrib,
	};

	return s;
}

/* vCPU 0 at startup_64: long mode, paging on, interrupts off, RSI. */
static void regs_build(struct tandem_vcpu_regs *r, uint64_t entry)
{
	struct tandem_segment data = seg(BOOT_DS, 0xffffffff, SEG_DATA);

	memset(r, 0, sizeof(*r));
	r->rip = entry;
	r->rflags = 0x2;			/* reserved bit 1; IF clear */
	r->gprs[4] = LB_STACK_TOP;		/* RSP */
	r->gprs[6] = LB_BOOT_PARAMS_GPA;	/* RSI */
	r->cs = seg(BOOT_CS, 0xffffffff, SEG_CODE64);
	r->ds = data;
	r->es = data;
	r->ss = data;
	r->fs = data;
	r->gs = data;
	r->tr = seg(0, 0x67, SEG_TSS64);
	r->ldtr = seg(0, 0xffff, SEG_LDT);
	r->gdt.base = LB_GDT_GPA;
	r->gdt.limit = GDT_ENTRIES * 8 - 1;
	r->idt.limit = 0;
	r->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG;
	r->cr3 = LB_PAGE_TABLES_GPA;
	r->cr4 = CR4_PAE;
	r->efer = EFER_LME | EFER_LMA;
}

static void add_region(struct linux_boot *lb, uint64_t gpa, const void *data,
		       size_t len, const char *what)
{
	struct guest_region *r = &lb->region[lb->nr_regions++];

	r->gpa = gpa;
	r->data = data;
	r->len = len;
	r->what = what;
}

/*
 * An ELF vmlinux's segments, each without its trailing zero bytes: the
 * domain's RAM is zero when the builder writes it (and again at a
 * restart), and a kernel's .bss and .brk are megabytes of zeros in the
 * file.
 */
static void add_segments(struct linux_boot *lb, const uint8_t *img)
{
	unsigned int i;

	for (i = 0; i < lb->image.nr_segs; i++) {
		const struct lb_segment *s = &lb->image.seg[i];
		const uint8_t *d = img + s->off;
		size_t n = s->filesz;

		while (n && !d[n - 1])
			n--;
		if (n)
			add_region(lb, s->gpa, d, n, "kernel");
	}
}

static uint64_t mib_up(uint64_t v)
{
	return align_up(v, MiB) / MiB;
}

/* Where the kernel goes and where it will run; 0 or an error. */
static int place_kernel(const struct linux_boot_cfg *cfg,
			struct linux_boot *lb, char *err, size_t errlen)
{
	const struct bzimage *bz = &lb->image;

	if (bz->elf) {
		/* Loaded where it runs, by segment: no decompressor. */
		lb->kernel_gpa = bz->pref_address;
		lb->run_start = bz->pref_address;
	} else if (bz->relocatable) {
		lb->kernel_gpa = LB_KERNEL_GPA;
		/*
		 * The decompressor moves itself to the next kernel_alignment
		 * boundary, and never below pref_address (its
		 * LOAD_PHYSICAL_ADDR): that is where init_size counts from.
		 */
		lb->run_start = align_up(lb->kernel_gpa, bz->alignment);
		if (lb->run_start < bz->pref_address)
			lb->run_start = bz->pref_address;
	} else {
		lb->kernel_gpa = bz->pref_address;
		lb->run_start = bz->pref_address;
	}
	lb->run_end = lb->run_start + bz->init_size;
	lb->entry = bz->elf ? bz->entry : lb->kernel_gpa + STARTUP_64;
	if (lb->kernel_gpa + bz->kernel_len > cfg->memory ||
	    lb->run_end > cfg->memory)
		return bz_fail(err, errlen,
			       "does not fit in memory: the kernel needs %llu MiB (it runs at 0x%llx and needs init_size %llu MiB from there), the domain has %llu MiB",
			       (unsigned long long)mib_up(lb->run_end),
			       (unsigned long long)lb->run_start,
			       (unsigned long long)mib_up(bz->init_size),
			       (unsigned long long)(cfg->memory / MiB));
	return 0;
}

/* The initrd at the top of what it may use, page-aligned; 0 or error. */
static int place_initrd(const struct linux_boot_cfg *cfg,
			struct linux_boot *lb, char *err, size_t errlen)
{
	const struct bzimage *bz = &lb->image;
	uint64_t top = (uint64_t)bz->initrd_addr_max + 1, low;

	if (top > cfg->memory)
		top = cfg->memory;
	low = lb->run_end;
	if (lb->kernel_gpa + bz->kernel_len > low)
		low = lb->kernel_gpa + bz->kernel_len;
	low = align_up(low, PAGE);
	if (cfg->initrd_len > top || (top - cfg->initrd_len) / PAGE * PAGE < low)
		return bz_fail(err, errlen,
			       "initrd does not fit in memory: %llu MiB must lie between the kernel's end at 0x%llx and 0x%llx (initrd_addr_max or the end of memory)",
			       (unsigned long long)mib_up(cfg->initrd_len),
			       (unsigned long long)low,
			       (unsigned long long)top);
	lb->initrd_gpa = (top - cfg->initrd_len) / PAGE * PAGE;
	return 0;
}

static void boot_params_build(const struct linux_boot_cfg *cfg,
			      struct linux_boot *lb)
{
	const uint8_t *img = cfg->kernel;
	uint8_t *bp = lb->boot_params;
	size_t end = lb->image.header_end;

	if (lb->image.elf) {
		/*
		 * No setup header in the file: the one a 2.15 bzImage would
		 * have, as far as the kernel proper reads it.
		 */
		le_put16(bp, BZ_BOOT_FLAG, BZ_BOOT_FLAG_MAGIC);
		le_put32(bp, BZ_HEADER, BZ_HEADER_MAGIC);
		le_put16(bp, BZ_VERSION, lb->image.version);
		le_put32(bp, BZ_KERNEL_ALIGNMENT, 2 * MiB);
		le_put16(bp, BZ_XLOADFLAGS, lb->image.xloadflags);
		le_put32(bp, BZ_INITRD_ADDR_MAX, lb->image.initrd_addr_max);
		le_put32(bp, BZ_CMDLINE_SIZE, lb->image.cmdline_size);
		le_put64(bp, BZ_PREF_ADDRESS, lb->image.pref_address);
		le_put32(bp, BZ_INIT_SIZE, lb->image.init_size);
	} else {
		/*
		 * boot.rst: copy the setup header from 0x1f1 to its end;
		 * never past 0x290, where boot_params goes on with fields
		 * of its own.
		 */
		if (end > BP_HDR_LIMIT)
			end = BP_HDR_LIMIT;
		memcpy(bp + BZ_SETUP_SECTS, img + BZ_SETUP_SECTS,
		       end - BZ_SETUP_SECTS);
	}
	le_put16(bp, BZ_VID_MODE, 0xffff);		/* "normal" */
	bp[BZ_TYPE_OF_LOADER] = 0xff;		/* no assigned ID */
	/* Loaded high, heap usable; no QUIET, no KEEP_SEGMENTS. */
	bp[BZ_LOADFLAGS] = BZ_LOADED_HIGH | BZ_CAN_USE_HEAP;
	/* End of setup heap/stack (0xe000) - 0x200, as boot.rst suggests. */
	le_put16(bp, BZ_HEAP_END_PTR, 0xe000 - 0x200);
	le_put32(bp, BZ_CODE32_START, lb->kernel_gpa);
	le_put32(bp, BZ_CMD_LINE_PTR, LB_CMDLINE_GPA);
	le_put32(bp, BP_EXT_CMD_LINE_PTR, LB_CMDLINE_GPA >> 32);
	le_put32(bp, BZ_HARDWARE_SUBARCH, 0);	/* a normal PC */
	le_put64(bp, BZ_HARDWARE_SUBARCH + 4, 0);
	if (cfg->initrd_len) {
		le_put32(bp, BZ_RAMDISK_IMAGE, lb->initrd_gpa);
		le_put32(bp, BZ_RAMDISK_SIZE, cfg->initrd_len);
		le_put32(bp, BP_EXT_RAMDISK_IMAGE, lb->initrd_gpa >> 32);
		le_put32(bp, BP_EXT_RAMDISK_SIZE, (uint64_t)cfg->initrd_len >> 32);
	}
	le_put64(bp, BP_ACPI_RSDP_ADDR, LB_BIOS_GPA);
	e820_build(bp, cfg->memory);
}

/**
 * linux_boot_build() - lay out a Linux guest for the 64-bit entry point
 * @cfg: the kernel, initrd, command line, memory size and vCPU count
 * @lb: the result: regions to write (in order) and vCPU 0's registers;
 *	free it with linux_boot_free(), also after a failure
 * @err: the reason when the guest cannot be built
 * @errlen: size of @err
 *
 * Return: 0, -EINVAL with @err saying why, or -ENOMEM.
 */
int linux_boot_build(const struct linux_boot_cfg *cfg, struct linux_boot *lb,
		     char *err, size_t errlen)
{
	const char *cmdline = cfg->cmdline ? cfg->cmdline : "";
	size_t cmdline_len = strlen(cmdline), pt_len, acpi_len;
	int ret;

	memset(lb, 0, sizeof(*lb));
	ret = linux_image_parse(cfg->kernel, cfg->kernel_len, &lb->image, err,
				errlen);
	if (ret)
		return ret;
	if (cfg->memory > LB_MEM_MAX)
		return bz_fail(err, errlen,
			       "does not fit in memory: %llu MiB of RAM would reach the I/O APIC at 0xfec00000; a Linux guest has at most %llu MiB",
			       (unsigned long long)(cfg->memory / MiB),
			       (unsigned long long)(LB_MEM_MAX / MiB));
	if (cfg->memory % PAGE || cfg->memory < 2 * LB_BIOS_END)
		return bz_fail(err, errlen,
			       "does not fit in memory: %llu bytes of RAM (need a multiple of 4 KiB, at least 2 MiB)",
			       (unsigned long long)cfg->memory);
	if (!cfg->vcpus || cfg->vcpus > TANDEM_MAX_VCPUS)
		return bz_fail(err, errlen, "%u vCPUs: expected 1 to %d",
			       cfg->vcpus, TANDEM_MAX_VCPUS);
	if (cmdline_len > lb->image.cmdline_size ||
	    cmdline_len >= LB_CMDLINE_MAX)
		return bz_fail(err, errlen,
			       "command line too long: %zu bytes, the kernel takes at most %u",
			       cmdline_len, lb->image.cmdline_size);
	ret = place_kernel(cfg, lb, err, errlen);
	if (!ret && cfg->initrd_len)
		ret = place_initrd(cfg, lb, err, errlen);
	if (ret)
		return ret;

	lb->boot_params = calloc(1, BP_SIZE);
	lb->gdt = calloc(GDT_ENTRIES, sizeof(*lb->gdt));
	lb->cmdline = strdup(cmdline);
	lb->acpi = calloc(1, ACPI_TABLES_MAX);
	lb->page_tables = page_tables_build(cfg->memory, &pt_len);
	if (!lb->boot_params || !lb->gdt || !lb->cmdline || !lb->acpi ||
	    !lb->page_tables) {
		bz_fail(err, errlen, "out of memory");
		return -ENOMEM;
	}
	acpi_len = acpi_build_devices(lb->acpi, ACPI_TABLES_MAX, LB_BIOS_GPA,
				      cfg->vcpus, cfg->vmmio, cfg->nr_vmmio);
	if (!acpi_len)
		return bz_fail(err, errlen,
			       "cannot build ACPI tables for %u vCPUs and %u virtio-mmio devices",
			       cfg->vcpus, cfg->nr_vmmio);

	/* Null, null, __BOOT_CS (0x10), __BOOT_DS (0x18). */
	lb->gdt[BOOT_CS / 8] = GDT_CODE64;
	lb->gdt[BOOT_DS / 8] = GDT_DATA;
	boot_params_build(cfg, lb);
	regs_build(&lb->regs, lb->entry);

	add_region(lb, LB_GDT_GPA, lb->gdt, GDT_ENTRIES * 8, "GDT");
	add_region(lb, LB_BOOT_PARAMS_GPA, lb->boot_params, BP_SIZE,
		   "boot_params");
	add_region(lb, LB_PAGE_TABLES_GPA, lb->page_tables, pt_len,
		   "page tables");
	add_region(lb, LB_CMDLINE_GPA, lb->cmdline, cmdline_len + 1,
		   "command line");
	add_region(lb, LB_BIOS_GPA, lb->acpi, acpi_len, "ACPI tables");
	if (lb->image.elf)
		add_segments(lb, cfg->kernel);
	else
		add_region(lb, lb->kernel_gpa,
			   (const uint8_t *)cfg->kernel + lb->image.kernel_off,
			   lb->image.kernel_len, "kernel");
	if (cfg->initrd_len)
		add_region(lb, lb->initrd_gpa, cfg->initrd, cfg->initrd_len,
			   "initrd");
	return 0;
}

/**
 * linux_boot_free() - free what linux_boot_build() allocated
 * @lb: the guest; its regions point at freed memory afterwards
 */
void linux_boot_free(struct linux_boot *lb)
{
	free(lb->boot_params);
	free(lb->gdt);
	free(lb->page_tables);
	free(lb->cmdline);
	free(lb->acpi);
	memset(lb, 0, sizeof(*lb));
}
