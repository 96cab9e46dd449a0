// SPDX-License-Identifier: GPL-2.0
/*
 * apic_test: the interrupt controllers of tandem_hv and interrupt
 * injection, seen from a flat long-mode guest (guest/apic.inc): the local
 * APIC in xAPIC and x2APIC mode, its timer (one-shot, periodic,
 * TSC-deadline), self-IPIs and priorities, the interrupt window, the I/O
 * APIC with edge and level inputs driven through the test device, and a
 * guest that floods itself with timer interrupts without hurting the host.
 *
 * Each test runs one routine in a fresh 16 MiB domain; the routine checks
 * what it sees and reports with ucalls, the host checks the other side
 * (timing, statistics, state). A test agent answers the policy decisions.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <tandem.h>

#include "kselftest_harness.h"
#include "guest_test.h"

#define MiB		(1ULL << 20)
#define UCALL_TIMEOUT	20000	/* ms: slow labs run guests under TCG/Bochs */

/* Routines of guest/apic.inc: keep in step with its A_* numbers. */
enum at_routine {
	AT_XAPIC_REGS = 1,
	AT_X2APIC,
	AT_SELF_IPI,
	AT_PRIORITY,
	AT_ONESHOT,
	AT_PERIODIC,
	AT_TSC_DEADLINE,
	AT_HLT_WAKE,
	AT_IF0_WINDOW,
	AT_IOAPIC_REGS,
	AT_IOAPIC_EDGE,
	AT_IOAPIC_LEVEL,
	AT_TIMER_STORM,
	AT_START_AP,
};

FIXTURE(apic) {
	struct test_agent agent;
	struct tg_domain d;
	int created;
	size_t pos;			/* console offset of the next ucall */
	int kmsg;
	const char *skip;
	char line[256];
};

FIXTURE_SETUP(apic)
{
	const char *why = "";
	int err;

	self->kmsg = gt_kmsg_open();
	err = ta_start(&self->agent, &why);
	ASSERT_EQ(0, err) TH_LOG("test agent: %s: %s", why, strerror(-err));
	gt_reap_stale("at");
	self->skip = gt_unusable(TG_LONG);
}

FIXTURE_TEARDOWN(apic)
{
	char line[256] = "";
	int trouble;

	if (self->created) {
		tg_destroy(&self->d);
		tg_close(&self->d);
	}
	ta_stop(&self->agent);
	trouble = gt_kmsg_trouble(self->kmsg, line, sizeof(line));
	if (trouble)
		TH_LOG("kernel log: %s", line);
	EXPECT_EQ(0, trouble);
	if (self->kmsg >= 0)
		close(self->kmsg);
}

#define AT_CREATE(sel, arg, arg2) do {					\
	const char *__why = "";						\
	int __err;							\
									\
	if (self->skip)							\
		SKIP(return, "%s", self->skip);				\
	__err = gt_create_payload(&self->d, "at", 16 * MiB, TG_LONG,	\
				  "apic", sel, arg, arg2, &__why);	\
	self->created = 1;						\
	ASSERT_EQ(0, __err) TH_LOG("%s: %s (%s)", __why,		\
				   strerror(-__err), self->d.msg);	\
} while (0)

#define AT_START() \
	ASSERT_EQ(0, tg_start(&self->d)) TH_LOG("START: %s", self->d.msg)

/* What the guest's handlers saw and where it is, for a failure's log. */
static void at_dump(struct __test_metadata *_metadata, struct tg_domain *d)
{
	static const uint8_t vec[] = { 0x40, 0x41, 0x42, 0x44, 0x45, 0x46 };
	struct tandem_vcpu_regs regs;
	uint32_t cnt[256];
	unsigned int i;

	if (tg_read(d, GT_SCRATCH, cnt, sizeof(cnt)))
		return;
	for (i = 0; i < sizeof(vec); i++)
		TH_LOG("vector %#x handled %u times", vec[i], cnt[vec[i]]);
	if (!tg_cmd(d, TANDEM_CMD_DOMAIN_PAUSE) && !tg_get_regs(d, 0, &regs))
		TH_LOG("rip %#llx rflags %#llx", (unsigned long long)regs.rip,
		       (unsigned long long)regs.rflags);
}

#define AT_WAIT(type, valuep) do {					\
	int __err = gt_wait_ucall(&self->d, &self->pos, type, valuep,	\
				  UCALL_TIMEOUT, self->line,		\
				  sizeof(self->line));			\
									\
	if (__err)							\
		at_dump(_metadata, &self->d);				\
	ASSERT_EQ(0, __err)						\
		TH_LOG("waiting for \"ucall: %s\", got: %s; console:\n%s",	\
		       type, self->line, self->d.console);		\
} while (0)

#define AT_STATS(st) \
	ASSERT_EQ(0, gt_get(&self->d, st)) TH_LOG("DOMAIN_GET: %s", self->d.msg)

