#!/bin/sh
# Install every Debian package that building, the demo and the tests need.
# Idempotent: packages already present are skipped by apt itself, and the
# package lists are refreshed only when they are missing or older than a day.
#
#   scripts/deps.sh [build|all]    build: what 'make' needs; all (default):
#                                  also the tests, the demo and the reports
set -eu
group=${1:-all}
case $group in
build | all) ;;
*)
	echo "deps: unknown group '$group' (build, all)" >&2
	exit 2
	;;
esac

PKGS_BUILD="make gcc clang llvm bpftool libbpf-dev libelf-dev libdw-dev zlib1g-dev
	libzstd-dev libcap-dev libjson-c-dev libxml2-dev libicu-dev liblzma-dev
	pkg-config linux-source-6.1 xz-utils libmicrohttpd-dev libclang-rt-14-dev"
PKGS_REPORT="chromium prometheus curl libunistring-dev systemd man-db groff-base bsdextrautils socat"
PKGS_TEST="libfuse3-dev fuse3 qemu-system-x86 qemu-utils qemu-block-extra libvirt-clients xfsprogs fio busybox-static
	cpio openssl strace util-linux kmod e2fsprogs jq bc dwarves python3-jsonschema
	bpftrace libbpf-tools"

missing=""
pkgs=$PKGS_BUILD
[ "$group" = all ] && pkgs="$pkgs $PKGS_TEST $PKGS_REPORT"
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing; run 'make deps' as root" >&2
	exit 1
fi
lists=/var/lib/apt/lists
if [ -z "$(find "$lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
	apt-get update -qq
fi
echo "deps: installing$missing"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
