#!/bin/sh
# SHARD=i/N: which boot groups of a selection shard i of N runs, so that a CI
# matrix fans one run out over N machines and tests/host/merge-shards puts
# the pieces back together.
#
# Usage: tests/shard.sh check i/N         exit 0, or say why not (exit 2)
#        tests/shard.sh pick i/N <SELECTION
#            SELECTION: "name timeout boot [karg...]" lines (tests/select.sh);
#            prints the boot groups of shard i, one a line (none: an empty shard)
#        tests/shard.sh key <SELECTION   the selection's key: shards of one
#            run carry the same key, and merge-shards refuses mixed keys
#
# The boot group is the unit (its tests share one guest). Groups go, heaviest
# first (sum of their tests' timeouts; ties by name), to the shard with the
# least weight so far (ties: the lowest i). The same selection always gives
# the same split, and the N shards together run each group exactly once.
set -eu

usage() {
	echo "usage: $0 check i/N | pick i/N <SELECTION | key <SELECTION" >&2
	exit 2
}

check() {
	_why=""
	case "$1" in
	*[!0-9/]* | */*/* | /* | */ | "") _why="not of the form i/N" ;;
	0*/* | */0*) _why="i and N are counted from 1 (no 0, no leading zeros)" ;;
	*/*) [ "${1%/*}" -le "${1#*/}" ] || _why="i is larger than N" ;;
	*) _why="not of the form i/N" ;;
	esac
	[ -z "$_why" ] && return 0
	echo "SHARD=$1: $_why; want i/N with 1 <= i <= N, e.g. SHARD=2/4" >&2
	exit 2
}

case "${1:-}" in
check)
	[ $# = 2 ] || usage
	check "$2"
	;;
pick)
	[ $# = 2 ] || usage
	check "$2"
	awk '{ w[$3] += $2 } END { for (g in w) print w[g], g }' |
		LC_ALL=C sort -k1,1nr -k2,2 |
		awk -v i="${2%/*}" -v n="${2#*/}" '
		{
			best = 1
			for (s = 2; s <= n; s++)
				if (load[s] < load[best])
					best = s
			load[best] += $1
			if (best == i)
				print $2
		}'
	;;
key)
	[ $# = 1 ] || usage
	sha256sum | cut -c1-12
	;;
*) usage ;;
esac
