// SPDX-License-Identifier: GPL-2.0
/*
 * policy_test: the decision protocol between tandem_hv and a policy agent
 * (Documentation/protocol-notes.txt, sections 2 to 4, 8 to 10): with no
 * agent, with an agent written here in userspace, and with tandem_policy.ko.
 *
 * Requests that need a decision are sent with tnl_send() and their reply
 * collected later: the reply is deferred and the doit never sleeps
 * (section 3), so one thread can be both requester and agent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <tandem.h>

#include "kselftest_harness.h"
#include "tandem_nl.h"

#define HV	"tandem_hv"
#define POLICY	"tandem_policy"

#define KiB	1024ULL
#define MiB	(1024 * KiB)

#define WAIT_MS		3000	/* for something that must come */
#define QUIET_MS	300	/* for something that must not */

#define NO_AGENT_MSG	"no policy agent registered"

static uint32_t portid_of(struct tnl_sock *s)
{
	struct sockaddr_nl sa;
	socklen_t len = sizeof(sa);

	if (getsockname(s->fd, (struct sockaddr *)&sa, &len))
		return 0;
	return sa.nl_pid;
}

static uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/*
 * With tandem_policy.ko unloaded: the tests register their own agents.
 * Teardown lets tandem_policy destroy what the test created.
 */
FIXTURE(user) {
	struct tnl_sock s;		/* the requester */
	struct tnl_sock agent;		/* the test's agent, when open */
	struct treply r, d, v;
	int hv_here, policy_was_loaded;
	char timeout[32];
	uint32_t ids[64];
	int nids;
};

FIXTURE_SETUP(user)
{
	int err = tandem_mod_ensure(HV, &self->hv_here);

	ASSERT_EQ(0, err) TH_LOG("load " HV ": %s", strerror(-err));
	self->policy_was_loaded = tandem_mod_loaded(POLICY);
	if (self->policy_was_loaded)
		ASSERT_EQ(0, tandem_mod_unload(POLICY));
	ASSERT_EQ(0, tandem_param_read(HV, "agent_timeout_ms", self->timeout,
				       sizeof(self->timeout)));
	ASSERT_EQ(0, tnl_open(&self->s));
	self->agent.fd = -1;
}

FIXTURE_TEARDOWN(user)
{
	struct treply r;
	int i;

	tnl_close(&self->agent);
	tandem_param_write(HV, "agent_timeout_ms", self->timeout);
	if (self->nids && !tandem_mod_load(POLICY)) {
		for (i = 0; i < self->nids; i++)
			tdom_destroy(&self->s, self->ids[i], &r);
		if (!self->policy_was_loaded)
			tandem_mod_unload(POLICY);
	} else if (self->policy_was_loaded) {
		tandem_mod_load(POLICY);
	}
	tnl_close(&self->s);
	if (self->hv_here)
		tandem_mod_unload(HV);
}

/* Open and register the test's agent. */
static void agent_up(struct __test_metadata *_metadata,
		     FIXTURE_DATA(user) *self, const char *name)
{
	ASSERT_EQ(0, tnl_open(&self->agent));
	ASSERT_EQ(0, tagent_register(&self->agent, name, &self->v))
		TH_LOG("register: %s", self->v.ext_msg);
}

/* Read the next decision; it must be of @kind. */
static void expect_decision(struct __test_metadata *_metadata,
			    FIXTURE_DATA(user) *self, uint32_t kind)
{
	ASSERT_EQ(0, tagent_next(&self->agent, &self->d, WAIT_MS))
		TH_LOG("no decision of kind %u came", kind);
	ASSERT_NE(0, treply_u32(&self->d, TANDEM_DECISION_A_COOKIE, 0));
	ASSERT_EQ(kind, treply_u32(&self->d, TANDEM_DECISION_A_KIND, 0));
}

/* Answer the pending decision; the verdict must be taken (ACK 0). */
static void answer(struct __test_metadata *_metadata, FIXTURE_DATA(user) *self,
		   int allow, const char *reason)
{
	ASSERT_EQ(0, tagent_answer(&self->agent, &self->d, allow, reason,
				   &self->v))
		TH_LOG("verdict: %s", self->v.ext_msg);
}

/* Send a create request without waiting for its outcome. */
static void send_create(struct __test_metadata *_metadata,
			FIXTURE_DATA(user) *self, struct tmsg *m,
			const char *name, uint64_t memory, uint32_t vcpus)
{
	tmsg_domain(&self->s, m, TANDEM_CMD_DOMAIN_CREATE, 0, name);
	tmsg_put_u64(m, TANDEM_DOMAIN_A_MEMORY, memory);
	if (vcpus)
		tmsg_put_u32(m, TANDEM_DOMAIN_A_VCPUS, vcpus);
	ASSERT_EQ(0, tnl_send(&self->s, m));
}

/* The outcome of the request @m sent earlier. */
static void outcome(struct __test_metadata *_metadata,
		    FIXTURE_DATA(user) *self, struct tmsg *m)
{
	ASSERT_EQ(0, tnl_recv_reply(&self->s, m->nlh.nlmsg_seq, &self->r));
}

/* Create a domain through the test's agent (registered), allowing it. */
static uint32_t create_allowed(struct __test_metadata *_metadata,
			       FIXTURE_DATA(user) *self, const char *name,
			       uint64_t memory)
{
	struct tmsg m;
	uint32_t id;

	send_create(_metadata, self, &m, name, memory, 0);
	expect_decision(_metadata, self, TANDEM_DECISION_DOMAIN_CREATE);
	answer(_metadata, self, 1, NULL);
	outcome(_metadata, self, &m);
	if (self->r.err) {
		TH_LOG("create %s: %s", name, self->r.ext_msg);
		_metadata->passed = 0;
		return 0;
	}
	id = treply_u32(&self->r, TANDEM_DOMAIN_A_ID, 0);
	if (id && self->nids < 64)
		self->ids[self->nids++] = id;
	return id;
}

static int count_domains(struct tnl_sock *s, uint64_t *total)
{
	uint32_t ids[256];
	struct treply r;
	int n = tdom_list(s, ids, 256), i;

	*total = 0;
	for (i = 0; i < n && i < 256; i++)
		if (!tdom_get(s, ids[i], &r))
			*total += treply_u64(&r, TANDEM_DOMAIN_A_MEMORY, 0);
	return n;
}

TEST_F(user, no_agent_denies_every_mutation)
{
	static const char data[16] = "must not land";
	char got[16];
	struct tpcfg cfg = {
		.present = 1u << TANDEM_PCFG_A_MAX_DOMAINS,
		.max_domains = 3,
	};
	uint32_t id;

	/* The domain to act on is made while an agent exists. */
	agent_up(_metadata, self, "setup");
	id = create_allowed(_metadata, self, "noagent", 1 * MiB);
	ASSERT_NE(0, id);
	tnl_close(&self->agent);

	EXPECT_EQ(-EACCES, tdom_create(&self->s, "noagent2", 1 * MiB, 1, &self->r));
	EXPECT_STREQ(NO_AGENT_MSG, self->r.ext_msg);
	EXPECT_EQ(-ENOENT, ({
		struct tmsg m;

		tmsg_domain(&self->s, &m, TANDEM_CMD_DOMAIN_GET, 0, "noagent2");
		tnl_transact(&self->s, &m, &self->r) ?: self->r.err;
	}));

	EXPECT_EQ(-EACCES, tdom_destroy(&self->s, id, &self->r));
	EXPECT_STREQ(NO_AGENT_MSG, self->r.ext_msg);
	EXPECT_EQ(0, tdom_get(&self->s, id, &self->r));

	EXPECT_EQ(-EACCES, tmem_write(&self->s, id, 0, data, sizeof(data), &self->r));
	EXPECT_STREQ(NO_AGENT_MSG, self->r.ext_msg);
	ASSERT_EQ(0, tmem_read(&self->s, id, 0, sizeof(got), got, &self->r));
	EXPECT_EQ(0, memcmp(got, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16));

	EXPECT_EQ(-EACCES, tpolicy_set(&self->s, &cfg, &self->r));
	EXPECT_STREQ(NO_AGENT_MSG, self->r.ext_msg);
}

