/*
 * archtask.h - the layout of a TASK_READ result (EV_DATA), shared by the
 * worker that makes it (archtask.c) and the writer that reads it (pack.c),
 * and of a TASK_PUT's data, shared by the reader that makes it (unpack.c)
 * and the worker that writes it.
 */
#ifndef PCOPY_ARCHTASK_H
#define PCOPY_ARCHTASK_H

#include <stdint.h>

struct rdhdr {
	uint32_t nmap;		/* data map pairs (sparse file, first range) */
	uint32_t xattrlen;	/* attribute blob bytes (first range) */
	uint32_t next;		/* extent pairs of this range */
	uint32_t flags;		/* RD_* */
};

#define RD_SPARSE	0x01	/* the file has holes: the map says where */
#define RD_SHRANK	0x02	/* the file ended before this range did */
#define RD_REPLACED	0x04	/* not the file planned: no data sent */

/*
 * TASK_PUT's data: a struct puthdr, datalen bytes of data, then next
 * extents (offset and length, two uint64_t each) saying where in the file
 * those bytes go, one after the other.  One piece holds many extents of a
 * sparse file, so a member of many small fragments makes few tasks.
 */
struct puthdr {
	uint32_t next;		/* extents */
	uint32_t datalen;	/* bytes of data */
};

#endif
