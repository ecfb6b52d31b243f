#!/bin/sh
# soak-short - the migration soak (soak.c) cut to what CI can afford:
# 150000 pages offloaded through move_pages(2), compaction and DAMON at
# once, with injected DSA faults and stalls, within 300 s (about 70 s
# here).  On the debug kernel (kmemleak present) 50000: with two KASAN
# guests sharing two cores the soak offloads about 250 pages/s (100000 took
# 400 s here and ran out of 300 s on CI), and the deadline is multiplied by
# /init's LAB_TSCALE (3 there).  `make soak` runs the full one (1000000
# pages, the extra set).
#
# lab:test timeout=420 set=default boot=own
#
# Usage: soak-short.sh   (no arguments; prints soak's KTAP)
set -eu

[ $# -eq 0 ] || { echo "usage: $0" >&2; exit 2; }

pages=150000
[ ! -e /sys/kernel/debug/kmemleak ] || pages=50000
exec "$(dirname "$0")/soak" --pages=$pages --seconds=$((300 * ${LAB_TSCALE:-1}))
