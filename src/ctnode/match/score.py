"""Name scoring: parts aligned by similarity and weighted by rarity, plus name-level rules.

The same functions serve the indexed :class:`~ctnode.match.index.Matcher` and the
brute-force :class:`~ctnode.match.naive.NaiveMatcher`, so both return the same scores.
``docs/matching.md`` explains every rule and weight named here; the numbers come from the
fitted model (:mod:`ctnode.match.weights`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from ctnode.match.columns import StrMap
from ctnode.match.normalise import (
    COMMON_PRIOR_FREQUENCY,
    DIGRAPH_SOURCES,
    ROLE_FORM,
    ROLE_INITIAL,
    ROLE_LEGAL,
    ROLE_PATRONYMIC,
    NameKind,
    ParsedName,
    common_skeletons,
    name_symbols,
    parse_name,
    skeleton,
)
from ctnode.match.similarity import (
    abjad_similarity,
    merged_similarity,
    prefix_similarity,
    syllable_key,
    token_similarity,
)
from ctnode.match.transliterate import ABJAD_MARK, LOANWORD_MARK, PRIME, meet_as_one
from ctnode.match.weights import MODEL

# ---- name score --------------------------------------------------------------------------
MAX_MERGED_KEYS = 3  # abjad keys of two Arabic-script parts read as one (see abjad_pair)
UNMATCHED_CANDIDATE_FACTOR = 0.5  # how much a listed name part absent from the query costs
# ... in two romanised East Asian names with another syllable in its place (hand-set: the
# query side's cost; unmatched_costs)
SYLLABLE_IN_PLACE = 1.0
# ... in two organisation names with another word in its place (hand-set, the same cost:
# unmatched_costs)
WORD_IN_PLACE = 1.0
# A pair of parts joined by a spelling rule below this similarity (a same-skeleton pair with
# vowels of another class, skeletons one edit apart and little alike) costs in D what its two
# parts would cost left unmatched (pair_cost). Chosen on the training part of the UN cases
# (recall where 0.5% of its negatives alert: 0.45 over 0.50; docs/matching.md)
WEAK_PAIR = 0.45
RARITY_SCALE = math.log(2000.0)  # a part seen in 1 of 2,000 names or rarer has weight 1
MIN_RARITY_N = 10_000  # small lists: frequencies are counted as if the list had this many names
MIN_WEIGHT = 0.05
# a listed one-part organisation name is the query name's acronym only with this many
# letters: a query's initials meet a 3-letter listed name (one of 26³ strings; SSL, KIB) by
# chance, and a list writes an acronym beside the full name it stands for (KHATIBA
# AL-TAWHID WAL-JIHAD (KTJ)), which a full-name query meets itself. The other way round (a
# one-part query that is a listed name's acronym) any length counts.
MIN_REACHED_ACRONYM = 4

_NO_ALTS: dict[int, tuple[str, ...]] = {}
_NO_SYMBOLS: dict[int, frozenset[str]] = {}
_EMPTY_SYMBOLS: frozenset[str] = frozenset()


class Rarity:
    """Token rarity weights from name frequencies, frozen at ``build()`` (IDF over indexed names).

    ``weight(skeleton)`` = ln(1/freq) / ln(2000), clipped to [0.05, 1]: a part in 1 of 2,000
    names or rarer weighs 1; one in 1 of 20 names weighs about 0.39. ``freq`` is the share of
    indexed names whose skeletons include it (counted against at least 10,000 names so a
    small list does not make everything rare), floored for world-wide common name parts.
    """

    def __init__(self, df: StrMap[int] | None = None, n_names: int = 0) -> None:
        self.df: StrMap[int] = df if df is not None else {}
        self.n_names = n_names
        self._n = max(n_names, MIN_RARITY_N)
        self._common = common_skeletons()
        self._cache: dict[str, float] = {}

    def weight(self, key: str) -> float:
        w = self._cache.get(key)
        if w is None:
            freq = (self.df.get(key) or 0) / self._n
            if key in self._common:
                freq = max(freq, COMMON_PRIOR_FREQUENCY)
            freq = max(freq, 1e-12)
            w = min(1.0, max(MIN_WEIGHT, math.log(1.0 / freq) / RARITY_SCALE))
            self._cache[key] = w
        return w


def part_weight(rarity: Rarity, token: str, role: str) -> float:
    """The weight a part counts with: its rarity, or a fixed small weight for a legal form,
    a class word or an initial; a patronymic counts a share of its rarity."""
    if role == ROLE_FORM:
        return MODEL.legal_form_weight
    if role == ROLE_LEGAL:
        return MODEL.class_word_weight
    if role == ROLE_INITIAL:
        return MODEL.initial_weight
    w = rarity.weight(skeleton(token))
    if role == ROLE_PATRONYMIC:
        return w * MODEL.patronymic_factor
    return w


@dataclass(slots=True)  # not frozen: a frozen __init__ costs ~3x on the screening path
class Unit:
    """A token, or two adjacent tokens merged, on one side of an alignment."""

    start: int
    end: int  # inclusive
    latin: str
    skel: str
    weight: float
    alts: tuple[str, ...] = ()  # other Latin forms (Arabic letters read two ways ...)
    symbols: frozenset[str] = _EMPTY_SYMBOLS  # rigour symbols of the part in its own script
    prefix: bool = False  # a query part cut at a field limit: also matches what it begins
    syllables: bool = False  # two romanised East Asian syllables merged (see merged_pair)
    cut: int = 0  # a merged unit: the length of its first part (where its letters are cut)

    @property
    def merged(self) -> bool:
        return self.end > self.start


class NameForm:
    """A name ready for comparison: tokens, their weights, merged neighbour units, and what
    name-level rules need (kind, script key, acronym, truncation)."""

    __slots__ = ("abjad_org", "acronyms", "alt_skel", "by_skel", "kind", "legal",
                 "listed_acronyms", "memo", "merged_latins", "merged_units", "original",
                 "script_key", "singles", "syllabic", "tokens", "total", "truncated", "weights")

    def __init__(self, original: str, parsed: ParsedName, rarity: Rarity,
                 kind: NameKind = "person", truncated: bool = False) -> None:
        self.original = original
        self.tokens = parsed.tokens
        self.kind = kind
        self.script_key = parsed.script_key
        self.acronyms = parsed.acronyms  # as a query: the normalised parts' acronyms only
        # as a listed name: also those read off the name as written (see ParsedName)
        self.listed_acronyms = parsed.acronyms + parsed.written_acronyms
        self.truncated = truncated
        roles = parsed.roles or ("",) * len(parsed.tokens)
        # bit k set: part k is a legal form proper (organisations only; see _as_listed)
        self.legal = sum(1 << k for k, r in enumerate(roles) if r == ROLE_FORM) \
            if kind == "org" else 0
        self.weights = tuple(part_weight(rarity, t, r)
                             for t, r in zip(parsed.tokens, roles, strict=True))
        self.total = sum(self.weights)
        alts, symbols = parsed.alts, parsed.symbols
        # an organisation's name written in Arabic script: every part but its legal forms
        # has an abjad key (see _as_listed)
        self.abjad_org = kind == "org" and any(not self.legal >> k & 1 for k in range(
            len(parsed.tokens))) and all(
            self.legal >> k & 1 or any(a[:1] == ABJAD_MARK for a in alts.get(k, ()))
            for k in range(len(parsed.tokens)))
        cut = parsed.last_written if truncated else -1
        self.singles = tuple(Unit(i, i, t, skeleton(t), self.weights[i], alts.get(i, ()),
                                  symbols.get(i, _EMPTY_SYMBOLS), i == cut)
                             for i, t in enumerate(parsed.tokens))
        merged = []
        for i in range(len(parsed.tokens) - 1):
            latin = parsed.tokens[i] + parsed.tokens[i + 1]
            abjad = abjad_pair(alts.get(i, ()), alts.get(i + 1, ()))
            # parts written in Arabic script (they have an abjad key) are no romanised East
            # Asian syllables, though their readings may look like some (نور الدين nur din)
            merged.append(Unit(i, i + 1, latin, skeleton(latin),
                               self.weights[i] + self.weights[i + 1], abjad, syllables=(
                                   not abjad
                                   and syllable_key(parsed.tokens[i]) is not None
                                   and syllable_key(parsed.tokens[i + 1]) is not None),
                               cut=len(parsed.tokens[i])))
        self.merged_units = tuple(merged)
        # the merged units' letters: two names share some only when a merged unit of each
        # can be the same letters cut elsewhere (see _merged_unit_pairs)
        self.merged_latins = frozenset(u.latin for u in merged)
        # a person's name of two or more parts, each one romanised East Asian syllable
        # (KANG RYONG, PAEK SE BONG): see unmatched_costs
        self.syllabic = kind == "person" and len(parsed.tokens) >= 2 and all(
            syllable_key(t) is not None for t in parsed.tokens)
        by_skel: dict[str, list[Unit]] = {}
        for u in self.singles:
            by_skel.setdefault(u.skel, []).append(u)
        self.by_skel = by_skel
        # the skeletons of the single units' other Latin forms (Arabic letters read two
        # ways, a Latin habit's reading): a merged unit of the other name with such a
        # skeleton is paired with the unit too (_merged_unit_pairs)
        alt_skel: dict[str, list[Unit]] = {}
        for u in self.singles:
            for key in dict.fromkeys(_form_skeleton(a) for a in u.alts):
                if key and key != u.skel:
                    alt_skel.setdefault(key, []).append(u)
        self.alt_skel = alt_skel
        # query side only: per single unit, listed unit → similarity (see name_score_value)
        self.memo: list[dict[object, float]] | None = None

    @property
    def units(self) -> tuple[Unit, ...]:
        return self.singles + self.merged_units

    @property
    def capped(self) -> bool:
        """Whether the rarity cap can lower this name's scores (see :func:`_cap`)."""
        return self.kind != "org"

    @classmethod
    def parse(cls, original: str, rarity: Rarity, kind: NameKind = "person") -> NameForm:
        parsed = parse_name(original, kind)
        if not parsed:
            return cls(original, ParsedName((), {}, {}, (), "", (), -1, ()), rarity, kind)
        return cls(original, parsed[0], rarity, kind)


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
    rule: str = ""  # a name-level rule that decided the score (acronym, script, exact name)
    whole: str = ""  # "query" or "listed": that name is found whole in the other
    recognised: float = 0.0  # the matched rarity the cap counts (see :func:`recognised`)


