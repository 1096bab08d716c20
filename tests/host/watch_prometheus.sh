#!/bin/bash
# vblktrace watch end to end, TAP output: a real Prometheus (Debian's) on
# loopback scrapes 'vblktrace watch' every second and evaluates
# contrib/prometheus/vblktrace.rules.yml while real QEMU guests hit real
# host errors:
#   guest A: aio=threads, image on a full tmpfs -> pwritev ENOSPC
#   guest B: aio=io_uring, image served by fuse_eio -> io_uring EIO
#   VM C:    QEMU without a guest, hostile -name, qemu-io (HMP) writes on a
#            full tmpfs -> ENOSPC
# Ground truth: each guest's own count of failed writes, the FUSE helper's
# log of the requests it failed, QEMU's own "write failed" lines.  Also:
# promtool check/test rules, systemd-analyze verify of the unit, the alert
# records (first error at once, repeats folded and counted), --alert-exec
# with hostile values, SIGHUP log reopening, SIGTERM's final record.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
VBT=${VBT:-$REPO/build/vblktrace}
RULES=$REPO/contrib/prometheus/vblktrace.rules.yml
UNIT=$REPO/contrib/systemd/vblktrace-watch.service
. "$REPO/tests/lib/tap.sh"

D=$(mktemp -d "${TMPDIR:-/tmp}/watch-prom.XXXXXX")
PIDS=""
MNT=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	[ -z "$MNT" ] || umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
	if [ -n "${KEEP:-}" ]; then echo "# kept $D"; else rm -rf "$D"; fi
}
trap cleanup EXIT

tap_plan 16

need() {
	command -v "$1" >/dev/null || { tap_skip_rest "$1 not installed"; tap_done; exit 0; }
}
[ "$(id -u)" = 0 ] || { tap_skip_rest "needs root"; tap_done; exit 0; }
[ -x "$VBT" ] || { tap_skip_rest "no $VBT (make)"; tap_done; exit 0; }
for c in prometheus promtool systemd-analyze qemu-system-x86_64 curl jq; do need "$c"; done

# The rules and unit are checked by their own tools: harness, not vblktrace.
tap_harness on
tap_check "promtool check rules contrib/prometheus/vblktrace.rules.yml" \
	promtool check rules "$RULES"
tap_check "promtool test rules contrib/prometheus/vblktrace.rules.test.yml" \
	sh -c "cd '$REPO/contrib/prometheus' && promtool test rules vblktrace.rules.test.yml"
# verify insists that ExecStart exists: point it at the binary under test.
sed "s#/usr/sbin/vblktrace#$VBT#" "$UNIT" >"$D/vblktrace-watch.service"
tap_check "systemd-analyze verify contrib/systemd/vblktrace-watch.service" \
	systemd-analyze verify "$D/vblktrace-watch.service"
tap_harness off

free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		ss -ltn "sport = :$p" | grep -q LISTEN || { echo "$p"; return; }
	done
}

# --- the daemon -------------------------------------------------------------
mkdir -p "$D/exec" "$D/tf"
cat >"$D/dump.sh" <<'EOF'
#!/bin/sh
# --alert-exec target: keep the environment and argv, NUL separated.
env -0 >"$1/env.$$"
printf '%s\0' "$@" >"$1/argv.$$"
EOF
chmod +x "$D/dump.sh"
(cd "$D" && exec "$VBT" watch --metrics 127.0.0.1:0 --log "$D/alerts.jsonl" --alert-interval 2 \
	--alert-exec "$D/dump.sh $D/exec '\$(touch $D/pwned)'" --alert-max 2 \
	--textfile "$D/tf" >"$D/stdout" 2>"$D/stderr") &
WPID=$!
PIDS="$WPID"
for _ in $(seq 100); do
	grep -q 'metrics on http' "$D/stderr" 2>/dev/null && break
	kill -0 "$WPID" 2>/dev/null || break
	sleep 0.1
done
MPORT=$(sed -n 's#.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*#\1#p' "$D/stderr")
if [ -z "$MPORT" ]; then
	tap_fail "vblktrace watch starts and serves metrics" "$(cat "$D/stderr")"
	tap_fail_rest "not run: watch did not start"
	tap_done
	exit 1
