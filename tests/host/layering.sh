#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The pipeline's direction, held: docs/layers.md ranks the stages of user/;
# every include and every call the linker resolves must go to the same stage
# or a lower rank, includes must name the stage ("sink/bundle.h"), and no
# files may call each other in a circle.  The includes are read from the
# sources, the calls from the objects of the last build (nm), so a function
# declared in one stage but defined in another shows too.
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
BUILD=${BUILD:-$VBT_ROOT/build}

# "stage rank" for each row of the table in $1/docs/layers.md.
ranks() {
	# shellcheck disable=SC2016
	sed -n 's/^| `\([a-z_]*\)` | \([0-9][0-9]*\) |.*/\1 \2/p' "$1/docs/layers.md"
}

# "FILE INCLUDED" for every quoted include of user/ under $1.
includes() {
	(cd "$1" && find user -name '*.[ch]' | sort | xargs grep -H \
		'^[[:space:]]*#[[:space:]]*include[[:space:]]*"' |
		sed 's/^\([^:]*\):[^"]*"\([^"]*\)".*/\1 \2/')
}

# Turns "FILE INCLUDED" into "FROM TO include INCLUDED" edges, resolving each
# include against the one root (user/, include/) of the tree at $1; an
# include that does not resolve there becomes "FROM ? include INCLUDED".
resolve() {
	while read -r from inc; do
		case $inc in
		*.skel.h) to=skel ;;
		*)
			if [ -f "$1/user/$inc" ]; then
				to=user/$inc
			elif [ -f "$1/include/$inc" ]; then
				to=include/$inc
			else
				to='?'
			fi
			;;
		esac
		echo "$from $to include $inc"
	done
}

# "FROM TO call|data SYMBOL": object FROM uses a global function or object
# SYMBOL that object TO defines, both of user/ in the build directory $1,
# named by their sources.
calls() {
	objs=$(cd "$1" && find user -name '*.o' | sort)
	[ -n "$objs" ] || return 1
	# shellcheck disable=SC2086
	(cd "$1" && nm -A $objs) | awk '
		{ split($1, a, ":"); obj = a[1]; sub(/\.o$/, ".c", obj) }
		$2 == "U" { use[++n] = obj " " $3; next }
		$2 ~ /^[TW]$/ { def[$3] = obj; kind[$3] = "call"; next }
		$2 ~ /^[DBRCGSV]$/ { def[$3] = obj; kind[$3] = "data" }
		END {
			for (i = 1; i <= n; i++) {
				split(use[i], u, " ")
				if ((u[2] in def) && def[u[2]] != u[1])
					print u[1], def[u[2]], kind[u[2]], u[2]
			}
		}'
}

