#!/bin/sh
# Attach gdb to a guest that waits for it (make run GDB=1, make test GDB=1
# T=...): vmlinux with its DWARF, the kernel's gdb scripts (lx-dmesg,
# lx-symbols, lx-ps, ...) and the symbols of every module as it loads,
# ours and the kernel's, unstripped from the host's build directories.
#
# Usage: qemu/gdb.sh --kbuild DIR [--port N] [--break FUNC|--no-break]
#                    [--modules DIR]... [-- GDB-ARGS...]
#   --kbuild DIR   the kernel's object directory (vmlinux, vmlinux-gdb.py)
#   --port N       the guest's gdbstub port (default 1234)
#   --break FUNC   run the guest to FUNC first (default start_kernel: the
#                  guest waits at reset, where no kernel address is mapped
#                  yet), then load module symbols; --no-break attaches as is
#   --modules DIR  where lx-symbols looks for .ko files (repeatable; the
#                  kernel's object directory is always searched)
#   GDB-ARGS       passed to gdb after ours, e.g. -batch -ex 'lx-dmesg'
set -eu

die() { echo "gdb.sh: error: $*" >&2; exit 2; }

kbuild="" port=1234 brk=start_kernel mods=""
while [ $# -gt 0 ]; do
	case "$1" in
	--kbuild) kbuild=${2:?}; shift ;;
	--port) port=${2:?}; shift ;;
	--break) brk=${2:?}; shift ;;
	--no-break) brk="" ;;
	--modules) mods="$mods ${2:?}"; shift ;;
	--) shift; break ;;
	*) die "unknown option '$1' (see the comment at the top of $0)" ;;
	esac
	shift
done
command -v gdb >/dev/null 2>&1 || die "gdb is not installed (make deps)"
[ -f "$kbuild/vmlinux" ] || die "no vmlinux in '$kbuild' (make kernel)"
case "$port" in '' | *[!0-9]*) die "--port must be a TCP port, got '$port'" ;; esac
[ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "--port must be 1..65535, got '$port'"
for d in $mods; do
	[ -d "$d" ] || die "--modules $d is not a directory"
done
# Without DWARF gdb still attaches, but lx-* and file:line do not work.
grep -q '^CONFIG_DEBUG_INFO=y' "$kbuild/.config" 2>/dev/null ||
	echo "gdb.sh: note: this kernel has no debug info (CONFIG_DEBUG_INFO)" >&2

if [ -n "$brk" ]; then
	# A hardware breakpoint: a software one written at reset would be
	# overwritten when the kernel is decompressed over it. lx-symbols also
	# breaks on every module load to add its symbols.
	# shellcheck disable=SC2086
	set -- -ex "hbreak $brk" -ex continue -ex delete \
		-ex "lx-symbols $kbuild $mods" "$@"
fi
exec gdb -q -iex "add-auto-load-safe-path $kbuild" -ex "file $kbuild/vmlinux" \
	-ex "target remote 127.0.0.1:$port" "$@"
