"""MISP events to STIX 2.1 and back, with MISP's own converter, and what a round trip loses.

- :func:`read_misp_event` reads MISP event JSON (the ``{"Event": {...}}`` export of a
  MISP instance, or the bare event) into PyMISP's ``MISPEvent``; malformed input is
  an ``InvalidInput`` naming the field.
- :func:`misp_to_stix` converts it with ``misp-stix`` (``MISPtoSTIX21Parser``), maps the
  TLP 1.0 marking definitions MISP's converter writes for ``tlp:white/green/amber/red``
  to the TLP 2.0 ones, and validates the result with ``stix.parse_stix`` (custom
  ``x-misp-*`` content allowed: it carries MISP attributes STIX has no type for).
- :func:`stix_to_misp` converts STIX 2.1 back to MISP event JSON (``misp-stix``'s
  internal parser for content that came from MISP, the external one otherwise).
- :func:`misp_round_trip` and :func:`stix_round_trip` run a round trip and list, field
  by field, what did not survive (``docs/threat-intel.md`` prints the report of the
  test fixtures).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import stix2
from misp_stix_converter import (
    ExternalSTIX2toMISPParser,
    InternalSTIX2toMISPParser,
    MISPtoSTIX21Parser,
)
from pymisp import MISPEvent
from pymisp.exceptions import PyMISPError

from ctnode.errors import InvalidInput
from ctnode.intel.stix import StixContent, make_bundle, parse_stix
from ctnode.intel.timestamps import parse_timestamp
from ctnode.model.tlp import TLP1_MARKING_IDS, marking_definition, object_tlp


def _give_legacy_finders_find_spec() -> None:
    """Let old meta-path finders answer ``find_spec``.

    misp-stix imports python-stix 1.x, which imports mixbox, which vendors an old
    ``six`` whose finder on ``sys.meta_path`` has only ``find_module`` (removed from
    the import protocol's expectations since Python 3.4). Python 3.11 still falls back
    to it, but code that calls ``find_spec`` on every finder (pytest's importlib mode,
    Python 3.12) fails on it. This adds the modern method, delegating to the old one.
    """
    for finder in sys.meta_path:
        if hasattr(finder, "find_spec") or not hasattr(finder, "find_module"):
            continue

        def find_spec(
            fullname: str, path: Any = None, target: Any = None, _finder: Any = finder
        ) -> importlib.machinery.ModuleSpec | None:
            loader = _finder.find_module(fullname, path)
            return importlib.util.spec_from_loader(fullname, loader) if loader is not None else None

        finder.find_spec = find_spec  # type: ignore[method-assign]


_give_legacy_finders_find_spec()


class MispConversionError(InvalidInput):
    """MISP's converter could not convert the content; the message carries its findings."""

    code = "misp_conversion_failed"


def read_misp_event(data: bytes | str | Mapping[str, Any]) -> MISPEvent:
    """MISP event JSON into a ``MISPEvent`` (PyMISP's object)."""
    if isinstance(data, (bytes, str)):
        try:
            doc = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InvalidInput(
                f"MISP event: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
            ) from None
    else:
        doc = dict(data)
    if not isinstance(doc, dict):
        raise InvalidInput('MISP event: expected a JSON object {"Event": {...}}')
    if "response" in doc and isinstance(doc["response"], list) and doc["response"]:
        doc = doc["response"][0]  # a MISP REST search answer
    body = doc.get("Event", doc)
    if not isinstance(body, dict):
        raise InvalidInput("MISP event: 'Event' must be an object")
    if not str(body.get("info", "")).strip():
        raise InvalidInput("MISP event: field 'Event.info' is required (the event's title)")
    for i, attr in enumerate(body.get("Attribute", []) or []):
        for key in ("type", "value"):
            if not isinstance(attr, dict) or attr.get(key) in (None, ""):
                raise InvalidInput(f"MISP event: field 'Event.Attribute[{i}].{key}' is required")
    for i, obj in enumerate(body.get("Object", []) or []):
        if not isinstance(obj, dict) or not obj.get("name"):
            raise InvalidInput(f"MISP event: field 'Event.Object[{i}].name' is required")
    event = MISPEvent()
    try:
        event.from_dict(**{"Event": body})
    except (PyMISPError, ValueError, TypeError, KeyError) as exc:
        raise InvalidInput(f"MISP event: {exc}") from None
    return event


def _tlp2_markings(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replace TLP 1.0 marking refs and definitions with the TLP 2.0 ones."""
    out: list[dict[str, Any]] = []
    needed: dict[str, dict[str, Any]] = {}
    for obj in objects:
        if obj.get("type") == "marking-definition" and obj.get("id") in TLP1_MARKING_IDS:
            continue
        refs = obj.get("object_marking_refs")
        if refs:
            new_refs = []
            for ref in refs:
                level = TLP1_MARKING_IDS.get(ref)
                if level is not None:
                    needed[level.marking_id] = marking_definition(level)
                    ref = level.marking_id
                if ref not in new_refs:
                    new_refs.append(ref)
            obj = {**obj, "object_marking_refs": new_refs}
        out.append(obj)
    present = {o["id"] for o in out if o.get("type") == "marking-definition"}
    out.extend(d for mid, d in needed.items() if mid not in present)
    return out


@dataclass(slots=True)
class MispImport:
    """A MISP event as validated STIX 2.1, and what the converter said on the way."""

    content: StixContent
    event_uuid: str
    notes: list[str] = field(default_factory=list)


def _messages(parser: Any) -> list[str]:
    notes: list[str] = []
    for kind in ("errors", "warnings"):
        found = getattr(parser, kind, None) or {}
        for key, values in dict(found).items():
            notes.extend(f"{kind[:-1]}: {key}: {v}" for v in values)
    return notes


def misp_to_stix(data: bytes | str | Mapping[str, Any] | MISPEvent) -> MispImport:
    """Convert a MISP event to validated STIX 2.1 objects (TLP 2.0 markings)."""
    event = data if isinstance(data, MISPEvent) else read_misp_event(data)
    parser = MISPtoSTIX21Parser()
    try:
        parser.parse_misp_event(event)
        bundle = json.loads(parser.bundle.serialize())
    except Exception as exc:  # the converter raises many kinds; all mean "could not convert"
        raise MispConversionError(
            f"MISP event {event.uuid}: misp-stix could not convert it: {exc}"
        ) from exc
    objects = _tlp2_markings(bundle.get("objects", []))
    content = parse_stix(
        make_bundle(objects, bundle.get("id")), allow_custom=True, source=f"MISP event {event.uuid}"
    )
    return MispImport(content=content, event_uuid=str(event.uuid), notes=_messages(parser))


def _from_misp(objects: list[dict[str, Any]]) -> bool:
    return any(
        any(str(label).startswith("misp:") for label in o.get("labels", []) or ()) for o in objects
    )


@dataclass(slots=True)
class MispExport:
    """STIX content as one MISP event (JSON data in MISP's export form)."""

    event: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def stix_to_misp(content: StixContent | Mapping[str, Any] | list[dict[str, Any]]) -> MispExport:
    """Convert STIX 2.1 to one MISP event, ``{"Event": {...}}``."""
    if not isinstance(content, StixContent):
        content = parse_stix(
            content if isinstance(content, list) else dict(content), allow_custom=True
        )
    objects = content.objects
    bundle = stix2.parse(make_bundle(objects, content.bundle_id), allow_custom=True, version="2.1")
    parser: Any = (
        InternalSTIX2toMISPParser() if _from_misp(objects) else ExternalSTIX2toMISPParser()
    )
    try:
        parser.load_stix_bundle(bundle)
        parser.parse_stix_bundle(single_event=True)
        event = json.loads(parser.misp_event.to_json())
    except Exception as exc:  # the converter raises many kinds; all mean "could not convert"
        raise MispConversionError(f"misp-stix could not convert the STIX content: {exc}") from exc
    return MispExport(event={"Event": event}, notes=_messages(parser))


LossKind = Literal["dropped", "changed", "added"]


@dataclass(frozen=True, slots=True)
class Loss:
    """One difference a round trip made: where, what it was, what it became."""

    path: str
    kind: LossKind
    before: Any = None
    after: Any = None

    def __str__(self) -> str:
        if self.kind == "dropped":
            return f"{self.path}: dropped (was {self.before!r})"
        if self.kind == "added":
            return f"{self.path}: added {self.after!r}"
        return f"{self.path}: {self.before!r} -> {self.after!r}"


@dataclass(slots=True)
class RoundTripReport:
    """What a round trip kept and lost."""

    direction: str
    losses: list[Loss] = field(default_factory=list)
    kept: int = 0  # items that came back unchanged
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        out: dict[str, int] = {"kept": self.kept}
        for loss in self.losses:
            out[loss.kind] = out.get(loss.kind, 0) + 1
        return out


# MISP attribute fields a round trip is judged on.
_ATTR_FIELDS = (
    "type",
    "category",
    "value",
    "to_ids",
    "comment",
    "first_seen",
    "last_seen",
    "disable_correlation",
)
_EVENT_FIELDS = ("info", "date", "threat_level_id", "analysis", "distribution", "published")


def _norm(value: Any) -> Any:
    if value in (None, "", [], {}):
        return None
    if isinstance(value, bool):
        return value
    return str(value)


def _tags(container: Mapping[str, Any]) -> set[str]:
    return {str(t.get("name")) for t in container.get("Tag", []) or [] if isinstance(t, Mapping)}


def _compare_attr(
    path: str, a: Mapping[str, Any], b: Mapping[str, Any], report: RoundTripReport
) -> None:
    changed = False
    for key in _ATTR_FIELDS:
        before, after = _norm(a.get(key)), _norm(b.get(key))
        if before != after:
            report.losses.append(
                Loss(f"{path}.{key}", "changed" if after is not None else "dropped", before, after)
            )
            changed = True
    for tag in sorted(_tags(a) - _tags(b)):
        report.losses.append(Loss(f"{path}.Tag", "dropped", tag))
        changed = True
    if not changed:
        report.kept += 1


def _event_body(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    body = doc.get("Event", doc)
    return body if isinstance(body, Mapping) else {}


def compare_misp_events(
    before: Mapping[str, Any], after: Mapping[str, Any], direction: str
) -> RoundTripReport:
    """Field-by-field differences between two MISP events (attributes matched by uuid)."""
    a, b = _event_body(before), _event_body(after)
    report = RoundTripReport(direction)
    for key in _EVENT_FIELDS:
        x, y = _norm(a.get(key)), _norm(b.get(key))
        if x != y:
            report.losses.append(
                Loss(f"Event.{key}", "changed" if y is not None else "dropped", x, y)
            )
    for tag in sorted(_tags(a) - _tags(b)):
        report.losses.append(Loss("Event.Tag", "dropped", tag))
    for key in ("Orgc", "Org"):
        x = (a.get(key) or {}).get("name")
        y = (b.get(key) or {}).get("name")
        if x and x != y:
            report.losses.append(Loss(f"Event.{key}.name", "dropped" if not y else "changed", x, y))
    for key in ("Galaxy", "EventReport", "Sighting"):
        if a.get(key) and not b.get(key):
            report.losses.append(Loss(f"Event.{key}", "dropped", len(a[key])))
    after_attrs = {x.get("uuid"): x for x in b.get("Attribute", []) or []}
    after_objs = {x.get("uuid"): x for x in b.get("Object", []) or []}
    for attr in a.get("Attribute", []) or []:
        path = f"Attribute[{attr.get('uuid')}]"
        twin = after_attrs.get(attr.get("uuid"))
        if twin is None:
            report.losses.append(Loss(path, "dropped", f"{attr.get('type')}={attr.get('value')}"))
            continue
        _compare_attr(path, attr, twin, report)
        if attr.get("Sighting") and not twin.get("Sighting"):
            report.losses.append(Loss(f"{path}.Sighting", "dropped", len(attr["Sighting"])))
    for obj in a.get("Object", []) or []:
        path = f"Object[{obj.get('name')} {obj.get('uuid')}]"
        twin = after_objs.get(obj.get("uuid"))
        if twin is None:
            report.losses.append(Loss(path, "dropped", obj.get("name")))
            continue
        if obj.get("ObjectReference") and not twin.get("ObjectReference"):
            report.losses.append(
                Loss(f"{path}.ObjectReference", "dropped", len(obj["ObjectReference"]))
            )
        inner = {
            (x.get("object_relation"), _norm(x.get("value"))): x
            for x in twin.get("Attribute", []) or []
        }
        for attr in obj.get("Attribute", []) or []:
            akey = (attr.get("object_relation"), _norm(attr.get("value")))
            apath = f"{path}.{attr.get('object_relation')}"
            match = inner.get(akey)
            if match is None:
                report.losses.append(Loss(apath, "dropped", attr.get("value")))
            else:
                _compare_attr(apath, attr, match, report)
    return report


def misp_round_trip(data: bytes | str | Mapping[str, Any]) -> RoundTripReport:
    """MISP -> STIX 2.1 -> MISP, and what did not survive."""
    event = read_misp_event(data)
    original = json.loads(event.to_json())
    imported = misp_to_stix(event)
    exported = stix_to_misp(imported.content)
    report = compare_misp_events({"Event": original}, exported.event, "MISP -> STIX 2.1 -> MISP")
    report.notes = imported.notes + exported.notes
    return report


_STIX_SKIP = frozenset({"id", "created", "modified", "spec_version", "labels", "object_marking_refs",
                        "created_by_ref", "object_refs", "x_misp_category", "x_misp_type"})  # fmt: skip


def _stix_key(obj: Mapping[str, Any]) -> tuple[str, str]:
    for prop in ("name", "pattern", "value", "relationship_type"):
        if obj.get(prop):
            extra = (
                f"{obj.get('source_ref', '')}>{obj.get('target_ref', '')}"
                if prop == "relationship_type"
                else ""
            )
            return (str(obj["type"]), f"{obj[prop]}{extra}")
    return (str(obj["type"]), str(obj.get("id")))


def _same(a: Any, b: Any) -> bool:
    if a == b:
        return True
    if isinstance(a, str) and isinstance(b, str):
        try:
            return parse_timestamp(a) == parse_timestamp(b)
        except ValueError:
            return False
    return False


def stix_round_trip(content: StixContent | Mapping[str, Any]) -> RoundTripReport:
    """STIX 2.1 -> MISP -> STIX 2.1, and what did not survive.

    Objects are matched by id, else by type and name (MISP's galaxies give SDOs new
    ids); relationships whose ends changed id count as dropped.
    """
    if not isinstance(content, StixContent):
        content = parse_stix(dict(content), allow_custom=True)
    exported = stix_to_misp(content)
    back = misp_to_stix(exported.event)
    report = RoundTripReport("STIX 2.1 -> MISP -> STIX 2.1", notes=exported.notes + back.notes)
    after_by_id = {o["id"]: o for o in back.content.objects}
    after_by_key = {_stix_key(o): o for o in back.content.objects}
    latest: dict[str, dict[str, Any]] = {}
    for obj in content.objects:
        latest[obj["id"]] = obj  # the last version of each object is what a round trip carries
    for obj in latest.values():
        if obj["type"] == "marking-definition":
            continue
        path = f"{obj['type']}[{obj.get('name') or obj['id']}]"
        twin = after_by_id.get(obj["id"]) or after_by_key.get(_stix_key(obj))
        if twin is None:
            report.losses.append(Loss(path, "dropped", obj["id"]))
            continue
        lost = False
        if object_tlp(obj) != object_tlp(twin):
            before, after = object_tlp(obj), object_tlp(twin)
            report.losses.append(
                Loss(f"{path}.TLP", "changed", before and before.label, after and after.label)
            )
            lost = True
        for prop, value in obj.items():
            if prop in _STIX_SKIP:
                continue
            if prop not in twin:
                report.losses.append(Loss(f"{path}.{prop}", "dropped", value))
                lost = True
            elif not _same(twin[prop], value):
                report.losses.append(Loss(f"{path}.{prop}", "changed", value, twin[prop]))
                lost = True
        if twin["id"] != obj["id"]:
            report.losses.append(Loss(f"{path}.id", "changed", obj["id"], twin["id"]))
            lost = True
        if not lost:
            report.kept += 1
    return report
