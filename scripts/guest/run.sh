#!/bin/bash
# Boot a Debian cloud kernel under QEMU (TCG) with faulty test disks, run a guest script,
# and bring its outputs back.
#
# run.sh --kernel 6.1|6.12 --script GUEST.sh --out DIR [options]
#   --timeout SEC        hard limit for the whole boot-run-poweroff (default 120)
#   --name VM            -name guest=VM,debug-threads=on (default vbt-rig-PID)
#   --disk SPEC          a test disk (repeatable; 1st is vda, then vdb, ...), see below
#   --file HOST[:GUEST]  copy a host file into the guest (dynamic binaries get their libs)
#   --module NAME        load an extra kernel module (with its dependencies) at boot
#   --host-hook CMD      run `sh -c CMD` on the host while the guest runs (see below)
#   --host-hook-ready    start QEMU paused; resume it only once the hook has created
#                        the file $HOOK_READY (e.g. a tracer that is attached)
#   --qmp                a QMP socket DIR/qmp.sock (for the hook: QMP_SOCK), as a
#                        management layer has one
#   --smp N  --mem MB    guest CPUs (default 1) and memory (default 512)
#   --append ARGS        extra kernel command line
#   --plain              no boot-time tuning (drops acpi=noirq from the command line)
#   --show               also stream the serial console to stdout (for humans)
#   --arch amd64|arm64   the guest's architecture (default: $GUEST_ARCH, else amd64):
#                        arm64 boots a -cloud-arm64 kernel under qemu-system-aarch64
#                        -M virt -cpu max,pauth=off (TCG; RIG_ARM64_CPU overrides) with
#                        build/arm64/vblktrace and arm64 tools
#   --uefi               arm64: boot through AAVMF (UEFI) firmware, with the disks on
#                        pcie-root-ports laid out as libvirt does for an aarch64 domain
#   --root-ports N       with --uefi: N root ports in all (default: one per disk); the
#                        disks take the first ones, the rest stay free for hot-plug
#   --machine TYPE[,OPTS]  the machine instead of pc / virt (e.g. virt-2.12, virt,highmem=off)
#
# Disk SPEC, a comma list: size=512M cache=none|writeback|writethrough|directsync|unsafe
#   aio=threads|native|io_uring werror=report|ignore|stop|enospc rerror=... discard=unmap|ignore
#   lbs=N pbs=N queues=N serial=S id=virtio-diskN image=HOSTFILE (use as is, no fault)
#   syntax=legacy|blockdev (-drive/-device, or libvirt-shaped JSON -blockdev/-device)
#   backend=qemu|vhost-user (served by qemu-storage-daemon over vhost-user-blk)
#   bus=virtio|scsi (scsi: a scsi-hd on a virtio-scsi-pci controller; the guest sees sdX,
#         needs --module virtio_scsi --module sd_mod, and should wait for /sys/block/sdX)
#   fault=blkdebug:RULE[+RULE]...   RULE = EVENT[:KEY=VAL]... e.g.
#         pwritev:sector=1048448:errno=EIO:once  (keys: errno sector once iotype state
#         immediately; errno may be a number or EIO/ENOSPC/...). The blkdebug node sits
#         between the raw format node and the file node, which carries aio= and cache=.
#   fault=enospc[:TMPFS_SIZE]       sparse image on its own small tmpfs (default 4M)
#   fault=fuse-eio:OP:OFF:LEN[:ERRNO][+...][+once]  image served by build/tests/helpers/fuse_eio
#         (OP read|write|any|fsync; byte offsets; its log goes to DIR/fuse-eio-N.log);
#         a range delay:OP:OFF:LEN:MS holds such requests MS ms instead of failing them
#
# In the guest: the script runs as `sh SCRIPT /out` with OUT=/out and RIG_DISKS="vda ...";
# its stdout+stderr go to the console and /out/guest.log. /out comes back through an
# extra virtio disk (serial vbt-rig-out) placed after the test disks.
# The hook gets QEMU_PID, RIG_OUT (=DIR) and HOOK_READY; it is stopped with SIGINT
# (SIGKILL after 5 s) once QEMU has exited; its output goes to DIR/host-hook.log.
#
# DIR receives: console.log qemu.log qemu.cmdline (shell-quoted argv, re-runnable)
# qemu.argv (one argument per line) disks.txt (index, guest name, id, image, spec)
# guest/ (the guest's /out) guest.status dmesg.log [host-hook.log] [blkdebug-N.conf]
# [fuse-eio-N.log]. Exit: 0 if the guest script ran (whatever its status), 1 rig failure,
# 2 usage error, 3 timeout, 130 interrupted.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
RIG=$REPO/scripts/guest
FUSE_EIO=$REPO/build/tests/helpers/fuse_eio

