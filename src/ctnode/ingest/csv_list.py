"""Any watchlist in CSV, read through a declarative mapping file (JSON or TOML).

The mapping says which column holds the reference number, which schema each
row is (fixed, or read from a column), which column feeds which FtM property,
how multi-value cells are split and how dates are written. It is data, never
code: unknown keys, unknown schemas and unknown properties are refused when
the mapping is loaded. ``docs/formats.md`` documents every key with examples.
"""

from __future__ import annotations

import csv
import json
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from followthemoney import model, registry

from ctnode.errors import ImportFailed
from ctnode.ingest.base import collapse
from ctnode.ingest.list_warnings import list_warning
from ctnode.ingest.writing_systems import guess_lang, main_script
from ctnode.model.countries import country_code, not_available
from ctnode.model.entities import Entity
from ctnode.model.lists import ParsedList

DEFAULT_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m", "%Y")
# csv's own cap on one cell (bytes); a longer cell fails the import instead of filling memory.
MAX_FIELD_SIZE = 1024 * 1024
_TOP_KEYS = {"dataset", "title", "publisher", "version", "schema", "schema_column", "schema_values",
             "schema_default", "id_column", "columns", "constants", "delimiter", "encoding",
             "header", "null_values", "date_formats", "merge_rows"}
_COLUMN_KEYS = {"column", "property", "split", "date_formats", "lang"}
_NAME_PARTS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
# ctnode properties that are not FtM properties of a Person/Organization, with their FtM type.
EXTRA_PROPS = {"listingDate": "date"}


@dataclass(frozen=True)
class ColumnMapping:
    """One CSV column feeding one FtM property."""

    column: str
    property: str
    split: str | None = None  # separator of several values in one cell, e.g. ";"
    date_formats: tuple[str, ...] | None = None  # strptime formats; default: the mapping's
    lang: str | None = None  # ISO 639-3 language of the values (for names)


@dataclass(frozen=True)
class CsvMapping:
    """How one CSV file becomes entities (see ``docs/formats.md``)."""

    dataset: str
    id_column: str
    columns: tuple[ColumnMapping, ...]
    title: str | None = None
    # who publishes the list (its source identity; default: the title): an import into the
    # dataset of a list of another publisher is refused
    publisher: str | None = None
    version: str | None = None
    schema: str | None = None  # fixed schema of every row, or:
    schema_column: str | None = None  # column whose value picks the schema ...
    schema_values: dict[str, str] = field(default_factory=dict)  # ... through this table
    schema_default: str | None = None  # schema when schema_column is empty
    constants: dict[str, tuple[str, ...]] = field(default_factory=dict)  # added to every entity
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    header: tuple[str, ...] | None = None  # column names when the file has no header row
    null_values: frozenset[str] = frozenset()  # cell values meaning "empty"
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    merge_rows: bool = False  # rows sharing a reference form one entity (else: refused)
    source: str = "<mapping>"

    def schemas(self) -> set[str]:
        found = set(self.schema_values.values())
        for name in (self.schema, self.schema_default):
            if name:
                found.add(name)
        return found


