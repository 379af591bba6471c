# tests/lib.sh - sourced by every case in tests/cases.
#
# The runner (tests/run.sh) sets:
#   PCOPY      the pcopy binary under test
#   BACKEND    threads, fork or mixed
#   TREECMP    the tree comparison tool (tests/tools/treecmp.c)
#   TEST_CACHE a directory shared by the cases of one run (big files)
# A case runs in its own scratch directory ($T) with LC_ALL=C and exits
# 0 (pass), 77 (skip), 99 (setup error) or anything else (fail).

set -u
export LC_ALL=C
T=$(mktemp -d "${TMPDIR:-/tmp}/pcopy-test.XXXXXX") || exit 99
chmod 755 "$T"
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
cd "$T" || exit 99

# A fixed future access time: reading a file whose atime is later than
# its ctime does not update it (relatime), so atimes stay comparable.
FUTURE_EPOCH=$(( $(date +%s) + 10800 ))

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

setup_error() {
	echo "SETUP: $*" >&2
	exit 99
}

# pcopy with the backend under test.
pc() {
	"$PCOPY" --backend="$BACKEND" "$@"
}

# A file of n bytes with content that differs per name.
mkfile() {
	head -c "$2" /dev/urandom > "$1" || setup_error "cannot make $1"
}

# A file of 200 MiB, made once per run and copied in.
big_file() {
	local cached="$TEST_CACHE/big200"
	if [ ! -f "$cached" ]; then
		head -c 209715200 /dev/urandom > "$cached.tmp" &&
		mv "$cached.tmp" "$cached" || setup_error "no big file"
	fi
	cp "$cached" "$1" || setup_error "cannot copy big file"
}

# Give every entry below $1 its own mtime in 2001 with nanoseconds, and
# an atime in the future; children first, so directory times stick.
stamp_tree() {
	python3 - "$1" "$FUTURE_EPOCH" <<'PY' || setup_error "stamp_tree"
import os, sys
root, future = sys.argv[1], int(sys.argv[2])
paths = []
for top, dirs, files in os.walk(root, topdown=False):
    paths += [os.path.join(top, n) for n in files + dirs]
paths.append(root)
for n, p in enumerate(paths, 1):
    mtime = 981173106 * 10**9 + (n * 7919) % 10**9
    os.utime(p, ns=(future * 10**9 + 123456789, mtime),
             follow_symlinks=False)
PY
}

# The standard tree of the integration tests, in $1.  With "small" as
# $2 the 200 MiB file is left out.
make_tree() {
	local r="$1"
	mkdir -p "$r/a/b/c/d/e" "$r/empty" "$r/empty2/nested" "$r/many" \
	    "$r/sizes" "$r/links" "$r/odd" || setup_error "mkdir"
	echo "hello" > "$r/a/hello.txt"
	echo "deep" > "$r/a/b/c/d/e/deep.txt"
	for i in $(seq 1 5000); do
		echo "file $i" > "$r/many/f$i"
	done
	for n in 0 1 4095 4096 4097 65535 65536 65537 1048576 1048577; do
		mkfile "$r/sizes/s$n" "$n"
	done
	# Odd names: spaces, newline, leading dash, non-UTF-8, quotes.
	echo a > "$r/odd/with space"
	echo b > "$r/odd/$(printf 'new\nline')"
	echo c > "$r/odd/-leading-dash"
	echo d > "$r/odd/$(printf 'latin1-\xe9\xff')"
	echo e > "$r/odd/quote'\"\\"
	echo f > "$r/odd/$(printf 'tab\there')"
	echo g > "$r/odd/.hidden"
	# Symlinks: relative, absolute, dangling, to a directory, a loop.
	ln -s ../a/hello.txt "$r/links/rel"
	ln -s /etc/hostname "$r/links/abs"
	ln -s does-not-exist "$r/links/dangling"
	ln -s ../a "$r/links/todir"
	ln -s loop2 "$r/links/loop1"
	ln -s loop1 "$r/links/loop2"
	# Hard links: a group of three across directories, and a pair.
	echo "linked" > "$r/links/h1"
	ln "$r/links/h1" "$r/a/h2"
	ln "$r/links/h1" "$r/a/b/h3"
	echo "pair" > "$r/sizes/p1"
	ln "$r/sizes/p1" "$r/sizes/p2"
	# Modes.
	chmod 0640 "$r/a/hello.txt"
	chmod 0755 "$r/sizes/s0"
	chmod 0700 "$r/empty"
	if [ "${2:-}" != small ]; then
		big_file "$r/big200"
	fi
	stamp_tree "$r"
}

# Compare a copy with cp -a of the same source: the reference is made
# once per source (as $1.cp-ref next to it) and reused.
same_as_cp() {
	local src="$1" dst="$2" ref="$1.cp-ref"
	shift 2
	if [ ! -e "$ref" ]; then
		cp -a "$src" "$ref" || setup_error "cp -a failed"
	fi
	"$TREECMP" "$@" "$ref" "$dst" || fail "copy of $src differs from cp -a"
}

# Wait until pid $1 has at least $2 children, at most $3 tenths of s.
wait_children() {
	local i=0
	while [ "$(pgrep -c -P "$1" 2>/dev/null || echo 0)" -lt "$2" ]; do
		i=$((i + 1))
		[ "$i" -gt "$3" ] && return 1
		sleep 0.1
	done
	return 0
}
