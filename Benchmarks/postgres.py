#!/usr/bin/env python3
"""PostgreSQL benchmark: the same functions on PostgreSQL against the same on SQLite, in one run.

Starts a throwaway PostgreSQL cluster (scripts/postgres; every commit synced, as by default),
then prints:
  - kommo-webhook under wrk with 120 varied Kommo form bodies at 1 and 16 connections through
    lighttpd FastCGI (4 processes, each keeping one connection) and lighttpd CGI (a connection
    per request), on SQLite and on PostgreSQL, in turns (SQLite, PostgreSQL, PostgreSQL,
    SQLite, each figure the pair together): req/s, p50, p99, non-2xx, lost (2xx answers
    without a row) and the PostgreSQL/SQLite ratio. Targets: FastCGI on PostgreSQL at 16
    connections >= 0.5x the same on SQLite, 0 lost (issue 10); at one sender >= 0.6x (issue 29).
  - the same FastCGI setup at one sender with PostgreSQL behind a proxy that delays each
    direction by 0.5 ms (a server 1 ms away, as on a network): the time each request gains,
    divided by 1 ms, is the round trips it takes, counted from outside the function.
  - what connecting costs a CGI request: the median wall time of one `health` invocation
    (start, open the store, read its schema version, answer) on each backend.
  - 1,000,000 leads to CSV through the export function from PostgreSQL, against
    `psql -c "\\copy (the same SELECT) to stdout csv"`: rows/s, the time ratio and peak RSS.
    Target: ratio <= 2.0, constant memory.
Prints; never fails a build.

Usage: Benchmarks/postgres.py [--functions DIR] [--runtime PATH] [--duration S] [--rows N]
"""
import argparse
import hashlib
import os
import socket
import threading
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_csv import peak_rss_mb, timed  # noqa: E402
from hosts import free_port, function_names, kommo_bodies, parse_wrk, wait_until_answering, wrk_script  # noqa: E402

LEADS_SELECT = ("SELECT leads_master.id, full_name, phone_number_normalized, external_lead_id, status, leads_master.created_at "
                "FROM leads_master ORDER BY leads_master.id")
EXPORT_FIELDS = "id,full_name,phone_number_normalized,external_lead_id,status,created_at"


