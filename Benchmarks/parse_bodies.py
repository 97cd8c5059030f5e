#!/usr/bin/env python3
"""Hostile-body benchmark: how long the webhook body parser takes on 1 MiB bodies of the shapes
that once cost quadratic time (many form keys, deep form keys, `a[]` lists, a wide JSON object,
deep JSON), with the default limits (most are refused with a 400 naming the limit) and, where
the limits allow it, with them raised so the whole body is parsed.

It builds Benchmarks/ParseBodies.swift with swiftc -O together with FunctionKit's parsers
(scripts/parser-sources) and runs it. Target: every shape under 50 ms with the default limits
(the raised rows show the cost per field of a body that large). Prints; never fails a build.

Usage: Benchmarks/parse_bodies.py [--runs N]
"""
import argparse
import os
import subprocess
import tempfile


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    folder = tempfile.mkdtemp(prefix="leadwire-parse-bench-")
    sources = os.path.join(folder, "src")
    flags = subprocess.run([os.path.join(root, "scripts", "parser-sources"), sources], check=True, capture_output=True, text=True).stdout.split("\n")
    program = os.path.join(folder, "parse-bodies")
    files = [os.path.join(sources, name) for name in sorted(os.listdir(sources))] + [os.path.join(root, "Benchmarks", "ParseBodies.swift")]
    subprocess.run(["swiftc", "-O", "-wmo", "-parse-as-library", "-module-name", "ParseBodies", *[f for f in flags if f], *files, "-o", program], check=True)
    subprocess.run([program, str(args.runs)], check=True)


if __name__ == "__main__":
    main()
