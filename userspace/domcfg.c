// SPDX-License-Identifier: GPL-2.0
/*
 * Domain configuration files (see domcfg.h and Documentation/guests.rst).
 *
 * A small lexer (words, strings, = [ ] , ; and newlines, # comments) and
 * a parser of "KEY = VALUE" statements, where VALUE is a word, a string
 * or a list of words and strings that may span lines. Each key then
 * checks its own value. Overrides from the command line go through the
 * same parser, one statement per argument, except that a string key takes
 * an unquoted value literally (the shell already split the arguments).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devarg.h"
#include "domcfg.h"
#include "size.h"

enum key_type {
	KT_STRING,	/* "text" */
	KT_PATH,	/* "text", relative to the file */
	KT_MEMORY,	/* MiB, or a size with a suffix */
	KT_VCPUS,	/* 1 to TANDEM_MAX_VCPUS */
	KT_ACTION,	/* destroy, restart or preserve */
	KT_LIST,	/* [ "spec", ... ] */
};

static const struct {
	const char *name;
	enum key_type type;
} keys[DK_COUNT] = {
	[DK_NAME] = { "name", KT_STRING },
	[DK_MEMORY] = { "memory", KT_MEMORY },
	[DK_VCPUS] = { "vcpus", KT_VCPUS },
	[DK_KERNEL] = { "kernel", KT_PATH },
	[DK_RAMDISK] = { "ramdisk", KT_PATH },
	[DK_CMDLINE] = { "cmdline", KT_STRING },
	[DK_EXTRA] = { "extra", KT_STRING },
	[DK_ON_POWEROFF] = { "on_poweroff", KT_ACTION },
	[DK_ON_REBOOT] = { "on_reboot", KT_ACTION },
	[DK_ON_CRASH] = { "on_crash", KT_ACTION },
	[DK_DISK] = { "disk", KT_LIST },
	[DK_VIF] = { "vif", KT_LIST },
};

static const char *const action_names[] = {
	[DOMCFG_DESTROY] = "destroy",
	[DOMCFG_RESTART] = "restart",
	[DOMCFG_PRESERVE] = "preserve",
};

enum tok {
	T_EOF,
	T_NL,
	T_SEMI,
	T_EQ,
	T_LBR,
	T_RBR,
	T_COMMA,
	T_WORD,
	T_STRING,
	T_ERR,		/* the lexer reported an error */
};

/**
 * struct parser - state of one parse
 * @s: next character
 * @end: end of the text
 * @line: line of @s (the argument's position for an override)
 * @fname: file name for messages
 * @dir: directory relative paths start from ("" for the current one)
 * @key: the key being parsed, for messages (NULL before it is known)
 * @override: parsing a command-line override
 * @text: the last word or string (owned)
 * @err: message buffer
 * @errlen: its size
 * @c: the configuration being filled
 */
struct parser {
	const char *s, *end;
	unsigned int line;
	const char *fname;
	const char *dir;
	const char *key;
	bool override;
	char *text;
	char *err;
	size_t errlen;
	struct domcfg *c;
};

/**
 * struct value - a parsed value
 * @list: it was a list
 * @quoted: a string (else a word); for a list, of the failing item
 * @str: a word or string
 * @items: list items, @n of them (each a word or string)
 * @quoted_items: which items were strings
 * @lines: line of each item
 * @n: number of items
 * @line: line the value starts on
 */
struct value {
	bool list;
	bool quoted;
	char *str;
	char **items;
	bool *quoted_items;
	unsigned int *lines;
	size_t n;
	unsigned int line;
};

