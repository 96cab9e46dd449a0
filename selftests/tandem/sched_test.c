// SPDX-License-Identifier: GPL-2.0
/*
 * sched_test: the scheduling and crash policy of tandem_policy.ko applied
 * by tandem_hv to running guests: a cap limits a vCPU's share of a CPU,
 * a one-CPU mask pins it, weights divide a CPU between domains,
 * on_crash / max_restarts decide what a crash leads to and on_poweroff
 * what a power-off leads to (each unless the domain has its own wish).
 *
 * Unlike exit_test, the default agent answers here: the test sets its
 * configuration with POLICY_SET (cpus, weight, cap, on_crash,
 * max_restarts, on_poweroff, on_reboot) and puts the defaults back after every test. Guests run
 * the long-mode routines of guest/tests.inc (see guest_test.h). CPU shares
 * are measured over 2 s of CLOCK_MONOTONIC with the vCPU's RUN_NS and,
 * for the cap, also with its thread's utime + stime in /proc.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <tandem.h>

#include "kselftest_harness.h"
#include "guest_test.h"

#define HV		"tandem_hv"
#define POLICY		"tandem_policy"
#define MiB		(1ULL << 20)
#define UCALL_TIMEOUT	10000	/* ms: slow labs run guests under TCG/Bochs */
#define MEASURE_MS	2000	/* lab time over which shares are measured */
#define NDOM		2

#define PCFG(key)	(1u << TANDEM_PCFG_A_##key)
#define SCHED_KEYS	(PCFG(CPUS) | PCFG(WEIGHT) | PCFG(CAP) |		\
			 PCFG(ON_CRASH) | PCFG(MAX_RESTARTS) |		\
			 PCFG(ON_POWEROFF) | PCFG(ON_REBOOT))

/* tandem_policy.ko's defaults for the keys this test changes. */
static const struct tpcfg sched_defaults = {
	.present = SCHED_KEYS,
	.cpus = "all",
	.weight = 256,
	.cap = 0,
	.on_crash = TANDEM_CRASH_PRESERVE,
	.max_restarts = 3,
	.on_poweroff = TANDEM_CRASH_PRESERVE,
	.on_reboot = TANDEM_CRASH_PRESERVE,
};

FIXTURE(sched) {
	struct tnl_sock s;
	struct treply r;
	struct tg_domain d[NDOM];
	int created[NDOM];
	size_t pos[NDOM];
	int hv_here, policy_here;
	int kmsg;
	const char *skip;
	char line[256];
};

FIXTURE_SETUP(sched)
{
	int err;

	self->kmsg = gt_kmsg_open();
	err = tandem_mod_ensure(HV, &self->hv_here);
	ASSERT_EQ(0, err) TH_LOG("load " HV ": %s", strerror(-err));
	err = tandem_mod_ensure(POLICY, &self->policy_here);
	ASSERT_EQ(0, err) TH_LOG("load " POLICY " (the agent this test configures): %s",
				 strerror(-err));
	ASSERT_EQ(0, tnl_open(&self->s));
	/* A test killed before its teardown may have left its settings. */
	ASSERT_EQ(0, tpolicy_set(&self->s, &sched_defaults, &self->r))
		TH_LOG("POLICY_SET defaults: %s", self->r.ext_msg);
	gt_reap_stale("sch");
	self->skip = gt_unusable(TG_LONG);
}

FIXTURE_TEARDOWN(sched)
{
	int i;

	for (i = 0; i < NDOM; i++) {
		if (!self->created[i])
			continue;
		tg_destroy(&self->d[i]);
		tg_close(&self->d[i]);
	}
	/* Other tests must find the defaults. */
	if (tpolicy_set(&self->s, &sched_defaults, &self->r))
		TH_LOG("restoring the defaults failed: %s", self->r.ext_msg);
	tnl_close(&self->s);
	if (self->policy_here)
		tandem_mod_unload(POLICY);
	if (self->hv_here)
		tandem_mod_unload(HV);
	GT_KMSG_CHECK_CLOSE(self->kmsg);
}

