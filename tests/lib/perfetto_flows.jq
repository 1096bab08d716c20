# perfetto_flows.jq: the flow arrows of a vblktrace Chrome trace, checked
# against cause links the test read from the recordings themselves.
# Input: the trace.  $want: [["guest:1","guest:2"], ...], cause -> effect,
# each "TRACK:SEQ" (TRACK the process name, SEQ the event's seq).
# Output: one line per problem; none when every wanted arrow is drawn,
# starts inside the cause's slice, ends inside the effect's slice and, if
# $forward, points forward in time (trace viewers drop the others).
([.traceEvents[] | select(.ph == "M" and .name == "process_name") |
	{key: (.pid | tostring), value: .args.name}] | from_entries) as $pn
| ([.traceEvents[] | select(.ph == "X") |
	{key: "\($pn[.pid | tostring]):\(.args.seq)", value: .}] | from_entries) as $x
| [.traceEvents[] | select(.ph == "s")] as $s
| ([.traceEvents[] | select(.ph == "f") | {key: (.id | tostring), value: .}] | from_entries) as $f
| def within($e; $sl): $sl != null and $e.pid == $sl.pid and $e.tid == $sl.tid and
	$e.ts >= $sl.ts and $e.ts <= $sl.ts + $sl.dur;
  $want[] as [$a, $b]
| ([$s[] | select(.args.from == $a and .args.to == $b)] | .[0]) as $ss
| if $ss == null then "no arrow \($a) -> \($b)"
  else ($f[$ss.id | tostring]) as $ff
  | if $ff == null then "arrow \($a) -> \($b) has no end"
    elif (within($ss; $x[$a]) | not) then "arrow \($a) -> \($b) does not start in \($a)"
    elif (within($ff; $x[$b]) | not) or $ff.bp != "e" then "arrow \($a) -> \($b) does not end in \($b)"
    elif $forward and $ss.ts > $ff.ts then "arrow \($a) -> \($b) points back in time"
    else empty end
  end
