#!/bin/bash
# `ktstr kernel build --source DIR` on the fake kernel tree (tests/fixtures/
# fake-kernel-tree): keys, cache hits, --force, --clean, dirty and non-git
# trees, validation and make failures, the source-tree lock, cancellation,
# and the CPU-cap rules. No real kernel is built.
. "$(dirname "$0")/lib.sh"

command -v git >/dev/null || skip "git is not installed"
command -v make >/dev/null || skip "make is not installed"
command -v python3 >/dev/null || skip "python3 is not installed (reads the JSON output)"
FIXTURE=$KTSTR_SOURCE_DIR/tests/fixtures/fake-kernel-tree
export KTSTR_CACHE_DIR=$WORK/cache FAKE_KERNEL_LOG=$WORK/make.log
unset KTSTR_CPU_CAP KTSTR_BYPASS_LLC_LOCKS FAKE_KERNEL_FAIL FAKE_KERNEL_DROP FAKE_KERNEL_SLEEP

# zlib's crc32 of stdin as %08x: the gzip trailer holds it (little-endian, as od reads it here).
crc32() {
	gzip -c | tail -c 8 | head -c 4 | od -An -tx4 | tr -d ' \n'
}

# A committed copy of the fixture at $1. The message names the copy: copies
# committed within one second would otherwise share a commit, hence a key.
new_tree() {
	cp -r "$FIXTURE" "$1"
	git -C "$1" init -q
	git -C "$1" add -A
	git -C "$1" -c user.name=t -c user.email=t@t commit -qm "fake kernel $1"
}

build() {
	"$KTSTR_BIN" kernel build "$@" >"$WORK/out" 2>"$WORK/err"
}

expect() { # expect FILE TEXT: FILE contains TEXT
	grep -qF -- "$2" "$WORK/$1" || { cat "$WORK/out" "$WORK/err" >&2; fail "$1 lacks: $2"; }
}

builds() { grep -c '^bzImage' "$WORK/make.log" || true; }

KC=$(crc32 <"$KTSTR_SOURCE_DIR/configs/ktstr.kconfig")
TREE=$WORK/tree
new_tree "$TREE"
HASH7=$(git -C "$TREE" rev-parse HEAD | cut -c1-7)
KEY=local-$HASH7-x86_64-kc$KC

# 1. a clean tree without .config: defconfig, fragment, olddefconfig, bzImage; cached
build --source "$TREE" || { cat "$WORK/err" >&2; fail "first build failed"; }
expect out "✓ Kernel cached: $KEY"
expect out "$KTSTR_CACHE_DIR/$KEY/bzImage"
[ "$(cut -d' ' -f1 "$WORK/make.log" | tr '\n' ' ')" = "defconfig olddefconfig bzImage " ] ||
	fail "make targets: $(cat "$WORK/make.log")"
grep -q '^bzImage .*-j1' "$WORK/make.log" || fail "make -j not from the budget: $(cat "$WORK/make.log")"
grep -qx 'CONFIG_SCHED_CLASS_EXT=y' "$TREE/.config" || fail "the fragment was not applied"
grep -qx '# CONFIG_DRM is not set' "$TREE/.config" || fail "the fragment's off list was not applied"
for f in bzImage vmlinux config metadata.json; do
	[ -f "$KTSTR_CACHE_DIR/$KEY/$f" ] || fail "entry lacks $f"
done
cmp -s "$TREE/.config" "$KTSTR_CACHE_DIR/$KEY/config" || fail "entry config is not the tree's .config"
"$KTSTR_BIN" kernel list --json >"$WORK/list.json"
python3 - "$WORK/list.json" "$KEY" "$TREE" "$HASH7" "$KC" <<'EOF' || fail "kernel list --json"
import json, sys
doc, key, tree, hash7, kc = json.load(open(sys.argv[1])), *sys.argv[2:]
e = [x for x in doc["entries"] if x["key"] == key]
assert len(e) == 1, doc
e = e[0]
assert e["source"] == {"type": "local", "source_tree_path": tree, "git_hash": hash7}, e
assert e["version"] == "6.99.0-fake" and e["image_name"] == "bzImage", e
assert e["ktstr_kconfig_hash"] == kc and e["kconfig_status"] == "matches", e
assert e["has_vmlinux"] is True, e
assert e["source_vmlinux_size"] == __import__("os").path.getsize(tree + "/vmlinux"), e
EOF

# 2. again: a hit (its own .config does not make a -cfg key), nothing built
build --source "$TREE" || fail "second build failed"
expect out "cached kernel found: $KTSTR_CACHE_DIR/$KEY"
expect err "use --force to rebuild"
[ "$(builds)" = 1 ] || fail "a cache hit ran make: $(cat "$WORK/make.log")"

