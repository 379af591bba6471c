/*
 * task.c - helpers for tasks and for the flat buffer of directory entries.
 */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

#include "task.h"
#include "util.h"

/* A buffer with room for about cap bytes of records. */
struct entries *
entries_new(uint32_t cap)
{
	struct entries *e = xmalloc(sizeof(*e) + cap);

	e->count = 0;
	e->used = 0;
	e->cap = cap;
	e->refs = 0;
	return e;
}

/*
 * Append a record for name (len bytes) and return it so the caller can
 * fill in st and flags.  The buffer grows when needed, so *ep may move.
 */
struct entry *
entries_add(struct entries **ep, const char *name, size_t len)
{
	struct entries *e = *ep;
	size_t need = ENTRY_SIZE(len);
	struct entry *ent;

	if (e->used + need > e->cap) {
		uint32_t cap = e->cap * 2;

		while (e->used + need > cap)
			cap *= 2;
		e = xrealloc(e, sizeof(*e) + cap);
		e->cap = cap;
		*ep = e;
	}
	ent = (struct entry *)(void *)(e->data + e->used);
	memset(ent, 0, need);
	ent->namelen = (uint16_t)len;
	memcpy(ent->name, name, len);
	e->used += (uint32_t)need;
	e->count++;
	return ent;
}

/*
 * Iterate: *pos starts at 0; returns the next record or NULL at the end
 * or at a record that does not fit the buffer (a damaged message).
 */
struct entry *
entries_next(const struct entries *e, size_t *pos)
{
	const struct entry *ent;
	size_t size;

	if (*pos + offsetof(struct entry, name) + 1 > e->used)
		return NULL;
	ent = (const struct entry *)(const void *)(e->data + *pos);
	size = ENTRY_SIZE(ent->namelen);
	if (*pos + size > e->used || ent->name[ent->namelen] != '\0')
		return NULL;
	*pos += size;
	return (struct entry *)(uintptr_t)ent;
}

void
entries_free(struct entries *e)
{
	free(e);
}

void
finfo_from_stat(struct finfo *f, const struct stat *st)
{
	f->size = (uint64_t)st->st_size;
	f->ino = st->st_ino;
	f->dev = st->st_dev;
	f->rdev = st->st_rdev;
	f->blocks = (uint64_t)st->st_blocks;
	f->atime = st->st_atim.tv_sec;
	f->atime_ns = (uint32_t)st->st_atim.tv_nsec;
	f->mtime = st->st_mtim.tv_sec;
	f->mtime_ns = (uint32_t)st->st_mtim.tv_nsec;
	f->mode = st->st_mode;
	f->uid = st->st_uid;
	f->gid = st->st_gid;
	f->nlink = (uint32_t)st->st_nlink;
}

/* The name t's copy gets in its destination directory. */
const char *
task_target(const struct task *t)
{
	return t->dname != NULL ? t->dname : t->name;
}

const char *
task_kind_name(int kind)
{
	static const char *names[TASK_KIND_MAX] = {
		[TASK_SCAN] = "scan", [TASK_FILE] = "file",
		[TASK_CHUNK] = "chunk", [TASK_FINISH] = "finish",
		[TASK_LINK] = "link", [TASK_SYMLINK] = "symlink",
		[TASK_SPECIAL] = "special", [TASK_DIRMETA] = "dirmeta",
		[TASK_READ] = "read", [TASK_PUT] = "put",
		[TASK_PUTFIN] = "putfin",
	};

	if (kind <= 0 || kind >= TASK_KIND_MAX)
		return "unknown";
	return names[kind];
}
