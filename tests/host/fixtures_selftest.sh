#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The host fixtures make real, kernel-reported block errors where dd asked
# for them: ENOSPC from a full tmpfs, EIO/ENOSPC/FLUSH errors from fuse_eio,
# checked against the kernel's own ftrace record (truth.sh) and dmesg.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TAP_HARNESS=1
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/fixtures.sh"
. "$ROOT/tests/lib/truth.sh"

tap_plan 16

# expect NAME EXPECTED ACTUAL: the two multi-line texts are equal.
expect()
{
	if [ "$2" = "$3" ]; then
		tap_ok "$1"
	else
		tap_fail "$1" "expected:" "$2" "got:" "$3"
	fi
}

# dmesg_has NAME PATTERN CMD...: the kernel logged PATTERN.  Its error lines
# are rate limited (10 per 5 s, machine-wide), so if it is missing, wait out
# the window once and repeat the failing I/O with CMD.
dmesg_has()
{
	local name="$1" pat="$2" lines

	shift 2
	lines=$(truth_dmesg_io_errors)
	if ! printf '%s\n' "$lines" | grep -qF "$pat"; then
		sleep 5.2
		"$@" || true
		lines=$(truth_dmesg_io_errors)
	fi
	if printf '%s\n' "$lines" | grep -qF "$pat"; then
		tap_ok "$name"
	else
		tap_fail "$name" "no '$pat' in:" "$lines"
	fi
}

# dd_write DEV BS SEEK [FLAGS]: one direct write; succeeds if dd does.
dd_write()
{
	dd if=/dev/zero of="$1" bs="$2" seek="$3" count=1 \
		oflag=direct status=none 2>/dev/null
}

dd_read()
{
	dd if="$1" of=/dev/null bs="$2" skip="$3" count=1 \
		iflag=direct status=none 2>/dev/null
}

missing=
[ "$(id -u)" = 0 ] || missing="not root"
[ -x "$FUSE_EIO" ] || missing="$FUSE_EIO not built (make helpers)"
[ -c /dev/fuse ] || missing="no /dev/fuse"
command -v losetup >/dev/null || missing="no losetup"
truth_tracefs 2>/dev/null || missing="no tracefs instances"
if [ -n "$missing" ]; then
	tap_skip_rest "$missing" "fixtures selftest"
	tap_done
	exit $?
fi

# --- ENOSPC: a full 3M tmpfs under a 64M image -----------------------------
dev=$(fx_enospc_loop 3M 64M)
maj=$(truth_disk_devno "$dev")
filled=$(fx_enospc_fill "$dev")
truth_start "$dev"
# One 4 KiB block at 32 MiB, one 512 B sector at 48 MiB + 512: unallocated.
if dd_write "$dev" 4096 8192; then r1=ok; else r1=fail; fi
if dd_write "$dev" 512 98305; then r2=ok; else r2=fail; fi
truth=$(truth_stop)
expect "enospc: both dd writes past $filled bytes fail" "fail fail" "$r1 $r2"
expect "enospc: truth has one WRITE errno 28 per dd, at its sector" \
	"$maj 65536 8 WRITE 28
$maj 98305 1 WRITE 28" "$truth"
dmesg_has "enospc: dmesg has critical space allocation error at 65536" \
	"critical space allocation error, dev ${dev#/dev/}, sector 65536 op 0x1:(WRITE)" \
	dd_write "$dev" 4096 8192

# --- fuse_eio, loop with direct I/O: a write range and a read range --------
dev=$(fx_fuse_eio_loop write:1M:4k read:2M:4k)
maj=$(truth_disk_devno "$dev")
log=$(fx_fuse_log "$dev")
: > "$log"
truth_start "$dev"
if dd_write "$dev" 4096 256; then r1=ok; else r1=fail; fi	# 1 MiB
if dd_read "$dev" 4096 512; then r2=ok; else r2=fail; fi	# 2 MiB
if dd_write "$dev" 4096 257 && dd_read "$dev" 4096 513; then
	r3=ok
else
	r3=fail
fi
truth=$(truth_stop)
expect "fuse dio: dd into the ranges fails, next to them works" \
	"fail fail ok" "$r1 $r2 $r3"
