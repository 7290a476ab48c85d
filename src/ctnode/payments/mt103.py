"""SWIFT MT103 (FIN single customer credit transfer) → ``PaymentMessage``.

Reads one or more messages (``{1:}{2:}{3:}{4:...-}{5:}`` blocks, or a bare
block 4 starting at ``:20:``). Parties: ordering customer 50A/F/K, beneficiary
59/59A/59F, institutions 51A, 52A/D, 53A/B/D, 54A/B/D, 55A/B/D, 56A/C/D,
57A/B/C/D. Structured 50F/59F line codes (1/ name, 2/ address, 3/ country and
town, 4/ date of birth, 5/ place of birth, 6/ customer identification, 7/
national identity number, 8/ continuation) are read; free-format names cut at
35 characters are joined with the next line (both with and without a blank,
since FIN cannot say which was meant); 70/72 narratives are joined the same way.

The envelope is checked too, each problem reported with its line and column: a block 1
or 2 that is not what FIN writes (``{1:F01`` + 12-character logical terminal + session
and sequence numbers; ``{2:I103`` + 12-character address + priority, or the output form),
a block 3 or 5 not closed, a block 4 missing; the message is still read (as MT103) and
screened. Text between messages (after one's ``-}`` and trailers, before the next
``{1:``) and before the first is not a message: it is reported as skipped, never
ignored in silence.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from typing import Any

from ctnode.errors import MessageError, UnknownMessageType
from ctnode.model.messages import Issue, decode_text
from ctnode.payments.model import Identifier, Party, PaymentMessage, Transaction

LINE = 35
MAX_BYTES = 50 * 1024 * 1024
_FIELD = re.compile(r"^:(\d{2}[A-Z]?):(.*)$")
_BLOCK2 = re.compile(r"\{2:([IO])(\d{3})")
_B1 = re.compile(r"\{1:[FAL]\d{2}[A-Z0-9]{12}\d{4}\d{6}\}")
_B2 = re.compile(r"\{2:(?:I\d{3}[A-Z0-9]{12}[SUN]?[123]?(?:\d{3})?"
                 r"|O\d{3}\d{4}\d{6}[A-Z0-9]{12}\d{4}\d{6}\d{6}\d{4}[SUN]?)\}")
_SUB_BLOCK = re.compile(r"\{[A-Za-z0-9]{1,3}:[^{}]*\}")
_BIC = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_PARTY_IDS = {"ARNU", "CCPT", "CUST", "DRLC", "EMPL", "NIDN", "SOSE", "TXID"}
INSTITUTIONS = {
    "51": "sending institution", "52": "ordering institution", "53": "sender's correspondent",
    "54": "receiver's correspondent", "55": "third reimbursement institution",
    "56": "intermediary institution", "57": "account with institution",
}


def _split_messages(text: str) -> list[tuple[int, str]]:
    """(line number, text) of each message in a file."""
    starts = [m.start() for m in re.finditer(r"\{1:", text)]
    if not starts:
        return [(1, text)]
    bounds = [*starts, len(text)]
    return [(text.count("\n", 0, a) + 1, text[a:b]) for a, b in pairwise(bounds)]


def _join(lines: list[str]) -> list[str]:
    """Join lines cut at 35 characters: (without blank, with blank) when a line is full."""
    if not lines:
        return []
    tight, loose = lines[0], lines[0]
    for prev, line in pairwise(lines):
        if len(prev) >= LINE:
            tight, loose = tight + line, loose + " " + line
        else:
            tight, loose = tight + " " + line, loose + " " + line
    return [tight] if tight == loose else [tight, loose]


def parse_mt103(data: bytes) -> PaymentMessage:
    """Bytes of one or more MT103 messages → ``PaymentMessage`` (one transaction each)."""
    if len(data) > MAX_BYTES:
        raise MessageError(f"FIN file larger than {MAX_BYTES} bytes", "file")
    text = decode_text(data)
    msg = PaymentMessage(format="MT103")
    check_envelope(text, msg)
    for line_no, chunk in _split_messages(text):
        if not chunk.strip():
            continue
        block2 = _BLOCK2.search(chunk)
        if block2 and block2.group(2) != "103":
            msg.issues.append(Issue.of("error", "issue.mt103.other_type", f"line {line_no}",
                                       skipped=True, type=block2.group(2)))
            continue
        start = chunk.find("{4:")
        body = chunk[start + 3:] if start >= 0 else chunk
        end = body.find("\n-}")
        if end < 0:
            end = body.find("-}")
            if end < 0:
                if start >= 0:
                    msg.issues.append(Issue.of("warning", "issue.mt103.block4_open",
                                               f"line {line_no}"))
                end = len(body)
        body = body[:end]
        first_line = line_no + chunk.count("\n", 0, max(start, 0))
        try:
            tx = _parse_block4(body, first_line, msg)
        except MessageError as exc:
            msg.issues.append(Issue("error", exc.message, f"line {line_no}", skipped=True))
            continue
        uetr = re.search(r"\{121:([0-9a-fA-F-]{36})\}", chunk)
        tx.uetr = uetr.group(1) if uetr else None
        msg.transactions.append(tx)
    if msg.transactions:
        msg.message_id = msg.transactions[0].ref
    if not msg.transactions and not msg.issues:
        raise MessageError("no MT103 message found (expected block 4 with :20:)", "line 1")
    if not msg.transactions and not any(i.skipped for i in msg.issues):
        raise MessageError("no MT103 message could be read", "line 1")
    return msg


def _at(text: str, offset: int) -> str:
    """``line L column C`` of an offset in the file's text."""
    line = text.count("\n", 0, offset) + 1
    return f"line {line} column {offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def _shown(text: str, start: int, size: int = 24) -> str:
    """The text at ``start`` as the error quotes it: the block up to its ``}`` when near,
    else ``size`` characters, never past the line's end."""
    close = text.find("}", start)
    end = close + 1 if 0 <= close < start + 60 and text[start:start + 1] == "{" else start + size
    return repr(text[start:end].split("\n")[0])


