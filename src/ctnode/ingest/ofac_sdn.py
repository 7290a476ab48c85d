"""US OFAC Specially Designated Nationals list, legacy CSV files, read whole.

OFAC publishes the SDN list as four headerless CSV files that share the entry number
``ent_num``; this parser joins them into one :class:`~ctnode.ingest.base.ParsedList`:

* ``sdn.csv`` (required): ``ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign,
  Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks``; ``-0-`` means empty;
  SDN_Type ``individual`` (Person), ``vessel``, ``aircraft``, empty (an entity:
  Organization);
* ``alt.csv``: ``ent_num, alt_num, alt_type, alt_name, alt_remarks``; ``aka`` and ``nka``
  become aliases, ``fka`` previous names;
* ``add.csv``: ``ent_num, add_num, address, city/state/postal code, country,
  add_remarks``: addresses and their countries;
* ``sdn_comments.csv`` (optional): ``ent_num, remarks_extended``, the part of a remark
  the legacy ``Remarks`` column (1,000 characters at most) cuts off.

The ``Remarks`` column is read item by item (items are separated by ``;``): dates of birth
(``DOB 19 Jun 1951``, ``DOB circa 1957``, ``DOB 1960 to 1965``, ``alt. DOB ...``), places
of birth, nationalities and citizenships (as country codes), passports and national
identity numbers, gender, e-mail addresses and websites, vessel IMO numbers, the a.k.a.
nicknames OFAC writes there (weak aliases), and ``Digital Currency Address - XBT ...``
wallets, each of which becomes a ``CryptoWallet`` entity (``publicKey``, ``currency``,
``holder``). Every value keeps the remark item it was read from as its ``original``; the
whole remark is kept as ``notes``. A remark cut at the column's limit is reported in the
warnings and its cut last item is not read (``sdn_comments.csv`` restores it when given).

The files are given as the folder holding them or as the path of ``sdn.csv`` (the others
are looked up beside it); the official files end with a ``\\x1a`` byte, which is ignored.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ctnode.errors import ImportFailed
from ctnode.ingest.base import Progress, collapse
from ctnode.ingest.list_warnings import list_warning
from ctnode.model.countries import country_code, not_available
from ctnode.model.entities import Entity
from ctnode.model.lists import ParsedList

DATASET = "us_ofac_sdn"
TITLE = "US OFAC Specially Designated Nationals (SDN) list"
# Who publishes the list (its source identity; the files do not say it, ``--source`` may).
PUBLISHER = "US Treasury OFAC"
NULL = "-0-"
REMARKS_LIMIT = 1000  # the legacy CSV's Remarks column holds at most this many characters
MAX_FIELD = 1_000_000  # longest CSV field accepted (a remark is at most a few kB)
_SCHEMAS = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane", "": "Organization"}
_COLUMNS = {"sdn.csv": 12, "alt.csv": 5, "add.csv": 6, "sdn_comments.csv": 2}
_ALT_PROPS = {"aka": "alias", "nka": "alias", "fka": "previousName"}

_MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2}) ([A-Za-z]{3})[a-z]*\.? (\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3})[a-z]*\.? (\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(.+?) to (.+)$")
_YEAR_RANGE = re.compile(r"^(\d{4})\s*-\s*(\d{4})$")
_WALLET = re.compile(r"^(?:alt\. )?Digital Currency Address - ([A-Za-z0-9]+) (\S+)$")
_AKA = re.compile(r"^(?:a\.k\.a\.|f\.k\.a\.|n\.k\.a\.) '(.+)'\.?$")
_NUMBERED = re.compile(r"^(.*?)(?:\s+(?:issued|expires)\b.*)?$")
# Remark labels (after an optional "alt. ") → the property their value goes to.
_DOCUMENT_LABELS: tuple[tuple[str, str], ...] = (
    ("Passport", "passportNumber"), ("Diplomatic Passport", "passportNumber"),
    ("National ID No.", "idNumber"), ("Identification Number", "idNumber"),
    ("Cedula No.", "idNumber"), ("Citizen's Card Number", "idNumber"),
    ("Personal ID Card", "idNumber"), ("D.N.I.", "idNumber"), ("SSN", "idNumber"),
    ("C.U.R.P.", "idNumber"), ("Residency Number", "idNumber"),
    ("Driver's License No.", "idNumber"), ("Birth Certificate Number", "idNumber"),
    ("Tax ID No.", "taxNumber"), ("NIT #", "taxNumber"), ("RUC #", "taxNumber"),
    ("R.F.C.", "taxNumber"), ("RFC", "taxNumber"), ("C.U.I.T.", "taxNumber"),
    ("Registration Number", "registrationNumber"), ("Registration ID", "registrationNumber"),
    ("Company Number", "registrationNumber"), ("Business Registration Number",
                                               "registrationNumber"),
    ("Commercial Registry Number", "registrationNumber"),
    ("Vessel Registration Identification IMO", "imoNumber"),
)


@dataclass
class _Context:
    source: str
    warnings: list[str] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)

    def warn(self, code: str, **values: object) -> None:
        message = list_warning(code, source=self.source, **values)
        if message not in self._seen:
            self._seen.add(message)
            self.warnings.append(message)


def _files(source: Path) -> dict[str, Path]:
    folder = source if source.is_dir() else source.parent
    main = folder / "sdn.csv" if source.is_dir() else source
    if not main.is_file():
        raise ImportFailed(f"{source}: no sdn.csv found (give the folder holding the OFAC "
                           "files or the path of sdn.csv)")
    out = {"sdn.csv": main}
    for name in ("alt.csv", "add.csv", "sdn_comments.csv"):
        if (folder / name).is_file():
            out[name] = folder / name
    return out


def _rows(path: Path, name: str) -> Iterator[tuple[int, list[str]]]:
    """(line, row) of one headerless OFAC CSV file, values trimmed, ``-0-`` as empty."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        text = path.read_bytes().decode("cp1252", errors="replace")
    text = text.rstrip("\x1a\r\n ")
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(io.StringIO(text), strict=True)
    width = _COLUMNS[name]
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != width:
                raise ImportFailed(f"{path}: line {reader.line_num}: {len(row)} columns, "
                                   f"{name} has {width}")
            values = [v.strip() for v in row]
            yield reader.line_num, ["" if v == NULL else v for v in values]
    except csv.Error as exc:
        raise ImportFailed(f"{path}: line {reader.line_num}: not valid CSV ({exc})") from None


