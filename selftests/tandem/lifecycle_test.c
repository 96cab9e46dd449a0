// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle_test: creating, loading, starting, running and destroying
 * domains leaks nothing. After 100 cycles of a flat real-mode guest that
 * greets and powers off, and after destroying a domain while it runs,
 * while it is paused and while it is halted, the mechanism's own counters
 * (GET_INFO: domains, guest memory, nested page-table pages, VPIDs or
 * ASID-holding VMCBs, vCPU threads, VMX/SVM users) are back where they
 * started, no vCPU thread ("tandem/<domid>.<vcpu>") is left in /proc, the
 * lab's free memory is where it was (within a small bound), and a new
 * domain still runs.
 *
 * Each cycle is kept cheap for Bochs: a 2 MiB domain, one MEM_WRITE of the
 * payload, one of the hypercall flag, one VCPU_SET_REGS.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <tandem.h>

#include "kselftest_harness.h"
#include "guest_test.h"

#define MiB		(1ULL << 20)
#define CYCLES		100
#define DOM_MEMORY	(2 * MiB)
#define WAIT_MS		20000	/* one guest under TCG or Bochs */
#define SETTLE_MS	5000	/* for counters to come back after DESTROY */
/*
 * Free memory may move by this much for reasons of its own: freed 2 MiB
 * chunks of guest RAM can stay on the per-CPU page lists, which MemFree
 * does not count (seen: exactly -8 MiB with 2 CPUs in the SVM lab, about
 * 0 with 1 CPU in the VMX lab, whatever the number of cycles; once -17 MiB
 * in the SVM lab, with unreclaimable slab up by only 0.2 MiB). A leak of
 * guest RAM would be 2 MiB per cycle, 198 MiB in all; the counters catch
 * smaller ones.
 */
#define MEM_SLACK_KB	(32 * 1024)
#define GREETING	"Hello from a real-mode guest"

FIXTURE(lifecycle) {
	struct test_agent agent;
	struct tg_domain d;
	int created;
	int kmsg;
	const char *skip;
	char payload[4096];
	size_t payload_len;
	uint8_t flag;
	struct gt_counters base;
	size_t pos;
	char line[256];
};

/*
 * MemFree and MemAvailable from /proc/meminfo, in kB, after the kernel
 * dropped what it can (page cache, reclaimable slabs): less noise.
 */
static int meminfo(long *free_kb, long *avail_kb)
{
	char line[128];
	FILE *f = fopen("/proc/sys/vm/drop_caches", "w");
	int found = 0;

	if (f) {
		fputs("3\n", f);
		fclose(f);
	}
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemFree: %ld kB", free_kb) == 1)
			found |= 1;
		else if (sscanf(line, "MemAvailable: %ld kB", avail_kb) == 1)
			found |= 2;
	}
	fclose(f);
	return found == 3 ? 0 : -EPROTO;
}

/* Where kernel memory went: the /proc/meminfo lines a leak would move. */
static void meminfo_detail(struct __test_metadata *_metadata, const char *when)
{
	static const char *const keys[] = {
		"Slab:", "SUnreclaim:", "KernelStack:", "PageTables:",
		"Percpu:", "VmallocUsed:",
	};
	char line[128], out[512] = "";
	FILE *f = fopen("/proc/meminfo", "r");
	size_t i;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			long kb;
			char fmt[32];

			snprintf(fmt, sizeof(fmt), "%s %%ld kB", keys[i]);
			if (sscanf(line, fmt, &kb) == 1)
				snprintf(out + strlen(out), sizeof(out) - strlen(out),
					 " %s %ld", keys[i], kb);
		}
	}
	fclose(f);
	TH_LOG("%s (kB):%s", when, out);
}

/*
 * vCPU threads in /proc: kernel threads named tandem/<domid>.<vcpu> (see
 * tandem_domain_start_vcpus()). @first gets the first one found.
 */
static int vcpu_threads(char *first, size_t len)
{
	DIR *dir = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!dir)
		return -errno;
	while ((e = readdir(dir))) {
		char path[300], comm[32] = "";
		unsigned int dom, vcpu;
		char end;
		FILE *f;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		/* The comm may be cut at 15 characters: no check of the end. */
		if (sscanf(comm, "tandem/%u.%u%c", &dom, &vcpu, &end) >= 2 ||
		    sscanf(comm, "tandem/%u%c", &dom, &end) == 2) {
			if (!n++)
				snprintf(first, len, "pid %.16s: %s", e->d_name, comm);
		}
	}
	closedir(dir);
	return n;
}

