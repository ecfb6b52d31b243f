#!/bin/sh
# Print the guest test manifest ("name timeout set boot [karg...]", sorted by
# name) from the tag in each test source:
#   lab:test timeout=<seconds> set=<default|extra|suites> [boot=<group>|own] [karg=<arg>...]
# Tests of one boot group share a guest boot ("main" when not given); boot=own
# gives a test a boot of its own. karg= adds a kernel command-line argument
# to the test's boot (e.g. karg=cma=16M); every test of a group must ask for
# the same ones. Files without a tag are tools, not tests.
# Usage: tests/manifest.sh FILE...
set -eu
for f in "$@"; do
	tag=$(grep -o 'lab:test .*' "$f" | head -n 1)
	[ -n "$tag" ] || continue
	name=$(basename "$f")
	name=${name%.*}
	timeout=$(echo "$tag" | sed -n 's/.*timeout=\([0-9][0-9]*\).*/\1/p')
	set=$(echo "$tag" | sed -n 's/.*set=\([a-z]*\).*/\1/p')
	boot=$(echo "$tag" | sed -n 's/.*boot=\([a-z0-9-]*\).*/\1/p')
	kargs=$(echo "$tag" | tr ' ' '\n' | sed -n 's/^karg=\(..*\)/\1/p' | paste -sd ' ' -)
	case "$set" in
	default | extra | suites) ;;
	*) echo "$f: tag '$tag': set= must be default, extra or suites" >&2; exit 1 ;;
	esac
	[ -n "$timeout" ] && [ "$timeout" -gt 0 ] || {
		echo "$f: tag '$tag': timeout= must be a positive number of seconds" >&2
		exit 1
	}
	case "$boot" in
	"") boot=main ;;
	own) boot=$name ;;
	esac
	echo "$name $timeout $set $boot${kargs:+ $kargs}"
done | LC_ALL=C sort | awk '
	{ k = ""; for (i = 5; i <= NF; i++) k = k " " $i }
	($4 in kargs) && kargs[$4] != k {
		printf "manifest: tests of boot group %s ask for different kernel arguments (%s: \"%s\", %s: \"%s\")\n",
			$4, first[$4], kargs[$4], $1, k > "/dev/stderr"
		bad = 1
	}
	!($4 in kargs) { kargs[$4] = k; first[$4] = $1 }
	{ print }
	END { exit bad }'
