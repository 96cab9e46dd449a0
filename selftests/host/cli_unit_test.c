// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the tandem CLI's parts that need no kernel: size and
 * number parsing, the policy configuration format, the JSON writer, the
 * ABI names, the flat-guest domain builder and the arguments of disk and
 * nic attach|detach. Prints TAP; exits non-zero when a case fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "devarg.h"
#include "json.h"
#include "names.h"
#include "pcfg.h"
#include "size.h"
#include "tap.h"



#define EXPECT_STR(got, want)						\
	EXPECT(!strcmp((got), (want)), "got \"%s\", want \"%s\"", (got), (want))

/* size --------------------------------------------------------------------- */

static void expect_size(const char *s, uint64_t want)
{
	uint64_t v = 12345;
	int err = parse_size(s, &v);

	EXPECT(err == 0 && v == want, "'%s': err %d, value %llu, want %llu",
	       s, err, (unsigned long long)v, (unsigned long long)want);
}

static void expect_size_err(const char *s, int want)
{
	uint64_t v = 12345;
	int err = parse_size(s, &v);

	EXPECT(err == want && v == 12345, "'%s': err %d (want %d), value %llu",
	       s, err, want, (unsigned long long)v);
}

static void test_size_plain_bytes(void)
{
	expect_size("4096", 4096);
	expect_size("1", 1);
	expect_size("18446744073709551615", UINT64_MAX);
}

static void test_size_every_suffix_is_a_power_of_1024(void)
{
	static const char *const suffixes[][3] = {
		{ "K", "KiB", "k" }, { "M", "MiB", "m" },
		{ "G", "GiB", "g" }, { "T", "TiB", "t" },
	};
	char buf[32];
	int u, i;

	for (u = 0; u < 4; u++) {
		for (i = 0; i < 3; i++) {
			snprintf(buf, sizeof(buf), "3%s", suffixes[u][i]);
			expect_size(buf, 3ULL << (10 * (u + 1)));
		}
	}
}

static void test_size_zero_is_a_size(void)
{
	expect_size("0", 0);
	expect_size("0K", 0);
	expect_size("0T", 0);
}

static void test_size_overflow_is_rejected(void)
{
	expect_size("16777215T", 16777215ULL << 40);
	expect_size_err("16777216T", -ERANGE);
	expect_size_err("17179869184G", -ERANGE);
	expect_size_err("18446744073709551616", -ERANGE);
	expect_size_err("99999999999999999999999K", -ERANGE);
}

static void test_size_junk_is_rejected(void)
{
	static const char *const junk[] = {
		"12Q", "1.5G", "1 G", "G", "KiB", "0x1000", "4KB", "4kib",
		"4Ki", "4K ", "4 ", "abc", "4MM",
	};
	size_t i;

	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		expect_size_err(junk[i], -EINVAL);
}

static void test_size_negative_and_signs_are_rejected(void)
{
	expect_size_err("-1", -EINVAL);
	expect_size_err("-0", -EINVAL);
	expect_size_err("+1", -EINVAL);
	expect_size_err(" 1", -EINVAL);
}

static void test_size_empty_is_rejected(void)
{
	expect_size_err("", -EINVAL);
}

static void test_size_errors_say_what_is_accepted(void)
{
	EXPECT_STR(size_strerror(-EINVAL),
		   "not a size (expected a byte count, or a number with suffix K, M, G or T, also KiB, MiB, GiB, TiB or k, m, g, t; powers of 1024)");
	EXPECT_STR(size_strerror(-ERANGE),
		   "too large (the limit is 2^64 - 1 bytes)");
}

static void test_format_size_is_exact_and_parses_back(void)
{
	static const struct {
		uint64_t v;
		const char *s;
	} cases[] = {
		{ 0, "0" }, { 1, "1" }, { 4095, "4095" }, { 4096, "4K" },
		{ 4097, "4097" }, { 256ULL << 20, "256M" },
		{ 1536ULL << 20, "1536M" }, { 1ULL << 30, "1G" },
		{ 1ULL << 40, "1T" }, { 1024ULL << 40, "1024T" },
		{ UINT64_MAX, "18446744073709551615" },
	};
	char buf[SIZE_BUF];
	uint64_t back;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_STR(format_size(cases[i].v, buf, sizeof(buf)),
			   cases[i].s);
		EXPECT(parse_size(buf, &back) == 0 && back == cases[i].v,
		       "'%s' does not parse back to %llu", buf,
		       (unsigned long long)cases[i].v);
	}
}

static void test_parse_uint_decimal_and_hex_addresses(void)
{
	uint64_t v = 0;

	EXPECT(parse_uint("4096", 0, UINT64_MAX, &v) == 0 && v == 4096, "4096");
	EXPECT(parse_uint("0x1000", 0, UINT64_MAX, &v) == 0 && v == 0x1000, "0x1000");
	EXPECT(parse_uint("0XfF", 0, UINT64_MAX, &v) == 0 && v == 0xff, "0XfF");
	EXPECT(parse_uint("0xffffffffffffffff", 0, UINT64_MAX, &v) == 0 &&
	       v == UINT64_MAX, "max");
	EXPECT(parse_uint("0x10000000000000000", 0, UINT64_MAX, &v) == -ERANGE,
	       "hex overflow");
	EXPECT(parse_uint("0x", 0, UINT64_MAX, &v) == -EINVAL, "bare 0x");
	EXPECT(parse_uint("0x0x10", 0, UINT64_MAX, &v) == -EINVAL, "0x0x10");
	EXPECT(parse_uint("0xg", 0, UINT64_MAX, &v) == -EINVAL, "0xg");
	EXPECT(parse_uint("0x10", 10, UINT64_MAX, &v) == -EINVAL,
	       "hex where only decimal is allowed");
	EXPECT(parse_uint("-5", 0, UINT64_MAX, &v) == -EINVAL, "-5");
	EXPECT(parse_uint("", 0, UINT64_MAX, &v) == -EINVAL, "empty");
	EXPECT(parse_uint("65", 10, 64, &v) == -ERANGE, "above max");
	EXPECT(parse_uint("64", 10, 64, &v) == 0 && v == 64, "at max");
}

/* pcfg --------------------------------------------------------------------- */

/* Parse @text as file "test.conf"; the error text lands in @err. */
static int parse_text(struct pcfg *c, const char *text, char *err)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	memset(c, 0, sizeof(*c));
	err[0] = '\0';
	if (!f)
		return -ENOMEM;
	ret = pcfg_parse_file(c, f, "test.conf", err, PCFG_ERR_MAX);
	fclose(f);
	return ret;
}

static void expect_file_error(const char *text, const char *want)
{
	char err[PCFG_ERR_MAX];
	struct pcfg c;
	int ret = parse_text(&c, text, err);

	EXPECT(ret == -EINVAL, "ret %d for:\n%s", ret, text);
	EXPECT_STR(err, want);
}

#define BIT(n) (1U << (n))
#define ALL_KEYS (BIT(TANDEM_PCFG_A_MAX_DOMAINS) | BIT(TANDEM_PCFG_A_MAX_MEMORY) | \
		  BIT(TANDEM_PCFG_A_MAX_VCPUS) | BIT(TANDEM_PCFG_A_MEMORY_POOL) | \
		  BIT(TANDEM_PCFG_A_NAME_PATTERN) | \
		  BIT(TANDEM_PCFG_A_MEM_WRITE_STATES) | BIT(TANDEM_PCFG_A_CPUS) | \
		  BIT(TANDEM_PCFG_A_WEIGHT) | BIT(TANDEM_PCFG_A_CAP) | \
		  BIT(TANDEM_PCFG_A_ON_CRASH) | BIT(TANDEM_PCFG_A_MAX_RESTARTS) | \
		  BIT(TANDEM_PCFG_A_ON_POWEROFF) | BIT(TANDEM_PCFG_A_ON_REBOOT) | \
		  BIT(TANDEM_PCFG_A_DISK_DIRS) | BIT(TANDEM_PCFG_A_DISK_RO_DIRS) | \
		  BIT(TANDEM_PCFG_A_MAX_DISKS) | BIT(TANDEM_PCFG_A_MAX_NICS) | \
		  BIT(TANDEM_PCFG_A_NIC_NAMES))

