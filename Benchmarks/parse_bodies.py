#!/usr/bin/env python3
"""Hostile-body benchmark: how long the webhook body parser takes on 1 MiB bodies of the shapes
that once cost quadratic time (many form keys, deep form keys, `a[]` lists, a wide JSON object,
deep JSON), with the default limits (most are refused with a 400 naming the limit) and, where
the limits allow it, with them raised so the whole body is parsed.

It runs the package's `parse-bodies` program (Benchmarks/ParseBodies/), built for release as the
functions are. Target: every shape under 50 ms with the default limits
(the raised rows show the cost per field of a body that large). Prints; never fails a build.

Usage: Benchmarks/parse_bodies.py [--runs N]
"""
import argparse
import os
import subprocess


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    scratch = os.path.join(root, ".build-release")
    subprocess.run(["swift", "build", "-c", "release", "--product", "parse-bodies", "--scratch-path", scratch], check=True, cwd=root)
    subprocess.run([os.path.join(scratch, "release", "parse-bodies"), str(args.runs)], check=True)

if __name__ == "__main__":
    main()
