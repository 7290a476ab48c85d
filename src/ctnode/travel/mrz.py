"""ICAO Doc 9303 machine-readable zones (TD3 passports, TD1 and TD2 cards) → a manifest."""

from __future__ import annotations

import re

from ctnode.errors import MessageError
from ctnode.model.messages import Issue
from ctnode.travel.model import Manifest, TravelDocument, Traveller
from ctnode.travel.names import parse_date, traveller_names

_LINE = re.compile(r"^[A-Z0-9<]{30,44}$")
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
    lines = _lines(text[:4000])
    return bool(lines) and all(_LINE.match(ln) for ln in lines) and lines[0][:1] in "PIACV"


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
    for label, value, digit in (("document number", doc_no, doc_cd), ("birth date", dob, dob_cd),
                                ("expiry date", expiry, exp_cd)):
        if check_digit(value) != digit:
            issues.append(Issue("warning", f"{label} check digit wrong: mis-read MRZ or forgery",
                                where))
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


def parse_mrz_manifest(text: str) -> Manifest:
    """Text with one or more MRZs (blank-line or comment separated) → a manifest."""
    manifest = Manifest(kind="MRZ", list_type="document scan")
    block: list[str] = []
    blocks: list[list[str]] = []
    for raw in text.splitlines():
        line = raw.strip().replace(" ", "")
        if _LINE.match(line):
            block.append(line)
            if (len(block) == 2 and len(line) in {36, 44}) or len(block) == 3:
                blocks.append(block)
                block = []
        elif block:
            manifest.issues.append(Issue("error", "incomplete MRZ skipped",
                                         f"MRZ {len(blocks) + 1}", skipped=True))
            block = []
    if block:
        manifest.issues.append(Issue("error", "incomplete MRZ skipped", f"MRZ {len(blocks) + 1}",
                                     skipped=True))
    for i, lines in enumerate(blocks, 1):
        try:
            traveller, issues = parse_mrz(lines, i)
        except MessageError as exc:
            manifest.issues.append(Issue("error", exc.message, f"MRZ {i}", skipped=True))
            continue
        manifest.travellers.append(traveller)
        manifest.issues.extend(issues)
    return manifest
