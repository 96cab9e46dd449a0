/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The instruction decoder used for MMIO and for instruction lengths.
 */
#ifndef TANDEM_DECODE_H
#define TANDEM_DECODE_H

#include <linux/types.h>

struct tandem_domain;
struct tandem_vcpu_regs;

#define TANDEM_INSN_MAX		15

enum tandem_insn_kind {
	TANDEM_INSN_OTHER,	/* understood for its length only */
	TANDEM_INSN_MOV,	/* MOV between a register and memory */
	TANDEM_INSN_MOV_IMM,	/* MOV of an immediate to memory */
	TANDEM_INSN_MOVZX,	/* MOVZX register, memory */
	TANDEM_INSN_MOVSX,	/* MOVSX register, memory */
	TANDEM_INSN_STRING_IO,	/* INS/OUTS */
	TANDEM_INSN_MOV_TO_CR,	/* MOV CRn, reg */
	TANDEM_INSN_MOV_FROM_DR, /* MOV reg, DRn */
	TANDEM_INSN_MOV_TO_DR,	/* MOV DRn, reg */
};

/**
 * struct tandem_insn - a decoded instruction
 * @kind: &enum tandem_insn_kind
 * @len: its length in bytes
 * @size: bytes of memory accessed
 * @dst_size: MOVZX/MOVSX: bytes of the destination register
 * @write: the instruction writes memory
 * @reg: register operand, &enum tandem_reg
 * @ctl: MOV_TO_CR, MOV_FROM_DR, MOV_TO_DR: the control or debug register
 * @high_byte: the register operand is AH, CH, DH or BH
 * @rep: REP prefix
 * @addr_bits: address size: 16, 32 or 64
 * @imm: MOV_IMM: the immediate
 */
struct tandem_insn {
	u8 kind;
	u8 len;
	u8 size;
	u8 dst_size;
	bool write;
	u8 reg;
	u8 ctl;
	bool high_byte;
	bool rep;
	u8 addr_bits;
	u64 imm;
};

int tandem_gva_to_gpa(struct tandem_domain *dom,
		      const struct tandem_vcpu_regs *regs, u64 gva, u64 *gpa);
int tandem_guest_read_virt(struct tandem_domain *dom,
			   const struct tandem_vcpu_regs *regs, u64 gva,
			   void *buf, size_t len);
int tandem_fetch_insn(struct tandem_domain *dom,
		      const struct tandem_vcpu_regs *regs, u8 *buf);
int tandem_decode(const u8 *insn, int avail,
		  const struct tandem_vcpu_regs *regs, struct tandem_insn *d);

#endif /* TANDEM_DECODE_H */
