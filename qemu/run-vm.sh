#!/bin/sh
# Boot the guest in QEMU: q35, NUMA nodes with their own memory backends,
# TCG by default, serial console on ttyS0 and the result channel on ttyS1.
#
# Usage: qemu/run-vm.sh --kernel FILE --initrd FILE --run-dir DIR [options]
#   --append ARGS        extra kernel command line
#   --qemu BIN           QEMU binary (default: qemu-system-x86_64 from PATH)
#   --cpus N             vCPUs (default 3)
#   --nodes N            NUMA nodes (default 2)
#   --mem SIZE           memory per node, QEMU size syntax (default 1G)
#   --cpuless-last       the last node gets memory but no CPUs (a "slow tier")
#   --hmat               ACPI HMAT (-machine hmat=on): local 100 ns / 20 GB/s,
#                        remote 150 ns / 10 GB/s, a CPU-less node 300 ns / 5 GB/s,
#                        so Linux puts CPU-less nodes in a lower memory tier
#   --dsa[=PROPS]        add an emulated intel-dsa device (needs our QEMU)
#   --dsa-count N        N emulated intel-dsa devices (1..4, default 1 or
#                        $DSA_COUNT), each with --dsa's properties: like the 4
#                        DSA instances of one Sapphire Rapids socket, for more
#                        engines and channels than one device's 4; needs --dsa
#   --timing NAME        timed mode: the guest under -icount (shift=0,
#                        sleep=off), the emulated DSA with timing=on and the
#                        named parameter set (spr: Sapphire Rapids,
#                        spr-dilated: its times x6.45, calibrated); needs
#                        --dsa and --accel tcg (qemu/README.md, "Timed mode")
#   --iommu              an Intel VT-d IOMMU (intel-iommu, DMA remapping) in
#                        front of the PCI devices; the guest needs intel_iommu=on
#   --vfio BDF           pass the host's DSA at BDF (bound to vfio-pci) through
#                        instead of emulating one; needs --accel kvm and
#                        --iommu (qemu/README.md, "Real hardware")
#   --gdb PORT           gdbstub on 127.0.0.1:PORT, the guest stopped until
#                        gdb continues it (make gdb attaches)
#   --accel A            tcg (single-threaded, default) | tcg-mt | kvm | auto
#   --timeout SEC        kill QEMU after SEC seconds (exit 124)
#   --watchdog SEC       kill QEMU when the guest has written nothing to its
#                        result channel (ttyS1) after SEC seconds (exit 121):
#                        a boot that hangs before /init runs anything
#   --share HOSTDIR      HOSTDIR in the guest with virtio-fs (tag "host",
#                        lab.share=1: /init mounts it at /host), served by
#                        virtiofsd ($VIRTIOFSD, default Debian's
#                        /usr/lib/qemu/virtiofsd) while QEMU runs, its log in
#                        DIR/virtiofsd.log; the guest's RAM becomes shared
#                        memfd memory (vhost-user needs it); not with --timing
#   --interactive        console on this terminal (monitor on Ctrl-a c)
#   --dry-run            print the command line only
# Writes DIR/serial.log (console), DIR/results.ktap (ttyS1), DIR/reproduce.sh,
# DIR/qemu.stderr and DIR/guest-errors.log (QEMU's -d guest_errors: what a
# device model says about a guest programming it wrongly).
# Exit status: QEMU's, 124 when the timeout killed it, 121 the watchdog.
set -eu

usage() { sed -n '5,48s/^# \{0,1\}//p' "$0" >&2; exit 2; }
die() { echo "run-vm: error: $*" >&2; exit 2; }

