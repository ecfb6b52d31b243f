#!/bin/sh
# suite-common - sourced by the suite-* tests (installed without .sh), which
# run independent test suites (the kernel's mm selftests, stress-ng,
# numactl) in the guest with dsa_migrate registered.  A tool, not a test.
#
# Each invocation of a suite program is one KTAP result.  An invocation or
# subtest that fails or skips here for a known reason is on the skip
# allow-list (tests/skips.txt), with that reason, and is reported as a
# SKIP; any other failure or skip fails the result.
#
# Provides (besides the KTAP writer and sh-lib's counters): suite_run
# NAME TIMEOUT CMD..., suite_skip NAME, suite_allowed NAME,
# suite_provider_up, suite_provider_check MIN_PCT.
. "$(dirname "$0")/sh-lib"

SUITE_DIR=/suites
SUITE_LOG=/tmp/suite.out

# Invocations and subtests that may not pass in this guest, with the
# reason: the "*" lines of this suite in the run's skip allow-list
# (tests/skips.txt, carried by the suites overlay), which the host's
# verdict checks the reported skips against too.
SUITE_NAME=$(basename "$0")

# The allow-list reason for NAME, empty when it is not listed: the first
# "*" entry whose key, a shell pattern, matches SUITE:NAME.
suite_allowed() {
	while read -r _when _key _why; do
		[ "$_when" = "*" ] || continue
		# shellcheck disable=SC2254 # the key is a pattern
		case "$SUITE_NAME:$1" in
		$_key)
			echo "$_why"
			return 0
			;;
		esac
	done <"$SUITE_DIR/skips.txt"
}

# An allow-listed subtest that was excluded from its invocation.
suite_skip() {
	_why=$(suite_allowed "$1")
	if [ -n "$_why" ]; then
		ktap_result 0 "$1" "SKIP allow-listed: $_why"
	else
		ktap_result 1 "$1" "skipped but not on the allow-list"
	fi
}

# Run CMD with a time limit; its output becomes diagnostics. The result
# passes on exit 0; exit 4 (kselftest's and stress-ng's "skipped") and
# anything else fail unless NAME is allow-listed.
suite_run() { # suite_run NAME TIMEOUT CMD...
	_name=$1 _limit=$2
	shift 2
	_t0=$(date +%s)
	_rc=0
	timeout -s KILL "$_limit" "$@" >"$SUITE_LOG" 2>&1 </dev/null || _rc=$?
	sed "s/^/# $_name: /" "$SUITE_LOG" | tail -n 60
	echo "# $_name: exit $_rc after $(($(date +%s) - _t0)) s"
	# a TAP "not ok" inside a passing invocation still fails it
	if [ "$_rc" = 0 ] && grep -q '^not ok' "$SUITE_LOG"; then
		_rc=1
	fi
	# so does a TAP "ok N SUBTEST # SKIP" inside it, unless NAME/SUBTEST
	# is allow-listed: a skip is a claim that something was not tested
	if [ "$_rc" = 0 ]; then
		_unlisted=$(sed -n 's/^ok [0-9]* \(.*[^ ]\) *# SKIP.*/\1/p' "$SUITE_LOG" |
			while read -r _sub; do
				[ -n "$(suite_allowed "$_name/$_sub")" ] || echo "$_sub"
			done)
		_listed=$(grep -c '^ok [0-9]* .*# SKIP' "$SUITE_LOG")
		if [ -n "$_unlisted" ]; then
			echo "$_unlisted" | sed "s/^/# $_name: skipped, not on the allow-list: /"
			ktap_result 1 "$_name" "subtests skipped and not on the allow-list"
			return 1
		fi
		[ "$_listed" = 0 ] ||
			echo "# $_name: $_listed subtests skipped, each on the allow-list"
	fi
	if [ "$_rc" = 0 ]; then
		ktap_result 0 "$_name"
		return 0
	fi
	_why=$(suite_allowed "$_name")
	if [ -n "$_why" ]; then
		ktap_result 0 "$_name" "SKIP allow-listed (exit $_rc): $_why"
	elif [ "$_rc" = 4 ]; then
		ktap_result 1 "$_name" "skipped but not on the allow-list"
	else
		ktap_result 1 "$_name"
	fi
}

# dsa_migrate on a DMA channel, every batch offered to it.
suite_provider_up() {
	[ -d "$SUITE_DIR" ] || return 1
	# four channels: concurrent migrations find one free rather than decline
	[ -n "$(ls /sys/class/dma 2>/dev/null)" ] || offload-wqs 4 >/dev/null || return 1
	modprobe dsa_migrate min_batch_pages=1 || return 1
	[ "$(cat /proc/sys/vm/migrate_copy_provider)" = dsa_migrate ] || return 1
	suite_mig0=$(vmstat pgmigrate_success)
	suite_dma0=$(dsam_stat folios_offloaded)
	suite_off0=$(dsam_stat batches_offloaded)
	suite_busy0=$(dsam_stat batches_declined_busy)
	suite_all0=$((suite_off0 + $(dsam_stat batches_failed) + $(dsam_stat batches_declined_small) +
		$(dsam_stat batches_declined_busy) + $(dsam_stat batches_declined_reason)))
	suite_fb0=$(dsam_stat folios_fallback)
	suite_err0=$(($(dsam_stat descriptor_errors) + $(dsam_stat verify_mismatches)))
}

# One result: the provider took the batches it was offered: at least MIN_PCT
# % of those it did not decline as busy (the rest: small batch, reason, a
# failed batch), busy declines (a CPU copy instead of a wait for a free
# channel) at most three quarters of all, no folio fallen back, no
# descriptor error, no verify mismatch; then it is unloaded.  (Hugetlb and
# buffer-head folios are never offered, so pages migrated say nothing.)
suite_provider_check() {
	_off=$(($(dsam_stat batches_offloaded) - suite_off0))
	_busy=$(($(dsam_stat batches_declined_busy) - suite_busy0))
	_all=$((_off + $(dsam_stat batches_failed) + $(dsam_stat batches_declined_small) +
		$(dsam_stat batches_declined_busy) + $(dsam_stat batches_declined_reason) - suite_all0))
	_fb=$(($(dsam_stat folios_fallback) - suite_fb0))
	_err=$(($(dsam_stat descriptor_errors) + $(dsam_stat verify_mismatches) - suite_err0))
	echo "# provider: $_off of $_all batches offloaded, $_busy declined busy ($(($(dsam_stat folios_offloaded) - suite_dma0)) folios by DMA), folios fallen back $_fb, descriptor errors + mismatches $_err; pgmigrate_success +$(($(vmstat pgmigrate_success) - suite_mig0))"
	_rc=0
	[ "$_all" -gt "$_busy" ] && [ $((_off * 100)) -ge $(((_all - _busy) * $1)) ] &&
		[ $((_busy * 4)) -le $((_all * 3)) ] && [ "$_fb" = 0 ] && [ "$_err" = 0 ] ||
		_rc=1
	echo 0 >/sys/module/dsa_migrate/parameters/enable && rmmod dsa_migrate || _rc=1
	ktap_result "$_rc" "provider_took_at_least_$1_pct_of_batches"
}

