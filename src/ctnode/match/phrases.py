"""What an explanation says, as stable codes with values (``model.phrases.Phrase``).

``EXPLANATIONS`` holds every code a matcher's explanation uses and its English template;
an explanation's ``detail`` (the API's words) is its phrases in English joined by ``; ``.
The console translates the same codes (``web/phrases.py``; a test fails when a code has
no translation there or its English differs from this table).

The scorer's hot path names the rule that gave a pair its similarity, and normalisation the
notes of a name, as short English texts (cached with the pairs); :func:`rule_phrase` and
:func:`note_phrase` read them back into phrases when an explanation is built, and a text
they do not know becomes ``match.text`` (shown as written).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from ctnode.model.phrases import Phrase
from ctnode.model.screening import FeatureExplanation

EXPLANATIONS: dict[str, str] = {
    # the name as a whole
    "match.name.aligned": "%(n)s name part(s) aligned",
    "match.name.unmatched_query": "unmatched in query: %(parts)s",
    "match.name.unmatched_listed": "unmatched in listed name: %(parts)s",
    "match.none": "none",
    "match.name.truncated": "query cut at its field limit: listed parts after the cut cost "
                            "nothing, its last part may be the start of a listed part",
    "match.name.kept_apart": "person and organisation kept apart: counted only because the "
                             "names are near-exact (at least %(min)s)",
    "match.name.weak_alias": "weak alias counted at %(factor)s",
    "match.name.found_whole": "the %(side)s is found whole in the other name: the other's "
                              "leftover parts cost %(cost)s of their weight",
    "match.name.syllable_in_place": "East Asian names with another syllable in the place of "
                                    "%(parts)s: the listed syllable costs its full weight",
    "match.name.word_in_place": "organisation names with another word in the place of "
                                 "%(parts)s: the listed word costs its full weight",
    "match.name.rarity": "only common name parts matched (rarity %(info)s < %(min)s): score "
                         "scaled down",
    # what normalisation did to a name
    "match.side.query": "query",
    "match.side.listed": "listed name",
    "match.note": "%(side)s: %(note)s",
    "match.note.org": "%(side)s read as an organisation's name (legal forms, numbers, joining "
                      "words normalised)",
    "match.note.read_as": "read as %(rule)s: %(text)s",
    "match.note.title": "title '%(title)s' left out",
    "match.note.digits": "numbers as digits: %(pairs)s",
    "match.note.classes": "class words: %(pairs)s",
    "match.note.joining_arabic": "joining words written in Arabic script left out: %(words)s",
    "match.note.repeated": "repeated part '%(part)s' counted once",
    "match.note.respelt": "part '%(part)s' counted once: '%(twin)s' written again with a "
                          "typo",
    # one aligned part
    "match.part.pair": "'%(query)s' ~ '%(listed)s': %(rule)s",
    "match.part.transliterated": "transliterated (%(schemes)s)",
    "match.part.weights": "similarity %(sim)s, rarity weight %(weight)s",
    "match.part.weak": "too unlike for one name spelt two ways: costs what its parts cost "
                       "unmatched",
    # the rule that gave a pair (or a name) its similarity
    "match.rule.exact": "exact",
    "match.rule.initial": "initial",
    "match.rule.nickname": "nickname and full form (nicknames dataset)",
    "match.rule.syllable": "one East Asian syllable romanised two ways",
    "match.rule.typo": "one edit apart (typo)",
    "match.rule.skeleton": "phonetic skeleton '%(key)s'",
    "match.rule.skeleton_unvowelled": "phonetic skeleton '%(key)s', vowels not written",
    "match.rule.skeleton_vowels": "phonetic skeleton '%(key)s', %(n)s vowel(s) of another "
                                  "class",
    "match.rule.skeleton_typo": "skeletons one edit apart ('%(a)s'/'%(b)s')",
    "match.rule.merged": "merged parts",
    "match.rule.merged_skeleton": "merged parts, skeleton '%(key)s'",
    "match.rule.merged_unvowelled": "merged parts, skeleton '%(key)s', vowels not written",
    "match.rule.merged_vowels": "merged parts, skeleton '%(key)s', %(n)s vowel(s) of another "
                                "class",
    "match.rule.symbol": "one name in two languages (rigour name symbol %(symbol)s)",
    "match.rule.symbol_and": "one name in two languages (rigour name symbol %(symbol)s), "
                             "%(rule)s",
    "match.rule.symbol_script": "one name in two languages, written in its own script "
                                "(rigour name symbol %(symbol)s)",
    "match.rule.read_as": "%(rule)s (read as '%(query)s'/'%(listed)s')",
    "match.rule.prefix": "cut at the field limit: the listed part begins with it",
    "match.rule.han": "both written in Han or Hangul, with different characters",
    "match.rule.acronym_query": "acronym '%(acronym)s' of the query name",
    "match.rule.acronym_listed": "acronym '%(acronym)s' of the listed name",
    "match.rule.org_as_listed": "the organisation's name as listed",
    "match.rule.org_as_listed_arabic": "the organisation's name as listed, written in Arabic "
                                       "script",
    # identifying details
    "match.dob.years_differ": "date of birth: years differ",
    "match.dob.years_one_apart": "date of birth: years one apart",
    "match.dob.same_date": "date of birth: same date",
    "match.dob.swapped": "date of birth: day and month swapped",
    "match.dob.same_year_other_day": "date of birth: same year, other day",
    "match.dob.precision": "date of birth: agrees to the precision given",
    "match.dob.same_year_other_month": "date of birth: same year, other month",
    "match.nationality.agrees": "nationality agrees",
    "match.nationality.differs": "no nationality in common",
    "match.document.agrees": "identity-document number agrees",
    "match.document.differs": "identity-document numbers differ",
    "match.schema.mismatch": "a %(query)s screened against a %(listed)s",
    "match.calibration": "fitted calibration: scores shifted by %(shift)s so that the fitted "
                         "decision point is the report threshold",
    # a text none of the above reads (shown as written)
    "match.text": "%(text)s",
}


def english(phrases: Iterable[Phrase]) -> str:
    """The phrases in English, joined by ``; `` (an explanation's ``detail``)."""
    return "; ".join(p.render(EXPLANATIONS.__getitem__) for p in phrases)


PHRASE_CACHE = 20_000  # rule and note texts (and phrases: said) whose phrases are remembered

# A phrase and its English, made once for the same code and values (see :func:`said`).
Said = tuple[Phrase, str]

NONE = Phrase("match.none")
SIDES: dict[str, Phrase] = {side: Phrase(f"match.side.{side}") for side in ("query", "listed")}


@lru_cache(maxsize=PHRASE_CACHE)
def said(code: str, *values: tuple[str, str | Phrase]) -> Said:
    """``Phrase(code, values)`` and its English (``english([phrase])``), the same objects
    for the same code and values (a phrase is immutable). A batch's hits say the same
    parts, rules and weights again and again: each is rendered once here, and a batch
    worker's answers then hold (and pickle, once per task) one phrase object for each."""
    phrase = Phrase(code, values)
    return phrase, phrase.render(EXPLANATIONS.__getitem__)


def explained(feature: str, query: str | None, listed: str | None, contribution: float,
              phrases: Iterable[Said]) -> FeatureExplanation:
    """An explanation whose ``detail`` is its phrases in English (the same ``detail`` as
    ``english`` of the phrases, from the English each was made with)."""
    made = tuple(phrases)
    return FeatureExplanation(feature, query, listed, contribution,
                              "; ".join(text for _phrase, text in made),
                              tuple(phrase for phrase, _text in made))


def parts(values: Iterable[str]) -> str | Phrase:
    """Name parts listed with ``, ``, or the phrase *none*."""
    return ", ".join(values) or NONE


# The rule texts of ``match.similarity`` and ``match.score``, most specific first; a group
# named ``rule`` is itself a rule text.
_RULES: list[tuple[re.Pattern[str], str]] = [(re.compile(p), c) for p, c in [
    (r"(?P<rule>.+) \(read as '(?P<query>[^']*)'/'(?P<listed>[^']*)'\)", "match.rule.read_as"),
    (r"one name in two languages \(rigour name symbol (?P<symbol>[^)]+)\), (?P<rule>.+)",
     "match.rule.symbol_and"),
    (r"one name in two languages \(rigour name symbol (?P<symbol>[^)]+)\)", "match.rule.symbol"),
    (r"one name in two languages, written in its own script \(rigour name symbol "
     r"(?P<symbol>[^)]+)\)", "match.rule.symbol_script"),
    (r"exact", "match.rule.exact"),
    (r"initial", "match.rule.initial"),
    (r"nickname and full form \(nicknames dataset\)", "match.rule.nickname"),
    (r"one East Asian syllable romanised two ways", "match.rule.syllable"),
    (r"one edit apart \(typo\)", "match.rule.typo"),
    (r"phonetic skeleton '(?P<key>[^']*)', vowels not written",
     "match.rule.skeleton_unvowelled"),
    (r"phonetic skeleton '(?P<key>[^']*)', (?P<n>\d+) vowel\(s\) of another class",
     "match.rule.skeleton_vowels"),
    (r"phonetic skeleton '(?P<key>[^']*)'", "match.rule.skeleton"),
    (r"skeletons one edit apart \('(?P<a>[^']*)'/'(?P<b>[^']*)'\)", "match.rule.skeleton_typo"),
    (r"merged parts", "match.rule.merged"),
    (r"merged parts, skeleton '(?P<key>[^']*)', vowels not written",
     "match.rule.merged_unvowelled"),
    (r"merged parts, skeleton '(?P<key>[^']*)', (?P<n>\d+) vowel\(s\) of another class",
     "match.rule.merged_vowels"),
    (r"merged parts, skeleton '(?P<key>[^']*)'", "match.rule.merged_skeleton"),
    (r"cut at the field limit: the listed part begins with it", "match.rule.prefix"),
    (r"both written in Han or Hangul, with different characters", "match.rule.han"),
    (r"acronym '(?P<acronym>[^']*)' of the query name", "match.rule.acronym_query"),
    (r"acronym '(?P<acronym>[^']*)' of the listed name", "match.rule.acronym_listed"),
    (r"the organisation's name as listed", "match.rule.org_as_listed"),
    (r"the organisation's name as listed, written in Arabic script",
     "match.rule.org_as_listed_arabic"),
]]

_NOTES: list[tuple[re.Pattern[str], str]] = [(re.compile(p, re.S), c) for p, c in [
    (r"read as (?P<rule>[^:]+): (?P<text>.*)", "match.note.read_as"),
    (r"title '(?P<title>.*)' left out", "match.note.title"),
    (r"numbers as digits: (?P<pairs>.*)", "match.note.digits"),
    (r"class words: (?P<pairs>.*)", "match.note.classes"),
    (r"joining words written in Arabic script left out: (?P<words>.*)",
     "match.note.joining_arabic"),
    (r"repeated part '(?P<part>.*)' counted once", "match.note.repeated"),
    (r"part '(?P<part>.*)' counted once: '(?P<twin>.*)' written again with a typo",
     "match.note.respelt"),
]]


def _read(text: str, table: list[tuple[re.Pattern[str], str]]) -> Phrase:
    for pattern, code in table:
        found = pattern.fullmatch(text)
        if found:
            return Phrase(code, tuple(
                (k, rule_phrase(v) if k == "rule" and code.startswith("match.rule.") else v)
                for k, v in found.groupdict().items()))
    return Phrase.of("match.text", text=text)


@lru_cache(maxsize=PHRASE_CACHE)
def rule_phrase(rule: str) -> Phrase:
    """A similarity rule's text as a phrase (``match.text`` when it is not known; the same
    phrase, immutable, for the same text: a batch's hits say the same rules again and
    again, and each was read by up to 22 patterns)."""
    return _read(rule, _RULES)


@lru_cache(maxsize=PHRASE_CACHE)
def note_phrase(note: str) -> Phrase:
    """A normalisation note's text as a phrase (``match.text`` when it is not known)."""
    return _read(note, _NOTES)
