/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Linux x86 boot protocol (Documentation/x86/boot.rst of the kernel
 * source): a bzImage's setup header, and a Linux guest's boot memory and
 * vCPU 0 state for the 64-bit entry point.
 *
 * Pure functions, no libnl and no I/O: the caller reads the files, and
 * writes the regions and registers into the domain (cmd_create_cfg.c); the
 * host tests call the same functions. Documentation/guests.rst shows the
 * memory layout.
 */
#ifndef TANDEM_BZIMAGE_H
#define TANDEM_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tandem.h>

struct acpi_virtio_mmio;

/* Enough for any message of this file, with a path in front. */
#define BZ_ERR_MAX	256

/* Offsets in the image and in boot_params (the zero page). */
#define BZ_SETUP_SECTS		0x1f1	/* u8: 512-byte sectors of setup */
#define BZ_SYSSIZE		0x1f4	/* u32: protected-mode code / 16 */
#define BZ_VID_MODE		0x1fa	/* u16 */
#define BZ_BOOT_FLAG		0x1fe	/* u16: 0xaa55 */
#define BZ_JUMP			0x200	/* u16: 0xeb, header end - 0x202 */
#define BZ_HEADER		0x202	/* u32: "HdrS" */
#define BZ_VERSION		0x206	/* u16: protocol, 0x020f is 2.15 */
#define BZ_KERNEL_VERSION	0x20e	/* u16: string offset - 0x200 */
#define BZ_TYPE_OF_LOADER	0x210	/* u8 */
#define BZ_LOADFLAGS		0x211	/* u8 */
#define BZ_CODE32_START		0x214	/* u32 */
#define BZ_RAMDISK_IMAGE	0x218	/* u32 */
#define BZ_RAMDISK_SIZE		0x21c	/* u32 */
#define BZ_HEAP_END_PTR		0x224	/* u16 */
#define BZ_CMD_LINE_PTR		0x228	/* u32 */
#define BZ_INITRD_ADDR_MAX	0x22c	/* u32 */
#define BZ_KERNEL_ALIGNMENT	0x230	/* u32 */
#define BZ_RELOCATABLE		0x234	/* u8 */
#define BZ_XLOADFLAGS		0x236	/* u16 */
#define BZ_CMDLINE_SIZE		0x238	/* u32 */
#define BZ_HARDWARE_SUBARCH	0x23c	/* u32 */
#define BZ_PREF_ADDRESS		0x258	/* u64 */
#define BZ_INIT_SIZE		0x260	/* u32 */

#define BP_ACPI_RSDP_ADDR	0x070	/* u64, protocol 2.14 */
#define BP_EXT_RAMDISK_IMAGE	0x0c0	/* u32: high half */
#define BP_EXT_RAMDISK_SIZE	0x0c4	/* u32 */
#define BP_EXT_CMD_LINE_PTR	0x0c8	/* u32 */
#define BP_E820_ENTRIES		0x1e8	/* u8 */
#define BP_HDR_LIMIT		0x290	/* the setup header ends before */
#define BP_E820_TABLE		0x2d0	/* 20-byte entries */
#define BP_E820_MAX		128
#define BP_SIZE			4096

#define BZ_BOOT_FLAG_MAGIC	0xaa55
#define BZ_HEADER_MAGIC		0x53726448	/* "HdrS" */
#define BZ_MIN_VERSION		0x020c	/* 2.12: xloadflags, 64-bit entry */

#define BZ_LOADED_HIGH		0x01
#define BZ_CAN_USE_HEAP		0x80
#define BZ_XLF_KERNEL_64	0x01

#define E820_RAM		1
#define E820_RESERVED		2

/*
 * Guest-physical layout of a Linux guest (Documentation/guests.rst). All
 * fixed structures sit in the first MiB; the kernel goes to 1 MiB (or its
 * pref_address when it is not relocatable), the initrd to the top.
 */
#define LB_GDT_GPA		0x1000ULL
#define LB_STACK_TOP		0x7000ULL	/* RSP; grows down to 0x2000 */
#define LB_BOOT_PARAMS_GPA	0x7000ULL
#define LB_PAGE_TABLES_GPA	0x10000ULL	/* PML4, PDPT, then the PDs */
#define LB_CMDLINE_GPA		0x20000ULL
#define LB_CMDLINE_MAX		0x10000ULL	/* room up to the next area */
#define LB_EBDA_GPA		0x9fc00ULL	/* reserved, left empty */
#define LB_LOW_RAM_END		0xa0000ULL	/* 640 KiB */
#define LB_BIOS_GPA		0xe0000ULL	/* ACPI tables, reserved */
#define LB_BIOS_END		0x100000ULL
#define LB_KERNEL_GPA		0x100000ULL	/* 1 MiB */
#define LB_IOAPIC_GPA		0xfec00000ULL
#define LB_LAPIC_GPA		0xfee00000ULL
#define LB_MMIO_SIZE		0x1000ULL
/* Guest RAM is contiguous from 0: it must end below the I/O APIC. */
#define LB_MEM_MAX		LB_IOAPIC_GPA

/* PT_LOAD segments of an ELF vmlinux (vmlinux.c); Debian's has four. */
#define LB_ELF_MAX_SEGS		8

/* Regions of a built guest: GDT, boot_params, page tables, command line,
 * ACPI tables, the kernel (one region, or one per ELF segment), initrd.
 */
#define LB_MAX_REGIONS		(6 + LB_ELF_MAX_SEGS)

