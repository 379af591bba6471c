# backends: once
# A target written with a trailing slash must be a directory, as in GNU
# cp: a file there is not replaced ("cannot stat 'ex/': Not a
# directory") and a file is not copied to a new name ending in '/'
# ("cannot create regular file 'new/': Not a directory"); both exit 1.
# A directory copied to "new/" makes new, as cp does.
. "$TESTLIB"

echo src > f
echo keep > ex
mkdir d
echo in > d/x
pc f ex/ 2> err
rc=$?
[ $rc -eq 1 ] || fail "file onto 'ex/': exit $rc: $(cat err)"
grep -q "cannot stat 'ex/': Not a directory" err || fail "ex/: $(cat err)"
[ "$(cat ex)" = keep ] || fail "ex/ was replaced"
pc f new/ 2> err
rc=$?
[ $rc -eq 1 ] || fail "file to 'new/': exit $rc: $(cat err)"
grep -q "cannot create regular file 'new/': Not a directory" err ||
    fail "new/: $(cat err)"
[ -e new ] && fail "new/ made a file 'new'"
pc d dnew/ || fail "directory to 'dnew/': exit $?"
[ "$(cat dnew/x)" = in ] || fail "directory to 'dnew/' was not copied"
pc d ex/ 2> err
rc=$?
[ $rc -eq 1 ] || fail "directory onto 'ex/': exit $rc: $(cat err)"
[ "$(cat ex)" = keep ] || fail "ex was replaced by a directory"
# cp agrees on every one of these.
for args in "f ex2/" "f new2/"; do
	echo keep > ex2
	cp $args 2>/dev/null && fail "cp accepts '$args'?"
done
exit 0
