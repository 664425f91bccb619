# Kernel ids on the command line and in the environment, before anything boots:
# KTSTR_KERNEL errors name the path, --kernel ranges and git ids are checked,
# two kernels give a kernel dimension, labels and KTSTR_KERNEL_LIST.
source "$(dirname "$0")/lib.sh"

SMOKE="$KTSTR_SOURCE_DIR/configs/smoke.yaml"
export KTSTR_CACHE_DIR="$WORK/cache" # an empty cache: nothing is found by accident
unset KTSTR_TEST_KERNEL KTSTR_KERNEL KTSTR_KERNEL_LIST

expect_error() { # expect_error WHAT NEEDLE -- command...
	local what=$1 needle=$2 rc
	shift 3
	set +e
	"$@" >"$WORK/out.txt" 2>&1
	rc=$?
	set -e
	cat "$WORK/out.txt"
	[ "$rc" != 0 ] || fail "$what: exit 0, expected a failure"
	grep -qF -- "$needle" "$WORK/out.txt" || fail "$what: no \"$needle\" in the message"
}

(cd "$WORK" && expect_error "KTSTR_KERNEL=../no-such" "../no-such" -- \
	env KTSTR_KERNEL=../no-such "$KTSTR_BIN" run "$SMOKE")
mkdir -p "$WORK/empty"
expect_error "KTSTR_KERNEL without an image" \
	"KTSTR_KERNEL=$WORK/empty does not contain a kernel image" -- \
	env KTSTR_KERNEL="$WORK/empty" "$KTSTR_BIN" run --dry-run "$SMOKE"
expect_error "KTSTR_KERNEL range" "not supported in env-var form" -- \
	env KTSTR_KERNEL=6.1..6.2 "$KTSTR_BIN" run --dry-run "$SMOKE"
expect_error "inverted --kernel range" \
	"--kernel 7.2..6.1: inverted kernel range \`7.2..6.1\`: start version is greater than end version. Swap the endpoints (\`6.1..7.2\`)" -- \
	"$KTSTR_BIN" run --dry-run --kernel 7.2..6.1 "$SMOKE"
[ "$(set +e; "$KTSTR_BIN" run --dry-run --kernel 7.2..6.1 "$SMOKE" >/dev/null 2>&1; echo $?)" = 2 ] ||
	fail "inverted range: exit status is not 2 (bad input)"
expect_error "git id" "no kernel source handles git ids" -- \
	"$KTSTR_BIN" run --dry-run --kernel 'git+https://example.org/o/linux#main' "$SMOKE"
expect_error "pre-flight label collision" "kernels 6.14.2 and 6-14-2 both get the test-name label kernel_6_14_2" -- \
	"$KTSTR_BIN" run --dry-run --kernel 6.14.2 --kernel 6-14-2 "$SMOKE"
expect_error "empty cache range" "no cached kernel has a version in [6.1, 6.2]" -- \
	"$KTSTR_BIN" run --dry-run --kernel 6.1..6.2 "$SMOKE"

