"""Name matching: normalise (scripts, names, dates) → index (candidates) → score → explain.

``Matcher`` is the indexed engine the node uses; ``NaiveMatcher`` scores every entity with
the same scorer and is the reference the index is tested against. See ``docs/matching.md``.

Modules, in pipeline order: ``normalise`` (names, dates, countries, documents),
``corpus`` (records, names, rarity; scoring one record), ``postings`` (the index's tables),
``bounds`` (score bounds, prefix filtering), ``index`` (``Matcher``), ``naive``
(``NaiveMatcher``), ``score`` (token rules, alignment, details), ``explain``.
"""

from ctnode.match.corpus import Thresholds
from ctnode.match.index import Matcher
from ctnode.match.naive import NaiveMatcher

__all__ = ["Matcher", "NaiveMatcher", "Thresholds"]
