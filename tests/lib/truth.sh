# SPDX-License-Identifier: GPL-2.0
# truth.sh: the kernel's own record of failed block requests, without BPF.
# Source it (POSIX sh or bash, root).  It uses a private ftrace instance, so
# parallel tests and vblktrace itself do not disturb each other.
#
#   truth_start [DEV...]    start recording block_rq_complete with error != 0,
#                           only for DEVs (paths or MAJ:MIN) if given
#   truth_stop              stop; print one line per failed request:
#                           MAJ:MIN SECTOR NR_SECTORS OP ERRNO
#                           (OP: READ WRITE FLUSH DISCARD SECURE_ERASE
#                           WRITE_ZEROES ZONE_* OTHER; ERRNO positive)
#   truth_dmesg_io_errors   the kernel's "<status> error, dev X, sector N op
#                           0x..:(OP) ..." lines since truth_start, for DEVs
#                           if given.  These are rate limited: a missing line
#                           proves nothing, truth_stop is the reference.
#   truth_rwbs_op RWBS      the OP name of a trace rwbs string
#
# One recording at a time per shell.  The instance is removed on exit.

if [ -z "${_TRUTH_LOADED:-}" ]; then
_TRUTH_LOADED=1

# shellcheck source=fixtures.sh
. "${VBT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/fixtures.sh"

TRUTH_TRACEFS=${TRUTH_TRACEFS:-/sys/kernel/tracing}
# State lives in a file so that out=$(truth_stop) works from a subshell:
# "INSTANCE_DIR KMSG_SEQ DEVNAME...".
TRUTH_STATE=$FX_DIR/truth.state

truth_tracefs()
{
	[ -d "$TRUTH_TRACEFS/instances" ] && return 0
	mount -t tracefs nodev "$TRUTH_TRACEFS" 2>/dev/null
	[ -d "$TRUTH_TRACEFS/instances" ] || {
		echo "truth: no tracefs instances under $TRUTH_TRACEFS" >&2
		return 1
	}
}

# MAJ:MIN of the whole disk behind DEV (a path or MAJ:MIN): block requests,
# and so block_rq_complete, carry the disk's dev_t, never a partition's.
truth_disk_devno()
{
	local devno sys

	case "$1" in
	[0-9]*:[0-9]*)
		devno=$1 ;;
	*)
		[ -b "$1" ] || { echo "truth: $1: not a block device" >&2; return 1; }
		devno=$(stat -L -c '%t %T' "$1" |
			{ read -r ma mi; echo "$((0x$ma)):$((0x$mi))"; }) ;;
	esac
	sys=/sys/dev/block/$devno
	if [ -f "$sys/partition" ]; then
		cat "$sys/../dev"
	else
		echo "$devno"
	fi
}

# The last /dev/kmsg sequence number (reads without blocking).
truth_kmsg_seq()
{
	dd if=/dev/kmsg iflag=nonblock bs=16k status=none 2>/dev/null |
		awk -F'[,;]' '/^[0-9]/ { seq = $2 } END { print seq + 0 }'
}

truth_start()
{
	local filter='' sep='' d devno ev inst names=''

	truth_tracefs || return 1
	[ ! -f "$TRUTH_STATE" ] || {
		echo "truth: already started" >&2
		return 1
	}
	for d; do
		devno=$(truth_disk_devno "$d") || return 1
		# The trace's dev field is the kernel dev_t: major << 20 | minor.
		filter="$filter${sep}dev == $(( (${devno%:*} << 20) | ${devno#*:} ))"
		sep=' || '
		names="$names $(sed -n 's/^DEVNAME=//p' \
			"/sys/dev/block/$devno/uevent")"
	done
	inst=$TRUTH_TRACEFS/instances/vbt-truth-$$-$(od -An -N4 -tx4 \
		/dev/urandom | tr -d ' ')
	mkdir "$inst" || return 1
	fx_defer "truth_remove $inst"
	ev=$inst/events/block/block_rq_complete
	echo "error != 0${filter:+ && ($filter)}" > "$ev/filter" || return 1
	echo "$inst $(truth_kmsg_seq)$names" > "$TRUTH_STATE"
	echo 1 > "$ev/enable"
}

truth_remove()
{
	echo 0 > "$1/events/block/block_rq_complete/enable" 2>/dev/null || true
	rmdir "$1" 2>/dev/null || true
}

