/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host side of the multi-mode test payloads (guest/tests.inc, built as
 * guest_tests_real.bin, guest_tests_prot.bin, guest_tests_long.bin): create
 * a domain running one routine of them, follow its ucalls, read its vCPU
 * statistics, and watch the kernel log. Shared by exit_test,
 * isolation_test and sched_test; header-only (static functions).
 */
#ifndef TANDEM_GUEST_TEST_H
#define TANDEM_GUEST_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <tandem.h>

#include "tandem_guest.h"
#include "test_agent.h"

/* Guest-physical addresses the payloads use: keep in step with guest.h. */
#define GT_TEST_SEL	0x8004
#define GT_TEST_ARG	0x8008
#define GT_TEST_ARG2	0x800c
#define GT_SCRATCH	0xb000

/* Routines of guest/tests.inc: keep in step with its T_* numbers. */
enum gt_routine {
	GT_HLT = 1,
	GT_PIO,
	GT_STRING_IO,
	GT_MMIO,
	GT_CPUID,
	GT_MSR,
	GT_HYPERCALL,
	GT_UD,
	GT_TRIPLE_FAULT,
	GT_CR4,
	GT_FPU,
	GT_DEBUGREG,
	GT_TOUCH_GPA = 20,
	GT_FILL,
	GT_EXIT_LOOP,
	GT_SPIN,
	GT_HALT_LOOP,
	GT_CRASH_ON_WAKE,
};

static const char *const gt_mode_file[] = {
	[TG_REAL] = "real", [TG_PROTECTED] = "prot", [TG_LONG] = "long",
};

static inline long gt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * gt_unusable() - why domains in @mode cannot run on this CPU
 * @mode: the payload's mode
 *
 * Return: %NULL when they can, else a reason to SKIP with. Errors talking
 * to the module are not reasons to skip: they return %NULL and the test
 * fails where it needs the module.
 */
static inline const char *gt_unusable(enum tg_mode mode)
{
	static struct treply r;
	struct tnl_sock s;
	struct tmsg m;
	uint64_t feat;
	uint32_t vendor;

	if (tnl_open(&s))
		return NULL;
	tmsg_init(&m, s.family, 0, TANDEM_CMD_GET_INFO);
	if (tnl_transact(&s, &m, &r) || r.err) {
		tnl_close(&s);
		return NULL;
	}
	tnl_close(&s);
	vendor = treply_u32(&r, TANDEM_INFO_A_VENDOR, TANDEM_VENDOR_NONE);
	feat = treply_u64(&r, TANDEM_INFO_A_FEATURES, 0);
	if (vendor == TANDEM_VENDOR_NONE)
		return "this CPU has neither VMX nor SVM";
	if (r.tb[TANDEM_INFO_A_USABLE] &&
	    !*(const uint8_t *)tnla_data(r.tb[TANDEM_INFO_A_USABLE]))
		return "this CPU lacks features domains need (see `tandem info`)";
	if (mode == TG_REAL && vendor == TANDEM_VENDOR_INTEL &&
	    !(feat & (1ULL << TANDEM_FEAT_UNRESTRICTED_GUEST)))
		return "VMX without unrestricted guest cannot run real mode";
	return NULL;
}

/**
 * struct gt_counters - the mechanism's global resource counters (GET_INFO)
 * @domains: domains in the table
 * @guest_memory: bytes of guest RAM held
 * @pt_pages: nested page-table pages held
 * @asids: VPIDs (VMX) or VMCBs holding an ASID (SVM) in use
 * @vcpu_threads: vCPU kernel threads alive
 * @hw_users: started domains keeping VMX/SVM on
 * @image_pages: pages kept as copies of loaded images
 */
struct gt_counters {
	uint32_t domains;
	uint64_t guest_memory;
	uint64_t pt_pages;
	uint32_t asids;
	uint32_t vcpu_threads;
	uint32_t hw_users;
	uint64_t image_pages;
};

/**
 * gt_counters_get() - read the counters
 * @c: filled in
 *
 * Return: 0, -EPROTO when the module does not report one of them, or an
 * error of GET_INFO.
 */
