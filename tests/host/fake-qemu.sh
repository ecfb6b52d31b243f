#!/bin/sh
# fake-qemu - stands in for qemu-system-x86_64 in the host tests of the
# harness's boot handling (retry, watchdog): each call plays the next
# behaviour of the plan file $FAKE_QEMU_PLAN (one word per line, consumed)
# into the files QEMU's two serial ports would write:
#   flake   the known boot flake: an int3 Oops while patching text, panic
#   kasanboot  a known flake's splat (KASAN wild-memory-access) before
#           /init, then the tests pass as with "pass"
#   kasanlate  the same splat after /init ran, then the tests pass
#   panic   an unknown death before /init: a panic mounting the root fs
#   silent  no output at all, until killed
#   nostart QEMU's own error at start-up, no guest at all
#   pass    /init's KTAP for the tests named by lab.tests= (default "fake"):
#           each passes, but one whose name ends in -fail fails (exit 1),
#           with a trace dump ("# ftrace:" lines) as /init writes one
#   slow    the same after 1 s; the most boots seen running at once go to
#           $FAKE_QEMU_PLAN.most
set -eu
: "${FAKE_QEMU_PLAN:?}"
# /init's KTAP writer
. "$(dirname "$0")/../guest/lib/ktap.sh"
serial="" results="" tests=fake
while [ $# -gt 0 ]; do
	if [ "$1" = -append ] && [ $# -gt 1 ]; then
		for _a in $2; do
			case "$_a" in lab.tests=?*) tests=${_a#lab.tests=} ;; esac
		done
	fi
	if [ "$1" = -serial ] && [ $# -gt 1 ]; then
		case "$2" in
		file:*)
			if [ -z "$serial" ]; then serial=${2#file:}; else results=${2#file:}; fi
			;;
		esac
		shift
	fi
	shift
done
[ -n "$serial" ] && [ -n "$results" ] || { echo "fake-qemu: no serial files" >&2; exit 1; }
exec 9>>"$FAKE_QEMU_PLAN.lock"
flock 9
step=$(head -n 1 "$FAKE_QEMU_PLAN")
sed -i 1d "$FAKE_QEMU_PLAN"
echo "$step" >>"$FAKE_QEMU_PLAN.played"
flock -u 9
klog() { printf '[    1.%06d] %s\n' "$1" "$2" >>"$serial"; }
pass() {
	klog 100 "Run /init as init process"
	# shellcheck disable=SC2046 # the test names, one word each
	set -- $(echo "$tests" | tr ',' ' ')
	{
		ktap_plan $#
		for t in "$@"; do
			echo "# lab: start $t (timeout 10s)"
			case "$t" in
			*-fail)
				printf '%s\n' "    # ftrace: # tracer: nop" \
					"    # ftrace:            $t-42    [001] .....     1.500000: mm_migrate_copy_batch: reason=syscall_or_cpuset nr_folios=64 copier=provider" \
					"# lab: $t took 0.01s exit=1"
				ktap_result 1 "$t" "exit status 1"
				;;
			*)
				echo "# lab: $t took 0.01s exit=0"
				ktap_result 0 "$t"
				;;
			esac
		done
		printf '%s\n' "# lab: kernel log follows" "# lab: done"
	} >"$results"
}
kasan() {
	klog "$1" "BUG: KASAN: wild-memory-access in do_raw_spin_lock+0x130/0x1de"
	klog "$(($1 + 1))" "Write of size 4 at addr ff1100000016a8a8 by task swapper/0/0"
}
case "$step" in
kasanboot)
	kasan 50
	pass
	;;
kasanlate)
	pass
	kasan 200
	;;
flake)
	klog 100 "Oops: int3: 0000 [#1] PREEMPT SMP NOPTI"
	klog 101 "RIP: 0010:text_poke_bp_batch+0x1c/0x240"
	klog 102 "Kernel panic - not syncing: Fatal exception"
	;;
panic)
	klog 100 "VFS: Unable to mount root fs on unknown-block(0,0)"
	klog 101 "Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)"
	;;
silent)
	exec sleep 600
	;;
nostart)
	echo "qemu-system-x86_64: -device intel-dsa: 'intel-dsa' is not a valid device model name" >&2
	exit 1
	;;
slow)
	flock 9
	echo $$ >>"$FAKE_QEMU_PLAN.running"
	now=$(wc -l <"$FAKE_QEMU_PLAN.running")
	[ "$now" -le "$(cat "$FAKE_QEMU_PLAN.most" 2>/dev/null || echo 0)" ] ||
		echo "$now" >"$FAKE_QEMU_PLAN.most"
	flock -u 9
	sleep 1
	flock 9
	sed -i "/^$$\$/d" "$FAKE_QEMU_PLAN.running"
	flock -u 9
	pass
	;;
pass)
	pass
	;;
*)
	echo "fake-qemu: plan step '$step' unknown" >&2
	exit 1
	;;
esac
