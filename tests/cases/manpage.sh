# backends: once
# man/pcopy.1 renders without warnings, and every option --help lists is
# documented in it.
. "$TESTLIB"

page=$(dirname "$TESTLIB")/../man/pcopy.1
[ -f "$page" ] || fail "no man page at $page"
command -v groff >/dev/null || skip "no groff"
warnings=$(groff -man -ww -z "$page" 2>&1)
[ -z "$warnings" ] || fail "groff warnings: $warnings"
if command -v man >/dev/null; then
	warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	[ -z "$warnings" ] || fail "man warnings: $warnings"
fi
for opt in $("$PCOPY" --help | grep -o -- '--[a-z-]*' | sort -u); do
	grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" "$page" ||
	    fail "$opt is not in the man page"
done
exit 0
