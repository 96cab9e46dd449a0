// SPDX-License-Identifier: GPL-2.0
/*
 * bench_tandem: the benchmark guest (guest_bench.bin) under Tandem, over
 * the tandem netlink family (selftests/tandem's guest library).
 *
 *   exits: one domain (4 MiB, 1 vCPU, long mode) runs N iterations of
 *     each loop: CPUID, an unknown hypercall (VMCALL/VMMCALL, RAX =
 *     BENCH_HC_NOFUNC: answered in the kernel with
 *     TANDEM_HC_ERR_NOFUNC), IN from the test device's port 0x700 and a
 *     32-bit read of its MMIO page at 0xfeb00000 (kmod-hv/testdev.c).
 *   boot: RUNS times DOMAIN_CREATE, payload and page tables written,
 *     SET_REGS, START, until the DOMAIN_STATE event of the shutdown the
 *     guest's first instructions ask for (first), then DESTROY (total).
 *
 * usage: bench_tandem [-n N] [-k REPS] [-r RUNS] GUEST_BIN
 * Needs tandem_hv and tandem_policy (loaded here when absent).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tandem/tandem_guest.h"
#include "bench.h"

#define TESTDEV_PORT	0x700
#define TESTDEV_MMIO	0xfeb00000ull
#define WAIT_MS		600000

static const char *guest_bin;

static void die(const char *what, int err, const struct tg_domain *d)
{
	fprintf(stderr, "bench_tandem: %s: %s%s%s\n", what, strerror(-err),
		d && d->msg[0] ? ": " : "", d ? d->msg : "");
	exit(1);
}

/* Wait for the DOMAIN_STATE event that says @id shut down. */
static int wait_shutdown(struct tnl_sock *ev, uint32_t id)
{
	static struct treply r;
	int err;

	for (;;) {
		err = tnl_recv_cmd(ev, TANDEM_CMD_EVENT, &r, WAIT_MS);
		if (err)
			return err;
		if (treply_u32(&r, TANDEM_EVENT_A_DOMAIN_ID, 0) != id)
			continue;
		if (treply_u32(&r, TANDEM_EVENT_A_KIND, 0) == TANDEM_EVENT_DOMAIN_CRASHED)
			return -EFAULT;
		if (treply_u32(&r, TANDEM_EVENT_A_KIND, 0) == TANDEM_EVENT_DOMAIN_STATE &&
		    treply_u32(&r, TANDEM_EVENT_A_STATE, 0) == TANDEM_STATE_SHUTDOWN)
			return 0;
	}
}

/* Create, load and start a domain that runs with @p; wait for its end. */
static void run_guest(struct tg_domain *d, struct tnl_sock *ev,
		      const struct bench_params *p, const char *name)
{
	int err;

	err = tg_create(d, name, BENCH_MEM_SIZE, 1);
	if (err)
		die("DOMAIN_CREATE", err, d);
	err = tg_load_file(d, BENCH_LOAD_GPA, guest_bin);
	if (!err)
		err = tg_write(d, BENCH_PARAMS_GPA, p, sizeof(*p));
	if (!err)
		err = tg_setup(d, TG_LONG, BENCH_LOAD_GPA);
	if (!err)
		err = tg_start(d);
	if (err)
		die("loading and starting the guest", err, d);
	err = wait_shutdown(ev, d->id);
	if (err) {
		tg_console_poll(d);
		fprintf(stderr, "bench_tandem: console: %s\n", d->console);
		die("waiting for the guest's shutdown", err, d);
	}
}

int main(int argc, char **argv)
{
	static struct tg_domain d;
	struct bench_results res;
	struct bench_params p = {
		.sel = BENCH_SEL_MEASURE,
		.n = 2000,
		.reps = 5,
		.port = TESTDEV_PORT,
		.hc = BENCH_HC_NOFUNC,
		.mmio = TESTDEV_MMIO,
	};
	struct tnl_sock ev;
	uint64_t t0, t1, first = 0, total = 0;
	int c, i, runs = 5, err;

	while ((c = getopt(argc, argv, "n:k:r:")) != -1) {
		switch (c) {
		case 'n':
			p.n = strtoul(optarg, NULL, 0);
			break;
		case 'k':
			p.reps = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1 || !p.n || !p.reps || runs < 1)
		goto usage;
	guest_bin = argv[optind];
	setvbuf(stdout, NULL, _IOLBF, 0);

	err = tg_modules_load();
	if (err)
		die("loading the modules", err, NULL);
	err = tnl_open(&ev);
	if (!err)
		err = tnl_join(&ev, TANDEM_MCGRP_EVENTS_NAME);
	if (err)
		die("joining the events group", err, NULL);

	/* The exit loops. */
	run_guest(&d, &ev, &p, "bench");
	err = tg_read(&d, BENCH_RESULTS_GPA, &res, sizeof(res));
	if (err)
		die("MEM_READ of the results", err, &d);
	if (res.status != BENCH_MAGIC_DONE) {
		fprintf(stderr, "bench_tandem: the guest did not finish (status %#x)\n",
			res.status);
		return 1;
	}
	tg_destroy(&d);
	tg_close(&d);
	bench_print_loops("tandem", &res, p.n);

	/* Create -> first instructions -> destroyed. */
	p.sel = BENCH_SEL_STOP;
	for (i = 0; i < runs; i++) {
		t0 = bench_now_ns();
		run_guest(&d, &ev, &p, "boot");
		t1 = bench_now_ns();
		err = tg_destroy(&d);
		if (err)
			die("DOMAIN_DESTROY", err, &d);
		first += t1 - t0;
		total += bench_now_ns() - t0;
		tg_close(&d);
	}
	bench_print_boot("tandem", first, total, runs);
	tnl_close(&ev);
	return 0;

usage:
	fprintf(stderr, "usage: bench_tandem [-n N] [-k REPS] [-r RUNS] GUEST_BIN\n");
	return 2;
}
