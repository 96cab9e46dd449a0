// SPDX-License-Identifier: GPL-2.0
/*
 * exit_test: the exits tandem_hv handles in common code, seen from a guest
 * in real, protected and long mode: HLT, port I/O, string I/O, MMIO through
 * the decoder, CPUID, MSRs, hypercalls, #UD for virtualization
 * instructions, and a triple fault; and the guest CPU state the mechanism
 * switches or hides: CR4 bits, x87/SSE registers, debug registers.
 *
 * Each test runs one routine of guest/tests.inc in a fresh 16 MiB domain;
 * the routine checks what it sees and reports with ucalls ("ucall: sync",
 * "ucall: done", or "ucall: assert <value> tests.inc:<line>" on the
 * console); the host checks the other side (statistics, memory, state,
 * events). A test agent (test_agent.h) answers the policy decisions.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <tandem.h>

#include "kselftest_harness.h"
#include "guest_test.h"

#define MiB		(1ULL << 20)
#define UCALL_TIMEOUT	10000	/* ms: slow labs run guests under TCG/Bochs */
#define LOOP_TIMEOUT	60000	/* ms: for the routines that loop on exits */

/* CR4 bits (SDM Vol. 3A 2.5) */
#define CR4_OSXSAVE	(1ULL << 18)
#define CR4_PKE		(1ULL << 22)

FIXTURE(exits) {
	struct test_agent agent;
	struct tg_domain d;
	struct tg_domain d2;		/* a second domain, for some tests */
	int created;
	int created2;
	size_t pos;			/* console offset of the next ucall */
	size_t pos2;			/* likewise on d2 */
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
	if (self->created) {
		tg_destroy(&self->d);
		tg_close(&self->d);
	}
	if (self->created2) {
		tg_destroy(&self->d2);
		tg_close(&self->d2);
	}
	ta_stop(&self->agent);
	/* Whatever the guest did, the host kernel did not complain. */
	GT_KMSG_CHECK_CLOSE(self->kmsg);
}

/* Create domain @d for routine @sel and its arguments; the test starts it. */
#define XT_CREATE_ON(d, created, sel, arg, arg2) do {			\
	const char *__why = "";						\
	int __err;							\
									\
	if (self->skip)							\
		SKIP(return, "%s", self->skip);				\
	__err = gt_create(&(d), "xt", 16 * MiB, variant->mode, sel,	\
			  arg, arg2, &__why);				\
	created = 1;							\
	ASSERT_EQ(0, __err) TH_LOG("%s: %s (%s)", __why,		\
				   strerror(-__err), (d).msg);		\
} while (0)

#define XT_CREATE(sel)	XT_CREATE_ON(self->d, self->created, sel, 0, 0)

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
 * says "TandemTandem" with 0x40000010 (the TSC frequency
 * leaf) as the highest hypervisor leaf.
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

/*
 * CR4 takes the bits the guest's CPUID announces (the SSE enables, PGE)
 * and refuses the others with #GP delivered to the guest's handler, CR4
 * unchanged: OSXSAVE (XGETBV stays #UD), PKE (RDPKRU stays #UD), VMXE,
 * UMIP, and in long mode PCIDE and clearing PAE. On SVM without decode
 * assists (the QEMU lab) each CR4 write is decoded from guest memory.
 */
TEST_F(exits, cr4_osxsave_pke_and_unannounced_bits_raise_gp)
{
	XT_CREATE(GT_CR4);
	XT_START();
	XT_WAIT("done", NULL);
	EXPECT_EQ(TANDEM_STATE_RUNNING, tg_state(&self->d));
}

/* Expect VCPU_SET_REGS to refuse @regs with CR4 | @bit, naming CR4. */
#define XT_SET_CR4_REFUSED(regs, bit) do {				\
	struct tandem_vcpu_regs __r = (regs);				\
									\
	__r.cr4 |= (bit);						\
	EXPECT_EQ(-EINVAL, tg_set_regs(&self->d, 0, &__r));		\
	EXPECT_NE(NULL, strstr(self->d.msg, "cr4 sets bits"))		\
		TH_LOG("extack \"%s\"", self->d.msg);			\
} while (0)

/*
 * VCPU_SET_REGS refuses a CR4 with OSXSAVE or PKE, with an extack that
 * says so, both before the first start (when the state is only recorded)
 * and on a paused domain; the domain then starts and runs as before.
 */