static const char valid_file[] =
	"max_domains = 8\n"
	"max_memory = 256M\n"
	"max_vcpus = 4\n"
	"memory_pool = 1GiB\n"
	"name_pattern = web-*\n"
	"mem_write_states = created,paused\n"
	"cpus = 0-1,3\n"
	"weight = 512\n"
	"cap = 50\n"
	"on_crash = restart\n"
	"max_restarts = 2\n"
	"on_poweroff = destroy\n"
	"on_reboot = restart\n"
	"disk_dirs = /var/lib/tandem/disks:/srv/images\n"
	"disk_ro_dirs = /srv/golden\n"
	"max_disks = 2\n"
	"max_nics = 1\n"
	"nic_names = tdm-web*\n";

static void test_pcfg_valid_file_sets_every_key(void)
{
	char err[PCFG_ERR_MAX];
	struct pcfg c;

	EXPECT(parse_text(&c, valid_file, err) == 0, "error: %s", err);
	EXPECT(c.present == ALL_KEYS, "present 0x%x", c.present);
	EXPECT(c.max_domains == 8, "%u", c.max_domains);
	EXPECT(c.max_memory == 256ULL << 20, "%llu",
	       (unsigned long long)c.max_memory);
	EXPECT(c.max_vcpus == 4, "%u", c.max_vcpus);
	EXPECT(c.memory_pool == 1ULL << 30, "%llu",
	       (unsigned long long)c.memory_pool);
	EXPECT_STR(c.name_pattern, "web-*");
	EXPECT(c.mem_write_states ==
	       (BIT(TANDEM_STATE_CREATED) | BIT(TANDEM_STATE_PAUSED)),
	       "0x%x", c.mem_write_states);
	EXPECT_STR(c.cpus, "0-1,3");
	EXPECT(c.weight == 512, "%u", c.weight);
	EXPECT(c.cap == 50, "%u", c.cap);
	EXPECT(c.on_crash == TANDEM_CRASH_RESTART, "%u", c.on_crash);
	EXPECT(c.max_restarts == 2, "%u", c.max_restarts);
	EXPECT(c.on_poweroff == TANDEM_CRASH_DESTROY, "%u", c.on_poweroff);
	EXPECT(c.on_reboot == TANDEM_CRASH_RESTART, "%u", c.on_reboot);
	EXPECT_STR(c.disk_dirs, "/var/lib/tandem/disks:/srv/images");
	EXPECT_STR(c.disk_ro_dirs, "/srv/golden");
	EXPECT(c.max_disks == 2, "%u", c.max_disks);
	EXPECT(c.max_nics == 1, "%u", c.max_nics);
	EXPECT_STR(c.nic_names, "tdm-web*");
}

static void test_pcfg_comments_blanks_and_spacing_are_ignored(void)
{
	char err[PCFG_ERR_MAX];
	struct pcfg c;

	EXPECT(parse_text(&c,
			  "# limits for the lab\n"
			  "\n"
			  "   \t\n"
			  "  max_vcpus=2   # two is enough\n"
			  "\tmax_memory\t=\t64M\r\n"
			  "mem_write_states = created , running\n"
			  "# max_domains = 0 (commented out, never checked)\n",
			  err) == 0, "error: %s", err);
	EXPECT(c.present == (BIT(TANDEM_PCFG_A_MAX_VCPUS) |
			     BIT(TANDEM_PCFG_A_MAX_MEMORY) |
			     BIT(TANDEM_PCFG_A_MEM_WRITE_STATES)),
	       "present 0x%x", c.present);
	EXPECT(c.max_vcpus == 2, "%u", c.max_vcpus);
	EXPECT(c.max_memory == 64ULL << 20, "%llu",
	       (unsigned long long)c.max_memory);
	EXPECT(c.mem_write_states ==
	       (BIT(TANDEM_STATE_CREATED) | BIT(TANDEM_STATE_RUNNING)),
	       "0x%x", c.mem_write_states);
}

static void test_pcfg_empty_file_sets_nothing(void)
{
	char err[PCFG_ERR_MAX];
	struct pcfg c;

	EXPECT(parse_text(&c, "# nothing\n\n", err) == 0, "error: %s", err);
	EXPECT(c.present == 0, "present 0x%x", c.present);
}

static void test_pcfg_unknown_key_names_file_line_key(void)
{
	expect_file_error("max_vcpus = 2\n\nmax_cpus = 4\n",
			  "test.conf:3: max_cpus: unknown key (expected max_domains, max_memory, max_vcpus, memory_pool, name_pattern, mem_write_states, cpus, weight, cap, on_crash, max_restarts, on_poweroff, on_reboot, disk_dirs, disk_ro_dirs, max_disks, max_nics or nic_names)");
}

static void test_pcfg_missing_equals(void)
{
	expect_file_error("max_vcpus 4\n",
			  "test.conf:1: max_vcpus: missing '=' (expected KEY = VALUE)");
}

static void test_pcfg_missing_key_before_equals(void)
{
	expect_file_error("\n = 4\n",
			  "test.conf:2: missing key before '=' (expected KEY = VALUE)");
}

static void test_pcfg_missing_value(void)
{
	expect_file_error("max_domains =   # to do\n",
			  "test.conf:1: max_domains: missing value");
}

static void test_pcfg_bad_number(void)
{
	expect_file_error("max_domains = eight\n",
			  "test.conf:1: max_domains: 'eight' is not a number (expected an integer from 1 to 4294967295)");
	expect_file_error("max_vcpus = -1\n",
			  "test.conf:1: max_vcpus: '-1' is not a number (expected an integer from 1 to 64)");
	expect_file_error("max_vcpus = 4K\n",
			  "test.conf:1: max_vcpus: '4K' is not a number (expected an integer from 1 to 64)");
	expect_file_error("max_memory = 1.5G\n",
			  "test.conf:1: max_memory: '1.5G' is not a size (expected a byte count, or a number with suffix K, M, G or T, also KiB, MiB, GiB, TiB or k, m, g, t; powers of 1024)");
}

static void test_pcfg_out_of_range(void)
{
	expect_file_error("max_vcpus = 65\n",
			  "test.conf:1: max_vcpus: 65 is out of range (expected 1 to 64)");
	expect_file_error("max_vcpus = 0\n",
			  "test.conf:1: max_vcpus: 0 is out of range (expected 1 to 64)");
	expect_file_error("max_domains = 0\n",
			  "test.conf:1: max_domains: 0 is out of range (expected 1 to 4294967295)");
	expect_file_error("max_domains = 4294967296\n",
			  "test.conf:1: max_domains: 4294967296 is out of range (expected 1 to 4294967295)");
	expect_file_error("max_memory = 2T\n",
			  "test.conf:1: max_memory: 2T is out of range (expected 4K to 1T)");
	expect_file_error("memory_pool = 0\n",
			  "test.conf:1: memory_pool: 0 is out of range (expected 4K to 1T)");
	expect_file_error("memory_pool = 99999999999T\n",
			  "test.conf:1: memory_pool: 99999999999T is out of range (expected 4K to 1T)");
}

static void test_pcfg_size_limits_are_inclusive(void)
{
	char err[PCFG_ERR_MAX];
	struct pcfg c;

	EXPECT(parse_text(&c, "max_memory = 4K\nmemory_pool = 1T\n", err) == 0,
	       "error: %s", err);
	EXPECT(c.max_memory == 4096 && c.memory_pool == 1ULL << 40,
	       "%llu %llu", (unsigned long long)c.max_memory,
	       (unsigned long long)c.memory_pool);
}

static void test_pcfg_size_not_multiple_of_4096(void)
{
	expect_file_error("max_memory = 5000\n",
			  "test.conf:1: max_memory: 5000 is not a multiple of 4096 (4K)");
	expect_file_error("memory_pool = 6K\n",
			  "test.conf:1: memory_pool: 6K is not a multiple of 4096 (4K)");
}

