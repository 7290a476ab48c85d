"""Upper bounds of name scores from postings alone, and the prefix filter.

A query name's units each reach some posting lists (:class:`Plan`); per listed name the
index adds up what the units can give (``a = Σ ub·w_q``, ``c = Σ ub·w_c``, ``q = Σ w_q``)
and :func:`name_bound` turns that into a bound the name score cannot exceed (the
derivation is in docs/matching.md). :func:`split_plans` sets the longest posting lists
aside (they only add to the names found through the others); :func:`bounds_small` (plain
Python) and :func:`bounds_large` (numpy) compute the same values.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ctnode.match.postings import PostingList, PostingTables
from ctnode.match.score import UNMATCHED_CANDIDATE_FACTOR, NameForm, whole_rarity
from ctnode.match.weights import MODEL

EPS = 1e-9  # float slack so a bound never falls below the score it bounds
WHOLE_EPS = 1e-6  # float slack on "every query part reaches the name" (qw is a float sum)
_NO_MAP: dict[int, tuple[float, float]] = {}
_NONE = (0.0, 0.0)
# A set-aside posting list up to this many times longer than the names found is
# intersected with them (one C loop over the list); a longer one is binary-searched per
# name found (a Python loop over the names: about this many times the cost per step)
SEARCHED = 8
assert UNMATCHED_CANDIDATE_FACTOR == 0.5, "the index bound assumes unmatched listed parts at 0.5"

Gather = Callable[..., tuple[bytearray, bytearray, bytearray, bytearray, bytearray | None,
                             dict[int, tuple[bytearray, bytearray]],
                             tuple[bytearray, bytearray, bytearray, bytearray, bytearray]
                             | None]]
LookUp = Callable[..., list[tuple[int, float]]]


class Compiled(NamedTuple):
    """The compiled steps of :func:`bounds_large` (``ctnode.match._bounds``)."""

    gather: Gather  # the names' sums, their first drop by the floor, or their bounds
    look_up: LookUp  # look_up_skipped for the few names left (its bounds: bound_of's)
    look_up_all: LookUp  # the set-aside lists searched for many names, no merged unit


def _compiled_gather() -> tuple[Compiled | None, str]:
    """The compiled steps of :func:`bounds_large` (``ctnode.match._bounds``, built at
    install time where a C compiler is found), or None and why not (numpy then)."""
    try:  # (optional: absent where not built)
        from ctnode.match._bounds import gather, look_up, look_up_all
    except ImportError as exc:
        return None, f"numpy (the compiled module was not built: {exc})"
    return Compiled(gather, look_up, look_up_all), "compiled (ctnode.match._bounds)"


_compiled, COMPILED = _compiled_gather()  # COMPILED: which path bounds_large takes, said once


class Shape(NamedTuple):
    """What a query name's scores can do beyond the plain formula: escape the rarity cap
    (an organisation's name: the exact-name rule), leave unmatched listed parts free
    (a name cut at a field limit), and count a listed part aligned with a query initial
    at the initial's weight (``slack``: the most that lowers the denominator)."""

    capped: bool
    truncated: bool
    slack: float = 0.0


PLAIN = Shape(True, False)
MAX_PART_WEIGHT = 1.0  # the heaviest a listed part can weigh (score.Rarity clips to 1)


def shape_of(qn: NameForm) -> Shape:
    """A query initial aligned with a listed part counts at the lighter weight on both
    sides (:func:`~ctnode.match.score.pair_half`), where the formula counts their mean:
    the denominator is at most ½·(w_c − w_q) lower per query initial, w_c ≤ 1."""
    slack = sum(0.5 * (MAX_PART_WEIGHT - u.weight) for u in qn.singles
                if len(u.latin) == 1 and u.weight < MAX_PART_WEIGHT)
    return Shape(qn.capped, qn.truncated, slack)


class Plan(NamedTuple):
    """What one query unit reaches: postings with similarity·weight bounds (query side
    ub·w_q, listed side ub·w_c), their total size and the largest bounds."""

    unit: int  # index into the query name's units
    size: int
    qweight: float
    a_max: float
    c_max: float
    reach: list[tuple[PostingList, float, float]]


def plans_for(tables: PostingTables, qn: NameForm) -> list[Plan]:
    """Per query unit: the postings it reaches, each with similarity·weight bounds for
    the query side (ub·w_q) and the listed side (ub·w_c)."""
    plans: list[Plan] = []
    for u, unit in enumerate(qn.units):
        found = tables.unit_postings(unit)
        if found.lists:
            w = unit.weight
            # (the largest ub·w_q is the largest ub times w_q: w_q >= 0)
            plans.append(Plan(u, found.size, w, found.ub_max * w, found.c_max,
                              [(arr, ub * w, cv) for arr, ub, cv in found.lists]))
    return plans


def name_bound(w_q: float, a: float, c: float, qw: float, w_c: float,
               shape: Shape = PLAIN) -> float:
    """Upper bound of a name score (before details) from postings alone.

    With ``compare_names``: score = M / D · min(1, I), where
    M = Σ sim·(w_q + w_c)/2 ≤ (min(Wq, a) + min(Wc, c)) / 2 for a = Σ ub·w_q, c = Σ ub·w_c;
    D = Wq + Wc/2 − Σ(aligned w_q)/2 ≥ Wq + Wc/2 − min(Wq, qw)/2 for qw = Σ w_q reached;
    I = Σ sim·w_q ≤ a; the cap counts K = max(I, w_q of a part aligned at s =
    cap_similarity or more) (:func:`~ctnode.match.score.recognised`), and such a w_q ≤
    min(qw, sim·w_q/s) ≤ min(qw, a/s), so K ≤ max(a, min(qw, a/s)).

    Unmatched parts cost f_q ≥ g = 1 − covered_listed (query) and f_c ≥ f (listed) of their
    weight (:func:`~ctnode.match.score.unmatched_costs`): f = 0 for a query cut at a field
    limit; ½ when the query parts reaching the name weigh less than the query (``qw <
    W_q``: some part is aligned with nothing, so the query is not found whole); else
    ½·(1 − covered_query·r) with r = whole_rarity(a) ≥ whole_rarity(I). So
    D = f_q·Wq + f_c·Wc + (½ − f_q)·Aq + (½ − f_c)·Ac (A: aligned weights)
      ≥ g·Wq + f·Wc − max(0, g − ½)·min(Wq, qw); and M ≤ D. A query initial's pair counts
    min(w_q, w_c) instead of the mean (``pair_half``): D less ``shape.slack`` at most, and
    M no more.
    """
    g = 1.0 - MODEL.covered_listed
    if shape.truncated:
        f = 0.0
    elif qw < w_q - WHOLE_EPS:  # a query part reaches nothing of this name: not found whole
        f = UNMATCHED_CANDIDATE_FACTOR
    else:  # the rule's share at most, with r at most that of the information bound a
        f = UNMATCHED_CANDIDATE_FACTOR * (1.0 - MODEL.covered_query * whole_rarity(a))
    numer = 0.5 * (min(w_q, a) + min(w_c, c))
    denom = (g * w_q - shape.slack) + f * w_c - max(0.0, g - 0.5) * min(w_q, qw)
    value = min(1.0, numer / denom) if denom > 0 else 1.0
    known = max(a, min(qw, a / MODEL.cap_similarity))
    return value * min(1.0, known / MODEL.min_information) if shape.capped else value


Bound = Callable[[float, float, float, float], float]


def bound_of(w_q: float, shape: Shape = PLAIN) -> Bound:
    """:func:`name_bound` for one query name: ``bound(a, c, qw, w_c)``, the same value
    (the same operations in the same order), with what depends only on the query name
    worked out once. The bounds are taken hundreds of times a query (the prefix filter,
    every name found); the model's values are read when this is made."""
    g = 1.0 - MODEL.covered_listed
    min_info = MODEL.min_information
    cap_sim = MODEL.cap_similarity
    covered = MODEL.covered_query
    half = UNMATCHED_CANDIDATE_FACTOR
    truncated, capped = shape.truncated, shape.capped
    partial = w_q - WHOLE_EPS
    g_wq = g * w_q - shape.slack
    excess = g - 0.5 if g - 0.5 > 0.0 else 0.0  # max(0.0, g - 0.5)

    def bound(a: float, c: float, qw: float, w_c: float) -> float:
        # min(x, y) is y only when y < x; max(x, y) is y only when y > x: as written here
        if truncated:
            f = 0.0
        elif qw < partial:
            f = half
        else:
            r = a / min_info - 1.0  # whole_rarity(a)
            r = r if r > 0.0 else 0.0
            f = half * (1.0 - covered * (r if r < 1.0 else 1.0))
        numer = 0.5 * ((a if a < w_q else w_q) + (c if c < w_c else w_c))
        denom = g_wq + f * w_c - excess * (qw if qw < w_q else w_q)
        if denom > 0:
            value = numer / denom
            if not value < 1.0:
                value = 1.0
        else:
            value = 1.0
        if capped:
            known = a / cap_sim
            known = known if known < qw else qw
            info = (known if known > a else a) / min_info
            return value * (info if info < 1.0 else 1.0)
        return value

    return bound


def name_bounds(w_q: float, a: np.ndarray, c: np.ndarray, qw: np.ndarray,
                w_c: np.ndarray, shape: Shape = PLAIN) -> np.ndarray:
    """:func:`name_bound` over arrays of names (the same operations as written there, in
    place: the same values with fewer arrays made)."""
    g = 1.0 - MODEL.covered_listed
    info = a / MODEL.min_information
    denom: np.ndarray
    if shape.truncated:
        denom = 0.0 * w_c
    else:
        # the least cost of an unmatched listed part: 0.5·(1 − covered·r), r the rarity
        # share clipped to [0, 1]; 0.5 where a query part reaches nothing of the name
        f = info - MODEL.whole_start
        np.maximum(f, 0.0, out=f)
        np.minimum(f, 1.0, out=f)
        f *= MODEL.covered_query
        np.subtract(1.0, f, out=f)
        f *= UNMATCHED_CANDIDATE_FACTOR
        np.putmask(f, qw < w_q - WHOLE_EPS, UNMATCHED_CANDIDATE_FACTOR)
        denom = f
        denom *= w_c
    denom += g * w_q - shape.slack
    least = np.minimum(w_q, qw)
    least *= max(0.0, g - 0.5)
    denom -= least
    np.maximum(denom, 1e-12, out=denom)
    value: np.ndarray = np.minimum(w_q, a)
    value += np.minimum(w_c, c)
    value *= 0.5
    value /= denom
    np.minimum(value, 1.0, out=value)
    if shape.capped:
        known = a / MODEL.cap_similarity
        np.minimum(known, qw, out=known)
        np.maximum(known, a, out=known)
        known /= MODEL.min_information
        np.minimum(known, 1.0, out=known)
        value *= known
    return value


def split_plans(plans: list[Plan], w_q: float, floor: float,
                shape: Shape = PLAIN) -> tuple[list[Plan], list[Plan]]:
    """Split the postings the query reaches into those that must find candidates and the
    largest ones that need not (prefix filtering).

    Postings are moved to the skipped side, longest first, while a name reached *only*
    through skipped postings stays below ``floor`` whatever its own weight: per unit it
    gains at most the best skipped value, and the bound is largest for
    W_c = Σ ub·w_c (d/dW_c of :func:`name_bound` changes sign there). So every name that
    can reach the floor is found through the postings kept. A unit can end up on both
    sides (its rare spellings find, its common ones only add to bounds).
    """
    entries = sorted([(len(arr), i, j, qv, cv) for i, p in enumerate(plans)
                      for j, (arr, qv, cv) in enumerate(p.reach)], reverse=True)
    n = len(plans)
    a_u = [0.0] * n
    c_u = [0.0] * n
    in_s = [False] * n
    qweights = [p.qweight for p in plans]
    a = c = qw = 0.0
    skip: list[set[int] | None] = [None] * n  # per plan: its lists set aside
    bound = bound_of(w_q, shape)
    for _size, i, j, qv, cv in entries:
        au, cu = a_u[i], c_u[i]
        na = qv if qv > au else au  # max(au, qv)
        nc = cv if cv > cu else cu
        a2 = a - au + na
        c2 = c - cu + nc
        qw2 = qw if in_s[i] else qw + qweights[i]
        # (a list of a unit already set aside that adds nothing to the sums leaves them
        # as they were, below the floor: their bound is not taken again)
        if not (in_s[i] and a2 == a and c2 == c) and bound(a2, c2, qw2, c2) + EPS >= floor:
            continue
        a, c, qw = a2, c2, qw2
        a_u[i], c_u[i], in_s[i] = na, nc, True
        held = skip[i]
        if held is None:
            skip[i] = {j}
        else:
            held.add(j)
    finding: list[Plan] = []
    skipped: list[Plan] = []
    for i, p in enumerate(plans):
        held = skip[i]
        if held is None:  # (a plan kept or set aside whole is the plan itself)
            finding.append(p)
            continue
        if len(held) == len(p.reach):
            skipped.append(p)
            continue
        for side, keep in ((finding, False), (skipped, True)):
            reach = [r for j, r in enumerate(p.reach) if (j in held) == keep]
            side.append(Plan(p.unit, sum(len(r[0]) for r in reach), p.qweight,
                             max(r[1] for r in reach), max(r[2] for r in reach), reach))
    return finding, skipped


def most_added(plans: list[Plan]) -> tuple[float, float, float]:
    """The most some plans can add to a name: Σ a_max, Σ c_max, Σ query weights."""
    return (sum(p.a_max for p in plans), sum(p.c_max for p in plans),
            sum(p.qweight for p in plans))


def bounds_small(totals: array[float], qn: NameForm, finding: list[Plan], skipped: list[Plan],
                 floor: float | None) -> list[tuple[int, float]]:
    """:func:`bounds_large` in plain Python, for few postings (no numpy call overhead)."""
    shape = shape_of(qn)
    acc: dict[int, list[float]] = {}  # name → [Σ ub·w_q, Σ ub·w_c, Σ w_q]
    by_unit: dict[int, dict[int, tuple[float, float]]] = {}
    for plan in finding:
        local: dict[int, tuple[float, float]]  # per unit: best values per name
        if len(plan.reach) == 1:  # (a list holds a name once)
            arr, qv, cv = plan.reach[0]
            local = dict.fromkeys(arr, (qv, cv))
        else:
            local = {}
            for arr, qv, cv in plan.reach:
                for name_id in arr:
                    old = local.get(name_id)
                    if old is None:
                        local[name_id] = (qv, cv)
                    elif qv > old[0] or cv > old[1]:
                        local[name_id] = (max(qv, old[0]), max(cv, old[1]))
        by_unit[plan.unit] = local
        qweight = plan.qweight
        for name_id, (qv, cv) in local.items():
            entry = acc.get(name_id)
            if entry is None:
                acc[name_id] = [qv, cv, qweight]
            else:
                entry[0] += qv
                entry[1] += cv
                entry[2] += qweight
    tc = totals
    w_q = qn.total
    if skipped and floor is not None:
        # drop names that stay below the floor even if every skipped posting held them
        a_s, c_s, qw_s = most_added(skipped)
        bound = bound_of(w_q, shape)
        acc = {n: e for n, e in acc.items()
               if bound(e[0] + a_s, e[1] + c_s, e[2] + qw_s, tc[n]) + EPS >= floor}
    return look_up_skipped(totals, w_q, shape, acc, by_unit, skipped, floor)

def disjoint_best(values: np.ndarray, n_single: int) -> np.ndarray:
    """Per name (rows), the largest sum of unit values (columns: a query name's single
    units, then its merged ones, ``NameForm.units``) over units that share no query part.

    An alignment pairs each query part once (a merged unit uses both its parts), so a
    name's similarity·weight sums are bounded by the best such set of units rather than by
    all of them: a merged query unit and one of its own parts reaching one listed name no
    longer both count. The units lie on a line (single ``i``, merged ``i, i+1``), so the best
    set is a running maximum over the parts."""
    before = np.zeros(len(values))  # best over the parts before the previous one
    best = values[:, 0].copy()  # best over the parts up to the current one
    for i in range(1, n_single):
        nxt = np.maximum(best + values[:, i], before + values[:, n_single + i - 1])
        before, best = best, nxt
    return best


def covered_weight(reached: np.ndarray, weights: tuple[float, ...]) -> np.ndarray:
    """Per name (rows of ``reached``: whether each unit reaches it, columns as in
    :func:`disjoint_best`), the weight of the query parts some reaching unit covers: what an
    alignment can pair of the query at most (a part is counted once, however many units
    cover it)."""
    n = len(weights)
    covered = reached[:, :n].copy()
    if n > 1:
        covered[:, :-1] |= reached[:, n:]  # a merged unit covers its first part ...
        covered[:, 1:] |= reached[:, n:]  # ... and its second
    out = np.zeros(len(reached))
    for k in range(n):  # (added in the parts' order, as the query's total is)
        out += np.where(covered[:, k], weights[k], 0.0)
    return out


def _unit_values(names: np.ndarray,
                 rows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
                 looked_up: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]],
                 n_units: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per name (``names``, sorted ids) and query unit: the best ub·w_q, ub·w_c and whether
    the unit reaches it, from the found rows (``rows``: the names found, each row's name
    index, unit and values) and the set-aside look-ups (per plan: its unit, the names looked
    up, sorted, and their values). ``names`` is a subset of every id list given."""
    found, row_name, row_unit, row_q, row_c = rows
    at = np.full(len(found), -1, dtype=np.int64)
    at[found.searchsorted(names)] = np.arange(len(names))
    row_at = at[row_name]
    sel = row_at >= 0
    row_at, units = row_at[sel], row_unit[sel]
    unit_a = np.zeros((len(names), n_units))
    unit_c = np.zeros((len(names), n_units))
    unit_r = np.zeros((len(names), n_units), dtype=bool)
    unit_a[row_at, units] = row_q[sel]
    unit_c[row_at, units] = row_c[sel]
    unit_r[row_at, units] = True
    for unit, ids, q_best, c_best in looked_up:
        idx = ids.searchsorted(names)
        q = q_best[idx]
        np.maximum(unit_a[:, unit], q, out=unit_a[:, unit])
        np.maximum(unit_c[:, unit], c_best[idx], out=unit_c[:, unit])
        unit_r[:, unit] |= q > 0.0
    return unit_a, unit_c, unit_r


def _held_values(uniq: np.ndarray, reach: list[tuple[PostingList, float, float]],
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate (sorted ids), the best (ub·w_q, ub·w_c) over the lists holding it (0
    where none does). A list longer than the candidates: where each candidate would sit in
    it, clipped to its end, tells whether it holds it (three numpy calls). The shorter
    lists (most of them: a unit's typo neighbours and other spellings) together: their ids
    placed among the candidates in one search, so a short list costs its own length, not
    the candidates'."""
    n = len(uniq)
    q_best = np.zeros(n)
    c_best = np.zeros(n)
    short: list[PostingList] = []
    short_q: list[float] = []
    short_c: list[float] = []
    for arr, qv, cv in reach:
        if len(arr) < n:
            short.append(arr)
            short_q.append(qv)
            short_c.append(cv)
            continue
        post = np.frombuffer(arr, dtype=np.int32)
        hit = post.take(post.searchsorted(uniq), mode="clip") == uniq
        # (the best values are never negative: raised where the list holds the name)
        np.maximum(q_best, qv, out=q_best, where=hit)
        np.maximum(c_best, cv, out=c_best, where=hit)
    if short:
        lengths = [len(post) for post in short]
        ids = np.frombuffer(b"".join(short), dtype=np.int32)
        pos = uniq.searchsorted(ids)
        found = uniq.take(pos, mode="clip") == ids
        pos = pos[found]
        np.maximum.at(q_best, pos, np.asarray(short_q).repeat(lengths)[found])
        np.maximum.at(c_best, pos, np.asarray(short_c).repeat(lengths)[found])
    return q_best, c_best


