// SPDX-License-Identifier: GPL-2.0
/*
 * platform_test: the PC platform devices of tandem_hv seen from a flat
 * long-mode guest (guest/platform.inc): the 16550A UART at 0x3f8 and its
 * console input (CONSOLE_WRITE), the CMOS RTC at 0x70, reset through the
 * i8042 and port 0xcf9, ACPI S5 through PM1a_CNT at 0x604, unclaimed ports
 * and the platform MMIO hole. The guest polls; it takes no interrupt.
 *
 * Each test runs one routine in a fresh 16 MiB domain; the routine checks
 * what it sees and reports with ucalls, the host checks the other side
 * (console ring, memory, state, counters). A test agent answers the
 * policy decisions.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <tandem.h>

#include "kselftest_harness.h"
#include "guest_test.h"

#define MiB		(1ULL << 20)
#define UCALL_TIMEOUT	10000	/* ms: slow labs run guests under TCG/Bochs */

/* Routines of guest/platform.inc: keep in step with its P_* numbers. */
enum pt_routine {
	PT_UART_TX = 1,
	PT_UART_REGS,
	PT_UART_LOOPBACK,
	PT_UART_IIR,
	PT_UART_RX,
	PT_UART_RX_HLT,
	PT_UART_RX_FULL,
	PT_CMOS_TIME,
	PT_CMOS_STORAGE,
	PT_I8042_RESET,
	PT_CF9_RESET,
	PT_POWEROFF,
	PT_UNCLAIMED,
	PT_TOUCH,
	PT_ECHO,
	PT_REBOOT_FRESH,
	PT_PM_TIMER,
};

FIXTURE(platform) {
	struct test_agent agent;
	struct tg_domain d;
	int created;
	size_t pos;			/* console offset of the next ucall */
	int kmsg;
	const char *skip;
	char line[256];
	struct treply r;
};

FIXTURE_SETUP(platform)
{
	const char *why = "";
	int err;

	self->kmsg = gt_kmsg_open();
	err = ta_start(&self->agent, &why);
	ASSERT_EQ(0, err) TH_LOG("test agent: %s: %s", why, strerror(-err));
	gt_reap_stale("pt");
	self->skip = gt_unusable(TG_LONG);
}

FIXTURE_TEARDOWN(platform)
{
	if (self->created) {
		tg_destroy(&self->d);
		tg_close(&self->d);
	}
	ta_stop(&self->agent);
	GT_KMSG_CHECK_CLOSE(self->kmsg);
}

#define PT_CREATE(sel, arg, arg2) do {					\
	const char *__why = "";						\
	int __err;							\
									\
	if (self->skip)							\
		SKIP(return, "%s", self->skip);				\
	__err = gt_create_payload(&self->d, "pt", 16 * MiB, TG_LONG,	\
				  "platform", sel, arg, arg2, &__why);	\
	self->created = 1;						\
	ASSERT_EQ(0, __err) TH_LOG("%s: %s (%s)", __why,		\
				   strerror(-__err), self->d.msg);	\
} while (0)

#define PT_START() \
	ASSERT_EQ(0, tg_start(&self->d)) TH_LOG("START: %s", self->d.msg)

#define PT_WAIT(type, valuep)						\
	ASSERT_EQ(0, gt_wait_ucall(&self->d, &self->pos, type, valuep,	\
				   UCALL_TIMEOUT, self->line,		\
				   sizeof(self->line)))			\
		TH_LOG("waiting for \"ucall: %s\", got: %s; console:\n%s",	\
		       type, self->line, self->d.console)

#define PT_STATS(st) \
	ASSERT_EQ(0, gt_get(&self->d, st)) TH_LOG("DOMAIN_GET: %s", self->d.msg)

/* CONSOLE_WRITE of @len bytes to domain @id: the kernel's errno, reply in @r. */
static int console_write(struct tnl_sock *s, uint32_t id, const void *buf,
			 size_t len, struct treply *r)
{
	static struct tmsg m;

	tmsg_init(&m, s->family, 0, TANDEM_CMD_CONSOLE_WRITE);
	tmsg_put_u32(&m, TANDEM_CONSOLE_A_DOMAIN_ID, id);
	tmsg_put(&m, TANDEM_CONSOLE_A_DATA, buf, len);
	if (tnl_transact(s, &m, r))
		return -EIO;
	return r->err;
}