static void test_pcfg_bad_state_names(void)
{
	expect_file_error("mem_write_states = created,sleeping\n",
			  "test.conf:1: mem_write_states: unknown state 'sleeping' (expected a comma-separated list of created, running, paused, shutdown, crashed, or none)");
	expect_file_error("mem_write_states = dying\n",
			  "test.conf:1: mem_write_states: state 'dying' cannot be listed (expected a comma-separated list of created, running, paused, shutdown, crashed, or none)");
	expect_file_error("mem_write_states = created,none\n",
			  "test.conf:1: mem_write_states: state 'none' cannot be listed (expected a comma-separated list of created, running, paused, shutdown, crashed, or none)");
	expect_file_error("mem_write_states = created,,paused\n",
			  "test.conf:1: mem_write_states: empty state name in 'created,,paused' (expected a comma-separated list of created, running, paused, shutdown, crashed, or none)");
	expect_file_error("mem_write_states = Created\n",
			  "test.conf:1: mem_write_states: unknown state 'Created' (expected a comma-separated list of created, running, paused, shutdown, crashed, or none)");
}

static void test_pcfg_states_none_is_the_empty_mask(void)
{
	char err[PCFG_ERR_MAX];
	struct pcfg c;

	EXPECT(parse_text(&c, "mem_write_states = none\n", err) == 0,
	       "error: %s", err);
	EXPECT(c.present == BIT(TANDEM_PCFG_A_MEM_WRITE_STATES) &&
	       c.mem_write_states == 0, "present 0x%x mask 0x%x", c.present,
	       c.mem_write_states);
	EXPECT(parse_text(&c, "mem_write_states = crashed,shutdown,running,paused,created\n",
			  err) == 0, "error: %s", err);
	EXPECT(c.mem_write_states == 0x3e, "mask 0x%x", c.mem_write_states);
}

static void test_pcfg_duplicate_key_is_an_error(void)
{
	expect_file_error("max_vcpus = 2\nmax_domains = 3\n# again\nmax_vcpus = 2\n",
			  "test.conf:4: max_vcpus: duplicate key (first set on line 1)");
}

static void test_pcfg_name_pattern_length(void)
{
	char err[PCFG_ERR_MAX];
	struct pcfg c;

	/* 31 characters: the longest a domain name (and so a glob) can be. */
	EXPECT(parse_text(&c, "name_pattern = abcdefghijklmnopqrstuvwxyz0123*\n",
			  err) == 0, "error: %s", err);
	EXPECT_STR(c.name_pattern, "abcdefghijklmnopqrstuvwxyz0123*");
	expect_file_error("name_pattern = abcdefghijklmnopqrstuvwxyz012345*\n",
			  "test.conf:1: name_pattern: too long (33 characters, at most 31)");
}

static void test_pcfg_first_error_stops_the_parse(void)
{
	char err[PCFG_ERR_MAX];
	struct pcfg c;

	EXPECT(parse_text(&c, "max_vcpus = 2\nmax_domains = x\nmax_memory = 1\n",
			  err) == -EINVAL, "accepted");
	EXPECT(!(c.present & BIT(TANDEM_PCFG_A_MAX_MEMORY)),
	       "a key after the error was applied");
	EXPECT(!strncmp(err, "test.conf:2: max_domains: ", 26), "%s", err);
}

static void test_pcfg_set_one_key_reports_key_only(void)
{
	char err[PCFG_ERR_MAX];
	struct pcfg c = { 0 };

	EXPECT(pcfg_set(&c, "max_vcpus", "65", err, sizeof(err)) == -EINVAL,
	       "accepted");
	EXPECT_STR(err, "max_vcpus: 65 is out of range (expected 1 to 64)");
	EXPECT(c.present == 0, "present 0x%x after a refusal", c.present);
	EXPECT(pcfg_set(&c, "bogus", "1", err, sizeof(err)) == -EINVAL,
	       "accepted");
	EXPECT_STR(err, "bogus: unknown key (expected max_domains, max_memory, max_vcpus, memory_pool, name_pattern, mem_write_states, cpus, weight, cap, on_crash, max_restarts, on_poweroff, on_reboot, disk_dirs, disk_ro_dirs, max_disks, max_nics or nic_names)");
	EXPECT(pcfg_set(&c, "max_memory", "512M", err, sizeof(err)) == 0,
	       "refused: %s", err);
	EXPECT(c.present == BIT(TANDEM_PCFG_A_MAX_MEMORY) &&
	       c.max_memory == 512ULL << 20, "present 0x%x", c.present);
}

struct seen {
	int n;
	int attr[TANDEM_PCFG_A_MAX + 1];
	enum pcfg_type type[TANDEM_PCFG_A_MAX + 1];
	char text[TANDEM_PCFG_A_MAX + 1][128];
};

static int record(void *arg, const struct pcfg_value *v)
{
	struct seen *s = arg;

	s->attr[s->n] = v->attr;
	s->type[s->n] = v->type;
	snprintf(s->text[s->n], sizeof(s->text[0]), "%s = ", v->name);
	pcfg_format(v, s->text[s->n] + strlen(s->text[s->n]),
		    sizeof(s->text[0]) - strlen(s->text[s->n]));
	s->n++;
	return 0;
}

static void test_pcfg_foreach_gives_attributes_in_order(void)
{
	char err[PCFG_ERR_MAX];
	struct seen s = { 0 };
	struct pcfg c;

	parse_text(&c, "mem_write_states = paused\nmax_domains = 3\n", err);
	pcfg_foreach(&c, record, &s);
	EXPECT(s.n == 2, "%d keys", s.n);
	EXPECT(s.attr[0] == TANDEM_PCFG_A_MAX_DOMAINS && s.type[0] == PCFG_U32,
	       "first %d/%d", s.attr[0], s.type[0]);
	EXPECT(s.attr[1] == TANDEM_PCFG_A_MEM_WRITE_STATES &&
	       s.type[1] == PCFG_STATES, "second %d/%d", s.attr[1], s.type[1]);
	EXPECT(pcfg_key_type(TANDEM_PCFG_A_MAX_MEMORY) == PCFG_SIZE, "size");
	EXPECT(pcfg_key_type(TANDEM_PCFG_A_NAME_PATTERN) == PCFG_STRING, "str");
	EXPECT(pcfg_key_type(TANDEM_PCFG_A_PAD) == -1, "pad is no key");
	EXPECT(pcfg_key_type(TANDEM_PCFG_A_MAX + 1) == -1, "beyond max");
}

static void test_pcfg_show_format_loads_back(void)
{
	char err[PCFG_ERR_MAX], text[4096] = "";
	struct seen s = { 0 };
	struct pcfg a, b;
	int i;

	EXPECT(parse_text(&a, valid_file, err) == 0, "error: %s", err);
	pcfg_foreach(&a, record, &s);
	for (i = 0; i < s.n; i++) {
		strcat(text, s.text[i]);
		strcat(text, "\n");
	}
	EXPECT_STR(text, "max_domains = 8\nmax_memory = 256M\nmax_vcpus = 4\n"
		   "memory_pool = 1G\nname_pattern = web-*\n"
		   "mem_write_states = created,paused\ncpus = 0-1,3\n"
		   "weight = 512\ncap = 50\non_crash = restart\n"
		   "max_restarts = 2\non_poweroff = destroy\n"
		   "on_reboot = restart\n"
		   "disk_dirs = /var/lib/tandem/disks:/srv/images\n"
		   "disk_ro_dirs = /srv/golden\nmax_disks = 2\nmax_nics = 1\n"
		   "nic_names = tdm-web*\n");
	EXPECT(parse_text(&b, text, err) == 0, "error: %s", err);
	EXPECT(!memcmp(&a, &b, sizeof(a)), "configuration changed on reload");
}

