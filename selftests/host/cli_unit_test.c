// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the tandem CLI's parts that need no kernel: size and
 * number parsing, the policy configuration format, the JSON writer and the
 * ABI names. Prints TAP; exits non-zero when a case fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "names.h"
#include "pcfg.h"
#include "size.h"

static bool case_failed;

/* Like kselftest's EXPECT: note the failure with file and line, go on. */
#define EXPECT(cond, ...) do {						\
	if (!(cond)) {							\
		printf("# %s:%d: expected %s: ", __FILE__, __LINE__, #cond); \
		printf(__VA_ARGS__);					\
		printf("\n");						\
		case_failed = true;					\
	}								\
} while (0)

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
		  BIT(TANDEM_PCFG_A_ON_CRASH) | BIT(TANDEM_PCFG_A_MAX_RESTARTS))

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
	"max_restarts = 2\n";

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
			  "test.conf:3: max_cpus: unknown key (expected max_domains, max_memory, max_vcpus, memory_pool, name_pattern, mem_write_states, cpus, weight, cap, on_crash or max_restarts)");
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
	EXPECT_STR(err, "bogus: unknown key (expected max_domains, max_memory, max_vcpus, memory_pool, name_pattern, mem_write_states, cpus, weight, cap, on_crash or max_restarts)");
	EXPECT(pcfg_set(&c, "max_memory", "512M", err, sizeof(err)) == 0,
	       "refused: %s", err);
	EXPECT(c.present == BIT(TANDEM_PCFG_A_MAX_MEMORY) &&
	       c.max_memory == 512ULL << 20, "present 0x%x", c.present);
}

struct seen {
	int n;
	int attr[16];
	enum pcfg_type type[16];
	char text[16][64];
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
	char err[PCFG_ERR_MAX], text[1024] = "";
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
		   "max_restarts = 2\n");
	EXPECT(parse_text(&b, text, err) == 0, "error: %s", err);
	EXPECT(!memcmp(&a, &b, sizeof(a)), "configuration changed on reload");
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

#define T(fn) { #fn + 5, fn }

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
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
};

int main(void)
{
	size_t n = sizeof(tests) / sizeof(tests[0]), i;
	int failed = 0;

	printf("TAP version 13\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		case_failed = false;
		tests[i].fn();
		printf("%sok %zu - %s\n", case_failed ? "not " : "", i + 1,
		       tests[i].name);
		failed += case_failed;
	}
	return failed ? 1 : 0;
}
