#!/bin/sh
# Assemble the guest initramfs in two parts, concatenated by the Makefile
# (the kernel unpacks concatenated archives in order, a later file replacing
# an earlier one), so an edit rebuilds only the part it touches:
#   base   busybox (Debian's busybox-static), Debian's mke2fs and accel-config
#          with the lab's DSA configurations, the kernel's modules: changes
#          only with the kernel's modules or this directory
#   tests  /init, the guest test programs and their manifest, our modules
#          (extra/, with the module index depmod made over all of them)
#
# Usage: rootfs/build-initramfs.sh base OUT.cpio KBUILD
#        rootfs/build-initramfs.sh tests OUT.cpio KBUILD BASE.cpio GUEST_BIN_DIR MANIFEST [KO...]
#   KBUILD        kernel build dir (has lab-modules/ from modules_install)
#   BASE.cpio     the base part: libraries it already holds are left out
#   GUEST_BIN_DIR guest programs and scripts, copied to /tests/bin
#   MANIFEST      "name timeout set boot [karg...]" lines (tests/manifest.sh),
#                 copied to /tests/manifest
#   KO...         out-of-tree modules, installed under /lib/modules/<rel>/extra
set -eu

usage() {
	echo "usage: $0 base OUT.cpio KBUILD" >&2
	echo "       $0 tests OUT.cpio KBUILD BASE.cpio GUEST_BIN_DIR MANIFEST [KO...]" >&2
	exit 2
}
[ $# -ge 3 ] || usage
part=$1 out=$2 kbuild=$3
shift 3
case "$part" in
base) [ $# = 0 ] || usage ;;
tests) [ $# -ge 3 ] || usage ;;
*) usage ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
busybox=/bin/busybox

die() { echo "rootfs: error: $*" >&2; exit 1; }
rel=$(cat "$kbuild/include/config/kernel.release") ||
	die "no kernel release in $kbuild: build the kernel first"
kmods=$kbuild/lab-modules/lib/modules/$rel
[ -d "$kmods" ] || die "no installed modules in $kbuild/lab-modules"

stage=$out.stage
rm -rf "$stage"
mkdir -p "$stage"
cd "$stage"

if [ "$part" = base ]; then
	[ -x "$busybox" ] || die "$busybox missing: run 'make deps' (busybox-static)"
	mkdir -p bin sbin usr/bin usr/sbin etc proc sys dev tmp run root lib/modules
	cp "$busybox" bin/busybox
	"$busybox" --list-full | while read -r applet; do
		[ -e "$applet" ] || echo "$applet"
	done | xargs -r -n 64 sh -c 'for a; do ln -s /bin/busybox "$a"; done' sh
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >etc/passwd
	printf 'root:x:0:\nnogroup:x:65534:\n' >etc/group
	# Debian's mke2fs: busybox's makes ext2 only, the lab wants real ext4.
	install_debian_bin "$stage" /usr/sbin/mke2fs usr/sbin
	# Debian's accel-config (libaccel-config): DSA configuration as DSA
	# users do it, with the lab's committed configurations.
	install_debian_bin "$stage" /usr/bin/accel-config usr/bin
	cp -a "$here/etc/accel-config" etc/
	cp -a "$kmods" lib/modules/
	rm -f "lib/modules/$rel/build" "lib/modules/$rel/source"
	depmod -b "$stage" "$rel"
	cd /
	pack_cpio "$stage" "$out"
	echo ">> rootfs: base $out ($(du -k "$out" | cut -f1) KiB, kernel $rel)" >&2
	exit 0
fi

base=$1 bindir=$2 manifest=$3
shift 3
[ -f "$base" ] || die "no base part at $base"
mkdir -p tests/bin "lib/modules/$rel"
cp "$here/init" init
chmod 755 init
# depmod over the kernel's modules and ours: the index (modules.*) replaces
# the base's; the kernel's own modules are in the base already.
cp -a "$kmods/." "lib/modules/$rel/"
rm -f "lib/modules/$rel/build" "lib/modules/$rel/source"
if [ $# -gt 0 ]; then
	mkdir -p "lib/modules/$rel/extra"
	cp "$@" "lib/modules/$rel/extra/"
	# The guest needs no DWARF; the host keeps the unstripped modules for
	# gdb and for symbolizing splats.
	strip --strip-debug "lib/modules/$rel/extra/"*.ko
fi
depmod -b "$stage" "$rel"
(cd "lib/modules/$rel" && find . -mindepth 1 -maxdepth 1 ! -name 'modules.*' ! -name extra \
	-exec rm -rf {} +)

cp -a "$bindir"/. tests/bin/
# The guest programs are linked against the host's shared libraries, which
# come along (one libc for all of them, not one per static binary). Debug
# info stays in the host's copies (build/<flavour>/guest/bin): a stripped
# initramfs is smaller to pack and quicker for the kernel to unpack.
for f in tests/bin/*; do
	case "$(head -c 4 "$f" | od -An -c | tr -d ' ')" in
	177ELF)
		strip --strip-debug "$f"
		install_libs "$stage" "$bindir/${f#tests/bin/}"
		;;
	esac
done
# Shared libraries the base holds already are not carried twice (the
# module index is: it replaces the base's).
cpio --quiet -it <"$base" | while read -r f; do
	case "$f" in
	lib/modules/*) ;;
	lib/* | lib64/* | usr/lib/*) [ ! -f "$f" ] || rm -f "$f" ;;
	esac
done
cp "$manifest" tests/manifest
cp "$here/../tests/select.sh" tests/select.sh

cd /
pack_cpio "$stage" "$out"
echo ">> rootfs: tests $out ($(du -k "$out" | cut -f1) KiB)" >&2
