#!/bin/sh
# ctest "abi_out_of_tree": install ktstr into a temp prefix, build
# tests/abi/out_of_tree with nothing but pkg-config, and check that the
# installed `ktstr plugin list --json` lists the sink and refuses its ABI 2.0
# twin with the one-line message.
# usage: check_out_of_tree.sh <builddir> <CMAKE_INSTALL_LIBDIR> <out_of_tree src dir>
set -eu

builddir=$1
libdir=$2
src=$3

tmp_name=ktstr-oot
. "$(dirname "$0")/install_prefix.sh"

# The .pc file locates the prefix relative to itself, so an installed tree
# works wherever it was installed: no --define-variable needed.
pkgconf="pkg-config"
cflags=$(PKG_CONFIG_PATH=$pcdir $pkgconf --cflags ktstr-plugin)
incdir=$(echo "$cflags" | sed -n 's/.*-I\([^ ]*\).*/\1/p')
[ -n "$incdir" ] && [ "$(cd "$incdir" 2>/dev/null && pwd -P)" = "$prefix/include" ] ||
	fail "pkg-config --cflags ktstr-plugin gave '$cflags', not the temp prefix (prefix holds: $(ls "$prefix" 2>&1 | tr "\n" " "))"

mkdir "$tmp/oot"
cp "$src/oot_sink.c" "$src/oot_sink_abi2.c" "$src/Makefile" "$tmp/oot/"
if ! PKG_CONFIG_PATH=$pcdir make -C "$tmp/oot" PKG_CONFIG="$pkgconf" \
	CFLAGS="-O2 -g -Wall -Wextra -Werror" oot_sink.so oot_sink_abi2.so \
	>"$tmp/make.log" 2>&1; then
	cat "$tmp/make.log" >&2
	fail "the out-of-tree sink does not build from the installed SDK"
fi
PKG_CONFIG_PATH=$pcdir make -C "$tmp/oot" PKG_CONFIG="$pkgconf" DESTDIR="$tmp/dest" install \
	>>"$tmp/make.log" 2>&1 || fail "make install of the sink failed"
[ -f "$tmp/dest$prefix/$libdir/ktstr/plugins/oot_sink.so" ] ||
	fail "make install did not put oot_sink.so into the SDK's plugindir"

ktstr=$prefix/bin/ktstr
[ -x "$ktstr" ] || fail "no installed ktstr at $ktstr"
rc=0
KTSTR_PLUGIN_PATH=$tmp/oot "$ktstr" plugin list --json >"$tmp/list.json" 2>"$tmp/list.err" || rc=$?
if ! grep -q '"plugins"' "$tmp/list.json"; then
	"$ktstr" plugin --help >"$tmp/help.out" 2>&1 || true
	if ! grep -q 'ktstr plugin list' "$tmp/help.out"; then
		echo "SKIP: the installed ktstr does not dispatch 'ktstr plugin' yet" \
			"(core/cli/main.c has no 'plugin' command); the SDK build was checked"
		exit 77
	fi
	cat "$tmp/list.json" "$tmp/list.err" >&2
	fail "ktstr plugin list --json printed no plugin list (exit $rc)"
fi
[ "$rc" -eq 0 ] || fail "ktstr plugin list --json exited $rc"

grep -q '"name": "oot-sink"' "$tmp/list.json" ||
	fail "oot-sink is not listed: $(cat "$tmp/list.json")"
grep -qF "\"path\": \"$tmp/oot/oot_sink.so\"" "$tmp/list.json" ||
	fail "oot-sink is not listed with path $tmp/oot/oot_sink.so"
# JSON escapes the quotes around the plugin name.
want="refusing plugin module $tmp/oot/oot_sink_abi2.so (plugin \\\"oot-sink\\\"): built for"
want="$want ABI 2.0, this ktstr supports ABI 1.1"
grep -qF "$want" "$tmp/list.json" || fail "no refusal line '$want' in: $(cat "$tmp/list.json")"
n=$(grep -c "refusing plugin module $tmp/oot/oot_sink_abi2.so" "$tmp/list.err" || true)
[ "$n" -eq 1 ] || fail "expected the refusal once on stderr, got $n: $(cat "$tmp/list.err")"

# The table form lists it too.
KTSTR_PLUGIN_PATH=$tmp/oot "$ktstr" plugin list >"$tmp/list.txt" 2>/dev/null ||
	fail "ktstr plugin list exited non-zero"
grep -Eq "^oot-sink +sink +1\.1 +1\.0\.0 +$tmp/oot/oot_sink.so\$" "$tmp/list.txt" ||
	fail "no oot-sink row in: $(cat "$tmp/list.txt")"
echo "PASS: out-of-tree sink built with pkg-config, listed, ABI 2.0 twin refused"
