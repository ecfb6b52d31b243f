#!/bin/sh
# One guest run: boot the built kernel + initramfs with the selected tests,
# keep every artifact in a run directory, and hand the logs to ktap-verdict.
# Called by the Makefile (make test, test-guest, run), which sets the
# environment below.
#
# Usage: tests/run-guest.sh [--tests GLOBS] [--kargs ARGS] [--interactive]
# Environment: BUILD VERDICT BZIMAGE INITRD KERNEL_CONFIG MANIFEST CPUS NODES MEM
#              ACCEL DSA QEMU_BIN_FILE TIMEOUT V FLAVOUR (skips.txt conditions)
#              BOOT_WATCHDOG (seconds, default 300) LAB_CMD (make run CMD=)
#              DSA_PROPS (the emulated DSA's properties, e.g. model=dsa2)
#              TIMING (a timing model's name, e.g. spr: timed mode)
#              IOMMU (0|1) GDB (0|1|port: the guest waits for gdb)
#              KBUILD_DIR KSRC_DIR MOD_OUT (vmlinux, sources and modules for
#              symbolizing splats)
#              SHARD (i/N: only shard i of the boot groups, tests/shard.sh)
#              SHARE (a host directory at the guest's /host; 1: the build
#              output of MOD_OUT's flavour, whose programs and modules the
#              guest then uses instead of the initramfs's)
# Exit status: ktap-verdict's (0 pass, 1 fail, 2 timeout, 3 crash), 125
# untestable; an empty shard (more shards than boot groups) passes, 0.
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

# The machine's DSA and IOMMU: the launcher's options and the guest's
# kernel arguments.
dev_opts="" dev_kargs=""
# The IOMMU machine, for IOMMU=1 and for a boot group's lab.machine=iommu.
iommu_opt=--iommu iommu_karg=intel_iommu=on
case "${DSA:-0}" in
0) ;;
1) dev_opts="--dsa${DSA_PROPS:+=$DSA_PROPS}${TIMING:+ --timing $TIMING}" ;;
vfio:*) dev_opts="--vfio ${DSA#vfio:}" ;;
*) die "DSA=$DSA is not 0, 1 or vfio:<PCI address>" ;;
esac
case "${IOMMU:-0}" in
0) ;;
1) dev_opts="$dev_opts $iommu_opt" dev_kargs=$iommu_karg ;;
*) die "IOMMU=$IOMMU is not 0 or 1" ;;
esac
# SHARE: a host directory in the guest (virtio-fs, run-vm.sh --share); 1
# shares this flavour's build output and tells /init to use it.
share_dir="" share_karg=""
case "${SHARE:-}" in
'') ;;
1)
	share_dir=$(dirname "${MOD_OUT:?MOD_OUT is not set (run through make)}")
	[ -d "$share_dir/guest/bin" ] && [ -d "$share_dir/modules" ] ||
		die "SHARE=1 shares the build output $share_dir, which has no guest/bin and modules/ (make rootfs)"
	share_karg=lab.share_build=1 ;;
*)
	[ -d "$SHARE" ] || die "SHARE=$SHARE is not a directory (SHARE=DIR: a host directory at /host; SHARE=1: the build output)"
	share_dir=$SHARE ;;
esac
gdb_port=""
case "${GDB:-0}" in
0) ;;
1) gdb_port=1234 ;;
*[!0-9]*) die "GDB=$GDB is not 0, 1 (port 1234) or a TCP port" ;;
*) gdb_port=$GDB ;;
esac
if [ -n "$gdb_port" ]; then
	dev_opts="$dev_opts --gdb $gdb_port"
	echo ">> guest: waits at reset for gdb on 127.0.0.1:$gdb_port: run 'make gdb GDB=$GDB' in another terminal" >&2
fi

. "$here/select.sh"
# `make run` runs the demo unless T= says otherwise.
[ "$interactive" = 0 ] || [ -n "$tests" ] || tests=demo
selection=$(lab_select "$MANIFEST" "$tests")
# Nothing selected: nothing can be tested (125, git bisect's skip), which
# is not the same as a test that failed.
if [ -z "$selection" ]; then
	echo "run-guest: no test matches T='$tests'; known tests:" >&2
	sed 's/^/  /' "$MANIFEST" >&2
	echo "0 passed, 0 failed: untestable (125)"
	exit 125