# 3. --force rebuilds (configured already: no defconfig) and replaces the entry
old=$(cat "$KTSTR_CACHE_DIR/$KEY/bzImage")
build --source "$TREE" --force --json || { cat "$WORK/err" >&2; fail "--force failed"; }
[ "$(builds)" = 2 ] || fail "--force did not build"
[ "$(grep -c '^defconfig' "$WORK/make.log")" = 1 ] || fail "--force reconfigured a configured tree"
[ "$(cat "$KTSTR_CACHE_DIR/$KEY/bzImage")" != "$old" ] || fail "--force kept the old image"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["status"]=="installed" and d["key"]==sys.argv[2], d' \
	"$WORK/out" "$KEY" || fail "--json: $(cat "$WORK/out")"

# 4. --clean: mrproper first, so defconfig again
build --source "$TREE" --clean --force || fail "--clean failed"
[ "$(tail -4 "$WORK/make.log" | cut -d' ' -f1 | tr '\n' ' ')" = "mrproper defconfig olddefconfig bzImage " ] ||
	fail "--clean targets: $(cat "$WORK/make.log")"

# 5. a .config of the user's own: a -cfg{crc} key
CFG_TREE=$WORK/cfg-tree
new_tree "$CFG_TREE"
printf 'CONFIG_64BIT=y\nCONFIG_HZ=1000\n' >"$CFG_TREE/.config"
CFG=$(crc32 <"$CFG_TREE/.config")
CFG_HASH7=$(git -C "$CFG_TREE" rev-parse HEAD | cut -c1-7)
build --source "$CFG_TREE" || { cat "$WORK/err" >&2; fail "build with a .config failed"; }
expect out "Kernel cached: local-$CFG_HASH7-x86_64-cfg$CFG-kc$KC"
grep -qx 'CONFIG_HZ=1000' "$CFG_TREE/.config" || fail "the user's .config was replaced"

# 6. a dirty tree builds in place and is not cached
entries() { find "$KTSTR_CACHE_DIR" -mindepth 1 -maxdepth 1 -not -name '.*' | wc -l; }
before=$(entries)
echo "# local change" >>"$TREE/Kconfig"
build --source "$TREE" || { cat "$WORK/err" >&2; fail "dirty build failed"; }
expect out "built (not cached): $TREE/arch/x86/boot/bzImage"
expect err "the git tree has uncommitted changes; built in place, not cached"
[ "$(entries)" = "$before" ] || fail "a dirty tree was cached"
git -C "$TREE" checkout -q Kconfig

# 7. so does a tree that is not a git repository
PLAIN=$WORK/plain
cp -r "$FIXTURE" "$PLAIN"
build --source "$PLAIN" --json || fail "non-git build failed"
expect err "it is not a git tree; built in place, not cached"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["status"]=="local" and d["key"] is None, d' \
	"$WORK/out" || fail "--json of a non-git tree: $(cat "$WORK/out")"
[ "$(entries)" = "$before" ] || fail "a non-git tree was cached"

# 8. a required option lost in olddefconfig fails before the build, naming it
DROP=$WORK/drop
new_tree "$DROP"
n=$(builds)
FAKE_KERNEL_DROP=BPF_EVENTS build --source "$DROP" && fail "a missing BPF_EVENTS passed"
expect err "$DROP/.config: 1 required option not set to y after configuring: BPF_EVENTS."
[ "$(builds)" = "$n" ] || fail "make bzImage ran despite a missing option"

# 9. a failing make shows the end of its output; nothing is cached, nothing left over
FAILING=$WORK/failing
new_tree "$FAILING"
FAKE_KERNEL_FAIL=1 build --source "$FAILING" && fail "a failing make passed"
expect err "make -j1 bzImage failed in $FAILING (exit 2); last lines of its output:"
expect err "kernel/broken.c:1:1: error: fake compile failure"
[ "$(entries)" = "$before" ] || fail "a failed build was cached"
ls -a "$KTSTR_CACHE_DIR" | grep -q '^\.tmp-' && fail "a failed build left a .tmp- entry"

# 10. the source-tree lock: a second build of the same tree fails at once, naming the holder
LOCKTREE=$(realpath "$FAILING")
LOCK=$KTSTR_CACHE_DIR/.locks/source-$(printf %s "$LOCKTREE" | crc32).lock
[ -f "$LOCK" ] || fail "no source-tree lock file $LOCK"
# this subshell, exec'ed into sleep, keeps the lock; /proc/locks names flock(1),
# which took it and is gone: killing the sleep releases it
# (blocking: a non-blocking try could lose to the probe below and never hold it)
(exec 9>"$LOCK" && flock 9 && exec sleep 30) </dev/null >/dev/null 2>&1 &
holder=$!
for _ in $(seq 100); do
	flock -n "$LOCK" true || break
	sleep 0.1
done
build --source "$FAILING" && fail "a locked tree was built"
expect err "source tree $LOCKTREE is being built by another process"
expect err "holders:"
expect err "  pid="
kill "$holder"
wait "$holder" 2>/dev/null || true

# 11. Ctrl-C during make: exit 130, the make process group is gone, nothing cached
SLOW=$WORK/slow
new_tree "$SLOW"
FAKE_KERNEL_SLEEP=60 "$KTSTR_BIN" kernel build --source "$SLOW" >"$WORK/out" 2>"$WORK/err" &
pid=$!
for _ in $(seq 100); do
	[ -s "$SLOW/.fake-sleep.pid" ] && break
	sleep 0.1
