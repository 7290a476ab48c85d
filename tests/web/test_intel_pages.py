"""The threat-intelligence pages of the console (issue 17) over HTTP, on SQLite and
PostgreSQL: a collection's objects filtered by type and paged to the end; a threat actor's
page with the listed record it names linked to the record's page (and one it names that this
node does not hold); a malware's relationships both ways, an indicator's sighting; the entity
page listing the intelligence that names it; a person reads every TLP level, as over the API;
a screener is refused; every page is audited as the API's reads are; Arabic."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from ctnode.node import Node
from tests.conftest import ADMIN
from tests.web.conftest import (
    DEMO_ACTOR,
    INDICATOR,
    INTRUSION_SET,
    MALWARE,
    RED_INDICATOR,
    THREAT_ACTOR,
    console_client,
    http_sign_in,
    load_intel,
)


@pytest.fixture
def client(node: Node) -> Iterator[TestClient]:
    load_intel(node)
    yield from console_client(node, lou="analyst", sam="screener")


def _rows(html: str) -> list[tuple[str, str]]:
    """The objects table's rows, in order: (object id, name shown)."""
    body = html.split('id="intel-objects"')[1].split("</tbody>")[0]
    return re.findall(r'<a href="/console/intel/[^/"]+/([^"]+)"><bdi>([^<]+)</bdi></a>', body)


def _names(html: str) -> list[str]:
    return [name for _id, name in _rows(html)]


def _events(node: Node, event: str) -> list[Any]:
    return [e for e in node.audit.entries(event=event) if e.actor == "user:lou"]


def test_the_objects_of_a_collection_filtered_and_paged(client: TestClient, node: Node) -> None:
    http_sign_in(client, "lou")
    page = client.get("/console/intel")
    assert page.status_code == 200, page.text
    assert 'href="/console/intel" aria-current="page"' in page.text  # in the navigation
    assert "Partner feed" in page.text and "this node" in page.text
    first = _rows(page.text)
    assert len(first) == 50 and [n for _i, n in first[:2]] == ["TLP:AMBER", "TLP:GREEN"]
    assert 'id="first-page"' not in page.text
    # paged to the end by the Next links: the newest version of every object, once
    seen, html = list(first), page.text
    while (more := re.search(r'href="\?([^"]+)" id="next-page"', html)):
        html = client.get("/console/intel?" + more.group(1).replace("&amp;", "&")).text
        assert 'id="first-page"' in html
        seen += _rows(html)
    ids = [i for i, _n in seen]
    assert len(ids) == len(set(ids)) == 18 + 4 + 55  # the bundle's 18 (malware twice), ours
    assert {"C2 domain", "Al-Qaida in Iraq", "Demo front", "Partner unit 54"} <= {
        n for _i, n in seen}
    # a person inside the node reads every level, RED included (as the API shows it), marked
    indicators = client.get("/console/intel", params={"type": "indicator"}).text
    assert sorted(_names(indicators)) == ["C2 domain", "CircularLoader sample"]
    assert 'class="tlp tlp-red">TLP:RED</span>' in indicators
    # one type
    r = client.get("/console/intel", params={"collection": "feed", "type": "threat-actor"})
    assert sorted(_names(r.text)) == ["Al-Qaida in Iraq", "Demo front"]
    assert '<option selected>threat-actor</option>' in r.text and 'id="next-page"' not in r.text
    assert _names(client.get("/console/intel", params={"type": "tool"}).text) == []
    # refusals name the problem
    r = client.get("/console/intel", params={"type": "Not A Type"})
    assert r.status_code == 422 and "is not a STIX type name" in r.text
    r = client.get("/console/intel", params={"after": "bm90IGEgdG9rZW4"})
    assert r.status_code == 422 and "is not a position this node gave out" in r.text
    assert client.get("/console/intel", params={"collection": "nope"}).status_code == 404
    # audited as the API's reads: one intel.read per page served, with what it served
    reads = _events(node, "intel.read")
    assert reads and all(e.detail["endpoint"] == "console" for e in reads)
    assert [e.detail["count"] for e in reads][:2] == [50, 27]


