// SPDX-License-Identifier: GPL-2.0
/*
 * domain_test: the life cycle of domains and their guest memory, as
 * Documentation/protocol-notes.txt (sections 5 to 8) describes it, with
 * tandem_policy.ko as the agent and its limits raised out of the way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <tandem.h>

#include "kselftest_harness.h"
#include "tandem_nl.h"

#define KiB	1024ULL
#define MiB	(1024 * KiB)
#define GiB	(1024 * MiB)
#define CHUNK	TANDEM_MEM_CHUNK_MAX

#define MAX_TRACKED	256

FIXTURE(domain) {
	struct tnl_sock s;
	struct treply r;
	struct tpolicy_lab lab;		/* modules and configuration to undo */
	uint32_t ids[MAX_TRACKED];	/* domains this test created */
	int nids;
};

FIXTURE_SETUP(domain)
{
	struct tpcfg cfg = {
		.present = (1u << TANDEM_PCFG_A_MAX_DOMAINS) |
			   (1u << TANDEM_PCFG_A_MAX_MEMORY) |
			   (1u << TANDEM_PCFG_A_MAX_VCPUS) |
			   (1u << TANDEM_PCFG_A_MEMORY_POOL) |
			   (1u << TANDEM_PCFG_A_NAME_PATTERN) |
			   (1u << TANDEM_PCFG_A_MEM_WRITE_STATES),
		.max_domains = 64,
		.max_memory = 1 * GiB,
		.max_vcpus = TANDEM_MAX_VCPUS,
		.memory_pool = 1 * GiB,
		.name_pattern = "*",
		.mem_write_states = 1u << TANDEM_STATE_CREATED |
				    1u << TANDEM_STATE_PAUSED,
	};
	const char *why;
	int err;

	err = tpolicy_lab_setup(&self->lab, &self->s, &cfg, &self->r, &why);
	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, self->r.ext_msg);
}

FIXTURE_TEARDOWN(domain)
{
	struct treply r;
	int i;

	for (i = 0; i < self->nids; i++)
		tdom_destroy(&self->s, self->ids[i], &r);
	tpolicy_lab_teardown(&self->lab, &self->s, &r);
}

/* Remember @id for the teardown. */
static void track(FIXTURE_DATA(domain) *self, uint32_t id)
{
	if (self->nids < MAX_TRACKED)
		self->ids[self->nids++] = id;
}

/* Create a domain that must come into being; returns its id. */
static uint32_t create_ok(struct __test_metadata *_metadata,
			  FIXTURE_DATA(domain) *self, const char *name,
			  uint64_t memory, uint32_t vcpus)
{
	struct treply *r = &self->r;
	uint32_t id;

	if (tdom_create(&self->s, name, memory, vcpus, r)) {
		TH_LOG("create %s (%llu bytes, %u vcpus): %s [%s]", name,
		       (unsigned long long)memory, vcpus, strerror(-r->err),
		       r->ext_msg);
		_metadata->passed = 0;
		return 0;
	}
	id = treply_u32(r, TANDEM_DOMAIN_A_ID, 0);
	if (id)
		track(self, id);
	return id;
}

/* A DOMAIN_CREATE request whose attribute offsets the test can check. */
struct create_req {
	struct tmsg m;
	struct nlattr *name, *memory, *vcpus;
};

#define REQ_NAME	1
#define REQ_MEMORY	2
#define REQ_VCPUS	4

static void create_req(struct tnl_sock *s, struct create_req *c, int what,
		       const char *name, uint64_t memory, uint32_t vcpus)
{
	memset(c, 0, sizeof(*c));
	tmsg_init(&c->m, s->family, 0, TANDEM_CMD_DOMAIN_CREATE);
	if (what & REQ_NAME)
		c->name = tmsg_put(&c->m, TANDEM_DOMAIN_A_NAME, name,
				   strlen(name) + 1);
	if (what & REQ_MEMORY)
		c->memory = tmsg_put(&c->m, TANDEM_DOMAIN_A_MEMORY, &memory,
				     sizeof(memory));
	if (what & REQ_VCPUS)
		c->vcpus = tmsg_put(&c->m, TANDEM_DOMAIN_A_VCPUS, &vcpus,
				    sizeof(vcpus));
}