def load_mapping(path: Path) -> CsvMapping:
    """Read and check a mapping file (``.json`` or ``.toml``)."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(f"{name}: cannot read mapping file ({exc.strerror})") from None
    try:
        if path.suffix.lower() == ".toml":
            data: Any = tomllib.loads(raw.decode("utf-8"))
        else:
            data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"{name}: mapping is not valid {path.suffix.lstrip('.') or 'JSON'}: "
                           f"{exc}") from None
    return mapping_from_dict(data, source=name)


def _str(data: dict[str, Any], key: str, where: str, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise ImportFailed(f"{where}: '{key}' is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise ImportFailed(f"{where}: '{key}' must be a non-empty string")
    return value


def _str_list(value: Any, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ImportFailed(f"{where}: '{key}' must be a string or a list of strings")
    return tuple(value)


def _check_table(data: Any, allowed: frozenset[str] | set[str], where: str, not_table: str,
                 unknown_keys: str) -> None:
    """Refuse what is not an object/table, or holds keys the mapping does not know."""
    if not isinstance(data, dict):
        raise ImportFailed(f"{where}: {not_table}")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ImportFailed(f"{where}: {unknown_keys} {', '.join(unknown)}")


def mapping_from_dict(data: Any, *, source: str = "<mapping>") -> CsvMapping:
    """Check a mapping given as a dict (as parsed from JSON or TOML)."""
    _check_table(data, _TOP_KEYS, source, "mapping must be an object/table",
                 "unknown mapping key(s)")
    dataset = _str(data, "dataset", source, required=True)
    id_column = _str(data, "id_column", source, required=True)
    assert dataset is not None and id_column is not None
    if not all(c.isalnum() or c in "_-" for c in dataset):
        raise ImportFailed(f"{source}: 'dataset' may only hold letters, digits, '_' and '-'")
    schema = _str(data, "schema", source)
    schema_column = _str(data, "schema_column", source)
    schema_default = _str(data, "schema_default", source)
    schema_values = data.get("schema_values", {})
    if not isinstance(schema_values, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in schema_values.items()):
        raise ImportFailed(f"{source}: 'schema_values' must map column values to schema names")
    if (schema is None) == (schema_column is None):
        raise ImportFailed(f"{source}: give exactly one of 'schema' or 'schema_column'")
    if schema_column is not None and not schema_values and schema_default is None:
        raise ImportFailed(f"{source}: 'schema_column' needs 'schema_values' or 'schema_default'")
    for where, name in [("schema", schema), ("schema_default", schema_default),
                        *(("schema_values." + k, v) for k, v in schema_values.items())]:
        if name is not None:
            found = model.get(name)
            if found is None:
                raise ImportFailed(f"{source}: {where}: {name!r} is not a FollowTheMoney schema")
    columns = _columns(data.get("columns"), source)
    constants_raw = data.get("constants", {})
    if not isinstance(constants_raw, dict):
        raise ImportFailed(f"{source}: 'constants' must map properties to values")
    constants = {k: _str_list(v, source, f"constants.{k}") for k, v in constants_raw.items()}
    header = data.get("header")
    delimiter = data.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise ImportFailed(f"{source}: 'delimiter' must be one character")
    encoding = data.get("encoding", "utf-8-sig")
    if not isinstance(encoding, str):
        raise ImportFailed(f"{source}: 'encoding' must be a string")
    try:
        "".encode(encoding)
    except LookupError:
        raise ImportFailed(f"{source}: unknown 'encoding' {encoding!r}") from None
    merge_rows = data.get("merge_rows", False)
    if not isinstance(merge_rows, bool):
        raise ImportFailed(f"{source}: 'merge_rows' must be true or false")
    date_formats = _str_list(data.get("date_formats", list(DEFAULT_DATE_FORMATS)), source,
                             "date_formats")
    mapping = CsvMapping(
        dataset=dataset, id_column=id_column, columns=columns,
        title=_str(data, "title", source), version=_str(data, "version", source),
        publisher=_str(data, "publisher", source),
        schema=schema, schema_column=schema_column, schema_values=dict(schema_values),
        schema_default=schema_default, constants=constants, delimiter=delimiter,
        encoding=encoding,
        header=_str_list(header, source, "header") if header is not None else None,
        null_values=frozenset(v.strip() for v in _str_list(data.get("null_values", []), source,
                                                           "null_values")),
        date_formats=date_formats, merge_rows=merge_rows, source=source,
    )
    schemas = [model.get(s) for s in mapping.schemas()]
    for prop in [c.property for c in columns] + list(constants):
        if prop in EXTRA_PROPS:
            continue
        if not any(s is not None and s.get(prop) is not None for s in schemas):
            raise ImportFailed(f"{source}: property {prop!r} belongs to none of the schemas "
                               f"{', '.join(sorted(mapping.schemas()))}")
    return mapping


def _columns(raw: Any, source: str) -> tuple[ColumnMapping, ...]:
    if isinstance(raw, dict):  # shorthand: {"column": "property"}
        raw = [{"column": k, "property": v} for k, v in raw.items()]
    if not isinstance(raw, list) or not raw:
        raise ImportFailed(f"{source}: 'columns' must be a non-empty list (or column->property "
                           "table)")
    out: list[ColumnMapping] = []
    for i, item in enumerate(raw, start=1):
        where = f"{source}: columns[{i}]"
        _check_table(item, _COLUMN_KEYS, where, "must be an object/table", "unknown key(s)")
        column = _str(item, "column", where, required=True)
        prop = _str(item, "property", where, required=True)
        assert column is not None and prop is not None
        formats = item.get("date_formats")
        out.append(ColumnMapping(
            column=column, property=prop, split=_str(item, "split", where),
            date_formats=_str_list(formats, where, "date_formats") if formats else None,
            lang=_str(item, "lang", where),
        ))
    return tuple(out)


def _date_value(text: str, formats: tuple[str, ...]) -> str | None:
    for fmt in formats:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if any(d in fmt for d in ("%d", "%j")):
            return parsed.strftime("%Y-%m-%d")
        if any(m in fmt for m in ("%m", "%b", "%B")):
            return parsed.strftime("%Y-%m")
        return parsed.strftime("%Y")
    return None


def parse_csv(path: Path, mapping: CsvMapping, *, source_name: str | None = None) -> ParsedList:
    """Read ``path`` with ``mapping`` into a :class:`ParsedList`."""
    name = source_name or str(path)
    warnings: list[str] = []
    warned: set[str] = set()

    def warn(code: str, **values: object) -> None:
        message = list_warning(code, source=name, **values)
        if message not in warned:
            warned.add(message)
            warnings.append(message)

    entities: dict[str, Entity] = {}
    first_line: dict[str, int] = {}
    skipped_schemas: dict[str, int] = {}
    csv.field_size_limit(MAX_FIELD_SIZE)
    try:
        with path.open("r", encoding=mapping.encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=mapping.delimiter, strict=True)
            header = list(mapping.header) if mapping.header else next(reader, None)
            if header is None:
                raise ImportFailed(f"{name}: the file is empty")
            header = [h.strip() for h in header]
            index = {h: i for i, h in enumerate(header)}
            needed = [mapping.id_column, *(c.column for c in mapping.columns)]
            if mapping.schema_column:
                needed.append(mapping.schema_column)
            missing = sorted({c for c in needed if c not in index})
            if missing:
                raise ImportFailed(f"{name}: column(s) {', '.join(missing)} named in mapping "
                                   f"{mapping.source} are not in the header "
                                   f"({', '.join(header)})")
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    raise ImportFailed(f"{name}: line {line}: {len(row)} fields, the header has "
                                       f"{len(header)} (broken quoting?)")
                _row(row, line, index, mapping, entities, first_line, skipped_schemas, name,
                     warn)
    except FileNotFoundError:
        raise ImportFailed(f"{name}: file not found") from None
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"{name}: not valid {mapping.encoding} text (byte {exc.start}); set "
                           "'encoding' in the mapping") from None
    except csv.Error as exc:
        raise ImportFailed(f"{name}: CSV error near line {reader.line_num}: {exc}") from None
    for schema_value, count in sorted(skipped_schemas.items()):
        warn("list.csv.schema_skipped", count=count, column=mapping.schema_column,
             value=repr(schema_value))
    if not entities:
        raise ImportFailed(f"{name}: no rows to import")
    for entity in entities.values():
        _complete_name(entity)
        if not entity.get("name"):
            warn("list.csv.no_name", ref=entity.reference)
    return ParsedList(dataset=mapping.dataset, title=mapping.title or mapping.dataset,
                      version=mapping.version, source=name, entities=list(entities.values()),
                      warnings=warnings, publisher=mapping.publisher or mapping.title)


def _row(row: list[str], line: int, index: dict[str, int], mapping: CsvMapping,
         entities: dict[str, Entity], first_line: dict[str, int],
         skipped_schemas: dict[str, int], name: str, warn: Any) -> None:
    def cell(column: str) -> str:
        value = row[index[column]]
        return "" if value.strip() in mapping.null_values else value

    reference = collapse(row[index[mapping.id_column]])
    if not reference or reference in mapping.null_values:
        raise ImportFailed(f"{name}: line {line}: column {mapping.id_column} (the reference) "
                           "is empty")
    schema_name = mapping.schema
    if mapping.schema_column:
        value = collapse(row[index[mapping.schema_column]])
        schema_name = mapping.schema_values.get(value)
        if schema_name is None and (not value or value in mapping.null_values):
            schema_name = mapping.schema_default
        if schema_name is None:
            skipped_schemas[value] = skipped_schemas.get(value, 0) + 1
            return
    schema = model.get(schema_name) if schema_name else None
    if schema is None:  # load_mapping checked every schema name; this is a plain dict mapping
        raise ImportFailed(f"{name}: line {line}: schema {schema_name!r} is not an FtM schema")
    entity_id = f"{mapping.dataset}-{reference}"
    entity = entities.get(entity_id)
    if entity is not None:
        if not mapping.merge_rows:
            raise ImportFailed(f"{name}: line {line}: reference {reference} already used on "
                               f"line {first_line[entity_id]} (set merge_rows to combine rows)")
        if entity.schema != schema.name:
            raise ImportFailed(f"{name}: line {line}: reference {reference} is a {schema.name} "
                               f"here but a {entity.schema} on line {first_line[entity_id]}")
    else:
        entity = Entity(id=entity_id, schema=schema.name, dataset=mapping.dataset,
                        reference=reference)
        entities[entity_id] = entity
        first_line[entity_id] = line
        for prop, values in mapping.constants.items():
            if prop in EXTRA_PROPS or schema.get(prop) is not None:
                for value in values:
                    _add(entity, schema, prop, value, value, None, mapping.date_formats, line,
                         warn)
    for col in mapping.columns:
        raw = cell(col.column)
        if not raw.strip():
            continue
        if col.property not in EXTRA_PROPS and schema.get(col.property) is None:
            warn("list.csv.property_not_applicable", prop=col.property, schema=schema_name,
                 column=col.column)
            continue
        parts = raw.split(col.split) if col.split else [raw]
        for part in parts:
            if part.strip() and part.strip() not in mapping.null_values:
                _add(entity, schema, col.property, collapse(part), raw, col.lang,
                     col.date_formats or mapping.date_formats, line, warn)


def _add(entity: Entity, schema: Any, prop: str, value: str, original: str, lang: str | None,
         formats: tuple[str, ...], line: int, warn: Any) -> None:
    type_name = EXTRA_PROPS.get(prop) or schema.get(prop).type.name
    if type_name == "date":
        cleaned = _date_value(value, formats)
        if cleaned is None:
            warn("list.csv.date_format", line=line, prop=prop, value=repr(value),
                 formats=", ".join(formats))
            return
        entity.add(prop, cleaned, original)
    elif type_name == "country":
        if not_available(value):
            return
        code = country_code(value)
        if code is None:
            warn("list.line.country", line=line, prop=prop, value=repr(value))
        entity.add(prop, code or value, original)
    elif type_name in {"gender", "topic", "url", "email"}:
        cleaned_value = registry.get(type_name).clean(value)
        if cleaned_value is None:
            warn("list.line.invalid", line=line, prop=prop, value=repr(value), type=type_name)
            return
        entity.add(prop, cleaned_value, original)
    else:
        if lang is None and type_name == "name":
            lang = guess_lang(value)
        entity.add(prop, value, original, lang=lang)


def _complete_name(entity: Entity) -> None:
    """Assemble ``name`` from the name parts when no Latin-script full name was given."""
    if any(main_script(name) in {"Latn", None} for name in entity.get("name")):
        return
    parts = [entity.first(p) for p in _NAME_PARTS]
    present = [p for p in parts if p]
    if present:
        entity.add("name", " ".join(present), " ".join(present))
