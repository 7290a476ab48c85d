"""Identifying details beside the name: dates of birth, nationalities, identity documents,
the schema. Cleaning (query and listed values to comparable forms) and comparison (what
each agreement or contradiction adds to the name score, from the fitted model).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ctnode.match.phrases import PHRASE_CACHE, explained, said
from ctnode.match.weights import MODEL
from ctnode.model.countries import country_code
from ctnode.model.screening import FeatureExplanation

PERSON_SCHEMAS = frozenset({"Person"})
ORG_SCHEMAS = frozenset({"Organization", "Company", "PublicBody"})
OBJECT_SCHEMAS = frozenset({"Vessel", "Airplane"})
DOB_NEAR = 0.0  # years one apart: no evidence either way (approximate dates)

# ---- cleaning --------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def clean_date(value: str) -> str | None:
    """An ISO prefix (``1970``, ``1970-05``, ``1970-05-12``) or ``None`` when not a date."""
    m = _DATE.match(value.strip())
    if not m:
        return None
    year, month, day = m.groups()
    if month is None or month == "00":
        return year
    if day is None or day == "00":
        return f"{year}-{month}"
    return f"{year}-{month}-{day}"


@lru_cache(maxsize=4096)
def clean_country(value: str) -> str | None:
    """ISO, ICAO code or country name → lower-case FtM country code, through the node's one
    country table (:func:`ctnode.model.countries.country_code`), cached for the matcher."""
    return country_code(value)


_DOC_TOKEN = re.compile(r"[A-Z0-9][A-Z0-9\-/. ]*[A-Z0-9]|[A-Z0-9]")


def clean_documents(value: str) -> tuple[str, ...]:
    """A document field → identifying numbers (upper-case alphanumerics with a digit, 5+ long).

    ``CAR diplomatic passport no. D00000897`` gives ``D00000897``; ``103-00653129-22`` gives
    ``1030065312922``.
    """
    whole = re.sub(r"[^A-Z0-9]", "", value.upper())
    if 5 <= len(whole) <= 14 and any(ch.isdigit() for ch in whole):
        return (whole,)
    out: list[str] = []
    for word in re.split(r"[\s,;:]+", value.upper()):
        token = re.sub(r"[^A-Z0-9]", "", word)
        if len(token) >= 5 and any(ch.isdigit() for ch in token):
            out.append(token)
    if not out:
        token = re.sub(r"[^A-Z0-9]", "", value.upper())
        if len(token) >= 5 and any(ch.isdigit() for ch in token):
            out.append(token)
    return tuple(out)


# ---- comparing -------------------------------------------------------------------------


def _date_relation(q: str, c: str) -> tuple[float, str]:
    """What two dates of birth add, and the code of their relation (``match.dob.*``)."""
    qy, cy = int(q[:4]), int(c[:4])
    if abs(qy - cy) >= 2:
        return MODEL.dob_contradict, "match.dob.years_differ"
    if qy != cy:
        return DOB_NEAR, "match.dob.years_one_apart"
    if len(q) == 10 and len(c) == 10:
        if q == c:
            return MODEL.dob_exact, "match.dob.same_date"
        if q[5:7] == c[8:10] and q[8:10] == c[5:7]:
            return MODEL.dob_swapped, "match.dob.swapped"
        return MODEL.dob_same_year_other_day, "match.dob.same_year_other_day"
    short, long_ = (q, c) if len(q) <= len(c) else (c, q)
    if long_.startswith(short):
        return MODEL.dob_year, "match.dob.precision"
    return MODEL.dob_same_year_other_day, "match.dob.same_year_other_month"


@lru_cache(maxsize=PHRASE_CACHE, typed=True)
def _said(feature: str, query_value: str | None, listed_value: str | None,
          contribution: float, code: str, *values: tuple[str, str]) -> FeatureExplanation:
    """One detail's explanation, the same (immutable) object for the same feature, values
    and contribution: a batch's hits repeat them (nationality agrees, the calibration)."""
    return explained(feature, query_value, listed_value, contribution, [said(code, *values)])


def compare_dates(
    q_dates: list[str], c_dates: tuple[str, ...]
) -> FeatureExplanation | None:
    if not q_dates or not c_dates:
        return None
    best: tuple[float, str, str, str] | None = None
    for qd in q_dates:
        for cd in c_dates:
            value, why = _date_relation(qd, cd)
            if best is None or value > best[0]:
                best = (value, why, qd, cd)
    assert best is not None
    value, why, qd, cd = best
    if value == 0.0:
        return None
    return _said("birth_date", qd, cd, value, why)


def compare_countries(
    q_countries: list[str], c_countries: tuple[str, ...]
) -> FeatureExplanation | None:
    if not q_countries or not c_countries:
        return None
    common = sorted(set(q_countries) & set(c_countries))
    if common:
        return _said("nationality", common[0], common[0], MODEL.nat_agree,
                     "match.nationality.agrees")
    return _said("nationality", ", ".join(q_countries), ", ".join(c_countries),
                 MODEL.nat_contradict, "match.nationality.differs")


def compare_documents(
    q_docs: list[str], c_docs: tuple[str, ...]
) -> FeatureExplanation | None:
    if not q_docs or not c_docs:
        return None
    for qd in q_docs:
        for cd in c_docs:
            if qd == cd or (min(len(qd), len(cd)) >= 6 and (qd in cd or cd in qd)):
                return _said("document", qd, cd, MODEL.doc_agree, "match.document.agrees")
    return _said("document", ", ".join(q_docs), ", ".join(c_docs), MODEL.doc_contradict,
                 "match.document.differs")


