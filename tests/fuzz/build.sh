#!/bin/sh
# Build the libFuzzer targets of tests/fuzz with clang, ASan and UBSan:
#   tests/fuzz/build.sh OUTDIR      -> OUTDIR/fuzz_input, OUTDIR/fuzz_redact
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: build.sh OUTDIR}
mkdir -p "$out"
cc=${CLANG:-clang}
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
	-D_GNU_SOURCE -std=gnu11 -I$top/include -I$top/user
	$(pkg-config --cflags json-c libxml-2.0)"
libs="$(pkg-config --libs json-c libxml-2.0) -lz"
readers="recording.c json.c archive.c errmsg.c bundle_input.c names.c clock.c format_text.c
	report_model.c report_text.c report_html.c report_html_util.c text_safe.c
	report_html_timeline.c report_html_tables.c report_story.c report_perfetto.c correlate.c
	host_index.c scsi_names.c qemu_opts.c compact.c report_merge.c json_writer.c"
# user/ is split by pipeline stage: find each named source where it lives.
src() { for f in "$@"; do find "$top/user" -name "$f" -printf '%p '; done; }
# shellcheck disable=SC2086
$cc $flags -o "$out/fuzz_input" "$top/tests/fuzz/fuzz_input.c" $(src $readers) $libs
# shellcheck disable=SC2086
$cc $flags -o "$out/fuzz_redact" "$top/tests/fuzz/fuzz_redact.c" $(src redact.c json.c) $libs
