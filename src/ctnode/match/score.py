"""Pairwise scoring: name-token alignment weighted by rarity, then the identifying details.

The same :class:`Scorer` serves the indexed :class:`~ctnode.match.index.Matcher` and the
brute-force :class:`~ctnode.match.index.NaiveMatcher`, so both return the same scores.
``docs/matching.md`` explains every feature and weight named here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import OSA, Levenshtein

from ctnode.match.normalize import (
    COMMON_PRIOR_FREQUENCY,
    common_skeletons,
    name_forms,
    name_symbols,
    skeleton,
    vowel_mismatches,
)
from ctnode.model.screening import FeatureExplanation

# ---- token similarity ------------------------------------------------------------------
# Rules, strongest first. A pair of tokens is similar under at most one rule (the best).
SIM_EXACT = 1.0  # the same Latin form after transliteration
SIM_SKELETON_BASE = 0.75  # same consonant skeleton (Muhammad/Mohammed/Mukhammed, -ov/-ev)
SIM_SKELETON_SPAN = 0.20  # ... plus this share of the Levenshtein similarity of the Latin forms
SIM_VOWEL_MISMATCH = 0.08  # ... minus this per vowel slot of another class (Mohamed/Mahmud)
SIM_SKELETON_MIN = 0.55  # ... and never below this
SIM_UNVOWELLED = 0.90  # same skeleton, one side written without vowels (Arabic script)
SIM_TYPO_BASE = 0.65  # Latin forms one edit apart (a typo: one letter changed, added,
# dropped, or two neighbours swapped), both 4+ letters
SIM_TYPO_SPAN = 0.25
SIM_SKELETON_TYPO_BASE = 0.55  # skeletons one edit apart, both 4+ consonants, same first
SIM_SKELETON_TYPO_SPAN = 0.25
FUZZY_MIN_LATIN = 4  # shortest Latin form a typo rule applies to
FUZZY_MIN_SKELETON = 4  # shortest skeleton the skeleton-typo rule applies to
SIM_SYMBOL = 0.78  # no spelling rule applies, but rigour tags both as forms of one name
# Highest similarity the skeleton-typo rule can give (index bound).
SIM_SKELETON_TYPO_MAX = SIM_SKELETON_TYPO_BASE + SIM_SKELETON_TYPO_SPAN

_VOWEL_LETTERS = frozenset("aeiou")

# ---- name score --------------------------------------------------------------------------
UNMATCHED_CANDIDATE_FACTOR = 0.5  # how much a listed name part absent from the query costs
MIN_INFORMATION = 1.0  # matched rarity needed for a full score (one rare part = 1.0)
RARITY_SCALE = math.log(2000.0)  # a part seen in 1 of 2,000 names or rarer has weight 1
MIN_RARITY_N = 10_000  # small lists: frequencies are counted as if the list had this many names
MIN_WEIGHT = 0.05
WEAK_ALIAS_FACTOR = 0.90  # a low-quality alias (FtM weakAlias) counts this much

# ---- identifying details (added to the name score) -------------------------------------
DOB_EXACT = 0.06  # a full date of birth agrees
DOB_YEAR = 0.03  # the year agrees and one side gives only the year (or year-month)
DOB_SWAPPED = 0.02  # day and month swapped (1970-05-12 / 1970-12-05)
DOB_SAME_YEAR_OTHER_DAY = -0.05  # same year, full dates differ
DOB_NEAR = 0.0  # years one apart: no evidence either way (approximate dates)
DOB_CONTRADICT = -0.20  # every date pair is two or more years apart
NAT_AGREE = 0.02
NAT_CONTRADICT = -0.05
DOC_AGREE = 0.15
DOC_CONTRADICT = -0.10
SCHEMA_MISMATCH = -0.20  # a person screened against an organisation, or the reverse

PERSON_SCHEMAS = frozenset({"Person"})
ORG_SCHEMAS = frozenset({"Organization", "Company", "PublicBody"})
OBJECT_SCHEMAS = frozenset({"Vessel", "Airplane"})


def _d1(text: str) -> set[str]:
    return {text} | {text[:i] + text[i + 1 :] for i in range(len(text))}


def one_deletion_apart(a: str, b: str) -> bool:
    """True when deleting at most one letter from each gives the same string.

    The same relation as ``_d1(a) & _d1(b)`` (what the index keys find), computed directly:
    one substitution, insertion or deletion, or one letter moved by one place.
    """
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    p = 0
    n = min(la, lb)
    while p < n and a[p] == b[p]:
        p += 1
    if la != lb:
        longer, shorter = (a, b) if la > lb else (b, a)
        return longer[p + 1 :] == shorter[p:]
    q = la - 1
    while q > p and a[q] == b[q]:
        q -= 1
    if p == q:
        return True
    return a[p + 1 : q + 1] == b[p:q] or a[p:q] == b[p + 1 : q + 1]


def deletion_keys(text: str) -> list[str]:
    """The word and every form with one letter deleted (the one-edit index keys)."""
    return sorted(_d1(text))


def one_edit_apart(a: str, b: str) -> bool:
    """True when one letter changed, added or dropped, or two neighbours swapped, turns one
    string into the other (optimal string alignment distance 1). Stricter than
    :func:`one_deletion_apart` (``agha``/``taha`` are one deletion each apart, two edits)."""
    return OSA.distance(a, b, score_cutoff=1) <= 1


def skeleton_typo_applies(ka: str, kb: str) -> bool:
    """The skeleton-typo rule's condition: different skeletons of 4+ letters, one edit apart,
    with the same first letter (``ahmd``/``mhmd``, Ahmad/Mohammed, are different names) or
    one of them an initial vowel longer (``astnks``/``stnks``, Istanekzai/Stanekzai)."""
    return (ka != kb and len(ka) >= FUZZY_MIN_SKELETON and len(kb) >= FUZZY_MIN_SKELETON
            and abs(len(ka) - len(kb)) <= 1
            and (ka[0] == kb[0] or ka == "a" + kb or kb == "a" + ka)
            and one_deletion_apart(ka, kb) and one_edit_apart(ka, kb))


def unvowelled(token: str) -> bool:
    """A token written without vowels after its first letter (``mhmd``, ``rhmn``): how
    Arabic script, which leaves short vowels unwritten, reads in Latin letters."""
    return len(token) >= 3 and not _VOWEL_LETTERS.intersection(token[1:])


def skeleton_similarity(a: str, b: str) -> tuple[float, int]:
    """The same-skeleton rule's value for two tokens with equal skeletons, and how many
    vowel slots differ in class (each costs ``SIM_VOWEL_MISMATCH``; -1: one side has no
    vowels written, which costs nothing)."""
    if unvowelled(a) or unvowelled(b):
        return SIM_UNVOWELLED, -1
    ratio = Levenshtein.normalized_similarity(a, b)
    vowels = vowel_mismatches(a, b)
    sim = SIM_SKELETON_BASE + SIM_SKELETON_SPAN * ratio - SIM_VOWEL_MISMATCH * vowels
    return max(SIM_SKELETON_MIN, sim), vowels


def _skeleton_rule(key: str, vowels: int) -> str:
    if vowels < 0:
        return f"phonetic skeleton '{key}', vowels not written"
    if vowels:
        return f"phonetic skeleton '{key}', {vowels} vowel(s) of another class"
    return f"phonetic skeleton '{key}'"


@lru_cache(maxsize=1_000_000)
def token_similarity(a: str, b: str) -> tuple[float, str]:
    """Similarity in [0, 1] of two normalised Latin tokens and the rule that gave it.

    Symmetric. Zero unless one of the rules applies, so an index over the same keys
    (skeleton, one-edit deletions, rigour name symbols) finds every pair with a positive
    similarity.
    """
    if a == b:
        return SIM_EXACT, "exact"
    ka, kb = skeleton(a), skeleton(b)
    if ka == kb and ka:
        sim, vowels = skeleton_similarity(a, b)
        if sim < SIM_SYMBOL and (common := name_symbols(a) & name_symbols(b)):
            return SIM_SYMBOL, (f"one name in two languages (rigour name symbol "
                                f"{min(common)}), phonetic skeleton '{ka}'")
        return sim, _skeleton_rule(ka, vowels)
    # the Levenshtein ratio is computed only when a rule applies (most pairs score 0)
    if len(a) >= FUZZY_MIN_LATIN and len(b) >= FUZZY_MIN_LATIN and abs(len(a) - len(b)) <= 1:
        if one_deletion_apart(a, b) and one_edit_apart(a, b):
            ratio = Levenshtein.normalized_similarity(a, b)
            return SIM_TYPO_BASE + SIM_TYPO_SPAN * ratio, "one edit apart (typo)"
    sim, rule = 0.0, ""
    if skeleton_typo_applies(ka, kb):
        ratio = Levenshtein.normalized_similarity(a, b)
        sim = SIM_SKELETON_TYPO_BASE + SIM_SKELETON_TYPO_SPAN * ratio
        rule = f"skeletons one edit apart ('{ka}'/'{kb}')"
        if sim >= SIM_SYMBOL:
            return sim, rule
    common = name_symbols(a) & name_symbols(b)
    if common:
        return SIM_SYMBOL, f"one name in two languages (rigour name symbol {min(common)})"
    return sim, rule


def skeleton_typo_similarity(a: str, b: str) -> float:
    """What :func:`token_similarity` gives two tokens with different skeletons that are not
    one Latin edit apart: the skeleton-typo rule's value, or 0 (an index bound)."""
    ka, kb = skeleton(a), skeleton(b)
    if skeleton_typo_applies(ka, kb):
        ratio = Levenshtein.normalized_similarity(a, b)
        return SIM_SKELETON_TYPO_BASE + SIM_SKELETON_TYPO_SPAN * ratio
    return 0.0


