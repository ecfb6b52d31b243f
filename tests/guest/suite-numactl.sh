#!/bin/sh
# suite-numactl - Debian's numactl tools with dsa_migrate registered:
# numactl --hardware sees both nodes (libnuma reads Mems_allowed: CPUSETS),
# migratepages(8) moves a running fragmenter's surviving pages from node0
# to node1 (migrate_pages(2)) and the verifier finds every byte intact in
# the process, and migspeed(8) measures a move.
#
# lab:test timeout=600 set=suites boot=suites karg=lab.overlay=suites
#
# Usage: suite-numactl.sh   (no arguments; prints KTAP)
set -u
. "$(dirname "$0")/suite-common"
layout=/tmp/suite-numactl.layout

ktap_plan 7
command -v migratepages >/dev/null || ktap_abort "numactl tools missing: the suites overlay is not in this boot"
suite_provider_up || ktap_abort "dsa_migrate is not registered"

suite_run numactl.hardware 60 sh -c 'numactl --hardware && numactl --hardware | grep -q "^available: 2 nodes"'

rm -f "$layout"
fragmenter --node=0 --mib=32 --out="$layout" >/dev/null &
frag=$!
i=0
while [ ! -s "$layout" ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
[ -s "$layout" ] || { kill $frag; ktap_abort "fragmenter did not start"; }
base=$(sed -n 's/.* base=0x\([0-9a-f]*\) .*/\1/p' "$layout")
echo "# $(cat "$layout")"
# pages of the fragmenter's region on NODE, from its numa_maps line
on_node() { sed -n "s/^0*$base .* N$1=\([0-9]*\).*/\1/p" /proc/$frag/numa_maps; }
echo "# before: node0 $(on_node 0) pages, node1 $(on_node 1)"
suite_run migratepages 300 migratepages $frag 0 1
echo "# after: node0 $(on_node 0) pages, node1 $(on_node 1)"
rc=0
[ -z "$(on_node 0)" ] && [ "$(on_node 1)" -gt 0 ] || rc=1
ktap_result $rc migratepages_moved_every_page
suite_run migratepages_intact 120 verifier --layout="$layout"
kill $frag
wait $frag 2>/dev/null

suite_run migspeed 300 migspeed -p 2000 0 1
suite_provider_check 90
ktap_result 0 "suite_done"
ktap_finish
