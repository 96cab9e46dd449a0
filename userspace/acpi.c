// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI tables for a Tandem guest (see acpi.h for why ACPI, and for the
 * ports the FADT announces). Layouts follow the ACPI 6.0 specification:
 * RSDP 5.2.5, table header 5.2.6, RSDT 5.2.7, XSDT 5.2.8, FADT 5.2.9,
 * FACS 5.2.10, DSDT 5.2.11.1, MADT 5.2.12; generic address structure
 * 5.2.3.2. Everything is written byte by byte, little endian, so that no
 * structure padding can creep in.
 */
#include <string.h>

#include "acpi.h"
#include "le.h"

#define OEM_ID		"TANDEM"	/* 6 bytes */
#define OEM_TABLE_ID	"TANDEMVM"	/* 8 bytes */
#define CREATOR_ID	"TNDM"

#define FADT_LEN	276	/* revision 6 */
#define FACS_LEN	64
#define MADT_LAPIC_LEN	8
#define MADT_IOAPIC_LEN	12
#define MADT_ISO_LEN	10
#define MADT_NMI_LEN	6

/* FADT fixed feature flags (5.2.9, table 5-35) and IA-PC boot flags. */
#define FADT_F_WBINVD		(1U << 0)
#define FADT_F_PROC_C1		(1U << 2)
#define FADT_F_TMR_VAL_EXT	(1U << 8)	/* the PM timer has 32 bits */
#define FADT_F_PWR_BUTTON	(1U << 4)	/* no fixed power button */
#define FADT_F_SLP_BUTTON	(1U << 5)	/* no fixed sleep button */
#define FADT_F_RESET_REG_SUP	(1U << 10)
#define FADT_BOOT_LEGACY_DEVICES	(1U << 0)	/* UART, RTC, PIT */
#define FADT_BOOT_VGA_NOT_PRESENT	(1U << 2)
#define FADT_BOOT_MSI_NOT_SUPPORTED	(1U << 3)
/* No FADT_BOOT_8042: the platform has no keyboard controller. */

#define GAS_SYSTEM_IO	1
#define GAS_ACCESS_BYTE	1
#define GAS_ACCESS_WORD	2
#define GAS_ACCESS_DWORD 3

/**
 * acpi_checksum() - the byte that makes @len bytes at @p sum to zero
 * @p: the bytes (with their checksum field, if any, set to 0)
 * @len: how many
 *
 * Return: the checksum to store; 0 when the bytes already sum to zero.
 */
uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return (uint8_t)-sum;
}

/* The common header (5.2.6); the checksum is filled in by table_done(). */
static void table_header(uint8_t *t, const char *sig, uint32_t len,
			 uint8_t revision)
{
	memcpy(t, sig, 4);
	le_put32(t, 4, len);
	le_put8(t, 8, revision);
	memcpy(t + 10, OEM_ID, 6);
	memcpy(t + 16, OEM_TABLE_ID, 8);
	le_put32(t, 24, 1);			/* OEM revision */
	memcpy(t + 28, CREATOR_ID, 4);
	le_put32(t, 32, 1);			/* creator revision */
}

static void table_done(uint8_t *t, uint32_t len)
{
	t[9] = 0;
	t[9] = acpi_checksum(t, len);
}

/* A generic address structure for @len bytes of I/O ports at @port. */
static void put_gas_io(uint8_t *p, size_t off, uint16_t port, uint8_t len)
{
	le_put8(p, off, GAS_SYSTEM_IO);
	le_put8(p, off + 1, len * 8);
	le_put8(p, off + 2, 0);
	le_put8(p, off + 3, len == 1 ? GAS_ACCESS_BYTE :
			 len == 2 ? GAS_ACCESS_WORD : GAS_ACCESS_DWORD);
	le_put64(p, off + 4, port);
}

/*
 * DefinitionBlock content (ACPI 6.0 chapter 20, AML):
 *
 * Name (_S5, Package (4) { 0, 0, 0, 0 }): the SLP_TYPa/SLP_TYPb values
 * Linux writes to PM1a_CNT to power off (7.4.2). NameOp "_S5_" PackageOp
 * PkgLength NumElements BytePrefix SLP_TYP BytePrefix SLP_TYP ZeroOp ZeroOp.
 *
 * Device (\_SB.PEVT) { Name (_HID, "QEMU0001") Name (_CRS,
 * ResourceTemplate () { IO (Decode16, 0x505, 0x505, 1, 1) }) }: the panic
 * port (ACPI_PVPANIC_PORT), under the ACPI id Linux's pvpanic driver
 * binds. DeviceOp is ExtOpPrefix 0x82 with a PkgLength; the name is
 * RootChar DualNamePrefix "_SB_" "PEVT"; the string _HID is StringPrefix
 * and a NUL-terminated string; _CRS is a Buffer (BufferOp PkgLength
 * BytePrefix size) holding an I/O port descriptor (6.4.2.5: 0x47,
 * decode16, min, max, alignment, length) and the end tag (6.4.2.9).
 */