static int off(const struct tmsg *m, const struct nlattr *a)
{
	return (int)tmsg_offset(m, a);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Every attribute of a domain reply (section 7), checked against @want. */
static void check_domain(struct __test_metadata *_metadata,
			 const struct treply *r, uint32_t id, const char *name,
			 uint64_t memory, uint32_t vcpus, uint64_t t0,
			 uint64_t t1)
{
	uint64_t chunks, pages;

	ASSERT_NE(NULL, r->tb[TANDEM_DOMAIN_A_ID]);
	if (id)
		EXPECT_EQ(id, tnla_u32(r->tb[TANDEM_DOMAIN_A_ID]));
	EXPECT_LE(1, tnla_u32(r->tb[TANDEM_DOMAIN_A_ID]));
	ASSERT_NE(NULL, r->tb[TANDEM_DOMAIN_A_NAME]);
	EXPECT_STREQ(name, treply_str(r, TANDEM_DOMAIN_A_NAME));
	ASSERT_NE(NULL, r->tb[TANDEM_DOMAIN_A_STATE]);
	EXPECT_EQ(TANDEM_STATE_CREATED, tnla_u32(r->tb[TANDEM_DOMAIN_A_STATE]));
	ASSERT_NE(NULL, r->tb[TANDEM_DOMAIN_A_MEMORY]);
	EXPECT_EQ(memory, tnla_u64(r->tb[TANDEM_DOMAIN_A_MEMORY]));
	ASSERT_NE(NULL, r->tb[TANDEM_DOMAIN_A_VCPUS]);
	EXPECT_EQ(vcpus, tnla_u32(r->tb[TANDEM_DOMAIN_A_VCPUS]));
	ASSERT_NE(NULL, r->tb[TANDEM_DOMAIN_A_CREATED_NS]);
	EXPECT_LE(t0, tnla_u64(r->tb[TANDEM_DOMAIN_A_CREATED_NS]));
	EXPECT_GE(t1, tnla_u64(r->tb[TANDEM_DOMAIN_A_CREATED_NS]));
	ASSERT_NE(NULL, r->tb[TANDEM_DOMAIN_A_OWNER_UID]);
	EXPECT_EQ(getuid(), tnla_u32(r->tb[TANDEM_DOMAIN_A_OWNER_UID]));
	ASSERT_NE(NULL, r->tb[TANDEM_DOMAIN_A_CHUNKS_2M]);
	ASSERT_NE(NULL, r->tb[TANDEM_DOMAIN_A_PAGES_4K]);
	chunks = tnla_u32(r->tb[TANDEM_DOMAIN_A_CHUNKS_2M]);
	pages = tnla_u32(r->tb[TANDEM_DOMAIN_A_PAGES_4K]);
	EXPECT_EQ(memory, chunks * 2 * MiB + pages * 4 * KiB)
		TH_LOG("%llu 2M chunks + %llu 4K pages != %llu bytes",
		       (unsigned long long)chunks, (unsigned long long)pages,
		       (unsigned long long)memory);
}

static int in_list(const uint32_t *ids, int n, uint32_t id)
{
	int i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

TEST_F(domain, create_get_list_destroy_round_trip)
{
	uint64_t mem = 6 * MiB + 12 * KiB, t0, t1, created;
	uint32_t ids[256], id;
	struct treply *r = &self->r;
	struct tmsg m;
	int n, i;

	t0 = now_ns();
	ASSERT_EQ(0, tdom_create(&self->s, "roundtrip0", mem, 2, r))
		TH_LOG("%s", r->ext_msg);
	t1 = now_ns();
	EXPECT_EQ(1, r->nmsgs);
	check_domain(_metadata, r, 0, "roundtrip0", mem, 2, t0, t1);
	id = treply_u32(r, TANDEM_DOMAIN_A_ID, 0);
	track(self, id);
	created = treply_u64(r, TANDEM_DOMAIN_A_CREATED_NS, 0);

	/* GET by id and by name: the same domain, the same attributes. */
	ASSERT_EQ(0, tdom_get(&self->s, id, r));
	EXPECT_EQ(1, r->nmsgs);
	check_domain(_metadata, r, id, "roundtrip0", mem, 2, created, created);
	tmsg_domain(&self->s, &m, TANDEM_CMD_DOMAIN_GET, 0, "roundtrip0");
	ASSERT_EQ(0, tnl_transact(&self->s, &m, r));
	ASSERT_EQ(0, r->err) TH_LOG("%s", r->ext_msg);
	check_domain(_metadata, r, id, "roundtrip0", mem, 2, created, created);

	/* The dump lists it, in id order. */
	n = tdom_list(&self->s, ids, 256);
	ASSERT_LE(1, n);
	EXPECT_TRUE(in_list(ids, n, id));
	for (i = 1; i < n && i < 256; i++)
		EXPECT_LT(ids[i - 1], ids[i]) TH_LOG("dump not in id order");

	/* VCPUS defaults to 1. */
	t0 = now_ns();
	ASSERT_EQ(0, tdom_create(&self->s, "roundtrip1", 2 * MiB, 0, r));
	t1 = now_ns();
	check_domain(_metadata, r, 0, "roundtrip1", 2 * MiB, 1, t0, t1);
	track(self, treply_u32(r, TANDEM_DOMAIN_A_ID, 0));
	EXPECT_LT(id, treply_u32(r, TANDEM_DOMAIN_A_ID, 0));

	/* Destroy by id: gone from GET and from the dump; the ACK is 0. */
	ASSERT_EQ(0, tdom_destroy(&self->s, id, r)) TH_LOG("%s", r->ext_msg);
	EXPECT_EQ(0, r->nmsgs);
	EXPECT_EQ(-ENOENT, tdom_get(&self->s, id, r));
	n = tdom_list(&self->s, ids, 256);
	ASSERT_LE(0, n);
	EXPECT_FALSE(in_list(ids, n, id));

	/* Destroy by name; the name is free again afterwards. */
	tmsg_domain(&self->s, &m, TANDEM_CMD_DOMAIN_DESTROY, 0, "roundtrip1");
	ASSERT_EQ(0, tnl_transact(&self->s, &m, r));
	EXPECT_EQ(0, r->err) TH_LOG("%s", r->ext_msg);
	EXPECT_NE(0, create_ok(_metadata, self, "roundtrip1", 4 * KiB, 1));
}

TEST_F(domain, duplicate_name_is_eexist)
{
	struct create_req c;

	ASSERT_NE(0, create_ok(_metadata, self, "dup", 1 * MiB, 1));
	create_req(&self->s, &c, REQ_NAME | REQ_MEMORY, "dup", 2 * MiB, 0);
	ASSERT_EQ(0, tnl_transact(&self->s, &c.m, &self->r));
	EXPECT_EQ(-EEXIST, self->r.err);
	EXPECT_STREQ("a domain with this name exists", self->r.ext_msg);
	EXPECT_EQ(off(&c.m, c.name), self->r.ext_off);
}

TEST_F(domain, invalid_names_are_einval_at_name)
{
	static const char *const bad[] = {
		"", "-lead", "_lead", ".lead", "bad name", "bad/name", "a*b",
		"tab\tname", "caf\xc3\xa9", "semi;colon",
	};
	char toolong[TANDEM_NAME_MAX + 1];
	struct create_req c;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		create_req(&self->s, &c, REQ_NAME | REQ_MEMORY, bad[i], 4 * KiB, 0);
		ASSERT_EQ(0, tnl_transact(&self->s, &c.m, &self->r));
		EXPECT_EQ(-EINVAL, self->r.err) TH_LOG("name '%s'", bad[i]);
		EXPECT_TRUE(tstr_prefix(self->r.ext_msg, "invalid domain name"))
			TH_LOG("name '%s': message '%s'", bad[i], self->r.ext_msg);
		EXPECT_EQ(off(&c.m, c.name), self->r.ext_off)
			TH_LOG("name '%s'", bad[i]);
	}

	/* 32 characters: one too many (the core's length check may answer). */
	memset(toolong, 'a', TANDEM_NAME_MAX);
	toolong[TANDEM_NAME_MAX] = '\0';
	create_req(&self->s, &c, REQ_NAME | REQ_MEMORY, toolong, 4 * KiB, 0);
	ASSERT_EQ(0, tnl_transact(&self->s, &c.m, &self->r));
	EXPECT_EQ(-EINVAL, self->r.err);
	EXPECT_NE(0, strlen(self->r.ext_msg));
	EXPECT_EQ(off(&c.m, c.name), self->r.ext_off);

	/* The boundaries that are valid: 31 characters, every allowed one. */
	toolong[TANDEM_NAME_MAX - 1] = '\0';
	EXPECT_NE(0, create_ok(_metadata, self, toolong, 4 * KiB, 1));
	EXPECT_NE(0, create_ok(_metadata, self, "9A_z.b-", 4 * KiB, 1));
}

TEST_F(domain, invalid_memory_is_einval_at_memory)
{
	static const uint64_t bad[] = {
		0, 1, 4095, 4097, 1 * MiB + 512, TANDEM_MEM_MAX + 4096,
		UINT64_MAX, UINT64_MAX - 4095,
	};
	struct create_req c;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		create_req(&self->s, &c, REQ_NAME | REQ_MEMORY, "badmem", bad[i], 0);
		ASSERT_EQ(0, tnl_transact(&self->s, &c.m, &self->r));
		EXPECT_EQ(-EINVAL, self->r.err) TH_LOG("memory %llu",
						       (unsigned long long)bad[i]);
		EXPECT_NE(0, strlen(self->r.ext_msg));
		EXPECT_EQ(off(&c.m, c.memory), self->r.ext_off)
			TH_LOG("memory %llu", (unsigned long long)bad[i]);
	}
	EXPECT_EQ(-ENOENT, ({
		struct tmsg m;

		tmsg_domain(&self->s, &m, TANDEM_CMD_DOMAIN_GET, 0, "badmem");
		tnl_transact(&self->s, &m, &self->r) ?: self->r.err;
	}));
}