die() { echo "run.sh: $*" >&2; exit 1; }
usage() { echo "run.sh: $*" >&2; echo "usage: see the top of $0" >&2; exit 2; }

KERNEL='' SCRIPT='' OUT='' TIMEOUT=120 NAME=vbt-rig-$$ SMP=1 MEM=512 APPEND='' SHOW=0 PLAIN=0
HOOK='' HOOK_WAIT=0 ARCH=${GUEST_ARCH:-amd64} UEFI=0 ROOT_PORTS=0 MACHINE=''
DISKS=() FILES=() MODULES=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) KERNEL=${2:?}; shift 2 ;;
	--script) SCRIPT=${2:?}; shift 2 ;;
	--out) OUT=${2:?}; shift 2 ;;
	--timeout) TIMEOUT=${2:?}; shift 2 ;;
	--name) NAME=${2:?}; shift 2 ;;
	--disk) DISKS+=("${2:?}"); shift 2 ;;
	--file) FILES+=("${2:?}"); shift 2 ;;
	--module) MODULES+=(--module "${2:?}"); shift 2 ;;
	--host-hook) HOOK=${2:?}; shift 2 ;;
	--host-hook-ready) HOOK_WAIT=1; shift ;;
	--qmp) QMP=1; shift ;;
	--smp) SMP=${2:?}; shift 2 ;;
	--mem) MEM=${2:?}; shift 2 ;;
	--append) APPEND=$2; shift 2 ;;
	--show) SHOW=1; shift ;;
	--plain) PLAIN=1; shift ;;
	--arch) ARCH=${2:?}; shift 2 ;;
	--uefi) UEFI=1; shift ;;
	--root-ports) ROOT_PORTS=${2:?}; shift 2 ;;
	--machine) MACHINE=${2:?}; shift 2 ;;
	-h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) usage "unknown argument '$1'" ;;
	esac
