/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal userspace policy agent for tests that are not about policy.
 *
 * It registers with the tandem family and answers every DECISION at once:
 * allow, reuse MEM_WRITE verdicts, start on any CPU (or on those of
 * &test_agent.cpumask when the test sets it; with &test_agent.spread,
 * each start on one of them, in turn), answer a crash with
 * &test_agent.crash_action (preserve, for inspection, unless the test sets
 * it), and answer a power-off or reboot with
 * &test_agent.shutdown_action (preserve unless the test sets it; restart
 * for the first &test_agent.shutdown_restarts of them). Tests that run
 * guests use it instead of tandem_policy.ko so that their verdicts do not
 * depend on that module's configuration or progress (one agent at a time: tandem_policy is unloaded
 * while the test agent serves, and loaded again afterwards).
 *
 * Header-only (static functions) so that any test can include it without a
 * build rule of its own. A thread serves the agent's socket; the test
 * keeps using its own sockets for requests.
 */
#ifndef TANDEM_TEST_AGENT_H
#define TANDEM_TEST_AGENT_H

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <tandem.h>

#include "tandem_nl.h"

#define TA_POLICY_MODULE	"tandem_policy"

struct test_agent {
	struct tnl_sock s;
	pthread_t thread;
	int stop[2];			/* pipe: the thread ends when it closes */
	int running;
	int reload_policy;		/* tandem_policy was loaded before */
	unsigned int decisions[__TANDEM_DECISION_COUNT];
	unsigned int refused;		/* verdicts the mechanism rejected */
	uint64_t cpumask;		/* START: CPUs 0-63 to run on, 0: any */
	int spread;			/* START: one CPU of cpumask each */
	int last_cpu;			/* the CPU the last spread start got */
	/* SHUTDOWN: restart this many times, then answer shutdown_action */
	volatile int shutdown_restarts;
	volatile uint32_t shutdown_action;
	volatile uint32_t shutdown_reason;	/* of the last SHUTDOWN */
	volatile int64_t shutdown_wish;		/* of the last one, -1: none */
	volatile uint32_t crash_action;		/* CRASH: the verdict's action */
	volatile int64_t crash_wish;		/* of the last CRASH, -1: none */
};

/* Answer one DECISION: allow, with what each kind needs. */
static inline void ta_answer(struct test_agent *a, const struct nlmsghdr *nlh)
{
	static __thread struct treply d;
	uint32_t kind;
	struct tmsg m;

	if (nlh->nlmsg_len > sizeof(d.data))
		return;
	memcpy(d.data, nlh, nlh->nlmsg_len);
	tnl_reindex(&d);
	kind = treply_u32(&d, TANDEM_DECISION_A_KIND, 0);
	if (kind < __TANDEM_DECISION_COUNT)
		a->decisions[kind]++;

	tmsg_verdict(&a->s, &m, treply_u32(&d, TANDEM_DECISION_A_COOKIE, 0), 1,
		     NULL);
	if (kind == TANDEM_DECISION_MEM_WRITE)
		tmsg_put(&m, TANDEM_VERDICT_A_REUSE, NULL, 0);
	if (kind == TANDEM_DECISION_DOMAIN_START && a->cpumask && a->spread) {
		uint64_t one;
		int i;

		for (i = 1; i <= 64; i++)
			if (a->cpumask & (1ULL << ((a->last_cpu + i) % 64)))
				break;
		a->last_cpu = (a->last_cpu + i) % 64;
		one = 1ULL << a->last_cpu;
		tmsg_put(&m, TANDEM_VERDICT_A_CPUMASK, &one, sizeof(one));
	} else if (kind == TANDEM_DECISION_DOMAIN_START && a->cpumask) {
		tmsg_put(&m, TANDEM_VERDICT_A_CPUMASK, &a->cpumask,
			 sizeof(a->cpumask));
	}
	if (kind == TANDEM_DECISION_CRASH) {
		a->crash_wish = d.tb[TANDEM_DECISION_A_WISH] ?
			(int64_t)treply_u32(&d, TANDEM_DECISION_A_WISH, 0) : -1;
		tmsg_put_u32(&m, TANDEM_VERDICT_A_ACTION, a->crash_action);
	}
	if (kind == TANDEM_DECISION_SHUTDOWN) {
		a->shutdown_reason = treply_u32(&d, TANDEM_DECISION_A_SHUTDOWN_REASON,
						TANDEM_SHUTDOWN_NONE);
		a->shutdown_wish = d.tb[TANDEM_DECISION_A_WISH] ?
			(int64_t)treply_u32(&d, TANDEM_DECISION_A_WISH, 0) : -1;
		if (a->shutdown_restarts > 0) {
			a->shutdown_restarts--;
			tmsg_put_u32(&m, TANDEM_VERDICT_A_ACTION,
				     TANDEM_CRASH_RESTART);
		} else {
			tmsg_put_u32(&m, TANDEM_VERDICT_A_ACTION,
				     a->shutdown_action);
		}
	}
	/* No ACK wanted; a refused verdict still comes back as an error. */
	m.nlh.nlmsg_flags &= ~NLM_F_ACK;
	if (tnl_send(&a->s, &m))
		a->refused++;
}

