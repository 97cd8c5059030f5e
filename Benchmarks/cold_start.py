#!/usr/bin/env python3
"""Cold-start benchmark: one kommo-webhook invocation on a real Kommo `leads[update]` body (two
leads, custom fields of every value shape, a tag), as a CGI host makes it, against the
sqlite3 CLI doing one insert into a copy of that database, measured in the same run; and, for
each build given that has them, widget-request (one signed Salesbot request, queued), kommo-oauth
(`?action=authorize`, a state stored and a redirect) and export's users listing (an admin key
checked by its SHA-256), which must stay within that build's kommo-webhook budget.

Every invocation is a fresh process (the product's normal case). The two commands alternate,
so machine noise hits both alike; the figure that matters is the ratio of their medians. Each
writes its own file, so each meets the write-ahead log it leaves itself: the CLI empties the log
as it closes, a function keeps it and empties it every few requests. (On one shared file the
CLI emptied it for the function, which hid a log that grew without end.)
Peak RSS comes from GNU time in separate runs: a child forked from this Python process would
start with Python's own high-water mark (Linux carries it across exec), so wait4 here would
report about 10 MB for /bin/true.

Usage: Benchmarks/cold_start.py [--runs N] [--function LABEL=DIR ...]
  e.g. --function static=.build-release/release --function dynamic=.build-dynamic/release
Targets (for the static build, as deployed): median ratio <= 1.3, peak RSS <= 12 MB. This prints; it never fails a build.
"""
import argparse
import atexit
import base64
import hashlib
import hmac
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

RATIO_TARGET = 1.3
RSS_TARGET_MB = 12.0