static const uint8_t dsdt_aml[] = {
	0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
	0x0a, ACPI_S5_SLP_TYP, 0x0a, ACPI_S5_SLP_TYP, 0x00, 0x00,

	0x5b, 0x82, 45, '\\', 0x2e, '_', 'S', 'B', '_', 'P', 'E', 'V', 'T',
	0x08, '_', 'H', 'I', 'D', 0x0d,
	'Q', 'E', 'M', 'U', '0', '0', '0', '1', 0x00,
	0x08, '_', 'C', 'R', 'S', 0x11, 13, 0x0a, 10,
	0x47, 0x01, ACPI_PVPANIC_PORT & 0xff, ACPI_PVPANIC_PORT >> 8,
	ACPI_PVPANIC_PORT & 0xff, ACPI_PVPANIC_PORT >> 8, 0x01, 0x01,
	0x79, 0x00,
};

/*
 * Device (\_SB.VIOn) { Name (_HID, "LNRO0005") Name (_UID, n) Name (_CRS,
 * ResourceTemplate () { Memory32Fixed (ReadWrite, base, 0x200)
 * Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) { gsi } }) }:
 * one virtio-mmio window, under the ACPI id Linux's virtio_mmio driver
 * binds. Resource descriptors (6.4.3): Memory32Fixed is 0x86, length 9,
 * read-write bit, base, length; the Extended Interrupt is 0x89, length 6,
 * flags (bit 0 consumer, bit 1 clear for level, bit 2 clear for active
 * high, bit 3 clear for exclusive), one entry, the GSI. The node is 66
 * bytes after DeviceOp, so its PkgLength takes two bytes (20.2.4: 0x40 |
 * low nibble, then the rest).
 */
#define VIO_NODE_LEN	68	/* ExtOpPrefix DeviceOp PkgLength(66) */
#define VIO_PKG_LEN	66

static size_t virtio_mmio_node(uint8_t *p, unsigned int n,
			       const struct acpi_virtio_mmio *d)
{
	static const uint8_t head[] = {
		0x5b, 0x82, 0x40 | (VIO_PKG_LEN & 15), VIO_PKG_LEN >> 4,
		'\\', 0x2e, '_', 'S', 'B', '_', 'V', 'I', 'O', '0',
		0x08, '_', 'H', 'I', 'D', 0x0d,
		'L', 'N', 'R', 'O', '0', '0', '0', '5', 0x00,
		0x08, '_', 'U', 'I', 'D', 0x0a, 0,
		0x08, '_', 'C', 'R', 'S', 0x11, 26, 0x0a, 23,
		0x86, 0x09, 0x00, 0x01, 0, 0, 0, 0,
		0x00, 0x02, 0x00, 0x00,		/* length 0x200 */
		0x89, 0x06, 0x00, 0x01, 0x01, 0, 0, 0, 0,
		0x79, 0x00,
	};

	memcpy(p, head, sizeof(head));
	p[13] = "0123456789ABCDEF"[n];	/* VIO0 to VIO7 */
	p[35] = n;			/* _UID */
	le_put32(p, 49, d->base);
	le_put32(p, 62, d->gsi);
	return sizeof(head);
}

