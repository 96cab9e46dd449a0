// SPDX-License-Identifier: GPL-2.0
/*
 * timer_test: timekeeping as a flat long-mode guest (guest/timer.inc) sees
 * it: the 8254 PIT and port 0x61 (the channel 2 countdown Linux calibrates
 * its TSC with, the counter latch, the read-back status, channel 0's IRQ 0
 * seen through the 8259), the 8259 pair's registers and ELCR, the guest's TSC
 * (near 0 at start, monotonic across pause and resume, IA32_TSC agreeing
 * with RDTSC) and the CPUID leaves that give its frequency, and a guest
 * asking for the shortest timer period without stalling its host.
 *
 * Bounds are loose (10-25 %) and measured against the host's
 * CLOCK_MONOTONIC or its own TSC, so that slow or loaded labs do not make
 * the tests flaky. The guest polls and spins on RDTSC: it takes no
 * interrupt, and few exits.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>
#include <tandem.h>

#include "kselftest_harness.h"
#include "guest_test.h"

#define MiB		(1ULL << 20)
#define UCALL_TIMEOUT	20000	/* ms: slow labs run guests under TCG/Bochs */

#define PIT_HZ		1193182
#define CAL_COUNT	59659	/* keep in step with timer.inc */
#define CAL_ROUNDS	3

/* Routines of guest/timer.inc: keep in step with its R_* numbers. */
enum tt_routine {
	TT_CH2_COUNTDOWN = 1,
	TT_LATCH,
	TT_READBACK,
	TT_TSC,
	TT_CPUID,
	TT_FLOOD,
	TT_PIC_REGS,
	TT_ELCR,
	TT_IRQ0_RATE,
};

#define IRQ0_EVENTS	20	/* of 10 ms each */

FIXTURE(timer) {
	struct test_agent agent;
	struct tg_domain d;
	int created;
	size_t pos;			/* console offset of the next ucall */
	int kmsg;
	const char *skip;
	char line[256];
};

FIXTURE_SETUP(timer)
{
	const char *why = "";
	int err;

	self->kmsg = gt_kmsg_open();
	err = ta_start(&self->agent, &why);
	ASSERT_EQ(0, err) TH_LOG("test agent: %s: %s", why, strerror(-err));
	gt_reap_stale("tt");
	self->skip = gt_unusable(TG_LONG);
}

FIXTURE_TEARDOWN(timer)
{
	if (self->created) {
		tg_destroy(&self->d);
		tg_close(&self->d);
	}
	ta_stop(&self->agent);
	GT_KMSG_CHECK_CLOSE(self->kmsg);
}

#define TT_CREATE(sel, arg) do {					\
	const char *__why = "";						\
	int __err;							\
									\
	if (self->skip)							\
		SKIP(return, "%s", self->skip);				\
	__err = gt_create_payload(&self->d, "tt", 16 * MiB, TG_LONG,	\
				  "timer", sel, arg, 0, &__why);	\
	self->created = 1;						\
	ASSERT_EQ(0, __err) TH_LOG("%s: %s (%s)", __why,		\
				   strerror(-__err), self->d.msg);	\
} while (0)

#define TT_START() \
	ASSERT_EQ(0, tg_start(&self->d)) TH_LOG("START: %s", self->d.msg)

#define TT_WAIT(type, valuep)						\
	ASSERT_EQ(0, gt_wait_ucall(&self->d, &self->pos, type, valuep,	\
				   UCALL_TIMEOUT, self->line,		\
				   sizeof(self->line)))			\
		TH_LOG("waiting for \"ucall: %s\", got: %s; console:\n%s",	\
		       type, self->line, self->d.console)

#define TT_GO() do {							\
	uint32_t __one = 1;						\
									\
	ASSERT_EQ(0, tg_write(&self->d, GT_TEST_ARG2, &__one,		\
			      sizeof(__one)))				\
		TH_LOG("MEM_WRITE: %s", self->d.msg);			\
} while (0)

/* The host's TSC rate in kHz, measured over 200 ms of CLOCK_MONOTONIC. */
static uint64_t host_tsc_khz(void)
{
	struct timespec a, b;
	uint64_t t0, t1, ns;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t0 = __rdtsc();
	usleep(200000);
	t1 = __rdtsc();
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = (b.tv_sec - a.tv_sec) * 1000000000ULL + b.tv_nsec - a.tv_nsec;
	return (t1 - t0) * 1000000ULL / ns;
}

