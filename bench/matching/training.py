"""Build and freeze the labelled training set (fit part only), with its provenance.

    .venv/bin/python -m bench.matching.training          # writes bench/data/training/
    .venv/bin/python -m bench.matching.training --repair-negatives  # re-pair UN negatives

The set is built once from public sources, written with a manifest (sources and their
sha256, generator seeds, counts, the file's own sha256) and committed *before* the fit;
``bench/matching/fit.py`` refuses a file whose hash is not the manifest's.

Pairs (each with ``label``, ``source``, ``kind`` and the ``list`` whose statistics score it):

* ``un_variant``: a variant of a UN-listed name (every kind of cases.py and variants.py)
  and the entity it was made from: positives; the best-scoring *other* entity for it: hard
  negatives (what screening meets); the UN recombination negatives (cases.py, variants.py)
  with the entity they score best against: negatives. Entities of the fit part only.
* ``ofac_alias`` / ``ofac_hard`` / ``org_legal`` / ``corpus_script``: see pairs.py (fit
  part of the OFAC entries and of the rigour corpus lines).

yente's test files and other projects' labelled pairs are never used here (they judge the
node from outside).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import time
from pathlib import Path
from typing import Any

from bench.matching.cases import entity_json, latin_only, load_variants, un_variant_cases
from bench.matching.pairs import general_pairs
from bench.matching.variants import extra_cases, extra_negatives, held_out, load_script_forms

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CTNODE_SHARED_DATA", ROOT.parent / "shared" / "data"))
OUT = ROOT / "bench" / "data" / "training"
SOURCES = {
    "un_sc": "un-sc-consolidated.xml",
    "ofac_sdn": "ofac-sdn/sdn.csv",
    "ofac_alt": "ofac-sdn/alt.csv",
    "rigour_corpus": "name-variants/rigour-person-name-parts.txt",
}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def un_pairs(entities: list[Any], cases: list[dict[str, Any]], seed: int = 31) -> list[dict[str, Any]]:
    """UN variant cases of the fit part as pairs, with hard negatives mined by screening."""
    from bench.matching.features import query
    from ctnode.match import Matcher, Thresholds

    rng = random.Random(seed)
    latin = latin_only(entities)
    by_id = {e.id: e for e in latin}
    matcher = Matcher(Thresholds())
    matcher.build(latin)
    out: list[dict[str, Any]] = []
    for case in cases:
        q = {k: case.get(k) for k in ("names", "schema", "birth_dates", "nationalities",
                                      "truncated_at")}
        hits = matcher.screen(query(q), limit=3, include_below=True)
        expected = case.get("expected")
        if expected is not None:
            if held_out(by_id[expected].reference or expected):
                continue
            out.append({"query": q, "candidate": entity_json(by_id[expected]), "label": 1,
                        "source": "un_variant", "kind": case["kind"], "list": "un"})
            others = [h for h in hits if h.entity_id != expected]
            if others and rng.random() < 0.7:
                other = by_id[others[0].entity_id]
                out.append({"query": q, "candidate": entity_json(other), "label": 0,
                            "source": "un_variant", "kind": "hard_" + case["kind"],
                            "list": "un"})
        elif hits and not case.get("held_out", held_out(" ".join(case["names"]))):
            out.append({"query": q, "candidate": entity_json(by_id[hits[0].entity_id]),
                        "label": 0, "source": "un_variant", "kind": case["kind"],
                        "list": "un"})
    return out


def repair_un_negatives(pairs: list[dict[str, Any]], entities: list[Any]) -> int:
    """Pair the UN negatives again with what the matcher of today screens them against:
    a recombined negative with the entity it now scores best against, a variant's hard
    negative with today's best-scoring *other* entity (the variant's own entity is its
    positive pair). The queries, labels and every other pair stay as frozen; only the
    candidate changes. Returns how many candidates changed.

    The set was built with the matcher of 2026-12-04, whose best candidates are not the
    ones screening meets now, so the training set understated today's false positives."""
    from bench.matching.features import query
    from ctnode.match import Matcher, Thresholds

    latin = latin_only(entities)
    by_id = {e.id: e for e in latin}
    matcher = Matcher(Thresholds())
    matcher.build(latin)

    def key(q: dict[str, Any]) -> str:
        return json.dumps(q, sort_keys=True, ensure_ascii=False)

    expected = {key(p["query"]): p["candidate"]["id"] for p in pairs
                if p["source"] == "un_variant" and p["label"] == 1}
    changed = 0
    for p in pairs:
        if p["source"] != "un_variant" or p["label"] != 0:
            continue
        hits = matcher.screen(query(p["query"]), limit=3, include_below=True)
        own = expected.get(key(p["query"])) if p["kind"].startswith("hard_") else None
        others = [h for h in hits if h.entity_id != own]
        if not others:
            continue  # nothing to pair with today: the frozen pair stays
        best = others[0].entity_id
        if best != p["candidate"]["id"]:
            p["candidate"] = entity_json(by_id[best])
            changed += 1
    return changed


