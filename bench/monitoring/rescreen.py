"""Monitoring benchmark: N watched subjects, then the UN list update of January → May 2026
plus alias changes up to 50 records that touch matching; how long until every affected
subject is re-screened and alerted, against the full re-screen of every subject (the
naive reference, and what a yente user does: screen the whole base again).

    .venv/bin/python -m bench.monitoring.rescreen --subjects 100000
    .venv/bin/python -m bench.monitoring.rescreen --subjects 20000 --naive   # + full re-screen

Subjects are synthetic persons built from real cross-script name parts
(``bench/synthetic.py``), plus the 11 people the UN added in May written as a bank would.
They are written to the store sealed, as ``ctnode watch import`` writes them, but without
the first screen of each (timed separately on a sample: ``watch import`` rate). The node
is warm, as a server is: match index and reverse index built before the change.
Needs CTNODE_SHARED_DATA (the two UN lists and rigour's name parts).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

from bench.synthetic import load_parts, persons
from ctnode.clock import utcnow
from ctnode.ingest.un_sc import parse_un_sc
from ctnode.match.normalise import warm_up
from ctnode.model.access import Actor, Purpose
from ctnode.model.entities import IDENTIFYING_PROPS, Entity
from ctnode.model.lists import ImportReport, ParsedList
from ctnode.model.monitoring import SubjectFields
from ctnode.node import Node
from ctnode.services.monitoring.service import RescreenReport, changed_ids
from ctnode.settings import Settings

ADMIN = Actor("bench", "admin")
P = Purpose("customer due diligence", "AML/CFT Act s.20", "BENCH")
OUT = Path(__file__).resolve().parents[1] / "out" / "monitoring"
SHARED = Path(os.environ.get("CTNODE_SHARED_DATA", "../shared/data"))
ADDED_IN_MAY = {  # as in tests/services/monitoring/test_un_update.py
    "un_sc-QDi.437": ["Sami Jassim Mohammed Jaata al-Jabouri"],
    "un_sc-QDi.438": ["Abdel Hamid Salem Ibrahim Brukan al-Khatuni"],
    "un_sc-QDi.439": ["Hamida Nabagala"],
    "un_sc-SDi.007": ["Gedo Hamdan Ahmad"],
    "un_sc-SDi.008": ["Abdelrahim Hamdan Dagalo"],
    "un_sc-SDi.009": ["Alfateh Abdallah Idriss"],
    "un_sc-SDi.010": ["Tijani Ibrahim Musa Mohamed"],
    "un_sc-SDi.011": ["Algoni Hamdan Daglo"],
    "un_sc-SDi.012": ["Álvaro Andrés Quijano Becerra"],
    "un_sc-SDi.013": ["Claudia Vivianna Oliveros Forero"],
    "un_sc-SDi.014": ["Mateo Andres Duque Botero"],
}


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def subjects(n: int) -> list[SubjectFields]:
    out = [SubjectFields(names=names) for names in ADDED_IN_MAY.values()]
    parts = load_parts(SHARED / "name-variants" / "rigour-person-name-parts.txt")
    for e in persons(parts, n - len(out), seed=15, dataset="watch"):
        out.append(SubjectFields(names=e.get("name") + e.get("alias"),
                                 birth_dates=e.get("birthDate"),
                                 nationalities=e.get("nationality"), label=e.reference))
    return out


def write_subjects(node: Node, fields: list[SubjectFields]) -> None:
    """Sealed rows as ``Monitoring.add`` writes them, without the first screen."""
    mon = node.monitoring
    now = utcnow()
    expires = now.replace(year=now.year + 1)
    for start in range(0, len(fields), 10_000):
        rows: list[dict[str, Any]] = []
        for f in fields[start:start + 10_000]:
            sid = str(uuid.uuid4())
            rows.append({
                "id": sid, "sealed": mon.seal_fields(sid, f),
                "subject_key": node.screening.subject_key(mon.query(f)), "schema": f.schema,
                "owner": "bench", "purpose": P.purpose, "legal_basis": P.legal_basis,
                "case_ref": P.case_ref, "source": "import", "created_by": "bench",
                "created_at": now, "expires_at": expires, "reminded_at": None,
            })
        with node.store.begin() as conn:
            node.store.monitoring.add_subjects(conn, rows)


def may_with_50(jan: ParsedList) -> ParsedList:
    """The May list, with an alias added to as many other records as it takes for 50
    records that touch matching (the real update touches 36)."""
    may = parse_un_sc(SHARED / "un-sc-consolidated.xml")
    jan_by_ref = jan.by_reference()
    def ident(e: Entity) -> set[tuple[str, str]]:
        return {(st.prop, st.value) for st in e.statements if st.prop in IDENTIFYING_PROPS}

    touched = {e.reference for e in may.entities
               if e.reference not in jan_by_ref or ident(e) != ident(jan_by_ref[e.reference])}
    touched |= set(jan_by_ref) - may.references
    out = copy.deepcopy(may)
    extra = 50 - len(touched)
    for e in out.entities:
        if extra <= 0:
            break
        if e.reference not in touched and e.schema == "Person" and e.get("name"):
            e.add("alias", e.get("name")[0].title() + " Junior")
            extra -= 1
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--subjects", type=int, default=100_000)
    ap.add_argument("--naive", action="store_true",
                    help="also run the full re-screen of every subject and compare")
    ap.add_argument("--add-sample", type=int, default=1000,
                    help="subjects put under watch through the product path (with first screen)")
    ap.add_argument("--profile", type=Path, default=None,
                    help="write a cProfile of the re-screen after the change to this file")
    ap.add_argument("--build-profile", type=Path, default=None,
                    help="write a cProfile of the reverse index build to this file")
    ap.add_argument("--snapshot", choices=("write", "reuse"), default=None,
                    help="write: keep a copy of the node after the subjects are written, and "
                         "stop; reuse: start from that copy (the slow part of a 1,000,000 run "
                         "done once)")
    ap.add_argument("--build-only", action="store_true",
                    help="stop after the reverse index is built")
    ap.add_argument("--tag", default="",
                    help="suffix of the working folder and result file (runs side by side)")
    args = ap.parse_args()
    data = OUT / f"n{args.subjects}{args.tag}"
    snapshot = OUT / f"n{args.subjects}-snapshot"
    shutil.rmtree(data, ignore_errors=True)
    if args.snapshot == "reuse":
        if not snapshot.is_dir():
            raise SystemExit(f"no snapshot at {snapshot}: run with --snapshot write first")
        shutil.copytree(snapshot, data)
    result: dict[str, Any] = {"subjects": args.subjects, "cpus": os.cpu_count(),
                              "load": os.getloadavg()[0]}
    t = time.perf_counter()
    node = Node(Settings(data_dir=data, mode="development", jobs_enabled=False))
    jan = parse_un_sc(SHARED / "un-sc-consolidated-2026-01-28.xml")
    if args.snapshot != "reuse":
        node.lists.import_list(jan, ADMIN)
    node.index.prepare()
    result["january_import_s"] = round(time.perf_counter() - t, 1)

    if args.snapshot != "reuse":
        fields = subjects(args.subjects)
        sample = fields[len(ADDED_IN_MAY):][:args.add_sample]
        t = time.perf_counter()
        node.monitoring.add(sample, ADMIN, P)
        result["watch_add_per_s"] = round(len(sample) / (time.perf_counter() - t))
        with node.store.begin() as conn:  # the sample goes again with the bulk
            node.store.monitoring.delete_subjects(
                conn, [r["id"] for r in node.store.monitoring.iter_subjects()])
        t = time.perf_counter()
        write_subjects(node, fields)
        result["bulk_write_s"] = round(time.perf_counter() - t, 1)
        del fields, sample
        if args.snapshot == "write":
            node.close()
            shutil.rmtree(snapshot, ignore_errors=True)
            shutil.copytree(data, snapshot)
            print(json.dumps(result, indent=2))
            return

    t, cpu = time.perf_counter(), time.process_time()
    warm_up()  # rigour's tagger and ICU: a server warms them up at start anyway
    result["warm_up_cpu_s"] = round(time.process_time() - cpu, 1)
    before = rss_mb()
    t, cpu = time.perf_counter(), time.process_time()
    if args.build_profile:
        import cProfile

        cProfile.runctx("node.monitoring.prepare()", globals(), {"node": node},
                        str(args.build_profile))
    else:
        node.monitoring.prepare()
    result["reverse_index_build_s"] = round(time.perf_counter() - t, 1)
    result["reverse_index_build_cpu_s"] = round(time.process_time() - cpu, 1)
    result["reverse_index_rss_mb"] = round(rss_mb() - before)
    result["rss_after_build_mb"] = round(rss_mb())
    if args.build_only:
        node.close()
        print(json.dumps(result, indent=2))
        return

    changed = may_with_50(jan)
    if args.naive:  # both ways on the same state, nothing written; then the real thing
        listener = node.monitoring.on_change
        node.monitoring.on_change = lambda report: None  # type: ignore[method-assign]
        t = time.perf_counter()
        report = node.lists.import_list(changed, ADMIN)
        result["may_import_s"] = round(time.perf_counter() - t, 2)
        node.monitoring.on_change = listener  # type: ignore[method-assign]
        ids = changed_ids(report)
        t, cpu = time.perf_counter(), time.thread_time()
        reverse = node.monitoring.plan_changed(ids)
        result["reverse_plan_s"] = round(time.perf_counter() - t, 2)
        result["reverse_plan_cpu_s"] = round(time.thread_time() - cpu, 2)
        t, cpu = time.perf_counter(), time.thread_time()
        full = node.monitoring.plan_full()
        result["full_rescreen_s"] = round(time.perf_counter() - t, 1)
        result["full_rescreen_cpu_s"] = round(time.thread_time() - cpu, 1)
        same = sorted((c.subject_id, c.entity_id, c.before, c.after) for c in reverse.changes)
        result["same_changes_as_full"] = same == sorted(
            (c.subject_id, c.entity_id, c.before, c.after) for c in full.changes)
        t, cpu = time.perf_counter(), time.thread_time()
        last = node.monitoring.rescreen_changed(ids, "bench")
        result["rescreen_s"] = round(time.perf_counter() - t, 2)
        result["rescreen_cpu_s"] = round(time.thread_time() - cpu, 2)
    else:
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            listener = node.monitoring.on_change

            def profiled(report: ImportReport) -> RescreenReport | None:
                assert profiler is not None
                return profiler.runcall(listener, report)

            node.monitoring.on_change = profiled  # type: ignore[method-assign]
        t, cpu = time.perf_counter(), time.thread_time()
        report = node.lists.import_list(changed, ADMIN)
        result["may_import_s"] = round(time.perf_counter() - t, 2)
        result["may_import_cpu_s"] = round(time.thread_time() - cpu, 2)
        if profiler is not None:
            profiler.dump_stats(str(args.profile))
        assert node.monitoring.last is not None
        last = node.monitoring.last
        result["rescreen_s"] = round(last.seconds, 2)
        result["rescreen_cpu_s"] = round(last.cpu_seconds, 2)
    result["changed_records"] = len(changed_ids(report))
    result["rescreen"] = last.summary()
    raised = {a["entity_id"] for a in last.alerts if a["kind"] == "new"}
    result["may_additions_alerted"] = sum(1 for e in ADDED_IN_MAY if e in raised)
    result["peak_rss_mb"] = round(peak_mb())
    node.close()
    print(json.dumps(result, indent=2))
    (OUT / f"result-n{args.subjects}{args.tag}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
