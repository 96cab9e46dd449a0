/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two benchmark runners (bench_tandem.c, bench_kvm.c) share: the
 * guest's memory layout (guest_bench.S), the measurements and the output.
 *
 * Output, one line per figure, on stdout:
 *   bench: <hypervisor> <metric> <value> <unit>
 * (lab.sh bench collects these lines from the serial console.)
 */
#ifndef TANDEM_BENCH_H
#define TANDEM_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* Guest layout: the same as selftests/tandem/tandem_guest.h. */
#define BENCH_LOAD_GPA		0x10000
#define BENCH_GDT_GPA		0x1000
#define BENCH_PML4_GPA		0x2000
#define BENCH_FLAG_GPA		0x8000
#define BENCH_STACK_GPA		0x9000
#define BENCH_MEM_SIZE		(4u << 20)

/* Parameters and results in guest memory (guest_bench.S). */
#define BENCH_PARAMS_GPA	0x8100
#define BENCH_RESULTS_GPA	0x8200
#define BENCH_MAGIC_DONE	0x454e4f44
#define BENCH_DONE_PORT		0x5f0

/* An unknown hypercall function for both hypervisors. */
#define BENCH_HC_NOFUNC		0x7fff

enum bench_sel {
	BENCH_SEL_MEASURE,
	BENCH_SEL_STOP,
};

struct bench_params {
	uint32_t sel;
	uint32_t n;
	uint32_t port;
	uint32_t hc;
	uint64_t mmio;
	uint32_t reps;
} __attribute__((packed));

enum bench_loop {
	BENCH_BASELINE,
	BENCH_CPUID,
	BENCH_HYPERCALL,
	BENCH_PIO,
	BENCH_MMIO,
	BENCH_NLOOPS,
};

struct bench_results {
	uint64_t ticks[BENCH_NLOOPS];
	uint64_t pad[3];
	uint32_t status;
} __attribute__((packed));

static const char *const bench_loop_names[BENCH_NLOOPS] = {
	"baseline", "cpuid", "hypercall", "pio", "mmio",
};

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * Per-exit figures: (loop - baseline) / n, in TSC ticks; each loop's ticks
 * are the fastest of its runs.
 */
static inline void bench_print_loops(const char *hv, const struct bench_results *r,
				     uint32_t n)
{
	int i;

	printf("bench: %s baseline_iter %.1f ticks\n", hv,
	       (double)r->ticks[BENCH_BASELINE] / n);
	for (i = BENCH_CPUID; i < BENCH_NLOOPS; i++) {
		double d = (double)r->ticks[i] - (double)r->ticks[BENCH_BASELINE];

		printf("bench: %s exit_%s %.1f ticks\n", hv, bench_loop_names[i],
		       d / n);
	}
}

/* Boot latency figures: means over @runs, in microseconds. */
static inline void bench_print_boot(const char *hv, uint64_t first_ns,
				    uint64_t total_ns, int runs)
{
	printf("bench: %s boot_first_insn %.1f us\n", hv,
	       (double)first_ns / runs / 1000);
	printf("bench: %s boot_total %.1f us\n", hv,
	       (double)total_ns / runs / 1000);
}

#endif /* TANDEM_BENCH_H */
