#!/bin/sh
# Host-side tests: the verdict logic on recorded runs (fixtures/), the
# launcher's input checks, a real boot of the deliberately failing guest test
# (the harness must report it), and our QEMU's qtests when QEMU is built.
# Prints KTAP and a closing "host: N passed, N failed" line; exit 0/1.
#
# Usage: tests/host/run-host-tests.sh   (environment as for tests/run-guest.sh)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${VERDICT:?run through make}" "${BUILD:?run through make}" "${MERGE_SHARDS:?run through make}"
# The run's own SHARD and KCONFIG (make test SHARD=i/N KCONFIG=...) are not
# the ones these tests ask for.
unset SHARD KCONFIG
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$here/../guest/lib/ktap.sh"
passed=0 failed=0
result() {	# result OK|FAIL name [diagnostic]
	if [ "$1" = OK ]; then
		passed=$((passed + 1))
		ktap_result 0 "$2"
	else
		failed=$((failed + 1))
		ktap_result 1 "$2"
		[ -z "${3:-}" ] || ktap_diag "$3"
	fi
}

ktap_header

# 0. KCONFIG=fragment, configured in the background (tinyconfig and
# olddefconfig take a while) against the kernel source tree, in a scratch
# cache: a requested symbol that cannot survive (one that does not exist)
# fails at the check, before anything is compiled; then the same fragment
# path with symbols that can (one of them overriding ours) configures.
# Collected in section 3d.
kc_configure() {	# kc_configure FRAGMENT-CONTENT: build-kernel.sh configure
	printf '%s\n' "$1" >"$tmp/kc/user.config"
	CACHE=$tmp/kc/cache KSRC=$KSRC_DIR KCONFIG=$tmp/kc/user.config FLAVOUR=default JOBS=1 \
		nice "$top/kernel-patches/build-kernel.sh" configure
}
mkdir -p "$tmp/kc"
if [ -f "${KSRC_DIR:-}/Makefile" ]; then
	(
		code=0
		kc_configure "CONFIG_MAGIC_SYSRQ=y
CONFIG_LAB_DOES_NOT_EXIST=y" >"$tmp/kc/lost.out" 2>&1 || code=$?
		echo "$code" >"$tmp/kc/lost.code"
		code=0
		kc_configure "CONFIG_MAGIC_SYSRQ=y
# CONFIG_PRINTK_TIME is not set" >"$tmp/kc/good.out" 2>&1 || code=$?
		echo "$code" >"$tmp/kc/good.code"
	) &
	kc_pid=$!
fi

# 1. Verdict on recorded runs: expect = "<qemu rc> <exit code> <closing line>".
for d in "$here"/fixtures/*/; do
	name=verdict-$(basename "$d")
	read -r qrc want_code want_line <"$d/expect"
	code=0
	"$VERDICT" --ktap "$d/results.ktap" --log "$d/serial.log" \
		--patterns "$here/splat-patterns.txt" --qemu-rc "$qrc" \
		--json "$tmp/r.json" --junit "$tmp/r.xml" >"$tmp/out" 2>&1 || code=$?
	line=$(tail -n 1 "$tmp/out")
	if [ "$code" = "$want_code" ] && [ "$line" = "$want_line" ] &&
		grep -q "\"exit_code\": $code" "$tmp/r.json" &&
		grep -q '</testsuite>' "$tmp/r.xml"; then
		result OK "$name"
	else
		result FAIL "$name" "want exit $want_code '$want_line', got exit $code:
$(cat "$tmp/out")"
	fi
done

# 1b. A failed test's verdict names its failed subtests with the
# diagnostics just before each one (CI logs keep little more than that).
d=$here/fixtures/fail
"$VERDICT" --ktap "$d/results.ktap" --log "$d/serial.log" \
	--patterns "$here/splat-patterns.txt" --qemu-rc 0 >"$tmp/out" 2>&1 || true
if grep -q '^FAIL b: exit status 1$' "$tmp/out" &&
	grep -q '^    # y: measured 3 blocks, wanted 5$' "$tmp/out" &&
	grep -q '^    not ok 1 y$' "$tmp/out" && ! grep -q '^    ok 1 x' "$tmp/out"; then
	result OK "verdict-names-failed-subtests"
else
	result FAIL "verdict-names-failed-subtests" "$(cat "$tmp/out")"
fi

# 1c. A splat comes with its report (the call trace up to the end marker,
# nothing after it), passed through --decode CMD in the verdict, the JSON
# and the JUnit; with DWARF in vmlinux, the kernel's decode_stacktrace.sh
# turns a frame into file:line.
d=$here/fixtures/splat-report
code=0
"$VERDICT" --ktap "$d/results.ktap" --log "$d/serial.log" \
	--patterns "$here/splat-patterns.txt" --json "$tmp/r.json" --junit "$tmp/r.xml" \
	--decode "sed s/+0x/@decoded+0x/" >"$tmp/out" 2>&1 || code=$?
if [ "$code" = 1 ] && grep -q '^    .* dsam_copy_batch@decoded+0x1f/0x80 \[dsa_migrate\]$' "$tmp/out" &&
	grep -q 'end trace' "$tmp/out" && ! grep -q 'not part of the report' "$tmp/out" &&
	grep -q '"splat_reports".*' "$tmp/r.json" && grep -q 'migrate_pages@decoded' "$tmp/r.json" &&
	grep -q 'migrate_pages@decoded' "$tmp/r.xml"; then
	result OK "verdict-splat-report-decoded"
else
	result FAIL "verdict-splat-report-decoded" "exit $code: $(cat "$tmp/out")"
fi
vmlinux=${KBUILD_DIR:-/nonexistent}/vmlinux
if [ -f "$vmlinux" ] && readelf -WS "$vmlinux" | grep -qwF .debug_line; then
	size=$(nm -S "$vmlinux" | awk '$4 == "start_kernel" { print $2; exit }' | sed 's/^0*//')
	printf '%s\n' '1..1' 'ok 1 a' '# lab: done' >"$tmp/sym.ktap"
	printf '%s\n' "[    1.0] WARNING: CPU: 0 PID: 0 at init/main.c:1 start_kernel+0x10/0x$size" \
		"[    1.1]  start_kernel+0x10/0x$size" "[    1.2] ---[ end trace 0 ]---" >"$tmp/sym.log"
	code=0
	"$VERDICT" --ktap "$tmp/sym.ktap" --log "$tmp/sym.log" --patterns "$here/splat-patterns.txt" \
		--decode "bash ${KSRC_DIR:-}/scripts/decode_stacktrace.sh $vmlinux ${KSRC_DIR:-}" \
		>"$tmp/out" 2>&1 || code=$?
	if [ "$code" = 1 ] && grep -q 'start_kernel (init/main\.c:[0-9]*)' "$tmp/out"; then
		result OK "verdict-splat-symbolized-with-vmlinux"
	else
		result FAIL "verdict-splat-symbolized-with-vmlinux" "exit $code: $(cat "$tmp/out")"
	fi
