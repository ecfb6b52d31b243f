#!/bin/sh
# Build our QEMU (Debian's qemu 7.2 source + qemu/patches/series + the
# device sources under qemu/hw and qemu/tests) out of tree.
#
# usage: qemu/build.sh <cache-dir>
#
# The Debian source is fetched with `apt-get source` once and unpacked (with
# Debian's own patches) under <cache-dir>.  Our patch series is applied
# with `git am` into a tree keyed by a hash of (source version, patches,
# configure flags); the device sources are then copied over the tree
# when their content differs (they are not part of the key, so a device
# edit reuses the configured tree and recompiles only the edited files).
# Built with ninja and ccache; nothing is rebuilt when nothing changed.
# The device's qtest (tests/qtest/intel-dsa-test, run by qemu/qtest.sh)
# is built next to the binary.  Progress goes to stderr; the
# last stdout line is the path of the qemu-system-x86_64 binary.
#
# Environment: JOBS (ninja -j, default 2), QEMU_DEB_VERSION (Debian version),
# SANITIZE (1: build with ASan + UBSan, --enable-sanitizers, for the fuzzer;
# its trees are san-tree-<key>, kept apart from the plain ones).
set -eu

usage() {
	echo "usage: $0 <cache-dir>" >&2
	exit 2
}
[ $# -eq 1 ] || usage
[ -n "$1" ] || usage

here=$(cd "$(dirname "$0")" && pwd)
patchdir=$here/patches
cache=$(mkdir -p "$1" && cd "$1" && pwd)
qdir=$cache
jobs=${JOBS:-2}
deb_version=${QEMU_DEB_VERSION:-1:7.2+dfsg-7+deb12u18}
upstream=$(echo "$deb_version" | sed 's/^[0-9]*://; s/-[^-]*$//')
configure_flags="--target-list=x86_64-softmmu --without-default-features \
--enable-tcg --enable-fdt=system --disable-install-blobs --disable-docs"
case ${SANITIZE:-0} in
0)
	flavour=tree
	# vhost-user: the vhost-user-fs-pci device for a shared directory
	# (run-vm.sh --share, virtiofsd); the fuzzer's sanitizer build needs none.
	configure_flags="$configure_flags --enable-vhost-user"
	;;
1)
	flavour=san-tree
	# QEMU 7.2 probes UBSan with -Werror, which GCC 12 fails on a
	# maybe-uninitialized warning: ask for it directly, and no -Werror
	# (GCC 12 with ASan warns in code that is not ours).  -O1, as ASan
	# suggests, after the -O2 of the build type: the objects compile in
	# about 35 % less time (a cold build is most of a cold CI's fuzz step),
	# and the fuzzer is bound by qtest round trips, not by the code.
	configure_flags="$configure_flags --enable-sanitizers --disable-werror \
--extra-cflags=-fsanitize=undefined --extra-cflags=-O1 \
--extra-ldflags=-fsanitize=undefined"
	;;
*)
	echo "$0: SANITIZE must be 0 or 1, not '$SANITIZE'" >&2
	exit 2
	;;
esac

log() {
	echo "qemu/build.sh: $*" >&2
}

die() {
	log "error: $*"
	exit 1
}

mkdir -p "$qdir"
# One unpacker at a time per cache, then one builder per flavour (a
# sanitizer build does not hold up a plain one); others wait and reuse.
exec 9>"$qdir/.lock"
flock 9

# 1. Pristine Debian source, unpacked once.
pristine=$qdir/src-$(echo "$deb_version" | tr ':' '_')
if [ ! -f "$pristine/.unpacked" ]; then
	command -v apt-get >/dev/null || die "apt-get not found"
	log "fetching qemu=$deb_version with apt-get source"
	rm -rf "$pristine" "$qdir/dl"
	mkdir -p "$qdir/dl"
	(cd "$qdir/dl" && apt-get source --download-only "qemu=$deb_version" >&2) ||
		die "apt-get source failed (is a deb-src line for bookworm configured?)"
	dsc=$(ls "$qdir"/dl/qemu_*.dsc)
	dpkg-source -x "$dsc" "$pristine.tmp" >&2
	echo "$deb_version" >"$pristine.tmp/.debian-version"
	touch "$pristine.tmp/.unpacked"
	mv "$pristine.tmp" "$pristine"
	# dpkg-source leaves a copy of the orig tarball next to the tree
	rm -rf "$qdir/dl" "$qdir"/qemu_*.orig.tar.*
