"""The issue-12 case kinds, the held-out split, payment parties (seeded, deterministic).

**Split.** Every entity (UN reference, OFAC ent_num) and every line of the rigour name-part
corpus is assigned once, by a hash of its key, to the *fit* part (70%) or the *held-out*
part (30%): :func:`held_out`. The training set (``bench/matching/training.py``) is built
from the fit part only; the figures compared with the targets are those of the held-out
part; the fit part's figures are reported beside them ("own" vs "held-out").

**Kinds added to the UN variants** (``un_variant_cases`` in cases.py keeps its kinds):

* organisations: ``org_legal`` (a legal form changed, abbreviated or added: LIMITED → LTD,
  LLC, S.A., GmbH ...), ``org_and`` (``&`` ↔ ``and``), ``acronym`` (the initials of a
  listed name of 3+ parts, when no other listed name has them), ``org_exact`` (the listed
  name itself, as written: common parts must not pull it down);
* people: ``initials`` (the first part as an initial), ``extra_part`` (a middle name or
  patronymic added), ``title`` (President, General, Sheikh, Mullah ... before the name),
  ``repeated`` (a part written twice), ``swapped`` (two neighbouring letters swapped);
* scripts: ``other_script`` (each part replaced by its form in Han, Hangul, kana, Greek,
  Hebrew, Georgian, Armenian ... from the rigour corpus when every part has one),
  ``cyrillic_de`` / ``cyrillic_fr`` / ``cyrillic_pl`` (written in Russian Cyrillic, then
  romanised by German, French or Polish habits), ``arabic_dropped`` (an original-script
  Arabic name with one letter left out);
* ``truncated``: a name of 36+ characters cut at 35 (SWIFT/ISO 20022 party field), often
  mid-word, screened with ``truncated_at=35``.

Negatives added: ``neg_org`` (parts of different listed organisations with a legal form),
``neg_east_asian`` (Korean-style names recombined from syllables of listed DPRK names),
``neg_person_acronym`` (a person whose first name is an organisation's short alias).
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from ctnode.model.entities import Entity

Case = dict[str, Any]
HELD_OUT_SHARE = 3  # of 10


def held_out(key: str) -> bool:
    """Whether an entity (or corpus line) belongs to the held-out part (30%, by hash)."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % 10 < HELD_OUT_SHARE


_LATIN = re.compile(r"^[A-Za-z][A-Za-z .'\-,&]*$")
_TOKEN = re.compile(r"[A-Za-z]+")
LEGAL_FORMS = {
    "limited": ["LTD", "LIMITED", "LLC", "L.L.C.", "CO. LTD", "COMPANY LIMITED"],
    "company": ["CO", "COMPANY", "CORP", "CORPORATION"],
    "jsc": ["JSC", "OJSC", "OAO", "PJSC", "S.A.", "AG", "JOINT STOCK COMPANY"],
    "llc": ["LLC", "LTD", "LIMITED LIABILITY COMPANY", "GMBH", "SP. Z O.O.", "OOO", "SARL"],
}
# longest first, then alphabetical: a set's order depends on the process's hash seed
_ALL_FORMS = sorted({f for v in LEGAL_FORMS.values() for f in v}, key=lambda f: (-len(f), f))
TITLES = ["President", "General", "Dr.", "Sheikh", "Mullah", "Haji", "Colonel", "Mr.",
          "Commander", "Maulavi"]
EXTRA_PARTS = ["Mohammed", "Ahmed", "Ali", "Abdullah", "Hassan", "Ibrahim", "Yusuf", "Omar"]
FIELD_LIMIT = 35

# Russian Cyrillic → German, French, Polish romanisation habits (Duden/DIN, French usage,
# Polish usage), letter by letter; other letters as in English.
_ROMANISE: dict[str, dict[str, str]] = {
    "de": {"ш": "sch", "ч": "tsch", "щ": "schtsch", "ж": "sch", "х": "ch", "в": "w", "ц": "z",
           "й": "j", "я": "ja", "ю": "ju", "ё": "jo", "е": "e", "у": "u", "ы": "y", "з": "s",
           "с": "s", "к": "k", "г": "g", "дж": "dsch"},
    "fr": {"ш": "ch", "ч": "tch", "щ": "chtch", "ж": "j", "х": "kh", "в": "v", "ц": "ts",
           "й": "ï", "я": "ia", "ю": "iou", "ё": "io", "е": "e", "у": "ou", "ы": "y", "з": "z",
           "с": "ss", "к": "k", "г": "g", "дж": "dj"},
    "pl": {"ш": "sz", "ч": "cz", "щ": "szcz", "ж": "ż", "х": "ch", "в": "w", "ц": "c",
           "й": "j", "я": "ja", "ю": "ju", "ё": "jo", "е": "e", "у": "u", "ы": "y", "з": "z",
           "с": "s", "к": "k", "г": "g", "дж": "dż"},
}
_BASIC = dict(zip("абдилмнопрстф", "abdilmnoprstf", strict=True))


