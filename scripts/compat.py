#!/usr/bin/env python3
"""Differential compatibility harness: wirecrab versus recorded tshark output.

The captures root (default ``../shared/captures`` relative to the repository
root) holds ``expected/COMMANDS.sh``, whose lines look like::

    run expected/link/sll.pcap.tsv tshark -r link/sll.pcap -T fields ...

and ``expected/STATUS.tsv`` with ``<outfile>\\t<exit code>`` per command.
Every ``run OUT tshark ARGS...`` line is re-run with ``tshark`` replaced by
the wirecrab binary (cwd = captures root, TZ=UTC).  Both tshark's recorded
``OUT`` and wirecrab's stdout are parsed as TSV with a header row; rows are
matched by ``frame.number`` (or by row index when there is no such column)
and every cell is compared as a raw string.  Exit codes are compared with
``STATUS.tsv``.  tcpdump lines are ignored.

Known, deliberate differences live in ``compat/accepted-differences.tsv``
(``file<TAB>frame<TAB>column<TAB>reason``; ``*`` is a wildcard for frame and
column).  Differing cells matched by an entry are reported as "accepted"
instead of "unequal".

Exit status: 0 (PASS) unless a core column has an unaccepted unequal cell or
an exit code differs (FAIL, status 1); 2 for usage errors such as a missing
binary or captures root.  ``--no-fail`` always exits 0 after the report.

Usage examples::

    scripts/compat.py                                # everything, 2 jobs
    scripts/compat.py --only tls/ --jobs 1           # only OUT paths containing "tls/"
    scripts/compat.py --diff link/sll.pcap.tsv       # print every differing cell of matching files
    scripts/compat.py --bin target/debug/wirecrab --json /tmp/compat.json --no-fail
    scripts/compat.py /path/to/captures --only .h2.tsv
    WIRECRAB=/opt/wirecrab scripts/compat.py
"""

from __future__ import annotations

import argparse
import concurrent.futures
import fnmatch
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CAPTURES = REPO_ROOT.parent / "shared" / "captures"
DEFAULT_BINARY = REPO_ROOT / "target" / "release" / "wirecrab"
ACCEPTED_FILE = REPO_ROOT / "compat" / "accepted-differences.tsv"
DEFAULT_TIMEOUT = 120.0
DEFAULT_JOBS = 2

#: Columns whose every unaccepted difference makes the run FAIL, in report order.
CORE_COLUMNS = [
    "frame.number", "frame.time_epoch", "frame.len", "frame.cap_len",
    "eth.src", "eth.dst", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
    "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
    "tcp.stream", "tcp.flags",
]

#: Columns that are reported (never fail the run); any other non-core column
#: found in the expected files (http.*, tls.*, http2.*, ...) follows these.
REPORTED_COLUMNS = ["frame.protocols", "_ws.col.Protocol", "_ws.col.Info"]

#: Columns whose agreement is additionally computed on "covered" frames only.
COVERED_REPORT_COLUMNS = ["frame.protocols", "_ws.col.Protocol", "_ws.col.Info"]

#: frame.protocols tokens (split on ':') of protocols wirecrab dissects fully.
#: A frame is "covered" when ALL tokens of tshark's frame.protocols are here.
COVERED_PROTOCOLS = frozenset({
    "frame", "eth", "ethertype", "vlan", "ieee8021ad", "sll", "null", "loop",
    "raw", "ip", "ipv6", "ipv6.hopopts", "ipv6.routing", "ipv6.fraghdr",
    "ipv6.dstopts", "ipv6.nxt", "ah", "esp", "arp", "icmp", "icmpv6", "udp",
    "tcp", "dns", "vxlan", "geneve", "data",
})

