#!/bin/bash
# The debian kernel source against Debian's real archive (label "net"):
# (a) `ktstr kernel fetch --source debian sid` into an empty cache installs
#     the newest sid cloud kernel: vmlinuz + config with sched_ext, and
#     `kernel list --json` shows its key, version, source and size;
# (b) a second fetch is a cache hit: no download, no list update, entry untouched;
# (c) a named release with stale package lists: still a hit, still no update;
# (d) a version sid does not carry fails with the package named; "debian:Foo"
#     is an error;
# (e) two fetches at once with stale lists and no entry: one list update, one
#     download (the private apt flock, then the entry lock), both succeed;
# (f) a fetch interrupted (SIGINT) at any point leaves no valid entry, no
#     temporary directory and no apt/dpkg process behind;
# and the system's own apt lists never see sid.
# Exits 77 (skipped, loudly) when Debian's archive cannot be reached.
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || skip "jq is not installed (scripts/install-deps)"
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || skip "apt-get or dpkg-deb missing"

# The archive the plugin will use: the system's debian.sources, else deb.debian.org.
uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
uri=${uri:-http://deb.debian.org/debian}
hostport=${uri#*://}
hostport=${hostport%%/*}
host=${hostport%:*}
port=80
[ "$hostport" != "$host" ] && port=${hostport##*:}
case $uri in https://*) [ "$hostport" = "$host" ] && port=443 ;; esac
if ! timeout 10 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; then
	skip "Debian's archive $uri ($host:$port) is unreachable: the debian source was NOT tested"
fi

export KTSTR_CACHE_DIR=$WORK/kernels
export XDG_CACHE_HOME=$WORK/xdg # the plugin's private apt dir starts empty too
unset KTSTR_PLUGIN_PATH
K=$KTSTR_BIN
aptdir=$XDG_CACHE_HOME/ktstr/plugins/debian/apt-sid
system_sid_lists() { find /var/lib/apt/lists -maxdepth 1 -name '*_dists_sid_*' | wc -l; }
sid_before=$(system_sid_lists)

# --- (a) an empty cache: download, install, list ------------------------------
if ! out=$("$K" kernel fetch --source debian sid 2>"$WORK/fetch1.err"); then
	cat "$WORK/fetch1.err" >&2
	if grep -q "apt-get update of suite sid .* failed" "$WORK/fetch1.err"; then
		skip "apt-get update against $uri failed (archive unreachable?): NOT tested"
	fi
	fail "ktstr kernel fetch --source debian sid failed"
fi
echo "first fetch: $out"
re='^sid: ([0-9][0-9.]*[^ ]*-cloud-amd64-debian-x86_64) \(([^,]+), via debian, installed\)$'
[[ $out =~ $re ]] || fail "unexpected fetch line: $out"
key=${BASH_REMATCH[1]}
version=${BASH_REMATCH[2]}
[ "$key" = "$version-debian-x86_64" ] || fail "key $key does not follow <release>-debian-x86_64"
grep -q "downloading linux-binary-$version from" "$WORK/fetch1.err" || fail "no download logged"
entry=$KTSTR_CACHE_DIR/$key
[ -s "$entry/vmlinuz" ] || fail "no vmlinuz in $entry"
grep -qx 'CONFIG_SCHED_CLASS_EXT=y' "$entry/config" || fail "$entry/config lacks sched_ext"
[ -z "$(find "$entry" -name '.debian-work' -o -name '*.deb')" ] || fail "download leftovers in $entry"
[ -f "$aptdir/sources.list" ] && grep -q " sid main" "$aptdir/sources.list" ||
	fail "no private sources list in $aptdir"

"$K" kernel list --json >"$WORK/list.json" 2>/dev/null || fail "kernel list --json failed"
jq -e --arg k "$key" --arg v "$version" '.entries | length == 1 and (.[0] |
	.key == $k and .version == $v and .source.type == "debian" and
	.source.package == "linux-binary-" + $v and .source.suite == "sid" and
	.image_name == "vmlinuz" and .size_bytes > 1000000)' "$WORK/list.json" >/dev/null ||
	fail "kernel list --json does not show the entry: $(cat "$WORK/list.json")"

# --- (b) again: a cache hit, nothing downloaded or updated --------------------
stamp() { stat -c '%i %Y' "$1"; }
img_before=$(stamp "$entry/vmlinuz")
upd_before=$(stamp "$aptdir/updated")
out=$("$K" kernel fetch --source debian sid 2>"$WORK/fetch2.err") || fail "second fetch failed"
[ "$out" = "sid: $key ($version, via debian, cached)" ] || fail "second fetch said: $out"
! grep -q "downloading" "$WORK/fetch2.err" || fail "second fetch downloaded: $(cat "$WORK/fetch2.err")"
[ "$(stamp "$entry/vmlinuz")" = "$img_before" ] || fail "the cached image was rewritten"
[ "$(stamp "$aptdir/updated")" = "$upd_before" ] || fail "the package lists were updated again"

# --- (c) a named release, lists older than `refresh`: still no network --------
release=${version%%[!0-9.]*}
touch -d '2 days ago' "$aptdir/updated"
upd_before=$(stamp "$aptdir/updated")
out=$("$K" kernel fetch --source debian "debian:$release" 2>"$WORK/fetch3.err") ||
	fail "fetch debian:$release failed: $(cat "$WORK/fetch3.err")"
[ "$out" = "debian:$release: $key ($version, via debian, cached)" ] || fail "fetch said: $out"
[ "$(stamp "$aptdir/updated")" = "$upd_before" ] || fail "stale lists were updated for a cached release"
! grep -q "downloading" "$WORK/fetch3.err" || fail "a cached release was downloaded"

# --- (d) errors ---------------------------------------------------------------
rc=0
"$K" kernel fetch --source debian 1.0 >/dev/null 2>"$WORK/fetch4.err" || rc=$?
[ "$rc" = 1 ] || fail "fetch 1.0 exited $rc"
grep -q "no linux-binary-1.0\*-cloud-amd64 package in Debian suite sid" "$WORK/fetch4.err" ||
	fail "fetch 1.0 said: $(cat "$WORK/fetch4.err")"
rc=0
"$K" kernel fetch --source debian debian:Foo >/dev/null 2>"$WORK/fetch5.err" || rc=$?
[ "$rc" = 1 ] && grep -q 'after "debian:" comes a suite' "$WORK/fetch5.err" ||
	fail "fetch debian:Foo exited $rc: $(cat "$WORK/fetch5.err")"

# --- (e) two at once ----------------------------------------------------------
rm -rf "$entry"
touch -d '2 days ago' "$aptdir/updated"
for i in 1 2; do
	"$K" kernel fetch --source debian sid >"$WORK/par$i.out" 2>"$WORK/par$i.err" &
	eval "pid$i=\$!"
done
wait "$pid1" || fail "concurrent fetch 1 failed: $(cat "$WORK/par1.err")"
wait "$pid2" || fail "concurrent fetch 2 failed: $(cat "$WORK/par2.err")"
how=$(cat "$WORK/par1.out" "$WORK/par2.out" | sed -E 's/.*, (installed|cached)\)$/\1/' | sort | tr '\n' ' ')
[ "$how" = "cached installed " ] || fail "expected one install and one hit, got: $how"
n=$(cat "$WORK/par1.err" "$WORK/par2.err" | grep -c "downloading linux-binary" || true)
[ "$n" = 1 ] || fail "expected one download, got $n"
n=$(cat "$WORK/par1.err" "$WORK/par2.err" | grep -c "apt-get update (sid): *0%" || true)
[ "$n" = 1 ] || fail "expected one apt-get update, got $n"

# --- (f) interrupted ----------------------------------------------------------
rm -rf "$entry"
"$K" kernel fetch --source debian sid >/dev/null 2>"$WORK/int.err" &
pid=$!
sleep 1
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
sleep 0.5
if pgrep -f "SourceList=$aptdir/" >/dev/null || pgrep -f "dpkg-deb -x .*$KTSTR_CACHE_DIR" >/dev/null; then
	pgrep -af "SourceList=$aptdir/|dpkg-deb" >&2
	fail "apt or dpkg outlived the interrupted fetch"
fi
case $rc in
130)
	# the interrupt may land after the rename: then the entry must be whole
	if [ -e "$entry" ]; then
		"$K" kernel list --json 2>/dev/null | jq -e --arg k "$(basename "$entry")" \
			'.entries[] | select(.key == $k and .error == null)' >/dev/null ||
			fail "an interrupted fetch left an unusable $entry"
	fi
	;;
0) [ -s "$entry/vmlinuz" ] || fail "fetch finished before the interrupt but left no entry" ;;
*) fail "interrupted fetch exited $rc: $(cat "$WORK/int.err")" ;;
esac
[ -z "$(find "$KTSTR_CACHE_DIR" -maxdepth 1 -name '.tmp-*')" ] || fail "temporary directories left"
echo "interrupted fetch: exit $rc, nothing left behind"

[ "$(system_sid_lists)" = "$sid_before" ] || fail "sid lists appeared in /var/lib/apt/lists"
[ "$(find "$KTSTR_CACHE_DIR" -mindepth 1 -maxdepth 1 ! -name '.*' | wc -l)" -le 1 ] ||
	fail "extra cache entries: $(ls "$KTSTR_CACHE_DIR")"
echo "PASS: debian fetch installed $key, hits without network, one download for two fetches"
