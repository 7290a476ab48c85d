"""Read any payment file the node knows: ISO 20022 XML or SWIFT MT103, detected by content."""

from __future__ import annotations

from pathlib import Path

from ctnode.errors import MessageError, UnknownMessageType
from ctnode.model.messages import decode_text
from ctnode.payments.iso20022 import parse_iso20022
from ctnode.payments.model import PaymentMessage
from ctnode.payments.mt103 import check_type, looks_like_mt, parse_mt103


def parse_payments(data: bytes, *, validate: bool = False,
                   xsd_dir: Path | None = None) -> PaymentMessage:
    """Bytes of a pacs.008 / pain.001 XML file or MT103 FIN file → ``PaymentMessage``.

    Raises ``MessageError`` (an ``InvalidInput``) naming the line or element
    when the file cannot be read, ``UnknownMessageType`` for other messages.
    """
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n\x00")
    if not head:
        raise MessageError("empty payment file", "line 1")
    if head.startswith(b"<") or head.startswith(b"\xff\xfe<") or head.startswith(b"\xfe\xff"):
        return parse_iso20022(data, validate=validate, xsd_dir=xsd_dir)
    text = decode_text(data[:4096])
    if looks_like_mt(text):
        check_type(text)
        return parse_mt103(data)
    raise UnknownMessageType("not a payment message this node reads (ISO 20022 pacs.008 / "
                             "pain.001 XML or SWIFT MT103)", "line 1")