# Letters from blk_fill_rwbs() (kernel/trace/blktrace.c): an optional 'F'
# for REQ_PREFLUSH, then the op: W, R, D, DE (secure erase), F (flush), N
# (anything else in 6.1, incl. write zeroes) and, in newer kernels, WZ and
# ZA/ZR/ZRA/ZO/ZC/ZF for zone ops; then flags F (FUA), A, S, M, U.  The
# flush request that blk-flush issues is REQ_OP_FLUSH | REQ_PREFLUSH: "FF".
TRUTH_RWBS_AWK='
function rwbs_op(s)
{
	if (length(s) > 1 && substr(s, 1, 1) == "F" &&
	    index("WRDFNZ", substr(s, 2, 1)))
		s = substr(s, 2)
	if (s ~ /^DE/) return "SECURE_ERASE"
	if (s ~ /^D/) return "DISCARD"
	if (s ~ /^WZ/) return "WRITE_ZEROES"
	if (s ~ /^W/) return "WRITE"
	if (s ~ /^R/) return "READ"
	if (s ~ /^F/) return "FLUSH"
	if (s ~ /^ZRA/) return "ZONE_RESET_ALL"
	if (s ~ /^ZR/) return "ZONE_RESET"
	if (s ~ /^ZA/) return "ZONE_APPEND"
	if (s ~ /^ZO/) return "ZONE_OPEN"
	if (s ~ /^ZC/) return "ZONE_CLOSE"
	if (s ~ /^ZF/) return "ZONE_FINISH"
	return "OTHER"
}'

truth_rwbs_op()
{
	awk -v s="$1" "$TRUTH_RWBS_AWK"' BEGIN { print rwbs_op(s) }'
}

# "... block_rq_complete: 7,0 WS () 2048 + 8 none,0,0 [-5]" (6.18; older
# kernels lack the ioprio field) -> "7:0 2048 8 WRITE 5".
truth_parse()
{
	awk "$TRUTH_RWBS_AWK"'
	/^#/ { next }
	{
		for (i = 1; i <= NF && $i != "block_rq_complete:"; i++)
			;
		if (i > NF)
			next
		dev = $(i + 1); sub(",", ":", dev)
		for (j = i + 2; j < NF && $j != "+"; j++)
			;
		err = $NF; gsub(/[\[\]]/, "", err)
		printf "%s %s %s %s %d\n", dev, $(j - 1), $(j + 1),
			rwbs_op($(i + 2)), -err
	}'
}

truth_stop()
{
	local inst rest ev

	[ -f "$TRUTH_STATE" ] || { echo "truth: not started" >&2; return 1; }
	read -r inst rest < "$TRUTH_STATE"
	rm -f "$TRUTH_STATE"
	# The kmsg sequence number and names stay for truth_dmesg_io_errors.
	echo "$rest" > "$TRUTH_STATE.kmsg"
	ev=$inst/events/block/block_rq_complete
	echo 0 > "$ev/enable"
	# "entries-in-buffer/entries-written: 2/2 #P:2": unequal means loss.
	awk '/entries-written:/ {
		s = $0; sub(/.*entries-written: */, "", s); split(s, a, /[\/ ]/)
		if (a[1] != a[2])
			print "truth: trace buffer overran:" $0 > "/dev/stderr"
	}' "$inst/trace"
	truth_parse < "$inst/trace"
	truth_remove "$inst"
}

truth_dmesg_io_errors()
{
	local state

	state=$(cat "$TRUTH_STATE" 2>/dev/null || cat "$TRUTH_STATE.kmsg" \
		2>/dev/null) || { echo "truth: not started" >&2; return 1; }
	dd if=/dev/kmsg iflag=nonblock bs=16k status=none 2>/dev/null |
	awk -v state="$state" '
	BEGIN {
		# state: [INSTANCE] SEQ DEVNAME...
		m = split(state, a, " ")
		k = a[1] ~ /^\// ? 2 : 1
		seq = a[k]
		for (i = k + 1; i <= m; i++) {
			want[a[i]] = 1
			n++
		}
	}
	/^[0-9]/ {
		split($0, h, /[,;]/)
		if (h[2] + 0 <= seq + 0)
			next
		msg = substr($0, index($0, ";") + 1)
		if (msg !~ / error, dev [^,]+, sector [0-9]+/)
			next
		dev = msg; sub(/.* error, dev /, "", dev); sub(/,.*/, "", dev)
		if (n == 0 || dev in want)
			print msg
	}'
}

fi
