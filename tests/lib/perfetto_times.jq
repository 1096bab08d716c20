# perfetto_times.jq: the slices of a vblktrace Chrome trace are where the
# recording says its events ended.  Input: the trace.  $events: the
# recording's events (an array); $track: the process name they are on.
# Output: one line per event whose slice end, relative to the first one,
# differs by more than 10 ns from its "ts" relative to the first event's.
def t($ts): [($ts[0:19] + "Z" | fromdateiso8601), ($ts[20:29] | tonumber)];
([.traceEvents[] | select(.ph == "M" and .name == "process_name" and .args.name == $track) |
	.pid] | .[0]) as $pid
| ([.traceEvents[] | select(.ph == "X" and .pid == $pid) |
	{key: (.args.seq | tostring), value: (.ts + .dur)}] | from_entries) as $ends
| [$events[] | select(.kind != "lost") | {seq, t: t(.ts)}] as $ev
| $ev[0] as $f
| $ev[]
| ((.t[0] - $f.t[0]) * 1e6 + (.t[1] - $f.t[1]) / 1000) as $want
| ($ends[.seq | tostring] - $ends[$f.seq | tostring]) as $got
| select($ends[.seq | tostring] == null or (($got - $want) | fabs) > 0.01)
| "\($track):\(.seq) ends at +\($got) us in the trace, +\($want) us in the recording"