def _nested(text: str, pos: int) -> int | None:
    """End of a block of sub-blocks (``{3:{108:X}{121:Y}}``) starting at ``pos``, or None
    when it is not closed as FIN writes it."""
    p = pos + 3
    while True:
        m = _SUB_BLOCK.match(text, p)
        if m is None:
            break
        p = m.end()
    return p + 1 if text.startswith("}", p) else None


def check_envelope(text: str, msg: PaymentMessage) -> None:
    """Check the blocks around each message's block 4; add an issue with the position of
    each problem (see the module's text). A file of a bare block 4 is not checked."""
    first = text.find("{1:")
    if first < 0:
        return
    if text[:first].strip():
        lead = len(text) - len(text.lstrip())
        msg.issues.append(Issue.of("error", "issue.mt103.before_first", _at(text, lead),
                                   skipped=True, text=_shown(text, lead)))
    pos = first
    while pos < len(text):
        pos = _check_one(text, pos, msg)
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        if not text.startswith("{1:", pos):
            nxt = text.find("{1:", pos)
            end = nxt if nxt >= 0 else len(text)
            msg.issues.append(Issue.of("error", "issue.mt103.between", _at(text, pos),
                                       skipped=True, text=_shown(text, pos), n=end - pos))
            pos = end


def _check_one(text: str, pos: int, msg: PaymentMessage) -> int:
    """Check one message's blocks from its ``{1:``; return the offset after its last block."""
    def problem(code: str, at: int, **values: Any) -> None:
        msg.issues.append(Issue.of("warning", code, _at(text, at), **values))

    def header(block: re.Pattern[str], number: int, pos: int, expected: str,
               code: str = "issue.mt103.block_malformed") -> int:
        """Past a header block; a malformed one is reported and skipped to its ``}``."""
        m = block.match(text, pos)
        if m is not None:
            return m.end()
        problem(code, pos, n=number, text=_shown(text, pos), expected=expected)
        close = text.find("}", pos)
        return close + 1 if close >= 0 and "{" not in text[pos + 1:close] else pos + 3

    pos = header(_B1, 1, pos, "{1:F01, a 12-character logical terminal, a 4-digit session and a "
                 "6-digit sequence number}")
    if text.startswith("{2:", pos):
        pos = header(_B2, 2, pos, "{2:I103 and a 12-character address, or the output form "
                     "{2:O103…}", "issue.mt103.block2_malformed")
    else:
        problem("issue.mt103.no_block2", pos)
    if text.startswith("{3:", pos):
        end = _nested(text, pos)
        if end is None:
            problem("issue.mt103.block3_open", pos)
            block4 = text.find("{4:", pos)
            pos = block4 if block4 >= 0 else len(text)
        else:
            pos = end
    if not text.startswith("{4:", pos):
        problem("issue.mt103.no_block4", pos, text=_shown(text, pos))
        block4 = text.find("{4:", pos)
        nxt = text.find("{1:", pos + 1)
        if block4 < 0 or (0 <= nxt < block4):
            return nxt if nxt >= 0 else len(text)
        pos = block4
    end = text.find("\n-}", pos)
    end = end + 3 if end >= 0 else (text.find("-}", pos) + 2 if "-}" in text[pos:] else -1)
    nxt = text.find("{1:", pos + 1)
    if end < 2 or (0 <= nxt < end):
        return nxt if nxt >= 0 else len(text)  # an unclosed block 4 is reported when read
    pos = end
    while text.startswith(("{5:", "{S:"), pos):
        trailer_end = _nested(text, pos)
        if trailer_end is None:
            problem("issue.mt103.trailer_open", pos, block=text[pos + 1])
            nxt = text.find("{1:", pos + 1)
            return nxt if nxt >= 0 else len(text)
        pos = trailer_end
    return pos