/*
 * xAPIC MMIO: ID 0, version 0x14 with 6 LVT entries, SVR software enable
 * (LVTs stay masked while disabled), TPR read back with PPR following it,
 * LDR and the divide register. Nothing falls through to the MMIO hole.
 */
TEST_F(apic, xapic_registers_id_version_svr_tpr_ppr)
{
	struct gt_stats st;

	AT_CREATE(AT_XAPIC_REGS, 0, 0);
	AT_START();
	AT_WAIT("done", NULL);
	AT_STATS(&st);
	EXPECT_EQ(0, st.unhandled_mmio);
}

/*
 * IA32_APIC_BASE reads base, EN and BSP; the x2APIC MSRs #GP until
 * EXTD is set, then serve ID, version, LDR, SVR, TPR and PPR while the
 * MMIO page reads all-ones; x2APIC -> xAPIC is refused with #GP, and
 * disable -> xAPIC works.
 */
TEST_F(apic, x2apic_msrs_and_mode_switch)
{
	AT_CREATE(AT_X2APIC, 0, 0);
	AT_START();
	AT_WAIT("done", NULL);
}

/*
 * Self-IPIs (xAPIC ICR with the self shorthand, x2APIC SELF_IPI MSR) are
 * each handled once right after they are sent, with EOI leaving ISR and
 * IRR empty: handled == sent == injected (the vCPU's STATS_A_IRQS).
 */
TEST_F(apic, self_ipi_handled_once_each_with_eoi)
{
	uint64_t handled = 0;
	struct gt_stats st;

	AT_CREATE(AT_SELF_IPI, 8, 0);
	AT_START();
	AT_WAIT("sync", &handled);
	EXPECT_EQ(16, handled);
	AT_WAIT("done", NULL);
	AT_STATS(&st);
	EXPECT_EQ(16, st.irqs);
}

/*
 * Two vectors pending with IF=0 are taken highest first once IF=1; a
 * vector in the TPR's priority class waits until the TPR is lowered.
 */
TEST_F(apic, priority_highest_first_and_tpr_masks_until_lowered)
{
	AT_CREATE(AT_PRIORITY, 0, 0);
	AT_START();
	AT_WAIT("done", NULL);
}

/* Let the guest go on past WAIT_HOST (guest/apic.inc). */
#define AT_RELEASE(v) do {						\
	uint32_t __v = (v);						\
									\
	ASSERT_EQ(0, tg_write(&self->d, GT_TEST_ARG2, &__v, sizeof(__v)))\
		TH_LOG("MEM_WRITE: %s", self->d.msg);			\
} while (0)

/*
 * A one-shot timer of 2 ms counts down, fires once (waking a HLT loop)
 * and is quiet for the 100 ms that follow.
 */
TEST_F(apic, timer_oneshot_fires_once)
{
	AT_CREATE(AT_ONESHOT, 2000000, 0);
	AT_START();
	AT_WAIT("sync", NULL);
	usleep(100000);
	AT_RELEASE(1);
	AT_WAIT("done", NULL);
}

/*
 * A periodic timer of 20 ms fires 5 more times between two reports the
 * host sees at least 50 ms apart (5 periods, less polling slack), and
 * stays quiet for 100 ms once its initial count is zeroed.
 */
TEST_F(apic, timer_periodic_fires_n_times_at_period)
{
	uint64_t n = 0;
	long t0, t1;

	AT_CREATE(AT_PERIODIC, 20000000, 5);
	AT_START();
	AT_WAIT("sync", NULL);
	t0 = gt_now_ms();
	AT_WAIT("sync", &n);
	t1 = gt_now_ms();
	EXPECT_EQ(6, n);
	EXPECT_LE(50, t1 - t0) TH_LOG("5 periods of 20 ms took %ld ms", t1 - t0);
	usleep(100000);
	AT_RELEASE(1);
	AT_WAIT("done", NULL);
}

/*
 * TSC-deadline mode is advertised, a deadline reads back, fires (waking
 * HLT), reads 0 afterwards; a deadline in the past fires at once. The
 * deadline is 20 million ticks ahead (about 10 ms): with 2 million, a
 * busy lab host that preempted the vCPU between WRMSR and RDMSR let it
 * fire before it was read back.
 */
TEST_F(apic, timer_tsc_deadline_fires)
{
	AT_CREATE(AT_TSC_DEADLINE, 20000000, 0);
	AT_START();
	AT_WAIT("done", NULL);
}

/* HLT with IF=1 sleeps until the timer's interrupt, which ends it. */
TEST_F(apic, halted_vcpu_woken_by_its_timer)
{
	struct gt_stats st;

	AT_CREATE(AT_HLT_WAKE, 20000000, 0);
	AT_START();
	AT_WAIT("done", NULL);
	AT_STATS(&st);
	EXPECT_LE(1, st.exits[TANDEM_STAT_EXIT_HLT]);
	EXPECT_LT(0, st.halt_ns);
}

