"""yente's API as yente's own clients use it: /match filters and default cutoff, /catalog,
/algorithms, /readyz, /search/{dataset} with paging and facets, /entities with ``nested``,
and OpenSanctions' ``YenteEnricher`` matching then expanding over real HTTP."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from ctnode.api.app import create_app
from ctnode.ingest.ftm import parse_ftm
from ctnode.node import Node
from tests.conftest import ADMIN

PERSON = {"schema": "Person", "properties": {"name": ["Faris Nadir al-Qamari"]}}


def _key(node: Node, role: str) -> dict[str, str]:
    return {"X-API-Key": node.access.create_key(ADMIN, name=f"{role}-key", role=role)}


@pytest.fixture
def client(node: Node) -> Iterator[TestClient]:
    with TestClient(create_app(node)) as c:
        yield c


def _match(client: TestClient, headers: dict[str, str], query: dict[str, Any],
           **params: Any) -> list[dict[str, Any]]:
    r = client.post("/match/default", json={"queries": {"q": query}}, params=params,
                    headers=headers)
    assert r.status_code == 200, r.text
    results: list[dict[str, Any]] = r.json()["responses"]["q"]["results"]
    return results


def test_match_cutoff_defaults_to_the_reporting_threshold(client: TestClient, node: Node) -> None:
    analyst = _key(node, "analyst")
    weak = {"schema": "Person", "properties": {"name": ["Faris Hamid"]}}
    noisy = _match(client, analyst, weak, cutoff=0.0, limit=20)
    assert len(noisy) >= 2 and all(r["score"] < node.settings.report_threshold for r in noisy)
    assert _match(client, analyst, weak, limit=20) == []  # no noise without a cutoff
    found = _match(client, analyst, PERSON, limit=20)
    assert [r["id"] for r in found] == ["un_sc-DMi.001"] and found[0]["match"] is True


def test_match_honours_exclusions_and_topics(client: TestClient, node: Node) -> None:
    analyst = _key(node, "analyst")
    weak = {"schema": "Person", "properties": {"name": ["Faris Hamid"]}}
    assert [r["id"] for r in _match(client, analyst, weak, cutoff=0.0, limit=1)] == [
        "un_sc-DMi.001"]
    # the excluded one's place is taken by the next candidate
    assert [r["id"] for r in _match(client, analyst, weak, cutoff=0.0, limit=1,
                                    exclude_entity_ids=["un_sc-DMi.001"])] == ["un_sc-DMi.003"]
    assert _match(client, analyst, weak, cutoff=0.0, exclude_schema=["Person"]) == []
    assert _match(client, analyst, PERSON, exclude_dataset=["un_sc"]) == []
    assert _match(client, analyst, PERSON, topics=["crime.terror"]) == []
    assert _match(client, analyst, PERSON, topics=["sanction"])[0]["id"] == "un_sc-DMi.001"


def test_match_refuses_unknown_and_unmatchable_schemata(client: TestClient, node: Node) -> None:
    analyst = _key(node, "analyst")
    for schema, says in (("Persn", "unknown schema 'Persn'"),
                         ("Payment", "'Payment' is not a schema entities are matched on")):
        r = client.post("/match/default", headers=analyst, json={
            "queries": {"q": {"schema": schema, "properties": {"name": ["x y"]}}}})
        assert r.status_code == 422, r.text
        assert says in r.text and "queries.q.schema" in r.text


def test_catalog_algorithms_and_readiness(client: TestClient, node: Node) -> None:
    screener = _key(node, "screener")
    catalog = client.get("/catalog", headers=screener).json()
    by_name = {d["name"]: d for d in catalog["datasets"]}
    assert by_name["un_sc"]["entity_count"] == 16  # the demo list: 11 people, 5 groups
    assert by_name["default"]["children"] == ["un_sc"]
    assert "un_sc" in catalog["current"] and catalog["index_stale"] is False
    algorithms = client.get("/algorithms", headers=screener).json()
    assert algorithms["default"] == algorithms["best"] == "ctnode"
    assert "name" in algorithms["algorithms"][0]["docs"]
    assert client.get("/catalog").status_code == 401
    ready = client.get("/readyz")  # no credential, like /healthz
    assert ready.status_code == 200 and ready.json() == {"status": "ok"}


def test_readyz_is_503_until_the_index_is_built(node: Node) -> None:
    app = create_app(node)
    client = TestClient(app)  # not entered: the app has not started, nothing is built
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json() == {"status": "loading"}


HAQQANIS = ["Sirajuddin Haqqani", "Jalaluddin Haqqani", "Badruddin Haqqani", "Nasiruddin Haqqani",
            "Abdul Aziz Haqqani", "Khalil Ahmed Haqqani"]


def test_search_finds_any_part_pages_and_counts(client: TestClient, node: Node) -> None:
    rows = [json.dumps({"id": f"h{i}", "schema": "Person", "properties": {
        "name": [name], "nationality": ["af"], "topics": ["sanction"]}})
        for i, name in enumerate(HAQQANIS)]
    node.lists.import_list(parse_ftm(rows, dataset="national", source_name="h.ftm.json"), ADMIN)
    screener = _key(node, "screener")
    whole = client.get("/search/national", params={"q": "Haqqani", "limit": 100},
                       headers=screener).json()
    assert whole["total"]["value"] == len(HAQQANIS)  # a lone surname finds every record
    ids = [r["entity_id"] for r in whole["results"]]
    page = client.get("/search/national", params={"q": "Haqqani", "limit": 2, "offset": 2},
                      headers=screener).json()
    assert [r["entity_id"] for r in page["results"]] == ids[2:4]
    assert page["offset"] == 2 and page["total"]["value"] == len(HAQQANIS)
    facets = whole["facets"]
    assert facets["countries"]["values"] == [{"name": "af", "label": "af", "count": 6}]
    assert facets["datasets"]["values"][0]["count"] == 6
    assert client.get("/search/un_sc", params={"q": "Haqqani"},
                      headers=screener).json()["total"]["value"] == 0
    hamid = client.get("/search", params={"q": "hamid"}, headers=screener).json()
    assert [r["entity_id"] for r in hamid["results"]] == ["un_sc-DMi.003"]
    assert client.get("/search/nope", params={"q": "al"}, headers=screener).status_code == 404


def _wallet_list(tmp_path: Path) -> list[str]:
    rows = [
        {"id": "p1", "schema": "Person", "properties": {"name": ["Idris Kamal Haddad"],
                                                        "topics": ["sanction"]}},
        {"id": "w1", "schema": "CryptoWallet", "properties": {
            "publicKey": ["1BoatSLRHtKNngkdXEeobR76b53LETtpyT"], "currency": ["XBT"],
            "holder": ["p1"]}},
    ]
    return [json.dumps(r) for r in rows]


def test_entities_nested_in_ftm_shape(client: TestClient, node: Node, tmp_path: Path) -> None:
    node.lists.import_list(parse_ftm(_wallet_list(tmp_path), dataset="wallets",
                                     source_name="wallets.ftm.json"), ADMIN)
    analyst = _key(node, "analyst")
    plain = client.get("/entities/wallets-p1", headers=analyst).json()
    assert "cryptoWallets" not in plain["properties"]
    person = client.get("/entities/wallets-p1", params={"nested": "true"},
                        headers=analyst).json()
    wallets = person["properties"]["cryptoWallets"]
    assert [w["id"] for w in wallets] == ["wallets-w1"]
    assert wallets[0]["properties"]["publicKey"] == ["1BoatSLRHtKNngkdXEeobR76b53LETtpyT"]
    assert "holder" not in wallets[0]["properties"]  # the entity it is nested in
    wallet = client.get("/entities/wallets-w1", params={"nested": "true"},
                        headers=analyst).json()
    assert wallet["properties"]["holder"][0]["id"] == "wallets-p1"
    assert all(s["entity_id"] == "wallets-w1" and s["schema"] == "CryptoWallet"
               and "holderId" != s["prop"] for s in wallet["statements"])


@pytest.fixture
def served(node: Node) -> Iterator[tuple[str, str]]:
    """The node served over HTTP on a free loopback port, with an analyst key."""
    key = node.access.create_key(ADMIN, name="enricher", role="analyst")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = uvicorn.Server(uvicorn.Config(create_app(node), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}/", key
    server.should_exit = True
    thread.join(timeout=10)


def test_yente_enricher_matches_then_expands(served: tuple[str, str], tmp_path: Path) -> None:
    from followthemoney import Dataset, StatementEntity
    from nomenklatura.cache import Cache
    from nomenklatura.db import Session, get_engine
    from nomenklatura.enrich.yente import YenteEnricher

    url, key = served
    dataset = Dataset.make({"name": "queries", "title": "Queries"})
    cache = Cache(Session(get_engine(f"sqlite:///{tmp_path / 'cache.db'}")), dataset, create=True)
    enricher = YenteEnricher(dataset, cache, {"api": url, "api_key": key})
    query = StatementEntity.from_data(dataset, {"id": "q1", **PERSON})
    matches = list(enricher.match(query))
    assert [m.id for m in matches] == ["un_sc-DMi.001"]  # no noise: the default cutoff
    expanded = list(enricher.expand(query, matches[0]))
    assert expanded[0].id == "un_sc-DMi.001"
    assert "1975-04-17" in expanded[0].get("birthDate")
    assert expanded[0].get("createdAt")  # the UN listing date, under FtM's name
