"""Lists: imports (one transaction each, a delta on re-import), exports, and the UN list at
first start; what must follow an import is told to the listeners ``node.py`` wires.

Imports refuse to destroy (issue 10): a file of another format than the one a dataset was
imported from is refused, and so is a list of another publisher (its source identity: what
the file states, or ``--source``; recorded at the dataset's first import); a list whose own
date (the UN file's ``dateGenerated``, the version an FtM or CSV import states) is older
than the one held is refused unless
``allow_older``; a full import that would delist more than ``DELIST_LIMIT`` of a list's
records needs ``confirm``; ``dry_run`` computes the exact delta in the import's own
transaction and rolls it back. A dataset can be removed deliberately (audited).

Import listeners (``on_import``) run after the import has committed: the match index
marks itself stale, the federation sends the delta to subscribed peers. A failing
listener is logged and never undoes the import.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from ctnode.errors import ImportFailed, ImportRefused, InvalidInput
from ctnode.ingest import csv_list, ftm, ofac_sdn, un_sc
from ctnode.ingest.fetch import Download, fetch_source
from ctnode.model.access import Actor
from ctnode.model.entities import Entity
from ctnode.model.lists import DELIST_LIMIT, ImportReport, ParsedList, is_older
from ctnode.services.context import Context
from ctnode.store.contracts import Tx

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
ImportListener = Callable[[ImportReport], object]

DEMO_DATASET = "un_sc_demo"
DEMO_LIST = un_sc.DEMO_LIST
IMPORT_KINDS = ("un-sc", "ofac-sdn", "ftm", "csv")
# The format of lists imported before the store recorded it (datasets.kind is NULL).
LEGACY_KINDS = {"un_sc": "un-sc", DEMO_DATASET: "un-sc", "ofac_sdn": "ofac-sdn",
                ofac_sdn.DATASET: "ofac-sdn"}
# The publisher of the fictional demo list (never the UN's).
DEMO_PUBLISHER = "ctnode demo (fictional)"


class _DryRun(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


class Lists:
    """The lists of one node: imports, exports, the UN list at start."""

    def __init__(self, ctx: Context, download: Download) -> None:
        self.ctx = ctx
        self.download = download  # how a list is fetched from its publisher's URL
        self.entities = ctx.store.entities
        self.listeners: list[ImportListener] = []
        self.last_source_error: str | None = None

    def count(self, dataset: str | None = None, status: str | None = "listed") -> int:
        """How many entities the node holds (listed ones, by default)."""
        return self.entities.count_entities(dataset=dataset, status=status)

    def on_import(self, listener: ImportListener) -> None:
        """Call ``listener(report)`` after every committed import."""
        self.listeners.append(listener)

    def check_import(self, parsed: ParsedList, *, allow_older: bool = False) -> None:
        """Refuse a list of another format or publisher than the dataset holds, or an older
        one. A dataset whose publisher was never stated takes the first one an import
        states; one whose publisher is known refuses a file that states none."""
        held = next((d for d in self.entities.list_datasets() if d["name"] == parsed.dataset),
                    None)
        if held is None:
            return
        name = parsed.dataset
        held_kind = held.get("kind") or LEGACY_KINDS.get(name)
        if parsed.kind and held_kind and parsed.kind != held_kind:
            raise ImportRefused(
                f"{parsed.source}: dataset {name!r} holds a list imported as {held_kind}; a "
                f"{parsed.kind} file would replace it and delist its records. Import it under "
                f"another --dataset, or remove the dataset first (ctnode datasets remove {name})")
        held_by = held.get("publisher")
        # a copy of a peer's list, or a peer's delta: the store's publisher rule answers
        # those (only the publishing node changes its list, never a local one)
        copy = any(str(src or "").startswith("peer:") for src in (held.get("source"),
                                                                  parsed.source))
        if held_by and not copy and not same_publisher(held_by, parsed.publisher):
            said = (f"this file's source is {parsed.publisher!r}" if parsed.publisher
                    else "this file does not state its source")
            raise ImportRefused(
                f"{parsed.source}: dataset {name!r} holds the list of {held_by!r} and {said}; "
                f"importing it would replace that list and delist its records. If it is the "
                f"same list, state its source with --source {held_by!r}; else import it under "
                f"another --dataset, or remove the dataset first (ctnode datasets remove {name})")
        if not allow_older and is_older(parsed.version, held.get("version")):
            raise ImportRefused(
                f"{parsed.source}: list version {parsed.version} is older than the version held "
                f"of {name!r} ({held['version']}); importing it would delist the later "
                "listings. Use --allow-older to import it anyway")

    def import_list(
        self,
        parsed: ParsedList,
        actor: Actor,
        *,
        partial: bool = False,
        progress: Progress | None = None,
        allow_older: bool = False,
        confirm: bool = False,
        dry_run: bool = False,
        hand_over: bool = False,
    ) -> ImportReport:
        """Apply a parsed list as one transaction (audited with it); then tell the listeners.

        A full import (not ``partial``) is checked first (``check_import``); one that would
        delist more than ``DELIST_LIMIT`` of the records held needs ``confirm``. With
        ``dry_run`` the delta is computed and rolled back (``report.dry_run``), nothing is
        changed or audited and no listener is told. ``hand_over``: the caller gives up
        ``parsed`` (its entities may be reordered and emptied); when they are the whole
        dataset as stored, the listeners get them (``ImportReport.entities``)."""
        self.ctx.require(actor, "import")
        try:
            if not partial:
                self.check_import(parsed, allow_older=allow_older)
        except ImportRefused as exc:
            self.ctx.audit.record("import.failed", actor,
                                  detail={"source": parsed.source, "error": exc.message[:500]})
            raise
        held = self.entities.count_entities(dataset=parsed.dataset, status="listed")

        def on_commit(conn: Tx, report: ImportReport) -> None:
            report.held_before = held
            if dry_run:
                raise _DryRun(report)  # rolls the transaction back
            if not partial and not confirm and held and len(report.removed) > DELIST_LIMIT * held:
                raise ImportRefused(
                    f"{parsed.source}: this import would delist {len(report.removed)} of the "
                    f"{held} listed records of {parsed.dataset!r} "
                    f"({100 * len(report.removed) / held:.1f}%, more than "
                    f"{100 * DELIST_LIMIT:.0f}%); see them with --dry-run, apply with --confirm")
            self.ctx.audit.record(
                "import", actor, conn=conn, detail={**report.summary(), "removed_ids": report.removed}
            )

        try:
            report = self.entities.apply_list(
                parsed, actor=actor.name, partial=partial, progress=progress, on_commit=on_commit
            )
        except _DryRun as done:
            report = done.report
            report.dry_run = True
            report.warnings = list(parsed.warnings)
            return report
        except Exception as exc:  # any failure: the transaction rolled back; audit and re-raise
            message = exc.message if isinstance(exc, ImportRefused) else str(exc)
            self.ctx.audit.record(
                "import.failed", actor, detail={"source": parsed.source, "error": message[:500]}
            )
            raise
        report.warnings = list(parsed.warnings)
        if (hand_over and not partial and len(report.added) == len(parsed.entities)
                and self.entities.count_entities(dataset=parsed.dataset)
                == len(parsed.entities)):
            report.entities = parsed.entities
        try:
            self.changed(report)
        finally:
            report.entities = None
        return report

    def remove_dataset(self, actor: Actor, dataset: str, *, reason: str) -> ImportReport:
        """Remove a list deliberately: its records and values are deleted (their history,
        imports and the audit entry stay); audited as ``dataset.remove``; the listeners are
        told as after an import that delisted every record (the match index drops them,
        subscribed peers get the delisting)."""
        self.ctx.require(actor, "import")
        if not reason.strip():
            raise InvalidInput("removing a dataset needs a reason")
        held = self.entities.count_entities(dataset=dataset, status="listed")
        with self.ctx.store.begin() as conn:
            ids = self.entities.remove_dataset(conn, dataset, {"reason": reason.strip(),
                                                               "actor": actor.name})
            self.ctx.audit.record(
                "dataset.remove", actor, conn=conn, result_ids=ids[:1000],
                detail={"dataset": dataset, "entities": len(ids), "listed": held,
                        "reason": reason.strip()},
            )
        report = ImportReport(dataset=dataset, source=f"removed by {actor.name}", version=None,
                              import_id=0, removed=ids, held_before=held)
        self.changed(report)
        return report

    def changed(self, report: ImportReport) -> None:
        """Tell the listeners the lists changed (after an import, or a peer's delisting)."""
        for listener in self.listeners:
            try:
                listener(report)
            except Exception:  # a listener's failure must not undo or hide a committed change
                log.exception("import listener %r failed", listener)

    def import_source(
        self,
        kind: str,
        source: str,
        actor: Actor,
        *,
        mapping: Path | None = None,
        dataset: str | None = None,
        version: str | None = None,
        publisher: str | None = None,
        progress: Progress | None = None,
        allow_older: bool = False,
        confirm: bool = False,
        dry_run: bool = False,
    ) -> ImportReport:
        """Parse and apply a list: ``un-sc`` (file or URL), ``ofac-sdn`` (a folder of OFAC's
        legacy CSV files), ``ftm`` (JSON lines), ``csv`` (with a mapping). ``version``: the
        list's version (its date) when the file states none (FtM, CSV); ``publisher``: who
        publishes it, instead of what the file states (``--source``)."""
        self.ctx.require(actor, "import")
        try:
            parsed = self.parse_source(
                kind, source, mapping=mapping, dataset=dataset, version=version,
                publisher=publisher, progress=progress,
            )
        except ImportFailed as exc:
            self.ctx.audit.record(
                "import.failed", actor, detail={"source": source, "error": exc.message[:500]}
            )
            raise
        return self.import_list(parsed, actor, progress=progress, allow_older=allow_older,
                                confirm=confirm, dry_run=dry_run, hand_over=True)

    def parse_source(
        self,
        kind: str,
        source: str,
        *,
        mapping: Path | None = None,
        dataset: str | None = None,
        version: str | None = None,
        publisher: str | None = None,
        progress: Progress | None = None,
    ) -> ParsedList:
        """Read a list without applying it; ``parsed.kind`` says the format read."""
        parsed = self._parse(kind, source, mapping=mapping, dataset=dataset, progress=progress)
        return stated(parsed, kind, version=version, publisher=publisher)

    def parse_bytes(self, kind: str, data: bytes, *, name: str, dataset: str | None = None,
                    version: str | None = None, publisher: str | None = None) -> ParsedList:
        """Read an uploaded list (the console's import): ``un-sc`` (the UN XML) or ``ftm``
        (JSON lines); ``name`` is the file's name, for messages and the list's source;
        ``publisher`` as ``--source`` says it."""
        if kind == "un-sc":
            parsed = un_sc.parse_un_sc(data, source_name=name)
        elif kind == "ftm":
            stem = Path(name).stem or "upload"
            parsed = ftm.parse_ftm(data.splitlines(), dataset=dataset or stem, source_name=name)
        else:
            raise InvalidInput(f"an uploaded list is un-sc or ftm, not {kind!r}")
        return stated(parsed, kind, version=version, publisher=publisher)

    def _parse(
        self,
        kind: str,
        source: str,
        *,
        mapping: Path | None,
        dataset: str | None,
        progress: Progress | None,
    ) -> ParsedList:
        if kind == "un-sc":
            if source.startswith(("http://", "https://")):
                data = fetch_source(source, self.ctx.settings.fetch_timeout,
                                    download=self.download)
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
        raise InvalidInput(f"unknown import kind {kind!r} ({', '.join(IMPORT_KINDS)})")

    def export_ftm(
        self, actor: Actor, dataset: str | None = None, include_delisted: bool = False
    ) -> Iterator[dict[str, Any]]:
        """Entities as FollowTheMoney objects (audited once the export is complete)."""
        self.ctx.require(actor, "export")
        count = 0
        status = None if include_delisted else "listed"
        for entity in self.entities.iter_entities(dataset=dataset, status=status):
            count += 1
            yield ftm.entity_to_ftm(entity)
        self.ctx.audit.record("export", actor, detail={"dataset": dataset, "entities": count})

    def ensure_un_list(
        self, actor: Actor, progress: Progress | None = None
    ) -> tuple[str, ImportReport | None]:
        """Load the UN list on first start: from the configured source, else the demo list.

        Returns (what happened, report): ``"present"`` when the store already holds the
        real list, ``"source"`` when it was loaded now, ``"demo"`` when the source could
        not be read and the fictional demo list (dataset ``un_sc_demo``) is in use. While
        only the demo is held, every start tries the real source again; once it loads,
        the demo records are delisted.
        """
        if self.entities.count_entities(dataset="un_sc") > 0:
            return "present", None
        source = self.ctx.settings.un_sc_source
        try:
            report = self.import_source("un-sc", source, actor, progress=progress)
        except Exception as exc:  # noqa: BLE001 - any failure to reach or read the source means demo
            log.warning("could not load the UN list from %s: %s", source, exc)
            self.last_source_error = str(exc)
        else:
            if self.entities.count_entities(dataset=DEMO_DATASET, status="listed"):
                demo = self.parse_source("un-sc", str(DEMO_LIST))
                self.import_list(as_demo(demo, entities=[]), actor, confirm=True)
            return "source", report
        if self.entities.count_entities(dataset=DEMO_DATASET) > 0:
            return "demo", None
        demo = self.parse_source("un-sc", str(DEMO_LIST), progress=progress)
        return "demo", self.import_list(as_demo(demo), actor)


def as_demo(parsed: ParsedList, entities: list[Entity] | None = None) -> ParsedList:
    """The demo list under its own dataset name, so it can never pass for the real UN list."""
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
        kind=parsed.kind,
        publisher=DEMO_PUBLISHER,
    )


def stated(parsed: ParsedList, kind: str, *, version: str | None = None,
           publisher: str | None = None) -> ParsedList:
    """The parsed list with its format and what the person importing it stated: the
    version (``--version``) and the publisher (``--source``), each over the file's own."""
    parsed.kind = kind
    if version is not None and version.strip():
        parsed.version = version.strip()
    if publisher is not None and publisher.strip():
        parsed.publisher = " ".join(publisher.split())[:200]
    return parsed


def same_publisher(held: str, new: str | None) -> bool:
    """Two statements of a list's publisher name the same one (case and spacing aside)."""
    def norm(text: str) -> str:
        return " ".join(text.split()).casefold()
    return new is not None and norm(held) == norm(new)