def pair_half(qu: Unit, cu: Unit) -> float:
    """The weight an aligned pair counts with in the name score: the mean of its two parts'
    weights; a query initial and a listed part starting with it count as much as the
    initial on both sides (the lighter of the two): what they share is one letter, not the
    listed part's rarity. At the mean weight, an initial aligned with a rare listed part
    cost more than a query initial left unmatched, so ``H. SADDAM HUSSEIN AL-TIKRITI``
    scored higher against ``SADDAM HUSSEIN AL-TIKRITI`` than against ``HALA SADDAM
    HUSSEIN AL-TIKRITI``. A query part against a listed initial keeps the mean."""
    if len(qu.latin) == 1 and len(cu.latin) > 1 and cu.start == cu.end:
        return qu.weight if qu.weight < cu.weight else cu.weight
    return (qu.weight + cu.weight) / 2.0


def weak_pair(qu: Unit, cu: Unit, sim: float) -> bool:
    """A pair too unlike to stand for one name: joined below ``WEAK_PAIR`` by a spelling
    rule (not an initial, the part a query cut at its field limit begins, or one East Asian
    syllable romanised two ways, whose low values are their own evidence)."""
    return (sim < WEAK_PAIR and len(qu.latin) > 1 and len(cu.latin) > 1 and not qu.prefix
            and sim != MODEL.syllable)