else
	result FAIL "verdict-splat-symbolized-with-vmlinux" "no vmlinux with DWARF at $vmlinux"
fi

# 1b. The skip allow-list: a skip (of a test, or of a test's own subtest)
# passes only when tests/skips.txt lists it for one of the run's conditions.
skip_case() {	# skip_case NAME WHEN WANT_CODE KTAP-LINES...
	_name=$1 _when=$2 _want=$3
	shift 3
	printf '%s\n' "KTAP version 1" "1..1" "# lab: start t" "$@" "# lab: done" >"$tmp/s.ktap"
	: >"$tmp/s.log"
	code=0
	"$VERDICT" --ktap "$tmp/s.ktap" --log "$tmp/s.log" --patterns "$here/splat-patterns.txt" \
		--skips "$here/../skips.txt" --when "$_when" >"$tmp/out" 2>&1 || code=$?
	if [ "$code" = "$_want" ]; then
		result OK "$_name"
	else
		result FAIL "$_name" "exit $code, want $_want: $(cat "$tmp/out")"
	fi
}
skip_case skips-listed-subtest-passes "default dsa=1" 0 \
	"    ok 1 kmemleak_clean # SKIP no kmemleak" "ok 1 offload-rmmod"
skip_case skips-subtest-listed-for-another-flavour-fails "debug dsa=1" 1 \
	"    ok 1 kmemleak_clean # SKIP no kmemleak" "ok 1 offload-rmmod"
skip_case skips-unlisted-subtest-fails "default dsa=1" 1 \
	"    ok 1 contents_intact # SKIP why not" "ok 1 offload-rmmod"
skip_case skips-unlisted-test-fails "default dsa=1" 1 \
	"    # SKIP no reason" "ok 1 move-pages-4k # SKIP see subtest output"
skip_case skips-condition-dsa0 "default dsa=0" 0 \
	"    ok 1 enabled_rmmod_in_use # SKIP no DMA channel (DSA=0)" "ok 1 offload-params"
skip_case skips-key-is-a-pattern "default dsa=1" 0 \
	"    ok 1 hmm-tests/hmm2.hmm2_device_coherent.snapshot # SKIP x" "ok 1 suite-kselftest-mm"
skip_case skips-pattern-matches-only-its-own "default dsa=1" 1 \
	"    ok 1 hmm-tests/hmm.hmm_device_private.open_close # SKIP x" "ok 1 suite-kselftest-mm"

# 1c. A subtest a suite program reports skipped inside an invocation that
# passed (kselftest's "ok N name # SKIP") fails the invocation unless the
# allow-list has SUITE:PROGRAM/SUBTEST (tests/guest/lib/suite-common.sh).
mkdir -p "$tmp/suite/suites"
cp "$here/../guest/lib/ktap.sh" "$tmp/suite/ktap"
cp "$here/../guest/lib/sh-lib.sh" "$tmp/suite/sh-lib"
cp "$here/../guest/lib/suite-common.sh" "$tmp/suite/suite-common"
cp "$here/../skips.txt" "$tmp/suite/suites/skips.txt"
cat >"$tmp/suite/suite-kselftest-mm" <<'EOF'
#!/bin/sh
. "$(dirname "$0")/suite-common"
SUITE_DIR=$(dirname "$0")/suites
suite_run hmm-tests 60 sh -c "printf '%s\n' 'ok 1 hmm.hmm_device_private.open_close' \
	'ok 2 hmm.hmm_device_coherent.open_close # SKIP DEVICE_COHERENT not available' $1"
EOF
suite_case() {	# suite_case NAME WANT-RESULT-LINE [EXTRA-TAP-LINE]
	_out=$(sh "$tmp/suite/suite-kselftest-mm" "${3:+'$3'}" 2>&1 | grep '^[a-z]')
	if [ "$_out" = "$2" ]; then
		result OK "$1"
	else
		result FAIL "$1" "got '$_out', want '$2'"
	fi
}
suite_case suite-listed-nested-skip-passes "ok 1 hmm-tests"
suite_case suite-unlisted-nested-skip-fails \
	"not ok 1 hmm-tests # subtests skipped and not on the allow-list" \
	"ok 3 hmm.hmm_device_private.migrate # SKIP why"

