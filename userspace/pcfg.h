/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The default agent's configuration (enum tandem_pcfg_attr) and its
 * "key = value" file format (Documentation/protocol-notes.txt section 10).
 * No libnl here: the host unit tests link this file on its own, and
 * cmd_policy.c turns a struct pcfg into attributes with pcfg_foreach().
 */
#ifndef TANDEM_PCFG_H
#define TANDEM_PCFG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <tandem.h>

/* Enough for "FILE:LINE: KEY: message" with a long file name. */
#define PCFG_ERR_MAX	512

/**
 * enum pcfg_type - how a key is written and carried
 * @PCFG_U32: decimal number, u32 attribute
 * @PCFG_SIZE: size (see parse_size()), u64 attribute
 * @PCFG_STRING: text, NUL-terminated string attribute
 * @PCFG_STATES: list of state names, u32 attribute (mask of 1 << state)
 * @PCFG_CPUS: "all" or a CPU list ("0-1,3"), string attribute
 * @PCFG_ACTION: crash action name, u32 attribute (&enum tandem_crash_action)
 * @PCFG_DIRS: colon-separated absolute directories, or empty for none;
 *	string attribute
 */
enum pcfg_type {
	PCFG_U32,
	PCFG_SIZE,
	PCFG_STRING,
	PCFG_STATES,
	PCFG_CPUS,
	PCFG_ACTION,
	PCFG_DIRS,
};

/* nic_names, with NUL (the agent's TPOL_NIC_NAMES_MAX). */
#define PCFG_NIC_NAMES_MAX	(TANDEM_IFNAME_MAX * 4)

/**
 * struct pcfg - a configuration, complete (POLICY_GET) or partial (SET)
 * @present: 1 << TANDEM_PCFG_A_* of the keys that are set
 * @max_domains: see enum tandem_pcfg_attr, and likewise the rest
 * @max_memory: bytes
 * @max_vcpus: count
 * @memory_pool: bytes
 * @name_pattern: glob
 * @mem_write_states: mask of 1 << &enum tandem_domain_state
 * @cpus: "all" or a CPU list
 * @weight: scheduling weight
 * @cap: percent of one CPU per vCPU, 0 for none
 * @on_crash: &enum tandem_crash_action
 * @max_restarts: restarts before a crash destroys instead
 * @on_poweroff: &enum tandem_crash_action for a power-off without a wish
 * @on_reboot: &enum tandem_crash_action for a reboot without a wish
 * @disk_dirs: colon-separated directories for disks, "" for none
 * @disk_ro_dirs: colon-separated directories for read-only disks only
 * @max_disks: disks per domain
 * @max_nics: NICs per domain
 * @nic_names: glob host netdev names of NICs must match
 */
struct pcfg {
	uint32_t present;
	uint32_t max_domains;
	uint64_t max_memory;
	uint32_t max_vcpus;
	uint64_t memory_pool;
	char name_pattern[TANDEM_NAME_MAX];
	uint32_t mem_write_states;
	char cpus[TANDEM_CPULIST_MAX];
	uint32_t weight;
	uint32_t cap;
	uint32_t on_crash;
	uint32_t max_restarts;
	uint32_t on_poweroff;
	uint32_t on_reboot;
	char disk_dirs[TANDEM_PATH_MAX];
	char disk_ro_dirs[TANDEM_PATH_MAX];
	uint32_t max_disks;
	uint32_t max_nics;
	char nic_names[PCFG_NIC_NAMES_MAX];
};

/**
 * struct pcfg_value - one key of a configuration, as pcfg_foreach() sees it
 * @attr: TANDEM_PCFG_A_*
 * @name: the key, e.g. "max_memory"
 * @type: how it is carried: u32 for %PCFG_U32, %PCFG_STATES and
 *	%PCFG_ACTION, u64 for %PCFG_SIZE, a string for %PCFG_STRING,
 *	%PCFG_CPUS and %PCFG_DIRS
 * @num: the value of a number, size or state mask
 * @str: the value of a string
 */
struct pcfg_value {
	int attr;
	const char *name;
	enum pcfg_type type;
	uint64_t num;
	const char *str;
};

typedef int (*pcfg_fn)(void *arg, const struct pcfg_value *v);

int pcfg_key_by_name(const char *name);
int pcfg_key_type(int attr);
int pcfg_set(struct pcfg *c, const char *key, const char *value,
	     char *err, size_t len);
int pcfg_parse_file(struct pcfg *c, FILE *f, const char *fname,
		    char *err, size_t len);
void pcfg_store(struct pcfg *c, const struct pcfg_value *v);
int pcfg_foreach(const struct pcfg *c, pcfg_fn fn, void *arg);
char *pcfg_format(const struct pcfg_value *v, char *buf, size_t len);
void pcfg_states_format(uint32_t mask, char *buf, size_t len);
const char *pcfg_action_name(uint32_t action);

#endif /* TANDEM_PCFG_H */