def merged_similarity(a: str, b: str) -> tuple[float, str]:
    """Similarity of a merged unit (two adjacent tokens written as one) with a token."""
    if a == b:
        return SIM_EXACT, "merged parts"
    ka, kb = skeleton(a), skeleton(b)
    if ka == kb and ka:
        sim, vowels = skeleton_similarity(a, b)
        return sim, "merged parts, " + _skeleton_rule(ka, vowels)[9:]
    return 0.0, ""


# ---- statistics --------------------------------------------------------------------------


class Rarity:
    """Token rarity weights from name frequencies, frozen at ``build()`` (IDF over indexed names).

    ``weight(skeleton)`` = ln(1/freq) / ln(2000), clipped to [0.05, 1]: a part in 1 of 2,000
    names or rarer weighs 1; one in 1 of 20 names weighs about 0.39. ``freq`` is the share of
    indexed names whose skeletons include it (counted against at least 10,000 names so a
    small list does not make everything rare), floored for world-wide common name parts.
    """

    def __init__(self, df: dict[str, int] | None = None, n_names: int = 0) -> None:
        self.df: dict[str, int] = df or {}
        self.n_names = n_names
        self._n = max(n_names, MIN_RARITY_N)
        self._common = common_skeletons()
        self._cache: dict[str, float] = {}

    def weight(self, key: str) -> float:
        w = self._cache.get(key)
        if w is None:
            freq = self.df.get(key, 0) / self._n
            if key in self._common:
                freq = max(freq, COMMON_PRIOR_FREQUENCY)
            freq = max(freq, 1e-12)
            w = min(1.0, max(MIN_WEIGHT, math.log(1.0 / freq) / RARITY_SCALE))
            self._cache[key] = w
        return w


