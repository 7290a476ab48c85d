"""The UN-variant cases of a benchmark run, screened again in one process: alert recall and
false-positive rate at several thresholds, and the negatives that alert, with why.

    .venv/bin/python -m bench.matching.un_alerts OUT [--part held_out|own|all]
        [--thresholds 0.70,0.72] [--show 40] [--payments]

``OUT`` is a folder ``bench.matching.run --out`` wrote (``entities-latin-only.json`` and
``cases-un-variants.json``; with ``--payments`` the payment cases against the full
list). The cases are screened with the packaged model, as the
benchmark does (best hit whatever its score); the scores are the node's (calibration
included), so the node's threshold is 0.70. For looking at false positives while working
on the rules; the benchmark's own figures come from ``bench.matching.run``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.matching.features import entity, query


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--part", default="held_out", choices=("held_out", "own", "all"))
    parser.add_argument("--thresholds", default="0.70")
    parser.add_argument("--show", type=int, default=40, help="false positives listed")
    parser.add_argument("--payments", action="store_true",
                        help="the payment cases against the full list instead")
    args = parser.parse_args()
    from ctnode.match import Matcher, Thresholds

    ents, case_file = (("entities-full.json", "cases-payments.json") if args.payments
                       else ("entities-latin-only.json", "cases-un-variants.json"))
    entities = json.loads((args.out / ents).read_text("utf-8"))
    cases: list[dict[str, Any]] = json.loads((args.out / case_file).read_text("utf-8"))
    if args.part != "all" and not args.payments:
        cases = [c for c in cases if c["held_out"] == (args.part == "held_out")]
    matcher = Matcher(Thresholds())
    matcher.build(entity(e) for e in entities)
    started = time.process_time()
    rows: list[tuple[dict[str, Any], str | None, float, Any]] = []
    for c in cases:
        hits = matcher.screen(query(c), limit=1, include_below=True)
        if hits:
            rows.append((c, hits[0].entity_id, hits[0].score, hits[0]))
        else:
            rows.append((c, None, 0.0, None))
    cpu = time.process_time() - started
    pos = [r for r in rows if r[0]["expected"] is not None]
    neg = [r for r in rows if r[0]["expected"] is None]
    print(f"{len(pos)} positives, {len(neg)} negatives ({args.part}); "
          f"{len(rows) / cpu:.0f} screens per CPU-s")
    for t in (float(x) for x in args.thresholds.split(",")):
        rec = sum(1 for c, top, s, _ in pos if top == c["expected"] and s >= t) / len(pos)
        fp = [r for r in neg if r[1] is not None and r[2] >= t]
        kinds = Counter(r[0]["kind"] for r in fp)
        print(f"threshold {t:.3f}: alert recall {rec:.2%}, FP {len(fp) / len(neg):.2%} "
              f"({len(fp)}): {dict(kinds)}")
    t0 = float(args.thresholds.split(",")[0])
    fps = sorted((r for r in neg if r[1] is not None and r[2] >= t0), key=lambda r: -r[2])
    for c, _top, s, hit in fps[: args.show]:
        print(f"\n{s:.3f} {c['kind']} {c['names']} {c.get('schema')} → {hit.matched_name} "
              f"({hit.schema})")
        for f in hit.explanation:
            print(f"   {f.feature} {f.contribution:+.3f}: {f.detail}")
    missed = Counter(c["kind"] for c, top, s, _ in pos if not (top == c["expected"] and s >= t0))
    total = Counter(c["kind"] for c, _top, _s, _ in pos)
    print("alert recall by kind at " + f"{t0}: " + ", ".join(
        f"{k} {1 - missed[k] / n:.1%} ({n})" for k, n in sorted(total.items())))
    print(f"\nmissed positives by kind at {t0}: {dict(missed.most_common())}")


if __name__ == "__main__":
    main()
