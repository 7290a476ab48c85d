"""The screening index (:class:`Matcher`) and its brute-force reference (:class:`NaiveMatcher`).

Both keep compact per-entity records (never the :class:`~ctnode.model.entities.Entity`
objects) and score with the same functions from :mod:`ctnode.match.score`; the fast one
only adds candidate generation:

* postings (key → ids of the names holding it): the consonant skeleton, the Latin form
  and the rigour name symbols of every token, and the skeleton of every pair of adjacent
  tokens merged; alternative forms under keys of their own;
* vocabulary keys for typos: every Latin token and every skeleton (4+ letters) under each
  one-letter deletion, so a query token reaches the tokens one edit away;
* an upper bound of each reached name's score (from the postings alone) prunes names that
  cannot reach the report threshold before the pairwise scoring runs; the longest posting
  lists of a query only add to the bounds of names found through the others (prefix
  filtering). docs/matching.md derives the bound.

Rarity statistics are frozen at ``build()``: ``add()``/``remove()`` change what is found,
not the weights, until the next ``build()`` (the node rebuilds after every import).
"""

from __future__ import annotations

import gc
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ctnode.match.normalize import (
    clean_country,
    clean_date,
    clean_documents,
    name_forms,
    name_symbols,
    skeleton,
    split_names,
    token_rules,
)
from ctnode.match.score import (
    FUZZY_MIN_LATIN,
    FUZZY_MIN_SKELETON,
    MIN_INFORMATION,
    SIM_SKELETON_TYPO_MAX,
    SIM_SYMBOL,
    UNMATCHED_CANDIDATE_FACTOR,
    WEAK_ALIAS_FACTOR,
    NameForm,
    NameScore,
    Rarity,
    Unit,
    bonus_bound,
    compare_countries,
    compare_dates,
    compare_documents,
    compare_names,
    compare_schema,
    deletion_keys,
    merged_similarity,
    name_score_value,
    skeleton_typo_applies,
    skeleton_typo_similarity,
    token_similarity,
)
from ctnode.model.entities import NAME_PROPS, Entity
from ctnode.model.screening import Band, FeatureExplanation, Hit, ScreenQuery

# Name props and the factor their names count with.
_NAME_FACTORS: dict[str, float] = {"name": 1.0, "alias": 1.0, "previousName": 1.0,
                                   "weakAlias": WEAK_ALIAS_FACTOR}
_PART_PROPS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
# With include_below (no floor, so no prefix filtering), a query unit whose postings exceed
# this only adds to the bounds of names found through rarer units: "mohammed" alone must not
# pull 50,000 names into the scorer.
MAX_POSTINGS = 20_000
_EXPANSION_CACHE = 50_000
_FORM_CACHE = 20_000
# Skeleton groups up to this many spellings get an exact similarity bound; larger ones the
# rule maximum (computing the exact one would cost more than it saves).
_EXACT_BOUND_GROUP = 16


@dataclass(frozen=True)
class Thresholds:
    """Score bands: ``match`` at or above ``match``; ``possible`` at or above ``report``."""

    match: float = 0.85
    report: float = 0.70

    def band(self, score: float) -> Band:
        if score >= self.match:
            return "match"
        if score >= self.report:
            return "possible"
        return "no match"


class _Record:
    """What the matcher keeps of one entity."""

    __slots__ = ("alive", "caption", "countries", "dataset", "dates", "docs", "id", "names",
                 "reference", "schema", "status")

    def __init__(self, entity: Entity, names: tuple[int, ...]) -> None:
        self.id = entity.id
        self.dataset = entity.dataset
        self.reference = entity.reference
        self.schema = entity.schema
        self.caption = entity.caption
        self.status = entity.status
        self.alive = True
        self.names = names
        dates = {d for v in entity.get("birthDate") if (d := clean_date(v))}
        self.dates = tuple(sorted(dates))
        countries = {c for v in entity.get("nationality") + entity.get("citizenship")
                     if (c := clean_country(v))}
        self.countries = tuple(sorted(countries))
        docs: dict[str, None] = {}
        for prop in ("passportNumber", "idNumber"):
            for v in entity.get(prop):
                for d in clean_documents(v):
                    docs.setdefault(d, None)
        self.docs = tuple(docs)


def entity_names(entity: Entity) -> list[tuple[str, float]]:
    """(name, factor) for every name of an entity, bracketed and ``;`` parts split apart."""
    out: dict[str, float] = {}
    for prop in NAME_PROPS:
        factor = _NAME_FACTORS.get(prop, 1.0)
        for value in entity.get(prop):
            for name in split_names(value):
                out.setdefault(name, factor)
    parts = [entity.first(p) for p in _PART_PROPS]
    joined = " ".join(p for p in parts if p)
    if joined:
        out.setdefault(joined, 1.0)
    return list(out.items())


@dataclass(slots=True)
class _Query:
    names: list[NameForm]
    dates: list[str]
    countries: list[str]
    docs: list[str]
    schema: str
    datasets: frozenset[str] | None
    include_delisted: bool


# Lists of this many names or more are moved out of the cyclic garbage collector's view
# once built: a full collection over millions of index objects pauses a screen for ~1 s.
_FREEZE_AT = 100_000


