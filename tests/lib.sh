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
n = 0
def stamp(name, dirfd):
    global n
    n += 1
    mtime = 981173106 * 10**9 + (n * 7919) % 10**9
    os.utime(name, ns=(future * 10**9 + 123456789, mtime), dir_fd=dirfd,
             follow_symlinks=False)
# By directory descriptor, children first: deep trees and directory
# times both come out right.
for top, dirs, files, fd in os.fwalk(root, topdown=False):
    for name in files + dirs:
        stamp(name, fd)
stamp(root, None)
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
	while [ "$(pgrep -c -P "$1" 2>/dev/null; true)" -lt "$2" ]; do
		i=$((i + 1))
		[ "$i" -gt "$3" ] && return 1
		sleep 0.1
	done
	return 0
}

# Can this file system hold what the torture tree needs?  Sets HAVE_XATTR
# (user.*), HAVE_ACL, HAVE_ROOT (root: owners, devices, trusted.*).
probe_features() {
	touch probe
	HAVE_XATTR=0 HAVE_ACL=0 HAVE_ROOT=0
	setfattr -n user.probe -v 1 probe 2>/dev/null && HAVE_XATTR=1
	setfacl -m u:65534:r probe 2>/dev/null && HAVE_ACL=1
	[ "$(id -u)" = 0 ] && HAVE_ROOT=1
	rm -f probe
}

# The torture tree of the fidelity tests in $1: the standard tree without
# the 200 MiB file, plus every file type and attribute cp -a keeps.
make_torture() {
	local r="$1" long
	make_tree "$r" small
	mkdir -p "$r/types" "$r/modes/closed" "$r/modes/readonly" \
	    "$r/modes/sticky" "$r/attrs" "$r/acl/defdir" "$r/times" \
	    "$r/sparse"
	# Special files, as root: devices; anyone: fifo and socket.
	mkfifo "$r/types/fifo"
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
	    "$r/types/socket" || setup_error "socket"
	if [ "$HAVE_ROOT" = 1 ]; then
		mknod "$r/types/chardev" c 1 3
		mknod "$r/types/blockdev" b 7 200
	fi
	# Set-ID and sticky bits, and unusual owners (root only).
	echo suid > "$r/modes/suid"
	echo sgid > "$r/modes/sgid"
	chmod 4755 "$r/modes/suid"
	chmod 2755 "$r/modes/sgid"
	chmod 1777 "$r/modes/sticky"
	if [ "$HAVE_ROOT" = 1 ]; then
		echo theirs > "$r/modes/nobody-suid"
		chown 65534:65534 "$r/modes/nobody-suid"
		chmod 6755 "$r/modes/nobody-suid"
		chown -h 65534:65534 "$r/links/rel"
		chown 65534:0 "$r/modes/sticky"
	fi
	# Directories that cannot be written (or read) once made.
	echo inside > "$r/modes/closed/f"
	echo inside > "$r/modes/readonly/f"
	mkdir "$r/modes/readonly/sub"
	# Extended attributes, one of several KB; trusted.* and security.*
	# as root.
	echo x > "$r/attrs/file"
	ln -s file "$r/attrs/link"
	if [ "$HAVE_XATTR" = 1 ]; then
		setfattr -n user.small -v one "$r/attrs/file"
		# Several KB: ext4 keeps one inode's attributes in a 4 KiB block.
		setfattr -n user.big -v "0x$(head -c 3000 /dev/urandom | od -An -tx1 |
		    tr -d ' \n')" "$r/attrs/file"
		setfattr -n user.dir -v yes "$r/attrs"
	fi
	if [ "$HAVE_ROOT" = 1 ]; then
		setfattr -n trusted.t -v trusted "$r/attrs/file"
		setfattr -n security.s -v security "$r/attrs/file"
		setfattr -h -n trusted.onlink -v l "$r/attrs/link"
	fi
	# ACLs: access ACLs on a file and a directory, a default ACL.
	if [ "$HAVE_ACL" = 1 ]; then
		echo acl > "$r/acl/file"
		setfacl -m u:65534:rw,g:65534:r "$r/acl/file"
		setfacl -m u:65534:rx "$r/acl/defdir"
		setfacl -d -m u:65534:rwx,g::r-x "$r/acl/defdir"
		echo in > "$r/acl/defdir/inherited"
	fi
	# Times before 1970 and after 2100 (set after stamp_tree below).
	echo old > "$r/times/old"
	echo future > "$r/times/future"
	# A 64 MiB sparse file: data at 0, in the middle and at the very end.
	truncate -s 64M "$r/sparse/holes"
	printf 'start' | dd of="$r/sparse/holes" conv=notrunc status=none
	printf 'middle' | dd of="$r/sparse/holes" bs=1M seek=32 conv=notrunc \
	    status=none
	printf 'end' | dd of="$r/sparse/holes" bs=1 seek=$((64 * 1048576 - 3)) \
	    conv=notrunc status=none
	# A name of 255 bytes.
	long=$(printf 'n%.0s' $(seq 1 255))
	echo long > "$r/odd/$long"
	stamp_tree "$r"
	touch -h -m -d '1901-12-14 20:45:53.5' "$r/times/old"
	touch -h -m -d '2262-04-11 23:47:16.123456789' "$r/times/future"
	# An atime later than the mtime, or reading it would update it.
	touch -h -a -d '2262-04-11 23:47:16.5' "$r/times/future"
	chmod 0000 "$r/modes/closed"
	chmod 0500 "$r/modes/readonly"
}

# Extended attributes and ACLs of every entry below $1, as text with
# paths relative to $1, in sorted order (getfattr and getfacl themselves
# list in directory order, which differs between two copies).
attr_dump() {
	(cd "$1" && find . -print0 | LC_ALL=C sort -z |
	    xargs -0 getfattr -h -d -m - -e hex 2>&1)
}
acl_dump() {
	(cd "$1" && find . ! -type l -print0 | LC_ALL=C sort -z |
	    xargs -0 getfacl -p -n 2>&1)
}

# diff two files, showing at most a few short lines of the difference.
short_diff() {
	diff "$1" "$2" > "$1.diff" && return 0
	cut -c1-160 "$1.diff" | head -n 20 >&2
	return 1
}