kernel="" initrd="" append="" qemu=qemu-system-x86_64 cpus=3 nodes=2 mem=1G
cpuless_last=0 hmat=0 dsa="" dsa_count=${DSA_COUNT:-1} timing="" iommu=0 vfio="" gdb="" accel=tcg timeout=0 watchdog=0 interactive=0 dry=0 rundir=""
share_dir="" virtiofsd=${VIRTIOFSD:-/usr/lib/qemu/virtiofsd}
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=${2:?}; shift ;;
	--initrd) initrd=${2:?}; shift ;;
	--run-dir) rundir=${2:?}; shift ;;
	--append) append=${2-}; shift ;;
	--qemu) qemu=${2:?}; shift ;;
	--cpus) cpus=${2:?}; shift ;;
	--nodes) nodes=${2:?}; shift ;;
	--mem) mem=${2:?}; shift ;;
	--cpuless-last) cpuless_last=1 ;;
	--hmat) hmat=1 ;;
	--dsa) dsa=on ;;
	--dsa=*) dsa=${1#--dsa=} ;;
	--dsa-count) dsa_count=${2?}; shift ;;
	--timing) timing=${2?}; shift ;;
	--iommu) iommu=1 ;;
	--vfio) vfio=${2:?}; shift ;;
	--gdb) gdb=${2:?}; shift ;;
	--accel) accel=${2:?}; shift ;;
	--timeout) timeout=${2:?}; shift ;;
	--watchdog) watchdog=${2:?}; shift ;;
	--share) share_dir=${2?}; [ -n "$share_dir" ] || die "--share needs a directory"; shift ;;
	--interactive) interactive=1 ;;
	--dry-run) dry=1 ;;
	-h | --help) usage ;;
	*) die "unknown option '$1' (try --help)" ;;
	esac
	shift
done

is_uint() { case "$1" in '' | *[!0-9]*) return 1 ;; esac; }
[ -n "$kernel" ] && [ -f "$kernel" ] || die "--kernel FILE is required and must exist (got '$kernel')"
[ -n "$initrd" ] && [ -f "$initrd" ] || die "--initrd FILE is required and must exist (got '$initrd')"
[ -n "$rundir" ] || die "--run-dir DIR is required"
is_uint "$cpus" && [ "$cpus" -ge 1 ] && [ "$cpus" -le 8 ] || die "--cpus must be 1..8 (kernel NR_CPUS=8), got '$cpus'"
is_uint "$nodes" && [ "$nodes" -ge 1 ] && [ "$nodes" -le 4 ] || die "--nodes must be 1..4, got '$nodes'"
is_uint "$timeout" || die "--timeout must be whole seconds, got '$timeout'"
is_uint "$watchdog" || die "--watchdog must be whole seconds, got '$watchdog'"
case "$mem" in
[1-9]*[MG] | [1-9]*[0-9]) ;;
*) die "--mem must be a size such as 512M or 1G, got '$mem'" ;;
esac
cpu_nodes=$nodes
[ "$cpuless_last" = 1 ] && cpu_nodes=$((nodes - 1))
[ "$cpu_nodes" -ge 1 ] || die "--cpuless-last needs at least 2 nodes"
[ "$cpus" -ge "$cpu_nodes" ] || die "--cpus $cpus is fewer than the $cpu_nodes nodes that need a CPU"
if [ -n "$gdb" ]; then
	is_uint "$gdb" && [ "$gdb" -ge 1 ] && [ "$gdb" -le 65535 ] ||
		die "--gdb must be a TCP port 1..65535, got '$gdb'"
	[ "$interactive" = 1 ] || [ "$timeout" = 0 ] || [ "$dry" = 1 ] ||
		echo "run-vm: note: --timeout $timeout also runs while the guest waits for gdb" >&2
fi
if [ -n "$vfio" ]; then
	# Domain optional, as lspci prints it: [DDDD:]BB:DD.F
	echo "$vfio" | grep -Eqx '([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[01][0-9a-fA-F]\.[0-7]' ||
		die "--vfio needs a PCI address such as 0000:6a:01.0, got '$vfio'"
	case "$vfio" in ????:*) ;; *) vfio=0000:$vfio ;; esac
	[ -z "$dsa" ] || die "--vfio and --dsa both add a DSA: choose one"
	[ "$accel" = kvm ] || die "--vfio needs --accel kvm (a real device's portals take the host's MOVDIR64B)"
	[ "$iommu" = 1 ] || die "--vfio needs --iommu (the guest's idxd maps DMA through the vIOMMU, as on the host)"
	if [ "$dry" = 0 ]; then
		[ -e "/sys/bus/pci/devices/$vfio" ] || die "--vfio $vfio: no such PCI device on this host"
		drv=$(basename "$(readlink "/sys/bus/pci/devices/$vfio/driver" 2>/dev/null)" 2>/dev/null || true)
		[ "$drv" = vfio-pci ] ||
			die "--vfio $vfio is bound to '${drv:-no driver}', not vfio-pci (qemu/README.md, \"Real hardware\")"
	fi