static void test_pcfg_disk_and_nic_keys(void)
{
	char err[PCFG_ERR_MAX];
	struct seen s = { 0 };
	struct pcfg c;

	/* An empty list is a value: no directory (not "missing value"). */
	EXPECT(parse_text(&c, "disk_dirs = /\ndisk_ro_dirs =\n"
			  "max_disks = 0\nmax_nics = 8\nnic_names = *\n",
			  err) == 0, "error: %s", err);
	EXPECT(c.present == (BIT(TANDEM_PCFG_A_DISK_DIRS) |
			     BIT(TANDEM_PCFG_A_DISK_RO_DIRS) |
			     BIT(TANDEM_PCFG_A_MAX_DISKS) |
			     BIT(TANDEM_PCFG_A_MAX_NICS) |
			     BIT(TANDEM_PCFG_A_NIC_NAMES)),
	       "present 0x%x", c.present);
	EXPECT_STR(c.disk_dirs, "/");
	EXPECT_STR(c.disk_ro_dirs, "");
	EXPECT(c.max_disks == 0 && c.max_nics == 8, "max_disks %u max_nics %u",
	       c.max_disks, c.max_nics);
	EXPECT_STR(c.nic_names, "*");
	EXPECT(pcfg_key_type(TANDEM_PCFG_A_DISK_DIRS) == PCFG_DIRS, "dirs");
	EXPECT(pcfg_key_type(TANDEM_PCFG_A_NIC_NAMES) == PCFG_STRING, "glob");

	/* `policy show` prints the empty list so that it loads back. */
	pcfg_foreach(&c, record, &s);
	EXPECT(s.n == 5, "%d keys", s.n);
	EXPECT_STR(s.text[1], "disk_ro_dirs = ");
	EXPECT(parse_text(&c, s.text[1], err) == 0, "error: %s", err);

	expect_file_error("max_disks = 9\n",
			  "test.conf:1: max_disks: 9 is out of range (expected 0 to 8)");
	expect_file_error("max_nics = two\n",
			  "test.conf:1: max_nics: 'two' is not a number (expected an integer from 0 to 8)");
	expect_file_error("nic_names =\n",
			  "test.conf:1: nic_names: missing value");
	expect_file_error("nic_names = tdm0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab*\n",
			  "test.conf:1: nic_names: too long (64 characters, at most 63)");
}

static void test_pcfg_disk_dirs_must_be_absolute_directories(void)
{
	static const struct {
		const char *value, *want;
	} bad[] = {
		{ "var/lib/tandem", "'var/lib/tandem' is not an absolute path (expected nothing, or absolute directories separated by ':', such as /var/lib/tandem/disks:/srv/images)" },
		{ "/a::/b", "empty directory in '/a::/b' (expected nothing, or absolute directories separated by ':', such as /var/lib/tandem/disks:/srv/images)" },
		{ "/a:", "empty directory in '/a:' (expected nothing, or absolute directories separated by ':', such as /var/lib/tandem/disks:/srv/images)" },
		{ ":/a", "empty directory in ':/a' (expected nothing, or absolute directories separated by ':', such as /var/lib/tandem/disks:/srv/images)" },
		{ "/srv/disks/", "'/srv/disks/' ends with '/' (write it without)" },
		{ "/srv//disks", "'/srv//disks' has an empty component ('//')" },
		{ "/srv/../etc", "'/srv/../etc' has a '.' or '..' component (write the directory as it resolves)" },
		{ "/a:/srv/./disks", "'/srv/./disks' has a '.' or '..' component (write the directory as it resolves)" },
		{ "/srv/..", "'/srv/..' has a '.' or '..' component (write the directory as it resolves)" },
	};
	static char longest[TANDEM_PATH_MAX + 1];
	char err[PCFG_ERR_MAX], want[PCFG_ERR_MAX];
	struct pcfg c = { 0 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT(pcfg_set(&c, "disk_ro_dirs", bad[i].value, err,
				sizeof(err)) == -EINVAL,
		       "'%s' accepted", bad[i].value);
		snprintf(want, sizeof(want), "disk_ro_dirs: %s", bad[i].want);
		EXPECT_STR(err, want);
	}
	EXPECT(c.present == 0, "present 0x%x after refusals", c.present);

	/* "/.x" and "/..x" are names, not "." or "..". */
	EXPECT(pcfg_set(&c, "disk_dirs", "/srv/.x:/srv/..x", err,
			sizeof(err)) == 0, "refused: %s", err);
	EXPECT_STR(c.disk_dirs, "/srv/.x:/srv/..x");

	/* TANDEM_PATH_MAX - 1 characters fit, one more does not. */
	memset(longest, 'a', TANDEM_PATH_MAX - 1);
	longest[0] = '/';
	EXPECT(pcfg_set(&c, "disk_dirs", longest, err, sizeof(err)) == 0,
	       "refused: %s", err);
	longest[TANDEM_PATH_MAX - 1] = 'a';
	EXPECT(pcfg_set(&c, "disk_dirs", longest, err, sizeof(err)) == -EINVAL,
	       "accepted");
	EXPECT_STR(err, "disk_dirs: too long (4096 characters, at most 4095)");
}

static void test_pcfg_store_keeps_agent_values_unchecked(void)
{
	struct pcfg c = { 0 };
	struct pcfg_value v = {
		.attr = TANDEM_PCFG_A_MAX_MEMORY, .type = PCFG_SIZE, .num = 5,
	};
	char buf[64];

	pcfg_store(&c, &v);
	EXPECT(c.max_memory == 5 && c.present == BIT(TANDEM_PCFG_A_MAX_MEMORY),
	       "%llu", (unsigned long long)c.max_memory);
	v = (struct pcfg_value){ .attr = 99, .type = PCFG_U32, .num = 1 };
	pcfg_store(&c, &v);
	EXPECT(c.present == BIT(TANDEM_PCFG_A_MAX_MEMORY),
	       "unknown attribute stored: 0x%x", c.present);
	v = (struct pcfg_value){ .type = PCFG_STATES, .num = 0 };
	EXPECT_STR(pcfg_format(&v, buf, sizeof(buf)), "none");
}

static void test_pcfg_scheduling_and_crash_keys(void)
{
	char err[PCFG_ERR_MAX];
	struct pcfg c;

	EXPECT(parse_text(&c, "cpus = all\ncap = 0\nweight = 65535\n"
			  "on_crash = destroy\nmax_restarts = 0\n", err) == 0,
	       "error: %s", err);
	EXPECT_STR(c.cpus, "all");
	EXPECT(c.cap == 0 && c.weight == 65535 && c.max_restarts == 0,
	       "cap %u weight %u max_restarts %u", c.cap, c.weight,
	       c.max_restarts);
	EXPECT(c.on_crash == TANDEM_CRASH_DESTROY, "%u", c.on_crash);
	EXPECT(parse_text(&c, "cpus = 7\non_crash = preserve\n", err) == 0,
	       "error: %s", err);
	EXPECT_STR(c.cpus, "7");
	EXPECT(c.on_crash == TANDEM_CRASH_PRESERVE, "%u", c.on_crash);
	expect_file_error("weight = 0\n",
			  "test.conf:1: weight: 0 is out of range (expected 1 to 65535)");
	expect_file_error("weight = 65536\n",
			  "test.conf:1: weight: 65536 is out of range (expected 1 to 65535)");
	expect_file_error("cap = 101\n",
			  "test.conf:1: cap: 101 is out of range (expected 0 to 100)");
	expect_file_error("on_crash = reboot\n",
			  "test.conf:1: on_crash: unknown action 'reboot' (expected preserve, destroy or restart)");
	expect_file_error("max_restarts = -1\n",
			  "test.conf:1: max_restarts: '-1' is not a number (expected an integer from 0 to 4294967295)");
}

