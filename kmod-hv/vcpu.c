// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU threads and the run loop.
 *
 * Each vCPU is a kernel thread, created at the domain's first start and
 * stopped when the domain is destroyed. Only that thread touches its
 * VMCS/VMCB once it exists: register reads and writes from netlink are
 * requests the thread serves between two entries.
 *
 * The thread runs the guest in slices: kernel_fpu_begin() (which disables
 * preemption and gives the thread the FPU), the guest's x87/SSE state
 * loaded, then enter/exit/handle in a tight loop for exits handled in the
 * kernel, until an exit needs to sleep, the host wants the CPU, something
 * is asked of the vCPU, or the slice is over (so that caps are enforced).
 * Kernel threads' FPU registers are not saved at context switch, hence the
 * guest state is saved before the slice ends.
 *
 * FXSAVE/FXRSTOR cover all the state a guest can use: CPUID hides XSAVE
 * and AVX, and neither backend lets the guest set CR4.OSXSAVE or CR4.PKE,
 * so XCR0, the upper halves of the vector registers and PKRU stay the
 * host's and out of the guest's reach. (The host's own user state was
 * saved by kernel_fpu_begin() and is restored on the way to user space.)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/tsc.h>

#include "tandem_hv.h"

/* Longest stretch in the guest before the loop looks around (cap, time). */
#define TANDEM_SLICE_NS		(1 * NSEC_PER_MSEC)
/* Period over which a cap is enforced. */
#define TANDEM_CAP_PERIOD_NS	(100 * NSEC_PER_MSEC)
/* Weight of nice 0, as in Xen's credit scheduler. */
#define TANDEM_WEIGHT_DEFAULT	256

static void tandem_fxsave(struct fxregs_state *fx)
{
	asm volatile("fxsaveq %0" : "=m" (*fx));
}

/*
 * Load the guest's x87/SSE state. AMD CPUs with X86_BUG_FXSAVE_LEAK do not
 * load FIP, FDP and FOP unless an exception is pending: whatever ran x87
 * code here before (another domain, the host) would show through. Give
 * them a fixed value first, with an FILD of the state itself, after which
 * FXRSTOR replaces everything else.
 */
static void tandem_fxrstor(struct fxregs_state *fx)
{
	if (unlikely(boot_cpu_has_bug(X86_BUG_FXSAVE_LEAK)))
		asm volatile("fnclex\n\temms\n\tfildl %0" : : "m" (fx->cwd));
	asm volatile("fxrstorq %0" : : "m" (*fx));
}

/**
 * tandem_vcpu_reset_regs() - the x86 state after RESET
 * @r: filled with the state of SDM Vol. 3 9.1.1 / APM Vol. 2 14.1.3
 */
void tandem_vcpu_reset_regs(struct tandem_vcpu_regs *r)
{
	static const struct tandem_segment data = {
		.limit = 0xffff, .attrib = 0x93,	/* read/write, accessed */
	};

	memset(r, 0, sizeof(*r));
	r->rip = 0xfff0;
	r->rflags = X86_EFLAGS_FIXED;
	r->cs = (struct tandem_segment){
		.selector = 0xf000, .base = 0xffff0000, .limit = 0xffff,
		.attrib = 0x9b,				/* exec/read, accessed */
	};
	r->ds = data;
	r->es = data;
	r->fs = data;
	r->gs = data;
	r->ss = data;
	r->tr = (struct tandem_segment){ .limit = 0xffff, .attrib = 0x8b };
	r->ldtr = (struct tandem_segment){ .limit = 0xffff, .attrib = 0x82 };
	r->gdt.limit = 0xffff;
	r->idt.limit = 0xffff;
	r->cr0 = X86_CR0_ET | X86_CR0_CD | X86_CR0_NW;
}

/**
 * tandem_vcpus_alloc() - the vCPUs of a new domain, in the reset state
 * @dom: the domain, with @dom->vcpus set
 *
 * Return: 0 or -ENOMEM.
 */