def pair_cost(qu: Unit, cu: Unit, sim: float, half: float) -> float:
    """What an aligned pair costs in D: its weight (``half``, :func:`pair_half`), or for a
    weak pair (:func:`weak_pair`) what its parts would cost left unmatched, the query's in
    full and the listed one's at half. A weak pair then adds its similarity to M and costs
    what leaving it out costs: ``ALLAH MAYCHOU`` / ``ALI MAYCHOU`` (allah/ali 0.36) no longer
    scores as if the two were one name spelt two ways (0.77, now 0.65). Scores only go down,
    so the index's bound holds."""
    if weak_pair(qu, cu, sim):
        return qu.weight + UNMATCHED_CANDIDATE_FACTOR * cu.weight
    return half


def _shown(form: str, latin: str) -> str:
    """A part's alternative form as an explanation shows it."""
    if form[:1] == LOANWORD_MARK:
        return latin
    return form[1:] if form[:1] == ABJAD_MARK else form


def _alt_similarity(qu: Unit, cu: Unit, sim: float, rule: str) -> tuple[float, str]:
    """Best similarity over the alternative Latin forms of either token."""
    for qa in (qu.latin, *qu.alts):
        for ca in (cu.latin, *cu.alts):
            if qa == qu.latin and ca == cu.latin:
                continue
            s, r = token_similarity(qa, ca)
            if s > sim:
                # a loanword key is shown as the part it was made from (the rule names it), an
                # Arabic-script part's reading without the mark that keeps it apart
                qd = _shown(qa, qu.latin)
                cd = _shown(ca, cu.latin)
                sim, rule = s, f"{r} (read as '{qd}'/'{cd}')"
    return sim, rule


