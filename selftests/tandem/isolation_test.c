// SPDX-License-Identifier: GPL-2.0
/*
 * isolation_test: a domain reaches only its own RAM and devices, cannot
 * starve the host, and goes away cleanly whatever it is doing.
 *
 * The guest code is guest/tests.inc (see guest_test.h), in real, protected
 * and long mode. Besides the lab runner's own log scanner, each test reads
 * /dev/kmsg for warnings the kernel logged while it ran.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <tandem.h>

#include "kselftest_harness.h"
#include "guest_test.h"

#define MiB		(1ULL << 20)
#define UCALL_TIMEOUT	10000	/* ms */
#define FILL_START	0x100000	/* as in guest/tests.inc */
#define LOOP_SECONDS	10	/* at most; see exit_loop_leaves_... */
#define LOOP_ROUNDS	20	/* and at least LOOP_EXITS of each kind */
#define LOOP_EXITS	1000
#define LATENCY_BOUND_MS 2000	/* a lab command may take this long at most */

FIXTURE(isolation) {
	struct test_agent agent;
	struct tg_domain d[2];
	int created[2];
	size_t pos[2];
	int kmsg;
	const char *skip;
	char line[256];
};

FIXTURE_VARIANT(isolation) {
	enum tg_mode mode;
};

FIXTURE_VARIANT_ADD(isolation, real) {
	.mode = TG_REAL,
};

FIXTURE_VARIANT_ADD(isolation, protected) {
	.mode = TG_PROTECTED,
};

FIXTURE_VARIANT_ADD(isolation, long) {
	.mode = TG_LONG,
};

static void iso_setup(struct __test_metadata *_metadata,
		      FIXTURE_DATA(isolation) *self, enum tg_mode mode)
{
	const char *why = "";
	int err;

	self->kmsg = gt_kmsg_open();
	err = ta_start(&self->agent, &why);
	ASSERT_EQ(0, err) TH_LOG("test agent: %s: %s", why, strerror(-err));
	gt_reap_stale("iso");
	self->skip = gt_unusable(mode);
}

static void iso_teardown(struct __test_metadata *_metadata,
			 FIXTURE_DATA(isolation) *self)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (!self->created[i])
			continue;
		tg_destroy(&self->d[i]);
		tg_close(&self->d[i]);
	}
	ta_stop(&self->agent);
	GT_KMSG_CHECK_CLOSE(self->kmsg);
}

FIXTURE_SETUP(isolation)
{
	iso_setup(_metadata, self, variant->mode);
}

FIXTURE_TEARDOWN(isolation)
{
	iso_teardown(_metadata, self);
}

/*
 * The host's responsiveness under a guest that keeps exiting does not
 * depend on the guest's mode: one long-mode run. The guest does an OUT and
 * a CPUID, then EXIT_LOOP_NOPS NOPs, again and again: about a hundred
 * thousand exits per second of lab time. (Back to back, two million a
 * second, each exit costs so much to emulate in the VMX lab that 10 s of
 * lab time took 19 minutes there.)
 */
#define EXIT_LOOP_NOPS	2000
FIXTURE(responsive) {
	FIXTURE_DATA(isolation) iso;
};

FIXTURE_SETUP(responsive)
{
	iso_setup(_metadata, &self->iso, TG_LONG);
}

FIXTURE_TEARDOWN(responsive)
{
	iso_teardown(_metadata, &self->iso);
}

/* Create domain @i (of @mib MiB) of fixture data @s for routine @sel. */
#define ISO_CREATE_IN(s, mode, i, mib, sel, arg, arg2) do {		\
	const char *__why = "";						\
	int __err;							\
									\
	if ((s)->skip)							\
		SKIP(return, "%s", (s)->skip);				\
	__err = gt_create(&(s)->d[i], "iso", (mib) * MiB, mode, sel,	\
			  arg, arg2, &__why);				\
	(s)->created[i] = 1;						\
	ASSERT_EQ(0, __err) TH_LOG("%s: %s (%s)", __why,		\
				   strerror(-__err), (s)->d[i].msg);	\
} while (0)

