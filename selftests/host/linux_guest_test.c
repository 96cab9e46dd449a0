// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the Linux guest builder: the x86 boot protocol on the
 * build machine's Debian kernel (/boot/vmlinuz-*-amd64) and on damaged
 * copies of it, a synthetic bzImage (not relocatable), the same kernel
 * uncompressed (an ELF vmlinux, extracted here with the lab's
 * extract-vmlinux.sh) and synthetic ELF kernels, the ACPI tables,
 * and the domain configuration files with every kind of error. Prints
 * TAP; exits non-zero when a case fails.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acpi.h"
#include "bzimage.h"
#include "le.h"
#include "domcfg.h"
#include "tap.h"

#define MiB	(1ULL << 20)



/* The Debian kernel of the build machine, loaded once. */
static uint8_t *vmlinuz;
static size_t vmlinuz_len;
static char vmlinuz_path[256];

static void load_vmlinuz(void)
{
	glob_t g;
	FILE *f;

	if (glob("/boot/vmlinuz-*-amd64", 0, NULL, &g) || !g.gl_pathc)
		return;
	snprintf(vmlinuz_path, sizeof(vmlinuz_path), "%s",
		 g.gl_pathv[g.gl_pathc - 1]);
	globfree(&g);
	f = fopen(vmlinuz_path, "rb");
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	vmlinuz_len = ftell(f);
	rewind(f);
	vmlinuz = malloc(vmlinuz_len);
	if (!vmlinuz || fread(vmlinuz, 1, vmlinuz_len, f) != vmlinuz_len) {
		free(vmlinuz);
		vmlinuz = NULL;
	}
	fclose(f);
}

/* The same kernel uncompressed, extracted by the lab's script. */
static uint8_t *vmlinux;
static size_t vmlinux_len;

static void load_vmlinux(void)
{
	char exe[512], cmd[1400], *slash;
	char tmp[] = "/tmp/tandem-vmlinux.XXXXXX";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int fd;
	FILE *f;

	if (!vmlinuz || n <= 0)
		return;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return;
	*slash = '\0';
	fd = mkstemp(tmp);
	if (fd < 0)
		return;
	close(fd);
	snprintf(cmd, sizeof(cmd), "'%s/../lab/extract-vmlinux.sh' '%s' '%s'",
		 exe, vmlinuz_path, tmp);
	if (system(cmd) == 0) {
		f = fopen(tmp, "rb");
		if (f) {
			fseek(f, 0, SEEK_END);
			vmlinux_len = ftell(f);
			rewind(f);
			vmlinux = malloc(vmlinux_len);
			if (vmlinux &&
			    fread(vmlinux, 1, vmlinux_len, f) != vmlinux_len) {
				free(vmlinux);
				vmlinux = NULL;
			}
			fclose(f);
		}
	}
	unlink(tmp);
}

static bool need_vmlinuz(void)
{
	if (!vmlinuz)
		skip_reason = "no readable /boot/vmlinuz-*-amd64 on this machine";
	return vmlinuz != NULL;
}

/* A guest as the tests build it: 256 MiB, 2 vCPUs, a 3 MiB initrd. */
static uint8_t *test_initrd;
#define TEST_INITRD_LEN	(3 * MiB + 123)
#define TEST_CMDLINE	"console=ttyS0 root=/dev/vda ro"

static int build(const void *img, size_t len, uint64_t memory,
		 struct linux_boot *lb, char *err)
{
	struct linux_boot_cfg cfg = {
		.memory = memory, .vcpus = 2, .kernel = img, .kernel_len = len,
		.initrd = test_initrd, .initrd_len = TEST_INITRD_LEN,
		.cmdline = TEST_CMDLINE,
	};

	err[0] = 0;
	return linux_boot_build(&cfg, lb, err, BZ_ERR_MAX);
}

/* Guest memory as the regions would leave it: read @len bytes at @gpa. */
static bool guest_read(const struct linux_boot *lb, uint64_t gpa, void *out,
		       size_t len)
{
	unsigned int i;

	for (i = 0; i < lb->nr_regions; i++) {
		const struct guest_region *r = &lb->region[i];

		if (gpa >= r->gpa && gpa + len <= r->gpa + r->len) {
			memcpy(out, (const uint8_t *)r->data + (gpa - r->gpa),
			       len);
			return true;
		}
	}
	return false;
}

/* Walk the guest's page tables from CR3; -1 when not mapped. */
static int64_t translate(const struct linux_boot *lb, uint64_t va)
{
	uint64_t table = lb->regs.cr3, e = 0;
	int level;

	for (level = 3; level >= 1; level--) {
		unsigned int idx = (va >> (12 + 9 * level)) & 511;

		if (!guest_read(lb, (table & ~0xfffULL) + idx * 8, &e, 8) ||
		    !(e & 1))
			return -1;
		if (level == 1) {
			if (!(e & 0x80))
				return -1;	/* only 2 MiB pages expected */
			return (e & ~0x1fffffULL & ((1ULL << 52) - 1)) |
			       (va & 0x1fffff);
		}
		if (e & 0x80)
			return -1;
		table = e & ((1ULL << 52) - 1) & ~0xfffULL;
	}
	return -1;
}

/* bzImage ----------------------------------------------------------------- */

static void test_real_bzimage_header_is_accepted(void)
{
	struct bzimage bz;
	char err[BZ_ERR_MAX] = "";
	int ret;

	if (!need_vmlinuz())
		return;
	ret = bzimage_parse(vmlinuz, vmlinuz_len, &bz, err, sizeof(err));
	EXPECT(ret == 0, "%s: %s", vmlinuz_path, err);
	if (ret)
		return;
	printf("# %s: protocol %u.%02u, Linux %s, init_size %u MiB\n",
	       vmlinuz_path, bz.version >> 8, bz.version & 0xff,
	       bz.kernel_version, bz.init_size >> 20);
	EXPECT(bz.version >= 0x020c, "version 0x%x", bz.version);
	EXPECT(bz.xloadflags & BZ_XLF_KERNEL_64, "xloadflags 0x%x",
	       bz.xloadflags);
	EXPECT(bz.relocatable, "Debian's kernel is relocatable");
	EXPECT(bz.kernel_off == (vmlinuz[0x1f1] + 1) * 512ULL,
	       "kernel at %zu", bz.kernel_off);
	EXPECT(bz.kernel_off + bz.kernel_len <= vmlinuz_len, "kernel length");
	EXPECT(strlen(bz.kernel_version) > 0, "a version string");
}

static void test_real_bzimage_entry_is_1mib_plus_0x200(void)
{
	char err[BZ_ERR_MAX];
	struct linux_boot lb;
	const struct tandem_vcpu_regs *r = &lb.regs;
	uint64_t gdt[4] = { 0 };
	int ret;

	if (!need_vmlinuz())
		return;
	ret = build(vmlinuz, vmlinuz_len, 256 * MiB, &lb, err);
	EXPECT(ret == 0, "%s", err);
	if (ret)
		goto out;
	EXPECT(lb.kernel_gpa == 0x100000, "kernel at 0x%llx",
	       (unsigned long long)lb.kernel_gpa);
	EXPECT(lb.entry == 0x100200 && r->rip == 0x100200, "rip 0x%llx",
	       (unsigned long long)r->rip);
	EXPECT(r->gprs[6] == LB_BOOT_PARAMS_GPA, "rsi 0x%llx",
	       (unsigned long long)r->gprs[6]);
	EXPECT(r->cs.selector == 0x10 && r->cs.attrib == 0xa9b,
	       "cs %#x attrib %#x", r->cs.selector, r->cs.attrib);
	EXPECT(r->ds.selector == 0x18 && r->es.selector == 0x18 &&
	       r->ss.selector == 0x18, "data selectors");
	EXPECT(r->ds.limit == 0xffffffff && r->ds.base == 0 &&
	       r->ds.attrib == 0xc93, "flat 4G data");
	EXPECT((r->cr0 & 0x80000001) == 0x80000001, "cr0 %#llx",
	       (unsigned long long)r->cr0);
	EXPECT(r->cr4 & 0x20, "cr4 PAE");
	EXPECT((r->efer & 0x500) == 0x500, "efer LME|LMA");
	EXPECT(!(r->rflags & 0x200), "interrupts disabled");
	EXPECT(r->gdt.base == LB_GDT_GPA && r->gdt.limit >= 0x1f,
	       "gdtr %#llx/%#x", (unsigned long long)r->gdt.base,
	       r->gdt.limit);
	EXPECT(guest_read(&lb, r->gdt.base, gdt, sizeof(gdt)), "GDT written");
	/* __BOOT_CS: present, code, L=1; __BOOT_DS: present, data, flat. */
	EXPECT(gdt[2] == 0x00af9b000000ffffULL, "gdt[2] %#llx",
	       (unsigned long long)gdt[2]);
	EXPECT(gdt[3] == 0x00cf93000000ffffULL, "gdt[3] %#llx",
	       (unsigned long long)gdt[3]);
out:
	linux_boot_free(&lb);
}

static void test_real_boot_params_are_filled_in(void)
{
	uint8_t bp[BP_SIZE];
	char err[BZ_ERR_MAX], cmdline[sizeof(TEST_CMDLINE) + 1];
	struct linux_boot lb;
	uint64_t rsdp;
	int ret;

	if (!need_vmlinuz())
		return;
	ret = build(vmlinuz, vmlinuz_len, 256 * MiB, &lb, err);
	EXPECT(ret == 0, "%s", err);
	if (ret || !guest_read(&lb, LB_BOOT_PARAMS_GPA, bp, sizeof(bp))) {
		EXPECT(0, "boot_params not written");
		goto out;
	}
	EXPECT(le_get16(bp, BZ_BOOT_FLAG) == 0xaa55, "setup header copied");
	EXPECT(le_get32(bp, BZ_HEADER) == BZ_HEADER_MAGIC, "HdrS copied");
	/* Copied as it is, but for the fields a loader writes. */
	EXPECT(!memcmp(bp + 0x1f1, vmlinuz + 0x1f1, BZ_VID_MODE - 0x1f1) &&
	       !memcmp(bp + 0x1fc, vmlinuz + 0x1fc, BZ_TYPE_OF_LOADER - 0x1fc) &&
	       !memcmp(bp + BZ_XLOADFLAGS, vmlinuz + BZ_XLOADFLAGS, 2) &&
	       !memcmp(bp + BZ_PREF_ADDRESS, vmlinuz + BZ_PREF_ADDRESS, 12),
	       "setup header copied");
	EXPECT(bp[0x1ef] == 0, "sentinel clear");
	EXPECT(bp[BZ_TYPE_OF_LOADER] == 0xff, "type_of_loader %#x",
	       bp[BZ_TYPE_OF_LOADER]);
	EXPECT(bp[BZ_LOADFLAGS] == (BZ_LOADED_HIGH | BZ_CAN_USE_HEAP),
	       "loadflags %#x", bp[BZ_LOADFLAGS]);
	EXPECT(le_get16(bp, BZ_HEAP_END_PTR) == 0xde00, "heap_end_ptr %#x",
	       le_get16(bp, BZ_HEAP_END_PTR));
	EXPECT(le_get16(bp, BZ_VID_MODE) == 0xffff, "vid_mode");
	EXPECT(le_get32(bp, BZ_HARDWARE_SUBARCH) == 0, "hardware_subarch");
	EXPECT(le_get32(bp, BZ_CMD_LINE_PTR) == LB_CMDLINE_GPA &&
	       le_get32(bp, BP_EXT_CMD_LINE_PTR) == 0, "cmd_line_ptr");
	rsdp = le_get64(bp, BP_ACPI_RSDP_ADDR);
	EXPECT(rsdp == LB_BIOS_GPA, "acpi_rsdp_addr %#llx",
	       (unsigned long long)rsdp);
	memset(cmdline, 'x', sizeof(cmdline));
	EXPECT(guest_read(&lb, LB_CMDLINE_GPA, cmdline, sizeof(TEST_CMDLINE)),
	       "command line written");
	EXPECT(!memcmp(cmdline, TEST_CMDLINE, sizeof(TEST_CMDLINE)),
	       "command line NUL-terminated: '%.*s'",
	       (int)sizeof(TEST_CMDLINE), cmdline);
	{
		char rsd[8];

		EXPECT(guest_read(&lb, rsdp, rsd, 8) &&
		       !memcmp(rsd, "RSD PTR ", 8), "RSDP at acpi_rsdp_addr");
	}
out:
	linux_boot_free(&lb);
}

