#!/bin/sh
# Extract the kernel's BTF from a kernel Image, for a vmlinux.h of another
# architecture than this build host's.
#
#   scripts/btf-from-image.sh IMAGE OUT
#
# An arm64 Debian kernel (boot/vmlinuz-*) is an uncompressed Image whose
# .BTF section sits in it as is: the raw blob the running kernel shows as
# /sys/kernel/btf/vmlinux.  We find its header (magic 0xeB9F, version 1,
# 24-byte header: little-endian "9f eb 01 00 18 00 00 00"), take the length
# the header declares and keep the first candidate bpftool accepts as BTF.
# A gzip'd Image is unpacked first.
set -eu
die() { echo "btf-from-image: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: btf-from-image.sh IMAGE OUT"
img=$1 out=$2
[ -r "$img" ] || die "cannot read $img"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vbt-btf.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if gzip -t "$img" 2>/dev/null; then
	gzip -dc "$img" >"$tmp/image"
	img=$tmp/image
fi

# u32 FILE OFFSET: a little-endian 32-bit word.
u32() {
	od -An -t u4 --endian=little -j "$2" -N 4 "$1" | tr -d ' '
}

for off in $(LC_ALL=C grep -obUaP '\x9f\xeb\x01\x00\x18\x00\x00\x00' "$img" |
	cut -d: -f1 | head -n 16); do
	type_off=$(u32 "$img" $((off + 8)))
	type_len=$(u32 "$img" $((off + 12)))
	str_off=$(u32 "$img" $((off + 16)))
	str_len=$(u32 "$img" $((off + 20)))
	end=$((type_off + type_len))
	[ $((str_off + str_len)) -gt $end ] && end=$((str_off + str_len))
	size=$((24 + end))
	# A kernel's BTF is megabytes; a stray match is not.
	[ "$size" -gt 65536 ] || continue
	dd if="$img" of="$tmp/btf" bs=64k iflag=skip_bytes,count_bytes \
		skip="$off" count="$size" status=none
	if bpftool btf dump file "$tmp/btf" >/dev/null 2>&1 &&
		bpftool btf dump file "$tmp/btf" | grep -q "^\[[0-9]*\] STRUCT 'task_struct'"; then
		mv "$tmp/btf" "$out"
		exit 0
	fi
done
die "no kernel BTF found in $1"
