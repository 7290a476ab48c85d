"""What the console's browser tests share: Debian's chromium driven by Playwright.

A browser module starts with ``sync_api = browser_api()``: without chromium
(``apt-get install chromium``; ``.ci/run`` installs it as root) or the ``playwright``
package the whole module is skipped with one reason. It then uses the fixtures ``browser``
(one per module) and ``page`` (a fresh context per test, failing the test on any Content
Security Policy error), and the helpers below: ``new_page`` for a page of one's own,
``sign_in`` and ``choose_password`` for the sign-in form and the first-password change,
``person`` for all three (several people, downloads), ``close_page`` to end a page of one's
own, ``shot`` for the pictures of ``docs/console.md``
(``CTNODE_UPDATE_SCREENSHOTS=1`` writes them to ``docs/img/console/``).

The modules without a browser test the console over HTTP in process: ``console_client``
makes the accounts they name (all with ``PASSWORD``) and a client of the served app;
``http_sign_in`` signs one in and returns the form token (``CSRF``) of a page.

Threat intelligence for the pages that show it: ``load_intel`` makes the collection ``feed``
with the intelligence tests' bundle and a threat actor naming the demo list's DMi.001.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from ctnode.model.access import Actor
from ctnode.model.tlp import TLP
from ctnode.node import Node
from ctnode.server import create_app
from tests.conftest import ADMIN

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "img" / "console"
FIRST = "first password given"  # what an admin gives a new account
OWN = "my own console password"  # what its owner then chooses
PASSWORD = "a long enough secret"  # every account of the tests over HTTP
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def browser_api() -> ModuleType:
    """``playwright.sync_api``, or the calling module skipped with the reason."""
    if not Path(CHROMIUM).exists():
        pytest.skip("browser tests skipped: no chromium at /usr/bin/chromium "
                    "(apt-get install chromium)", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api",
                               reason="browser tests skipped: pip install playwright (dev extra)")


def new_page(browser: Browser, **options: Any) -> Page:
    """A page in a context of its own (British English, 1200x900, more ``options`` for the
    context), slow but not broken on a loaded machine; the browser console's errors are
    collected in ``page.console_errors``."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1200, "height": 900},
                                  **options)
    context.set_default_timeout(90_000)  # a loaded CI machine: slow, not broken
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors  # type: ignore[attr-defined]
    return page


def close_page(page: Page) -> None:
    """Close the page's context, then fail on any Content Security Policy error it logged."""
    page.context.close()
    errors: list[str] = page.console_errors  # type: ignore[attr-defined]
    assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    sync_api = browser_api()
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    pg = new_page(browser)
    yield pg
    close_page(pg)