def romanise(cyrillic: str, habit: str) -> str:
    table = _ROMANISE[habit]
    out = []
    text = cyrillic.lower()
    i = 0
    while i < len(text):
        two = text[i:i + 2]
        if two in table:
            out.append(table[two])
            i += 2
            continue
        ch = text[i]
        out.append(table.get(ch, _BASIC.get(ch, ch)))
        i += 1
    return " ".join(w.capitalize() for w in "".join(out).split())


def load_script_forms(path: Path, most_specific: bool = True) -> dict[str, dict[str, list[str]]]:
    """Latin name part → script → its forms in that script (rigour corpus lines).

    A corpus line is one Wikidata name with its spellings, and a Latin part is often among
    the romanisations of other names too (``kim`` is a reading of the Chinese given name
    Jian, whose line also holds ``ジャン``, ``兼``, ``겸``). With ``most_specific`` (the
    default since 2026-12-06, recall98) each part and script take the forms of the line
    with the *fewest* Latin forms that holds the part and that script (the line of the name
    itself, not of a name that merely romanises the same way; ties: the first line).
    ``most_specific=False`` is the earlier generator (the *first* line that holds the part),
    kept so that figures on the two case sets can be compared.
    """
    table: dict[str, dict[str, list[str]]] = defaultdict(dict)
    width: dict[tuple[str, str], int] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            forms = [f.strip() for f in line.split("=>")[0].split(",") if f.strip()]
            latin = [f for f in forms if re.fullmatch(r"[a-z]{2,}", f)]
            if not latin:
                continue
            by_script: dict[str, list[str]] = defaultdict(list)
            for f in forms:
                script = _script(f)
                if script and " " not in f:
                    by_script[script].append(f)
            n_latin = sum(1 for f in forms if _latin_form(f))
            for lat in latin:
                for script, fs in by_script.items():
                    if not most_specific:
                        table[lat].setdefault(script, fs)
                    elif n_latin < width.get((lat, script), 1 << 30):
                        width[(lat, script)] = n_latin
                        table[lat][script] = fs
    return table


def _latin_form(text: str) -> bool:
    first = next((ch for ch in text if ch.isalpha()), "")
    return unicodedata.name(first, "").startswith("LATIN")


def _script(text: str) -> str | None:
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        for script in ("CJK", "HANGUL", "KATAKANA", "HIRAGANA", "GREEK", "HEBREW", "GEORGIAN",
                       "ARMENIAN", "THAI", "BENGALI", "DEVANAGARI", "ETHIOPIC"):
            if name.startswith(script):
                return script
        return None
    return None


def _legal_swap(rng: random.Random, name: str) -> str:
    upper = name.upper()
    for form in _ALL_FORMS:
        if re.search(rf"(?<![A-Z]){re.escape(form)}(?![A-Z])", upper):
            group = next(g for g in LEGAL_FORMS.values() if form in g)
            other = rng.choice([f for f in group if f != form] or group)
            return re.sub(rf"(?<![A-Za-z]){re.escape(form)}(?![A-Za-z])", other, name,
                          count=1, flags=re.IGNORECASE)
    return f"{name} {rng.choice(['LLC', 'LTD', 'S.A.', 'GMBH', 'JSC', 'CO. LTD'])}"


def _acronym(name: str) -> str:
    words = [w for w in re.split(r"[\s\-]+", name) if w and w[0].isalpha()]
    words = [w for w in words if w.lower() not in {"of", "and", "the", "in", "for", "al",
                                                   "el", "de", "a", "an", "on"}]
    return "".join(w[0].upper() for w in words) if len(words) >= 3 else ""


def _cut(name: str) -> str:
    return name[:FIELD_LIMIT].rstrip()


