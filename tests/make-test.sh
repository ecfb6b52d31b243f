#!/bin/sh
# `make test` (or `make run CMD=...`) with the verdict's exit code instead
# of make's 2: 0 pass, 1 fail, 2 timeout, 3 crash, 125 untestable (build
# failure), so that `git bisect run` can tell bad commits from untestable
# ones; for `run`, the command's own exit status.
# Usage: tests/make-test.sh [run] [VAR=value ...]
#   e.g. in a kernel tree: git bisect run /path/to/lab/tests/make-test.sh KSRC=$PWD T='move-pages-*'
#   or: git bisect run /path/to/lab/tests/make-test.sh run KSRC=$PWD CMD='/tests/bin/move-pages-4k'
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
target=test
if [ "${1:-}" = run ]; then
	target=run
	shift
fi
build=$top/build
for a in "$@"; do
	case "$a" in
	BUILD=/*) build=${a#BUILD=} ;;
	BUILD=*) build=$top/${a#BUILD=} ;;
	esac
done
# A code left by an earlier run must not be read as this run's.
rm -f "$build/exit-code"
make -C "$top" --no-print-directory "$target" "$@" && exit 0
# No recorded code: make failed before the recipe ran (bad arguments, a
# broken Makefile): nothing was tested.
code=$(cat "$build/exit-code" 2>/dev/null) || code=125
exit "$code"
