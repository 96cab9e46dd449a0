/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Virtio disks and NICs: what `tandem disk|nic attach` and the disk and
 * vif lines of a configuration file ask for, what the hypervisor answers
 * about a device, and the checks and words for both. No libnl here: the
 * host tests link this file on its own.
 */
#ifndef TANDEM_DEVARG_H
#define TANDEM_DEVARG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tandem.h>

/* Room for a reply's path and for why a device is broken. */
#define DEV_PATH_MAX		4096
#define DEV_REASON_MAX		128
/* Long enough for dev_describe() of any device. */
#define DEV_DESC_MAX		(DEV_PATH_MAX + DEV_REASON_MAX + 160)

/**
 * struct dev_req - a device to attach (DEVICE_ATTACH)
 * @type: &enum tandem_device_type
 * @path: disk: an absolute path
 * @ro: disk: read-only
 * @serial: disk: GET_ID's answer, or NULL
 * @mac: NIC: the address, if @has_mac
 * @has_mac: NIC: send @mac; else the hypervisor chooses
 * @ifname: NIC: the host netdev's name, or NULL for the default
 */
struct dev_req {
	uint32_t type;
	const char *path;
	bool ro;
	const char *serial;
	uint8_t mac[6];
	bool has_mac;
	const char *ifname;
};

/**
 * struct dev_info - a device as DEVICE_ATTACH and DOMAIN_GET report it
 * @type: &enum tandem_device_type
 * @index: its number among the domain's devices of its type
 * @path: disk: the backing file or block device
 * @ro: disk: read-only
 * @serial: disk: GET_ID's answer ("" for none)
 * @size: disk: bytes, if @has_size
 * @has_size: the reply had a size
 * @mac: NIC: the address, if @has_mac
 * @has_mac: the reply had a MAC address
 * @ifname: NIC: the host netdev
 * @slot: the virtio-mmio slot
 * @mmio_base: the slot's register window
 * @gsi: the slot's interrupt line
 * @broken: why the guest's use of the device is refused ("" when fine)
 */
struct dev_info {
	uint32_t type;
	uint32_t index;
	char path[DEV_PATH_MAX];
	bool ro;
	char serial[TANDEM_SERIAL_MAX];
	uint64_t size;
	bool has_size;
	uint8_t mac[6];
	bool has_mac;
	char ifname[TANDEM_IFNAME_MAX];
	uint32_t slot;
	uint64_t mmio_base;
	uint32_t gsi;
	char broken[DEV_REASON_MAX];
};

const char *dev_type_name(uint32_t type);
const char *dev_mac_parse(const char *s, uint8_t mac[6]);
const char *dev_serial_check(const char *s);
const char *dev_ifname_check(const char *s);
const char *dev_index_parse(const char *s, uint32_t *index);
char *dev_mac_str(const uint8_t mac[6], char *buf, size_t len);
char *dev_size_str(uint64_t bytes, char *buf, size_t len);
char *dev_describe(const struct dev_info *d, char *buf, size_t len);

#endif /* TANDEM_DEVARG_H */