def _add_most(a_most: np.ndarray, c_most: np.ndarray, qw_most: np.ndarray, plan: Plan,
              found: tuple[np.ndarray, np.ndarray] | None) -> None:
    """Add to each name the most a set-aside plan can give it, less what its unit found
    (``found``: that unit's values per name; None: it found no name, so the plan's best
    values and weight are added whole, as scalars)."""
    if found is None:
        a_most += plan.a_max
        c_most += plan.c_max
        qw_most += plan.qweight
        return
    fq, fc = found
    a_most += np.maximum(0.0, plan.a_max - fq)
    c_most += np.maximum(0.0, plan.c_max - fc)
    qw_most += np.where(fq == 0.0, plan.qweight, 0.0)


def look_up_skipped(totals: array[float], w_q: float, shape: Shape,
                    acc: dict[int, list[float]],
                    by_unit: dict[int, dict[int, tuple[float, float]]], skipped: list[Plan],
                    floor: float | None) -> list[tuple[int, float]]:
    """Add what the set-aside plans give each found name (their postings intersected with
    the names found, or binary-searched: ``SEARCHED``), then bound every name: the
    plain-Python end of both bound paths."""
    names = acc.keys()
    for plan in skipped:
        if not acc:
            break
        found_by = by_unit.get(plan.unit, _NO_MAP)
        # per found name held by this unit's lists: its best values there. A list up to
        # SEARCHED times longer than the names found is intersected with them (in C); a
        # longer one is binary-searched per name
        best: dict[int, tuple[float, float]] = {}
        long_ = []
        most = SEARCHED * len(acc)
        for arr, qv, cv in plan.reach:
            if len(arr) > most:
                long_.append((arr, len(arr), qv, cv))
                continue
            for name_id in names & arr:  # (dict keys & any iterable: a set, made in C)
                old = best.get(name_id)
                if old is None:
                    best[name_id] = (qv, cv)
                elif qv > old[0] or cv > old[1]:
                    best[name_id] = (max(qv, old[0]), max(cv, old[1]))
        for arr, n, qv, cv in long_:
            for name_id in names:
                i = bisect_left(arr, name_id)
                if i < n and arr[i] == name_id:
                    old = best.get(name_id)
                    if old is None:
                        best[name_id] = (qv, cv)
                    elif qv > old[0] or cv > old[1]:
                        best[name_id] = (max(qv, old[0]), max(cv, old[1]))
        qweight = plan.qweight
        for name_id, (q_best, c_best) in best.items():
            if q_best > 0.0:
                # a unit found on both sides counts once, with its best values
                entry = acc[name_id]
                fq, fc = found_by.get(name_id, _NONE)
                entry[0] += max(0.0, q_best - fq)
                entry[1] += max(0.0, c_best - fc)
                entry[2] += qweight if fq == 0.0 else 0.0
    tc = totals
    bound_fn = bound_of(w_q, shape)
    if floor is None:
        return [(name_id, bound_fn(a, c, qw, tc[name_id]) + EPS)
                for name_id, (a, c, qw) in acc.items()]
    out = []
    for name_id, (a, c, qw) in acc.items():
        bound = bound_fn(a, c, qw, tc[name_id]) + EPS
        if bound >= floor:
            out.append((name_id, bound))
    return out