fi
# SHARD=i/N: this shard's boot groups; its key names the selection, so that
# merge-shards refuses shards of different runs.
if [ -n "${SHARD:-}" ]; then
	[ "$interactive" = 0 ] && [ -z "${LAB_CMD:-}" ] ||
		die "SHARD=$SHARD is for test runs, not for make run"
	"$here/shard.sh" check "$SHARD" || exit 2
	shard_groups=$(echo "$selection" | "$here/shard.sh" pick "$SHARD")
	shard_key=$(echo "$selection" | "$here/shard.sh" key)
fi

# Our QEMU when it has been built (required for the DSA device), else Debian's.
qemu=qemu-system-x86_64
if [ -s "${QEMU_BIN_FILE:-/nonexistent}" ] && [ -x "$(cat "$QEMU_BIN_FILE")" ]; then
	qemu=$(cat "$QEMU_BIN_FILE")
elif [ "${DSA:-0}" = 1 ]; then
	die "DSA=1 needs our QEMU: run 'make qemu'"
fi
# The debug kernel (KASAN, lockdep) runs the compaction tests 4.5 to 8
# times slower than the default one under TCG, two guests on two cores
# (compact-hugepages-offload: about 40 s, and 182 s and 330 s in two debug
# runs; compact-manual-offload 49 s and 293 s; provider-compaction 634 s of
# its doubled 800): its tests get three times their timeouts.
tscale=1
[ "${FLAVOUR:-default}" != debug ] || tscale=3
kargs="$dev_kargs${share_karg:+ $share_karg}${kargs:+ $kargs}"
[ "$tscale" = 1 ] || kargs="lab.tscale=$tscale $kargs"
# skips.txt conditions: a passed-through DSA is a DSA too.
dsa_when=1
[ "${DSA:-0}" != 0 ] || dsa_when=0
stamp=$(date +%Y%m%d-%H%M%S)
rundir=$BUILD/runs/$stamp-$$
mkdir -p "$rundir"
ln -sfn "$rundir" "$BUILD/runs/latest"
cp "$BZIMAGE" "$rundir/bzImage"
cp "$INITRD" "$rundir/initramfs.cpio"
[ -f "${KERNEL_CONFIG:-}" ] && cp "$KERNEL_CONFIG" "$rundir/config"
# A boot whose /init has written nothing after this many seconds is killed.
BOOT_WATCHDOG=${BOOT_WATCHDOG:-300}
# A guest stopped for gdb says nothing for as long as the debugger wants.
[ "${GDB:-0}" = 0 ] || BOOT_WATCHDOG=0
case "$BOOT_WATCHDOG" in '' | *[!0-9]*) die "BOOT_WATCHDOG=$BOOT_WATCHDOG is not whole seconds" ;; esac
# Keep the last 10 runs: each holds a kernel and an initramfs.
ls -1d "$BUILD"/runs/2* 2>/dev/null | head -n -10 | xargs -r rm -rf

# The launcher with this run's kernel, initramfs and machine: run_vm DIR ARGS...
run_vm() {
	_dir=$1
	shift
	"$top/qemu/run-vm.sh" --kernel "$rundir/bzImage" \
		--initrd "${group_initrd:-$rundir/initramfs.cpio}" --run-dir "$_dir" \
		--qemu "$qemu" --cpus "${CPUS:-3}" --nodes "${NODES:-2}" \
		--mem "${MEM:-1G}" --accel "${ACCEL:-tcg}" $dev_opts \
		${share_dir:+--share "$share_dir"} "$@"
}

# The boot's initramfs: the base with OVERLAY appended (the kernel unpacks
# concatenated archives in order), written to OUT.
use_overlay() {	# use_overlay OVERLAY OUT
	mkdir -p "$(dirname "$2")"
	cat "$rundir/initramfs.cpio" "$1" >"$2"
	group_initrd=$2
}

