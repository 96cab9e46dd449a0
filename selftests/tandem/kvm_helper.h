/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough KVM to keep a guest running next to Tandem: load Debian's
 * kvm and kvm_amd or kvm_intel from the lab's /lib/modules, create a VM
 * with one memory slot and one vCPU in real mode, run it on a thread, and
 * tear it all down again. Header-only (static functions).
 *
 * The guest is three instructions at 0x1000, an endless loop of port
 * writes: OUT 0x10, AL; INC AL; JMP back. Every OUT is a KVM_EXIT_IO the
 * thread checks (port, width, the value one more than the last) and
 * counts, so the test knows the guest really runs.
 */
#ifndef TANDEM_KVM_HELPER_H
#define TANDEM_KVM_HELPER_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/kvm.h>

#define KH_MEM_SIZE	0x10000
#define KH_CODE_GPA	0x1000
#define KH_PORT		0x10
#define KH_MAX_MODS	8

struct kh_vm {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	void *mem;
	pthread_t thread;
	int thread_started;
	volatile int stop;
	volatile unsigned long exits;	/* checked port writes */
	volatile int bad_exit;		/* exit reason that stopped the thread */
	volatile int run_errno;		/* KVM_RUN failed with it */
};

/* Modules this process loaded, to unload in reverse order. */
struct kh_mods {
	char name[KH_MAX_MODS][64];
	int n;
};

static inline void kh_modname(const char *path, char *name, size_t len)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	snprintf(name, len, "%.*s", (int)strcspn(base, "."), base);
	for (i = 0; name[i]; i++)
		if (name[i] == '-')
			name[i] = '_';
}

static inline int kh_insmod(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

/**
 * kh_load() - load kvm_amd (@vendor "amd") or kvm_intel and what it needs
 * @vendor: "amd" or "intel"
 * @mods: the modules loaded here are appended
 * @why: what failed
 *
 * Dependencies come from the lab's modules.dep (mkinitramfs.sh copies the
 * kvm modules and their dependencies, decompressed). Modules already
 * loaded are left alone and not recorded.
 *
 * Return: 0 or a negative errno.
 */
static inline int kh_load(const char *vendor, struct kh_mods *mods,
			  char *why, size_t len)
{
	char dir[256], path[512], want[64], line[1024], *deps, *tok;
	char *list[KH_MAX_MODS];
	struct utsname u;
	int i, n = 0, err;
	FILE *f;

	uname(&u);
	snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
	snprintf(path, sizeof(path), "%s/modules.dep", dir);
	snprintf(want, sizeof(want), "/kvm-%s.ko:", vendor);
	f = fopen(path, "r");
	if (!f) {
		snprintf(why, len, "%.200s: %s (the lab initramfs lacks the kvm modules)",
			 path, strerror(errno));
		return -ENOENT;
	}
	deps = NULL;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, want)) {
			deps = line;
			break;
		}
	}
	fclose(f);
	if (!deps) {
		snprintf(why, len, "kvm-%s is not in %.200s", vendor, path);
		return -ENOENT;
	}
	line[strcspn(line, "\n")] = '\0';
	deps = strchr(line, ':');
	*deps++ = '\0';
	/* modules.dep lists the deepest dependency last. */
	list[n++] = line;
	for (tok = strtok(deps, " "); tok && n < KH_MAX_MODS;
	     tok = strtok(NULL, " "))
		list[n++] = tok;
	for (i = n - 1; i >= 0; i--) {
		char name[64], sys[128];
		struct stat st;

		kh_modname(list[i], name, sizeof(name));
		snprintf(sys, sizeof(sys), "/sys/module/%s", name);
		if (!stat(sys, &st))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]);
		err = kh_insmod(path);
		if (err && err != -EEXIST) {
			snprintf(why, len, "loading %.200s: %s", path, strerror(-err));
			return err;
		}
		if (!err && mods->n < KH_MAX_MODS)
			snprintf(mods->name[mods->n++], sizeof(mods->name[0]),
				 "%s", name);
	}
	return 0;
}

/**
 * kh_unload() - unload what kh_load() loaded, last first
 * @mods: emptied on success
 * @why: the module that could not go
 *
 * Return: 0 or the first error of delete_module().
 */
static inline int kh_unload(struct kh_mods *mods, char *why, size_t len)
{
	while (mods->n > 0) {
		const char *name = mods->name[mods->n - 1];

		if (syscall(SYS_delete_module, name, O_NONBLOCK)) {
			int err = -errno;

			snprintf(why, len, "unloading %s: %s", name,
				 strerror(errno));
			return err;
		}
		mods->n--;
	}
	return 0;
}