def unit_similarity(qu: Unit, cu: Unit) -> tuple[float, str]:
    """Similarity of two single units: the token rules over every Latin form of each, a
    rigour symbol of a part written in its own script, and a part cut at a field limit."""
    sim, rule = token_similarity(qu.latin, cu.latin)
    if sim >= 1.0:
        return sim, rule
    if qu.alts or cu.alts:
        sim, rule = _alt_similarity(qu, cu, sim, rule)
    if (qu.symbols or cu.symbols) and sim < MODEL.symbol:
        common = ((qu.symbols | name_symbols(qu.latin))
                  & (cu.symbols | name_symbols(cu.latin)))
        if common:
            sim, rule = MODEL.symbol, (f"one name in two languages, written in its own "
                                       f"script (rigour name symbol {min(common)})")
    if qu.prefix:
        p = max(prefix_similarity(qa, ca) for qa in (qu.latin, *qu.alts)
                for ca in (cu.latin, *cu.alts))
        if p > sim:
            sim, rule = p, "cut at the field limit: the listed part begins with it"
    return sim, rule


def _name_rule(q: NameForm, c: NameForm) -> tuple[float, str] | None:
    """Name-level rules decided before any alignment: two names written in Han or Hangul
    are one name only with the same characters; an organisation's acronym."""
    if q.script_key and c.script_key and q.script_key != c.script_key:
        return 0.0, "both written in Han or Hangul, with different characters"
    if q.kind == "org" and c.kind == "org":
        if (len(c.tokens) == 1 and len(c.tokens[0]) >= MIN_REACHED_ACRONYM
                and c.tokens[0] in q.acronyms):
            return MODEL.acronym, f"acronym '{c.tokens[0]}' of the query name"
        if len(q.tokens) == 1 and q.tokens[0] in c.listed_acronyms:
            return MODEL.acronym, f"acronym '{q.tokens[0]}' of the listed name"
    return None


def _as_listed(q: NameForm, c: NameForm, exact: bool, used_q: int, used_c: int) -> bool:
    """An organisation's name written as listed: every aligned part exact, every part of
    both names aligned, except legal forms left on one side only (UNION DEVELOPMENT GROUP /
    UNION DEVELOPMENT GROUP CO., LTD.; a class word such as DEVELOPMENT left over is a
    different name: UNION DEVELOPMENT BANK / UNION BANK), and some part not a legal form.
    One name written in Arabic script (``abjad_org``) need not align exactly: its parts
    are the other's in another script (القاعدة / AL-QAIDA, الملثمون / AL MOULATHAMOUN), and
    a name so written whole counts in full as well."""
    if not (exact or q.abjad_org != c.abjad_org) or q.kind != "org" or c.kind != "org":
        return False
    full_q, full_c = (1 << len(q.tokens)) - 1, (1 << len(c.tokens)) - 1
    left_q, left_c = full_q & ~used_q, full_c & ~used_c
    if left_q and left_c:
        return False
    if left_q & ~q.legal or left_c & ~c.legal:
        return False
    return bool(used_q & ~q.legal)


def recognised(info: float, best: float) -> float:
    """The matched rarity the rarity cap counts: the aligned query parts' rarity weighed
    by similarity (``info``), or the rarity of the rarest query part recognised as one
    name (aligned at ``cap_similarity`` or more: ``best``) when that is more. The cap asks
    whether the match rests on one rare part; the name score has already weighed each
    pair by its similarity, and counting it again in the cap took a one-part name matched
    by a typo (WALIAJN / WALIJAN 0.77) to about its square (0.60). Common parts matched
    by spelling rules still add up by similarity only (JANAN AHMADI is not AHMAD JAN)."""
    return best if best > info else info