/* Bytes accepted by a CONSOLE_WRITE, or -1 without the attribute. */
static long accepted(const struct treply *r)
{
	if (!r->tb[TANDEM_CONSOLE_A_ACCEPTED])
		return -1;
	return tnla_u32(r->tb[TANDEM_CONSOLE_A_ACCEPTED]);
}

/*
 * Bytes written to THR (LSR.THRE polled) appear in the console ring in
 * order, and bytes without a newline are there before the ucall that
 * follows them: the UART's batching is invisible.
 */
TEST_F(platform, uart_tx_reaches_console_ring_in_order)
{
	static const char msg[] =
		"uart: hello, console\n"
		"uart: 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789\n"
		"no newlineucall: done";

	PT_CREATE(PT_UART_TX, 0, 0);
	PT_START();
	PT_WAIT("done", NULL);
	EXPECT_NE(NULL, strstr(self->d.console, msg))
		TH_LOG("console:\n%s", self->d.console);
}

/*
 * The divisor latch (behind DLAB), LCR, IER, MCR, the scratch register
 * round trip; IIR's FIFO bits follow FCR; MSR shows a terminal.
 */
TEST_F(platform, uart_divisor_latch_scratch_and_registers_round_trip)
{
	struct gt_stats st;

	PT_CREATE(PT_UART_REGS, 0, 0);
	PT_START();
	PT_WAIT("done", NULL);
	PT_STATS(&st);
	EXPECT_EQ(0, st.unhandled_io);
}

/*
 * Loopback echoes transmitted bytes through RBR in order, keeps them off
 * the console, and turns modem outputs into modem status with deltas.
 */
TEST_F(platform, uart_loopback_echoes_and_keeps_output_off_console)
{
	PT_CREATE(PT_UART_LOOPBACK, 0, 0);
	PT_START();
	PT_WAIT("done", NULL);
	EXPECT_EQ(NULL, strstr(self->d.console, "LoOpBaCk"))
		TH_LOG("loopback output reached the console:\n%s", self->d.console);
}

/*
 * IIR reports line status > received data > character timeout > THR
 * empty > modem status, each only when IER enables it; THR empty rises on
 * IER enabling it and on each THR write, and a read of IIR clears it.
 */
TEST_F(platform, uart_iir_priorities_and_ier_masks)
{
	PT_CREATE(PT_UART_IIR, 0, 0);
	PT_START();
	PT_WAIT("done", NULL);
}

/* CONSOLE_WRITE bytes arrive in RBR in order, with LSR.DR while any. */
TEST_F(platform, console_write_reaches_rbr_in_order)
{
	static const char in[] = "The quick brown fox jumps over the lazy dog 0123456789\r";
	char got[sizeof(in)] = "";

	PT_CREATE(PT_UART_RX, sizeof(in) - 1, 0);
	PT_START();
	PT_WAIT("sync", NULL);
	/* Two requests: the second queues behind the first. */
	ASSERT_EQ(0, console_write(&self->d.s, self->d.id, in, 20, &self->r))
		TH_LOG("CONSOLE_WRITE: %s", self->r.ext_msg);
	EXPECT_EQ(20, accepted(&self->r));
	ASSERT_EQ(0, console_write(&self->d.s, self->d.id, in + 20,
				   sizeof(in) - 21, &self->r))
		TH_LOG("CONSOLE_WRITE: %s", self->r.ext_msg);
	EXPECT_EQ(sizeof(in) - 21, accepted(&self->r));
	PT_WAIT("done", NULL);
	ASSERT_EQ(0, tg_read(&self->d, GT_SCRATCH, got, sizeof(in) - 1));
	EXPECT_STREQ(in, got);
}

