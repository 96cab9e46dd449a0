/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal ACPI tables describing a Tandem guest's platform: RSDP (2.0),
 * RSDT and XSDT, MADT (one local APIC per vCPU, the I/O APIC, interrupt
 * source overrides), FADT (full hardware model, power-off and reset
 * through I/O ports), FACS and a DSDT holding \_S5, the panic device
 * and, when the caller has any, virtio-mmio devices.
 *
 * Why ACPI and not an MP table: an MP table describes processors and
 * interrupts but gives Linux no way to power the machine off or reset
 * it; with ACPI, "poweroff" becomes a write of SLP_TYP=5 | SLP_EN to
 * PM1a_CNT and "reboot" a write to the FADT's reset register, two port
 * writes the mechanism can trap. Debian's kernel has CONFIG_ACPI=y and
 * finds the RSDP through boot_params.acpi_rsdp_addr (protocol 2.14) or by
 * scanning 0xe0000-0xfffff, where the tables are.
 *
 * The full hardware model (not "hardware reduced") is on purpose: a
 * hardware-reduced FADT makes Linux skip the PIT and the legacy timer
 * setup (acpi_generic_reduced_hw_init()), and the platform has a PIT.
 *
 * No libnl here: the host tests link this file on its own.
 */
#ifndef TANDEM_ACPI_H
#define TANDEM_ACPI_H

#include <stddef.h>
#include <stdint.h>

/*
 * The I/O ports the FADT announces. The mechanism's platform traps them:
 * PM1a_EVT_BLK is 4 bytes (PM1_STS at 0x600, PM1_EN at 0x602), PM1a_CNT_BLK
 * is 2 bytes; a write with SLP_EN (bit 13) and SLP_TYP (bits 10-12) equal
 * to %ACPI_S5_SLP_TYP (0, as in QEMU's PIIX4 and ICH9 tables) is a
 * power-off. A write of %ACPI_RESET_VALUE to %ACPI_RESET_PORT is a reset
 * (reboot). SCI_EN (bit 0 of PM1_CNT) reads as 1: there is no SMI_CMD
 * port, ACPI mode is always on. PM_TMR_BLK is the ACPI PM timer: a 32-bit
 * count at 3.579545 MHz (TMR_VAL_EXT), which Linux calibrates the TSC
 * against when the PIT loop is too slow (as under emulation).
 *
 * Not in the FADT: the panic port %ACPI_PVPANIC_PORT, a DSDT device with
 * the ACPI id QEMU0001 and that port as its resource. Linux's pvpanic
 * driver writes 1 to it when the kernel panics: a crash of the domain.
 */
#define ACPI_PM1A_EVT_PORT	0x600
#define ACPI_PM1A_EVT_LEN	4
#define ACPI_PM1A_CNT_PORT	0x604
#define ACPI_PM1A_CNT_LEN	2
#define ACPI_RESET_PORT		0xcf9
#define ACPI_RESET_VALUE	0x06
#define ACPI_PM_TMR_PORT	0x608
#define ACPI_PM_TMR_LEN		4
#define ACPI_S5_SLP_TYP		0
#define ACPI_SCI_IRQ		9
#define ACPI_PVPANIC_PORT	0x505

#define ACPI_IOAPIC_GPA		0xfec00000U
#define ACPI_LAPIC_GPA		0xfee00000U

/* Room the tables need at most (64 vCPUs): well under 4 KiB. */
#define ACPI_TABLES_MAX		4096

/* Table header and MADT entry types, for the builder and its tests. */
#define ACPI_HDR_LEN		36
#define ACPI_RSDP_LEN		36
#define ACPI_MADT_LAPIC		0
#define ACPI_MADT_IOAPIC	1
#define ACPI_MADT_ISO		2
#define ACPI_MADT_LAPIC_NMI	4

/*
 * A virtio-mmio window the DSDT describes (Documentation/devices.rst):
 * %ACPI_VIRTIO_MMIO_LEN bytes at @base, aligned to that size, below 4 GiB;
 * its interrupt is I/O APIC input @gsi, 16 to 23, level-triggered and
 * active high (the inputs above the ISA range, as PCI interrupts use them
 * on a PC: no override in the MADT needed).
 */
#define ACPI_VIRTIO_MMIO_LEN	0x200
#define ACPI_VIRTIO_MMIO_MAX	8

struct acpi_virtio_mmio {
	uint64_t base;
	uint32_t gsi;
};

size_t acpi_build(void *buf, size_t len, uint64_t gpa, unsigned int vcpus);
size_t acpi_build_devices(void *buf, size_t len, uint64_t gpa,
			  unsigned int vcpus,
			  const struct acpi_virtio_mmio *vmmio,
			  unsigned int nr_vmmio);
uint8_t acpi_checksum(const void *p, size_t len);

#endif /* TANDEM_ACPI_H */
