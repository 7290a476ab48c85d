"""The index's tables: posting lists (key → ids of the names holding it) and the typo
vocabularies, and what a query unit reaches through them.

Everything kept here is plain data (dicts of strings to ints, ``array('i')`` posting lists,
floats), so the tables can later be written to files and memory-mapped (issue 11); the
rules that read them are functions of the tables and the query, never stored closures.

Kinds of postings (:class:`PostingKind`):

* ``SKELETON``: the consonant skeleton of every token (every spelling under one key);
* ``MERGED_PAIR``: the skeleton of every pair of adjacent tokens written as one;
* ``LATIN``: the Latin form of every token (reached by the typo rule, one edit away);
* ``SYMBOL``: each rigour name symbol of a token, and of the token in its own script when
  written in another one (one name in several languages);
* ``INITIAL``: the first letter of every token of two or more letters (a query initial);
* ``ACRONYM``: the initials of an organisation name's parts (``isil``);
* ``SYLLABLE``: the consonant classes of a romanised East Asian syllable (Kim and Gim,
  Jong and Chong under one key).

Alternative forms of a token (Arabic letters read the Persian way, a name part without a
glued connector) are posted under keys with the ``ALT_PREFIX``: they weigh what their token
weighs, which would otherwise raise the weight bound of every name under the plain key.
"""

from __future__ import annotations

import json
from array import array
from bisect import bisect_left, insort
from enum import IntEnum
from typing import NamedTuple, TypeAlias

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ctnode.match.columns import KeyedColumn, KeyedSet, StrMap, StrSet
from ctnode.match.normalise import name_symbols, nickname_forms, skeleton, written_skeleton
from ctnode.match.score import NameForm, Unit
from ctnode.match.similarity import (
    FINAL_H_AFTER,
    FUZZY_MIN_LATIN,
    FUZZY_MIN_SKELETON,
    MIN_PREFIX,
    SIM_EXACT,
    UNVOWELLED_MIN_SKELETON,
    abjad_bound,
    abjad_dropped_bound,
    abjad_letter_dropped,
    deletion_keys,
    merged_similarity,
    prefix_similarity,
    same_skeleton_bound,
    similarity_values,
    skeleton_typo_best,
    skeleton_typo_neighbour,
    syllable_posting_key,
    unvowelled,
)
from ctnode.match.transliterate import ABJAD_MARK, LOANWORD_MARK, PRIME, loanword_keys
from ctnode.match.weights import MODEL


class PostingKind(IntEnum):
    """Which posting table a key is looked up in."""

    SKELETON = 0
    MERGED_PAIR = 1
    LATIN = 2
    SYMBOL = 3
    INITIAL = 4
    ACRONYM = 5
    SYLLABLE = 6


ALT_PREFIX = "\x01"  # key prefix of alternative forms' postings
# key prefix of a listed merged pair's two Latin parts (MERGED_PAIR, ``=je son``): a
# query's merged unit reaches the listed pairs of its letters cut elsewhere (j eson)
PAIR_LETTERS = "="
JOIN = "\x00"  # joins the tokens of a deletion key in a table loaded from disk
# A query part's skeleton group with up to this many other spellings gets their exact best
# similarity as bound; a larger one the spelling rules' bound from one compiled call
# (``same_skeleton_bound``: a rule call per spelling would cost more than it saves).
EXACT_BOUND_GROUP = 16
EXPANSION_CACHE = 50_000  # query units whose reach is remembered (cleared when full)
# A single query part reaches the listed merged pairs of its skeleton through each pair's
# own ``=first second`` list (its letters' value, its own weight) when there are up to this
# many; else through the skeleton's list at their best value (``_pair_reach``). 0: the
# lists' extra look-ups and bounds cost more than the tighter values saved (fpb, 1M).
PAIR_LISTS = 0
# A merged-pair table of more keys than this is not read whole for its listed pairs' cuts
# (``pair_cuts``): a merged query unit asks for its letters' other cuts one by one instead
# (``_cuts_probed``). The UN list's table is read at once, a million names' is not.
PAIR_CUTS_READ = 200_000
# Shortest skeleton posted under its one-letter deletions: 3, so that an Arabic-script
# query missing one letter (``mhd``) reaches ``mhmd``; the rule itself decides.
MIN_SKELETON_DELETIONS = UNVOWELLED_MIN_SKELETON
# A unit's posting lists of at least this many names are checked against its other lists
# of as many (``_without_covered``): a list's names that a list of at least its values
# holds are dropped from it (a common part's Latin, skeleton and symbol lists hold the same
# hundreds of thousands of names at a million). Smaller lists are left as they are (the
# check costs more than it saves).
COVERED_MIN = 1_000

Postings = StrMap["int | array[int]"]
# A posting list as read: an array, or a slice of the memory-mapped file of a loaded index
# (both: sorted int32 ids, with len, indexing, iteration and the buffer protocol).
PostingList: TypeAlias = "array[int] | memoryview"
EMPTY_POSTINGS: array[int] = array("i")


class UnitLists(NamedTuple):
    """The non-empty posting lists a query unit reaches (:meth:`PostingTables.unit_postings`):
    each with the best similarity of a listed token under it (``ub``) and ``ub`` times the
    largest listed weight there; their total length as reached (before ``_without_covered``
    dropped names, so the plans are ordered and set aside by size as before); the largest
    of those products."""

    lists: tuple[tuple[PostingList, float, float], ...]
    size: int
    ub_max: float
    c_max: float


class Reach(NamedTuple):
    """A posting list a query unit reaches, with the best similarity any listed token
    under it can have with the unit and the largest rarity weight of a listed unit there."""

    kind: PostingKind
    key: str
    sim_bound: float
    weight_bound: float


