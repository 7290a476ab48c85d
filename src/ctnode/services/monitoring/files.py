"""Files of subjects to put under watch: JSON lines, CSV, a manifest, a payment file.

Every reader returns the subjects' fields in file order, or refuses the whole file with
an ``InvalidInput`` naming the line (or element) and field: a file is put under watch
entirely or not at all. JSON lines and CSV carry the fields of a screen
(``name``/``names``, ``schema``, ``birthDate``, ``nationality``, ``document``) and an
optional ``id`` (the caller's own reference, kept sealed as the subject's label).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any, Literal, get_args

from ctnode.errors import InvalidInput
from ctnode.model.dates import normalise_birth_date
from ctnode.model.messages import decode_text
from ctnode.model.monitoring import SubjectFields
from ctnode.model.screening import ScreenQuery
from ctnode.payments.parse import parse_payments
from ctnode.services.batches.manifest import traveller_query
from ctnode.services.batches.payments import party_query
from ctnode.services.screening.query import build_query, clean_names
from ctnode.textsafe import json_object_line
from ctnode.travel.parse import parse_manifest

WatchFormat = Literal["jsonl", "csv", "manifest", "payments"]
WATCH_FORMATS: tuple[str, ...] = get_args(WatchFormat)
FIELDS = ("id", "schema", "name", "names", "birthDate", "nationality", "document")
# CSV: several values of one field in one cell are separated by "|"
CSV_SEPARATOR = "|"


def fields_of(query: ScreenQuery, label: str | None = None) -> SubjectFields:
    """The fields kept of a checked query."""
    return SubjectFields(names=list(query.names), schema=query.schema,
                         birth_dates=list(query.birth_dates),
                         nationalities=list(query.nationalities),
                         documents=list(query.documents), label=label)


def _values(where: str, name: str, value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise InvalidInput(f"{where}: field {name!r} must be a string or a list of strings")


def check_birth_dates(field_name: str, birth_dates: list[str]) -> None:
    """Refuse a malformed birth date. A screen leaves one out with a warning; a subject
    kept under watch would be watched without it (less identified: fewer false-positive
    decisions hold), and a file is watched whole or not at all."""
    for d in birth_dates:
        if d and d.strip():
            try:
                normalise_birth_date(d)
            except ValueError as exc:
                raise InvalidInput(f"{field_name}: {exc}") from None


def subject_from_mapping(where: str, item: dict[str, Any]) -> SubjectFields:
    """One subject from a JSON object or CSV row (``where`` names it in errors)."""
    unknown = set(item) - set(FIELDS)
    if unknown:
        raise InvalidInput(f"{where}: unknown field(s) {', '.join(sorted(unknown))} "
                           f"(known: {', '.join(FIELDS)})")
    label = item.get("id")
    if label is not None and not isinstance(label, str | int):
        raise InvalidInput(f"{where}: field 'id' must be a string or number")
    names = _values(where, "name", item.get("name")) + _values(where, "names", item.get("names"))
    birth_dates = _values(where, "birthDate", item.get("birthDate"))
    check_birth_dates(f"{where}: field 'birthDate'", birth_dates)
    try:
        query = build_query(
            names, schema=str(item.get("schema") or "Person"),
            birth_dates=birth_dates,
            nationalities=_values(where, "nationality", item.get("nationality")),
            documents=_values(where, "document", item.get("document")),
            dates_field="field 'birthDate'",
        )
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc.message}") from None
    return fields_of(query, None if label is None else str(label)[:200])


def read_jsonl(text: str, name: str) -> list[SubjectFields]:
    out: list[SubjectFields] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        where = f"{name}, line {lineno}"
        out.append(subject_from_mapping(where, json_object_line(raw, where)))
    return out


def read_csv(text: str, name: str) -> list[SubjectFields]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    if "name" not in header and "names" not in header:
        raise InvalidInput(f"{name}, line 1: the header needs a 'name' column "
                           f"(columns: {', '.join(FIELDS)})")
    out: list[SubjectFields] = []
    for row in reader:
        where = f"{name}, line {reader.line_num}"
        if None in row:
            raise InvalidInput(f"{where}: more cells than the header has columns")
        item: dict[str, Any] = {}
        for key, cell in row.items():
            cell = (cell or "").strip()
            if not cell:
                continue
            parts = [p.strip() for p in cell.split(CSV_SEPARATOR) if p.strip()]
            item[key] = cell if key in ("id", "schema") else parts
        if not item:
            continue
        out.append(subject_from_mapping(where, item))
    return out


def _from_queries(labelled: list[tuple[str, ScreenQuery | None]],
                  name: str) -> list[SubjectFields]:
    out: list[SubjectFields] = []
    for label, query in labelled:
        if query is None:
            continue
        try:
            query.names = clean_names(query.names)
        except InvalidInput as exc:
            raise InvalidInput(f"{name}: {label}: {exc.message}") from None
        out.append(fields_of(query))
    if not out:
        raise InvalidInput(f"{name}: no subject with a name in the file")
    return out


def read_manifest(data: bytes, name: str) -> list[SubjectFields]:
    """The travellers of a PAXLST, PNRGOV or MRZ manifest (only the screened fields)."""
    manifest = parse_manifest(data)
    return _from_queries([(f"traveller {i + 1}", traveller_query(t))
                          for i, t in enumerate(manifest.travellers)], name)


def read_payments(data: bytes, name: str) -> list[SubjectFields]:
    """The parties (not the agents) of a payment file."""
    message = parse_payments(data)
    return _from_queries([(f"{tx.ref} {p.role}", party_query(p))
                          for tx in message.transactions for p in tx.parties
                          if p.kind == "party"], name)


READERS: dict[str, Callable[[bytes, str], list[SubjectFields]]] = {
    "jsonl": lambda data, name: read_jsonl(decode_text(data), name),
    "csv": lambda data, name: read_csv(decode_text(data), name),
    "manifest": read_manifest,
    "payments": read_payments,
}


def read_subjects(data: bytes, fmt: str, name: str = "file") -> list[SubjectFields]:
    """The subjects of a file in format ``fmt`` (see ``WATCH_FORMATS``)."""
    reader = READERS.get(fmt)
    if reader is None:
        raise InvalidInput(f"unknown format {fmt!r} (one of {', '.join(WATCH_FORMATS)})")
    subjects = reader(data, name)
    if not subjects:
        raise InvalidInput(f"{name}: no subjects in the file")
    return subjects