int tandem_vcpus_alloc(struct tandem_domain *dom)
{
	u32 i;

	dom->vcpu = kcalloc(dom->vcpus, sizeof(*dom->vcpu), GFP_KERNEL_ACCOUNT);
	if (!dom->vcpu)
		return -ENOMEM;
	for (i = 0; i < dom->vcpus; i++) {
		struct tandem_vcpu *vcpu = &dom->vcpu[i];

		vcpu->dom = dom;
		vcpu->id = i;
		vcpu->cpu = -1;
		init_waitqueue_head(&vcpu->wait);
		init_completion(&vcpu->init_done);
		init_completion(&vcpu->req_done);
		mutex_init(&vcpu->req_lock);
		tandem_vcpu_reset_regs(&vcpu->initial);
		/* Application processors wait for the guest to start them. */
		vcpu->wait_sipi = i != 0;
		/* kmalloc(512) is 512-byte aligned; FXSAVE wants 16. */
		vcpu->fpu = kzalloc(sizeof(*vcpu->fpu), GFP_KERNEL_ACCOUNT);
		if (!vcpu->fpu)
			goto err;
		vcpu->fpu->cwd = 0x37f;
		vcpu->fpu->mxcsr = 0x1f80;
		if (tandem_lapic_create(vcpu))
			goto err;
	}
	return 0;

err:
	tandem_vcpus_free(dom);
	return -ENOMEM;
}

/**
 * tandem_vcpus_free() - free the vCPUs (their threads are gone)
 * @dom: the domain
 */
void tandem_vcpus_free(struct tandem_domain *dom)
{
	u32 i;

	if (!dom->vcpu)
		return;
	for (i = 0; i < dom->vcpus; i++) {
		tandem_lapic_destroy(&dom->vcpu[i]);
		kfree(dom->vcpu[i].fpu);
	}
	kfree(dom->vcpu);
	dom->vcpu = NULL;
}

static bool tandem_vcpu_runnable(struct tandem_vcpu *vcpu)
{
	return READ_ONCE(vcpu->dom->state) == TANDEM_STATE_RUNNING &&
	       !READ_ONCE(vcpu->halted) && !READ_ONCE(vcpu->wait_sipi);
}

static bool tandem_vcpu_should_wake(struct tandem_vcpu *vcpu)
{
	return kthread_should_stop() || READ_ONCE(vcpu->requests) ||
	       tandem_vcpu_runnable(vcpu);
}

/* Make the thread look at its state: out of the guest, out of a sleep. */
static void tandem_vcpu_kick(struct tandem_vcpu *vcpu)
{
	set_bit(TANDEM_REQ_KICK, &vcpu->requests);
	wake_up(&vcpu->wait);
	if (vcpu->task)
		kick_process(vcpu->task);
}

/**
 * tandem_domain_wake() - end the halt of every halted vCPU of @dom
 * @dom: the domain
 *
 * For devices with news for the guest (console input) while no interrupt
 * controller delivers their interrupt: the guest runs on after its HLT.
 * A spurious wake-up is harmless to guests, which halt in a loop.
 * Callable from any context that may call wake_up().
 */
void tandem_domain_wake(struct tandem_domain *dom)
{
	u32 i;

	for (i = 0; i < dom->vcpus; i++) {
		struct tandem_vcpu *vcpu = &dom->vcpu[i];

		if (READ_ONCE(vcpu->halted)) {
			WRITE_ONCE(vcpu->halted, false);
			wake_up(&vcpu->wait);
		}
	}
}

/**
 * tandem_vcpu_irq_notify() - @vcpu's local APIC has a new interrupt
 * @vcpu: the vCPU
 *
 * A halted vCPU runs again (the HLT ends if the interrupt is taken); one
 * in the guest on another CPU is made to exit, so that the decision
 * before its next entry sees the interrupt. Callable from any context.
 */
