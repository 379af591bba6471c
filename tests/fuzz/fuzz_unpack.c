/*
 * fuzz_unpack.c - libFuzzer target for the extraction path: every input
 * is extracted as an archive the way pcopy - DST does it (libarchive,
 * member path checks, attributes and ACLs, hard and symbolic links, data
 * in pieces, the coordinator's loop), in a dry run on the scripted
 * backend of tests/unit/fake.c, so nothing is written.  Built and run by
 * "make fuzz"; make check replays tests/fuzz/corpus.
 */
#include <sys/mman.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "fake.h"
#include "archive/unpack.h"
#include "engine/coord.h"
#include "worker/meta.h"
#include "worker/runconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct root root;
	struct runconf rc;
	struct coord *c;
	struct unpack *u;
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd == -1 || (size > 0 && write(fd, data, size) != (ssize_t)size) ||
	    lseek(fd, 0, SEEK_SET) == -1)
		return 0;
	memset(&root, 0, sizeof(root));
	memset(&rc, 0, sizeof(rc));
	root.srcfd = root.dstfd = -1;
	rc.roots = &root;
	rc.nroots = 1;
	rc.preserve = PRESERVE_ALL;
	rc.dry_run = 1;
	c = coord_new(&rc, fake_new(&rc, 0, 0), NULL);
	u = unpack_new(&rc, c, fd, "fuzz", "fuzz-dst", 0, 0);
	if (u != NULL)
		(void)coord_run(c, &unpack_job, u);
	coord_free(c);
	unpack_free(u);
	(void)close(fd);
	return 0;
}