# Live output: FILE as it grows, through the shell function FILTER, until
# unfollow (after the boot, which may have written its last lines).
follow() {	# follow FILE FILTER
	tail -n +1 -f "$1" 2>/dev/null | "$2" &
	tailpid=$!
}
unfollow() {
	[ -n "${tailpid:-}" ] || return 0
	sleep 0.3
	kill "$tailpid" 2>/dev/null || true
	pkill -P $$ tail 2>/dev/null || true
	tailpid=""
}
ktap_progress() { grep --line-buffered -v -e '^# dmesg: ' -e '^    # kmsg: ' -e '^    # ftrace: '; }
cmd_output() {	# the lines between the markers of /init's lab.cmd
	on=0
	while IFS= read -r line; do
		case "$line" in
		"# lab: cmd exit "*) break ;;
		"# lab: error: "*) printf '%s\n' "$line" >&2 ;;	# e.g. no shared directory
		esac
		[ "$on" = 0 ] || printf '%s\n' "$line"
		[ "$line" != "# lab: cmd start" ] || on=1
	done
}

# `make run CMD=...`: boot, run the command in the guest, print its output
# as it comes, exit with its exit status (2: the guest timed out, 3: it
# ended without reporting one). The command reaches /init in an overlay
# archive, so any quoting survives.
run_cmd() {
	mkdir -p "$rundir/cmd-stage/lab"
	printf '%s\n' "$LAB_CMD" >"$rundir/cmd-stage/lab/cmd"
	. "$top/rootfs/lib.sh"
	pack_cpio "$rundir/cmd-stage" "$rundir/overlay-cmd.cpio"
	use_overlay "$rundir/overlay-cmd.cpio" "$rundir/initramfs+cmd.cpio"
	: >"$rundir/results.ktap"
	follow "$rundir/results.ktap" cmd_output
	rc=0
	run_vm "$rundir" --append "lab.cmd=1 $kargs" --timeout "${TIMEOUT:-600}" \
		--watchdog "$BOOT_WATCHDOG" || rc=$?
	unfollow
	code=$(sed -n 's/^# lab: cmd exit \([0-9]*\)$/\1/p' "$rundir/results.ktap")
	if [ -n "$code" ]; then
		echo ">> run: command exited $code (guest log: $rundir/serial.log)" >&2
		exit "$code"
	elif [ "$rc" = 124 ]; then
		echo ">> run: the guest timed out after ${TIMEOUT:-600}s (TIMEOUT=); log: $rundir/serial.log" >&2
		exit 2
	fi
	echo ">> run: the guest ended (qemu exit $rc) without the command's exit status; log: $rundir/serial.log" >&2
	exit 3
}
[ -z "${LAB_CMD:-}" ] || run_cmd

# `make run`: the selection, then a shell on this terminal. Without a
# terminal (a script, CI) nobody can type: run the selection as a test.
if [ "$interactive" = 1 ]; then
	if [ -t 0 ]; then
		echo ">> run: $rundir; quit with 'poweroff -f' or Ctrl-a x" >&2
		run_vm "$rundir" --append "lab.tests=$tests $kargs lab.shell=1" \
			--interactive
		exit $?
	fi
	echo ">> run: no terminal on stdin: running '$tests' without a shell" >&2
fi

