"""The UN Security Council Consolidated List, in the UN's own XML format.

Input: a document whose root is ``CONSOLIDATED_LIST`` with
``INDIVIDUALS/INDIVIDUAL`` and ``ENTITIES/ENTITY`` records (schema
https://www.un.org/sc/resources/sc-sanctions.xsd). Output: one
:class:`~ctnode.model.entities.Entity` per record, id ``un_sc-<REFERENCE_NUMBER>``,
schema ``Person`` or ``Organization``, with FollowTheMoney property names.
``docs/formats.md`` lists which element becomes which property.

Safety. The file comes from outside, so the parser

* streams it (``lxml.etree.iterparse`` over the open file, in chunks) and frees
  each record once converted: memory stays bounded whatever the file size, and
  garbage fails at the first bad byte instead of after reading it all;
* refuses any ``<!DOCTYPE``/``<!ENTITY`` declaration before lxml sees it
  (XML external entities, "billion laughs" entity expansion), and parses with
  ``resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False``
  as a second line of defence (``huge_tree=False`` caps a text node at 10 MB);
* refuses, in the reader that feeds lxml, any run of more than
  ``MAX_MARKUP_BYTES`` without ``<`` or ``>`` and any comment, CDATA section or
  processing instruction left open that long: libxml2 would buffer such an
  unterminated token whole (2 GB in, 2 GB of memory) before failing;
* refuses a wrong root element, unexpected elements under the root, records
  with more than ``MAX_RECORD_ELEMENTS`` elements, more than ``MAX_RECORDS``
  records, records without a ``REFERENCE_NUMBER``, duplicate reference
  numbers and an empty list.

Every refusal is an :class:`~ctnode.errors.ImportFailed` naming the source and
the line, element and field; nothing is returned half-parsed.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from lxml import etree

from ctnode.errors import ImportFailed
from ctnode.ingest.base import Progress, collapse
from ctnode.ingest.un_sc_records import DATASET, Context, Node, read_record
from ctnode.model.entities import Entity
from ctnode.model.lists import ParsedList

TITLE = "UN Security Council Consolidated List"
# Who publishes every file of this format (the list's source identity, see ParsedList).
PUBLISHER = "UN Security Council"
ROOT_TAG = "CONSOLIDATED_LIST"
# The fictional demo list in the same format (loaded when the real list is unreachable).
DEMO_LIST = Path(__file__).resolve().parents[1] / "demo" / "demo-un-sc.xml"
# collection element -> (record element, FtM schema)
COLLECTIONS: dict[str, tuple[str, str]] = {
    "INDIVIDUALS": ("INDIVIDUAL", "Person"),
    "ENTITIES": ("ENTITY", "Organization"),
}
# A real record has under 150 elements; anything far above is not a UN record.
MAX_RECORD_ELEMENTS = 5_000
# Bytes read from the source per chunk handed to the XML parser.
CHUNK_SIZE = 64 * 1024
# Longest tag, attribute, comment, CDATA section or run of text accepted (a UN record is ~5 kB).
MAX_MARKUP_BYTES = 16 * 1024 * 1024
# A UN list holds about a thousand records; far more is not a UN list.
MAX_RECORDS = 200_000
# Reference numbers become part of entity ids and URLs: keep them plain.
# Declarations that enable entity tricks; refused anywhere before the root element.
_FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY")
_FORBIDDEN_ALL = tuple(
    pat.decode("ascii").encode(enc) for pat in _FORBIDDEN for enc in ("utf-8", "utf-16-le",
                                                                      "utf-16-be")
)
_SPECIAL_OPEN = (b"<!--", b"<![CDATA[", b"<?")
_SPECIAL_CLOSE = (b"-->", b"]]>", b"?>")
# Elements of a record that are read (everything else is reported once as unknown).
class _Refused(Exception):
    """Raised inside the stream reader; turned into ImportFailed by the parser."""


class _GuardedReader:
    """File-like wrapper between the source and lxml that enforces the byte-level limits.

    lxml pulls data through :meth:`read`; each chunk is checked *before* lxml
    gets it:

    * no ``<!DOCTYPE``/``<!ENTITY`` before the root element (so no DTD is ever
      parsed);
    * no run of more than ``MAX_MARKUP_BYTES`` without a ``<`` or without a
      ``>``, and no comment, CDATA section or processing instruction left open
      for more than ``MAX_MARKUP_BYTES``. libxml2 buffers an unterminated
      comment, attribute value, name or CDATA section whole before failing
      (2 GB of ``<!--aaaa...`` took 2 GB of memory); text nodes it already caps
      at 10 MB (``huge_tree=False``).
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.bytes_read = 0
        self.root_seen = False
        self._tail = b""
        self._last_lt = 0  # offset just after the last "<" seen
        self._last_gt = 0  # offset just after the last ">" seen
        self._open_specials = 0  # comments/CDATA/PIs opened and not yet closed
        self._special_since = 0  # offset where the oldest still-open one started

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(CHUNK_SIZE if size is None or size < 0 else min(size, CHUNK_SIZE))
        if not data:
            return data
        start = self.bytes_read
        self.bytes_read += len(data)
        window = self._tail + data
        if not self.root_seen:
            for pattern in _FORBIDDEN_ALL:
                if pattern in window:
                    raise _Refused(
                        "contains a DOCTYPE or ENTITY declaration; DTDs and entities are refused "
                        "(protection against XML external entities and entity expansion)"
                    )
        lt, gt = data.rfind(b"<"), data.rfind(b">")
        if lt < 0 and self.bytes_read - self._last_lt > MAX_MARKUP_BYTES:
            raise _Refused(f"more than {MAX_MARKUP_BYTES} bytes without markup at byte {start}; "
                           "not a UN list")
        if gt < 0 and self.bytes_read - self._last_gt > MAX_MARKUP_BYTES:
            raise _Refused(f"a tag, comment or attribute runs over {MAX_MARKUP_BYTES} bytes at "
                           f"byte {start}; not a UN list")
        if lt >= 0:
            self._last_lt = start + lt + 1
        if gt >= 0:
            self._last_gt = start + gt + 1
        # Count openers and closers that end inside ``data`` (the tail was counted before).
        tail = self._tail
        opened = sum(window.count(p) - tail.count(p) for p in _SPECIAL_OPEN)
        closed = sum(window.count(p) - tail.count(p) for p in _SPECIAL_CLOSE)
        if opened or closed:
            was_open = self._open_specials > 0
            self._open_specials = max(0, self._open_specials + opened - closed)
            if self._open_specials and not was_open:
                self._special_since = start
        if self._open_specials and self.bytes_read - self._special_since > MAX_MARKUP_BYTES:
            raise _Refused(f"a comment, CDATA section or processing instruction opened near byte "
                           f"{self._special_since} runs over {MAX_MARKUP_BYTES} bytes; "
                           "not a UN list")
        self._tail = window[-16:]
        return data


