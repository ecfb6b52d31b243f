#!/bin/sh
# Install the Debian packages the lab needs. Idempotent: when everything is
# already installed it only runs dpkg-query and returns within a second.
# Usage: ci/deps.sh [--check]   (--check: report what is missing, install nothing)
set -eu

# The kernel source is pinned: the series is written against this exact tree.
KERNEL_DEB_VERSION=6.12.117-1~deb12u1

PACKAGES="build-essential git flex bison bc cpio kmod libelf-dev libssl-dev
ccache xz-utils zstd rsync dpkg-dev busybox-static libnuma-dev
qemu-system-x86 qemu-system-common seabios ipxe-qemu libfdt-dev libglib2.0-dev libpixman-1-dev
ninja-build meson pkg-config python3 gnuplot-nox linux-source-6.12
e2fsprogs stress-ng numactl accel-config gdb"

# One dpkg-query for all (one per package took a second).
# shellcheck disable=SC2086
installed=$(dpkg-query -W -f='${Package} ${Status}\n' $PACKAGES 2>/dev/null |
	sed -n 's/ install ok installed$//p' | tr '\n' ' ' || true)
missing=""
for p in $PACKAGES; do
	case " $installed " in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done
have_kver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)
if [ -n "$have_kver" ] && [ "$have_kver" != "$KERNEL_DEB_VERSION" ]; then
	echo "deps: linux-source-6.12 $have_kver installed, need $KERNEL_DEB_VERSION" >&2
	missing="$missing linux-source-6.12"
fi

if [ -z "$missing" ]; then
	exit 0
fi
if [ "${1:-}" = "--check" ]; then
	echo "deps: missing:$missing" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing:$missing; run 'make deps' as root (apt-get install)" >&2
	exit 1
fi

echo ">> deps: installing:$missing" >&2
# QEMU's source comes from 'apt-get source', which needs deb-src entries.
src=/etc/apt/sources.list.d/dsa-migrate-devenv-src.sources
if ! grep -rqs '^Types:.*deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	cat > "$src" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
pkgs=$(echo "$missing" | sed "s/linux-source-6.12/linux-source-6.12=$KERNEL_DEB_VERSION/")
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends --allow-downgrades $pkgs >/dev/null
echo ">> deps: done" >&2
