#!/bin/bash
# tests/demo.sh - what "make demo" runs: make a sample tree (a few
# thousand small files in nested directories, some symlinks and hard
# links, and a few large files), copy it with pcopy while the progress
# bar shows, print the summary, and check the copy against the source.
#
# usage: tests/demo.sh [PCOPY]    (TMPDIR chooses where the tree goes)

set -eu
pcopy=$(realpath "${1:-./pcopy}")
dir=$(mktemp -d "${TMPDIR:-/tmp}/pcopy-demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT
src=$dir/sample

echo "pcopy demo: making a sample tree in $src"
for d in $(seq -w 1 40); do
	mkdir -p "$src/projects/p$d/src" "$src/projects/p$d/doc"
	# 100 files of 6 KiB per directory, split from one random stream.
	head -c 614400 /dev/urandom |
	    split -b 6144 -a 3 - "$src/projects/p$d/src/file-"
	echo "project $d" > "$src/projects/p$d/doc/README"
	ln -s ../doc/README "$src/projects/p$d/src/README.link"
done
ln "$src/projects/p01/doc/README" "$src/projects/hardlink-to-p01-README"
mkdir -p "$src/media"
for n in 1 2 3; do
	head -c $((200 * 1048576)) /dev/urandom > "$src/media/video$n.bin"
done
echo "pcopy demo: $(find "$src" -type f | wc -l) files," \
    "$(du -sh "$src" | cut -f1) in all"
echo "pcopy demo: running: pcopy --progress --stats $src $dir/copy"
echo
"$pcopy" --progress --stats "$src" "$dir/copy"
echo
if diff -r --no-dereference "$src" "$dir/copy" >/dev/null; then
	echo "pcopy demo: diff -r finds the copy identical to the source"
else
	echo "pcopy demo: the copy differs from the source!" >&2
	exit 1
fi
