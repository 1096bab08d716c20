#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 'make bench': every figure of the performance work in one go, each next
# to the anchors measured in the same run (bpftrace, libbpf-tools
# biolatency, untraced fio), on a loop device over tmpfs.  Run as root on a
# machine as quiet as you can get: IOPS figures are only as good as the
# noise allows; the BPF run-time and loss figures are exact.
#
#   bench/run.sh          (BENCH_QUICK=1: shorter runs, merge up to 100k)
set -u
cd "$(dirname "$0")"
quick=${BENCH_QUICK:-}
rc=0
section() { printf '\n== %s\n' "$1"; }

section "BPF time per I/O, default (errors-only) mode"
./bpf_cost.sh 3 ${quick:+1} || rc=1
section "IOPS under vblktrace, errors-only and --all, vs untraced"
./overhead.sh 3 ${quick:+3} || rc=1
section "--all -j to a file at full rate"
./stream.sh 4 ${quick:+1} || rc=1
section "error storm: delivered vs the kernel's own count"
./error_rate.sh 3 || rc=1
section "start to attached, and SIGINT to exited"
./startup.sh ${quick:+3} || rc=1
section "what tracing failed syscalls costs the ones that succeed"
./syscall_cost.sh ${quick:+3} || rc=1
section "merge at scale"
if [ -n "$quick" ]; then ./merge.sh 20000 100000; else ./merge.sh; fi || rc=1
section "static binary: what each dependency adds"
./size.sh | head -16 || rc=1
exit $rc
