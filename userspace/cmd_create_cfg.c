// SPDX-License-Identifier: GPL-2.0
/*
 * tandem create -f FILE [-p] [KEY=VALUE ...]: a Linux guest from a
 * configuration file (domcfg.c), built by the x86 boot protocol
 * (bzimage.c, acpi.c) and written into a new domain.
 *
 * Order: parse and check everything that can be checked without the
 * kernel (configuration, files, disk paths, boot layout), then
 * DOMAIN_CREATE, DEVICE_ATTACH of each disk and then each vif in file
 * order (their virtio-mmio slots go into the DSDT), MEM_WRITE of every
 * region in TANDEM_MEM_CHUNK_MAX pieces, VCPU_SET_REGS for vCPU 0,
 * DOMAIN_START (unless -p). Any failure after DOMAIN_CREATE destroys the
 * domain again, so a failed create leaves nothing behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netlink/attr.h>
#include <tandem.h>

#include "acpi.h"
#include "bzimage.h"
#include "devarg.h"
#include "domcfg.h"
#include "json.h"
#include "nl.h"
#include "size.h"
#include "tandem.h"

/* Room for the data and the other attributes of one request. */
#define MEM_MSG_SIZE(len)	((len) + 256)
/* Largest kernel or initrd read into memory. */
#define FILE_MAX		(1ULL << 31)

/**
 * struct created - what DOMAIN_CREATE answered
 * @id: the domain's id
 * @memory: bytes granted (the agent may grant less than asked)
 * @vcpus: vCPUs
 */
struct created {
	uint32_t id;
	uint64_t memory;
	uint32_t vcpus;
};

/**
 * struct devices - the disks and vifs of a configuration
 * @path: per disk, its path made absolute (owned)
 * @info: per device (disks first), what DEVICE_ATTACH answered
 * @vmmio: per device, its slot's window and GSI, for the DSDT
 * @n: disks plus vifs
 */
struct devices {
	char *path[TANDEM_VIRTIO_SLOTS];
	struct dev_info info[TANDEM_VIRTIO_SLOTS];
	struct acpi_virtio_mmio vmmio[TANDEM_VIRTIO_SLOTS];
	unsigned int n;
};

/**
 * struct progress - a progress line on a terminal
 * @on: stdout is a terminal and output is for humans
 * @name: the domain
 * @done: bytes written so far
 * @total: bytes to write
 * @shown: the percentage last printed
 */
struct progress {
	bool on;
	const char *name;
	uint64_t done, total;
	int shown;
};

static int created_cb(struct nl_msg *msg, void *arg)
{
	static struct nla_policy pol[TANDEM_DOMAIN_A_MAX + 1] = {
		[TANDEM_DOMAIN_A_ID] = { .type = NLA_U32 },
		[TANDEM_DOMAIN_A_MEMORY] = { .type = NLA_U64 },
		[TANDEM_DOMAIN_A_VCPUS] = { .type = NLA_U32 },
	};
	struct nlattr *tb[TANDEM_DOMAIN_A_MAX + 1];
	struct created *c = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TANDEM_DOMAIN_A_MAX, pol) ||
	    !tb[TANDEM_DOMAIN_A_ID] || !tb[TANDEM_DOMAIN_A_MEMORY])
		return -EINVAL;
	c->id = nla_get_u32(tb[TANDEM_DOMAIN_A_ID]);
	c->memory = nla_get_u64(tb[TANDEM_DOMAIN_A_MEMORY]);
	c->vcpus = tb[TANDEM_DOMAIN_A_VCPUS] ?
		   nla_get_u32(tb[TANDEM_DOMAIN_A_VCPUS]) : 1;
	return 0;
}

