#!/bin/sh
# demo - what `make run` shows: the guest's NUMA layout, then page
# migration between the nodes with every byte checked, and the kernel's
# migration counters before and after.
#
# lab:test timeout=300 set=extra
set -u

echo "KTAP version 1"
echo "1..2"
echo "# kernel $(uname -r), $(nproc) CPUs"
for n in /sys/devices/system/node/node[0-9]*; do
	echo "# $(basename "$n"): cpus $(cat "$n/cpulist") $(grep MemTotal "$n/meminfo" | sed 's/.*MemTotal: *//')"
done
vm() { grep -E "^(pgmigrate_success|pgmigrate_fail|$1)" /proc/vmstat | tr '\n' ' '; }
echo "# before: $(vm 'migrate_copy_[a-z_]*')"

i=0
fail=0
for t in move-pages-4k move-pages-thp; do
	i=$((i + 1))
	if "/tests/bin/$t" | sed 's/^/    /'; then
		echo "ok $i $t"
	else
		echo "not ok $i $t"
		fail=1
	fi
done
echo "# after:  $(vm 'migrate_copy_[a-z_]*')"
exit $fail