def _write(pairs: list[dict[str, Any]], manifest: dict[str, Any]) -> bytes:
    lines = [json.dumps(p, ensure_ascii=False, sort_keys=True) for p in pairs]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with gzip.GzipFile(OUT / "pairs.jsonl.gz", "wb", mtime=0) as fh:
        fh.write(data)
    counts: dict[str, list[int]] = {}
    for p in pairs:
        c = counts.setdefault(p["source"], [0, 0])
        c[p["label"]] += 1
    manifest.update({"sha256_uncompressed": hashlib.sha256(data).hexdigest(),
                     "pairs": len(pairs), "positives": sum(p["label"] for p in pairs),
                     "by_source_negatives_positives": counts})
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    return data


def repair_main() -> None:
    """``--repair-negatives``: re-pair the frozen set's UN negatives (repair_un_negatives)
    and freeze the result with its manifest (the old hash kept as ``derived_from``)."""
    from bench.matching.fit import load_pairs
    from ctnode.ingest.un_sc import parse_un_sc

    started = time.time()
    pairs, manifest = load_pairs()  # refuses a set that changed since it was frozen
    un = parse_un_sc(SHARED / SOURCES["un_sc"]).entities
    changed = repair_un_negatives(pairs, un)
    manifest = dict(manifest, derived_from=manifest["sha256_uncompressed"], un_negatives_repaired=(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: the UN negatives paired again "
        f"with the matcher of that day's best candidate ({changed} candidates changed; queries, "
        "labels and other pairs as frozen): bench/matching/training.py --repair-negatives"))
    _write(pairs, manifest)
    print(f"{changed} UN negative candidates changed in {time.time() - started:.0f}s")


SCRIPT_KINDS = ("other_script", "hard_other_script")


def script_forms_main() -> None:
    """``--regenerate-other-script``: the frozen set's other-script pairs made again with
    the generator's most specific corpus line for each part (variants.load_script_forms,
    2026-12-06, recall98; before, the first line holding the part gave forms of other
    names: ``kim`` took ``ジャン`` from the line of Jian). The fit part's other_script
    cases replace the old ones, positives and hard negatives (mined with the matcher of the
    day, as un_pairs does); every other pair stays as frozen, and the old hash is kept as
    ``other_script_regenerated_from``. The split is the same (entities by the hash of their reference)."""
    from bench.matching.fit import load_pairs
    from ctnode.ingest.un_sc import parse_un_sc

    started = time.time()
    pairs, manifest = load_pairs()
    un = parse_un_sc(SHARED / SOURCES["un_sc"]).entities
    forms = load_script_forms(SHARED / SOURCES["rigour_corpus"])
    cases = [c for c in extra_cases(un, forms) if c["kind"] == "other_script"]
    new = un_pairs(un, cases)
    kept = [p for p in pairs if not (p["source"] == "un_variant" and p["kind"] in SCRIPT_KINDS)]
    dropped = len(pairs) - len(kept)
    manifest = dict(manifest, other_script_regenerated_from=manifest["sha256_uncompressed"],
                    other_script_regenerated=(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: the UN other_script pairs "
        f"({dropped}) replaced by {len(new)} made with the most specific corpus line per part "
        "(variants.load_script_forms): bench/matching/training.py --regenerate-other-script"))
    _write(kept + new, manifest)
    print(f"{dropped} other-script pairs replaced by {len(new)} in {time.time() - started:.0f}s")


def main() -> None:
    import sys

    if "--repair-negatives" in sys.argv[1:]:
        repair_main()
        return
    if "--regenerate-other-script" in sys.argv[1:]:
        script_forms_main()
        return
    from ctnode.ingest.ofac_sdn import parse_ofac_sdn
    from ctnode.ingest.un_sc import parse_un_sc

    started = time.time()
    OUT.mkdir(parents=True, exist_ok=True)
    un = parse_un_sc(SHARED / SOURCES["un_sc"]).entities
    corpus = SHARED / SOURCES["rigour_corpus"]
    variants = load_variants(corpus)
    script_forms = load_script_forms(corpus)
    cases = un_variant_cases(un, variants) + extra_cases(un, script_forms) + \
        extra_negatives(un)
    pairs = un_pairs(un, cases)
    ofac = [e for e in parse_ofac_sdn(SHARED / "ofac-sdn").entities
            if e.schema in ("Person", "Organization")]
    pairs += general_pairs(ofac, corpus, "fit")
    path = OUT / "pairs.jsonl.gz"
    manifest: dict[str, Any] = {
        "file": path.name,
        "part": "fit (70% of UN references, OFAC ent_nums and corpus lines, by sha256)",
        "sources": {k: {"path": v, "sha256": _sha256(SHARED / v)} for k, v in SOURCES.items()},
        "generators": "bench/matching/cases.py (seed 7), variants.py (seeds 12, 13), "
                      "pairs.py (seeds 21-23), training.py (seed 31)",
        "built": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "not_used": "yente's test files and other projects' labelled pairs (testing only)",
    }
    _write(pairs, manifest)
    print(f"{len(pairs)} pairs ({manifest['positives']} positive) in {time.time() - started:.0f}s"
          f" → {path}")


if __name__ == "__main__":
    main()