def compare_schema(q_schema: str, c_schema: str) -> FeatureExplanation | None:
    if q_schema == c_schema:
        return None
    groups = (PERSON_SCHEMAS, ORG_SCHEMAS, OBJECT_SCHEMAS)
    qg = next((g for g in groups if q_schema in g), None)
    cg = next((g for g in groups if c_schema in g), None)
    if qg is None or cg is None or qg is cg:
        return None
    return _said("schema", q_schema, c_schema, MODEL.schema_mismatch, "match.schema.mismatch",
                 ("query", q_schema), ("listed", c_schema))


def calibration() -> FeatureExplanation | None:
    """The fitted model's score offset, when it has one (added to every score)."""
    if MODEL.score_offset == 0.0:
        return None
    return _said("calibration", None, None, MODEL.score_offset, "match.calibration",
                 ("shift", f"{MODEL.score_offset:+.2f}"))


def dates_most() -> float:
    """The most dates of birth can add (a query's and a record's, both given)."""
    return max(0.0, MODEL.dob_exact, MODEL.dob_year, MODEL.dob_swapped)


NO_YEAR = -(1 << 30)  # a record's birth-year span when it has no date of birth


def birth_years(dates: Sequence[str]) -> tuple[int, int]:
    """The first and last year of a record's cleaned dates of birth (``NO_YEAR`` twice when
    it has none): what the index keeps per record to rule candidates out by their dates
    before any record is read (:func:`dates_lift`)."""
    if not dates:
        return NO_YEAR, NO_YEAR
    years = [int(d[:4]) for d in dates]
    return min(years), max(years)


def dates_lift(q_dates: Sequence[str], lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Per record (its birth-year span ``lo``..``hi``, :func:`birth_years`): how far the
    most its dates of birth can add against the query's falls short of :func:`dates_most`,
    which :func:`bonus_bound` counts for every record. A record without dates adds nothing
    (``dates_most``); one whose every year is two or more from every query year adds
    ``dob_contradict`` (every pair contradicts: :func:`compare_dates` keeps the best pair);
    any other may add the most. A screen's name floor rises by this much per record."""
    most = dates_most()
    years = sorted({int(d[:4]) for d in q_dates})
    has = lo != NO_YEAR
    near = np.zeros(len(lo), dtype=bool)
    for y in years:
        near |= (lo - 1 <= y) & (y <= hi + 1)
    can_add = np.where(has, np.where(near, most, min(most, MODEL.dob_contradict)), 0.0)
    result: np.ndarray = most - can_add
    return result


def countries_most() -> float:
    """The most nationalities can add (a query's and a record's, both given)."""
    return max(0.0, MODEL.nat_agree)


def country_bits(countries: Sequence[str]) -> int:
    """A record's nationalities as a 64-bit mask, one bit per country code (its CRC-32
    modulo 64): masks that share no bit belong to sets that share no country (the
    converse need not hold). What the index keeps per record (:func:`countries_lift`)."""
    bits = 0
    for code in countries:
        bits |= 1 << (zlib.crc32(code.encode()) & 63)
    return bits


def countries_lift(q_countries: Sequence[str], bits: np.ndarray) -> np.ndarray:
    """:func:`dates_lift` for nationalities, per record (its :func:`country_bits`): a
    record without nationalities adds nothing, one whose mask shares no bit with the
    query's has no country in common (``nat_contradict``), any other may add the most."""
    most = countries_most()
    query = np.uint64(country_bits(q_countries))
    shared = (bits & query) != 0
    can_add = np.where(bits != 0, np.where(shared, most, min(most, MODEL.nat_contradict)),
                       0.0)
    result: np.ndarray = most - can_add
    return result


def bonus_bound(has_dates: bool, has_countries: bool, has_docs: bool) -> float:
    """The most the identifying details (and the calibration) can add (the index uses it to
    prune safely)."""
    dates = dates_most()
    return ((dates if has_dates else 0.0) + (countries_most() if has_countries else 0.0)
            + (max(0.0, MODEL.doc_agree) if has_docs else 0.0) + MODEL.score_offset)


def details_value(q_dates: Sequence[str], q_countries: Sequence[str],
                  q_docs: Sequence[str], q_schema: str, c_dates: tuple[str, ...],
                  c_countries: tuple[str, ...], c_docs: tuple[str, ...],
                  c_schema: str) -> float:
    """What the details add, as the sum of the contributions of :func:`compare_dates`,
    :func:`compare_countries`, :func:`compare_documents`, :func:`compare_schema` and
    :func:`calibration` (same values, same order of addition), without building their
    explanations: the monitoring service's test of a pair before it is scored, and the
    index's test of a candidate record before its names are scored."""
    total = 0.0
    if q_dates and c_dates:
        total += max(_date_relation(q, c)[0] for q in q_dates for c in c_dates)
    if q_countries and c_countries:
        total += (MODEL.nat_agree if not set(q_countries).isdisjoint(c_countries)
                  else MODEL.nat_contradict)
    if q_docs and c_docs:
        total += (MODEL.doc_agree if any(
            qd == cd or (min(len(qd), len(cd)) >= 6 and (qd in cd or cd in qd))
            for qd in q_docs for cd in c_docs) else MODEL.doc_contradict)
    schema = compare_schema(q_schema, c_schema)
    if schema is not None:
        total += schema.contribution
    return total + MODEL.score_offset
