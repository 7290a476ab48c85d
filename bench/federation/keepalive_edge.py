"""Requests at the keep-alive edge: does a served node close a connection a client reuses?

The federation client (``HttpTransport``'s settings: keep-alive, ``KEEPALIVE_EXPIRY``) sends
GET /healthz to one running ``ctnode serve`` again and again, each time after an idle gap
drawn from [LO, HI] seconds (near the client's 5 s expiry), with two busy threads in the
process (as a serving node's threads contend for the interpreter), and counts the requests
that failed on the connection (``RemoteProtocolError``: "Server disconnected without
sending a response", what a network screen reports as the peer ``down``).

Run several at once against a node of the old code and one of the new, in turn:
  .venv/bin/python -m bench.federation.keepalive_edge PORT [--requests 40] [--lo 4.88] [--hi 5.02]
"""

from __future__ import annotations

import argparse
import random
import threading
import time

import httpx

from ctnode.federation.transport import KEEPALIVE_EXPIRY


def burn() -> None:
    x = 0
    while True:
        for i in range(10_000):
            x += i


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("port", type=int)
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--lo", type=float, default=4.88)
    ap.add_argument("--hi", type=float, default=5.02)
    args = ap.parse_args()
    for _ in range(2):
        threading.Thread(target=burn, daemon=True).start()
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64,
                          keepalive_expiry=KEEPALIVE_EXPIRY)
    url = f"http://127.0.0.1:{args.port}/healthz"
    failed = 0
    with httpx.Client(limits=limits, trust_env=False) as client:
        client.get(url)
        for _ in range(args.requests):
            time.sleep(random.uniform(args.lo, args.hi))
            try:
                client.get(url, timeout=30)
            except httpx.TransportError as exc:
                failed += 1
                print(f"{type(exc).__name__}: {exc}", flush=True)
    print(f"port {args.port}: {failed} of {args.requests} failed", flush=True)


if __name__ == "__main__":
    main()
