"""Run one matching system over one case file, in its own process; print JSON results.

    python bench/matching/systems.py SYSTEM ENTITIES.json CASES.json OUT.json

SYSTEM is ``ctnode`` (needs the project venv), ``rapidfuzz`` (naive token_sort_ratio over
all names; project venv) or ``nomenklatura`` (logic-v2, yente's default; needs the bench-only
venv bench/.venv made by bench/setup.sh). Each writes, per case, the top entity and its
score, plus build time, screening time and the process's peak memory (ru_maxrss).
This file imports nothing of the project at module level, so the bench venv can run it.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from typing import Any

Case = dict[str, Any]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_ctnode(entities: list[dict[str, Any]], cases: list[Case]) -> dict[str, Any]:
    from ctnode.match import Matcher, Thresholds
    from ctnode.model.entities import Entity
    from ctnode.model.screening import ScreenQuery

    objs = []
    for raw in entities:
        e = Entity(id=raw["id"], schema=raw["schema"], dataset=raw["dataset"],
                   reference=raw["reference"], status=raw["status"])
        for prop, values in raw["properties"].items():
            for v in values:
                e.add(prop, v)
        objs.append(e)
    t0 = time.process_time()
    matcher = Matcher(Thresholds())
    matcher.build(objs)
    build_s = time.process_time() - t0
    del objs
    queries = [ScreenQuery(names=c["names"], schema=c["schema"], birth_dates=c["birth_dates"],
                           nationalities=c["nationalities"], truncated_at=c.get("truncated_at"))
               for c in cases]
    matcher.screen(queries[0])  # warm the transliteration tables
    # timing pass: the production path (hits at or above the report threshold only)
    times = []
    for q in queries:
        t0 = time.process_time()
        matcher.screen(q)
        times.append(time.process_time() - t0)
    # quality pass: best candidate whatever its score
    results = []
    for q in queries:
        hits = matcher.screen(q, limit=1, include_below=True)
        results.append([hits[0].entity_id, hits[0].score] if hits else [None, 0.0])
    return {"build_s": build_s, "screen_s": sum(times), "case_s": times, "results": results,
            "threshold": matcher.thresholds.report}


def _ascii_names(entities: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    from normality import ascii_text

    names, owners = [], []
    for raw in entities:
        props = raw["properties"]
        for prop in ("name", "alias", "weakAlias", "previousName"):
            for v in props.get(prop, []):
                names.append((ascii_text(v) or "").lower())
                owners.append(raw["id"])
    return names, owners


def run_rapidfuzz(entities: list[dict[str, Any]], cases: list[Case]) -> dict[str, Any]:
    from normality import ascii_text
    from rapidfuzz import fuzz, process

    t0 = time.process_time()
    names, owners = _ascii_names(entities)
    build_s = time.process_time() - t0
    results = []
    times = []
    for c in cases:
        t0 = time.process_time()
        best: tuple[float, str | None] = (0.0, None)
        for q in c["names"]:
            qa = (ascii_text(q) or "").lower()
            found = process.extractOne(qa, names, scorer=fuzz.token_sort_ratio)
            if found and found[1] / 100.0 > best[0]:
                best = (found[1] / 100.0, owners[found[2]])
        times.append(time.process_time() - t0)
        results.append([best[1], best[0]])
    return {"build_s": build_s, "screen_s": sum(times), "case_s": times, "results": results,
            "threshold": 0.85}


BLOCK_NAMES = 80  # rapidfuzz WRatio shortlist of names ...
BLOCK_ENTITIES = 20  # ... cut to this many entities, then scored by logic-v2


def run_nomenklatura(entities: list[dict[str, Any]], cases: list[Case]) -> dict[str, Any]:
    from followthemoney import model
    from nomenklatura.matching import LogicV2
    from normality import ascii_text
    from rapidfuzz import fuzz, process

    t0 = time.process_time()
    proxies = {}
    for raw in entities:
        proxy = model.make_entity(raw["schema"])
        proxy.id = raw["id"]
        for prop, values in raw["properties"].items():
            if prop in proxy.schema.properties:
                proxy.add(prop, values, quiet=True)
        proxies[raw["id"]] = proxy
    names, owners = _ascii_names(entities)
    config = LogicV2.default_config()
    build_s = time.process_time() - t0
    warm = model.make_entity("Person")
    warm.id = "warm"
    warm.add("name", "warm up")
    LogicV2.compare(warm, next(iter(proxies.values())), config)  # loads rigour's tagger
    results = []
    times = []
    for i, c in enumerate(cases):
        t0 = time.process_time()
        query = model.make_entity(c["schema"] if c["schema"] in ("Person", "Organization")
                                  else "LegalEntity")
        query.id = f"q{i}"
        query.add("name", c["names"])
        if "birthDate" in query.schema.properties:
            query.add("birthDate", c["birth_dates"], quiet=True)
        if "nationality" in query.schema.properties:
            query.add("nationality", c["nationalities"], quiet=True)
        shortlist: list[str] = []
        for q in c["names"]:
            qa = (ascii_text(q) or "").lower()
            for _n, _s, idx in process.extract(qa, names, scorer=fuzz.WRatio, limit=BLOCK_NAMES):
                if owners[idx] not in shortlist:
                    shortlist.append(owners[idx])
        best: tuple[float, str | None] = (0.0, None)
        for eid in shortlist[:BLOCK_ENTITIES]:
            score = LogicV2.compare(query, proxies[eid], config).score
            if score > best[0]:
                best = (score, eid)
        times.append(time.process_time() - t0)
        results.append([best[1], best[0]])
    return {"build_s": build_s, "screen_s": sum(times), "case_s": times, "results": results,
            "threshold": 0.70}


def _proxy(model: Any, raw: dict[str, Any]) -> Any:
    proxy = model.make_entity(raw["schema"])
    proxy.id = raw["id"]
    for prop, values in raw["properties"].items():
        if prop in proxy.schema.properties:
            proxy.add(prop, values, quiet=True)
    return proxy


def pairs_ctnode(pairs: list[dict[str, Any]], extra: list[dict[str, Any]]) -> dict[str, Any]:
    from bench.matching.features import PairScorer

    by_list: dict[str, list[dict[str, Any]]] = {}
    for p in pairs:
        by_list.setdefault(p["list"], []).append(p["candidate"])
    t0 = time.process_time()
    scorers = {name: PairScorer(c + (extra if name == "un" else []))
               for name, c in by_list.items()}
    build_s = time.process_time() - t0
    scores, times = [], []
    for p in pairs:
        t0 = time.process_time()
        scores.append(scorers[p["list"]].score(p["query"], p["candidate"]["id"]))
        times.append(time.process_time() - t0)
    from ctnode.match.weights import MODEL

    return {"build_s": build_s, "case_s": times, "scores": scores,
            "threshold": MODEL.report_threshold}


def pairs_rapidfuzz(pairs: list[dict[str, Any]], _extra: list[dict[str, Any]]) -> dict[str, Any]:
    from normality import ascii_text
    from rapidfuzz import fuzz

    scores, times = [], []
    for p in pairs:
        t0 = time.process_time()
        best = 0.0
        for q in p["query"]["names"]:
            for c in p["candidate"]["properties"].get("name", []):
                best = max(best, fuzz.token_sort_ratio((ascii_text(q) or "").lower(),
                                                       (ascii_text(c) or "").lower()) / 100.0)
        scores.append(best)
        times.append(time.process_time() - t0)
    return {"build_s": 0.0, "case_s": times, "scores": scores, "threshold": 0.85}


def pairs_nomenklatura(pairs: list[dict[str, Any]],
                       _extra: list[dict[str, Any]]) -> dict[str, Any]:
    from followthemoney import model
    from nomenklatura.matching import LogicV2

    config = LogicV2.default_config()
    scores, times = [], []
    for i, p in enumerate(pairs):
        t0 = time.process_time()
        q = p["query"]
        schema = q["schema"] if q["schema"] in ("Person", "Organization") else "LegalEntity"
        query = model.make_entity(schema)
        query.id = f"q{i}"
        query.add("name", q["names"])
        if "birthDate" in query.schema.properties:
            query.add("birthDate", q.get("birth_dates", []), quiet=True)
        if "nationality" in query.schema.properties:
            query.add("nationality", q.get("nationalities", []), quiet=True)
        cand = _proxy(model, p["candidate"])
        scores.append(LogicV2.compare(query, cand, config).score)
        times.append(time.process_time() - t0)
    return {"build_s": 0.0, "case_s": times, "scores": scores, "threshold": 0.70}


def main() -> None:
    if sys.argv[1] == "pairs":
        system, pairs_path, extra_path, out_path = sys.argv[2:6]
        with open(pairs_path, encoding="utf-8") as fh:
            pairs = json.load(fh)
        with open(extra_path, encoding="utf-8") as fh:
            extra = json.load(fh)
        runner = {"ctnode": pairs_ctnode, "rapidfuzz": pairs_rapidfuzz,
                  "nomenklatura": pairs_nomenklatura}[system]
        out = runner(pairs, extra)
        out["peak_mb"] = _peak_mb()
        out["system"] = system
        with open(out_path, "w", encoding="utf-8") as fh:
            json.dump(out, fh)
        return
    system, entities_path, cases_path, out_path = sys.argv[1:5]
    with open(entities_path, encoding="utf-8") as fh:
        entities = json.load(fh)
    with open(cases_path, encoding="utf-8") as fh:
        cases = json.load(fh)
    runner = {"ctnode": run_ctnode, "rapidfuzz": run_rapidfuzz,
              "nomenklatura": run_nomenklatura}[system]
    out = runner(entities, cases)
    out["peak_mb"] = _peak_mb()
    out["system"] = system
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump(out, fh)


if __name__ == "__main__":
    main()