done
[ -s "$SLOW/.fake-sleep.pid" ] || fail "the slow build never started"
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 130 ] || { cat "$WORK/err" >&2; fail "cancelled build exited $rc, not 130"; }
expect err "cancelled"
# gone, or a zombie waiting for a reaper (the state field after "(sleep) ")
state=$(sed 's/.*) //' "/proc/$(cat "$SLOW/.fake-sleep.pid")/stat" 2>/dev/null | cut -c1)
[ -z "$state" ] || [ "$state" = Z ] || fail "make's children outlived the cancel (state $state)"
[ "$(entries)" = "$before" ] || fail "a cancelled build was cached"

# 11b. ktstr killed outright (SIGKILL: no cleanup of its own) during make: the whole make
# group goes with it, the sleep in a recipe included, within about two seconds
KILLED=$WORK/killed
new_tree "$KILLED"
FAKE_KERNEL_SLEEP=60 "$KTSTR_BIN" kernel build --source "$KILLED" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ -s "$KILLED/.fake-sleep.pid" ] && break
	sleep 0.1
done
[ -s "$KILLED/.fake-sleep.pid" ] || fail "the slow build never started"
sleeper=$(cat "$KILLED/.fake-sleep.pid")
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
state=x
for _ in $(seq 20); do
	state=$(sed 's/.*) //' "/proc/$sleeper/stat" 2>/dev/null | cut -c1)
	[ -z "$state" ] || [ "$state" = Z ] && break
	sleep 0.1
done
[ -z "$state" ] || [ "$state" = Z ] || { kill "$sleeper" 2>/dev/null; fail "make's sleep outlived a SIGKILL of ktstr (state $state)"; }

# 12. usage and CPU-cap rules
build && fail "no --source accepted"
expect err "name the source tree with --source DIR"
build --source "$WORK" && fail "a directory without Makefile/Kconfig accepted"
expect err "is not a kernel source tree (a directory with Makefile and Kconfig)"
build 6.12 --source "$TREE" && fail "a version accepted"
expect err "only --source DIR builds are supported"
build --source "$TREE" --cpu-cap 0 && fail "--cpu-cap 0 accepted"
expect err "--cpu-cap must be ≥ 1 CPU (got 0)"
KTSTR_CPU_CAP=x build --source "$TREE" && fail "KTSTR_CPU_CAP=x accepted"
expect err 'KTSTR_CPU_CAP is not a valid integer: "x"'
over=$(( $(nproc) + 1 ))
rc=0
build --source "$TREE" --cpu-cap "$over" || rc=$?
[ "$rc" = 2 ] || fail "--cpu-cap $over (above the CPUs allowed) exited $rc, want 2"
expect err "--cpu-cap $over exceeds the $(nproc) CPU(s) this process may use"
KTSTR_BYPASS_LLC_LOCKS=1 build --source "$TREE" --cpu-cap 1 && fail "cap with bypass accepted"
expect err "--cpu-cap is a resource contract; bypass disables the contract entirely."
KTSTR_BYPASS_LLC_LOCKS=1 KTSTR_CPU_CAP=1 build --source "$TREE" && fail "env cap with bypass accepted"
expect err "KTSTR_CPU_CAP is a resource contract"
# the cap sets make -j (the flag wins over the variable)
KTSTR_CPU_CAP=1 build --source "$TREE" --force --cpu-cap 1 || fail "--cpu-cap 1 failed"
tail -1 "$WORK/make.log" | grep -q -- '-j1' || fail "--cpu-cap 1: $(tail -1 "$WORK/make.log")"

# 13. make never sees the GitHub Actions cache credentials (the rest of the environment it
# does), nor a descriptor of ktstr's beyond its stdio (fd 7 here; -j1: no jobserver pipe)
ACTIONS_RUNTIME_TOKEN=secret-token ACTIONS_RESULTS_URL=https://results.example/ \
	ACTIONS_CACHE_URL=https://cache.example/ KTSTR_TEST_CANARY=kept \
	FAKE_KERNEL_PROC=$WORK/make-proc build --source "$TREE" --force --cpu-cap 1 7</dev/null ||
	{ cat "$WORK/err" >&2; fail "the environment build failed"; }
[ "$(tr '\n' ' ' <"$WORK/make-proc.fds")" = "0 1 2 " ] ||
	fail "make inherited descriptors: $(tr '\n' ' ' <"$WORK/make-proc.fds")"
grep -qx 'KTSTR_TEST_CANARY=kept' "$WORK/make-proc.env" || fail "make's environment was not dumped"
! grep -E '^ACTIONS_(RUNTIME_TOKEN|RESULTS_URL|CACHE_URL)=|secret-token' "$WORK/make-proc.env" ||
	fail "the gha credentials reached make"
echo "kernel_build: all checks passed"