static size_t fadt(uint8_t *t, uint64_t facs, uint64_t dsdt)
{
	table_header(t, "FACP", FADT_LEN, 6);
	le_put32(t, 36, facs);
	le_put32(t, 40, dsdt);
	le_put8(t, 45, 0);				/* profile: unspecified */
	le_put16(t, 46, ACPI_SCI_IRQ);
	le_put32(t, 48, 0);			/* no SMI_CMD: always ACPI */
	le_put32(t, 56, ACPI_PM1A_EVT_PORT);
	le_put32(t, 64, ACPI_PM1A_CNT_PORT);
	le_put32(t, 76, ACPI_PM_TMR_PORT);
	le_put8(t, 88, ACPI_PM1A_EVT_LEN);
	le_put8(t, 89, ACPI_PM1A_CNT_LEN);
	le_put8(t, 91, ACPI_PM_TMR_LEN);
	le_put16(t, 96, 101);			/* C2 latency > 100: no C2 */
	le_put16(t, 98, 1001);			/* C3 latency > 1000: no C3 */
	le_put16(t, 109, FADT_BOOT_LEGACY_DEVICES | FADT_BOOT_VGA_NOT_PRESENT |
		      FADT_BOOT_MSI_NOT_SUPPORTED);
	le_put32(t, 112, FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_PWR_BUTTON |
		      FADT_F_SLP_BUTTON | FADT_F_TMR_VAL_EXT |
		      FADT_F_RESET_REG_SUP);
	put_gas_io(t, 116, ACPI_RESET_PORT, 1);
	le_put8(t, 128, ACPI_RESET_VALUE);
	le_put8(t, 131, 0);			/* minor revision: 6.0 */
	le_put64(t, 132, facs);
	le_put64(t, 140, dsdt);
	put_gas_io(t, 148, ACPI_PM1A_EVT_PORT, ACPI_PM1A_EVT_LEN);
	put_gas_io(t, 172, ACPI_PM1A_CNT_PORT, ACPI_PM1A_CNT_LEN);
	put_gas_io(t, 208, ACPI_PM_TMR_PORT, ACPI_PM_TMR_LEN);
	memcpy(t + 268, "TANDEM\0\0", 8);	/* hypervisor vendor identity */
	table_done(t, FADT_LEN);
	return FADT_LEN;
}

static size_t madt(uint8_t *t, unsigned int vcpus)
{
	size_t off = 44;
	unsigned int i;

	for (i = 0; i < vcpus; i++, off += MADT_LAPIC_LEN) {
		le_put8(t, off, ACPI_MADT_LAPIC);
		le_put8(t, off + 1, MADT_LAPIC_LEN);
		le_put8(t, off + 2, i);		/* ACPI processor UID */
		le_put8(t, off + 3, i);		/* APIC ID */
		le_put32(t, off + 4, 1);		/* enabled */
	}
	/* The I/O APIC takes the first ID after the processors'. */
	le_put8(t, off, ACPI_MADT_IOAPIC);
	le_put8(t, off + 1, MADT_IOAPIC_LEN);
	le_put8(t, off + 2, vcpus);
	le_put32(t, off + 4, ACPI_IOAPIC_GPA);
	le_put32(t, off + 8, 0);			/* GSI base */
	off += MADT_IOAPIC_LEN;
	/* ISA IRQ 0 (the PIT) arrives on pin 2, as on every PC. */
	le_put8(t, off, ACPI_MADT_ISO);
	le_put8(t, off + 1, MADT_ISO_LEN);
	le_put8(t, off + 2, 0);			/* bus: ISA */
	le_put8(t, off + 3, 0);
	le_put32(t, off + 4, 2);
	le_put16(t, off + 8, 0);			/* conforms to the bus */
	off += MADT_ISO_LEN;
	/* The SCI: level triggered, active high (flags 5.2.12.5). */
	le_put8(t, off, ACPI_MADT_ISO);
	le_put8(t, off + 1, MADT_ISO_LEN);
	le_put8(t, off + 2, 0);
	le_put8(t, off + 3, ACPI_SCI_IRQ);
	le_put32(t, off + 4, ACPI_SCI_IRQ);
	le_put16(t, off + 8, 0x1 | (0x3 << 2));
	off += MADT_ISO_LEN;
	/* NMI on LINT1 of every processor. */
	le_put8(t, off, ACPI_MADT_LAPIC_NMI);
	le_put8(t, off + 1, MADT_NMI_LEN);
	le_put8(t, off + 2, 0xff);
	le_put16(t, off + 3, 0);
	le_put8(t, off + 5, 1);
	off += MADT_NMI_LEN;

	table_header(t, "APIC", off, 3);
	le_put32(t, 36, ACPI_LAPIC_GPA);
	le_put32(t, 40, 0);	/* no PCAT_COMPAT: there is no 8259 pair */
	table_done(t, off);
	return off;
}

static size_t align16(size_t v)
{
	return (v + 15) & ~(size_t)15;
}

/**
 * acpi_build() - write the ACPI tables of a guest without virtio devices
 * @buf: where, zeroed by the caller
 * @len: its size; %ACPI_TABLES_MAX is always enough
 * @gpa: guest-physical address @buf will be written to; the RSDP is at
 *	@gpa itself, which must be 16-byte aligned and below 4 GiB
 * @vcpus: number of vCPUs, 1 to 255 (APIC IDs 0 to @vcpus - 1)
 *
 * Return: bytes used, or 0 when @len is too small or @vcpus out of range.
 */
size_t acpi_build(void *buf, size_t len, uint64_t gpa, unsigned int vcpus)
{
	return acpi_build_devices(buf, len, gpa, vcpus, NULL, 0);
}

