# README command 1's run: steady on 1n2l2c1t under eevdf passes; its sidecar holds what users read.
source "$(dirname "$0")/lib.sh"
need_vm

set +e
KTSTR_CI=1 "$KTSTR_BIN" run --output "$WORK/runs" "$KTSTR_SOURCE_DIR/configs/smoke.yaml" \
	>"$WORK/out.txt" 2>&1
rc=$?
set -e
cat "$WORK/out.txt"
[ "$rc" = 0 ] || fail "ktstr run exited $rc"
line=$(grep -E '^PASS +steady/1n2l2c1t/eevdf/default ' "$WORK/out.txt") || fail "no PASS line"
for want in "kernel=" "topology=1n2l2c1t" "scheduler=eevdf" "accel="; do
	echo "$line" | grep -q "$want" || fail "result line lacks $want: $line"
done
echo "$line" | grep -Eq ' [0-9]+\.[0-9]s$' || fail "result line lacks the wall time: $line"

sc=$(one_sidecar "$WORK/runs")
jq -e '.test_name == "steady/1n2l2c1t/eevdf/default"' "$sc" >/dev/null || fail "test_name"
jq -e '.topology == "1n2l2c1t" and .scheduler == "eevdf" and .passed == true' "$sc" >/dev/null \
	|| fail "topology/scheduler/passed in $sc"
jq -e '(.kernel_version | type) == "string" and .stats.total_iterations > 0' "$sc" >/dev/null \
	|| fail "kernel_version/stats.total_iterations in $sc"
jq -e '.run_source == "ci"' "$sc" >/dev/null || fail "run_source is not ci with KTSTR_CI=1"
jq -e '.guest_topology.llcs == 2 and .guest_topology.numa_nodes == 1' "$sc" >/dev/null \
	|| fail "guest_topology in $sc"
[ -z "$(find "$WORK/runs" -name 'initrd*')" ] || fail "initrd left behind"
[ -z "$(find "$WORK/runs" -name '*.tmp*')" ] || fail "temp file left behind"
assert_no_qemu_left
echo "smoke: ok ($(jq -r .kernel_version "$sc"), $(jq -r .accelerator "$sc"))"
