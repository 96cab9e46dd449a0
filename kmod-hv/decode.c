// SPDX-License-Identifier: GPL-2.0
/*
 * Reading guest instructions and decoding the forms that touch devices.
 *
 * QEMU's SVM has neither decode assists nor next-RIP saving, so on a
 * nested page fault for MMIO the mechanism learns only the GPA: the
 * instruction is fetched through the guest's page tables and decoded here
 * (direction, width, register or immediate operand, length). The same
 * decoder gives the length of any instruction the hardware did not
 * measure. Only what guests use for device access is understood, and the
 * MOV to control and debug register forms whose exits SVM must emulate
 * without decode assists; anything else is reported as undecodable and the
 * domain is crashed.
 */
#include <linux/highmem.h>

#include "tandem_hv.h"
#include "decode.h"

/* Architectural paging structures (SDM Vol. 3 4.3-4.5, APM Vol. 2 5.3). */
#define PTE_P		BIT_ULL(0)
#define PTE_PS		BIT_ULL(7)
#define PTE_ADDR	GENMASK_ULL(51, 12)

static int tandem_gpa_read(struct tandem_domain *dom, u64 gpa, void *buf,
			   size_t len)
{
	if (!tandem_mem_range_ok(&dom->mem, gpa, len))
		return -EFAULT;
	tandem_mem_read(&dom->mem, gpa, buf, len);
	return 0;
}

/*
 * One paging-structure entry, loaded in place: every MMIO exit walks the
 * guest's tables, and a copy through tandem_mem_read() costs more than
 * the walk. Entries are naturally aligned, so none crosses a page.
 */
static int tandem_pte_read(struct tandem_domain *dom, u64 gpa, u64 *pte,
			   bool wide)
{
	void *va;

	if (!tandem_mem_range_ok(&dom->mem, gpa, wide ? 8 : 4))
		return -EFAULT;
	va = kmap_local_page(dom->mem.pages[gpa >> PAGE_SHIFT]) +
	     offset_in_page(gpa);
	*pte = wide ? READ_ONCE(*(u64 *)va) : READ_ONCE(*(u32 *)va);
	kunmap_local(va);
	return 0;
}

/**
 * tandem_gva_to_gpa() - translate a guest linear address
 * @dom: the domain whose RAM holds the page tables
 * @regs: CR0, CR3, CR4 and EFER of the vCPU
 * @gva: linear address
 * @gpa: set to the guest-physical address
 *
 * Permissions are not checked: the walk serves instructions the guest has
 * already executed.
 *
 * Return: 0, or -EFAULT when the address is not mapped.
 */
int tandem_gva_to_gpa(struct tandem_domain *dom,
		      const struct tandem_vcpu_regs *regs, u64 gva, u64 *gpa)
{
	bool pae = regs->cr4 & X86_CR4_PAE;
	bool lma = regs->efer & EFER_LMA;
	int levels, shift, i;
	u64 table, pte;

	if (!(regs->cr0 & X86_CR0_PG)) {
		*gpa = gva & 0xffffffff;
		return 0;
	}
	if (lma) {
		levels = (regs->cr4 & X86_CR4_LA57) ? 5 : 4;
		table = regs->cr3 & PTE_ADDR;
	} else if (pae) {
		u64 pdpte;

		gva &= 0xffffffff;
		if (tandem_pte_read(dom, (regs->cr3 & 0xffffffe0) +
				    ((gva >> 30) & 3) * 8, &pdpte, true) ||
		    !(pdpte & PTE_P))
			return -EFAULT;
		levels = 2;
		table = pdpte & PTE_ADDR;
	} else {
		gva &= 0xffffffff;
		/* Two levels of 1024 four-byte entries. */
		table = regs->cr3 & 0xfffff000;
		for (i = 0; i < 2; i++) {
			shift = i ? 12 : 22;
			if (tandem_pte_read(dom, table + ((gva >> shift) & 0x3ff) * 4,
					    &pte, false) || !(pte & PTE_P))
				return -EFAULT;
			if (!i && (pte & PTE_PS) && (regs->cr4 & X86_CR4_PSE)) {
				*gpa = (pte & 0xffc00000) | (gva & 0x3fffff);
				return 0;
			}
			table = pte & 0xfffff000;
		}
		*gpa = table | (gva & 0xfff);
		return 0;
	}

	for (i = levels - 1; i >= 0; i--) {
		shift = 12 + 9 * i;
		if (tandem_pte_read(dom, table + ((gva >> shift) & 0x1ff) * 8,
				    &pte, true) || !(pte & PTE_P))
			return -EFAULT;
		if (i && i <= 2 && (pte & PTE_PS)) {
			u64 mask = BIT_ULL(shift) - 1;

			*gpa = (pte & PTE_ADDR & ~mask) | (gva & mask);
			return 0;
		}
		table = pte & PTE_ADDR;
	}
	*gpa = table | (gva & 0xfff);
	return 0;
}

