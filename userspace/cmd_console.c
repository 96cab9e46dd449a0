// SPDX-License-Identifier: GPL-2.0
/*
 * tandem console: print a domain's console ring and follow it; on a
 * terminal, what is typed goes to the guest's UART (CONSOLE_WRITE).
 * --send STRING sends input and returns, for scripts.
 *
 * The family has no console event, so following means polling
 * CONSOLE_READ from the next sequence number. The domain is looked up once
 * and then addressed by id, so that a new domain reusing the name is never
 * followed by mistake.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <netlink/attr.h>
#include <tandem.h>

#include "nl.h"
#include "tandem.h"

#define CONSOLE_POLL_MS		100
#define CONSOLE_ESCAPE		0x1d	/* Ctrl-] */
#define CONSOLE_SEND_MS		5000	/* waiting for room in the guest's queue */

struct console_chunk {
	uint64_t seq;		/* of the first byte returned */
	uint64_t next_seq;
	size_t len;
	char data[TANDEM_CONSOLE_CHUNK];
};

static int console_cb(struct nl_msg *msg, void *arg)
{
	static struct nla_policy pol[TANDEM_CONSOLE_A_MAX + 1] = {
		[TANDEM_CONSOLE_A_SEQ] = { .type = NLA_U64 },
		[TANDEM_CONSOLE_A_NEXT_SEQ] = { .type = NLA_U64 },
		[TANDEM_CONSOLE_A_DATA] = { .type = NLA_UNSPEC },
	};
	struct nlattr *tb[TANDEM_CONSOLE_A_MAX + 1];
	struct console_chunk *c = arg;
	size_t n;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TANDEM_CONSOLE_A_MAX, pol) ||
	    !tb[TANDEM_CONSOLE_A_SEQ] || !tb[TANDEM_CONSOLE_A_NEXT_SEQ] ||
	    !tb[TANDEM_CONSOLE_A_DATA])
		return -EINVAL;
	n = nla_len(tb[TANDEM_CONSOLE_A_DATA]);
	if (n > sizeof(c->data))
		return -EINVAL;
	c->seq = nla_get_u64(tb[TANDEM_CONSOLE_A_SEQ]);
	c->next_seq = nla_get_u64(tb[TANDEM_CONSOLE_A_NEXT_SEQ]);
	c->len = n;
	memcpy(c->data, nla_data(tb[TANDEM_CONSOLE_A_DATA]), n);
	return 0;
}

/*
 * Print everything from *@seq on; say so when the ring had already
 * overwritten some of it.
 *
 * Return: bytes printed, or a negative errno (reported).
 */
static long console_drain(struct tnl *t, const struct domain *d,
			  uint64_t *seq, const char *what)
{
	static struct console_chunk c;
	struct nl_msg *msg;
	long total = 0;
	int err;

	for (;;) {
		msg = tnl_msg(t, TANDEM_CMD_CONSOLE_READ, 0);
		if (msg && (nla_put_u32(msg, TANDEM_CONSOLE_A_DOMAIN_ID, d->id) ||
			    nla_put_u64(msg, TANDEM_CONSOLE_A_SEQ, *seq)))
			msg = tnl_msg_drop(msg);
		c.len = 0;
		err = tnl_request(t, msg, console_cb, &c, what);
		if (err)
			return err;
		if (c.seq > *seq) {
			fflush(stdout);
			fprintf(stderr,
				"tandem: console %s: %llu bytes were lost (overwritten in the ring before they were read)\n",
				d->name, (unsigned long long)(c.seq - *seq));
		}
		if (c.len && fwrite(c.data, 1, c.len, stdout) != c.len) {
			cli_error("%s: cannot write to standard output: %s",
				  what, strerror(errno));
			return -EIO;
		}
		fflush(stdout);
		/* A reply that moves nothing ends the round. */
		if (!c.len || c.next_seq <= *seq) {
			if (c.next_seq > *seq)
				*seq = c.next_seq;
			return total;
		}
		*seq = c.next_seq;
		total += c.len;
	}
}

static int console_accepted_cb(struct nl_msg *msg, void *arg)
{
	static struct nla_policy pol[TANDEM_CONSOLE_A_MAX + 1] = {
		[TANDEM_CONSOLE_A_ACCEPTED] = { .type = NLA_U32 },
	};
	struct nlattr *tb[TANDEM_CONSOLE_A_MAX + 1];
	uint32_t *accepted = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TANDEM_CONSOLE_A_MAX, pol) ||
	    !tb[TANDEM_CONSOLE_A_ACCEPTED])
		return -EINVAL;
	*accepted = nla_get_u32(tb[TANDEM_CONSOLE_A_ACCEPTED]);
	return 0;
}

/*
 * Send @len bytes of input to the guest's UART. The guest's queue may be
 * full: what it did not accept is sent again, every CONSOLE_POLL_MS, for
 * up to CONSOLE_SEND_MS without progress.
 *
 * Return: 0, -EAGAIN (reported) when the guest read nothing for that long,
 * or a negative errno (reported).
 */
