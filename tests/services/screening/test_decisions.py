"""Decisions that cannot hide a listed person.

A false positive suppresses a hit only for a subject identified beyond the name; a
suppressed hit is still returned, marked with the decision's id and author; decisions
expire and can be revoked (audited).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from ctnode import clock
from ctnode.errors import InvalidInput
from ctnode.model.access import Purpose
from ctnode.node import Node
from ctnode.services.screening.query import build_query
from tests.conftest import ANALYST, SCREENER

P = Purpose("screening", "test", "case-1")
GROUP = "Brigade of the Silver Crescent"
GROUP_ID = "un_sc-DMe.001"
PERSON = "Faris Nadir"
PERSON_ID = "un_sc-DMi.001"


def _ids(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.entity_id for h in hits]


def test_a_false_positive_on_a_name_alone_is_refused(node: Node) -> None:
    query = build_query([GROUP], schema="Organization")
    first = node.screening.screen(query, SCREENER, P)
    assert GROUP_ID in _ids(first.hits) and first.screening_id
    for how in ({"screening_id": first.screening_id}, {"query": query}):
        with pytest.raises(InvalidInput, match="identified beyond the name"):
            node.review.decide(ANALYST, entity_id=GROUP_ID, decision="false_positive",
                               comment="not them", **how)  # type: ignore[arg-type]
    # "unsure" and "confirmed" suppress nothing and stay allowed on a name alone
    node.review.decide(ANALYST, entity_id=GROUP_ID, decision="unsure", comment="check",
                       screening_id=first.screening_id)
    again = node.screening.screen(query, SCREENER, P)
    assert GROUP_ID in _ids(again.hits) and again.suppressed == []


def test_an_old_name_only_false_positive_hides_nothing(node: Node) -> None:
    """A decision stored before the rule (or written by another tool) on a name-only subject
    never suppresses: the screen itself checks that the subject is identified."""
    query = build_query([GROUP], schema="Organization")
    subject = node.screening.subject_key(query)
    with node.store.begin() as conn:
        node.store.review.add_decision(conn, {
            "id": "old-1", "entity_id": GROUP_ID, "subject_key": subject, "screening_id": None,
            "decision": "false_positive", "comment": "legacy", "actor": "someone"})
    result = node.screening.screen(query, SCREENER, P)
    assert GROUP_ID in _ids(result.hits) and result.suppressed == []
    batch = list(node.screening.screen_many([query], SCREENER, P))
    assert GROUP_ID in _ids(batch[0].hits)


def test_a_suppressed_hit_is_returned_marked_everywhere(node: Node) -> None:
    query = build_query([PERSON], birth_dates=["1975-04-17"])
    first = node.screening.screen(query, SCREENER, P)
    assert first.hits[0].entity_id == PERSON_ID
    did = node.review.decide(ANALYST, entity_id=PERSON_ID, decision="false_positive",
                             comment="other person, passport seen",
                             screening_id=first.screening_id)
    again = node.screening.screen(query, SCREENER, P)
    assert PERSON_ID not in _ids(again.hits)
    (hit,) = again.suppressed
    assert hit.entity_id == PERSON_ID and hit.band == "match"
    assert hit.suppressed is not None and hit.suppressed.decision_id == did
    assert hit.suppressed.by == ANALYST.name and hit.suppressed.expires
    assert hit.as_dict()["suppressed"]["decision_id"] == did
    (batch,) = node.screening.screen_many([query], SCREENER, P)
    assert _ids(batch.suppressed) == [PERSON_ID] and batch.suppressed[0].suppressed is not None
    (answer,) = node.screening.match({"q": query}, ANALYST, P).values()
    marked = [m for m in answer.matches if m.hit.entity_id == PERSON_ID]
    assert marked and marked[0].hit.suppressed is not None
    # the same name with another birth date (another subject) is not suppressed
    other = node.screening.screen(build_query([PERSON], birth_dates=["1975-04-18"]), SCREENER, P)
    assert other.hits[0].entity_id == PERSON_ID and other.suppressed == []


def test_a_subject_id_identifies_and_a_decision_can_be_revoked(node: Node) -> None:
    query = build_query([GROUP], schema="Organization")
    query.subject_id = "case-9/org-2"
    first = node.screening.screen(query, SCREENER, P)
    did = node.review.decide(ANALYST, entity_id=GROUP_ID, decision="false_positive",
                             comment="a charity of that name", screening_id=first.screening_id)
    assert _ids(node.screening.screen(query, SCREENER, P).suppressed) == [GROUP_ID]
    with pytest.raises(InvalidInput, match="needs a reason"):
        node.review.revoke(ANALYST, did, reason=" ")
    row = node.review.revoke(ANALYST, did, reason="the charity is a front, confirmed")
    assert row["revoked_by"] == ANALYST.name and row["revoke_reason"].startswith("the charity")
    after = node.screening.screen(query, SCREENER, P)
    assert GROUP_ID in _ids(after.hits) and after.suppressed == []
    with pytest.raises(InvalidInput, match="already revoked"):
        node.review.revoke(ANALYST, did, reason="again")
    (entry,) = list(node.audit.entries(event="decision.revoke"))
    assert entry.detail["decision_id"] == did and entry.detail["decided_by"] == ANALYST.name
    history = node.store.entities.entity_events(GROUP_ID)
    assert history[-1]["kind"] == "decision" and history[-1]["detail"]["revoked"] is True


def test_a_suppression_expires(node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    query = build_query([PERSON], documents=["P1234567"])
    first = node.screening.screen(query, SCREENER, P)
    node.review.decide(ANALYST, entity_id=PERSON_ID, decision="false_positive",
                       comment="other person", screening_id=first.screening_id)
    node.settings.decision_suppression_days = 10
    now = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: now + timedelta(days=9))
    assert _ids(node.screening.screen(query, SCREENER, P).suppressed) == [PERSON_ID]
    monkeypatch.setattr(clock, "utcnow", lambda: now + timedelta(days=11))
    later = node.screening.screen(query, SCREENER, P)
    assert later.suppressed == [] and later.hits[0].entity_id == PERSON_ID
