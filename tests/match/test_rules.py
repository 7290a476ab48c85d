"""The name rules of issue 12, as case tables run on the indexed Matcher and the naive
reference: organisations (legal forms, numbers, acronyms, exact names), people (initials,
titles, repeated parts, patronymics, nicknames), scripts beyond Latin/Arabic/Cyrillic,
Cyrillic romanised by German/Polish/French habits, names cut at a field limit, and person
and organisation kept apart."""

from __future__ import annotations

import pytest

from ctnode.match import Matcher, NaiveMatcher, Thresholds
from ctnode.match.normalise import parse_name
from ctnode.match.similarity import token_similarity
from ctnode.match.transliterate import (
    LOANWORD_MARK,
    katakana_loanword_keys,
    loanword_keys,
    readings,
    western_alternatives,
)
from ctnode.model.entities import Entity
from ctnode.model.screening import Hit, ScreenQuery
from tests.match.test_script_recall import matchers_over

pytestmark = pytest.mark.usefixtures("hand_model")


def _e(eid: str, names: list[str], schema: str = "Person",
       aliases: tuple[str, ...] = ()) -> Entity:
    e = Entity(id=eid, schema=schema, dataset="t", reference=eid)
    for n in names:
        e.add("name", n)
    for a in aliases:
        e.add("alias", a)
    return e


LIST = [
    _e("qaida", ["AL-QAIDA"], "Organization"),
    _e("isil", ["Islamic State of Iraq and the Levant"], "Organization", ("ISIL",)),
    _e("gazprom", ["Gazprom Neft Open Joint Stock Company"], "Organization"),
    _e("sky", ["Seventh Sky Trading LLC"], "Organization"),
    _e("tools", ["Smith & Sons Machine Tools GmbH"], "Organization"),
    _e("kim", ["Kim Jong Un"]), _e("ri", ["Ri Pyong Chol"]), _e("xi", ["Xi Jinping"]),
    _e("yamada", ["Yamada Taro"]), _e("wang", ["Wang Wei"], aliases=("王伟",)),
    _e("rahimi", ["Mohammed Ali Rahimi"]),
    _e("gates", ["William Henry Gates"]),
    _e("khab", ["Timur Khabibullin"]), _e("chernov", ["Viktor Chernov"]),
    _e("shevchenko", ["Andriy Shevchenko"]), _e("usama", ["Usama Hamdan"]),
    _e("sidorov", ["Ivan Petrovich Sidorov"]),
    _e("long", ["Abdulrahman Mohammed Hassan Al-Mustafa Khalil"]),
    _e("georgios", ["Georgios Papandreou"]), _e("netanyahu", ["Benjamin Netanyahu"]),
    _e("hun", ["Hun Sen"]), _e("mohammad", ["Mohammad Rafiqul Islam"]),
    _e("abiy", ["Abiy Ahmed Ali"]), _e("sargsyan", ["Armen Sargsyan"]),
    _e("lasha", ["Lasha Talakhadze"]), _e("somchai", ["Somchai Wongsawat"]),
    _e("ttp", ["Tehrik-i-Taliban Pakistan"], "Organization"),
    *[_e(f"aq{i}", [f"Al-Qaida in the {place}"], "Organization")
      for i, place in enumerate(["Islamic Maghreb", "Arabian Peninsula", "Indian Subcontinent",
                                 "Iraq", "Sahel", "Levant", "Horn of Africa"])],
]


matcher = matchers_over(LIST)


def _top(m: Matcher | NaiveMatcher, q: ScreenQuery) -> Hit | None:
    hits = m.screen(q, limit=3)
    return hits[0] if hits else None


