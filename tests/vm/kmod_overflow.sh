#!/bin/sh
# A reader that stops reading loses events, counted exactly: in a 6.1 guest
# the module gets a 4 KiB ring per CPU (36 block records), vblktrace
# --driver kmod is stopped with SIGSTOP while 120 direct writes fail, then
# resumed.  The module's drop counter must have risen while it was stopped,
# and vblktrace must show kind:"lost" such that shown + lost == the failed
# requests ftrace saw == the module's own error count.  TAP output.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/tests/lib/tap.sh"
. "$REPO/tests/lib/truth.sh"	# truth_parse, run on the host
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kmod-overflow.XXXXXX")
fx_defer "rm -rf $TMP"
K=6.1
N=120

cat >"$TMP/guest.sh" <<GUEST
N=$N
GUEST
cat >>"$TMP/guest.sh" <<'GUEST'
. /kmod_guest.sh
D=/sys/kernel/debug/vblktrace
insmod /vblktrace.ko ring_kb=4 || { echo "insmod failed"; exit 1; }
ftrace_start vda
vblktrace --driver kmod -j -d vda >/out/kmod.jsonl 2>/out/kmod.err &
pid=$!
wait_tracing /out/kmod.err
kill -STOP $pid
# One xfs_io, N failing O_DIRECT writes (xfs_io goes on after an error).
cmds=""
for i in $(seq $N); do
	cmds="$cmds -c 'pwrite -q 512000 512'"
done
eval "xfs_io -d $cmds /dev/vda" >/out/io.log 2>&1
cat $D/stats >/out/stats-stopped
kill -CONT $pid
sleep 2
kill -INT $pid
wait $pid
echo "vblktrace exit $?" >/out/exit
ftrace_stop >/out/truth.raw
cat $D/stats >/out/stats-after
cat $D/vda/errors >/out/errors
GUEST

tap_plan 6
if ! ko=$(sh "$REPO/tests/vm/kmod_build.sh" --ko $K 2>"$TMP/ko.err"); then
	ko=$(cat "$TMP/ko.err")
	tap_fail "module builds for $K" "$ko"
	tap_done
	exit 1
fi
rc=0
"$REPO/scripts/guest/run.sh" --kernel $K --script "$TMP/guest.sh" \
	--out "$TMP/out" --timeout 120 \
	--disk "size=64M,werror=report,fault=blkdebug:pwritev:sector=1000:errno=EIO" \
	--file "$ko:/vblktrace.ko" \
	--file "$REPO/tests/vm/guest/kmod_guest.sh:/kmod_guest.sh" \
	>"$TMP/rig.log" 2>&1 || rc=$?
g=$TMP/out/guest
if [ $rc -ne 0 ] || [ ! -f "$g/exit" ]; then
	tap_harness_fail "$K guest ran" "run.sh exit $rc" "$(tail -n 5 "$TMP/rig.log")"
	tap_done
	exit 1
fi
tap_harness_ok "$K guest ran; $(cat "$g/exit")"

truth=$(truth_parse <"$g/truth.raw" | wc -l)
shown=$(jq -r 'select(.kind == "block") | .sector' "$g/kmod.jsonl" | wc -l)
lost=$(jq -r 'select(.kind == "lost") | .count' "$g/kmod.jsonl" |
	awk '{ s += $1 } END { print s + 0 }')
dropped=$(awk '$1 == "dropped" { print $2 }' "$g/stats-stopped")
failed=$(awk '$1 == "WRITE" { print $2 }' "$g/errors")
tap_diag "ftrace: $truth failed requests; module: $failed WRITE errors," \
	"dropped $dropped while stopped; vblktrace: $shown shown, $lost lost"

if [ "$truth" -eq "$N" ]; then
	tap_ok "ftrace saw the $N failed writes"
else
	tap_fail "ftrace saw the $N failed writes" "$(head -3 "$g/io.log")"
fi
if [ "${dropped:-0}" -gt 0 ]; then
	tap_ok "the drop counter rose while the reader was stopped ($dropped)"
else
	tap_fail "the drop counter rose while the reader was stopped" \
		"$(cat "$g/stats-stopped")"
fi
if [ "$lost" -gt 0 ] && [ "$lost" -eq "$dropped" ]; then
	tap_ok "vblktrace shows kind:\"lost\" with the module's exact count ($lost)"
else
	tap_fail "vblktrace shows kind:\"lost\" with the module's exact count" \
		"lost=$lost dropped=$dropped" "$(grep lost "$g/kmod.jsonl" | head -3)"
fi
if [ $((shown + lost)) -eq "$truth" ] && [ "$failed" = "$truth" ]; then
	tap_ok "shown + lost == ftrace == module error count ($shown + $lost == $truth)"
else
	tap_fail "shown + lost == ftrace == module error count" \
		"shown=$shown lost=$lost ftrace=$truth module=$failed"
fi
if grep -q "$lost lost in the kernel" "$g/kmod.err"; then
	tap_ok "the summary counts the lost events"
else
	tap_fail "the summary counts the lost events" "$(tail -3 "$g/kmod.err")"
fi
tap_done
