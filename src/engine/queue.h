/*
 * queue.h - a bounded multi-producer, multi-consumer queue of fixed-size
 * items between threads.  Bounded, so a fast producer waits instead of
 * growing memory; closable, so consumers learn that no more will come.
 */
#ifndef PCOPY_QUEUE_H
#define PCOPY_QUEUE_H

#include <stddef.h>
#include <sys/types.h>

struct queue;

struct queue	*queue_new(size_t, size_t);
void		 queue_free(struct queue *);
int		 queue_push(struct queue *, const void *);
int		 queue_push_all(struct queue *, const void *, size_t, int);
size_t		 queue_try_push(struct queue *, const void *, size_t);
ssize_t		 queue_pop(struct queue *, void *, size_t, int);
void		 queue_close(struct queue *);
size_t		 queue_room(struct queue *);
size_t		 queue_length(struct queue *);

#endif
