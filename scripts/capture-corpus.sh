#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The unit tests' corpus comes from real programs, and this script proves
# (and refreshes) it.  Run as root; QEMU 7.2, qemu-img and the guest rig.
#
#   capture-corpus.sh check [FILE...]   launch each QEMU command line of
#        tests/unit/corpus/{qemu,doctor} (default: all) with real QEMU
#        (-S: no guest runs) and compare with corpus/qemu-verdicts.txt:
#        accepted (QEMU set up every device and its monitor answers), or
#        refused with the message recorded
#        there.  "ok FILE: ..." or "mismatch FILE: ..."; exit 1 on any
#        mismatch.
#        Domain XML files (doctor/*.xml) are checked by libvirt 9.0's own
#        schema (virt-xml-validate) instead.
#   capture-corpus.sh capture-qemu [FILE...]   the same, then replace each
#        NUL-separated qemu/*.cmdline with the /proc/PID/cmdline of the
#        QEMU that accepted it: byte for byte what vblktrace reads.
#   capture-corpus.sh capture-qemu-log   QEMU's own error messages, each
#        provoked with real QEMU, into corpus/explain/qemu72-real.log.
#   capture-corpus.sh capture-guest [SERIES...]  boot the 6.1 and 6.12 guests with
#        the scenes of corpus/explain (see capture_guest) and store their
#        whole dmesg (guest-SERIES-rig.dmesg) and mkfs.xfs's output
#        (guest-6.12-mkfs.out).
#
# Each command line runs in a private mount namespace: a tmpfs over /dev
# (with the host's null, zero, urandom, kvm, ... bound in) and over the
# directories of its images, where each image, blkdebug config and block
# device it names is created (loop devices stand for /dev/sdX and
# /dev/mapper/*), so QEMU opens exactly the paths of the corpus.  A file
# descriptor it expects from libvirt (fd=N) is a listening unix socket.  Network-only drivers (rbd) cannot be opened
# here: qemu-verdicts.txt records that QEMU got as far as connecting.
# libvirt's master key is derived from a fixed phrase, so the corpus's
# encrypted secrets (openssl enc -aes-256-cbc) decrypt in real QEMU.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=$ROOT/tests/unit/corpus
QEMU=${QEMU:-qemu-system-x86_64}
UP_SECS=${UP_SECS:-10}

die() { echo "capture-corpus: $*" >&2; exit 2; }

# argv FILE: the command line, one NUL-terminated argument each.  Three
# shapes: /proc/PID/cmdline (NUL-separated), a libvirt log line (shell
# words, backslash-newline continued, env assignments first) and one
# argument per line (.argv).  Nothing in the file is ever evaluated.
argv() {
	case $1 in
	*.argv)
		tr '\n' '\0' <"$1" | sed 's/\x0\x0*$/\x0/' ;;
	*)
		if [ "$(tr -dc '\0' <"$1" | wc -c)" -gt 0 ]; then
			cat "$1"
		else
			sed -e ':a' -e '/\\$/{N;s/\\\n/ /;ba' -e '}' "$1" |
				xargs printf '%s\0'
		fi ;;
	esac | awk 'BEGIN { RS = "\0"; ORS = "\0" }
		!started && /^[A-Z_][A-Z0-9_]*=/ { next }
		{ started = 1; print }'
}

# paths ARGV_FILE: "PATH" per absolute path of a file the command line
# opens (images, blkdebug configs, block devices); QEMU's ",," is a comma.
paths() {
	tr '\0' '\n' <"$1" |
		grep -oE '(file=|"file":"|"filename":"|filename=|"config":"|"image":"|blkdebug:)/(,,|[^,"])+' |
		sed -E 's/^[^/]*//; s/,,/,/g' |
		awk '{ n = split($0, p, ":"); if ($0 ~ /^\/[^:]*\.conf:\//) { print p[1]; sub(/^[^:]*:/, "") } print }' |
		sort -u
}

# fmt_of ARGV_FILE PATH: qcow2 if the drive or the format node on top of
# the path's node says so, else raw.
fmt_of() {
	local node

	tr '\0' '\n' <"$1" | grep -F -- "$2" | grep -q qcow2 && { echo qcow2; return; }
	node=$(tr '\0' '\n' <"$1" | grep -F -- "$2" |
		sed -nE 's/.*"node-name":"([^"]+)".*/\1/p; s/.*node-name=([^,]+).*/\1/p' | head -1)
	if [ -n "$node" ] && tr '\0' '\n' <"$1" | grep -E "\"file\":\"$node\"|file=$node(,|$)" |
	   grep -q qcow2; then
		echo qcow2
	else
		echo raw
	fi
}

