"""Matching benchmark: ctnode vs nomenklatura logic-v2 vs naive rapidfuzz, same cases, one run.

    bash bench/setup.sh                      # once: bench-only venv with nomenklatura
    .venv/bin/python -m bench.matching.run   # prints the table, writes bench/out/matching/

Options: ``--nk-negatives N`` (yente negatives given to the slow reference matcher, default
5,000 of 50,000), ``--systems ctnode,rapidfuzz`` to skip one, ``--quick`` (small subsets).
Each system runs in its own process so peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.matching.cases import (
    entity_json,
    latin_only,
    load_variants,
    un_variant_cases,
    yente_cases,
)

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out" / "matching"
SHARED = Path(os.environ.get("CTNODE_SHARED_DATA", ROOT.parent / "shared" / "data"))
PYTHONS = {
    "ctnode": ROOT / ".venv" / "bin" / "python",
    "rapidfuzz": ROOT / ".venv" / "bin" / "python",
    "nomenklatura": ROOT / "bench" / ".venv" / "bin" / "python",
}


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _run(system: str, entities: Path, cases: Path, tag: str) -> dict[str, Any]:
    out = OUT / f"result-{system}-{tag}.json"
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'src'}:{ROOT}")
    started = time.perf_counter()
    subprocess.run([str(PYTHONS[system]), str(ROOT / "bench" / "matching" / "systems.py"),
                    system, str(entities), str(cases), str(out)], check=True, env=env)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    result["wall_s"] = time.perf_counter() - started
    return result


def _run_pairs(system: str, pairs: Path, extra: Path, tag: str) -> dict[str, Any]:
    out = OUT / f"result-{system}-{tag}.json"
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'src'}:{ROOT}")
    subprocess.run([str(PYTHONS[system]), str(ROOT / "bench" / "matching" / "systems.py"),
                    "pairs", system, str(pairs), str(extra), str(out)], check=True, env=env)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def pair_metrics(pairs: list[dict[str, Any]], result: dict[str, Any]) -> dict[str, Any]:
    t = result["threshold"]
    tp = fp = fn = tn = 0
    by_source: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for p, score in zip(pairs, result["scores"], strict=True):
        pred = score >= t
        if p["label"]:
            tp += int(pred)
            fn += int(not pred)
            by_source[p["source"]][0] += int(pred)
            by_source[p["source"]][1] += 1
        else:
            fp += int(pred)
            tn += int(not pred)
            by_source[p["source"]][2] += int(pred)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairs": len(pairs), "positives": tp + fn, "precision": precision,
            "recall": recall, "f1": f1, "threshold": t,
            "pairs_per_s": len(pairs) / sum(result["case_s"]) if sum(result["case_s"]) else None,
            "by_source": {k: {"recall": v[0] / v[1] if v[1] else None, "false_pos": v[2]}
                          for k, v in sorted(by_source.items())}}


def metrics(cases: list[dict[str, Any]], result: dict[str, Any]) -> dict[str, Any]:
    threshold = result["threshold"]
    pos = neg = top1 = alert = fp = 0
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    neg_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case, (top_id, score) in zip(cases, result["results"], strict=True):
        if case["expected"] is None:
            neg += 1
            hit = int(top_id is not None and score >= threshold)
            fp += hit
            neg_kind[case["kind"]][0] += hit
            neg_kind[case["kind"]][1] += 1
        else:
            pos += 1
            ok1 = top_id == case["expected"]
            ok = ok1 and score >= threshold
            top1 += int(ok1)
            alert += int(ok)
            by_kind[case["kind"]][0] += int(ok)
            by_kind[case["kind"]][1] += 1
    n = len(cases)
    return {
        "positives": pos, "negatives": neg,
        "recall_at_1": top1 / pos if pos else None,
        "alert_recall": alert / pos if pos else None,
        "fp_rate": fp / neg if neg else None,
        "screens_per_s": n / sum(result["case_s"]) if sum(result["case_s"]) else None,
        "peak_mb": result["peak_mb"], "build_s": result["build_s"], "threshold": threshold,
        "by_kind": {k: v[0] / v[1] for k, v in sorted(by_kind.items())},
        "fp_by_kind": {k: v[0] / v[1] for k, v in sorted(neg_kind.items())},
    }


def main() -> None:
    global OUT  # --out redirects every file this run writes
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--systems", default="ctnode,nomenklatura,rapidfuzz")
    parser.add_argument("--nk-negatives", type=int, default=5000)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--pairs-only", action="store_true",
                        help="run only the general pair set (updates those rows of the report)")
    parser.add_argument("--first-line-script-forms", action="store_true",
                        help="the generator before recall98 (2026-12-06): other-script "
                             "forms from the first corpus line holding a part, not the most "
                             "specific one (variants.load_script_forms)")
    parser.add_argument("--letters-only-negatives", action="store_true",
                        help="the negatives' test before fp12b (2026-12-06): near a listed "
                             "name by letters alone, not by the variant table's spellings "
                             "with titles left out (cases.near_test)")
    parser.add_argument("--cases-only", action="store_true",
                        help="write the case files and stop (for un_alerts.py)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "matching",
                        help="folder for cases and results")
    args = parser.parse_args()
    OUT = args.out
    systems = args.systems.split(",")
    if "nomenklatura" in systems and not PYTHONS["nomenklatura"].exists():
        sys.exit("bench/.venv is missing: run `bash bench/setup.sh` first")
    OUT.mkdir(parents=True, exist_ok=True)

    from bench.matching.pairs import general_pairs
    from bench.matching.variants import (
        extra_cases,
        extra_negatives,
        held_out,
        innocent_parts,
        load_script_forms,
        payment_cases,
    )
    from ctnode.ingest.ofac_sdn import parse_ofac_sdn
    from ctnode.ingest.un_sc import parse_un_sc

    parsed = parse_un_sc(SHARED / "un-sc-consolidated.xml")
    entities = parsed.entities
    corpus = SHARED / "name-variants" / "rigour-person-name-parts.txt"
    variants = load_variants(corpus)
    un_cases = un_variant_cases(entities, variants,
                                letters_only=args.letters_only_negatives)
    for c in un_cases:  # the old kinds, tagged like the new ones
        key = next((e.reference for e in entities if e.id == c["expected"]), None) \
            if c["expected"] else " ".join(c["names"])
        c["held_out"] = held_out(key or c["expected"] or "")
        c.setdefault("truncated_at", None)
    script_forms = load_script_forms(corpus, most_specific=not args.first_line_script_forms)
    un_cases += extra_cases(entities, script_forms) + extra_negatives(
        entities, variants=None if args.letters_only_negatives else variants)
    pay = payment_cases(entities, innocent_parts(corpus))
    ofac = [e for e in parse_ofac_sdn(SHARED / "ofac-sdn").entities
            if e.schema in ("Person", "Organization")]
    pairs = general_pairs(ofac, corpus, "held_out")
    yente, missing = yente_cases(entities, SHARED / "name-variants")
    if args.quick:
        un_cases = un_cases[::10]
        pay = pay[::5]
        pairs = pairs[::5]
        yente = {k: v[: (2000 if k == "yente_negatives" else 200)] for k, v in yente.items()}
    yente_all = yente["yente_untreated"] + yente["yente_treated"] + yente["yente_negatives"]
    n_u, n_t = len(yente["yente_untreated"]), len(yente["yente_treated"])
    nk_yente = yente_all[: n_u + n_t + args.nk_negatives]

    files = {
        "latin": _write(OUT / "entities-latin-only.json",
                        [entity_json(e) for e in latin_only(entities)]),
        "full": _write(OUT / "entities-full.json", [entity_json(e) for e in entities]),
        "un": _write(OUT / "cases-un-variants.json", un_cases),
        "pay": _write(OUT / "cases-payments.json", pay),
        "pairs": _write(OUT / "pairs-general.json", pairs),
        "none": _write(OUT / "empty.json", []),
        "yente": _write(OUT / "cases-yente.json", yente_all),
        "yente_nk": _write(OUT / "cases-yente-nk.json", nk_yente),
    }
    if args.cases_only:
        print(f"case files written to {OUT}")
        return
    previous = OUT / "report.json"
    systems_before = (json.loads(previous.read_text(encoding="utf-8")).get("systems", {})
                      if previous.exists() else {})
    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "load_average": os.getloadavg(),
        "un_list_version": parsed.version, "yente_unmapped_positives": missing,
        "systems": systems_before,  # a run with --systems updates only those systems
    }
    if args.pairs_only:
        for system in systems:
            pres = _run_pairs(system, files["pairs"], files["latin"], "pairs")
            report["systems"].setdefault(system, {})["pairs_held_out"] = pair_metrics(pairs, pres)
            print(f"{system} pairs done", flush=True)
        _write(OUT / "report.json", report)
        print_table(report)
        return
    for system in systems:
        per: dict[str, Any] = {}
        res = _run(system, files["latin"], files["un"], "un")
        for part, want in (("un_variants_held_out", True), ("un_variants_own", False)):
            idx = [i for i, c in enumerate(un_cases) if c["held_out"] == want]
            sub = dict(res, results=[res["results"][i] for i in idx],
                       case_s=[res["case_s"][i] for i in idx])
            per[part] = metrics([un_cases[i] for i in idx], sub)
        res = _run(system, files["full"], files["pay"], "payments")
        per["payments"] = metrics(pay, res)
        cut = [i for i, c in enumerate(pay) if c.get("cut_mid_word")]
        per["payments"]["cut_mid_word_found"] = (
            sum(1 for i in cut if res["results"][i][0] == pay[i]["expected"]
                and res["results"][i][1] >= res["threshold"]), len(cut))
        pres = _run_pairs(system, files["pairs"], files["latin"], "pairs")
        per["pairs_held_out"] = pair_metrics(pairs, pres)
        yfile, ycases = (files["yente_nk"], nk_yente) if system == "nomenklatura" else (
            files["yente"], yente_all)
        res = _run(system, files["full"], yfile, "yente")
        cuts = {"yente_untreated": (0, n_u), "yente_treated": (n_u, n_u + n_t),
                "yente_negatives": (n_u + n_t, len(ycases))}
        for name, (a, b) in cuts.items():
            sub = dict(res, results=res["results"][a:b], case_s=res["case_s"][a:b])
            per[name] = metrics(ycases[a:b], sub)
        per["yente_all"] = {"screens_per_s": len(ycases) / res["screen_s"],
                            "peak_mb": res["peak_mb"], "cases": len(ycases)}
        report["systems"][system] = per
        print(f"{system} done", flush=True)
    _write(OUT / "report.json", report)
    print_table(report)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def print_table(report: dict[str, Any]) -> None:
    print(f"\nMatching benchmark, {report['date']}, {report['machine']}, load "
          f"{report.get('load_average')}, UN list {report['un_list_version']} (yente positives "
          f"not mapped to a record: {report['yente_unmapped_positives']})")
    head = ("| set | system | cases (+/-) | recall@1 | alert recall | FP rate | screens/s "
            "| peak MB |")
    print(head)
    print("|" + "---|" * 8)
    for set_name in ("un_variants_held_out", "un_variants_own", "payments", "yente_untreated",
                     "yente_treated", "yente_negatives"):
        for system, per in report["systems"].items():
            m = per.get(set_name)
            if m is None:
                continue
            print(f"| {set_name} | {system} | {m['positives']}/{m['negatives']} | "
                  f"{_pct(m['recall_at_1'])} | {_pct(m['alert_recall'])} | {_pct(m['fp_rate'])} | "
                  f"{m['screens_per_s']:.0f} | {m['peak_mb']:.0f} |")
    print("\n| pairs (held out) | system | pairs (+) | precision | recall | F1 | threshold |")
    print("|" + "---|" * 7)
    for system, per in report["systems"].items():
        m = per.get("pairs_held_out")
        if m:
            print(f"| general pairs | {system} | {m['pairs']} ({m['positives']}) | "
                  f"{_pct(m['precision'])} | {_pct(m['recall'])} | {m['f1']:.3f} | "
                  f"{m['threshold']} |")
            print(f"  by source: {m['by_source']}")
    for system, per in report["systems"].items():
        for part in ("un_variants_held_out", "un_variants_own"):
            if part in per:
                kinds = ", ".join(f"{k} {_pct(v)}" for k, v in per[part]["by_kind"].items())
                print(f"{system} {part} alert recall by kind: {kinds}")
        if "payments" in per:
            print(f"{system} payments: cut mid-word found {per['payments']['cut_mid_word_found']}")
        if "yente_all" in per:
            print(f"{system} yente run overall: {per['yente_all']['screens_per_s']:.0f} "
                  f"screens/s over {per['yente_all']['cases']} cases")


if __name__ == "__main__":
    main()