fi
case "$dsa_count" in
1 | 2 | 3 | 4) ;;
*) die "--dsa-count (DSA_COUNT) must be 1..4 (emulated DSA devices; a Sapphire Rapids socket has 4), got '$dsa_count'" ;;
esac
[ "$dsa_count" = 1 ] || [ -n "$dsa" ] || die "--dsa-count $dsa_count needs --dsa (it adds emulated DSA devices)"
# Timed mode: a parameter set of the device's timing model, by name.  The
# device's defaults are the Sapphire Rapids ones; other sets override them.
timing_props=""
if [ -n "$timing" ]; then
	case "$timing" in
	spr) timing_props="timing=on" ;;
	# spr with every device time x6.45: the guest's CPU is that much slower
	# than silicon, calibrated on the RFC v4 1-channel 2 MiB ratio
	# (qemu/README.md, "Calibration")
	spr-dilated) timing_props="timing=on,timing-submit-ns=1935,timing-desc-ns=645"
		timing_props="$timing_props,timing-batch-ns=2580,timing-completion-ns=1290"
		timing_props="$timing_props,timing-irq-ns=6450,timing-fault-ns=12900,timing-engine-mbps=1163" ;;
	*) die "--timing must be spr (Sapphire Rapids DSA 1.0) or spr-dilated (its times x6.45), got '$timing'" ;;
	esac
	[ -n "$dsa" ] || die "--timing needs --dsa (it times the emulated DSA)"
	[ "$accel" = tcg ] || die "--timing needs --accel tcg (-icount runs single-threaded TCG only), got '$accel'"
	[ -z "$gdb" ] || die "--timing and --gdb: a debugger stop would be virtual time too; choose one"
fi
# A shared directory: virtiofsd serves it over vhost-user, whose requests
# complete in host time, not the instruction count's.
if [ -n "$share_dir" ]; then
	[ -e "$share_dir" ] || die "--share $share_dir: no such directory"
	[ -d "$share_dir" ] || die "--share $share_dir: not a directory"
	share_dir=$(cd "$share_dir" && pwd)
	case "$share_dir" in
	*,*) die "--share $share_dir: a path with a comma cannot be passed to virtiofsd's -o source=" ;;
	esac
	[ -z "$timing" ] || die "--share and --timing: virtiofsd answers the guest in host time, so a timed run would no longer be deterministic; choose one"
	[ -x "$virtiofsd" ] ||
		die "--share needs virtiofsd, not found at '$virtiofsd' (Debian's qemu-system-common: run 'make deps'; or set VIRTIOFSD)"
fi
command -v "$qemu" >/dev/null 2>&1 || die "QEMU binary '$qemu' not found (run 'make deps' or 'make qemu')"

case "$accel" in
tcg) accel_opt="-accel tcg,thread=single" ;;
tcg-mt) accel_opt="-accel tcg,thread=multi" ;;
kvm) accel_opt="-accel kvm" ;;
auto)
	# KVM only when nothing needs TCG and a probe boot proved it works.
	accel_opt="-accel tcg,thread=single"
	if [ -z "$dsa" ] && [ -w /dev/kvm ]; then
		probe=$rundir/kvm-probe
		mkdir -p "$probe"
		if timeout 60 "$qemu" -M q35 -accel kvm -cpu host -m 256M -smp 1 \
			-nographic -no-reboot -nic none -kernel "$kernel" \
			-initrd "$initrd" -append "console=ttyS0 panic=-1 lab.tests=lab-none" \
			-serial file:"$probe/serial.log" -monitor none -display none \
			</dev/null >/dev/null 2>&1 &&
			grep -q '# lab: done' "$probe/serial.log"; then
			accel_opt="-accel kvm"
		fi
		echo ">> run-vm: accel auto: ${accel_opt#-accel }" >&2
	fi
	;;
