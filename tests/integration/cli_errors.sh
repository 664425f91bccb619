# Bad input is exit status 2 with file:line:column, before anything boots.
source "$(dirname "$0")/lib.sh"

cat > "$WORK/typo.yaml" <<'YAML'
version: 1
scenarios: [steady]
topolgies: [1n2l2c1t]
YAML
set +e
"$KTSTR_BIN" run --dry-run "$WORK/typo.yaml" >"$WORK/out.txt" 2>&1
rc=$?
set -e
cat "$WORK/out.txt"
[ "$rc" = 2 ] || fail "misspelt key: exit $rc, expected 2"
grep -q "typo.yaml:3:1" "$WORK/out.txt" || fail "misspelt key: no file:line:column in the message"
grep -q '"topologies"' "$WORK/out.txt" || fail "misspelt key: no suggestion of \"topologies\""

set +e
"$KTSTR_BIN" run --no-such-flag x.yaml >/dev/null 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || fail "unknown flag: exit $rc, expected 2"

"$KTSTR_BIN" run --help | grep -q "exit status" || fail "run --help does not explain exit status"
echo "cli errors: ok"
