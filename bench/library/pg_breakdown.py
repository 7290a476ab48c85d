"""Where a library search's time goes on PostgreSQL: the ranked statement, the texts of the
10 hits, the snippets, the languages present, and the statement's own execution time on the
server (``EXPLAIN ANALYZE``, which the machine's load on the client side does not inflate).

    .venv/bin/python -m bench.library.pg_breakdown postgresql+psycopg://postgres@127.0.0.1/DB

DB: a database holding a library, e.g. the 10,000 generated documents ``bench.library.sql``
stores (keep one with ``pg_dump`` or load it with the loop of ``sql._run``). Statistics are
left as they are: on a freshly loaded table there are none, the case that used to plan
badly. Each plan is checked to go through the GIN index ``ix_library_texts_tsv``.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import event

from ctnode.library.query import parse_query
from ctnode.library.snippets import snippet
from ctnode.store.contracts import LibraryFilters
from ctnode.store.sql import SqlStore

QUERIES = Path(__file__).parent / "queries.json"
VISIBLE = frozenset({"clear", "green", "amber"})


def _ms(xs: list[float]) -> str:
    s = sorted(xs)
    return f"median {statistics.median(s) * 1000:.1f} ms, p95 {s[int(len(s) * 0.95) - 1] * 1000:.1f}"


def main() -> None:
    store = SqlStore(sys.argv[1])
    queries = json.loads(QUERIES.read_text())["queries"]
    seen: list[tuple[str, Any]] = []

    @event.listens_for(store.db.engine, "before_cursor_execute")
    def _keep(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        seen.append((statement, params))

    print(f"load average {os.getloadavg()[0]:.1f}")
    parts: dict[str, list[float]] = {"statement": [], "texts": [], "snippets": [],
                                     "languages": [], "whole": []}
    server: list[float] = []
    for round_ in range(3):
        for q in queries:
            compiled = parse_query(q["text"]).compile(q["lang"])
            filters = LibraryFilters(date(2026, 3, 1), VISIBLE, frozenset({q["lang"]}))
            t0 = time.perf_counter()
            hits, _ = store.library.search(q["lang"], compiled, filters, 10)
            t1 = time.perf_counter()
            texts = store.library.texts_of([(h.document_id, h.lang) for h in hits])
            t2 = time.perf_counter()
            for h in hits:
                snippet(texts[(h.document_id, h.lang)]["body"], h.lang, compiled).as_html()
            t3 = time.perf_counter()
            store.library.languages()
            t4 = time.perf_counter()
            for name, took in (("statement", t1 - t0), ("texts", t2 - t1), ("snippets", t3 - t2),
                               ("languages", t4 - t3), ("whole", t3 - t0)):
                parts[name].append(took)
            if round_ == 0:
                statement, params = next(s for s in reversed(seen) if "ts_rank_cd" in s[0])
                with store.db.engine.connect() as conn:
                    plan = "\n".join(r[0] for r in conn.exec_driver_sql(
                        "EXPLAIN (ANALYZE) " + statement, params))
                assert "ix_library_texts_tsv" in plan, plan
                found = re.search(r"Execution Time: ([\d.]+)", plan)
                assert found is not None
                server.append(float(found.group(1)) / 1000)
    for name, xs in parts.items():
        print(f"{name}: {_ms(xs)}")
    print(f"statement on the server (EXPLAIN ANALYZE, 30 queries): {_ms(server)}")
    print(f"load average {os.getloadavg()[0]:.1f}")
    store.close()


if __name__ == "__main__":
    main()
