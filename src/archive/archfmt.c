/*
 * archfmt.c - archive names and formats, member path checks, ACLs and
 * attribute blobs (see archfmt.h).
 */
#include <sys/types.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "archfmt.h"
#include "util.h"
#include "worker/xblob.h"

/* Names that make an operand an archive, longest first. */
static const struct {
	const char	*suffix;
	int		 format, filter;
} suffixes[] = {
	{ ".tar.gz", AF_PAX, AZ_GZIP },
	{ ".tar.xz", AF_PAX, AZ_XZ },
	{ ".tar.zst", AF_PAX, AZ_ZSTD },
	{ ".tar.bz2", AF_PAX, AZ_BZIP2 },
	{ ".cpio.gz", AF_CPIO, AZ_GZIP },
	{ ".cpio.xz", AF_CPIO, AZ_XZ },
	{ ".cpio.zst", AF_CPIO, AZ_ZSTD },
	{ ".tgz", AF_PAX, AZ_GZIP },
	{ ".txz", AF_PAX, AZ_XZ },
	{ ".tzst", AF_PAX, AZ_ZSTD },
	{ ".tbz2", AF_PAX, AZ_BZIP2 },
	{ ".tar", AF_PAX, AZ_NONE },
	{ ".cpio", AF_CPIO, AZ_NONE },
	{ ".zip", AF_ZIP, AZ_NONE },
};

/*
 * Is name an archive's name (by its suffix)?  Returns 1 and fills spec,
 * or 0.
 */
int
archfmt_by_name(const char *name, struct archspec *spec)
{
	size_t len = strlen(name), sl;

	for (size_t i = 0; i < NELEM(suffixes); i++) {
		sl = strlen(suffixes[i].suffix);
		if (len > sl && strcmp(name + len - sl, suffixes[i].suffix) == 0) {
			spec->format = suffixes[i].format;
			spec->filter = suffixes[i].filter;
			return 1;
		}
	}
	return 0;
}

/* --format=tar|pax|cpio|zip; -1 for anything else. */
int
archfmt_parse_format(const char *s)
{
	if (strcmp(s, "pax") == 0)
		return AF_PAX;
	if (strcmp(s, "tar") == 0)
		return AF_TAR;
	if (strcmp(s, "cpio") == 0)
		return AF_CPIO;
	if (strcmp(s, "zip") == 0)
		return AF_ZIP;
	return -1;
}

/* --compress=none|gzip|xz|zstd|bzip2; -1 for anything else. */
int
archfmt_parse_filter(const char *s)
{
	static const struct {
		const char *name;
		int filter;
	} names[] = {
		{ "none", AZ_NONE }, { "gzip", AZ_GZIP }, { "gz", AZ_GZIP },
		{ "xz", AZ_XZ }, { "zstd", AZ_ZSTD }, { "zst", AZ_ZSTD },
		{ "bzip2", AZ_BZIP2 }, { "bz2", AZ_BZIP2 },
	};

	for (size_t i = 0; i < NELEM(names); i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].filter;
	return -1;
}

const char *
archfmt_format_name(int format)
{
	switch (format) {
	case AF_PAX:
		return "pax";
	case AF_TAR:
		return "tar";
	case AF_CPIO:
		return "cpio";
	case AF_ZIP:
		return "zip";
	default:
		return "none";
	}
}

/*
 * Set a writer's format and compression.  pax keeps everything pcopy
 * copies (ns times, xattrs as SCHILY.xattr, which GNU tar reads, ACLs,
 * sparse maps); "tar" is restricted pax, plain ustar unless an entry
 * needs more.  Names that are not UTF-8 are stored as they are, marked
 * hdrcharset=BINARY (only those: GNU tar warns about the keyword).  gzip
 * leaves the time out of its header so the same tree gives the same
 * bytes.  Returns ARCHIVE_OK or an error of libarchive.
 */
