// SPDX-License-Identifier: GPL-2.0
/*
 * The test device: four 64-bit scratch registers, reachable through I/O
 * ports 0x700-0x71f and through one MMIO page at 0xfeb00000. A write of
 * any width stores into the register the address selects, a read returns
 * it. Exit tests use it to check each access width and string I/O, and
 * the benchmarks to measure a round trip to an in-kernel handler.
 *
 * Port 0x740 drives the platform's interrupt lines, for the interrupt
 * controller tests: a write of (level << 8 | line) calls tandem_irq_set()
 * as a device would; a read returns the levels of lines 0-31.
 */
#include "tandem_hv.h"

#define TESTDEV_PORT	0x700
#define TESTDEV_NPORTS	32
#define TESTDEV_MMIO	0xfeb00000ULL

static u64 *testdev_reg(struct tandem_vcpu *vcpu, u64 addr, unsigned int *shift)
{
	u64 off = addr >= TESTDEV_MMIO ? addr - TESTDEV_MMIO : addr - TESTDEV_PORT;

	*shift = (off & 7) * 8;
	return &vcpu->dom->testdev[(off / 8) & 3];
}

static u64 testdev_read(struct tandem_vcpu *vcpu, u64 addr, int size)
{
	unsigned int shift;
	u64 *reg = testdev_reg(vcpu, addr, &shift);

	return READ_ONCE(*reg) >> shift;
}

static void testdev_write(struct tandem_vcpu *vcpu, u64 addr, int size, u64 val)
{
	unsigned int shift;
	u64 *reg = testdev_reg(vcpu, addr, &shift);
	u64 mask = (size == 8 ? ~0ULL : BIT_ULL(size * 8) - 1) << shift;

	WRITE_ONCE(*reg, (*reg & ~mask) | ((val << shift) & mask));
}

const struct tandem_device tandem_testdev = {
	.name = "testdev",
	.port = TESTDEV_PORT,
	.nports = TESTDEV_NPORTS,
	.mmio_base = TESTDEV_MMIO,
	.mmio_len = PAGE_SIZE,
	.read = testdev_read,
	.write = testdev_write,
};

#define TESTDEV_IRQ_PORT	0x740

static u64 testdev_irq_read(struct tandem_vcpu *vcpu, u64 addr, int size)
{
	return vcpu->dom->irq_lines[0] & 0xffffffff;
}

static void testdev_irq_write(struct tandem_vcpu *vcpu, u64 addr, int size,
			      u64 val)
{
	if ((val & 0xff) < TANDEM_NR_GSIS)
		tandem_irq_set(vcpu->dom, val & 0xff, val & 0x100);
}

const struct tandem_device tandem_testdev_irq = {
	.name = "testdev interrupt lines",
	.port = TESTDEV_IRQ_PORT,
	.nports = 4,
	.read = testdev_irq_read,
	.write = testdev_irq_write,
};
