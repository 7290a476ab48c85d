"""A fast acceptance check for the common STIX 2.1 domain and relationship objects, held to
``stix2``'s object model.

``stix2.parse`` builds an object instance for every object it checks: property cleaners,
``ChainMap`` look-ups, timestamp parsing with ``strptime``, defaults computed for every
property left out. That is about 0.25 ms per object, most of a whole import. Most objects
of a real feed are plain: known properties of plain JSON types, canonical identifiers and
timestamps, no extensions or granular markings. :func:`accepts` answers *True* only for an
object ``stix2.parse(obj, allow_custom=False, version="2.1")`` would accept, reading the
property table of ``stix2``'s own class for the type (so a property added or made required
by the library is seen here too) and the same rules:

- every property is one the class defines (no custom content) and no value is ``null`` or
  an empty list (which ``stix2`` drops or refuses);
- each value is of the property's kind, *narrower* than ``stix2`` accepts: a string for a
  string (``stix2`` turns any value into one), ``true``/``false`` for a boolean, an integer
  within the bounds for an integer, a non-empty list of such for a list, a lower-case
  canonical ``type--UUID`` of the RFC 4122 variant for an identifier, a timestamp of the
  form ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` that is a real date and time;
- a reference's type is accepted only if ``stix2``'s own property accepts a reference of
  that type (asked once per property and type);
- hashes (a file's) go through the library's own ``HashesProperty`` cleaner (algorithm
  names, each value's form);
- the class's object constraints: ``valid_until`` after ``valid_from``, ``last_seen`` not
  before ``first_seen``, ``stop_time`` after ``start_time``, a malware family named, a file
  with hashes or a name, an external reference with a description, id or URL, and the
  indicator's pattern checked by the same pattern validator ``stix2`` calls
  (``ctnode.intel.patterns`` when installed).

Decided here: the common domain objects, relationships, sightings and files. Anything else
(another type, extensions, granular markings, hashes in an external
reference, ``pattern_version`` other than 2.1, any value of another shape, any doubt) is
*not* decided here: the caller runs ``stix2.parse``, whose findings and messages are the
library's. A *False* therefore never refuses an object by itself.
``tests/intel/test_fastcheck.py`` holds :func:`accepts` to ``stix2.parse`` on the generated
mix and on thousands of mutated objects, and pins the classes' constraint methods to the
ones read here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import stix2.v21.sdo
from stix2 import properties as p
from stix2.registry import class_for_type
from stix2.v21.common import ExternalReference, KillChainPhase

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
_REF = re.compile(rf"([a-z][a-z0-9-]*[a-z0-9])--{_UUID}")
_TS = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?Z")
# a UUID of the RFC 4122 variant, to ask a reference property about a type alone
_PROBE = "--00000000-0000-4000-8000-000000000000"


def timestamp(value: Any) -> datetime | None:
    """A canonical STIX timestamp as a datetime (UTC), or None for anything else."""
    if type(value) is not str:
        return None
    m = _TS.fullmatch(value)
    if m is None:
        return None
    frac = m[7] or ""
    try:
        return datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]),
                        int(frac.ljust(6, "0")) if frac else 0, tzinfo=UTC)
    except ValueError:
        return None


_ref_types: dict[tuple[int, str], bool] = {}


def _ref_ok(prop: p.ReferenceProperty, value: Any) -> bool:
    if type(value) is not str:
        return False
    m = _REF.fullmatch(value)
    if m is None:
        return False
    key = (id(prop), m[1])
    ok = _ref_types.get(key)
    if ok is None:
        try:
            _, custom = prop.clean(m[1] + _PROBE, False)
            ok = not custom
        except Exception:  # noqa: BLE001  (the library refuses that type here: let it say so)
            ok = False
        _ref_types[key] = ok
    return ok


def _strings(value: Any) -> bool:
    return type(value) is str


def _embedded(cls: type, value: Any) -> bool:
    """An external reference or kill chain phase of plain strings."""
    if type(value) is not dict or not value:
        return False
    props = cls._properties  # type: ignore[attr-defined]
    for key, v in value.items():
        if key not in props or key == "hashes" or type(v) is not str:
            return False
    if any(prop.required and key not in value for key, prop in props.items()):
        return False
    if cls is ExternalReference:
        return any(k in value for k in ("description", "external_id", "url"))
    return True


def _value_ok(prop: Any, value: Any) -> bool:
    kind = type(prop)
    fixed = getattr(prop, "_fixed_value", None)
    if fixed is not None:
        return type(value) is str and value == fixed
    if kind in (p.StringProperty, p.OpenVocabProperty, p.PatternProperty):
        return type(value) is str
    if kind is p.ReferenceProperty:
        return _ref_ok(prop, value)
    if kind is p.TimestampProperty:
        return timestamp(value) is not None
    if kind is p.BooleanProperty:
        return type(value) is bool
    if kind is p.IntegerProperty:
        return (
            type(value) is int
            and (prop.min is None or value >= prop.min)
            and (prop.max is None or value <= prop.max)
        )
    if kind is p.EnumProperty:
        return type(value) is str and value in prop.allowed
    if kind is p.HashesProperty:  # the library's own cleaner: algorithm names, hash forms
        if type(value) is not dict or not value:
            return False
        try:
            _, custom = prop.clean(value, False)
        except Exception:  # noqa: BLE001  (refused: stix2 says why)
            return False
        return not custom
    if kind is p.ListProperty:
        if type(value) is not list or not value:
            return False
        inner = prop.contained
        if inner is ExternalReference or inner is KillChainPhase:
            return all(_embedded(inner, item) for item in value)
        if isinstance(inner, p.Property):
            return all(_value_ok(inner, item) for item in value)
        return False
    return False  # IDProperty is checked apart; other kinds: stix2 decides


def _ordered(obj: Mapping[str, Any], first: str, then: str, strict: bool) -> bool:
    """``then`` is after ``first`` (or not before it unless ``strict``), where both are given."""
    a, b = obj.get(first), obj.get(then)
    if a is None or b is None:
        return True
    ta, tb = timestamp(a), timestamp(b)
    if ta is None or tb is None:
        return False
    return tb > ta if strict else tb >= ta


def _seen(obj: Mapping[str, Any]) -> bool:
    return _ordered(obj, "first_seen", "last_seen", strict=False)


def _indicator(obj: Mapping[str, Any]) -> bool:
    if not _ordered(obj, "valid_from", "valid_until", strict=True):
        return False
    if obj.get("pattern_type") != "stix":
        return True
    if obj.get("pattern_version", "2.1") != "2.1":
        return False
    # the validator stix2 calls (ctnode.intel.patterns' fast path when installed)
    try:
        return not stix2.v21.sdo.run_validator(obj["pattern"], "2.1")
    except Exception:  # noqa: BLE001  (the grammar fails on some inputs, "": stix2 says)
        return False


def _malware(obj: Mapping[str, Any]) -> bool:
    return _seen(obj) and not (obj.get("is_family") is True and "name" not in obj)


def _relationship(obj: Mapping[str, Any]) -> bool:
    # Relationship.__init__ takes these three as named arguments and passes on only truthy
    # ones: an empty relationship_type is "missing" there
    if not all(obj.get(k) for k in ("source_ref", "relationship_type", "target_ref")):
        return False
    return _ordered(obj, "start_time", "stop_time", strict=True)


def _sighting(obj: Mapping[str, Any]) -> bool:
    return bool(obj.get("sighting_of_ref")) and _seen(obj)  # a named argument, as above


def _none(obj: Mapping[str, Any]) -> bool:
    return True


def _file(obj: Mapping[str, Any]) -> bool:
    return "hashes" in obj or "name" in obj


# The types decided here and each one's object constraints, as the class's
# ``_check_object_constraints`` has them (the test pins those methods' owners).
CONSTRAINTS: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "indicator": _indicator,
    "malware": _malware,
    "threat-actor": _seen,
    "intrusion-set": _seen,
    "campaign": _seen,
    "infrastructure": _seen,
    "identity": _none,
    "report": _none,
    "relationship": _relationship,
    "sighting": _sighting,
    "attack-pattern": _none,
    "tool": _none,
    "vulnerability": _none,
    "course-of-action": _none,
    "file": _file,  # a cyber observable with its id given (stix2 derives one only when absent)
}

_tables: dict[str, tuple[Mapping[str, Any], frozenset[str]]] = {}


def _table(stix_type: str) -> tuple[Mapping[str, Any], frozenset[str]] | None:
    found = _tables.get(stix_type)
    if found is None:
        cls = class_for_type(stix_type, "2.1")
        if cls is None:
            return None
        props = cls._properties
        found = (props, frozenset(k for k, prop in props.items() if prop.required))
        _tables[stix_type] = found
    return found


def accepts(obj: Mapping[str, Any]) -> bool:
    """True only if ``stix2.parse(obj, allow_custom=False, version="2.1")`` accepts ``obj``;
    False means "not decided here" (run ``stix2``)."""
    stix_type = obj.get("type")
    check = CONSTRAINTS.get(stix_type) if type(stix_type) is str else None
    if check is None:
        return False
    table = _table(stix_type)  # type: ignore[arg-type]
    if table is None:
        return False
    props, required = table
    oid = obj.get("id")
    if type(oid) is not str or not oid.startswith(stix_type + "--"):  # type: ignore[operator]
        return False
    m = _REF.fullmatch(oid)
    if m is None or m[1] != stix_type:
        return False
    for key, value in obj.items():
        if key == "id":
            continue
        if key in ("extensions", "granular_markings"):
            return False
        prop = props.get(key)
        if prop is None or not _value_ok(prop, value):
            return False
    for key in required:
        if key not in obj:
            return False
    return check(obj)