def _freeze_long_lived() -> None:
    """Collect what the build left behind, then freeze the rest (``gc.freeze``): the index
    lives until the next build, and objects without reference cycles (all of the index)
    are still freed by reference counting when it is replaced."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class _Corpus:
    """Records, names and rarity statistics shared by both matchers."""

    def __init__(self, thresholds: Thresholds, max_candidates: int = 200) -> None:
        self.thresholds = thresholds
        self.max_candidates = max_candidates
        self._records: list[_Record] = []
        self._by_id: dict[str, int] = {}
        # per name: owning record index, original text, tokens, factor
        self._name_rec: array[int] = array("i")
        self._name_text: list[str] = []
        self._name_tokens: list[tuple[str, ...]] = []
        self._name_alts: dict[int, dict[int, tuple[str, ...]]] = {}  # only names that have some
        self._name_factor: array[float] = array("f")
        self.rarity = Rarity()
        self._forms: dict[int, NameForm] = {}

    # -- building --------------------------------------------------------------------

    def build(self, entities: Iterable[Entity]) -> None:
        """Replace everything with ``entities`` and recompute the rarity statistics."""
        self._reset()
        for entity in entities:
            self._append(entity)
        df: dict[str, int] = {}
        for toks in self._name_tokens:
            for key in {skeleton(t) for t in toks}:
                df[key] = df.get(key, 0) + 1
        self.rarity = Rarity(df, len(self._name_tokens))
        self._after_build()
        if len(self._name_tokens) >= _FREEZE_AT:
            _freeze_long_lived()

    def add(self, entity: Entity) -> None:
        """Add ``entity``, replacing a record with the same id."""
        if entity.id in self._by_id:
            self.remove(entity.id)
        first = len(self._name_text)
        self._append(entity)
        self._after_add(first)

    def remove(self, entity_id: str) -> None:
        idx = self._by_id.pop(entity_id, None)
        if idx is not None:
            self._records[idx].alive = False

    def __len__(self) -> int:
        return len(self._by_id)

    def _reset(self) -> None:
        self._records = []
        self._by_id = {}
        self._name_rec = array("i")
        self._name_text = []
        self._name_tokens = []
        self._name_alts = {}
        self._name_factor = array("f")
        self._forms = {}

    def _append(self, entity: Entity) -> None:
        rec_idx = len(self._records)
        ids: list[int] = []
        for name, factor in entity_names(entity):
            toks, alts = name_forms(name)
            if not toks:
                continue
            if alts:
                self._name_alts[len(self._name_text)] = alts
            ids.append(len(self._name_text))
            self._name_rec.append(rec_idx)
            self._name_text.append(name)
            self._name_tokens.append(toks)
            self._name_factor.append(factor)
        if entity.id in self._by_id:
            self._records[self._by_id[entity.id]].alive = False
        self._records.append(_Record(entity, tuple(ids)))
        self._by_id[entity.id] = rec_idx

    def _after_build(self) -> None:
        """Hook for the index."""

    def _after_add(self, first_name: int) -> None:
        """Hook for the index."""

    # -- screening -------------------------------------------------------------------

    def _prepare(self, query: ScreenQuery) -> _Query:
        names: list[NameForm] = []
        seen: set[tuple[str, ...]] = set()
        for raw in query.names:
            for name in split_names(raw):
                form = NameForm.parse(name, self.rarity)
                if form.tokens and form.tokens not in seen:
                    seen.add(form.tokens)
                    names.append(form)
        dates = sorted({d for v in query.birth_dates if (d := clean_date(v))})
        countries = sorted({c for v in query.nationalities if (c := clean_country(v))})
        docs: list[str] = []
        for v in query.documents:
            docs.extend(d for d in clean_documents(v) if d not in docs)
        datasets = frozenset(query.datasets) if query.datasets is not None else None
        return _Query(names, dates, countries, docs, query.schema, datasets,
                      query.include_delisted)

    def _eligible(self, rec: _Record, q: _Query) -> bool:
        if not rec.alive:
            return False
        if rec.status == "delisted" and not q.include_delisted:
            return False
        return q.datasets is None or rec.dataset in q.datasets

    def _name_form(self, name_id: int) -> NameForm:
        form = self._forms.get(name_id)
        if form is None:
            if len(self._forms) >= _FORM_CACHE:
                self._forms.clear()
            form = NameForm(self._name_text[name_id], self._name_tokens[name_id], self.rarity,
                            self._name_alts.get(name_id))
            self._forms[name_id] = form
        return form

    def _details(self, q: _Query, rec: _Record) -> list[FeatureExplanation]:
        """The identifying details that contribute (dates, nationality, documents, schema)."""
        return [f for f in (
            compare_dates(q.dates, rec.dates),
            compare_countries(q.countries, rec.countries),
            compare_documents(q.docs, rec.docs),
            compare_schema(q.schema, rec.schema),
        ) if f is not None]

    def _score_record(self, rec_idx: int, q: _Query, names: Iterable[tuple[float, int]],
                      features: list[FeatureExplanation] | None = None) -> _Scored | None:
        """Best name of one record (names given as (bound, id), best bound first) + details.

        A name is skipped once its bound is below the best name score found: it cannot win.
        Ties go to the lower name id, then the earlier query name (as in NaiveMatcher).
        """
        rec = self._records[rec_idx]
        best: tuple[float, int, int] | None = None
        for bound, name_id in names:
            if best is not None and bound < best[0]:
                break
            cand = self._name_form(name_id)
            factor = self._name_factor[name_id]
            for qi, qn in enumerate(q.names):
                value = name_score_value(qn, cand) * factor
                if value <= 0.0:
                    continue
                if (best is None or value > best[0]
                        or (value == best[0] and (name_id, qi) < (best[1], best[2]))):
                    best = (value, name_id, qi)
        if best is None:
            return None
        name_value, name_id, qi = best
        if features is None:
            features = self._details(q, rec)
        score = name_value + sum(f.contribution for f in features)
        score = round(min(1.0, max(0.0, score)), 4)
        return _Scored(score, rec_idx, name_id, qi, features)

    def _hit(self, s: _Scored, q: _Query) -> Hit:
        rec = self._records[s.rec_idx]
        cand = self._name_form(s.name_id)
        factor = self._name_factor[s.name_id]
        qn = q.names[s.query_idx]
        # the alignment is rebuilt only for returned hits (same score as name_score_value)
        explanation = _explain_name(qn, cand, compare_names(qn, cand), factor) + s.features
        return Hit(
            entity_id=rec.id, dataset=rec.dataset, reference=rec.reference, schema=rec.schema,
            caption=rec.caption, matched_name=cand.original, score=s.score,
            band=self.thresholds.band(s.score), explanation=explanation, status=rec.status,
        )

    def _finish(self, scored: list[_Scored], q: _Query, limit: int,
                include_below: bool) -> list[Hit]:
        if not include_below:
            scored = [s for s in scored if s.score >= self.thresholds.report]
        scored.sort(key=lambda s: (-s.score, self._records[s.rec_idx].id))
        return [self._hit(s, q) for s in scored[:limit]]


@dataclass(slots=True)
class _Scored:
    score: float
    rec_idx: int
    name_id: int
    query_idx: int
    features: list[FeatureExplanation]


def _explain_name(q: NameForm, c: NameForm, ns: NameScore,
                  factor: float) -> list[FeatureExplanation]:
    """One entry for the name as a whole, one per aligned part, one for rarity scaling."""
    q_rules = token_rules(q.original)
    c_rules = token_rules(c.original)
    out: list[FeatureExplanation] = []
    detail = (f"{len(ns.pairs)} name part(s) aligned; unmatched in query: "
              f"{', '.join(ns.unmatched_query) or 'none'}; unmatched in listed name: "
              f"{', '.join(ns.unmatched_candidate) or 'none'}")
    if factor < 1.0:
        detail += f"; weak alias counted at {factor:.2f}"
    out.append(FeatureExplanation("name", q.original, c.original, round(ns.score * factor, 4),
                                  detail))
    for p in ns.pairs:
        half = (p.q.weight + p.c.weight) / 2.0
        q_orig = " ".join(q_rules.get(q.tokens[k], (q.tokens[k], ""))[0]
                          for k in range(p.q.start, p.q.end + 1))
        c_orig = " ".join(c_rules.get(c.tokens[k], (c.tokens[k], ""))[0]
                          for k in range(p.c.start, p.c.end + 1))
        translits = sorted({q_rules.get(q.tokens[k], ("", "latin"))[1]
                            for k in range(p.q.start, p.q.end + 1)}
                           | {c_rules.get(c.tokens[k], ("", "latin"))[1]
                              for k in range(p.c.start, p.c.end + 1)})
        translit = [t for t in translits if t and t != "latin"]
        how = f"'{p.q.latin}' ~ '{p.c.latin}': {p.rule}"
        if translit:
            how += f"; transliterated ({', '.join(translit)})"
        how += f"; similarity {p.sim:.2f}, rarity weight {half:.2f}"
        out.append(FeatureExplanation("name_part", q_orig, c_orig, round(p.sim * half, 4), how))
    if ns.information < 1.0 and ns.raw > 0:
        out.append(FeatureExplanation(
            "name_rarity", q.original, c.original, round((ns.score - ns.raw) * factor, 4),
            f"only common name parts matched (rarity {ns.information:.2f} < 1.00): "
            "score scaled down"))
    return out


class NaiveMatcher(_Corpus):
    """Scores every entity with the same scorer as :class:`Matcher`; no index (reference)."""

    def screen(self, query: ScreenQuery, limit: int = 10,
               include_below: bool = False) -> list[Hit]:
        q = self._prepare(query)
        if not q.names:
            return []
        scored: list[_Scored] = []
        for rec_idx, rec in enumerate(self._records):
            if not self._eligible(rec, q):
                continue
            result = self._score_record(rec_idx, q, ((1.0, n) for n in rec.names))
            if result is not None:
                scored.append(result)
        return self._finish(scored, q, limit, include_below)


class Matcher(_Corpus):
    """Indexed screening: candidates from postings, pruned by a score bound, then scored."""

    # Bounds that take at most about this many steps are computed in plain Python, larger
    # ones with numpy (whose per-call overhead only pays off on long postings). Same values.
    small_postings = 2_000
    # Names found through long postings, up to which set-aside lists are searched in plain
    # Python (binary search) rather than with numpy.
    few_found = 64

    def __init__(self, thresholds: Thresholds, max_candidates: int = 200) -> None:
        super().__init__(thresholds, max_candidates)
        self._tok_post: dict[str, int | array[int]] = {}  # skeleton → names
        self._pair_post: dict[str, int | array[int]] = {}  # skeleton of merged pair → names
        self._pair_w: dict[str, float] = {}  # ... → largest weight of a pair under it
        self._lat_post: dict[str, int | array[int]] = {}  # Latin form → names
        self._sym_post: dict[str, int | array[int]] = {}  # rigour name symbol → names
        self._sym_w: dict[str, float] = {}  # symbol → largest weight of a token with it
        self._latin_del: dict[str, list[str]] = {}
        self._skel_del: dict[str, list[str]] = {}
        self._skels: set[str] = set()
        self._skel_vocab: dict[str, list[str]] = {}
        self._key_w: dict[str, float] = {}  # skeleton → largest weight of a token under it
        self._lat_w: dict[str, float] = {}  # Latin form → largest weight of a token with it
        self._vocab: set[str] = set()
        self._tc: array[float] = array("d")
        self._expansions: dict[tuple[str, bool], list[_Reach]] = {}

    def _reset(self) -> None:
        super()._reset()
        self._tok_post = {}
        self._pair_post = {}
        self._pair_w = {}
        self._lat_post = {}
        self._sym_post = {}
        self._sym_w = {}
        self._latin_del = {}
        self._skel_del = {}
        self._skels = set()
        self._skel_vocab = {}
        self._key_w = {}
        self._lat_w = {}
        self._vocab = set()
        self._tc = array("d")
        self._expansions = {}

    def _after_build(self) -> None:
        self._index_names(0)

    def _after_add(self, first_name: int) -> None:
        self._index_names(first_name)
        self._expansions = {}

    def _index_names(self, first: int) -> None:
        weight = self.rarity.weight
        for name_id in range(first, len(self._name_tokens)):
            toks = self._name_tokens[name_id]
            alts = self._name_alts.get(name_id, {})
            ws = []
            for i, primary in enumerate(toks):
                w = weight(skeleton(primary))
                ws.append(w)
                self._index_token(primary, name_id, w, "")
                for t in alts.get(i, ()):
                    self._index_token(t, name_id, w, _ALT)
            for i in range(len(toks) - 1):
                key = skeleton(toks[i] + toks[i + 1])
                self._post(self._pair_post, key, name_id)
                if self._pair_w.get(key, 0.0) < ws[i] + ws[i + 1]:
                    self._pair_w[key] = ws[i] + ws[i + 1]
            self._tc.append(sum(ws))

    def _index_token(self, t: str, name_id: int, owner_weight: float, space: str) -> None:
        """Post a token under its skeleton and its Latin form. Alternative forms (``space``
        _ALT) go to keys of their own: they weigh what their token weighs, which would
        otherwise raise the weight bound of every name under the same key."""
        key = skeleton(t)
        self._post(self._tok_post, space + key, name_id)
        self._post(self._lat_post, space + t, name_id)
        if self._key_w.get(space + key, 0.0) < owner_weight:
            self._key_w[space + key] = owner_weight
        if self._lat_w.get(space + t, 0.0) < owner_weight:
            self._lat_w[space + t] = owner_weight
        for symbol in name_symbols(t):
            self._post(self._sym_post, space + symbol, name_id)
            if self._sym_w.get(space + symbol, 0.0) < owner_weight:
                self._sym_w[space + symbol] = owner_weight
        if t not in self._vocab:
            self._vocab.add(t)
            if len(t) >= FUZZY_MIN_LATIN:
                for d in deletion_keys(t):
                    self._latin_del.setdefault(d, []).append(t)
            self._skel_vocab.setdefault(key, []).append(t)
        if key not in self._skels:
            self._skels.add(key)
            if len(key) >= FUZZY_MIN_SKELETON:
                for d in deletion_keys(key):
                    self._skel_del.setdefault(d, []).append(key)

    @staticmethod
    def _post(index: dict[str, int | array[int]], key: str, name_id: int) -> None:
        """Append to a posting list; a list of one is kept as a bare int (saves memory)."""
        cur = index.get(key)
        if cur is None:
            index[key] = name_id
        elif isinstance(cur, int):
            if cur != name_id:
                index[key] = array("i", (cur, name_id))
        elif cur[-1] != name_id:
            cur.append(name_id)

    def _expand(self, latin: str, merged: bool) -> list[_Reach]:
        """Posting lists a query unit reaches: (which postings, key, best similarity of any
        listed token under that key, weight bound of the listed unit).

        * its skeleton (every spelling under it: the exact and phonetic rules);
        * merged pairs of listed tokens with its skeleton (single query units only);
        * Latin forms one edit away (the typo rule), each with its own similarity;
        * skeletons one edit away (the skeleton-typo rule), bounded by that rule's maximum;
        * its rigour name symbols (forms of one name in other languages; single units only).
        """
        cache_key = (latin, merged)
        found = self._expansions.get(cache_key)
        if found is not None:
            return found
        key = skeleton(latin)
        out: list[_Reach] = []

        def reach(kind: int, found: str, ub: float) -> None:
            index, weights = {_SKEL: (self._tok_post, self._key_w),
                              _LATIN: (self._lat_post, self._lat_w),
                              _SYM: (self._sym_post, self._sym_w)}[kind]
            for k in (found, _ALT + found):
                if k in index:
                    out.append((kind, k, ub, weights[k]))

        sim_of = merged_similarity if merged else token_similarity
        group = self._skel_vocab.get(key)
        if group:
            best = (max(sim_of(latin, t)[0] for t in group) if len(group) <= _EXACT_BOUND_GROUP
                    else 1.0)
            if best > 0.0:
                reach(_SKEL, key, best)
        if not merged:
            if key in self._pair_post:
                out.append((_PAIR, key, 1.0, self._pair_w[key]))
            for symbol in sorted(name_symbols(latin)):
                reach(_SYM, symbol, SIM_SYMBOL)
            if len(latin) >= FUZZY_MIN_LATIN:
                seen: set[str] = set()
                for d in deletion_keys(latin):
                    for tok in self._latin_del.get(d, ()):
                        if tok in seen or skeleton(tok) == key:
                            continue  # same skeleton: already reached through it
                        seen.add(tok)
                        sim = token_similarity(latin, tok)[0]
                        if sim > 0.0:
                            reach(_LATIN, tok, sim)
            if len(key) >= FUZZY_MIN_SKELETON:
                near: set[str] = set()
                for d in deletion_keys(key):
                    for k in self._skel_del.get(d, ()):
                        if k != key and k not in near:
                            near.add(k)
                for k in sorted(near):
                    if not skeleton_typo_applies(key, k):
                        continue  # the rule depends on the two skeletons only
                    group = self._skel_vocab[k]
                    # spellings one Latin edit away are reached (and bounded) above
                    best = (max(skeleton_typo_similarity(latin, t) for t in group)
                            if len(group) <= _EXACT_BOUND_GROUP else SIM_SKELETON_TYPO_MAX)
                    if best > 0.0:
                        reach(_SKEL, k, best)
        if len(self._expansions) > _EXPANSION_CACHE:
            self._expansions.clear()
        self._expansions[cache_key] = out
        return out

    def _expand_unit(self, unit: Unit) -> list[_Reach]:
        """`_expand` over a unit's Latin form and its alternatives (best bound per key)."""
        if not unit.alts:
            return self._expand(unit.latin, unit.merged)
        best: dict[tuple[int, str], _Reach] = {}
        for latin in (unit.latin, *unit.alts):
            for item in self._expand(latin, unit.merged):
                old = best.get(item[:2])
                if old is None or item[2] > old[2]:
                    best[item[:2]] = item
        return list(best.values())

    @property
    def _key_span(self) -> int:
        return len(self._name_text) + 1

    def _postings(self, kind: int, key: str) -> array[int]:
        index = (self._tok_post, self._pair_post, self._lat_post, self._sym_post)[kind]
        cur = index.get(key)
        if cur is None:
            return _EMPTY
        if isinstance(cur, int):
            return array("i", (cur,))
        return cur

    def screen(self, query: ScreenQuery, limit: int = 10,
               include_below: bool = False) -> list[Hit]:
        q = self._prepare(query)
        if not q.names:
            return []
        bonus = bonus_bound(bool(q.dates), bool(q.countries), bool(q.docs))
        floor = self.thresholds.report - bonus
        bounds = self._bounds(q, None if include_below else floor)
        return self._rank_and_score(q, bounds, bonus, limit, include_below)

    def _bounds(self, q: _Query, floor: float | None) -> dict[int, float]:
        """Upper bounds of the name score of every name the query reaches (>= floor):
        name id → its bound (the best over the query names)."""
        out: dict[int, float] = {}
        for qn in q.names:
            plans = self._plans(qn)
            if not plans:
                continue
            # The rarest units find candidates; the most common ones only add to the bounds
            # of the names found (a lookup in their postings), never pull names themselves.
            plans.sort(key=lambda p: p.size)
            if floor is not None:
                finding, skipped = _split_plans(plans, qn.total, floor)
                if not finding:
                    continue  # no name can reach the floor through these units
            else:  # everything is wanted: only the very largest postings are looked up
                finding = [plans[0], *(p for p in plans[1:] if p.size <= MAX_POSTINGS)]
                skipped = [p for p in plans[1:] if p.size > MAX_POSTINGS]
            # plain Python costs about one step per posting found and one lookup per found
            # name and skipped posting list
            size = sum(p.size for p in finding)
            if size * (1 + sum(len(p.reach) for p in skipped)) <= self.small_postings:
                found = self._bounds_small(qn, finding, skipped, floor)
            else:
                found = self._bounds_large(qn, finding, skipped, floor)
            for name_id, bound in found:
                if bound > out.get(name_id, -1.0):
                    out[name_id] = bound
        return out

    def _plans(self, qn: NameForm) -> list[_Plan]:
        """Per query unit: the postings it reaches, each with similarity·weight bounds for
        the query side (ub·w_q) and the listed side (ub·w_c)."""
        plans: list[_Plan] = []
        for u, unit in enumerate(qn.units):
            reach = []
            size = 0
            a_max = c_max = 0.0
            for kind, key, ub, wk in self._expand_unit(unit):
                arr = self._postings(kind, key)
                if arr:
                    qv, cv = ub * unit.weight, ub * wk
                    reach.append((arr, qv, cv))
                    size += len(arr)
                    a_max, c_max = max(a_max, qv), max(c_max, cv)
            if reach:
                plans.append(_Plan(u, size, unit.weight, a_max, c_max, reach))
        return plans

    def _bounds_small(self, qn: NameForm, finding: list[_Plan], skipped: list[_Plan],
                      floor: float | None) -> list[tuple[int, float]]:
        """`_bounds_large` in plain Python, for few postings (no numpy call overhead)."""
        acc: dict[int, list[float]] = {}  # name → [Σ ub·w_q, Σ ub·w_c, Σ w_q]
        by_unit: dict[int, dict[int, tuple[float, float]]] = {}
        for plan in finding:
            local: dict[int, tuple[float, float]] = {}  # per unit: best values per name
            for arr, qv, cv in plan.reach:
                for name_id in arr:
                    old = local.get(name_id)
                    if old is None:
                        local[name_id] = (qv, cv)
                    elif qv > old[0] or cv > old[1]:
                        local[name_id] = (max(qv, old[0]), max(cv, old[1]))
            by_unit[plan.unit] = local
            for name_id, (qv, cv) in local.items():
                entry = acc.get(name_id)
                if entry is None:
                    acc[name_id] = [qv, cv, plan.qweight]
                else:
                    entry[0] += qv
                    entry[1] += cv
                    entry[2] += plan.qweight
        tc = self._tc
        w_q = qn.total
        if skipped and floor is not None:
            # drop names that stay below the floor even if every skipped posting held them
            a_s, c_s, qw_s = _most(skipped)
            acc = {n: e for n, e in acc.items()
                   if _name_bound(w_q, e[0] + a_s, e[1] + c_s, e[2] + qw_s, tc[n]) + _EPS
                   >= floor}
        return self._look_up(w_q, acc, by_unit, skipped, floor)

    def _look_up(self, w_q: float, acc: dict[int, list[float]],
                 by_unit: dict[int, dict[int, tuple[float, float]]], skipped: list[_Plan],
                 floor: float | None) -> list[tuple[int, float]]:
        """Add what the set-aside plans give each found name (binary search in their
        postings), then bound every name: the plain-Python end of both bound paths."""
        for plan in skipped:
            if not acc:
                break
            found_by = by_unit.get(plan.unit, _NO_MAP)
            # short postings are read into a map once; long ones are binary-searched
            short: dict[int, tuple[float, float]] = {}
            long_ = []
            for arr, qv, cv in plan.reach:
                if len(arr) > len(acc):
                    long_.append((arr, qv, cv))
                    continue
                for name_id in arr:
                    old = short.get(name_id)
                    if old is None or qv > old[0] or cv > old[1]:
                        short[name_id] = (qv, cv) if old is None else (
                            max(qv, old[0]), max(cv, old[1]))
            for name_id, entry in acc.items():
                q_best, c_best = short.get(name_id, _NONE)
                for arr, qv, cv in long_:
                    i = bisect_left(arr, name_id)
                    if i < len(arr) and arr[i] == name_id:
                        q_best, c_best = max(q_best, qv), max(c_best, cv)
                if q_best > 0.0:
                    # a unit found on both sides counts once, with its best values
                    fq, fc = found_by.get(name_id, _NONE)
                    entry[0] += max(0.0, q_best - fq)
                    entry[1] += max(0.0, c_best - fc)
                    entry[2] += plan.qweight if fq == 0.0 else 0.0
        tc = self._tc
        out = []
        for name_id, (a, c, qw) in acc.items():
            bound = _name_bound(w_q, a, c, qw, tc[name_id]) + _EPS
            if floor is None or bound >= floor:
                out.append((name_id, bound))
        return out

    def _bounds_large(self, qn: NameForm, finding: list[_Plan], skipped: list[_Plan],
                      floor: float | None) -> list[tuple[int, float]]:
        """Bounds of the names the ``finding`` plans reach, vectorised (numpy)."""
        tc = np.frombuffer(self._tc, dtype=np.float64)
        arrays: list[array[int]] = []
        qvs: list[float] = []
        cvs: list[float] = []
        qweights: list[float] = []
        units: list[int] = []
        for plan in finding:
            for arr, qv, cv in plan.reach:
                arrays.append(arr)
                qvs.append(qv)
                cvs.append(cv)
                qweights.append(plan.qweight)
                units.append(plan.unit)
        lengths = [len(arr) for arr in arrays]
        ids = np.concatenate([np.frombuffer(arr, dtype=np.int32) for arr in arrays])
        q_vals = np.repeat(np.asarray(qvs), lengths)
        c_vals = np.repeat(np.asarray(cvs), lengths)
        qw_vals = np.repeat(np.asarray(qweights), lengths)
        u_vals = np.repeat(np.asarray(units, dtype=np.int64), lengths)
        if len(arrays) > len(finding):
            # a name reached twice through one unit counts once, with its best values
            key = u_vals * self._key_span + ids
            order = np.argsort(key, kind="stable")
            key = key[order]
            first = np.empty(len(key), dtype=bool)
            first[0] = True
            np.not_equal(key[1:], key[:-1], out=first[1:])
            starts = np.flatnonzero(first)
            q_vals = np.maximum.reduceat(q_vals[order], starts)
            c_vals = np.maximum.reduceat(c_vals[order], starts)
            sel = order[starts]
            ids, qw_vals, u_vals = ids[sel], qw_vals[sel], u_vals[sel]
        uniq, inverse = np.unique(ids, return_inverse=True)
        q_acc = np.bincount(inverse, weights=q_vals).astype(np.float64)
        c_acc = np.bincount(inverse, weights=c_vals).astype(np.float64)
        qw_acc = np.bincount(inverse, weights=qw_vals).astype(np.float64)
        # per skipped plan whose unit also found names: that unit's values per name
        found_by: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        finding_units = {p.unit for p in finding}
        for plan in skipped:
            if plan.unit in finding_units and plan.unit not in found_by:
                mask = u_vals == plan.unit
                fq = np.zeros(len(uniq))
                fc = np.zeros(len(uniq))
                fq[inverse[mask]] = q_vals[mask]
                fc[inverse[mask]] = c_vals[mask]
                found_by[plan.unit] = (fq, fc)
        zeros = np.zeros(len(uniq))
        if skipped and floor is not None:
            # drop names that stay below the floor even if every skipped posting held them
            a_most, c_most, qw_most = q_acc.copy(), c_acc.copy(), qw_acc.copy()
            for plan in skipped:
                fq, fc = found_by.get(plan.unit, (zeros, zeros))
                a_most += np.maximum(0.0, plan.a_max - fq)
                c_most += np.maximum(0.0, plan.c_max - fc)
                qw_most += np.where(fq == 0.0, plan.qweight, 0.0)
            keep = _name_bounds(qn.total, a_most, c_most, qw_most, tc[uniq]) + _EPS >= floor
            uniq, q_acc, c_acc, qw_acc = uniq[keep], q_acc[keep], c_acc[keep], qw_acc[keep]
            found_by = {u: (fq[keep], fc[keep]) for u, (fq, fc) in found_by.items()}
            zeros = zeros[keep]
        if not len(uniq):
            return []
        if skipped and len(uniq) <= self.few_found:
            # few names left: binary searches cost less than numpy calls per posting list
            ids_l = uniq.tolist()
            acc = {n: [a, c, qw] for n, a, c, qw in
                   zip(ids_l, q_acc.tolist(), c_acc.tolist(), qw_acc.tolist(), strict=True)}
            by_unit = {u: {n: (a, c) for n, a, c in
                           zip(ids_l, fq.tolist(), fc.tolist(), strict=True) if a > 0.0}
                       for u, (fq, fc) in found_by.items()}
            return self._look_up(qn.total, acc, by_unit, skipped, floor)
        # the longest postings did not pull candidates; look the candidates up in them
        # (sorted) instead, so they add exactly what they can to each bound
        for plan in skipped:
            q_best = np.zeros(len(uniq))
            c_best = np.zeros(len(uniq))
            for arr, qv, cv in plan.reach:
                post = np.frombuffer(arr, dtype=np.int32)
                pos = np.minimum(np.searchsorted(post, uniq), len(post) - 1)
                found = post[pos] == uniq
                np.maximum(q_best, np.where(found, qv, 0.0), out=q_best)
                np.maximum(c_best, np.where(found, cv, 0.0), out=c_best)
            # a unit found on both sides counts once, with its best values
            fq, fc = found_by.get(plan.unit, (zeros, zeros))
            q_acc += np.maximum(0.0, q_best - fq)
            c_acc += np.maximum(0.0, c_best - fc)
            qw_acc += np.where((q_best > 0.0) & (fq == 0.0), plan.qweight, 0.0)
        bounds = _name_bounds(qn.total, q_acc, c_acc, qw_acc, tc[uniq]) + _EPS
        if floor is not None:
            keep = bounds >= floor
            uniq, bounds = uniq[keep], bounds[keep]
        return list(zip(uniq.tolist(), bounds.tolist(), strict=True))

    def _ranked(self, q: _Query, bounds: dict[int, float],
                ) -> Iterable[tuple[float, int, list[tuple[float, int]]]]:
        """Eligible records by best name bound (then record index), each with its names
        as (bound, name id), best bound first (then lower id)."""
        name_rec = self._name_rec
        by_rec: dict[int, list[tuple[float, int]]] = {}
        for name_id, bound in bounds.items():
            by_rec.setdefault(name_rec[name_id], []).append((-bound, name_id))
        order = []
        for rec_idx, names in by_rec.items():
            names.sort()
            order.append((names[0][0], rec_idx, names))
        order.sort()
        records = self._records
        for neg_best, rec_idx, names in order:
            if self._eligible(records[rec_idx], q):
                yield -neg_best, rec_idx, [(-nb, name_id) for nb, name_id in names]

    def _rank_and_score(self, q: _Query, bounds: dict[int, float],
                        bonus: float, limit: int, include_below: bool) -> list[Hit]:
        scored: list[_Scored] = []
        kept: list[float] = []  # best final scores so far, for the stop rule
        report = self.thresholds.report
        budget = self.max_candidates
        for bound, rec_idx, names in self._ranked(q, bounds):
            # stop once no later record can enter the top `limit`: scores are rounded (and
            # ties go to the lower id), so compare the bound rounded the same way
            if len(kept) >= limit and round(bound + bonus, 4) < kept[limit - 1]:
                break
            # this record's own details are known before its names are scored: a date of
            # birth that contradicts (−0.20) can put even the name bound below the threshold
            features = self._details(q, self._records[rec_idx])
            if not include_below and round(
                    min(1.0, bound + sum(f.contribution for f in features)), 4) < report:
                continue
            if budget == 0:
                break
            budget -= 1
            result = self._score_record(rec_idx, q, names, features)
            if result is not None:
                scored.append(result)
                if include_below or result.score >= self.thresholds.report:
                    kept.append(result.score)
                    kept.sort(reverse=True)
        return self._finish(scored, q, limit, include_below)


