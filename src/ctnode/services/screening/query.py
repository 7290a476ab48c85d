"""Building a screening query: the one place a query's fields are checked and cleaned.

Every way a subject arrives (CLI arguments, an API body, a batch line, a yente
``/match`` example, a peer's ``screen.request``, a traveller, a payment party) ends in
:func:`build_query`, so names, schemas and dates are judged alike everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ctnode.errors import InvalidInput
from ctnode.model.dates import normalise_birth_date
from ctnode.model.entities import DOCUMENT_PROPS, NAME_PART_PROPS, NAME_PROPS
from ctnode.model.screening import SUBJECT_SCHEMAS, ScreenQuery, screening_schema

MAX_NAME = 500  # characters in one name
COUNTRY_PROPS = ("nationality", "citizenship", "country", "jurisdiction")


def clean_names(names: Iterable[str | None]) -> list[str]:
    """The non-empty names, each at most ``MAX_NAME`` characters; at least one."""
    kept = [n for n in names if n and n.strip()]
    if not kept:
        raise InvalidInput("a screening query needs at least one non-empty name")
    if any(len(n) > MAX_NAME for n in kept):
        raise InvalidInput(f"name longer than {MAX_NAME} characters")
    return kept


def build_query(
    names: Iterable[str | None],
    *,
    schema: str = "Person",
    birth_dates: Iterable[str] = (),
    nationalities: Iterable[str] = (),
    documents: Iterable[str] = (),
    datasets: list[str] | None = None,
    schemas: tuple[str, ...] = SUBJECT_SCHEMAS,
    dates_field: str = "birth date",
    dates_clean: bool = False,
    names_later: bool = False,
) -> ScreenQuery:
    """A checked query. ``schemas``: the schema names this entry point accepts;
    ``dates_field``: how the caller names its date field in an error; ``dates_clean``: the
    dates are already ISO prefixes (a traveller's, a party's); ``names_later``: the names
    are checked when the query is screened (one subject of a file, reported on its own).

    A birth date that is no date (``1974-01-32``, ``1968-13-30``, ``1981-3-05``, ``soon``)
    does not refuse the query: it is left out of matching and named in ``query.warnings``,
    which every answer carries, so the subject is still screened by its other details."""
    if schema not in schemas:
        raise InvalidInput(f"schema must be {', '.join(schemas[:-1])} or {schemas[-1]}")
    dates: list[str] = []
    warnings: list[str] = []
    for d in birth_dates:
        if not d or not d.strip():
            continue
        try:
            dates.append(d if dates_clean else normalise_birth_date(d))
        except ValueError as exc:  # a malformed date never drops the query: it is screened without it
            warnings.append(f"{dates_field}: {exc}; ignored for matching")
    return ScreenQuery(
        names=[n for n in names if n is not None] if names_later else clean_names(names),
        schema=schema,
        birth_dates=dates,
        nationalities=[v.strip() for v in nationalities if v and v.strip()],
        documents=[v.strip() for v in documents if v and v.strip()],
        datasets=datasets,
        warnings=warnings,
    )


def _values(props: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    out: list[str] = []
    for prop in names:
        raw = props.get(prop)
        if raw is None:
            continue
        for v in [raw] if isinstance(raw, str) else raw:
            if isinstance(v, str) and v.strip():
                out.append(v.strip())
    return out


def query_from_example(
    schema: str, props: Mapping[str, Any], datasets: list[str] | None, *, where: str = "query"
) -> ScreenQuery:
    """A query from a FollowTheMoney entity example (a yente ``/match`` query): names and name
    parts, dates of birth, nationalities and documents. A schema FollowTheMoney does not know,
    or one it does not match on (``Payment``, ``Family``), is refused, as yente refuses it."""
    from followthemoney import model as ftm_model  # here: a name screen never loads FtM

    ftm_schema = ftm_model.get(schema)
    if ftm_schema is None:
        raise InvalidInput(f"{where}.schema: unknown schema {schema!r}")
    if not ftm_schema.matchable:
        raise InvalidInput(f"{where}.schema: {schema!r} is not a schema entities are matched on")
    names = _values(props, NAME_PROPS)
    combined = " ".join(" ".join(_values(props, (p,))) for p in NAME_PART_PROPS).split()
    if combined:
        names.append(" ".join(combined))
    if not names:
        raise InvalidInput(f"{where}: needs a name (properties.name or name parts)")
    return build_query(
        names,
        schema=screening_schema(schema),
        birth_dates=_values(props, ("birthDate",)),
        nationalities=_values(props, COUNTRY_PROPS),
        documents=_values(props, DOCUMENT_PROPS),
        datasets=datasets,
        schemas=(screening_schema(schema),),
        dates_field="properties.birthDate",
    )