TEST_F(domain, vcpus_out_of_range_are_erange_at_vcpus)
{
	static const uint32_t bad[] = { 0, TANDEM_MAX_VCPUS + 1, UINT32_MAX };
	struct create_req c;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		create_req(&self->s, &c, REQ_NAME | REQ_MEMORY | REQ_VCPUS,
			   "badvcpus", 4 * KiB, bad[i]);
		ASSERT_EQ(0, tnl_transact(&self->s, &c.m, &self->r));
		EXPECT_EQ(-ERANGE, self->r.err) TH_LOG("vcpus %u", bad[i]);
		EXPECT_NE(0, strlen(self->r.ext_msg));
		EXPECT_EQ(off(&c.m, c.vcpus), self->r.ext_off)
			TH_LOG("vcpus %u", bad[i]);
	}
	/* Both ends of 1..64 are fine. */
	EXPECT_NE(0, create_ok(_metadata, self, "vcpus1", 4 * KiB, 1));
	EXPECT_NE(0, create_ok(_metadata, self, "vcpus64", 4 * KiB,
			       TANDEM_MAX_VCPUS));
}

TEST_F(domain, missing_name_or_memory_is_reported)
{
	struct create_req c;

	create_req(&self->s, &c, REQ_MEMORY, NULL, 4 * KiB, 0);
	ASSERT_EQ(0, tnl_transact(&self->s, &c.m, &self->r));
	EXPECT_EQ(-EINVAL, self->r.err);
	EXPECT_EQ(TANDEM_DOMAIN_A_NAME, self->r.miss_type);
	EXPECT_TRUE(tstr_prefix(self->r.ext_msg, "missing attribute: "))
		TH_LOG("message '%s'", self->r.ext_msg);

	create_req(&self->s, &c, REQ_NAME, "nomemory", 0, 0);
	ASSERT_EQ(0, tnl_transact(&self->s, &c.m, &self->r));
	EXPECT_EQ(-EINVAL, self->r.err);
	EXPECT_EQ(TANDEM_DOMAIN_A_MEMORY, self->r.miss_type);
	EXPECT_TRUE(tstr_prefix(self->r.ext_msg, "missing attribute: "))
		TH_LOG("message '%s'", self->r.ext_msg);

	/* DESTROY and GET with neither id nor name. */
	create_req(&self->s, &c, 0, NULL, 0, 0);
	c.m.buf[NLMSG_HDRLEN] = TANDEM_CMD_DOMAIN_DESTROY;
	ASSERT_EQ(0, tnl_transact(&self->s, &c.m, &self->r));
	EXPECT_EQ(-EINVAL, self->r.err);
	EXPECT_TRUE(tstr_prefix(self->r.ext_msg, "missing attribute"))
		TH_LOG("message '%s'", self->r.ext_msg);
	c.m.buf[NLMSG_HDRLEN] = TANDEM_CMD_DOMAIN_GET;
	ASSERT_EQ(0, tnl_transact(&self->s, &c.m, &self->r));
	EXPECT_EQ(-EINVAL, self->r.err);
	EXPECT_TRUE(tstr_prefix(self->r.ext_msg, "missing attribute"))
		TH_LOG("message '%s'", self->r.ext_msg);
}

