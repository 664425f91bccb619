#!/usr/bin/env bash
# Wall time of one `steady` test through `ktstr run` against the bare floor:
# the same kernel and the same QEMU argv booting an init that powers off at
# once, plus the scenario's duration. Prints both, the ratio, and the peak
# RSS of the ktstr process. Target: ratio <= 1.10.
#
# Usage: bench/boot_overhead.sh [BUILD_DIR] [RUNS]   (default: build, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-3}
ktstr=$build/ktstr
work=$(mktemp -d /tmp/ktstr-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
duration_s=2

cat > "$work/p.yaml" <<YAML
version: 1
topologies: [1n2l2c1t]
schedulers: [eevdf]
scenarios: [{name: steady, duration: ${duration_s}s}]
YAML

now() { date +%s.%N; }

# Warm-up: fills the initramfs cache and gives us QEMU's exact argv.
"$ktstr" run --output "$work/warm" "$work/p.yaml" >/dev/null 2>&1
argv_file=$(find "$work/warm" -name qemu.argv | head -n 1)
[ -n "$argv_file" ] || { echo "bench: the qemu plugin wrote no qemu.argv" >&2; exit 1; }

# The floor's initramfs: a static init that reboots at once (our init's exit path).
mkdir -p "$work/floor/root"
cc -static -O2 -x c - -o "$work/floor/root/init" <<'C'
#include <sys/reboot.h>
#include <unistd.h>
int main(void) { sync(); reboot(RB_AUTOBOOT); return 0; }
C
(cd "$work/floor/root" && find . | cpio -o -H newc --quiet | lz4 -l -q > "$work/floor/initrd")
mapfile -t argv < "$argv_file"
for i in "${!argv[@]}"; do
	case "${argv[$i]}" in
	-initrd) argv[$((i + 1))]=$work/floor/initrd ;;
	-serial) argv[$((i + 1))]=file:/dev/null ;;
	esac
done

floor_total=0
ktstr_total=0
rss_max=0
for r in $(seq 1 "$runs"); do
	t0=$(now)
	"${argv[@]}" >/dev/null 2>&1
	t1=$(now)
	floor=$(echo "$t1 - $t0 + $duration_s" | bc -l)
	if ! "$ktstr" run --json --output "$work/r$r" "$work/p.yaml" >"$work/sum.json" 2>"$work/err.txt"; then
		echo "bench: run $r did not pass:" >&2
		jq -r '.tests[] | "\(.verdict) \(.name): \(.reason)"' "$work/sum.json" >&2 || cat "$work/err.txt" >&2
		exit 1
	fi
	t2=$(now)
	kt=$(echo "$t2 - $t1" | bc -l)
	rss=$(jq -r .peak_rss_kb "$work/sum.json") # ktstr's own, not QEMU's
	if [ "$rss" -gt "$rss_max" ]; then rss_max=$rss; fi
	printf 'run %d: floor %.2fs (boot+poweroff %.2fs + %ds scenario), ktstr %.2fs, ratio %.3f, ktstr max RSS %d KiB\n' \
		"$r" "$floor" "$(echo "$t1 - $t0" | bc -l)" "$duration_s" "$kt" "$(echo "$kt / $floor" | bc -l)" "$rss"
	floor_total=$(echo "$floor_total + $floor" | bc -l)
	ktstr_total=$(echo "$ktstr_total + $kt" | bc -l)
done
printf 'mean over %d runs: floor %.2fs, ktstr %.2fs, ratio %.3f (target <= 1.10); ktstr peak RSS %d KiB\n' \
	"$runs" "$(echo "$floor_total / $runs" | bc -l)" "$(echo "$ktstr_total / $runs" | bc -l)" \
	"$(echo "$ktstr_total / $floor_total" | bc -l)" "$rss_max"