static int tsc_khz_cb(struct nl_msg *msg, void *arg)
{
	static struct nla_policy pol[TANDEM_INFO_A_MAX + 1] = {
		[TANDEM_INFO_A_TSC_KHZ] = { .type = NLA_U32 },
	};
	struct nlattr *tb[TANDEM_INFO_A_MAX + 1];
	uint32_t *khz = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TANDEM_INFO_A_MAX, pol))
		return -EINVAL;
	if (tb[TANDEM_INFO_A_TSC_KHZ])
		*khz = nla_get_u32(tb[TANDEM_INFO_A_TSC_KHZ]);
	return 0;
}

/*
 * The command line the guest gets: the configuration's, plus what Linux
 * needs on a virtual machine it cannot detect as one:
 * - tsc_early_khz= with the guests' TSC rate unless the configuration
 *   sets it. Linux's own TSC calibration loops (against the PIT, the PM
 *   timer) need port reads of a few microseconds; under emulation they
 *   fail and Linux gives up on the TSC. Intel guests also find the rate
 *   in CPUID leaves 0x15/0x16; AMD guests have only this.
 * - no_timer_check, unless there: Linux's check that the timer interrupt
 *   works wants several PIT ticks taken within a few of them, which a
 *   vCPU thread that the host preempts can miss (the ticks coalesce), and
 *   the guest then panics ("IO-APIC + timer doesn't work"). Linux sets it
 *   by itself on KVM for the same reason.
 * - tsc=reliable, unless the line has a tsc= option, when the host itself
 *   keeps time with its TSC: the guest's TSC is the host's, offset, never
 *   scaled. Without it Linux's clocksource watchdog compares the TSC with
 *   the jiffies of missed ticks, marks it unstable, and the guest keeps
 *   time with the ACPI PM timer: a port read, a VM exit, at every clock
 *   read (hundreds per millisecond under network or disk load).
 */
static const char *tsc_reliable(const char *cmdline)
{
	char cs[32] = "";
	FILE *f;

	if (strstr(cmdline, "tsc="))
		return "";
	f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  "re");
	if (!f)
		return "";
	if (!fgets(cs, sizeof(cs), f))
		cs[0] = '\0';
	fclose(f);
	return strcmp(cs, "tsc\n") ? "" : " tsc=reliable";
}

static char *guest_cmdline(struct tnl *t, const char *cmdline)
{
	const char *timer = strstr(cmdline, "no_timer_check") ?
			    "" : " no_timer_check";
	const char *tsc = tsc_reliable(cmdline);
	uint32_t khz = 0;
	char *s;
	int n;

	if (strstr(cmdline, "tsc_early_khz=") ||
	    tnl_request(t, tnl_msg(t, TANDEM_CMD_GET_INFO, 0), tsc_khz_cb, &khz,
			"create: get info") || !khz)
		n = asprintf(&s, "%s%s%s", cmdline, timer, tsc);
	else
		n = asprintf(&s, "%s%s tsc_early_khz=%u%s", cmdline, timer, khz,
			     tsc);
	if (n < 0)
		return NULL;
	/* An empty configured line gets no leading blank. */
	if (s[0] == ' ')
		memmove(s, s + 1, strlen(s));
	return s;
}

/* A whole file in memory; reports its own errors. */
static int read_file(const char *what, const char *path, void **data,
		     size_t *len)
{
	struct stat st;
	size_t done = 0;
	ssize_t n;
	char *buf;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		cli_error("create: %s '%s': %s", what, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > FILE_MAX) {
		cli_error("create: %s '%s': %s", what, path,
			  S_ISREG(st.st_mode) ? "larger than 2 GiB" :
						"not a regular file");
		close(fd);
		return -EINVAL;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		cli_error("create: %s '%s': out of memory", what, path);
		close(fd);
		return -ENOMEM;
	}
	while (done < (size_t)st.st_size) {
		n = read(fd, buf + done, st.st_size - done);
		if (n <= 0) {
			err = n ? -errno : -EIO;
			cli_error("create: %s '%s': cannot read: %s", what,
				  path, n ? strerror(errno) : "file shrank");
			free(buf);
			close(fd);
			return err;
		}
		done += n;
	}
	close(fd);
	*data = buf;
	*len = done;
	return 0;
}

