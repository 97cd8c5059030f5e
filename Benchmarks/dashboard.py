#!/usr/bin/env python3
"""Dashboard benchmark: the stats of a 30-day view and /metrics, each answered by its release
function run as a CGI host runs it, on a store of 1,000,000 Kommo leads, 1,000,000 intake log
rows and 100,000 sales spread over a year, against the sqlite3 CLI counting the same 30 days
of leads, in the same run.

Prints the median time of each, its ratio to the baseline, and peak RSS (GNU time). Targets:
stats at most 250 ms and 32 MB, /metrics at most 50 ms (after its first scrape, which totals
every log row once). This prints; it never fails a build.

Usage: Benchmarks/dashboard.py [--leads N] [--runs N] [--functions DIR] [--runtime PATH]
"""
import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_csv import peak_rss_mb  # noqa: E402
from hosts import free_port  # noqa: E402

STATS_TARGET_MS = 250
STATS_RSS_TARGET_MB = 32
METRICS_TARGET_MS = 50


def fill(database, leads, logs, sales):
    """Rows spread evenly over the last 365 days, as the functions write them."""
    year = 365 * 86400
    moment = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ((x * 7919) % {year}) || ' seconds')".format(year=year)
    call_moment = "strftime('%Y-%m-%dT%H:%M:%S', 'now', '-' || ((x * 7919) % {year}) || ' seconds') || '.000000Z'".format(year=year)
    script = f"""
        PRAGMA journal_mode = WAL;
        BEGIN;
        WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {leads})
        INSERT INTO kommo_leads (id, kommo_id, name, status_id, pipeline_id, event_type, is_deleted, created_at, updated_at)
        SELECT lower(hex(randomblob(16))), x, 'Lead ' || x, 142, 7, 'created', 0, {moment}, {moment} FROM n;
        WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {logs // 2})
        INSERT INTO kommo_webhook_logs (id, event_type, payload, status, created_at, processed_at, processing_ms)
        SELECT lower(hex(randomblob(16))), 'add', '{{}}', CASE WHEN x % 50 = 0 THEN 'error' ELSE 'success' END, {moment}, {moment}, x % 40 FROM n;
        WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {logs // 2})
        INSERT INTO webhook_logs (source, lead_id, deal_data, routing_decision, processing_status, received_at, processed_at, processing_ms)
        SELECT CASE WHEN x % 2 = 0 THEN 'amocrm' ELSE 'knowlarity' END, x, '{{}}', CASE WHEN x % 40 = 0 THEN 'unknown' WHEN x % 2 = 0 THEN 'traffic' END,
            CASE WHEN x % 40 = 0 THEN 'error' ELSE 'success' END, {moment}, {moment}, x % 25 FROM n;
        WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {sales})
        INSERT INTO all_sales_tracking (lead_id, amount, targetologist, utm_source, routing_decision, sold_at)
        SELECT x, 1000 + x % 500, 'Target ' || (x % 12), 'source_' || (x % 30), CASE WHEN x % 3 = 0 THEN 'both' ELSE 'traffic' END, {moment} FROM n;
        WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {sales // 4})
        INSERT INTO referral_sales (lead_id, amount, referral_code, utm_source, routing_decision, sold_at)
        SELECT 10000000 + x, 500, 'R' || (x % 40), 'ref_R' || (x % 40), 'referral', {moment} FROM n;
        WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {sales})
        INSERT INTO knowlarity_calls (call_uuid, raw_payload, started_at, call_duration_seconds, lead_outcome)
        SELECT 'call-' || x, '{{}}', {call_moment}, x % 90, CASE WHEN x % 3 = 0 THEN 'new_lead' ELSE 'same_source_repeat' END FROM n;
        COMMIT;
        ANALYZE;
    """
    subprocess.run(["/usr/bin/sqlite3", database], input=script.encode(), check=True, stdout=subprocess.DEVNULL)


