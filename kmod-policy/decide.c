// SPDX-License-Identifier: GPL-2.0
/*
 * The default policy: the administrator's configuration and the answer to
 * every kind of decision.
 *
 * Defaults, in force at every load of the module (a POLICY_SET is not
 * kept across reloads):
 *
 *   max_domains	8		domains that may exist at once
 *   max_memory		256 MiB		RAM of one domain
 *   max_vcpus		4		vCPUs of one domain
 *   memory_pool	512 MiB		RAM of all domains together
 *   name_pattern	"*"		glob (glob_match()) domain names must match
 *   mem_write_states	created,paused	states in which MEM_WRITE is allowed
 *   cpus		"all"		host CPUs domains start on (a CPU list)
 *   weight		256		scheduling weight of started domains
 *   cap		0		percent of a CPU per vCPU, 0: no cap
 *   on_crash		preserve	what a crash leads to, when the
 *					domain's configuration asks for nothing
 *   max_restarts	3		restarts before on_crash restart destroys
 *   on_poweroff	preserve	what a power-off leads to, when the
 *					domain's configuration asks for nothing
 *   on_reboot		preserve	likewise for a reboot
 *   disk_dirs		"/var/lib/tandem/disks"
 *					colon-separated directories whose
 *					files may back disks (empty: none)
 *   disk_ro_dirs	""		colon-separated directories whose
 *					files may back read-only disks only
 *   max_disks		4		disks of one domain
 *   max_nics		4		NICs of one domain
 *   nic_names		"tdm*"		glob (glob_match()) host netdev names
 *					of NICs must match
 *
 * Answers (Documentation/protocol-notes.txt, sections 3 to 11):
 *   DOMAIN_CREATE	checked in this order against max_domains, max_memory,
 *			max_vcpus, memory_pool and name_pattern; allowed with
 *			all the memory asked
 *   DOMAIN_DESTROY	allowed
 *   MEM_WRITE		allowed in the states of mem_write_states; the answer
 *			is marked for reuse either way (it only changes with
 *			the domain's state or a new configuration, and the
 *			mechanism drops it on both)
 *   POLICY_SET		every key present is validated, then all of them are
 *			applied at once, or none with a reason naming the key
 *   POLICY_GET		allowed, with every key
 *   DOMAIN_START	allowed, placed by cpus, weight and cap (no
 *			CPUMASK attribute when cpus is "all")
 *   CRASH		allowed, action the domain's wish (its config file's
 *			on_crash) when it has one, else on_crash; restart
 *			becomes destroy once the domain was restarted
 *			max_restarts times
 *   SHUTDOWN		allowed, action the domain's wish (its config file's
 *			on_poweroff/on_reboot) when it has one, else
 *			on_poweroff or on_reboot
 *   DEVICE_ATTACH	a disk: denied when its path (resolved by the
 *			mechanism, which opened it) is not absolute or has
 *			"//", "/./" or "/../"; then when the domain has
 *			max_disks disks; then a path inside a directory of
 *			disk_ro_dirs is allowed read-only and denied
 *			read-write, else a path inside a directory of
 *			disk_dirs is allowed, anything else is denied
 *			("inside": below it, on whole path components).
 *			A NIC: denied when the domain has max_nics NICs or
 *			its host netdev name does not match nic_names.
 *			Other device types are denied.
 *   anything else	denied (fail closed)
 * A decision that does not parse is denied if it has a cookie.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/cpumask.h>
#include <linux/glob.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <tandem.h>

#include "tandem_policy.h"

#define TPOL_MEM_ALIGN		SZ_4K
#define TPOL_STATES_VALID	(BIT(TANDEM_STATE_CREATED) |		\
				 BIT(TANDEM_STATE_RUNNING) |		\
				 BIT(TANDEM_STATE_PAUSED) |		\
				 BIT(TANDEM_STATE_SHUTDOWN) |		\
				 BIT(TANDEM_STATE_CRASHED))
/* nic_names, with NUL: room for a glob of several netdev names' length. */
#define TPOL_NIC_NAMES_MAX	(TANDEM_IFNAME_MAX * 4)

/**
 * struct tpol_config - the administrator's configuration
 * @max_domains: domains that may exist at once
 * @max_memory: bytes of RAM one domain may have
 * @max_vcpus: vCPUs one domain may have
 * @memory_pool: bytes of RAM all domains together may have
 * @name_pattern: glob domain names must match
 * @mem_write_states: mask of BIT(&enum tandem_domain_state) in which
 *	MEM_WRITE is allowed
 * @cpus: "all", or a CPU list in the kernel's normal form ("0-1,3")
 * @weight: scheduling weight granted at START
 * @cap: percent of one CPU per vCPU granted at START, 0 for none
 * @on_crash: &enum tandem_crash_action for a crash
 * @max_restarts: restarts after which a crash destroys instead
 * @on_poweroff: &enum tandem_crash_action for a power-off without a wish
 * @on_reboot: &enum tandem_crash_action for a reboot without a wish
 * @disk_dirs: colon-separated directories for disks, "" for none
 * @disk_ro_dirs: colon-separated directories for read-only disks only
 * @max_disks: disks one domain may have
 * @max_nics: NICs one domain may have
 * @nic_names: glob host netdev names of NICs must match
 *
 * Too large for the stack: copies of it are allocated.
 */
struct tpol_config {
	u32 max_domains;
	u64 max_memory;
	u32 max_vcpus;
	u64 memory_pool;
	char name_pattern[TANDEM_NAME_MAX];
	u32 mem_write_states;
	char cpus[TANDEM_CPULIST_MAX];
	u32 weight;
	u32 cap;
	u32 on_crash;
	u32 max_restarts;
	u32 on_poweroff;
	u32 on_reboot;
	char disk_dirs[TANDEM_PATH_MAX];
	char disk_ro_dirs[TANDEM_PATH_MAX];
	u32 max_disks;
	u32 max_nics;
	char nic_names[TPOL_NIC_NAMES_MAX];
};