def _cap(q: NameForm, c: NameForm, info: float, all_exact: bool) -> float:
    """Rarity scaling: a match on common parts only counts ``info / min_information`` of
    its score (``info``: the matched rarity, :func:`recognised`); an organisation's name
    written as listed counts in full (AL-QAIDA; see :func:`_as_listed`)."""
    if all_exact and q.kind == "org" and c.kind == "org":
        return 1.0
    return min(1.0, info / MODEL.min_information)


def _candidate_factor(q: NameForm) -> float:
    """What a listed part missing from the query costs: nothing when the query was cut at
    a field limit (the parts after the cut cannot be there)."""
    return 0.0 if q.truncated else UNMATCHED_CANDIDATE_FACTOR


def whole_side(q: NameForm, c: NameForm, used_q: int, used_c: int) -> str:
    """Which name is found whole in the other ("a name found whole"): ``"query"`` when every
    part of a query of 2+ parts (legal forms aside) is aligned and listed parts are left
    over, ``"listed"`` when every part of a listed name of 2+ parts is aligned and query
    parts are left over, else ``""`` (``used_*``: bit k set when part k is aligned)."""
    full_q, full_c = (1 << len(q.tokens)) - 1, (1 << len(c.tokens)) - 1
    if used_q == full_q:
        if used_c != full_c and (full_q & ~q.legal).bit_count() >= 2:
            return "query"
    elif used_c == full_c and (full_c & ~c.legal).bit_count() >= 2:
        return "listed"
    return ""


def whole_rarity(info: float) -> float:
    """How much of the "found whole" rule a name gets from the rarity of its aligned parts:
    none up to ``whole_start`` × ``min_information`` (common parts alone: MOHAMMED ALI
    found whole in MOHAMMED ALI RAHIMI stays what it was), all of it from one
    ``min_information`` more."""
    return min(1.0, max(0.0, info / MODEL.min_information - MODEL.whole_start))


def another_syllable(q: NameForm, c: NameForm, used_q: int, used_c: int) -> bool:
    """Whether a syllable of each name is left unmatched (``used_*``: bit k set when part k
    is aligned): in two names written as romanised Chinese or Korean syllables, a query
    syllable in the place of a listed one (PAEK JUNG BONG / PAEK SE BONG, HAN YUNG YUAN /
    TSANG YUNG YUAN)."""
    return used_q != (1 << len(q.tokens)) - 1 and used_c != (1 << len(c.tokens)) - 1


def another_word(q: NameForm, c: NameForm, used_q: int, used_c: int) -> bool:
    """Whether a part of each organisation name other than a legal form is left unmatched
    (``used_*``: bit k set when part k is aligned): a word of the query in the place of a
    listed one (SAHEL CONSULTANT ENGINEERS / KORYO CONSULTANT ENGINEERS)."""
    return bool(((1 << len(q.tokens)) - 1) & ~used_q & ~q.legal) and bool(
        ((1 << len(c.tokens)) - 1) & ~used_c & ~c.legal)


def word_in_place(q: NameForm, c: NameForm, ns: NameScore) -> bool:
    """Whether :func:`another_word`'s cost applied to a scored pair (its explanation)."""
    if not (q.kind == "org" and c.kind == "org" and _candidate_factor(q) and ns.pairs):
        return False
    used_q = used_c = 0
    for p in ns.pairs:
        used_q |= (2 << p.q.end) - (1 << p.q.start)
        used_c |= (2 << p.c.end) - (1 << p.c.start)
    return another_word(q, c, used_q, used_c)


def syllable_in_place(q: NameForm, c: NameForm, ns: NameScore) -> bool:
    """Whether :func:`another_syllable`'s cost applied to a scored pair (its explanation)."""
    return (q.syllabic and c.syllabic and bool(_candidate_factor(q))
            and bool(ns.pairs) and bool(ns.unmatched_query) and bool(ns.unmatched_candidate))