#define ISO_START_IN(s, i) \
	ASSERT_EQ(0, tg_start(&(s)->d[i])) TH_LOG("START: %s", (s)->d[i].msg)

#define ISO_WAIT_IN(s, i, type)						\
	ASSERT_EQ(0, gt_wait_ucall(&(s)->d[i], &(s)->pos[i], type,	\
				   NULL, UCALL_TIMEOUT, (s)->line,	\
				   sizeof((s)->line)))			\
		TH_LOG("domain %d: waiting for \"ucall: %s\", got: %s", i,	\
		       type, (s)->line)

/* The same in a test of the isolation fixture, in its variant's mode. */
#define ISO_CREATE(i, mib, sel, arg, arg2) \
	ISO_CREATE_IN(self, variant->mode, i, mib, sel, arg, arg2)
#define ISO_START(i)		ISO_START_IN(self, i)
#define ISO_WAIT(i, type)	ISO_WAIT_IN(self, i, type)

/* A guest touches @gpa (outside its 16 MiB): crashed, the GPA in the reason. */
static void touch_outside_ram(struct __test_metadata *_metadata,
			      FIXTURE_DATA(isolation) *self,
			      const FIXTURE_VARIANT(isolation) *variant,
			      uint32_t gpa, int write)
{
	char hex[32];
	struct gt_stats st;

	ISO_CREATE(0, 16, GT_TOUCH_GPA, gpa, write);
	ISO_START(0);
	ISO_WAIT(0, "sync");
	ASSERT_EQ(0, tg_wait_state(&self->d[0], TANDEM_STATE_CRASHED, UCALL_TIMEOUT))
		TH_LOG("state %d, not crashed; console:\n%s",
		       tg_state(&self->d[0]), self->d[0].console);
	ASSERT_EQ(0, gt_get(&self->d[0], &st));
	snprintf(hex, sizeof(hex), "%#x", gpa);
	EXPECT_NE(NULL, strstr(st.crash_reason, hex))
		TH_LOG("CRASH_REASON \"%s\" lacks %s", st.crash_reason, hex);
	EXPECT_NE(NULL, strstr(st.crash_reason, write ? "write" : "read"))
		TH_LOG("CRASH_REASON \"%s\"", st.crash_reason);
	tg_console_poll(&self->d[0]);
	EXPECT_EQ(NULL, strstr(self->d[0].console, "ucall: assert"))
		TH_LOG("the access returned to the guest: %s", self->d[0].console);
}

TEST_F(isolation, read_far_outside_ram_crashes_with_gpa_in_reason)
{
	touch_outside_ram(_metadata, self, variant, 0x40000000, 0);
}

TEST_F(isolation, write_just_past_ram_crashes_with_gpa_in_reason)
{
	touch_outside_ram(_metadata, self, variant, 16 * MiB, 1);
}

/* Every dword of [FILL_START, end) of domain @i holds address ^ @seed. */
static int check_fill(struct tg_domain *d, uint32_t seed, uint32_t end,
		      uint32_t *bad_gpa, uint32_t *bad_val)
{
	static uint32_t buf[8192 / 4];
	uint32_t gpa, i;
	int err;

	for (gpa = FILL_START; gpa < end; gpa += sizeof(buf)) {
		err = tg_read(d, gpa, buf, sizeof(buf));
		if (err)
			return err;
		for (i = 0; i < sizeof(buf) / 4; i++) {
			if (buf[i] != ((gpa + i * 4) ^ seed)) {
				*bad_gpa = gpa + i * 4;
				*bad_val = buf[i];
				return 1;
			}
		}
	}
	return 0;
}

/*
 * Two domains fill their RAM above 1 MiB with different patterns (their
 * own code does it), then check it after the other one has written its
 * own: neither guest nor host finds a byte of the other domain.
 */
