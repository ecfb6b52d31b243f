#!/bin/sh
# soak-short - the migration soak (soak.c) cut to what CI can afford:
# 150000 pages offloaded through move_pages(2), compaction and DAMON at
# once, with injected DSA faults and stalls, within 300 s (about 70 s
# here); 100000 on the debug kernel (kmemleak present), where KASAN makes
# 150000 take about 190 s.  `make soak` runs the full one (1000000 pages,
# the extra set).
#
# lab:test timeout=420 set=default boot=own
#
# Usage: soak-short.sh   (no arguments; prints soak's KTAP)
set -eu

[ $# -eq 0 ] || { echo "usage: $0" >&2; exit 2; }

pages=150000
[ ! -e /sys/kernel/debug/kmemleak ] || pages=100000
exec "$(dirname "$0")/soak" --pages=$pages --seconds=300
