# SPDX-License-Identifier: GPL-2.0
# Sourced inside the guest by tests/vm/kmod_*.sh (busybox sh): the kernel's
# own record of failed requests, raw, for the host to parse with
# tests/lib/truth.sh's truth_parse (busybox awk cannot run that awk).
#
#   ftrace_start DISK   record block_rq_complete with error != 0 for DISK
#   ftrace_stop         stop; print the raw trace lines
#   wait_tracing FILE   wait until vblktrace's stderr FILE says it traces

KG_TRACEFS=/sys/kernel/tracing
KG_INST=$KG_TRACEFS/instances/vbt-kmod

ftrace_start() {
	devno=$(cat "/sys/block/$1/dev")
	dev=$(( (${devno%:*} << 20) | ${devno#*:} ))
	mkdir "$KG_INST" || return 1
	echo "error != 0 && dev == $dev" \
		>"$KG_INST/events/block/block_rq_complete/filter" || return 1
	echo 1 >"$KG_INST/events/block/block_rq_complete/enable"
}

ftrace_stop() {
	echo 0 >"$KG_INST/events/block/block_rq_complete/enable"
	grep -v '^#' "$KG_INST/trace"
	rmdir "$KG_INST"
}

wait_tracing() {
	for _ in $(seq 100); do
		grep -q 'tracing' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "vblktrace did not start: $(cat "$1")" >&2
	return 1
}
