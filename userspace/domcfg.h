/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Domain configuration files, in the style of xl.cfg(5):
 *
 *	# a comment
 *	name = "web"
 *	memory = 512		# MiB, or with a suffix: 2G
 *	vcpus = 2
 *	kernel = "vmlinuz"	# relative to this file
 *	ramdisk = "initrd.img"
 *	cmdline = "console=ttyS0"
 *	extra = "quiet"		# appended to cmdline
 *	on_crash = "preserve"
 *	disk = [ "path=/srv/web.img, ro, serial=web-root" ]
 *	vif = [ "mac=02:00:00:00:00:01, name=web0" ]
 *
 * and "KEY=VALUE" overrides from the command line. Every error names the
 * file (or "command line"), the line (or the argument's position) and
 * the key: "vm.cfg:3: memory: not a size: '12X' ...". The grammar is in
 * Documentation/guests.rst. No libnl here: the host tests link this file.
 */
#ifndef TANDEM_DOMCFG_H
#define TANDEM_DOMCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tandem.h>

/* Enough for "FILE:LINE: KEY: message" with a long file name. */
#define DOMCFG_ERR_MAX		512
/* The file name overrides are reported under. */
#define DOMCFG_CMDLINE_NAME	"command line"
#define DOMCFG_DEFAULT_MEMORY	(128ULL << 20)
#define DOMCFG_IFNAME_MAX	16	/* IFNAMSIZ, with the NUL */

/**
 * enum domcfg_action - what happens when the guest powers off, reboots
 * or crashes (on_poweroff, on_reboot, on_crash)
 * @DOMCFG_DESTROY: destroy the domain
 * @DOMCFG_RESTART: start it again
 * @DOMCFG_PRESERVE: keep it, stopped, for inspection
 */
enum domcfg_action {
	DOMCFG_DESTROY,
	DOMCFG_RESTART,
	DOMCFG_PRESERVE,
};

/**
 * enum domcfg_key - the keys of a configuration file
 * @DK_NAME: name, string
 * @DK_MEMORY: memory, MiB or a size with a suffix
 * @DK_VCPUS: vcpus, 1 to %TANDEM_MAX_VCPUS
 * @DK_KERNEL: kernel, path of a bzImage
 * @DK_RAMDISK: ramdisk, path of an initrd
 * @DK_CMDLINE: cmdline, the kernel command line
 * @DK_EXTRA: extra, appended to the command line
 * @DK_ON_POWEROFF: on_poweroff, &enum domcfg_action
 * @DK_ON_REBOOT: on_reboot
 * @DK_ON_CRASH: on_crash
 * @DK_DISK: disk, list of disk specifications
 * @DK_VIF: vif, list of network interface specifications
 * @DK_COUNT: number of keys
 */
enum domcfg_key {
	DK_NAME,
	DK_MEMORY,
	DK_VCPUS,
	DK_KERNEL,
	DK_RAMDISK,
	DK_CMDLINE,
	DK_EXTRA,
	DK_ON_POWEROFF,
	DK_ON_REBOOT,
	DK_ON_CRASH,
	DK_DISK,
	DK_VIF,
	DK_COUNT,
};

/**
 * struct domcfg_disk - one entry of disk = [ ... ]
 * @path: the host file or block device
 * @ro: read-only ("ro"); read-write otherwise ("rw", the default)
 * @serial: what the guest reads as its serial ("serial=", "" for none)
 */
struct domcfg_disk {
	char *path;
	bool ro;
	char serial[TANDEM_SERIAL_MAX];
};

/**
 * struct domcfg_vif - one entry of vif = [ ... ]
 * @mac: the guest's MAC address, if @has_mac
 * @has_mac: "mac=" was given; otherwise one is chosen later
 * @name: the host interface name ("" for the default tdm<domid>.<n>)
 * @bridge: a bridge to add it to ("" for none)
 */
struct domcfg_vif {
	uint8_t mac[6];
	bool has_mac;
	char name[DOMCFG_IFNAME_MAX];
	char bridge[DOMCFG_IFNAME_MAX];
};

/**
 * struct domcfg - a domain's configuration
 * @name: domain name
 * @memory: bytes of RAM
 * @vcpus: number of vCPUs
 * @kernel: kernel path (made relative to the file's directory)
 * @ramdisk: initrd path, or NULL
 * @cmdline: command line, or NULL
 * @extra: more command line, or NULL
 * @on_poweroff: action on power-off
 * @on_reboot: action on reboot
 * @on_crash: action on crash
 * @disk: disks, @nr_disks of them
 * @nr_disks: count
 * @vif: network interfaces, @nr_vifs of them
 * @nr_vifs: count
 * @file_line: per key, the line of the file that set it (0: not set)
 * @arg_no: per key, the override argument that set it (0: none)
 */
struct domcfg {
	char name[TANDEM_NAME_MAX];
	uint64_t memory;
	uint32_t vcpus;
	char *kernel;
	char *ramdisk;
	char *cmdline;
	char *extra;
	enum domcfg_action on_poweroff;
	enum domcfg_action on_reboot;
	enum domcfg_action on_crash;
	struct domcfg_disk *disk;
	size_t nr_disks;
	struct domcfg_vif *vif;
	size_t nr_vifs;
	unsigned int file_line[DK_COUNT];
	unsigned int arg_no[DK_COUNT];
};

void domcfg_init(struct domcfg *c);
void domcfg_free(struct domcfg *c);
int domcfg_parse(struct domcfg *c, const char *text, size_t len,
		 const char *fname, const char *dir, char *err, size_t errlen);
int domcfg_load(struct domcfg *c, const char *path, char *err, size_t errlen);
int domcfg_override(struct domcfg *c, const char *arg, unsigned int argno,
		    char *err, size_t errlen);
int domcfg_finish(struct domcfg *c, const char *fname, char *err,
		  size_t errlen);
char *domcfg_full_cmdline(const struct domcfg *c);
const char *domcfg_action_name(enum domcfg_action a);
const char *domcfg_key_name(enum domcfg_key k);

#endif /* TANDEM_DOMCFG_H */