@dataclass(slots=True)  # not frozen: a frozen __init__ costs ~3x on the screening path
class Unit:
    """A token, or two adjacent tokens merged, on one side of an alignment."""

    start: int
    end: int  # inclusive
    latin: str
    skel: str
    weight: float
    alts: tuple[str, ...] = ()  # other Latin forms (Arabic letters read two ways)

    @property
    def merged(self) -> bool:
        return self.end > self.start


class NameForm:
    """A name ready for comparison: tokens, their weights, and merged neighbour units."""

    __slots__ = ("by_skel", "memo", "merged_units", "original", "singles", "tokens", "total",
                 "weights")

    def __init__(self, original: str, tokens: tuple[str, ...], rarity: Rarity,
                 alts: dict[int, tuple[str, ...]] | None = None) -> None:
        self.original = original
        self.tokens = tokens
        self.weights = tuple(rarity.weight(skeleton(t)) for t in tokens)
        self.total = sum(self.weights)
        alts = alts or {}
        self.singles = tuple(Unit(i, i, t, skeleton(t), self.weights[i], alts.get(i, ()))
                             for i, t in enumerate(tokens))
        merged = []
        for i in range(len(tokens) - 1):
            latin = tokens[i] + tokens[i + 1]
            merged.append(Unit(i, i + 1, latin, skeleton(latin),
                               self.weights[i] + self.weights[i + 1]))
        self.merged_units = tuple(merged)
        by_skel: dict[str, list[Unit]] = {}
        for u in self.singles:
            by_skel.setdefault(u.skel, []).append(u)
        self.by_skel = by_skel
        # query side only: per single unit, listed unit → similarity (see name_score_value)
        self.memo: list[dict[object, float]] | None = None

    @property
    def units(self) -> tuple[Unit, ...]:
        return self.singles + self.merged_units

    @classmethod
    def parse(cls, original: str, rarity: Rarity) -> NameForm:
        tokens, alts = name_forms(original)
        return cls(original, tokens, rarity, alts)