/* A vCPU halted with interrupts off is woken by console input. */
TEST_F(platform, console_write_wakes_a_halted_vcpu)
{
	PT_CREATE(PT_UART_RX_HLT, 'Z', 0);
	PT_START();
	PT_WAIT("sync", NULL);
	ASSERT_EQ(0, gt_wait_exits(&self->d, TANDEM_STAT_EXIT_HLT, 1, 5000))
		TH_LOG("the vCPU never halted");
	usleep(200000);
	tg_console_poll(&self->d);
	ASSERT_EQ(NULL, strstr(self->d.console + self->pos, "ucall:"))
		TH_LOG("the guest went past HLT without input: %s",
		       self->d.console + self->pos);
	ASSERT_EQ(0, console_write(&self->d.s, self->d.id, "Z", 1, &self->r))
		TH_LOG("CONSOLE_WRITE: %s", self->r.ext_msg);
	EXPECT_EQ(1, accepted(&self->r));
	PT_WAIT("done", NULL);
}

/*
 * The input queue holds TANDEM_CONSOLE_RX_SIZE bytes: the request that
 * fills it is accepted in part, the next one not at all, and the guest
 * then reads exactly what was accepted, in order.
 */
TEST_F(platform, console_write_full_queue_accepts_part)
{
	static uint8_t buf[TANDEM_CONSOLE_WRITE_MAX];
	uint32_t one = 1, total = 0, chunk = 1000, i;
	uint64_t count = 0;
	long n;

	PT_CREATE(PT_UART_RX_FULL, 0, 0);
	PT_START();
	PT_WAIT("sync", NULL);
	for (;;) {
		for (i = 0; i < chunk; i++)
			buf[i] = ((total + i) * 7 + 3) & 0xff;
		ASSERT_EQ(0, console_write(&self->d.s, self->d.id, buf, chunk,
					   &self->r))
			TH_LOG("CONSOLE_WRITE: %s", self->r.ext_msg);
		n = accepted(&self->r);
		ASSERT_LE(0, n);
		total += n;
		if (n < chunk)
			break;
		ASSERT_GT(TANDEM_CONSOLE_RX_SIZE + chunk, total);
	}
	EXPECT_EQ(TANDEM_CONSOLE_RX_SIZE % chunk, n);
	EXPECT_EQ(TANDEM_CONSOLE_RX_SIZE, total);
	ASSERT_EQ(0, console_write(&self->d.s, self->d.id, buf, 1, &self->r));
	EXPECT_EQ(0, accepted(&self->r));

	ASSERT_EQ(0, tg_write(&self->d, GT_TEST_ARG2, &one, sizeof(one)))
		TH_LOG("MEM_WRITE: %s", self->d.msg);
	PT_WAIT("sync", &count);
	EXPECT_EQ(TANDEM_CONSOLE_RX_SIZE, count);
	PT_WAIT("done", NULL);
}

static unsigned int from_bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

/*
 * The date and time the guest reads from CMOS (as Linux does: seconds,
 * UIP clear, the rest, UIP clear, same seconds) lie within 2 s of the
 * host's clock between the start of the guest and its report; the 12-hour
 * hour matches the 24-hour one; B keeps the mode, C reads 0, D 0x80.
 */
