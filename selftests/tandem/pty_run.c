// SPDX-License-Identifier: GPL-2.0
/*
 * pty_run: run a command on a pseudo-terminal, type some bytes into it
 * after a delay, and copy what it printed to standard output. For tests
 * of interactive behaviour (`tandem console` leaving on Ctrl-]).
 *
 * usage: pty_run DELAY_MS TIMEOUT_MS BYTES CMD [ARG...]
 *   BYTES is typed DELAY_MS after the start ("\035" style octal escapes
 *   are understood); the command is killed after TIMEOUT_MS.
 * Exit status: the command's, 124 when it was killed, 125 on errors.
 * "pty_run: typed N bytes" on standard error says the bytes went in
 * while the command still ran.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Octal escapes (\NNN) and \\ in place; returns the length. */
static size_t unescape(char *s)
{
	char *out = s, *in = s;

	while (*in) {
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '7') {
			int v = 0, i;

			for (i = 1; i <= 3 && in[i] >= '0' && in[i] <= '7'; i++)
				v = v * 8 + in[i] - '0';
			*out++ = v;
			in += i;
		} else if (in[0] == '\\' && in[1] == '\\') {
			*out++ = '\\';
			in += 2;
		} else {
			*out++ = *in++;
		}
	}
	return out - s;
}

int main(int argc, char **argv)
{
	long start, delay, timeout;
	int fd, status = 0, typed = 0;
	size_t len;
	pid_t pid;

	if (argc < 5) {
		fprintf(stderr, "usage: pty_run DELAY_MS TIMEOUT_MS BYTES CMD [ARG...]\n");
		return 125;
	}
	delay = atol(argv[1]);
	timeout = atol(argv[2]);
	len = unescape(argv[3]);
	pid = forkpty(&fd, NULL, NULL, NULL);
	if (pid < 0) {
		perror("pty_run: forkpty");
		return 125;
	}
	if (!pid) {
		execvp(argv[4], argv + 4);
		perror("pty_run: exec");
		_exit(127);
	}
	start = now_ms();
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char buf[4096];
		ssize_t n;

		if (!typed && now_ms() - start >= delay) {
			if (write(fd, argv[3], len) != (ssize_t)len)
				perror("pty_run: write");
			else
				fprintf(stderr, "pty_run: typed %zu bytes\n", len);
			typed = 1;
		}
		if (now_ms() - start >= timeout) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fprintf(stderr, "pty_run: killed after %ld ms\n", timeout);
			return 124;
		}
		if (poll(&p, 1, 50) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)	/* EIO: the command closed the terminal */
			break;
		fwrite(buf, 1, n, stdout);
		fflush(stdout);
	}
	if (waitpid(pid, &status, 0) < 0)
		return 125;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
