#!/bin/sh
# suite-stress-ng - Debian's stress-ng (0.15) memory stressors, each with
# --verify, with dsa_migrate registered: numa (move_pages, migrate_pages,
# mbind MPOL_MF_MOVE on its own buffers), vm on MADV_MERGEABLE buffers with
# ksmd merging them, madvise, and memhotplug (offline/online of memory
# blocks, which migrates pages).  The provider must have taken the batches
# they caused.
#
# lab:test timeout=900 set=suites boot=suites karg=lab.overlay=suites
#
# Usage: suite-stress-ng.sh   (no arguments; prints KTAP)
set -u
. "$(dirname "$0")/suite-common"

ktap_plan 6
command -v stress-ng >/dev/null || ktap_abort "stress-ng missing: the suites overlay is not in this boot"
suite_provider_up || ktap_abort "dsa_migrate is not registered"
sng() { # sng NAME ARGS...: one stressor run, failing on any error it reports
	_n=$1
	shift
	suite_run "stress-ng.$_n" 300 stress-ng --verify --metrics-brief \
		--oomable --timeout 30 "$@"
}
sng numa --numa 2
echo 0 >/sys/kernel/mm/ksm/sleep_millisecs
echo 1 >/sys/kernel/mm/ksm/run
sng vm_ksm --vm 2 --vm-bytes 32M --vm-madvise mergeable
echo 2 >/sys/kernel/mm/ksm/run
# As root, 0.15's madvise stressor poisons its own pages (MADV_HWPOISON)
# and a worker dies of the SIGBUS: it runs as nobody, for whom that is EPERM.
suite_run stress-ng.madvise 300 su -s /bin/sh nobody -c \
	"stress-ng --verify --metrics-brief --oomable --timeout 30 --temp-path /tmp --madvise 2"
sng memhotplug --memhotplug 1
suite_provider_check 90
ktap_result 0 "suite_done"
ktap_finish
