#!/bin/sh
# dsa-accel-config - the DSA configured the way DSA users configure it:
# Debian's accel-config (libaccel-config), first loading the committed
# /etc/accel-config/dsa0-offload.conf, then with its config-* and enable-*
# commands.  Each time: the device and the WQ enabled as asked, a
# dmaengine channel for it, dsa_migrate moving 16 MiB of 4 KiB pages
# through it (every byte checked by move-pages-4k, >= 90 % of the bytes
# migrated copied by the DSA, no fallback, no descriptor error), then
# everything disabled again by accel-config.  offload-wqs, which the other
# tests use, is the sysfs path.
#
# lab:test timeout=300 set=default
set -u
. "$(dirname "$0")/sh-lib"

ktap_plan 9
dev=/sys/bus/dsa/devices/dsa0
wq=/sys/bus/dsa/devices/wq0.0
ac() { # accel-config, its output as diagnostics
	echo "# accel-config $*"
	accel-config "$@" 2>&1 | sed 's/^/#   /'
}

modprobe idxd 2>/dev/null
[ -d "$dev" ] || ktap_abort "no dsa0: boot with DSA=1"
command -v accel-config >/dev/null || ktap_abort "no accel-config in the initramfs"
# a clean device: disabled, nothing left bound from earlier tests
if [ -f /sys/module/dsa_migrate/parameters/enable ]; then
	echo 0 >/sys/module/dsa_migrate/parameters/enable
	rmmod dsa_migrate
fi
[ "$(cat $dev/state)" = disabled ] || ac disable-device dsa0

# accel-config's own view of the device
accel-config list -i >/tmp/ac.list 2>&1
sed 's/^/#   /' /tmp/ac.list | head -n 20
grep -q '"dev":"dsa0"' /tmp/ac.list
ktap_result $? accel_config_lists_dsa0

enabled_and_offloading() { # enabled_and_offloading HOW
	[ "$(cat $dev/state)" = enabled ] && [ "$(cat $wq/state)" = enabled ] &&
		[ "$(cat $wq/mode)" = dedicated ] && [ "$(cat $wq/type)" = kernel ]
	ktap_result $? "${1}_device_and_wq_enabled"
	chans=$(ls /sys/class/dma 2>/dev/null | wc -l)
	echo "# $1: wq0.0 $(cat $wq/state) $(cat $wq/mode) size $(cat $wq/size), $chans dmaengine channel(s)"
	[ "$chans" -ge 1 ]
	ktap_result $? "${1}_dmaengine_channel"

	modprobe dsa_migrate || ktap_abort "$1: dsa_migrate does not load"
	dsam_round "$1" move-pages-4k dsa
	ktap_result $? "${1}_dsa_migrate_offloads_through_it"
	echo 0 >/sys/module/dsa_migrate/parameters/enable
	rmmod dsa_migrate

	ac disable-device dsa0
	[ "$(cat $dev/state)" = disabled ] && [ "$(cat $wq/state)" = disabled ]
	ktap_result $? "${1}_disabled_by_accel_config"
}

# 1. The committed configuration file.
ac load-config -c /etc/accel-config/dsa0-offload.conf -e
enabled_and_offloading load_config

# 2. The configuration commands.
for e in 0 1 2 3; do
	ac config-engine dsa0/engine0.$e --group-id=0
done
ac config-wq dsa0/wq0.0 --group-id=0 --mode=dedicated --type=kernel \
	--name=dsa_migrate0 --driver-name=dmaengine --wq-size=64 --priority=10
ac enable-device dsa0
ac enable-wq dsa0/wq0.0
enabled_and_offloading config_commands
ktap_finish
