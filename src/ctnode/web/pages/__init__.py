"""The console's pages: one module each, listed here once.

Adding a page (see ``docs/console.md``): write ``pages/<name>.py`` with an ``APIRouter``
``router`` and its routes (take ``Who``, call a service with ``who.actor``, ``render`` a
template), a template in ``templates/``, add a ``NavItem`` to ``PAGES`` and the router to
``ROUTERS``, and add the page's new strings to every catalogue in ``locale/`` (a test fails
on a missing one).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter

from ctnode.model.access import allowed
from ctnode.node import Node
from ctnode.services.users import SignedIn
from ctnode.web.i18n import N_
from ctnode.web.pages import (
    account,
    admin,
    audit,
    entity,
    files,  # console-a: screen a file
    intel,  # threat intelligence (issue 17)
    list_import,  # console-a: import a list with a preview
    lists,
    network,  # console-a: the network pages
    review,
    screen,
    watch,  # console-a: monitoring (issue 15)
)
from ctnode.web.pages import biometrics as biometrics_page  # console-b's pages
from ctnode.web.pages import dashboard as dashboard_page


@dataclass(frozen=True, slots=True)
class NavItem:
    """A page in the navigation: its path, its label (a msgid) and the permission it needs."""

    path: str
    label: str
    permission: str


PAGES: tuple[NavItem, ...] = (
    NavItem("/dashboard", N_("Dashboard"), "review"),
    NavItem("/biometrics", N_("Biometrics"), "biometric.search"),
    NavItem("/screen", N_("Screen"), "screen"),
    NavItem("/review", N_("Review"), "review"),
    NavItem("/lists", N_("Lists"), "search"),
    NavItem("/audit", N_("Audit"), "audit"),
    NavItem("/admin", N_("Admin"), "users"),
    # console-a
    NavItem("/network", N_("Network"), "federation.directory"),
    NavItem("/watch", N_("Watch"), "watch.list"),
    NavItem("/intel", N_("Threat intelligence"), "intel.read"),
)

# The roles as the console names them (the same roles as API keys).
ROLE_NAMES = (N_("admin"), N_("analyst"), N_("screener"))

ROUTERS: tuple[APIRouter, ...] = (dashboard_page.router, biometrics_page.router,
                                  account.router, screen.router, review.router,
                                  entity.router, lists.router, audit.router, admin.router,
                                  # console-a: files, network
                                  files.router, network.router, list_import.router,
                                  watch.router, intel.router)


def visible_pages(node: Node, who: SignedIn | None) -> list[NavItem]:
    """The pages this person may open (the same permission table as the services)."""
    if who is None:
        return []
    s = node.settings
    return [p for p in PAGES
            if allowed(who.actor, p.permission, set(s.biometric_roles), s.biometric_role_scopes)]
