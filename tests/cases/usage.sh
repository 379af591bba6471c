# backends: once
# Usage errors exit 2 with a message and the usage on stderr; --help and
# --version exit 0 on stdout; nothing else ever goes to stdout.
. "$TESTLIB"

check_usage() {
	"$PCOPY" "$@" > out 2> err
	rc=$?
	[ $rc -eq 2 ] || fail "pcopy $* exited $rc, not 2"
	[ -s out ] && fail "pcopy $* wrote to stdout"
	grep -q '^usage: pcopy' err || fail "pcopy $* printed no usage"
	grep -q '^pcopy: ' err || fail "pcopy $* gave no reason"
}

mkdir d
check_usage
check_usage d
check_usage --no-such-option d e
check_usage -Z d e
check_usage --backend=nope d e
check_usage --jobs=0 d e
check_usage --jobs=x d e
check_usage --procs=2 d e
check_usage --backend=mixed --procs=2 --threads=2 --jobs=3 d e
check_usage --progress=sometimes d e
check_usage -t d -T d e
check_usage -T d e f
check_usage --chunk-size=12 d e
check_usage --jobs

# The part of the spec not built yet says so and changes nothing.
"$PCOPY" --verify d e > out 2> err
[ $? -eq 2 ] || fail "--verify should exit 2"
grep -q "is not implemented yet" err || fail "--verify: $(cat err)"
[ -e e ] && fail "--verify created something"
check_usage --format=bogus d e
check_usage --compress=lz77 d e
check_usage --files-from=list d e f

"$PCOPY" --help > out 2> err || fail "--help exited $?"
grep -q -- '--backend' out || fail "--help does not list --backend"
[ -s err ] && fail "--help wrote to stderr"
"$PCOPY" --version > out 2> err || fail "--version exited $?"
grep -q '^pcopy [0-9]' out || fail "--version: $(cat out)"
exit 0
