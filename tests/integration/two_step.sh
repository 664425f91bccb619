# A user-written two-step scenario (inline in the profile) with a
# swap_cpusets op runs; its per-step stimulus events and the isolation check
# result reach the sidecar.
source "$(dirname "$0")/lib.sh"
need_vm

cat > "$WORK/p.yaml" <<'YAML'
version: 1
topologies: [1n2l2c1t]
schedulers: [eevdf]
scenarios:
  - name: swap_halves
    duration: 2s
    checks: {isolation: true}
    backdrop:
      cgroups:
        - {name: cg_0, cpuset: {disjoint: {index: 0, of: 2}}}
        - {name: cg_1, cpuset: {disjoint: {index: 1, of: 2}}}
    steps:
      - hold: 0.5
      - ops: [{op: swap_cpusets, a: cg_0, b: cg_1}]
        hold: 0.5
YAML
set +e
"$KTSTR_BIN" run --output "$WORK/runs" "$WORK/p.yaml" >"$WORK/out.txt" 2>&1
rc=$?
set -e
cat "$WORK/out.txt"
[ "$rc" = 0 ] || fail "ktstr run exited $rc"
sc=$(one_sidecar "$WORK/runs")
jq '{passed, stimulus_events, isolation}' "$sc"
jq -e '.passed and (.stimulus_events | length) == 2' "$sc" >/dev/null ||
	fail "expected 2 stimulus events (one per step)"
jq -e '.stimulus_events[1].label == "StepStart[1]" and .stimulus_events[1].op_kind == "ops=1"
	and (.stimulus_events[1].ops | index("swap_cpusets")) != null' "$sc" >/dev/null ||
	fail "step 1's stimulus event does not show the swap"
jq -e '(.isolation | length) >= 2 and all(.isolation[]; .passed)' "$sc" >/dev/null ||
	fail "isolation results missing or failed"
jq -e '[.steps[] | .label] | index("step 1") != null' "$sc" >/dev/null || fail "per-step results missing"
echo "two-step: ok"
