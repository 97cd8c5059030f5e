#!/usr/bin/env python3
"""Host benchmark: kommo-webhook behind real web servers, side by side in one run.

wrk sends 120 varied Kommo-shaped form bodies (every event kind, 1-3 leads, custom fields,
UTF-8 names), each request with a newer `updated_at` than the last (so every request is a new
version of its leads that must be written, as a real stream is, never a duplicate skipped), at 1
and 16 connections, each on a fresh database, through:
  - a C CGI program that inserts the raw body into SQLite with the same pragmas (the baseline,
    compiled in this run, under the same lighttpd),
  - lighttpd mod_cgi, lighttpd mod_fastcgi and nginx FastCGI (spawn-fcgi pools), each from
    the configuration `runtime host-config` generates, with every commit synced (the default),
  - lighttpd mod_cgi and mod_fastcgi again with LEADWIRE_SQLITE_SYNCHRONOUS=normal, to show
    what not waiting for the disk on each commit buys (the baseline still syncs),
  - lighttpd mod_fastcgi with an outbound webhook subscription to every event, so each lead
    change also queues its events (no worker runs): the cost of subscriptions on intake,
  - Deno (`Deno.serve` with `node:sqlite`, one process, `synchronous=normal`) doing the same job
    on the same schema (Benchmarks/baseline/kommo_webhook_deno.ts): what a hand-written
    TypeScript service gets, the second baseline.
For each: req/s, p50, p99, requests, non-2xx, rows stored, lost (2xx answers without a log
row, and leads whose stored version is older than the newest that a logged request sent), the
throughput ratio to the baseline, and for the long-lived servers (FastCGI, Deno) the CPU time
they spent per request, which a busy neighbour on a shared machine moves less than req/s, and
the size of the database's write-ahead log file at the end: SQLite reuses that file from its
start once a checkpoint has copied all of it, without shrinking it, so its size is the longest
the log grew (a log that is never started over grows for as long as the writes go on).
Then the peak RSS of a FastCGI process.
Targets (issue 7, ratios in one run): CGI >= 0.5x baseline with p99 <= 100 ms; FastCGI >= 4x
with p99 <= 20 ms and <= 16 MB per process; zero lost everywhere. Issue 8: with a subscription,
at most 10% less throughput than lighttpd FastCGI without. Issue 29: FastCGI with
`synchronous=normal` at least 1.0x Deno at 16 connections (p99 <= 10 ms) and 0.8x at 1; the default
full durability at 16 connections at least 0.8x `normal` and more than at 1 connection. Prints;
never fails a build.

Usage: Benchmarks/hosts.py [--functions DIR] [--runtime PATH] [--duration S] [--processes N] [--only TEXT]
"""
import argparse
import atexit
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

NAMES = ["Алия Нурланова", "José Müller", "李雷", "Test Lead", "Ковальчук & Co", "O'Brien", "Zoë 🚀", "Acme Ltd"]


def function_names(runtime):
    """Every function the catalog names, as `runtime functions --json` lists them."""
    listing = subprocess.run([runtime, "functions", "--json"], check=True, capture_output=True, text=True).stdout
    return [function["name"] for function in json.loads(listing)]


def kommo_bodies(count):
    """Form bodies as Kommo sends them: leads[<event>][<i>][field]=..., an account block."""
    random.seed(7)
    bodies = []
    for n in range(count):
        event = ["add", "update", "status", "responsible", "delete", "restore"][n % 6]
        fields = []
        for i in range(1 + n % 3):
            lead = 700_000 + random.randrange(5_000)
            prefix = f"leads[{event}][{i}]"
            fields += [(f"{prefix}[id]", lead), (f"{prefix}[name]", random.choice(NAMES)), (f"{prefix}[status_id]", 142 + n % 4),
                       (f"{prefix}[pipeline_id]", 10418746), (f"{prefix}[price]", random.randrange(100_000)),
                       (f"{prefix}[updated_at]", "UPDATED_AT"), (f"{prefix}[responsible_user_id]", 8_000_000 + n % 7)]
            if n % 2 == 0:
                fields += [(f"{prefix}[custom_fields][0][id]", 512_345), (f"{prefix}[custom_fields][0][name]", "utm_source"),
                           (f"{prefix}[custom_fields][0][values][0][value]", random.choice(["google", "ref_ABC", "kenesary_fb"]))]
        fields += [("account[subdomain]", "acme"), ("account[id]", 29_085_730)]
        bodies.append(urllib.parse.urlencode(fields))
    return bodies


