# -v prints every destination path on stdout, one per line, and nothing
# else goes there; errors stay on stderr.
. "$TESTLIB"

mkdir -p src/a/b
echo 1 > src/a/one
echo 2 > src/a/b/two
ln -s one src/a/link
pc -v src dst > out 2> err || fail "exit $?"
sort out > got
printf '%s\n' dst dst/a dst/a/b dst/a/one dst/a/b/two dst/a/link | sort > want
diff want got || fail "-v output differs"
[ -s err ] && fail "stderr: $(cat err)"
exit 0
