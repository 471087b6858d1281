#!/usr/bin/env python3
"""Display-filter conformance suite: wirecrab against tshark 4.0.

compat/filters/expected.tsv (made by scripts/make-filter-suite.sh) lists, for
each (capture, filter), the frames tshark matches or ERROR when tshark rejects
the filter; a 4th column gives the reason where wirecrab deliberately differs
(syntax from later Wireshark releases, answered with a tshark-4.0 equivalent).
Every line must agree: same frames, or an error (exit 2) where tshark errs.

Usage: scripts/filtercheck.py [CAPTURES_ROOT] [--bin BIN]
"""
import argparse
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("root", nargs="?", default=os.path.join(os.path.dirname(REPO), "shared", "captures"))
    ap.add_argument("--bin", default=os.environ.get("WIRECRAB", os.path.join(REPO, "target", "release", "wirecrab")))
    a = ap.parse_args()
    # Same pinned non-UTC zone as scripts/make-filter-suite.sh: frame.time literals are local time.
    env = dict(os.environ, TZ="Asia/Tokyo")
    ok = bad = 0
    notes = []
    for line in open(os.path.join(REPO, "compat", "filters", "expected.tsv"), encoding="utf-8"):
        parts = line.rstrip("\n").split("\t")
        if len(parts) < 3:
            continue
        cap, flt, want = parts[0], parts[1], parts[2]
        reason = parts[3] if len(parts) > 3 else ""
        r = subprocess.run([a.bin, "--show-secrets", "-r", os.path.join(a.root, cap), "-Y", flt, "-T", "fields", "-e", "frame.number"],
                           capture_output=True, text=True, errors="replace", env=env)
        got = "ERROR" if r.returncode == 2 else ",".join(l for l in r.stdout.split("\n") if l)
        if r.returncode not in (0, 2):
            got = f"exit {r.returncode}"
        if got == want:
            ok += 1
            if reason:
                notes.append(f"  {flt!r}: {reason}")
        else:
            bad += 1
            print(f"DIFF {cap} {flt!r}\n  tshark:   {want[:200]}\n  wirecrab: {got[:200]}\n  {r.stderr.strip()[:200]}")
    if notes:
        print("deliberate differences (agreeing with the tshark-4.0 equivalent):")
        print("\n".join(notes))
    print(f"filtercheck: {ok} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
