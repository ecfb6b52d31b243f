#!/bin/sh
# suite-kselftest-mm - the kernel's own mm selftests (built statically from
# the patched tree's tools/testing/selftests/mm, in the "suites" overlay)
# with dsa_migrate registered: migration, compaction, KSM (merge, unmerge,
# zero pages, NUMA merging, THP/prot), transhuge-stress, and hmm-tests
# (device-private migration through the test_hmm driver).  The provider
# must have copied the migrations they caused.
#
# lab:test timeout=1500 set=suites boot=suites karg=lab.overlay=suites
#
# Usage: suite-kselftest-mm.sh   (no arguments; prints KTAP)
set -u
. "$(dirname "$0")/suite-common"
bin=$SUITE_DIR/kselftest-mm

ktap_plan 16
[ -x "$bin/migration" ] || ktap_abort "$bin missing: the suites overlay (lab.overlay=suites) is not in this boot"
# hugetlb subtests need free huge pages on both nodes
for node in 0 1; do
	echo 8 >/sys/devices/system/node/node$node/hugepages/hugepages-2048kB/nr_hugepages
done
echo 256000000 >/proc/sys/kernel/shmmax
modprobe test_hmm || ktap_abort "modprobe test_hmm failed"
suite_provider_up || ktap_abort "dsa_migrate is not registered"

suite_run migration 600 "$bin/migration" -T shared_anon_htlb
suite_skip migration.shared_anon_htlb
# Each KSM test counts KSM pages system-wide: start it with none (run=2
# unmerges everything and drops the stable tree the last test left).
ksm() { # ksm NAME ARGS...
	_n=$1
	shift
	echo 2 >/sys/kernel/mm/ksm/run
	suite_run "ksm_tests.$_n" 300 "$bin/ksm_tests" "$@"
}
ksm merge -M -p 10
ksm unmerge -U
ksm zero_pages_0 -Z -p 10 -z 0
ksm zero_pages_1 -Z -p 10 -z 1
ksm numa_merge -N -m 1
ksm numa_no_merge -N -m 0
# run_vmtests.sh uses 100 MiB for -H and -P; under TCG that takes minutes
ksm thp_merge -H -s 16
ksm prot -P -s 16
suite_run ksm_functional_tests 300 "$bin/ksm_functional_tests"
# after the KSM tests: they count KSM pages system-wide, and the
# compaction this starts may still be moving pages when they look
suite_run compaction_test 300 "$bin/compaction_test"
suite_run transhuge-stress 120 "$bin/transhuge-stress" -d 20
suite_run hmm-tests 600 "$bin/hmm-tests"
rmmod test_hmm || true
for node in 0 1; do
	echo 0 >/sys/devices/system/node/node$node/hugepages/hugepages-2048kB/nr_hugepages
done
suite_provider_check 90
ktap_result 0 "suite_done"
ktap_finish