_KINDS = tuple(PostingKind)


def encode_reach(found: list[Reach]) -> str:
    """A unit's reach as text (kept in the index files: see ``PostingTables.kept_reach``);
    the values written as ``repr`` writes them, so read back equal."""
    return json.dumps([[int(r.kind), r.key, r.sim_bound, r.weight_bound] for r in found],
                      ensure_ascii=False, separators=(",", ":"))


def decode_reach(text: str) -> list[Reach]:
    """The reach :func:`encode_reach` wrote."""
    return [Reach(_KINDS[kind], key, sim, weight) for kind, key, sim, weight in json.loads(text)]


def post(index: Postings, key: str, name_id: int) -> None:
    """Append to a posting list; a list of one is kept as a bare int (saves memory).
    Name ids arrive in ascending order, so every list stays sorted. (A table loaded from
    disk also holds packed lists, negative ints: :meth:`PostingTables._post` unpacks them.)"""
    cur = index.get(key)
    if cur is None:
        index[key] = name_id
    elif isinstance(cur, int):
        if cur != name_id:
            index[key] = array("i", (cur, name_id))
    elif cur[-1] != name_id:
        cur.append(name_id)


def _collapsed(key: str, i: int) -> str:
    """``key`` with its ``i``-th letter left out when that makes two equal letters meet,
    read as one (the skeleton collapses them: ``mhmd`` → ``md``); "" otherwise."""
    if 0 < i < len(key) - 1 and key[i - 1] == key[i + 1]:
        return key[:i] + key[i + 2:]
    return ""


def _note_cut(cuts: dict[str, list[int]], key: str) -> None:
    """Note a listed merged pair's key (``=je son``) under its letters (``jeson``: cut at 2),
    the cuts kept ascending."""
    first, second = key[1:].split(" ", 1)
    found = cuts.setdefault(first + second, [])
    if len(first) not in found:
        insort(found, len(first))


def _raise(weights: StrMap[float], key: str, weight: float) -> None:
    if (weights.get(key) or 0.0) < weight:
        weights[key] = weight


def _without_covered(lists: list[tuple[PostingList, float, float]],
                     ) -> list[tuple[PostingList, float, float]]:
    """A unit's lists (list, ub, ub·w_c), each large one less the names that a large list
    of at least both its values holds (an empty one dropped), in their order otherwise.

    The bounds take per name the best values over a unit's lists (:mod:`ctnode.match.bounds`),
    so a name held by a list whose values are at least as high gets the same values without
    the other: every name's best values, and the union of the lists, stay the same. A
    common part reaches the same names through its Latin form (exact), its skeleton (the
    other spellings' best) and its symbols: 222,828 names four times over for ``ludovic``
    at a million. Lists are taken best values first; on equal values the earlier list
    stays whole (so of two equal lists one is kept). Only lists of ``COVERED_MIN`` names or
    more, against lists at least half as long (a short one hardly covers a long one)."""
    large = [i for i, (arr, _ub, _cv) in enumerate(lists) if len(arr) >= COVERED_MIN]
    if len(large) < 2:
        return lists
    large.sort(key=lambda i: (-lists[i][1], -lists[i][2]))  # (stable: ties in list order)
    out: list[tuple[PostingList, float, float] | None] = list(lists)
    for pos, i in enumerate(large):
        arr, ub, cv = lists[i]
        ids: np.ndarray | None = None
        for j in large[:pos]:
            other, ub_o, cv_o = lists[j]
            if ub_o < ub or cv_o < cv or 2 * len(other) < len(arr):
                continue  # (its values are not all as high, or it is too short)
            held = np.frombuffer(other, dtype=np.int32)
            if ids is None:
                ids = np.frombuffer(arr, dtype=np.int32)
                if len(held) == len(ids) and np.array_equal(held, ids):
                    ids = ids[:0]  # (the same names: a part's symbols often are)
                    break
            if int(held[-1]) - int(held[0]) <= 6 * (len(held) + len(ids)):
                # (ids dense in their range: a table of the range, a third of the time)
                ids = ids[~np.isin(ids, held, kind="table")]
            else:
                ids = ids[held.take(held.searchsorted(ids), mode="clip") != ids]
            if not len(ids):
                break
        if ids is not None and len(ids) < len(arr):
            out[i] = (array("i", ids.tobytes()), ub, cv) if len(ids) else None
    return [r for r in out if r is not None]


def _add_entry(table: StrMap[list[str] | str], key: str, entry: str) -> None:
    """``entry`` added under ``key`` of a table whose one entry is the string itself, as a
    loaded table holds it (a list of one per key was some 130 MB of a million-name build;
    issue 11), and several a list."""
    cur = table.get(key)
    if cur is None:
        table[key] = entry
    elif isinstance(cur, str):
        table[key] = [*cur.split(JOIN), entry]
    else:
        cur.append(entry)


def _entries(table: StrMap[list[str] | str], key: str) -> list[str] | tuple[str, ...]:
    """The entries under ``key`` of a table filled by :func:`_add_entry` (or loaded, NUL-
    joined)."""
    cur = table.get(key)
    if cur is None:
        return ()
    return cur.split(JOIN) if isinstance(cur, str) else cur