static void test_pcfg_cpus_must_be_a_cpu_list(void)
{
	static const char *const bad[] = {
		"none", "1-", "-1", "3-1", "0,,1", "0,", ",0", "0 1", "0-1:2",
		"x", "1048576",
	};
	char err[PCFG_ERR_MAX], want[PCFG_ERR_MAX];
	struct pcfg c = { 0 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT(pcfg_set(&c, "cpus", bad[i], err, sizeof(err)) == -EINVAL,
		       "'%s' accepted", bad[i]);
		snprintf(want, sizeof(want),
			 "cpus: '%s' is not a CPU list (expected all, or a CPU list such as 0-1,3: CPU numbers and ascending ranges, comma-separated)",
			 bad[i]);
		EXPECT_STR(err, want);
	}
	EXPECT(c.present == 0, "present 0x%x after refusals", c.present);
	EXPECT(pcfg_set(&c, "cpus", "0,2-3,5", err, sizeof(err)) == 0,
	       "refused: %s", err);
	EXPECT_STR(c.cpus, "0,2-3,5");
}

/* json --------------------------------------------------------------------- */

/* Run @write against a memory stream and return what it printed. */
static char *json_capture(void (*write)(struct json *j))
{
	static char *buf;
	size_t len;
	struct json j;
	FILE *f;

	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		return "";
	json_init(&j, f);
	write(&j);
	fclose(f);
	return buf;
}

static void write_escapes(struct json *j)
{
	json_obj_begin(j, NULL);
	json_str(j, "quote", "say \"hi\"");
	json_str(j, "backslash", "a\\b");
	json_str(j, "controls", "l1\nl2\tx\r\x01");
	json_str(j, "key \"q\"", "");
	json_obj_end(j);
	json_finish(j);
}

static void test_json_escapes_quotes_backslashes_controls(void)
{
	EXPECT_STR(json_capture(write_escapes),
		   "{\"quote\":\"say \\\"hi\\\"\",\"backslash\":\"a\\\\b\","
		   "\"controls\":\"l1\\nl2\\tx\\u000d\\u0001\","
		   "\"key \\\"q\\\"\":\"\"}\n");
}

static void write_nested(struct json *j)
{
	json_obj_begin(j, NULL);
	json_u64(j, "id", 1);
	json_obj_begin(j, "inner");
	json_bool(j, "yes", true);
	json_bool(j, "no", false);
	json_arr_begin(j, "list");
	json_str(j, NULL, "a");
	json_u64(j, NULL, 18446744073709551615ULL);
	json_arr_end(j);
	json_obj_end(j);
	json_u64(j, "after", 0);
	json_obj_end(j);
	json_finish(j);
}

static void test_json_nested_objects_and_arrays(void)
{
	EXPECT_STR(json_capture(write_nested),
		   "{\"id\":1,\"inner\":{\"yes\":true,\"no\":false,"
		   "\"list\":[\"a\",18446744073709551615]},\"after\":0}\n");
}

static void write_array_of_objects(struct json *j)
{
	int i;

	json_arr_begin(j, NULL);
	for (i = 1; i <= 2; i++) {
		json_obj_begin(j, NULL);
		json_u64(j, "id", i);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_finish(j);
}

static void test_json_top_level_array_of_objects(void)
{
	EXPECT_STR(json_capture(write_array_of_objects),
		   "[{\"id\":1},{\"id\":2}]\n");
}

static void write_empty(struct json *j)
{
	json_arr_begin(j, NULL);
	json_arr_end(j);
	json_finish(j);
	json_init(j, j->out);
	json_obj_begin(j, NULL);
	json_arr_begin(j, "none");
	json_arr_end(j);
	json_obj_end(j);
	json_finish(j);
}

static void test_json_empty_containers_one_document_per_line(void)
{
	EXPECT_STR(json_capture(write_empty), "[]\n{\"none\":[]}\n");
}

/* names -------------------------------------------------------------------- */

static void test_names_states_round_trip(void)
{
	int s;

	for (s = 0; s < __TANDEM_STATE_COUNT; s++)
		EXPECT(tandem_state_by_name(tandem_state_name(s)) == s,
		       "state %d", s);
	EXPECT(tandem_state_name(__TANDEM_STATE_COUNT) == NULL, "past the end");
	EXPECT(tandem_state_by_name("bogus") == -1, "bogus");
	EXPECT(tandem_event_name(__TANDEM_EVENT_COUNT) == NULL, "event end");
	EXPECT(tandem_decision_name(__TANDEM_DECISION_COUNT) == NULL,
	       "decision end");
	EXPECT_STR(tandem_event_name(TANDEM_EVENT_VERDICT), "verdict");
	EXPECT_STR(tandem_decision_name(TANDEM_DECISION_MEM_WRITE), "mem_write");
}


/* builder ------------------------------------------------------------------ */

#define GIB	(1ULL << 30)

static void test_builder_mode_names_parse_and_round_trip(void)
{
	enum builder_mode m = BUILDER_REAL;
	static const char *const bad[] = {
		"", "Long", "prot", "long ", "64", "realmode",
	};
	size_t i;

	EXPECT(!builder_mode_parse("real", &m) && m == BUILDER_REAL, "real");
	EXPECT(!builder_mode_parse("protected", &m) && m == BUILDER_PROTECTED,
	       "protected");
	EXPECT(!builder_mode_parse("long", &m) && m == BUILDER_LONG, "long");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = BUILDER_PROTECTED;
		EXPECT(builder_mode_parse(bad[i], &m) == -EINVAL &&
		       m == BUILDER_PROTECTED, "'%s' accepted", bad[i]);
	}
	for (m = BUILDER_REAL; m <= BUILDER_LONG; m++) {
		enum builder_mode back;

		EXPECT(!builder_mode_parse(builder_mode_name(m), &back) &&
		       back == m, "mode %d", m);
	}
}

static void test_builder_gpa_and_memory_arguments_parse(void)
{
	uint64_t v;

	/* --load and --entry: parse_uint() base 0; --memory: parse_size(). */
	EXPECT(!parse_uint("0x10000", 0, UINT64_MAX, &v) && v == 0x10000, "hex");
	EXPECT(!parse_uint("65536", 0, UINT64_MAX, &v) && v == 65536, "dec");
	EXPECT(parse_uint("0x", 0, UINT64_MAX, &v) == -EINVAL, "bare 0x");
	EXPECT(parse_uint("-0x10", 0, UINT64_MAX, &v) == -EINVAL, "sign");
	EXPECT(parse_uint("0x1_0000", 0, UINT64_MAX, &v) == -EINVAL, "junk");
	EXPECT(parse_uint("0x10000000000000000", 0, UINT64_MAX, &v) == -ERANGE,
	       "65 bits");
	EXPECT(!parse_size("4M", &v) && v == 4ULL << 20, "4M");
	EXPECT(!parse_size("8G", &v) && v == 8 * GIB, "8G");
}

/* A builder for @mode with an image of @size bytes at @load, entry @load. */
static struct builder mkb(enum builder_mode mode, uint64_t memory,
			  uint64_t load, uint64_t size)
{
	struct builder b = {
		.mode = mode, .memory = memory, .load = load, .size = size,
		.entry = load, .vendor = TANDEM_VENDOR_AMD,
	};

	return b;
}

static void test_builder_default_layout_per_mode(void)
{
	struct builder b = mkb(BUILDER_LONG, 4 << 20, BUILDER_LOAD_GPA, 128);

	EXPECT(builder_layout(&b) == 0, "long: %s", b.err);
	EXPECT(b.nr_pds == 4, "nr_pds %u", b.nr_pds);
	EXPECT(b.nr_regions == 3, "regions %u", b.nr_regions);
	EXPECT(b.region[0].gpa == 0x1000 && b.region[0].len == 0x1000,
	       "GDT page");
	EXPECT(b.region[1].gpa == 0x2000 && b.region[1].len == 0x6000,
	       "page tables 0x2000-0x7fff");
	EXPECT(b.region[2].gpa == 0x8000 && b.region[2].len == 0x1000,
	       "boot page");

	b = mkb(BUILDER_PROTECTED, 4 << 20, BUILDER_LOAD_GPA, 128);
	EXPECT(builder_layout(&b) == 0, "protected: %s", b.err);
	EXPECT(b.nr_pds == 0 && b.nr_regions == 2, "no page tables");
	b = mkb(BUILDER_REAL, 4 << 20, BUILDER_LOAD_GPA, 128);
	EXPECT(builder_layout(&b) == 0, "real: %s", b.err);
	EXPECT(b.nr_pds == 0 && b.nr_regions == 2, "no page tables");
}