# 2. Launcher input checks: every bad flag is refused, naming the flag.
: >"$tmp/k"
for bad in "--cpus 0" "--cpus x" "--nodes 9" "--mem lots" "--accel fast" \
	"--timeout 1.5" "--bogus" "--gdb 0" "--gdb 70000" "--vfio 6a:1.0" \
	"--vfio 6a:01.0" "--vfio 6a:01.0 --accel kvm" "--vfio 6a:01.0 --accel kvm --iommu --dsa" \
	"--timing bogus --dsa" "--timing spr" "--timing spr --dsa --accel kvm" \
	"--dsa-count 5 --dsa" "--dsa-count 0 --dsa" "--dsa-count 2"; do
	code=0
	# shellcheck disable=SC2086
	"$top/qemu/run-vm.sh" --kernel "$tmp/k" --initrd "$tmp/k" \
		--run-dir "$tmp/vm" --dry-run $bad >"$tmp/out" 2>&1 || code=$?
	if [ "$code" = 2 ] && grep -q -- "run-vm: error:.*${bad%% *}" "$tmp/out"; then
		result OK "launcher-rejects $bad"
	else
		result FAIL "launcher-rejects $bad" "exit $code: $(cat "$tmp/out")"
	fi
done

# 2d. The tiered machine: a CPU-less third node, ACPI HMAT entries for every
# initiator and target, the CPU-less node slower than DRAM.
code=0
"$top/qemu/run-vm.sh" --kernel "$tmp/k" --initrd "$tmp/k" --run-dir "$tmp/vm" \
	--dry-run --nodes 3 --cpuless-last --hmat >"$tmp/out" 2>&1 || code=$?
if [ "$code" = 0 ] && grep -q "'q35,hmat=on'" "$tmp/out" &&
	grep -q "'node,nodeid=2,memdev=mem2,initiator=0'" "$tmp/out" &&
	[ "$(grep -o 'hmat-lb,' "$tmp/out" | wc -l)" = 12 ] &&
	grep -q "initiator=0,target=2,hierarchy=memory,data-type=access-latency,latency=300'" "$tmp/out"; then
	result OK "launcher-tiered-machine"
else
	result FAIL "launcher-tiered-machine" "exit $code: $(cat "$tmp/out")"
fi

# 2e. IOMMU, VFIO and gdb command lines: the IOMMU before the device it
# translates for (with caching-mode for a passed-through one, whose
# mappings QEMU must shadow), the gdbstub on loopback with the guest stopped.
launcher_case() {	# launcher_case NAME 'FLAGS' 'QUOTED ARGS IN ORDER'...
	_name=$1 _flags=$2
	shift 2
	code=0
	# shellcheck disable=SC2086
	"$top/qemu/run-vm.sh" --kernel "$tmp/k" --initrd "$tmp/k" --run-dir "$tmp/vm" \
		--dry-run $_flags >"$tmp/out" 2>&1 || code=$?
	_want=$(printf '%s.*' "$@")
	if [ "$code" = 0 ] && grep -q -- "$_want" "$tmp/out"; then
		result OK "$_name"
	else
		result FAIL "$_name" "exit $code, want '$_want' in: $(cat "$tmp/out")"
	fi
}
launcher_case launcher-iommu-before-dsa "--iommu --dsa" "'-device' 'intel-iommu'" "'-device' 'intel-dsa,x-debug-page=on'"
launcher_case launcher-vfio-passthrough "--vfio 6a:01.0 --accel kvm --iommu" \
	"'-accel' 'kvm'" "'-device' 'intel-iommu,caching-mode=on'" "'-device' 'vfio-pci,host=0000:6a:01.0'"
launcher_case launcher-gdb-waits "--gdb 4321" "'-gdb' 'tcp:127.0.0.1:4321' '-S'"
# Several emulated DSAs (DSA_COUNT), each with the same properties.
launcher_case launcher-dsa-count "--dsa=model=dsa2 --dsa-count 3" \
	"'-device' 'intel-dsa,x-debug-page=on,model=dsa2' '-device' 'intel-dsa,x-debug-page=on,model=dsa2' '-device' 'intel-dsa,x-debug-page=on,model=dsa2'"
# Timed mode: the set's properties before --dsa's (which override them), the
# guest under icount with the host's inputs fixed.
launcher_case launcher-timing "--dsa=model=dsa2 --timing spr-dilated" \
	"'-device' 'intel-dsa,x-debug-page=on,timing=on,timing-submit-ns=1935,[^']*timing-engine-mbps=1163,model=dsa2'" \
	"'-icount' 'shift=0,sleep=off' '-rtc' 'base=2025-01-01T00:00:00,clock=vm' '-seed' '1'"
code=0
make -s -C "$top" help TIMING=bogus >"$tmp/out" 2>&1 || code=$?
mcode=0
make -s -C "$top" help TIMING=1 ACCEL=kvm >>"$tmp/out" 2>&1 || mcode=$?
if [ "$code" != 0 ] && [ "$mcode" != 0 ] &&
	grep -q "TIMING='bogus': must be 1 or a parameter set of the timing model: spr spr-dilated" "$tmp/out" &&
	grep -q "TIMING=spr runs the guest under -icount, single-threaded TCG: it needs ACCEL=tcg" "$tmp/out"; then
	result OK "make-rejects-bad-TIMING"
else
	result FAIL "make-rejects-bad-TIMING" "exit $code/$mcode: $(cat "$tmp/out")"
