"""Accessibility and console-b's pages in a real browser (issue 14): axe-core (bundled by
``axe-playwright-python``) finds no serious or critical violation on any page of the console,
in English and in Arabic (right to left); keyboard navigation reaches the navigation and every
form control; the Dashboard, the Audit filters and export, Review with who was screened, and
the Biometrics search side by side, a threat actor's page. Every page reached from the navigation is checked, so a
page added later is checked too. With ``CTNODE_UPDATE_SCREENSHOTS=1`` the pictures of these
pages are written to ``docs/img/console/``.

Without chromium or the ``playwright`` / ``axe-playwright-python`` packages the module is
skipped with one reason; the biometric search with results needs the shared faces
(``CTNODE_SHARED_DATA``): without them that part is skipped with one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ctnode.ingest.un_sc import DEMO_LIST
from ctnode.model.access import Actor, Purpose
from ctnode.services.screening.query import build_query
from tests.conftest import shared_data_dir
from tests.federation.cluster import NodeProc, make_nodes, ready, seed_stores, started
from tests.web.conftest import DEMO_ACTOR, browser_api, choose_language, load_intel, shot, sign_in

sync_api = browser_api()
axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright",
                               reason="axe tests skipped: pip install axe-playwright-python (dev)")

ADMIN = Actor(name="cli:test", role="admin")
PASSWORD = "an accessible console password"
FACES = shared_data_dir() / "biometrics" / "faces" / "deepface"
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProc]:
    (proc,) = make_nodes(tmp_path_factory.mktemp("a11y"), ["a11y"])
    proc.extra_env = {"CTNODE_JOBS_ENABLED": "false"}
    seed_stores([proc])
    node = proc.open()
    try:
        node.lists.import_source("un-sc", str(DEMO_LIST), ADMIN)
        user_id, _ = node.users.create(ADMIN, username="ana", role="admin",
                                       display_name="Ana Analyst", password=PASSWORD)
        with node.store.begin() as conn:
            node.store.users.update_user(conn, user_id, {"must_change_password": False})
        why = Purpose("border check", "Act 12 s.4", "C-9")
        node.screening.screen(build_query(["Faris Nadir"], birth_dates=["1975-04-17"],
                                          documents=["X 1234567"]), ADMIN, why)
        node.federation.directory.init(ADMIN, node_id="a11y", organisation="Coordinator A",
                                       country="AA", contact="a@example.org")
        node.federation.checkpoints.checkpoint(ADMIN)
        load_intel(node, identities=0)  # the threat-intelligence pages have something to show
        if (FACES / "img1.jpg").exists():
            from ctnode.services.biometrics.types import EnrolRequest

            node.biometrics.enrolment.enrol_face(ADMIN, EnrolRequest(
                entity_id="un_sc-DMe.001", image=(FACES / "img1.jpg").read_bytes(),
                legal_basis="Act 12 s.4"))
    finally:
        node.close()
    with started([proc]):
        ready([proc])
        yield proc


def sign_in_as_ana(page: sync_api.Page, url: str) -> None:
    """Ana signed in (her own password already chosen), the console in English."""
    sign_in(page, url, "ana", PASSWORD)
    page.wait_for_url("**/console/screen")
    if page.locator("html").get_attribute("lang") != "en":  # the account's language: English
        choose_language(page, "en")
        page.wait_for_selector("html[lang=en]", state="attached")


def serious(page: sync_api.Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it stands."""
    found = axe_sync.Axe().run(page).response["violations"]
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in found if v["impact"] in SERIOUS]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_axe_finds_nothing_serious_on_any_page(served: NodeProc, page: sync_api.Page,
                                               language: str) -> None:
    page.goto(served.url + "/console/signin")
    failures = {"signin": serious(page)}
    sign_in_as_ana(page, served.url)
    if language != "en":
        choose_language(page, language)
        page.wait_for_selector(f"html[lang={language}]", state="attached")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    # every page of the navigation (a page added later is checked too), and the pages
    # reached from them: a screening's review, an entity, a search with results
    nav = [a.get_attribute("href") or "" for a in page.locator("header nav a").all()]
    assert len(nav) >= 7 and "/console/dashboard" in nav and "/console/biometrics" in nav
    for href in [*nav, "/console/password", "/console/totp"]:
        page.goto(served.url + href)
        failures[href] = serious(page)
    page.goto(served.url + "/console/review?show=all")
    page.locator("tbody a").first.click()
    failures["review one"] = serious(page)
    page.locator("article.hit h2 a").first.click()
    failures["entity"] = serious(page)
    page.goto(served.url + "/console/screen")
    page.locator("#name").fill("Faris Nadir")
    page.locator("form.grid button[type=submit]").click()
    page.wait_for_selector("#results")
    failures["screen results"] = serious(page)
    page.goto(served.url + "/console/dashboard")
    page.locator("details summary").click()
    failures["dashboard table"] = serious(page)
    page.goto(f"{served.url}/console/intel/feed/{DEMO_ACTOR}")  # a threat actor, its record
    page.locator("details summary").click()  # and its STIX text
    failures["intel object"] = serious(page)
    failures = {k: v for k, v in failures.items() if v}
    assert not failures, failures


