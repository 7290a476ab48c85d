"""Options several commands share, defined once with one spelling.

Purpose, legal basis and case reference are audited with every query they come with.
The case is ``--case`` everywhere; ``--case-ref`` (the spelling of the manifest,
payment and biometric commands before 0.2) still works for one release, hidden from
``--help`` (see CHANGELOG.md).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from ctnode.errors import InvalidInput
from ctnode.model.access import Purpose

R = TypeVar("R")

PurposeTextOpt = Annotated[
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


def bundled(into: str, build: Callable[..., Any], options: dict[str, tuple[Any, Any]]
            ) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """A decorator giving a command options several commands share, each
    ``name: (Annotated option, default)``, after the command's own; the command receives them
    as one parameter ``into``, made by ``build(**values)``."""
    def decorate(command: Callable[..., R]) -> Callable[..., R]:
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != into]
        shared = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                    annotation=option)
                  for name, (option, default) in options.items()]

        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> R:
            values = {name: kwargs.pop(name, default) for name, (_, default) in options.items()}
            return command(*args, **{into: build(**values)}, **kwargs)

        wrapper.__signature__ = signature.replace(parameters=[*own, *shared])  # type: ignore[attr-defined]
        return wrapper

    return decorate


def with_purpose(command: Callable[..., R]) -> Callable[..., R]:
    """Give a command the shared options ``--purpose``, ``--legal-basis`` and ``--case`` (and the
    hidden ``--case-ref``); the command itself takes them as one ``purpose: Purpose``."""
    return bundled(
        "purpose",
        lambda purpose_text, legal_basis, case, old_case: stated_purpose(
            purpose_text, legal_basis, case, old_case),
        {"purpose_text": (PurposeTextOpt, None), "legal_basis": (LegalBasisOpt, None),
         "case": (CaseOpt, None), "old_case": (OldCaseOpt, None)},
    )(command)
