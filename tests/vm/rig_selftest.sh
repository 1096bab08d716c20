#!/bin/bash
# Smoke test of the guest rig (scripts/guest/run.sh), TAP output: boot each Debian cloud
# kernel once with a trivial guest script and check that its console output, a file it
# wrote and its exit status all came back to the host.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
RUN=$REPO/scripts/guest/run.sh
KERNELS="6.1 6.12"
# GUEST_ARCH (tests/run.sh sets it) picks the guests: amd64 or arm64.
case ${GUEST_ARCH:-amd64} in
arm64) QEMU_BIN=qemu-system-aarch64 MACHINE=aarch64 ;;
*) QEMU_BIN=qemu-system-x86_64 MACHINE=x86_64 ;;
esac
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rig-selftest.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

cat >"$TMP/guest.sh" <<'GUEST'
echo "rig-selftest says hello from $(uname -r) on $(uname -m)"
echo "payload-$RIG_DISKS" >"$OUT/payload.txt"
exit 3
GUEST

n=0
tap() {	# tap OK NAME [DIAG]
	n=$((n + 1))
	if [ "$1" = 1 ]; then
		echo "ok $n - $2 # harness"
	else
		echo "not ok $n - $2 # harness"
		[ -z "${3:-}" ] || printf '# %s\n' "$3"
	fi
}

set -- $KERNELS
echo "1..$(($# * 3))"
for k in $KERNELS; do
	out=$TMP/$k
	if ! command -v $QEMU_BIN >/dev/null; then
		for t in boot status output; do
			echo "ok $((n += 1)) - $k $t # SKIP $QEMU_BIN not installed # harness"
		done
		continue
	fi
	rc=0
	"$RUN" --kernel "$k" --script "$TMP/guest.sh" --out "$out" --disk size=64M \
		--timeout 60 >"$TMP/$k.log" 2>&1 || rc=$?
	tap $((rc == 0)) "$k boots and runs the guest script" "run.sh exit $rc: $(tail -n 3 "$TMP/$k.log" | tr '\n' ' ')"
	st=$(cat "$out/guest.status" 2>/dev/null || echo none)
	tap "$([ "$st" = 3 ] && echo 1 || echo 0)" "$k guest status comes back" "guest.status=$st, want 3"
	ok=0
	grep -q "rig-selftest says hello from $k.* on $MACHINE\$" "$out/guest/guest.log" 2>/dev/null &&
		grep -q "rig-selftest says hello" "$out/console.log" 2>/dev/null &&
		[ "$(cat "$out/guest/payload.txt" 2>/dev/null)" = payload-vda ] && ok=1
	tap $ok "$k $MACHINE guest output and files come back" "see guest.log/console.log/payload.txt"
done