static void check_cmos_time(struct __test_metadata *_metadata,
			    FIXTURE_DATA(platform) *self, int binary)
{
	unsigned int (*dec)(uint8_t) = binary ? NULL : from_bcd;
	uint8_t b[16];
	unsigned int v[8], h12, pm, i;
	struct tm tm = { 0 };
	time_t t0, t1, g;

	PT_CREATE(PT_CMOS_TIME, binary, 0);
	t0 = time(NULL);
	PT_START();
	PT_WAIT("done", NULL);
	t1 = time(NULL);
	ASSERT_EQ(0, tg_read(&self->d, GT_SCRATCH, b, sizeof(b)));
	for (i = 0; i < 8; i++)
		v[i] = dec ? dec(b[i]) : b[i];
	tm.tm_sec = v[0];
	tm.tm_min = v[1];
	tm.tm_hour = v[2];
	tm.tm_mday = v[3];
	tm.tm_mon = v[4] - 1;
	tm.tm_year = v[6] * 100 + v[5] - 1900;
	g = timegm(&tm);
	EXPECT_LE(t0 - 2, g)
		TH_LOG("guest time %ld is before the host's %ld", (long)g, (long)t0);
	EXPECT_GE(t1 + 2, g)
		TH_LOG("guest time %ld is after the host's %ld", (long)g, (long)t1);
	gmtime_r(&g, &tm);
	EXPECT_EQ(tm.tm_wday + 1, v[7]);
	EXPECT_EQ(binary ? 0x06 : 0x02, b[8]);
	EXPECT_EQ(0x00, b[9]);
	EXPECT_EQ(0x80, b[10]);
	/* 12-hour: 1-12 with bit 7 for PM; the hour may have turned since. */
	pm = b[11] & 0x80;
	h12 = dec ? dec(b[11] & 0x7f) : b[11] & 0x7f;
	EXPECT_LE(1, h12);
	EXPECT_GE(12, h12);
	i = h12 % 12 + (pm ? 12 : 0);
	EXPECT_TRUE(i == v[2] || i == (v[2] + 1) % 24)
		TH_LOG("12-hour %#x against 24-hour %u", b[11], v[2]);
	i = dec ? dec(b[12]) : b[12];
	EXPECT_TRUE(i == v[2] || i == (v[2] + 1) % 24);
	if (binary) {
		/* The year written while SET was on holds once it is off. */
		EXPECT_EQ(b[5], b[14]);
		EXPECT_EQ((b[14] + 1) & 0xff, b[13]);
	}
}

TEST_F(platform, cmos_time_matches_host_clock_bcd)
{
	check_cmos_time(_metadata, self, 0);
}

TEST_F(platform, cmos_time_matches_host_clock_binary_and_takes_writes)
{
	check_cmos_time(_metadata, self, 1);
}

/* CMOS bytes outside the clock are storage; C, D and the index port. */
TEST_F(platform, cmos_storage_round_trip)
{
	PT_CREATE(PT_CMOS_STORAGE, 0, 0);
	PT_START();
	PT_WAIT("done", NULL);
}

/* Wait until the agent has answered @n SHUTDOWN decisions: 0 or -ETIMEDOUT. */
static int wait_shutdown_decisions(FIXTURE_DATA(platform) *self, unsigned int n)
{
	long end = gt_now_ms() + UCALL_TIMEOUT;

	while (__atomic_load_n(&self->agent.decisions[TANDEM_DECISION_SHUTDOWN],
			       __ATOMIC_ACQUIRE) < n) {
		if (gt_now_ms() > end)
			return -ETIMEDOUT;
		usleep(10000);
	}
	return 0;
}

/* A reset or power-off: state shutdown, with @reason, and an event. */
static void check_shutdown(struct __test_metadata *_metadata,
			   FIXTURE_DATA(platform) *self, uint32_t sel,
			   uint32_t reason)
{
	static struct treply ev;
	struct gt_stats st;
	struct tnl_sock s;
	int found = 0, err;
	long end;

	PT_CREATE(sel, 0, 0);
	ASSERT_EQ(0, tnl_open(&s));
	ASSERT_EQ(0, tnl_join(&s, TANDEM_MCGRP_EVENTS_NAME));
	PT_START();
	PT_WAIT("sync", NULL);
	ASSERT_EQ(0, tg_wait_state(&self->d, TANDEM_STATE_SHUTDOWN, UCALL_TIMEOUT))
		TH_LOG("state %d, not shutdown; console:\n%s",
		       tg_state(&self->d), self->d.console);
	PT_STATS(&st);
	EXPECT_EQ(reason, st.shutdown_reason);
	tg_console_poll(&self->d);
	EXPECT_EQ(NULL, strstr(self->d.console, "ucall: assert"))
		TH_LOG("console:\n%s", self->d.console);

	end = gt_now_ms() + UCALL_TIMEOUT;
	while (!found && gt_now_ms() < end) {
		err = tnl_recv_cmd(&s, TANDEM_CMD_EVENT, &ev, 1000);
		if (err == -ETIMEDOUT)
			continue;
		ASSERT_EQ(0, err);
		if (treply_u32(&ev, TANDEM_EVENT_A_KIND, 0) != TANDEM_EVENT_DOMAIN_STATE ||
		    treply_u32(&ev, TANDEM_EVENT_A_DOMAIN_ID, 0) != self->d.id ||
		    treply_u32(&ev, TANDEM_EVENT_A_STATE, 0) != TANDEM_STATE_SHUTDOWN)
			continue;
		found = 1;
	}
	tnl_close(&s);
	ASSERT_TRUE(found) TH_LOG("no state event to shutdown");
	EXPECT_EQ(reason, treply_u32(&ev, TANDEM_EVENT_A_SHUTDOWN_REASON,
				     TANDEM_SHUTDOWN_NONE));

	/* The agent was asked, with the reason and no wish; it preserved. */
	ASSERT_EQ(0, wait_shutdown_decisions(self, 1));
	EXPECT_EQ(reason, self->agent.shutdown_reason);
	EXPECT_EQ(-1, self->agent.shutdown_wish);
	EXPECT_EQ(TANDEM_STATE_SHUTDOWN, tg_state(&self->d));
}

