"""TAXII over real HTTP on loopback: the real ``taxii2-client`` and ctnode's puller page through
a collection served by the protocol layer (``taxii_server.py`` stands where the API routes will)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from ctnode.federation.transport import TaxiiHttpClient
from ctnode.intel.taxii.client import TaxiiPuller, TaxiiRemoteError
from ctnode.intel.taxii.collection import MemoryCollection
from ctnode.model.tlp import TLP
from tests.intel.taxii_server import COLLECTION_ID, PASSWORD, USER, TaxiiTestServer, serve

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def _store(bundle: dict[str, Any]) -> MemoryCollection:
    store = MemoryCollection()
    for i, obj in enumerate(bundle["objects"]):
        store.add(COLLECTION_ID, [obj], T0 + timedelta(minutes=i // 4))
    return store


def test_taxii2_client_discovers_and_pages(bundle: dict[str, Any]) -> None:
    with serve(TaxiiTestServer(_store(bundle))) as base:
        server = Server(f"{base}/taxii2/", user=USER, password=PASSWORD)
        assert server.title == "ctnode test"
        root = server.api_roots[0]
        assert isinstance(root, ApiRoot) and root.max_content_length > 0
        col = root.collections[0]
        assert (col.id, col.can_read, col.alias) == (COLLECTION_ID, True, "indicators")
        ids: list[str] = []
        pages = 0
        for envelope in as_pages(col.get_objects, per_request=5):
            ids += [o["id"] for o in envelope.get("objects", [])]
            pages += 1
        assert pages == 4 and len(ids) == 18 == len(set(ids))
        manifest = col.get_manifest(type=["malware"], version="all")
        assert len(manifest["objects"]) == 2
        malware_id = manifest["objects"][0]["id"]
        assert col.object_versions(malware_id)["versions"] == [
            "2026-03-14T09:30:00.000Z",
            "2026-03-20T16:05:00.000Z",
        ]


def test_taxii2_client_posts_and_reads_status(bundle: dict[str, Any]) -> None:
    server = TaxiiTestServer(MemoryCollection())
    with serve(server) as base:
        col = Collection(f"{base}/api1/collections/{COLLECTION_ID}/", user=USER, password=PASSWORD)
        status = col.add_objects({"objects": bundle["objects"][:6]}, wait_for_completion=False)
        assert (
            status.status == "complete" and status.success_count == 6 and status.failure_count == 0
        )
        status.refresh()
        assert status.total_count == 6
        assert len(col.get_objects()["objects"]) == 6


def test_taxii2_client_sees_error_status_and_bad_credentials(bundle: dict[str, Any]) -> None:
    with serve(TaxiiTestServer(_store(bundle))) as base:
        col = Collection(f"{base}/api1/collections/{COLLECTION_ID}/", user=USER, password="wrong")
        with pytest.raises(requests.HTTPError, match="401"):
            col.get_objects()
        col = Collection(f"{base}/api1/collections/{COLLECTION_ID}/", user=USER, password=PASSWORD)
        with pytest.raises(requests.HTTPError, match="400"):
            col.get_objects(added_after="not-a-time")


def test_puller_pages_resumes_and_honours_tlp(bundle: dict[str, Any]) -> None:
    shared = frozenset(
        {TLP.CLEAR, TLP.GREEN, TLP.AMBER}
    )  # what the serving node lets this peer have
    with serve(TaxiiTestServer(_store(bundle), tlp_levels=shared)) as base:
        puller = TaxiiPuller(TaxiiHttpClient(user=USER, password=PASSWORD))
        assert puller.discover(f"{base}/taxii2/")["api_roots"] == [f"{base}/api1/"]
        cols = puller.collections(f"{base}/api1")
        url = f"{base}/api1/collections/{cols[0]['id']}/"
        first = puller.pull(url, limit=4)
        assert first.pages == 5 and len(first.objects) == 17 and first.rejected == []
        assert all(
            o.get("name") != "C2 domain" for o in first.objects
        )  # the RED indicator stayed home
        assert first.checkpoint == T0 + timedelta(minutes=4)
        again = puller.pull(url, added_after=first.checkpoint)
        assert again.objects == [] and again.checkpoint == first.checkpoint
        with pytest.raises(TaxiiRemoteError, match="404"):
            puller.pull(f"{base}/api1/collections/nope/")
        bad = TaxiiPuller(TaxiiHttpClient(user=USER, password="wrong"))
        with pytest.raises(TaxiiRemoteError, match="401"):
            bad.pull(url)
