#!/bin/sh
# make check-series: every prefix of kernel-patches/series builds on its own
# and passes a smoke set in the guest, like ktest.pl's patchcheck.
#
# Prefix k is the first k patches on Debian's tree, in a clone of the kernel
# cache's repository (CACHE/kernel/check-series, built as KSRC: one object
# tree for every prefix, so each step rebuilds only what patch k touched).
# For each prefix: checkpatch --strict of patch k, the kernel build, then
# the smoke tests: SMOKE with our modules when they build against the prefix,
# else SMOKE_BASE without them (the provider API is not there yet).
#
# Usage: kernel-patches/check-series.sh (from make check-series)
# Environment: CACHE, BUILD (required); SMOKE, SMOKE_BASE (test selections);
#   FROM, TO (the prefixes to check, default 1 and the whole series);
#   any other make variable (FLAVOUR, JOBS...) passes through the
#   environment.
# Each prefix's verdict: 0 pass, 1 fail (checkpatch error, no build, a smoke
# test failed or timed out), 125 untestable (the guest could not be run,
# e.g. QEMU did not start).  Exit status: 1 if any prefix failed, else 0.
# The table goes to stdout and BUILD/check-series/summary.md.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
: "${CACHE:?CACHE must be set}"
: "${BUILD:?BUILD must be set}"
SMOKE=${SMOKE:-move-pages-4k,move-pages-thp,numa-nodes,provider-register,offload-move-4k,offload-move-thp}
SMOKE_BASE=${SMOKE_BASE:-move-pages-4k,move-pages-thp,numa-nodes}
BASE_TAG=v6.12.117-debian

die() { echo "check-series: error: $*" >&2; exit 1; }
say() { echo ">> check-series: $*" >&2; }

patches=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/series")
n=$(echo "$patches" | grep -c .)
FROM=${FROM:-1}
TO=${TO:-$n}
case "$FROM$TO" in
*[!0-9]*) die "FROM and TO must be patch numbers (1..$n), not '$FROM' '$TO'" ;;
esac
[ "$FROM" -ge 1 ] && [ "$TO" -le "$n" ] && [ "$FROM" -le "$TO" ] ||
	die "want 1 <= FROM ($FROM) <= TO ($TO) <= $n"

# The Debian tree with its base tag: the one every build uses (configure
# prepares it without compiling).
env -u KSRC FLAVOUR=default "$here/build-kernel.sh" configure >&2 ||
	die "cannot prepare the kernel source"
main=$(env -u KSRC FLAVOUR=default "$here/build-kernel.sh" print-ksrc)
src=$CACHE/kernel/check-series
git_s() { git -C "$src" -c user.name=lab -c user.email=lab@localhost "$@"; }
if ! git_s rev-parse -q --verify "$BASE_TAG" >/dev/null 2>&1; then
	say "cloning $main (once)"
	rm -rf "$src"
	git clone -q --shared --no-checkout "$main" "$src"
fi
# Start from the base and add one patch per step, so that each step only
# touches the files of its patch.
git_s am --abort >/dev/null 2>&1 || true
git_s checkout -q -f --detach "$BASE_TAG"
git_s clean -q -fdx
k=0
for p in $patches; do
	k=$((k + 1))
	[ "$k" -lt "$FROM" ] || break
	git_s am -q --keep-cr "$here/$p" >&2 || die "$p does not apply"
done

out=$BUILD/check-series
rm -rf "$out"
mkdir -p "$out"
checkpatch=$src/scripts/checkpatch.pl
summary=$out/summary.md
{
	echo "| # | patch | checkpatch | build | smoke | verdict | seconds |"
	echo "|---|-------|------------|-------|-------|---------|---------|"
} >"$summary"
failed=0
k=0
for p in $patches; do
	k=$((k + 1))
	[ "$k" -ge "$FROM" ] || continue
	[ "$k" -le "$TO" ] || break
	start=$(date +%s)
	log=$out/$k.log
	say "[$k/$n] $p"
	if ! git_s am -q --keep-cr "$here/$p" >"$log" 2>&1; then
		echo "| $k | $p | - | does not apply | - | 1 | 0 |" >>"$summary"
		failed=1
		break
	fi
	errors=$("$checkpatch" --strict --no-tree --color=never --terse "$here/$p" 2>&1 |
		grep -c ': ERROR:') || true
	cp_res=ok
	[ "$errors" = 0 ] || cp_res="$errors error(s)"
	verdict=0 smoke=-
	if ! make -C "$top" kernel KSRC="$src" BUILD="$out/build" >>"$log" 2>&1; then
		build=FAIL
		verdict=1
	elif make -C "$top" module KSRC="$src" BUILD="$out/build" >>"$log" 2>&1; then
		build="kernel, modules"
		smoke="SMOKE: $(echo "$SMOKE" | tr ',' ' ')"
		"$top/tests/make-test.sh" KSRC="$src" HOST_TESTS=0 T="$SMOKE" \
			BUILD="$out/build" >>"$log" 2>&1 || verdict=$?
		smoke="$smoke: $(tail -n 1 "$log")"
	else
		build="kernel (modules do not build yet)"
		smoke="SMOKE_BASE: $(echo "$SMOKE_BASE" | tr ',' ' ')"
		"$top/tests/make-test.sh" KSRC="$src" HOST_TESTS=0 T="$SMOKE_BASE" \
			OOT_MODULES= DSA=0 BUILD="$out/build" >>"$log" 2>&1 || verdict=$?
		smoke="$smoke: $(tail -n 1 "$log")"
	fi
	# A smoke test that failed, timed out or crashed the guest is a failure.
	case "$verdict" in
	0 | 125) ;;
	*) verdict=1 ;;
	esac
	[ "$cp_res" = ok ] || verdict=1
	[ "$verdict" != 1 ] || failed=1
	secs=$(($(date +%s) - start))
	echo "| $k | $p | $cp_res | $build | $smoke | $verdict | $secs |" >>"$summary"
	say "[$k/$n] verdict $verdict ($secs s), log $log"
done
cat "$summary"
exit "$failed"
