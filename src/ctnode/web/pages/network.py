"""Network: the coordinators' directory, agreements with their expiry clocks, a network screen
(hit/no-hit), the disclosure inbox (approve with fields and a time to live, or refuse with a
reason), outgoing requests with the released fields until they expire, and alerts and list
updates with their receipts.

Thin edge over the federation parts (``node.federation.directory``, ``.network``,
``.disclosure``, ``.updates``): each checks the person's permission and audits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from babel.dates import format_timedelta
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ctnode.clock import as_utc, utcnow
from ctnode.errors import CTNodeError, Forbidden, InvalidInput
from ctnode.federation.agreements import Agreement
from ctnode.model.access import Actor
from ctnode.node import Node
from ctnode.web.app import PREFIX, Csrf, Who, lang_of, node_of, refusal, render, service_error
from ctnode.web.forms import Subject, Text, form_purpose
from ctnode.web.i18n import N_
from ctnode.web.pages.screen import BANDS, FEATURES

router = APIRouter()
LongText = Annotated[str, Form(max_length=2000)]

# The network pages, as tabs (path under /network, label).
TABS = (("", N_("Directory and agreements")), ("/screen", N_("Network screen")),
        ("/disclosures", N_("Disclosures")), ("/inbox", N_("Alerts and list updates")))
STATUSES = {"pending": N_("pending"), "approved": N_("approved"), "refused": N_("refused"),
            "expired": N_("expired")}
PEER_STATUSES = {"hit": N_("hit"), "no_hit": N_("no hit"), "refused": N_("refused"),
                 "timeout": N_("no answer in time"), "down": N_("unreachable"),
                 "invalid": N_("invalid answer"), "skipped": N_("not asked")}
TTL_UNITS = {"seconds": (N_("seconds"), 1), "minutes": (N_("minutes"), 60),
             "hours": (N_("hours"), 3600), "days": (N_("days"), 86400)}
# An agreement that ends within this many days is flagged.
EXPIRY_WARNING_DAYS = 30


def clock(request: Request) -> Callable[[datetime | None], str]:
    """'in 3 days' / '2 hours ago', in the request's language."""
    code = lang_of(request).code
    now = utcnow()

    def until(at: datetime | None) -> str:
        if at is None:
            return ""
        return format_timedelta((as_utc(at) or now) - now, add_direction=True, threshold=1.1,
                                locale=code)
    return until


def age(request: Request) -> Callable[[float], str]:
    code = lang_of(request).code

    def ago(seconds: float) -> str:
        return format_timedelta(timedelta(seconds=seconds), threshold=1.1, locale=code)
    return ago


def _page(request: Request, template: str, tab: str, **context: Any) -> HTMLResponse:
    return render(request, template, tabs=TABS, tab=tab, until=clock(request), ago=age(request),
                  now=utcnow(), statuses=STATUSES, back=f"{PREFIX}/network{tab}", **context)


@router.get("/network", response_class=HTMLResponse)
def directory(request: Request, who: Who) -> HTMLResponse:
    fed = node_of(request).federation
    try:
        peers = fed.directory.list_peers(who.actor)
        agreements = fed.directory.list_agreements(who.actor)
    except CTNodeError as exc:
        return service_error(request, exc)
    try:
        me: Any = fed.directory.descriptor(who.actor)
    except CTNodeError:  # this node has no identity yet (ctnode init): the page says so
        me = None
    soon = utcnow() + timedelta(days=EXPIRY_WARNING_DAYS)
    return _page(request, "network.html", "", peers=peers, agreements=agreements, me=me,
                 soon=soon)


# -- network screen ---------------------------------------------------------------------------


@router.get("/network/screen", response_class=HTMLResponse)
def screen_form(request: Request, who: Who) -> HTMLResponse:
    return _page(request, "network_screen.html", "/screen", form={}, result=None, error=None,
                 bands=BANDS, features=FEATURES, peer_statuses=PEER_STATUSES)


@router.post("/network/screen", response_class=HTMLResponse, dependencies=[Csrf])
def screen(request: Request, who: Who, subject: Subject) -> HTMLResponse:
    form = subject.as_dict()
    node = node_of(request)
    try:
        result = node.federation.network.screen(subject.query(), who.actor,
                                                subject.stated_purpose())
    except CTNodeError as exc:
        if exc.status_code in (401, 403):
            return service_error(request, exc)
        return _page(request, "network_screen.html", "/screen", status=exc.status_code,
                     form=form, result=None, error=refusal(request, exc), bands=BANDS, features=FEATURES,
                     peer_statuses=PEER_STATUSES)
    return _page(request, "network_screen.html", "/screen", form=form, result=result,
                 error=None, bands=BANDS, features=FEATURES, peer_statuses=PEER_STATUSES)


# -- disclosures ------------------------------------------------------------------------------


def _agreed_fields(node: Node, actor: Actor) -> dict[str, list[str]]:
    """Per peer, the fields its outbound agreement in force allows to release."""
    now = utcnow()
    out: dict[str, list[str]] = {}
    agreements: list[Agreement] = node.federation.directory.list_agreements(actor)
    for a in agreements:
        if a.direction == "outbound" and a.expires_at > now and a.level_at_least("fields"):
            out[a.peer_id] = list(a.fields)
    return out