TEST_F(user, agent_sees_kind_and_parameters_and_allows)
{
	static const char data[100] = "hello from the test";
	uint64_t total, t0;
	struct tmsg m;
	char got[100];
	uint32_t id;
	int nr;

	agent_up(_metadata, self, "testagent");
	nr = count_domains(&self->s, &total);
	ASSERT_LE(0, nr);

	send_create(_metadata, self, &m, "params", 8 * MiB, 2);
	expect_decision(_metadata, self, TANDEM_DECISION_DOMAIN_CREATE);
	EXPECT_STREQ("params", treply_str(&self->d, TANDEM_DECISION_A_DOMAIN_NAME));
	EXPECT_EQ(8 * MiB, treply_u64(&self->d, TANDEM_DECISION_A_MEMORY, 0));
	EXPECT_EQ(2, treply_u32(&self->d, TANDEM_DECISION_A_VCPUS, 0));
	EXPECT_EQ(getuid(), treply_u32(&self->d, TANDEM_DECISION_A_UID, ~0u));
	EXPECT_EQ(getpid(), treply_u32(&self->d, TANDEM_DECISION_A_PID, 0));
	EXPECT_EQ(nr, treply_u32(&self->d, TANDEM_DECISION_A_NR_DOMAINS, ~0u));
	EXPECT_EQ(total, treply_u64(&self->d, TANDEM_DECISION_A_TOTAL_MEMORY, ~0ULL));
	EXPECT_EQ(strtoul(self->timeout, NULL, 10),
		  treply_u32(&self->d, TANDEM_DECISION_A_TIMEOUT_MS, 0));
	EXPECT_EQ(0, treply_u32(&self->d, TANDEM_DECISION_A_DOMAIN_ID, 0));
	answer(_metadata, self, 1, NULL);
	outcome(_metadata, self, &m);
	ASSERT_EQ(0, self->r.err) TH_LOG("%s", self->r.ext_msg);
	id = treply_u32(&self->r, TANDEM_DOMAIN_A_ID, 0);
	ASSERT_NE(0, id);
	self->ids[self->nids++] = id;
	EXPECT_EQ(8 * MiB, treply_u64(&self->r, TANDEM_DOMAIN_A_MEMORY, 0));

	/* MEM_WRITE: domain, state, gpa and len. */
	tmsg_mem_write(&self->s, &m, id, 4096 - 10, data, sizeof(data));
	ASSERT_EQ(0, tnl_send(&self->s, &m));
	expect_decision(_metadata, self, TANDEM_DECISION_MEM_WRITE);
	EXPECT_EQ(id, treply_u32(&self->d, TANDEM_DECISION_A_DOMAIN_ID, 0));
	EXPECT_STREQ("params", treply_str(&self->d, TANDEM_DECISION_A_DOMAIN_NAME));
	EXPECT_EQ(TANDEM_STATE_CREATED,
		  treply_u32(&self->d, TANDEM_DECISION_A_DOMAIN_STATE, 0));
	EXPECT_EQ(4096 - 10, treply_u64(&self->d, TANDEM_DECISION_A_GPA, 0));
	EXPECT_EQ(sizeof(data), treply_u32(&self->d, TANDEM_DECISION_A_LEN, 0));
	EXPECT_EQ(nr + 1, treply_u32(&self->d, TANDEM_DECISION_A_NR_DOMAINS, ~0u));
	EXPECT_EQ(total + 8 * MiB,
		  treply_u64(&self->d, TANDEM_DECISION_A_TOTAL_MEMORY, ~0ULL));
	answer(_metadata, self, 1, NULL);
	outcome(_metadata, self, &m);
	EXPECT_EQ(0, self->r.err) TH_LOG("%s", self->r.ext_msg);
	ASSERT_EQ(0, tmem_read(&self->s, id, 4096 - 10, sizeof(got), got, &self->r));
	EXPECT_EQ(0, memcmp(data, got, sizeof(data)));

	/* DESTROY: the domain, then it is gone. */
	tmsg_domain(&self->s, &m, TANDEM_CMD_DOMAIN_DESTROY, id, NULL);
	ASSERT_EQ(0, tnl_send(&self->s, &m));
	t0 = ms_now();
	expect_decision(_metadata, self, TANDEM_DECISION_DOMAIN_DESTROY);
	EXPECT_EQ(id, treply_u32(&self->d, TANDEM_DECISION_A_DOMAIN_ID, 0));
	EXPECT_STREQ("params", treply_str(&self->d, TANDEM_DECISION_A_DOMAIN_NAME));
	/* Nothing happens before the verdict. */
	EXPECT_EQ(0, tdom_get(&self->s, id, &self->v));
	EXPECT_GT(1000, ms_now() - t0);
	answer(_metadata, self, 1, NULL);
	outcome(_metadata, self, &m);
	EXPECT_EQ(0, self->r.err) TH_LOG("%s", self->r.ext_msg);
	EXPECT_EQ(-ENOENT, tdom_get(&self->s, id, &self->v));
}

TEST_F(user, agent_denial_reaches_requester_as_eacces_with_reason)
{
	static const char data[8] = "denied!";
	char got[8];
	struct tmsg m;
	uint32_t id;

	agent_up(_metadata, self, NULL);
	send_create(_metadata, self, &m, "denyme", 1 * MiB, 0);
	expect_decision(_metadata, self, TANDEM_DECISION_DOMAIN_CREATE);
	answer(_metadata, self, 0, "not today");
	outcome(_metadata, self, &m);
	EXPECT_EQ(-EACCES, self->r.err);
	EXPECT_STREQ("denied by policy: not today", self->r.ext_msg);
	EXPECT_EQ(0, self->r.nmsgs);

	id = create_allowed(_metadata, self, "denyme", 1 * MiB);
	ASSERT_NE(0, id);

	tmsg_mem_write(&self->s, &m, id, 0, data, sizeof(data));
	ASSERT_EQ(0, tnl_send(&self->s, &m));
	expect_decision(_metadata, self, TANDEM_DECISION_MEM_WRITE);
	answer(_metadata, self, 0, "read-only");
	outcome(_metadata, self, &m);
	EXPECT_EQ(-EACCES, self->r.err);
	EXPECT_STREQ("denied by policy: read-only", self->r.ext_msg);
	ASSERT_EQ(0, tmem_read(&self->s, id, 0, sizeof(got), got, &self->r));
	EXPECT_EQ(0, memcmp(got, "\0\0\0\0\0\0\0\0", 8));

	tmsg_domain(&self->s, &m, TANDEM_CMD_DOMAIN_DESTROY, id, NULL);
	ASSERT_EQ(0, tnl_send(&self->s, &m));
	expect_decision(_metadata, self, TANDEM_DECISION_DOMAIN_DESTROY);
	answer(_metadata, self, 0, "keep it");
	outcome(_metadata, self, &m);
	EXPECT_EQ(-EACCES, self->r.err);
	EXPECT_STREQ("denied by policy: keep it", self->r.ext_msg);
	EXPECT_EQ(0, tdom_get(&self->s, id, &self->v));
}

/*
 * A MEM_WRITE whose verdict is still out when the domain is destroyed:
 * allowing it afterwards must not write into a domain that is gone, and the
 * requester learns that the domain is gone (ENOENT), not that it was denied.
 */