/* POLICY_SET of @cfg; the test fails if the agent refuses. */
#define SCH_SET(cfg) \
	ASSERT_EQ(0, tpolicy_set(&self->s, cfg, &self->r))		\
		TH_LOG("POLICY_SET: %s", self->r.ext_msg)

/* Create domain @i for routine @sel (long mode, 16 MiB); not started. */
#define SCH_CREATE(i, sel) do {						\
	const char *__why = "";						\
	int __err;							\
									\
	if (self->skip)							\
		SKIP(return, "%s", self->skip);				\
	__err = gt_create(&self->d[i], "sch", 16 * MiB, TG_LONG, sel,	\
			  0, 0, &__why);				\
	self->created[i] = 1;						\
	ASSERT_EQ(0, __err) TH_LOG("%s: %s (%s)", __why,		\
				   strerror(-__err), self->d[i].msg);	\
} while (0)

#define SCH_START(i) \
	ASSERT_EQ(0, tg_start(&self->d[i])) TH_LOG("START: %s", self->d[i].msg)

#define SCH_WAIT(i, type)						\
	ASSERT_EQ(0, gt_wait_ucall(&self->d[i], &self->pos[i], type,	\
				   NULL, UCALL_TIMEOUT, self->line,	\
				   sizeof(self->line)))			\
		TH_LOG("domain %d: waiting for \"ucall: %s\", got: %s", i,	\
		       type, self->line)

/**
 * struct sch_vcpu - what DOMAIN_GET says about a domain and its vCPU 0
 * @state: &enum tandem_domain_state
 * @restarts: DOMAIN_A_RESTARTS
 * @weight: DOMAIN_A_WEIGHT
 * @cap: DOMAIN_A_CAP
 * @cpumask: first word of DOMAIN_A_CPUMASK (granted CPUs)
 * @run_ns: STATS_A_RUN_NS
 * @cpus: first word of STATS_A_CPUS (CPUs it ran on)
 * @last_cpu: STATS_A_LAST_CPU
 */
struct sch_vcpu {
	uint32_t state, restarts, weight, cap;
	uint64_t cpumask;
	uint64_t run_ns;
	uint64_t cpus;
	uint32_t last_cpu;
};

static uint64_t sch_word(const struct nlattr *a)
{
	uint64_t w = 0;

	memcpy(&w, tnla_data(a), tnla_len(a) < 8 ? tnla_len(a) : 8);
	return w;
}

/* DOMAIN_GET of @d into @v. Return: 0, -EPROTO, or the request's error. */
static int sch_get(struct tg_domain *d, struct treply *r, struct sch_vcpu *v)
{
	const struct nlattr *vcpu, *a;
	int err = tg_get(d, r);

	memset(v, 0, sizeof(*v));
	if (err)
		return err;
	v->state = treply_u32(r, TANDEM_DOMAIN_A_STATE, 0);
	v->restarts = treply_u32(r, TANDEM_DOMAIN_A_RESTARTS, ~0u);
	v->weight = treply_u32(r, TANDEM_DOMAIN_A_WEIGHT, 0);
	v->cap = treply_u32(r, TANDEM_DOMAIN_A_CAP, ~0u);
	if (r->tb[TANDEM_DOMAIN_A_CPUMASK])
		v->cpumask = sch_word(r->tb[TANDEM_DOMAIN_A_CPUMASK]);
	if (!r->tb[TANDEM_DOMAIN_A_VCPU_STATS])
		return -EPROTO;
	tnla_for_each_nested(vcpu, r->tb[TANDEM_DOMAIN_A_VCPU_STATS]) {
		tnla_for_each_nested(a, vcpu) {
			switch (a->nla_type & NLA_TYPE_MASK) {
			case TANDEM_STATS_A_RUN_NS:
				v->run_ns = tnla_u64(a);
				break;
			case TANDEM_STATS_A_CPUS:
				v->cpus = sch_word(a);
				break;
			case TANDEM_STATS_A_LAST_CPU:
				v->last_cpu = tnla_u32(a);
				break;
			}
		}
		return 0;	/* vCPU 0 only */
	}
	return -EPROTO;
}

#define SCH_GET(i, v) \
	ASSERT_EQ(0, sch_get(&self->d[i], &self->r, v))			\
		TH_LOG("DOMAIN_GET %d: %s", i, self->d[i].msg)

