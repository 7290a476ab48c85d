"""Migration 0021_review_filters fills in the bands and lists of the review rows written
before it: bands from the hits, lists from the listed records they name (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, text

from ctnode.store.migrate import upgrade


def test_the_rows_before_it_get_their_bands_and_lists(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0020_list_sources")
    now = "2026-12-01 10:00:00"
    with engine.begin() as conn:
        for eid, dataset in (("un_sc-1", "un_sc"), ("ofac-9", "ofac_sdn")):
            conn.execute(text(
                "INSERT INTO entities (id, dataset, schema, reference, caption, status, "
                "fingerprint, first_seen, last_seen) VALUES (:id, :ds, 'Person', NULL, 'X', "
                "'listed', 'f', :at, :at)"), {"id": eid, "ds": dataset, "at": now})
        rows = {"a": [{"entity_id": "un_sc-1", "score": 0.9, "band": "match"}],
                "b": [{"entity_id": "un_sc-1", "score": 0.6, "band": "possible"},
                      {"entity_id": "ofac-9", "score": 0.9, "band": "match"}],
                "c": [{"entity_id": "gone-7", "score": 0.6, "band": "possible"}],
                "d": []}
        for sid, hits in rows.items():
            conn.execute(text(
                "INSERT INTO screenings (id, at, actor, source, subject_key, query_hash, "
                "hits, reviewed) VALUES (:id, :at, 'key:x', 'api', 's', 'q', :hits, 0)"),
                {"id": sid, "at": now, "hits": json.dumps(hits)})
    upgrade(engine, "0021_review_filters")
    with engine.connect() as conn:
        found = {r.id: (r.hit_bands, r.hit_lists) for r in conn.execute(
            text("SELECT id, hit_bands, hit_lists FROM screenings"))}
    engine.dispose()
    assert found == {"a": ("|match|", "|un_sc|"),
                     "b": ("|match|possible|", "|ofac_sdn|un_sc|"),
                     "c": ("|possible|", None),  # its record is no longer held: no list
                     "d": (None, None)}
