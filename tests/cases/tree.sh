# The standard tree (nested and empty directories, a directory of 5,000
# files, odd names, symlinks of every kind, hard links, files around
# buffer sizes, a 200 MiB file) copied with several worker counts is the
# same as cp -a's copy: contents, types, modes, owners, ns times, links.
# Without a progress display the walk leaves regular files to be stat'ed
# by their copies; with one (here --progress=line) it stats them itself:
# both must give the same copy.
. "$TESTLIB"

make_tree src
for j in 1 3 default walkstat; do
	case $j in
	default)  pc src dst-$j || fail "pcopy exited $?" ;;
	walkstat) pc --progress=line src dst-$j 2> progress ||
		      fail "--progress=line: exit $?: $(tail -n 3 progress)" ;;
	*)        pc -j $j src dst-$j || fail "pcopy -j $j exited $?" ;;
	esac
	same_as_cp src dst-$j
done
