/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sizes and numbers given on the command line or in a configuration file.
 * No libnl here: the host unit tests link this file on its own.
 */
#ifndef TANDEM_SIZE_H
#define TANDEM_SIZE_H

#include <stddef.h>
#include <stdint.h>

/* What parse_size() accepts, for messages that must say so. */
#define SIZE_ACCEPTED \
	"a byte count, or a number with suffix K, M, G or T, also KiB, MiB, GiB, TiB or k, m, g, t; powers of 1024"

/* Long enough for format_size() of any u64. */
#define SIZE_BUF	24

int parse_size(const char *s, uint64_t *bytes);
int parse_uint(const char *s, int base, uint64_t max, uint64_t *val);
const char *size_strerror(int err);
char *format_size(uint64_t bytes, char *buf, size_t len);

#endif /* TANDEM_SIZE_H */
