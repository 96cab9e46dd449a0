/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A raw generic netlink client for the tandem selftests.
 *
 * The tests build messages byte by byte (so that they can also build broken
 * ones) and read replies without libnl, to check the ABI as the kernel
 * sends it rather than as a library interprets it.
 */
#ifndef TANDEM_SELFTEST_NL_H
#define TANDEM_SELFTEST_NL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <tandem.h>

#define TMSG_SIZE	16384
#define TREPLY_SIZE	40960	/* a MEM_READ of a full chunk fits */
#define TNL_MAX_ATTR	64

/**
 * struct tnl_sock - a generic netlink socket talking to the tandem family
 * @fd: the socket
 * @family: the tandem family id (after tnl_open())
 * @seq: sequence number of the last request sent
 * @backlog: unsolicited messages (sequence number 0: decisions, events)
 *	that arrived while a reply was awaited, for tnl_recv_cmd()
 * @backlog_len: bytes used in @backlog
 */
struct tnl_sock {
	int fd;
	uint16_t family;
	uint32_t seq;
	char *backlog;
	size_t backlog_len;
};

struct tmsg {
	union {
		struct nlmsghdr nlh;
		char buf[TMSG_SIZE];
	};
};

/**
 * struct treply - the outcome of one request
 * @err: 0 or the negative errno in the kernel's ACK
 * @ext_msg: extended ACK message ("" if none)
 * @ext_off: extended ACK attribute offset from the request's nlmsghdr, or -1
 * @miss_type: NLMSGERR_ATTR_MISS_TYPE (a missing required attribute), or -1
 * @nmsgs: number of data messages received
 * @data: the first data message (genl header included)
 * @data_len: its length
 * @tb: attributes of the first data message, by type (types >= TNL_MAX_ATTR
 *	are not indexed)
 */
struct treply {
	int err;
	char ext_msg[256];
	int ext_off;
	int miss_type;
	int nmsgs;
	char data[TREPLY_SIZE];
	size_t data_len;
	const struct nlattr *tb[TNL_MAX_ATTR];
};

int tnl_socket(struct tnl_sock *s);
int tnl_resolve(struct tnl_sock *s, const char *name, uint16_t *id);
int tnl_open(struct tnl_sock *s);
void tnl_close(struct tnl_sock *s);

void tmsg_init(struct tmsg *m, uint16_t type, uint16_t flags, uint8_t cmd);
struct nlattr *tmsg_put(struct tmsg *m, uint16_t type, const void *data,
			size_t len);
size_t tmsg_offset(const struct tmsg *m, const void *p);

int tnl_send_raw(struct tnl_sock *s, const void *buf, size_t len);
int tnl_recv_reply(struct tnl_sock *s, uint32_t seq, struct treply *r);
int tnl_transact(struct tnl_sock *s, struct tmsg *m, struct treply *r);

static inline const void *tnla_data(const struct nlattr *nla)
{
	return (const char *)nla + NLA_HDRLEN;
}

static inline int tnla_len(const struct nlattr *nla)
{
	return nla->nla_len - NLA_HDRLEN;
}

uint32_t tnla_u32(const struct nlattr *nla);
uint64_t tnla_u64(const struct nlattr *nla);

/* Iterate over the attributes nested in @nest. */
#define tnla_for_each_nested(pos, nest)					\
	for (pos = tnla_data(nest);					\
	     (const char *)pos + NLA_HDRLEN <=				\
		(const char *)(nest) + (nest)->nla_len &&		\
	     pos->nla_len >= NLA_HDRLEN &&				\
	     (const char *)pos + pos->nla_len <=			\
		(const char *)(nest) + (nest)->nla_len;			\
	     pos = (const void *)((const char *)pos + NLA_ALIGN(pos->nla_len)))

struct nlattr *tmsg_nest_start(struct tmsg *m, uint16_t type);
void tmsg_nest_end(struct tmsg *m, struct nlattr *nest);
void tmsg_put_u32(struct tmsg *m, uint16_t type, uint32_t v);
void tmsg_put_u64(struct tmsg *m, uint16_t type, uint64_t v);
void tmsg_put_str(struct tmsg *m, uint16_t type, const char *str);

/* Split requests: send now, collect the (possibly deferred) reply later. */
int tnl_send(struct tnl_sock *s, struct tmsg *m);
int tnl_poll(struct tnl_sock *s, int timeout_ms);
int tnl_recv_cmd(struct tnl_sock *s, uint8_t cmd, struct treply *r,
		 int timeout_ms);
void tnl_reindex(struct treply *r);

/* Multicast groups of the tandem family ("events", "audit"). */
int tnl_mcast_id(struct tnl_sock *s, const char *group, uint32_t *id);
int tnl_join(struct tnl_sock *s, const char *group);

/*
 * Domains and guest memory. Each returns a transport error (negative
 * errno of send/recv) or else the kernel's answer, r->err (0 on success);
 * @r holds the reply (extack, data message) either way.
 */
