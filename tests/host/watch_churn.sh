#!/bin/bash
# vblktrace watch while QEMU processes come and go, TAP output.
#
# 32 QEMU processes (no guest: -machine none -S) appear in waves of 8, each
# with a drive on a full tmpfs (alternating aio=threads and aio=io_uring);
# once watch tracks one (its vblktrace_drive_info series is exported), it
# writes 1-3 blocks through HMP qemu-io, each failing with a real ENOSPC,
# and quits.  A real guest with a faulty (FUSE EIO) disk runs through the
# churn too.  Ground truth: QEMU's own "write failed" lines, the guest's
# count of failed writes.  Checked: every error counted per VM, alerts
# folded (one error record per key, every error counted in error + repeat
# records), drive series gone with their VM, RSS and open fds back where
# they were.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
VBT=${VBT:-$REPO/build/vblktrace}
. "$REPO/tests/lib/tap.sh"

WAVES=4 PER_WAVE=8
D=$(mktemp -d "${TMPDIR:-/tmp}/watch-churn.XXXXXX")
WPID="" MNT="" GPID=""
cleanup() {
	[ -z "$GPID" ] || kill "$GPID" 2>/dev/null || true
	[ -z "$WPID" ] || { kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null; } || true
	[ -z "$MNT" ] || umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
	if [ -n "${KEEP:-}" ]; then echo "# kept $D"; else rm -rf "$D"; fi
}
trap cleanup EXIT

tap_plan 8
[ "$(id -u)" = 0 ] || { tap_skip_rest "needs root"; tap_done; exit 0; }
[ -x "$VBT" ] || { tap_skip_rest "no $VBT (make)"; tap_done; exit 0; }
for c in qemu-system-x86_64 curl jq; do
	command -v "$c" >/dev/null || { tap_skip_rest "$c not installed"; tap_done; exit 0; }
done

"$VBT" watch --metrics 127.0.0.1:0 --log "$D/alerts.jsonl" --alert-interval 1 \
	>"$D/stdout" 2>"$D/stderr" &
WPID=$!
for _ in $(seq 100); do
	grep -q 'metrics on http' "$D/stderr" 2>/dev/null && break
	sleep 0.1
done
MPORT=$(sed -n 's#.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*#\1#p' "$D/stderr")
[ -n "$MPORT" ] || { tap_fail "watch starts" "$(cat "$D/stderr")"; tap_fail_rest "no watch"; tap_done; exit 1; }
M=http://127.0.0.1:$MPORT/metrics

MNT=$D/full
mkdir -p "$MNT"
mount -t tmpfs -o size=1M wt-churn-full "$MNT"
dd if=/dev/zero of="$MNT/fill" bs=64k 2>/dev/null || true

rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$WPID/status"; }
nfd() { ls "/proc/$WPID/fd" | wc -l; }

# gone PATTERN: wait (up to 10 s) until no drive_info series matches: the
# daemon has noticed that those QEMUs are gone and forgotten them.
gone() {
	for _ in $(seq 100); do
		curl -s "$M" | grep -q "vblktrace_drive_info{vm=\"$1" || return 0
		sleep 0.1
	done
	return 1
}

# One QEMU: appear, wait to be tracked, fail $2 writes, quit.
churn_one() {	# NAME WRITES AIO
	local name=$1 n=$2 aio=$3
	truncate -s 16M "$MNT/$name.img"
	{
		for _ in $(seq 100); do
			curl -s "$M" | grep -q "vblktrace_drive_info{vm=\"$name\"" && break
			sleep 0.1
		done
		for i in $(seq "$n"); do echo "qemu-io d0 \"write -P 1 $((i * 65536)) 4k\""; done
		sleep 0.3
		echo quit
	} | qemu-system-x86_64 -S -nodefaults -display none -machine none -accel tcg \
		-monitor stdio -name "guest=$name,debug-threads=on" \
		-drive "file=$MNT/$name.img,if=none,id=d0,format=raw,cache=none,aio=$aio" \
		>"$D/$name.out" 2>&1 || true
	rm -f "$MNT/$name.img"
}

# Warm-up: the first QEMU seen makes one-time allocations (name caches,
# the metrics registry's first series); the baseline is taken after it.
churn_one "wt-churn-$$-warm" 1 threads
gone "wt-churn-$$-warm"
RSS0=$(rss) FD0=$(nfd)

cat >"$D/guest.sh" <<'EOF'
fail=0
for i in 1 2 3 4 5 6; do
	dd if=/dev/zero of=/dev/vda bs=4k count=1 seek=$((2048 + i)) oflag=direct 2>/dev/null || fail=$((fail + 1))
	sleep 1
done
echo "FAILED=$fail"
EOF
G=wt-churn-$$-guest
"$REPO/scripts/guest/run.sh" --kernel 6.1 --script "$D/guest.sh" --out "$D/g" --name "$G" \
	--timeout 120 --disk 'size=64M,cache=none,aio=io_uring,werror=report,fault=fuse-eio:write:8M:1M' \
	>"$D/g.log" 2>&1 &
GPID=$!