/* Changed only as a whole, by an accepted POLICY_SET. */
static DEFINE_MUTEX(tpol_config_lock);
static struct tpol_config tpol_config = {
	.max_domains = 8,
	.max_memory = SZ_256M,
	.max_vcpus = 4,
	.memory_pool = SZ_512M,
	.name_pattern = "*",
	.mem_write_states = BIT(TANDEM_STATE_CREATED) | BIT(TANDEM_STATE_PAUSED),
	.cpus = "all",
	.weight = 256,
	.cap = 0,
	.on_crash = TANDEM_CRASH_PRESERVE,
	.max_restarts = 3,
	.on_poweroff = TANDEM_CRASH_PRESERVE,
	.on_reboot = TANDEM_CRASH_PRESERVE,
	.disk_dirs = "/var/lib/tandem/disks",
	.disk_ro_dirs = "",
	.max_disks = 4,
	.max_nics = 4,
	.nic_names = "tdm*",
};

static const char *const tpol_action_names[] = {
	[TANDEM_CRASH_PRESERVE] = "preserve",
	[TANDEM_CRASH_DESTROY] = "destroy",
	[TANDEM_CRASH_RESTART] = "restart",
};

static void tpol_config_get(struct tpol_config *cfg)
{
	mutex_lock(&tpol_config_lock);
	*cfg = tpol_config;
	mutex_unlock(&tpol_config_lock);
}

static const char *const tpol_state_names[__TANDEM_STATE_COUNT] = {
	[TANDEM_STATE_NONE] = "none",
	[TANDEM_STATE_CREATED] = "created",
	[TANDEM_STATE_RUNNING] = "running",
	[TANDEM_STATE_PAUSED] = "paused",
	[TANDEM_STATE_SHUTDOWN] = "shutdown",
	[TANDEM_STATE_CRASHED] = "crashed",
	[TANDEM_STATE_DYING] = "dying",
};

/* The states of @mask as "created,paused" ("none" when empty). */
static void tpol_states_str(u32 mask, char *buf, size_t size)
{
	size_t len = 0;
	int s;

	buf[0] = '\0';
	for (s = 0; s < __TANDEM_STATE_COUNT; s++)
		if (mask & BIT(s))
			len += scnprintf(buf + len, size - len, "%s%s",
					 len ? "," : "", tpol_state_names[s]);
	if (!len)
		strscpy(buf, "none", size);
}

/**
 * tpol_config_log() - print the configuration in force
 * @what: what it is, e.g. "configuration (defaults)"
 */
void tpol_config_log(const char *what)
{
	const struct tpol_config *cfg = &tpol_config;
	char states[64];

	/* Printed under the lock: a copy would not fit on the stack. */
	mutex_lock(&tpol_config_lock);
	tpol_states_str(cfg->mem_write_states, states, sizeof(states));
	pr_info("%s: max_domains %u, max_memory %llu, max_vcpus %u, memory_pool %llu, name_pattern '%s', mem_write_states %s, cpus %s, weight %u, cap %u, on_crash %s, max_restarts %u, on_poweroff %s, on_reboot %s\n",
		what, cfg->max_domains, cfg->max_memory, cfg->max_vcpus,
		cfg->memory_pool, cfg->name_pattern, states, cfg->cpus,
		cfg->weight, cfg->cap, tpol_action_names[cfg->on_crash],
		cfg->max_restarts, tpol_action_names[cfg->on_poweroff],
		tpol_action_names[cfg->on_reboot]);
	pr_info("%s: disk_dirs '%s', disk_ro_dirs '%s', max_disks %u, max_nics %u, nic_names '%s'\n",
		what, cfg->disk_dirs, cfg->disk_ro_dirs, cfg->max_disks,
		cfg->max_nics, cfg->nic_names);
	mutex_unlock(&tpol_config_lock);
}

/* Configuration keys: policy, and for refusals their names and rules. */

static struct netlink_range_validation tpol_mem_range = {
	.min = TPOL_MEM_ALIGN,
	.max = TANDEM_MEM_MAX,
};

static struct netlink_range_validation tpol_weight_range = {
	.min = 1,
	.max = 65535,
};

static const struct nla_policy tpol_pcfg_policy[TANDEM_PCFG_A_MAX + 1] = {
	/* Only nla_put_u64_64bit() on strict-alignment machines adds it. */
	[TANDEM_PCFG_A_PAD] = { .type = NLA_BINARY },
	[TANDEM_PCFG_A_MAX_DOMAINS] = NLA_POLICY_MIN(NLA_U32, 1),
	[TANDEM_PCFG_A_MAX_MEMORY] = NLA_POLICY_FULL_RANGE(NLA_U64,
							   &tpol_mem_range),
	[TANDEM_PCFG_A_MAX_VCPUS] = NLA_POLICY_RANGE(NLA_U32, 1,
						     TANDEM_MAX_VCPUS),
	[TANDEM_PCFG_A_MEMORY_POOL] = NLA_POLICY_FULL_RANGE(NLA_U64,
							    &tpol_mem_range),
	[TANDEM_PCFG_A_NAME_PATTERN] = { .type = NLA_NUL_STRING,
					 .len = TANDEM_NAME_MAX - 1 },
	[TANDEM_PCFG_A_MEM_WRITE_STATES] = NLA_POLICY_MASK(NLA_U32,
							   TPOL_STATES_VALID),
	[TANDEM_PCFG_A_CPUS] = { .type = NLA_NUL_STRING,
				 .len = TANDEM_CPULIST_MAX - 1 },
	[TANDEM_PCFG_A_WEIGHT] = NLA_POLICY_FULL_RANGE(NLA_U32,
						       &tpol_weight_range),
	[TANDEM_PCFG_A_CAP] = NLA_POLICY_MAX(NLA_U32, 100),
	[TANDEM_PCFG_A_ON_CRASH] = NLA_POLICY_MAX(NLA_U32, TANDEM_CRASH_RESTART),
	[TANDEM_PCFG_A_MAX_RESTARTS] = { .type = NLA_U32 },
	[TANDEM_PCFG_A_ON_POWEROFF] = NLA_POLICY_MAX(NLA_U32,
						     TANDEM_CRASH_RESTART),
	[TANDEM_PCFG_A_ON_REBOOT] = NLA_POLICY_MAX(NLA_U32, TANDEM_CRASH_RESTART),
	[TANDEM_PCFG_A_DISK_DIRS] = { .type = NLA_NUL_STRING,
				      .len = TANDEM_PATH_MAX - 1 },
	[TANDEM_PCFG_A_DISK_RO_DIRS] = { .type = NLA_NUL_STRING,
					 .len = TANDEM_PATH_MAX - 1 },
	[TANDEM_PCFG_A_MAX_DISKS] = NLA_POLICY_MAX(NLA_U32, TANDEM_VIRTIO_SLOTS),
	[TANDEM_PCFG_A_MAX_NICS] = NLA_POLICY_MAX(NLA_U32, TANDEM_VIRTIO_SLOTS),
	[TANDEM_PCFG_A_NIC_NAMES] = { .type = NLA_NUL_STRING,
				      .len = TPOL_NIC_NAMES_MAX - 1 },
};

