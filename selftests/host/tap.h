/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host unit tests' harness: kselftest-style EXPECT, a case table and a
 * runner printing TAP ("ok N - name", "not ok N - name", "# SKIP why"),
 * which selftests/host/run.sh counts. Each test program includes it once.
 */
#ifndef TANDEM_HOST_TAP_H
#define TANDEM_HOST_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Whether the running case failed an EXPECT; why it skipped, if it did. */
static bool case_failed;
static const char *skip_reason;

/* Like kselftest's EXPECT: note the failure with file and line, go on. */
#define EXPECT(cond, ...) do {						\
	if (!(cond)) {							\
		printf("# %s:%d: expected %s: ", __FILE__, __LINE__, #cond); \
		printf(__VA_ARGS__);					\
		printf("\n");						\
		case_failed = true;					\
	}								\
} while (0)

struct tap_case {
	const char *name;
	void (*fn)(void);
};

/* A case from its function test_NAME, named NAME. */
#define T(fn) { #fn + 5, fn }

/*
 * Run @n @cases in order; @after (or NULL) runs after each case, and its
 * EXPECTs count for that case. A case that sets skip_reason and fails no
 * EXPECT is a skip. Return: the number of cases that failed.
 */
static inline int tap_run(const struct tap_case *cases, size_t n,
			  void (*after)(void))
{
	int failed = 0;
	size_t i;

	printf("TAP version 13\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		case_failed = false;
		skip_reason = NULL;
		cases[i].fn();
		if (after)
			after();
		if (skip_reason && !case_failed)
			printf("ok %zu - %s # SKIP %s\n", i + 1, cases[i].name,
			       skip_reason);
		else
			printf("%sok %zu - %s\n", case_failed ? "not " : "",
			       i + 1, cases[i].name);
		failed += case_failed;
	}
	return failed;
}

#endif /* TANDEM_HOST_TAP_H */