/* The pid of vCPU 0's thread ("tandem/<domid>.0"), or 0. */
static pid_t sch_vcpu_pid(uint32_t domid)
{
	char want[32], path[300], comm[32];
	struct dirent *e;
	pid_t pid = 0;
	DIR *dir;

	snprintf(want, sizeof(want), "tandem/%u.0\n", domid);
	dir = opendir("/proc");
	if (!dir)
		return 0;
	while (!pid && (e = readdir(dir))) {
		FILE *f;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, want))
			pid = atoi(e->d_name);
		fclose(f);
	}
	closedir(dir);
	return pid;
}

/* utime + stime of @pid in ns, or -1. */
static long long sch_cpu_ns(pid_t pid)
{
	unsigned long long utime, stime;
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields after the command name, which may hold blanks: 3 is state. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &utime, &stime) != 2)
		return -1;
	return (utime + stime) * (1000000000LL / sysconf(_SC_CLK_TCK));
}

static uint64_t sch_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A spinning domain @i, started and past its sync, placed as configured. */
static void sch_spin(struct __test_metadata *_metadata,
		     FIXTURE_DATA(sched) *self, int i)
{
	SCH_CREATE(i, GT_SPIN);
	SCH_START(i);
	SCH_WAIT(i, "sync");
}

/*
 * Share of one CPU that domain 0's vCPU got over MEASURE_MS, in percent:
 * by RUN_NS in @run_pct, by its thread's CPU time in @thread_pct.
 */
static void sch_measure(struct __test_metadata *_metadata,
			FIXTURE_DATA(sched) *self, double *run_pct,
			double *thread_pct)
{
	struct sch_vcpu v0, v1;
	long long c0, c1;
	uint64_t t0, t1;
	pid_t pid;

	pid = sch_vcpu_pid(self->d[0].id);
	ASSERT_NE(0, pid) TH_LOG("no thread tandem/%u.0 in /proc", self->d[0].id);
	SCH_GET(0, &v0);
	c0 = sch_cpu_ns(pid);
	t0 = sch_now_ns();
	usleep(MEASURE_MS * 1000);
	SCH_GET(0, &v1);
	c1 = sch_cpu_ns(pid);
	t1 = sch_now_ns();
	ASSERT_LE(0, c0);
	ASSERT_LE(0, c1);
	EXPECT_EQ(TANDEM_STATE_RUNNING, v1.state);
	*run_pct = 100.0 * (v1.run_ns - v0.run_ns) / (t1 - t0);
	*thread_pct = 100.0 * (c1 - c0) / (t1 - t0);
	TH_LOG("cap %u: RUN_NS %.1f%%, thread CPU time %.1f%% of one CPU over %.2f s",
	       v1.cap, *run_pct, *thread_pct, (t1 - t0) / 1e9);
}

/*
 * cap = 25 gives a spinning vCPU at most 30% of one CPU (by RUN_NS and by
 * its thread's CPU time) over 2 s; without a cap the same guest gets more
 * than 50%.
 */
TEST_F(sched, cap_25_keeps_spinning_vcpu_under_30_percent_and_no_cap_gives_more)
{
	struct tpcfg cfg = { .present = PCFG(CAP), .cap = 25 };
	double capped_run, capped_thread, free_run, free_thread;
	struct sch_vcpu v;

	SCH_SET(&cfg);
	sch_spin(_metadata, self, 0);
	SCH_GET(0, &v);
	ASSERT_EQ(25, v.cap) TH_LOG("the START verdict did not carry the cap");
	sch_measure(_metadata, self, &capped_run, &capped_thread);
	EXPECT_GE(30.0, capped_run);
	EXPECT_GE(30.0, capped_thread);
	/* Something ran: a cap is not a stop. */
	EXPECT_LE(10.0, capped_run);

	tg_destroy(&self->d[0]);
	tg_close(&self->d[0]);
	self->created[0] = 0;
	self->pos[0] = 0;

	cfg.cap = 0;
	SCH_SET(&cfg);
	sch_spin(_metadata, self, 0);
	SCH_GET(0, &v);
	ASSERT_EQ(0, v.cap);
	sch_measure(_metadata, self, &free_run, &free_thread);
	EXPECT_LT(50.0, free_run);
	EXPECT_LT(50.0, free_thread);
}