@contextmanager
def _open(source: str | Path | bytes | IO[bytes], name: str) -> Iterator[tuple[IO[bytes], int]]:
    if isinstance(source, bytes | bytearray):
        yield io.BytesIO(bytes(source)), len(source)
        return
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            total = os.path.getsize(path)
            fh = path.open("rb")
        except FileNotFoundError:
            raise ImportFailed(f"{name}: file not found") from None
        except IsADirectoryError:
            raise ImportFailed(f"{name}: is a directory, not a file") from None
        except OSError as exc:
            raise ImportFailed(f"{name}: cannot be read ({exc.strerror})") from None
        with fh:
            yield fh, total
        return
    yield source, 0


def _local(tag: Any) -> str:
    if not isinstance(tag, str):  # comments and processing instructions
        return ""
    return tag if "}" not in tag else tag.rsplit("}", 1)[-1]


def parse_un_sc(
    source: str | Path | bytes | IO[bytes],
    *,
    source_name: str | None = None,
    progress: Progress | None = None,
) -> ParsedList:
    """Parse a UN SC Consolidated List.

    ``source`` is a file path, the XML as bytes (or as a ``str`` starting with
    ``<``), or an open binary file. ``source_name`` is what messages and
    ``ParsedList.source`` call it (default: the path, or ``<bytes>``).
    ``progress(bytes_read, bytes_total)`` is called every 100 records and at
    the end (``bytes_total`` is 0 for an open file of unknown size).
    """
    if isinstance(source, str) and source.lstrip().startswith("<"):
        source = source.encode("utf-8")
    if source_name is None:
        source_name = str(source) if isinstance(source, str | Path) else "<bytes>"
    ctx = Context(name=source_name)
    with _open(source, source_name) as (fh, total):
        reader = _GuardedReader(fh)
        version, entities = _parse_stream(reader, total, ctx, progress)
    if not entities:
        raise ImportFailed(f"{source_name}: the list holds no INDIVIDUAL or ENTITY records; "
                           "refusing an empty list (it would delist everything)")
    for tag in sorted(ctx.unknown_fields):
        ctx.warn("list.un.unknown_element", source=source_name, tag=tag)
    return ParsedList(dataset=DATASET, title=TITLE, version=version, source=source_name,
                      entities=entities, warnings=ctx.warnings, publisher=PUBLISHER)