void tandem_vcpu_irq_notify(struct tandem_vcpu *vcpu)
{
	struct task_struct *task;

	/* Pairs with the barrier in the HLT exit handler. */
	smp_mb();
	if (READ_ONCE(vcpu->halted)) {
		WRITE_ONCE(vcpu->halted, false);
		wake_up(&vcpu->wait);
		return;
	}
	/* Out of the guest the thread makes its decision before entering. */
	task = READ_ONCE(vcpu->task);
	if (READ_ONCE(vcpu->in_guest) && task && task != current)
		kick_process(task);
}

/* Serve a register request, on the vCPU thread. */
static void tandem_vcpu_serve_regs(struct tandem_vcpu *vcpu)
{
	preempt_disable();
	if (vcpu->req_set) {
		vcpu->req_err = tandem_arch->set_regs(vcpu, vcpu->req_regs);
	} else {
		tandem_arch->get_regs(vcpu, vcpu->req_regs);
		vcpu->req_err = 0;
	}
	preempt_enable();
	complete(&vcpu->req_done);
}

/**
 * tandem_vcpu_throttle() - sleep while the cap of this period is used up
 * @vcpu: the vCPU, on its own thread
 *
 * A slice ends only at an exit, and a guest that spins takes exits only
 * for host interrupts: the last slice of a period may run a timer tick
 * past the budget. That excess is carried into the next period, so that
 * over many periods the vCPU gets its cap and not cap plus one tick per
 * period. The period is checked again after each sleep, so the first
 * slice after a sleep is charged to the new period. Returns early when
 * the thread has something else to do (stop, a request, a pause).
 */
static void tandem_vcpu_throttle(struct tandem_vcpu *vcpu)
{
	u32 cap = READ_ONCE(vcpu->dom->cap);
	u64 budget, now, end;

	if (!cap)
		return;
	budget = TANDEM_CAP_PERIOD_NS / 100 * cap;
	for (;;) {
		now = sched_clock();
		if (now - vcpu->cap_period_start >= TANDEM_CAP_PERIOD_NS) {
			vcpu->cap_period_used = vcpu->cap_period_used > budget ?
				min(vcpu->cap_period_used - budget, budget) : 0;
			vcpu->cap_period_start = now;
		}
		if (vcpu->cap_period_used < budget || kthread_should_stop() ||
		    READ_ONCE(vcpu->requests) || !tandem_vcpu_runnable(vcpu))
			return;
		end = vcpu->cap_period_start + TANDEM_CAP_PERIOD_NS;
		usleep_range_state((end - now) / NSEC_PER_USEC,
				   (end - now) / NSEC_PER_USEC + 200,
				   TASK_INTERRUPTIBLE);
	}
}

/*
 * The slice's length in TSC ticks, or 0 without a known TSC rate. The
 * loop looks at the time after every exit: RDTSC against a deadline is a
 * few instructions, sched_clock() some tens (Documentation/benchmarks.rst).
 */
static u64 tandem_slice_ticks(void)
{
	return (u64)tsc_khz * (TANDEM_SLICE_NS / NSEC_PER_USEC) / USEC_PER_MSEC;
}

/* One slice in the guest; returns with preemption enabled again. */
static void tandem_vcpu_run_slice(struct tandem_vcpu *vcpu)
{
	u64 start, now, ticks = tandem_slice_ticks(), deadline;

	kernel_fpu_begin();
	WRITE_ONCE(vcpu->in_guest, true);
	/* Pairs with the barrier in tandem_domain_pause(). */
	smp_mb();
	tandem_fxrstor(vcpu->fpu);
	start = sched_clock();
	/* Preemption is off until the slice ends: one CPU, one TSC. */
	deadline = rdtsc() + ticks;
	vcpu->leave = TANDEM_LEAVE_NONE;

	while (tandem_vcpu_runnable(vcpu) && !READ_ONCE(vcpu->requests)) {
		/* The one interrupt decision of this entry. */
		tandem_lapic_inject(vcpu);
		tandem_arch->vcpu_run(vcpu);
		vcpu->stat_exits[vcpu->exit.reason]++;
		if (tandem_handle_exit(vcpu) == TANDEM_LEAVE || need_resched())
			break;
		if (likely(ticks) ? rdtsc() > deadline :
		    sched_clock() - start > TANDEM_SLICE_NS)
			break;
	}

	now = sched_clock();
	vcpu->stat_run_ns += now - start;
	vcpu->cap_period_used += now - start;
	if (vcpu->cpu >= 0 && vcpu->cpu < 64)
		vcpu->stat_cpus |= BIT_ULL(vcpu->cpu);
	tandem_fxsave(vcpu->fpu);
	WRITE_ONCE(vcpu->in_guest, false);
	kernel_fpu_end();
}

