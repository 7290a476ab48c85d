"""The services' own words (refusals, coverage warnings, a failed file's reason) in the
console's language (issue 14): every error code has its sentence, every known message its
msgid, every translation keeps the message's values, and the pages show them translated."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from ctnode import errors
from ctnode.errors import CTNodeError
from ctnode.model.access import Actor
from ctnode.node import Node
from ctnode.services.users import MIN_PASSWORD, throttled
from ctnode.web.i18n import LANGUAGES, LOCALE_DIR, Lang
from ctnode.web.service_texts import CODES, MESSAGES, said, say
from tests.web.test_console import client, sign_in

__all__ = ["client"]  # the fixture, shared with test_console

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_every_error_code_has_a_sentence() -> None:
    defined = {cls.code for cls in vars(errors).values()
               if isinstance(cls, type) and issubclass(cls, CTNodeError)}
    assert len(defined) > 15 and defined - set(CODES) == set()
    assert {"interrupted", "internal_error"} <= set(CODES)

    class NotAnImage(errors.InvalidInput, code="not_an_image"):
        """An error of another module, with its own code."""

    shown = str(said(Lang("fr"), NotAnImage("bytes 0-4: not a JPEG")))
    assert shown.startswith("Cette demande ne peut pas être exécutée telle quelle.")


@pytest.mark.parametrize("lang", [x for x in LANGUAGES if x != "en"])
def test_every_translation_keeps_the_values_of_its_message(lang: str) -> None:
    with (LOCALE_DIR / f"{lang}.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    for pattern, msgid in MESSAGES:
        wanted = set(PLACEHOLDER.findall(msgid))
        assert wanted == set(pattern.groupindex), f"{msgid!r}: groups and placeholders differ"
        text = catalog.get(msgid).string
        assert set(PLACEHOLDER.findall(text)) == wanted, f"{lang}: {msgid!r} -> {text!r}"
        assert text != msgid


def _refusal(do: object) -> CTNodeError:
    with pytest.raises(CTNodeError) as caught:
        do()  # type: ignore[operator]
    return caught.value


def test_the_services_messages_are_matched_not_only_their_code(node: Node) -> None:
    """Real refusals of the services, each shown as its own sentence (no English left)."""
    screener = Actor(name="user:sam", role="screener")
    analyst = Actor(name="user:ana", role="analyst")
    cases = [
        (_refusal(lambda: node.review.decide(analyst, entity_id="x", decision="confirmed",
                                             comment=" ", screening_id="s")),
         "fr", "Une décision doit être accompagnée d'un commentaire."),
        (_refusal(lambda: node.context.require(screener, "review")),
         "ru", "Ваша роль (screener) не позволяет это сделать."),
        (_refusal(lambda: node.users.create(Actor(name="cli:t", role="admin"), username="zz",
                                            role="analyst", password="short")),
         "es", f"Una contraseña necesita al menos {MIN_PASSWORD} caracteres."),
        (errors.Unauthorized(throttled(__import__("datetime").datetime(2026, 1, 1, 9, 5))),
         "zh", "登录失败次数过多：请在 UTC 09:05 之后重试，或请管理员解锁账户。"),
        (errors.InvalidInput("people.csv, line 2: unknown field(s) colour, size "
                             "(known: name, birthDate)"),
         "kk", "people.csv, line 2: белгісіз өріс(тер) colour, size."),
    ]
    for exc, lang, text in cases:
        assert said(Lang(lang), exc) == text, exc.message
        assert said(Lang("en"), exc) == exc.message  # English pages: the service's words


def test_an_unknown_message_gets_its_codes_sentence_and_stays_marked_english() -> None:
    shown = str(said(Lang("ar"), errors.Conflict("the moon is in the way")))
    assert shown.startswith("يتعارض هذا مع ما تحتفظ به العقدة الآن.")
    assert '<span lang="en" dir="ltr">the moon is in the way</span>' in shown
    assert "&lt;b&gt;" in str(say(Lang("fr"), "<b>", "conflict"))  # the words stay escaped


def test_pages_show_refusals_and_warnings_in_the_persons_language(
        client: TestClient, node: Node) -> None:
    csrf = sign_in(client)
    client.post("/console/language", data={"csrf_token": csrf, "language": "fr"})
    r = client.post("/console/screen", data={"csrf_token": csrf, "name": "Faris Nadir"})
    # the test list's coverage warning (older than CTNODE_LIST_MAX_AGE_DAYS), in French
    assert re.search(r'class="warning" role="status">La liste un_sc date de \d+ jours \(sa date '
                     r": 2026-01-01 ; la limite est de 30 jours\)", r.text)
    assert "days old" not in r.text
    client.post("/console/signout", data={"csrf_token": csrf})
    csrf = sign_in(client, "sam")
    client.post("/console/language", data={"csrf_token": csrf, "language": "ru"})
    r = client.get("/console/audit")
    assert r.status_code == 403 and "Ваша роль (screener) не позволяет это сделать." in r.text
    assert "may not" not in r.text
