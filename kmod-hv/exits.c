// SPDX-License-Identifier: GPL-2.0
/*
 * Exits handled in common code, whatever the vendor: HLT, port I/O, MMIO,
 * CPUID, MSRs, hypercalls, and the ones that crash the domain.
 *
 * Everything here runs on the vCPU thread inside its atomic run section
 * (preemption disabled): handlers never sleep. What needs process context
 * is left in vcpu->leave for the thread to do after the slice.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/math64.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/tsc.h>
#include <asm/traps.h>

#include "tandem_hv.h"
#include "decode.h"

/*
 * The platform's devices. The first that claims an address serves it: the
 * platform MMIO hole comes last, so that devices inside it (APICs, ...)
 * are found before it.
 */
static const struct tandem_device *const tandem_devices[] = {
	&tandem_testdev,
	&tandem_testdev_irq,
	&tandem_uart_dev,
	&tandem_rtc_dev,
	&tandem_i8042_dev,
	&tandem_i8042_cmd_dev,
	&tandem_reset_dev,
	&tandem_pvpanic_dev,
	&tandem_pm_dev,
	&tandem_pit_dev,
	&tandem_portb_dev,
	&tandem_pic_master_dev,
	&tandem_pic_slave_dev,
	&tandem_elcr_dev,
	&tandem_ioapic_dev,
	&tandem_lapic_dev,
	&tandem_virtio_dev,
	&tandem_platform_hole,
};

/**
 * tandem_devices_create() - the per-domain state of every device
 * @dom: a new domain
 *
 * Return: 0 or -ENOMEM; on failure tandem_devices_destroy() cleans up.
 */
int tandem_devices_create(struct tandem_domain *dom)
{
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(tandem_devices); i++) {
		if (!tandem_devices[i]->create)
			continue;
		err = tandem_devices[i]->create(dom);
		if (err)
			return err;
	}
	return 0;
}

/**
 * tandem_devices_destroy() - free what tandem_devices_create() made
 * @dom: the domain, its vCPU threads gone
 */
void tandem_devices_destroy(struct tandem_domain *dom)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tandem_devices); i++)
		if (tandem_devices[i]->destroy)
			tandem_devices[i]->destroy(dom);
}

/*
 * The platform MMIO hole, 0xfec00000 to 4 GiB (I/O APIC, HPET, local
 * APIC, firmware): what no device claims there reads as all-ones and drops
 * writes, counted, as on a PC where nothing decodes the address. GPAs
 * outside RAM and outside this hole crash the domain instead.
 */
#define TANDEM_HOLE_BASE	0xfec00000ULL
#define TANDEM_HOLE_END		0x100000000ULL

static u64 tandem_hole_read(struct tandem_vcpu *vcpu, u64 addr, int size)
{
	atomic64_inc(&vcpu->dom->unhandled_io);
	atomic64_inc(&vcpu->dom->unhandled_mmio);
	return ~0ULL;
}

static void tandem_hole_write(struct tandem_vcpu *vcpu, u64 addr, int size,
			      u64 val)
{
	atomic64_inc(&vcpu->dom->unhandled_io);
	atomic64_inc(&vcpu->dom->unhandled_mmio);
}

const struct tandem_device tandem_platform_hole = {
	.name = "platform MMIO hole",
	.mmio_base = TANDEM_HOLE_BASE,
	.mmio_len = TANDEM_HOLE_END - TANDEM_HOLE_BASE,
	.read = tandem_hole_read,
	.write = tandem_hole_write,
};

/* Instruction lengths of unprefixed forms, for SVM without NRIP save. */
static const u8 tandem_fixed_len[__TANDEM_EXIT_COUNT] = {
	[TANDEM_EXIT_HLT] = 1,		/* F4 */
	[TANDEM_EXIT_CPUID] = 2,	/* 0F A2 */
	[TANDEM_EXIT_RDMSR] = 2,	/* 0F 32 */
	[TANDEM_EXIT_WRMSR] = 2,	/* 0F 30 */
	[TANDEM_EXIT_HYPERCALL] = 3,	/* 0F 01 C1 / 0F 01 D9 */
	[TANDEM_EXIT_XSETBV] = 3,	/* 0F 01 D1 */
};

