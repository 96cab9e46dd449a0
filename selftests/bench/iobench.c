// SPDX-License-Identifier: GPL-2.0
/*
 * The device benchmarks' one tool (devices.sh, and the Linux guest's /init
 * in tandem.run=iobench): built static, it runs in the lab and in the
 * guest initramfs alike. Times with CLOCK_MONOTONIC; prints
 * "<metric> <value> <unit>" lines, which the caller labels.
 *
 *   iobench read [-d] [-n N] FILE
 *	N random 4 KiB preads at 4 KiB-aligned offsets (a fixed-seed LCG),
 *	then the whole file sequentially in 1 MiB reads; -d opens it
 *	O_DIRECT. Prints disk_randread_4k IOPS and disk_seqread MB/s
 *	(MB: 10^6 bytes).
 *   iobench send [-t SECONDS] ADDR PORT MIB
 *	Connects to ADDR:PORT (retrying for up to SECONDS, default 30) and
 *	sends MIB MiB in 128 KiB writes.
 *   iobench recv PORT
 *	Takes one connection on PORT and reads until EOF; prints net_tcp_tx
 *	MB/s, timed from the first byte to EOF (the receiver's side).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BLK	4096
#define SEQ	(1024 * 1024)
#define NETBUF	(128 * 1024)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int bad_usage(void)
{
	fprintf(stderr, "usage: iobench read [-d] [-n N] FILE\n"
		"       iobench send [-t SECONDS] ADDR PORT MIB\n"
		"       iobench recv PORT\n");
	return 2;
}

static int do_read(int argc, char **argv)
{
	long n = 1000, blocks, i;
	int direct = 0, fd, c;
	uint64_t x = 42;
	off_t size;
	double t, mb;
	char *buf;
	ssize_t r;

	while ((c = getopt(argc, argv, "dn:")) != -1) {
		switch (c) {
		case 'd':
			direct = 1;
			break;
		case 'n':
			n = atol(optarg);
			break;
		default:
			return bad_usage();
		}
	}
	if (optind != argc - 1 || n <= 0)
		return bad_usage();
	fd = open(argv[optind], O_RDONLY | (direct ? O_DIRECT : 0));
	if (fd < 0) {
		perror(argv[optind]);
		return 1;
	}
	size = lseek(fd, 0, SEEK_END);
	blocks = size / BLK;
	if (blocks <= 0 || posix_memalign((void **)&buf, BLK, SEQ)) {
		fprintf(stderr, "iobench: %s: empty, or no memory\n", argv[optind]);
		return 1;
	}

	t = now();
	for (i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		r = pread(fd, buf, BLK, (off_t)((x >> 33) % blocks) * BLK);
		if (r != BLK) {
			fprintf(stderr, "iobench: random read: %s\n",
				r < 0 ? strerror(errno) : "short");
			return 1;
		}
	}
	t = now() - t;
	printf("disk_randread_4k %.0f IOPS\n", n / t);

	mb = 0;
	if (lseek(fd, 0, SEEK_SET)) {
		perror("iobench: lseek");
		return 1;
	}
	t = now();
	while ((r = read(fd, buf, SEQ)) > 0)
		mb += r;
	if (r < 0 || mb == 0) {
		perror("iobench: sequential read");
		return 1;
	}
	t = now() - t;
	printf("disk_seqread %.1f MB/s\n", mb / 1e6 / t);
	close(fd);
	free(buf);
	return 0;
}

static int sockaddr_of(struct sockaddr_in *sa, const char *addr,
		       const char *port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(atoi(port));
	if (!addr) {
		sa->sin_addr.s_addr = htonl(INADDR_ANY);
		return 0;
	}
	return inet_pton(AF_INET, addr, &sa->sin_addr) == 1 ? 0 : -1;
}

static int do_send(int argc, char **argv)
{
	struct sockaddr_in sa;
	double deadline;
	long left;
	int fd, c, secs = 30;
	char *buf;
	ssize_t w;

	while ((c = getopt(argc, argv, "t:")) != -1) {
		if (c != 't')
			return bad_usage();
		secs = atoi(optarg);
	}
	if (optind != argc - 3 || sockaddr_of(&sa, argv[optind], argv[optind + 1]))
		return bad_usage();
	left = atol(argv[optind + 2]) * 1024 * 1024;
	buf = malloc(NETBUF);
	if (!buf)
		return 1;
	memset(buf, 'x', NETBUF);
	deadline = now() + secs;
	for (;;) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0) {
			perror("socket");
			return 1;
		}
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			break;
		close(fd);
		if (now() > deadline) {
			perror("iobench: connect");
			return 1;
		}
		usleep(100000);
	}
	while (left > 0) {
		w = write(fd, buf, left < NETBUF ? left : NETBUF);
		if (w <= 0) {
			perror("iobench: send");
			return 1;
		}
		left -= w;
	}
	close(fd);
	free(buf);
	return 0;
}

static int do_recv(int argc, char **argv)
{
	struct sockaddr_in sa;
	int lfd, fd, one = 1, first;
	double t = 0, bytes = 0;
	char *buf;
	ssize_t r;

	if (argc != 2 || sockaddr_of(&sa, NULL, argv[1]))
		return bad_usage();
	buf = malloc(NETBUF);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (!buf || lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1)) {
		perror("iobench: listen");
		return 1;
	}
	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		perror("iobench: accept");
		return 1;
	}
	/* From the first byte: the bytes of that read do not count. */
	first = 0;
	while ((r = read(fd, buf, NETBUF)) > 0) {
		if (!first)
			t = now();
		else
			bytes += r;
		first = 1;
	}
	t = now() - t;
	if (r < 0 || bytes == 0 || t <= 0) {
		perror("iobench: receive");
		return 1;
	}
	printf("net_tcp_tx %.1f MB/s\n", bytes / 1e6 / t);
	close(fd);
	close(lfd);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return bad_usage();
	if (!strcmp(argv[1], "read"))
		return do_read(argc - 1, argv + 1);
	if (!strcmp(argv[1], "send"))
		return do_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "recv"))
		return do_recv(argc - 1, argv + 1);
	return bad_usage();
}
