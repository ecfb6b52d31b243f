# Host tests of the shared directory (SHARE=, run-vm.sh --share): sourced by
# run-host-tests.sh, whose result, launcher_case, $tmp and environment they use.

# Bad input is refused before anything starts, naming the problem.
mkdir -p "$tmp/share/dir"
: >"$tmp/share/file"
share_rejects() {	# share_rejects NAME RUN-VM-FLAGS...
	_name=$1
	shift
	code=0
	"$top/qemu/run-vm.sh" --kernel "$tmp/k" --initrd "$tmp/k" --run-dir "$tmp/vm" --dry-run "$@" \
		>"$tmp/out" 2>&1 || code=$?
	if [ "$code" = 2 ] && grep -q -- "run-vm: error:.*--share" "$tmp/out"; then
		result OK "$_name"
	else
		result FAIL "$_name" "exit $code: $(cat "$tmp/out")"
	fi
}
share_rejects "launcher-rejects --share of a missing directory" --share "$tmp/share/none"
share_rejects "launcher-rejects --share of a file" --share "$tmp/share/file"
share_rejects "launcher-rejects --share ''" --share ''
share_rejects "launcher-rejects --share with --timing" --share "$tmp/share/dir" --dsa --timing spr
VIRTIOFSD=$tmp/share/none share_rejects "launcher-rejects --share without virtiofsd" --share "$tmp/share/dir"
# Sharing: vhost-user-fs on a socket, the guest's RAM shared memfd memory,
# lab.share=1 for /init; without it, the machine is unchanged.
launcher_case launcher-share "--share $tmp/share/dir" \
	"'memory-backend-memfd,id=mem0,size=1G,share=on'" "'memory-backend-memfd,id=mem1,size=1G,share=on'" \
	"'-chardev' 'socket,id=share0,path=" "'-device' 'vhost-user-fs-pci,chardev=share0,tag=host'" \
	"lab.share=1'"
launcher_case launcher-no-share-no-shared-memory "" "'memory-backend-ram,id=mem0,size=1G'"
grep -q 'memfd\|vhost-user\|lab.share' "$tmp/out" &&
	result FAIL "launcher-no-share-no-shared-memory" "a boot without --share got: $(cat "$tmp/out")"
code=0
make -s -C "$top" help SHARE="$tmp/share/none" >"$tmp/out" 2>&1 || code=$?
mcode=0
make -s -C "$top" help SHARE=1 TIMING=1 >>"$tmp/out" 2>&1 || mcode=$?
rcode=0
SHARE=$tmp/share/none DSA=0 BUILD=$tmp/bad BZIMAGE=$tmp/k INITRD=$tmp/k MANIFEST=$tmp/fake-manifest \
	VERDICT=true "$top/tests/run-guest.sh" >>"$tmp/out" 2>&1 || rcode=$?
if [ "$code" != 0 ] && [ "$mcode" != 0 ] && [ "$rcode" != 0 ] &&
	grep -q "SHARE=$tmp/share/none: no such directory" "$tmp/out" &&
	grep -q "SHARE=1 and TIMING=spr: virtiofsd answers the guest in host time" "$tmp/out" &&
	grep -q "SHARE=$tmp/share/none is not a directory" "$tmp/out"; then
	result OK "make-and-run-guest-reject-bad-SHARE"
else
	result FAIL "make-and-run-guest-reject-bad-SHARE" "exit $code/$mcode/$rcode: $(cat "$tmp/out")"
fi

# virtiofsd ends with the boot on every way out: QEMU failing at once, the
# timeout killing it, and the launcher itself killed with SIGKILL.
vfs_left() {	# vfs_left DIR: the virtiofsd processes serving DIR
	ps -eo args | grep -c "virtiofsd .*source=$1\( \|$\)" || true
}
vfs_socks() { ls -d /tmp/run-vm-share.* 2>/dev/null || true; }
printf '#!/bin/sh\nexec sleep "${FAKE_QEMU_SLEEP:-0}"\n' >"$tmp/share/qemu"
chmod +x "$tmp/share/qemu"
vfs_case() {	# vfs_case NAME SLEEP TIMEOUT WANT_CODE
	socks=$(vfs_socks)
	code=0
	FAKE_QEMU_SLEEP=$2 "$top/qemu/run-vm.sh" --kernel "$tmp/k" --initrd "$tmp/k" \
		--run-dir "$tmp/share/vm" --qemu "$tmp/share/qemu" --share "$tmp/share/dir" \
		--timeout "$3" >"$tmp/out" 2>&1 || code=$?
	if [ "$code" = "$4" ] && [ "$(vfs_left "$tmp/share/dir")" = 0 ] && [ "$(vfs_socks)" = "$socks" ] &&
		grep -q 'Waiting for vhost-user socket connection' "$tmp/share/vm/virtiofsd.log"; then
		result OK "$1"
	else
		result FAIL "$1" "exit $code (want $4), virtiofsd left: $(vfs_left "$tmp/share/dir"), sockets before: $socks, after: $(vfs_socks); $(cat "$tmp/out")"
	fi
}
if [ -x "${VIRTIOFSD:-/usr/lib/qemu/virtiofsd}" ]; then
	vfs_case share-virtiofsd-ends-when-qemu-fails 0 0 0
	vfs_case share-virtiofsd-ends-at-the-timeout 30 1 124
	socks=$(vfs_socks)
	FAKE_QEMU_SLEEP=30 "$top/qemu/run-vm.sh" --kernel "$tmp/k" --initrd "$tmp/k" \
		--run-dir "$tmp/share/vm" --qemu "$tmp/share/qemu" --share "$tmp/share/dir" \
		--timeout 3 >"$tmp/out" 2>&1 &
	vmpid=$!
	w=0
	while [ "$w" -lt 50 ] && [ "$(vfs_left "$tmp/share/dir")" = 0 ]; do
		sleep 0.1
		w=$((w + 1))
	done
	kill -KILL "$vmpid"
	wait "$vmpid" 2>/dev/null || true
	w=0
	while [ "$w" -lt 50 ] && [ "$(vfs_left "$tmp/share/dir")" != 0 ]; do
		sleep 0.1
		w=$((w + 1))
	done
	if [ "$w" -lt 50 ]; then
		result OK "share-virtiofsd-ends-with-a-killed-launcher"
	else
		result FAIL "share-virtiofsd-ends-with-a-killed-launcher" "virtiofsd still runs: $(vfs_left "$tmp/share/dir")"
	fi
	# the socket directory a killed launcher leaves behind (qemu/README.md)
	for d in $(vfs_socks); do
		echo "$socks" | grep -qxF "$d" || rm -rf "$d"
	done
