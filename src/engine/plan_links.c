/*
 * plan_links.c - hard links within the copied set.
 *
 * The first name of a group (same device and inode) is copied; names
 * seen while that copy runs wait on the group, and are linked to the copy
 * once it is done.  If the copy fails, the next name becomes the copy.
 * A group is forgotten once all its names were seen and no link task
 * still needs its directory and name.
 */
#include <stdlib.h>
#include <string.h>

#include "links.h"
#include "plan_int.h"
#include "util.h"

static void
link_to(struct linkrec *rec, struct ptask *pt)
{
	struct dirnode *d = rec->dir;
	struct task *t = &pt->c.t;

	t->kind = TASK_LINK;
	pt->link = rec;
	t->ldir.id = d->id;
	t->ldir.root = d->root;
	t->ldir.path = d->path;
	t->ldir.pathlen = d->pathlen;
	t->lname = rec->name;
	t->lnamelen = (uint16_t)strlen(rec->name);
	rec->users++;
}

/* Drop a group no task needs any more. */
static void
link_maybe_forget(struct plan *p, struct linkrec *rec)
{
	struct dirnode *d = rec->dir;

	if (rec->seen < rec->nlink || rec->waiters != NULL || rec->users > 0 ||
	    rec->state == LINK_COPYING)
		return;
	links_remove(p->links, rec);
	if (d != NULL) {
		d->links--;
		plan_dirnode_release(p, d);
	}
}

/*
 * A name of a hard-link group has been seen.  Returns 1 when it will be a
 * link (queued or waiting), 0 when it is to be copied (the group's first,
 * or the first after a failed copy).
 */
int
plan_link_join(struct plan *p, struct ptask *pt)
{
	const struct finfo *st = &pt->c.t.st;
	struct linkrec *rec = links_find(p->links, st->dev, st->ino);

	if (rec == NULL) {
		rec = links_add(p->links, st->dev, st->ino, st->nlink);
		rec->first = pt;
		pt->link = rec;
		return 0;
	}
	rec->seen++;
	switch (rec->state) {
	case LINK_DONE:
		link_to(rec, pt);
		plan_ready(p, pt);
		return 1;
	case LINK_COPYING:
		pt->c.t.kind = TASK_LINK;
		pt->link = rec;
		pt->jnext = rec->waiters;
		rec->waiters = pt;
		return 1;
	default:
		rec->first = pt;
		rec->state = LINK_COPYING;
		pt->link = rec;
		return 0;
	}
}

/* The copy a link group waited for is done (ok) or has failed. */
void
plan_link_copied(struct plan *p, struct ptask *pt, int ok)
{
	struct linkrec *rec = pt->link;
	struct dirnode *d = pt->dirnode;
	struct ptask *w;

	if (ok) {
		rec->state = LINK_DONE;
		rec->dir = d;
		d->links++;
		rec->name = xstrdup(task_target(&pt->c.t));
		while ((w = rec->waiters) != NULL) {
			rec->waiters = w->jnext;
			link_to(rec, w);
			plan_ready(p, w);
		}
	} else if ((w = rec->waiters) != NULL) {
		/* The next name becomes the copy. */
		rec->waiters = w->jnext;
		w->c.t.kind = (uint8_t)plan_kind_for(&w->c.t.st);
		rec->first = w;
		plan_schedule_copy(p, w);
	} else {
		rec->state = LINK_FAILED;
	}
	link_maybe_forget(p, rec);
}

/* A link task is finished: its group may now be forgotten. */
void
plan_link_done(struct plan *p, struct ptask *pt)
{
	struct linkrec *rec = pt->link;

	pt->link = NULL;
	rec->users--;
	link_maybe_forget(p, rec);
}
