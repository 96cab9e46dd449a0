// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_fuzz_test: the tandem family survives a flood of malformed and
 * random messages. With no policy agent registered nothing may change:
 * every message is answered with an error, except read-only commands that
 * a random message happened to get right, and console input, which needs
 * no decision (a well-formed CONSOLE_WRITE to the target is accepted).
 *
 * The seed comes from $TANDEM_FUZZ_SEED, else from the clock; it is
 * printed so that a failing run can be repeated.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <tandem.h>

#include "kselftest_harness.h"
#include "tandem_nl.h"

#define HV	"tandem_hv"
#define POLICY	"tandem_policy"

#define FUZZ_MESSAGES	100000		/* at least this many, answered */
#define FUZZ_SECONDS	170		/* and no longer than this */
#define FUZZ_MAX	(FUZZ_MESSAGES + 16)
#define FUZZ_WINDOW	64		/* requests in flight */
#define FUZZ_RCVBUF	(8 << 20)

#define TARGET_NAME	"fuzztarget"
#define TARGET_MEMORY	(1 << 20)

/* xorshift64*: small, seedable, good enough to pick shapes of garbage. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t rndn(uint32_t n)
{
	return n ? rnd() % n : 0;
}

/*
 * Commands that only read, and console input (queued for the guest, no
 * decision): a success reply is legitimate for them.
 */
static int read_only(uint8_t cmd)
{
	switch (cmd) {
	case TANDEM_CMD_GET_INFO:
	case TANDEM_CMD_DOMAIN_GET:
	case TANDEM_CMD_POLICY_GET:
	case TANDEM_CMD_MEM_READ:
	case TANDEM_CMD_VCPU_GET_REGS:
	case TANDEM_CMD_CONSOLE_READ:
	case TANDEM_CMD_CONSOLE_WRITE:
		return 1;
	}
	return 0;
}

/* Highest attribute type of each command's policy (unknown: 32). */
static int max_attr(uint8_t cmd)
{
	switch (cmd) {
	case TANDEM_CMD_GET_INFO:
		return TANDEM_INFO_A_MAX;
	case TANDEM_CMD_DOMAIN_CREATE:
	case TANDEM_CMD_DOMAIN_DESTROY:
	case TANDEM_CMD_DOMAIN_GET:
	case TANDEM_CMD_DOMAIN_START:
	case TANDEM_CMD_DOMAIN_PAUSE:
	case TANDEM_CMD_DOMAIN_RESUME:
		return TANDEM_DOMAIN_A_MAX;
	case TANDEM_CMD_MEM_WRITE:
	case TANDEM_CMD_MEM_READ:
		return TANDEM_MEM_A_MAX;
	case TANDEM_CMD_AGENT_REGISTER:
	case TANDEM_CMD_AGENT_UNREGISTER:
		return TANDEM_AGENT_A_MAX;
	case TANDEM_CMD_VERDICT:
		return TANDEM_VERDICT_A_MAX;
	case TANDEM_CMD_POLICY_SET:
	case TANDEM_CMD_POLICY_GET:
		return TANDEM_POLICY_A_MAX;
	case TANDEM_CMD_VCPU_GET_REGS:
	case TANDEM_CMD_VCPU_SET_REGS:
		return TANDEM_VCPU_A_MAX;
	case TANDEM_CMD_CONSOLE_READ:
	case TANDEM_CMD_CONSOLE_WRITE:
		return TANDEM_CONSOLE_A_MAX;
	}
	return 32;
}

struct fuzz_msg {
	union {
		struct nlmsghdr nlh;
		char buf[8192];
	};
	size_t len;		/* bytes to send (== nlmsg_len) */
};

static uint32_t target_id;

/* Values that tend to matter: boundaries, the target's id, small ints. */
static void interesting(char *p, size_t len)
{
	static const uint64_t vals[] = {
		0, 1, 2, 3, 4095, 4096, 4097, 32767, 32768, 32769, 65535, 65536,
		0x7fffffff, 0x80000000, 0xffffffff, 1ULL << 32, 1ULL << 40,
		(1ULL << 40) + 4096, ~0ULL, ~0ULL - 4095, 1 << 20, 64, 65,
	};
	uint64_t v = rndn(4) ? vals[rndn(sizeof(vals) / sizeof(vals[0]))] : rnd();

	if (!rndn(6))
		v = target_id;
	memcpy(p, &v, len < 8 ? len : 8);
	if (len > 8)
		memset(p + 8, (int)rnd(), len - 8);
}

