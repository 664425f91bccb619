# Every shipped profile parses, names loadable plugins with valid options,
# and expands to at least one test (`ktstr run --dry-run`, nothing boots).
source "$(dirname "$0")/lib.sh"

"$KTSTR_BIN" run --dry-run "$KTSTR_SOURCE_DIR/configs/smoke.yaml" >/dev/null 2>&1 ||
	skip "no kernel resolvable for --dry-run (run ktstr kernel fetch sid)"
count=0
for f in "$KTSTR_SOURCE_DIR"/configs/*.yaml "$KTSTR_SOURCE_DIR"/configs/examples/*.yaml; do
	if ! "$KTSTR_BIN" run --dry-run --json "$f" >"$WORK/plan.json" 2>"$WORK/err.txt"; then
		cat "$WORK/err.txt" >&2
		fail "$f does not expand"
	fi
	jq -e '.selected > 0 and (.tests | length) == .selected' "$WORK/plan.json" >/dev/null ||
		fail "$f selects no test"
	count=$((count + 1))
done
echo "configs: $count profiles expand"
