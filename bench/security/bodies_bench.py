"""Memory of a node under large hostile bodies (issue 13: bounded inputs).

Starts one real node process (``ctnode serve``, SQLite, demo list) on 127.0.0.1, waits
until it is warm (one authenticated screen), samples its resident memory (VmRSS) every
10 ms while each hostile request is sent over a raw socket, and reports the peak above
the idle level, the status the node answered and how many bytes it had taken when it
answered. The body is streamed in 64 KiB pieces, ``Transfer-Encoding: chunked`` (no
declared length) unless the case declares one; sending stops as soon as the node answers.

Cases: ``POST /screen`` without a key (chunked, and with a declared 300 MB length), with a
valid key (chunked: the JSON limit), and the peer endpoint with an unknown
``X-CTNode-Sender`` header and without one (the message limit).

Run: .venv/bin/python -m bench.security.bodies_bench [--mb 300] [--ctnode PATH]
``--ctnode`` runs another build's ``ctnode`` (e.g. /work/main/.venv/bin/ctnode) for a
before/after in the same run. Prints a Markdown table (docs/benchmarks.md, ## Security).
"""

from __future__ import annotations

import argparse
import os
import platform
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

CTNODE = str(Path(sys.executable).with_name("ctnode"))
KEY = "ctn_benchkey1_" + "s" * 32
PIECE = 64 * 1024


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_kb(self.pid))
            time.sleep(0.01)


def send(port: int, path: str, headers: dict[str, str], total: int, declared: bool) -> tuple[int, int, float]:
    """Stream ``total`` bytes of JSON-looking filler; (status, bytes sent, seconds)."""
    s = socket.create_connection(("127.0.0.1", port))
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Content-Type: application/json"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append(f"Content-Length: {total}" if declared else "Transfer-Encoding: chunked")
    s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    piece = b'{"name": "' + b"x" * (PIECE - 10)
    sent = 0
    t0 = time.perf_counter()
    try:
        while sent < total:
            if select.select([s], [], [], 0)[0]:
                break  # the node answered: stop sending
            data = piece[: min(PIECE, total - sent)]
            s.sendall(data if declared else b"%x\r\n%s\r\n" % (len(data), data))
            sent += len(data)
        else:
            if not declared:
                s.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    s.settimeout(120)
    reply = b""
    try:
        while b"\r\n" not in reply:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    elapsed = time.perf_counter() - t0
    s.close()
    status = int(reply.split()[1]) if reply.startswith(b"HTTP/") else 0
    return status, sent, elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=int, default=300)
    ap.add_argument("--ctnode", default=CTNODE)
    ap.add_argument("--skip", default="", help="comma-separated case numbers (1-5) to skip; "
                    "case 3 on a build without a JSON limit parses the whole body (GBs)")
    args = ap.parse_args()
    total = args.mb * 1024 * 1024
    root = Path(tempfile.mkdtemp(prefix="ctnode-bodies-"))
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    env = {**os.environ, "CTNODE_DATA_DIR": str(root), "CTNODE_MODE": "development",
           "CTNODE_PORT": str(port), "CTNODE_HOST": "127.0.0.1", "CTNODE_DATABASE_URL": "",
           "CTNODE_BOOTSTRAP_ADMIN_KEY": KEY, "CTNODE_JOBS_ENABLED": "false"}
    subprocess.run([args.ctnode, "init", "--node-id", "bench-node", "--organisation", "Bench",
                    "--country", "FR", "--contact", "b@bench.invalid", "--endpoint",
                    f"http://127.0.0.1:{port}"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen([args.ctnode, "serve"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        warm = httpx.post(url + "/screen", json={"name": "Kuressaar"},
                          headers={"X-API-Key": KEY}, timeout=120)
        assert warm.status_code == 200, warm.text
        time.sleep(1)
        cases = [
            ("POST /screen, no key, chunked", "/screen", {}, False),
            ("POST /screen, no key, Content-Length", "/screen", {}, True),
            ("POST /screen, valid key, chunked", "/screen", {"X-API-Key": KEY}, False),
            ("peer endpoint, unknown X-CTNode-Sender", "/federation/v1/messages",
             {"X-CTNode-Sender": "stranger"}, False),
            ("peer endpoint, no sender header", "/federation/v1/messages", {}, False),
        ]
        print(f"machine: {platform.node()} {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f};"
              f" ctnode: {args.ctnode}; body {args.mb} MB")
        print("\n| case | answer | MB sent before the answer | peak RSS above idle | seconds |")
        print("| --- | --- | --- | --- | --- |")
        skip = {int(n) for n in args.skip.split(",") if n}
        for number, (label, path, headers, declared) in enumerate(cases, 1):
            if number in skip:
                continue
            idle = rss_kb(proc.pid)
            sampler = Sampler(proc.pid)
            sampler.start()
            status, sent, secs = send(port, path, headers, total, declared)
            time.sleep(0.5)
            sampler.running = False
            sampler.join()
            print(f"| {label} | {status} | {sent / 2**20:.1f} | "
                  f"{(sampler.peak - idle) / 1024:+.1f} MB | {secs:.2f} |")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
