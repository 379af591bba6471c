/*
 * archfmt.h - what the archive writer (pack.c) and reader (unpack.c)
 * share: telling archives from directories by name, formats and
 * compression, member path validation, ACLs between libarchive's entries
 * and the kernel's system.posix_acl_* attributes, and the attribute blob
 * a task carries instead of a source file.
 */
#ifndef PCOPY_ARCHFMT_H
#define PCOPY_ARCHFMT_H

#include <stddef.h>
#include <stdint.h>

struct archive;
struct archive_entry;

enum arch_format {
	AF_NONE, AF_PAX, AF_TAR, AF_CPIO, AF_ZIP
};
enum arch_filter {
	AZ_NONE, AZ_GZIP, AZ_XZ, AZ_ZSTD, AZ_BZIP2
};

struct archspec {
	int	format;		/* AF_* */
	int	filter;		/* AZ_* */
};

int	archfmt_by_name(const char *, struct archspec *);
int	archfmt_parse_format(const char *);
int	archfmt_parse_filter(const char *);
int	archfmt_setup_writer(struct archive *, const struct archspec *);
const char *archfmt_format_name(int);

int	archfmt_safe_path(const char *, char *, size_t);

/*
 * Extended attributes as one flat blob: records of a 32-bit name length,
 * the name and a NUL, a 32-bit value length and the value.
 */
struct xblob {
	unsigned char	*p;
	size_t		 len, cap;
};

void	xblob_add(struct xblob *, const char *, const void *, size_t);
int	xblob_next(const unsigned char *, size_t, size_t *, const char **,
	    const void **, size_t *);
void	xblob_free(struct xblob *);

int	archfmt_acl_to_entry(struct archive_entry *, int, const void *,
	    size_t);
int	archfmt_acl_from_entry(struct archive_entry *, int, struct xblob *);

#endif