ORG = "Organization"
# (query, schema, field limit, expected top hit)
POSITIVES = [
    ("Al Qaida", ORG, None, "qaida"),  # exact organisation name of common parts: full score
    ("ISIL", ORG, None, "isil"),
    ("Islamic State of Iraq and Levant", ORG, None, "isil"),
    ("Gazprom Neft OAO", ORG, None, "gazprom"),  # legal form abbreviated (rigour org types)
    ("GAZPROM NEFT PAO", "LegalEntity", None, "gazprom"),
    ("7th Sky Trading Limited", ORG, None, "sky"),  # ordinal as digits, LLC/Limited
    ("Smith and Sons Machine Tools AG", ORG, None, "tools"),  # & / and, GmbH / AG
    ("김정은", "Person", None, "kim"),  # Hangul, McCune-Reischauer reading
    ("리평철", "Person", None, "ri"),
    ("习近平", "Person", None, "xi"), ("習近平", "Person", None, "xi"),  # simplified/traditional
    ("山田太郎", "Person", None, "yamada"),  # kanji: Japanese reading
    ("M. Rahimi", "Person", None, "rahimi"),  # initial
    ("Bill Gates", "Person", None, "gates"),  # nickname
    ("President Mohammed Ali Rahimi", "Person", None, "rahimi"),  # title
    ("Mohammed Mohammed Ali Rahimi", "Person", None, "rahimi"),  # repeated part
    ("Ivan Sidorov", "Person", None, "sidorov"),  # patronymic left out
    ("Timur Chabibullin", "Person", None, "khab"),  # German ch for х
    ("Wiktor Tschernow", "Person", None, "chernov"),  # German tsch, w, -ow
    ("Andrij Szewczenko", "Person", None, "shevchenko"),  # Polish sz, cz
    ("Oussama Hamdan", "Person", None, "usama"),  # French ou
    ("ABDULRAHMAN MOHAMMED HASSAN AL-MUST", "Person", 35, "long"),  # cut mid-word at 35
    ("Γεώργιος Παπανδρέου", "Person", None, "georgios"),  # Greek
    ("בנימין נתניהו", "Person", None, "netanyahu"),  # Hebrew, no vowels written
    ("ហ៊ុន សែន", "Person", None, "hun"),  # Khmer (anyascii)
    ("মোহাম্মদ রফিকুল ইসলাম", "Person", None, "mohammad"),  # Bengali (final a not said)
    ("አብይ አሕመድ አሊ", "Person", None, "abiy"),  # Amharic (Ethiopic)
    ("Արմեն Սարգսյան", "Person", None, "sargsyan"),  # Armenian
    ("ლაშა ტალახაძე", "Person", None, "lasha"),  # Georgian
    ("สมชาย วงศ์สวัสดิ์", "Person", None, "somchai"),  # Thai
    ("TTP", ORG, None, "ttp"),  # acronym of a listed name without that alias
]


@pytest.mark.parametrize(("name", "schema", "limit", "expected"), POSITIVES,
                         ids=[p[0] for p in POSITIVES])
def test_rule_positives(matcher: Matcher | NaiveMatcher, name: str, schema: str,
                        limit: int | None, expected: str) -> None:
    hit = _top(matcher, ScreenQuery(names=[name], schema=schema, truncated_at=limit))
    assert hit is not None, name
    assert hit.entity_id == expected
    assert hit.band in ("match", "possible")


NEGATIVES = [
    ("金正日", "Person"),  # same script, one character different: another person (Kim Jong Il)
    ("王位", "Person"),  # reads "wang wei" too, but other characters than 王伟
    ("ISIL", "Person"),  # a person's name against an organisation's acronym
    ("Isil Kaya", "Person"),
    ("Wang Wei Trading Limited", ORG),  # an organisation against a person: not near-exact
    ("Acme Open Joint Stock Company", ORG),  # a legal form alone does not make a hit
]


@pytest.mark.parametrize(("name", "schema"), NEGATIVES, ids=[n[0] for n in NEGATIVES])
def test_rule_negatives(matcher: Matcher | NaiveMatcher, name: str, schema: str) -> None:
    assert matcher.screen(ScreenQuery(names=[name], schema=schema)) == []


def test_exact_organisation_name_is_a_match(matcher: Matcher | NaiveMatcher) -> None:
    """"qaida" is common on this list (eight names), so a person's name made of it would be
    scaled down; an organisation's name written exactly as listed is not."""
    hit = _top(matcher, ScreenQuery(names=["AL-QAIDA"], schema=ORG))
    assert hit is not None and hit.entity_id == "qaida"
    assert hit.score == 1.0 and hit.band == "match"
    assert "organisation's name as listed" in hit.explanation[0].detail
    person = matcher.screen(ScreenQuery(names=["Qaida"], schema="Person"), limit=1,
                            include_below=True)
    assert not person or person[0].score < 1.0


def test_truncation_needs_the_field_limit(matcher: Matcher | NaiveMatcher) -> None:
    cut = "ABDULRAHMAN MOHAMMED HASSAN AL-MUST"
    with_limit = _top(matcher, ScreenQuery(names=[cut], truncated_at=35))
    without = matcher.screen(ScreenQuery(names=[cut]), limit=3, include_below=True)
    assert with_limit is not None
    assert not without or without[0].score < with_limit.score
    assert "field limit" in with_limit.explanation[0].detail


