"""Screening: one subject or many, free-text search, entity views and yente matches.

The rules: every action needs its permission and is audited; every answer says what it
covered (``coverage``) and what of the query it could not use (``warnings``); an
analyst's false-positive decision suppresses that hit only for the same subject
identified beyond the name (a birth date, a document or a subject id), only until it
expires or is revoked, and a suppressed hit is still returned, marked with the decision;
reportable hits enter the review queue, with the screened subject sealed with the node's
data key for ``CTNODE_REVIEW_SUBJECT_DAYS`` so that a reviewer sees who was screened (a
screening without hits keeps only keyed hashes); what a match shows of a listed entity depends
on the caller's role, and showing it is audited like any entity view.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from itertools import islice
from typing import Any, Protocol

import orjson

from ctnode import clock
from ctnode.errors import InvalidInput, NotFound
from ctnode.match.explain import every_query_part_aligned
from ctnode.match.normalise import ORG_TABLES
from ctnode.match.transliterate import HAN_TABLES, first_use_table
from ctnode.model.access import NO_PURPOSE, Actor, Purpose, allowed
from ctnode.model.entities import FTM_EXPORT_PROPS, Entity, EntityView, ftm_prop
from ctnode.model.phrases import Phrase
from ctnode.model.screening import (
    Coverage,
    FeatureExplanation,
    Hit,
    ScreenQuery,
    ScreenResult,
    Suppression,
)
from ctnode.services.context import Context
from ctnode.services.screening.coverage import coverage_of
from ctnode.services.screening.index import MatchIndex
from ctnode.services.screening.query import build_query, clean_names
from ctnode.services.screening.workers import (
    AUTO_WORKERS_MAX,
    Matched,
    can_fork,
    cores,
    match_forked,
    match_here,
)

log = logging.getLogger(__name__)

BATCH_ROWS = 500  # subjects of a batch whose decisions are read, and review rows written, at once
# The last BATCH_ROWS subjects of a batch are taken in pages of this many, their rows written
# after each: a forked batch's last answers come when its workers end, and what this process
# still has to do with them then (their rows, decisions, output lines) is done alone
BATCH_TAIL_PAGE = 64
COVERAGE_TTL = 30.0  # seconds a computed coverage is reused while the store's mark is unchanged


class Sealer(Protocol):
    """Seals and opens with the node's data key (``ctnode.biometrics.crypto.NodeKey``)."""

    def seal(self, plaintext: bytes, context: str) -> bytes: ...
    def open(self, ciphertext: bytes, context: str) -> bytes: ...


# A peer's query is the asking node's data, shared for a hit / no-hit answer: its subject is
# never kept here, not even sealed (the review queue holds only keyed hashes of it).
PEER_SOURCES = frozenset({"peer"})
SUBJECT_FIELDS = ("schema", "names", "birth_dates", "nationalities", "documents", "subject_id")


def query_hash(subject_key: str, source: str) -> str:
    """The audited hash of a query: from the (already keyed) subject key and the channel."""
    return hashlib.sha256(f"{source}:{subject_key}".encode()).hexdigest()


@dataclass(slots=True)
class MatchedEntity:
    """A yente match result: the hit, and as much of the entity as the caller may see."""

    hit: Hit
    entity: Entity
    properties: dict[str, list[str]]
    full: bool  # the whole record (an entity view), or only what identifies the hit


FACET_COUNTRY_PROPS = ("nationality", "country", "jurisdiction", "citizenship")
SEARCH_CANDIDATES = 1_000  # candidates a search looks through for records holding every part
MATCH_LIMIT_MAX = 500  # the most results one yente ``/match`` query may ask for


@dataclass(frozen=True, slots=True)
class MatchFilter:
    """yente's ``/match`` filters: entities, schemata and datasets left out; topics required
    (an entity passes when it holds any of them)."""

    entity_ids: frozenset[str] = frozenset()
    schemata: frozenset[str] = frozenset()
    datasets: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()

    @property
    def active(self) -> bool:
        return bool(self.entity_ids or self.schemata or self.datasets or self.topics)

    def admits(self, entity: Entity) -> bool:
        if entity.id in self.entity_ids or entity.schema in self.schemata:
            return False
        if entity.dataset in self.datasets:
            return False
        return not self.topics or not self.topics.isdisjoint(entity.properties.get("topics", ()))