class Pair(NamedTuple):
    """Two aligned units and how similar they are."""

    q: Unit
    c: Unit
    sim: float
    rule: str


class NameScore(NamedTuple):
    """The score of one name pair and the alignment behind it."""

    score: float
    pairs: tuple[Pair, ...]
    unmatched_query: tuple[str, ...]
    unmatched_candidate: tuple[str, ...]
    information: float
    raw: float


def _alt_similarity(qu: Unit, cu: Unit, sim: float, rule: str) -> tuple[float, str]:
    """Best similarity over the alternative Latin forms of either token."""
    for qa in (qu.latin, *qu.alts):
        for ca in (cu.latin, *cu.alts):
            if qa == qu.latin and ca == cu.latin:
                continue
            s, r = token_similarity(qa, ca)
            if s > sim:
                sim, rule = s, f"{r} (read as '{qa}'/'{ca}')"
    return sim, rule


def compare_names(q: NameForm, c: NameForm) -> NameScore:
    """Align the units of two names greedily (best similarity first) and score the alignment.

    score = M / D, with M = Σ sim·(w_q + w_c)/2 over aligned pairs and
    D = Σ (w_q + w_c)/2 + Σ unmatched query weights + 0.5·Σ unmatched candidate weights,
    then scaled down when the matched rarity is below ``MIN_INFORMATION``.
    """
    cands: list[tuple[float, float, int, int, int, int, Unit, Unit, str]] = []
    for qu in q.singles:
        for cu in c.singles:
            sim, rule = token_similarity(qu.latin, cu.latin)
            if (qu.alts or cu.alts) and sim < 1.0:
                sim, rule = _alt_similarity(qu, cu, sim, rule)
            if sim > 0.0:
                cands.append((-sim, -(qu.weight + cu.weight), qu.start, cu.start, qu.end, cu.end,
                              qu, cu, rule))
    for qu in q.merged_units:
        for cu in c.by_skel.get(qu.skel, ()):
            sim, rule = merged_similarity(qu.latin, cu.latin)
            cands.append((-sim, -(qu.weight + cu.weight), qu.start, cu.start, qu.end, cu.end,
                          qu, cu, rule))
    for cu in c.merged_units:
        for qu in q.by_skel.get(cu.skel, ()):
            sim, rule = merged_similarity(qu.latin, cu.latin)
            cands.append((-sim, -(qu.weight + cu.weight), qu.start, cu.start, qu.end, cu.end,
                          qu, cu, rule))
    cands.sort(key=lambda x: x[:6])
    used_q = [False] * len(q.tokens)
    used_c = [False] * len(c.tokens)
    pairs: list[Pair] = []
    for neg_sim, _w, _i, _j, _ie, _je, qu, cu, rule in cands:
        if any(used_q[qu.start : qu.end + 1]) or any(used_c[cu.start : cu.end + 1]):
            continue
        for k in range(qu.start, qu.end + 1):
            used_q[k] = True
        for k in range(cu.start, cu.end + 1):
            used_c[k] = True
        pairs.append(Pair(qu, cu, -neg_sim, rule))
    matched = 0.0
    denom = 0.0
    info = 0.0
    for p in pairs:
        half = (p.q.weight + p.c.weight) / 2.0
        matched += p.sim * half
        denom += half
        info += p.sim * p.q.weight
    un_q = tuple(t for k, t in enumerate(q.tokens) if not used_q[k])
    un_c = tuple(t for k, t in enumerate(c.tokens) if not used_c[k])
    denom += sum(w for k, w in enumerate(q.weights) if not used_q[k])
    denom += UNMATCHED_CANDIDATE_FACTOR * sum(w for k, w in enumerate(c.weights) if not used_c[k])
    raw = matched / denom if denom > 0 else 0.0
    score = raw * min(1.0, info / MIN_INFORMATION)
    return NameScore(score, tuple(pairs), un_q, un_c, info, raw)