def unmatched_costs(q: NameForm, c: NameForm, used_q: int, used_c: int,
                    info: float) -> tuple[float, float]:
    """What an unmatched query part and an unmatched listed part cost (shares of their
    weight in D): 1 and :func:`_candidate_factor`, less a fitted share when one name is
    found whole in the other (:func:`whole_side`): a query found whole forgives
    ``covered_query`` of the cost of the listed parts left over (DIAZ, Claudia / DIAZ
    GUILLEN, Claudia Patricia), a listed name found whole forgives ``covered_listed`` of the
    cost of the query parts left over (POLANI, Atif Abdul Aziz / POLANI, Atif); both
    scaled by :func:`whole_rarity` of the aligned parts' information ``info``. Two names of
    romanised East Asian syllables (``NameForm.syllabic``) with a syllable of each left
    unmatched (:func:`another_syllable`): the listed one costs its full weight
    (``SYLLABLE_IN_PLACE``), like the query's. Such names are short and written whole, so a
    syllable missing where the query has another is another given name or surname, another
    person, not a part the query left out. Two organisation names with a word of each left
    unmatched, legal forms aside (:func:`another_word`): the listed word costs its full weight
    (``WORD_IN_PLACE``). An organisation is named by its distinctive words, and a list writes
    the name whole, so a listed word missing where the query has another is another
    organisation (KORYO CONSULTANT ENGINEERS is not SAHEL CONSULTANT ENGINEERS), not a word
    the query left out (CONSULTANT ENGINEERS, or SAHEL CONSULTANT ENGINEERS LLC, cost what
    they did)."""
    f_c = _candidate_factor(q)
    if f_c and q.syllabic and c.syllabic and another_syllable(q, c, used_q, used_c):
        return 1.0, SYLLABLE_IN_PLACE
    if f_c and q.kind == "org" and c.kind == "org" and another_word(q, c, used_q, used_c):
        return 1.0, WORD_IN_PLACE
    whole = whole_side(q, c, used_q, used_c)
    if whole == "query":
        return 1.0, f_c * (1.0 - MODEL.covered_query * whole_rarity(info))
    if whole == "listed":
        return 1.0 - MODEL.covered_listed * whole_rarity(info), f_c
    return 1.0, f_c


def _merged_unit_pairs(q: NameForm, c: NameForm) -> Iterator[tuple[Unit, Unit]]:
    """Pairs of a merged unit (two parts written as one) with a unit of the same skeleton,
    and two merged units of the same letters cut elsewhere (``j eson``/``je son``: a space
    or hyphen moved by a swap)."""
    moved = not q.merged_latins.isdisjoint(c.merged_latins)  # (nearly always False)
    for qu in q.merged_units:
        for cu in c.by_skel.get(qu.skel, ()):
            yield qu, cu
        for cu in c.alt_skel.get(qu.skel, ()):
            yield qu, cu
        if moved:
            for cu in c.merged_units:
                if qu.latin == cu.latin and qu.cut != cu.cut:
                    yield qu, cu
    for cu in c.merged_units:
        for qu in q.by_skel.get(cu.skel, ()):
            yield qu, cu
        for qu in q.alt_skel.get(cu.skel, ()):
            yield qu, cu


def _form_skeleton(form: str) -> str:
    """The skeleton of a unit's other Latin form; "" for an Arabic-script part's abjad key
    and a katakana part's loanword key, which only their own rules meet (an abjad key is
    compared once the unit is paired: :func:`merged_pair`)."""
    return "" if form[:1] in (ABJAD_MARK, LOANWORD_MARK) else skeleton(form)


def merged_pair(qu: Unit, cu: Unit) -> tuple[float, str]:
    """Similarity of a merged unit and a unit of the same skeleton. Two romanised East
    Asian syllables written as one are the same syllables only when spelt alike
    (``jongun``/``jong un``): their skeleton also joins other syllables (``cho u``/``choe``,
    ``ko kyong``/``chang``), which are other names (see :func:`other_syllables`)."""
    if (qu.syllables or cu.syllables) and qu.latin != cu.latin:
        return 0.0, ""
    sim, rule = merged_similarity(qu.latin, cu.latin)
    single = cu if qu.merged else qu  # (the other is merged)
    for form in single.alts:  # the single part's other Latin forms (ظاهرعويس dhahruis)
        if form[:1] in (ABJAD_MARK, LOANWORD_MARK):
            continue
        s, r = (merged_similarity(qu.latin, form) if single is cu
                else merged_similarity(form, cu.latin))
        if s > sim:
            sim, rule = s, (f"{r} (read as '{qu.latin}'/'{form}')" if single is cu
                            else f"{r} (read as '{form}'/'{cu.latin}')")
    if qu.alts or cu.alts:  # two parts written in Arabic script as one, or one as two
        for qa, ca in _abjad_forms(qu, cu):
            s, r = abjad_similarity(qa, ca)
            if s > sim:
                sim, rule = s, "merged parts, " + r
    return sim, rule


