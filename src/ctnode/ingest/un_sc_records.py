"""One record of the UN Security Council Consolidated List: its elements → an ``Entity``.

``ctnode.ingest.un_sc`` streams the file safely and hands each record here as a
``Node`` (the element as plain Python); names, aliases (split, original script
picked out), dates of birth (exact, year, range, notes), places, addresses,
nationalities and documents become FollowTheMoney statements, each keeping the
string as the UN wrote it. ``docs/formats.md`` lists which element becomes which
property.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from followthemoney import registry

from ctnode.errors import ImportFailed
from ctnode.ingest.base import collapse
from ctnode.ingest.list_warnings import list_warning
from ctnode.ingest.writing_systems import guess_lang, main_script
from ctnode.model.countries import country_code, not_available
from ctnode.model.dates import hijri_to_gregorian, hijri_year_to_gregorian
from ctnode.model.entities import Entity

DATASET = "un_sc"

_REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_YEAR_RE = re.compile(r"^\d{4}$")

_KNOWN_FIELDS = frozenset({
    "DATAID", "VERSIONNUM", "FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME",
    "UN_LIST_TYPE", "REFERENCE_NUMBER", "LISTED_ON", "COMMENTS1", "HAS_INTERPOL_LINK",
    "INTERPOL_LINK", "NAME_ORIGINAL_SCRIPT", "TITLE", "DESIGNATION", "NATIONALITY", "LIST_TYPE",
    "LAST_DAY_UPDATED", "INDIVIDUAL_ALIAS", "ENTITY_ALIAS", "INDIVIDUAL_ADDRESS",
    "ENTITY_ADDRESS", "INDIVIDUAL_DATE_OF_BIRTH", "INDIVIDUAL_PLACE_OF_BIRTH",
    "INDIVIDUAL_DOCUMENT", "GENDER", "SORT_KEY", "SORT_KEY_LAST_MOD", "SUBMITTED_BY",
    "SUBMITTED_ON", "NAME_ORIGINAL_SCRIPT_LANG",
})
_NAME_TAGS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
# QUALITY of an alias -> FtM property.
_ALIAS_PROPS = {"good": "alias", "a.k.a.": "alias", "aka": "alias", "low": "weakAlias",
                "f.k.a.": "previousName", "fka": "previousName"}
_MONTHS = {m: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")], start=1) for m in names}
_MONTH_RE = re.compile(r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?",
                       re.IGNORECASE)
_NOTE_YEAR_RE = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
# "24/06/1402 (Hijri Calendar)", "1402 (Hijri)": a date of birth in the Islamic calendar
_HIJRI_DATE_RE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](1[2-5]\d\d)\b")
_HIJRI_YEAR_RE = re.compile(r"\b(1[2-5]\d\d)\b")
_GENDER_RE = re.compile(r"Gender:\s*(Male|Female)\b", re.IGNORECASE)
# Alias clean-up patterns.
_PAREN_RE = re.compile(r"\(((?:[^()]|\([^()]*\))*)\)")
_ORIGINAL_SCRIPT_PREFIX = re.compile(
    r"^\s*(?:name\s+in\s+)?(?:original\s+script|in\s+\w+\s+script)\s*:\s*", re.IGNORECASE)
_ENUMERATION_RE = re.compile(r"\s+[a-h]\)\s+")
_BORN_SUFFIX_RE = re.compile(r",\s*born\b.*$", re.IGNORECASE | re.DOTALL)
_REMARK_WORDS = ("previously", "formerly", "birth name", "combat name", "false identity",
                 "third", "listed as", "original script")


@dataclass
class Context:
    """Where the parse is, and the warnings met so far (each said once)."""

    name: str
    warnings: list[str] = field(default_factory=list)
    unknown_fields: set[str] = field(default_factory=set)
    warned: set[str] = field(default_factory=set)

    def warn(self, code: str, **values: object) -> None:
        message = list_warning(code, **values)
        if message not in self.warned:
            self.warned.add(message)
            self.warnings.append(message)


class Node:
    """A record's element as plain Python, built from the parse events: lookups are dict hits.

    (lxml's ``find`` goes through Python ElementPath code and creates a proxy
    per visited element; building this while parsing made parsing 3x faster.)
    """

    __slots__ = ("kids", "line", "tag", "text")

    def __init__(self, tag: str, line: int = 0) -> None:
        self.tag = tag
        self.line = line
        self.text: str | None = None
        self.kids: dict[str, list[Node]] = {}

    def add(self, tag: str) -> Node:
        node = Node(tag)
        self.kids.setdefault(tag, []).append(node)
        return node


def _text(node: Node, tag: str) -> str | None:
    kids = node.kids.get(tag)
    return kids[0].text if kids else None


def _children(node: Node, tag: str) -> list[Node]:
    return node.kids.get(tag, [])


def _values(node: Node, tag: str) -> list[str]:
    return [v.text for group in node.kids.get(tag, ()) for v in group.kids.get("VALUE", ())
            if v.text and v.text.strip()]


def read_record(el: Node, schema: str, position: int, ctx: Context) -> Entity:
    dataid = collapse(_text(el, "DATAID"))
    where = f"{ctx.name}: line {el.line}: {el.tag} record #{position} " \
            f"(DATAID {dataid or 'missing'})"
    ref = collapse(_text(el, "REFERENCE_NUMBER"))
    if not ref:
        raise ImportFailed(f"{where}: REFERENCE_NUMBER is missing or empty")
    if not _REFERENCE_RE.match(ref):
        raise ImportFailed(f"{where}: REFERENCE_NUMBER {ref!r} is not a plain reference number")
    where = f"{ctx.name}: {ref} (line {el.line})"
    entity = Entity(id=f"{DATASET}-{ref}", schema=schema, dataset=DATASET, reference=ref)

    for tag in el.kids:
        if tag not in _KNOWN_FIELDS:
            ctx.unknown_fields.add(tag)

    _names(entity, el, schema, where, ctx)
    original = _text(el, "NAME_ORIGINAL_SCRIPT")
    if original and original.strip():
        value = collapse(original)
        entity.add("name", value, original, lang=guess_lang(value))

    alias_tag = "INDIVIDUAL_ALIAS" if schema == "Person" else "ENTITY_ALIAS"
    for alias in _children(el, alias_tag):
        _alias(entity, alias, schema, where, ctx)

    if schema == "Person":
        for title in _values(el, "TITLE"):
            entity.add("title", collapse(title), title)
        for designation in _values(el, "DESIGNATION"):
            entity.add("position", collapse(designation), designation)
        gender = _text(el, "GENDER")
        if gender and gender.strip():
            _gender(entity, gender, gender, where, ctx)
        for nationality in _values(el, "NATIONALITY"):
            _country(entity, "nationality", nationality, where, ctx)
        for dob in _children(el, "INDIVIDUAL_DATE_OF_BIRTH"):
            _birth_date(entity, dob, where, ctx)
        for pob in _children(el, "INDIVIDUAL_PLACE_OF_BIRTH"):
            _birth_place(entity, pob, where, ctx)
        for doc in _children(el, "INDIVIDUAL_DOCUMENT"):
            _document(entity, doc)

    address_tag = "INDIVIDUAL_ADDRESS" if schema == "Person" else "ENTITY_ADDRESS"
    for address in _children(el, address_tag):
        _address(entity, address, where, ctx)

    comments = _text(el, "COMMENTS1")
    if comments and comments.strip():
        entity.add("notes", collapse(comments), comments)
        if schema == "Person":
            match = _GENDER_RE.search(comments)
            if match:
                _gender(entity, match.group(1), match.group(0), where, ctx)

    program = _text(el, "UN_LIST_TYPE")
    entity.add("programId", collapse(program), program)
    listed = _text(el, "LISTED_ON")
    if listed and listed.strip():
        _date(entity, "listingDate", listed, where, ctx)
    updates = [u for u in _values(el, "LAST_DAY_UPDATED") if _DATE_RE.match(u.strip())]
    if updates:
        latest = max(updates, key=lambda u: u.strip())
        _date(entity, "modifiedAt", latest, where, ctx)
    list_types = _values(el, "LIST_TYPE")
    entity.add("topics", "sanction", list_types[0] if list_types else "UN List")
    link = _text(el, "INTERPOL_LINK")
    if link and link.strip():
        entity.add("sourceUrl", link.strip(), link)

    if not any(s.prop == "name" for s in entity.statements):
        ctx.warn("list.un.no_name", where=where)
    return entity


def _names(entity: Entity, el: Node, schema: str, where: str, ctx: Context) -> None:
    raw_parts = [(tag, _text(el, tag)) for tag in _NAME_TAGS]
    parts = [(tag, raw) for tag, raw in raw_parts if raw is not None and raw.strip()]
    if not parts:
        return
    full = " ".join(collapse(raw) for _, raw in parts)
    original = " ".join(raw for _, raw in parts)
    entity.add("name", full, original)
    if schema != "Person" or len(parts) < 2:
        return
    # Name parts: FIRST_NAME is the given name; the last part given is taken as the
    # family name; SECOND_NAME and THIRD_NAME in between are second and middle names.
    by_tag = dict(parts)
    first = by_tag.get("FIRST_NAME")
    if first is not None:
        entity.add("firstName", collapse(first), first)
    last_tag, last_raw = parts[-1]
    if last_tag != "FIRST_NAME":
        entity.add("lastName", collapse(last_raw), last_raw)
    for tag, prop in (("SECOND_NAME", "secondName"), ("THIRD_NAME", "middleName")):
        raw = by_tag.get(tag)
        if raw is not None and tag != last_tag:
            entity.add(prop, collapse(raw), raw)


def _alias(entity: Entity, alias: Node, schema: str, where: str, ctx: Context) -> None:
    raw = _text(alias, "ALIAS_NAME")
    if raw is None or not raw.strip():
        return
    quality_raw = collapse(_text(alias, "QUALITY"))
    prop = _ALIAS_PROPS.get(quality_raw.lower())
    if prop is None:
        if quality_raw:
            ctx.warn("list.un.alias_quality", where=where, alias=repr(collapse(raw)),
                     quality=repr(quality_raw))
        prop = "alias"
    for value, lang in split_alias(raw, person=(schema == "Person")):
        entity.add(prop, value, raw, lang=lang)
    note = _text(alias, "NOTE")
    if note:
        match = _ORIGINAL_SCRIPT_PREFIX.match(note)
        if match:
            extra = collapse(note[match.end():])
            for piece in extra.split(";"):
                piece = piece.strip()
                if piece:
                    entity.add(prop, piece, note, lang=guess_lang(piece))
    if schema == "Person":
        dob = _text(alias, "DATE_OF_BIRTH")
        if dob and dob.strip():
            _date(entity, "birthDate", dob, where, ctx)
        city, country = _text(alias, "CITY_OF_BIRTH"), _text(alias, "COUNTRY_OF_BIRTH")
        place_raw = [p for p in (city, country) if p and p.strip()]
        if place_raw:
            entity.add("birthPlace", ", ".join(collapse(p) for p in place_raw),
                       ", ".join(place_raw))
        if country and country.strip():
            _country(entity, "birthCountry", country, where, ctx)


def _strip_name(value: str) -> str:
    value = collapse(value)
    value = value.strip(" ,;:")
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'“”":
        value = value[1:-1].strip(" ,;")
    return value.strip('"“”').strip()


def _is_remark(text: str) -> bool:
    lower = text.lower()
    return (bool(text) and text[0].islower()) or any(w in lower for w in _REMARK_WORDS)


def split_alias(raw: str, *, person: bool = True) -> list[tuple[str, str | None]]:
    """Split one ``ALIAS_NAME`` cell into the names it holds, each with a language guess.

    * ``"A; B; C"`` and ``"a) A b) B"`` enumerations become separate names;
    * a name in another script inside parentheses (``"Ali (علي)"``,
      ``"X (original script: Х)"``) or after the Latin form becomes its own name;
    * remarks in parentheses (``"(previously listed as)"``, ``"(birth name)"``)
      and trailing ``", born ..."`` details are dropped from the name;
    * ``"Surname, Given"`` is kept as written (matching handles token order).
    """
    text = collapse(raw)
    names: list[str] = []
    outer_parts: list[str] = []
    pos = 0
    outer = _PAREN_RE.sub(" ", text)
    outer_script = main_script(outer)
    for match in _PAREN_RE.finditer(text):
        outer_parts.append(text[pos:match.start()])
        pos = match.end()
        inner = match.group(1).strip()
        prefix = _ORIGINAL_SCRIPT_PREFIX.match(inner)
        if prefix:
            inner = inner[prefix.end():]
        inner_script = main_script(inner)
        if inner_script is not None and outer_script is not None and inner_script != outer_script:
            names.extend(p for p in inner.split(";"))
            outer_parts.append(" ")
        elif _is_remark(inner):
            outer_parts.append(" ")
        else:
            outer_parts.append(match.group(0))
    outer_parts.append(text[pos:])
    outer = collapse("".join(outer_parts))
    if person:
        outer = _BORN_SUFFIX_RE.sub("", outer)
    pieces: list[str] = []
    for part in outer.split(";"):
        pieces.extend(_ENUMERATION_RE.split(part))
    pieces = [*pieces, *names]
    out: list[tuple[str, str | None]] = []
    for piece in pieces:
        for name in _split_mixed_scripts(_strip_name(piece)):
            if name and name not in [n for n, _ in out]:
                out.append((name, guess_lang(name)))
    return out


def _split_mixed_scripts(name: str) -> list[str]:
    """``"Agha Jan Alizai اغا جان عالیزی"`` -> the Latin and the Arabic form."""
    tokens = name.split()
    if len(tokens) < 2:
        return [name]
    groups: list[tuple[str | None, list[str]]] = []
    for token in tokens:
        script = main_script(token)
        if groups and (script == groups[-1][0] or script is None):
            groups[-1][1].append(token)
        else:
            groups.append((script, [token]))
    if len(groups) == 2 and all(s is not None for s, _ in groups):
        return [" ".join(toks) for _, toks in groups]
    return [name]


def _gender(entity: Entity, value: str, original: str, where: str, ctx: Context) -> None:
    cleaned = registry.gender.clean(collapse(value))
    if cleaned is None:
        ctx.warn("list.un.gender", where=where, value=repr(value))
        return
    entity.add("gender", cleaned, original)


def _country(entity: Entity, prop: str, raw: str, where: str, ctx: Context) -> None:
    name = collapse(raw)
    if not name:
        return
    if not_available(name):
        ctx.warn("list.un.not_available", where=where, prop=prop, value=repr(name))
        return
    code = country_code(name)
    if code is None:
        ctx.warn("list.un.country", where=where, prop=prop, value=repr(name))
        entity.add(prop, name, raw)
        return
    entity.add(prop, code, raw)


def _date(entity: Entity, prop: str, raw: str, where: str, ctx: Context) -> None:
    text = raw.strip()
    match = _DATE_RE.match(text)
    if match:
        entity.add(prop, "-".join(match.groups()), raw)
    elif _YEAR_RE.match(text):
        entity.add(prop, text, raw)
    else:
        ctx.warn("list.un.not_a_date", where=where, prop=prop, value=repr(text))


def _birth_date(entity: Entity, dob: Node, where: str, ctx: Context) -> None:
    kind = collapse(_text(dob, "TYPE_OF_DATE")).upper()
    date, year = _text(dob, "DATE"), _text(dob, "YEAR")
    from_year, to_year = _text(dob, "FROM_YEAR"), _text(dob, "TO_YEAR")
    note = collapse(_text(dob, "NOTE"))
    if date and date.strip():
        _date(entity, "birthDate", date, where, ctx)
        return
    if from_year and to_year and from_year.strip() and to_year.strip():
        lo, hi = from_year.strip(), to_year.strip()
        original = f"BETWEEN {lo} AND {hi}"
        if not (_YEAR_RE.match(lo) and _YEAR_RE.match(hi)) or not 0 <= int(hi) - int(lo) <= 30:
            ctx.warn("list.un.year_range", where=where, years=original)
            return
        for year_int in range(int(lo), int(hi) + 1):
            entity.add("birthDate", str(year_int), original)
        return
    if year and year.strip():
        y = year.strip()
        if not _YEAR_RE.match(y):
            ctx.warn("list.un.not_a_year", where=where, value=repr(y))
            return
        months = _note_months(note) if note else []
        if months:
            for month in months:
                entity.add("birthDate", f"{y}-{month:02d}", f"{note} {y}")
            return
        original = f"APPROXIMATELY {y}" if kind == "APPROXIMATELY" else year
        entity.add("birthDate", y, original)
        return
    if note and "hijri" in note.lower():
        _hijri_birth_date(entity, note, where, ctx)
        return
    if note:
        years = _NOTE_YEAR_RE.findall(note)
        months = _note_months(note)
        if len(years) == 1 and "hijri" not in note.lower():
            if months:
                for month in months:
                    entity.add("birthDate", f"{years[0]}-{month:02d}", note)
            else:
                entity.add("birthDate", years[0], note)
            return
        ctx.warn("list.un.note_not_date", where=where, note=repr(note))


def _hijri_birth_date(entity: Entity, note: str, where: str, ctx: Context) -> None:
    """A date of birth the list gives in the Hijri calendar, converted to Gregorian (a
    Hijri year alone gives the one or two Gregorian years it overlaps); ``original`` keeps
    the note as written."""
    try:
        m = _HIJRI_DATE_RE.search(note)
        if m:
            day, month, year = (int(g) for g in m.groups())
            entity.add("birthDate", hijri_to_gregorian(year, month, day).isoformat(), note)
            return
        y = _HIJRI_YEAR_RE.search(note)
        if y:
            first, last = hijri_year_to_gregorian(int(y.group(1)))
            for year in range(first, last + 1):
                entity.add("birthDate", str(year), note)
            return
    except ValueError as exc:
        ctx.warn("list.un.note_error", where=where, note=repr(note), reason=exc)
        return
    ctx.warn("list.un.note_not_hijri", where=where, note=repr(note))


def _note_months(note: str) -> list[int]:
    return sorted({_MONTHS[m.group(1).lower()] for m in _MONTH_RE.finditer(note)})


def _joined(el: Node, tags: tuple[str, ...]) -> tuple[str, str]:
    raws = [raw for raw in (_text(el, tag) for tag in tags) if raw and raw.strip()]
    return ", ".join(collapse(r) for r in raws), ", ".join(raws)


def _birth_place(entity: Entity, pob: Node, where: str, ctx: Context) -> None:
    _place(entity, pob, ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY"),
           ("birthPlace", "birthCountry"), where, ctx)


def _address(entity: Entity, address: Node, where: str, ctx: Context) -> None:
    _place(entity, address, ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"),
           ("address", "country"), where, ctx)


def _place(entity: Entity, node: Node, parts: tuple[str, ...], props: tuple[str, str],
           where: str, ctx: Context) -> None:
    """A place (its parts joined, else its note) and its country, as two properties."""
    value, original = _joined(node, parts)
    if not value:
        value, original = _joined(node, ("NOTE",))
    entity.add(props[0], value, original)
    country = _text(node, "COUNTRY")
    if country and country.strip():
        _country(entity, props[1], country, where, ctx)


def _document(entity: Entity, doc: Node) -> None:
    number = _text(doc, "NUMBER")
    if number is None or not number.strip():
        return
    kind = f"{_text(doc, 'TYPE_OF_DOCUMENT') or ''} {_text(doc, 'TYPE_OF_DOCUMENT2') or ''}"
    kind = kind.lower()
    is_passport = any(w in kind for w in ("passport", "passeport", "pasaporte"))
    entity.add("passportNumber" if is_passport else "idNumber", collapse(number), number)
