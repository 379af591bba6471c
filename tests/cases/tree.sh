# The standard tree (nested and empty directories, a directory of 5,000
# files, odd names, symlinks of every kind, hard links, files around
# buffer sizes, a 200 MiB file) copied with several worker counts is the
# same as cp -a's copy: contents, types, modes, owners, ns times, links.
. "$TESTLIB"

make_tree src
for j in 1 3 default; do
	if [ $j = default ]; then
		pc src dst-$j || fail "pcopy exited $?"
	else
		pc -j $j src dst-$j || fail "pcopy -j $j exited $?"
	fi
	same_as_cp src dst-$j
done
