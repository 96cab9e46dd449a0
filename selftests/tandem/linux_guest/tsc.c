// SPDX-License-Identifier: GPL-2.0
/*
 * tsc: the guest's raw TSC, for make bench (the guest /init's bench mode).
 *
 * Reads the TSC once and writes "tandem-guest: bench tsc N" to /dev/kmsg,
 * where the kernel stamps it with its own clock (sched_clock: 0 when the
 * kernel took over the TSC in setup_arch), and to stdout. The two give
 * the TSC value at which the kernel's clock started.
 *
 * Static, no libc (the guest initramfs has only busybox): raw syscalls.
 */
#define SYS_WRITE	1
#define SYS_OPEN	2
#define SYS_EXIT	60
#define O_WRONLY	1

static long sys3(long nr, long a, long b, long c)
{
	long ret;

	asm volatile("syscall"
		     : "=a"(ret)
		     : "a"(nr), "D"(a), "S"(b), "d"(c)
		     : "rcx", "r11", "memory");
	return ret;
}

static unsigned long long read_tsc(void)
{
	unsigned int lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return (unsigned long long)hi << 32 | lo;
}

/* "tandem-guest: bench tsc " and @v in decimal, then a newline. */
static int format(char *buf, unsigned long long v)
{
	static const char prefix[] = "tandem-guest: bench tsc ";
	char digits[24];
	int n = 0, d = 0;

	while (prefix[n]) {
		buf[n] = prefix[n];
		n++;
	}
	do {
		digits[d++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (d)
		buf[n++] = digits[--d];
	buf[n++] = '\n';
	return n;
}

__attribute__((force_align_arg_pointer)) void _start(void)
{
	unsigned long long tsc = read_tsc();
	char line[64];
	long fd;
	int n, rc = 0;

	n = format(line, tsc);
	fd = sys3(SYS_OPEN, (long)"/dev/kmsg", O_WRONLY, 0);
	if (fd < 0 || sys3(SYS_WRITE, fd, (long)line, n) != n)
		rc = 1;
	if (sys3(SYS_WRITE, 1, (long)line, n) != n)
		rc = 1;
	sys3(SYS_EXIT, rc, 0, 0);
	for (;;)
		;
}