fi
exec 9>"$qdir/.lock-$flavour"
flock 9

# 2. Key of the patched tree.
[ -f "$patchdir/series" ] || die "missing $patchdir/series"
patches=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$patchdir/series")
for p in $patches; do
	[ -f "$patchdir/$p" ] || die "series lists missing patch $p"
done
key=$({
	echo "$deb_version"
	echo "$configure_flags"
	for p in $patches; do
		echo "$p"
		cat "$patchdir/$p"
	done
} | sha256sum | cut -c1-16)
tree=$qdir/$flavour-$key
bin=$tree/build/qemu-system-x86_64

# 3. Patched source.
if [ ! -f "$tree/.patched" ]; then
	log "preparing patched tree $tree"
	rm -rf "$tree"
	mkdir -p "$tree"
	cp -a "$pristine" "$tree/src"
	(
		cd "$tree/src"
		git init -q
		git -c user.name=build -c user.email=build@invalid add -A -f .
		git -c user.name=build -c user.email=build@invalid \
			commit -q -m "qemu $deb_version (Debian source)"
		for p in $patches; do
			log "applying $p"
			git -c user.name=build -c user.email=build@invalid \
				am -q --whitespace=nowarn "$patchdir/$p" >&2 ||
				{ git am --abort >/dev/null 2>&1; exit 1; }
		done
	) || die "patch series does not apply"
	touch "$tree/.patched"
fi

# Up to date: this tree's last build finished, and no device source changed
# since it started (the key covers the rest). Skips ninja's own no-op walk
# (1 to 5 s here).
if [ -x "$bin" ] && [ -f "$tree/.lab-built" ] &&
	[ -z "$(find "$here/hw" "$here/tests" -newer "$tree/.lab-built" -print -quit 2>/dev/null)" ]; then
	log "up to date ($tree)"
	echo "$bin"
	exit 0
fi
rm -f "$tree/.lab-built"
touch "$tree/.lab-build-start"

# 4. The device and its qtest are plain files here (qemu/hw, qemu/tests),
# not patches, so that editing them keeps the tree key.  Copy only what
# changed: unchanged files keep their mtime, so ninja recompiles only the
# edited sources and meson does not reconfigure.
for top in hw tests; do
	[ -d "$here/$top" ] || continue
	for f in $(cd "$here" && find "$top" -type f -name "*.[ch]" |
		LC_ALL=C sort); do
		dst=$tree/src/$f
		if ! cmp -s "$here/$f" "$dst"; then
			log "updating $f"
			mkdir -p "$(dirname "$dst")"
			cp "$here/$f" "$dst.tmp"
			mv "$dst.tmp" "$dst"
		fi
	done
done

# 5. Configure and build.  ccache: paths relative to the tree and no cwd in
# the hash, so trees with other keys reuse every unchanged object.
export CCACHE_BASEDIR="$tree"
export CCACHE_NOHASHDIR=1
if [ ! -f "$tree/build/build.ninja" ]; then
	log "configuring (qemu $upstream, $configure_flags)"
	rm -rf "$tree/build"
	mkdir -p "$tree/build"
	# shellcheck disable=SC2086
	(cd "$tree/build" && ../src/configure --cc="ccache gcc" \
		--host-cc="ccache gcc" $configure_flags >&2) ||
		die "configure failed (see above)"
fi
start=$(date +%s)
log "building with ninja -j$jobs in $tree/build"
ninja -C "$tree/build" -j "$jobs" qemu-system-x86_64 \
	tests/qtest/intel-dsa-test tests/qtest/intel-dsa-fuzz >&2 || die "build failed"
log "built in $(($(date +%s) - start))s"
[ -x "$bin" ] || die "no binary at $bin"
mv "$tree/.lab-build-start" "$tree/.lab-built"

# Old trees cost ~1 GiB each: keep this one and the previous one.
for old in $(ls -dt "$qdir/$flavour"-* 2>/dev/null | tail -n +3); do
	log "removing old tree $old"
	rm -rf "$old"
done
echo "$bin"
