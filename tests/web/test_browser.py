"""The console in a real browser: Debian's chromium driven by Playwright, against a real
``ctnode serve`` process on loopback (issue 14).

Flows: a failed sign-in, a throttled account, signing in (and choosing one's own password),
screening a name and reading the explanation, reviewing the hit, the entity, lists and
audit pages, switching to Arabic (right to left), a forged form without its CSRF token, and
an expired session sent back to sign-in. With ``CTNODE_UPDATE_SCREENSHOTS=1`` the pages'
pictures (English and Arabic) are written to ``docs/img/console/`` for ``docs/console.md``.

Without chromium (``apt-get install chromium``; ``.ci/run`` installs it as root) or the
``playwright`` package, the module is skipped with one reason (``tests/web/conftest.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from ctnode.clock import utcnow
from ctnode.ingest.un_sc import DEMO_LIST
from ctnode.model.access import Actor
from ctnode.services.users import token_hash
from tests.federation.cluster import NodeProc, make_nodes, ready, seed_stores, started
from tests.web.conftest import FIRST, browser_api, choose_language, choose_password, shot, sign_in

sync_api = browser_api()
ADMIN = Actor(name="cli:test", role="admin")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProc]:
    (proc,) = make_nodes(tmp_path_factory.mktemp("console"), ["console"])
    proc.extra_env = {"CTNODE_CONSOLE_MAX_FAILURES": "3", "CTNODE_JOBS_ENABLED": "false"}
    seed_stores([proc])
    node = proc.open()
    try:
        node.lists.import_source("un-sc", str(DEMO_LIST), ADMIN)
        node.users.create(ADMIN, username="ana", role="admin", display_name="Ana Analyst",
                          password=FIRST)
        node.users.create(ADMIN, username="lou", role="analyst", password=FIRST)
    finally:
        node.close()
    with started([proc]):
        ready([proc])
        yield proc


def test_sign_in_fails_then_throttles(served: NodeProc, page: sync_api.Page) -> None:
    sign_in(page, served.url, "lou", "not the password")
    assert page.locator("#signin-error").inner_text() == \
        "Unknown username, wrong password or wrong code."
    shot(page, "signin-en")
    for _ in range(2):
        sign_in(page, served.url, "lou", "not the password")
    assert "throttled" in page.locator("#signin-error").inner_text()
    sign_in(page, served.url, "lou", FIRST)  # the right password is refused while throttled
    assert "throttled" in page.locator("#signin-error").inner_text()
    assert "/console/signin" in page.url


def test_the_analysts_day(served: NodeProc, page: sync_api.Page) -> None:
    sign_in(page, served.url, "ana", FIRST)
    choose_password(page)  # a one-time password: choose one's own first

    # screen a name and read the explanation
    page.get_by_label("Name (any script)").fill("Faris Nadir")
    page.get_by_label("Date of birth (YYYY, YYYY-MM or YYYY-MM-DD)").fill("1975-04-17")
    page.get_by_label("Purpose").fill("border check")
    page.get_by_label("Legal basis").fill("Act 12 s.4")
    page.get_by_role("button", name="Screen", exact=True).click()
    hit = page.locator("article.hit").first
    assert "FARIS" in hit.locator("h3").inner_text().upper()
    why = hit.locator("ul.why").inner_text()
    assert "Name" in why and "Date of birth" in why
    shot(page, "screen-en")

    # review the hit: the queue filtered by band and by list (in the address, kept)
    page.get_by_role("link", name="Review").click()
    page.locator("#queue tr").first.wait_for()  # a click navigates: wait for the answer page
    assert page.locator("#queue tr").count() >= 1
    page.get_by_label("Band").select_option("match")
    page.get_by_label("List", exact=True).select_option("un_sc")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/console/review?*band=match*")
    assert "list=un_sc" in page.url
    rows = page.locator("#queue tr")
    rows.first.wait_for()
    assert rows.count() >= 1
    for i in range(rows.count()):
        assert "match" in rows.nth(i).locator("td.bands").inner_text()
        assert "un_sc" in rows.nth(i).locator("td.lists").inner_text()
    shot(page, "review-en")
    # the hit's explanation is on its review page, in words
    page.get_by_role("link", name="Open").first.click()
    page.locator("ul.why").first.wait_for()
    assert "date of birth: same date" in page.locator("ul.why").first.inner_text()
    page.get_by_label("confirmed").first.check()
    page.get_by_label("Comment").first.fill("Same person: date of birth and name agree.")
    page.get_by_role("button", name="Record decision").first.click()
    decided = page.locator("p.decided").first.inner_text()
    assert "confirmed" in decided and "user:ana" in decided
    shot(page, "review-decide-en")
    decision_path = page.url.removeprefix(served.url)

    # the entity, with the decision in its history
    page.locator("article.hit h2 a").first.click()
    assert page.locator("ol.timeline").inner_text().count("decision") >= 1
    assert page.locator("table tbody tr").count() > 3
    shot(page, "entity-en")
    entity_path = page.url.removeprefix(served.url)
    page.get_by_role("link", name="Lists").click()
    assert "un_sc" in page.locator("table").inner_text()
    shot(page, "lists-en")
    page.get_by_role("link", name="Audit").click()
    page.get_by_role("button", name="Verify the chain").click()
    page.locator("#verified").wait_for()  # visible (waits for the answer on a loaded machine)
    assert "user:ana" in page.locator("table").inner_text()
    shot(page, "audit-en")
    page.get_by_role("link", name="Admin").click()
    assert "lou" in page.locator("table").first.inner_text()
    shot(page, "admin-en")

    # Arabic, right to left: the menu applies itself (console.js, an external script)
    choose_language(page, "ar")
    page.wait_for_selector("html[dir=rtl]", state="attached")
    assert page.locator("html").get_attribute("lang") == "ar"
    page.goto(served.url + "/console/audit")  # the menu brought the Admin page back
    assert page.locator("form[action$='/audit/verify']").is_visible()
    shot(page, "audit-ar")
    for path, name in (("/console/lists", "lists"), ("/console/review?show=all", "review"),
                       ("/console/admin", "admin"), (entity_path, "entity"),
                       (decision_path, "review-decide"), ("/console/screen/files", "files"),
                       ("/console/screen", "screen")):
        page.goto(served.url + path)
        assert page.locator("html").get_attribute("dir") == "rtl"
        if name == "review-decide":  # the hit's explanation, translated
            assert "تاريخ الميلاد: التاريخ نفسه" in page.locator("ul.why").first.inner_text()
        shot(page, f"{name}-ar")
    page.get_by_label("الاسم (بأي كتابة)").fill("فارس نادر")
    page.locator("#birth_date").fill("1975-04-17")
    page.get_by_role("button", name="الفحص", exact=True).click()
    assert page.locator("h2#results").inner_text() == "النتائج"
    # the matcher's explanation in Arabic: its words, not the English detail
    why = page.locator("article.hit ul.why").first.inner_text()
    assert "تاريخ الميلاد: التاريخ نفسه" in why and "أجزاء الاسم المتطابقة" in why
    assert "date of birth" not in why and "name part(s) aligned" not in why
    shot(page, "screen-results-ar")

    # a forged form: the same form without its CSRF token is refused, nothing is done
    page.goto(served.url + "/console/audit")
    page.locator("form[action$='/audit/verify'] input[name=csrf_token]").evaluate(
        "el => el.remove()")
    page.get_by_role("button").filter(has_text="التحقق من السلسلة").click()
    page.locator("p.error").wait_for()  # a click navigates: wait for the answer page
    assert page.locator("p.error").is_visible()
    assert "403" in page.title()

    # an expired session is sent back to sign-in
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "ctnode_session")
    cookie = next(c for c in page.context.cookies() if c["name"] == "ctnode_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    node = served.open()
    try:
        node.store.users.touch_session(token_hash(token), utcnow() - timedelta(hours=2))
    finally:
        node.close()
    page.goto(served.url + "/console/review")
    page.wait_for_url("**/console/signin?next=/console/review")
    assert page.get_by_role("button", name="Sign in").is_visible()
    # the sign-in page in Arabic (no session: the language cookie, else Accept-Language)
    page.context.add_cookies([{"name": "ctnode_lang", "value": "ar", "url": served.url}])
    page.reload()
    assert page.locator("html").get_attribute("dir") == "rtl"
    shot(page, "signin-ar")