TEST_F(platform, i8042_reset_command_reboots)
{
	check_shutdown(_metadata, self, PT_I8042_RESET, TANDEM_SHUTDOWN_REBOOT);
}

TEST_F(platform, port_cf9_reset_reboots)
{
	check_shutdown(_metadata, self, PT_CF9_RESET, TANDEM_SHUTDOWN_REBOOT);
}

TEST_F(platform, pm1a_s5_powers_off)
{
	check_shutdown(_metadata, self, PT_POWEROFF, TANDEM_SHUTDOWN_POWEROFF);
}

/*
 * A reboot the agent answers with restart runs the domain again from the
 * image the builder loaded (the guest checks RAM it dirtied is clean
 * again): the domain asked for restart, the agent restarts twice, then
 * preserves the third reboot. Reboots are not crash restarts.
 */
TEST_F(platform, reboot_restart_verdict_reruns_the_loaded_image)
{
	struct gt_stats st;
	const char *p;
	int run;

	self->agent.shutdown_restarts = 2;
	gt_on_reboot = TANDEM_CRASH_RESTART;
	PT_CREATE(PT_REBOOT_FRESH, 0, 0);
	gt_on_reboot = -1;
	PT_START();
	/* The domain passes through state shutdown between the runs. */
	ASSERT_EQ(0, wait_shutdown_decisions(self, 3))
		TH_LOG("%u reboots decided; console:\n%s",
		       self->agent.decisions[TANDEM_DECISION_SHUTDOWN],
		       self->d.console);
	ASSERT_EQ(0, tg_wait_state(&self->d, TANDEM_STATE_SHUTDOWN, UCALL_TIMEOUT))
		TH_LOG("state %d, not shutdown", tg_state(&self->d));
	tg_console_poll(&self->d);
	for (run = 0, p = self->d.console; (p = strstr(p, "ucall: sync")); p++)
		run++;
	EXPECT_EQ(3, run) TH_LOG("console:\n%s", self->d.console);
	EXPECT_EQ(TANDEM_SHUTDOWN_REBOOT, self->agent.shutdown_reason);
	EXPECT_EQ(TANDEM_CRASH_RESTART, self->agent.shutdown_wish);
	PT_STATS(&st);
	EXPECT_EQ(TANDEM_SHUTDOWN_REBOOT, st.shutdown_reason);
	ASSERT_EQ(0, tg_get(&self->d, &self->r));
	EXPECT_EQ(0, treply_u32(&self->r, TANDEM_DOMAIN_A_RESTARTS, ~0u));
	EXPECT_EQ(TANDEM_CRASH_RESTART,
		  treply_u32(&self->r, TANDEM_DOMAIN_A_ON_REBOOT, ~0u));
	tg_console_poll(&self->d);
	EXPECT_EQ(NULL, strstr(self->d.console, "ucall: assert"))
		TH_LOG("console:\n%s", self->d.console);
}

