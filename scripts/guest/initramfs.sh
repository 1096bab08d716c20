#!/bin/bash
# Build the guest initramfs: static busybox, the rig's /init, kernel modules and tools.
#
#   initramfs.sh base --kdir KDIR [--module NAME]... [--file HOST[:GUEST]]... [--no-tools]
#       Print the path of a cached cpio for the kernel tree KDIR (from kernel.sh). It
#       holds busybox, /init (below), the virtio-blk modules plus each --module with its
#       dependencies (from modules.dep, decompressed on the host), mkfs.xfs, xfs_io, fio,
#       build/vblktrace when it exists, and each --file; every dynamic binary comes with
#       the libraries ldd lists and the loader. The cache key hashes the name, size and
#       mtime of every input, so a rebuilt input makes a new image; old ones are pruned.
#   initramfs.sh overlay --out FILE [--file HOST[:GUEST]]...
#   GUEST_ARCH=arm64 (both commands): an arm64 guest's image; busybox and the tools come
#       from userland.sh's unpacked arm64 packages, vblktrace from build/arm64/, and the
#       libraries of any dynamic binary are found from its ELF NEEDED entries (no ldd
#       for a foreign architecture).
#       Write an uncompressed cpio of just these files (and their libraries), to be
#       appended to a base image: the kernel unpacks concatenated archives in order.
#       run.sh puts each run's guest script and --file items there, so the big base
#       image is built once.
#
# The guest /init mounts proc, sys, devtmpfs, tracefs and debugfs, loads the modules,
# runs /rig/script.sh (stdout+stderr to the console and /out/guest.log; env OUT=/out,
# RIG_DISKS="vda ...", first argument /out), records its status, writes /out plus the
# rig's own files as a tar onto the disk whose serial is "vbt-rig-out", and powers off.
set -eu

die() { echo "initramfs.sh: $*" >&2; exit 1; }

REPO=$(cd "$(dirname "$0")/../.." && pwd)
SELF=$REPO/scripts/guest/initramfs.sh
CACHE=$REPO/.cache/guest/initramfs
KEEP=6				# cached base images kept (~90 MB each)
BASE_MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk"
TOOLS="/usr/sbin/mkfs.xfs /usr/sbin/xfs_io /usr/bin/fio"
GUEST_ARCH=${GUEST_ARCH:-amd64}
ROOT=''				# a foreign guest's unpacked packages (userland.sh)
VBT_BIN=$REPO/build/vblktrace
BUSYBOX=/usr/bin/busybox
case $GUEST_ARCH in
amd64) ;;
arm64)
	MA=aarch64-linux-gnu
	VBT_BIN=$REPO/build/arm64/vblktrace
	;;
*) die "unknown GUEST_ARCH '$GUEST_ARCH' (amd64 or arm64)" ;;
esac

