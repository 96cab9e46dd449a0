// SPDX-License-Identifier: GPL-2.0
/*
 * The default agent's configuration and its "key = value" file format.
 *
 * Values are checked here exactly as tandem_policy.ko checks them
 * (kmod-policy/decide.c), so that a bad file is refused with its file,
 * line and key before anything is sent; the agent checks again, and stays
 * the authority for other agents' keys that this tool does not know.
 *
 * A key given twice in one file is an error, not "last wins": a file that
 * says two things about one limit is more likely a mistake than an intent,
 * and the administrator should find out before the limit is in force.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "pcfg.h"
#include "size.h"

/* 4 KiB: the agent's TPOL_MEM_ALIGN, the granule of guest memory. */
#define PCFG_MEM_ALIGN	4096ULL

/* States MEM_WRITE may be allowed in (the agent's TPOL_STATES_VALID). */
#define PCFG_STATES_VALID	((1U << TANDEM_STATE_CREATED) |		\
				 (1U << TANDEM_STATE_RUNNING) |		\
				 (1U << TANDEM_STATE_PAUSED) |		\
				 (1U << TANDEM_STATE_SHUTDOWN) |	\
				 (1U << TANDEM_STATE_CRASHED))

#define PCFG_STATES_ACCEPTED \
	"a comma-separated list of created, running, paused, shutdown, crashed, or none"

#define PCFG_KEYS_ACCEPTED \
	"max_domains, max_memory, max_vcpus, memory_pool, name_pattern, mem_write_states, cpus, weight, cap, on_crash, max_restarts, on_poweroff, on_reboot, disk_dirs, disk_ro_dirs, max_disks, max_nics or nic_names"

#define PCFG_CPUS_ACCEPTED \
	"all, or a CPU list such as 0-1,3: CPU numbers and ascending ranges, comma-separated"

#define PCFG_ACTIONS_ACCEPTED	"preserve, destroy or restart"

#define PCFG_DIRS_ACCEPTED \
	"nothing, or absolute directories separated by ':', such as /var/lib/tandem/disks:/srv/images"

static const char *const pcfg_actions[] = {
	[TANDEM_CRASH_PRESERVE] = "preserve",
	[TANDEM_CRASH_DESTROY] = "destroy",
	[TANDEM_CRASH_RESTART] = "restart",
};

/**
 * struct pcfg_key - one key: name, type, limits and where it is stored
 * @name: as written in the file
 * @type: &enum pcfg_type
 * @min: smallest value (numbers, sizes) or length (strings)
 * @max: largest value or length
 * @off: offset of its field in &struct pcfg
 */
struct pcfg_key {
	const char *name;
	enum pcfg_type type;
	uint64_t min, max;
	size_t off;
};

#define KEY(attr, n, t, lo, hi, field) \
	[attr] = { n, t, lo, hi, offsetof(struct pcfg, field) }

