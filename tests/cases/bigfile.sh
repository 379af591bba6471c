# A file larger than the chunk size is copied in chunks by several
# workers at once; the copy is the same as cp -a's, and so are files just
# around the chunk boundary.
. "$TESTLIB"

mkdir src
big_file src/big
mkfile src/exact $((2 * 1048576))
mkfile src/over $((2 * 1048576 + 1))
mkfile src/under $((2 * 1048576 - 1))
chmod 0751 src/big
stamp_tree src
for j in 1 4; do
	pc -j $j --chunk-size=1M src dst$j || fail "pcopy exited $?"
	same_as_cp src dst$j
done
pc --chunk-size=64M src dst-default || fail "pcopy exited $?"
same_as_cp src dst-default
# One chunked file alone gets every worker; among several, each file has
# its share of them: both ways the copy is whole.
mkdir one
cp -a src/big one/big
stamp_tree one
pc -j 4 --chunk-size=1M one dst-one || fail "pcopy exited $?"
same_as_cp one dst-one
pc -j 3 --chunk-size=1M src dst3 || fail "pcopy exited $?"
same_as_cp src dst3
