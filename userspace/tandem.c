// SPDX-License-Identifier: GPL-2.0
/*
 * tandem: the admin CLI of the Tandem hypervisor.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tandem.h>

#include "tandem.h"

static const struct cmd cmds[] = {
	{ "info", "", "show the virtualization hardware and module versions",
	  cmd_info },
};

static void usage(FILE *out, const char *prog)
{
	size_t i;

	fprintf(out, "usage: %s [-j] COMMAND [ARGS]\n\n", prog);
	fprintf(out, "  -j, --json   machine-readable output\n\ncommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(out, "  %-28s %s\n", cmds[i].name, cmds[i].help);
	fprintf(out, "  %-28s %s\n", "help", "show this text");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { .prog = "tandem" };
	size_t i;
	int c, err;

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

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[0], cmds[i].name))
			continue;
		err = cmds[i].run(&cli, argc, argv);
		if (err == CMD_USAGE) {
			fprintf(stderr, "usage: %s %s %s\n", cli.prog,
				cmds[i].name, cmds[i].args);
			return 2;
		}
		return err ? 1 : 0;
	}
	fprintf(stderr, "tandem: unknown command '%s': see '%s help'\n",
		argv[0], cli.prog);
	return 2;
}