def extra_cases(entities: list[Entity], script_forms: dict[str, dict[str, list[str]]],
                seed: int = 12) -> list[Case]:
    """The issue-12 kinds for every entity (each case tagged with ``held_out``)."""
    from bench.matching.cases import (  # the original generator's helpers
        _latin_names,
        _query_details,
        _typo,
        to_cyrillic,
    )

    rng = random.Random(seed)
    cases: list[Case] = []
    acronyms: dict[str, int] = defaultdict(int)
    listed_tokens: set[str] = set()
    for e in entities:
        for n in e.get("name") + e.get("alias"):
            acronyms[_acronym(n)] += 1
            if len(_TOKEN.findall(n)) == 1:
                acronyms[n.upper()] += 1
            listed_tokens |= {t.lower() for t in _TOKEN.findall(n)}

    def add(kind: str, e: Entity, names: list[str], **extra: Any) -> None:
        case = {"kind": kind, "names": names, "expected": e.id, "schema": e.schema,
                "held_out": held_out(e.reference or e.id), "truncated_at": None}
        case.update(_query_details(rng, e))
        case.update(extra)
        cases.append(case)

    for e in entities:
        latin = _latin_names(e)
        primary = e.first("name") or ""
        if not _LATIN.match(primary):
            primary = latin[0] if latin else ""
        if not primary:
            continue
        tokens = primary.split()
        if e.schema != "Person":
            add("org_exact", e, [primary])
            add("org_legal", e, [_legal_swap(rng, primary)])
            if " AND " in primary.upper() or "&" in primary:
                swapped = re.sub(r"\s+and\s+", " & ", primary, flags=re.IGNORECASE) \
                    if "&" not in primary else primary.replace("&", "and")
                add("org_and", e, [swapped])
            acr = _acronym(primary)
            if acr and acronyms[acr] == 1 and len(acr) >= 3:
                add("acronym", e, [acr])
            if len(primary) > FIELD_LIMIT:
                add("truncated", e, [_cut(primary.upper())], truncated_at=FIELD_LIMIT)
            continue
        if len(tokens) >= 3:
            add("initials", e, [" ".join([f"{tokens[0][0]}.", *tokens[1:]])])
        if len(tokens) >= 2:
            pos = rng.randrange(1, len(tokens))
            add("extra_part", e, [" ".join([*tokens[:pos], rng.choice(EXTRA_PARTS),
                                            *tokens[pos:]])])
            add("title", e, [f"{rng.choice(TITLES)} {primary}"])
            i = rng.randrange(len(tokens))
            add("repeated", e, [" ".join([*tokens[:i + 1], tokens[i], *tokens[i + 1:]])])
        long_parts = [i for i, t in enumerate(tokens) if len(t) >= 5]
        if long_parts:
            i = rng.choice(long_parts)
            t = tokens[i]
            j = rng.randrange(1, len(t) - 2)
            swapped_t = t[:j] + t[j + 1] + t[j] + t[j + 2:]
            if swapped_t != t:
                add("swapped", e, [" ".join([*tokens[:i], swapped_t, *tokens[i + 1:]])])
        if rng.random() < 0.5:
            habit = rng.choice(["de", "fr", "pl"])
            add(f"cyrillic_{habit}", e, [romanise(to_cyrillic(primary), habit)])
        scripts: dict[str, list[str]] = defaultdict(list)
        for t in tokens:
            for script, forms in script_forms.get(t.lower(), {}).items():
                scripts[script].append(forms[0])
        complete = [s for s, fs in scripts.items() if len(fs) == len(tokens)]
        if complete and len(tokens) >= 2:
            script = rng.choice(sorted(complete))
            sep = "" if script in ("CJK", "HANGUL") and rng.random() < 0.5 else " "
            add("other_script", e, [sep.join(scripts[script])], script=script)
        for n in e.get("name") + e.get("alias"):
            if re.search(r"[\u0600-\u06FF]", n) and rng.random() < 0.5:
                words = n.split()
                k = max(range(len(words)), key=lambda i: len(words[i]))
                w = words[k]
                if len(w) >= 4:
                    d = rng.randrange(1, len(w) - 1)
                    words[k] = w[:d] + w[d + 1:]
                    add("arabic_dropped", e, [" ".join(words)])
                break
        full = " ".join(tokens).upper()
        if len(full) > FIELD_LIMIT:
            add("truncated", e, [_cut(full)], truncated_at=FIELD_LIMIT)
        if len(tokens) >= 2 and rng.random() < 0.3:
            i = rng.randrange(len(tokens))
            if len(tokens[i]) >= 5:
                typo = list(tokens)
                typo[i] = _typo(rng, tokens[i])
                add("typo2", e, [" ".join(typo)])
    return cases


