# backends: once
# pcopy --bench runs every backend at several worker counts on a small
# tree, prints one table row each, and leaves the scratch directory as
# it found it.  (Only a smoke test: speed is measured by make bench.)
. "$TESTLIB"

mkdir -p src/a src/b
for i in $(seq 1 50); do echo $i > src/a/f$i; done
mkfile src/b/big 3000000
ln -s f1 src/a/link
"$PCOPY" --bench src scratch > out 2> err || fail "exit $?: $(cat err)"
for b in threads fork mixed; do
	grep -q "^| $b | " out || fail "no row for $b: $(cat out)"
done
[ "$(grep -c '^| [a-z]* | [0-9]' out)" -ge 9 ] || fail "too few rows"
grep -q failed out && fail "a run failed: $(cat out)"
grep -q '52 files' out || fail "wrong file count: $(head -n 1 out)"
[ -d scratch ] && fail "the scratch directory it made is still there"
mkdir keep
"$PCOPY" --bench -b fork -j 2 src keep > out 2> err || fail "exit $?"
[ "$(grep -c '^| fork | 2 ' out)" = 1 ] || fail "-b and -j: $(cat out)"
[ "$(grep -c '^| [a-z]* | [0-9]' out)" = 1 ] || fail "-b -j ran more"
[ -d keep ] || fail "removed a scratch directory it did not make"
[ -z "$(ls -A keep)" ] || fail "left files in the scratch directory"
"$PCOPY" --bench src a b > out 2> err
[ $? -eq 2 ] || fail "three operands should be a usage error"
exit 0
