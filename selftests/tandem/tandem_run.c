// SPDX-License-Identifier: GPL-2.0
/*
 * tandem_run: run a flat payload in a fresh domain and print its console.
 * A tool for developers and a smoke test of the run loop, not a test.
 *
 * usage: tandem_run [-m real|protected|long] [-M MiB] [-t seconds] FILE
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tandem_guest.h"

int main(int argc, char **argv)
{
	static const char *const states[] = {
		"none", "created", "running", "paused", "shutdown", "crashed",
		"dying",
	};
	enum tg_mode mode = TG_LONG;
	unsigned long mib = 4, timeout = 10;
	static struct tg_domain d;
	static struct treply r;
	char name[32];
	int c, err, st;

	while ((c = getopt(argc, argv, "m:M:t:")) != -1) {
		switch (c) {
		case 'm':
			if (tg_mode_parse(optarg, &mode)) {
				fprintf(stderr, "tandem_run: mode is real, protected or long\n");
				return 2;
			}
			break;
		case 'M':
			mib = strtoul(optarg, NULL, 0);
			break;
		case 't':
			timeout = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: tandem_run [-m real|protected|long] [-M MiB] [-t s] FILE\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: tandem_run [-m real|protected|long] [-M MiB] [-t s] FILE\n");
		return 2;
	}
	err = tg_modules_load();
	if (err) {
		fprintf(stderr, "tandem_run: loading the modules: %s\n", strerror(-err));
		return 1;
	}
	snprintf(name, sizeof(name), "run%d", getpid());
	err = tg_create(&d, name, mib << 20, 1);
	if (!err)
		err = tg_load_file(&d, TG_LOAD_GPA, argv[optind]);
	if (!err)
		err = tg_setup(&d, mode, TG_LOAD_GPA);
	if (!err)
		err = tg_start(&d);
	if (err) {
		fprintf(stderr, "tandem_run: %s (%s)\n", strerror(-err), d.msg);
		if (d.id)
			tg_destroy(&d);
		return 1;
	}
	err = tg_wait_state(&d, TANDEM_STATE_SHUTDOWN, timeout * 1000);
	tg_console_poll(&d);
	fputs(d.console, stdout);
	st = tg_state(&d);
	printf("state: %s\n", st >= 0 && st <= 6 ? states[st] : "?");
	if (!tg_get(&d, &r) && r.tb[TANDEM_DOMAIN_A_CRASH_REASON])
		printf("crash: %s\n", (const char *)tnla_data(r.tb[TANDEM_DOMAIN_A_CRASH_REASON]));
	tg_destroy(&d);
	tg_close(&d);
	return err ? 1 : 0;
}
