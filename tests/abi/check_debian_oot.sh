#!/bin/sh
# ctest "abi_debian_out_of_tree": the debian kernel source built the way a
# company builds its own source. Install ktstr into a temp prefix, configure
# plugins/kernel-source/debian on its own with CMake (the SDK found with
# pkg-config only, never the source tree's api/), and check the installed
# `ktstr plugin list` loads the result: first through KTSTR_PLUGIN_PATH,
# then from the SDK's plugin directory after `cmake --install`.
# usage: check_debian_oot.sh <builddir> <CMAKE_INSTALL_LIBDIR> <debian plugin src dir>
set -eu

builddir=$1
libdir=$2
src=$3

tmp_name=ktstr-debian-oot
. "$(dirname "$0")/install_prefix.sh"
plugindir=$prefix/$libdir/ktstr/plugins
# A ktstr without the example: the company's copy is the only "debian".
rm -f "$plugindir/debian.so"

# Only the plugin's own directory is copied: nothing of the tree is reachable.
cp -R "$src" "$tmp/src"
if ! PKG_CONFIG_PATH=$pcdir cmake -S "$tmp/src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DCMAKE_C_FLAGS="-Werror" >"$tmp/cmake.log" 2>&1; then
	cat "$tmp/cmake.log" >&2
	fail "cmake cannot configure the debian plugin against the installed SDK"
fi
if ! cmake --build "$tmp/build" >"$tmp/build.log" 2>&1; then
	cat "$tmp/build.log" >&2
	fail "the debian plugin does not build (warnings are errors) against the installed SDK"
fi
so=$tmp/build/debian.so
[ -f "$so" ] || fail "no $so after the build"
# Its include directories: the SDK's (however pkg-config spells it), never the tree's api/.
sdk=no
for dir in $(grep -oE -- '-(I|isystem )[^ "]+' "$tmp/build/compile_commands.json" |
	sed -E 's/^-(I|isystem )//' | sort -u); do
	canon=$(cd "$dir" 2>/dev/null && pwd -P) || continue
	case $canon in
	"$prefix/include") sdk=yes ;;
	"$tmp"/*) ;;
	*) fail "the build includes $canon, outside the SDK at $prefix/include" ;;
	esac
done
[ "$sdk" = yes ] || fail "the build did not take its headers from the SDK at $prefix/include"
exports=$(nm -D --defined-only "$so" | awk '$2 == "T" { print $3 }')
[ "$exports" = "ktstr_plugin_entry_v1" ] ||
	fail "debian.so must export only ktstr_plugin_entry_v1, exports: $exports"

ktstr=$prefix/bin/ktstr
[ -x "$ktstr" ] || fail "no installed ktstr at $ktstr"
KTSTR_PLUGIN_PATH=$tmp/build "$ktstr" plugin list --json >"$tmp/list.json" 2>"$tmp/list.err" ||
	fail "ktstr plugin list --json exited non-zero: $(cat "$tmp/list.err")"
grep -q '"name": "debian"' "$tmp/list.json" || fail "debian is not listed: $(cat "$tmp/list.json")"
grep -qF "\"path\": \"$so\"" "$tmp/list.json" || fail "debian is not listed from $so"
grep -q '"refused": \[\]' "$tmp/list.json" || fail "modules were refused: $(cat "$tmp/list.json")"
KTSTR_PLUGIN_PATH=$tmp/build "$ktstr" plugin list >"$tmp/list.txt" 2>/dev/null ||
	fail "ktstr plugin list exited non-zero"
grep -Eq "^debian +kernel-source +1\.[0-9]+ +1\.0\.0 +$so\$" "$tmp/list.txt" ||
	fail "no debian row in: $(cat "$tmp/list.txt")"

# `cmake --install` puts it where `pkg-config --variable=plugindir` says.
cmake --install "$tmp/build" >"$tmp/install2.log" 2>&1 ||
	fail "cmake --install of the debian plugin failed: $(cat "$tmp/install2.log")"
[ -f "$plugindir/debian.so" ] || fail "cmake --install did not put debian.so into $plugindir"
"$ktstr" plugin list --json >"$tmp/list2.json" 2>/dev/null || fail "ktstr plugin list failed"
grep -qF "\"path\": \"$plugindir/debian.so\"" "$tmp/list2.json" ||
	fail "the installed debian.so is not listed: $(cat "$tmp/list2.json")"
echo "PASS: debian kernel source built out of tree with pkg-config, listed, installed"
