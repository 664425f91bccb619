# The gha kernel source against tests/tools/gha_cache_server.py (loopback):
# `ktstr kernel fetch --source cache --source gha --source fixture ID` with an
# empty cache each time. v1 and v2: a miss is filled by the fixture and
# uploaded, a second empty cache is restored from the remote with no new fill.
# A server answering 500, a closed port, a cut body: the fetch still succeeds
# through the fixture with exactly one warning line and no corrupt entry.
# 409 on reserve is a quiet success. The bearer token never appears anywhere.
source "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip "python3 is not installed (scripts/install-deps)"
: "${KTSTR_TEST_MODULE_DIR:?}"
[ -f "$KTSTR_TEST_MODULE_DIR/fixture-source.so" ] || fail "no fixture-source.so in $KTSTR_TEST_MODULE_DIR"

TOKEN="ktstr-it-token-$$-$RANDOM$RANDOM"
python3 "$KTSTR_SOURCE_DIR/tests/tools/gha_cache_server.py" --token "$TOKEN" \
	--port-file "$WORK/port" --log "$WORK/server.log" >/dev/null 2>"$WORK/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || { cat "$WORK/server.err" >&2; fail "the test server did not start"; }
PORT=$(cat "$WORK/port")
BASE="http://127.0.0.1:$PORT/"

head -c 300000 /dev/urandom >"$WORK/image"
export KTSTR_PLUGIN_PATH="$KTSTR_TEST_MODULE_DIR"
export KTSTR_FIXTURE_IMAGE="$WORK/image" KTSTR_FIXTURE_LOG="$WORK/fills.log"
export KTSTR_GHA_CACHE=1 ACTIONS_RUNTIME_TOKEN="$TOKEN"
unset ACTIONS_CACHE_URL ACTIONS_RESULTS_URL ACTIONS_CACHE_SERVICE_V2 GITHUB_SERVER_URL
touch "$WORK/fills.log" "$WORK/all.txt"

use_v1() {
	export ACTIONS_CACHE_URL="$1"
	unset ACTIONS_RESULTS_URL ACTIONS_CACHE_SERVICE_V2
}
use_v2() {
	unset ACTIONS_CACHE_URL
	export ACTIONS_RESULTS_URL="$1" ACTIONS_CACHE_SERVICE_V2=1
}
mode() {
	python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()' \
		"${BASE}_ktstr/mode/$1"
}
fills() { grep -c "^fill $1 " "$WORK/fills.log" || true; }
served() { grep -c -- "$1" "$WORK/server.log" || true; }

# fetch NAME ID: an empty cache $WORK/NAME; output in $WORK/NAME.txt (and all.txt).
fetch() {
	local rc=0
	KTSTR_CACHE_DIR="$WORK/$1" "$KTSTR_BIN" kernel fetch --source cache --source gha \
		--source fixture "$2" >"$WORK/$1.txt" 2>&1 || rc=$?
	cat "$WORK/$1.txt" >>"$WORK/all.txt"
	echo "--- $1 ($2): exit $rc"
	cat "$WORK/$1.txt"
	[ "$rc" = 0 ] || fail "$1: kernel fetch $2 failed (exit $rc)"
}
warnings() { grep -ci "warning" "$WORK/$1.txt" || true; }
no_warning() { [ "$(warnings "$1")" = 0 ] || fail "$1: unexpected warning"; }
one_warning() { # one_warning NAME NEEDLE
	[ "$(warnings "$1")" = 1 ] || fail "$1: expected exactly one warning line"
	grep -i "warning" "$WORK/$1.txt" | grep -qF -- "$2" || fail "$1: the warning does not say \"$2\""
}
# The entry is listed valid, nothing corrupt, no leftovers, and it holds the fixture image.
entry_ok() { # entry_ok NAME KEY
	KTSTR_CACHE_DIR="$WORK/$1" "$KTSTR_BIN" kernel list --json >"$WORK/$1.json" 2>>"$WORK/all.txt"
	cat "$WORK/$1.json" >>"$WORK/all.txt"
	python3 - "$WORK/$1.json" "$2" <<'PY' || fail "$1: kernel list --json does not show $2 valid and alone"
import json, sys
doc = json.load(open(sys.argv[1]))
entries = doc["entries"]
assert [e["key"] for e in entries] == [sys.argv[2]], entries
assert "error" not in entries[0], entries[0]
PY
	cmp -s "$WORK/$1/$2/bzImage" "$WORK/image" || fail "$1: $2/bzImage is not the fixture image"
	! ls -a "$WORK/$1" | grep -q '^\.tmp-' || fail "$1: a .tmp- leftover"
}