static void progress_show(struct progress *p)
{
	char a[SIZE_BUF], b[SIZE_BUF];
	int pct;

	if (!p->on || !p->total)
		return;
	pct = (int)(p->done * 100 / p->total);
	if (pct == p->shown)
		return;
	p->shown = pct;
	printf("\rloading %s: %3d%% (%s of %s)", p->name, pct,
	       format_size(p->done, a, sizeof(a)),
	       format_size(p->total, b, sizeof(b)));
	fflush(stdout);
}

static void progress_end(struct progress *p)
{
	if (p->on && p->shown >= 0) {
		printf("\r\033[K");
		fflush(stdout);
	}
}

static int write_region(struct tnl *t, const struct created *d,
			const char *name, const struct guest_region *r,
			struct progress *pg)
{
	const uint8_t *data = r->data;
	struct nl_msg *msg;
	char what[128];
	size_t off, n;
	int err;

	for (off = 0; off < r->len; off += n) {
		n = r->len - off;
		if (n > TANDEM_MEM_CHUNK_MAX)
			n = TANDEM_MEM_CHUNK_MAX;
		snprintf(what, sizeof(what), "create %s: writing the %s at 0x%llx",
			 name, r->what, (unsigned long long)(r->gpa + off));
		msg = tnl_msg_size(t, TANDEM_CMD_MEM_WRITE, 0, MEM_MSG_SIZE(n));
		if (msg && (nla_put_u32(msg, TANDEM_MEM_A_DOMAIN_ID, d->id) ||
			    nla_put_u64(msg, TANDEM_MEM_A_GPA, r->gpa + off) ||
			    nla_put(msg, TANDEM_MEM_A_DATA, n, data + off)))
			msg = tnl_msg_drop(msg);
		err = tnl_request(t, msg, NULL, NULL, what);
		if (err)
			return err;
		pg->done += n;
		progress_show(pg);
	}
	return 0;
}

static int domain_cmd(struct tnl *t, uint8_t cmd, uint32_t id,
		      const char *what)
{
	struct nl_msg *msg = tnl_msg(t, cmd, 0);

	if (msg && nla_put_u32(msg, TANDEM_DOMAIN_A_ID, id))
		msg = tnl_msg_drop(msg);
	return tnl_request(t, msg, NULL, NULL, what);
}

/*
 * Before the guest starts: the disks, then the vifs, in file order. The
 * hypervisor picks the slots; the DSDT says what it picked.
 */
static int attach_devices(struct tnl *t, const struct domcfg *c,
			  const struct created *d, struct devices *dv)
{
	char sel[16], what[160];
	unsigned int i;
	size_t k;
	int ret;

	snprintf(sel, sizeof(sel), "%u", d->id);
	for (i = 0; i < dv->n; i++) {
		struct dev_req req = { 0 };

		if (i < c->nr_disks) {
			const struct domcfg_disk *dk = &c->disk[i];

			req.type = TANDEM_DEVICE_DISK;
			req.path = dv->path[i];
			req.ro = dk->ro;
			req.serial = dk->serial[0] ? dk->serial : NULL;
			snprintf(what, sizeof(what), "create %s: disk %u '%s'",
				 c->name, i + 1, dv->path[i]);
		} else {
			const struct domcfg_vif *v;

			k = i - c->nr_disks;
			v = &c->vif[k];
			req.type = TANDEM_DEVICE_NIC;
			req.has_mac = v->has_mac;
			memcpy(req.mac, v->mac, sizeof(req.mac));
			req.ifname = v->name[0] ? v->name : NULL;
			snprintf(what, sizeof(what), "create %s: vif %zu",
				 c->name, k + 1);
		}
		ret = device_attach(t, sel, &req, &dv->info[i], what);
		if (ret)
			return ret;
		dv->vmmio[i].base = dv->info[i].mmio_base;
		dv->vmmio[i].gsi = dv->info[i].gsi;
	}
	return 0;
}

