// SPDX-License-Identifier: GPL-2.0
/*
 * Sizes and numbers given on the command line or in a configuration file.
 *
 * strtoull() alone is too lenient for a tool that configures limits: it
 * skips leading blanks, accepts a sign ("-1" becomes 2^64 - 1) and an
 * empty string. Everything here insists on digits first and all of the
 * string used, and reports overflow instead of saturating.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "size.h"

static const struct {
	const char *suffix;
	unsigned int shift;
} size_suffixes[] = {
	{ "", 0 },
	{ "K", 10 }, { "KiB", 10 }, { "k", 10 },
	{ "M", 20 }, { "MiB", 20 }, { "m", 20 },
	{ "G", 30 }, { "GiB", 30 }, { "g", 30 },
	{ "T", 40 }, { "TiB", 40 }, { "t", 40 },
};

/* Digits only, in @base (10, or 16 after the caller dropped "0x"). */
static int parse_digits(const char *s, int base, uint64_t *val, char **end)
{
	size_t n = strspn(s, base == 16 ? "0123456789abcdefABCDEF"
					: "0123456789");
	unsigned long long v;

	if (!n)
		return -EINVAL;
	errno = 0;
	v = strtoull(s, end, base);
	if (errno == ERANGE)
		return -ERANGE;
	/* strtoull() would take a second "0x" in "0x0x10": refuse it. */
	if (*end != s + n)
		return -EINVAL;
	*val = v;
	return 0;
}

/**
 * parse_size() - parse a size: digits with an optional binary suffix
 * @s: e.g. "4096", "256M", "1GiB", "2t"
 * @bytes: the result
 *
 * Return: 0, -EINVAL when @s is not a size (empty, sign, blanks, unknown
 * suffix, fraction) or -ERANGE when it does not fit in 64 bits.
 */
int parse_size(const char *s, uint64_t *bytes)
{
	uint64_t v;
	size_t i;
	char *end;
	int err;

	err = parse_digits(s, 10, &v, &end);
	if (err)
		return err;
	for (i = 0; i < sizeof(size_suffixes) / sizeof(size_suffixes[0]); i++) {
		unsigned int shift = size_suffixes[i].shift;

		if (strcmp(end, size_suffixes[i].suffix))
			continue;
		if (shift && v > (UINT64_MAX >> shift))
			return -ERANGE;
		*bytes = v << shift;
		return 0;
	}
	return -EINVAL;
}

/**
 * parse_uint() - parse an unsigned number no larger than @max
 * @s: decimal digits, or with @base 0 also "0x" and hex digits
 * @base: 10, or 0 to accept hex with a "0x"/"0X" prefix
 * @max: largest value accepted
 * @val: the result
 *
 * Return: 0, -EINVAL when @s is not a number, -ERANGE when above @max.
 */
int parse_uint(const char *s, int base, uint64_t max, uint64_t *val)
{
	uint64_t v;
	char *end;
	int err;

	if (base == 0 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		err = parse_digits(s + 2, 16, &v, &end);
	else
		err = parse_digits(s, 10, &v, &end);
	if (err)
		return err;
	if (*end)
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*val = v;
	return 0;
}

/**
 * size_strerror() - what is wrong with a size parse_size() refused
 * @err: its return value
 */
const char *size_strerror(int err)
{
	if (err == -ERANGE)
		return "too large (the limit is 2^64 - 1 bytes)";
	return "not a size (expected " SIZE_ACCEPTED ")";
}

/**
 * format_size() - a size in the largest unit that holds it exactly
 * @bytes: the size
 * @buf: at least %SIZE_BUF bytes
 * @len: size of @buf
 *
 * Exact, so that what `tandem policy show` prints can be loaded again:
 * 268435456 is "256M", 1536 MiB is "1536M", 4097 stays "4097".
 *
 * Return: @buf
 */
char *format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (bytes && u < 3 && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)bytes,
			 units[u]);
	return buf;
}
