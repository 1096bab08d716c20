#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Validate vblktrace's JSON output against docs/events.schema.json.

    validate_json.py SCHEMA FILE...

A FILE that is one JSON value (report, merge) is one record; otherwise
every non-empty line is one (JSON Lines).  Prints "FILE:LINE: kind K: why"
for each record the schema refuses, then "kinds: K=N ..." for what was
read; exits 1 if a record was refused or a file held none.  Runs under
Debian's /usr/bin/python3 with python3-jsonschema (scripts/deps.sh).
"""
import collections
import json
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


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    kinds = collections.Counter()
    bad = 0
    for path in sys.argv[2:]:
        n = 0
        for line, rec in records(path):
            n += 1
            kind = rec.get("kind") if isinstance(rec, dict) else None
            kinds[kind] += 1
            for e in sorted(v.iter_errors(rec), key=lambda e: list(e.path)):
                where = "/".join(str(p) for p in e.absolute_path)
                print(f"{path}:{line}: kind {kind}: {where or '(record)'}: "
                      f"{e.message[:300]}")
                bad += 1
        if not n:
            print(f"{path}: no record")
            bad += 1
    print("kinds: " + " ".join(f"{k}={n}" for k, n in sorted(kinds.items(),
                                                            key=str)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
