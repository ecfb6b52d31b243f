#!/bin/sh
# Host-side device tests of our QEMU: the intel-dsa qtest plus checks that
# bad device properties are refused with a clear error.  Prints KTAP.
#
# usage: qemu/qtest.sh <qemu-build-dir>
#
# <qemu-build-dir> holds qemu-system-x86_64 and tests/qtest/intel-dsa-test
# (both built by qemu/build.sh).  Exit 0 when everything passed, 1 otherwise.
set -eu

usage() {
	echo "usage: $0 <qemu-build-dir>" >&2
	exit 2
}
[ $# -eq 1 ] || usage
build=$(cd "$1" && pwd) || usage
qemu=$build/qemu-system-x86_64
qtest=$build/tests/qtest/intel-dsa-test
for f in "$qemu" "$qtest"; do
	[ -x "$f" ] || { echo "$0: missing $f (run qemu/build.sh)" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# libqtest takes the architecture from the binary's name, and our build has
# no firmware blobs: a wrapper of the same name adds Debian's firmware dirs.
mkdir "$tmp/bin"
printf '#!/bin/sh\nexec "%s" -L /usr/share/qemu -L /usr/share/seabios "$@"\n' \
	"$qemu" >"$tmp/bin/qemu-system-x86_64"
chmod +x "$tmp/bin/qemu-system-x86_64"

. "$(dirname "$0")/../tests/guest/lib/ktap.sh"
ktap_plan 2

# 1. The qtest (it prints TAP; nest it).
code=0
QTEST_QEMU_BINARY=$tmp/bin/qemu-system-x86_64 timeout 600 "$qtest" --tap \
	>"$tmp/qtest.out" 2>&1 || code=$?
grep -v '^# starting QEMU' "$tmp/qtest.out" | ktap_nest
if [ "$code" = 0 ] && grep -q '^ok ' "$tmp/qtest.out" &&
	! grep -q '^not ok ' "$tmp/qtest.out"; then
	ktap_result 0 intel-dsa-qtest
else
	ktap_result 1 intel-dsa-qtest "exit $code"
fi

# 2. Invalid properties: QEMU must exit non-zero naming the property.
ktap_nest_begin
ktap_plan 9
bad=0
for case in "num-wqs=0:num-wqs" "num-wqs=17:num-wqs" "num-engines=9:num-engines" \
	"wq-size=2,num-wqs=4:wq-size" "max-xfer-shift=20:max-xfer-shift" \
	"x-fault-status=1:x-fault-status" "model=dsa3:model" \
	"timing=on,timing-engine-mbps=0:timing-engine-mbps" \
	"timing-irq-ns=10000001:timing-irq-ns"; do
	props=${case%:*}
	want=${case##*:}
	code=0
	timeout 60 "$tmp/bin/qemu-system-x86_64" -M q35 -accel qtest -display none \
		-nic none -S -device "intel-dsa,$props" >"$tmp/prop.out" 2>&1 ||
		code=$?
	if [ "$code" != 0 ] && grep -q "intel-dsa: $want=" "$tmp/prop.out"; then
		ktap_result 0 "refuses-$props"
	else
		ktap_result 1 "refuses-$props" "exit $code: $(head -c 200 "$tmp/prop.out")"
		bad=1
	fi
done
ktap_nest_end
if [ "$bad" = 0 ]; then
	ktap_result 0 intel-dsa-bad-properties
else
	ktap_result 1 intel-dsa-bad-properties
fi
ktap_finish
