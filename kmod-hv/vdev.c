// SPDX-License-Identifier: GPL-2.0
/*
 * Virtio devices of a domain: the virtio-mmio window with its slots,
 * DEVICE_ATTACH and DEVICE_DETACH, and the device list of DOMAIN_GET.
 *
 * A slot's device is set while the domain is in state created, under the
 * domain's ctl_lock (so no vCPU runs and none starts), and removed when no
 * vCPU runs; the MMIO handlers, on vCPU threads, read the slot without a
 * lock. DOMAIN_GET reads the slots under vdev_lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/file.h>
#include <linux/jhash.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>
#include <net/genetlink.h>

#include "tandem_hv.h"
#include "vdev.h"

/* MMIO ---------------------------------------------------------------------- */

static struct tandem_vdev *tandem_virtio_find(struct tandem_vcpu *vcpu,
					      u64 addr, u32 *off)
{
	u64 rel = addr - TANDEM_VIRTIO_MMIO_BASE;
	struct tandem_vdev *vdev;

	vdev = READ_ONCE(vcpu->dom->vdev[rel / TANDEM_VIRTIO_MMIO_STRIDE]);
	*off = rel % TANDEM_VIRTIO_MMIO_STRIDE;
	if (!vdev || *off >= TANDEM_VMMIO_SIZE) {
		atomic64_inc(&vcpu->dom->unhandled_io);
		atomic64_inc(&vcpu->dom->unhandled_mmio);
		return NULL;
	}
	return vdev;
}

static u64 tandem_virtio_read(struct tandem_vcpu *vcpu, u64 addr, int size)
{
	struct tandem_vdev *vdev;
	u32 off, val;

	vdev = tandem_virtio_find(vcpu, addr, &off);
	if (!vdev)
		return ~0ULL;
	tandem_vmmio_read(vdev->vmmio, off, size, &val);
	return val;
}

static void tandem_virtio_write(struct tandem_vcpu *vcpu, u64 addr, int size,
				u64 val)
{
	struct tandem_vdev *vdev;
	u32 off;

	vdev = tandem_virtio_find(vcpu, addr, &off);
	if (vdev)
		tandem_vmmio_write(vdev->vmmio, off, size, val);
}

/*
 * The slots' register windows. An empty slot, or the part of a window past
 * the registers, behaves like the rest of the platform MMIO hole.
 */
const struct tandem_device tandem_virtio_dev = {
	.name = "virtio-mmio",
	.mmio_base = TANDEM_VIRTIO_MMIO_BASE,
	.mmio_len = TANDEM_VIRTIO_SLOTS * TANDEM_VIRTIO_MMIO_STRIDE,
	.read = tandem_virtio_read,
	.write = tandem_virtio_write,
};

/* The device list ------------------------------------------------------------ */

