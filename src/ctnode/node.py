"""The service layer: one ``Node`` object that every edge (API, CLI, federation) calls.

Edges parse input, call a method here, and render the result; the rules live
here: permissions, screening with analyst decisions applied, imports as one
transaction, and an audit entry for every action.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from ctnode.audit.log import AuditLog, canonical_json
from ctnode.errors import Forbidden, ImportFailed, InvalidInput, NotFound, Unauthorized
from ctnode.keys import hash_secret, new_token, secret_matches, split_token
from ctnode.match import Matcher, Thresholds
from ctnode.model.decisions import DECISIONS, ROLES
from ctnode.model.entities import NAME_PROPS, Entity
from ctnode.model.screening import Hit, ScreenQuery
from ctnode.settings import Settings
from ctnode.store import ImportReport, Store
from ctnode.store import schema as t

if TYPE_CHECKING:
    from ctnode.federation.service import FederationService

log = logging.getLogger(__name__)

# The properties the match index reads (names, name parts, dates, countries, documents).
MATCH_PROPS = (
    *NAME_PROPS, "firstName", "secondName", "middleName", "fatherName", "lastName",
    "birthDate", "nationality", "citizenship", "passportNumber", "idNumber",
)

# Which roles may do what. Feature modules add their own actions with ``grant``.
PERMISSIONS: dict[str, set[str]] = {
    "screen": {"admin", "analyst", "screener"},
    "search": {"admin", "analyst", "screener"},
    "entity.view": {"admin", "analyst"},
    "decide": {"admin", "analyst"},
    "review": {"admin", "analyst"},
    "import": {"admin"},
    "export": {"admin", "analyst"},
    "keys": {"admin"},
    "audit": {"admin"},
}


def grant(action: str, roles: Iterable[str]) -> None:
    PERMISSIONS.setdefault(action, set()).update(roles)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: an API key's name and role, or the local operator on the CLI."""

    name: str
    role: str
    key_id: str | None = None
    biometric: bool = False


@dataclass(frozen=True, slots=True)
class Purpose:
    """Why: the purpose and legal basis of a query and the case it belongs to."""

    purpose: str | None = None
    legal_basis: str | None = None
    case_ref: str | None = None

    @property
    def complete(self) -> bool:
        """Purpose, legal basis and case reference all given (needed across the network)."""
        return bool(self.purpose and self.legal_basis and self.case_ref)


@dataclass(slots=True)
class ScreenResult:
    """The hits for one screened subject, after analyst decisions were applied."""

    screening_id: str | None
    query_hash: str
    subject_key: str
    hits: list[Hit]
    suppressed: list[Hit] = field(default_factory=list)


@dataclass(slots=True)
class EntityView:
    entity: Entity
    events: list[dict[str, Any]]
    decisions: list[dict[str, Any]]


def local_actor() -> Actor:
    """The operator at the node's console (the CLI has the store's own credentials)."""
    user = os.environ.get("USER") or os.environ.get("USERNAME") or "operator"
    return Actor(name=f"cli:{user}", role="admin")