/**
 * tandem_vcpu_crash() - stop running this vCPU and crash its domain
 * @vcpu: the vCPU
 * @fmt: the reason, printf-style
 *
 * Return: %TANDEM_LEAVE, for the exit handler to return.
 */
u32 tandem_vcpu_crash(struct tandem_vcpu *vcpu, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(vcpu->crash_msg, sizeof(vcpu->crash_msg), fmt, args);
	va_end(args);
	vcpu->leave = TANDEM_LEAVE_CRASH;
	return TANDEM_LEAVE;
}

/**
 * tandem_vcpu_skip() - move RIP past the instruction that exited
 * @vcpu: the vCPU
 *
 * The hardware's length is used when it gave one; otherwise the unprefixed
 * length of the instruction behind the exit.
 */
void tandem_vcpu_skip(struct tandem_vcpu *vcpu)
{
	u8 len = vcpu->exit.insn_len ?: tandem_fixed_len[vcpu->exit.reason];

	vcpu->rip += len;
	vcpu->regs_dirty = true;
}

static void tandem_set_reg(struct tandem_vcpu *vcpu, int reg, bool high,
			   int size, u64 val)
{
	unsigned long *r = &vcpu->regs[reg];

	switch (size) {
	case 1:
		if (high)
			*r = (*r & ~0xff00UL) | ((val & 0xff) << 8);
		else
			*r = (*r & ~0xffUL) | (val & 0xff);
		break;
	case 2:
		*r = (*r & ~0xffffUL) | (val & 0xffff);
		break;
	case 4:
		/* Writing a 32-bit register clears the upper half. */
		*r = (u32)val;
		break;
	default:
		*r = val;
	}
	vcpu->regs_dirty = true;
}

static u64 tandem_size_mask(int size)
{
	return size >= 8 ? ~0ULL : BIT_ULL(size * 8) - 1;
}

static const struct tandem_device *tandem_find_port(u16 port)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tandem_devices); i++) {
		const struct tandem_device *d = tandem_devices[i];

		if (d->nports && port >= d->port && port < d->port + d->nports)
			return d;
	}
	return NULL;
}

static const struct tandem_device *tandem_find_mmio(u64 gpa)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tandem_devices); i++) {
		const struct tandem_device *d = tandem_devices[i];

		if (d->mmio_len && gpa >= d->mmio_base &&
		    gpa - d->mmio_base < d->mmio_len)
			return d;
	}
	return NULL;
}

/* A port access: unclaimed ports read as all-ones and drop writes. */
static u64 tandem_port_read(struct tandem_vcpu *vcpu, u16 port, int size)
{
	const struct tandem_device *d = tandem_find_port(port);

	if (d)
		return d->read(vcpu, port, size) & tandem_size_mask(size);
	atomic64_inc(&vcpu->dom->unhandled_io);
	return tandem_size_mask(size);
}

static void tandem_port_write(struct tandem_vcpu *vcpu, u16 port, int size,
			      u64 val)
{
	const struct tandem_device *d = tandem_find_port(port);

	if (d)
		d->write(vcpu, port, size, val & tandem_size_mask(size));
	else
		atomic64_inc(&vcpu->dom->unhandled_io);
}

/* Copy between guest RAM and a linear address in the guest. */
static int tandem_linear_access(struct tandem_vcpu *vcpu,
				const struct tandem_vcpu_regs *regs, u64 gva,
				void *buf, int size, bool write)
{
	u64 gpa;

	if (offset_in_page(gva) + size > PAGE_SIZE)
		return -EFAULT;	/* an element across pages: not supported */
	if (tandem_gva_to_gpa(vcpu->dom, regs, gva, &gpa) ||
	    !tandem_mem_range_ok(&vcpu->dom->mem, gpa, size))
		return -EFAULT;
	if (write)
		tandem_mem_write(&vcpu->dom->mem, gpa, buf, size);
	else
		tandem_mem_read(&vcpu->dom->mem, gpa, buf, size);
	return 0;
}

