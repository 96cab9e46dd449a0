/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tandem CLI: command table and shared helpers.
 */
#ifndef TANDEM_CLI_H
#define TANDEM_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <tandem.h>

/* Returned by a handler whose arguments were wrong: main prints usage. */
#define CMD_USAGE	1000

struct cli {
	bool json;	/* -j: machine output */
	const char *prog;
};

/**
 * struct cmd - one CLI command
 * @name: the word(s) that select it, e.g. "list" or "policy show"
 * @args: its argument synopsis, for usage
 * @help: one line saying what it does
 * @run: handler, given the arguments from the command's last word on
 *	(argv[0] is that word, as getopt expects); returns 0, a negative
 *	errno (already reported) or %CMD_USAGE
 */
struct cmd {
	const char *name;
	const char *args;
	const char *help;
	int (*run)(struct cli *cli, int argc, char **argv);
};

/**
 * struct domain - a domain as DOMAIN_GET reports it
 */
struct domain {
	uint32_t id;
	char name[TANDEM_NAME_MAX];
	uint32_t state;
	uint64_t memory;
	uint32_t vcpus;
	uint64_t created_ns;
	uint32_t owner_uid;
	uint32_t chunks_2m;
	uint32_t pages_4k;
};

struct tnl;

void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_bad_arg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int domain_get(struct tnl *t, const char *sel, struct domain *d,
	       const char *what);
int domain_info(struct cli *cli, const char *sel);

/* cmd_info.c */
int cmd_info(struct cli *cli, int argc, char **argv);
/* cmd_domain.c */
int cmd_create(struct cli *cli, int argc, char **argv);
int cmd_destroy(struct cli *cli, int argc, char **argv);
int cmd_list(struct cli *cli, int argc, char **argv);
/* cmd_create_cfg.c */
int cmd_create_cfg(struct cli *cli, int argc, char **argv);
/* cmd_mem.c */
int cmd_mem_write(struct cli *cli, int argc, char **argv);
int cmd_mem_read(struct cli *cli, int argc, char **argv);
/* cmd_policy.c */
int cmd_policy_show(struct cli *cli, int argc, char **argv);
int cmd_policy_set(struct cli *cli, int argc, char **argv);
int cmd_policy_load(struct cli *cli, int argc, char **argv);
/* cmd_monitor.c */
int cmd_monitor(struct cli *cli, int argc, char **argv);

#endif /* TANDEM_CLI_H */