# A shard always keeps its boots apart, so that merge-shards reads one layout.
group_dir() {
	if [ "$nr_groups" = 1 ] && [ -z "${SHARD:-}" ]; then echo "$rundir"; else echo "$rundir/boot-$1"; fi
}
# The run's results.json and junit.xml over the boots GROUPS; a shard's
# carry its place (i/N) and the selection's key for merge-shards.
write_sums() {	# write_sums CODE PASSED FAILED SKIPPED RETRIED_BOOTS GROUPS
	{
		printf '{"exit_code": %s, "passed": %s, "failed": %s, "skipped": %s, "retried_boots": %s, ' \
			"$1" "$2" "$3" "$4" "$5"
		[ -z "${SHARD:-}" ] || printf '"shard": "%s", "selection": "%s", ' "$SHARD" "$shard_key"
		echo '"boots": {'
		_sep=""
		for _g in $6; do
			printf '%s"%s": ' "$_sep" "$_g"
			cat "$rundir/boot-$_g/results.json"
			_sep=", "
		done
		echo "}}"
	} >"$rundir/results.json"
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<testsuites>"
		for _g in $6; do
			sed -e '1d' -e "s/<testsuite name=\"guest\"/<testsuite name=\"boot-$_g\"/" \
				"$rundir/boot-$_g/junit.xml"
		done
		echo "</testsuites>"
	} >"$rundir/junit.xml"
}
# Tests run in boots: those tagged boot=<group> share a boot per group, the
# rest share the "main" boot, boot=own gets a boot of its own (a test whose
# result depends on the guest's history, e.g. a first direct compaction).
groups=$(echo "$selection" | awk '!seen[$3]++ { print $3 }')
if [ -n "${SHARD:-}" ]; then
	echo ">> guest: shard $SHARD: $(echo "$shard_groups" | grep -c .) of $(echo "$groups" | wc -l) boot group(s)" >&2
	groups=$(echo "$groups" | grep -Fx "$shard_groups") || groups=""
	# only this shard's tests from here on
	selection=$(echo "$selection" | awk -v gs="$groups" '
		BEGIN { n = split(gs, g, "\n"); for (i = 1; i <= n; i++) mine[g[i]] = 1 }
		$3 in mine')
fi
nr_groups=$(echo "$groups" | grep -c .) || true
# More shards than boot groups: this one has nothing to run, and passes
# (its place still counts: merge-shards wants all N).
if [ "$nr_groups" = 0 ]; then
	echo ">> guest: shard $SHARD has no boot group: nothing to run" >&2
	write_sums 0 0 0 0 0 ""
	echo "0 passed, 0 failed" | tee "$rundir/summary.txt"
	exit 0
fi
# Boots at a time: JOBS, by default as many as there are CPUs and memory
# for (each guest: one busy host CPU under single-threaded TCG, its RAM
# plus 1 GiB).
if [ -z "${JOBS:-}" ]; then
	_mem_mib=$(($(sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024))
	_vm_mib=$(($(echo "${MEM:-1G}" | sed 's/G$/*1024/; s/M$//') * ${NODES:-2} + 1024))
	JOBS=$(nproc)
	[ $((_mem_mib / _vm_mib)) -ge "$JOBS" ] || JOBS=$((_mem_mib / _vm_mib))
	[ "$JOBS" -ge 1 ] || JOBS=1
fi
case "$JOBS" in '' | *[!0-9]* | 0) die "JOBS=$JOBS is not a number of boots >= 1" ;; esac
if [ "${GDB:-0}" != 0 ] && [ "$nr_groups" -gt 1 ]; then
	die "GDB= debugs one boot, and T='$tests' needs $nr_groups: $(echo $groups)"
fi
parallel=0
[ "$JOBS" -le 1 ] || [ "$nr_groups" -le 1 ] || parallel=1
echo ">> guest: $(echo "$selection" | wc -l) test(s) in $nr_groups boot(s), $JOBS at a time, qemu $qemu, log $rundir" >&2

boot() {	# boot DIR TESTS TIMEOUT [KARGS]
	: >"$1/serial.log"
	: >"$1/results.ktap"
	# Live progress: the KTAP stream, or the whole console with V=1; none
	# when boots run in parallel (each prints its verdict when it ends).
	if [ "$parallel" = 1 ]; then
		:
	elif [ "${V:-0}" = 1 ]; then
		follow "$1/serial.log" cat
	else
		follow "$1/results.ktap" ktap_progress
	fi
	rc=0
	# shellcheck disable=SC2086
	run_vm "$1" --append "lab.tests=$2 $kargs ${4:-}" --timeout "$3" \
		--watchdog "$BOOT_WATCHDOG" ${group_vm_args:-} || rc=$?
	unfollow
	echo "$rc" >"$1/qemu.rc"
}

# One group: boot, retry a known boot flake once, verdict. Prints the exit code.
run_group() {	# run_group GROUP DIR
	names=$(echo "$selection" | awk -v g="$1" '$3 == g { print $1 }' | paste -sd, -)
	# The group's own kernel arguments (manifest.sh: the same for all its tests).
	gkargs=$(echo "$selection" | awk -v g="$1" '$3 == g { for (i = 4; i <= NF; i++) printf "%s ", $i; exit }')
	# lab.overlay=NAME: the base initramfs with overlay NAME appended (the
	# kernel unpacks concatenated archives in order). lab.machine=NAME: a
	# machine other than the default one.
	group_initrd="" group_vm_args=""
	for _a in $gkargs; do
		case "$_a" in
		lab.overlay=*)
			_ov=$OVERLAY_DIR/overlay-${_a#lab.overlay=}.cpio.gz
			[ -f "$_ov" ] || die "boot '$1' needs $_ov (make rootfs)"
			use_overlay "$_ov" "$2/initramfs+overlay.cpio" ;;
		lab.machine=tiered)
			# a third, CPU-less node that HMAT makes a slower memory tier
			group_vm_args="--nodes 3 --cpuless-last --hmat" ;;
		lab.machine=iommu)
			# a VT-d IOMMU in front of the DSA, as IOMMU=1 gives every boot
			group_vm_args=$iommu_opt
			gkargs="$gkargs $iommu_karg" ;;
		lab.machine=*) die "boot '$1': unknown $_a (known: lab.machine=tiered, lab.machine=iommu)" ;;
		esac
	done
	# Overall limit: boot allowance plus each of the group's test timeouts.
	limit=${TIMEOUT:-$(echo "$selection" |
		awk -v g="$1" -v k="$tscale" '$3 == g { s += $2 * k } END { print s + 180 }')}
	mkdir -p "$2"
	echo ">> guest: boot '$1': $names (timeout ${limit}s${gkargs:+, kernel args: $gkargs})" >&2
	t0=$(date +%s)
	boot "$2" "$names" "$limit" "$gkargs"
	# A guest that died before its first test, of a known boot flake (the
	# MTTCG text-patching Oops seen under host load), is booted once more,
	# and the run says so. Any other early death is the verdict: a crash.
	# So is a guest whose first splat is a known flake that the kernel
	# printed before it ran /init, even if the tests then ran: none of the
	# lab's code has run by then (boot-flakes.txt says which, and why).
	rc=$(cat "$2/qemu.rc")
	# QEMU that exits at once with an error (a bad option, a missing device
	# model) never ran the guest: untestable, not a crash of the kernel.
	if [ ! -s "$2/serial.log" ] && [ ! -s "$2/results.ktap" ] &&
		[ "$rc" != 0 ] && [ "$rc" != 124 ] && [ "$rc" != 121 ]; then
		echo ">> guest: boot '$1': QEMU did not start (exit $rc; $2/qemu.stderr): untestable (125)" >&2
		: >"$2/untestable"
		return 0
	fi
	retried=""
	[ "$rc" = 121 ] && echo ">> guest: boot '$1': no output from /init in ${BOOT_WATCHDOG}s (BOOT_WATCHDOG): killed" >&2
	if [ "$rc" != 124 ]; then
		flake_log=$2/serial.log
		if grep -q '^# lab: start ' "$2/results.ktap"; then
			flake_log=$2/boot-until-init.log
			sed '/Run \/init as init process/q' "$2/serial.log" >"$flake_log"
		fi
		# the first splat of the boot, when it is a known flake
		retried=$("$VERDICT" --boot-flake "$here/host/boot-flakes.txt" \
			--log "$flake_log" --patterns "$here/host/splat-patterns.txt") || retried=""
		rm -f "$2/boot-until-init.log"
		if [ -n "$retried" ]; then
			mkdir -p "$2/first-boot"
			cp "$2/serial.log" "$2/results.ktap" "$2/first-boot/"
			echo ">> guest: known boot flake before the first test: $retried (log kept in first-boot/); booting once more" >&2
			boot "$2" "$names" "$limit" "$gkargs"
			rc=$(cat "$2/qemu.rc")
		fi
	fi
	echo ">> guest: boot '$1' finished in $(($(date +%s) - t0))s (qemu exit $rc)" >&2
	"$VERDICT" --ktap "$2/results.ktap" --log "$2/serial.log" \
		--patterns "$here/host/splat-patterns.txt" --json "$2/results.json" \
		--junit "$2/junit.xml" --qemu-rc "$rc" ${retried:+--retried "$retried"} \
		--skips "$here/skips.txt" --when "${FLAVOUR:-default} dsa=$dsa_when" \
		--trace-dir "$rundir" ${decode:+--decode "$decode"} >"$2/verdict.txt" 2>&1 || true
	grep -v -E '^[0-9]+ passed, [0-9]+ failed' "$2/verdict.txt" >&2 || true
}