/* A power-off the agent answers with destroy: the domain is gone. */
TEST_F(platform, poweroff_destroy_verdict_destroys_the_domain)
{
	long end;
	int err;

	self->agent.shutdown_action = TANDEM_CRASH_DESTROY;
	PT_CREATE(PT_POWEROFF, 0, 0);
	PT_START();
	end = gt_now_ms() + UCALL_TIMEOUT;
	while ((err = tg_get(&self->d, &self->r)) == 0 && gt_now_ms() < end)
		usleep(10000);
	EXPECT_EQ(-ENOENT, err);
	EXPECT_EQ(1, self->agent.decisions[TANDEM_DECISION_SHUTDOWN]);
	EXPECT_EQ(TANDEM_SHUTDOWN_POWEROFF, self->agent.shutdown_reason);
}

/*
 * The ACPI PM timer (0x608) runs at 3.579545 MHz of the host's clock: the
 * guest polls it until 100 ms worth of ticks have gone by, which takes
 * about 100 ms of the host's time between its two syncs (not less; and
 * well under two seconds, or the timer is slow). The ticks the guest saw at
 * the end are at least the 100 ms and less than a second's worth.
 */
TEST_F(platform, acpi_pm_timer_counts_at_3_58_mhz_of_host_time)
{
	uint64_t first, ticks;
	long t0, ms;

	PT_CREATE(PT_PM_TIMER, 0, 0);
	PT_START();
	PT_WAIT("sync", &first);
	t0 = gt_now_ms();
	PT_WAIT("sync", &ticks);
	ms = gt_now_ms() - t0;
	PT_WAIT("done", NULL);
	EXPECT_LE(357955, ticks);
	EXPECT_GT(3579545, ticks);
	/* Console polling adds up to 10 ms at each end. */
	EXPECT_LE(80, ms) TH_LOG("100 ms of PM timer in %ld ms of host time", ms);
	EXPECT_GT(2000, ms) TH_LOG("100 ms of PM timer in %ld ms of host time", ms);
}

/*
 * An unclaimed port and an address of the platform hole (0xfef00000) read
 * all-ones in every width and drop writes; each access is counted: 4 port
 * and 6 MMIO accesses.
 */
TEST_F(platform, unclaimed_ports_and_hole_read_all_ones_and_count)
{
	struct gt_stats st;

	PT_CREATE(PT_UNCLAIMED, 0, 0);
	PT_START();
	PT_WAIT("done", NULL);
	PT_STATS(&st);
	EXPECT_EQ(10, st.unhandled_io);
	EXPECT_EQ(6, st.unhandled_mmio);
	EXPECT_EQ(TANDEM_STATE_RUNNING, st.state);
}

/* Just below the platform hole is no hole: the domain crashes there. */
TEST_F(platform, gpa_below_platform_hole_crashes)
{
	struct gt_stats st;

	PT_CREATE(PT_TOUCH, 0xfebff000, 0);
	PT_START();
	PT_WAIT("sync", NULL);
	ASSERT_EQ(0, tg_wait_state(&self->d, TANDEM_STATE_CRASHED, UCALL_TIMEOUT))
		TH_LOG("state %d, not crashed", tg_state(&self->d));
	PT_STATS(&st);
	EXPECT_NE(NULL, strstr(st.crash_reason, "0xfebff000"))
		TH_LOG("CRASH_REASON \"%s\"", st.crash_reason);
	EXPECT_EQ(0, st.unhandled_mmio);
}

/* CONSOLE_WRITE to a domain that does not exist: ENOENT on the id. */
TEST_F(platform, console_write_missing_domain_is_enoent)
{
	uint32_t missing = 0x7ffffff0;
	struct nlattr *id;
	struct tmsg m;

	ASSERT_EQ(0, tnl_open(&self->d.s));
	self->created = 0;
	tmsg_init(&m, self->d.s.family, 0, TANDEM_CMD_CONSOLE_WRITE);
	id = tmsg_put(&m, TANDEM_CONSOLE_A_DOMAIN_ID, &missing, sizeof(missing));
	tmsg_put(&m, TANDEM_CONSOLE_A_DATA, "x", 1);
	ASSERT_EQ(0, tnl_transact(&self->d.s, &m, &self->r));
	EXPECT_EQ(-ENOENT, self->r.err);
	EXPECT_STREQ("no such domain", self->r.ext_msg);
	EXPECT_EQ((int)tmsg_offset(&m, id), self->r.ext_off);
	tnl_close(&self->d.s);
}

