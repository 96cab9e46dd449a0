// SPDX-License-Identifier: GPL-2.0
/*
 * linux_boot_test: an unmodified Linux guest under Tandem. The lab's own
 * Debian kernel (copied into the lab as /lib/tandem/guest/vmlinuz) is
 * built into a domain by `tandem create -f` from a domain configuration
 * file, the way an administrator does it, and its console is followed.
 *
 * The guest's initramfs is busybox with selftests/tandem/linux_guest/init,
 * which reports on the console and does what tandem.run= says.
 *
 * The first test boots the bzImage, decompressor and all. The others boot
 * the same kernel uncompressed (/lib/tandem/guest/vmlinux, an ELF file the
 * builder loads by segment and enters at startup_64): the decompressor is
 * three quarters of a boot to /init, which costs minutes in the VMX lab.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <tandem.h>

#include "kselftest_harness.h"
#include "guest_test.h"
#include "linux_guest.h"


FIXTURE(linux_guest) {
	struct test_agent agent;
	struct tg_domain d;
	char name[32];
	char cfg[64];
	char marker[32];
	int created;
	/* a second guest, for the test that runs two at once */
	struct tg_domain d2;
	char name2[32];
	char cfg2[64];
	int created2;
	int vcpus;	/* of the guests created from now on */
	const char *kernel;	/* their kernel file */
	int kmsg;
	struct treply r;
};

FIXTURE_SETUP(linux_guest)
{
	const char *why = "";
	int err;

	self->kmsg = gt_kmsg_open();
	err = ta_start(&self->agent, &why);
	ASSERT_EQ(0, err) TH_LOG("test agent: %s: %s", why, strerror(-err));
	/* The configuration wishes destroy on power-off; the agent agrees. */
	self->agent.shutdown_action = TANDEM_CRASH_DESTROY;
	/*
	 * One host CPU: the SVM lab's CPUs have unsynchronised TSCs, and the
	 * guest's TSC (the host's plus an offset) would jump whenever its
	 * vCPU moved, and with it the guest's clock.
	 */
	self->agent.cpumask = 1;
	self->vcpus = 1;
	/*
	 * The uncompressed kernel, unless a test needs the bzImage: its
	 * decompression is three quarters of a boot to /init, minutes in
	 * the VMX lab. The first test boots the bzImage.
	 */
	self->kernel = GUEST_VMLINUX;
	gt_reap_stale("lnx");
	snprintf(self->name, sizeof(self->name), "lnx%d-0", getpid());
	snprintf(self->cfg, sizeof(self->cfg), "/tmp/%s.cfg", self->name);
	snprintf(self->name2, sizeof(self->name2), "lnx%d-1", getpid());
	snprintf(self->cfg2, sizeof(self->cfg2), "/tmp/%s.cfg", self->name2);
	snprintf(self->marker, sizeof(self->marker), "tandem.marker=%d%ld",
		 getpid(), gt_now_ms() % 100000);
}

FIXTURE_TEARDOWN(linux_guest)
{
	if (self->created) {
		tg_destroy(&self->d);
		tg_close(&self->d);
	}
	if (self->created2) {
		tg_destroy(&self->d2);
		tg_close(&self->d2);
	}
	unlink(self->cfg);
	unlink(self->cfg2);
	ta_stop(&self->agent);
	GT_KMSG_CHECK_CLOSE(self->kmsg);
}

/*
 * Write the configuration file @cfg for guest @name (tandem.run=@run, the
 * wishes for a power-off, a reboot and a crash) and run `tandem create -f`
 * on it; the domain is followed in @d, and @created says whether it exists.
 */
