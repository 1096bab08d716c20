#!/bin/sh
# The rig's --host-hook: record a host bundle of the same QEMU while the
# guest records its own.  The rig SIGINTs the hook's process group when
# QEMU is gone, then SIGKILLs it once this shell exits: so this shell traps
# SIGINT and waits until vblktrace has written its bundle.
VBT=${VBT:?}
trap : INT
# Stamp the guest's VBT-CLOCK lines with the host's clock as they arrive.
cr=$(printf '\r')
tail -n +1 -F "$RIG_OUT/console.log" 2>/dev/null | while read -r tag g _; do
	[ "$tag" = VBT-CLOCK ] && echo "${g%"$cr"} $(date +%s%N)"
done >"$RIG_OUT/clock.marks" &
"$VBT" bundle --side host --no-color -o "$RIG_OUT/host.tar.gz" \
	>"$RIG_OUT/host-bundle.out" 2>"$RIG_OUT/host-bundle.err" &
P=$!
i=0
while ! grep -q 'Ctrl-C' "$RIG_OUT/host-bundle.err" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 600 ] || ! kill -0 $P 2>/dev/null; then
		echo "host vblktrace bundle did not start" >&2
		exit 1
	fi
	sleep 0.1
done
touch "$HOOK_READY"
while :; do
	wait $P
	rc=$?
	kill -0 $P 2>/dev/null || break
done
echo $rc >"$RIG_OUT/host-bundle.rc"
