#!/bin/sh
# Print the guest test manifest ("name timeout set boot", sorted by name)
# from the tag in each test source:
#   lab:test timeout=<seconds> set=<default|extra> [boot=<group>|own]
# Tests of one boot group share a guest boot ("main" when not given); boot=own
# gives a test a boot of its own. Files without a tag are tools, not tests.
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
	case "$set" in
	default | extra) ;;
	*) echo "$f: tag '$tag': set= must be default or extra" >&2; exit 1 ;;
	esac
	[ -n "$timeout" ] && [ "$timeout" -gt 0 ] || {
		echo "$f: tag '$tag': timeout= must be a positive number of seconds" >&2
		exit 1
	}
	case "$boot" in
	"") boot=main ;;
	own) boot=$name ;;
	esac
	echo "$name $timeout $set $boot"
done | LC_ALL=C sort
