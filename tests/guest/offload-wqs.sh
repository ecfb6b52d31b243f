#!/bin/sh
# offload-wqs - configure dsa0 with N dedicated kernel work queues bound to
# idxd's dmaengine driver, so that N DMA_MEMCPY channels appear for
# dsa_migrate.  WQ i is in group i and the engines are dealt round-robin
# to the groups, so with 4 WQs each channel has its own engine.  Anything
# configured before is torn down first (dsa_migrate must be disabled: it
# holds the channels).
# Usage: offload-wqs [N]   N = 1..4, default 1
set -eu
n=${1:-1}
case "$n" in
1 | 2 | 3 | 4) ;;
*) echo "usage: $0 [N]  (1..4 work queues)" >&2; exit 2 ;;
esac
bus=/sys/bus/dsa
dev=$bus/devices/dsa0
die() { echo "offload-wqs: $*" >&2; exit 1; }

modprobe idxd 2>/dev/null || true
[ -d "$dev" ] || die "no $dev: boot with DSA=1 (emulated DSA) or real DSA hardware"
if [ -f /sys/module/dsa_migrate/parameters/enable ] &&
	[ "$(cat /sys/module/dsa_migrate/parameters/enable)" = 1 ]; then
	die "dsa_migrate is enabled and holds the channels: write 0 to its enable first"
fi

# A halted device keeps its WQs bound; idxd (6.12) hangs unbinding them.
if [ "$(cat "$dev/state")" != enabled ]; then
	for wq in "$dev"/wq0.*; do
		[ ! -e "$wq/driver" ] ||
			die "dsa0 is $(cat "$dev/state") with ${wq##*/} still bound: halted? idxd cannot recover it in this boot"
	done
fi

# Tear down what is there.
for wq in "$dev"/wq0.*; do
	if [ -e "$wq/driver" ]; then
		echo "${wq##*/}" >"$wq/driver/unbind"
	fi
done
if [ -e "$dev/driver" ]; then
	echo dsa0 >"$dev/driver/unbind"
fi

total=$(cat "$dev/max_work_queues_size")
size=$((total / n))
groups=$(cat "$dev/max_groups")
[ "$groups" -ge "$n" ] || die "dsa0 has $groups group(s), fewer than $n"
e=0
for eng in "$dev"/engine0.*; do
	echo $((e % n)) >"$eng/group_id"
	e=$((e + 1))
done
i=0
for wq in "$dev"/wq0.*; do
	if [ "$i" -lt "$n" ]; then
		echo "$i" >"$wq/group_id"
		echo dedicated >"$wq/mode"
		echo "$size" >"$wq/size"
		echo 10 >"$wq/priority"
		echo kernel >"$wq/type"
		echo "dsa_migrate$i" >"$wq/name"
		echo dmaengine >"$wq/driver_name"
	else
		echo -1 >"$wq/group_id" 2>/dev/null || true
		echo 0 >"$wq/size" 2>/dev/null || true
	fi
	i=$((i + 1))
done

echo dsa0 >"$bus/drivers/idxd/bind" || die "cannot enable dsa0 (dmesg)"
[ "$(cat "$dev/state")" = enabled ] || die "dsa0 did not enable (dmesg)"
i=0
while [ "$i" -lt "$n" ]; do
	echo "wq0.$i" >"$bus/drivers/dmaengine/bind" ||
		die "cannot bind wq0.$i to dmaengine (dmesg)"
	i=$((i + 1))
done
chans=$(ls /sys/class/dma 2>/dev/null | grep -c chan || true)
[ "$chans" -ge "$n" ] || die "$chans dmaengine channel(s) after binding $n WQ(s)"
echo "# offload-wqs: dsa0 with $n dedicated kernel WQ(s), $chans channel(s): $(ls /sys/class/dma | tr '\n' ' ')"