# devices ARGV_FILE SCRATCH: before /dev is replaced, a loop device over a
# sparse file for each block device path; prints "LOOP DEV PATH".
devices() {
	local path n=0 dev

	paths "$1" | grep '^/dev/' | while IFS= read -r path; do
		truncate -s 64M "$2/dev$n.img"
		# losetup -f races with other users of loop devices: retry.
		for _ in 1 2 3 4 5; do
			dev=$(losetup -f --show "$2/dev$n.img" 2>/dev/null) && break
			sleep 0.2
		done
		[ -n "$dev" ] && echo "LOOP $dev $path"
		n=$((n + 1))
	done
}

# files ARGV_FILE: create the other paths (in the tmpfs mounts).
files() {
	local path

	paths "$1" | grep -v '^/dev/' | while IFS= read -r path; do
		mkdir -p "$(dirname "$path")"
		case $path in
		*.conf) : >"$path" ;;	# an empty blkdebug config: no rule
		*.aes)	# libvirt's master key: the one the corpus's secrets use
			printf 'vblktrace corpus master key' |
				openssl dgst -sha256 -binary >"$path" ;;
		*.iso) truncate -s 1M "$path" ;;
		*)
			if [ "$(fmt_of "$1" "$path")" = qcow2 ]; then
				qemu-img create -q -f qcow2 "$path" 64M
			else
				truncate -s 64M "$path"
			fi ;;
		esac
	done
}

# The directories the non-device paths live in.
dirs_of() {
	paths "$1" | grep -v '^/dev/' | xargs -r -n1 dirname | sort -u
}

# inside ARGV_FILE SCRATCH OUT: runs in the new mount namespace.
inside() {
	local args=$1 scratch=$2 out=$3 d qpid rc fds dev path up
	local -a cmd

	mount --make-rprivate / || return 1
	devices "$args" "$scratch" >"$scratch/loops"
	mkdir -p "$scratch/olddev"
	mount --bind /dev "$scratch/olddev"
	mount -t tmpfs vbt-corpus-dev /dev
	for d in null zero full random urandom kvm tty ptmx fuse; do
		[ -e "$scratch/olddev/$d" ] || continue
		: >"/dev/$d"
		mount --bind "$scratch/olddev/$d" "/dev/$d"
	done
	mkdir -p /dev/pts /dev/shm && mount -t tmpfs vbt-corpus-shm /dev/shm
	while read -r _ dev path; do
		mkdir -p "$(dirname "$path")"
		mknod "$path" b $((0x$(stat -c '%t' "$scratch/olddev/${dev#/dev/}"))) \
			$((0x$(stat -c '%T' "$scratch/olddev/${dev#/dev/}")))
	done <"$scratch/loops"
	# A tree under a directory the command line names (a clone in /tmp,
	# which a /tmp/x.iso covers) stays reachable through this bind.
	mkdir /dev/.vbt-scratch && mount --rbind "$scratch" /dev/.vbt-scratch
	for d in $(dirs_of "$args"); do
		mkdir -p "$d" 2>/dev/null
		mount -t tmpfs vbt-corpus "$d" || return 1
	done
	if [ ! -e "$args" ]; then
		mkdir -p "$scratch" && mount --rbind /dev/.vbt-scratch "$scratch" || return 1
	fi
	files "$args"
	mapfile -d '' cmd <"$args"
	# The emulator the command line is for: an aarch64 one (by its name,
	# or a qemu-kvm with a virt machine) runs under qemu-system-aarch64.
	case "${cmd[0]##*/}:$(printf '%s\n' "${cmd[@]}" | grep -m1 -oE '^virt(-[^,]*)?(,|$)')" in
	qemu-system-aarch64:* | qemu-kvm:virt*) cmd[0]=${QEMU_AARCH64:-qemu-system-aarch64} ;;
	*) cmd[0]=$QEMU ;;
	esac
	# libvirt's descriptors: listening unix sockets at the numbers asked
	# (perl-base: dup2 clears close-on-exec, then QEMU is exec'd).
	fds=$(tr '\0' '\n' <"$args" | grep -oE '(^|,)fd=[0-9]+' | sed 's/.*=//' | tr '\n' ' ')
	(
		cd "$scratch" || exit 1
		exec perl -MSocket -MPOSIX -e '
			my $dir = shift; my @fds = split " ", shift;
			for my $fd (@fds) {
				socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die "socket: $!";
				bind($s, pack_sockaddr_un("$dir/sock$fd")) or die "bind: $!";
				listen($s, 1) or die "listen: $!";
				POSIX::dup2(fileno($s), $fd) or die "dup2: $!";
				push @keep, $s;
			}
			exec { $ARGV[0] } @ARGV or die "exec: $!";
		' "$scratch" "$fds" "${cmd[@]}" -S -display none \
			-monitor "unix:$scratch/check.mon,server=on,wait=off"
	) </dev/null >"$out.log" 2>&1 &
	qpid=$!
	# Accepted = QEMU set everything up and its monitor answers;
	# refused = it exited.  UP_SECS bounds the wait.
	up=0
	for _ in $(seq $((UP_SECS * 10))); do
		kill -0 $qpid 2>/dev/null || break
		if echo "info status" | socat - "UNIX-CONNECT:$scratch/check.mon" \
			2>/dev/null | grep -q 'VM status'; then
			up=1
			break
		fi
		sleep 0.1
	done
	if [ $up = 1 ]; then
		cat "/proc/$qpid/cmdline" >"$out.cmdline"
		kill $qpid 2>/dev/null
		wait $qpid 2>/dev/null
		echo up >"$out.state"
	else
		wait $qpid
		rc=$?
		echo "exit $rc" >"$out.state"
	fi
	# /dev is this namespace's tmpfs now: detach through the old one.
	while read -r _ dev _; do
		losetup -d "$scratch/olddev/${dev#/dev/}"
	done <"$scratch/loops"
	return 0
}