static int load_payload(struct __test_metadata *_metadata,
			FIXTURE_DATA(lifecycle) *self)
{
	char exe[512], path[600];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	FILE *f;

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/guest_hello_real.bin", dirname(exe));
	f = fopen(path, "rb");
	if (!f) {
		TH_LOG("%s: %s", path, strerror(errno));
		return -errno;
	}
	self->payload_len = fread(self->payload, 1, sizeof(self->payload), f);
	fclose(f);
	return self->payload_len ? 0 : -EIO;
}

FIXTURE_SETUP(lifecycle)
{
	const char *why = "";
	int err;

	self->kmsg = gt_kmsg_open();
	err = ta_start(&self->agent, &why);
	ASSERT_EQ(0, err) TH_LOG("test agent: %s: %s", why, strerror(-err));
	gt_reap_stale("lc");
	self->skip = gt_unusable(TG_REAL);
	err = tg_vendor();
	ASSERT_LT(0, err) TH_LOG("GET_INFO: %s", strerror(-err));
	self->flag = err == TANDEM_VENDOR_INTEL ? 1 : 2;
	ASSERT_EQ(0, load_payload(_metadata, self));
	err = gt_counters_get(&self->base);
	ASSERT_EQ(0, err) TH_LOG("GET_INFO lacks the resource counters: %s",
				 strerror(-err));
}

FIXTURE_TEARDOWN(lifecycle)
{
	if (self->created) {
		tg_destroy(&self->d);
		tg_close(&self->d);
	}
	ta_stop(&self->agent);
	GT_KMSG_CHECK_CLOSE(self->kmsg);
}

/*
 * One cheap domain: create, payload at TG_LOAD_GPA, hypercall flag, real
 * mode registers. Not started. Return: 0 or a negative errno (@why says
 * which step).
 */
static int cheap_create(FIXTURE_DATA(lifecycle) *self, const char **why)
{
	static int counter;
	struct tandem_vcpu_regs regs;
	char name[TANDEM_NAME_MAX];
	int err;

	snprintf(name, sizeof(name), "lc%d-%d", getpid(), counter++);
	err = tg_create(&self->d, name, DOM_MEMORY, 1);
	self->created = 1;
	if (err) {
		*why = "DOMAIN_CREATE";
		return err;
	}
	err = tg_write(&self->d, TG_LOAD_GPA, self->payload, self->payload_len);
	if (!err)
		err = tg_write(&self->d, TG_FLAG_GPA, &self->flag, 1);
	if (err) {
		*why = "MEM_WRITE";
		return err;
	}
	tg_mode_regs(TG_REAL, TG_LOAD_GPA, &regs);
	err = tg_set_regs(&self->d, 0, &regs);
	if (err)
		*why = "VCPU_SET_REGS";
	return err;
}

static int destroy(FIXTURE_DATA(lifecycle) *self)
{
	int err = tg_destroy(&self->d);

	tg_close(&self->d);
	self->created = 0;
	return err;
}

/*
 * Wait until the counters are back to @base (DESTROY may hand the last
 * teardown to RCU or a worker); @now gets the last values read.
 */
static int counters_settle(const struct gt_counters *base,
			   struct gt_counters *now)
{
	long end = gt_now_ms() + SETTLE_MS;
	int err;

	for (;;) {
		err = gt_counters_get(now);
		if (err)
			return err;
		if (!memcmp(now, base, sizeof(*now)))
			return 0;
		if (gt_now_ms() > end)
			return -ETIMEDOUT;
		usleep(10000);
	}
}

#define CHEAP_CREATE() do {						\
	const char *__why = "";						\
	int __err = cheap_create(self, &__why);				\
									\
	ASSERT_EQ(0, __err) TH_LOG("%s: %s (%s)", __why,		\
				   strerror(-__err), self->d.msg);	\
} while (0)

/* Start the cheap domain and wait until it greeted and powered off. */
#define RUN_TO_SHUTDOWN(i) do {						\
	int __err = tg_start(&self->d);					\
									\
	ASSERT_EQ(0, __err) TH_LOG("cycle %d: START: %s (%s)", i,	\
				   strerror(-__err), self->d.msg);	\
	__err = tg_wait_state(&self->d, TANDEM_STATE_SHUTDOWN, WAIT_MS); \
	tg_console_poll(&self->d);					\
	ASSERT_EQ(0, __err) TH_LOG("cycle %d: state %d, console:\n%s", i, \
				   tg_state(&self->d), self->d.console); \
	ASSERT_NE(NULL, strstr(self->d.console, GREETING))		\
		TH_LOG("cycle %d: console:\n%s", i, self->d.console);	\
} while (0)

