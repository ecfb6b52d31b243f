#!/bin/sh
# One guest run: boot the built kernel + initramfs with the selected tests,
# keep every artifact in a run directory, and hand the logs to ktap-verdict.
# Called by the Makefile (make test, test-guest, run), which sets the
# environment below.
#
# Usage: tests/run-guest.sh [--tests GLOBS] [--kargs ARGS] [--interactive]
# Environment: BUILD VERDICT BZIMAGE INITRD KCONFIG MANIFEST CPUS NODES MEM
#              ACCEL DSA QEMU_BIN_FILE TIMEOUT V
# Exit status: ktap-verdict's (0 pass, 1 fail, 2 timeout, 3 crash).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
tests="" kargs="" interactive=0
while [ $# -gt 0 ]; do
	case "$1" in
	--tests) tests=${2-}; shift ;;
	--kargs) kargs=${2-}; shift ;;
	--interactive) interactive=1 ;;
	*) echo "usage: $0 [--tests GLOBS] [--kargs ARGS] [--interactive]" >&2; exit 2 ;;
	esac
	shift
done
die() { echo "run-guest: error: $*" >&2; exit 1; }
case "$tests$kargs" in
*"'"* | *'"'*) die "T= and KARGS= may not contain quotes" ;;
esac
case "$tests" in
*" "*) die "T='$tests': separate globs with commas, not spaces" ;;
esac
for v in BUILD VERDICT BZIMAGE INITRD MANIFEST; do
	eval "[ -n \"\${$v:-}\" ]" || die "$v is not set (run through make)"
done
[ -f "$BZIMAGE" ] || die "no kernel at $BZIMAGE (make kernel)"
[ -f "$INITRD" ] || die "no initramfs at $INITRD (make rootfs)"

. "$here/select.sh"
# `make run` runs the demo unless T= says otherwise.
[ "$interactive" = 0 ] || [ -n "$tests" ] || tests=demo
selection=$(lab_select "$MANIFEST" "$tests")
if [ -z "$selection" ]; then
	echo "run-guest: no test matches T='$tests'; known tests:" >&2
	sed 's/^/  /' "$MANIFEST" >&2
	echo "0 passed, 0 failed"
	exit 1
fi

# Our QEMU when it has been built (required for the DSA device), else Debian's.
qemu=qemu-system-x86_64
if [ -s "${QEMU_BIN_FILE:-/nonexistent}" ] && [ -x "$(cat "$QEMU_BIN_FILE")" ]; then
	qemu=$(cat "$QEMU_BIN_FILE")
elif [ "${DSA:-0}" = 1 ]; then
	die "DSA=1 needs our QEMU: run 'make qemu'"
fi
dsa_opt=""
[ "${DSA:-0}" = 1 ] && dsa_opt=--dsa

stamp=$(date +%Y%m%d-%H%M%S)
rundir=$BUILD/runs/$stamp-$$
mkdir -p "$rundir"
ln -sfn "$rundir" "$BUILD/runs/latest"
cp "$BZIMAGE" "$rundir/bzImage"
cp "$INITRD" "$rundir/initramfs.cpio.gz"
[ -f "${KCONFIG:-}" ] && cp "$KCONFIG" "$rundir/config"
# Keep the last 10 runs: each holds a kernel and an initramfs.
ls -1d "$BUILD"/runs/2* 2>/dev/null | head -n -10 | xargs -r rm -rf

append="lab.tests=$tests $kargs"
# `make run`: the selection, then a shell on this terminal. Without a
# terminal (a script, CI) nobody can type: run the selection as a test.
if [ "$interactive" = 1 ]; then
	if [ -t 0 ]; then
		echo ">> run: $rundir; quit with 'poweroff -f' or Ctrl-a x" >&2
		exec "$top/qemu/run-vm.sh" --kernel "$rundir/bzImage" \
			--initrd "$rundir/initramfs.cpio.gz" --run-dir "$rundir" \
			--qemu "$qemu" --cpus "${CPUS:-3}" --nodes "${NODES:-2}" \
			--mem "${MEM:-1G}" --accel "${ACCEL:-tcg}" $dsa_opt \
			--append "lab.tests=$tests $kargs lab.shell=1" --interactive
	fi
	echo ">> run: no terminal on stdin: running '$tests' without a shell" >&2
fi

# Overall limit: boot allowance plus every selected test's own timeout.
timeout=${TIMEOUT:-}
if [ -z "$timeout" ]; then
	timeout=180
	for t in $(echo "$selection" | cut -d' ' -f2); do
		timeout=$((timeout + t))
	done
fi
n=$(echo "$selection" | wc -l)
echo ">> guest: $n test(s), timeout ${timeout}s, qemu $qemu, log $rundir" >&2

boot() {
	: >"$rundir/serial.log"
	: >"$rundir/results.ktap"
	# Live progress: the KTAP stream, or the whole console with V=1.
	if [ "${V:-0}" = 1 ]; then follow=serial.log; else follow=results.ktap; fi
	tail -n +1 -f "$rundir/$follow" 2>/dev/null | grep --line-buffered -v '^# dmesg: ' &
	tailpid=$!
	rc=0
	"$top/qemu/run-vm.sh" --kernel "$rundir/bzImage" \
		--initrd "$rundir/initramfs.cpio.gz" --run-dir "$rundir" \
		--qemu "$qemu" --cpus "${CPUS:-3}" --nodes "${NODES:-2}" \
		--mem "${MEM:-1G}" --accel "${ACCEL:-tcg}" $dsa_opt \
		--append "$append" --timeout "$timeout" || rc=$?
	sleep 0.3
	kill "$tailpid" 2>/dev/null || true
	pkill -P $$ tail 2>/dev/null || true
	echo "$rc" >"$rundir/qemu.rc"
}

t0=$(date +%s)
boot
# A guest that died before its first test never ran our code: a boot flake
# (e.g. the MTTCG text-patching Oops seen under host load). Retry it once
# rather than let it read as a test failure; a second death counts.
rc=$(cat "$rundir/qemu.rc")
if [ "$rc" != 124 ] && ! grep -q '^# lab: start ' "$rundir/results.ktap"; then
	mkdir -p "$rundir/first-boot"
	cp "$rundir/serial.log" "$rundir/results.ktap" "$rundir/first-boot/"
	echo ">> guest: died before the first test (log kept in first-boot/); booting once more" >&2
	boot
	rc=$(cat "$rundir/qemu.rc")
fi
echo ">> guest: finished in $(($(date +%s) - t0))s (qemu exit $rc)" >&2

set +e
"$VERDICT" --ktap "$rundir/results.ktap" --log "$rundir/serial.log" \
	--patterns "$here/host/splat-patterns.txt" --json "$rundir/results.json" \
	--junit "$rundir/junit.xml" --qemu-rc "$rc" | tee "$rundir/verdict.txt"
code=$(sed -n 's/.*"exit_code": \([0-9]*\).*/\1/p' "$rundir/results.json")
echo ">> artifacts: $rundir (serial.log results.ktap results.json junit.xml reproduce.sh)" >&2
exit "${code:-1}"
