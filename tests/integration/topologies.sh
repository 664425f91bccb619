# The guest sees exactly the topology asked for (LLC groups, SMT siblings, NUMA nodes).
source "$(dirname "$0")/lib.sh"
need_vm

set +e
"$KTSTR_BIN" run --output "$WORK/runs" "$KTSTR_SOURCE_DIR/configs/topologies.yaml" \
	>"$WORK/out.txt" 2>&1
rc=$?
set -e
cat "$WORK/out.txt"
[ "$rc" = 0 ] || fail "ktstr run exited $rc"
check() { # name numa llcs cores threads
	local sc
	sc=$(find "$WORK/runs" -name "steady-$1-*.ktstr.json")
	[ -n "$sc" ] || fail "no sidecar for $1"
	jq -e --argjson n "$2" --argjson l "$3" --argjson c "$4" --argjson t "$5" \
		'.passed and .guest_topology.numa_nodes == $n and .guest_topology.llcs == $l
		 and .guest_topology.cores == $c and .guest_topology.threads == $t
		 and (.guest_topology.llc_cpus | length) == $l
		 and (.guest_topology.node_cpus | length) == $n' "$sc" >/dev/null \
		|| { jq .guest_topology "$sc"; fail "guest topology of $1"; }
}
check 1n2l2c1t 1 2 2 1
check 1n2l2c2t 1 2 2 2
check 2n4l1c1t 2 4 1 1

# A VM whose real topology differs from the requested one must fail the test:
# the backend's extra args override -smp with a single LLC.
cat > "$WORK/mismatch.yaml" <<'YAML'
version: 1
topologies: [1n2l2c1t]
schedulers: [eevdf]
scenarios: [{name: steady, duration: 1s}]
plugins:
  vm: {plugin: qemu, options: {extra_args: "-smp 4,sockets=1,cores=4,threads=1"}}
YAML
set +e
"$KTSTR_BIN" run --output "$WORK/mm" "$WORK/mismatch.yaml" >"$WORK/mm.txt" 2>&1
rc=$?
set -e
cat "$WORK/mm.txt"
[ "$rc" = 1 ] || fail "topology mismatch: exit $rc, expected 1"
grep -Eq '^FAIL ' "$WORK/mm.txt" || fail "topology mismatch did not FAIL"
grep -qi 'llc' "$WORK/mm.txt" || fail "the failure reason does not mention the LLC mismatch"
assert_no_qemu_left
echo "topologies: ok"
