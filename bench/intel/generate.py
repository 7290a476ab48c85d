"""Generated STIX 2.1 content for the benchmarks: a realistic mix of types, seeded.

Mix per 100 objects: 30 indicators (file hashes, domains, IPv4 and URLs, STIX
patterns), 10 file observables with hashes, 8 malware, 4 threat actors, 4 intrusion
sets, 4 campaigns, 4 infrastructure, 4 identities, 2 reports, 22 relationships,
6 sightings, 2 second versions of earlier SDOs. Markings: TLP 2.0, mostly AMBER and
GREEN, some CLEAR, AMBER+STRICT and RED.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from ctnode.model.tlp import TLP, marking_definition

_WEIGHTS = [
    ("indicator", 30), ("file", 10), ("malware", 8), ("threat-actor", 4), ("intrusion-set", 4),
    ("campaign", 4), ("infrastructure", 4), ("identity", 4), ("report", 2), ("relationship", 22),
    ("sighting", 6), ("new-version", 2),
]  # fmt: skip
_TLP = [TLP.AMBER] * 5 + [TLP.GREEN] * 3 + [TLP.CLEAR, TLP.AMBER_STRICT, TLP.RED]
_WORDS = "amber basalt cedar delta ember falcon granite harbor iris jasper kestrel lumen".split()


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def generate(n: int, seed: int = 17) -> list[dict[str, Any]]:
    """``n`` STIX objects (plus the five TLP marking definitions first)."""
    rng = random.Random(seed)
    kinds = [k for k, w in _WEIGHTS for _ in range(w)]
    out: list[dict[str, Any]] = [marking_definition(level) for level in TLP]
    sdo_ids: list[str] = []
    sdos: list[dict[str, Any]] = []
    indicator_ids: list[str] = []
    identity_ids: list[str] = []
    t0 = datetime(2025, 1, 1, tzinfo=UTC)

    def uid(kind: str) -> str:
        return f"{kind}--{uuid.UUID(int=rng.getrandbits(128), version=4)}"

    while len(out) < n + len(TLP):
        kind = rng.choice(kinds)
        t = t0 + timedelta(seconds=len(out) * 7, milliseconds=rng.randrange(1000))
        common = {
            "spec_version": "2.1",
            "created": _ts(t),
            "modified": _ts(t),
            "object_marking_refs": [rng.choice(_TLP).marking_id],
        }
        word = f"{rng.choice(_WORDS)}-{rng.randrange(10**6)}"
        obj: dict[str, Any]
        if kind == "indicator":
            digest = hashlib.sha256(word.encode()).hexdigest()
            pattern = rng.choice(
                [
                    f"[file:hashes.'SHA-256' = '{digest}']",
                    f"[domain-name:value = '{word}.example.net']",
                    f"[ipv4-addr:value = '198.51.{rng.randrange(256)}.{rng.randrange(256)}']",
                    f"[url:value = 'https://{word}.example.org/login']",
                ]
            )
            obj = {
                "type": kind,
                "id": uid(kind),
                **common,
                "name": f"Indicator {word}",
                "pattern": pattern,
                "pattern_type": "stix",
                "valid_from": _ts(t),
                "indicator_types": ["malicious-activity"],
            }
            indicator_ids.append(obj["id"])
        elif kind == "file":
            data = word.encode()
            obj = {
                "type": "file",
                "spec_version": "2.1",
                "id": uid("file"),
                "name": f"{word}.docm",
                "hashes": {
                    "SHA-256": hashlib.sha256(data).hexdigest(),
                    "MD5": hashlib.md5(data).hexdigest(),
                },
            }
        elif kind in ("malware", "threat-actor", "intrusion-set", "campaign", "infrastructure"):
            obj = {
                "type": kind,
                "id": uid(kind),
                **common,
                "name": word.title(),
                "description": f"Generated {kind} {word}.",
            }
            if kind == "malware":
                obj["is_family"] = True
                obj["malware_types"] = ["dropper"]
            if kind == "threat-actor":
                obj["threat_actor_types"] = ["terrorist"]
            if kind == "infrastructure":
                obj["infrastructure_types"] = ["command-and-control"]
            sdo_ids.append(obj["id"])
            sdos.append(obj)
        elif kind == "identity":
            obj = {
                "type": kind,
                "id": uid(kind),
                **common,
                "name": f"Unit {word}",
                "identity_class": "organization",
            }
            identity_ids.append(obj["id"])
        elif kind == "report" and sdo_ids:
            obj = {
                "type": kind,
                "id": uid(kind),
                **common,
                "name": f"Report {word}",
                "published": _ts(t),
                "report_types": ["threat-report"],
                "object_refs": rng.sample(sdo_ids, min(3, len(sdo_ids))),
            }
        elif kind == "relationship" and len(sdo_ids) > 1:
            src = rng.choice(indicator_ids or sdo_ids)
            obj = {
                "type": kind,
                "id": uid(kind),
                **common,
                "relationship_type": "indicates" if src.startswith("indicator") else "uses",
                "source_ref": src,
                "target_ref": rng.choice(sdo_ids),
            }
        elif kind == "sighting" and indicator_ids and identity_ids:
            obj = {
                "type": kind,
                "id": uid(kind),
                **common,
                "sighting_of_ref": rng.choice(indicator_ids),
                "where_sighted_refs": [rng.choice(identity_ids)],
                "count": rng.randrange(1, 20),
            }
        elif kind == "new-version" and sdos:
            old = rng.choice(sdos)
            obj = {**old, "modified": _ts(t), "description": old["description"] + " Updated."}
        else:
            continue
        out.append(obj)
    return out


def bundle(objects: list[dict[str, Any]], seed: int = 17) -> dict[str, Any]:
    rng = random.Random(seed)
    return {
        "type": "bundle",
        "id": f"bundle--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
        "objects": objects,
    }
