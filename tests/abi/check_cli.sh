#!/bin/sh
# ctest "abi_cli": `ktstr plugin` from the build tree against the ABI fixtures:
# exit codes, the table, and the JSON shape {"plugins": [...], "refused": [...]}.
# usage: check_cli.sh <ktstr binary> <fixture module dir>
set -eu

ktstr=$1
fix=$(cd "$2" && pwd -P)

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ktstr-cli-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

expect_rc() {
	want=$1
	shift
	rc=0
	"$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq "$want" ] || fail "'$*' exited $rc, expected $want: $(cat "$tmp/err")"
}

expect_rc 0 "$ktstr" plugin --help
grep -q '^usage: ktstr plugin list \[--json\] \[--verbose\]' "$tmp/out" || fail "--help text"
expect_rc 0 "$ktstr" plugin list --help
expect_rc 2 "$ktstr" plugin
expect_rc 2 "$ktstr" plugin frob
grep -qF 'ktstr plugin: unknown subcommand "frob"' "$tmp/err" || fail "no usage error for frob"
expect_rc 2 "$ktstr" plugin list --frob
grep -qF 'list: unknown argument "--frob"' "$tmp/err" || fail "no usage error for --frob"

export KTSTR_PLUGIN_PATH="$fix"
expect_rc 0 "$ktstr" plugin list --json
# The build tree's own plugins may be listed too: count only the fixtures.
n=$(grep -c "\"path\": \"$fix/" "$tmp/out" || true)
[ "$n" -eq 6 ] || fail "expected 6 fixture plugins in the JSON, got $n"
grep -q '^  "refused": \[$' "$tmp/out" || fail "no \"refused\" list in the JSON"
n=$(grep -c "^    \"refusing plugin module $fix/" "$tmp/out" || true)
[ "$n" -eq 13 ] || fail "expected 13 refused fixtures in the JSON, got $n"
n=$(grep -c "refusing plugin module $fix/" "$tmp/err" || true)
[ "$n" -eq 13 ] || fail "expected 13 refusal warnings on stderr, got $n"
if command -v python3 >/dev/null 2>&1; then
	python3 -m json.tool "$tmp/out" >/dev/null || fail "the --json output is not JSON"
fi

expect_rc 0 "$ktstr" plugin list --verbose
grep -Eq "^abi-good +sink +1\.1 +1\.2\.3 +$fix/good_sink\.so +ABI fixture: a well-formed sink\$" \
	"$tmp/out" || fail "no abi-good row in: $(cat "$tmp/out")"
grep -Eq "^abi-newer-vm +vm +1\.3 " "$tmp/out" || fail "the newer-minor VM is not listed as 1.3"
grep -q '^refused modules:$' "$tmp/out" || fail "the table does not list refusals"
echo "PASS: ktstr plugin list (table, --json, usage errors)"
