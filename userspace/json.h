/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer for the CLI's -j output.
 */
#ifndef TANDEM_JSON_H
#define TANDEM_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json {
	FILE *out;
	int depth;
	bool first[16];	/* no member written yet at this depth */
};

void json_init(struct json *j, FILE *out);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_finish(struct json *j);

#endif /* TANDEM_JSON_H */