static const char *const names[] = {
	TARGET_NAME, "", "a", "-x", "ok.name_1", "bad name", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	"tandem_policy", "*", "\xff\xfe",
};

static size_t put_attr(struct fuzz_msg *m, size_t at, uint16_t type,
		       const void *data, size_t len, size_t claim)
{
	struct nlattr *a = (struct nlattr *)(m->buf + at);

	if (at + NLA_HDRLEN + len + 4 > sizeof(m->buf))
		return at;
	a->nla_type = type;
	a->nla_len = claim;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	return at + NLA_HDRLEN + NLA_ALIGN(len);
}

/* A well-framed attribute of @type with a plausible or wrong payload. */
static size_t put_structured(struct fuzz_msg *m, size_t at, uint8_t cmd,
			     int type)
{
	static const size_t lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 31,
				       32, 33, 64, 100 };
	char data[512];
	size_t len;

	switch (rndn(4)) {
	case 0: {	/* a string */
		const char *s = names[rndn(sizeof(names) / sizeof(names[0]))];

		len = strlen(s) + (rndn(4) != 0);	/* sometimes no NUL */
		memcpy(data, s, len);
		break;
	}
	case 1:		/* an integer of a usual size */
		len = rndn(2) ? 4 : 8;
		interesting(data, len);
		break;
	case 2:		/* any length */
		len = lens[rndn(sizeof(lens) / sizeof(lens[0]))];
		interesting(data, len);
		break;
	default:	/* a big blob */
		len = rndn(sizeof(data));
		memset(data, (int)rnd(), len);
		break;
	}
	/* Registers of exactly the right size could legitimately be set. */
	if (cmd == TANDEM_CMD_VCPU_SET_REGS && len == sizeof(struct tandem_vcpu_regs))
		len--;
	if (!rndn(10))
		type |= NLA_F_NESTED;
	return put_attr(m, at, type, data, len, NLA_HDRLEN + len);
}

enum shape {
	SHAPE_STRUCTURED,	/* known and unknown types, odd payloads */
	SHAPE_WRONG_TYPE,	/* u64 where u32 goes, strings without NUL */
	SHAPE_TRUNC_GENL,	/* genl header cut short */
	SHAPE_TRUNC_ATTR,	/* last attribute longer than the message */
	SHAPE_NESTED,		/* nests of garbage */
	SHAPE_HUGE_LEN,		/* nla_len of 0xffff and friends */
	SHAPE_ZERO_LEN,		/* zero-length attributes */
	SHAPE_SHORT_LEN,	/* nla_len below the attribute header */
	SHAPE_RANDOM,		/* random bytes after the genl header */
	SHAPE_BAD_HEADER,	/* reserved field, flags */
	SHAPE_COUNT,
};

/* Build one message for @cmd; returns the command actually sent. */
/*
 * Where a walk of the attributes from the genl header on, as the kernel's
 * parser does it, expects the next one after the bytes up to @at: past
 * @at when the last attribute claims more than was written.
 */
static size_t claimed_end(const struct fuzz_msg *m, size_t at)
{
	size_t pos = NLMSG_HDRLEN + GENL_HDRLEN;

	while (pos + NLA_HDRLEN <= at) {
		const struct nlattr *a = (const void *)(m->buf + pos);

		if (a->nla_len < NLA_HDRLEN)
			break;
		pos += NLA_ALIGN(a->nla_len);
	}
	return NLA_ALIGN(pos);
}