static int fail_at(struct parser *p, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "FILE:LINE: KEY: message" (no KEY before the key is known). */
static int fail_at(struct parser *p, unsigned int line, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (p->key)
		n = snprintf(p->err, p->errlen, "%s:%u: %s: ", p->fname, line,
			     p->key);
	else
		n = snprintf(p->err, p->errlen, "%s:%u: ", p->fname, line);
	if (n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool word_char(int ch)
{
	return isalnum(ch) || strchr("_.-+:/@%~", ch);
}

/* A string after its opening quote, escapes resolved, into p->text. */
static enum tok lex_string(struct parser *p)
{
	size_t cap = 64, n = 0;
	char *buf = malloc(cap);
	unsigned int start = p->line;

	if (!buf) {
		fail_at(p, start, "out of memory");
		return T_ERR;
	}
	for (;;) {
		int ch;

		if (p->s >= p->end || *p->s == '\n') {
			free(buf);
			fail_at(p, start, "unterminated string (a string ends with \" on its line)");
			return T_ERR;
		}
		ch = (unsigned char)*p->s++;
		if (ch == '"')
			break;
		if (ch == '\\') {
			if (p->s >= p->end || *p->s == '\n') {
				free(buf);
				fail_at(p, start, "unterminated string (a string ends with \" on its line)");
				return T_ERR;
			}
			ch = (unsigned char)*p->s++;
			switch (ch) {
			case '"':
			case '\\':
				break;
			case 'n':
				ch = '\n';
				break;
			case 't':
				ch = '\t';
				break;
			case 'r':
				ch = '\r';
				break;
			case 'x':
				if (p->end - p->s < 2 || !isxdigit(p->s[0]) ||
				    !isxdigit(p->s[1]) ||
				    (p->s[0] == '0' && p->s[1] == '0')) {
					free(buf);
					fail_at(p, start, "bad escape in string: \\x needs two hex digits, not 00");
					return T_ERR;
				}
				{
					char hex[3] = { p->s[0], p->s[1], 0 };

					ch = (int)strtoul(hex, NULL, 16);
				}
				p->s += 2;
				break;
			default:
				free(buf);
				fail_at(p, start, "bad escape in string: '\\%c' (expected \\\", \\\\, \\n, \\t, \\r or \\xHH)",
					ch);
				return T_ERR;
			}
		}
		if (n + 2 > cap) {
			char *b = realloc(buf, cap * 2);

			if (!b) {
				free(buf);
				fail_at(p, start, "out of memory");
				return T_ERR;
			}
			buf = b;
			cap *= 2;
		}
		buf[n++] = ch;
	}
	buf[n] = 0;
	free(p->text);
	p->text = buf;
	return T_STRING;
}

static enum tok lex(struct parser *p)
{
	const char *w;

	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' ||
				 *p->s == '\r'))
		p->s++;
	if (p->s < p->end && *p->s == '#') {
		while (p->s < p->end && *p->s != '\n')
			p->s++;
	}
	if (p->s >= p->end)
		return T_EOF;
	switch (*p->s) {
	case '\n':
		p->s++;
		p->line++;
		return T_NL;
	case ';':
		p->s++;
		return T_SEMI;
	case '=':
		p->s++;
		return T_EQ;
	case '[':
		p->s++;
		return T_LBR;
	case ']':
		p->s++;
		return T_RBR;
	case ',':
		p->s++;
		return T_COMMA;
	case '"':
		p->s++;
		return lex_string(p);
	}
	if (!word_char((unsigned char)*p->s)) {
		fail_at(p, p->line, "unexpected character '%c'", *p->s);
		return T_ERR;
	}
	w = p->s;
	while (p->s < p->end && word_char((unsigned char)*p->s))
		p->s++;
	free(p->text);
	p->text = strndup(w, p->s - w);
	if (!p->text) {
		fail_at(p, p->line, "out of memory");
		return T_ERR;
	}
	return T_WORD;
}

static void value_free(struct value *v)
{
	size_t i;

	free(v->str);
	for (i = 0; i < v->n; i++)
		free(v->items[i]);
	free(v->items);
	free(v->quoted_items);
	free(v->lines);
	memset(v, 0, sizeof(*v));
}

static int list_add(struct parser *p, struct value *v, bool quoted)
{
	char **items = realloc(v->items, (v->n + 1) * sizeof(*items));
	bool *q;
	unsigned int *l;

	if (items)
		v->items = items;
	q = realloc(v->quoted_items, (v->n + 1) * sizeof(*q));
	if (q)
		v->quoted_items = q;
	l = realloc(v->lines, (v->n + 1) * sizeof(*l));
	if (l)
		v->lines = l;
	if (!items || !q || !l)
		return fail_at(p, p->line, "out of memory");
	v->items[v->n] = p->text;
	v->quoted_items[v->n] = quoted;
	v->lines[v->n] = p->line;
	p->text = NULL;
	v->n++;
	return 0;
}

static enum tok lex_skip_nl(struct parser *p)
{
	enum tok t;

	while ((t = lex(p)) == T_NL)
		;
	return t;
}

/* After '[': items separated by commas, a trailing comma allowed. */
static int parse_list(struct parser *p, struct value *v)
{
	enum tok t;
	int err;

	v->list = true;
	for (;;) {
		t = lex_skip_nl(p);
		if (t == T_ERR)
			return -EINVAL;
		if (t == T_RBR)
			return 0;
		if (t == T_LBR)
			return fail_at(p, p->line, "bad list: nested lists are not supported");
		if (t != T_WORD && t != T_STRING)
			return fail_at(p, p->line,
				       t == T_EOF ? "bad list: no ']' for the '[' on line %u" :
				       "bad list: expected an item or ']' (the list starts on line %u)",
				       v->line);
		err = list_add(p, v, t == T_STRING);
		if (err)
			return err;
		t = lex_skip_nl(p);
		if (t == T_ERR)
			return -EINVAL;
		if (t == T_RBR)
			return 0;
		if (t == T_EOF)
			return fail_at(p, p->line, "bad list: no ']' for the '[' on line %u",
				       v->line);
		if (t != T_COMMA)
			return fail_at(p, p->line, "bad list: expected ',' or ']' after item %zu",
				       v->n);
	}
}

static int parse_value(struct parser *p, struct value *v)
{
	unsigned int line = p->line;
	enum tok t = lex(p);

	memset(v, 0, sizeof(*v));
	v->line = line;	/* before a newline the value may be missing */
	switch (t) {
	case T_ERR:
		return -EINVAL;
	case T_WORD:
	case T_STRING:
		v->quoted = t == T_STRING;
		v->str = p->text;
		p->text = NULL;
		return 0;
	case T_LBR:
		return parse_list(p, v);
	case T_RBR:
		return fail_at(p, p->line, "bad list: ']' without '['");
	case T_NL:
	case T_EOF:
	case T_SEMI:
		return fail_at(p, v->line, "no value after '='");
	default:
		return fail_at(p, p->line, "expected a value after '='");
	}
}

static int find_key(const char *name)
{
	int k;

	for (k = 0; k < DK_COUNT; k++)
		if (!strcmp(keys[k].name, name))
			return k;
	return -1;
}

/* Domain names, as tandem.h's TANDEM_DOMAIN_A_NAME defines them. */
static bool valid_domain_name(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n >= TANDEM_NAME_MAX || !isalnum((unsigned char)s[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

static bool valid_ifname(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n >= DOMCFG_IFNAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ':' || isspace((unsigned char)s[i]) ||
		    !isprint((unsigned char)s[i]))
			return false;
	return true;
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

static char *path_join(const char *dir, const char *path)
{
	char *r;

	if (path[0] == '/' || !dir || !*dir)
		return strdup(path);
	if (asprintf(&r, "%s/%s", dir, path) < 0)
		return NULL;
	return r;
}

/* Trim blanks at both ends, in place. */
static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6], i;
	char tail;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[3 * i]) ||
		    !isxdigit((unsigned char)s[3 * i + 1]))
			return -EINVAL;
		mac[i] = b[i];
	}
	return 0;
}

