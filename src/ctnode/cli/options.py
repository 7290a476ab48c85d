"""Options several commands share, defined once with one spelling.

Purpose, legal basis and case reference are audited with every query they come with.
The case is ``--case`` everywhere; ``--case-ref`` (the spelling of the manifest,
payment and biometric commands before 0.2) still works for one release, hidden from
``--help`` (see CHANGELOG.md).
"""

from __future__ import annotations

from typing import Annotated

import typer

from ctnode.errors import InvalidInput
from ctnode.model.access import Purpose

PurposeOpt = Annotated[
    str | None, typer.Option("--purpose", help="Why this query is made (audited).")
]
LegalBasisOpt = Annotated[
    str | None, typer.Option("--legal-basis", help="The legal basis (audited).")
]
CaseOpt = Annotated[str | None, typer.Option("--case", help="Case reference (audited).")]
OldCaseOpt = Annotated[
    str | None, typer.Option("--case-ref", hidden=True, help="Old spelling of --case.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def stated_purpose(
    purpose: str | None, legal_basis: str | None, case: str | None, old_case: str | None = None
) -> Purpose:
    """The purpose the options state (``--case-ref`` read as ``--case``)."""
    if case and old_case and case != old_case:
        raise InvalidInput("give the case once: --case (--case-ref is its old spelling)")
    return Purpose(purpose=purpose, legal_basis=legal_basis, case_ref=case or old_case)
