# Paths deeper than PATH_MAX are copied whole: every call works relative
# to directory descriptors.  (cp -a cannot copy these, so the copy is
# compared with the source itself.)
. "$TESTLIB"

name=$(printf 'd%.0s' $(seq 1 200))
mkdir -p src
(
	cd src || exit 99
	for i in $(seq 1 30); do
		mkdir "$name" && cd "$name" || exit 99
		echo "level $i" > file
		[ $i = 15 ] && ln -s file link
	done
	echo bottom > last
) || setup_error "cannot build the deep tree"
stamp_tree src
pc src dst 2> err || fail "exit $?: $(head -c 300 err)"
"$TREECMP" -R src dst > diffs || fail "differs: $(head -c 300 diffs)"
exit 0