/* "path=/x.img, ro, serial=S": item @idx (1-based) of disk = [ ... ]. */
static int parse_disk(struct parser *p, char *spec, unsigned int line,
		      size_t idx, struct domcfg_disk *d)
{
	char *save = NULL, *opt;

	for (opt = strtok_r(spec, ",", &save); opt;
	     opt = strtok_r(NULL, ",", &save)) {
		opt = trim(opt);
		if (!strncmp(opt, "path=", 5)) {
			if (d->path)
				return fail_at(p, line, "item %zu: path= given twice", idx);
			if (!opt[5])
				return fail_at(p, line, "item %zu: empty path=", idx);
			d->path = path_join(p->override ? NULL : p->dir,
					    opt + 5);
			if (!d->path)
				return fail_at(p, line, "out of memory");
		} else if (!strcmp(opt, "ro")) {
			d->ro = true;
		} else if (!strcmp(opt, "rw")) {
			d->ro = false;
		} else if (!strncmp(opt, "serial=", 7)) {
			const char *why = dev_serial_check(opt + 7);

			if (why)
				return fail_at(p, line, "item %zu: serial=%s: %s (and no ',')",
					       idx, opt + 7, why);
			strcpy(d->serial, opt + 7);
		} else {
			return fail_at(p, line, "item %zu: unknown option '%s' (expected path=FILE, ro, rw or serial=SERIAL)",
				       idx, opt);
		}
	}
	if (!d->path)
		return fail_at(p, line, "item %zu: no path= (expected \"path=FILE[, ro]\")",
			       idx);
	return 0;
}

