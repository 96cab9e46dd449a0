/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of tandem_hv.ko shared between its files.
 */
#ifndef TANDEM_HV_H
#define TANDEM_HV_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <tandem.h>

struct mem_cgroup;
struct page;

#define TANDEM_MODULE_VERSION	"0.1.0"

#define tandem_feat(f)		(1ULL << TANDEM_FEAT_##f)

/**
 * struct tandem_hw_info - what the probe found on the boot CPU
 * @vendor: &enum tandem_vendor
 * @features: mask of &enum tandem_feature present and usable
 * @possible: mask of the features this vendor's extension defines
 * @required: mask of the features a domain cannot run without
 * @nr_asids: number of VPIDs or ASIDs the hardware offers (0 if none)
 * @cpu_model: the CPU's brand string
 */
struct tandem_hw_info {
	u32 vendor;
	u64 features;
	u64 possible;
	u64 required;
	u32 nr_asids;
	char cpu_model[64];
};

/**
 * struct tandem_arch_ops - the vendor-neutral face of VMX and SVM
 * @name: short vendor name used in messages ("vmx", "svm")
 * @vendor: &enum tandem_vendor served by this implementation
 * @probe: fill @info with what the boot CPU offers; return 0 when the
 *	extension is present at all (even if features are missing),
 *	-ENODEV when it is absent or disabled by firmware
 *
 * One instance per vendor, chosen once at module load by tandem_arch_init().
 * Later hooks (hardware enable, vCPU create/run, nested paging) are added
 * here; common code never tests the vendor itself.
 */
struct tandem_arch_ops {
	const char *name;
	u32 vendor;
	int (*probe)(struct tandem_hw_info *info);
};

extern const struct tandem_arch_ops tandem_vmx_ops;
extern const struct tandem_arch_ops tandem_svm_ops;

/* The ops and hardware description chosen at load; read-only after init. */
extern const struct tandem_arch_ops *tandem_arch;
extern struct tandem_hw_info tandem_hw;

int tandem_arch_init(void);

/* genl.c: the family and the deferred replies of decided requests */
extern struct genl_family tandem_genl_family;

int tandem_genl_init(void);
void tandem_genl_exit(void);

/**
 * struct tandem_requester - where a deferred reply goes
 * @portid: netlink port of the requester
 * @seq: sequence number of its request
 * @hdr: the request's netlink header, echoed in the ACK
 * @cmd: the request's command, used in the reply's genl header
 * @uid: the requester's uid
 * @pid: the requester's tgid, 0 if unknown
 */
struct tandem_requester {
	u32 portid;
	u32 seq;
	struct nlmsghdr hdr;
	u8 cmd;
	kuid_t uid;
	pid_t pid;
};

void tandem_requester_init(struct tandem_requester *rq,
			   const struct genl_info *info);
void tandem_reply_ack(const struct tandem_requester *rq, int err,
		      const char *msg);
struct sk_buff *tandem_reply_new(const struct tandem_requester *rq,
				 size_t size, void **hdr);
int tandem_reply_send(const struct tandem_requester *rq, struct sk_buff *skb,
		      void *hdr);

/* memory.c: guest RAM */

/**
 * struct tandem_mem - guest RAM, GPA 0 to @size
 * @size: bytes, a multiple of %PAGE_SIZE
 * @nr_pages: @size in pages
 * @pages: the host page backing each guest page frame
 * @huge: one bit per 2 MiB chunk backed by a single order-9 allocation
 * @chunks_2m: number of bits set in @huge
 * @pages_4k: pages allocated one by one
 */
struct tandem_mem {
	u64 size;
	unsigned long nr_pages;
	struct page **pages;
	unsigned long *huge;
	unsigned int chunks_2m;
	unsigned int pages_4k;
};

int tandem_mem_alloc(struct tandem_mem *mem, u64 size, struct mem_cgroup *memcg);
void tandem_mem_free(struct tandem_mem *mem);
bool tandem_mem_range_ok(const struct tandem_mem *mem, u64 gpa, u64 len);
void tandem_mem_write(struct tandem_mem *mem, u64 gpa, const void *src,
		      size_t len);
void tandem_mem_read(struct tandem_mem *mem, u64 gpa, void *dst, size_t len);
u64 tandem_mem_allocated(void);

/* domain.c: domains and their table */

#define TANDEM_MAX_VCPUS	64

/**
 * struct tandem_domain - one guest
 * @ref: references: the table holds one while the domain is listed
 * @id: domid, never reused while the module is loaded
 * @name: unique name
 * @state: &enum tandem_domain_state, written under @lock
 * @vcpus: number of vCPUs
 * @created_ns: creation time, CLOCK_REALTIME
 * @owner: uid of the creator
 * @memcg: the creator's memory cgroup, charged for guest RAM
 * @mem: guest RAM
 * @lock: serialises state changes
 * @memwrite_reuse: the agent allowed MEM_WRITE until @state or the policy
 *	generation changes
 * @memwrite_state: state in which that verdict was given
 * @memwrite_gen: policy generation at which it was given
 * @rcu: frees the structure after lookups under RCU are done with it
 */