started=0
for w in $(seq "$WAVES"); do
	wave=""
	for i in $(seq "$PER_WAVE"); do
		k=$(((w - 1) * PER_WAVE + i))
		aio=threads; [ $((k % 2)) = 0 ] && aio=io_uring
		churn_one "wt-churn-$$-$k" $((1 + k % 3)) "$aio" &
		wave="$wave $!"
		started=$((started + 1))
	done
	wait $wave || true
done
wait "$GPID" || true
GPID=""
gone "wt-churn-$$"	# the last rescan forgets the last QEMU

# --- every error counted ------------------------------------------------------
curl -s "$M" >"$D/metrics.txt"
bad="" total=0 vms=0
for k in $(seq $((WAVES * PER_WAVE))); do
	name=wt-churn-$$-$k
	want=$(grep -c 'write failed: No space left' "$D/$name.out" || true)
	got=$(awk -v vm="vm=\"$name\"" 'index($0, "vblktrace_io_errors_total{") == 1 &&
		index($0, vm) && /errno="ENOSPC"/ { s += $NF } END { print s + 0 }' "$D/metrics.txt")
	[ "$want" -gt 0 ] && vms=$((vms + 1))
	[ "$got" = "$want" ] || bad="$bad $name:$got/$want"
	total=$((total + want))
done
tap_diag "$started QEMU processes started and stopped, $total ENOSPC errors injected"
if [ "$started" -ge 30 ] && [ "$vms" = "$started" ] && [ -z "$bad" ]; then
	tap_ok "$started QEMU processes came and went; every one of their $total errors is counted"
else
	tap_fail "every error of the churning QEMUs is counted" "vms with errors $vms of $started" "got/want:$bad"
fi
TG=$(sed -n 's/^FAILED=//p' "$D/g/guest/guest.log" 2>/dev/null | tr -d '\r')
GG=$(awk -v vm="vm=\"$G\"" 'index($0, "vblktrace_io_errors_total{") == 1 && index($0, vm) &&
	/errno="EIO"/ { s += $NF } END { print s + 0 }' "$D/metrics.txt")
if [ -n "$TG" ] && [ "$TG" -gt 0 ] && [ "$GG" = "$TG" ]; then
	tap_ok "the faulty guest during the churn: $TG failed writes, $GG counted"
else
	tap_fail "the faulty guest's errors are counted" "guest ${TG:-?}, metrics $GG"
fi
left=$(grep -c "vblktrace_drive_info{vm=\"wt-churn-$$" "$D/metrics.txt" || true)
if [ "$left" = 0 ]; then tap_ok "drive_info series leave with their QEMU"
else tap_fail "drive_info series leave with their QEMU" "$left left"; fi

# --- flat memory and fds --------------------------------------------------------
RSS1=$(rss) FD1=$(nfd)
tap_diag "RSS ${RSS0} kB -> ${RSS1} kB, fds $FD0 -> $FD1"
if [ "$FD1" -le "$FD0" ]; then tap_ok "open fds flat ($FD0 -> $FD1)"
else tap_fail "open fds flat" "$FD0 -> $FD1: $(ls -l "/proc/$WPID/fd" | tail -5)"; fi
if [ "$RSS1" -le $((RSS0 + 2048)) ]; then tap_ok "RSS flat within 2 MiB ($RSS0 -> $RSS1 kB)"
else tap_fail "RSS flat within 2 MiB" "$RSS0 -> $RSS1 kB"; fi

# --- alerts folded as specified ---------------------------------------------------
kill -TERM "$WPID"
rc=0
wait "$WPID" || rc=$?
WPID=""
if [ $rc = 0 ]; then tap_ok "SIGTERM: clean stop"; else tap_fail "SIGTERM: clean stop" "exit $rc"; fi
bad=$(jq -rs --arg p "wt-churn-$$-" '
	[.[] | select(.vm != null and (.vm | startswith($p)) and (.vm | test("-(warm|guest)$") | not))]
	| group_by(.vm) | map({vm: .[0].vm,
		errors: [.[] | select(.alert == "error")] | length,
		counted: [.[] | select(.alert == "error" or .alert == "repeat") | .alert_events] | add,
		recovered: [.[] | select(.alert == "recovered")] | length})
	| map(select(.errors != 1 or .recovered > 1)) | map("\(.vm): \(.errors) error records, \(.recovered) recoveries") | .[]' \
	"$D/alerts.jsonl")
if [ -z "$bad" ]; then tap_ok "one error record per VM/drive/op/errno, at most one recovery"
else tap_fail "alerts folded per key" "$bad"; fi
counted=$(jq -s --arg p "wt-churn-$$-" '[.[] | select(.vm != null and (.vm | startswith($p))
	and (.vm | test("-(warm|guest)$") | not) and (.alert == "error" or .alert == "repeat")) | .alert_events] | add // 0' \
	"$D/alerts.jsonl")
if [ "$counted" = "$total" ]; then tap_ok "alert records count every error ($counted)"
else tap_fail "alert records count every error" "records count $counted, truth $total"; fi
tap_done