/*
 * INS/OUTS, one element per exit: with REP the instruction is not skipped
 * while RCX is not zero, so the guest executes it again.
 */
static u32 tandem_string_io(struct tandem_vcpu *vcpu)
{
	const struct tandem_exit *e = &vcpu->exit;
	struct tandem_vcpu_regs regs;
	struct tandem_insn d;
	u8 insn[TANDEM_INSN_MAX];
	int n, size = e->io.size, idx = e->io.in ? TANDEM_RDI : TANDEM_RSI;
	u64 amask, addr, val = 0, base;
	s64 step;

	tandem_arch->get_regs(vcpu, &regs);
	n = tandem_fetch_insn(vcpu->dom, &regs, insn);
	if (n < 0 || tandem_decode(insn, n, &regs, &d) ||
	    d.kind != TANDEM_INSN_STRING_IO)
		return tandem_vcpu_crash(vcpu, "cannot decode string I/O at rip %#llx",
					 vcpu->rip);
	amask = d.addr_bits == 64 ? ~0ULL : BIT_ULL(d.addr_bits) - 1;
	if (e->io.rep && !(vcpu->regs[TANDEM_RCX] & amask)) {
		tandem_vcpu_skip(vcpu);
		return TANDEM_RESUME;
	}
	/* INS writes ES:rDI; OUTS reads DS:rSI (no override support). */
	base = e->io.in ? regs.es.base : regs.ds.base;
	if (d.addr_bits == 64)
		base = 0;
	addr = base + (vcpu->regs[idx] & amask);
	if (d.addr_bits != 64)
		addr &= 0xffffffff;

	if (e->io.in) {
		val = tandem_port_read(vcpu, e->io.port, size);
		if (tandem_linear_access(vcpu, &regs, addr, &val, size, true))
			return tandem_vcpu_crash(vcpu, "INS to unmapped address %#llx",
						 addr);
	} else {
		if (tandem_linear_access(vcpu, &regs, addr, &val, size, false))
			return tandem_vcpu_crash(vcpu, "OUTS from unmapped address %#llx",
						 addr);
		tandem_port_write(vcpu, e->io.port, size, val);
	}
	step = (vcpu->rflags & X86_EFLAGS_DF) ? -size : size;
	vcpu->regs[idx] = (vcpu->regs[idx] & ~amask) |
			  ((vcpu->regs[idx] + step) & amask);
	if (e->io.rep) {
		u64 rcx = (vcpu->regs[TANDEM_RCX] - 1) & amask;

		vcpu->regs[TANDEM_RCX] = (vcpu->regs[TANDEM_RCX] & ~amask) | rcx;
		vcpu->regs_dirty = true;
		if (rcx)	/* execute it again (unless a device reset) */
			return vcpu->leave ? TANDEM_LEAVE : TANDEM_RESUME;
	}
	vcpu->exit.insn_len = d.len;
	tandem_vcpu_skip(vcpu);
	return vcpu->leave ? TANDEM_LEAVE : TANDEM_RESUME;
}

static u32 tandem_handle_io(struct tandem_vcpu *vcpu)
{
	const struct tandem_exit *e = &vcpu->exit;

	if (e->io.string)
		return tandem_string_io(vcpu);
	if (e->io.in)
		tandem_set_reg(vcpu, TANDEM_RAX, false, min_t(int, e->io.size, 4),
			       tandem_port_read(vcpu, e->io.port, e->io.size));
	else
		tandem_port_write(vcpu, e->io.port, e->io.size,
				  vcpu->regs[TANDEM_RAX]);
	tandem_vcpu_skip(vcpu);
	/* A device asked for a reset or a power-off. */
	return vcpu->leave ? TANDEM_LEAVE : TANDEM_RESUME;
}

