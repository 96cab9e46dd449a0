// SPDX-License-Identifier: GPL-2.0
/*
 * exit_test: the exits tandem_hv handles in common code, seen from a guest
 * in real, protected and long mode: HLT, port I/O, string I/O, MMIO through
 * the decoder, CPUID, MSRs, hypercalls, #UD for virtualization
 * instructions, and a triple fault.
 *
 * Each test runs one routine of guest/tests.inc in a fresh 16 MiB domain;
 * the routine checks what it sees and reports with ucalls ("ucall: sync",
 * "ucall: done", or "ucall: assert <value> tests.inc:<line>" on the
 * console); the host checks the other side (statistics, memory, state,
 * events). A test agent (test_agent.h) answers the policy decisions.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <tandem.h>

#include "kselftest_harness.h"
#include "guest_test.h"

#define MiB		(1ULL << 20)
#define UCALL_TIMEOUT	10000	/* ms: slow labs run guests under TCG/Bochs */

FIXTURE(exits) {
	struct test_agent agent;
	struct tg_domain d;
	int created;
	size_t pos;			/* console offset of the next ucall */
	int kmsg;
	const char *skip;
	char line[256];
};

FIXTURE_VARIANT(exits) {
	enum tg_mode mode;
};

FIXTURE_VARIANT_ADD(exits, real) {
	.mode = TG_REAL,
};

FIXTURE_VARIANT_ADD(exits, protected) {
	.mode = TG_PROTECTED,
};

FIXTURE_VARIANT_ADD(exits, long) {
	.mode = TG_LONG,
};

FIXTURE_SETUP(exits)
{
	const char *why = "";
	int err;

	self->kmsg = gt_kmsg_open();
	err = ta_start(&self->agent, &why);
	ASSERT_EQ(0, err) TH_LOG("test agent: %s: %s", why, strerror(-err));
	gt_reap_stale("xt");
	self->skip = gt_unusable(variant->mode);
}

FIXTURE_TEARDOWN(exits)
{
	char line[256] = "";
	int trouble;

	if (self->created) {
		tg_destroy(&self->d);
		tg_close(&self->d);
	}
	ta_stop(&self->agent);
	/*
	 * Whatever the guest did, the host kernel did not complain. (No
	 * TH_LOG on the check itself: after a failed ASSERT the harness runs
	 * the next check's log statement even when that check passes.)
	 */
	trouble = gt_kmsg_trouble(self->kmsg, line, sizeof(line));
	if (trouble)
		TH_LOG("kernel log: %s", line);
	EXPECT_EQ(0, trouble);
	if (self->kmsg >= 0)
		close(self->kmsg);
}

/* Create the domain for routine @sel; the test starts it. */
#define XT_CREATE(sel) do {						\
	const char *__why = "";						\
	int __err;							\
									\
	if (self->skip)							\
		SKIP(return, "%s", self->skip);				\
	__err = gt_create(&self->d, "xt", 16 * MiB, variant->mode, sel,	\
			  0, 0, &__why);					\
	self->created = 1;						\
	ASSERT_EQ(0, __err) TH_LOG("%s: %s (%s)", __why,		\
				   strerror(-__err), self->d.msg);	\
} while (0)

#define XT_START() \
	ASSERT_EQ(0, tg_start(&self->d)) TH_LOG("START: %s", self->d.msg)

/* Wait for the next ucall of @type ("sync", "done"); fail on an assert. */
#define XT_WAIT(type, valuep)						\
	ASSERT_EQ(0, gt_wait_ucall(&self->d, &self->pos, type, valuep,	\
				   UCALL_TIMEOUT, self->line,		\
				   sizeof(self->line)))			\
		TH_LOG("waiting for \"ucall: %s\", got: %s; console:\n%s",	\
		       type, self->line, self->d.console)

#define XT_STATS(st) \
	ASSERT_EQ(0, gt_get(&self->d, st)) TH_LOG("DOMAIN_GET: %s", self->d.msg)