static int host_is_intel(void)
{
	unsigned int a, b, c, d;

	__cpuid(0, a, b, c, d);
	return b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e;
}

static uint64_t median3(uint64_t a, uint64_t b, uint64_t c)
{
	if ((a <= b && b <= c) || (c <= b && b <= a))
		return b;
	if ((b <= a && a <= c) || (c <= a && a <= b))
		return a;
	return c;
}

/*
 * Channel 2 in mode 0, gated on through port 0x61, as Linux's
 * pit_calibrate_tsc: OUT2 is low after the count is written and rises
 * once the 50 ms count has run out; the guest's TSC ticks over PIT ticks
 * match the advertised TSC frequency (median of 3 rounds, +-10 %), and
 * the rounds took at least 75 % of their time in host CLOCK_MONOTONIC.
 */
TEST_F(timer, pit_ch2_countdown_raises_out2_and_tsc_matches_frequency)
{
	uint64_t khz, tsc[CAL_ROUNDS], pit[CAL_ROUNDS], f[CAL_ROUNDS], med;
	long t0, elapsed, want_ms = CAL_ROUNDS * 50;
	int i;

	TT_CREATE(TT_CH2_COUNTDOWN, CAL_ROUNDS);
	TT_START();
	TT_WAIT("sync", &khz);
	ASSERT_NE(0, khz);
	t0 = gt_now_ms();
	TT_GO();
	for (i = 0; i < CAL_ROUNDS; i++) {
		TT_WAIT("sync", &tsc[i]);
		TT_WAIT("sync", &pit[i]);
		ASSERT_LE(CAL_COUNT / 2, pit[i]);
		f[i] = tsc[i] * PIT_HZ / 1000 / pit[i];
	}
	TT_WAIT("done", NULL);
	elapsed = gt_now_ms() - t0;

	med = median3(f[0], f[1], f[2]);
	TH_LOG("TSC %llu kHz; measured %llu %llu %llu kHz (%llu/%llu %llu/%llu %llu/%llu TSC/PIT ticks); %ld ms in all",
	       (unsigned long long)khz, (unsigned long long)f[0],
	       (unsigned long long)f[1], (unsigned long long)f[2],
	       (unsigned long long)tsc[0], (unsigned long long)pit[0],
	       (unsigned long long)tsc[1], (unsigned long long)pit[1],
	       (unsigned long long)tsc[2], (unsigned long long)pit[2], elapsed);
	EXPECT_LE(khz * 9 / 10, med);
	EXPECT_GE(khz * 11 / 10, med);
	EXPECT_LE(want_ms * 3 / 4, elapsed);
	EXPECT_GE(want_ms + 20000, elapsed);
}

/*
 * The counter latch command holds the count until it is read (a count
 * latched and read 2 ms later is over 1 ms of ticks above the next), and
 * counts latched one after another decrease.
 */
TEST_F(timer, pit_counter_latch_holds_decreasing_counts)
{
	uint64_t v[3];

	TT_CREATE(TT_LATCH, 0);
	TT_START();
	TT_WAIT("sync", &v[0]);
	TT_WAIT("sync", &v[1]);
	TT_WAIT("sync", &v[2]);
	TT_WAIT("done", NULL);
	TH_LOG("latched %llu, %llu, %llu", (unsigned long long)v[0],
	       (unsigned long long)v[1], (unsigned long long)v[2]);
	EXPECT_GT(v[0], v[1]);
	EXPECT_GT(v[1], v[2]);
	EXPECT_LE(v[1] + 1193, v[0]);
}

/*
 * The read-back command's status byte shows OUT, null count, access mode,
 * mode and BCD for each channel, before, during and after a count; a status
 * and count read-back returns the status first. (Checked by the guest.)
 */
TEST_F(timer, pit_readback_status_shows_out_null_count_and_mode)
{
	TT_CREATE(TT_READBACK, 0);
	TT_START();
	TT_WAIT("done", NULL);
}

