"""Read any manifest the node knows: detect PAXLST, PNRGOV or a passport MRZ and parse it."""

from __future__ import annotations

from ctnode.errors import MessageError, UnknownMessageType
from ctnode.model.messages import decode_text
from ctnode.travel.edifact import tokenize
from ctnode.travel.model import Manifest
from ctnode.travel.mrz import looks_like_mrz, parse_mrz_manifest
from ctnode.travel.paxlst import parse_paxlst
from ctnode.travel.pnrgov import parse_pnrgov

# Largest manifest accepted, in bytes (a 1,000-passenger PAXLST is ~150 kB).
MAX_BYTES = 50 * 1024 * 1024


def parse_manifest(data: bytes) -> Manifest:
    """Bytes of a PAXLST, PNRGOV or MRZ text → ``Manifest``.

    Raises ``MessageError`` (an ``InvalidInput``) with the position when the
    file cannot be read at all, ``UnknownMessageType`` for other EDIFACT
    messages; anything skipped on the way is listed in ``Manifest.issues``.
    """
    if len(data) > MAX_BYTES:
        raise MessageError(f"manifest larger than {MAX_BYTES} bytes", "file")
    text = decode_text(data)
    if not text.strip():
        raise MessageError("empty manifest", "line 1")
    if looks_like_mrz(text):
        return parse_mrz_manifest(text)
    inter = tokenize(text)
    kinds = [seg for seg in inter.segments if seg.tag == "UNH"]
    if kinds:
        message = kinds[0].get(2, 0).upper()
        where = kinds[0].where(2)
    else:
        group = next((s for s in inter.segments if s.tag == "UNG"), None)
        message = group.get(1).upper() if group else ""
        where = group.where(1) if group else "segment 1"
    if message == "PAXLST":
        return parse_paxlst(inter)
    if message == "PNRGOV":
        return parse_pnrgov(inter)
    raise UnknownMessageType(
        f"message type {message or 'unknown'!r} is not read by this node "
        "(PAXLST and PNRGOV are)", where)
