#!/usr/bin/env python3
"""Does `wirecrab http` find every transfer curl logged, with the same status?

requests.log (../shared/bench/samples/http) has one line per curl transfer:
`CODE VERSION ... URL`. Every (host, path, status) it lists must be a row of
`wirecrab http --csv`, as many times as curl made it. Rows curl did not make
(health checks sent by other clients, requests without a response) are
listed but not failures."""
import collections, csv, io, subprocess, sys, urllib.parse

def main():
    pcap, log, binary = sys.argv[1], sys.argv[2], sys.argv[3]
    want = collections.Counter()
    for line in open(log):
        parts = line.split()
        if len(parts) < 4:
            continue
        u = urllib.parse.urlsplit(parts[-1])
        path = u.path + ("?" + u.query if u.query else "")
        want[(u.hostname, path or "/", parts[0])] += 1
    out = subprocess.run([binary, "http", pcap, "--csv", "--utc"], capture_output=True, text=True, check=True).stdout
    got = collections.Counter()
    for row in csv.DictReader(io.StringIO(out)):
        host = row["host"].split(":")[0]
        got[(host, row["path"], row["status"])] += 1
    missing = want - got
    extra = got - want
    print(f"requestscheck: {sum(want.values())} transfers in requests.log, {sum(got.values())} rows, "
          f"{sum((want & got).values())} matched, {sum(missing.values())} missing, {sum(extra.values())} extra rows")
    for k, n in sorted(missing.items()):
        print(f"  missing {n}x {k}")
    for k, n in sorted(extra.items())[:20]:
        print(f"  extra   {n}x {k}")
    sys.exit(1 if missing else 0)

main()
