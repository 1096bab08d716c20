# SPDX-License-Identifier: GPL-2.0
# vbt.sh: run the vblktrace under test in the background, and read its JSON.
#
#   vbt_start DIR ARGS...   start "vblktrace ARGS..." with stdout in DIR/out,
#                           stderr in DIR/err; wait until it is attached
#   vbt_stop DIR            SIGINT, wait; its exit status in VBT_RC
#   vbt_blocks FILE         "MAJ:MIN SECTOR NR OP ERRNO" per failed block
#                           event in a JSON Lines file, as truth_stop prints
#   vbt_lost FILE           sum of the "lost" events' counts

VBT=${VBT:-${VBT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/build/vblktrace}

vbt_start()
{
	local dir=$1 i=0

	shift
	mkdir -p "$dir"
	# Emptied here, before the fork: the child's own redirection may come
	# after the first look below, which would find an earlier run's line.
	: >"$dir/err"
	"$VBT" "$@" >"$dir/out" 2>"$dir/err" &
	echo $! >"$dir/pid"
	while ! grep -q 'Ctrl-C to stop' "$dir/err" 2>/dev/null; do
		if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null || [ $i -ge 300 ]; then
			echo "vblktrace did not start:" >&2
			cat "$dir/err" >&2
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

vbt_stop()
{
	local pid rc

	pid=$(cat "$1/pid")
	kill -INT "$pid" 2>/dev/null
	wait "$pid"
	VBT_RC=$?
}

vbt_blocks()
{
	jq -r 'select(.kind == "block" and .errno != 0) |
		"\(.major):\(.minor) \(.sector) \(.nr_sectors) \(.op) \(.errno)"' "$1"
}

vbt_lost()
{
	jq -s '[.[] | select(.kind == "lost") | .count] | add // 0' "$1"
}