/*
 * A self-IPI sent with IF=0 waits through exits and is taken after STI
 * (and the instruction after it) through an interrupt-window exit.
 */
TEST_F(apic, interrupt_held_while_if0_until_sti_window)
{
	struct gt_stats st;

	AT_CREATE(AT_IF0_WINDOW, 0, 0);
	AT_START();
	AT_WAIT("done", NULL);
	AT_STATS(&st);
	EXPECT_LE(1, st.exits[TANDEM_STAT_EXIT_INTR_WINDOW]);
}

/*
 * I/O APIC: version 0x11 with 24 entries, ID (the MADT's), entries
 * masked at reset, a redirection entry reads back without its read-only
 * bits.
 */
TEST_F(apic, ioapic_registers_and_redirection_entries_read_back)
{
	struct gt_stats st;

	AT_CREATE(AT_IOAPIC_REGS, 0, 0);
	AT_START();
	AT_WAIT("done", NULL);
	AT_STATS(&st);
	EXPECT_EQ(0, st.unhandled_mmio);
}

/*
 * An edge input raised by a device interrupts once per rising edge, not
 * while masked; ISA IRQ 0 arrives on input 2.
 */
TEST_F(apic, ioapic_edge_input_rising_edges_masking_and_irq0_on_pin2)
{
	AT_CREATE(AT_IOAPIC_EDGE, 0, 0);
	AT_START();
	AT_WAIT("done", NULL);
}

/*
 * A level input interrupts again after EOI while asserted, with Remote
 * IRR set in service and cleared by the EOI broadcast; masked, it waits
 * for the unmask.
 */
TEST_F(apic, ioapic_level_input_remote_irr_eoi_and_unmask)
{
	AT_CREATE(AT_IOAPIC_LEVEL, 0, 0);
	AT_START();
	AT_WAIT("done", NULL);
}

/*
 * A guest that programs a periodic timer of one tick (slowed down to the
 * minimum period) and handles it forever does not stall the host: the
 * domain pauses and is destroyed promptly.
 */
TEST_F(apic, one_tick_periodic_timer_does_not_stall_host)
{
	struct gt_stats st;
	long t0, t1;

	AT_CREATE(AT_TIMER_STORM, 0, 0);
	AT_START();
	AT_WAIT("sync", NULL);
	usleep(300000);
	t0 = gt_now_ms();
	ASSERT_EQ(0, tg_cmd(&self->d, TANDEM_CMD_DOMAIN_PAUSE))
		TH_LOG("PAUSE: %s", self->d.msg);
	t1 = gt_now_ms();
	EXPECT_GT(2000, t1 - t0) TH_LOG("pause took %ld ms", t1 - t0);
	AT_STATS(&st);
	EXPECT_EQ(TANDEM_STATE_PAUSED, st.state);
	t0 = gt_now_ms();
	ASSERT_EQ(0, tg_destroy(&self->d)) TH_LOG("DESTROY: %s", self->d.msg);
	t1 = gt_now_ms();
	EXPECT_GT(2000, t1 - t0) TH_LOG("destroy took %ld ms", t1 - t0);
	tg_close(&self->d);
	self->created = 0;
}

/*
 * A second vCPU waits for the guest to start it: INIT (and the INIT
 * de-assert, which does nothing) then STARTUP with vector 0x0c from vCPU
 * 0's xAPIC run it in real mode at 0xc000 (CS 0x0c00, IP 0), once. A
 * second STARTUP while it runs is ignored; INIT stops it and STARTUP runs
 * it again. Real mode: skipped where VMX lacks unrestricted guest.
 */
TEST_F(apic, init_and_startup_ipis_start_the_second_vcpu_once)
{
	struct tandem_vcpu_regs regs;
	uint64_t starts = 0;

	if (!self->skip)
		self->skip = gt_unusable(TG_REAL);
	gt_vcpus = 2;
	AT_CREATE(AT_START_AP, 0, 0);
	gt_vcpus = 1;
	AT_START();
	AT_WAIT("sync", &starts);
	EXPECT_EQ(1, starts);
	AT_WAIT("sync", &starts);
	EXPECT_EQ(1, starts) TH_LOG("a second STARTUP restarted the AP");
	AT_WAIT("sync", &starts);
	EXPECT_EQ(2, starts) TH_LOG("INIT then STARTUP did not start it again");
	AT_WAIT("done", NULL);
	ASSERT_EQ(0, tg_get_regs(&self->d, 1, &regs)) TH_LOG("%s", self->d.msg);
	EXPECT_EQ(0x0c00, regs.cs.selector);
	EXPECT_EQ(0xc000, regs.cs.base);
}

TEST_HARNESS_MAIN