class PostingTables:
    """Posting lists per kind, their weight bounds, and the vocabularies the typo rules
    search (every Latin token and skeleton under each one-letter deletion)."""

    def __init__(self) -> None:
        # Plain dicts and sets when built; read from the index's columns when loaded from
        # disk (ctnode.match.columns: KeyedColumn, KeyedSet; nothing made per key on load).
        self.postings: tuple[Postings, ...] = tuple({} for _ in PostingKind)
        # per kind: key → largest rarity weight of a listed unit under it
        self.weights: tuple[StrMap[float], ...] = tuple({} for _ in PostingKind)
        # deletion key → Latin tokens; one token as the string itself, and a table loaded
        # from disk holds them joined by NUL in one string, split when read or added to
        self.latin_deletions: StrMap[list[str] | str] = {}
        self.skeleton_deletions: StrMap[list[str]] = {}  # deletion key → skeletons
        self.spellings: StrMap[list[str]] = {}  # skeleton → Latin tokens under it
        self.unvowelled_skeletons: StrSet = set()  # skeletons with a spelling without vowels
        # merged-pair skeleton → the listed pairs' ``=first second`` keys under it (one as
        # the string itself; a table loaded from disk holds them joined by NUL), and
        # ``ABJAD_MARK`` when a listed pair of that skeleton has an abjad key: a single
        # query unit reaches the pairs at their letters' own value (``_pair_reach``)
        self.pair_spellings: StrMap[list[str] | str] = {}
        self.vocabulary: StrSet = set()  # every listed Latin token (and alternative)
        self.sorted_vocabulary: list[str] | None = None  # for prefix look-ups, on demand
        self.name_totals: array[float] = array("d")  # per name: total rarity weight
        # A table loaded from disk (ctnode.match.persist): lists of more than one name are
        # kept end to end in ``packed`` (memory-mapped); a table holds ``-(slot + 1)`` for
        # them, their bounds are ``offsets[slot:slot + 2]``. Lists added to since are arrays.
        self.packed: memoryview | None = None
        self.offsets: array[int] = array("q")
        # loanword key → listed Latin tokens with that key; the keys of listed parts written
        # in katakana (LOANWORD_MARK + key): both built from the vocabulary on first use
        self._loanwords: dict[str, list[str]] | None = None
        self._katakana: frozenset[str] | None = None
        self._expansions: dict[tuple[str, int], list[Reach]] = {}
        # A loaded index (ctnode.match.persist): each listed token's reach as a single
        # query unit (``expand(token, False)``, encoded: ``encode_reach``), worked out when
        # the index was saved; dropped once a name is indexed (the reach of listed tokens
        # may change). Two thirds of the single units a batch's first pass expands are
        # listed tokens, and each worker of a batch worked them out again.
        self.kept_reach: StrMap[str] | None = None
        # per query unit (its forms): the non-empty posting lists it reaches, read once
        # (see unit_postings)
        self._unit_lists: dict[tuple[object, ...], UnitLists] = {}
        # per Latin skeleton: the Arabic-script listed parts the abjad rule reaches
        self._abjad_reach: dict[str, list[Reach]] = {}
        self._abjad_keys: set[str] | None = None  # see abjad_keys
        self._pair_cuts: dict[str, list[int]] | None = None  # see pair_cuts
        # whether the merged-pair table is too large to read for pair_cuts (decided once
        # it is needed, again after names are indexed; see _cut_elsewhere)
        self._cuts_probed_always: bool | None = None
        # per query skeleton (and whether the query token is written without vowels): the
        # listed skeletons the skeleton-typo rule can join it with (the test needs no
        # tokens, so every spelling of a query skeleton shares the answer)
        self._typo_neighbours: dict[tuple[str, bool], list[str]] = {}
        # token (with its key prefix) → the keys it is posted under, remembered when set
        # (a dict): the reverse index of watched subjects, whose tokens' symbols always come
        # from rigour (never from a symbol table), posts a million names from one vocabulary
        self.token_keys: dict[str, tuple[tuple[PostingKind, str], ...]] | None = None
        # per kind: the keys that also have an alternative form's postings (ALT_PREFIX +
        # key), noted as they are posted; a table loaded from disk reads a kind's own from
        # its key column when a query first asks (``_alt_read``). Nearly every key has
        # none, and asking a loaded index's columns for a missing key costs a hash and a
        # probe each time.
        self._alt_keys: tuple[set[str], ...] = tuple(set() for _ in PostingKind)
        self._alt_read = [False for _ in PostingKind]

    def __len__(self) -> int:
        return len(self.name_totals)

    # -- building ----------------------------------------------------------------------

    def index_name(self, name_id: int, form: NameForm) -> None:
        """Post one listed name (ids must arrive in ascending order)."""
        assert name_id == len(self.name_totals), "names are indexed in id order"
        for unit in form.singles:
            self._index_token(unit.latin, name_id, unit.weight, "")
            for alt in unit.alts:
                self._index_token(alt, name_id, unit.weight, ALT_PREFIX)
            for symbol in unit.symbols:
                self._post(PostingKind.SYMBOL, symbol, name_id)
                _raise(self.weights[PostingKind.SYMBOL], symbol, unit.weight)
        merged_index = self.postings[PostingKind.MERGED_PAIR]
        for unit in form.merged_units:
            cut = f"{PAIR_LETTERS}{unit.latin[:unit.cut]} {unit.latin[unit.cut:]}"
            if cut not in merged_index:  # (a pair's letters and cut noted once)
                self._add_pair_spelling(unit.skel, cut)
            if unit.alts and ABJAD_MARK not in self.pair_letters(unit.skel):
                self._add_pair_spelling(unit.skel, ABJAD_MARK)
            for key in (unit.skel, cut):
                self._post(PostingKind.MERGED_PAIR, key, name_id)
                _raise(self.weights[PostingKind.MERGED_PAIR], key, unit.weight)
            if self._pair_cuts is not None:
                _note_cut(self._pair_cuts, cut)
        for acronym in form.listed_acronyms:
            self._post(PostingKind.ACRONYM, acronym, name_id)
            _raise(self.weights[PostingKind.ACRONYM], acronym, form.total)
        self.name_totals.append(form.total)
        self._cuts_probed_always = None
        self.kept_reach = None
        self._expansions = {}
        self._unit_lists = {}
        self._abjad_reach = {}
        self._typo_neighbours = {}

    def _index_token(self, t: str, name_id: int, owner_weight: float, space: str) -> None:
        if t[:1] == LOANWORD_MARK:  # a katakana part's loanword key: met by that rule only
            if space:
                self._alt_keys[PostingKind.LATIN].add(t)
            self._post(PostingKind.LATIN, space + t, name_id)
            _raise(self.weights[PostingKind.LATIN], space + t, owner_weight)
            if t not in self.vocabulary:
                self.vocabulary.add(t)
                self.sorted_vocabulary = None
                self._katakana = None
            return
        if t[:1] == ABJAD_MARK:  # an Arabic-script part's reading: met by the abjad rule
            self._index_abjad(t, name_id, owner_weight, space)
            return
        cache = self.token_keys
        if cache is not None:
            known = cache.get(space + t)
            if known is not None:
                self._post_keys(known, name_id, owner_weight)
                return
        key = skeleton(t)
        keys: list[tuple[PostingKind, str]] = [(PostingKind.SKELETON, space + key),
                                               (PostingKind.LATIN, space + t)]
        keys += [(PostingKind.SYMBOL, space + symbol) for symbol in name_symbols(t)]
        if len(t) >= 2 and t[0].isalpha():
            keys.append((PostingKind.INITIAL, space + t[0]))
        syllable = syllable_posting_key(t)
        if syllable is not None:
            keys.append((PostingKind.SYLLABLE, space + syllable))
        for kind, k in keys:
            self._post(kind, k, name_id)
            _raise(self.weights[kind], k, owner_weight)
            if space:  # (a token seen again is posted under these keys: noted once)
                self._alt_keys[kind].add(k[len(space):])
        if cache is not None:
            cache[space + t] = tuple(keys)
        if t not in self.vocabulary:
            self.vocabulary.add(t)
            self.sorted_vocabulary = None
            self._loanwords = None
            if len(t) >= FUZZY_MIN_LATIN:
                for d in deletion_keys(t):
                    self._add_deletion(d, t)
            if unvowelled(t):
                self.unvowelled_skeletons.add(key)
            if key not in self.spellings:
                self.spellings[key] = [t]
                if len(key) >= MIN_SKELETON_DELETIONS:
                    for d in deletion_keys(key):
                        self.skeleton_deletions.setdefault(d, []).append(key)
            else:  # (setdefault: a loaded table keeps the list it returns)
                self.spellings.setdefault(key, []).append(t)

    def _index_abjad(self, t: str, name_id: int, owner_weight: float, space: str) -> None:
        """Post an abjad key under its marked skeleton (a Latin query part reaches it
        through its own skeleton: see ``_expand_single``)."""
        key = skeleton(t[1:])
        if abjad_bound(key) > 0.0:
            k = space + ABJAD_MARK + key
            if space:
                self._alt_keys[PostingKind.SKELETON].add(ABJAD_MARK + key)
            if self._abjad_keys is not None:
                self._abjad_keys.add(k)
            self._post(PostingKind.SKELETON, k, name_id)
            _raise(self.weights[PostingKind.SKELETON], k, owner_weight)
            # the bare mark: which names hold any abjad key (a Latin query part looks the
            # marked skeletons up only when the list has some)
            self._post(PostingKind.SKELETON, ABJAD_MARK, name_id)
            self.weights[PostingKind.SKELETON].setdefault(ABJAD_MARK, 0.0)

    def _post_keys(self, keys: tuple[tuple[PostingKind, str], ...], name_id: int,
                   owner_weight: float) -> None:
        """Post a token seen before under its remembered keys (``token_keys``): what
        ``_index_token`` posts, without recomputing them."""
        postings, weights = self.postings, self.weights
        for kind, k in keys:
            index = postings[kind]
            cur = index.get(k)
            if cur is None:
                index[k] = name_id
            elif isinstance(cur, int):
                if cur < 0:  # a packed list of a loaded table
                    self._post(kind, k, name_id)
                elif cur != name_id:
                    index[k] = array("i", (cur, name_id))
            elif cur[-1] != name_id:
                cur.append(name_id)
            w = weights[kind]
            if (w.get(k) or 0.0) < owner_weight:
                w[k] = owner_weight

    # -- reading -----------------------------------------------------------------------

    def _add_deletion(self, key: str, token: str) -> None:
        _add_entry(self.latin_deletions, key, token)

    def _add_pair_spelling(self, skel: str, entry: str) -> None:
        _add_entry(self.pair_spellings, skel, entry)

    def pair_letters(self, skel: str) -> list[str] | tuple[str, ...]:
        """The listed merged pairs' ``=first second`` keys of skeleton ``skel`` (and
        ``ABJAD_MARK`` when one of them has an abjad key)."""
        return _entries(self.pair_spellings, skel)

    def deletion_tokens(self, key: str) -> list[str] | tuple[str, ...]:
        """The listed Latin tokens with ``key`` among their one-letter deletions."""
        return _entries(self.latin_deletions, key)

    def _post(self, kind: PostingKind, key: str, name_id: int) -> None:
        index = self.postings[kind]
        cur = index.get(key)
        if isinstance(cur, int) and cur < 0:  # a packed list gets a name: unpack it
            index[key] = array("i", self._unpack(cur))
        post(index, key, name_id)

    def _unpack(self, code: int) -> PostingList:
        assert self.packed is not None, "a packed posting list without its file"
        slot = -code - 1
        return self.packed[self.offsets[slot]:self.offsets[slot + 1]]

    def lookup(self, kind: PostingKind, key: str) -> PostingList:
        """The ids of the names holding ``key`` (ascending)."""
        cur = self.postings[kind].get(key)
        if cur is None:
            return EMPTY_POSTINGS
        if isinstance(cur, int):
            return self._unpack(cur) if cur < 0 else array("i", (cur,))
        return cur

    def _reach(self, out: list[Reach], kind: PostingKind, key: str, ub: float) -> None:
        """Add the plain and the alternative-form postings of ``key`` (those that exist)."""
        index = self.postings[kind]
        if index.get(key) is not None:  # (a held key's value is never None)
            out.append(Reach(kind, key, ub, self.weights[kind][key]))
        if not self._alt_read[kind]:
            self._read_alt_keys(kind)
        if key in self._alt_keys[kind]:
            k = ALT_PREFIX + key
            if k in index:
                out.append(Reach(kind, k, ub, self.weights[kind][k]))

    def _read_alt_keys(self, kind: PostingKind) -> None:
        """Note the alternative forms' keys of one kind of a table loaded from disk (those
        posted since are noted as they come)."""
        index = self.postings[kind]
        if isinstance(index, KeyedColumn):
            self._alt_keys[kind].update(k[1:] for k in index.starting_with(ALT_PREFIX))
        self._alt_read[kind] = True

    def expand(self, latin: str, merged: bool, prefix: bool = False) -> list[Reach]:
        """Posting lists a query unit reaches.

        * its skeleton (every spelling under it: the exact and phonetic rules);
        * merged pairs of listed tokens with its skeleton (single query units only);
        * Latin forms one edit away (the typo rule), each with its own similarity;
        * skeletons one edit away (the skeleton-typo rule), bounded by that rule's maximum;
        * its rigour name symbols (forms of one name in other languages; single units only);
        * an initial: every listed token starting with it; a token: listed initials;
        * a single-token query name: organisation names whose acronym it is;
        * ``prefix`` (the last part of a name cut at a field limit): every listed token
          it begins.
        """
        cache_key = (latin, int(merged) | int(prefix) << 1)
        found = self._expansions.get(cache_key)
        if found is not None:
            return found
        kept = self.kept_reach
        if kept is not None and not (merged or prefix):
            held = kept.get(latin)
            if held is not None:  # a listed token: its reach as the index was saved
                found = decode_reach(held)
                if len(self._expansions) > EXPANSION_CACHE:
                    self._expansions.clear()
                self._expansions[cache_key] = found
                return found
        out: list[Reach] = []
        if latin[:1] == LOANWORD_MARK:  # a katakana part: the listed parts with its key
            self._reach(out, PostingKind.LATIN, latin, SIM_EXACT)
            for tok in self.loanwords().get(latin[1:], ()):
                self._reach(out, PostingKind.LATIN, tok, MODEL.symbol)
            self._expansions[cache_key] = out
            return out
        if latin[:1] == ABJAD_MARK:  # an Arabic-script part: listed parts of its skeleton
            key = skeleton(latin[1:])
            bound = abjad_bound(key)
            if bound > 0.0:
                self._reach(out, PostingKind.SKELETON, key, bound)
                if key[-1] == "h":  # (Latin parts that end in a vowel and h: final_h_said)
                    self._reach(out, PostingKind.SKELETON, key[:-1], bound)
                if not merged and key in self.postings[PostingKind.MERGED_PAIR]:
                    out.append(Reach(PostingKind.MERGED_PAIR, key, bound,
                                     self.weights[PostingKind.MERGED_PAIR][key]))
            dropped = abjad_dropped_bound(key)
            if dropped > 0.0:  # listed skeletons with one more consonant
                article = latin[1:2] == PRIME  # (written after the article: the first too)
                for k in sorted(self.skeleton_deletions.get(key) or ()):
                    if abjad_letter_dropped(key, k, article):
                        self._reach(out, PostingKind.SKELETON, k, dropped)
                spelt = written_skeleton(latin[1:])  # ممد mmd: two written, one more left out
                if spelt != key:
                    for k in sorted(self.skeleton_deletions.get(spelt) or ()):
                        if abjad_letter_dropped(spelt, k, article):
                            self._reach(out, PostingKind.SKELETON, k, dropped)
            self._expansions[cache_key] = out
            return out
        key = skeleton(latin)
        self._expand_abjad(out, key)
        if latin[-1:] == "h" and latin[-2:-1] in FINAL_H_AFTER:
            # its final h, which the skeleton drops, is said when an Arabic-script part
            # writes it after a consonant (final_h_said: صالح Saleh)
            self._expand_abjad(out, key + "h")
        group = self.spellings.get(key)
        if group:
            # The query's own spelling, when listed, through its Latin postings (exact);
            # the skeleton's list then holds it at most at the best *other* spelling's
            # value: a name holding another spelling is not bounded by the exact match
            # (the names under both keep the better value, as a unit counts once).
            own = latin in group
            if own:
                self._reach(out, PostingKind.LATIN, latin, SIM_EXACT)
            others = [t for t in group if t != latin] if own else group
            if not others:
                rest = 0.0
            elif len(others) <= EXACT_BOUND_GROUP:
                rest = (max(merged_similarity(latin, t)[0] for t in others) if merged
                        else max(similarity_values(latin, others)))
            else:
                rest = same_skeleton_bound(latin, key, others)
            if rest > 0.0:
                self._reach(out, PostingKind.SKELETON, key, rest)
        if not merged:
            self._expand_single(out, latin, key)
            if prefix and len(latin) >= MIN_PREFIX:
                self._expand_prefix(out, latin)
        if len(self._expansions) > EXPANSION_CACHE:
            self._expansions.clear()
        self._expansions[cache_key] = out
        return out

    def _expand_abjad(self, out: list[Reach], key: str) -> None:
        """Listed parts written in Arabic script the abjad rule can join with a Latin part
        of skeleton ``key``: the same skeleton, or it with one consonant left out."""
        found = self._abjad_reach.get(key)
        if found is None:  # (per skeleton: a query's spellings of one name share it)
            found = []
            if ABJAD_MARK in self.postings[PostingKind.SKELETON]:  # else none in the list
                marked = self.abjad_keys()
                if abjad_bound(key) > 0.0 and (ABJAD_MARK + key in marked
                                               or ALT_PREFIX + ABJAD_MARK + key in marked):
                    self._reach(found, PostingKind.SKELETON, ABJAD_MARK + key,
                                abjad_bound(key))
                # every skeleton one (not the first) shorter
                dropped = abjad_dropped_bound(key[1:])
                if dropped > 0.0:
                    # (each is ``key`` with one consonant after the first left out: the
                    # rule's case)
                    # (and with two equal consonants met, as the Arabic-script part's
                    # skeleton reads them: ممد ``md`` of ``mhmd``; see written_skeleton)
                    # (the first too: a listed part written after the article may have
                    # left it out; the marked keys do not say which were)
                    for short in dict.fromkeys(
                            k for i in range(int(key[:1] == "a"), len(key))
                            for k in (key[:i] + key[i + 1:], _collapsed(key, i)) if k):
                        if (ABJAD_MARK + short in marked
                                or ALT_PREFIX + ABJAD_MARK + short in marked):
                            self._reach(found, PostingKind.SKELETON, ABJAD_MARK + short,
                                        dropped)
            if len(self._abjad_reach) > EXPANSION_CACHE:
                self._abjad_reach.clear()
            self._abjad_reach[key] = found
        out.extend(found)

    def abjad_keys(self) -> set[str]:
        """Every skeleton posting key of an Arabic-script part's reading (``ABJAD_MARK``
        first, plain or alternative), found once: a Latin query part asks for its skeleton
        with each consonant left out (the abjad rule's second case), and almost none of
        those are listed; a look-up in a loaded index's columns costs more than in a set."""
        found = self._abjad_keys
        if found is None:
            index = self.postings[PostingKind.SKELETON]
            if isinstance(index, KeyedColumn):
                keys = index.starting_with(ABJAD_MARK, ALT_PREFIX)
            else:
                alt = ALT_PREFIX + ABJAD_MARK
                keys = [k for k in index if k[:1] == ABJAD_MARK or k[:2] == alt]
            found = self._abjad_keys = set(keys)
        return found

    def loanwords(self) -> dict[str, list[str]]:
        """Loanword key → the listed Latin tokens (and alternatives) with it (see
        :func:`loanword_similarity`), built from the vocabulary on first use."""
        found = self._loanwords
        if found is None:
            found = {}
            for tok in sorted(self.vocabulary):
                if tok[:1] != LOANWORD_MARK:
                    for k in loanword_keys(tok):
                        found.setdefault(k, []).append(tok)
            self._loanwords = found
        return found

    def katakana_keys(self) -> frozenset[str]:
        """The marked loanword keys of listed parts written in katakana."""
        found = self._katakana
        if found is None:
            vocabulary = self.vocabulary
            # (a loaded index's vocabulary: only the marked keys are read, not each of its
            # hundred thousand tokens, in the first screen of a process)
            found = self._katakana = frozenset(
                vocabulary.starting_with(LOANWORD_MARK) if isinstance(vocabulary, KeyedSet)
                else (t for t in vocabulary if t[:1] == LOANWORD_MARK))
        return found

    def _expand_single(self, out: list[Reach], latin: str, key: str) -> None:
        marked = self.katakana_keys()
        if marked:  # listed parts written in katakana: those with one of this part's keys
            for k in sorted(loanword_keys(latin)):
                if LOANWORD_MARK + k in marked:
                    self._reach(out, PostingKind.LATIN, LOANWORD_MARK + k, MODEL.symbol)
        if key in self.postings[PostingKind.MERGED_PAIR]:
            self._pair_reach(out, latin, key)
        for symbol in sorted(name_symbols(latin)):
            self._reach(out, PostingKind.SYMBOL, symbol, MODEL.symbol)
        for form in sorted(nickname_forms(latin)):
            self._reach(out, PostingKind.LATIN, form, MODEL.nickname)
        syllable = syllable_posting_key(latin)
        if syllable is not None:
            self._reach(out, PostingKind.SYLLABLE, syllable, MODEL.syllable)
        if len(latin) == 1:
            if latin.isalpha():
                self._reach(out, PostingKind.INITIAL, latin, MODEL.initial)
        elif latin[0].isalpha():
            self._reach(out, PostingKind.LATIN, latin[0], MODEL.initial)
        if len(latin) >= FUZZY_MIN_LATIN:
            # the listed spellings of the query's own skeleton (a listed token's skeleton
            # is ``key`` exactly when it is one of them): reached through the skeleton
            same = self.spellings.get(key) or ()
            near: dict[str, None] = {}  # (in the order met, once each)
            for d in deletion_keys(latin):
                for tok in self.deletion_tokens(d):
                    if tok not in same:  # (same skeleton: already reached through it)
                        near[tok] = None
            # the rules' values for all of them at once (what depends on the query part
            # alone worked out once)
            for tok, sim in zip(near, similarity_values(latin, list(near)), strict=True):
                if sim > 0.0:
                    self._reach(out, PostingKind.LATIN, tok, sim)
        # 3-consonant skeletons take part only when a side is written without vowels (see
        # skeleton_typo_applies): the query token, or some spelling under the listed skeleton
        bare = unvowelled(latin)
        if len(key) >= UNVOWELLED_MIN_SKELETON:
            for k in self._skeleton_neighbours(key, bare):
                group = self.spellings[k]
                # spellings one Latin edit away are reached (and bounded) above; the best
                # value over any number of spellings is one compiled call
                best = skeleton_typo_best(latin, key, k, group)
                if best > 0.0:
                    self._reach(out, PostingKind.SKELETON, k, best)

    def _pair_reach(self, out: list[Reach], latin: str, key: str) -> None:
        """The listed merged pairs a single query part of skeleton ``key`` meets (the
        scorer pairs them by skeleton: ``score.merged_pair``), valued as the merged-parts
        rule values their letters: the skeleton's list at the best value of any of its
        pairs' letters, exact for up to ``EXACT_BOUND_GROUP`` of them; for more, the exact
        value when the part's letters are listed as a pair, else the skeleton rule's at the
        closest letters' Levenshtein ratio (0.90 when a side has no vowels). Up to
        ``PAIR_LISTS`` pairs are each reached through their own ``=first second`` list
        instead, at their own value and largest weight. A skeleton with a listed pair that
        has an abjad key (compared by the abjad rule) stays at 1.0, as before."""
        weights = self.weights[PostingKind.MERGED_PAIR]
        group = self.pair_letters(key)
        if not group or ABJAD_MARK in group or MODEL.skeleton_span < 0.0:
            out.append(Reach(PostingKind.MERGED_PAIR, key, SIM_EXACT, weights[key]))
            return
        if len(group) <= PAIR_LISTS:
            for cut in group:
                sim = merged_similarity(latin, cut[1:].replace(" ", "", 1))[0]
                if sim > 0.0:
                    out.append(Reach(PostingKind.MERGED_PAIR, cut, sim, weights[cut]))
            return
        letters = [cut[1:].replace(" ", "", 1) for cut in group]
        if len(group) <= EXACT_BOUND_GROUP:
            best = max(merged_similarity(latin, x)[0] for x in letters)
            if best > 0.0:
                out.append(Reach(PostingKind.MERGED_PAIR, key, best, weights[key]))
            return
        if latin in letters:
            best = SIM_EXACT
        else:
            found = process.extractOne(latin, letters, scorer=Levenshtein.normalized_similarity)
            assert found is not None, "a non-empty group has closest letters"
            best = max(MODEL.skeleton_min, MODEL.skeleton_base + MODEL.skeleton_span * found[1])
            if best < MODEL.unvowelled and (unvowelled(latin)
                                            or any(unvowelled(x) for x in letters)):
                best = MODEL.unvowelled
        out.append(Reach(PostingKind.MERGED_PAIR, key, min(best, SIM_EXACT), weights[key]))

    def _skeleton_neighbours(self, key: str, bare: bool) -> list[str]:
        """Listed skeletons one deletion from ``key`` (sorted) to which the skeleton-typo
        rule can apply for some spellings: 3-consonant skeletons only when a side is
        written without vowels (``bare``: the query token; or some listed spelling)."""
        found = self._typo_neighbours.get((key, bare))
        if found is not None:
            return found
        long_key = len(key) >= FUZZY_MIN_SKELETON
        first, vowel_key = key[0], "a" + key
        unvowelled_skeletons = self.unvowelled_skeletons
        near: set[str] = set()
        for d in deletion_keys(key):
            for k in self.skeleton_deletions.get(d) or ():
                # (the rule's first-letter test first: it rules most skeletons out)
                if ((k[0] == first or k == vowel_key or key == "a" + k) and k != key
                        and k not in near
                        and ((long_key and len(k) >= FUZZY_MIN_SKELETON) or bare
                             or k in unvowelled_skeletons)):
                    near.add(k)
        # the rule cannot apply to any spellings of the two skeletons otherwise (it asks
        # for one edit apart: that test, in compiled code, first rules most pairs out)
        found = [k for k in sorted(near) if skeleton_typo_neighbour(key, k)]
        if len(self._typo_neighbours) > EXPANSION_CACHE:
            self._typo_neighbours.clear()
        self._typo_neighbours[(key, bare)] = found
        return found

    def _expand_prefix(self, out: list[Reach], latin: str) -> None:
        """Listed tokens that ``latin`` begins (a name cut at a field limit, mid-word)."""
        vocab = self.sorted_vocabulary
        if vocab is None:
            vocab = self.sorted_vocabulary = sorted(self.vocabulary)
        i = bisect_left(vocab, latin)
        while i < len(vocab) and vocab[i].startswith(latin):
            tok = vocab[i]
            i += 1
            if tok[0] == ALT_PREFIX or tok == latin:
                continue
            sim = prefix_similarity(latin, tok)
            if sim > 0.0:
                self._reach(out, PostingKind.LATIN, tok, sim)

    def pair_cuts(self) -> dict[str, list[int]]:
        """The listed merged pairs' letters (``jeson``) → where each listed pair of them is
        cut (ascending: ``[2]`` for ``je son``), read once from the ``=first second`` keys
        (``PAIR_LETTERS``): a query's merged unit then asks one dict for its letters, not
        the loaded index's columns once per other cut (a hash and a probe each, nearly
        always missing)."""
        found = self._pair_cuts
        if found is None:
            index = self.postings[PostingKind.MERGED_PAIR]
            if isinstance(index, KeyedColumn):
                keys = index.starting_with(PAIR_LETTERS)
            else:
                keys = [k for k in index if k[:1] == PAIR_LETTERS]
            found = {}
            for key in keys:
                _note_cut(found, key)
            self._pair_cuts = found
        return found

    def _cut_elsewhere(self, unit: Unit) -> list[Reach]:
        """The listed merged pairs of a merged unit's letters cut at another place (``je
        son`` for ``j eson``), at the exact value: the merged-parts rule's pair."""
        latin = unit.latin
        found = self._pair_cuts
        if found is None:
            probed = self._cuts_probed_always
            if probed is None:  # (asked once: a loaded column's size is not a field)
                probed = self._cuts_probed_always = (
                    len(self.postings[PostingKind.MERGED_PAIR]) > PAIR_CUTS_READ)
            if probed:
                return self._cuts_probed(unit)
        cuts = (found if found is not None else self.pair_cuts()).get(latin)
        if not cuts:
            return []
        weights = self.weights[PostingKind.MERGED_PAIR]
        out: list[Reach] = []
        for cut in cuts:
            if cut != unit.cut:
                key = f"{PAIR_LETTERS}{latin[:cut]} {latin[cut:]}"
                out.append(Reach(PostingKind.MERGED_PAIR, key, SIM_EXACT, weights[key]))
        return out

    def _cuts_probed(self, unit: Unit) -> list[Reach]:
        """:meth:`_cut_elsewhere` for a large table, without reading every listed pair's
        cut (``pair_cuts`` reads each ``=first second`` key once: 1.3 million keys and
        some 4 CPU-s at a million names, in the first screen of every process): each other
        cut of the unit's letters asked for as a key, and only when some listed pair has
        the unit's skeleton (a listed pair of the same letters posts that skeleton too, so
        a unit whose skeleton no listed pair has, most fresh ones, costs one look-up)."""
        index = self.postings[PostingKind.MERGED_PAIR]
        out: list[Reach] = []
        if unit.skel not in index:
            return out
        latin = unit.latin
        weights = self.weights[PostingKind.MERGED_PAIR]
        for cut in range(1, len(latin)):  # (ascending, as pair_cuts keeps them)
            if cut != unit.cut:
                key = f"{PAIR_LETTERS}{latin[:cut]} {latin[cut:]}"
                if key in index:
                    out.append(Reach(PostingKind.MERGED_PAIR, key, SIM_EXACT, weights[key]))
        return out

    def unit_postings(self, unit: Unit) -> UnitLists:
        """The posting lists :meth:`expand_unit` reaches that hold names, in its order, each
        as (list, ub, ub·w_c), remembered per unit (its Latin form, alternatives, symbols,
        merged and prefix flags: all that ``expand_unit`` reads of it) until a name is
        indexed: a batch's queries share most of their parts, and reading the lists (a
        look-up in the loaded index's columns each) cost as much as the rest of a query's
        bounds."""
        key = (unit.latin, unit.alts, unit.symbols, unit.end > unit.start, unit.prefix,
               unit.cut)
        found = self._unit_lists.get(key)
        if found is not None:
            return found
        lists = []
        size = 0
        ub_max = c_max = 0.0
        for kind, k, ub, wk in self.expand_unit(unit):
            arr = self.lookup(kind, k)
            if arr:
                cv = ub * wk
                lists.append((arr, ub, cv))
                size += len(arr)
                ub_max, c_max = max(ub_max, ub), max(c_max, cv)
        if size >= 2 * COVERED_MIN:
            lists = _without_covered(lists)
        found = UnitLists(tuple(lists), size, ub_max, c_max)
        if len(self._unit_lists) > EXPANSION_CACHE:
            self._unit_lists.clear()
        self._unit_lists[key] = found
        return found

    def expand_unit(self, unit: Unit) -> list[Reach]:
        """:meth:`expand` over a unit's Latin form and its alternatives (best bound per key),
        and the rigour symbols of the part in its own script; a merged unit also the
        listed pairs of its letters cut elsewhere (:meth:`_cut_elsewhere`)."""
        if not unit.alts and not unit.symbols:
            found = self.expand(unit.latin, unit.merged, unit.prefix)
            return found + self._cut_elsewhere(unit) if unit.merged else found
        best: dict[tuple[int, str], Reach] = {}
        if unit.merged:
            for item in self._cut_elsewhere(unit):
                best[(item.kind, item.key)] = item
        for latin in (unit.latin, *unit.alts):
            for item in self.expand(latin, unit.merged, unit.prefix):
                old = best.get((item.kind, item.key))
                if old is None or item.sim_bound > old.sim_bound:
                    best[(item.kind, item.key)] = item
        if not unit.merged and any(a[:1] == ABJAD_MARK for a in unit.alts):
            # (a part read from Arabic script: the scorer also compares its abjad key with
            # the listed pairs of its forms' skeletons, abjad_similarity: not bounded by
            # their letters, those pairs are reached at 1.0 as before)
            index = self.postings[PostingKind.MERGED_PAIR]
            for form in (unit.latin, *unit.alts):
                if form[:1] in (ABJAD_MARK, LOANWORD_MARK):
                    continue
                k = skeleton(form)
                if k in index:
                    best[(PostingKind.MERGED_PAIR, k)] = Reach(
                        PostingKind.MERGED_PAIR, k, SIM_EXACT,
                        self.weights[PostingKind.MERGED_PAIR][k])
        extra: list[Reach] = []
        for symbol in sorted(unit.symbols):
            self._reach(extra, PostingKind.SYMBOL, symbol, MODEL.symbol)
        for item in extra:
            old = best.get((item.kind, item.key))
            if old is None or item.sim_bound > old.sim_bound:
                best[(item.kind, item.key)] = item
        return list(best.values())