fi
code=0
DSA=bogus BUILD=$tmp/bad BZIMAGE=$tmp/k INITRD=$tmp/k MANIFEST=$tmp/fake-manifest VERDICT=true \
	"$top/tests/run-guest.sh" >"$tmp/out" 2>&1 || code=$?
if [ "$code" != 0 ] && grep -q "DSA=bogus is not 0, 1 or vfio:" "$tmp/out"; then
	result OK "run-guest-rejects-bad-DSA"
else
	result FAIL "run-guest-rejects-bad-DSA" "exit $code: $(cat "$tmp/out")"
fi

# 2b. tests/make-test.sh: when make fails before the test recipe (a broken
# Makefile in a bisected commit), a code left by an earlier run is not
# reported as this run's: 125, untestable.
mkdir -p "$tmp/stale/bin" "$tmp/stale/build"
printf '#!/bin/sh\nexit 2\n' >"$tmp/stale/bin/make"
chmod +x "$tmp/stale/bin/make"
echo 0 >"$tmp/stale/build/exit-code"
code=0
PATH="$tmp/stale/bin:$PATH" "$top/tests/make-test.sh" BUILD="$tmp/stale/build" \
	>"$tmp/out" 2>&1 || code=$?
if [ "$code" = 125 ]; then
	result OK "make-test-ignores-stale-exit-code"
else
	result FAIL "make-test-ignores-stale-exit-code" "exit $code, want 125"
fi

# 2c. tests/manifest.sh: karg= tags reach the manifest and the selection;
# tests of one boot group that ask for different kernel arguments are refused.
mkdir -p "$tmp/m"
printf '/* lab:test timeout=5 set=default boot=g karg=cma=16M karg=lab.overlay=x */\n' >"$tmp/m/a.c"
printf '/* lab:test timeout=5 set=default boot=g karg=cma=16M karg=lab.overlay=x */\n' >"$tmp/m/b.c"
printf '/* lab:test timeout=5 set=default boot=g karg=cma=32M */\n' >"$tmp/m/c.c"
code=0
"$top/tests/manifest.sh" "$tmp/m/a.c" "$tmp/m/b.c" >"$tmp/manifest" 2>"$tmp/out" || code=$?
sel=$(. "$top/tests/select.sh"; lab_select "$tmp/manifest" "")
if [ "$code" = 0 ] && [ "$(sed -n 1p "$tmp/manifest")" = "a 5 default g cma=16M lab.overlay=x" ] &&
	[ "$(echo "$sel" | sed -n 2p)" = "b 5 g cma=16M lab.overlay=x" ]; then
	result OK "manifest-kargs"
else
	result FAIL "manifest-kargs" "exit $code, manifest: $(cat "$tmp/manifest"), selection: $sel"
fi
# T= globs with a leading '!' drop tests: alone, from the default set.
printf '%s\n' "a 5 default main" "b 5 default main" "x 5 extra main" >"$tmp/sel-manifest"
sel_names() { (. "$top/tests/select.sh"; lab_select "$tmp/sel-manifest" "$1") | awk '{ print $1 }' | paste -sd' ' -; }
if [ "$(sel_names '')" = "a b" ] && [ "$(sel_names '!a')" = "b" ] && [ "$(sel_names '*,!a')" = "b x" ] &&
	[ "$(sel_names '!x')" = "a b" ] && [ "$(sel_names 'x,!?')" = "" ]; then
	result OK "select-drop-globs"
else
	result FAIL "select-drop-globs" "'' -> $(sel_names ''), '!a' -> $(sel_names '!a'), '*,!a' -> $(sel_names '*,!a'), '!x' -> $(sel_names '!x')"
fi
code=0
"$top/tests/manifest.sh" "$tmp/m/a.c" "$tmp/m/c.c" >"$tmp/manifest" 2>"$tmp/out" || code=$?
if [ "$code" != 0 ] && grep -q 'boot group g ask for different kernel arguments' "$tmp/out"; then
	result OK "manifest-rejects-mixed-group-kargs"
else
	result FAIL "manifest-rejects-mixed-group-kargs" "exit $code: $(cat "$tmp/out")"
fi

# 3. End to end: a guest test that fails must fail the run (exit 1), and the
# run's JSON must name it; a test that outlives its timeout is killed with
# the child it left holding the result pipe, and the boot goes on.
if [ -f "${BZIMAGE:-}" ] && [ -f "${INITRD:-}" ]; then
	code=0
	BUILD=$tmp/e2e "$top/tests/run-guest.sh" --tests harness-orphan,harness-fail \
		>"$tmp/out" 2>&1 || code=$?
	json=$tmp/e2e/runs/latest/results.json
	# each failed (one timed out): each has /init's trace, from its instance
	if [ "$code" = 1 ] && grep -q '"failed": 2' "$json" &&
		grep -q '"name": "harness-fail", "result": "fail"' "$json" &&
		grep -q '"name": "harness-orphan", "result": "fail"' "$json" &&
		grep -q '^# entries-in-buffer/entries-written: ' "$tmp/e2e/runs/latest/ftrace-harness-fail.txt" &&
		grep -q '^# entries-in-buffer/entries-written: ' "$tmp/e2e/runs/latest/ftrace-harness-orphan.txt"; then
		result OK "harness-reports-failing-guest-test"
	else
		result FAIL "harness-reports-failing-guest-test" "exit $code:
$(tail -n 20 "$tmp/out")"
	fi
else
	result FAIL "harness-reports-failing-guest-test" "no kernel/initramfs built"
fi

