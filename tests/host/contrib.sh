#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# contrib/ agrees with the program: the man page renders without groff
# warnings and documents every command the binary lists, and the bash
# completion offers those commands and a command's own options.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
VBT=$VBT_ROOT/build/vblktrace
MAN=$VBT_ROOT/contrib/man/vblktrace.1
COMP=$VBT_ROOT/contrib/bash-completion/vblktrace

tap_plan 4
warn=$(groff -man -Tutf8 -ww -z "$MAN" 2>&1)
[ -z "$warn" ] && tap_ok "man page renders without warnings" ||
	tap_fail "man page renders without warnings" "$warn"

cmds=$("$VBT" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
text=$(MANWIDTH=200 man -l "$MAN" 2>/dev/null | col -b)
missing=
for c in $cmds; do
	printf '%s\n' "$text" | grep -qE "^ +$c( |$)" || missing="$missing $c"
done
[ -n "$cmds" ] && [ -z "$missing" ] && tap_ok "man page documents every command ($(echo $cmds | wc -w))" ||
	tap_fail "man page documents every command" "missing:$missing"

complete_words() {
	# complete_words WORD...: what the completion offers for the last word
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
		_vblktrace; printf "%s\n" "${COMPREPLY[@]}"' _ "$COMP" "$VBT" "$@"
}
got=$(complete_words "" | sort | tr '\n' ' ')
want=$(echo $cmds | tr ' ' '\n' | sort | tr '\n' ' ')
[ "$got" = "$want" ] && tap_ok "completion offers the commands" ||
	tap_fail "completion offers the commands" "got: $got" "want: $want"
got=$(complete_words watch --alert-)
echo "$got" | grep -qx -- --alert-exec && echo "$got" | grep -qx -- --alert-interval &&
	tap_ok "completion offers a command's own options (watch --alert-*)" ||
	tap_fail "completion offers a command's own options" "$got"
tap_done
