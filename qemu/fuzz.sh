#!/bin/sh
# Fuzz the emulated DSA: build our QEMU with ASan + UBSan (qemu/build.sh
# with SANITIZE=1, its own keyed tree under <cache-dir>) and run the
# seeded random driver tests/qtest/intel-dsa-fuzz against it.  A QEMU
# crash, a sanitizer report, a hang (the fuzzer's per-operation watchdog,
# and `timeout` around the whole run) or a wedged device fails the run;
# the failure names the seed and the operation to replay.
#
# usage: qemu/fuzz.sh <cache-dir>
#
# Environment: FUZZ_OPS (operations, default 1000000), FUZZ_SEED (default
# 1), FUZZ_WATCHDOG (seconds one operation may take, 60), FUZZ_TIMEOUT
# (seconds for the whole run, default 300 + FUZZ_OPS / 200), FUZZ_LOG
# (a copy of the output), FUZZ_TRACE=1 (print every operation), JOBS.
# Exit 0 on a clean run, 1 on a finding, 2 on bad arguments.
set -eu

usage() {
	echo "usage: $0 <cache-dir>" >&2
	exit 2
}
if [ $# -ne 1 ] || [ -z "$1" ]; then
	usage
fi

die() {
	echo "fuzz-dsa: $*" >&2
	exit 2
}

# Checked here, before a build that may take twenty minutes (the fuzzer
# checks the exact ranges again).
decimal() {
	case $1 in
	'' | *[!0-9]*) return 1 ;;
	esac
	[ ${#1} -le "$2" ]
}
ops=${FUZZ_OPS:-1000000}
seed=${FUZZ_SEED:-1}
if ! decimal "$ops" 12 || [ "$ops" -lt 1 ]; then
	die "FUZZ_OPS='$ops': want a number of operations, 1 to 10^12"
fi
{ decimal "$seed" 20 || { [ "${seed#0x}" != "$seed" ] &&
	[ -n "${seed#0x}" ] && [ "${#seed}" -le 18 ] &&
	case "${seed#0x}" in *[!0-9a-fA-F]*) false ;; esac; }; } ||
	die "FUZZ_SEED='$seed': want a number (decimal, or 0x and up to 16 hex digits)"
timeout_s=${FUZZ_TIMEOUT:-$((300 + ops / 200))}
if ! decimal "$timeout_s" 9 || [ "$timeout_s" -lt 1 ]; then
	die "FUZZ_TIMEOUT='$timeout_s': want seconds"
fi

here=$(cd "$(dirname "$0")" && pwd)
bin=$(SANITIZE=1 "$here/build.sh" "$1" | tail -n 1) ||
	{ echo "fuzz-dsa: the sanitizer build of QEMU failed" >&2; exit 1; }
build=$(dirname "$bin")
fuzz=$build/tests/qtest/intel-dsa-fuzz
[ -x "$fuzz" ] || { echo "fuzz-dsa: missing $fuzz" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# libqtest takes the architecture from the binary's name, and our build has
# no firmware blobs: a wrapper of the same name adds Debian's firmware dirs.
mkdir "$tmp/bin"
printf '#!/bin/sh\nexec "%s" -L /usr/share/qemu -L /usr/share/seabios "$@"\n' \
	"$bin" >"$tmp/bin/qemu-system-x86_64"
chmod +x "$tmp/bin/qemu-system-x86_64"

# Any report ends QEMU (or the fuzzer) at once, with a stack trace.
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
export QTEST_QEMU_BINARY="$tmp/bin/qemu-system-x86_64"
export FUZZ_OPS="$ops" FUZZ_SEED="$seed"

log=${FUZZ_LOG:-$tmp/fuzz.log}
mkdir -p "$(dirname "$log")"
echo "fuzz-dsa: $fuzz, FUZZ_OPS=$ops FUZZ_SEED=$seed, timeout ${timeout_s}s" >&2
code=0
timeout -k 10 "$timeout_s" "$fuzz" >"$log" 2>&1 || code=$?
cat "$log"
if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: [A-Za-z]+Sanitizer' \
	"$log"; then
	echo "fuzz-dsa: FAIL: sanitizer report above (FUZZ_SEED=$seed FUZZ_OPS=$ops)" >&2
	exit 1
fi
if [ "$code" = 124 ] || [ "$code" = 137 ]; then
	echo "fuzz-dsa: FAIL: no end after ${timeout_s}s, and the per-operation" \
		"watchdog did not fire (FUZZ_SEED=$seed FUZZ_OPS=$ops)" >&2
	exit 1
fi
if [ "$code" != 0 ] || ! grep -q '^intel-dsa-fuzz: PASS ' "$log"; then
	echo "fuzz-dsa: FAIL: exit $code, see above (FUZZ_SEED=$seed FUZZ_OPS=$ops)" >&2
	exit 1
fi
echo "fuzz-dsa: ok" >&2