/* Everything after DOMAIN_CREATE; the caller destroys on failure. */
static int load_domain(struct tnl *t, const struct domcfg *c,
		       const struct linux_boot_cfg *bc, struct created *d,
		       struct devices *dv, bool paused, bool json)
{
	struct linux_boot_cfg granted = *bc;
	struct progress pg = {
		.on = !json && isatty(STDOUT_FILENO), .name = c->name,
		.shown = -1,
	};
	char what[96], err[BZ_ERR_MAX];
	struct linux_boot lb;
	struct nl_msg *msg;
	unsigned int i;
	int ret;

	memset(&lb, 0, sizeof(lb));
	ret = attach_devices(t, c, d, dv);
	if (ret)
		goto out;
	/* Laid out again for what the agent granted, which may be less. */
	granted.memory = d->memory;
	granted.vcpus = d->vcpus;
	granted.vmmio = dv->n ? dv->vmmio : NULL;
	granted.nr_vmmio = dv->n;
	ret = linux_boot_build(&granted, &lb, err, sizeof(err));
	if (ret) {
		cli_error("create %s: kernel '%s' with the %llu MiB granted: %s",
			  c->name, c->kernel,
			  (unsigned long long)(d->memory >> 20), err);
		goto out;
	}
	for (i = 0; i < lb.nr_regions; i++)
		pg.total += lb.region[i].len;
	for (i = 0; !ret && i < lb.nr_regions; i++)
		ret = write_region(t, d, c->name, &lb.region[i], &pg);
	progress_end(&pg);
	if (ret)
		goto out;

	snprintf(what, sizeof(what), "create %s: setting vCPU 0's registers",
		 c->name);
	msg = tnl_msg(t, TANDEM_CMD_VCPU_SET_REGS, 0);
	if (msg && (nla_put_u32(msg, TANDEM_VCPU_A_DOMAIN_ID, d->id) ||
		    nla_put_u32(msg, TANDEM_VCPU_A_VCPU, 0) ||
		    nla_put(msg, TANDEM_VCPU_A_REGS, sizeof(lb.regs), &lb.regs)))
		msg = tnl_msg_drop(msg);
	ret = tnl_request(t, msg, NULL, NULL, what);
	if (ret || paused)
		goto out;
	snprintf(what, sizeof(what), "create %s: start", c->name);
	ret = domain_cmd(t, TANDEM_CMD_DOMAIN_START, d->id, what);
out:
	linux_boot_free(&lb);
	return ret;
}

static void print_result(const struct cli *cli, const struct domcfg *c,
			 const struct created *d, const struct devices *dv,
			 const char *version, bool paused)
{
	static char desc[DEV_DESC_MAX];
	char mem[SIZE_BUF];
	unsigned int i;

	if (cli->json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_u64(&j, "id", d->id);
		json_str(&j, "name", c->name);
		json_u64(&j, "memory", d->memory);
		json_u64(&j, "vcpus", d->vcpus);
		json_str(&j, "kernel", c->kernel);
		json_str(&j, "kernel_version", version);
		json_str(&j, "state", paused ? "created" : "running");
		json_str(&j, "on_poweroff", domcfg_action_name(c->on_poweroff));
		json_str(&j, "on_reboot", domcfg_action_name(c->on_reboot));
		json_str(&j, "on_crash", domcfg_action_name(c->on_crash));
		json_arr_begin(&j, "devices");
		for (i = 0; i < dv->n; i++)
			device_json(&j, &dv->info[i]);
		json_arr_end(&j);
		json_obj_end(&j);
		json_finish(&j);
		return;
	}
	printf("created domain %s (id %u, %s, %u vCPU%s), Linux %s, %s\n",
	       c->name, d->id, format_size(d->memory, mem, sizeof(mem)),
	       d->vcpus, d->vcpus == 1 ? "" : "s", *version ? version : "?",
	       paused ? "not started (-p)" : "started");
	for (i = 0; i < dv->n; i++)
		printf("%s %u: %s\n", dev_type_name(dv->info[i].type),
		       dv->info[i].index,
		       dev_describe(&dv->info[i], desc, sizeof(desc)));
}