def _unit_similarity(qu: Unit, cu: Unit) -> float:
    sim = token_similarity(qu.latin, cu.latin)[0]
    if (qu.alts or cu.alts) and sim < 1.0:
        sim = _alt_similarity(qu, cu, sim, "")[0]
    return sim


def name_score_value(q: NameForm, c: NameForm) -> float:
    """``compare_names(q, c).score`` without the alignment record (the screening hot path).

    Same candidate pairs, same order, same greedy choice and the same floating-point
    operations in the same order, so the value is bit-identical; the explanation is built
    with :func:`compare_names` only for the hits returned. Similarities of the query's
    units are memoised on the query form (``q.memo``) for the duration of a screen.
    """
    memos = q.memo
    if memos is None:
        memos = q.memo = [{} for _ in q.singles]
    cands: list[tuple[float, float, int, int, int, int, float, float]] = []
    c_singles = c.singles
    for qu in q.singles:
        memo = memos[qu.start]
        qw = qu.weight
        qs = qu.start
        for cu in c_singles:
            key: object = (cu.latin, cu.alts) if cu.alts else cu.latin
            sim = memo.get(key)
            if sim is None:
                sim = memo[key] = _unit_similarity(qu, cu)
            if sim > 0.0:
                cw = cu.weight
                cands.append((-sim, -(qw + cw), qs, cu.start, qs, cu.start, qw, cw))
    if q.merged_units:
        by_skel = c.by_skel
        for qu in q.merged_units:
            for cu in by_skel.get(qu.skel, ()):
                sim = merged_similarity(qu.latin, cu.latin)[0]
                cands.append((-sim, -(qu.weight + cu.weight), qu.start, cu.start, qu.end,
                              cu.end, qu.weight, cu.weight))
    if c.merged_units:
        q_by_skel = q.by_skel
        for cu in c.merged_units:
            for qu in q_by_skel.get(cu.skel, ()):
                sim = merged_similarity(qu.latin, cu.latin)[0]
                cands.append((-sim, -(qu.weight + cu.weight), qu.start, cu.start, qu.end,
                              cu.end, qu.weight, cu.weight))
    # the first six fields are unique per unit pair, so a plain sort orders as compare_names
    cands.sort()
    used_q = 0
    used_c = 0
    matched = 0.0
    denom = 0.0
    info = 0.0
    for neg_sim, _w, qs, cs, qe, ce, qw, cw in cands:
        mq = (2 << qe) - (1 << qs)
        mc = (2 << ce) - (1 << cs)
        if used_q & mq or used_c & mc:
            continue
        used_q |= mq
        used_c |= mc
        sim = -neg_sim
        half = (qw + cw) / 2.0
        matched += sim * half
        denom += half
        info += sim * qw
    denom += sum([w for k, w in enumerate(q.weights) if not used_q >> k & 1])
    denom += UNMATCHED_CANDIDATE_FACTOR * sum(
        [w for k, w in enumerate(c.weights) if not used_c >> k & 1])
    raw = matched / denom if denom > 0 else 0.0
    return raw * min(1.0, info / MIN_INFORMATION)