# launch FILE WORKDIR: "up" or QEMU's message; the accepted cmdline in
# WORKDIR/run.cmdline.
launch() {
	local f=$1 w=$2

	argv "$f" >"$w/argv"
	unshare -m bash -c "$(declare -f argv paths fmt_of devices files dirs_of inside); QEMU='$QEMU' QEMU_AARCH64='${QEMU_AARCH64:-}' UP_SECS='$UP_SECS' inside \"\$@\"" \
		_ "$w/argv" "$w" "$w/run"
	if [ "$(cat "$w/run.state" 2>/dev/null)" = up ]; then
		echo up
	else
		echo "$(cat "$w/run.state" 2>/dev/null): $(grep -v 'warning:' "$w/run.log" | head -3 | tr '\n' ' ')"
	fi
}

corpus_files() {
	ls "$CORPUS"/qemu/*.cmdline "$CORPUS"/doctor/*.cmdline "$CORPUS"/doctor/*.argv \
		"$CORPUS"/doctor/*.xml
}

# validate_xml FILE: libvirt's own schema check of a domain XML.
validate_xml() {
	local out

	if out=$(virt-xml-validate "$1" domain 2>&1); then
		echo up
	else
		echo "exit 1: $(printf '%s\n' "$out" | grep -v 'fails to validate' | head -2 | tr '\n' ' ')"
	fi
}

# verdict FILE: "ok" or "rejected MESSAGE-START" from qemu-verdicts.txt.
verdict() {
	awk -v f="$1" '$1 == f { $1 = ""; sub(/^ /, ""); print; found = 1 }
		END { if (!found) print "ok" }' "$CORPUS/qemu-verdicts.txt"
}

check() {
	local f w res want name bad=0

	[ "$(id -u)" = 0 ] || die "needs root (mount namespace, loop devices)"
	command -v "$QEMU" >/dev/null || die "no $QEMU"
	[ $# -gt 0 ] || set -- $(corpus_files)
	for f; do
		[ -f "$f" ] || die "$f: no such corpus file"
		f=$(realpath "$f")
		name=${f#"$CORPUS"/}
		want=$(verdict "$name")
		# Not under /tmp: a command line may name /tmp paths, and /tmp
		# then gets a tmpfs of its own in the namespace.
		mkdir -p "$ROOT/build"
		w=$(mktemp -d "$ROOT/build/corpus-check.XXXXXX")
		case $f in
		*.xml) res=$(validate_xml "$f") ;;
		*) res=$(launch "$f" "$w") ;;
		esac
		case $want:$res in
		ok:up*)
			echo "ok $name: accepted${res#up}" ;;
		rejected\ *:exit\ [1-9]*)
			if printf '%s' "$res" | grep -qF -- "${want#rejected }"; then
				echo "ok $name: refused as recorded: ${want#rejected }"
			else
				echo "mismatch $name: want $want; QEMU: $res"; bad=1
			fi ;;
		*)
			echo "mismatch $name: want $want; QEMU: $res"; bad=1 ;;
		esac
		if [ "${CAPTURE:-}" = 1 ] && [ "$res" = up ] && [ -s "$w/run.cmdline" ]; then
			case $f in
			*/qemu/*.cmdline)
				# The corpus's own binary path, then the args as the
				# QEMU process holds them, less the five we added.
				{ printf '%s\0' "$(tr '\0' '\n' <"$w/argv" | head -1)"
				  tail -z -n +2 "$w/run.cmdline" | head -z -n -5; } >"$f.new" &&
					mv "$f.new" "$f" && echo "  captured $name from /proc"
				;;
			esac
		fi
		rm -rf "$w"
	done
	return $bad
}

# The two scenes of corpus/explain, each in the guest kernel it names:
#   6.1:  one direct 512-byte write (xfs_io -d: busybox dd has no
#         O_DIRECT) at sector 8000 of a 512 MiB vda that fails there;
#   6.12: mkfs.xfs on a 512 MiB vda whose last 128 KiB fail (sector
#         1048320, the seed's tail zeroing).
# The whole dmesg is kept (and mkfs.xfs's output for 6.12).
capture_guest() {
	local k w sector script

	[ $# -gt 0 ] || set -- 6.1 6.12
	for k; do
		w=$(mktemp -d "${TMPDIR:-/tmp}/vbt-corpus-guest.XXXXXX")
		if [ $k = 6.1 ]; then
			sector=8000
			script='xfs_io -d -c "pwrite -q 4096000 512" /dev/vda; echo "xfs_io rc=$?"'
		else
			sector=1048320
			script='mkfs.xfs -f /dev/vda; echo "mkfs rc=$?"'
		fi
		printf '%s\n' "$script" >"$w/guest.sh"
		"$ROOT/scripts/guest/run.sh" --kernel "$k" --script "$w/guest.sh" \
			--out "$w/run" --timeout 240 \
			--disk "size=512M,cache=none,aio=native,fault=blkdebug:pwritev:sector=$sector:errno=EIO" \
			>"$w/rig.log" 2>&1 || { tail -5 "$w/rig.log" >&2; rm -rf "$w"; return 1; }
		cp "$w/run/dmesg.log" "$CORPUS/explain/guest-$k-rig.dmesg"
		echo "captured explain/guest-$k-rig.dmesg"
		if [ $k = 6.12 ]; then
			cp "$w/run/guest/guest.log" "$CORPUS/explain/guest-$k-mkfs.out"
			echo "captured explain/guest-$k-mkfs.out"
		fi
		rm -rf "$w"
	done
}

# QEMU 7.2's own messages for the explain corpus (qemu72-real.log): each
# provoked for real, in the shape QEMU prints it (the timestamps that
# -msg timestamp=on adds are kept, as libvirt's logs have them).
capture_qemu_log() {
	local w q out=$CORPUS/explain/qemu72-real.log

	mkdir -p "$ROOT/build"
	w=$(mktemp -d "$ROOT/build/corpus-log.XXXXXX")
	truncate -s 16M "$w/d0.img"
	q="$QEMU -S -display none -nodefaults -accel tcg -msg timestamp=on"
	{
		# aio=native without O_DIRECT
		$q -drive "file=$w/d0.img,format=raw,if=none,id=d0,aio=native" 2>&1
		# two devices asked for the same PCI slot
		$q -device virtio-net-pci,id=net0,addr=4 \
			-drive "file=$w/d0.img,format=raw,if=none,id=d0" \
			-device virtio-blk-pci,drive=d0,addr=4 2>&1
		# a QEMU stopped with SIGTERM, as libvirt does
		$q -drive "file=$w/d0.img,format=raw,if=none,id=d0" \
			-monitor "unix:$w/m,server=on,wait=off" 2>&1 &
		for _ in $(seq 100); do
			echo "info status" | socat - "UNIX-CONNECT:$w/m" 2>/dev/null |
				grep -q 'VM status' && break
			sleep 0.1
		done
		kill -TERM $!
		wait $!
	} 2>&1 | sed "s#$w/#/var/lib/libvirt/images/#g" >"$out"
	rm -rf "$w"
	echo "captured explain/qemu72-real.log ($(wc -l <"$out") lines)"
}

case ${1:-} in
check) shift; check "$@" ;;
capture-qemu) shift; CAPTURE=1 check "$@" ;;
capture-guest) shift; capture_guest "$@" ;;
capture-qemu-log) capture_qemu_log ;;
*) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
