#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vblktrace live against real block errors on this machine, checked against
# the kernel's own record (ftrace block_rq_complete, error != 0, read
# without BPF): the set of failed requests must be equal, and the issuer
# must be the process that wrote, not the interrupt context.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/truth.sh"
. "$VBT_ROOT/tests/lib/vbt.sh"

tap_plan 27
W=$FX_DIR/live
mkdir -p "$W"

if [ "$(id -u)" != 0 ]; then
	tap_skip_rest "needs root for loop devices and BPF" "live errors"
	tap_done
	exit
fi

# compare NAME EXPECTED_FILE GOT_FILE: equal as sets (sorted lines)
compare() {
	if [ ! -s "$2" ]; then
		tap_fail "$1" "the kernel recorded no failed request: the fixture is broken"
	elif diff <(sort "$2") <(sort "$3") >"$W/diff"; then
		tap_ok "$1"
	else
		tap_fail "$1" "kernel (<) vs vblktrace (>):" "$(cat "$W/diff")"
	fi
}

# issuers NAME FILE COMM: every failed block event names COMM as issuer
issuers() {
	local bad
	bad=$(jq -r --arg c "$3" 'select(.kind == "block" and .errno != 0 and
		(.comm != $c or .issuer_known != true)) | "\(.comm) \(.pid)"' "$2")
	if [ -z "$bad" ] && [ -s "$2" ]; then
		tap_ok "$1"
	else
		tap_fail "$1" "events not attributed to $3: $bad"
	fi
}

# attached NAME DIR HOW: vblktrace said it traces via HOW (level and issuer
# hook), so a forced level is proven to be the one that ran.
attached() {
	if grep -qF "via $3 (driver bpf); Ctrl-C to stop" "$2/err"; then
		tap_ok "$1"
	else
		tap_fail "$1" "want 'via $3 (driver bpf)' in:" "$(head -3 "$2/err")"
	fi
}

# ENOSPC: a loop device over a full tmpfs.  A broken fixture fails the test.
loop=$(fx_enospc_loop 3M 64M) && fx_enospc_fill "$loop" >/dev/null || {
	tap_harness_fail "fixture: a loop device over a full tmpfs"
	tap_fail_rest "no ENOSPC loop device"
	tap_done
	exit 1
}
majmin=$(printf '%d:%d' "0x$(stat -c %t "$loop")" "0x$(stat -c %T "$loop")")


run_enospc() {
	local name=$1 attach=$2 pids=""
	truth_start "$loop"
	if ! VBLKTRACE_ATTACH=$attach vbt_start "$W/$name" --side guest -j \
		-d "${loop#/dev/}" -o "$W/$name/rec.jsonl"; then
		truth_stop >/dev/null
		return 1
	fi
	for off in 9000 9100 9200 9300; do
		dd if=/dev/zero of="$loop" bs=4k count=1 seek=$off oflag=direct \
			2>/dev/null
	done
	# an fsync-style flush that succeeds is not an error and must not show
	sync
	vbt_stop "$W/$name"
	truth_stop >"$W/$name/truth"
	vbt_blocks "$W/$name/out" >"$W/$name/got"
	echo "$VBT_RC" >"$W/$name/rc"
}

run_enospc enospc tp_btf
compare "ENOSPC: failed requests equal the kernel's (tp_btf)" "$W/enospc/truth" "$W/enospc/got"
attached "VBLKTRACE_ATTACH=tp_btf: traced via tp_btf, issuer at block_io_start" "$W/enospc" \
	"tp_btf: block_rq_complete, issuer at block_io_start"
issuers "ENOSPC: issuer is dd, not the completing context" "$W/enospc/out" dd
[ "$(cat "$W/enospc/rc")" = 0 ] && tap_ok "exit status 0 after SIGINT" ||
	tap_fail "exit status 0 after SIGINT" "got $(cat "$W/enospc/rc")" "$(cat "$W/enospc/err")"
if [ "$(stat -c %a "$W/enospc/rec.jsonl")" = 600 ] &&
   cmp -s "$W/enospc/out" "$W/enospc/rec.jsonl"; then
	tap_ok "-o recording is mode 0600 and holds what stdout showed"
else
	tap_fail "-o recording is mode 0600 and holds what stdout showed" \
		"mode $(stat -c %a "$W/enospc/rec.jsonl")"
