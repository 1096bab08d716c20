#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Validate vblktrace's JSON output against the schemas of docs/.

    validate_json.py SCHEMA[#/$defs/NAME] FILE...

SCHEMA may name one of its $defs (docs/bundle.schema.json#/$defs/facts);
references between the schema files of SCHEMA's folder are followed.

A FILE that is one JSON value (report, merge) is one record; otherwise
every non-empty line is one (JSON Lines).  Prints "FILE:LINE: kind K: why"
for each record the schema refuses, then "kinds: K=N ..." for what was
read; exits 1 if a record was refused or a file held none.  Runs under
Debian's /usr/bin/python3 with python3-jsonschema (scripts/deps.sh).
"""
import collections
import glob
import json
import os
import sys

import jsonschema


def records(path):
    with open(path, encoding="utf-8", errors="strict") as f:
        text = f.read()
    try:
        yield 1, json.loads(text)
        return
    except json.JSONDecodeError:
        pass
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            yield n, json.loads(line)


def validator(arg):
    path, _, frag = arg.partition("#")
    store = {}
    for p in glob.glob(os.path.join(os.path.dirname(path) or ".",
                                    "*.schema.json")):
        with open(p, encoding="utf-8") as f:
            s = json.load(f)
        jsonschema.Draft202012Validator.check_schema(s)
        store[s["$id"]] = s
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    resolver = jsonschema.RefResolver(schema["$id"], schema, store=store)
    if frag:
        schema = {"$ref": schema["$id"] + "#" + frag}
    return jsonschema.Draft202012Validator(schema, resolver=resolver)


def main():
    v = validator(sys.argv[1])
    kinds = collections.Counter()
    bad = 0
    for path in sys.argv[2:]:
        n = 0
        for line, rec in records(path):
            n += 1
            kind = rec.get("kind") if isinstance(rec, dict) else None
            kinds[kind or "object"] += 1
            for e in sorted(v.iter_errors(rec), key=lambda e: list(e.path)):
                where = "/".join(str(p) for p in e.absolute_path)
                print(f"{path}:{line}: kind {kind}: {where or '(record)'}: "
                      f"{e.message[:300]}")
                bad += 1
        if not n:
            print(f"{path}: no record")
            bad += 1
    print("kinds: " + " ".join(f"{k}={n}" for k, n in sorted(kinds.items())))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
