#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What each dependency adds to the static binary: relinks build/vblktrace
# with a link map (into a temporary file, the build is not touched) and
# sums the sizes of the sections kept from each archive or object file
# (.bss excluded: it takes no room in the file; nor the debug sections:
# make moves them to build/vblktrace.debug; the BPF objects are in
# vblktrace's own .rodata).
#
#   bench/size.sh        (after make)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -x build/vblktrace ] || { echo "size: build first (make)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/vbt-size.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# The link command make would run, with a map and another output.
cmd=$(make -s -n -W build/user/main.o build/vblktrace | grep -- '-o \$t\| -o ' | tail -1)
cmd=$(echo "$cmd" | sed "s|^t=[^;]*; *||; s|\$t|$tmp/vblktrace|; s| &&.*||")
eval "$cmd -Wl,-Map=$tmp/map" >/dev/null 2>&1 || { echo "size: relink failed: $cmd" >&2; exit 1; }
printf 'build/vblktrace: %d bytes, debug info apart (%d bytes in build/vblktrace.debug)\n' \
	"$(stat -c %s build/vblktrace)" "$(stat -c %s build/vblktrace.debug 2>/dev/null || echo 0)"
printf 'sections: %s\n' \
	"$(size -A build/vblktrace | awk '$1 == ".text" || $1 == ".rodata" || $1 == ".data" || $1 == ".bss" {printf "%s %d  ", $1, $2}')"
awk '
	function hex(s,   i, v) {
		v = 0; s = tolower(substr(s, 3))
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	# input sections: " .text.foo  0xADDR  0xSIZE  file" (name may wrap)
	# .bss takes no room in the file
	/^ \.(bss|tbss|debug)/ { pending = 0; next }
	/^ \.[a-z]/ && NF == 1 { pending = 1; next }
	(pending && NF >= 3 && $1 ~ /^0x/) || (/^ \.[a-z]/ && NF >= 4) {
		if (pending) { size = $2; file = $3 } else { size = $3; file = $4 }
		pending = 0
		if (file !~ /\.(a|o)/) next
		sub(/\(.*/, "", file); n = split(file, p, "/"); lib = p[n]
		if (lib ~ /^(user|main)/ || file ~ /build\/(user|lib)/) lib = "vblktrace itself"
		sum[lib] += hex(size)
		next
	}
	{ pending = 0 }
	END { for (l in sum) printf "%10d  %s\n", sum[l], l }' "$tmp/map" | sort -rn | head -25