def _parse_block4(body: str, first_line: int, msg: PaymentMessage
                  ) -> Transaction:
    fields: list[tuple[str, list[str], int]] = []
    for offset, raw in enumerate(body.replace("\r", "").split("\n")):
        line = raw.rstrip()
        if not line:
            continue
        m = _FIELD.match(line)
        if m:
            fields.append((m.group(1), [m.group(2)] if m.group(2) else [], first_line + offset))
        elif fields:
            fields[-1][1].append(line)
        elif line.strip():
            msg.issues.append(Issue.of("warning", "issue.mt103.before_field",
                                       f"line {first_line + offset}", text=repr(line[:30])))
    if not fields:
        raise MessageError("block 4 holds no fields", f"line {first_line}")
    tags = {tag for tag, _, _ in fields}
    if "20" not in tags:
        msg.issues.append(Issue.of("warning", "issue.mt103.no_20", f"line {first_line}"))
    tx = Transaction(ref="", where=f"line {first_line}")
    for tag, lines, line_no in fields:
        where = f"field :{tag}: line {line_no}"
        content = "\n".join(lines)
        tx.texts.append((where, content))
        if len(lines) > 1:
            tx.texts.append((f"{where} (joined)", "".join(lines)))
        num, option = tag[:2], tag[2:]
        if tag == "20":
            tx.ref = lines[0].strip() if lines else ""
        elif tag == "32A":
            _amount(lines[0] if lines else "", tx, where, msg)
        elif num == "50":
            tx.parties.append(_customer(lines, option, "ordering customer", where, msg))
        elif num == "59":
            tx.parties.append(_customer(lines, option, "beneficiary", where, msg))
        elif num in INSTITUTIONS:
            tx.parties.append(_institution(lines, option, INSTITUTIONS[num], where))
        elif tag in {"70", "72"}:
            tx.remittance.extend(_narrative(lines))
        elif tag == "26T":
            tx.purpose = lines[0] if lines else None
    tx.ref = tx.ref or f"line {first_line}"
    return tx


def _amount(value: str, tx: Transaction, where: str, msg: PaymentMessage) -> None:
    m = re.match(r"^(\d{6})([A-Z]{3})([\d,]+)$", value.strip())
    if not m:
        msg.issues.append(Issue.of("warning", "issue.mt103.32a", where, value=repr(value)))
        return
    try:
        d = date(2000 + int(m.group(1)[:2]), int(m.group(1)[2:4]), int(m.group(1)[4:6]))
        tx.date = d.isoformat()
    except ValueError:
        msg.issues.append(Issue.of("warning", "issue.mt103.value_date", where,
                                   value=repr(m.group(1))))
    tx.currency = m.group(2)
    tx.amount = m.group(3).replace(",", ".").rstrip(".")


def _narrative(lines: list[str]) -> list[str]:
    """70/72 lines as readable text: ``//`` continues a code word, 35-char lines are glued."""
    chunks: list[str] = []
    prev = ""
    for line in lines:
        cont = line.startswith("//")
        piece = line[2:] if cont else line
        if chunks and (cont or len(prev) >= LINE):
            chunks[-1] += ("" if len(prev) >= LINE else " ") + piece
        else:
            chunks.append(piece)
        prev = line
    return [c.strip() for c in chunks if c.strip()]


def _account_line(lines: list[str], party: Party) -> list[str]:
    if lines and lines[0].startswith("/"):
        account = lines[0][1:].strip()
        if account.startswith(("C/", "D/")):
            account = account[2:]
        if account:
            scheme = "IBAN" if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", account) else "ACCOUNT"
            party.identifiers.append(Identifier(scheme, account))
        return lines[1:]
    return lines