# Reads edges on stdin, the rank table in $1; prints one line per edge that
# breaks the rules and exits non-zero if there was any.
check_edges() {
	awk -v table="$1" '
		BEGIN { while ((getline l < table) > 0) { split(l, a, " "); rank[a[1]] = a[2] } }
		function stage(f,   p) {
			if (f ~ /^include\/vblktrace\//) return "abi"
			if (f == "skel") return "source"
			n = split(f, p, "/")
			if (n > 2) return p[2]
			sub(/\.[ch]$/, "", p[2]); return p[2]
		}
		{
			from = $1; to = $2; kind = $3; what = $4
			if (to == "?") {
				printf "%s: #include \"%s\" names no file under user/ or include/ (write the stage: \"sink/bundle.h\")\n", from, what
				bad++; next
			}
			fs = stage(from); ts = stage(to)
			if (!(fs in rank) || !(ts in rank)) {
				printf "%s -> %s: stage %s has no row in docs/layers.md\n", from, to, (fs in rank) ? ts : fs
				bad++; next
			}
			if (kind == "include" && to == "skel" && fs != "source") {
				printf "%s: the BPF skeleton %s belongs to source/\n", from, what
				bad++; next
			}
			if (fs != ts && rank[ts] >= rank[fs]) {
				printf "%s (%s, rank %d) -> %s (%s, rank %d): %s %s runs against the pipeline\n", from, fs, rank[fs], to, ts, rank[ts], kind, what
				bad++
			}
		}
		END { exit bad > 0 }'
}

# Reads "FROM TO KIND ..." edges on stdin; prints the files of each circle
# of calls (tsort names them) and exits non-zero if there is one.  Data is
# left out: a table of matchers that a dispatcher walks is not a call back.
check_circles() {
	loops=$(awk '$3 == "call" && $1 != $2 { print $1, $2 }' | sort -u |
		tsort 2>&1 >/dev/null)
	[ -z "$loops" ] && return 0
	echo "$loops"
	return 1
}

tap_plan 5

table=$(mktemp)
trap 'rm -f "$table"; rm -rf "${fake:-}"' EXIT
ranks "$VBT_ROOT" >"$table"

if out=$(includes "$VBT_ROOT" | resolve "$VBT_ROOT" | check_edges "$table"); then
	tap_ok "every include of user/ names its stage and runs down the pipeline"
else
	tap_fail "every include of user/ names its stage and runs down the pipeline" "$out"
fi

# The objects must be those of the sources as they are now.
stale=$(cd "$VBT_ROOT" && find user -name '*.c' | while read -r c; do
	o=$BUILD/${c%.c}.o
	[ -e "$o" ] && [ -z "$(find "$c" -newer "$o")" ] || echo "$o"
done)
if [ -n "$stale" ]; then
	tap_fail "calls between stages run down the pipeline" \
		"objects missing or older than their sources (run make):" "$stale"
	tap_fail "no circle of calls between files" "no current objects"
else
	edges=$(calls "$BUILD")
	if [ -z "$edges" ]; then
		tap_fail "calls between stages run down the pipeline" \
			"nm found no call between the objects of $BUILD/user"
	elif out=$(echo "$edges" | check_edges "$table"); then
		tap_ok "calls between stages run down the pipeline ($(echo "$edges" | wc -l) cross-file calls)"
	else
		tap_fail "calls between stages run down the pipeline" "$out"
	fi
	if out=$(echo "$edges" | check_circles); then
		tap_ok "no circle of calls between files"
	else
		tap_fail "no circle of calls between files" "$out"
	fi
fi

# The check itself: a copy of the tree with a backward include, a bare
# include and an unranked folder must be refused, naming each.
fake=$(mktemp -d)
cp -r "$VBT_ROOT/user" "$VBT_ROOT/include" "$fake/"
mkdir -p "$fake/docs" "$fake/user/newstage"
cp "$VBT_ROOT/docs/layers.md" "$fake/docs/"
echo '#include "cmd/commands.h"' >>"$fake/user/decode/clock.c"
echo '#include "names.h"' >>"$fake/user/sink/summary.c"
echo '#include "decode/event.h"' >"$fake/user/newstage/x.c"
ranks "$fake" >"$table"
out=$(includes "$fake" | resolve "$fake" | check_edges "$table")
rc=$?
if [ $rc -ne 0 ] &&
   echo "$out" | grep -q '^user/decode/clock.c (decode, rank 2) -> user/cmd/commands.h (cmd, rank 10)' &&
   echo "$out" | grep -q '^user/sink/summary.c: #include "names.h" names no file' &&
   echo "$out" | grep -q '^user/newstage/x.c -> .*stage newstage has no row' &&
   [ "$(echo "$out" | wc -l)" -eq 3 ]; then
	tap_ok "a backward, a bare and an unranked include are each refused"
else
	tap_fail "a backward, a bare and an unranked include are each refused" "exit $rc" "$out"
fi

# And calls: a lower stage calling a command, and two files calling each
# other, as nm would show them.
edges=$(printf '%s\n' 'user/system/facts.c user/cmd/cmd_disks.c call vbt_disk_facts_json' \
	'user/source/a.c user/source/b.c call f' 'user/source/b.c user/source/a.c call g')
out=$(echo "$edges" | check_edges "$table"; echo "$edges" | check_circles)
if echo "$out" | grep -q '^user/system/facts.c (system, rank 4) -> user/cmd/cmd_disks.c (cmd, rank 10): call vbt_disk_facts_json' &&
   echo "$out" | grep -q 'loop' && echo "$out" | grep -q 'user/source/a.c'; then
	tap_ok "a backward call and a circle of calls are each refused"
else
	tap_fail "a backward call and a circle of calls are each refused" "$out"
fi
tap_done