TEST_F(user, mem_write_decided_after_destroy_is_enoent)
{
	static const char data[16] = "too late";
	struct tnl_sock s2;
	struct treply *held;
	struct tmsg m, m2;
	uint32_t id;

	held = malloc(sizeof(*held));
	ASSERT_NE(NULL, held);
	agent_up(_metadata, self, NULL);
	id = create_allowed(_metadata, self, "late", 1 * MiB);
	ASSERT_NE(0, id);

	tmsg_mem_write(&self->s, &m, id, 0, data, sizeof(data));
	ASSERT_EQ(0, tnl_send(&self->s, &m));
	expect_decision(_metadata, self, TANDEM_DECISION_MEM_WRITE);
	memcpy(held, &self->d, sizeof(*held));
	tnl_reindex(held);

	ASSERT_EQ(0, tnl_open(&s2));
	tmsg_domain(&s2, &m2, TANDEM_CMD_DOMAIN_DESTROY, id, NULL);
	ASSERT_EQ(0, tnl_send(&s2, &m2));
	expect_decision(_metadata, self, TANDEM_DECISION_DOMAIN_DESTROY);
	answer(_metadata, self, 1, NULL);
	ASSERT_EQ(0, tnl_recv_reply(&s2, m2.nlh.nlmsg_seq, &self->r));
	EXPECT_EQ(0, self->r.err) TH_LOG("destroy: %s", self->r.ext_msg);
	tnl_close(&s2);
	EXPECT_EQ(-ENOENT, tdom_get(&self->s, id, &self->v));

	EXPECT_EQ(0, tagent_answer(&self->agent, held, 1, NULL, &self->v))
		TH_LOG("verdict: %s", self->v.ext_msg);
	free(held);
	outcome(_metadata, self, &m);
	EXPECT_EQ(-ENOENT, self->r.err);
	EXPECT_STREQ("domain destroyed", self->r.ext_msg);
}

TEST_F(user, verdict_memory_grants_less_never_more)
{
	struct nlattr *mem_attr;
	uint64_t granted = 4 * MiB, more = 16 * MiB;
	char byte;
	struct tmsg m, vm;
	uint32_t id;

	agent_up(_metadata, self, NULL);
	send_create(_metadata, self, &m, "granted", 8 * MiB, 0);
	expect_decision(_metadata, self, TANDEM_DECISION_DOMAIN_CREATE);
	tmsg_verdict(&self->agent, &vm, treply_u32(&self->d, TANDEM_DECISION_A_COOKIE, 0),
		     1, NULL);
	tmsg_put_u64(&vm, TANDEM_VERDICT_A_MEMORY, granted);
	ASSERT_EQ(0, tnl_transact(&self->agent, &vm, &self->v));
	EXPECT_EQ(0, self->v.err) TH_LOG("%s", self->v.ext_msg);
	outcome(_metadata, self, &m);
	ASSERT_EQ(0, self->r.err) TH_LOG("%s", self->r.ext_msg);
	id = treply_u32(&self->r, TANDEM_DOMAIN_A_ID, 0);
	self->ids[self->nids++] = id;
	EXPECT_EQ(granted, treply_u64(&self->r, TANDEM_DOMAIN_A_MEMORY, 0));
	ASSERT_EQ(0, tdom_get(&self->s, id, &self->r));
	EXPECT_EQ(granted, treply_u64(&self->r, TANDEM_DOMAIN_A_MEMORY, 0));
	EXPECT_EQ(-ERANGE, tmem_read(&self->s, id, granted, 1, &byte, &self->r));
	EXPECT_EQ(0, tmem_read(&self->s, id, granted - 1, 1, &byte, &self->r));

	/* More than asked: the verdict is refused at MEMORY. */
	send_create(_metadata, self, &m, "greedy", 8 * MiB, 0);
	expect_decision(_metadata, self, TANDEM_DECISION_DOMAIN_CREATE);
	tmsg_verdict(&self->agent, &vm, treply_u32(&self->d, TANDEM_DECISION_A_COOKIE, 0),
		     1, NULL);
	mem_attr = tmsg_put(&vm, TANDEM_VERDICT_A_MEMORY, &more, sizeof(more));
	ASSERT_EQ(0, tnl_transact(&self->agent, &vm, &self->v));
	EXPECT_EQ(-EINVAL, self->v.err);
	EXPECT_EQ((int)tmsg_offset(&vm, mem_attr), self->v.ext_off);
	EXPECT_NE(0, strlen(self->v.ext_msg));
	/* Whatever the requester then gets, no 16 MiB domain appears. */
	if (!tnl_poll(&self->s, WAIT_MS) && !tagent_next(&self->agent, &self->d, 10))
		answer(_metadata, self, 0, "retry refused");
	outcome(_metadata, self, &m);
	EXPECT_NE(0, self->r.err);
	tmsg_domain(&self->s, &m, TANDEM_CMD_DOMAIN_GET, 0, "greedy");
	ASSERT_EQ(0, tnl_transact(&self->s, &m, &self->r));
	EXPECT_EQ(-ENOENT, self->r.err);
}

TEST_F(user, verdict_with_unknown_cookie_is_enoent)
{
	struct nlattr *cookie;
	struct tmsg vm;
	uint32_t bogus = 0x7eadbeef, old;
	uint8_t allow = 1;

	agent_up(_metadata, self, NULL);
	tmsg_init(&vm, self->agent.family, 0, TANDEM_CMD_VERDICT);
	cookie = tmsg_put(&vm, TANDEM_VERDICT_A_COOKIE, &bogus, 4);
	tmsg_put(&vm, TANDEM_VERDICT_A_ALLOW, &allow, 1);
	ASSERT_EQ(0, tnl_transact(&self->agent, &vm, &self->v));
	EXPECT_EQ(-ENOENT, self->v.err);
	EXPECT_STREQ("no pending decision with this cookie", self->v.ext_msg);
	EXPECT_EQ((int)tmsg_offset(&vm, cookie), self->v.ext_off);

	/* A cookie already answered has expired. */
	ASSERT_NE(0, create_allowed(_metadata, self, "cookie", 4 * KiB));
	old = treply_u32(&self->d, TANDEM_DECISION_A_COOKIE, 0);
	tmsg_init(&vm, self->agent.family, 0, TANDEM_CMD_VERDICT);
	cookie = tmsg_put(&vm, TANDEM_VERDICT_A_COOKIE, &old, 4);
	tmsg_put(&vm, TANDEM_VERDICT_A_ALLOW, &allow, 1);
	ASSERT_EQ(0, tnl_transact(&self->agent, &vm, &self->v));
	EXPECT_EQ(-ENOENT, self->v.err);
	EXPECT_STREQ("no pending decision with this cookie", self->v.ext_msg);
	EXPECT_EQ((int)tmsg_offset(&vm, cookie), self->v.ext_off);
}

TEST_F(user, verdict_and_unregister_from_non_agent_are_eperm)
{
	struct tmsg m, vm;

	agent_up(_metadata, self, NULL);
	send_create(_metadata, self, &m, "impostor", 4 * KiB, 0);
	expect_decision(_metadata, self, TANDEM_DECISION_DOMAIN_CREATE);

	/* The requester's socket answers its own question: not allowed. */
	tmsg_verdict(&self->s, &vm, treply_u32(&self->d, TANDEM_DECISION_A_COOKIE, 0),
		     1, NULL);
	ASSERT_EQ(0, tnl_transact(&self->s, &vm, &self->v));
	EXPECT_EQ(-EPERM, self->v.err);
	EXPECT_STREQ("not the registered agent", self->v.ext_msg);
	ASSERT_EQ(0, tagent_unregister(&self->s, &self->v) == -EPERM ? 0 : -1);
	EXPECT_STREQ("not the registered agent", self->v.ext_msg);

	/* The real agent still can. */
	answer(_metadata, self, 0, "no");
	outcome(_metadata, self, &m);
	EXPECT_EQ(-EACCES, self->r.err);
}

TEST_F(user, second_agent_is_ebusy_and_same_socket_ealready)
{
	struct tnl_sock other;

	agent_up(_metadata, self, "first");
	ASSERT_EQ(0, tnl_open(&other));
	EXPECT_EQ(-EBUSY, tagent_register(&other, "second", &self->v));
	EXPECT_STREQ("another policy agent is registered", self->v.ext_msg);
	EXPECT_EQ(-EALREADY, tagent_register(&self->agent, "first", &self->v));

	/* After the first steps down, the second may register. */
	EXPECT_EQ(0, tagent_unregister(&self->agent, &self->v));
	EXPECT_EQ(0, tagent_register(&other, "second", &self->v))
		TH_LOG("%s", self->v.ext_msg);
	tnl_close(&other);
}

