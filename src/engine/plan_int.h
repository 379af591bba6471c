/*
 * plan_int.h - what the files of the copy job share: plan.c (tasks,
 * directories, events), plan_links.c (hard-link groups), plan_chunks.c
 * (files copied in chunks) and plan_list.c (--files-from).  Not for
 * other modules.
 */
#ifndef PCOPY_PLAN_INT_H
#define PCOPY_PLAN_INT_H

#include <stdint.h>
#include <stdio.h>

#include "coord.h"
#include "plan.h"
#include "task.h"

struct flist;
struct linktab;
struct runconf;

struct dirnode {
	uint64_t	 id;
	struct dirnode	*parent;
	uint32_t	 root;
	uint32_t	 pending;	/* unfinished children, +1 listing */
	uint32_t	 links;		/* link groups whose copy is here */
	uint8_t		 fresh, pristine, ours, done;
	struct finfo	 st;
	uint64_t	 cookie;	/* where the next scan part starts */
	struct dirnode	*snext;		/* on the scan stack */
	struct dirnode	*anext, *aprev;	/* every live dirnode, for freeing */
	uint32_t	 pathlen;
	char		 path[];	/* below the root; "." for the top */
};

struct bigfile;
struct linkrec;

/* A task of the copy: the coordinator's record and the plan's own. */
struct ptask {
	struct ctask	 c;		/* first: what the coordinator sees */
	struct ptask	*jnext;		/* a link group's waiters; free list */
	struct dirnode	*dirnode;
	struct entries	*ents;		/* holds name; a scan's result */
	struct bigfile	*big;		/* chunked file it belongs to */
	struct linkrec	*link;		/* hard-link group it copies or joins */
};

/* A file copied in chunks; its template task becomes TASK_FINISH. */
struct bigfile {
	struct ptask	*tmpl;
	uint32_t	 chunks, left;
	uint32_t	 next_chunk;	/* the next one to hand out */
	uint32_t	 inflight;	/* chunks out and not yet done */
	int		 failed;
	int		 told_changed;	/* "replaced"/"shrank" said once */
	int		 finishing;	/* tmpl is out as TASK_FINISH */
	struct bigfile	*next, *prev;
	struct bigfile	*rnext;		/* in the chunk ring */
};

struct plan {
	const struct runconf *rc;
	struct coord	*c;
	struct counts	*counts;	/* the coordinator's */
	struct totals	*totals;
	int		 nworkers, verbose, nul;
	uint64_t	 next_id, next_seq;
	struct ptask	*free_tasks;
	struct ptask	**slabs;
	size_t		 nslabs;
	struct dirnode	*scans, *dirs;
	int		 scans_inflight;
	struct bigfile	*bigs;
	struct bigfile	*ring, *ring_tail;	/* with chunks to hand out */
	uint32_t	 nbigs;		/* chunked files in progress */
	struct linktab	*links;
	int		 roots_left;
	struct dirnode	**deferred;	/* roots waiting for another root */
	struct flist	*flist;		/* --files-from, while it is read */
	FILE		*list_fp;	/* ... given, not started yet */
	int		 list_nul;
	struct dirnode	*deferred_list_root;
	int		 *after;	/* ... which one, or -1 */
};

struct ptask	*plan_task_new(struct plan *, int, struct dirnode *);
void		 plan_task_free(struct plan *, struct ptask *);
void		 plan_ready(struct plan *, struct ptask *);
void		 plan_ents_release(struct entries *);
void		 plan_add_entry(struct plan *, struct dirnode *,
		    struct entries *, const struct entry *);
void		 plan_entry_done(struct plan *, struct ptask *, int);
void		 plan_count_bytes(struct plan *, struct ptask *);
void		 plan_dirnode_release(struct plan *, struct dirnode *);
int		 plan_kind_for(const struct finfo *);
struct dirnode	*plan_dirnode_new(struct plan *, struct dirnode *, uint32_t,
		    const char *, size_t, const struct finfo *);
void		 plan_child_done(struct plan *, struct dirnode *);

void		 plan_list_start(struct plan *, struct dirnode *, FILE *, int);
void		 plan_list_feed(struct plan *, int);
int		 plan_list_pending(const struct plan *);
void		 plan_list_free(struct plan *);

int		 plan_link_join(struct plan *, struct ptask *);
void		 plan_link_copied(struct plan *, struct ptask *, int);
void		 plan_link_done(struct plan *, struct ptask *);

void		 plan_schedule_copy(struct plan *, struct ptask *);
void		 plan_chunk_done(struct plan *, struct ptask *, int);
struct ptask	*plan_next_chunk(struct plan *);
void		 plan_finish_done(struct plan *, struct ptask *, int);

#endif
