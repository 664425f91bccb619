# Sourced by the out-of-tree checks: install ktstr from $builddir into a temp
# prefix. Sets tmp (removed at exit), prefix and pcdir; defines fail().
# Needs: builddir, libdir, and tmp_name (the temp dir's name prefix).

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/$tmp_name-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
tmp=$(cd "$tmp" && pwd -P)
prefix=$tmp/prefix

if ! cmake --install "$builddir" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log" >&2
	fail "cmake --install $builddir failed (is the whole project built?)"
fi
pcdir=$prefix/$libdir/pkgconfig
[ -f "$pcdir/ktstr-plugin.pc" ] || fail "no ktstr-plugin.pc in $pcdir"