def _ent_num(value: str, path: Path, line: int) -> str:
    if not value.isdigit():
        raise ImportFailed(f"{path}: line {line}: field ent_num {value!r} is not a number")
    return value


def parse_ofac_sdn(source: Path | str, *, source_name: str | None = None,
                   progress: Progress | None = None) -> ParsedList:
    """Read the OFAC SDN legacy CSV files at ``source`` (a folder or ``sdn.csv``)."""
    source = Path(source)
    name = source_name or str(source)
    ctx = _Context(name)
    files = _files(source)
    comments: dict[str, str] = {}
    if "sdn_comments.csv" in files:
        for line, row in _rows(files["sdn_comments.csv"], "sdn_comments.csv"):
            comments[_ent_num(row[0], files["sdn_comments.csv"], line)] = row[1]
    entities: dict[str, Entity] = {}
    wallets: list[Entity] = []
    total = files["sdn.csv"].stat().st_size
    lines = max(1, files["sdn.csv"].read_bytes().count(b"\n"))
    for line, row in _rows(files["sdn.csv"], "sdn.csv"):
        num = _ent_num(row[0], files["sdn.csv"], line)
        key = num
        if num in entities:
            # kept (it is a listed party), under its own reference; the aliases and addresses
            # of this ent_num stay with the first entry
            key = f"{num}-line{line}"
            ctx.warn("list.ofac.duplicate", line=line, num=num, name=repr(row[1]), ref=key)
        entity = _entry(key, row, comments.get(num, ""), ctx, wallets)
        if entity is None:
            raise ImportFailed(f"{files['sdn.csv']}: line {line}: entry {num} has no name")
        entities[key] = entity
        if progress is not None and len(entities) % 500 == 0:
            progress(min(total, total * line // lines), total)
    for _line, row, target in _attached(files, "alt.csv", "alias", entities, ctx):
        prop = _ALT_PROPS.get(row[2].lower(), "alias")
        if row[3]:
            target.add(prop, collapse(row[3]), row[3])
    for line, row, target in _attached(files, "add.csv", "address", entities, ctx):
        _address(target, row, line, ctx)
    if progress is not None:
        progress(total, total)
    return ParsedList(dataset=DATASET, title=TITLE, version=None, source=name,
                      entities=[*entities.values(), *wallets], warnings=ctx.warnings,
                      publisher=PUBLISHER)


def _attached(files: dict[str, Path], name: str, what: str, entities: dict[str, Entity],
              ctx: _Context) -> Iterator[tuple[int, list[str], Entity]]:
    """Rows of a file that adds to entries (alt.csv, add.csv), with the entry each belongs to."""
    if name not in files:
        return
    for line, row in _rows(files[name], name):
        num = _ent_num(row[0], files[name], line)
        target = entities.get(num)
        if target is None:
            ctx.warn("list.ofac.unknown_entry", file=name, line=line, what=what, num=num)
            continue
        yield line, row, target


def _entry(num: str, row: list[str], extended: str, ctx: _Context,
           wallets: list[Entity]) -> Entity | None:
    (_num, sdn_name, sdn_type, program, title, call_sign, vess_type, tonnage, grt, flag,
     owner, remarks) = row
    if not sdn_name:
        return None
    schema = _SCHEMAS.get(sdn_type.lower())
    if schema is None:
        ctx.warn("list.ofac.unknown_type", num=num, type=repr(sdn_type))
        schema = "Organization"
    entity = Entity(id=f"{DATASET}-{num}", schema=schema, dataset=DATASET, reference=num)
    entity.add("name", collapse(sdn_name), sdn_name)
    for prog in re.split(r"\]\s*\[", program.strip("[] ")):
        entity.add("programId", prog.strip(), program)
    entity.add("topics", "sanction", "SDN")
    if title:
        entity.add("position", collapse(title), title)
    if schema == "Vessel":
        entity.add("callSign", call_sign or None)
        entity.add("type", vess_type or None)
        entity.add("tonnage", tonnage or None)
        entity.add("grossRegisteredTonnage", grt or None)
        entity.add("owner", owner or None)
        if flag:
            code = country_code(flag)
            entity.add("flag", code or flag, flag)
    text = remarks
    if extended:
        text = extended if extended.startswith(remarks.rstrip(" .")[:50]) else remarks + extended
    elif len(remarks) >= REMARKS_LIMIT:
        items = _items(remarks)
        cut = items[-1] if items else remarks
        ctx.warn("list.ofac.remarks_cut", num=num, limit=f"{REMARKS_LIMIT:,}", item=repr(cut))
        text = "; ".join(items[:-1])
    if text:
        entity.add("notes", collapse(text), text)
        for item in _items(text):
            _remark(entity, item, ctx, wallets)
    return entity


def _items(remarks: str) -> list[str]:
    return [i.strip() for i in remarks.rstrip(". ").split(";") if i.strip()]


def _remark(entity: Entity, item: str, ctx: _Context, wallets: list[Entity]) -> None:
    """Read one remark item into the entity (or a wallet); anything else stays in notes."""
    bare = item.removeprefix("alt. ").strip().rstrip(".")
    wallet = _WALLET.match(item.rstrip("."))
    if wallet:
        wallets.append(_wallet(entity, wallet.group(1).upper(), wallet.group(2), item))
        return
    aka = _AKA.match(item)
    if aka:
        entity.add("weakAlias", collapse(aka.group(1)), item)
        return
    if bare.startswith("DOB "):
        for value in _dates(bare[4:]):
            entity.add("birthDate", value, item)
        if not _dates(bare[4:]):
            ctx.warn("list.ofac.birth_date", num=entity.reference, value=repr(bare))
        return
    if bare.startswith("POB "):
        entity.add("birthPlace", collapse(bare[4:]), item)
        return
    for label, prop in (("nationality ", "nationality"), ("citizen ", "citizenship")):
        if bare.startswith(label):
            country = bare[len(label):].strip()
            if not_available(country):
                return
            code = country_code(country)
            if code is None:
                ctx.warn("list.ofac.country", num=entity.reference, prop=prop,
                         value=repr(country))
            entity.add(prop, code or country, item)
            return
    if bare.startswith("Gender "):
        entity.add("gender", bare[7:].strip().lower(), item)
        return
    if bare.startswith("Email Address "):
        entity.add("email", bare[14:].strip(), item)
        return
    if bare.startswith("Website "):
        entity.add("website", bare[8:].strip(), item)
        return
    for label, prop in _DOCUMENT_LABELS:
        if bare.startswith(label + " "):
            number = _NUMBERED.match(bare[len(label) + 1:].strip())
            value = number.group(1) if number else ""
            value = re.sub(r"\s*\([^)]*\)\s*$", "", value).strip()  # "(Egypt)"
            if value:
                entity.add(prop, value, item)
            return


def _wallet(holder: Entity, currency: str, address: str, item: str) -> Entity:
    wallet = Entity(id=f"{holder.id}-wallet-{currency.lower()}-{address}",
                    schema="CryptoWallet", dataset=DATASET,
                    reference=f"{holder.reference}-{currency}-{address}")
    wallet.add("publicKey", address, item)
    wallet.add("currency", currency, item)
    wallet.add("holder", holder.caption, item)
    wallet.add("holderId", holder.id, item)
    for prog in holder.get("programId"):
        wallet.add("programId", prog)
    wallet.add("topics", "sanction", "SDN")
    return wallet


def _one_date(text: str) -> str | None:
    text = text.strip().rstrip(".")
    m = _DAY_MONTH_YEAR.match(text)
    if m and m.group(2).lower() in _MONTHS:
        return f"{m.group(3)}-{_MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"
    m = _MONTH_YEAR.match(text)
    if m and m.group(1).lower() in _MONTHS:
        return f"{m.group(2)}-{_MONTHS[m.group(1).lower()]:02d}"
    m = _YEAR.match(text)
    return m.group(1) if m else None


def _dates(text: str) -> list[str]:
    """``19 Jun 1951``, ``Jun 1951``, ``1951``, ``circa 1951``, ``1950 to 1955`` (one
    date per year of a range of up to 30 years) → ISO prefixes."""
    text = text.strip().removeprefix("circa ").strip()
    rng = _RANGE.match(text) or _YEAR_RANGE.match(text)
    if rng:
        lo, hi = _one_date(rng.group(1)), _one_date(rng.group(2))
        if lo is None or hi is None:
            return []
        y0, y1 = int(lo[:4]), int(hi[:4])
        if not 0 <= y1 - y0 <= 30:
            return []
        if y0 == y1:
            return [lo] if lo[:7] == hi[:7] else [str(y0)]
        return [str(y) for y in range(y0, y1 + 1)]
    one = _one_date(text)
    return [one] if one else []


def _address(entity: Entity, row: list[str], line: int, ctx: _Context) -> None:
    _num, _add_num, street, city, country, _remarks = row
    parts = [p for p in (street, city, country) if p]
    if parts:
        raw = ", ".join(parts)
        entity.add("address", collapse(raw), raw)
    if country:
        code = country_code(country)
        if code is None and not not_available(country):
            ctx.warn("list.ofac.address_country", line=line, value=repr(country))
        if code is not None or not not_available(country):
            entity.add("country", code or country, country)
