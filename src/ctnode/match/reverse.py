"""The matcher of the reverse look-up (:class:`SubjectMatcher`): watched subjects as the
records of a :class:`~ctnode.match.index.Matcher` that is only *looked up* (``reach``,
``reach_bounds``, ``record``), never screened with.

The monitoring service asks it which subjects a changed listed record reaches; each pair
found is then scored by the node's own matcher. A look-up reads the posting tables, the
owner and weight of each name and each subject's cleaned details; it never reads a
subject's name text or parsed tokens. So this matcher

* weighs the subjects with the listed corpus's rarity statistics (given, never computed
  from the subjects), which lets it index each subject's names as they are read, instead
  of holding every subject parsed until the end of the build;
* keeps of each person's name only its postings, owner, weight and factor: the text, the
  tokens, the alternatives and the parse go once the name is indexed (an organisation's
  name keeps them: the acronym rule reads its tokens), and a subject's caption (its first
  name) is not kept;
* pauses the cyclic garbage collector while it builds (the index is plain data without
  reference cycles; a collection over millions of new objects cost a sixth of the build)
  and freezes what it built, as the listed index does.

Scores are not touched: the names are posted exactly as ``Matcher.build`` posts them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from ctnode import collector
from ctnode.match import symbols
from ctnode.match.corpus import FREEZE_AT, freeze_long_lived
from ctnode.match.index import Matcher, Thresholds
from ctnode.match.score import Rarity
from ctnode.model.entities import Entity
from ctnode.model.screening import Hit, ScreenQuery

_NO_TOKENS: tuple[str, ...] = ()


class SubjectMatcher(Matcher):
    """A ``Matcher`` over watched subjects for the reverse look-up only (see the module)."""

    def __init__(self, thresholds: Thresholds, max_candidates: int = 200) -> None:
        super().__init__(thresholds, max_candidates)
        self.tables.token_keys = {}  # a million names from one vocabulary: keys remembered

    def _reset(self) -> None:
        super()._reset()
        self.tables.token_keys = {}

    def build_subjects(self, entities: Iterable[Entity], rarity: Rarity) -> None:
        """Replace everything with ``entities`` (watched subjects), weighed with ``rarity``
        (the listed corpus's)."""
        self._reset()
        self.rarity = rarity
        with collector.paused(), symbols.using(None):  # rigour answers every token
            for entity in entities:  # (as in a listed build)
                self._add_one(entity)
        if len(self._name_rec) >= FREEZE_AT:
            freeze_long_lived()

    def add(self, entity: Entity) -> None:
        """Add a subject, replacing one with the same id (weighed with the rarity of the
        build)."""
        if entity.id in self._by_id:
            self.remove(entity.id)
        with symbols.using(None):
            self._add_one(entity)

    def _add_one(self, entity: Entity) -> None:
        first = len(self._name_text)
        self._append(entity)
        rec = self._records[len(self._records) - 1]
        rec.caption = ""  # the subject's name: never read by a look-up
        rec.dates = tuple(sys.intern(d) for d in rec.dates)  # shared across subjects
        rec.countries = tuple(sys.intern(c) for c in rec.countries)
        rec.schema = sys.intern(rec.schema)
        tables = self.tables
        for name_id in range(first, len(self._name_text)):
            tables.index_name(name_id, self.new_name_form(name_id))
            if not self._name_org[name_id]:  # an organisation's tokens: the acronym rule
                self._name_text[name_id] = ""
                self._name_tokens[name_id] = _NO_TOKENS
                self._name_alts.pop(name_id, None)
                self._name_parsed.pop(name_id, None)

    # A look-up index: screening with it would score names it no longer holds.

    def screen(self, query: ScreenQuery, limit: int = 10,
               include_below: bool = False) -> list[Hit]:
        raise TypeError("the subjects' matcher is for look-ups (reach), not for screening")

    def score_records(self, query: ScreenQuery, entity_ids: Iterable[str]) -> list[Hit]:
        raise TypeError("the subjects' matcher is for look-ups (reach), not for scoring")

    def compare(self, query: ScreenQuery, entity_id: str) -> Hit | None:
        raise TypeError("the subjects' matcher is for look-ups (reach), not for scoring")
