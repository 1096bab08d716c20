#!/bin/sh
# The kernel module builds against Debian's 6.1 and 6.12 cloud headers and is
# checkpatch.pl --no-tree clean.  TAP output.
#
#   tests/vm/kmod_build.sh             the test
#   tests/vm/kmod_build.sh --ko SERIES build (if stale) and print the .ko path;
#                                      the other kmod_*.sh tests use this
#
# Each series builds in its own copy (build/kmod/SERIES), so both can exist
# at once and the source tree stays free of kbuild's artifacts.  With
# GUEST_ARCH=arm64 the module is cross-built against the -cloud-arm64
# headers (build/kmod/arm64-SERIES), as 'make kmod ARCH=arm64' does.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
KSERIES="6.1 6.12"
GUEST_ARCH=${GUEST_ARCH:-amd64}
export GUEST_ARCH
case $GUEST_ARCH in
amd64) KMAKE="" TAG="" ELF_MACHINE="Advanced Micro Devices X86-64" ;;
arm64) KMAKE="ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-" TAG=arm64- ELF_MACHINE=AArch64 ;;
*) echo "kmod_build: unknown GUEST_ARCH '$GUEST_ARCH'" >&2; exit 2 ;;
esac

# build_ko SERIES LOG: prints the .ko path; kbuild output goes to LOG.
build_ko() {
	kdir=$("$REPO/scripts/guest/kernel.sh" "$1" --headers | sed -n 2p) || {
		echo "kmod_build: no headers for $1 (scripts/guest/kernel.sh)" >&2
		return 1
	}
	dir=$REPO/build/kmod/$TAG$1
	mkdir -p "$dir/kmod" "$dir/include/vblktrace"
	# cp -p keeps mtimes, so kbuild only rebuilds what changed.
	cp -p "$REPO/Kbuild" "$dir/"
	cp -p "$REPO"/kmod/Kbuild "$REPO"/kmod/*.h "$dir/kmod/"
	for f in "$REPO"/kmod/*.c; do
		case $f in *.mod.c) continue ;; esac
		cp -p "$f" "$dir/kmod/"
	done
	cp -p "$REPO/include/vblktrace/abi.h" "$dir/include/vblktrace/"
	make -C "$kdir" M="$dir" $KMAKE modules >"$2" 2>&1 || {
		echo "kmod_build: build against $kdir failed:" >&2
		tail -n 20 "$2" >&2
		return 1
	}
	echo "$dir/kmod/vblktrace.ko"
}

if [ "${1:-}" = --ko ]; then
	mkdir -p "$REPO/build/kmod"
	build_ko "${2:?usage: kmod_build.sh --ko SERIES}" \
		"$REPO/build/kmod/build-$TAG$2.log"
	exit
fi

. "$REPO/tests/lib/tap.sh"
mkdir -p "$REPO/build/kmod"
tap_plan 8
for k in $KSERIES; do
	log=$REPO/build/kmod/build-$TAG$k.log
	# stderr (a first download of the headers) must not end up in $ko
	if ko=$(build_ko "$k" "$log" 2>>"$log.err"); then
		tap_ok "module builds against Debian's $k cloud-$GUEST_ARCH headers"
		if grep -qiE 'warning:|error:' "$log"; then
			tap_fail "$k build has no compiler warnings" \
				"$(grep -iE 'warning:|error:' "$log" | head -5)"
		else
			tap_ok "$k build has no compiler warnings"
		fi
		vermagic=$(modinfo -F vermagic "$ko" 2>/dev/null || true)
		abi=$("$REPO/scripts/guest/kernel.sh" "$k" --abi)
		machine=$(readelf -h "$ko" | sed -n 's/^ *Machine: *//p')
		case $vermagic:$machine in
		"$abi "*:"$ELF_MACHINE") tap_ok "$k module's vermagic names $abi, ELF machine $machine" ;;
		*) tap_fail "$k module's vermagic names $abi, ELF machine $ELF_MACHINE" \
			"vermagic: $vermagic, machine: $machine" ;;
		esac
	else
		tap_fail "module builds against Debian's $k cloud-$GUEST_ARCH headers" "$ko" \
			"$(tail -20 "$log.err" 2>/dev/null)"
		tap_fail "$k build has no compiler warnings" "no build"
		tap_fail "$k module's vermagic" "no build"
	fi
done
# Only the module's files here; tests/host/style.sh checks the rest.
kfiles=$(cd "$REPO" && ls kmod/*.c kmod/*.h | grep -v '\.mod\.c$' | tr '\n' ' ')
if out=$(make -s -C "$REPO" checkpatch KERNEL_C="$kfiles" 2>&1); then
	tap_ok "checkpatch.pl --no-tree is clean on kmod/"
else
	tap_fail "checkpatch.pl --no-tree is clean on kmod/" "$out"
fi
# This host cannot load modules: the kmod driver must say so, exit 3.
vbt=$REPO/build/vblktrace
if [ ! -x "$vbt" ] || [ -e /dev/vblktrace ]; then
	tap_skip "--driver kmod without the module: exit 3" \
		"needs build/vblktrace and no module loaded"
else
	rc=0
	msg=$("$vbt" --driver kmod -t 1 2>&1 >/dev/null) || rc=$?
	case "$rc:$msg" in
	3:*"module is not loaded"*)
		tap_ok "--driver kmod without the module: exit 3 naming the module" ;;
	*)	tap_fail "--driver kmod without the module: exit 3 naming the module" \
			"exit $rc: $msg" ;;
	esac
fi
tap_done
