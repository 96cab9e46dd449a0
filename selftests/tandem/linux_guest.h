/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tests that boot the lab's own Linux kernel under Tandem share
 * (linux_boot_test, virtio_blk_test, virtio_net_test): where the lab keeps
 * the kernel and the guest initramfs (selftests/tandem/linux_guest/init),
 * and waiting for the guest's console.
 */
#ifndef TANDEM_LINUX_GUEST_H
#define TANDEM_LINUX_GUEST_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_test.h"

#define GUEST_KERNEL	"/lib/tandem/guest/vmlinuz"
/* The same kernel uncompressed (extract-vmlinux.sh): no decompressor. */
#define GUEST_VMLINUX	"/lib/tandem/guest/vmlinux"
#define GUEST_INITRD	"/lib/tandem/guest/initrd.cpio.gz"
#define GUEST_MIB	128
/* ms: decompressing ~8 MiB and booting under Bochs or TCG is slow. */
#define BOOT_TIMEOUT	600000

/*
 * Why the guest stopped or stalls: state, crash reason, registers, and
 * what `tandem info` says (devices, broken ones with why), for the log.
 */
static inline void stopped_why(struct tg_domain *d, char *out, size_t len)
{
	char args[64], regs[2048], info[2048];
	struct gt_stats st;

	snprintf(args, sizeof(args), "regs %s", d->name);
	if (tcli_run(args, regs, sizeof(regs)))
		regs[0] = '\0';
	snprintf(args, sizeof(args), "info %s", d->name);
	if (tcli_run(args, info, sizeof(info)))
		info[0] = '\0';
	if (gt_get(d, &st))
		snprintf(out, len, "DOMAIN_GET failed: %s", d->msg);
	else
		snprintf(out, len, "state %u, shutdown reason %u, crash: %s\n%s\n%s",
			 st.state, st.shutdown_reason, st.crash_reason, regs,
			 info);
}

/*
 * Wait until the console shows @needle: 0, -ETIMEDOUT or -ESHUTDOWN (the
 * domain crashed, or shut down unless @through_shutdown: a reboot the
 * agent turns into a restart passes through state shutdown).
 */
static inline int lg_wait_console(struct tg_domain *d, const char *needle,
				  int ms, int through_shutdown)
{
	long end = gt_now_ms() + ms;
	int stopped = 0;
	const char *hit;

	for (;;) {
		int err = tg_console_poll(d);

		if (err < 0)
			return err;
		/*
		 * The whole line: a needle that ends a prefix ("net sent ")
		 * is followed by what the test then checks, and the UART
		 * may not have delivered it yet. A guest that stopped
		 * writes no more: a partial last line is what there is.
		 */
		hit = strstr(d->console, needle);
		if (hit && (strchr(hit + strlen(needle), '\n') || stopped))
			return 0;
		if (stopped)
			return -ESHUTDOWN;
		/* Stopped: one more look at the console, then give up. */
		err = tg_state(d);
		if (err == TANDEM_STATE_CRASHED ||
		    (err == TANDEM_STATE_SHUTDOWN && !through_shutdown)) {
			stopped = 1;
			continue;
		}
		if (gt_now_ms() > end)
			return -ETIMEDOUT;
		usleep(20000);
	}
}

/* Wait until the console shows @needle: 0, -ETIMEDOUT or -ESHUTDOWN. */
static inline int wait_console(struct tg_domain *d, const char *needle, int ms)
{
	return lg_wait_console(d, needle, ms, 0);
}

/*
 * Wait until @d's console shows @needle; otherwise fail the test, saying
 * why the guest stopped (state, crash reason, registers) and what its
 * console showed.
 */
#define LG_WAIT(d, needle, ms) do {					\
	char __why[4608] = "";						\
	int __rc = wait_console(d, needle, ms);				\
									\
	if (__rc)							\
		stopped_why(d, __why, sizeof(__why));			\
	ASSERT_EQ(0, __rc)						\
		TH_LOG("no \"%s\" on the console (%s); %s; console:\n%s",	\
		       needle, strerror(-__rc), __why, (d)->console);	\
} while (0)

/* The lab's copies of its kernel, and domains able to run @mode code. */
#define LG_NEED_GUEST(mode) do {					\
	if (access(GUEST_KERNEL, R_OK) || access(GUEST_VMLINUX, R_OK))	\
		SKIP(return, "%s or %s is missing (the lab adds them with linux_boot_test)", \
		     GUEST_KERNEL, GUEST_VMLINUX);			\
	if (gt_unusable(mode))						\
		SKIP(return, "%s", gt_unusable(mode));			\
} while (0)

/* Run a shell command; its exit status, its output in @out. */
static inline int lg_run(const char *cmd, char *out, size_t len)
{
	size_t n = 0;
	FILE *p;
	int st;

	p = popen(cmd, "r");
	if (!p)
		return -errno;
	while (n + 1 < len && fgets(out + n, len - n, p))
		n += strlen(out + n);
	out[n] = '\0';
	/* Drain what does not fit. */
	while (fgetc(p) != EOF)
		;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Wait until domain @id is gone (destroyed at power-off). */
static inline int lg_wait_gone(struct tnl_sock *s, uint32_t id, int ms)
{
	long end = gt_now_ms() + ms;
	struct treply r;

	while (gt_now_ms() < end) {
		if (tdom_get(s, id, &r) == -ENOENT)
			return 0;
		usleep(50000);
	}
	return -ETIMEDOUT;
}

/*
 * The shell command that writes the data the virtio tests move: @mib
 * copies of one MiB of text, as the guest's /init makes it (test_data).
 */
static inline void lg_data_cmd(char *cmd, size_t len, int mib)
{
	snprintf(cmd, len,
		 "c=/tmp/tandem-chunk.$$; "
		 "yes 'tandem virtio test data 0123456789' | head -c 1048576 >$c; "
		 "n=0; while [ $n -lt %d ]; do cat $c; n=$((n + 1)); done; "
		 "rm -f $c", mib);
}

/*
 * The MD5 (32 hex digits) of that data, computed on the lab host once per
 * size and kept in /tmp: under Bochs each pass over 32 MiB costs a minute.
 */
static inline int lg_expected_sum(int mib, char *sum, size_t len)
{
	char cache[64], cmd[512], out[128];
	FILE *f;

	snprintf(cache, sizeof(cache), "/tmp/tandem-data-%d.md5", mib);
	f = fopen(cache, "r");
	if (f) {
		if (fgets(out, sizeof(out), f) && strlen(out) >= 32) {
			fclose(f);
			snprintf(sum, len, "%.32s", out);
			return 0;
		}
		fclose(f);
	}
	cmd[0] = '(';
	lg_data_cmd(cmd + 1, sizeof(cmd) - 16, mib);
	strcat(cmd, ") | md5sum");
	if (lg_run(cmd, out, sizeof(out)) || strlen(out) < 32)
		return -1;
	snprintf(sum, len, "%.32s", out);
	f = fopen(cache, "w");
	if (f) {
		fprintf(f, "%s\n", sum);
		fclose(f);
	}
	return 0;
}

#endif /* TANDEM_LINUX_GUEST_H */