/* "mac=02:..., name=web0, bridge=br0": item @idx of vif = [ ... ]. */
static int parse_vif(struct parser *p, char *spec, unsigned int line,
		     size_t idx, struct domcfg_vif *v)
{
	char *save = NULL, *opt;

	for (opt = strtok_r(spec, ",", &save); opt;
	     opt = strtok_r(NULL, ",", &save)) {
		opt = trim(opt);
		if (!strncmp(opt, "mac=", 4)) {
			if (parse_mac(opt + 4, v->mac))
				return fail_at(p, line, "item %zu: '%s' is not a MAC address (six hex bytes, e.g. 02:00:00:00:00:01)",
					       idx, opt + 4);
			if (v->mac[0] & 1)
				return fail_at(p, line, "item %zu: %s is a multicast address",
					       idx, opt + 4);
			v->has_mac = true;
		} else if (!strncmp(opt, "name=", 5) ||
			   !strncmp(opt, "bridge=", 7)) {
			bool name = opt[0] == 'n';
			const char *val = opt + (name ? 5 : 7);

			if (!valid_ifname(val))
				return fail_at(p, line, "item %zu: '%s' is not an interface name (1 to 15 characters, no '/', ':' or blanks)",
					       idx, val);
			strcpy(name ? v->name : v->bridge, val);
		} else if (*opt) {
			return fail_at(p, line, "item %zu: unknown option '%s' (expected mac=, name= or bridge=)",
				       idx, opt);
		}
	}
	return 0;
}

static int apply_list(struct parser *p, int k, struct value *v)
{
	struct domcfg *c = p->c;
	size_t i;
	int err;

	if (!v->list)
		return fail_at(p, v->line, "bad list: expected [ \"...\", ... ]");
	for (i = 0; i < v->n; i++)
		if (!v->quoted_items[i])
			return fail_at(p, v->lines[i], "bad list: item %zu is not a string in double quotes",
				       i + 1);
	if (k == DK_DISK) {
		for (i = 0; i < c->nr_disks; i++)
			free(c->disk[i].path);
		free(c->disk);
		c->nr_disks = 0;
		c->disk = calloc(v->n ? v->n : 1, sizeof(*c->disk));
		if (!c->disk)
			return fail_at(p, v->line, "out of memory");
		for (i = 0; i < v->n; i++) {
			err = parse_disk(p, v->items[i], v->lines[i], i + 1,
					 &c->disk[i]);
			c->nr_disks = i + 1;
			if (err)
				return err;
		}
	} else {
		free(c->vif);
		c->nr_vifs = 0;
		c->vif = calloc(v->n ? v->n : 1, sizeof(*c->vif));
		if (!c->vif)
			return fail_at(p, v->line, "out of memory");
		for (i = 0; i < v->n; i++) {
			err = parse_vif(p, v->items[i], v->lines[i], i + 1,
					&c->vif[i]);
			if (err)
				return err;
		}
		c->nr_vifs = v->n;
	}
	return 0;
}

static int apply_memory(struct parser *p, struct value *v)
{
	uint64_t bytes;

	if (all_digits(v->str)) {
		if (parse_uint(v->str, 10, TANDEM_MEM_MAX >> 20, &bytes))
			return fail_at(p, v->line, "%s MiB is out of range (4K to 1T)",
				       v->str);
		bytes <<= 20;
	} else if (parse_size(v->str, &bytes)) {
		return fail_at(p, v->line, "not a size: '%s' (a number of MiB, or a number with suffix K, M, G or T)",
			       v->str);
	}
	if (!bytes || bytes > TANDEM_MEM_MAX)
		return fail_at(p, v->line, "%s is out of range (4K to 1T)",
			       v->str);
	if (bytes % 4096)
		return fail_at(p, v->line, "%s is not a multiple of 4K", v->str);
	p->c->memory = bytes;
	return 0;
}

