/*
 * test_coord.c - the coordinator and its three jobs (copy, pack, unpack)
 * driven through the scripted backend of fake.c, with the real worker
 * code doing the work: a run completes, a worker process that dies with
 * tasks in flight costs nothing but a retry (TF_RETRY), a task that kills
 * its worker twice is given up and reported, and a pool with no process
 * left ends the run with status 1.  The one retry policy, for all jobs.
 */
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake.h"
#include "unit.h"
#include "util.h"
#include "archive/pack.h"
#include "archive/unpack.h"
#include "engine/coord.h"
#include "engine/plan.h"
#include "worker/meta.h"
#include "worker/runconf.h"

static char scratch[] = "/tmp/pcopy-coord.XXXXXX";

/* A kill script: which task name kills its process, and how often. */
struct script {
	const char	*name;		/* NULL: any task */
	int		 kind;		/* 0: any kind */
	int		 skip;		/* tasks to let pass first */
	int		 times;		/* deaths left; -1: always */
	int		 seen;
};

static int
kill_by_script(struct fake *f, const struct task *t, void *arg)
{
	struct script *s = arg;

	(void)f;
	if (s->times == 0)
		return 0;
	if (s->kind != 0 && t->kind != s->kind)
		return 0;
	if (s->name != NULL && (t->name == NULL || strcmp(t->name, s->name)))
		return 0;
	if (s->seen++ < s->skip)
		return 0;
	if (s->times > 0)
		s->times--;
	return 1;
}

static void
put_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL || fputs(text, fp) == EOF || fclose(fp) == EOF)
		abort();
}

static int
file_is(const char *path, const char *text)
{
	char buf[256];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (fp == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	(void)fclose(fp);
	return strcmp(buf, text) == 0;
}

static void
make_tree(const char *top)
{
	char p[1024];

	(void)mkdir(top, 0755);
	(void)snprintf(p, sizeof(p), "%s/sub", top);
	(void)mkdir(p, 0755);
	for (int i = 0; i < 12; i++) {
		(void)snprintf(p, sizeof(p), "%s/f%02d", top, i);
		put_file(p, "file\n");
	}
	(void)snprintf(p, sizeof(p), "%s/sub/poison", top);
	put_file(p, "poison\n");
	(void)snprintf(p, sizeof(p), "%s/sub/x", top);
	put_file(p, "x\n");
	(void)snprintf(p, sizeof(p), "%s/sub/y", top);
	put_file(p, "y\n");
}

static void
base_rc(struct runconf *rc, struct root *root)
{
	memset(rc, 0, sizeof(*rc));
	rc->roots = root;
	rc->nroots = 1;
	rc->chunk_size = 64u << 20;
	rc->euid = geteuid();
	rc->egid = getegid();
	rc->is_root = rc->euid == 0;
	rc->pid = getpid();
	rc->dircache_slots = 8;
	rc->chunk_width = 2;
	rc->preserve = PRESERVE_ALL;
	rc->umask = 022;
}

/* Count what is below path (not itself). */
static int
count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, ".."))
			n++;
	(void)closedir(d);
	return n;
}

/*
 * Copy scratch/src to scratch/dst (named dstname) on a fake of nprocs
 * processes with the kill script s.  Returns the exit status; *cp gets
 * the counts, *tp the totals, *fs the fake's.
 */
static int
run_copy(const char *dstname, int nprocs, int replace, struct script *s,
    struct counts *cp, struct totals *tp, struct fake_stats *fs)
{
	char src[512], dst[512];
	struct runconf rc;
	struct root root;
	struct finfo fi;
	struct stat st;
	struct backend *b;
	struct coord *c;
	struct plan *p;
	int status;

