#!/bin/sh
# checkpatch.pl --strict on every patch of the series and every source file of
# the out-of-tree modules. Errors fail; warnings are listed for the commit
# message to justify.
# Usage: kernel-patches/checkpatch.sh KERNEL_SOURCE_TREE
set -eu
ksrc=${1:?usage: $0 KERNEL_SOURCE_TREE}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cp="$ksrc/scripts/checkpatch.pl"
[ -x "$cp" ] || { echo "checkpatch: $cp not found" >&2; exit 1; }
errors=0
run() {
	out=$("$cp" --strict --no-tree --color=never --summary-file --terse "$@" 2>&1) || true
	echo "$out" | grep -E 'ERROR|WARNING|CHECK' || true
	case "$out" in *ERROR*) errors=$((errors + 1)) ;; esac
}
for p in $(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/series" 2>/dev/null); do
	echo ">> checkpatch: $p"
	run "$here/$p"
done
for f in $(find "$top/module" "$top/tests/test-provider" -name '*.[ch]' 2>/dev/null | sort); do
	echo ">> checkpatch: ${f#"$top"/}"
	run -f "$f"
done
[ "$errors" = 0 ] || { echo "checkpatch: $errors file(s) with errors" >&2; exit 1; }
echo "checkpatch: no errors"
