"""TAXII 2.1 protocol layer: filters, pagination, resources, media types, errors."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ctnode.intel.taxii import protocol
from ctnode.intel.taxii.collection import MemoryCollection, ObjectRecord, select_records
from ctnode.intel.taxii.media import (
    STIX_MEDIA_TYPE,
    TAXII_MEDIA_TYPE,
    TaxiiBadRequest,
    TaxiiForbidden,
    TaxiiNotAcceptable,
    TaxiiNotFound,
    TaxiiUnsupportedMediaType,
    accepts_taxii,
)
from ctnode.intel.taxii.protocol import TaxiiRequest
from ctnode.intel.taxii.query import Cursor, ObjectQuery, VersionMatch, parse_query
from ctnode.intel.taxii.resources import ApiRoot, Collection, Discovery
from ctnode.model.tlp import TLP

T0 = datetime(2026, 3, 1, tzinfo=UTC)
COL = Collection("c1", "Indicators", can_read=True, can_write=True)


def _loaded(bundle: dict[str, Any]) -> MemoryCollection:
    store = MemoryCollection()
    store.add("c1", bundle["objects"][:10], T0)
    store.add("c1", bundle["objects"][10:], T0 + timedelta(hours=1))
    return store


# --- query parsing -----------------------------------------------------------------


def test_parse_query_reads_every_filter() -> None:
    q = parse_query(
        [
            ("added_after", "2026-03-01T00:00:00.5Z"),
            ("limit", "50"),
            ("match[type]", "indicator,malware"),
            ("match[version]", "first,2026-03-14T09:30:00.000Z"),
            ("match[spec_version]", "2.1"),
            ("match[id]", "malware--4b1bd0d4-5d9f-4f7c-9a33-2a6b0e3c1f10"),
            ("match[unknown]", "x"),
        ]
    )
    assert q.added_after == datetime(2026, 3, 1, 0, 0, 0, 500000, tzinfo=UTC)
    assert q.limit == 50
    assert q.types == {"indicator", "malware"}
    assert q.versions.first and not q.versions.last
    assert q.versions.exact == {datetime(2026, 3, 14, 9, 30, tzinfo=UTC)}
    assert q.spec_versions == {"2.1"}
    assert q.ids == {"malware--4b1bd0d4-5d9f-4f7c-9a33-2a6b0e3c1f10"}


def test_parse_query_defaults_and_caps() -> None:
    q = parse_query({})
    assert q.versions == VersionMatch() and q.versions.last and q.limit == 1000
    assert parse_query({"limit": "99999"}, max_limit=500).limit == 500


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"added_after": "yesterday"}, "added_after: 'yesterday' is not a timestamp"),
        ({"limit": "0"}, "limit: must be at least 1"),
        ({"limit": "ten"}, "limit: 'ten' is not a whole number"),
        ({"match[id]": "malware--1"}, "match[id]: 'malware--1' is not a STIX identifier"),
        ({"match[type]": "Indicator"}, "not a STIX type name"),
        ({"match[spec_version]": "3.0"}, "'3.0' is not a STIX version"),
        ({"match[version]": "latest"}, "match[version]: 'latest' is not a timestamp"),
        ({"next": "@@@"}, "next: '@@@' is not a token this server gave out"),
        ([("limit", "1"), ("limit", "2")], "limit: given twice"),
    ],
)
def test_parse_query_errors_name_the_parameter(params: Any, message: str) -> None:
    with pytest.raises(TaxiiBadRequest) as info:
        parse_query(params)
    assert message in info.value.description
    assert info.value.resource()["http_status"] == "400"


def test_cursor_round_trip() -> None:
    c = Cursor(datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC), 42)
    assert Cursor.decode(c.encode()) == c


# --- media types --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "ok"),
    [
        (None, True),
        ("application/taxii+json;version=2.1", True),
        ("application/taxii+json", True),
        ("*/*", True),
        ("application/taxii+json;version=2.0", False),
        ("application/json", False),
        ("text/html, application/taxii+json; version=2.1; q=0.5", True),
        ("application/taxii+json;version=2.1;q=0", False),
    ],
)
def test_accept_negotiation(accept: str | None, ok: bool) -> None:
    assert accepts_taxii(accept) is ok


# --- selection: the indexed collection returns what the naive reference returns ----------


def _random_records(rng: random.Random, n_objects: int) -> list[tuple[dict[str, Any], datetime]]:
    out = []
    types = ["indicator", "malware", "threat-actor", "relationship", "sighting"]
    t = T0
    for i in range(n_objects):
        stype = rng.choice(types)
        oid = f"{stype}--00000000-0000-4000-8000-{i:012d}"
        for v in range(rng.choice([1, 1, 2, 3])):
            ts = (T0 + timedelta(days=v, seconds=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            obj = {
                "type": stype,
                "id": oid,
                "spec_version": rng.choice(["2.1", "2.1", "2.0"]),
                "created": ts,
                "modified": ts,
                "object_marking_refs": [rng.choice(list(TLP)).marking_id],
            }
            if rng.random() < 0.7:
                t = t + timedelta(seconds=rng.choice([0, 0, 1, 5]))  # ties in date_added happen
            out.append((obj, t))
    rng.shuffle(out)
    out.sort(key=lambda pair: pair[1])
    return out


def _random_query(rng: random.Random, records: list[ObjectRecord]) -> ObjectQuery:
    kw: dict[str, Any] = {"limit": rng.choice([1, 3, 10, 50, 1000])}
    if rng.random() < 0.3:
        kw["types"] = frozenset(
            rng.sample(["indicator", "malware", "sighting", "tool"], rng.choice([1, 2]))
        )
    if rng.random() < 0.2:
        kw["ids"] = frozenset(r.id for r in rng.sample(records, 3))
    if rng.random() < 0.4:
        kw["added_after"] = rng.choice(records).date_added
    if rng.random() < 0.5:
        exact = frozenset({rng.choice(records).version}) if rng.random() < 0.3 else frozenset()
        kw["versions"] = VersionMatch(
            first=rng.random() < 0.5, last=rng.random() < 0.5, all=rng.random() < 0.2, exact=exact
        )
    if rng.random() < 0.3:
        kw["spec_versions"] = frozenset(rng.sample(["2.0", "2.1"], rng.choice([1, 2])))
    if rng.random() < 0.3:
        kw["tlp_levels"] = frozenset({TLP.CLEAR, TLP.GREEN, TLP.AMBER})
    return ObjectQuery(**kw)


def test_indexed_collection_matches_naive_reference_page_by_page() -> None:
    rng = random.Random(2026)
    store = MemoryCollection()
    for obj, when in _random_records(rng, 400):
        store.add("c1", [obj], when)
    records = store.records("c1")
    for _ in range(300):
        query = _random_query(rng, records)
        for _page in range(4):  # follow next: every page must agree
            fast = store.select("c1", query)
            naive = select_records(records, query)
            assert [r.seq for r in fast.records] == [r.seq for r in naive.records], query
            assert (fast.more, fast.next) == (naive.more, naive.next)
            if not fast.more:
                break
            query = ObjectQuery(
                **{
                    **{f: getattr(query, f) for f in query.__dataclass_fields__},
                    "next": Cursor.decode(fast.next or ""),
                }
            )


def test_selection_rules_on_the_fixture(bundle: dict[str, Any]) -> None:
    store = _loaded(bundle)
    malware_id = next(o["id"] for o in bundle["objects"] if o["type"] == "malware")
    last = store.select("c1", ObjectQuery(ids=frozenset({malware_id})))
    assert [r.obj["modified"] for r in last.records] == ["2026-03-20T16:05:00.000Z"]
    every = store.select(
        "c1", ObjectQuery(ids=frozenset({malware_id}), versions=VersionMatch(last=False, all=True))
    )
    assert len(every.records) == 2
    first = store.select(
        "c1",
        ObjectQuery(ids=frozenset({malware_id}), versions=VersionMatch(first=True, last=False)),
    )
    assert [r.obj["modified"] for r in first.records] == ["2026-03-14T09:30:00.000Z"]
    later = store.select("c1", ObjectQuery(added_after=T0))
    assert {r.date_added for r in later.records} == {T0 + timedelta(hours=1)}
    no_red = store.select(
        "c1", ObjectQuery(tlp_levels=frozenset({TLP.AMBER, TLP.GREEN, TLP.CLEAR}))
    )
    assert all(r.tlp is not TLP.RED for r in no_red.records) and len(no_red.records) == 17


def test_adding_the_same_version_twice_keeps_one_copy(bundle: dict[str, Any]) -> None:
    store = _loaded(bundle)
    outcomes = store.add("c1", bundle["objects"][:2], T0 + timedelta(days=1))
    assert [o.message for o in outcomes] == ["already present", "already present"]
    assert len(store.records("c1")) == 19


def test_delete_removes_versions(bundle: dict[str, Any]) -> None:
    store = _loaded(bundle)
    malware_id = next(o["id"] for o in bundle["objects"] if o["type"] == "malware")
    query = protocol.delete_object_query(COL, malware_id, {"match[version]": "first"})
    assert store.delete("c1", malware_id, query) == 1
    assert store.delete("c1", malware_id) == 1
    assert store.select("c1", ObjectQuery(ids=frozenset({malware_id}))).records == []


# --- endpoints ----------------------------------------------------------------------


def test_objects_envelope_pages_with_next_and_headers(bundle: dict[str, Any]) -> None:
    store = _loaded(bundle)
    seen: list[str] = []
    params: dict[str, str] = {"limit": "7"}
    pages = 0
    while True:
        resp = protocol.get_objects(store, TaxiiRequest(COL, params, TAXII_MEDIA_TYPE))
        assert resp.status == 200 and resp.headers["Content-Type"] == TAXII_MEDIA_TYPE
        assert resp.headers["X-TAXII-Date-Added-First"].endswith("Z")
        seen += [o["id"] for o in resp.body["objects"]]
        pages += 1
        if not resp.body["more"]:
            assert "next" not in resp.body
            break
        params = {"limit": "7", "next": resp.body["next"]}
    assert pages == 3
    assert len(seen) == 18 == len(set(seen))  # 19 versions, the latest of each object


def test_manifest_versions_and_single_object(bundle: dict[str, Any]) -> None:
    store = _loaded(bundle)
    malware_id = next(o["id"] for o in bundle["objects"] if o["type"] == "malware")
    query = {"match[type]": "malware", "match[version]": "all"}
    manifest = protocol.get_manifest(store, TaxiiRequest(COL, query)).body
    assert [m["version"] for m in manifest["objects"]] == [
        "2026-03-14T09:30:00.000Z",
        "2026-03-20T16:05:00.000Z",
    ]
    assert manifest["objects"][0]["media_type"] == STIX_MEDIA_TYPE
    versions = protocol.get_versions(store, TaxiiRequest(COL), malware_id).body
    assert versions == {
        "more": False,
        "versions": ["2026-03-14T09:30:00.000Z", "2026-03-20T16:05:00.000Z"],
    }
    one = protocol.get_object(store, TaxiiRequest(COL), malware_id).body
    assert [o["modified"] for o in one["objects"]] == ["2026-03-20T16:05:00.000Z"]
    with pytest.raises(TaxiiNotFound):
        protocol.get_object(
            store, TaxiiRequest(COL), "malware--4b1bd0d4-5d9f-4f7c-9a33-2a6b0e3c1f10"
        )


def test_empty_result_and_resources() -> None:
    empty = protocol.get_objects(MemoryCollection(), TaxiiRequest(COL))
    assert empty.body == {"more": False} and "X-TAXII-Date-Added-First" not in empty.headers
    disc = protocol.discovery(
        Discovery("ctnode", ["https://node.example/api1/"], default="https://node.example/api1/"),
        None,
    )
    assert disc.body == {
        "title": "ctnode",
        "default": "https://node.example/api1/",
        "api_roots": ["https://node.example/api1/"],
    }
    root = protocol.api_root(ApiRoot("api1", max_content_length=1000), None).body
    assert root == {"title": "api1", "versions": [TAXII_MEDIA_TYPE], "max_content_length": 1000}
    hidden = Collection("c2", "Hidden", can_read=False, can_write=False)
    assert protocol.collections([hidden], None).body == {}
    listed = protocol.collections([COL, hidden], None).body["collections"]
    assert listed == [
        {
            "id": "c1",
            "title": "Indicators",
            "can_read": True,
            "can_write": True,
            "media_types": [STIX_MEDIA_TYPE],
        }
    ]


def test_errors_map_to_taxii_error_resources(bundle: dict[str, Any]) -> None:
    store = _loaded(bundle)
    write_only = Collection("c1", "Drop box", can_read=False, can_write=True)
    with pytest.raises(TaxiiForbidden) as forbidden:
        protocol.get_objects(store, TaxiiRequest(write_only))
    assert protocol.error(forbidden.value).body["http_status"] == "403"
    with pytest.raises(TaxiiNotAcceptable):
        protocol.get_objects(store, TaxiiRequest(COL, accept="application/json"))
    with pytest.raises(TaxiiNotFound):
        protocol.get_objects(store, TaxiiRequest(None))
    now = datetime(2026, 3, 2, tzinfo=UTC)
    with pytest.raises(TaxiiUnsupportedMediaType):
        protocol.add_objects(lambda c, o: [], TaxiiRequest(COL), b"{}", "application/json", now)
    with pytest.raises(TaxiiBadRequest, match="envelope"):
        protocol.add_objects(
            lambda c, o: [], TaxiiRequest(COL), b'{"type": "bundle"}', TAXII_MEDIA_TYPE, now
        )


def test_post_adds_valid_objects_and_reports_failures(bundle: dict[str, Any]) -> None:
    store = MemoryCollection()
    good = bundle["objects"][:5]
    bad = {k: v for k, v in bundle["objects"][8].items() if k != "pattern_type"}
    assert bad["type"] == "indicator"
    body = json.dumps({"objects": [*good, bad, {"type": "indicator"}]}).encode()
    now = datetime(2026, 3, 2, tzinfo=UTC)
    status, resp = protocol.add_objects(
        lambda cid, objs: store.add(cid, objs, now),
        TaxiiRequest(COL, accept=TAXII_MEDIA_TYPE),
        body,
        TAXII_MEDIA_TYPE,
        now,
    )
    assert resp.status == 202
    assert resp.body["status"] == "complete"
    assert (resp.body["success_count"], resp.body["failure_count"], resp.body["total_count"]) == (
        5,
        2,
        7,
    )
    assert resp.body["failures"][0]["id"] == bad["id"]
    assert "pattern_type" in resp.body["failures"][0]["message"]
    assert resp.body["failures"][1]["id"] == "object #6"
    assert len(store.records("c1")) == 5
    assert protocol.status(status, None).body == resp.body


def test_memory_collection_fulfils_the_store_contract() -> None:
    from ctnode.intel.taxii.collection import ObjectStore

    store: ObjectStore = MemoryCollection()  # mypy checks the protocol here
    assert store.select("none", ObjectQuery()).records == []