def test_explanations_name_the_rules(matcher: Matcher | NaiveMatcher) -> None:
    cases = [("M. Rahimi", "Person", "initial"), ("Bill Gates", "Person", "nickname"),
             ("TTP", ORG, "acronym"), ("김정은", "Person", "korean"),
             ("President Mohammed Ali Rahimi", "Person", "title 'President' left out"),
             ("7th Sky Trading Limited", ORG, "organisation")]
    for name, schema, word in cases:
        hit = _top(matcher, ScreenQuery(names=[name], schema=schema))
        assert hit is not None, name
        text = " ".join(f.detail for f in hit.explanation)
        assert word in text, (name, text)


def test_person_query_against_organisation_needs_near_exact_name() -> None:
    for cls in (Matcher, NaiveMatcher):
        m = cls(Thresholds())
        m.build([_e("org", ["Kaveh Cutting Tools"], ORG),
                 _e("person", ["Salim Rahimi"])])
        # an exact name still counts (and the schema mismatch is explained) ...
        hit = _top(m, ScreenQuery(names=["Kaveh Cutting Tools"], schema="Person"))
        assert hit is not None and hit.entity_id == "org"
        assert any(f.feature == "schema" for f in hit.explanation)
        hit = _top(m, ScreenQuery(names=["Salim Rahimi"], schema=ORG))
        assert hit is not None and hit.entity_id == "person"
        # ... a near name does not
        hits = m.screen(ScreenQuery(names=["Kaveh Cutting"], schema="Person"),
                        include_below=True)
        assert "org" not in {h.entity_id for h in hits}
        hits = m.screen(ScreenQuery(names=["Salim Rahimi Holdings"], schema=ORG),
                        include_below=True)
        assert "person" not in {h.entity_id for h in hits}


def test_readings_and_alternatives() -> None:
    assert [r.text for r in readings("김정은")] == ["김 정 은"]
    assert readings("習近平")[0].script_key == readings("习近平")[0].script_key
    assert "yamada taro" in [r.text for r in readings("山田太郎")]
    assert "chernov" in western_alternatives("tschernow")
    assert "shevchenko" in western_alternatives("szewczenko")
    assert "ussama" in western_alternatives("oussama")
    assert western_alternatives("william") == []  # an English name without the marks
    assert western_alternatives("rachman") == ["rakhman", "rahman"]  # German ch for х, kh h
    parsed = parse_name("Gazprom Neft Open Joint Stock Company", "org")[0]
    assert parsed.tokens == ("gazprom", "neft", "jsc") and parsed.roles[-1] == "form"
    assert "isil" in parse_name("Islamic State of Iraq and the Levant", "org")[0].acronyms
    behineh = parse_name("Behineh Trading Co.", "org")[0]
    assert behineh.tokens == ("behineh", "trade", "co") and "btc" in behineh.acronyms
    assert parse_name("Twenty-Seventh Brigade", "org")[0].tokens == ("27", "brigade")


def test_acronyms_of_the_name_as_written() -> None:
    """An acronym is also read off the words as written, before legal forms, numbers and
    class words are normalised (the initials a writer uses)."""
    def every(name: str, kind: str = "org") -> tuple[str, ...]:
        p = parse_name(name, kind)[0]  # type: ignore[arg-type]
        return p.acronyms + p.written_acronyms

    kingly = parse_name("KINGLY WON INTERNATIONAL CO., LTD", "org")[0]
    assert kingly.tokens == ("kingly", "won", "intl", "llc")
    # kept apart from the normalised parts' acronyms (kwil): a listed name's only
    assert kingly.written_acronyms == ("kwicl",) and "kwicl" not in kingly.acronyms
    assert "fojcl" in every("FIRST OIL JV CO LTD")  # FIRST, not 1
    # a hyphenated word is one word when cut at spaces, two when cut at every mark
    acr = every("Tehrik-i-Taliban Pakistan")
    assert "tp" in acr and "ttp" in acr
    assert "feebp" in every("FIRST EAST EXPORT BANK, P.L.C.")
    # joining words are not initials; one word has no acronym; people have none
    assert "snsd" not in every("Sons and Daughters Ltd")
    assert every("AL-QAIDA") == ()
    assert every("Kingly Won", "person") == ()


