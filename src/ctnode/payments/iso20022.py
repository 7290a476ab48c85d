"""ISO 20022 customer credit transfers → ``PaymentMessage``.

Reads pacs.008 (FIToFICstmrCdtTrf) and pain.001 (CstmrCdtTrfInitn) of any
version, with or without a business application header (``AppHdr``, head.001)
and any envelope around them, in the ISO namespaces or a national one (e.g.
the Swiss ``...pain.001.001.03.ch.02.xsd``): elements are found by local name.
Old and new element names (``BIC``/``BICFI``, ``BICOrBEI``/``AnyBIC``) are both read.

XML is parsed hardened: no DTD (a DOCTYPE is refused, so no entity expansion,
no XML bomb), no network, no huge trees, a size limit. Validation against the
official XSDs (``xmlschema``) is optional and reported as issues.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from ctnode.errors import MessageError, UnknownMessageType
from ctnode.model.messages import Issue, xml_as_utf8
from ctnode.payments.model import Identifier, Party, PaymentMessage, Transaction

# Largest ISO 20022 file accepted, in bytes.
MAX_BYTES = 100 * 1024 * 1024
_VERSION = re.compile(r"(pacs|pain|head)\.(\d{3})\.(\d{3})\.(\d{2})")
_ROOTS = {"FIToFICstmrCdtTrf": "pacs.008", "CstmrCdtTrfInitn": "pain.001"}
PARTY_ROLES = {
    "InitgPty": "initiating party",
    "UltmtDbtr": "ultimate debtor",
    "Dbtr": "debtor",
    "Cdtr": "creditor",
    "UltmtCdtr": "ultimate creditor",
}
AGENT_ROLES = {
    "InstgAgt": "instructing agent",
    "InstdAgt": "instructed agent",
    "DbtrAgt": "debtor agent",
    "CdtrAgt": "creditor agent",
    "PrvsInstgAgt1": "previous instructing agent 1",
    "PrvsInstgAgt2": "previous instructing agent 2",
    "PrvsInstgAgt3": "previous instructing agent 3",
    "IntrmyAgt1": "intermediary agent 1",
    "IntrmyAgt2": "intermediary agent 2",
    "IntrmyAgt3": "intermediary agent 3",
    "InstgRmbrsmntAgt": "instructing reimbursement agent",
    "InstdRmbrsmntAgt": "instructed reimbursement agent",
    "ThrdRmbrsmntAgt": "third reimbursement agent",
}
ACCOUNTS = {"DbtrAcct": "Dbtr", "CdtrAcct": "Cdtr", "UltmtDbtrAcct": "UltmtDbtr",
            "DbtrAgtAcct": "DbtrAgt", "CdtrAgtAcct": "CdtrAgt", "IntrmyAgt1Acct": "IntrmyAgt1",
            "IntrmyAgt2Acct": "IntrmyAgt2", "IntrmyAgt3Acct": "IntrmyAgt3"}
_PARSER_OPTS: dict[str, Any] = dict(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
    huge_tree=False, remove_comments=True, remove_pis=True, collect_ids=False,
)


# "{namespace}Name" -> "Name": a message repeats a few dozen tags thousands of times (60,000
# look-ups in a 300-transfer pacs.008); emptied when it holds _LOCAL_NAMES_MAX tags
_LOCAL_NAMES: dict[object, str] = {}
_LOCAL_NAMES_MAX = 4096


def _ln(el: Any) -> str:
    tag = el.tag
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
        if len(_LOCAL_NAMES) >= _LOCAL_NAMES_MAX:
            _LOCAL_NAMES.clear()
        _LOCAL_NAMES[tag] = name
    return name


def _kids(el: Any, name: str) -> list[Any]:
    return [c for c in el if _ln(c) == name]


def _kid(el: Any, *path: str) -> Any:
    cur = el
    for name in path:
        if cur is None:
            return None
        cur = next((c for c in cur if _ln(c) == name), None)
    return cur


def _text(el: Any, *path: str) -> str | None:
    node = _kid(el, *path)
    if node is None or node.text is None:
        return None
    value = " ".join(node.text.split())
    return value or None


def _where(el: Any) -> str:
    parts: list[str] = []
    cur = el
    while cur is not None and len(parts) < 4:
        parts.append(_ln(cur))
        cur = cur.getparent()
    return f"{'/'.join(reversed(parts))} line {el.sourceline}"


def parse_xml(data: bytes) -> Any:
    """Hardened lxml parse; ``MessageError`` with line and column on any XML problem."""
    if len(data) > MAX_BYTES:
        raise MessageError(f"XML larger than {MAX_BYTES} bytes", "file")
    data = xml_as_utf8(data)  # UTF-16 files: read, and checked below like any other
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"<!DOCTYPE" in data[:65536].upper() or b"<!ENTITY" in data[:65536].upper():
        raise MessageError("a DOCTYPE or entity declaration is not allowed in ISO 20022 XML "
                           "(refused to protect against XML bombs and external entities)",
                           "prolog")
    if not head.startswith(b"<"):
        raise MessageError("not XML: the file does not start with '<'", "line 1")
    parser = etree.XMLParser(**_PARSER_OPTS)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (0, 0)
        raise MessageError(f"XML not well-formed: {exc.msg}", f"line {line} column {col}") from None
    except ValueError as exc:  # lxml refuses some inputs (e.g. unusable encoding declarations)
        raise MessageError(f"XML not readable: {exc}", "line 1") from None
    if root is None:
        raise MessageError("empty XML document", "line 1")
    if root.getroottree().docinfo.doctype:
        raise MessageError("a DOCTYPE is not allowed in ISO 20022 XML", "prolog")
    return root


def _find(root: Any, name: str, depth: int = 3) -> Any:
    if _ln(root) == name:
        return root
    if depth == 0:
        return None
    for child in root:
        found = _find(child, name, depth - 1)
        if found is not None:
            return found
    return None


def parse_iso20022(data: bytes, *, validate: bool = False,
                   xsd_dir: Path | None = None) -> PaymentMessage:
    """Bytes of a pacs.008 or pain.001 (optionally enveloped) → ``PaymentMessage``."""
    root = parse_xml(data)
    document = _find(root, "Document")
    app_hdr = _find(root, "AppHdr")
    body = None
    if document is not None:
        body = next((c for c in document if _ln(c) in _ROOTS), None)
        if body is None:
            kinds = [_ln(c) for c in document if _ln(c)]
            raise UnknownMessageType(
                f"ISO 20022 message {kinds[0] if kinds else 'empty'!r} is not read by this node "
                "(pacs.008 FIToFICstmrCdtTrf and pain.001 CstmrCdtTrfInitn are)",
                _where(document))
    else:
        body = _find(root, "FIToFICstmrCdtTrf") or _find(root, "CstmrCdtTrfInitn")
        if body is None:
            raise UnknownMessageType(
                f"XML root {_ln(root)!r} is not an ISO 20022 payment this node reads", _where(root))
    family = _ROOTS[_ln(body)]
    namespace = etree.QName(body).namespace
    match = _VERSION.search(namespace or "")
    if match is None and app_hdr is not None:
        match = _VERSION.search(_text(app_hdr, "MsgDefIdr") or "")
    version = match.group(0) if match and match.group(0).startswith(family) else None
    msg = PaymentMessage(format=version or family, namespace=namespace,
                         app_header=app_hdr is not None)
    if version is None:
        msg.issues.append(Issue.of("warning", "issue.iso.version", _where(body),
                                   namespace=repr(namespace), family=family))
    _read_body(body, msg, family)
    # Some envelopes carry several documents: read every further payment document too.
    for other in _find_all(root, "Document", 3):
        if other is document:
            continue
        other_body = next((c for c in other if _ln(c) in _ROOTS), None)
        if other_body is None:
            msg.issues.append(Issue.of("error", "issue.iso.other_document", _where(other),
                                       skipped=True))
            continue
        msg.issues.append(Issue.of("warning", "issue.iso.several", _where(other)))
        _read_body(other_body, msg, _ROOTS[_ln(other_body)])
    if msg.declared_count is not None and msg.declared_count != len(msg.transactions):
        msg.issues.append(Issue.of("warning", "issue.iso.count", "GrpHdr/NbOfTxs",
                                   declared=msg.declared_count, actual=len(msg.transactions)))
    if validate:
        _validate(document if document is not None else body, app_hdr, version, msg,
                  xsd_dir or default_xsd_dir())
    return msg


def _find_all(root: Any, name: str, depth: int) -> list[Any]:
    if _ln(root) == name:
        return [root]
    if depth == 0:
        return []
    return [found for child in root for found in _find_all(child, name, depth - 1)]


def _read_body(body: Any, msg: PaymentMessage, family: str) -> None:
    """Group header and transactions of one FIToFICstmrCdtTrf / CstmrCdtTrfInitn into ``msg``."""
    grp = _kid(body, "GrpHdr")
    header_parties: list[Party] = []
    if grp is None:
        msg.issues.append(Issue.of("warning", "issue.iso.no_grphdr", _where(body)))
    else:
        msg.message_id = msg.message_id or _text(grp, "MsgId")
        count = _text(grp, "NbOfTxs")
        if count and count.isdigit():
            msg.declared_count = (msg.declared_count or 0) + int(count)
        header_parties = _agents_and_parties(grp, msg)
        settlement = _kid(grp, "SttlmInf")
        if settlement is not None:
            header_parties += _agents_and_parties(settlement, msg)
    n = len(msg.transactions)
    if family == "pacs.008":
        for tx in _kids(body, "CdtTrfTxInf"):
            n += 1
            msg.transactions.append(_transaction(tx, n, header_parties, msg))
    else:
        for pmt in _kids(body, "PmtInf"):
            pmt_parties = header_parties + _agents_and_parties(pmt, msg)
            for tx in _kids(pmt, "CdtTrfTxInf"):
                n += 1
                msg.transactions.append(_transaction(tx, n, pmt_parties, msg))


def _agents_and_parties(el: Any, msg: PaymentMessage) -> list[Party]:
    """Parties and agents that are direct children of ``el`` (GrpHdr, PmtInf or CdtTrfTxInf)."""
    out: list[Party] = []
    by_tag: dict[str, Party] = {}
    for child in el:
        tag = _ln(child)
        try:
            if tag in PARTY_ROLES:
                party = _party(child, PARTY_ROLES[tag])
            elif tag in AGENT_ROLES:
                party = _agent(child, AGENT_ROLES[tag])
            elif tag == "ChrgsInf":
                agent = _kid(child, "Agt")
                if agent is None:
                    continue
                party = _agent(agent, "charges agent")
            else:
                continue
        except (ValueError, TypeError) as exc:  # a malformed party never stops the rest
            msg.issues.append(Issue.of("error", "issue.iso.party_skipped", _where(child),
                                       skipped=True, reason=exc))
            continue
        by_tag[tag] = party
        out.append(party)
    for child in el:
        owner = ACCOUNTS.get(_ln(child))
        if owner and owner in by_tag:
            _account(child, by_tag[owner])
    return out


def _names(name: str | None, schema: str) -> list[str]:
    if not name:
        return []
    names = [name]
    if name.count(",") == 1 and schema != "Organization":
        last, first = (p.strip() for p in name.split(","))
        if last and first:
            names.append(f"{first} {last}")
    return names


def _address(el: Any) -> tuple[list[str], str | None]:
    adr = _kid(el, "PstlAdr")
    if adr is None:
        return [], None
    lines = [_text(line) for line in _kids(adr, "AdrLine")]
    structured = [_text(adr, f) for f in ("Dept", "SubDept", "StrtNm", "BldgNb", "BldgNm", "Flr",
                                          "PstBx", "Room", "PstCd", "TwnNm", "TwnLctnNm",
                                          "DstrctNm", "CtrySubDvsn")]
    parts = [p for p in (*lines, *structured) if p]
    return parts, _text(adr, "Ctry")


def _party(el: Any, role: str) -> Party:
    org = _kid(el, "Id", "OrgId")
    prv = _kid(el, "Id", "PrvtId")
    schema = "Person" if prv is not None else "Organization" if org is not None else "LegalEntity"
    name = _text(el, "Nm")
    address, country = _address(el)
    party = Party(role=role, kind="party", name=name, names=_names(name, schema), schema=schema,
                  address=address, country=country or _text(el, "CtryOfRes"), where=_where(el))
    if org is not None:
        for tag in ("AnyBIC", "BICOrBEI", "BIC"):
            if value := _text(org, tag):
                party.identifiers.append(Identifier("BIC", value))
        if value := _text(org, "LEI"):
            party.identifiers.append(Identifier("LEI", value))
        _others(org, party)
    if prv is not None:
        birth = _kid(prv, "DtAndPlcOfBirth")
        if birth is not None:
            party.birth_date = _text(birth, "BirthDt")
            place = [p for p in (_text(birth, "CityOfBirth"), _text(birth, "PrvcOfBirth")) if p]
            party.birth_place = ", ".join(place) or None
            party.birth_country = _text(birth, "CtryOfBirth")
        _others(prv, party)
    return party


def _others(el: Any, party: Party) -> None:
    for other in _kids(el, "Othr"):
        value = _text(other, "Id")
        if not value:
            continue
        scheme = _text(other, "SchmeNm", "Cd") or _text(other, "SchmeNm", "Prtry") or "OTHER"
        party.identifiers.append(Identifier(scheme, value, _text(other, "Issr")))


def _agent(el: Any, role: str) -> Party:
    fin = _kid(el, "FinInstnId")
    if fin is None:
        fin = el
    name = _text(fin, "Nm")
    address, country = _address(fin)
    party = Party(role=role, kind="agent", name=name, names=[name] if name else [],
                  schema="Organization", address=address, country=country, where=_where(el))
    for tag in ("BICFI", "BIC"):
        if value := _text(fin, tag):
            party.identifiers.append(Identifier("BIC", value))
    if value := _text(fin, "LEI"):
        party.identifiers.append(Identifier("LEI", value))
    clr = _kid(fin, "ClrSysMmbId")
    if clr is not None and (member := _text(clr, "MmbId")):
        system = _text(clr, "ClrSysId", "Cd") or _text(clr, "ClrSysId", "Prtry") or "CLRSYS"
        party.identifiers.append(Identifier(f"CLRSYS:{system}", member))
    if (other := _text(fin, "Othr", "Id")):
        party.identifiers.append(Identifier("OTHER", other))
    return party


def _account(el: Any, party: Party) -> None:
    if value := _text(el, "Id", "IBAN"):
        party.identifiers.append(Identifier("IBAN", value))
    if value := _text(el, "Id", "Othr", "Id"):
        party.identifiers.append(Identifier("ACCOUNT", value))
    if value := _text(el, "Prxy", "Id"):
        party.identifiers.append(Identifier("PROXY", value))
    name = _text(el, "Nm")
    if name and name not in party.names:
        party.names.append(name)
        party.name = party.name or name


def _transaction(tx: Any, number: int, inherited: list[Party], msg: PaymentMessage) -> Transaction:
    ref = (_text(tx, "PmtId", "EndToEndId") or _text(tx, "PmtId", "InstrId")
           or _text(tx, "PmtId", "TxId") or f"#{number}")
    amount_el = _kid(tx, "IntrBkSttlmAmt")
    if amount_el is None:
        amount_el = _kid(tx, "Amt", "InstdAmt")
    out = Transaction(ref=ref, uetr=_text(tx, "PmtId", "UETR"), where=_where(tx))
    if amount_el is not None:
        out.amount = (amount_el.text or "").strip() or None
        out.currency = amount_el.get("Ccy")
    out.date = _text(tx, "IntrBkSttlmDt")
    out.purpose = _text(tx, "Purp", "Cd") or _text(tx, "Purp", "Prtry")
    own = _agents_and_parties(tx, msg)
    own_roles = {p.role for p in own}
    # Parties given at group or payment level apply unless the transaction names its own.
    out.parties = [p for p in inherited if p.role not in own_roles] + own
    rmt = _kid(tx, "RmtInf")
    if rmt is not None:
        for el in rmt.iter():
            if isinstance(el.tag, str) and el.text and el.text.strip():
                out.remittance.append(" ".join(el.text.split()))
    for tag in ("InstrForCdtrAgt", "InstrForNxtAgt"):
        for el in _kids(tx, tag):
            if info := _text(el, "InstrInf"):
                out.remittance.append(info)
    for el in tx.iter():
        if isinstance(el.tag, str) and el.text and el.text.strip():
            out.texts.append((_where(el), el.text))
    if len(out.remittance) > 1:
        out.texts.append((f"{_where(tx)} RmtInf (joined)", "".join(out.remittance)))
    return out


def default_xsd_dir() -> Path:
    """Where the official schemas are looked for: $CTNODE_SHARED_DATA/formats/xsd or ../shared."""
    import os

    base = os.environ.get("CTNODE_SHARED_DATA")
    if base:
        return Path(base) / "formats" / "xsd"
    return Path(__file__).resolve().parents[3].parent / "shared" / "data" / "formats" / "xsd"


@lru_cache(maxsize=8)
def _schema(path: str) -> Any:
    import xmlschema

    # Local files only (allow="local"): xmlschema must never fetch anything from the network.
    return xmlschema.XMLSchema(path, allow="local", defuse="always")


def _validate(document: Any, app_hdr: Any, version: str | None, msg: PaymentMessage,
              xsd_dir: Path) -> None:
    targets: list[tuple[Any, str | None]] = [(document, version)]
    if app_hdr is not None:
        m = _VERSION.search(etree.QName(app_hdr).namespace or "")
        targets.append((app_hdr, m.group(0) if m else None))
    valid = True
    for element, ver in targets:
        path = xsd_dir / f"{ver}.xsd" if ver else None
        if path is None or not path.is_file():
            msg.issues.append(Issue.of("warning", "issue.iso.no_xsd", _where(element),
                                       version=ver or "this message", folder=xsd_dir))
            continue
        errors = list(_schema(str(path)).iter_errors(element))
        for err in errors[:20]:
            valid = False
            line = getattr(err.elem, "sourceline", None) if err.elem is not None else None
            msg.issues.append(Issue.of("warning", "issue.iso.xsd", f"{err.path or ''} line {line}",
                                       version=ver, reason=err.reason or err.message))
        if len(errors) > 20:
            msg.issues.append(Issue.of("warning", "issue.iso.more_xsd", ver or "",
                                       n=len(errors) - 20))
        msg.schema_valid = valid if msg.schema_valid in (None, True) else False
