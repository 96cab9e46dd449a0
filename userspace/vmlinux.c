// SPDX-License-Identifier: GPL-2.0
/*
 * An uncompressed Linux kernel, the ELF "vmlinux" that a bzImage's
 * decompressor would have produced, booted directly.
 *
 * A bzImage spends most of its boot decompressing itself: for Debian's
 * 6.1 kernel (xz), about 4.5 billion instructions before the kernel's
 * clock starts, three quarters of its whole boot to /init. The decompressor
 * ends by jumping to the kernel's startup_64 in 64-bit mode with RSI
 * pointing at boot_params and an identity map in CR3: the state in which
 * the builder starts vCPU 0 anyway. So the builder can do the
 * decompressor's last step itself: load the ELF file's PT_LOAD segments
 * at their physical addresses and start at e_entry (startup_64's physical
 * address). With no setup header in the file, boot_params gets one made
 * up here, with what the kernel reads from it (command line, initrd,
 * loader type). There is no KASLR: the kernel runs where it was linked.
 *
 * The lab extracts vmlinux from its bzImage once (selftests/lab/
 * extract-vmlinux.sh) and boots it where a test needs a Linux guest but
 * not the decompressor (Documentation/guests.rst).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bzimage.h"

#define ELF_ERR(...)	(snprintf(err, errlen, __VA_ARGS__), -EINVAL)

/* What the made-up setup header announces (boot.rst's limits for 2.15). */
#define VMLINUX_PROTOCOL	0x020f
#define VMLINUX_CMDLINE_SIZE	2047	/* x86's COMMAND_LINE_SIZE - 1 */
#define VMLINUX_INITRD_MAX	0x7fffffffU

/**
 * vmlinux_is_elf() - does @img start like an ELF file
 * @img: the file's bytes
 * @len: the file's size
 */
bool vmlinux_is_elf(const void *img, size_t len)
{
	return len >= SELFMAG && !memcmp(img, ELFMAG, SELFMAG);
}

/* "Linux version X ..." in the image: X... up to the end of its line. */
static void find_version(const uint8_t *p, size_t len, char *out, size_t n)
{
	static const char tag[] = "Linux version ";
	const uint8_t *s = memmem(p, len, tag, sizeof(tag) - 1);
	size_t i = 0;

	out[0] = '\0';
	if (!s)
		return;
	s += sizeof(tag) - 1;
	while (i + 1 < n && s + i < p + len && s[i] >= ' ' && s[i] < 0x7f) {
		out[i] = s[i];
		i++;
	}
	out[i] = '\0';
}

/**
 * vmlinux_parse() - check an ELF vmlinux and read its loadable segments
 * @img: the file's bytes
 * @len: the file's size
 * @bz: filled in as a bzImage's header would be (@bz->elf set, segments
 *	in @bz->seg, entry in @bz->entry), with the limits of boot protocol
 *	2.15 since the file has no header to say otherwise
 * @err: the reason when the file is refused
 * @errlen: size of @err
 *
 * Accepted: a 64-bit little-endian x86-64 executable (ET_EXEC) whose
 * program headers and PT_LOAD segments lie inside the file, with 1 to
 * %LB_ELF_MAX_SEGS segments, all at or above 1 MiB and not overlapping,
 * and its entry point inside one of them.
 *
 * Return: 0, or -EINVAL with @err saying why.
 */