echo "== 1. v1: a miss, the fixture fills, the entry is uploaded"
use_v1 "$BASE"
fetch v1a fixture-gha-1
[ "$(fills fixture-gha-1)" = 1 ] || fail "v1a: the fixture did not fill once"
[ "$(served 'GET /_apis/artifactcache/cache 204')" = 1 ] || fail "v1a: a miss must cost one lookup"
[ "$(served 'POST /_apis/artifactcache/caches 201')" = 1 ] || fail "v1a: no reserve"
[ "$(served 'PATCH /_apis/artifactcache/caches/[0-9]* 204')" = 1 ] || fail "v1a: no upload"
[ "$(served 'POST /_apis/artifactcache/caches/[0-9]* 204')" = 1 ] || fail "v1a: no commit"
grep -q "gha: stored to remote cache: fixture-gha-1" "$WORK/v1a.txt" || fail "v1a: no stored line"
no_warning v1a
entry_ok v1a fixture-gha-1

echo "== 2. v1: a second empty cache is restored from the remote"
fetch v1b fixture-gha-1
[ "$(fills fixture-gha-1)" = 1 ] || fail "v1b: the fixture filled again"
grep -q "gha: fetched from remote cache: fixture-gha-1" "$WORK/v1b.txt" || fail "v1b: no fetched line"
[ "$(served 'GET /_blob/')" = 1 ] || fail "v1b: the blob was not downloaded once"
no_warning v1b
entry_ok v1b fixture-gha-1

echo "== 3. v2 (Twirp): the same two steps"
use_v2 "$BASE"
fetch v2a fixture-gha-2
[ "$(fills fixture-gha-2)" = 1 ] || fail "v2a: the fixture did not fill once"
[ "$(served 'CreateCacheEntry 200')" = 1 ] || fail "v2a: no CreateCacheEntry"
[ "$(served 'PUT /_blob/[0-9]* 201')" = 1 ] || fail "v2a: no blob PUT"
[ "$(served 'FinalizeCacheEntryUpload 200')" = 1 ] || fail "v2a: no FinalizeCacheEntryUpload"
no_warning v2a
fetch v2b fixture-gha-2
[ "$(fills fixture-gha-2)" = 1 ] || fail "v2b: the fixture filled again"
grep -q "gha: fetched from remote cache: fixture-gha-2" "$WORK/v2b.txt" || fail "v2b: no fetched line"
no_warning v2b
entry_ok v2b fixture-gha-2

echo "== 4. the server answers 500: the fixture fills, one warning"
use_v1 "$BASE"
mode error
fetch err fixture-gha-3
[ "$(fills fixture-gha-3)" = 1 ] || fail "err: the fixture did not fill"
one_warning err "gha: remote cache read warning: GET ${BASE}_apis/artifactcache/cache: HTTP 500"
entry_ok err fixture-gha-3
mode none

echo "== 5. the server is down (closed port): the same"
CLOSED=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
use_v1 "http://127.0.0.1:$CLOSED/"
fetch down fixture-gha-4
[ "$(fills fixture-gha-4)" = 1 ] || fail "down: the fixture did not fill"
one_warning down "gha: remote cache read warning: GET http://127.0.0.1:$CLOSED/"
entry_ok down fixture-gha-4

echo "== 6. a cut body: warning, the fixture fills, no corrupt entry"
use_v1 "$BASE"
fetch cutsrc fixture-gha-5
for m in truncate cuttar; do
	mode $m
	fetch $m fixture-gha-5
	one_warning $m "gha: remote cache read warning:"
	entry_ok $m fixture-gha-5
done
[ "$(fills fixture-gha-5)" = 3 ] || fail "cut: the fixture did not fill after each cut download"
mode none

echo "== 7. 409 on reserve: a quiet success"
mode conflict
fetch conflict fixture-gha-6
[ "$(served 'POST /_apis/artifactcache/caches 409')" = 1 ] || fail "conflict: no 409 answered"
no_warning conflict
grep -q "stored to remote cache" "$WORK/conflict.txt" && fail "conflict: claims it stored fixture-gha-6"
entry_ok conflict fixture-gha-6
mode none

echo "== 8. the token never appears"
cat "$WORK/server.err" >>"$WORK/all.txt"
! grep -qF -- "$TOKEN" "$WORK/all.txt" || fail "the bearer token appears in the output"
grep -q ' 401$' "$WORK/server.log" && fail "the server refused a token"
grep -q ' 400$' "$WORK/server.log" && { cat "$WORK/server.log"; fail "the server did not understand a request"; }
echo "PASS"