#: Notable protocols whose presence makes a frame "uncovered".  Documentation
#: only: any token outside COVERED_PROTOCOLS makes a frame uncovered anyway.
UNCOVERED_PROTOCOLS = frozenset({
    "http", "tls", "ssl", "http2", "data-text-lines", "media", "xml", "json",
    "ntp", "dhcp", "bootp", "cdp", "llc", "stp", "lldp", "sip", "ssdp", "nbns",
    "smb", "quic", "mdns", "llmnr", "snmp", "isakmp", "tcp.segments",
})
assert not COVERED_PROTOCOLS & UNCOVERED_PROTOCOLS

#: tshark Info markers saying a TCP segment belongs to an upper-layer PDU
#: (HTTP, TLS...) that is reassembled elsewhere. Such a frame's frame.protocols
#: stops at "tcp", but its Info and columns are the upper protocol's, so it is
#: not counted as covered by the core stack.
UPPER_PDU_MARKERS = ("segment of a reassembled PDU]", "[Reassembly error")

FRAME_COLUMN = "frame.number"
WORST_FILES = 10
EXAMPLES_PER_FILE = 3
EXAMPLE_WIDTH = 100


# --------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Command:
    """One ``run OUT tshark ARGS...`` line of COMMANDS.sh."""
    out: str            # e.g. "expected/link/sll.pcap.tsv"
    args: tuple         # tshark arguments (without the program name)


@dataclass
class RunResult:
    """Outcome of running wirecrab for one Command."""
    command: Command
    stdout: str = ""
    stderr: str = ""
    returncode: int | None = None
    status: str = "ok"      # ok | crashed | timeout | error
    detail: str = ""        # human readable description of a non-ok status

    def exit_label(self) -> str:
        """Exit code as shown in reports (e.g. '0', 'crashed (SIGSEGV)')."""
        if self.status == "ok":
            return f"{self.returncode} ({self.detail})" if self.detail else str(self.returncode)
        return f"{self.status} ({self.detail})" if self.detail else self.status


@dataclass
class Table:
    """A parsed TSV file: header plus rows of raw string cells."""
    header: list
    rows: list


@dataclass
class AcceptedEntry:
    """One line of accepted-differences.tsv."""
    file: str
    frame: str
    column: str
    reason: str
    line: int
    used: int = 0

    def matches(self, out: str, frame: str, column: str) -> bool:
        """True when this entry covers the cell (out, frame, column)."""
        return ((self.file == out or fnmatch.fnmatchcase(out, self.file))
                and self.frame in ("*", frame)
                and self.column in ("*", column))


@dataclass
class CellDiff:
    """A differing cell.  Values are None when the row/column is missing."""
    frame: str
    column: str
    expected: str | None
    got: str | None
    accepted_by: AcceptedEntry | None = None


@dataclass
class ColumnStats:
    """Cell counters for one column."""
    equal: int = 0
    total: int = 0
    accepted: int = 0

    @property
    def unequal(self) -> int:
        """Cells that differ and are not accepted."""
        return self.total - self.equal - self.accepted

    def add(self, other: "ColumnStats") -> None:
        """Accumulate another counter into this one."""
        self.equal += other.equal
        self.total += other.total
        self.accepted += other.accepted

    def as_dict(self) -> dict:
        """JSON representation."""
        return {"equal": self.equal, "total": self.total,
                "accepted": self.accepted, "unequal": self.unequal}


@dataclass
class FileResult:
    """Comparison of one OUT file."""
    run: RunResult
    expected_rc: int | None
    columns: dict = field(default_factory=lambda: defaultdict(ColumnStats))
    covered: dict = field(default_factory=lambda: defaultdict(ColumnStats))
    diffs: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def out(self) -> str:
        return self.run.command.out

    @property
    def exit_ok(self) -> bool:
        """True when wirecrab exited normally with tshark's exit code."""
        return self.run.status == "ok" and self.run.returncode == self.expected_rc

    def unaccepted(self) -> list:
        """Differing cells not covered by an accepted entry."""
        return [d for d in self.diffs if d.accepted_by is None]


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------