TEST_F(exits, set_regs_refuses_cr4_osxsave_and_pke)
{
	struct tandem_vcpu_regs regs, now;

	XT_CREATE(GT_CR4);
	ASSERT_EQ(0, tg_get_regs(&self->d, 0, &regs)) TH_LOG("%s", self->d.msg);
	XT_SET_CR4_REFUSED(regs, CR4_OSXSAVE);
	XT_SET_CR4_REFUSED(regs, CR4_PKE);
	ASSERT_EQ(0, tg_get_regs(&self->d, 0, &now));
	EXPECT_EQ(regs.cr4, now.cr4);
	XT_START();
	XT_WAIT("done", NULL);
	ASSERT_EQ(0, tg_cmd(&self->d, TANDEM_CMD_DOMAIN_PAUSE))
		TH_LOG("PAUSE: %s", self->d.msg);
	ASSERT_EQ(0, tg_get_regs(&self->d, 0, &regs)) TH_LOG("%s", self->d.msg);
	XT_SET_CR4_REFUSED(regs, CR4_OSXSAVE);
	XT_SET_CR4_REFUSED(regs, CR4_PKE);
	ASSERT_EQ(0, tg_get_regs(&self->d, 0, &now));
	EXPECT_EQ(0, now.cr4 & (CR4_OSXSAVE | CR4_PKE));
	/* The same state without the bit is accepted. */
	EXPECT_EQ(0, tg_set_regs(&self->d, 0, &regs)) TH_LOG("%s", self->d.msg);
}

/* Wake a halted guest: pause, then resume. */
#define XT_WAKE(d) do {							\
	ASSERT_EQ(0, tg_cmd(&(d), TANDEM_CMD_DOMAIN_PAUSE))		\
		TH_LOG("PAUSE: %s", (d).msg);				\
	ASSERT_EQ(0, tg_cmd(&(d), TANDEM_CMD_DOMAIN_RESUME))		\
		TH_LOG("RESUME: %s", (d).msg);				\
} while (0)

#define FPU_LOOPS	400

/*
 * The guest's XMM registers (8, or 16 in long mode), ST0 and MXCSR keep
 * its values across a halt and a wake-up, and across FPU_LOOPS rounds of
 * a port write, a CPUID and a yield hypercall (each yield ends the vCPU's
 * slice: its state is saved and loaded again).
 */
TEST_F(exits, x87_sse_state_survives_exits_halt_and_yield)
{
	struct gt_stats st;

	XT_CREATE_ON(self->d, self->created, GT_FPU, 0x11223344, FPU_LOOPS);
	XT_START();
	XT_WAIT("sync", NULL);
	ASSERT_EQ(0, gt_wait_exits(&self->d, TANDEM_STAT_EXIT_HLT, 1, 5000))
		TH_LOG("the vCPU never exited on HLT");
	XT_WAKE(self->d);
	ASSERT_EQ(0, gt_wait_ucall(&self->d, &self->pos, "done", NULL,
				   LOOP_TIMEOUT, self->line, sizeof(self->line)))
		TH_LOG("waiting for \"ucall: done\", got: %s; console:\n%s",
		       self->line, self->d.console);
	XT_STATS(&st);
	EXPECT_LE(FPU_LOOPS, st.exits[TANDEM_STAT_EXIT_IO]);
	EXPECT_LE(FPU_LOOPS, st.exits[TANDEM_STAT_EXIT_CPUID]);
	EXPECT_LE(FPU_LOOPS, st.exits[TANDEM_STAT_EXIT_HYPERCALL]);
}

/*
 * Two domains whose vCPUs share host CPU 0 load different XMM/x87
 * patterns, halt, and are woken together; each then yields the CPU to the
 * other FPU_LOOPS times and still finds its own values, never the other's.
 */
