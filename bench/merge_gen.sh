#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Recordings for 'vblktrace merge' at scale, on standard output:
#
#   bench/merge_gen.sh guest|host N [mix]
#
# Plain (bench/merge.sh): N failed guest writes on vda (virtio IOERR), one
# every 100 us from 2026-11-22T04:00:00Z, and the N failed QEMU pwritev
# calls behind them (same byte offsets, the host clock 3 ms ahead).
#
# mix (tests/host/merge_scale.sh): the same pace, but every origin merge
# gives: pwritev and io_uring failures at the guest's offsets (some a few
# us late, some only overlapping), a write QEMU failed itself, a flush
# behind a failed fsync, a qcow2 drive joined by time only, a disk no
# host drive pairs with, requests that never reached the device or had
# no virtio error, the guest's syscalls that surfaced them, and host
# noise at unrelated offsets.
set -eu
side=$1 n=$2 mix=${3:-}
case $side in guest|host) ;; *) echo "usage: $0 guest|host N [mix]" >&2; exit 2 ;; esac

awk -v side="$side" -v n="$n" -v mix="$mix" '
function ts(ns,    s, sub_ns) {
	s = int(ns / 1e9); sub_ns = ns % 1000000000
	return sprintf("2026-11-22T%02d:%02d:%02d.%09dZ", 4 + int(s / 3600),
		       int(s / 60) % 60, s % 60, sub_ns)
}
function gblock(ns, dev, op, sector, nr, virtio, reached) {
	printf "{\"v\":1,\"ts\":\"%s\",\"mono_ns\":%.0f,\"side\":\"guest\",\"kind\":\"block\",\"errno\":5,\"err\":\"EIO\",\"pid\":9,\"tid\":9,\"comm\":\"fio\",\"dev\":\"%s\",\"major\":254,\"minor\":0,\"op\":\"%s\",\"flags\":[],\"sector\":%.0f,\"nr_sectors\":%d,\"bytes\":%d,\"status\":\"IOERR\",\"lat_ns\":1000%s%s,\"seq\":%d}\n", ts(ns), ns + 5000000000, dev, op, sector, nr, nr * 512, virtio == "" ? "" : ",\"virtio_status\":\"" virtio "\"", reached ? "" : ",\"reached_device\":false", ++seq
	return seq
}
function gsys(ns, cause) {
	printf "{\"v\":1,\"ts\":\"%s\",\"mono_ns\":%.0f,\"side\":\"guest\",\"kind\":\"syscall\",\"errno\":5,\"err\":\"EIO\",\"pid\":77,\"tid\":78,\"comm\":\"mkfs.xfs\",\"syscall\":\"pwrite64\",\"fd\":3,\"path\":\"/dev/vda\",\"offset\":0,\"len\":4096,\"cause\":%d,\"seq\":%d}\n", ts(ns), ns + 5000000000, cause, ++seq
}
function hio(ns, call, off, len, errno, err, drive, format, aio,    img) {
	img = mix == "" ? "/img" : "/img/" drive
	printf "{\"v\":1,\"ts\":\"%s\",\"mono_ns\":%.0f,\"side\":\"host\",\"kind\":\"syscall\",\"errno\":%d,\"err\":\"%s\",\"pid\":50,\"tid\":51,\"comm\":\"worker\",\"syscall\":\"%s\",\"fd\":13,\"path\":\"%s\"%s,\"len\":%d,\"seq\":%d,\"vm\":\"vm1\",\"drive\":\"%s\",\"image\":\"%s\",\"format\":\"%s\",\"aio\":\"%s\"}\n", ts(ns), ns + 7000000000, errno, err, call, img, off < 0 ? "" : sprintf(",\"offset\":%.0f", off), len, ++seq, drive, img, format, aio
}
function huring(ns, opcode, off, len) {
	printf "{\"v\":1,\"ts\":\"%s\",\"mono_ns\":%.0f,\"side\":\"host\",\"kind\":\"io_uring\",\"errno\":28,\"err\":\"ENOSPC\",\"pid\":50,\"tid\":50,\"comm\":\"qemu-system-x86\",\"opcode\":%d,\"fd\":14,\"path\":\"/img/virtio-disk0\",\"offset\":%.0f,\"len\":%d,\"seq\":%d,\"vm\":\"vm1\",\"drive\":\"virtio-disk0\",\"image\":\"/img/virtio-disk0\",\"format\":\"raw\",\"aio\":\"io_uring\",\"cache\":\"none\"}\n", ts(ns), ns + 7000000000, opcode, off, len, ++seq
}
BEGIN {
	seq = 0
	for (i = 0; i < n; i++) {
		ns = i * 100000
		if (mix == "") {
			if (side == "guest")
				gblock(ns, "vda", "WRITE", i * 8, 8, "IOERR", 1)
			else
				hio(ns + 3000000, "pwritev", i * 4096, 4096, 28, "ENOSPC", "virtio-disk0", "raw", "threads")
			continue
		}
		k = i % 12; h = ns + 3000000 + (i % 7) * 1000
		if (side == "guest") {
			if (k <= 3)
				b = gblock(ns, "vda", "WRITE", i * 8, 8, "IOERR", 1)
			else if (k == 4)
				b = gblock(ns, "vda", "READ", i * 8, 16, "IOERR", 1)
			else if (k == 5)
				b = gblock(ns, "vda", "WRITE", i * 8, 8, "IOERR", 1)
			else if (k == 6)
				b = gblock(ns, "vda", "FLUSH", 0, 0, "IOERR", 1)
			else if (k == 7)
				b = gblock(ns, "vdb", "WRITE", i * 8, 8, "IOERR", 1)
			else if (k == 8)
				b = gblock(ns, "vdc", "WRITE", i * 8, 8, "IOERR", 1)
			else if (k == 9)
				b = gblock(ns, "vda", "WRITE", i * 8, 8, "", 1)
			else if (k == 10)
				b = gblock(ns, "vda", "WRITE", i * 8, 8, "IOERR", 0)
			else
				b = gblock(ns, "vda", "DISCARD", i * 8, 64, "UNSUPP", 1)
			if (i % 5 == 0)
				gsys(ns + 20000, b)
			continue
		}
		if (k <= 2)
			hio(h, "pwritev", i * 4096, 4096, 28, "ENOSPC", "virtio-disk0", "raw", "threads")
		else if (k == 3)	# overlaps the guest range, starts inside
			hio(h, "pwritev", i * 4096 + 2048, 4096, 5, "EIO", "virtio-disk0", "raw", "threads")
		else if (k == 4)
			huring(h, 22, i * 4096, 8192)
		else if (k == 6)
			hio(h, "fdatasync", -1, 0, 5, "EIO", "virtio-disk0", "raw", "threads")
		else if (k == 7)	# qcow2: no offset mapping
			hio(h, "pwritev", 9000000 + i, 65536, 28, "ENOSPC", "virtio-disk1", "qcow2", "threads")
		else if (k == 11)
			hio(h, "fallocate", i * 4096, 32768, 95, "EOPNOTSUPP", "virtio-disk0", "raw", "threads")
		if (i % 9 == 0)	# noise: nobody asked for these bytes
			hio(h + 500, "pwritev", 1e12 + i * 4096, 4096, 28, "ENOSPC", "virtio-disk0", "raw", "threads")
	}
}'
