"""STIX 2.1 objects for hashes (with the ``stix2`` library, 3.0.2 tested), for the threat-intel work.

Export, per record, either an ``indicator`` with a pattern ``[file:hashes.'SHA-256' = '…']``
or an ``observed-data`` pointing at a ``file`` object carrying the hash. MD5 and SHA-256
use STIX's ``hashing-algorithm-ov`` names; PDQ is not in that open vocabulary and is
written as ``PDQ`` (STIX allows other names; consumers must be told). vPDQ has no STIX
form and is left out (counted). Labels go in ``labels``; the TLP 2.0 marking is referenced
in ``object_marking_refs`` and its ``marking-definition`` (OASIS's published ids, TLP 2.0
extension) travels in the bundle; ``x_ctnode_*`` properties keep bank, record id and source.
Ids are derived from the record id (UUIDv5), so exporting twice gives the same objects.

Import reads indicators whose pattern only compares ``file:hashes`` with ``=``, and
observed-data whose referenced file objects carry hashes; every object is first validated
by ``stix2.parse``; anything else is skipped with the reason.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import stix2
from stix2.exceptions import STIXError
from stix2patterns.pattern import Pattern

from ctnode.hashes.formats import common
from ctnode.hashes.model import Bank, HashFormatError, HashRecord, Provenance, SignalType, parse_tlp
from ctnode.model.tlp import MARKING_TO_TLP, TLP, TLP2_EXTENSION_ID, marking_definition

HASH_KEYS = {SignalType.MD5: "MD5", SignalType.SHA256: "SHA-256", SignalType.PDQ: "PDQ"}
_KEY_TYPES = {
    "md5": SignalType.MD5,
    "sha-256": SignalType.SHA256,
    "sha256": SignalType.SHA256,
    "pdq": SignalType.PDQ,
    "x_pdq": SignalType.PDQ,
}
_NAMESPACE = uuid.UUID("6f1d3b3e-6a0e-5d42-9a43-0c8f3b1f2c51")


def to_bundle(
    records: Iterable[HashRecord], *, mode: str = "indicator"
) -> tuple[dict[str, Any], int]:
    """A STIX 2.1 bundle (as a dict) and the number of records with no STIX form (vPDQ)."""
    if mode not in ("indicator", "observed-data"):
        raise ValueError("mode is 'indicator' or 'observed-data'")
    objects: list[Any] = []
    used: set[TLP] = set()
    skipped = 0
    for rec in records:
        key = HASH_KEYS.get(rec.signal_type)
        if key is None:
            skipped += 1
            continue
        used.add(rec.tlp)
        common: dict[str, Any] = {
            "id": f"{mode}--{uuid.uuid5(_NAMESPACE, rec.record_id)}",
            "created": rec.provenance.added_at,
            "modified": rec.provenance.added_at,
            "object_marking_refs": [rec.tlp.marking_id],
            "x_ctnode_bank": rec.bank,
            "x_ctnode_record_id": rec.record_id,
            "x_ctnode_source": rec.provenance.source,
            "allow_custom": True,
        }
        if rec.labels:
            common["labels"] = sorted(label.value for label in rec.labels)
        if mode == "indicator":
            objects.append(
                stix2.Indicator(
                    pattern=f"[file:hashes.'{key}' = '{rec.value}']",
                    pattern_type="stix",
                    valid_from=rec.provenance.added_at,
                    name=f"{rec.signal_type.value} hash in bank {rec.bank}",
                    **common,
                )
            )
        else:
            sco = stix2.File(
                hashes={key: rec.value}, allow_custom=rec.signal_type is SignalType.PDQ
            )
            objects.append(sco)
            when = rec.provenance.added_at
            objects.append(
                stix2.ObservedData(
                    first_observed=when,
                    last_observed=when,
                    number_observed=1,
                    object_refs=[sco.id],
                    **common,
                )
            )
    markings = [marking_definition(t) for t in sorted(used, key=lambda t: t.rank)]
    body = [json.loads(obj.serialize()) for obj in objects]
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": markings + body}, skipped


def write_stix(
    records: Iterable[HashRecord], path: Path, *, mode: str = "indicator"
) -> tuple[int, int]:
    bundle, skipped = to_bundle(records, mode=mode)
    path.write_text(json.dumps(bundle, indent=1), encoding="utf-8")
    return sum(1 for o in bundle["objects"] if o["type"] == mode), skipped


def read_stix(path: Path, bank: Bank, *, now: datetime | None = None) -> common.ImportResult:
    """Hashes from a STIX 2.1 bundle (or a bare list of objects)."""
    src = path.name
    data = common.load_json(common.read_text(path), source=src)
    objects = data.get("objects") if isinstance(data, dict) else data
    if isinstance(data, dict) and data.get("type") != "bundle":
        raise HashFormatError("expected a STIX bundle (type 'bundle')", source=src, field="type")
    if not isinstance(objects, list):
        raise HashFormatError("expected 'objects': a list", source=src, field="objects")
    by_id: dict[str, dict[str, Any]] = {}
    for i, obj in enumerate(objects):
        if (
            not isinstance(obj, dict)
            or not isinstance(obj.get("id"), str)
            or not isinstance(obj.get("type"), str)
        ):
            raise HashFormatError(
                "STIX object needs string 'type' and 'id'", source=src, field=f"objects[{i}]"
            )
        try:
            stix2.parse(obj, allow_custom=True)
        except (STIXError, ValueError, TypeError, KeyError) as exc:
            raise HashFormatError(
                f"invalid {obj['type']} {obj['id']}: {exc}", source=src, field=f"objects[{i}]"
            ) from None
        by_id[obj["id"]] = obj
    markings = dict(MARKING_TO_TLP)
    for obj in by_id.values():
        if obj["type"] == "marking-definition":
            ext = (obj.get("extensions") or {}).get(TLP2_EXTENSION_ID) or {}
            if isinstance(ext.get("tlp_2_0"), str):
                markings[obj["id"]] = parse_tlp(ext["tlp_2_0"])
    out = common.ImportResult()
    fallback = now or datetime.now(UTC)
    for i, obj in enumerate(objects):
        field = f"objects[{i}]"
        if obj["type"] == "indicator":
            pairs, why = _indicator_hashes(obj)
            when = obj.get("valid_from") or obj.get("created")
        elif obj["type"] == "observed-data":
            pairs, why = _observed_hashes(obj, by_id)
            when = obj.get("first_observed") or obj.get("created")
        else:
            continue
        if why:
            out.skipped.append(f"{field} {obj['id']}: {why}")
            continue
        added = common.parse_time(when, source=src, field=f"{field}.created") if when else fallback
        tagging = common.split_tags([str(x) for x in obj.get("labels", [])])
        tlp = next(
            (markings[m] for m in obj.get("object_marking_refs", []) if m in markings), tagging.tlp
        )
        tagging = common.Tagging(tagging.labels, tlp, tagging.tags)
        prov = Provenance("file", src, added, original_id=obj["id"], source_format="stix2.1")
        for kind, value in pairs:
            out.add(
                common.make_record(bank, kind, value, prov, common.Where(src, None, field), tagging)
            )
    return out


def _indicator_hashes(obj: dict[str, Any]) -> tuple[list[tuple[SignalType, str]], str]:
    if obj.get("pattern_type") != "stix":
        return [], f"pattern type {obj.get('pattern_type')!r} is not 'stix'"
    try:
        comparisons = Pattern(obj["pattern"]).inspect().comparisons
    except Exception as exc:  # noqa: BLE001  # stix2-patterns raises its parser's own exception types
        return [], f"pattern does not parse: {exc}"
    pairs = []
    for object_type, items in comparisons.items():
        for path, op, literal in items:
            if object_type != "file" or len(path) != 2 or path[0] != "hashes" or op != "=":
                return [], "pattern compares more than file hashes for equality"
            kind = _KEY_TYPES.get(str(path[1]).lower())
            if kind is None:
                return [], f"hash algorithm {path[1]!r} is not banked here (MD5, SHA-256, PDQ)"
            pairs.append((kind, str(literal).strip("'")))
    return pairs, "" if pairs else "no file hash in the pattern"


def _observed_hashes(
    obj: dict[str, Any], by_id: dict[str, dict[str, Any]]
) -> tuple[list[tuple[SignalType, str]], str]:
    pairs = []
    for ref in obj.get("object_refs", []):
        sco = by_id.get(ref)
        if sco is None or sco.get("type") != "file":
            continue
        for key, value in (sco.get("hashes") or {}).items():
            kind = _KEY_TYPES.get(str(key).lower())
            if kind is not None and isinstance(value, str):
                pairs.append((kind, value))
    return pairs, "" if pairs else "no referenced file object with an MD5, SHA-256 or PDQ hash"
