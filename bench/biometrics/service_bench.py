"""Face 1:N search through the biometric SERVICE at a million templates (issue 11).

    .venv/bin/python -m bench.biometrics.service_bench [--n 1000000] [--queries 100]
        [--folder /tmp/ctnode-face-bench] [--keep]

What a user meets, excluding only the face model (which runs once per probe face,
whatever the gallery): ``Search.face_vector`` — the index (``FaceIndexes``: files
under the data folder, refreshed with two ``stat`` calls), the calibration for
the gallery size, the exact search at the calibrated ``possible`` threshold, the
candidates' rows from the store, and the audit entry written to the store.

Steps, each in its own process where a user would meet it in one:

1. ``setup``: a SQLite node whose store holds ``n`` synthetic face templates
   (sealed with the node key like enrolled ones, one sample row each, on the
   demo list's entities). Templates are 128-d unit vectors shaped like SFace's
   (``bench.biometrics.index_bench.templates``: impostor cosines of mean ≈ 0.09,
   spread ≈ 0.085; measured SFace: 0.12 / 0.09). Not timed.
2. ``build``: the first face search of a process with no index files: the build
   from the store (open every template, lay them out), the save, then searches.
   Wall clock and peak memory (``ru_maxrss``) of the whole process.
3. ``open``: a second process (as a CLI search is): opens the files checked
   against the store (one query), then searches; the time to the first answer.
4. ``updates``: in that process, an enrolment's template goes into the index
   (``FaceIndexes.added``: in place, journal, stamp) and the next search finds
   it; then an enrolment made by a third process (``--step enrol-other``: a CLI
   beside a server, which never loads the index and only appends to the journal)
   and this process's next search that finds it; a deletion through
   ``Enrolment.delete_sample``.

Where the wall clock of the build and of opening goes is read from the kernel's
scheduler statistics (``/proc/self/schedstat``): on a CPU, runnable but waiting for
a CPU (the machine's load), and the rest, blocked (disk reads, ``fsync``, locks).

Results: ``bench/biometrics/service_results.json`` and docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
DEMO_LIST = REPO / "src" / "ctnode" / "demo" / "demo-un-sc.xml"
RESULTS = REPO / "bench" / "biometrics" / "service_results.json"


def _admin() -> Any:
    from ctnode.model.access import Actor

    return Actor(name="bench-admin", role="admin")


def _node(folder: Path) -> Any:
    from ctnode.node import Node
    from ctnode.settings import Settings

    return Node(
        Settings(
            data_dir=folder / "data",
            database_url=f"sqlite:///{folder / 'store.db'}",
            mode="development",
        )
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process so far (the machine is shared: wall clock alone misleads)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _sched() -> tuple[float, float]:
    """(seconds on a CPU, seconds runnable but waiting for one) of this thread, from the
    kernel's scheduler statistics: wall − both = time blocked (disk, fsync, locks)."""
    try:
        on_cpu, waiting, _ = Path("/proc/self/schedstat").read_text().split()
    except (OSError, ValueError):
        return 0.0, 0.0
    return int(on_cpu) / 1e9, int(waiting) / 1e9


def _where(wall: float, s0: tuple[float, float]) -> dict[str, float]:
    """Where ``wall`` seconds since ``s0 = _sched()`` went."""
    s1 = _sched()
    cpu, wait = s1[0] - s0[0], s1[1] - s0[1]
    return {"wall_s": round(wall, 1), "on_cpu_s": round(cpu, 1),
            "waiting_for_a_cpu_s": round(wait, 1),
            "blocked_io_s": round(max(wall - cpu - wait, 0.0), 1)}


def _pct(xs: list[float], q: float) -> float:
    return round(1000 * float(np.percentile(xs, q)), 2)


def _purpose() -> Any:
    from ctnode.model.access import Purpose

    return Purpose(purpose="benchmark", legal_basis="test data", case_ref="BENCH")


