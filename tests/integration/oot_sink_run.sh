# An out-of-tree result sink, built with pkg-config against the installed
# SDK exactly as a user would, is loaded by the installed ktstr and receives
# every result record of a real run (alongside the sidecar sink).
source "$(dirname "$0")/lib.sh"
need_vm
: "${KTSTR_BUILD_DIR:?}"

prefix=$WORK/prefix
cmake --install "$KTSTR_BUILD_DIR" --prefix "$prefix" >"$WORK/install.log" 2>&1 ||
	{ cat "$WORK/install.log"; fail "cmake --install failed"; }
pc=$(dirname "$(find "$prefix" -name ktstr-plugin.pc | head -n 1)")
[ -d "$pc" ] || fail "no ktstr-plugin.pc installed"
mkdir "$WORK/oot"
cp "$KTSTR_SOURCE_DIR"/tests/abi/out_of_tree/{oot_sink.c,Makefile} "$WORK/oot/"
PKG_CONFIG_PATH=$pc make -C "$WORK/oot" oot_sink.so >"$WORK/make.log" 2>&1 ||
	{ cat "$WORK/make.log"; fail "the out-of-tree sink does not build"; }

cat > "$WORK/p.yaml" <<YAML
version: 1
topologies: [1n1l2c1t, 1n2l1c1t]
schedulers: [eevdf]
scenarios: [{name: steady, duration: 1s}]
plugins:
  sinks: [sidecar, {plugin: oot-sink, options: {path: "$WORK/records.txt"}}]
YAML
set +e
KTSTR_PLUGIN_PATH=$WORK/oot "$prefix/bin/ktstr" run --output "$WORK/runs" "$WORK/p.yaml" \
	>"$WORK/out.txt" 2>&1
rc=$?
set -e
cat "$WORK/out.txt"
[ "$rc" = 0 ] || fail "installed ktstr run exited $rc"
cat "$WORK/records.txt"
[ "$(grep -c '^record ' "$WORK/records.txt")" = 2 ] || fail "the sink did not get 2 records"
grep -q 'test_name=steady/1n1l2c1t/eevdf/default passed=true' "$WORK/records.txt" ||
	fail "record of steady/1n1l2c1t missing"
grep -q 'test_name=steady/1n2l1c1t/eevdf/default passed=true' "$WORK/records.txt" ||
	fail "record of steady/1n2l1c1t missing"
[ "$(find "$WORK/runs" -name '*.ktstr.json' | wc -l)" = 2 ] || fail "sidecars missing"
echo "oot sink: ok"