/* MMIO: decode the instruction behind the nested page fault. */
static u32 tandem_handle_npf(struct tandem_vcpu *vcpu)
{
	u64 gpa = vcpu->exit.npf.gpa, val;
	const struct tandem_device *dev = tandem_find_mmio(gpa);
	struct tandem_vcpu_regs regs;
	u8 insn[TANDEM_INSN_MAX];
	struct tandem_insn d;
	int n;

	if (!dev)
		return tandem_vcpu_crash(vcpu,
					 "%s of GPA %#llx outside RAM and devices at rip %#llx",
					 vcpu->exit.npf.fetch ? "fetch" :
					 vcpu->exit.npf.write ? "write" : "read",
					 gpa, vcpu->rip);
	tandem_arch->get_code_regs(vcpu, &regs);
	n = tandem_fetch_insn(vcpu->dom, &regs, insn);
	if (n < 0 || tandem_decode(insn, n, &regs, &d) ||
	    (d.kind != TANDEM_INSN_MOV && d.kind != TANDEM_INSN_MOV_IMM &&
	     d.kind != TANDEM_INSN_MOVZX && d.kind != TANDEM_INSN_MOVSX))
		return tandem_vcpu_crash(vcpu,
					 "cannot emulate the MMIO access to %#llx at rip %#llx (%*ph)",
					 gpa, vcpu->rip, n > 0 ? min(n, 8) : 0, insn);

	switch (d.kind) {
	case TANDEM_INSN_MOV:
		if (d.write) {
			val = vcpu->regs[d.reg];
			if (d.high_byte)
				val >>= 8;
			dev->write(vcpu, gpa, d.size, val & tandem_size_mask(d.size));
		} else {
			val = dev->read(vcpu, gpa, d.size) & tandem_size_mask(d.size);
			tandem_set_reg(vcpu, d.reg, d.high_byte, d.size, val);
		}
		break;
	case TANDEM_INSN_MOV_IMM:
		dev->write(vcpu, gpa, d.size, d.imm & tandem_size_mask(d.size));
		break;
	case TANDEM_INSN_MOVZX:
	case TANDEM_INSN_MOVSX:
		val = dev->read(vcpu, gpa, d.size) & tandem_size_mask(d.size);
		if (d.kind == TANDEM_INSN_MOVSX)
			val = d.size == 1 ? (u64)(s64)(s8)val : (u64)(s64)(s16)val;
		tandem_set_reg(vcpu, d.reg, false, d.dst_size, val);
		break;
	}
	vcpu->exit.insn_len = d.len;
	tandem_vcpu_skip(vcpu);
	return vcpu->leave ? TANDEM_LEAVE : TANDEM_RESUME;
}

/*
 * CPUID: the host's answers, filtered to what the guest may rely on. The
 * guest sees no VMX/SVM, no XSAVE/AVX (only x87/SSE state is switched),
 * no MONITOR, no PMU and no devices the platform does not emulate yet;
 * it sees the local APIC, x2APIC and the TSC-deadline timer (lapic.c).
 */
#define CPUID1_ECX_OK	(BIT(0) | BIT(1) | BIT(9) | BIT(13) | BIT(19) | \
			 BIT(20) | BIT(22) | BIT(23) | BIT(25) | BIT(30))
#define CPUID1_EDX_OK	(BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | \
			 BIT(5) | BIT(6) | BIT(8) | BIT(11) | BIT(13) | \
			 BIT(15) | BIT(16) | BIT(17) | BIT(19) | BIT(23) | \
			 BIT(24) | BIT(25) | BIT(26))
#define CPUID7_EBX_OK	(BIT(0) | BIT(3) | BIT(7) | BIT(8) | BIT(9) | \
			 BIT(18) | BIT(19) | BIT(20) | BIT(23) | BIT(29))