def extra_negatives(entities: list[Entity], n_each: int = 400, seed: int = 13,
                    variants: dict[str, list[str]] | None = None) -> list[Case]:
    """Organisation recombinations, Korean-style recombined names, and persons whose first
    name is an organisation's short alias; checked not to be (nearly) a listed name, with
    the spellings of ``variants`` and titles left out when it is given
    (``cases.near_test``; ``None``: the letters-only test of before fp12b). A negative the
    spelling-aware test alone refuses draws what a kept one draws and counts as made, so
    that the others are those of the letters-only test."""
    from bench.matching.cases import _near_listed, near_test

    rng = random.Random(seed)
    listed: list[frozenset[str]] = []
    index: dict[str, list[frozenset[str]]] = defaultdict(list)
    for e in entities:
        for n in e.get("name") + e.get("alias") + e.get("weakAlias"):
            toks = frozenset(t.lower() for t in _TOKEN.findall(n))
            listed.append(toks)
            for t in toks:
                index[t[:2]].append(toks)

    generic = {"the", "al", "co", "ltd", "llc", "company", "sa", "trading", "bank",
               "shipping", "group", "corporation", "general", "international", "for", "of",
               "and", "in", "korea", "islamic"}

    near_name = near_test(variants, index)

    def fresh(parts: list[str]) -> bool:
        token_set = frozenset(t.lower() for t in _TOKEN.findall(" ".join(parts)))
        near = [x for t in token_set for x in index.get(t[:2], [])]
        if not token_set or _near_listed(token_set, near) or any(
                x <= token_set for x in near if x):
            return False
        # not mostly one listed name's distinctive parts (Daesong Bank is Korea Daesong Bank)
        own = token_set - generic
        return not any(len(own & x) >= max(1, len(own) - 0) and len(own) <= len(x)
                       for x in near if x)

    def spelt(parts: list[str], person: bool = True) -> bool:  # a listed name in other
        # spellings, or with a title (a person's)
        return near_name(frozenset(t.lower() for t in _TOKEN.findall(" ".join(parts))), person)

    out: list[Case] = []

    refused: list[Case] = []  # counted as made, so that the later kinds stay put

    def neg(kind: str, names: list[str], schema: str, refuse: bool = False) -> None:
        (refused if refuse else out).append({"kind": kind, "names": names, "expected": None, "schema": schema,
                    "birth_dates": [], "nationalities": [], "truncated_at": None,
                    "held_out": held_out(" ".join(names))})

    orgs = [e.first("name") or "" for e in entities if e.schema != "Person"]
    orgs = [o for o in orgs if _LATIN.match(o) and len(o.split()) >= 2]
    tries = 0
    while sum(1 for c in out + refused if c["kind"] == "neg_org") < n_each and tries < 50_000:
        tries += 1
        a, b = rng.sample(orgs, 2)
        parts = [a.split()[0], *b.split()[1:3]]
        if fresh(parts):
            form = rng.choice(["LLC", "LTD", "S.A.", ""])
            neg("neg_org", [" ".join(parts) + " " + form], "Organization",
                spelt(parts, person=False))
    korean = [(e.first("name") or "").split() for e in entities
              if (e.reference or "").startswith("KPi")]
    korean = [k for k in korean if len(k) == 3 and all(_LATIN.match(x) for x in k)]
    surnames = sorted({k[0] for k in korean})
    syllables = sorted({x for k in korean for x in k[1:]})
    tries = 0
    while sum(1 for c in out + refused if c["kind"] == "neg_east_asian") < n_each and tries < 50_000:
        tries += 1
        parts = [rng.choice(surnames), rng.choice(syllables), rng.choice(syllables)]
        if parts[1] != parts[2] and fresh(parts):
            neg("neg_east_asian", [" ".join(parts)], "Person", spelt(parts))
    short = sorted({n for e in entities if e.schema != "Person" for n in e.get("alias")
                    if len(_TOKEN.findall(n)) == 1 and 3 <= len(n) <= 6 and _LATIN.match(n)})
    persons = [(e.first("name") or "").split() for e in entities if e.schema == "Person"]
    family = sorted({p[-1] for p in persons if p and _LATIN.match(p[-1]) and len(p[-1]) > 3})
    for alias in short:
        for _ in range(3):
            parts = [alias.capitalize(), rng.choice(family)]
            if fresh(parts):
                neg("neg_person_acronym", [" ".join(parts)], "Person", spelt(parts))
                break
    return out