	(void)snprintf(src, sizeof(src), "%s/src", scratch);
	(void)snprintf(dst, sizeof(dst), "%s/%s", scratch, dstname);
	if (mkdir(dst, 0700) == -1 || stat(src, &st) == -1)
		abort();
	memset(&root, 0, sizeof(root));
	root.srcfd = open(src, O_RDONLY | O_DIRECTORY);
	root.dstfd = open(dst, O_RDONLY | O_DIRECTORY);
	root.src_disp = src;
	root.dst_disp = dst;
	root.is_dir = root.fresh = root.pristine = 1;
	root.src_dev = st.st_dev;
	base_rc(&rc, &root);
	rc.hand_back = 1;
	b = fake_new(&rc, nprocs, 1);
	fake_set_replace(b, replace);
	if (s != NULL)
		fake_set_kill(b, kill_by_script, s);
	c = coord_new(&rc, b, NULL);
	p = plan_new(&rc, c, 0, 0);
	finfo_from_stat(&fi, &st);
	plan_add_root(p, 0, &fi, NULL, NULL, -1);
	status = coord_run(c, &plan_job, p);
	*cp = *coord_counts(c);
	*tp = *coord_totals(c);
	*fs = *fake_stats(b);
	coord_free(c);
	plan_free(p);
	(void)close(root.srcfd);
	(void)close(root.dstfd);
	return status;
}

static void
test_copy(void)
{
	struct script s;
	struct counts c;
	struct totals t;
	struct fake_stats fs;
	char p[512];

	/* A clean run. */
	CHECK(run_copy("d1", 2, 1, NULL, &c, &t, &fs) == 0);
	CHECK(c.errors == 0 && c.files_done == 15 && c.dirs_done == 2);
	CHECK(t.files == 15 && t.deaths == 0 && fs.retries == 0);
	(void)snprintf(p, sizeof(p), "%s/d1/sub/poison", scratch);
	CHECK(file_is(p, "poison\n"));

	/* A process dies once with tasks in flight: they go out again. */
	memset(&s, 0, sizeof(s));
	s.kind = TASK_FILE;
	s.skip = 3;
	s.times = 1;
	CHECK(run_copy("d2", 2, 1, &s, &c, &t, &fs) == 0);
	CHECK(c.errors == 0 && c.files_done == 15);
	CHECK(t.deaths == 1 && t.retried >= 1 && fs.retries >= 1);
	(void)snprintf(p, sizeof(p), "%s/d2/f11", scratch);
	CHECK(file_is(p, "file\n"));
	(void)snprintf(p, sizeof(p), "%s/d2", scratch);
	CHECK(count_entries(p) == 13);

	/* A task that kills every worker that runs it is given up. */
	memset(&s, 0, sizeof(s));
	s.name = "poison";
	s.times = -1;
	CHECK(run_copy("d3", 2, 1, &s, &c, &t, &fs) == 1);
	CHECK(c.errors == 1 && t.deaths == 2 && c.files_done == 15);
	CHECK(t.files == 14);
	(void)snprintf(p, sizeof(p), "%s/d3/sub/poison", scratch);
	CHECK(access(p, F_OK) == -1);
	(void)snprintf(p, sizeof(p), "%s/d3/sub/x", scratch);
	CHECK(file_is(p, "x\n"));

	/* No process replaced: the run ends when none is left. */
	memset(&s, 0, sizeof(s));
	s.kind = TASK_FILE;
	s.times = -1;
	CHECK(run_copy("d4", 2, 0, &s, &c, &t, &fs) == 1);
	CHECK(t.deaths == 2 && fs.aborted);
}

/* Members of an archive file, and whether name is one of them. */
static int
archive_members(const char *path, const char *name, int *found)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int n = 0;

	*found = 0;
	(void)archive_read_support_format_all(a);
	(void)archive_read_support_filter_all(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		archive_read_free(a);
		return -1;
	}
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		n++;
		*found |= strcmp(archive_entry_pathname(e), name) == 0;
	}
	archive_read_free(a);
	return n;
}

static int
run_pack(const char *out, struct script *s, struct totals *tp)
{
	char src[512];
	const char *names[1] = { NULL };
	struct archspec spec = { AF_PAX, AZ_NONE };
	struct runconf rc;
	struct root root;
	struct backend *b;
	struct coord *c;
	struct pack *k;
	int status;

	(void)snprintf(src, sizeof(src), "%s/src", scratch);
	memset(&root, 0, sizeof(root));
	root.srcfd = open(src, O_RDONLY | O_DIRECTORY);
	root.dstfd = -1;
	root.src_disp = src;
	root.dst_disp = (char *)out;
	root.is_dir = 1;
	base_rc(&rc, &root);
	b = fake_new(&rc, 2, 1);
	if (s != NULL)
		fake_set_kill(b, kill_by_script, s);
	c = coord_new(&rc, b, NULL);
	k = pack_new(&rc, c, &spec, out, names, 0, 0);
	status = k != NULL ? coord_run(c, &pack_job, k) : 99;
	*tp = *coord_totals(c);
	coord_free(c);
	pack_free(k);
	(void)close(root.srcfd);
	return status;
}