def _probes(n: int, folder: Path) -> np.ndarray:
    """Half mates of stored templates (cosine 0.45-0.85), half impostors (fresh vectors)."""
    from bench.biometrics.index_bench import mates, templates

    rng = np.random.default_rng(99)
    shared = np.load(folder / "shared.npy")
    planted = np.load(folder / "planted.npy")[: n // 2]
    return np.vstack([mates(planted, rng), templates(n - len(planted), rng, shared)])


def setup(folder: Path, n: int) -> dict[str, Any]:
    from bench.biometrics.index_bench import templates
    from ctnode.clock import utcnow
    from ctnode.ingest.un_sc import parse_un_sc

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    node = _node(folder)
    try:
        node.lists.import_list(parse_un_sc(DEMO_LIST), _admin())
        entities = [e.id for e in node.store.entities.iter_entities()][:50]
        emb = node.biometrics.engines.face
        key = node.biometrics.enrolment.key
        rows = node.store.biometrics
        rng = np.random.default_rng(0)
        shared = rng.standard_normal(128).astype(np.float32)
        shared /= np.linalg.norm(shared)
        np.save(folder / "shared.npy", shared)
        planted: list[np.ndarray] = []
        keep = date.today() + timedelta(days=365)
        t0 = time.perf_counter()
        for start in range(0, n, 50_000):
            size = min(50_000, n - start)
            vecs = templates(size, rng, shared)
            planted.append(vecs[:: max(1, size // 10)][:10].copy())
            samples, tpls = [], []
            now = utcnow()
            for i, vec in enumerate(vecs):
                sid, tid = str(uuid.uuid4()), str(uuid.uuid4())
                entity = entities[(start + i) % len(entities)]
                samples.append({
                    "id": sid, "entity_id": entity, "kind": "face", "position": None,
                    "capture_date": None, "source": "synthetic", "quality": 80.0,
                    "legal_basis": "benchmark", "provenance": {"origin": "synthetic"},
                    "note": "", "image_format": None, "width": None, "height": None,
                    "image_ct": None, "transaction_id": None, "created_at": now,
                    "created_by": "bench", "retain_until": keep,
                })
                tpls.append({
                    "id": tid, "sample_id": sid, "entity_id": entity, "modality": "face",
                    "model_id": emb.model_id, "engine": emb.engine, "dim": 128,
                    "template_ct": key.seal(vec.astype("<f4").tobytes(), f"template:{tid}"),
                    "retain_until": keep, "created_at": now,
                })
            with node.store.begin() as conn:
                rows.insert_many(conn, "sample", samples)
                rows.insert_many(conn, "template", tpls)
            print(f"  setup: {start + size:,} templates", file=sys.stderr, flush=True)
        np.save(folder / "planted.npy", np.vstack(planted))
        return {"templates": n, "seconds": round(time.perf_counter() - t0, 1)}
    finally:
        node.close()


def _store_one(node: Any, vec: np.ndarray) -> tuple[str, str, float]:
    """One face template stored as an enrolment stores it (sample + sealed template, one
    transaction, the model's version counter bumped): (sample id, template id, ms)."""
    from ctnode.clock import utcnow

    emb = node.biometrics.engines.face
    rows = node.store.biometrics
    sid, tid = str(uuid.uuid4()), str(uuid.uuid4())
    entity = next(iter(node.store.entities.iter_entities())).id
    keep = date.today() + timedelta(days=365)
    key = node.biometrics.enrolment.key
    t0 = time.perf_counter()
    with node.store.begin() as conn:
        rows.insert(conn, "sample", {
            "id": sid, "entity_id": entity, "kind": "face", "source": "bench",
            "legal_basis": "benchmark", "provenance": {}, "note": "",
            "created_at": utcnow(), "created_by": "bench", "retain_until": keep,
        })
        rows.insert(conn, "template", {
            "id": tid, "sample_id": sid, "entity_id": entity, "modality": "face",
            "model_id": emb.model_id, "engine": emb.engine, "dim": int(vec.size),
            "template_ct": key.seal(vec.astype("<f4").tobytes(), f"template:{tid}"),
            "retain_until": keep, "created_at": utcnow(),
        })
    return sid, tid, 1000 * (time.perf_counter() - t0)


def enrol_other(folder: Path) -> dict[str, Any]:
    """Another process's enrolment (a CLI beside a server): store the template and tell the
    index files (a journal entry; this process never loads the index)."""
    from bench.biometrics.index_bench import templates

    node = _node(folder)
    try:
        emb = node.biometrics.engines.face
        vec = templates(1, np.random.default_rng(int(time.time())), np.load(folder / "shared.npy"))
        sid, tid, store_ms = _store_one(node, vec[0])
        t0 = time.perf_counter()
        node.biometrics.search.faces.added(emb.model_id, emb.engine, [tid], vec)
        index_ms = 1000 * (time.perf_counter() - t0)
        return {"sample_id": sid, "vector": vec[0].tolist(), "store_ms": round(store_ms, 2),
                "index_ms": round(index_ms, 2), "held_index": bool(node.biometrics.search.faces._held)}
    finally:
        node.close()


def _searches(node: Any, probes: np.ndarray) -> tuple[list[float], int, int, Any]:
    emb = node.biometrics.engines.face
    search = node.biometrics.search
    lat: list[float] = []
    found = impostor_possible = 0
    result = None
    half = len(probes) // 2
    for i, q in enumerate(probes):
        t0 = time.perf_counter()
        result = search.face_vector(_admin(), q, _purpose(), k=20, model_id=emb.model_id,
                                    engine=emb.engine)
        lat.append(time.perf_counter() - t0)
        if i < half:
            found += bool(result.candidates)
        else:
            impostor_possible += bool(result.candidates)
    return lat, found, impostor_possible, result


def build(folder: Path, queries: int) -> dict[str, Any]:
    probes = _probes(queries, folder)
    t0 = time.perf_counter()
    node = _node(folder)
    try:
        emb = node.biometrics.engines.face
        model_s = time.perf_counter() - t0
        t1, c1, s1 = time.perf_counter(), _cpu(), _sched()
        load_start = os.getloadavg()[0]
        index = node.biometrics.search.faces.get(emb.model_id, emb.engine, emb.dim)
        build_s, build_cpu = time.perf_counter() - t1, _cpu() - c1
        where = _where(build_s, s1) | {"load_1m_start": round(load_start, 1),
                                        "load_1m_end": round(os.getloadavg()[0], 1)}
        c2 = _cpu()
        lat, found, impostor, result = _searches(node, probes)
        search_cpu = (_cpu() - c2) / len(probes)
        files = node.biometrics.search.faces.folder(emb.model_id, emb.engine)
        disk = sum(p.stat().st_size for p in files.iterdir() if p.is_file())
        return {
            "node_and_model_s": round(model_s, 2),
            "build_and_save_s": round(build_s, 1),
            "build_and_save_cpu_s": round(build_cpu, 1),
            "build_where_wall_went": where,
            "templates": len(index),
            "peak_rss_mb": round(_peak_mb()),
            "disk_mb": round(disk / 2**20),
            "rebuild_message": node.biometrics.search.faces.rebuilds,
            "search_ms_p50": _pct(lat, 50),
            "search_ms_p95": _pct(lat, 95),
            "search_cpu_ms_mean": round(1000 * search_cpu, 2),
            "mates_found": f"{found}/{len(probes) // 2}",
            "impostor_searches_answering_possible": f"{impostor}/{len(probes) - len(probes) // 2}",
            "thresholds": result.calibration if result else None,
        }
    finally:
        node.close()


def open_and_update(folder: Path, queries: int) -> dict[str, Any]:
    from bench.biometrics.index_bench import templates
    probes = _probes(queries, folder)
    t0 = time.perf_counter()
    node = _node(folder)
    try:
        emb = node.biometrics.engines.face
        model_s = time.perf_counter() - t0
        search = node.biometrics.search
        t1, c1, s1 = time.perf_counter(), _cpu(), _sched()
        first = search.face_vector(_admin(), probes[0], _purpose(), k=20, model_id=emb.model_id,
                                   engine=emb.engine)
        first_s, first_cpu = time.perf_counter() - t1, _cpu() - c1
        first_where = _where(first_s, s1)
        assert search.faces.rebuilds == [], search.faces.rebuilds
        c2 = _cpu()
        lat, found, impostor, _ = _searches(node, probes)
        search_cpu = (_cpu() - c2) / len(probes)
        # an enrolment's template, then the next search
        rng = np.random.default_rng(5)
        vec = templates(1, rng, np.load(folder / "shared.npy"))
        sid, tid, _ = _store_one(node, vec[0])
        t1 = time.perf_counter()
        search.faces.added(emb.model_id, emb.engine, [tid], vec)
        added_ms = 1000 * (time.perf_counter() - t1)
        t1 = time.perf_counter()
        hit = search.face_vector(_admin(), vec[0], _purpose(), k=1, model_id=emb.model_id,
                                 engine=emb.engine)
        visible_ms = added_ms + 1000 * (time.perf_counter() - t1)
        assert hit.candidates and hit.candidates[0].sample_id == sid
        # an enrolment made by another process (a CLI beside a server), then this
        # process's next search: applies the journal entry (one stat, one read) and finds it
        proc = subprocess.run(
            [sys.executable, "-m", "bench.biometrics.service_bench", "--step", "enrol-other",
             "--folder", str(folder)], cwd=REPO, capture_output=True, text=True, check=True,
        )
        other = json.loads(proc.stdout.strip().splitlines()[-1])
        t1 = time.perf_counter()
        seen = search.face_vector(_admin(), np.array(other["vector"], dtype=np.float32),
                                  _purpose(), k=1, model_id=emb.model_id, engine=emb.engine)
        other_search_ms = 1000 * (time.perf_counter() - t1)
        assert seen.candidates and seen.candidates[0].sample_id == other["sample_id"]
        t1 = time.perf_counter()
        node.biometrics.enrolment.delete_sample(_admin(), sid, "benchmark")
        delete_ms = 1000 * (time.perf_counter() - t1)
        gone = search.face_vector(_admin(), vec[0], _purpose(), k=1, model_id=emb.model_id,
                                  engine=emb.engine)
        assert all(c.sample_id != sid for c in gone.candidates)
        return {
            "node_and_model_s": round(model_s, 2),
            "open_and_first_search_s": round(first_s, 2),
            "open_and_first_search_cpu_s": round(first_cpu, 2),
            "open_where_wall_went": first_where,
            "first_candidates": len(first.candidates),
            "search_ms_p50": _pct(lat, 50),
            "search_ms_p95": _pct(lat, 95),
            "search_cpu_ms_mean": round(1000 * search_cpu, 2),
            "mates_found": f"{found}/{len(probes) // 2}",
            "impostor_searches_answering_possible": f"{impostor}/{len(probes) - len(probes) // 2}",
            "enrol_index_update_ms": round(added_ms, 2),
            "enrol_visible_to_next_search_ms": round(visible_ms, 2),
            "other_process_enrol": {
                "store_ms": other["store_ms"],
                "index_journal_ms": other["index_ms"],
                "next_search_here_ms": round(other_search_ms, 2),
                "visible_ms": round(other["index_ms"] + other_search_ms, 2),
                "other_process_loaded_the_index": other["held_index"],
            },
            "delete_sample_ms": round(delete_ms, 2),
            "peak_rss_mb": round(_peak_mb()),
        }
    finally:
        node.close()


def _child(step: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one step in a fresh process (as a user's command would be): its result and wall clock."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.biometrics.service_bench", "--step", step,
         "--n", str(args.n), "--queries", str(args.queries), "--folder", str(args.folder)],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    sys.stderr.write(proc.stderr[-3000:])
    if proc.returncode:
        raise SystemExit(f"step {step} failed")
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process_wall_s"] = round(time.perf_counter() - t0, 1)
    return out


def main() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--folder", type=Path, default=Path("/tmp/ctnode-face-bench"))
    ap.add_argument("--step", choices=["setup", "build", "open", "enrol-other"])
    ap.add_argument("--keep", action="store_true", help="keep the store and files afterwards")
    ap.add_argument("--reuse", action="store_true", help="reuse a store set up before")
    args = ap.parse_args()
    if args.step:
        fn = {"setup": lambda: setup(args.folder, args.n),
              "build": lambda: build(args.folder, args.queries),
              "open": lambda: open_and_update(args.folder, args.queries),
              "enrol-other": lambda: enrol_other(args.folder)}[args.step]
        print(json.dumps(fn()), flush=True)
        return
    out: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M %Z"),
        "machine": {"python": platform.python_version(), "cores": os.cpu_count(),
                    "load_1m": round(os.getloadavg()[0], 2)},
        "n": args.n,
        "queries": args.queries,
    }
    if not args.reuse:
        out["setup"] = _child("setup", args)
    shutil.rmtree(args.folder / "data" / "biometrics" / "index", ignore_errors=True)
    out["build"] = _child("build", args)
    print(json.dumps(out["build"]), file=sys.stderr, flush=True)
    out["open"] = _child("open", args)
    out["machine"]["load_1m_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out, indent=2))
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    if not args.keep:
        shutil.rmtree(args.folder, ignore_errors=True)


if __name__ == "__main__":
    main()