static void test_real_e820_sorted_and_sane(void)
{
	uint64_t prev_end = 0, ram = 0, mem = 256 * MiB;
	bool low_ram = false, high_ram = false, ioapic = false, lapic = false;
	uint8_t bp[BP_SIZE];
	char err[BZ_ERR_MAX];
	struct linux_boot lb;
	unsigned int i, n;

	if (!need_vmlinuz())
		return;
	if (build(vmlinuz, vmlinuz_len, mem, &lb, err) ||
	    !guest_read(&lb, LB_BOOT_PARAMS_GPA, bp, sizeof(bp))) {
		EXPECT(0, "build: %s", err);
		goto out;
	}
	n = bp[BP_E820_ENTRIES];
	EXPECT(n >= 4 && n <= BP_E820_MAX, "%u entries", n);
	for (i = 0; i < n; i++) {
		size_t off = BP_E820_TABLE + 20 * i;
		uint64_t a = le_get64(bp, off), s = le_get64(bp, off + 8);
		uint32_t t = le_get32(bp, off + 16);

		printf("# e820 %#011llx-%#011llx %s\n", (unsigned long long)a,
		       (unsigned long long)(a + s - 1), t == 1 ? "RAM" :
		       t == 2 ? "reserved" : "?");
		EXPECT(s > 0, "entry %u empty", i);
		EXPECT(i == 0 || a >= prev_end, "entry %u overlaps or is out of order", i);
		EXPECT(t == E820_RAM || t == E820_RESERVED, "type %u", t);
		prev_end = a + s;
		if (t == E820_RAM) {
			ram += s;
			EXPECT(a + s <= mem, "RAM beyond memory");
			EXPECT(a >= 0x100000 || a + s <= 0xa0000,
			       "RAM in the 640K-1M hole");
			if (a == 0 && s >= 0x9f000)
				low_ram = true;
			if (a == 0x100000 && a + s == mem)
				high_ram = true;
		} else {
			if (a <= LB_IOAPIC_GPA && a + s >= LB_IOAPIC_GPA + 0x1000)
				ioapic = true;
			if (a <= LB_LAPIC_GPA && a + s >= LB_LAPIC_GPA + 0x1000)
				lapic = true;
		}
	}
	EXPECT(low_ram, "RAM from 0 to about 640K");
	EXPECT(high_ram, "RAM from 1 MiB to the end of memory");
	EXPECT(ioapic && lapic, "I/O APIC and LAPIC reserved");
	EXPECT(ram > mem - MiB, "RAM %llu of %llu", (unsigned long long)ram,
	       (unsigned long long)mem);
out:
	linux_boot_free(&lb);
}

static void test_real_initrd_high_and_announced(void)
{
	uint8_t bp[BP_SIZE], probe[64];
	char err[BZ_ERR_MAX];
	struct linux_boot lb;
	uint64_t gpa, mem = 256 * MiB;

	if (!need_vmlinuz())
		return;
	if (build(vmlinuz, vmlinuz_len, mem, &lb, err) ||
	    !guest_read(&lb, LB_BOOT_PARAMS_GPA, bp, sizeof(bp))) {
		EXPECT(0, "build: %s", err);
		goto out;
	}
	gpa = le_get32(bp, BZ_RAMDISK_IMAGE) |
	      (uint64_t)le_get32(bp, BP_EXT_RAMDISK_IMAGE) << 32;
	EXPECT(gpa == lb.initrd_gpa && gpa, "ramdisk_image %#llx",
	       (unsigned long long)gpa);
	EXPECT(le_get32(bp, BZ_RAMDISK_SIZE) == TEST_INITRD_LEN &&
	       le_get32(bp, BP_EXT_RAMDISK_SIZE) == 0, "ramdisk_size");
	EXPECT(!(gpa & 0xfff), "page-aligned");
	EXPECT(gpa + TEST_INITRD_LEN <= mem, "inside memory");
	EXPECT(gpa + TEST_INITRD_LEN > mem - 4096, "at the top of memory");
	EXPECT(gpa + TEST_INITRD_LEN - 1 <= le_get32(bp, BZ_INITRD_ADDR_MAX),
	       "below initrd_addr_max");
	EXPECT(gpa >= lb.run_end, "above the kernel's init_size (ends %#llx)",
	       (unsigned long long)lb.run_end);
	EXPECT(guest_read(&lb, gpa + TEST_INITRD_LEN - sizeof(probe), probe,
			  sizeof(probe)) &&
	       !memcmp(probe, test_initrd + TEST_INITRD_LEN - sizeof(probe),
		       sizeof(probe)), "initrd bytes written");
out:
	linux_boot_free(&lb);
}

static void test_real_page_tables_map_all_memory(void)
{
	uint64_t mem = 1024 * MiB + 6 * MiB, va;
	char err[BZ_ERR_MAX];
	struct linux_boot lb;
	int64_t pa;
	bool ok = true;

	if (!need_vmlinuz())
		return;
	if (build(vmlinuz, vmlinuz_len, mem, &lb, err)) {
		EXPECT(0, "build: %s", err);
		goto out;
	}
	for (va = 0; va < mem; va += 2 * MiB) {
		pa = translate(&lb, va + 0x1234);
		if (pa != (int64_t)(va + 0x1234)) {
			EXPECT(0, "va %#llx -> %lld", (unsigned long long)va,
			       (long long)pa);
			ok = false;
			break;
		}
	}
	EXPECT(ok, "identity map");
	EXPECT(translate(&lb, mem - 1) == (int64_t)(mem - 1), "last byte");
	EXPECT(translate(&lb, lb.regs.rip) == (int64_t)lb.regs.rip, "entry");
	EXPECT(translate(&lb, lb.run_end - 1) == (int64_t)(lb.run_end - 1),
	       "init_size range");
out:
	linux_boot_free(&lb);
}

static void test_real_regions_inside_memory_and_disjoint(void)
{
	char err[BZ_ERR_MAX];
	struct linux_boot lb;
	uint64_t mem = 256 * MiB;
	unsigned int i, j;

	if (!need_vmlinuz())
		return;
	if (build(vmlinuz, vmlinuz_len, mem, &lb, err)) {
		EXPECT(0, "build: %s", err);
		goto out;
	}
	EXPECT(lb.nr_regions == 7, "%u regions", lb.nr_regions);
	for (i = 0; i < lb.nr_regions; i++) {
		const struct guest_region *a = &lb.region[i];

		printf("# %-13s %#010llx %zu bytes\n", a->what,
		       (unsigned long long)a->gpa, a->len);
		EXPECT(a->len && a->gpa + a->len <= mem, "%s inside", a->what);
		for (j = i + 1; j < lb.nr_regions; j++) {
			const struct guest_region *b = &lb.region[j];

			EXPECT(a->gpa + a->len <= b->gpa ||
			       b->gpa + b->len <= a->gpa, "%s overlaps %s",
			       a->what, b->what);
		}
	}
	EXPECT(lb.region[5].data == vmlinuz + lb.image.kernel_off &&
	       lb.region[5].len == lb.image.kernel_len, "kernel bytes");
out:
	linux_boot_free(&lb);
}

/* Build a damaged copy and expect @want in the message. */
static void expect_refused(const uint8_t *img, size_t len, uint64_t mem,
			   const char *want)
{
	char err[BZ_ERR_MAX];
	struct linux_boot lb;
	int ret = build(img, len, mem, &lb, err);

	EXPECT(ret == -EINVAL && strstr(err, want),
	       "ret %d, message '%s', want '%s'", ret, err, want);
	linux_boot_free(&lb);
}

static uint8_t *copy_vmlinuz(void)
{
	uint8_t *c = malloc(vmlinuz_len);

	if (c)
		memcpy(c, vmlinuz, vmlinuz_len);
	return c;
}

static void test_damaged_bad_magic(void)
{
	uint8_t *c;

	if (!need_vmlinuz())
		return;
	c = copy_vmlinuz();
	if (!c) {
		EXPECT(0, "out of memory");
		return;
	}
	le_put16(c, BZ_BOOT_FLAG, 0);
	expect_refused(c, vmlinuz_len, 256 * MiB, "bad magic: no boot flag 0xAA55");
	memcpy(c, vmlinuz, 0x400);
	memcpy(c + BZ_HEADER, "HdrX", 4);
	expect_refused(c, vmlinuz_len, 256 * MiB, "bad magic: no \"HdrS\"");
	free(c);
}

static void test_damaged_truncated_at_several_points(void)
{
	size_t setup, cuts[6];
	unsigned int i;

	if (!need_vmlinuz())
		return;
	setup = (vmlinuz[0x1f1] + 1) * 512;
	cuts[0] = 0;
	cuts[1] = 0x100;			/* before the header */
	cuts[2] = 0x240;			/* inside the header */
	cuts[3] = setup - 1;			/* inside the setup code */
	cuts[4] = vmlinuz_len / 2;		/* inside the kernel */
	cuts[5] = setup + le_get32(vmlinuz, BZ_SYSSIZE) * 16 - 1;
	for (i = 0; i < 6; i++)
		expect_refused(vmlinuz, cuts[i], 256 * MiB, "truncated");
}