/*
 * The guest's TSC is small at start (less than the time since START, and
 * 5 s at most), RDMSR of IA32_TSC reads between two RDTSCs, and RDTSC
 * never goes back across a pause and a resume; it keeps counting host time
 * meanwhile (the loop lasted at least 75 % of the host's interval).
 */
TEST_F(timer, tsc_starts_near_zero_and_stays_monotonic_across_pause)
{
	uint64_t start_ms, loop_ms, zero;
	long t_start, since_start, t0, host_ms;

	TT_CREATE(TT_TSC, 0);
	t_start = gt_now_ms();
	TT_START();
	TT_WAIT("sync", &start_ms);
	since_start = gt_now_ms() - t_start;
	TH_LOG("guest TSC at its first instruction: %llu ms; %ld ms since START",
	       (unsigned long long)start_ms, since_start);
	EXPECT_GE(5000, start_ms);
	EXPECT_GE(since_start + 100, (long)start_ms);

	TT_WAIT("sync", &zero);
	t0 = gt_now_ms();
	usleep(100000);
	ASSERT_EQ(0, tg_cmd(&self->d, TANDEM_CMD_DOMAIN_PAUSE))
		TH_LOG("PAUSE: %s", self->d.msg);
	EXPECT_EQ(TANDEM_STATE_PAUSED, tg_state(&self->d));
	usleep(300000);
	ASSERT_EQ(0, tg_cmd(&self->d, TANDEM_CMD_DOMAIN_RESUME))
		TH_LOG("RESUME: %s", self->d.msg);
	usleep(100000);
	TT_GO();
	host_ms = gt_now_ms() - t0;
	TT_WAIT("sync", &loop_ms);
	TT_WAIT("done", NULL);
	TH_LOG("the RDTSC loop lasted %llu ms of guest TSC, %ld ms of host time",
	       (unsigned long long)loop_ms, host_ms);
	EXPECT_LE(host_ms * 3 / 4, (long)loop_ms);
	EXPECT_GE(host_ms + 20000, (long)loop_ms);
}

/*
 * CPUID 0x40000010 gives the TSC frequency in kHz (within 10 % of the
 * host's TSC rate, which the guest's follows) and the 1 GHz APIC timer
 * clock; the hypervisor range reaches it. On Intel-vendor hosts leaves
 * 0x15 (1 GHz crystal, ratio within Linux's 32-bit arithmetic) and 0x16
 * give the same frequency; elsewhere they are not announced.
 */
TEST_F(timer, cpuid_leaves_report_tsc_frequency)
{
	uint64_t max, den, num, crystal, mhz, hv_max, khz, bus_khz, host_khz;

	TT_CREATE(TT_CPUID, 0);
	TT_START();
	TT_WAIT("sync", &max);
	TT_WAIT("sync", &den);
	TT_WAIT("sync", &num);
	TT_WAIT("sync", &crystal);
	TT_WAIT("sync", &mhz);
	TT_WAIT("sync", &hv_max);
	TT_WAIT("sync", &khz);
	TT_WAIT("sync", &bus_khz);
	TT_WAIT("done", NULL);

	host_khz = host_tsc_khz();
	TH_LOG("leaf 0 max %#llx; 0x15: %llu/%llu x %llu Hz; 0x16: %llu MHz; 0x40000010: %llu kHz, bus %llu kHz; host TSC %llu kHz",
	       (unsigned long long)max, (unsigned long long)num,
	       (unsigned long long)den, (unsigned long long)crystal,
	       (unsigned long long)mhz, (unsigned long long)khz,
	       (unsigned long long)bus_khz, (unsigned long long)host_khz);
	EXPECT_LE(0x40000010, hv_max);
	EXPECT_EQ(1000000, bus_khz);
	EXPECT_LE(host_khz * 9 / 10, khz);
	EXPECT_GE(host_khz * 11 / 10, khz);
	if (host_is_intel()) {
		uint64_t f;

		EXPECT_LE(0x16, max);
		EXPECT_EQ(1000000000, crystal);
		ASSERT_NE(0, den);
		ASSERT_NE(0, num);
		/* Linux: crystal_khz * EBX / EAX, in 32 bits */
		EXPECT_GT(1ULL << 32, crystal / 1000 * num);
		f = crystal / 1000 * num / den;
		EXPECT_LE(khz - khz / 1000, f);
		EXPECT_GE(khz + khz / 1000, f);
		EXPECT_EQ(khz / 1000, mhz);
	} else {
		EXPECT_GT(0x15, max);
		EXPECT_EQ(0, den);
		EXPECT_EQ(0, num);
		EXPECT_EQ(0, crystal);
		EXPECT_EQ(0, mhz);
	}
}

