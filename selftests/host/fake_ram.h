/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fake guest RAM for the host tests of the virtio code: RAM_SIZE bytes (the
 * test defines RAM_SIZE before it includes this) between two guard areas
 * of FAKE_RAM_GUARD canary bytes, and the tandem_mem_* accessors the kernel
 * code calls. Like the kernel's, they copy without checking; unlike them,
 * they count every access outside RAM and, where it falls in the guards,
 * do it (the canaries then show it). fake_ram_check(), run after each case,
 * fails the case when either happened. Each test program includes it once,
 * after tap.h and the header declaring the tandem_mem_* accessors.
 */
#ifndef TANDEM_HOST_FAKE_RAM_H
#define TANDEM_HOST_FAKE_RAM_H

#include <endian.h>
#include <stdbool.h>
#include <string.h>

#include "tap.h"

#ifndef RAM_SIZE
#error "define RAM_SIZE, the bytes of guest RAM, before including fake_ram.h"
#endif

#define FAKE_RAM_GUARD	0x1000u
#define FAKE_RAM_CANARY	0xa5

/**
 * struct tandem_mem - the fake guest RAM
 * @ram: GPA 0, RAM_SIZE bytes
 * @reads: calls of tandem_mem_read()
 * @writes: calls of tandem_mem_write()
 * @outside: accesses outside RAM: must stay 0
 * @watch: writes touching this GPA are counted in @watch_writes
 * @watch_writes: see @watch
 * @hook: when set, called before each access: the guest driver acting
 *	while the device runs (@src is %NULL for a read)
 */
struct tandem_mem {
	u8 *ram;
	unsigned int reads, writes;
	unsigned int outside;
	u64 watch;
	unsigned int watch_writes;
	void (*hook)(u64 gpa, size_t len, const void *src);
};

static u8 fake_arena[FAKE_RAM_GUARD + RAM_SIZE + FAKE_RAM_GUARD];
static struct tandem_mem mem = { .ram = fake_arena + FAKE_RAM_GUARD };

bool tandem_mem_range_ok(const struct tandem_mem *m, u64 gpa, u64 len)
{
	EXPECT(m == &mem, "another RAM");
	return gpa < RAM_SIZE && len <= RAM_SIZE - gpa;
}

/* Where an access of @len at @gpa goes: RAM, a guard (counted) or nowhere. */
static inline void *fake_ram_ptr(struct tandem_mem *m, u64 gpa, size_t len)
{
	u64 off = gpa + FAKE_RAM_GUARD;	/* in fake_arena[]; "negative" GPAs too */

	if (tandem_mem_range_ok(m, gpa, len))
		return m->ram + gpa;
	m->outside++;
	if (off <= sizeof(fake_arena) && len <= sizeof(fake_arena) - off)
		return fake_arena + off;
	return NULL;
}

void tandem_mem_read(struct tandem_mem *m, u64 gpa, void *dst, size_t len)
{
	void *p = fake_ram_ptr(m, gpa, len);

	if (m->hook)
		m->hook(gpa, len, NULL);
	m->reads++;
	if (p)
		memcpy(dst, p, len);
}

void tandem_mem_write(struct tandem_mem *m, u64 gpa, const void *src,
		      size_t len)
{
	void *p = fake_ram_ptr(m, gpa, len);

	if (m->hook)
		m->hook(gpa, len, src);
	m->writes++;
	if (m->watch >= gpa && m->watch - gpa < len)
		m->watch_writes++;
	if (p)
		memcpy(p, src, len);
}

/* RAM all zeroes, the guards all canaries, no access counted or watched. */
static inline void fake_ram_reset(void)
{
	memset(fake_arena, FAKE_RAM_CANARY, sizeof(fake_arena));
	memset(mem.ram, 0, RAM_SIZE);
	mem.reads = mem.writes = mem.outside = mem.watch_writes = 0;
	mem.watch = ~0ull;
	mem.hook = NULL;
}

static inline bool fake_ram_guards_intact(void)
{
	unsigned int i;

	for (i = 0; i < FAKE_RAM_GUARD; i++)
		if (fake_arena[i] != FAKE_RAM_CANARY ||
		    fake_arena[FAKE_RAM_GUARD + RAM_SIZE + i] != FAKE_RAM_CANARY)
			return false;
	return true;
}

/* Whatever a case did, nothing outside RAM was touched (tap_run's after). */
static inline void fake_ram_check(void)
{
	EXPECT(mem.outside == 0, "%u accesses outside guest RAM", mem.outside);
	EXPECT(fake_ram_guards_intact(), "guard bytes around guest RAM changed");
}

/* The guest driver's little-endian stores and loads, straight into RAM. */
static inline void put16(u64 gpa, u16 v)
{
	v = htole16(v);
	memcpy(mem.ram + gpa, &v, 2);
}

static inline u16 get16(u64 gpa)
{
	u16 v;

	memcpy(&v, mem.ram + gpa, 2);
	return le16toh(v);
}

static inline u32 get32(u64 gpa)
{
	u32 v;

	memcpy(&v, mem.ram + gpa, 4);
	return le32toh(v);
}

#endif /* TANDEM_HOST_FAKE_RAM_H */