struct tandem_domain {
	struct kref ref;
	u32 id;
	char name[TANDEM_NAME_MAX];
	u32 state;
	u32 vcpus;
	u64 created_ns;
	kuid_t owner;
	struct mem_cgroup *memcg;
	struct tandem_mem mem;
	struct mutex lock; /* serialises state changes and the MEM_WRITE verdict cache */
	bool memwrite_reuse;
	u32 memwrite_state;
	u64 memwrite_gen;
	struct rcu_head rcu;
};

bool tandem_domain_name_valid(const char *name);
struct tandem_domain *tandem_domain_get_by_id(u32 id);
struct tandem_domain *tandem_domain_get_by_name(const char *name);
void tandem_domain_put(struct tandem_domain *dom);
struct tandem_domain *tandem_domain_create(const char *name, u64 memory,
					   u32 vcpus, kuid_t owner,
					   struct mem_cgroup *memcg);
int tandem_domain_destroy(struct tandem_domain *dom);
void tandem_domain_set_state(struct tandem_domain *dom, u32 state);
int tandem_domain_fill(struct sk_buff *skb, struct tandem_domain *dom);
int tandem_domain_dump(struct sk_buff *skb, struct netlink_callback *cb);
void tandem_domain_totals(u32 *nr, u64 *memory);
void tandem_domains_destroy_all(void);

/* agent.c: the policy agent and the decisions it makes */

struct tandem_decision;

/**
 * struct tandem_decision_ops - what differs between decision kinds
 * @fill: add the kind's context attributes to the DECISION message
 * @complete: act on the outcome (allowed or not) and reply to the
 *	requester; runs in process context on the tandem workqueue
 * @release: free the kind's private data (may be %NULL)
 */
struct tandem_decision_ops {
	int (*fill)(struct tandem_decision *dec, struct sk_buff *skb);
	void (*complete)(struct tandem_decision *dec);
	void (*release)(struct tandem_decision *dec);
};

/**
 * struct tandem_decision - one question to the agent, pending or answered
 * @cookie: identifies it in DECISION and VERDICT
 * @kind: &enum tandem_decision_kind
 * @ops: kind-specific behaviour
 * @rq: who asked, for the deferred reply
 * @dom: the domain concerned (a reference), or %NULL
 * @domid: its id (0 when it does not exist yet)
 * @name: its name
 * @deny_errno: what the requester gets when the agent denies (EACCES,
 *	or EINVAL for a refused configuration)
 * @memory: memory asked for (create) or granted by the verdict
 * @allow: the outcome
 * @err: 0 when the agent answered, else why there is no answer
 * @reuse: the verdict's %TANDEM_VERDICT_A_REUSE
 * @reason: the verdict's reason, or why there is no verdict
 * @policy: copy of the verdict's policy nest (POLICY_GET), or %NULL
 * @agent_portid: the agent asked (0 when there was none)
 * @agent_name: its name
 * @create: DOMAIN_CREATE: vCPUs and the creator's memory cgroup
 * @mem: MEM_WRITE: destination, length, state asked about, a copy of data
 * @config: POLICY_SET: a copy of the configuration nest
 * @timeout: fires when the agent is too slow
 * @done: runs @ops->complete
 */
struct tandem_decision {
	u32 cookie;
	u32 kind;
	const struct tandem_decision_ops *ops;
	struct tandem_requester rq;
	struct tandem_domain *dom;
	u32 domid;
	char name[TANDEM_NAME_MAX];
	int deny_errno;
	u64 memory;
	bool allow;
	int err;
	bool reuse;
	char reason[TANDEM_REASON_MAX];
	struct nlattr *policy;
	u32 agent_portid;
	char agent_name[TANDEM_NAME_MAX];
	union {
		struct {
			u32 vcpus;
			struct mem_cgroup *memcg;
		} create;
		struct {
			u64 gpa;
			u32 len;
			u32 state;
			void *data;
		} mem;
		struct nlattr *config;
	};
	struct delayed_work timeout;
	struct work_struct done;
};

extern struct workqueue_struct *tandem_wq;

struct tandem_decision *tandem_decision_new(u32 kind,
					    const struct tandem_decision_ops *ops,
					    const struct genl_info *info);
void tandem_decision_free(struct tandem_decision *dec);
int tandem_decision_ask(struct tandem_decision *dec,
			struct netlink_ext_ack *extack);
void tandem_decision_reply_denied(struct tandem_decision *dec);
u64 tandem_policy_generation(void);
void tandem_policy_generation_bump(void);
int tandem_agent_register(const struct genl_info *info, const char *name);
int tandem_agent_unregister(const struct genl_info *info);
int tandem_verdict(struct genl_info *info);
void tandem_domain_decision_init(struct tandem_decision *dec,
				 struct tandem_domain *dom);
int tandem_agent_fill_name(struct sk_buff *skb, int attr);
int tandem_agent_init(void);
void tandem_agent_exit(void);

/* events.c: the "events" and "audit" multicast groups */

void tandem_event_domain(u32 kind, struct tandem_domain *dom, u32 old_state);
void tandem_event_agent(u32 kind, u32 portid, const char *name);
void tandem_event_verdict(const struct tandem_decision *dec, u32 portid,
			  const char *agent);

#endif /* TANDEM_HV_H */