TEST_F(user, silent_agent_times_out_with_etimedout)
{
	uint64_t t0, dt;
	struct tmsg m;

	ASSERT_EQ(0, tandem_param_write(HV, "agent_timeout_ms", "300"));
	agent_up(_metadata, self, NULL);
	send_create(_metadata, self, &m, "slow", 4 * KiB, 0);
	t0 = ms_now();
	expect_decision(_metadata, self, TANDEM_DECISION_DOMAIN_CREATE);
	EXPECT_EQ(300, treply_u32(&self->d, TANDEM_DECISION_A_TIMEOUT_MS, 0));
	outcome(_metadata, self, &m);
	dt = ms_now() - t0;
	EXPECT_EQ(-ETIMEDOUT, self->r.err);
	EXPECT_STREQ("policy agent did not answer in time", self->r.ext_msg);
	EXPECT_LE(250, dt);
	EXPECT_GT(3000, dt);

	/* Too late now. */
	EXPECT_EQ(-ENOENT, tagent_answer(&self->agent, &self->d, 1, NULL, &self->v));
	tmsg_domain(&self->s, &m, TANDEM_CMD_DOMAIN_GET, 0, "slow");
	ASSERT_EQ(0, tnl_transact(&self->s, &m, &self->r));
	EXPECT_EQ(-ENOENT, self->r.err);
}

TEST_F_TIMEOUT(user, agent_going_away_aborts_pending_requests, 120)
{
	struct tmsg m1, m2;

	/* The agent's socket closes with a request pending. */
	agent_up(_metadata, self, NULL);
	send_create(_metadata, self, &m1, "orphan", 4 * KiB, 0);
	expect_decision(_metadata, self, TANDEM_DECISION_DOMAIN_CREATE);
	tnl_close(&self->agent);
	outcome(_metadata, self, &m1);
	EXPECT_EQ(-ECONNABORTED, self->r.err);
	EXPECT_STREQ("policy agent went away", self->r.ext_msg);

	/* The agent unregisters with two requests pending. */
	agent_up(_metadata, self, NULL);
	send_create(_metadata, self, &m1, "orphan1", 4 * KiB, 0);
	send_create(_metadata, self, &m2, "orphan2", 4 * KiB, 0);
	expect_decision(_metadata, self, TANDEM_DECISION_DOMAIN_CREATE);
	expect_decision(_metadata, self, TANDEM_DECISION_DOMAIN_CREATE);
	EXPECT_EQ(0, tagent_unregister(&self->agent, &self->v));
	outcome(_metadata, self, &m1);
	EXPECT_EQ(-ECONNABORTED, self->r.err);
	EXPECT_STREQ("policy agent went away", self->r.ext_msg);
	outcome(_metadata, self, &m2);
	EXPECT_EQ(-ECONNABORTED, self->r.err);
	EXPECT_STREQ("policy agent went away", self->r.ext_msg);
}

/* One MEM_WRITE; whether the agent was asked (answering @allow, @reuse). */
static int mem_write_asked(struct __test_metadata *_metadata,
			   FIXTURE_DATA(user) *self, uint32_t id, int reuse)
{
	static const char data[4] = "abc";
	struct tmsg m, vm;
	int asked;

	tmsg_mem_write(&self->s, &m, id, 64, data, sizeof(data));
	if (tnl_send(&self->s, &m))
		return -1;
	asked = !tagent_next(&self->agent, &self->d, QUIET_MS);
	if (asked) {
		if (treply_u32(&self->d, TANDEM_DECISION_A_KIND, 0) !=
		    TANDEM_DECISION_MEM_WRITE)
			return -1;
		tmsg_verdict(&self->agent, &vm,
			     treply_u32(&self->d, TANDEM_DECISION_A_COOKIE, 0), 1,
			     NULL);
		if (reuse)
			tmsg_put(&vm, TANDEM_VERDICT_A_REUSE, NULL, 0);
		if (tnl_transact(&self->agent, &vm, &self->v) || self->v.err)
			return -1;
	}
	if (tnl_recv_reply(&self->s, m.nlh.nlmsg_seq, &self->r) || self->r.err)
		return -1;
	return asked;
}

TEST_F(user, reuse_verdict_holds_until_policy_set_is_accepted)
{
	struct tpcfg cfg = {
		.present = 1u << TANDEM_PCFG_A_MAX_DOMAINS |
			   1u << TANDEM_PCFG_A_NAME_PATTERN,
		.max_domains = 5,
		.name_pattern = "re*",
	}, seen;
	struct tmsg m;
	uint32_t id;

	agent_up(_metadata, self, NULL);
	id = create_allowed(_metadata, self, "reuse", 1 * MiB);
	ASSERT_NE(0, id);

	/* Without REUSE every write is asked. */
	EXPECT_EQ(1, mem_write_asked(_metadata, self, id, 0));
	EXPECT_EQ(1, mem_write_asked(_metadata, self, id, 1));
	EXPECT_EQ(0, mem_write_asked(_metadata, self, id, 0));
	EXPECT_EQ(0, mem_write_asked(_metadata, self, id, 0));

	/* A refused POLICY_SET keeps the cached verdict: EINVAL, the reason. */
	tmsg_init(&m, self->s.family, 0, TANDEM_CMD_POLICY_SET);
	tpcfg_put(&m, TANDEM_POLICY_A_CONFIG, &cfg);
	ASSERT_EQ(0, tnl_send(&self->s, &m));
	expect_decision(_metadata, self, TANDEM_DECISION_POLICY_SET);
	ASSERT_NE(NULL, self->d.tb[TANDEM_DECISION_A_POLICY]);
	tpcfg_parse(self->d.tb[TANDEM_DECISION_A_POLICY], &seen);
	EXPECT_EQ(cfg.present, seen.present);
	EXPECT_EQ(5, seen.max_domains);
	EXPECT_STREQ("re*", seen.name_pattern);
	answer(_metadata, self, 0, "max_domains: too few");
	outcome(_metadata, self, &m);
	EXPECT_EQ(-EINVAL, self->r.err);
	EXPECT_STREQ("max_domains: too few", self->r.ext_msg);
	EXPECT_EQ(0, mem_write_asked(_metadata, self, id, 0));

	/* An accepted one drops it. */
	ASSERT_EQ(0, tnl_send(&self->s, &m));
	expect_decision(_metadata, self, TANDEM_DECISION_POLICY_SET);
	answer(_metadata, self, 1, NULL);
	outcome(_metadata, self, &m);
	EXPECT_EQ(0, self->r.err) TH_LOG("%s", self->r.ext_msg);
	EXPECT_EQ(1, mem_write_asked(_metadata, self, id, 0));
}

TEST_F(user, policy_get_carries_the_agents_configuration)
{
	struct tpcfg cfg = {
		.present = 1u << TANDEM_PCFG_A_MAX_DOMAINS |
			   1u << TANDEM_PCFG_A_MAX_MEMORY |
			   1u << TANDEM_PCFG_A_NAME_PATTERN,
		.max_domains = 11,
		.max_memory = 12 * MiB,
		.name_pattern = "vm-*",
	}, got;
	struct tmsg m, vm;

	agent_up(_metadata, self, NULL);
	tmsg_init(&m, self->s.family, 0, TANDEM_CMD_POLICY_GET);
	ASSERT_EQ(0, tnl_send(&self->s, &m));
	expect_decision(_metadata, self, TANDEM_DECISION_POLICY_GET);
	tmsg_verdict(&self->agent, &vm, treply_u32(&self->d, TANDEM_DECISION_A_COOKIE, 0),
		     1, NULL);
	tpcfg_put(&vm, TANDEM_VERDICT_A_POLICY, &cfg);
	ASSERT_EQ(0, tnl_transact(&self->agent, &vm, &self->v));
	EXPECT_EQ(0, self->v.err) TH_LOG("%s", self->v.ext_msg);
	outcome(_metadata, self, &m);
	ASSERT_EQ(0, self->r.err) TH_LOG("%s", self->r.ext_msg);
	ASSERT_NE(NULL, self->r.tb[TANDEM_POLICY_A_CONFIG]);
	tpcfg_parse(self->r.tb[TANDEM_POLICY_A_CONFIG], &got);
	EXPECT_EQ(cfg.present, got.present);
	EXPECT_EQ(11, got.max_domains);
	EXPECT_EQ(12 * MiB, got.max_memory);
	EXPECT_STREQ("vm-*", got.name_pattern);
}