*) die "--accel must be tcg, tcg-mt, kvm or auto, got '$accel'" ;;
esac
case "$accel_opt" in
*kvm*) cpu_opt="-cpu host" ;;
*) cpu_opt="-cpu max" ;;
esac

# Memory: one RAM backend per node. Each vCPU is a socket of its own, so no
# cache is shared across nodes (the kernel warns about an LLC spanning nodes).
# CPUs: spread over the nodes that get
# CPUs, contiguous ranges, the first nodes taking the remainder.
numa_opts=""
n=0 first=0
while [ "$n" -lt "$nodes" ]; do
	# vhost-user (--share): virtiofsd maps the guest's RAM, which must
	# be shared memory it can map.
	if [ -n "$share_dir" ]; then
		numa_opts="$numa_opts -object memory-backend-memfd,id=mem$n,size=$mem,share=on"
	else
		numa_opts="$numa_opts -object memory-backend-ram,id=mem$n,size=$mem"
	fi
	if [ "$n" -lt "$cpu_nodes" ]; then
		share=$((cpus / cpu_nodes))
		[ "$n" -lt $((cpus % cpu_nodes)) ] && share=$((share + 1))
		last=$((first + share - 1))
		numa_opts="$numa_opts -numa node,nodeid=$n,memdev=mem$n,cpus=$first-$last"
		first=$((last + 1))
	elif [ "$hmat" = 1 ]; then
		numa_opts="$numa_opts -numa node,nodeid=$n,memdev=mem$n,initiator=0"
	else
		numa_opts="$numa_opts -numa node,nodeid=$n,memdev=mem$n"
	fi
	n=$((n + 1))
done
machine=q35
if [ "$hmat" = 1 ]; then
	machine=q35,hmat=on
	i=0
	while [ "$i" -lt "$cpu_nodes" ]; do
		t=0
		while [ "$t" -lt "$nodes" ]; do
			if [ "$t" -ge "$cpu_nodes" ]; then lat=300 bw=5G
			elif [ "$t" = "$i" ]; then lat=100 bw=20G
			else lat=150 bw=10G
			fi
			lb="-numa hmat-lb,initiator=$i,target=$t,hierarchy=memory"
			numa_opts="$numa_opts $lb,data-type=access-latency,latency=$lat"
			numa_opts="$numa_opts $lb,data-type=access-bandwidth,bandwidth=$bw"
			t=$((t + 1))
		done
		i=$((i + 1))
	done
fi
case "$mem" in
*G) total="$(( ${mem%G} * nodes ))G" ;;
*M) total="$(( ${mem%M} * nodes ))M" ;;
*) total=$((mem * nodes)) ;;
esac

dev_opts=""
# The IOMMU must come before the devices it translates for.
# caching-mode: QEMU's VT-d tells the guest to flush its IOTLB on every map
# (not only unmap), which the VFIO path needs to shadow the guest's tables.
if [ "$iommu" = 1 ]; then
	if [ -n "$vfio" ]; then
		dev_opts="-device intel-iommu,caching-mode=on"
	else
		dev_opts="-device intel-iommu"
	fi
fi
# vfio-pci.disable_denylist=1 on the host: Linux's vfio-pci denies DSA.
[ -z "$vfio" ] || dev_opts="$dev_opts -device vfio-pci,host=$vfio"
if [ -n "$dsa" ]; then
	# The guest tests inject faults and pause engines through the
	# emulator-only debug page, off unless asked for.  A timing set comes
	# before --dsa's properties, which override it.
	[ "$dsa" != on ] || dsa=""
	i=0
	while [ "$i" -lt "$dsa_count" ]; do
		dev_opts="$dev_opts -device intel-dsa,x-debug-page=on${timing_props:+,$timing_props}${dsa:+,$dsa}"
		i=$((i + 1))
	done
