"""Name screening as a user meets it (issue 11): the whole command from a shell, a warm
server over HTTP, ``ctnode up`` until it serves, and the name index's files.

    .venv/bin/python -m bench.matching.cli_bench [--runs 7] [--http 300] [--verify 100]

Uses its own data folder (``bench/out/cli-node``): the UN list is imported there on the
first run (timed: import and index build). Then, each timed with a Python clock around
the child process (wall clock, as a shell user waits) and the child's peak memory
(``wait4`` ru_maxrss):

* ``ctnode screen NAME --json`` with the index files current (the normal case), over
  several names in Latin and other scripts;
* the same once with the index folder removed (the one-time rebuild a user meets after
  deleting it or upgrading the matcher);
* ``ctnode index verify --sample N`` (fast vs naive on sample queries);
* ``ctnode screen manifest`` (500 travellers, PAXLST) and ``ctnode screen payments`` (300
  pacs.008 transfers), the files made as bench/travel makes them;
* ``ctnode up`` on the existing store: seconds (and CPU seconds) until ``/healthz``
  answers, and until ``/readyz`` says the node has warmed up;
* against that warm server, ``POST /screen`` over HTTP (loopback, one connection per
  request as a script would do): p50/p95/mean latency;
* in this process: loading the index files (``ctnode.match.persist.load``) and their size.

Results: ``bench/out/cli-bench.json`` and printed. Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from ctnode.services.access_tokens import new_token

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CTNODE_SHARED_DATA", ROOT.parent / "shared" / "data"))
CTNODE = [sys.executable, "-m", "ctnode.cli"]
NAMES = ["Mohammed Omar", "AL-ZAWAHIRI, Aiman", "Abu Bakr al-Baghdadi", "Джамшид Рахимов",
         "محمد عمر", "Said Jan Abd al-Salam", "Hamza bin Laden", "Jane Smith"]
PURPOSE = ["--purpose", "benchmark", "--legal-basis", "benchmark"]


CPU: list[float] = []  # CPU seconds (user + system) of each command run, in order


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """(wall seconds, peak MB, exit code, stderr) of one whole command; its CPU seconds
    are appended to CPU (on a loaded machine, wall clock includes waiting for a core)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            cwd=ROOT)
    assert proc.stderr is not None
    err = proc.stderr.read().decode(errors="replace")
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    CPU.append(usage.ru_utime + usage.ru_stime)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode, err


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def file_screens(folder: Path, env: dict[str, str], runs: int) -> dict[str, Any]:
    """``ctnode screen manifest`` on a 500-traveller PAXLST and ``ctnode screen payments``
    on a 300-transfer pacs.008, each the whole command (the files are made once, with
    listed people planted as bench/travel does, and kept in ``bench/out/cli-files``)."""
    import random

    from bench.travel.run import manifest_message, payments_message
    from ctnode.node import Node
    from ctnode.settings import Settings

    files = ROOT / "bench" / "out" / "cli-files"
    manifest, payments = files / "paxlst-500.edi", files / "pacs008-300.xml"
    if not (manifest.exists() and payments.exists()):
        files.mkdir(parents=True, exist_ok=True)
        node = Node(Settings(data_dir=folder, mode="development"))
        try:
            manifest.write_bytes(manifest_message(node, random.Random(7), 500, 25)[0])
            payments.write_bytes(payments_message(node, random.Random(7), 300, 30, 6)[0])
        finally:
            node.close()
    out: dict[str, Any] = {}
    for label, command, path in (("manifest_500", "manifest", manifest),
                                 ("payments_300", "payments", payments)):
        walls, peaks = [], []
        for _ in range(runs):
            wall, peak, code, err = run([*CTNODE, "screen", command, str(path), "--format",
                                         "jsonl", "--output", os.devnull, *PURPOSE], env)
            assert code in (0, 1), err  # 1: hits to review
            walls.append(wall)
            peaks.append(peak)
        out[f"screen_{label}_s"] = {"median": round(statistics.median(walls), 3),
                                    "min": round(min(walls), 3), "max": round(max(walls), 3),
                                    "runs": runs,
                                    "cpu_median": round(statistics.median(CPU[-runs:]), 3),
                                    "peak_mb": round(max(peaks))}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=7, help="whole-command screens (current index)")
    ap.add_argument("--http", type=int, default=300, help="HTTP screens against the warm server (0: none)")
    ap.add_argument("--verify", type=int, default=100, help="sample of ctnode index verify (0: skip)")
    ap.add_argument("--folder", type=Path, default=ROOT / "bench" / "out" / "cli-node")
    ap.add_argument("--files", type=int, default=5,
                    help="whole-command manifest and payments screens (0: skip)")
    args = ap.parse_args()
    folder: Path = args.folder
    folder.mkdir(parents=True, exist_ok=True)
    key = new_token()[2]
    env = {**os.environ, "CTNODE_DATA_DIR": str(folder), "CTNODE_MODE": "development",
           "CTNODE_BOOTSTRAP_ADMIN_KEY": key, "CTNODE_JOBS_ENABLED": "false"}
    env.pop("CTNODE_DATABASE_URL", None)
    result: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "load_before": load_average(),
    }
    if not (folder / "index").exists() and not (folder / "imported").exists():
        wall, peak, code, err = run([*CTNODE, "import", "un-sc",
                                     str(SHARED / "un-sc-consolidated.xml")], env)
        assert code == 0, err
        result["import_un_s"] = round(wall, 2)
        result["import_un_peak_mb"] = round(peak)
        (folder / "imported").touch()
    # one screen after removing the index: the one-time rebuild
    shutil.rmtree(folder / "index", ignore_errors=True)
    wall, peak, code, err = run([*CTNODE, "screen", NAMES[0], "--json", *PURPOSE], env)
    assert code == 0, err
    result["screen_rebuilding_index_s"] = round(wall, 2)
    result["screen_rebuilding_index_peak_mb"] = round(peak)
    walls, peaks = [], []
    for i in range(args.runs):
        wall, peak, code, err = run(
            [*CTNODE, "screen", NAMES[i % len(NAMES)], "--json", *PURPOSE], env)
        assert code == 0, err
        assert "name index" not in err, err  # loaded, never rebuilt
        walls.append(wall)
        peaks.append(peak)
    result["screen_cli_s"] = {"median": round(statistics.median(walls), 3),
                              "min": round(min(walls), 3), "max": round(max(walls), 3),
                              "runs": len(walls)}
    result["screen_cli_cpu_s_median"] = round(statistics.median(CPU[-args.runs:]), 3)
    result["screen_cli_peak_mb"] = round(max(peaks))
    if args.verify:
        wall, peak, code, err = run([*CTNODE, "index", "verify", "--sample", str(args.verify)],
                                    env)
        result["index_verify"] = {"s": round(wall, 1), "sample": args.verify, "ok": code == 0}
    if args.files:
        result.update(file_screens(folder, env, args.files))
    # in this process: the index files
    from ctnode.match import Thresholds, persist
    from ctnode.services.screening.index import store_identity
    from ctnode.settings import Settings

    settings = Settings(data_dir=folder, mode="development")
    loads, load_cpu = [], []
    for _ in range(5):
        t0, c0 = time.perf_counter(), time.process_time()
        matcher, stamp = persist.load(folder / "index", Thresholds(), 200,
                                      {"store": store_identity(settings.store_url)})
        loads.append(time.perf_counter() - t0)
        load_cpu.append(time.process_time() - c0)
    result["index_load_ms"] = round(statistics.median(loads) * 1000, 1)
    result["index_load_cpu_ms"] = round(statistics.median(load_cpu) * 1000, 1)
    result["index_bytes"] = sum(int(f["size"]) for f in stamp["files"].values())
    result["index_records"], result["index_names"] = stamp["records"], stamp["names"]
    del matcher
    # ctnode up on the existing store, then HTTP against it
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen([*CTNODE, "up", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("ctnode up exited") from None
                time.sleep(0.02)
        result["up_serving_s"] = round(time.perf_counter() - started, 2)
        result["up_serving_cpu_s"] = process_cpu(server.pid)
        # the rest is built in the background; /readyz says when it is done
        while True:
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=30) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        result["up_ready_s"] = round(time.perf_counter() - started, 2)
        result["up_ready_cpu_s"] = process_cpu(server.pid)
        lat = []
        for i in range(args.http):
            body = json.dumps({"name": NAMES[i % len(NAMES)] + ("" if i < len(NAMES)
                               else f" {i}")}).encode()
            req = urllib.request.Request(
                f"{base}/screen", data=body, method="POST",
                headers={"Content-Type": "application/json", "X-API-Key": key,
                         "X-Purpose": "benchmark", "X-Legal-Basis": "benchmark"})
            t0 = time.perf_counter()
            with urllib.request.urlopen(req, timeout=30) as r:
                r.read()
                assert r.status == 200
            lat.append((time.perf_counter() - t0) * 1000)
        if lat:  # --http 0: no HTTP screens
            result["http_screen_ms"] = {"p50": round(pct(lat, 0.5), 1),
                                        "p95": round(pct(lat, 0.95), 1),
                                        "mean": round(statistics.fmean(lat), 1),
                                        "n": len(lat)}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    result["load_after"] = load_average()
    out = ROOT / "bench" / "out"
    (out / "cli-bench.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
