"""The Network pages in a real browser against two real node processes (issue 14).

``asker`` screens a name across the network; ``holder`` answers hit with an opaque
reference. The asker requests a disclosure; a person at the holder approves it in the
console, releasing only the fields they chose for some seconds; the fields arrive in the
asker's console (pictured in English and in Arabic while they are there), and are gone once
the time to live has passed. Then an alert, and the
Arabic layout. With ``CTNODE_UPDATE_SCREENSHOTS=1`` the pages' pictures are written to
``docs/img/console/``. Skipped, with the reason, without chromium or playwright.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ctnode.ingest.un_sc import DEMO_LIST
from ctnode.model.access import Actor
from tests.federation import cluster
from tests.federation.cluster import NodeProc, make_nodes, seed_stores
from tests.web.conftest import FIRST, browser_api, choose_language, close_page, person, shot

sync_api = browser_api()

ADMIN = Actor(name="cli:test", role="admin")
# long enough for both pictures of the released fields on a loaded machine, short enough to
# wait for their expiry
TTL_SECONDS = 20


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, NodeProc]]:
    procs = {p.name: p for p in make_nodes(tmp_path_factory.mktemp("network-console"),
                                           ["holder", "asker"])}
    for p in procs.values():
        p.extra_env = {"CTNODE_JOBS_ENABLED": "false"}
    seed_stores(list(procs.values()))
    with cluster.opened(procs) as handles:
        cluster.introduce(procs, handles, ADMIN,
                          country=lambda name: "AA" if name == "holder" else "BB")
        handles["holder"].lists.import_source("un-sc", str(DEMO_LIST), ADMIN)
        year = datetime.now(UTC) + timedelta(days=365)
        terms = {"lists": ["*"], "purposes": ["investigation"], "rate_per_minute": 1000,
                 "max_disclosure": "fields", "expires_at": year,
                 "fields": ["name", "birthDate", "nationality", "reference"]}
        cluster.agree(handles, ADMIN, "holder", "asker", **terms,
                      inbound={**terms, "subscribed": True})
        handles["asker"].users.create(ADMIN, username="ana", role="analyst",
                                      display_name="Ana Asker", password=FIRST)
        handles["holder"].users.create(ADMIN, username="hal", role="admin",
                                       display_name="Hal Holder", password=FIRST)
    with cluster.started(procs.values()):
        cluster.ready(procs.values())
        yield procs


def test_approve_a_disclosure_on_one_node_and_see_it_arrive_then_expire(
        pair: dict[str, NodeProc], browser: sync_api.Browser) -> None:
    asker, holder = pair["asker"], pair["holder"]
    ana = person(browser, asker.url, "ana")

    # the directory and the agreement with its expiry clock
    ana.get_by_role("link", name="Network").click()
    assert "holder" in ana.locator("table").first.inner_text()
    agreements = ana.locator("table").nth(1).inner_text()
    assert "they share with us" in agreements
    assert "in 12 months" in agreements or "in 1 year" in agreements  # the expiry clock
    shot(ana, "network-en")

    # a network screen: the holder answers hit with an opaque reference
    ana.get_by_role("link", name="Network screen").click()
    ana.get_by_label("Name (any script)").fill("Faris Nadir")
    ana.get_by_label("Purpose").fill("investigation")
    ana.get_by_label("Legal basis").fill("Act 12 s.3")
    ana.get_by_label("Case reference").fill("CASE-42")
    ana.get_by_role("button", name="Screen across the network").click()
    row = ana.locator("#peer-answers tbody tr").first
    assert "holder" in row.inner_text() and "hit" in row.inner_text()
    ref = row.locator("code").first.inner_text()
    assert ref.startswith("r_") and "FARIS" not in row.inner_text().upper()
    shot(ana, "network-screen-en")
    row.get_by_label("Justification").fill("Subject at border post 4")
    row.get_by_role("button", name="Request disclosure").click()
    ana.wait_for_url("**/console/network/disclosures*")
    mine = ana.locator("#outgoing ~ article").first
    assert "pending" in mine.inner_text() and ref in mine.inner_text()

    # a person at the holder approves, releasing name and birth date only, for seconds
    hal = person(browser, holder.url, "hal")
    hal.goto(holder.url + "/console/network/disclosures")
    theirs = hal.locator("article.status-pending").first
    text = theirs.inner_text()
    assert "asker" in text and "Subject at border post 4" in text and "CASE-42" in text
    theirs.get_by_label("nationality").uncheck()
    theirs.get_by_label("reference").uncheck()
    theirs.get_by_label("Time to live").fill(str(TTL_SECONDS))
    theirs.get_by_label("Unit").select_option("seconds")
    theirs.get_by_label("Reason", exact=True).fill("Within the agreement; case confirmed")
    shot(hal, "network-disclosures-en")
    theirs.get_by_role("button", name="Approve and release").click()
    expires = time.monotonic() + TTL_SECONDS
    hal.wait_for_url("**/console/network/disclosures")
    decided = hal.locator("article.status-approved").first.inner_text()
    assert "user:hal" in decided and "released until" in decided

    # the fields arrive at the asker: the chosen ones only
    ana.reload()
    released = ana.locator("article.status-approved table.released").first
    values = released.inner_text()
    assert "FARIS" in values.upper() and "birthDate" in values
    assert "nationality" not in values and "Syrian" not in values
    shot(ana, "network-released-en")

    # the same in Arabic, right to left, while the fields are there
    choose_language(ana, "ar")
    ana.wait_for_selector("html[dir=rtl]", state="attached")
    ana.goto(asker.url + "/console/network/disclosures")
    released = ana.locator("article.status-approved table.released").first
    assert "FARIS" in released.inner_text().upper()
    released.scroll_into_view_if_needed()
    shot(ana, "network-released-ar")
    choose_language(ana, "en")
    ana.wait_for_selector("html[dir=ltr]", state="attached")
    assert time.monotonic() < expires, "the pictures took longer than the time to live"

    # and are gone once the time to live has passed
    time.sleep(max(0.0, expires - time.monotonic()) + 1.0)
    ana.reload()
    gone = ana.locator("#outgoing ~ article").first
    assert "expired" in gone.inner_text()
    assert ana.locator("table.released").count() == 0
    assert "FARIS" not in ana.locator("main").inner_text().upper()

    # an alert from the holder reaches the asker's inbox
    r = holder.api("POST", "/federation/alerts", json={
        "kind": "urgent", "title": "Travel of a listed person", "body": "Watch flights to AA",
        "peers": ["asker"]})
    assert r.status_code == 200 and r.json() == {"asker": "delivered"}, r.text
    ana.get_by_role("link", name="Alerts and list updates").click()
    assert "Travel of a listed person" in ana.locator("#received").inner_text()
    shot(ana, "network-inbox-en")
    hal.get_by_role("link", name="Alerts and list updates").click()
    hal.locator("#sent").wait_for()  # a click navigates: wait for the answer page
    assert hal.locator("#sent").is_visible()  # the admin sees list updates sent

    # right to left in Arabic
    choose_language(ana, "ar")
    ana.wait_for_selector("html[dir=rtl]", state="attached")
    for path, name in (("/console/network", "network"),
                       ("/console/network/screen", "network-screen"),
                       ("/console/network/inbox", "network-inbox"),
                       ("/console/network/disclosures", "network-disclosures")):
        ana.goto(asker.url + path)
        assert ana.locator("html").get_attribute("dir") == "rtl"
        shot(ana, f"{name}-ar")
    for page in (ana, hal):
        close_page(page)