def psql(url, sql):
    return subprocess.run(["psql", "-X", "-q", "-t", "-A", url, "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--functions", default=".build-release/release")
    parser.add_argument("--runtime", default=".build-release/release/runtime")
    parser.add_argument("--duration", type=int, default=6)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--invocations", type=int, default=100)
    args = parser.parse_args()
    for tool in ("/usr/bin/wrk", "/usr/sbin/lighttpd", "/usr/bin/psql", "/usr/bin/time"):
        if not os.access(tool, os.X_OK):
            sys.exit(f"missing {tool}: run scripts/setup test")

    root = tempfile.mkdtemp(prefix="leadwire-postgres-bench-")
    os.chmod(root, 0o755)
    binaries = os.path.join(root, "bin")
    os.makedirs(binaries)
    for name in function_names(args.runtime):
        shutil.copy(os.path.join(args.functions, name), binaries)
    scripts = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts")
    cluster = os.path.join(root, "cluster")
    server = subprocess.run([os.path.join(scripts, "postgres"), "start", cluster, str(free_port())],
                            check=True, capture_output=True, text=True).stdout.strip()
    user = "leadwire" if os.getuid() == 0 else os.environ.get("USER", "nobody")
    script = os.path.join(root, "bodies.lua")
    wrk_script(kommo_bodies(120), script)
    try:
        results = hosts(args, root, binaries, server, script, user)
        distant = distant_run(args, root, binaries, server, script, user)
        connect = connect_cost(args, root, binaries, server)
        export = export_figures(args, root, binaries, server)
    finally:
        subprocess.run([os.path.join(scripts, "postgres"), "stop", cluster], check=False)
        shutil.rmtree(root, ignore_errors=True)

    print(f"postgres: kommo-webhook, 120 varied Kommo form bodies, wrk -t1 -d{args.duration}s, lighttpd; "
          f"{args.processes} FastCGI processes; ratio = PostgreSQL req/s against SQLite's, same host and connections")
    print(f"  {'setup':34} {'conns':>5} {'req/s':>8} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} {'requests':>8} {'non-2xx':>7} {'lost':>5}")
    for r in results:
        sqlite = next(x for x in results if x["host"] == r["host"] and x["connections"] == r["connections"] and x["backend"] == "SQLite")
        ratio = r["rps"] / sqlite["rps"] if sqlite["rps"] else 0
        r["ratio"] = ratio
        print(f"  {r['host'] + ', ' + r['backend']:34} {r['connections']:>5} {r['rps']:>8.0f} {ratio:>5.2f}x {r['p50']:>7.1f} "
              f"{r['p99']:>7.1f} {r['requests']:>8} {r['non2xx'] + r['errors']:>7} {r['lost']:>5}")
    target = next(r for r in results if r["host"] == "lighttpd FastCGI" and r["backend"] == "PostgreSQL" and r["connections"] == 16)
    lost = sum(r["lost"] for r in results)
    verdict = "met" if target["ratio"] >= 0.5 and lost == 0 else "MISSED"
    print(f"  FastCGI on PostgreSQL at 16 connections: {target['ratio']:.2f}x SQLite (target >= 0.5x), lost {lost} (target 0): {verdict}")
    one = next(r for r in results if r["host"] == "lighttpd FastCGI" and r["backend"] == "PostgreSQL" and r["connections"] == 1)
    verdict = "met" if one["ratio"] >= 0.6 else "MISSED"
    print(f"  FastCGI on PostgreSQL, one sender: {one['ratio']:.2f}x SQLite (issue 29 target >= 0.6x): {verdict}")
    local = next(r for r in results if r["host"] == "lighttpd FastCGI" and r["backend"] == "PostgreSQL" and r["connections"] == 1)
    added = (1000 / distant["rps"] - 1000 / local["rps"]) if distant["rps"] and local["rps"] else 0
    print(f"  FastCGI on PostgreSQL 1 ms away, one sender: {distant['rps']:.0f} req/s ({distant['rps'] / local['rps']:.2f}x local), "
          f"p50 {distant['p50']:.1f} ms, lost {distant['lost']}: {added:.1f} ms more a request, so about {added:.0f} round trips")
    print(f"  one CGI request (health, median of {args.invocations}): SQLite {connect['SQLite']:.1f} ms, "
          f"PostgreSQL {connect['PostgreSQL']:.1f} ms: connecting costs {connect['PostgreSQL'] - connect['SQLite']:.1f} ms a request")
    verdict = "met" if export["ratio"] <= 2.0 else "MISSED"
    print(f"  export of {args.rows:,} leads from PostgreSQL: {export['rate']:,.0f} rows/s, psql \\copy {export['baseline_rate']:,.0f} rows/s, "
          f"time ratio {export['ratio']:.2f} (target <= 2.0: {verdict}), peak RSS {export['peak']:.1f} MB (psql {export['baseline_peak']:.1f} MB)")


def hosts(args, root, binaries, server, script, user):
    """Each host, backend and connection count on a fresh store, so no run sees another's leads.
    The two backends run in turns, SQLite, PostgreSQL, PostgreSQL, SQLite, and each figure is
    the two runs together: load on the shared machine that rises or falls during a pair then
    weighs on both backends alike, instead of on whichever ran second."""
    results = []
    for host in ("lighttpd FastCGI", "lighttpd CGI"):
        for connections in (1, 16):
            runs = [host_run(args, root, binaries, server, script, user, host, backend, connections, turn=turn)
                    for turn, backend in enumerate(("SQLite", "PostgreSQL", "PostgreSQL", "SQLite"))]
            for backend in ("SQLite", "PostgreSQL"):
                results.append(combined([run for run in runs if run["backend"] == backend]))
    return results


def combined(runs):
    """Two runs of one setup as one: requests, errors and losses added up, req/s over both
    durations, and the slower run's latencies."""
    total = dict(runs[0])
    for key in ("requests", "non2xx", "errors", "lost"):
        total[key] = sum(run[key] for run in runs)
    total["rps"] = sum(run["rps"] for run in runs) / len(runs)
    for key in ("p50", "p99"):
        total[key] = max(run[key] for run in runs)
    return total


def host_run(args, root, binaries, server, script, user, host, backend, connections, schema=None, turn=0):
    # Short: the FastCGI sockets live in it, and a socket's path has a limit.
    folder = os.path.join(root, f"{host}-{backend}-{connections}-{turn}{'-far' if schema else ''}".replace(" ", "-").lower())
    os.makedirs(folder)
    os.chmod(folder, 0o777)
    # The webhooks are closed until authenticated (host-config refuses otherwise): opened by name, to time the work itself.
    environment = {"PATH": "/usr/bin:/bin", "LEADWIRE_DATABASE": os.path.join(folder, "leadwire.sqlite3"),
                   "LEADWIRE_KOMMO_WEBHOOK_AUTH": "none", "LEADWIRE_AMOCRM_WEBHOOK_AUTH": "none", "LEADWIRE_KNOWLARITY_WEBHOOK_AUTH": "none"}
    if backend == "PostgreSQL":
        schema = schema or f"bench_{'fastcgi' if 'FastCGI' in host else 'cgi'}_{connections}_{turn}"
        psql(server, f"CREATE SCHEMA {schema}")
        environment["LEADWIRE_DATABASE_URL"] = f"{server}?options=-csearch_path%3D{schema}"
    subprocess.run([args.runtime, "migrate"], env=environment, check=True, stdout=subprocess.DEVNULL)
    for file in os.listdir(folder):
        os.chmod(os.path.join(folder, file), 0o666)
    # A port the system hands out, not a neighbour of one: those belong to client sockets.
    port = free_port()
    config = os.path.join(folder, "lighttpd.conf")
    with open(config, "w") as handle:
        handle.write(subprocess.run(
            [args.runtime, "host-config", "lighttpd", "--port", str(port), "--state-dir", folder, "--functions-dir", binaries,
             "--user", user, "--processes", str(args.processes)] + (["--fastcgi"] if "FastCGI" in host else []),
            env=environment, check=True, capture_output=True, text=True).stdout)
    log = open(os.path.join(folder, "server.out"), "w")
    lighttpd = subprocess.Popen(["lighttpd", "-D", "-f", config], stdout=log, stderr=log)

    def rows():
        if backend == "PostgreSQL":
            return int(psql(environment["LEADWIRE_DATABASE_URL"], "SELECT count(*) FROM kommo_webhook_logs"))
        import sqlite3
        with sqlite3.connect(environment["LEADWIRE_DATABASE"], timeout=30) as connection:
            return connection.execute("SELECT count(*) FROM kommo_webhook_logs").fetchone()[0]

    try:
        wait_until_answering(f"http://127.0.0.1:{port}/kommo-webhook", lighttpd)
        before = rows()
        output = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{args.duration}s", "--latency", "-s", script,
                                 f"http://127.0.0.1:{port}"], check=True, capture_output=True, text=True).stdout
    finally:
        lighttpd.terminate()
        lighttpd.wait(timeout=10)
        subprocess.run(["pkill", "-f", os.path.join(binaries, "kommo-webhook")], check=False)
    # Counted once the server is gone: what wrk abandoned either finished (a row) or never will.
    figures = parse_wrk(output)
    stored = rows() - before
    figures.update(host=host, backend=backend, connections=connections, lost=max(0, figures["requests"] - figures["non2xx"] - stored))
    return figures


