"""SWIFT MT103 (FIN single customer credit transfer) → ``PaymentMessage``.

Reads one or more messages (``{1:}{2:}{3:}{4:...-}{5:}`` blocks, or a bare
block 4 starting at ``:20:``). Parties: ordering customer 50A/F/K, beneficiary
59/59A/59F, institutions 51A, 52A/D, 53A/B/D, 54A/B/D, 55A/B/D, 56A/C/D,
57A/B/C/D. Structured 50F/59F line codes (1/ name, 2/ address, 3/ country and
town, 4/ date of birth, 5/ place of birth, 6/ customer identification, 7/
national identity number, 8/ continuation) are read; free-format names cut at
35 characters are joined with the next line (both with and without a blank,
since FIN cannot say which was meant); 70/72 narratives are joined the same way.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise

from ctnode.errors import MessageError, UnknownMessageType
from ctnode.model.messages import Issue, decode_text
from ctnode.payments.model import Identifier, Party, PaymentMessage, Transaction

LINE = 35
MAX_BYTES = 50 * 1024 * 1024
_FIELD = re.compile(r"^:(\d{2}[A-Z]?):(.*)$")
_BLOCK2 = re.compile(r"\{2:([IO])(\d{3})")
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
    for line_no, chunk in _split_messages(text):
        if not chunk.strip():
            continue
        block2 = _BLOCK2.search(chunk)
        if block2 and block2.group(2) != "103":
            msg.issues.append(Issue("error", f"MT{block2.group(2)} is not read (MT103 is); skipped",
                                    f"line {line_no}", skipped=True))
            continue
        start = chunk.find("{4:")
        body = chunk[start + 3:] if start >= 0 else chunk
        end = body.find("\n-}")
        if end < 0:
            end = body.find("-}")
            if end < 0:
                if start >= 0:
                    msg.issues.append(Issue("warning", "block 4 not closed by '-}': truncated?",
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
            msg.issues.append(Issue("warning", f"text before the first field ignored: "
                                    f"{line[:30]!r}", f"line {first_line + offset}"))
    if not fields:
        raise MessageError("block 4 holds no fields", f"line {first_line}")
    tags = {tag for tag, _, _ in fields}
    if "20" not in tags:
        msg.issues.append(Issue("warning", "mandatory field :20: missing", f"line {first_line}"))
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
        msg.issues.append(Issue("warning", f":32A: {value!r} unreadable", where))
        return
    try:
        d = date(2000 + int(m.group(1)[:2]), int(m.group(1)[2:4]), int(m.group(1)[4:6]))
        tx.date = d.isoformat()
    except ValueError:
        msg.issues.append(Issue("warning", f"value date {m.group(1)!r} invalid", where))
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
        msg.issues.append(Issue("warning", f"{role} without a name", where))
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
            msg.issues.append(Issue("warning", f"line {line[:20]!r} has no number code "
                                    "(expected 1/ to 8/)", where))
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
