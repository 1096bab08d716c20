# SPDX-License-Identifier: GPL-2.0
# tap.sh: tiny TAP producer for shell tests.  Source it (POSIX sh or bash):
#
#   tap_plan N             "1..N" (optional; tap_done prints it if never given)
#   tap_ok NAME            "ok N - NAME"
#   tap_fail NAME [DIAG]   "not ok N - NAME" then each DIAG as "# DIAG"
#   tap_skip NAME REASON   "ok N - NAME # SKIP REASON"
#   tap_check NAME CMD...  runs CMD; ok if it exits 0, else not ok with its
#                          output as diagnostics (safe under set -e)
#   tap_diag MSG...        "# MSG" lines
#   tap_fail_rest REASON [NAME]  fail every test still planned (broken fixture)
#   tap_fail_next N NAME   N "not ok" lines: the rest of a group that could
#                          not run (one guest kernel of several)
#   tap_harness on|off     tag the results that follow "# harness": they test
#                          the test bed (fixtures, rig, QEMU itself, style),
#                          not vblktrace, and tests/run.sh counts them apart.
#                          TAP_HARNESS=1 before sourcing tags a whole script.
#   tap_harness_ok NAME, tap_harness_fail NAME [DIAG]: one tagged result
#   tap_done               checks the plan; returns 1 if anything failed
#
# The test runner counts the "ok" / "not ok" lines on stdout.

TAP_N=0
TAP_FAILED=0
TAP_PLANNED=
TAP_HARNESS=${TAP_HARNESS:-}

tap_harness()
{
	case $1 in
	on) TAP_HARNESS=1 ;;
	*) TAP_HARNESS= ;;
	esac
}

# The tag the runner reads, after the description (and any SKIP directive).
_tap_tag()
{
	[ -z "$TAP_HARNESS" ] || printf ' # harness'
}

tap_plan()
{
	TAP_PLANNED=$1
	echo "1..$1"
}

tap_diag()
{
	for _tap_line in "$@"; do
		[ -n "$_tap_line" ] || continue
		printf '%s\n' "$_tap_line" | sed 's/^/# /'
	done
}

tap_ok()
{
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1$(_tap_tag)"
}

tap_fail()
{
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $1$(_tap_tag)"
	shift
	tap_diag "$@"
}

tap_harness_ok()
{
	_tap_h=$TAP_HARNESS
	TAP_HARNESS=1
	tap_ok "$@"
	TAP_HARNESS=$_tap_h
}

tap_harness_fail()
{
	_tap_h=$TAP_HARNESS
	TAP_HARNESS=1
	tap_fail "$@"
	TAP_HARNESS=$_tap_h
}

tap_skip()
{
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP ${2:-no reason given}$(_tap_tag)"
}

tap_check()
{
	_tap_name=$1
	shift
	if _tap_out=$("$@" 2>&1); then
		tap_ok "$_tap_name"
	else
		tap_fail "$_tap_name" "command failed (exit $?): $*" "$_tap_out"
	fi
}

# Fails every test still planned: a broken fixture or rig is a failure,
# never a skip (tap_fail_rest REASON [NAME]).
tap_fail_rest()
{
	while [ -n "$TAP_PLANNED" ] && [ "$TAP_N" -lt "$TAP_PLANNED" ]; do
		tap_fail "${2:-not run}" "$1"
	done
}

tap_fail_next()
{
	_tap_i=0
	while [ "$_tap_i" -lt "$1" ]; do
		tap_fail "$2"
		_tap_i=$((_tap_i + 1))
	done
}

# Skips every test still planned, e.g. when a prerequisite is missing.
tap_skip_rest()
{
	while [ -n "$TAP_PLANNED" ] && [ "$TAP_N" -lt "$TAP_PLANNED" ]; do
		tap_skip "${2:-skipped}" "$1"
	done
}

tap_done()
{
	if [ -z "$TAP_PLANNED" ]; then
		echo "1..$TAP_N"
	elif [ "$TAP_N" -ne "$TAP_PLANNED" ]; then
		echo "# planned $TAP_PLANNED tests but ran $TAP_N"
		return 1
	fi
	[ "$TAP_FAILED" -eq 0 ]
}
