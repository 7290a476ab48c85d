"""Dashboard: screens, hits, decisions and disclosure response times per day as SVG charts,
and the node's health (lists' age, peers heard from or checked now, the last checkpoint)."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ctnode.errors import CTNodeError
from ctnode.web.app import Csrf, Who, lang_of, node_of, refusal, render, service_error
from ctnode.web.charts import bar_chart
from ctnode.web.i18n import N_

router = APIRouter()
DAYS = 14
TITLES = {
    "screens": N_("Screens"),
    "hits": N_("Screenings with hits"),
    "confirmed": N_("Decisions: confirmed"),
    "false_positive": N_("Decisions: false positive"),
    "unsure": N_("Decisions: unsure"),
    "disclosure_hours": N_("Disclosure requests: median hours to answer"),
}


def _page(request: Request, who: Who, checked: dict[str, Any] | None = None) -> HTMLResponse:
    node = node_of(request)
    lang = lang_of(request)
    _ = lang.gettext
    try:
        activity = node.dashboard.activity(who.actor, DAYS)
        health = node.dashboard.health(who.actor)
    except CTNodeError as exc:
        return service_error(request, exc)

    def day(d: date) -> str:
        return format_date(d, "d MMM", locale=lang.code)

    def count(v: float) -> str:
        return lang.number(v)

    def hours(v: float) -> str:
        return lang.number(v, 1)

    charts = []
    for series in [*activity.counts, activity.disclosure_hours]:
        chart_id, title = f"chart-{series.name.replace('_', '-')}", _(TITLES[series.name])
        fmt = hours if series.name == "disclosure_hours" else count
        charts.append({"id": chart_id, "title": title, "series": series,
                       "svg": bar_chart(chart_id, title, series.days, series.values, day, fmt)})
    return render(request, "dashboard.html", charts=charts, days=activity.days, day=day,
                  health=health, checked=checked, back="/console/dashboard")


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, who: Who) -> HTMLResponse:
    return _page(request, who)


@router.post("/dashboard/peers", response_class=HTMLResponse, dependencies=[Csrf])
def check_peers(request: Request, who: Who) -> HTMLResponse:
    """Ping every active peer now (a signed round trip each); the answer or the failure."""
    node = node_of(request)
    checked: dict[str, Any] = {}
    try:
        peers = node.dashboard.health(who.actor)["peers"]
    except CTNodeError as exc:
        return service_error(request, exc)
    if node.federation.context.initialised:
        for peer in peers:
            try:
                checked[peer["node_id"]] = round(
                    node.federation.directory.ping(who.actor, peer["node_id"]))
            except CTNodeError as exc:
                if exc.status_code in (401, 403):
                    return service_error(request, exc)
                checked[peer["node_id"]] = refusal(request, exc)
            except Exception as exc:  # noqa: BLE001  (any failure of the round trip: unreachable)
                checked[peer["node_id"]] = type(exc).__name__
    return _page(request, who, checked)