/*
 * DATA longer than TANDEM_CONSOLE_WRITE_MAX is refused by the policy with
 * the extack on DATA; empty DATA and a SEQ are refused too.
 */
TEST_F(platform, console_write_oversized_and_empty_data_rejected)
{
	static uint8_t big[TANDEM_CONSOLE_WRITE_MAX + 1];
	uint64_t seq = 0;
	struct nlattr *a;
	struct tmsg m;

	PT_CREATE(PT_UART_RX, 1, 0);
	tmsg_init(&m, self->d.s.family, 0, TANDEM_CMD_CONSOLE_WRITE);
	tmsg_put_u32(&m, TANDEM_CONSOLE_A_DOMAIN_ID, self->d.id);
	a = tmsg_put(&m, TANDEM_CONSOLE_A_DATA, big, sizeof(big));
	ASSERT_EQ(0, tnl_transact(&self->d.s, &m, &self->r));
	EXPECT_EQ(-ERANGE, self->r.err);
	EXPECT_NE(0, strlen(self->r.ext_msg));
	EXPECT_EQ((int)tmsg_offset(&m, a), self->r.ext_off);

	tmsg_init(&m, self->d.s.family, 0, TANDEM_CMD_CONSOLE_WRITE);
	tmsg_put_u32(&m, TANDEM_CONSOLE_A_DOMAIN_ID, self->d.id);
	a = tmsg_put(&m, TANDEM_CONSOLE_A_DATA, NULL, 0);
	ASSERT_EQ(0, tnl_transact(&self->d.s, &m, &self->r));
	EXPECT_EQ(-EINVAL, self->r.err);
	EXPECT_STREQ("DATA is empty", self->r.ext_msg);
	EXPECT_EQ((int)tmsg_offset(&m, a), self->r.ext_off);

	tmsg_init(&m, self->d.s.family, 0, TANDEM_CMD_CONSOLE_WRITE);
	tmsg_put_u32(&m, TANDEM_CONSOLE_A_DOMAIN_ID, self->d.id);
	a = tmsg_put(&m, TANDEM_CONSOLE_A_SEQ, &seq, sizeof(seq));
	tmsg_put(&m, TANDEM_CONSOLE_A_DATA, "x", 1);
	ASSERT_EQ(0, tnl_transact(&self->d.s, &m, &self->r));
	EXPECT_EQ(-EINVAL, self->r.err);
	EXPECT_STREQ("CONSOLE_WRITE takes DATA, not SEQ", self->r.ext_msg);
	EXPECT_EQ((int)tmsg_offset(&m, a), self->r.ext_off);

	/* The maximum is fine. */
	ASSERT_EQ(0, console_write(&self->d.s, self->d.id, big,
				   TANDEM_CONSOLE_WRITE_MAX, &self->r))
		TH_LOG("CONSOLE_WRITE: %s", self->r.ext_msg);
	EXPECT_EQ(TANDEM_CONSOLE_WRITE_MAX, accepted(&self->r));
}

/* Without CAP_SYS_ADMIN (uid 65534 in a child): EPERM. */
TEST_F(platform, console_write_needs_cap_sys_admin)
{
	int status;
	pid_t pid;

	PT_CREATE(PT_UART_RX, 1, 0);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		static struct treply r;
		struct tnl_sock s;

		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534) || tnl_open(&s))
			_exit(100);
		if (console_write(&s, self->d.id, "x", 1, &r) != -EPERM ||
		    strcmp(r.ext_msg, "CAP_SYS_ADMIN required")) {
			fprintf(stderr, "unprivileged CONSOLE_WRITE: %d '%s'\n",
				r.err, r.ext_msg);
			_exit(1);
		}
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
