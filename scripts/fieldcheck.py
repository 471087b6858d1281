#!/usr/bin/env python3
"""Field-by-field check of wirecrab against tshark's committed values.

compat/field-goldens/ holds, for every capture of the corpus, tshark 4.0's
`-T fields` output for the fields in compat/field-goldens.fields (made by
scripts/make-field-goldens.sh). This script runs wirecrab with the same fields
on the same captures and compares every cell. A differing cell fails the run
unless compat/field-accepted.tsv gives a reason for it.

Usage:
    scripts/fieldcheck.py [CAPTURES_ROOT] [--bin BIN] [--diff]
"""
import argparse
import collections
import fnmatch
import gzip
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
GOLDENS = os.path.join(REPO, "compat", "field-goldens")


def load_accepted(path):
    """(capture glob, frame or *, field or *, reason) rows."""
    rows = []
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            if line.strip() and not line.startswith("#"):
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 4:
                    rows.append(tuple(parts[:4]))
    return rows


def accepted(rows, capture, frame, field):
    """The reason a cell may differ, or None."""
    for glob, fr, fd, reason in rows:
        if fnmatch.fnmatch(capture, glob) and fr in ("*", frame) and fnmatch.fnmatch(field, fd):
            return reason
    return None


def parse(text):
    lines = [l for l in text.split("\n") if l]
    if not lines:
        return [], []
    return lines[0].split("\t"), [l.split("\t") for l in lines[1:]]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("root", nargs="?", default=os.path.join(os.path.dirname(REPO), "shared", "captures"))
    ap.add_argument("--bin", default=os.environ.get("WIRECRAB", os.path.join(REPO, "target", "release", "wirecrab")))
    ap.add_argument("--diff", action="store_true", help="print every differing cell")
    a = ap.parse_args()
    fields = [l.strip() for l in open(os.path.join(REPO, "compat", "field-goldens.fields")) if l.strip() and not l.startswith("#")]
    rows = load_accepted(os.path.join(REPO, "compat", "field-accepted.tsv"))
    equal = collections.Counter()
    total = collections.Counter()
    acc_used = collections.Counter()
    failures = []
    for line in open(os.path.join(GOLDENS, "INDEX.tsv"), encoding="utf-8"):
        capture, golden = line.rstrip("\n").split("\t")
        path = os.path.join(a.root, capture)
        if not os.path.exists(path):
            print(f"missing capture {path}", file=sys.stderr)
            return 2
        want_h, want = parse(gzip.open(os.path.join(GOLDENS, golden), "rt", encoding="utf-8", errors="replace").read())
        args = [a.bin, "--show-secrets", "-r", path, "-T", "fields", "-E", "header=y"] + sum([["-e", f] for f in fields], [])
        got_text = subprocess.run(args, capture_output=True, text=True, errors="replace", env=dict(os.environ, TZ="UTC")).stdout
        got_h, got = parse(got_text)
        if not want_h:
            continue
        for i, wrow in enumerate(want):
            grow = got[i] if i < len(got) else []
            frame = wrow[0] if wrow else str(i + 1)
            for j, field in enumerate(want_h):
                w = wrow[j] if j < len(wrow) else ""
                g = grow[j] if j < len(grow) else None
                total[field] += 1
                if w == g:
                    equal[field] += 1
                    continue
                reason = accepted(rows, capture, frame, field)
                if reason:
                    acc_used[(capture, field, reason)] += 1
                    continue
                failures.append((capture, frame, field, w, g))
    print(f"{'field':<32}{'equal/total':>16}{'pct':>9}")
    for f in fields:
        if total[f]:
            print(f"{f:<32}{equal[f]:>8}/{total[f]:<7}{100.0 * equal[f] / total[f]:>8.2f}%")
    if acc_used:
        print("accepted differences used:")
        for (cap, field, reason), n in sorted(acc_used.items()):
            print(f"  {cap} {field}: {n} cell(s): {reason}")
    if a.diff or failures:
        for cap, frame, field, w, g in failures[:50 if not a.diff else None]:
            print(f"DIFF {cap} frame {frame} {field}: tshark {w!r} wirecrab {g!r}")
    cells = sum(total.values())
    print(f"fieldcheck: {sum(equal.values())} of {cells} cells equal, {len(failures)} unexplained difference(s)")
    if failures:
        print("FAIL: cells differ from tshark without a reason in compat/field-accepted.tsv")
        return 1
    print("PASS: every field agrees with tshark (or has a written reason)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