TEST_F(domain, unknown_domain_is_enoent)
{
	static const uint8_t cmds[] = {
		TANDEM_CMD_DOMAIN_GET, TANDEM_CMD_DOMAIN_DESTROY,
	};
	struct nlattr *a;
	struct tmsg m;
	uint32_t id = 0x7ffffff0;
	size_t i;

	for (i = 0; i < sizeof(cmds); i++) {
		tmsg_init(&m, self->s.family, 0, cmds[i]);
		a = tmsg_put(&m, TANDEM_DOMAIN_A_ID, &id, sizeof(id));
		ASSERT_EQ(0, tnl_transact(&self->s, &m, &self->r));
		EXPECT_EQ(-ENOENT, self->r.err) TH_LOG("cmd %u by id", cmds[i]);
		EXPECT_STREQ("no such domain", self->r.ext_msg);
		EXPECT_EQ(off(&m, a), self->r.ext_off);

		tmsg_init(&m, self->s.family, 0, cmds[i]);
		a = tmsg_put(&m, TANDEM_DOMAIN_A_NAME, "nosuchdomain", 13);
		ASSERT_EQ(0, tnl_transact(&self->s, &m, &self->r));
		EXPECT_EQ(-ENOENT, self->r.err) TH_LOG("cmd %u by name", cmds[i]);
		EXPECT_STREQ("no such domain", self->r.ext_msg);
		EXPECT_EQ(off(&m, a), self->r.ext_off);
	}
}

TEST_F(domain, domain_ids_are_never_reused)
{
	uint32_t a, b, c;

	a = create_ok(_metadata, self, "reuse", 4 * KiB, 1);
	ASSERT_NE(0, a);
	ASSERT_EQ(0, tdom_destroy(&self->s, a, &self->r));
	b = create_ok(_metadata, self, "reuse", 4 * KiB, 1);
	ASSERT_NE(0, b);
	EXPECT_LT(a, b);
	ASSERT_EQ(0, tdom_destroy(&self->s, b, &self->r));
	c = create_ok(_metadata, self, "other", 4 * KiB, 1);
	EXPECT_LT(b, c);
}

/* Compare @len bytes of domain @id at @gpa with @want. */
static int mem_equals(struct tnl_sock *s, uint32_t id, uint64_t gpa,
		      const void *want, size_t len, struct treply *r)
{
	static char got[CHUNK];
	int err = tmem_read(s, id, gpa, len, got, r);

	if (err)
		return err;
	return memcmp(got, want, len) ? 1 : 0;
}

static const char zeroes[CHUNK];

TEST_F(domain, fresh_memory_reads_as_zeroes)
{
	const uint64_t mem = 4 * MiB + 4 * KiB;
	static char fill[CHUNK];
	uint64_t gpa;
	uint32_t id;

	/* Dirty memory first, so that a recycled page would show. */
	id = create_ok(_metadata, self, "dirty", mem, 1);
	ASSERT_NE(0, id);
	memset(fill, 0xa5, sizeof(fill));
	for (gpa = 0; gpa < mem; gpa += CHUNK) {
		size_t len = mem - gpa < CHUNK ? mem - gpa : CHUNK;

		ASSERT_EQ(0, tmem_write(&self->s, id, gpa, fill, len, &self->r))
			TH_LOG("gpa %#llx: %s", (unsigned long long)gpa,
			       self->r.ext_msg);
	}
	ASSERT_EQ(0, tdom_destroy(&self->s, id, &self->r));

	id = create_ok(_metadata, self, "fresh", mem, 1);
	ASSERT_NE(0, id);
	for (gpa = 0; gpa < mem; gpa += CHUNK) {
		size_t len = mem - gpa < CHUNK ? mem - gpa : CHUNK;

		ASSERT_EQ(0, mem_equals(&self->s, id, gpa, zeroes, len, &self->r))
			TH_LOG("gpa %#llx not zero (%s)", (unsigned long long)gpa,
			       self->r.ext_msg);
	}
	/* The very last page and byte, on their own. */
	EXPECT_EQ(0, mem_equals(&self->s, id, mem - 4096, zeroes, 4096, &self->r));
	EXPECT_EQ(0, mem_equals(&self->s, id, mem - 1, zeroes, 1, &self->r));
}

static void pattern(char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)(seed * 131 + i * 7 + (i >> 8));
}

