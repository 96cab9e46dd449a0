// SPDX-License-Identifier: GPL-2.0
/*
 * bench_kvm: the benchmark guest (guest_bench.bin) under the lab kernel's
 * KVM, through /dev/kvm: the reference Tandem is compared with.
 *
 * The VM has an in-kernel interrupt controller and PIT (KVM_CREATE_IRQCHIP,
 * KVM_CREATE_PIT2), so that the exits measured stay in the kernel as they
 * do under Tandem:
 *   CPUID      answered from the CPUID table set with KVM_SET_CPUID2;
 *   hypercall  VMCALL/VMMCALL with RAX = BENCH_HC_NOFUNC: KVM answers
 *              -KVM_ENOSYS in the kernel;
 *   PIO        IN from port 0x21, the master PIC's mask (in-kernel PIC);
 *   MMIO       a 32-bit read at 0xfec00000, the I/O APIC's IOREGSEL
 *              (in-kernel I/O APIC).
 * Boot: RUNS times KVM_CREATE_VM, irqchip, PIT, memory, vCPU, CPUID,
 * payload and page tables, registers, KVM_RUN until the guest's first OUT
 * reaches userspace (first), then every descriptor closed (total).
 *
 * usage: bench_kvm [-n N] [-k REPS] [-r RUNS] GUEST_BIN
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "bench.h"

#define KVM_PIC_PORT	0x21
#define KVM_IOAPIC_MMIO	0xfec00000ull
#define CPUID_MAX_ENT	128

struct vm {
	int vm, vcpu;
	uint8_t *mem;
	struct kvm_run *run;
	size_t run_size;
};

static int kvm_fd;
static uint8_t guest[65536];
static size_t guest_len;
static struct kvm_cpuid2 *cpuid;

static void die(const char *what)
{
	fprintf(stderr, "bench_kvm: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void xioctl(int fd, unsigned long req, void *arg, const char *what)
{
	if (ioctl(fd, req, arg) < 0)
		die(what);
}

/* Is the host an Intel CPU (VMCALL) rather than an AMD one (VMMCALL)? */
static int host_is_intel(void)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a" (a), "=b" (b), "=c" (c), "=d" (d)
			 : "a" (0), "c" (0));
	return b == 0x756e6547;		/* "Genu" */
}

/* GDT and page tables of tandem_guest.c: the first 4 GiB, 2 MiB pages. */
static void write_tables(uint8_t *mem)
{
	static const uint64_t gdt[5] = {
		0, 0x00cf9a000000ffffULL, 0x00cf92000000ffffULL,
		0x00af9a000000ffffULL, 0,
	};
	uint64_t *pt = (uint64_t *)(mem + BENCH_PML4_GPA);
	int i;

	memcpy(mem + BENCH_GDT_GPA, gdt, sizeof(gdt));
	memset(pt, 0, 6 * 4096);
	pt[0] = 0x3000 | 0x3;
	for (i = 0; i < 4; i++)
		pt[512 + i] = (0x4000 + i * 0x1000) | 0x3;
	for (i = 0; i < 4 * 512; i++)
		pt[1024 + i] = ((uint64_t)i << 21) | 0x83;
	mem[BENCH_FLAG_GPA] = host_is_intel() ? 1 : 2;
}

