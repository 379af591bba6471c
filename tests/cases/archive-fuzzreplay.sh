# The structure-aware fuzzer's saved archives (tests/fuzz/tarcases: the
# reproducers of issue 13 and what the fuzzer found) extract within the
# time and memory budget, write nothing outside DST, leave no temporary
# and name every failure (tests/fuzz/tarfuzz.py --replay).
. "$TESTLIB"

cases=$(dirname "$TESTLIB")/fuzz/tarcases
python3 "$(dirname "$TESTLIB")/fuzz/tarfuzz.py" --pcopy "$PCOPY" \
    --replay "$cases" --backends "$BACKEND" > out 2>&1 ||
    fail "$(cat out)"
cat out
exit 0
