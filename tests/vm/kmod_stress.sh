#!/bin/sh
# Load/unload cycles while fio runs against a disk with injected errors, in
# a 6.1 and a 6.12 guest: every cycle insmods the module, uses it (a
# vblktrace reader killed with SIGKILL mid-stream, a reader that ends
# normally, or the debugfs inspector) and rmmods it.  Afterwards dmesg must
# hold no oops, WARN, BUG, leak or lockdep report, and the module must have
# seen failed requests while loaded; what the readers recorded must be
# exactly the injected faults.  TAP output.
#
# CYCLES defaults to 50, the issue's number: one cycle is ~0.5 s under TCG,
# so both kernels fit in about a minute.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/tests/lib/tap.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kmod-stress.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
CYCLES=${KMOD_STRESS_CYCLES:-50}

# fio stays on the first 4 MiB, where four sectors fail.
FAULT='blkdebug:pwritev:sector=1000:errno=EIO+pwritev:sector=3000:errno=EIO'
FAULT="$FAULT+read_aio:iotype=read:sector=5000:errno=EIO"
FAULT="$FAULT+read_aio:iotype=read:sector=7000:errno=EIO"

cat >"$TMP/guest.sh" <<GUEST
CYCLES=$CYCLES
GUEST
cat >>"$TMP/guest.sh" <<'GUEST'
D=/sys/kernel/debug/vblktrace
fio --name=stress --filename=/dev/vda --direct=1 --rw=randrw --bs=4k \
	--size=4M --time_based --runtime=600 --ioengine=psync \
	--continue_on_error=all >/out/fio.log 2>&1 &
fio=$!
sleep 1
ok=0
for i in $(seq $CYCLES); do
	insmod /vblktrace.ko || { echo "cycle $i: insmod failed"; break; }
	case $((i % 3)) in
	0)	vblktrace --driver kmod -j >/dev/null 2>&1 &
		r=$!
		sleep 0.3
		kill -KILL $r
		wait $r ;;
	1)	cat $D/vda/features $D/vda/config $D/vda/queues $D/vda/errors \
			>/dev/null || echo "cycle $i: debugfs read failed" ;;
	2)	vblktrace --driver kmod -j -t 0.3 >>/out/events.jsonl 2>/dev/null ||
			echo "cycle $i: vblktrace failed" ;;
	esac
	awk '$1 == "failed_requests" { print $2 }' $D/stats >>/out/failed
	rmmod vblktrace || { echo "cycle $i: rmmod failed"; break; }
	ok=$i
done
echo "cycles $ok" >/out/cycles
kill $fio
wait $fio
echo done >/out/done
GUEST

# kmod_dmesg_bad DMESG: bad lines from the first load on (the 6.1 guest
# warns about MSI setup at boot, before that).
kmod_dmesg_bad() {
	awk -v all="$(grep -q 'vblktrace: ABI' "$1" && echo 0 || echo 1)" '
	all || /vblktrace: ABI/ { on = 1 }
	on && /BUG|WARNING|Oops|general protection|refcount_t|leak|Call Trace|lockdep|circular locking/' \
		"$1" | head -n 10
}

tap_plan 10
for k in 6.1 6.12; do
	if ! ko=$(sh "$REPO/tests/vm/kmod_build.sh" --ko "$k" 2>"$TMP/ko-$k.err"); then
		ko=$(cat "$TMP/ko-$k.err")
		for _ in 1 2 3 4 5; do tap_fail "$k: module build" "$ko"; done
		continue
	fi
	out=$TMP/$k
	rc=0
	start=$(date +%s)
	"$REPO/scripts/guest/run.sh" --kernel "$k" --script "$TMP/guest.sh" \
		--out "$out" --timeout 180 \
		--disk "size=64M,werror=report,rerror=report,fault=$FAULT" \
		--file "$ko:/vblktrace.ko" >"$TMP/$k.rig.log" 2>&1 || rc=$?
	g=$out/guest
	if [ $rc -eq 0 ] && [ -f "$g/done" ]; then
		tap_harness_ok "$k: guest ran ($(( $(date +%s) - start )) s)"
	else
		tap_harness_fail "$k: guest ran" "run.sh exit $rc" "$(tail -n 5 "$TMP/$k.rig.log")"
	fi
	cycles=$(awk '{ print $2 }' "$g/cycles" 2>/dev/null || echo 0)
	if [ "$cycles" = "$CYCLES" ]; then
		tap_ok "$k: $CYCLES insmod/use/rmmod cycles under fio"
	else
		tap_fail "$k: $CYCLES insmod/use/rmmod cycles under fio" \
			"completed $cycles" "$(grep cycle "$g/guest.log" | head -3)"
	fi
	# Counters start at 0 on each load; any non-zero: errors were seen.
	seen=$(awk '{ s += $1 } END { print s + 0 }' "$g/failed" 2>/dev/null || echo 0)
	if [ "$seen" -gt 0 ]; then
		tap_ok "$k: the module saw failed requests while loaded ($seen)"
	else
		tap_fail "$k: the module saw failed requests while loaded" \
			"$(tail -5 "$g/fio.log")"
	fi
	# What the readers that ended normally recorded: every failed block
	# event is one of the injected faults (vda, a request covering sector
	# 1000 or 3000 for writes, 5000 or 7000 for reads, EIO, issuer fio),
	# and the faults were hit.
	ev=$g/events.jsonl
	nblk=$(jq -s '[.[] | select(.kind == "block" and .errno != 0)] | length' "$ev" 2>/dev/null)
	stray=$(jq -r '
		def covers($s): .sector <= $s and $s < .sector + .nr_sectors;
		select(.kind == "block" and .errno != 0) |
		select((.dev == "vda" and .errno == 5 and .comm == "fio" and
			((.op == "WRITE" and (covers(1000) or covers(3000))) or
			 (.op == "READ" and (covers(5000) or covers(7000))))) | not) |
		"\(.dev) \(.op) \(.sector)+\(.nr_sectors) errno \(.errno) \(.comm)"' \
		"$ev" 2>&1 | head -n 5)
	if [ -n "$nblk" ] && [ "$nblk" -gt 0 ] && [ -z "$stray" ]; then
		tap_ok "$k: the readers recorded $nblk failed requests, each an injected fault, issued by fio"
	else
		tap_fail "$k: the readers recorded only injected faults, and some" \
			"failed block events: ${nblk:-unreadable}" "not an injected fault:" "$stray"
	fi
	bad=$(kmod_dmesg_bad "$out/dmesg.log")
	if [ -z "$bad" ] && [ -s "$out/dmesg.log" ]; then
		tap_ok "$k: no oops/WARN/BUG/leak in dmesg"
	else
		tap_fail "$k: no oops/WARN/BUG/leak in dmesg" "$bad"
	fi
done
tap_done
