// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_coexist_test: Tandem and Debian's KVM (kvm_amd in the SVM lab,
 * kvm_intel in the VMX lab) share the machine without harm. Only one of
 * them can own VMX/SVM at a time, and whoever comes second is refused
 * cleanly: no crash, no kernel WARNING.
 *
 * What KVM does in Debian's 6.1 (virt/kvm/kvm_main.c): loading kvm_amd or
 * kvm_intel does not enable virtualization. KVM_CREATE_VM does, on every
 * CPU (hardware_enable_all(), counted by kvm_usage_count), and the
 * destruction of the last VM disables it again (hardware_disable_all()).
 * There is no enable_virt_at_load in 6.1 (it came in later kernels). The
 * vendor hooks refuse to enable when CR4.VMXE (kvm_intel) or EFER.SVME
 * (kvm_amd) is already set, and KVM_CREATE_VM then fails with EBUSY,
 * logging "kvm: enabling virtualization on CPU<n> failed" at info level.
 * So:
 *  - while a KVM VM exists, DOMAIN_START fails with EBUSY and an extack
 *    saying another hypervisor owns VMX/SVM; the domain stays created;
 *  - once the VM's last file reference is gone (vCPU fd, its kvm_run
 *    mapping, VM fd), Tandem can start domains with kvm still loaded;
 *  - while a Tandem domain is started, loading kvm works, KVM_CREATE_VM
 *    fails with EBUSY, and once the domain is destroyed it works again.
 * kvm_intel also registers its emergency-reboot callback at load, and only
 * one can be registered: tandem_hv must give its own up first (a second
 * registration is a WARN).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <tandem.h>

#include "kselftest_harness.h"
#include "guest_test.h"
#include "kvm_helper.h"

#define MiB		(1ULL << 20)
#define WAIT_MS		20000	/* TCG and Bochs are slow */
#define KVM_EXITS	50	/* port writes that show the KVM guest runs */

FIXTURE(coexist) {
	struct test_agent agent;
	struct tg_domain d;
	int created;
	struct kh_vm kvm;
	struct kh_mods mods;
	const char *vendor;		/* "amd" or "intel" */
	const char *ext;		/* "SVM" or "VMX" */
	const char *skip;
	int kmsg;
	size_t pos;
	char why[512];
	char line[256];
};

FIXTURE_SETUP(coexist)
{
	const char *why = "";
	int err, v;

	kh_init(&self->kvm);
	self->kmsg = gt_kmsg_open();
	err = ta_start(&self->agent, &why);
	ASSERT_EQ(0, err) TH_LOG("test agent: %s: %s", why, strerror(-err));
	gt_reap_stale("kc");
	v = tg_vendor();
	ASSERT_LT(0, v) TH_LOG("GET_INFO: %s", strerror(-v));
	self->vendor = v == TANDEM_VENDOR_INTEL ? "intel" : "amd";
	self->ext = v == TANDEM_VENDOR_INTEL ? "VMX" : "SVM";
	/* The harness runs the test after a SKIP here: it skips itself. */
	self->skip = gt_unusable(TG_REAL);
	/* kvm left loaded by someone else would hide what this test does. */
	ASSERT_FALSE(tandem_mod_loaded("kvm_amd") || tandem_mod_loaded("kvm_intel"))
		TH_LOG("kvm is loaded already; unload it before this test");
}

FIXTURE_TEARDOWN(coexist)
{
	int err;

	kh_destroy(&self->kvm);
	if (self->created) {
		tg_destroy(&self->d);
		tg_close(&self->d);
	}
	err = kh_unload(&self->mods, self->why, sizeof(self->why));
	if (err)
		TH_LOG("%s", self->why);
	EXPECT_EQ(0, err);
	ta_stop(&self->agent);
	GT_KMSG_CHECK_CLOSE(self->kmsg);
}

#define KVM_LOAD() do {							\
	int __err = kh_load(self->vendor, &self->mods, self->why,	\
			    sizeof(self->why));				\
	ASSERT_EQ(0, __err) TH_LOG("%s", self->why);			\
} while (0)

#define KVM_UNLOAD() do {						\
	int __err = kh_unload(&self->mods, self->why, sizeof(self->why)); \
	ASSERT_EQ(0, __err) TH_LOG("%s", self->why);			\
} while (0)

