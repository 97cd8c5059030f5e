#!/usr/bin/env python3
"""Hostile-body benchmark: kommo-webhook (release build, run as a CGI host runs it) given 1 MiB
bodies of the shapes that used to cost quadratic time: many form keys, deep form keys, `a[]`
lists, a wide JSON object and deep JSON. Each is timed with the default limits (most are
refused with a 400 naming the limit, and the raw body is still logged) and, where the limits
allow it, with the limits raised so the whole body is parsed and stored.

The time is the whole invocation: process start, reading 1 MiB, parsing, and the write of the
log row. Target: every shape under 50 ms. Prints; never fails a build.

Usage: Benchmarks/parse_bodies.py [--functions DIR] [--runs N]
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

MIB = 1 << 20
TARGET_MS = 50.0


def fill(unit, separator=b"&"):
    """`unit(i)` repeated, joined by `separator`, up to 1 MiB."""
    parts, size, index = [], 0, 0
    while True:
        part = unit(index)
        if size + len(part) + len(separator) > MIB:
            return separator.join(parts)
        parts.append(part)
        size += len(part) + len(separator)
        index += 1


def shapes():
    wide = fill(lambda i: b'"k%d":%d' % (i, i), b",")
    return [
        ("many form keys", "application/x-www-form-urlencoded", fill(lambda i: b"k%d=v" % i)),
        ("deep form keys", "application/x-www-form-urlencoded", b"a" + b"[x]" * ((MIB - 3) // 3) + b"=1"),
        ("a[] lists", "application/x-www-form-urlencoded", fill(lambda i: b"a[]=v")),
        ("wide JSON object", "application/json", b"{" + wide[: MIB - 2].rsplit(b",", 1)[0] + b"}"),
        ("deep JSON", "application/json", b"[" * (MIB // 2) + b"]" * (MIB // 2)),
    ]


def invoke(binary, body, content_type, settings):
    environment = {"REQUEST_METHOD": "POST", "SCRIPT_NAME": "/kommo-webhook", "CONTENT_TYPE": content_type,
                   "CONTENT_LENGTH": str(len(body)), "GATEWAY_INTERFACE": "CGI/1.1", **settings}
    started = time.perf_counter()
    result = subprocess.run([binary], input=body, env=environment, capture_output=True)
    elapsed = (time.perf_counter() - started) * 1000
    status = result.stdout.split(b"\n", 1)[0].decode(errors="replace").removeprefix("Status: ")
    return elapsed, status


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--functions", default=".build-release/release")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    binary = os.path.join(args.functions, "kommo-webhook")
    folder = tempfile.mkdtemp(prefix="leadwire-parse-bench-")
    database = os.path.join(folder, "leadwire.sqlite3")
    defaults = {"LEADWIRE_DATABASE": database, "LEADWIRE_MAX_BODY_BYTES": str(2 * MIB)}
    raised = {**defaults, "LEADWIRE_MAX_FORM_KEYS": "1000000", "LEADWIRE_MAX_FORM_INDEX": "1000000"}
    invoke(binary, b"x=1", "application/x-www-form-urlencoded", defaults)  # creates the store

    print(f"parse: kommo-webhook, 1 MiB bodies, median of {args.runs} CGI invocations (target < {TARGET_MS:.0f} ms each)")
    print(f"  {'shape':18} {'limits':8} {'median ms':>9} {'max ms':>7}  answer")
    worst = 0.0
    for name, content_type, body in shapes():
        for label, settings in (("default", defaults), ("raised", raised)):
            if label == "raised" and "deep" in name:
                continue  # depth is the guard against the stack; it is not raised
            times, status = [], ""
            for _ in range(args.runs):
                elapsed, status = invoke(binary, body, content_type, settings)
                times.append(elapsed)
            worst = max(worst, statistics.median(times))
            print(f"  {name:18} {label:8} {statistics.median(times):9.1f} {max(times):7.1f}  {status}")
    print(f"  slowest median {worst:.1f} ms: {'met' if worst < TARGET_MS else 'MISSED'} (target < {TARGET_MS:.0f} ms)")


if __name__ == "__main__":
    main()