fi
# The summary's counts are the kernel's: as many failed requests as the
# trace recorded, plus dd's as many failed write() calls.
n_truth=$(wc -l <"$W/enospc/truth")
dev=${loop#/dev/}
sum_total=$(sed -n 's/^--- summary after [^:]*: \([0-9]*\) failed, .*/\1/p' "$W/enospc/err")
sum_blk=$(awk -v d="$dev" '$1 == d && $2 == "WRITE" && $4 == "ENOSPC" { print $3 }' "$W/enospc/err")
sum_sys=$(awk '$1 == "write()" && $3 == "ENOSPC" { print $2 }' "$W/enospc/err")
if [ "$n_truth" = 4 ] && [ "$sum_total" = 8 ] && [ "$sum_blk" = "$n_truth" ] &&
   [ "$sum_sys" = "$n_truth" ]; then
	tap_ok "final summary: 8 failed = $n_truth $dev WRITE ENOSPC (as the kernel) + 4 write()"
else
	tap_fail "final summary counts the failures exactly" \
		"kernel: $n_truth; summary total '$sum_total', $dev WRITE '$sum_blk', write() '$sum_sys'" \
		"$(cat "$W/enospc/err")"
fi

# Each of dd's failed writes is a syscall event naming the device and
# offset, linked (cause = seq) to the block event of exactly that sector.
links=$(jq -s -r --arg p "$loop" '
	(map(select(.kind == "block")) | map({key: (.seq | tostring), value: .}) | from_entries) as $b |
	.[] | select(.kind == "syscall") |
	"\(.syscall) \(.path == $p) \(.offset / 512) \(.err) \($b[(.cause // 0) | tostring].sector // "none")"' \
	"$W/enospc/out")
want=$(printf 'write true %d ENOSPC %d\n' 72000 72000 72800 72800 73600 73600 74400 74400)
[ "$links" = "$want" ] && tap_ok "each failed write() is a syscall event linked to its block event" ||
	tap_fail "each failed write() is a syscall event linked to its block event" "got:" "$links" "want:" "$want"
vbt_start "$W/text" --side guest -d "${loop#/dev/}" --no-color
dd if=/dev/zero of="$loop" bs=4k count=1 seek=9000 oflag=direct 2>/dev/null
vbt_stop "$W/text"
grep -q "dd\[[0-9]*\] write($loop, off 36864000, 4 KiB) = -ENOSPC  <- ${loop#/dev/} WRITE 72000+8 NOSPC" "$W/text/out" &&
	tap_ok "the human line shows the syscall and its cause" ||
	tap_fail "the human line shows the syscall and its cause" "$(cat "$W/text/out")"

# Every attach level on this one kernel, each proven to be the one used.
for lv in "raw_tp|raw_tp: block_rq_complete, issuer at block_io_start" \
	"raw_tp,no-io-start|raw_tp: block_rq_complete, issuer at block_rq_insert/block_rq_issue" \
	"tp_btf,no-io-start|tp_btf: block_rq_complete, issuer at block_rq_insert/block_rq_issue" \
	"tracepoint|tracepoint: block_rq_complete, issuer at block_rq_issue by (dev, sector)"; do
	attach=${lv%%|*} how=${lv#*|}
	n=$(echo "$attach" | tr ',' '-')
	run_enospc "$n" "$attach"
	compare "ENOSPC via $attach: equal to the kernel's" "$W/$n/truth" "$W/$n/got"
	issuers "ENOSPC via $attach: issuer is dd" "$W/$n/out" dd
	attached "VBLKTRACE_ATTACH=$attach: traced via ${how%%:*}, issuer at ${how##*issuer at }" \
		"$W/$n" "$how"
done

# An unknown level is refused, not silently replaced by tp_btf: a
# misspelling, a second level, a flag without a level, an empty item.
mkdir -p "$W/bogus"
bad=
for v in "raw_tpx|'raw_tpx'" "tp_btf,raw_tp|'raw_tp'" "no-io-start|no attach level" \
	"raw_tp,,no-io-start|empty item at offset 7" 'x$(id)|'"'?'"; do
	VBLKTRACE_ATTACH=${v%%|*} "$VBT" --side guest -j -t 1 >"$W/bogus/out" 2>"$W/bogus/err"
	rc=$?
	if [ $rc != 2 ] || ! grep -qF "${v#*|}" "$W/bogus/err" ||
	   ! grep -q 'VBLKTRACE_ATTACH' "$W/bogus/err" || grep -q 'Ctrl-C to stop' "$W/bogus/err"; then
		bad="$bad [${v%%|*}: exit $rc, $(cat "$W/bogus/err")]"
	fi
done
if [ -z "$bad" ]; then
	tap_ok "VBLKTRACE_ATTACH=raw_tpx, tp_btf,raw_tp, no-io-start, an empty item, junk: each refused with status 2, saying what"
else
	tap_fail "bad VBLKTRACE_ATTACH values are refused" "$bad"
fi

# EIO from a FUSE file under the loop device: one write range, one read range.
floop=$(fx_fuse_eio_loop write:1048576:4096 read:2097152:4096) || floop=
if [ -z "$floop" ]; then
	tap_harness_fail "fixture: FUSE EIO loop device (make helpers)"
	tap_fail "FUSE EIO: issuers are the writing and reading processes (not run)"
else
	truth_start "$floop"
	vbt_start "$W/fuse" --side guest -j -d "${floop#/dev/}"
	dd if=/dev/zero of="$floop" bs=4k count=1 seek=256 oflag=direct 2>/dev/null
	dd if="$floop" of=/dev/null bs=4k count=1 skip=512 iflag=direct 2>/dev/null
	vbt_stop "$W/fuse"
	truth_stop >"$W/fuse/truth"
	vbt_blocks "$W/fuse/out" >"$W/fuse/got"
	compare "FUSE EIO: write and read failures equal the kernel's" "$W/fuse/truth" "$W/fuse/got"
	grep -q ' WRITE 5$' "$W/fuse/got" && grep -q ' READ 5$' "$W/fuse/got" &&
		issuers "FUSE EIO: issuers are the writing and reading processes" "$W/fuse/out" dd ||
		tap_fail "FUSE EIO: issuers are the writing and reading processes" "$(cat "$W/fuse/got")"
fi

# --all: successful completions are shown too, with errno 0.
vbt_start "$W/all" --side guest -j -a -d "${loop#/dev/}"
dd if="$loop" of=/dev/null bs=4k count=8 iflag=direct 2>/dev/null
vbt_stop "$W/all"
# dd's own reads, exactly (other readers of the device may add theirs).
got=$(jq -r 'select(.kind == "block" and .errno == 0 and .op == "READ" and .comm == "dd") |
	"\(.sector)+\(.nr_sectors)"' "$W/all/out" | sort -n | tr '\n' ' ')
want=$(for i in 0 1 2 3 4 5 6 7; do printf '%d+8 ' $((i * 8)); done)
[ "$got" = "$want" ] && tap_ok "--all shows each of dd's 8 successful reads, errno 0, at its sector" ||
	tap_fail "--all shows each successful read" "want: $want" "got: $got"

# -p: only the named issuer's failures.  Two writers fail on the same
# device at once: the one -p names (its pid known before it runs: a shell
# that waits, then execs dd) and another.  Without -p (the control) both
# show; with -p exactly the named one's, as the kernel recorded it.
mkfifo "$W/go"
sh -c 'read -r _ <"$1"; exec dd if=/dev/zero of="$2" bs=4k count=1 seek=9500 oflag=direct 2>/dev/null' \
	_ "$W/go" "$loop" &
pa=$!
truth_start "$loop"
vbt_start "$W/pid-all" --side guest -j -d "${loop#/dev/}" &&
	vbt_start "$W/pid" --side guest -j -d "${loop#/dev/}" -p "$pa"
echo go >"$W/go"
wait "$pa"
dd if=/dev/zero of="$loop" bs=4k count=1 seek=9600 oflag=direct 2>/dev/null
vbt_stop "$W/pid"
vbt_stop "$W/pid-all"
truth_stop >"$W/pid/truth"
vbt_blocks "$W/pid/out" >"$W/pid/got"
vbt_blocks "$W/pid-all/out" >"$W/pid-all/got"
compare "-p control: without -p both writers' failures equal the kernel's" \
	"$W/pid/truth" "$W/pid-all/got"
grep " $((9500 * 8)) " "$W/pid/truth" >"$W/pid/want"
pids=$(jq -r 'select(.kind == "block") | .pid' "$W/pid/out" | sort -u)
if [ "$(wc -l <"$W/pid/truth")" = 2 ] && [ -s "$W/pid/want" ] &&
   diff "$W/pid/want" "$W/pid/got" >/dev/null && [ "$pids" = "$pa" ]; then
	tap_ok "-p $pa: exactly that issuer's failure (sector $((9500 * 8))), not the other's"
else
	tap_fail "-p shows exactly the named issuer's failures" "kernel:" "$(cat "$W/pid/truth")" \
		"want (pid $pa):" "$(cat "$W/pid/want")" "vblktrace -p (pids $pids):" "$(cat "$W/pid/got")"
fi

# -d: another device's failures do not show.  A second, idle loop device is
# traced while the first fails; the control is the -d run above.
loop2=$(fx_enospc_loop 3M 64M)
truth_start "$loop"
vbt_start "$W/dev" --side guest -j -d "${loop2#/dev/}"
dd if=/dev/zero of="$loop" bs=4k count=1 seek=9700 oflag=direct 2>/dev/null
vbt_stop "$W/dev"
truth_stop >"$W/dev/truth"
if [ -n "$loop2" ] && [ "$(wc -l <"$W/dev/truth")" = 1 ] && [ "$VBT_RC" = 0 ] &&
   grep -q 'Ctrl-C to stop' "$W/dev/err" && [ -z "$(vbt_blocks "$W/dev/out")" ]; then
	tap_ok "-d ${loop2#/dev/}: the failure on ${loop#/dev/} the kernel recorded is not shown"
else
	tap_fail "-d filters out other devices" "loop2 '$loop2', rc $VBT_RC" "kernel:" \
		"$(cat "$W/dev/truth")" "vblktrace:" "$(cat "$W/dev/out")" "$(cat "$W/dev/err")"
fi

tap_done
