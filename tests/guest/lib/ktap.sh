#!/bin/sh
# ktap - the shell's one KTAP writer, the counterpart of ktap.c: the guest's
# /init (its results, each test's output nested), the guest's shell tests
# (through sh-lib), the host tests, the qtest wrapper and the fake QEMU of
# the host tests source it.  In the guest it is /tests/bin/ktap.  POSIX sh:
# busybox ash in the guest, dash on the host.  A library, not a test.
#
# Every line goes through ktap_out LINE, which prints it on stdout; a caller
# that wants its lines elsewhere (/init: both consoles) defines its own
# ktap_out after sourcing this.  ktap_indent is written before every line:
# empty for a document of its own, four spaces a level for one nested in
# another (ktap_nest_begin / ktap_nest_end).
#
#   ktap_header                      "KTAP version 1"
#   ktap_plan N                      the header and "1..N"; results count from 1
#   ktap_plan_last N                 "1..N" alone, for a document that knows
#                                    its size only at its end (TAP allows it)
#   ktap_result RC NAME [DIRECTIVE]  the next result: "ok" when RC is 0, else
#                                    "not ok"; then " # DIRECTIVE" if given
#   ktap_diag TEXT                   "# " before each line of TEXT
#   ktap_nest [PREFIX]               each line of stdin one level deeper,
#                                    after PREFIX (a nested test's output)
#   ktap_nest_begin, ktap_nest_end   write a nested document in between: one
#                                    level deeper, with a count of its own
#   ktap_abort MESSAGE               "# ERROR: MESSAGE", every result still
#                                    planned "not ok", exit 1
#   ktap_finish                      exit 1 if a result was "not ok", else 0

ktap_indent=""
ktap_n=0
ktap_planned=0
ktap_failed=0
ktap_stack=""

ktap_out() {
	printf '%s\n' "$1"
}

ktap_header() {
	ktap_out "${ktap_indent}KTAP version 1"
}

ktap_plan() {
	ktap_n=0
	ktap_planned=$1
	ktap_header
	ktap_out "${ktap_indent}1..$1"
}

ktap_plan_last() {
	ktap_out "${ktap_indent}1..$1"
}

ktap_result() {
	ktap_n=$((ktap_n + 1))
	if [ "$1" -eq 0 ]; then
		ktap_out "${ktap_indent}ok $ktap_n $2${3:+ # $3}"
	else
		ktap_out "${ktap_indent}not ok $ktap_n $2${3:+ # $3}"
		ktap_failed=1
	fi
}

ktap_diag() {
	printf '%s\n' "$1" | while IFS= read -r ktap_line; do
		ktap_out "$ktap_indent# $ktap_line"
	done
}

# A line without its newline at the end of the input is left out: /init has
# always nested a test's output this way.
ktap_nest() {
	while IFS= read -r ktap_line; do
		ktap_out "$ktap_indent    ${1:-}$ktap_line"
	done
}

# The outer document's count waits on a stack ("N PLANNED ...") meanwhile.
ktap_nest_begin() {
	ktap_stack="$ktap_n $ktap_planned $ktap_stack"
	ktap_indent="$ktap_indent    "
}

ktap_nest_end() {
	ktap_n=${ktap_stack%% *}
	ktap_stack=${ktap_stack#* }
	ktap_planned=${ktap_stack%% *}
	ktap_stack=${ktap_stack#* }
	ktap_indent=${ktap_indent%    }
}

ktap_abort() {
	ktap_out "$ktap_indent# ERROR: $1"
	while [ "$ktap_n" -lt "$ktap_planned" ]; do
		ktap_result 1 aborted
	done
	exit 1
}

ktap_finish() {
	exit "$ktap_failed"
}
