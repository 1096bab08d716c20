#!/bin/sh
# The kernel module and the BPF programs report the same failed requests:
# in a 6.1 and a 6.12 guest, the same injected faults are traced once with
# --driver bpf and once with --driver kmod, each run against ftrace's own
# block_rq_complete records.  The (dev, sector, count, op, errno) sets must
# equal ftrace's, and both drivers must name the same issuers.  The guest
# also runs the module's ABI/char-device unit test (test_kmod_client).
# TAP output.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/tests/lib/tap.sh"
# truth_parse; its awk needs gawk/mawk (busybox awk in the guest cannot
# run it), so the guest saves ftrace's raw lines and the host parses them.
. "$REPO/tests/lib/truth.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kmod-parity.XXXXXX")
fx_defer "rm -rf $TMP"

# Write errors at sectors 1000 and 2048 (EIO, ENOSPC on the host: virtio
# only says IOERR), a read error at 3000.
FAULT='blkdebug:pwritev:sector=1000:errno=EIO+pwritev:sector=2048:errno=ENOSPC'
FAULT="$FAULT+read_aio:iotype=read:sector=3000:errno=EIO"

cat >"$TMP/guest.sh" <<'GUEST'
. /kmod_guest.sh
insmod /vblktrace.ko || { echo "insmod failed"; exit 1; }

# Each fault hit by a different program, so issuers can be told apart.
errors() {
	dd if=/dev/zero of=/dev/vda bs=4k count=1 seek=125 oflag=direct
	xfs_io -d -c 'pwrite -q 1048576 1024' /dev/vda
	dd if=/dev/vda of=/dev/null bs=512 count=4 skip=2998 iflag=direct
	dd if=/dev/zero of=/dev/vda bs=4k count=2 seek=124 oflag=direct
}

for drv in bpf kmod; do
	ftrace_start vda
	vblktrace --driver $drv -j -d vda >/out/$drv.jsonl 2>/out/$drv.err &
	pid=$!
	wait_tracing /out/$drv.err
	errors >/out/$drv.io.log 2>&1
	sleep 0.5
	kill -INT $pid
	wait $pid
	echo "$drv exit $?" >>/out/exits
	ftrace_stop >/out/truth-$drv.raw
done
# --driver auto with BPF unusable (no kernel BTF to be seen): it must
# fall back to the module, and say so.
mount -t tmpfs vbt-nobtf /sys/kernel/btf
ftrace_start vda
vblktrace -j -d vda >/out/auto.jsonl 2>/out/auto.err &
pid=$!
wait_tracing /out/auto.err
errors >/out/auto.io.log 2>&1
sleep 0.5
kill -INT $pid
wait $pid
echo "auto exit $?" >>/out/exits
ftrace_stop >/out/truth-auto.raw
umount /sys/kernel/btf
/test_kmod_client >/out/client.tap 2>&1
echo "client exit $?" >>/out/exits
rmmod vblktrace && echo rmmod ok >>/out/exits
GUEST

# kmod_dmesg_bad DMESG: oops, WARN, BUG, leak lines since the module loaded
# (the 6.1 guest warns about MSI setup at boot, before it).
kmod_dmesg_bad() {
	awk -v all="$(grep -q 'vblktrace: ABI' "$1" && echo 0 || echo 1)" '
	all || /vblktrace: ABI/ { on = 1 }
	on && /BUG|WARNING|Oops|general protection|refcount_t|leak|Call Trace/' "$1" |
		head -n 10
}

# events FILE: "MAJ:MIN SECTOR NR OP ERRNO" of the block events, sorted.
events() {
	jq -r 'select(.kind == "block") |
		"\(.major):\(.minor) \(.sector) \(.nr_sectors) \(.op) \(.errno)"' \
		"$1" | sort
}

# issuers FILE: the same plus the issuer's comm.
issuers() {
	jq -r 'select(.kind == "block") |
		"\(.sector) \(.op) \(.comm) \(.issuer_known)"' "$1" | sort
}

# The client runs in the guest: an aarch64 build for arm64 guests.
if [ "${GUEST_ARCH:-amd64}" = arm64 ]; then
	CLIENT=build/arm64/tests/kmod/test_kmod_client
	make -s -C "$REPO" ARCH=arm64 "$CLIENT" >/dev/null
else
	CLIENT=build/tests/kmod/test_kmod_client
	make -s -C "$REPO" "$CLIENT" >/dev/null