fi
tap_ok "vblktrace watch starts and serves metrics on 127.0.0.1:$MPORT"

# --- Prometheus -------------------------------------------------------------
PPORT=$(free_port)
PROM=http://127.0.0.1:$PPORT
cat >"$D/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $RULES
scrape_configs:
  - job_name: vblktrace
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOF
prometheus --config.file="$D/prometheus.yml" --storage.tsdb.path="$D/tsdb" \
	--web.listen-address="127.0.0.1:$PPORT" --log.level=warn >"$D/prom.log" 2>&1 &
PIDS="$PIDS $!"
ok=0
for _ in $(seq 100); do
	curl -sf "$PROM/-/ready" >/dev/null 2>&1 && { ok=1; break; }
	sleep 0.2
done
if [ $ok = 1 ]; then tap_harness_ok "Prometheus is up on 127.0.0.1:$PPORT"; else
	tap_harness_fail "Prometheus is up" "$(tail -5 "$D/prom.log")"; fi

promq() {	# promq EXPR -> "value" of the first result, or empty
	curl -s --get --data-urlencode "query=$1" "$PROM/api/v1/query" |
		jq -r '.data.result[0].value[1] // empty'
}

# --- real errors ------------------------------------------------------------
A=wt-enospc-$$ B=wt-eio-$$
cat >"$D/guest_a.sh" <<'EOF'
# Fill the 3M tmpfs behind vda (the filling write fails), then 8 writes
# past the full point; count what failed.
fail=0
dd if=/dev/zero of=/dev/vda bs=4k count=1024 oflag=direct 2>/dev/null || fail=$((fail + 1))
for i in 1 2 3 4 5 6 7 8; do
	dd if=/dev/zero of=/dev/vda bs=4k count=1 seek=$((4096 + i * 16)) oflag=direct 2>/dev/null || fail=$((fail + 1))
done
echo "FAILED=$fail"
EOF
cat >"$D/guest_b.sh" <<'EOF'
# 10 writes into the byte range the FUSE helper fails.
fail=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	dd if=/dev/zero of=/dev/vda bs=4k count=1 seek=$((2048 + i)) oflag=direct 2>/dev/null || fail=$((fail + 1))
done
echo "FAILED=$fail"
EOF
RUN=$REPO/scripts/guest/run.sh
"$RUN" --kernel 6.1 --script "$D/guest_a.sh" --out "$D/a" --name "$A" --timeout 90 \
	--disk 'size=64M,cache=none,aio=threads,werror=report,fault=enospc:3M' >"$D/a.log" 2>&1 &
GA=$!
"$RUN" --kernel 6.1 --script "$D/guest_b.sh" --out "$D/b" --name "$B" --timeout 90 \
	--disk 'size=64M,cache=none,aio=io_uring,werror=report,fault=fuse-eio:write:8M:1M' >"$D/b.log" 2>&1 &
GB=$!

# VM C: no guest; QEMU's own block layer writes through HMP qemu-io.
# (Short: vblktrace keeps 63 bytes of a VM name.)  The daemon runs in $D,
# so an interpreted "touch pwned" would leave $D/pwned.
C=$(printf 'wt-evil-%s "q'"'"'$(touch pwned)`id`\nline2\\x' $$)
MNT=$D/full
mkdir -p "$MNT"
mount -t tmpfs -o size=1M wt-watch-full "$MNT"
truncate -s 64M "$MNT/c.img"
dd if=/dev/zero of="$MNT/fill" bs=64k 2>/dev/null || true
{
	for _ in $(seq 50); do	# until watch tracks it
		curl -s "127.0.0.1:$MPORT/metrics" | grep -q "wt-evil-$$" && break
		sleep 0.2
	done
	for i in 1 2 3; do echo "qemu-io d0 \"write -P 1 $((i * 65536)) 4k\""; done
	sleep 0.5
	echo quit
} | qemu-system-x86_64 -S -nodefaults -display none -machine none -accel tcg \
	-monitor stdio -name "guest=$C,debug-threads=on" \
	-drive "file=$MNT/c.img,if=none,id=d0,format=raw,cache=none,aio=threads" \
	>"$D/c.out" 2>&1 || true
wait "$GA" || true
wait "$GB" || true

