"""Reading and validating STIX 2.1 content with the OASIS ``stix2`` library.

:func:`parse_stix` takes a bundle (or a TAXII envelope, a list of objects, or one
object) and either returns every object, checked, or raises
:class:`~ctnode.intel.issues.StixValidationError` listing every problem by object id
and property: an import takes all of a file or none of it.

What is checked, per object:

- the JSON form and the STIX 2.1 object model, by ``stix2.parse`` in strict mode:
  required and unknown properties, value types, vocabularies that are closed,
  identifiers (``type--UUID`` of the right type), timestamps, ``modified`` not
  before ``created``, hash values of the named algorithm, and indicator patterns
  (the STIX pattern grammar);
- ``spec_version`` is ``2.1`` (STIX 2.0 content is refused with that reason);
- custom objects and ``x_`` properties only when the caller allows custom content
  (MISP's converter writes ``x-misp-*`` objects, so MISP import allows it);
- watchlist references on threat actors and intrusion sets (``watchlist.py``);
- warnings, not errors: a marking that is neither TLP nor defined in the bundle, the
  same object version twice.

The objects are returned as the producer wrote them (JSON data, not ``stix2``
instances): what the node stores and serves is the original, which keeps signatures
and provenance intact.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import orjson

from ctnode.intel import fastcheck, patterns
from ctnode.intel.issues import StixIssue, StixValidationError
from ctnode.intel.timestamps import object_version as object_version  # re-exported
from ctnode.intel.timestamps import parse_timestamp
from ctnode.intel.watchlist import check_list_references
from ctnode.model.tlp import MARKING_TO_TLP

patterns.install()  # simple indicator patterns checked without the ANTLR parser

# The types ctnode reads and shows with their own views; every other STIX 2.1 type
# (attack-pattern, tool, vulnerability, SCOs, ...) is validated and kept as well.
CORE_TYPES: tuple[str, ...] = (
    "indicator",
    "malware",
    "threat-actor",
    "intrusion-set",
    "campaign",
    "infrastructure",
    "identity",
    "report",
    "relationship",
    "sighting",
    "file",
    "marking-definition",
)
# STIX Cyber-observable types: spec_version optional, no created/modified.
SCO_TYPES: frozenset[str] = frozenset(
    {
        "artifact", "autonomous-system", "directory", "domain-name", "email-addr",
        "email-message", "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex",
        "network-traffic", "process", "software", "url", "user-account",
        "windows-registry-key", "x509-certificate",
    }
)  # fmt: skip
# Refuse more findings than this in one error (the rest are counted, not listed).
MAX_ISSUES = 1000


@dataclass(slots=True)
class StixContent:
    """Validated STIX objects, in input order, with what the validation noticed."""

    objects: list[dict[str, Any]]
    bundle_id: str | None = None
    warnings: list[StixIssue] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Objects per STIX type."""
        return dict(Counter(str(o["type"]) for o in self.objects))

    def of_type(self, *types: str) -> list[dict[str, Any]]:
        return [o for o in self.objects if o["type"] in types]