/**
 * tandem_guest_read_virt() - copy bytes from a guest linear address
 * @dom: the domain
 * @regs: the vCPU's paging state
 * @gva: linear address
 * @buf: destination
 * @len: bytes, crossing pages as needed
 *
 * Return: 0 or -EFAULT.
 */
int tandem_guest_read_virt(struct tandem_domain *dom,
			   const struct tandem_vcpu_regs *regs, u64 gva,
			   void *buf, size_t len)
{
	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - offset_in_page(gva));
		u64 gpa;

		if (tandem_gva_to_gpa(dom, regs, gva, &gpa) ||
		    tandem_gpa_read(dom, gpa, buf, n))
			return -EFAULT;
		gva += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Code size from CS: 16, 32 or 64-bit (SDM Vol. 3 3.4.5). */
static int tandem_code_bits(const struct tandem_vcpu_regs *regs)
{
	if (!(regs->cr0 & X86_CR0_PE))
		return 16;
	if ((regs->efer & EFER_LMA) && (regs->cs.attrib & BIT(9)))
		return 64;
	return (regs->cs.attrib & BIT(10)) ? 32 : 16;
}

/* Bytes of ModRM + SIB + displacement that follow the opcode. */
static int tandem_modrm_len(const u8 *p, const u8 *end, int addr_bits)
{
	u8 modrm, mod, rm;
	int len = 1;

	if (p >= end)
		return -EINVAL;
	modrm = p[0];
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3)
		return 1;
	if (addr_bits == 16) {
		if (mod == 0 && rm == 6)
			return 3;
		return 1 + (mod == 1 ? 1 : mod == 2 ? 2 : 0);
	}
	if (rm == 4) {
		if (p + 1 >= end)
			return -EINVAL;
		len++;
		/* SIB with no base: a 32-bit displacement. */
		if (mod == 0 && (p[1] & 7) == 5)
			return len + 4;
	}
	if (mod == 0 && rm == 5)
		return len + 4;
	return len + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
}

/**
 * tandem_decode() - decode one instruction
 * @insn: the bytes at RIP (up to 15)
 * @avail: how many of them are valid
 * @regs: the vCPU state (for the code size)
 * @d: filled in
 *
 * Return: 0 when the instruction is understood (d->len always set),
 * -EOPNOTSUPP for a form the decoder does not know, -EINVAL for garbage.
 */