# 3g. The initramfs is its two parts end to end (rootfs/build-initramfs.sh):
# the tests part carries the module index over the kernel's modules and
# ours, which replaces the base's (without it modprobe finds neither), and
# no shared library the base has already.
parts=$(dirname "${INITRD:-/nonexistent}")
if [ -f "$parts/initramfs-base.cpio" ] && [ -f "$parts/initramfs-tests.cpio" ]; then
	(cd "$tmp" && cpio -i --quiet --to-stdout 'lib/modules/*/modules.dep' \
		<"$parts/initramfs-tests.cpio") >"$tmp/modules.dep" 2>&1 || true
	dup=$({ cpio -it --quiet <"$parts/initramfs-base.cpio"
		cpio -it --quiet <"$parts/initramfs-tests.cpio"; } | grep -E '\.so(\.|$)' | sort | uniq -d)
	if cat "$parts/initramfs-base.cpio" "$parts/initramfs-tests.cpio" | cmp -s - "$INITRD" &&
		grep -q '^extra/dsa_migrate\.ko:' "$tmp/modules.dep" &&
		grep -q '^kernel/drivers/dma/idxd/idxd\.ko:' "$tmp/modules.dep" && [ -z "$dup" ]; then
		result OK "initramfs-parts-module-index-and-libraries"
	else
		result FAIL "initramfs-parts-module-index-and-libraries" "module index: $(head -c 400 "$tmp/modules.dep")
libraries in both parts: $dup"
	fi
else
	result FAIL "initramfs-parts-module-index-and-libraries" "no initramfs parts beside $INITRD"
fi

# 3b. `make run CMD=...`: the command's output, unchanged by any quoting
# layer ('$' and quotes reach the guest's shell), and its exit status.
if [ -f "${BZIMAGE:-}" ] && [ -f "${INITRD:-}" ]; then
	code=0
	# shellcheck disable=SC2016
	LAB_CMD='x="cmd out"; echo "lab: $x" '"'"'$x'"'"'; uname -s; exit 7' \
		BUILD=$tmp/cmd "$top/tests/run-guest.sh" --interactive </dev/null \
		>"$tmp/out" 2>&1 || code=$?
	if [ "$code" = 7 ] && grep -qx 'lab: cmd out \$x' "$tmp/out" &&
		grep -qx Linux "$tmp/out"; then
		result OK "run-cmd-output-and-exit-status"
	else
		result FAIL "run-cmd-output-and-exit-status" "exit $code, want 7:
$(tail -n 20 "$tmp/out")"
	fi
fi

# 3f. make gdb: a guest started with --gdb waits at reset for gdb, which
# attaches with vmlinux and the kernel's gdb scripts, runs the guest to
# start_kernel, and reads a kernel variable through the gdbstub (the plain
# symbol and the lx-version command both print the banner).
if [ -f "${BZIMAGE:-}" ] && [ -f "${INITRD:-}" ] && [ -f "${KBUILD_DIR:-}/vmlinux" ]; then
	qemu=qemu-system-x86_64
	[ ! -s "${QEMU_BIN_FILE:-/nonexistent}" ] || qemu=$(cat "$QEMU_BIN_FILE")
	port=$((20000 + $$ % 20000))
	"$top/qemu/run-vm.sh" --kernel "$BZIMAGE" --initrd "$INITRD" \
		--run-dir "$tmp/gdb" --qemu "$qemu" --gdb "$port" --timeout 120 \
		--append lab.tests=lab-none >"$tmp/gdb.vm" 2>&1 &
	vmpid=$!
	# Listening (state 0A) on the port, as /proc/net/tcp spells it.
	hex=$(printf ':%04X 00000000:0000 0A' "$port")
	w=0
	while [ "$w" -lt 100 ] && ! grep -q "$hex" /proc/net/tcp; do
		sleep 0.1
		w=$((w + 1))
	done
	code=0
	timeout 90 "$top/qemu/gdb.sh" --kbuild "$KBUILD_DIR" --port "$port" -- \
		-batch -ex 'print linux_banner' -ex lx-version -ex kill \
		</dev/null >"$tmp/out" 2>&1 || code=$?
	kill "$vmpid" 2>/dev/null || true
	wait "$vmpid" 2>/dev/null || true
	if [ "$code" = 0 ] && grep -q '^\$1 = .*<linux_banner> "Linux version 6\.12' "$tmp/out" &&
		grep -q '^Linux version 6\.12' "$tmp/out" &&
		grep -q 'start_kernel' "$tmp/out"; then
		result OK "gdb-attaches-and-reads-kernel-symbols"
	else
		result FAIL "gdb-attaches-and-reads-kernel-symbols" "exit $code:
$(tail -n 20 "$tmp/out")"
	fi
else
	result FAIL "gdb-attaches-and-reads-kernel-symbols" "no kernel/initramfs/vmlinux built"
fi