TEST_F(exits, two_domains_on_one_cpu_keep_their_own_fpu_state)
{
	if (self->skip)
		SKIP(return, "%s", self->skip);
	self->agent.cpumask = 1;
	XT_CREATE_ON(self->d, self->created, GT_FPU, 0x0a0b0c0d, FPU_LOOPS);
	XT_CREATE_ON(self->d2, self->created2, GT_FPU, 0x50607080, FPU_LOOPS);
	XT_START();
	XT_WAIT("sync", NULL);
	ASSERT_EQ(0, gt_wait_exits(&self->d, TANDEM_STAT_EXIT_HLT, 1, 5000));
	ASSERT_EQ(0, tg_start(&self->d2)) TH_LOG("START: %s", self->d2.msg);
	ASSERT_EQ(0, gt_wait_ucall(&self->d2, &self->pos2, "sync", NULL,
				   UCALL_TIMEOUT, self->line, sizeof(self->line)))
		TH_LOG("second domain: %s; console:\n%s", self->line,
		       self->d2.console);
	ASSERT_EQ(0, gt_wait_exits(&self->d2, TANDEM_STAT_EXIT_HLT, 1, 5000));
	/* Both loaded their state on CPU 0; now they take turns on it. */
	ASSERT_EQ(0, tg_cmd(&self->d, TANDEM_CMD_DOMAIN_PAUSE));
	ASSERT_EQ(0, tg_cmd(&self->d2, TANDEM_CMD_DOMAIN_PAUSE));
	ASSERT_EQ(0, tg_cmd(&self->d, TANDEM_CMD_DOMAIN_RESUME));
	ASSERT_EQ(0, tg_cmd(&self->d2, TANDEM_CMD_DOMAIN_RESUME));
	ASSERT_EQ(0, gt_wait_ucall(&self->d, &self->pos, "done", NULL,
				   LOOP_TIMEOUT, self->line, sizeof(self->line)))
		TH_LOG("first domain: %s; console:\n%s", self->line,
		       self->d.console);
	ASSERT_EQ(0, gt_wait_ucall(&self->d2, &self->pos2, "done", NULL,
				   LOOP_TIMEOUT, self->line, sizeof(self->line)))
		TH_LOG("second domain: %s; console:\n%s", self->line,
		       self->d2.console);
}

static volatile uint32_t xt_watched;

/* Sum of the counts of the breakpoint events in @fd[0..@n). */
static uint64_t xt_bp_count(const int *fd, int n)
{
	uint64_t sum = 0, v;
	int i;

	for (i = 0; i < n; i++)
		if (fd[i] >= 0 && read(fd[i], &v, sizeof(v)) == sizeof(v))
			sum += v;
	return sum;
}

/*
 * Debug registers are virtual: with a host hardware breakpoint armed on
 * every CPU (perf, on a variable of this test), the guest reads DR0-3 as
 * 0, not the host's address; what it writes reads back, its breakpoints
 * do not fire, DR7 bits 63:32 are #GP in long mode. The host's breakpoint
 * still fires afterwards on CPU 0, where the vCPU ran.
 */
TEST_F(exits, debug_registers_are_virtual_and_host_breakpoints_survive)
{
	struct perf_event_attr pe;
	int fd[64], ncpu, i;
	uint64_t before, after;
	cpu_set_t set;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu > 64)
		ncpu = 64;
	memset(&pe, 0, sizeof(pe));
	pe.type = PERF_TYPE_BREAKPOINT;
	pe.size = sizeof(pe);
	pe.bp_type = HW_BREAKPOINT_W;
	pe.bp_addr = (uintptr_t)&xt_watched;
	pe.bp_len = HW_BREAKPOINT_LEN_4;
	pe.exclude_kernel = 1;
	for (i = 0; i < ncpu; i++) {
		fd[i] = syscall(__NR_perf_event_open, &pe, -1, i, -1, 0);
		ASSERT_LE(0, fd[i]) TH_LOG("perf breakpoint on CPU %d: %s", i,
					   strerror(errno));
	}
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	self->agent.cpumask = 1;

	before = xt_bp_count(fd, ncpu);
	xt_watched++;
	before = xt_bp_count(fd, ncpu) - before;

	XT_CREATE(GT_DEBUGREG);
	XT_START();
	XT_WAIT("done", NULL);

	after = xt_bp_count(fd, ncpu);
	xt_watched++;
	after = xt_bp_count(fd, ncpu) - after;
	for (i = 0; i < ncpu; i++)
		close(fd[i]);
	/* Without data breakpoints in the lab's CPU, nothing fires at all. */
	if (!before)
		TH_LOG("the host breakpoint never fired: this CPU (emulator) does not implement data breakpoints; DR0-3 were still armed");
	EXPECT_EQ(before, after) TH_LOG("host breakpoint hits: %llu before the guest ran, %llu after",
					(unsigned long long)before,
					(unsigned long long)after);
}

TEST_HARNESS_MAIN
