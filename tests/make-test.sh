#!/bin/sh
# `make test` with the verdict's exit code instead of make's 2: 0 pass,
# 1 fail, 2 timeout, 3 crash, 125 untestable (build failure), so that
# `git bisect run` can tell bad commits from untestable ones.
# Usage: tests/make-test.sh [VAR=value ...]
#   e.g. in a kernel tree: git bisect run /path/to/lab/tests/make-test.sh KSRC=$PWD T='move-pages-*'
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
for a in "$@"; do
	case "$a" in
	BUILD=/*) build=${a#BUILD=} ;;
	BUILD=*) build=$top/${a#BUILD=} ;;
	esac
done
# A code left by an earlier run must not be read as this run's.
rm -f "$build/exit-code"
make -C "$top" --no-print-directory test "$@" && exit 0
# No recorded code: make failed before the test recipe ran (bad arguments,
# a broken Makefile): nothing was tested.
code=$(cat "$build/exit-code" 2>/dev/null) || code=125
exit "$code"