expect "fuse dio: truth has WRITE and READ errno 5 at the ranges' sectors" \
	"$maj 2048 8 WRITE 5
$maj 4096 8 READ 5" "$truth"
expect "fuse dio: fuse_eio log matches" \
	"write off=1048576 len=4096 errno=5
read off=2097152 len=4096 errno=5" "$(cat "$log")"
dmesg_has "fuse dio: dmesg has the READ I/O error at 4096" \
	"I/O error, dev ${dev#/dev/}, sector 4096 op 0x0:(READ)" \
	dd_read "$dev" 4096 512

# The same file opened by QEMU with O_DIRECT (cache=none).
if command -v qemu-io >/dev/null; then
	: > "$log"
	out=$(qemu-io -t none -f raw -c 'write 0 4k' -c 'write 1M 4k' \
		"$(fx_fuse_mnt "$dev")/disk.img" 2>&1) || true
	if printf '%s\n' "$out" | grep -q '^wrote 4096/4096 bytes at offset 0' &&
	   printf '%s\n' "$out" | grep -q 'write failed: Input/output error'; then
		tap_ok "qemu-io cache=none: write works, failing range gets EIO"
	else
		tap_fail "qemu-io cache=none: write works, failing range gets EIO" \
			"$out"
	fi
	expect "qemu-io cache=none: fuse_eio log matches" \
		"write off=1048576 len=4096 errno=5" "$(cat "$log")"
else
	tap_skip "qemu-io cache=none: write works, failing range gets EIO" \
		"no qemu-io (qemu-utils)"
	tap_skip "qemu-io cache=none: fuse_eio log matches" "no qemu-io"
fi

# --- fuse_eio, buffered loop, --once, a chosen errno -----------------------
dev=$(FX_LOOP_DIO=off FX_FUSE_ONCE=1 fx_fuse_eio_loop write:1M:4k \
	write:3M:4k:ENOSPC)
maj=$(truth_disk_devno "$dev")
log=$(fx_fuse_log "$dev")
truth_start "$dev"
if dd_write "$dev" 4096 256; then r1=ok; else r1=fail; fi
if dd_write "$dev" 4096 256; then r2=ok; else r2=fail; fi
if dd_write "$dev" 4096 768; then r3=ok; else r3=fail; fi
truth=$(truth_stop)
expect "fuse buffered --once: first write fails, the repeat works" \
	"fail ok fail" "$r1 $r2 $r3"
expect "fuse buffered --once: truth has errno 5 then errno 28" \
	"$maj 2048 8 WRITE 5
$maj 6144 8 WRITE 28" "$truth"
expect "fuse buffered --once: fuse_eio log matches" \
	"write off=1048576 len=4096 errno=5
write off=3145728 len=4096 errno=28" "$(cat "$log")"

# --- fuse_eio failing fsync: the loop device's FLUSH fails -----------------
dev=$(fx_fuse_eio_loop fsync:0:0)
maj=$(truth_disk_devno "$dev")
log=$(fx_fuse_log "$dev")
: > "$log"
truth_start "$dev"
if sync "$dev" 2>/dev/null; then r1=ok; else r1=fail; fi
truth=$(truth_stop)
expect "fuse fsync: sync of the loop device fails" fail "$r1"
if printf '%s\n' "$truth" | grep -qx "$maj [0-9]* 0 FLUSH 5"; then
	tap_ok "fuse fsync: truth has a FLUSH errno 5"
else
	tap_fail "fuse fsync: truth has a FLUSH errno 5" "$truth"
fi
if grep -qx 'fsync off=0 len=0 errno=5' "$log"; then
	tap_ok "fuse fsync: fuse_eio log has the fsync"
else
	tap_fail "fuse fsync: fuse_eio log has the fsync" "$(cat "$log")"
fi

# --- rwbs decoding (blk_fill_rwbs letters) ---------------------------------
ops=
for r in WS R RA FF F FWS WFS D DE N WZ ZRA; do
	ops="$ops $(truth_rwbs_op "$r")"
done
expect "rwbs letters decode as in blk_fill_rwbs" \
	" WRITE READ READ FLUSH FLUSH WRITE WRITE DISCARD SECURE_ERASE OTHER WRITE_ZEROES ZONE_RESET_ALL" \
	"$ops"

tap_done
