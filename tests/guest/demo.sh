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
. "$(dirname "$0")/sh-lib"

ktap_plan 7

echo "# kernel $(uname -r), $(nproc) CPUs"
for node in /sys/devices/system/node/node[0-9]*; do
	echo "# ${node##*/}: cpus $(cat "$node/cpulist"), $(sed -n 's/.*MemTotal: *//p' "$node/meminfo")"
done

# 1. The DSA: a PCI function of Intel's DSA IDs that idxd drives.
modprobe idxd 2>/dev/null
dsa=""
for f in $(dsa_pci_devices); do
	dsa=$f
	drv=$(basename "$(readlink "$f/driver" 2>/dev/null)" 2>/dev/null)
	echo "# DSA ${f##*/} ($(cat "$f/vendor"):$(cat "$f/device")) driven by ${drv:-nothing}"
	[ "$drv" = idxd ] || dsa=""
done
[ -n "$dsa" ] && [ -d /sys/bus/dsa/devices/dsa0 ] || ktap_abort "no DSA driven by idxd: boot with DSA=1"
echo "# dsa0: version $(cat /sys/bus/dsa/devices/dsa0/version 2>/dev/null), $(ls -d /sys/bus/dsa/devices/engine0.* | wc -l) engines, $(ls -d /sys/bus/dsa/devices/wq0.* | wc -l) work queues"
ktap_result 0 dsa_found_by_idxd

# 2. A dedicated kernel work queue, exposed as a dmaengine channel,
# configured as DSA users do: accel-config and a configuration file.
conf=/etc/accel-config/dsa0-offload.conf
echo "# accel-config load-config -c $conf -e"
accel-config load-config -c "$conf" -e 2>&1 | sed 's/^/#   /'
wq=/sys/bus/dsa/devices/wq0.0
[ "$(cat $wq/state)" = enabled ] && [ -n "$(ls /sys/class/dma)" ]
rc=$?
[ "$rc" = 0 ] && echo "# wq0.0: $(cat $wq/state), $(cat $wq/mode), $(cat $wq/size) descriptors, max transfer $(cat $wq/max_transfer_size) bytes"
ktap_result "$rc" wq_configured

# 3. The provider.
rc=0
modprobe dsa_migrate || rc=1
[ "$rc" = 0 ] && [ "$(cat /proc/sys/vm/migrate_copy_provider)" = dsa_migrate ] || rc=1
[ "$rc" = 0 ] && echo "# dsa_migrate: provider of vm.migrate_copy_provider, channels: $(cat /sys/module/dsa_migrate/channels | tr "\n" " "), min_batch_pages $(cat /sys/module/dsa_migrate/parameters/min_batch_pages)"
ktap_result "$rc" dsa_migrate_registered
[ "$rc" = 0 ] || ktap_abort "dsa_migrate did not register"

# 4-7. The moves: move-pages-4k and move-pages-thp check every byte and
# the node of every page themselves; dsam_round, who copied.
echo 0 >/sys/module/dsa_migrate/parameters/enable
[ "$(cat /proc/sys/vm/migrate_copy_provider)" != dsa_migrate ] || ktap_abort "dsa_migrate still registered with enable=0"
for p in move-pages-4k move-pages-thp; do
	dsam_round cpu "$p" cpu
	ktap_result $? "cpu_copy_$p"
done
echo 1 >/sys/module/dsa_migrate/parameters/enable
for p in move-pages-4k move-pages-thp; do
	dsam_round dsa "$p" dsa
	ktap_result $? "dsa_offload_$p"
done
echo "# dsa_migrate totals: $(dsam_stat batches_offloaded) batches, $(dsam_stat descriptors) descriptors, copy time $(($(dsam_stat copy_ns_total) / 1000000)) ms"
# Left registered: `make run`'s shell comes next.
ktap_finish