/*
 * cpus = one CPU (the last one: CPU 1 in the SVM lab, CPU 0 in the
 * one-CPU VMX lab) pins the vCPU: the domain's CPUMASK is that CPU, and
 * after it ran for a while the CPUs it ran on and its last CPU are that
 * CPU only.
 */
TEST_F(sched, cpumask_of_one_cpu_pins_the_vcpu)
{
	struct tpcfg cfg = { .present = PCFG(CPUS) };
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct sch_vcpu v0, v;
	int cpu;

	ASSERT_LE(1, ncpus);
	ASSERT_GE(64, ncpus) TH_LOG("this test reads the first 64 CPUs only");
	cpu = ncpus - 1;
	snprintf(cfg.cpus, sizeof(cfg.cpus), "%d", cpu);
	SCH_SET(&cfg);
	sch_spin(_metadata, self, 0);
	SCH_GET(0, &v0);
	EXPECT_EQ(1ULL << cpu, v0.cpumask);
	usleep(500000);
	SCH_GET(0, &v);
	EXPECT_EQ(TANDEM_STATE_RUNNING, v.state);
	EXPECT_LT(v0.run_ns, v.run_ns) TH_LOG("the vCPU did not run");
	EXPECT_EQ(1ULL << cpu, v.cpus)
		TH_LOG("ran on CPUs 0x%llx, pinned to CPU %d of %ld",
		       (unsigned long long)v.cpus, cpu, ncpus);
	EXPECT_EQ(cpu, v.last_cpu);
}

/*
 * Two spinning domains pinned to the same CPU, started with weights 256
 * and 1024: over 2 s the heavier gets at least twice the run time.
 */
TEST_F(sched, weight_1024_gets_at_least_twice_the_cpu_of_weight_256)
{
	struct tpcfg cfg = { .present = PCFG(CPUS) | PCFG(WEIGHT) };
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct sch_vcpu a0, b0, a1, b1;
	uint64_t ran_a, ran_b;
	int cpu = ncpus - 1;

	ASSERT_LE(1, ncpus);
	if (ncpus > 1) {
		cpu_set_t set;

		/* Keep this process off the CPU the domains share. */
		CPU_ZERO(&set);
		CPU_SET(0, &set);
		ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	}
	snprintf(cfg.cpus, sizeof(cfg.cpus), "%d", cpu);
	cfg.weight = 256;
	SCH_SET(&cfg);
	sch_spin(_metadata, self, 0);
	cfg.weight = 1024;
	SCH_SET(&cfg);
	sch_spin(_metadata, self, 1);

	SCH_GET(0, &a0);
	SCH_GET(1, &b0);
	EXPECT_EQ(256, a0.weight);
	EXPECT_EQ(1024, b0.weight);
	usleep(MEASURE_MS * 1000);
	SCH_GET(0, &a1);
	SCH_GET(1, &b1);
	ran_a = a1.run_ns - a0.run_ns;
	ran_b = b1.run_ns - b0.run_ns;
	TH_LOG("CPU %d: weight 256 ran %llu ms, weight 1024 ran %llu ms", cpu,
	       (unsigned long long)(ran_a / 1000000),
	       (unsigned long long)(ran_b / 1000000));
	EXPECT_EQ(1ULL << cpu, a1.cpus);
	EXPECT_EQ(1ULL << cpu, b1.cpus);
	EXPECT_LT(0, ran_a) TH_LOG("the lighter domain never ran");
	EXPECT_LE(2 * ran_a, ran_b);
}

/* One DOMAIN_CRASHED event: its action and restarts. */
struct sch_crash {
	uint32_t action;
	uint32_t restarts;
};

/*
 * Read events of domain @id from @s until it is destroyed (@destroyed set)
 * or @timeout_ms pass; record its DOMAIN_CRASHED events in @c.
 *
 * Return: the number of DOMAIN_CRASHED events.
 */