static int apply_string(struct parser *p, int k, struct value *v)
{
	struct domcfg *c = p->c;
	char **dst = NULL, *s;

	if (!v->quoted && !p->override)
		return fail_at(p, v->line, "expected a string in double quotes, not '%s'",
			       v->str);
	switch (k) {
	case DK_NAME:
		if (!valid_domain_name(v->str))
			return fail_at(p, v->line, "'%s' is not a domain name (1 to %d of A-Z a-z 0-9 _ . -, starting with a letter or digit)",
				       v->str, TANDEM_NAME_MAX - 1);
		strcpy(c->name, v->str);
		return 0;
	case DK_KERNEL:
		dst = &c->kernel;
		break;
	case DK_RAMDISK:
		dst = &c->ramdisk;
		break;
	case DK_CMDLINE:
		dst = &c->cmdline;
		break;
	default:
		dst = &c->extra;
		break;
	}
	if (keys[k].type == KT_PATH) {
		if (!*v->str)
			return fail_at(p, v->line, "empty path");
		s = path_join(p->override ? NULL : p->dir, v->str);
	} else {
		s = strdup(v->str);
	}
	if (!s)
		return fail_at(p, v->line, "out of memory");
	free(*dst);
	*dst = s;
	return 0;
}

/* Check @v for key @k and store it. */
static int apply(struct parser *p, int k, struct value *v)
{
	struct domcfg *c = p->c;
	uint64_t n;
	int a;

	if (keys[k].type == KT_LIST)
		return apply_list(p, k, v);
	if (v->list)
		return fail_at(p, v->line, "expected a single value, not a list");

	switch (keys[k].type) {
	case KT_MEMORY:
		return apply_memory(p, v);
	case KT_VCPUS:
		if (!all_digits(v->str))
			return fail_at(p, v->line, "not a number: '%s'", v->str);
		if (parse_uint(v->str, 10, TANDEM_MAX_VCPUS, &n) || !n)
			return fail_at(p, v->line, "%s is out of range (1 to %d)",
				       v->str, TANDEM_MAX_VCPUS);
		c->vcpus = n;
		return 0;
	case KT_ACTION:
		for (a = 0; a < 3; a++) {
			if (!strcmp(v->str, action_names[a])) {
				if (k == DK_ON_POWEROFF)
					c->on_poweroff = a;
				else if (k == DK_ON_REBOOT)
					c->on_reboot = a;
				else
					c->on_crash = a;
				return 0;
			}
		}
		return fail_at(p, v->line, "'%s' is not one of destroy, restart, preserve",
			       v->str);
	default:
		return apply_string(p, k, v);
	}
}

/* The key word in p->text: known, and not set twice in the same place. */
static int check_key(struct parser *p, int *kp)
{
	struct domcfg *c = p->c;
	int k = find_key(p->text);

	p->key = p->text;
	if (k < 0)
		return fail_at(p, p->line, "unknown key");
	if (p->override && c->arg_no[k])
		return fail_at(p, p->line, "duplicate key (first set by argument %u)",
			       c->arg_no[k]);
	if (!p->override && c->file_line[k])
		return fail_at(p, p->line, "duplicate key (first set on line %u)",
			       c->file_line[k]);
	p->key = keys[k].name;
	*kp = k;
	return 0;
}

static int parse_statement(struct parser *p, enum tok t)
{
	unsigned int line = p->line;
	struct value v;
	int k, err;

	p->key = NULL;
	if (t == T_STRING)
		return fail_at(p, line, "expected a key, not a string");
	if (t != T_WORD)
		return fail_at(p, line, "expected a key");
	err = check_key(p, &k);
	if (err)
		return err;
	t = lex(p);
	if (t == T_ERR)
		return -EINVAL;
	if (t != T_EQ)
		return fail_at(p, line, "expected '=' after the key");
	err = parse_value(p, &v);
	if (!err) {
		t = lex(p);
		if (t == T_ERR)
			err = -EINVAL;
		else if (t != T_NL && t != T_SEMI && t != T_EOF)
			err = fail_at(p, p->line, "expected the end of the line after the value");
	}
	if (!err)
		err = apply(p, k, &v);
	value_free(&v);
	if (!err)
		p->c->file_line[k] = line;
	return err;
}

