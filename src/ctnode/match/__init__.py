"""Name matching: normalise (scripts, names, dates) → index (candidates) → score → explain.

``Matcher`` is the indexed engine the node uses; ``NaiveMatcher`` scores every entity with
the same scorer and is the reference the index is tested against. See ``docs/matching.md``.
"""

from ctnode.match.index import Matcher, NaiveMatcher, Thresholds

__all__ = ["Matcher", "NaiveMatcher", "Thresholds"]