def test_a_threat_actor_shows_the_records_it_names(client: TestClient, node: Node) -> None:
    http_sign_in(client, "lou")
    listed = node.store.entities.find_by_reference("DMi.001")
    r = client.get(f"/console/intel/feed/{DEMO_ACTOR}")
    assert r.status_code == 200, r.text
    table = r.text.split('id="intel-watchlist"')[1].split("</table>")[0]
    assert f'<a href="/console/entity/{listed.id}"><bdi>{escape(listed.caption)}</bdi></a>' in table
    assert "DMi.001" in table and ">listed<" in table
    assert 'class="tlp tlp-green">TLP:GREEN</span>' in r.text
    # a record this node does not hold: named, not linked
    r = client.get(f"/console/intel/feed/{THREAT_ACTOR}")
    table = r.text.split('id="intel-watchlist"')[1].split("</table>")[0]
    assert "un_sc-QDe.115" in table and "not on this node&#39;s lists" in table
    assert "/console/entity/" not in table
    # the record's page lists the intelligence that names it, linked back
    entity = client.get(f"/console/entity/{listed.id}").text
    links = entity.split('id="intel-links"')[1].split("</ul>")[0]
    assert f'href="/console/intel/{node.intel.collection("feed")["id"]}/{DEMO_ACTOR}"' in links
    assert "Demo front" in links
    views = _events(node, "intel.view")
    assert [v.result_ids for v in views] == [[DEMO_ACTOR], [THREAT_ACTOR], [DEMO_ACTOR]]


def test_relationships_sightings_and_references(client: TestClient, node: Node) -> None:
    http_sign_in(client, "lou")
    r = client.get(f"/console/intel/feed/{MALWARE}")
    assert r.status_code == 200
    rels = r.text.split('id="intel-relationships"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>.*?</tr>", rels, re.S)
    assert len(rows) == 4
    text = [re.sub(r"<[^>]+>", "", row) for row in rows]
    assert any("this object uses →" in t and "update-check C2" in t for t in text)
    assert any("this object ← indicates" in t and "CircularLoader sample" in t for t in text)
    assert any("this object ← uses" in t and "Budget Circular Operators" in t for t in text)
    assert any("this object ← uses" in t and "Demo front" in t for t in text)
    assert "Versions</dt><dd>2" in r.text  # the malware came in two versions
    # a description quoting an id is no relationship
    rels = client.get(f"/console/intel/feed/{INTRUSION_SET}").text.split(
        'id="intel-relationships"')[1].split("</table>")[0]
    assert len(re.findall(r"<tr><td>", rels)) == 3 and "related-to" not in rels
    # the indicator: its sighting (where, by whom, how often) and the objects it names
    r = client.get(f"/console/intel/feed/{INDICATOR}")
    sightings = r.text.split('id="intel-sightings"')[1].split("</table>")[0]
    assert sightings.count("National CT Coordination Centre (example)") == 2
    assert "<td>3</td>" in sightings and "2026" in sightings
    refs = r.text.split('id="intel-references"')[1].split("</table>")[0]
    assert "created_by_ref" in refs and "National CT Coordination Centre" in refs
    assert "pattern" in r.text.split('id="intel-properties"')[1]
    # the RED indicator is read here as over the API (inside the node), marked RED
    r = client.get(f"/console/intel/feed/{RED_INDICATOR}")
    assert r.status_code == 200 and 'class="tlp tlp-red">TLP:RED</span>' in r.text
    api = client.get(f"/intel/collections/feed/objects/{RED_INDICATOR}",
                     headers={"X-API-Key": node.access.create_key(ADMIN, name="a",
                                                                  role="analyst")})
    assert api.status_code == 200 and api.json()["tlp"] == "red"
    # an object that is not there, an id that is not one
    assert client.get(f"/console/intel/feed/malware--{uuid.uuid4()}").status_code == 404
    assert client.get("/console/intel/feed/not-an-id").status_code == 404


def test_a_screener_has_no_intelligence_pages(client: TestClient, node: Node) -> None:
    http_sign_in(client, "sam", csrf_from="/console/screen")
    assert 'href="/console/intel"' not in client.get("/console/screen").text
    assert client.get("/console/intel").status_code == 403
    assert client.get(f"/console/intel/feed/{DEMO_ACTOR}").status_code == 403
    listed = node.store.entities.find_by_reference("DMi.001")
    assert client.get(f"/console/entity/{listed.id}").status_code == 403
    assert not [e for e in node.audit.entries() if e.actor == "user:sam"
                and e.event in ("intel.read", "intel.view")]


def test_the_pages_in_arabic(client: TestClient) -> None:
    csrf = http_sign_in(client, "lou")
    client.post("/console/language", data={"csrf_token": csrf, "language": "ar"})
    page = client.get("/console/intel").text
    assert 'dir="rtl"' in page and "<h1>استخبارات التهديدات</h1>" in page
    actor = client.get(f"/console/intel/feed/{MALWARE}").text
    assert "العلاقات" in actor and "هذا الكائن <code dir=\"ltr\">uses</code> ←" in actor
