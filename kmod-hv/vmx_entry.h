/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMX entry and exit code in vmx_entry.S, used by vmx.c only.
 */
#ifndef TANDEM_VMX_ENTRY_H
#define TANDEM_VMX_ENTRY_H

/**
 * tandem_vmx_enter() - VMLAUNCH or VMRESUME the current VMCS
 * @regs: the guest's GPRs in &enum tandem_reg order (RSP is not used),
 *	loaded before the entry and stored back after the exit
 * @host_rsp: the HOST_RSP last written to the VMCS, updated when it changes
 * @launched: VMRESUME when not 0, else VMLAUNCH
 *
 * Called with interrupts disabled.
 *
 * Return: 0 after a VM exit (check the exit reason for a failed entry),
 * 1 when the instruction failed (VM-instruction error in the VMCS).
 */
int tandem_vmx_enter(unsigned long *regs, unsigned long *host_rsp,
		     unsigned int launched);

/* HOST_RIP: where VM exits land, inside tandem_vmx_enter(). */
void tandem_vmx_exit(void);

/**
 * tandem_vmx_do_nmi() - run the host's NMI handler for an NMI that caused
 * a VM exit, on an interrupt frame whose IRET unblocks NMIs
 */
void tandem_vmx_do_nmi(void);

#endif /* TANDEM_VMX_ENTRY_H */
