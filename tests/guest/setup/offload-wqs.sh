#!/bin/sh
# offload-wqs - configure a DSA device (dsa0 unless named) with N dedicated
# kernel work queues bound to idxd's dmaengine driver, so that N DMA_MEMCPY
# channels appear for dsa_migrate.  WQ i is in group i and the engines are
# dealt round-robin to the groups, so with 4 WQs each channel has its own
# engine.  Anything configured before on that device is torn down first
# (dsa_migrate must be disabled: it holds the channels).  With several
# devices (DSA_COUNT), run it once per device: dsa_migrate takes channels
# from any of them.
# Usage: offload-wqs [N [DEV]]   N = 1..4, default 1; DEV default dsa0
set -eu
n=${1:-1}
name=${2:-dsa0}
case "$n" in
1 | 2 | 3 | 4) ;;
*) echo "usage: $0 [N [DEV]]  (1..4 work queues, DEV e.g. dsa1)" >&2; exit 2 ;;
esac
case "$name" in
dsa[0-9] | dsa[0-9][0-9]) ;;
*) echo "usage: $0 [N [DEV]]  (DEV is dsaM, got '$name')" >&2; exit 2 ;;
esac
idx=${name#dsa}
bus=/sys/bus/dsa
dev=$bus/devices/$name
die() { echo "offload-wqs: $*" >&2; exit 1; }

modprobe idxd 2>/dev/null || true
[ -d "$dev" ] || die "no $dev: boot with DSA=1 (emulated DSA, DSA_COUNT for more than one) or real DSA hardware"
if [ -f /sys/module/dsa_migrate/parameters/enable ] &&
	[ "$(cat /sys/module/dsa_migrate/parameters/enable)" = 1 ]; then
	die "dsa_migrate is enabled and holds the channels: write 0 to its enable first"
fi

# A halted device keeps its WQs bound; idxd (6.12) hangs unbinding them.
if [ "$(cat "$dev/state")" != enabled ]; then
	for wq in "$dev"/wq$idx.*; do
		[ ! -e "$wq/driver" ] ||
			die "$name is $(cat "$dev/state") with ${wq##*/} still bound: halted? idxd cannot recover it in this boot"
	done
fi

# Tear down what is there.
for wq in "$dev"/wq$idx.*; do
	if [ -e "$wq/driver" ]; then
		echo "${wq##*/}" >"$wq/driver/unbind"
	fi
done
if [ -e "$dev/driver" ]; then
	echo "$name" >"$dev/driver/unbind"
fi

total=$(cat "$dev/max_work_queues_size")
size=$((total / n))
groups=$(cat "$dev/max_groups")
[ "$groups" -ge "$n" ] || die "$name has $groups group(s), fewer than $n"
e=0
for eng in "$dev"/engine$idx.*; do
	echo $((e % n)) >"$eng/group_id"
	e=$((e + 1))
done
i=0
for wq in "$dev"/wq$idx.*; do
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

echo "$name" >"$bus/drivers/idxd/bind" || die "cannot enable $name (dmesg)"
[ "$(cat "$dev/state")" = enabled ] || die "$name did not enable (dmesg)"
i=0
while [ "$i" -lt "$n" ]; do
	echo "wq$idx.$i" >"$bus/drivers/dmaengine/bind" ||
		die "cannot bind wq$idx.$i to dmaengine (dmesg)"
	i=$((i + 1))
done
chans=$(ls /sys/class/dma 2>/dev/null | grep -c chan || true)
[ "$chans" -ge "$n" ] || die "$chans dmaengine channel(s) after binding $n WQ(s)"
echo "# offload-wqs: $name with $n dedicated kernel WQ(s), $chans channel(s) in all: $(ls /sys/class/dma | tr '\n' ' ')"