TEST_F(isolation, two_domains_never_see_each_others_bytes)
{
	static const uint32_t seed[2] = { 0xa5a5a5a5, 0x5a5a5a5a };
	const uint32_t end = 8 * MiB;
	uint32_t bad_gpa = 0, bad_val = 0;
	int i;

	for (i = 0; i < 2; i++)
		ISO_CREATE(i, 8, GT_FILL, seed[i], end);
	for (i = 0; i < 2; i++)
		ISO_START(i);
	for (i = 0; i < 2; i++) {
		ISO_WAIT(i, "sync");
		ASSERT_EQ(0, gt_wait_exits(&self->d[i], TANDEM_STAT_EXIT_HLT, 1, 5000));
	}
	/* Both filled and halted: wake them to check their memory. */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, tg_cmd(&self->d[i], TANDEM_CMD_DOMAIN_PAUSE));
		ASSERT_EQ(0, tg_cmd(&self->d[i], TANDEM_CMD_DOMAIN_RESUME));
	}
	for (i = 0; i < 2; i++)
		ISO_WAIT(i, "done");
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, check_fill(&self->d[i], seed[i], end, &bad_gpa, &bad_val))
			TH_LOG("domain %d: GPA %#x holds %#x (own pattern %#x, other's %#x)",
			       i, bad_gpa, bad_val, bad_gpa ^ seed[i],
			       bad_gpa ^ seed[!i]);
	}
}

/* Run /bin/true; its wall time in ms, or -1 when it did not succeed. */
static long run_true(void)
{
	long start = gt_now_ms();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return gt_now_ms() - start;
}

