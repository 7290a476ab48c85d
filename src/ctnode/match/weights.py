"""The scorer's parameters: rule similarities, weights, detail contributions, thresholds.

They are data, not code: ``data/scoring.json`` ships with the package, written by the
fitting script in ``bench/matching/fit.py`` (logistic regression on a labelled set built
from public sources, frozen with its provenance before fitting; see docs/matching.md
"The fitted model"). Screening never imports the fitting libraries: it reads the numbers.

Every field below says what it scales; the defaults are the hand-set values the fit
started from. :func:`load` reads a file (the packaged one by default);
:func:`use` swaps the model in a running process (the fitting and its tests), clearing
the caches that hold similarities computed with the previous one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

PACKAGED = "scoring.json"


@dataclass(slots=True)
class ScoringModel:
    """The scorer's numbers (docs/matching.md explains each rule)."""

    # token similarity rules (a pair of tokens gets the best rule that applies)
    skeleton_base: float = 0.75  # same consonant skeleton ...
    skeleton_span: float = 0.20  # ... plus this share of the Levenshtein similarity
    vowel_mismatch: float = 0.08  # ... minus this per vowel slot of another class
    skeleton_min: float = 0.55  # ... never below this
    unvowelled: float = 0.90  # same skeleton, one side written without vowels
    typo_base: float = 0.65  # Latin forms one edit apart, both 4+ letters
    typo_span: float = 0.25
    skeleton_typo_base: float = 0.55  # skeletons one edit apart
    skeleton_typo_span: float = 0.25
    symbol: float = 0.78  # one name in two languages (rigour name symbol)
    nickname: float = 0.78  # nickname and full form (bill/william)
    initial: float = 0.70  # an initial and a name part starting with it
    prefix_base: float = 0.60  # a part cut at a field limit and the listed part it begins
    prefix_span: float = 0.40  # ... plus this share of the listed part it covers
    short_syllable_mismatch: float = 0.20  # (unused since parts of up to 4 letters with a
    # vowel of another class are other names; kept so older model files load)
    syllable: float = 0.85  # one East Asian syllable romanised two ways (Kim/Gim, Jong/Chong)
    # an Arabic-script part and a Latin one with its consonants and long vowels (hand-set,
    # not fitted: added after the last fit; see docs/matching.md "Arabic script")
    abjad: float = 0.80
    abjad_dropped: float = 0.70  # ... with one consonant left out of the Arabic-script one
    # ... the same with three consonants left (التكريي of Tikriti): weaker evidence, since
    # short skeletons meet by chance (hand-set: docs/matching.md "Score")
    abjad_dropped_short: float = 0.55
    # name score
    min_information: float = 1.0  # matched rarity needed for a full score
    # ... or the rarity of the rarest query part aligned at this similarity or more, when
    # that is more (1.0: exact parts only, the rule before; score.recognised. Not linear in
    # the score: chosen on the training set by bench/matching/pick_param.py)
    cap_similarity: float = 1.0
    weak_alias_factor: float = 0.90  # a weak alias (FtM weakAlias) counts this much
    legal_form_weight: float = 0.10  # rarity weight of a legal form (llc, jsc)
    class_word_weight: float = 0.10  # rarity weight of a class word (bank, group, trading)
    initial_weight: float = 0.25  # rarity weight of an initial
    patronymic_factor: float = 0.50  # a patronymic counts this share of its rarity weight
    acronym: float = 0.80  # an organisation's acronym against its full name
    # a name found whole in the other: share of the cost of the other side's leftover parts
    # forgiven (0: the rule is off; score.unmatched_costs)
    covered_query: float = 0.0  # every query part aligned: listed parts left over
    covered_listed: float = 0.0  # every listed part aligned: query parts left over
    # ... counted from this much matched information (× min_information) up, in full one
    # min_information above it (score.whole_rarity; not linear in the score: chosen on the
    # training set by bench/matching/pick_param.py)
    whole_start: float = 1.0
    cross_schema_min: float = 0.95  # a person against an organisation: near-exact names only
    # identifying details (added to the name score)
    dob_exact: float = 0.06
    dob_year: float = 0.03
    dob_swapped: float = 0.02
    dob_same_year_other_day: float = -0.05
    dob_contradict: float = -0.20
    nat_agree: float = 0.02
    nat_contradict: float = -0.05
    doc_agree: float = 0.15
    doc_contradict: float = -0.10
    schema_mismatch: float = -0.20
    # bands
    report_threshold: float = 0.70
    match_threshold: float = 0.85
    # added to every score so that the fitted decision point falls on the report threshold
    # the node is configured with (0.70 by default); explained as "calibration"
    score_offset: float = 0.0
    # where the numbers came from (written by the fitting script)
    provenance: dict[str, Any] = field(default_factory=dict)

    def numbers(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "provenance"}


def load(path: Path | None = None) -> ScoringModel:
    """The model in ``path``, or the one packaged with ctnode. Unknown keys are refused."""
    if path is None:
        text = resources.files("ctnode.match").joinpath("data", PACKAGED).read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    raw = json.loads(text)
    known = {f.name for f in fields(ScoringModel)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ValueError(f"scoring model: unknown field(s) {', '.join(unknown)}")
    return ScoringModel(**raw)


def dump(model: ScoringModel, path: Path) -> None:
    path.write_text(json.dumps(asdict(model), indent=2, ensure_ascii=False) + "\n", "utf-8")


MODEL: ScoringModel = load()