/* Create, start and check a running KVM guest. */
#define KVM_RUN_GUEST() do {						\
	const char *__why = "";						\
	int __err = kh_create_vm(&self->kvm);				\
									\
	ASSERT_EQ(0, __err) TH_LOG("KVM_CREATE_VM: %s", strerror(-__err)); \
	__err = kh_start(&self->kvm, &__why);				\
	ASSERT_EQ(0, __err) TH_LOG("%s: %s", __why, strerror(-__err));	\
	__err = kh_wait_exits(&self->kvm, KVM_EXITS, WAIT_MS);		\
	ASSERT_EQ(0, __err)						\
		TH_LOG("KVM guest: %lu exits, last reason %d, KVM_RUN errno %d", \
		       self->kvm.exits, self->kvm.bad_exit,		\
		       self->kvm.run_errno);				\
} while (0)

#define COUNTERS(c) do {						\
	int __err = gt_counters_get(c);					\
									\
	ASSERT_EQ(0, __err) TH_LOG("GET_INFO counters: %s", strerror(-__err)); \
} while (0)

/* A created (not started) domain for routine @sel of the real-mode payload. */
#define TANDEM_CREATE(sel) do {						\
	const char *__why = "";						\
	int __err = gt_create(&self->d, "kc", 2 * MiB, TG_REAL, sel, 0, 0, \
			      &__why);					\
									\
	self->created = 1;						\
	ASSERT_EQ(0, __err) TH_LOG("%s: %s (%s)", __why,		\
				   strerror(-__err), self->d.msg);	\
} while (0)

#define TANDEM_WAIT(type)						\
	ASSERT_EQ(0, gt_wait_ucall(&self->d, &self->pos, type, NULL,	\
				   WAIT_MS, self->line,			\
				   sizeof(self->line)))			\
		TH_LOG("waiting for \"ucall: %s\", got: %s; console:\n%s",	\
		       type, self->line, self->d.console)

/*
 * A running KVM guest keeps VMX/SVM enabled: DOMAIN_START fails with EBUSY
 * and says why, leaves nothing switched on and the domain created. When
 * the KVM VM is gone (kvm_<vendor> still loaded) the same domain starts and
 * runs its routine to the end; the KVM guest ran all along. (Loading the
 * modules takes seconds each in a loaded lab: 180 s, not the default 30.)
 */
TEST_F_TIMEOUT(coexist, kvm_guest_makes_start_fail_with_ebusy_until_it_is_gone,
	       180)
{
	struct gt_counters c0, c1;
	unsigned long before;
	int err;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	KVM_LOAD();
	/* Loading kvm enables nothing: the domain could start now. */
	COUNTERS(&c0);
	ASSERT_EQ(0, c0.hw_users) TH_LOG("another domain holds %s on", self->ext);
	KVM_RUN_GUEST();

	TANDEM_CREATE(GT_HLT);
	err = tg_start(&self->d);
	EXPECT_EQ(-EBUSY, err) TH_LOG("START while a KVM guest runs: %s (%s)",
				      strerror(-err), self->d.msg);
	EXPECT_NE(NULL, strstr(self->d.msg, "another hypervisor"))
		TH_LOG("extack: \"%s\"", self->d.msg);
	EXPECT_NE(NULL, strstr(self->d.msg, self->ext))
		TH_LOG("extack does not name %s: \"%s\"", self->ext, self->d.msg);
	EXPECT_EQ(TANDEM_STATE_CREATED, tg_state(&self->d));
	COUNTERS(&c1);
	EXPECT_EQ(c0.hw_users, c1.hw_users);
	EXPECT_EQ(c0.pt_pages, c1.pt_pages);
	EXPECT_EQ(c0.vcpu_threads, c1.vcpu_threads);
	EXPECT_EQ(c0.asids, c1.asids);

	/* The refusal did not disturb the KVM guest. */
	before = self->kvm.exits;
	EXPECT_EQ(0, kh_wait_exits(&self->kvm, before + KVM_EXITS, WAIT_MS))
		TH_LOG("the KVM guest stopped after the refused start");

	/* KVM disables VMX/SVM when its last VM is destroyed (6.1). */
	kh_destroy(&self->kvm);
	EXPECT_EQ(1, tandem_mod_loaded(self->vendor[0] == 'a' ? "kvm_amd" :
				       "kvm_intel"));
	err = tg_start(&self->d);
	ASSERT_EQ(0, err) TH_LOG("START after the KVM VM is gone: %s (%s)",
				 strerror(-err), self->d.msg);
	TANDEM_WAIT("sync");
	/* The routine halts after its sync: a pause and resume wake it. */
	ASSERT_EQ(0, gt_wait_exits(&self->d, TANDEM_STAT_EXIT_HLT, 1, WAIT_MS));
	ASSERT_EQ(0, tg_cmd(&self->d, TANDEM_CMD_DOMAIN_PAUSE))
		TH_LOG("PAUSE: %s", self->d.msg);
	ASSERT_EQ(0, tg_cmd(&self->d, TANDEM_CMD_DOMAIN_RESUME))
		TH_LOG("RESUME: %s", self->d.msg);
	TANDEM_WAIT("done");

	/* And while that domain is started, KVM is refused in turn. */
	err = kh_create_vm(&self->kvm);
	EXPECT_EQ(-EBUSY, err) TH_LOG("KVM_CREATE_VM: %s", strerror(-err));
	kh_destroy(&self->kvm);
	ASSERT_EQ(0, tg_destroy(&self->d)) TH_LOG("DESTROY: %s", self->d.msg);
	tg_close(&self->d);
	self->created = 0;
	KVM_UNLOAD();
}

