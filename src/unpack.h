/*
 * unpack.h - extract an archive into a directory (pcopy - DST,
 * pcopy in.tar.zst DST).
 */
#ifndef PCOPY_UNPACK_H
#define PCOPY_UNPACK_H

#include <stddef.h>
#include <stdint.h>

struct pcopy;

int	unpack_run(struct pcopy *, const char *, const char *);
int	unpack_fuzz(const uint8_t *, size_t);

#endif