struct tpol_key {
	const char *name;
	const char *rule;
};

#define TPOL_DIRS_RULE \
	"must be empty or colon-separated absolute directories without empty, \".\" or \"..\" components or a trailing / (at most 4095 characters)"

static const struct tpol_key tpol_keys[TANDEM_PCFG_A_MAX + 1] = {
	[TANDEM_PCFG_A_MAX_DOMAINS] = {
		"max_domains", "must be a u32 of at least 1" },
	[TANDEM_PCFG_A_MAX_MEMORY] = {
		"max_memory", "must be a u64 from 4096 to 1099511627776 (1 TiB)" },
	[TANDEM_PCFG_A_MAX_VCPUS] = {
		"max_vcpus", "must be a u32 from 1 to 64" },
	[TANDEM_PCFG_A_MEMORY_POOL] = {
		"memory_pool", "must be a u64 from 4096 to 1099511627776 (1 TiB)" },
	[TANDEM_PCFG_A_NAME_PATTERN] = {
		"name_pattern", "must be a glob of 1 to 31 characters" },
	[TANDEM_PCFG_A_MEM_WRITE_STATES] = {
		"mem_write_states", "may only hold created, running, paused, shutdown, crashed" },
	[TANDEM_PCFG_A_CPUS] = {
		"cpus", "must be \"all\" or a CPU list such as 0-1,3 (at most 127 characters)" },
	[TANDEM_PCFG_A_WEIGHT] = {
		"weight", "must be a u32 from 1 to 65535" },
	[TANDEM_PCFG_A_CAP] = {
		"cap", "must be a u32 from 0 to 100 (percent of one CPU, 0 for none)" },
	[TANDEM_PCFG_A_ON_CRASH] = {
		"on_crash", "must be preserve (0), destroy (1) or restart (2)" },
	[TANDEM_PCFG_A_MAX_RESTARTS] = {
		"max_restarts", "must be a u32" },
	[TANDEM_PCFG_A_ON_POWEROFF] = {
		"on_poweroff", "must be preserve (0), destroy (1) or restart (2)" },
	[TANDEM_PCFG_A_ON_REBOOT] = {
		"on_reboot", "must be preserve (0), destroy (1) or restart (2)" },
	[TANDEM_PCFG_A_DISK_DIRS] = {
		"disk_dirs", TPOL_DIRS_RULE },
	[TANDEM_PCFG_A_DISK_RO_DIRS] = {
		"disk_ro_dirs", TPOL_DIRS_RULE },
	[TANDEM_PCFG_A_MAX_DISKS] = {
		"max_disks", "must be a u32 from 0 to 8" },
	[TANDEM_PCFG_A_MAX_NICS] = {
		"max_nics", "must be a u32 from 0 to 8" },
	[TANDEM_PCFG_A_NIC_NAMES] = {
		"nic_names", "must be a glob of 1 to 63 characters" },
};

/* Decisions --------------------------------------------------------------- */

static const struct nla_policy tpol_decision_policy[TANDEM_DECISION_A_MAX + 1] = {
	/* Only nla_put_u64_64bit() on strict-alignment machines adds it. */
	[TANDEM_DECISION_A_PAD] = { .type = NLA_BINARY },
	[TANDEM_DECISION_A_COOKIE] = NLA_POLICY_MIN(NLA_U32, 1),
	[TANDEM_DECISION_A_KIND] = { .type = NLA_U32 },
	[TANDEM_DECISION_A_DOMAIN_ID] = { .type = NLA_U32 },
	[TANDEM_DECISION_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING,
					    .len = TANDEM_NAME_MAX - 1 },
	[TANDEM_DECISION_A_DOMAIN_STATE] = { .type = NLA_U32 },
	[TANDEM_DECISION_A_MEMORY] = { .type = NLA_U64 },
	[TANDEM_DECISION_A_VCPUS] = { .type = NLA_U32 },
	[TANDEM_DECISION_A_GPA] = { .type = NLA_U64 },
	[TANDEM_DECISION_A_LEN] = { .type = NLA_U32 },
	[TANDEM_DECISION_A_UID] = { .type = NLA_U32 },
	[TANDEM_DECISION_A_PID] = { .type = NLA_U32 },
	[TANDEM_DECISION_A_NR_DOMAINS] = { .type = NLA_U32 },
	[TANDEM_DECISION_A_TOTAL_MEMORY] = { .type = NLA_U64 },
	/* Parsed against tpol_pcfg_policy on its own, to name a bad key. */
	[TANDEM_DECISION_A_POLICY] = { .type = NLA_NESTED },
	[TANDEM_DECISION_A_TIMEOUT_MS] = { .type = NLA_U32 },
	[TANDEM_DECISION_A_REASON] = { .type = NLA_NUL_STRING },
	[TANDEM_DECISION_A_RESTARTS] = { .type = NLA_U32 },
	[TANDEM_DECISION_A_NR_CPUS] = { .type = NLA_U32 },
	[TANDEM_DECISION_A_SHUTDOWN_REASON] = { .type = NLA_U32 },
	[TANDEM_DECISION_A_WISH] = { .type = NLA_U32 },
	[TANDEM_DECISION_A_DEVICE_TYPE] = { .type = NLA_U32 },
	[TANDEM_DECISION_A_PATH] = { .type = NLA_NUL_STRING,
				     .len = TANDEM_PATH_MAX - 1 },
	[TANDEM_DECISION_A_READ_ONLY] = NLA_POLICY_MAX(NLA_U8, 1),
	[TANDEM_DECISION_A_IFNAME] = { .type = NLA_NUL_STRING,
				       .len = TANDEM_IFNAME_MAX - 1 },
	[TANDEM_DECISION_A_NR_DISKS] = { .type = NLA_U32 },
	[TANDEM_DECISION_A_NR_NICS] = { .type = NLA_U32 },
};

