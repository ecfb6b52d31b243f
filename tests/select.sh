# Test selection, shared by the host (tests/run-guest.sh) and the guest's
# /init (installed as /tests/select.sh), so both agree on what runs.
# lab_select MANIFEST GLOBS: print "name timeout boot [karg...]" for each
# selected test.
# GLOBS is a comma-separated list of shell globs; empty selects every test of
# the "default" set, an explicit glob may also name tests of the "extra" set.
lab_select() {
	set -f	# the globs are patterns for test names, not for files
	# Split once: a fork per manifest line cost the guest 1.7 s under TCG.
	_globs=$(echo "$2" | tr ',' ' ')
	while read -r _name _timeout _set _boot _kargs; do
		if [ -z "$2" ]; then
			[ "$_set" = default ] && echo "$_name $_timeout $_boot${_kargs:+ $_kargs}"
			continue
		fi
		for _glob in $_globs; do
			# shellcheck disable=SC2254
			case "$_name" in
			$_glob)
				echo "$_name $_timeout $_boot${_kargs:+ $_kargs}"
				break
				;;
			esac
		done
	done <"$1"
	set +f
}
