#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The habits people bring from blktrace, lsblk and libbpf-tools, checked on
# files the tool itself wrote from real block errors (a loop device over a
# full tmpfs, the kernel's own ftrace record as the reference):
#  -d /dev/NODE filters like -d NAME (positive and negative control);
#  report - reads standard input; report reads watch's alert log; every
#  JSON Lines record carries v and kind; a value from a newer vblktrace is
#  kept with a note; a bundle repacked with GNU tar, or unpacked, is read;
#  a timed recording shows a status line on a terminal and none on a pipe.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/truth.sh"
. "$VBT_ROOT/tests/lib/vbt.sh"

tap_plan 15
W=$FX_DIR/habits
mkdir -p "$W"

loop=$(fx_enospc_loop 3M 64M) || { tap_fail "ENOSPC loop device" "fixture failed"; tap_done; exit 1; }
fx_enospc_fill "$loop" >/dev/null
other=$(fx_enospc_loop 3M 64M) || { tap_fail "second loop device" "fixture failed"; tap_done; exit 1; }
fx_enospc_fill "$other" >/dev/null

fail_writes() {
	for off in 9000 9100 9200; do
		dd if=/dev/zero of="$1" bs=4k count=1 seek=$off oflag=direct 2>/dev/null
	done
}

# -d with the device node, against the kernel's record of that device.
truth_start "$loop"
vbt_start "$W/node" --side guest -j -d "$loop" -o "$W/rec.jsonl" || true
fail_writes "$loop"
fail_writes "$other"
vbt_stop "$W/node"
truth_stop >"$W/truth"
vbt_blocks "$W/node/out" >"$W/got"
if [ "$(wc -l <"$W/truth")" -ge 3 ] && diff <(sort "$W/truth") <(sort "$W/got") >"$W/diff"; then
	tap_ok "-d $loop: the failed requests equal the kernel's for that device ($(wc -l <"$W/truth"))"
else
	tap_fail "-d $loop: the failed requests equal the kernel's" "kernel (<) vs vblktrace (>):" \
		"$(cat "$W/diff" 2>/dev/null)" "$(cat "$W/node/err")"
fi

# Negative control: the other device's node sees none of this device's errors.
vbt_start "$W/neg" --side guest -j -d "$other" || true
fail_writes "$loop"
vbt_stop "$W/neg"
n_neg=$(vbt_blocks "$W/neg/out" | wc -l)
[ "$VBT_RC" = 0 ] && [ "$n_neg" = 0 ] &&
	tap_ok "-d $other shows none of $loop's failures" ||
	tap_fail "-d $other shows none of $loop's failures" "rc $VBT_RC, $n_neg events" "$(cat "$W/neg/err")"

