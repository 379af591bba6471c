# serial: it times how soon an interrupt is acted on, so it runs alone
# backends: once
# A file another process holds a write lease on (as Samba's oplocks do) is
# copied once the lease is broken, as cp does, not failed with "Resource
# temporarily unavailable".  The holder gives the lease up HOLD seconds
# after being told to.  An interrupt while a fork worker waits for it
# stops the run at once, with no error for the open it cut short.
. "$TESTLIB"

mkdir src
echo leased > src/f
echo plain > src/g

# hold SECONDS: take a write lease on src/f in the background ($holder).
hold() {
	rm -f ready holder.out
	HOLD=$1 python3 - src/f <<'PY' > holder.out 2>&1 &
import fcntl, os, signal, sys, time
F_SETLEASE = 1024
broken = []
signal.signal(signal.SIGIO, lambda s, f: broken.append(1))
fd = os.open(sys.argv[1], os.O_RDONLY)
try:
    fcntl.fcntl(fd, F_SETLEASE, fcntl.F_WRLCK)
except OSError as e:
    print("nolease", e)
    sys.exit(0)
open("ready", "w").close()
end = time.time() + 20
while not broken and time.time() < end:
    time.sleep(0.01)
print("broken" if broken else "never")
time.sleep(float(os.environ["HOLD"]))
fcntl.fcntl(fd, F_SETLEASE, fcntl.F_UNLCK)
PY
	holder=$!
	for i in $(seq 1 100); do
		[ -e ready ] && break
		grep -q nolease holder.out 2>/dev/null && break
		sleep 0.05
	done
	if ! [ -e ready ]; then
		wait $holder
		skip "no write lease here: $(cat holder.out)"
	fi
}

hold 0.3
"$PCOPY" --backend="$BACKEND" src dst 2> err
rc=$?
wait $holder
[ $rc -eq 0 ] || fail "exit $rc with a leased file: $(cat err)"
grep -q broken holder.out || fail "the lease was not broken: $(cat holder.out)"
[ "$(cat dst/f)" = leased ] && [ "$(cat dst/g)" = plain ] ||
    fail "not copied"

# Interrupted while a fork worker waits: out long before the holder lets go.
rm -rf dst
hold 6
start=$(date +%s%N)
"$PCOPY" --backend=fork src dst 2> err &
pid=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
wait $holder
[ $rc -eq 130 ] || fail "interrupted: exit $rc, not 130: $(cat err)"
[ $ms -lt 4000 ] || fail "interrupted: it took $ms ms to stop"
grep -q 'cannot open' err && fail "interrupted: an error for the open: $(cat err)"
[ -e dst/f ] && fail "interrupted: dst/f was left"
exit 0
