/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Spinlocks for a single-threaded host test: a flag that must be clear on
 * lock and set on unlock, so that a recursive lock or an unbalanced unlock
 * aborts the test. kshim_locked() lets a test see whether a callback runs
 * under the lock.
 */
#ifndef KSHIM_LINUX_SPINLOCK_H
#define KSHIM_LINUX_SPINLOCK_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
	bool locked;
} spinlock_t;

static inline void kshim_lock(spinlock_t *l, const char *what)
{
	if (l->locked == (what[0] == 'l')) {
		fprintf(stderr, "kshim: spinlock: %s while %slocked\n", what,
			l->locked ? "" : "un");
		abort();
	}
	l->locked = !l->locked;
}

static inline bool kshim_locked(const spinlock_t *l)
{
	return l->locked;
}

#define spin_lock_init(l)		((l)->locked = false)
#define spin_lock_irqsave(l, flags)	\
	do { (flags) = 0; kshim_lock(l, "lock"); } while (0)
#define spin_unlock_irqrestore(l, flags) \
	do { (void)(flags); kshim_lock(l, "unlock"); } while (0)

#endif
