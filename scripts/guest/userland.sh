#!/bin/bash
# The guest tools of a foreign architecture, unpacked from Debian packages.
#
#   userland.sh ARCH     print a directory holding ARCH's busybox (static),
#                        mkfs.xfs, xfs_io, fio, dmsetup, mdadm and every library they need
#
# An amd64 guest gets this host's own binaries.  An arm64 guest cannot, and
# its tools cannot be installed here (xfsprogs and fio are not co-installable
# across architectures), so their ARCH packages and the library packages
# they depend on (recursively: Depends and Pre-Depends named lib* or zlib*) are
# downloaded with apt and unpacked into .cache/guest/userland-ARCH/.  The set
# is resolved with apt at run time; a second call downloads nothing.
# initramfs.sh then copies each binary with the libraries its ELF NEEDED
# entries name, looked up in that tree.
set -eu

die() { echo "userland.sh: $*" >&2; exit 1; }

REPO=$(cd "$(dirname "$0")/../.." && pwd)
ARCH=${1:-}
case $ARCH in
arm64) ;;
*) die "usage: userland.sh arm64" ;;
esac
ROOT=$REPO/.cache/guest/userland-$ARCH
DEBS=$REPO/.cache/guest/debs-$ARCH
TOP="busybox-static fio xfsprogs dmsetup mdadm"

dpkg --print-foreign-architectures | grep -qx "$ARCH" ||
	die "dpkg does not know $ARCH: run 'make deps' as root"
if [ "$(cat "$ROOT/.complete" 2>/dev/null)" = "$TOP" ]; then
	echo "$ROOT"
	exit 0
fi

# closure: the packages to unpack, one per line; one apt-cache call per
# level of the dependency tree.
closure() {
	local level seen=" " next p
	level=$(printf "%s:$ARCH\n" $TOP)
	while [ -n "$level" ]; do
		next=""
		for p in $level; do
			case $seen in *" $p "*) continue ;; esac
			seen="$seen$p "
			echo "$p"
			next="$next $p"
		done
		[ -n "$next" ] || break
		level=$(apt-cache depends --no-recommends --no-suggests --no-conflicts \
			--no-breaks --no-replaces --no-enhances $next 2>/dev/null |
			awk '$1 == "Depends:" || $1 == "PreDepends:" { print $2 }' |
			grep -E "^(lib|zlib)[^<>]*:$ARCH\$" | sort -u)
	done
}

mkdir -p "$DEBS"
pkgs=$(closure)
[ -n "$pkgs" ] || die "apt resolved no packages for $ARCH"
# Download what is not there yet, in one apt call.
need=""
for p in $pkgs; do
	ls "$DEBS/${p%%:*}"_*.deb >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
	(cd "$DEBS" && apt-get download -q -o APT::Sandbox::User=root $need >&2) ||
		die "apt-get download failed for:$need"
fi
rm -rf "$ROOT.tmp"
mkdir -p "$ROOT.tmp"
for p in $pkgs; do
	deb=$(ls "$DEBS/${p%%:*}"_*.deb | sort -V | tail -n 1)
	dpkg-deb -x "$deb" "$ROOT.tmp" || die "dpkg-deb -x $deb failed"
done
[ -x "$ROOT.tmp/bin/busybox" ] || die "no bin/busybox in the $ARCH packages"
echo "$TOP" >"$ROOT.tmp/.complete"
rm -rf "$ROOT"
mv "$ROOT.tmp" "$ROOT"
echo "$ROOT"
