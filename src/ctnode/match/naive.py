"""The brute-force reference matcher: every record scored, no index.

:class:`NaiveMatcher` has the :class:`~ctnode.match.index.Matcher` interface and scores
with the same code (:class:`~ctnode.match.corpus.NameCorpus`); tests check that the fast
matcher returns exactly what this one returns.
"""

from __future__ import annotations

from ctnode.match.corpus import NameCorpus, PreparedQuery, ScoredRecord
from ctnode.model.screening import Hit


class NaiveMatcher(NameCorpus):
    """Scores every entity with the same scorer as :class:`Matcher`; no index (reference)."""

    @classmethod
    def over(cls, corpus: NameCorpus) -> NaiveMatcher:
        """The reference over the records, names, rarity and symbol answers another matcher
        holds (a loaded index: ``ctnode index verify``), sharing them, not copying."""
        naive = cls(corpus.thresholds, corpus.max_candidates)
        for attr in (*cls.RECORD_STATE, "rarity", "symbol_table", "use_symbol_table"):
            setattr(naive, attr, getattr(corpus, attr))
        return naive

    def _screen(self, q: PreparedQuery, limit: int, include_below: bool) -> list[Hit]:
        scored: list[ScoredRecord] = []
        for rec_idx, rec in enumerate(self._records):
            if not self._eligible(rec, q):
                continue
            result = self._score_record(rec_idx, q, ((1.0, n) for n in rec.names))
            if result is not None:
                scored.append(result)
        return self._finish(scored, q, limit, include_below)
