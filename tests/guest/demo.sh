#!/bin/sh
# demo - what `make run` shows before its shell: the (emulated) DSA found
# by idxd, a work queue configured with accel-config, dsa_migrate
# registered as the kernel's copy-offload provider, then 16 MiB of 4 KiB
# pages and 16 MiB of THPs
# moved node0 -> node1 -> node0 by move_pages(2), first with the CPU
# copying and then with the DSA, every byte checked, the time of each move
# and the provider's counters shown.  Any step that does not happen fails
# it: the CPU round must offload nothing, the DSA round must have the
# engine copy at least 90 % of the bytes migrated, with nothing fallen
# back and no descriptor error.
#
# lab:test timeout=300 set=default boot=demo
set -u

echo "KTAP version 1"
echo "1..7"
n=0 failed=0
result() { # result OK NAME: OK is a shell status (0 = pass)
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=1
	fi
}
abort() {
	echo "# ERROR: $1"
	while [ "$n" -lt 7 ]; do result 1 aborted; done
	exit 1
}
stat() { cat "/sys/module/dsa_migrate/stats/$1"; }
vmstat() { sed -n "s/^$1 //p" /proc/vmstat; }

echo "# kernel $(uname -r), $(nproc) CPUs"
for node in /sys/devices/system/node/node[0-9]*; do
	echo "# ${node##*/}: cpus $(cat "$node/cpulist"), $(sed -n 's/.*MemTotal: *//p' "$node/meminfo")"
done

# 1. The DSA: a PCI function of Intel's DSA IDs that idxd drives.
modprobe idxd 2>/dev/null
dsa=""
for f in /sys/bus/pci/devices/*; do
	[ "$(cat "$f/vendor")" = 0x8086 ] || continue
	case "$(cat "$f/device")" in 0x0b25 | 0x11fb) dsa=$f ;; *) continue ;; esac
	drv=$(basename "$(readlink "$f/driver" 2>/dev/null)" 2>/dev/null)
	echo "# DSA ${f##*/} ($(cat "$f/vendor"):$(cat "$f/device")) driven by ${drv:-nothing}"
	[ "$drv" = idxd ] || dsa=""
done
[ -n "$dsa" ] && [ -d /sys/bus/dsa/devices/dsa0 ] || abort "no DSA driven by idxd: boot with DSA=1"
echo "# dsa0: version $(cat /sys/bus/dsa/devices/dsa0/version 2>/dev/null), $(ls -d /sys/bus/dsa/devices/engine0.* | wc -l) engines, $(ls -d /sys/bus/dsa/devices/wq0.* | wc -l) work queues"
result 0 dsa_found_by_idxd

# 2. A dedicated kernel work queue, exposed as a dmaengine channel,
# configured as DSA users do: accel-config and a configuration file.
conf=/etc/accel-config/dsa0-offload.conf
echo "# accel-config load-config -c $conf -e"
accel-config load-config -c "$conf" -e 2>&1 | sed 's/^/#   /'
wq=/sys/bus/dsa/devices/wq0.0
[ "$(cat $wq/state)" = enabled ] && [ -n "$(ls /sys/class/dma)" ]
rc=$?
[ "$rc" = 0 ] && echo "# wq0.0: $(cat $wq/state), $(cat $wq/mode), $(cat $wq/size) descriptors, max transfer $(cat $wq/max_transfer_size) bytes"
result "$rc" wq_configured

# 3. The provider.
rc=0
modprobe dsa_migrate || rc=1
[ "$rc" = 0 ] && [ "$(cat /proc/sys/vm/migrate_copy_provider)" = dsa_migrate ] || rc=1
[ "$rc" = 0 ] && echo "# dsa_migrate: provider of vm.migrate_copy_provider, channels: $(cat /sys/module/dsa_migrate/channels | tr "\n" " "), min_batch_pages $(cat /sys/module/dsa_migrate/parameters/min_batch_pages)"
result "$rc" dsa_migrate_registered
[ "$rc" = 0 ] || abort "dsa_migrate did not register"

# 4-7. The moves: move-pages-4k and move-pages-thp check every byte and
# the status of every page themselves; here, who copied.
round() { # round cpu|dsa PROGRAM
	mig0=$(vmstat pgmigrate_success) b0=$(stat bytes_offloaded)
	f0=$(stat folios_offloaded) fb0=$(stat folios_fallback)
	e0=$(($(stat descriptor_errors) + $(stat verify_mismatches)))
	"/tests/bin/$2" >/tmp/demo.out 2>&1
	prc=$?
	grep -E '^# moved|^not ok' /tmp/demo.out | sed "s/^# /# $1: /"
	mig=$(($(vmstat pgmigrate_success) - mig0)) bytes=$(($(stat bytes_offloaded) - b0))
	fb=$(($(stat folios_fallback) - fb0))
	err=$(($(stat descriptor_errors) + $(stat verify_mismatches) - e0))
	echo "# $1: $2 exit $prc: $mig pages migrated ($((mig * 4 / 1024)) MiB), $(($(stat folios_offloaded) - f0)) folios / $((bytes >> 20)) MiB copied by the DSA, $fb fallen back, $err descriptor errors + verify mismatches"
	[ "$prc" = 0 ] && [ "$mig" -gt 0 ] && [ "$fb" = 0 ] && [ "$err" = 0 ] || return 1
	if [ "$1" = cpu ]; then
		[ "$bytes" = 0 ]
	else
		[ $((bytes / 4096 * 100)) -ge $((mig * 90)) ]
	fi
}
echo 0 >/sys/module/dsa_migrate/parameters/enable
[ "$(cat /proc/sys/vm/migrate_copy_provider)" != dsa_migrate ] || abort "dsa_migrate still registered with enable=0"
for p in move-pages-4k move-pages-thp; do
	round cpu "$p"
	result $? "cpu_copy_$p"
done
echo 1 >/sys/module/dsa_migrate/parameters/enable
for p in move-pages-4k move-pages-thp; do
	round dsa "$p"
	result $? "dsa_offload_$p"
done
echo "# dsa_migrate totals: $(stat batches_offloaded) batches, $(stat descriptors) descriptors, copy time $(($(stat copy_ns_total) / 1000000)) ms"
# Left registered: `make run`'s shell comes next.
exit "$failed"