def parse_commands(root: Path) -> list:
    """Return the tshark Commands of expected/COMMANDS.sh, in file order."""
    commands = []
    path = root / "expected" / "COMMANDS.sh"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("run "):
            continue
        argv = shlex.split(line)
        if len(argv) >= 3 and argv[2] == "tshark":
            commands.append(Command(out=argv[1], args=tuple(argv[3:])))
    return commands


def parse_status(root: Path) -> dict:
    """Return {OUT: exit code} from expected/STATUS.tsv."""
    status = {}
    path = root / "expected" / "STATUS.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and parts[1].strip().lstrip("-").isdigit():
            status[parts[0]] = int(parts[1])
    return status


def load_accepted(path: Path) -> list:
    """Parse accepted-differences.tsv; malformed lines are warned about."""
    entries = []
    if not path.exists():
        return entries
    for num, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 4 or not all(p.strip() for p in parts[:3]):
            warn(f"{path}:{num}: expected file<TAB>frame<TAB>column<TAB>reason, ignored")
            continue
        file_, frame, column = (p.strip() for p in parts[:3])
        reason = "\t".join(parts[3:]).strip()
        entries.append(AcceptedEntry(file_, frame, column, reason, num))
    return entries


def find_accepted(entries: list, out: str, frame: str, column: str):
    """Return the first entry covering the cell, or None."""
    for entry in entries:
        if entry.matches(out, frame, column):
            return entry
    return None


def resolve_binary(spec: str) -> str | None:
    """Return an executable path for spec (a path or a name on PATH), or None."""
    if os.sep in spec or spec.startswith("."):
        path = Path(spec).resolve()
        return str(path) if path.is_file() and os.access(path, os.X_OK) else None
    return shutil.which(spec)


def warn(message: str) -> None:
    """Print a warning to stderr."""
    print(f"compat: warning: {message}", file=sys.stderr)


# --------------------------------------------------------------------------
# Running wirecrab
# --------------------------------------------------------------------------

def decode(data) -> str:
    """Decode captured output (bytes or None) leniently as UTF-8."""
    if data is None:
        return ""
    if isinstance(data, str):
        return data
    return data.decode("utf-8", errors="replace")


def describe_signal(signum: int) -> str:
    """Name a signal number, e.g. 11 -> 'SIGSEGV'."""
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def run_command(command: Command, binary: str, root: Path, timeout: float) -> RunResult:
    """Run wirecrab for one command and classify the outcome."""
    result = RunResult(command)
    env = dict(os.environ, TZ="UTC")
    try:
        proc = subprocess.run([binary, "--show-secrets", *command.args], cwd=root, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        result.stdout, result.stderr = decode(exc.stdout), decode(exc.stderr)
        result.status, result.detail = "timeout", f"after {timeout:g} s"
        return result
    except OSError as exc:
        result.status, result.detail = "error", str(exc)
        return result
    result.stdout, result.stderr = decode(proc.stdout), decode(proc.stderr)
    result.returncode = proc.returncode
    if proc.returncode < 0:
        result.status, result.detail = "crashed", describe_signal(-proc.returncode)
    elif proc.returncode >= 128:
        result.status = "crashed"
        result.detail = f"exit {proc.returncode}"
        if proc.returncode > 128:
            result.detail += f", {describe_signal(proc.returncode - 128)}?"
    elif proc.returncode == 101 and "panicked" in result.stderr:
        result.detail = "panic"
    return result


def run_all(commands: list, binary: str, root: Path, timeout: float, jobs: int) -> list:
    """Run all commands with a thread pool; results keep the command order."""
    lock = threading.Lock()
    done = [0]
    show_progress = sys.stderr.isatty()

    def task(command: Command) -> RunResult:
        res = run_command(command, binary, root, timeout)
        if show_progress:
            with lock:
                done[0] += 1
                print(f"\r[{done[0]}/{len(commands)}] {command.out[:60]:<60}",
                      end="", file=sys.stderr, flush=True)
        return res

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(task, commands))
    if show_progress:
        print(file=sys.stderr)
    return results


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------