# 3c. Boot handling, with fake-qemu.sh playing the boots: a known boot flake
# (host/boot-flakes.txt) before the first test is booted once more and the
# run says so; any other early death is a crash, not retried; a boot whose
# /init writes nothing is killed by the watchdog, not the run's time limit.
fake_run() {	# fake_run PLAN [run-guest args]: run-guest on fake-qemu; sets code
	_plan=$1
	shift
	printf '%s\n' $_plan >"$tmp/plan"
	rm -f "$tmp/plan.played" "$tmp/plan.most" "$tmp/plan.running"
	code=0
	FAKE_QEMU_PLAN=$tmp/plan QEMU_BIN_FILE=$tmp/fake-qemu-path DSA=0 \
		BZIMAGE=$tmp/k INITRD=$tmp/k MANIFEST=$tmp/fake-manifest KERNEL_CONFIG= \
		BOOT_WATCHDOG=3 TIMEOUT=60 BUILD=$tmp/fake \
		"$top/tests/run-guest.sh" "$@" >"$tmp/out" 2>&1 || code=$?
}
boot_case() {	# boot_case NAME PLAN WANT_CODE WANT_PLAYED GREP
	t0=$(date +%s)
	fake_run "$2"
	played=$(cat "$tmp/plan.played" 2>/dev/null | paste -sd' ' -)
	if [ "$code" = "$3" ] && [ "$played" = "$4" ] && grep -q -e "$5" "$tmp/out" &&
		[ $(($(date +%s) - t0)) -lt 30 ]; then
		result OK "$1"
	else
		result FAIL "$1" "exit $code (want $3), boots played '$played' (want '$4'), '$5' in output?
$(tail -n 12 "$tmp/out")"
	fi
}
echo "$here/fake-qemu.sh" >"$tmp/fake-qemu-path"
echo "fake 10 default main" >"$tmp/fake-manifest"
boot_case boot-known-flake-retried-and-reported "flake pass" 0 "flake pass" \
	"1 passed, 0 failed, 1 boot(s) retried after a known flake"
grep -q '"retried": "Oops: int3' "$tmp/fake/runs/latest/results.json" &&
	grep -q 'name="boot-retried"' "$tmp/fake/runs/latest/junit.xml" &&
	[ -f "$tmp/fake/runs/latest/first-boot/serial.log" ] ||
	result FAIL "boot-known-flake-recorded" "no 'retried' in results.json/junit.xml or no first-boot/ log"
boot_case boot-unknown-death-is-a-crash "panic pass" 3 "panic" "verdict: CRASH"
# A known flake's splat the kernel printed before /init (the tests ran) is
# booted once more; the same splat after /init is the verdict, not retried.
boot_case boot-known-flake-before-init-retried "kasanboot pass" 0 "kasanboot pass" \
	"1 passed, 0 failed, 1 boot(s) retried after a known flake"
boot_case boot-known-flake-after-init-is-a-splat "kasanlate pass" 1 "kasanlate" \
	"SPLAT .*BUG: KASAN: wild-memory-access"
boot_case boot-watchdog-kills-a-silent-guest "silent" 3 "silent" \
	"no output from /init in 3s"
boot_case boot-qemu-not-starting-is-untestable "nostart" 125 "nostart" \
	"QEMU did not start"
# Boots in parallel: three boot groups with JOBS=2 run two at a time,
# and the sums hold all three.
printf '%s\n' "fake 10 default main" "fake2 10 default b" "fake3 10 default c" \
	>"$tmp/fake-manifest"
JOBS=2 fake_run "slow slow slow" --tests 'fake*'
if [ "$code" = 0 ] && [ "$(cat "$tmp/plan.most" 2>/dev/null)" = 2 ] &&
	grep -q '^3 passed, 0 failed$' "$tmp/out"; then
	result OK "boots-run-jobs-at-a-time"
else
	result FAIL "boots-run-jobs-at-a-time" "exit $code, most at once $(cat "$tmp/plan.most" 2>/dev/null), want 2:
$(tail -n 12 "$tmp/out")"
fi
# SHARD=i/N: shards 1/2 and 2/2 run disjoint boot groups that cover all
# three; a shard with no group (3 groups, 4/4) passes; merge-shards puts
# 1/2 and 2/2 back together with the worst code (a test of group b fails).
printf '%s\n' "fake 10 default main" "fake2 10 default main" "b-fail 20 default b" \
	"c 30 default c" >"$tmp/fake-manifest"
shard_boots() {	# the boot groups a shard's results.json holds
	sed -n 's/^[, ]*"\([a-z0-9-]*\)": {$/\1/p' "$tmp/fake/runs/latest/results.json" | sort | paste -sd' ' -
}
JOBS=1 SHARD=1/2 fake_run "pass pass pass" --tests '*'
s1_code=$code s1_boots=$(shard_boots) s1_dir=$(readlink -f "$tmp/fake/runs/latest")
JOBS=1 SHARD=2/2 fake_run "pass pass pass" --tests '*'
s2_code=$code s2_boots=$(shard_boots) s2_dir=$(readlink -f "$tmp/fake/runs/latest")
all=$(printf '%s\n' $s1_boots $s2_boots | sort | paste -sd' ' -)
# both shards ran something, nothing twice, and only b's shard failed
if [ "$all" = "b c main" ] && [ -n "$s1_boots" ] && [ -n "$s2_boots" ] &&
	{ [ "$s1_code $s2_code" = "1 0" ] && echo " $s1_boots " | grep -q ' b ' ||
		[ "$s1_code $s2_code" = "0 1" ] && echo " $s2_boots " | grep -q ' b '; }; then
	result OK "shards-1-of-2-and-2-of-2-run-each-group-once"
else
	result FAIL "shards-1-of-2-and-2-of-2-run-each-group-once" "1/2 ran '$s1_boots' (exit $s1_code), 2/2 ran '$s2_boots' (exit $s2_code); want b, c, main once, b failing"
fi
code=0
"$MERGE_SHARDS" --json "$tmp/merged.json" --junit "$tmp/merged.xml" "$s2_dir" "$s1_dir" \
	>"$tmp/out" 2>&1 || code=$?
