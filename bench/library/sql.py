"""Library search on the node's SQL store: SQLite FTS5 (and PostgreSQL when reachable),
against the < 50 ms target, with the relevance of the 30 labelled queries.

    .venv/bin/python -m bench.library.sql                # 10,000 documents
    .venv/bin/python -m bench.library.sql --docs 2000    # quicker

The generated corpus (``corpus.py``; no public-domain multilingual texts are available
offline here, so the documents are generated, which this figure must be read with) is
stored through the store's ``add_document`` (analysis, FTS5 rows or ``tsvector``), then
each query of ``queries.json`` is run as the library service runs it: compiled for its
language, one SQL statement ranked by the backend (``bm25`` / ``ts_rank_cd``) with the
date, TLP and language filters inside it, then a snippet cut for each of the top 10.
Timed per query (median, p95, max over 3 rounds); the naive reference is ``run.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.library.corpus import generate
from ctnode.library.model import parse_meta
from ctnode.library.query import parse_query
from ctnode.library.snippets import snippet
from ctnode.store.contracts import LibraryFilters
from ctnode.store.sql import SqlStore

HERE = Path(__file__).parent
OUT = Path(__file__).resolve().parents[1] / "out" / "library-sql"
TODAY = date(2026, 3, 1)
PG = os.environ.get("CTNODE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _run(store: SqlStore, label: str, docs: list[dict[str, object]]) -> None:
    store.upgrade()
    t = time.perf_counter()
    with store.begin() as conn:
        for d in docs:
            meta = parse_meta({**d, "languages": [d["lang"]], "topics": [d["topic"]],
                               "format": "text"})
            store.library.add_document(
                conn, meta, original=b"", file_name="generated.txt", sha256="0" * 64,
                added_by="bench", added_at=datetime.now(UTC),
                texts=[(str(d["lang"]), meta.title, meta.summary, str(d["body"]))])
    build = time.perf_counter() - t
    print(f"{label}: stored and indexed {len(docs):,} documents in {build:.1f} s "
          f"({len(docs) / build:,.0f} docs/s)")
    by_id = {d["id"]: d for d in docs}
    queries = json.loads((HERE / "queries.json").read_text())["queries"]
    visible = frozenset({"clear", "green", "amber"})
    times: list[float] = []
    meeting = 0
    precisions = []
    for round_ in range(3):
        for q in queries:
            t = time.perf_counter()
            compiled = parse_query(q["text"]).compile(q["lang"])
            hits, _total = store.library.search(
                q["lang"], compiled, LibraryFilters(TODAY, visible, frozenset({q["lang"]})), 10)
            texts = store.library.texts_of([(h.document_id, h.lang) for h in hits])
            for h in hits:
                snippet(texts[(h.document_id, h.lang)]["body"], h.lang, compiled).as_html()
            times.append(time.perf_counter() - t)
            if round_ == 0:
                relevant = sum(1 for h in hits if by_id[h.document_id]["subtopic"] == q["subtopic"])
                precisions.append(relevant / 10)
                meeting += relevant >= 8
    s = sorted(times)
    print(f"{label}: per query (search + 10 snippets, {len(s)} runs) median "
          f"{statistics.median(s) * 1000:.1f} ms, p95 {s[int(len(s) * 0.95) - 1] * 1000:.1f} ms, "
          f"max {s[-1] * 1000:.1f} ms; mean P@10 {statistics.mean(precisions):.3f}; "
          f"queries with >= 8 relevant in top 10: {meeting}/{len(queries)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--no-postgresql", action="store_true")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f}")
    docs = list(generate(args.docs))
    db = OUT / "library.db"
    db.unlink(missing_ok=True)
    store = SqlStore(f"sqlite:///{db}")
    try:
        _run(store, "SQLite FTS5", docs)
    finally:
        store.close()
    if args.no_postgresql:
        return
    name = f"ctnode_bench_library_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL: say so and stop
        print(f"PostgreSQL not reachable ({type(exc).__name__}): skipped")
        return
    store = SqlStore(make_url(PG).set(database=name).render_as_string(hide_password=False))
    try:
        _run(store, "PostgreSQL tsvector", docs)
    finally:
        store.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