def parse_tsv(text: str) -> Table:
    """Parse tab-separated text; first line is the header.

    An empty text or an empty first line yields a table with no rows.  Lines
    are split on '\\n' only, so other control characters stay in the cells.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0] == "":
        return Table([], [])
    return Table(lines[0].split("\t"), [line.split("\t") for line in lines[1:]])


def keyed_rows(table: Table) -> dict:
    """Map row key -> (frame label, {column: value}), preserving order.

    Rows are keyed by frame.number when the table has that column, otherwise
    by 1-based row index.  Repeated frame numbers get a '#n' suffix.
    """
    keyed = {}
    seen = Counter()
    use_frame = FRAME_COLUMN in table.header
    for index, cells in enumerate(table.rows, 1):
        row = {name: (cells[i] if i < len(cells) else "")
               for i, name in enumerate(table.header)}
        label = row[FRAME_COLUMN] if use_frame else str(index)
        seen[label] += 1
        key = label if seen[label] == 1 else f"{label}#{seen[label]}"
        keyed[key] = (label, row)
    return keyed


def is_covered(protocols: str | None, info: str | None = None) -> bool:
    """True when every ':'-token of frame.protocols is in COVERED_PROTOCOLS
    and tshark's Info does not say the frame carries part of an upper-layer PDU."""
    if not protocols:
        return False
    if info and any(m in info for m in UPPER_PDU_MARKERS):
        return False
    return all(token in COVERED_PROTOCOLS for token in protocols.split(":"))


def compare_tables(out: str, expected: Table, got: Table, accepted: list,
                   result: FileResult) -> None:
    """Compare two tables cell by cell, recording counts and diffs in result."""
    columns = expected.header or got.header
    if got.header != expected.header:
        missing = [c for c in expected.header if c not in got.header]
        extra = [c for c in got.header if c not in expected.header]
        note = "header differs"
        if missing:
            note += f"; missing columns: {', '.join(missing)}"
        if extra:
            note += f"; extra columns: {', '.join(extra)}"
        common = [c for c in expected.header if c in got.header]
        if common != [c for c in got.header if c in expected.header]:
            note += "; columns in a different order"
        if not got.header and expected.header:
            note = "no output (no header)"
        result.notes.append(note)
    exp_rows, got_rows = keyed_rows(expected), keyed_rows(got)
    keys = list(exp_rows) + [k for k in got_rows if k not in exp_rows]
    got_has = set(got.header)
    for key in keys:
        exp_entry, got_entry = exp_rows.get(key), got_rows.get(key)
        label = (exp_entry or got_entry)[0]
        exp_row = exp_entry[1] if exp_entry else None
        got_row = got_entry[1] if got_entry else None
        covered = exp_row is not None and is_covered(exp_row.get("frame.protocols"), exp_row.get("_ws.col.Info"))
        for column in columns:
            exp_val = exp_row.get(column) if exp_row is not None else None
            got_val = got_row.get(column) if got_row is not None and column in got_has else None
            stats = [result.columns[column]]
            if covered and column in COVERED_REPORT_COLUMNS:
                stats.append(result.covered[column])
            for s in stats:
                s.total += 1
            if exp_val is not None and exp_val == got_val:
                for s in stats:
                    s.equal += 1
                continue
            entry = find_accepted(accepted, out, label, column)
            if entry is not None:
                entry.used += 1
                for s in stats:
                    s.accepted += 1
            result.diffs.append(CellDiff(label, column, exp_val, got_val, entry))