#define CPUIDX1_ECX_OK	(BIT(0) | BIT(5) | BIT(6) | BIT(7) | BIT(8))
#define CPUIDX1_EDX_OK	(CPUID1_EDX_OK | BIT(11) | BIT(20) | BIT(29))
#define CPUID1_HYPERVISOR	BIT(31)
/* Emulated whatever the host has: x2APIC, TSC-deadline timer, APIC. */
#define CPUID1_ECX_EMULATED	(BIT(21) | BIT(24))
#define CPUID1_EDX_EMULATED	BIT(9)

/*
 * The TSC's frequency, for guests that read it rather than measure it:
 *
 * - Leaf 0x15 (Intel-vendor hosts only, as Linux reads it only there): a
 *   1 GHz core crystal (ECX, Hz) and the TSC/crystal ratio EBX/EAX. Linux
 *   computes crystal_kHz * EBX / EAX in 32 bits, so both stay below 4295;
 *   the ratio is the closest fraction to tsc_khz / 10^6 within that bound
 *   (a few ppm off at most places, up to 117 ppm just past a simple
 *   fraction). Linux also takes the crystal as the local APIC timer's
 *   input clock: see %TANDEM_CRYSTAL_HZ.
 * - Leaf 0x16 (same hosts): base and maximum frequency in MHz, the bus
 *   (crystal) frequency in MHz.
 * - Leaf 0x40000010 (VMware's "timing information", which some guests read
 *   under any hypervisor): EAX the TSC frequency in kHz, EBX the APIC
 *   timer's in kHz.
 */
#define TANDEM_RATIO_MAX	(U32_MAX / (TANDEM_CRYSTAL_HZ / 1000))

/* |@num / @den - @p / @q| scaled by @den * @q, for comparisons. */
static u64 tandem_ratio_err(u64 num, u64 den, u64 p, u64 q)
{
	return num * q > den * p ? num * q - den * p : den * p - num * q;
}

/*
 * The fraction closest to @num / @den with both terms <= @max: the last
 * continued-fraction convergent within the bound, or the semiconvergent
 * past it when that is closer.
 */
static void tandem_ratio(u64 num, u64 den, u32 max, u32 *n, u32 *d)
{
	u64 p0 = 0, q0 = 1, p1 = 1, q1 = 0, a, p2, q2, t, j, x = num, y = den;

	*n = 0;
	*d = 1;
	while (y) {
		a = div64_u64(x, y);
		p2 = a * p1 + p0;
		q2 = a * q1 + q0;
		if (p2 > max || q2 > max) {
			j = min(div64_u64(max - p0, p1),
				q1 ? div64_u64(max - q0, q1) : a);
			p2 = j * p1 + p0;
			q2 = j * q1 + q0;
			if (j && q1 && tandem_ratio_err(num, den, p2, q2) * q1 <
			    tandem_ratio_err(num, den, p1, q1) * q2) {
				p1 = p2;
				q1 = q2;
			}
			break;
		}
		p0 = p1;
		q0 = q1;
		p1 = p2;
		q1 = q2;
		t = x - a * y;
		x = y;
		y = t;
	}
	if (q1) {
		*n = p1;
		*d = q1;
	}
}

static bool tandem_tsc_leaves(void)
{
	return boot_cpu_data.x86_vendor == X86_VENDOR_INTEL && tsc_khz;
}