static void test_damaged_protocol_2_05_too_old(void)
{
	uint8_t *c;

	if (!need_vmlinuz())
		return;
	c = copy_vmlinuz();
	if (!c) {
		EXPECT(0, "out of memory");
		return;
	}
	le_put16(c, BZ_VERSION, 0x0205);
	expect_refused(c, vmlinuz_len, 256 * MiB,
		       "boot protocol 2.05 is too old: the 64-bit entry needs 2.12");
	free(c);
}

static void test_damaged_no_64bit_entry(void)
{
	uint8_t *c;

	if (!need_vmlinuz())
		return;
	c = copy_vmlinuz();
	if (!c) {
		EXPECT(0, "out of memory");
		return;
	}
	le_put16(c, BZ_XLOADFLAGS, le_get16(c, BZ_XLOADFLAGS) & ~BZ_XLF_KERNEL_64);
	expect_refused(c, vmlinuz_len, 256 * MiB,
		       "no 64-bit entry point: XLF_KERNEL_64 is clear");
	free(c);
}

static void test_damaged_init_size_larger_than_memory(void)
{
	uint8_t *c;

	if (!need_vmlinuz())
		return;
	c = copy_vmlinuz();
	if (!c) {
		EXPECT(0, "out of memory");
		return;
	}
	le_put32(c, BZ_INIT_SIZE, 0x40000000);	/* 1 GiB */
	expect_refused(c, vmlinuz_len, 512 * MiB, "does not fit in memory");
	free(c);
	/* The real one in too little memory, or above the I/O APIC. */
	expect_refused(vmlinuz, vmlinuz_len, 64 * MiB, "does not fit in memory");
	expect_refused(vmlinuz, vmlinuz_len, 0x100000000ULL,
		       "does not fit in memory");
}

static void test_real_initrd_too_large_is_refused(void)
{
	struct linux_boot_cfg cfg = {
		.memory = 128 * MiB, .vcpus = 1, .initrd = test_initrd,
		.initrd_len = 60 * MiB,
	};
	char err[BZ_ERR_MAX] = "";
	struct linux_boot lb;
	int ret;

	if (!need_vmlinuz())
		return;
	cfg.kernel = vmlinuz;
	cfg.kernel_len = vmlinuz_len;
	ret = linux_boot_build(&cfg, &lb, err, sizeof(err));
	EXPECT(ret == -EINVAL && strstr(err, "initrd does not fit in memory"),
	       "ret %d '%s'", ret, err);
	linux_boot_free(&lb);
}

static void test_real_command_line_too_long_is_refused(void)
{
	struct linux_boot_cfg cfg = { .memory = 256 * MiB, .vcpus = 1 };
	char err[BZ_ERR_MAX] = "", *line;
	struct linux_boot lb;
	int ret;

	if (!need_vmlinuz())
		return;
	line = malloc(5000);
	memset(line, 'a', 4999);
	line[4999] = 0;
	cfg.kernel = vmlinuz;
	cfg.kernel_len = vmlinuz_len;
	cfg.cmdline = line;
	ret = linux_boot_build(&cfg, &lb, err, sizeof(err));
	EXPECT(ret == -EINVAL && strstr(err, "command line too long"),
	       "ret %d '%s'", ret, err);
	linux_boot_free(&lb);
	free(line);
}

/*
 * A made-up bzImage: 4 setup sectors (setup_sects 0 means 4), protocol
 * 2.15, not relocatable, pref_address 6 MiB, 64 KiB of kernel.
 */
static uint8_t *synthetic(size_t *len)
{
	size_t setup = 5 * 512, kernel = 65536;
	uint8_t *p = calloc(1, setup + kernel);

	if (!p)
		return NULL;
	p[0x1f1] = 0;
	le_put32(p, BZ_SYSSIZE, kernel / 16);
	le_put16(p, BZ_BOOT_FLAG, 0xaa55);
	p[0x200] = 0xeb;
	p[0x201] = 0x6a;			/* header ends at 0x26c */
	memcpy(p + BZ_HEADER, "HdrS", 4);
	le_put16(p, BZ_VERSION, 0x020f);
	le_put16(p, BZ_KERNEL_VERSION, 0x300);
	strcpy((char *)p + 0x500, "9.9.9-test (synthetic)");
	p[BZ_LOADFLAGS] = BZ_LOADED_HIGH;
	le_put32(p, BZ_INITRD_ADDR_MAX, 0x7fffffff);
	le_put32(p, BZ_KERNEL_ALIGNMENT, 0x200000);
	p[BZ_RELOCATABLE] = 0;
	le_put16(p, BZ_XLOADFLAGS, BZ_XLF_KERNEL_64);
	le_put32(p, BZ_CMDLINE_SIZE, 255);
	le_put32(p, BZ_PREF_ADDRESS, 6 * MiB);
	le_put32(p, BZ_INIT_SIZE, 8 * MiB);
	memset(p + setup, 0x90, kernel);
	*len = setup + kernel;
	return p;
}

static void test_synthetic_fixed_kernel_loads_at_pref_address(void)
{
	char err[BZ_ERR_MAX];
	struct linux_boot lb;
	uint8_t *img;
	size_t len;
	int ret;

	img = synthetic(&len);
	if (!img)
		return;
	ret = build(img, len, 32 * MiB, &lb, err);
	EXPECT(ret == 0, "%s", err);
	if (!ret) {
		EXPECT(lb.kernel_gpa == 6 * MiB && lb.entry == 6 * MiB + 0x200,
		       "kernel %#llx entry %#llx",
		       (unsigned long long)lb.kernel_gpa,
		       (unsigned long long)lb.entry);
		EXPECT(!strcmp(lb.image.kernel_version,
			       "9.9.9-test (synthetic)"), "version '%s'",
		       lb.image.kernel_version);
		EXPECT(lb.image.kernel_off == 5 * 512, "setup_sects 0 is 4");
		EXPECT(lb.initrd_gpa >= 14 * MiB, "initrd above init_size");
	}
	linux_boot_free(&lb);
	/* A command line longer than its cmdline_size (255). */
	{
		struct linux_boot_cfg cfg = {
			.memory = 32 * MiB, .vcpus = 1, .kernel = img,
			.kernel_len = len,
		};
		char line[300];

		memset(line, 'b', 256);
		line[256] = 0;
		cfg.cmdline = line;
		ret = linux_boot_build(&cfg, &lb, err, sizeof(err));
		EXPECT(ret == -EINVAL && strstr(err, "at most 255"), "'%s'", err);
		linux_boot_free(&lb);
	}
	/* Not a bzImage: LOADED_HIGH clear. */
	img[BZ_LOADFLAGS] = 0;
	expect_refused(img, len, 32 * MiB, "not a bzImage");
	free(img);
}

/* ACPI -------------------------------------------------------------------- */

static uint8_t acpi_buf[ACPI_TABLES_MAX];
#define ACPI_GPA	0xe0000ULL

static const uint8_t *acpi_at(uint64_t gpa, size_t used)
{
	if (gpa < ACPI_GPA || gpa - ACPI_GPA + ACPI_HDR_LEN > used)
		return NULL;
	return acpi_buf + (gpa - ACPI_GPA);
}

/* A table at @gpa, with its signature, length and checksum checked. */
static const uint8_t *acpi_table(uint64_t gpa, size_t used, const char *sig)
{
	const uint8_t *t = acpi_at(gpa, used);

	EXPECT(t, "%s at %#llx outside the tables", sig,
	       (unsigned long long)gpa);
	if (!t)
		return NULL;
	EXPECT(!memcmp(t, sig, 4), "signature %.4s, want %s", t, sig);
	EXPECT(gpa - ACPI_GPA + le_get32(t, 4) <= used, "%s length", sig);
	EXPECT(acpi_checksum(t, le_get32(t, 4)) == 0, "%s checksum", sig);
	return t;
}

