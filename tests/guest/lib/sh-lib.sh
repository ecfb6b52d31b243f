#!/bin/sh
# sh-lib - sourced by the guest's shell tests (installed without .sh):
# the KTAP writer (ktap), the DSA's PCI functions, the counters they read,
# and a round of moves through dsa_migrate with who copied it checked.  A
# library, not a test.
#
# Provides: ktap's ktap_plan N, ktap_result RC NAME [DIRECTIVE], ktap_abort
# MESSAGE, ktap_finish...; dsa_pci_devices, dsam_stat NAME, vmstat NAME,
# dsam_round LABEL PROGRAM cpu|dsa.
. "$(dirname "$0")/ktap"

# The sysfs directories of the DSA PCI functions, one a line: Intel's
# 0b25 (DSA 1.0, Sapphire Rapids, the emulated default) and 11fb (DSA 2.0,
# Granite Rapids, model=dsa2).  The C library's dsa_pci_bdf() knows the
# same two.
dsa_pci_devices() {
	for _f in /sys/bus/pci/devices/*; do
		[ "$(cat "$_f/vendor")" = 0x8086 ] || continue
		case "$(cat "$_f/device")" in 0x0b25 | 0x11fb) echo "$_f" ;; esac
	done
}

dsam_stat() { cat "/sys/module/dsa_migrate/stats/$1"; }
vmstat() { sed -n "s/^$1 //p" /proc/vmstat; }

# Run PROGRAM, a move test that checks its own bytes and pages (e.g.
# move-pages-4k), with dsa_migrate loaded, and print its moves and the
# counters.  0 when PROGRAM passed, pages migrated, nothing fell back,
# no descriptor error or verify mismatch, and the DSA copied nothing
# (cpu: the provider disabled) or at least 90 % of the bytes migrated
# (dsa).
dsam_round() { # dsam_round LABEL PROGRAM cpu|dsa
	_mig0=$(vmstat pgmigrate_success) _b0=$(dsam_stat bytes_offloaded)
	_f0=$(dsam_stat folios_offloaded) _fb0=$(dsam_stat folios_fallback)
	_e0=$(($(dsam_stat descriptor_errors) + $(dsam_stat verify_mismatches)))
	"/tests/bin/$2" >/tmp/dsam_round.out 2>&1
	_rc=$?
	grep -E '^# moved|^not ok' /tmp/dsam_round.out | sed "s/^# /# $1: /"
	_mig=$(($(vmstat pgmigrate_success) - _mig0))
	_bytes=$(($(dsam_stat bytes_offloaded) - _b0))
	_fb=$(($(dsam_stat folios_fallback) - _fb0))
	_err=$(($(dsam_stat descriptor_errors) + $(dsam_stat verify_mismatches) - _e0))
	echo "# $1: $2 exit $_rc: $_mig pages migrated ($((_mig * 4 / 1024)) MiB), $(($(dsam_stat folios_offloaded) - _f0)) folios / $((_bytes >> 10)) KiB copied by the DSA, $_fb fallen back, $_err descriptor errors + verify mismatches"
	[ "$_rc" = 0 ] && [ "$_mig" -gt 0 ] && [ "$_fb" = 0 ] && [ "$_err" = 0 ] || return 1
	if [ "$3" = cpu ]; then
		[ "$_bytes" = 0 ]
	else
		[ $((_bytes / 4096 * 100)) -ge $((_mig * 90)) ]
	fi
}