fi
tap_plan 22
for k in 6.1 6.12; do
	out=$TMP/$k
	if ! ko=$(sh "$REPO/tests/vm/kmod_build.sh" --ko "$k" 2>"$TMP/ko-$k.err"); then
		ko=$(cat "$TMP/ko-$k.err")
		for _ in 1 2 3 4 5 6 7 8 9; do
			tap_fail "$k: module build" "$ko"
		done
		continue
	fi
	rc=0
	"$REPO/scripts/guest/run.sh" --kernel "$k" --script "$TMP/guest.sh" \
		--out "$out" --timeout 90 --disk "size=64M,werror=report,rerror=report,fault=$FAULT" \
		--file "$ko:/vblktrace.ko" \
		--file "$REPO/tests/vm/guest/kmod_guest.sh:/kmod_guest.sh" \
		--file "$REPO/$CLIENT:/test_kmod_client" \
		>"$TMP/$k.rig.log" 2>&1 || rc=$?
	g=$out/guest
	if [ $rc -ne 0 ] || [ ! -f "$g/exits" ]; then
		tap_harness_fail "$k: guest ran" "run.sh exit $rc" \
			"$(tail -n 5 "$TMP/$k.rig.log")"
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			tap_fail "$k: (not run: the guest did not run)"
		done
		continue
	fi
	tap_harness_ok "$k: guest ran"
	for drv in bpf kmod; do
		if grep -q "^$drv exit 0" "$g/exits"; then
			tap_ok "$k: vblktrace --driver $drv exits 0"
		else
			tap_fail "$k: vblktrace --driver $drv exits 0" \
				"$(cat "$g/exits")" "$(cat "$g/$drv.err")"
		fi
		events "$g/$drv.jsonl" >"$TMP/$k.$drv.ev"
		truth_parse <"$g/truth-$drv.raw" | sort >"$TMP/$k.$drv.truth"
		n=$(wc -l <"$TMP/$k.$drv.truth")
		if [ "$n" -ge 4 ] && cmp -s "$TMP/$k.$drv.ev" "$TMP/$k.$drv.truth"; then
			tap_ok "$k: --driver $drv events == ftrace ($n failed requests)"
		else
			tap_fail "$k: --driver $drv events == ftrace ($n failed requests)" \
				"$(diff "$TMP/$k.$drv.truth" "$TMP/$k.$drv.ev" || true)"
		fi
	done
	# The issuer each failed request must name, from the kernel's record
	# and the program that wrote each faulted sector: xfs_io at 2048,
	# dd everywhere else.
	awk '{ print $2, $4, ($2 == 2048 ? "xfs_io" : "dd"), "true" }' \
		"$TMP/$k.kmod.truth" | sort >"$TMP/$k.want.iss"
	# --driver auto without BTF: the module, announced, and the same
	# failed requests as the kernel recorded in that run.
	if grep -q '^auto exit 0' "$g/exits" &&
		grep -q 'BPF unavailable (.*BTF.*); using the kernel module' "$g/auto.err" &&
		grep -q 'via .*(driver kmod)' "$g/auto.err"; then
		tap_ok "$k: --driver auto without BTF falls back to the module and says so"
	else
		tap_fail "$k: --driver auto without BTF falls back to the module" \
			"$(cat "$g/exits")" "$(cat "$g/auto.err")"
	fi
	events "$g/auto.jsonl" >"$TMP/$k.auto.ev"
	truth_parse <"$g/truth-auto.raw" | sort >"$TMP/$k.auto.truth"
	if [ -s "$TMP/$k.auto.truth" ] && cmp -s "$TMP/$k.auto.ev" "$TMP/$k.auto.truth"; then
		tap_ok "$k: --driver auto (module) events == ftrace ($(wc -l <"$TMP/$k.auto.truth"))"
	else
		tap_fail "$k: --driver auto (module) events == ftrace" \
			"$(diff "$TMP/$k.auto.truth" "$TMP/$k.auto.ev" || true)"
	fi
	issuers "$g/bpf.jsonl" >"$TMP/$k.bpf.iss"
	issuers "$g/kmod.jsonl" >"$TMP/$k.kmod.iss"
	if grep -q ' 2048 ' "$TMP/$k.kmod.truth" &&
		cmp -s "$TMP/$k.want.iss" "$TMP/$k.bpf.iss" &&
		cmp -s "$TMP/$k.want.iss" "$TMP/$k.kmod.iss"; then
		tap_ok "$k: both drivers name the program that wrote each sector ($(awk '{print $3}' \
			"$TMP/$k.kmod.iss" | sort -u | tr '\n' ' '))"
	else
		tap_fail "$k: both drivers name the program that wrote each sector" \
			"want (<) vs bpf (>):" "$(diff "$TMP/$k.want.iss" "$TMP/$k.bpf.iss" || true)" \
			"want (<) vs kmod (>):" "$(diff "$TMP/$k.want.iss" "$TMP/$k.kmod.iss" || true)"
	fi
	if ! grep -q 'issuer_known.:false' "$g/kmod.jsonl" &&
		[ "$(jq -r 'select(.kind == "block") | .virtio_status' \
			"$g/kmod.jsonl" | sort -u)" = IOERR ]; then
		tap_ok "$k: kmod knows every issuer and reads the virtio status byte"
	else
		tap_fail "$k: kmod knows every issuer and reads the virtio status byte" \
			"$(head -3 "$g/kmod.jsonl")"
	fi
	# The client keeps its plan, and nothing in it skipped or failed.
	planned=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$g/client.tap")
	passed=$(grep -c '^ok ' "$g/client.tap" || true)
	if grep -q '^client exit 0' "$g/exits" && [ -n "$planned" ] &&
		[ "$planned" -gt 0 ] && [ "$passed" = "$planned" ] &&
		! grep -qi '# *skip' "$g/client.tap"; then
		tap_ok "$k: char device ABI unit test (test_kmod_client: $passed of $planned, none skipped)"
	else
		tap_fail "$k: char device ABI unit test (test_kmod_client)" \
			"$(cat "$g/client.tap")"
	fi
	bad=$(kmod_dmesg_bad "$out/dmesg.log")
	if grep -q '^rmmod ok' "$g/exits" && [ -z "$bad" ]; then
		tap_ok "$k: rmmod, and no BUG/WARNING/Oops in dmesg"
	else
		tap_fail "$k: rmmod, and no BUG/WARNING/Oops in dmesg" \
			"$bad" "$(cat "$g/exits")"
	fi
done
tap_done