def compare_run(run: RunResult, root: Path, status: dict, accepted: list) -> FileResult:
    """Compare one wirecrab run with tshark's recorded output and status."""
    out = run.command.out
    result = FileResult(run=run, expected_rc=status.get(out))
    path = root / out
    try:
        expected_text = decode(path.read_bytes())
    except OSError as exc:
        result.notes.append(f"cannot read expected output: {exc}")
        expected_text = ""
    compare_tables(out, parse_tsv(expected_text), parse_tsv(run.stdout), accepted, result)
    if result.expected_rc is None:
        result.notes.append("no exit code in STATUS.tsv")
    return result


# --------------------------------------------------------------------------
# Aggregation
# --------------------------------------------------------------------------

def ordered_columns(names) -> list:
    """Core columns first, then REPORTED_COLUMNS, then the rest sorted."""
    names = set(names)
    first = [c for c in CORE_COLUMNS + REPORTED_COLUMNS if c in names]
    return first + sorted(names - set(first))


def totals(results: list, attr: str) -> dict:
    """Sum the per-file ColumnStats dicts named attr ('columns' or 'covered')."""
    summed = defaultdict(ColumnStats)
    for res in results:
        for column, stats in getattr(res, attr).items():
            summed[column].add(stats)
    return summed


def failures(column_totals: dict, results: list) -> list:
    """Human readable reasons for FAIL (empty list means PASS)."""
    reasons = []
    bad = [(c, column_totals[c].unequal) for c in CORE_COLUMNS
           if c in column_totals and column_totals[c].unequal]
    if bad:
        reasons.append("core columns differ: " +
                       ", ".join(f"{c} ({n} cells)" for c, n in bad))
    mismatches = [r for r in results if r.expected_rc is not None and not r.exit_ok]
    if mismatches:
        reasons.append(f"{len(mismatches)} exit code mismatch(es)")
    return reasons


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------

def pct(part: int, whole: int) -> str:
    """Percentage with one decimal, '-' for an empty whole."""
    return f"{100.0 * part / whole:6.2f}%" if whole else "     -"


def shorten(value: str | None, width: int = EXAMPLE_WIDTH) -> str:
    """Quote a cell value for display, truncated; None shown as <missing>."""
    if value is None:
        return "<missing>"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[:width - 3] + "..."


def print_column_table(title: str, column_totals: dict, columns: list) -> None:
    """Print `column equal/total pct accepted` lines for the given columns."""
    print(f"\n== {title}")
    width = max([len(c) for c in columns] + [6])
    print(f"{'column':<{width}}  {'equal/total':>17}  {'pct':>7}  {'accepted':>8}  {'pct+acc':>7}")
    for column in columns:
        s = column_totals.get(column, ColumnStats())
        ratio = f"{s.equal}/{s.total}"
        print(f"{column:<{width}}  {ratio:>17}  {pct(s.equal, s.total):>7}  "
              f"{s.accepted:>8}  {pct(s.equal + s.accepted, s.total):>7}")


def print_exit_codes(results: list) -> None:
    """Print exit-code agreement and every mismatch."""
    compared = [r for r in results if r.expected_rc is not None]
    equal = sum(r.exit_ok for r in compared)
    print(f"\n== exit codes: {equal}/{len(compared)} {pct(equal, len(compared))}")
    for res in compared:
        if not res.exit_ok:
            first = res.run.stderr.strip().splitlines()[:1]
            tail = f"  stderr: {shorten(first[0])}" if first else ""
            print(f"  {res.out}: expected {res.expected_rc}, got {res.run.exit_label()}{tail}")
    crashed = [r for r in results if r.run.status != "ok" or r.run.detail == "panic"]
    if crashed:
        print(f"  ({len(crashed)} run(s) crashed, panicked, timed out or failed to start)")


def pick_examples(diffs: list, count: int) -> list:
    """Pick up to count diffs, preferring distinct columns."""
    chosen, columns = [], set()
    for d in diffs:
        if d.column not in columns:
            chosen.append(d)
            columns.add(d.column)
        if len(chosen) == count:
            return chosen
    for d in diffs:
        if len(chosen) == count:
            break
        if d not in chosen:
            chosen.append(d)
    return chosen


