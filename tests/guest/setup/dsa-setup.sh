#!/bin/sh
# Configure the (emulated) DSA through sysfs only, as accel-config would:
# group 0 gets the engines and one dedicated kernel work queue that idxd
# exposes as a dmaengine DMA_MEMCPY channel.  Idempotent.
#
# usage: dsa-setup.sh [-d dsa0] [-w 0] [-s 16] [-e ENGINES] [-p 10]
#   -d DEV   device (default dsa0)
#   -w N     work queue number (default 0: wq0.0)
#   -s SIZE  WQ size in descriptors (default 16)
#   -e N     engines put in group 0 (default: all)
#   -p PRIO  WQ priority 1..15 (default 10)
# Exit 0 with the channel name on stdout; 1 with a message on stderr.
set -eu

usage() {
	echo "usage: $0 [-d dsa0] [-w 0] [-s 16] [-e ENGINES] [-p 10]" >&2
	exit 2
}

dev=dsa0 wqn=0 size=16 engines="" prio=10
while getopts d:w:s:e:p:h opt; do
	case $opt in
	d) dev=$OPTARG ;;
	w) wqn=$OPTARG ;;
	s) size=$OPTARG ;;
	e) engines=$OPTARG ;;
	p) prio=$OPTARG ;;
	*) usage ;;
	esac
done

die() {
	echo "dsa-setup: $*" >&2
	exit 1
}

# Write VALUE to sysfs FILE, failing loudly with the kernel's reason.
put() {
	echo "$2" >"$1" 2>/dev/null || die "cannot write '$2' to $1"
}

bus=/sys/bus/dsa
idx=${dev#dsa}
wq=wq$idx.$wqn

# idxd_bus alone provides $bus; the drivers come with idxd
[ -d $bus/drivers/idxd ] || modprobe idxd 2>/dev/null || die "modprobe idxd failed"
i=0
while [ ! -d $bus/devices/$dev ]; do
	i=$((i + 1))
	[ $i -le 50 ] || die "no $bus/devices/$dev: is the intel-dsa device there (DSA=1)? CPU has MOVDIR64B?"
	sleep 0.1
done
d=$bus/devices/$dev

chan_of() {
	for c in $d/$wq/dma*chan* /sys/class/dma/*; do
		[ -e "$c" ] || continue
		case $(basename "$c") in
		dma*chan*) basename "$c"; return 0 ;;
		esac
	done
	return 1
}

if [ "$(cat $d/$wq/state)" = enabled ]; then
	chan_of || die "$wq is enabled but has no dmaengine channel"
	exit 0
fi

# The device must be disabled to change groups and engines.
if [ "$(cat $d/state)" = enabled ]; then
	put $bus/drivers/idxd/unbind "$dev"
fi

max_engines=$(ls -d $d/engine$idx.* | wc -l)
[ -n "$engines" ] || engines=$max_engines
[ "$engines" -ge 1 ] && [ "$engines" -le "$max_engines" ] ||
	die "-e $engines: the device has $max_engines engines"
e=0
while [ $e -lt "$engines" ]; do
	put $d/engine$idx.$e/group_id 0
	e=$((e + 1))
done

put $d/$wq/group_id 0
put $d/$wq/mode dedicated
put $d/$wq/size "$size"
put $d/$wq/priority "$prio"
put $d/$wq/type kernel
put $d/$wq/name dmaengine
put $d/$wq/driver_name dmaengine

put $bus/drivers/idxd/bind "$dev"
[ "$(cat $d/state)" = enabled ] ||
	die "$dev did not enable (state $(cat $d/state)), see dmesg"
put $bus/drivers/dmaengine/bind "$wq"
[ "$(cat $d/$wq/state)" = enabled ] ||
	die "$wq did not enable (state $(cat $d/$wq/state)), see dmesg"
chan_of || die "$wq enabled but no dmaengine channel appeared"
