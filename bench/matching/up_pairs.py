"""``ctnode up`` on an existing store, old code against new, in turn (issue 11): until the
server answers ``/healthz``, until it answers its first ``POST /screen``, and until
``/readyz`` says 200; wall seconds and the process's CPU seconds at each point.

    .venv/bin/python -m bench.matching.up_pairs --old /work/wt/old-NAME/src [--pairs 5]

``--old`` is the ``src`` folder of another checkout (compiled: ``python -m compileall -q
src``); the new code is this checkout's. Each side gets its own copy of
``bench/out/cli-node`` (made by ``cli_bench``: the UN list, SQLite), started once first so
that its index files are current for the copy's path (not counted). Then, ``--pairs``
times, old first on odd pairs and new first on even ones, ``python -m ctnode.cli up --port
P`` (``PYTHONPATH`` picks the code) is started and polled every 20 ms; the CPU seconds are
read from ``/proc`` at each first answer (they include what the background warm-up did by
then). The first screen's hits are compared, old against new. Results:
``bench/out/up-pairs.json`` and a table; figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
KEY = "ctn_0be0c0ffee42_" + "u" * 43  # the bench's own bootstrap admin key (its own id)
QUERY = {"name": "Mohammed Omar"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def up(code: Path, folder: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(code), "CTNODE_DATA_DIR": str(folder),
           "CTNODE_MODE": "development", "CTNODE_JOBS_ENABLED": "false",
           "CTNODE_BOOTSTRAP_ADMIN_KEY": KEY}
    env.pop("CTNODE_DATABASE_URL", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "ctnode.cli", "up", "--port", str(port)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    out: dict[str, Any] = {"load": os.getloadavg()[0]}
    try:
        for what, path in (("serving", "/healthz"), ("screen", "/screen"), ("ready", "/readyz")):
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"ctnode up exited ({proc.returncode})")
                try:
                    if path == "/screen":
                        req = urllib.request.Request(
                            base + path, data=json.dumps(QUERY).encode(), method="POST",
                            headers={"Content-Type": "application/json", "X-API-Key": KEY,
                                     "X-Purpose": "benchmark", "X-Legal-Basis": "benchmark"})
                        try:
                            with urllib.request.urlopen(req, timeout=60) as r:
                                body = json.loads(r.read())
                        except urllib.error.HTTPError as exc:  # an answer, not a wait
                            raise SystemExit(f"POST /screen: {exc.code} {exc.read()!r}") from None
                        out["hits"] = [(h["entity_id"], h["score"]) for h in body["hits"]]
                        break
                    if _get(base + path) == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.02)
            out[f"{what}_s"] = time.perf_counter() - started
            out[f"{what}_cpu"] = _cpu(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--old", type=Path, required=True, help="src folder of the old code")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--folder", type=Path, default=ROOT / "bench" / "out" / "cli-node",
                    help="the node folder to copy (cli_bench's)")
    ap.add_argument("--scratch", type=Path, default=Path("/tmp/up-pairs"))
    args = ap.parse_args()
    codes = {"old": args.old.resolve(), "new": ROOT / "src"}
    folders = {side: args.scratch / side for side in codes}
    for side, folder in folders.items():
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(args.folder, folder)
        up(codes[side], folder)  # index files for the copy's path, the bench key added
    rows: dict[str, list[dict[str, Any]]] = {"old": [], "new": []}
    same = True
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    for i in range(args.pairs):
        order = ("old", "new") if i % 2 == 0 else ("new", "old")
        got = {side: up(codes[side], folders[side]) for side in order}
        same = same and got["old"]["hits"] == got["new"]["hits"]
        for side, r in got.items():
            rows[side].append(r)
    result: dict[str, Any] = {"started": started,
                              "ended": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                              "old": str(codes["old"]), "pairs": args.pairs,
                              "same_first_screen": same}
    print(f"| code | until /healthz: wall s; CPU s | until the first screen | until /readyz "
          f"| load |\n|---|---:|---:|---:|---|\n(medians of {args.pairs})")
    for side, rs in rows.items():
        med = {k: round(statistics.median(r[k] for r in rs), 2)
               for k in ("serving_s", "serving_cpu", "screen_s", "screen_cpu", "ready_s",
                         "ready_cpu")}
        loads = [r["load"] for r in rs]
        result[side] = {"median": med, "runs": [{k: v for k, v in r.items() if k != "hits"}
                                                for r in rs]}
        print(f"| {side} | {med['serving_s']}; {med['serving_cpu']} | {med['screen_s']}; "
              f"{med['screen_cpu']} | {med['ready_s']}; {med['ready_cpu']} | "
              f"{min(loads):.1f}–{max(loads):.1f} |")
    print("same first screen, old and new:", same)
    (ROOT / "bench" / "out" / "up-pairs.json").write_text(json.dumps(result, indent=1))
    shutil.rmtree(args.scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