static const char *const tpol_decision_attr_names[TANDEM_DECISION_A_MAX + 1] = {
	[TANDEM_DECISION_A_COOKIE] = "cookie",
	[TANDEM_DECISION_A_KIND] = "kind",
	[TANDEM_DECISION_A_DOMAIN_ID] = "domain_id",
	[TANDEM_DECISION_A_DOMAIN_NAME] = "domain_name",
	[TANDEM_DECISION_A_DOMAIN_STATE] = "domain_state",
	[TANDEM_DECISION_A_MEMORY] = "memory",
	[TANDEM_DECISION_A_VCPUS] = "vcpus",
	[TANDEM_DECISION_A_GPA] = "gpa",
	[TANDEM_DECISION_A_LEN] = "len",
	[TANDEM_DECISION_A_UID] = "uid",
	[TANDEM_DECISION_A_PID] = "pid",
	[TANDEM_DECISION_A_NR_DOMAINS] = "nr_domains",
	[TANDEM_DECISION_A_TOTAL_MEMORY] = "total_memory",
	[TANDEM_DECISION_A_POLICY] = "policy",
	[TANDEM_DECISION_A_TIMEOUT_MS] = "timeout_ms",
	[TANDEM_DECISION_A_REASON] = "reason",
	[TANDEM_DECISION_A_RESTARTS] = "restarts",
	[TANDEM_DECISION_A_NR_CPUS] = "nr_cpus",
	[TANDEM_DECISION_A_SHUTDOWN_REASON] = "shutdown_reason",
	[TANDEM_DECISION_A_WISH] = "wish",
	[TANDEM_DECISION_A_DEVICE_TYPE] = "device_type",
	[TANDEM_DECISION_A_PATH] = "path",
	[TANDEM_DECISION_A_READ_ONLY] = "read_only",
	[TANDEM_DECISION_A_IFNAME] = "ifname",
	[TANDEM_DECISION_A_NR_DISKS] = "nr_disks",
	[TANDEM_DECISION_A_NR_NICS] = "nr_nics",
};

/* What each kind cannot be decided without, as BIT(attribute). */
static const u32 tpol_required[__TANDEM_DECISION_COUNT] = {
	[TANDEM_DECISION_DOMAIN_CREATE] = BIT(TANDEM_DECISION_A_DOMAIN_NAME) |
					  BIT(TANDEM_DECISION_A_MEMORY) |
					  BIT(TANDEM_DECISION_A_VCPUS) |
					  BIT(TANDEM_DECISION_A_NR_DOMAINS) |
					  BIT(TANDEM_DECISION_A_TOTAL_MEMORY),
	[TANDEM_DECISION_MEM_WRITE] = BIT(TANDEM_DECISION_A_DOMAIN_STATE),
	[TANDEM_DECISION_POLICY_SET] = BIT(TANDEM_DECISION_A_POLICY),
	/* Without the count, a restart policy could loop forever. */
	[TANDEM_DECISION_CRASH] = BIT(TANDEM_DECISION_A_RESTARTS),
	[TANDEM_DECISION_SHUTDOWN] = BIT(TANDEM_DECISION_A_SHUTDOWN_REASON),
	/* PATH or IFNAME, by type, is checked by tpol_device_attach(). */
	[TANDEM_DECISION_DEVICE_ATTACH] = BIT(TANDEM_DECISION_A_DEVICE_TYPE) |
					  BIT(TANDEM_DECISION_A_NR_DISKS) |
					  BIT(TANDEM_DECISION_A_NR_NICS),
};

/**
 * struct tpol_verdict - an answer before it is put into a message
 * @allow: allow or deny
 * @reuse: set %TANDEM_VERDICT_A_REUSE
 * @policy: put the configuration into %TANDEM_VERDICT_A_POLICY
 * @has_action: put @action into %TANDEM_VERDICT_A_ACTION
 * @place: put the configuration's placement (cpus, weight, cap) in
 * @action: &enum tandem_crash_action
 * @memory: memory granted, 0 for none
 * @reason: why, for a denial
 */
struct tpol_verdict {
	bool allow;
	bool reuse;
	bool policy;
	bool has_action;
	bool place;
	u32 action;
	u64 memory;
	char reason[TANDEM_REASON_MAX];
};

static __printf(2, 3)
void tpol_deny(struct tpol_verdict *v, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, args);
	va_end(args);
	v->allow = false;
}

static void tpol_allow_memory(struct tpol_verdict *v, u64 memory)
{
	v->allow = true;
	v->memory = memory;
}

static void tpol_domain_create(struct nlattr **tb,
			       const struct tpol_config *cfg,
			       struct tpol_verdict *v)
{
	const char *name = nla_data(tb[TANDEM_DECISION_A_DOMAIN_NAME]);
	u64 memory = nla_get_u64(tb[TANDEM_DECISION_A_MEMORY]);
	u64 in_use = nla_get_u64(tb[TANDEM_DECISION_A_TOTAL_MEMORY]);
	u32 vcpus = nla_get_u32(tb[TANDEM_DECISION_A_VCPUS]);
	u32 nr = nla_get_u32(tb[TANDEM_DECISION_A_NR_DOMAINS]);

	if (nr >= cfg->max_domains)
		tpol_deny(v, "domain limit reached (max_domains %u)",
			  cfg->max_domains);
	else if (memory > cfg->max_memory)
		tpol_deny(v, "memory %llu exceeds max_memory %llu",
			  memory, cfg->max_memory);
	else if (vcpus > cfg->max_vcpus)
		tpol_deny(v, "vcpus %u exceed max_vcpus %u",
			  vcpus, cfg->max_vcpus);
	/* in_use + memory > memory_pool, without overflow */
	else if (memory > cfg->memory_pool ||
		 in_use > cfg->memory_pool - memory)
		tpol_deny(v, "memory pool exhausted (memory_pool %llu, in use %llu, asked %llu)",
			  cfg->memory_pool, in_use, memory);
	else if (!glob_match(cfg->name_pattern, name))
		tpol_deny(v, "name does not match name_pattern '%s'",
			  cfg->name_pattern);
	else
		tpol_allow_memory(v, memory);
}

static void tpol_mem_write(struct nlattr **tb, const struct tpol_config *cfg,
			   struct tpol_verdict *v)
{
	u32 state = nla_get_u32(tb[TANDEM_DECISION_A_DOMAIN_STATE]);

