# Ctrl-C during a VM run: exit 130, no QEMU left, no temp initramfs left.
source "$(dirname "$0")/lib.sh"
need_vm

cat > "$WORK/p.yaml" <<'YAML'
version: 1
topologies: [1n1l2c1t]
schedulers: [eevdf]
scenarios: [{name: steady, duration: 30s}]
YAML
"$KTSTR_BIN" run --output "$WORK/runs" "$WORK/p.yaml" >"$WORK/out.txt" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	pgrep -f "qemu-system-x86_64.*$WORK" >/dev/null && break
	sleep 0.2
done
pgrep -f "qemu-system-x86_64.*$WORK" >/dev/null || fail "no QEMU started"
sleep 2
kill -INT "$pid"
set +e
wait "$pid"
rc=$?
set -e
cat "$WORK/out.txt"
[ "$rc" = 130 ] || fail "exit $rc after SIGINT, expected 130"
sleep 0.5
assert_no_qemu_left
[ -z "$(find "$WORK/runs" -name 'initrd*')" ] || fail "initrd left behind"
echo "cancel: ok"