def fill_postgres(url, leads, logs, sales):
    """The same rows on PostgreSQL, in its column types."""
    moment = "(now() - ((x::bigint * 7919) % 31536000) * interval '1 second')"
    text = f"to_char({moment} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    call_text = f"to_char({moment} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    psql(url, f"""
        INSERT INTO kommo_leads (kommo_id, name, status_id, pipeline_id, event_type, is_deleted, created_at, updated_at)
        SELECT x, 'Lead ' || x, 142, 7, 'created', false, {moment}, {moment} FROM generate_series(1, {leads}) AS x;
        -- Numbered here, as the trigger numbers them one by one (a million updates of its one
        -- row in one transaction would take the fill quadratic time).
        ALTER TABLE kommo_webhook_logs DISABLE TRIGGER kommo_webhook_logs_number;
        ALTER TABLE webhook_logs DISABLE TRIGGER webhook_logs_number;
        INSERT INTO kommo_webhook_logs (event_type, payload, status, created_at, processed_at, processing_ms, log_seq)
        SELECT 'add', '{{}}', CASE WHEN x % 50 = 0 THEN 'error' ELSE 'success' END, {moment}, {moment}, x % 40, x FROM generate_series(1, {logs // 2}) AS x;
        INSERT INTO webhook_logs (source, lead_id, deal_data, routing_decision, processing_status, received_at, processed_at, processing_ms, log_seq)
        SELECT CASE WHEN x % 2 = 0 THEN 'amocrm' ELSE 'knowlarity' END, x, '{{}}', CASE WHEN x % 40 = 0 THEN 'unknown' WHEN x % 2 = 0 THEN 'traffic' END,
            CASE WHEN x % 40 = 0 THEN 'error' ELSE 'success' END, {moment}, {moment}, x % 25, {logs // 2} + x FROM generate_series(1, {logs // 2}) AS x;
        UPDATE log_sequence SET value = {logs // 2 * 2};
        ALTER TABLE kommo_webhook_logs ENABLE TRIGGER kommo_webhook_logs_number;
        ALTER TABLE webhook_logs ENABLE TRIGGER webhook_logs_number;
        INSERT INTO all_sales_tracking (lead_id, amount, targetologist, utm_source, routing_decision, sold_at)
        SELECT x, 1000 + x % 500, 'Target ' || (x % 12), 'source_' || (x % 30), CASE WHEN x % 3 = 0 THEN 'both' ELSE 'traffic' END, {text}
        FROM generate_series(1, {sales}) AS x;
        INSERT INTO referral_sales (lead_id, amount, referral_code, utm_source, routing_decision, sold_at)
        SELECT 10000000 + x, 500, 'R' || (x % 40), 'ref_R' || (x % 40), 'referral', {text} FROM generate_series(1, {sales // 4}) AS x;
        INSERT INTO knowlarity_calls (call_uuid, raw_payload, started_at, call_duration_seconds, lead_outcome)
        SELECT 'call-' || x, '{{}}', {call_text}, x % 90, CASE WHEN x % 3 = 0 THEN 'new_lead' ELSE 'same_source_repeat' END
        FROM generate_series(1, {sales}) AS x;""")
    # As autovacuum leaves a live store: statistics, and the visibility map index-only scans need.
    psql(url, "VACUUM ANALYZE")


def psql(url, sql):
    result = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", url, "-c", sql], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"psql: {result.stderr.strip()}")
    return result.stdout.strip()


def cgi_env(store, path, query, key):
    return dict(store, **{
        "PATH": "/usr/bin:/bin", "LEADWIRE_TIME_ZONE": "Asia/Kolkata",
        "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "SCRIPT_NAME": path, "PATH_INFO": "", "QUERY_STRING": query,
        "HTTP_AUTHORIZATION": "Bearer " + key, "REMOTE_ADDR": "127.0.0.1",
    })


def median_ms(argv, env, runs, check):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        times.append((time.perf_counter() - started) * 1000)
        if result.returncode != 0 or not check(result.stdout):
            sys.exit(f"{argv[0]} answered {result.stdout[:200]!r}")
    return statistics.median(times)


def measure(name, store, baseline, args, dashboard, metrics, key):
    """The figures on one store: its baseline (the store's own client counting 30 days of
    leads), the stats of a 30-day view, and /metrics."""
    def verdict(value, target):
        return "met" if value <= target else "MISSED"
    base = median_ms(baseline, {"PATH": "/usr/bin:/bin"}, args.runs, lambda out: out.strip().isdigit())
    stats_env = cgi_env(store, "/api/admin/stats", "", key)
    stats = median_ms([dashboard], stats_env, args.runs, lambda out: b'"success":true' in out)
    stats_rss = peak_rss_mb([dashboard], stats_env)
    metrics_env = cgi_env(store, "/metrics", "", key)
    # The first scrape totals every log row once; later ones add only what arrived since.
    first_scrape = median_ms([metrics], metrics_env, 1, lambda out: b"leadwire_intake_requests_total" in out)
    scrape = median_ms([metrics], metrics_env, args.runs, lambda out: b"leadwire_intake_requests_total" in out)
    metrics_rss = peak_rss_mb([metrics], metrics_env)
    print(f"  {name}: the client counting 30 days of leads (baseline): {base:.0f} ms")
    print(f"  {name}: stats, 30-day view: {stats:.0f} ms ({stats / base:.2f}x the baseline; target {STATS_TARGET_MS} ms: "
          f"{verdict(stats, STATS_TARGET_MS)}), peak RSS {stats_rss:.1f} MB (target {STATS_RSS_TARGET_MB} MB: {verdict(stats_rss, STATS_RSS_TARGET_MB)})")
    print(f"  {name}: /metrics, first scrape (totals every log row once): {first_scrape:.0f} ms")
    print(f"  {name}: /metrics: {scrape:.0f} ms ({scrape / base:.2f}x the baseline; target {METRICS_TARGET_MS} ms: "
          f"{verdict(scrape, METRICS_TARGET_MS)}), peak RSS {metrics_rss:.1f} MB")


def key_row(key):
    return (f"INSERT INTO api_keys (name, key_prefix, key_sha256, scopes) VALUES ('bench', '{key[:10]}', "
            f"'{hashlib.sha256(key.encode()).hexdigest()}', 'stats:read,metrics:read')")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=1_000_000, help="Kommo leads; as many log rows, a tenth as many sales")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--functions", default=".build-release/release", help="folder with the release dashboard and metrics functions")
    parser.add_argument("--runtime", default=".build/debug/runtime", help="runtime used to create the schema")
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    dashboard = os.path.abspath(os.path.join(args.functions, "dashboard"))
    metrics = os.path.abspath(os.path.join(args.functions, "metrics"))
    for path in (dashboard, metrics, args.runtime, "/usr/bin/sqlite3", "/usr/bin/psql", "/usr/bin/time"):
        if not os.access(path, os.X_OK):
            sys.exit(f"missing {path}: see scripts/benchmark")
    leads, logs, sales = args.leads, args.leads, args.leads // 10
    print(f"dashboard: {leads:,} Kommo leads, {logs:,} log rows, {sales + sales // 4:,} sales and {sales:,} calls over a year; "
          f"median of {args.runs} CGI runs of the release functions")
    key = "lw_" + os.urandom(32).hex()
    folder = tempfile.mkdtemp(prefix="leadwire-dashboard-bench-")
    os.chmod(folder, 0o755)  # the PostgreSQL server runs as its own user
    try:
        if "sqlite" in args.backends:
            database = os.path.join(folder, "bench.sqlite3")
            subprocess.run([args.runtime, "migrate", "--database", database], check=True, stdout=subprocess.DEVNULL)
            subprocess.run(["/usr/bin/sqlite3", database, key_row(key)], check=True)
            fill(database, leads, logs, sales)
            baseline = ["/usr/bin/sqlite3", database,
                        "SELECT count(*) FROM kommo_leads WHERE created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-30 days')"]
            measure("SQLite", {"LEADWIRE_DATABASE": database}, baseline, args, dashboard, metrics, key)
        if "postgres" in args.backends:
            scripts = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts")
            cluster = os.path.join(folder, "cluster")
            url = subprocess.run([os.path.join(scripts, "postgres"), "start", cluster, str(free_port())],
                                 check=True, capture_output=True, text=True).stdout.strip()
            try:
                subprocess.run([args.runtime, "migrate"], env={"PATH": "/usr/bin:/bin", "LEADWIRE_DATABASE_URL": url}, check=True,
                               stdout=subprocess.DEVNULL)
                psql(url, key_row(key))
                fill_postgres(url, leads, logs, sales)
                baseline = ["psql", "-X", "-q", "-t", "-A", url, "-c",
                            "SELECT count(*) FROM kommo_leads WHERE created_at >= now() - interval '30 days'"]
                measure("PostgreSQL", {"LEADWIRE_DATABASE_URL": url}, baseline, args, dashboard, metrics, key)
            finally:
                subprocess.run([os.path.join(scripts, "postgres"), "stop", cluster], check=False, stdout=subprocess.DEVNULL)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