/* Act on what an exit handler left for process context. */
static void tandem_vcpu_after_slice(struct tandem_vcpu *vcpu)
{
	struct tandem_domain *dom = vcpu->dom;

	switch (vcpu->leave) {
	case TANDEM_LEAVE_YIELD:
		/* A hint: give the CPU away if anything else wants it. */
		cond_resched();
		break;
	case TANDEM_LEAVE_SHUTDOWN:
	case TANDEM_LEAVE_REBOOT:
		tandem_domain_shutdown(dom, vcpu->leave == TANDEM_LEAVE_REBOOT ?
				       TANDEM_SHUTDOWN_REBOOT :
				       TANDEM_SHUTDOWN_POWEROFF);
		break;
	case TANDEM_LEAVE_CRASH:
		tandem_domain_crash(dom, vcpu, "%s", vcpu->crash_msg);
		break;
	}
	vcpu->leave = TANDEM_LEAVE_NONE;
}

static void tandem_vcpu_wait(struct tandem_vcpu *vcpu)
{
	bool halted = READ_ONCE(vcpu->halted);
	u64 start = sched_clock();

	if (halted)
		WRITE_ONCE(vcpu->halt_start, start);
	wait_event_interruptible(vcpu->wait, tandem_vcpu_should_wake(vcpu));
	if (halted) {
		WRITE_ONCE(vcpu->stat_halt_ns,
			   vcpu->stat_halt_ns + sched_clock() - start);
		WRITE_ONCE(vcpu->halt_start, 0);
	}
}

/**
 * tandem_vcpu_init_signal() - an INIT IPI: the vCPU stops and waits for a
 * startup IPI (SDM Vol. 3A 9.4.4, 10.6.1)
 * @vcpu: the target
 *
 * Callable from any context. Registers are not touched: a startup IPI
 * gives the vCPU its whole state, and nothing else can leave the wait.
 * The local APIC keeps its state (a guest starting a processor programs
 * it afresh).
 */
void tandem_vcpu_init_signal(struct tandem_vcpu *vcpu)
{
	WRITE_ONCE(vcpu->wait_sipi, true);
	tandem_vcpu_kick(vcpu);
}

/**
 * tandem_vcpu_startup() - a startup IPI: a vCPU waiting for one runs from
 * real mode at @vector * 4096; others ignore it (a second SIPI after a
 * successful first, as operating systems send)
 * @vcpu: the target
 * @vector: the page number
 *
 * Callable from any context; the vCPU's own thread loads the state.
 */
void tandem_vcpu_startup(struct tandem_vcpu *vcpu, u8 vector)
{
	if (!READ_ONCE(vcpu->wait_sipi))
		return;
	WRITE_ONCE(vcpu->sipi_vector, vector);
	set_bit(TANDEM_REQ_SIPI, &vcpu->requests);
	tandem_vcpu_kick(vcpu);
}