/*
 * What can be said of the devices before a domain exists: how many,
 * whether each disk is there (its absolute path goes to the hypervisor),
 * and the vif options the hypervisor has no use for. The DSDT of the
 * check build gets the slots an empty domain would give them.
 */
static int devices_prepare(const struct domcfg *c, struct devices *dv)
{
	size_t i;

	if (c->nr_disks + c->nr_vifs > TANDEM_VIRTIO_SLOTS) {
		cli_error("create %s: %zu disks and %zu vifs: a domain has at most %d virtio devices",
			  c->name, c->nr_disks, c->nr_vifs, TANDEM_VIRTIO_SLOTS);
		return -E2BIG;
	}
	for (i = 0; i < c->nr_vifs; i++) {
		if (c->vif[i].bridge[0]) {
			cli_error("create %s: vif %zu: bridge=%s: not supported yet (add the interface to the bridge after create)",
				  c->name, i + 1, c->vif[i].bridge);
			return -EOPNOTSUPP;
		}
	}
	for (i = 0; i < c->nr_disks; i++) {
		dv->path[i] = realpath(c->disk[i].path, NULL);
		if (!dv->path[i]) {
			int err = -errno;

			cli_error("create %s: disk %zu '%s': %s", c->name,
				  i + 1, c->disk[i].path, strerror(errno));
			return err;
		}
	}
	dv->n = c->nr_disks + c->nr_vifs;
	for (i = 0; i < dv->n; i++) {
		dv->vmmio[i].base = TANDEM_VIRTIO_MMIO_BASE +
				    i * TANDEM_VIRTIO_MMIO_STRIDE;
		dv->vmmio[i].gsi = TANDEM_VIRTIO_GSI_BASE + i;
	}
	return 0;
}

static void devices_free(struct devices *dv)
{
	unsigned int i;

	for (i = 0; i < TANDEM_VIRTIO_SLOTS; i++)
		free(dv->path[i]);
	free(dv);
}

/* A config file's on_poweroff/on_reboot/on_crash as a wish in the UAPI. */
static uint32_t wish_action(int action)
{
	switch (action) {
	case DOMCFG_DESTROY:
		return TANDEM_CRASH_DESTROY;
	case DOMCFG_RESTART:
		return TANDEM_CRASH_RESTART;
	default:
		return TANDEM_CRASH_PRESERVE;
	}
}