TEST_F(domain, mem_write_read_round_trip_across_boundaries)
{
	const uint64_t mem = 8 * MiB;
	static const struct {
		uint64_t gpa;
		size_t len;
	} cases[] = {
		{ 0, 1 },
		{ 4096 - 100, 200 },			/* a 4 KiB boundary */
		{ 3 * 4096 - 1, 2 },
		{ 2 * MiB - 1000, 3000 },		/* a 2 MiB boundary */
		{ 2 * MiB - CHUNK / 2, CHUNK },		/* a full chunk across it */
		{ 4 * MiB - 4096, 2 * 4096 },
		{ 5 * MiB + 123, CHUNK },		/* unaligned full chunk */
		{ 8 * MiB - CHUNK, CHUNK },		/* the last chunk */
		{ 8 * MiB - 1, 1 },			/* the last byte */
	};
	static char want[CHUNK], got[CHUNK + 2];
	struct tmsg m;
	size_t i;
	uint32_t id;

	id = create_ok(_metadata, self, "roundtripmem", mem, 1);
	ASSERT_NE(0, id);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t gpa = cases[i].gpa;
		size_t len = cases[i].len;

		pattern(want, len, i + 1);
		ASSERT_EQ(0, tmem_write(&self->s, id, gpa, want, len, &self->r))
			TH_LOG("write %#llx+%zu: %s", (unsigned long long)gpa,
			       len, self->r.ext_msg);
		ASSERT_EQ(0, tmem_read(&self->s, id, gpa, len, got, &self->r))
			TH_LOG("read %#llx+%zu: %s", (unsigned long long)gpa,
			       len, self->r.ext_msg);
		EXPECT_EQ(gpa, treply_u64(&self->r, TANDEM_MEM_A_GPA, ~0ULL));
		EXPECT_EQ(0, memcmp(want, got, len))
			TH_LOG("%#llx+%zu differs", (unsigned long long)gpa, len);
	}
	/* A write touches nothing beside its range. */
	pattern(want, 64, 99);
	ASSERT_EQ(0, tmem_write(&self->s, id, 6 * MiB, want, 64, &self->r));
	ASSERT_EQ(0, tmem_read(&self->s, id, 6 * MiB - 1, 66, got, &self->r));
	EXPECT_EQ(0, got[0]);
	EXPECT_EQ(0, memcmp(want, got + 1, 64));
	EXPECT_EQ(0, got[65]);
	/* By name too (MEM_A_DOMAIN_NAME). */
	tmsg_init(&m, self->s.family, 0, TANDEM_CMD_MEM_READ);
	tmsg_put_str(&m, TANDEM_MEM_A_DOMAIN_NAME, "roundtripmem");
	tmsg_put_u64(&m, TANDEM_MEM_A_GPA, 6 * MiB);
	tmsg_put_u32(&m, TANDEM_MEM_A_LEN, 64);
	ASSERT_EQ(0, tnl_transact(&self->s, &m, &self->r));
	ASSERT_EQ(0, self->r.err) TH_LOG("%s", self->r.ext_msg);
	ASSERT_NE(NULL, self->r.tb[TANDEM_MEM_A_DATA]);
	EXPECT_EQ(0, memcmp(want, tnla_data(self->r.tb[TANDEM_MEM_A_DATA]), 64));
}

TEST_F(domain, out_of_range_gpa_is_erange_and_writes_nothing)
{
	const uint64_t mem = 1 * MiB;
	static const struct {
		uint64_t gpa;
		uint32_t len;
	} cases[] = {
		{ 1 * MiB, 1 },				/* gpa == memory */
		{ 1 * MiB + 4096, 16 },			/* gpa > memory */
		{ 1 * MiB - 8, 16 },			/* gpa + len > memory */
		{ 1 * MiB - 4096, CHUNK },
		{ UINT64_MAX - 7, 16 },			/* gpa + len overflows */
		{ UINT64_MAX, 1 },
		{ UINT64_MAX - CHUNK + 2, CHUNK },
	};
	static char tail[64], got[64], junk[CHUNK];
	struct nlattr *gpa_attr;
	struct tmsg m;
	size_t i;
	uint32_t id;

	id = create_ok(_metadata, self, "erange", mem, 1);
	ASSERT_NE(0, id);
	pattern(tail, sizeof(tail), 7);
	ASSERT_EQ(0, tmem_write(&self->s, id, mem - sizeof(tail), tail,
				sizeof(tail), &self->r));
	memset(junk, 0xee, sizeof(junk));

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t gpa = cases[i].gpa;
		uint32_t len = cases[i].len;

		tmsg_init(&m, self->s.family, 0, TANDEM_CMD_MEM_WRITE);
		tmsg_put_u32(&m, TANDEM_MEM_A_DOMAIN_ID, id);
		gpa_attr = tmsg_put(&m, TANDEM_MEM_A_GPA, &gpa, sizeof(gpa));
		tmsg_put(&m, TANDEM_MEM_A_DATA, junk, len < 8192 ? len : 8192);
		if (len > 8192)	/* keep within struct tmsg; still out of range */
			len = 8192;
		ASSERT_EQ(0, tnl_transact(&self->s, &m, &self->r));
		EXPECT_EQ(-ERANGE, self->r.err)
			TH_LOG("write %#llx+%u", (unsigned long long)gpa, len);
		EXPECT_STREQ("range outside the domain's memory", self->r.ext_msg);
		EXPECT_EQ(off(&m, gpa_attr), self->r.ext_off);

		len = cases[i].len;
		tmsg_init(&m, self->s.family, 0, TANDEM_CMD_MEM_READ);
		tmsg_put_u32(&m, TANDEM_MEM_A_DOMAIN_ID, id);
		gpa_attr = tmsg_put(&m, TANDEM_MEM_A_GPA, &gpa, sizeof(gpa));
		tmsg_put_u32(&m, TANDEM_MEM_A_LEN, len);
		ASSERT_EQ(0, tnl_transact(&self->s, &m, &self->r));
		EXPECT_EQ(-ERANGE, self->r.err)
			TH_LOG("read %#llx+%u", (unsigned long long)gpa, len);
		EXPECT_STREQ("range outside the domain's memory", self->r.ext_msg);
		EXPECT_EQ(off(&m, gpa_attr), self->r.ext_off);
	}
	/* Nothing was written: the tail is as before, the rest still zero. */
	ASSERT_EQ(0, tmem_read(&self->s, id, mem - sizeof(got), sizeof(got),
			       got, &self->r));
	EXPECT_EQ(0, memcmp(tail, got, sizeof(got)));
	EXPECT_EQ(0, mem_equals(&self->s, id, mem - CHUNK, zeroes,
				CHUNK - sizeof(tail), &self->r));
}

