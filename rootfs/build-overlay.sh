#!/bin/sh
# Build an initramfs overlay: a second cpio archive that the launcher appends
# to the base initramfs for the boots that need it (a test tagged
# karg=lab.overlay=NAME), so large tools do not slow every boot.
#
# Usage: rootfs/build-overlay.sh OUT.cpio.gz SRC_DIR DEST_DIR [DEBIAN_BIN...]
#   SRC_DIR     files copied to DEST_DIR in the guest (e.g. /suites/bin)
#   DEBIAN_BIN  Debian tools (absolute host paths) installed in /usr/bin with
#               their shared libraries
set -eu

[ $# -ge 3 ] || {
	echo "usage: $0 OUT.cpio.gz SRC_DIR DEST_DIR [DEBIAN_BIN...]" >&2
	exit 2
}
out=$1 src=$2 dest=${3#/}
shift 3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

stage=$out.stage
rm -rf "$stage"
mkdir -p "$stage/$dest"
cp -a "$src"/. "$stage/$dest/"
for bin in "$@"; do
	install_debian_bin "$stage" "$bin" usr/bin
done
pack_cpio "$stage" "$out"
echo ">> rootfs: overlay $out ($(du -k "$out" | cut -f1) KiB)" >&2