/* Counters back at the baseline, no vCPU thread in /proc. */
#define ASSERT_NOTHING_LEFT(what) do {					\
	struct gt_counters __c;						\
	char __first[128] = "";						\
	int __err = counters_settle(&self->base, &__c);			\
									\
	ASSERT_EQ(0, __err)						\
		TH_LOG("%s: counters domains %u memory %llu pt %llu "	\
		       "asids %u threads %u hw %u image %llu, "		\
		       "were %u %llu %llu %u %u %u %llu",		\
		       what, __c.domains,				\
		       (unsigned long long)__c.guest_memory,		\
		       (unsigned long long)__c.pt_pages, __c.asids,	\
		       __c.vcpu_threads, __c.hw_users,			\
		       (unsigned long long)__c.image_pages,		\
		       self->base.domains,				\
		       (unsigned long long)self->base.guest_memory,	\
		       (unsigned long long)self->base.pt_pages,		\
		       self->base.asids, self->base.vcpu_threads,	\
		       self->base.hw_users,				\
		       (unsigned long long)self->base.image_pages);	\
	ASSERT_EQ(self->base.vcpu_threads, vcpu_threads(__first, sizeof(__first))) \
		TH_LOG("%s: vCPU thread left: %s", what, __first);	\
} while (0)

/*
 * The domain of the test is started and not destroyed: every counter is
 * above the baseline by what one 1-vCPU domain holds, and /proc shows its
 * thread (so that the checks of "nothing left" cannot pass vacuously).
 */
#define ASSERT_DOMAIN_HOLDS(what) do {					\
	struct gt_counters __c;						\
	char __first[128] = "";						\
	char __want[32];						\
									\
	ASSERT_EQ(0, gt_counters_get(&__c));				\
	EXPECT_EQ(self->base.domains + 1, __c.domains) TH_LOG("%s", what); \
	EXPECT_EQ(self->base.guest_memory + DOM_MEMORY, __c.guest_memory) \
		TH_LOG("%s", what);					\
	EXPECT_LT(self->base.pt_pages, __c.pt_pages) TH_LOG("%s", what); \
	EXPECT_EQ(self->base.asids + 1, __c.asids) TH_LOG("%s", what);	\
	EXPECT_EQ(self->base.vcpu_threads + 1, __c.vcpu_threads)	\
		TH_LOG("%s", what);					\
	EXPECT_LT(self->base.hw_users, __c.hw_users) TH_LOG("%s", what); \
	EXPECT_LT(self->base.image_pages, __c.image_pages)		\
		TH_LOG("%s", what);					\
	EXPECT_EQ(self->base.vcpu_threads + 1,				\
		  vcpu_threads(__first, sizeof(__first)))		\
		TH_LOG("%s: /proc shows no vCPU thread", what);		\
	snprintf(__want, sizeof(__want), "tandem/%u.0", self->d.id);	\
	EXPECT_NE(NULL, strstr(__first, __want))			\
		TH_LOG("%s: found \"%s\", not %s", what, __first, __want); \
} while (0)

/*
 * 100 cycles of create, load, start, run to power-off, destroy: every
 * counter comes back, free memory too, no thread is left, and the 101st
 * domain still runs.
 */
TEST_F(lifecycle, hundred_cycles_leak_nothing)
{
	long free0, avail0, free1, avail1;
	int i;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	/*
	 * The first cycle warms up what stays for the module's lifetime or
	 * is cached by the kernel (slabs, per-CPU pages, kthread stacks):
	 * memory is measured after it, counters from before it.
	 */
	for (i = 0; i < CYCLES; i++) {
		CHEAP_CREATE();
		RUN_TO_SHUTDOWN(i);
		ASSERT_EQ(0, destroy(self)) TH_LOG("cycle %d: DESTROY", i);
		if (!i) {
			ASSERT_NOTHING_LEFT("after the first cycle");
			ASSERT_EQ(0, meminfo(&free0, &avail0));
			meminfo_detail(_metadata, "after the first cycle");
		}
		/* Progress for slow labs (Bochs): the log shows where it is. */
		if (!((i + 1) % 25))
			TH_LOG("%d cycles done", i + 1);
	}
	ASSERT_NOTHING_LEFT("after 100 cycles");
	ASSERT_EQ(0, meminfo(&free1, &avail1));
	meminfo_detail(_metadata, "after 100 cycles");
	TH_LOG("MemFree %ld -> %ld kB, MemAvailable %ld -> %ld kB over %d cycles",
	       free0, free1, avail0, avail1, CYCLES - 1);
	EXPECT_LE(free0 - MEM_SLACK_KB, free1);
	EXPECT_LE(avail0 - MEM_SLACK_KB, avail1);

	/* The 101st. */
	CHEAP_CREATE();
	RUN_TO_SHUTDOWN(CYCLES);
	ASSERT_EQ(0, destroy(self));
	ASSERT_NOTHING_LEFT("after the 101st domain");
}