TEST_F(domain, data_longer_than_a_chunk_is_einval_at_data)
{
	static char big[65000];
	static const size_t lens[] = { CHUNK + 1, 65000 };
	struct tmsg_buf {
		union {
			struct tmsg m;
			char buf[80000];
		};
	} *b = malloc(sizeof(*b));
	static const uint32_t bad_len[] = { 0, CHUNK + 1 };
	struct nlattr *data, *a;
	struct tmsg m;
	size_t i;
	uint32_t id;

	ASSERT_NE(NULL, b);
	id = create_ok(_metadata, self, "bigdata", 1 * MiB, 1);
	ASSERT_NE(0, id);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		tmsg_init(&b->m, self->s.family, 0, TANDEM_CMD_MEM_WRITE);
		tmsg_put_u32(&b->m, TANDEM_MEM_A_DOMAIN_ID, id);
		tmsg_put_u64(&b->m, TANDEM_MEM_A_GPA, 0);
		data = (struct nlattr *)(b->m.buf + b->m.nlh.nlmsg_len);
		data->nla_type = TANDEM_MEM_A_DATA;
		data->nla_len = NLA_HDRLEN + lens[i];
		memset(big, 0x5a, lens[i]);
		memcpy((char *)data + NLA_HDRLEN, big, lens[i]);
		b->m.nlh.nlmsg_len += NLA_ALIGN(data->nla_len);
		ASSERT_EQ(0, tnl_transact(&self->s, &b->m, &self->r));
		EXPECT_EQ(-ERANGE, self->r.err) TH_LOG("DATA of %zu", lens[i]);
		EXPECT_NE(0, strlen(self->r.ext_msg));
		EXPECT_EQ(off(&b->m, data), self->r.ext_off);
	}
	free(b);

	/* MEM_READ: LEN 0 and CHUNK + 1; empty DATA on MEM_WRITE. */
	for (i = 0; i < 2; i++) {
		tmsg_init(&m, self->s.family, 0, TANDEM_CMD_MEM_READ);
		tmsg_put_u32(&m, TANDEM_MEM_A_DOMAIN_ID, id);
		tmsg_put_u64(&m, TANDEM_MEM_A_GPA, 0);
		a = tmsg_put(&m, TANDEM_MEM_A_LEN, &bad_len[i], 4);
		ASSERT_EQ(0, tnl_transact(&self->s, &m, &self->r));
		EXPECT_EQ(-ERANGE, self->r.err) TH_LOG("LEN %u", bad_len[i]);
		EXPECT_EQ(off(&m, a), self->r.ext_off);
	}
	tmsg_init(&m, self->s.family, 0, TANDEM_CMD_MEM_WRITE);
	tmsg_put_u32(&m, TANDEM_MEM_A_DOMAIN_ID, id);
	tmsg_put_u64(&m, TANDEM_MEM_A_GPA, 0);
	a = tmsg_put(&m, TANDEM_MEM_A_DATA, NULL, 0);
	ASSERT_EQ(0, tnl_transact(&self->s, &m, &self->r));
	EXPECT_EQ(-EINVAL, self->r.err);
	EXPECT_EQ(off(&m, a), self->r.ext_off);
	/* Nothing of the rejected writes landed. */
	EXPECT_EQ(0, mem_equals(&self->s, id, 0, zeroes, CHUNK, &self->r));
}

/* A field of /proc/meminfo, in bytes. */
static long long meminfo(const char *key)
{
	char line[256];
	long long kb = -1;
	size_t klen = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			kb = atoll(line + klen + 1);
	fclose(f);
	return kb * 1024;
}

/*
 * Bytes in the per-CPU page lists (/proc/zoneinfo "count:"): since 5.14
 * they also cache 2 MiB pages, which MemFree does not count as free.
 */
static long long pcp_bytes(void)
{
	char line[256];
	long long pages = 0;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		const char *p = line + strspn(line, " ");

		if (!strncmp(p, "count:", 6))
			pages += atoll(p + 6);
	}
	fclose(f);
	return pages * 4096;
}

static void settle(void)
{
	int fd;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "3", 1) < 0)
			perror("drop_caches");
		close(fd);
	}
	fd = open("/proc/sys/vm/compact_memory", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) < 0)
			perror("compact_memory");
		close(fd);
	}
	usleep(500 * 1000);
}

static uint64_t guest_memory(struct tnl_sock *s)
{
	static struct treply r;
	struct tmsg m;

	tmsg_init(&m, s->family, 0, TANDEM_CMD_GET_INFO);
	if (tnl_transact(s, &m, &r) || r.err)
		return ~0ULL;
	return treply_u64(&r, TANDEM_INFO_A_GUEST_MEMORY, ~0ULL);
}

#define CYCLES		200
#define CYCLE_MEMORY	(16 * MiB)
#define LEAK_BOUND	(8LL << 20)