static void check_acpi(unsigned int vcpus)
{
	const uint8_t *rsdt, *xsdt, *fadt = NULL, *madt = NULL, *dsdt, *e;
	unsigned int i, lapics = 0, ioapics = 0, iso0 = 0;
	size_t used;

	memset(acpi_buf, 0, sizeof(acpi_buf));
	used = acpi_build(acpi_buf, sizeof(acpi_buf), ACPI_GPA, vcpus);
	EXPECT(used > 0 && used <= sizeof(acpi_buf), "built %zu", used);
	if (!used)
		return;
	EXPECT(!memcmp(acpi_buf, "RSD PTR ", 8), "RSDP signature");
	EXPECT(acpi_checksum(acpi_buf, 20) == 0, "RSDP checksum");
	EXPECT(acpi_checksum(acpi_buf, 36) == 0, "RSDP extended checksum");
	EXPECT(acpi_buf[15] == 2 && le_get32(acpi_buf, 20) == 36, "RSDP 2.0");
	rsdt = acpi_table(le_get32(acpi_buf, 16), used, "RSDT");
	xsdt = acpi_table(le_get64(acpi_buf, 24), used, "XSDT");
	if (!rsdt || !xsdt)
		return;
	EXPECT(le_get32(rsdt, 4) == 36 + 8 && le_get32(xsdt, 4) == 36 + 16,
	       "two tables each");
	for (i = 0; i < 2; i++) {
		const uint8_t *t = acpi_at(le_get64(xsdt, 36 + 8 * i), used);

		EXPECT(le_get32(rsdt, 36 + 4 * i) == le_get64(xsdt, 36 + 8 * i),
		       "RSDT and XSDT agree");
		if (t && !memcmp(t, "FACP", 4))
			fadt = acpi_table(le_get64(xsdt, 36 + 8 * i), used, "FACP");
		if (t && !memcmp(t, "APIC", 4))
			madt = acpi_table(le_get64(xsdt, 36 + 8 * i), used, "APIC");
	}
	EXPECT(fadt && madt, "FADT and MADT listed");
	if (!fadt || !madt)
		return;

	/* FADT: full hardware, the documented ports, DSDT and FACS. */
	EXPECT(le_get32(fadt, 4) == 276 && fadt[8] == 6, "FADT revision 6");
	EXPECT(le_get32(fadt, 56) == ACPI_PM1A_EVT_PORT && fadt[88] == 4,
	       "PM1a_EVT_BLK");
	EXPECT(le_get32(fadt, 64) == ACPI_PM1A_CNT_PORT && fadt[89] == 2,
	       "PM1a_CNT_BLK");
	EXPECT(le_get64(fadt, 148 + 4) == ACPI_PM1A_EVT_PORT &&
	       fadt[148 + 1] == 32, "X_PM1a_EVT_BLK agrees");
	EXPECT(le_get64(fadt, 172 + 4) == ACPI_PM1A_CNT_PORT &&
	       fadt[172 + 1] == 16, "X_PM1a_CNT_BLK agrees");
	EXPECT(le_get16(fadt, 46) == ACPI_SCI_IRQ && le_get32(fadt, 48) == 0,
	       "SCI, no SMI_CMD");
	EXPECT(!(le_get32(fadt, 112) & (1U << 20)), "not hardware reduced");
	EXPECT(le_get32(fadt, 76) == ACPI_PM_TMR_PORT && fadt[91] == 4 &&
	       (le_get32(fadt, 112) & (1U << 8)),
	       "PM timer at PM_TMR_BLK, 4 bytes, 32 bits (TMR_VAL_EXT)");
	EXPECT(fadt[208] == 1 && fadt[208 + 1] == 32 &&
	       le_get64(fadt, 208 + 4) == ACPI_PM_TMR_PORT,
	       "X_PM_TMR_BLK agrees");
	EXPECT((le_get32(fadt, 112) & (1U << 10)) && fadt[116] == 1 &&
	       le_get64(fadt, 120) == ACPI_RESET_PORT &&
	       fadt[128] == ACPI_RESET_VALUE, "reset register");
	EXPECT(le_get32(fadt, 40) == le_get64(fadt, 140), "DSDT and X_DSDT agree");
	EXPECT(le_get32(fadt, 36) == le_get64(fadt, 132), "FACS and X_FACS agree");
	{
		const uint8_t *facs = acpi_at(le_get32(fadt, 36), used);

		EXPECT(facs && !memcmp(facs, "FACS", 4) && le_get32(facs, 4) == 64 &&
		       !(le_get32(fadt, 36) & 63), "FACS, 64-byte aligned");
	}
	dsdt = acpi_table(le_get32(fadt, 40), used, "DSDT");
	if (dsdt) {
		static const uint8_t s5[] = {
			0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
			0x0a, 0, 0x0a, 0,
		};

		/* Device (\\_SB.PEVT), 45 bytes, and its two names. */
		static const uint8_t pevt[] = {
			0x5b, 0x82, 45, '\\', 0x2e, '_', 'S', 'B', '_',
			'P', 'E', 'V', 'T', 0x08, '_', 'H', 'I', 'D', 0x0d,
			'Q', 'E', 'M', 'U', '0', '0', '0', '1', 0,
			0x08, '_', 'C', 'R', 'S', 0x11, 13, 0x0a, 10,
			0x47, 0x01, 0x05, 0x05, 0x05, 0x05, 1, 1, 0x79, 0,
		};
		const uint8_t *dev;

		EXPECT(memmem(dsdt, le_get32(dsdt, 4), s5, sizeof(s5)),
		       "DSDT holds Name (_S5, Package { 0, 0, ... }): the SLP_TYP the platform takes for S5");
		dev = memmem(dsdt, le_get32(dsdt, 4), pevt, sizeof(pevt));
		EXPECT(dev, "DSDT holds the panic device QEMU0001 with I/O port 0x505, decode16, length 1");
		EXPECT(dev && dev + sizeof(pevt) == dsdt + le_get32(dsdt, 4),
		       "the panic device ends the DSDT (its PkgLength covers it exactly)");
	}

	/* MADT: N processors, one I/O APIC with ID N, IRQ0 -> GSI 2. */
	EXPECT(le_get32(madt, 36) == ACPI_LAPIC_GPA, "LAPIC address");
	for (e = madt + 44; e < madt + le_get32(madt, 4); e += e[1]) {
		if (!e[1]) {
			EXPECT(0, "zero-length MADT entry");
			break;
		}
		switch (e[0]) {
		case ACPI_MADT_LAPIC:
			EXPECT(e[2] == lapics && e[3] == lapics &&
			       (le_get32(e, 4) & 1), "LAPIC %u: uid %u id %u",
			       lapics, e[2], e[3]);
			lapics++;
			break;
		case ACPI_MADT_IOAPIC:
			EXPECT(e[2] == vcpus && le_get32(e, 4) == ACPI_IOAPIC_GPA &&
			       le_get32(e, 8) == 0, "I/O APIC id %u", e[2]);
			ioapics++;
			break;
		case ACPI_MADT_ISO:
			if (e[3] == 0) {
				EXPECT(e[2] == 0 && le_get32(e, 4) == 2,
				       "IRQ0 -> GSI %u", le_get32(e, 4));
				iso0++;
			}
			break;
		}
	}
	EXPECT(lapics == vcpus, "%u LAPICs for %u vCPUs", lapics, vcpus);
	EXPECT(ioapics == 1 && iso0 == 1, "one I/O APIC, one IRQ0 override");
}

static void test_acpi_tables_checksum_and_describe_n_vcpus(void)
{
	static const unsigned int n[] = { 1, 2, 7, TANDEM_MAX_VCPUS };
	unsigned int i;

	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		check_acpi(n[i]);
}

static void test_acpi_build_refuses_bad_arguments(void)
{
	EXPECT(acpi_build(acpi_buf, 64, ACPI_GPA, 1) == 0, "buffer too small");
	EXPECT(acpi_build(acpi_buf, sizeof(acpi_buf), ACPI_GPA, 0) == 0,
	       "0 vCPUs");
	EXPECT(acpi_build(acpi_buf, sizeof(acpi_buf), ACPI_GPA + 4, 1) == 0,
	       "unaligned RSDP");
}

/* The DSDT of tables built into acpi_buf: RSDP -> XSDT -> FADT -> DSDT. */
static const uint8_t *find_dsdt(size_t used)
{
	const uint8_t *xsdt = acpi_table(le_get64(acpi_buf, 24), used, "XSDT");
	const uint8_t *fadt;

	if (!xsdt)
		return NULL;
	fadt = acpi_table(le_get64(xsdt, 36), used, "FACP");
	if (!fadt)
		return NULL;
	return acpi_table(le_get32(fadt, 40), used, "DSDT");
}

static const struct acpi_virtio_mmio test_vmmio[] = {
	{ .base = 0xd0000000, .gsi = 16 },
	{ .base = 0xd0000200, .gsi = 17 },
	{ .base = 0xfeb00e00, .gsi = 23 },
};

#define NR_TEST_VMMIO	(sizeof(test_vmmio) / sizeof(test_vmmio[0]))

static void test_acpi_describes_virtio_mmio_devices(void)
{
	/*
	 * Device (\_SB.VIO1) { Name (_HID, "LNRO0005") Name (_UID, 1)
	 * Name (_CRS, ResourceTemplate () {
	 *	Memory32Fixed (ReadWrite, 0xd0000200, 0x200)
	 *	Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) { 17 }
	 * }) }, as iasl compiles it (a two-byte PkgLength of 66).
	 */
	static const uint8_t vio1[] = {
		0x5b, 0x82, 0x42, 0x04, '\\', 0x2e, '_', 'S', 'B', '_',
		'V', 'I', 'O', '1',
		0x08, '_', 'H', 'I', 'D', 0x0d,
		'L', 'N', 'R', 'O', '0', '0', '0', '5', 0,
		0x08, '_', 'U', 'I', 'D', 0x0a, 1,
		0x08, '_', 'C', 'R', 'S', 0x11, 0x1a, 0x0a, 0x17,
		0x86, 0x09, 0x00, 0x01, 0x00, 0x02, 0x00, 0xd0,
		0x00, 0x02, 0x00, 0x00,
		0x89, 0x06, 0x00, 0x01, 0x01, 17, 0, 0, 0,
		0x79, 0x00,
	};
	const uint8_t *dsdt, *pevt, *node;
	size_t used, plain_len;
	unsigned int i;

	memset(acpi_buf, 0, sizeof(acpi_buf));
	used = acpi_build(acpi_buf, sizeof(acpi_buf), ACPI_GPA, 2);
	dsdt = find_dsdt(used);
	if (!dsdt)
		return;
	plain_len = le_get32(dsdt, 4);
	EXPECT(!memmem(dsdt, plain_len, "LNRO0005", 8),
	       "virtio-mmio device in the DSDT of a guest without one");

	memset(acpi_buf, 0, sizeof(acpi_buf));
	used = acpi_build_devices(acpi_buf, sizeof(acpi_buf), ACPI_GPA,
				  TANDEM_MAX_VCPUS, test_vmmio, NR_TEST_VMMIO);
	EXPECT(used > 0 && used <= sizeof(acpi_buf), "built %zu", used);
	dsdt = find_dsdt(used);
	if (!dsdt)
		return;
	EXPECT(le_get32(dsdt, 4) == plain_len + NR_TEST_VMMIO * sizeof(vio1),
	       "DSDT length %u, want %zu", le_get32(dsdt, 4),
	       plain_len + NR_TEST_VMMIO * sizeof(vio1));
	node = memmem(dsdt, le_get32(dsdt, 4), vio1, sizeof(vio1));
	EXPECT(node, "no \\_SB.VIO1 with LNRO0005, _UID 1, 0xd0000200+0x200, GSI 17 level active-high");
	pevt = memmem(dsdt, le_get32(dsdt, 4), "PEVT", 4);
	EXPECT(pevt && node && node == dsdt + plain_len + sizeof(vio1),
	       "VIO1 not right after the panic device and VIO0");

	/* Every node: its name, _UID, base and GSI, the rest as VIO1's. */
	for (i = 0; i < NR_TEST_VMMIO; i++) {
		const uint8_t *n = dsdt + plain_len + i * sizeof(vio1);

		if (n + sizeof(vio1) > dsdt + le_get32(dsdt, 4))
			break;
		EXPECT(n[13] == '0' + i && n[35] == i, "node %u: name %c uid %u",
		       i, n[13], n[35]);
		EXPECT(le_get32(n, 49) == test_vmmio[i].base &&
		       le_get32(n, 62) == test_vmmio[i].gsi,
		       "node %u: base %#x gsi %u", i, le_get32(n, 49),
		       le_get32(n, 62));
		EXPECT(!memcmp(n, vio1, 13) && !memcmp(n + 14, vio1 + 14, 35 - 14) &&
		       !memcmp(n + 36, vio1 + 36, 49 - 36) &&
		       !memcmp(n + 53, vio1 + 53, 62 - 53) &&
		       !memcmp(n + 66, vio1 + 66, 2), "node %u: other bytes", i);
	}
}