def _load(data: bytes | str | Mapping[str, Any] | list[Any], source: str | None) -> Any:
    if isinstance(data, (bytes, bytearray, memoryview, str)):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise StixValidationError(
                [StixIssue(f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")], source
            ) from None
    return data


def _objects_of(doc: Any, source: str | None) -> tuple[list[Any], str | None]:
    if isinstance(doc, list):
        return doc, None
    if not isinstance(doc, Mapping):
        raise StixValidationError([StixIssue("expected a STIX bundle, envelope or object")], source)
    if doc.get("type") == "bundle":
        objects = doc.get("objects", [])
        if not isinstance(objects, list):
            raise StixValidationError(
                [StixIssue("'objects' must be a list", str(doc.get("id")), property="objects")],
                source,
            )
        bundle_id = doc.get("id")
        if not isinstance(bundle_id, str) or not bundle_id.startswith("bundle--"):
            raise StixValidationError(
                [StixIssue("a bundle needs an id 'bundle--<uuid>'", property="id")], source
            )
        return objects, bundle_id
    if "type" not in doc and "objects" in doc:  # a TAXII envelope
        objects = doc["objects"]
        if not isinstance(objects, list):
            raise StixValidationError(
                [StixIssue("'objects' must be a list", property="objects")], source
            )
        return objects, None
    return [doc], None


def _issue_from(exc: Exception, object_id: str | None, index: int) -> StixIssue:
    """A finding from a ``stix2`` exception, naming the property it is about."""
    from stix2 import exceptions as stix2_errors

    prop: str | None = None
    message = str(exc)
    if isinstance(exc, stix2_errors.InvalidValueError):
        prop = exc.prop_name
        message = f"invalid value: {exc.reason}"
    elif isinstance(exc, stix2_errors.MissingPropertiesError):
        prop = ", ".join(sorted(exc.properties))
        message = "required property missing"
    elif isinstance(exc, stix2_errors.ExtraPropertiesError):
        prop = ", ".join(sorted(exc.properties))
        message = "property not defined by STIX 2.1 (custom content is not allowed here)"
    elif isinstance(exc, stix2_errors.PropertyPresenceError):
        message = str(exc)
    elif isinstance(exc, stix2_errors.ParseError):
        message = str(exc)
    return StixIssue(message, object_id, index=index, property=prop)


def _check_one(
    obj: Any, index: int, allow_custom: bool, issues: list[StixIssue], warnings: list[StixIssue]
) -> None:
    if not isinstance(obj, Mapping):
        issues.append(StixIssue("each entry of 'objects' must be a JSON object", index=index))
        return
    object_id = obj.get("id") if isinstance(obj.get("id"), str) else None
    stix_type = obj.get("type")
    if not isinstance(stix_type, str) or not stix_type:
        issues.append(StixIssue("required property missing", object_id, index, "type"))
        return
    if object_id is None:
        issues.append(StixIssue("required property missing", None, index, "id"))
        return
    if not object_id.startswith(stix_type + "--"):
        issues.append(StixIssue(f"id must start with '{stix_type}--'", object_id, index, "id"))
        return
    spec = obj.get("spec_version")
    if spec is None and stix_type not in SCO_TYPES:
        issues.append(
            StixIssue(
                "required property missing (STIX 2.1 objects carry spec_version '2.1')",
                object_id,
                index,
                "spec_version",
            )
        )
        return
    if spec is not None and spec != "2.1":
        issues.append(
            StixIssue(
                f"spec_version {spec!r} is not supported; ctnode reads STIX 2.1",
                object_id,
                index,
                "spec_version",
            )
        )
        return
    if not allow_custom and (stix_type.startswith("x-") or any(k.startswith("x_") for k in obj)):
        custom = (
            stix_type if stix_type.startswith("x-") else next(k for k in obj if k.startswith("x_"))
        )
        issues.append(
            StixIssue(
                "custom content is not allowed here",
                object_id,
                index,
                "type" if custom == stix_type else custom,
            )
        )
        return
    # stix2 here, not at the top: a server and every command import this module, few of
    # them read STIX (stix2 and its pattern grammar are a tenth of a server's start)
    import stix2
    from stix2 import exceptions as stix2_errors

    # a plain object of a common type is accepted without building the stix2 instance
    # (fastcheck answers True only where stix2.parse accepts; anything else goes to stix2)
    if allow_custom or not fastcheck.accepts(obj):
        try:
            stix2.parse(dict(obj), allow_custom=allow_custom, version="2.1")
        except stix2_errors.STIXError as exc:
            issues.append(_issue_from(exc, object_id, index))
            return
        except Exception as exc:  # noqa: BLE001  (ValueError, TypeError for bad values; the pattern
            # grammar fails on some, an empty one): a finding, never a crash
            issues.append(StixIssue(f"invalid: {exc}", object_id, index))
            return
    created, modified = obj.get("created"), obj.get("modified")
    if isinstance(created, str) and isinstance(modified, str):
        try:
            if parse_timestamp(modified, "modified") < parse_timestamp(created, "created"):
                issues.append(
                    StixIssue("must not be earlier than created", object_id, index, "modified")
                )
                return
        except ValueError as exc:
            issues.append(StixIssue(str(exc), object_id, index))
            return
    for finding in check_list_references(obj):
        finding = StixIssue(
            finding.message, finding.object_id, index, finding.property, finding.severity
        )
        (issues if finding.severity == "error" else warnings).append(finding)


def _check_chunk(args: tuple[list[Any], int, bool]) -> tuple[list[StixIssue], list[StixIssue]]:
    """Validate a slice of objects (in a worker process); indices are the bundle's."""
    objects, first, allow_custom = args
    issues: list[StixIssue] = []
    warnings: list[StixIssue] = []
    for offset, obj in enumerate(objects):
        _check_one(obj, first + offset, allow_custom, issues, warnings)
        if len(issues) >= MAX_ISSUES:
            break
    return issues, warnings


# Below this many objects, worker processes cost more than they save.
PARALLEL_MIN_OBJECTS = 5000


def parse_stix(
    data: bytes | str | Mapping[str, Any] | list[Any],
    *,
    allow_custom: bool = False,
    source: str | None = None,
    max_objects: int | None = None,
    workers: int = 1,
) -> StixContent:
    """Read and validate STIX 2.1 content; raise with every finding, or return every object.

    ``source`` (a file name, a peer) prefixes the error message. ``max_objects``
    refuses larger content before any object is parsed. ``workers`` > 1 validates
    large content in that many processes (indicator patterns dominate the cost).
    """
    doc = _load(data, source)
    objects, bundle_id = _objects_of(doc, source)
    if max_objects is not None and len(objects) > max_objects:
        raise StixValidationError(
            [
                StixIssue(
                    f"{len(objects)} objects; at most {max_objects} are accepted at once", bundle_id
                )
            ],
            source,
        )
    issues: list[StixIssue] = []
    warnings: list[StixIssue] = []
    if workers > 1 and len(objects) >= PARALLEL_MIN_OBJECTS:
        size = -(-len(objects) // (workers * 4))
        chunks = [(objects[i : i + size], i, allow_custom) for i in range(0, len(objects), size)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for chunk_issues, chunk_warnings in pool.map(_check_chunk, chunks):
                issues.extend(chunk_issues)
                warnings.extend(chunk_warnings)
    else:
        issues, warnings = _check_chunk((objects, 0, allow_custom))
    if len(issues) >= MAX_ISSUES:
        issues = issues[:MAX_ISSUES]
        issues.append(StixIssue(f"stopped after {MAX_ISSUES} errors", bundle_id))
    if issues:
        raise StixValidationError(issues, source)
    checked: list[dict[str, Any]] = [dict(o) for o in objects]
    warnings.extend(_bundle_warnings(checked))
    return StixContent(objects=checked, bundle_id=bundle_id, warnings=warnings)


def _bundle_warnings(objects: list[dict[str, Any]]) -> Iterable[StixIssue]:
    defined = {o["id"] for o in objects if o["type"] == "marking-definition"}
    seen: set[tuple[str, str | None]] = set()
    for index, obj in enumerate(objects):
        for ref in obj.get("object_marking_refs") or ():
            if ref not in MARKING_TO_TLP and ref not in defined:
                yield StixIssue(
                    f"marking {ref} is neither TLP nor defined in this content",
                    obj["id"],
                    index,
                    "object_marking_refs",
                    "warning",
                )
        key = (obj["id"], object_version(obj))
        if key in seen:
            yield StixIssue(
                "the same object version appears twice; the last one is kept",
                obj["id"],
                index,
                "modified",
                "warning",
            )
        seen.add(key)


def make_bundle(
    objects: Iterable[Mapping[str, Any]], bundle_id: str | None = None
) -> dict[str, Any]:
    """A STIX 2.1 bundle of the objects, as JSON data (a fresh bundle id unless given)."""
    bid = bundle_id or f"bundle--{uuid.uuid4()}"
    return {"type": "bundle", "id": bid, "objects": [dict(o) for o in objects]}
