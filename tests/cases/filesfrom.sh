# --files-from copies only the listed paths below SRC (a listed
# directory is made, not descended into; the directories above are made
# with their metadata); -0 reads NUL-terminated names and writes -v
# output NUL-terminated, so find ... -print0 | pcopy -0 --files-from=-
# works, odd names and all.
. "$TESTLIB"

mkdir -p src/a/b src/c src/skip
echo 1 > src/a/x.c
echo 2 > src/a/b/y.c
echo 3 > src/a/z.h
echo 4 > "src/c/$(printf 'new\nline').c"
echo 5 > src/skip/w.c
chmod 0750 src/a
stamp_tree src
find src -name '*.c' ! -path '*/skip/*' -print0 |
    pc -0 -v --files-from=- src dst > out || fail "exit $?"
[ -f dst/a/x.c ] && [ -f dst/a/b/y.c ] && [ -f "dst/c/$(printf 'new\nline').c" ] ||
    fail "listed files missing"
[ -e dst/a/z.h ] && fail "an unlisted file was copied"
[ -e dst/skip ] && fail "an unlisted directory was made"
[ "$(stat -c %a dst/a)" = 750 ] || fail "a directory above lost its mode"
"$TREECMP" -R src/a/b dst/a/b || fail "copied files differ"
python3 - out <<'PY' || fail "-v -0 output: $(od -c out | head)"
import sys
names = open(sys.argv[1], "rb").read().split(b"\0")
assert names[-1] == b"", names
assert b"dst/c/new\nline.c" in names, names
PY
(cd src && printf 'a\na/z.h\n../x\n/etc/passwd\nmissing\n') |
    pc --files-from=- src dst2 2> err
[ $? -eq 1 ] || fail "bad lines: not exit 1"
grep -q "'../x' is not a path below SRC" err || fail "no refusal: $(cat err)"
grep -q "cannot stat 'src/missing'" err || fail "no missing: $(cat err)"
[ -d dst2/a ] && [ -f dst2/a/z.h ] && [ ! -e dst2/a/x.c ] ||
    fail "a listed directory was descended into"
exit 0