/**
 * domcfg_init() - a configuration with the defaults
 * @c: filled with 128 MiB, 1 vCPU, on_poweroff destroy, on_reboot
 *	restart, on_crash destroy (as xl.cfg), nothing else
 */
void domcfg_init(struct domcfg *c)
{
	memset(c, 0, sizeof(*c));
	c->memory = DOMCFG_DEFAULT_MEMORY;
	c->vcpus = 1;
	c->on_poweroff = DOMCFG_DESTROY;
	c->on_reboot = DOMCFG_RESTART;
	c->on_crash = DOMCFG_DESTROY;
}

/**
 * domcfg_free() - free what a configuration holds
 * @c: the configuration; domcfg_init() it again to reuse it
 */
void domcfg_free(struct domcfg *c)
{
	size_t i;

	free(c->kernel);
	free(c->ramdisk);
	free(c->cmdline);
	free(c->extra);
	for (i = 0; i < c->nr_disks; i++)
		free(c->disk[i].path);
	free(c->disk);
	free(c->vif);
	memset(c, 0, sizeof(*c));
}

/**
 * domcfg_parse() - parse the text of a configuration file into @c
 * @c: an initialised configuration
 * @text: the file's contents (need not be NUL-terminated)
 * @len: their length
 * @fname: the file name for messages
 * @dir: directory relative paths are taken from (NULL or "": as given)
 * @err: the reason on failure, "FILE:LINE: KEY: message"
 * @errlen: size of @err
 *
 * Return: 0, or -EINVAL with @err set (@c then holds what was parsed
 * before the error, still to be freed with domcfg_free()).
 */
int domcfg_parse(struct domcfg *c, const char *text, size_t len,
		 const char *fname, const char *dir, char *err, size_t errlen)
{
	struct parser p = {
		.s = text, .end = text + len, .line = 1, .fname = fname,
		.dir = dir, .err = err, .errlen = errlen, .c = c,
	};
	enum tok t;
	int ret = 0;

	if (memchr(text, 0, len))
		return fail_at(&p, 1, "not a text file (it holds a NUL byte)");
	while (!ret) {
		t = lex(&p);
		if (t == T_EOF)
			break;
		if (t == T_ERR)
			ret = -EINVAL;
		else if (t != T_NL && t != T_SEMI)
			ret = parse_statement(&p, t);
	}
	free(p.text);
	return ret;
}

/**
 * domcfg_load() - read and parse a configuration file
 * @c: an initialised configuration
 * @path: the file; relative paths inside it start from its directory
 * @err: the reason on failure
 * @errlen: size of @err
 *
 * Return: 0 or a negative errno, with @err set.
 */
int domcfg_load(struct domcfg *c, const char *path, char *err, size_t errlen)
{
	size_t len = 0, cap = 4096, n;
	char *text, *dir, *slash;
	FILE *f;
	int ret;

	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(errno));
		return ret;
	}
	text = malloc(cap);
	while (text && (n = fread(text + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			char *t = realloc(text, cap * 2);

			if (!t) {
				free(text);
				text = NULL;
				break;
			}
			text = t;
			cap *= 2;
		}
	}
	ret = !text ? -ENOMEM : ferror(f) ? -EIO : 0;
	fclose(f);
	dir = ret ? NULL : strdup(path);
	if (!ret && !dir)
		ret = -ENOMEM;
	if (ret) {
		free(text);
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror(-ret));
		return ret;
	}
	slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = 0;
	else
		dir[0] = 0;
	ret = domcfg_parse(c, text, len, path, dir, err, errlen);
	free(dir);
	free(text);
	return ret;
}