static void test_builder_overlaps_are_refused_with_the_structure(void)
{
	static const struct {
		enum builder_mode mode;
		uint64_t load;
		const char *what;
	} c[] = {
		{ BUILDER_LONG, 0x1000, "overlaps the GDT at 0x1000-0x1fff" },
		{ BUILDER_LONG, 0x0f90, "overlaps the GDT" },	/* ends inside */
		{ BUILDER_LONG, 0x2000, "overlaps the page tables at 0x2000-0x7fff" },
		{ BUILDER_LONG, 0x7ff0, "overlaps the page tables" },
		{ BUILDER_LONG, 0x8ff0, "overlaps the boot page and stack at 0x8000-0x8fff" },
		{ BUILDER_PROTECTED, 0x1f00, "overlaps the GDT" },
		{ BUILDER_PROTECTED, 0x8000, "overlaps the boot page" },
		{ BUILDER_REAL, 0x1000, "overlaps the GDT" },
	};
	struct builder b;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		b = mkb(c[i].mode, 4 << 20, c[i].load, 0x80);
		EXPECT(builder_layout(&b) == -EINVAL && strstr(b.err, c[i].what) &&
		       strstr(b.err, "load it at 0x9000 or above"),
		       "case %zu: '%s'", i, b.err);
	}
	/* Protected and real mode write no page tables: 0x2000 is free. */
	b = mkb(BUILDER_PROTECTED, 4 << 20, 0x2000, 0x6000);
	EXPECT(builder_layout(&b) == 0, "protected at 0x2000: %s", b.err);
	/* Right after a structure, and right before one, is fine. */
	b = mkb(BUILDER_LONG, 4 << 20, 0x9000, 0x100);
	EXPECT(builder_layout(&b) == 0, "long at 0x9000: %s", b.err);
	b = mkb(BUILDER_REAL, 4 << 20, 0, 0x1000);
	EXPECT(builder_layout(&b) == 0, "real at 0: %s", b.err);
}

static void test_builder_image_beyond_memory_is_refused(void)
{
	struct builder b = mkb(BUILDER_LONG, 1 << 20, 0xff000, 0x1000);

	EXPECT(builder_layout(&b) == 0, "exact fit: %s", b.err);
	b = mkb(BUILDER_LONG, 1 << 20, 0xff000, 0x1001);
	EXPECT(builder_layout(&b) == -ERANGE &&
	       strstr(b.err, "does not fit in the domain's memory (1024 KiB, up to 0xfffff)"),
	       "one byte over: '%s'", b.err);
	b = mkb(BUILDER_LONG, 1 << 20, 0x200000, 16);
	EXPECT(builder_layout(&b) == -ERANGE, "load beyond: '%s'", b.err);
	b = mkb(BUILDER_LONG, 1 << 20, UINT64_MAX - 7, 16);
	EXPECT(builder_layout(&b) == -ERANGE, "wraps: '%s'", b.err);
	b = mkb(BUILDER_LONG, 1 << 20, 0x10000, 0);
	EXPECT(builder_layout(&b) == -EINVAL && strstr(b.err, "empty"),
	       "empty: '%s'", b.err);
}

static void test_builder_memory_too_small_for_boot_structures(void)
{
	struct builder b = mkb(BUILDER_REAL, 0x8000, 0, 0x100);

	EXPECT(builder_layout(&b) == -ERANGE &&
	       strstr(b.err, "needs at least 36 KiB"), "'%s'", b.err);
	b = mkb(BUILDER_REAL, 0xa000, 0x9000, 0x100);
	EXPECT(builder_layout(&b) == 0, "40 KiB: %s", b.err);
}

static void test_builder_entry_and_mode_limits(void)
{
	struct builder b = mkb(BUILDER_LONG, 4 << 20, 0x10000, 0x100);

	b.entry = 0x100ff;
	EXPECT(builder_layout(&b) == 0, "last byte: %s", b.err);
	b.entry = 0x10100;
	EXPECT(builder_layout(&b) == -EINVAL && strstr(b.err, "outside the image"),
	       "past the end: '%s'", b.err);
	b.entry = 0xffff;
	EXPECT(builder_layout(&b) == -EINVAL, "before the start");

	b = mkb(BUILDER_REAL, 4 << 20, 0x10008, 0x100);
	EXPECT(builder_layout(&b) == -EINVAL && strstr(b.err, "multiple of 16"),
	       "real unaligned: '%s'", b.err);
	b = mkb(BUILDER_REAL, 4 << 20, 0x100000, 0x100);
	EXPECT(builder_layout(&b) == -EINVAL, "real at 1 MiB: '%s'", b.err);
	b = mkb(BUILDER_REAL, 4 << 20, 0x10000, 0x20000);
	b.entry = 0x20000;
	EXPECT(builder_layout(&b) == -EINVAL && strstr(b.err, "64 KiB"),
	       "real IP > 0xffff: '%s'", b.err);
	b.entry = 0x1ffff;
	EXPECT(builder_layout(&b) == 0, "real IP 0xffff: %s", b.err);

	b = mkb(BUILDER_PROTECTED, 8 * GIB, 4 * GIB, 0x100);
	EXPECT(builder_layout(&b) == -EINVAL && strstr(b.err, "4 GiB"),
	       "protected entry at 4 GiB: '%s'", b.err);
	b = mkb(BUILDER_LONG, 8 * GIB, 4 * GIB, 0x100);
	EXPECT(builder_layout(&b) == 0, "long entry at 4 GiB: %s", b.err);
}

static void test_builder_page_directories_follow_memory_size(void)
{
	struct builder b;

	EXPECT(builder_nr_pds(4 << 20) == 4, "4M");
	EXPECT(builder_nr_pds(4 * GIB) == 4, "4G");
	EXPECT(builder_nr_pds(4 * GIB + 4096) == 5, "4G + 4K");
	EXPECT(builder_nr_pds(8 * GIB) == 8, "8G");
	EXPECT(builder_nr_pds(TANDEM_MEM_MAX) == 512, "1T: capped");
	EXPECT(builder_pd_gpa(0) == 0x4000 && builder_pd_gpa(3) == 0x7000 &&
	       builder_pd_gpa(4) == 0xa000 && builder_pd_gpa(5) == 0xb000,
	       "directory addresses");

	/* 8 GiB: four more directories at 0xa000-0xdfff, image still fits. */
	b = mkb(BUILDER_LONG, 8 * GIB, BUILDER_LOAD_GPA, 0x100);
	EXPECT(builder_layout(&b) == 0, "8G: %s", b.err);
	EXPECT(b.nr_regions == 4 && b.region[3].gpa == 0xa000 &&
	       b.region[3].len == 0x4000, "high directories");
	b = mkb(BUILDER_LONG, 8 * GIB, 0xd000, 0x100);
	EXPECT(builder_layout(&b) == -EINVAL &&
	       strstr(b.err, "page directories above 4 GiB") &&
	       strstr(b.err, "0xe000 or above"), "8G at 0xd000: '%s'", b.err);
	/* 64 GiB: 60 more, up to 0x45fff: the default load address clashes. */
	b = mkb(BUILDER_LONG, 64 * GIB, BUILDER_LOAD_GPA, 0x100);
	EXPECT(builder_layout(&b) == -EINVAL && strstr(b.err, "0x46000 or above"),
	       "64G: '%s'", b.err);
	/* Protected mode ignores memory size: no tables. */
	b = mkb(BUILDER_PROTECTED, 64 * GIB, BUILDER_LOAD_GPA, 0x100);
	EXPECT(builder_layout(&b) == 0, "protected 64G: %s", b.err);
}