def _customer(lines: list[str], option: str, role: str, where: str,
              msg: PaymentMessage) -> Party:
    party = Party(role=role, kind="party", where=where)
    if option == "A":
        rest = _account_line(lines, party)
        if rest:
            party.identifiers.append(Identifier("BIC", rest[0].strip()))
        party.schema = "Organization"
        return party
    if option == "F":
        return _structured(lines, party, where, msg)
    rest = _account_line(lines, party)
    if not rest:
        msg.issues.append(Issue.of("warning", "issue.no_name", where, role=role))
        return party
    if len(rest[0]) >= LINE and len(rest) > 1 and not rest[1][:1].isdigit():
        # A full first line probably goes on: joined both ways, and the line alone last.
        names, address = [*_join(rest[:2]), rest[0]], rest[2:]
    else:
        names, address = [rest[0]], rest[1:]
    party.name = names[0]
    party.names = names
    party.address = address
    return party


def _structured(lines: list[str], party: Party, where: str, msg: PaymentMessage) -> Party:
    """50F / 59F: party identifier or account, then numbered lines."""
    first = lines[0] if lines else ""
    rest = lines[1:]
    if first.startswith("/"):
        _account_line([first], party)
    elif "/" in first and first.split("/", 1)[0] in _PARTY_IDS:
        code, _, value = first.partition("/")
        country, _, ident = value.partition("/")
        party.identifiers.append(Identifier(code, ident or value, country or None))
    else:
        rest = lines
    name_parts: list[str] = []
    for line in rest:
        code, sep, value = line.partition("/")
        if not sep or not code.isdigit():
            msg.issues.append(Issue.of("warning", "issue.mt103.no_code", where,
                                       line=repr(line[:20])))
            continue
        if code == "1":
            name_parts.append(value)
        elif code == "2":
            party.address.append(value)
        elif code == "3":
            country, _, town = value.partition("/")
            party.country = country or None
            if town:
                party.address.append(town)
        elif code == "4" and re.fullmatch(r"\d{8}", value):
            party.birth_date = f"{value[:4]}-{value[4:6]}-{value[6:]}"
            party.schema = "Person"
        elif code == "5":
            country, _, town = value.partition("/")
            party.birth_country, party.birth_place = country or None, town or None
            party.schema = "Person"
        elif code == "6":
            parts = value.split("/")
            if len(parts) >= 3:
                party.identifiers.append(Identifier(parts[1], "/".join(parts[2:]), parts[0]))
            elif value:
                party.identifiers.append(Identifier("CUST", value))
        elif code == "7":
            country, _, ident = value.partition("/")
            party.identifiers.append(Identifier("NIDN", ident or value, country or None))
            party.schema = "Person"
        elif code == "8" and party.identifiers:
            prior = party.identifiers[-1]
            party.identifiers[-1] = Identifier(prior.scheme, prior.value + value, prior.issuer)
    if name_parts:
        # Each "1/" line holds up to 33 characters; a full one may continue mid-word.
        tight, loose = name_parts[0], name_parts[0]
        for prev, part in pairwise(name_parts):
            tight += ("" if len(prev) >= LINE - 2 else " ") + part
            loose += " " + part
        party.name = tight
        party.names = [tight] if tight == loose else [tight, loose]
        if "," in tight and party.schema != "Organization":
            last, _, given = tight.partition(",")
            if last.strip() and given.strip():
                party.names.append(f"{given.strip()} {last.strip()}")
    return party


def _institution(lines: list[str], option: str, role: str, where: str) -> Party:
    party = Party(role=role, kind="agent", schema="Organization", where=where)
    rest = _account_line(lines, party)
    if option == "A" and rest:
        party.identifiers.append(Identifier("BIC", rest[0].strip()))
    elif option in {"D", "B", "C"} and rest:
        if option == "D":
            party.name = rest[0]
            party.names = [rest[0]]
            party.address = rest[1:]
        else:
            party.address = rest
    elif rest and _BIC.match(rest[0].strip()):
        party.identifiers.append(Identifier("BIC", rest[0].strip()))
    return party


def looks_like_mt(text: str) -> bool:
    head = text.lstrip()[:200]
    return head.startswith("{1:") or head.startswith(":20:")


def check_type(text: str) -> None:
    m = _BLOCK2.search(text[:400])
    if m and m.group(2) != "103" and text.count("{1:") <= 1:
        raise UnknownMessageType(f"MT{m.group(2)} is not read by this node (MT103 is)",
                                 "block 2")