static int tandem_vdev_fill(struct sk_buff *skb, struct tandem_vdev *vdev)
{
	const char *broken = NULL;
	unsigned long flags;

	spin_lock_irqsave(&vdev->vmmio->lock, flags);
	if (vdev->vmmio->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		broken = vdev->vmmio->reason;
	spin_unlock_irqrestore(&vdev->vmmio->lock, flags);

	if (nla_put_u32(skb, TANDEM_DEVICE_A_TYPE, vdev->type) ||
	    nla_put_u32(skb, TANDEM_DEVICE_A_INDEX, vdev->index) ||
	    nla_put_u32(skb, TANDEM_DEVICE_A_SLOT, vdev->slot) ||
	    nla_put_u64_64bit(skb, TANDEM_DEVICE_A_MMIO_BASE,
			      TANDEM_VIRTIO_MMIO_BASE +
			      vdev->slot * TANDEM_VIRTIO_MMIO_STRIDE,
			      TANDEM_DEVICE_A_PAD) ||
	    nla_put_u32(skb, TANDEM_DEVICE_A_GSI, tandem_vdev_gsi(vdev)) ||
	    (broken && nla_put_string(skb, TANDEM_DEVICE_A_BROKEN, broken)))
		return -EMSGSIZE;
	return vdev->ops->fill(skb, vdev);
}

/**
 * tandem_vdevs_fill() - list a domain's devices in %TANDEM_DOMAIN_A_DEVICES
 * @skb: the message
 * @dom: the domain
 *
 * Return: 0 or -EMSGSIZE. No attribute when the domain has no device.
 */
int tandem_vdevs_fill(struct sk_buff *skb, struct tandem_domain *dom)
{
	struct nlattr *list = NULL, *one;
	unsigned int i;
	int err = 0;

	mutex_lock(&dom->vdev_lock);
	for (i = 0; i < TANDEM_VIRTIO_SLOTS && !err; i++) {
		if (!dom->vdev[i])
			continue;
		if (!list) {
			list = nla_nest_start(skb, TANDEM_DOMAIN_A_DEVICES);
			if (!list) {
				err = -EMSGSIZE;
				break;
			}
		}
		one = nla_nest_start(skb, TANDEM_DEVICE_A_DEVICE);
		if (!one || tandem_vdev_fill(skb, dom->vdev[i]))
			err = -EMSGSIZE;
		else
			nla_nest_end(skb, one);
	}
	mutex_unlock(&dom->vdev_lock);
	if (err)
		return err;
	if (list)
		nla_nest_end(skb, list);
	return 0;
}

static void tandem_vdev_remove(struct tandem_vdev *vdev)
{
	struct tandem_domain *dom = vdev->dom;

	mutex_lock(&dom->vdev_lock);
	WRITE_ONCE(dom->vdev[vdev->slot], NULL);
	mutex_unlock(&dom->vdev_lock);
	vdev->ops->destroy(vdev);
}

/**
 * tandem_vdevs_destroy() - remove every device of a domain
 * @dom: the domain, its vCPUs stopped for good
 *
 * Waits for the disks' I/O in flight, closes their files and unregisters
 * the NICs' host netdevs. Calling it again does nothing.
 */
void tandem_vdevs_destroy(struct tandem_domain *dom)
{
	unsigned int i;

	for (i = 0; i < TANDEM_VIRTIO_SLOTS; i++)
		if (dom->vdev[i])
			tandem_vdev_remove(dom->vdev[i]);
}

/**
 * tandem_vdevs_reset() - reset every device of a restarting domain
 * @dom: the domain, its vCPUs out of the guest, its ctl_lock held
 *
 * Before the domain's memory is put back: requests in flight complete
 * into nothing (the transport's reset drops them) and no backend writes
 * guest memory after this returns. The rebooted guest finds its devices
 * as at power-on.
 */
void tandem_vdevs_reset(struct tandem_domain *dom)
{
	unsigned int i;

	mutex_lock(&dom->vdev_lock);
	for (i = 0; i < TANDEM_VIRTIO_SLOTS; i++)
		if (dom->vdev[i])
			dom->vdev[i]->ops->reset(dom->vdev[i]);
	mutex_unlock(&dom->vdev_lock);
}

/* DEVICE_ATTACH ------------------------------------------------------------ */

/* The lowest index not used by a device of @type, or -1 when all are. */
static int tandem_vdev_free_index(struct tandem_domain *dom, u32 type)
{
	unsigned long used = 0;
	unsigned int i;

	for (i = 0; i < TANDEM_VIRTIO_SLOTS; i++)
		if (dom->vdev[i] && dom->vdev[i]->type == type)
			__set_bit(dom->vdev[i]->index, &used);
	i = find_first_zero_bit(&used, TANDEM_VIRTIO_SLOTS);
	return i < TANDEM_VIRTIO_SLOTS ? i : -1;
}

static u32 tandem_vdev_count(struct tandem_domain *dom, u32 type)
{
	unsigned int i, n = 0;

	for (i = 0; i < TANDEM_VIRTIO_SLOTS; i++)
		if (dom->vdev[i] && dom->vdev[i]->type == type)
			n++;
	return n;
}

static int tandem_attach_fill(struct tandem_decision *dec, struct sk_buff *skb)
{
	struct tandem_attach *att = dec->attach;
	struct tandem_domain *dom = dec->dom;

	if (nla_put_u32(skb, TANDEM_DECISION_A_DEVICE_TYPE, att->type) ||
	    nla_put_u32(skb, TANDEM_DECISION_A_NR_DISKS,
			tandem_vdev_count(dom, TANDEM_DEVICE_DISK)) ||
	    nla_put_u32(skb, TANDEM_DECISION_A_NR_NICS,
			tandem_vdev_count(dom, TANDEM_DEVICE_NIC)))
		return -EMSGSIZE;
	if (att->type == TANDEM_DEVICE_DISK)
		return nla_put_string(skb, TANDEM_DECISION_A_PATH, att->path) ||
		       nla_put_u8(skb, TANDEM_DECISION_A_READ_ONLY,
				  att->read_only);
	return nla_put_string(skb, TANDEM_DECISION_A_IFNAME, att->ifname);
}

/* Install the device the agent allowed: 0, or an errno with *@msg. */
static int tandem_attach_install(struct tandem_decision *dec, const char **msg,
				 struct tandem_vdev **out)
{
	struct tandem_attach *att = dec->attach;
	struct tandem_domain *dom = dec->dom;
	struct tandem_vdev *vdev;
	unsigned int slot;

	if (READ_ONCE(dom->state) != TANDEM_STATE_CREATED) {
		*msg = "domain is not in state created any more";
		return -EINVAL;
	}
	for (slot = 0; slot < TANDEM_VIRTIO_SLOTS; slot++)
		if (!dom->vdev[slot])
			break;
	if (slot == TANDEM_VIRTIO_SLOTS) {
		*msg = "all virtio-mmio slots are taken";
		return -ENOSPC;
	}
	if (tandem_vdev_free_index(dom, att->type) != att->index) {
		*msg = "another attach to this domain raced with this one: try again";
		return -EBUSY;
	}
	if (att->type == TANDEM_DEVICE_DISK)
		vdev = tandem_disk_create(dom, att, slot, msg);
	else
		vdev = tandem_nic_create(dom, att, slot, msg);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);
	mutex_lock(&dom->vdev_lock);
	WRITE_ONCE(dom->vdev[slot], vdev);
	mutex_unlock(&dom->vdev_lock);
	*out = vdev;
	return 0;
}

