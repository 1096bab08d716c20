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

tap_plan 9
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

# man_opts SECTION [entries]: the long options a part of the man page
# names (the roff source, so a renderer's hyphenation cannot hide one);
# with "entries", only those its option entries (.TP) document.
man_opts() {
	awk -v want="$1" -v entries="${2:-}" '
		/^\.S[SH] / { sec = $0; sub(/^\.S[SH] /, "", sec); gsub(/"/, "", sec) }
		sec != want { tp = 0; next }
		entries == "" || tp { print }
		{ tp = ($0 == ".TP") }' "$MAN" | sed 's/\\-/-/g' |
		grep -oE -- '--[a-z][a-z-]*' | sort -u
}
help_opts() {
	"$VBT" "$1" --help | grep -E '^ +-' | grep -oE -- '--[a-z][a-z-]*' |
		grep -vx -- --help | sort -u
}
common=$(man_opts "COMMON OPTIONS")
drift=
for c in $cmds; do
	own=$(man_opts "$c")
	# Every option --help lists is in the man page ...
	for o in $(help_opts "$c"); do
		printf '%s\n' "$own" "$common" | grep -qx -- "$o" ||
			drift="$drift $c:$o(not in man)"
	done
	# ... and the man page lists none the command does not take.
	for o in $(man_opts "$c" entries); do
		help_opts "$c" | grep -qx -- "$o" || drift="$drift $c:$o(not in --help)"
	done
done
[ -n "$cmds" ] && [ -z "$drift" ] &&
	tap_ok "man page and each command's --help list the same options" ||
	tap_fail "man page and each command's --help list the same options" "$drift"
noexit=
for c in $cmds; do
	"$VBT" "$c" --help | grep -q '^Exit status:' || noexit="$noexit $c"
done
[ -z "$noexit" ] && tap_ok "every command's --help has the exit status section" ||
	tap_fail "every command's --help has the exit status section" "missing:$noexit"
port_readme=$(grep -oE -- '--metrics 127\.0\.0\.1:[0-9]+' "$VBT_ROOT/README.md" | head -1)
port_unit=$(grep -oE -- '--metrics 127\.0\.0\.1:[0-9]+' "$VBT_ROOT/contrib/systemd/vblktrace-watch.service" | head -1)
port_man=$(sed 's/\\-/-/g' "$MAN" | grep -oE '127\.0\.0\.1:[0-9]+' | head -1)
[ -n "$port_readme" ] && [ "$port_readme" = "$port_unit" ] && [ "${port_unit#--metrics }" = "$port_man" ] &&
	tap_ok "README, man page and systemd unit agree on the metrics address (${port_man})" ||
	tap_fail "README, man page and systemd unit agree on the metrics address" \
		"README: $port_readme" "unit: $port_unit" "man: $port_man"

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
# File arguments: a file of this test's own must be offered.
F=$(mktemp /tmp/vbt-compl.XXXXXX)
trap 'rm -f "$F"' EXIT
bad=
for words in "report $F" "explain $F" "merge $F" "doctor -x $F" "doctor -c $F" \
	"doctor --to $F" "report -o $F" "live -o $F" "bundle --from $F"; do
	# shellcheck disable=SC2086
	complete_words $words | grep -qx -- "$F" || bad="$bad [$words]"
done
[ -z "$bad" ] && tap_ok "completion offers files for file arguments" ||
	tap_fail "completion offers files for file arguments" "not offered:$bad"
got=$(cd "$(dirname "$F")" && complete_words live -t "")
printf '%s\n' "$got" | grep -qx -- "$(basename "$F")" &&
	tap_fail "completion offers no files for live -t (a duration)" "$got" ||
	tap_ok "completion offers no files for live -t (a duration)"
tap_done
