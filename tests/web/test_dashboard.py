"""The Dashboard over HTTP in-process: activity per day as SVG charts with the same figures in a
table, and the node's health (lists' age, peers, the last signed checkpoint) (issue 14)."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from ctnode.clock import utcnow
from ctnode.node import Node
from tests.web.test_console import ADMIN, client, sign_in  # noqa: F401  (the fixture)


def _row(page: str, day_label: str) -> list[str]:
    row = re.search(rf"<tr><th scope=\"row\">{day_label}</th>(.*?)</tr>", page, re.S)
    assert row, day_label
    return re.findall(r"<td>(.*?)</td>", row.group(1))


def test_activity_per_day_and_health(client: TestClient, node: Node) -> None:  # noqa: F811
    csrf = sign_in(client)
    r = client.get("/console/dashboard")
    assert r.status_code == 200 and 'id="no-checkpoint"' not in r.text
    assert 'id="checkpoint" class="notice"' in r.text  # none signed yet
    for name in ("Faris Nadir", "Faris Nadir", "Zzyzx Qwertyuiop"):
        client.post("/console/screen", data={"csrf_token": csrf, "name": name,
                                             "birth_date": "1975-04-17"})
    sid = node.review.queue(ADMIN)[0]["id"]
    node.review.decide(ADMIN, entity_id="un_sc-DMi.001", decision="confirmed",
                       comment="same person", screening_id=sid)
    # an incoming disclosure request answered after 3 hours
    now = utcnow()
    with node.store.begin() as conn:
        node.store.federation.add_disclosure(conn, {
            "id": "d-1", "direction": "incoming", "peer_id": "node-b", "ref": "r-1",
            "justification": "case 7", "status": "approved", "requested_by": "node-b",
            "created_at": now - timedelta(hours=3), "decided_at": now, "decided_by": "x"})
    node.federation.directory.init(ADMIN, node_id="node-x", organisation="X", country="XX",
                                   contact="x@example.org")
    cp = node.federation.checkpoints.checkpoint(ADMIN)

    page = client.get("/console/dashboard").text
    assert page.count('<svg class="chart"') == 6 and "<script" not in page.split("</head>")[1]
    today = _row(page, re.escape(now.strftime("%-d %b")))
    # screens, hits, confirmed, false positive, unsure, median hours to answer
    assert today == ["3", "2", "1", "0", "0", "3.0"]
    assert "<title>" in page.split('id="chart-screens"')[1].split("</figure>")[0]
    assert 'id="list-ages"' in page and "un_sc" in page
    assert f"#{cp['seq']}" in page.split('id="checkpoint"')[1].split("</p>")[0]
    # the peers checked now: none added, so none pinged
    r = client.post("/console/dashboard/peers", data={"csrf_token": csrf})
    assert r.status_code == 200 and "No peer is added." in r.text


def test_a_screener_has_no_dashboard(client: TestClient) -> None:  # noqa: F811
    sign_in(client, "sam")
    assert client.get("/console/dashboard").status_code == 403
