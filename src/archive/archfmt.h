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
struct xblob;

/*
 * File data travels between the archive and the workers in pieces of at
 * most ARCH_PIECE bytes, with at most about ARCH_WINDOW bytes of them in
 * memory at once, whatever the files.
 */
#define ARCH_PIECE	(4u << 20)
#define ARCH_WINDOW	(64u << 20)

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
int64_t	archfmt_time_out(int64_t, uint32_t);
int64_t	archfmt_time_in(int64_t, uint32_t);
const char *archfmt_format_name(int);

int	archfmt_acl_to_entry(struct archive_entry *, int, const void *,
	    size_t);
int	archfmt_acl_from_entry(struct archive_entry *, int, struct xblob *);

#endif