/**
 * acpi_build_devices() - write the ACPI tables of a guest with virtio-mmio
 * devices
 * @buf: where, zeroed by the caller
 * @len: its size; %ACPI_TABLES_MAX is always enough
 * @gpa: guest-physical address @buf will be written to; the RSDP is at
 *	@gpa itself, which must be 16-byte aligned and below 4 GiB
 * @vcpus: number of vCPUs, 1 to 255 (APIC IDs 0 to @vcpus - 1)
 * @vmmio: the virtio-mmio windows, described in the DSDT in this order as
 *	\_SB.VIO0 (_UID 0) and up
 * @nr_vmmio: how many, at most %ACPI_VIRTIO_MMIO_MAX
 *
 * Return: bytes used, or 0 when @len is too small, @vcpus out of range,
 * or a window misaligned, not below 4 GiB or with a GSI outside 16-23.
 */
size_t acpi_build_devices(void *buf, size_t len, uint64_t gpa,
			  unsigned int vcpus,
			  const struct acpi_virtio_mmio *vmmio,
			  unsigned int nr_vmmio)
{
	size_t facs, rsdt, xsdt, fadt_off, dsdt, dsdt_len, madt_off, end;
	uint8_t *b = buf;
	unsigned int i;

	if (!vcpus || vcpus > 254 || (gpa & 15) || gpa + len > 1ULL << 32)
		return 0;
	if (nr_vmmio > ACPI_VIRTIO_MMIO_MAX || (nr_vmmio && !vmmio))
		return 0;
	for (i = 0; i < nr_vmmio; i++)
		if ((vmmio[i].base & (ACPI_VIRTIO_MMIO_LEN - 1)) ||
		    vmmio[i].base > (1ULL << 32) - ACPI_VIRTIO_MMIO_LEN ||
		    vmmio[i].gsi < 16 || vmmio[i].gsi > 23)
			return 0;
	facs = 64;			/* FACS: 64-byte aligned */
	rsdt = facs + FACS_LEN;
	xsdt = align16(rsdt + ACPI_HDR_LEN + 2 * 4);
	fadt_off = align16(xsdt + ACPI_HDR_LEN + 2 * 8);
	dsdt = align16(fadt_off + FADT_LEN);
	dsdt_len = ACPI_HDR_LEN + sizeof(dsdt_aml) + nr_vmmio * VIO_NODE_LEN;
	madt_off = align16(dsdt + dsdt_len);
	end = madt_off + 44 + vcpus * MADT_LAPIC_LEN + MADT_IOAPIC_LEN +
	      2 * MADT_ISO_LEN + MADT_NMI_LEN;
	if (end > len)
		return 0;

	/* FACS: no checksum; hardware signature 0, no waking vector. */
	memcpy(b + facs, "FACS", 4);
	le_put32(b, facs + 4, FACS_LEN);
	le_put8(b, facs + 32, 2);		/* version */

	table_header(b + dsdt, "DSDT", dsdt_len, 2);
	memcpy(b + dsdt + ACPI_HDR_LEN, dsdt_aml, sizeof(dsdt_aml));
	for (i = 0; i < nr_vmmio; i++)
		virtio_mmio_node(b + dsdt + ACPI_HDR_LEN + sizeof(dsdt_aml) +
				 i * VIO_NODE_LEN, i, &vmmio[i]);
	table_done(b + dsdt, dsdt_len);

	fadt(b + fadt_off, gpa + facs, gpa + dsdt);
	madt(b + madt_off, vcpus);

	table_header(b + rsdt, "RSDT", ACPI_HDR_LEN + 2 * 4, 1);
	le_put32(b, rsdt + 36, gpa + fadt_off);
	le_put32(b, rsdt + 40, gpa + madt_off);
	table_done(b + rsdt, ACPI_HDR_LEN + 2 * 4);

	table_header(b + xsdt, "XSDT", ACPI_HDR_LEN + 2 * 8, 1);
	le_put64(b, xsdt + 36, gpa + fadt_off);
	le_put64(b, xsdt + 44, gpa + madt_off);
	table_done(b + xsdt, ACPI_HDR_LEN + 2 * 8);

	/* RSDP: checksum over the first 20 bytes, extended over all 36. */
	memcpy(b, "RSD PTR ", 8);
	memcpy(b + 9, OEM_ID, 6);
	le_put8(b, 15, 2);				/* ACPI 2.0+ */
	le_put32(b, 16, gpa + rsdt);
	le_put32(b, 20, ACPI_RSDP_LEN);
	le_put64(b, 24, gpa + xsdt);
	le_put8(b, 8, acpi_checksum(b, 20));
	le_put8(b, 32, acpi_checksum(b, ACPI_RSDP_LEN));
	return end;
}
