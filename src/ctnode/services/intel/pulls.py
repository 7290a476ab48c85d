"""Pulling other TAXII 2.1 servers' collections into the node's own, on the scheduler (job
``intel-pull``) or on demand (``ctnode intel pull NAME``).

A source is a remote collection URL, the local collection it feeds, optional
``match[type]`` values, and how to authenticate: HTTP Basic (user, and the password in
an environment variable named by ``secret_env``) or a bearer token (in that variable);
the secret itself is never stored. Connections go through the node's one transport
module: ``node.py`` hands this service a factory of ``TaxiiTransport``s.

Each page pulled is one transaction: its valid objects, and the source's checkpoint
(the remote's ``X-TAXII-Date-Added-Last``), so a pull that fails midway keeps what it
stored and resumes after it next time. Invalid objects are counted and reported, not kept.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ctnode.audit.events import EventName
from ctnode.clock import utcnow
from ctnode.errors import CTNodeError, InvalidInput, Unavailable
from ctnode.intel.taxii.client import TaxiiPuller, TaxiiTransport
from ctnode.intel.taxii.query import STIX_TYPE
from ctnode.intel.timestamps import format_timestamp
from ctnode.model.access import Actor
from ctnode.services.context import Context
from ctnode.services.intel.service import Intel, IntelChange, newly_added
from ctnode.store.contracts import Row

# (user, password, token) -> a transport that sends them (federation.transport.TaxiiHttpClient)
TransportFactory = Callable[[str | None, str | None, str | None], TaxiiTransport]
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_ENV = re.compile(r"^[A-Z_][A-Z0-9_]{0,127}$")
AUTH_KINDS = ("basic", "bearer", "none")


@dataclass(slots=True)
class PullReport:
    """What one pull of one source did."""

    source: str
    pages: int = 0
    added: int = 0
    present: int = 0
    rejected: int = 0
    rejections: list[str] = field(default_factory=list)
    checkpoint: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "pages": self.pages,
            "added": self.added,
            "already_present": self.present,
            "rejected": self.rejected,
            "rejections": self.rejections[:20],
            "checkpoint": self.checkpoint,
        }


class Pulls:
    """TAXII sources and the pulls from them."""

    def __init__(self, ctx: Context, intel: Intel, transport: TransportFactory) -> None:
        self.ctx = ctx
        self.intel = intel
        self.store = ctx.store.intel
        self.transport = transport

    def add_source(
        self,
        actor: Actor,
        *,
        name: str,
        collection_url: str,
        collection: str,
        types: Sequence[str] = (),
        auth: str = "basic",
        user: str | None = None,
        secret_env: str | None = None,
    ) -> Row:
        self.ctx.require(actor, "intel.admin")
        if not _NAME.match(name):
            raise InvalidInput("name: 1-64 characters of a-z, 0-9, '.', '_' and '-'")
        url = urlsplit(collection_url)
        if url.scheme not in {"http", "https"} or not url.netloc:
            raise InvalidInput(f"collection URL {collection_url!r} is not an http(s) URL")
        if (
            url.scheme == "http"
            and self.ctx.settings.mode != "development"
            and url.hostname not in {"127.0.0.1", "::1", "localhost"}
        ):
            raise InvalidInput(
                "a TAXII source over plain http is refused outside development mode: use https"
            )
        if auth not in AUTH_KINDS:
            raise InvalidInput(f"auth must be one of {', '.join(AUTH_KINDS)}")
        if auth != "none" and not (secret_env and _ENV.match(secret_env)):
            raise InvalidInput(
                "--secret-env must name the environment variable (A-Z, 0-9, _) "
                "that holds the password or token"
            )
        if auth == "basic" and not user:
            raise InvalidInput("HTTP Basic needs --user")
        bad = [t for t in types if not STIX_TYPE.match(t)]
        if bad:
            raise InvalidInput(f"type {bad[0]!r} is not a STIX type name")
        col = self.intel.own_collection(collection)  # not a copy of a peer's
        row = {
            "name": name,
            "collection_url": collection_url,
            "collection_id": col["id"],
            "types": list(types),
            "user": user,
            "secret_env": secret_env,
            "auth": auth,
            "checkpoint": None,
            "last_pull_at": None,
            "last_result": None,
            "enabled": True,
            "created_at": utcnow(),
        }
        shown = ("name", "collection_url", "collection_id", "types", "auth")
        with self.intel.audited("intel.source.add", actor, detail={k: row[k] for k in shown}) as c:
            self.store.add_source(c, row)
        return row

    def list_sources(self, actor: Actor) -> list[Row]:
        self.ctx.require(actor, "intel.admin")
        return self.store.list_sources()

    def remove_source(self, actor: Actor, name: str) -> None:
        self.ctx.require(actor, "intel.admin")
        self.store.get_source(name)
        with self.intel.audited("intel.source.remove", actor, detail={"name": name}) as conn:
            self.store.remove_source(conn, name)

    def _transport(self, source: Row) -> TaxiiTransport:
        secret = os.environ.get(source["secret_env"] or "", "") or None
        if source["auth"] != "none" and secret is None:
            raise InvalidInput(
                f"source {source['name']}: environment variable {source['secret_env']} is not set"
            )
        if source["auth"] == "basic":
            return self.transport(source["user"], secret, None)
        if source["auth"] == "bearer":
            return self.transport(None, None, secret)
        return self.transport(None, None, None)

    def pull(self, actor: Actor, name: str, *, max_pages: int | None = None) -> PullReport:
        """Everything the source added since its checkpoint, page by page."""
        self.ctx.require(actor, "intel.admin")
        source = self.store.get_source(name)
        report = PullReport(source=name)
        transport = self._transport(source)
        try:
            puller = TaxiiPuller(transport)
            for page in puller.pages(
                source["collection_url"],
                added_after=source["checkpoint"],
                types=source["types"],
                limit=min(1000, self.ctx.settings.taxii_max_page_size),
                max_pages=max_pages,
            ):
                report.pages += 1
                report.rejected += len(page.rejected)
                report.rejections += [str(i) for i in page.rejected[:20]]
                added: list[dict[str, Any]] = []
                with self.ctx.store.begin() as conn:
                    if page.objects:
                        outcomes = self.intel.add_objects(
                            conn,
                            actor,
                            source["collection_id"],
                            page.objects,
                            source=f"pull:{name}",
                        )
                        added = newly_added(page.objects, outcomes)
                        report.added += sum(1 for o in outcomes if o.message is None)
                        report.present += sum(1 for o in outcomes if o.message)
                    if page.date_added_last is not None:
                        report.checkpoint = format_timestamp(page.date_added_last)
                        self.store.update_source(conn, name, checkpoint=page.date_added_last)
                self.intel.changed(IntelChange(self.intel.collection(source["collection_id"]),
                                               added, source=f"pull:{name}"))
        except CTNodeError as exc:
            self._finish(actor, name, report, error=exc.message)
            raise
        finally:
            close = getattr(transport, "close", None)
            if close is not None:
                close()
        self._finish(actor, name, report)
        return report

    def _finish(
        self, actor: Actor, name: str, report: PullReport, error: str | None = None
    ) -> None:
        result = report.as_dict() | ({"error": error[:2000]} if error else {})
        event: EventName = "intel.pull.failed" if error else "intel.pull"
        with self.intel.audited(event, actor, detail=result) as conn:
            self.store.update_source(conn, name, last_pull_at=utcnow(), last_result=result)

    def pull_all(self, actor: Actor) -> list[PullReport]:
        """Pull every enabled source (the job ``intel-pull``); one failing source does not stop
        the others (its failure is audited), and the job fails at the end if any did."""
        reports: list[PullReport] = []
        failed: list[str] = []
        for source in self.list_sources(actor):
            if not source["enabled"]:
                continue
            try:
                reports.append(self.pull(actor, source["name"]))
            except CTNodeError as exc:
                failed.append(f"{source['name']}: {exc.message}")
        if failed:
            raise Unavailable("TAXII pulls failed: " + "; ".join(failed))
        return reports
