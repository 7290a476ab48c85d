"""Screen a file and import a list in a real browser (issue 14): upload a passenger manifest,
follow its progress, filter the report and export it; preview a list import, then import.
Against a real ``ctnode serve`` process; chromium driven by Playwright (skipped with the
reason without them). ``CTNODE_UPDATE_SCREENSHOTS=1`` writes the pictures."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from ctnode.ingest.un_sc import DEMO_LIST
from ctnode.model.access import Actor
from tests.conftest import TRAVEL_FIXTURES
from tests.federation.cluster import NodeProc, make_nodes, ready, seed_stores, started
from tests.web.conftest import FIRST, browser_api, choose_language, close_page, person, shot

sync_api = browser_api()

ADMIN = Actor(name="cli:test", role="admin")
LIST_V1 = Path(__file__).resolve().parents[1] / "federation" / "fixtures" / "watchlist-v1.jsonl"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProc]:
    (proc,) = make_nodes(tmp_path_factory.mktemp("console-files"), ["files"])
    proc.extra_env = {"CTNODE_JOBS_ENABLED": "false"}
    seed_stores([proc])
    node = proc.open()
    try:
        node.lists.import_source("un-sc", str(DEMO_LIST), ADMIN)
        node.users.create(ADMIN, username="ada", role="admin", display_name="Ada Admin",
                          password=FIRST)
    finally:
        node.close()
    with started([proc]):
        ready([proc])
        yield proc


@pytest.fixture(scope="module")
def page(served: NodeProc, browser: sync_api.Browser) -> Iterator[sync_api.Page]:
    """Ada, signed in with her own password, on one page for the whole module (downloads on)."""
    pg = person(browser, served.url, "ada", accept_downloads=True)
    yield pg
    close_page(pg)


def test_upload_a_manifest_follow_it_filter_and_export(served: NodeProc,
                                                       page: sync_api.Page) -> None:
    page.get_by_role("link", name="Screen a file: a batch, a passenger manifest or payments").click()
    page.get_by_label("A passenger manifest (PAXLST, PNRGOV or MRZ)").check()
    page.get_by_label("File", exact=True).set_input_files(
        str(TRAVEL_FIXTURES / "paxlst_edge_cases.edi"))
    page.get_by_label("Purpose").fill("border check")
    page.get_by_label("Case reference").fill("FLIGHT-77")
    shot(page, "files-en")
    page.get_by_role("button", name="Upload and screen").click()
    # the progress page follows the run (files.js) and turns into the report
    page.wait_for_selector("table#report, #run-error", timeout=60_000)
    assert page.locator("#run-error").count() == 0, page.locator("#run-error").inner_text()
    assert "Subjects: 4" in page.locator("#summary").inner_text()
    report = page.locator("table#report").inner_text()
    assert "ARSLAN TIMUROVICH VEDENOV" in report
    assert page.locator("details", has_text="What was skipped").count() == 1
    page.get_by_label("Show").select_option("review")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table#report tbody tr")
    assert rows.count() >= 1 and all("No hit" not in rows.nth(i).inner_text()
                                     for i in range(rows.count()))
    page.locator("table#report details.hit summary").first.click()
    assert "Name" in page.locator("table#report ul.why").first.inner_text()
    shot(page, "file-report-en")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV", exact=True).click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    refs = {row["ref"] for row in csv.DictReader(io.StringIO(text))}
    assert "T1" in refs and len(refs) == 4
    choose_language(page, "ar")
    page.wait_for_selector("html[dir=rtl]", state="attached")
    assert page.locator("#summary").is_visible()
    shot(page, "file-report-ar")
    choose_language(page, "en")
    page.wait_for_selector("html[dir=ltr]", state="attached")


def test_preview_a_list_import_then_import_it(served: NodeProc, page: sync_api.Page) -> None:
    page.goto(served.url + "/console/lists")
    page.get_by_role("link", name="Import a list (with a preview of its changes)").click()
    page.get_by_label("Format").select_option("ftm")
    page.get_by_label("File", exact=True).set_input_files(str(LIST_V1))
    page.get_by_label("List name (FollowTheMoney; default: the file's name)").fill("fx")
    page.get_by_label("Version (the list's date, when the file states none)").fill("2026-01-01")
    page.get_by_role("button", name="Preview the changes").click()
    assert page.locator("#n-added").inner_text() == "4"
    shot(page, "list-import-preview-en")
    # the same preview in Arabic (the form by its fields' ids: the labels are Arabic)
    choose_language(page, "ar")
    page.wait_for_selector("html[dir=rtl]", state="attached")
    page.goto(served.url + "/console/lists/import")
    page.locator("#kind").select_option("ftm")
    page.locator("#file").set_input_files(str(LIST_V1))
    page.locator("#dataset").fill("fx")
    page.locator("#version").fill("2026-01-01")
    page.locator("#list-import button[type=submit]").click()
    assert page.locator("#n-added").inner_text() == "٤" or \
        page.locator("#n-added").inner_text() == "4"
    assert page.locator("html").get_attribute("dir") == "rtl"
    shot(page, "list-import-preview-ar")
    choose_language(page, "en")
    page.wait_for_selector("html[dir=ltr]", state="attached")
    page.goto(served.url + "/console/lists/import")
    page.get_by_label("Format").select_option("ftm")
    page.get_by_label("File", exact=True).set_input_files(str(LIST_V1))
    page.get_by_label("List name (FollowTheMoney; default: the file's name)").fill("fx")
    page.get_by_label("Version (the list's date, when the file states none)").fill("2026-01-01")
    page.get_by_role("button", name="Preview the changes").click()
    assert page.locator("#n-added").inner_text() == "4"
    other = page.context.new_page()
    other.goto(served.url + "/console/lists")
    assert "fx" not in other.locator("table").inner_text()  # the preview kept nothing
    other.close()
    page.get_by_role("button", name="Import these changes").click()
    page.locator("#imported").wait_for()  # a click navigates: wait for the answer page
    assert page.locator("#imported").is_visible()
    page.get_by_role("link", name="Lists").first.click()
    assert "fx" in page.locator("table").inner_text()


def test_watch_a_person_and_read_the_alert(served: NodeProc, page: sync_api.Page) -> None:
    page.goto(served.url + "/console/screen")
    page.get_by_role("link", name="Watch", exact=True).click()
    form = page.locator("form[action$='/watch/add']")
    form.get_by_label("Name (any script)").fill("Faris Nadir")
    form.get_by_label("Date of birth (YYYY, YYYY-MM or YYYY-MM-DD)").fill("1975-04-17")
    form.get_by_label("Purpose").fill("investigation")
    form.get_by_label("Legal basis").fill("Act 12 s.4")
    form.get_by_label("Days to watch (at most the node's policy)").fill("30")
    form.get_by_role("button", name="Watch this person").click()
    assert "Alerts raised: 1" in page.locator("#watch-done").inner_text()
    assert "new hit" in page.locator("#watch-alerts").inner_text()
    assert "FARIS" in page.locator("#watch-subjects").inner_text().upper()
    shot(page, "watch-en")
    choose_language(page, "ar")
    page.wait_for_selector("html[dir=rtl]", state="attached")
    shot(page, "watch-ar")
    choose_language(page, "en")
    page.wait_for_selector("html[dir=ltr]", state="attached")
