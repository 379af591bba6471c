# serial: it times how soon an interrupt is acted on, so it runs alone
# Interrupting an extraction stops it within a second or two and leaves
# no temporary and no partial file, whatever the input does: SIGTERM in
# the middle of a 40 MB member, and SIGTERM or SIGINT while the input
# stalls (a slow pipe), which was not acted on until the input ended.
. "$TESTLIB"

mkdir src
mkfile src/big 41943040
for i in $(seq 1 40); do mkfile src/f$i 20000; done
mkfile src/zlast 300000
tar -C src -cf in.tar big f1 f2 f3 zlast f4 || setup_error "tar"

# Every file in $1 is whole, and nothing pcopy names its own is left.
check_clean() {
	find "$1" -name '.pcopy.*' | grep -q . &&
	    fail "$2: a temporary was left: $(find "$1" -name '.pcopy.*')"
	find "$1" -type f -print0 | while IFS= read -r -d '' f; do
		cmp -s "$f" "src/${f#$1/}" || { echo "partial: $f"; exit 1; }
	done || fail "$2: a partial file was left in $1"
	return 0
}

# SIGTERM while the big member is being written, at several moments.
for at in 0.15 0.3 0.5 0.8; do
	PCOPY_TEST_DELAY_MS=40 "$PCOPY" --backend="$BACKEND" -j 3 in.tar \
	    "dst-$at" 2> "err-$at" &
	pid=$!
	sleep "$at"
	kill -TERM $pid
	wait $pid
	rc=$?
	[ $rc -eq 143 ] || [ $rc -eq 0 ] ||
	    fail "SIGTERM at $at s: exit $rc: $(cat err-$at)"
	[ $rc -eq 143 ] && ! grep -q "interrupted by SIGTERM" "err-$at" &&
	    fail "SIGTERM at $at s: no word of it: $(cat err-$at)"
	check_clean "dst-$at" "SIGTERM at $at s"
done

# Input that stalls: the signal is acted on at once.
for sig in TERM INT; do
	rm -f in.fifo
	mkfifo in.fifo || setup_error "mkfifo"
	{ head -c 300000 in.tar; sleep 30; } > in.fifo &
	feeder=$!
	"$PCOPY" --backend="$BACKEND" - "stall-$sig" < in.fifo 2> "err-$sig" &
	pid=$!
	sleep 1
	start=$(date +%s%N)
	kill -$sig $pid
	while kill -0 $pid 2>/dev/null; do
		[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 10000 ] || break
		sleep 0.05
	done
	took=$(( ($(date +%s%N) - start) / 1000000 ))
	pkill -P $feeder 2>/dev/null
	kill $feeder $pid 2>/dev/null
	wait $pid
	rc=$?
	[ $took -lt 2500 ] || fail "SIG$sig with stalled input: $took ms to stop"
	want=$([ $sig = INT ] && echo 130 || echo 143)
	[ $rc -eq $want ] ||
	    fail "SIG$sig with stalled input: exit $rc: $(cat err-$sig)"
	grep -q "interrupted by SIG$sig" "err-$sig" ||
	    fail "SIG$sig with stalled input: no word of it: $(cat err-$sig)"
	check_clean "stall-$sig" "SIG$sig with stalled input"
done
exit 0
