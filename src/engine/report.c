/*
 * report.c - say what failed, naming the path as the user wrote it:
 *	pcopy: cannot open 'src/a/b': Permission denied
 * The wording follows cp where cp has a message for the same failure.
 */
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "util.h"
#include "worker/runconf.h"

/* "VERB 'PATH'SUFFIX: reason" for each operation. */
static const struct {
	const char *verb, *suffix;
} formats[OP_MAX] = {
	[OP_OPEN] = { "cannot open", "" },
	[OP_OPENDIR] = { "cannot open directory", "" },
	[OP_READDIR] = { "cannot read directory", "" },
	[OP_STAT] = { "cannot stat", "" },
	[OP_CREATE] = { "cannot create regular file", "" },
	[OP_MKDIR] = { "cannot create directory", "" },
	[OP_READ] = { "error reading", "" },
	[OP_WRITE] = { "error writing", "" },
	[OP_CLOSE] = { "error writing", "" },
	[OP_OWNER] = { "failed to preserve ownership for", "" },
	[OP_MODE] = { "failed to preserve permissions for", "" },
	[OP_TIMES] = { "failed to preserve times for", "" },
	[OP_XATTR] = { "failed to preserve extended attributes for", "" },
	[OP_LINK] = { "cannot create hard link", "" },
	[OP_READLINK] = { "cannot read symbolic link", "" },
	[OP_SYMLINK] = { "cannot create symbolic link", "" },
	[OP_MKNOD] = { "cannot create special file", "" },
	[OP_RENAME] = { "cannot move the copy into place as", "" },
	[OP_REMOVE] = { "cannot remove", "" },
	[OP_TYPE] = { "cannot copy", ": unsupported file type" },
	[OP_CLONE] = { "failed to clone", "" },
	[OP_WORKER] = { "giving up on", ": a worker died on it twice" },
};

/*
 * The path of w on one side (SIDE_SRC or SIDE_DST) as the user would type
 * it: the root's operand, then the path below it.  Returns a new string.
 */
char *
report_path(const struct where *w, int side)
{
	const char *base = side == SIDE_SRC ? w->root->src_disp :
	    w->root->dst_disp;
	const char *name = side == SIDE_DST && w->dname ? w->dname : w->name;
	char *dir, *full;

	if (!w->root->is_dir)
		return xstrdup(base);	/* a single file: its operand */
	dir = strcmp(w->dir, ".") == 0 ? xstrdup(base) : path_join(base,
	    w->dir);
	if (name == NULL)
		return dir;
	full = path_join(dir, name);
	free(dir);
	return full;
}

/* Print one failure of op (enum op) with errno err. */
void
report_failure(const struct where *w, int op, int side, int err)
{
	char *src = report_path(w, SIDE_SRC), *dst = report_path(w, SIDE_DST);
	char *qs = path_quote(src), *qd = path_quote(dst);

	switch (op) {
	case OP_OVERDIR:
		if (err == ENOTDIR)
			warnx("cannot overwrite non-directory '%s' with "
			    "directory '%s'", qd, qs);
		else
			warnx("cannot overwrite directory '%s' with "
			    "non-directory '%s'", qd, qs);
		break;
	case OP_SAME:
		warnx("'%s' and '%s' are the same file", qs, qd);
		break;
	case OP_REPLACED:
	case OP_SHRANK:
		/* cp's words; the copy made so far is removed. */
		warnx("skipping file '%s', as it %s while being copied", qs,
		    op == OP_REPLACED ? "was replaced" : "shrank");
		break;
	default:
		if (op <= 0 || op >= OP_MAX || formats[op].verb == NULL)
			warnc(err, "cannot copy '%s'", qs);
		else
			warnc(err, "%s '%s'%s", formats[op].verb,
			    side == SIDE_SRC ? qs : qd, formats[op].suffix);
		break;
	}
	free(qs);
	free(qd);
	free(src);
	free(dst);
}

/* A worker process ended without being asked to; how is enum died. */
void
report_died(int slot, int status, int how)
{
	static const char *const after[] = {
		[DIED_ALONE] = "not replacing it",
		[DIED_REPLACED] = ("started a new one, its unfinished work "
		    "goes to the others"),
		[DIED_STOPPING] = "the run was ending",
	};
	char what[64];

	if (WIFSIGNALED(status))
		(void)snprintf(what, sizeof(what), "was killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		(void)snprintf(what, sizeof(what), "exited with status %d",
		    WEXITSTATUS(status));
	warnx("worker process %d %s; %s", slot, what, after[how >= 0 &&
	    how <= DIED_STOPPING ? how : DIED_ALONE]);
}

/*
 * -v: the destination path on stdout, ending in a newline (NUL with -0),
 * raw bytes so another program can use it.  The first time stdout fails
 * (a reader that went away) it is said, once, and nothing more is
 * written; that call returns -1, so the caller counts one error.
 */
int
report_verbose(const struct where *w, int nul)
{
	static int failed;
	char *p;
	size_t n;
	int rv = 0;

	if (failed)
		return 0;
	p = report_path(w, SIDE_DST);
	n = strlen(p);
	p[n] = nul ? '\0' : '\n';
	if (fwrite(p, 1, n + 1, stdout) != n + 1 || ferror(stdout)) {
		warnc(errno, "error writing standard output");
		failed = 1;
		rv = -1;
	}
	free(p);
	return rv;
}