done
[ -n "$KERNEL" ] || usage "--kernel is required"
[ -n "$SCRIPT" ] || usage "--script is required"
[ -n "$OUT" ] || usage "--out is required"
[ -r "$SCRIPT" ] || die "cannot read guest script $SCRIPT"
case $TIMEOUT in '' | *[!0-9]*) usage "bad --timeout '$TIMEOUT'" ;; esac
[ ${#DISKS[@]} -le 24 ] || usage "at most 24 test disks"
case $ARCH in
amd64 | arm64) ;;
*) usage "bad --arch '$ARCH' (amd64 or arm64)" ;;
esac
[ "$UEFI" = 0 ] || [ "$ARCH" = arm64 ] || usage "--uefi is for --arch arm64"
case $ROOT_PORTS in '' | *[!0-9]*) usage "bad --root-ports '$ROOT_PORTS'" ;; esac
[ "$ROOT_PORTS" = 0 ] || [ "$UEFI" = 1 ] || usage "--root-ports needs --uefi"
[ "$ROOT_PORTS" -le $((${#DISKS[@]} + 1)) ] && ROOT_PORTS=$((${#DISKS[@]} + 1))
# kernel.sh and initramfs.sh read the architecture from the environment.
export GUEST_ARCH=$ARCH

# shellcheck source=lib/disks.sh
. "$RIG/lib/disks.sh"
# shellcheck source=lib/proc.sh
. "$RIG/lib/proc.sh"
# shellcheck source=lib/machine.sh
. "$RIG/lib/machine.sh"

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -rf "$OUT/guest" "$OUT"/guest.status "$OUT"/console.log "$OUT"/qemu.log \
	"$OUT"/qemu.cmdline "$OUT"/qemu.argv "$OUT"/disks.txt "$OUT"/dmesg.log "$OUT"/host-hook.log \
	"$OUT"/blkdebug-*.conf "$OUT"/fuse-eio-*.log
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/vbt-rig.XXXXXX")
MOUNTS=()			# tmpfs and FUSE mounts to undo, newest last
trap cleanup EXIT
trap 'interrupted INT' INT
trap 'interrupted TERM' TERM
trap 'interrupted HUP' HUP

# Kernel and initramfs: cached after the first run.
KDIR=$("$RIG/kernel.sh" "$KERNEL") || die "kernel.sh $KERNEL failed"
VMLINUZ=$(ls "$KDIR"/boot/vmlinuz-* | head -n 1)
BASE=$("$RIG/initramfs.sh" base --kdir "$KDIR" "${MODULES[@]+"${MODULES[@]}"}") ||
	die "initramfs.sh failed"
overlay_args=(--file "$SCRIPT:/rig/script.sh")
for f in "${FILES[@]+"${FILES[@]}"}"; do
	overlay_args+=(--file "$f")
done
"$RIG/initramfs.sh" overlay --out "$SCRATCH/overlay.cpio" "${overlay_args[@]}" ||
	die "building the guest overlay failed"
cat "$BASE" "$SCRATCH/overlay.cpio" >"$SCRATCH/initrd"

if [ "$ARCH" = amd64 ]; then
	# acpi=noirq: routing PCI INTx through ACPI link objects costs 3 s of a 7 s 6.12
	# boot under TCG; virtio uses MSI-X, so the BIOS routing table is enough. --plain
	# drops it.
	[ "$PLAIN" = 1 ] && FAST_ARGS= || FAST_ARGS=acpi=noirq
	QEMU=(qemu-system-x86_64 -accel tcg -machine "${MACHINE:-pc}")
	CONSOLE=ttyS0
	PCI_BUS=pci.0
else
	FAST_ARGS=
	# -cpu max without pointer authentication: TCG's emulation of the QARMA
	# cipher on every signed return made a 6.12 run take 13.8 s instead of 4.7 s.
	QEMU=(qemu-system-aarch64 -accel tcg -machine "${MACHINE:-virt}"
		-cpu "${RIG_ARM64_CPU:-max,pauth=off}")
	CONSOLE=ttyAMA0
	PCI_BUS=pcie.0
	[ "$UEFI" = 0 ] || uefi_add
fi
QEMU+=(-nodefaults -no-user-config -nographic
	-no-reboot -name "guest=$NAME,debug-threads=on" -smp "$SMP" -m "$MEM"
	-kernel "$VMLINUZ" -initrd "$SCRATCH/initrd"
	-append "console=$CONSOLE quiet panic=-1${FAST_ARGS:+ $FAST_ARGS}${APPEND:+ $APPEND}"
	-serial "file:$OUT/console.log")
[ "$UEFI" = 0 ] || root_ports_add "$ROOT_PORTS"
i=0
for spec in "${DISKS[@]+"${DISKS[@]}"}"; do
	disk_add "$i" "$spec"
	i=$((i + 1))
done
out_disk_add "$i"

if [ "${QMP:-0}" = 1 ]; then
	QEMU+=(-qmp "unix:$OUT/qmp.sock,server=on,wait=off")
fi
if [ -n "$HOOK" ]; then
	mkfifo "$SCRATCH/mon.in" "$SCRATCH/mon.out"
	QEMU+=(-S -monitor "pipe:$SCRATCH/mon")
else
	QEMU+=(-monitor none)
fi
printf '%q ' "${QEMU[@]}" >"$OUT/qemu.cmdline"
echo >>"$OUT/qemu.cmdline"
printf '%s\n' "${QEMU[@]}" >"$OUT/qemu.argv"

now_us
START_US=$NOW_US
"${QEMU[@]}" </dev/null 2>"$OUT/qemu.log" &
QPID=$!
[ $SHOW = 0 ] || show_console
[ -z "$HOOK" ] || hook_start
wait_qemu
now_us
QEMU_MS=$(((NOW_US - START_US) / 1000))
hook_stop
collect
printf 'run.sh: %s guest script status %s, %d.%d s in QEMU\n' "$KERNEL" \
	"$(cat "$OUT/guest.status")" $((QEMU_MS / 1000)) $((QEMU_MS % 1000 / 100)) >&2
exit 0