else
	result FAIL "share-virtiofsd" "no virtiofsd at ${VIRTIOFSD:-/usr/lib/qemu/virtiofsd} (make deps)"
fi

# A real boot with SHARE=1 on a copy of the build output: a guest program
# that only the copy has (not the initramfs) runs from the shared
# /tests/bin, reads a file the host wrote and writes one back; our modules
# in the guest are the copy's.
if [ -f "${BZIMAGE:-}" ] && [ -f "${INITRD:-}" ] && [ -d "$(dirname "${MANIFEST:-/none}")/bin" ] &&
	[ -d "${MOD_OUT:-/none}" ]; then
	sb=$tmp/share/build/default
	mkdir -p "$sb/guest"
	cp -a "$(dirname "$MANIFEST")/bin" "$MANIFEST" "$sb/guest/"
	cp -a "$MOD_OUT" "$sb/modules"
	token=host-$$-$(date +%s)
	echo "$token" >"$sb/from-host"
	cat >"$sb/guest/bin/share-probe" <<'EOF'
#!/bin/sh
echo "probe read: $(cat /host/from-host)"
echo "guest wrote this" >/host/from-guest
for ko in $(find /host/modules -name '*.ko'); do
	cmp "$ko" "/lib/modules/$(uname -r)/extra/${ko##*/}" || exit 1
done
echo "probe modules: $(find /host/modules -name '*.ko' | wc -l) from the host"
EOF
	chmod +x "$sb/guest/bin/share-probe"
	code=0
	LAB_CMD=share-probe SHARE=1 MOD_OUT=$sb/modules BUILD=$tmp/share/run TIMEOUT=120 \
		"$top/tests/run-guest.sh" --interactive </dev/null >"$tmp/out" 2>&1 || code=$?
	if [ "$code" = 0 ] && grep -qx "probe read: $token" "$tmp/out" &&
		[ "$(cat "$sb/from-guest" 2>/dev/null)" = "guest wrote this" ] &&
		grep -q '^probe modules: [1-9][0-9]* from the host$' "$tmp/out" &&
		[ "$(vfs_left "$sb")" = 0 ]; then
		result OK "share-build-output-used-by-the-guest"
	else
		result FAIL "share-build-output-used-by-the-guest" "exit $code:
$(tail -n 20 "$tmp/out")"
	fi
else
	result FAIL "share-build-output-used-by-the-guest" "no kernel/initramfs/guest programs/modules built"
fi

# SHARE=1: a changed guest program is still built, but the initramfs's
# tests part is not repacked for it (the guest runs the share's copy);
# without SHARE the same change repacks it (and the initramfs is made
# whole again, as make test left it).
if [ -f "${INITRD:-}" ] && [ -f "${MANIFEST:-}" ] && [ -n "${BUILD:-}" ]; then
	part=$(dirname "$INITRD")/initramfs-tests.cpio
	prog=$(dirname "$MANIFEST")/bin/numa-nodes
	before=$(stat -c %y "$part")
	touch "$prog"
	code=0
	make -s -C "$top" BUILD="$BUILD" FLAVOUR="${FLAVOUR:-default}" SHARE=1 "$part" \
		>"$tmp/out" 2>&1 || code=$?
	shared=$(stat -c %y "$part")
	make -s -C "$top" BUILD="$BUILD" FLAVOUR="${FLAVOUR:-default}" "$part" "$INITRD" \
		>>"$tmp/out" 2>&1 || code=$?
	plain=$(stat -c %y "$part")
	if [ "$code" = 0 ] && [ "$shared" = "$before" ] && [ "$plain" != "$before" ]; then
		result OK "share-build-output-no-repack"
	else
		result FAIL "share-build-output-no-repack" \
			"exit $code; the tests part: $before, after make SHARE=1: $shared (want the same), after make: $plain (want newer): $(cat "$tmp/out")"
	fi
else
	result FAIL "share-build-output-no-repack" "no initramfs or guest programs built"
fi
