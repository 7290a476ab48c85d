"""The threat-intelligence pages in a real browser (issue 17): Debian's chromium driven by
Playwright against a real ``ctnode serve`` process on loopback. An analyst opens Threat
intelligence from the navigation, filters the collection to threat actors, opens the one that
names a listed record, follows the link to the record's page and back from its list of the
intelligence naming it, pages through the collection, and reads the pages in Arabic (right to
left). With ``CTNODE_UPDATE_SCREENSHOTS=1`` the pictures of ``docs/console.md`` are written.

Without chromium or the ``playwright`` package the module is skipped with one reason
(``tests/web/conftest.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from ctnode.ingest.un_sc import DEMO_LIST
from ctnode.model.access import Actor
from tests.federation.cluster import NodeProc, make_nodes, ready, seed_stores, started
from tests.web.conftest import (
    DEMO_ACTOR,
    FIRST,
    MALWARE,
    browser_api,
    choose_language,
    choose_password,
    load_intel,
    shot,
    sign_in,
)

sync_api = browser_api()
ADMIN = Actor(name="cli:test", role="admin")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProc]:
    (proc,) = make_nodes(tmp_path_factory.mktemp("intel"), ["intel"])
    proc.extra_env = {"CTNODE_JOBS_ENABLED": "false"}
    seed_stores([proc])
    node = proc.open()
    try:
        node.lists.import_source("un-sc", str(DEMO_LIST), ADMIN)
        node.users.create(ADMIN, username="lou", role="analyst", display_name="Lou Analyst",
                          password=FIRST)
        load_intel(node)
    finally:
        node.close()
    with started([proc]):
        ready([proc])
        yield proc


def test_an_analyst_reads_a_threat_actor_and_its_listed_record(served: NodeProc,
                                                               page: sync_api.Page) -> None:
    sign_in(page, served.url, "lou", FIRST)
    choose_password(page)
    page.get_by_role("link", name="Threat intelligence").click()
    page.wait_for_url("**/console/intel")
    objects = page.locator("#intel-objects tbody tr")
    assert objects.count() == 50
    assert "TLP:RED" in page.locator("#intel-objects").inner_text()  # read inside the node
    shot(page, "intel-en")

    # the next page, then only threat actors
    page.locator("#next-page").click()
    page.wait_for_url("**after=*")
    assert objects.count() == 27 and page.locator("#first-page").is_visible()
    page.get_by_label("Type").select_option("threat-actor")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**type=threat-actor*")
    names = sorted(page.locator("#intel-objects tbody td:first-child a").all_inner_texts())
    assert names == ["Al-Qaida in Iraq", "Demo front"]

    # the threat actor: its marking, the listed record it names, its relationships
    page.get_by_role("link", name="Demo front").click()
    page.wait_for_url(f"**/{DEMO_ACTOR}")
    assert page.locator("#intel-summary").inner_text().count("TLP:GREEN") == 1
    record = page.locator("#intel-watchlist tbody tr").first
    assert "DMi.001" in record.inner_text() and "listed" in record.inner_text()
    relationships = page.locator("#intel-relationships").inner_text()
    assert "uses" in relationships and "CircularLoader" in relationships
    assert "attributed-to" in relationships and "Budget Circular Operators" in relationships
    shot(page, "intel-object-en")

    # to the record's page, and back from the intelligence naming it
    record.locator("a").click()
    page.wait_for_url("**/console/entity/un_sc-DMi.001")
    assert page.locator("#intel-links").inner_text().startswith("Demo front")
    page.locator("#intel-links a").click()
    page.wait_for_url(f"**/{DEMO_ACTOR}")

    # a relationship's other end
    page.locator("#intel-relationships a", has_text="CircularLoader").click()
    page.wait_for_url(f"**/{MALWARE}")
    assert page.locator("h1").inner_text() == "CircularLoader"
    assert page.locator("#versions + ol li").count() == 2

    # Arabic, right to left
    page.goto(f"{served.url}/console/intel/feed/{DEMO_ACTOR}")
    choose_language(page, "ar")
    page.wait_for_selector("html[lang=ar]", state="attached")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#watchlist").inner_text() == "السجلات المدرجة التي يشير إليها"
    shot(page, "intel-object-ar")
    page.goto(f"{served.url}/console/intel")
    assert page.locator("h1").inner_text() == "استخبارات التهديدات"
    assert re.search(r"TLP:RED", page.locator("#intel-objects").inner_text())
    shot(page, "intel-ar")
