# The ktstr test scheduler's fault knobs, each against the real kernel: a
# healthy run passes; a stall fails with a stall/starvation verdict that names
# the cgroup and the gap; a crash (started by a trigger file) is a scheduler
# error with the kernel's exit reason; a program the verifier rejects is
# SCHEDULER_NOT_ATTACHED with the verifier's message; a scheduler that exits
# at once is SCHEDULER_DIED with its log. Each case asserts on `ktstr run`'s
# output and on the sidecar.
source "$(dirname "$0")/lib.sh"
: "${KTSTR_BUILD_DIR:?}"
SCHED=$KTSTR_BUILD_DIR/guest/ktstr-sched
[ -x "$SCHED" ] || skip "$SCHED is not built (configure with -DKTSTR_BPF=ON: clang, libbpf >= 1.4)"
command -v jq >/dev/null || skip "jq is not installed (scripts/install-deps)"
need_vm

# profile NAME PATH DURATION ARGS...: a one-test profile in $WORK/NAME.yaml
profile() {
	local name=$1 path=$2 duration=$3 args=""
	shift 3
	for a in "$@"; do args="$args${args:+, }\"$a\""; done
	cat > "$WORK/$name.yaml" <<YAML
version: 1
topologies: [1n1l2c1t]
schedulers: [{name: $name, path: "$path", args: [$args]}]
scenarios: [steady]
defaults: {duration: $duration, timeout: 120s}
YAML
}

# Every case runs; the failed expectations are listed at the end.
failures=()
expect() { # MESSAGE COMMAND...
	local msg=$1
	shift
	"$@" || failures+=("$msg")
}

# run_case NAME EXPECTED_RC: output in $WORK/NAME.txt, sidecar path in $sc
run_case() {
	local name=$1 want=$2 rc
	set +e
	"$KTSTR_BIN" run --output "$WORK/$name" "$WORK/$name.yaml" >"$WORK/$name.txt" 2>&1
	rc=$?
	set -e
	echo "=== $name (exit $rc)"
	cat "$WORK/$name.txt"
	[ "$rc" = "$want" ] || failures+=("$name: exit $rc, expected $want")
	sc=$(one_sidecar "$WORK/$name")
	assert_no_qemu_left
}

# has_detail KIND REGEX: some detail of KIND in the sidecar has a message matching REGEX
has_detail() {
	jq -e --arg k "$1" --arg re "$2" \
		'any(.details[]?; .kind == $k and (.message | test($re)))' "$sc" >/dev/null
}
# sidecar JQ_FILTER: the filter holds on the sidecar
sidecar() { jq -e "$1" "$sc" >/dev/null; }
# output NAME EREGEX: `ktstr run`'s output of case NAME matches
output() { grep -Eq "$2" "$WORK/$1.txt"; }

# 1. Healthy: the shared FIFO queue runs the steady scenario and passes.
profile healthy "$SCHED" 3s
run_case healthy 0
if grep -q 'sched_ext sysfs absent' "$WORK/healthy.txt"; then
	skip "the kernel has no sched_ext (CONFIG_SCHED_CLASS_EXT)"
fi
expect "healthy: no PASS line" output healthy '^PASS '
expect "healthy: sidecar not passed" sidecar '.passed == true and .scheduler == "healthy"'
expect "healthy: the scheduler log lacks the attach line" \
	sidecar '.sched_log | test("ktstr-sched: attached")'

# 2. Stall: dispatching stops 2 s after attach (the workers run by then) until
#    the kernel's watchdog ejects the scheduler. Under emulation the guest
#    multiplies the gap limit (2 s) by its timing_scale (up to 10), so the
#    watchdog gets its longest timeout (30 s) to leave a gap beyond any limit.
profile stall "$SCHED" 45s --fault=stall --after=2 --timeout-ms=30000
run_case stall 1
expect "stall: no FAIL line" output stall '^FAIL '
stalled() { has_detail Stuck 'cg_[0-9]+.*[0-9]+ ?ms' || has_detail Starved 'cg_[0-9]+'; }
expect "stall: no Stuck/Starved detail naming the cgroup and the gap" stalled
expect "stall: ktstr run does not report the kernel's stall" \
	output stall 'SchedulerError: .*(runnable task stall|watchdog failed to check in)'
expect "stall: no SchedulerError detail with the kernel's reason (runnable task stall)" \
	has_detail SchedulerError 'runnable task stall|watchdog failed to check in'

# 3. Crash: scx_bpf_error() once the trigger file appears: the scenario's
#    second cgroup (ktstr-init's layout, /sys/fs/cgroup/ktstr/cg_N); the
#    kernel's exit reason is reported.
profile crash "$SCHED" 4s --fault=crash --trigger=/sys/fs/cgroup/ktstr/cg_1
run_case crash 1
expect "crash: the trigger did not start the fault" \
	sidecar '.sched_log | test("fault crash now active")'
expect "crash: no FAIL line" output crash '^FAIL '
expect "crash: no SchedulerError detail with the kernel's exit reason" \
	has_detail SchedulerError 'scx_bpf_error.*crash fault injected'
expect "crash: ktstr run does not show the kernel's exit reason" \
	output crash 'SchedulerError: .*crash fault injected'
expect "crash: the scheduler log lacks the loader's exit line" \
	sidecar '.sched_log | test("the kernel disabled the scheduler: scx_bpf_error")'

# 4. fail-verify: the verifier rejects the program; the reason is its message.
profile verify "$SCHED" 2s --fault=fail-verify
run_case verify 1
expect "verify: no 'scheduler not attached' with the verifier's message" \
	output verify 'scheduler not attached: .*invalid mem access'
expect "verify: sidecar reason or scheduler log" \
	sidecar '(.reason | test("not attached: .*invalid mem access")) and
		(.sched_log | test("BEGIN PROG LOAD LOG"))'

# 5. A scheduler binary that exits at once: SCHEDULER_DIED, its log kept.
mkdir -p "$WORK/quit-bin"
cat > "$WORK/quitter.c" <<'C'
#include <stdio.h>
int main(void) { fprintf(stderr, "quitter: giving up at once\n"); return 3; }
C
cc -static -O1 "$WORK/quitter.c" -o "$WORK/quit-bin/quitter" ||
	skip "cannot build a static program (cc -static)"
profile quitter "$WORK/quit-bin/quitter" 2s
run_case quitter 1
expect "quitter: no 'scheduler died'" output quitter 'scheduler died'
kept_log() { grep -q 'quitter: giving up at once' "$WORK"/quitter/*/tests/*/protocol.log; }
expect "quitter: the run directory's protocol.log lacks the scheduler's log" kept_log
expect "quitter: sidecar reason or scheduler log" \
	sidecar '(.reason | test("scheduler died")) and (.sched_log | test("giving up at once"))'

if [ "${#failures[@]}" -gt 0 ]; then
	printf 'FAIL: %s\n' "${failures[@]}" >&2
	exit 1
fi
echo "sched_faults: ok"
