#!/bin/sh
# Build the guest kernel: Debian's linux-source-6.12 with kernel-patches/series
# applied (or an external tree given by KSRC), tinyconfig + config fragments,
# out of tree, with ccache. Incremental: re-running with no change is a no-op
# make; editing a patch only rebuilds the files that patch touches.
#
# Usage: kernel-patches/build-kernel.sh build|configure|print-kbuild|print-ksrc
#   configure: only the configuration and its check, no compiling
# Environment: CACHE (required), FLAVOUR (default|debug), KSRC (optional),
#              KCONFIG (optional: a user fragment, merged last and verified
#              like ours), JOBS (default: nproc)
set -eu

# The series is written against exactly this tree; anything else is refused.
KERNEL_VERSION=6.12.117
KERNEL_TARBALL=/usr/src/linux-source-6.12.tar.xz
BASE_TAG=v$KERNEL_VERSION-debian

here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}
: "${CACHE:?CACHE must be set}"
FLAVOUR=${FLAVOUR:-default}
JOBS=${JOBS:-$(nproc)}

say() { echo ">> kernel: $*" >&2; }
die() { echo "kernel: error: $*" >&2; exit 1; }

case "$FLAVOUR" in
default) fragments="$here/config/base.config" ;;
debug) fragments="$here/config/base.config $here/config/debug.config" ;;
*) die "FLAVOUR=$FLAVOUR is not one of: default debug" ;;
esac
# KCONFIG: a user fragment, merged after ours (so it may override them).
if [ -n "${KCONFIG:-}" ]; then
	[ -f "$KCONFIG" ] && [ -r "$KCONFIG" ] ||
		die "KCONFIG=$KCONFIG: no such readable file (a config fragment: CONFIG_FOO=y lines)"
	kconfig=$(cd "$(dirname "$KCONFIG")" && pwd)/$(basename "$KCONFIG")
	fragments="$fragments $kconfig"
fi

hash_of() { cat "$@" | sha256sum | cut -c1-12; }

if [ -n "${KSRC:-}" ]; then
	[ -f "$KSRC/Makefile" ] && [ -d "$KSRC/mm" ] ||
		die "KSRC=$KSRC does not look like a Linux source tree"
	ksrc=$(cd "$KSRC" && pwd)
	src_id="ext:$ksrc"
else
	ksrc=$CACHE/kernel/linux-$KERNEL_VERSION
	src_id="debian:$KERNEL_VERSION"
fi
# Keyed by source and flavour only: a fragment change reconfigures in place
# and kbuild then rebuilds just what depends on the changed symbols. A user
# fragment gets a tree of its own, keyed by its path: switching KCONFIG on
# and off leaves the default tree alone, and editing the fragment rebuilds
# incrementally (each fragment path costs one more tree in the cache).
cfg_key=$(echo "$src_id $FLAVOUR${kconfig:+ kconfig:$kconfig}" | sha256sum | cut -c1-12)
kbuild=$CACHE/kernel/obj-$FLAVOUR${kconfig:+-kconfig}-$cfg_key

case "$cmd" in
print-kbuild) echo "$kbuild"; exit 0 ;;
print-ksrc) echo "$ksrc"; exit 0 ;;
build | configure) ;;
*) echo "usage: $0 build|configure|print-kbuild|print-ksrc" >&2; exit 2 ;;
esac

# A user fragment holds only what merge_config.sh understands: anything
# else would be dropped without a word.
if [ -n "${kconfig:-}" ]; then
	bad=$(grep -n -v -E -e '^(CONFIG_[A-Za-z0-9_]+=.*|# CONFIG_[A-Za-z0-9_]+ is not set|#.*|[[:space:]]*)$' \
		"$kconfig") || true
	[ -z "$bad" ] || die "KCONFIG=$kconfig: not a config fragment line (want CONFIG_FOO=value or '# CONFIG_FOO is not set'):
$bad"
fi

mkdir -p "$CACHE/kernel"
# The source tree is shared by the flavours: builds hold the lock shared
# (they only read it), unpacking or applying the series holds it alone.
exec 9>"$CACHE/kernel/.lock"
flock -s 9

git_q() { git -C "$ksrc" -c user.name=lab -c user.email=lab@localhost "$@"; }