/* In the vCPU thread: leave wait-for-SIPI at the vector's page. */
static void tandem_vcpu_serve_sipi(struct tandem_vcpu *vcpu)
{
	struct tandem_vcpu_regs regs;
	u8 vector = READ_ONCE(vcpu->sipi_vector);
	int err;

	if (!READ_ONCE(vcpu->wait_sipi))
		return;
	tandem_vcpu_reset_regs(&regs);
	regs.cs.selector = vector << 8;
	regs.cs.base = (u64)vector << 12;
	regs.rip = 0;
	preempt_disable();
	err = tandem_arch->set_regs(vcpu, &regs);
	preempt_enable();
	if (err) {
		pr_info_ratelimited("domain %u vCPU %u: startup at vector %#x refused (%d)\n",
				    vcpu->dom->id, vcpu->id, vector, err);
		return;
	}
	WRITE_ONCE(vcpu->halted, false);
	WRITE_ONCE(vcpu->wait_sipi, false);
}

/* vCPU threads that are running tandem_vcpu_thread(), for GET_INFO. */
static atomic_t tandem_vcpu_nr_threads = ATOMIC_INIT(0);

/**
 * tandem_vcpu_threads() - vCPU kernel threads alive
 *
 * Return: threads that entered their loop and have not returned yet.
 */
u32 tandem_vcpu_threads(void)
{
	return atomic_read(&tandem_vcpu_nr_threads);
}

static int tandem_vcpu_thread(void *data)
{
	struct tandem_vcpu *vcpu = data;

	atomic_inc(&tandem_vcpu_nr_threads);
	vcpu->init_err = tandem_arch->vcpu_init(vcpu);
	if (!vcpu->init_err) {
		preempt_disable();
		vcpu->init_err = tandem_arch->set_regs(vcpu, &vcpu->initial);
		preempt_enable();
	}
	complete(&vcpu->init_done);

	while (!kthread_should_stop()) {
		clear_bit(TANDEM_REQ_KICK, &vcpu->requests);
		if (test_and_clear_bit(TANDEM_REQ_REGS, &vcpu->requests))
			tandem_vcpu_serve_regs(vcpu);
		if (test_and_clear_bit(TANDEM_REQ_SIPI, &vcpu->requests))
			tandem_vcpu_serve_sipi(vcpu);
		if (vcpu->init_err || !tandem_vcpu_runnable(vcpu)) {
			tandem_vcpu_wait(vcpu);
			continue;
		}
		tandem_vcpu_throttle(vcpu);
		tandem_vcpu_run_slice(vcpu);
		tandem_vcpu_after_slice(vcpu);
		cond_resched();
	}

	if (vcpu->arch)
		tandem_arch->vcpu_destroy(vcpu);
	vcpu->arch = NULL;
	atomic_dec(&tandem_vcpu_nr_threads);
	return 0;
}

/* Send a register request to the thread, or use the initial state. */
static int tandem_vcpu_regs_request(struct tandem_vcpu *vcpu,
				    struct tandem_vcpu_regs *regs, bool set)
{
	int err;

	mutex_lock(&vcpu->req_lock);
	if (!vcpu->task) {
		/* Not started: the registers it will start with. */
		if (set)
			vcpu->initial = *regs;
		else
			*regs = vcpu->initial;
		mutex_unlock(&vcpu->req_lock);
		return 0;
	}
	vcpu->req_regs = regs;
	vcpu->req_set = set;
	reinit_completion(&vcpu->req_done);
	set_bit(TANDEM_REQ_REGS, &vcpu->requests);
	tandem_vcpu_kick(vcpu);
	if (!wait_for_completion_timeout(&vcpu->req_done, 5 * HZ)) {
		/* The thread is stuck; this is a bug, not a guest problem. */
		WARN_ON_ONCE(1);
		err = -ETIMEDOUT;
	} else {
		err = vcpu->req_err;
	}
	mutex_unlock(&vcpu->req_lock);
	return err;
}

/**
 * tandem_vcpu_get_regs() - read a vCPU's registers
 * @vcpu: the vCPU
 * @regs: filled in
 *
 * Return: 0 or a negative errno.
 */
int tandem_vcpu_get_regs(struct tandem_vcpu *vcpu, struct tandem_vcpu_regs *regs)
{
	return tandem_vcpu_regs_request(vcpu, regs, false);
}