static void tandem_attach_complete(struct tandem_decision *dec)
{
	struct tandem_domain *dom = dec->dom;
	struct tandem_vdev *vdev = NULL;
	const char *msg = NULL;
	struct sk_buff *skb;
	void *hdr;
	int err;

	if (dec->err || !dec->allow) {
		tandem_decision_reply_denied(dec);
		return;
	}
	mutex_lock(&dom->ctl_lock);
	err = tandem_attach_install(dec, &msg, &vdev);
	if (err) {
		mutex_unlock(&dom->ctl_lock);
		tandem_reply_ack(&dec->rq, err, msg);
		return;
	}
	skb = tandem_reply_new(&dec->rq, NLMSG_DEFAULT_SIZE + TANDEM_PATH_MAX,
			       &hdr);
	if (!skb) {
		tandem_reply_ack(&dec->rq, -ENOMEM, "out of memory");
	} else if (nla_put_u32(skb, TANDEM_DEVICE_A_DOMAIN_ID, dom->id) ||
		   nla_put_string(skb, TANDEM_DEVICE_A_DOMAIN_NAME, dom->name) ||
		   tandem_vdev_fill(skb, vdev)) {
		nlmsg_free(skb);
		tandem_reply_ack(&dec->rq, -EMSGSIZE, "reply too large");
	} else {
		tandem_reply_send(&dec->rq, skb, hdr);
	}
	mutex_unlock(&dom->ctl_lock);
}

static void tandem_attach_release(struct tandem_decision *dec)
{
	struct tandem_attach *att = dec->attach;

	if (!att)
		return;
	if (att->file)
		fput(att->file);
	kfree(att->path);
	kfree(att);
}

static const struct tandem_decision_ops tandem_attach_ops = {
	.fill = tandem_attach_fill,
	.complete = tandem_attach_complete,
	.release = tandem_attach_release,
};

/* A default MAC: locally administered, unicast, stable per name and index. */
static void tandem_nic_default_mac(struct tandem_domain *dom, u32 index,
				   u8 *mac)
{
	u32 h = jhash(dom->name, strlen(dom->name), index);

	mac[0] = 0x02;
	mac[1] = 0x54;	/* 'T' */
	put_unaligned_be32(h, mac + 2);
}