	v->reuse = true;
	if (state < __TANDEM_STATE_COUNT && (BIT(state) & cfg->mem_write_states)) {
		v->allow = true;
		return;
	}
	if (state < __TANDEM_STATE_COUNT)
		tpol_deny(v, "memory writes not allowed in state %s",
			  tpol_state_names[state]);
	else
		tpol_deny(v, "memory writes not allowed in state %u", state);
}

/* The domain's wish when it has a valid one, else the configured action. */
static u32 tpol_wish(struct nlattr **tb, u32 configured)
{
	if (tb[TANDEM_DECISION_A_WISH] &&
	    nla_get_u32(tb[TANDEM_DECISION_A_WISH]) <= TANDEM_CRASH_RESTART)
		return nla_get_u32(tb[TANDEM_DECISION_A_WISH]);
	return configured;
}

static void tpol_crash(struct nlattr **tb, const struct tpol_config *cfg,
		       struct tpol_verdict *v)
{
	u32 restarts = nla_get_u32(tb[TANDEM_DECISION_A_RESTARTS]);

	v->allow = true;
	v->has_action = true;
	v->action = tpol_wish(tb, cfg->on_crash);
	if (v->action == TANDEM_CRASH_RESTART && restarts >= cfg->max_restarts) {
		v->action = TANDEM_CRASH_DESTROY;
		pr_info("domain %s: restarted %u times (max_restarts %u): destroying it\n",
			tb[TANDEM_DECISION_A_DOMAIN_NAME] ?
			(char *)nla_data(tb[TANDEM_DECISION_A_DOMAIN_NAME]) : "?",
			restarts, cfg->max_restarts);
	}
}

static void tpol_shutdown(struct nlattr **tb, const struct tpol_config *cfg,
			  struct tpol_verdict *v)
{
	u32 reason = nla_get_u32(tb[TANDEM_DECISION_A_SHUTDOWN_REASON]);

	v->allow = true;
	v->has_action = true;
	v->action = tpol_wish(tb, reason == TANDEM_SHUTDOWN_REBOOT ?
				  cfg->on_reboot : cfg->on_poweroff);
}

/*
 * Whether @path lies strictly inside directory @dir: @dir is a prefix of
 * it on whole path components, and something follows. @dir has @len
 * characters, no trailing '/' unless it is "/" itself.
 */
static bool tpol_path_in_dir(const char *path, const char *dir, size_t len)
{
	if (len == 1 && dir[0] == '/')
		return path[0] == '/' && path[1];
	return !strncmp(path, dir, len) && path[len] == '/' && path[len + 1];
}

/* Whether @path lies inside one of the colon-separated directories @dirs. */
static bool tpol_path_in_dirs(const char *path, const char *dirs)
{
	while (*dirs) {
		size_t len = strchrnul(dirs, ':') - dirs;

		if (tpol_path_in_dir(path, dirs, len))
			return true;
		dirs += len;
		if (*dirs == ':')
			dirs++;
	}
	return false;
}

/*
 * Whether @path is absolute and has no empty, "." or ".." component
 * (nor a trailing '/' unless @path is "/"): what the mechanism sends
 * after resolving, and what a directory of disk_dirs must look like.
 */
static bool tpol_path_normal(const char *path, size_t len)
{
	size_t i;

	if (!len || path[0] != '/')
		return false;
	if (len == 1)
		return true;
	for (i = 0; i < len; i++) {
		size_t n;

		if (path[i] != '/')
			continue;
		/* A component starts at i + 1 and ends before n. */
		for (n = i + 1; n < len && path[n] != '/'; n++)
			;
		if (n == i + 1 ||
		    (n == i + 2 && path[i + 1] == '.') ||
		    (n == i + 3 && path[i + 1] == '.' && path[i + 2] == '.'))
			return false;
	}
	return true;
}

/* Check a disk_dirs or disk_ro_dirs value: "" or normal absolute paths. */
static bool tpol_dirs_valid(const char *dirs)
{
	if (!*dirs)
		return true;
	for (;;) {
		size_t len = strchrnul(dirs, ':') - dirs;

		if (!tpol_path_normal(dirs, len))
			return false;
		dirs += len;
		if (!*dirs)
			return true;
		dirs++;
	}
}

static void tpol_disk_attach(struct nlattr **tb, const struct tpol_config *cfg,
			     struct tpol_verdict *v)
{
	u32 nr = nla_get_u32(tb[TANDEM_DECISION_A_NR_DISKS]);
	bool ro = tb[TANDEM_DECISION_A_READ_ONLY] &&
		  nla_get_u8(tb[TANDEM_DECISION_A_READ_ONLY]);
	const char *path;

	if (!tb[TANDEM_DECISION_A_PATH]) {
		tpol_deny(v, "malformed decision: missing path");
		return;
	}
	path = nla_data(tb[TANDEM_DECISION_A_PATH]);

	/* The mechanism resolved it; refuse anything else all the same. */
	if (!tpol_path_normal(path, strlen(path))) {
		tpol_deny(v, "disk path %s is not an absolute resolved path",
			  path);
		return;
	}
	if (nr >= cfg->max_disks) {
		tpol_deny(v, "disk limit max_disks=%u reached", cfg->max_disks);
		return;
	}
	/* disk_ro_dirs wins over disk_dirs: it may be below one of them. */
	if (tpol_path_in_dirs(path, cfg->disk_ro_dirs)) {
		if (ro)
			v->allow = true;
		else
			tpol_deny(v, "path %s is in disk_ro_dirs: attach it read-only",
				  path);
		return;
	}
	if (tpol_path_in_dirs(path, cfg->disk_dirs))
		v->allow = true;
	else if (ro)
		tpol_deny(v, "disk path %s is outside disk_dirs and disk_ro_dirs",
			  path);
	else
		tpol_deny(v, "disk path %s is outside disk_dirs", path);
}

static void tpol_nic_attach(struct nlattr **tb, const struct tpol_config *cfg,
			    struct tpol_verdict *v)
{
	u32 nr = nla_get_u32(tb[TANDEM_DECISION_A_NR_NICS]);
	const char *ifname;

	if (!tb[TANDEM_DECISION_A_IFNAME]) {
		tpol_deny(v, "malformed decision: missing ifname");
		return;
	}
	ifname = nla_data(tb[TANDEM_DECISION_A_IFNAME]);