static void test_acpi_build_refuses_bad_virtio_mmio(void)
{
	struct acpi_virtio_mmio d[ACPI_VIRTIO_MMIO_MAX + 1];
	unsigned int i;

	for (i = 0; i <= ACPI_VIRTIO_MMIO_MAX; i++)
		d[i] = (struct acpi_virtio_mmio){ 0xd0000000 + 0x200 * i, 16 };
	EXPECT(acpi_build_devices(acpi_buf, sizeof(acpi_buf), ACPI_GPA,
				  TANDEM_MAX_VCPUS, d, ACPI_VIRTIO_MMIO_MAX),
	       "%u devices refused", ACPI_VIRTIO_MMIO_MAX);
	EXPECT(!acpi_build_devices(acpi_buf, sizeof(acpi_buf), ACPI_GPA, 1, d,
				   ACPI_VIRTIO_MMIO_MAX + 1), "too many devices");
	d[1].base += 0x100;
	EXPECT(!acpi_build_devices(acpi_buf, sizeof(acpi_buf), ACPI_GPA, 1, d, 2),
	       "misaligned window");
	d[1].base = 1ULL << 32;
	EXPECT(!acpi_build_devices(acpi_buf, sizeof(acpi_buf), ACPI_GPA, 1, d, 2),
	       "window above 4 GiB");
	d[1].base = 0xd0000200;
	d[1].gsi = 9;
	EXPECT(!acpi_build_devices(acpi_buf, sizeof(acpi_buf), ACPI_GPA, 1, d, 2),
	       "ISA GSI");
	d[1].gsi = 24;
	EXPECT(!acpi_build_devices(acpi_buf, sizeof(acpi_buf), ACPI_GPA, 1, d, 2),
	       "GSI beyond the I/O APIC");
	EXPECT(!acpi_build_devices(acpi_buf, sizeof(acpi_buf), ACPI_GPA, 1,
				   NULL, 1), "no array");
}

/* iasl -d, when installed, must read the DSDT and show the devices. */
static void test_acpi_virtio_mmio_disassembles(void)
{
	char dir[] = "/tmp/tandem-acpi-XXXXXX", cmd[512], path[256];
	const uint8_t *dsdt;
	char *dsl = NULL;
	size_t used, cap = 0;
	FILE *f;

	if (system("command -v iasl >/dev/null 2>&1")) {
		skip_reason = "iasl (package acpica-tools) is not installed";
		return;
	}
	memset(acpi_buf, 0, sizeof(acpi_buf));
	used = acpi_build_devices(acpi_buf, sizeof(acpi_buf), ACPI_GPA, 1,
				  test_vmmio, NR_TEST_VMMIO);
	dsdt = find_dsdt(used);
	if (!dsdt || !mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/dsdt.aml", dir);
	f = fopen(path, "wb");
	EXPECT(f && fwrite(dsdt, le_get32(dsdt, 4), 1, f) == 1, "write %s", path);
	if (f)
		fclose(f);
	snprintf(cmd, sizeof(cmd), "cd %s && iasl -d dsdt.aml >iasl.log 2>&1",
		 dir);
	EXPECT(system(cmd) == 0, "iasl -d failed, see %s/iasl.log", dir);
	snprintf(path, sizeof(path), "%s/dsdt.dsl", dir);
	f = fopen(path, "r");
	if (f) {
		if (getdelim(&dsl, &cap, '\0', f) <= 0) {
			free(dsl);
			dsl = NULL;
		}
		fclose(f);
	}
	EXPECT(dsl && strstr(dsl, "Device (\\_SB.VIO2)") &&
	       strstr(dsl, "Name (_HID, \"LNRO0005\")") &&
	       strstr(dsl, "Name (_UID, 0x02)") &&
	       strstr(dsl, "0xFEB00E00,         // Address Base") &&
	       strstr(dsl, "0x00000017,") &&
	       strstr(dsl, "Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, )"),
	       "%s does not show VIO2 at 0xFEB00E00, level active-high", path);
	free(dsl);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (!case_failed && system(cmd))
		EXPECT(0, "%s", cmd);
}

static void test_real_acpi_in_reserved_bios_area(void)
{
	char err[BZ_ERR_MAX];
	struct linux_boot lb;

	if (!need_vmlinuz())
		return;
	if (build(vmlinuz, vmlinuz_len, 256 * MiB, &lb, err)) {
		EXPECT(0, "build: %s", err);
		goto out;
	}
	EXPECT(lb.region[4].gpa == LB_BIOS_GPA &&
	       lb.region[4].gpa + lb.region[4].len <= LB_BIOS_END,
	       "ACPI tables in 0xe0000-0xfffff");
	EXPECT(!memcmp(lb.region[4].data, "RSD PTR ", 8), "RSDP first");
out:
	linux_boot_free(&lb);
}

/* Configuration files ----------------------------------------------------- */

static int cfg_parse(struct domcfg *c, const char *text, char *err)
{
	int ret;

	domcfg_init(c);
	err[0] = 0;
	ret = domcfg_parse(c, text, strlen(text), "vm.cfg", "/etc/tandem",
			   err, DOMCFG_ERR_MAX);
	if (!ret)
		ret = domcfg_finish(c, "vm.cfg", err, DOMCFG_ERR_MAX);
	return ret;
}

/* The file fails with a message that starts with @want. */
static void expect_cfg_err(const char *text, const char *want)
{
	char err[DOMCFG_ERR_MAX];
	struct domcfg c;
	int ret = cfg_parse(&c, text, err);

	EXPECT(ret == -EINVAL && !strncmp(err, want, strlen(want)),
	       "ret %d, message '%s', want '%s...'", ret, err, want);
	domcfg_free(&c);
}

#define BASE	"name = \"t\"\nkernel = \"k\"\n"

static void test_cfg_every_key_parses(void)
{
	static const char text[] =
		"# a Linux guest\n"
		"name = \"web-1\"   # trailing comment\n"
		"memory = 256\n"
		"vcpus = 2\n"
		"kernel = \"vmlinuz\"\n"
		"ramdisk = \"/boot/initrd.img\"\n"
		"cmdline = \"console=ttyS0 msg=\\\"hi\\\"\\tx\\x41\"\n"
		"extra = \"quiet\"; on_poweroff = \"preserve\"\n"
		"on_reboot = destroy\n"
		"on_crash = \"restart\"\n"
		"disk = [ \"path=web.img, ro\",\n"
		"         \"path=/dev/vg/data, serial=data 1\" , # second disk\n"
		"       ]\n"
		"vif = [ \"mac=02:00:00:aa:bb:0C, name=web0, bridge=br0\", \"\" ]\n";
	char err[DOMCFG_ERR_MAX], *line;
	struct domcfg c;
	int ret = cfg_parse(&c, text, err);

	EXPECT(ret == 0, "%s", err);
	if (ret)
		goto out;
	EXPECT(!strcmp(c.name, "web-1"), "name '%s'", c.name);
	EXPECT(c.memory == 256 * MiB, "memory %llu",
	       (unsigned long long)c.memory);
	EXPECT(c.vcpus == 2, "vcpus");
	EXPECT(!strcmp(c.kernel, "/etc/tandem/vmlinuz"), "kernel '%s'",
	       c.kernel);
	EXPECT(!strcmp(c.ramdisk, "/boot/initrd.img"), "ramdisk '%s'",
	       c.ramdisk);
	EXPECT(!strcmp(c.cmdline, "console=ttyS0 msg=\"hi\"\txA"),
	       "escapes: '%s'", c.cmdline);
	line = domcfg_full_cmdline(&c);
	EXPECT(line && !strcmp(line, "console=ttyS0 msg=\"hi\"\txA quiet"),
	       "cmdline + extra: '%s'", line);
	free(line);
	EXPECT(c.on_poweroff == DOMCFG_PRESERVE &&
	       c.on_reboot == DOMCFG_DESTROY && c.on_crash == DOMCFG_RESTART,
	       "on_*");
	EXPECT(c.nr_disks == 2, "%zu disks", c.nr_disks);
	if (c.nr_disks == 2) {
		EXPECT(!strcmp(c.disk[0].path, "/etc/tandem/web.img") &&
		       c.disk[0].ro, "disk 0 '%s'", c.disk[0].path);
		EXPECT(!strcmp(c.disk[1].path, "/dev/vg/data") &&
		       !c.disk[1].ro, "disk 1");
		EXPECT(!c.disk[0].serial[0] &&
		       !strcmp(c.disk[1].serial, "data 1"), "serials '%s' '%s'",
		       c.disk[0].serial, c.disk[1].serial);
	}
	EXPECT(c.nr_vifs == 2, "%zu vifs", c.nr_vifs);
	if (c.nr_vifs == 2) {
		EXPECT(c.vif[0].has_mac && c.vif[0].mac[0] == 2 &&
		       c.vif[0].mac[5] == 0x0c, "mac");
		EXPECT(!strcmp(c.vif[0].name, "web0") &&
		       !strcmp(c.vif[0].bridge, "br0"), "name, bridge");
		EXPECT(!c.vif[1].has_mac && !c.vif[1].name[0], "defaults");
	}
out:
	domcfg_free(&c);
}

static void test_cfg_defaults_and_sizes(void)
{
	static const struct {
		const char *text;
		uint64_t bytes;
	} sizes[] = {
		{ BASE, DOMCFG_DEFAULT_MEMORY },
		{ BASE "memory = 512\n", 512 * MiB },
		{ BASE "memory = 2G\n", 2048 * MiB },
		{ BASE "memory = \"1GiB\"\n", 1024 * MiB },
		{ BASE "memory = 65536K\n", 64 * MiB },
	};
	char err[DOMCFG_ERR_MAX];
	struct domcfg c;
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int ret = cfg_parse(&c, sizes[i].text, err);

		EXPECT(ret == 0 && c.memory == sizes[i].bytes,
		       "case %u: %d '%s' %llu", i, ret, err,
		       (unsigned long long)c.memory);
		if (i == 0)
			EXPECT(c.vcpus == 1 && c.on_poweroff == DOMCFG_DESTROY &&
			       c.on_reboot == DOMCFG_RESTART &&
			       c.on_crash == DOMCFG_DESTROY && !c.ramdisk,
			       "defaults");
		domcfg_free(&c);
	}
}

static void test_cfg_unknown_key(void)
{
	expect_cfg_err(BASE "memroy = 256\n", "vm.cfg:3: memroy: unknown key");
}

static void test_cfg_bad_size(void)
{
	expect_cfg_err(BASE "memory = 12X\n",
		       "vm.cfg:3: memory: not a size: '12X'");
	expect_cfg_err(BASE "memory = 0\n",
		       "vm.cfg:3: memory: 0 is out of range");
	expect_cfg_err(BASE "memory = 4001K\n",
		       "vm.cfg:3: memory: 4001K is not a multiple of 4K");
	expect_cfg_err(BASE "memory = [ 1 ]\n",
		       "vm.cfg:3: memory: expected a single value, not a list");
}

static void test_cfg_bad_number(void)
{
	expect_cfg_err("vcpus = two\n" BASE, "vm.cfg:1: vcpus: not a number: 'two'");
	expect_cfg_err(BASE "\n\nvcpus = 65\n",
		       "vm.cfg:5: vcpus: 65 is out of range (1 to 64)");
	expect_cfg_err(BASE "vcpus = 0\n", "vm.cfg:3: vcpus: 0 is out of range");
	expect_cfg_err(BASE "vcpus = -1\n", "vm.cfg:3: vcpus: not a number: '-1'");
}

