# Test selection, shared by the host (tests/run-guest.sh) and the guest's
# /init (installed as /tests/select.sh), so both agree on what runs.
# lab_select MANIFEST GLOBS: print "name timeout boot [karg...]" for each
# selected test.
# GLOBS is a comma-separated list of shell globs; empty selects every test of
# the "default" set, an explicit glob may also name tests of the "extra" set.
# A glob with a leading '!' drops the tests it matches; GLOBS of only such
# globs is the default set without them (T='!soak-short').
lab_select() {
	set -f	# the globs are patterns for test names, not for files
	# Split once: a fork per manifest line cost the guest 1.7 s under TCG.
	_globs=$(echo "$2" | tr ',' ' ')
	_take="" _drop=""
	for _glob in $_globs; do
		case "$_glob" in
		!*) _drop="$_drop ${_glob#!}" ;;
		*) _take="$_take $_glob" ;;
		esac
	done
	while read -r _name _timeout _set _boot _kargs; do
		_sel=0
		if [ -z "$_take" ]; then
			[ "$_set" != default ] || _sel=1
		fi
		for _glob in $_take; do
			# shellcheck disable=SC2254
			case "$_name" in $_glob) _sel=1; break ;; esac
		done
		for _glob in $_drop; do
			# shellcheck disable=SC2254
			case "$_name" in $_glob) _sel=0; break ;; esac
		done
		[ "$_sel" = 0 ] || echo "$_name $_timeout $_boot${_kargs:+ $_kargs}"
	done <"$1"
	set +f
}
