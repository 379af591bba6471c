# serial: it times how soon an interrupt is acted on, so it runs alone
# SIGINT (to the whole process group, as a terminal sends it) and SIGTERM
# stop the copy within moments, exit 130 and 143, and leave no partial
# file: every file in the destination is a complete copy.
. "$TESTLIB"

mkdir -p src/d1 src/d2
for i in $(seq 1 120); do mkfile src/d1/f$i 300000; done
for i in 1 2 3 4; do mkfile src/d2/big$i $((24 * 1048576)); done
stamp_tree src

check_complete() {
	find "$1" -type f -print0 | while IFS= read -r -d '' f; do
		cmp -s "$f" "src/${f#$1/}" || { echo "partial: $f"; exit 1; }
	done || fail "a partial file was left in $1"
	find "$1" -name '.pcopy.*' | grep -q . && fail "a temporary was left"
	return 0
}

for sig in INT TERM; do
	PCOPY_TEST_DELAY_MS=30 setsid "$PCOPY" --backend="$BACKEND" -j 3 \
	    --chunk-size=8M src dst-$sig 2> err-$sig &
	pid=$!
	sleep 0.6
	start=$(date +%s%N)
	if [ $sig = INT ]; then
		kill -INT -- -$pid
	else
		kill -TERM $pid
	fi
	wait $pid
	rc=$?
	took=$(( ($(date +%s%N) - start) / 1000000 ))
	want=$([ $sig = INT ] && echo 130 || echo 143)
	[ $rc -eq $want ] || fail "SIG$sig: exit $rc, not $want: $(cat err-$sig)"
	[ $took -lt 5000 ] || fail "SIG$sig: took ${took} ms to stop"
	grep -q "interrupted by SIG$sig" err-$sig || fail "no message: $(cat err-$sig)"
	check_complete dst-$sig
	pgrep -f "dst-$sig" >/dev/null && fail "a worker outlived pcopy"
done
exit 0