/**
 * tandem_vcpu_set_regs() - write a vCPU's registers
 * @vcpu: the vCPU; its domain is created (not started) or paused
 * @regs: the new state; also the state restarts begin from
 *
 * Return: 0, or -EINVAL when the backend refuses the state.
 */
int tandem_vcpu_set_regs(struct tandem_vcpu *vcpu,
			 const struct tandem_vcpu_regs *regs)
{
	struct tandem_vcpu_regs copy = *regs;
	int err = tandem_vcpu_regs_request(vcpu, &copy, true);

	/* Given a state by the host, it runs from it rather than waiting. */
	if (!err) {
		WRITE_ONCE(vcpu->host_regs, true);
		WRITE_ONCE(vcpu->wait_sipi, false);
	}
	return err;
}

/* A weight relative to 256 as a nice level: each level is about 1.25x. */
static int tandem_weight_to_nice(u32 weight)
{
	u64 w = TANDEM_WEIGHT_DEFAULT * 1000ULL;
	int nice = 0;

	while (nice > MIN_NICE && w < weight * 1000ULL) {
		w = w * 5 / 4;
		nice--;
	}
	while (nice < MAX_NICE && w * 4 / 5 >= weight * 1000ULL) {
		w = w * 4 / 5;
		nice++;
	}
	return nice;
}

/**
 * tandem_domain_start_vcpus() - first start: hardware, tables, threads
 * @dom: a created domain; @dom->cpumask, @dom->weight are set
 *
 * Return: 0, -EBUSY when another hypervisor owns VMX/SVM, -ENODEV without
 * usable hardware, or another negative errno; nothing is left behind.
 */
int tandem_domain_start_vcpus(struct tandem_domain *dom)
{
	int nice = tandem_weight_to_nice(dom->weight);
	u32 i, n;
	int err;

	err = tandem_hw_get();
	if (err)
		return err;
	err = tandem_mem_snapshot(&dom->mem, dom->memcg);
	if (err)
		goto err_hw;
	err = tandem_arch->vm_init(dom);
	if (err)
		goto err_hw;
	/*
	 * One offset for every vCPU, kept across pause, resume and restart:
	 * the guest's TSC counts from about 0 at the rate of the host's,
	 * which the kernel keeps synchronised between CPUs, so it stays
	 * monotonic when a vCPU thread moves.
	 */
	dom->tsc_offset = -(s64)rdtsc();

	for (n = 0; n < dom->vcpus; n++) {
		struct tandem_vcpu *vcpu = &dom->vcpu[n];
		struct task_struct *t;

		t = kthread_create(tandem_vcpu_thread, vcpu, "tandem/%u.%u",
				   dom->id, n);
		if (IS_ERR(t)) {
			err = PTR_ERR(t);
			goto err_threads;
		}
		get_task_struct(t);
		vcpu->task = t;
		set_cpus_allowed_ptr(t, dom->cpumask);
		set_user_nice(t, nice);
		wake_up_process(t);
	}
	for (i = 0; i < dom->vcpus; i++) {
		wait_for_completion(&dom->vcpu[i].init_done);
		if (!err)
			err = dom->vcpu[i].init_err;
	}
	if (err)
		goto err_threads;
	dom->started = true;
	return 0;

err_threads:
	for (i = 0; i < n; i++) {
		kthread_stop(dom->vcpu[i].task);
		put_task_struct(dom->vcpu[i].task);
		dom->vcpu[i].task = NULL;
	}
	tandem_arch->vm_destroy(dom);
err_hw:
	tandem_hw_put();
	return err;
}

