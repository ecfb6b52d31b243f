#!/bin/sh
# Timed mode must not depend on the host: run the short break-even sweep
# (bench-breakeven with lab.breakeven_quick=1) RUNS times under TIMING and
# require every run's numbers to be identical to the first's.
# Usage: tests/host/check-timing-determinism.sh BUILD RUNS -- MAKE-COMMAND...
# (the Makefile's check-timing-determinism target calls it).  Each run's
# numbers are kept as BUILD/timing-determinism/run-<i>.txt.  Exit 0 when
# identical, 1 when not or when a run gave no numbers.
set -eu
build=${1:?usage: $0 BUILD RUNS -- MAKE-COMMAND...}
runs=${2:?usage: $0 BUILD RUNS -- MAKE-COMMAND...}
[ "${3:-}" = -- ] || { echo "usage: $0 BUILD RUNS -- MAKE-COMMAND..." >&2; exit 2; }
shift 3
case "$runs" in '' | *[!0-9]* | 0 | 1) echo "check-timing-determinism: RUNS=$runs: must be 2 or more" >&2; exit 2 ;; esac
out=$build/timing-determinism
rm -rf "$out"
mkdir -p "$out"
i=1
while [ "$i" -le "$runs" ]; do
	start=$(date +%s)
	"$@" T=bench-breakeven KARGS=lab.breakeven_quick=1 >"$out/make-$i.log" 2>&1 ||
		{ echo "check-timing-determinism: run $i failed (log: $out/make-$i.log)" >&2; tail -n 20 "$out/make-$i.log" >&2; exit 1; }
	sed -n 's/^[[:space:]]*# \(bench-data breakeven .*\|breakeven .*\)$/\1/p' \
		"$build/runs/latest/results.ktap" >"$out/run-$i.txt"
	[ -s "$out/run-$i.txt" ] ||
		{ echo "check-timing-determinism: run $i printed no numbers" >&2; exit 1; }
	echo "run $i ($(( $(date +%s) - start )) s):"
	sed 's/^/  /' "$out/run-$i.txt"
	if [ "$i" -gt 1 ] && ! cmp -s "$out/run-1.txt" "$out/run-$i.txt"; then
		echo "check-timing-determinism: run $i differs from run 1:" >&2
		diff "$out/run-1.txt" "$out/run-$i.txt" >&2 || true
		exit 1
	fi
	i=$((i + 1))
done
echo "check-timing-determinism: $runs runs, identical"
