# A panicking kernel, an init that does not exist, and a hung guest each end
# within the watchdog with a non-zero exit, the stage and the console tail.
source "$(dirname "$0")/lib.sh"
need_vm

cat > "$WORK/p.yaml" <<'YAML'
version: 1
topologies: [1n1l2c1t]
schedulers: [eevdf]
scenarios: [{name: steady, duration: 1s}]
defaults: {timeout: 40s}
YAML

run_case() { # name, env... ; leaves output in $WORK/$name.txt and rc in $rc
	local name=$1
	shift
	local t0 t1
	t0=$(date +%s)
	set +e
	env "$@" "$KTSTR_BIN" run --output "$WORK/$name" "$WORK/p.yaml" >"$WORK/$name.txt" 2>&1
	rc=$?
	set -e
	t1=$(date +%s)
	elapsed=$((t1 - t0))
	cat "$WORK/$name.txt"
	[ "$rc" = 1 ] || fail "$name: exit $rc, expected 1"
	grep -q '^ERROR ' "$WORK/$name.txt" || fail "$name: no ERROR verdict"
	grep -q 'console tail:' "$WORK/$name.txt" || fail "$name: no console tail"
	[ -z "$(find "$WORK/$name" -name 'initrd*')" ] || fail "$name: initrd left behind"
	assert_no_qemu_left
}

# 1. Kernel panic: init returns at once, the kernel panics ("Attempted to kill init").
make_fake_init "$WORK/panic" <<'C'
int main(void) { return 0; }
C
run_case panic KTSTR_GUEST_DIR="$WORK/panic"
grep -q 'init never started' "$WORK/panic.txt" || fail "panic: stage not reported"
grep -qi 'kernel panic' "$WORK/panic.txt" || fail "panic: the console tail lacks the panic"
[ "$elapsed" -lt 60 ] || fail "panic: took ${elapsed}s"

# 2. No init in the initramfs: the kernel finds nothing to run.
printf 'this is not a program\n' > "$WORK/noinit.txt"
mkdir -p "$WORK/noinit" && install -m 0644 "$WORK/noinit.txt" "$WORK/noinit/ktstr-init"
run_case noinit KTSTR_GUEST_DIR="$WORK/noinit"
grep -q 'init never started' "$WORK/noinit.txt" || fail "noinit: stage not reported"
grep -qi 'no working init' "$WORK/noinit.txt" || fail "noinit: console tail lacks 'No working init'"

# 3. A guest that hangs after starting: the watchdog (timeout 40s) ends it.
make_fake_init "$WORK/hang" <<'C'
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>
int main(void) {
	mount("devtmpfs", "/dev", "devtmpfs", 0, 0);
	int fd = open("/dev/ttyS1", O_WRONLY);
	write(fd, "KTSTR_INIT_STARTED\nKTSTR_PAYLOAD_STARTING\n", 42);
	for (;;) pause();
}
C
run_case hang KTSTR_GUEST_DIR="$WORK/hang"
grep -q 'timed out' "$WORK/hang.txt" || fail "hang: no timeout reported"
grep -q 'payload started but produced no test result' "$WORK/hang.txt" || fail "hang: stage"
[ "$elapsed" -lt 75 ] || fail "hang: took ${elapsed}s for a 40s watchdog"
echo "failures: ok"
