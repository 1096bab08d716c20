#!/bin/sh
# Run vblktrace's tests and count them.
#
#   tests/run.sh [unit|san|host|vm|vm-amd64|vm-arm64|FILE]...
#                     (default: unit san host vm; FILE: one test program or script)
#
# san: the unit tests built with ASan+UBSan (make san) and each libFuzzer
# target for VBT_FUZZ_SECONDS (default 5) over tests/fuzz/corpus/.
#
# The guest suite (tests/vm) runs once per guest architecture: "vm" is
# every architecture in VBT_GUEST_ARCHES (default "amd64 arm64"), "vm-ARCH"
# one of them.  Each test script reads GUEST_ARCH from its environment;
# arm64 results are named vm-arm64/NAME, and each run's wall time is printed.
#
# Every test program speaks TAP: the kselftest harness for unit tests,
# tests/lib/tap.sh for the shell suites.  Each "ok"/"not ok" line counts as
# one test.  A green run has to prove what it claims, so these count as
# failures, each as one more "failed" test:
#   - a program that exits non-zero without saying "not ok" (a crash);
#   - a program without exactly one plan line "1..N", or whose number of
#     results is not N (it stopped early, or ran more than it planned);
#   - a program or a suite that ran no test at all;
#   - a skipped test ("# SKIP reason"), unless VBT_ALLOW_SKIP allows it.
#
# VBT_ALLOW_SKIP=TEXT[,TEXT...] is for machines that truly lack something:
# a skip whose reason contains one of the TEXTs is counted as skipped, not
# failed, e.g. VBT_ALLOW_SKIP="no chromium,not root".  Nothing should skip
# on the project's own machines, so the default allows none.
#
# Tests of the test bed itself (fixtures, guest rig, QEMU's own behaviour,
# code style, promtool) tag their TAP lines "# harness" (tap.sh does it for
# a script that sets TAP_HARNESS=1 or calls tap_harness on).  They are
# counted apart, so that the "tool:" line counts only vblktrace's own tests:
#   tool: N passed, N failed[, N skipped]
#   harness: N passed, N failed[, N skipped]
#   N passed, N failed[, N skipped]        <- always the last line: the total
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
logdir=$build/test-logs
mkdir -p "$logdir"
suites=${*:-unit san host vm}
per_test_timeout=${VBT_TEST_TIMEOUT:-900}
allow_skip=${VBT_ALLOW_SKIP:-}

# tool and harness counts; the totals are their sums.
tp=0 tf=0 ts=0 hp=0 hf=0 hs=0
failed_names=""