def print_worst_files(results: list) -> None:
    """Print the files with the most unaccepted unequal cells."""
    ranked = sorted((r for r in results if r.unaccepted() or not r.exit_ok),
                    key=lambda r: (-len(r.unaccepted()), r.out))[:WORST_FILES]
    print(f"\n== worst files (top {WORST_FILES} by unaccepted unequal cells)")
    if not ranked:
        print("  none")
    for res in ranked:
        diffs = res.unaccepted()
        total = sum(s.total for s in res.columns.values())
        print(f"\n  {res.out}: {len(diffs)}/{total} cells unequal, "
              f"exit {res.run.exit_label()} (expected {res.expected_rc})")
        for note in res.notes:
            print(f"    note: {note}")
        per_column = Counter(d.column for d in diffs)
        if per_column:
            print("    per column: " + ", ".join(
                f"{c}={per_column[c]}" for c in ordered_columns(per_column)))
        for d in pick_examples(diffs, EXAMPLES_PER_FILE):
            print(f"    frame {d.frame} {d.column}:\n"
                  f"      expected {shorten(d.expected)}\n"
                  f"      got      {shorten(d.got)}")


def print_accepted(entries: list, outs: set) -> None:
    """Print accepted entries that were used, and stale ones for run files."""
    used = [e for e in entries if e.used]
    print(f"\n== accepted differences used: {len(used)}")
    for e in used:
        print(f"  {e.file}\tframe {e.frame}\t{e.column}\t{e.used} cell(s): {e.reason}")
    stale = [e for e in entries if not e.used
             and any(e.file == o or fnmatch.fnmatchcase(o, e.file) for o in outs)]
    if stale:
        print(f"  unused entries for files that were run ({len(stale)}), maybe stale:")
        for e in stale:
            print(f"    line {e.line}: {e.file}\t{e.frame}\t{e.column}")


def print_diffs(results: list, substr: str) -> None:
    """Print every differing cell of files whose OUT path contains substr."""
    for res in results:
        if substr not in res.out:
            continue
        print(f"\n== diff {res.out}: exit {res.run.exit_label()} (expected {res.expected_rc})")
        for note in res.notes:
            print(f"  note: {note}")
        for d in res.diffs:
            mark = f"  [accepted: {d.accepted_by.reason}]" if d.accepted_by else ""
            print(f"  frame {d.frame} {d.column}{mark}\n"
                  f"    expected {shorten(d.expected, 10**9)}\n"
                  f"    got      {shorten(d.got, 10**9)}")


