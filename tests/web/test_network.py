"""The Network pages over HTTP in-process, on a node without peers (the two-node flow is in
``test_network_browser.py``): what each role may open, a node without an identity, refused
forms."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ctnode.node import Node
from tests.web.conftest import console_client, http_sign_in


@pytest.fixture
def client(node: Node) -> Iterator[TestClient]:
    yield from console_client(node, ana="analyst", sam="screener")


def sign_in(client: TestClient, username: str) -> str:
    return http_sign_in(client, username, "/console/network")


def test_network_pages_by_role(client: TestClient) -> None:
    sign_in(client, "ana")
    page = client.get("/console/network")
    assert page.status_code == 200
    assert "has no identity yet" in page.text and "No peer yet" in page.text
    assert 'href="/console/network"' in page.text  # in the navigation
    for path, text in (("/console/network/screen", "Screen across the network"),
                       ("/console/network/disclosures", "No request from a peer."),
                       ("/console/network/inbox", "Nothing received.")):
        r = client.get(path)
        assert r.status_code == 200 and text in r.text, path
    assert 'id="sent"' not in client.get("/console/network/inbox").text  # admins only
    client.cookies.clear()
    sign_in(client, "sam")  # a screener screens across the network, decides no disclosure
    assert client.get("/console/network/screen").status_code == 200
    assert client.get("/console/network/disclosures").status_code == 403
    assert client.get("/console/network/inbox").status_code == 403


def test_network_forms_are_checked(client: TestClient, node: Node) -> None:
    csrf = sign_in(client, "ana")
    # a network screen needs a purpose, a legal basis and a case
    r = client.post("/console/network/screen", data={"csrf_token": csrf, "name": "Faris Nadir"})
    assert r.status_code == 422 and "needs --purpose" in r.text
    # deciding on a request that does not exist, or without a valid time to live
    r = client.post("/console/network/disclosures/nope/decide",
                    data={"csrf_token": csrf, "decision": "approve", "ttl": "soon",
                          "reason": "ok"})
    assert r.status_code == 422 and "time to live is a number" in r.text
    r = client.post("/console/network/disclosures/nope/decide",
                    data={"csrf_token": csrf, "decision": "refuse", "reason": "no"})
    assert r.status_code == 404
    # without the form token nothing is done
    r = client.post("/console/network/disclosures/nope/decide",
                    data={"decision": "refuse", "reason": "no"})
    assert r.status_code == 403 and "did not come from this session" in r.text