def payment_cases(entities: list[Entity], innocent_parts: list[str], seed: int = 14,
                  n_innocent: int = 3000) -> list[Case]:
    """Party names as banks write them: listed persons and organisations in upper case
    ASCII, sometimes surname first, titles, legal forms abbreviated, cut at 35 characters
    (with ``truncated_at=35``); innocent parties (people and companies from name parts of
    many languages) checked not to be near a listed name."""
    from bench.matching.cases import _latin_names, _near_listed

    rng = random.Random(seed)
    out: list[Case] = []
    for e in entities:
        latin = _latin_names(e)
        if not latin or not held_out(e.reference or e.id):
            continue
        name = rng.choice(latin)
        text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()
        tokens = text.replace(",", " ").split()
        if e.schema == "Person" and len(tokens) >= 2 and rng.random() < 0.3:
            tokens = [tokens[-1], *tokens[:-1]]  # surname first
        if e.schema == "Person" and rng.random() < 0.2:
            tokens = ["MR", *tokens]
        if e.schema != "Person" and rng.random() < 0.5:
            tokens = _legal_swap(rng, " ".join(tokens)).upper().split()
        party = " ".join(tokens)
        if e.schema != "Person" and rng.random() < 0.5:  # a longer trading name
            party = f"{party} {rng.choice(['TRADING', 'GENERAL TRADING', 'HOLDING'])}"
        cut = party[:FIELD_LIMIT].rstrip()
        out.append({"kind": "listed_party", "names": [cut], "expected": e.id,
                    "schema": "LegalEntity", "birth_dates": [], "nationalities": [],
                    "truncated_at": FIELD_LIMIT, "held_out": True,
                    "cut_mid_word": len(party) > FIELD_LIMIT and party[FIELD_LIMIT:][:1] != " "})
    listed = [frozenset(t.lower() for t in _TOKEN.findall(n)) for e in entities
              for n in e.get("name") + e.get("alias") + e.get("weakAlias")]
    index: dict[str, list[frozenset[str]]] = defaultdict(list)
    for toks in listed:
        for t in toks:
            index[t[:2]].append(toks)
    business = ["TRADING", "IMPORT EXPORT", "CONSTRUCTION", "LOGISTICS", "TEXTILES", "FOODS",
                "ELECTRONICS", "MOTORS", "PHARMA", "TRAVEL", "SERVICES", "HOLDINGS"]
    forms = ["LLC", "LTD", "CO LTD", "GMBH", "S.A.", "SARL", "JSC", "PVT LTD", "BV", ""]
    made = 0
    tries = 0
    while made < n_innocent and tries < 100_000:
        tries += 1
        if rng.random() < 0.6:
            parts = [rng.choice(innocent_parts) for _ in range(rng.choice((2, 3, 3, 4)))]
            schema = "LegalEntity"
        else:
            parts = [rng.choice(innocent_parts), *rng.choice(business).split()]
            form = rng.choice(forms)
            parts += form.split()
            schema = "LegalEntity"
        token_set = frozenset(t.lower() for t in parts)
        near = [x for t in token_set for x in index.get(t[:2], [])]
        if _near_listed(token_set, near) or any(x <= token_set for x in near if x):
            continue
        party = " ".join(parts).upper()
        out.append({"kind": "innocent_party", "names": [party[:FIELD_LIMIT].rstrip()],
                    "expected": None, "schema": schema, "birth_dates": [], "nationalities": [],
                    "truncated_at": FIELD_LIMIT, "held_out": True})
        made += 1
    return out


def innocent_parts(path: Path, seed: int = 15, n: int = 20_000) -> list[str]:
    """Latin name parts of the rigour corpus's held-out lines (people of many countries)."""
    rng = random.Random(seed)
    parts: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not held_out(line):
                continue
            for f in line.split("=>")[0].split(","):
                f = f.strip()
                if re.fullmatch(r"[a-z]{3,12}", f):
                    parts.append(f.capitalize())
                    break
    rng.shuffle(parts)
    return parts[:n]


def close_to(a: str, b: str) -> bool:
    return Levenshtein.normalized_similarity(a.lower(), b.lower()) >= 0.75