/**
 * domcfg_override() - apply one "KEY=VALUE" from the command line
 * @c: the configuration, after the file
 * @arg: the argument
 * @argno: its position among the overrides, from 1, for messages
 *	("command line:2: memory: ...")
 * @err: the reason on failure
 * @errlen: size of @err
 *
 * VALUE is written as in a file, except that a string key takes an
 * unquoted value as it is ("extra=console=ttyS0 quiet"). An override
 * replaces what the file said; the same key twice on the command line is
 * an error.
 *
 * Return: 0 or -EINVAL with @err set.
 */
int domcfg_override(struct domcfg *c, const char *arg, unsigned int argno,
		    char *err, size_t errlen)
{
	struct parser p = {
		.line = argno, .fname = DOMCFG_CMDLINE_NAME, .override = true,
		.err = err, .errlen = errlen, .c = c,
	};
	const char *eq = strchr(arg, '=');
	struct value v = { 0 };
	int k, ret;
	enum tok t;

	p.text = eq ? strndup(arg, eq - arg) : NULL;
	if (!eq || !p.text || !*trim(p.text)) {
		free(p.text);
		return fail_at(&p, argno, "'%s': expected KEY=VALUE", arg);
	}
	{
		char *key = strdup(trim(p.text));

		free(p.text);
		p.text = key;
	}
	if (!p.text)
		return fail_at(&p, argno, "out of memory");
	ret = check_key(&p, &k);
	if (ret)
		goto out;

	p.s = eq + 1;
	p.end = p.s + strlen(p.s);
	while (*p.s == ' ' || *p.s == '\t')
		p.s++;
	if ((keys[k].type == KT_STRING || keys[k].type == KT_PATH ||
	     keys[k].type == KT_ACTION) && *p.s != '"') {
		/* Unquoted: the whole rest, as the shell passed it. */
		v.line = argno;
		v.str = strdup(p.s);
		if (!v.str) {
			ret = fail_at(&p, argno, "out of memory");
			goto out;
		}
	} else {
		ret = parse_value(&p, &v);
		if (!ret) {
			t = lex(&p);
			if (t == T_ERR)
				ret = -EINVAL;
			else if (t != T_EOF)
				ret = fail_at(&p, argno, "expected the end of the argument after the value");
		}
		/* Lines inside a value do not exist on the command line. */
		p.line = argno;
	}
	if (!ret)
		ret = apply(&p, k, &v);
	if (!ret)
		c->arg_no[k] = argno;
out:
	value_free(&v);
	free(p.text);
	return ret;
}

/**
 * domcfg_finish() - check that the keys a domain needs are there
 * @c: the configuration, after the file and the overrides
 * @fname: the file name for messages
 * @err: the reason on failure: "FILE: KEY: required key is missing" (no
 *	line: the key is on none)
 * @errlen: size of @err
 *
 * Return: 0 or -EINVAL with @err set.
 */
int domcfg_finish(struct domcfg *c, const char *fname, char *err,
		  size_t errlen)
{
	if (!c->name[0]) {
		snprintf(err, errlen, "%s: name: required key is missing (e.g. name = \"web\")",
			 fname);
		return -EINVAL;
	}
	if (!c->kernel) {
		snprintf(err, errlen, "%s: kernel: required key is missing (e.g. kernel = \"/boot/vmlinuz\")",
			 fname);
		return -EINVAL;
	}
	return 0;
}

/**
 * domcfg_full_cmdline() - cmdline, then extra, separated by a blank
 * @c: the configuration
 *
 * Return: a new string ("" when neither is set), or NULL without memory.
 */
char *domcfg_full_cmdline(const struct domcfg *c)
{
	const char *a = c->cmdline ? c->cmdline : "";
	const char *b = c->extra ? c->extra : "";
	char *r;

	if (asprintf(&r, "%s%s%s", a, *a && *b ? " " : "", b) < 0)
		return NULL;
	return r;
}

/**
 * domcfg_action_name() - "destroy", "restart" or "preserve"
 * @a: the action
 *
 * Return: its name in a configuration file.
 */
const char *domcfg_action_name(enum domcfg_action a)
{
	return a <= DOMCFG_PRESERVE ? action_names[a] : "?";
}

/**
 * domcfg_key_name() - a key as written in a configuration file
 * @k: the key
 *
 * Return: e.g. "memory".
 */
const char *domcfg_key_name(enum domcfg_key k)
{
	return k < DK_COUNT ? keys[k].name : "?";
}
