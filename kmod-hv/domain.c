// SPDX-License-Identifier: GPL-2.0
/*
 * Domains: the table of guests, their names, states and references.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/memcontrol.h>
#include <linux/slab.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/xarray.h>

#include "tandem_hv.h"

/*
 * tandem_dom_lock serialises changes to the table and the name space; the
 * xarray's own lock and RCU let lookups by id run beside them.
 */
static DEFINE_MUTEX(tandem_dom_lock);
static DEFINE_XARRAY_FLAGS(tandem_domains, XA_FLAGS_LOCK_IRQ);
static u32 tandem_next_domid = 1;
static u32 tandem_nr_domains;
static u64 tandem_total_memory;

/**
 * tandem_domain_name_valid() - whether @name may name a domain
 * @name: NUL-terminated
 *
 * Names are 1 to %TANDEM_NAME_MAX - 1 characters of [A-Za-z0-9_.-] and
 * start with a letter or a digit, so that they are safe in file names,
 * netdev names and command lines.
 *
 * Return: true when valid.
 */
bool tandem_domain_name_valid(const char *name)
{
	size_t i, len = strnlen(name, TANDEM_NAME_MAX);

	if (!len || len >= TANDEM_NAME_MAX || !isalnum(name[0]))
		return false;
	for (i = 1; i < len; i++)
		if (!isalnum(name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

static void tandem_domain_free(struct tandem_domain *dom)
{
	/* Devices first: their timers may still route interrupts to vCPUs. */
	tandem_vdevs_destroy(dom);
	tandem_devices_destroy(dom);
	tandem_vcpus_free(dom);
	tandem_console_free(dom);
	free_cpumask_var(dom->cpumask);
	tandem_mem_free(&dom->mem);
}

static void tandem_domain_release(struct kref *ref)
{
	struct tandem_domain *dom = container_of(ref, struct tandem_domain, ref);

	tandem_domain_free(dom);
	mem_cgroup_put(dom->memcg);
	kfree_rcu(dom, rcu);
}

/**
 * tandem_domain_put() - drop a reference
 * @dom: the domain; freed with its memory when the last one goes
 */
void tandem_domain_put(struct tandem_domain *dom)
{
	if (dom)
		kref_put(&dom->ref, tandem_domain_release);
}

/**
 * tandem_domain_get_by_id() - look a domain up and take a reference
 * @id: domid
 *
 * Return: the domain, or %NULL when there is none with that id.
 */
struct tandem_domain *tandem_domain_get_by_id(u32 id)
{
	struct tandem_domain *dom;

	rcu_read_lock();
	dom = xa_load(&tandem_domains, id);
	if (dom && !kref_get_unless_zero(&dom->ref))
		dom = NULL;
	rcu_read_unlock();
	return dom;
}

/* Caller holds tandem_dom_lock. */
static struct tandem_domain *tandem_domain_find_name(const char *name)
{
	struct tandem_domain *dom;
	unsigned long id;

	xa_for_each(&tandem_domains, id, dom)
		if (!strcmp(dom->name, name))
			return dom;
	return NULL;
}

/**
 * tandem_domain_get_by_name() - look a domain up and take a reference
 * @name: its name
 *
 * Return: the domain, or %NULL when there is none with that name.
 */
struct tandem_domain *tandem_domain_get_by_name(const char *name)
{
	struct tandem_domain *dom;

	mutex_lock(&tandem_dom_lock);
	dom = tandem_domain_find_name(name);
	if (dom)
		kref_get(&dom->ref);
	mutex_unlock(&tandem_dom_lock);
	return dom;
}

/**
 * tandem_domain_totals() - the number of domains and the memory they own
 * @nr: set to the number of domains
 * @memory: set to their memory in bytes
 */
void tandem_domain_totals(u32 *nr, u64 *memory)
{
	mutex_lock(&tandem_dom_lock);
	*nr = tandem_nr_domains;
	*memory = tandem_total_memory;
	mutex_unlock(&tandem_dom_lock);
}

/**
 * tandem_domain_create() - make a domain with zeroed RAM
 * @name: validated name
 * @memory: bytes of RAM, a multiple of %PAGE_SIZE
 * @vcpus: number of vCPUs
 * @owner: the creator's uid
 * @memcg: the creator's memory cgroup (a reference passed to the domain)
 *
 * Return: the domain with one reference for the caller (the table holds
 * another), or ERR_PTR(-EEXIST) when the name is taken, ERR_PTR(-ENOMEM).
 * On error the caller keeps its reference on @memcg.
 */
struct tandem_domain *tandem_domain_create(const char *name, u64 memory,
					   u32 vcpus, kuid_t owner,
					   struct mem_cgroup *memcg)
{
	struct tandem_domain *dom;
	int err;

	dom = kzalloc(sizeof(*dom), GFP_KERNEL_ACCOUNT);
	if (!dom)
		return ERR_PTR(-ENOMEM);
	kref_init(&dom->ref);
	mutex_init(&dom->lock);
	mutex_init(&dom->ctl_lock);
	mutex_init(&dom->vdev_lock);
	strscpy(dom->name, name, sizeof(dom->name));
	dom->vcpus = vcpus;
	dom->owner = owner;
	dom->state = TANDEM_STATE_CREATED;
	dom->created_ns = ktime_get_real_ns();
	dom->weight = 256;
	atomic64_set(&dom->unhandled_io, 0);
	atomic64_set(&dom->unhandled_mmio, 0);
	INIT_WORK(&dom->stop_work, tandem_domain_stop_work);
	dom->on_poweroff = TANDEM_NO_WISH;
	dom->on_reboot = TANDEM_NO_WISH;
	dom->on_crash = TANDEM_NO_WISH;

	err = -ENOMEM;
	if (!zalloc_cpumask_var(&dom->cpumask, GFP_KERNEL_ACCOUNT) ||
	    tandem_console_init(dom) || tandem_devices_create(dom) ||
	    tandem_vcpus_alloc(dom))
		goto err_free;
	cpumask_copy(dom->cpumask, cpu_possible_mask);

	/* Allocate outside the lock: zeroing a large guest takes time. */
	err = tandem_mem_alloc(&dom->mem, memory, memcg);
	if (err)
		goto err_free;

	mutex_lock(&tandem_dom_lock);
	if (tandem_domain_find_name(name)) {
		err = -EEXIST;
		goto err_unlock;
	}
	dom->id = tandem_next_domid;
	err = xa_insert_irq(&tandem_domains, dom->id, dom, GFP_KERNEL);
	if (err)
		goto err_unlock;
	/* Ids are never reused while the module is loaded. */
	tandem_next_domid++;
	tandem_nr_domains++;
	tandem_total_memory += memory;
	dom->memcg = memcg;
	kref_get(&dom->ref);
	mutex_unlock(&tandem_dom_lock);

	tandem_event_domain(TANDEM_EVENT_DOMAIN_CREATED, dom, TANDEM_STATE_NONE);
	return dom;

err_unlock:
	mutex_unlock(&tandem_dom_lock);
err_free:
	tandem_domain_free(dom);
	kfree(dom);
	return ERR_PTR(err);
}

/**
 * tandem_domain_set_state() - move a domain to @state and announce it
 * @dom: the domain
 * @state: &enum tandem_domain_state
 */
void tandem_domain_set_state(struct tandem_domain *dom, u32 state)
{
	u32 old;

	mutex_lock(&dom->lock);
	old = dom->state;
	WRITE_ONCE(dom->state, state);
	mutex_unlock(&dom->lock);
	if (old != state)
		tandem_event_domain(TANDEM_EVENT_DOMAIN_STATE, dom, old);
}

/* Caller holds tandem_dom_lock; drops the table's reference. */
static void tandem_domain_unlist(struct tandem_domain *dom)
{
	xa_erase_irq(&tandem_domains, dom->id);
	tandem_nr_domains--;
	tandem_total_memory -= dom->mem.size;
}

/**
 * tandem_domain_destroy() - take a domain out of the table
 * @dom: the domain (the caller's reference stays valid)
 *
 * Return: 0, or -ENOENT when someone else destroyed it first.
 */
int tandem_domain_destroy(struct tandem_domain *dom)
{
	mutex_lock(&tandem_dom_lock);
	if (xa_load(&tandem_domains, dom->id) != dom) {
		mutex_unlock(&tandem_dom_lock);
		return -ENOENT;
	}
	tandem_domain_unlist(dom);
	mutex_unlock(&tandem_dom_lock);

	mutex_lock(&dom->ctl_lock);
	tandem_domain_stop_vcpus(dom, TANDEM_STATE_DYING);
	tandem_vcpus_teardown(dom);
	mutex_unlock(&dom->ctl_lock);
	/* Disks flushed and closed, host netdevs gone, with the domain. */
	tandem_vdevs_destroy(dom);
	tandem_event_domain(TANDEM_EVENT_DOMAIN_DESTROYED, dom,
			    TANDEM_STATE_DYING);
	tandem_domain_put(dom);
	return 0;
}

/**
 * tandem_domains_destroy_all() - destroy every domain, at module unload
 */
void tandem_domains_destroy_all(void)
{
	struct tandem_domain *dom;
	unsigned long id;

	mutex_lock(&tandem_dom_lock);
	xa_for_each(&tandem_domains, id, dom) {
		tandem_domain_unlist(dom);
		tandem_domain_stop_vcpus(dom, TANDEM_STATE_DYING);
		tandem_vcpus_teardown(dom);
		tandem_vdevs_destroy(dom);
		tandem_domain_put(dom);
	}
	mutex_unlock(&tandem_dom_lock);
}

/**
 * tandem_domain_fill() - put a domain's attributes into a message
 * @skb: the message
 * @dom: the domain
 *
 * Return: 0 or -EMSGSIZE.
 */
int tandem_domain_fill(struct sk_buff *skb, struct tandem_domain *dom)
{
	char reason[TANDEM_REASON_MAX];

	if (nla_put_u32(skb, TANDEM_DOMAIN_A_ID, dom->id) ||
	    nla_put_string(skb, TANDEM_DOMAIN_A_NAME, dom->name) ||
	    nla_put_u32(skb, TANDEM_DOMAIN_A_STATE, READ_ONCE(dom->state)) ||
	    nla_put_u64_64bit(skb, TANDEM_DOMAIN_A_MEMORY, dom->mem.size,
			      TANDEM_DOMAIN_A_PAD) ||
	    nla_put_u32(skb, TANDEM_DOMAIN_A_VCPUS, dom->vcpus) ||
	    nla_put_u64_64bit(skb, TANDEM_DOMAIN_A_CREATED_NS, dom->created_ns,
			      TANDEM_DOMAIN_A_PAD) ||
	    nla_put_u32(skb, TANDEM_DOMAIN_A_OWNER_UID,
			from_kuid_munged(&init_user_ns, dom->owner)) ||
	    nla_put_u32(skb, TANDEM_DOMAIN_A_CHUNKS_2M, dom->mem.chunks_2m) ||
	    nla_put_u32(skb, TANDEM_DOMAIN_A_PAGES_4K, dom->mem.pages_4k) ||
	    nla_put_u32(skb, TANDEM_DOMAIN_A_RESTARTS, READ_ONCE(dom->restarts)) ||
	    nla_put_u64_64bit(skb, TANDEM_DOMAIN_A_UNHANDLED_IO,
			      atomic64_read(&dom->unhandled_io),
			      TANDEM_DOMAIN_A_PAD) ||
	    nla_put_u64_64bit(skb, TANDEM_DOMAIN_A_UNHANDLED_MMIO,
			      atomic64_read(&dom->unhandled_mmio),
			      TANDEM_DOMAIN_A_PAD) ||
	    nla_put_u32(skb, TANDEM_DOMAIN_A_WEIGHT, dom->weight) ||
	    nla_put_u32(skb, TANDEM_DOMAIN_A_CAP, dom->cap) ||
	    nla_put(skb, TANDEM_DOMAIN_A_CPUMASK,
		    BITS_TO_LONGS(nr_cpu_ids) * sizeof(long),
		    cpumask_bits(dom->cpumask)) ||
	    tandem_vcpu_fill_stats(skb, dom))
		return -EMSGSIZE;

	if (READ_ONCE(dom->state) == TANDEM_STATE_SHUTDOWN &&
	    nla_put_u32(skb, TANDEM_DOMAIN_A_SHUTDOWN_REASON,
			READ_ONCE(dom->shutdown_reason)))
		return -EMSGSIZE;
	if ((dom->on_poweroff != TANDEM_NO_WISH &&
	     nla_put_u32(skb, TANDEM_DOMAIN_A_ON_POWEROFF, dom->on_poweroff)) ||
	    (dom->on_reboot != TANDEM_NO_WISH &&
	     nla_put_u32(skb, TANDEM_DOMAIN_A_ON_REBOOT, dom->on_reboot)) ||
	    (dom->on_crash != TANDEM_NO_WISH &&
	     nla_put_u32(skb, TANDEM_DOMAIN_A_ON_CRASH, dom->on_crash)))
		return -EMSGSIZE;

	mutex_lock(&dom->lock);
	strscpy(reason, dom->crash_reason, sizeof(reason));
	mutex_unlock(&dom->lock);
	if (reason[0] && nla_put_string(skb, TANDEM_DOMAIN_A_CRASH_REASON, reason))
		return -EMSGSIZE;
	return tandem_vdevs_fill(skb, dom);
}

/* Ask the agent about the crash or shutdown, off the vCPU thread. */
static void tandem_domain_stop_decide(struct tandem_domain *dom)
{
	kref_get(&dom->ref);
	if (!queue_work(tandem_wq, &dom->stop_work))
		tandem_domain_put(dom);
}

/**
 * tandem_domain_crash() - the guest did something fatal: stop it, record
 * why, and ask the agent what to do (see tandem_stopped_decide())
 * @dom: the domain
 * @vcpu: the vCPU at fault, whose thread calls this; or %NULL
 * @fmt: the reason, printf-style
 */
void tandem_domain_crash(struct tandem_domain *dom, struct tandem_vcpu *vcpu,
			 const char *fmt, ...)
{
	va_list args;

	mutex_lock(&dom->lock);
	if (dom->state != TANDEM_STATE_RUNNING &&
	    dom->state != TANDEM_STATE_PAUSED) {
		mutex_unlock(&dom->lock);
		return;
	}
	va_start(args, fmt);
	vsnprintf(dom->crash_reason, sizeof(dom->crash_reason), fmt, args);
	va_end(args);
	mutex_unlock(&dom->lock);

	tandem_domain_stop_vcpus(dom, TANDEM_STATE_CRASHED);
	if (vcpu) {
		dom->crash_vcpu = vcpu->id;
		preempt_disable();
		tandem_arch->get_regs(vcpu, &dom->crash_regs);
		preempt_enable();
	}
	pr_info_ratelimited("domain %s (%u) crashed: %s\n", dom->name, dom->id,
			    dom->crash_reason);
	tandem_domain_stop_decide(dom);
}

/**
 * tandem_domain_shutdown() - the guest powered off or asked for a reset:
 * stop it and ask the agent what to do (see tandem_stopped_decide())
 * @dom: the domain
 * @reason: &enum tandem_shutdown_reason
 */
void tandem_domain_shutdown(struct tandem_domain *dom, u32 reason)
{
	mutex_lock(&dom->lock);
	if (dom->state != TANDEM_STATE_RUNNING &&
	    dom->state != TANDEM_STATE_PAUSED) {
		mutex_unlock(&dom->lock);
		return;
	}
	/* Set before the state, for the state event to carry it. */
	WRITE_ONCE(dom->shutdown_reason, reason);
	mutex_unlock(&dom->lock);

	tandem_domain_stop_vcpus(dom, TANDEM_STATE_SHUTDOWN);
	tandem_domain_stop_decide(dom);
}

/**
 * tandem_domain_stop_work() - ask the agent about a crash or a shutdown
 * @work: &tandem_domain.stop_work
 */
void tandem_domain_stop_work(struct work_struct *work)
{
	struct tandem_domain *dom =
		container_of(work, struct tandem_domain, stop_work);

	tandem_stopped_decide(dom);
	tandem_domain_put(dom);
}

/**
 * tandem_domain_dump() - DOMAIN_GET with NLM_F_DUMP: every domain by id
 * @skb: the message to fill
 * @cb: dump state; args[0] is the next id to report
 *
 * Return: the message length, 0 at the end, or a negative errno.
 */
int tandem_domain_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long id = cb->args[0];
	struct tandem_domain *dom;
	int err = 0;

	mutex_lock(&tandem_dom_lock);
	xa_for_each_start(&tandem_domains, id, dom, id) {
		void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, &tandem_genl_family,
					NLM_F_MULTI, TANDEM_CMD_DOMAIN_GET);

		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		err = tandem_domain_fill(skb, dom);
		if (err) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	mutex_unlock(&tandem_dom_lock);

	if (err == -EMSGSIZE && skb->len) {
		/* Go on from the domain that did not fit. */
		cb->args[0] = id;
		return skb->len;
	}
	if (err)
		return err;
	cb->args[0] = ULONG_MAX;
	return skb->len;
}
