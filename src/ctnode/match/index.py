"""The screening index (:class:`Matcher`) and its brute-force reference (:class:`NaiveMatcher`).

Both keep compact per-entity records (never the :class:`~ctnode.model.entities.Entity`
objects) and score with the same functions from :mod:`ctnode.match.score`; the fast one
only adds candidate generation:

* postings: consonant skeleton of every token and of every pair of adjacent tokens merged
  → ids of the names holding it;
* vocabulary keys for typos: every Latin token and every skeleton (4+ letters) under each
  one-letter deletion, so a query token reaches the tokens one edit away;
* an upper bound of each reached name's score (Dice-style, from the postings alone) prunes
  names that cannot reach the report threshold before the pairwise scoring runs.

Rarity statistics are frozen at ``build()``: ``add()``/``remove()`` change what is found,
not the weights, until the next ``build()`` (the node rebuilds after every import).
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ctnode.match.normalize import (
    clean_country,
    clean_date,
    clean_documents,
    name_forms,
    skeleton,
    split_names,
    token_rules,
)
from ctnode.match.score import (
    FUZZY_MIN_LATIN,
    FUZZY_MIN_SKELETON,
    MIN_INFORMATION,
    SIM_FUZZY_MAX,
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
    token_similarity,
)
from ctnode.model.entities import NAME_PROPS, Entity
from ctnode.model.screening import Band, FeatureExplanation, Hit, ScreenQuery

# Name props and the factor their names count with.
_NAME_FACTORS: dict[str, float] = {"name": 1.0, "alias": 1.0, "previousName": 1.0,
                                   "weakAlias": WEAK_ALIAS_FACTOR}
_PART_PROPS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
# A query unit whose postings exceed this is not used to find candidates (only to score them)
# when rarer units exist: "mohammed" alone must not pull 50,000 names into the scorer.
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

    def _score_record(self, rec_idx: int, q: _Query,
                      names: Iterable[tuple[float, int]]) -> _Scored | None:
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
        features = [f for f in (
            compare_dates(q.dates, rec.dates),
            compare_countries(q.countries, rec.countries),
            compare_documents(q.docs, rec.docs),
            compare_schema(q.schema, rec.schema),
        ) if f is not None]
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

    def __init__(self, thresholds: Thresholds, max_candidates: int = 200) -> None:
        super().__init__(thresholds, max_candidates)
        self._tok_post: dict[str, int | array[int]] = {}
        self._pair_post: dict[str, int | array[int]] = {}
        self._latin_del: dict[str, list[str]] = {}
        self._skel_del: dict[str, list[str]] = {}
        self._vocab: set[str] = set()
        self._skels: set[str] = set()
        self._skel_vocab: dict[str, list[str]] = {}
        self._key_w: dict[str, float] = {}  # skeleton → largest weight of a token under it
        self._tc: array[float] = array("d")
        self._expansions: dict[tuple[str, bool], list[tuple[bool, str, float, float]]] = {}

    def _reset(self) -> None:
        super()._reset()
        self._tok_post = {}
        self._pair_post = {}
        self._latin_del = {}
        self._skel_del = {}
        self._vocab = set()
        self._skels = set()
        self._skel_vocab = {}
        self._key_w = {}
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
            total = 0.0
            for i, primary in enumerate(toks):
                w = weight(skeleton(primary))
                total += w
                for t in (primary, *alts.get(i, ())):
                    self._index_token(t, name_id, w)
            for i in range(len(toks) - 1):
                self._post(self._pair_post, skeleton(toks[i] + toks[i + 1]), name_id)
            self._tc.append(total)

    def _index_token(self, t: str, name_id: int, owner_weight: float) -> None:
        key = skeleton(t)
        self._post(self._tok_post, key, name_id)
        if self._key_w.get(key, 0.0) < owner_weight:
            self._key_w[key] = owner_weight  # an alternative form weighs what its token weighs
        if t not in self._vocab:
            self._vocab.add(t)
            if len(t) >= FUZZY_MIN_LATIN:
                for d in deletion_keys(t):
                    self._latin_del.setdefault(d, []).append(t)
        group = self._skel_vocab.setdefault(key, [])
        if t not in group:
            group.append(t)
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

    def _expand(self, latin: str, merged: bool) -> list[tuple[bool, str, float, float]]:
        """Posting keys a query unit reaches: (merged-pair postings?, key, best similarity of
        any listed token under that key, weight bound of the listed unit)."""
        cache_key = (latin, merged)
        found = self._expansions.get(cache_key)
        if found is not None:
            return found
        key = skeleton(latin)
        out: list[tuple[bool, str, float, float]] = []
        sim_of = merged_similarity if merged else token_similarity
        if key in self._tok_post:
            group = self._skel_vocab[key]
            best = (max(sim_of(latin, t)[0] for t in group) if len(group) <= _EXACT_BOUND_GROUP
                    else 1.0)
            if best > 0.0:
                out.append((False, key, best, self._key_w[key]))
        if not merged:
            if key in self._pair_post:
                out.append((True, key, 1.0, 2.0))
            reached: set[str] = {key}
            candidates: list[str] = []
            if len(latin) >= FUZZY_MIN_LATIN:
                for d in deletion_keys(latin):
                    for tok in self._latin_del.get(d, ()):
                        k = skeleton(tok)
                        if k not in reached:
                            reached.add(k)
                            candidates.append(k)
            if len(key) >= FUZZY_MIN_SKELETON:
                for d in deletion_keys(key):
                    for k in self._skel_del.get(d, ()):
                        if k not in reached:
                            reached.add(k)
                            candidates.append(k)
            for k in candidates:
                group = self._skel_vocab[k]
                best = (max(token_similarity(latin, t)[0] for t in group)
                        if len(group) <= _EXACT_BOUND_GROUP else SIM_FUZZY_MAX)
                if best > 0.0:
                    out.append((False, k, best, self._key_w[k]))
        if len(self._expansions) > _EXPANSION_CACHE:
            self._expansions.clear()
        self._expansions[cache_key] = out
        return out

    def _expand_unit(self, unit: Unit) -> list[tuple[bool, str, float, float]]:
        """`_expand` over a unit's Latin form and its alternatives (best bound per key)."""
        if not unit.alts:
            return self._expand(unit.latin, unit.merged)
        best: dict[tuple[bool, str], tuple[bool, str, float, float]] = {}
        for latin in (unit.latin, *unit.alts):
            for item in self._expand(latin, unit.merged):
                old = best.get(item[:2])
                if old is None or item[2] > old[2]:
                    best[item[:2]] = item
        return list(best.values())

    @property
    def _key_span(self) -> int:
        return len(self._name_text) + 1

    def _postings(self, pair: bool, key: str) -> array[int]:
        cur = (self._pair_post if pair else self._tok_post).get(key)
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
        ids, bounds = self._bounds(q, None if include_below else floor)
        return self._rank_and_score(q, ids, bounds, bonus, limit, include_below)

    def _bounds(self, q: _Query,
                floor: float | None) -> tuple[np.ndarray, np.ndarray]:
        """Upper bounds of the name score of every name the query reaches (>= floor):
        name ids (unique) and their bounds (the best over the query names)."""
        found_ids: list[np.ndarray] = []
        found_bounds: list[np.ndarray] = []
        tc = np.frombuffer(self._tc, dtype=np.float64)
        for qn in q.names:
            # per unit: reachable keys and their postings size
            plans: list[tuple[int, float, float, list[tuple[array[int], float]]]] = []
            for unit in qn.units:
                reach = []
                size = 0
                top = 0.0
                top_sim = 0.0
                for pair, key, ub, wk in self._expand_unit(unit):
                    arr = self._postings(pair, key)
                    if arr:
                        value = ub * (unit.weight + wk) / 2.0
                        reach.append((arr, value))
                        size += len(arr)
                        top = max(top, value)
                        top_sim = max(top_sim, ub)
                if reach:
                    plans.append((size, top, top_sim * unit.weight, reach))
            if not plans:
                continue
            # the rarest units find candidates; very common ones only add to the bound
            plans.sort(key=lambda p: p[0])
            skipped: list[tuple[float, list[tuple[array[int], float]]]] = []
            arrays: list[array[int]] = []
            values: list[float] = []
            infos: list[float] = []
            units: list[int] = []
            for k, (size, _top, info, reach) in enumerate(plans):
                if k > 0 and size > MAX_POSTINGS:
                    skipped.append((info, reach))
                    continue
                for arr, value in reach:
                    arrays.append(arr)
                    values.append(value)
                    infos.append(info)
                    units.append(k)
            lengths = [len(arr) for arr in arrays]
            ids = np.concatenate([np.frombuffer(arr, dtype=np.int32) for arr in arrays])
            vals = np.repeat(np.asarray(values), lengths)
            info_vals = np.repeat(np.asarray(infos), lengths)
            if len(arrays) > len(plans):
                # a name reached twice through one unit counts once, with its best value
                key = np.repeat(np.asarray(units, dtype=np.int64), lengths) * self._key_span + ids
                order = np.lexsort((-vals, key))
                key = key[order]
                first = np.empty(len(key), dtype=bool)
                first[0] = True
                np.not_equal(key[1:], key[:-1], out=first[1:])
                sel = order[first]
                ids, vals, info_vals = ids[sel], vals[sel], info_vals[sel]
            uniq, inverse = np.unique(ids, return_inverse=True)
            acc = np.bincount(inverse, weights=vals).astype(np.float64)
            info_acc = np.bincount(inverse, weights=info_vals).astype(np.float64)
            # very common units did not pull candidates; look the candidates up in their
            # (sorted) postings instead, so they add exactly what they can to each bound
            for info, reach in skipped:
                best = np.zeros(len(uniq))
                for arr, value in reach:
                    post = np.frombuffer(arr, dtype=np.int32)
                    pos = np.minimum(np.searchsorted(post, uniq), len(post) - 1)
                    found = post[pos] == uniq
                    best = np.where(found & (best < value), value, best)
                acc += best
                info_acc += np.where(best > 0.0, info, 0.0)
            cap = np.minimum(1.0, info_acc / MIN_INFORMATION)
            bounds = 2.0 * acc / (qn.total + tc[uniq]) * cap + _EPS
            if floor is not None:
                keep = bounds >= floor
                uniq, bounds = uniq[keep], bounds[keep]
            found_ids.append(uniq)
            found_bounds.append(bounds)
        if not found_ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        if len(found_ids) == 1:
            return found_ids[0], found_bounds[0]
        ids = np.concatenate(found_ids)
        bnds = np.concatenate(found_bounds)
        order = np.lexsort((-bnds, ids))  # per name, its best bound first
        ids, bnds = ids[order], bnds[order]
        if not len(ids):
            return ids, bnds
        first = np.empty(len(ids), dtype=bool)
        first[0] = True
        np.not_equal(ids[1:], ids[:-1], out=first[1:])
        return ids[first], bnds[first]

    def _ranked(self, q: _Query, ids: np.ndarray,
                bounds: np.ndarray,
                ) -> Iterable[tuple[float, int, list[tuple[float, int]]]]:
        """Eligible records by best name bound (then record index), each with its names
        as (bound, name id), best bound first (then lower id)."""
        if not len(ids):
            return
        recs = np.frombuffer(self._name_rec, dtype=np.int32)[ids]
        neg = -bounds
        order = np.lexsort((ids, neg, recs))
        recs, ids_l, bnds_l = recs[order], ids[order].tolist(), bounds[order].tolist()
        starts = np.flatnonzero(np.concatenate(([True], recs[1:] != recs[:-1])))
        ends = np.append(starts[1:], len(recs)).tolist()
        rec_of = recs[starts]
        rorder = np.lexsort((rec_of, neg[order][starts])).tolist()
        starts_l = starts.tolist()
        rec_of_l = rec_of.tolist()
        records = self._records
        for r in rorder:
            rec_idx = rec_of_l[r]
            if not self._eligible(records[rec_idx], q):
                continue
            st, en = starts_l[r], ends[r]
            yield bnds_l[st], rec_idx, list(zip(bnds_l[st:en], ids_l[st:en], strict=True))

    def _rank_and_score(self, q: _Query, ids: np.ndarray,
                        bounds: np.ndarray,
                        bonus: float, limit: int, include_below: bool) -> list[Hit]:
        scored: list[_Scored] = []
        kept: list[float] = []  # best final scores so far, for the stop rule
        for bound, rec_idx, names in itertools.islice(self._ranked(q, ids, bounds),
                                                      self.max_candidates):
            # stop once no later record can enter the top `limit`
            if len(kept) >= limit and bound + bonus < kept[limit - 1]:
                break
            result = self._score_record(rec_idx, q, names)
            if result is not None:
                scored.append(result)
                if include_below or result.score >= self.thresholds.report:
                    kept.append(result.score)
                    kept.sort(reverse=True)
        return self._finish(scored, q, limit, include_below)


_EMPTY: array[int] = array("i")
_EPS = 1e-9  # float slack so a bound never falls below the score it bounds
assert UNMATCHED_CANDIDATE_FACTOR == 0.5, "the index bound assumes unmatched listed parts at 0.5"