/* Wait until no vCPU of @dom is inside the guest. */
static void tandem_domain_sync_vcpus(struct tandem_domain *dom)
{
	u32 i;

	/* Pairs with the barrier in tandem_vcpu_run_slice(). */
	smp_mb();
	for (i = 0; i < dom->vcpus; i++) {
		struct tandem_vcpu *vcpu = &dom->vcpu[i];
		int tries = 0;

		while (READ_ONCE(vcpu->in_guest) && tries++ < 10000) {
			tandem_vcpu_kick(vcpu);
			usleep_range(50, 100);
		}
	}
}

/**
 * tandem_domain_stop_vcpus() - put a domain in a state where it does not
 * run, and wait until every vCPU is out of the guest
 * @dom: the domain
 * @state: %TANDEM_STATE_PAUSED, _SHUTDOWN, _CRASHED or _DYING
 */
void tandem_domain_stop_vcpus(struct tandem_domain *dom, u32 state)
{
	u32 i;

	tandem_domain_set_state(dom, state);
	if (!dom->vcpu)
		return;
	for (i = 0; i < dom->vcpus; i++)
		tandem_vcpu_kick(&dom->vcpu[i]);
	if (state != TANDEM_STATE_DYING)
		tandem_domain_sync_vcpus(dom);
}

/**
 * tandem_domain_pause() - stop a running domain at an instruction boundary
 * @dom: the domain
 *
 * Return: 0, or -EINVAL when it is not running.
 */
int tandem_domain_pause(struct tandem_domain *dom)
{
	if (READ_ONCE(dom->state) != TANDEM_STATE_RUNNING)
		return -EINVAL;
	tandem_domain_stop_vcpus(dom, TANDEM_STATE_PAUSED);
	return 0;
}

/**
 * tandem_domain_resume() - let a paused domain run again
 * @dom: the domain
 *
 * A vCPU halted when the domain was paused is woken: resuming is an event.
 *
 * Return: 0, or -EINVAL when it is not paused.
 */
int tandem_domain_resume(struct tandem_domain *dom)
{
	u32 i;

	if (READ_ONCE(dom->state) != TANDEM_STATE_PAUSED)
		return -EINVAL;
	for (i = 0; i < dom->vcpus; i++)
		WRITE_ONCE(dom->vcpu[i].halted, false);
	tandem_domain_set_state(dom, TANDEM_STATE_RUNNING);
	for (i = 0; i < dom->vcpus; i++)
		tandem_vcpu_kick(&dom->vcpu[i]);
	return 0;
}

/**
 * tandem_domain_run() - make a started domain run (after START)
 * @dom: the domain, its vCPU threads waiting
 */
void tandem_domain_run(struct tandem_domain *dom)
{
	u32 i;

	tandem_domain_set_state(dom, TANDEM_STATE_RUNNING);
	for (i = 0; i < dom->vcpus; i++)
		tandem_vcpu_kick(&dom->vcpu[i]);
}

/**
 * tandem_domain_restart() - run a crashed or shut down domain again as it
 * was first started: RAM as the builder loaded it, initial vCPU state
 * @dom: the domain
 *
 * Return: 0, -EINVAL when it is neither crashed nor shut down, or the
 * backend's error.
 */
int tandem_domain_restart(struct tandem_domain *dom)
{
	bool crashed = READ_ONCE(dom->state) == TANDEM_STATE_CRASHED;
	int err = 0;
	u32 i;

	mutex_lock(&dom->ctl_lock);
	if ((READ_ONCE(dom->state) != TANDEM_STATE_CRASHED &&
	     READ_ONCE(dom->state) != TANDEM_STATE_SHUTDOWN) || !dom->started) {
		err = -EINVAL;
		goto out;
	}
	/* The vCPU threads wait, out of the guest, until the state changes. */
	tandem_vdevs_reset(dom);
	tandem_mem_restore(&dom->mem);
	for (i = 0; i < dom->vcpus && !err; i++) {
		struct tandem_vcpu *vcpu = &dom->vcpu[i];
		struct tandem_vcpu_regs regs = vcpu->initial;

		err = tandem_vcpu_regs_request(vcpu, &regs, true);
		tandem_lapic_reset(vcpu);
		WRITE_ONCE(vcpu->halted, false);
		WRITE_ONCE(vcpu->wait_sipi, i != 0 && !vcpu->host_regs);
	}
	if (!err) {
		/* Restarts after crashes count towards max_restarts. */
		if (crashed)
			WRITE_ONCE(dom->restarts, dom->restarts + 1);
		tandem_domain_run(dom);
	}
out:
	mutex_unlock(&dom->ctl_lock);
	return err;
}

