#!/bin/bash
# Fetch and unpack the newest Debian cloud kernel of a series for guest boots.
#
#   kernel.sh SERIES              print the unpacked image dir (boot/vmlinuz-*, lib/modules/ABI/)
#   kernel.sh SERIES --headers    also unpack the headers; print the image dir on line 1 and
#                                 the kbuild dir (make -C DIR M=...) on line 2
#   kernel.sh SERIES --abi        print only the resolved ABI (e.g. 6.1.0-56-cloud-amd64)
#
# SERIES is 6.1 or 6.12 (any "X.Y" works), or "newest" for the newest of all series. GUEST_ARCH=amd64 (default) or arm64 picks the
# flavour (-cloud-amd64 / -cloud-arm64); an arm64 kernel needs 'dpkg --add-architecture
# arm64' (scripts/deps.sh) and its headers come with this host's own linux-kbuild tools,
# so modules cross-build from here. The package is resolved with apt at run time
# (never hard-coded); the answer is cached until the apt package lists change. Debs go to
# .cache/guest/debs/, trees to .cache/guest/ABI/ (with a depmod'ed modules.dep); a second
# call downloads nothing. Building a module against 6.12 headers needs pahole (dwarves).
# See README.md.
set -eu

die() { echo "kernel.sh: $*" >&2; exit 1; }

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=$REPO/.cache/guest
DEBS=$CACHE/debs
LISTS=/var/lib/apt/lists

[ $# -ge 1 ] || die "usage: kernel.sh SERIES [--headers|--abi]"
GUEST_ARCH=${GUEST_ARCH:-amd64}
case $GUEST_ARCH in
amd64 | arm64) ;;
*) die "unknown GUEST_ARCH '$GUEST_ARCH' (amd64 or arm64)" ;;
esac
# Foreign-architecture packages must be named with their architecture.
QUAL=
[ "$GUEST_ARCH" = "$(dpkg --print-architecture)" ] || QUAL=:$GUEST_ARCH
SERIES=$1
MODE=${2:-}
case $SERIES in
[0-9]*.[0-9]*) SERIES_RE=${SERIES//./\\.} ;;
newest) SERIES_RE='[0-9]+\.[0-9]+' ;;
*) die "bad series '$SERIES' (want e.g. 6.1, 6.12 or newest)" ;;
esac
case $MODE in
'' | --headers | --abi) ;;
*) die "unknown option '$MODE'" ;;
esac
mkdir -p "$DEBS"