# cross_root: unpack the foreign tools once; point TOOLS and BUSYBOX into them.
cross_root() {
	local t out=''
	[ "$GUEST_ARCH" != amd64 ] || return 0
	ROOT=$("$REPO/scripts/guest/userland.sh" "$GUEST_ARCH") || die "userland.sh failed"
	BUSYBOX=$ROOT/bin/busybox
	for t in $TOOLS; do
		if [ -e "$ROOT$t" ]; then out="$out $ROOT$t:$t"
		elif [ -e "$ROOT${t#/usr}" ]; then out="$out $ROOT${t#/usr}:$t"
		else die "no $t in the $GUEST_ARCH packages ($ROOT)"
		fi
	done
	TOOLS=${out# }
}

# needed_cross FILE: the libraries (and loader) a foreign dynamic ELF needs, as
# paths under ROOT, from its NEEDED entries and those of its libraries.
needed_cross() {
	local todo=$1 seen=" " f n p d interp dyn rpath
	interp=$(readelf -lW "$1" 2>/dev/null |
		sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
	[ -n "$interp" ] || return 0	# static
	[ -e "$ROOT$interp" ] || die "$1 wants $interp, not in $ROOT"
	echo "$ROOT$interp"
	while [ -n "$todo" ]; do
		set -- $todo
		f=$1
		shift
		todo="$*"
		dyn=$(readelf -dW "$f")
		# RUNPATH/RPATH first (librados finds its ceph/ libraries there).
		rpath=$(printf '%s\n' "$dyn" | sed -n 's/.*(R[UN]*PATH).*\[\(.*\)\]/\1/p' |
			tr ':' ' ' | sed "s|\$ORIGIN|$(dirname "${f#"$ROOT"}")|g")
		for n in $(printf '%s\n' "$dyn" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			case $seen in *" $n "*) continue ;; esac
			seen="$seen$n "
			p=''
			for d in $rpath "lib/$MA" "usr/lib/$MA" lib usr/lib; do
				[ -e "$ROOT/$d/$n" ] && { p=$ROOT/$d/$n; break; }
			done
			[ -n "$p" ] || die "$n (needed by $f) is not in the $GUEST_ARCH packages"
			echo "$p"
			todo="$todo $p"
		done
	done
}

# guest_path HOSTPATH: where a host file lands in our merged-/usr tree (a file of
# a foreign guest's ROOT where it sits in that tree).
guest_path() {
	local p=$1
	[ -z "$ROOT" ] || p=${p#"$ROOT"}
	set -- "$p"
	case $1 in
	/bin/* | /sbin/* | /lib/* | /lib64/*) echo "/usr$1" ;;
	*) echo "$1" ;;
	esac
}

# libs_of FILE: the shared objects (and loader) a dynamic ELF needs; nothing if static.
libs_of() {
	local out
	if [ -n "$ROOT" ]; then
		needed_cross "$1"
		return
	fi
	out=$(ldd "$1" 2>/dev/null) || return 0
	printf '%s\n' "$out" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
}

# add STAGE HOST [GUEST]: copy a file (following links) and, if dynamic, its libraries.
add() {
	local stage=$1 host=$2 guest=${3:-} lib libs
	[ -e "$host" ] || die "no such file: $host"
	[ -n "$guest" ] || guest=$host
	guest=$(guest_path "$guest")
	mkdir -p "$stage$(dirname "$guest")"
	cp -L "$host" "$stage$guest"
	[ -x "$host" ] || return 0
	libs=$(libs_of "$host") || exit 1
	for lib in $libs; do
		guest=$(guest_path "$lib")
		[ -e "$stage$guest" ] && continue
		mkdir -p "$stage$(dirname "$guest")"
		cp -L "$lib" "$stage$guest"
	done
}

# foreign_twin HOST: for a foreign guest, the guest architecture's build of a
# host tool given with --file (/usr/sbin/dmsetup -> ROOT's sbin/dmsetup), when
# HOST is an ELF of another machine and ROOT has that file; else HOST.
foreign_twin() {
	local m
	[ -n "$ROOT" ] || { echo "$1"; return; }
	m=$(readelf -h "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p')
	case $m in
	'' | AArch64) echo "$1"; return ;;
	esac
	if [ -e "$ROOT$1" ]; then echo "$ROOT$1"
	elif [ -e "$ROOT${1#/usr}" ]; then echo "$ROOT${1#/usr}"
	else die "$1 is a $m binary and the $GUEST_ARCH packages have no $1"
	fi
}

# add_spec STAGE HOST[:GUEST]
add_spec() {
	local spec=$2 host
	case $spec in
	*:*) host=$(foreign_twin "${spec%%:*}") || exit 1
		add "$1" "$host" "${spec#*:}" ;;
	*) host=$(foreign_twin "$spec") || exit 1
		add "$1" "$host" "$spec" ;;
	esac
}

# mod_path NAME: the modules.dep entry for NAME ('-' and '_' are the same); empty if
# NAME is built in; fails if unknown.
mod_path() {
	local name=${1//-/_} dep=$MODDIR/modules.dep
	local re="(^|/)(${name//_/[-_]})\\.ko(\\.xz|\\.zst|\\.gz)?:"
	local p
	p=$(grep -E "$re" "$dep" | head -n 1 | cut -d: -f1)
	if [ -n "$p" ]; then
		echo "$p"
		return 0
	fi
	grep -qE "(^|/)(${name//_/[-_]})\\.ko\$" "$MODDIR/modules.builtin" && return 0
	die "module '$1' is neither in modules.dep nor built into $(basename "$MODDIR")"
}

# load_order NAME...: module paths in insmod order (dependencies first, no repeats).
load_order() {
	local name p deps d seen=" "
	for name in "$@"; do
		p=$(mod_path "$name")
		[ -n "$p" ] || continue
		deps=$(grep -E "^$p:" "$MODDIR/modules.dep" | cut -d: -f2)
		# modules.dep lists dependencies so that loading them in reverse works.
		for d in $(printf '%s\n' $deps | tac) "$p"; do
			case $seen in *" $d "*) continue ;; esac
			seen="$seen$d "
			echo "$d"
		done
	done
}

# add_module STAGE RELPATH: install one module decompressed as /lib/modules/NAME.ko
# (busybox insmod does not read .xz/.zst reliably).
add_module() {
	local stage=$1 rel=$2 src=$MODDIR/$2 base
	base=$(basename "$rel")
	base=${base%.xz}; base=${base%.zst}; base=${base%.gz}
	case $rel in
	*.xz) xz -dc "$src" >"$stage/usr/lib/modules/$base" ;;
	*.zst) zstd -qdc "$src" >"$stage/usr/lib/modules/$base" ;;
	*.gz) gzip -dc "$src" >"$stage/usr/lib/modules/$base" ;;
	*) cp "$src" "$stage/usr/lib/modules/$base" ;;
	esac
	echo "$base" >>"$stage/etc/rig/modules"
}

write_init() {
	cat >"$1/init" <<'EOF'
#!/bin/sh
# vblktrace guest rig /init (generated by scripts/guest/initramfs.sh)
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
/bin/busybox --install -s 2>/dev/null
mkdir -p /proc /sys /dev /tmp /run /out /rig
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
mount -t debugfs nodev /sys/kernel/debug 2>/dev/null
exec </dev/null >/dev/console 2>&1
say() { echo "VBT-RIG: $*"; }
for m in $(cat /etc/rig/modules); do
	insmod "/lib/modules/$m" || say "insmod $m failed"
done
outdev=
disks=
for b in /sys/block/vd*; do
	[ -e "$b" ] || continue
	d=${b##*/}
	if [ "$(cat "$b/serial" 2>/dev/null)" = vbt-rig-out ]; then
		outdev=$d
	else
		disks="$disks $d"
	fi
done
disks=${disks# }
say "disks=[$disks] out=$outdev"
cd /out
(
	OUT=/out RIG_DISKS="$disks" sh /rig/script.sh /out 2>&1
	echo $? >/rig/status
) | tee /out/guest.log
cd /
st=$(cat /rig/status 2>/dev/null)
dmesg >/rig/dmesg.log 2>/dev/null
say "status=$st"
if [ -n "$outdev" ]; then
	tar -c -f - out rig | dd of="/dev/$outdev" bs=1M conv=fsync 2>/dev/null ||
		say "writing /out to $outdev failed"
else
	say "no out disk"
fi
sync
say "poweroff"
poweroff -f
EOF
	chmod 755 "$1/init"
}

# skeleton STAGE: merged-/usr layout, busybox, /init.
skeleton() {
	local s=$1 d
	mkdir -p "$s"/usr/bin "$s"/usr/sbin "$s"/usr/lib/modules "$s"/usr/lib64 "$s"/etc/rig \
		"$s"/proc "$s"/sys "$s"/dev "$s"/tmp "$s"/run "$s"/out "$s"/rig "$s"/root
	for d in bin sbin lib lib64; do
		ln -s "usr/$d" "$s/$d"
	done
	cp "$BUSYBOX" "$s/usr/bin/busybox"
	ln -s busybox "$s/usr/bin/sh"	# /init's interpreter, before --install
	: >"$s/etc/rig/modules"
	write_init "$s"
}

# pack STAGE: cpio newc of STAGE on stdout.
pack() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
}

# inputs_key: hash of the identity (name, size, mtime) of every input of a base image.
inputs_key() {
	{
		echo "abi=$(basename "$MODDIR") modules=$* tools=$TOOLS"
		printf 'file=%s\n' "${FILES[@]+"${FILES[@]}"}"
		local f
		for f in "$SELF" "$BUSYBOX" $TOOLS $VBT "${FILES[@]+"${FILES[@]}"}"; do
			f=${f%%:*}
			[ -e "$f" ] || continue
			stat -L -c '%n %s %Y' "$f"
			[ -x "$f" ] && libs_of "$f" | xargs -r stat -L -c '%n %s %Y'
		done
	} | sha256sum | cut -c1-16
}

cmd_base() {
	local kdir='' tools=1 mods=() key out stage f m
	FILES=()
	while [ $# -gt 0 ]; do
		case $1 in
		--kdir) kdir=${2:?}; shift 2 ;;
		--module) mods+=("${2:?}"); shift 2 ;;
		--file) FILES+=("${2:?}"); shift 2 ;;
		--no-tools) tools=0; shift ;;
		*) die "base: unknown argument '$1'" ;;
		esac
	done
	[ -n "$kdir" ] || die "base: --kdir is required"
	MODDIR=$(ls -d "$kdir"/lib/modules/*/ 2>/dev/null | head -n 1)
	MODDIR=${MODDIR%/}
	[ -s "$MODDIR/modules.dep" ] || die "no modules.dep under $kdir/lib/modules (run kernel.sh)"
	[ $tools = 1 ] || TOOLS=""
	cross_root
	VBT=$VBT_BIN
	[ -x "$VBT" ] || VBT=""

	key=$(inputs_key $BASE_MODULES "${mods[@]+"${mods[@]}"}")
	out=$CACHE/$(basename "$MODDIR")-$key.cpio
	# Parallel rigs (tests run guests side by side) share the cache: one
	# builder at a time, and no pruning of an image another run just chose.
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.lock"
	flock 9
	if [ -s "$out" ]; then
		touch "$out"
		echo "$out"
		return
	fi
	stage=$(mktemp -d "$CACHE/stage.XXXXXX")
	trap 'rm -rf "$stage"' EXIT
	skeleton "$stage"
	for m in $(load_order $BASE_MODULES "${mods[@]+"${mods[@]}"}"); do
		add_module "$stage" "$m"
	done
	for f in $TOOLS; do
		add_spec "$stage" "$f"
	done
	[ -z "$VBT" ] || add "$stage" "$VBT" /usr/bin/vblktrace
	for f in "${FILES[@]+"${FILES[@]}"}"; do
		add_spec "$stage" "$f"
	done
	# Uncompressed on purpose: under TCG the guest spent 3.3 s gunzipping a 38 MB
	# image (fio drags in ~80 MB of libraries); plain cpio cut a boot from 8.5 s to
	# 4.6 s. Pad to 512 bytes so an appended overlay starts aligned.
	pack "$stage" >"$out.tmp"
	truncate -s %512 "$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$stage"
	trap - EXIT
	ls -t "$CACHE"/*.cpio | tail -n +$((KEEP + 1)) | xargs -r rm -f
	echo "$out"
}

cmd_overlay() {
	local out='' stage f
	FILES=()
	while [ $# -gt 0 ]; do
		case $1 in
		--out) out=${2:?}; shift 2 ;;
		--file) FILES+=("${2:?}"); shift 2 ;;
		*) die "overlay: unknown argument '$1'" ;;
		esac
	done
	[ -n "$out" ] || die "overlay: --out is required"
	cross_root
	stage=$(mktemp -d "${TMPDIR:-/tmp}/vbt-overlay.XXXXXX")
	trap 'rm -rf "$stage"' EXIT
	for f in "${FILES[@]+"${FILES[@]}"}"; do
		add_spec "$stage" "$f"
	done
	pack "$stage" >"$out"
	rm -rf "$stage"
	trap - EXIT
}

case ${1:-} in
base) shift; cmd_base "$@" ;;
overlay) shift; cmd_overlay "$@" ;;
*) die "usage: initramfs.sh base --kdir KDIR [...] | overlay --out FILE [...]" ;;
esac