class Node:
    """One ctnode node: settings, store, match index, audit log."""

    def __init__(self, settings: Settings | None = None, *, upgrade: bool = True) -> None:
        self.settings = settings or Settings()
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = Store(self.settings.store_url)
        if upgrade:
            self.store.upgrade()
        self.audit_log = AuditLog(self.store)
        self.matcher = Matcher(
            Thresholds(match=self.settings.match_threshold, report=self.settings.report_threshold),
            max_candidates=self.settings.max_candidates,
        )
        self._index_mark = -1
        self._index_checked = 0.0
        self._index_lock = threading.Lock()
        self._hash_key = self._load_secret("audit-hash.key")
        self.last_source_error: str | None = None
        if self.settings.bootstrap_admin_key:
            self._ensure_bootstrap_key(self.settings.bootstrap_admin_key)

    def close(self) -> None:
        # -- federation hook (owner: ctnode.federation) --
        fed = self.__dict__.get("federation")
        if fed is not None:
            fed.close()
        # -- end federation hook --
        self.store.close()

    # -- federation hook (owner: ctnode.federation): the service, created on first use --
    @cached_property
    def federation(self) -> FederationService:
        from ctnode.federation.service import FederationService

        return FederationService(self)

    # -- end federation hook --

    # -- secrets and permissions -------------------------------------------------

    def _load_secret(self, name: str) -> bytes:
        """A node-local random secret in the data folder (owner-only permissions)."""
        path = self.settings.data_dir / name
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
            os.replace(tmp, path)
        return path.read_bytes()

    def keyed_hash(self, value: Any) -> str:
        """HMAC-SHA256 of canonical JSON with the node's secret: audit holds no recoverable data."""
        return hmac.new(self._hash_key, canonical_json(value).encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def require(actor: Actor, action: str) -> None:
        if actor.role not in PERMISSIONS.get(action, set()):
            raise Forbidden(f"role {actor.role!r} may not {action}")

    def audit(
        self,
        event: str,
        actor: Actor,
        *,
        purpose: Purpose | None = None,
        query_hash: str | None = None,
        result_ids: Iterable[str] = (),
        detail: dict[str, Any] | None = None,
        conn: Any = None,
    ) -> None:
        p = purpose or Purpose()
        self.audit_log.append(
            event,
            actor.name,
            purpose=p.purpose,
            legal_basis=p.legal_basis,
            case_ref=p.case_ref,
            query_hash=query_hash,
            result_ids=list(result_ids),
            detail=detail,
            conn=conn,
        )

    # -- the match index ----------------------------------------------------------

    def refresh_index(self, force: bool = False) -> None:
        """Bring the in-memory match index up to date with the store.

        Cheap when nothing changed (one indexed query, at most once a second);
        after an import by another process it re-reads only the changed entities.
        """
        now = time.monotonic()
        if not force and self._index_mark >= 0 and now - self._index_checked < 1.0:
            return
        with self._index_lock:
            self._index_checked = now
            with self.store.engine.connect() as conn:
                mark = int(
                    conn.execute(
                        select(func.coalesce(func.max(t.entity_events.c.id), 0))
                    ).scalar_one()
                )
                if mark == self._index_mark and not force:
                    return
                if self._index_mark < 0 or force:
                    self.matcher.build(self.store.iter_for_matching(MATCH_PROPS))
                else:
                    changed = (
                        conn.execute(
                            select(t.entity_events.c.entity_id)
                            .distinct()
                            .where(t.entity_events.c.id > self._index_mark)
                            .where(t.entity_events.c.kind != "decision")
                        )
                        .scalars()
                        .all()
                    )
                    for entity_id in changed:
                        try:
                            self.matcher.add(self.store.get_entity(entity_id))
                        except NotFound:
                            self.matcher.remove(entity_id)
            self._index_mark = mark

    def prepare_to_serve(self) -> None:
        """Build the match index and load every script's transliteration rules now,
        so that no live request pays for them."""
        from ctnode.match.normalize import warm_up

        self.refresh_index(force=True)
        warm_up()

    # -- screening ----------------------------------------------------------------

    def subject_key(self, query: ScreenQuery) -> str:
        """The identity of a screened subject: the same person queried again gets the same key."""
        ident = {
            "schema": query.schema,
            "names": sorted({" ".join(n.casefold().split()) for n in query.names}),
            "birth_dates": sorted(set(query.birth_dates)),
            "nationalities": sorted({n.casefold() for n in query.nationalities}),
            "documents": sorted({"".join(d.upper().split()) for d in query.documents}),
        }
        return self.keyed_hash(ident)

    @staticmethod
    def validate_query(query: ScreenQuery) -> None:
        names = [n for n in query.names if n and n.strip()]
        if not names:
            raise InvalidInput("a screening query needs at least one non-empty name")
        for n in names:
            if len(n) > 500:
                raise InvalidInput("name longer than 500 characters")
        query.names = names

    def _screen_one(
        self, query: ScreenQuery, *, limit: int, include_below: bool
    ) -> tuple[str, list[Hit], list[Hit]]:
        self.validate_query(query)
        subject = self.subject_key(query)
        hits = self.matcher.screen(query, limit=limit + 10, include_below=include_below)
        decisions = self.store.latest_decisions(subject) if hits else {}
        shown: list[Hit] = []
        suppressed: list[Hit] = []
        for hit in hits:
            d = decisions.get(hit.entity_id)
            if d and d["decision"] == "false_positive":
                hit.suppressed_by = d["id"]
                suppressed.append(hit)
            else:
                shown.append(hit)
        return subject, shown[:limit], suppressed

    def screen(
        self,
        query: ScreenQuery,
        actor: Actor,
        purpose: Purpose | None = None,
        *,
        limit: int = 10,
        include_below: bool = False,
        source: str = "api",
    ) -> ScreenResult:
        """Screen one subject; reportable hits go to the review queue; always audited."""
        self.require(actor, "screen")
        if not 1 <= limit <= 500:
            raise InvalidInput("limit must be between 1 and 500")
        self.refresh_index()
        subject, hits, suppressed = self._screen_one(
            query, limit=limit, include_below=include_below
        )
        p = purpose or Purpose()
        qhash = self._query_hash(subject, source)
        reportable = [h for h in hits if h.band != "no match"]
        with self.store.begin() as conn:
            sid = None
            if reportable:
                sid = self.store.add_screening(
                    conn,
                    actor=actor.name,
                    source=source,
                    subject_key=subject,
                    query_hash=qhash,
                    purpose=p.purpose,
                    case_ref=p.case_ref,
                    hits=[
                        {"entity_id": h.entity_id, "score": h.score, "band": h.band}
                        for h in reportable
                    ],
                )
            self.audit(
                "screen",
                actor,
                purpose=p,
                query_hash=qhash,
                result_ids=[h.entity_id for h in reportable],
                detail={
                    "source": source,
                    "screening_id": sid,
                    "suppressed": [h.entity_id for h in suppressed],
                },
                conn=conn,
            )
        return ScreenResult(
            screening_id=sid,
            query_hash=qhash,
            subject_key=subject,
            hits=hits,
            suppressed=suppressed,
        )

    def screen_many(
        self,
        queries: Iterable[ScreenQuery],
        actor: Actor,
        purpose: Purpose | None = None,
        *,
        limit: int = 10,
        source: str = "batch",
        progress: Callable[[int], None] | None = None,
    ) -> Iterator[ScreenResult]:
        """Screen many subjects (a batch file, a manifest, a payment file).

        Yields one result per query in order. Review-queue rows are written in
        one transaction per 500 subjects; one ``screen.batch`` audit entry is
        written with the last of them.
        """
        self.require(actor, "screen")
        self.refresh_index()
        p = purpose or Purpose()
        all_ids: list[str] = []
        pending: list[dict[str, Any]] = []
        count = 0

        def flush(final: bool) -> None:
            with self.store.begin() as conn:
                self.store.add_screenings(conn, pending)
                if final:
                    self.audit(
                        "screen.batch",
                        actor,
                        purpose=p,
                        result_ids=sorted(set(all_ids)),
                        detail={"source": source, "subjects": count},
                        conn=conn,
                    )
            pending.clear()

        for query in queries:
            subject, hits, suppressed = self._screen_one(query, limit=limit, include_below=False)
            qhash = self._query_hash(subject, source)
            sid = None
            if hits:
                sid = str(uuid.uuid4())
                pending.append(
                    {
                        "id": sid,
                        "actor": actor.name,
                        "source": source,
                        "subject_key": subject,
                        "query_hash": qhash,
                        "purpose": p.purpose,
                        "case_ref": p.case_ref,
                        "hits": [
                            {"entity_id": h.entity_id, "score": h.score, "band": h.band}
                            for h in hits
                        ],
                    }
                )
                all_ids.extend(h.entity_id for h in hits)
            count += 1
            if progress:
                progress(count)
            if len(pending) >= 500:
                flush(final=False)
            yield ScreenResult(
                screening_id=sid,
                query_hash=qhash,
                subject_key=subject,
                hits=hits,
                suppressed=suppressed,
            )
        flush(final=True)

    @staticmethod
    def _query_hash(subject_key: str, source: str) -> str:
        """The audited query hash: derived from the (already keyed) subject key and the channel."""
        return hashlib.sha256(f"{source}:{subject_key}".encode()).hexdigest()

    def search(
        self, text: str, actor: Actor, *, schema: str | None = None, limit: int = 20
    ) -> list[Hit]:
        """Free-text name search, looser than screening (for analysts exploring the lists)."""
        self.require(actor, "search")
        if not text.strip():
            raise InvalidInput("query parameter q must not be empty")
        self.refresh_index()
        query = ScreenQuery(names=[text], schema=schema or "Thing", include_delisted=True)
        self.validate_query(query)
        hits = [
            h for h in self.matcher.screen(query, limit=limit, include_below=True) if h.score >= 0.5
        ]
        self.audit(
            "search",
            actor,
            query_hash=self.keyed_hash({"search": text}),
            result_ids=[h.entity_id for h in hits],
        )
        return hits

    # -- entities -------------------------------------------------------------------

    def get_entity(self, entity_id: str) -> Entity:
        return self.store.get_entity(entity_id)

    def view_entity(self, entity_id: str, actor: Actor) -> EntityView:
        """An entity with the provenance of every value, its history and decisions (audited)."""
        self.require(actor, "entity.view")
        entity = self.store.get_entity(entity_id)
        self.audit("entity.view", actor, result_ids=[entity_id])
        return EntityView(
            entity=entity,
            events=self.store.entity_events(entity_id),
            decisions=self.store.decisions_for_entity(entity_id),
        )

    # -- imports ----------------------------------------------------------------------

    def import_list(
        self,
        parsed: Any,
        actor: Actor,
        *,
        partial: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportReport:
        """Apply a parsed list (``ctnode.ingest.base.ParsedList``) as one transaction."""
        self.require(actor, "import")

        def on_commit(conn: Any, report: ImportReport) -> None:
            self.audit(
                "import",
                actor,
                result_ids=[],
                conn=conn,
                detail={**report.summary(), "removed_ids": report.removed},
            )

        try:
            report = self.store.apply_list(
                dataset=parsed.dataset,
                title=parsed.title,
                source=parsed.source,
                version=parsed.version,
                entities=parsed.entities,
                actor=actor.name,
                partial=partial,
                progress=progress,
                on_commit=on_commit,
            )
        except Exception as exc:  # any failure: the transaction rolled back; audit and re-raise
            self.audit(
                "import.failed", actor, detail={"source": parsed.source, "error": str(exc)[:500]}
            )
            raise
        report.warnings = list(parsed.warnings)
        self.refresh_index(force=False)
        self._index_checked = 0.0
        # -- federation hook (owner: ctnode.federation): send the delta to subscribed peers --
        try:
            self.federation.after_import(report)
        except Exception:
            log.exception("could not send the list delta to subscribed peers")
        # -- end federation hook --
        return report

    def import_source(
        self,
        kind: str,
        source: str,
        actor: Actor,
        *,
        mapping: Path | None = None,
        dataset: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportReport:
        """Parse and apply a list: ``un-sc`` (file or URL), ``ftm`` (JSON lines), ``csv`` (with a mapping)."""
        self.require(actor, "import")
        try:
            parsed = self.parse_source(
                kind, source, mapping=mapping, dataset=dataset, progress=progress
            )
        except ImportFailed as exc:
            self.audit(
                "import.failed", actor, detail={"source": source, "error": exc.message[:500]}
            )
            raise
        return self.import_list(parsed, actor, progress=progress)

    def parse_source(
        self,
        kind: str,
        source: str,
        *,
        mapping: Path | None = None,
        dataset: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Any:
        from ctnode.ingest import csv_list, ftm, ofac_sdn, un_sc
        from ctnode.ingest.fetch import fetch_source

        if kind == "un-sc":
            if source.startswith(("http://", "https://")):
                data = fetch_source(source, self.settings.fetch_timeout)
                return un_sc.parse_un_sc(data, source_name=source, progress=progress)
            return un_sc.parse_un_sc(Path(source), source_name=source, progress=progress)
        if kind == "ftm":
            path = Path(source)
            if not path.is_file():
                raise ImportFailed(f"{source}: no such file")
            with path.open("rb") as fh:
                return ftm.parse_ftm(fh, dataset=dataset or path.stem, source_name=source)
        if kind == "csv":
            if mapping is None:
                raise InvalidInput("a CSV import needs --mapping FILE")
            return csv_list.parse_csv(
                Path(source), csv_list.load_mapping(mapping), source_name=source
            )
        if kind == "ofac-sdn":
            return ofac_sdn.parse_ofac_sdn(Path(source), source_name=source, progress=progress)
        raise InvalidInput(f"unknown import kind {kind!r} (un-sc, ofac-sdn, ftm, csv)")

    def export_ftm(
        self, actor: Actor, dataset: str | None = None, include_delisted: bool = False
    ) -> Iterator[dict[str, Any]]:
        from ctnode.ingest.ftm import entity_to_ftm

        self.require(actor, "export")
        count = 0
        status = None if include_delisted else "listed"
        for entity in self.store.iter_entities(dataset=dataset, status=status):
            count += 1
            yield entity_to_ftm(entity)
        self.audit("export", actor, detail={"dataset": dataset, "entities": count})

    # -- decisions ----------------------------------------------------------------------

    def decide(
        self,
        actor: Actor,
        *,
        entity_id: str,
        decision: str,
        comment: str,
        screening_id: str | None = None,
        query: ScreenQuery | None = None,
    ) -> str:
        """Record an analyst's decision on a hit (for a screening, or for a subject query)."""
        self.require(actor, "decide")
        if decision not in DECISIONS:
            raise InvalidInput(f"decision must be one of {', '.join(DECISIONS)}")
        if not comment.strip():
            raise InvalidInput("a decision needs a comment")
        self.store.get_entity(entity_id)
        if screening_id is not None:
            screening = self.store.get_screening(screening_id)
            subject = screening["subject_key"]
            if entity_id not in {h["entity_id"] for h in screening["hits"]}:
                raise InvalidInput(f"entity {entity_id} is not a hit of screening {screening_id}")
        elif query is not None:
            self.validate_query(query)
            subject = self.subject_key(query)
        else:
            raise InvalidInput("a decision needs a screening id or the screened subject")
        with self.store.begin() as conn:
            did = self.store.add_decision(
                conn,
                entity_id=entity_id,
                subject_key=subject,
                screening_id=screening_id,
                decision=decision,
                comment=comment.strip(),
                actor=actor.name,
            )
            self.audit(
                "decision",
                actor,
                result_ids=[entity_id],
                conn=conn,
                detail={"decision_id": did, "decision": decision, "screening_id": screening_id},
            )
        return did

    def review_queue(
        self, actor: Actor, *, reviewed: bool | None = False, limit: int = 100
    ) -> list[dict[str, Any]]:
        self.require(actor, "review")
        return self.store.list_screenings(reviewed=reviewed, limit=limit)

    # -- API keys -----------------------------------------------------------------------

    def create_key(self, actor: Actor, *, name: str, role: str, biometric: bool = False) -> str:
        """Create an API key; returns the token, shown once and never stored in clear."""
        self.require(actor, "keys")
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
        if not name.strip() or len(name) > 128:
            raise InvalidInput("a key needs a name of 1 to 128 characters")
        key_id, secret, token = new_token()
        with self.store.begin() as conn:
            self.store.add_key(
                conn,
                key_id=key_id,
                name=name.strip(),
                role=role,
                biometric=biometric,
                secret_hash=hash_secret(secret),
                created_by=actor.name,
            )
            self.audit(
                "key.create",
                actor,
                conn=conn,
                detail={"key_id": key_id, "name": name, "role": role, "biometric": biometric},
            )
        return token

    def _ensure_bootstrap_key(self, token: str) -> None:
        """Install CTNODE_BOOTSTRAP_ADMIN_KEY (a ctn_<id>_<secret> token) if not present."""
        key_id, secret = split_token(token)
        if self.store.get_key(key_id) is None:
            with self.store.begin() as conn:
                self.store.add_key(
                    conn,
                    key_id=key_id,
                    name="bootstrap-admin",
                    role="admin",
                    biometric=False,
                    secret_hash=hash_secret(secret),
                    created_by="settings",
                )
                self.audit(
                    "key.create",
                    local_actor(),
                    conn=conn,
                    detail={"key_id": key_id, "name": "bootstrap-admin", "role": "admin"},
                )

    def list_keys(self, actor: Actor) -> list[dict[str, Any]]:
        self.require(actor, "keys")
        return self.store.list_keys()

    def revoke_key(self, actor: Actor, key_id: str) -> None:
        self.require(actor, "keys")
        with self.store.begin() as conn:
            self.store.revoke_key(conn, key_id)
            self.audit("key.revoke", actor, conn=conn, detail={"key_id": key_id})

    def authenticate(self, token: str | None) -> Actor:
        """The actor a token stands for; ``Unauthorized`` for missing, unknown or revoked keys."""
        if not token:
            raise Unauthorized(
                "an API key is required (header X-API-Key or Authorization: ApiKey ...)"
            )
        try:
            key_id, secret = split_token(token)
        except InvalidInput as exc:
            raise Unauthorized(exc.message) from None
        row = self.store.get_key(key_id)
        if (
            row is None
            or row["revoked_at"] is not None
            or not secret_matches(secret, row["secret_hash"])
        ):
            raise Unauthorized("unknown or revoked API key")
        return Actor(
            name=f"key:{row['name']}",
            role=row["role"],
            key_id=key_id,
            biometric=bool(row["biometric"]),
        )

    # -- start-up ------------------------------------------------------------------------

    def ensure_un_list(
        self, actor: Actor | None = None, progress: Callable[[int, int], None] | None = None
    ) -> tuple[str, ImportReport | None]:
        """Load the UN list on first start: from the configured source, else the demo list.

        Returns (what happened, report): ``"present"`` when the store already
        holds the real list, ``"source"`` when it was loaded now, ``"demo"`` when
        the source could not be read and the fictional demo list (dataset
        ``un_sc_demo``) is in use. While only the demo is held, every start tries
        the real source again; once it loads, the demo records are delisted.
        """
        actor = actor or local_actor()
        if self.store.count_entities(dataset="un_sc") > 0:
            return "present", None
        try:
            report = self.import_source(
                "un-sc", self.settings.un_sc_source, actor, progress=progress
            )
        except Exception as exc:  # noqa: BLE001 - any failure to reach or read the source means demo
            log.warning("could not load the UN list from %s: %s", self.settings.un_sc_source, exc)
            self.last_source_error = str(exc)
        else:
            if self.store.count_entities(dataset=DEMO_DATASET, status="listed"):
                self.import_list(
                    _renamed(self.parse_source("un-sc", str(DEMO_LIST)), entities=[]), actor
                )
            return "source", report
        if self.store.count_entities(dataset=DEMO_DATASET) > 0:
            return "demo", None
        demo = _renamed(self.parse_source("un-sc", str(DEMO_LIST), progress=progress))
        return "demo", self.import_list(demo, actor)


DEMO_DATASET = "un_sc_demo"
DEMO_LIST = Path(__file__).resolve().parent / "demo" / "demo-un-sc.xml"


def _renamed(parsed: Any, entities: list[Entity] | None = None) -> Any:
    """The demo list under its own dataset name, so it can never pass for the real UN list."""
    from dataclasses import replace

    from ctnode.ingest.base import ParsedList

    moved = []
    for e in parsed.entities if entities is None else entities:
        ne = Entity(
            id=f"{DEMO_DATASET}-{e.reference}",
            schema=e.schema,
            dataset=DEMO_DATASET,
            reference=e.reference,
        )
        ne.statements = [replace(st, dataset=DEMO_DATASET) for st in e.statements]
        moved.append(ne)
    return ParsedList(
        dataset=DEMO_DATASET,
        title="FICTIONAL DEMO LIST (not real data)",
        version=parsed.version,
        source=parsed.source,
        entities=moved,
        warnings=list(parsed.warnings),
    )
