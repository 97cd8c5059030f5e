#!/usr/bin/env python3
"""Writes the seed inputs of one fuzz target into a folder: the shapes the tests send.

Usage: Fuzz/seeds.py TARGET FOLDER
"""
import os
import struct
import sys


def record(kind, request_id, content=b""):
    padding = (8 - len(content) % 8) % 8
    return struct.pack("!BBHHBx", 1, kind, request_id, len(content), padding) + content + b"\0" * padding


def pairs(items):
    out = b""
    for name, value in items:
        for length in (len(name), len(value)):
            out += bytes([length]) if length < 128 else struct.pack("!I", length | 0x80000000)
        out += name + value
    return out


def fastcgi_records():
    body = b"leads%5Badd%5D%5B0%5D%5Bid%5D=1&leads%5Badd%5D%5B0%5D%5Bname%5D=Lead"
    params = [(b"REQUEST_METHOD", b"POST"), (b"SCRIPT_NAME", b"/kommo-webhook"), (b"CONTENT_LENGTH", str(len(body)).encode()),
              (b"HTTP_X_LONG", b"x" * 200)]

    def request(request_id, keep):
        return (record(1, request_id, struct.pack("!HB5x", 1, 1 if keep else 0)) + record(4, request_id, pairs(params))
                + record(4, request_id) + record(5, request_id, body) + record(5, request_id))

    # The first byte of each input picks where the fuzzer splits it into two reads.
    return {
        "request": b"\x07" + request(1, False),
        "two-kept-requests": b"\x30" + request(1, True) + request(1, True),
        "multiplexed": b"\x00" + record(1, 1, struct.pack("!HB5x", 1, 1)) + record(1, 2, struct.pack("!HB5x", 1, 0)),
        "aborted": b"\x00" + record(1, 1, struct.pack("!HB5x", 1, 1)) + record(2, 1),
        "get-values": b"\x03" + record(9, 0, pairs([(b"FCGI_MPXS_CONNS", b""), (b"FCGI_MAX_CONNS", b"")])),
        "unknown-type": b"\x00" + record(42, 0),
    }


SEEDS = {"fastcgi-records": fastcgi_records}

if __name__ == "__main__":
    target, folder = sys.argv[1], sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    for name, data in SEEDS[target]().items():
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(data)
