# A low limit on open files gives a smaller pool, not failures: a tree of
# 360 files copies whole at `ulimit -n` 16, 32 and 64, as cp -a does
# (before: hundreds of "Too many open files" with threads at 16, 32 and
# 64, "cannot start the fork backend" at 16).  A pool asked for with -j
# that the limit cuts is said so.  An archive goes through a pipe at 32.
. "$TESTLIB"

for d in $(seq 1 12); do
	mkdir -p src/d$d/e
	for f in $(seq 1 15); do
		echo $f > src/d$d/f$f
		echo $f > src/d$d/e/g$f
	done
done
stamp_tree src
for n in 16 32 64; do
	(ulimit -n $n; exec "$PCOPY" --backend="$BACKEND" src dst$n) 2> err ||
	    fail "ulimit -n $n: exit $?: $(head -c 300 err)"
	[ -s err ] && fail "ulimit -n $n said: $(head -c 300 err)"
	same_as_cp src dst$n
done
(ulimit -n 16; exec "$PCOPY" --backend="$BACKEND" -j 16 src dstj) 2> err ||
    fail "ulimit -n 16 -j 16: exit $?: $(head -c 300 err)"
grep -q "limit of 16 open files leaves room for" err ||
    fail "-j 16 cut without a word: $(cat err)"
same_as_cp src dstj
(ulimit -n 32
 "$PCOPY" --backend="$BACKEND" src - | "$PCOPY" --backend="$BACKEND" - dsta) \
    2> err || fail "an archive at ulimit -n 32: exit $?: $(head -c 300 err)"
"$TREECMP" -R src dsta || fail "the archive at ulimit -n 32 differs"
exit 0