/* The next audit record; it must be a VERDICT event. */
static void next_audit(struct __test_metadata *_metadata, struct tnl_sock *a,
		       struct treply *e)
{
	ASSERT_EQ(0, tnl_recv_cmd(a, TANDEM_CMD_EVENT, e, WAIT_MS))
		TH_LOG("no audit record");
	ASSERT_EQ(TANDEM_EVENT_VERDICT, treply_u32(e, TANDEM_EVENT_A_KIND, 0));
}

TEST_F(user, audit_records_match_decisions)
{
	struct tnl_sock audit;
	struct treply e;
	struct tmsg m;
	uint32_t cookie, id, port;

	ASSERT_EQ(0, tnl_open(&audit));
	ASSERT_EQ(0, tnl_join(&audit, TANDEM_MCGRP_AUDIT_NAME));

	/* No agent: EACCES, the reason, no agent name or port. */
	EXPECT_EQ(-EACCES, tdom_create(&self->s, "audit0", 4 * KiB, 1, &self->r));
	next_audit(_metadata, &audit, &e);
	EXPECT_EQ(TANDEM_DECISION_DOMAIN_CREATE,
		  treply_u32(&e, TANDEM_EVENT_A_DECISION, 0));
	EXPECT_EQ(0, treply_u32(&e, TANDEM_EVENT_A_ALLOW, 1) & 0xff);
	EXPECT_EQ(EACCES, treply_u32(&e, TANDEM_EVENT_A_ERRNO, 0));
	EXPECT_STREQ(NO_AGENT_MSG, treply_str(&e, TANDEM_EVENT_A_REASON));
	EXPECT_STREQ("audit0", treply_str(&e, TANDEM_EVENT_A_DOMAIN_NAME));
	EXPECT_EQ(NULL, e.tb[TANDEM_EVENT_A_AGENT_NAME]);
	EXPECT_EQ(NULL, e.tb[TANDEM_EVENT_A_AGENT_PORTID]);

	/* Allowed: kind, cookie, allow, errno 0, the agent. */
	agent_up(_metadata, self, "auditor");
	port = portid_of(&self->agent);
	id = create_allowed(_metadata, self, "audit1", 4 * KiB);
	ASSERT_NE(0, id);
	cookie = treply_u32(&self->d, TANDEM_DECISION_A_COOKIE, 0);
	next_audit(_metadata, &audit, &e);
	EXPECT_EQ(TANDEM_DECISION_DOMAIN_CREATE,
		  treply_u32(&e, TANDEM_EVENT_A_DECISION, 0));
	EXPECT_EQ(cookie, treply_u32(&e, TANDEM_EVENT_A_COOKIE, 0));
	EXPECT_EQ(1, treply_u32(&e, TANDEM_EVENT_A_ALLOW, 0) & 0xff);
	EXPECT_EQ(0, treply_u32(&e, TANDEM_EVENT_A_ERRNO, ~0u));
	EXPECT_STREQ("auditor", treply_str(&e, TANDEM_EVENT_A_AGENT_NAME));
	EXPECT_EQ(port, treply_u32(&e, TANDEM_EVENT_A_AGENT_PORTID, 0));

	/* Denied: reason and EACCES; the domain by id and name. */
	tmsg_domain(&self->s, &m, TANDEM_CMD_DOMAIN_DESTROY, id, NULL);
	ASSERT_EQ(0, tnl_send(&self->s, &m));
	expect_decision(_metadata, self, TANDEM_DECISION_DOMAIN_DESTROY);
	answer(_metadata, self, 0, "audited no");
	outcome(_metadata, self, &m);
	next_audit(_metadata, &audit, &e);
	EXPECT_EQ(TANDEM_DECISION_DOMAIN_DESTROY,
		  treply_u32(&e, TANDEM_EVENT_A_DECISION, 0));
	EXPECT_EQ(treply_u32(&self->d, TANDEM_DECISION_A_COOKIE, 0),
		  treply_u32(&e, TANDEM_EVENT_A_COOKIE, 0));
	EXPECT_EQ(0, treply_u32(&e, TANDEM_EVENT_A_ALLOW, 1) & 0xff);
	EXPECT_EQ(EACCES, treply_u32(&e, TANDEM_EVENT_A_ERRNO, 0));
	EXPECT_STREQ("audited no", treply_str(&e, TANDEM_EVENT_A_REASON));
	EXPECT_EQ(id, treply_u32(&e, TANDEM_EVENT_A_DOMAIN_ID, 0));
	EXPECT_STREQ("audit1", treply_str(&e, TANDEM_EVENT_A_DOMAIN_NAME));

	/* A reused MEM_WRITE verdict is not audited again. */
	EXPECT_EQ(1, mem_write_asked(_metadata, self, id, 1));
	next_audit(_metadata, &audit, &e);
	EXPECT_EQ(TANDEM_DECISION_MEM_WRITE, treply_u32(&e, TANDEM_EVENT_A_DECISION, 0));
	EXPECT_EQ(0, mem_write_asked(_metadata, self, id, 0));
	EXPECT_EQ(-ETIMEDOUT, tnl_recv_cmd(&audit, TANDEM_CMD_EVENT, &e, QUIET_MS))
		TH_LOG("audit record for a reused verdict");

	/* Timeout: ETIMEDOUT. */
	ASSERT_EQ(0, tandem_param_write(HV, "agent_timeout_ms", "300"));
	send_create(_metadata, self, &m, "audit2", 4 * KiB, 0);
	expect_decision(_metadata, self, TANDEM_DECISION_DOMAIN_CREATE);
	outcome(_metadata, self, &m);
	next_audit(_metadata, &audit, &e);
	EXPECT_EQ(treply_u32(&self->d, TANDEM_DECISION_A_COOKIE, 0),
		  treply_u32(&e, TANDEM_EVENT_A_COOKIE, 0));
	EXPECT_EQ(ETIMEDOUT, treply_u32(&e, TANDEM_EVENT_A_ERRNO, 0));
	EXPECT_EQ(0, treply_u32(&e, TANDEM_EVENT_A_ALLOW, 1) & 0xff);
	tnl_close(&audit);
}

/*
 * With tandem_policy.ko: loaded fresh by the fixture (defaults), limits
 * set by each test.
 */
FIXTURE(kagent) {
	struct tnl_sock s;
	struct treply r;
	int hv_here, policy_was_loaded;
	uint32_t ids[64];
	int nids;
};

FIXTURE_SETUP(kagent)
{
	int err = tandem_mod_ensure(HV, &self->hv_here);

	ASSERT_EQ(0, err) TH_LOG("load " HV ": %s", strerror(-err));
	self->policy_was_loaded = tandem_mod_loaded(POLICY);
	if (self->policy_was_loaded)
		ASSERT_EQ(0, tandem_mod_unload(POLICY));
	err = tandem_mod_load(POLICY);
	ASSERT_EQ(0, err) TH_LOG("load " POLICY ": %s", strerror(-err));
	ASSERT_EQ(0, tnl_open(&self->s));
}

