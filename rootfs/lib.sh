# Sourced by the rootfs scripts.

# install_debian_bin STAGE BIN DEST: copy Debian's dynamically linked BIN (an
# absolute host path) to STAGE/DEST/<name>, drop a busybox applet of that
# name, and add the shared libraries and loader ldd names.
install_debian_bin() {
	_stage=$1 _bin=$2 _dest=$3
	[ -x "$_bin" ] || { echo "rootfs: error: $_bin missing: run 'make deps'" >&2; return 1; }
	_name=$(basename "$_bin")
	for _d in bin sbin usr/bin usr/sbin; do
		[ -L "$_stage/$_d/$_name" ] && rm -f "$_stage/$_d/$_name"
	done
	mkdir -p "$_stage/$_dest"
	cp "$_bin" "$_stage/$_dest/$_name"
	install_libs "$_stage" "$_bin"
}

# install_libs STAGE BIN: the shared libraries and the loader ldd names for
# the host's BIN, at the same paths under STAGE.
install_libs() {
	ldd "$2" 2>/dev/null | awk '/=> \//{ print $3 } /^[ \t]*\/.*ld-linux/{ print $1 }' |
	while read -r _lib; do
		mkdir -p "$1$(dirname "$_lib")"
		[ -e "$1$_lib" ] || cp -L "$_lib" "$1$_lib"
	done
}

# pack_cpio STAGE OUT: STAGE as a reproducible newc archive (sorted names,
# fixed owner, every mtime 0: cpio's --reproducible keeps mtimes, and the
# same files must give the same bytes, which a timed boot unpacks in the same
# number of instructions), then STAGE removed. An OUT ending in .gz is
# gzip'ed (the overlays, which only some boots carry); any other is left
# uncompressed: under TCG the guest inflates 4 MB in about 0.4 s and copies
# the 9 MB it holds in 0.2 s.
pack_cpio() {
	find "$1" -mindepth 1 -exec touch -h -d @0 {} +
	case "$2" in
	*.gz) _compress="gzip -n -1" ;;
	*) _compress="cat" ;;
	esac
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 --reproducible | $_compress) >"$2.tmp"
	mv "$2.tmp" "$2"
	rm -rf "$1"
}