static int sch_events(struct tnl_sock *s, uint32_t id, struct sch_crash *c,
		      int max, int *destroyed, int timeout_ms, int stop_after)
{
	static struct treply ev;
	long end = gt_now_ms() + timeout_ms;
	int n = 0;

	*destroyed = 0;
	while (!*destroyed && gt_now_ms() < end) {
		int err = tnl_recv_cmd(s, TANDEM_CMD_EVENT, &ev, 200);
		uint32_t kind;

		if (err == -ETIMEDOUT)
			continue;
		if (err)
			break;
		if (treply_u32(&ev, TANDEM_EVENT_A_DOMAIN_ID, 0) != id)
			continue;
		kind = treply_u32(&ev, TANDEM_EVENT_A_KIND, 0);
		if (kind == TANDEM_EVENT_DOMAIN_DESTROYED) {
			*destroyed = 1;
		} else if (kind == TANDEM_EVENT_DOMAIN_CRASHED) {
			if (n < max) {
				c[n].action = treply_u32(&ev, TANDEM_EVENT_A_ACTION, ~0u);
				c[n].restarts = treply_u32(&ev, TANDEM_EVENT_A_RESTARTS, ~0u);
			}
			n++;
			if (n == stop_after)
				break;
		}
	}
	return n;
}

/* How many times "ucall: sync" is on domain @i's console. */
static int sch_syncs(struct tg_domain *d)
{
	const char *p = d->console;
	int n = 0;

	tg_console_poll(d);
	while ((p = strstr(p, "ucall: sync"))) {
		n++;
		p++;
	}
	return n;
}

/*
 * on_crash = restart, max_restarts = 2: a guest that crashes on every run
 * is restarted twice (RESTARTS counts 0, 1, 2 while it runs; the crash
 * events say restart, restart, destroy with the restarts before each),
 * then destroyed.
 */
TEST_F(sched, on_crash_restart_restarts_max_restarts_times_then_destroys)
{
	struct tpcfg cfg = {
		.present = PCFG(ON_CRASH) | PCFG(MAX_RESTARTS),
		.on_crash = TANDEM_CRASH_RESTART,
		.max_restarts = 2,
	};
	struct sch_crash c[4];
	struct tnl_sock ev;
	struct sch_vcpu v;
	int run, n, destroyed;
	long end;

	SCH_SET(&cfg);
	SCH_CREATE(0, GT_CRASH_ON_WAKE);
	ASSERT_EQ(0, tnl_open(&ev));
	ASSERT_EQ(0, tnl_join(&ev, TANDEM_MCGRP_EVENTS_NAME));
	SCH_START(0);

	for (run = 0; run <= 2; run++) {
		/* Run number @run syncs, then halts until woken. */
		end = gt_now_ms() + UCALL_TIMEOUT;
		while (sch_syncs(&self->d[0]) < run + 1 && gt_now_ms() < end)
			usleep(10000);
		ASSERT_EQ(run + 1, sch_syncs(&self->d[0]))
			TH_LOG("run %d: console:\n%s", run, self->d[0].console);
		ASSERT_EQ(0, gt_wait_exits(&self->d[0], TANDEM_STAT_EXIT_HLT,
					   run + 1, UCALL_TIMEOUT))
			TH_LOG("run %d: no HLT", run);
		SCH_GET(0, &v);
		EXPECT_EQ(TANDEM_STATE_RUNNING, v.state);
		EXPECT_EQ(run, v.restarts);
		if (run < 2) {
			/* The crash restarts it: the event says so. */
			ASSERT_EQ(0, tg_cmd(&self->d[0], TANDEM_CMD_DOMAIN_PAUSE));
			ASSERT_EQ(0, tg_cmd(&self->d[0], TANDEM_CMD_DOMAIN_RESUME));
			n = sch_events(&ev, self->d[0].id, &c[run], 1, &destroyed,
				       UCALL_TIMEOUT, 1);
			ASSERT_EQ(1, n) TH_LOG("run %d: no DOMAIN_CRASHED event", run);
			EXPECT_EQ(TANDEM_CRASH_RESTART, c[run].action);
			EXPECT_EQ(run, c[run].restarts);
			EXPECT_FALSE(destroyed);
		}
	}
	/* Third crash: the restarts are used up. */
	ASSERT_EQ(0, tg_cmd(&self->d[0], TANDEM_CMD_DOMAIN_PAUSE));
	ASSERT_EQ(0, tg_cmd(&self->d[0], TANDEM_CMD_DOMAIN_RESUME));
	n = sch_events(&ev, self->d[0].id, &c[2], 2, &destroyed, UCALL_TIMEOUT, 0);
	tnl_close(&ev);
	EXPECT_EQ(1, n) TH_LOG("DOMAIN_CRASHED events after the last wake-up");
	EXPECT_EQ(TANDEM_CRASH_DESTROY, c[2].action);
	EXPECT_EQ(2, c[2].restarts);
	ASSERT_TRUE(destroyed) TH_LOG("no DOMAIN_DESTROYED event");
	EXPECT_EQ(-ENOENT, tg_get(&self->d[0], &self->r));
}

