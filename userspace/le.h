/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Little-endian fields at a byte offset of a buffer: the boot protocol's
 * setup header and boot_params, and the ACPI tables, are all laid out so.
 */
#ifndef TANDEM_LE_H
#define TANDEM_LE_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t le_get16(const uint8_t *p, size_t off)
{
	return p[off] | p[off + 1] << 8;
}

static inline uint32_t le_get32(const uint8_t *p, size_t off)
{
	return le_get16(p, off) | (uint32_t)le_get16(p, off + 2) << 16;
}

static inline uint64_t le_get64(const uint8_t *p, size_t off)
{
	return le_get32(p, off) | (uint64_t)le_get32(p, off + 4) << 32;
}

static inline void le_put8(uint8_t *p, size_t off, uint8_t v)
{
	p[off] = v;
}

static inline void le_put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = v;
	p[off + 1] = v >> 8;
}

static inline void le_put32(uint8_t *p, size_t off, uint32_t v)
{
	le_put16(p, off, v);
	le_put16(p, off + 2, v >> 16);
}

static inline void le_put64(uint8_t *p, size_t off, uint64_t v)
{
	le_put32(p, off, v);
	le_put32(p, off + 4, v >> 32);
}

#endif /* TANDEM_LE_H */