	if (nr >= cfg->max_nics)
		tpol_deny(v, "nic limit max_nics=%u reached", cfg->max_nics);
	else if (!glob_match(cfg->nic_names, ifname))
		tpol_deny(v, "nic name %s does not match nic_names %s",
			  ifname, cfg->nic_names);
	else
		v->allow = true;
}

static void tpol_device_attach(struct nlattr **tb,
			       const struct tpol_config *cfg,
			       struct tpol_verdict *v)
{
	u32 type = nla_get_u32(tb[TANDEM_DECISION_A_DEVICE_TYPE]);

	switch (type) {
	case TANDEM_DEVICE_DISK:
		tpol_disk_attach(tb, cfg, v);
		break;
	case TANDEM_DEVICE_NIC:
		tpol_nic_attach(tb, cfg, v);
		break;
	default:
		tpol_deny(v, "unknown device type %u", type);
		break;
	}
}

/* A configuration that does not parse: name the key when there is one. */
static void tpol_policy_refuse(struct tpol_verdict *v,
			       const struct netlink_ext_ack *extack)
{
	int type = extack->bad_attr ? nla_type(extack->bad_attr) : 0;

	if (type > 0 && type <= TANDEM_PCFG_A_MAX && tpol_keys[type].name)
		tpol_deny(v, "%s: %s", tpol_keys[type].name,
			  tpol_keys[type].rule);
	else if (type)
		tpol_deny(v, "unknown configuration key %d", type);
	else
		tpol_deny(v, "malformed configuration: %s",
			  extack->_msg ?: "invalid attributes");
}

/**
 * tpol_cpus_parse() - a configured CPU list as a mask
 * @list: "all" or a CPU list ("0-1,3", as cpulist_parse() reads it)
 * @mask: the CPUs; all possible CPUs for "all"
 *
 * Return: 0; -EINVAL when @list does not parse; -ERANGE when it names no
 * CPU or a CPU this host cannot have (not in cpu_possible_mask).
 */
static int tpol_cpus_parse(const char *list, struct cpumask *mask)
{
	if (!strcmp(list, "all")) {
		cpumask_copy(mask, cpu_possible_mask);
		return 0;
	}
	if (cpulist_parse(list, mask))
		return -EINVAL;
	if (cpumask_empty(mask) || !cpumask_subset(mask, cpu_possible_mask))
		return -ERANGE;
	return 0;
}

/*
 * Check the cpus key and write it into @out in the kernel's normal form
 * ("0-1,3"), so that POLICY_GET shows what will be applied.
 */
static bool tpol_cpus_check(const struct nlattr *nla, char *out, size_t size,
			    struct tpol_verdict *v)
{
	const char *list = nla_data(nla);
	cpumask_var_t mask;
	int err;

	if (!strcmp(list, "all")) {
		strscpy(out, list, size);
		return true;
	}
	if (!zalloc_cpumask_var(&mask, GFP_KERNEL)) {
		tpol_deny(v, "cpus: out of memory");
		return false;
	}
	err = tpol_cpus_parse(list, mask);
	if (err == -ERANGE)
		tpol_deny(v, "cpus: '%s' names no CPU this host has (possible: %*pbl)",
			  list, cpumask_pr_args(cpu_possible_mask));
	else if (err)
		tpol_deny(v, "cpus: %s", tpol_keys[TANDEM_PCFG_A_CPUS].rule);
	else
		scnprintf(out, size, "%*pbl", cpumask_pr_args(mask));
	free_cpumask_var(mask);
	return !err;
}