def run_once(argv, env, stdin_bytes):
    """Runs one process to completion; returns (wall seconds, peak RSS in KB, stdout)."""
    read_fd, write_fd = os.pipe()
    out_read, out_write = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(read_fd, 0)
        os.dup2(out_write, 1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        for fd in (read_fd, write_fd, out_read, out_write, devnull):
            os.close(fd)
        os.execve(argv[0], argv, env)
    os.close(read_fd)
    os.close(out_write)
    os.write(write_fd, stdin_bytes)
    os.close(write_fd)
    chunks = []
    while True:
        chunk = os.read(out_read, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(out_read)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{argv[0]} failed with status {status}")
    return elapsed, usage.ru_maxrss, b"".join(chunks)


def peak_rss_kb(argv, env, stdin_bytes):
    """Peak RSS of one run, in KB, measured by GNU time (a small parent)."""
    with tempfile.NamedTemporaryFile(prefix="leadwire-rss-") as report:
        run_once(["/usr/bin/time", "-f", "%M", "-o", report.name] + argv, env, stdin_bytes)
        with open(report.name) as handle:
            return int(handle.read().split()[-1])


def kommo_body(lead_id):
    """A `leads[update]` form as Kommo sends it, with two leads (ids `lead_id` and `lead_id` +
    10,000,000) in every field a real update carries: both timestamp generations, the users
    who made and changed it, a tag, and custom fields of each value shape (text, select with its
    enum, a date as bare unix seconds, and an empty UTM field with no values)."""
    pairs = []
    for index, kommo_id in enumerate((lead_id, lead_id + 10_000_000)):
        fields = [
            ("id", str(kommo_id)), ("name", f"Заявка с сайта №{kommo_id}"), ("status_id", "142"), ("old_status_id", "38307409"),
            ("price", "150000"), ("responsible_user_id", "8731"), ("last_modified", "1744532876"), ("modified_user_id", "8731"),
            ("created_user_id", "0"), ("date_create", "1744530000"), ("pipeline_id", "10418746"), ("account_id", "29085730"),
            ("created_at", "1744530000"), ("updated_at", "1744532876"), ("tags][0][id", "2571"), ("tags][0][name", "instagram"),
            ("custom_fields][0][id", "512345"), ("custom_fields][0][name", "utm_source"),
            ("custom_fields][0][values][0][value", "kenesary_fb"),
            ("custom_fields][1][id", "512347"), ("custom_fields][1][name", "Тип обращения"),
            ("custom_fields][1][values][0][value", "Звонок"), ("custom_fields][1][values][0][enum", "1203811"),
            ("custom_fields][2][id", "512349"), ("custom_fields][2][name", "Дата визита"), ("custom_fields][2][values][0]", "1729717200"),
            ("custom_fields][3][id", "512351"), ("custom_fields][3][name", "utm_medium"),
        ]
        pairs += [(f"leads[update][{index}][{key}]", value) for key, value in fields]
    pairs += [("account[subdomain]", "acme"), ("account[id]", "29085730"), ("account[_links][self]", "https://acme.kommo.com")]
    return urllib.parse.urlencode(pairs).encode()


def widget_body(index):
    """A Salesbot widget request with an HS512 token signed as Kommo signs it."""
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=")
    signing_input = part({"alg": "HS512", "typ": "JWT"}) + b"." + part(
        {"account_id": 29085730, "subdomain": "acme", "client_uuid": "bench-client", "entity_id": index, "entity_type": 2,
         "exp": int(time.time()) + 3600})
    token = signing_input + b"." + base64.urlsafe_b64encode(hmac.new(b"bench-secret", signing_input, hashlib.sha512).digest()).rstrip(b"=")
    return json.dumps({"token": token.decode(), "data": {"message": f"Hello {index}", "from": "widget"},
                       "return_url": f"https://acme.kommo.com/api/v4/salesbot/321/continue/{index}"}).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--function", action="append", metavar="LABEL=DIR",
                        help="a build of kommo-webhook to measure (repeatable); default static=.build-release/release")
    args = parser.parse_args()

    variants = []
    for spec in args.function or ["static=.build-release/release"]:
        label, _, folder = spec.partition("=")
        variants.append((label, os.path.abspath(os.path.join(folder, "kommo-webhook"))))
    sqlite3 = "/usr/bin/sqlite3"
    for _, path in variants + [("baseline", sqlite3), ("GNU time", "/usr/bin/time")]:
        if not os.access(path, os.X_OK):
            sys.exit(f"missing {path}: see scripts/benchmark for the builds this expects")

    folder = tempfile.mkdtemp(prefix="leadwire-bench-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    database = os.path.join(folder, "bench.sqlite3")
    # kommo-webhook is closed until authenticated: it is opened by name, as an operator can, to time the work itself.
    base_env = {"PATH": "/usr/bin:/bin", "LEADWIRE_DATABASE": database, "LEADWIRE_KOMMO_WEBHOOK_AUTH": "none"}
    cgi_env = dict(base_env, REQUEST_METHOD="POST", SCRIPT_NAME="/kommo-webhook", CONTENT_TYPE="application/x-www-form-urlencoded")

    # One warm-up invocation of each creates the schema and pages in the binaries.
    lead_id = 1
    for _, path in variants:
        body = kommo_body(lead_id)
        lead_id += 1
        _, _, output = run_once([path], dict(cgi_env, CONTENT_LENGTH=str(len(body))), body)
        if not output.startswith(b"Status: 200"):
            sys.exit(f"{path} did not answer 200: {output[:200]!r}")

    # The Kommo integration widget-request and kommo-oauth are measured with.
    kommo_settings = {"LEADWIRE_KOMMO_CLIENT_ID": "bench-client", "LEADWIRE_KOMMO_CLIENT_SECRET": "bench-secret",
                      "LEADWIRE_KOMMO_REDIRECT_URI": "https://example.com/kommo-oauth?action=callback"}
    # authorize and the users listing take an admin key (kommo:api, export); only its SHA-256 is stored.
    admin_key = "lw_" + "be" * 32
    subprocess.run([sqlite3, database, "INSERT INTO api_keys (name, key_prefix, key_sha256, scopes) VALUES "
                    f"('bench', '{admin_key[:10]}', '{hashlib.sha256(admin_key.encode()).hexdigest()}', 'kommo:api,export')"], check=True)
    # Each build's Kommo functions and an admin request (the key's SHA-256, libcrypto loaded on
    # first use), where the build has them (scripts/benchmark's dynamic build is kommo-webhook alone).
    extras = []
    for variant, kommo_webhook in variants:
        folder = os.path.dirname(kommo_webhook)
        candidates = [
            (f"widget-request, one signed request ({variant})", os.path.join(folder, "widget-request"),
             dict(base_env, **kommo_settings, REQUEST_METHOD="POST", SCRIPT_NAME="/widget-request", CONTENT_TYPE="application/json"),
             widget_body, b"Status: 200", variant),
            (f"kommo-oauth, ?action=authorize ({variant})", os.path.join(folder, "kommo-oauth"),
             dict(base_env, **kommo_settings, REQUEST_METHOD="GET", SCRIPT_NAME="/kommo-oauth", QUERY_STRING="action=authorize",
                  HTTP_AUTHORIZATION=f"Bearer {admin_key}"),
             lambda index: b"", b"Status: 302", variant),
            (f"export, GET /api/admin/users ({variant})", os.path.join(folder, "export"),
             dict(base_env, REQUEST_METHOD="GET", SCRIPT_NAME="/api/admin/users", QUERY_STRING="limit=10",
                  HTTP_AUTHORIZATION=f"Bearer {admin_key}"),
             lambda index: b"", b"Status: 200", variant),
        ]
        extras += [extra for extra in candidates if os.access(extra[1], os.X_OK)]
    extra_times = {label: [] for label, *_ in extras}
    for label, path, env, body_for, answer, _ in extras:
        _, _, output = run_once([path], dict(env, CONTENT_LENGTH=str(len(body_for(0)))), body_for(0))
        if not output.startswith(answer):
            sys.exit(f"{path} did not answer {answer!r}: {output[:300]!r}")

    baseline_database = os.path.join(os.path.dirname(database), "baseline.sqlite3")
    subprocess.run([sqlite3, database, f"VACUUM INTO '{baseline_database}'"], check=True)
    subprocess.run([sqlite3, baseline_database, "PRAGMA journal_mode = WAL"], check=True, capture_output=True)

    times = {label: [] for label, _ in variants + [("baseline", sqlite3)]}
    peaks = {label: 0 for label in times}

    def insert(index):
        return (f"INSERT INTO kommo_webhook_logs (id, event_type, payload, status) "
                f"VALUES ('cli-{index}', 'leads.add', '{{}}', 'success');")

    for index in range(args.runs):
        for label, path in variants:
            body = kommo_body(lead_id)
            lead_id += 1
            elapsed, _, _ = run_once([path], dict(cgi_env, CONTENT_LENGTH=str(len(body))), body)
            times[label].append(elapsed)
        elapsed, _, _ = run_once([sqlite3, baseline_database, insert(index)], base_env, b"")
        times["baseline"].append(elapsed)
        for label, path, env, body_for, _, _ in extras:
            body = body_for(index + 1)
            elapsed, _, _ = run_once([path], dict(env, CONTENT_LENGTH=str(len(body))), body)
            extra_times[label].append(elapsed)

    for index in range(10):
        for label, path in variants:
            body = kommo_body(lead_id)
            lead_id += 1
            peaks[label] = max(peaks[label], peak_rss_kb([path], dict(cgi_env, CONTENT_LENGTH=str(len(body))), body))
        peaks["baseline"] = max(peaks["baseline"], peak_rss_kb([sqlite3, baseline_database, insert(args.runs + index)], base_env, b""))

    stored = subprocess.run([sqlite3, database, "SELECT count(*) FROM kommo_leads"], capture_output=True, text=True).stdout.strip()
    if stored != str(2 * (lead_id - 1)):
        sys.exit(f"expected {2 * (lead_id - 1)} leads stored, found {stored}: an invocation lost its event")

    def ms(values):
        return statistics.median(values) * 1000

    def p90(values):
        return sorted(values)[int(len(values) * 0.9)] * 1000

    baseline = ms(times["baseline"])
    print(f"cold start: {args.runs} rounds, commands alternating, each on its own SQLite file (WAL), {lead_id - 1} Kommo `leads[update]` bodies "
          f"of two leads each ({len(kommo_body(1))} bytes) stored")
    print(f"  {'command':44s} {'median':>9s} {'p90':>9s} {'peak RSS':>9s} {'ratio':>6s}")
    print(f"  {'sqlite3 CLI, one insert (baseline)':44s} {baseline:7.2f}ms {p90(times['baseline']):7.2f}ms {peaks['baseline'] / 1024:7.1f}MB {1:6.2f}")
    for label, _ in variants:
        ratio = ms(times[label]) / baseline
        peak = peaks[label] / 1024
        verdict = "met" if ratio <= RATIO_TARGET and peak <= RSS_TARGET_MB else "MISSED"
        print(f"  {'kommo-webhook (' + label + '), a two-lead update':44s} {ms(times[label]):7.2f}ms {p90(times[label]):7.2f}ms {peak:7.1f}MB {ratio:6.2f}  targets ratio <= {RATIO_TARGET}, RSS <= {RSS_TARGET_MB:.0f}MB: {verdict}")

    for label, _, _, _, _, variant in extras:
        reference = ms(times[variant])
        value = ms(extra_times[label])
        verdict = "met" if value / reference <= RATIO_TARGET else "MISSED"
        print(f"  {label:44s} {value:7.2f}ms {p90(extra_times[label]):7.2f}ms {'':>9s} {value / baseline:6.2f}"
              f"  {value / reference:.2f}x kommo-webhook, target <= {RATIO_TARGET}: {verdict}")


if __name__ == "__main__":
    main()
