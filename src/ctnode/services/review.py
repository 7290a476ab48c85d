"""The analysts' review queue and their decisions on hits: data that changes later results.

A ``false_positive`` decision suppresses that hit for the same subject in later screens
(``ctnode.services.screening``), and only for a subject identified beyond the name (a
birth date, a document or the caller's subject id): a decision on a name alone would hide
the listed person from everyone who screens that name, so it is refused. A suppressed
hit is still returned, marked with the decision; the suppression lapses after
``CTNODE_DECISION_SUPPRESSION_DAYS`` and a decision can be revoked (audited). Every
decision and revocation shows in the entity's history.

A reviewer sees who was screened: the subject of a screening with hits is kept sealed with
the node's data key (``Screening.open_subject``) for ``CTNODE_REVIEW_SUBJECT_DAYS``, opened
for one screening's review (audited as ``screening.subject.view``) and erased afterwards by
the job ``review-subjects`` (``screening.subject.erase``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from ctnode.clock import utcnow
from ctnode.errors import InvalidInput, NotFound
from ctnode.model.access import Actor
from ctnode.model.decisions import DECISIONS
from ctnode.model.screening import ScreenQuery
from ctnode.services.context import Context
from ctnode.services.screening.service import Screening

NAME_ONLY = ("a false positive suppresses a hit only for a subject identified beyond the name: "
             "screen (or describe) the subject with a birth date, a document or a subject id; "
             "a decision on a name alone would hide the listed entity from everyone screening "
             "that name")


# What the queue may be filtered by, beside who screened, the case and the days.
QUEUE_BANDS = ("match", "possible")
_LIST_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")


def checked_where(where: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The queue's filter, refused when its ``band`` or ``list`` is not one it can hold."""
    if not where:
        return where
    band, name = where.get("band"), where.get("list")
    if band and band not in QUEUE_BANDS:
        raise InvalidInput(f"band must be one of {', '.join(QUEUE_BANDS)} (not {band!r})")
    if name and not _LIST_NAME.fullmatch(name):
        raise InvalidInput(f"{name[:80]!r} is not the name of a list")
    return where


class Review:
    """The review queue and decisions of one node."""

    def __init__(self, ctx: Context, screening: Screening) -> None:
        self.ctx = ctx
        self.screening = screening
        self.review = ctx.store.review

    def queue(
        self, actor: Actor, *, reviewed: bool | None = False, limit: int = 100, offset: int = 0,
        where: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Screenings with reportable hits, newest first (unreviewed by default); ``where``
        narrows them: ``actor`` (who screened), ``case_ref``, ``since`` / ``until``,
        ``band`` (some hit of that band: ``QUEUE_BANDS``) and ``list`` (some hit on it)."""
        self.ctx.require(actor, "review")
        return self.review.list_screenings(reviewed=reviewed, limit=limit, offset=offset,
                                           where=checked_where(where))

    def queue_size(self, actor: Actor, *, reviewed: bool | None = False,
                   where: Mapping[str, Any] | None = None) -> int:
        """How many screenings the queue holds (for paging)."""
        self.ctx.require(actor, "review")
        return self.review.count_screenings(reviewed=reviewed, where=checked_where(where))

    def queue_lists(self, actor: Actor) -> list[str]:
        """The names of the lists this node holds (what the queue can be filtered by)."""
        self.ctx.require(actor, "review")
        return sorted(d["name"] for d in self.ctx.store.entities.list_datasets())

    def screening_detail(self, actor: Actor, screening_id: str) -> dict[str, Any]:
        """One screening of the queue with its hits and the decisions taken on them."""
        self.ctx.require(actor, "review")
        found = self.review.get_screening(screening_id)
        decided = {d["entity_id"]: d for d in self.review.decisions_for_screening(screening_id)}
        entities = self.ctx.store.entities
        captions = {}
        for hit in found["hits"]:
            try:
                captions[hit["entity_id"]] = entities.get_entity(hit["entity_id"]).caption
            except NotFound:  # removed from the store since (its decisions stay)
                captions[hit["entity_id"]] = hit["entity_id"]
        subject = self.screening.open_subject(found)
        if subject is not None:
            self.ctx.audit.record("screening.subject.view", actor,
                                  detail={"screening_id": screening_id})
        found.pop("subject_sealed", None)
        # each hit's explanation, sealed with the subject (none for a screening made before
        # they were kept, or past the subject's retention)
        explanations = subject.pop("explanations", None) or {} if subject else {}
        return {**found, "decisions": decided, "captions": captions, "subject": subject,
                "explanations": explanations}

    def erase_subjects(self, actor: Actor, *, audit_idle: bool = True) -> int:
        """Erase the screened subjects past ``CTNODE_REVIEW_SUBJECT_DAYS`` (the job
        ``review-subjects``); only keyed hashes remain. Audited when it erased any, or
        when run on demand (``audit_idle``)."""
        n = self.review.erase_subjects(utcnow())
        if n or audit_idle:
            self.ctx.audit.record("screening.subject.erase", actor, detail={"erased": n})
        return n

    def decide(
        self,
        actor: Actor,
        *,
        entity_id: str,
        decision: str,
        comment: str,
        screening_id: str | None = None,
        query: ScreenQuery | None = None,
    ) -> str:
        """Record an analyst's decision on a hit (for a screening, or for a subject query)."""
        self.ctx.require(actor, "decide")
        if decision not in DECISIONS:
            raise InvalidInput(f"decision must be one of {', '.join(DECISIONS)}")
        if not comment.strip():
            raise InvalidInput("a decision needs a comment")
        self.ctx.store.entities.get_entity(entity_id)
        if screening_id is not None:
            screening = self.review.get_screening(screening_id)
            subject = screening["subject_key"]
            if entity_id not in {h["entity_id"] for h in screening["hits"]}:
                raise InvalidInput(f"entity {entity_id} is not a hit of screening {screening_id}")
            identified = bool(screening.get("identified"))
        elif query is not None:
            subject = self.screening.subject_key(query)
            identified = query.identified
        else:
            raise InvalidInput("a decision needs a screening id or the screened subject")
        if decision == "false_positive" and not identified:
            raise InvalidInput(NAME_ONLY)
        did = str(uuid.uuid4())
        with self.ctx.store.begin() as conn:
            self.review.add_decision(conn, {
                "id": did, "entity_id": entity_id, "subject_key": subject,
                "screening_id": screening_id, "decision": decision, "comment": comment.strip(),
                "actor": actor.name,
            })
            self.ctx.audit.record(
                "decision", actor, result_ids=[entity_id], conn=conn,
                detail={"decision_id": did, "decision": decision, "screening_id": screening_id},
            )
        return did

    def revoke(self, actor: Actor, decision_id: str, *, reason: str) -> dict[str, Any]:
        """Revoke a decision: it stays on record (who, when, why) and suppresses nothing from
        now on; audited as ``decision.revoke``. Returns the decision as it now stands."""
        self.ctx.require(actor, "decide")
        if not reason.strip():
            raise InvalidInput("revoking a decision needs a reason")
        found = self.review.get_decision(decision_id)
        if found.get("revoked_at") is not None:
            raise InvalidInput(f"decision {decision_id} was already revoked")
        with self.ctx.store.begin() as conn:
            self.review.revoke_decision(conn, decision_id, actor=actor.name, reason=reason.strip())
            self.ctx.audit.record(
                "decision.revoke", actor, result_ids=[found["entity_id"]], conn=conn,
                detail={"decision_id": decision_id, "decision": found["decision"],
                        "decided_by": found["actor"], "reason": reason.strip()},
            )
        return self.review.get_decision(decision_id)