static void test_cfg_unterminated_string(void)
{
	expect_cfg_err(BASE "cmdline = \"console=ttyS0\n",
		       "vm.cfg:3: cmdline: unterminated string");
	expect_cfg_err(BASE "\nextra = \"a\\",
		       "vm.cfg:4: extra: unterminated string");
	expect_cfg_err(BASE "cmdline = \"a\\qb\"\n",
		       "vm.cfg:3: cmdline: bad escape in string: '\\q'");
}

static void test_cfg_bad_list(void)
{
	expect_cfg_err(BASE "disk = [ \"path=/a\"\n",
		       "vm.cfg:4: disk: bad list: no ']' for the '[' on line 3");
	expect_cfg_err(BASE "disk = [ \"path=/a\" \"path=/b\" ]\n",
		       "vm.cfg:3: disk: bad list: expected ',' or ']' after item 1");
	expect_cfg_err(BASE "disk = [ [ \"path=/a\" ] ]\n",
		       "vm.cfg:3: disk: bad list: nested lists are not supported");
	expect_cfg_err(BASE "disk = \"path=/a\"\n",
		       "vm.cfg:3: disk: bad list: expected [");
	expect_cfg_err(BASE "vif = [ \"mac=02:00:00:00:00:01\",\n  mac ]\n",
		       "vm.cfg:4: vif: bad list: item 2 is not a string");
	expect_cfg_err(BASE "disk = [ , ]\n",
		       "vm.cfg:3: disk: bad list: expected an item or ']'");
}

static void test_cfg_bad_list_items(void)
{
	expect_cfg_err(BASE "disk = [ \"path=/a, rx\" ]\n",
		       "vm.cfg:3: disk: item 1: unknown option 'rx'");
	expect_cfg_err(BASE "disk = [ \"ro\" ]\n",
		       "vm.cfg:3: disk: item 1: no path=");
	expect_cfg_err(BASE "disk = [ \"path=/a, serial=123456789012345678901\" ]\n",
		       "vm.cfg:3: disk: item 1: serial=123456789012345678901: at most 20 printable ASCII characters");
	expect_cfg_err(BASE "disk = [ \"path=/a, serial=a\\tb\" ]\n",
		       "vm.cfg:3: disk: item 1: serial=a\tb: at most 20");
	expect_cfg_err(BASE "vif = [ \"mac=02:00:00:00:00\" ]\n",
		       "vm.cfg:3: vif: item 1: '02:00:00:00:00' is not a MAC address");
	expect_cfg_err(BASE "vif = [ \"mac=03:00:00:00:00:01\" ]\n",
		       "vm.cfg:3: vif: item 1: 03:00:00:00:00:01 is a multicast address");
	expect_cfg_err(BASE "vif = [ \"\", \"name=a/b\" ]\n",
		       "vm.cfg:3: vif: item 2: 'a/b' is not an interface name");
}

static void test_cfg_duplicate_key(void)
{
	expect_cfg_err(BASE "memory = 256\n\nmemory = 512\n",
		       "vm.cfg:5: memory: duplicate key (first set on line 3)");
}

static void test_cfg_bad_on_action(void)
{
	expect_cfg_err(BASE "on_crash = \"explode\"\n",
		       "vm.cfg:3: on_crash: 'explode' is not one of destroy, restart, preserve");
	expect_cfg_err(BASE "on_reboot = [ \"destroy\" ]\n",
		       "vm.cfg:3: on_reboot: expected a single value");
}

static void test_cfg_missing_kernel_and_name(void)
{
	expect_cfg_err("name = \"t\"\n", "vm.cfg: kernel: required key is missing");
	expect_cfg_err("kernel = \"k\"\n", "vm.cfg: name: required key is missing");
}

static void test_cfg_other_syntax_errors(void)
{
	expect_cfg_err(BASE "name2\n", "vm.cfg:3: name2: unknown key");
	expect_cfg_err(BASE "vcpus 2\n", "vm.cfg:3: vcpus: expected '=' after the key");
	expect_cfg_err(BASE "vcpus =\n", "vm.cfg:3: vcpus: no value after '='");
	expect_cfg_err(BASE "vcpus = 2 3\n",
		       "vm.cfg:3: vcpus: expected the end of the line after the value");
	expect_cfg_err(BASE "= 3\n", "vm.cfg:3: expected a key");
	expect_cfg_err(BASE "kernel2 = k\n", "vm.cfg:3: kernel2: unknown key");
	expect_cfg_err("name = t\nkernel = \"k\"\n",
		       "vm.cfg:1: name: expected a string in double quotes, not 't'");
	expect_cfg_err("name = \"a b\"\nkernel = \"k\"\n",
		       "vm.cfg:1: name: 'a b' is not a domain name");
	expect_cfg_err(BASE "vcpus = 2 $\n", "vm.cfg:3: vcpus: unexpected character '$'");
}

/* Overrides after a file; the message for @arg starts with @want. */
static void expect_override_err(const char *arg, const char *want)
{
	char err[DOMCFG_ERR_MAX] = "";
	struct domcfg c;
	int ret;

	ret = cfg_parse(&c, BASE "memory = 256\n", err);
	EXPECT(ret == 0, "%s", err);
	ret = domcfg_override(&c, "vcpus=2", 1, err, sizeof(err));
	EXPECT(ret == 0, "%s", err);
	ret = domcfg_override(&c, arg, 2, err, sizeof(err));
	EXPECT(ret == -EINVAL && !strncmp(err, want, strlen(want)),
	       "'%s': ret %d, message '%s', want '%s...'", arg, ret, err, want);
	domcfg_free(&c);
}

static void test_cfg_override_syntax(void)
{
	expect_override_err("memory512", "command line:2: 'memory512': expected KEY=VALUE");
	expect_override_err("=512", "command line:2: '=512': expected KEY=VALUE");
	expect_override_err("memroy=512", "command line:2: memroy: unknown key");
	expect_override_err("memory=12X", "command line:2: memory: not a size: '12X'");
	expect_override_err("vcpus=4", "command line:2: vcpus: duplicate key (first set by argument 1)");
	expect_override_err("disk=[ \"path=/a\"", "command line:2: disk: bad list");
	expect_override_err("on_crash=explode", "command line:2: on_crash: 'explode' is not one of");
	expect_override_err("cmdline=\"a", "command line:2: cmdline: unterminated string");
}

static void test_cfg_override_replaces_the_file(void)
{
	char err[DOMCFG_ERR_MAX] = "", *line;
	struct domcfg c;
	int ret;

	ret = cfg_parse(&c, BASE "memory = 256\ncmdline = \"a\"\n", err);
	EXPECT(ret == 0, "%s", err);
	ret = domcfg_override(&c, "memory=1G", 1, err, sizeof(err));
	EXPECT(ret == 0, "%s", err);
	ret = domcfg_override(&c, "extra=console=ttyS0 quiet", 2, err, sizeof(err));
	EXPECT(ret == 0, "%s", err);
	ret = domcfg_override(&c, "kernel=rel/bzImage", 3, err, sizeof(err));
	EXPECT(ret == 0, "%s", err);
	ret = domcfg_override(&c, "name=\"other\"", 4, err, sizeof(err));
	EXPECT(ret == 0, "%s", err);
	ret = domcfg_override(&c, "disk=[ \"path=x.img\" ]", 5, err, sizeof(err));
	EXPECT(ret == 0, "%s", err);
	EXPECT(c.memory == 1024 * MiB, "memory");
	line = domcfg_full_cmdline(&c);
	EXPECT(line && !strcmp(line, "a console=ttyS0 quiet"), "'%s'", line);
	free(line);
	EXPECT(!strcmp(c.kernel, "rel/bzImage"),
	       "override paths stay relative to the current directory: '%s'",
	       c.kernel);
	EXPECT(!strcmp(c.name, "other"), "quoted override");
	EXPECT(c.nr_disks == 1 && !strcmp(c.disk[0].path, "x.img"), "disk");
	domcfg_free(&c);
}