fi
# The shared directory: vhost-user-fs talks to virtiofsd on a Unix socket in
# a directory of its own under /tmp (a socket path has at most 107 bytes,
# and QEMU's -chardev would need a comma in it doubled), gone with the boot.
vfs_pid="" vfs_dir=""
if [ -n "$share_dir" ]; then
	if [ "$dry" = 1 ]; then
		vfs_dir=/tmp/run-vm-share.XXXXXX
	else
		vfs_dir=$(mktemp -d /tmp/run-vm-share.XXXXXX)
		trap 'share_stop' EXIT
		trap 'exit 129' HUP
		trap 'exit 130' INT
		trap 'exit 143' TERM
	fi
	dev_opts="$dev_opts -chardev socket,id=share0,path=$vfs_dir/virtiofsd.sock"
	dev_opts="$dev_opts -device vhost-user-fs-pci,chardev=share0,tag=host"
fi
# virtiofsd: chroot(2) into the directory, which works in containers too (its
# default, namespaces, needs more than root in some); cache=auto: file data
# stays in the guest's page cache while the host's mtime is unchanged, and
# the guest sees a host change at its next open after at most a second.
vfs_opts="-o sandbox=chroot -o cache=auto"
# Ends virtiofsd (and QEMU, when this script is stopped while it runs) on
# every way out once it has started.
share_stop() {
	[ -z "${qpid:-}" ] || kill "$qpid" 2>/dev/null || true
	if [ -n "$vfs_pid" ]; then
		kill "$vfs_pid" 2>/dev/null || true
		_i=0
		while [ "$_i" -lt 50 ] && ! vfs_gone; do
			sleep 0.1
			_i=$((_i + 1))
		done
		kill -KILL "$vfs_pid" 2>/dev/null || true
		wait "$vfs_pid" 2>/dev/null || true
		vfs_pid=""
	fi
	[ -z "$vfs_dir" ] || rm -rf "$vfs_dir"
}
# virtiofsd has exited (a zombie, not yet waited for, counts).
vfs_gone() {
	[ ! -r "/proc/$vfs_pid/stat" ] || grep -q '^[0-9]* ([^)]*) Z' "/proc/$vfs_pid/stat" 2>/dev/null
}
# Starts virtiofsd and waits for its socket. --pdeathsig: it ends with this
# script even when the script is killed with SIGKILL.
share_start() {
	setpriv --pdeathsig TERM "$virtiofsd" --socket-path="$vfs_dir/virtiofsd.sock" \
		-o source="$share_dir" $vfs_opts </dev/null >"$rundir/virtiofsd.log" 2>&1 &
	vfs_pid=$!
	_i=0
	while [ ! -S "$vfs_dir/virtiofsd.sock" ]; do
		if vfs_gone; then
			die "virtiofsd for --share $share_dir exited: $(tail -n 5 "$rundir/virtiofsd.log")"
		fi
		[ "$_i" -lt 100 ] || die "virtiofsd for --share $share_dir made no socket in 10s ($rundir/virtiofsd.log)"
		sleep 0.1
		_i=$((_i + 1))
	done
}

# Timed mode: virtual time is the instruction count, 2^0 = 1 ns each
# (shift=0, a 1 GIPS guest, the fastest fixed rate), and an idle guest skips
# to the next timer instead of sleeping (sleep=off), so nothing the guest
# sees depends on the host; the RTC and the guest's RNG seed are fixed too.
timing_opts=""
[ -z "$timing" ] || timing_opts="-icount shift=0,sleep=off -rtc base=2025-01-01T00:00:00,clock=vm -seed 1"

# Firmware comes from Debian's packages; our own QEMU build has no blobs.
fw_opts="-L /usr/share/qemu -L /usr/share/seabios"
cmdline="console=ttyS0,115200 panic=-1 oops=panic softlockup_panic=1 hung_task_panic=1 $append"
[ -z "$share_dir" ] || cmdline="$cmdline lab.share=1"

mkdir -p "$rundir"
if [ "$interactive" = 1 ]; then
	serial_opts="-serial mon:stdio -serial file:$rundir/results.ktap"
