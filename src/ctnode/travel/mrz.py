"""ICAO Doc 9303 machine-readable zones (TD3 passports, TD1 and TD2 cards) → a manifest.

Every check digit is verified: document number, birth date, expiry date, the optional data
of a TD3 (personal number) and the composite check digit over the whole zone (Doc 9303
Part 4 and 5); a wrong one is a warning on the traveller (a mis-read or a forgery), who is
still screened. A zone cut short (a line shorter than its format's 30, 36 or 44
characters, or a missing line) is named as a truncated MRZ with the line, and skipped.
"""

from __future__ import annotations

import re

from ctnode.errors import MessageError
from ctnode.model.messages import Issue
from ctnode.travel.model import Manifest, TravelDocument, Traveller
from ctnode.travel.names import parse_date, traveller_names

_LINE = re.compile(r"^[A-Z0-9<]{30,44}$")
_CHARS = re.compile(r"^[A-Z0-9<]+$")
LENGTHS = {30: "TD1", 36: "TD2", 44: "TD3"}
LINES = {30: 3, 36: 2, 44: 2}
_WEIGHTS = (7, 3, 1)


def check_digit(value: str) -> str:
    """The Doc 9303 check digit of ``value`` (digits, A-Z = 10-35, ``<`` = 0)."""
    total = 0
    for i, ch in enumerate(value):
        if ch.isdigit():
            n = int(ch)
        elif "A" <= ch <= "Z":
            n = ord(ch) - 55
        else:
            n = 0
        total += n * _WEIGHTS[i % 3]
    return str(total % 10)


def _lines(text: str) -> list[str]:
    return [ln.strip().replace(" ", "") for ln in text.splitlines()
            if ln.strip() and not ln.lstrip().startswith(("#", "["))]


def looks_like_mrz(text: str) -> bool:
    """MRZ text: lines of A-Z, 0-9 and ``<`` only (of any length: a truncated zone is still
    read as one, to be named as such), the first starting with a document code."""
    lines = _lines(text[:4000])
    return (bool(lines) and all(_CHARS.match(ln) for ln in lines) and lines[0][:1] in "PIACV"
            and any("<" in ln for ln in lines))


def _split_name(field_: str) -> tuple[str, str]:
    surname, _, given = field_.strip("<").partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def parse_mrz(lines: list[str], number: int = 1) -> tuple[Traveller, list[Issue]]:
    """One TD3 (2 × 44), TD2 (2 × 36) or TD1 (3 × 30) MRZ → a traveller and check-digit issues."""
    issues: list[Issue] = []
    where = f"MRZ {number}"
    if len(lines) == 2 and len(lines[0]) in {36, 44} and len(lines[1]) == len(lines[0]):
        l1, l2 = lines
        doc_type, issuer = l1[0:2], l1[2:5]
        surname, given = _split_name(l1[5:])
        doc_no, doc_cd = l2[0:9], l2[9]
        nationality, dob, dob_cd = l2[10:13], l2[13:19], l2[19]
        sex, expiry, exp_cd = l2[20], l2[21:27], l2[27]
    elif len(lines) == 3 and all(len(ln) == 30 for ln in lines):
        l1, l2, l3 = lines
        doc_type, issuer = l1[0:2], l1[2:5]
        doc_no, doc_cd = l1[5:14], l1[14]
        dob, dob_cd, sex, expiry, exp_cd = l2[0:6], l2[6], l2[7], l2[8:14], l2[14]
        nationality = l2[15:18]
        surname, given = _split_name(l3)
    else:
        raise MessageError("not a TD1, TD2 or TD3 machine-readable zone", where)
    checks = [("document number", doc_no, doc_cd), ("birth date", dob, dob_cd),
              ("expiry date", expiry, exp_cd), *_extra_checks(lines)]
    for label, value, digit in checks:
        if check_digit(value) != digit and not (label == "optional data" and digit == "<"
                                                 and not value.strip("<")):
            issues.append(Issue.of("warning", "issue.mrz.check_digit", where, field=label))
    names, title = traveller_names(surname, given)
    traveller = Traveller(
        ref=f"T{number}", role="passenger", surname=surname, given_names=given,
        raw_name=lines[0] if len(lines) == 2 else lines[2], names=names, title=title,
        birth_date=parse_date(dob, birth=True), birth_date_raw=dob,
        sex=sex if sex in "MF" else None,
        nationalities=[nationality.replace("<", "")] if nationality.strip("<") else [],
        documents=[TravelDocument(number=doc_no.replace("<", ""), type=doc_type.strip("<"),
                                  issuing_state=issuer.replace("<", "") or None,
                                  expiry=parse_date(expiry, birth=False))],
        where=where)
    return traveller, issues


def _extra_checks(lines: list[str]) -> list[tuple[str, str, str]]:
    """The optional-data (TD3) and composite check digits: (label, value, digit)."""
    if len(lines) == 3:  # TD1: line 1 from the document number, line 2's dates and optional data
        l1, l2, _ = lines
        return [("composite", l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29])]
    l2 = lines[1]
    if len(l2) == 44:  # TD3
        return [("optional data", l2[28:42], l2[42]),
                ("composite", l2[0:10] + l2[13:20] + l2[21:43], l2[43])]
    return [("composite", l2[0:10] + l2[13:20] + l2[21:35], l2[35])]  # TD2


def parse_mrz_manifest(text: str) -> Manifest:
    """Text with one or more MRZs (blank-line or comment separated) → a manifest."""
    manifest = Manifest(kind="MRZ", list_type="document scan")
    block: list[str] = []
    first = 0  # the file's line number of the block's first line
    blocks: list[list[str]] = []

    def truncated(why: str, line_no: int) -> None:
        manifest.issues.append(Issue.of("error", "issue.mrz.truncated",
                                        f"MRZ {len(blocks) + 1} line {line_no}", skipped=True,
                                        why=why))

    for line_no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().replace(" ", "")
        if not line or line.startswith(("#", "[")):
            if block:
                truncated(f"{LENGTHS[len(block[0])]} zone has {len(block)} of "
                          f"{LINES[len(block[0])]} lines", first)
                block = []
            continue
        if not _CHARS.match(line):
            if block:
                manifest.issues.append(Issue.of("error", "issue.mrz.incomplete",
                                                f"MRZ {len(blocks) + 1} line {first}",
                                                skipped=True))
                block = []
            continue
        size = len(block[0]) if block else None
        if len(line) not in LENGTHS or (size is not None and len(line) != size):
            want = f"{size}" if size else "30, 36 or 44"
            truncated(f"line {line_no} has {len(line)} characters, "
                      f"{LENGTHS.get(size or 0, 'an MRZ')} lines have {want}", line_no)
            block = []
            continue
        if not block:
            first = line_no
        block.append(line)
        if len(block) == LINES[len(line)]:
            blocks.append(block)
            block = []
    if block:
        truncated(f"{LENGTHS[len(block[0])]} zone has {len(block)} of {LINES[len(block[0])]} "
                  "lines", first)
    for i, lines in enumerate(blocks, 1):
        try:
            traveller, issues = parse_mrz(lines, i)
        except MessageError as exc:
            manifest.issues.append(Issue("error", exc.message, f"MRZ {i}", skipped=True))
            continue
        manifest.travellers.append(traveller)
        manifest.issues.extend(issues)
    if not manifest.travellers:
        reasons = [i for i in manifest.issues if i.skipped]
        if reasons:  # nothing could be read: the first reason, named, is the answer
            raise MessageError(reasons[0].message.removesuffix("; skipped"), reasons[0].where)
        raise MessageError("no machine-readable zone found", "line 1")
    return manifest