static const struct pcfg_key pcfg_keys[TANDEM_PCFG_A_MAX + 1] = {
	KEY(TANDEM_PCFG_A_MAX_DOMAINS, "max_domains", PCFG_U32,
	    1, UINT32_MAX, max_domains),
	KEY(TANDEM_PCFG_A_MAX_MEMORY, "max_memory", PCFG_SIZE,
	    PCFG_MEM_ALIGN, TANDEM_MEM_MAX, max_memory),
	KEY(TANDEM_PCFG_A_MAX_VCPUS, "max_vcpus", PCFG_U32,
	    1, TANDEM_MAX_VCPUS, max_vcpus),
	KEY(TANDEM_PCFG_A_MEMORY_POOL, "memory_pool", PCFG_SIZE,
	    PCFG_MEM_ALIGN, TANDEM_MEM_MAX, memory_pool),
	KEY(TANDEM_PCFG_A_NAME_PATTERN, "name_pattern", PCFG_STRING,
	    1, TANDEM_NAME_MAX - 1, name_pattern),
	KEY(TANDEM_PCFG_A_MEM_WRITE_STATES, "mem_write_states", PCFG_STATES,
	    0, PCFG_STATES_VALID, mem_write_states),
	KEY(TANDEM_PCFG_A_CPUS, "cpus", PCFG_CPUS,
	    1, TANDEM_CPULIST_MAX - 1, cpus),
	KEY(TANDEM_PCFG_A_WEIGHT, "weight", PCFG_U32, 1, 65535, weight),
	KEY(TANDEM_PCFG_A_CAP, "cap", PCFG_U32, 0, 100, cap),
	KEY(TANDEM_PCFG_A_ON_CRASH, "on_crash", PCFG_ACTION,
	    TANDEM_CRASH_PRESERVE, TANDEM_CRASH_RESTART, on_crash),
	KEY(TANDEM_PCFG_A_MAX_RESTARTS, "max_restarts", PCFG_U32,
	    0, UINT32_MAX, max_restarts),
	KEY(TANDEM_PCFG_A_ON_POWEROFF, "on_poweroff", PCFG_ACTION,
	    TANDEM_CRASH_PRESERVE, TANDEM_CRASH_RESTART, on_poweroff),
	KEY(TANDEM_PCFG_A_ON_REBOOT, "on_reboot", PCFG_ACTION,
	    TANDEM_CRASH_PRESERVE, TANDEM_CRASH_RESTART, on_reboot),
	KEY(TANDEM_PCFG_A_DISK_DIRS, "disk_dirs", PCFG_DIRS,
	    0, TANDEM_PATH_MAX - 1, disk_dirs),
	KEY(TANDEM_PCFG_A_DISK_RO_DIRS, "disk_ro_dirs", PCFG_DIRS,
	    0, TANDEM_PATH_MAX - 1, disk_ro_dirs),
	KEY(TANDEM_PCFG_A_MAX_DISKS, "max_disks", PCFG_U32,
	    0, TANDEM_VIRTIO_SLOTS, max_disks),
	KEY(TANDEM_PCFG_A_MAX_NICS, "max_nics", PCFG_U32,
	    0, TANDEM_VIRTIO_SLOTS, max_nics),
	KEY(TANDEM_PCFG_A_NIC_NAMES, "nic_names", PCFG_STRING,
	    1, PCFG_NIC_NAMES_MAX - 1, nic_names),
};

/**
 * pcfg_action_name() - the name of a crash action, or %NULL if unknown
 */
const char *pcfg_action_name(uint32_t action)
{
	if (action >= sizeof(pcfg_actions) / sizeof(pcfg_actions[0]))
		return NULL;
	return pcfg_actions[action];
}

/**
 * pcfg_key_by_name() - the attribute of a key
 *
 * Return: TANDEM_PCFG_A_*, or -1 for an unknown key.
 */
int pcfg_key_by_name(const char *name)
{
	int a;

	for (a = 1; a <= TANDEM_PCFG_A_MAX; a++)
		if (pcfg_keys[a].name && !strcmp(pcfg_keys[a].name, name))
			return a;
	return -1;
}

/**
 * pcfg_key_type() - &enum pcfg_type of attribute @attr, or -1 if unknown
 */
int pcfg_key_type(int attr)
{
	if (attr <= 0 || attr > TANDEM_PCFG_A_MAX || !pcfg_keys[attr].name)
		return -1;
	return pcfg_keys[attr].type;
}

