"""The review queue is paginated and filterable (issue 14): by who screened, the case and a
range of days, with the pages keeping the filter."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from ctnode.clock import utcnow
from ctnode.node import Node
from ctnode.services.screening.query import build_query
from ctnode.store import schema as tables
from tests.conftest import ADMIN
from tests.web.test_console import client, sign_in

__all__ = ["client"]  # the fixture, shared with test_console


def _seed(node: Node, entity_id: str) -> None:
    rows = [{"id": str(uuid.uuid4()), "actor": "key:gate" if i % 3 else "user:sam",
             "source": "api", "subject_key": uuid.uuid4().hex, "query_hash": uuid.uuid4().hex,
             "purpose": "border", "case_ref": f"C-{i % 5}", "identified": True,
             "hits": [{"entity_id": entity_id, "score": 0.9, "band": "match"}]}
            for i in range(60)]
    with node.store.begin() as conn:
        node.store.review.add_screenings(conn, rows)
        # the first ten were made ten days ago
        conn.execute(update(tables.screenings)
                     .where(tables.screenings.c.id.in_([r["id"] for r in rows[:10]]))
                     .values(at=utcnow() - timedelta(days=10)))


def test_the_queue_filters_by_screener_case_and_days(client: TestClient, node: Node) -> None:
    entity = node.screening.screen(build_query(["Faris Nadir"]), ADMIN).hits[0].entity_id
    _seed(node, entity)
    sign_in(client)
    count = re.compile(r"<p>Screenings: ([\d,]+)</p>")

    def shown(**params: str) -> int:
        r = client.get("/console/review", params=params)
        assert r.status_code == 200
        return int(count.search(r.text).group(1).replace(",", ""))  # type: ignore[union-attr]

    every = shown(show="all")
    assert every >= 60
    assert shown(show="all", actor="user:sam") == 20
    assert shown(show="all", actor="user:sam", case_ref="C-0") == 4
    today = utcnow().date()
    assert shown(show="all", until=(today - timedelta(days=5)).isoformat()) == 10
    assert shown(show="all", since=(today - timedelta(days=1)).isoformat()) == every - 10
    # the pager keeps the filter
    r = client.get("/console/review", params={"show": "all", "actor": "key:gate"})
    assert re.search(r'href="\?show=all&amp;actor=key%3Agate&amp;[^"]*page=2">Next', r.text)
    page2 = client.get("/console/review", params={"show": "all", "actor": "key:gate", "page": 2})
    assert "user:sam" not in page2.text.split('<tbody id="queue">')[1]


def test_the_lists_page_shows_each_lists_last_delta(client: TestClient, node: Node) -> None:
    sign_in(client)
    page = client.get("/console/lists").text
    delta = re.search(r'<td class="delta">([^<]+)</td>', page)
    assert delta and re.match(r"added [\d,]+ · changed \d+ · delisted \d+ · relisted \d+",
                              delta.group(1))
    (last,) = [i for i in node.store.entities.list_imports(limit=5)][:1]
    assert f"added {last['added']:,}" in delta.group(1)


def test_the_queue_filters_by_band_and_list_and_the_pages_keep_it(
        client: TestClient, node: Node) -> None:
    entity = node.screening.screen(build_query(["Faris Nadir"]), ADMIN).hits[0].entity_id
    rows = [{"id": str(uuid.uuid4()), "actor": "key:gate", "source": "api",
             "subject_key": uuid.uuid4().hex, "query_hash": uuid.uuid4().hex,
             "purpose": "border", "case_ref": "B-1", "identified": True,
             "hits": [{"entity_id": entity, "score": 0.7 if i % 2 else 0.9,
                       "band": "possible" if i % 2 else "match",
                       "list": "other_list" if i % 3 == 0 else "un_sc"}]}
            for i in range(60)]
    with node.store.begin() as conn:
        node.store.review.add_screenings(conn, rows)
    sign_in(client)
    count = re.compile(r"<p>Screenings: ([\d,]+)</p>")

    def shown(**params: str) -> str:
        r = client.get("/console/review", params={"show": "all", "case_ref": "B-1", **params})
        assert r.status_code == 200, r.text[:300]
        return r.text

    def n(text: str) -> int:
        return int(count.search(text).group(1).replace(",", ""))  # type: ignore[union-attr]

    assert n(shown()) == 60
    assert n(shown(since="", until="", actor="")) == 60  # the form's empty fields: no bound
    assert n(shown(band="match")) == 30 and n(shown(band="possible")) == 30
    assert n(shown(list="other_list")) == 20 and n(shown(list="un_sc")) == 40
    both = shown(band="possible", list="un_sc")
    assert n(both) == 20
    body = both.split('<tbody id="queue">')[1].split("</tbody>")[0]
    assert body.count("<tr>") == 20 and "match" not in body.replace("possible match", "")
    # the filter's menus show what is chosen, the pager keeps it
    assert '<option value="possible" selected>' in both
    assert '<option value="un_sc" selected>' in both
    first = shown(band="match")
    assert re.search(r'href="\?[^"]*band=match[^"]*page=2">Next', first)
    page2 = client.get("/console/review", params={"show": "all", "case_ref": "B-1",
                                                   "band": "match", "page": 2}).text
    assert n(page2) == 30 and "possible match" not in page2.split('<tbody id="queue">')[1]
    # what it cannot be is refused, named
    assert client.get("/console/review", params={"band": "certain"}).status_code == 422
    r = client.get("/console/review", params={"list": "un sc; --"})
    assert r.status_code == 422 and "is not the name of a list" in r.text