static u32 tandem_handle_cpuid(struct tandem_vcpu *vcpu)
{
	u32 leaf = vcpu->regs[TANDEM_RAX], sub = vcpu->regs[TANDEM_RCX];
	u32 a = 0, b = 0, c = 0, d = 0;

	switch (leaf) {
	case 0x40000000:
		/* The signature leaf: "TandemTandem". */
		a = 0x40000010;
		memcpy(&b, "Tand", 4);
		memcpy(&c, "emTa", 4);
		memcpy(&d, "ndem", 4);
		break;
	case 0x40000001:
		a = TANDEM_ABI_VERSION;
		break;
	case 0x40000010:
		a = tsc_khz;
		b = TANDEM_CRYSTAL_HZ / 1000;
		break;
	case 0:
		cpuid_count(0, 0, &a, &b, &c, &d);
		a = tandem_tsc_leaves() ? 0x16 : min(a, 0xdU);
		break;
	case 0x15:
		if (tandem_tsc_leaves()) {
			tandem_ratio(tsc_khz, TANDEM_CRYSTAL_HZ / 1000,
				     TANDEM_RATIO_MAX, &b, &a);
			c = TANDEM_CRYSTAL_HZ;
		}
		break;
	case 0x16:
		if (tandem_tsc_leaves()) {
			a = tsc_khz / 1000;
			b = a;
			c = TANDEM_CRYSTAL_HZ / 1000000;
		}
		break;
	case 1:
		cpuid_count(1, 0, &a, &b, &c, &d);
		c = (c & CPUID1_ECX_OK) | CPUID1_HYPERVISOR | CPUID1_ECX_EMULATED;
		d = (d & CPUID1_EDX_OK) | CPUID1_EDX_EMULATED;
		/* APIC id and logical processor count of this domain. */
		b = (b & 0xffff) | (vcpu->id << 24) |
		    (min(vcpu->dom->vcpus, 255U) << 16);
		break;
	case 2:
	case 4:
		cpuid_count(leaf, sub, &a, &b, &c, &d);
		break;
	case 7:
		if (!sub) {
			cpuid_count(7, 0, &a, &b, &c, &d);
			a = 0;
			b &= CPUID7_EBX_OK;
			c = 0;
			d = 0;
		}
		break;
	case 0x80000000:
		cpuid_count(leaf, 0, &a, &b, &c, &d);
		a = min(a, 0x80000008U);
		break;
	case 0x80000001:
		cpuid_count(leaf, 0, &a, &b, &c, &d);
		c &= CPUIDX1_ECX_OK;
		d &= CPUIDX1_EDX_OK;
		break;
	case 0x80000002 ... 0x80000006:
		cpuid_count(leaf, 0, &a, &b, &c, &d);
		break;
	case 0x80000007:
		cpuid_count(leaf, 0, &a, &b, &c, &d);
		a = 0;
		b = 0;
		c = 0;
		d &= BIT(8);	/* invariant TSC */
		break;
	case 0x80000008:
		cpuid_count(leaf, 0, &a, &b, &c, &d);
		b = 0;
		c = 0;
		d = 0;
		break;
	}
	tandem_set_reg(vcpu, TANDEM_RAX, false, 8, a);
	tandem_set_reg(vcpu, TANDEM_RBX, false, 8, b);
	tandem_set_reg(vcpu, TANDEM_RCX, false, 8, c);
	tandem_set_reg(vcpu, TANDEM_RDX, false, 8, d);
	tandem_vcpu_skip(vcpu);
	return TANDEM_RESUME;
}

/*
 * MSRs: the backend owns the ones kept in the VMCS/VMCB; the few others a
 * guest may touch are emulated here; anything else is #GP, as on a CPU
 * without the MSR.
 */
static int tandem_msr_read(struct tandem_vcpu *vcpu, u32 msr, u64 *val)
{
	int err = -ENOENT;

	if (tandem_arch->msr_read)
		err = tandem_arch->msr_read(vcpu, msr, val);
	if (err != -ENOENT)
		return err;
	err = tandem_lapic_msr_read(vcpu, msr, val);
	if (err != -ENOENT)
		return err;
	switch (msr) {
	case MSR_IA32_TSC:
		/* What RDTSC returns in the guest (VMCS/VMCB TSC offset). */
		*val = rdtsc() + vcpu->dom->tsc_offset;
		return 0;
	case MSR_IA32_UCODE_REV:
		*val = 0;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*val = MSR_IA32_MISC_ENABLE_FAST_STRING;
		return 0;
	}
	return -EINVAL;
}

