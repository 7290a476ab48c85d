"""The review queue filtered by band and by list, beside who screened, the case and the days
(issue 14): in SQL, on SQLite and PostgreSQL, with each hit's explanation sealed with the
subject for the reviewer."""

from __future__ import annotations

import uuid

import pytest

from ctnode.errors import InvalidInput
from ctnode.model.access import Actor, Purpose
from ctnode.node import Node
from ctnode.services.screening.query import build_query

ADMIN = Actor(name="cli:test", role="admin")
SCREENER = Actor(name="key:desk", role="screener")


def _row(entity_id: str, *hits: tuple[str, str | None]) -> dict[str, object]:
    """A review row whose hits have these (band, list); a list of None: named by none (as a
    watch row's hits), so the store reads it from the listed record."""
    return {"id": str(uuid.uuid4()), "actor": "key:gate", "source": "api",
            "subject_key": uuid.uuid4().hex, "query_hash": uuid.uuid4().hex,
            "purpose": "border", "case_ref": "C-1", "identified": True,
            "hits": [{"entity_id": entity_id, "score": 0.9, "band": band,
                      **({"list": name} if name else {})} for band, name in hits]}


def test_the_queue_filters_by_band_and_list(node: Node) -> None:
    entity = node.screening.screen(build_query(["Faris Nadir"]), ADMIN).hits[0].entity_id
    listed = node.store.entities.get_entity(entity).dataset
    rows = ([_row(entity, ("match", listed)) for _ in range(7)]
            + [_row(entity, ("possible", "ofac_sdn")) for _ in range(5)]
            + [_row(entity, ("possible", None)) for _ in range(3)]
            + [_row(entity, ("match", "ofac_sdn"), ("possible", listed)) for _ in range(2)])

    def size(**where: str) -> int:
        return node.review.queue_size(ADMIN, reviewed=None, where=where)

    filters = [{}, {"band": "match"}, {"band": "possible"}, {"list": "ofac_sdn"},
               {"list": listed}, {"band": "match", "list": "ofac_sdn"},
               {"band": "possible", "list": listed}, {"band": "match", "case_ref": "C-1"}]
    before = [size(**f) for f in filters]
    with node.store.begin() as conn:
        node.store.review.add_screenings(conn, rows)
    added = [size(**f) - b for f, b in zip(filters, before, strict=True)]
    assert added == [17,
                     7 + 2,  # match
                     5 + 3 + 2,  # possible
                     5 + 2,  # on ofac_sdn
                     7 + 3 + 2,  # on the record's list (a watch row's read from the record)
                     2,  # a match and a hit on ofac_sdn: not necessarily the same hit
                     3 + 2,
                     7 + 2]
    # pages of a filtered queue hold only its rows, each once
    seen = [r["id"] for offset in (0, 3, 6)
            for r in node.review.queue(ADMIN, reviewed=None, limit=3, offset=offset,
                                       where={"list": "ofac_sdn"})]
    assert len(seen) == len(set(seen)) == 7
    assert all("ofac_sdn" in r["hit_lists"] for r in node.review.queue(
        ADMIN, reviewed=None, where={"list": "ofac_sdn"}))
    # a name with a LIKE wildcard matches itself only
    assert size(list="ofac_sd_") == 0  # "_" is no wildcard here
    assert size(list="ofac") == 0  # a whole name, not a part of one
    assert node.review.queue_lists(ADMIN) == sorted(
        d["name"] for d in node.store.entities.list_datasets())


@pytest.mark.parametrize(("where", "message"), [
    ({"band": "no match"}, "band must be one of match, possible"),
    ({"band": "certain"}, "band must be one of match, possible"),
    ({"list": "un sc; drop"}, "is not the name of a list"),
    ({"list": "ofac%"}, "is not the name of a list"),
])
def test_a_filter_it_cannot_hold_is_refused(node: Node, where: dict[str, str],
                                            message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        node.review.queue(ADMIN, where=where)
    with pytest.raises(InvalidInput, match=message):
        node.review.queue_size(ADMIN, where=where)


def test_the_reviewer_sees_why_each_hit_was_raised(node: Node) -> None:
    query = build_query(["Faris Nadir"], birth_dates=["1975-04-17"])
    result = node.screening.screen(query, ADMIN, Purpose("border", "Act 1", None))
    assert result.screening_id is not None
    found = node.review.screening_detail(ADMIN, result.screening_id)
    hit = result.hits[0]
    kept = found["explanations"][hit.entity_id]
    assert [e["detail"] for e in kept] == [e.detail for e in hit.explanation]
    assert [e["phrases"] for e in kept] == [[p.as_dict() for p in e.phrases]
                                            for e in hit.explanation]
    assert "explanations" not in found["subject"]  # the subject's own fields only
    # the explanation names the subject: sealed with it, never in the clear
    assert not any("explanation" in h for h in found["hits"])
    with pytest.raises(Exception, match="may not"):
        node.review.queue_lists(SCREENER)