TEST_F_TIMEOUT(domain, create_destroy_200_cycles_give_memory_back, 300)
{
	/* Where a leak would show, for the log. */
	static const char *const detail[] = {
		"Slab", "SUnreclaim", "KernelStack", "PageTables", "VmallocUsed",
		"Percpu", "AnonPages", "Cached",
	};
	long long free0, avail0, free1, avail1, detail0[8];
	uint64_t held0;
	char name[32];
	int i;

	/* One cycle first: caches and workers the first create sets up. */
	ASSERT_NE(0, create_ok(_metadata, self, "warmup", CYCLE_MEMORY, 1));
	ASSERT_EQ(0, tdom_destroy(&self->s, self->ids[self->nids - 1], &self->r));
	settle();
	free0 = meminfo("MemFree") + pcp_bytes();
	avail0 = meminfo("MemAvailable") + pcp_bytes();
	for (i = 0; i < (int)(sizeof(detail) / sizeof(detail[0])); i++)
		detail0[i] = meminfo(detail[i]);
	held0 = guest_memory(&self->s);
	ASSERT_LT(0, free0);

	for (i = 0; i < CYCLES; i++) {
		uint64_t chunks, pages;
		uint32_t id;

		snprintf(name, sizeof(name), "cycle%d", i);
		ASSERT_EQ(0, tdom_create(&self->s, name, CYCLE_MEMORY, 1, &self->r))
			TH_LOG("cycle %d: %s", i, self->r.ext_msg);
		id = treply_u32(&self->r, TANDEM_DOMAIN_A_ID, 0);
		chunks = treply_u32(&self->r, TANDEM_DOMAIN_A_CHUNKS_2M, 0);
		pages = treply_u32(&self->r, TANDEM_DOMAIN_A_PAGES_4K, 0);
		EXPECT_EQ(CYCLE_MEMORY, chunks * 2 * MiB + pages * 4 * KiB)
			TH_LOG("cycle %d: %llu chunks, %llu pages", i,
			       (unsigned long long)chunks, (unsigned long long)pages);
		ASSERT_EQ(0, tdom_destroy(&self->s, id, &self->r))
			TH_LOG("cycle %d: %s", i, self->r.ext_msg);
	}

	settle();
	free1 = meminfo("MemFree") + pcp_bytes();
	avail1 = meminfo("MemAvailable") + pcp_bytes();
	TH_LOG("MemFree+pcp %lld -> %lld, MemAvailable+pcp %lld -> %lld (KiB)",
	       free0 / 1024, free1 / 1024, avail0 / 1024, avail1 / 1024);
	for (i = 0; i < (int)(sizeof(detail) / sizeof(detail[0])); i++)
		TH_LOG("%s %lld -> %lld KiB", detail[i], detail0[i] / 1024,
		       meminfo(detail[i]) / 1024);
	EXPECT_GT(LEAK_BOUND, free0 - free1);
	EXPECT_GT(LEAK_BOUND, avail0 - avail1);
	EXPECT_EQ(held0, guest_memory(&self->s));
}

/* dmesg since @fd was opened at its end: 1 if a warning or oops shows. */
static int kmsg_has_warning(int fd, char *first, size_t len)
{
	char buf[2048];
	ssize_t n;
	int found = 0;

	for (;;) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		buf[n] = '\0';
		if (strstr(buf, "WARNING:") || strstr(buf, "BUG:") ||
		    strstr(buf, "Call Trace") || strstr(buf, "general protection")) {
			if (!found)
				snprintf(first, len, "%s", buf);
			found = 1;
		}
	}
	return found;
}

#define RACE_ROUNDS	5

/*
 * The writer: MEM_WRITE in a loop on its own socket until the domain is
 * gone. Exit status: 0 when it saw only successes, then only ENOENT; 1
 * on anything else (printed); 2 when it never saw ENOENT in time.
 */
static int racing_writer(uint32_t id, uint64_t mem, int ready_fd)
{
	static char data[4096];
	struct treply r;
	struct tnl_sock s;
	int i, ok = 0, gone = 0;
	time_t end = time(NULL) + 20;

	if (tnl_open(&s))
		return 1;
	memset(data, 0x3c, sizeof(data));
	for (i = 0; time(NULL) < end; i++) {
		uint64_t gpa = (uint64_t)(i * 7919 % (mem / 4096)) * 4096;
		int err = tmem_write(&s, id, gpa, data, sizeof(data), &r);

		if (!err && !gone) {
			if (!ok++ && write(ready_fd, "1", 1) != 1)
				return 1;
			continue;
		}
		if (err == -ENOENT) {
			if (!ok && write(ready_fd, "1", 1) != 1)
				return 1;
			ok = 1;
			if (++gone >= 20)
				return 0;
			continue;
		}
		fprintf(stderr, "writer: write %d: %s [%s]%s\n", i,
			strerror(-err), r.ext_msg,
			!err ? " (success after ENOENT)" : "");
		return 1;
	}
	return 2;
}

/* --- Guest memory and the creator's memory cgroup --- */

#define CGROOT		"/sys/fs/cgroup"
#define CGDIR		CGROOT "/tandem-domain-test"
#define CGROUP2_MAGIC	0x63677270
#define CG_LIMIT	(16 * MiB)

static int cg_write(const char *file, const char *val)
{
	char path[128];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", CGDIR, file);
	fd = open(file[0] == '/' ? file : path, O_WRONLY);
	if (fd < 0)
		return -errno;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -errno;
}

/* A number from a cgroup file: the whole file, or the value after @key. */
static long long cg_read(const char *file, const char *key)
{
	char path[128], buf[1024], *p;
	long long v = -1;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", CGDIR, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (!key)
		return strtoll(buf, NULL, 10);
	p = strstr(buf, key);
	if (p && (p == buf || p[-1] == '\n'))
		v = strtoll(p + strlen(key), NULL, 10);
	return v;
}

/*
 * In the child, inside the cgroup: a domain that fits is charged to it,
 * one that does not fit fails with ENOMEM and a message. Exit status:
 * 0, or the step that failed.
 */
static int cg_child(void)
{
	static struct treply r;
	struct tnl_sock s;
	char pid[16];
	long long before, after;
	uint32_t id;

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (cg_write("cgroup.procs", pid))
		return 10;
	if (tnl_open(&s))
		return 11;
	before = cg_read("memory.current", NULL);
	if (tdom_create(&s, "cgsmall", 8 * MiB, 1, &r)) {
		fprintf(stderr, "8 MiB in a 16 MiB cgroup: %d '%s'\n", r.err,
			r.ext_msg);
		return 12;
	}
	id = treply_u32(&r, TANDEM_DOMAIN_A_ID, 0);
	after = cg_read("memory.current", NULL);
	if (after - before < (long long)(8 * MiB)) {
		fprintf(stderr, "memory.current %lld -> %lld: not charged\n",
			before, after);
		return 13;
	}
	if (!tdom_create(&s, "cgbig", 32 * MiB, 1, &r) || r.err != -ENOMEM ||
	    !r.ext_msg[0]) {
		fprintf(stderr, "32 MiB in a 16 MiB cgroup: %d '%s', want ENOMEM\n",
			r.err, r.ext_msg);
		return 14;
	}
	if (tdom_destroy(&s, id, &r) || r.err)
		return 15;
	tnl_close(&s);
	return 0;
}

