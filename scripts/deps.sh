#!/bin/sh
# Install every Debian package that building, the demo and the tests need.
# Idempotent: packages already present are skipped by apt itself, and the
# package lists are refreshed only when they are missing or older than a day.
#
#   scripts/deps.sh [build|all] [arm64]
#       build: what 'make' needs; all (default): also the tests, the demo and
#       the reports, which cover arm64 too (cross build, arm64 guests);
#       arm64: also what 'make ARCH=arm64' needs (the target's libraries
#       through dpkg multiarch, the cross compiler).
set -eu
group=${1:-all}
case $group in
build | all) ;;
*)
	echo "deps: unknown group '$group' (build, all)" >&2
	exit 2
	;;
esac
cross=${2:-}
case $cross in
'' | arm64) ;;
*)
	echo "deps: unknown architecture '$cross' (arm64)" >&2
	exit 2
	;;
esac
[ "$group" = all ] && cross=arm64

PKGS_BUILD="make gcc clang llvm bpftool libbpf-dev libelf-dev libdw-dev zlib1g-dev
	libzstd-dev libcap-dev libjson-c-dev libxml2-dev libicu-dev liblzma-dev
	pkg-config linux-source-6.1 xz-utils libmicrohttpd-dev libclang-rt-14-dev"
PKGS_REPORT="chromium prometheus curl libunistring-dev systemd man-db groff-base bsdextrautils socat"
PKGS_TEST="libfuse3-dev fuse3 qemu-system-x86 qemu-utils qemu-block-extra libvirt-clients libvirt-daemon-system
	libvirt-daemon-driver-qemu libxml2-utils mdadm xfsprogs fio busybox-static
	cpio openssl strace util-linux kmod e2fsprogs jq bc dwarves python3-jsonschema
	bpftrace libbpf-tools"

# The static aarch64 build links the arm64 builds of the same libraries;
# the tests boot arm64 guests under TCG, one of them through AAVMF (UEFI).
PKGS_ARM64_BUILD="gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross libbpf-dev:arm64
	libelf-dev:arm64 zlib1g-dev:arm64 libzstd-dev:arm64 libcap-dev:arm64
	libjson-c-dev:arm64 libxml2-dev:arm64 libicu-dev:arm64 liblzma-dev:arm64
	libmicrohttpd-dev:arm64 libunistring-dev:arm64"
PKGS_ARM64_TEST="qemu-system-arm qemu-efi-aarch64"

missing=""
pkgs=$PKGS_BUILD
[ "$group" = all ] && pkgs="$pkgs $PKGS_TEST $PKGS_REPORT"
[ -n "$cross" ] && pkgs="$pkgs $PKGS_ARM64_BUILD"
[ -n "$cross" ] && [ "$group" = all ] && pkgs="$pkgs $PKGS_ARM64_TEST"
foreign=0
if [ -n "$cross" ] && ! dpkg --print-foreign-architectures | grep -qx "$cross"; then
	foreign=1
fi
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && [ $foreign = 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing; run 'make deps' as root" >&2
	exit 1
fi
lists=/var/lib/apt/lists
if [ $foreign = 1 ]; then
	# A new architecture has no package lists yet: refresh them now.
	echo "deps: adding the $cross architecture (dpkg multiarch)"
	dpkg --add-architecture "$cross"
	apt-get update -qq
elif [ -z "$(find "$lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
	apt-get update -qq
fi
echo "deps: installing$missing"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