int vmlinux_parse(const void *img, size_t len, struct bzimage *bz,
		  char *err, size_t errlen)
{
	const uint8_t *p = img;
	const Elf64_Ehdr *eh = img;
	uint64_t lo = UINT64_MAX, hi = 0;
	unsigned int i, j;
	bool entry_ok = false;

	memset(bz, 0, sizeof(*bz));
	bz->elf = true;
	if (len < sizeof(*eh) || !vmlinux_is_elf(img, len))
		return ELF_ERR("truncated: %zu bytes, shorter than an ELF header",
			       len);
	if (p[EI_CLASS] != ELFCLASS64 || p[EI_DATA] != ELFDATA2LSB)
		return ELF_ERR("not a 64-bit little-endian ELF file (class %u, data %u): a 64-bit x86 kernel is",
			       p[EI_CLASS], p[EI_DATA]);
	if (eh->e_machine != EM_X86_64)
		return ELF_ERR("ELF machine %u is not x86-64 (%u)",
			       eh->e_machine, EM_X86_64);
	if (eh->e_type != ET_EXEC)
		return ELF_ERR("ELF type %u is not an executable (ET_EXEC): a kernel's vmlinux is one",
			       eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || !eh->e_phnum ||
	    eh->e_phoff > len ||
	    (len - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		return ELF_ERR("truncated or bad program headers: %u of %u bytes at offset %llu in a %zu-byte file",
			       eh->e_phnum, eh->e_phentsize,
			       (unsigned long long)eh->e_phoff, len);

	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(p + eh->e_phoff +
						      i * sizeof(*ph));
		struct lb_segment *s;

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		if (bz->nr_segs == LB_ELF_MAX_SEGS)
			return ELF_ERR("more than %d PT_LOAD segments",
				       LB_ELF_MAX_SEGS);
		if (ph->p_filesz > ph->p_memsz || ph->p_offset > len ||
		    len - ph->p_offset < ph->p_filesz)
			return ELF_ERR("truncated: segment %u (%llu bytes at offset %llu) is not inside the %zu-byte file",
				       i, (unsigned long long)ph->p_filesz,
				       (unsigned long long)ph->p_offset, len);
		if (ph->p_paddr < LB_KERNEL_GPA ||
		    ph->p_paddr + ph->p_memsz < ph->p_paddr ||
		    ph->p_paddr + ph->p_memsz > LB_MEM_MAX)
			return ELF_ERR("segment %u at physical 0x%llx-0x%llx is outside guest RAM from 1 MiB (below it are the boot structures)",
				       i, (unsigned long long)ph->p_paddr,
				       (unsigned long long)(ph->p_paddr +
							    ph->p_memsz));
		s = &bz->seg[bz->nr_segs++];
		s->gpa = ph->p_paddr;
		s->off = ph->p_offset;
		s->filesz = ph->p_filesz;
		s->memsz = ph->p_memsz;
		if (s->gpa < lo)
			lo = s->gpa;
		if (s->gpa + s->memsz > hi)
			hi = s->gpa + s->memsz;
		if (eh->e_entry >= s->gpa && eh->e_entry < s->gpa + s->memsz)
			entry_ok = true;
	}
	if (!bz->nr_segs)
		return ELF_ERR("no PT_LOAD segment: nothing to load");
	for (i = 0; i < bz->nr_segs; i++)
		for (j = i + 1; j < bz->nr_segs; j++) {
			const struct lb_segment *a = &bz->seg[i], *b = &bz->seg[j];

			if (a->gpa < b->gpa + b->memsz &&
			    b->gpa < a->gpa + a->memsz)
				return ELF_ERR("segments at 0x%llx and 0x%llx overlap",
					       (unsigned long long)a->gpa,
					       (unsigned long long)b->gpa);
		}
	if (!entry_ok)
		return ELF_ERR("entry point 0x%llx is in no PT_LOAD segment",
			       (unsigned long long)eh->e_entry);

	bz->entry = eh->e_entry;
	bz->version = VMLINUX_PROTOCOL;
	bz->loadflags = BZ_LOADED_HIGH;
	bz->xloadflags = BZ_XLF_KERNEL_64;
	bz->relocatable = false;
	bz->pref_address = lo;
	bz->kernel_len = hi - lo;
	bz->init_size = hi - lo;
	bz->initrd_addr_max = VMLINUX_INITRD_MAX;
	bz->cmdline_size = VMLINUX_CMDLINE_SIZE;
	find_version(p, len, bz->kernel_version, sizeof(bz->kernel_version));
	return 0;
}