/* A small computation (xorshift steps); its wall time in ms. */
static long compute(void)
{
	long start = gt_now_ms();
	volatile uint64_t x = 88172645463325252ULL;
	int i;

	for (i = 0; i < 1000000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return gt_now_ms() - start;
}

/*
 * A guest that exits as fast as it can (OUT and CPUID in a loop) does not
 * starve the lab: /bin/true and a small computation each finish within
 * LATENCY_BOUND_MS all along, while the guest keeps running. The test
 * goes on for LOOP_ROUNDS rounds and until the guest has made LOOP_EXITS
 * exits of each kind, or LOOP_SECONDS (10 s of the VMX lab's clock at
 * this rate took 12 minutes of the host's: 8 million exits).
 */
TEST_F_TIMEOUT(responsive, exit_loop_leaves_the_host_responsive, 90)
{
	FIXTURE_DATA(isolation) *iso = &self->iso;
	long base_true, base_comp, worst_true = 0, worst_comp = 0, end;
	struct gt_stats s0, s1;
	int rounds = 0;

	ISO_CREATE_IN(iso, TG_LONG, 0, 16, GT_EXIT_LOOP, EXIT_LOOP_NOPS,
		      0);
	base_true = run_true();
	base_comp = compute();
	ASSERT_LE(0, base_true) TH_LOG("/bin/true does not run in this lab");
	ISO_START_IN(iso, 0);
	ISO_WAIT_IN(iso, 0, "sync");
	ASSERT_EQ(0, gt_get(&iso->d[0], &s0));

	end = gt_now_ms() + LOOP_SECONDS * 1000;
	do {
		long t = run_true(), c = compute();

		ASSERT_LE(0, t) TH_LOG("/bin/true failed while the guest ran");
		if (t > worst_true)
			worst_true = t;
		if (c > worst_comp)
			worst_comp = c;
		rounds++;
		ASSERT_EQ(0, gt_get(&iso->d[0], &s1));
	} while (gt_now_ms() < end &&
		 (rounds < LOOP_ROUNDS ||
		  s1.exits[TANDEM_STAT_EXIT_IO] < s0.exits[TANDEM_STAT_EXIT_IO] + LOOP_EXITS ||
		  s1.exits[TANDEM_STAT_EXIT_CPUID] < s0.exits[TANDEM_STAT_EXIT_CPUID] + LOOP_EXITS));
	TH_LOG("%d rounds: /bin/true %ld ms (%ld idle), computation %ld ms (%ld idle)",
	       rounds, worst_true, base_true, worst_comp, base_comp);
	TH_LOG("guest exits meanwhile: %llu I/O, %llu CPUID",
	       (unsigned long long)(s1.exits[TANDEM_STAT_EXIT_IO] -
				    s0.exits[TANDEM_STAT_EXIT_IO]),
	       (unsigned long long)(s1.exits[TANDEM_STAT_EXIT_CPUID] -
				    s0.exits[TANDEM_STAT_EXIT_CPUID]));
	EXPECT_GE(LATENCY_BOUND_MS, worst_true);
	EXPECT_GE(LATENCY_BOUND_MS, worst_comp);
	/* The guest really was looping on exits all along. */
	EXPECT_EQ(TANDEM_STATE_RUNNING, s1.state);
	EXPECT_LE(LOOP_ROUNDS, rounds);
	EXPECT_LE(s0.exits[TANDEM_STAT_EXIT_IO] + LOOP_EXITS, s1.exits[TANDEM_STAT_EXIT_IO]);
	EXPECT_LE(s0.exits[TANDEM_STAT_EXIT_CPUID] + LOOP_EXITS, s1.exits[TANDEM_STAT_EXIT_CPUID]);
}

/*
 * DESTROY returns 0, the domain is gone (by id and by name), and the
 * kernel logged nothing worrying meanwhile.
 */
static void destroy_and_check(struct __test_metadata *_metadata,
			      FIXTURE_DATA(isolation) *self)
{
	static struct treply r;
	struct tg_domain *d = &self->d[0];
	char line[256] = "";
	struct tmsg m;

	ASSERT_EQ(0, tg_destroy(d)) TH_LOG("DESTROY: %s", d->msg);
	self->created[0] = 0;
	EXPECT_EQ(-ENOENT, tg_state(d));
	tmsg_domain(&d->s, &m, TANDEM_CMD_DOMAIN_GET, 0, d->name);
	ASSERT_EQ(0, tnl_transact(&d->s, &m, &r));
	EXPECT_EQ(-ENOENT, r.err);
	tg_close(d);
	EXPECT_EQ(0, gt_kmsg_trouble(self->kmsg, line, sizeof(line)))
		TH_LOG("kernel log: %s", line);
}

TEST_F(isolation, destroy_while_running_leaves_nothing_behind)
{
	ISO_CREATE(0, 16, GT_SPIN, 0, 0);
	ISO_START(0);
	ISO_WAIT(0, "sync");
	usleep(200000);		/* well inside the loop, with no exits */
	ASSERT_EQ(TANDEM_STATE_RUNNING, tg_state(&self->d[0]));
	destroy_and_check(_metadata, self);
}

TEST_F(isolation, destroy_while_halted_leaves_nothing_behind)
{
	ISO_CREATE(0, 16, GT_HALT_LOOP, 0, 0);
	ISO_START(0);
	ISO_WAIT(0, "sync");
	ASSERT_EQ(0, gt_wait_exits(&self->d[0], TANDEM_STAT_EXIT_HLT, 1, 5000));
	ASSERT_EQ(TANDEM_STATE_RUNNING, tg_state(&self->d[0]));
	destroy_and_check(_metadata, self);
}

TEST_F(isolation, destroy_while_paused_leaves_nothing_behind)
{
	ISO_CREATE(0, 16, GT_SPIN, 0, 0);
	ISO_START(0);
	ISO_WAIT(0, "sync");
	ASSERT_EQ(0, tg_cmd(&self->d[0], TANDEM_CMD_DOMAIN_PAUSE))
		TH_LOG("PAUSE: %s", self->d[0].msg);
	ASSERT_EQ(TANDEM_STATE_PAUSED, tg_state(&self->d[0]));
	destroy_and_check(_metadata, self);
}

TEST_HARNESS_MAIN
