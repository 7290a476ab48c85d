"""Issue 12, recall on names in other scripts: Arabic presentation forms, the Persian final
heh and Farsi yeh read ``a``, honorifics written in Arabic script, the article glued as
es-/et-/ed-, the abjad rule with one of four consonants left out, and long Han words cut
into the words of rigour's name dictionary. Each rule on the indexed Matcher and the naive
reference alike, and each said in the hit's explanation."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ctnode.match import Matcher, NaiveMatcher, Thresholds
from ctnode.match.normalise import _unglued, parse_name, split_names
from ctnode.match.similarity import token_similarity
from ctnode.match.transliterate import (
    ABJAD_MARK,
    HAN_TABLES,
    arabic_alternatives,
    arabic_letters,
    final_vowel_reading,
    first_use_table,
    han_name_words,
    readings,
)
from ctnode.model.entities import Entity
from ctnode.model.screening import Hit, ScreenQuery

pytestmark = pytest.mark.usefixtures("hand_model")


def _e(eid: str, name: str, schema: str = "Person") -> Entity:
    e = Entity(id=eid, schema=schema, dataset="t", reference=eid)
    e.add("name", name)
    return e


def _org(eid: str, name: str) -> Entity:
    return _e(eid, name, "Organization")


LIST = [
    _e("juma", "Najibullah Muhammad Juma"), _e("huwaysh", "Abd-al-Tawwab Mullah Huwaysh"),
    _e("essabar", "Zakarya Essabar"), _e("tikriti", "Abid Hamid Mahmud Al-Tikriti"),
    _e("rahimi", "Amir Rahimi"), _e("aziz", "Tariq Aziz"), _e("sami", "Sami Jasim Al-Jaburi"),
    _e("isa", "Mohammad Musa Rahmani"), _e("other", "Omar Hassan Khalil"),
]


def _top(m: Matcher | NaiveMatcher, name: str, schema: str = "Person",
         include_below: bool = False) -> Hit | None:
    hits = m.screen(ScreenQuery(names=[name], schema=schema), limit=3,
                    include_below=include_below)
    return hits[0] if hits else None


def matchers_over(entities: list[Entity]) -> Any:
    """A test module's ``matcher`` fixture (``matcher = matchers_over(LIST)``): the indexed
    Matcher and the naive reference, each built once over ``entities``."""

    @pytest.fixture(scope="module", params=[Matcher, NaiveMatcher], ids=lambda c: c.__name__)
    def matcher(request: pytest.FixtureRequest) -> Matcher | NaiveMatcher:
        m: Matcher | NaiveMatcher = request.param(Thresholds())
        m.build(entities)
        return m

    return matcher


matcher = matchers_over(LIST)


def _details(hit: Hit) -> str:
    return " | ".join(f.detail for f in hit.explanation)


def found_and_said(m: Matcher | NaiveMatcher, query: str, expected: str, said: str,
                   schema: str = "Person") -> None:
    """``query``'s best hit is ``expected``, at or above the reporting threshold, and its
    explanation says ``said``."""
    hit = _top(m, query, schema)
    assert hit is not None and hit.entity_id == expected, (query, hit)
    assert hit.score >= Thresholds().report, (query, hit.score)
    assert said in _details(hit), _details(hit)


def same_as_naive(listed: list[Entity], queries: Iterable[str | tuple[str, str]]) -> None:
    """The index answers each query (a person's name, or a name and its schema) with the
    hits, scores and matched names of the naive reference, below the threshold too."""
    fast, naive = Matcher(Thresholds()), NaiveMatcher(Thresholds())
    fast.build(listed)
    naive.build(listed)
    for query in queries:
        name, schema = (query, "Person") if isinstance(query, str) else query
        q = ScreenQuery(names=[name], schema=schema)
        got = [(h.entity_id, h.score, h.matched_name) for h in fast.screen(q, include_below=True)]
        want = [(h.entity_id, h.score, h.matched_name)
                for h in naive.screen(q, include_below=True)]
        assert got == want, query


def test_presentation_forms_are_read_as_letters() -> None:
    """Contextual shapes (U+FE70–FEFF) and ligatures are the letters Unicode NFKC gives."""
    assert arabic_letters("ﺳﺎﻣﻲ ﺟﺎﺳم") == "سامي جاسم"
    assert split_names("ﺳﺎﻣﻲ ﺟﺎﺳم اﻟﺟﺑوري") == ["سامي جاسم الجبوري"]
    assert parse_name(split_names("ﺳﺎﻣﻲ")[0])[0].tokens == ("sami",)
    assert arabic_letters("Sami") == "Sami"


def test_final_heh_and_farsi_yeh_read_a() -> None:
    """A final heh or Farsi yeh after a consonant is also read ``a`` (جمعه Juma, عیسی
    Isa); not after a long vowel (شاه Shah) nor in Allah, and the Arabic yeh ي stays i."""
    assert final_vowel_reading("جمعه") == "jma"
    assert final_vowel_reading("زاده") == "zada"
    assert final_vowel_reading("عیسی") == "aisa"
    assert final_vowel_reading("شاه") is None
    assert final_vowel_reading("نورالله") is None
    assert final_vowel_reading("علي") is None
    assert "jma" in arabic_alternatives("جمعه")
    keys = [a for a in parse_name("جمعه")[0].alts[0] if a[:1] == ABJAD_MARK]
    assert ABJAD_MARK + "jma" in keys  # the abjad rule meets Juma through it
    assert token_similarity(ABJAD_MARK + "jma", "juma")[0] > 0
    assert token_similarity(ABJAD_MARK + "jmh", "juma")[0] == 0  # without the rule


def test_honorifics_in_arabic_script_are_left_out() -> None:
    parsed = parse_name("عبد التواب ملا حويش")[0]
    assert "mla" not in parsed.tokens
    assert "title 'ملا' left out" in parsed.notes
    assert "sid" not in parse_name("سید محمد عظیم")[0].tokens
    assert parse_name("مولوی محمد")[0].tokens == ("mhmd",)
    # an organisation's name keeps them
    assert "mla" in parse_name("ملا", "org")[0].tokens


def test_article_glued_as_es_et_ed() -> None:
    """French and Maghrebi spellings glue the assimilated article as es-, et-, ed- ... before
    the doubled sun letter (Essabar = as-Sabar); only before that letter."""
    assert _unglued("essabar") == ["sabar"]
    assert _unglued("ettayeb") == ["tayeb"]
    assert _unglued("ennahdi") == ["nahdi"]
    assert _unglued("essen") == []  # too short a rest
    assert _unglued("estrada") == []  # no doubled letter: not the article
    assert _unglued("edwards") == []


def test_abjad_letter_left_out_of_four_consonants() -> None:
    """One consonant (not the first) left out of an Arabic-script part, three left: the
    hand-set weaker value; four or more left keep the full one; two left, nothing."""
    from ctnode.match import weights

    assert token_similarity(ABJAD_MARK + "tkrii", "tikriti")[0] == pytest.approx(
        weights.ScoringModel().abjad_dropped_short)
    assert token_similarity(ABJAD_MARK + "blmkhar", "belmokhtar")[0] == pytest.approx(
        weights.ScoringModel().abjad_dropped)
    assert token_similarity(ABJAD_MARK + "dut", "dost")[0] == 0  # two consonants left
    assert token_similarity(ABJAD_MARK + "tkrii", "kikriti")[0] == 0  # first letter kept


def test_long_han_words_are_cut_into_name_words() -> None:
    """A Chinese transcription of a foreign name written without separators is cut into
    the words rigour's name dictionary holds; names of up to four characters are not."""
    assert han_name_words("阿米尔拉希米") == ("阿米尔", "拉希米")
    assert han_name_words("习近平") == ()
    found = readings("穆罕默德贾布里勒阿卜杜勒拉赫曼")
    assert [r.rule for r in found] == ["", "name words"]
    assert found[1].text == "穆罕默德 贾布里勒 阿卜杜勒 拉赫曼"


def test_a_name_that_may_read_the_han_tables_says_so() -> None:
    """``first_use_table`` (how a batch groups the queries that load the Han tables: ICU's
    Han rules, the Japanese reading, the Han name words) names them for every name in Han
    or kana, among them every name whose words may be cut, and for no other."""
    for name in ("阿米尔拉希米", "穆罕默德·贾布里勒阿卜杜勒拉赫曼", "Amir 阿米尔拉希米"):
        assert first_use_table(name) == HAN_TABLES
        assert any(han_name_words(w) for w in name.replace("·", " ").split()) or \
            "name words" in [r.rule for r in readings(name)]
    for name in ("习近平", "阿米尔 拉希米", "キムジョンウン", "やまだ", "ﾔﾏﾀﾞ", "Li 金"):
        assert first_use_table(name) == HAN_TABLES
        assert all(han_name_words(w) == () for w in name.split())
    for name in ("Amir Rahimi", "김정은", "Мухаммед", "محمد", ""):
        assert first_use_table(name) is None


@pytest.mark.parametrize(("query", "expected", "said"), [
    ("نجيب الله محمد جمعه", "juma", "jma"),
    ("عبد التواب ملا حويش", "huwaysh", "title 'ملا' left out"),
    ("زكريا الصبار", "essabar", "sbar"),
    ("عابد حامد محمود التكريي", "tikriti", "one letter left out: consonants 'tkr' of 'tkrt'"),
    ("阿米尔拉希米", "rahimi", "read as name words: 阿米尔 拉希米"),
    ("塔里克阿齐兹", "aziz", "read as name words"),
    ("ﺳﺎﻣﻲ ﺟﺎﺳم اﻟﺟﺑوري", "sami", "sami"),
])
def test_screened_and_explained(matcher: Matcher | NaiveMatcher, query: str, expected: str,
                                said: str) -> None:
    found_and_said(matcher, query, expected, said)


def test_fast_equals_naive_on_these_queries() -> None:
    same_as_naive(LIST, ("نجيب الله محمد جمعه", "عبد التواب ملا حويش", "زكريا الصبار",
                         "عابد حامد محمود التكريي", "阿米尔拉希米", "塔里克阿齐兹", "محمد عیسی",
                         "عادل حسن", "ﺳﺎﻣﻲ ﺟﺎﺳم"))


def test_korean_syllables_in_katakana() -> None:
    """ン closes n and ng alike; the initial r the South's spelling drops (イ for 리 Ri)."""
    from ctnode.match.transliterate import katakana_syllable_readings

    assert katakana_syllable_readings("kan") == ("kang",)
    assert katakana_syllable_readings("yon") == ("yong", "ryon", "ryong")
    assert katakana_syllable_readings("i") == ("ri",)
    assert katakana_syllable_readings("sumisu") == ()  # not one syllable
    assert katakana_syllable_readings("su") == ()
    m = Matcher(Thresholds())
    m.build([_e("kang", "Kang Chol Su"), _e("ri", "Ri Song Hyok"), _e("cho", "Cho Chun Ryong")])
    for query, expected, said in (("カン チョル ス", "kang", "read as 'kang'/'kang'"),
                                  ("イ ソン ヒョク", "ri", "read as 'song'/'song'"),
                                  ("チョー チョン ヨン", "cho", "read as 'ryong'/'ryong'")):
        hit = _top(m, query)
        assert hit is not None and hit.entity_id == expected, query
        assert hit.score >= Thresholds().report and said in _details(hit), _details(hit)
    naive = NaiveMatcher(Thresholds())
    naive.build([_e("kang", "Kang Chol Su"), _e("ri", "Ri Song Hyok"),
                 _e("cho", "Cho Chun Ryong")])
    for query in ("カン チョル ス", "イ ソン ヒョク", "チョー チョン ヨン", "イ"):
        q = ScreenQuery(names=[query], schema="Person")
        assert [(h.entity_id, h.score) for h in m.screen(q, include_below=True)] == [
            (h.entity_id, h.score) for h in naive.screen(q, include_below=True)]


def test_han_keys_are_the_dictionarys_han_keys() -> None:
    """The Han words read alone (symbols.read_han_keys, what HAN_WORDS works out and a
    screen reads on a long Han word) are exactly the dictionary's keys written in Han, two
    characters or more."""
    from ctnode.match import kept, symbols, transliterate

    whole = symbols.dictionary()
    if whole is None:
        pytest.skip("rigour's name dictionary cannot be read in this install")
    expected = frozenset(k for k in whole if len(k) >= 2 and all(
        "\u3400" <= c <= "\u4dbf" or "\u4e00" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"
        for c in k))
    assert len(expected) > 1000
    assert symbols.read_han_keys() == expected
    before = kept.kept_in()
    kept.keep_in(None)  # (worked out in this process, as without an index)
    transliterate._han_words.cache_clear()
    try:
        assert transliterate._han_words() == expected
    finally:
        kept.keep_in(before)
        transliterate._han_words.cache_clear()


@pytest.fixture
def kept_han_words(tmp_path: Path) -> Iterator[Path]:
    """The Han words kept in a fresh folder, as an index keeps them (match.kept); forgotten
    after."""
    from ctnode.match import kept, symbols, transliterate

    if not symbols.dictionary_available():
        pytest.skip("rigour's name dictionary cannot be read in this install")
    before = kept.kept_in()
    kept.keep_in(tmp_path)
    transliterate._han_words.cache_clear()
    try:
        yield tmp_path
    finally:
        kept.keep_in(before)
        transliterate._han_words.cache_clear()


def _fresh_han_words() -> frozenset[str]:
    """The Han words as the next process reads them (nothing read yet)."""
    from ctnode.match import transliterate

    transliterate._han_words.cache_clear()
    return transliterate._han_words()


def test_han_words_are_kept_beside_the_index_and_read_back(kept_han_words: Path) -> None:
    """A process works the Han words out from the dictionary once and keeps them in the
    index folder (a kept table, han-words.json); the next process reads that file (what it
    holds is what it answers): one JSON string, the words sorted and joined by spaces."""
    from ctnode.match import symbols
    from ctnode.match.transliterate import HAN_WORDS

    path = kept_han_words / HAN_WORDS.file
    assert path.name == "han-words.json" and not path.exists()
    assert _fresh_han_words() == symbols.read_han_keys()  # worked out, then written
    assert HAN_WORDS.load(kept_han_words) == " ".join(sorted(symbols.read_han_keys()))
    # the next process answers from the file as it is (not worked out again)
    HAN_WORDS.save(kept_han_words, "王小明 穆罕默德")
    assert _fresh_han_words() == {"王小明", "穆罕默德"}
    assert han_name_words("王小明穆罕默德") == ("王小明", "穆罕默德")
    assert HAN_WORDS.decode("") == frozenset()  # (no dictionary: no words, not one "")


def test_an_old_han_words_file_is_ignored(kept_han_words: Path) -> None:
    """A data folder from before the kept tables holds han-words.txt (a head line, then
    the keys one a line): it is neither read nor removed; the kept table is worked out and
    written beside it."""
    from ctnode.match import symbols
    from ctnode.match.transliterate import HAN_WORDS

    old = kept_han_words / "han-words.txt"
    old.write_bytes(b'{"han_keys": 1}\n' + "王小明\n穆罕默德".encode())
    assert _fresh_han_words() == symbols.read_han_keys()
    assert HAN_WORDS.load(kept_han_words) == " ".join(sorted(symbols.read_han_keys()))
    assert old.exists()


@pytest.mark.parametrize("spoil", ["one key changed", "cut short", "no head", "not UTF-8",
                                   "another rigour build", "another version",
                                   "another table", "not JSON, size and CRC right",
                                   "another shape, size and CRC right"])
def test_a_stale_or_spoilt_han_words_file_is_never_used(kept_han_words: Path,
                                                        spoil: str) -> None:
    """A kept file that is not whole, of another rigour build or code version, or not the
    words as one string, is read as missing: the words are worked out from the dictionary
    again and the file is written again, whole."""
    import json

    from ctnode.match import symbols
    from ctnode.match.transliterate import HAN_WORDS

    path = kept_han_words / HAN_WORDS.file
    HAN_WORDS.save(kept_han_words, "王小明 穆罕默德")
    head, _, body = path.read_bytes().partition(b"\n")
    stamp = json.loads(head)
    changed = {"another rigour build": {"source": stamp["source"] + 1},
               "another version": {"version": stamp["version"] + 1},
               "another table": {"table": "number-words"}}.get(spoil, {})
    restamped = json.dumps({**stamp, **changed}, sort_keys=True).encode() + b"\n" + body
    not_json, other_shape = b'"\xe7\x8e\x8b', b'["\xe7\x8e\x8b"]'
    spoilt = {
        "one key changed": head + b"\n" + body.replace("王".encode(), "李".encode()),
        "cut short": head + b"\n" + body[:-3],
        "no head": body,
        "not UTF-8": head + b"\n" + body[:-2],
        "not JSON, size and CRC right": HAN_WORDS.head(not_json) + not_json,
        "another shape, size and CRC right": HAN_WORDS.head(other_shape) + other_shape,
    }.get(spoil, restamped)
    path.write_bytes(spoilt)
    assert HAN_WORDS.load(kept_han_words) is None
    assert _fresh_han_words() == symbols.read_han_keys()
    assert HAN_WORDS.load(kept_han_words) == " ".join(sorted(symbols.read_han_keys()))


GREEK_LIST = [_e("abdallah", "Amiras Abdalla"), _e("hasan", "Hasan Gadafi"),
              _e("ambelas", "Ambelas Nikolaidis"), _e("other", "Omar Hassan Khalil")]


def test_greek_read_as_modern_greek_says_it() -> None:
    """μπ b, ντ d, γκ g, τζ j, ου u, γ before a front vowel y, χ h: the sound reading is an
    alternative beside rigour's letter-by-letter spelling; Latin and other scripts get none."""
    from ctnode.match.transliterate import greek_alternative

    assert greek_alternative("αμπντάλα") == "abdala"
    assert greek_alternative("χασάν") == "hasan"
    assert greek_alternative("Γιουσέφ") == "yusef"
    assert greek_alternative("Τζον") == "jon"
    assert greek_alternative("γκαντάφι") == "gadafi"
    assert greek_alternative("αμιράς") is None  # no digraph: as rigour spells it
    assert greek_alternative("abdalla") is None
    assert greek_alternative("Щукин") is None


@pytest.mark.parametrize("cls", [Matcher, NaiveMatcher])
def test_greek_sound_reading_screened_and_explained(cls: type[Matcher] | type[NaiveMatcher]
                                                    ) -> None:
    m = cls(Thresholds())
    m.build(GREEK_LIST)
    hit = _top(m, "αμιράς αμπντάλα")
    assert hit is not None and hit.entity_id == "abdallah"
    assert hit.score >= Thresholds().report
    assert "abdala" in _details(hit)
    hit = _top(m, "χασάν γκαντάφι")
    assert hit is not None and hit.entity_id == "hasan" and hit.score >= Thresholds().report


def test_greek_fast_equals_naive() -> None:
    """The sound readings through the index's plain-Python, numpy and mixed paths give the
    reference matcher's hits."""
    naive = NaiveMatcher(Thresholds())
    naive.build(GREEK_LIST)
    python, numpy, mixed = (Matcher(Thresholds(), max_candidates=10_000) for _ in range(3))
    python.small_postings = 10**9
    python.few_ranked = 10**9
    numpy.small_postings = numpy.few_found = numpy.few_ranked = 0
    mixed.small_postings = 0
    mixed.few_found = 10**9
    for fast in (python, numpy, mixed):
        fast.build(GREEK_LIST)
    for query in ("αμιράς αμπντάλα", "χασάν γκαντάφι", "αμπελας νικολαΐδης", "Ομάρ Χασάν",
                  "Abdala", "Hasan"):
        q = ScreenQuery(names=[query], schema="Person")
        want = [(h.entity_id, h.score, h.matched_name)
                for h in naive.screen(q, include_below=True)]
        assert want, query
        for fast in (python, numpy, mixed):
            got = [(h.entity_id, h.score, h.matched_name)
                   for h in fast.screen(q, include_below=True)]
            assert got == want, query