def _iterparse(stream: Any) -> Any:
    """lxml's streaming parser with every entity, DTD and network feature off."""
    return etree.iterparse(
        stream, events=("start", "end"), resolve_entities=False, load_dtd=False,
        no_network=True, huge_tree=False, dtd_validation=False, remove_comments=True,
        remove_pis=True, recover=False,
    )


def _parse_stream(reader: _GuardedReader, total: int, ctx: Context,
                  progress: Progress | None) -> tuple[str | None, list[Entity]]:
    name = ctx.name
    parser = _iterparse(reader)
    entities: list[Entity] = []
    seen: dict[str, tuple[int, int]] = {}  # reference -> (record position, line)
    collections_seen: set[str] = set()
    record: Node | None = None  # the record being read, built from the parse events
    stack: list[Node] = []
    version: str | None = None
    depth = 0
    collection: str | None = None
    record_elements = 0
    try:
        for event, el in parser:
            if event == "start":
                depth += 1
                if depth == 1:
                    reader.root_seen = True
                    _check_root(el, name)
                    version = collapse(el.get("dateGenerated")) or None
                elif depth == 2:
                    tag = _local(el.tag)
                    if tag not in COLLECTIONS:
                        raise ImportFailed(
                            f"{name}: line {el.sourceline}: unexpected element <{tag}> under "
                            f"<{ROOT_TAG}> (expected INDIVIDUALS or ENTITIES)")
                    if tag in collections_seen:
                        raise ImportFailed(
                            f"{name}: line {el.sourceline}: second <{tag}> element; a UN list "
                            "has one")
                    collections_seen.add(tag)
                    collection = tag
                elif depth == 3:
                    assert collection is not None
                    expected = COLLECTIONS[collection][0]
                    if _local(el.tag) != expected:
                        raise ImportFailed(
                            f"{name}: line {el.sourceline}: unexpected element "
                            f"<{_local(el.tag)}> in <{collection}> (expected <{expected}>)")
                    record_elements = 0
                    record = Node(expected, el.sourceline or 0)
                    stack = [record]
                    if len(entities) >= MAX_RECORDS:
                        raise ImportFailed(
                            f"{name}: line {el.sourceline}: more than {MAX_RECORDS} records; "
                            "not a UN list")
                elif depth > 3:
                    record_elements += 1
                    if record_elements > MAX_RECORD_ELEMENTS:
                        raise ImportFailed(
                            f"{name}: line {el.sourceline}: record #{len(entities) + 1} has more "
                            f"than {MAX_RECORD_ELEMENTS} elements; not a UN list record")
                    stack.append(stack[-1].add(_local(el.tag)))
                continue
            # event == "end"
            if depth >= 3 and stack:
                stack.pop().text = el.text
            depth -= 1
            if depth == 2:
                assert collection is not None
                position = len(entities) + 1
                assert record is not None
                entity = read_record(record, COLLECTIONS[collection][1], position, ctx)
                ref = entity.reference or ""
                if ref in seen:
                    first_pos, first_line = seen[ref]
                    raise ImportFailed(
                        f"{name}: line {el.sourceline}: {_local(el.tag)} record #{position} "
                        f"(DATAID {collapse(el.findtext('DATAID')) or 'missing'}) repeats "
                        f"REFERENCE_NUMBER {ref} of record #{first_pos} (line {first_line})")
                seen[ref] = (position, el.sourceline or 0)
                entities.append(entity)
                # Free the converted record and everything before it.
                el.clear(keep_tail=True)
                parent = el.getparent()
                if parent is not None:
                    while el.getprevious() is not None:
                        del parent[0]
                if progress is not None and position % 100 == 0:
                    progress(reader.bytes_read, total)
            elif depth == 1:
                collection = None
                el.clear(keep_tail=True)
    except _Refused as exc:
        raise ImportFailed(f"{name}: {exc}") from None
    except etree.XMLSyntaxError as exc:
        line, column = (exc.position if exc.position else (exc.lineno, 0))
        raise ImportFailed(
            f"{name}: not well-formed XML at line {line}, column {column}: {exc.msg}") from None
    if depth != 0 or not reader.root_seen:
        raise ImportFailed(f"{name}: the XML document ended early (truncated file?)")
    if progress is not None:
        progress(reader.bytes_read, total or reader.bytes_read)
    return version, entities


def _check_root(el: Any, name: str) -> None:
    tree = el.getroottree()
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise ImportFailed(f"{name}: contains a DOCTYPE declaration; DTDs and entities are refused")
    tag = _local(el.tag)
    if tag != ROOT_TAG:
        raise ImportFailed(
            f"{name}: line {el.sourceline}: root element is <{tag}>, expected <{ROOT_TAG}>; "
            "this is not a UN Security Council Consolidated List")
