# Shared helpers for the integration scripts (sourced).
set -euo pipefail

: "${KTSTR_BIN:?}" "${KTSTR_SOURCE_DIR:?}"
WORK=$(mktemp -d /tmp/ktstr-it.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIPPED (NOT PASSED): $*" >&2
	exit 77
}

# Skip loudly unless a VM can be booted: QEMU present and a kernel resolvable.
need_vm() {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
	if ! "$KTSTR_BIN" run --dry-run "$KTSTR_SOURCE_DIR/configs/smoke.yaml" >"$WORK/dry.txt" 2>&1; then
		cat "$WORK/dry.txt" >&2
		skip "no kernel could be resolved (run ktstr kernel fetch sid)"
	fi
}

# A static guest program from C source on stdin, installed as $1/ktstr-init.
make_fake_init() {
	mkdir -p "$1"
	cc -static -O1 -x c - -o "$1/ktstr-init" || skip "cannot build a static test init (cc -static)"
}

# No qemu started by this test may outlive it.
assert_no_qemu_left() {
	if pgrep -f "qemu-system-x86_64.*$WORK" >/dev/null; then
		pgrep -af "qemu-system-x86_64.*$WORK" >&2
		fail "a QEMU process outlived the run"
	fi
}

# Exactly one sidecar in dir $1; prints its path.
one_sidecar() {
	local files
	files=$(find "$1" -name '*.ktstr.json')
	[ "$(echo "$files" | grep -c .)" = 1 ] || fail "expected one sidecar under $1, found: $files"
	echo "$files"
}
