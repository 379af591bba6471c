/*
 * test_wire.c - tasks and events survive the trip through a frame
 * unchanged, and a damaged or truncated frame is refused, never read past
 * its end.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine/task.h"
#include "unit.h"
#include "engine/wire.h"

static struct task
sample_task(void)
{
	struct task t;

	memset(&t, 0, sizeof(t));
	t.seq = 42;
	t.handle = 0xdeadbeefcafeULL;
	t.kind = TASK_LINK;
	t.flags = TF_FRESH | TF_RETRY;
	t.dir.id = 7;
	t.dir.root = 1;
	t.dir.path = "a/b";
	t.dir.pathlen = 3;
	t.name = "name\nwith newline";
	t.namelen = (uint16_t)strlen(t.name);
	t.st.size = 123456789;
	t.st.mtime = -5;
	t.st.mtime_ns = 999999999;
	t.st.mode = 0100644;
	t.off = 1 << 20;
	t.len = 4096;
	t.tmpseq = 41;
	t.ldir.id = 8;
	t.ldir.path = "c";
	t.ldir.pathlen = 1;
	t.lname = "first";
	t.lnamelen = 5;
	return t;
}

static void
test_task_roundtrip(void)
{
	struct task t = sample_task(), u;
	struct wbuf w = { NULL, 0, 0 };
	struct rbuf r;
	uint32_t count;
	size_t start;
	int type;

	start = wire_begin(&w, FR_TASKS);
	wire_put_task(&w, &t);
	wire_end(&w, start, 1);
	CHECK(wire_frame(w.p, w.len, &type, &count, &r) == (ssize_t)w.len);
	CHECK(type == FR_TASKS && count == 1);
	CHECK(wire_get_task(&r, &u) == 0);
	CHECK(u.seq == 42 && u.handle == t.handle && u.kind == TASK_LINK);
	CHECK(u.flags == t.flags && u.dir.id == 7 && u.dir.root == 1);
	CHECK_STR(u.dir.path, "a/b");
	CHECK_STR(u.name, t.name);
	CHECK(u.namelen == t.namelen);
	CHECK(u.dname == NULL);
	CHECK(memcmp(&u.st, &t.st, sizeof(t.st)) == 0);
	CHECK(u.off == t.off && u.len == t.len && u.tmpseq == 41);
	CHECK_STR(u.ldir.path, "c");
	CHECK_STR(u.lname, "first");
	CHECK(r.pos == r.len);

	/* Every truncation is seen: incomplete frame or damaged task. */
	for (size_t cut = 0; cut < w.len; cut++) {
		ssize_t n = wire_frame(w.p, cut, &type, &count, &r);

		CHECK(n == 0);
	}
	for (size_t cut = 4; cut < w.len - 5; cut++) {
		struct rbuf s = { w.p + 5, cut, 4, 0 };

		CHECK(wire_get_task(&s, &u) == -1);
	}
	wbuf_free(&w);
}

static void
test_event_roundtrip(void)
{
	struct entries *e = entries_new(64);
	struct event ev, back;
	struct wbuf w = { NULL, 0, 0 };
	struct entry *ent;
	struct rbuf r;
	uint32_t count;
	size_t start, pos = 0;
	uint16_t lie = 60000;
	int type;

	ent = entries_add(&e, "one", 3);
	ent->st.size = 1;
	ent = entries_add(&e, "a-much-longer-name-to-grow-the-buffer-past-its"
	    "-first-size", 56);
	ent->flags = ENT_FRESH;
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_ENTRIES;
	ev.task = 99;
	ev.worker = 3;
	ev.ents = e;
	start = wire_begin(&w, FR_EVENTS);
	wire_put_event(&w, &ev);
	ev.kind = EV_ERROR;
	ev.ents = NULL;
	ev.name = "bad name";
	ev.err = 13;
	ev.op = OP_OPEN;
	wire_put_event(&w, &ev);
	wire_end(&w, start, 2);

	CHECK(wire_frame(w.p, w.len, &type, &count, &r) > 0);
	CHECK(type == FR_EVENTS && count == 2);
	CHECK(wire_get_event(&r, &back) == 0);
	CHECK(back.kind == EV_ENTRIES && back.task == 99 && back.worker == 3);
	CHECK(back.ents != NULL && back.ents->count == 2);
	ent = entries_next(back.ents, &pos);
	CHECK(ent != NULL && strcmp(ent->name, "one") == 0 &&
	    ent->st.size == 1);
	ent = entries_next(back.ents, &pos);
	CHECK(ent != NULL && ent->namelen == 56 && ent->flags == ENT_FRESH);
	CHECK(entries_next(back.ents, &pos) == NULL);
	entries_free(back.ents);
	CHECK(wire_get_event(&r, &back) == 0);
	CHECK(back.kind == EV_ERROR && back.err == 13 && back.op == OP_OPEN);
	CHECK_STR(back.name, "bad name");
	free(back.name);

	/* A listing whose record lengths lie is refused. */
	wbuf_free(&w);
	ev.kind = EV_ENTRIES;
	ev.name = NULL;
	ev.ents = e;
	start = wire_begin(&w, FR_EVENTS);
	wire_put_event(&w, &ev);
	wire_end(&w, start, 1);
	memcpy(w.p + w.len - e->used + offsetof(struct entry, namelen), &lie,
	    sizeof(lie));
	CHECK(wire_frame(w.p, w.len, &type, &count, &r) > 0);
	CHECK(wire_get_event(&r, &back) == -1);
	CHECK(back.ents == NULL);
	wbuf_free(&w);
	entries_free(e);
}

static void
test_bad_frames(void)
{
	unsigned char huge[9] = { 0xff, 0xff, 0xff, 0x7f, FR_TASKS };
	unsigned char tiny[9] = { 2, 0, 0, 0, FR_TASKS };
	struct rbuf r;
	uint32_t count;
	int type;

	CHECK(wire_frame(huge, sizeof(huge), &type, &count, &r) == -1);
	CHECK(wire_frame(tiny, sizeof(tiny), &type, &count, &r) == -1);
}

int
main(void)
{
	test_task_roundtrip();
	test_event_roundtrip();
	test_bad_frames();
	return unit_end("test_wire");
}