static void tpol_policy_set(const struct nlattr *nest, struct tpol_verdict *v)
{
	char cpus[TANDEM_CPULIST_MAX];
	struct nlattr *tb[TANDEM_PCFG_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	static const int mem_keys[] = {
		TANDEM_PCFG_A_MAX_MEMORY,
		TANDEM_PCFG_A_MEMORY_POOL,
	};
	static const int dirs_keys[] = {
		TANDEM_PCFG_A_DISK_DIRS,
		TANDEM_PCFG_A_DISK_RO_DIRS,
	};
	struct tpol_config *cfg;
	int i;

	/* Everything is validated before anything is applied. */
	if (nla_parse_nested(tb, TANDEM_PCFG_A_MAX, nest, tpol_pcfg_policy,
			     &extack)) {
		tpol_policy_refuse(v, &extack);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(mem_keys); i++) {
		if (tb[mem_keys[i]] &&
		    !IS_ALIGNED(nla_get_u64(tb[mem_keys[i]]), TPOL_MEM_ALIGN)) {
			tpol_deny(v, "%s: must be a multiple of %u",
				  tpol_keys[mem_keys[i]].name, TPOL_MEM_ALIGN);
			return;
		}
	}
	if (tb[TANDEM_PCFG_A_NAME_PATTERN] &&
	    !*(char *)nla_data(tb[TANDEM_PCFG_A_NAME_PATTERN])) {
		tpol_deny(v, "name_pattern: %s",
			  tpol_keys[TANDEM_PCFG_A_NAME_PATTERN].rule);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(dirs_keys); i++) {
		if (tb[dirs_keys[i]] &&
		    !tpol_dirs_valid(nla_data(tb[dirs_keys[i]]))) {
			tpol_deny(v, "%s: %s", tpol_keys[dirs_keys[i]].name,
				  tpol_keys[dirs_keys[i]].rule);
			return;
		}
	}
	if (tb[TANDEM_PCFG_A_NIC_NAMES] &&
	    !*(char *)nla_data(tb[TANDEM_PCFG_A_NIC_NAMES])) {
		tpol_deny(v, "nic_names: %s",
			  tpol_keys[TANDEM_PCFG_A_NIC_NAMES].rule);
		return;
	}
	if (tb[TANDEM_PCFG_A_CPUS] &&
	    !tpol_cpus_check(tb[TANDEM_PCFG_A_CPUS], cpus, sizeof(cpus), v))
		return;

	cfg = kmalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg) {
		tpol_deny(v, "out of memory");
		return;
	}
	mutex_lock(&tpol_config_lock);
	*cfg = tpol_config;
	if (tb[TANDEM_PCFG_A_MAX_DOMAINS])
		cfg->max_domains = nla_get_u32(tb[TANDEM_PCFG_A_MAX_DOMAINS]);
	if (tb[TANDEM_PCFG_A_MAX_MEMORY])
		cfg->max_memory = nla_get_u64(tb[TANDEM_PCFG_A_MAX_MEMORY]);
	if (tb[TANDEM_PCFG_A_MAX_VCPUS])
		cfg->max_vcpus = nla_get_u32(tb[TANDEM_PCFG_A_MAX_VCPUS]);
	if (tb[TANDEM_PCFG_A_MEMORY_POOL])
		cfg->memory_pool = nla_get_u64(tb[TANDEM_PCFG_A_MEMORY_POOL]);
	if (tb[TANDEM_PCFG_A_NAME_PATTERN])
		nla_strscpy(cfg->name_pattern, tb[TANDEM_PCFG_A_NAME_PATTERN],
			    sizeof(cfg->name_pattern));
	if (tb[TANDEM_PCFG_A_MEM_WRITE_STATES])
		cfg->mem_write_states =
			nla_get_u32(tb[TANDEM_PCFG_A_MEM_WRITE_STATES]);
	if (tb[TANDEM_PCFG_A_CPUS])
		strscpy(cfg->cpus, cpus, sizeof(cfg->cpus));
	if (tb[TANDEM_PCFG_A_WEIGHT])
		cfg->weight = nla_get_u32(tb[TANDEM_PCFG_A_WEIGHT]);
	if (tb[TANDEM_PCFG_A_CAP])
		cfg->cap = nla_get_u32(tb[TANDEM_PCFG_A_CAP]);
	if (tb[TANDEM_PCFG_A_ON_CRASH])
		cfg->on_crash = nla_get_u32(tb[TANDEM_PCFG_A_ON_CRASH]);
	if (tb[TANDEM_PCFG_A_MAX_RESTARTS])
		cfg->max_restarts = nla_get_u32(tb[TANDEM_PCFG_A_MAX_RESTARTS]);
	if (tb[TANDEM_PCFG_A_ON_POWEROFF])
		cfg->on_poweroff = nla_get_u32(tb[TANDEM_PCFG_A_ON_POWEROFF]);
	if (tb[TANDEM_PCFG_A_ON_REBOOT])
		cfg->on_reboot = nla_get_u32(tb[TANDEM_PCFG_A_ON_REBOOT]);
	if (tb[TANDEM_PCFG_A_DISK_DIRS])
		nla_strscpy(cfg->disk_dirs, tb[TANDEM_PCFG_A_DISK_DIRS],
			    sizeof(cfg->disk_dirs));
	if (tb[TANDEM_PCFG_A_DISK_RO_DIRS])
		nla_strscpy(cfg->disk_ro_dirs, tb[TANDEM_PCFG_A_DISK_RO_DIRS],
			    sizeof(cfg->disk_ro_dirs));
	if (tb[TANDEM_PCFG_A_MAX_DISKS])
		cfg->max_disks = nla_get_u32(tb[TANDEM_PCFG_A_MAX_DISKS]);
	if (tb[TANDEM_PCFG_A_MAX_NICS])
		cfg->max_nics = nla_get_u32(tb[TANDEM_PCFG_A_MAX_NICS]);
	if (tb[TANDEM_PCFG_A_NIC_NAMES])
		nla_strscpy(cfg->nic_names, tb[TANDEM_PCFG_A_NIC_NAMES],
			    sizeof(cfg->nic_names));
	tpol_config = *cfg;
	mutex_unlock(&tpol_config_lock);
	kfree(cfg);

	tpol_config_log("new configuration");
	v->allow = true;
}

static int tpol_put_config(struct sk_buff *skb, const struct tpol_config *cfg)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, TANDEM_VERDICT_A_POLICY);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TANDEM_PCFG_A_MAX_DOMAINS, cfg->max_domains) ||
	    nla_put_u64_64bit(skb, TANDEM_PCFG_A_MAX_MEMORY, cfg->max_memory,
			      TANDEM_PCFG_A_PAD) ||
	    nla_put_u32(skb, TANDEM_PCFG_A_MAX_VCPUS, cfg->max_vcpus) ||
	    nla_put_u64_64bit(skb, TANDEM_PCFG_A_MEMORY_POOL, cfg->memory_pool,
			      TANDEM_PCFG_A_PAD) ||
	    nla_put_string(skb, TANDEM_PCFG_A_NAME_PATTERN, cfg->name_pattern) ||
	    nla_put_u32(skb, TANDEM_PCFG_A_MEM_WRITE_STATES,
			cfg->mem_write_states) ||
	    nla_put_string(skb, TANDEM_PCFG_A_CPUS, cfg->cpus) ||
	    nla_put_u32(skb, TANDEM_PCFG_A_WEIGHT, cfg->weight) ||
	    nla_put_u32(skb, TANDEM_PCFG_A_CAP, cfg->cap) ||
	    nla_put_u32(skb, TANDEM_PCFG_A_ON_CRASH, cfg->on_crash) ||
	    nla_put_u32(skb, TANDEM_PCFG_A_MAX_RESTARTS, cfg->max_restarts) ||
	    nla_put_u32(skb, TANDEM_PCFG_A_ON_POWEROFF, cfg->on_poweroff) ||
	    nla_put_u32(skb, TANDEM_PCFG_A_ON_REBOOT, cfg->on_reboot) ||
	    nla_put_string(skb, TANDEM_PCFG_A_DISK_DIRS, cfg->disk_dirs) ||
	    nla_put_string(skb, TANDEM_PCFG_A_DISK_RO_DIRS,
			   cfg->disk_ro_dirs) ||
	    nla_put_u32(skb, TANDEM_PCFG_A_MAX_DISKS, cfg->max_disks) ||
	    nla_put_u32(skb, TANDEM_PCFG_A_MAX_NICS, cfg->max_nics) ||
	    nla_put_string(skb, TANDEM_PCFG_A_NIC_NAMES, cfg->nic_names)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * START's placement: the CPU mask (none for "all": the mechanism's default
 * is every CPU), the weight and the cap.
 */
