"""A false-positive check for Arabic-script queries (not part of run.py's sets).

    CTNODE_SHARED_DATA=/work/shared/data .venv/bin/python -m bench.matching.arabic_negatives

Parts of different listed persons' Arabic-script names recombined (the first part of one,
the last one or two of another, never when the first part is in the other's name), 1,500
of them, seeded, screened against the UN list without its non-Latin names, as the
original-script cases are; every hit at or above the report threshold is printed. The set
is crude: it does not check that a recombination is not (nearly) another listed name, so
some hits are fair (Mohammad Zahid is listed); compare runs, not the rate alone.
"""

from __future__ import annotations

import os
import random
import re
import time
from pathlib import Path

from bench.matching.cases import latin_only
from ctnode.ingest.un_sc import parse_un_sc
from ctnode.match import Matcher, Thresholds
from ctnode.model.entities import Entity
from ctnode.model.screening import ScreenQuery

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CTNODE_SHARED_DATA", ROOT.parent / "shared" / "data"))
_ARABIC = re.compile(r"[\u0600-\u06FF]")


def negatives(n: int = 1500, seed: int = 5) -> tuple[list[str], list[Entity]]:
    entities = parse_un_sc(SHARED / "un-sc-consolidated.xml").entities
    names: list[list[str]] = []
    for e in entities:
        if e.schema != "Person":
            continue
        arabic = [v for v in e.get("name") + e.get("alias")
                  if _ARABIC.search(v) and len(v.split()) >= 2]
        if arabic:
            names.append(arabic[0].split())
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        a, b = rng.sample(names, 2)
        if a[0] in b:  # the first part of A is in B's name: B's own name, not a negative
            continue
        tail = b[-2:] if len(b) >= 3 and rng.random() < 0.5 else b[-1:]
        out.add(" ".join([a[0], *tail]))
    return sorted(out), entities


def main() -> None:
    queries, entities = negatives()
    matcher = Matcher(Thresholds())
    matcher.build(latin_only(entities))
    caption = {e.id: e.caption for e in entities}
    fp = 0
    t0 = time.process_time()
    for q in queries:
        hits = matcher.screen(ScreenQuery(names=[q]))
        if hits:
            fp += 1
            print(f"FP {q} -> {caption[hits[0].entity_id]} {hits[0].score}")
    cpu = time.process_time() - t0
    print(f"arabic-script negatives {len(queries)}: {fp} hits ({fp / len(queries):.2%}), "
          f"{len(queries) / cpu:.0f} screens per CPU-second")


if __name__ == "__main__":
    main()