int tandem_decode(const u8 *insn, int avail,
		  const struct tandem_vcpu_regs *regs, struct tandem_insn *d)
{
	int code_bits = tandem_code_bits(regs);
	int opsize = code_bits == 16 ? 2 : 4;
	int addr_bits = code_bits;
	const u8 *p = insn, *end = insn + avail;
	u8 rex = 0, op;
	bool lock = false;
	int n;

	memset(d, 0, sizeof(*d));
	/* Legacy prefixes, then REX in 64-bit mode (SDM Vol. 2 2.1, 2.2.1). */
	for (; p < end; p++) {
		switch (*p) {
		case 0x66:
			opsize = code_bits == 16 ? 4 : 2;
			continue;
		case 0x67:
			addr_bits = code_bits == 64 ? 32 :
				    code_bits == 32 ? 16 : 32;
			continue;
		case 0xf3:
			d->rep = true;
			continue;
		case 0xf0:
			lock = true;
			continue;
		case 0xf2:
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
			continue;
		}
		break;
	}
	if (code_bits == 64 && p < end && (*p & 0xf0) == 0x40)
		rex = *p++;
	if (rex & 8)
		opsize = 8;
	if (p >= end)
		return -EINVAL;
	d->addr_bits = addr_bits;
	op = *p++;

	switch (op) {
	case 0x88: case 0x89: case 0x8a: case 0x8b:
		/* MOV r/m, reg and MOV reg, r/m */
		d->kind = TANDEM_INSN_MOV;
		d->size = (op & 1) ? opsize : 1;
		d->write = !(op & 2);
		break;
	case 0xc6: case 0xc7:
		/* MOV r/m, imm */
		d->kind = TANDEM_INSN_MOV_IMM;
		d->size = (op & 1) ? opsize : 1;
		d->write = true;
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		/* MOV AL/eAX, moffs and back */
		d->kind = TANDEM_INSN_MOV;
		d->size = (op & 1) ? opsize : 1;
		d->write = op >= 0xa2;
		d->reg = TANDEM_RAX;
		p += addr_bits / 8;
		goto done;
	case 0x0f:
		if (p >= end)
			return -EINVAL;
		op = *p++;
		/* CPUID, WRMSR, RDMSR: for their length */
		if (op == 0xa2 || op == 0x30 || op == 0x32) {
			d->kind = TANDEM_INSN_OTHER;
			goto done;
		}
		/* VMCALL, VMMCALL, XSETBV */
		if (op == 0x01 && p < end &&
		    (*p == 0xc1 || *p == 0xd9 || *p == 0xd1)) {
			d->kind = TANDEM_INSN_OTHER;
			p++;
			goto done;
		}
		if (op == 0x22 || op == 0x21 || op == 0x23)
			goto mov_ctl;
		if (op != 0xb6 && op != 0xb7 && op != 0xbe && op != 0xbf)
			return -EOPNOTSUPP;
		d->kind = (op & 8) ? TANDEM_INSN_MOVSX : TANDEM_INSN_MOVZX;
		d->size = (op & 1) ? 2 : 1;
		d->dst_size = opsize;
		break;
	case 0x6c: case 0x6d: case 0x6e: case 0x6f:
		/* INS and OUTS */
		d->kind = TANDEM_INSN_STRING_IO;
		d->size = (op & 1) ? min(opsize, 4) : 1;
		goto done;
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:
		/* IN/OUT with an immediate port */
		d->kind = TANDEM_INSN_OTHER;
		p++;
		goto done;
	case 0xec: case 0xed: case 0xee: case 0xef:
	case 0xf4:
		d->kind = TANDEM_INSN_OTHER;
		goto done;
	default:
		return -EOPNOTSUPP;
	}

	/* ModRM forms: reg is the register operand, r/m the memory. */
	if (p >= end)
		return -EINVAL;
	d->reg = ((*p >> 3) & 7) | ((rex & 4) ? 8 : 0);
	/* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
	d->high_byte = d->size == 1 && !rex && d->reg >= 4 &&
		       d->kind != TANDEM_INSN_MOVZX && d->kind != TANDEM_INSN_MOVSX;
	if (d->high_byte)
		d->reg -= 4;
	n = tandem_modrm_len(p, end, addr_bits);
	if (n < 0)
		return n;
	if ((*p >> 6) == 3)
		return -EOPNOTSUPP;	/* register operand: not memory */
	p += n;
	if (d->kind == TANDEM_INSN_MOV_IMM) {
		int isize = min(d->size, 4);

		if (p + isize > end)
			return -EINVAL;
		memcpy(&d->imm, p, isize);
		/* imm32 is sign-extended to 64 bits. */
		if (d->size == 8)
			d->imm = (s64)(s32)d->imm;
		p += isize;
	}
done:
	if (p > end)
		return -EINVAL;
	d->len = p - insn;
	return 0;

mov_ctl:
	/*
	 * MOV to CRn, MOV from/to DRn (0F 22, 0F 21, 0F 23 /r; SDM Vol. 2B):
	 * ModRM.reg (with REX.R) names the control or debug register, r/m
	 * (with REX.B) the general register whatever mod says. The operand
	 * is 64 bits in 64-bit mode and 32 bits elsewhere, prefixes aside;
	 * LOCK MOV CR0 is CR8 on AMD (APM Vol. 3, MOV CRn).
	 */
	if (p >= end)
		return -EINVAL;
	d->kind = op == 0x22 ? TANDEM_INSN_MOV_TO_CR :
		  op == 0x21 ? TANDEM_INSN_MOV_FROM_DR : TANDEM_INSN_MOV_TO_DR;
	d->ctl = ((*p >> 3) & 7) | ((rex & 4) ? 8 : 0);
	d->reg = (*p & 7) | ((rex & 1) ? 8 : 0);
	if (op == 0x22 && lock && d->ctl == 0)
		d->ctl = 8;
	d->size = code_bits == 64 ? 8 : 4;
	d->write = op != 0x21;
	p++;
	goto done;
}

/**
 * tandem_fetch_insn() - read the instruction at the vCPU's RIP
 * @dom: the domain
 * @regs: the vCPU state
 * @buf: 15 bytes
 *
 * Return: the number of bytes read (an instruction may end before a page
 * that is not mapped), or -EFAULT.
 */
int tandem_fetch_insn(struct tandem_domain *dom,
		      const struct tandem_vcpu_regs *regs, u8 *buf)
{
	u64 rip = regs->cs.base + regs->rip;
	size_t first;

	if (tandem_code_bits(regs) != 64)
		rip &= 0xffffffff;
	first = min_t(size_t, TANDEM_INSN_MAX, PAGE_SIZE - offset_in_page(rip));
	if (tandem_guest_read_virt(dom, regs, rip, buf, first))
		return -EFAULT;
	if (first < TANDEM_INSN_MAX &&
	    !tandem_guest_read_virt(dom, regs, rip + first, buf + first,
				    TANDEM_INSN_MAX - first))
		first = TANDEM_INSN_MAX;
	return first;
}
