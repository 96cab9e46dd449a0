// SPDX-License-Identifier: GPL-2.0
/*
 * tandem: the admin CLI of the Tandem hypervisor.
 *
 * Exit status: 0 success, 1 the request failed (the reason is printed),
 * 2 bad usage (the command's usage line is printed).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tandem.h"

static const struct cmd cmds[] = {
	{ "info", "[NAME|ID]",
	  "show the virtualization hardware, or one domain", cmd_info },
	{ "list", "", "list the domains", cmd_list },
	/* Two forms of create: the first row takes -f, else hands over. */
	{ "create", "-f FILE [-p] [KEY=VALUE ...]",
	  "create a Linux guest from a configuration file", cmd_create_cfg },
	{ "create",
	  "NAME --memory SIZE [--vcpus N] [--image FILE [--load GPA] [--entry GPA] [--mode real|protected|long]]",
	  "create a domain, optionally with a flat binary guest", cmd_create },
	{ "start", "NAME|ID", "start a created domain", cmd_start },
	{ "pause", "NAME|ID", "pause a running domain", cmd_pause },
	{ "resume", "NAME|ID", "let a paused domain run again", cmd_resume },
	{ "destroy", "NAME|ID", "destroy a domain", cmd_destroy },
	{ "console", "NAME|ID [--no-follow | --send STRING]",
	  "print a domain's console and follow it, sending what is typed (Ctrl-] leaves); --send STRING only sends",
	  cmd_console },
	{ "disk attach", "NAME|ID PATH [--ro] [--serial SERIAL]",
	  "give a created domain a virtio disk backed by a file or block device",
	  cmd_disk_attach },
	{ "disk detach", "NAME|ID INDEX",
	  "remove a disk from a domain that is not running",
	  cmd_disk_detach },
	{ "nic attach", "NAME|ID [--mac MAC] [--name IFNAME]",
	  "give a created domain a virtio NIC with a host netdev",
	  cmd_nic_attach },
	{ "nic detach", "NAME|ID INDEX",
	  "remove a NIC from a domain that is not running", cmd_nic_detach },
	{ "regs", "NAME|ID [VCPU]", "print a vCPU's registers", cmd_regs },
	{ "mem write", "NAME|ID ADDR FILE|-",
	  "copy a file into guest memory", cmd_mem_write },
	{ "mem read", "NAME|ID ADDR LEN",
	  "copy guest memory to standard output", cmd_mem_read },
	{ "policy show", "", "print the policy agent's configuration",
	  cmd_policy_show },
	{ "policy set", "KEY VALUE", "change one configuration key",
	  cmd_policy_set },
	{ "policy load", "FILE|-", "apply every key of a configuration file",
	  cmd_policy_load },
	{ "monitor", "", "print events and audit records as they happen",
	  cmd_monitor },
};

#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void cli_verror(const char *fmt, va_list ap)
{
	fputs("tandem: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/**
 * cli_error() - print "tandem: <message>" on stderr
 */
void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_verror(fmt, ap);
	va_end(ap);
}

/**
 * cli_bad_arg() - say what is wrong with an argument; main then prints
 * the command's usage line and exits with 2
 *
 * Return: %CMD_USAGE, for the handler to return.
 */
int cli_bad_arg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_verror(fmt, ap);
	va_end(ap);
	return CMD_USAGE;
}

static void usage(FILE *out, const char *prog)
{
	char synopsis[160];
	size_t i;

	fprintf(out, "usage: %s [-j] COMMAND [ARGS]\n\n", prog);
	fprintf(out, "  -j, --json   machine-readable output\n\ncommands:\n");
	for (i = 0; i < NR_CMDS; i++) {
		snprintf(synopsis, sizeof(synopsis), "%s%s%s", cmds[i].name,
			 *cmds[i].args ? " " : "", cmds[i].args);
		/* A long synopsis gets a line of its own. */
		if (strlen(synopsis) > 38)
			fprintf(out, "  %s\n  %-38s %s\n", synopsis, "",
				cmds[i].help);
		else
			fprintf(out, "  %-38s %s\n", synopsis, cmds[i].help);
	}
	fprintf(out, "  %-38s %s\n", "help", "show this text");
}

/* Length of the group word of a two-word command ("policy"), else 0. */
static size_t cmd_group_len(const struct cmd *c)
{
	const char *sp = strchr(c->name, ' ');

	return sp ? (size_t)(sp - c->name) : 0;
}

static bool cmd_in_group(const struct cmd *c, const char *word)
{
	size_t n = cmd_group_len(c);

	return n && !strncmp(c->name, word, n) && !word[n];
}

static void usage_line(const char *lead, const char *prog,
		       const struct cmd *c)
{
	fprintf(stderr, "%s %s %s%s%s\n", lead, prog, c->name,
		*c->args ? " " : "", c->args);
}

/* "policy" alone or with an unknown subcommand: show the group's usage. */
static int group_usage(const char *prog, int argc, char **argv)
{
	const char *lead = "usage:";
	size_t i;

	if (argc > 1)
		cli_error("%s: unknown subcommand '%s'", argv[0], argv[1]);
	for (i = 0; i < NR_CMDS; i++) {
		if (!cmd_in_group(&cmds[i], argv[0]))
			continue;
		usage_line(lead, prog, &cmds[i]);
		lead = "      ";
	}
	return 2;
}

static int run(struct cli *cli, const struct cmd *c, int argc, char **argv)
{
	int err = c->run(cli, argc, argv);

	if (err == CMD_USAGE) {
		const char *lead = "usage:";
		size_t i;

		/* Every form of the command (create has two). */
		for (i = 0; i < NR_CMDS; i++) {
			if (strcmp(cmds[i].name, c->name))
				continue;
			usage_line(lead, cli->prog, &cmds[i]);
			lead = "      ";
		}
		return 2;
	}
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { .prog = "tandem" };
	bool group = false;
	size_t i;
	int c;

	while ((c = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			cli.json = true;
			break;
		case 'h':
			usage(stdout, cli.prog);
			return 0;
		default:
			usage(stderr, cli.prog);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr, cli.prog);
		return 2;
	}
	if (!strcmp(argv[0], "help")) {
		usage(stdout, cli.prog);
		return 0;
	}

	for (i = 0; i < NR_CMDS; i++) {
		size_t n = cmd_group_len(&cmds[i]);

		if (!n) {
			if (!strcmp(argv[0], cmds[i].name))
				return run(&cli, &cmds[i], argc, argv);
			continue;
		}
		if (!cmd_in_group(&cmds[i], argv[0]))
			continue;
		group = true;
		if (argc > 1 && !strcmp(argv[1], cmds[i].name + n + 1))
			return run(&cli, &cmds[i], argc - 1, argv + 1);
	}
	if (group)
		return group_usage(cli.prog, argc, argv);
	fprintf(stderr, "tandem: unknown command '%s': see '%s help'\n",
		argv[0], cli.prog);
	return 2;
}