# Two kernels need a real image (the local source checks the format).
real=$(ls "$HOME"/.cache/ktstr/kernels/*/vmlinuz 2>/dev/null | head -1 || true)
[ -n "$real" ] || skip "no cached kernel image under ~/.cache/ktstr/kernels to copy"
mkdir -p "$WORK/ka" "$WORK/kb"
cp "$real" "$WORK/ka/bzImage"
cp "$real" "$WORK/kb/bzImage"

KTSTR_KERNEL_PARALLELISM=abc "$KTSTR_BIN" run --dry-run --json --kernel "$WORK/ka" \
	--kernel "$WORK/kb" --kernel "$WORK/ka" "$SMOKE" >"$WORK/plan.json" 2>"$WORK/err.txt" ||
	{ cat "$WORK/err.txt"; fail "two path kernels do not expand"; }
grep -q "KTSTR_KERNEL_PARALLELISM=abc is not an integer > 0" "$WORK/err.txt" ||
	fail "no warning for KTSTR_KERNEL_PARALLELISM=abc"
jq -e '.kernels | length == 2' "$WORK/plan.json" >/dev/null ||
	fail "the repeated --kernel is not deduplicated: $(jq -c .kernels "$WORK/plan.json")"
jq -e '[.kernels[].label] | all(test("^kernel_path_k[ab]_[0-9a-f]{6}$"))' "$WORK/plan.json" \
	>/dev/null || fail "path labels: $(jq -c '[.kernels[].label]' "$WORK/plan.json")"
jq -e '[.tests[].name | test("/kernel_path_k[ab]_[0-9a-f]{6}$")] | all' "$WORK/plan.json" \
	>/dev/null || fail "test names lack the kernel dimension"
jq -e '(.tests | length) % 2 == 0 and (.tests | length) > 0' "$WORK/plan.json" >/dev/null ||
	fail "the matrix is not doubled"

# KTSTR_KERNEL_LIST (2+ entries) is used as given: labels and paths.
KTSTR_KERNEL_LIST=" one = $WORK/ka ;; two=$WORK/kb" "$KTSTR_BIN" run --dry-run --json "$SMOKE" \
	>"$WORK/plan.json" 2>"$WORK/err.txt" || { cat "$WORK/err.txt"; fail "KTSTR_KERNEL_LIST"; }
jq -e '[.kernels[].label] == ["kernel_one", "kernel_two"]' "$WORK/plan.json" >/dev/null ||
	fail "KTSTR_KERNEL_LIST labels: $(jq -c '[.kernels[].label]' "$WORK/plan.json")"
jq -e --arg d "$WORK/kb" '.kernels[1].dir == $d' "$WORK/plan.json" >/dev/null ||
	fail "KTSTR_KERNEL_LIST dirs are not used as given"
# Labels that sanitize alike are refused.
expect_error "label collision" "both get the test-name label kernel_a_b" -- \
	env KTSTR_KERNEL_LIST="a.b=$WORK/ka;a-b=$WORK/kb" "$KTSTR_BIN" run --dry-run "$SMOKE"
# Versions, ranges and KTSTR_KERNEL=VERSION through a cache holding the real entry.
entry=$(dirname "$real")
case "$entry" in "$HOME"/.cache/ktstr/kernels/*) ;; *) fail "unexpected entry $entry" ;; esac
mkdir -p "$KTSTR_CACHE_DIR"
cp -r "$entry" "$KTSTR_CACHE_DIR/"
ver=$(jq -r .version "$entry/metadata.json" | grep -oE '^[0-9]+\.[0-9]+(\.[0-9]+)?')
mm=$(echo "$ver" | cut -d. -f1,2)
maj=${mm%%.*}
"$KTSTR_BIN" run --dry-run --json --kernel "$maj.0..$((maj + 1)).0" "$SMOKE" >"$WORK/plan.json" \
	2>"$WORK/err.txt" || { cat "$WORK/err.txt"; fail "range over the cache"; }
jq -e --arg v "$ver" '[.kernels[].raw_label] == [$v]' "$WORK/plan.json" >/dev/null ||
	fail "range $maj.0..$((maj + 1)).0: $(jq -c '[.kernels[].raw_label]' "$WORK/plan.json"), want [$ver]"
"$KTSTR_BIN" run --dry-run --json --kernel "$mm" --kernel "$ver" "$SMOKE" >"$WORK/plan.json" \
	2>"$WORK/err.txt" || { cat "$WORK/err.txt"; fail "two versions"; }
want="[\"kernel_${mm//./_}\",\"kernel_${ver//./_}\"]"
[ "$(jq -c '[.kernels[].label]' "$WORK/plan.json")" = "$want" ] ||
	fail "version labels: $(jq -c '[.kernels[].label]' "$WORK/plan.json"), want $want"
KTSTR_KERNEL=" $mm " "$KTSTR_BIN" run --dry-run --json "$SMOKE" >"$WORK/plan.json" 2>"$WORK/err.txt" ||
	{ cat "$WORK/err.txt"; fail "KTSTR_KERNEL=$mm"; }
jq -e --arg l "kernel_${mm//./_}" '[.kernels[].label] == [$l] and .kernels[0].source == "cache"' \
	"$WORK/plan.json" >/dev/null || fail "KTSTR_KERNEL=$mm: $(jq -c .kernels "$WORK/plan.json")"

# The text plan lists the kernel set.
"$KTSTR_BIN" run --dry-run --kernel "$WORK/ka" --kernel "$WORK/kb" "$SMOKE" >"$WORK/plan.txt"
grep -q "^kernels (2):" "$WORK/plan.txt" || fail "--dry-run does not show the kernel set"
echo "kernel ids: ok"
