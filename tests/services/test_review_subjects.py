"""The screened subject of a screening with hits is kept sealed for its reviewers, with its own
retention; a screening without hits keeps only keyed hashes (issue 14)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from ctnode.clock import utcnow
from ctnode.errors import CTNodeError
from ctnode.model.access import SYSTEM, Actor, Purpose
from ctnode.node import Node
from ctnode.services.screening.query import build_query
from ctnode.store import schema as tables

ADMIN = Actor(name="cli:test", role="admin")
CHECK = Purpose("border check", "Act 12 s.4", "case-7")


def _rows(node: Node) -> list[dict[str, Any]]:
    return node.store.db.query(select(tables.screenings))


def test_the_subject_of_a_hit_is_sealed_shown_to_its_reviewer_and_erased_later(
        node: Node) -> None:
    query = build_query(["Faris Nadir"], birth_dates=["1975-04-17"], documents=["X 1234567"])
    sid = node.screening.screen(query, ADMIN, CHECK).screening_id
    assert sid is not None
    miss = node.screening.screen(build_query(["Zzyzx Qwertyuiop"]), ADMIN, CHECK)
    assert miss.screening_id is None  # no hit: no row, only the audit's keyed hash
    (row,) = _rows(node)
    sealed = bytes(row["subject_sealed"])
    assert b"Faris" not in sealed and b"1975" not in sealed and b"1234567" not in sealed
    assert "subject_sealed" not in node.review.queue(ADMIN)[0]  # listings never carry it

    found = node.review.screening_detail(ADMIN, sid)
    assert found["subject"]["names"] == ["Faris Nadir"]
    assert found["subject"]["birth_dates"] == ["1975-04-17"]
    assert found["subject"]["documents"] == ["X 1234567"]
    assert [e.detail for e in node.audit.entries(event="screening.subject.view")] == \
        [{"screening_id": sid}]

    # the ciphertext is bound to its screening: copied onto another row it does not open
    sid2 = node.screening.screen(query, ADMIN, CHECK).screening_id
    with node.store.begin() as conn:
        conn.execute(tables.screenings.update().where(tables.screenings.c.id == sid2)
                     .values(subject_sealed=sealed))
    with pytest.raises(CTNodeError, match="another record"):
        node.review.screening_detail(ADMIN, str(sid2))

    # its own retention: shown until then, erased by the job afterwards
    assert node.review.erase_subjects(SYSTEM, audit_idle=False) == 0
    assert not list(node.audit.entries(event="screening.subject.erase"))
    with node.store.begin() as conn:
        conn.execute(tables.screenings.update().values(
            subject_expires_at=utcnow() - timedelta(seconds=1)))
    assert node.review.screening_detail(ADMIN, sid)["subject"] is None  # past: not opened
    assert node.review.erase_subjects(SYSTEM, audit_idle=False) == 2
    assert all(r["subject_sealed"] is None for r in _rows(node))
    assert [e.detail for e in node.audit.entries(event="screening.subject.erase")] == \
        [{"erased": 2}]
    assert node.settings.review_subject_days == 90
    assert "review-subjects" in node.jobs.jobs


def test_a_peers_query_is_never_kept_not_even_sealed(node: Node) -> None:
    query = build_query(["Faris Nadir"], birth_dates=["1975-04-17"])
    sid = node.screening.screen(query, ADMIN, CHECK, source="peer").screening_id
    assert sid is not None  # the hit is in the queue, by keyed hashes only
    (row,) = _rows(node)
    assert row["subject_sealed"] is None and row["subject_expires_at"] is None
    assert node.review.screening_detail(ADMIN, sid)["subject"] is None
