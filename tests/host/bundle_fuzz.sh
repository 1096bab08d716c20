#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fuzz the bundle and recording readers (and redaction) with libFuzzer,
# ASan and UBSan for a bounded time (VBT_FUZZ_SECONDS per target, default
# 30): no crash, no leak, no undefined behaviour, every refusal explained.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"

VBT=$VBT_ROOT/build/vblktrace
SECS=${VBT_FUZZ_SECONDS:-30}
W=$FX_DIR/fuzz
mkdir -p "$W/bin" "$W/input" "$W/redact"
tap_plan 3

if ! command -v clang >/dev/null; then
	tap_skip_rest "no clang (libFuzzer comes with it)" "fuzz"
	tap_done
	exit
fi
if sh "$VBT_ROOT/tests/fuzz/build.sh" "$W/bin" >"$W/build.log" 2>&1; then
	tap_ok "fuzz targets build (clang -fsanitize=fuzzer,address,undefined)"
else
	tap_fail "fuzz targets build" "$(grep -v warning "$W/build.log" | tail -10)"
	tap_fail_rest "not run: no fuzz targets"
	tap_done
	exit 1
fi

# Seeds: a recording of each side, a bundle of it, hostile option strings.
cat >"$W/input/guest.jsonl" <<'EOF'
{"v":1,"ts":"2026-11-22T04:51:19.414725566Z","mono_ns":4110203112,"side":"guest","kind":"block","errno":5,"err":"EIO","pid":111,"tid":111,"comm":"dd","dev":"vda","major":254,"minor":0,"op":"WRITE","flags":["SYNC","IDLE"],"sector":6144,"nr_sectors":128,"bytes":65536,"status":"IOERR","lat_ns":1281383,"issuer_known":true,"virtio_status":"IOERR","seq":1}
{"v":1,"ts":"2026-11-22T04:51:19.417186867Z","mono_ns":4112664413,"side":"guest","kind":"syscall","errno":5,"err":"EIO","pid":111,"tid":111,"comm":"dd","syscall":"write","fd":1,"path":"/dev/vda","offset":3145728,"len":65536,"cause":1,"seq":2}
EOF
cat >"$W/input/host.jsonl" <<'EOF'
{"v":1,"ts":"2026-11-22T04:51:19.863367077Z","mono_ns":2002764807989,"side":"host","kind":"syscall","errno":28,"err":"ENOSPC","pid":4974,"tid":4978,"comm":"worker","syscall":"pwritev","fd":13,"path":"/i","offset":3145728,"len":65536,"seq":1,"vm":"v","drive":"virtio-disk0","node":"n","image":"/i","format":"raw","aio":"threads","cache":"none","direct":true,"werror":"report","rerror":"report","guest_sees":"IOERR"}
{"v":1,"ts":"2026-11-22T04:51:19.963367077Z","mono_ns":2002864807989,"side":"host","kind":"io_uring","errno":28,"err":"ENOSPC","pid":4974,"tid":4974,"comm":"qemu","opcode":2,"fd":14,"path":"/j","offset":0,"len":4096,"seq":2}
EOF
"$VBT" bundle --from "$W/input/guest.jsonl" -o "$W/input/guest.tar.gz" >/dev/null 2>&1
printf 'secret,id=s0,data=SECRETVALUE,iv=IVIVIV' >"$W/redact/a"
printf '{"qom-type":"secret","id":"s","data":"abcdefg","file":{"password":"x1234"}}' >"$W/redact/b"
printf "<domain><auth username='u'><secret uuid='x'/></auth><graphics passwd='pw123456'/></domain>" >"$W/redact/c"
printf 'file=rbd:p/i:id=a:key=KEYKEYKEY:conf=/x,file.password=zz,,zzz' >"$W/redact/d"

# fuzz NAME CORPUS: run a target for SECS seconds in W/NAME
fuzz() {
	local name=$1 corpus=$2 dir=$W/run-$1 rc
	mkdir -p "$dir"
	(cd "$dir" && timeout -k 10 $((SECS + 120)) "$W/bin/$name" \
		-max_total_time="$SECS" -max_len=65536 -rss_limit_mb=4096 \
		-timeout=10 "$corpus" >"$dir/log" 2>&1)
	rc=$?
	if [ $rc = 0 ] && ! ls "$dir" | grep -qE '^(crash|leak|timeout|oom)-'; then
		tap_ok "$name: $(grep -o 'Done [0-9]* runs in [0-9]* second' "$dir/log"), no crash"
	else
		tap_fail "$name: no crash" "exit $rc" "$(grep -E 'ERROR|SUMMARY|Test unit' "$dir/log" | head -5)"
		[ -n "${VBT_FUZZ_KEEP:-}" ] && cp "$dir"/crash-* "$dir"/leak-* "$VBT_FUZZ_KEEP" 2>/dev/null
	fi
}
fuzz fuzz_input "$W/input"
fuzz fuzz_redact "$W/redact"
tap_done
