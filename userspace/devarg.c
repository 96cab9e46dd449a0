// SPDX-License-Identifier: GPL-2.0
/*
 * Virtio disks and NICs: checks of what the user asks for and the words
 * for what the hypervisor answers (devarg.h).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "devarg.h"

/**
 * dev_type_name() - "disk", "nic", or "device" for another type
 */
const char *dev_type_name(uint32_t type)
{
	switch (type) {
	case TANDEM_DEVICE_DISK:
		return "disk";
	case TANDEM_DEVICE_NIC:
		return "nic";
	}
	return "device";
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/**
 * dev_mac_parse() - a MAC address, six pairs of hex digits joined by ':'
 * @s: the text, e.g. "02:00:00:00:00:01"
 * @mac: the address, when it is one
 *
 * The hypervisor takes unicast addresses only, and not 00:00:00:00:00:00.
 *
 * Return: NULL, or what is wrong (for "'S' is <reason>").
 */
const char *dev_mac_parse(const char *s, uint8_t mac[6])
{
	uint8_t m[6];
	int i, hi, lo;

	if (strlen(s) != 17)
		goto bad;
	for (i = 0; i < 6; i++) {
		hi = hexval(s[3 * i]);
		lo = hexval(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			goto bad;
		m[i] = hi << 4 | lo;
	}
	if (m[0] & 1)
		return "a multicast address (the first byte must be even)";
	if (!(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
		return "the zero address";
	memcpy(mac, m, 6);
	return NULL;
bad:
	return "not a MAC address (six hex bytes joined by ':', e.g. 02:00:00:00:00:01)";
}

/**
 * dev_serial_check() - a disk serial: at most %TANDEM_SERIAL_MAX - 1
 * printable ASCII characters (blanks included), possibly none
 *
 * Return: NULL, or what a serial must be.
 */
const char *dev_serial_check(const char *s)
{
	size_t i, n = strlen(s);

	if (n > TANDEM_SERIAL_MAX - 1)
		return "at most 20 printable ASCII characters";
	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return "at most 20 printable ASCII characters";
	return NULL;
}

/**
 * dev_ifname_check() - a host netdev name: 1 to 15 characters, none of
 * them '/', ':' or blank, and not "." or ".."
 *
 * Return: NULL, or what a name must be.
 */
const char *dev_ifname_check(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n > TANDEM_IFNAME_MAX - 1 || !strcmp(s, ".") ||
	    !strcmp(s, ".."))
		goto bad;
	for (i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ':' || isspace((unsigned char)s[i]) ||
		    !isprint((unsigned char)s[i]))
			goto bad;
	return NULL;
bad:
	return "not an interface name (1 to 15 characters, no '/', ':' or blanks)";
}

/**
 * dev_index_parse() - a device index: decimal, 0 to %TANDEM_VIRTIO_SLOTS - 1
 * @s: the text
 * @index: the index, when it is one
 *
 * Return: NULL, or what an index must be.
 */
const char *dev_index_parse(const char *s, uint32_t *index)
{
	uint32_t v = 0;
	size_t i;

	if (!*s || strlen(s) > 3)
		goto bad;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		v = v * 10 + (s[i] - '0');
	}
	if (v >= TANDEM_VIRTIO_SLOTS)
		goto bad;
	*index = v;
	return NULL;
bad:
	return "not a device index (a number from 0 to 7)";
}

/**
 * dev_mac_str() - "02:00:00:00:00:01"
 * @mac: the address
 * @buf: at least 18 bytes
 * @len: size of @buf
 *
 * Return: @buf
 */
char *dev_mac_str(const uint8_t mac[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

/**
 * dev_size_str() - a disk size for people: "64 MiB" when exact in the
 * largest unit it reaches, else "1.5 GiB (1610612737 bytes)"
 * @bytes: the size
 * @buf: the text
 * @len: size of @buf, 48 or more
 *
 * Return: @buf
 */
char *dev_size_str(uint64_t bytes, char *buf, size_t len)
{
	static const char * const units[] = { "KiB", "MiB", "GiB", "TiB" };
	int u = -1;

	while (u < 3 && bytes >> (10 * (u + 2)))
		u++;
	if (u < 0)
		snprintf(buf, len, "%" PRIu64 " bytes", bytes);
	else if (!(bytes & ((1ULL << (10 * (u + 1))) - 1)))
		snprintf(buf, len, "%" PRIu64 " %s", bytes >> (10 * (u + 1)),
			 units[u]);
	else
		snprintf(buf, len, "%.1f %s (%" PRIu64 " bytes)",
			 (double)bytes / (double)(1ULL << (10 * (u + 1))),
			 units[u], bytes);
	return buf;
}

/**
 * dev_describe() - one line about a device, without its type and index:
 *
 *	/srv/a.img, 64 MiB, read-write, slot 0 (0xfef00000, GSI 16)
 *	/srv/b.img, 1 GiB, read-only, serial 'data', slot 1 (0xfef01000, GSI 17)
 *	02:00:00:00:00:01, tdm3.0, slot 2 (0xfef02000, GSI 18)
 *
 * and "; broken: REASON" after it when the device is broken.
 * @d: the device
 * @buf: the text
 * @len: size of @buf (%DEV_DESC_MAX holds any device)
 *
 * Return: @buf
 */
char *dev_describe(const struct dev_info *d, char *buf, size_t len)
{
	char a[48], b[48];
	size_t n = 0;

#define ADD(...) do {							\
	if (n < len)							\
		n += snprintf(buf + n, len - n, __VA_ARGS__);		\
} while (0)
	buf[0] = '\0';
	if (d->type == TANDEM_DEVICE_DISK) {
		ADD("%s, ", d->path[0] ? d->path : "?");
		if (d->has_size)
			ADD("%s, ", dev_size_str(d->size, a, sizeof(a)));
		ADD("%s, ", d->ro ? "read-only" : "read-write");
		if (d->serial[0])
			ADD("serial '%s', ", d->serial);
	} else if (d->type == TANDEM_DEVICE_NIC) {
		ADD("%s, %s, ", d->has_mac ? dev_mac_str(d->mac, b, sizeof(b)) :
			       "no MAC address", d->ifname[0] ? d->ifname : "?");
	}
	ADD("slot %u (0x%" PRIx64 ", GSI %u)", d->slot, d->mmio_base, d->gsi);
	if (d->broken[0])
		ADD("; broken: %s", d->broken);
#undef ADD
	return buf;
}