# Splats symbolized (file:line) with the kernel's decode_stacktrace.sh, from
# vmlinux and the unstripped modules on the host.
decode=""
if [ -f "${KSRC_DIR:-}/scripts/decode_stacktrace.sh" ] && [ -f "${KBUILD_DIR:-}/vmlinux" ]; then
	decode="bash $KSRC_DIR/scripts/decode_stacktrace.sh $KBUILD_DIR/vmlinux $KSRC_DIR ${MOD_OUT:-$KBUILD_DIR}"
fi

untestable() {
	for g in $groups; do
		[ -f "$(group_dir "$g")/untestable" ] || continue
		# merge-shards must see this shard's verdict too
		[ -z "${SHARD:-}" ] || write_sums 125 0 0 0 0 ""
		exit 125
	done
}
# Boots run JOBS at a time: each TCG guest keeps about one host CPU busy.
if [ "$parallel" = 0 ]; then
	for g in $groups; do
		run_group "$g" "$(group_dir "$g")"
		untestable
	done
else
	pids=""
	for g in $groups; do
		while :; do
			running=0
			for p in $pids; do
				! kill -0 "$p" 2>/dev/null || running=$((running + 1))
			done
			[ "$running" -ge "$JOBS" ] || break
			sleep 1
		done
		run_group "$g" "$(group_dir "$g")" &
		pids="$pids $!"
	done
	wait
	untestable