def distant_run(args, root, binaries, server, script, user):
    """FastCGI at one sender with every byte to and from PostgreSQL held 0.5 ms each way."""
    host, port = server.split("@")[1].split("/")[0].split(":")
    listener = socket.create_server(("127.0.0.1", 0))
    threading.Thread(target=delaying_proxy, args=(listener, (host, int(port)), 0.0005), daemon=True).start()
    distant = server.replace(f":{port}/", f":{listener.getsockname()[1]}/")
    figures = host_run(args, root, binaries, distant, script, user, "lighttpd FastCGI", "PostgreSQL", 1, schema="bench_distant")
    listener.close()
    return figures


def delaying_proxy(listener, upstream, delay):
    """Forwards each connection to `upstream`, sleeping `delay` seconds before passing on each read."""
    def pump(source, target):
        try:
            while data := source.recv(65536):
                time.sleep(delay)
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        server = socket.create_connection(upstream)
        for end in (client, server):
            end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=pump, args=(client, server), daemon=True).start()
        threading.Thread(target=pump, args=(server, client), daemon=True).start()


def connect_cost(args, root, binaries, server):
    """Median wall time of one health invocation, the way a CGI host starts it."""
    psql(server, "CREATE SCHEMA bench_health")
    settings = {
        "SQLite": {"LEADWIRE_DATABASE": os.path.join(root, "health.sqlite3")},
        "PostgreSQL": {"LEADWIRE_DATABASE_URL": f"{server}?options=-csearch_path%3Dbench_health"},
    }
    times = {name: [] for name in settings}
    for _ in range(args.invocations):
        for name, store in settings.items():
            environment = {"PATH": "/usr/bin:/bin", "REQUEST_METHOD": "GET", "SCRIPT_NAME": "/health", **store}
            started = time.perf_counter()
            subprocess.run([os.path.join(binaries, "health")], env=environment, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def export_figures(args, root, binaries, server):
    psql(server, "CREATE SCHEMA bench_export")
    url = f"{server}?options=-csearch_path%3Dbench_export"
    subprocess.run([args.runtime, "migrate"], env={"PATH": "/usr/bin:/bin", "LEADWIRE_DATABASE_URL": url}, check=True, stdout=subprocess.DEVNULL)
    key = "lw_" + os.urandom(32).hex()
    psql(url, f"""
        INSERT INTO api_keys (name, key_prefix, key_sha256, scopes) VALUES ('bench', '{key[:10]}', '{hashlib.sha256(key.encode()).hexdigest()}', 'export');
        INSERT INTO sources (display_name, source_type) VALUES ('Bench', 'bench');
        INSERT INTO leads_master (full_name, phone_number_normalized, source_id, external_lead_id, status)
        SELECT 'Lead ' || v, '9' || lpad(v::text, 9, '0'), 1, 'ext-' || v, 'New' FROM generate_series(1, {args.rows}) AS v;
        ANALYZE leads_master;""")
    environment = {
        "PATH": "/usr/bin:/bin", "REQUEST_METHOD": "GET", "SCRIPT_NAME": "/api/admin/export", "PATH_INFO": "/leads/csv",
        "QUERY_STRING": f"fields={EXPORT_FIELDS}", "HTTP_AUTHORIZATION": f"Bearer {key}", "LEADWIRE_DATABASE_URL": url,
    }
    export = [os.path.join(binaries, "export")]
    baseline = ["psql", "-X", "-q", url, "-c", f"\\copy ({LEADS_SELECT}) to stdout csv header"]
    function_times, baseline_times = [], []
    for _ in range(3):
        function_times.append(timed(export, environment, rows=args.rows, cgi=True)[0])
        baseline_times.append(timed(baseline, {"PATH": "/usr/bin:/bin"}, rows=args.rows)[0])
    function_time, baseline_time = statistics.median(function_times), statistics.median(baseline_times)
    return {
        "rate": args.rows / function_time, "baseline_rate": args.rows / baseline_time, "ratio": function_time / baseline_time,
        "peak": peak_rss_mb(export, environment), "baseline_peak": peak_rss_mb(baseline, {"PATH": "/usr/bin:/bin"}),
    }


if __name__ == "__main__":
    main()