class _Plan(NamedTuple):
    """What one query unit reaches: postings with similarity·weight bounds (query side
    ub·w_q, listed side ub·w_c), their total size and the largest bounds."""

    unit: int  # index into the query name's units
    size: int
    qweight: float
    a_max: float
    c_max: float
    reach: list[tuple[array[int], float, float]]


def _name_bound(w_q: float, a: float, c: float, qw: float, w_c: float) -> float:
    """Upper bound of a name score (before details) from postings alone.

    With ``compare_names``: score = M / D · min(1, I), where
    M = Σ sim·(w_q + w_c)/2 ≤ (min(Wq, a) + min(Wc, c)) / 2 for a = Σ ub·w_q, c = Σ ub·w_c;
    D = Wq + Wc/2 − Σ(aligned w_q)/2 ≥ Wq + Wc/2 − min(Wq, qw)/2 for qw = Σ w_q reached;
    I = Σ sim·w_q ≤ a.
    """
    numer = 0.5 * (min(w_q, a) + min(w_c, c))
    denom = w_q + 0.5 * w_c - 0.5 * min(w_q, qw)
    return numer / denom * min(1.0, a / MIN_INFORMATION)


def _name_bounds(w_q: float, a: np.ndarray, c: np.ndarray, qw: np.ndarray,
                 w_c: np.ndarray) -> np.ndarray:
    """:func:`_name_bound` over arrays of names."""
    numer = 0.5 * (np.minimum(w_q, a) + np.minimum(w_c, c))
    denom = w_q + 0.5 * w_c - 0.5 * np.minimum(w_q, qw)
    result: np.ndarray = numer / denom * np.minimum(1.0, a / MIN_INFORMATION)
    return result