int
archfmt_setup_writer(struct archive *a, const struct archspec *spec)
{
	int r;

	switch (spec->format) {
	case AF_CPIO:
		r = archive_write_set_format_cpio_newc(a);
		break;
	case AF_ZIP:
		r = archive_write_set_format_zip(a);
		break;
	case AF_TAR:
		r = archive_write_set_format_pax_restricted(a);
		break;
	default:
		r = archive_write_set_format_pax(a);
		break;
	}
	if (r == ARCHIVE_OK && (spec->format == AF_PAX ||
	    spec->format == AF_TAR))
		r = archive_write_set_format_option(a, "pax", "xattrheader",
		    "SCHILY");
	if (r != ARCHIVE_OK)
		return r;
	switch (spec->filter) {
	case AZ_GZIP:
		if ((r = archive_write_add_filter_gzip(a)) == ARCHIVE_OK)
			r = archive_write_set_filter_option(a, "gzip",
			    "timestamp", NULL);
		return r;
	case AZ_XZ:
		return archive_write_add_filter_xz(a);
	case AZ_ZSTD:
		return archive_write_add_filter_zstd(a);
	case AZ_BZIP2:
		return archive_write_add_filter_bzip2(a);
	default:
		return ARCHIVE_OK;
	}
}

/*
 * A time before 1970 with a fraction of a second, in a pax header, is a
 * decimal number: -12.5 is half a second before -12, as GNU tar writes and
 * reads it.  libarchive 3.6 writes the seconds of such a time rounded
 * down, then the fraction, and reads it back the same way: one second off
 * for everyone else.  pcopy gives and takes the standard's number: the
 * seconds handed to libarchive (archfmt_time_out) and taken from it
 * (archfmt_time_in) are moved by one where they meet that fault.
 */
int64_t
archfmt_time_out(int64_t sec, uint32_t nsec)
{
	return sec < 0 && nsec > 0 ? sec + 1 : sec;
}

int64_t
archfmt_time_in(int64_t sec, uint32_t nsec)
{
	return sec < 0 && nsec > 0 ? sec - 1 : sec;
}

/* The kernel's POSIX ACL attribute: version 2, then (tag, perm, id). */
#define XACL_VERSION	2
#define XACL_UNDEFINED	0xffffffffu

static const struct {
	uint16_t kernel;
	int	 archive;
} acl_tags[] = {
	{ 0x01, ARCHIVE_ENTRY_ACL_USER_OBJ },
	{ 0x02, ARCHIVE_ENTRY_ACL_USER },
	{ 0x04, ARCHIVE_ENTRY_ACL_GROUP_OBJ },
	{ 0x08, ARCHIVE_ENTRY_ACL_GROUP },
	{ 0x10, ARCHIVE_ENTRY_ACL_MASK },
	{ 0x20, ARCHIVE_ENTRY_ACL_OTHER },
};

static int
tag_to_archive(uint16_t tag)
{
	for (size_t i = 0; i < NELEM(acl_tags); i++)
		if (acl_tags[i].kernel == tag)
			return acl_tags[i].archive;
	return -1;
}

static int
tag_to_kernel(int tag)
{
	for (size_t i = 0; i < NELEM(acl_tags); i++)
		if (acl_tags[i].archive == tag)
			return acl_tags[i].kernel;
	return -1;
}

/*
 * Add the ACL in the kernel attribute value (len bytes) to entry e as
 * ACL type (ARCHIVE_ENTRY_ACL_TYPE_ACCESS or _DEFAULT), with user and
 * group names where they are known, as GNU tar wants both.  Returns 0,
 * or -1 for a value that is not an ACL.
 */
int
archfmt_acl_to_entry(struct archive_entry *e, int type, const void *val,
    size_t len)
{
	const unsigned char *p = val;
	uint32_t version, id;
	uint16_t tag, perm;
	const char *name;
	int atag, aperm;

	if (len < 4 || (len - 4) % 8 != 0)
		return -1;
	memcpy(&version, p, 4);
	if (version != XACL_VERSION)
		return -1;
	for (size_t off = 4; off < len; off += 8) {
		memcpy(&tag, p + off, 2);
		memcpy(&perm, p + off + 2, 2);
		memcpy(&id, p + off + 4, 4);
		if ((atag = tag_to_archive(tag)) == -1)
			return -1;
		aperm = ((perm & 4) ? ARCHIVE_ENTRY_ACL_READ : 0) |
		    ((perm & 2) ? ARCHIVE_ENTRY_ACL_WRITE : 0) |
		    ((perm & 1) ? ARCHIVE_ENTRY_ACL_EXECUTE : 0);
		name = NULL;
		if (atag == ARCHIVE_ENTRY_ACL_USER) {
			struct passwd *pw = getpwuid((uid_t)id);

			name = pw != NULL ? pw->pw_name : NULL;
		} else if (atag == ARCHIVE_ENTRY_ACL_GROUP) {
			struct group *gr = getgrgid((gid_t)id);

			name = gr != NULL ? gr->gr_name : NULL;
		} else {
			id = (uint32_t)-1;
		}
		if (archive_entry_acl_add_entry(e, type, aperm, atag, (int)id,
		    name) != ARCHIVE_OK)
			return -1;
	}
	return 0;
}