static int tandem_msr_write(struct tandem_vcpu *vcpu, u32 msr, u64 val)
{
	int err = -ENOENT;

	if (tandem_arch->msr_write)
		err = tandem_arch->msr_write(vcpu, msr, val);
	if (err != -ENOENT)
		return err;
	err = tandem_lapic_msr_write(vcpu, msr, val);
	if (err != -ENOENT)
		return err;
	switch (msr) {
	case MSR_IA32_UCODE_REV:
	case MSR_IA32_MISC_ENABLE:
		/* Accepted and ignored: nothing in the platform depends on them. */
		return 0;
	}
	return -EINVAL;
}

static u32 tandem_handle_msr(struct tandem_vcpu *vcpu, bool write)
{
	u32 msr = vcpu->regs[TANDEM_RCX];
	u64 val;

	if (write) {
		val = (vcpu->regs[TANDEM_RDX] << 32) | (u32)vcpu->regs[TANDEM_RAX];
		if (tandem_msr_write(vcpu, msr, val)) {
			tandem_arch->queue_exception(vcpu, X86_TRAP_GP, true, 0);
			return TANDEM_RESUME;
		}
	} else {
		if (tandem_msr_read(vcpu, msr, &val)) {
			tandem_arch->queue_exception(vcpu, X86_TRAP_GP, true, 0);
			return TANDEM_RESUME;
		}
		tandem_set_reg(vcpu, TANDEM_RAX, false, 4, val);
		tandem_set_reg(vcpu, TANDEM_RDX, false, 4, val >> 32);
	}
	tandem_vcpu_skip(vcpu);
	return TANDEM_RESUME;
}

/* Read a guest-physical string for a hypercall, NUL-terminated. */
static void tandem_read_gpa_string(struct tandem_vcpu *vcpu, u64 gpa,
				   char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (!gpa)
		return;
	while (n + 1 < len && tandem_mem_range_ok(&vcpu->dom->mem, gpa + n, 1)) {
		tandem_mem_read(&vcpu->dom->mem, gpa + n, buf + n, 1);
		if (!buf[n])
			return;
		n++;
	}
	buf[n] = '\0';
}

static const char *const tandem_ucall_names[] = {
	[TANDEM_UCALL_SYNC] = "sync",
	[TANDEM_UCALL_ASSERT] = "assert",
	[TANDEM_UCALL_DONE] = "done",
};

static void tandem_ucall(struct tandem_vcpu *vcpu)
{
	u64 type = vcpu->regs[TANDEM_RBX];
	char file[64], line[TANDEM_REASON_MAX];
	int n;

	tandem_read_gpa_string(vcpu, vcpu->regs[TANDEM_RDX], file, sizeof(file));
	tandem_uart_flush(vcpu->dom);	/* the UART's output comes first */
	n = scnprintf(line, sizeof(line), "ucall: %s %#lx %s:%lu\n",
		      type < ARRAY_SIZE(tandem_ucall_names) &&
		      tandem_ucall_names[type] ? tandem_ucall_names[type] : "unknown",
		      vcpu->regs[TANDEM_RCX], file[0] ? file : "-",
		      vcpu->regs[TANDEM_RSI]);
	tandem_console_write(vcpu->dom, line, n);
}

