"""The console over HTTP in-process: offline reference pages, headers, CSRF, sessions, languages,
and every interface string in every catalogue (issue 14). The browser flows are in
``test_browser.py``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from ctnode.model.access import Actor
from ctnode.node import Node
from ctnode.services.users import token_hash
from ctnode.web.i18n import LANGUAGES, LOCALE_DIR, Lang, negotiate
from tests.web.conftest import PASSWORD, console_client, csrf_token

WEB = Path(__file__).resolve().parents[2] / "src" / "ctnode" / "web"
ADMIN = Actor(name="cli:test", role="admin")


def interface_msgids() -> set[str]:
    """Every string the console shows: ``_()`` in templates, ``_()``/``N_()`` in its modules."""
    found = extract_from_dir(
        str(WEB),
        method_map=[("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")],
        options_map={"templates/**.html": {"trim_blocks": "true", "lstrip_blocks": "true"}},
        keywords={"_": None, "N_": None, "gettext": None},
    )
    return {msg for _f, _l, msg, _c, _x in found if isinstance(msg, str)}


def test_every_interface_string_is_in_every_catalogue() -> None:
    msgids = interface_msgids()
    assert len(msgids) > 80 and "Screen a person" in msgids and "Turn on" in msgids
    for lang in LANGUAGES:
        with (LOCALE_DIR / f"{lang}.po").open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        missing = sorted(m for m in msgids if not (catalog.get(m) and catalog.get(m).string))
        assert not missing, f"{lang}.po lacks translations of {missing[:5]}"
        if lang != "en":
            assert "DRAFT FOR NATIVE REVIEW" in catalog.header_comment
            untranslated = [m for m in msgids if catalog.get(m).string == m and len(m) > 12]
            assert not untranslated, f"{lang}.po copies English for {untranslated[:3]}"


def test_the_language_is_the_persons_choice_else_accept_language() -> None:
    assert negotiate("kk", "fr-FR,fr;q=0.9") == "kk"
    assert negotiate(None, "de-DE,ar;q=0.8,fr;q=0.5") == "ar"
    assert negotiate(None, "zh-CN") == "zh"
    assert negotiate(None, "de, x;q=bad") == "en"
    assert negotiate("xx", None) == "en"


@pytest.fixture
def client(node: Node) -> Iterator[TestClient]:
    yield from console_client(node, ADMIN, ana="admin", sam="screener")


def sign_in(client: TestClient, username: str = "ana") -> str:
    r = client.post("/console/signin", data={"username": username, "password": PASSWORD},
                    follow_redirects=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    return csrf_token(client, "/console/lists")


def test_reference_pages_work_offline_with_a_csp_without_inline_scripts(
        client: TestClient) -> None:
    for path, asset in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        r = client.get(path)
        assert r.status_code == 200
        csp = r.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", r.text, re.S)
        assert scripts and all(body.strip() == "" and 'src="/docs/assets/' in attrs
                               for attrs, body in scripts)
        assert "http://" not in r.text and "https://" not in r.text
        assert client.get(f"/docs/assets/{asset}").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_pages_need_a_session_and_carry_security_headers(client: TestClient) -> None:
    r = client.get("/console/review", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/signin?next=/console/review"
    sign_in(client)
    r = client.get("/console/review")
    assert r.status_code == 200
    assert r.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self';")
    assert r.headers["x-frame-options"] == "DENY"
    assert "<script>" not in r.text and 'style="' not in r.text
    assert client.get("/screen").status_code == 401  # the API still wants its key


def test_a_form_without_this_sessions_token_is_refused(client: TestClient, node: Node) -> None:
    sign_in(client)
    before = node.audit.head()[0]
    for data in ({"name": "Faris Nadir"}, {"name": "Faris Nadir", "csrf_token": "forged"}):
        r = client.post("/console/screen", data=data)
        assert r.status_code == 403 and "did not come from this session" in r.text
    assert node.audit.head()[0] == before  # nothing was screened


def test_screen_shows_hits_with_explanations_in_the_chosen_language(
        client: TestClient) -> None:
    csrf = sign_in(client)
    r = client.post("/console/screen", data={"csrf_token": csrf, "name": "Faris Nadir",
                                             "birth_date": "1975-04-17"})
    assert r.status_code == 200 and 'class="hit band-match' in r.text
    assert "Date of birth</strong>" in r.text
    client.post("/console/language", data={"csrf_token": csrf, "language": "ru"})
    r = client.post("/console/screen", data={"csrf_token": csrf, "name": "Faris Nadir",
                                             "birth_date": "1975-04-17"})
    assert 'lang="ru"' in r.text and "Дата рождения</strong>" in r.text


def test_a_screener_sees_only_what_their_role_allows(client: TestClient) -> None:
    sign_in(client, "sam")
    page = client.get("/console/screen").text
    assert 'href="/console/screen"' in page and 'href="/console/review"' not in page
    assert client.get("/console/review").status_code == 403
    assert client.get("/console/audit").status_code == 403
    assert client.get("/console/admin").status_code == 403


def test_an_idle_session_is_sent_to_sign_in(client: TestClient, node: Node) -> None:
    from datetime import timedelta

    from ctnode.clock import utcnow

    sign_in(client)
    token = client.cookies.get("ctnode_session")
    assert token
    node.store.users.touch_session(token_hash(token), utcnow() - timedelta(hours=1))
    r = client.get("/console/screen", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/console/signin")


def test_next_never_leaves_the_console(client: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/docs", "/console\\x"):
        r = client.post("/console/signin", data={"username": "ana", "password": PASSWORD,
                                                 "next": target}, follow_redirects=False)
        assert r.headers["location"] in ("/console/screen", "/console/password")


def test_decide_on_a_hit_then_revoke_the_decision(client: TestClient, node: Node) -> None:
    csrf = sign_in(client)
    client.post("/console/screen", data={"csrf_token": csrf, "name": "Faris Nadir",
                                         "birth_date": "1975-04-17"})
    queue = client.get("/console/review").text
    sid = re.search(r'href="/console/review/([0-9a-f-]{36})"', queue).group(1)  # type: ignore[union-attr]
    r = client.post(f"/console/review/{sid}/decide", data={
        "csrf_token": csrf, "entity_id": "un_sc-DMi.001", "decision": "false_positive",
        "comment": "born elsewhere, other parents"})
    assert r.status_code == 200 and "false positive</strong>" in r.text
    decision = node.review.screening_detail(ADMIN, sid)["decisions"]["un_sc-DMi.001"]
    assert decision["actor"] == "user:ana"
    # the hit is now suppressed for this person, and shown as such
    again = client.post("/console/screen", data={"csrf_token": csrf, "name": "Faris Nadir",
                                                 "birth_date": "1975-04-17"}).text
    assert 'class="suppressed"' in again and "user:ana" in again
    r = client.post(f"/console/review/{sid}/revoke", data={
        "csrf_token": csrf, "decision_id": decision["id"], "reason": "decided too soon"})
    assert r.status_code == 200 and "(revoked)" in r.text
    assert node.review.screening_detail(ADMIN, sid)["decisions"]["un_sc-DMi.001"]["revoked_at"]
    assert [e.event for e in node.audit.entries(event="decision.revoke")][-1:] == \
        ["decision.revoke"]
    # the review queue pages (25 a page)
    assert "1 / 1" in client.get("/console/review?show=all").text


def test_an_admin_unlocks_resets_and_ends_sessions_in_the_console(
        client: TestClient, node: Node) -> None:
    for _ in range(node.settings.console_max_failures):
        client.post("/console/signin", data={"username": "sam", "password": "wrong password!"})
    csrf = sign_in(client)
    page = client.get("/console/admin").text
    assert "throttled until" in page
    sam = node.users.find(ADMIN, "sam")["id"]
    r = client.post("/console/admin/users", data={"csrf_token": csrf, "user_id": sam,
                                                  "action": "unlock"})
    assert r.status_code == 200 and "Unlocked" in r.text and "throttled until" not in r.text
    r = client.post("/console/admin/users", data={"csrf_token": csrf, "user_id": sam,
                                                  "action": "reset"})
    one_time = re.search(r'id="one-time">.*?<code>([^<]+)</code>', r.text, re.S).group(1)  # type: ignore[union-attr]
    assert node.users.sign_in("sam", one_time).token
    r = client.post("/console/admin/users", data={"csrf_token": csrf, "user_id": sam,
                                                  "action": "revoke"})
    assert "Sessions ended: 1" in r.text
    assert [e.actor for e in node.audit.entries(event="user.password.reset")] == ["user:ana"]


def test_server_timing_only_when_the_setting_asks(client: TestClient, node: Node) -> None:
    sign_in(client)
    assert "server-timing" not in client.get("/console/lists").headers
    node.settings.console_server_timing = True
    timing = client.get("/console/lists").headers["server-timing"]
    assert re.fullmatch(r"app;dur=\d+\.\d", timing) and float(timing[8:]) > 0
    assert "server-timing" not in client.get("/healthz").headers  # the console's pages only


def test_every_page_has_its_pictures_in_english_and_arabic() -> None:
    """docs/console.md shows each page the issue names in English and in Arabic, and every
    picture it names exists (the browser tests make them)."""
    docs = Path(__file__).resolve().parents[2] / "docs"
    text = (docs / "console.md").read_text()
    images = re.findall(r"!\[[^\]]*\]\((img/console/[^)]+\.png)\)", text)
    assert images and all((docs / i).is_file() for i in images), \
        [i for i in images if not (docs / i).is_file()]
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| ([^|]+?) \| (.+) \|$", text, re.M)}
    for page in ("Sign-in", "Screen", "Screen a file", "File report", "Review", "Decision",
                 "Entity", "Lists", "List import preview", "Network", "Network screen",
                 "Disclosures (holder)", "Released fields (requester)",
                 "Alerts and list updates", "Biometrics", "Audit", "Dashboard", "Admin",
                 "Watch", "Threat intelligence", "Threat actor"):
        assert page in rows, page
        assert re.search(r"-en\.png\).*-ar\.png\)", rows[page]), page


def test_dates_and_numbers_are_written_as_the_language_writes_them(client: TestClient) -> None:
    csrf = sign_in(client)
    for lang, month in (("fr", r"\d{1,2} [a-zéû]+\.? 20\d\d, \d\d:\d\d"),
                        ("ru", r"\d{1,2} [а-я]+\.? 20\d\d\u202fг\."), ("zh", r"20\d\d年\d+月")):
        client.post("/console/language", data={"csrf_token": csrf, "language": lang})
        page = client.get("/console/lists").text
        row = page.split("<tbody>")[1].split("</tr>")[0]
        assert re.search(month, row), (lang, row)  # the last import's date, as written there
    assert (Lang("fr").number(10_000), Lang("es").number(10_000)) == ("10\u202f000", "10.000")


@pytest.mark.parametrize("setting", ["console_secure_cookies", "behind_tls_proxy"])
def test_the_cookie_is_secure_when_the_node_is_served_over_https(
        client: TestClient, node: Node, setting: str) -> None:
    setattr(node.settings, setting, True)
    r = client.post("/console/signin", data={"username": "ana", "password": PASSWORD},
                    follow_redirects=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