/*
 * A guest that programs channel 0 at its shortest period (mode 2, count
 * 2: 600 kHz) does not stall the host: a 100 ms sleep lasts less than a
 * second, and the domain pauses and is destroyed within 2 s each.
 */
TEST_F(timer, pit_shortest_period_does_not_stall_host)
{
	long t, slept, paused, destroyed;

	TT_CREATE(TT_FLOOD, 0);
	TT_START();
	TT_WAIT("sync", NULL);
	usleep(300000);
	t = gt_now_ms();
	usleep(100000);
	slept = gt_now_ms() - t;
	t = gt_now_ms();
	ASSERT_EQ(0, tg_cmd(&self->d, TANDEM_CMD_DOMAIN_PAUSE))
		TH_LOG("PAUSE: %s", self->d.msg);
	paused = gt_now_ms() - t;
	EXPECT_EQ(TANDEM_STATE_PAUSED, tg_state(&self->d));
	ASSERT_EQ(0, tg_cmd(&self->d, TANDEM_CMD_DOMAIN_RESUME))
		TH_LOG("RESUME: %s", self->d.msg);
	usleep(200000);
	t = gt_now_ms();
	ASSERT_EQ(0, tg_destroy(&self->d)) TH_LOG("DESTROY: %s", self->d.msg);
	destroyed = gt_now_ms() - t;
	tg_close(&self->d);
	self->created = 0;
	TH_LOG("100 ms sleep took %ld ms; pause %ld ms; destroy %ld ms",
	       slept, paused, destroyed);
	EXPECT_GT(1000, slept);
	EXPECT_GT(2000, paused);
	EXPECT_GT(2000, destroyed);
}

/*
 * The 8259 pair: ICW1-4 initialisation, mask registers that read back,
 * OCW3 reads of IRR and ISR, poll, non-specific and specific EOI, masked
 * requests kept in IRR, with IRQ 0 edges from the PIT. (Checked by the
 * guest.)
 */
TEST_F(timer, pic_init_mask_readback_irr_isr_poll_and_eoi)
{
	TT_CREATE(TT_PIC_REGS, 0);
	TT_START();
	TT_WAIT("done", NULL);
}

/* ELCR bits round trip, except the edge-only IRQs 0, 1, 2, 8 and 13. */
TEST_F(timer, elcr_round_trips_except_edge_only_irqs)
{
	TT_CREATE(TT_ELCR, 0);
	TT_START();
	TT_WAIT("done", NULL);
}

/*
 * Channel 0 in mode 2 with a 10 ms period raises IRQ 0 periodically: 20
 * requests, polled and acknowledged at the 8259, take at least 150 ms of
 * the guest's TSC (never faster than programmed) and at most 800 ms (a
 * request missed by a slow guest coalesces with the next), and at least
 * 150 ms of host time.
 */
TEST_F(timer, pit_ch0_mode2_raises_irq0_every_period)
{
	uint64_t khz, ms;
	long t0, elapsed;

	TT_CREATE(TT_IRQ0_RATE, IRQ0_EVENTS);
	TT_START();
	TT_WAIT("sync", &khz);
	t0 = gt_now_ms();
	TT_GO();
	TT_WAIT("sync", &ms);
	TT_WAIT("done", NULL);
	elapsed = gt_now_ms() - t0;
	TH_LOG("%d IRQ 0 requests took %llu ms of guest TSC, %ld ms of host time",
	       IRQ0_EVENTS, (unsigned long long)ms, elapsed);
	EXPECT_LE(IRQ0_EVENTS * 10 * 3 / 4, ms);
	EXPECT_GE(IRQ0_EVENTS * 10 * 4, ms);
	EXPECT_LE(IRQ0_EVENTS * 10 * 3 / 4, elapsed);
}

TEST_HARNESS_MAIN