/*
 * The guest halts after a sync: while it is halted the vCPU spends no time
 * in the guest and takes no exits, HALT_NS grows with the time halted, and
 * the guest goes on only after a pause and resume wake it.
 */
TEST_F(exits, hlt_halts_until_pause_and_resume_wake_it)
{
	struct gt_stats s0, s1, s2;
	long end;

	XT_CREATE(GT_HLT);
	XT_START();
	XT_WAIT("sync", NULL);
	ASSERT_EQ(0, gt_wait_exits(&self->d, TANDEM_STAT_EXIT_HLT, 1, 5000))
		TH_LOG("the vCPU never exited on HLT");
	XT_STATS(&s0);
	usleep(500000);
	XT_STATS(&s1);
	EXPECT_EQ(TANDEM_STATE_RUNNING, s1.state);
	EXPECT_GE(s0.run_ns + 2000000, s1.run_ns)
		TH_LOG("RUN_NS grew by %llu ns while halted",
		       (unsigned long long)(s1.run_ns - s0.run_ns));
	EXPECT_EQ(1, s1.exits[TANDEM_STAT_EXIT_HLT]);
	EXPECT_LE(s0.halt_ns + 400000000ULL, s1.halt_ns)
		TH_LOG("HALT_NS grew by %llu ns over 500 ms halted (%llu -> %llu)",
		       (unsigned long long)(s1.halt_ns - s0.halt_ns),
		       (unsigned long long)s0.halt_ns,
		       (unsigned long long)s1.halt_ns);
	tg_console_poll(&self->d);
	EXPECT_EQ(NULL, strstr(self->d.console + self->pos, "ucall: done"))
		TH_LOG("the guest went past HLT without a wake-up");

	ASSERT_EQ(0, tg_cmd(&self->d, TANDEM_CMD_DOMAIN_PAUSE))
		TH_LOG("PAUSE: %s", self->d.msg);
	/* Once the vCPU thread has seen the pause, the halt is accounted. */
	end = gt_now_ms() + 3000;
	do {
		XT_STATS(&s2);
		if (s2.halt_ns >= s0.halt_ns + 500000000ULL)
			break;
		usleep(20000);
	} while (gt_now_ms() < end);
	EXPECT_EQ(TANDEM_STATE_PAUSED, s2.state);
	EXPECT_LE(s0.halt_ns + 500000000ULL, s2.halt_ns)
		TH_LOG("HALT_NS %llu after >= 500 ms halted and a pause",
		       (unsigned long long)s2.halt_ns);
	ASSERT_EQ(0, tg_cmd(&self->d, TANDEM_CMD_DOMAIN_RESUME))
		TH_LOG("RESUME: %s", self->d.msg);
	XT_WAIT("done", NULL);
	EXPECT_EQ(TANDEM_STATE_RUNNING, tg_state(&self->d));
}

/*
 * OUT and IN of 1, 2 and 4 bytes reach the test device's registers and come
 * back; unclaimed ports (0x6ff, 0x720, 0x80) read all-ones of the access
 * width, drop writes, and each access counts in UNHANDLED_IO.
 */
TEST_F(exits, pio_widths_round_trip_and_unclaimed_ports_read_all_ones)
{
	struct gt_stats st;

	XT_CREATE(GT_PIO);
	XT_START();
	XT_WAIT("done", NULL);
	XT_STATS(&st);
	/* 0x720: IN b/w/l and OUT b; 0x6ff: IN b; 0x80: IN b and OUT b. */
	EXPECT_EQ(7, st.unhandled_io);
	/* One exit per IN/OUT instruction of the routine, no more. */
	EXPECT_EQ(17, st.exits[TANDEM_STAT_EXIT_IO]);
}

/*
 * REP OUTSB and REP OUTSW read guest memory element by element, REP INSB
 * writes it, RSI/RDI and RCX end where they should; the host sees the
 * INSB destination with MEM_READ, guards intact.
 */
