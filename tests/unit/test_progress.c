/*
 * test_progress.c - how progress reads: units, separators, times, the
 * terminal line, the log line and the JSON object.
 */
#include <stdint.h>

#include "cli/progress.h"
#include "unit.h"

static struct counts
make_counts(uint64_t bd, uint64_t bt, uint64_t fd, uint64_t ft, int final)
{
	struct counts c;

	memset(&c, 0, sizeof(c));
	c.bytes_done = bd;
	c.bytes_total = bt;
	c.files_done = fd;
	c.files_total = ft;
	c.total_final = final;
	return c;
}

int
main(void)
{
	char buf[512];
	struct counts c;

	fmt_bytes(buf, sizeof(buf), 0);
	CHECK_STR(buf, "0 B");
	fmt_bytes(buf, sizeof(buf), 1023);
	CHECK_STR(buf, "1023 B");
	fmt_bytes(buf, sizeof(buf), 1024);
	CHECK_STR(buf, "1.00 KiB");
	fmt_bytes(buf, sizeof(buf), 1.21 * 1024 * 1024 * 1024);
	CHECK_STR(buf, "1.21 GiB");
	fmt_bytes(buf, sizeof(buf), 612.4 * 1024 * 1024);
	CHECK_STR(buf, "612 MiB");
	fmt_bytes(buf, sizeof(buf), 15.5 * 1024);
	CHECK_STR(buf, "15.5 KiB");

	fmt_count(buf, sizeof(buf), 0);
	CHECK_STR(buf, "0");
	fmt_count(buf, sizeof(buf), 999);
	CHECK_STR(buf, "999");
	fmt_count(buf, sizeof(buf), 41977);
	CHECK_STR(buf, "41,977");
	fmt_count(buf, sizeof(buf), 1234567);
	CHECK_STR(buf, "1,234,567");

	fmt_eta(buf, sizeof(buf), 3);
	CHECK_STR(buf, "0:03");
	fmt_eta(buf, sizeof(buf), 754);
	CHECK_STR(buf, "12:34");
	fmt_eta(buf, sizeof(buf), 3723);
	CHECK_STR(buf, "1:02:03");
	fmt_eta(buf, sizeof(buf), -1);
	CHECK_STR(buf, "?");

	c = make_counts(50, 200, 1, 4, 1);
	CHECK(progress_fraction(&c) == 0.25);
	c = make_counts(0, 0, 3, 4, 1);
	CHECK(progress_fraction(&c) == 0.75);	/* no bytes: by files */
	c = make_counts(300, 200, 1, 4, 1);
	CHECK(progress_fraction(&c) == 1.0);	/* never above 100% */
	c.finished = 1;
	CHECK(progress_fraction(&c) == 1.0);

	c = make_counts(1299227607ULL, 3038729912ULL, 18204, 41977, 1);
	fmt_bar_line(buf, sizeof(buf), &c, 0.4275, 612.0 * 1048576, 2, 120);
	CHECK(strncmp(buf, " 42.7% [", 8) == 0);
	CHECK(strstr(buf, "1.21 GiB/2.83 GiB") != NULL);
	CHECK(strstr(buf, "18,204/41,977 files") != NULL);
	CHECK(strstr(buf, "612 MiB/s") != NULL);
	CHECK(strstr(buf, "ETA 0:03") != NULL);
	CHECK(strlen(buf) <= 120);

	c.total_final = 0;	/* still scanning: totals marked, no ETA */
	fmt_bar_line(buf, sizeof(buf), &c, 0.4275, 612.0 * 1048576, 2, 120);
	CHECK(strstr(buf, "2.83 GiB+") != NULL);
	CHECK(strstr(buf, "41,977+ files") != NULL);
	CHECK(strstr(buf, "scanning") != NULL);
	CHECK(strstr(buf, "ETA") == NULL);
	fmt_bar_line(buf, sizeof(buf), &c, 0.4275, 1, 2, 40);
	CHECK(strchr(buf, '[') == NULL);	/* too narrow for a bar */

	c = make_counts(10, 10, 1, 1, 1);
	c.finished = 1;
	fmt_bar_line(buf, sizeof(buf), &c, 1.0, 10, 1, 100);
	CHECK(strncmp(buf, "100.0% ", 7) == 0);
	fmt_plain_line(buf, sizeof(buf), &c, 1.0, 10, 1);
	CHECK(strncmp(buf, "pcopy: 100.0% ", 14) == 0);
	CHECK(buf[strlen(buf) - 1] == '\n');

	c = make_counts(5, 10, 1, 2, 0);
	fmt_json_line(buf, sizeof(buf), &c, 0.5, 100, 1.5);
	CHECK(strstr(buf, "\"percent\":50.0") != NULL);
	CHECK(strstr(buf, "\"bytes_done\":5,\"bytes_total\":10") != NULL);
	CHECK(strstr(buf, "\"eta\":null") != NULL);
	CHECK(strstr(buf, "\"total_final\":false") != NULL);
	CHECK(buf[0] == '{' && buf[strlen(buf) - 2] == '}');

	/* A percentage shown as 99.9 must not round up to 100.0. */
	c = make_counts(9999, 10000, 1, 1, 1);
	fmt_bar_line(buf, sizeof(buf), &c, 0.9999, 1, 1, 100);
	CHECK(strncmp(buf, " 99.9% ", 7) == 0);
	return unit_end("test_progress");
}