# Unpack Debian's tree once and turn it into a git repository, so applying
# the series later only rewrites the files the series touches.
unpack_debian() {
	[ -f "$KERNEL_TARBALL" ] || die "$KERNEL_TARBALL missing: run 'make deps'"
	say "unpacking $KERNEL_TARBALL (once)"
	tmp=$CACHE/kernel/unpack.$$
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -C "$tmp" -xJf "$KERNEL_TARBALL"
	top=$(ls "$tmp")
	v=$(sed -n 's/^VERSION = //p' "$tmp/$top/Makefile")
	p=$(sed -n 's/^PATCHLEVEL = //p' "$tmp/$top/Makefile")
	s=$(sed -n 's/^SUBLEVEL = //p' "$tmp/$top/Makefile")
	if [ "$v.$p.$s" != "$KERNEL_VERSION" ]; then
		rm -rf "$tmp"
		die "linux-source-6.12 unpacked version $v.$p.$s, expected $KERNEL_VERSION (see ci/deps.sh)"
	fi
	say "initialising git base $BASE_TAG (once)"
	git -C "$tmp/$top" init -q
	git -C "$tmp/$top" -c user.name=lab -c user.email=lab@localhost \
		add -A -f . >/dev/null
	git -C "$tmp/$top" -c user.name=lab -c user.email=lab@localhost \
		commit -q -m "Debian linux-source-6.12 $KERNEL_VERSION"
	git -C "$tmp/$top" tag "$BASE_TAG"
	dpkg-query -W -f='${Version}\n' linux-source-6.12 \
		>"$tmp/$top/.git/debian-package-version" 2>/dev/null || true
	rm -rf "$ksrc"
	mv "$tmp/$top" "$ksrc"
	rm -rf "$tmp"
}

series_hash() {
	{
		cat "$here/series" 2>/dev/null || true
		for p in $(series_list); do cat "$here/$p"; done
	} | sha256sum | cut -c1-16
}

series_list() {
	[ -f "$here/series" ] || return 0
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/series"
}

apply_series() {
	want=$(series_hash)
	have=$(cat "$ksrc/.git/lab-series-hash" 2>/dev/null || true)
	[ "$want" = "$have" ] && return 0
	say "applying kernel-patches/series ($(series_list | wc -l) patches)"
	rm -f "$ksrc/.git/lab-series-hash"
	git_q am --abort >/dev/null 2>&1 || true
	git_q reset -q --hard "$BASE_TAG"
	git_q clean -q -fd
	for p in $(series_list); do
		[ -f "$here/$p" ] || die "series lists $p, which does not exist"
		git_q am -q --keep-cr "$here/$p" >&2 ||
			die "patch $p does not apply to $BASE_TAG"
	done
	echo "$want" >"$ksrc/.git/lab-series-hash"
}

source_ready() {
	[ -d "$ksrc/.git" ] &&
		git_q rev-parse -q --verify "$BASE_TAG" >/dev/null &&
		[ "$(series_hash)" = "$(cat "$ksrc/.git/lab-series-hash" 2>/dev/null)" ]
}

if [ -z "${KSRC:-}" ] && ! source_ready; then
	flock -u 9
	flock -x 9
	[ -d "$ksrc/.git" ] && git_q rev-parse -q --verify "$BASE_TAG" >/dev/null ||
		unpack_debian
	apply_series
	flock -s 9
fi
# One build at a time per object directory.
exec 8>"$kbuild.lock"
flock 8

# Up to date: the last build finished with these fragments, this script and
# this source (series), and no source file changed since (but for the
# selftests, whose build writes its local_config.* into the tree). Skips
# kbuild's own no-op walk (about 10 s here); finding nothing newer in the
# tree takes 0.5 s.
# $built is also the Makefile's "the kernel was rebuilt" signal.
built=$kbuild/.lab-built
frag_hash=$(hash_of $fragments)
built_id="$frag_hash $(hash_of "$here/build-kernel.sh") $src_id $(cat "$ksrc/.git/lab-series-hash" 2>/dev/null || true)"
if [ "$cmd" = build ] && [ -f "$kbuild/arch/x86/boot/bzImage" ] &&
	[ "$(cat "$built" 2>/dev/null)" = "$built_id" ] &&
	[ -z "$(find "$ksrc" \( -path "$ksrc/.git" -o -path "$ksrc/tools/testing" \) -prune -o ! -type d -newer "$built" -print -quit)" ]; then
	say "up to date ($FLAVOUR: nothing in $ksrc changed since the last build)"
	exit 0
