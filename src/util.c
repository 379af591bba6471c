/*
 * util.c - small helpers every module uses.
 */
#include <sys/resource.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

const char *progname = "pcopy";

static void (*msg_hook)(void *);
static void *msg_hook_arg;

static _Noreturn void
out_of_memory(void)
{
	static const char m[] = "pcopy: out of memory\n";

	(void)write(STDERR_FILENO, m, sizeof(m) - 1);
	_exit(2);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

void *
xrealloc(void *old, size_t n)
{
	void *p = realloc(old, n ? n : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	(void)vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/*
 * Install a function that runs before any message is printed; the progress
 * display uses it to clear its line.
 */
void
msg_set_hook(void (*hook)(void *), void *arg)
{
	msg_hook = hook;
	msg_hook_arg = arg;
}

/*
 * Format "pcopy: MESSAGE: REASON\n" into buf (REASON left out when err is
 * 0), as much as fits.  Returns the length of the whole line.
 */
static size_t format_line(char *, size_t, int, const char *, va_list)
    __attribute__((format(printf, 4, 0)));

static size_t
format_line(char *buf, size_t len, int err, const char *fmt, va_list ap)
{
	size_t n = 0;
	int r;

	r = snprintf(buf, len, "%s: ", progname);
	n += r < 0 ? 0 : (size_t)r;
	r = vsnprintf(buf + MIN(n, len), len - MIN(n, len), fmt, ap);
	n += r < 0 ? 0 : (size_t)r;
	if (err != 0) {
		r = snprintf(buf + MIN(n, len), len - MIN(n, len), ": %s",
		    strerror(err));
		n += r < 0 ? 0 : (size_t)r;
	}
	if (n + 1 < len) {
		buf[n] = '\n';
		buf[n + 1] = '\0';
	}
	return n + 1;
}

/*
 * Print "pcopy: MESSAGE: REASON" (REASON left out when err is 0).  The line
 * is built first and written with one call so that messages of concurrent
 * processes do not interleave.  A line longer than the stack buffer (a
 * path deeper than PATH_MAX) goes to the heap, so its reason is not cut.
 */
void
vwarnc(int err, const char *fmt, va_list ap)
{
	char stackbuf[8192], *line = stackbuf, *big = NULL;
	size_t n;
	va_list again;

	if (msg_hook != NULL)
		msg_hook(msg_hook_arg);
	va_copy(again, ap);
	n = format_line(stackbuf, sizeof(stackbuf), err, fmt, ap);
	if (n >= sizeof(stackbuf) && (big = malloc(n + 1)) != NULL) {
		/* Never more than the buffer holds, whatever the args did. */
		n = MIN(format_line(big, n + 1, err, fmt, again), n);
		line = big;
	} else if (n >= sizeof(stackbuf)) {
		n = sizeof(stackbuf) - 1;	/* no memory: cut it */
		stackbuf[n - 1] = '\n';
	}
	va_end(again);
	(void)write_full(STDERR_FILENO, line, n);
	free(big);
}

void
warnc(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnc(err, fmt, ap);
	va_end(ap);
}

void
warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnc(0, fmt, ap);
	va_end(ap);
}

void
errx(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnc(0, fmt, ap);
	va_end(ap);
	exit(code);
}

void
errc(int code, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnc(err, fmt, ap);
	va_end(ap);
	exit(code);
}

/*
 * Write all of buf, retrying short writes and EINTR.  Returns len, or -1
 * with errno set.
 */
ssize_t
write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t left = len;
	ssize_t n;

	while (left > 0) {
		n = write(fd, p, left);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	return (ssize_t)len;
}

/*
 * Read until len bytes or end of file.  Returns the number of bytes read
 * (short only at end of file), or -1 with errno set.
 */
ssize_t
read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, p + got, len - got);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/*
 * Check a path from outside (an archive member's, a --files-from line)
 * that must stay below where it is used, and write its clean form to out:
 * relative, no "..", no empty name; "." and empty components dropped
 * ("./a//b/" -> "a/b").  The root itself ("." or "./") gives ".".
 * Returns 0, or -1 with errno EINVAL (unsafe) or ENAMETOOLONG.
 */
int
path_safe_relative(const char *in, char *out, size_t outsz)
{
	const char *p = in, *s;
	size_t o = 0, n;

	if (in == NULL || *in == '\0' || *in == '/') {
		errno = EINVAL;
		return -1;
	}
	while (*p != '\0') {
		s = p;
		while (*p != '\0' && *p != '/')
			p++;
		n = (size_t)(p - s);
		if (*p == '/')
			p++;
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			errno = EINVAL;
			return -1;
		}
		if (n > 255 || o + n + 2 > outsz) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (o > 0)
			out[o++] = '/';
		memcpy(out + o, s, n);
		o += n;
	}
	if (o == 0) {
		if (outsz < 2) {
			errno = ENAMETOOLONG;
			return -1;
		}
		out[o++] = '.';
	}
	out[o] = '\0';
	return 0;
}