static void test_builder_page_tables_identity_map_2m_pages(void)
{
	uint64_t *pt = builder_page_tables(6), *pdpt, *pd;
	unsigned int i, bad = 0;

	EXPECT(pt != NULL, "allocation");
	if (!pt)
		return;
	pdpt = pt + 512;
	pd = pt + 1024;
	EXPECT(pt[0] == 0x3003, "PML4[0] %#llx", (unsigned long long)pt[0]);
	for (i = 1; i < 512; i++)
		bad += pt[i] != 0;
	EXPECT(!bad, "PML4 has %u other entries", bad);
	for (i = 0; i < 6; i++)
		EXPECT(pdpt[i] == (builder_pd_gpa(i) | 3), "PDPT[%u] %#llx", i,
		       (unsigned long long)pdpt[i]);
	EXPECT(pdpt[6] == 0, "PDPT[6]");
	for (i = 0, bad = 0; i < 6 * 512; i++)
		bad += pd[i] != (((uint64_t)i << 21) | 0x83);
	EXPECT(!bad, "%u directory entries are not identity 2 MiB pages", bad);
	EXPECT(pd[2047] == 0xffe00083, "last entry below 4 GiB %#llx",
	       (unsigned long long)pd[2047]);
	free(pt);
}

static void test_builder_blobs_gdt_tables_and_flag(void)
{
	struct builder_blob blob[BUILDER_MAX_BLOBS];
	struct builder b = mkb(BUILDER_LONG, 8 * GIB, BUILDER_LOAD_GPA, 16);
	const uint64_t *gdt, *pd;
	void *mem = NULL;
	int n;

	b.vendor = TANDEM_VENDOR_INTEL;
	EXPECT(builder_layout(&b) == 0, "%s", b.err);
	n = builder_blobs(&b, blob, &mem);
	EXPECT(n == 4, "blobs %d", n);
	if (n != 4)
		goto out;
	gdt = blob[0].data;
	EXPECT(blob[0].gpa == 0x1000 && blob[0].len == 40, "GDT blob");
	EXPECT(gdt[0] == 0 && gdt[1] == 0x00cf9a000000ffffULL &&
	       gdt[2] == 0x00cf92000000ffffULL &&
	       gdt[3] == 0x00af9a000000ffffULL && gdt[4] == 0, "GDT entries");
	EXPECT(blob[1].gpa == 0x2000 && blob[1].len == 6 * 4096,
	       "low tables %#llx+%zu", (unsigned long long)blob[1].gpa,
	       blob[1].len);
	EXPECT(blob[2].gpa == 0xa000 && blob[2].len == 4 * 4096,
	       "high directories");
	pd = blob[2].data;
	EXPECT(pd[0] == ((4ULL * 512) << 21 | 0x83), "GiB 4 starts at 4 GiB");
	EXPECT(blob[3].gpa == 0x8000 && blob[3].len == 1 &&
	       *(const uint8_t *)blob[3].data == BUILDER_HC_VMCALL,
	       "Intel flag byte");
	free(mem);
	b = mkb(BUILDER_REAL, 4 << 20, BUILDER_LOAD_GPA, 16);
	EXPECT(builder_layout(&b) == 0, "%s", b.err);
	n = builder_blobs(&b, blob, &mem);
	EXPECT(n == 2 && blob[1].gpa == 0x8000 &&
	       *(const uint8_t *)blob[1].data == BUILDER_HC_VMMCALL,
	       "real mode: GDT and AMD flag only (%d blobs)", n);
out:
	free(mem);
}

static void test_builder_registers_per_mode(void)
{
	struct builder b = mkb(BUILDER_REAL, 4 << 20, 0x20000, 0x100);
	struct tandem_vcpu_regs r;

	b.entry = 0x20010;
	builder_regs(&b, &r);
	EXPECT(r.cs.selector == 0x2000 && r.cs.base == 0x20000 &&
	       r.cs.limit == 0xffff && r.cs.attrib == 0x9b, "real CS");
	EXPECT(r.rip == 0x10 && r.ds.base == 0 && r.ss.selector == 0,
	       "real IP/DS");
	EXPECT(r.cr0 == 0x10 && r.idt.limit == 0x3ff && r.efer == 0, "real CRs");
	EXPECT(r.gprs[4] == 0x9000 && r.rflags == 2, "stack, flags");
	EXPECT(r.gdt.base == 0x1000 && r.gdt.limit == 39, "GDTR");

	b = mkb(BUILDER_PROTECTED, 4 << 20, 0x10000, 0x100);
	builder_regs(&b, &r);
	EXPECT(r.cs.selector == 0x08 && r.cs.attrib == 0xc9b &&
	       r.cs.limit == 0xffffffff && r.ds.selector == 0x10 &&
	       r.ss.attrib == 0xc93, "protected segments");
	EXPECT(r.rip == 0x10000 && r.cr0 == 0x11 && r.cr3 == 0 && r.efer == 0,
	       "protected CRs");

	b = mkb(BUILDER_LONG, 4 << 20, 0x10000, 0x100);
	b.entry = 0x10040;
	builder_regs(&b, &r);
	EXPECT(r.cs.selector == 0x18 && r.cs.attrib == 0xa9b, "long CS");
	EXPECT(r.rip == 0x10040 && r.cr0 == 0x80000011 && r.cr3 == 0x2000 &&
	       r.cr4 == 0x20 && r.efer == 0x500, "long CRs");
	EXPECT(r.tr.attrib == 0x8b && r.ldtr.attrib == 0x82, "TR, LDTR");
}

static void test_names_exits_have_names(void)
{
	int r;

	for (r = 0; r < __TANDEM_STAT_EXIT_COUNT; r++)
		EXPECT(tandem_exit_name(r) != NULL, "exit %d", r);
	EXPECT(tandem_exit_name(__TANDEM_STAT_EXIT_COUNT) == NULL, "past end");
	EXPECT_STR(tandem_exit_name(TANDEM_STAT_EXIT_HYPERCALL), "hypercall");
}

/* devices ------------------------------------------------------------------ */

static void test_dev_mac_parse(void)
{
	static const char * const bad[] = {
		"", "02:00:00:00:00", "02:00:00:00:00:01:", "02-00-00-00-00-01",
		"02:00:00:00:00:0g", "2:00:00:00:00:001", "02:00:00:00:00:1 ",
		" 02:00:00:00:00:1", "0x:00:00:00:00:01", "02:00:00:00:00:01x",
		"02::00:00:00:00:1",
	};
	uint8_t mac[6] = { 0 };
	const char *why;
	char buf[24];
	size_t i;

	EXPECT(!dev_mac_parse("02:00:00:aa:BB:0c", mac), "valid");
	EXPECT(mac[0] == 2 && mac[3] == 0xaa && mac[4] == 0xbb &&
	       mac[5] == 0x0c, "bytes");
	EXPECT_STR(dev_mac_str(mac, buf, sizeof(buf)), "02:00:00:aa:bb:0c");
	EXPECT(!dev_mac_parse("fe:ff:ff:ff:ff:ff", mac), "even first byte");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(mac, 0x5a, sizeof(mac));
		why = dev_mac_parse(bad[i], mac);
		EXPECT(why && strstr(why, "not a MAC address"), "'%s': %s",
		       bad[i], why ? why : "accepted");
		EXPECT(mac[0] == 0x5a && mac[5] == 0x5a, "'%s' wrote", bad[i]);
	}
	why = dev_mac_parse("03:00:00:00:00:01", mac);
	EXPECT(why && strstr(why, "multicast"), "multicast: %s", why);
	why = dev_mac_parse("ff:ff:ff:ff:ff:ff", mac);
	EXPECT(why && strstr(why, "multicast"), "broadcast: %s", why);
	why = dev_mac_parse("00:00:00:00:00:00", mac);
	EXPECT(why && strstr(why, "zero"), "zero: %s", why);
}

static void test_dev_serial_check(void)
{
	char s[32];

	EXPECT(!dev_serial_check(""), "empty");
	EXPECT(!dev_serial_check("web root ~!@#$%^&*()"), "20 printable");
	memset(s, 'x', 21);
	s[21] = 0;
	EXPECT_STR(dev_serial_check(s) ? dev_serial_check(s) : "accepted",
		   "at most 20 printable ASCII characters");
	s[20] = 0;
	EXPECT(!dev_serial_check(s), "20 characters");
	EXPECT(dev_serial_check("a\tb"), "tab");
	EXPECT(dev_serial_check("a\x7f"), "DEL");
	EXPECT(dev_serial_check("caf\xc3\xa9"), "UTF-8");
}

