#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The README's commands on a machine without the build packages: make must
# install them (make deps) before it asks pkg-config for any flag.  A copy
# of the tree is built with a pkg-config that knows no package until the
# deps step has run, as on a fresh Debian machine; a Makefile that computes
# its flags at parse time links without libmicrohttpd and fails here.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"

tap_plan 4
W=$FX_DIR/fresh
mkdir -p "$W/src" "$W/bin"
(cd "$VBT_ROOT" && git ls-files -z | xargs -0 cp --parents -t "$W/src") || {
	tap_fail "copy of the tree" "git ls-files failed"
	tap_done
	exit 1
}
marker=$W/installed
real=$(command -v pkg-config)
# pkg-config as on a fresh machine: nothing is installed until deps ran.
cat >"$W/bin/pkg-config" <<SH
#!/bin/sh
[ -e "$marker" ] || exit 1
exec "$real" "\$@"
SH
# The deps step of this machine: it "installs" the packages (group: $1).
cat >"$W/bin/fake-deps" <<SH
#!/bin/sh
touch "$marker"
SH
chmod +x "$W/bin/pkg-config" "$W/bin/fake-deps"
export PATH="$W/bin:$PATH"

make -C "$W/src" -j2 DEPS="$W/bin/fake-deps" >"$W/make.log" 2>&1
rc=$?
[ $rc = 0 ] && [ -e "$marker" ] && "$W/src/build/vblktrace" --version >/dev/null &&
	tap_ok "make on a machine without packages: deps first, then a build that links" ||
	tap_fail "make on a machine without packages links" "exit $rc" "$(tail -15 "$W/make.log")"
grep -q -- '-lmicrohttpd' "$W/make.log" &&
	tap_ok "the link line has the flags of the packages deps installed (-lmicrohttpd)" ||
	tap_fail "the link line has -lmicrohttpd" "$(grep -- '-static' "$W/make.log" | tail -2)"

# deps that installs nothing: a clear message before any compiler runs.
rm -rf "$W/src/build" "$marker"
make -C "$W/src" DEPS=true >"$W/none.log" 2>&1
rc=$?
[ $rc != 0 ] && grep -q "run 'make deps'" "$W/none.log" && ! grep -q 'undefined reference' "$W/none.log" &&
	tap_ok "without the packages the build stops at once naming 'make deps' (exit $rc)" ||
	tap_fail "without the packages the build stops naming make deps" "exit $rc" "$(tail -5 "$W/none.log")"

# make deps is quiet when nothing is missing.
out=$(make -C "$VBT_ROOT" -s deps 2>&1)
[ $? = 0 ] && [ -z "$out" ] && tap_ok "make deps prints nothing when every package is there" ||
	tap_fail "make deps is quiet when nothing is missing" "$out"
tap_done