/**
 * tandem_vcpus_teardown() - stop the threads and free the backend state
 * @dom: a dying domain
 */
void tandem_vcpus_teardown(struct tandem_domain *dom)
{
	u32 i;

	if (!dom->started)
		return;
	for (i = 0; i < dom->vcpus; i++)
		kthread_stop(dom->vcpu[i].task);
	/* No timer may kick a thread whose task is put. */
	for (i = 0; i < dom->vcpus; i++)
		tandem_lapic_stop(&dom->vcpu[i]);
	for (i = 0; i < dom->vcpus; i++) {
		struct tandem_vcpu *vcpu = &dom->vcpu[i];

		put_task_struct(vcpu->task);
		WRITE_ONCE(vcpu->task, NULL);
	}
	tandem_arch->vm_destroy(dom);
	dom->started = false;
	tandem_hw_put();
}

/**
 * tandem_vcpu_fill_stats() - per-vCPU statistics into a DOMAIN_GET reply
 * @skb: the message
 * @dom: the domain
 *
 * Return: 0 or -EMSGSIZE.
 */
int tandem_vcpu_fill_stats(struct sk_buff *skb, struct tandem_domain *dom)
{
	struct nlattr *all, *one;
	u32 i;

	all = nla_nest_start(skb, TANDEM_DOMAIN_A_VCPU_STATS);
	if (!all)
		return -EMSGSIZE;
	for (i = 0; i < dom->vcpus; i++) {
		struct tandem_vcpu *vcpu = &dom->vcpu[i];
		u64 exits[__TANDEM_STAT_EXIT_COUNT];
		u64 cpus = READ_ONCE(vcpu->stat_cpus);
		u64 halt_start = READ_ONCE(vcpu->halt_start);
		u64 halt_ns = READ_ONCE(vcpu->stat_halt_ns);
		int j;

		/* A vCPU halted right now has been halted since halt_start. */
		if (halt_start) {
			u64 now = sched_clock();

			if (now > halt_start)
				halt_ns += now - halt_start;
		}

		BUILD_BUG_ON((int)__TANDEM_STAT_EXIT_COUNT != (int)__TANDEM_EXIT_COUNT);
		for (j = 0; j < __TANDEM_EXIT_COUNT; j++)
			exits[j] = READ_ONCE(vcpu->stat_exits[j]);
		one = nla_nest_start(skb, TANDEM_STATS_A_VCPU);
		if (!one ||
		    nla_put_u32(skb, TANDEM_STATS_A_ID, i) ||
		    nla_put_u64_64bit(skb, TANDEM_STATS_A_RUN_NS,
				      READ_ONCE(vcpu->stat_run_ns),
				      TANDEM_STATS_A_PAD) ||
		    nla_put_u64_64bit(skb, TANDEM_STATS_A_HALT_NS, halt_ns,
				      TANDEM_STATS_A_PAD) ||
		    nla_put(skb, TANDEM_STATS_A_EXITS, sizeof(exits), exits) ||
		    nla_put(skb, TANDEM_STATS_A_CPUS, sizeof(cpus), &cpus) ||
		    nla_put_u32(skb, TANDEM_STATS_A_LAST_CPU,
				max(READ_ONCE(vcpu->cpu), 0)) ||
		    nla_put_u64_64bit(skb, TANDEM_STATS_A_IRQS,
				      READ_ONCE(vcpu->stat_irqs),
				      TANDEM_STATS_A_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, one);
	}
	nla_nest_end(skb, all);
	return 0;
}