# Reads one program's TAP log and prints "TP TF TS HP HF HS PLANS PLANNED
# RESULTS", then one "# ..." line per skip that was not allowed.
tap_count() {
	awk -v allow="$allow_skip" '
	BEGIN { na = split(allow, al, ",") }
	function allowed(reason,    i) {
		for (i = 1; i <= na; i++)
			if (al[i] != "" && index(reason, al[i]))
				return 1
		return 0
	}
	/^1\.\.[0-9]+/ {
		plans++
		planned = $0; sub(/^1\.\./, "", planned); sub(/[^0-9].*/, "", planned)
		next
	}
	/^(not )?ok([ \t]|$)/ {
		results++
		line = $0
		h = sub(/[ \t]*#[ \t]*harness[ \t]*$/, "", line) ||
		    sub(/[ \t]*#[ \t]*harness[ \t]*#/, " #", line)
		bad = line ~ /^not ok/
		if (match(line, /#[ \t]*[Ss][Kk][Ii][Pp]/)) {
			reason = substr(line, RSTART + RLENGTH)
			sub(/^[ \t:]*/, "", reason)
			if (allowed(reason)) {
				if (h) hs++; else ts++
				next
			}
			msgs = msgs "# skip not allowed (VBT_ALLOW_SKIP): " $0 "\n"
			bad = 1
		}
		if (bad) { if (h) hf++; else tf++ }
		else { if (h) hp++; else tp++ }
	}
	END {
		printf "%d %d %d %d %d %d %d %d %d\n", tp, tf, ts, hp, hf, hs,
			plans, planned + 0, results
		printf "%s", msgs
	}' "$1"
}

# count LOG RC NAME: adds one program's results to the totals.
count() {
	log=$1 rc=$2 name=$3
	counts=$(tap_count "$log")
	# shellcheck disable=SC2086
	set -- $(echo "$counts" | head -n 1)
	p=$1 f=$2 s=$3 P=$4 F=$5 S=$6 plans=$7 planned=$8 results=$9
	echo "$counts" | sed -n '2,$p'
	extra=0
	if [ "$rc" -ne 0 ] && [ $((f + F)) -eq 0 ]; then
		echo "not ok - $name exited with status $rc without reporting a failure"
		extra=$((extra + 1))
	fi
	if [ "$results" -eq 0 ]; then
		echo "not ok - $name ran no test"
		extra=$((extra + 1))
	fi
	if [ "$plans" -ne 1 ]; then
		echo "not ok - $name printed $plans TAP plans (1..N), wants one"
		extra=$((extra + 1))
	elif [ "$planned" -ne "$results" ]; then
		echo "not ok - $name planned $planned tests but reported $results"
		extra=$((extra + 1))
	fi
	# A broken program is a failure of the suite it belongs to: the
	# harness if all it reported was harness tests, else the tool.
	if [ $((p + f + s)) -eq 0 ] && [ $((P + F + S)) -gt 0 ]; then
		F=$((F + extra))
	else
		f=$((f + extra))
	fi
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
	hp=$((hp + P)) hf=$((hf + F)) hs=$((hs + S))
	suite_results=$((suite_results + results))
	[ $((f + F)) -gt 0 ] && failed_names="$failed_names $name"
	return 0
}

run_one() {
	name=$1
	shift
	log=$logdir/$(echo "$name" | tr '/' '_').log
	echo "# --- $name"
	timeout -k 10 "$per_test_timeout" "$@" >"$log" 2>&1
	rc=$?
	[ $rc -eq 124 ] && echo "not ok - $name timed out after ${per_test_timeout}s" >>"$log"
	cat "$log"
	count "$log" $rc "$name"
}

# run_script NAME FILE: a shell script with its own interpreter
# (#!/bin/bash or #!/bin/sh); any other executable is run as it is.
run_script() {
	case $2 in
	*.sh)
		interp=$(sed -n '1s/^#![[:space:]]*//p' "$2")
		# shellcheck disable=SC2086
		run_one "$1" ${interp:-sh} "$2" ;;
	*)
		run_one "$1" "$2" ;;
	esac
}

for suite in $suites; do
	suite_results=0
	case $suite in
	unit)
		for t in "$build"/tests/unit/test_*; do
			[ -x "$t" ] || continue
			run_one "unit/$(basename "$t")" "$t"
		done
		;;
	san)
		# Any sanitizer report is fatal (-fno-sanitize-recover=all) and
		# so a failed test; leaks are reported at exit.
		export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
		export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
		for t in "$build"/san/tests/unit/test_*; do
			[ -x "$t" ] || continue
			run_one "san/$(basename "$t")" "$t"
		done
		run_one "san/fuzz" sh "$top/tests/fuzz/run.sh"
		;;
	host)
		for t in "$top"/tests/host/*.sh; do
			[ -f "$t" ] || continue
			run_script "host/$(basename "$t" .sh)" "$t"
		done
		;;
	vm | vm-amd64 | vm-arm64)
		arches=${VBT_GUEST_ARCHES:-amd64 arm64}
		[ "$suite" = vm ] || arches=${suite#vm-}
		for arch in $arches; do
			prefix=vm
			[ "$arch" = amd64 ] || prefix=vm-$arch
			t0=$(date +%s)
			export GUEST_ARCH=$arch
			for t in "$top"/tests/vm/*.sh; do
				[ -f "$t" ] || continue
				run_script "$prefix/$(basename "$t" .sh)" "$t"
			done
			unset GUEST_ARCH
			echo "# $prefix suite ($arch guests): $(($(date +%s) - t0)) s"
		done
		;;
	*/*)
		if [ ! -f "$suite" ]; then
			echo "run.sh: no test program '$suite'" >&2
			exit 2
		fi
		run_script "$(basename "$suite")" "$suite"
		;;
	*)
		echo "run.sh: unknown suite '$suite' (unit, san, host, vm, vm-amd64, vm-arm64 or a file)" >&2
		exit 2
		;;
	esac
	if [ "$suite_results" -eq 0 ]; then
		echo "not ok - suite $suite ran no test (nothing built? make unit helpers)"
		tf=$((tf + 1))
		failed_names="$failed_names $suite"
	fi
done

# "N passed, N failed" and ", N skipped" only if something was skipped.
tally() {
	if [ "$3" -gt 0 ]; then
		echo "$1 passed, $2 failed, $3 skipped"
	else
		echo "$1 passed, $2 failed"
	fi
}

[ -n "$failed_names" ] && echo "# failed:$failed_names"
echo "tool: $(tally $tp $tf $ts)"
echo "harness: $(tally $hp $hf $hs)"
tally $((tp + hp)) $((tf + hf)) $((ts + hs))
[ $((tf + hf)) -eq 0 ]