static u32 tandem_handle_hypercall(struct tandem_vcpu *vcpu)
{
	unsigned long *r = vcpu->regs;
	u32 action = TANDEM_RESUME;
	s64 ret = 0;

	switch (r[TANDEM_RAX]) {
	case TANDEM_HC_CONSOLE_WRITE: {
		u64 gpa = r[TANDEM_RBX], len = r[TANDEM_RCX];
		char buf[256];

		if (len > 4096 || !tandem_mem_range_ok(&vcpu->dom->mem, gpa, len)) {
			ret = -EFAULT;
			break;
		}
		ret = len;
		tandem_uart_flush(vcpu->dom);
		while (len) {
			size_t n = min_t(size_t, len, sizeof(buf));

			tandem_mem_read(&vcpu->dom->mem, gpa, buf, n);
			tandem_console_write(vcpu->dom, buf, n);
			gpa += n;
			len -= n;
		}
		break;
	}
	case TANDEM_HC_CONSOLE_PUTC: {
		char c = r[TANDEM_RBX];

		tandem_uart_flush(vcpu->dom);
		tandem_console_write(vcpu->dom, &c, 1);
		break;
	}
	case TANDEM_HC_YIELD:
		vcpu->leave = TANDEM_LEAVE_YIELD;
		action = TANDEM_LEAVE;
		break;
	case TANDEM_HC_SHUTDOWN:
		vcpu->leave = TANDEM_LEAVE_SHUTDOWN;
		action = TANDEM_LEAVE;
		break;
	case TANDEM_HC_REBOOT:
		vcpu->leave = TANDEM_LEAVE_REBOOT;
		action = TANDEM_LEAVE;
		break;
	case TANDEM_HC_UCALL:
		tandem_ucall(vcpu);
		break;
	default:
		ret = TANDEM_HC_ERR_NOFUNC;
	}
	tandem_set_reg(vcpu, TANDEM_RAX, false, 8, ret);
	tandem_vcpu_skip(vcpu);
	return action;
}

/**
 * tandem_handle_exit() - act on the exit in vcpu->exit
 * @vcpu: the vCPU, inside its atomic run section
 *
 * Return: %TANDEM_RESUME to enter the guest again, %TANDEM_LEAVE to end
 * the slice (vcpu->leave then says what to do).
 */
enum tandem_exit_action tandem_handle_exit(struct tandem_vcpu *vcpu)
{
	const struct tandem_exit *e = &vcpu->exit;

	switch (e->reason) {
	case TANDEM_EXIT_NONE:
	case TANDEM_EXIT_INTR_WINDOW:
		return TANDEM_RESUME;
	case TANDEM_EXIT_HLT:
		tandem_vcpu_skip(vcpu);
		WRITE_ONCE(vcpu->halted, true);
		/*
		 * Pairs with the barrier in tandem_vcpu_irq_notify(): either
		 * this sees the interrupt or the notifier sees the halt.
		 */
		smp_mb();
		if (tandem_lapic_hlt_wakes(vcpu)) {
			WRITE_ONCE(vcpu->halted, false);
			return TANDEM_RESUME;
		}
		vcpu->leave = TANDEM_LEAVE_HALT;
		return TANDEM_LEAVE;
	case TANDEM_EXIT_IO:
		return tandem_handle_io(vcpu);
	case TANDEM_EXIT_NPF:
		return tandem_handle_npf(vcpu);
	case TANDEM_EXIT_CPUID:
		return tandem_handle_cpuid(vcpu);
	case TANDEM_EXIT_RDMSR:
		return tandem_handle_msr(vcpu, false);
	case TANDEM_EXIT_WRMSR:
		return tandem_handle_msr(vcpu, true);
	case TANDEM_EXIT_HYPERCALL:
		return tandem_handle_hypercall(vcpu);
	case TANDEM_EXIT_VIRT_INSN:
	case TANDEM_EXIT_XSETBV:
		/* No nested virtualization, no XSAVE: as on such a CPU. */
		tandem_arch->queue_exception(vcpu, X86_TRAP_UD, false, 0);
		return TANDEM_RESUME;
	case TANDEM_EXIT_TRIPLE_FAULT:
		return tandem_vcpu_crash(vcpu, "triple fault at rip %#llx",
					 vcpu->rip);
	case TANDEM_EXIT_FAIL_ENTRY:
		return tandem_vcpu_crash(vcpu,
					 "VM entry failed (reason %#x, qualification %#llx%s%s)",
					 e->hw_reason, e->hw_qual,
					 e->why ? ": " : "", e->why ?: "");
	default:
		return tandem_vcpu_crash(vcpu,
					 "unhandled exit %#x (qualification %#llx, info %#llx) at rip %#llx",
					 e->hw_reason, e->hw_qual, e->hw_info2,
					 vcpu->rip);
	}
}