have_lists() {
	ls "$LISTS"/*Packages* >/dev/null 2>&1
}

# Newest linux-image-SERIES.N...-cloud-ARCH; the anchors skip meta packages
# (linux-image-6.12-cloud-amd64) and -dbg / -unsigned variants.
resolve_pkg() {
	local re
	re="^linux-image-$SERIES_RE\\.[0-9][^ ]*-cloud-$GUEST_ARCH\$"
	apt-cache pkgnames linux-image- | grep -E "$re" | sort -V | tail -n 1
}

# The resolution costs ~1 s of apt-cache; remember it until the lists change.
resolve_abi() {
	local memo=$CACHE/resolved-$SERIES-$GUEST_ARCH pkg newest
	if ! have_lists; then
		[ "$(id -u)" = 0 ] || die "no apt package lists and not root to run apt-get update"
		apt-get update -qq >&2 || die "apt-get update failed"
	fi
	newest=$(ls -t "$LISTS"/*Packages* | head -n 1)
	if [ -s "$memo" ] && [ "$memo" -nt "$newest" ]; then
		cat "$memo"
		return
	fi
	pkg=$(resolve_pkg)
	[ -n "$pkg" ] || die "no linux-image-$SERIES.*-cloud-$GUEST_ARCH package known to apt"
	pkg=${pkg#linux-image-}
	echo "$pkg" >"$memo.tmp" && mv "$memo.tmp" "$memo"
	echo "$pkg"
}

# fetch PKG[:ARCH]: download PKG's candidate deb once; print its path.
fetch() {
	local pkg=${1%%:*} f
	f=$(ls "$DEBS/${pkg}"_*.deb 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$f" ]; then
		(cd "$DEBS" && apt-get download -q -o APT::Sandbox::User=root "$1" >&2) ||
			die "apt-get download $pkg failed"
		f=$(ls "$DEBS/${pkg}"_*.deb 2>/dev/null | sort -V | tail -n 1)
		[ -n "$f" ] || die "download of $pkg left no .deb in $DEBS"
	fi
	echo "$f"
}

# unpack PKG[:ARCH] DIR: extract PKG into DIR once (a stamp per package marks completion).
unpack() {
	local pkg=${1%%:*} dir=$2 deb
	# A stamp alone is not enough: a 'make clean' of an out-of-tree module
	# with M= at the repo root deletes every .ko under it, .cache included.
	if [ -e "$dir/.unpacked-$pkg" ]; then
		case $pkg in
		linux-image-*)
			[ -n "$(find "$dir/lib/modules" -name 'virtio_blk.ko*' -print -quit 2>/dev/null)" ] &&
				return ;;
		*) return ;;
		esac
	fi
	deb=$(fetch "$1")
	mkdir -p "$dir"
	dpkg-deb -x "$deb" "$dir" || die "dpkg-deb -x $deb failed"
	touch "$dir/.unpacked-$pkg"
}

# The headers' Depends name the -common and kbuild packages of the same build.
# The kbuild package (fixdep, modpost) is fetched for this host's architecture:
# it runs here, also when the headers are arm64's.
header_deps() {
	apt-cache show --no-all-versions "linux-headers-$ABI$QUAL" 2>/dev/null |
		sed -n 's/^Depends: //p' | tr ',' '\n' |
		sed -e 's/^ *//' -e 's/[ |(].*//' |
		grep -E '^linux-(headers-.*-common|kbuild-)' || true
}

# The flavour headers' Makefile includes the -common tree by absolute path
# (/usr/src/linux-headers-ABI-common/Makefile) and lib/modules/ABI/build is an
# absolute link: both point at the host, not at our unpacked tree. Re-point them
# into DIR. (scripts/ and tools/ are relative links into usr/lib/linux-kbuild-*,
# which resolve inside DIR once the kbuild package is unpacked there.)
fix_links() {
	local dir=$1 l t mk
	for mk in "$dir"/usr/src/linux-headers-*/Makefile; do
		grep -q '^include /usr/src/' "$mk" || continue
		sed -i "s|^include /usr/src/|include $dir/usr/src/|" "$mk"
	done
	find "$dir/usr/src" "$dir/lib/modules" -type l 2>/dev/null | while read -r l; do
		t=$(readlink "$l")
		case $t in
		/*) if [ -e "$dir$t" ]; then ln -sfn "$dir$t" "$l"; fi ;;
		esac
	done
}

unpack_headers() {
	local dir=$CACHE/$ABI p deps
	[ -e "$dir/.headers-ok" ] && return
	deps=$(header_deps)
	[ -n "$deps" ] || die "cannot read the dependencies of linux-headers-$ABI"
	for p in "linux-headers-$ABI$QUAL" $deps; do
		unpack "$p" "$dir"
	done
	fix_links "$dir"
	[ -x "$dir/usr/src/linux-headers-$ABI/scripts/basic/fixdep" ] ||
		die "headers of $ABI unpacked but scripts/basic/fixdep is missing"
	touch "$dir/.headers-ok"
}

ABI=$(resolve_abi)
if [ "$MODE" = --abi ]; then
	echo "$ABI"
	exit 0
fi
unpack "linux-image-$ABI$QUAL" "$CACHE/$ABI"
# The package ships no modules.dep (its postinst runs depmod); make one here.
if [ ! -s "$CACHE/$ABI/lib/modules/$ABI/modules.dep" ]; then
	depmod -b "$CACHE/$ABI" "$ABI" || die "depmod for $ABI failed"
fi
ls "$CACHE/$ABI"/boot/vmlinuz-* >/dev/null 2>&1 || die "no boot/vmlinuz-* in $CACHE/$ABI"
echo "$CACHE/$ABI"
if [ "$MODE" = --headers ]; then
	unpack_headers
	echo "$CACHE/$ABI/usr/src/linux-headers-$ABI"
fi