/*
 * A started Tandem domain owns VMX/SVM: kvm_<vendor> still loads (and
 * unloads and loads again) under it without a WARNING, KVM_CREATE_VM fails
 * with EBUSY and the domain keeps running. Once the domain is destroyed,
 * a KVM guest runs; and kvm unloads cleanly at the end.
 */
TEST_F_TIMEOUT(coexist, started_domain_makes_kvm_create_vm_fail_with_ebusy, 180)
{
	struct gt_counters c;
	struct gt_stats s0, s1;
	long end;
	int err;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	TANDEM_CREATE(GT_SPIN);
	ASSERT_EQ(0, tg_start(&self->d)) TH_LOG("START: %s", self->d.msg);
	TANDEM_WAIT("sync");
	COUNTERS(&c);
	ASSERT_LT(0, c.hw_users);

	/* kvm_intel's emergency callback replaces tandem_hv's: no WARN. */
	KVM_LOAD();
	err = kh_create_vm(&self->kvm);
	EXPECT_EQ(-EBUSY, err) TH_LOG("KVM_CREATE_VM while a domain runs: %s",
				      strerror(-err));
	kh_destroy(&self->kvm);

	/* Unloading kvm under a running domain gives tandem_hv its own back. */
	KVM_UNLOAD();
	KVM_LOAD();
	err = kh_create_vm(&self->kvm);
	EXPECT_EQ(-EBUSY, err) TH_LOG("KVM_CREATE_VM after a reload: %s",
				      strerror(-err));
	kh_destroy(&self->kvm);

	/* The domain was not disturbed: still running, still in the guest. */
	ASSERT_EQ(0, gt_get(&self->d, &s0)) TH_LOG("DOMAIN_GET: %s", self->d.msg);
	EXPECT_EQ(TANDEM_STATE_RUNNING, s0.state) TH_LOG("crash: %s",
							 s0.crash_reason);
	end = gt_now_ms() + WAIT_MS;
	do {
		usleep(50000);
		ASSERT_EQ(0, gt_get(&self->d, &s1));
	} while (s1.run_ns <= s0.run_ns && gt_now_ms() < end);
	EXPECT_LT(s0.run_ns, s1.run_ns) TH_LOG("the spinning vCPU stopped");

	ASSERT_EQ(0, tg_destroy(&self->d)) TH_LOG("DESTROY: %s", self->d.msg);
	tg_close(&self->d);
	self->created = 0;
	COUNTERS(&c);
	EXPECT_EQ(0, c.hw_users);

	KVM_RUN_GUEST();
	kh_destroy(&self->kvm);
	KVM_UNLOAD();
}

TEST_HARNESS_MAIN