TEST_F(domain, guest_memory_is_charged_to_the_creators_cgroup_without_oom)
{
	struct statfs st;
	char limit[32];
	int status;
	pid_t pid;

	if (statfs(CGROOT, &st) || st.f_type != CGROUP2_MAGIC)
		ASSERT_EQ(0, mount("cgroup2", CGROOT, "cgroup2", 0, NULL))
			TH_LOG("mount cgroup2: %s", strerror(errno));
	ASSERT_EQ(0, cg_write(CGROOT "/cgroup.subtree_control", "+memory"));
	rmdir(CGDIR);
	ASSERT_EQ(0, mkdir(CGDIR, 0755)) TH_LOG("%s: %s", CGDIR, strerror(errno));
	snprintf(limit, sizeof(limit), "%llu", (unsigned long long)CG_LIMIT);
	ASSERT_EQ(0, cg_write("memory.max", limit));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(cg_child());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("see the lines above");
	/* The failed allocation killed nobody; everything was given back. */
	EXPECT_EQ(0, cg_read("memory.events", "oom_kill "));
	EXPECT_GT((long long)(4 * MiB), cg_read("memory.current", NULL));
	EXPECT_EQ(0, rmdir(CGDIR)) TH_LOG("rmdir: %s", strerror(errno));
}

TEST_F(domain, destroy_racing_mem_write_is_clean)
{
	const uint64_t mem = 4 * MiB;
	char first[2048] = "";
	int kmsg, round;

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, kmsg);
	ASSERT_LE(0, lseek(kmsg, 0, SEEK_END));

	for (round = 0; round < RACE_ROUNDS; round++) {
		int pipefd[2], status;
		uint32_t id;
		pid_t pid;
		char c;

		id = create_ok(_metadata, self, "race", mem, 1);
		ASSERT_NE(0, id);
		ASSERT_EQ(0, pipe(pipefd));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			close(pipefd[0]);
			_exit(racing_writer(id, mem, pipefd[1]));
		}
		close(pipefd[1]);
		ASSERT_EQ(1, read(pipefd[0], &c, 1));
		close(pipefd[0]);
		/* Let the writer get going at different depths. */
		usleep(round * 2000);
		EXPECT_EQ(0, tdom_destroy(&self->s, id, &self->r))
			TH_LOG("round %d: %s", round, self->r.ext_msg);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("round %d", round);
		EXPECT_EQ(-ENOENT, tdom_get(&self->s, id, &self->r));
	}
	EXPECT_FALSE(kmsg_has_warning(kmsg, first, sizeof(first)))
		TH_LOG("kernel log: %s", first);
	close(kmsg);
}

/* Whether a domain called @name exists. */
static int domain_exists(FIXTURE_DATA(domain) *self, const char *name,
			 uint32_t *id)
{
	struct tmsg m;

	tmsg_domain(&self->s, &m, TANDEM_CMD_DOMAIN_GET, 0, name);
	if (tnl_transact(&self->s, &m, &self->r) || self->r.err)
		return 0;
	*id = treply_u32(&self->r, TANDEM_DOMAIN_A_ID, 0);
	return 1;
}

TEST_F(domain, cli_create_list_info_destroy)
{
	/* The CLI's syntax is its owner's: accept the usual spellings. */
	static const char *const create_forms[] = {
		"create clismoke --memory 16M",
		"create clismoke 16M",
		"create --name clismoke --memory 16M",
		"create clismoke memory=16M",
	};
	char out[8192];
	uint32_t id = 0;
	size_t i;
	int rc = -1;

	if (tcli_run("help", out, sizeof(out)) != 0 || !strstr(out, "create"))
		SKIP(return, "the CLI has no create command yet");

	for (i = 0; i < sizeof(create_forms) / sizeof(create_forms[0]); i++) {
		rc = tcli_run(create_forms[i], out, sizeof(out));
		if (!rc)
			break;
	}
	ASSERT_EQ(0, rc) TH_LOG("no create syntax worked; last: %s", out);
	ASSERT_TRUE(domain_exists(self, "clismoke", &id))
		TH_LOG("'tandem %s' exited 0 but made no domain", create_forms[i]);
	track(self, id);
	EXPECT_EQ(16 * MiB, treply_u64(&self->r, TANDEM_DOMAIN_A_MEMORY, 0));

	/* A second create of the same name fails with a message. */
	EXPECT_NE(0, tcli_run(create_forms[i], out, sizeof(out)));
	EXPECT_NE(0, strlen(out));

	EXPECT_EQ(0, tcli_run("list", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "clismoke")) TH_LOG("%s", out);
	EXPECT_EQ(0, tcli_run("-j list", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ('[', out[0]) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"clismoke\"")) TH_LOG("%s", out);

	EXPECT_EQ(0, tcli_run("info clismoke", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "clismoke")) TH_LOG("%s", out);

	EXPECT_EQ(0, tcli_run("destroy clismoke", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_FALSE(domain_exists(self, "clismoke", &id));
	EXPECT_NE(0, tcli_run("destroy clismoke", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "no such domain")) TH_LOG("%s", out);
}

TEST_HARNESS_MAIN