/* A domain destroyed while its vCPU spins in the guest. */
TEST_F(lifecycle, destroy_while_running_leaks_nothing)
{
	const char *why = "";
	int err;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	err = gt_create(&self->d, "lc", DOM_MEMORY, TG_REAL, GT_SPIN, 0, 0, &why);
	self->created = 1;
	ASSERT_EQ(0, err) TH_LOG("%s: %s (%s)", why, strerror(-err), self->d.msg);
	ASSERT_EQ(0, tg_start(&self->d)) TH_LOG("START: %s", self->d.msg);
	ASSERT_EQ(0, gt_wait_ucall(&self->d, &self->pos, "sync", NULL, WAIT_MS,
				   self->line, sizeof(self->line)))
		TH_LOG("got: %s", self->line);
	ASSERT_EQ(TANDEM_STATE_RUNNING, tg_state(&self->d));
	ASSERT_DOMAIN_HOLDS("running");
	ASSERT_EQ(0, destroy(self));
	ASSERT_NOTHING_LEFT("destroyed while running");
	CHEAP_CREATE();
	RUN_TO_SHUTDOWN(0);
	ASSERT_EQ(0, destroy(self));
	ASSERT_NOTHING_LEFT("after the next domain");
}

/* A domain destroyed while paused (its vCPU spun before the pause). */
TEST_F(lifecycle, destroy_while_paused_leaks_nothing)
{
	const char *why = "";
	int err;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	err = gt_create(&self->d, "lc", DOM_MEMORY, TG_REAL, GT_SPIN, 0, 0, &why);
	self->created = 1;
	ASSERT_EQ(0, err) TH_LOG("%s: %s (%s)", why, strerror(-err), self->d.msg);
	ASSERT_EQ(0, tg_start(&self->d)) TH_LOG("START: %s", self->d.msg);
	ASSERT_EQ(0, gt_wait_ucall(&self->d, &self->pos, "sync", NULL, WAIT_MS,
				   self->line, sizeof(self->line)))
		TH_LOG("got: %s", self->line);
	ASSERT_EQ(0, tg_cmd(&self->d, TANDEM_CMD_DOMAIN_PAUSE))
		TH_LOG("PAUSE: %s", self->d.msg);
	ASSERT_EQ(TANDEM_STATE_PAUSED, tg_state(&self->d));
	ASSERT_DOMAIN_HOLDS("paused");
	ASSERT_EQ(0, destroy(self));
	ASSERT_NOTHING_LEFT("destroyed while paused");
	CHEAP_CREATE();
	RUN_TO_SHUTDOWN(0);
	ASSERT_EQ(0, destroy(self));
	ASSERT_NOTHING_LEFT("after the next domain");
}

/* A domain destroyed while its vCPU sleeps in HLT. */
TEST_F(lifecycle, destroy_while_halted_leaks_nothing)
{
	const char *why = "";
	int err;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	err = gt_create(&self->d, "lc", DOM_MEMORY, TG_REAL, GT_HALT_LOOP, 0, 0,
			&why);
	self->created = 1;
	ASSERT_EQ(0, err) TH_LOG("%s: %s (%s)", why, strerror(-err), self->d.msg);
	ASSERT_EQ(0, tg_start(&self->d)) TH_LOG("START: %s", self->d.msg);
	ASSERT_EQ(0, gt_wait_ucall(&self->d, &self->pos, "sync", NULL, WAIT_MS,
				   self->line, sizeof(self->line)))
		TH_LOG("got: %s", self->line);
	ASSERT_EQ(0, gt_wait_exits(&self->d, TANDEM_STAT_EXIT_HLT, 1, WAIT_MS))
		TH_LOG("the vCPU never halted");
	ASSERT_EQ(TANDEM_STATE_RUNNING, tg_state(&self->d));
	ASSERT_DOMAIN_HOLDS("halted");
	ASSERT_EQ(0, destroy(self));
	ASSERT_NOTHING_LEFT("destroyed while halted");
	CHEAP_CREATE();
	RUN_TO_SHUTDOWN(0);
	ASSERT_EQ(0, destroy(self));
	ASSERT_NOTHING_LEFT("after the next domain");
}

TEST_HARNESS_MAIN