# ---- identifying details -----------------------------------------------------------------


def _date_relation(q: str, c: str) -> tuple[float, str]:
    qy, cy = int(q[:4]), int(c[:4])
    if abs(qy - cy) >= 2:
        return DOB_CONTRADICT, "years differ"
    if qy != cy:
        return DOB_NEAR, "years one apart"
    if len(q) == 10 and len(c) == 10:
        if q == c:
            return DOB_EXACT, "same date"
        if q[5:7] == c[8:10] and q[8:10] == c[5:7]:
            return DOB_SWAPPED, "day and month swapped"
        return DOB_SAME_YEAR_OTHER_DAY, "same year, other day"
    short, long_ = (q, c) if len(q) <= len(c) else (c, q)
    if long_.startswith(short):
        return DOB_YEAR, "agrees to the precision given"
    return DOB_SAME_YEAR_OTHER_DAY, "same year, other month"


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
    return FeatureExplanation("birth_date", qd, cd, value, f"date of birth: {why}")


def compare_countries(
    q_countries: list[str], c_countries: tuple[str, ...]
) -> FeatureExplanation | None:
    if not q_countries or not c_countries:
        return None
    common = sorted(set(q_countries) & set(c_countries))
    if common:
        return FeatureExplanation("nationality", common[0], common[0], NAT_AGREE,
                                  "nationality agrees")
    return FeatureExplanation("nationality", ", ".join(q_countries), ", ".join(c_countries),
                              NAT_CONTRADICT, "no nationality in common")


def compare_documents(
    q_docs: list[str], c_docs: tuple[str, ...]
) -> FeatureExplanation | None:
    if not q_docs or not c_docs:
        return None
    for qd in q_docs:
        for cd in c_docs:
            if qd == cd or (min(len(qd), len(cd)) >= 6 and (qd in cd or cd in qd)):
                return FeatureExplanation("document", qd, cd, DOC_AGREE,
                                          "identity-document number agrees")
    return FeatureExplanation("document", ", ".join(q_docs), ", ".join(c_docs), DOC_CONTRADICT,
                              "identity-document numbers differ")


def compare_schema(q_schema: str, c_schema: str) -> FeatureExplanation | None:
    if q_schema == c_schema:
        return None
    groups = (PERSON_SCHEMAS, ORG_SCHEMAS, OBJECT_SCHEMAS)
    qg = next((g for g in groups if q_schema in g), None)
    cg = next((g for g in groups if c_schema in g), None)
    if qg is None or cg is None or qg is cg:
        return None
    return FeatureExplanation("schema", q_schema, c_schema, SCHEMA_MISMATCH,
                              f"a {q_schema} screened against a {c_schema}")


def bonus_bound(has_dates: bool, has_countries: bool, has_docs: bool) -> float:
    """The most the identifying details can add (the index uses it to prune safely)."""
    return (DOB_EXACT if has_dates else 0.0) + (NAT_AGREE if has_countries else 0.0) + (
        DOC_AGREE if has_docs else 0.0
    )