def shot(page: Page, name: str) -> None:
    """The page's picture ``docs/img/console/<name>.png``, with CTNODE_UPDATE_SCREENSHOTS=1."""
    if os.environ.get("CTNODE_UPDATE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def sign_in(page: Page, url: str, username: str, password: str) -> None:
    """Fill in and send the sign-in form of the console at ``url``."""
    page.goto(url + "/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def person(browser: Browser, url: str, username: str, **options: Any) -> Page:
    """``username`` signed in with the one-time password ``FIRST``, their own chosen, on a
    page of their own (``options`` for its context, as ``new_page``)."""
    page = new_page(browser, **options)
    sign_in(page, url, username, FIRST)
    choose_password(page)
    return page


def choose_language(page: Page, code: str) -> None:
    """Switch the console's language with its menu, as a user does, and wait for the page in
    ``code``. The menu applies itself from the console's deferred script, which attaches
    once the document is parsed: the page's load is awaited first, since a change made
    before it would need the menu's button (a busy CI machine met that race)."""
    page.wait_for_load_state("load")
    page.locator("#language").select_option(code)
    page.wait_for_selector(f"html[lang={code}]", state="attached")


def choose_password(page: Page, first: str = FIRST, own: str = OWN) -> None:
    """After signing in with a one-time password: choose one's own, land on Screen."""
    page.wait_for_url("**/console/password")
    page.get_by_label("Current password").fill(first)
    page.get_by_label("New password (at least 12 characters)").fill(own)
    page.get_by_label("New password again").fill(own)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/console/screen")


# -- the console over HTTP, in process ------------------------------------------------------


def console_client(node: Node, by: Actor = ADMIN, **roles: str) -> Iterator[TestClient]:
    """For a ``client`` fixture (``yield from``): an account per ``username=role`` (made by
    ``by``), all with ``PASSWORD``, and a client of the served app (started and stopped
    around the test)."""
    for username, role in roles.items():
        node.users.create(by, username=username, role=role, password=PASSWORD)
    with TestClient(create_app(node)) as c:
        yield c


def csrf_token(client: TestClient, path: str) -> str:
    """The form token of the page at ``path`` (which must answer 200)."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    return CSRF.search(page.text).group(1)  # type: ignore[union-attr]


def http_sign_in(client: TestClient, username: str, csrf_from: str = "/console/lists") -> str:
    """Sign ``username`` in (any other session's cookie dropped first); the form token of the
    page ``csrf_from``."""
    client.cookies.clear()
    r = client.post("/console/signin", data={"username": username, "password": PASSWORD},
                    follow_redirects=False)
    assert r.status_code == 303
    return csrf_token(client, csrf_from)


# -- threat intelligence for the pages that show it ------------------------------------------

INTEL_BUNDLE = Path(__file__).resolve().parents[1] / "intel" / "fixtures" / "ct-bundle.json"
THREAT_ACTOR = "threat-actor--2cb85f3f-4a24-439a-9d99-8017f5e2fc57"  # names QDe.115
INTRUSION_SET = "intrusion-set--8a4996ef-b447-40ce-b484-38b5c41f9dfd"
MALWARE = "malware--d0b0090d-6259-4992-bfb8-1d2706e55426"
INDICATOR = "indicator--a3f96f0e-5143-4d1f-8d68-615c80690847"
RED_INDICATOR = "indicator--b969ec07-f1f8-4a79-af37-1d87d8a8f065"
DEMO_ACTOR = "threat-actor--0d4c9a52-7f3e-4b1a-9c55-3e2f1a0b9c8d"  # names DMi.001
STIX_STAMP = "2026-02-01T00:00:00.000Z"


def stix(kind: str, **fields: Any) -> dict[str, Any]:
    """A STIX 2.1 object of ``kind`` with a new id and ``fields``, marked TLP:GREEN."""
    return {"type": kind, "spec_version": "2.1", "id": f"{kind}--{uuid.uuid4()}",
            "created": STIX_STAMP, "modified": STIX_STAMP,
            "object_marking_refs": [TLP.GREEN.marking_id], **fields}


def load_intel(node: Node, identities: int = 55) -> str:
    """The collection ``feed`` (its id returned): the bundle of ``tests/intel/fixtures`` (18
    objects, the malware in two versions, one indicator TLP:RED), a threat actor "Demo front"
    naming the demo list's DMi.001 that uses the bundle's malware and that the bundle's
    intrusion set is attributed to, a relationship whose description quotes the intrusion
    set's id without linking it, and ``identities`` identities (to page through)."""
    col = node.intel.create_collection(ADMIN, title="Partner feed", alias="feed")
    bundle = json.loads(INTEL_BUNDLE.read_text())["objects"]
    extra = [
        {**stix("threat-actor", name="Demo front",
                description="Front organisation of the demo list's DMi.001 (fictional).",
                threat_actor_types=["terrorist"],
                external_references=[{"source_name": "un-sc-consolidated-list",
                                      "external_id": "DMi.001"}]), "id": DEMO_ACTOR},
        stix("relationship", relationship_type="uses", source_ref=DEMO_ACTOR,
             target_ref=MALWARE),
        stix("relationship", relationship_type="attributed-to", source_ref=INTRUSION_SET,
             target_ref=DEMO_ACTOR),
        stix("relationship", relationship_type="related-to", source_ref=INDICATOR,
             target_ref=RED_INDICATOR, description=f"not about {INTRUSION_SET}"),
        *(stix("identity", name=f"Partner unit {i:02d}") for i in range(identities)),
    ]
    node.intel.import_stix(ADMIN, json.dumps([*bundle, *extra]), collection="feed",
                           source="ct-bundle.json")
    return str(col["id"])
