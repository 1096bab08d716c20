#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lossless under an error storm: a loop device over a FUSE file whose
# every write fails with EIO (tests/helpers/fuse_eio; fio stops a job at
# the first ENOSPC, so a full tmpfs cannot make a storm), and fio writing
# 4k at random (io_uring QD16) and carrying on after each error.
# The kernel's own record of the failed requests (ftrace block_rq_complete
# with error != 0, in a private tracefs instance, no BPF) is the reference:
# vblktrace (default errors-only mode, -j) must deliver exactly as many
# failed-request events for the device and report no loss.
#
#   bench/error_rate.sh [SECONDS]        (default 5)
set -eu
VBT_ROOT=$(cd "$(dirname "$0")/.." && pwd)
VBT=${VBT:-$VBT_ROOT/build/vblktrace}
secs=${1:-5}
[ "$(id -u)" = 0 ] || { echo "error_rate: run as root" >&2; exit 1; }
command -v fio >/dev/null || { echo "error_rate: fio missing (make deps)" >&2; exit 1; }
. "$VBT_ROOT/tests/lib/truth.sh"

loop=$(FX_FUSE_SIZE=64M fx_fuse_eio_loop write:0:67108864)
dev=${loop#/dev/}
"$VBT" --side guest -j -d "$dev" >"$FX_DIR/out" 2>"$FX_DIR/err" &
pid=$!
fx_defer "kill -INT $pid"
until grep -q 'Ctrl-C' "$FX_DIR/err"; do
	kill -0 $pid 2>/dev/null || { cat "$FX_DIR/err" >&2; exit 1; }
	sleep 0.05
done
truth_start "$loop"
# The default 1.4 MiB per CPU overruns in a storm: make room for it.
echo 131072 >"$(cut -d' ' -f1 "$TRUTH_STATE")/buffer_size_kb"
fio --name=storm --filename="$loop" --rw=randwrite --bs=4k --ioengine=io_uring \
	--iodepth=16 --direct=1 --continue_on_error=all \
	--time_based \
	--runtime="$secs" --output-format=json >"$FX_DIR/fio" 2>/dev/null || true
kernel=$(truth_stop | wc -l)
sleep 0.3
kill -INT $pid
wait $pid || true
shown=$(grep -c "\"kind\":\"block\",\"errno\":[1-9].*\"dev\":\"$dev\"" "$FX_DIR/out" || true)
lost=$(grep -o '[0-9]\+ lost in the kernel' "$FX_DIR/err" | tail -1 | cut -d' ' -f1)
[ -z "${BENCH_KEEP:-}" ] || cp "$FX_DIR/out" "$FX_DIR/err" "$BENCH_KEEP"/
echo "error storm: fio 4k randwrite io_uring QD16 on a loop device over a failing FUSE file for ${secs}s"
printf 'kernel (ftrace) %d failed requests (%d/s); vblktrace delivered %d, lost %s: %s\n' \
	"$kernel" $((kernel / secs)) "$shown" "${lost:-?}" \
	"$([ "$shown" = "$kernel" ] && [ "${lost:-1}" = 0 ] && echo exact || echo NOT EXACT)"
