#!/bin/sh
# The virtio-blk inspector (/sys/kernel/debug/vblktrace/<disk>/) in a 6.1 and
# a 6.12 guest with three disks that differ in their QEMU configuration:
#   vda  queues=1 discard=unmap      (a write error is injected at 1000)
#   vdb  queues=4 discard=ignore
#   vdc  queues=2 lbs=4096 pbs=4096
# Asserted, per kernel:
# - its negotiated feature bits == /sys/block/vdX/device/features;
# - capacity == /sys/block/vdX/size, blk_size == logical_block_size;
# - num_queues is the configured 1/4/2, and MQ is offered only when > 1
#   (QEMU 7.2 offers VIRTIO_BLK_F_MQ only for num-queues > 1); virtqueues ==
#   hw queues == min(num_queues, CPUs): virtio_blk uses no more queues
#   than CPUs, and the guest has one;
# - the config size probed from the device == the size the offered
#   features imply.  Note what does NOT change it: the drive's discard=
#   (unmap|ignore) only says what QEMU does with a guest's discard; the
#   device still offers VIRTIO_BLK_F_DISCARD and WRITE_ZEROES (properties
#   of -device virtio-blk-pci, "discard" and "write-zeroes", which the rig
#   does not set), so vda and vdb have the same config size (57 bytes on
#   QEMU 7.2) - the feature-dependent size that makes migration fail when
#   source and target disagree (seeds/002) comes from those -device
#   properties;
# - errors since load counts the injected failure; 'vblktrace disks' shows
#   the inspector.
# TAP output.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/tests/lib/tap.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kmod-inspect.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

cat >"$TMP/guest.sh" <<'GUEST'
D=/sys/kernel/debug/vblktrace
insmod /vblktrace.ko || { echo "insmod failed"; exit 1; }
xfs_io -d -c 'pwrite -q 512000 512' /dev/vda
nproc >/out/nproc
for d in vda vdb vdc; do
	mkdir /out/$d
	for f in features config queues errors; do
		cat $D/$d/$f >/out/$d/$f
	done
	for f in size queue/logical_block_size device/features; do
		cat /sys/block/$d/$f >/out/$d/sys_$(basename $f)
	done
	ls /sys/block/$d/mq | wc -l >/out/$d/sys_nr_hw_queues
done
vblktrace disks >/out/disks.txt 2>&1
vblktrace disks -j >/out/disks.jsonl 2>&1
rmmod vblktrace
echo done >/out/done
GUEST

# field DISKDIR NAME: a config field's value; feat: its negotiated state.
field() { awk -v n="$2" '$1 == n { print $2 }' "$1/config"; }
key() { awk -v n="$2" '$1 == n { print $2 }' "$1/$3"; }
has_bit() { # has_bit BITSTRING N
	[ "$(printf '%s' "$1" | cut -c $(($2 + 1)))" = 1 ]
}
check() { # check NAME CONDITION (a shell list, eval'd; diagnostics: $DIAG)
	if eval "$2"; then tap_ok "$1"; else tap_fail "$1" "${DIAG:-}"; fi
}

tap_plan 28
for k in 6.1 6.12; do
	if ! ko=$(sh "$REPO/tests/vm/kmod_build.sh" --ko "$k" 2>"$TMP/ko-$k.err"); then
		ko=$(cat "$TMP/ko-$k.err")
		tap_fail "$k: module build" "$ko"
		continue
	fi
	out=$TMP/$k
	rc=0
	"$REPO/scripts/guest/run.sh" --kernel "$k" --script "$TMP/guest.sh" \
		--out "$out" --timeout 90 \
		--disk "size=64M,queues=1,discard=unmap,werror=report,fault=blkdebug:pwritev:sector=1000:errno=EIO" \
		--disk "size=32M,queues=4,discard=ignore" \
		--disk "size=16M,queues=2,lbs=4096,pbs=4096" \
		--file "$ko:/vblktrace.ko" >"$TMP/$k.rig.log" 2>&1 || rc=$?
	g=$out/guest
	if [ $rc -ne 0 ] || [ ! -f "$g/done" ]; then
		tap_harness_fail "$k: guest ran" "run.sh exit $rc" "$(tail -n 5 "$TMP/$k.rig.log")"
		continue
	fi
	tap_harness_ok "$k: guest ran"
	ncpu=$(cat "$g/nproc")
	for d in vda vdb vdc; do
		dd=$g/$d
		neg=$(key "$dd" negotiated features)
		DIAG="inspector $neg, sysfs $(cat "$dd/sys_features")"
		check "$k $d: features == /sys/block/$d/device/features" \
			'[ "$neg" = "$(cat "$dd/sys_features")" ]'
		DIAG="capacity $(field "$dd" capacity), size $(cat "$dd/sys_size");"
		DIAG="$DIAG blk_size $(field "$dd" blk_size)"
		check "$k $d: capacity and blk_size == sysfs size and logical_block_size" \
			'[ "$(field "$dd" capacity)" = "$(cat "$dd/sys_size")" ] && [ "$(field "$dd" blk_size)" = "$(cat "$dd/sys_logical_block_size")" ]'
		case $d in vda) q=1 ;; vdb) q=4 ;; vdc) q=2 ;; esac
		want=$((q < ncpu ? q : ncpu))
		off=$(key "$dd" offered features)
		mq=0
		has_bit "$off" 12 && mq=1
		DIAG=$(cat "$dd/config" "$dd/queues")
		check "$k $d: num_queues $q, MQ offered iff > 1, $want virtqueue(s) == hw queues" \
			'[ "$(field "$dd" num_queues)" = $q ] && [ $mq = $((q > 1)) ] && [ "$(key "$dd" virtqueues queues)" = $want ] && [ "$(key "$dd" hw_queues queues)" = "$(cat "$dd/sys_nr_hw_queues")" ]'
	done
	a=$(key "$g/vda" config_size_probed config)
	fa=$(key "$g/vda" config_size_features config)
	b=$(key "$g/vdb" config_size_probed config)
	DIAG="vda probed $a by features $fa; vdb probed $b"
	check "$k: probed config size == size by offered features ($a)" \
		'[ "$a" = "$fa" ] && [ -n "$a" ] && [ "$a" != unknown ]'
	DIAG="vda: $(key "$g/vda" negotiated_names features)"
	check "$k: discard=unmap vs ignore: same DISCARD bit and config size ($a == $b)" \
		'[ "$a" = "$b" ] && has_bit "$(key "$g/vda" negotiated features)" 13 && has_bit "$(key "$g/vdb" negotiated features)" 13'
	DIAG=$(cat "$g/vda/errors")
	check "$k vda: errors since load: WRITE 1" \
		'[ "$(key "$g/vda" WRITE errors)" = 1 ] && [ "$(key "$g/vdb" total errors)" = 0 ]'
	DIAG=$(head -40 "$g/disks.txt")
	check "$k: vblktrace disks shows the inspector (text and JSON)" \
		'grep -q '\''kmod inspector'\'' "$g/disks.txt" && [ "$(jq -r '\''select(.name == "vdb") | .kmod.config.num_queues.value'\'' "$g/disks.jsonl")" = 4 ]'
done
tap_done
