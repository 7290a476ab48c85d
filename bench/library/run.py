"""Library search relevance and the naive reference's speed on the generated corpus.

    .venv/bin/python -m bench.library.run                # 10,000 documents, 30 queries
    .venv/bin/python -m bench.library.run --docs 2000    # quicker

Indexes the corpus (``corpus.py``) in ``NaiveLibraryIndex`` and runs the 30 labelled
queries of ``queries.json`` (each in its own language, as a person searching in that
language would; TLP levels CLEAR, GREEN and AMBER visible; today 2026-03-01, so
expired documents must not appear). Reports precision at 10 per query and overall,
and the naive search's time per query. The SQL indexes of the integration step are
measured on the same corpus and queries against the < 50 ms target.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date
from pathlib import Path

from bench.library.corpus import generate
from ctnode.library.model import parse_meta
from ctnode.library.search import NaiveLibraryIndex, SearchRequest
from ctnode.model.tlp import TLP

HERE = Path(__file__).parent
OUT = Path("bench/out/library")
TODAY = date(2026, 3, 1)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--docs", type=int, default=10_000)
    args = ap.parse_args()
    docs = list(generate(args.docs))
    by_id = {d["id"]: d for d in docs}
    index = NaiveLibraryIndex()
    t = time.perf_counter()
    for d in docs:
        meta = parse_meta({**d, "languages": [d["lang"]], "topics": [d["topic"]], "format": "text"})
        index.add(meta, d["lang"], d["title"], d["summary"], d["body"])
    build = time.perf_counter() - t
    print(
        f"indexed {len(docs):,} documents in 6 languages in {build:.1f} s ({len(docs) / build:,.0f} docs/s)"
    )
    queries = json.loads((HERE / "queries.json").read_text())["queries"]
    visible = frozenset({TLP.CLEAR, TLP.GREEN, TLP.AMBER})
    rows = []
    precisions = []
    times = []
    for q in queries:
        req = SearchRequest(
            q["text"], TODAY, languages=frozenset({q["lang"]}), tlp_levels=visible, limit=10
        )
        t = time.perf_counter()
        result = index.search(req)
        times.append(time.perf_counter() - t)
        relevant = sum(1 for h in result.hits if by_id[h.document_id]["subtopic"] == q["subtopic"])
        expired = sum(
            1 for h in result.hits if by_id[h.document_id]["valid_until"] < TODAY.isoformat()
        )
        assert expired == 0
        p10 = relevant / 10
        precisions.append(p10)
        rows.append(
            {
                "id": q["id"],
                "text": q["text"],
                "matches": result.total,
                "relevant_in_top10": relevant,
            }
        )
        print(
            f"{q['id']:5} {q['text'][:36]:36} matches {result.total:5}  relevant in top 10: {relevant}"
        )
    meeting = sum(1 for r in rows if r["relevant_in_top10"] >= 8)
    print(
        f"mean P@10 {statistics.mean(precisions):.3f}; queries with >= 8 relevant in top 10: {meeting}/{len(rows)}"
    )
    print(
        f"naive search: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms per query"
    )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "report.json").write_text(
        json.dumps(
            {
                "docs": len(docs),
                "build_s": round(build, 1),
                "mean_p10": round(statistics.mean(precisions), 3),
                "queries_meeting_8_of_10": meeting,
                "naive_median_ms": round(statistics.median(times) * 1000, 1),
                "queries": rows,
            },
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
