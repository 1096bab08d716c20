#!/bin/sh
# Run vblktrace's tests and count them.
#
#   tests/run.sh [unit|san|host|vm]...     (default: all four suites)
#
# san: the unit tests built with ASan+UBSan (make san) and each libFuzzer
# target for VBT_FUZZ_SECONDS (default 5) over tests/fuzz/corpus/.
#
# Every test program speaks TAP: the kselftest harness for unit tests,
# tests/lib/tap.sh for the shell suites.  Each "ok"/"not ok" line counts as
# one test; a program that dies without saying "not ok" counts as one
# failure, so a crash is never a silent pass.  The last line is
# "N passed, N failed[, N skipped]".
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
logdir=$build/test-logs
mkdir -p "$logdir"
suites=${*:-unit san host vm}
per_test_timeout=${VBT_TEST_TIMEOUT:-900}

pass=0 fail=0 skip=0
failed_names=""

count() {
	# $1: log file, $2: exit code, $3: name
	set -- "$1" "$2" "$3" $(awk '
		/^ok [0-9]+/ { if ($0 ~ /# *(SKIP|skip)/) s++; else p++ }
		/^not ok [0-9]+/ { if ($0 ~ /# *(SKIP|skip)/) s++; else f++ }
		END { printf "%d %d %d", p, f, s }' "$1")
	p=$4 f=$5 s=$6
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $3 exited with status $2 without reporting a failure"
		f=1
	fi
	if [ $((p + f + s)) -eq 0 ]; then
		echo "not ok - $3 ran no test"
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	[ "$f" -gt 0 ] && failed_names="$failed_names $3"
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

for suite in $suites; do
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
	host|vm)
		for t in "$top"/tests/$suite/*.sh; do
			[ -f "$t" ] || continue
			# The script's own interpreter (#!/bin/bash or #!/bin/sh).
			interp=$(sed -n '1s/^#![[:space:]]*//p' "$t")
			run_one "$suite/$(basename "$t" .sh)" ${interp:-sh} "$t"
		done
		;;
	*)
		echo "run.sh: unknown suite '$suite' (unit, san, host, vm)" >&2
		exit 2
		;;
	esac
done

[ -n "$failed_names" ] && echo "# failed:$failed_names"
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