/**
 * struct lb_segment - a PT_LOAD segment of an ELF vmlinux
 * @gpa: its physical address
 * @off: where its bytes are in the file
 * @filesz: how many bytes the file has
 * @memsz: how many it occupies (the rest is zero)
 */
struct lb_segment {
	uint64_t gpa;
	uint64_t off;
	uint64_t filesz;
	uint64_t memsz;
};

/**
 * struct bzimage - what the setup header of a bzImage says (or, for an
 *	ELF vmlinux, what it would say: see vmlinux_parse())
 * @version: boot protocol version, e.g. 0x020f for 2.15
 * @setup_size: bytes of real-mode setup, (setup_sects + 1) * 512
 * @kernel_off: offset of the protected-mode kernel in the file
 * @kernel_len: its length, syssize * 16
 * @header_end: offset just past the setup header, 0x202 + byte at 0x201
 * @loadflags: the header's loadflags
 * @xloadflags: the header's xloadflags
 * @relocatable: the kernel may be loaded at any @alignment boundary
 * @alignment: kernel_alignment
 * @pref_address: where it prefers to run (where it runs if not relocatable)
 * @init_size: bytes it needs from its runtime start before it reads the
 *	memory map
 * @initrd_addr_max: highest address the initrd may occupy
 * @cmdline_size: longest command line, without the NUL
 * @kernel_version: the image's version string ("" if it has none)
 * @elf: an uncompressed ELF vmlinux, not a bzImage
 * @entry: ELF only: the physical entry point (startup_64)
 * @seg: ELF only: the PT_LOAD segments, @nr_segs of them
 * @nr_segs: ELF only: entries used in @seg
 */
struct bzimage {
	uint16_t version;
	size_t setup_size;
	size_t kernel_off;
	size_t kernel_len;
	size_t header_end;
	uint8_t loadflags;
	uint16_t xloadflags;
	bool relocatable;
	uint32_t alignment;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
	char kernel_version[128];
	bool elf;
	uint64_t entry;
	struct lb_segment seg[LB_ELF_MAX_SEGS];
	unsigned int nr_segs;
};

/**
 * struct guest_region - bytes to write into guest memory
 * @gpa: guest-physical address of the first byte
 * @data: the bytes (owned by &struct linux_boot or by the caller's image)
 * @len: how many
 * @what: a name for progress and error messages ("kernel", "initrd", ...)
 */
struct guest_region {
	uint64_t gpa;
	const void *data;
	size_t len;
	const char *what;
};

/**
 * struct linux_boot_cfg - what to boot
 * @memory: bytes of guest RAM (as granted)
 * @vcpus: number of vCPUs, for the ACPI tables
 * @kernel: the bzImage or ELF vmlinux file's bytes
 * @kernel_len: its size
 * @initrd: the initrd's bytes, or NULL
 * @initrd_len: its size
 * @cmdline: the kernel command line ("" or NULL for none)
 * @vmmio: the virtio-mmio slots of the devices attached, for the DSDT
 *	(NULL when none)
 * @nr_vmmio: entries of @vmmio, at most %ACPI_VIRTIO_MMIO_MAX
 */
struct linux_boot_cfg {
	uint64_t memory;
	uint32_t vcpus;
	const void *kernel;
	size_t kernel_len;
	const void *initrd;
	size_t initrd_len;
	const char *cmdline;
	const struct acpi_virtio_mmio *vmmio;
	unsigned int nr_vmmio;
};

/**
 * struct linux_boot - a Linux guest ready to be written into a domain
 * @region: what to write, in this order; @nr_regions of them
 * @nr_regions: entries used in @region
 * @regs: vCPU 0 at the 64-bit entry point
 * @image: the parsed setup header
 * @kernel_gpa: where the protected-mode kernel is loaded
 * @entry: startup_64: @kernel_gpa + 0x200 (bzImage), e_entry (ELF)
 * @run_start: where the kernel will decompress itself and run (ELF: where
 *	it is loaded)
 * @run_end: @run_start + init_size
 * @initrd_gpa: where the initrd is (0: none)
 * @boot_params: the zero page, %BP_SIZE bytes (owned)
 * @gdt: the boot GDT (owned)
 * @page_tables: identity map of guest RAM (owned)
 * @cmdline: the command line with its NUL (owned)
 * @acpi: the ACPI tables (owned)
 */
struct linux_boot {
	struct guest_region region[LB_MAX_REGIONS];
	unsigned int nr_regions;
	struct tandem_vcpu_regs regs;
	struct bzimage image;
	uint64_t kernel_gpa;
	uint64_t entry;
	uint64_t run_start;
	uint64_t run_end;
	uint64_t initrd_gpa;
	uint8_t *boot_params;
	uint64_t *gdt;
	uint64_t *page_tables;
	char *cmdline;
	uint8_t *acpi;
};

int bzimage_parse(const void *img, size_t len, struct bzimage *bz,
		  char *err, size_t errlen);
bool vmlinux_is_elf(const void *img, size_t len);
int vmlinux_parse(const void *img, size_t len, struct bzimage *bz,
		  char *err, size_t errlen);
int linux_image_parse(const void *img, size_t len, struct bzimage *bz,
		      char *err, size_t errlen);
int linux_boot_build(const struct linux_boot_cfg *cfg, struct linux_boot *lb,
		     char *err, size_t errlen);
void linux_boot_free(struct linux_boot *lb);

#endif /* TANDEM_BZIMAGE_H */