if [ "$code" = 1 ] && [ "$(tail -n 1 "$tmp/out")" = "3 passed, 1 failed" ] &&
	[ "$(grep -c '<testsuite name="boot-' "$tmp/merged.xml")" = 3 ] &&
	grep -q '"name": "b-fail", "result": "fail"' "$tmp/merged.json"; then
	result OK "shards-of-a-fake-run-merge"
else
	result FAIL "shards-of-a-fake-run-merge" "exit $code: $(cat "$tmp/out")"
fi
JOBS=1 SHARD=4/4 fake_run "pass" --tests '*'
if [ "$code" = 0 ] && [ ! -s "$tmp/plan.played" ] && grep -q 'shard 4/4 has no boot group' "$tmp/out" &&
	grep -q '"shard": "4/4"' "$tmp/fake/runs/latest/results.json"; then
	result OK "shard-without-a-group-passes"
else
	result FAIL "shard-without-a-group-passes" "exit $code, boots played: $(cat "$tmp/plan.played" 2>/dev/null):
$(tail -n 5 "$tmp/out")"
fi
# a shard whose QEMU does not start records its 125 for merge-shards
printf '%s\n' "fake 10 default main" >"$tmp/fake-manifest"
SHARD=1/1 fake_run "nostart"
if [ "$code" = 125 ] && grep -q '"exit_code": 125, .*"shard": "1/1"' "$tmp/fake/runs/latest/results.json"; then
	result OK "shard-untestable-recorded"
else
	result FAIL "shard-untestable-recorded" "exit $code: $(cat "$tmp/fake/runs/latest/results.json" 2>&1)"
fi
for bad in 0/2 3/2 x 1/0 1/2/3 1/; do
	SHARD=$bad fake_run "pass" --tests '*'
	if [ "$code" = 2 ] && grep -q "^SHARD=$bad: .*want i/N" "$tmp/out" && [ ! -s "$tmp/plan.played" ]; then
		result OK "shard-rejects '$bad'"
	else
		result FAIL "shard-rejects '$bad'" "exit $code, want 2: $(tail -n 3 "$tmp/out")"
	fi
done
code=0
make -s -C "$top" help SHARD=0/2 >"$tmp/out" 2>&1 || code=$?
if [ "$code" != 0 ] && grep -q "SHARD='0/2' is not i/N" "$tmp/out"; then
	result OK "make-rejects-bad-shard-before-building"
else
	result FAIL "make-rejects-bad-shard-before-building" "exit $code: $(cat "$tmp/out")"
fi

# merge-shards on recorded shards (shard-fixtures/: the fake run's three
# groups as SHARD=1/3..3/3, some with another exit code or another place):
# the worst code wins; a shard given twice, missing, or of another N is
# refused (125: no verdict).
merge_case() {	# merge_case NAME WANT_CODE WANT_LAST_LINE DIR...
	_name=$1 _want=$2 _line=$3
	shift 3
	code=0
	(cd "$here/shard-fixtures" && "$MERGE_SHARDS" --json "$tmp/m.json" --junit "$tmp/m.xml" "$@") \
		>"$tmp/out" 2>&1 || code=$?
	if [ "$code" = "$_want" ] && [ "$(tail -n 1 "$tmp/out")" = "$_line" ]; then
		result OK "$_name"
	else
		result FAIL "$_name" "exit $code (want $_want), last line want '$_line':
$(cat "$tmp/out")"
	fi
}
merge_case merge-three-shards 1 "3 passed, 1 failed" 3-of-3 1-of-3 2-of-3
grep -q '"shards": 3' "$tmp/m.json" && [ "$(grep -c '<testsuite name="boot-' "$tmp/m.xml")" = 3 ] ||
	result FAIL "merge-three-shards-files" "merged JSON/JUnit lack a shard: $(cat "$tmp/m.json")"
merge_case merge-worst-code-wins-timeout 2 "3 passed, 1 failed" 1-of-3 2-of-3-timeout 3-of-3
merge_case merge-worst-code-wins-untestable 125 "2 passed, 1 failed" \
	1-of-3-untestable 2-of-3-timeout 3-of-3-crash
merge_case merge-refuses-a-shard-twice 125 \
	"merge-shards: error: 1-of-3 and 1-of-3-again are both shard 1/3" 1-of-3 1-of-3-again 3-of-3
merge_case merge-refuses-a-missing-shard 125 \
	"merge-shards: error: shard(s) 2/3 missing: give the run directories of all 3 shards" 1-of-3 3-of-3
merge_case merge-refuses-shards-of-different-n 125 \
	"merge-shards: error: 1-of-3 is shard 1/3, 2-of-4 shard 2/4: shards of different N" \
	1-of-3 2-of-4 3-of-3

# A failed test's trace (the "# ftrace:" lines /init writes under it) goes to
# ftrace-<test>.txt in the run directory, which its failure names; a test
# that passed writes none, and no trace line reaches the live output.
printf '%s\n' "fake 10 default main" "fake-fail 10 default main" >"$tmp/fake-manifest"
fake_run "pass" --tests 'fake*'
rd=$tmp/fake/runs/latest
if [ "$code" = 1 ] && [ "$(sed -n 1p "$rd/ftrace-fake-fail.txt" 2>/dev/null)" = "# tracer: nop" ] &&
	grep -q '^ *fake-fail-42 .* mm_migrate_copy_batch: reason=' "$rd/ftrace-fake-fail.txt" &&
	grep -q 'FAIL fake-fail: exit status 1; ftrace: ftrace-fake-fail.txt' "$tmp/out" &&
	grep -q '"ftrace": "ftrace-fake-fail.txt"' "$rd/results.json" &&
	[ "$(find "$rd/" -maxdepth 1 -name 'ftrace-*' | wc -l)" = 1 ] && ! grep -q 'ftrace: #\|mm_migrate_copy_batch' "$tmp/out" &&
	! grep -q mm_migrate_copy_batch "$rd/junit.xml"; then
	result OK "failed-test-trace-in-its-file"
else
	result FAIL "failed-test-trace-in-its-file" "exit $code, run dir: $(ls "$rd"):
$(tail -n 8 "$tmp/out")"
fi

echo "fake 10 default main" >"$tmp/fake-manifest"
code=0
BUILD=$tmp/nomatch "$top/tests/run-guest.sh" --tests no-such-test >"$tmp/out" 2>&1 || code=$?
if [ "$code" = 125 ]; then
	result OK "selection-matching-nothing-is-untestable"
else
	result FAIL "selection-matching-nothing-is-untestable" "exit $code, want 125"
fi

# 3d. KCONFIG: a missing fragment or a line merge_config.sh would ignore is
# refused; the default object tree keeps its key (a new key rebuilds every
# developer's kernel from scratch) and a fragment gets its own; then the
# background configure runs of section 0.
code=0
KCONFIG=$tmp/kc/none "$top/kernel-patches/build-kernel.sh" print-kbuild >"$tmp/out" 2>&1 || code=$?
mcode=0
make -s -C "$top" help KCONFIG="$tmp/kc/none" >>"$tmp/out" 2>&1 || mcode=$?
if [ "$code" = 1 ] && [ "$mcode" != 0 ] &&
	[ "$(grep -c "KCONFIG=$tmp/kc/none: no such readable file" "$tmp/out")" = 2 ]; then
	result OK "kconfig-missing-file-refused"
else
	result FAIL "kconfig-missing-file-refused" "exit $code, make exit $mcode: $(cat "$tmp/out")"
fi
printf 'CONFIG_MAGIC_SYSRQ = y\n' >"$tmp/kc/typo.config"
code=0
CACHE=$tmp/kc/typo KSRC='' KCONFIG=$tmp/kc/typo.config "$top/kernel-patches/build-kernel.sh" configure \
	>"$tmp/out" 2>&1 || code=$?
if [ "$code" = 1 ] && grep -q "not a config fragment line" "$tmp/out" &&
	grep -q "^1:CONFIG_MAGIC_SYSRQ = y" "$tmp/out"; then
	result OK "kconfig-bad-line-refused"
else
	result FAIL "kconfig-bad-line-refused" "exit $code: $(cat "$tmp/out")"
fi
default_tree=$(CACHE=/c KCONFIG='' "$top/kernel-patches/build-kernel.sh" print-kbuild)
user_tree=$(CACHE=/c KCONFIG=$tmp/kc/typo.config "$top/kernel-patches/build-kernel.sh" print-kbuild)
if [ "$default_tree" = /c/kernel/obj-default-6a69311a052b ] &&
	[ "${user_tree#/c/kernel/obj-default-kconfig-}" != "$user_tree" ]; then
	result OK "kconfig-own-tree-default-unchanged"
else
	result FAIL "kconfig-own-tree-default-unchanged" "default tree $default_tree, with KCONFIG $user_tree"
fi
if [ -n "${kc_pid:-}" ]; then
	wait "$kc_pid" || true
	kobj=$(CACHE=$tmp/kc/cache KSRC=$KSRC_DIR KCONFIG=$tmp/kc/user.config \
		"$top/kernel-patches/build-kernel.sh" print-kbuild)
	if [ "$(cat "$tmp/kc/lost.code")" = 1 ] &&
		grep -q "did not survive olddefconfig" "$tmp/kc/lost.out" &&
		grep -q "^  CONFIG_LAB_DOES_NOT_EXIST=y (got: unset; from $tmp/kc/user.config)" "$tmp/kc/lost.out" &&
		! grep -q "CONFIG_MAGIC_SYSRQ" "$tmp/kc/lost.out"; then
		result OK "kconfig-lost-symbol-fails-the-check"
	else
		result FAIL "kconfig-lost-symbol-fails-the-check" "exit $(cat "$tmp/kc/lost.code"): $(cat "$tmp/kc/lost.out")"
	fi
	if [ "$(cat "$tmp/kc/good.code")" = 0 ] && grep -qx CONFIG_MAGIC_SYSRQ=y "$kobj/.config" &&
		grep -qx "# CONFIG_PRINTK_TIME is not set" "$kobj/.config" &&
		grep -q "configured and verified" "$tmp/kc/good.out" && [ ! -e "$kobj/vmlinux" ]; then
		result OK "kconfig-fragment-merged-and-verified"
	else
		result FAIL "kconfig-fragment-merged-and-verified" "exit $(cat "$tmp/kc/good.code"): $(cat "$tmp/kc/good.out")"
	fi
else
	result FAIL "kconfig-lost-symbol-fails-the-check" "no kernel source tree at '${KSRC_DIR:-}' (make kernel)"
fi

# 3e. A host directory in the guest (SHARE=): tests/host/share-tests.sh.
. "$here/share-tests.sh"

# 4. Our QEMU's device tests (qtest), when our QEMU is built.
if [ -x "$top/qemu/qtest.sh" ] && [ -s "${QEMU_BIN_FILE:-/nonexistent}" ]; then
	code=0
	"$top/qemu/qtest.sh" "$(dirname "$(cat "$QEMU_BIN_FILE")")" \
		>"$tmp/out" 2>&1 || code=$?
	if [ "$code" = 0 ]; then
		result OK "qemu-qtests"
	else
		result FAIL "qemu-qtests" "$(tail -n 30 "$tmp/out")"
	fi
	grep -E '^(ok|not ok) ' "$tmp/out" | ktap_nest || true
fi

ktap_plan_last "$ktap_n"
echo "host: $passed passed, $failed failed"
[ "$failed" = 0 ]
