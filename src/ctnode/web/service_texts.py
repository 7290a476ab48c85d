"""The services' own words in the console's language.

The services answer in English (the API and the CLI show those words as they are). The
console shows them in the page's language: a message it knows is matched by its pattern and
shown as its translated msgid, with the values of the message (a file name, a number, a
role) put back in; any other refusal is shown as the translated sentence of its error's
``code`` (``errors.CTNodeError.code``: every typed error carries one), followed by the
service's own words, marked as English (``lang="en"``). English pages show the service's
words as they are.

Adding a message: one ``(pattern, N_(msgid))`` line in ``MESSAGES`` (named groups are the
msgid's ``%(name)s``), and its translation in every catalogue (``tests/web/test_console.py``
fails on a missing msgid, ``test_service_texts.py`` on a translation that drops a value).
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

from ctnode.errors import CTNodeError
from ctnode.ingest.list_warnings import list_warning_phrase
from ctnode.web.i18n import N_, Lang
from ctnode.web.phrases import say_phrases

# Every code of ``ctnode.errors`` (and of a failed file run): what it means, for a person;
# the errors other modules derive from them are told by their parent's sentence.
CODES: dict[str, str] = {
    "invalid_input": N_("This request cannot be done as given."),
    "import_failed": N_("The list could not be imported; nothing was changed."),
    "too_large": N_("This is larger than the node accepts."),
    "invalid_text": N_("The text holds characters that are not accepted."),
    "too_deep": N_("The document is nested too deeply."),
    "not_found": N_("This was not found."),
    "unauthorized": N_("You are not signed in, or the credential is not valid."),
    "forbidden": N_("Your role does not allow this."),
    "conflict": N_("This clashes with what the node holds now."),
    "import_refused": N_("The import was refused; nothing was changed."),
    "list_conflict": N_("This list belongs to another publisher or uses another list's ids."),
    "unavailable": N_("A peer or a source could not be reached."),
    "refused": N_("Refused under the sharing rules."),
    "rate_limited": N_("Too many requests: try again later."),
    "invalid_message": N_("The message could not be read."),
    "unknown_message_type": N_("This is not a kind of message this node reads."),
    "internal_error": N_("Internal error (see the server's log)."),
    "interrupted": N_("Interrupted: the node stopped while the file was screened."),
}

_ = N_
# The messages the console's pages meet, as the services write them (anchored, whole).
MESSAGES: list[tuple[re.Pattern[str], str]] = [(re.compile(p, re.S), m) for p, m in [
    # permissions
    (r"role '(?P<role>[^']+)' may not .+: it needs the biometric '(?P<scope>[^']+)' "
     r"permission",
     _("Your role (%(role)s) may not do this: it needs the biometric permission "
       "“%(scope)s”.")),
    (r"role '(?P<role>[^']+)' may not .+", _("Your role (%(role)s) may not do this.")),
    (r"this page needs the biometric search permission",
     _("This page needs the biometric search permission.")),
    # review
    (r"a decision needs a comment", _("A decision needs a comment.")),
    (r"revoking a decision needs a reason", _("Revoking a decision needs a reason.")),
    (r"decision \S+ was already revoked", _("This decision was already revoked.")),
    (r"a false positive suppresses a hit only for a subject identified beyond the name: .+",
     _("A false positive suppresses a hit only for a subject identified beyond the name: "
       "screen the subject with a birth date, a document or a subject id. A decision on a "
       "name alone would hide the listed entity from everyone screening that name.")),
    (r"decision must be one of .+", _("Choose a decision.")),
    # screening
    (r"a screening query needs at least one non-empty name",
     _("A screening needs at least one name.")),
    (r"name longer than (?P<n>\d+) characters",
     _("The name is longer than %(n)s characters.")),
    (r"no entity with id '(?P<id>[^']+)'", _("There is no record with the id %(id)s.")),
    # files
    (r"(?P<file>.+): the file is empty", _("%(file)s: the file is empty.")),
    (r"(?P<file>.+): larger than (?P<limit>\d+) bytes \(CTNODE_CONSOLE_MAX_UPLOAD_BYTES\)",
     _("%(file)s: larger than %(limit)s bytes, the most this node accepts.")),
    (r"(?P<where>.+): unknown field\(s\) (?P<fields>.+?)(?: \(known: .*\))?",
     _("%(where)s: unknown field(s) %(fields)s.")),
    (r"(?P<file>.+): no subjects in the file", _("%(file)s: no subjects in the file.")),
    (r"(?P<file>.+): no subject with a name in the file",
     _("%(file)s: no subject with a name in the file.")),
    (r"(?P<n>\d+) files are still being screened for you: wait until one has finished",
     _("%(n)s files are still being screened for you: wait until one has finished.")),
    (r"no such file screening \(reports are kept (?P<n>\d+) hours\)",
     _("No such file screening (reports are kept %(n)s hours).")),
    (r"the file is not screened yet", _("The file is not screened yet.")),
    (r"interrupted: the node stopped while the file was screened",
     _("Interrupted: the node stopped while the file was screened.")),
    (r"internal error \(see the server's log\)", _("Internal error (see the server's log).")),
    (r"no uploaded list waits under this token.*",
     _("This uploaded list is no longer waiting: upload it again.")),
    # accounts and keys
    (r"the current password is wrong", _("The current password is wrong.")),
    (r"the new password must differ from the current one",
     _("The new password must differ from the current one.")),
    (r"a password needs at least (?P<n>\d+) characters",
     _("A password needs at least %(n)s characters.")),
    (r"a password may have at most 1024 characters",
     _("A password may have at most 1024 characters.")),
    (r"that code does not match: check the app's clock and try again",
     _("That code does not match: check the app's clock and try again.")),
    (r"this account is disabled: ask an admin", _("This account is disabled: ask an admin.")),
    (r"too many failed sign-ins: try again after (?P<time>\S+) UTC, or ask an admin to "
     r"unlock the account",
     _("Too many failed sign-ins: try again after %(time)s UTC, or ask an admin to unlock "
       "the account.")),
    (r"role must be one of (?P<roles>.+)", _("The role must be one of %(roles)s.")),
    (r"unknown biometric permission '(?P<scope>[^']+)': use (?P<scopes>.+)",
     _("Unknown biometric permission %(scope)s: use %(scopes)s.")),
    (r"a key needs a name of 1 to 128 characters",
     _("A key needs a name of 1 to 128 characters.")),
    (r"no active API key with id '(?P<id>[^']+)'", _("No active API key has the id %(id)s.")),
    (r"no console user named '(?P<name>[^']+)'", _("No person is named %(name)s.")),
    # biometrics, watch, network
    (r"\S+ of biometric data needs a purpose and a legal basis",
     _("Biometric data needs a purpose and a legal basis.")),
    (r"a subject is put under watch only with a purpose and a legal basis.*",
     _("A subject is put under watch only with a purpose and a legal basis.")),
    (r".+ needs --purpose, --legal-basis and --case",
     _("A purpose, a legal basis and a case reference are needed.")),
    (r"a disclosure request needs a purpose, legal basis and case",
     _("A disclosure request needs a purpose, a legal basis and a case reference.")),
    (r"a disclosure request needs a justification",
     _("A disclosure request needs a justification.")),
    (r"a disclosure decision needs a reason", _("Refusing a request needs a reason.")),
    (r"request \S+ was already (?P<status>\w+)",
     _("This request was already answered (%(status)s).")),
    (r"ttl must be between 0 and (?P<max>\d+) seconds",
     _("The time to live must be between 0 and %(max)s seconds.")),
    (r"the agreement with this peer no longer allows disclosure",
     _("The agreement with this peer no longer allows disclosure.")),
    (r"the agreement does not allow releasing (?P<fields>.+?) \(agreed: (?P<agreed>.*)\)",
     _("The agreement does not allow releasing %(fields)s (agreed: %(agreed)s).")),
    (r"an approval releases at least one field: refuse instead",
     _("An approval releases at least one field: refuse instead.")),
    (r"peer (?P<peer>\S+) was removed: nothing is released to it",
     _("The peer %(peer)s was removed: nothing is released to it.")),
    (r"(?P<peer>\S+) refused: .*", _("The peer %(peer)s refused.")),
    (r"(?P<peer>[^\s:]+): (?P<status>\d{3}|\w+): .*",
     _("The peer %(peer)s could not be reached (%(status)s).")),
    # coverage warnings (the screen, the lists, the dashboard, file reports)
    (r"no list is loaded: this answer cannot find anyone.*",
     _("No list is loaded: this answer cannot find anyone. Import a list.")),
    (r"only the FICTIONAL demo list is loaded: real listed people are not found.*",
     _("Only the FICTIONAL demo list is loaded: real listed people are not found. Import the "
       "real UN list.")),
    (r"the FICTIONAL demo list is screened beside the real lists",
     _("The FICTIONAL demo list is screened beside the real lists.")),
    (r"list '(?P<list>[^']+)' is (?P<days>\d+) days old \(its own date (?P<date>[^;]+); the "
     r"limit is (?P<limit>\d+) days\).*",
     _("The list %(list)s is %(days)s days old (its own date %(date)s; the limit is %(limit)s "
       "days): later listings are missing.")),
    (r"list '(?P<list>[^']+)' is not held by this node: it was not screened",
     _("The list %(list)s is not held by this node: it was not screened.")),
]]
del _


def say(lang: Lang, message: str, code: str | None = None) -> str:
    """A service's message in ``lang``: its own translation when it is known (a pattern of
    ``MESSAGES``, or a list parser's warning of ``ingest.list_warnings``), else the meaning of
    its ``code`` and the service's words marked as English; English unchanged."""
    if lang.code == "en":
        return message
    text = message.strip()
    for pattern, msgid in MESSAGES:
        found = pattern.fullmatch(text)
        if found:
            translated = lang.gettext(msgid)
            values: dict[str, Any] = found.groupdict()
            return str(translated % values) if values else translated
    warning = list_warning_phrase(text)
    if warning is not None:
        return say_phrases(lang, [warning])
    english = Markup('<span lang="en" dir="ltr">{}</span>').format(message)
    if code in CODES:
        return Markup("{} ({})").format(lang.gettext(CODES[code]), english)
    return english


def said(lang: Lang, exc: CTNodeError) -> str:
    """A service's refusal in ``lang`` (an error of another module's own code is told by the
    sentence of the nearest ``ctnode.errors`` class it derives from)."""
    code = next((c.code for c in type(exc).__mro__
                 if issubclass(c, CTNodeError) and c.code in CODES), exc.code)
    return say(lang, exc.message, code)