def _disclosures_page(request: Request, who: Who, status: int = 200,
                      error: str | None = None) -> HTMLResponse:
    node = node_of(request)
    try:
        incoming = node.federation.disclosure.list_disclosures(who.actor, direction="incoming")
        outgoing = node.federation.disclosure.list_disclosures(who.actor, direction="outgoing")
        agreed = _agreed_fields(node, who.actor)
    except CTNodeError as exc:
        return service_error(request, exc)
    max_hours = node.settings.federation_disclosure_ttl_hours
    return _page(request, "network_disclosures.html", "/disclosures", status=status,
                 error=error, incoming=incoming, outgoing=outgoing, agreed=agreed,
                 units=TTL_UNITS, max_hours=max_hours)


@router.get("/network/disclosures", response_class=HTMLResponse)
def disclosures(request: Request, who: Who) -> HTMLResponse:
    return _disclosures_page(request, who)


@router.post("/network/disclosures", dependencies=[Csrf], response_model=None)
def request_disclosure(
    request: Request, who: Who, peer_id: Text, ref: Annotated[str, Form(max_length=64)],
    justification: LongText, purpose: Text = "", legal_basis: Text = "", case_ref: Text = "",
) -> Response:
    """Ask the holder for the record behind a hit reference (a person there decides)."""
    try:
        node_of(request).federation.disclosure.request_disclosure(
            who.actor, peer_id=peer_id, ref=ref, justification=justification,
            purpose=form_purpose(purpose, legal_basis, case_ref))
    except CTNodeError as exc:
        if exc.status_code in (401,) or isinstance(exc, Forbidden):
            return service_error(request, exc)
        return _disclosures_page(request, who, exc.status_code, refusal(request, exc))
    return RedirectResponse(f"{PREFIX}/network/disclosures#outgoing", status_code=303)


@router.post("/network/disclosures/{disclosure_id}/decide", dependencies=[Csrf],
             response_model=None)
async def decide(request: Request, who: Who, disclosure_id: str) -> Response:
    """Approve (the chosen agreed fields, for a time to live) or refuse, with a reason."""
    form = await request.form()
    decision = str(form.get("decision") or "")
    reason = str(form.get("reason") or "")[:2000]
    fields = [str(f)[:64] for f in form.getlist("fields")][:50]
    node = node_of(request)
    try:
        if decision not in ("approve", "refuse"):
            raise InvalidInput("decide approve or refuse")
        ttl: float | None = None
        if decision == "approve":
            unit = TTL_UNITS.get(str(form.get("ttl_unit") or "hours"))
            try:
                amount = float(str(form.get("ttl") or ""))
            except ValueError:
                raise InvalidInput("the time to live is a number") from None
            if unit is None or not amount > 0:
                raise InvalidInput("the time to live is a positive number of seconds, minutes, "
                                   "hours or days")
            ttl = amount * unit[1]
        node.federation.disclosure.decide_disclosure(
            who.actor, disclosure_id[:36], approve=decision == "approve", reason=reason,
            ttl_seconds=ttl, fields=fields if decision == "approve" else None)
    except CTNodeError as exc:
        if exc.status_code == 401 or isinstance(exc, Forbidden):
            return service_error(request, exc)
        return _disclosures_page(request, who, exc.status_code, refusal(request, exc))
    return RedirectResponse(f"{PREFIX}/network/disclosures", status_code=303)


@router.post("/network/disclosures/{disclosure_id}/fetch", dependencies=[Csrf],
             response_model=None)
def fetch(request: Request, who: Who, disclosure_id: str) -> Response:
    """Ask the holder for its decision (when the push did not arrive)."""
    try:
        node_of(request).federation.disclosure.fetch_disclosure(who.actor, disclosure_id[:36])
    except CTNodeError as exc:
        if exc.status_code == 401 or isinstance(exc, Forbidden):
            return service_error(request, exc)
        return _disclosures_page(request, who, exc.status_code, refusal(request, exc))
    return RedirectResponse(f"{PREFIX}/network/disclosures#outgoing", status_code=303)


# -- alerts and list updates --------------------------------------------------------------------


@router.get("/network/inbox", response_class=HTMLResponse)
def inbox(request: Request, who: Who,
          show: Literal["all", "unread"] = "all") -> HTMLResponse:
    fed = node_of(request).federation
    try:
        received = fed.updates.inbox(who.actor, unread=show == "unread")
    except CTNodeError as exc:
        return service_error(request, exc)
    try:
        sent: list[dict[str, Any]] | None = fed.updates.deltas(who.actor)
    except Forbidden:  # deltas sent and their receipts are for admins (federation.admin)
        sent = None
    return _page(request, "network_inbox.html", "/inbox", received=received, sent=sent,
                 show=show)


@router.post("/network/inbox/read", dependencies=[Csrf], response_model=None)
def mark_read(request: Request, who: Who) -> Response:
    try:
        node_of(request).federation.updates.inbox(who.actor, unread=True, mark_read=True)
    except CTNodeError as exc:
        return service_error(request, exc)
    return RedirectResponse(f"{PREFIX}/network/inbox", status_code=303)
