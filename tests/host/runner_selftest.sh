#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tests/run.sh holds each program to what it claims: fake TAP programs that
# plan more or fewer tests than they run, plan nothing, run nothing, skip or
# crash must each fail the run; a clean one and an explicitly allowed skip
# must not; harness-tagged results are counted apart from the tool's, and the
# last line stays the total that CI reads.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TAP_HARNESS=1
. "$ROOT/tests/lib/tap.sh"

W=$(mktemp -d "${TMPDIR:-/tmp}/vbt-runner-selftest.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/progs" "$W/build"

prog()	# prog NAME: the script's text on stdin
{
	{ echo '#!/bin/sh'; cat; } >"$W/progs/$1.sh"
}

printf '1..2\nok 1 - a\nok 2 - b\n' | sed 's/^/echo "/; s/$/"/' | prog good
printf '1..5\nok 1 - a\nok 2 - b\n' | sed 's/^/echo "/; s/$/"/' | prog short_plan
printf '1..1\nok 1 - a\nok 2 - b\n' | sed 's/^/echo "/; s/$/"/' | prog long_run
printf 'ok 1 - a\n' | sed 's/^/echo "/; s/$/"/' | prog no_plan
printf '1..1\n1..1\nok 1 - a\n' | sed 's/^/echo "/; s/$/"/' | prog two_plans
printf '1..0\n' | sed 's/^/echo "/; s/$/"/' | prog zero
printf '1..1\nok 1 - a # SKIP no widget here\n' | sed 's/^/echo "/; s/$/"/' | prog skip
printf '1..1\nnot ok 1 - a # SKIP no widget here\n' | sed 's/^/echo "/; s/$/"/' | prog notok_skip
printf 'echo "1..2"\necho "ok 1 - a"\nkill -SEGV $$\necho "ok 2 - b"\n' | prog crash
printf 'echo "1..1"\necho "ok 1 - a"\nexit 1\n' | prog ok_but_exit1
printf '1..3\nok 1 - rig # harness\nnot ok 2 - tool\nok 3 - fix # SKIP no widget # harness\n' |
	sed 's/^/echo "/; s/$/"/' | prog harness

# run EXPECTED_RC ARGS...: runs the runner on fakes, output in $out, rc in $rc
run()
{
	out=$(BUILD=$W/build VBT_TEST_TIMEOUT=20 sh "$ROOT/tests/run.sh" "$@" 2>&1)
	rc=$?
}

# check NAME WANT_RC WANT_LAST [ARGS...]: the run's status (0 or non-zero)
# and its last line.
check()
{
	_name=$1 _rc=$2 _last=$3
	shift 3
	run "$@"
	_got_last=$(printf '%s\n' "$out" | tail -n 1)
	if { [ "$_rc" = 0 ] && [ $rc -eq 0 ]; } ||
	   { [ "$_rc" != 0 ] && [ $rc -ne 0 ]; }; then
		if [ "$_got_last" = "$_last" ]; then
			tap_ok "$_name"
			return
		fi
	fi
	tap_fail "$_name" "exit $rc (want ${_rc}), last line '$_got_last' (want '$_last')" "$out"
}

P=$W/progs
tap_plan 14
check "a program that keeps its plan passes" 0 "2 passed, 0 failed" "$P/good.sh"
check "fewer results than planned (1..5, 2 ok) fails" 1 "2 passed, 1 failed" "$P/short_plan.sh"
check "more results than planned (1..1, 2 ok) fails" 1 "2 passed, 1 failed" "$P/long_run.sh"
check "no plan line fails" 1 "1 passed, 1 failed" "$P/no_plan.sh"
check "two plan lines fail" 1 "1 passed, 1 failed" "$P/two_plans.sh"
check "a program with zero tests (1..0) fails" 1 "0 passed, 2 failed" "$P/zero.sh"
check "a suite with zero tests fails (no unit binaries)" 1 "0 passed, 1 failed" unit
check "a SKIP fails by default" 1 "0 passed, 1 failed" "$P/skip.sh"
VBT_ALLOW_SKIP="no such thing,no widget" check \
	"a SKIP whose reason VBT_ALLOW_SKIP names is a skip, not a failure" 0 \
	"0 passed, 0 failed, 1 skipped" "$P/skip.sh"
VBT_ALLOW_SKIP="no gadget" check "VBT_ALLOW_SKIP naming another reason still fails" \
	1 "0 passed, 1 failed" "$P/notok_skip.sh"
check "a crash (SIGSEGV after 1 of 2) fails" 1 "1 passed, 2 failed" "$P/crash.sh"
check "exit 1 after only ok lines fails" 1 "1 passed, 1 failed" "$P/ok_but_exit1.sh"

run "$P/harness.sh" "$P/good.sh"
tool=$(printf '%s\n' "$out" | grep '^tool: ')
harn=$(printf '%s\n' "$out" | grep '^harness: ')
last=$(printf '%s\n' "$out" | tail -n 1)
if [ "$tool" = "tool: 2 passed, 1 failed" ] &&
   [ "$harn" = "harness: 1 passed, 1 failed" ] &&
   [ "$last" = "3 passed, 2 failed" ] && [ $rc -ne 0 ]; then
	tap_ok "harness results are counted apart; the last line is the total"
else
	tap_fail "harness results are counted apart" "exit $rc" "$out"
fi

# Garbage in the skip reason or program name must not reach a shell.
prog 'evil;touch' <<'EOF'
echo '1..1'
echo 'ok 1 - $(touch pwned) `touch pwned` # SKIP $(touch pwned)'
EOF
(cd "$W" && VBT_ALLOW_SKIP='$(touch pwned)' BUILD=$W/build \
	sh "$ROOT/tests/run.sh" "$P/evil;touch.sh" >"$W/evil.out" 2>&1)
if [ ! -e "$W/pwned" ] && [ "$(tail -n 1 "$W/evil.out")" = "0 passed, 0 failed, 1 skipped" ]; then
	tap_ok "TAP text is data: nothing in it is run"
else
	tap_fail "TAP text is data" "$(cat "$W/evil.out")"
fi
tap_done