static inline int gt_counters_get(struct gt_counters *c)
{
	static const int need[] = {
		TANDEM_INFO_A_NR_DOMAINS, TANDEM_INFO_A_GUEST_MEMORY,
		TANDEM_INFO_A_PT_PAGES, TANDEM_INFO_A_ASIDS_IN_USE,
		TANDEM_INFO_A_VCPU_THREADS, TANDEM_INFO_A_HW_USERS,
		TANDEM_INFO_A_IMAGE_PAGES,
	};
	static struct treply r;
	struct tnl_sock s;
	struct tmsg m;
	unsigned int i;
	int err;

	memset(c, 0, sizeof(*c));
	err = tnl_open(&s);
	if (err)
		return err;
	tmsg_init(&m, s.family, 0, TANDEM_CMD_GET_INFO);
	err = tnl_transact(&s, &m, &r);
	tnl_close(&s);
	if (err || r.err)
		return err ? err : r.err;
	for (i = 0; i < ARRAY_SIZE(need); i++)
		if (!r.tb[need[i]])
			return -EPROTO;
	c->domains = treply_u32(&r, TANDEM_INFO_A_NR_DOMAINS, 0);
	c->guest_memory = treply_u64(&r, TANDEM_INFO_A_GUEST_MEMORY, 0);
	c->pt_pages = treply_u64(&r, TANDEM_INFO_A_PT_PAGES, 0);
	c->asids = treply_u32(&r, TANDEM_INFO_A_ASIDS_IN_USE, 0);
	c->vcpu_threads = treply_u32(&r, TANDEM_INFO_A_VCPU_THREADS, 0);
	c->hw_users = treply_u32(&r, TANDEM_INFO_A_HW_USERS, 0);
	c->image_pages = treply_u64(&r, TANDEM_INFO_A_IMAGE_PAGES, 0);
	return 0;
}

/*
 * GT_KMSG_CHECK_CLOSE() - in a fixture's teardown: the kernel log since
 * @kmsg was opened (gt_kmsg_open()) has no warning, oops or the like, and
 * @kmsg is closed. (No TH_LOG on the check itself: after a failed ASSERT
 * the harness runs the next check's log statement even when that check
 * passes.)
 */
#define GT_KMSG_CHECK_CLOSE(kmsg) do {					\
	char __line[256] = "";						\
	int __trouble = gt_kmsg_trouble(kmsg, __line, sizeof(__line));	\
									\
	if (__trouble)							\
		TH_LOG("kernel log: %s", __line);			\
	EXPECT_EQ(0, __trouble);					\
	if ((kmsg) >= 0)						\
		close(kmsg);						\
} while (0)

/**
 * gt_reap_stale() - destroy domains named @prefix<pid>-... whose test
 * process is gone (killed by the harness's timeout before its teardown)
 * @prefix: the prefix gt_create() was given
 *
 * Needs a policy agent (the test agent is started first).
 */
static inline void gt_reap_stale(const char *prefix)
{
	static struct treply r;
	uint32_t ids[64];
	struct tnl_sock s;
	int i, n;

	if (tnl_open(&s))
		return;
	n = tdom_list(&s, ids, 64);
	for (i = 0; i < n && i < 64; i++) {
		const char *name;
		int pid;

		if (tdom_get(&s, ids[i], &r))
			continue;
		name = treply_str(&r, TANDEM_DOMAIN_A_NAME);
		if (strncmp(name, prefix, strlen(prefix)) ||
		    sscanf(name + strlen(prefix), "%d-", &pid) != 1 ||
		    pid == getpid() || !kill(pid, 0) || errno != ESRCH)
			continue;
		tdom_destroy(&s, ids[i], &r);
	}
	tnl_close(&s);
}

/**
 * gt_create_payload() - a domain about to run routine @sel of the @mode
 * build of payload @payload (guest_<payload>_<mode>.bin next to the test)
 * @d: the domain (tg_create() initialises it)
 * @prefix: start of its name; the pid and a counter make it unique
 * @memory: bytes of RAM
 * @mode: real, protected or long mode
 * @payload: "tests" (guest/tests.inc), "platform" (guest/platform.inc)
 * @sel: the routine's number
 * @arg: TEST_ARG
 * @arg2: TEST_ARG2
 * @why: set to the step that failed
 *
 * Return: 0 (the domain is created, loaded, not started) or a negative
 * errno; on failure the domain may exist (d->id != 0) and the caller
 * destroys it.
 */
/*
 * The wishes (&enum tandem_crash_action, -1 for none) gt_create_payload()
 * gives new domains for a power-off, a reboot and a crash; tests that set them put
 * -1 back.
 */
static int64_t gt_on_poweroff = -1, gt_on_reboot = -1, gt_on_crash = -1;
/* vCPUs of the domains gt_create_payload() makes (vCPU 0 runs the payload) */
static uint32_t gt_vcpus = 1;