static int create_domain(FIXTURE_DATA(linux_guest) *self, const char *name,
			 const char *cfg, struct tg_domain *d, int *created,
			 const char *run, const char *extra,
			 const char *on_poweroff, const char *on_reboot,
			 const char *on_crash, char *out, size_t len)
{
	char args[128];
	FILE *f;
	int rc;

	f = fopen(cfg, "w");
	if (!f)
		return -errno;
	fprintf(f, "name = \"%s\"\nmemory = %d\nvcpus = %d\n"
		"kernel = \"%s\"\nramdisk = \"%s\"\n"
		"cmdline = \"console=ttyS0 %s tandem.run=%s %s\"\n"
		"on_poweroff = \"%s\"\non_reboot = \"%s\"\n"
		"on_crash = \"%s\"\n",
		name, GUEST_MIB, self->vcpus, self->kernel, GUEST_INITRD,
		self->marker, run, extra, on_poweroff, on_reboot, on_crash);
	if (fclose(f))
		return -errno;
	snprintf(args, sizeof(args), "create -f %s", cfg);
	rc = tcli_run(args, out, len);
	*created = !tg_attach(d, name);
	return rc;
}

/* The test's guest, self->d. */
static int create_guest(FIXTURE_DATA(linux_guest) *self, const char *run,
			const char *extra, const char *on_poweroff,
			const char *on_reboot, const char *on_crash, char *out,
			size_t len)
{
	return create_domain(self, self->name, self->cfg, &self->d,
			     &self->created, run, extra, on_poweroff, on_reboot,
			     on_crash, out, len);
}

/*
 * The timestamp, in ms, of the kernel log line ending in @tail ("[ 12.345678]
 * tail" on the console); -1 when there is none.
 */
static long kmsg_time(const char *console, const char *tail)
{
	const char *p = strstr(console, tail), *b;

	if (!p)
		return -1;
	for (b = p; b > console && *b != '['; b--)
		;
	if (*b != '[')
		return -1;
	return (long)(strtod(b + 1, NULL) * 1000);
}

/* How often @needle appears in @hay. */
static int count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay++;
	}
	return n;
}

/* Does the lab itself keep time with its TSC? */
static int lab_uses_tsc(void)
{
	char cs[32] = "";
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource",
			"r");

	if (!f)
		return 0;
	if (!fgets(cs, sizeof(cs), f))
		cs[0] = '\0';
	fclose(f);
	return !strcmp(cs, "tsc\n");
}

/* INFO_A_TSC_KHZ: the rate of the guests' TSCs. */
static uint32_t tsc_khz(struct tnl_sock *s)
{
	static struct treply r;
	struct tmsg m;

	tmsg_init(&m, s->family, 0, TANDEM_CMD_GET_INFO);
	if (tnl_transact(s, &m, &r) || r.err)
		return 0;
	return treply_u32(&r, TANDEM_INFO_A_TSC_KHZ, 0);
}

/*
 * The lab kernel's bzImage, built by `tandem create -f` with 128 MiB, the
 * guest initramfs and a command line carrying a marker, prints its banner
 * (the lab's own version), the command line with the marker, the e820 map
 * with all 128 MiB above 1 MiB usable, and the ACPI tables the builder wrote
 * (RSDP and MADT of OEM TANDEM). The builder adds no_timer_check and
 * tsc_early_khz= with the TSC rate the hypervisor reports, and the kernel
 * takes it. It runs /init from the initramfs, which sees the lab's kernel
 * release and the hypervisor CPU flag, the host's date (CMOS RTC, within
 * 1 s), sleeps 2 s of the host's clock (within 10%, timed by the host
 * and by the guest's kernel log), and, once the test has read all
 * that and pressed enter on its console, powers off through ACPI S5:
 * the agent is asked with reason poweroff and the configuration's wish
 * (on_poweroff = destroy), and its verdict destroys the domain.
 */