static void
test_pack(void)
{
	struct script s;
	struct totals t;
	char out[512];
	int found;

	(void)snprintf(out, sizeof(out), "%s/a.tar", scratch);
	CHECK(run_pack(out, NULL, &t) == 0);
	CHECK(archive_members(out, "sub/poison", &found) == 17 && found);

	memset(&s, 0, sizeof(s));
	s.kind = TASK_READ;
	s.skip = 2;
	s.times = 1;
	(void)snprintf(out, sizeof(out), "%s/b.tar", scratch);
	CHECK(run_pack(out, &s, &t) == 0);
	CHECK(t.deaths == 1 && t.retried >= 1);
	CHECK(archive_members(out, "f11", &found) == 17 && found);

	/* A read that always kills: the member is given up, as zeros... */
	memset(&s, 0, sizeof(s));
	s.name = "poison";
	s.times = -1;
	(void)snprintf(out, sizeof(out), "%s/c.tar", scratch);
	CHECK(run_pack(out, &s, &t) == 1);
	CHECK(t.deaths == 2);
	/* ...left out, and the rest of the archive is whole. */
	CHECK(archive_members(out, "sub/x", &found) == 16 && found);
}

static int
run_unpack(const char *in, const char *dstname, struct script *s,
    struct counts *cp, struct totals *tp)
{
	char dst[512];
	struct runconf rc;
	struct root root;
	struct backend *b;
	struct coord *c;
	struct unpack *u;
	int fd = open(in, O_RDONLY), status;

	(void)snprintf(dst, sizeof(dst), "%s/%s", scratch, dstname);
	memset(&root, 0, sizeof(root));
	root.srcfd = root.dstfd = -1;
	root.src_disp = (char *)in;
	root.dst_disp = dst;
	base_rc(&rc, &root);
	b = fake_new(&rc, 2, 1);
	if (s != NULL)
		fake_set_kill(b, kill_by_script, s);
	c = coord_new(&rc, b, NULL);
	u = unpack_new(&rc, c, fd, in, dst, 0, 0);
	status = u != NULL ? coord_run(c, &unpack_job, u) : 99;
	*cp = *coord_counts(c);
	*tp = *coord_totals(c);
	coord_free(c);
	unpack_free(u);
	(void)close(fd);
	if (root.dstfd != -1)
		(void)close(root.dstfd);
	return status;
}

static void
test_unpack(void)
{
	struct script s;
	struct counts c;
	struct totals t;
	char in[512], p[512];

	(void)snprintf(in, sizeof(in), "%s/a.tar", scratch);
	CHECK(run_unpack(in, "u1", NULL, &c, &t) == 0);
	CHECK(c.errors == 0 && t.files == 15);
	(void)snprintf(p, sizeof(p), "%s/u1/sub/y", scratch);
	CHECK(file_is(p, "y\n"));

	memset(&s, 0, sizeof(s));
	s.kind = TASK_PUT;
	s.skip = 4;
	s.times = 1;
	CHECK(run_unpack(in, "u2", &s, &c, &t) == 0);
	CHECK(c.errors == 0 && t.deaths == 1 && t.retried >= 1);
	(void)snprintf(p, sizeof(p), "%s/u2/f11", scratch);
	CHECK(file_is(p, "file\n"));
	(void)snprintf(p, sizeof(p), "%s/u2", scratch);
	CHECK(count_entries(p) == 13);

	memset(&s, 0, sizeof(s));
	s.name = "poison";
	s.times = -1;
	CHECK(run_unpack(in, "u3", &s, &c, &t) == 1);
	CHECK(c.errors == 1 && t.deaths == 2);
	(void)snprintf(p, sizeof(p), "%s/u3/sub", scratch);
	CHECK(count_entries(p) == 2);	/* x and y: no poison, no temporary */
}

int
main(void)
{
	char src[512], cmd[600];

	if (mkdtemp(scratch) == NULL)
		return 99;
	(void)snprintf(src, sizeof(src), "%s/src", scratch);
	make_tree(src);
	test_copy();
	test_pack();
	test_unpack();
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", scratch);
	return unit_end("test_coord");
}