static int console_send(struct tnl *t, const struct domain *d, const char *buf,
			size_t len, const char *what)
{
	int stalled_ms = 0;

	while (len) {
		size_t n = len < TANDEM_CONSOLE_WRITE_MAX ? len : TANDEM_CONSOLE_WRITE_MAX;
		uint32_t accepted = 0;
		struct nl_msg *msg;
		int err;

		msg = tnl_msg(t, TANDEM_CMD_CONSOLE_WRITE, 0);
		if (msg && (nla_put_u32(msg, TANDEM_CONSOLE_A_DOMAIN_ID, d->id) ||
			    nla_put(msg, TANDEM_CONSOLE_A_DATA, n, buf)))
			msg = tnl_msg_drop(msg);
		err = tnl_request(t, msg, console_accepted_cb, &accepted, what);
		if (err)
			return err;
		if (accepted > n)
			accepted = n;
		buf += accepted;
		len -= accepted;
		if (accepted) {
			stalled_ms = 0;
			continue;
		}
		if (stalled_ms >= CONSOLE_SEND_MS) {
			cli_error("%s: the guest does not read its console input (%zu bytes not sent)",
				  what, len);
			return -EAGAIN;
		}
		usleep(CONSOLE_POLL_MS * 1000);
		stalled_ms += CONSOLE_POLL_MS;
	}
	return 0;
}

/*
 * 1 while the domain runs (or may run again), 0 once it is over (*@gone
 * set when it no longer exists), or a negative errno.
 */
static int console_domain_live(struct tnl *t, const struct domain *d,
			       bool *gone)
{
	static struct domain now;
	char id[16];
	int err;

	snprintf(id, sizeof(id), "%u", d->id);
	err = domain_lookup(t, id, &now);
	*gone = err == -ENOENT;
	if (*gone)
		return 0;
	if (err)
		return err;
	return now.state != TANDEM_STATE_SHUTDOWN &&
	       now.state != TANDEM_STATE_CRASHED &&
	       now.state != TANDEM_STATE_DYING;
}

/*
 * Follow until Ctrl-] on a terminal, or (stdin not a terminal) until the
 * domain shuts down, crashes or is destroyed. On a terminal, what else is
 * typed is sent to the guest as it is (raw: Enter is a carriage return).
 */
static int console_follow(struct tnl *t, const struct domain *d,
			  uint64_t *seq, const char *what)
{
	bool tty = isatty(STDIN_FILENO);
	struct termios saved, raw;
	bool restore = false, gone = false;
	int err = 0, live;

	if (tty && !tcgetattr(STDIN_FILENO, &saved)) {
		raw = saved;
		raw.c_lflag &= ~(ICANON | ECHO | ISIG);
		raw.c_iflag &= ~(IXON | ICRNL);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		restore = !tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	if (tty)
		fprintf(stderr, "tandem: console of %s (id %u): Ctrl-] leaves\n",
			d->name, d->id);
	for (;;) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		char in[64];
		ssize_t n, i;

		if (tty && poll(&pfd, 1, CONSOLE_POLL_MS) > 0) {
			n = read(STDIN_FILENO, in, sizeof(in));
			if (n <= 0)	/* the terminal went away */
				goto out;
			for (i = 0; i < n && in[i] != CONSOLE_ESCAPE; i++)
				;
			/* What was typed before Ctrl-] still goes. */
			if (i) {
				err = console_send(t, d, in, i, what);
				if (err == -ENOENT)
					goto out;
				if (err && err != -EAGAIN)
					break;
				err = 0;
			}
			if (i < n)
				goto out;
		} else if (!tty) {
			usleep(CONSOLE_POLL_MS * 1000);
		}
		/* Liveness first: output written before the end is drained. */
		live = console_domain_live(t, d, &gone);
		err = console_drain(t, d, seq, what);
		if (err == -ENOENT) {	/* destroyed since */
			live = 0;
			gone = true;
		} else if (err < 0) {
			break;
		}
		err = 0;
		if (live < 0) {
			err = live;
			tnl_report(t, what);
			break;
		}
		if (!live) {
			fprintf(stderr, "tandem: console %s: the domain is %s\n",
				d->name, gone ? "gone" : "no longer running");
			break;
		}
	}
out:
	if (restore)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (tty)
		fputc('\n', stderr);
	return err;
}

int cmd_console(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-follow", no_argument, NULL, 'n' },
		{ "send", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	static struct domain d;
	const char *send = NULL;
	bool follow = true;
	uint64_t seq = 0;
	char what[64];
	struct tnl t;
	long n;
	int c, err;

	(void)cli;	/* the guest's bytes: -j does not apply */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ns:", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			follow = false;
			break;
		case 's':
			send = optarg;
			break;
		default:
			return cli_bad_arg("console: unknown option or missing argument '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return CMD_USAGE;
	snprintf(what, sizeof(what), "console %s", argv[optind]);

	err = tnl_open(&t);
	if (err)
		return err;
	err = domain_get(&t, argv[optind], &d, what);
	if (!err && send) {
		/* Input only: the output stays for a later `tandem console`. */
		if (!send[0])
			err = cli_bad_arg("console: --send needs at least one byte");
		else
			err = console_send(&t, &d, send, strlen(send), what);
		tnl_close(&t);
		return err;
	}
	if (!err) {
		n = console_drain(&t, &d, &seq, what);
		err = n < 0 ? n : 0;
	}
	if (!err && follow)
		err = console_follow(&t, &d, &seq, what);
	tnl_close(&t);
	return err;
}