@dataclass(slots=True)
class MatchAnswer:
    """A yente ``/match`` answer for one query: its matches, coverage and query warnings."""

    matches: list[MatchedEntity]
    coverage: Coverage | None
    warnings: list[str]


@cache
def _naming_props(schema: str) -> frozenset[str]:
    """Entity-typed FtM properties (of any schema) that can name an entity of ``schema``."""
    from followthemoney import model as ftm_model  # here: a name screen never loads FtM
    from followthemoney.types import registry

    target = ftm_model.get(schema)
    assert target is not None
    return frozenset(p.name for s in ftm_model.schemata.values() for p in s.properties.values()
                     if p.type == registry.entity and p.range is not None
                     and p.reverse is not None and target.is_a(p.range))


class Screening:
    """Screening for one node."""

    def __init__(self, ctx: Context, index: MatchIndex, key: Sealer | None = None) -> None:
        self.ctx = ctx
        self.index = index
        self.key = key  # seals the subject of a screening with hits (None: hashes only)
        self.entities = ctx.store.entities
        self.review = ctx.store.review
        self._coverage: dict[tuple[Any, ...], tuple[float, Coverage]] = {}
        # called after a screen or batch with reportable hits (the hit notices' outbox)
        self._hit_listeners: list[Callable[[list[Hit], Actor, Purpose, str], object]] = []

    def on_hits(self, listener: Callable[[list[Hit], Actor, Purpose, str], object]) -> None:
        """Call ``listener(hits, actor, purpose, source)`` after each screen with reportable
        hits, and once after a batch (a file, manifest or payment file) with the reportable
        hits of all its subjects; a failing listener is logged, the screen stands."""
        self._hit_listeners.append(listener)

    # -- the identity of a query ------------------------------------------------------

    def subject_key(self, query: ScreenQuery) -> str:
        """The identity of a screened subject: the same person queried again gets the same key.
        (The query's names are checked first: at least one, none too long.)"""
        query.names = clean_names(query.names)
        ident: dict[str, str | list[str]] = {
            "schema": query.schema,
            "names": sorted({" ".join(n.casefold().split()) for n in query.names}),
            "birth_dates": sorted(set(query.birth_dates)),
            "nationalities": sorted({n.casefold() for n in query.nationalities}),
            "documents": sorted({"".join(d.upper().split()) for d in query.documents}),
        }
        if query.subject_id:  # only when given, so keys of earlier screens stay the same
            ident["subject_id"] = [query.subject_id.strip()]
        return self.ctx.keyed_text_hash(ident)  # (= keyed_hash(ident), a batch's every query)

    def coverage(self, datasets: list[str] | None = None) -> Coverage:
        """What a screen over ``datasets`` (None: every list) covers, with its warnings.

        Reused while the store's change mark, the day and the age limit stay the same (at
        most ``COVERAGE_TTL`` seconds; an import in this process clears it at once): the
        lists' sizes are counted in the store, which is not free on a large one."""
        now = clock.utcnow()
        max_age = self.ctx.settings.list_max_age_days
        key = (self.entities.change_mark(), now.date(), max_age,
               None if datasets is None else tuple(datasets))
        tick = time.monotonic()
        cached = self._coverage.get(key)
        if cached is not None and tick - cached[0] < COVERAGE_TTL:
            return cached[1]
        found = coverage_of(self.entities.list_datasets(), max_age_days=max_age, now=now,
                            only=datasets)
        if len(self._coverage) >= 64:
            self._coverage.clear()
        self._coverage[key] = (tick, found)
        return found

    def coverage_stale(self, _report: object = None) -> None:
        """The lists changed (an import listener): compute coverage afresh next time."""
        self._coverage.clear()

    def suppression(self, decision: dict[str, Any]) -> Suppression | None:
        """The suppression a standing decision makes, or None (not a false positive, or
        expired after ``CTNODE_DECISION_SUPPRESSION_DAYS``)."""
        if decision["decision"] != "false_positive":
            return None
        at = clock.as_utc(decision["at"])
        assert at is not None
        expires = at + timedelta(days=self.ctx.settings.decision_suppression_days)
        if clock.utcnow() >= expires:
            return None
        return Suppression(decision["id"], decision["actor"], clock.format_ts(at),
                           clock.format_ts(expires))

    def screening_row(self, actor: Actor, purpose: Purpose, source: str, subject: str,
                      hits: Iterable[Hit], identified: bool = False,
                      query: ScreenQuery | None = None,
                      phrases: PhraseRecords | None = None) -> dict[str, Any]:
        """A review-queue row for a subject's reportable hits (``identified``: the subject
        was identified beyond the name, so a false positive on it may suppress a hit). With
        ``query`` and hits, the subject is sealed in the row (``subject_sealed``, bound to the
        row's id) until ``subject_expires_at``, for the reviewers to see who was screened.
        ``phrases``: the phrases' records made for the batch's earlier rows (see
        :func:`explanation_records`)."""
        sid = str(uuid.uuid4())
        hits = list(hits)
        found = [{"entity_id": h.entity_id, "score": h.score, "band": h.band, "list": h.dataset}
                 for h in hits]
        sealed, expires = None, None
        if query is not None and found and self.key is not None:
            plain: dict[str, Any] = {f: getattr(query, f) for f in SUBJECT_FIELDS}
            # why each hit was raised: it names the subject's parts, so it is sealed with it
            plain["explanations"] = {
                h.entity_id: explanation_records(h.explanation, {} if phrases is None
                                                 else phrases) for h in hits}
            # (orjson: a batch seals thousands, 12 MB of JSON for the UN batch's 4,462 rows,
            # in a fifth of the json module's time; the same JSON values, written compact)
            sealed = self.key.seal(orjson.dumps(plain), f"screening:{sid}")
            expires = clock.utcnow() + timedelta(days=self.ctx.settings.review_subject_days)
        return {
            "id": sid, "actor": actor.name, "source": source,
            "subject_key": subject, "query_hash": query_hash(subject, source),
            "purpose": purpose.purpose, "case_ref": purpose.case_ref,
            "hits": found, "identified": identified,
            "subject_sealed": sealed, "subject_expires_at": expires,
        }

    def open_subject(self, row: dict[str, Any]) -> dict[str, Any] | None:
        """The screened subject of a review-queue row (names, birth dates, nationalities,
        documents, subject id), or None: no hits, erased after its retention, or screened
        before the subject was kept."""
        expires = clock.as_utc(row.get("subject_expires_at"))
        if not row.get("subject_sealed") or self.key is None or (
                expires is not None and expires <= clock.utcnow()):
            return None
        plain = self.key.open(bytes(row["subject_sealed"]), f"screening:{row['id']}")
        subject: dict[str, Any] = json.loads(plain)
        return subject

    # -- screening --------------------------------------------------------------------

    def _match(self, query: ScreenQuery, *, limit: int, include_below: bool) -> Matched:
        """The subject key and the candidate hits of one query (no store: a batch worker
        runs this too)."""
        subject = self.subject_key(query)
        hits = self.index.matcher.screen(query, limit=limit + 10, include_below=include_below)
        return Matched(query.names, subject, hits)

    def _suppress(self, hits: list[Hit], decisions: dict[str, dict[str, Any]],
                  limit: int) -> tuple[list[Hit], list[Hit]]:
        """The hits shown (the first ``limit``) and those the subject's standing decisions
        suppress, each marked with its decision."""
        shown: list[Hit] = []
        suppressed: list[Hit] = []
        for hit in hits:
            d = decisions.get(hit.entity_id)
            hit.suppressed = self.suppression(d) if d else None
            (suppressed if hit.suppressed else shown).append(hit)
        return shown[:limit], suppressed

    def _screen_one(
        self, query: ScreenQuery, *, limit: int, include_below: bool
    ) -> tuple[str, list[Hit], list[Hit]]:
        found = self._match(query, limit=limit, include_below=include_below)
        # A name alone never identifies a subject: a decision on it suppresses nothing.
        decisions = (self.review.latest_decisions(found.subject)
                     if found.hits and query.identified else {})
        shown, suppressed = self._suppress(found.hits, decisions, limit)
        return found.subject, shown, suppressed

    def screen(
        self,
        query: ScreenQuery,
        actor: Actor,
        purpose: Purpose = NO_PURPOSE,
        *,
        limit: int = 10,
        include_below: bool = False,
        source: str = "api",
    ) -> ScreenResult:
        """Screen one subject; reportable hits go to the review queue; always audited."""
        self.ctx.require(actor, "screen")
        if not 1 <= limit <= 500:
            raise InvalidInput("limit must be between 1 and 500")
        self.index.refresh()
        coverage = self.coverage(query.datasets)
        subject, hits, suppressed = self._screen_one(
            query, limit=limit, include_below=include_below
        )
        reportable = [h for h in hits if h.reportable]
        row = self.screening_row(actor, purpose, source, subject, reportable, query.identified,
                                 None if source in PEER_SOURCES else query)
        sid = row["id"] if reportable else None
        with self.ctx.store.begin() as conn:
            self.review.add_screenings(conn, [row] if reportable else [])
            self.ctx.audit.record(
                "screen", actor, purpose=purpose, query_hash=row["query_hash"],
                result_ids=[h.entity_id for h in reportable], conn=conn,
                detail={"source": source, "screening_id": sid,
                        "suppressed": [h.entity_id for h in suppressed],
                        "coverage_warnings": [w.code for w in coverage.warnings],
                        "query_warnings": len(query.warnings)},
            )
        self._tell(reportable, actor, purpose, source)
        return ScreenResult(sid, row["query_hash"], subject, hits, suppressed, coverage,
                            list(query.warnings))

    def _tell(self, reportable: list[Hit], actor: Actor, purpose: Purpose, source: str) -> None:
        for listener in self._hit_listeners if reportable else ():
            try:
                listener(reportable, actor, purpose, source)
            except Exception:  # a listener (a notice to a peer) must not undo the screen
                log.exception("hit listener failed")

    def batch_workers(self, asked: int | None, size: int) -> int:
        """The processes that match a batch of ``size`` queries: ``asked`` (None: the node's
        ``CTNODE_BATCH_WORKERS``; 0: one per core, at most ``AUTO_WORKERS_MAX``), and one
        below ``CTNODE_BATCH_PARALLEL_MIN`` queries or where processes cannot be forked."""
        settings = self.ctx.settings
        wanted = settings.batch_workers if asked is None else asked
        if wanted == 0:
            wanted = min(cores(), AUTO_WORKERS_MAX)
        if wanted <= 1 or size < max(2, settings.batch_parallel_min) or not can_fork():
            return 1
        return min(wanted, size)

    def screen_many(
        self,
        queries: Iterable[ScreenQuery],
        actor: Actor,
        purpose: Purpose = NO_PURPOSE,
        *,
        limit: int = 10,
        source: str = "batch",
        progress: Callable[[int], None] | None = None,
        workers: int | None = 1,
    ) -> Iterator[ScreenResult]:
        """Screen many subjects (a batch file, a manifest, a payment file).

        Yields one result per query in order. The permission is checked and the index
        brought up to date now. Decisions are read for ``BATCH_ROWS`` subjects at a time;
        review-queue rows are written in one transaction per ``BATCH_ROWS`` rows; the last
        ``BATCH_ROWS`` subjects in pages of ``BATCH_TAIL_PAGE``, each page's rows written
        with it; one ``screen.batch`` audit entry is written with the last of them.

        ``workers`` (see :meth:`batch_workers`; None: the node's setting) above one forks
        that many processes now, which match the queries while this one does the rest
        (only a command does: never from a server's threads). The results are the same.
        """
        self.ctx.require(actor, "screen")
        self.index.refresh()
        batch = list(queries)

        def match(query: ScreenQuery) -> Matched:
            return self._match(query, limit=limit, include_below=False)

        n = self.batch_workers(workers, len(batch))
        if n > 1:
            # what a worker would load on first use (every script's transliteration rules,
            # the organisation tables; the name tagger when the index has no symbol table):
            # loaded once here, and shared, rather than once in each worker; but not the
            # Han and kana tables, nor the organisation tables, when one worker matches all
            # the queries that need them
            def prepare(shared: frozenset[str]) -> None:
                self.index.prepare(han=HAN_TABLES in shared, orgs=ORG_TABLES in shared)

            matched = match_forked(match, batch, n, group=_first_use_table, prepare=prepare)
        else:
            matched = match_here(match, batch)
        return self._screen_matched(batch, matched, match, actor, purpose, limit=limit,
                                    source=source, progress=progress)

    def _screen_matched(
        self, batch: list[ScreenQuery], matched: Iterator[Matched | None],
        match: Callable[[ScreenQuery], Matched], actor: Actor, purpose: Purpose, *,
        limit: int, source: str, progress: Callable[[int], None] | None,
    ) -> Iterator[ScreenResult]:
        coverages: dict[tuple[str, ...] | None, Coverage] = {}
        all_ids: list[str] = []
        found: dict[str, Hit] = {}  # the reportable hits of the batch, one per record
        pending: list[dict[str, Any]] = []
        phrases: PhraseRecords = {}  # (one phrase is said in many hits' explanations)
        count = 0

        def flush(final: bool) -> None:
            with self.ctx.store.begin() as conn:
                self.review.add_screenings(conn, pending)
                if final:
                    self.ctx.audit.record(
                        "screen.batch", actor, purpose=purpose, result_ids=sorted(set(all_ids)),
                        detail={"source": source, "subjects": count, "coverage_warnings": sorted(
                            {w.code for c in coverages.values() for w in c.warnings})},
                        conn=conn,
                    )
            pending.clear()

        pairs = zip(batch, matched, strict=True)
        taken = 0
        while page := list(islice(pairs, BATCH_ROWS if len(batch) - taken > BATCH_ROWS
                                  else BATCH_TAIL_PAGE)):
            taken += len(page)
            # the batch's last pages: their rows written with each (the last with the audit
            # entry), so that little is left to write once the last answer is in
            tail = len(batch) - taken < BATCH_ROWS
            # A name alone never identifies a subject: a decision on it suppresses nothing.
            asked = {m.subject for q, m in page if m is not None and m.hits and q.identified}
            decisions = self.review.latest_decisions_many(asked) if asked else {}
            for query, answer in page:
                wanted = tuple(query.datasets) if query.datasets is not None else None
                if wanted not in coverages:
                    coverages[wanted] = self.coverage(query.datasets)
                if answer is None:  # it failed: run again here, to raise its error in order
                    answer = match(query)
                    if answer.hits and query.identified:
                        decisions[answer.subject] = self.review.latest_decisions(answer.subject)
                query.names = answer.names
                subject = answer.subject
                hits, suppressed = self._suppress(answer.hits, decisions.get(subject, {}), limit)
                sid: str | None = None
                qhash = None
                if hits:  # (a subject without hits has no row: no id, no sealed subject)
                    row = self.screening_row(actor, purpose, source, subject, hits,
                                             query.identified, query, phrases)
                    sid, qhash = row["id"], row["query_hash"]
                    pending.append(row)
                    all_ids.extend(h.entity_id for h in hits)
                    for h in hits:
                        if h.reportable and (h.entity_id not in found or h.score > found[
                                h.entity_id].score):
                            found[h.entity_id] = h
                count += 1
                if progress:
                    progress(count)
                if len(pending) >= BATCH_ROWS:
                    flush(final=False)
                yield ScreenResult(sid, qhash or query_hash(subject, source), subject,
                                   hits, suppressed, coverages[wanted], list(query.warnings))
            if tail and pending and taken < len(batch):
                flush(final=False)
        flush(final=True)
        self._tell(list(found.values()), actor, purpose, source)

    def search(
        self, text: str, actor: Actor, *, schema: str | None = None, limit: int = 20,
        datasets: list[str] | None = None,
    ) -> list[Hit]:
        """Free-text name search, looser than screening (for analysts exploring the lists)."""
        self.ctx.require(actor, "search")
        if not text.strip():
            raise InvalidInput("query parameter q must not be empty")
        matcher = self.index.refresh()
        query = build_query([text], schema=schema or "Thing", datasets=datasets)
        query.include_delisted = True
        # a search finds a record by any part of a name, in any script: a listed name that
        # holds every part of the query counts, however many more parts it has
        found = matcher.screen(query, limit=max(limit, SEARCH_CANDIDATES), include_below=True)
        hits = [h for h in found if h.score >= 0.5 or every_query_part_aligned(h)][:limit]
        self.ctx.audit.record(
            "search", actor, query_hash=self.ctx.keyed_hash({"search": text}),
            result_ids=[h.entity_id for h in hits],
        )
        return hits

    def ready(self) -> bool:
        """Whether screens are answered from a built index (yente's ``/readyz``)."""
        return self.index.built

    def warm_up(self) -> None:
        """Load FollowTheMoney's model now (a server warming up): yente's ``/match`` and
        ``/entities`` read it, a name screen does not (so it is not imported at start)."""
        _naming_props("Person")

    def catalog(self, actor: Actor) -> dict[str, Any]:
        """yente's ``/catalog``: the lists held, each with its version, date and size."""
        self.ctx.require(actor, "search")
        rows = self.entities.list_datasets()
        datasets = [{
            "name": d["name"], "title": d["title"], "version": d.get("version"),
            "updated_at": d.get("imported_at"), "entity_count": d.get("entities", 0),
            "source": d.get("source"), "load": True, "index_current": self.index.built,
            "children": [],
        } for d in rows]
        names = [d["name"] for d in rows]
        return {"datasets": [*datasets, {
            "name": "default", "title": "All lists this node holds", "version": None,
            "updated_at": None, "entity_count": sum(d["entity_count"] for d in datasets),
            "source": None, "load": True, "index_current": self.index.built, "children": names,
        }], "current": [*names, "default"], "outdated": [], "index_stale": not self.index.built}

    def facets(self, hits: list[Hit], actor: Actor) -> dict[str, dict[str, int]]:
        """yente's search facets over found entities: datasets, schemata, countries, topics."""
        self.ctx.require(actor, "search")
        out: dict[str, dict[str, int]] = {"datasets": {}, "schema": {}, "countries": {},
                                          "topics": {}}
        found: dict[str, dict[str, set[str]]] = {
            h.entity_id: {"datasets": {h.dataset}, "schema": {h.schema}, "countries": set(),
                          "topics": set()} for h in hits}
        for entity_id, prop, value in self.entities.property_values(
                list(found), (*FACET_COUNTRY_PROPS, "topics")):
            found[entity_id]["topics" if prop == "topics" else "countries"].add(value)
        for values in found.values():
            for facet, seen in values.items():
                for value in seen:
                    out[facet][value] = out[facet].get(value, 0) + 1
        return out

    # -- what an actor may see of the lists --------------------------------------------

    def datasets(self, actor: Actor) -> list[dict[str, Any]]:
        """The lists this node holds, with version and size."""
        self.ctx.require(actor, "search")
        return self.entities.list_datasets()

    def last_imports(self, actor: Actor) -> dict[str, dict[str, Any]]:
        """Each list's last import: its delta (added, changed, removed, relisted, unchanged),
        who ran it and when."""
        self.ctx.require(actor, "search")
        last: dict[str, dict[str, Any]] = {}
        for row in self.entities.list_imports(limit=500):  # newest first
            last.setdefault(row["dataset"], row)
        return last

    def view_entity(self, entity_id: str, actor: Actor) -> EntityView:
        """An entity with the provenance of every value, its history and decisions (audited)."""
        self.ctx.require(actor, "entity.view")
        entity = self.entities.get_entity(entity_id)
        self.ctx.audit.record("entity.view", actor, result_ids=[entity_id])
        return EntityView(entity, self.entities.entity_events(entity_id),
                          self.review.decisions_for_entity(entity_id))

    def adjacent(self, entity: Entity, actor: Actor) -> dict[str, list[Entity]]:
        """The entities next to one (yente's ``nested``), by FollowTheMoney property: those its
        entity-typed properties name, and those naming it, under the reverse property
        (a wallet's ``holder`` is its holder's ``cryptoWallets``). Audited as entity views."""
        from followthemoney import model as ftm_model  # here: a name screen never loads FtM
        from followthemoney.types import registry

        self.ctx.require(actor, "entity.view")
        schema = ftm_model.get(entity.schema)
        out: dict[str, list[Entity]] = {}
        if schema is None:
            return out
        for prop, values in entity.properties.items():
            name = ftm_prop(entity, prop)
            found = schema.get(name) if name is not None else None
            if found is None or found.type != registry.entity:
                continue
            for value in values:
                try:
                    out.setdefault(found.name, []).append(self.entities.get_entity(value))
                except NotFound:
                    continue  # a reference to a record this node does not hold
        naming = _naming_props(schema.name)
        stored = {ours: ftm for ours, ftm in FTM_EXPORT_PROPS.items() if ftm in naming}
        stored.update({p: p for p in naming})
        for other_id, prop in self.entities.referring(entity.id, stored):
            other = self.entities.get_entity(other_id)
            other_schema = ftm_model.get(other.schema)
            found = other_schema.get(stored[prop]) if other_schema is not None else None
            if found is not None and found.reverse is not None:
                out.setdefault(found.reverse.name, []).append(other)
        ids = sorted({e.id for found in out.values() for e in found})
        if ids:
            self.ctx.audit.record("entity.view", actor, result_ids=ids,
                                  detail={"via": "nested", "of": entity.id})
        return out

    def find_entity(self, id_or_reference: str, actor: Actor) -> EntityView:
        """``view_entity`` by id, or else by list reference (``QDi.006``)."""
        try:
            return self.view_entity(id_or_reference, actor)
        except NotFound:
            return self.view_entity(self.entities.find_by_reference(id_or_reference).id, actor)

    def known_datasets(self, dataset: str) -> list[str] | None:
        """The datasets a yente ``/match/{dataset}`` call screens (None: all of them)."""
        known = {d["name"] for d in self.entities.list_datasets()}
        if dataset != "default" and dataset not in known:
            raise NotFound(f"unknown dataset {dataset!r}; known: default, {', '.join(sorted(known))}")
        return None if dataset == "default" else [dataset]

    def match(
        self,
        queries: dict[str, ScreenQuery],
        actor: Actor,
        purpose: Purpose = NO_PURPOSE,
        *,
        limit: int = 5,
        cutoff: float = 0.0,
        exclude: MatchFilter | None = None,
    ) -> dict[str, MatchAnswer]:
        """yente's ``/match``: each query screened (audited as ``screen``), each result with
        the listed entity. An actor who may view entities gets every property, and the view
        is audited as ``entity.view``; any other (a screener) gets only what identifies the
        hit: the entity's caption and the name that matched. Hits a false-positive decision
        suppresses come after the others, marked (``hit.suppressed``), never dropped."""
        if len(queries) > self.ctx.settings.max_batch:
            raise InvalidInput(f"at most {self.ctx.settings.max_batch} queries per request")
        full = allowed(actor, "entity.view", set(self.ctx.settings.biometric_roles))
        include_below = cutoff < self.ctx.settings.report_threshold
        keep = exclude or MatchFilter()
        # with a filter, screen for every candidate the route allows and cut after filtering,
        # so that excluded entities never take the place of wanted ones
        wanted = MATCH_LIMIT_MAX if keep.active else limit
        out: dict[str, MatchAnswer] = {}
        shown: list[str] = []
        for key, query in queries.items():
            result = self.screen(query, actor, purpose, limit=wanted, include_below=include_below,
                                 source="match")
            answer = MatchAnswer([], result.coverage, list(result.warnings))
            out[key] = answer
            shown_here = 0
            for hit in [*result.hits, *result.suppressed]:
                # the limit counts unsuppressed results; a suppressed one is always listed
                if hit.score < cutoff or (shown_here >= limit and hit in result.hits):
                    continue
                entity = self.entities.get_entity(hit.entity_id)
                if not keep.admits(entity):
                    continue
                props = entity.properties if full else {
                    "name": list(dict.fromkeys([entity.caption, hit.matched_name]))}
                answer.matches.append(MatchedEntity(hit, entity, props, full))
                shown_here += hit in result.hits
                shown.append(entity.id)
        if full and shown:
            self.ctx.audit.record("entity.view", actor, purpose=purpose,
                                  result_ids=sorted(set(shown)), detail={"via": "match"})
        return out


