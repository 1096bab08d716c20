# Sourced by run.sh: the lifetime of QEMU, the host hook and everything the run mounted.
# shellcheck disable=SC2034 # sourced: these globals are used by run.sh and disks.sh
# Uses run.sh's globals QEMU QPID OUT SCRATCH MOUNTS HOOK HOOK_WAIT TIMEOUT START_US; bash.

QPID='' HPID='' TPID=''

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# stop_pid PID SIG GRACE [GROUP]: send SIG to PID (or to process group GROUP), wait up
# to GRACE seconds for PID (every process of GROUP: a hook's tracer may still be
# flushing after the hook shell returned) to exit, then SIGKILL what is left.
stop_pid() {
	local pid=$1 sig=$2 grace=$3 target=${4:-$1}
	kill -"$sig" -- "$target" 2>/dev/null || return 0
	for _ in $(seq $((grace * 10))); do
		kill -0 -- "$target" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "$target" 2>/dev/null || true
}

kill_qemu() {
	alive "$QPID" || return 0
	stop_pid "$QPID" TERM 3
	wait "$QPID" 2>/dev/null || true
}

hook_stop() {
	[ -n "$HPID" ] || return 0
	stop_pid "$HPID" INT 5 "-$HPID"
	wait "$HPID" 2>/dev/null || true
	HPID=
}

cleanup() {
	local rc=$? m i
	trap - EXIT INT TERM HUP
	kill_qemu
	hook_stop
	if alive "$TPID"; then kill "$TPID" 2>/dev/null || true; fi
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		m=${MOUNTS[i]}
		case $m in
		pid:*) kill "${m#pid:}" 2>/dev/null && wait "${m#pid:}" 2>/dev/null ;;
		fuse:*) fusermount3 -u "${m#fuse:}" 2>/dev/null || umount -l "${m#fuse:}" ||
			echo "run.sh: could not unmount ${m#fuse:}" >&2 ;;
		tmpfs:*) umount "${m#tmpfs:}" 2>/dev/null || umount -l "${m#tmpfs:}" ||
			echo "run.sh: could not unmount ${m#tmpfs:}" >&2 ;;
		esac
	done
	rm -rf "$SCRATCH"
	exit "$rc"
}

interrupted() {
	echo "run.sh: interrupted by SIG$1; stopping QEMU and cleaning up" >&2
	exit 130
}

show_console() {
	tail -n +1 -F --pid="$QPID" "$OUT/console.log" 2>/dev/null &
	TPID=$!
}

# mon_wait_status: wait for QEMU's monitor to answer "info status" (machine created,
# drives open, CPUs paused by -S).
mon_wait_status() {
	local line t0=$SECONDS
	echo "info status" >&7
	while alive "$QPID"; do
		if read -r -t 1 line <&8 && [[ $line == *"VM status"* ]]; then
			return 0
		fi
		[ $((SECONDS - t0)) -lt 30 ] || break
	done
	return 1
}

hook_start() {
	local ready=$SCRATCH/hook.ready
	exec 7<>"$SCRATCH/mon.in" 8<>"$SCRATCH/mon.out"
	mon_wait_status || die "QEMU did not come up (see $OUT/qemu.log: $(tail -n 3 "$OUT/qemu.log"))"
	# Background jobs of a script start with SIGINT ignored; undo that, or a hook
	# that relies on the default action would never see our SIGINT.
	QEMU_PID=$QPID RIG_OUT=$OUT HOOK_READY=$ready QMP_SOCK=$OUT/qmp.sock \
		env --default-signal=INT,QUIT \
		setsid sh -c "$HOOK" </dev/null >"$OUT/host-hook.log" 2>&1 &
	HPID=$!
	if [ "$HOOK_WAIT" = 1 ]; then
		while [ ! -e "$ready" ]; do
			alive "$HPID" || die "host hook exited before creating \$HOOK_READY" \
				"(see $OUT/host-hook.log)"
			deadline_passed && die "host hook not ready within ${TIMEOUT}s"
			sleep 0.1
		done
	fi
	echo cont >&7
}

# now_us: wall clock in microseconds, without forking (bash 5 EPOCHREALTIME).
now_us() { NOW_US=${EPOCHREALTIME//[!0-9]/}; }

# deadline_passed: more than TIMEOUT seconds since QEMU was started (START_US).
deadline_passed() {
	now_us
	[ $((NOW_US - START_US)) -gt $((TIMEOUT * 1000000)) ]
}

# wait_qemu: until QEMU exits; on timeout kill it and fail with exit code 3.
wait_qemu() {
	while alive "$QPID"; do
		if deadline_passed; then
			echo "run.sh: timeout: the $KERNEL guest did not power off within" \
				"${TIMEOUT}s; killing QEMU (pid $QPID). Last console lines:" >&2
			tail -n 5 "$OUT/console.log" >&2 2>/dev/null || true
			kill_qemu
			hook_stop
			exit 3
		fi
		sleep 0.05
	done
	wait "$QPID" && QRC=0 || QRC=$?
	QPID=
	if alive "$TPID"; then wait "$TPID" 2>/dev/null || true; fi
}

# collect: unpack the out disk's tar into DIR; fail if the guest script never finished.
collect() {
	local x=$SCRATCH/x
	mkdir -p "$x"
	tar -xf "$SCRATCH/out.img" -C "$x" 2>/dev/null || true
	if [ ! -s "$x/rig/status" ]; then
		echo "run.sh: the $KERNEL guest did not hand back a status (QEMU exit code $QRC)." >&2
		echo "--- qemu.log:" >&2
		tail -n 5 "$OUT/qemu.log" >&2 2>/dev/null || true
		echo "--- console.log:" >&2
		tail -n 10 "$OUT/console.log" >&2 2>/dev/null || echo "(none)" >&2
		exit 1
	fi
	mv "$x/out" "$OUT/guest"
	cp "$x/rig/status" "$OUT/guest.status"
	[ ! -e "$x/rig/dmesg.log" ] || cp "$x/rig/dmesg.log" "$OUT/dmesg.log"
}