static void set_long_mode(struct vm *v)
{
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = 0x18, .type = 0xb,
		.present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment data = {
		.base = 0, .limit = 0xffffffff, .selector = 0x10, .type = 0x3,
		.present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	xioctl(v->vcpu, KVM_GET_SREGS, &sregs, "KVM_GET_SREGS");
	sregs.cs = code;
	sregs.ds = data;
	sregs.es = data;
	sregs.fs = data;
	sregs.gs = data;
	sregs.ss = data;
	sregs.gdt.base = BENCH_GDT_GPA;
	sregs.gdt.limit = 0x27;
	sregs.cr0 = 0x80000011;		/* PG, ET, PE */
	sregs.cr3 = BENCH_PML4_GPA;
	sregs.cr4 = 0x20;		/* PAE */
	sregs.efer = 0x500;		/* LMA, LME */
	xioctl(v->vcpu, KVM_SET_SREGS, &sregs, "KVM_SET_SREGS");

	memset(&regs, 0, sizeof(regs));
	regs.rip = BENCH_LOAD_GPA;
	regs.rsp = BENCH_STACK_GPA;
	regs.rflags = 2;
	xioctl(v->vcpu, KVM_SET_REGS, &regs, "KVM_SET_REGS");
}

/* A VM with in-kernel irqchip and PIT, its memory, one vCPU, the guest. */
static void vm_create(struct vm *v, const struct bench_params *p)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = BENCH_MEM_SIZE,
	};
	struct kvm_pit_config pit = { .flags = 0 };

	v->vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (v->vm < 0)
		die("KVM_CREATE_VM");
	/* Needed by VMX without unrestricted guest; harmless otherwise. */
	if (ioctl(v->vm, KVM_SET_TSS_ADDR, 0xfffbd000ul) < 0)
		die("KVM_SET_TSS_ADDR");
	xioctl(v->vm, KVM_CREATE_IRQCHIP, NULL, "KVM_CREATE_IRQCHIP");
	xioctl(v->vm, KVM_CREATE_PIT2, &pit, "KVM_CREATE_PIT2");

	v->mem = mmap(NULL, BENCH_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (v->mem == MAP_FAILED)
		die("mmap of guest memory");
	region.userspace_addr = (uintptr_t)v->mem;
	xioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &region,
	       "KVM_SET_USER_MEMORY_REGION");

	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		die("KVM_CREATE_VCPU");
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	if (v->run == MAP_FAILED)
		die("mmap of kvm_run");
	xioctl(v->vcpu, KVM_SET_CPUID2, cpuid, "KVM_SET_CPUID2");

	write_tables(v->mem);
	memcpy(v->mem + BENCH_LOAD_GPA, guest, guest_len);
	memcpy(v->mem + BENCH_PARAMS_GPA, p, sizeof(*p));
	set_long_mode(v);
}

/* Run until the guest's OUT to BENCH_DONE_PORT; anything else is fatal. */
static void vm_run(struct vm *v)
{
	for (;;) {
		if (ioctl(v->vcpu, KVM_RUN, NULL) < 0) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		if (v->run->exit_reason == KVM_EXIT_IO &&
		    v->run->io.port == BENCH_DONE_PORT)
			return;
		fprintf(stderr, "bench_kvm: unexpected exit %u (port %#x)\n",
			v->run->exit_reason,
			v->run->exit_reason == KVM_EXIT_IO ? v->run->io.port : 0);
		exit(1);
	}
}

static void vm_destroy(struct vm *v)
{
	munmap(v->run, v->run_size);
	close(v->vcpu);
	close(v->vm);
	munmap(v->mem, BENCH_MEM_SIZE);
}

int main(int argc, char **argv)
{
	struct bench_params p = {
		.sel = BENCH_SEL_MEASURE,
		.n = 2000,
		.reps = 5,
		.port = KVM_PIC_PORT,
		.hc = BENCH_HC_NOFUNC,
		.mmio = KVM_IOAPIC_MMIO,
	};
	struct bench_results res;
	uint64_t t0, t1, first = 0, total = 0;
	int c, i, fd, runs = 5;
	struct vm v;
	ssize_t n;

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
	setvbuf(stdout, NULL, _IOLBF, 0);

	fd = open(argv[optind], O_RDONLY);
	if (fd < 0)
		die(argv[optind]);
	n = read(fd, guest, sizeof(guest));
	if (n <= 0)
		die("reading the guest");
	guest_len = n;
	close(fd);

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		die("/dev/kvm (is kvm_intel or kvm_amd loaded?)");
	v.run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	cpuid = calloc(1, sizeof(*cpuid) +
		       CPUID_MAX_ENT * sizeof(struct kvm_cpuid_entry2));
	if (!cpuid)
		die("calloc");
	cpuid->nent = CPUID_MAX_ENT;
	xioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid, "KVM_GET_SUPPORTED_CPUID");

	/* The exit loops. */
	vm_create(&v, &p);
	vm_run(&v);
	memcpy(&res, v.mem + BENCH_RESULTS_GPA, sizeof(res));
	vm_destroy(&v);
	if (res.status != BENCH_MAGIC_DONE) {
		fprintf(stderr, "bench_kvm: the guest did not finish (status %#x)\n",
			res.status);
		return 1;
	}
	bench_print_loops("kvm", &res, p.n);

	/* Create -> first instructions -> destroyed. */
	p.sel = BENCH_SEL_STOP;
	for (i = 0; i < runs; i++) {
		t0 = bench_now_ns();
		vm_create(&v, &p);
		vm_run(&v);
		t1 = bench_now_ns();
		vm_destroy(&v);
		first += t1 - t0;
		total += bench_now_ns() - t0;
	}
	bench_print_boot("kvm", first, total, runs);
	return 0;

usage:
	fprintf(stderr, "usage: bench_kvm [-n N] [-k REPS] [-r RUNS] GUEST_BIN\n");
	return 2;
}