static void test_dev_ifname_check(void)
{
	EXPECT(!dev_ifname_check("web0"), "web0");
	EXPECT(!dev_ifname_check("tdm12.3"), "dot");
	EXPECT(!dev_ifname_check("abcdefghijklmno"), "15 characters");
	EXPECT(dev_ifname_check("abcdefghijklmnop"), "16 characters");
	EXPECT(dev_ifname_check(""), "empty");
	EXPECT(dev_ifname_check("a/b"), "slash");
	EXPECT(dev_ifname_check("a:1"), "colon");
	EXPECT(dev_ifname_check("a b"), "blank");
	EXPECT(dev_ifname_check("."), "dot");
	EXPECT(dev_ifname_check(".."), "dot dot");
}

static void test_dev_index_parse(void)
{
	static const char * const bad[] = {
		"", "8", "-1", "+1", "0x1", " 1", "1 ", "1a", "0008", "99999999999",
	};
	uint32_t idx = 99;
	const char *why;
	size_t i;

	EXPECT(!dev_index_parse("0", &idx) && idx == 0, "0: %u", idx);
	EXPECT(!dev_index_parse("7", &idx) && idx == 7, "7: %u", idx);
	EXPECT(!dev_index_parse("03", &idx) && idx == 3, "03: %u", idx);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		idx = 99;
		why = dev_index_parse(bad[i], &idx);
		EXPECT(why && strstr(why, "0 to 7") && idx == 99, "'%s': %s",
		       bad[i], why ? why : "accepted");
	}
}

static void test_dev_size_str(void)
{
	char buf[48];

	EXPECT_STR(dev_size_str(512, buf, sizeof(buf)), "512 bytes");
	EXPECT_STR(dev_size_str(64ULL << 20, buf, sizeof(buf)), "64 MiB");
	EXPECT_STR(dev_size_str(1ULL << 30, buf, sizeof(buf)), "1 GiB");
	EXPECT_STR(dev_size_str(3ULL << 40, buf, sizeof(buf)), "3 TiB");
	EXPECT_STR(dev_size_str(1536, buf, sizeof(buf)), "1.5 KiB (1536 bytes)");
	EXPECT_STR(dev_size_str((1ULL << 30) + 1, buf, sizeof(buf)),
		   "1.0 GiB (1073741825 bytes)");
}

static void test_dev_describe_disks_and_nics(void)
{
	static struct dev_info d;
	char buf[DEV_DESC_MAX];

	memset(&d, 0, sizeof(d));
	d.type = TANDEM_DEVICE_DISK;
	strcpy(d.path, "/srv/a.img");
	d.size = 64ULL << 20;
	d.has_size = true;
	d.mmio_base = TANDEM_VIRTIO_MMIO_BASE;
	d.gsi = TANDEM_VIRTIO_GSI_BASE;
	EXPECT_STR(dev_describe(&d, buf, sizeof(buf)),
		   "/srv/a.img, 64 MiB, read-write, slot 0 (0xfef00000, GSI 16)");
	d.ro = true;
	strcpy(d.serial, "data 1");
	d.slot = 3;
	d.mmio_base = TANDEM_VIRTIO_MMIO_BASE + 3 * TANDEM_VIRTIO_MMIO_STRIDE;
	d.gsi = 19;
	strcpy(d.broken, "descriptor chain loops");
	EXPECT_STR(dev_describe(&d, buf, sizeof(buf)),
		   "/srv/a.img, 64 MiB, read-only, serial 'data 1', slot 3 (0xfef03000, GSI 19); broken: descriptor chain loops");

	memset(&d, 0, sizeof(d));
	d.type = TANDEM_DEVICE_NIC;
	d.has_mac = true;
	memcpy(d.mac, "\x02\x00\x00\x00\x00\x01", 6);
	strcpy(d.ifname, "tdm3.0");
	d.slot = 1;
	d.mmio_base = 0xfef01000;
	d.gsi = 17;
	EXPECT_STR(dev_describe(&d, buf, sizeof(buf)),
		   "02:00:00:00:00:01, tdm3.0, slot 1 (0xfef01000, GSI 17)");
	EXPECT_STR(dev_type_name(TANDEM_DEVICE_DISK), "disk");
	EXPECT_STR(dev_type_name(TANDEM_DEVICE_NIC), "nic");
	/* A short buffer is cut, not overrun. */
	memset(buf, 'z', sizeof(buf));
	dev_describe(&d, buf, 8);
	EXPECT(strlen(buf) == 7 && buf[8] == 'z', "cut '%s'", buf);
}

static const struct tap_case tests[] = {
	T(test_size_plain_bytes),
	T(test_size_every_suffix_is_a_power_of_1024),
	T(test_size_zero_is_a_size),
	T(test_size_overflow_is_rejected),
	T(test_size_junk_is_rejected),
	T(test_size_negative_and_signs_are_rejected),
	T(test_size_empty_is_rejected),
	T(test_size_errors_say_what_is_accepted),
	T(test_format_size_is_exact_and_parses_back),
	T(test_parse_uint_decimal_and_hex_addresses),
	T(test_pcfg_valid_file_sets_every_key),
	T(test_pcfg_scheduling_and_crash_keys),
	T(test_pcfg_cpus_must_be_a_cpu_list),
	T(test_pcfg_disk_and_nic_keys),
	T(test_pcfg_disk_dirs_must_be_absolute_directories),
	T(test_pcfg_comments_blanks_and_spacing_are_ignored),
	T(test_pcfg_empty_file_sets_nothing),
	T(test_pcfg_unknown_key_names_file_line_key),
	T(test_pcfg_missing_equals),
	T(test_pcfg_missing_key_before_equals),
	T(test_pcfg_missing_value),
	T(test_pcfg_bad_number),
	T(test_pcfg_out_of_range),
	T(test_pcfg_size_limits_are_inclusive),
	T(test_pcfg_size_not_multiple_of_4096),
	T(test_pcfg_bad_state_names),
	T(test_pcfg_states_none_is_the_empty_mask),
	T(test_pcfg_duplicate_key_is_an_error),
	T(test_pcfg_name_pattern_length),
	T(test_pcfg_first_error_stops_the_parse),
	T(test_pcfg_set_one_key_reports_key_only),
	T(test_pcfg_foreach_gives_attributes_in_order),
	T(test_pcfg_show_format_loads_back),
	T(test_pcfg_store_keeps_agent_values_unchecked),
	T(test_json_escapes_quotes_backslashes_controls),
	T(test_json_nested_objects_and_arrays),
	T(test_json_top_level_array_of_objects),
	T(test_json_empty_containers_one_document_per_line),
	T(test_names_states_round_trip),
	T(test_names_exits_have_names),
	T(test_builder_mode_names_parse_and_round_trip),
	T(test_builder_gpa_and_memory_arguments_parse),
	T(test_builder_default_layout_per_mode),
	T(test_builder_overlaps_are_refused_with_the_structure),
	T(test_builder_image_beyond_memory_is_refused),
	T(test_builder_memory_too_small_for_boot_structures),
	T(test_builder_entry_and_mode_limits),
	T(test_builder_page_directories_follow_memory_size),
	T(test_builder_page_tables_identity_map_2m_pages),
	T(test_builder_blobs_gdt_tables_and_flag),
	T(test_builder_registers_per_mode),
	T(test_dev_mac_parse),
	T(test_dev_serial_check),
	T(test_dev_ifname_check),
	T(test_dev_index_parse),
	T(test_dev_size_str),
	T(test_dev_describe_disks_and_nics),
};

int main(void)
{
	return tap_run(tests, sizeof(tests) / sizeof(tests[0]), NULL) ? 1 : 0;
}
