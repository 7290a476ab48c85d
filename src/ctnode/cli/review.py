"""``ctnode decide`` and ``ctnode review``: analysts' decisions and the review queue."""

from __future__ import annotations

from typing import Annotated

import typer

from ctnode.cli.common import make_node, operator, out, print_json
from ctnode.cli.screening import (
    BirthDateOpt,
    DocumentOpt,
    NationalityOpt,
    SchemaOpt,
    SubjectIdOpt,
    subject_query,
)


def decide(
    entity_id: Annotated[str, typer.Argument(help="The hit's entity id (e.g. un_sc-QDi.006)")],
    decision: Annotated[str, typer.Option(help="confirmed, false_positive or unsure")],
    comment: Annotated[str, typer.Option(help="Why (required)")],
    screening: Annotated[str | None, typer.Option(help="Screening id the hit came from")] = None,
    name: Annotated[
        str | None, typer.Option(help="Or: the screened name (with the same details)")
    ] = None,
    birth_date: BirthDateOpt = None,
    nationality: NationalityOpt = None,
    document: DocumentOpt = None,
    schema: SchemaOpt = "Person",
    subject_id: SubjectIdOpt = None,
) -> None:
    """Record an analyst decision on a hit.

    A false positive suppresses the hit for the same subject identified beyond the name
    (birth date, document or --subject-id); on a name alone it is refused. A suppressed hit
    is still shown, marked with the decision, until it expires or is revoked
    (`ctnode revoke-decision`)."""
    query = (subject_query(name, schema, birth_date, nationality, document, subject_id)
             if name else None)
    node = make_node()
    try:
        did = node.review.decide(operator(), entity_id=entity_id, decision=decision,
                                 comment=comment, screening_id=screening, query=query)
    finally:
        node.close()
    out.print(f"decision {did} recorded: {entity_id} {decision}")


def revoke_decision(
    decision_id: Annotated[str, typer.Argument(help="The decision's id (from `ctnode decide`)")],
    reason: Annotated[str, typer.Option(help="Why it is revoked (required, audited)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Revoke a decision: it stays on record and suppresses nothing from now on (audited)."""
    node = make_node()
    try:
        row = node.review.revoke(operator(), decision_id, reason=reason)
    finally:
        node.close()
    if as_json:
        print_json(row)
        return
    out.print(f"decision {decision_id} ({row['decision']} on {row['entity_id']} by {row['actor']}) "
              f"revoked by {row['revoked_by']}")


def review(
    show_reviewed: Annotated[
        bool, typer.Option("--reviewed", help="Show reviewed ones instead")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The review queue: screenings with reportable hits that no analyst has decided yet."""
    node = make_node()
    try:
        rows = node.review.queue(operator(), reviewed=show_reviewed, limit=limit)
    finally:
        node.close()
    if as_json:
        print_json(rows)
        return
    for r in rows:
        hits = ", ".join(f"{h['entity_id']} ({h['band']} {h['score']:.2f})" for h in r["hits"])
        out.print(f"{r['at']:%Y-%m-%d %H:%M} {r['id']} {r['source']} by {r['actor']}: {hits}")
    if not rows:
        out.print("review queue empty")
