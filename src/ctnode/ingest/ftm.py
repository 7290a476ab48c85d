"""FollowTheMoney (FtM) entities as JSON lines: import, and export of ctnode entities.

Import reads one FtM entity dict per line (``{"id", "schema", "properties"}``,
as written by OpenSanctions, ``ftm export`` or ``ctnode export ftm``):

* entities of a screened schema (LegalEntity and its descendants Person,
  Organization, Company, PublicBody; Vessel; Airplane) become ctnode
  entities; several lines with the same id are fragments of one entity and
  are merged, as FtM does;
* ``CryptoWallet`` entities are kept as listed wallets (found exactly in payment texts,
  :mod:`ctnode.payments.wallets`): ``publicKey``, ``currency`` and the rest as written; the
  ``holder`` link becomes ``holderId`` (the holder's ctnode id) and ``holder`` (its name);
* ``Sanction`` entities give their target a ``programId`` and ``listingDate``;
  ``Passport`` and ``Identification`` entities give their holder a
  ``passportNumber`` or ``idNumber``; other schemas (relations, addresses,
  documents) are skipped and counted in a warning;
* values are cleaned by their FtM type (countries to ISO codes, dates
  checked); ``Statement.original`` keeps the value as written;
* FtM's ``createdAt`` is read as ctnode's ``listingDate`` (and written back as
  ``createdAt`` on export: FtM has no listing date on a Person).

The list's source identity (``ParsedList.publisher``) is what its entities state: the name
in their ``datasets`` field that most lines give (OpenSanctions writes the source dataset
there, ``ctnode export ftm`` the list's name); None when no line states one.

Entity ids get the dataset as prefix (``<dataset>-<ftm id>``) unless they
already carry it; ``Entity.reference`` is the id without that prefix, so a
list exported with :func:`entity_to_ftm` imports back to the same ids.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

import orjson
from followthemoney import model, registry
from followthemoney.exc import InvalidData

from ctnode import collector
from ctnode.errors import ImportFailed, InvalidInput
from ctnode.ingest.list_warnings import list_warning
from ctnode.ingest.writing_systems import guess_lang
from ctnode.model.countries import country_code, not_available
from ctnode.model.entities import Entity
from ctnode.model.lists import ParsedList

# Longest JSON line accepted (an OpenSanctions entity is a few kB; 16 MB is absurd).
MAX_LINE_BYTES = 16 * 1024 * 1024
# FtM ids are slugs or hashes; refuse whitespace, control characters and very long ids.
_ID_RE = re.compile(r"^[^\s\x00-\x1f]{1,200}$")
# ctnode statement properties that FtM files under another name.
_EXPORT_RENAMES = {"listingDate": "createdAt"}
_IMPORT_RENAMES = {v: k for k, v in _EXPORT_RENAMES.items()}
# Schemas that become screenable entities (and every schema derived from them).
SCREENED_SCHEMAS = ("LegalEntity", "Vessel", "Airplane")
# Schemas kept as they are, though not screened by name.
KEPT_SCHEMAS = ("CryptoWallet",)
_DOCUMENT_SCHEMAS = {"Passport": "passportNumber", "Identification": "idNumber"}
# Types whose values are cleaned by FtM's registry (a pure function of the text); a list
# repeats few distinct values of them (dates of birth: some 25,000 at a million persons,
# where FtM's date parsing was a third of the whole parse), so each is cleaned once.
_CLEANED_TYPES = frozenset({"date", "gender", "topic", "url", "email", "phone", "language"})
_CLEAN_CACHE_MAX = 100_000
_clean_cache: dict[tuple[str, str], str | None] = {}
# a country value: (says "not available", its code or None), likewise once per text
_country_cache: dict[str, tuple[bool, str | None]] = {}


class _Ctx:
    def __init__(self, source: str) -> None:
        self.source = source
        self.warnings: list[str] = []
        self._seen: set[str] = set()

    def warn(self, code: str, **values: object) -> None:
        message = list_warning(code, source=self.source, **values)
        if message not in self._seen:
            self._seen.add(message)
            self.warnings.append(message)


def parse_ftm(lines: Iterable[bytes | str], *, dataset: str, source_name: str) -> ParsedList:
    """Parse FtM entities, one JSON object per line, into a :class:`ParsedList`.

    Python's cyclic garbage collector is paused meanwhile: the entities hold no reference
    cycles, and its full passes over the growing heap were a quarter of the parse at
    200,000 persons (more at a million)."""
    with collector.paused():
        return _parse_ftm(lines, dataset=dataset, source_name=source_name)


def _parse_ftm(lines: Iterable[bytes | str], *, dataset: str, source_name: str) -> ParsedList:
    ctx = _Ctx(source_name)
    entities: dict[str, Entity] = {}
    sanctions: list[tuple[int, dict[str, Any]]] = []
    documents: list[tuple[int, str, dict[str, Any]]] = []
    skipped: dict[str, int] = {}
    holders: list[tuple[Entity, str]] = []
    stated: Counter[str] = Counter()  # the names the lines' ``datasets`` fields give
    prefix = f"{dataset}-"
    for lineno, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_BYTES:
            raise ImportFailed(f"{source_name}: line {lineno}: longer than {MAX_LINE_BYTES} bytes")
        if not line.strip():
            continue
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise ImportFailed(f"{source_name}: line {lineno}: not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise ImportFailed(f"{source_name}: line {lineno}: expected a JSON object with "
                               "'id', 'schema' and 'properties'")
        raw_id, schema_name = data.get("id"), data.get("schema")
        if not isinstance(raw_id, str) or not _ID_RE.match(raw_id):
            raise ImportFailed(f"{source_name}: line {lineno}: field 'id' is missing or not a "
                               f"plain identifier: {raw_id!r}")
        schema = model.get(schema_name) if isinstance(schema_name, str) else None
        if schema is None:
            raise ImportFailed(f"{source_name}: line {lineno}: field 'schema' {schema_name!r} "
                               "is not a FollowTheMoney schema")
        named = data.get("datasets")
        if isinstance(named, list):
            stated.update({n.strip()[:200] for n in named if isinstance(n, str) and n.strip()})
        props = data.get("properties", {})
        if not isinstance(props, dict):
            raise ImportFailed(f"{source_name}: line {lineno}: field 'properties' is not an object")
        if schema.name == "Sanction":
            sanctions.append((lineno, props))
            continue
        if schema.name in _DOCUMENT_SCHEMAS:
            documents.append((lineno, _DOCUMENT_SCHEMAS[schema.name], props))
            continue
        if not _kept(schema):
            skipped[schema.name] = skipped.get(schema.name, 0) + 1
            continue
        entity_id = raw_id if raw_id.startswith(prefix) else prefix + raw_id
        entity = entities.get(entity_id)
        if entity is None:
            reference = raw_id[len(prefix):] if raw_id.startswith(prefix) else raw_id
            entity = Entity(id=entity_id, schema=schema.name, dataset=dataset,
                            reference=reference)
            entities[entity_id] = entity
        elif entity.schema != schema.name:
            try:
                entity.schema = model.common_schema(entity.schema, schema.name).name
            except InvalidData:
                raise ImportFailed(f"{source_name}: line {lineno}: entity {raw_id} appears "
                                   f"as {entity.schema} and as {schema.name}") from None
        _add_properties(entity, schema, props, lineno, ctx)
        if schema.name == "CryptoWallet":
            holders.extend((entity, ref) for ref in _strings(props.get("holder")))

    by_raw = {e.reference: e for e in entities.values() if e.reference is not None}
    by_raw.update(entities)
    for lineno, props in sanctions:
        _fold_sanction(by_raw, props, lineno, ctx)
    for lineno, prop, props in documents:
        _fold_document(by_raw, prop, props, lineno, ctx)
    for wallet, ref in holders:
        holder = by_raw.get(ref)
        if holder is None:
            ctx.warn("list.ftm.wallet_holders")
            wallet.add("holderId", ref)
            continue
        wallet.add("holderId", holder.id, ref)
        wallet.add("holder", holder.caption, ref)
    for name, count in sorted(skipped.items()):
        ctx.warn("list.ftm.schema_skipped", count=count, schema=name)
    result = list(entities.values())
    for entity in result:
        if not entity.get("name") and entity.schema not in KEPT_SCHEMAS:
            ctx.warn("list.ftm.no_name", ref=entity.reference)
    # the most stated name (ties: the first in alphabetical order) is the list's source
    publisher = min(stated.items(), key=lambda kv: (-kv[1], kv[0]))[0] if stated else None
    return ParsedList(dataset=dataset, title=dataset, version=None, source=source_name,
                      entities=result, warnings=ctx.warnings, publisher=publisher)


def _kept(schema: Any) -> bool:
    """Whether entities of ``schema`` are kept (screened or kept as they are)."""
    kept = _kept_schemas.get(schema.name)
    if kept is None:
        kept = _kept_schemas[schema.name] = any(
            schema.is_a(name) for name in SCREENED_SCHEMAS + KEPT_SCHEMAS)
    return kept


_kept_schemas: dict[str, bool] = {}


def _strings(values: Any) -> list[str]:
    if isinstance(values, str):
        return [values]
    if isinstance(values, list):
        return [v for v in values if isinstance(v, str)]
    return []


def _add_properties(entity: Entity, schema: Any, props: dict[str, Any], lineno: int,
                    ctx: _Ctx) -> None:
    for name, values in props.items():
        prop = schema.get(name)
        if prop is None:
            ctx.warn("list.ftm.not_in_schema", line=lineno, name=repr(name),
                     schema=schema.name)
            continue
        if prop.type.name == "entity":
            continue  # links to other entities (relations) are not screened
        target = _IMPORT_RENAMES.get(name, name)
        for raw in _strings(values):
            _add_value(entity, target, prop.type.name, raw, lineno, ctx)


def _add_value(entity: Entity, prop: str, type_name: str, raw: str, lineno: int,
               ctx: _Ctx) -> None:
    text = raw.strip()
    if not text:
        return
    if type_name == "country":
        try:
            skip, code = _country_cache[text]
        except KeyError:
            skip = not_available(text)
            code = None if skip else country_code(text)
            if len(_country_cache) >= _CLEAN_CACHE_MAX:
                _country_cache.clear()
            _country_cache[text] = skip, code
        if skip:
            return
        if code is None:
            ctx.warn("list.line.country", line=lineno, prop=prop, value=repr(text))
        entity.add(prop, code or text, raw)
        return
    if type_name in _CLEANED_TYPES:
        cleaned = _cleaned(type_name, text)
        if cleaned is None:
            ctx.warn("list.line.invalid", line=lineno, prop=prop, value=repr(text),
                     type=type_name)
            return
        entity.add(prop, cleaned, raw)
        return
    entity.add(prop, text, raw, lang=guess_lang(text) if type_name == "name" else None)


def _cleaned(type_name: str, text: str) -> str | None:
    """FtM's cleaned form of ``text`` as a ``type_name`` value (None: invalid), remembered
    (up to ``_CLEAN_CACHE_MAX`` values; then the memory starts again)."""
    key = (type_name, text)
    try:
        return _clean_cache[key]
    except KeyError:
        pass
    cleaned: str | None = registry.get(type_name).clean(text)
    if len(_clean_cache) >= _CLEAN_CACHE_MAX:
        _clean_cache.clear()
    _clean_cache[key] = cleaned
    return cleaned


def _target(by_id: dict[str, Entity], ref: Any) -> Entity | None:
    for value in _strings(ref):
        entity = by_id.get(value)
        if entity is not None:
            return entity
    return None


def _fold_sanction(by_id: dict[str, Entity], props: dict[str, Any], lineno: int,
                   ctx: _Ctx) -> None:
    target = _target(by_id, props.get("entity"))
    if target is None:
        ctx.warn("list.ftm.sanction_orphan")
        return
    for key in ("programId", "program"):
        for raw in _strings(props.get(key)):
            target.add("programId", raw.strip(), raw)
    for key in ("listingDate", "startDate"):
        for raw in _strings(props.get(key)):
            _add_value(target, "listingDate", "date", raw, lineno, ctx)
    target.add("topics", "sanction", "Sanction")


def _fold_document(by_id: dict[str, Entity], prop: str, props: dict[str, Any], lineno: int,
                   ctx: _Ctx) -> None:
    holder = _target(by_id, props.get("holder"))
    if holder is None:
        ctx.warn("list.ftm.document_orphan")
        return
    for raw in _strings(props.get("number")):
        holder.add(prop, raw.strip(), raw)


def entity_to_ftm(entity: Entity) -> dict[str, Any]:
    """A ctnode entity as an FtM entity dict (one line of ``ctnode export ftm``).

    Values are the cleaned ones; properties FtM's schema does not know are
    left out, except ``listingDate``, which FtM files as ``createdAt``.
    ``target`` is true while the entity is listed.
    """
    schema = model.get(entity.schema)
    if schema is None:
        raise InvalidInput(f"entity {entity.id}: schema {entity.schema!r} is not an FtM schema")
    properties: dict[str, list[str]] = {}
    for stmt in entity.statements:
        name = stmt.prop
        if schema.get(name) is None:
            name = _EXPORT_RENAMES.get(name, name)
        prop = schema.get(name)
        if prop is None or prop.type.name == "entity":
            continue
        values = properties.setdefault(name, [])
        if stmt.value not in values:
            values.append(stmt.value)
    data: dict[str, Any] = {
        "id": entity.id,
        "schema": schema.name,
        "caption": entity.caption,
        "properties": properties,
        "datasets": [entity.dataset],
        "referents": [],
        "target": entity.status == "listed",
    }
    if entity.first_seen is not None:
        data["first_seen"] = entity.first_seen.isoformat(timespec="seconds")
    if entity.last_seen is not None:
        data["last_seen"] = entity.last_seen.isoformat(timespec="seconds")
    return data