static inline void *kh_thread(void *arg)
{
	struct kh_vm *v = arg;
	uint8_t expect = 0;

	while (!v->stop) {
		struct kvm_run *run = v->run;
		uint8_t val;

		if (ioctl(v->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			v->run_errno = errno;
			break;
		}
		if (run->exit_reason != KVM_EXIT_IO ||
		    run->io.direction != KVM_EXIT_IO_OUT ||
		    run->io.port != KH_PORT || run->io.size != 1 ||
		    run->io.count != 1) {
			v->bad_exit = run->exit_reason ? run->exit_reason : -1;
			break;
		}
		val = *((uint8_t *)run + run->io.data_offset);
		if (val != expect) {
			v->bad_exit = -2;
			break;
		}
		expect++;
		v->exits++;
	}
	return NULL;
}

static inline void kh_init(struct kh_vm *v)
{
	memset(v, 0, sizeof(*v));
	v->kvm = v->vm = v->vcpu = -1;
	v->run = MAP_FAILED;
	v->mem = MAP_FAILED;
}

/**
 * kh_create_vm() - open /dev/kvm and KVM_CREATE_VM
 * @v: from kh_init()
 *
 * Return: 0, or the negative errno of the step that failed (KVM_CREATE_VM
 * gives -EBUSY when VMX/SVM cannot be enabled on every CPU).
 */
static inline int kh_create_vm(struct kh_vm *v)
{
	v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v->kvm < 0)
		return -errno;
	if (ioctl(v->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return -EPROTO;
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
	return v->vm < 0 ? -errno : 0;
}

/**
 * kh_start() - memory, a real-mode vCPU at KH_CODE_GPA, the run thread
 * @v: after kh_create_vm()
 * @why: the step that failed
 *
 * Return: 0 or a negative errno.
 */
static inline int kh_start(struct kh_vm *v, const char **why)
{
	static const uint8_t code[] = {
		0xb0, 0x00,		/* mov $0, %al */
		0xe6, KH_PORT,		/* 1: out %al, $KH_PORT */
		0xfe, 0xc0,		/* inc %al */
		0xeb, 0xfa,		/* jmp 1b */
	};
	struct kvm_userspace_memory_region slot = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = KH_MEM_SIZE,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int size;

	v->mem = mmap(NULL, KH_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->mem == MAP_FAILED) {
		*why = "mmap of guest memory";
		return -errno;
	}
	memcpy((char *)v->mem + KH_CODE_GPA, code, sizeof(code));
	slot.userspace_addr = (uintptr_t)v->mem;
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &slot)) {
		*why = "KVM_SET_USER_MEMORY_REGION";
		return -errno;
	}
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0) {
		*why = "KVM_CREATE_VCPU";
		return -errno;
	}
	size = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run)) {
		*why = "KVM_GET_VCPU_MMAP_SIZE";
		return size < 0 ? -errno : -EPROTO;
	}
	v->run_size = size;
	v->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	if (v->run == MAP_FAILED) {
		*why = "mmap of kvm_run";
		return -errno;
	}
	if (ioctl(v->vcpu, KVM_GET_SREGS, &sregs)) {
		*why = "KVM_GET_SREGS";
		return -errno;
	}
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sregs)) {
		*why = "KVM_SET_SREGS";
		return -errno;
	}
	memset(&regs, 0, sizeof(regs));
	regs.rip = KH_CODE_GPA;
	regs.rflags = 2;
	if (ioctl(v->vcpu, KVM_SET_REGS, &regs)) {
		*why = "KVM_SET_REGS";
		return -errno;
	}
	if (pthread_create(&v->thread, NULL, kh_thread, v)) {
		*why = "pthread_create";
		return -EAGAIN;
	}
	v->thread_started = 1;
	return 0;
}

static inline long kh_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until the guest made @n checked exits; 0, or -ETIMEDOUT/-EIO. */
static inline int kh_wait_exits(struct kh_vm *v, unsigned long n,
				int timeout_ms)
{
	long end = kh_now_ms() + timeout_ms;

	while (v->exits < n) {
		if (v->bad_exit || v->run_errno)
			return -EIO;
		if (kh_now_ms() > end)
			return -ETIMEDOUT;
		usleep(10000);
	}
	return 0;
}

/*
 * Stop the thread and close everything. The VM is destroyed when its last
 * reference goes: the vCPU fd and the kvm_run mapping hold one each.
 */
static inline void kh_destroy(struct kh_vm *v)
{
	if (v->thread_started) {
		v->stop = 1;
		pthread_join(v->thread, NULL);
		v->thread_started = 0;
	}
	if (v->run != MAP_FAILED)
		munmap(v->run, v->run_size);
	if (v->vcpu >= 0)
		close(v->vcpu);
	if (v->vm >= 0)
		close(v->vm);
	if (v->kvm >= 0)
		close(v->kvm);
	if (v->mem != MAP_FAILED)
		munmap(v->mem, KH_MEM_SIZE);
	kh_init(v);
}

#endif /* TANDEM_KVM_HELPER_H */