@pytest.mark.parametrize("cls", [Matcher, NaiveMatcher])
def test_written_acronym_finds_the_listed_name(cls: type[Matcher] | type[NaiveMatcher]) -> None:
    m = cls(Thresholds())
    m.build([_e("kw", ["KINGLY WON INTERNATIONAL CO., LTD"], "Organization"),
             _e("kx", ["KINGLY WEST INTERNATIONAL"], "Organization")])
    hits = m.screen(ScreenQuery(names=["KWICL"], schema="Organization"))
    assert [h.entity_id for h in hits] == ["kw"]
    assert "acronym 'kwicl' of the listed name" in hits[0].why()


@pytest.mark.parametrize("cls", [Matcher, NaiveMatcher])
def test_written_acronym_is_the_listed_side_only(cls: type[Matcher] | type[NaiveMatcher]) -> None:
    """A query's full name whose initials *as written* equal a listed one-part name is not
    that name; a query that is a listed name's initials as written is (the acronym rule is
    one-sided for those, two-sided for the normalised parts' acronyms)."""
    # normalised haramain marine shipping llc: hmsl; written amsl
    full = "AL-HARAMAIN AN MARINE SHIPPING LLC"
    parsed = parse_name(full, "org")[0]
    assert "amsl" in parsed.written_acronyms and "amsl" not in parsed.acronyms
    m = cls(Thresholds())
    m.build([_e("amsl", ["AMSL"], "Organization"), _e("hmsl", ["HMSL"], "Organization")])
    hits = m.screen(ScreenQuery(names=[full], schema="Organization"))
    assert [h.entity_id for h in hits] == ["hmsl"]
    assert "acronym 'hmsl' of the query name" in hits[0].why()
    m = cls(Thresholds())
    m.build([_e("full", [full], "Organization")])
    hits = m.screen(ScreenQuery(names=["AMSL"], schema="Organization"))
    assert [h.entity_id for h in hits] == ["full"]
    assert "acronym 'amsl' of the listed name" in hits[0].why()


@pytest.mark.parametrize("cls", [Matcher, NaiveMatcher])
def test_a_short_listed_name_is_not_reached_by_a_querys_initials(
        cls: type[Matcher] | type[NaiveMatcher]) -> None:
    """A listed one-part name of three letters is not a query name's acronym (a query's
    initials meet one of 26³ strings by chance: SECOND SAMMA SHIPPING LLC is not the listed
    SSL); four letters are; a three-letter query still finds the listed name it abbreviates."""
    m = cls(Thresholds())
    m.build([_e("ssl", ["SSL"], "Organization"), _e("kssl", ["KSSL"], "Organization"),
             _e("full", ["SAMMA SHIPPING LLC"], "Organization")])
    assert "ssl" in parse_name("SECOND SAMMA SHIPPING LLC", "org")[0].acronyms
    hits = m.screen(ScreenQuery(names=["SECOND SAMMA SHIPPING LLC"], schema="Organization"))
    assert "ssl" not in [h.entity_id for h in hits]
    hits = m.screen(ScreenQuery(names=["KOREA SAMMA SHIPPING LLC"], schema="Organization"))
    assert "kssl" in [h.entity_id for h in hits]
    assert "acronym 'kssl' of the query name" in next(
        h for h in hits if h.entity_id == "kssl").why()
    hits = m.screen(ScreenQuery(names=["SSL"], schema="Organization"))
    assert {"ssl", "full"} <= {h.entity_id for h in hits}


ORG_LIST = [
    _e("udg", ["UNION DEVELOPMENT GROUP CO., LTD."], "Organization"),
    _e("ub", ["UNION BANK"], "Organization"),
    _e("dgi", ["DEVELOPMENT GROUP INTERNATIONAL"], "Organization"),
    _e("utg", ["UNION TRADING GROUP"], "Organization"),
    _e("ndu", ["NATIONAL DEVELOPMENT UNION"], "Organization"),
    _e("gudh", ["GROUP UNION DEVELOPMENT HOLDING"], "Organization"),
]


