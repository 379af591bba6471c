/*
 * test_util.c - path joining and splitting, quoting, size parsing.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

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
	return unit_end("test_util");
}