/* Join two path parts with exactly one slash between them. */
char *
path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	if (la == 0)
		return xstrdup(b);
	if (strcmp(a, ".") == 0 && b[0] != '\0')
		return xstrdup(b);
	while (la > 1 && a[la - 1] == '/')
		la--;
	if (a[la - 1] == '/')
		return xasprintf("%.*s%s", (int)la, a, b);
	return xasprintf("%.*s/%s", (int)la, a, b);
}

/* dirname(3) without modifying the argument; "." when there is no slash. */
char *
path_dirname(const char *p)
{
	size_t n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		n--;
	while (n > 0 && p[n - 1] != '/')
		n--;
	if (n == 0)
		return xstrdup(".");
	while (n > 1 && p[n - 1] == '/')
		n--;
	return xstrndup(p, n);
}

/* basename(3) without modifying the argument; trailing slashes ignored. */
char *
path_basename(const char *p)
{
	size_t end = strlen(p), start;

	while (end > 1 && p[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && p[start - 1] != '/')
		start--;
	if (end == 1 && p[0] == '/')
		return xstrdup("/");
	return xstrndup(p + start, end - start);
}

/*
 * Make a path safe to print inside quotes on one line: control bytes
 * become C escapes and a backslash is doubled.  Bytes from 0x80 up pass
 * through unchanged so UTF-8 names stay readable.
 */
char *
path_quote(const char *p)
{
	size_t n = 0;
	const unsigned char *s;
	char *out, *o;

	for (s = (const unsigned char *)p; *s != '\0'; s++)
		n += (*s < 0x20 || *s == 0x7f) ? 4 : (*s == '\\' ? 2 : 1);
	out = o = xmalloc(n + 1);
	for (s = (const unsigned char *)p; *s != '\0'; s++) {
		if (*s == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else if (*s == '\t') {
			*o++ = '\\';
			*o++ = 't';
		} else if (*s < 0x20 || *s == 0x7f) {
			(void)sprintf(o, "\\%03o", *s);
			o += 4;
		} else if (*s == '\\') {
			*o++ = '\\';
			*o++ = '\\';
		} else
			*o++ = (char)*s;
	}
	*o = '\0';
	return out;
}

/*
 * Parse a size such as "64M", "1GiB", "4096" or "512k" (binary units).
 * Returns 0, or -1 with errno set to EINVAL or ERANGE.
 */
int
parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGTPE";
	unsigned long long v, mult = 1;
	const char *u;
	char *end;

	if (!isdigit((unsigned char)*s)) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end != '\0') {
		u = strchr(units, toupper((unsigned char)*end));
		if (u == NULL) {
			errno = EINVAL;
			return -1;
		}
		for (long i = 0; i <= u - units; i++)
			mult *= 1024;
		end++;
		if (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0)
			end += strlen(end);
		if (*end != '\0') {
			errno = EINVAL;
			return -1;
		}
	}
	if (v > UINT64_MAX / mult) {
		errno = ERANGE;
		return -1;
	}
	*out = v * mult;
	return 0;
}

/* Monotonic time in seconds. */
double
now_seconds(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Make room in the descriptor table for n descriptors now.  Linux grows
 * the table when a descriptor past its end is opened, and while threads
 * share the table each growth waits for an RCU grace period (the
 * synchronize_rcu() in expand_fdtable): on a VM that stalled every thread
 * of a small-file copy for over 10 ms, once per doubling.  Done before
 * the threads start, growing costs nothing of the sort.  Best effort: on
 * failure the table grows later, as it would anyway.
 */
void
fd_table_reserve(int n)
{
	struct rlimit rl;
	int base, hi;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && (rlim_t)n > rl.rlim_cur)
		n = (int)rl.rlim_cur;
	if (n <= 64 || (base = open("/", O_PATH | O_CLOEXEC)) == -1)
		return;
	if ((hi = fcntl(base, F_DUPFD_CLOEXEC, n - 1)) != -1)
		(void)close(hi);
	(void)close(base);
}

/* A string hash for the chained tables keyed by path (djb2). */
size_t
str_hash(const char *s)
{
	size_t h = 5381;

	while (*s != '\0')
		h = h * 33 + (unsigned char)*s++;
	return h;
}