TEST_F(exits, string_io_moves_memory_through_ports)
{
	static const uint8_t src[8] = {
		0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	};
	uint8_t buf[0x12], expect[0x12];

	XT_CREATE(GT_STRING_IO);
	XT_START();
	XT_WAIT("done", NULL);

	memset(expect, 0xa5, sizeof(expect));
	expect[0] = 0x5a;
	expect[0x11] = 0x5a;
	ASSERT_EQ(0, tg_read(&self->d, GT_SCRATCH + 0xff, buf, sizeof(buf)))
		TH_LOG("MEM_READ: %s", self->d.msg);
	EXPECT_EQ(0, memcmp(expect, buf, sizeof(buf)));
	ASSERT_EQ(0, tg_read(&self->d, GT_SCRATCH, buf, sizeof(src)));
	EXPECT_EQ(0, memcmp(src, buf, sizeof(src)))
		TH_LOG("OUTS changed its source");
}

/*
 * MMIO reads and writes of each width (8 bytes in long mode) decoded by the
 * mechanism: MOV to/from registers (AH, r9-r12 included), MOV immediate,
 * MOVZX and MOVSX; port accesses to the same registers show the values
 * went to the device. One nested page fault per access at least.
 */
TEST_F(exits, mmio_widths_mov_imm_movzx_movsx_reach_the_test_device)
{
	struct gt_stats st;

	XT_CREATE(GT_MMIO);
	XT_START();
	XT_WAIT("done", NULL);
	XT_STATS(&st);
	EXPECT_LE(variant->mode == TG_LONG ? 25 : 16,
		  st.exits[TANDEM_STAT_EXIT_NPF]);
	EXPECT_EQ(0, st.unhandled_io);
}

/*
 * CPUID shows the hypervisor bit, hides VMX and SVM, and leaf 0x40000000
 * says "TandemTandem" with 0x40000001 as the highest hypervisor leaf.
 */
TEST_F(exits, cpuid_hides_vmx_svm_and_shows_tandem_signature)
{
	char sig[13] = "";

	XT_CREATE(GT_CPUID);
	XT_START();
	XT_WAIT("done", NULL);
	ASSERT_EQ(0, tg_read(&self->d, GT_SCRATCH, sig, 12));
	EXPECT_STREQ("TandemTandem", sig);
}

/*
 * RDMSR of the TSC works (and it advances), WRMSR of UCODE_REV is
 * accepted, RDMSR and WRMSR of MSR 0xdeadbeef raise #GP in the guest,
 * delivered through its own IDT (IVT in real mode) with the right frame.
 */
TEST_F(exits, msr_tsc_reads_and_unknown_msr_raises_gp)
{
	struct gt_stats st;

	XT_CREATE(GT_MSR);
	XT_START();
	XT_WAIT("done", NULL);
	XT_STATS(&st);
	EXPECT_LE(3, st.exits[TANDEM_STAT_EXIT_RDMSR]);
	EXPECT_LE(2, st.exits[TANDEM_STAT_EXIT_WRMSR]);
}

/*
 * CONSOLE_WRITE returns the length and keeps the other registers, PUTC
 * appends one character, YIELD returns 0, an unknown function returns
 * -ENOSYS, SHUTDOWN ends in state shutdown.
 */
TEST_F(exits, hypercalls_console_putc_enosys_and_shutdown)
{
	XT_CREATE(GT_HYPERCALL);
	XT_START();
	XT_WAIT("done", NULL);
	ASSERT_EQ(0, tg_wait_state(&self->d, TANDEM_STATE_SHUTDOWN, UCALL_TIMEOUT))
		TH_LOG("state %d, not shutdown", tg_state(&self->d));
	tg_console_poll(&self->d);
	EXPECT_NE(NULL, strstr(self->d.console, "console write from the guest\n!\n"))
		TH_LOG("console:\n%s", self->d.console);
	EXPECT_EQ(TANDEM_STATE_SHUTDOWN, tg_state(&self->d));
}