struct xacl {
	uint16_t tag, perm;
	uint32_t id;
};

static int
cmp_xacl(const void *a, const void *b)
{
	const struct xacl *x = a, *y = b;

	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/*
 * The uid or gid a named ACL entry is for: by name when the name is known
 * here (GNU tar writes names only, as tar restores owners by name), else
 * its number; -1 when neither.
 */
static int64_t
acl_qualifier(int user, int id, const char *name)
{
	struct passwd *pw;
	struct group *gr;

	if (name != NULL && *name != '\0') {
		if (user && (pw = getpwnam(name)) != NULL)
			return pw->pw_uid;
		if (!user && (gr = getgrnam(name)) != NULL)
			return gr->gr_gid;
	}
	return id;
}

/*
 * The ACL of type in entry e as a kernel attribute, added to blob as
 * system.posix_acl_access or _default.  An access ACL of the three base
 * entries only is the mode, not an ACL: nothing is added.  Named entries
 * are for the user or group of that name here, or else of the archive's
 * number.  Returns 0, or -1 for an ACL that
 * cannot be expressed.
 */
int
archfmt_acl_from_entry(struct archive_entry *e, int type, struct xblob *blob)
{
	int atype, aperm, atag, id, n, k = 0, named = 0;
	const char *name;
	struct xacl *ents;
	unsigned char *val;
	uint32_t version = XACL_VERSION;

	if ((n = archive_entry_acl_reset(e, type)) <= 0)
		return 0;
	ents = xcalloc((size_t)n, sizeof(*ents));
	while (k < n && archive_entry_acl_next(e, type, &atype, &aperm, &atag,
	    &id, &name) == ARCHIVE_OK) {
		int kt = tag_to_kernel(atag);

		if (kt == -1) {
			free(ents);
			return -1;
		}
		ents[k].tag = (uint16_t)kt;
		ents[k].perm = (uint16_t)(((aperm & ARCHIVE_ENTRY_ACL_READ) ? 4 :
		    0) | ((aperm & ARCHIVE_ENTRY_ACL_WRITE) ? 2 : 0) |
		    ((aperm & ARCHIVE_ENTRY_ACL_EXECUTE) ? 1 : 0));
		if (kt == 0x02 || kt == 0x08) {
			int64_t q = acl_qualifier(kt == 0x02, id, name);

			if (q < 0 || q >= XACL_UNDEFINED) {
				free(ents);
				return -1;
			}
			ents[k].id = (uint32_t)q;
		} else {
			ents[k].id = XACL_UNDEFINED;
		}
		named |= kt == 0x02 || kt == 0x08 || kt == 0x10;
		k++;
	}
	if (k > 0 && (named || type == ARCHIVE_ENTRY_ACL_TYPE_DEFAULT)) {
		qsort(ents, (size_t)k, sizeof(*ents), cmp_xacl);
		val = xmalloc(4 + 8 * (size_t)k);
		memcpy(val, &version, 4);
		for (int i = 0; i < k; i++) {
			memcpy(val + 4 + 8 * i, &ents[i].tag, 2);
			memcpy(val + 4 + 8 * i + 2, &ents[i].perm, 2);
			memcpy(val + 4 + 8 * i + 4, &ents[i].id, 4);
		}
		xblob_add(blob, type == ARCHIVE_ENTRY_ACL_TYPE_DEFAULT ?
		    "system.posix_acl_default" : "system.posix_acl_access",
		    val, 4 + 8 * (size_t)k);
		free(val);
	}
	free(ents);
	return 0;
}