static void test_cfg_load_file_relative_paths(void)
{
	char dir[] = "/tmp/tandem-cfg-XXXXXX", path[64], err[DOMCFG_ERR_MAX];
	struct domcfg c;
	FILE *f;
	int ret;

	if (!mkdtemp(dir)) {
		EXPECT(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/vm.cfg", dir);
	f = fopen(path, "w");
	if (!f) {
		EXPECT(0, "fopen: %s", strerror(errno));
		rmdir(dir);
		return;
	}
	fputs("name = \"t\"\nkernel = \"boot/vmlinuz\"\nramdisk = \"/abs/initrd\"\n",
	      f);
	fclose(f);
	domcfg_init(&c);
	ret = domcfg_load(&c, path, err, sizeof(err));
	EXPECT(ret == 0, "%s", err);
	if (!ret) {
		char want[96];

		snprintf(want, sizeof(want), "%s/boot/vmlinuz", dir);
		EXPECT(!strcmp(c.kernel, want), "kernel '%s'", c.kernel);
		EXPECT(!strcmp(c.ramdisk, "/abs/initrd"), "ramdisk '%s'",
		       c.ramdisk);
	}
	domcfg_free(&c);

	/* Errors name the file as given. */
	f = fopen(path, "w");
	if (f) {
		fputs("name = \"t\"\nkernel = \"k\"\nmemory = 12X\n", f);
		fclose(f);
	}
	domcfg_init(&c);
	ret = domcfg_load(&c, path, err, sizeof(err));
	{
		char want[128];

		snprintf(want, sizeof(want), "%s:3: memory: not a size: '12X'",
			 path);
		EXPECT(ret == -EINVAL && !strncmp(err, want, strlen(want)),
		       "'%s'", err);
	}
	domcfg_free(&c);
	unlink(path);
	rmdir(dir);

	domcfg_init(&c);
	ret = domcfg_load(&c, path, err, sizeof(err));
	EXPECT(ret == -ENOENT && strstr(err, "cannot open"), "'%s'", err);
	domcfg_free(&c);
}

static void test_cfg_nul_byte_is_refused(void)
{
	static const char text[] = "name = \"t\"\0kernel = \"k\"\n";
	char err[DOMCFG_ERR_MAX];
	struct domcfg c;
	int ret;

	domcfg_init(&c);
	ret = domcfg_parse(&c, text, sizeof(text) - 1, "vm.cfg", NULL, err,
			   sizeof(err));
	EXPECT(ret == -EINVAL && strstr(err, "NUL byte"), "'%s'", err);
	domcfg_free(&c);
}

/* ELF vmlinux ------------------------------------------------------------ */

/*
 * The real kernel uncompressed: accepted, loaded by segment at 16 MiB
 * (CONFIG_PHYSICAL_START), entered at e_entry, the same version as the
 * bzImage says, and nothing but the segments' trailing zeros left out.
 */
static void test_real_vmlinux_boots_at_its_entry(void)
{
	const Elf64_Ehdr *eh;
	char err[BZ_ERR_MAX];
	struct linux_boot lb;
	struct bzimage bz;
	uint64_t loaded = 0;
	unsigned int i;

	if (!need_vmlinuz())
		return;
	if (!vmlinux) {
		EXPECT(0, "extract-vmlinux.sh failed on %s", vmlinuz_path);
		return;
	}
	eh = (const void *)vmlinux;
	if (build(vmlinux, vmlinux_len, 256 * MiB, &lb, err)) {
		EXPECT(0, "%s", err);
		goto out;
	}
	EXPECT(lb.image.elf && lb.entry == eh->e_entry &&
	       lb.regs.rip == eh->e_entry && lb.entry == 0x1000000,
	       "entry 0x%llx, e_entry 0x%llx", (unsigned long long)lb.entry,
	       (unsigned long long)eh->e_entry);
	EXPECT(lb.kernel_gpa == 0x1000000, "kernel at 0x%llx",
	       (unsigned long long)lb.kernel_gpa);
	EXPECT(bzimage_parse(vmlinuz, vmlinuz_len, &bz, err, sizeof(err)) == 0,
	       "%s", err);
	EXPECT(!strncmp(lb.image.kernel_version, bz.kernel_version,
			strcspn(bz.kernel_version, " ")),
	       "vmlinux says '%s', bzImage '%s'", lb.image.kernel_version,
	       bz.kernel_version);
	for (i = 0; i < lb.nr_regions; i++) {
		const struct guest_region *r = &lb.region[i];

		if (strcmp(r->what, "kernel"))
			continue;
		EXPECT((const uint8_t *)r->data >= vmlinux &&
		       (const uint8_t *)r->data + r->len <= vmlinux + vmlinux_len,
		       "kernel region %u outside the file", i);
		loaded += r->len;
	}
	EXPECT(loaded > 8 * MiB && loaded < vmlinux_len,
	       "%llu bytes of kernel loaded from a %zu-byte file",
	       (unsigned long long)loaded, vmlinux_len);
	EXPECT(lb.initrd_gpa >= lb.run_end, "initrd at 0x%llx, kernel ends at 0x%llx",
	       (unsigned long long)lb.initrd_gpa,
	       (unsigned long long)lb.run_end);
out:
	linux_boot_free(&lb);
}

/*
 * A small ELF kernel: text (with a version banner) at 16 MiB and the
 * entry 0x40 into it, data at 20 MiB whose last 0x1800 bytes in the file
 * are zero and which has 0x3000 more in memory, and a NOTE segment.
 */
#define SE_TEXT_OFF	0x1000
#define SE_TEXT_LEN	0x3000
#define SE_DATA_OFF	0x4000
#define SE_DATA_LEN	0x2000
#define SE_DATA_NONZERO	0x800
#define SE_LEN		0x6000
#define SE_TEXT_GPA	0x1000000ULL
#define SE_DATA_GPA	0x1400000ULL

static uint8_t *synthetic_elf(void)
{
	static const char banner[] = "Linux version 9.9.9-synthetic (t@h) #1\n";
	uint8_t *img = calloc(1, SE_LEN);
	Elf64_Ehdr *eh = (void *)img;
	Elf64_Phdr *ph;
	unsigned int i;

	if (!img)
		return NULL;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = SE_TEXT_GPA + 0x40;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 3;
	ph = (void *)(img + eh->e_phoff);
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
		.p_offset = SE_TEXT_OFF, .p_vaddr = 0xffffffff81000000ULL,
		.p_paddr = SE_TEXT_GPA, .p_filesz = SE_TEXT_LEN,
		.p_memsz = SE_TEXT_LEN, .p_align = 0x200000 };
	ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
		.p_offset = SE_DATA_OFF, .p_vaddr = 0xffffffff81400000ULL,
		.p_paddr = SE_DATA_GPA, .p_filesz = SE_DATA_LEN,
		.p_memsz = SE_DATA_LEN + 0x3000, .p_align = 0x200000 };
	ph[2] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = SE_TEXT_OFF,
		.p_filesz = 0x20, .p_memsz = 0x20, .p_align = 4 };
	for (i = 0; i < SE_TEXT_LEN; i++)
		img[SE_TEXT_OFF + i] = (uint8_t)(i * 13 + 1) | 1;
	memcpy(img + SE_TEXT_OFF + 0x100, banner, sizeof(banner) - 1);
	for (i = 0; i < SE_DATA_NONZERO; i++)
		img[SE_DATA_OFF + i] = (uint8_t)(i * 5 + 2) | 1;
	return img;
}

static void test_synthetic_elf_segments_at_their_physical_addresses(void)
{
	uint8_t *img = synthetic_elf(), buf[16];
	char err[BZ_ERR_MAX];
	struct linux_boot lb;
	unsigned int i, text = 0, data = 0;

	if (!img) {
		EXPECT(0, "out of memory");
		return;
	}
	if (build(img, SE_LEN, 64 * MiB, &lb, err)) {
		EXPECT(0, "%s", err);
		goto out;
	}
	EXPECT(lb.entry == SE_TEXT_GPA + 0x40 && lb.regs.rip == lb.entry,
	       "entry 0x%llx", (unsigned long long)lb.entry);
	EXPECT(lb.regs.gprs[6] == LB_BOOT_PARAMS_GPA, "RSI 0x%llx",
	       (unsigned long long)lb.regs.gprs[6]);
	EXPECT(!strcmp(lb.image.kernel_version, "9.9.9-synthetic (t@h) #1"),
	       "version '%s'", lb.image.kernel_version);
	for (i = 0; i < lb.nr_regions; i++) {
		const struct guest_region *r = &lb.region[i];

		if (r->gpa == SE_TEXT_GPA)
			text += r->data == img + SE_TEXT_OFF &&
				r->len == SE_TEXT_LEN;
		if (r->gpa == SE_DATA_GPA)
			data += r->data == img + SE_DATA_OFF &&
				r->len == SE_DATA_NONZERO;
	}
	EXPECT(text == 1, "the text segment is not one region of its bytes");
	EXPECT(data == 1,
	       "the data segment is not one region without its zero tail");
	EXPECT(guest_read(&lb, SE_TEXT_GPA + 0x40, buf, 4) &&
	       !memcmp(buf, img + SE_TEXT_OFF + 0x40, 4), "entry bytes");
	/* The initrd goes above the data segment's end in memory. */
	EXPECT(lb.run_end == SE_DATA_GPA + SE_DATA_LEN + 0x3000 &&
	       lb.initrd_gpa >= lb.run_end && lb.initrd_gpa + TEST_INITRD_LEN <= 64 * MiB,
	       "kernel ends at 0x%llx, initrd at 0x%llx",
	       (unsigned long long)lb.run_end,
	       (unsigned long long)lb.initrd_gpa);
out:
	linux_boot_free(&lb);
	free(img);
}

/* The header a bzImage would have had, filled in as for one. */
static void test_synthetic_elf_boot_params_have_a_made_up_header(void)
{
	uint8_t *img = synthetic_elf(), bp[BP_SIZE];
	char err[BZ_ERR_MAX], cmdline[64];
	struct linux_boot lb;

	if (!img) {
		EXPECT(0, "out of memory");
		return;
	}
	if (build(img, SE_LEN, 64 * MiB, &lb, err) ||
	    !guest_read(&lb, LB_BOOT_PARAMS_GPA, bp, BP_SIZE)) {
		EXPECT(0, "build: %s", err);
		goto out;
	}
	EXPECT(le_get16(bp, BZ_BOOT_FLAG) == BZ_BOOT_FLAG_MAGIC &&
	       le_get32(bp, BZ_HEADER) == BZ_HEADER_MAGIC &&
	       le_get16(bp, BZ_VERSION) == 0x020f, "boot flag, HdrS, 2.15");
	EXPECT(bp[BZ_TYPE_OF_LOADER] == 0xff && (bp[BZ_LOADFLAGS] & BZ_LOADED_HIGH),
	       "loader 0x%x, loadflags 0x%x", bp[BZ_TYPE_OF_LOADER],
	       bp[BZ_LOADFLAGS]);
	EXPECT(le_get32(bp, BZ_CMDLINE_SIZE) == 2047, "cmdline_size %u",
	       le_get32(bp, BZ_CMDLINE_SIZE));
	EXPECT(le_get32(bp, BZ_CMD_LINE_PTR) == LB_CMDLINE_GPA &&
	       guest_read(&lb, LB_CMDLINE_GPA, cmdline, sizeof(TEST_CMDLINE)) &&
	       !strcmp(cmdline, TEST_CMDLINE), "command line");
	EXPECT(le_get32(bp, BZ_RAMDISK_IMAGE) == lb.initrd_gpa &&
	       le_get32(bp, BZ_RAMDISK_SIZE) == TEST_INITRD_LEN, "initrd");
	EXPECT(bp[BP_E820_ENTRIES] == 6, "%u e820 entries", bp[BP_E820_ENTRIES]);
out:
	linux_boot_free(&lb);
	free(img);
}

/* Damage the synthetic ELF with @fn and expect @want in the message. */
static void elf_refused(void (*fn)(uint8_t *img), uint64_t mem,
			const char *want)
{
	uint8_t *img = synthetic_elf();

	if (!img) {
		EXPECT(0, "out of memory");
		return;
	}
	fn(img);
	expect_refused(img, SE_LEN, mem, want);
	free(img);
}

static Elf64_Ehdr *eh_of(uint8_t *img)
{
	return (Elf64_Ehdr *)img;
}

static Elf64_Phdr *ph_of(uint8_t *img)
{
	return (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr));
}

static void elf_class32(uint8_t *img)
{
	img[EI_CLASS] = ELFCLASS32;
}
static void elf_big_endian(uint8_t *img)
{
	img[EI_DATA] = ELFDATA2MSB;
}
static void elf_i386(uint8_t *img)
{
	eh_of(img)->e_machine = EM_386;
}
static void elf_dyn(uint8_t *img)
{
	eh_of(img)->e_type = ET_DYN;
}
static void elf_phdrs_past_end(uint8_t *img)
{
	eh_of(img)->e_phoff = SE_LEN - 8;
}
static void elf_no_phdrs(uint8_t *img)
{
	eh_of(img)->e_phnum = 0;
}
static void elf_seg_past_end(uint8_t *img)
{
	ph_of(img)[1].p_filesz = SE_LEN;
}
static void elf_filesz_over_memsz(uint8_t *img)
{
	ph_of(img)[0].p_memsz = 0x100;
}
static void elf_seg_below_1mib(uint8_t *img)
{
	ph_of(img)[1].p_paddr = 0x8000;
}
static void elf_seg_wraps(uint8_t *img)
{
	ph_of(img)[1].p_paddr = ~0ULL - 0x100;
}
static void elf_overlap(uint8_t *img)
{
	ph_of(img)[1].p_paddr = SE_TEXT_GPA + 0x1000;
}
static void elf_entry_outside(uint8_t *img)
{
	eh_of(img)->e_entry = 0x2000000;
}
static void elf_no_load(uint8_t *img)
{
	ph_of(img)[0].p_type = PT_NULL;
	ph_of(img)[1].p_type = PT_NOTE;
}
static void elf_nothing(uint8_t *img)
{
	(void)img;
}

