#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 'vblktrace merge' at scale: N failed guest writes on vda (virtio IOERR)
# and the N failed QEMU pwritev calls behind them (same byte offsets, the
# host clock 3 ms ahead), generated as recordings; prints the wall time and
# the peak RSS of the merge and checks that every guest error was joined to
# its own host call (origin host-syscall).  Nothing else joins the two
# sides, so there is no anchor.  VBT_BASE=older binary adds it.
#
#   bench/merge.sh [N...]        (default 20000 100000 1000000)
set -eu
. "$(dirname "$0")/lib.sh"
bench_need
BENCH_DIR=$(mktemp -d /var/tmp/vbt-merge.XXXXXX)
trap 'rm -rf "$BENCH_DIR"' EXIT

# gen SIDE N FILE: one event every 100 us from 2026-11-22T04:00:00Z.
gen() {
	awk -v side="$1" -v n="$2" 'BEGIN {
		for (i = 0; i < n; i++) {
			ns = i * 100000 + (side == "host" ? 3000000 : 0)
			s = int(ns / 1e9); sub_ns = ns % 1000000000
			ts = sprintf("2026-11-22T04:%02d:%02d.%09dZ", int(s / 60) % 60, s % 60, sub_ns)
			if (side == "guest")
				printf "{\"v\":1,\"ts\":\"%s\",\"mono_ns\":%.0f,\"side\":\"guest\",\"kind\":\"block\",\"errno\":5,\"err\":\"EIO\",\"pid\":9,\"tid\":9,\"comm\":\"fio\",\"dev\":\"vda\",\"major\":254,\"minor\":0,\"op\":\"WRITE\",\"flags\":[],\"sector\":%.0f,\"nr_sectors\":8,\"bytes\":4096,\"status\":\"IOERR\",\"lat_ns\":1000,\"virtio_status\":\"IOERR\",\"seq\":%d}\n", ts, ns + 5000000000, i * 8, i + 1
			else
				printf "{\"v\":1,\"ts\":\"%s\",\"mono_ns\":%.0f,\"side\":\"host\",\"kind\":\"syscall\",\"errno\":28,\"err\":\"ENOSPC\",\"pid\":50,\"tid\":51,\"comm\":\"worker\",\"syscall\":\"pwritev\",\"fd\":13,\"path\":\"/img\",\"offset\":%.0f,\"len\":4096,\"seq\":%d,\"vm\":\"vm1\",\"drive\":\"virtio-disk0\",\"image\":\"/img\",\"format\":\"raw\",\"aio\":\"threads\"}\n", ts, ns + 7000000000, i * 4096, i + 1
		}
	}' >"$3"
}

# run LABEL BIN N: time, peak RSS, and the joins' check.
run() {
	local label=$1 bin=$2 n=$3 t0 t1 rss ok
	t0=$(date +%s%N)
	if /usr/bin/time -f '%M' -o "$BENCH_DIR/rss" "$bin" merge -f json \
		"$BENCH_DIR/g$n" "$BENCH_DIR/h$n" >"$BENCH_DIR/out" 2>"$BENCH_DIR/err"; then
		t1=$(date +%s%N)
		rss=$(tail -1 "$BENCH_DIR/rss")
		# (grep, not jq: the JSON of a million joins is a gigabyte)
		ok=$(tr -d ' \n' <"$BENCH_DIR/out" | grep -o '"origins":{[^}]*}' |
			head -1 | grep -o '"host-syscall":[0-9]*' | cut -d: -f2)
		printf '%-10s %8d+%-8d %8.2f s  peak RSS %6d MiB  host-syscall joins: %s\n' \
			"$label" "$n" "$n" "$(echo "($t1 - $t0) / 1000000000" | bc -l)" \
			$((rss / 1024)) "$ok"
	else
		printf '%-10s %8d+%-8d refused: %s\n' "$label" "$n" "$n" "$(head -c 200 "$BENCH_DIR/err")"
	fi
}

for n in ${@:-20000 100000 1000000}; do
	gen guest "$n" "$BENCH_DIR/g$n"
	gen host "$n" "$BENCH_DIR/h$n"
	run vblktrace "$VBT" "$n"
	[ -z "${VBT_BASE:-}" ] || run base "$VBT_BASE" "$n"
	rm -f "$BENCH_DIR/g$n" "$BENCH_DIR/h$n"
done