FIXTURE_TEARDOWN(kagent)
{
	struct treply r;
	int i;

	tandem_mod_load(POLICY);
	for (i = 0; i < self->nids; i++)
		tdom_destroy(&self->s, self->ids[i], &r);
	tnl_close(&self->s);
	if (!self->policy_was_loaded || self->hv_here)
		tandem_mod_unload(POLICY);
	if (self->hv_here)
		tandem_mod_unload(HV);
}

static uint32_t kcreate(struct __test_metadata *_metadata,
			FIXTURE_DATA(kagent) *self, const char *name,
			uint64_t memory, uint32_t vcpus)
{
	uint32_t id;

	if (tdom_create(&self->s, name, memory, vcpus, &self->r)) {
		TH_LOG("create %s: %s", name, self->r.ext_msg);
		_metadata->passed = 0;
		return 0;
	}
	id = treply_u32(&self->r, TANDEM_DOMAIN_A_ID, 0);
	if (id && self->nids < 64)
		self->ids[self->nids++] = id;
	return id;
}

/* Create must be denied with exactly "denied by policy: @reason". */
static void kdenied(struct __test_metadata *_metadata,
		    FIXTURE_DATA(kagent) *self, const char *name,
		    uint64_t memory, uint32_t vcpus, const char *reason)
{
	char want[256];

	snprintf(want, sizeof(want), "denied by policy: %s", reason);
	EXPECT_EQ(-EACCES, tdom_create(&self->s, name, memory, vcpus, &self->r))
		TH_LOG("%s", name);
	EXPECT_STREQ(want, self->r.ext_msg);
	if (!self->r.err) {
		uint32_t id = treply_u32(&self->r, TANDEM_DOMAIN_A_ID, 0);

		if (self->nids < 64)
			self->ids[self->nids++] = id;
	}
}

static void kset(struct __test_metadata *_metadata, FIXTURE_DATA(kagent) *self,
		 const struct tpcfg *cfg)
{
	ASSERT_EQ(0, tpolicy_set(&self->s, cfg, &self->r))
		TH_LOG("POLICY_SET: %s", self->r.ext_msg);
}

#define PCFG(key)	(1u << TANDEM_PCFG_A_##key)

TEST_F(kagent, max_domains_is_enforced_at_the_limit)
{
	struct tpcfg cfg = { .present = PCFG(MAX_DOMAINS) };
	uint32_t ids[256];
	char reason[128];
	int nr = tdom_list(&self->s, ids, 256);

	ASSERT_LE(0, nr);
	cfg.max_domains = nr + 2;
	kset(_metadata, self, &cfg);
	EXPECT_NE(0, kcreate(_metadata, self, "quota1", 4 * KiB, 1));
	EXPECT_NE(0, kcreate(_metadata, self, "quota2", 4 * KiB, 1));
	snprintf(reason, sizeof(reason), "domain limit reached (max_domains %u)",
		 cfg.max_domains);
	kdenied(_metadata, self, "quota3", 4 * KiB, 1, reason);
}

TEST_F(kagent, max_memory_is_enforced_at_the_limit)
{
	struct tpcfg cfg = { .present = PCFG(MAX_MEMORY), .max_memory = 8 * MiB };
	char reason[128];

	kset(_metadata, self, &cfg);
	EXPECT_NE(0, kcreate(_metadata, self, "mem-at", 8 * MiB, 1));
	snprintf(reason, sizeof(reason), "memory %llu exceeds max_memory %llu",
		 8 * MiB + 4096, 8 * MiB);
	kdenied(_metadata, self, "mem-over", 8 * MiB + 4096, 1, reason);
}

TEST_F(kagent, max_vcpus_is_enforced_at_the_limit)
{
	struct tpcfg cfg = { .present = PCFG(MAX_VCPUS), .max_vcpus = 3 };

	kset(_metadata, self, &cfg);
	EXPECT_NE(0, kcreate(_metadata, self, "vcpus-at", 4 * KiB, 3));
	kdenied(_metadata, self, "vcpus-over", 4 * KiB, 4,
		"vcpus 4 exceed max_vcpus 3");
}

TEST_F(kagent, memory_pool_is_enforced_at_the_limit)
{
	struct tpcfg cfg = { .present = PCFG(MEMORY_POOL) };
	uint64_t in_use;
	char reason[160];
	struct treply r;
	struct tmsg m;

	tmsg_init(&m, self->s.family, 0, TANDEM_CMD_GET_INFO);
	ASSERT_EQ(0, tnl_transact(&self->s, &m, &r));
	in_use = treply_u64(&r, TANDEM_INFO_A_GUEST_MEMORY, 0);
	cfg.memory_pool = in_use + 8 * MiB;
	kset(_metadata, self, &cfg);
	EXPECT_NE(0, kcreate(_metadata, self, "pool1", 4 * MiB, 1));
	EXPECT_NE(0, kcreate(_metadata, self, "pool2", 4 * MiB, 1));
	snprintf(reason, sizeof(reason),
		 "memory pool exhausted (memory_pool %llu, in use %llu, asked %llu)",
		 (unsigned long long)cfg.memory_pool,
		 (unsigned long long)(in_use + 8 * MiB), 4096ULL);
	kdenied(_metadata, self, "pool3", 4 * KiB, 1, reason);
}

TEST_F(kagent, name_pattern_is_enforced)
{
	struct tpcfg cfg = { .present = PCFG(NAME_PATTERN), .name_pattern = "web-*" };

	kset(_metadata, self, &cfg);
	EXPECT_NE(0, kcreate(_metadata, self, "web-1", 4 * KiB, 1));
	kdenied(_metadata, self, "db-1", 4 * KiB, 1,
		"name does not match name_pattern 'web-*'");
}

TEST_F(kagent, mem_write_states_are_respected)
{
	struct tpcfg cfg = {
		.present = PCFG(MEM_WRITE_STATES),
		.mem_write_states = 1u << TANDEM_STATE_PAUSED,
	};
	static const char data[4] = "xyz";
	char got[4];
	uint32_t id;

	id = kcreate(_metadata, self, "states", 1 * MiB, 1);
	ASSERT_NE(0, id);
	EXPECT_EQ(0, tmem_write(&self->s, id, 0, data, 4, &self->r));
	kset(_metadata, self, &cfg);
	EXPECT_EQ(-EACCES, tmem_write(&self->s, id, 8, data, 4, &self->r));
	EXPECT_STREQ("denied by policy: memory writes not allowed in state created",
		     self->r.ext_msg);
	ASSERT_EQ(0, tmem_read(&self->s, id, 8, 4, got, &self->r));
	EXPECT_EQ(0, memcmp(got, "\0\0\0\0", 4));
	cfg.mem_write_states |= 1u << TANDEM_STATE_CREATED;
	kset(_metadata, self, &cfg);
	EXPECT_EQ(0, tmem_write(&self->s, id, 8, data, 4, &self->r))
		TH_LOG("%s", self->r.ext_msg);
}

