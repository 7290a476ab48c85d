"""A served node answers before it has warmed up (issue 11: ``ctnode up`` serving within
seconds): the name index is loaded first, the rest is built on a thread of its own while
``/readyz`` says 503, and screens answer the same as from a node that started in full."""

from __future__ import annotations

import time

from fastapi import FastAPI
from fastapi.testclient import TestClient

from ctnode.api.app import create_app, prepare_routes
from ctnode.node import Node
from tests.conftest import ADMIN

QUERY = {"name": "Faris Nadir al-Qamari"}


def _screen(client: TestClient, key: str) -> list[tuple[str, float]]:
    r = client.post("/screen", json=QUERY, headers={"X-API-Key": key})
    assert r.status_code == 200, r.text
    return [(h["entity_id"], h["score"]) for h in r.json()["hits"]]


def test_a_node_started_in_the_background_answers_at_once_and_is_ready_later(
        node: Node) -> None:
    key = node.access.create_key(ADMIN, name="screener", role="screener")
    with TestClient(create_app(node)) as client:  # started in full before it answers
        assert client.get("/readyz").status_code == 200
        expected = _screen(client, key)
    assert expected and expected[0][1] >= 0.9
    fresh = Node(node.settings)
    # hold the hash index's lock: the warm-up waits there, after the name index is loaded
    hold = fresh.hashes.index._lock
    hold.acquire()
    held = True
    try:
        with TestClient(create_app(fresh, start_in_background=True)) as client:
            assert client.get("/healthz").status_code == 200
            r = client.get("/readyz")
            assert r.status_code == 503 and r.json() == {"status": "loading"}
            assert not fresh.ready
            assert _screen(client, key) == expected  # answered from the loaded index
            hold.release()
            held = False
            deadline = time.monotonic() + 120
            while client.get("/readyz").status_code != 200:
                assert time.monotonic() < deadline, "the node never became ready"
                time.sleep(0.05)
            assert fresh.ready and "federation" in fresh.__dict__  # every service built
            assert _screen(client, key) == expected
    finally:
        if held:
            hold.release()
        fresh.close()


def test_a_failed_warm_up_keeps_the_node_unready_and_the_screens_answered(
        node: Node) -> None:
    key = node.access.create_key(ADMIN, name="screener", role="screener")
    fresh = Node(node.settings)
    fresh.hashes.index.store = None  # type: ignore[assignment]  # its build will fail
    try:
        with TestClient(create_app(fresh, start_in_background=True)) as client:
            assert fresh._warming is not None
            fresh._warming.join(120)
            assert not fresh.ready
            assert client.get("/readyz").status_code == 503
            assert _screen(client, key)  # the name index still answers
    finally:
        fresh.close()


def _prepared(app: FastAPI) -> list[bool]:
    """Whether each included router has prepared its routes (FastAPI 0.163 does it when a
    request first reaches the router; its private mark, the version of the routes it
    prepared, is set then)."""
    return [getattr(r, "_effective_candidates_version", None) is not None
            for r in app.router.routes if hasattr(r, "effective_candidates")]


def test_health_is_answered_before_any_router_prepares_its_routes(node: Node) -> None:
    """A first ``/healthz`` prepared every router's routes (0.3-0.4 s of CPU) when it was
    matched after them; it is matched first now, and a served node prepares them beside its
    warm-up, ``/readyz`` saying 503 until they are."""
    app = create_app(node)
    with TestClient(app) as client:
        routers = _prepared(app)
        assert len(routers) >= 10 and not any(routers)
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").status_code == 200
        assert not any(_prepared(app))  # neither health route reached a router
        prepare_routes(app)
        assert all(_prepared(app))
    fresh = Node(node.settings)
    try:
        app = create_app(fresh, start_in_background=True)
        with TestClient(app) as client:
            deadline = time.monotonic() + 120
            while client.get("/readyz").status_code != 200:
                assert time.monotonic() < deadline, "the node never became ready"
                time.sleep(0.05)
            assert all(_prepared(app))  # by the served node's own thread
    finally:
        fresh.close()
