// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal i8042 keyboard controller at ports 0x60 (data) and 0x64
 * (status and command), with no keyboard and no mouse behind it.
 *
 * It answers what a guest asks the controller itself: the command byte
 * (0x20 read, 0x60 write), self test (0xaa: 0x55), keyboard interface test
 * (0xab: 0x00), auxiliary interface test (0xa9: 0x01, "clock line stuck
 * low", so that guests conclude there is no mouse port), port enable and
 * disable (0xa7, 0xa8, 0xad, 0xae), the output port (0xd0 read, 0xd1
 * write). Resetting the CPU is recognised: command 0xfe (or any 0xf0-0xff
 * pulse with bit 0 clear), or bit 0 cleared through 0xd1; the domain then
 * shuts down with the reason "reboot". Bytes for the keyboard are dropped:
 * nothing answers them, as when no keyboard is plugged in. No interrupt is
 * ever raised (IRQ 1 and 12 stay low).
 *
 * Status: SYS (self test passed) and "not inhibited", CMD after a write to
 * 0x64, OBF while a reply waits in the output buffer; IBF is never set,
 * so guests waiting for the input buffer to drain (before the reset
 * command, say) do not wait.
 */
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "tandem_hv.h"

#define I8042_DATA	0x60
#define I8042_CMD	0x64

#define STS_OBF		0x01
#define STS_SYS		0x04
#define STS_CMD		0x08
#define STS_UNINHIBITED	0x10

#define CTR_KBD_DIS	0x10
#define CTR_AUX_DIS	0x20

/**
 * struct tandem_i8042 - the controller's state
 * @lock: vCPUs access it concurrently
 * @ctr: the command byte
 * @outport: the output port (bit 0: CPU not in reset)
 * @out: the output buffer
 * @out_full: @out holds a reply not read yet
 * @pending: the command waiting for its data byte, 0 if none
 * @cmd: the last write went to the command port
 */
struct tandem_i8042 {
	spinlock_t lock; /* the whole state */
	u8 ctr, outport, out, pending;
	bool out_full, cmd;
};

static void i8042_reply(struct tandem_i8042 *k, u8 val)
{
	k->out = val;
	k->out_full = true;
}

static void i8042_reset_cpu(struct tandem_vcpu *vcpu)
{
	vcpu->leave = TANDEM_LEAVE_REBOOT;
}

static u64 i8042_read(struct tandem_vcpu *vcpu, u64 addr, int size)
{
	struct tandem_i8042 *k = vcpu->dom->i8042;
	u8 val;

	spin_lock(&k->lock);
	if (addr == I8042_CMD) {
		val = STS_SYS | STS_UNINHIBITED;
		if (k->cmd)
			val |= STS_CMD;
		if (k->out_full)
			val |= STS_OBF;
	} else {
		val = k->out;	/* an empty buffer repeats the last byte */
		k->out_full = false;
	}
	spin_unlock(&k->lock);
	return val;
}

static void i8042_command(struct tandem_vcpu *vcpu, struct tandem_i8042 *k,
			  u8 val)
{
	switch (val) {
	case 0x20:
		i8042_reply(k, k->ctr);
		break;
	case 0x60:
	case 0xd1:
		k->pending = val;
		break;
	case 0xa7:
		k->ctr |= CTR_AUX_DIS;
		break;
	case 0xa8:
		k->ctr &= ~CTR_AUX_DIS;
		break;
	case 0xa9:
		i8042_reply(k, 0x01);
		break;
	case 0xaa:
		i8042_reply(k, 0x55);
		break;
	case 0xab:
		i8042_reply(k, 0x00);
		break;
	case 0xad:
		k->ctr |= CTR_KBD_DIS;
		break;
	case 0xae:
		k->ctr &= ~CTR_KBD_DIS;
		break;
	case 0xd0:
		i8042_reply(k, k->outport);
		break;
	case 0xf0 ... 0xff:
		/* Pulse output port bits whose mask bit is 0: bit 0 resets. */
		if (!(val & 1))
			i8042_reset_cpu(vcpu);
		break;
	}
}

static void i8042_write(struct tandem_vcpu *vcpu, u64 addr, int size, u64 v)
{
	struct tandem_i8042 *k = vcpu->dom->i8042;
	u8 val = v;

	spin_lock(&k->lock);
	k->cmd = addr == I8042_CMD;
	if (addr == I8042_CMD) {
		k->pending = 0;
		i8042_command(vcpu, k, val);
	} else if (k->pending == 0x60) {
		k->ctr = val;
		k->pending = 0;
	} else if (k->pending == 0xd1) {
		k->outport = val;
		k->pending = 0;
		if (!(val & 1))
			i8042_reset_cpu(vcpu);
	}
	/* Otherwise a byte for the keyboard, which is not there. */
	spin_unlock(&k->lock);
}

static int i8042_create(struct tandem_domain *dom)
{
	struct tandem_i8042 *k = kzalloc(sizeof(*k), GFP_KERNEL_ACCOUNT);

	if (!k)
		return -ENOMEM;
	spin_lock_init(&k->lock);
	k->ctr = CTR_KBD_DIS | CTR_AUX_DIS;
	k->outport = 0x01;	/* CPU running; A20 is always on */
	dom->i8042 = k;
	return 0;
}

static void i8042_destroy(struct tandem_domain *dom)
{
	kfree(dom->i8042);
	dom->i8042 = NULL;
}

/*
 * Two descriptors, for 0x60 and 0x64: the ports between (0x61, speaker
 * and NMI status; 0x62, 0x63) are not the controller's.
 */
const struct tandem_device tandem_i8042_dev = {
	.name = "i8042 data",
	.port = I8042_DATA,
	.nports = 1,
	.read = i8042_read,
	.write = i8042_write,
	.create = i8042_create,
	.destroy = i8042_destroy,
};

const struct tandem_device tandem_i8042_cmd_dev = {
	.name = "i8042 command",
	.port = I8042_CMD,
	.nports = 1,
	.read = i8042_read,
	.write = i8042_write,
};
