/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tandem CLI: command table and shared helpers.
 */
#ifndef TANDEM_CLI_H
#define TANDEM_CLI_H

#include <stdbool.h>
#include <stdint.h>

/* Returned by a handler whose arguments were wrong: main prints usage. */
#define CMD_USAGE	1000

struct cli {
	bool json;	/* -j: machine output */
	const char *prog;
};

/**
 * struct cmd - one CLI command
 * @name: the word(s) that select it
 * @args: its argument synopsis, for usage
 * @help: one line saying what it does
 * @run: handler; returns 0, a negative errno (already reported) or
 *	%CMD_USAGE
 */
struct cmd {
	const char *name;
	const char *args;
	const char *help;
	int (*run)(struct cli *cli, int argc, char **argv);
};

int cmd_info(struct cli *cli, int argc, char **argv);

#endif /* TANDEM_CLI_H */