TA=$(sed -n 's/^FAILED=//p' "$D/a/guest/guest.log" 2>/dev/null | tr -d '\r')
TB=$(sed -n 's/^FAILED=//p' "$D/b/guest/guest.log" 2>/dev/null | tr -d '\r')
FB=$(grep -c 'errno=5' "$D/b/fuse-eio-0.log" 2>/dev/null || true)
TC=$(grep -c 'write failed: No space left' "$D/c.out" || true)
tap_diag "truth: guest A failed ${TA:-?} writes; guest B failed ${TB:-?} (FUSE failed $FB); QEMU C failed $TC"

# Prometheus has the counters once it scraped after the last error.
wait_prom() {	# wait_prom EXPR WANT
	local v
	for _ in $(seq 60); do
		v=$(promq "$1")
		[ "$v" = "$2" ] && { echo "$v"; return 0; }
		sleep 0.5
	done
	echo "${v:-none}"
	return 1
}
check_counter() {	# NAME EXPR TRUTH
	local got
	if [ -n "$3" ] && [ "$3" -gt 0 ] && got=$(wait_prom "$2" "$3"); then
		tap_ok "$1 = $3"
	else
		tap_fail "$1" "Prometheus says ${got:-none}, truth ${3:-unknown}" "query: $2"
	fi
}
check_counter "guest A (aio=threads): Prometheus ENOSPC counter = guest's failed writes" \
	"sum(vblktrace_io_errors_total{vm=\"$A\",errno=\"ENOSPC\",op=\"WRITE\",aio=\"threads\"})" "$TA"
check_counter "guest B (aio=io_uring): Prometheus EIO counter = guest's failed writes" \
	"sum(vblktrace_io_errors_total{vm=\"$B\",errno=\"EIO\",op=\"WRITE\",aio=\"io_uring\"})" "$TB"
if [ -n "$TB" ] && [ "$TB" -gt 0 ] && [ "$FB" = "$TB" ]; then tap_harness_ok "guest B: the FUSE helper failed as many requests as the guest saw ($FB)"
else tap_harness_fail "guest B: FUSE helper log agrees with the guest" "fuse $FB, guest $TB"; fi

# The hostile name reaches Prometheus intact (escaping in the exposition).
got=$(curl -s --get --data-urlencode 'match[]=vblktrace_io_errors_total' "$PROM/api/v1/series" |
	jq -r --arg vm "$C" '[.data[] | select(.vm == $vm)] | length')
if [ "$TC" -gt 0 ] && [ "$got" = 1 ] &&
	v=$(wait_prom "sum(vblktrace_io_errors_total{vm=~\"(?s)wt-evil-$$.*\"})" "$TC"); then
	tap_ok "hostile VM name: one series, name intact, counter = QEMU's failures ($TC)"
else
	tap_fail "hostile VM name survives the exposition" "series with that vm: $got, value ${v:-?}, truth $TC"
fi