/* Every kind of bad ELF kernel is refused, saying what is wrong. */
static void test_synthetic_elf_damaged_is_refused_with_a_reason(void)
{
	elf_refused(elf_class32, 64 * MiB, "not a 64-bit little-endian ELF");
	elf_refused(elf_big_endian, 64 * MiB, "not a 64-bit little-endian ELF");
	elf_refused(elf_i386, 64 * MiB, "is not x86-64");
	elf_refused(elf_dyn, 64 * MiB, "is not an executable (ET_EXEC)");
	elf_refused(elf_phdrs_past_end, 64 * MiB, "bad program headers");
	elf_refused(elf_no_phdrs, 64 * MiB, "bad program headers");
	elf_refused(elf_seg_past_end, 64 * MiB, "is not inside the");
	elf_refused(elf_filesz_over_memsz, 64 * MiB, "is not inside the");
	elf_refused(elf_seg_below_1mib, 64 * MiB, "outside guest RAM from 1 MiB");
	elf_refused(elf_seg_wraps, 64 * MiB, "outside guest RAM from 1 MiB");
	elf_refused(elf_overlap, 64 * MiB, "overlap");
	elf_refused(elf_entry_outside, 64 * MiB, "entry point 0x2000000 is in no PT_LOAD");
	elf_refused(elf_no_load, 64 * MiB, "no PT_LOAD segment");
	/* Sound, but 16 MiB of RAM end below its segments. */
	elf_refused(elf_nothing, 16 * MiB, "does not fit in memory");
	/* Truncated: inside the ELF header. */
	{
		uint8_t *img = synthetic_elf();

		if (img)
			expect_refused(img, 40, 64 * MiB, "truncated");
		free(img);
	}
}


/*
 * The boot layout with N virtio-mmio slots: the ACPI tables the guest
 * finds at LB_BIOS_GPA hold N LNRO0005 nodes, VIO0 to VIO<N-1>, in the
 * order given, with each slot's window and GSI (the slots as the
 * hypervisor numbers them: TANDEM_VIRTIO_MMIO_BASE + slot * stride).
 */
static void expect_guest_vmmio(const void *img, size_t len, unsigned int n,
			       const unsigned int *slots, const char *kind)
{
	struct acpi_virtio_mmio vm[TANDEM_VIRTIO_SLOTS];
	struct linux_boot_cfg cfg = {
		.memory = 64 * MiB, .vcpus = 2, .kernel = img,
		.kernel_len = len, .cmdline = TEST_CMDLINE,
	};
	const struct guest_region *r = NULL;
	const uint8_t *dsdt, *p, *end;
	char err[BZ_ERR_MAX];
	struct linux_boot lb;
	unsigned int i, found = 0;

	for (i = 0; i < n; i++) {
		vm[i].base = TANDEM_VIRTIO_MMIO_BASE +
			     (uint64_t)slots[i] * TANDEM_VIRTIO_MMIO_STRIDE;
		vm[i].gsi = TANDEM_VIRTIO_GSI_BASE + slots[i];
	}
	cfg.vmmio = n ? vm : NULL;
	cfg.nr_vmmio = n;
	if (linux_boot_build(&cfg, &lb, err, sizeof(err))) {
		EXPECT(0, "%s, %u slots: %s", kind, n, err);
		return;
	}
	for (i = 0; i < lb.nr_regions; i++)
		if (lb.region[i].gpa == LB_BIOS_GPA)
			r = &lb.region[i];
	EXPECT(r && r->len <= sizeof(acpi_buf), "%s: no ACPI region", kind);
	if (!r || r->len > sizeof(acpi_buf))
		goto out;
	/* Guest memory from 0xe0000 on, as the regions leave it. */
	memset(acpi_buf, 0, sizeof(acpi_buf));
	EXPECT(guest_read(&lb, LB_BIOS_GPA, acpi_buf, r->len), "%s: read",
	       kind);
	EXPECT(!memcmp(acpi_buf, "RSD PTR ", 8), "%s: RSDP", kind);
	dsdt = find_dsdt(r->len);
	if (!dsdt)
		goto out;
	end = dsdt + le_get32(dsdt, 4);
	for (p = dsdt; p < end;) {
		const uint8_t *hid = memmem(p, end - p, "LNRO0005", 8);
		const uint8_t *node = hid ? hid - 20 : NULL;

		if (!hid)
			break;
		p = hid + 8;
		if (found < n && node >= dsdt && node + 68 <= end) {
			EXPECT(!memcmp(node + 10, "VIO", 3) &&
			       node[13] == '0' + found && node[35] == found,
			       "%s: node %u: name VIO%c uid %u", kind, found,
			       node[13], node[35]);
			EXPECT(le_get32(node, 49) == vm[found].base &&
			       le_get32(node, 62) == vm[found].gsi,
			       "%s: node %u: base %#x gsi %u, want %#llx %u",
			       kind, found, le_get32(node, 49),
			       le_get32(node, 62),
			       (unsigned long long)vm[found].base,
			       vm[found].gsi);
		}
		found++;
	}
	EXPECT(found == n, "%s: %u LNRO0005 nodes, want %u", kind, found, n);
out:
	linux_boot_free(&lb);
}

static void test_boot_layout_describes_the_device_slots(void)
{
	static const unsigned int slots[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	static const unsigned int holes[] = { 2, 0, 7 };
	uint8_t *bz, *elf;
	size_t bz_len;
	unsigned int n;

	bz = synthetic(&bz_len);
	elf = synthetic_elf();
	if (!bz || !elf) {
		EXPECT(0, "out of memory");
		goto out;
	}
	for (n = 0; n <= TANDEM_VIRTIO_SLOTS; n++) {
		expect_guest_vmmio(bz, bz_len, n, slots, "bzImage");
		expect_guest_vmmio(elf, SE_LEN, n, slots, "ELF vmlinux");
	}
	/* After a detach the slots have holes; the order is the caller's. */
	expect_guest_vmmio(bz, bz_len, 3, holes, "bzImage, slots 2 0 7");
out:
	free(bz);
	free(elf);
}

static void test_boot_layout_refuses_bad_slots(void)
{
	struct acpi_virtio_mmio vm[ACPI_VIRTIO_MMIO_MAX + 1] = { { 0 } };
	struct linux_boot_cfg cfg = {
		.memory = 64 * MiB, .vcpus = 1, .vmmio = vm,
	};
	char err[BZ_ERR_MAX];
	struct linux_boot lb;
	size_t len;
	unsigned int i;
	int ret;

	cfg.kernel = synthetic(&len);
	cfg.kernel_len = len;
	if (!cfg.kernel) {
		EXPECT(0, "out of memory");
		return;
	}
	for (i = 0; i <= ACPI_VIRTIO_MMIO_MAX; i++)
		vm[i] = (struct acpi_virtio_mmio){
			TANDEM_VIRTIO_MMIO_BASE + i * TANDEM_VIRTIO_MMIO_STRIDE,
			TANDEM_VIRTIO_GSI_BASE + i };
	cfg.nr_vmmio = ACPI_VIRTIO_MMIO_MAX + 1;
	ret = linux_boot_build(&cfg, &lb, err, sizeof(err));
	EXPECT(ret == -EINVAL && strstr(err, "virtio-mmio"),
	       "too many slots: %d '%s'", ret, err);
	linux_boot_free(&lb);
	cfg.nr_vmmio = 1;
	vm[0].gsi = 5;
	ret = linux_boot_build(&cfg, &lb, err, sizeof(err));
	EXPECT(ret == -EINVAL, "GSI 5: %d", ret);
	linux_boot_free(&lb);
	free((void *)cfg.kernel);
}

static const struct tap_case tests[] = {
	T(test_real_bzimage_header_is_accepted),
	T(test_real_bzimage_entry_is_1mib_plus_0x200),
	T(test_real_boot_params_are_filled_in),
	T(test_real_e820_sorted_and_sane),
	T(test_real_initrd_high_and_announced),
	T(test_real_page_tables_map_all_memory),
	T(test_real_regions_inside_memory_and_disjoint),
	T(test_real_acpi_in_reserved_bios_area),
	T(test_damaged_bad_magic),
	T(test_damaged_truncated_at_several_points),
	T(test_damaged_protocol_2_05_too_old),
	T(test_damaged_no_64bit_entry),
	T(test_damaged_init_size_larger_than_memory),
	T(test_real_initrd_too_large_is_refused),
	T(test_real_command_line_too_long_is_refused),
	T(test_synthetic_fixed_kernel_loads_at_pref_address),
	T(test_real_vmlinux_boots_at_its_entry),
	T(test_synthetic_elf_segments_at_their_physical_addresses),
	T(test_synthetic_elf_boot_params_have_a_made_up_header),
	T(test_synthetic_elf_damaged_is_refused_with_a_reason),
	T(test_acpi_tables_checksum_and_describe_n_vcpus),
	T(test_acpi_build_refuses_bad_arguments),
	T(test_acpi_describes_virtio_mmio_devices),
	T(test_acpi_build_refuses_bad_virtio_mmio),
	T(test_acpi_virtio_mmio_disassembles),
	T(test_boot_layout_describes_the_device_slots),
	T(test_boot_layout_refuses_bad_slots),
	T(test_cfg_every_key_parses),
	T(test_cfg_defaults_and_sizes),
	T(test_cfg_unknown_key),
	T(test_cfg_bad_size),
	T(test_cfg_bad_number),
	T(test_cfg_unterminated_string),
	T(test_cfg_bad_list),
	T(test_cfg_bad_list_items),
	T(test_cfg_duplicate_key),
	T(test_cfg_bad_on_action),
	T(test_cfg_missing_kernel_and_name),
	T(test_cfg_other_syntax_errors),
	T(test_cfg_override_syntax),
	T(test_cfg_override_replaces_the_file),
	T(test_cfg_load_file_relative_paths),
	T(test_cfg_nul_byte_is_refused),
};

int main(void)
{
	size_t i;
	int failed;

	load_vmlinuz();
	load_vmlinux();
	test_initrd = malloc(TEST_INITRD_LEN);
	if (!test_initrd)
		return 1;
	for (i = 0; i < TEST_INITRD_LEN; i++)
		test_initrd[i] = (uint8_t)(i * 7 + 3);
	failed = tap_run(tests, sizeof(tests) / sizeof(tests[0]), NULL);
	free(test_initrd);
	free(vmlinuz);
	free(vmlinux);
	return failed ? 1 : 0;
}
