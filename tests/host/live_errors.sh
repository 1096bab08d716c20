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

tap_plan 17
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

# ENOSPC: a loop device over a full tmpfs.
loop=$(fx_enospc_loop 3M 64M) || { tap_skip_rest "no ENOSPC loop device"; tap_done; exit; }
fx_enospc_fill "$loop" >/dev/null
majmin=$(printf '%d:%d' "0x$(stat -c %t "$loop")" "0x$(stat -c %T "$loop")")


run_enospc() {
	local name=$1 attach=$2 pids=""
	truth_start "$loop"
	VBLKTRACE_ATTACH=$attach vbt_start "$W/$name" --side guest -j -d "${loop#/dev/}" \
		-o "$W/$name/rec.jsonl" || return 1
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
grep -q 'summary after' "$W/enospc/err" &&
	grep -q 'ENOSPC (NOSPC)' "$W/enospc/err" &&
	tap_ok "final summary counts the failures" ||
	tap_fail "final summary counts the failures" "$(cat "$W/enospc/err")"

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

for attach in raw_tp tp_btf,no-io-start tracepoint; do
	n=${attach%%,*}-$(echo "$attach" | tr -dc a-z | tail -c 4)
	run_enospc "$n" "$attach"
	compare "ENOSPC via $attach: equal to the kernel's" "$W/$n/truth" "$W/$n/got"
	issuers "ENOSPC via $attach: issuer is dd" "$W/$n/out" dd
done

# EIO from a FUSE file under the loop device: one write range, one read range.
floop=$(fx_fuse_eio_loop write:1048576:4096 read:2097152:4096) || floop=
if [ -z "$floop" ]; then
	tap_skip "FUSE EIO: write and read failures equal the kernel's" "no FUSE loop device"
	tap_skip "FUSE EIO: issuers are the writing and reading processes" "no FUSE loop device"
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
n_ok=$(jq -r 'select(.kind == "block" and .errno == 0 and .op == "READ") | .sector' "$W/all/out" | wc -l)
[ "$n_ok" -eq 8 ] && tap_ok "--all shows each successful read (8 of 8)" ||
	tap_fail "--all shows each successful read (8 of 8)" "saw $n_ok"

# -p: only the named issuer's failures.
vbt_start "$W/pid" --side guest -j -d "${loop#/dev/}" -p 1
dd if=/dev/zero of="$loop" bs=4k count=1 seek=9500 oflag=direct 2>/dev/null
vbt_stop "$W/pid"
[ ! -s "$W/pid/out" ] && tap_ok "-p filters out other issuers" ||
	tap_fail "-p filters out other issuers" "$(cat "$W/pid/out")"

tap_done