def bounds_large(totals: array[float], few_found: int, qn: NameForm,
                 finding: list[Plan], skipped: list[Plan],
                 floor: float | None,
                 lift: Callable[[np.ndarray], np.ndarray] | None = None,
                 compiled: bool = True,
                 ) -> list[tuple[int, float]]:
    """Bounds of the names the ``finding`` plans reach, vectorised (numpy).

    Up to ``few_found`` names left after the floor, set-aside postings are searched in
    plain Python (:func:`look_up_skipped`). ``lift``: per name (ids), how much higher than
    ``floor`` its own floor is; names are dropped by it as early as by the floor (the
    names returned are held to ``floor`` only: the caller applies the lift to them).
    ``compiled``: the first steps (the names' sums, the first drop by the floor, or the
    bounds when no list was set aside) in one call of the compiled module where it was
    built (:data:`COMPILED`); False: numpy throughout (the reference: the same values)."""
    if compiled and _compiled is not None:
        return _bounds_large_compiled(_compiled, totals, few_found, qn, finding, skipped,
                                      floor, lift)
    tc = np.frombuffer(totals, dtype=np.float64)
    shape = shape_of(qn)
    arrays: list[PostingList] = []
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
    # (the lists' bytes end to end, read once: most lists are short, and a numpy array
    # per list cost more than the copy)
    ids = np.frombuffer(b"".join(arrays), dtype=np.int32)
    # (array methods rather than numpy's functions: the same calls without the Python
    # wrapper each function goes through, a few µs per call on lists of a few ids)
    q_vals = np.asarray(qvs).repeat(lengths)
    c_vals = np.asarray(cvs).repeat(lengths)
    qw_vals = np.asarray(qweights).repeat(lengths)
    u_vals = np.asarray(units, dtype=np.int64).repeat(lengths)
    if len(arrays) > len(finding):
        # a name reached twice through one unit counts once, with its best values: sorted
        # by (name, unit), which also groups the names (one sort instead of two; per name
        # its units in ascending order, so the sums below add in the same order as ever)
        key = ids.astype(np.int64) * (max(units) + 1) + u_vals
        order = key.argsort(kind="stable")
        key = key[order]
        first = np.empty(len(key), dtype=bool)
        first[0] = True
        np.not_equal(key[1:], key[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        q_vals = np.maximum.reduceat(q_vals[order], starts)
        c_vals = np.maximum.reduceat(c_vals[order], starts)
        sel = order[starts]
        ids, qw_vals, u_vals = ids[sel], qw_vals[sel], u_vals[sel]
        new_name = np.empty(len(ids), dtype=bool)
        new_name[0] = True
        np.not_equal(ids[1:], ids[:-1], out=new_name[1:])
        uniq = ids[new_name]
        inverse = new_name.cumsum() - 1
    else:
        uniq, inverse = np.unique(ids, return_inverse=True)
    q_acc: np.ndarray = np.bincount(inverse, weights=q_vals)  # (float64 with weights)
    # a merged unit reaches some names: the final bounds count only units that share no
    # query part (disjoint_best), from each unit's values for the names left at the end
    n_single = len(qn.singles)
    per_unit = any(p.unit >= n_single for p in finding) or any(
        p.unit >= n_single for p in skipped)
    found_rows = (uniq, inverse, u_vals, q_vals, c_vals) if per_unit else None
    c_acc: np.ndarray = np.bincount(inverse, weights=c_vals)
    qw_acc: np.ndarray = np.bincount(inverse, weights=qw_vals)
    # per skipped plan whose unit also found names: that unit's values per name (a unit
    # that found none adds its values whole: max(0, v − 0) is v, as a scalar, one call)
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
    floors: np.ndarray | float | None = floor
    if skipped and floor is not None:
        # drop names that stay below the floor even if every skipped posting held them;
        # then those below their record's own floor (the lift is never negative, so a
        # name below the plain floor is below its own: the lift is read for the rest only)
        a_most, c_most, qw_most = q_acc.copy(), c_acc.copy(), qw_acc.copy()
        for plan in skipped:
            _add_most(a_most, c_most, qw_most, plan, found_by.get(plan.unit))
        most = name_bounds(qn.total, a_most, c_most, qw_most, tc[uniq], shape) + EPS
        keep = most >= floor
        if lift is not None:
            at = np.flatnonzero(keep)
            lifted = floor + lift(uniq[at])
            held = most[at] >= lifted
            keep[at[~held]] = False
            floors = lifted[held]
        uniq, q_acc, c_acc, qw_acc = uniq[keep], q_acc[keep], c_acc[keep], qw_acc[keep]
        found_by = {u: (fq[keep], fc[keep]) for u, (fq, fc) in found_by.items()}
    return _bounds_found(_Found(uniq, q_acc, c_acc, qw_acc, found_by, found_rows, floors),
                         totals, few_found, qn, skipped, floor, lift)


class _Found(NamedTuple):
    """The names the finding plans reached and kept so far (sorted ids), their sums, their
    values per unit also set aside (``found_by``), the found rows (:func:`_unit_values`;
    read only with merged units) and the floors they are held to (one, per name, None)."""

    uniq: np.ndarray
    q_acc: np.ndarray
    c_acc: np.ndarray
    qw_acc: np.ndarray
    found_by: dict[int, tuple[np.ndarray, np.ndarray]]
    rows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None
    floors: np.ndarray | float | None


def _bounds_found(found_so_far: _Found, totals: array[float], few_found: int, qn: NameForm,
                  skipped: list[Plan], floor: float | None,
                  lift: Callable[[np.ndarray], np.ndarray] | None,
                  ) -> list[tuple[int, float]]:
    """The rest of :func:`bounds_large` (both paths): the set-aside lists looked up for the
    names kept, the merged units, the bounds."""
    uniq, q_acc, c_acc, qw_acc, found_by, found_rows, floors = found_so_far
    if not len(uniq):
        return []
    tc = np.frombuffer(totals, dtype=np.float64)
    shape = shape_of(qn)
    n_single = len(qn.singles)
    looked_up: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
    if skipped and len(uniq) <= few_found:
        # few names left: binary searches cost less than numpy calls per posting list
        ids_l = uniq.tolist()
        acc = {n: [a, c, qw] for n, a, c, qw in
               zip(ids_l, q_acc.tolist(), c_acc.tolist(), qw_acc.tolist(), strict=True)}
        by_unit = {u: {n: (a, c) for n, a, c in
                       zip(ids_l, fq.tolist(), fc.tolist(), strict=True) if a > 0.0}
                   for u, (fq, fc) in found_by.items()}
        return look_up_skipped(totals, qn.total, shape, acc, by_unit, skipped, floor)
    # the longest postings did not pull candidates; look the candidates up in them
    # (sorted) instead, so they add exactly what they can to each bound. A plan's most
    # valuable list first: the candidates that stay below the floor even if the plan's
    # other lists (and the later plans) held them are dropped before those are searched
    # (and before the later plans are, after a plan of one list).
    for p_i, plan in enumerate(skipped):
        found = found_by.get(plan.unit)
        reach = sorted(plan.reach, key=lambda r: (r[1], r[2]), reverse=True)
        q_best, c_best = _held_values(uniq, reach[:1])
        rest = reach[1:]
        if (rest or p_i + 1 < len(skipped)) and floors is not None:
            # (also after a plan of one list: what it gave is then exact, and only the
            # later plans are open)
            a_rest = max((r[1] for r in rest), default=0.0)
            c_rest = max((r[2] for r in rest), default=0.0)
            if found is None:  # (the values are never negative: max(0, v − 0) is v)
                a_most = q_acc + np.maximum(q_best, a_rest)
                c_most = c_acc + np.maximum(c_best, c_rest)
                qw_most = qw_acc + (plan.qweight if rest else
                                    np.where(q_best > 0.0, plan.qweight, 0.0))
            else:
                fq, fc = found
                a_most = q_acc + np.maximum(0.0, np.maximum(q_best, a_rest) - fq)
                c_most = c_acc + np.maximum(0.0, np.maximum(c_best, c_rest) - fc)
                held = (fq == 0.0) if rest else (q_best > 0.0) & (fq == 0.0)
                qw_most = qw_acc + np.where(held, plan.qweight, 0.0)
            for later in skipped[p_i + 1:]:
                _add_most(a_most, c_most, qw_most, later, found_by.get(later.unit))
            keep = (name_bounds(qn.total, a_most, c_most, qw_most, tc[uniq], shape) + EPS
                    >= floors)
            if not keep.all():
                uniq, q_acc, c_acc, qw_acc = uniq[keep], q_acc[keep], c_acc[keep], qw_acc[keep]
                if isinstance(floors, np.ndarray):
                    floors = floors[keep]
                q_best, c_best = q_best[keep], c_best[keep]
                found_by = {u: (bq[keep], bc[keep]) for u, (bq, bc) in found_by.items()}
                found = found_by.get(plan.unit)
                if not len(uniq):
                    return []
        if rest:
            q_rest, c_rest_v = _held_values(uniq, rest)
            np.maximum(q_best, q_rest, out=q_best)
            np.maximum(c_best, c_rest_v, out=c_best)
        # a unit found on both sides counts once, with its best values
        if found is None:
            q_acc += q_best
            c_acc += c_best
            qw_acc += np.where(q_best > 0.0, plan.qweight, 0.0)
        else:
            fq, fc = found
            q_acc += np.maximum(0.0, q_best - fq)
            c_acc += np.maximum(0.0, c_best - fc)
            qw_acc += np.where((q_best > 0.0) & (fq == 0.0), plan.qweight, 0.0)
        if found_rows is not None:
            looked_up.append((plan.unit, uniq, q_best, c_best))
    if found_rows is not None:
        # (the names left are few: their values per unit are read back from the rows
        # summed and the set-aside look-ups, rather than carried along for every name)
        unit_a, unit_c, unit_r = _unit_values(uniq, found_rows, looked_up,
                                              n_single + len(qn.merged_units))
        q_acc = disjoint_best(unit_a, n_single)
        c_acc = disjoint_best(unit_c, n_single)
        qw_acc = covered_weight(unit_r, qn.weights)
    bounds = name_bounds(qn.total, q_acc, c_acc, qw_acc, tc[uniq], shape) + EPS
    if floors is not None:
        keep = bounds >= floors
        uniq, bounds = uniq[keep], bounds[keep]
        if lift is not None and not skipped and floor is not None and len(uniq):
            # (no set-aside lists: the lift, never negative, read for the names left)
            keep = bounds >= floor + lift(uniq)
            uniq, bounds = uniq[keep], bounds[keep]
    return list(zip(uniq.tolist(), bounds.tolist(), strict=True))


def _bounds_large_compiled(steps: Compiled, totals: array[float], few_found: int,
                           qn: NameForm, finding: list[Plan], skipped: list[Plan],
                           floor: float | None,
                           lift: Callable[[np.ndarray], np.ndarray] | None,
                           ) -> list[tuple[int, float]]:
    """:func:`bounds_large` with its first steps in one compiled call (``gather``: the
    names' sums, their first drop by the floor, or their bounds when no list was set
    aside and no merged unit reached them), :func:`look_up_skipped` compiled for the
    few names left (``look_up``), the set-aside lists searched for many names with the
    drops between them (``look_up_all``; numpy with merged units); the same values as
    numpy's and plain Python's."""
    shape = shape_of(qn)
    n_single = len(qn.singles)
    per_unit = any(p.unit >= n_single for p in finding) or any(
        p.unit >= n_single for p in skipped)
    w_q = qn.total
    g = 1.0 - MODEL.covered_listed
    # (name_bounds's scalars, worked out as it works them out)
    consts = (w_q, w_q - WHOLE_EPS, g * w_q - shape.slack, max(0.0, g - 0.5),
              MODEL.min_information, MODEL.whole_start, MODEL.covered_query,
              MODEL.cap_similarity, UNMATCHED_CANDIDATE_FACTOR, EPS,
              shape.truncated, shape.capped)
    final = not skipped and not per_unit
    ids_b, q_b, c_b, qw_b, values_b, found_b, rows_b = steps.gather(
        finding, skipped, totals, floor, consts, per_unit, final)
    uniq = np.frombuffer(ids_b, dtype=np.int32)
    if final:
        assert values_b is not None
        bounds = np.frombuffer(values_b)
        if lift is not None and floor is not None and len(uniq):
            keep = bounds >= floor + lift(uniq)
            uniq, bounds = uniq[keep], bounds[keep]
        return list(zip(uniq.tolist(), bounds.tolist(), strict=True))
    q_acc = np.frombuffer(q_b)
    c_acc = np.frombuffer(c_b)
    qw_acc = np.frombuffer(qw_b)
    found_by = {u: (np.frombuffer(bq), np.frombuffer(bc)) for u, (bq, bc) in found_b.items()}
    rows = None
    if rows_b is not None:
        names_b, name_b, unit_b, row_q, row_c = rows_b
        rows = (np.frombuffer(names_b, dtype=np.int32), np.frombuffer(name_b, dtype=np.int64),
                np.frombuffer(unit_b, dtype=np.int64), np.frombuffer(row_q),
                np.frombuffer(row_c))
    floors: np.ndarray | float | None = floor
    if values_b is not None and lift is not None and floor is not None and len(uniq):
        # (the names left above the floor: those below their record's own are dropped)
        lifted = floor + lift(uniq)
        held = np.frombuffer(values_b) >= lifted
        floors = lifted[held]
        if not held.all():
            uniq, q_acc, c_acc, qw_acc = uniq[held], q_acc[held], c_acc[held], qw_acc[held]
            found_by = {u: (fq[held], fc[held]) for u, (fq, fc) in found_by.items()}
    if skipped and 0 < len(uniq) <= few_found:  # (look_up_skipped, compiled)
        return steps.look_up(uniq, q_acc, c_acc, qw_acc, found_by, skipped, totals, floor,
                             consts)
    if skipped and rows is None:  # (the set-aside lists searched for many names, compiled)
        return steps.look_up_all(uniq, q_acc, c_acc, qw_acc, floors, found_by, skipped,
                                 totals, consts)
    return _bounds_found(_Found(uniq, q_acc, c_acc, qw_acc, found_by, rows, floors),
                         totals, few_found, qn, skipped, floor, lift)