ok=0
for _ in $(seq 30); do
	[ "$(promq "count(ALERTS{alertname=\"VblktraceIOErrors\",alertstate=\"firing\",vm=~\"$A|$B\"})")" = 2 ] &&
		{ ok=1; break; }
	sleep 0.5
done
if [ $ok = 1 ]; then tap_ok "alert VblktraceIOErrors fires for both guests"
else tap_fail "alert VblktraceIOErrors fires for both guests" \
	"$(curl -s "$PROM/api/v1/alerts" | jq -c '.data.alerts[] | {l: .labels.vm, s: .state}' | head -5)"; fi

if grep -q "vm=\"$A\"" "$D/tf/vblktrace.prom" 2>/dev/null && [ -z "$(ls -A "$D/tf" | grep -v '^vblktrace.prom$')" ]; then
	tap_ok "--textfile: vblktrace.prom has the counters, no temporary file left"
else
	tap_fail "--textfile writes DIR/vblktrace.prom" "$(ls -la "$D/tf")"
fi

# --- SIGHUP, then SIGTERM -----------------------------------------------------
sleep 3	# let the repeats of this episode be reported (interval 2 s)
mv "$D/alerts.jsonl" "$D/alerts.jsonl.1"
kill -HUP "$WPID"
for _ in $(seq 30); do [ -e "$D/alerts.jsonl" ] && break; sleep 0.1; done
kill -TERM "$WPID"
rc=0
wait "$WPID" || rc=$?
PIDS=${PIDS#"$WPID"}
stopped=$(jq -r 'select(.alert == "stopped") | .alert' "$D/alerts.jsonl" 2>/dev/null || true)
if [ $rc = 0 ] && [ "$stopped" = stopped ] && [ -s "$D/alerts.jsonl.1" ] &&
	grep -q 'summary after' "$D/stderr"; then
	tap_ok "SIGHUP reopens --log, SIGTERM stops with status 0, a final record and summary"
else
	tap_fail "SIGHUP reopens --log, SIGTERM stops cleanly" "exit $rc" "$(tail -3 "$D/stderr")" \
		"$(ls -la "$D"/alerts.jsonl*)"
fi
cat "$D/alerts.jsonl.1" "$D/alerts.jsonl" >"$D/all.jsonl" 2>/dev/null || true

# Alert policy per guest: one "error" record at once, and every error of
# the key counted in error + repeat records (nothing folded away).
policy() {	# VM ERRNO TRUTH
	jq -rs --arg vm "$1" --arg e "$2" '
		[.[] | select(.vm == $vm and .err == $e and .op == "WRITE")] as $r |
		"\([$r[] | select(.alert == "error")] | length) \([$r[] | select(.alert == "error" or .alert == "repeat") | .alert_events] | add // 0) \([$r[] | select(.alert == "recovered")] | length)"' \
		"$D/all.jsonl"
}
for g in "$A ENOSPC ${TA:-0}" "$B EIO ${TB:-0}"; do
	set -- $g
	got=$(policy "$1" "$2")
	if [ "$got" = "1 $3 1" ] || [ "$got" = "1 $3 0" ]; then
		tap_ok "alert records for $1: 1 error, $3 errors counted in error+repeat records"
	else
		tap_fail "alert records for $1" "got 'errors counted recovered' = '$got', truth $3"
	fi
done

# --alert-exec: the environment is the record, verbatim; argv not a shell's.
rec=$(jq -c --arg vm "$C" 'select(.vm == $vm and .alert == "error")' "$D/all.jsonl" | head -1)
envf=""
for f in "$D"/exec/env.*; do
	[ -f "$f" ] || continue
	tr '\0' '\n' <"$f" | grep -q "^VBLKTRACE_VM=wt-evil-$$" &&
		tr '\0' '\n' <"$f" | grep -q '^VBLKTRACE_ALERT=error$' && envf=$f
done
if [ -n "$rec" ] && [ -n "$envf" ]; then
	printf '%s' "$rec" | jq -j 'to_entries[] | "VBLKTRACE_\(.key | ascii_upcase)=\(
		if (.value | type) == "array" then (.value | join(","))
		elif (.value | type) == "string" then .value
		else (.value | tostring) end)\u0000"' | tr '\0' '\n' | sort >"$D/want.env" || true
	# Compared line by line, sorted: a value's newline splits it the same
	# way on both sides.
	# PATH is ours, PWD the shell's: the rest must be the record.
	grep -zv -E '^(PATH|PWD)=' "$envf" | tr '\0' '\n' | sort >"$D/got.env" || true
	if cmp -s "$D/want.env" "$D/got.env" && grep -qx 'line2\\x' "$D/got.env"; then
		tap_ok "--alert-exec gets exactly the record's fields as VBLKTRACE_*, hostile VM name verbatim"
	else
		tap_fail "--alert-exec environment = record" "$(diff "$D/want.env" "$D/got.env" | head -8)"
	fi
else
	tap_fail "--alert-exec ran for the hostile VM" "record: ${rec:-none}; env files: $(ls "$D/exec" | head)"
fi
argv1=$(tr '\0' '\n' <"${envf%/*}/argv.${envf##*.}" 2>/dev/null | sed -n 2p)
if [ ! -e "$D/pwned" ] && [ "$argv1" = "\$(touch $D/pwned)" ]; then
	tap_ok "nothing is interpreted: no file created, argv passed literally"
else
	tap_fail "nothing is interpreted" "pwned exists: $([ -e "$D/pwned" ] && echo yes || echo no), argv1='$argv1'"
fi
tap_done
