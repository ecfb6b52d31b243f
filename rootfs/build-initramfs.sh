#!/bin/sh
# Assemble the guest initramfs: busybox (Debian's busybox-static), /init, the
# guest test programs and their manifest, the kernel's modules and ours.
#
# Usage: rootfs/build-initramfs.sh OUT.cpio KBUILD GUEST_BIN_DIR MANIFEST [KO...]
#   KBUILD        kernel build dir (has lab-modules/ from modules_install)
#   GUEST_BIN_DIR static guest programs and scripts, copied to /tests/bin
#   MANIFEST      "name timeout set boot [karg...]" lines (tests/manifest.sh),
#                 copied to /tests/manifest
#   KO...         out-of-tree modules, installed under /lib/modules/<rel>/extra
set -eu

[ $# -ge 4 ] || {
	echo "usage: $0 OUT.cpio KBUILD GUEST_BIN_DIR MANIFEST [KO...]" >&2
	exit 2
}
out=$1 kbuild=$2 bindir=$3 manifest=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
busybox=/bin/busybox

die() { echo "rootfs: error: $*" >&2; exit 1; }
[ -x "$busybox" ] || die "$busybox missing: run 'make deps' (busybox-static)"
rel=$(cat "$kbuild/include/config/kernel.release") ||
	die "no kernel release in $kbuild: build the kernel first"
[ -d "$kbuild/lab-modules/lib/modules/$rel" ] ||
	die "no installed modules in $kbuild/lab-modules"

stage=$out.stage
rm -rf "$stage"
mkdir -p "$stage"
cd "$stage"
mkdir -p bin sbin usr/bin usr/sbin etc proc sys dev tmp run root \
	lib/modules tests/bin

cp "$busybox" bin/busybox
for applet in $("$busybox" --list-full); do
	[ -e "$applet" ] || ln -s /bin/busybox "$applet"
done
cp "$here/init" init
chmod 755 init
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >etc/passwd
printf 'root:x:0:\nnogroup:x:65534:\n' >etc/group

# Debian's mke2fs: busybox's makes ext2 only, the lab wants real ext4.
install_debian_bin "$stage" /usr/sbin/mke2fs usr/sbin
# Debian's accel-config (libaccel-config): DSA configuration as DSA users
# do it, with the lab's committed configurations in /etc/accel-config.
install_debian_bin "$stage" /usr/bin/accel-config usr/bin
cp -a "$here/etc/accel-config" etc/

cp -a "$kbuild/lab-modules/lib/modules/$rel" lib/modules/
rm -f "lib/modules/$rel/build" "lib/modules/$rel/source"
if [ $# -gt 0 ]; then
	mkdir -p "lib/modules/$rel/extra"
	cp "$@" "lib/modules/$rel/extra/"
	# The guest needs no DWARF; the host keeps the unstripped modules for
	# gdb and for symbolizing splats.
	strip --strip-debug "lib/modules/$rel/extra/"*.ko
fi
depmod -b "$stage" "$rel"

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
cp "$manifest" tests/manifest
cp "$here/../tests/select.sh" tests/select.sh

cd /
pack_cpio "$stage" "$out"
echo ">> rootfs: $out ($(du -k "$out" | cut -f1) KiB, kernel $rel)" >&2