static int tandem_attach_disk(struct genl_info *info, struct tandem_attach *att)
{
	struct nlattr **tb = info->attrs;
	const char *reason = NULL;
	size_t i;
	int err;

	if (TANDEM_REQ_ATTR(info, TANDEM_DEVICE_A_PATH, "path"))
		return -EINVAL;
	if (tb[TANDEM_DEVICE_A_MAC] || tb[TANDEM_DEVICE_A_IFNAME]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[TANDEM_DEVICE_A_MAC] ?:
				    tb[TANDEM_DEVICE_A_IFNAME],
				    "attribute is for NICs, not disks");
		return -EINVAL;
	}
	if (((char *)nla_data(tb[TANDEM_DEVICE_A_PATH]))[0] != '/') {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[TANDEM_DEVICE_A_PATH],
				    "path must be absolute");
		return -EINVAL;
	}
	if (tb[TANDEM_DEVICE_A_SERIAL]) {
		const char *s = nla_data(tb[TANDEM_DEVICE_A_SERIAL]);

		for (i = 0; s[i]; i++)
			if (s[i] < 0x20 || s[i] > 0x7e) {
				NL_SET_ERR_MSG_ATTR(info->extack,
						    tb[TANDEM_DEVICE_A_SERIAL],
						    "serial must be printable ASCII");
				return -EINVAL;
			}
		strscpy(att->serial, s, sizeof(att->serial));
	}
	att->read_only = nla_get_flag(tb[TANDEM_DEVICE_A_READ_ONLY]);
	/* Opened here, with the requester's credentials and namespace. */
	err = tandem_disk_open(att, nla_data(tb[TANDEM_DEVICE_A_PATH]),
			       &reason);
	if (err) {
		/* @reason is static: extack keeps the pointer. */
		NL_SET_BAD_ATTR(info->extack, tb[TANDEM_DEVICE_A_PATH]);
		info->extack->_msg = reason;
	}
	return err;
}

static int tandem_attach_nic(struct genl_info *info, struct tandem_domain *dom,
			     struct tandem_attach *att)
{
	struct nlattr **tb = info->attrs;
	struct nlattr *bad;

	bad = tb[TANDEM_DEVICE_A_PATH] ?: tb[TANDEM_DEVICE_A_READ_ONLY] ?:
	      tb[TANDEM_DEVICE_A_SERIAL];
	if (bad) {
		NL_SET_ERR_MSG_ATTR(info->extack, bad,
				    "attribute is for disks, not NICs");
		return -EINVAL;
	}
	if (tb[TANDEM_DEVICE_A_MAC]) {
		memcpy(att->mac, nla_data(tb[TANDEM_DEVICE_A_MAC]), ETH_ALEN);
		if (!is_valid_ether_addr(att->mac)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[TANDEM_DEVICE_A_MAC],
					    "MAC must be unicast and not zero");
			return -EINVAL;
		}
	} else {
		tandem_nic_default_mac(dom, att->index, att->mac);
	}
	if (tb[TANDEM_DEVICE_A_IFNAME]) {
		if (!dev_valid_name(nla_data(tb[TANDEM_DEVICE_A_IFNAME]))) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[TANDEM_DEVICE_A_IFNAME],
					    "not a valid network device name");
			return -EINVAL;
		}
		strscpy(att->ifname, nla_data(tb[TANDEM_DEVICE_A_IFNAME]),
			sizeof(att->ifname));
	} else {
		snprintf(att->ifname, sizeof(att->ifname), "tdm%u.%u", dom->id,
			 att->index);
	}
	return 0;
}

/**
 * tandem_device_attach_doit() - DEVICE_ATTACH: check, open, ask the agent
 * @skb: the request
 * @info: its attributes
 *
 * Return: -EINTR when the decision is pending (the reply comes from
 * tandem_attach_complete()), or an error with an extack message.
 */
