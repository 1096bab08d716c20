#!/bin/sh
# Run every libFuzzer target of build/san/fuzz for a bounded time over its
# corpus (tests/fuzz/corpus/TARGET/, seeded with the inputs the unit and
# host tests use), ASan and UBSan on: one TAP line per target, "not ok"
# for a crash, a leak, undefined behaviour, a timeout or a missing corpus.
#
#   tests/fuzz/run.sh [SECONDS]      (default VBT_FUZZ_SECONDS or 5)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
secs=${1:-${VBT_FUZZ_SECONDS:-5}}
n=0 fail=0
set -- "$build"/san/fuzz/fuzz_*
[ -x "$1" ] || { echo "1..1"; echo "not ok 1 - no fuzz targets in $build/san/fuzz (make san)"; exit 1; }
echo "1..$#"
for f in "$@"; do
	n=$((n + 1))
	name=$(basename "$f")
	seeds=$top/tests/fuzz/corpus/$name
	work=$(mktemp -d "${TMPDIR:-/tmp}/vbt-fuzz.XXXXXX")
	nseeds=$(ls "$seeds" 2>/dev/null | wc -l)
	if [ "$nseeds" -eq 0 ]; then
		echo "not ok $n - $name: no corpus in tests/fuzz/corpus/$name"
		fail=$((fail + 1))
		rm -rf "$work"
		continue
	fi
	# New inputs go to $work (first directory); the seeds stay as they are.
	"$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/" \
		"$work" "$seeds" >"$work/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	if [ $rc -eq 0 ] && [ -n "$runs" ] &&
	   ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY: ' "$work/log"; then
		echo "ok $n - $name: $runs runs in ${secs}s from $nseeds seeds, no sanitizer report"
	else
		echo "not ok $n - $name: exit $rc"
		grep -E 'ERROR:|runtime error:|SUMMARY:|^    #[0-9]' "$work/log" | head -20 | sed 's/^/# /'
		for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
			[ -f "$a" ] && echo "# reproducer ($(wc -c <"$a") bytes): $(od -An -c "$a" | head -3 | tr -s ' ')"
		done
		fail=$((fail + 1))
	fi
	rm -rf "$work"
done
[ $fail -eq 0 ]
