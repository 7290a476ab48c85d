"""Screens per CPU-second on the UN list with one or more scoring-model files (same code).

    .venv/bin/python -m bench.matching.model_speed OUT_DIR MODEL.json [MODEL.json ...]

``OUT_DIR`` is a folder that ``bench.matching.run --out`` wrote (its
``entities-latin-only.json`` and ``cases-un-variants.json``). Every UN variant query goes
through one warm ``Matcher`` (``limit=5``) per model, timed with ``time.process_time`` so
that other load on the machine counts less than wall time would.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bench.matching.features import entity, query
from ctnode.match import Matcher, Thresholds, similarity, weights

FIELDS = ("names", "schema", "birth_dates", "nationalities", "truncated_at")


def main() -> None:
    out = Path(sys.argv[1])
    ents = [entity(e) for e in json.loads((out / "entities-latin-only.json").read_text("utf-8"))]
    cases = json.loads((out / "cases-un-variants.json").read_text("utf-8"))
    queries = [query({k: c.get(k) for k in FIELDS}) for c in cases]
    for path in sys.argv[2:]:
        similarity.use_model(weights.load(Path(path)))
        m = Matcher(Thresholds())
        m.build(ents)
        for q in queries[:200]:  # warm the caches
            m.screen(q, limit=5)
        cpu, wall = time.process_time(), time.perf_counter()
        for q in queries:
            m.screen(q, limit=5)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"{Path(path).name}: {len(queries)} screens, {len(queries) / cpu:.0f} per CPU-s "
              f"({len(queries) / wall:.0f} per wall-s)", flush=True)


if __name__ == "__main__":
    main()
