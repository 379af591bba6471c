/*
 * fuzz_unpack.c - libFuzzer target for the extraction path: every input
 * goes through unpack_fuzz(), which reads it as an archive the way
 * pcopy - DST does (libarchive, member path checks, attributes and ACLs,
 * hard and symbolic links, data in pieces) without writing anything.
 * Built and run by "make fuzz"; seeded from tests/fuzz/corpus.
 */
#include <stddef.h>
#include <stdint.h>

#include "unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)unpack_fuzz(data, size);
	return 0;
}