void tmsg_domain(struct tnl_sock *s, struct tmsg *m, uint8_t cmd, uint32_t id,
		 const char *name);
int tdom_create(struct tnl_sock *s, const char *name, uint64_t memory,
		uint32_t vcpus, struct treply *r);
int tdom_destroy(struct tnl_sock *s, uint32_t id, struct treply *r);
int tdom_get(struct tnl_sock *s, uint32_t id, struct treply *r);
int tdom_list(struct tnl_sock *s, uint32_t *ids, int max);
int tdev_attach_disk(struct tnl_sock *s, uint32_t id, const char *path,
		     int ro, const char *serial, struct treply *r);
int tdev_detach(struct tnl_sock *s, uint32_t id, uint32_t type, uint32_t index,
		struct treply *r);
void tmsg_mem_write(struct tnl_sock *s, struct tmsg *m, uint32_t id,
		    uint64_t gpa, const void *data, size_t len);
int tmem_write(struct tnl_sock *s, uint32_t id, uint64_t gpa, const void *data,
	       size_t len, struct treply *r);
int tmem_read(struct tnl_sock *s, uint32_t id, uint64_t gpa, size_t len,
	      void *buf, struct treply *r);

/* Reply attribute @type as u32/u64, or @def when absent. */
uint32_t treply_u32(const struct treply *r, int type, uint32_t def);
uint64_t treply_u64(const struct treply *r, int type, uint64_t def);
const char *treply_str(const struct treply *r, int type);

/*
 * The configuration of tandem_policy.ko (enum tandem_pcfg_attr). @present
 * has bit (1 << TANDEM_PCFG_A_*) set for each key carried.
 */
struct tpcfg {
	uint32_t present;
	uint32_t max_domains;
	uint64_t max_memory;
	uint32_t max_vcpus;
	uint64_t memory_pool;
	char name_pattern[64];
	uint32_t mem_write_states;
	char cpus[TANDEM_CPULIST_MAX];
	uint32_t weight;
	uint32_t cap;
	uint32_t on_crash;
	uint32_t max_restarts;
	uint32_t on_poweroff;
	uint32_t on_reboot;
	char disk_dirs[256];
	char disk_ro_dirs[256];
	uint32_t max_disks;
	uint32_t max_nics;
	char nic_names[64];
};

#define TPCFG_HAS(c, key)	((c)->present & (1u << (key)))

void tpcfg_put(struct tmsg *m, uint16_t type, const struct tpcfg *c);
void tpcfg_parse(const struct nlattr *nest, struct tpcfg *c);
int tpolicy_set(struct tnl_sock *s, const struct tpcfg *c, struct treply *r);
int tpolicy_get(struct tnl_sock *s, struct tpcfg *c, struct treply *r);

/*
 * A policy agent in the test: register a socket, read the DECISIONs the
 * mechanism unicasts to it and answer with VERDICTs.
 */
int tagent_register(struct tnl_sock *s, const char *name, struct treply *r);
int tagent_unregister(struct tnl_sock *s, struct treply *r);
int tagent_next(struct tnl_sock *s, struct treply *d, int timeout_ms);
void tmsg_verdict(struct tnl_sock *s, struct tmsg *m, uint32_t cookie,
		  int allow, const char *reason);
int tagent_answer(struct tnl_sock *s, const struct treply *d, int allow,
		  const char *reason, struct treply *r);

/* Module helpers: load from $TANDEM_MODDIR (default /lib/tandem). */
int tandem_mod_load(const char *name);
int tandem_mod_unload(const char *name);
int tandem_mod_loaded(const char *name);
int tandem_mod_refcnt(const char *name);
int tandem_mod_ensure(const char *name, int *loaded_here);
/**
 * struct tpolicy_lab - what a lab test's fixture loaded and must put back
 * @hv_here: tandem_hv was loaded by tpolicy_lab_setup() (unload it)
 * @policy_here: tandem_policy was loaded by tpolicy_lab_setup() (unload it)
 * @restore: @saved holds the agent's configuration from before the test
 * @saved: that configuration
 */
struct tpolicy_lab {
	int hv_here, policy_here, restore;
	struct tpcfg saved;
};

int tpolicy_lab_setup(struct tpolicy_lab *lab, struct tnl_sock *s,
		      const struct tpcfg *cfg, struct treply *r,
		      const char **why);
void tpolicy_lab_teardown(struct tpolicy_lab *lab, struct tnl_sock *s,
			  struct treply *r);
int tandem_param_write(const char *module, const char *param,
		       const char *value);
int tandem_param_read(const char *module, const char *param, char *buf,
		      size_t len);

/* Whether the extack message @msg starts with @prefix. */
int tstr_prefix(const char *msg, const char *prefix);

int tcli_run(const char *args, char *out, size_t len);

#endif /* TANDEM_SELFTEST_NL_H */