TEST_F(kagent, bad_policy_set_is_einval_naming_the_key_and_applies_nothing)
{
	static const struct {
		struct tpcfg cfg;
		const char *key;
	} bad[] = {
		{ { .present = PCFG(MAX_DOMAINS), .max_domains = 0 }, "max_domains" },
		{ { .present = PCFG(MAX_MEMORY), .max_memory = 4097 }, "max_memory" },
		{ { .present = PCFG(MAX_MEMORY), .max_memory = 0 }, "max_memory" },
		{ { .present = PCFG(MEMORY_POOL), .memory_pool = 2ULL << 40 }, "memory_pool" },
		{ { .present = PCFG(MAX_VCPUS), .max_vcpus = 65 }, "max_vcpus" },
		{ { .present = PCFG(MAX_VCPUS), .max_vcpus = 0 }, "max_vcpus" },
		{ { .present = PCFG(NAME_PATTERN), .name_pattern = "" }, "name_pattern" },
		{ { .present = PCFG(NAME_PATTERN),
		    .name_pattern = "abcdefghijklmnopqrstuvwxyz0123456" }, "name_pattern" },
		{ { .present = PCFG(MEM_WRITE_STATES),
		    .mem_write_states = 1u << TANDEM_STATE_DYING }, "mem_write_states" },
		{ { .present = PCFG(CPUS), .cpus = "0-" }, "cpus" },
		{ { .present = PCFG(CPUS), .cpus = "" }, "cpus" },
		{ { .present = PCFG(CPUS), .cpus = "4095" }, "cpus" },
		{ { .present = PCFG(WEIGHT), .weight = 0 }, "weight" },
		{ { .present = PCFG(WEIGHT), .weight = 65536 }, "weight" },
		{ { .present = PCFG(CAP), .cap = 101 }, "cap" },
		{ { .present = PCFG(ON_CRASH), .on_crash = 3 }, "on_crash" },
		{ { .present = PCFG(ON_POWEROFF), .on_poweroff = 3 }, "on_poweroff" },
		{ { .present = PCFG(ON_REBOOT), .on_reboot = 7 }, "on_reboot" },
	};
	struct tpcfg before, after;
	size_t i;

	ASSERT_EQ(0, tpolicy_get(&self->s, &before, &self->r));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tpcfg cfg = bad[i].cfg;

		/* A good key rides along: it must not be applied either. */
		cfg.present |= PCFG(MAX_DOMAINS) & ~bad[i].cfg.present;
		if (!(bad[i].cfg.present & PCFG(MAX_DOMAINS)))
			cfg.max_domains = 42;
		EXPECT_EQ(-EINVAL, tpolicy_set(&self->s, &cfg, &self->r))
			TH_LOG("key %s", bad[i].key);
		EXPECT_NE(NULL, strstr(self->r.ext_msg, bad[i].key))
			TH_LOG("key %s: message '%s'", bad[i].key, self->r.ext_msg);
		ASSERT_EQ(0, tpolicy_get(&self->s, &after, &self->r));
		EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)))
			TH_LOG("key %s: configuration changed", bad[i].key);
	}
}

TEST_F(kagent, policy_get_returns_what_was_set)
{
	struct tpcfg cfg = {
		.present = PCFG(MAX_DOMAINS) | PCFG(MAX_MEMORY) | PCFG(MAX_VCPUS) |
			   PCFG(MEMORY_POOL) | PCFG(NAME_PATTERN) |
			   PCFG(MEM_WRITE_STATES) | PCFG(CPUS) | PCFG(WEIGHT) |
			   PCFG(CAP) | PCFG(ON_CRASH) | PCFG(MAX_RESTARTS) |
			   PCFG(ON_POWEROFF) | PCFG(ON_REBOOT) | PCFG(DISK_DIRS) |
			   PCFG(DISK_RO_DIRS) | PCFG(MAX_DISKS) | PCFG(MAX_NICS) |
			   PCFG(NIC_NAMES),
		.max_domains = 17,
		.max_memory = 96 * MiB,
		.max_vcpus = 7,
		.memory_pool = 300 * MiB,
		.name_pattern = "t?st-*",
		.mem_write_states = 1u << TANDEM_STATE_CREATED |
				    1u << TANDEM_STATE_SHUTDOWN |
				    1u << TANDEM_STATE_CRASHED,
		/* Given unsorted with a duplicate: the agent normalises it. */
		.cpus = "0,0",
		.weight = 1000,
		.cap = 40,
		.on_crash = TANDEM_CRASH_RESTART,
		.max_restarts = 7,
		.on_poweroff = TANDEM_CRASH_DESTROY,
		.on_reboot = TANDEM_CRASH_RESTART,
		.disk_dirs = "/srv/disks:/var/lib/tandem/disks",
		.disk_ro_dirs = "/srv/images",
		.max_disks = 3,
		.max_nics = 5,
		.nic_names = "tdm*",
	}, got;

	kset(_metadata, self, &cfg);
	ASSERT_EQ(0, tpolicy_get(&self->s, &got, &self->r));
	EXPECT_EQ(cfg.present, got.present);
	EXPECT_EQ(cfg.max_domains, got.max_domains);
	EXPECT_EQ(cfg.max_memory, got.max_memory);
	EXPECT_EQ(cfg.max_vcpus, got.max_vcpus);
	EXPECT_EQ(cfg.memory_pool, got.memory_pool);
	EXPECT_STREQ(cfg.name_pattern, got.name_pattern);
	EXPECT_EQ(cfg.mem_write_states, got.mem_write_states);
	EXPECT_STREQ("0", got.cpus);
	EXPECT_EQ(cfg.weight, got.weight);
	EXPECT_EQ(cfg.cap, got.cap);
	EXPECT_EQ(cfg.on_crash, got.on_crash);
	EXPECT_EQ(cfg.max_restarts, got.max_restarts);
	EXPECT_EQ(cfg.on_poweroff, got.on_poweroff);
	EXPECT_EQ(cfg.on_reboot, got.on_reboot);
	EXPECT_STREQ(cfg.disk_dirs, got.disk_dirs);
	EXPECT_STREQ(cfg.disk_ro_dirs, got.disk_ro_dirs);
	EXPECT_EQ(cfg.max_disks, got.max_disks);
	EXPECT_EQ(cfg.max_nics, got.max_nics);
	EXPECT_STREQ(cfg.nic_names, got.nic_names);

	/* A subset changes only its keys. */
	cfg.present = PCFG(MAX_VCPUS);
	cfg.max_vcpus = 9;
	kset(_metadata, self, &cfg);
	ASSERT_EQ(0, tpolicy_get(&self->s, &got, &self->r));
	EXPECT_EQ(9, got.max_vcpus);
	EXPECT_EQ(17, got.max_domains);
	EXPECT_STREQ("t?st-*", got.name_pattern);
}

TEST_F(kagent, loading_with_a_userspace_agent_is_ebusy)
{
	struct tnl_sock agent;

	ASSERT_EQ(0, tandem_mod_unload(POLICY));
	ASSERT_EQ(0, tnl_open(&agent));
	ASSERT_EQ(0, tagent_register(&agent, "userspace", &self->r));
	EXPECT_EQ(-EBUSY, tandem_mod_load(POLICY));
	EXPECT_FALSE(tandem_mod_loaded(POLICY));
	tnl_close(&agent);
	EXPECT_EQ(0, tandem_mod_load(POLICY));
}

TEST_F(kagent, reload_keeps_domains_and_restores_defaults)
{
	struct tpcfg cfg = {
		.present = PCFG(MAX_DOMAINS) | PCFG(NAME_PATTERN),
		.max_domains = 30,
		.name_pattern = "keep*",
	}, got;
	static char data[4096], got_data[4096];
	uint32_t a, b;
	int round;

	kset(_metadata, self, &cfg);
	a = kcreate(_metadata, self, "keep-a", 2 * MiB, 1);
	b = kcreate(_metadata, self, "keep-b", 1 * MiB, 2);
	ASSERT_NE(0, a);
	ASSERT_NE(0, b);
	memset(data, 0x77, sizeof(data));
	ASSERT_EQ(0, tmem_write(&self->s, a, 2 * MiB - 4096, data, 4096, &self->r));

	for (round = 0; round < 2; round++) {
		/* Round 0: unloaded; round 1: reloaded. */
		ASSERT_EQ(0, round ? tandem_mod_load(POLICY) :
				  tandem_mod_unload(POLICY));
		ASSERT_EQ(0, tdom_get(&self->s, a, &self->r));
		EXPECT_STREQ("keep-a", treply_str(&self->r, TANDEM_DOMAIN_A_NAME));
		EXPECT_EQ(2 * MiB, treply_u64(&self->r, TANDEM_DOMAIN_A_MEMORY, 0));
		ASSERT_EQ(0, tdom_get(&self->s, b, &self->r));
		EXPECT_STREQ("keep-b", treply_str(&self->r, TANDEM_DOMAIN_A_NAME));
		EXPECT_EQ(2, treply_u32(&self->r, TANDEM_DOMAIN_A_VCPUS, 0));
		ASSERT_EQ(0, tmem_read(&self->s, a, 2 * MiB - 4096, 4096, got_data,
				       &self->r));
		EXPECT_EQ(0, memcmp(data, got_data, 4096)) TH_LOG("round %d", round);
	}

	ASSERT_EQ(0, tpolicy_get(&self->s, &got, &self->r));
	EXPECT_EQ(8, got.max_domains);
	EXPECT_EQ(256 * MiB, got.max_memory);
	EXPECT_EQ(4, got.max_vcpus);
	EXPECT_EQ(512 * MiB, got.memory_pool);
	EXPECT_STREQ("*", got.name_pattern);
	EXPECT_EQ(1u << TANDEM_STATE_CREATED | 1u << TANDEM_STATE_PAUSED,
		  got.mem_write_states);
	EXPECT_STREQ("all", got.cpus);
	EXPECT_EQ(256, got.weight);
	EXPECT_EQ(0, got.cap);
	EXPECT_EQ(TANDEM_CRASH_PRESERVE, got.on_crash);
	EXPECT_EQ(3, got.max_restarts);
	EXPECT_EQ(TANDEM_CRASH_PRESERVE, got.on_poweroff);
	EXPECT_EQ(TANDEM_CRASH_PRESERVE, got.on_reboot);
}

