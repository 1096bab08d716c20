# SPDX-License-Identifier: GPL-2.0
# fixtures.sh: real failing block devices for host tests.  Source it from a
# test (POSIX sh or bash, run as root).  Everything it creates is removed when
# the test exits, whatever the exit path, in reverse order of creation.
#
#   fx_enospc_loop [TMPFS_SIZE] [IMG_SIZE]   print a loop device (direct I/O)
#       over a sparse IMG_SIZE (64M) image on a TMPFS_SIZE (3M) tmpfs: direct
#       writes that need a new tmpfs page once it is full fail with ENOSPC.
#   fx_enospc_fill DEV      fill that tmpfs through DEV from sector 0 on;
#       prints the bytes written; later writes past them fail with ENOSPC.
#   fx_fuse_eio_loop OP:OFFSET:LEN[:ERRNO]...   print a loop device over a
#       fuse_eio file (see tests/helpers/fuse_eio.c) failing those ranges
#       (delay:OP:OFFSET:LEN:MS: holding them MS ms instead).
#       Env: FX_LOOP_DIO=on|off (on), FX_FUSE_ONCE=1 (--once),
#       FX_FUSE_SIZE (64M).
#   fx_fuse_log DEV         the fuse_eio --log file of that loop device
#   fx_fuse_mnt DEV         its FUSE mount point (holding disk.img)
#   fx_defer CMD...         run CMD at exit (before what was deferred earlier)
#
# The fixture functions are meant for dev=$(fx_...): they run in a subshell,
# so cleanup is kept in a file, not in shell variables.  Do not set your own
# EXIT trap after sourcing this file; use fx_defer.

if [ -z "${_FX_LOADED:-}" ]; then
_FX_LOADED=1

FX_ROOT=${VBT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
FUSE_EIO=${FUSE_EIO:-$FX_ROOT/build/tests/helpers/fuse_eio}
FX_DIR=$(mktemp -d "${TMPDIR:-/tmp}/vbt-fx.XXXXXX") || {
	echo "fixtures: cannot create a temporary directory" >&2
	exit 1
}
: > "$FX_DIR/cleanup"
mkdir "$FX_DIR/by-dev"

fx_err()
{
	echo "fixtures: $*" >&2
}

fx_defer()
{
	printf '%s\n' "$*" >> "$FX_DIR/cleanup"
}

fx_cleanup()
{
	[ -f "$FX_DIR/cleanup" ] || return 0
	tac "$FX_DIR/cleanup" | while IFS= read -r _fx_cmd; do
		eval "$_fx_cmd" >/dev/null 2>&1 || true
	done
	rm -f "$FX_DIR/cleanup"
	rm -rf --one-file-system "$FX_DIR" 2>/dev/null || true
}

trap fx_cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# A new directory under FX_DIR, unique even across subshells.
fx_mkdir()
{
	mktemp -d "$FX_DIR/$1.XXXXXX"
}

# Detach DEV only if it still serves FILE: the number may have been reused
# by another test once a test detached it itself.
fx_loop_detach()
{
	local name="${1#/dev/}"

	[ "$(cat "/sys/block/$name/loop/backing_file" 2>/dev/null)" = "$2" ] ||
		return 0
	losetup -d "$1"
}

fx_loop_attach()
{
	local file="$1" dio="$2" dev

	dev=$(losetup -f --show --direct-io="$dio" "$file") || {
		fx_err "losetup of $file failed"
		return 1
	}
	fx_defer "fx_loop_detach $dev $file"
	if [ "$(cat "/sys/block/${dev#/dev/}/loop/dio")" != \
	     "$([ "$dio" = on ] && echo 1 || echo 0)" ]; then
		fx_err "$dev: direct I/O is not $dio as asked"
		return 1
	fi
	echo "$dev"
}

fx_enospc_loop()
{
	local size="${1:-3M}" img="${2:-64M}" dir

	dir=$(fx_mkdir enospc) || return 1
	mount -t tmpfs -o "size=$size,mode=0700" vbt-fx-enospc "$dir" || {
		fx_err "cannot mount a $size tmpfs on $dir"
		return 1
	}
	fx_defer "umount $dir || umount -l $dir"
	truncate -s "$img" "$dir/disk.img" || return 1
	fx_loop_attach "$dir/disk.img" on
}

fx_enospc_fill()
{
	local out

	out=$(dd if=/dev/zero of="$1" bs=64k oflag=direct 2>&1) || true
	if ! printf '%s\n' "$out" | grep -q 'No space left'; then
		fx_err "filling $1 did not end in ENOSPC: $out"
		return 1
	fi
	printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) bytes.*copied.*/\1/p'
}

# The pid of the fuse_eio daemon serving MNT (it daemonizes, so no $!).
fx_fuse_pid()
{
	local p

	for p in /proc/[0-9]*; do
		case "$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null)" in
		*fuse_eio*" $1 ") echo "${p#/proc/}"; return 0 ;;
		esac
	done
	return 1
}

# A zombie counts as gone: pid 1 here may reap it only seconds later.
fx_pid_alive()
{
	local state

	state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' \
		"/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

fx_fuse_umount()
{
	local pid i=0

	pid=$(fx_fuse_pid "$1") || pid=
	umount "$1" 2>/dev/null || umount -l "$1" 2>/dev/null
	[ -n "$pid" ] || return 0
	# Unmounted, it would exit on its own, but only after its threads
	# notice; SIGTERM ends the loop at once.
	kill "$pid" 2>/dev/null || return 0
	while fx_pid_alive "$pid" && [ $i -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	fx_pid_alive "$pid" || return 0
	kill -KILL "$pid" 2>/dev/null || true
}

fx_fuse_eio_loop()
{
	local dir dev n=$#

	if [ ! -x "$FUSE_EIO" ]; then
		fx_err "$FUSE_EIO missing: run make -C $FX_ROOT helpers"
		return 1
	fi
	for spec; do
		case $spec in
		delay:*) set -- "$@" --delay "${spec#delay:}" ;;
		*) set -- "$@" --fail "$spec" ;;
		esac
	done
	shift "$n"
	dir=$(fx_mkdir fuse) || return 1
	mkdir "$dir/mnt" || return 1
	truncate -s "${FX_FUSE_SIZE:-64M}" "$dir/backing.img" || return 1
	: > "$dir/eio.log"
	"$FUSE_EIO" --backing "$dir/backing.img" --log "$dir/eio.log" \
		${FX_FUSE_ONCE:+--once} "$@" "$dir/mnt" || {
		fx_err "fuse_eio failed to mount $dir/mnt"
		return 1
	}
	fx_defer "fx_fuse_umount $dir/mnt"
	dev=$(fx_loop_attach "$dir/mnt/disk.img" "${FX_LOOP_DIO:-on}") ||
		return 1
	echo "$dir" > "$FX_DIR/by-dev/${dev#/dev/}"
	echo "$dev"
}

fx_fuse_dir()
{
	local f="$FX_DIR/by-dev/${1#/dev/}"

	[ -f "$f" ] || { fx_err "$1 is not a fuse_eio loop device"; return 1; }
	cat "$f"
}

fx_fuse_log()
{
	local dir

	dir=$(fx_fuse_dir "$1") || return 1
	echo "$dir/eio.log"
}

fx_fuse_mnt()
{
	local dir

	dir=$(fx_fuse_dir "$1") || return 1
	echo "$dir/mnt"
}

fi