/*
 * on_crash = destroy: the first crash destroys the domain (one crash
 * event, action destroy, then DOMAIN_DESTROYED; DOMAIN_GET finds nothing).
 */
TEST_F(sched, on_crash_destroy_destroys_at_once)
{
	struct tpcfg cfg = {
		.present = PCFG(ON_CRASH), .on_crash = TANDEM_CRASH_DESTROY,
	};
	struct sch_crash c[2];
	struct tnl_sock ev;
	int n, destroyed;

	SCH_SET(&cfg);
	SCH_CREATE(0, GT_TRIPLE_FAULT);
	ASSERT_EQ(0, tnl_open(&ev));
	ASSERT_EQ(0, tnl_join(&ev, TANDEM_MCGRP_EVENTS_NAME));
	SCH_START(0);
	n = sch_events(&ev, self->d[0].id, c, 2, &destroyed, UCALL_TIMEOUT, 0);
	tnl_close(&ev);
	ASSERT_TRUE(destroyed) TH_LOG("no DOMAIN_DESTROYED event (%d crash events)", n);
	EXPECT_EQ(1, n);
	EXPECT_EQ(TANDEM_CRASH_DESTROY, c[0].action);
	EXPECT_EQ(0, c[0].restarts);
	EXPECT_EQ(-ENOENT, tg_get(&self->d[0], &self->r));
}

/*
 * on_crash = preserve: the crashed domain stays in state crashed, not
 * restarted, and its memory can be read (the routine number the host
 * wrote, the payload's first bytes).
 */
TEST_F(sched, on_crash_preserve_keeps_it_crashed_with_memory_readable)
{
	struct tpcfg cfg = {
		.present = PCFG(ON_CRASH), .on_crash = TANDEM_CRASH_PRESERVE,
	};
	uint8_t code[64], want[64];
	char exe[512], path[600];
	struct sch_crash c[2];
	struct tnl_sock ev;
	struct sch_vcpu v;
	uint32_t sel = 0;
	int n, destroyed;
	ssize_t len;
	FILE *f;

	SCH_SET(&cfg);
	SCH_CREATE(0, GT_TRIPLE_FAULT);
	ASSERT_EQ(0, tnl_open(&ev));
	ASSERT_EQ(0, tnl_join(&ev, TANDEM_MCGRP_EVENTS_NAME));
	SCH_START(0);
	ASSERT_EQ(0, tg_wait_state(&self->d[0], TANDEM_STATE_CRASHED, UCALL_TIMEOUT))
		TH_LOG("state %d, not crashed", tg_state(&self->d[0]));
	n = sch_events(&ev, self->d[0].id, c, 2, &destroyed, 1000, 0);
	tnl_close(&ev);
	EXPECT_EQ(1, n);
	EXPECT_EQ(TANDEM_CRASH_PRESERVE, c[0].action);
	EXPECT_FALSE(destroyed);

	SCH_GET(0, &v);
	EXPECT_EQ(TANDEM_STATE_CRASHED, v.state);
	EXPECT_EQ(0, v.restarts);
	ASSERT_EQ(0, tg_read(&self->d[0], GT_TEST_SEL, &sel, sizeof(sel)))
		TH_LOG("MEM_READ: %s", self->d[0].msg);
	EXPECT_EQ(GT_TRIPLE_FAULT, sel);

	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, len);
	exe[len] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(path, sizeof(path), "%s/guest_tests_long.bin", exe);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(sizeof(want), fread(want, 1, sizeof(want), f));
	fclose(f);
	ASSERT_EQ(0, tg_read(&self->d[0], TG_LOAD_GPA, code, sizeof(code)));
	EXPECT_EQ(0, memcmp(want, code, sizeof(code)));
}