static int tpol_put_placement(struct sk_buff *skb,
			      const struct tpol_config *cfg)
{
	cpumask_var_t mask;
	int err = 0;

	if (strcmp(cfg->cpus, "all")) {
		if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
			return -ENOMEM;
		/* Checked when it was set; CPUs do not stop being possible. */
		if (tpol_cpus_parse(cfg->cpus, mask))
			err = -EINVAL;
		else if (nla_put(skb, TANDEM_VERDICT_A_CPUMASK,
				 BITS_TO_LONGS(nr_cpu_ids) * sizeof(long),
				 cpumask_bits(mask)))
			err = -EMSGSIZE;
		free_cpumask_var(mask);
		if (err)
			return err;
	}
	if (nla_put_u32(skb, TANDEM_VERDICT_A_WEIGHT, cfg->weight) ||
	    nla_put_u32(skb, TANDEM_VERDICT_A_CAP, cfg->cap))
		return -EMSGSIZE;
	return 0;
}

static int tpol_verdict_fill(struct sk_buff *skb, u32 cookie,
			     const struct tpol_verdict *v,
			     const struct tpol_config *cfg)
{
	if (nla_put_u32(skb, TANDEM_VERDICT_A_COOKIE, cookie) ||
	    nla_put_u8(skb, TANDEM_VERDICT_A_ALLOW, v->allow))
		return -EMSGSIZE;
	if (!v->allow && v->reason[0] &&
	    nla_put_string(skb, TANDEM_VERDICT_A_REASON, v->reason))
		return -EMSGSIZE;
	if (v->memory &&
	    nla_put_u64_64bit(skb, TANDEM_VERDICT_A_MEMORY, v->memory,
			      TANDEM_VERDICT_A_PAD))
		return -EMSGSIZE;
	if (v->reuse && nla_put_flag(skb, TANDEM_VERDICT_A_REUSE))
		return -EMSGSIZE;
	if (v->has_action &&
	    nla_put_u32(skb, TANDEM_VERDICT_A_ACTION, v->action))
		return -EMSGSIZE;
	if (v->place) {
		int err = tpol_put_placement(skb, cfg);

		if (err)
			return err;
	}
	if (v->policy)
		return tpol_put_config(skb, cfg);
	return 0;
}

/* The cookie of a decision that failed to parse, or 0. */
static u32 tpol_find_cookie(const struct nlmsghdr *nlh)
{
	const struct nlattr *nla;

	nla = nla_find(genlmsg_data(nlmsg_data(nlh)),
		       genlmsg_len(nlmsg_data(nlh)), TANDEM_DECISION_A_COOKIE);
	if (!nla || nla_len(nla) != sizeof(u32))
		return 0;
	return nla_get_u32(nla);
}

static void tpol_decide_kind(struct nlattr **tb, const struct tpol_config *cfg,
			     struct tpol_verdict *v)
{
	u32 kind = nla_get_u32(tb[TANDEM_DECISION_A_KIND]);
	unsigned long missing = 0;
	int a;

	if (kind < __TANDEM_DECISION_COUNT)
		missing = tpol_required[kind];
	for (a = 0; a <= TANDEM_DECISION_A_MAX; a++)
		if (tb[a])
			missing &= ~BIT(a);
	if (missing) {
		tpol_deny(v, "malformed decision: missing %s",
			  tpol_decision_attr_names[__ffs(missing)]);
		return;
	}

	switch (kind) {
	case TANDEM_DECISION_DOMAIN_CREATE:
		tpol_domain_create(tb, cfg, v);
		break;
	case TANDEM_DECISION_DOMAIN_DESTROY:
		v->allow = true;
		break;
	case TANDEM_DECISION_MEM_WRITE:
		tpol_mem_write(tb, cfg, v);
		break;
	case TANDEM_DECISION_POLICY_SET:
		tpol_policy_set(tb[TANDEM_DECISION_A_POLICY], v);
		break;
	case TANDEM_DECISION_POLICY_GET:
		v->allow = true;
		v->policy = true;
		break;
	case TANDEM_DECISION_DOMAIN_START:
		v->allow = true;
		v->place = true;
		break;
	case TANDEM_DECISION_CRASH:
		tpol_crash(tb, cfg, v);
		break;
	case TANDEM_DECISION_SHUTDOWN:
		tpol_shutdown(tb, cfg, v);
		break;
	case TANDEM_DECISION_DEVICE_ATTACH:
		tpol_device_attach(tb, cfg, v);
		break;
	default:
		tpol_deny(v, "unknown decision kind %u", kind);
		break;
	}
}

/**
 * tpol_decide() - answer one DECISION
 * @nlh: the DECISION message (type and command already checked)
 * @verdict: a VERDICT message to put the answer's attributes into
 * @cookie: set to the decision's cookie when one was found
 *
 * Return: 0 when @verdict is ready to send; -ENOMSG when the decision has
 * no usable cookie (there is nothing to answer: the mechanism times it
 * out, denied); -EMSGSIZE; -ENOMEM.
 */
int tpol_decide(const struct nlmsghdr *nlh, struct sk_buff *verdict,
		u32 *cookie)
{
	struct nlattr *tb[TANDEM_DECISION_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	struct tpol_verdict v = {};
	struct tpol_config *cfg;
	int err;

	cfg = kmalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	/* A snapshot: one decision sees one configuration. */
	tpol_config_get(cfg);

	if (nlmsg_parse(nlh, GENL_HDRLEN, tb, TANDEM_DECISION_A_MAX,
			tpol_decision_policy, &extack)) {
		*cookie = tpol_find_cookie(nlh);
		if (!*cookie) {
			err = -ENOMSG;
			goto out;
		}
		tpol_deny(&v, "malformed decision: %s (attribute %d)",
			  extack._msg ?: "invalid attribute",
			  extack.bad_attr ? nla_type(extack.bad_attr) : 0);
		pr_warn_ratelimited("denied decision %u: %s\n", *cookie,
				    v.reason);
		err = tpol_verdict_fill(verdict, *cookie, &v, cfg);
		goto out;
	}
	if (!tb[TANDEM_DECISION_A_COOKIE]) {
		err = -ENOMSG;
		goto out;
	}
	*cookie = nla_get_u32(tb[TANDEM_DECISION_A_COOKIE]);

	if (!tb[TANDEM_DECISION_A_KIND])
		tpol_deny(&v, "malformed decision: missing kind");
	else
		tpol_decide_kind(tb, cfg, &v);
	err = tpol_verdict_fill(verdict, *cookie, &v, cfg);
out:
	kfree(cfg);
	return err;
}