@pytest.mark.parametrize("cls", [Matcher, NaiveMatcher], ids=lambda c: c.__name__)
def test_organisation_as_listed_with_a_legal_form_on_one_side(cls: type[Matcher]) -> None:
    """Every part of this name is a common class word on this list; written as listed, with
    or without its legal form, it is still this organisation (it scored 0.20 before). A
    leftover class word is another name, and a comma in an organisation's name is not a
    person's SURNAME, Given inversion."""
    m = cls(Thresholds())
    m.build(ORG_LIST)
    for query in ("UNION DEVELOPMENT GROUP", "UNION DEVELOPMENT GROUP LTD",
                  "Union Development Group Limited"):
        hit = _top(m, ScreenQuery(names=[query], schema=ORG))
        assert hit is not None and hit.entity_id == "udg", query
        assert hit.score >= Thresholds().report
        assert "organisation's name as listed" in hit.explanation[0].detail
    short = m.screen(ScreenQuery(names=["UNION DEVELOPMENT"], schema=ORG))
    assert all(h.entity_id != "udg" for h in short)  # a class word missing: not as listed
    parsed = parse_name("UNION DEVELOPMENT GROUP CO., LTD.", "org")[0]
    assert parsed.tokens[0] == "union" and parsed.roles[-1] == "form"


def test_a_word_in_kana_alone_is_one_part() -> None:
    """A foreign name in katakana is one part per word, read letter by letter (the
    dictionary reader cut ティルマンズ into two words and read ヘ as the particle "e")."""
    assert parse_name("ティルマンズ ミラー")[0].tokens == ("tirumanzu", "mira")
    assert parse_name("ソヘ ボールター")[0].tokens == ("sohe", "boruta")
    assert parse_name("たねまさ ただい")[0].tokens == ("tanemasa", "tadai")
    assert "yamada taro" in [r.text for r in readings("山田太郎")]  # kanji: the dictionary


@pytest.mark.parametrize("cls", [Matcher, NaiveMatcher], ids=lambda c: c.__name__)
def test_katakana_query_finds_the_latin_record(cls: type[Matcher]) -> None:
    m = cls(Thresholds())
    m.build([_e("b", ["Selim Bayraktar"]), _e("y", ["Kemal Yilmaz"])])
    hit = _top(m, ScreenQuery(names=["セリム バイラクタル"], schema="Person"))
    assert hit is not None and hit.entity_id == "b" and hit.score >= Thresholds().report


# (katakana, Latin): foreign names as Japanese writes them — epenthetic vowels, ー for an
# English r after a vowel, ル for l or r, ヴ/ワ/バ for v and w, ス for th, クス for x
KATAKANA_NAMES = [
    ("ヴィクトル スミス", "Victor Smith"),
    ("アレクサンダー ウィルソン", "Alexander Wilson"),
    ("チャールズ ダーウィン", "Charles Darwin"),
    ("イワン ペトロフ", "Ivan Petrov"),
]


def test_loanword_keys_undo_the_katakana_conventions() -> None:
    assert katakana_loanword_keys("sumisu") == (LOANWORD_MARK + "sms",)
    assert "sms" in loanword_keys("smith") and "smt" in loanword_keys("smith")
    assert set(katakana_loanword_keys("bikutoru")) == {LOANWORD_MARK + "bktr",
                                                       LOANWORD_MARK + "bkt"}
    assert "bkt" in loanword_keys("victor")  # r after a vowel: a long vowel in katakana
    assert loanword_keys("ali") == frozenset()  # too short to compare
    # the rule joins a marked key only with a Latin part that has it
    assert token_similarity(LOANWORD_MARK + "sms", "smith")[0] > 0
    assert token_similarity(LOANWORD_MARK + "sms", "simmons")[0] == 0
    assert token_similarity(LOANWORD_MARK + "sms", LOANWORD_MARK + "smt")[0] == 0


@pytest.mark.parametrize("cls", [Matcher, NaiveMatcher], ids=lambda c: c.__name__)
@pytest.mark.parametrize(("katakana", "latin"), KATAKANA_NAMES)
def test_katakana_rendering_of_a_foreign_name(cls: type[Matcher], katakana: str,
                                              latin: str) -> None:
    """A foreign name in katakana finds its Latin record, and a Latin query the record
    written in katakana; the explanation names the loanword key. Other names with parts
    of the same first letters are not found."""
    others = [_e("o1", ["Viktor Smirnov"]), _e("o2", ["Alexei Walton"]),
              _e("o3", ["Charlotte Darling"]), _e("o4", ["Ivo Petrovic"])]
    m = cls(Thresholds())
    m.build([_e("lat", [latin]), *others])
    hit = _top(m, ScreenQuery(names=[katakana], schema="Person"))
    assert hit is not None and hit.entity_id == "lat" and hit.score >= Thresholds().report
    assert any("loanword key" in f.detail for f in hit.explanation), hit.explanation
    assert len(m.screen(ScreenQuery(names=[katakana], schema="Person"))) == 1
    reverse = cls(Thresholds())
    reverse.build([_e("kana", [katakana]), *others])
    hit = _top(reverse, ScreenQuery(names=[latin], schema="Person"))
    assert hit is not None and hit.entity_id == "kana" and hit.score >= Thresholds().report