# report - is report FILE.
"$VBT" report "$W/rec.jsonl" >"$W/r_file.txt" 2>&1
"$VBT" report - <"$W/rec.jsonl" >"$W/r_stdin.txt" 2>&1
rc=$?
cat "$W/rec.jsonl" | "$VBT" report - >"$W/r_pipe.txt" 2>&1
n=$(wc -l <"$W/truth")
dev=${loop#/dev/}
if [ $rc = 0 ] && cmp -s "$W/r_file.txt" "$W/r_stdin.txt" && cmp -s "$W/r_file.txt" "$W/r_pipe.txt" &&
   grep -qE "^  $dev WRITE +$n  ENOSPC" "$W/r_file.txt"; then
	tap_ok "report - (a file or a pipe on stdin) says what report FILE says ($n failed)"
else
	tap_fail "report - says what report FILE says" "$(diff "$W/r_file.txt" "$W/r_pipe.txt")" "$(head -5 "$W/r_stdin.txt")"
fi

# watch --log: the alert log is read back by report.
"$VBT" watch -d "$loop" --log "$W/alerts.jsonl" -t 4 2>"$W/watch.err" &
wp=$!
for _ in $(seq 100); do grep -q 'Ctrl-C' "$W/watch.err" 2>/dev/null && break; sleep 0.1; done
fail_writes "$loop"
wait $wp
first=$(jq -s '[.[] | select(.kind == "block")] | length' "$W/alerts.jsonl")
last=$(tail -1 "$W/alerts.jsonl" | jq -r .kind)
"$VBT" report "$W/alerts.jsonl" >"$W/r_alerts.txt" 2>&1
rc=$?
if [ $rc = 0 ] && [ "$last" = stopped ] && [ "$first" -ge 1 ] && grep -q " $first failed" "$W/r_alerts.txt"; then
	tap_ok "report reads watch's alert log: $first first-error events, the final 'stopped' record skipped"
else
	tap_fail "report reads watch's alert log" "rc $rc, last kind '$last', $first block records" "$(cat "$W/r_alerts.txt")"
fi

# systemd readiness: READY=1 once attached, STOPPING=1 on the way out.
socat -u UNIX-RECV:"$W/notify" OPEN:"$W/notified",creat,append &
np=$!
fx_defer "kill $np"
for _ in $(seq 50); do [ -S "$W/notify" ] && break; sleep 0.1; done
NOTIFY_SOCKET=$W/notify "$VBT" watch -d "$loop" -t 2 >/dev/null 2>"$W/notify.err" &
wp=$!
for _ in $(seq 100); do grep -q 'Ctrl-C' "$W/notify.err" 2>/dev/null && break; sleep 0.1; done
for _ in $(seq 50); do grep -q 'READY=1' "$W/notified" 2>/dev/null && break; sleep 0.1; done
ready_while_running=$(kill -0 $wp 2>/dev/null && grep -c 'READY=1' "$W/notified")
wait $wp
sleep 0.2
got=$(tr -d '\n' <"$W/notified")
[ "$ready_while_running" = 1 ] && [ "$got" = "READY=1STOPPING=1" ] &&
	tap_ok "watch under systemd: READY=1 once attached, STOPPING=1 when it stops" ||
	tap_fail "watch under systemd: READY=1 then STOPPING=1" "got '$got' (ready while running: $ready_while_running)"

# Every JSON Lines record the tool writes carries v and kind.
"$VBT" explain -j - >"$W/explain.jsonl" 2>/dev/null <<'LOG'
[   12.345678] I/O error, dev vda, sector 0 op 0x1:(WRITE) flags 0x8800 phys_seg 1 prio class 2
mkfs.xfs: pwrite failed: Input/output error
LOG
"$VBT" report -f json "$W/rec.jsonl" >"$W/report.json" 2>/dev/null
"$VBT" disks -j >"$W/disks.jsonl" 2>/dev/null
bad=
for f in rec.jsonl alerts.jsonl explain.jsonl report.json disks.jsonl; do
	[ -s "$W/$f" ] || { bad="$bad $f(empty)"; continue; }
	jq -e 'has("v") and has("kind") and (.kind | type == "string")' "$W/$f" >/dev/null ||
		bad="$bad $f"
done
[ -z "$bad" ] && tap_ok "every record of live -o, watch --log, explain -j, report -f json, disks -j has v and kind" ||
	tap_fail "every JSON record has v and kind" "without:$bad"

# A newer vblktrace's op: kept, counted, named; the file still read.
sed '1s/"op":"WRITE"/"op":"WRITE_HINTED"/' "$W/rec.jsonl" >"$W/newer.jsonl"
"$VBT" report "$W/newer.jsonl" >"$W/r_newer.txt" 2>&1
rc=$?
if [ $rc = 0 ] && [ "$(grep ' events, ' "$W/r_newer.txt")" = "$(grep ' events, ' "$W/r_file.txt")" ] &&
   grep -q 'line 1: op "WRITE_HINTED"' "$W/r_newer.txt"; then
	tap_ok "an unknown op from a newer vblktrace is kept with a note naming it"
else
	tap_fail "an unknown op is kept with a note" "rc $rc" "$(cat "$W/r_newer.txt")"
fi

# Bundles repacked by a person: GNU tar (pax), one top-level folder, and unpacked.
"$VBT" bundle --from "$W/rec.jsonl" -o "$W/b.tar.gz" >/dev/null 2>&1
"$VBT" report "$W/b.tar.gz" >"$W/r_bundle.txt" 2>&1
mkdir -p "$W/unpack/bug-1234"
tar -xzf "$W/b.tar.gz" -C "$W/unpack/bug-1234"
tar --format=pax -C "$W/unpack" -czf "$W/repacked.tar.gz" bug-1234
"$VBT" report "$W/repacked.tar.gz" >"$W/r_repacked.txt" 2>&1
rc=$?
[ $rc = 0 ] && cmp -s "$W/r_bundle.txt" "$W/r_repacked.txt" && grep -qE "^  $dev WRITE +$n " "$W/r_bundle.txt" &&
	tap_ok "a bundle repacked with GNU tar (pax, folder bug-1234/) reads as the original" ||
	tap_fail "a repacked bundle reads as the original" "rc $rc" "$(diff "$W/r_bundle.txt" "$W/r_repacked.txt")"
"$VBT" report "$W/unpack/bug-1234" >"$W/r_dir.txt" 2>&1
rc=$?
[ $rc = 0 ] && cmp -s "$W/r_bundle.txt" "$W/r_dir.txt" &&
	tap_ok "an unpacked bundle directory reads as the original" ||
	tap_fail "an unpacked bundle directory reads as the original" "rc $rc" "$(head -5 "$W/r_dir.txt")"
# The reader's rules still hold for what a person could not have meant.
ln -s /etc/passwd "$W/unpack/bug-1234/evil"
tar --format=pax -C "$W/unpack" -czf "$W/evil.tar.gz" bug-1234
rm "$W/unpack/bug-1234/evil"
"$VBT" report "$W/evil.tar.gz" >"$W/r_evil.txt" 2>&1
rc=$?
[ $rc = 1 ] && grep -qi 'link' "$W/r_evil.txt" &&
	tap_ok "a repacked bundle with a symlink is still refused (exit 1)" ||
	tap_fail "a repacked bundle with a symlink is refused" "rc $rc" "$(cat "$W/r_evil.txt")"

# A pax path is honoured, so it cannot smuggle a name past the rules; an
# unpacked bundle's member that is a link is not followed.
tar --format=pax --pax-option='path:=../MANIFEST.json' -C "$W/unpack" \
	-czf "$W/paxdotdot.tar.gz" bug-1234/MANIFEST.json 2>/dev/null
"$VBT" report "$W/paxdotdot.tar.gz" >"$W/r_pax.txt" 2>&1
rc_pax=$?
cp -r "$W/unpack/bug-1234" "$W/linked"
rm "$W/linked/facts.json"
ln -s /etc/hostname "$W/linked/facts.json"
"$VBT" report "$W/linked" >"$W/r_linked.txt" 2>&1
rc_link=$?
[ $rc_pax = 1 ] && grep -q "unsafe tar entry name '../MANIFEST.json'" "$W/r_pax.txt" &&
[ $rc_link = 1 ] && grep -q 'facts.json: a symbolic link' "$W/r_linked.txt" &&
	tap_ok "a pax path with '..' and a linked member of an unpacked bundle are refused" ||
	tap_fail "pax '..' and linked members are refused" "pax: rc $rc_pax $(cat "$W/r_pax.txt")" \
		"dir: rc $rc_link $(cat "$W/r_linked.txt")"

# The MANIFEST keeps the command line as typed, --from included.
jq -e --arg f "$W/rec.jsonl" '.command_line | index("--from") != null and index($f) != null' \
	<(tar -xzf "$W/b.tar.gz" -O MANIFEST.json) >/dev/null &&
	tap_ok "MANIFEST.json records the command line as typed (--from kept)" ||
	tap_fail "MANIFEST.json records the command line as typed" "$(tar -xzf "$W/b.tar.gz" -O MANIFEST.json | jq -c .command_line)"

# Timed recording: a status line on a terminal, none on a pipe.
script -qec "$VBT live --side guest -d $loop -t 3" /dev/null >"$W/tty.out" 2>&1 &
sp=$!
sleep 1.2
fail_writes "$loop"
wait $sp
if grep -aq 's left, [1-9][0-9]* failed I/Os so far' "$W/tty.out" &&
   grep -aq 'for 3 s; Ctrl-C to stop' "$W/tty.out" && grep -aq 'stopped after 3 s' "$W/tty.out"; then
	tap_ok "live -t on a terminal: start, a status line with time left and failures, stop"
else
	tap_fail "live -t on a terminal shows a status line" "$(cat -v "$W/tty.out" | tail -c 600)"
fi
"$VBT" live --side guest -d "$loop" -t 1 >"$W/pipe.out" 2>"$W/pipe.err"
if ! grep -aq 's left' "$W/pipe.err" "$W/pipe.out" && ! grep -aq $'\033' "$W/pipe.err" "$W/pipe.out"; then
	tap_ok "live -t on a pipe: no status line, no escape sequences"
else
	tap_fail "live -t on a pipe: no status line" "$(cat -v "$W/pipe.err")"
fi
TERM=dumb script -qec "$VBT live --side guest -d $loop -t 1" /dev/null >"$W/dumb.out" 2>&1
! grep -aq $'\033' "$W/dumb.out" &&
	tap_ok "TERM=dumb: no colour and no cursor control" ||
	tap_fail "TERM=dumb: no colour and no cursor control" "$(cat -v "$W/dumb.out" | head -5)"
tap_done