else
	serial_opts="-serial file:$rundir/serial.log -serial file:$rundir/results.ktap"
fi
# shellcheck disable=SC2086
set -- "$qemu" -M "$machine" $accel_opt $cpu_opt -smp "$cpus,sockets=$cpus,cores=1,threads=1" -m "$total" $numa_opts \
	$dev_opts $timing_opts $fw_opts -nic none -display none -monitor none -no-reboot \
	$serial_opts -d guest_errors -D "$rundir/guest-errors.log" \
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
[ "$interactive" = 1 ] && set -- "$@" -nographic
[ -z "$gdb" ] || set -- "$@" -gdb "tcp:127.0.0.1:$gdb" -S

quote() {
	for a in "$@"; do
		printf "'%s' " "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"
	done
}
{
	echo "#!/bin/sh"
	echo "# Re-run this boot (serial console on this terminal)."
	if [ -n "$share_dir" ]; then
		echo "# The shared directory: virtiofsd on a socket of its own, ended with QEMU."
		echo "vfs_dir=\$(mktemp -d /tmp/run-vm-share.XXXXXX) || exit 1"
		printf '%s--socket-path="$vfs_dir/virtiofsd.sock" %s%s </dev/null &\n' \
			"$(quote setpriv --pdeathsig TERM "$virtiofsd")" "$(quote -o "source=$share_dir")" "$vfs_opts"
		echo "trap 'kill \$! 2>/dev/null; rm -rf \"\$vfs_dir\"' EXIT"
		echo "while [ ! -S \"\$vfs_dir/virtiofsd.sock\" ]; do sleep 0.1; done"
	fi
	quote "$@" | sed -e "s|-serial' 'file:$rundir/serial.log'|-serial' 'mon:stdio'|" \
		-e "s|'-display' 'none' '-monitor' 'none'|'-nographic'|" \
		-e "s|path=$vfs_dir/virtiofsd.sock'|path='\"\$vfs_dir\"'/virtiofsd.sock'|"
	echo
} >"$rundir/reproduce.sh"
chmod +x "$rundir/reproduce.sh"
if [ "$dry" = 1 ]; then
	cat "$rundir/reproduce.sh"
	exit 0
fi

: >"$rundir/results.ktap"
[ -z "$share_dir" ] || share_start
if [ "$interactive" = 1 ]; then
	[ "$timeout" -gt 0 ] && die "--timeout makes no sense with --interactive"
	[ -n "$share_dir" ] || exec "$@"
	# virtiofsd is ended when QEMU is (the EXIT trap)
	rc=0
	"$@" || rc=$?
	exit "$rc"
fi
rc=0
rm -f "$rundir/watchdog-fired"
# timeout 0: no time limit.
timeout -k 10 "$timeout" "$@" </dev/null 2>"$rundir/qemu.stderr" &
qpid=$!
wdpid=""
if [ "$watchdog" -gt 0 ]; then
	(
		s=0
		while [ "$s" -lt "$watchdog" ]; do
			sleep 1
			[ ! -s "$rundir/results.ktap" ] || exit 0
			kill -0 "$qpid" 2>/dev/null || exit 0
			s=$((s + 1))
		done
		: >"$rundir/watchdog-fired"
		kill -TERM "$qpid"
	) &
	wdpid=$!
fi
wait "$qpid" || rc=$?
qpid=""
if [ -n "$wdpid" ]; then
	kill "$wdpid" 2>/dev/null || true
	wait "$wdpid" 2>/dev/null || true
fi
if [ -f "$rundir/watchdog-fired" ]; then
	echo "run-vm: the guest wrote nothing to its result channel in ${watchdog}s: killed (--watchdog)" >&2
	rc=121
fi
# Kept per boot; shown too, as before, when QEMU had something to say.
if [ -s "$rundir/qemu.stderr" ]; then
	echo "run-vm: QEMU's stderr ($rundir/qemu.stderr):" >&2
	tail -n 20 "$rundir/qemu.stderr" >&2
fi
exit "$rc"