def _abjad_forms(qu: Unit, cu: Unit) -> Iterator[tuple[str, str]]:
    """The abjad keys of either unit against the other's Latin form (a merged unit's only
    alternative is its parts' abjad key; see :func:`abjad_pair`)."""
    for qa in qu.alts:
        if qa[:1] == ABJAD_MARK:
            yield qa, cu.latin
    for ca in cu.alts:
        if ca[:1] == ABJAD_MARK:
            yield qu.latin, ca


def abjad_pair(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    """The abjad key of two neighbouring parts written in Arabic script, read as one
    (عبد المالك → ``abdmalk``, Abdelmalek): their first abjad keys joined; () otherwise."""
    ka = next((x for x in a if x[:1] == ABJAD_MARK), None)
    kb = next((x for x in b if x[:1] == ABJAD_MARK), None)
    if ka is None or kb is None:
        return ()
    # the second part's other keys too (ادين read as the article said: غياث ادين Ghiasuddin)
    return tuple(dict.fromkeys(_joined(ka, x[1:]) for x in b
                               if x[:1] == ABJAD_MARK))[:MAX_MERGED_KEYS]


def _joined(key: str, second: str) -> str:
    """An abjad key and the reading of the part after it, read as one part: with the
    ALA-LC prime between them where the last letter of one and the first of the other
    would meet as one Latin digraph (سيد هادي ``sidʹhadi``, not the ``dh`` of ``sidhadi``,
    whose skeleton ``sd`` met Sedoy; as within a part: :func:`transliterate.abjad_readings`)."""
    if second[:1] != PRIME and meet_as_one(key[1:], second, DIGRAPH_SOURCES):
        return key + PRIME + second
    return key + second


def compare_names(q: NameForm, c: NameForm) -> NameScore:
    """Align the units of two names greedily (best similarity first) and score the alignment.

    score = M / D · cap, with M = Σ sim·(w_q + w_c)/2 over aligned pairs and
    D = Σ (w_q + w_c)/2 + f_q·Σ unmatched query weights + f_c·Σ unmatched candidate weights
    (f_q = 1 and f_c = 0.5, less a fitted share when one name is found whole in the other:
    :func:`unmatched_costs`), the cap lowering scores built on common parts only (``min_information``); name-level
    rules (:func:`_name_rule`) come first.
    """
    decided = _name_rule(q, c)
    if decided is not None and decided[0] == 0.0:
        return NameScore(0.0, (), q.tokens, c.tokens, 0.0, 0.0, decided[1])
    cands: list[tuple[float, float, int, int, int, int, Unit, Unit, str]] = []
    for qu in q.singles:
        for cu in c.singles:
            sim, rule = unit_similarity(qu, cu)
            if sim > 0.0:
                cands.append((-sim, -(qu.weight + cu.weight), qu.start, cu.start, qu.end, cu.end,
                              qu, cu, rule))
    for qu, cu in _merged_unit_pairs(q, c):
        sim, rule = merged_pair(qu, cu)
        if sim > 0.0:
            cands.append((-sim, -(qu.weight + cu.weight), qu.start, cu.start, qu.end,
                          cu.end, qu, cu, rule))
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
    best = 0.0  # the rarest query part recognised as one name (see recognised)
    for p in pairs:
        half = pair_half(p.q, p.c)
        matched += p.sim * half
        denom += pair_cost(p.q, p.c, p.sim, half)
        info += p.sim * p.q.weight
        if p.sim >= MODEL.cap_similarity and p.q.weight > best:
            best = p.q.weight
    known = recognised(info, best)
    un_q = tuple(t for k, t in enumerate(q.tokens) if not used_q[k])
    un_c = tuple(t for k, t in enumerate(c.tokens) if not used_c[k])
    mask_q = sum(1 << k for k, used in enumerate(used_q) if used)
    mask_c = sum(1 << k for k, used in enumerate(used_c) if used)
    f_q, f_c = unmatched_costs(q, c, mask_q, mask_c, info)
    denom += f_q * sum(w for k, w in enumerate(q.weights) if not used_q[k])
    denom += f_c * sum(w for k, w in enumerate(c.weights) if not used_c[k])
    raw = matched / denom if denom > 0 else 0.0
    all_exact = _as_listed(q, c, all(p.sim == 1.0 for p in pairs), mask_q, mask_c)
    score = raw * _cap(q, c, known, all_exact)
    rule = ("the organisation's name as listed, written in Arabic script"
            if q.abjad_org != c.abjad_org else "the organisation's name as listed") \
        if all_exact and score > raw * min(
        1.0, known / MODEL.min_information) else ""
    if decided is not None and decided[0] > score:
        return NameScore(decided[0], (), q.tokens, c.tokens, 1.0, decided[0], decided[1],
                         recognised=1.0)
    whole = "query" if f_c < _candidate_factor(q) else "listed" if f_q < 1.0 else ""
    return NameScore(score, tuple(pairs), un_q, un_c, info, raw, rule, whole, known)


def name_score_value(q: NameForm, c: NameForm) -> float:
    """``compare_names(q, c).score`` without the alignment record (the screening hot path).

    Same candidate pairs, same order, same greedy choice and the same floating-point
    operations in the same order, so the value is bit-identical; the explanation is built
    with :func:`compare_names` only for the hits returned. Similarities of the query's
    units are memoised on the query form (``q.memo``) for the duration of a screen.
    """
    decided = None
    if q.script_key or q.kind == "org":
        decided = _name_rule(q, c)
        if decided is not None and decided[0] == 0.0:
            return 0.0
    memos = q.memo
    if memos is None:
        memos = q.memo = [{} for _ in q.singles]
    cands: list[tuple[float, float, int, int, int, int, float, float, float]] = []
    c_singles = c.singles
    for qu in q.singles:
        memo = memos[qu.start]
        qw = qu.weight
        qs = qu.start
        initial = len(qu.latin) == 1  # (pair_half: a query initial against a longer part)
        for cu in c_singles:
            key: object = (cu.latin, cu.alts, cu.symbols) if (cu.alts or cu.symbols) \
                else cu.latin
            sim = memo.get(key)
            if sim is None:
                sim = memo[key] = unit_similarity(qu, cu)[0]
            if sim > 0.0:
                cw = cu.weight
                half = (qw if qw < cw else cw) if initial and len(cu.latin) > 1 \
                    else (qw + cw) / 2.0
                cands.append((-sim, -(qw + cw), qs, cu.start, qs, cu.start, qw, half,
                              pair_cost(qu, cu, sim, half) if sim < WEAK_PAIR else half))
    if q.merged_units or c.merged_units:
        for qu, cu in _merged_unit_pairs(q, c):
            sim = merged_pair(qu, cu)[0]
            if sim > 0.0:
                half = pair_half(qu, cu)
                cands.append((-sim, -(qu.weight + cu.weight), qu.start, cu.start,
                              qu.end, cu.end, qu.weight, half, pair_cost(qu, cu, sim, half)))
    # the first six fields are unique per unit pair, so a plain sort orders as compare_names
    cands.sort()
    used_q = 0
    used_c = 0
    matched = 0.0
    denom = 0.0
    info = 0.0
    best = 0.0
    cap_sim = MODEL.cap_similarity
    exact = True
    for neg_sim, _w, qs, cs, qe, ce, qw, half, cost in cands:
        mq = (2 << qe) - (1 << qs)
        mc = (2 << ce) - (1 << cs)
        if used_q & mq or used_c & mc:
            continue
        used_q |= mq
        used_c |= mc
        sim = -neg_sim
        exact = exact and sim == 1.0
        matched += sim * half
        denom += cost
        info += sim * qw
        if sim >= cap_sim and qw > best:
            best = qw
    un_q = [w for k, w in enumerate(q.weights) if not used_q >> k & 1]
    un_c = [w for k, w in enumerate(c.weights) if not used_c >> k & 1]
    f_q, f_c = unmatched_costs(q, c, used_q, used_c, info)
    denom += f_q * sum(un_q)
    denom += f_c * sum(un_c)
    raw = matched / denom if denom > 0 else 0.0
    score = raw * _cap(q, c, recognised(info, best), _as_listed(q, c, exact, used_q, used_c))
    if decided is not None and decided[0] > score:
        return decided[0]
    return score