int tandem_device_attach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tandem_decision *dec;
	struct tandem_domain *dom;
	struct tandem_attach *att;
	int index, err;

	if (TANDEM_REQ_ATTR(info, TANDEM_DEVICE_A_TYPE, "type"))
		return -EINVAL;
	dom = tandem_domain_lookup(info, TANDEM_DEVICE_A_DOMAIN_ID,
				   TANDEM_DEVICE_A_DOMAIN_NAME);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	err = -EINVAL;
	if (READ_ONCE(dom->state) != TANDEM_STATE_CREATED) {
		GENL_SET_ERR_MSG(info,
				 "domain is not in state created: devices are attached before it starts (virtio-mmio has no hotplug)");
		goto err_put;
	}
	att = kzalloc(sizeof(*att), GFP_KERNEL_ACCOUNT);
	err = -ENOMEM;
	if (!att)
		goto err_put;
	att->type = nla_get_u32(info->attrs[TANDEM_DEVICE_A_TYPE]);
	mutex_lock(&dom->vdev_lock);
	index = tandem_vdev_free_index(dom, att->type);
	mutex_unlock(&dom->vdev_lock);
	if (index < 0) {
		GENL_SET_ERR_MSG(info, "all virtio-mmio slots are taken");
		err = -ENOSPC;
		goto err_free;
	}
	att->index = index;
	if (att->type == TANDEM_DEVICE_DISK)
		err = tandem_attach_disk(info, att);
	else
		err = tandem_attach_nic(info, dom, att);
	if (err)
		goto err_free;

	dec = tandem_decision_new(TANDEM_DECISION_DEVICE_ATTACH,
				  &tandem_attach_ops, info);
	err = -ENOMEM;
	if (!dec)
		goto err_free;
	tandem_domain_decision_init(dec, dom);
	dec->memory = dom->mem.size;
	dec->attach = att;
	return tandem_ask(dec, info);

err_free:
	if (att->file)
		fput(att->file);
	kfree(att->path);
	kfree(att);
err_put:
	tandem_domain_put(dom);
	return err;
}

/* DEVICE_DETACH ------------------------------------------------------------ */

/**
 * tandem_device_detach_doit() - DEVICE_DETACH: remove a device
 * @skb: the request
 * @info: its attributes
 *
 * Not while the domain's vCPUs run or are paused: the guest's driver would
 * lose its device under it. Does not ask the agent: giving a device back
 * cannot break a limit.
 *
 * Return: 0 or an error with an extack message.
 */
int tandem_device_detach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tandem_vdev *vdev = NULL;
	struct tandem_domain *dom;
	unsigned int i;
	u32 type, index;
	u32 state;
	int err = 0;

	if (TANDEM_REQ_ATTR(info, TANDEM_DEVICE_A_TYPE, "type") ||
	    TANDEM_REQ_ATTR(info, TANDEM_DEVICE_A_INDEX, "index"))
		return -EINVAL;
	type = nla_get_u32(info->attrs[TANDEM_DEVICE_A_TYPE]);
	index = nla_get_u32(info->attrs[TANDEM_DEVICE_A_INDEX]);
	dom = tandem_domain_lookup(info, TANDEM_DEVICE_A_DOMAIN_ID,
				   TANDEM_DEVICE_A_DOMAIN_NAME);
	if (IS_ERR(dom))
		return PTR_ERR(dom);

	mutex_lock(&dom->ctl_lock);
	state = READ_ONCE(dom->state);
	if (state == TANDEM_STATE_RUNNING || state == TANDEM_STATE_PAUSED) {
		GENL_SET_ERR_MSG(info,
				 "domain is running or paused: its guest is using the device");
		err = -EBUSY;
	} else if (state == TANDEM_STATE_DYING) {
		GENL_SET_ERR_MSG(info, "no such domain (being destroyed)");
		err = -ENOENT;
	} else {
		for (i = 0; i < TANDEM_VIRTIO_SLOTS && !vdev; i++)
			if (dom->vdev[i] && dom->vdev[i]->type == type &&
			    dom->vdev[i]->index == index)
				vdev = dom->vdev[i];
		if (vdev) {
			tandem_vdev_remove(vdev);
		} else {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[TANDEM_DEVICE_A_INDEX],
					    "the domain has no such device");
			err = -ENOENT;
		}
	}
	mutex_unlock(&dom->ctl_lock);
	tandem_domain_put(dom);
	return err;
}
