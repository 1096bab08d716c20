#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Exact BPF time per I/O: the kernel's own accounting (bpf_stats_enabled,
# run_time_ns / run_cnt per program) while fio does 4k random reads on a
# loop device over tmpfs.  A tracer's programs are those its process holds
# (fdinfo prog_id).  Per I/O is the sum, over the programs that ran at least
# once per fio request, of their mean time per run; the others (syscall
# exits, run by the whole system) are listed but not summed.  Anchors in the
# same rounds: bpftrace's error filter on block_rq_complete (no issuer) and
# libbpf-tools biolatency.  VBT_BASE=path/to/older/vblktrace adds that
# binary to every round, for before/after pairs.  Prints the median of the
# rounds per tracer.
#
#   bench/bpf_cost.sh [SECONDS] [ROUNDS]        (defaults 3 and 3)
set -eu
. "$(dirname "$0")/lib.sh"
secs=${1:-3}
rounds=${2:-3}
bench_need fio jq bpftool
bench_setup 1024
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
trap 'sysctl -qw kernel.bpf_stats_enabled=$old_stats; bench_cleanup' EXIT
sysctl -qw kernel.bpf_stats_enabled=1

# measure LABEL READY_REGEX CMD...: start CMD, wait until it is attached,
# run fio; appends "ns_per_io iops" to $BENCH_DIR/LABEL and the programs'
# figures to $BENCH_DIR/LABEL.progs.
measure() {
	local label=$1 ready=$2 pid ids fio before after
	shift 2
	"$@" >"$BENCH_DIR/out" 2>&1 &
	pid=$!
	BENCH_PIDS="$BENCH_PIDS $pid"
	[ -z "$ready" ] || until grep -Eq "$ready" "$BENCH_DIR/out"; do
		kill -0 $pid 2>/dev/null || { cat "$BENCH_DIR/out" >&2; return 1; }
		sleep 0.05
	done
	ids=$(wait_progs $pid)
	before=$(prog_stats $ids)
	fio=$(fio_randread "$secs")
	after=$(prog_stats $ids)
	kill -INT $pid
	wait $pid || true
	join <(echo "$before" | sort) <(echo "$after" | sort) | awk -v fio="$fio" \
		-v sum="$BENCH_DIR/$label" -v progs="$BENCH_DIR/$label.progs" '
		BEGIN { split(fio, f, " ") }
		{ n = $7 - $4; t = $6 - $3; if (n >= f[2]) s += t / n
		  if (n > 0) printf "%s %.1f %d\n", $2, t / n, n >> progs }
		END { printf "%.1f %d\n", s, f[1] >> sum }'
}

tracers="vblktrace"
[ -n "${VBT_BASE:-}" ] && tracers="$tracers base"
if [ "${BENCH_ANCHORS:-1}" = 1 ]; then
	command -v bpftrace >/dev/null && tracers="$tracers bpftrace"
	command -v biolatency >/dev/null && tracers="$tracers biolatency"
fi
for r in $(seq "$rounds"); do
	fio_randread "$secs" | cut -d' ' -f1 >>"$BENCH_DIR/untraced"
	for t in $tracers; do
		case $t in
		vblktrace) measure $t Ctrl-C "$VBT" --side guest -t 3600 ;;
		base) measure $t Ctrl-C "$VBT_BASE" --side guest -t 3600 ;;
		bpftrace) measure $t Attaching bpftrace -e \
			'tracepoint:block:block_rq_complete /args->error != 0/ { @[args->dev] = count(); }' ;;
		biolatency) measure $t '' biolatency 3600 ;;
		esac
	done
done

echo "fio 4k randread io_uring QD32 direct, loop over tmpfs, $rounds rounds x ${secs}s"
printf '%-12s %8s ns BPF per I/O  %8s IOPS\n' untraced - "$(median <"$BENCH_DIR/untraced")"
for t in $tracers; do
	printf '%-12s %8s ns BPF per I/O  %8s IOPS\n' "$t" \
		"$(cut -d' ' -f1 "$BENCH_DIR/$t" | median)" \
		"$(cut -d' ' -f2 "$BENCH_DIR/$t" | median)"
	awk '{ t[$1] = t[$1] " " $2; n[$1] += $3 }
	     END { for (p in t) printf "    %-22s ns/run:%s  (%d runs)\n", p, t[p], n[p] }' \
		"$BENCH_DIR/$t.progs" | sort
done