static int pcfg_fail(char *err, size_t len, const char *key,
		     const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = snprintf(err, len, "%s: ", key);
	if (n < len) {
		va_start(ap, fmt);
		vsnprintf(err + n, len - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/*
 * Check a CPU list: "all", or N and N-M (N <= M) separated by commas.
 * Whether the CPUs exist is for the agent to say: it knows the host.
 */
static int pcfg_check_cpus(const char *key, const char *value,
			   char *err, size_t len)
{
	const char *p = value;

	if (!strcmp(value, "all"))
		return 0;
	for (;;) {
		unsigned long lo, hi;
		char *end;

		if (!isdigit((unsigned char)*p))
			goto bad;
		lo = strtoul(p, &end, 10);
		hi = lo;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				goto bad;
			hi = strtoul(p, &end, 10);
			p = end;
		}
		if (lo > hi || hi >= 1UL << 20)
			goto bad;
		if (!*p)
			return 0;
		if (*p++ != ',')
			goto bad;
	}
bad:
	return pcfg_fail(err, len, key, "'%s' is not a CPU list (expected "
			 PCFG_CPUS_ACCEPTED ")", value);
}

/*
 * Check a directory list: empty (no directory), or absolute paths
 * separated by ':', each without empty, "." or ".." components and
 * without a trailing '/' (except "/" itself): the agent compares them
 * with resolved paths, component by component.
 */
static int pcfg_check_dirs(const char *key, const char *value,
			   char *err, size_t len)
{
	const char *dir = value;

	if (!*value)
		return 0;
	for (;;) {
		size_t n = strcspn(dir, ":"), i;

		if (!n)
			return pcfg_fail(err, len, key,
					 "empty directory in '%s' (expected "
					 PCFG_DIRS_ACCEPTED ")", value);
		if (dir[0] != '/')
			return pcfg_fail(err, len, key,
					 "'%.*s' is not an absolute path (expected "
					 PCFG_DIRS_ACCEPTED ")", (int)n, dir);
		for (i = 0; n > 1 && i < n; i++) {
			size_t c;

			if (dir[i] != '/')
				continue;
			c = strcspn(dir + i + 1, "/:");
			if (!c && i + 1 == n)
				return pcfg_fail(err, len, key,
						 "'%.*s' ends with '/' (write it without)",
						 (int)n, dir);
			if (!c)
				return pcfg_fail(err, len, key,
						 "'%.*s' has an empty component ('//')",
						 (int)n, dir);
			if ((c == 1 && dir[i + 1] == '.') ||
			    (c == 2 && dir[i + 1] == '.' && dir[i + 2] == '.'))
				return pcfg_fail(err, len, key,
						 "'%.*s' has a '.' or '..' component (write the directory as it resolves)",
						 (int)n, dir);
		}
		if (!dir[n])
			return 0;
		dir += n + 1;
	}
}

/* Parse "created,paused" (or "none") into a mask of 1 << state. */
static int pcfg_parse_states(const char *key, const char *value,
			     uint32_t *mask, char *err, size_t len)
{
	char *copy, *tok, *save = NULL;
	int ret = 0;

	*mask = 0;
	if (!strcmp(value, "none"))
		return 0;
	copy = strdup(value);
	if (!copy)
		return pcfg_fail(err, len, key, "out of memory");
	/* strtok_r() would skip the empty item of "created,,paused". */
	for (tok = copy; tok; tok = save) {
		char *end;
		int s;

		save = strchr(tok, ',');
		if (save)
			*save++ = '\0';
		while (isspace((unsigned char)*tok))
			tok++;
		end = tok + strlen(tok);
		while (end > tok && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (!*tok) {
			ret = pcfg_fail(err, len, key,
					"empty state name in '%s' (expected " PCFG_STATES_ACCEPTED ")",
					value);
			break;
		}
		s = tandem_state_by_name(tok);
		if (s < 0) {
			ret = pcfg_fail(err, len, key,
					"unknown state '%s' (expected " PCFG_STATES_ACCEPTED ")",
					tok);
			break;
		}
		/* "none" and "dying" are states, but never writable ones. */
		if (!(PCFG_STATES_VALID & (1U << s))) {
			ret = pcfg_fail(err, len, key,
					"state '%s' cannot be listed (expected " PCFG_STATES_ACCEPTED ")",
					tok);
			break;
		}
		*mask |= 1U << s;
	}
	free(copy);
	return ret;
}

/**
 * pcfg_set() - check one key's value and store it in @c
 * @c: the configuration; the key's bit in @c->present is set on success
 * @key: e.g. "max_memory"
 * @value: e.g. "256M", without surrounding blanks
 * @err: on failure, "KEY: what is wrong (what is accepted)"
 * @len: size of @err
 *
 * Return: 0 or -EINVAL.
 */
int pcfg_set(struct pcfg *c, const char *key, const char *value,
	     char *err, size_t len)
{
	const struct pcfg_key *k;
	char *field;
	uint64_t v;
	uint32_t mask;
	int attr, ret;

	attr = pcfg_key_by_name(key);
	if (attr < 0)
		return pcfg_fail(err, len, key, "unknown key (expected " PCFG_KEYS_ACCEPTED ")");
	k = &pcfg_keys[attr];
	field = (char *)c + k->off;
	/* An empty directory list is a value: no directory. */
	if (!*value && k->type != PCFG_DIRS)
		return pcfg_fail(err, len, key, "missing value");

	switch (k->type) {
	case PCFG_U32:
		ret = parse_uint(value, 10, k->max, &v);
		if (ret == -EINVAL)
			return pcfg_fail(err, len, key,
					 "'%s' is not a number (expected an integer from %llu to %llu)",
					 value, (unsigned long long)k->min,
					 (unsigned long long)k->max);
		if (ret || v < k->min)
			return pcfg_fail(err, len, key,
					 "%s is out of range (expected %llu to %llu)",
					 value, (unsigned long long)k->min,
					 (unsigned long long)k->max);
		*(uint32_t *)field = v;
		break;
	case PCFG_SIZE: {
		char lo[SIZE_BUF], hi[SIZE_BUF];

		ret = parse_size(value, &v);
		if (ret == -EINVAL)
			return pcfg_fail(err, len, key, "'%s' is %s", value,
					 size_strerror(ret));
		if (ret || v < k->min || v > k->max)
			return pcfg_fail(err, len, key,
					 "%s is out of range (expected %s to %s)",
					 value, format_size(k->min, lo, sizeof(lo)),
					 format_size(k->max, hi, sizeof(hi)));
		if (v % PCFG_MEM_ALIGN)
			return pcfg_fail(err, len, key,
					 "%s is not a multiple of 4096 (4K)",
					 value);
		*(uint64_t *)field = v;
		break;
	}
	case PCFG_STRING:
		if (strlen(value) > k->max)
			return pcfg_fail(err, len, key,
					 "too long (%zu characters, at most %llu)",
					 strlen(value),
					 (unsigned long long)k->max);
		strcpy(field, value);
		break;
	case PCFG_STATES:
		ret = pcfg_parse_states(key, value, &mask, err, len);
		if (ret)
			return ret;
		*(uint32_t *)field = mask;
		break;
	case PCFG_CPUS:
		if (strlen(value) > k->max)
			return pcfg_fail(err, len, key,
					 "too long (%zu characters, at most %llu)",
					 strlen(value),
					 (unsigned long long)k->max);
		ret = pcfg_check_cpus(key, value, err, len);
		if (ret)
			return ret;
		strcpy(field, value);
		break;
	case PCFG_ACTION:
		for (v = 0; v <= k->max; v++)
			if (!strcmp(value, pcfg_actions[v]))
				break;
		if (v > k->max)
			return pcfg_fail(err, len, key,
					 "unknown action '%s' (expected "
					 PCFG_ACTIONS_ACCEPTED ")", value);
		*(uint32_t *)field = v;
		break;
	case PCFG_DIRS:
		if (strlen(value) > k->max)
			return pcfg_fail(err, len, key,
					 "too long (%zu characters, at most %llu)",
					 strlen(value),
					 (unsigned long long)k->max);
		ret = pcfg_check_dirs(key, value, err, len);
		if (ret)
			return ret;
		strcpy(field, value);
		break;
	}
	c->present |= 1U << attr;
	return 0;
}

/* Drop blanks at both ends of @s, in place. */
static char *pcfg_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* One line: blank, comment, or "key = value". */
static int pcfg_parse_line(struct pcfg *c, char *line, const char *where,
			   unsigned int lineno, unsigned int *first_line,
			   char *err, size_t len)
{
	char msg[PCFG_ERR_MAX];
	char *eq, *key, *value;
	int attr;

	line[strcspn(line, "#")] = '\0';
	line = pcfg_trim(line);
	if (!*line)
		return 0;

	eq = strchr(line, '=');
	if (!eq) {
		line[strcspn(line, " \t")] = '\0';
		snprintf(err, len, "%s: %s: missing '=' (expected KEY = VALUE)",
			 where, line);
		return -EINVAL;
	}
	*eq = '\0';
	key = pcfg_trim(line);
	value = pcfg_trim(eq + 1);
	if (!*key) {
		snprintf(err, len, "%s: missing key before '=' (expected KEY = VALUE)",
			 where);
		return -EINVAL;
	}
	attr = pcfg_key_by_name(key);
	if (attr > 0 && first_line[attr]) {
		snprintf(err, len, "%s: %s: duplicate key (first set on line %u)",
			 where, key, first_line[attr]);
		return -EINVAL;
	}
	if (pcfg_set(c, key, value, msg, sizeof(msg))) {
		snprintf(err, len, "%s: %s", where, msg);
		return -EINVAL;
	}
	first_line[attr] = lineno;
	return 0;
}

/**
 * pcfg_parse_file() - read every "key = value" line of @f into @c
 * @c: the configuration (keys not in the file are left alone)
 * @f: the file
 * @fname: its name, for messages
 * @err: on failure, "FILE:LINE: KEY: what is wrong (what is accepted)"
 * @len: size of @err
 *
 * '#' starts a comment; blank lines are ignored; a key may appear once.
 * Stops at the first error.
 *
 * Return: 0 or -EINVAL (bad content) or -EIO (read error).
 */
int pcfg_parse_file(struct pcfg *c, FILE *f, const char *fname,
		    char *err, size_t len)
{
	unsigned int first_line[TANDEM_PCFG_A_MAX + 1] = { 0 };
	char where[PCFG_ERR_MAX / 2];
	unsigned int lineno = 0;
	size_t cap = 0;
	char *line = NULL;
	int ret = 0;

	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%u", fname, lineno);
		ret = pcfg_parse_line(c, line, where, lineno, first_line,
				      err, len);
		if (ret)
			break;
	}
	if (!ret && ferror(f)) {
		snprintf(err, len, "%s: read error", fname);
		ret = -EIO;
	}
	free(line);
	return ret;
}

/**
 * pcfg_store() - put a value as received (POLICY_GET) into @c, unchecked
 *
 * The agent's own configuration is shown as it is, even a value this
 * tool would refuse; an attribute this tool does not know is skipped.
 */
void pcfg_store(struct pcfg *c, const struct pcfg_value *v)
{
	const struct pcfg_key *k;
	char *field;

	if (pcfg_key_type(v->attr) < 0)
		return;
	k = &pcfg_keys[v->attr];
	field = (char *)c + k->off;
	switch (k->type) {
	case PCFG_U32:
	case PCFG_STATES:
	case PCFG_ACTION:
		*(uint32_t *)field = v->num;
		break;
	case PCFG_SIZE:
		*(uint64_t *)field = v->num;
		break;
	case PCFG_STRING:
	case PCFG_CPUS:
	case PCFG_DIRS:
		/* Every string key's field holds its longest value. */
		snprintf(field, k->max + 1, "%s", v->str);
		break;
	}
	c->present |= 1U << v->attr;
}

/**
 * pcfg_foreach() - call @fn for each key present in @c, in attribute order
 *
 * Return: 0, or the first non-zero value @fn returned.
 */
int pcfg_foreach(const struct pcfg *c, pcfg_fn fn, void *arg)
{
	struct pcfg_value v;
	const char *field;
	int attr, ret;

	for (attr = 1; attr <= TANDEM_PCFG_A_MAX; attr++) {
		if (!pcfg_keys[attr].name || !(c->present & (1U << attr)))
			continue;
		field = (const char *)c + pcfg_keys[attr].off;
		v = (struct pcfg_value){
			.attr = attr,
			.name = pcfg_keys[attr].name,
			.type = pcfg_keys[attr].type,
		};
		if (v.type == PCFG_SIZE)
			v.num = *(const uint64_t *)field;
		else if (v.type == PCFG_STRING || v.type == PCFG_CPUS ||
			 v.type == PCFG_DIRS)
			v.str = field;
		else
			v.num = *(const uint32_t *)field;
		ret = fn(arg, &v);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * pcfg_states_format() - @mask as "created,paused", or "none" when empty
 */
void pcfg_states_format(uint32_t mask, char *buf, size_t len)
{
	size_t n = 0;
	int s;

	buf[0] = '\0';
	for (s = 0; s < 32 && n < len; s++) {
		const char *name;

		if (!(mask & (1U << s)))
			continue;
		name = tandem_state_name(s);
		if (name)
			n += snprintf(buf + n, len - n, "%s%s", n ? "," : "",
				      name);
		else
			n += snprintf(buf + n, len - n, "%s%d", n ? "," : "",
				      s);
	}
	if (!n)
		snprintf(buf, len, "none");
}

/**
 * pcfg_format() - a value as written in the file, so that it loads back
 *
 * Return: @buf
 */
char *pcfg_format(const struct pcfg_value *v, char *buf, size_t len)
{
	switch (v->type) {
	case PCFG_U32:
		snprintf(buf, len, "%llu", (unsigned long long)v->num);
		break;
	case PCFG_SIZE:
		format_size(v->num, buf, len);
		break;
	case PCFG_STRING:
	case PCFG_CPUS:
	case PCFG_DIRS:
		snprintf(buf, len, "%s", v->str);
		break;
	case PCFG_STATES:
		pcfg_states_format(v->num, buf, len);
		break;
	case PCFG_ACTION:
		if (pcfg_action_name(v->num))
			snprintf(buf, len, "%s", pcfg_action_name(v->num));
		else
			snprintf(buf, len, "%llu", (unsigned long long)v->num);
		break;
	}
	return buf;
}