/*
 * VMXON, VMRUN, the other vendor's hypercall instruction and XSETBV raise
 * #UD in the guest (its own handler sees vector 6, four times), and the
 * right hypercall still works afterwards.
 */
TEST_F(exits, virtualization_instructions_raise_ud)
{
	XT_CREATE(GT_UD);
	XT_START();
	XT_WAIT("done", NULL);
	EXPECT_EQ(TANDEM_STATE_RUNNING, tg_state(&self->d));
}

/*
 * With no IDT, UD2 triple-faults: the domain is crashed (preserved), its
 * CRASH_REASON says "triple fault at rip <rip>", and a DOMAIN_CRASHED
 * event on the "events" group carries the reason and registers whose RIP
 * is the UD2.
 */
TEST_F(exits, triple_fault_crashes_with_reason_and_event)
{
	static struct treply ev;
	struct tandem_vcpu_regs regs;
	char rip[32], reason[TANDEM_REASON_MAX] = "";
	struct gt_stats st;
	struct tnl_sock s;
	int found = 0, err;
	uint64_t ud2;
	long end;

	XT_CREATE(GT_TRIPLE_FAULT);
	ASSERT_EQ(0, tnl_open(&s));
	ASSERT_EQ(0, tnl_join(&s, TANDEM_MCGRP_EVENTS_NAME));
	XT_START();
	XT_WAIT("sync", &ud2);
	ASSERT_EQ(0, tg_wait_state(&self->d, TANDEM_STATE_CRASHED, UCALL_TIMEOUT))
		TH_LOG("state %d, not crashed", tg_state(&self->d));

	XT_STATS(&st);
	snprintf(rip, sizeof(rip), "%#llx", (unsigned long long)ud2);
	EXPECT_NE(NULL, strstr(st.crash_reason, "triple fault"))
		TH_LOG("CRASH_REASON \"%s\"", st.crash_reason);
	EXPECT_NE(NULL, strstr(st.crash_reason, rip))
		TH_LOG("CRASH_REASON \"%s\" lacks the rip %s", st.crash_reason, rip);
	EXPECT_EQ(1, st.exits[TANDEM_STAT_EXIT_TRIPLE_FAULT]);

	/* The event follows the agent's verdict on the crash. */
	end = gt_now_ms() + UCALL_TIMEOUT;
	while (!found && gt_now_ms() < end) {
		err = tnl_recv_cmd(&s, TANDEM_CMD_EVENT, &ev, 1000);
		if (err == -ETIMEDOUT)
			continue;
		ASSERT_EQ(0, err);
		if (treply_u32(&ev, TANDEM_EVENT_A_KIND, 0) != TANDEM_EVENT_DOMAIN_CRASHED ||
		    treply_u32(&ev, TANDEM_EVENT_A_DOMAIN_ID, 0) != self->d.id)
			continue;
		found = 1;
	}
	tnl_close(&s);
	ASSERT_TRUE(found) TH_LOG("no DOMAIN_CRASHED event for domain %u", self->d.id);
	snprintf(reason, sizeof(reason), "%s", treply_str(&ev, TANDEM_EVENT_A_REASON));
	EXPECT_STREQ(st.crash_reason, reason);
	EXPECT_EQ(TANDEM_CRASH_PRESERVE,
		  treply_u32(&ev, TANDEM_EVENT_A_ACTION, TANDEM_CRASH_DESTROY));
	ASSERT_NE(NULL, ev.tb[TANDEM_EVENT_A_REGS]);
	ASSERT_EQ(sizeof(regs), tnla_len(ev.tb[TANDEM_EVENT_A_REGS]));
	memcpy(&regs, tnla_data(ev.tb[TANDEM_EVENT_A_REGS]), sizeof(regs));
	EXPECT_EQ(ud2, regs.rip);
	EXPECT_EQ(TANDEM_STATE_CRASHED, tg_state(&self->d));
}

TEST_HARNESS_MAIN
