#!/usr/bin/env python3
"""Export benchmark: 1,000,000 leads to CSV through the export function, as a CGI host runs it,
against `sqlite3 -csv` printing the same columns of the same table, in the same run.

Prints rows/s for both, their ratio, and peak RSS (from GNU time, a small parent; see
cold_start.py for why not wait4 from here). Targets (issue 4): ratio <= 2.0, peak RSS <= 30 MB.
This prints; it never fails a build.

Usage: Benchmarks/export_csv.py [--rows N] [--runs N] [--export DIR] [--runtime PATH]
"""
import argparse
import atexit
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

RATIO_TARGET = 2.0
RSS_TARGET_MB = 30.0
COLUMNS = "id,full_name,phone_number_normalized,external_lead_id,status,created_at"


def timed(argv, env, rows=None, cgi=False):
    """Runs a command with its stdout drained; returns (seconds, bytes read). With `rows`, the
    figure counts only if the answer was whole: a CGI `Status: 200` (with `cgi`) and a header
    line plus exactly `rows` lines of data."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    total, lines, head = 0, 0, b""
    while True:
        chunk = process.stdout.read(1 << 16)
        if not chunk:
            break
        total += len(chunk)
        lines += chunk.count(b"\n")
        if len(head) < 4096:
            head += chunk[:4096]
    if process.wait() != 0:
        sys.exit(f"{argv[0]} failed")
    elapsed = time.perf_counter() - started
    if rows is not None:
        if cgi:
            if not head.startswith(b"Status: 200"):
                sys.exit(f"{argv[0]} answered {head[:80]!r}, not 200")
            lines -= head[:head.index(b"\n\n") + 2].count(b"\n")
        if lines != rows + 1:
            sys.exit(f"{argv[0]} sent {lines} lines, not a header and {rows:,} rows")
    return elapsed, total


def peak_rss_mb(argv, env):
    with tempfile.NamedTemporaryFile(prefix="leadwire-rss-") as report:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name] + argv, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, check=True)
        with open(report.name) as handle:
            return int(handle.read().split()[-1]) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--export", default=".build-release/release", help="folder with the release export function")
    parser.add_argument("--runtime", default=".build/debug/runtime", help="runtime used to create the schema")
    args = parser.parse_args()

    export = os.path.abspath(os.path.join(args.export, "export"))
    for path in (export, args.runtime, "/usr/bin/sqlite3", "/usr/bin/time"):
        if not os.access(path, os.X_OK):
            sys.exit(f"missing {path}: see scripts/benchmark")

    folder = tempfile.mkdtemp(prefix="leadwire-export-bench-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    database = os.path.join(folder, "bench.sqlite3")
    subprocess.run([args.runtime, "migrate", "--database", database], check=True, stdout=subprocess.DEVNULL)
    key = "lw_" + os.urandom(32).hex()
    subprocess.run(["/usr/bin/sqlite3", database, f"""
        INSERT INTO api_keys (name, key_prefix, key_sha256, scopes) VALUES ('bench', '{key[:10]}', '{hashlib.sha256(key.encode()).hexdigest()}', 'export');
        INSERT INTO sources (display_name, source_type) VALUES ('Bench', 'bench');
        WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < {args.rows})
        INSERT INTO leads_master (full_name, phone_number_normalized, source_id, external_lead_id, status)
        SELECT 'Lead ' || v, printf('9%09d', v), 1, 'ext-' || v, 'New' FROM n;"""], check=True)

    function_env = {
        "REQUEST_METHOD": "GET", "SCRIPT_NAME": "/api/admin/export", "PATH_INFO": "/leads/csv",
        "QUERY_STRING": f"fields={COLUMNS}", "HTTP_AUTHORIZATION": f"Bearer {key}", "LEADWIRE_DATABASE": database,
    }
    baseline = ["/usr/bin/sqlite3", "-csv", "-header", database,
                f"SELECT {COLUMNS.replace('id,', 'leads_master.id,', 1)} FROM leads_master ORDER BY leads_master.id"]

    function_times, baseline_times = [], []
    for _ in range(args.runs):
        elapsed, function_bytes = timed([export], function_env, rows=args.rows, cgi=True)
        function_times.append(elapsed)
        elapsed, baseline_bytes = timed(baseline, {}, rows=args.rows)
        baseline_times.append(elapsed)
    function_peak = peak_rss_mb([export], function_env)
    baseline_peak = peak_rss_mb(baseline, {})

    function_rate = args.rows / statistics.median(function_times)
    baseline_rate = args.rows / statistics.median(baseline_times)
    ratio = statistics.median(function_times) / statistics.median(baseline_times)
    verdict = "met" if ratio <= RATIO_TARGET and function_peak <= RSS_TARGET_MB else "MISSED"
    print(f"export: {args.rows:,} leads to CSV, columns {COLUMNS}, median of {args.runs} runs each, alternating")
    print(f"  sqlite3 -csv (baseline):   {baseline_rate:12,.0f} rows/s  {baseline_bytes / 1e6:7.1f} MB out  peak RSS {baseline_peak:5.1f} MB")
    print(f"  export function (static):  {function_rate:12,.0f} rows/s  {function_bytes / 1e6:7.1f} MB out  peak RSS {function_peak:5.1f} MB")
    print(f"  time ratio {ratio:.2f} (targets ratio <= {RATIO_TARGET}, RSS <= {RSS_TARGET_MB:.0f} MB: {verdict})")


if __name__ == "__main__":
    main()