TEST_F_TIMEOUT(linux_guest, lab_kernel_boots_to_init_and_powers_off, 900)
{
	char out[4096], want[256], why[2560] = "";
	long long guest_date;
	struct gt_stats st;
	struct utsname u;
	const char *p;
	long t0, ms, end, host_t0;
	uint32_t khz;
	time_t now;
	int rc;

	LG_NEED_GUEST(TG_LONG);
	ASSERT_EQ(0, uname(&u));
	self->kernel = GUEST_KERNEL;

	rc = create_guest(self, "poweroff", "", "destroy", "preserve",
			  "preserve", out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("tandem create -f:\n%s", out);
	ASSERT_TRUE(self->created);

	snprintf(want, sizeof(want), "Linux version %s ", u.release);
	LG_WAIT(&self->d, want, BOOT_TIMEOUT);
	snprintf(want, sizeof(want), "Command line: ");
	LG_WAIT(&self->d, self->marker, BOOT_TIMEOUT);
	EXPECT_NE(NULL, strstr(self->d.console, want));
	snprintf(want, sizeof(want),
		 "BIOS-e820: [mem 0x0000000000100000-0x%016llx] usable",
		 (unsigned long long)GUEST_MIB * 1024 * 1024 - 1);
	LG_WAIT(&self->d, "ACPI: APIC ", BOOT_TIMEOUT);
	EXPECT_NE(NULL, strstr(self->d.console, want))
		TH_LOG("no \"%s\"; console:\n%s", want, self->d.console);
	EXPECT_NE(NULL, strstr(self->d.console, "ACPI: RSDP "));
	EXPECT_NE(NULL, strstr(self->d.console, " TANDEM"));

	khz = tsc_khz(&self->d.s);
	ASSERT_NE(0, khz) TH_LOG("GET_INFO has no TSC rate");
	snprintf(want, sizeof(want), " no_timer_check tsc_early_khz=%u", khz);
	EXPECT_NE(NULL, strstr(self->d.console, want))
		TH_LOG("no \"%s\" on the command line", want);
	/*
	 * The lab keeps time with its TSC: the guest is told its TSC (the
	 * lab's, offset) is reliable, and keeps time with it rather than
	 * with the PM timer, whose every read is an exit.
	 */
	if (lab_uses_tsc()) {
		EXPECT_NE(NULL, strstr(self->d.console, " tsc=reliable"))
			TH_LOG("no tsc=reliable on the command line");
	}
	/* "... MHz processor", or "... MHz TSC" after CPUID's processor rate. */
	snprintf(want, sizeof(want), "tsc: Detected %u.%03u MHz ",
		 khz / 1000, khz % 1000);
	rc = wait_console(&self->d, want, BOOT_TIMEOUT);
	if (rc)
		stopped_why(&self->d, why, sizeof(why));
	EXPECT_EQ(0, rc) TH_LOG("no \"%s\" (%s); %s; console:\n%s", want,
				strerror(-rc), why, self->d.console);

	snprintf(want, sizeof(want),
		 "tandem-guest: init, kernel %s, run poweroff", u.release);
	LG_WAIT(&self->d, want, BOOT_TIMEOUT);
	EXPECT_EQ(0, wait_console(&self->d, "tandem-guest: cpu flag hypervisor",
				  BOOT_TIMEOUT))
		TH_LOG("no hypervisor flag; console:\n%s", self->d.console);

	/*
	 * The guest's date is the host's within a second (CMOS RTC, whole
	 * seconds), as the host reads its clock when the line after the
	 * date, the start of the sleep, appears.
	 */
	LG_WAIT(&self->d, "tandem-guest: sleeping 2", BOOT_TIMEOUT);
	now = time(NULL);
	host_t0 = gt_now_ms();
	p = strstr(self->d.console, "tandem-guest: date ");
	ASSERT_NE(NULL, p);
	guest_date = strtoll(p + strlen("tandem-guest: date "), NULL, 10);
	EXPECT_GE(1, llabs((long long)now - guest_date))
		TH_LOG("guest date %lld, host %lld", guest_date, (long long)now);
	/*
	 * sleep 2 lasts 2 s within 10% of the host's clock: the host times
	 * the two kernel log lines around it (written to the console
	 * synchronously) as it sees them, and the kernel log's own
	 * timestamps (the guest's TSC at the host's rate) agree.
	 */
	LG_WAIT(&self->d, "tandem-guest: slept", BOOT_TIMEOUT);
	if (lab_uses_tsc()) {
		/* tsc-early, then tsc once its rate is refined. */
		EXPECT_NE(NULL, strstr(self->d.console,
				       "clocksource: Switched to clocksource tsc"))
			TH_LOG("the guest's clocksource is not its TSC; console:\n%s",
			       self->d.console);
		EXPECT_EQ(NULL, strstr(self->d.console,
				       "Switched to clocksource acpi_pm"));
		EXPECT_EQ(NULL, strstr(self->d.console, "Marking TSC unstable"));
	}
	ms = gt_now_ms() - host_t0;
	EXPECT_LE(1800, ms) TH_LOG("sleep 2 took %ld ms of the host's clock", ms);
	EXPECT_GE(2200, ms) TH_LOG("sleep 2 took %ld ms of the host's clock", ms);
	t0 = kmsg_time(self->d.console, "] tandem-guest: sleeping 2");
	ms = kmsg_time(self->d.console, "] tandem-guest: slept");
	ASSERT_LE(0, t0) TH_LOG("console:\n%s", self->d.console);
	ASSERT_LE(0, ms) TH_LOG("console:\n%s", self->d.console);
	ms -= t0;
	EXPECT_LE(1800, ms) TH_LOG("sleep 2 took %ld ms of the guest's clock", ms);
	EXPECT_GE(2200, ms) TH_LOG("sleep 2 took %ld ms of the guest's clock", ms);
	/* Enter, and the guest powers off. */
	rc = wait_console(&self->d, "tandem-guest: enter powers off",
			  BOOT_TIMEOUT);
	ASSERT_EQ(0, rc) TH_LOG("console:\n%s", self->d.console);
	snprintf(want, sizeof(want), "console %s --send \"$(printf '\\r')\"",
		 self->name);
	rc = tcli_run(want, out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("tandem %s:\n%s", want, out);

	/* The agent is asked, sees the wish, and its verdict destroys it. */
	end = gt_now_ms() + BOOT_TIMEOUT;
	while ((rc = gt_get(&self->d, &st)) == 0 && gt_now_ms() < end)
		usleep(20000);
	EXPECT_EQ(-ENOENT, rc) TH_LOG("still there: state %u, shutdown %u; console:\n%s",
				      st.state, st.shutdown_reason,
				      self->d.console);
	EXPECT_EQ(1, self->agent.decisions[TANDEM_DECISION_SHUTDOWN]);
	EXPECT_EQ(TANDEM_SHUTDOWN_POWEROFF, self->agent.shutdown_reason);
	EXPECT_EQ(TANDEM_CRASH_DESTROY, self->agent.shutdown_wish);
}

/*
 * The guest's init reboots (reset through the FADT's register, 0xcf9);
 * the configuration wishes restart, and the agent restarts it once: the
 * same kernel boots again from the image the builder loaded, reaches init
 * again and reboots again, which the agent then leaves shut down (reason
 * reboot). Two banners, two inits, two SHUTDOWN decisions.
 */
TEST_F_TIMEOUT(linux_guest, reboot_restarts_the_guest_once_then_it_stays_down,
	       900)
{
	char out[4096], why[2560] = "";
	struct gt_stats st;
	long end;
	int rc;

	LG_NEED_GUEST(TG_LONG);
	self->agent.shutdown_action = TANDEM_CRASH_PRESERVE;
	self->agent.shutdown_restarts = 1;
	rc = create_guest(self, "reboot", "quiet", "destroy", "restart",
			  "preserve", out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("tandem create -f:\n%s", out);
	ASSERT_TRUE(self->created);

	end = gt_now_ms() + BOOT_TIMEOUT;
	while (__atomic_load_n(&self->agent.decisions[TANDEM_DECISION_SHUTDOWN],
			       __ATOMIC_ACQUIRE) < 2 && gt_now_ms() < end)
		usleep(50000);
	rc = tg_wait_state(&self->d, TANDEM_STATE_SHUTDOWN, 10000);
	tg_console_poll(&self->d);
	stopped_why(&self->d, why, sizeof(why));
	ASSERT_EQ(2, self->agent.decisions[TANDEM_DECISION_SHUTDOWN])
		TH_LOG("%s; console:\n%s", why, self->d.console);
	ASSERT_EQ(0, rc) TH_LOG("%s", why);
	EXPECT_EQ(TANDEM_SHUTDOWN_REBOOT, self->agent.shutdown_reason);
	EXPECT_EQ(TANDEM_CRASH_RESTART, self->agent.shutdown_wish);
	ASSERT_EQ(0, gt_get(&self->d, &st));
	EXPECT_EQ(TANDEM_SHUTDOWN_REBOOT, st.shutdown_reason);
	EXPECT_EQ(2, count(self->d.console, "tandem-guest: init,"))
		TH_LOG("console:\n%s", self->d.console);
	EXPECT_EQ(2, count(self->d.console, "tandem-guest: rebooting"))
		TH_LOG("console:\n%s", self->d.console);
}

/* Type @line and a carriage return into the guest's console. */
static int console_send(FIXTURE_DATA(linux_guest) *self, const char *line,
			char *out, size_t len)
{
	char args[192];

	snprintf(args, sizeof(args), "console %s --send \"$(printf '%s\\r')\"",
		 self->name, line);
	return tcli_run(args, out, len);
}

/* The next DOMAIN_CRASHED event of domain @id on @s, or NULL. */
static struct treply *crashed_event(struct tnl_sock *s, uint32_t id, int ms)
{
	static struct treply ev;
	long end = gt_now_ms() + ms;

	while (gt_now_ms() < end) {
		int err = tnl_recv_cmd(s, TANDEM_CMD_EVENT, &ev, 1000);

		if (err == -ETIMEDOUT)
			continue;
		if (err)
			return NULL;
		if (treply_u32(&ev, TANDEM_EVENT_A_KIND, 0) ==
		    TANDEM_EVENT_DOMAIN_CRASHED &&
		    treply_u32(&ev, TANDEM_EVENT_A_DOMAIN_ID, 0) == id)
			return &ev;
	}
	return NULL;
}

/*
 * Typed into the console (`tandem console NAME --send`), commands reach
 * the guest's shell through the 16550A's receive interrupt and run: the
 * shell computes what the host could not have written itself. Then the
 * command typed panics the guest's kernel (sysrq c). /init loaded Linux's
 * pvpanic driver, which found the platform's panic port in the DSDT
 * (QEMU0001, port 0x505); its notifier's write crashes the domain with
 * reason "guest panic". The agent's CRASH decision carries the
 * configuration's on_crash wish (restart), the agent restarts it, the
 * DOMAIN_CRASHED event says so, and the domain runs again (one restart).
 */
TEST_F_TIMEOUT(linux_guest, console_commands_run_and_a_typed_panic_is_a_crash,
	       900)
{
	char out[4096], args[64];
	struct tnl_sock ev_sock;
	struct gt_stats st;
	struct treply *ev;
	int rc;

	LG_NEED_GUEST(TG_LONG);
	self->agent.crash_action = TANDEM_CRASH_RESTART;
	ASSERT_EQ(0, tnl_open(&ev_sock));
	ASSERT_EQ(0, tnl_join(&ev_sock, TANDEM_MCGRP_EVENTS_NAME));
	rc = create_guest(self, "shell", "quiet", "destroy", "destroy",
			  "restart", out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("tandem create -f:\n%s", out);
	ASSERT_TRUE(self->created);
	snprintf(args, sizeof(args), "info %s", self->name);
	ASSERT_EQ(0, tcli_run(args, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "on_crash:        restart\n"))
		TH_LOG("tandem %s shows no on_crash wish:\n%s", args, out);
	LG_WAIT(&self->d, "tandem-guest: shell", BOOT_TIMEOUT);
	EXPECT_NE(NULL, strstr(self->d.console,
			       "tandem-guest: pvpanic bound to QEMU0001:00"))
		TH_LOG("the pvpanic driver found no panic device; console:\n%s",
		       self->d.console);

	rc = console_send(self, "echo answer-$((6 * 7))", out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("tandem console --send:\n%s", out);
	rc = wait_console(&self->d, "answer-42", 120000);
	EXPECT_EQ(0, rc) TH_LOG("the command did not run; console:\n%s",
				self->d.console);

	rc = console_send(self, "echo c >/proc/sysrq-trigger", out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("tandem console --send:\n%s", out);
	ev = crashed_event(&ev_sock, self->d.id, BOOT_TIMEOUT);
	tnl_close(&ev_sock);
	tg_console_poll(&self->d);
	ASSERT_NE(NULL, ev) TH_LOG("no DOMAIN_CRASHED event; console:\n%s",
				   self->d.console);
	EXPECT_NE(NULL, strstr(treply_str(ev, TANDEM_EVENT_A_REASON),
			       "guest panic (pvpanic)"))
		TH_LOG("crash reason \"%s\"",
		       treply_str(ev, TANDEM_EVENT_A_REASON));
	EXPECT_EQ(TANDEM_CRASH_RESTART,
		  treply_u32(ev, TANDEM_EVENT_A_ACTION, TANDEM_CRASH_PRESERVE));
	EXPECT_EQ(1, self->agent.decisions[TANDEM_DECISION_CRASH]);
	EXPECT_EQ(TANDEM_CRASH_RESTART, self->agent.crash_wish);
	EXPECT_NE(NULL, strstr(self->d.console,
			       "Kernel panic - not syncing: sysrq triggered crash"))
		TH_LOG("console:\n%s", self->d.console);

	/* Restarted: running again, with one restart counted. */
	EXPECT_EQ(0, tg_wait_state(&self->d, TANDEM_STATE_RUNNING, 10000))
		TH_LOG("state %d after the restart", tg_state(&self->d));
	ASSERT_EQ(0, gt_get(&self->d, &st));
	EXPECT_EQ(1, st.restarts);
}

/* Exits of @d by reason from @a to @b, for the log: "io 12, hlt 3, ...". */
static void exit_deltas(const struct gt_stats *a, const struct gt_stats *b,
			char *out, size_t len)
{
	static const char * const names[__TANDEM_STAT_EXIT_COUNT] = {
		"other", "hlt", "io", "npf", "cpuid", "rdmsr", "wrmsr",
		"hypercall", "virt_insn", "xsetbv", "triple_fault",
		"exception", "intr_window", "fail_entry", "unhandled",
	};
	size_t n = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < __TANDEM_STAT_EXIT_COUNT && n < len; i++)
		if (b->exits[i] != a->exits[i])
			n += snprintf(out + n, len - n, "%s%s %llu", n ? ", " : "",
				      names[i] ? names[i] : "?",
				      (unsigned long long)(b->exits[i] - a->exits[i]));
}

/*
 * A guest whose kernel panics before the pvpanic driver is loaded (its
 * init does not exist) spins in panic()'s delay loop for good. The host
 * is not harmed: this test runs on the host CPU the vCPU is pinned to,
 * and for SPIN_SECONDS (SPIN_SECONDS_VMX in the VMX lab) the vCPU goes on
 * taking CPU time slice by slice
 * while DOMAIN_GET answers within a second each time; the destroy
 * completes within 5 s. (The teardown's kernel log check fails the test
 * on any soft lockup or RCU stall this caused.) The guest's exits
 * meanwhile are logged.
 */
#define SPIN_SECONDS	5
/*
 * In the VMX lab 2: Bochs executes all 400 million instructions of each
 * lab second the guest spins, about a minute of the host's time.
 */
#define SPIN_SECONDS_VMX	2
TEST_F_TIMEOUT(linux_guest, a_guest_spinning_in_panic_leaves_the_host_responsive,
	       900)
{
	const char *lab = getenv("TANDEM_LAB");
	int i, rc, spin = lab && !strcmp(lab, "vmx") ? SPIN_SECONDS_VMX :
			  SPIN_SECONDS;
	char out[4096], exits[512];
	struct gt_stats st, st0;
	cpu_set_t cpu0;
	uint64_t ran;
	long t0;

	LG_NEED_GUEST(TG_LONG);
	/* The CPU the agent gives the vCPU (cpumask 1). */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpu0), &cpu0));
	rc = create_guest(self, "shell", "quiet rdinit=/none init=/none",
			  "destroy", "destroy", "preserve", out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("tandem create -f:\n%s", out);
	ASSERT_TRUE(self->created);
	LG_WAIT(&self->d, "Kernel panic - not syncing", BOOT_TIMEOUT);
	ASSERT_EQ(0, gt_get(&self->d, &st0));
	ran = st0.run_ns;
	for (i = 0; i < spin; i++) {
		sleep(1);
		t0 = gt_now_ms();
		ASSERT_EQ(0, gt_get(&self->d, &st));
		EXPECT_GT(1000, gt_now_ms() - t0) TH_LOG("DOMAIN_GET took %ld ms",
						       gt_now_ms() - t0);
	}
	exit_deltas(&st0, &st, exits, sizeof(exits));
	TH_LOG("in %d s of panic: %llu ms in the guest; exits: %s", spin,
	       (unsigned long long)(st.run_ns - ran) / 1000000, exits);
	EXPECT_EQ(TANDEM_STATE_RUNNING, st.state);
	EXPECT_LT(ran, st.run_ns) TH_LOG("the vCPU stopped running");
	t0 = gt_now_ms();
	EXPECT_EQ(0, tg_destroy(&self->d)) TH_LOG("%s", self->d.msg);
	self->created = 0;
	tg_close(&self->d);
	EXPECT_GT(5000, gt_now_ms() - t0) TH_LOG("the destroy took %ld ms",
						 gt_now_ms() - t0);
}

/*
 * Two Linux guests at once, each on its own host CPU (the test agent gives
 * the first start CPU 1 and the second CPU 0): both boot to init and
 * reach the shell, and both are still running when both have got there.
 */
TEST_F_TIMEOUT(linux_guest, two_guests_at_once_both_reach_init, 900)
{
	struct tg_domain *d[2] = { &self->d, &self->d2 };
	char out[4096];
	int i, rc;

	LG_NEED_GUEST(TG_LONG);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "two guests at once want two host CPUs (this lab has %ld; the SVM lab has 2)",
		     sysconf(_SC_NPROCESSORS_ONLN));
	self->agent.cpumask = 3;
	self->agent.spread = 1;
	rc = create_guest(self, "shell", "quiet", "destroy", "destroy",
			  "preserve", out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("tandem create -f (first):\n%s", out);
	ASSERT_TRUE(self->created);
	rc = create_domain(self, self->name2, self->cfg2, &self->d2,
			   &self->created2, "shell", "quiet", "destroy",
			   "destroy", "preserve", out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("tandem create -f (second):\n%s", out);
	ASSERT_TRUE(self->created2);

	for (i = 0; i < 2; i++) {
		LG_WAIT(d[i], "tandem-guest: shell", BOOT_TIMEOUT);
		EXPECT_NE(NULL, strstr(d[i]->console, "tandem-guest: init, kernel"));
	}
	for (i = 0; i < 2; i++)
		EXPECT_EQ(TANDEM_STATE_RUNNING, tg_state(d[i]))
			TH_LOG("guest %d is no longer running", i);
	EXPECT_EQ(2, self->agent.decisions[TANDEM_DECISION_DOMAIN_START]);
}

/*
 * A guest with two vCPUs: Linux starts the second with INIT and two
 * STARTUP IPIs (its real-mode trampoline below 1 MiB), brings it up and
 * sees two processors; each vCPU runs on its own host CPU.
 */
TEST_F_TIMEOUT(linux_guest, two_vcpus_are_started_by_the_guest, 900)
{
	char out[4096];
	int rc;

	/* The second vCPU starts in real mode. */
	LG_NEED_GUEST(TG_REAL);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one host CPU (%ld): two vCPUs would share it, and another Linux boot under Bochs costs the VMX lab minutes it has not got",
		     sysconf(_SC_NPROCESSORS_ONLN));
	self->vcpus = 2;
	self->agent.cpumask = 3;
	rc = create_guest(self, "shell", "", "destroy", "destroy", "preserve",
			  out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("tandem create -f:\n%s", out);
	ASSERT_TRUE(self->created);
	LG_WAIT(&self->d, "tandem-guest: shell", BOOT_TIMEOUT);
	EXPECT_NE(NULL, strstr(self->d.console, "smp: Brought up 1 node, 2 CPUs"))
		TH_LOG("console:\n%s", self->d.console);
	rc = console_send(self, "echo cpus-$(grep -c ^processor /proc/cpuinfo)",
			  out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("tandem console --send:\n%s", out);
	rc = wait_console(&self->d, "cpus-2", 120000);
	EXPECT_EQ(0, rc) TH_LOG("console:\n%s", self->d.console);
}

TEST_HARNESS_MAIN