# A phrase's record by the phrase's id (the phrase kept with it, so that the id is not
# reused), for the rows of one batch
PhraseRecords = dict[int, tuple[Phrase, dict[str, Any]]]
PHRASE_RECORDS_MAX = 100_000  # forgotten past this many (a batch of very many queries)


def explanation_records(explanation: Iterable[FeatureExplanation],
                        phrases: PhraseRecords) -> list[dict[str, Any]]:
    """Each explanation's ``as_record()``, its phrases' records made once per phrase in
    ``phrases``: explanations share their phrases (the UN batch's review rows say 58,254
    phrases, 5,572 distinct ones), so a batch makes each record once. The records are
    shared between rows: they are only written (sealed), never changed."""
    if len(phrases) > PHRASE_RECORDS_MAX:
        phrases.clear()
    out = []
    for e in explanation:
        said = []
        for p in e.phrases:
            got = phrases.get(id(p))
            if got is None:
                got = phrases[id(p)] = (p, p.as_dict())
            said.append(got[1])
        out.append({**e.as_dict(), "phrases": said})
    return out


def _first_use_table(query: ScreenQuery) -> str | None:
    """The costly table matching ``query`` loads on first use (a batch matches the queries
    of one such table together, on one worker when they are few), or None: the Han and
    kana tables (``transliterate.first_use_table``), else the organisation tables for a
    query of any schema but Person (``normalise.ORG_TABLES``)."""
    for name in query.names:
        if (table := first_use_table(name)) is not None:
            return table
    return ORG_TABLES if query.schema != "Person" else None