static uint8_t build(struct fuzz_msg *m, uint16_t family, uint8_t cmd,
		     uint32_t seq)
{
	struct genlmsghdr *g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	size_t at = NLMSG_HDRLEN + GENL_HDRLEN;
	int shape = rndn(SHAPE_COUNT), n, i, maxa = max_attr(cmd);

	memset(m->buf, 0, at);
	m->nlh.nlmsg_type = family;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (!rndn(20))
		m->nlh.nlmsg_flags |= NLM_F_DUMP;
	if (!rndn(30))
		m->nlh.nlmsg_flags |= NLM_F_ECHO;
	m->nlh.nlmsg_seq = seq;
	g->cmd = cmd;
	g->version = rndn(8) ? TANDEM_GENL_VERSION : rnd();

	/* An agent registration must fail: never leave it well-formed. */
	if (cmd == TANDEM_CMD_AGENT_REGISTER &&
	    (shape == SHAPE_RANDOM || shape == SHAPE_HUGE_LEN))
		shape = SHAPE_STRUCTURED;

	n = rndn(6);
	switch (shape) {
	case SHAPE_STRUCTURED:
		for (i = 0; i < n; i++)
			at = put_structured(m, at, cmd, rndn(maxa + 4));
		break;
	case SHAPE_WRONG_TYPE:
		for (i = 0; i <= n; i++) {
			char data[16];
			size_t len = (size_t[]){ 1, 2, 3, 5, 6, 7, 9, 12, 16 }[rndn(9)];

			interesting(data, len);
			at = put_attr(m, at, 1 + rndn(maxa), data, len,
				      NLA_HDRLEN + len);
		}
		break;
	case SHAPE_TRUNC_GENL:
		at = NLMSG_HDRLEN + rndn(GENL_HDRLEN);
		break;
	case SHAPE_TRUNC_ATTR: {
		char data[64];

		for (i = 0; i < n; i++)
			at = put_structured(m, at, cmd, 1 + rndn(maxa));
		interesting(data, 16);
		at = put_attr(m, at, 1 + rndn(maxa), data, 16,
			      NLA_HDRLEN + 17 + rndn(200));
		if (rndn(2))	/* cut inside the header or payload, too */
			at -= 1 + rndn(NLA_HDRLEN + 16);
		break;
	}
	case SHAPE_NESTED: {
		char data[256];
		size_t len = rndn(sizeof(data));

		for (i = 0; i < (int)len; i++)
			data[i] = rnd();
		if (rndn(2) && len >= NLA_HDRLEN) {
			/* A nest holding an attribute that lies about itself. */
			struct nlattr *in = (struct nlattr *)data;

			in->nla_len = rndn(0x10000);
			in->nla_type = rndn(12) | (rndn(2) ? NLA_F_NESTED : 0);
		}
		at = put_attr(m, at, (cmd == TANDEM_CMD_POLICY_SET && rndn(2) ?
				      TANDEM_POLICY_A_CONFIG : 1 + rndn(maxa)) |
				     NLA_F_NESTED, data, len, NLA_HDRLEN + len);
		break;
	}
	case SHAPE_HUGE_LEN: {
		char data[32];
		static const uint16_t claims[] = { 0xffff, 0x8000, 0x1004, 0x7fff, 4097 };

		interesting(data, sizeof(data));
		at = put_attr(m, at, rndn(maxa + 2), data, sizeof(data),
			      claims[rndn(5)]);
		break;
	}
	case SHAPE_ZERO_LEN:
		for (i = 0; i <= n; i++)
			at = put_attr(m, at, rndn(maxa + 2), NULL, 0, NLA_HDRLEN);
		break;
	case SHAPE_SHORT_LEN:
		at = put_attr(m, at, rndn(maxa + 2), "\0\0\0\0", 4, rndn(NLA_HDRLEN));
		break;
	case SHAPE_RANDOM: {
		size_t len = rndn(600);

		for (i = 0; i < (int)len; i++)
			m->buf[at + i] = rnd();
		at += len;
		break;
	}
	case SHAPE_BAD_HEADER:
		if (rndn(2))
			g->reserved = 1 + rndn(0xffff);
		else
			m->nlh.nlmsg_flags |= (NLM_F_REPLACE | NLM_F_EXCL |
					       NLM_F_MULTI | NLM_F_ATOMIC) &
					      (1 + rnd());
		if (!(m->nlh.nlmsg_flags & ~(NLM_F_REQUEST | NLM_F_ACK |
					     NLM_F_DUMP | NLM_F_ECHO)) &&
		    !g->reserved)
			g->reserved = 1;
		for (i = 0; i < n; i++)
			at = put_structured(m, at, cmd, rndn(maxa + 2));
		break;
	}
	if (cmd == TANDEM_CMD_AGENT_REGISTER) {
		/*
		 * Last NAME wins: an invalid one makes the request fail. It
		 * goes where the kernel's walk of the attributes will look
		 * for the next one, past what the last attribute claims (a
		 * lying length would otherwise swallow it, and a valid NAME
		 * before it would register the fuzzer as the agent).
		 */
		size_t end = claimed_end(m, at);

		if (end > at && end + NLA_HDRLEN + 4 <= sizeof(m->buf)) {
			memset(m->buf + at, 0, end - at);
			at = end;
		}
		at = put_attr(m, at, TANDEM_AGENT_A_NAME, "-no\0", 4, NLA_HDRLEN + 4);
	}
	m->nlh.nlmsg_len = at;
	m->len = at;
	return cmd;
}