def wrk_script(bodies, path):
    """Writes wrk's script: request n sends version `first_version + n`, a newer one each time.
    The versions start a day ahead of the clock: a delete is stamped with the time it arrives,
    and a clock that caught up with the versions would make the updates after it stale."""
    first_version = int(time.time()) + 86_400
    def lua(text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    with open(path, "w") as handle:
        handle.write("bodies = {\n" + ",\n".join(lua(body) for body in bodies) + "\n}\n")
        handle.write('counter = 0\nrequest = function()\n  counter = counter + 1\n'
                     f'  local body = string.gsub(bodies[(counter % #bodies) + 1], "UPDATED_AT", tostring({first_version} + counter))\n'
                     '  return wrk.format("POST", "/kommo-webhook", {["Content-Type"] = "application/x-www-form-urlencoded"}, body)\nend\n')


def run(argv, **kwargs):
    return subprocess.run(argv, check=True, **kwargs)


def stale_leads(database):
    """Leads whose stored version is older than the newest one a logged request sent, deletes
    aside (they keep the stored version): each is a lost write. The log row and the lead rows
    commit together, so the logged bodies are exactly the requests that reached the store; one
    that wrk abandoned mid-flight counts only if it got that far. Both are read in one
    snapshot: a FastCGI process may still commit its last group after the server has stopped,
    and a log row read after its leads were would count those leads as lost."""
    with sqlite3.connect(database, isolation_level=None) as connection:
        connection.execute("BEGIN")
        kept = dict(connection.execute("SELECT kommo_id, crm_updated_at FROM kommo_leads").fetchall())
        logged = [body for (body,) in connection.execute("SELECT raw_body FROM kommo_webhook_logs")]
        connection.execute("COMMIT")
    expected = {}
    for body in logged:
        fields = dict(urllib.parse.parse_qsl(body or ""))
        for key, value in fields.items():
            match = re.fullmatch(r"leads\[(\w+)\]\[(\d+)\]\[id\]", key)
            if match and match.group(1) != "delete":
                version = int(fields[f"leads[{match.group(1)}][{match.group(2)}][updated_at]"])
                expected[int(value)] = max(expected.get(int(value), 0), version)
    return [lead for lead, version in expected.items() if (kept.get(lead) or 0) < version]


def free_port():
    """A port no one listens on now (the kernel's choice, not a fixed number)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(url, server):
    """Until the function answers through this run's server: its 405 to a GET (the baseline's
    200), while the server we started is still running."""
    for _ in range(100):
        if server.poll() is not None:
            sys.exit(f"the server for {url} exited with {server.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError as error:
            if error.code == 405:
                return
            time.sleep(0.1)
        except OSError:
            time.sleep(0.1)
    sys.exit(f"no answer from {url}")


def parse_wrk(output):
    def number(pattern, default="0"):
        match = re.search(pattern, output)
        return match.group(1) if match else default

    def milliseconds(text):
        value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {
        "rps": float(number(r"Requests/sec:\s+([\d.]+)")),
        "p50": milliseconds(number(r"50%\s+([\d.]+\w+)", "0ms")),
        "p99": milliseconds(number(r"99%\s+([\d.]+\w+)", "0ms")),
        "requests": int(number(r"(\d+) requests in")),
        "non2xx": int(number(r"Non-2xx or 3xx responses: (\d+)")),
        "errors": sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output)),
    }


def running(executable):
    """The pids of the running processes whose program is `executable` (a path, or a bare name
    matched against the program's file name)."""
    for pid in os.listdir("/proc"):
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            continue
        if exe == executable or os.path.basename(exe) == executable:
            yield pid


def peak_rss_mb(binary):
    """The largest peak RSS among the running processes of `binary` (this run's own copy)."""
    peaks = []
    for pid in running(binary):
        try:
            peaks.append(int(re.search(r"VmHWM:\s+(\d+)", open(f"/proc/{pid}/status").read()).group(1)))
        except (OSError, AttributeError):
            continue
    return max(peaks) / 1024 if peaks else 0


def cpu_seconds(executable):
    """User and system CPU time so far of the running processes of `executable`."""
    ticks = 0
    for pid in running(executable):
        try:
            # After the command's closing parenthesis: utime and stime are fields 14 and 15.
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


class Setup:
    """One way of serving kommo-webhook, started and stopped around its wrk runs."""

    def __init__(self, name, folder, rows_sql):
        self.name, self.folder, self.rows_sql = name, folder, rows_sql
        self.children = []

    def rows(self, database):
        with sqlite3.connect(database, timeout=30) as connection:
            return connection.execute(self.rows_sql).fetchone()[0]

    def stop(self):
        for process in self.children:
            process.send_signal(signal.SIGTERM)
        for process in self.children:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
        for pids in [f for f in os.listdir(self.folder) if f.endswith(".pids")]:
            for pid in open(os.path.join(self.folder, pids)).read().split():
                try:
                    os.kill(int(pid), signal.SIGTERM)
                except ProcessLookupError:
                    pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--functions", default=".build-release/release")
    parser.add_argument("--runtime", default=".build-release/release/runtime")
    parser.add_argument("--duration", type=int, default=6)
    parser.add_argument("--processes", type=int, help="FastCGI processes per function (default: host-config's own choice)")
    parser.add_argument("--only", help="run only the setups whose name contains this (the baseline always runs)")
    args = parser.parse_args()
    for tool in ("/usr/bin/wrk", "/usr/sbin/lighttpd", "/usr/sbin/nginx", "/usr/bin/spawn-fcgi", "/usr/bin/gcc"):
        if not os.access(tool, os.X_OK):
            sys.exit(f"missing {tool}: run scripts/setup")
    deno = shutil.which("deno")
    if deno is None:
        print("hosts: no deno (python3 -m pip install deno; scripts/benchmark does): the Deno baseline is left out")

    root = tempfile.mkdtemp(prefix="leadwire-hosts-bench-")
    # Each run's database grows to hundreds of megabytes: nothing is left behind.
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    os.chmod(root, 0o755)
    binaries = os.path.join(root, "bin")
    os.makedirs(binaries)
    for name in function_names(args.runtime):
        shutil.copy(os.path.join(args.functions, name), binaries)
    baseline = os.path.join(binaries, "raw-insert")
    here = os.path.dirname(os.path.abspath(__file__))
    run(["gcc", "-O2", "-o", baseline, os.path.join(here, "baseline", "raw_insert_cgi.c"), "-lsqlite3"])
    script = os.path.join(root, "bodies.lua")
    bodies = kommo_bodies(120)
    wrk_script(bodies, script)
    user = "leadwire" if os.getuid() == 0 else os.environ.get("USER", "nobody")

    def prepare(name):
        """A fresh folder and database, writable by the functions' user."""
        folder = os.path.join(root, name)
        os.makedirs(folder)
        database = os.path.join(folder, "leadwire.sqlite3")
        run([args.runtime, "migrate", "--database", database], stdout=subprocess.DEVNULL)
        with sqlite3.connect(database) as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS raw_events (id INTEGER PRIMARY KEY, body BLOB)")
        os.chmod(folder, 0o777)
        for file in os.listdir(folder):
            os.chmod(os.path.join(folder, file), 0o666)
        return folder, database

    def host_config(kind, folder, database, port, *extra, synchronous="full"):
        # The webhooks are closed until authenticated (host-config refuses otherwise): opened by name, to time the work itself.
        environment = {"PATH": "/usr/bin:/bin", "LEADWIRE_DATABASE": database, "LEADWIRE_SQLITE_SYNCHRONOUS": synchronous,
                       "LEADWIRE_KOMMO_WEBHOOK_AUTH": "none", "LEADWIRE_AMOCRM_WEBHOOK_AUTH": "none", "LEADWIRE_KNOWLARITY_WEBHOOK_AUTH": "none"}
        return subprocess.run([args.runtime, "host-config", kind, "--port", str(port), "--state-dir", folder, "--functions-dir", binaries,
                               "--user", user, *(["--processes", str(args.processes)] if args.processes else []), *extra],
                              env=environment, check=True, capture_output=True, text=True).stdout

    results = []
    setups = ["C CGI baseline (lighttpd)", "lighttpd CGI", "lighttpd FastCGI", "nginx FastCGI", "lighttpd CGI, sync normal",
              "lighttpd FastCGI, sync normal", "lighttpd FastCGI, subscribed"] + (["Deno, sync normal"] if deno else [])
    if args.only:
        setups = [name for name in setups if name.startswith("C CGI") or args.only in name]
    for name in setups:
        for connections in (1, 16):
            port = free_port()
            folder, database = prepare(re.sub(r"\W+", "-", name).strip("-").lower() + f"-{connections}")
            if "subscribed" in name:
                with sqlite3.connect(database) as connection:
                    connection.execute("INSERT INTO webhook_subscriptions (id, name, url, events, secret_sealed) "
                                       "VALUES ('wh_bench', 'bench', 'https://crm.example.com/hook', '[\"*\"]', x'00')")
            baseline_run = name.startswith("C CGI")
            setup = Setup(name, folder, "SELECT count(*) FROM raw_events" if baseline_run else "SELECT count(*) FROM kommo_webhook_logs")
            config = os.path.join(folder, "server.conf")
            log = open(os.path.join(folder, "server.out"), "w")
            if baseline_run:
                with open(config, "w") as handle:
                    handle.write(f'server.modules += ("mod_alias", "mod_cgi", "mod_setenv")\nserver.bind = "127.0.0.1"\nserver.port = {port}\n'
                                 f'server.document-root = "/nonexistent/leadwire"\nserver.errorlog = "{folder}/error.log"\n'
                                 f'cgi.assign = ("/raw-insert" => "")\nalias.url = ("/kommo-webhook" => "{baseline}")\n'
                                 f'setenv.add-environment = ("LEADWIRE_DATABASE" => "{database}")\n')
                setup.children.append(subprocess.Popen(["lighttpd", "-D", "-f", config], stdout=log, stderr=log))
            elif name.startswith("Deno"):
                setup.children.append(subprocess.Popen(
                    [deno, "run", "--allow-net", "--allow-read", "--allow-write", "--allow-env",
                     os.path.join(here, "baseline", "kommo_webhook_deno.ts"), str(port), database, "normal"], stdout=log, stderr=log))
            elif name.startswith("lighttpd"):
                with open(config, "w") as handle:
                    handle.write(host_config("lighttpd", folder, database, port, *(["--fastcgi"] if "FastCGI" in name else []),
                                             synchronous="normal" if "sync normal" in name else "full"))
                setup.children.append(subprocess.Popen(["lighttpd", "-D", "-f", config], stdout=log, stderr=log))
            else:
                pools = os.path.join(folder, "pools.sh")
                with open(pools, "w") as handle:
                    handle.write(host_config("pools", folder, database, port))
                run(["sh", pools], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                with open(config, "w") as handle:
                    handle.write(host_config("nginx", folder, database, port, "--fastcgi"))
                setup.children.append(subprocess.Popen(["nginx", "-c", config, "-p", folder, "-g", "daemon off;"], stdout=log, stderr=log))
            base = f"http://127.0.0.1:{port}"
            try:
                wait_until_answering(base + "/kommo-webhook", setup.children[0])
                before = setup.rows(database)
                # Only a long-lived server's CPU time can be read here (a CGI process is gone by then).
                server_program = os.path.join(binaries, "kommo-webhook") if "FastCGI" in name else "deno" if name.startswith("Deno") else None
                cpu_before = cpu_seconds(server_program) if server_program else 0
                output = run(["wrk", "-t1", f"-c{connections}", f"-d{args.duration}s", "--latency", "-s", script, base],
                             capture_output=True, text=True).stdout
                cpu = cpu_seconds(server_program) - cpu_before if server_program else None
                peak = peak_rss_mb(os.path.join(binaries, "kommo-webhook")) if "FastCGI" in name else None
                setup.stop()  # what wrk abandoned at the end either finishes (a row) or never will
                figures = parse_wrk(output)
                stored = setup.rows(database) - before
                acknowledged = figures["requests"] - figures["non2xx"]
                lost = max(0, acknowledged - stored)
                if not baseline_run:
                    lost += len(stale_leads(database))
                wal = database + "-wal"
                figures.update(name=name, connections=connections, stored=stored, lost=lost,
                               wal_mb=os.path.getsize(wal) / 2**20 if os.path.exists(wal) else 0,
                               cpu_ms=cpu * 1000 / figures["requests"] if cpu is not None and figures["requests"] else None)
                results.append(figures)
                if peak is not None and connections == 16:
                    results[-1]["peak_rss_mb"] = peak
            finally:
                setup.stop()
                shutil.rmtree(folder, ignore_errors=True)

    processes = (f"{args.processes} FastCGI processes per function" if args.processes
                 else "FastCGI processes as host-config chooses them (1 for kommo-webhook on SQLite)")
    print(f"hosts: kommo-webhook, 120 varied Kommo form bodies, a newer version every request, a fresh database per run, wrk -t1 -d{args.duration}s; "
          f"{processes}; ratio = req/s against the C CGI baseline at the same connections")
    print(f"  {'setup':28} {'conns':>5} {'req/s':>8} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} {'requests':>8} {'non-2xx':>7} {'stored':>7} {'lost':>5}"
          f" {'CPU ms/req':>10} {'WAL MB':>7}")
    baseline_rps = {r["connections"]: r["rps"] for r in results if r["name"].startswith("C CGI")}
    for r in results:
        ratio = r["rps"] / baseline_rps[r["connections"]] if baseline_rps.get(r["connections"]) else 0
        r["ratio"] = ratio
        print(f"  {r['name']:28} {r['connections']:>5} {r['rps']:>8.0f} {ratio:>5.2f}x {r['p50']:>7.1f} {r['p99']:>7.1f} "
              f"{r['requests']:>8} {r['non2xx'] + r['errors']:>7} {r['stored']:>7} {r['lost']:>5}"
              f" {'-' if r['cpu_ms'] is None else format(r['cpu_ms'], '.3f'):>10} {r['wal_mb']:>7.1f}")
    for r in results:
        if "peak_rss_mb" in r:
            print(f"  {r['name']}: peak RSS of one kommo-webhook process {r['peak_rss_mb']:.1f} MB")
    at16 = {r["name"]: r for r in results if r["connections"] == 16}
    cgi, fastcgi = at16.get("lighttpd CGI"), [r for n, r in at16.items() if "FastCGI" in n and "normal" not in n]
    verdicts = []
    if cgi:
        verdicts.append(f"CGI {cgi['ratio']:.2f}x (target >= 0.5x), p99 {cgi['p99']:.0f} ms (target <= 100)")
    for r in fastcgi:
        verdicts.append(f"{r['name']} {r['ratio']:.2f}x (target >= 4x), p99 {r['p99']:.1f} ms (target <= 20), "
                        f"RSS {r.get('peak_rss_mb', 0):.1f} MB (target <= 16)")
    if "lighttpd FastCGI, subscribed" in at16 and "lighttpd FastCGI" in at16:
        cost = 1 - at16["lighttpd FastCGI, subscribed"]["rps"] / at16["lighttpd FastCGI"]["rps"]
        verdicts.append(f"a subscription to every event costs {cost * 100:.0f}% of FastCGI throughput (target <= 10%)")
    verdicts.append(f"lost {sum(r['lost'] for r in results)} (target 0)")
    print("  at 16 connections: " + "; ".join(verdicts))
    by_name = {(r["name"], r["connections"]): r for r in results}
    deno_verdicts = []
    for connections, target in ((1, 0.8), (16, 1.0)):
        ours, theirs = by_name.get(("lighttpd FastCGI, sync normal", connections)), by_name.get(("Deno, sync normal", connections))
        if ours and theirs and theirs["rps"]:
            deno_verdicts.append(f"FastCGI (normal) at {connections} connection(s) {ours['rps'] / theirs['rps']:.2f}x Deno (target >= {target}x), "
                                 f"p99 {ours['p99']:.1f} ms against Deno's {theirs['p99']:.1f} ms"
                                 + (f", CPU {ours['cpu_ms']:.3f} ms a request against Deno's {theirs['cpu_ms']:.3f} ms"
                                    if ours["cpu_ms"] and theirs["cpu_ms"] else ""))
    full16, normal16, full1 = by_name.get(("lighttpd FastCGI", 16)), by_name.get(("lighttpd FastCGI, sync normal", 16)), by_name.get(("lighttpd FastCGI", 1))
    if full16 and normal16 and full1 and normal16["rps"] and full1["rps"]:
        deno_verdicts.append(f"full durability at 16 connections {full16['rps'] / normal16['rps']:.2f}x normal (target >= 0.8x) and "
                             f"{full16['rps'] / full1['rps']:.2f}x itself at 1 connection (target > 1x)")
    print("  against Deno: " + "; ".join(deno_verdicts))


if __name__ == "__main__":
    main()