TEST_F(kagent, audit_record_of_the_default_agent)
{
	struct tnl_sock audit;
	struct tpcfg cfg = { .present = PCFG(MAX_VCPUS), .max_vcpus = 2 };
	struct treply e;

	ASSERT_EQ(0, tnl_open(&audit));
	ASSERT_EQ(0, tnl_join(&audit, TANDEM_MCGRP_AUDIT_NAME));
	kset(_metadata, self, &cfg);
	next_audit(_metadata, &audit, &e);
	EXPECT_EQ(TANDEM_DECISION_POLICY_SET, treply_u32(&e, TANDEM_EVENT_A_DECISION, 0));
	EXPECT_STREQ("tandem_policy", treply_str(&e, TANDEM_EVENT_A_AGENT_NAME));
	EXPECT_EQ(EACCES, ({
		tdom_create(&self->s, "audited", 4 * KiB, 3, &self->r);
		-self->r.err;
	}));
	next_audit(_metadata, &audit, &e);
	EXPECT_EQ(TANDEM_DECISION_DOMAIN_CREATE, treply_u32(&e, TANDEM_EVENT_A_DECISION, 0));
	EXPECT_NE(0, treply_u32(&e, TANDEM_EVENT_A_COOKIE, 0));
	EXPECT_EQ(0, treply_u32(&e, TANDEM_EVENT_A_ALLOW, 1) & 0xff);
	EXPECT_STREQ("vcpus 3 exceed max_vcpus 2", treply_str(&e, TANDEM_EVENT_A_REASON));
	EXPECT_EQ(EACCES, treply_u32(&e, TANDEM_EVENT_A_ERRNO, 0));
	EXPECT_STREQ("audited", treply_str(&e, TANDEM_EVENT_A_DOMAIN_NAME));
	tnl_close(&audit);
}

/*
 * In a child that became uid 65534 (and so lost every capability): each
 * mutating command is EPERM "CAP_SYS_ADMIN required", the read-only ones
 * work. Returns the number of failed checks; details on stderr.
 */
static int unprivileged_checks(uint32_t id)
{
	static const struct {
		uint8_t cmd;
		const char *what;
	} admin[] = {
		{ TANDEM_CMD_DOMAIN_CREATE, "create" },
		{ TANDEM_CMD_DOMAIN_DESTROY, "destroy" },
		{ TANDEM_CMD_MEM_WRITE, "mem write" },
		{ TANDEM_CMD_MEM_READ, "mem read" },
		{ TANDEM_CMD_AGENT_REGISTER, "agent register" },
		{ TANDEM_CMD_AGENT_UNREGISTER, "agent unregister" },
		{ TANDEM_CMD_VERDICT, "verdict" },
		{ TANDEM_CMD_POLICY_SET, "policy set" },
	};
	static struct treply r;
	struct tnl_sock s;
	struct tpcfg cfg;
	struct tmsg m;
	uint32_t ids[8];
	uint8_t one = 1;
	size_t i;
	int fails = 0;

	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534)) {
		perror("drop privileges");
		return 100;
	}
	if (tnl_open(&s))
		return 100;
	for (i = 0; i < sizeof(admin) / sizeof(admin[0]); i++) {
		/* Well-formed requests: only the missing right may refuse. */
		tmsg_init(&m, s.family, 0, admin[i].cmd);
		switch (admin[i].cmd) {
		case TANDEM_CMD_DOMAIN_CREATE:
			tmsg_put_str(&m, TANDEM_DOMAIN_A_NAME, "unpriv");
			tmsg_put_u64(&m, TANDEM_DOMAIN_A_MEMORY, 4096);
			break;
		case TANDEM_CMD_DOMAIN_DESTROY:
			tmsg_put_u32(&m, TANDEM_DOMAIN_A_ID, id);
			break;
		case TANDEM_CMD_MEM_WRITE:
			tmsg_put_u32(&m, TANDEM_MEM_A_DOMAIN_ID, id);
			tmsg_put_u64(&m, TANDEM_MEM_A_GPA, 0);
			tmsg_put(&m, TANDEM_MEM_A_DATA, "x", 1);
			break;
		case TANDEM_CMD_MEM_READ:
			tmsg_put_u32(&m, TANDEM_MEM_A_DOMAIN_ID, id);
			tmsg_put_u64(&m, TANDEM_MEM_A_GPA, 0);
			tmsg_put_u32(&m, TANDEM_MEM_A_LEN, 1);
			break;
		case TANDEM_CMD_VERDICT:
			tmsg_put_u32(&m, TANDEM_VERDICT_A_COOKIE, 1);
			tmsg_put(&m, TANDEM_VERDICT_A_ALLOW, &one, 1);
			break;
		case TANDEM_CMD_POLICY_SET:
			cfg.present = PCFG(MAX_DOMAINS);
			cfg.max_domains = 1;
			tpcfg_put(&m, TANDEM_POLICY_A_CONFIG, &cfg);
			break;
		}
		if (tnl_transact(&s, &m, &r) || r.err != -EPERM ||
		    strcmp(r.ext_msg, "CAP_SYS_ADMIN required")) {
			fprintf(stderr, "unprivileged %s: got %d '%s', want EPERM\n",
				admin[i].what, r.err, r.ext_msg);
			fails++;
		}
	}
	tmsg_init(&m, s.family, 0, TANDEM_CMD_GET_INFO);
	if (tnl_transact(&s, &m, &r) || r.err) {
		fprintf(stderr, "unprivileged GET_INFO: %d '%s'\n", r.err, r.ext_msg);
		fails++;
	}
	if (tdom_get(&s, id, &r) || treply_u32(&r, TANDEM_DOMAIN_A_ID, 0) != id) {
		fprintf(stderr, "unprivileged DOMAIN_GET: %d '%s'\n", r.err, r.ext_msg);
		fails++;
	}
	if (tdom_list(&s, ids, 8) < 1) {
		fprintf(stderr, "unprivileged DOMAIN_GET dump failed\n");
		fails++;
	}
	if (tpolicy_get(&s, &cfg, &r)) {
		fprintf(stderr, "unprivileged POLICY_GET: %d '%s'\n", r.err, r.ext_msg);
		fails++;
	}
	tnl_close(&s);
	return fails;
}

TEST_F(kagent, unprivileged_user_may_only_read)
{
	int status;
	uint32_t id;
	pid_t pid;

	id = kcreate(_metadata, self, "privileged", 4 * KiB, 1);
	ASSERT_NE(0, id);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(unprivileged_checks(id));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("see the lines above");
	/* And nothing changed. */
	ASSERT_EQ(0, tdom_get(&self->s, id, &self->r));
	EXPECT_STREQ("privileged", treply_str(&self->r, TANDEM_DOMAIN_A_NAME));
}

TEST_HARNESS_MAIN
