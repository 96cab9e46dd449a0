/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tandem CLI: command table and shared helpers.
 */
#ifndef TANDEM_CLI_H
#define TANDEM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tandem.h>

#include "devarg.h"

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

/* Host CPUs a vCPU ran on: this many u64 words are kept. */
#define CPUMASK_WORDS	4

/**
 * struct vcpu_stats - one vCPU's statistics (TANDEM_STATS_A_*)
 */
struct vcpu_stats {
	uint32_t id;
	uint64_t run_ns;
	uint64_t halt_ns;
	uint64_t exits[__TANDEM_STAT_EXIT_COUNT];
	uint64_t cpus[CPUMASK_WORDS];
	uint32_t last_cpu;
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
	uint64_t unhandled_io;
	uint64_t unhandled_mmio;
	uint32_t shutdown_reason;
	int64_t on_poweroff;	/* the domain's wish, -1 for none */
	int64_t on_reboot;
	int64_t on_crash;
	char crash_reason[TANDEM_REASON_MAX];
	uint32_t nr_stats;	/* entries of @stats the reply carried */
	struct vcpu_stats stats[TANDEM_MAX_VCPUS];
	uint32_t nr_devices;	/* entries of @devices the reply carried */
	struct dev_info devices[TANDEM_VIRTIO_SLOTS];
};

struct json;
struct nlattr;
struct tnl;

void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_bad_arg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int domain_get(struct tnl *t, const char *sel, struct domain *d,
	       const char *what);
int domain_lookup(struct tnl *t, const char *sel, struct domain *d);
int domain_info(struct cli *cli, const char *sel);
int mem_write(struct tnl *t, const struct domain *d, uint64_t gpa,
	      const void *buf, size_t len, const char *what);

/* cmd_info.c */
int cmd_info(struct cli *cli, int argc, char **argv);
/* cmd_domain.c */
int cmd_create(struct cli *cli, int argc, char **argv);
int cmd_destroy(struct cli *cli, int argc, char **argv);
int cmd_start(struct cli *cli, int argc, char **argv);
int cmd_pause(struct cli *cli, int argc, char **argv);
int cmd_resume(struct cli *cli, int argc, char **argv);
int cmd_list(struct cli *cli, int argc, char **argv);
/* cmd_console.c */
int cmd_console(struct cli *cli, int argc, char **argv);
/* cmd_regs.c */
int cmd_regs(struct cli *cli, int argc, char **argv);
/* cmd_create_cfg.c */
int cmd_create_cfg(struct cli *cli, int argc, char **argv);
/* cmd_mem.c */
int cmd_mem_write(struct cli *cli, int argc, char **argv);
int cmd_mem_read(struct cli *cli, int argc, char **argv);
/* cmd_policy.c */
int cmd_policy_show(struct cli *cli, int argc, char **argv);
int cmd_policy_set(struct cli *cli, int argc, char **argv);
int cmd_policy_load(struct cli *cli, int argc, char **argv);
/* cmd_device.c */
int cmd_disk_attach(struct cli *cli, int argc, char **argv);
int cmd_disk_detach(struct cli *cli, int argc, char **argv);
int cmd_nic_attach(struct cli *cli, int argc, char **argv);
int cmd_nic_detach(struct cli *cli, int argc, char **argv);
int devices_parse(struct nlattr *all, struct dev_info *dev, unsigned int max);
int device_attach(struct tnl *t, const char *sel, const struct dev_req *req,
		  struct dev_info *d, const char *what);
void device_json(struct json *j, const struct dev_info *d);
/* cmd_monitor.c */
int cmd_monitor(struct cli *cli, int argc, char **argv);

#endif /* TANDEM_CLI_H */