def write_json(path: str, binary: str, root: Path, results: list,
               column_totals: dict, covered_totals: dict,
               entries: list, reasons: list) -> None:
    """Write the totals (and per-file summaries) as JSON."""
    compared = [r for r in results if r.expected_rc is not None]
    data = {
        "binary": binary,
        "captures_root": str(root),
        "result": "FAIL" if reasons else "PASS",
        "failures": reasons,
        "columns": {c: column_totals[c].as_dict() for c in ordered_columns(column_totals)},
        "core_columns": [c for c in CORE_COLUMNS if c in column_totals],
        "covered_frames": {c: covered_totals[c].as_dict()
                           for c in COVERED_REPORT_COLUMNS if c in covered_totals},
        "exit_codes": {
            "equal": sum(r.exit_ok for r in compared),
            "total": len(compared),
            "mismatches": [{"file": r.out, "expected": r.expected_rc,
                            "got": r.run.exit_label()}
                           for r in compared if not r.exit_ok],
        },
        "files": {
            r.out: {"cells": sum(s.total for s in r.columns.values()),
                    "unequal": len(r.unaccepted()),
                    "accepted": len(r.diffs) - len(r.unaccepted()),
                    "exit": r.run.exit_label(), "expected_exit": r.expected_rc,
                    "notes": r.notes}
            for r in results
        },
        "accepted_used": [{"file": e.file, "frame": e.frame, "column": e.column,
                           "cells": e.used, "reason": e.reason}
                          for e in entries if e.used],
    }
    Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def parse_args(argv=None) -> argparse.Namespace:
    """Command line interface."""
    parser = argparse.ArgumentParser(
        description="Compare wirecrab output with recorded tshark output.",
        epilog="Exit status: 0 PASS, 1 FAIL (core column or exit code differs), 2 usage error.")
    parser.add_argument("captures", nargs="?", default=str(DEFAULT_CAPTURES),
                        help=f"captures root (default: {DEFAULT_CAPTURES})")
    parser.add_argument("--bin", default=os.environ.get("WIRECRAB") or str(DEFAULT_BINARY),
                        help="wirecrab binary (default: $WIRECRAB or target/release/wirecrab)")
    parser.add_argument("--only", metavar="SUBSTR",
                        help="only commands whose OUT path contains SUBSTR")
    parser.add_argument("--jobs", type=int, default=DEFAULT_JOBS, metavar="N",
                        help=f"parallel runs (default: {DEFAULT_JOBS})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SEC",
                        help=f"per-command timeout (default: {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--diff", metavar="FILE_SUBSTR",
                        help="print every differing cell of files whose OUT contains this")
    parser.add_argument("--json", metavar="PATH", help="write totals as JSON to PATH")
    parser.add_argument("--accepted", default=str(ACCEPTED_FILE), metavar="PATH",
                        help="accepted differences file (default: compat/accepted-differences.tsv)")
    parser.add_argument("--no-fail", action="store_true",
                        help="always exit 0 (reporting only)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Run the harness; returns the process exit status."""
    args = parse_args(argv)
    root = Path(args.captures).resolve()
    if not (root / "expected" / "COMMANDS.sh").is_file():
        print(f"compat: error: {root}/expected/COMMANDS.sh not found", file=sys.stderr)
        return 2
    binary = resolve_binary(args.bin)
    if binary is None:
        print(f"compat: error: wirecrab binary {args.bin!r} not found or not executable "
              "(build it with `cargo build --release`, or pass --bin / set WIRECRAB)",
              file=sys.stderr)
        return 2

    commands = parse_commands(root)
    if args.only:
        commands = [c for c in commands if args.only in c.out]
    if not commands:
        print("compat: error: no tshark commands selected", file=sys.stderr)
        return 2
    status = parse_status(root)
    entries = load_accepted(Path(args.accepted))

    runs = run_all(commands, binary, root, args.timeout, args.jobs)
    results = [compare_run(run, root, status, entries) for run in runs]
    column_totals = totals(results, "columns")
    covered_totals = totals(results, "covered")
    reasons = failures(column_totals, results)

    print(f"wirecrab: {binary}\ncaptures: {root}\ncommands: {len(commands)}")
    core = [c for c in CORE_COLUMNS if c in column_totals]
    others = [c for c in ordered_columns(column_totals) if c not in CORE_COLUMNS]
    print_column_table("core columns (must match)", column_totals, core)
    print_column_table("reported columns", column_totals, others)
    print_column_table("reported columns, covered frames only", covered_totals,
                       [c for c in COVERED_REPORT_COLUMNS if c in column_totals])
    print_exit_codes(results)
    print_worst_files(results)
    print_accepted(entries, {c.out for c in commands})
    if args.diff:
        print_diffs(results, args.diff)
    if args.json:
        write_json(args.json, binary, root, results, column_totals, covered_totals,
                   entries, reasons)

    print()
    if reasons:
        print("FAIL: " + "; ".join(reasons))
        return 0 if args.no_fail else 1
    print("PASS: all core columns and exit codes agree with tshark")
    return 0


if __name__ == "__main__":
    sys.exit(main())
