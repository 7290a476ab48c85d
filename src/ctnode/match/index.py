"""The screening index (:class:`Matcher`): candidates from postings, pruned by a score
bound, then scored exactly as the brute-force :class:`~ctnode.match.naive.NaiveMatcher`
scores them.

* :mod:`ctnode.match.postings` holds the posting lists and typo vocabularies and says what
  a query unit reaches;
* :mod:`ctnode.match.bounds` turns what a query reaches into an upper bound of each
  reached name's score and sets the longest posting lists aside (prefix filtering);
* here, records are ranked by their best bound and scored, best first, until no remaining
  bound can enter the results.

Rarity statistics are frozen at ``build()``: ``add()``/``remove()`` change what is found,
not the weights, until the next ``build()`` (the node rebuilds after every import).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from ctnode.match.bounds import (
    EPS,
    bounds_large,
    bounds_small,
    plans_for,
    shape_of,
    split_plans,
)
from ctnode.match.corpus import NameCorpus, PreparedQuery, ScoredRecord, Thresholds
from ctnode.match.details import bonus_bound, countries_lift, dates_lift
from ctnode.match.naive import NaiveMatcher
from ctnode.match.postings import PostingKind, PostingTables
from ctnode.match.score import MIN_REACHED_ACRONYM, NameForm
from ctnode.match.weights import MODEL
from ctnode.model.screening import Hit, ScreenQuery

__all__ = ["MAX_POSTINGS", "Matcher", "NaiveMatcher", "Thresholds"]

# With include_below (no floor, so no prefix filtering), a query unit whose postings exceed
# this only adds to the bounds of names found through rarer units: "mohammed" alone must not
# pull 50,000 names into the scorer.
MAX_POSTINGS = 20_000
# Slack on a floor lifted by a record's details: scores are rounded to 4 places (a name
# bound this close below the floor could still round up to the threshold) and the details'
# sum adds in another order; the floor is lifted by this much less.
LIFT_SLACK = 1e-4


class Matcher(NameCorpus):
    """Indexed screening: candidates from postings, pruned by a score bound, then scored."""

    # Bounds that take at most about this many steps are computed in plain Python, larger
    # ones with numpy (whose per-call overhead only pays off on long postings). Same values.
    small_postings = 2_000
    # Names found through long postings, up to which set-aside lists are searched in plain
    # Python (binary search) rather than with numpy.
    few_found = 64
    # Names with a bound, above which they are grouped into records and ordered with numpy.
    few_ranked = 64

    def __init__(self, thresholds: Thresholds, max_candidates: int = 200) -> None:
        super().__init__(thresholds, max_candidates)
        self.tables = PostingTables()

    def _reset(self) -> None:
        super()._reset()
        self.tables = PostingTables()

    def _after_build(self) -> None:
        # A whole build posts a token's later occurrences under the keys its first one got
        # (a million listed names come from a few hundred thousand tokens): the same keys,
        # without the skeleton, symbols and syllable look-ups again. Kept only for the build.
        tables = self.tables
        kept = tables.token_keys
        if kept is None:
            tables.token_keys = {}
        try:
            self._index_names(0)
        finally:
            if kept is None:
                tables.token_keys = None

    def _after_add(self, first_name: int) -> None:
        self._index_names(first_name)

    def _index_names(self, first: int) -> None:
        for name_id in range(first, len(self._name_tokens)):
            self.tables.index_name(name_id, self.new_name_form(name_id))

    def _screen(self, q: PreparedQuery, limit: int, include_below: bool) -> list[Hit]:
        bonus = bonus_bound(bool(q.dates), bool(q.countries), bool(q.docs))
        # less the rounding slack: a total within 5e-5 below the threshold rounds up to it
        floor = self.thresholds.report - bonus - LIFT_SLACK
        if include_below:
            bounds = self._bounds(q, None)
        else:
            bounds = self._bounds(q, floor, lift=self._lift(q))
        return self._rank_and_score(q, bounds, bonus, limit, include_below)

    def _lift(self, q: PreparedQuery) -> Callable[[np.ndarray], np.ndarray] | None:
        """Per name (ids): how much higher than the screen's floor its bound must be for
        its record to reach the report threshold, by what the record's own dates of birth
        and nationalities can add at most against the query's (``details.dates_lift``,
        ``details.countries_lift``: a record without them, or whose dates all contradict,
        or whose nationalities are all others, lifts the floor). Read from columns (years,
        a mask of countries), so the candidates their details rule out are dropped before
        the set-aside postings are searched and before any record is read. None: the
        query has neither (nothing to lift)."""
        if not q.dates and not q.countries:
            return None
        dates, countries = q.dates, q.countries

        def lift(ids: np.ndarray) -> np.ndarray:
            recs = np.frombuffer(self._name_rec, dtype=np.int32)[ids]
            total = np.zeros(len(recs))
            if dates:
                lo = np.frombuffer(self._rec_year_lo, dtype=np.int32)[recs]
                hi = np.frombuffer(self._rec_year_hi, dtype=np.int32)[recs]
                total += dates_lift(dates, lo, hi)
            if countries:
                bits = np.frombuffer(self._rec_countries, dtype=np.uint64)[recs]
                total += countries_lift(countries, bits)
            # (views are dropped on return: a live view would stop the arrays growing)
            return np.maximum(total - LIFT_SLACK, 0.0)

        return lift

    def reach(self, query: ScreenQuery, floor: float | None = None) -> set[str]:
        """Ids of the live records whose names the query's names reach: the candidate
        blocking of the reverse direction. The monitoring service keeps a ``Matcher`` over
        the watched subjects (weighed with the listed corpus's rarity) and asks it which
        subjects a changed listed record reaches; each pair found is then scored by the
        node's own matcher.

        Without ``floor``: every record sharing a posting key (any unit, any posting list,
        no bound, no cap). With ``floor`` (the name-score floor of the *other* direction):
        those whose name can still reach it. This index's bound weighs the query fully and
        the record half; the other direction's score is at most this bound times
        (2·W_q + W_c) / (W_q + W_c) ≤ 2 (both denominators lie between ½(W_q + W_c) and
        W_q + ½W_c, and the numerator is the same sum over aligned parts), so the names
        are found at half the floor and kept when that factor lifts them to it."""
        if floor is not None:
            return set(self.reach_bounds(query, floor))
        q = self.prepare(query)
        found: set[int] = set()
        if q.names:
            for qn in q.names:
                for plan in plans_for(self.tables, qn):
                    for arr, _qv, _cv in plan.reach:
                        found.update(arr)
                if qn.kind == "org":
                    if len(qn.tokens) == 1:
                        found.update(self.tables.lookup(PostingKind.ACRONYM, qn.tokens[0]))
                    for acronym in qn.listed_acronyms:  # the query is a listed record
                        found.update(self.tables.lookup(PostingKind.LATIN, acronym))
        records = self._records
        out: set[str] = set()
        for name_id in found:
            rec = records[self._name_rec[name_id]]
            if rec.alive:
                out.add(rec.id)
        return out

    def reach_bounds(self, query: ScreenQuery, floor: float) -> dict[str, float]:
        """The records ``reach`` finds with ``floor``, each with an upper bound of the name
        score of the other direction (the best over its names): a listed record's
        best name scored as the query against this record's names as a screen's query.
        The monitoring service adds the pair's own details to it and scores only the pairs
        whose bound can still reach the report threshold."""
        q = self.prepare(query)
        if not q.names:
            return {}
        # a name kept at half the floor is dropped when even the other direction's
        # bound for its own weight cannot reach the floor: that bound is at most this
        # one times (2·W_q + W_c) / (W_q + W_c), largest for the heaviest query name
        w_q = max(qn.total for qn in q.names)
        totals = self.tables.name_totals
        records = self._records
        name_rec = self._name_rec
        out: dict[str, float] = {}
        for name_id, bound in self._bounds(q, floor / 2, listed_query=True).items():
            w_c = totals[name_id]
            other = bound * (2 * w_q + w_c) / max(w_q + w_c, EPS) + EPS
            if other < floor:
                continue
            rec = records[name_rec[name_id]]
            if rec.alive and other > out.get(rec.id, -1.0):
                out[rec.id] = other
        return out

    def score_records(self, query: ScreenQuery, entity_ids: Iterable[str]) -> list[Hit]:
        """The query scored against the given listed entities only, the reportable hits best
        first: the same hits and scores as ``NameCorpus.score_records`` (every name of
        each record), found as a screen finds them. The name bounds of the query (at the
        screen's floor: the report threshold less the most its details can add) tell which
        of a record's names can reach it; those are scored best bound first, until no
        bound can beat the best name found (``_score_record``), and a record whose best
        bound plus its own details cannot reach the threshold is not scored. A name below
        the floor cannot make a hit, so the reportable hits are the same; a UN record has
        10 to 25 names, of which a watched subject's re-screen now scores one or two."""
        with self.screening():  # as a screen reads the query's names
            q = self.prepare(query)
            if not q.names:
                return []
            wanted = [idx for entity_id in dict.fromkeys(entity_ids)
                      if (idx := self._by_id.get(entity_id)) is not None
                      and self._eligible(self._records[idx], q)]
            if not wanted:
                return []
            report = self.thresholds.report
            bonus = bonus_bound(bool(q.dates), bool(q.countries), bool(q.docs))
            bounds = self._bounds(q, report - bonus)
            scored: list[ScoredRecord] = []
            for idx in wanted:
                names = sorted((-bounds[n], n) for n in self._records[idx].names
                               if n in bounds)
                if not names:
                    continue  # no name of the record can reach the threshold
                best = -names[0][0]
                if round(min(1.0, best + self._details_value(q, self._records[idx])),
                         4) < report:
                    continue  # nor with the record's own details
                result = self._score_record(idx, q, [(-nb, n) for nb, n in names])
                if result is not None:
                    scored.append(result)
            return self._finish(scored, q, len(scored), include_below=False)

    def _bounds(self, q: PreparedQuery, floor: float | None,
                listed_query: bool = False,
                lift: Callable[[np.ndarray], np.ndarray] | None = None) -> dict[int, float]:
        """Upper bounds of the name score of every name the query reaches (>= floor):
        name id → its bound (the best over the query names). ``listed_query``: the query is
        a listed record (the reverse look-up), so it has the listed side's acronyms.
        ``lift`` (with a floor): per name, how much higher its own floor is (``_lift``);
        applied where the bounds are computed with numpy (many candidates: a million
        names), to drop candidates early. Names below their lifted floor may still be
        returned (the plain-Python path): their record's details rule them out in
        ``_rank_and_score`` as before, so the hits are the same either way."""
        out: dict[int, float] = {}
        totals = self.tables.name_totals
        for qn in q.names:
            plans = plans_for(self.tables, qn)
            if not plans:
                continue
            # The rarest units find candidates; the most common ones only add to the bounds
            # of the names found (a lookup in their postings), never pull names themselves.
            plans.sort(key=lambda p: p.size)
            if floor is not None:
                finding, skipped = split_plans(plans, qn.total, floor, shape_of(qn))
                if not finding:
                    continue  # no name can reach the floor through these units
            else:  # everything is wanted: only the very largest postings are looked up
                finding = [plans[0], *(p for p in plans[1:] if p.size <= MAX_POSTINGS)]
                skipped = [p for p in plans[1:] if p.size > MAX_POSTINGS]
            # plain Python costs about one step per posting found and one lookup per found
            # name and skipped posting list
            size = sum(p.size for p in finding)
            if size * (1 + sum(len(p.reach) for p in skipped)) <= self.small_postings:
                found = bounds_small(totals, qn, finding, skipped, floor)
            else:
                found = bounds_large(totals, self.few_found, qn, finding, skipped, floor,
                                     lift)
            for name_id, bound in found:
                if bound > out.get(name_id, -1.0):
                    out[name_id] = bound
        for qn in q.names:
            self._acronym_bounds(qn, out, listed_query)
        return out

    def _acronym_bounds(self, qn: NameForm, out: dict[int, float],
                        listed_query: bool = False) -> None:
        """Names the acronym rule can score (a name-level rule, bounded by its value): listed
        organisation names whose acronym the query's single part is, and listed one-part
        organisation names that are the query name's acronym (a listed record's: also
        those read off its name as written)."""
        if qn.kind != "org":
            return
        bound = MODEL.acronym + EPS
        found: list[int] = []
        if len(qn.tokens) == 1:
            found += self.tables.lookup(PostingKind.ACRONYM, qn.tokens[0])
        for acronym in qn.listed_acronyms if listed_query else qn.acronyms:
            if len(acronym) < MIN_REACHED_ACRONYM and not listed_query:
                continue  # score._name_rule: too short to be reached by a query's initials
                # (a listed record as the query: the subject is the one-part query, any length)
            found += [n for n in self.tables.lookup(PostingKind.LATIN, acronym)
                      if len(self._name_tokens[n]) == 1 and self._name_org[n]]
        for name_id in found:
            if bound > out.get(name_id, -1.0):
                out[name_id] = bound

    def _ranked(self, q: PreparedQuery, bounds: dict[int, float],
                ) -> Iterable[tuple[float, int, list[tuple[float, int]]]]:
        """Eligible records by best name bound (then record index), each with its names
        as (bound, name id), best bound first (then lower id)."""
        records = self._records
        if len(bounds) > self.few_ranked:
            # many names (a million listed): grouped and ordered by numpy, the same order
            yield from self._ranked_large(q, bounds)
            return
        name_rec = self._name_rec
        by_rec: dict[int, list[tuple[float, int]]] = {}
        for name_id, bound in bounds.items():
            by_rec.setdefault(name_rec[name_id], []).append((-bound, name_id))
        order = []
        for rec_idx, names in by_rec.items():
            names.sort()
            order.append((names[0][0], rec_idx, names))
        order.sort()
        for neg_best, rec_idx, names in order:
            if self._eligible(records[rec_idx], q):
                yield -neg_best, rec_idx, [(-nb, name_id) for nb, name_id in names]

    def _ranked_large(self, q: PreparedQuery, bounds: dict[int, float],
                      ) -> Iterable[tuple[float, int, list[tuple[float, int]]]]:
        """:meth:`_ranked` with numpy: names sorted by (record, −bound, id), records by
        (−best bound, index); the Python objects are made only for the records asked for
        (the stop rule usually ends well before the last)."""
        n = len(bounds)
        names = np.fromiter(bounds.keys(), dtype=np.int64, count=n)
        neg = -np.fromiter(bounds.values(), dtype=np.float64, count=n)
        view = np.frombuffer(self._name_rec, dtype=np.int32)
        recs = view[names]
        del view  # (a live view would stop the array from growing: add())
        by_name = np.lexsort((names, neg, recs))
        names, neg, recs = names[by_name], neg[by_name], recs[by_name]
        first = np.empty(n, dtype=bool)
        first[0] = True
        np.not_equal(recs[1:], recs[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        ends = np.append(starts[1:], n)
        by_rec = np.lexsort((recs[starts], neg[starts]))
        records = self._records
        bound_of, name_of = (-neg).tolist(), names.tolist()
        for g in by_rec.tolist():
            start, end = int(starts[g]), int(ends[g])
            rec_idx = int(recs[start])
            if self._eligible(records[rec_idx], q):
                yield bound_of[start], rec_idx, list(zip(bound_of[start:end],
                                                         name_of[start:end], strict=True))

    def _rank_and_score(self, q: PreparedQuery, bounds: dict[int, float],
                        bonus: float, limit: int, include_below: bool) -> list[Hit]:
        scored: list[ScoredRecord] = []
        kept: list[float] = []  # best final scores so far, for the stop rule
        report = self.thresholds.report
        budget = self.max_candidates
        for bound, rec_idx, names in self._ranked(q, bounds):
            # stop once no later record can enter the top `limit`: scores are rounded and
            # clipped at 0 (and ties go to the lower id), so compare the bound the same way
            if len(kept) >= limit and round(max(0.0, bound + bonus), 4) < kept[limit - 1]:
                break
            # this record's own details are known before its names are scored: a date of
            # birth that contradicts (−0.20) can put even the name bound below the threshold
            # (their value only: most candidates stop here, and the explanations are made
            # for the records scored)
            if not include_below and round(
                    min(1.0, bound + self._details_value(q, self._records[rec_idx])),
                    4) < report:
                continue
            if budget == 0:
                break
            budget -= 1
            result = self._score_record(rec_idx, q, names)
            if result is not None:
                scored.append(result)
                if include_below or result.score >= self.thresholds.report:
                    kept.append(result.score)
                    kept.sort(reverse=True)
        return self._finish(scored, q, limit, include_below)