def _split_plans(plans: list[_Plan], w_q: float,
                 floor: float) -> tuple[list[_Plan], list[_Plan]]:
    """Split the postings the query reaches into those that must find candidates and the
    largest ones that need not (prefix filtering).

    Postings are moved to the skipped side, longest first, while a name reached *only*
    through skipped postings stays below ``floor`` whatever its own weight: per unit it
    gains at most the best skipped value, and the bound is largest for
    W_c = Σ ub·w_c (d/dW_c of :func:`_name_bound` changes sign there). So every name that
    can reach the floor is found through the postings kept. A unit can end up on both
    sides (its rare spellings find, its common ones only add to bounds).
    """
    entries = sorted(((len(arr), i, j) for i, p in enumerate(plans)
                      for j, (arr, _qv, _cv) in enumerate(p.reach)), reverse=True)
    a_u = [0.0] * len(plans)
    c_u = [0.0] * len(plans)
    in_s = [False] * len(plans)
    a = c = qw = 0.0
    skip: set[tuple[int, int]] = set()
    for _size, i, j in entries:
        _arr, qv, cv = plans[i].reach[j]
        a2 = a - a_u[i] + max(a_u[i], qv)
        c2 = c - c_u[i] + max(c_u[i], cv)
        qw2 = qw if in_s[i] else qw + plans[i].qweight
        if _name_bound(w_q, a2, c2, qw2, c2) + _EPS >= floor:
            continue
        a, c, qw = a2, c2, qw2
        a_u[i], c_u[i], in_s[i] = max(a_u[i], qv), max(c_u[i], cv), True
        skip.add((i, j))
    finding: list[_Plan] = []
    skipped: list[_Plan] = []
    for i, p in enumerate(plans):
        for side, keep in ((finding, False), (skipped, True)):
            reach = [r for j, r in enumerate(p.reach) if ((i, j) in skip) == keep]
            if reach:
                side.append(_Plan(p.unit, sum(len(r[0]) for r in reach), p.qweight,
                                  max(r[1] for r in reach), max(r[2] for r in reach), reach))
    return finding, skipped


def _most(plans: list[_Plan]) -> tuple[float, float, float]:
    """The most some plans can add to a name: Σ a_max, Σ c_max, Σ query weights."""
    return (sum(p.a_max for p in plans), sum(p.c_max for p in plans),
            sum(p.qweight for p in plans))


_EMPTY: array[int] = array("i")
_NO_MAP: dict[int, tuple[float, float]] = {}
_NONE = (0.0, 0.0)
_SKEL, _PAIR, _LATIN, _SYM = 0, 1, 2, 3  # which postings a reach entry points into
_ALT = "\x01"  # key prefix of alternative forms' postings
_Reach = tuple[int, str, float, float]  # (postings kind, key, similarity bound, weight bound)
_EPS = 1e-9  # float slack so a bound never falls below the score it bounds
assert UNMATCHED_CANDIDATE_FACTOR == 0.5, "the index bound assumes unmatched listed parts at 0.5"