static int create_from(struct cli *cli, struct domcfg *c, bool paused)
{
	struct linux_boot_cfg bc = { 0 };
	void *kernel = NULL, *initrd = NULL;
	char err[BZ_ERR_MAX], what[96];
	struct created d = { 0 };
	struct devices *dv;
	struct linux_boot lb;
	struct nl_msg *msg;
	char *cmdline, *full = NULL;
	struct tnl t;
	int ret;

	cmdline = domcfg_full_cmdline(c);
	dv = calloc(1, sizeof(*dv));
	if (!cmdline || !dv) {
		cli_error("create: out of memory");
		free(cmdline);
		free(dv);
		return -ENOMEM;
	}
	ret = devices_prepare(c, dv);
	if (!ret)
		ret = read_file("kernel", c->kernel, &kernel, &bc.kernel_len);
	if (!ret && c->ramdisk)
		ret = read_file("ramdisk", c->ramdisk, &initrd,
				&bc.initrd_len);
	if (ret)
		goto out;
	bc.kernel = kernel;
	bc.initrd = initrd;
	bc.cmdline = cmdline;
	bc.memory = c->memory;
	bc.vcpus = c->vcpus;
	bc.vmmio = dv->n ? dv->vmmio : NULL;
	bc.nr_vmmio = dv->n;

	/* Refuse a bad image or layout before a domain exists. */
	ret = linux_boot_build(&bc, &lb, err, sizeof(err));
	if (ret)
		cli_error("create %s: kernel '%s': %s", c->name, c->kernel, err);
	linux_boot_free(&lb);
	if (ret)
		goto out;

	ret = tnl_open(&t);
	if (ret)
		goto out;
	full = guest_cmdline(&t, cmdline);
	if (!full) {
		cli_error("create: out of memory");
		ret = -ENOMEM;
		goto out_close;
	}
	bc.cmdline = full;
	snprintf(what, sizeof(what), "create %s", c->name);
	msg = tnl_msg(&t, TANDEM_CMD_DOMAIN_CREATE, 0);
	if (msg && (nla_put_string(msg, TANDEM_DOMAIN_A_NAME, c->name) ||
		    nla_put_u64(msg, TANDEM_DOMAIN_A_MEMORY, c->memory) ||
		    nla_put_u32(msg, TANDEM_DOMAIN_A_VCPUS, c->vcpus) ||
		    nla_put_u32(msg, TANDEM_DOMAIN_A_ON_POWEROFF,
				wish_action(c->on_poweroff)) ||
		    nla_put_u32(msg, TANDEM_DOMAIN_A_ON_REBOOT,
				wish_action(c->on_reboot)) ||
		    nla_put_u32(msg, TANDEM_DOMAIN_A_ON_CRASH,
				wish_action(c->on_crash))))
		msg = tnl_msg_drop(msg);
	ret = tnl_request(&t, msg, created_cb, &d, what);
	if (!ret) {
		ret = load_domain(&t, c, &bc, &d, dv, paused, cli->json);
		if (ret) {
			snprintf(what, sizeof(what),
				 "create %s: destroying it again", c->name);
			if (!domain_cmd(&t, TANDEM_CMD_DOMAIN_DESTROY, d.id,
					what))
				cli_error("create %s: failed; the domain was destroyed again",
					  c->name);
		}
	}
out_close:
	tnl_close(&t);
	if (!ret) {
		struct bzimage bz;

		linux_image_parse(kernel, bc.kernel_len, &bz, err, sizeof(err));
		print_result(cli, c, &d, dv, bz.kernel_version, paused);
	}
out:
	devices_free(dv);
	free(kernel);
	free(initrd);
	free(cmdline);
	free(full);
	return ret;
}

/**
 * cmd_create_cfg() - tandem create -f FILE [-p] [KEY=VALUE ...]
 * @cli: output mode
 * @argc: argument count, from "create" on
 * @argv: the arguments
 *
 * Without -f (or --file) this is the other form of create, and
 * cmd_create() handles it.
 *
 * Return: 0, a negative errno (reported) or %CMD_USAGE.
 */
int cmd_create_cfg(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "paused", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL;
	char err[DOMCFG_ERR_MAX];
	bool paused = false;
	struct domcfg c;
	int i, opt, ret;

	for (i = 1; i < argc; i++)
		if (!strncmp(argv[i], "-f", 2) || !strncmp(argv[i], "--file", 6))
			break;
	if (i == argc)
		return cmd_create(cli, argc, argv);

	optind = 0;	/* glibc: start over, argv[0] is "create" */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:f:p", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			file = optarg;
			break;
		case 'p':
			paused = true;
			break;
		case ':':
			return cli_bad_arg("create: option '%s' needs a value",
					   argv[optind - 1]);
		default:
			return cli_bad_arg("create: unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (!file)
		return CMD_USAGE;

	domcfg_init(&c);
	ret = domcfg_load(&c, file, err, sizeof(err));
	for (i = optind; !ret && i < argc; i++)
		ret = domcfg_override(&c, argv[i], i - optind + 1, err,
				      sizeof(err));
	if (!ret)
		ret = domcfg_finish(&c, file, err, sizeof(err));
	if (ret)
		cli_error("create: %s", err);
	else
		ret = create_from(cli, &c, paused);
	domcfg_free(&c);
	return ret;
}
