"""Token similarity: how alike two normalised Latin name parts are, and by which rule.

Rules, strongest first; a pair of tokens is similar under at most one rule (the best). The
numbers come from the fitted model (:mod:`ctnode.match.weights`); docs/matching.md has the
table with examples. Every rule is symmetric and is zero unless its condition holds, so
the index (:mod:`ctnode.match.postings`) can reach every pair with a positive similarity
through its keys: skeleton, one-edit deletions, rigour name symbols, nicknames, initials.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import fields
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from ctnode.match.normalise import (
    name_symbols,
    nickname_forms,
    skeleton,
    skeleton_parts,
    token_alternatives,
    vowel_mismatches,
    written_skeleton,
)
from ctnode.match.transliterate import ABJAD_MARK, LOANWORD_MARK, PRIME, loanword_keys
from ctnode.match.weights import MODEL, ScoringModel

SIM_EXACT = 1.0  # the same Latin form after transliteration
FUZZY_MIN_LATIN = 4  # shortest Latin form a typo rule applies to
FUZZY_MIN_SKELETON = 4  # shortest skeleton the skeleton-typo rule applies to (both sides) ...
UNVOWELLED_MIN_SKELETON = 3  # ... or one side, when a side is written without vowels
SHORT_SYLLABLE = 4  # parts this short are East Asian syllables or short names: a vowel
# of another class makes another name (Jun/Jin, Umar/Amir), not a respelling: no similarity
MIN_PREFIX = 3  # shortest part cut at a field limit that is read as a prefix

_VOWEL_LETTERS = frozenset("aeiou")
_MARKS = (ABJAD_MARK, LOANWORD_MARK)  # first characters of parts only their own rules compare

# One romanised East Asian syllable (Kim, Jong, Hwan, Chang, Kyong, Ri, Lee): an initial
# consonant or cluster, an optional glide, a vowel nucleus, an optional final consonant.
_SYLLABLE = re.compile(
    r"^(kh|ch|th|ph|sh|ts|ss|kk|tt|pp|jj|[kgcjtdpbsmnrlhwyfz])?([yw])?"
    r"(yae|yeo|wae|ae|ai|ao|au|eo|eu|ei|oe|oi|ou|ua|ui|uo|ee|oo|a|e|i|o|u)"
    r"(ng|n|m|l|k|p|t|r)?$")
# initial and final consonants by class: romanisations differ inside a class (Kim/Gim,
# Jong/Chong, Pak/Bak, Ri/Li), never across (Ku/Cho, Jung/Yong are other syllables)
_SYLLABLE_CLASS = {"k": "k", "g": "k", "kh": "k", "kk": "k", "c": "c", "ch": "c", "j": "c",
                   "jj": "c", "ts": "c", "z": "c", "t": "t", "d": "t", "th": "t", "tt": "t",
                   "p": "p", "b": "p", "ph": "p", "pp": "p", "f": "p", "s": "s", "sh": "s",
                   "ss": "s", "r": "r", "l": "r", "m": "m", "n": "n", "ng": "ng", "h": "h",
                   "w": "w", "y": "y", "": ""}


def syllable_posting_key(token: str) -> str | None:
    """The index key of a romanised syllable: its consonant classes and glide (the vowel is
    compared by class when scoring)."""
    key = syllable_key(token)
    return None if key is None else f"{key[0]}|{key[1]}|{key[3]}"


@lru_cache(maxsize=200_000)
def syllable_key(token: str) -> tuple[str, str, int, str] | None:
    """(initial class, glide, vowel class, final class) of a token that is one romanised
    East Asian syllable, else None (see ``_SYLLABLE``)."""
    m = _SYLLABLE.match(token)
    if m is None:
        return None
    initial, glide, nucleus, final = (g or "" for g in m.groups())
    vowel = 0
    for ch in nucleus:
        vowel |= {"a": 1, "e": 3, "i": 2, "o": 4, "u": 4}[ch]
    return (_SYLLABLE_CLASS[initial], glide, vowel, _SYLLABLE_CLASS[final])


def other_syllables(a: str, b: str) -> bool:
    """Two romanised syllables that are not spellings of one syllable: an initial or final
    consonant of another class, another glide, or vowels of no common class."""
    ka, kb = syllable_key(a), syllable_key(b)
    if ka is None or kb is None:
        return False
    return ka[0] != kb[0] or ka[1] != kb[1] or ka[3] != kb[3] or not ka[2] & kb[2]


def _d1(text: str) -> set[str]:
    return {text} | {text[:i] + text[i + 1 :] for i in range(len(text))}


def one_deletion_apart(a: str, b: str) -> bool:
    """True when deleting at most one letter from each gives the same string.

    The same relation as ``_d1(a) & _d1(b)`` (what the index keys find), computed directly:
    one substitution, insertion or deletion, or one letter moved by one place.
    """
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    p = 0
    n = min(la, lb)
    while p < n and a[p] == b[p]:
        p += 1
    if la != lb:
        longer, shorter = (a, b) if la > lb else (b, a)
        return longer[p + 1 :] == shorter[p:]
    q = la - 1
    while q > p and a[q] == b[q]:
        q -= 1
    if p == q:
        return True
    return a[p + 1 : q + 1] == b[p:q] or a[p:q] == b[p + 1 : q + 1]


def deletion_keys(text: str) -> list[str]:
    """The word and every form with one letter deleted (the one-edit index keys)."""
    return sorted(_d1(text))


def one_edit_apart(a: str, b: str) -> bool:
    """True when one letter changed, added or dropped, or two neighbours swapped, turns one
    string into the other (optimal string alignment distance 1). Stricter than
    :func:`one_deletion_apart` (``agha``/``taha`` are one deletion each apart, two edits)."""
    return OSA.distance(a, b, score_cutoff=1) <= 1


def unvowelled(token: str) -> bool:
    """A token written without vowels after its first letter (``mhmd``, ``rhmn``): how
    Arabic script, which leaves short vowels unwritten, reads in Latin letters."""
    return len(token) >= 3 and not _VOWEL_LETTERS.intersection(token[1:])


def skeleton_typo_applies(ka: str, kb: str, a: str | None = None,
                          b: str | None = None) -> bool:
    """The skeleton-typo rule's condition: different skeletons one edit apart, with the same
    first letter (``ahmd``/``mhmd``, Ahmad/Mohammed, are different names) or one of them an
    initial vowel longer (``astnks``/``stnks``, Istanekzai/Stanekzai); both 4+ letters, or
    3 against 4 when one of the tokens ``a``, ``b`` is written without vowels (an Arabic-
    script name with a letter dropped: ``محد`` for ``محمد``). Without the tokens: whether
    the rule can apply to some spellings of the two skeletons (the index's test)."""
    if ka == kb or abs(len(ka) - len(kb)) > 1:
        return False
    shorter = min(len(ka), len(kb))
    if shorter < FUZZY_MIN_SKELETON:
        if shorter < UNVOWELLED_MIN_SKELETON or max(len(ka), len(kb)) < FUZZY_MIN_SKELETON:
            return False
        if a is not None and b is not None and not (unvowelled(a) or unvowelled(b)):
            return False
    return ((ka[0] == kb[0] or ka == "a" + kb or kb == "a" + ka)
            and one_deletion_apart(ka, kb) and one_edit_apart(ka, kb))


def skeleton_typo_neighbour(ka: str, kb: str) -> bool:
    """``skeleton_typo_applies(ka, kb)`` (without the tokens) for two different skeletons
    that share a one-letter deletion key (so ``one_deletion_apart``, and their lengths
    differ by at most one: how the index finds them): the rest of the condition only."""
    shorter, longer = (ka, kb) if len(ka) <= len(kb) else (kb, ka)
    return ((len(shorter) >= FUZZY_MIN_SKELETON
             or (len(shorter) >= UNVOWELLED_MIN_SKELETON and len(longer) >= FUZZY_MIN_SKELETON))
            and (ka[0] == kb[0] or longer == "a" + shorter) and one_edit_apart(ka, kb))


def skeleton_similarity(a: str, b: str) -> tuple[float, int]:
    """The same-skeleton rule's value for two tokens with equal skeletons, and how many
    vowel slots differ in class (-1: one side has no vowels written, which costs nothing).
    In parts of up to four letters a vowel of another class gives nothing: there it makes
    another syllable (Jun/Jin, Kim/Kam), not another spelling."""
    if unvowelled(a) or unvowelled(b):
        return MODEL.unvowelled, -1
    ratio = Levenshtein.normalized_similarity(a, b)
    vowels = vowel_mismatches(a, b)
    if vowels and max(len(a), len(b)) <= SHORT_SYLLABLE:
        return 0.0, vowels  # another syllable (Jun/Jin, Han/Hun), not another spelling
    sim = MODEL.skeleton_base + MODEL.skeleton_span * ratio - MODEL.vowel_mismatch * vowels
    return max(MODEL.skeleton_min, sim), vowels


def _typo_max() -> float:
    """The most the typo rule can give (a ratio of 1): a same-skeleton pair valued at least
    this needs no typo test."""
    return MODEL.typo_base + max(0.0, MODEL.typo_span)


def typo_value(a: str, b: str) -> float:
    """The typo rule's value (0 when it does not apply): both 4+ letters, one edit apart.
    Also asked for two tokens of one skeleton: one vowel changed, added or dropped
    (``hisein``/``hosein``, ``bikht``/``bakht``, ``awys``/``aweys``) is a typo no less than
    one consonant changed (``rahimi``/``rahini``); the skeleton rule's vowel penalty, meant
    for names whose vowels differ throughout (``mohamed``/``mahmud``), valued the vowel typo
    below it. The caller keeps the skeleton rule's zero for short parts (a vowel of another
    class in a part of up to four letters is another name)."""
    if len(a) < FUZZY_MIN_LATIN or len(b) < FUZZY_MIN_LATIN or abs(len(a) - len(b)) > 1:
        return 0.0
    if not (one_deletion_apart(a, b) and one_edit_apart(a, b)):
        return 0.0
    return MODEL.typo_base + MODEL.typo_span * Levenshtein.normalized_similarity(a, b)


def _skeleton_rule(key: str, vowels: int) -> str:
    if vowels < 0:
        return f"phonetic skeleton '{key}', vowels not written"
    if vowels:
        return f"phonetic skeleton '{key}', {vowels} vowel(s) of another class"
    return f"phonetic skeleton '{key}'"


# Name-forming suffixes: a name with one of them is another name than its stem (Ahmadzai, of
# the Ahmad tribe, is not Ahmad; Akhundzada, son of the Akhund, not Akhund; Muhammadullah
# not Muhammad; Abdullah not the head Abdul): Pashto -zai (descendant of) and -khel (clan),
# Persian -zada (born of), the divine names of compounds (-ullah, -uddin). Variants of one
# suffix form a group: two names that both end in one of its variants are compared as they are.
NAME_SUFFIXES: tuple[tuple[str, ...], ...] = (
    ("zai", "zay"),
    ("zada", "zadah", "zadeh", "zade"),
    ("khel", "khail", "khil"),
    ("ullah", "ulla", "allah", "alla", "ollah", "olla", "ullo"),
    ("uddin", "udin", "uddeen", "eddin", "eddine", "addin", "oddin", "iddin"),
)


def suffixed(a: str, b: str) -> bool:
    """Whether one of two Latin parts is the other with a name-forming suffix (a name of
    its own, not a spelling): the longer ends in a suffix of ``NAME_SUFFIXES`` that the
    shorter does not end in (in any variant), and what comes before it is the shorter part
    (at most one letter longer: its skeleton, or less its last consonant: Akhun-zada,
    Akhund); or the longer ends in the Arabic nisba's -i after a consonant, the shorter
    ends in a consonant, and the longer less its -i is the shorter or one edit from it
    (Sa'adi of Sa'd; Hassani, Jani, Rahimi; not Sunani, Sanon). Vowels the skeleton does
    not see, and skeletons a letter apart, joined such pairs as spellings (``sad``/
    ``saadi`` 0.73, ``ahmed``/``ahmadzai`` 0.45); a letter mistyped in the suffix
    (``hidayautllah``) leaves the rest longer than the stem, and stays a typo."""
    if len(a) < 3 or len(b) < 3 or len(a) == len(b):
        return False
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    group, n = _suffix_end(longer)
    if group >= 0 and group not in _suffix_groups(shorter):
        stem = longer[:-n]
        if len(shorter) <= len(stem) + 1:
            ks, kt = skeleton(shorter), skeleton(stem)
            if kt and (kt == ks or kt == ks[:-1]):
                return True
    return (longer[-1] in "iy" and longer[-2] not in _VOWELS_Y and shorter[-1] not in _VOWELS_Y
            and Levenshtein.distance(longer[:-1], shorter) <= 1)


_VOWELS_Y = frozenset("aeiouy")


@lru_cache(maxsize=200_000)
def _suffix_end(token: str) -> tuple[int, int]:
    """(group, length) of the name-forming suffix ``token`` ends in, with three letters or
    more before it (the first variant of the first group that fits), else (-1, 0)."""
    for g, group in enumerate(NAME_SUFFIXES):
        for x in group:
            if token.endswith(x) and len(token) >= len(x) + 3:
                return g, len(x)
    return -1, 0


@lru_cache(maxsize=200_000)
def _suffix_groups(token: str) -> frozenset[int]:
    """The groups of ``NAME_SUFFIXES`` one of whose variants ``token`` ends in."""
    return frozenset(g for g, group in enumerate(NAME_SUFFIXES)
                     if any(token.endswith(x) for x in group))


def initial_of(a: str, b: str) -> bool:
    """One is a single letter (an initial) and the other a longer part starting with it."""
    if len(a) == 1:
        return len(b) > 1 and b[0] == a and a.isalpha()
    return len(b) == 1 and len(a) > 1 and a[0] == b and b.isalpha()


def _by_symbol(a: str, b: str, sim: float, rule: str) -> tuple[float, str]:
    """Raise a pair to the cross-language rules when they give more: a shared rigour name
    symbol, or a nickname and its full form."""
    if sim < MODEL.symbol and (common := name_symbols(a) & name_symbols(b)):
        note = f"one name in two languages (rigour name symbol {min(common)})"
        return MODEL.symbol, f"{note}, {rule}" if rule else note
    if sim < MODEL.nickname and (b in nickname_forms(a) or a in nickname_forms(b)):
        return MODEL.nickname, "nickname and full form (nicknames dataset)"
    return sim, rule


@lru_cache(maxsize=1_000_000)
def token_similarity(a: str, b: str) -> tuple[float, str]:
    """Similarity in [0, 1] of two normalised Latin tokens and the rule that gave it.

    Symmetric. Zero unless one of the rules applies, so an index over the same keys
    (skeleton, one-edit deletions, rigour name symbols, nicknames, initials) finds every
    pair with a positive similarity.
    """
    if a[:1] == ABJAD_MARK or b[:1] == ABJAD_MARK:  # (two marked parts: nothing, even equal)
        return abjad_similarity(a, b)
    if a == b:
        return SIM_EXACT, "exact"
    if a[:1] == LOANWORD_MARK or b[:1] == LOANWORD_MARK:
        return loanword_similarity(a, b)
    if initial_of(a, b):
        return MODEL.initial, "initial"
    if len(a) == 1 or len(b) == 1:
        # an initial stands for a part it begins, no other: one letter is no spelling of a
        # part (the skeleton reads K and Cho alike, k: K. SONG CHOL is not Cho Chol Song)
        return 0.0, ""
    if suffixed(a, b):  # another name, with a name-forming suffix: only a symbol joins them
        return _by_symbol(a, b, 0.0, "")
    syllables = syllable_key(a) is not None and syllable_key(b) is not None
    if syllables and other_syllables(a, b):
        # Ku/Cho, Chang/Kyong, Jung/Yong: the skeleton would merge what the syllables
        # tell apart; only a shared rigour symbol joins them (Pak/Park)
        return _by_symbol(a, b, 0.0, "")
    ka, kb = skeleton(a), skeleton(b)
    if syllables and MODEL.syllable > 0.0:
        sim, rule = 0.0, ""
        if ka == kb and ka:
            sim, vowels = skeleton_similarity(a, b)
            rule = _skeleton_rule(ka, vowels)
        if MODEL.syllable > sim:
            sim, rule = MODEL.syllable, "one East Asian syllable romanised two ways"
        return _by_symbol(a, b, sim, rule)
    if ka == kb and ka:
        sim, vowels = skeleton_similarity(a, b)
        if sim == 0.0:
            return _by_symbol(a, b, 0.0, "")
        typo = typo_value(a, b) if sim < _typo_max() else 0.0
        if typo > sim:  # a vowel changed, added or dropped: no less than a consonant typo
            return _by_symbol(a, b, typo, "one edit apart (typo)")
        return _by_symbol(a, b, sim, _skeleton_rule(ka, vowels))
    # the Levenshtein ratio is computed only when a rule applies (most pairs score 0)
    typo = typo_value(a, b)
    if typo > 0.0:
        return typo, "one edit apart (typo)"
    sim, rule = 0.0, ""
    if skeleton_typo_applies(ka, kb, a, b):
        ratio = Levenshtein.normalized_similarity(a, b)
        sim = MODEL.skeleton_typo_base + MODEL.skeleton_typo_span * ratio
        rule = f"skeletons one edit apart ('{ka}'/'{kb}')"
    return _by_symbol(a, b, sim, rule)


def similarity_values(a: str, tokens: Sequence[str]) -> list[float]:
    """``[token_similarity(a, b)[0] for b in tokens]``, the same values, for the index's
    bounds over many listed tokens (a query part's typo neighbours, the other spellings of
    its skeleton): what depends on ``a`` alone (its skeleton, syllable, rigour symbols,
    nicknames) is worked out once, no explanation is written, and no pair is remembered
    (a fresh query part meets each listed token once). The rules are those of
    :func:`token_similarity`, in its order; marked parts and initials go through it."""
    if a[:1] in _MARKS or len(a) < 2:
        return [token_similarity(a, b)[0] for b in tokens]
    ka = skeleton(a)
    sa = syllable_key(a)
    syms = name_symbols(a)
    nicks = nickname_forms(a)
    long_a = len(a) >= FUZZY_MIN_LATIN
    syllable_rule = MODEL.syllable
    typo_max = _typo_max()
    out: list[float] = []
    for b in tokens:
        if b[:1] in _MARKS or len(b) < 2 or b == a:
            out.append(token_similarity(a, b)[0])
            continue
        sb = None if sa is None else syllable_key(b)
        kb = skeleton(b)
        if suffixed(a, b):
            sim = 0.0  # another name, with a name-forming suffix (suffixed)
        elif sb is not None and sa is not None and (
                sa[0] != sb[0] or sa[1] != sb[1] or sa[3] != sb[3] or not sa[2] & sb[2]):
            sim = 0.0  # other syllables (other_syllables): only a shared symbol joins them
        elif sb is not None and syllable_rule > 0.0:
            sim = skeleton_similarity(a, b)[0] if ka == kb and ka else 0.0
            if syllable_rule > sim:
                sim = syllable_rule
        elif ka == kb and ka:
            sim = skeleton_similarity(a, b)[0]
            if 0.0 < sim < typo_max:
                sim = max(sim, typo_value(a, b))
        elif (long_a and len(b) >= FUZZY_MIN_LATIN and abs(len(a) - len(b)) <= 1
              and one_deletion_apart(a, b) and one_edit_apart(a, b)):
            # the typo rule's value is final (token_similarity returns it as it is)
            out.append(MODEL.typo_base
                       + MODEL.typo_span * Levenshtein.normalized_similarity(a, b))
            continue
        elif skeleton_typo_applies(ka, kb, a, b):
            sim = (MODEL.skeleton_typo_base
                   + MODEL.skeleton_typo_span * Levenshtein.normalized_similarity(a, b))
        else:
            sim = 0.0
        # (_by_symbol: a shared rigour symbol, else a nickname and its full form; the
        # nickname relation is symmetric, ``b in nickname_forms(a)`` exactly when ``a in
        # nickname_forms(b)``: the dataset's canonical table is its nickname table inverted)
        if sim < MODEL.symbol and syms and not syms.isdisjoint(name_symbols(b)):
            sim = MODEL.symbol
        elif sim < MODEL.nickname and b in nicks:
            sim = MODEL.nickname
        out.append(sim)
    return out


def loanword_similarity(a: str, b: str) -> tuple[float, str]:
    """The loanword rule: a part written in katakana (its key, marked with LOANWORD_MARK)
    and a Latin part with that key among its own (:func:`loanword_keys`) are one name in
    two scripts, valued as the cross-language rule (``symbol``). Two marked keys, or a
    marked key and a part without it: nothing."""
    marked, latin = (a, b) if a[:1] == LOANWORD_MARK else (b, a)
    if latin[:1] == LOANWORD_MARK or marked[1:] not in loanword_keys(latin):
        return 0.0, ""
    return MODEL.symbol, (f"one name in two languages: a foreign name written in katakana, "
                          f"loanword key '{marked[1:]}'")


MIN_ABJAD_SKELETON = 2  # shortest skeleton the abjad rule compares


def abjad_similarity(a: str, b: str) -> tuple[float, str]:
    """The abjad rule: a part written in Arabic script (its reading, marked with ABJAD_MARK)
    and a Latin part with the same consonant skeleton, whose vowels agree in class wherever
    the script writes a long vowel (alef a, yeh i, waw u; ``e`` agrees with a and i, ``o``
    with u), are one name: the Latin spelling only adds the short vowels the script leaves
    unwritten (محمد ``mhmd``/Mohammad, ولی ``wli``/Wali, دروكدل ``drukdl``/Droukdel). A
    first-letter vowel is not compared (alef and ayn give ``a`` whatever it is); حسين
    ``husin`` is not Hassan (yeh against a). Two marked parts: nothing (their readings are
    compared as they are). A part glued to Allah (its key ends in ``llah``) meets only a
    Latin part that ends in it too (Waliullah is not Wali: the skeleton would fold the
    lams of ولی‌الله ``wlillah`` into the one of ``wali``). A Latin part's final h after a
    vowel is kept when the script writes it after a consonant (:func:`final_h_said`); a
    reading that begins with PRIME was written after the article (see
    :func:`_abjad_dropped`)."""
    marked, latin = (a, b) if a[:1] == ABJAD_MARK else (b, a)
    if latin[:1] in (ABJAD_MARK, LOANWORD_MARK):
        return 0.0, ""
    if marked.endswith(_ALLAH_KEY) and not latin.endswith(("lah", "la")):
        return 0.0, ""
    reading = marked[1:]
    after_article = reading[:1] == PRIME
    if after_article:
        reading = reading[1:]
    after_abd = reading[:1] == PRIME  # (a second prime: the part follows Abd)
    if after_abd:
        reading = reading[1:]
    key, written = skeleton_parts(reading)
    if len(key) < MIN_ABJAD_SKELETON:
        return 0.0, ""
    other, vowels = skeleton_parts(latin)
    said = ""
    if other != key and final_h_said(reading, latin):
        kept = skeleton_parts(latin + "h")  # (an h after an h: kept, and read as one)
        if kept[0] == key:
            (other, vowels), said = kept, " (its final h written after a consonant)"
    if other != key:
        return _abjad_dropped(reading, key, written, other, vowels, after_article, after_abd)
    for slot in range(1, len(written)):
        if written[slot] and not written[slot] & vowels[slot]:
            return 0.0, ""
    return MODEL.abjad, (f"written in Arabic script: same consonants '{key}'{said}, long "
                         f"vowels agree (short vowels are not written)")


def final_h_said(reading: str, latin: str) -> bool:
    """An Arabic-script part's reading ends in ``h`` after a consonant (a ح or ه the script
    writes as a consonant: صالح ``salh``) and the Latin part in a vowel and ``h`` (Saleh,
    Salih), whose skeleton drops that h as the unsaid heh of Abdullah/Abdulla: the abjad
    rule then keeps it, since the script writes it."""
    return (len(reading) > 2 and reading[-1] == "h" and reading[-2] not in "aiu"
            and len(latin) > 2 and latin[-1] == "h" and latin[-2] in FINAL_H_AFTER)


FINAL_H_AFTER = frozenset("aeiouy")  # a Latin part's letters before a final h the skeleton drops


_ALLAH_KEY = "llah"  # how an abjad key ends for a part glued to Allah (transliterate.abjad_keys)
MIN_ABJAD_DROPPED = 2  # shortest Arabic-script skeleton the letter-left-out rule compares
SHORT_ABJAD_DROPPED = 3  # ... without the long-vowel condition of two (see _abjad_dropped)
FULL_ABJAD_DROPPED = 4  # ... and the shortest it gives its full value (shorter: the short one)
MIN_LONG_VOWELS_DROPPED = 2  # long vowels a two-consonant part must write (see _abjad_dropped)
MIN_LONG_VOWELS_ARTICLE = 1  # ... when it is written with the article glued (ar4)


def _abjad_dropped(reading: str, key: str, written: tuple[int, ...], other: str,
                   vowels: tuple[int, ...], after_article: bool = False,
                   after_abd: bool = False) -> tuple[float, str]:
    """The abjad rule's second case, one letter left out of the Arabic-script spelling
    (its reading ``reading``, skeleton ``key`` and long-vowel slots ``written``) of the
    Latin part (skeleton ``other``, vowel slots ``vowels``); (0, "") when it does not
    apply. Three consonants left or more: the consonants alone (بلمخار ``blmhr`` of
    Belmokhtar ``blmhtr``). Two left: the part must also write two long vowels after its
    first letter, each agreeing in class with the Latin vowels around the consonant left
    out (حاني ``hani`` of Haqqani: a after h, i after n; not خان ``khan`` of Hassan, one
    long vowel, nor حسين), one when it is written with the article glued (``after_article``:
    الحزي ``hzi`` of al-Hamzi, القوس ``qus`` of al-Quddus; a nisba, laqab or divine name,
    not one of the short given names that meet others by chance, Khan, Amir, Nur, which
    are written without it; not its first consonant, الكيم of al-Hakim; ar4), and must not
    end in a heh (زينيه ``zinih``: the skeleton drops
    the final h, a third letter the Latin part does not show). Two equal consonants written side by side count as two
    (ممد ``mmd`` of Muhammad ``mhmd``: Arabic script writes a doubled consonant once, so
    two letters written are two consonants, which a letter left out between them makes
    meet); the value is that of the collapsed skeleton's length, the index's bound.

    ``after_article``: the part was written with the article glued (``الكريتي``), so its
    name's first letter is not the written word's first, and may be the one left out
    (``kriti`` of Tikriti ``tkrt``, ``hmn`` of Rehman), when both begin with a consonant."""
    spelt = written_skeleton(reading)
    said = " after the article" if after_article and key[:1] != other[:1] else ""
    if (spelt != key and abjad_letter_dropped(spelt, other, after_article)
            and len(spelt) >= SHORT_ABJAD_DROPPED):
        return _dropped_value(key), (f"written in Arabic script with one letter left "
                                     f"out{said}: consonants '{spelt}' of '{other}'")
    if not abjad_letter_dropped(key, other, after_article):
        return 0.0, ""
    if len(key) < SHORT_ABJAD_DROPPED:
        longs = sum(1 for ch in reading[1:] if ch in "aiu")
        if (longs < (MIN_LONG_VOWELS_ARTICLE if after_article else MIN_LONG_VOWELS_DROPPED)
                or reading[-1:] == "h"):  # (a final heh is a letter the skeleton drops)
            return 0.0, ""
        # (the first consonant after the article left out: only with two long vowels, or
        # after Abd, whose name is always one of God's: al-Hakim, ar-Razzaq, al-Quddus)
        first = 0 if after_article and longs >= MIN_LONG_VOWELS_DROPPED else 1
        agree = [i for i in range(0 if after_article else 1, len(other))
                 if other[:i] + other[i + 1:] == key and _long_vowels_agree(written, vowels, i)]
        if not any(i >= first for i in agree) and not (after_abd and 0 in agree):
            return 0.0, ""
        article = ("" if longs >= MIN_LONG_VOWELS_DROPPED
                   else " (written with the article: one long vowel)" if any(i >= first
                                                                            for i in agree)
                   else " (written with the article after Abd: one long vowel)")
        return _dropped_value(key), (f"written in Arabic script with one letter left "
                                     f"out{said}: consonants '{key}' of '{other}', long "
                                     f"vowels agree{article}")
    if len(key) < FULL_ABJAD_DROPPED and _vowelled_drop(reading, key, written, other, vowels,
                                                        after_article):
        return MODEL.abjad_dropped, (f"written in Arabic script with one letter left "
                                     f"out{said}: consonants '{key}' of '{other}', long "
                                     f"vowels agree")
    return _dropped_value(key), (f"written in Arabic script with one letter left "
                                 f"out{said}: consonants '{key}' of '{other}'")


def _vowelled_drop(reading: str, key: str, written: tuple[int, ...], other: str,
                   vowels: tuple[int, ...], after_article: bool) -> bool:
    """Three consonants left (``key``) of the Latin part's four (``other``), and the
    Arabic-script part also writes a long vowel after its first letter, every one agreeing
    in class with the Latin vowels once the consonant is left out (جمان ``jman`` of
    Djermane ``jrmn``: a after m): the written vowels are letters the two spellings share,
    as a fourth consonant would be, so the part gets the value of four left. Three
    consonants of the name itself: not a first vowel (عماد ``amd`` is two, not Ahmadi's
    ``ahmd`` less one), nor the lam of Allah glued to it (قاريالله ``krl``: Qari), and
    the consonant left out is not the Latin part's last (حامد ``hmd`` is not Hamidullah
    ``hmdl``: a name-forming suffix, not a letter)."""
    if key[0] == "a" or reading.endswith(_ALLAH_KEY):
        return False
    if not any(ch in "aiu" for ch in reading[1:]):
        return False
    first = 0 if after_article and other[0] != "a" else 1
    return any(_long_vowels_agree(written, vowels, i) for i in range(first, len(other) - 1)
               if other[:i] + other[i + 1:] == key)


def _long_vowels_agree(written: tuple[int, ...], vowels: tuple[int, ...], i: int) -> bool:
    """The long vowels an Arabic-script part writes after each consonant (``written``)
    agree in class with the Latin part's vowels (``vowels``) once its ``i``-th skeleton
    letter is left out (the vowels after it join those after the letter before); a
    first-letter vowel is not compared."""
    merged = (*vowels[:i], vowels[i] | vowels[i + 1], *vowels[i + 2:])
    return all(not w or w & v for w, v in zip(written[1:], merged[1:], strict=True))


def abjad_letter_dropped(key: str, other: str, after_article: bool = False) -> bool:
    """The abjad rule's second case, by the consonants (the index's test): those of the
    Arabic-script part are those of the Latin part with one left out, not the first
    (بلمخار ``blmhr`` of Belmokhtar ``blmhtr``); at least two consonants remain (two:
    see :func:`_abjad_dropped` for what else the rule asks). ``after_article`` (a part
    written with the article glued): the first too, when neither begins with a vowel."""
    if len(key) < MIN_ABJAD_DROPPED or len(other) != len(key) + 1:
        return False
    if after_article and other[1:] == key and key[0] != "a" and other[0] != "a":
        return True
    return other[0] == key[0] and any(other[:i] + other[i + 1:] == key
                                      for i in range(1, len(other)))


def abjad_bound(key: str) -> float:
    """Highest similarity the abjad rule gives a part with skeleton ``key`` and a part of
    the same skeleton (an index bound)."""
    return MODEL.abjad if len(key) >= MIN_ABJAD_SKELETON else 0.0


def _dropped_value(key: str) -> float:
    """The letter-left-out case's value for an Arabic-script part with skeleton ``key``
    whose written long vowels do not add to its consonants (:func:`_vowelled_drop`)."""
    if len(key) >= FULL_ABJAD_DROPPED:
        return MODEL.abjad_dropped
    return MODEL.abjad_dropped_short if len(key) >= MIN_ABJAD_DROPPED else 0.0


def abjad_dropped_bound(key: str) -> float:
    """Highest similarity the letter-left-out case gives an Arabic-script part with
    skeleton ``key`` (an index bound)."""
    if len(key) >= FULL_ABJAD_DROPPED or (len(key) == SHORT_ABJAD_DROPPED and key[0] != "a"):
        return MODEL.abjad_dropped  # (three: as four when long vowels agree, _vowelled_drop)
    return MODEL.abjad_dropped_short if len(key) >= MIN_ABJAD_DROPPED else 0.0


def skeleton_typo_similarity(a: str, b: str) -> float:
    """What :func:`token_similarity` gives two tokens with different skeletons that are not
    one Latin edit apart through the skeleton-typo rule, or 0 (an index bound)."""
    ka, kb = skeleton(a), skeleton(b)
    if skeleton_typo_applies(ka, kb, a, b):
        ratio = Levenshtein.normalized_similarity(a, b)
        return MODEL.skeleton_typo_base + MODEL.skeleton_typo_span * ratio
    return 0.0


def skeleton_typo_best(a: str, ka: str, kb: str, group: Sequence[str]) -> float:
    """``max(skeleton_typo_similarity(a, t) for t in group)`` (0 for none) for the spellings
    ``group`` of one listed skeleton ``kb`` to which the rule can apply with ``ka``, the
    skeleton of ``a`` (``skeleton_typo_applies(ka, kb)``): the index's bound of a skeleton
    neighbour. With the skeletons known, the tokens' part of the condition is only
    "3 against 4 letters needs a side written without vowels", and the best value is that of
    the best Levenshtein ratio (one compiled call over the group instead of a rule test and
    two skeletons per spelling). Same value: ``base + span·r`` rounds monotonically in r."""
    span = MODEL.skeleton_typo_span
    if span < 0.0:  # (a model whose value falls with the ratio: the plain maximum)
        return max((skeleton_typo_similarity(a, t) for t in group), default=0.0)
    if min(len(ka), len(kb)) < FUZZY_MIN_SKELETON and not unvowelled(a):
        group = [t for t in group if unvowelled(t)]
        if not group:
            return 0.0
    found = process.extractOne(a, group, scorer=Levenshtein.normalized_similarity)
    assert found is not None, "a non-empty group has a best spelling"
    return MODEL.skeleton_typo_base + span * found[1]


def same_skeleton_bound(a: str, key: str, group: Sequence[str]) -> float:
    """At least the similarity of ``a`` (skeleton ``key``, or a merged unit's Latin form)
    with each listed spelling in ``group`` (other tokens with skeleton ``key``) by the
    spelling rules, from one compiled call over the group: the index's bound of a large
    skeleton group, where a rule call per spelling would cost more than it saves (1.0
    when no such bound is known: an empty skeleton, a model whose value falls with the
    ratio).

    Two tokens of one skeleton are valued by the skeleton rule (at most
    ``max(skeleton_min, skeleton_base + skeleton_span·r)`` for their Levenshtein ratio r:
    the vowel penalty only lowers it; ``unvowelled`` when a side has no vowels written), an
    initial, or the East Asian syllable rule. The cross-language rules (a shared rigour
    symbol, a nickname: :func:`_by_symbol`) are not bounded here: the index reaches
    those pairs through the query's own ``SYMBOL`` and nickname ``LATIN`` postings, so a
    name holding such a spelling keeps their value (a unit counts once, with its best)."""
    span = MODEL.skeleton_span
    if not key or not group or span < 0.0:
        return 1.0
    found = process.extractOne(a, group, scorer=Levenshtein.normalized_similarity)
    assert found is not None, "a non-empty group has a best spelling"
    best = MODEL.skeleton_base + span * found[1]
    # (a spelling one edit away may take the typo rule's value: typo_value)
    typo = MODEL.typo_base + max(0.0, MODEL.typo_span) * found[1]
    return max(best, typo, MODEL.skeleton_min, MODEL.unvowelled, MODEL.syllable,
               MODEL.initial)


def merged_similarity(a: str, b: str) -> tuple[float, str]:
    """Similarity of a merged unit (two adjacent tokens written as one) with a token."""
    if a == b:
        return SIM_EXACT, "merged parts"
    ka, kb = skeleton(a), skeleton(b)
    if ka == kb and ka:
        sim, vowels = skeleton_similarity(a, b)
        return sim, "merged parts, " + _skeleton_rule(ka, vowels)[9:]
    return 0.0, ""


def prefix_similarity(prefix: str, full: str) -> float:
    """A part cut at a field limit (``abdulra``) against the listed part it begins
    (``abdulrahman``): more the more of it is left."""
    if len(prefix) < MIN_PREFIX or len(full) <= len(prefix) or not full.startswith(prefix):
        return 0.0
    return MODEL.prefix_base + MODEL.prefix_span * len(prefix) / len(full)


def use_model(model: ScoringModel) -> None:
    """Make ``model`` the one the scorer uses in this process (fitting, tests). Clears every
    cache that holds values computed with the previous one."""
    for f in fields(ScoringModel):
        setattr(MODEL, f.name, getattr(model, f.name))
    refresh()


_generation = [0]  # how many times the model was changed in this process (refresh)


def model_generation() -> int:
    """Changes each time the scorer's model does (:func:`refresh`): a memo of similarities
    kept elsewhere (``NameCorpus._memos``) is forgotten when it changes."""
    return _generation[0]


def refresh() -> None:
    """Forget similarities computed with another model (see :func:`use_model`)."""
    _generation[0] += 1
    token_similarity.cache_clear()
    token_alternatives.cache_clear()  # not model-dependent; cleared for a clean slate