fi

# Sum the boots: counts add up, the worst exit code wins (3 crash > 2
# timeout > 1 fail > 0 pass). results.json and junit.xml hold every boot.
code=0 passed=0 failed=0 skipped=0 retried_boots=0
for g in $groups; do
	dir=$(group_dir "$g")
	num() { sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" "$dir/results.json"; }
	c=$(num exit_code)
	[ -n "$c" ] || c=1
	[ "$c" -le "$code" ] || code=$c
	passed=$((passed + $(num passed))) failed=$((failed + $(num failed)))
	skipped=$((skipped + $(num skipped)))
	! grep -q '"retried": ' "$dir/results.json" || retried_boots=$((retried_boots + 1))
done
[ "$nr_groups" = 1 ] && [ -z "${SHARD:-}" ] ||
	write_sums "$code" "$passed" "$failed" "$skipped" "$retried_boots" "$groups"
# Boots print their verdicts as they end; repeat every failure at the end,
# where a truncated CI log still shows it.
if [ "$code" != 0 ] && [ "$nr_groups" != 1 ]; then
	for g in $groups; do
		out=$(awk '/^(FAIL|SPLAT|verdict: (TIMEOUT|CRASH))/ { p = 1; print; next }
			p && /^    / { print; next } { p = 0 }' "$(group_dir "$g")/verdict.txt")
		[ -z "$out" ] || printf "boot '%s':\n%s\n" "$g" "$out"
	done
fi
case "$code" in
1) echo "verdict: FAIL" ;;
2) echo "verdict: TIMEOUT" ;;
3) echo "verdict: CRASH" ;;
esac
summary="$passed passed, $failed failed"
[ "$skipped" = 0 ] || summary="$summary, $skipped skipped"
[ "$retried_boots" = 0 ] || summary="$summary, $retried_boots boot(s) retried after a known flake"
echo ">> artifacts: $rundir (serial.log results.ktap results.json junit.xml reproduce.sh)" >&2
echo "$summary" | tee "$rundir/summary.txt"
exit "$code"