/*
 * A power-off: tandem_policy follows the domain's wish when it has one
 * (preserve: it stays shut down), else on_poweroff (destroy: it is gone).
 */
TEST_F(sched, poweroff_follows_the_domain_wish_else_on_poweroff)
{
	struct tpcfg cfg = {
		.present = PCFG(ON_POWEROFF),
		.on_poweroff = TANDEM_CRASH_DESTROY,
	};
	long end;
	int err;

	SCH_SET(&cfg);
	gt_on_poweroff = TANDEM_CRASH_PRESERVE;
	SCH_CREATE(0, GT_HYPERCALL);
	gt_on_poweroff = -1;
	SCH_CREATE(1, GT_HYPERCALL);
	SCH_START(0);
	SCH_START(1);

	end = gt_now_ms() + UCALL_TIMEOUT;
	while ((err = tg_get(&self->d[1], &self->r)) == 0 && gt_now_ms() < end)
		usleep(10000);
	EXPECT_EQ(-ENOENT, err) TH_LOG("domain without a wish not destroyed");
	ASSERT_EQ(0, tg_wait_state(&self->d[0], TANDEM_STATE_SHUTDOWN,
				   UCALL_TIMEOUT))
		TH_LOG("state %d, not shutdown", tg_state(&self->d[0]));
	/* Its decision came long before the other's destroy was seen. */
	EXPECT_EQ(TANDEM_STATE_SHUTDOWN, tg_state(&self->d[0]));
	ASSERT_EQ(0, tg_get(&self->d[0], &self->r));
	EXPECT_EQ(TANDEM_SHUTDOWN_POWEROFF,
		  treply_u32(&self->r, TANDEM_DOMAIN_A_SHUTDOWN_REASON, 0));
	EXPECT_EQ(TANDEM_CRASH_PRESERVE,
		  treply_u32(&self->r, TANDEM_DOMAIN_A_ON_POWEROFF, ~0u));
}

/*
 * A crash: tandem_policy follows the domain's on_crash wish when it has
 * one (destroy: it is gone, though the configuration says preserve), else
 * on_crash (preserve: the other stays crashed).
 */
TEST_F(sched, crash_follows_the_domain_wish_else_on_crash)
{
	struct tpcfg cfg = {
		.present = PCFG(ON_CRASH), .on_crash = TANDEM_CRASH_PRESERVE,
	};
	long end;
	int err;

	SCH_SET(&cfg);
	gt_on_crash = TANDEM_CRASH_DESTROY;
	SCH_CREATE(0, GT_TRIPLE_FAULT);
	gt_on_crash = -1;
	SCH_CREATE(1, GT_TRIPLE_FAULT);
	SCH_START(0);
	SCH_START(1);

	end = gt_now_ms() + UCALL_TIMEOUT;
	while ((err = tg_get(&self->d[0], &self->r)) == 0 && gt_now_ms() < end)
		usleep(10000);
	EXPECT_EQ(-ENOENT, err) TH_LOG("domain wishing destroy not destroyed");
	ASSERT_EQ(0, tg_wait_state(&self->d[1], TANDEM_STATE_CRASHED,
				   UCALL_TIMEOUT))
		TH_LOG("state %d, not crashed", tg_state(&self->d[1]));
	ASSERT_EQ(0, tg_get(&self->d[1], &self->r));
	EXPECT_EQ(NULL, self->r.tb[TANDEM_DOMAIN_A_ON_CRASH]);
	EXPECT_EQ(0, treply_u32(&self->r, TANDEM_DOMAIN_A_RESTARTS, ~0u));
}

TEST_HARNESS_MAIN