static inline int gt_create_payload(struct tg_domain *d, const char *prefix,
				    uint64_t memory, enum tg_mode mode,
				    const char *payload, uint32_t sel,
				    uint32_t arg, uint32_t arg2,
				    const char **why)
{
	static int counter;
	char name[TANDEM_NAME_MAX], exe[512], path[600];
	ssize_t n;
	int err;

	snprintf(name, sizeof(name), "%s%d-%d", prefix, getpid(), counter++);
	err = tg_create_wish(d, name, memory, gt_vcpus, gt_on_poweroff,
			     gt_on_reboot, gt_on_crash);
	if (err) {
		*why = "DOMAIN_CREATE";
		return err;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0) {
		*why = "readlink /proc/self/exe";
		return -errno;
	}
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/guest_%s_%s.bin", dirname(exe),
		 payload, gt_mode_file[mode]);
	err = tg_load_file(d, TG_LOAD_GPA, path);
	if (err) {
		*why = "loading the payload (guest_*_<mode>.bin next to the test)";
		return err;
	}
	err = tg_setup(d, mode, TG_LOAD_GPA);
	if (err) {
		*why = "tg_setup (tables, registers)";
		return err;
	}
	err = tg_write(d, GT_TEST_SEL, &sel, sizeof(sel));
	if (!err)
		err = tg_write(d, GT_TEST_ARG, &arg, sizeof(arg));
	if (!err)
		err = tg_write(d, GT_TEST_ARG2, &arg2, sizeof(arg2));
	if (err)
		*why = "writing the routine's number";
	return err;
}

/* gt_create_payload() of the exit and isolation routines (guest/tests.inc). */
static inline int gt_create(struct tg_domain *d, const char *prefix,
			    uint64_t memory, enum tg_mode mode, uint32_t sel,
			    uint32_t arg, uint32_t arg2, const char **why)
{
	return gt_create_payload(d, prefix, memory, mode, "tests", sel, arg,
				 arg2, why);
}

struct gt_stats {
	uint64_t run_ns;
	uint64_t halt_ns;
	uint64_t irqs;
	uint64_t exits[__TANDEM_STAT_EXIT_COUNT];
	uint64_t unhandled_io;
	uint64_t unhandled_mmio;
	uint32_t state;
	uint32_t shutdown_reason;
	uint32_t restarts;
	char crash_reason[TANDEM_REASON_MAX];
};

/**
 * gt_get() - DOMAIN_GET: state, vCPU 0's statistics, counters
 * @d: the domain
 * @st: filled in
 *
 * Return: 0, -EPROTO when the reply lacks the statistics, or an error.
 */
static inline int gt_get(struct tg_domain *d, struct gt_stats *st)
{
	static struct treply r;
	const struct nlattr *vcpu, *a;
	int err = tg_get(d, &r);

	memset(st, 0, sizeof(*st));
	if (err)
		return err;
	st->state = treply_u32(&r, TANDEM_DOMAIN_A_STATE, 0);
	st->unhandled_io = treply_u64(&r, TANDEM_DOMAIN_A_UNHANDLED_IO, 0);
	st->unhandled_mmio = treply_u64(&r, TANDEM_DOMAIN_A_UNHANDLED_MMIO, 0);
	st->shutdown_reason = treply_u32(&r, TANDEM_DOMAIN_A_SHUTDOWN_REASON,
					 TANDEM_SHUTDOWN_NONE);
	st->restarts = treply_u32(&r, TANDEM_DOMAIN_A_RESTARTS, 0);
	snprintf(st->crash_reason, sizeof(st->crash_reason), "%s",
		 treply_str(&r, TANDEM_DOMAIN_A_CRASH_REASON));
	if (!r.tb[TANDEM_DOMAIN_A_VCPU_STATS])
		return -EPROTO;
	tnla_for_each_nested(vcpu, r.tb[TANDEM_DOMAIN_A_VCPU_STATS]) {
		tnla_for_each_nested(a, vcpu) {
			switch (a->nla_type & NLA_TYPE_MASK) {
			case TANDEM_STATS_A_RUN_NS:
				st->run_ns = tnla_u64(a);
				break;
			case TANDEM_STATS_A_HALT_NS:
				st->halt_ns = tnla_u64(a);
				break;
			case TANDEM_STATS_A_IRQS:
				st->irqs = tnla_u64(a);
				break;
			case TANDEM_STATS_A_EXITS:
				memcpy(st->exits, tnla_data(a),
				       tnla_len(a) < (int)sizeof(st->exits) ?
				       tnla_len(a) : sizeof(st->exits));
				break;
			}
		}
		return 0;	/* vCPU 0 only */
	}
	return -EPROTO;
}

