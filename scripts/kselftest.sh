#!/bin/sh
# Extract the kernel's kselftest harness from Debian's linux-source-6.1 into
# an ignored cache directory, so the tests use the real thing and the repo
# never carries a copy of it.
set -eu

out=${1:?usage: kselftest.sh OUTDIR}
[ -f "$out/kselftest_harness.h" ] && [ -f "$out/kselftest.h" ] && exit 0

tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -1)
if [ -z "$tarball" ]; then
	echo "kselftest: /usr/src/linux-source-6.1.tar.* not found; run 'make deps'" >&2
	exit 1
fi
mkdir -p "$out"
top=$(basename "$tarball" | sed 's/\.tar\..*//')
tar -xf "$tarball" -C "$out" --strip-components=4 \
	"$top/tools/testing/selftests/kselftest_harness.h" \
	"$top/tools/testing/selftests/kselftest.h"