def test_keyboard_reaches_the_navigation_and_every_control(served: NodeProc,
                                                           page: sync_api.Page) -> None:
    sign_in_as_ana(page, served.url)
    page.goto(served.url + "/console/audit")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")  # skip to content
    assert page.url.endswith("#main")
    page.goto(served.url + "/console/audit")
    reached: list[str] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(
            "(e => e.id || e.getAttribute('href') || e.textContent.trim())(document.activeElement)"))
    assert "/console/dashboard" in reached and "/console/biometrics" in reached
    assert {"event", "actor", "since", "until"} <= set(reached)
    # the focus is visible: an outline of at least 2 px on the focused control
    page.locator("#actor").focus()
    assert page.evaluate("parseFloat(getComputedStyle(document.activeElement).outlineWidth)") >= 2


def test_dashboard_audit_and_review_in_the_browser(served: NodeProc, page: sync_api.Page) -> None:
    sign_in_as_ana(page, served.url)
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url("**/console/dashboard")  # a click does not wait for the page it opens
    sync_api.expect(page.locator("svg.chart")).to_have_count(6, timeout=30_000)
    assert page.locator("#chart-screens svg rect").count() >= 1  # today's screen
    assert "#" in page.locator("#checkpoint").inner_text()
    shot(page, "dashboard-en")
    page.get_by_role("button", name="Check the peers now").click()
    page.locator("#peers").wait_for()  # visible (waits for the answer on a loaded machine)

    page.get_by_role("link", name="Audit").click()
    page.locator("#event").select_option("screen")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(lambda url: "event=screen" in url)  # the filtered page, not the one before
    events = page.locator("tbody tr td:nth-child(4)").all_inner_texts()
    assert events and set(events) == {"screen"}
    page.get_by_role("button", name="Verify the chain").click()
    assert "Signed checkpoints matched: 1" in page.locator("#verified").inner_text()
    shot(page, "audit-verified-en")
    with page.expect_download() as download:
        page.locator("#export-jsonl").click()
    assert download.value.suggested_filename.endswith(".jsonl")

    page.goto(served.url + "/console/review?show=all")
    page.locator("tbody a").first.click()
    assert "Faris Nadir" in page.locator("section.subject").inner_text()
    shot(page, "review-subject-en")

    choose_language(page, "ar")
    page.wait_for_selector("html[dir=rtl]", state="attached")
    shot(page, "review-subject-ar")
    page.goto(served.url + "/console/dashboard")
    assert page.locator("h1").inner_text() == "لوحة المعلومات"
    shot(page, "dashboard-ar")
    page.goto(served.url + "/console/audit")
    shot(page, "audit-filters-ar")
    choose_language(page, "en")
    page.wait_for_selector("html[dir=ltr]", state="attached")


def test_biometric_search_side_by_side(served: NodeProc, page: sync_api.Page) -> None:
    if not (FACES / "img2.jpg").exists():
        pytest.skip(f"biometric browser flow skipped: no shared faces at {FACES} "
                    "(set CTNODE_SHARED_DATA)")
    sign_in_as_ana(page, served.url)
    page.get_by_role("link", name="Biometrics").click()
    page.get_by_label("Photo or fingerprint image").set_input_files(str(FACES / "img2.jpg"))
    page.get_by_label("Purpose").fill("border check")
    page.get_by_label("Legal basis").fill("Act 12 s.4")
    page.get_by_role("button", name="Search").click()
    first = page.locator("article.candidate").first
    assert "match" in first.locator(".band").inner_text()
    images = first.locator(".pair img")
    assert images.count() == 2
    # The probe and the enrolled image both load (CSP allows them). An image can
    # still be on its way when the page is shown: wait for its load or error
    # event rather than reading `complete` once (that raced in CI at load).
    width_once_settled = """img => (img.complete && img.naturalWidth > 0) ? img.naturalWidth
        : new Promise(done => {
            img.addEventListener('load', () => done(img.naturalWidth));
            img.addEventListener('error', () => done(0));
            if (img.complete) done(img.naturalWidth);
        })"""
    for i in range(2):
        assert images.nth(i).evaluate(width_once_settled) > 0
    assert serious(page) == []
    shot(page, "biometrics-en")
    choose_language(page, "ar")
    page.wait_for_selector("html[dir=rtl]", state="attached")
    page.get_by_label("صورة الوجه أو صورة البصمة").set_input_files(str(FACES / "img2.jpg"))
    page.locator("#purpose").fill("border check")
    page.locator("#legal_basis").fill("Act 12 s.4")
    page.locator("form.grid button[type=submit]").click()
    assert page.locator("article.candidate").count() >= 1
    assert serious(page) == []
    shot(page, "biometrics-ar")
    choose_language(page, "en")
    page.wait_for_selector("html[dir=ltr]", state="attached")