@pytest.mark.parametrize("cls", [Matcher, NaiveMatcher], ids=lambda c: c.__name__)
def test_east_asian_names_differing_in_one_syllable_are_other_people(
        cls: type[Matcher]) -> None:
    """Son is a Korean surname and a given-name syllable, a connector only in "son of";
    two syllables written as one match only when spelt alike (their consonant skeleton
    also joins other syllables: cho u / choe, ko kyong / chang)."""
    m = cls(Thresholds())
    m.build([_e("gi", ["Kim Myong Gi"]), _e("chun", ["Choe Chun Yong"]),
             _e("chang", ["Chang Chang Ha"]), _e("jongun", ["Kim Jongun"])])
    for query in ("Kim Myong Son", "Cho U Yong", "Ko Kyong Ha"):
        assert m.screen(ScreenQuery(names=[query], schema="Person")) == [], query
    assert parse_name("Kim Myong Son")[0].tokens == ("kim", "myong", "son")
    assert parse_name("Ahmed son of Ali")[0].tokens == ("ahmed", "ali")
    hit = _top(m, ScreenQuery(names=["Kim Jong Un"], schema="Person"))
    assert hit is not None and hit.entity_id == "jongun"  # spelt alike: still one name


@pytest.mark.parametrize("cls", [Matcher, NaiveMatcher], ids=lambda c: c.__name__)
def test_a_short_han_word_may_be_a_japanese_name_part(cls: type[Matcher]) -> None:
    """A name mixing a Japanese given name with a Chinese transcription of a foreign
    surname is read whole as Chinese (翔太 → xiangtai); each short Han word also gets its
    Japanese reading as an alternative (翔太 → shota), so the Latin record is found, while
    a Chinese name read the Chinese way is not turned into another person."""
    m = cls(Thresholds())
    m.build([_e("s", ["Shota Marhinde"]), _e("w", ["Wang Wei"]), _e("k", ["Xiang Tai"])])
    hit = _top(m, ScreenQuery(names=["翔太 马新德"], schema="Person"))
    assert hit is not None and hit.entity_id == "s" and hit.score >= Thresholds().report
    wang = _top(m, ScreenQuery(names=["王伟"], schema="Person"))
    assert wang is not None and wang.entity_id == "w"


def test_abjad_rule_compares_consonants_and_written_long_vowels() -> None:
    """Arabic script writes consonants and long vowels: a Latin spelling with the same
    consonants whose vowels agree where the script writes one is the same name; a long
    vowel of another class (yeh against a) is another name."""
    from ctnode.match.similarity import abjad_similarity
    from ctnode.match.transliterate import ABJAD_MARK, abjad_keys

    def keys(name: str) -> tuple[str, ...]:
        return tuple(a for a in parse_name(name)[0].alts.get(0, ()) if a[:1] == ABJAD_MARK)

    assert keys("محمد") == (ABJAD_MARK + "mhmd",)
    assert token_similarity(ABJAD_MARK + "mhmd", "mohammad")[0] == pytest.approx(0.80)
    assert abjad_similarity("mohammed", ABJAD_MARK + "mhmd")[0] > 0  # symmetric
    assert token_similarity(ABJAD_MARK + "drukdl", "droukdel")[0] > 0  # alef left out
    assert token_similarity(ABJAD_MARK + "hsin", "hussein")[0] > 0  # حسين
    assert token_similarity(ABJAD_MARK + "hsin", "hassan")[0] == 0  # yeh is not a
    assert token_similarity(ABJAD_MARK + "jan", "jun")[0] == 0  # alef is not u
    assert token_similarity(ABJAD_MARK + "mhmud", "mahmood")[0] > 0  # محمود
    assert token_similarity(ABJAD_MARK + "mhmud", "mohammad")[0] == 0  # waw is not a
    assert token_similarity(ABJAD_MARK + "mhmd", ABJAD_MARK + "mhmd")[0] == 0  # marked pair
    # a name glued to Allah: -ullah (its alef is not said), the key holds llah
    assert parse_name("خيرالله")[0].tokens == ("khirullah",)
    assert abjad_keys(("khirullah", "allah")) == (ABJAD_MARK + "khirllah", ABJAD_MARK + "llah")