struct fuzz_stats {
	uint64_t sent, answered_err, answered_ok, bad_ok, unanswered, dup;
	uint64_t ok_by_cmd[256];
	uint8_t first_bad_cmd;
	int recv_errno;
	/* The first message a mutating command succeeded with, for the log. */
	unsigned char first_bad[96];
	size_t first_bad_len;
};

/* The messages in flight, by sequence number, to show a bad success. */
#define FUZZ_RING	(2 * FUZZ_WINDOW)
static struct fuzz_msg sent_ring[FUZZ_RING];

/*
 * Read whatever replies are there (blocking up to SO_RCVTIMEO when
 * @block); retire requests by sequence number.
 */
static int drain(struct tnl_sock *s, uint8_t *state, uint8_t *cmds,
		 uint32_t base, uint32_t next, struct fuzz_stats *st,
		 int *outstanding, int block)
{
	static char buf[1 << 17];
	ssize_t len = recv(s->fd, buf, sizeof(buf), block ? 0 : MSG_DONTWAIT);
	struct nlmsghdr *nlh;

	if (len < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		st->recv_errno = errno;	/* ENOBUFS: replies were lost */
		return -1;
	}
	for (nlh = (void *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
		uint32_t seq = nlh->nlmsg_seq;
		int err;

		if (nlh->nlmsg_type != NLMSG_ERROR && nlh->nlmsg_type != NLMSG_DONE)
			continue;	/* the data part of a reply */
		if (seq < base || seq >= next)
			continue;
		if (state[seq - base]) {
			st->dup++;	/* an ACK after a dump's DONE */
			continue;
		}
		state[seq - base] = 1;
		(*outstanding)--;
		err = nlh->nlmsg_type == NLMSG_ERROR ?
		      ((struct nlmsgerr *)NLMSG_DATA(nlh))->error : 0;
		if (err) {
			st->answered_err++;
			continue;
		}
		st->answered_ok++;
		st->ok_by_cmd[cmds[seq - base]]++;
		if (!read_only(cmds[seq - base])) {
			if (!st->bad_ok) {
				const struct fuzz_msg *m = &sent_ring[seq % FUZZ_RING];

				st->first_bad_cmd = cmds[seq - base];
				st->first_bad_len = m->len;
				memcpy(st->first_bad, m->buf,
				       m->len < sizeof(st->first_bad) ?
				       m->len : sizeof(st->first_bad));
			}
			st->bad_ok++;
		}
	}
	return 1;
}

FIXTURE(fuzz) {
	struct tnl_sock s;
	struct treply r;
	int hv_here, policy_was_loaded;
	uint32_t id;
	uint32_t before[64];
	int nbefore;
	unsigned char mem[TARGET_MEMORY];
	unsigned char attrs[2048];
	size_t attrs_len;
};

FIXTURE_SETUP(fuzz)
{
	unsigned char chunk[TANDEM_MEM_CHUNK_MAX];
	const struct nlattr *a;
	struct tmsg m;
	int err, i;

	err = tandem_mod_ensure(HV, &self->hv_here);
	ASSERT_EQ(0, err) TH_LOG("load " HV ": %s", strerror(-err));
	self->policy_was_loaded = tandem_mod_loaded(POLICY);
	if (!self->policy_was_loaded)
		ASSERT_EQ(0, tandem_mod_load(POLICY));
	ASSERT_EQ(0, tnl_open(&self->s));

	/* The target: made while the agent exists, filled with a pattern. */
	ASSERT_EQ(0, tdom_create(&self->s, TARGET_NAME, TARGET_MEMORY, 1, &self->r))
		TH_LOG("create: %s", self->r.ext_msg);
	self->id = treply_u32(&self->r, TANDEM_DOMAIN_A_ID, 0);
	target_id = self->id;
	for (i = 0; i < TARGET_MEMORY; i++)
		self->mem[i] = (i * 2654435761u) >> 13;
	for (i = 0; i < TARGET_MEMORY; i += sizeof(chunk))
		ASSERT_EQ(0, tmem_write(&self->s, self->id, i, self->mem + i,
					sizeof(chunk), &self->r));

	/* What must not change: the GET reply's attributes. */
	ASSERT_EQ(0, tdom_get(&self->s, self->id, &self->r));
	a = (const void *)(self->r.data + NLMSG_HDRLEN + GENL_HDRLEN);
	self->attrs_len = self->r.data_len - NLMSG_HDRLEN - GENL_HDRLEN;
	ASSERT_GE(sizeof(self->attrs), self->attrs_len);
	memcpy(self->attrs, a, self->attrs_len);
	self->nbefore = tdom_list(&self->s, self->before, 64);
	ASSERT_LE(1, self->nbefore);

	/* Now no agent: nothing random can be allowed. */
	ASSERT_EQ(0, tandem_mod_unload(POLICY));
	tmsg_init(&m, self->s.family, 0, TANDEM_CMD_GET_INFO);
	ASSERT_EQ(0, tnl_transact(&self->s, &m, &self->r));
	ASSERT_EQ(NULL, self->r.tb[TANDEM_INFO_A_AGENT_NAME])
		TH_LOG("an agent is registered: %s",
		       treply_str(&self->r, TANDEM_INFO_A_AGENT_NAME));
}

FIXTURE_TEARDOWN(fuzz)
{
	struct treply r;

	tandem_mod_load(POLICY);
	if (self->id)
		tdom_destroy(&self->s, self->id, &r);
	tnl_close(&self->s);
	if (!self->policy_was_loaded)
		tandem_mod_unload(POLICY);
	if (self->hv_here)
		tandem_mod_unload(HV);
}

static uint64_t seed_from_env(void)
{
	const char *e = getenv("TANDEM_FUZZ_SEED");
	struct timespec ts;

	if (e && *e)
		return strtoull(e, NULL, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000007ULL ^ ts.tv_nsec ^ getpid();
}

TEST_F_TIMEOUT(fuzz, random_and_malformed_messages_change_nothing, 600)
{
	uint8_t *state = calloc(FUZZ_MAX, 1), *cmds = calloc(FUZZ_MAX, 1);
	struct fuzz_stats *st = calloc(1, sizeof(*st));
	struct timeval tv = { .tv_sec = 2 };
	int rcvbuf = FUZZ_RCVBUF, one = 1, outstanding = 0, i, kmsg;
	uint64_t seed = seed_from_env();
	static struct fuzz_msg msg;
	unsigned char got[TANDEM_MEM_CHUNK_MAX];
	struct tnl_sock f;
	uint32_t base, next, after[64];
	time_t end;
	char line[2048];
	ssize_t n;

	ASSERT_NE(NULL, state);
	ASSERT_NE(NULL, cmds);
	ASSERT_NE(NULL, st);
	rng_state = seed ?: 1;
	TH_LOG("seed %#llx (to repeat it: make check TESTS=netlink_fuzz_test LAB_ENV=TANDEM_FUZZ_SEED=%#llx)",
	       (unsigned long long)seed, (unsigned long long)seed);

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, kmsg);
	ASSERT_LE(0, lseek(kmsg, 0, SEEK_END));

	ASSERT_EQ(0, tnl_open(&f));
	if (setsockopt(f.fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		ASSERT_EQ(0, setsockopt(f.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
					sizeof(rcvbuf)));
	ASSERT_EQ(0, setsockopt(f.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	ASSERT_EQ(0, setsockopt(f.fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)));

	base = next = f.seq + 1;
	end = time(NULL) + FUZZ_SECONDS;
	while (next - base < FUZZ_MESSAGES && time(NULL) < end) {
		uint8_t cmd;

		/* Every command number, in turn; now and then any number. */
		if (rndn(8))
			cmd = (next - base) % (TANDEM_CMD_MAX + 6);
		else
			cmd = rnd();
		cmd = build(&msg, f.family, cmd, next);
		if (tnl_send_raw(&f, msg.buf, msg.len))
			continue;
		sent_ring[next % FUZZ_RING].len = msg.len;
		memcpy(sent_ring[next % FUZZ_RING].buf, msg.buf,
		       msg.len < sizeof(msg.buf) ? msg.len : sizeof(msg.buf));
		cmds[next - base] = cmd;
		next++;
		st->sent++;
		outstanding++;
		while (outstanding > 0) {
			int got_any = drain(&f, state, cmds, base, next, st,
					    &outstanding, outstanding >= FUZZ_WINDOW);

			if (got_any < 0)
				break;
			if (!got_any) {
				if (outstanding >= FUZZ_WINDOW) {
					/* SO_RCVTIMEO passed with a full window. */
					st->unanswered += outstanding;
					outstanding = 0;
				}
				break;
			}
		}
		if (st->recv_errno)
			break;
	}
	/* Collect the stragglers. */
	while (outstanding > 0 && !st->recv_errno) {
		int r = drain(&f, state, cmds, base, next, st, &outstanding, 1);

		if (r <= 0)
			break;
	}
	st->unanswered += outstanding;
	tnl_close(&f);

	TH_LOG("sent %llu: %llu errors, %llu successes (%llu GET_INFO, %llu DOMAIN_GET, %llu POLICY_GET, %llu MEM_READ, %llu VCPU_GET_REGS, %llu CONSOLE_READ, %llu CONSOLE_WRITE), %llu unanswered, %llu extra ACKs",
	       (unsigned long long)st->sent, (unsigned long long)st->answered_err,
	       (unsigned long long)st->answered_ok,
	       (unsigned long long)st->ok_by_cmd[TANDEM_CMD_GET_INFO],
	       (unsigned long long)st->ok_by_cmd[TANDEM_CMD_DOMAIN_GET],
	       (unsigned long long)st->ok_by_cmd[TANDEM_CMD_POLICY_GET],
	       (unsigned long long)st->ok_by_cmd[TANDEM_CMD_MEM_READ],
	       (unsigned long long)st->ok_by_cmd[TANDEM_CMD_VCPU_GET_REGS],
	       (unsigned long long)st->ok_by_cmd[TANDEM_CMD_CONSOLE_READ],
	       (unsigned long long)st->ok_by_cmd[TANDEM_CMD_CONSOLE_WRITE],
	       (unsigned long long)st->unanswered, (unsigned long long)st->dup);
	EXPECT_EQ(0, st->recv_errno) TH_LOG("recv: %s", strerror(st->recv_errno));
	EXPECT_LE(FUZZ_MESSAGES, st->sent);
	EXPECT_EQ(st->sent, st->answered_err + st->answered_ok);
	EXPECT_EQ(0, st->unanswered);
	if (st->bad_ok) {
		char hex[3 * sizeof(st->first_bad) + 1] = "";
		size_t k;

		for (k = 0; k < st->first_bad_len && k < sizeof(st->first_bad); k++)
			snprintf(hex + 3 * k, 4, "%02x ", st->first_bad[k]);
		TH_LOG("first success of a mutating command: cmd %u, %zu bytes: %s",
		       st->first_bad_cmd, st->first_bad_len, hex);
	}
	EXPECT_EQ(0, st->bad_ok) TH_LOG("a mutating command succeeded");

	/* Nothing changed: no agent, the same domains, the same target. */
	{
		struct tmsg m;

		tmsg_init(&m, self->s.family, 0, TANDEM_CMD_GET_INFO);
		ASSERT_EQ(0, tnl_transact(&self->s, &m, &self->r));
	}
	EXPECT_EQ(NULL, self->r.tb[TANDEM_INFO_A_AGENT_NAME]);
	EXPECT_EQ(self->nbefore, tdom_list(&self->s, after, 64));
	EXPECT_EQ(0, memcmp(self->before, after, self->nbefore * sizeof(after[0])));
	ASSERT_EQ(0, tdom_get(&self->s, self->id, &self->r));
	EXPECT_EQ(self->attrs_len, self->r.data_len - NLMSG_HDRLEN - GENL_HDRLEN);
	EXPECT_EQ(0, memcmp(self->attrs, self->r.data + NLMSG_HDRLEN + GENL_HDRLEN,
			    self->attrs_len)) TH_LOG("the target's attributes changed");
	EXPECT_STREQ(TARGET_NAME, treply_str(&self->r, TANDEM_DOMAIN_A_NAME));
	EXPECT_EQ(TANDEM_STATE_CREATED, treply_u32(&self->r, TANDEM_DOMAIN_A_STATE, 0));
	EXPECT_EQ(TARGET_MEMORY, treply_u64(&self->r, TANDEM_DOMAIN_A_MEMORY, 0));
	for (i = 0; i < TARGET_MEMORY; i += sizeof(got)) {
		ASSERT_EQ(0, tmem_read(&self->s, self->id, i, sizeof(got), got,
				       &self->r));
		EXPECT_EQ(0, memcmp(self->mem + i, got, sizeof(got)))
			TH_LOG("memory at %#x changed", i);
	}

	/* And the kernel did not complain. */
	while ((n = read(kmsg, line, sizeof(line) - 1)) > 0 ||
	       (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		line[n] = '\0';
		EXPECT_EQ(NULL, strstr(line, "WARNING:")) TH_LOG("%s", line);
		EXPECT_EQ(NULL, strstr(line, "BUG:")) TH_LOG("%s", line);
	}
	close(kmsg);
	free(state);
	free(cmds);
	free(st);
}

TEST_HARNESS_MAIN
