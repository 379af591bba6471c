/*
 * util.h - exiting allocators, full reads and writes, path helpers and
 * the one place that prints messages.
 */
#ifndef PCOPY_UTIL_H
#define PCOPY_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The worst result of a run so far; exit status follows from it. */
enum status { ST_OK, ST_WARN, ST_FAIL, ST_FATAL };

extern const char *progname;

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...)
	    __attribute__((format(printf, 1, 2)));

/*
 * Messages go to stderr with the program name in front.  A hook lets the
 * progress display clear its line first, so that a message never lands in
 * the middle of a bar.
 */
void	 msg_set_hook(void (*)(void *), void *);
void	 warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 warnc(int, const char *, ...) __attribute__((format(printf, 2, 3)));
void	 vwarnc(int, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
_Noreturn void errx(int, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
_Noreturn void errc(int, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

ssize_t	 write_full(int, const void *, size_t);
ssize_t	 read_full(int, void *, size_t);

char	*path_join(const char *, const char *);
char	*path_dirname(const char *);
char	*path_basename(const char *);
char	*path_quote(const char *);
int	 path_safe_relative(const char *, char *, size_t);

int	 parse_size(const char *, uint64_t *);
double	 now_seconds(void);
void	 fd_table_reserve(int);
size_t	 str_hash(const char *);

#endif
