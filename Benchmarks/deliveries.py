#!/usr/bin/env python3
"""Delivery benchmark: `runtime worker --once` draining N signed webhook messages to a local
receiver that answers 200 at once (nginx `return 200`).

The baselines, measured in the same run, are wrk posting the same payload to the same receiver
at the worker's concurrency, once with a new connection per request (`Connection: close`) and
once on kept connections, as the worker now sends: what the receiver sustains either way; and
Deno doing the worker's job on a copy of the same outbox (Benchmarks/baseline/deliveries_deno.ts:
claim, sign twice, POST on kept connections, record each attempt, every commit synced): what a
hand-written worker gets. Prints deliveries/s, the ratios to each, the worker's peak RSS (GNU
time) and how many messages were delivered. Targets: at least 2,000 deliveries/s with a peak RSS of at
most 40 MB (issue 8), and at least 0.5x the receiver's own capacity (issue 29). Prints; never
fails a build.

Usage: Benchmarks/deliveries.py [--runtime PATH] [--functions DIR] [--messages N]
"""
import argparse
import atexit
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

from hosts import free_port, parse_wrk, wait_until_answering

KEY = "5e" * 32


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runtime", default=".build-release/release/runtime")
    parser.add_argument("--functions", default=".build-release/release")
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="leadwire-deliveries-bench-")
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    os.chmod(root, 0o755)
    port = free_port()

    # The receiver: nginx answering every POST at once.
    config = os.path.join(root, "receiver.conf")
    with open(config, "w") as handle:
        handle.write(f"worker_processes 1;\npid {root}/nginx.pid;\nerror_log {root}/error.log;\nevents {{ worker_connections 4096; }}\n"
                     f"http {{ access_log off; client_body_temp_path {root}/body; server {{ listen 127.0.0.1:{port}; "
                     f"location / {{ return 200 '{{\"received\":true}}'; }} }} }}\n")
    receiver = subprocess.Popen(["nginx", "-c", config, "-p", root, "-g", "daemon off;"], stderr=subprocess.DEVNULL)
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/", receiver)
        environment = {"PATH": "/usr/bin:/bin", "LEADWIRE_DATABASE": os.path.join(root, "leadwire.sqlite3"), "LEADWIRE_SECRET_KEY": KEY,
                       "LEADWIRE_WEBHOOKS_ALLOW_PRIVATE": "1", "LEADWIRE_WORKER_CONCURRENCY": str(args.concurrency)}
        subprocess.run([args.runtime, "migrate"], env=environment, check=True, stdout=subprocess.DEVNULL)
        key = subprocess.run([args.runtime, "keys", "create", "--name", "bench", "--scopes", "webhooks:manage"], env=environment,
                             check=True, capture_output=True, text=True).stdout.strip()
        body = json.dumps({"name": "bench", "url": f"http://127.0.0.1:{port}/hook", "events": ["*"]})
        created = subprocess.run([args.runtime, "invoke", "webhook-subscriptions", "--functions-dir", args.functions, "--method", "POST",
                                  "--path", "/api/admin/webhooks", "--header", f"Authorization: Bearer {key}",
                                  "--header", "Content-Type: application/json"],
                                 input=body, env=environment, check=True, capture_output=True, text=True).stdout
        subscription = re.search(r'"id":"(wh_[0-9a-f]+)"', created).group(1)
        secret = re.search(r'"secret":"(whsec_[^"]+)"', created).group(1)
        payload = json.dumps({"event": "lead.created", "id": "msg_0", "timestamp": "2026-11-26T00:00:00.000Z",
                              "data": {"lead": {"kommo_id": 25399013, "name": "Website order", "status_id": 142, "price": 150000}},
                              "metadata": {"source": "kommo-webhook", "action": "created"}}, separators=(",", ":"))
        with sqlite3.connect(environment["LEADWIRE_DATABASE"]) as connection:
            connection.executemany(
                "INSERT INTO outbox (topic, payload, idempotency_key, subscription_id, event_id) VALUES ('webhook', ?, ?, ?, ?)",
                ((payload, f"msg_{n}:{subscription}", subscription, f"msg_{n}") for n in range(args.messages)))
        # Deno drains a copy of the same outbox, so each meets the same messages.
        deno_database = os.path.join(root, "deno.sqlite3")
        with sqlite3.connect(environment["LEADWIRE_DATABASE"]) as source, sqlite3.connect(deno_database) as target:
            source.backup(target)

        def wrk_rps(connection_header):
            lua = os.path.join(root, "post.lua")
            with open(lua, "w") as handle:
                handle.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                             + (f'wrk.headers["Connection"] = "{connection_header}"\n' if connection_header else "")
                             + f"wrk.body = {json.dumps(payload)}\n")
            return parse_wrk(subprocess.run(["wrk", "-t2", f"-c{args.concurrency}", "-d5s", "-s", lua, f"http://127.0.0.1:{port}/hook"],
                                            capture_output=True, text=True).stdout)["rps"]
        closing, kept = wrk_rps("close"), wrk_rps(None)

        started = time.monotonic()
        timed = subprocess.run(["/usr/bin/time", "-v", args.runtime, "worker", "--once"], env=environment, capture_output=True, text=True)
        elapsed = time.monotonic() - started
        if timed.returncode != 0:
            sys.exit(f"runtime worker --once exited with {timed.returncode}: {timed.stderr[-2000:]}")
        peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timed.stderr).group(1)) / 1024
        with sqlite3.connect(environment["LEADWIRE_DATABASE"]) as connection:
            delivered, failed = connection.execute(
                "SELECT count(*) FILTER (WHERE status = 'delivered'), count(*) FILTER (WHERE status <> 'delivered') FROM outbox").fetchone()
        rate = delivered / elapsed
        deno_rate = None
        deno = shutil.which("deno")
        if deno is None:
            print("deliveries: no deno (python3 -m pip install deno; scripts/benchmark does): the Deno baseline is left out")
        else:
            started = time.monotonic()
            subprocess.run([deno, "run", "--allow-net", "--allow-read", "--allow-write", "--allow-env",
                            os.path.join(os.path.dirname(os.path.abspath(__file__)), "baseline", "deliveries_deno.ts"), deno_database,
                            str(args.concurrency)], env=dict(environment, WEBHOOK_SECRET=secret), check=True, stdout=subprocess.DEVNULL)
            deno_elapsed = time.monotonic() - started
            with sqlite3.connect(deno_database) as connection:
                deno_delivered = connection.execute("SELECT count(*) FROM outbox WHERE status = 'delivered'").fetchone()[0]
            deno_rate = deno_delivered / deno_elapsed
        print(f"deliveries: {args.messages} signed webhooks to nginx `return 200` on 127.0.0.1, {args.concurrency} at once")
        print(f"  baseline wrk, {args.concurrency} connections: {closing:.0f} req/s with Connection: close, {kept:.0f} req/s on kept connections")
        print(f"  runtime worker --once: {delivered} delivered, {failed} not, in {elapsed:.2f} s: {rate:.0f} deliveries/s "
              f"({rate / closing:.2f}x wrk with a connection each, {rate / kept:.2f}x wrk on kept ones), peak RSS {peak:.1f} MB")
        if deno_rate is not None:
            print(f"  Deno baseline: {deno_delivered} delivered in {deno_elapsed:.2f} s: {deno_rate:.0f} deliveries/s; "
                  f"the worker does {rate / deno_rate:.2f}x Deno")
        print(f"  targets: >= 2000 deliveries/s ({'met' if rate >= 2000 else 'missed'}), peak RSS <= 40 MB ({'met' if peak <= 40 else 'missed'}), "
              f">= 0.5x the receiver on kept connections ({'met' if rate >= 0.5 * kept else 'missed'})")
    finally:
        receiver.terminate()
        receiver.wait()


if __name__ == "__main__":
    main()