fi
rm -f "$built"

kmake() {
	make -C "$ksrc" O="$kbuild" -j"$JOBS" CC="ccache gcc" \
		KBUILD_BUILD_TIMESTAMP="2026-01-01 00:00:00 UTC" KBUILD_BUILD_USER=lab \
		KBUILD_BUILD_HOST=lab "$@"
}

# Configuration: tinyconfig + fragments, regenerated when a fragment changes.
mkdir -p "$kbuild"
if [ "$(cat "$kbuild/.lab-config-hash" 2>/dev/null)" != "$frag_hash" ] ||
	[ ! -f "$kbuild/.config" ]; then
	say "configuring ($FLAVOUR: tinyconfig + $(echo $fragments | xargs -n1 basename | tr '\n' ' '))"
	kmake -s tinyconfig >/dev/null
	# shellcheck disable=SC2086
	(cd "$ksrc" && scripts/kconfig/merge_config.sh -m -O "$kbuild" \
		"$kbuild/.config" $fragments >/dev/null)
	kmake -s olddefconfig >/dev/null
	echo "$frag_hash" >"$kbuild/.lab-config-hash"
fi

# Every symbol a fragment asks for must survive olddefconfig: Kconfig drops
# unmet requests silently (INTEL_IDXD without PCI_PASID, for example). What
# is asked for is each symbol's last request over the fragments, in merge
# order ("FILE<TAB>LINE"), as merge_config.sh resolves them.
# shellcheck disable=SC2086
requests=$(awk '
	/^CONFIG_[A-Za-z0-9_]+=/ { sym = $0; sub(/=.*/, "", sym) }
	/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { sym = $2 }
	sym != "" {
		if (!(sym in req))
			order[n++] = sym
		req[sym] = FILENAME "\t" $0
		sym = ""
	}
	END { for (i = 0; i < n; i++) print req[order[i]] }' $fragments)
lost=""
while IFS="$(printf '\t')" read -r from line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF "$line" "$kbuild/.config" ||
			lost="$lost
  $line (got: $(grep "^${line%%=*}=" "$kbuild/.config" || echo unset); from $from)"
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		! grep -q "^$sym=" "$kbuild/.config" ||
			lost="$lost
  $line (got: $(grep "^$sym=" "$kbuild/.config"); from $from)"
		;;
	esac
done <<EOF
$requests
EOF
if [ -n "$lost" ]; then
	rm -f "$kbuild/.lab-config-hash"
	die "these requested config symbols did not survive olddefconfig:$lost"
fi
if [ "$cmd" = configure ]; then
	say "configured and verified ($(echo "$requests" | wc -l) requested symbols) in $kbuild"
	exit 0
fi

say "building ($FLAVOUR) in $kbuild"
# The stamp gets the build's start time: a file edited while it ran is newer.
touch "$kbuild/.lab-build-start"
# scripts_gdb: vmlinux-gdb.py and the lx-* commands, for make gdb.
kmake -s bzImage modules scripts_gdb
kmake -s headers >/dev/null
rm -rf "$kbuild/lab-modules"
kmake -s INSTALL_MOD_PATH="$kbuild/lab-modules" INSTALL_MOD_STRIP=1 \
	modules_install >/dev/null
# The installed modules' checksum, rewritten only when they changed: the
# base initramfs that carries them is rebuilt only then.
sum=$(cd "$kbuild/lab-modules" && find . -type f | LC_ALL=C sort | xargs -r sha256sum | sha256sum)
[ "$(cat "$kbuild/lab-modules.sum" 2>/dev/null)" = "$sum" ] ||
	echo "$sum" >"$kbuild/lab-modules.sum"
echo "$built_id" >"$built"
touch -r "$kbuild/.lab-build-start" "$built"
say "done: $(cat "$kbuild/include/config/kernel.release")"