/**
 * gt_wait_ucall() - wait for the next ucall line on @d's console
 * @d: the domain
 * @pos: console offset to look from; moved past the line found
 * @type: "sync" or "done"
 * @value: set to the ucall's value (may be %NULL)
 * @timeout_ms: how long at most
 * @line: the line found, or what was seen instead (for the test's log)
 * @len: room in @line
 *
 * Return: 0; -EPROTO for an "assert" (or a ucall of another type) before
 * it; -ESHUTDOWN when the domain stopped (crashed, shut down) without it;
 * -ETIMEDOUT; or an error of CONSOLE_READ or DOMAIN_GET.
 */
static inline int gt_wait_ucall(struct tg_domain *d, size_t *pos,
				const char *type, uint64_t *value,
				int timeout_ms, char *line, size_t len)
{
	static const char *const states[] = {
		"none", "created", "running", "paused", "shutdown", "crashed",
		"dying",
	};
	long end = gt_now_ms() + timeout_ms;
	int stopped = 0;

	snprintf(line, len, "(nothing)");
	for (;;) {
		struct gt_stats st;
		char *p, *nl;
		int err = tg_console_poll(d);

		if (err < 0)
			return err;
		if (*pos > d->console_len)	/* the console buffer was cut */
			*pos = 0;
		while ((p = strstr(d->console + *pos, "ucall: ")) &&
		       (nl = strchr(p, '\n'))) {
			char kind[16] = "";
			unsigned long long v = 0;

			*pos = nl + 1 - d->console;
			snprintf(line, len, "%.*s", (int)(nl - p), p);
			if (sscanf(p, "ucall: %15s %lli", kind, &v) < 1)
				continue;
			if (strcmp(kind, type))
				return -EPROTO;
			if (value)
				*value = v;
			return 0;
		}
		/* Stopped: one more look at the console, then give up. */
		if (stopped)
			return -ESHUTDOWN;
		err = gt_get(d, &st);
		if (err && err != -EPROTO)
			return err;
		if (st.state == TANDEM_STATE_CRASHED ||
		    st.state == TANDEM_STATE_SHUTDOWN) {
			snprintf(line, len, "domain %s: %s", states[st.state],
				 st.crash_reason);
			stopped = 1;
			continue;
		}
		if (gt_now_ms() > end)
			return -ETIMEDOUT;
		usleep(10000);
	}
}

/* Wait until vCPU 0 has taken at least @n exits of @kind. */
static inline int gt_wait_exits(struct tg_domain *d, int kind, uint64_t n,
				int timeout_ms)
{
	long end = gt_now_ms() + timeout_ms;
	struct gt_stats st;

	do {
		int err = gt_get(d, &st);

		if (err)
			return err;
		if (st.exits[kind] >= n)
			return 0;
		usleep(10000);
	} while (gt_now_ms() < end);
	return -ETIMEDOUT;
}

/*
 * Kernel log lines that mean the kernel found itself in trouble: tandem's
 * own messages (a domain crashed, ...) are not among them.
 */
static const char *const gt_kmsg_bad[] = {
	"WARNING:", "BUG:", "BUG ", "Oops", "general protection fault",
	"Call Trace", "kernel BUG", "UBSAN", "KASAN", "soft lockup",
	"hard LOCKUP", "rcu_sched self-detected stall", "blocked for more than",
	"refcount_t:", "list_add corruption", "list_del corruption",
};

/* /dev/kmsg, positioned after what is logged now (or -errno). */
static inline int gt_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	lseek(fd, 0, SEEK_END);
	return fd;
}

/**
 * gt_kmsg_trouble() - read what was logged since the last call
 * @fd: from gt_kmsg_open()
 * @line: the first worrying line, if any
 * @len: room in @line
 *
 * Return: the number of worrying lines.
 */
static inline int gt_kmsg_trouble(int fd, char *line, size_t len)
{
	char rec[8192];
	int bad = 0;

	if (fd < 0)
		return 0;
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		const char *msg;
		unsigned int i;

		if (n < 0 && errno == EPIPE)	/* overwritten: go on */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		for (i = 0; i < ARRAY_SIZE(gt_kmsg_bad); i++) {
			const char *hit = strstr(msg, gt_kmsg_bad[i]);

			if (!hit)
				continue;
			/* The line of the record that holds the hit. */
			while (hit > msg && hit[-1] != '\n')
				hit--;
			if (!bad++)
				snprintf(line, len, "%.*s", (int)strcspn(hit, "\n"), hit);
			break;
		}
	}
	return bad;
}

#endif /* TANDEM_GUEST_TEST_H */
