#!/bin/sh
# provider-selftest-migration - the kernel's own mm migration selftest
# (tools/testing/selftests/mm/migration.c of the patched tree, built
# statically into the "suites" overlay) run twice: with no provider and
# with the CPU test provider registered, as an independent check of the
# batch-copy path.  Its tests move pages between two nodes for 20 s each
# while other threads touch them (migration entry waits), for anonymous,
# THP and hugetlb memory.
#
# shared_anon_htlb is excluded and reported as a skip: it fails the same way
# ("Didn't migrate 1 pages", move_pages keeps returning 1) on the stock
# 6.12.117 kernel of this lab, without the series and with 4 or 16 huge
# pages, and hugetlb folios never go through the batch copy.
#
# lab:test timeout=600 set=extra boot=suites karg=lab.overlay=suites
#
# Usage: provider-selftest-migration.sh   (no arguments; prints KTAP)
set -eu

[ $# -eq 0 ] || { echo "usage: $0" >&2; exit 2; }

bin=/suites/kselftest-mm/migration
mod=migrate_test_provider
params=/sys/module/$mod/parameters

. "$(dirname "$0")/suite-common"
ktap_plan 6

[ -x "$bin" ] || ktap_abort "$bin missing (selftest not built into the rootfs)"
[ ! -d "/sys/module/$mod" ] || ktap_abort "$mod already loaded by someone else"
provider=$(cat /proc/sys/vm/migrate_copy_provider 2>/dev/null) ||
	ktap_abort "no vm.migrate_copy_provider: kernel without the batch copy series"
[ -z "$provider" ] || ktap_abort "provider '$provider' already registered"

# The hugetlb tests need a free huge page on each node.
echo 4 >/proc/sys/vm/nr_hugepages

run_selftest() { # run_selftest <label>: output as diagnostics, returns status
	status=0
	"$bin" -T shared_anon_htlb >/tmp/selftest.out 2>&1 || status=$?
	sed "s/^/# $1: /" /tmp/selftest.out
	grep -q '^# Totals: pass:[1-9]' /tmp/selftest.out || status=1
	grep -q '^not ok' /tmp/selftest.out && status=1
	return "$status"
}

st=0
run_selftest "no provider" || st=$?
ktap_result "$st" "selftest_without_provider"

st=0
modprobe "$mod" && [ "$(cat /proc/sys/vm/migrate_copy_provider)" = cpu-test ] ||
	st=1
ktap_result "$st" "test_provider_registered"

st=0
run_selftest "cpu-test provider" || st=$?
ktap_result "$st" "selftest_with_provider"

pstat() { sed -n "s/^$1 //p" "$params/stats"; }
calls=$(pstat calls)
syscall=$(pstat reason3_folios)
violations=$(pstat contract_violations)
echo "# provider: calls $calls, syscall folios $syscall, violations $violations"
st=0
[ "${calls:-0}" -gt 0 ] && [ "${syscall:-0}" -gt 0 ] &&
	[ "${violations:-1}" -eq 0 ] || st=1
ktap_result "$st" "provider_copied_the_selftest_migrations"

st=0
echo 0 >"$params/enable" && rmmod "$mod" || st=1
echo 0 >/proc/sys/vm/nr_hugepages
ktap_result "$st" "provider_unloaded"

suite_skip migration.shared_anon_htlb
ktap_finish
