#!/bin/sh
# ctest "abi_docs_example": the example in docs/plugins.md is, byte for byte,
# tests/abi/out_of_tree/oot_sink.c (the file the out-of-tree test builds).
# usage: check_docs_example.sh <source dir>
set -eu

src=$1
begin='<!-- begin tests/abi/out_of_tree/oot_sink.c -->'
end='<!-- end tests/abi/out_of_tree/oot_sink.c -->'
tmp=$(mktemp "${TMPDIR:-/tmp}/ktstr-docs-XXXXXX")
trap 'rm -f "$tmp"' EXIT INT TERM

# The lines between the markers, minus the ```c fence and the closing ```.
awk -v b="$begin" -v e="$end" '
	$0 == b { on = 1; next }
	$0 == e { on = 0 }
	on { print }
' "$src/docs/plugins.md" | sed '1{/^```c$/d}; ${/^```$/d}' >"$tmp"
if [ ! -s "$tmp" ]; then
	echo "FAIL: no example between the markers in docs/plugins.md" >&2
	exit 1
fi
if ! diff -u "$src/tests/abi/out_of_tree/oot_sink.c" "$tmp" >&2; then
	echo "FAIL: docs/plugins.md's example differs from tests/abi/out_of_tree/oot_sink.c" >&2
	exit 1
fi
echo "PASS: docs/plugins.md shows tests/abi/out_of_tree/oot_sink.c"
