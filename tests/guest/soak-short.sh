#!/bin/sh
# soak-short - the migration soak (soak.c) cut to what CI can afford:
# 150000 pages offloaded through move_pages(2), compaction and DAMON at
# once, with injected DSA faults and stalls, within 300 s.  `make soak` runs
# the full one (1000000 pages, the extra set).
#
# lab:test timeout=420 set=default boot=own
#
# Usage: soak-short.sh   (no arguments; prints soak's KTAP)
set -eu

[ $# -eq 0 ] || { echo "usage: $0" >&2; exit 2; }

exec "$(dirname "$0")/soak" --pages=150000 --seconds=300