static inline void *ta_thread(void *arg)
{
	static char buf[65536];
	struct test_agent *a = arg;
	struct pollfd pfd[2] = {
		{ .fd = a->s.fd, .events = POLLIN },
		{ .fd = a->stop[0], .events = POLLIN },
	};

	for (;;) {
		struct nlmsghdr *nlh;
		ssize_t len;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		len = recv(a->s.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			if (errno == ENOBUFS)	/* overrun: go on serving */
				continue;
			break;
		}
		for (nlh = (void *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			const struct genlmsghdr *g = NLMSG_DATA(nlh);

			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);

				if (e->error) {
					a->refused++;
					fprintf(stderr, "# test agent: verdict refused: %s\n",
						strerror(-e->error));
				}
				continue;
			}
			if (nlh->nlmsg_type == a->s.family &&
			    g->cmd == TANDEM_CMD_DECISION)
				ta_answer(a, nlh);
		}
	}
	return NULL;
}

/**
 * ta_start() - load tandem_hv, take over from tandem_policy, serve
 * @a: the agent, zeroed
 * @why: set to a message when it fails
 *
 * Return: 0, or a negative errno (with @why saying which step failed).
 */
static inline int ta_start(struct test_agent *a, const char **why)
{
	static struct treply r;
	int err;

	memset(a, 0, sizeof(*a));
	a->shutdown_wish = -1;
	a->crash_wish = -1;
	a->s.fd = -1;
	a->stop[0] = a->stop[1] = -1;
	err = tandem_mod_load("tandem_hv");
	if (err && err != -EEXIST) {
		*why = "cannot load tandem_hv";
		return err;
	}
	if (tandem_mod_loaded(TA_POLICY_MODULE)) {
		err = tandem_mod_unload(TA_POLICY_MODULE);
		if (err) {
			*why = "cannot unload " TA_POLICY_MODULE " (the agent slot is taken)";
			return err;
		}
		a->reload_policy = 1;
	}
	err = tnl_open(&a->s);
	if (err) {
		*why = "cannot open the tandem family";
		return err;
	}
	err = tagent_register(&a->s, "selftest", &r);
	if (err) {
		*why = "AGENT_REGISTER failed";
		return err;
	}
	if (pipe(a->stop)) {
		*why = "pipe";
		return -errno;
	}
	err = -pthread_create(&a->thread, NULL, ta_thread, a);
	if (err) {
		*why = "pthread_create";
		return err;
	}
	a->running = 1;
	return 0;
}

/**
 * ta_stop() - stop serving (the agent goes when its socket closes) and
 * give the slot back to tandem_policy if it held it before
 * @a: the agent, started or not
 */
static inline void ta_stop(struct test_agent *a)
{
	if (a->running) {
		close(a->stop[1]);
		a->stop[1] = -1;
		pthread_join(a->thread, NULL);
		a->running = 0;
	}
	if (a->stop[0] >= 0)
		close(a->stop[0]);
	if (a->stop[1] >= 0)
		close(a->stop[1]);
	a->stop[0] = a->stop[1] = -1;
	if (a->s.fd >= 0)
		tnl_close(&a->s);
	if (a->reload_policy)
		tandem_mod_load(TA_POLICY_MODULE);
	a->reload_policy = 0;
}

#endif /* TANDEM_TEST_AGENT_H */
