// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI PM1a event and control registers, for the builder's FADT:
 *
 *	PM1a_EVT_BLK	ports 0x600-0x603 (PM1_STS at 0x600, PM1_EN at 0x602)
 *	PM1a_CNT_BLK	ports 0x604-0x605
 *	PM_TMR_BLK	ports 0x608-0x60b
 *
 * (0x604 is where QEMU's PIIX4 and ICH9 layouts put PM1a control.) Writing
 * PM1_CNT with SLP_EN set and SLP_TYP 0 enters S5: the domain shuts down
 * with the reason "poweroff". The DSDT's \_S5 package must therefore say
 * SLP_TYP 0, as QEMU's does. Other sleep types are not supported: SLP_EN
 * with them is ignored, the guest goes on as if it had woken at once.
 * SCI_EN reads as set (the platform is always in ACPI mode, no SMI_CMD);
 * no event ever sets a PM1_STS bit, so the SCI never rises. PM1_EN is
 * plain storage. Accesses of any width at any offset of the block work
 * byte by byte.
 *
 * The PM timer counts at 3.579545 MHz of the host's monotonic clock, all
 * 32 bits (the FADT sets TMR_VAL_EXT); a read computes it, nothing ticks.
 * Linux calibrates the TSC against it when its PIT loop cannot run fast
 * enough, as under emulation, and may use it as a clocksource. It never
 * raises TMR_STS (no SCI). Writes to it are ignored; 0x606-0x607 are not
 * decoded (all-ones).
 */
#include <linux/bitfield.h>
#include <linux/math64.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "tandem_hv.h"

#define PM_PORT		0x600
#define PM_NPORTS	12
#define PM1_STS		0
#define PM1_EN		2
#define PM1_CNT		4
#define PM1_END		6	/* end of the registers kept in @regs */
#define PM_TMR		8
#define PM_TMR_HZ	3579545

#define CNT_SCI_EN	0x0001
#define CNT_SLP_TYP	GENMASK(12, 10)
#define CNT_SLP_EN	0x2000
#define SLP_TYP_S5	0

/**
 * struct tandem_pm - the PM1a registers
 * @lock: vCPUs access them concurrently
 * @regs: PM1_STS, PM1_EN, PM1_CNT, little-endian
 */
struct tandem_pm {
	spinlock_t lock; /* @regs */
	u8 regs[PM1_END];
};

/* The PM timer's count now. */
static u32 pm_timer(void)
{
	return mul_u64_u32_div(ktime_get_ns(), PM_TMR_HZ, NSEC_PER_SEC);
}

static u64 pm_read(struct tandem_vcpu *vcpu, u64 addr, int size)
{
	struct tandem_pm *pm = vcpu->dom->pm;
	unsigned int off = addr - PM_PORT, i;
	u32 tmr = 0;
	u64 val = 0;

	if (off + size > PM_TMR)
		tmr = pm_timer();
	spin_lock(&pm->lock);
	for (i = 0; i < size; i++) {
		u8 b = 0xff;	/* past the block, or not decoded */

		if (off + i < PM1_END)
			b = pm->regs[off + i];
		else if (off + i >= PM_TMR && off + i < PM_NPORTS)
			b = tmr >> (8 * (off + i - PM_TMR));
		if (off + i == PM1_CNT)
			b |= CNT_SCI_EN;
		val |= (u64)b << (8 * i);
	}
	spin_unlock(&pm->lock);
	return val;
}

static void pm_write(struct tandem_vcpu *vcpu, u64 addr, int size, u64 val)
{
	struct tandem_pm *pm = vcpu->dom->pm;
	unsigned int off = addr - PM_PORT, i;
	bool cnt = false;
	u16 ctl;

	spin_lock(&pm->lock);
	for (i = 0; i < size && off + i < PM1_END; i++) {
		u8 b = val >> (8 * i);

		if (off + i < PM1_EN) {
			pm->regs[off + i] &= ~b;	/* write 1 to clear */
		} else {
			pm->regs[off + i] = b;
			cnt |= off + i >= PM1_CNT;
		}
	}
	ctl = pm->regs[PM1_CNT] | pm->regs[PM1_CNT + 1] << 8;
	if (cnt && (ctl & CNT_SLP_EN)) {
		/* SLP_EN is write-only: it always reads 0. */
		pm->regs[PM1_CNT + 1] &= ~(CNT_SLP_EN >> 8);
		if (FIELD_GET(CNT_SLP_TYP, ctl) == SLP_TYP_S5)
			vcpu->leave = TANDEM_LEAVE_SHUTDOWN;
	}
	spin_unlock(&pm->lock);
}

static int pm_create(struct tandem_domain *dom)
{
	struct tandem_pm *pm = kzalloc(sizeof(*pm), GFP_KERNEL_ACCOUNT);

	if (!pm)
		return -ENOMEM;
	spin_lock_init(&pm->lock);
	dom->pm = pm;
	return 0;
}

static void pm_destroy(struct tandem_domain *dom)
{
	kfree(dom->pm);
	dom->pm = NULL;
}

const struct tandem_device tandem_pm_dev = {
	.name = "acpi pm1a",
	.port = PM_PORT,
	.nports = PM_NPORTS,
	.read = pm_read,
	.write = pm_write,
	.create = pm_create,
	.destroy = pm_destroy,
};
