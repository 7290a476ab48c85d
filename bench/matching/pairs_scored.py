"""How much scoring the UN-variant cases cost: name pairs scored and screens per CPU-second.

    .venv/bin/python -m bench.matching.pairs_scored OUT [--part all|own|held_out]

``OUT`` is a folder ``bench.matching.run --out`` wrote. Each case is screened as issue 12's
alerts are (best hit at the report threshold). The pairs scored (calls of the scorer's
two entry points) do not depend on the machine's load, as CPU seconds on a shared machine
do: compare an old tree and a new one with it (``PYTHONPATH=OLD/src``).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bench.matching.features import entity, query


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--part", default="all", choices=("held_out", "own", "all"))
    args = parser.parse_args()
    import ctnode.match.corpus as corpus
    from ctnode.match import Matcher, Thresholds

    calls = [0]

    def counted(f: Any) -> Any:
        def wrapper(*a: Any, **k: Any) -> Any:
            calls[0] += 1
            return f(*a, **k)
        return wrapper

    corpus.name_score_value = counted(corpus.name_score_value)  # type: ignore[assignment]
    corpus.compare_names = counted(corpus.compare_names)  # type: ignore[assignment]
    entities = json.loads((args.out / "entities-latin-only.json").read_text("utf-8"))
    cases: list[dict[str, Any]] = json.loads(
        (args.out / "cases-un-variants.json").read_text("utf-8"))
    if args.part != "all":
        cases = [c for c in cases if c["held_out"] == (args.part == "held_out")]
    matcher = Matcher(Thresholds())
    matcher.build(entity(e) for e in entities)
    calls[0] = 0
    started = time.process_time()
    for c in cases:
        matcher.screen(query(c), limit=1)
    cpu = time.process_time() - started
    print(f"{len(cases)} cases: {calls[0]} name pairs scored, {len(cases) / cpu:.0f} screens "
          f"per CPU-s")


if __name__ == "__main__":
    main()
