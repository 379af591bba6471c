/*
 * test_util.c - path joining and splitting, quoting, size parsing, the
 * check that keeps outside paths (archive members, file lists) below
 * where they are used, and messages of any length.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"
#include "util.h"

static void
check_free(char *got, const char *want, int line)
{
	unit_checks++;
	if (strcmp(got, want) != 0) {
		unit_failures++;
		fprintf(stderr, "line %d: got \"%s\", want \"%s\"\n", line,
		    got, want);
	}
	free(got);
}

#define EQ(got, want) check_free((got), (want), __LINE__)

/* What warnc() writes for a message of len bytes, read back from fd 2. */
static char *
message_of(size_t len, int err, size_t *got)
{
	char *msg = malloc(len + 1), *out = malloc(len + 256);
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);

	memset(msg, 'x', len);
	msg[len] = '\0';
	(void)dup2(fileno(f), STDERR_FILENO);
	warnc(err, "%s", msg);
	(void)dup2(saved, STDERR_FILENO);
	(void)close(saved);
	rewind(f);
	*got = fread(out, 1, len + 255, f);
	out[*got] = '\0';
	fclose(f);
	free(msg);
	return out;
}

static void
check_messages(void)
{
	const char *tail = ": No such file or directory\n";
	size_t sizes[] = { 10, 8150, 8192, 20000 }, got;

	for (size_t i = 0; i < NELEM(sizes); i++) {
		char *out = message_of(sizes[i], ENOENT, &got);

		CHECK(got == strlen("pcopy: ") + sizes[i] + strlen(tail));
		CHECK(strncmp(out, "pcopy: xxx", 10) == 0);
		CHECK(got >= strlen(tail) &&
		    strcmp(out + got - strlen(tail), tail) == 0);
		free(out);
	}
	{
		char *out = message_of(3, 0, &got);

		CHECK_STR(out, "pcopy: xxx\n");
		free(out);
	}
}

/* path_safe_relative(in): the clean path, or NULL with errno. */
static const char *
safe(const char *in, int *err)
{
	static char out[64];

	*err = 0;
	if (path_safe_relative(in, out, sizeof(out)) == -1) {
		*err = errno;
		return NULL;
	}
	return out;
}

static void
check_safe_paths(void)
{
	static const struct {
		const char *in, *want;
		int err;
	} cases[] = {
		{ "a/b", "a/b", 0 },
		{ "./a//b/", "a/b", 0 },
		{ ".", ".", 0 },
		{ "./", ".", 0 },
		{ "a/./b/.", "a/b", 0 },
		{ "..a/b..", "..a/b..", 0 },
		{ "...", "...", 0 },
		{ "/etc/passwd", NULL, EINVAL },
		{ "../x", NULL, EINVAL },
		{ "a/../../x", NULL, EINVAL },
		{ "a/..", NULL, EINVAL },
		{ "..", NULL, EINVAL },
		{ "", NULL, EINVAL },
		{ "//x", NULL, EINVAL },
		{ "a/0123456789012345678901234567890123456789"
		    "012345678901234567890123456789", NULL, ENAMETOOLONG },
	};
	char name[300];
	int err;

	for (size_t i = 0; i < NELEM(cases); i++) {
		const char *got = safe(cases[i].in, &err);

		if (cases[i].want != NULL) {
			CHECK(got != NULL && strcmp(got, cases[i].want) == 0);
		} else {
			CHECK(got == NULL && err == cases[i].err);
		}
	}
	CHECK(safe(NULL, &err) == NULL && err == EINVAL);
	/* A name longer than any file system allows. */
	memset(name, 'n', 256);
	name[256] = '\0';
	{
		char big[600];

		CHECK(path_safe_relative(name, big, sizeof(big)) == -1 &&
		    errno == ENAMETOOLONG);
		name[255] = '\0';
		CHECK(path_safe_relative(name, big, sizeof(big)) == 0);
	}
}

int
main(void)
{
	uint64_t v;

	EQ(path_join("a", "b"), "a/b");
	EQ(path_join("a/", "b"), "a/b");
	EQ(path_join("a//", "b"), "a/b");
	EQ(path_join("/", "b"), "/b");
	EQ(path_join(".", "b"), "b");
	EQ(path_join("", "b"), "b");
	EQ(path_dirname("a/b/c"), "a/b");
	EQ(path_dirname("a/b/"), "a");
	EQ(path_dirname("abc"), ".");
	EQ(path_dirname("/abc"), "/");
	EQ(path_dirname("/"), "/");
	EQ(path_dirname("a//b"), "a");
	EQ(path_basename("a/b/c"), "c");
	EQ(path_basename("a/b/"), "b");
	EQ(path_basename("abc"), "abc");
	EQ(path_basename("/"), "/");
	EQ(path_basename("."), ".");
	EQ(path_quote("plain"), "plain");
	EQ(path_quote("new\nline"), "new\\nline");
	EQ(path_quote("tab\there"), "tab\\there");
	EQ(path_quote("back\\slash"), "back\\\\slash");
	EQ(path_quote("\x01" "x"), "\\001x");
	EQ(path_quote("caf\xc3\xa9"), "caf\xc3\xa9");

	CHECK(parse_size("4096", &v) == 0 && v == 4096);
	CHECK(parse_size("64M", &v) == 0 && v == 64ULL << 20);
	CHECK(parse_size("1GiB", &v) == 0 && v == 1ULL << 30);
	CHECK(parse_size("2k", &v) == 0 && v == 2048);
	CHECK(parse_size("1T", &v) == 0 && v == 1ULL << 40);
	CHECK(parse_size("", &v) == -1 && errno == EINVAL);
	CHECK(parse_size("-1", &v) == -1);
	CHECK(parse_size("12Q", &v) == -1 && errno == EINVAL);
	CHECK(parse_size("1MX", &v) == -1);
	CHECK(parse_size("99999999999999999999", &v) == -1);
	CHECK(parse_size("20000000E", &v) == -1 && errno == ERANGE);
	check_messages();
	check_safe_paths();
	return unit_end("test_util");
}
